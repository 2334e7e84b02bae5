# SPDX-License-Identifier: GPL-2.0-only
# Concurrency: threads and processes exporting, importing, mapping, DMAing
# through the edu, moving, revoking, restoring, detaching and closing
# shared buffers, with a netlink event listener and dumps alongside, for a
# fixed time (tests/guest/stress.c says what is checked).
# DMAPEEK_FUZZ_SEED replays a seed; DMAPEEK_STRESS_TIME sets the duration.
. "$DMAPEEK_TOP/tests/guest/fuzz-lib.sh"

test_stress_60s_shared_buffers_no_corruption_all_accounted() {
	[ -x "$STRESS" ] || skip "stress was not built"
	setup_campaign
	local seed out rc line k
	seed=$(campaign_seed)
	fuzz_run "$STRESS" --seed "$seed" --time "${DMAPEEK_STRESS_TIME:-60}" --threads 3 --procs 2
	out=$FUZZ_OUT rc=$FUZZ_RC
	line=$(echo "$out" | grep '^stress ')
	assert_eq "stress exit status (seed $seed)" 0 "$rc"
	[ -n "$line" ] || fail "no summary line"
	assert_eq "bytes that differ" 0 "$(kv mismatches "$line")"
	assert_eq "errors outside a move or revoke" 0 "$(kv bad_errors "$line")"
	assert_positive "DMA checks" "$(kv checks "$line")"
	assert_positive "bytes checked" "$(kv bytes_checked "$line")"
	for k in export import map unmap detach dma-check revoke restore close dump event; do
		assert_positive "$k operations" \
			"$(echo "$out" | awk -v k="$k" '$1 == "kind" && $2 == k { sub("ops=", "", $3); print $3 }')"
	done
	if echo "$out" | grep -q 'bar_provider=[1-9]'; then
		assert_positive "moves" \
			"$(echo "$out" | awk '$1 == "kind" && $2 == "move" { sub("ops=", "", $3); print $3 }')"
		assert_positive "checks across a move" "$(kv move_checks "$line")"
	fi
	assert_match "objects back to what they were" \
		'before buffers=([0-9]+) attachments=([0-9]+) mappings=([0-9]+) after buffers=\1 attachments=\2 mappings=\3$' \
		"$(echo "$out" | grep '^objects before')"
	assert_eq "no buffer left" "after buffers=0" \
		"$(echo "$out" | grep -o 'after buffers=[0-9]*')"
	objects_back_to_zero
}

# The move check of the stress run, alone and in order: data the edu wrote
# into a movable buffer reads back (by the CPU and by the edu) after a
# move to a BAR and back to system memory.
test_stress_move_round_trip_keeps_dma_data() {
	setup_campaign
	local iv prov out
	iv=$(lspci -D -n -d "$IVSHMEM_ID" | awk 'NR == 1 { print $1 }')
	[ -n "$iv" ] || skip "no ivshmem: no BAR to move to"
	prov=$("$DP" providers | awk -v b="$iv" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $iv"
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p sys:65536:movable import \
		dma-write:57344:8192:5 cpu-check:57344:8192:5 "move:$prov" move:1 \
		cpu-check:57344:8192:5 dma-read:57344:8192:5 detach)
	echo "$out"
	assert_eq "device write" "dma-write OK" "$(line dma-write "$out")"
	assert_eq "CPU sees it before the moves" "cpu-check OK bad=0" \
		"$(echo "$out" | grep '^cpu-check' | sed -n 1p)"
	assert_eq "moves" "move OK,move OK" "$(echo "$out" | grep '^move' | paste -sd,)"
	assert_eq "CPU sees it after the moves" "cpu-check OK bad=0" \
		"$(echo "$out" | grep '^cpu-check' | sed -n 2p)"
	assert_eq "device reads it after the moves" "dma-read OK MATCH bad=0" "$(line dma-read "$out")"
	objects_back_to_zero
}
