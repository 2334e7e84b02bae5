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

# kv KEY LINE: the value of KEY=... in LINE
kv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

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
	"$DP_IMPORT" --dev "$EDU_DEV" sys:4096:pinned "import-many:$n:$dir/made" \
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
		"$DP_IMPORT --dev $EDU_DEV sys:4096:pinned import detach >$dir/churn") ||
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
