#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The Debian symbols file of libdmapeek0 lists exactly the symbols of the
# version script (libdmapeek/libdmapeek.map), in their version nodes, and
# the built library exports exactly those.  (dpkg-gensymbols checks the
# same again when the package is built.)
top=${abs_top_srcdir:-$(dirname "$0")/../..}
build=${abs_top_builddir:-$top}
map=$top/libdmapeek/libdmapeek.map
symbols=$top/debian/libdmapeek0.symbols
[ -f "$symbols" ] || { echo "no $symbols in this tree"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# symbol@NODE for every global of the map, plus each node's own name.
awk '
	/^[A-Za-z_][A-Za-z0-9_.]* *\{/ { node = $1; print node "@" node; next }
	/^[ \t]*(global|local):/ { scope = $1; next }
	/^\}/ { scope = ""; next }
	scope == "global:" && /;/ { gsub(/[ \t;]/, ""); if ($0 != "") print $0 "@" node }
' "$map" | sort >"$tmp/map"
# The symbols file: " symbol@NODE version" lines after the header.
sed -n 's/^ \([^ ]*@[^ ]*\) .*/\1/p' "$symbols" | sort >"$tmp/symbols"
[ -s "$tmp/map" ] || { echo "no symbols read from $map"; exit 1; }
if ! diff -u "$tmp/map" "$tmp/symbols"; then
	echo "debian/libdmapeek0.symbols does not match libdmapeek.map (diff above)"
	exit 1
fi
echo "$(wc -l <"$tmp/map") symbols agree between the map and the symbols file"

lib=$build/libdmapeek/.libs/libdmapeek.so.0
if [ -f "$lib" ] && command -v nm >/dev/null; then
	# (nm names a version node's own symbol without "@NODE")
	nm -D --defined-only --with-symbol-versions "$lib" |
		awk '{ s = $3; sub(/@@?/, "@", s); if (s !~ /@/) s = s "@" s; print s }' |
		sort >"$tmp/lib"
	if ! diff -u "$tmp/map" "$tmp/lib"; then
		echo "$lib exports other symbols than libdmapeek.map (diff above)"
		exit 1
	fi
	echo "and $lib exports exactly those"
fi
