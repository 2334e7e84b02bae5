# SPDX-License-Identifier: GPL-2.0-only
# Safety: what a kernel reviewer asked of the module.  BAR memory only for
# importers that can be revoked, and a device removal that leaves no
# mapping of its BARs behind whoever the importer; provider lifetime under
# bind/unbind racing exports, imports and maps; export and close racing an
# unprivileged dump; waits that SIGKILL ends, and no lock held across a
# move's copy or an edu DMA; no dynamic import without invalidation unless
# pinned; a foreign buffer mapped by its exporter only; an attachment's map
# type that follows its buffer's memory; an importer that never unmaps or
# unmaps late for dmapeek's own buffers only.  The races matter most on the
# debug kernel (KASAN, lockdep), where the lab scans the log for splats.
#
# Some tests read attributes other branches add to the spec and the tools
# (an attachment's own-map, a map event's map-type): spec-value.py turns
# their names into the numbers nl-decode and dp print.

. "$DMAPEEK_TOP/tests/guest/fault-lib.sh"

SPEC=$DMAPEEK_TOP/Documentation/netlink/specs/dmapeek.yaml
SPEC_VALUE=$DMAPEEK_TOP/tests/guest/spec-value.py
IMP_STATIC=0		# no importer ops: a static importer
IMP_NOINV=13		# DYNAMIC | PEER2PEER | NO_INVALIDATE
IMP_NOINV_PIN=15	# DYNAMIC | PIN | PEER2PEER | NO_INVALIDATE
EV_MAP=5

# The debug kernel (the one with kmemleak) runs about five times slower:
# its loops do less and its time bounds are wider.
DEBUG_KERNEL=0
[ ! -e /sys/kernel/debug/kmemleak ] || DEBUG_KERNEL=1

# spec_value ARGS: spec-value.py's number (fails, saying why, when the
# spec lacks the name: the branch that adds it is not merged)
spec_value() {
	local v
	v=$(python3 "$SPEC_VALUE" "$SPEC" "$@" 2>&1) || {
		echo "fail: the spec does not name $*: $v" >&2
		return 1
	}
	echo "$v"
}

# pair_type IVSHMEM_BDF: the (ivshmem, edu) pair's map type, as p2p-get names it
pair_type() {
	"$DP" p2p-get "$1" "$EDU" | awk '{ print $4 }'
}

# map_type_num NAME: enum dmapeek_map_type
map_type_num() {
	case $1 in
	none) echo 1 ;; not-supported) echo 2 ;; bus-addr) echo 3 ;;
	thru-host-bridge) echo 4 ;; *) echo 0 ;;
	esac
}

# safety_setup: the module, the edu (EDU, EDUDEV) and one ivshmem (IV,
# IVDEV, BARPROV) bound: the first whose BAR the edu reaches (a P2P path:
# bus-addr or thru-host-bridge; EDU_REACH=1), else the last one (behind the
# switch in the switch topology, as t-p2p.sh picks it)
safety_setup() {
	local b
	need_dp
	load_module
	EDU=$(edu_bdf)
	bind_dmapeek "$EDU"
	IV=
	EDU_REACH=0
	for b in $(ivshmem_bdfs); do
		case $(pair_type "$b") in
		bus-addr|thru-host-bridge) IV=$b; EDU_REACH=1; break ;;
		esac
	done
	[ -n "$IV" ] || IV=$(ivshmem_bdfs | tail -n 1)
	bind_dmapeek "$IV"
	fault_ids
	echo "topology $DMAPEEK_TOPOLOGY: ivshmem $IV (provider $BARPROV, device $IVDEV)," \
		"edu $EDU (device $EDUDEV), pair $(pair_type "$IV")"
}

# kinds_of ATT: the address kinds of every range of every mapping of the
# attachment (0x1 iova, 0x2 bus, 0x3 phys), each once
kinds_of() {
	"$DP" dump mappings "$1" | tr ' ' '\n' | sed -n 's/^r[0-9]*\.kind=//p' | sort -u | xargs
}

# the kind of the edu's addresses for memory it reaches through the host:
# IOVAs behind a translating IOMMU domain, else CPU physical addresses
edu_host_kind() {
	case $(cat "/sys/bus/pci/devices/$EDU/iommu_group/type" 2>/dev/null) in
	DMA|DMA-FQ|unmanaged) echo 0x1 ;;
	*) echo 0x3 ;;
	esac
}

# mappings_count [ATT]: mapping rows (of the attachment, or all)
mappings_count() {
	"$DP" dump mappings ${1:+"$1"} | grep -c '^mapping' || true
}

# wait_buffer BUF KEY VALUE: until the buffer's row has KEY=VALUE (30 s)
wait_buffer() {
	local i
	for i in $(seq 300); do
		[ "$(kv "$2" "$("$DP" get buffer "$1")")" = "$3" ] && return 0
		sleep 0.1
	done
	fail "buffer $1 never got $2=$3: $("$DP" get buffer "$1" | cut -c 1-200)"
}

# ----------------------------------------------------------------------- 1

