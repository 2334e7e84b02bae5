# shellcheck shell=bash
# Leak hunting over every dma-buf of the system: "dmapeek buffer all"
# with its holders (fd, mmap, both, the kernel alone), its "diff" and
# "watch", and the Prometheus series by process.  The ground truth is made
# here: buffers from udmabuf and the system dma-heap, made, mapped and
# released by tests/guest/dmabuf-helper.py hold at known moments, and a buffer
# dmapeek's module holds with no process.

HOLDER=$DMAPEEK_TOP/tests/guest/dmabuf-helper.py

# need_leak_sources: bufinfo, udmabuf and the system heap, or skip.
need_leak_sources() {
	[ -r /sys/kernel/debug/dma_buf/bufinfo ] || skip "no dma_buf debugfs (bufinfo)"
	[ -e /dev/udmabuf ] || modprobe udmabuf 2>/dev/null || true
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	[ -e /dev/dma_heap/system ] || skip "no system dma-heap (/dev/dma_heap/system)"
}

# hold_start OUT [N] ARGS...: the holder in the background, its output in
# OUT, until it (or, with --fork, each of its N children) is ready.  Sets
# HOLD_LAST (its pid) and HOLD_INODES (its buffers' inodes); hold_stop PID
# ends one, and every one left ends with the test.
HOLD_ALL=""
hold_start() {
	local out=$1 want=1
	shift
	case $1 in [0-9]*) want=$1; shift ;; esac
	python3 "$HOLDER" hold "$@" >"$out" 2>&1 &
	HOLD_LAST=$!
	HOLD_ALL="$HOLD_ALL $HOLD_LAST"
	trap hold_stop_all EXIT
	for _ in $(seq 300); do
		if [ "$(grep -c '^ready ' "$out" || true)" -ge "$want" ]; then
			HOLD_INODES=$(sed -n 's/^ready [0-9]* //p' "$out" | tr '\n' ' ')
			return 0
		fi
		kill -0 "$HOLD_LAST" 2>/dev/null || fail "the holder ended early: $(cat "$out")"
		sleep 0.1
	done
	fail "the holder was not ready in 30 s: $(cat "$out")"
}

hold_stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

hold_stop_all() {
	local p
	for p in $HOLD_ALL; do hold_stop "$p"; done
}

# The whole story of one interval: a process that makes three buffers
# while "diff" waits is named with the right count, bytes and exporter,
# first; a buffer whose process ended in the interval is gone.
test_leak_diff_names_the_process_that_grew_and_the_buffer_that_went() {
	need_leak_sources
	local t gone_pid gone_ino new_pid new_inos dpid
	t=$(mktemp -d)
	hold_start "$t/gone" --comm leak-gone --name leak-gone heap:32768
	gone_pid=$HOLD_LAST
	gone_ino=$HOLD_INODES
	"$DMAPEEK" -j buffer all diff 10 >"$t/diff" 2>"$t/diff.err" &
	dpid=$!
	sleep 2		# the first view is taken at once
	hold_stop "$gone_pid"
	hold_start "$t/new" --comm leak-grower udmabuf:65536:3
	new_pid=$HOLD_LAST
	new_inos=$HOLD_INODES
	wait "$dpid" || fail "dmapeek buffer all diff failed: $(cat "$t/diff.err")"
	python3 - "$t/diff" "$new_pid" "$new_inos" "$gone_pid" "$gone_ino" <<-'P' || fail "the diff does not tell what happened (above): $(cat "$t/diff")"
	import json, sys
	d = json.load(open(sys.argv[1]))
	new_pid, new = int(sys.argv[2]), [int(x) for x in sys.argv[3].split()]
	gone_pid, gone = int(sys.argv[4]), int(sys.argv[5])
	assert len(new) == 3, new
	appeared = {b["inode"]: b for b in d["appeared"]}
	for i in new:
	    assert i in appeared, ("did not appear", i, sorted(appeared))
	    b = appeared[i]
	    assert (b["exp_name"], b["size"]) == ("udmabuf", 65536), b
	    assert [(h["pid"], h["comm"], h["how"]) for h in b["holders"]] == \
	        [(new_pid, "leak-grower", "fd")], b["holders"]
	went = {b["inode"]: b for b in d["gone"]}
	assert gone in went, ("not gone", gone, sorted(went))
	assert (went[gone]["exp_name"], went[gone]["size"], went[gone]["name"]) == \
	    ("system", 32768, "leak-gone"), went[gone]
	assert not set(new) & set(went), "a new buffer is gone too"
	procs = {(p["pid"], p["comm"]): p for p in d["by_process"]}
	p = procs[(new_pid, "leak-grower")]
	assert (p["buffers"], p["bytes"], p["now_buffers"], p["now_bytes"],
	        p["appeared"], p["gone"]) == (3, 196608, 3, 196608, 3, 0), p
	q = procs[(gone_pid, "leak-gone")]
	assert (q["buffers"], q["bytes"], q["now_buffers"], q["now_bytes"],
	        q["appeared"], q["gone"]) == (-1, -32768, 0, 0, 0, 1), q
	assert d["by_process"][0]["pid"] == new_pid, ("not first", d["by_process"])
	exps = {e["exporter"]: e for e in d["by_exporter"]}
	u, s = exps["udmabuf"], exps["system"]
	assert (u["buffers"], u["bytes"], u["appeared"], u["gone"]) == (3, 196608, 3, 0), u
	assert (s["buffers"], s["bytes"], s["appeared"], s["gone"]) == (-1, -32768, 0, 1), s
	assert d["by_exporter"][0]["exporter"] == "udmabuf", d["by_exporter"]
	assert d["nr_appeared"] == len(d["appeared"]) and d["nr_gone"] == len(d["gone"])
	assert d["after"]["buffers"] - d["before"]["buffers"] == \
	    d["nr_appeared"] - d["nr_gone"], d
	assert 9.5e9 <= d["interval_ns"] < 30e9, d["interval_ns"]
	print("diff over %.1fs: %d appeared, %d gone; %s first" %
	      (d["interval_ns"] / 1e9, d["nr_appeared"], d["nr_gone"],
	       d["by_process"][0]["comm"]))
	P
	hold_stop "$new_pid"
}

