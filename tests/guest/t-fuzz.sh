# SPDX-License-Identifier: GPL-2.0-only
# Bad input: seeded fuzzers of the ioctls of /dev/dmapeek and of the
# "dmapeek" netlink family, and the kernel's dmabuf-heaps selftest run
# beside a busy dmapeek.  The suite runs a bounded smoke size; the
# million-operation lane is "tests/guest-lab guest fuzz_million" (with
# DMAPEEK_LAB_TEST_TIMEOUT raised, see Documentation/reliability.rst,
# "Fuzzing").  DMAPEEK_FUZZ_SEED replays a seed.
. "$DMAPEEK_TOP/tests/guest/fuzz-lib.sh"

SMOKE_OPS=50000
MILLION=1000000

# run_fuzz_ioctl OPS: run, print the log, check the summary
run_fuzz_ioctl() {
	local ops=$1 seed out rc line
	[ -x "$FUZZ_IOCTL" ] || skip "fuzz-ioctl was not built"
	setup_campaign
	seed=$(campaign_seed)
	fuzz_run "$FUZZ_IOCTL" --seed "$seed" --ops "$ops"
	out=$FUZZ_OUT rc=$FUZZ_RC
	line=$(echo "$out" | grep '^fuzz-ioctl ')
	assert_eq "fuzz-ioctl exit status (seed $seed)" 0 "$rc"
	assert_campaign_line "fuzz-ioctl" "$line"
	assert_eq "operations" "$ops" "$(kv ops "$line")"
	assert_positive "successful calls" "$(kv ok "$line")"
	assert_positive "rejected calls" "$(kv rejected "$line")"
	assert_positive "bad ioctl numbers" "$(kv bad_nr "$line")"
	local c
	for c in export import detach dma dmabuf-attachments; do
		assert_positive "$c calls that succeeded" \
			"$(echo "$out" | awk -v c="$c" '$1 == "cmd" && $2 == c { sub("ok=", "", $4); print $4 }')"
	done
	# the numbers ABI 2.0 retired (netlink carries them) never succeed
	for c in map unmap move revoke restore audit; do
		assert_eq "$c calls (a retired number) that succeeded" 0 \
			"$(echo "$out" | awk -v c="$c" '$1 == "cmd" && $2 == c { sub("ok=", "", $4); print $4 }')"
	done
	assert_eq "objects left" "$(kv buffers_before "$(echo "$out" | grep '^providers=')")" \
		"$(kv buffers_after "$(echo "$out" | grep '^buffers_after=')")"
	objects_back_to_zero
}

run_fuzz_nl() {
	local ops=$1 seed out rc line
	[ -x "$FUZZ_NL" ] || skip "fuzz-nl was not built"
	setup_campaign
	seed=$(campaign_seed)
	fuzz_run "$FUZZ_NL" --seed "$seed" --ops "$ops" --objects 200
	out=$FUZZ_OUT rc=$FUZZ_RC
	line=$(echo "$out" | grep '^fuzz-nl ')
	assert_eq "fuzz-nl exit status (seed $seed)" 0 "$rc"
	assert_campaign_line "fuzz-nl" "$line"
	assert_eq "operations" "$ops" "$(kv ops "$line")"
	assert_positive "acknowledged requests" "$(kv acked "$line")"
	assert_positive "rejected requests" "$(kv rejected "$line")"
	assert_positive "rejections with an extack" "$(kv extack "$line")"
	assert_positive "dumps to the end" "$(kv dumps "$line")"
	assert_positive "dumps walked away from" "$(kv abandoned_dumps "$line")"
	assert_positive "data replies" "$(kv replies "$line")"
	assert_eq "objects left" "$(kv objects_before "$(echo "$out" | grep '^family=')")" \
		"$(kv objects_after "$(echo "$out" | grep '^objects_after=')")"
	objects_back_to_zero
}

test_fuzz_ioctl_50k_mutated_structs_clean_errnos() {
	run_fuzz_ioctl $SMOKE_OPS
}

test_fuzz_netlink_50k_mutated_messages_errno_and_extack() {
	run_fuzz_nl $SMOKE_OPS
}

test_fuzz_million_ioctl_ops() {
	need_million_lane
	run_fuzz_ioctl $MILLION
}

test_fuzz_million_netlink_ops() {
	need_million_lane
	run_fuzz_nl $MILLION
}

# The kernel's own dma-buf heap tests (allocation, zeroing, sync, import
# into vgem, ABI compat) pass while dmapeek exports, imports, moves and
# revokes alongside: dmapeek does not disturb the other exporters.
test_fuzz_dmabuf_heaps_selftest_beside_busy_dmapeek() {
	[ -e /dev/dma_heap/system ] || skip "no system dma-heap (/dev/dma_heap/system) in this kernel"
	[ -x "$DMABUF_HEAP" ] || skip "the dmabuf-heaps selftest was not built (no linux-source tarball)"
	[ -x "$STRESS" ] || skip "stress was not built"
	setup_campaign
	modprobe vgem 2>/dev/null || echo "no vgem module: the selftest skips its import case"
	local slog out rc=0 spid seed
	seed=$(campaign_seed)
	slog=$(mktemp)
	"$STRESS" --seed "$seed" --time 40 --threads 2 --procs 1 >"$slog" 2>&1 &
	spid=$!
	sleep 5		# stress is up and exporting before the selftest starts
	out=$(cd "$(dirname "$DMABUF_HEAP")" && "$DMABUF_HEAP" 2>&1) || rc=$?
	echo "$out"
	# both ways: the heap tests pass, and dmapeek's checks hold beside them
	wait "$spid" || { cat "$slog"; fail "stress beside the selftest failed (seed $seed)"; }
	cat "$slog"
	assert_eq "dmabuf-heaps selftest exit status" 0 "$rc"
	assert_match "selftest totals" '^# Totals: pass:[1-9][0-9]* fail:0 ' "$(echo "$out" | grep '^# Totals')"
	local k
	for k in export import dma-check revoke; do
		assert_positive "dmapeek $k operations during the selftest" \
			"$(awk -v k="$k" '$1 == "kind" && $2 == k { sub("ops=", "", $3); print $3 }' "$slog")"
	done
	rmmod vgem 2>/dev/null || true
	objects_back_to_zero
}