# BAR memory only for importers that can be revoked.  On a BAR buffer of
# each model, a static importer and a dynamic one without invalidation
# (pinned: EOPNOTSUPP; not pinned: EINVAL, refused as a flag set before
# any attach, see test 7) are refused, a revocable one is welcome; a move
# to the BAR is refused while a static importer is attached, the netlink
# extack saying that an importer cannot be revoked.
#
# Then the device goes (PCI remove) under importers that never unmap or
# unmap 60 s late, on buffers of each model, and under one still mapping
# the old BAR backing of a buffer moved to system memory: the removal
# returns within 20 s (60 s on the debug kernel; it used to wait 5 s per
# buffer and then free the provider under the mappings), no mapping of
# any of them is left (dmapeek's own importer is unmapped by the module,
# whatever its behaviour), the moved buffer lives on in system memory with
# its bytes and its importer maps it again, the provider is gone.  Where
# the edu reaches the BAR (epyc-root, switch) the importers are the edu's,
# which outlives the device; on intel-root (no P2P path) they are the
# ivshmem's own, which go with it.  A rescan brings the device back, and
# it works.
test_safety_bar_only_for_revocable_importers_and_removal_unmaps_everything() {
	safety_setup
	local m r a imp line t0 t1 bound=20000 sum mvbuf mva bufs=() atts=()
	[ "$DEBUG_KERNEL" = 0 ] || bound=60000

	for m in pinned movable revocable; do
		px_start "a$m" "$BARPROV" 1M "$m" "nonrev-$m"
		assert_eq "$m BAR buffer: a static importer" "err EOPNOTSUPP" \
			"$(px "a$m" attach "$EDUDEV" $IMP_STATIC $NORMAL)"
		assert_eq "$m BAR buffer: dynamic, P2P, pinned, no invalidation" "err EOPNOTSUPP" \
			"$(px "a$m" attach "$EDUDEV" $IMP_NOINV_PIN $NORMAL)"
		assert_eq "$m BAR buffer: dynamic, P2P, no invalidation, not pinned" "err EINVAL" \
			"$(px "a$m" attach "$EDUDEV" $IMP_NOINV $NORMAL)"
		assert_eq "$m BAR buffer: nothing attached" 0 \
			"$(kv attachments "$("$DP" get buffer "$PX_BUF")")"
		r=$(px "a$m" attach "$EDUDEV" $IMP_P2P $NORMAL)
		assert_match "$m BAR buffer: a revocable importer" '^ok attachment=[0-9]+$' "$r"
		assert_eq "$m BAR buffer: detach" ok "$(px "a$m" detach "$(kv attachment "$r")")"
		px_stop "a$m"
	done

	px_start mvs 1 1M movable nonrev-move
	a=$(kv attachment "$(px mvs attach "$EDUDEV" $IMP_STATIC $NORMAL)")
	[ -n "$a" ] || fail "a static import of a movable buffer in system memory failed"
	r=$("$DP" --extack move "$PX_BUF" "$BARPROV" || true)
	echo "move with a static importer (netlink): $r"
	assert_match "move to the BAR under a static importer: refused, saying it cannot be revoked" \
		'^err EOPNOTSUPP .*[Rr]evo' "$r"
	assert_eq "the same move from the importer's process (netlink, no extack)" \
		"err EOPNOTSUPP" "$(px mvs move "$PX_BUF" "$BARPROV" 0)"
	assert_eq "still in system memory" 1 "$(kv provider "$("$DP" get buffer "$PX_BUF")")"
	assert_eq "detach the static importer" ok "$(px mvs detach "$a")"
	assert_eq "the move without it" ok "$(px mvs move "$PX_BUF" "$BARPROV" 0)"
	px_stop mvs

	# the removal, under importers that never unmap or unmap late
	imp=$EDUDEV
	[ "$EDU_REACH" = 1 ] || imp=$IVDEV
	for m in pinned movable revocable; do
		px_start "r$m" "$BARPROV" 1M "$m" "gone-$m"
		bufs+=("$PX_BUF")
		a=$(kv attachment "$(px "r$m" attach "$imp" $IMP_P2P $NEVER)")
		[ -n "$a" ] || fail "$m: never-unmap import failed"
		assert_eq "$m: map (never unmaps)" ok "$(px "r$m" map "$a")"
		atts+=("$a")
		a=$(kv attachment "$(px "r$m" attach "$imp" $IMP_P2P $DELAYED 60000)")
		[ -n "$a" ] || fail "$m: delayed-unmap import failed"
		assert_eq "$m: map (unmaps 60 s late)" ok "$(px "r$m" map "$a")"
		atts+=("$a")
	done
	px_start rmv "$BARPROV" 1M movable gone-moved
	mvbuf=$PX_BUF
	sum=$(px rmv write 91)
	assert_match "fill the buffer to move" '^ok sum=' "$sum"
	mva=$(kv attachment "$(px rmv attach "$imp" $IMP_P2P $NEVER)")
	[ -n "$mva" ] || fail "never-unmap import of the buffer to move failed"
	assert_eq "map the buffer to move" ok "$(px rmv map "$mva")"
	assert_eq "move to system memory (its importer never unmaps: 1 s timeout)" ok \
		"$(px rmv move "$mvbuf" 1 1000)"
	line=$("$DP" get buffer "$mvbuf")
	assert_eq "moved: in system memory" "1 1" "$(kv state "$line") $(kv provider "$line")"
	line=$("$DP" get attachment "$mva")
	assert_eq "its importer still maps the old BAR backing (stuck)" "1 1" \
		"$(kv mapped "$line") $(kv stuck "$line")"
	[ "$(mappings_count "$mva")" -ge 1 ] || fail "the stuck importer's mapping is not listed"
	atts+=("$mva")
	for a in "${atts[@]}"; do
		assert_eq "attachment $a mapped before the removal" 1 \
			"$(kv mapped "$("$DP" get attachment "$a")")"
	done
	echo "before the removal: $(object_counts)"

	t0=$(now_ms)
	echo 1 >"/sys/bus/pci/devices/$IV/remove"
	t1=$(now_ms)
	echo "remove took $((t1 - t0)) ms; after it: $(object_counts)"
	[ $((t1 - t0)) -lt "$bound" ] ||
		fail "the removal took $((t1 - t0)) ms (bound $bound ms)"
	assert_eq "the provider is gone" "" "$("$DP" dump providers | grep "bdf=$IV" || true)"
	assert_eq "no mapping left at all" 0 "$(mappings_count)"
	for a in "${atts[@]}"; do
		line=$("$DP" get attachment "$a" || true)
		assert_eq "attachment $a: no mapping" 0 "$(mappings_count "$a")"
		if [ "$imp" = "$EDUDEV" ]; then
			assert_eq "attachment $a (the edu's): unmapped" 0 "$(kv mapped "$line")"
		else
			# the ivshmem's own imports went with it
			[ "$line" = "err ENOENT" ] || [ "$(kv mapped "$line")" = 0 ] ||
				fail "attachment $a still mapped: $line"
		fi
	done
	for a in "${bufs[@]}"; do
		assert_eq "buffer $a revoked" 3 "$(kv state "$("$DP" get buffer "$a")")"
	done
	line=$("$DP" get buffer "$mvbuf")
	assert_eq "the moved buffer lives on in system memory" "1 1" \
		"$(kv state "$line") $(kv provider "$line")"
	assert_eq "with its bytes" "$sum" "$(px rmv sum)"
	if [ "$imp" = "$EDUDEV" ]; then
		assert_eq "its importer maps it again" ok "$(px rmv map "$mva")"
		[ "$(mappings_count "$mva")" -ge 1 ] || fail "mapped again, but no mapping listed"
		assert_eq "and unmaps" ok "$(px rmv unmap "$mva")"
	else
		a=$(kv attachment "$(px rmv attach "$EDUDEV" $IMP_P2P $NORMAL)")
		[ -n "$a" ] || fail "a new import of the moved buffer failed"
		assert_eq "a new importer maps it" ok "$(px rmv map "$a")"
		assert_eq "and unmaps" ok "$(px rmv unmap "$a")"
	fi
	for m in pinned movable revocable; do px_stop "r$m"; done
	px_stop rmv
	assert_nothing_left "after the exporters ended"

	echo 1 >/sys/bus/pci/rescan
	for m in $(seq 50); do [ -e "/sys/bus/pci/devices/$IV" ] && break; sleep 0.2; done
	[ -e "/sys/bus/pci/devices/$IV" ] || fail "$IV did not come back after a rescan"
	bind_dmapeek "$IV"
	fault_ids
	fault_roundtrip
}

