#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2016 # (RST literals in single quotes, on purpose)
# The results files the lab writes itself, on a tiny made-up run:
#
# - tests/guest-lab.d/results.py (Documentation/results/check.rst) counts
#   each lane's PASS, FAIL and SKIP lines, takes a lane's time and the
#   host's load from the lab's lane.txt, lists what failed, keeps each
#   campaign's summary line as the test printed it, adds up the errno
#   lines, gives the replaying seed, and leaves out what --since says is
#   older than the run;
# - tests/bench/stats.py --rst (Documentation/results/bench-suite.rst)
#   writes the suite's figures with the run's date, kernel, topology and
#   load.
top=${abs_top_srcdir:-$(dirname "$0")/../..}
command -v python3 >/dev/null || { echo "SKIP: no python3 (Debian: python3)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0

# has WHAT FILE TEXT: FILE holds the line TEXT
has() {
	checks=$((checks + 1))
	if ! grep -qxF -- "$3" "$2"; then
		echo "FAIL: $1: no line '$3' in $2"
		fails=$((fails + 1))
	fi
}
# hasnt WHAT FILE TEXT: no line of FILE holds TEXT
hasnt() {
	checks=$((checks + 1))
	if grep -qF -- "$3" "$2"; then
		echo "FAIL: $1: '$3' is in $2"
		fails=$((fails + 1))
	fi
}

# A run: the host unit tests, two gates, one guest lane of this run and one
# an earlier run left behind.
logs=$tmp/logs-0000
lane=$logs/results-7.3-intel-root
old=$logs/results-7.3-switch
mkdir -p "$lane/logs" "$old/logs"
printf 'PASS: tests/unit/test-a\nPASS: tests/unit/test-b\nSKIP: tests/unit/test-c\n' >"$logs/make-check.log"
echo >"$logs/gates-sparse.result"
echo 0 >"$logs/gates-sparse.rc"
echo "line 12: bad" >"$logs/gates-mandoc.result"
echo 1 >"$logs/gates-mandoc.rc"
cat >"$lane/results.txt" <<'EOF'
PASS fuzz_ioctl_50k_mutated_structs_clean_errnos
SKIP fuzz_million_ioctl_ops: the million-operation lane runs with 'tests/guest-lab guest fuzz_million'
FAIL fault_sigkill_campaign_leaves_nothing_behind: 1 buffer left
PASS module_loads_and_unloads
END
EOF
cat >"$lane/lane.txt" <<'EOF'
start 1000
end 1125
load_start 1.50 1.20 0.90
load_end 2.00 1.40 1.00
EOF
echo '[    0.000000] Linux version 7.3.4+deb13-amd64 (debian-kernel@lists.debian.org)' >"$lane/dmesg.txt"
cat >"$lane/logs/fuzz_ioctl_50k_mutated_structs_clean_errnos.log" <<'EOF'
seed 1234
reproduce: /lab/src-0000/tests/guest/.libs/fuzz-ioctl --seed 1234 --ops 50000
cmd export calls=10 ok=4 enomem=0
cmd map calls=10 ok=0 enomem=0
errno EINVAL 7
errno ENOTTY 9
fuzz-ioctl ops=50000 ok=4 rejected=16 bad_nr=1 unexpected=0 seconds=4.1 ops_per_s=12230 enomem=0 failslab=0
held after the campaign: 0 buffers
EOF
cat >"$lane/logs/fault_sigkill_campaign_leaves_nothing_behind.log" <<'EOF'
seed=77 rounds=12 cap=150s (DMAPEEK_SEED=77 replays it)
sigkill campaign: seed=77 rounds=12 kills=62 operations=20117 fds_passed=565 duration=125s kmemleak=absent
fail: 1 buffer left
EOF
echo "PASS p2p_map_type_matches_topology" >"$old/results.txt"
echo END >>"$old/results.txt"
touch -d '2000-01-01 00:00 UTC' "$old/results.txt" "$old"
since=$(($(date +%s) - 86400))

out=$tmp/check.rst
if ! python3 "$top/tests/guest-lab.d/results.py" --since "$since" --source "a test" \
	-o "$out" "$logs"; then
	echo "FAIL: results.py failed"
	exit 1
fi
has "header" "$out" 'Written by ``tests/guest-lab check``; do not edit.  The figures are the'
has "kernel" "$out" "kernel      7.3.4+deb13-amd64"
has "load" "$out" "host load   7.3/intel-root 1.50 1.20 0.90 at the start, 2.00 1.40 1.00"
has "host tests" "$out" "host   -           2       0       1        -"
has "gates" "$out" "gates  -           1       1       0        -"
has "lane" "$out" "7.3    intel-root  2       1       1        2 min 05 s"
has "failure" "$out" "- 7.3/intel-root/fault_sigkill_campaign_leaves_nothing_behind: 1 buffer left"
has "gate failure" "$out" "- gates/mandoc: line 12: bad"
has "seed" "$out" "seed        1234 (DMAPEEK_FUZZ_SEED=1234 replays it)"
has "summary line" "$out" "fuzz-ioctl  ops=50000 ok=4 rejected=16 bad_nr=1 unexpected=0 seconds=4.1"
has "errnos" "$out" "errnos      ENOTTY 9, EINVAL 7"
has "succeeded" "$out" "succeeded   export 4"
has "replay" "$out" 'Replay: ``DMAPEEK_FUZZ_SEED=1234 tests/guest-lab guest fuzz_ioctl_50k_mutated_structs_clean_errnos``.'
has "sigkill" "$out" "campaign  seed=77 rounds=12 kills=62 operations=20117 fds_passed=565"
has "sigkill replay" "$out" 'Replay: ``DMAPEEK_SEED=77 tests/guest-lab guest fault_sigkill_campaign_leaves_nothing_behind``.'
has "skipped campaign" "$out" "\`\`fuzz_million_ioctl_ops\`\`: SKIP: the million-operation lane runs with 'tests/guest-lab guest fuzz_million'"
hasnt "older lane" "$out" "switch"

# A run with no logs writes nothing and says so.
checks=$((checks + 1))
if python3 "$top/tests/guest-lab.d/results.py" -o "$tmp/none.rst" "$tmp/nothing" 2>/dev/null ||
	[ -e "$tmp/none.rst" ]; then
	echo "FAIL: results.py wrote a file for a run that is not there"
	fails=$((fails + 1))
fi

# The benchmark suite's page.
printf 'lane\tpart\tcase\tmetric\tunit\tmedian\tlo\thi\tn\tref_case\tref_median\tratio\tnote\n' >"$tmp/b.tsv"
printf 'strict\trevoke\t100 importers\ttime\tms\t3.9\t3.5\t4.2\t5\t\t\t\t\n' >>"$tmp/b.tsv"
if ! python3 "$top/tests/bench/stats.py" --rst "$tmp/b.rst" --date "2026-12-04 10:00 UTC" \
	--kernel 7.3.4 --topology epyc-root --load "1.35 1.20 1.00" "$tmp/b.tsv" >/dev/null; then
	echo "FAIL: stats.py --rst failed"
	exit 1
fi
has "bench header" "$tmp/b.rst" 'Written by ``tests/guest-lab bench``; do not edit.  Each figure is the'
has "bench date" "$tmp/b.rst" "date       2026-12-04 10:00 UTC"
has "bench load" "$tmp/b.rst" "host load  1.35 1.20 1.00"
has "bench figure" "$tmp/b.rst" "strict  100 importers  time    3.9 [3.5..4.2] ms  5  -          -      -"

# Both are valid reStructuredText where docutils is at hand.
if python3 -c 'import docutils' 2>/dev/null; then
	for f in "$out" "$tmp/b.rst"; do
		checks=$((checks + 1))
		python3 -c 'import sys, docutils.core
docutils.core.publish_string(open(sys.argv[1]).read(), writer_name="null",
    settings_overrides={"halt_level": 2, "report_level": 2})' "$f" 2>&1 || {
			echo "FAIL: $f is not valid reStructuredText"
			fails=$((fails + 1))
		}
	done
fi

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
