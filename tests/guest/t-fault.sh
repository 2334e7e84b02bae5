# SPDX-License-Identifier: GPL-2.0-only
# Faults: a provider device pulled out (PCI remove, sysfs unbind) under
# exported, attached, mapped buffers and edu DMA; exporter and importer
# processes killed with SIGKILL at random points (dp-churn), dma-buf fds
# passed over SCM_RIGHTS, the module reloaded between rounds; importers
# that never unmap or unmap late under revoke and move.  After each: every
# object accounted for, nothing left in bufinfo, kmemleak clean where the
# kernel has it.

. "$DMAPEEK_TOP/tests/guest/fault-lib.sh"

# ------------------------------------------------------ provider removal

# edu_dma_loop N LOG: N write/read-back rounds by the edu on a system
# buffer, in the background, while the provider goes away
edu_dma_loop() {
	local n=$1 steps=() i
	for i in $(seq "$n"); do
		steps+=("dma-write:0:4096:$i" "dma-read:0:4096:$i")
	done
	"$DP" import --dev "$EDUDEV" --flags dynamic,p2p sys:4096:revocable import \
		"${steps[@]}" >"$2" 2>&1 &
	DMA_PID=$!
}

# fault_provider_gone HOW: buffers of the three models on the BAR, each
# imported and mapped by the BAR's own device (one unmapping 300 ms late)
# and imported by the edu, edu DMA running; then the device goes (HOW:
# remove or unbind).  Every buffer must end revoked with no provider, every
# importer told, the counts fall to what the live processes still hold
# and, once those end, to zero; then the device comes back and works.
fault_provider_gone() {
	local how=$1 m own edu line t0 t1 c n bufs=() owns=() edus=()
	fault_setup
	for m in pinned movable revocable; do
		px_start "$m" "$BARPROV" 1M "$m" "gone-$m"
		bufs+=("$PX_BUF")
		if [ $m = revocable ]; then
			own=$(kv attachment "$(px $m attach "$IVDEV" $IMP_P2P $DELAYED 300)")
		else
			own=$(kv attachment "$(px $m attach "$IVDEV" $IMP_P2P $NORMAL)")
		fi
		[ -n "$own" ] || fail "$m: attach by the BAR's device failed"
		assert_eq "$m: map by the BAR's own device" ok "$(px $m map "$own")"
		edu=$(kv attachment "$(px $m attach "$EDUDEV" $IMP_P2P $NORMAL)")
		[ -n "$edu" ] || fail "$m: attach by the edu failed"
		owns+=("$own")
		edus+=("$edu")
	done
	echo "before: $(object_counts)"
	events_start "$FAULT_TMP/events" 280
	edu_dma_loop 10 "$FAULT_TMP/dma"
	sleep 0.3
	t0=$(now_ms)
	case $how in
	remove) echo 1 >"/sys/bus/pci/devices/$IV/remove" ;;
	unbind) echo "$IV" >/sys/bus/pci/drivers/dmapeek/unbind ;;
	esac
	t1=$(now_ms)
	wait "$DMA_PID" || true
	events_stop
	echo "$how took $((t1 - t0)) ms"
	# edu DMA on another buffer went on, every byte checked
	n=$(grep -c '^dma-read OK MATCH bad=0' "$FAULT_TMP/dma" || true)
	assert_eq "edu DMA rounds checked during the $how" 10 "$n"
	# the late (300 ms) importer is dmapeek's own: the module unmaps it
	# itself when the memory goes, without waiting out its delay, and the
	# removal returns with nothing of the BAR mapped (checked below)
	assert_eq "no mapping left after the $how" "" \
		"$("$DP" dump mappings | grep -E "attachment=($(IFS='|'; echo "${owns[*]}"))( |\$)" || true)"
	assert_eq "the provider is gone" "" "$("$DP" dump providers | grep "bdf=$IV" || true)"
	assert_eq "the device is gone from dmapeek" "" "$("$DP" dump devices | grep "bdf=$IV" || true)"
	# every buffer revoked, whatever its model, as the CLI shows it
	"$DMAPEEK" -j buffer list >"$FAULT_TMP/list.json" || fail "dmapeek -j buffer list failed"
	python3 - "$FAULT_TMP/list.json" "${bufs[@]}" <<-'P' || fail "a buffer is not revoked (above)"
	import json, sys
	rows = {b["id"]: b for b in json.load(open(sys.argv[1]))}
	bad = 0
	for i in map(int, sys.argv[2:]):
	    b = rows.get(i)
	    print(i, b and (b["model"], b["state"], b.get("provider_id")))
	    if not b or b["state"] != "revoked" or b.get("provider_id") not in (None, 0):
	        bad += 1
	sys.exit(bad)
	P
	for i in 0 1 2; do
		# one revoke per buffer, begun and done
		assert_eq "buffer ${bufs[$i]}: revoke begun" 1 \
			"$(ev_count $EV_REVOKE_BEGIN "buffer=${bufs[$i]}( |\$)")"
		assert_eq "buffer ${bufs[$i]}: revoke done" 1 \
			"$(ev_count $EV_REVOKE_DONE "buffer=${bufs[$i]}( |\$)")"
		# the mapped importer was told (invalidated) and unmapped, then
		# went with its device
		[ "$(ev_count $EV_INVALIDATE "attachment=${owns[$i]}( |\$)")" -ge 1 ] ||
			fail "attachment ${owns[$i]} was never invalidated"
		assert_eq "the BAR device's import went with it" "err ENOENT" \
			"$("$DP" get attachment "${owns[$i]}")"
		# the edu's import stays, told: revoked, refused
		line=$("$DP" get attachment "${edus[$i]}")
		[ "$(kv revoked_seen "$line")" -ge 1 ] || [ "$(kv invalidations "$line")" -ge 1 ] ||
			fail "the edu's attachment ${edus[$i]} was not told: $line"
	done
	assert_eq "nobody stuck" 0 "$(ev_count $EV_STUCK .)"
	assert_eq "the edu cannot map a revoked buffer" "err ENODEV" \
		"$(px revocable map "${edus[2]}")"
	c=$(object_counts)
	echo "after the $how: $c"
	assert_eq "three buffers and the edu's imports left, unmapped" \
		"buffers=3 attachments=3 mappings=0" "$c"
	for m in pinned movable revocable; do px_stop $m; done
	assert_nothing_left "after the exporters ended"

	# back again
	if [ "$how" = remove ]; then
		echo 1 >/sys/bus/pci/rescan
		for n in $(seq 50); do [ -e "/sys/bus/pci/devices/$IV" ] && break; sleep 0.2; done
		[ -e "/sys/bus/pci/devices/$IV" ] || fail "$IV did not come back after a rescan"
	else
		echo "$IV" >/sys/bus/pci/drivers_probe
	fi
	bind_dmapeek "$IV"
	fault_ids
	fault_roundtrip
}

