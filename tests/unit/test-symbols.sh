#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The public header (libdmapeek/dmapeek.h) declares exactly the functions
# the version script (libdmapeek/libdmapeek.map) exports, the Debian
# symbols file of libdmapeek0 lists exactly the symbols of the version
# script, in their version nodes, and the built library (whose exports
# are the DMAPEEK_EXPORT definitions) exports exactly those.
# (dpkg-gensymbols checks the last two again when the package is built.)
top=${abs_top_srcdir:-$(dirname "$0")/../..}
build=${abs_top_builddir:-$top}
map=$top/libdmapeek/libdmapeek.map
header=$top/libdmapeek/dmapeek.h
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

# The functions the header declares: each statement outside comments and
# preprocessor lines (macros such as dmapeek_for_each_buffer() are not
# symbols) that is no typedef, named by its first "identifier(".
awk '
	cont { cont = /\\$/; next }
	/^[ \t]*#/ { cont = /\\$/; next }
	{ text = text " " $0 }
	END {
		gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, " ", text)
		n = split(text, st, /[;{}]/)
		for (i = 1; i <= n; i++) {
			if (st[i] ~ /^[ \t]*typedef/ ||
			    !match(st[i], /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/))
				continue
			f = substr(st[i], RSTART, RLENGTH)
			sub(/[ \t]*\($/, "", f)
			print f
		}
	}
' "$header" | sort -u >"$tmp/header"
# The map's globals without their nodes (the header has no versions).
sed 's/@.*//' "$tmp/map" | grep -v '^LIBDMAPEEK_' | sort -u >"$tmp/map-names"
[ -s "$tmp/header" ] || { echo "no functions read from $header"; exit 1; }
if ! diff -u "$tmp/map-names" "$tmp/header"; then
	echo "libdmapeek.map does not export what dmapeek.h declares (diff above: -map +header)"
	exit 1
fi
echo "and dmapeek.h declares exactly the map's $(wc -l <"$tmp/header") functions"

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
