# SPDX-License-Identifier: GPL-2.0-only
# Netlink dumps at scale.  The cheapest object dmapeek has is an attachment:
# dmapeek's importer attaching one 4 KiB system buffer over and over costs
# about 1 KiB of kernel memory each (no page, no file, no fd), so 100,000
# of them fit the guest's 2 GiB.  The dump is read by nl-decode, the tests'
# own libnl-genl decoder, one batch (datagram) at a time.
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

DUMP_OBJECTS=${DMAPEEK_DUMP_OBJECTS:-100000}
# The debug kernel (KASAN, lockdep, kmemleak) is there to catch splats, and
# under software emulation it is about ten times slower: a tenth of the
# objects keeps the test inside the per-test time limit there.
if [ -e /sys/kernel/debug/kmemleak ] && [ -z "${DMAPEEK_DUMP_OBJECTS:-}" ]; then
	DUMP_OBJECTS=10000
fi

mem_avail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

test_dump_100k_attachments_once_in_order_and_interrupt_flagged() {
	local dir pid i out made t0 t1 t2 t3 m0 m1 n
	[ -x "$NL_DECODE" ] || skip "nl-decode was not built"
	# a fresh module: the table holds this test's attachments only
	unload_module
	setup_import
	n=$DUMP_OBJECTS
	echo "objects: $n"
	dir=$(mktemp -d)
	m0=$(mem_avail_kb)
	t0=$(date +%s%N)
	"$DP" import --dev "$EDU_DEV" sys:4096:pinned "import-many:$n:$dir/made" \
		"touch:$dir/ready" "waitfile:$dir/done" >"$dir/log" &
	pid=$!
	for i in $(seq 3000); do
		[ -e "$dir/ready" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	t1=$(date +%s%N)
	m1=$(mem_avail_kb)
	cat "$dir/log"
	made=$(grep '^import-many' "$dir/log" || true)
	assert_match "$n imports" "^import-many OK n=$n " "$made"
	sort -n -u -c "$dir/made" || fail "the imports' ids are not strictly increasing"
	echo "created $n attachments in $(( (t1 - t0) / 1000000 )) ms," \
	     "$(( (m0 - m1) / 1024 )) MiB of memory"

	# a quiet dump: every id once, in order, over many batches
	out=$("$NL_DECODE" ids attachment "$dir/seen") || fail "dump: $out"
	t2=$(date +%s%N)
	echo "quiet dump: $out in $(( (t2 - t1) / 1000000 )) ms"
	assert_eq "objects" "$n" "$(kv objects "$out")"
	assert_eq "not flagged" 0 "$(kv intr "$out")"
	[ "$(kv batches "$out")" -ge 100 ] || fail "only $(kv batches "$out") batches"
	cmp -s "$dir/made" "$dir/seen" ||
		fail "the dump's ids are not the imports' ids in order: $(diff "$dir/made" "$dir/seen" | head -n 5)"

	# an attachment added and removed between two batches: the dump is
	# flagged NLM_F_DUMP_INTR, and the objects that stayed are all in it
	out=$("$NL_DECODE" ids attachment "$dir/seen2" \
		"$DP import --dev $EDU_DEV sys:4096:pinned import detach >$dir/churn") ||
		fail "interrupted dump: $out"
	echo "interrupted dump: $out; churn: $(tr '\n' ' ' <"$dir/churn")"
	assert_match "the churn added and removed an attachment" "detach OK" "$(cat "$dir/churn")"
	[ "$(kv intr "$out")" -ge 1 ] || fail "the interrupted dump is not flagged: $out"
	cmp -s "$dir/made" "$dir/seen2" || fail "the interrupted dump lost or repeated ids"

	t3=$(date +%s%N)
	touch "$dir/done"
	wait "$pid"
	echo "interrupted dump (with the churn) took $(( (t3 - t2) / 1000000 )) ms;" \
	     "releasing the $n took $(( ($(date +%s%N) - t3) / 1000000 )) ms"
	assert_eq "nothing left" "" "$("$NL_DECODE" dump attachment)"
	rm -rf "$dir"
}

# wait_file PATH PID: until PATH exists, or fail when PID died first
wait_file() {
	local i
	for i in $(seq 600); do
		[ -e "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || fail "the holder of $1 died: $(cat "${1%.*}.log" 2>/dev/null)"
		sleep 0.1
	done
	fail "timed out waiting for $1"
}

# A dump filtered by buffer walks that buffer's own attachment list (not
# the whole table): it must return exactly the attachments the full dump
# gives that buffer, in id order, across batches, none for a buffer
# without any; the buffer-order dump returns the same, sorted by buffer.
test_dump_attachments_of_a_buffer_exactly_its_own() {
	local dir pa pb pc pd a b c d f out
	[ -x "$NL_DECODE" ] || skip "nl-decode was not built"
	unload_module
	setup_import
	dir=$(mktemp -d)
	# a and c import in turns, so their attachment ids interleave
	"$DP" import --dev "$EDU_DEV" sys:4096:pinned import "touch:$dir/a1" \
		"waitfile:$dir/go_a" "import-many:2:$dir/a.more" "touch:$dir/a.ready" \
		"waitfile:$dir/done" >"$dir/a.log" & pa=$!
	wait_file "$dir/a1" $pa
	"$DP" import --dev "$EDU_DEV" sys:4096:pinned import "touch:$dir/c1" \
		"waitfile:$dir/go_c" import "touch:$dir/c.ready" \
		"waitfile:$dir/done" >"$dir/c.log" & pc=$!
	wait_file "$dir/c1" $pc
	touch "$dir/go_a"
	wait_file "$dir/a.ready" $pa
	touch "$dir/go_c"
	wait_file "$dir/c.ready" $pc
	# b has no attachment; d has enough for several batches
	"$DP" import --dev "$EDU_DEV" sys:4096:pinned "touch:$dir/b.ready" \
		"waitfile:$dir/done" >"$dir/b.log" & pb=$!
	wait_file "$dir/b.ready" $pb
	"$DP" import --dev "$EDU_DEV" sys:4096:pinned "import-many:400:$dir/d.made" \
		"touch:$dir/d.ready" "waitfile:$dir/done" >"$dir/d.log" & pd=$!
	wait_file "$dir/d.ready" $pd
	for f in a b c d; do
		eval "$f=\$(sed -n 's/^export OK buffer=\([0-9]*\) .*/\1/p' \"\$dir/\$f.log\")"
	done
	echo "buffers: a=$a b=$b c=$c d=$d"
	"$NL_DECODE" dump attachment >"$dir/all" || fail "attachment dump failed"
	"$NL_DECODE" dump buffer >"$dir/buffers" || fail "buffer dump failed"
	for f in a b c d; do
		"$NL_DECODE" --req "buffer_id=${!f}" dump attachment >"$dir/$f.dump" ||
			fail "the attachment dump of buffer ${!f} failed"
	done
	"$NL_DECODE" --req buffer_id=999999 dump attachment >"$dir/none.dump" ||
		fail "the attachment dump of an unknown buffer failed"
	"$NL_DECODE" --req buffer_order dump attachment >"$dir/order.dump" ||
		fail "the buffer-order attachment dump failed"
	out=$(python3 - "$dir" "$a" "$b" "$c" "$d" <<-'P'
	import json, sys
	d = sys.argv[1]
	ids = dict(zip("abcd", map(int, sys.argv[2:6])))
	load = lambda f: [json.loads(l) for l in open(f"{d}/{f}") if l.strip()]
	full = load("all")
	made = {"a": [], "c": [], "d": [int(x) for x in open(f"{d}/d.made")]}
	for k in "ac":
	    for l in open(f"{d}/{k}.log"):
	        if l.startswith("import OK id="):
	            made[k].append(int(l.split("=")[1]))
	made["a"] += [int(x) for x in open(f"{d}/a.more")]
	made["b"] = []
	for k, bid in ids.items():
	    got = [o["id"] for o in load(f"{k}.dump")]
	    want = [o["id"] for o in full if o.get("buffer_id") == bid]
	    assert all(o["buffer_id"] == bid for o in load(f"{k}.dump")), (k, "other buffer")
	    assert got == sorted(want), (k, got[:10], want[:10])
	    assert sorted(got) == sorted(made[k]), (k, "not what was made", got[:10], made[k][:10])
	assert load("none.dump") == [], "attachments for an unknown buffer"
	assert max(made["a"]) > min(made["c"]) and min(made["a"]) < max(made["c"]), "ids do not interleave"
	# buffer order: every attachment of a dmapeek buffer, by (buffer, id)
	order = [(o["buffer_id"], o["id"]) for o in load("order.dump")]
	want = sorted((o["buffer_id"], o["id"]) for o in full if o.get("buffer_id"))
	assert order == want, ("buffer order", order[:10], want[:10])
	print("ok", {k: len(v) for k, v in made.items()}, "in order:", len(order))
	P
	) || fail "filtered dumps: $out"
	echo "$out"
	# the 400 of d over several batches, each once, in order
	out=$("$NL_DECODE" --req "buffer_id=$d" ids attachment "$dir/d.seen") ||
		fail "batched dump of buffer $d: $out"
	echo "buffer $d: $out"
	[ "$(kv batches "$out")" -ge 2 ] || fail "one batch only: $out"
	sort -n "$dir/d.made" | cmp -s - "$dir/d.seen" ||
		fail "buffer $d's dump is not its ids in order: $(diff <(sort -n "$dir/d.made") "$dir/d.seen" | head -n 5)"
	touch "$dir/done"
	wait $pa $pb $pc $pd
	rm -rf "$dir"
}
