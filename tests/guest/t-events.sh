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