# ----------------------------------------------------------------------- 2

# Provider lifetime: the ivshmem unbound and bound again, over and over
# (60 s, at most 60 times; 120 s and 4 times on the debug kernel, where a
# bind makes the BAR's ZONE_DEVICE pages in about 25 s), while two
# processes export from its BAR, import into it and into the edu, map (the
# edu only where it reaches the BAR), move, unmap, detach and close
# (dp race).  Every error must be one a vanished provider or device
# explains: ENODEV or ENOENT (ENXIO from an unmap the invalidation did
# first); nothing may be left; KASAN and lockdep must stay quiet (the lab
# scans the log).  DMAPEEK_SEED replays the racers' choices.
test_safety_provider_unbind_races_exports_imports_maps() {
	safety_setup
	local seed=${DMAPEEK_SEED:-$(( $(date +%s%N) % 1000000007 ))}
	local dur=60 max=60 p pids=() rc bad=0 cycles=0 t0 drv out n ok=0
	[ "$DEBUG_KERNEL" = 0 ] || { dur=120; max=4; }
	echo "seed=$seed (DMAPEEK_SEED=$seed replays it) ${dur}s, at most $max unbinds," \
		"edu maps: $EDU_REACH"
	RANDOM=$((seed % 32768))
	for p in 1 2; do
		"$DP" race "$IV" "$EDUDEV" "$dur" $((seed + p)) "$EDU_REACH" \
			>"$FAULT_TMP/race.$p" 2>&1 &
		pids+=($!)
	done
	t0=$(date +%s)
	while [ $(( $(date +%s) - t0 )) -lt "$dur" ] && [ "$cycles" -lt "$max" ]; do
		sleep "0.$((RANDOM % 8))"
		echo "$IV" >/sys/bus/pci/drivers/dmapeek/unbind || fail "unbind $IV (cycle $cycles)"
		sleep "0.$((RANDOM % 4))"
		echo "$IV" >/sys/bus/pci/drivers_probe 2>/dev/null || true
		drv=$(basename "$(readlink "/sys/bus/pci/devices/$IV/driver" 2>/dev/null)" 2>/dev/null)
		[ "$drv" = dmapeek ] || fail "$IV did not bind again (cycle $cycles): ${drv:-no driver}"
		cycles=$((cycles + 1))
	done
	echo "$cycles unbinds in $(( $(date +%s) - t0 )) s"
	for p in 1 2; do
		rc=0
		wait "${pids[$((p - 1))]}" || rc=$?
		out=$(cat "$FAULT_TMP/race.$p")
		echo "racer $p: $out"
		[ "$rc" = 0 ] || bad=1
		n=$(kv ok "$(echo "$out" | grep '^race ' || true)")
		ok=$((ok + ${n:-0}))
	done
	[ "$bad" = 0 ] ||
		fail "$(grep -h -m1 '^unexpected: ' "$FAULT_TMP"/race.* || echo "a racer failed") (seed $seed)"
	[ "$cycles" -ge 2 ] || fail "only $cycles unbinds in ${dur}s"
	[ "$ok" -gt 0 ] || fail "no racing operation succeeded: nothing was raced"
	assert_nothing_left "after the race (seed $seed)"
	bind_dmapeek "$IV"
	fault_ids
	fault_roundtrip
}

