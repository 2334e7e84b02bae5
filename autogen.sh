#!/bin/sh
# Regenerate the build system: configure, Makefile.in and the libtool glue.
set -e
cd "$(dirname "$0")"
autoreconf -fi
