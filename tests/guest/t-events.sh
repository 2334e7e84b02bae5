# SPDX-License-Identifier: GPL-2.0-only
# Events are numbered (seq, ABI 1.2): while anybody listens, each event the
# module makes gets the next number, also one it fails to send, so a
# listener tells a lost event by a gap, and the module counts its own
# losses in dropped.  Two listeners see the same numbers: nl-decode (libnl,
# its own parser) and dmapeek monitor (libdmapeek).
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

EVENTS_ROUNDS=10

# events_batch FILE: EVENTS_ROUNDS buffers, each through a whole life:
# export, import by the edu, map, unmap, map, revoke, restore, detach
# (the buffers are released when the batch's dmapeek exits)
events_batch() {
	local i
	{
		echo '$sys = provider find kind system'
		echo '$client = device find bdf $edu'
		for i in $(seq "$EVENTS_ROUNDS"); do
			echo "\$b = export provider \$sys size 64K model revocable name seq-$i"
			echo '$a = import buffer $b device $client dynamic'
			echo 'map $a'
			echo 'unmap $a'
			echo 'map $a'
			echo 'revoke $b timeout 500'
			echo 'restore $b'
			echo 'detach $a'
		done
	} >"$1"
}

test_events_numbered_in_order_without_gaps() {
	setup_import
	local nl mon batch i pid_nl pid_mon
	nl=$(mktemp) mon=$(mktemp) batch=$(mktemp)
	"$DMAPEEK" -j monitor timeout 10 >"$mon" 2>&1 &
	pid_mon=$!
	"$NL_DECODE" events 10 >"$nl" 2>"$nl.err" &
	pid_nl=$!
	for i in $(seq 100); do grep -q '^listening' "$nl.err" && break; sleep 0.1; done
	grep -q '^listening' "$nl.err" || fail "nl-decode did not listen: $(cat "$nl.err")"
	sleep 3		# the monitor subscribes (no word of it with -j)
	events_batch "$batch"
	"$DMAPEEK" -D "edu=$EDU" -b "$batch" >/dev/null || fail "the batch failed"
	wait "$pid_nl" || fail "nl-decode events exited $?: $(cat "$nl.err")"
	wait "$pid_mon" || fail "dmapeek monitor exited $?: $(cat "$mon")"
	python3 - "$nl" "$mon" "$EVENTS_ROUNDS" <<-'PY' || fail "event numbers: see above"
	import json, sys
	nl = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	mon = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
	rounds = int(sys.argv[3])
	print("nl-decode: %d events, dmapeek monitor: %d lines" % (len(nl), len(mon)))
	# each round: create, attach, map, unmap, map, revoke-begin/done, ...
	assert len(nl) >= 6 * rounds, "too few events: %d" % len(nl)
	no_seq = [e for e in nl if "seq" not in e]
	assert not no_seq, "events without seq: %s" % no_seq[:3]
	seqs = [e["seq"] for e in nl]
	gaps = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != a + 1]
	assert not gaps, "not one by one: %s" % gaps[:5]
	assert seqs[0] >= 1, seqs[0]
	assert all(e.get("dropped") == 0 for e in nl), "dropped: %s" % sorted(
	    {e.get("dropped") for e in nl})
	missed = [m for m in mon if "missed" in m]
	assert not missed, "the monitor reports a gap: %s" % missed
	mseqs = [m["seq"] for m in mon]
	assert mseqs == seqs, "the monitor saw %s..., nl-decode %s..." % (mseqs[:5], seqs[:5])
	assert all(m.get("dropped") == 0 for m in mon), "the monitor's dropped"
	# the timestamp is taken with the number: seq order is time order
	back = [(a, b) for a, b in zip(nl, nl[1:]) if b["timestamp_ns"] < a["timestamp_ns"]]
	assert not back, "timestamps go back in seq order: %s" % [
	    ((a["seq"], a["timestamp_ns"]), (b["seq"], b["timestamp_ns"])) for a, b in back[:3]]
	print("seq %d..%d, one by one, the same for both listeners" % (seqs[0], seqs[-1]))
	PY
	rm -f "$nl" "$nl.err" "$mon" "$batch"
}