# ----------------------------------------------------------------------- 3

# Buffers exported and closed as fast as they go (every model, system
# memory) while a plain user dumps them over netlink and gets the newest
# ids, for 30 s: both loops end without an error (a dump's interruption is
# not one, a get of an id just released may find nothing), the dumps saw
# buffers come and go, nothing is left, and the debug kernel stays quiet.
test_safety_export_close_races_unprivileged_dump() {
	load_module
	local user=dmapeek-user dur=30 erc=0 drc=0 e d
	id "$user" >/dev/null 2>&1 || skip "no unprivileged account $user in this guest"
	[ "$(id -u "$user")" != 0 ] || fail "$user is root"
	"$DP" export-loop "$dur" >"$FAULT_TMP/export-loop" 2>&1 &
	e=$!
	su "$user" -s /bin/sh -c "exec '$DP' dump-loop $dur" >"$FAULT_TMP/dump-loop" 2>&1 &
	d=$!
	wait "$e" || erc=$?
	wait "$d" || drc=$?
	e=$(cat "$FAULT_TMP/export-loop")
	d=$(cat "$FAULT_TMP/dump-loop")
	echo "$e"
	echo "$d"
	assert_eq "the export loop" 0 "$erc"
	assert_eq "the user's dump loop" 0 "$drc"
	e=$(echo "$e" | grep '^export-loop ')
	d=$(echo "$d" | grep '^dump-loop ')
	[ "$(kv exports "$e")" -gt 0 ] 2>/dev/null || fail "no export: $e"
	[ "$(kv dumps "$d")" -gt 0 ] 2>/dev/null || fail "no dump: $d"
	[ "$(kv max_rows "$d")" -gt 0 ] || fail "the user's dumps never saw a buffer: nothing raced"
	assert_nothing_left "after the race"
}

# ----------------------------------------------------------------------- 5

# kill_gone PID WHAT: SIGKILL PID; it must be gone (exited: a zombie or
# reaped) within KILL_MS
KILL_MS=1000
[ "$DEBUG_KERNEL" = 0 ] || KILL_MS=5000
kill_gone() {
	local pid=$1 t0 st took
	t0=$(now_ms)
	kill -KILL "$pid"
	while :; do
		st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || st=gone
		if [ "$st" = Z ] || [ "$st" = gone ]; then break; fi
		[ $(( $(now_ms) - t0 )) -le $((KILL_MS + 3000)) ] || break
		sleep 0.05
	done
	took=$(( $(now_ms) - t0 ))
	echo "$2: ${took} ms from SIGKILL to exit (state ${st})"
	[ "$took" -le "$KILL_MS" ] ||
		fail "$2 was still there ${took} ms after SIGKILL (bound ${KILL_MS} ms): its wait does not end on a fatal signal"
	wait "$pid" 2>/dev/null || true
}

