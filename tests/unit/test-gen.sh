#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The files generated from the netlink spec are not stale: regenerate them
# into a scratch tree and compare them with the committed ones.
#
#  - libdmapeek/attr-types.h, by libdmapeek/gen-attr-types.py, and
#    tools/fields-gen.c, the command line's fields, by tools/gen-fields.py,
#    always;
#  - kmod/dmapeek-nl-gen.[ch] and the netlink block of
#    include/uapi/linux/dmapeek.h (the limits among its constants), by the
#    kernel's generator through kmod/ynl-regen.sh: from LINUX_SOURCE (a
#    kernel tree) when set, else from the newest
#    /usr/src/linux-source-*.tar.xz (Debian: linux-source; the lab's build
#    root has it).  Without either, or without python3-jsonschema, which
#    the generator needs, that part is skipped, saying so.
top=${abs_top_srcdir:-$(dirname "$0")/../..}
gen=$top/libdmapeek/gen-attr-types.py
spec=$top/Documentation/netlink/specs/dmapeek.yaml
out=$top/libdmapeek/attr-types.h
uapi=include/uapi/linux/dmapeek.h
command -v python3 >/dev/null || { echo "SKIP: no python3 (Debian: python3)"; exit 77; }
python3 -c 'import yaml' 2>/dev/null ||
	{ echo "SKIP: python3 has no yaml module (Debian: python3-yaml)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stale() {
	echo "$1 is stale: the spec says otherwise (diff above);"
	echo "run \"tests/guest-lab regen\" (or \"make regen\") and commit the result"
	exit 1
}

python3 "$gen" "$spec" "$tmp/attr-types.h" || { echo "$gen failed"; exit 1; }
diff -u "$out" "$tmp/attr-types.h" || stale libdmapeek/attr-types.h
echo "libdmapeek/attr-types.h is what $(basename "$gen") makes of the spec"
python3 "$top/tools/gen-fields.py" "$spec" "$tmp/fields-gen.c" ||
	{ echo "$top/tools/gen-fields.py failed"; exit 1; }
diff -u "$top/tools/fields-gen.c" "$tmp/fields-gen.c" || stale tools/fields-gen.c
echo "tools/fields-gen.c is what gen-fields.py makes of the spec"

src=${LINUX_SOURCE:-}
from=$src
if [ -z "$src" ]; then
	tb=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$tb" ]; then
		echo "kernel glue not checked: no LINUX_SOURCE, no /usr/src/linux-source-*.tar.xz"
		exit 0
	fi
	mkdir "$tmp/linux"
	tar -xJf "$tb" -C "$tmp/linux" --strip-components=1 --wildcards \
		'*/tools/net/ynl' '*/Documentation/netlink/genetlink.yaml' ||
		{ echo "cannot take the generator out of $tb"; exit 1; }
	src=$tmp/linux
	from=$tb
fi
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "kernel glue not checked: python3 has no jsonschema module (Debian: python3-jsonschema)"
	exit 0
fi

# ynl-regen.sh writes next to itself: give it a scratch tree.
mkdir -p "$tmp/top/kmod" "$tmp/top/include/uapi/linux" \
	"$tmp/top/Documentation/netlink/specs"
cp "$top/kmod/ynl-regen.sh" "$tmp/top/kmod/"
cp "$spec" "$tmp/top/Documentation/netlink/specs/"
cp "$top/$uapi" "$tmp/top/$uapi"
sh "$tmp/top/kmod/ynl-regen.sh" "$src" >/dev/null ||
	{ echo "kmod/ynl-regen.sh $src failed"; exit 1; }
for f in kmod/dmapeek-nl-gen.h kmod/dmapeek-nl-gen.c "$uapi"; do
	diff -u "$top/$f" "$tmp/top/$f" || stale "$f"
done
echo "kmod/dmapeek-nl-gen.[ch] and the netlink block of $uapi are what" \
	"the generator of $from makes of the spec"