# A listener whose socket overruns loses events itself: it is told
# (ENOBUFS, with NETLINK_BROADCAST_ERROR also the multicast's result), and
# that is not the module's loss: every event's dropped stays 0 for a
# listener that keeps up, and its numbers have no gap.
test_events_listener_overrun_is_not_a_module_drop() {
	setup_import
	local nl slow batch grp i pid_nl pid_slow
	grp=$("$NL_DECODE" family | sed -n 's/^id=[0-9]* events=\([0-9]*\)$/\1/p')
	[ -n "$grp" ] || fail "no events group"
	nl=$(mktemp) slow=$(mktemp) batch=$(mktemp)
	# never reads until the batch is done: SO_RCVBUF as small as it goes
	python3 - "$grp" "$slow.go" >"$slow" 2>&1 <<-'PY' &
	import errno, os, socket, sys, time
	# Debian's python3 leaves NETLINK_GENERIC out of its socket module
	NETLINK_GENERIC, SOL_NETLINK, ADD_MEMBERSHIP, BROADCAST_ERROR = 16, 270, 1, 4
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
	s.setsockopt(SOL_NETLINK, BROADCAST_ERROR, 1)
	s.bind((0, 0))
	s.setsockopt(SOL_NETLINK, ADD_MEMBERSHIP, int(sys.argv[1]))
	print("listening", flush=True)
	while not os.path.exists(sys.argv[2]):
	    time.sleep(0.1)
	s.setblocking(False)
	overrun = 0
	while True:
	    try:
	        s.recv(65536)
	    except BlockingIOError:
	        break
	    except OSError as e:
	        if e.errno != errno.ENOBUFS:
	            raise
	        overrun += 1
	print("overrun=%d" % overrun, flush=True)
	PY
	pid_slow=$!
	"$NL_DECODE" events 10 >"$nl" 2>"$nl.err" &
	pid_nl=$!
	for i in $(seq 100); do
		grep -q '^listening' "$nl.err" && grep -q '^listening' "$slow" && break
		sleep 0.1
	done
	grep -q '^listening' "$nl.err" || fail "nl-decode did not listen: $(cat "$nl.err")"
	grep -q '^listening' "$slow" || fail "the slow listener did not listen: $(cat "$slow")"
	events_batch "$batch"
	"$DMAPEEK" -D "edu=$EDU" -b "$batch" >/dev/null || fail "the batch failed"
	touch "$slow.go"
	wait "$pid_slow" || fail "the slow listener failed: $(cat "$slow")"
	wait "$pid_nl" || fail "nl-decode events exited $?: $(cat "$nl.err")"
	cat "$slow"
	grep -q '^overrun=[1-9]' "$slow" || fail "the slow listener never overran: $(cat "$slow")"
	python3 - "$nl" <<-'PY' || fail "an overrun counted as the module's drop: see above"
	import json, sys
	nl = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	seqs = [e["seq"] for e in nl]
	gaps = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != a + 1]
	assert not gaps, "the listener that kept up has gaps: %s" % gaps[:5]
	assert all(e.get("dropped") == 0 for e in nl), "dropped: %s" % sorted(
	    {e.get("dropped") for e in nl})
	print("%d events, seq %d..%d, dropped 0 throughout" % (len(nl), seqs[0], seqs[-1]))
	PY
	rm -f "$nl" "$nl.err" "$slow" "$slow.go" "$batch"
}

# ------------------------------------------------------------ monitor --all
# "dmapeek monitor --all": the dma-buf core's tracepoints, every exporter's
# events with the process behind each, merged in time order with the
# module's own, from a tracing instance of the monitor's own that goes
# when it ends.  Ground truth: dp import makes and imports a udmabuf (so
# its pid did the export, fd, get, attach, detach and put), dmapeek
# exports a buffer of its own, foreign_buf makes buffers without
# dmapeek at all, as the process "foreign-buf.py".

foreign_buf() {
	"$DMAPEEK_TOP/tests/guest/dmabuf-helper.py" burst --comm foreign-buf.py "$@"
}
MON_ALL_BURST=2000
timeout_for_monitor_all_burst_counts_every_event=600

