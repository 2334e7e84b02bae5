# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the fault and safety tests (t-fault.sh, t-safety.sh): exporter
# processes in the background driven through fifos, the module's object
# counts, the event log, the round trip that proves a provider works.

. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

DP_CHURN=$DMAPEEK_TOP/tests/guest/dp-churn
IMP_P2P=5		# DMAPEEK_IMPORT_DYNAMIC | PEER2PEER
NORMAL=1 NEVER=2 DELAYED=3	# enum dmapeek_behaviour
# event types (enum dmapeek_event_type)
EV_INVALIDATE=9 EV_MOVE_DONE=11 EV_REVOKE_BEGIN=12 EV_REVOKE_DONE=13 EV_STUCK=15

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

FAULT_TMP=$(mktemp -d)

# ------------------------------------------------------------ processes

# px_start TAG ARGS: "dp export ARGS" in the background, fed from a
# fifo (several at once, unlike a coprocess); sets PX_BUF
px_start() {
	local d=$FAULT_TMP/$1 fd line i
	shift
	mkdir -p "$d"
	mkfifo "$d/in"
	"$DP" export "$@" <"$d/in" >"$d/out" 2>&1 &
	echo $! >"$d/pid"
	exec {fd}>"$d/in"
	echo "$fd" >"$d/fd"
	for i in $(seq 300); do
		line=$(head -n 1 "$d/out")
		[ -n "$line" ] && break
		sleep 0.1
	done
	case $line in buffer=*) ;; *) fail "dp export $*: ${line:-nothing}" ;; esac
	PX_BUF=$(kv buffer "$line")
}

# px TAG CMD: one command, its answer on stdout (waits up to 60 s)
px() {
	local d=$FAULT_TMP/$1 n i
	shift
	n=$(wc -l <"$d/out")
	echo "$*" >&"$(cat "$d/fd")"
	for i in $(seq 600); do
		[ "$(wc -l <"$d/out")" -gt "$n" ] && break
		sleep 0.1
	done
	sed -n "$((n + 1))p" "$d/out"
}

px_stop() {
	local d=$FAULT_TMP/$1
	local fd
	[ -f "$d/pid" ] || return 0
	fd=$(cat "$d/fd")
	{ echo quit >&"$fd"; } 2>/dev/null || true
	exec {fd}>&-
	wait "$(cat "$d/pid")" 2>/dev/null || true
	rm -f "$d/pid"
}

# ev_count TYPE PATTERN: events of TYPE whose line matches PATTERN
ev_count() {
	grep -E "^event type=$1 " "$EVLOG" | grep -cE -- "$2" || true
}

# (object_counts, assert_nothing_left and kmemleak_scan are in lib.sh)

# --------------------------------------------------------------- setup

# fault_setup: module, the first ivshmem (BAR2 provider) and the edu bound
fault_setup() {
	need_dp
	[ -x "$DP_CHURN" ] || skip "dp-churn was not built"
	load_module
	IV=$(need_pci $IVSHMEM_ID | head -n 1)
	EDU=$(edu_bdf)
	bind_dmapeek "$IV"
	bind_dmapeek "$EDU"
	fault_ids
}

fault_ids() {
	BARPROV=$(kv id "$("$DP" dump providers | grep "bdf=$IV" | grep -E ' bar=2( |$)')")
	[ -n "$BARPROV" ] || fail "no BAR2 provider for $IV"
	IVDEV=$(kv id "$("$DP" dump devices | grep "bdf=$IV")")
	EDUDEV=$(kv id "$("$DP" dump devices | grep "bdf=$EDU")")
	[ -n "$IVDEV" ] && [ -n "$EDUDEV" ] || fail "ivshmem or edu not a dmapeek device"
}