# A buffer whose fd was closed after mmap() lives on in the mapping: it is
# the mapping process's (how "mmap", flag mmap-only), never unowned; a
# process with both an fd and a mapping holds "both".
test_leak_buffer_held_only_by_mmap_is_the_mapping_process() {
	need_leak_sources
	local t pid inos both_pid both_ino f
	t=$(mktemp -d)
	hold_start "$t/m" --comm leak-mapper --mmap-only heap:65536 udmabuf:16384
	pid=$HOLD_LAST
	inos=$HOLD_INODES
	hold_start "$t/b" --comm leak-both --mmap udmabuf:8192
	both_pid=$HOLD_LAST
	both_ino=$HOLD_INODES
	# the ground truth: no fd of a dma-buf left, its mappings in maps
	for f in /proc/"$pid"/fd/*; do
		case $(readlink "$f") in
		*dmabuf*) fail "the mapper still has a dma-buf fd: $f -> $(readlink "$f")" ;;
		esac
	done
	grep '/dmabuf:' "/proc/$pid/maps" || fail "no dma-buf mapping in /proc/$pid/maps"
	"$DMAPEEK" -j buffer all >"$t/all" || fail "dmapeek -j buffer all failed"
	"$DMAPEEK" buffer all >"$t/text" || fail "dmapeek buffer all failed"
	python3 - "$t/all" "$pid" "$inos" "$both_pid" "$both_ino" <<-'P' || fail "buffer all does not give the mapping process (above): $(cat "$t/all")"
	import json, sys
	d = json.load(open(sys.argv[1]))
	pid, inos = int(sys.argv[2]), [int(x) for x in sys.argv[3].split()]
	both_pid, both = int(sys.argv[4]), int(sys.argv[5])
	bufs = {b["inode"]: b for b in d["buffers"]}
	src = {s["name"]: (s["status"], s["unreadable"]) for s in d["sources"]}
	assert src["maps"] == ("ok", 0), src
	for ino, size in zip(inos, (65536, 16384)):
	    b = bufs[ino]
	    assert b["size"] == size, b
	    assert b["flags"] == ["mmap-only"], b
	    assert b["fds"] == [], b
	    assert [(h["pid"], h["comm"], h["how"], h["fds"], h["mappings"], h["mapped_bytes"])
	            for h in b["holders"]] == [(pid, "leak-mapper", "mmap", 0, 1, size)], b
	b = bufs[both]
	assert b["flags"] == [], b
	assert [(h["pid"], h["how"], h["fds"], h["mappings"]) for h in b["holders"]] == \
	    [(both_pid, "both", 1, 1)], b
	print("mapped only: %s; fd and mapping: %d" % (inos, both))
	P
	grep -q "pid $pid (leak-mapper) holds by mmap: 1 mappings of 64KiB" "$t/text" ||
		fail "the text lacks the mapping holder: $(cat "$t/text")"
	grep -q "pid $both_pid (leak-both) holds by both: fd [0-9]*, 1 mappings of 8KiB" "$t/text" ||
		fail "the text lacks the fd-and-mapping holder: $(cat "$t/text")"
}

# A buffer dmapeek's module holds after the command that made it ended has
# no fd and no mapping in any process: kernel-only, and "kernel" in a diff.
# Given to a process (buffer exec), it is that process's.
test_leak_buffer_kept_by_the_kernel_alone_is_kernel_only() {
	[ -r /sys/kernel/debug/dma_buf/bufinfo ] || skip "no dma_buf debugfs (bufinfo)"
	load_module
	local t sys out b ino
	t=$(mktemp -d)
	sys=$("$DMAPEEK" -j provider list | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "the module lists no system memory provider"
	"$DMAPEEK" -j buffer all diff 4 >"$t/diff" 2>"$t/diff.err" &
	local dpid=$!
	sleep 1
	out=$("$DMAPEEK" -j buffer export provider "$sys" size 1M name leak-held) ||
		fail "export: $out"
	b=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["buffer"])')
	# (nothing else touches the buffer until the diff's second view)
	wait "$dpid" || fail "diff failed: $(cat "$t/diff.err")"
	ino=$("$DMAPEEK" -j buffer show "$b" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["inode"])')
	"$DMAPEEK" -j buffer all >"$t/all" || fail "buffer all failed"
	"$DMAPEEK" buffer all >"$t/text" || fail "buffer all (text) failed"
	"$DMAPEEK" buffer exec "$b" -- "$DMAPEEK" -j buffer all >"$t/exec" ||
		fail "buffer all under buffer exec failed"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "buffer delete $b"
	python3 - "$t" "$b" "$ino" <<-'P' || fail "the held buffer is not told as the kernel's alone (above)"
	import json, os, sys
	t, bid, ino = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	load = lambda n: json.load(open(os.path.join(t, n)))
	b = {x["inode"]: x for x in load("all")["buffers"]}[ino]
	assert (b["buffer"], b["exp_name"], b["name"], b["size"]) == \
	    (bid, "dmapeek", "leak-held", 1 << 20), b
	assert b["flags"] == ["kernel-only"], b
	assert b["holders"] == [] and b["fds"] == [], b
	d = load("diff")
	k = [p for p in d["by_process"] if p["pid"] == 0 and p["comm"] == "kernel"]
	assert k and k[0]["appeared"] >= 1 and k[0]["bytes"] >= 1 << 20, d["by_process"]
	assert ino in [x["inode"] for x in d["appeared"]], d["appeared"]
	e = {x["inode"]: x for x in load("exec")["buffers"]}[ino]
	assert e["flags"] == [], e
	assert any(h["how"] == "fd" and h["comm"] == "dmapeek" for h in e["holders"]), e
	print("buffer %d (inode %d): kernel-only; held by %s under buffer exec" %
	      (bid, ino, [h["pid"] for h in e["holders"]]))
	P
	grep -A3 "^inode $ino " "$t/text" | grep -q "kernel: no process holds it" ||
		fail "the text does not say the kernel holds it: $(grep -A3 "^inode $ino " "$t/text")"
	unload_module
}

# watch: one document per interval, each against the one before; the
# buffer made in the second interval appears once, in that interval.
test_leak_watch_tells_each_interval_once() {
	need_leak_sources
	local t wpid
	t=$(mktemp -d)
	"$DMAPEEK" -j buffer all watch 2 count 3 >"$t/watch" 2>"$t/watch.err" &
	wpid=$!
	sleep 3
	hold_start "$t/h" --comm leak-watched udmabuf:4096
	wait "$wpid" || fail "buffer all watch failed: $(cat "$t/watch.err")"
	python3 - "$t/watch" "$HOLD_INODES" <<-'P' || fail "watch: (above) $(cat "$t/watch")"
	import json, sys
	lines = [json.loads(x) for x in open(sys.argv[1]) if x.strip()]
	ino = int(sys.argv[2])
	assert len(lines) == 3, len(lines)
	seen = [i for i, d in enumerate(lines) if ino in [b["inode"] for b in d["appeared"]]]
	assert len(seen) == 1, seen
	for d in lines:
	    assert 1.5e9 < d["interval_ns"] < 20e9, d["interval_ns"]
	print("appeared in interval %d of 3" % (seen[0] + 1))
	P
	# the option spelling, and the text's summary line
	"$DMAPEEK" buffer all --diff 0.5 >"$t/text" 2>&1 || fail "buffer all --diff failed: $(cat "$t/text")"
	grep -qE '^\[[0-9T:.-]+\] over [0-9.]+m?s: [0-9]+ dma-bufs' "$t/text" ||
		fail "no summary line: $(cat "$t/text")"
}

# The Prometheus series parse, and with 25 processes holding buffers there
# are still 11 process series: the 10 largest (exact) and "other".
test_leak_prometheus_processes_parse_and_stay_bounded() {
	need_leak_sources
	load_module
	local t
	t=$(mktemp -d)
	hold_start "$t/h" 25 --comm leakp --fork 25 heap:4096
	"$DMAPEEK" stats format prometheus >"$t/prom" || fail "stats format prometheus failed"
	grep '^dmapeek_process_' "$t/prom" || fail "no process series: $(cat "$t/prom")"
	python3 - "$t/prom" "$t/h" <<-'P' || fail "the metrics (above) are wrong"
	import re, sys
	from collections import defaultdict
	name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
	label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
	sample = re.compile(r"^(%s)(\{%s(?:,%s)*\})? ([0-9]+(?:\.[0-9]+)?)$" % (name, label, label))
	help_, type_, series, order = {}, {}, set(), []
	values = defaultdict(dict)
	for line in open(sys.argv[1]).read().splitlines():
	    if line.startswith("# HELP ") or line.startswith("# TYPE "):
	        fam = line.split()[2]
	        (help_ if line[2] == "H" else type_)[fam] = line
	        if not order or order[-1] != fam:
	            assert fam not in order, "family %s not contiguous" % fam
	            order.append(fam)
	        continue
	    m = sample.match(line)
	    assert m, "malformed: %r" % line
	    fam = m.group(1)
	    assert fam in help_ and fam in type_ and order[-1] == fam, "no HELP/TYPE before %r" % line
	    assert type_[fam].endswith(" gauge"), type_[fam]
	    key = (fam, m.group(2) or "")
	    assert key not in series, "twice: %r" % line
	    series.add(key)
	    values[fam][m.group(2) or ""] = int(float(m.group(3)))
	procs = values["dmapeek_process_buffers"]
	nbytes = values["dmapeek_process_buffer_bytes"]
	assert len(procs) == 11 and set(procs) == set(nbytes), procs
	other = '{pid="other",comm="other"}'
	assert other in procs, procs
	kids = {}
	for line in open(sys.argv[2]):
	    if line.startswith("ready "):
	        pid = int(line.split()[1])
	        kids[pid] = len(kids)	# not in child order: read the comm
	for pid in list(kids):
	    kids[pid] = int(open("/proc/%d/comm" % pid).read().strip().split("-")[1])
	assert len(kids) == 25, kids
	for pid, k in kids.items():
	    lab = '{pid="%d",comm="leakp-%d"}' % (pid, k)
	    if k >= 15:		# the ten largest: (k + 1) pages each
	        assert procs.get(lab) == 1 and nbytes.get(lab) == (k + 1) * 4096, (lab, procs)
	    else:
	        assert lab not in procs, ("a small one has a series", lab)
	assert procs[other] >= 15 and nbytes[other] >= sum((k + 1) * 4096 for k in range(15)), \
	    (procs[other], nbytes[other])
	print("%d series, %d process series; other: %d buffers, %d bytes" %
	      (len(series), len(procs), procs[other], nbytes[other]))
	P
	if command -v promtool >/dev/null; then
		promtool check metrics <"$t/prom" >"$t/lint" 2>&1 || fail "promtool: $(cat "$t/lint")"
		[ ! -s "$t/lint" ] || fail "promtool: $(cat "$t/lint")"
	fi
	hold_stop "$HOLD_LAST"
	unload_module
}