# need_trace: tracefs (mounted here if it is not), the kernel's dma_buf
# tracepoints and a dmapeek built with tracefs support; sets TRACEFS
need_trace() {
	local out rc=0
	TRACEFS=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
	if [ -z "$TRACEFS" ]; then
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
			skip "tracefs is not mounted and cannot be"
		TRACEFS=/sys/kernel/tracing
	fi
	[ -d "$TRACEFS/events/dma_buf" ] || skip "no dma_buf tracepoints in this kernel"
	out=$("$DMAPEEK" monitor --all timeout 1 2>&1 >/dev/null) || rc=$?
	case "$out" in
	*"built without tracefs"*) skip "dmapeek was built without tracefs support" ;;
	esac
	[ "$rc" = 0 ] || fail "monitor --all timeout 1 exited $rc: $out"
}

# mon_start LOG [FILTER...]: "dmapeek -j monitor --all" into LOG; returns
# once its instance exists and it listens.  Sets MONPID.
mon_start() {
	local log=$1 i
	shift
	"$DMAPEEK" -j monitor --all "$@" >"$log" 2>"$log.err" &
	MONPID=$!
	for i in $(seq 100); do
		[ -d "$TRACEFS/instances/dmapeek-$MONPID" ] && break
		sleep 0.1
	done
	[ -d "$TRACEFS/instances/dmapeek-$MONPID" ] ||
		fail "monitor --all made no instance dmapeek-$MONPID: $(cat "$log.err")"
	sleep 3		# events enabled, the module's group joined (no word of it with -j)
}

# mon_stop [SIGNAL]: end the monitor (INT by default): it exits 0, having
# removed its instance
mon_stop() {
	local sig=${1:-INT} rc=0
	sleep 0.5	# past the monitor's hold-back of each line
	kill -"$sig" "$MONPID"
	# it ends within seconds (removing its instance); if not, say where
	# it waits instead of running into the test's time limit
	for _ in $(seq 300); do
		kill -0 "$MONPID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$MONPID" 2>/dev/null; then
		grep -E '^(State|SigBlk|SigIgn|SigPnd|ShdPnd)' "/proc/$MONPID/status"
		echo "wchan: $(cat "/proc/$MONPID/wchan" 2>/dev/null)"
		cat "/proc/$MONPID/stack" 2>/dev/null
		tail -n 5 "$MONPID.err" 2>/dev/null
		kill -KILL "$MONPID"
		fail "monitor --all still running 30 s after SIG$sig"
	fi
	wait "$MONPID" || rc=$?
	[ "$rc" = 0 ] || fail "monitor --all exited $rc after SIG$sig"
	[ ! -e "$TRACEFS/instances/dmapeek-$MONPID" ] ||
		fail "instance dmapeek-$MONPID still in $TRACEFS/instances after SIG$sig"
}

# mon_scenario OUT: a udmabuf imported into the edu by dp import (mapped,
# unmapped, detached), then a buffer dmapeek exports; OUT gets
# "imp_pid=N att=N exp_pid=N"
mon_scenario() {
	local imp batch pid att
	imp=$(mktemp) batch=$(mktemp)
	"$DP" import --dev "$EDU_DEV" udmabuf:16384 import map unmap detach >"$imp" &
	pid=$!
	wait "$pid" || fail "dp import failed: $(cat "$imp")"
	att=$(sed -n 's/^import OK id=\([0-9]*\).*/\1/p' "$imp")
	[ -n "$att" ] || fail "dp import did not import: $(cat "$imp")"
	printf '%s\n' '$sys = provider find kind system' \
		'export provider $sys size 64K name mon-all' >"$batch"
	"$DMAPEEK" -b "$batch" >/dev/null &
	echo "imp_pid=$pid att=$att exp_pid=$!" >"$1"
	wait "$!" || fail "dmapeek's export failed"
	rm -f "$imp" "$batch"
}

