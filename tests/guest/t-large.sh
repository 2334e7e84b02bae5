# SPDX-License-Identifier: GPL-2.0-only
# Objects with more ranges than fit one netlink message: a buffer of 1,024
# BAR ranges and its mapping by the BAR's own device (a bus address per
# range), read whole by every reader (nl-decode, the library's dump and
# get, dmapeek -j), as root and as an unprivileged user (no addresses).
# (The mapping used to be a scattered udmabuf's, page by page; the importer
# no longer reads a foreign buffer's pages, and the IOMMU merges its DMA
# segments into far fewer ranges.)
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

DP_LARGE=$DMAPEEK_TOP/tests/guest/dp-large
SPEC=$DMAPEEK_TOP/Documentation/netlink/specs/dmapeek.yaml
CMP_JSON=$DMAPEEK_TOP/tests/guest/cmp-json.py
LARGE_BAR_RANGES=1024		# the module's limit of export ranges

need_dp_large() {
	[ -x "$DP_LARGE" ] || skip "dp-large was not built"
}

# large_start ARGS: run "dp-large ARGS" as a coprocess holding what it
# made; its first line goes to LARGE_LINE
large_start() {
	coproc LARGE { exec "$DP_LARGE" "$@" 2>&1; }
	read -r -t 240 LARGE_LINE <&"${LARGE[0]}" || fail "dp-large $*: no answer"
	case $LARGE_LINE in
	skip:*) fail "dp-large $*: skipped with the module loaded: ${LARGE_LINE#skip: }" ;;
	fail:*) fail "dp-large $*: ${LARGE_LINE#fail: }" ;;
	esac
}

large_stop() {
	local pid=$LARGE_PID
	exec {LARGE[1]}>&-
	wait "$pid" || fail "dp-large exited $?"
}

# as WHO CMD...: run CMD as root or as the unprivileged user
as() {
	local who=$1
	shift
	if [ "$who" = root ]; then
		"$@"
	else
		su dmapeek-user -s /bin/sh -c "$(printf "'%s' " "$@")"
	fi
}

need_user() {
	id dmapeek-user >/dev/null 2>&1 || skip "no unprivileged user in this guest"
}

# json_ranges FILE ID [ATT]: the ranges of object ID in dmapeek -j output,
# in nl-decode's words (nr_ranges is the count: JSON has no total); with
# ATT, of mapping ID among the mappings of attachment ATT
json_ranges() {
	python3 - "$@" <<-'EOF'
	import json, sys
	objs = json.load(open(sys.argv[1]))
	want = int(sys.argv[2])
	if len(sys.argv) > 3:
	    att = int(sys.argv[3])
	    objs = [m for a in objs if a["id"] == att for m in a["mappings"]]
	for o in objs:
	    if o["id"] != want:
	        continue
	    rs = o["ranges"]
	    nxt, contiguous = 0, 1
	    for r in rs:
	        if r["offset"] != nxt:
	            contiguous = 0
	        nxt = r["offset"] + r["len"]
	    print("id=%d nr_ranges=%d count=%d bytes=%d contiguous=%d addrs=%d" % (
	        want, len(rs), len(rs), sum(r["len"] for r in rs), contiguous,
	        sum(1 for r in rs if r.get("addr") is not None)))
	EOF
}

# check_ranges WHO OBJ ID SIZE MIN: every reader sees all ranges of OBJ ID
# (at least MIN, together SIZE bytes from offset 0); addresses for root only
check_ranges() {
	local who=$1 obj=$2 id=$3 size=$4 min=$5 want nr lib t
	want=$(as "$who" "$NL_DECODE" ranges "$obj" | grep "^id=$id ") ||
		fail "nl-decode ($who) lists no $obj $id"
	echo "nl-decode ($who): $want"
	nr=$(kv nr_ranges "$want")
	[ "$nr" -ge "$min" ] || fail "$obj $id has $nr ranges, the test needs $min or more"
	assert_eq "$obj ranges libnl decoded ($who)" "$nr" "$(kv count "$want")"
	assert_eq "$obj bytes ($who)" "$size" "$(kv bytes "$want")"
	assert_eq "$obj offsets contiguous ($who)" 1 "$(kv contiguous "$want")"
	if [ "$who" = root ]; then
		assert_eq "addresses shown to root" "$nr" "$(kv addrs "$want")"
	else
		assert_eq "addresses hidden from $who" 0 "$(kv addrs "$want")"
	fi

	lib=$(as "$who" "$DP_LARGE" ranges "$obj" "$id") || fail "dp-large ranges ($who): $lib"
	assert_eq "library dump of $obj $id ($who)" "dump $want" "$(echo "$lib" | grep '^dump ')"
	assert_eq "library get of $obj $id ($who)" "get $want" "$(echo "$lib" | grep '^get ')"

	# dmapeek -j has no total: its count must be the module's nr_ranges.
	t=$(mktemp)
	chmod 644 "$t"
	as "$who" "$DMAPEEK" -j "$obj" list >"$t" || fail "dmapeek -j $obj list ($who)"
	assert_eq "dmapeek -j $obj list ($who)" "$want" "$(json_ranges "$t" "$id")"
	as "$who" "$DMAPEEK" -j "$obj" show "$id" >"$t" || fail "dmapeek -j $obj show $id ($who)"
	assert_eq "dmapeek -j $obj show $id ($who)" "$want" "$(json_ranges "$t" "$id")"
	rm -f "$t"
}

