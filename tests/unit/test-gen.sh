#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The files generated from the netlink spec are not stale: regenerate
# libdmapeek/attr-types.h into a scratch file and compare it with the
# committed one.  (The kernel glue needs linux-source's generator; the
# lab's "regen" checks that one.)
top=${abs_top_srcdir:-$(dirname "$0")/../..}
gen=$top/libdmapeek/gen-attr-types.py
spec=$top/Documentation/netlink/specs/dmapeek.yaml
out=$top/libdmapeek/attr-types.h
command -v python3 >/dev/null || { echo "SKIP: no python3 (Debian: python3)"; exit 77; }
python3 -c 'import yaml' 2>/dev/null ||
	{ echo "SKIP: python3 has no yaml module (Debian: python3-yaml)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$gen" "$spec" "$tmp/attr-types.h" || { echo "$gen failed"; exit 1; }
if ! diff -u "$out" "$tmp/attr-types.h"; then
	echo "libdmapeek/attr-types.h is stale: the spec says otherwise (diff above);"
	echo "run \"make regen\" or \"tests/guest-lab regen\" and commit the result"
	exit 1
fi
echo "libdmapeek/attr-types.h is what $(basename "$gen") makes of the spec"