test_monitor_all_foreign_exporter_events_name_the_process() {
	setup_import
	need_trace
	local log who
	log=$(mktemp) who=$(mktemp)
	mon_start "$log"
	mon_scenario "$who"
	mon_stop INT
	cat "$who"
	python3 - "$log" "$(cat "$who")" "$EDU" <<-'PY' || fail "monitor --all: see above"
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	who = dict(kv.split("=") for kv in sys.argv[2].split())
	imp, exp, edu = int(who["imp_pid"]), int(who["exp_pid"]), sys.argv[3]
	core = [e for e in lines if e.get("source") == "dma_buf" and "type" in e]
	print("%d lines, %d of the dma-buf core" % (len(lines), len(core)))
	assert not [l for l in lines if "lost" in l], "events lost"
	ud = [e for e in core if e.get("exp_name") == "udmabuf" and e["pid"] == imp]
	types = [e["type"] for e in ud]
	print("dp import's udmabuf:", " ".join(types))
	life = ["export", "fd", "get", "attach", "detach", "put"]
	it = iter(types)
	assert all(t in it for t in life), "not %s in that order: %s" % (life, types)
	bad = [e for e in ud if e["comm"] != "dp"]
	assert not bad, "comm is not dp: %s" % bad[:2]
	inodes = {e["inode"] for e in ud}
	assert len(inodes) == 1, "one buffer, inodes %s" % inodes
	assert all(e["size"] == 16384 for e in ud), "size"
	assert [e["fd"] for e in ud if e["type"] in ("fd", "get")], "fd and get carry the fd"
	att = [e for e in ud if e["type"] in ("attach", "detach")]
	assert all(e["device"] == edu and e["dynamic"] is False for e in att), \
	    "attach/detach: importer %s, static: %s" % (edu, att)
	other = [e for e in core if e.get("inode") in inodes and e["pid"] != imp]
	assert not other, "another process touched dp import's buffer: %s" % other[:2]
	dx = [e for e in core if e.get("exp_name") == "dmapeek" and e["type"] == "export"]
	assert dx, "no dma_buf export of dmapeek's buffer"
	assert dx[0]["pid"] == exp and dx[0]["comm"] == "dmapeek", dx[0]
	print("dmapeek's export: pid %d comm %s inode %d" % (exp, dx[0]["comm"], dx[0]["inode"]))
	PY
	rm -f "$log" "$log.err" "$who"
}

test_monitor_all_merges_module_events_in_time_order() {
	setup_import
	need_trace
	local log who
	log=$(mktemp) who=$(mktemp)
	mon_start "$log"
	mon_scenario "$who"
	mon_stop TERM
	python3 - "$log" "$(cat "$who")" <<-'PY' || fail "monitor --all: see above"
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	who = dict(kv.split("=") for kv in sys.argv[2].split())
	imp, att = int(who["imp_pid"]), int(who["att"])
	ev = [e for e in lines if "timestamp_ns" in e]
	assert len(ev) == len(lines), "lines that are no event: %s" % [
	    l for l in lines if "timestamp_ns" not in l][:3]
	assert {e["source"] for e in ev} == {"dma_buf", "dmapeek"}, "both streams"
	back = [(a, b) for a, b in zip(ev, ev[1:]) if b["timestamp_ns"] < a["timestamp_ns"]]
	assert not back, "out of time order: %s" % back[:2]
	def at(pred, what):
	    i = [n for n, e in enumerate(ev) if pred(e)]
	    assert i, "no %s" % what
	    return i[0]
	core = lambda t: lambda e: (e["source"] == "dma_buf" and e["type"] == t and
	                            e["pid"] == imp and e["exp_name"] == "udmabuf")
	mod = lambda t: lambda e: (e["source"] == "dmapeek" and e["type"] == t and
	                           e.get("attachment") == att)
	order = [at(core("attach"), "core attach"), at(mod("attach"), "module attach"),
	         at(mod("map"), "module map"), at(mod("unmap"), "module unmap"),
	         at(core("detach"), "core detach"), at(mod("detach"), "module detach")]
	print("attach, map, unmap, detach of attachment %d at lines %s" % (att, order))
	assert order == sorted(order), "the module's events are not between the core's"
	assert any(e["source"] == "dmapeek" and e["type"] == "buffer-create" for e in ev)
	print("%d events, nondecreasing, both streams interleaved" % len(ev))
	PY
	rm -f "$log" "$log.err" "$who"
}

# The monitor's instance goes however the monitor is told to end.
test_monitor_all_removes_its_instance_on_sigterm_and_sighup() {
	need_trace
	local log sig out
	log=$(mktemp)
	for sig in TERM HUP INT; do
		mon_start "$log"
		out=$(foreign_buf udmabuf 8192) || fail "foreign-buf.py: $out"
		mon_stop "$sig"
		grep -q '"type":"export","exp_name":"udmabuf"' "$log" ||
			fail "SIG$sig: the events read were not printed on the way out: $(cat "$log")"
		echo "SIG$sig: exit 0, instance dmapeek-$MONPID removed"
	done
	# and one no signal ends: the idle timeout
	"$DMAPEEK" monitor --all timeout 2 >/dev/null 2>&1 &
	MONPID=$!
	wait "$MONPID" || fail "monitor --all timeout 2 exited $?"
	[ ! -e "$TRACEFS/instances/dmapeek-$MONPID" ] || fail "instance left after the timeout"
	rm -f "$log" "$log.err"
}