test_fault_provider_removed_revokes_every_model_then_rescan_works() {
	fault_provider_gone remove
}

test_fault_provider_unbound_revokes_every_model_then_rebind_works() {
	fault_provider_gone unbind
}

# ------------------------------------------------------- SIGKILL campaign

# Rounds of 3 dp-churn processes (each with its SCM_RIGHTS receiver) killed
# with SIGKILL after a random delay, in a random order; the module is
# unloaded and loaded again between rounds.  Some of each churn's exports
# and imports are held by the module (dp-churn -H): every one of them must
# survive the kills, and once deleted nothing may be left.  DMAPEEK_SEED replays a run;
# DMAPEEK_FAULT_ROUNDS and DMAPEEK_FAULT_SECONDS bound it (150 s, or 450 s
# where kmemleak scans after each round: a round there takes about 3
# minutes on the debug kernel).
test_fault_sigkill_campaign_leaves_nothing_behind() {
	fault_setup
	local seed=${DMAPEEK_SEED:-$(( $(date +%s%N) % 1000000007 ))}
	local rounds=${DMAPEEK_FAULT_ROUNDS:-12} cap=${DMAPEEK_FAULT_SECONDS:-150}
	[ -n "${DMAPEEK_FAULT_SECONDS:-}" ] || [ ! -w $KMEMLEAK ] || cap=450
	local r p pids kills=0 ops=0 passes=0 t0 leak=absent delay victims v out
	local held hb=0 ha=0
	echo "seed=$seed rounds=$rounds cap=${cap}s (DMAPEEK_SEED=$seed replays it)"
	RANDOM=$((seed % 32768))
	t0=$(date +%s)
	[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK
	for r in $(seq "$rounds"); do
		if [ $(( $(date +%s) - t0 )) -ge "$cap" ]; then
			echo "time cap reached after $((r - 1)) rounds"
			rounds=$((r - 1))
			break
		fi
		load_module
		bind_dmapeek "$IV"
		bind_dmapeek "$EDU"
		fault_ids
		pids=()
		for p in 1 2 3; do
			"$DP_CHURN" -H $((seed + r * 10 + p)) 1000000 "$EDUDEV" "$BARPROV" \
				>"$FAULT_TMP/churn.$p" 2>&1 &
			pids+=($!)
		done
		sleep 0.3
		# the senders and their receivers, killed one by one at random
		victims=("${pids[@]}")
		for p in 1 2 3; do
			v=$(sed -n 's/^child=//p' "$FAULT_TMP/churn.$p")
			[ -n "$v" ] && victims+=("$v")
		done
		for v in $(printf '%s\n' "${victims[@]}" | shuf --random-source=<(yes $((seed + r)))); do
			delay=$((RANDOM % 1500))
			sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
			kill -KILL "$v" 2>/dev/null && kills=$((kills + 1))
		done
		for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
		for p in 1 2 3; do
			out=$FAULT_TMP/churn.$p
			ops=$((ops + $(grep -c '^op ' "$out" || true)))
			passes=$((passes + $(grep -c '^op [0-9]* pass OK' "$out" || true)))
		done
		held=$(fault_held_survived "round $r (seed $seed)" "$FAULT_TMP"/churn.*)
		hb=$((hb + ${held% *}))
		ha=$((ha + ${held#* }))
		"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
		"$DMAPEEK" buffer delete all >/dev/null || fail "buffer delete all"
		assert_nothing_left "round $r (seed $seed)"
		leak=$(kmemleak_scan "round $r (seed $seed)")
		unload_module
	done
	load_module
	echo "sigkill campaign: seed=$seed rounds=$rounds kills=$kills operations=$ops" \
		"fds_passed=$passes held_buffers=$hb held_attachments=$ha" \
		"duration=$(( $(date +%s) - t0 ))s kmemleak=$leak"
	[ "$rounds" -ge 3 ] || fail "only $rounds rounds in ${cap}s"
	[ "$ops" -gt 0 ] || fail "no operation was done"
	[ "$passes" -gt 0 ] || fail "no fd was passed over SCM_RIGHTS"
	[ "$hb" -gt 0 ] && [ "$ha" -gt 0 ] || fail "no buffer or no import was held"
}

# -------------------------------------------------- misbehaving importers

# How long move and revoke wait for the never-unmap importer: long enough
# that a dump and an export fit inside the wait on a loaded emulated guest
# (a dump took 8 s on the debug kernel with another guest beside it).
STUCK_MS=10000
[ ! -w $KMEMLEAK ] || STUCK_MS=30000

# A never-unmap and a delayed-unmap (2 s) importer under move and under
# revoke: while the exporter waits, it answers; the never-unmap one is
# reported stuck at the timeout (event, row), the late one is waited for
# and not stuck; nothing deadlocks, and all is released at the end.
test_fault_stuck_importers_under_move_and_revoke_keep_exporter_responsive() {
	fault_setup
	local never late r t0 line
	events_start "$FAULT_TMP/events" 280
	# move: the buffer goes to the BAR with both importers mapped
	px_start mv 1 1M movable misbehave-move
	never=$(kv attachment "$(px mv attach "$EDUDEV" $IMP_P2P $NEVER)")
	late=$(kv attachment "$(px mv attach "$EDUDEV" $IMP_P2P $DELAYED 2000)")
	assert_eq "map never-unmap" ok "$(px mv map "$never")"
	assert_eq "map delayed-unmap" ok "$(px mv map "$late")"
	t0=$(now_ms)
	bg_px mv move "$PX_BUF" "$BARPROV" "$STUCK_MS"
	sleep 0.5
	assert_responsive mv move
	r=$(bg_answer mv)
	echo "move: $r after $(( $(now_ms) - t0 )) ms"
	assert_eq "move done" ok "$r"
	[ $(( $(now_ms) - t0 )) -ge "$STUCK_MS" ] || fail "the move did not wait for its timeout"
	line=$("$DP" get attachment "$never")
	assert_eq "never-unmap stuck after the move" 1 "$(kv stuck "$line")"
	assert_eq "delayed-unmap not stuck" 0 "$(kv stuck "$("$DP" get attachment "$late")")"
	assert_eq "delayed-unmap unmapped" 0 "$(kv mapped "$("$DP" get attachment "$late")")"
	assert_eq "late unmap of the stuck importer" ok "$(px mv unmap "$never")"
	assert_eq "buffer live on the BAR" "1 $BARPROV" \
		"$(line=$("$DP" get buffer "$PX_BUF"); echo "$(kv state "$line") $(kv provider "$line")")"
	local mvbuf=$PX_BUF
	px_stop mv

	# revoke: the same two importers on a revocable buffer
	px_start rv 1 1M revocable misbehave-revoke
	never=$(kv attachment "$(px rv attach "$EDUDEV" $IMP_P2P $NEVER)")
	late=$(kv attachment "$(px rv attach "$EDUDEV" $IMP_P2P $DELAYED 2000)")
	assert_eq "map never-unmap" ok "$(px rv map "$never")"
	assert_eq "map delayed-unmap" ok "$(px rv map "$late")"
	t0=$(now_ms)
	bg_px rv revoke "$PX_BUF" "$STUCK_MS"
	sleep 0.5
	assert_responsive rv revoke
	r=$(bg_answer rv)
	echo "revoke: $r after $(( $(now_ms) - t0 )) ms"
	assert_match "revoke reports the never-unmap importer stuck" \
		'^ok attachments=2 stuck=1 ' "$r"
	[ "$(kv duration_ns "$r")" -ge "${STUCK_MS}000000" ] || fail "revoke did not wait: $r"
	assert_eq "delayed-unmap waited for, not stuck" 0 \
		"$(kv stuck "$("$DP" get attachment "$late")")"
	assert_eq "map while revoked" "err ENODEV" "$(px rv map "$late")"
	assert_eq "late unmap of the stuck importer" ok "$(px rv unmap "$never")"
	local rvbuf=$PX_BUF
	px_stop rv
	events_stop
	assert_eq "move done reports one stuck importer" 1 \
		"$(ev_count $EV_MOVE_DONE "buffer=$mvbuf .* count=1( |\$)")"
	assert_eq "one stuck event per operation" 2 \
		"$(ev_count $EV_STUCK "buffer=($mvbuf|$rvbuf)( |\$)")"
	assert_nothing_left "after the misbehaving importers"
}