# Waits a user can end, and no lock held where it need not be.
#  - Since ABI 2.0 a revoke or a move is netlink only: the module waits for
#    importers in its workqueue, the user's process only listens for the
#    done event.  "dmapeek revoke BUF timeout 60000", waiting on an
#    importer that never unmaps, is killed with SIGKILL: the process is
#    gone within 1 s (5 s on the debug kernel); the buffer stays revoked;
#    the stuck importer can still unmap and detach, and the module's wait
#    then ends with revoke-done for that buffer, with no error (the
#    importer unmapped before the timeout: nothing stuck; no -EINTR exists
#    on this path any more).  The same for a move by "dp move" (BAR
#    to system memory, the ivshmem's own import never unmapping): gone
#    within the bound, the buffer live in system memory, a second move
#    refused (EBUSY) while the first waits, and move-done with no error
#    once the importer unmapped.
#  - A netlink revoke of a buffer whose importer never unmaps, with 60 s
#    to wait, answers within a quarter of the bound with its op number
#    (it used to wait inside genl_rcv, holding genetlink's cb_lock, which
#    any family registration and then every generic netlink request of
#    the machine queue behind); a dump answers meanwhile; a restore is
#    refused (EBUSY, naming the revoke) while the revoke still waits; when
#    the importer unmaps, revoke-done carries the op number and no error,
#    and the restore goes through.
#  - A move of 32 MiB (half the BAR on the debug kernel's smaller BARs)
#    from the BAR to system memory: exports and buffer dumps issued while
#    it copies answer before it does (dp move-race: at least 5
#    exports and 2 dumps begun and answered within the move; the move used
#    to hold the exporter's global mutex across its copy, so an export
#    waited for the copy's end).  Not judged when the move took under
#    30 ms: then nothing could run beside it.
#  - A revoke of a revocable buffer while the edu writes 1 MiB into it
#    (256 chunks of 4 KiB, each two of QEMU's 100 ms transfers: about 51 s)
#    answers within 20 s (40 s on the debug kernel; the DMA used to hold
#    the buffer's reservation lock for its whole run), its importer not
#    stuck, and the DMA then fails with ENODEV (the ioctl cannot report a
#    partial transfer; OK would mean it went on writing revoked memory).
test_safety_killable_waits_and_no_lock_across_copy_or_dma() {
	safety_setup
	local krv kmv never own pid line out size mib ms d buf t0 t1 r i bound=20000
	[ "$DEBUG_KERNEL" = 0 ] || bound=40000
	events_start "$FAULT_TMP/events" 280

	# a revoke killed while it waits
	px_start krv 1 1M revocable kill-revoke
	krv=$PX_BUF
	never=$(kv attachment "$(px krv attach "$EDUDEV" $IMP_P2P $NEVER)")
	[ -n "$never" ] || fail "never-unmap import failed"
	assert_eq "map (never unmaps)" ok "$(px krv map "$never")"
	"$DMAPEEK" revoke "$krv" timeout 60000 >"$FAULT_TMP/krv.out" 2>&1 &
	pid=$!
	wait_buffer "$krv" state 3
	sleep 0.5
	kill_gone "$pid" "dmapeek revoke waiting 60 s"
	assert_eq "the buffer stays revoked" 3 "$(kv state "$("$DP" get buffer "$krv")")"
	assert_eq "no revoke-done while the importer holds on" 0 \
		"$(ev_count $EV_REVOKE_DONE "buffer=$krv ")"
	assert_eq "the stuck importer unmaps" ok "$(px krv unmap "$never")"
	for i in $(seq 50); do
		[ "$(ev_count $EV_REVOKE_DONE "buffer=$krv ")" = 0 ] || break
		sleep 0.1
	done
	assert_eq "and detaches" ok "$(px krv detach "$never")"
	px_stop krv

	# a move killed while it waits
	px_start kmv "$BARPROV" 1M movable kill-move
	kmv=$PX_BUF
	own=$(kv attachment "$(px kmv attach "$IVDEV" $IMP_P2P $NEVER)")
	[ -n "$own" ] || fail "never-unmap import by the BAR's own device failed"
	assert_eq "map by the BAR's own device (never unmaps)" ok "$(px kmv map "$own")"
	"$DP" move "$kmv" 1 60000 >"$FAULT_TMP/kmv.out" 2>&1 &
	pid=$!
	# the copy and the switch come before the wait for the old backing
	wait_buffer "$kmv" provider 1
	sleep 0.5
	kill_gone "$pid" "dp move waiting 60 s"
	line=$("$DP" get buffer "$kmv")
	assert_eq "the buffer is live in system memory" "1 1" \
		"$(kv state "$line") $(kv provider "$line")"
	assert_match "a second move while the first waits for its importer" \
		'^err EBUSY buffer is moving \(operation [0-9]+\)$' \
		"$("$DP" --extack move "$kmv" "$BARPROV" 1000 | tail -n 1)"
	assert_eq "no move-done while the importer holds on" 0 \
		"$(ev_count $EV_MOVE_DONE "buffer=$kmv ")"
	assert_eq "the stuck importer unmaps" ok "$(px kmv unmap "$own")"
	for i in $(seq 50); do
		[ "$(ev_count $EV_MOVE_DONE "buffer=$kmv ")" = 0 ] || break
		sleep 0.1
	done
	assert_eq "and detaches" ok "$(px kmv detach "$own")"
	px_stop kmv
	events_stop
	grep -E "buffer=($krv|$kmv) " "$EVLOG" || true
	assert_eq "revoke-done once the importer unmapped" 1 \
		"$(ev_count $EV_REVOKE_DONE "buffer=$krv ")"
	assert_eq "revoke-done: no error (nothing stuck at the end)" 0 \
		"$(ev_count $EV_REVOKE_DONE "buffer=$krv .*error=")"
	assert_eq "move-done once the importer unmapped" 1 \
		"$(ev_count $EV_MOVE_DONE "buffer=$kmv ")"
	assert_eq "move-done: no error" 0 \
		"$(ev_count $EV_MOVE_DONE "buffer=$kmv .*error=")"
	assert_nothing_left "after the killed waits"

	# a netlink revoke answers before its importers unmap: the wait runs
	# outside genetlink's cb_lock, and its outcome is the done event
	events_start "$FAULT_TMP/events-nl" 120
	px_start nlr 1 1M revocable nl-revoke
	never=$(kv attachment "$(px nlr attach "$EDUDEV" $IMP_P2P $NEVER)")
	assert_eq "map (never unmaps)" ok "$(px nlr map "$never")"
	t0=$(date +%s%N)
	out=$("$DP" revoke-start "$PX_BUF" 60000)
	t1=$(date +%s%N)
	echo "$out"
	op=$(kv op "$out")
	[ -n "$op" ] && [ "$op" -gt 0 ] || fail "no op number in the netlink revoke's answer: $out"
	assert_eq "the answer counts the attachment" 1 "$(kv attachments "$out")"
	[ $(((t1 - t0) / 1000000)) -lt $((bound / 4)) ] ||
		fail "a netlink revoke with a stuck importer and 60 s to wait answered after $(((t1 - t0) / 1000000)) ms: it waits inside genetlink"
	echo "netlink revoke answered in $(((t1 - t0) / 1000000)) ms, the importer still mapped"
	assert_eq "the buffer is revoked" 3 "$(kv state "$("$DP" get buffer "$PX_BUF")")"
	# the module still answers other requests meanwhile
	"$DP" dump buffers >/dev/null || fail "a dump during the revoke's wait failed"
	# a restore would let importers map again under the revoke's wait,
	# which would then call them stuck: refused until that wait ends
	assert_eq "a restore while the revoke waits" \
		"err EBUSY revoke $op still waits for importers to unmap" \
		"$("$DP" --extack restore "$PX_BUF" | tail -n 1)"
	assert_eq "the stuck importer unmaps" ok "$(px nlr unmap "$never")"
	for i in $(seq 50); do
		grep -qE "type=$EV_REVOKE_DONE .*op=$op( |\$)" "$EVLOG" && break
		sleep 0.1
	done
	events_stop
	grep -E "op=$op( |\$)" "$EVLOG" || true
	assert_eq "revoke-begin and revoke-done carry the op number" 2 \
		"$(grep -cE "type=($EV_REVOKE_BEGIN|$EV_REVOKE_DONE) .*op=$op( |\$)" "$EVLOG" || true)"
	assert_eq "the done event: nobody stuck, no error" 1 \
		"$(grep -E "type=$EV_REVOKE_DONE .*op=$op( |\$)" "$EVLOG" | grep -cvE ' (count|error)=' || true)"
	assert_eq "restored once the revoke is done" ok "$("$DP" restore "$PX_BUF" | tail -n 1)"
	assert_eq "and detaches" ok "$(px nlr detach "$never")"
	px_stop nlr
	assert_nothing_left "after the netlink revoke"

	# exports and dumps during a long move's copy
	size=$(kv size "$("$DP" dump providers | grep "^provider id=$BARPROV ")")
	mib=32
	[ $((size >> 20)) -ge $((2 * mib)) ] || mib=$((size >> 21))
	out=$("$DP" move-race "$BARPROV" "${mib}M" 1)
	echo "$out"
	line=$(echo "$out" | grep '^move-race ')
	assert_eq "the ${mib} MiB move" OK "$(kv move "$line")"
	assert_eq "its bytes" same "$(kv data "$line")"
	ms=$(kv move_ms "$line")
	ms=${ms%.*}
	# an export queued behind the copy waits about as long as the move
	# on top of what an export costs here (base_export_ms, measured before
	# the move: tens of ms on the debug kernel); one that runs beside the
	# move waits about that cost
	wait=$(kv max_export_ms "$line")
	wait=${wait%.*}
	base=$(kv base_export_ms "$line")
	base=${base%.*}
	if [ "${ms:-0}" -lt 30 ] || [ "${ms:-0}" -lt $((4 * ${base:-0})) ]; then
		echo "the move took ${ms} ms, an export ${base} ms: too quick to tell what waits for it"
	else
		[ "$(kv exports_during "$line")" -ge 1 ] ||
			fail "no export answered during a ${ms} ms move"
		[ $((2 * (${wait:-0} - ${base:-0}))) -lt "$ms" ] ||
			fail "an export waited ${wait} ms (${base} ms alone) during a ${ms} ms move: the move holds the exporter's lock across its copy"
		[ "$(kv dumps_during "$line")" -ge 1 ] ||
			fail "no buffer dump answered during a ${ms} ms move"
	fi
	assert_nothing_left "after the move race"

	# a revoke during a long edu DMA
	d=$FAULT_TMP/dma
	mkdir -p "$d"
	"$DP" import --dev "$EDUDEV" --flags dynamic,p2p sys:1048576:revocable import map \
		"touch:$d/mapped" dma-write:0:1048576:7 >"$d/out" 2>&1 &
	pid=$!
	for i in $(seq 300); do [ -e "$d/mapped" ] && break; sleep 0.1; done
	[ -e "$d/mapped" ] || fail "the DMA's import never mapped: $(cat "$d/out")"
	buf=$(sed -n 's/^export OK buffer=\([0-9]*\) .*/\1/p' "$d/out")
	[ -n "$buf" ] || fail "no buffer: $(cat "$d/out")"
	sleep 1
	! grep -q '^dma-write' "$d/out" ||
		fail "the 1 MiB DMA ended within a second: $(grep '^dma-write' "$d/out")"
	t0=$(now_ms)
	r=$("$DP" revoke "$buf" 5000)
	t1=$(now_ms)
	echo "revoke during the DMA: $r (after $((t1 - t0)) ms)"
	assert_match "the revoke" '^revoke ' "$r"
	[ $((t1 - t0)) -lt "$bound" ] ||
		fail "the revoke took $((t1 - t0)) ms (bound $bound ms): it waited for the DMA"
	assert_eq "the DMA's importer is not stuck" 0 "$(kv stuck "$r")"
	for i in $(seq 900); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && fail "the DMA still runs 90 s after the revoke"
	wait "$pid" || true
	cat "$d/out"
	assert_eq "the DMA cut by the revoke" "dma-write ENODEV" "$(line dma-write "$(cat "$d/out")")"
	assert_nothing_left "after the DMA"
}

