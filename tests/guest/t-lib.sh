# SPDX-License-Identifier: GPL-2.0-only
# libdmapeek's API against the live module (tests/guest/lib-check.c).

LIB_CHECK=$DMAPEEK_TOP/tests/guest/lib-check
# Installed: the program itself, not libtool's wrapper (which points it at
# the tree's library); it then loads the system's libdmapeek.so.0.
[ "${DMAPEEK_INSTALLED:-0}" = 1 ] && LIB_CHECK=$DMAPEEK_TOP/tests/guest/.libs/lib-check

# lib_check_in PROGRAM ARGS...: run a check program (ok/fail lines).  The
# programs never skip: the module this tree built is loaded and the lab's
# devices bound, so an exit status 77 is a failure too.
lib_check_in() {
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	echo "$out"
	case $rc in
	0) echo "$out" | grep -q '^ok ' || fail "$* printed no result" ;;
	77) fail "$(basename "$1") ${2:-} skipped (no check may skip here): $(echo "$out" | tail -n1)" ;;
	*) fail "$(basename "$1") ${2:-}: $(echo "$out" | sed -n 's/^fail: //p' | tail -n1)" ;;
	esac
}

# lib_check CHECK: one check of lib-check ("burst 1000": words split).
lib_check() {
	# shellcheck disable=SC2086
	lib_check_in "$LIB_CHECK" $1
}

lib_bind_all() {
	local bdf
	for bdf in $(lspci -D -n -d 1af4:1110 | awk '{print $1}') \
		   $(lspci -D -n -d 1234:11e8 | awk '{print $1}'); do
		"$DMAPEEK" bind "$bdf" >/dev/null || fail "bind $bdf failed"
	done
}

test_lib_nested_iterations_and_lookups_agree() {
	load_module
	lib_bind_all
	lib_check iterate
}

test_lib_missing_id_sets_errno() {
	load_module
	lib_check lookup
}

test_lib_iteration_ended_early_then_full() {
	load_module
	lib_bind_all
	lib_check early-end
}

test_lib_events_subscribe_and_drain() {
	load_module
	lib_check events
}

test_lib_events_burst_in_order_or_loss_counted() {
	load_module
	lib_bind_all
	lib_check "burst 1000"
}

# Real replies and kernel text for the host tests (tests/unit/data/README).
test_lib_capture_replies_for_host_tests() {
	load_module
	lib_bind_all
	mkdir -p "$DMAPEEK_OUT/captures"
	lib_check_in "$DMAPEEK_TOP/tests/guest/nl-capture" "$DMAPEEK_OUT/captures"
	local f
	for f in nl-provider-dump.bin nl-buffer-dump.bin nl-attachment-dump.bin \
		 nl-revoke.bin nl-error-noent.bin nl-events.bin bufinfo.txt \
		 fdinfo-named.txt; do
		[ -s "$DMAPEEK_OUT/captures/$f" ] || fail "capture $f is empty"
	done
	grep -q 'cap revocable buf' "$DMAPEEK_OUT/captures/bufinfo.txt" ||
		fail "bufinfo lacks the buffer named with spaces"
}

# The streaming benchmark (Documentation/benchmarks.rst, "Listing at
# scale"): figures, and memory that does not grow with the number of
# buffers.
test_lib_bench_streaming_list() {
	load_module
	lib_bind_all
	local n out
	: >"$DMAPEEK_OUT/bench.txt"
	for n in 1000 10000; do
		out=$("$DMAPEEK_TOP/tests/bench/bench-list" "$n" --repeat 1 --cli "$DMAPEEK" 2>&1) ||
			fail "bench-list $n: $out"
		echo "$out" | tee -a "$DMAPEEK_OUT/bench.txt"
	done
	python3 - "$DMAPEEK_OUT/bench.txt" <<-'P' || fail "memory grew with N: $(cat "$DMAPEEK_OUT/bench.txt")"
	import re, sys
	r = {}
	for line in open(sys.argv[1]):
	    if line.startswith("RESULT "):
	        d = dict(kv.split("=") for kv in line.split()[1:])
	        r[int(d["n"])] = d
	# the iterator's peak RSS does not grow while it streams the dump
	assert all(int(d["lib_rss_growth_kib"]) < 1024 for d in r.values()), r
	# ten times the buffers: the CLI's peak RSS within 1 MiB
	assert int(r[10000]["cli_rss_kib"]) < int(r[1000]["cli_rss_kib"]) + 1024, r
	P
}
