# SPDX-License-Identifier: GPL-2.0-only
# The benchmark ioctl (DMAPEEK_IOC_BENCH_MAP), kept covered by one fast
# test; the benchmarks themselves run in "tests/guest-lab bench".  Only a
# module built with --enable-debug-knobs (the lab's) has it.

# shellcheck source=tests/guest/import-lib.sh
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

DP_BENCH=$DMAPEEK_TOP/tests/bench/dp-bench

# field KEY LINE: the value of KEY=VALUE in LINE
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

test_bench_map_times_paths_and_rejects_bad_input() {
	local out att line ns lo hi un calls
	setup_import
	[ -x "$DP_BENCH" ] || skip "dp-bench was not built"
	# (zero iterations: EINVAL from a module that has the ioctl)
	[ "$("$DP_BENCH" map 0 2 4096 0 1)" != "map err=ENOTTY" ] ||
		skip "dmapeek.ko was built without --enable-debug-knobs (no DMAPEEK_IOC_BENCH_MAP)"
	# A 64 KiB system-memory buffer imported into the edu, held by dp-bench.
	out=$(mktemp)
	"$DP_BENCH" import-buffer "$EDU_DEV" 65536 >"$out" 2>&1 &
	local pid=$!
	# shellcheck disable=SC2064
	trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null" EXIT
	for _ in $(seq 100); do grep -q attachment= "$out" && break; sleep 0.1; done
	att=$(field attachment "$(cat "$out")")
	[ -n "$att" ] || fail "import-buffer: $(cat "$out")"

	# Two-step IOVA (path 2) and per-page sg table (path 5), 4 mappings each.
	for p in 2:16 5:16; do
		line=$("$DP_BENCH" map "$att" "${p%%:*}" 65536 4 1)
		ns=$(field ns "$line"); lo=$(field min_ns "$line"); hi=$(field max_ns "$line")
		un=$(field unmap_ns "$line"); calls=$(field calls "$line")
		[ -n "$ns" ] || { fail "path ${p%%:*}: $line"; }
		# Each mapping took time, the mean lies between the extremes, and a
		# 64 KiB mapping of 16 pages takes far less than a second.
		[ "$lo" -gt 0 ] && [ "$lo" -le "$ns" ] && [ "$ns" -le "$hi" ] &&
			[ "$hi" -lt 1000000000 ] && [ "$un" -gt 0 ] ||
			{ fail "path ${p%%:*}: implausible times: $line"; }
		[ "${p%%:*}" = 2 ] && [ "$calls" -ge 1 ] && [ "$calls" -le 16 ] ||
			[ "$calls" = "${p#*:}" ] || { fail "path ${p%%:*}: calls: $line"; }
		# The lab boots a strict IOMMU: the edu is in a DMA domain.
		assert_eq "domain of path ${p%%:*}" dma "$(field domain "$line")"
	done
	# The kernel's phys_vec helper is for MMIO only: not system memory.
	assert_eq "helper on system memory" "map err=EOPNOTSUPP" \
		"$("$DP_BENCH" map "$att" 1 65536 1 1)"

	# Bad input: unknown path, unaligned or oversized length, no or too
	# many iterations, non-zero flags; an unknown attachment.
	assert_eq "unknown path" "map err=EINVAL" "$("$DP_BENCH" map "$att" 99 65536 1 1)"
	assert_eq "unaligned length" "map err=EINVAL" "$("$DP_BENCH" map "$att" 2 4095 1 1)"
	assert_eq "length beyond buffer" "map err=EINVAL" "$("$DP_BENCH" map "$att" 2 131072 1 1)"
	assert_eq "zero iterations" "map err=EINVAL" "$("$DP_BENCH" map "$att" 2 65536 0 1)"
	assert_eq "too many iterations" "map err=EINVAL" "$("$DP_BENCH" map "$att" 2 65536 65 1)"
	assert_eq "flags" "map err=EINVAL" "$("$DP_BENCH" map "$att" 2 65536 1 1 1)"
	assert_eq "unknown attachment" "map err=ENOENT" "$("$DP_BENCH" map 999999 2 65536 1 1)"
}