test_monitor_all_filters_by_exporter_process_and_type() {
	setup_import
	need_trace
	local go d l
	d=$(mktemp -d)
	go=$d/go
	# the importer's pid is known before it runs: a shell that waits, then
	# becomes dp import (exec keeps the pid)
	sh -c 'while [ ! -e "$1" ]; do sleep 0.1; done
	       exec "$2" import --dev "$3" udmabuf:16384 import map unmap detach' \
		sh "$go" "$DP" "$EDU_DEV" >"$d/imp" &
	local hp=$!
	mon_start "$d/exp" exporter udmabuf
	local m1=$MONPID
	mon_start "$d/type" type attach
	local m2=$MONPID
	mon_start "$d/pid" pid "$hp"
	local m3=$MONPID
	mon_start "$d/comm" comm dmapeek type export
	local m4=$MONPID
	touch "$go"
	wait "$hp" || fail "dp import failed: $(cat "$d/imp")"
	foreign_buf heap 8192 >/dev/null 2>&1 || true	# another exporter, if there is a heap
	printf '%s\n' '$sys = provider find kind system' 'export provider $sys size 64K' \
		>"$d/batch"
	"$DMAPEEK" -b "$d/batch" >/dev/null || fail "dmapeek's export failed"
	for MONPID in $m1 $m2 $m3 $m4; do mon_stop INT; done
	for l in exp type pid comm; do echo "$l: $(wc -l <"$d/$l") lines"; done
	python3 - "$d" "$hp" <<-'PY' || fail "filters: see above"
	import json, os, sys
	d, hp = sys.argv[1], int(sys.argv[2])
	read = lambda n: [json.loads(l) for l in open(os.path.join(d, n)) if l.strip()]
	exp, typ, pid, comm = read("exp"), read("type"), read("pid"), read("comm")
	assert exp and all(e["source"] == "dma_buf" and e["exp_name"] == "udmabuf"
	                   for e in exp), "exporter udmabuf: %s" % exp[:3]
	assert {"export", "attach", "detach"} <= {e["type"] for e in exp}, exp
	assert all(e["type"] == "attach" for e in typ), "type attach: %s" % typ[:3]
	assert {e["source"] for e in typ} == {"dma_buf", "dmapeek"}, \
	    "type attach is both kinds': %s" % typ
	assert pid and all(e["source"] == "dma_buf" and e["pid"] == hp for e in pid), \
	    "pid %d: %s" % (hp, pid[:3])
	assert {"export", "get", "attach", "detach", "put"} <= {e["type"] for e in pid}, pid
	assert comm and all(e["comm"] == "dmapeek" and e["type"] == "export" and
	                    e["exp_name"] == "dmapeek" for e in comm), "comm dmapeek: %s" % comm
	print("exporter, type, pid and comm each kept exactly their events")
	PY
	rm -rf "$d"
}

test_monitor_all_refused_without_root() {
	need_trace
	local user=dmapeek-user out rc=0 before after
	id "$user" >/dev/null 2>&1 || useradd -M -s /bin/sh "$user" ||
		skip "no account $user"
	before=$(ls "$TRACEFS/instances")
	out=$(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
		--inh-caps=-all "$DMAPEEK" monitor --all 2>&1) || rc=$?
	echo "$out"
	assert_eq "exit code of a refusal" 4 "$rc"
	assert_match "names what is missing" 'needs root' "$out"
	after=$(ls "$TRACEFS/instances")
	assert_eq "no instance made" "$before" "$after"
}