# cmp_decoders WHO OBJ: libnl and dmapeek -j agree field by field
cmp_decoders() {
	local who=$1 obj=$2 nl cj n
	nl=$(mktemp)
	cj=$(mktemp)
	chmod 644 "$nl" "$cj"
	as "$who" "$NL_DECODE" dump "$obj" >"$nl" || fail "nl-decode dump $obj ($who)"
	as "$who" "$DMAPEEK" -j "$obj" list >"$cj" || fail "dmapeek -j $obj list ($who)"
	n=$(python3 "$CMP_JSON" "$SPEC" "$obj" "$nl" "$cj") || fail "$obj ($who): $n"
	echo "$obj ($who): $n objects agree"
	rm -f "$nl" "$cj"
}

# the first ivshmem bound, its BAR2 provider in PROV, its device in IVDEV
large_bar() {
	local iv
	need_dp_large
	load_module
	iv=$(need_pci $IVSHMEM_ID | head -n 1)
	bind_dmapeek "$iv"
	PROV=$("$DMAPEEK" -j provider list | python3 -c '
import json, sys
print(next(p["id"] for p in json.load(sys.stdin)
           if p.get("bdf") == sys.argv[1] and p.get("bar") == 2))' "$iv") ||
		fail "no BAR2 provider for $iv"
	IVDEV=$("$DMAPEEK" -j device list | python3 -c '
import json, sys
print(next(d["id"] for d in json.load(sys.stdin) if d["bdf"] == sys.argv[1]))' "$iv") ||
		fail "no dmapeek device for $iv"
}

setup_large_mapping() {
	large_bar
	large_start import "$IVDEV" "$PROV" "$LARGE_BAR_RANGES"
	ATT=$(kv attachment "$LARGE_LINE")
	MAP=$(kv mapping "$LARGE_LINE")
	[ -n "$MAP" ] || fail "dp-large import: $LARGE_LINE"
}

# dmapeek -j attachment show: the attachment with its whole mapping
check_attachment_show() {
	local who=$1 want=$2 t
	t=$(mktemp)
	chmod 644 "$t"
	as "$who" "$DMAPEEK" -j attachment show "$ATT" >"$t" ||
		fail "dmapeek -j attachment show $ATT ($who)"
	assert_eq "dmapeek -j attachment show $ATT ($who)" "$want" \
		"$(json_ranges "$t" "$MAP" "$ATT")"
	rm -f "$t"
}

test_large_mapping_read_whole_by_root() {
	setup_large_mapping
	check_ranges root mapping "$MAP" $((LARGE_BAR_RANGES * 4096)) "$LARGE_BAR_RANGES"
	check_attachment_show root "$("$NL_DECODE" ranges mapping | grep "^id=$MAP ")"
	cmp_decoders root mapping
	large_stop
}

test_large_mapping_read_whole_by_user() {
	need_user
	setup_large_mapping
	check_ranges user mapping "$MAP" $((LARGE_BAR_RANGES * 4096)) "$LARGE_BAR_RANGES"
	check_attachment_show user \
		"$(su dmapeek-user -s /bin/sh -c "'$NL_DECODE' ranges mapping" | grep "^id=$MAP ")"
	cmp_decoders user mapping
	large_stop
}

setup_large_buffer() {
	large_bar
	large_start export "$PROV" "$LARGE_BAR_RANGES"
	BUF=$(kv buffer "$LARGE_LINE")
	[ -n "$BUF" ] || fail "dp-large export: $LARGE_LINE"
}

test_large_buffer_read_whole_by_root() {
	setup_large_buffer
	check_ranges root buffer "$BUF" $((LARGE_BAR_RANGES * 4096)) "$LARGE_BAR_RANGES"
	cmp_decoders root buffer
	large_stop
}

test_large_buffer_read_whole_by_user() {
	need_user
	setup_large_buffer
	check_ranges user buffer "$BUF" $((LARGE_BAR_RANGES * 4096)) "$LARGE_BAR_RANGES"
	cmp_decoders user buffer
	large_stop
}
