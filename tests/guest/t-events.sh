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
	print("seq %d..%d, one by one, the same for both listeners" % (seqs[0], seqs[-1]))
	PY
	rm -f "$nl" "$nl.err" "$mon" "$batch"
}