# ----------------------------------------------------------------------- 7

# A dynamic import without invalidate_mappings must pin (nothing could
# ever take its mappings back otherwise): without the pin flag it is
# refused with EINVAL, with or without P2P, whatever the buffer; with it,
# it is taken where the buffer allows a non-revocable importer.
test_safety_noinv_import_without_pin_refused() {
	setup_import
	local src out
	for src in udmabuf:4096 sys:4096:pinned sys:4096:movable; do
		if [ "$src" = udmabuf:4096 ] && [ ! -e /dev/udmabuf ]; then
			echo "no /dev/udmabuf: $src left out"
			continue
		fi
		out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,noinv "$src" import)
		assert_eq "$src: dynamic, no invalidation, not pinned" "import ERR EINVAL" \
			"$(line import "$out")"
		out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,noinv,p2p "$src" import)
		assert_eq "$src: dynamic, P2P, no invalidation, not pinned" "import ERR EINVAL" \
			"$(line import "$out")"
		out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,noinv,pin "$src" import map unmap)
		assert_match "$src: dynamic, no invalidation, pinned" '^import OK id=[0-9]+$' \
			"$(line import "$out")"
		assert_eq "$src: and it maps" "map OK" "$(line map "$out")"
	done
	assert_eq "nothing left attached" "" "$("$DP" dump attachments)"
}

