#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The man pages pass mandoc's linter (warnings count as failures).
command -v mandoc >/dev/null || { echo "mandoc not installed"; exit 77; }
top=${abs_top_srcdir:-$(dirname "$0")/../..}
rc=0
for f in "$top"/man/*.[0-9]; do
	mandoc -T lint -W warning "$f" || rc=1
done
exit $rc