# Every exporter's events need no dmapeek.ko.
test_monitor_all_without_module_shows_core_events() {
	need_trace
	local log out pid
	[ -e /dev/udmabuf ] || modprobe udmabuf 2>/dev/null || true
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	unload_module
	log=$(mktemp)
	mon_start "$log"
	out=$(foreign_buf udmabuf 16384 1 mmap) || fail "foreign-buf.py: $out"
	pid=$(kv pid "$out")
	mon_stop INT
	grep -q 'dmapeek.ko is not loaded' "$log.err" ||
		fail "no word that the module is not loaded: $(cat "$log.err")"
	python3 - "$log" "$pid" <<-'PY' || fail "monitor --all without the module: see above"
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	pid = int(sys.argv[2])
	mine = [e for e in lines if e.get("pid") == pid]
	print(" ".join("%s/%s" % (e["type"], e["comm"]) for e in mine))
	assert {"export", "fd", "mmap-internal"} <= {e["type"] for e in mine}, mine
	assert all(e["source"] == "dma_buf" and e["exp_name"] == "udmabuf" and
	           e["comm"] == "foreign-buf.py" for e in mine), mine
	assert not [e for e in lines if e.get("source") == "dmapeek"], "module events"
	PY
	rm -f "$log" "$log.err"
}

# A burst: every event is printed or counted as lost, never dropped
# silently; and what the monitor costs, in CPU time per event.
test_monitor_all_burst_counts_every_event() {
	need_trace
	local log out pid ticks
	[ -e /dev/udmabuf ] || modprobe udmabuf 2>/dev/null || true
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	log=$(mktemp)
	mon_start "$log" exporter udmabuf
	out=$(foreign_buf udmabuf 4096 "$MON_ALL_BURST") || fail "foreign-buf.py: $out"
	pid=$(kv pid "$out")
	sleep 2
	ticks=$(awk '{ print $14 + $15 }' "/proc/$MONPID/stat")
	mon_stop INT
	python3 - "$log" "$pid" "$MON_ALL_BURST" "$ticks" "$(getconf CLK_TCK)" \
		<<-'PY' || fail "burst: see above"
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	pid, n, ticks, hz = (int(x) for x in sys.argv[2:6])
	mine = [e for e in lines if e.get("pid") == pid]
	lost = max([l["lost"] for l in lines if "lost" in l] or [0])
	exports = sum(e["type"] == "export" for e in mine)
	fds = sum(e["type"] == "fd" for e in mine)
	print("%d buffers: %d export and %d fd events printed, %d counted lost" %
	      (n, exports, fds, lost))
	print("monitor --all: %.1f ms of CPU for %d events (%.1f us each)" %
	      (1000.0 * ticks / hz, len(lines), 1e6 * ticks / hz / max(len(lines), 1)))
	assert exports <= n and fds <= n, "more events than buffers"
	assert exports + fds + lost >= 2 * n, "events neither printed nor counted"
	if not lost:
	    assert exports == n and fds == n, "no loss told, yet events missing"
	PY
	rm -f "$log" "$log.err"
}

# ------------------------------------------------------------ tracepoints

# trace_instance NAME: a tracefs instance of our own (its buffer and its
# event switches, the global trace untouched) with every dmapeek event
# on; sets TR to its directory
trace_instance() {
	local t=/sys/kernel/tracing
	mountpoint -q $t || mount -t tracefs none $t 2>/dev/null ||
		skip "no tracefs at $t"
	[ -d $t/events/dmapeek ] || fail "dmapeek.ko is loaded but $t/events/dmapeek is missing"
	TR=$t/instances/$1
	rmdir "$TR" 2>/dev/null || true
	mkdir "$TR" || skip "cannot make a tracefs instance"
	echo 1 >"$TR/events/dmapeek/enable" || fail "cannot enable events/dmapeek"
}

trace_instance_end() {
	echo 0 >"$1/events/dmapeek/enable" 2>/dev/null || true
	rmdir "$1" 2>/dev/null || true
}