# ----------------------------------------------------------------------- 8

# held_import DIR ARGS...: dp import ARGS in the background, holding its
# import once its steps are done, until release_import DIR
held_import() {
	local d=$1 _
	shift
	rm -f "$d/held" "$d/go"
	"$DP" import "$@" "touch:$d/held" "waitfile:$d/go" >"$d/out" 2>&1 &
	HELD_PID=$!
	for _ in $(seq 300); do [ -e "$d/held" ] && break; sleep 0.1; done
	[ -e "$d/held" ] || fail "dp import $*: $(cat "$d/out")"
	HELD_OUT=$(cat "$d/out")
	echo "$HELD_OUT"
	HELD_ATT=$(line import "$HELD_OUT" | sed -n 's/^import OK id=//p')
}

release_import() {
	touch "$1/go"
	wait "$HELD_PID" || true
}

# assert_one_foreign_mapping WHAT: HELD_OUT (import map mappings audit)
# shows one mapping, the importer's sg table, not checkable
assert_one_foreign_mapping() {
	assert_eq "$1: map" "map OK" "$(line map "$HELD_OUT")"
	assert_eq "$1: one mapping" "mappings OK n=1" "$(line mappings "$HELD_OUT")"
	assert_match "$1: the importer's sg table" '^mapping id=[0-9]+ path=importer-sgt ' \
		"$(line mapping "$HELD_OUT")"
	assert_eq "$1: no mapping of its own beside it" "" \
		"$(echo "$HELD_OUT" | grep -E '^mapping .*path=(iova-link|map-phys)' || true)"
	assert_match "$1: nothing to check it against" \
		'^audit id=[0-9]+ path=importer-sgt result=not-checkable pages=0 mismatches=0 holes=0$' \
		"$(line audit "$HELD_OUT")"
}

# The importer maps no foreign buffer's pages itself (the sg table an
# exporter returns is for the device, not for the importer to read): an
# import and map of a udmabuf (and of a system dma-heap buffer) shows
# exactly one mapping, the importer's sg table, on every kernel; its audit
# is not-checkable (no physical address is known); the attachment's
# own-map says foreign-exporter.  A mapped import of dmapeek's own
# system-memory buffer, whose pages dmapeek knows, says mapped.
test_safety_foreign_buffer_mapped_only_by_its_exporter() {
	setup_import
	[ -x "$NL_DECODE" ] || skip "nl-decode was not built"
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	local d foreign mapped own
	foreign=$(spec_value attr-enum attachment own-map foreign-exporter)
	mapped=$(spec_value attr-enum attachment own-map mapped)
	d=$(mktemp -d)

	held_import "$d" --dev "$EDU_DEV" udmabuf:65536 import map mappings audit
	own=$(own_map_of "$HELD_ATT")
	release_import "$d"
	assert_one_foreign_mapping udmabuf
	assert_eq "udmabuf: own-map foreign-exporter ($foreign)" "$foreign" "$own"

	if [ -e /dev/dma_heap/system ]; then
		held_import "$d" --dev "$EDU_DEV" --flags dynamic heap:32768 import map mappings \
			audit
		own=$(own_map_of "$HELD_ATT")
		release_import "$d"
		assert_one_foreign_mapping "system heap"
		assert_eq "system heap: own-map foreign-exporter ($foreign)" "$foreign" "$own"
	else
		echo "no system dma-heap: that part left out"
	fi

	held_import "$d" --dev "$EDU_DEV" sys:65536:pinned import map mappings
	own=$(own_map_of "$HELD_ATT")
	release_import "$d"
	assert_eq "dmapeek's buffer: map" "map OK" "$(line map "$HELD_OUT")"
	assert_match "dmapeek's buffer: the importer's own mapping of its pages" \
		'^mapping id=[0-9]+ path=(iova-link|map-phys) size=65536 ' \
		"$(echo "$HELD_OUT" | grep -E '^mapping .*path=(iova-link|map-phys)' || true)"
	assert_eq "dmapeek's buffer: own-map mapped ($mapped)" "$mapped" "$own"
	rm -rf "$d"
}

# ----------------------------------------------------------------------- 9