# fault_roundtrip: a fresh export on the BAR, imported and mapped by its
# device and written by the CPU; a movable buffer the edu writes, moved to
# the BAR and back, read back by the edu
fault_roundtrip() {
	local out
	out=$("$DP" import --dev "$IVDEV" --flags dynamic,p2p "export:$BARPROV:2" import map \
		cpu-fill:0:8192:51 cpu-check:0:8192:51 unmap detach)
	echo "$out"
	assert_eq "new BAR buffer mapped" "map OK" "$(line map "$out")"
	case $(line cpu-check "$out") in
	"cpu-check OK bad=0"|"cpu-check NOCPU") ;;
	*) fail "the new BAR does not keep its bytes: $(line cpu-check "$out")" ;;
	esac
	out=$("$DP" import --dev "$EDUDEV" --flags dynamic,p2p sys:8192:movable import \
		dma-write:0:8192:52 "move:$BARPROV" cpu-check:0:8192:52 move:1 \
		dma-read:0:8192:52)
	echo "$out"
	assert_eq "move to the new BAR" "move OK" "$(echo "$out" | grep ^move | sed -n 1p)"
	assert_eq "the edu's bytes on the new BAR" "cpu-check OK bad=0" "$(line cpu-check "$out")"
	assert_eq "move back" "move OK" "$(echo "$out" | grep ^move | sed -n 2p)"
	assert_eq "edu round trip after the device came back" "dma-read OK MATCH bad=0" \
		"$(line dma-read "$out")"
	assert_nothing_left "after the round trip"
}

# fault_held_survived WHEN FILE...: every buffer and attachment the churn
# outputs FILE... say they made held ("held buffer ID", "held attachment
# ID") is still listed, held; prints how many of each
fault_held_survived() {
	local when=$1 bufs atts missing
	shift
	bufs=$(sed -n 's/^held buffer //p' "$@" | sort -un | tr '\n' ' ')
	atts=$(sed -n 's/^held attachment //p' "$@" | sort -un | tr '\n' ' ')
	missing=$(python3 -c '
import json, subprocess, sys
def held(obj):
    j = json.loads(subprocess.check_output([sys.argv[1], "-j", obj, "list"]))
    return {o["id"] for o in j if o.get("held") or "held" in (o.get("flags") or [])}
b, a = held("buffer"), held("attachment")
print(" ".join(["buffer " + i for i in sys.argv[2].split() if int(i) not in b] +
               ["attachment " + i for i in sys.argv[3].split() if int(i) not in a]))
' "$DMAPEEK" "$bufs" "$atts") || fail "$when: listing the held objects failed"
	[ -z "$missing" ] || fail "$when: held but gone after the kills: $missing"
	echo "$(echo $bufs | wc -w) $(echo $atts | wc -w)"
}

# ---------------------------------------------------- responsiveness

# timed_ms CMD...: run CMD, print "MS OUTPUT-LAST-LINE"
timed_ms() {
	local t0 out
	t0=$(now_ms)
	out=$("$@" 2>&1 | tail -n 1 | cut -c 1-60)
	echo "$(( $(now_ms) - t0 )) $out"
}

# assert_responsive TAG WHAT: while WHAT (sent with bg_px TAG) waits for an
# importer, a netlink dump and an export ioctl (both taking the exporter's
# locks) finish, and WHAT has still not answered when they have: they did
# not queue behind it.  (Order, not a time bound: the emulated guest on a
# loaded host takes seconds for a dump.  The times are printed.)
assert_responsive() {
	local r out=$FAULT_TMP/$1/out
	r=$(timed_ms "$DP" dump buffers)
	echo "buffer dump during the $2: $r"
	[ "$(wc -l <"$out")" -eq "$BG_N" ] ||
		fail "the $2 answered before a buffer dump begun during it returned (${r%% *} ms): $(sed -n "$((BG_N + 1)),\$p" "$out" | tr '\n' '|')"
	r=$(timed_ms "$DP" try 1 64K pinned)
	echo "export during the $2: $r"
	assert_eq "export during the $2" ok "${r#* }"
	[ "$(wc -l <"$out")" -eq "$BG_N" ] ||
		fail "the $2 answered before an export begun during it returned (${r%% *} ms): $(sed -n "$((BG_N + 1)),\$p" "$out" | tr '\n' '|')"
}

# bg_px TAG CMD: send CMD without waiting for the answer (see bg_answer)
bg_px() {
	local d=$FAULT_TMP/$1
	shift
	BG_N=$(wc -l <"$d/out")
	echo "$*" >&"$(cat "$d/fd")"
}

# bg_answer TAG: the answer to bg_px's command (waits up to 30 s)
bg_answer() {
	local d=$FAULT_TMP/$1 i
	for i in $(seq 300); do
		[ "$(wc -l <"$d/out")" -gt "$BG_N" ] && break
		sleep 0.1
	done
	sed -n "$((BG_N + 1))p" "$d/out"
}