# Every event the module makes fires its tracepoint, with nobody listening
# on netlink: a revoke under a mapped importer shows revoke-begin,
# invalidate and unmap of that attachment with its importer's device,
# and revoke-done with the begin's operation number; the fields hold ids
# and figures, never a pointer.
test_events_tracepoints_fire_without_a_netlink_listener() {
	setup_import
	local tr out b a f
	trace_instance dmapeek-tp
	tr=$TR
	b=$("$DMAPEEK" -j buffer export provider 1 size 64K model revocable name tp |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["buffer"])') ||
		fail "export"
	a=$("$DMAPEEK" -j attachment import buffer "$b" device "$EDU_DEV" dynamic |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["attachment"])') ||
		fail "import"
	"$DMAPEEK" attachment map "$a" >/dev/null || fail "map $a"
	"$DMAPEEK" buffer revoke "$b" timeout 2000 >/dev/null || fail "revoke $b"
	"$DMAPEEK" buffer restore "$b" >/dev/null || fail "restore $b"
	"$DMAPEEK" attachment delete "$a" >/dev/null || fail "attachment delete $a"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "buffer delete $b"
	sleep 0.5
	out=$(mktemp)
	cat "$tr/trace" >"$out"
	grep 'dmapeek_' "$out" | sed 's/^.*\(dmapeek_[a-z_]*: \)/\1/'
	python3 - "$out" "$b" "$a" "$EDU" <<-'PY' || fail "tracepoints: see above"
	import re, sys
	b, a, edu = sys.argv[2], sys.argv[3], sys.argv[4]
	ev = []
	for line in open(sys.argv[1]):
	    m = re.search(r"dmapeek_([a-z_]+): (\S+) (.*)$", line)
	    if m:
	        f = dict(kv.split("=", 1) for kv in m.group(3).split())
	        ev.append((m.group(1), m.group(2), f))
	def find(name, **want):
	    for n, t, f in ev:
	        if n == name and t == name.replace("_", "-") and \
	           all(f.get(k) == v for k, v in want.items()):
	            return f
	    raise AssertionError("no %s %s in %d events" % (name, want, len(ev)))
	find("buffer_create", buffer=b, attachment="0", importer="")
	find("attach", buffer=b, attachment=a, importer=edu)
	find("map", buffer=b, attachment=a, importer=edu)
	begin = find("revoke_begin", buffer=b, count="1")
	find("invalidate", buffer=b, attachment=a, importer=edu)
	find("unmap", buffer=b, attachment=a, importer=edu)
	done = find("revoke_done", buffer=b, count="0", error="0")
	assert begin["op"] == done["op"] != "0", (begin, done)
	find("restore", buffer=b)
	find("detach", buffer=b, attachment=a, importer=edu)
	find("buffer_release", buffer=b)
	print("%d dmapeek trace events, with their ids" % len(ev))
	PY
	for f in "$tr"/events/dmapeek/dmapeek_*/format; do
		if sed -n '/^format:/,/^print fmt/p' "$f" | grep 'field:' |
			grep -v 'field:unsigned short common_type\|field:unsigned char common_\|field:int common_pid' |
			grep -q '\*'; then
			fail "a pointer field in $f: $(grep 'field:.*\*' "$f")"
		fi
	done
	trace_instance_end "$tr"
	rm -f "$out"
	unload_module
}

# The tracepoints and the netlink events come from one place: a batch of
# whole buffer lives gives the monitor and the trace the same events,
# type by type, with the same buffer and attachment ids.
test_events_tracepoints_agree_with_netlink_events() {
	setup_import
	local tr mon batch pid_mon
	trace_instance dmapeek-agree
	tr=$TR
	mon=$(mktemp) batch=$(mktemp)
	"$DMAPEEK" -j monitor timeout 10 >"$mon" 2>&1 &
	pid_mon=$!
	sleep 3		# the monitor subscribes (no word of it with -j)
	events_batch "$batch"
	"$DMAPEEK" -D "edu=$EDU" -b "$batch" >/dev/null || fail "the batch failed"
	wait "$pid_mon" || fail "dmapeek monitor exited $?: $(cat "$mon")"
	python3 - "$mon" "$tr/trace" <<-'PY' || fail "tracepoints and netlink events differ: see above"
	import collections, json, re, sys
	mon = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	nl = collections.Counter((m["type"], m.get("buffer", 0), m.get("attachment", 0))
	                         for m in mon if "type" in m)
	tp = collections.Counter()
	for line in open(sys.argv[2]):
	    m = re.search(r"dmapeek_[a-z_]+: (\S+) buffer=(\d+) attachment=(\d+) ", line)
	    if m:
	        tp[(m.group(1), int(m.group(2)), int(m.group(3)))] += 1
	print("netlink: %d events, tracepoints: %d" % (sum(nl.values()), sum(tp.values())))
	assert sum(nl.values()) >= 60, "too few events: %d" % sum(nl.values())
	assert nl == tp, "only netlink: %s; only traced: %s" % (
	    list((nl - tp).items())[:5], list((tp - nl).items())[:5])
	print("the same %d events, type by type, with the same ids" % sum(tp.values()))
	PY
	trace_instance_end "$tr"
	rm -f "$mon" "$batch"
}