# The map type follows the memory.  A movable buffer imported by the edu
# (dynamic, P2P, normal) moves system -> BAR -> system: the attachment's
# map type is none, then the (ivshmem, edu) pair's (thru-host-bridge on
# epyc-root, bus-addr behind the switch, not-supported on intel-root),
# then none again; after each move a fresh map has ranges of the matching
# address kind (system memory and the path through the host: IOVAs behind
# the edu's translating IOMMU domain; bus addresses for bus-addr) or, where
# the pair has no P2P path, is refused (the move itself is allowed there,
# as an import of a BAR buffer is: it is the map that cannot be done); and
# each map event carries the map type it was made with (map-type).
test_safety_bar_map_type_follows_moves() {
	safety_setup
	local pair pnum att host mt_attr seq want
	pair=$(pair_type "$IV")
	pnum=$(map_type_num "$pair")
	case $DMAPEEK_TOPOLOGY in
	epyc-root) assert_eq "the pair on epyc-root" thru-host-bridge "$pair" ;;
	intel-root) assert_eq "the pair on intel-root" not-supported "$pair" ;;
	switch)
		if acs_redirect_on_path "$IV" "$EDU"; then
			assert_match "the pair behind the switch, ACS redirect on" \
				'^(thru-host-bridge|not-supported)$' "$pair"
		else
			assert_eq "the pair behind the switch" bus-addr "$pair"
		fi ;;
	esac
	# a BAR and a PCI client always have a P2P verdict: none or unknown
	# would be p2p-get (or the module's map type) broken
	[ "$pnum" -ge 2 ] ||
		fail "the (ivshmem, edu) pair is '$pair': expected not-supported, bus-addr or thru-host-bridge"
	mt_attr=$(spec_value attr event map-type)
	host=$(edu_host_kind)
	events_start "$FAULT_TMP/events" 280

	px_start mt 1 1M movable map-type
	att=$(kv attachment "$(px mt attach "$EDUDEV" $IMP_P2P $NORMAL)")
	[ -n "$att" ] || fail "import by the edu failed"
	assert_eq "in system memory: map type none" 1 "$(kv map_type "$("$DP" get attachment "$att")")"
	assert_eq "map in system memory" ok "$(px mt map "$att")"
	assert_eq "system memory: ranges of the host kind" "$host" "$(kinds_of "$att")"
	assert_eq "unmap" ok "$(px mt unmap "$att")"

	assert_eq "move to the BAR" ok "$(px mt move "$PX_BUF" "$BARPROV" 0)"
	assert_eq "on the BAR: the pair's map type ($pair)" "$pnum" \
		"$(kv map_type "$("$DP" get attachment "$att")")"
	want="1 $pnum 1"
	case $pair in
	thru-host-bridge)
		assert_eq "map on the BAR" ok "$(px mt map "$att")"
		assert_eq "through the host bridge: ranges of the host kind" "$host" "$(kinds_of "$att")"
		assert_eq "unmap" ok "$(px mt unmap "$att")" ;;
	bus-addr)
		assert_eq "map on the BAR" ok "$(px mt map "$att")"
		assert_eq "bus-addr: bus addresses" 0x2 "$(kinds_of "$att")"
		assert_eq "unmap" ok "$(px mt unmap "$att")" ;;
	not-supported)
		assert_match "no P2P path: the map is refused" '^err E' "$(px mt map "$att")"
		assert_eq "no mapping" 0 "$(mappings_count "$att")"
		want="1 1" ;;
	esac

	assert_eq "move back to system memory" ok "$(px mt move "$PX_BUF" 1 0)"
	assert_eq "back in system memory: map type none" 1 \
		"$(kv map_type "$("$DP" get attachment "$att")")"
	assert_eq "map in system memory again" ok "$(px mt map "$att")"
	assert_eq "system memory again: ranges of the host kind" "$host" "$(kinds_of "$att")"
	assert_eq "unmap" ok "$(px mt unmap "$att")"
	px_stop mt
	events_stop
	grep -E "^event type=$EV_MAP .*attachment=$att( |\$)" "$EVLOG" || true
	# the maps that were made (a refused one carries an error instead)
	seq=$(grep -E "^event type=$EV_MAP .*attachment=$att( |\$)" "$EVLOG" | grep -v ' error=' |
		tr ' ' '\n' | sed -n "s/^a$mt_attr=//p" | xargs)
	assert_eq "the map events' map-type (attribute $mt_attr)" "$want" "$seq"
	assert_nothing_left "after the moves"
}

# ---------------------------------------------------------------------- 10

# A misbehaving importer only for dmapeek's own exports: another exporter
# may wait without bound for the unmap it asked for (VFIO's revoke of a
# BAR dma-buf does, uninterruptibly, under its memory_lock), and the
# dma-buf core asks every importer with an invalidate op to unmap within
# bounded time.  A dynamic import of a udmabuf (a foreign exporter), with
# or without P2P, that would never unmap or unmap late is refused with
# EOPNOTSUPP, and so is one of a system dma-heap buffer where there is a
# heap; the same import with the normal behaviour is taken and maps; and a
# never-unmap import of dmapeek's own system-memory buffer still is.
# (The second line of defence, the invalidate callback answering a foreign
# exporter at once whatever the behaviour, cannot be reached from here:
# neither udmabuf nor the system heap ever invalidate.)
test_safety_misbehaviour_refused_foreign() {
	setup_import
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	local src srcs=udmabuf:4096 flags b out
	if [ -e /dev/dma_heap/system ]; then
		srcs="$srcs heap:4096"
	else
		echo "no system dma-heap: that part left out"
	fi
	for src in $srcs; do
		for flags in dynamic,p2p dynamic; do
			for b in never delayed:500 delayed:0; do
				out=$("$DP" import --dev "$EDU_DEV" --flags "$flags" \
					--behaviour "$b" "$src" import)
				assert_eq "$src, $flags, behaviour $b: refused" \
					"import ERR EOPNOTSUPP" "$(line import "$out")"
			done
			out=$("$DP" import --dev "$EDU_DEV" --flags "$flags" --behaviour normal \
				"$src" import map unmap)
			assert_match "$src, $flags, behaviour normal: taken" \
				'^import OK id=[0-9]+$' "$(line import "$out")"
			assert_eq "$src, $flags, behaviour normal: and it maps" "map OK" \
				"$(line map "$out")"
		done
	done
	# the checks that come first still answer first
	out=$("$DP" import --dev "$EDU_DEV" --behaviour never udmabuf:4096 import)
	assert_eq "udmabuf, static, never: no invalidations to misbehave on" \
		"import ERR EINVAL" "$(line import "$out")"
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p --behaviour never \
		sys:4096:movable import map unmap)
	assert_match "dmapeek's buffer, never: taken" '^import OK id=[0-9]+$' \
		"$(line import "$out")"
	assert_eq "dmapeek's buffer, never: and it maps" "map OK" "$(line map "$out")"
	assert_eq "nothing left attached" "" "$("$DP" dump attachments)"
}
