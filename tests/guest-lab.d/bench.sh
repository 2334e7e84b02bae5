# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# guest-lab's benchmark lane (sourced by tests/guest-lab): "tests/guest-lab
# bench [PART...] [quick]".  Boots the guest once per IOMMU mode and runs
# tests/bench/run in each; the mapping paths are measured in every mode,
# the other parts (enumeration, revoke, events, cost) in the strict one.
# The lab's command line (LAB_CMDLINE) asks for a strict IOMMU; a lane
# appends what changes it through LAB_APPEND, the kernel taking the last
# value of a parameter.  QEMU's Intel IOMMU runs with caching-mode=on, and
# the kernel then forces strict invalidation ("IOMMU batching disallowed
# due to virtualization"): the lazy lane is strict in this lab, which the
# results show (domain "dma", not "dma-fq").  Results: $LAB_LOGS/bench/bench-LANE.tsv, the
# table on stdout and in Documentation/results/bench-suite.rst.  Not part of "check": a full run takes over an hour.

LAB_BENCH_PARTS="enum map revoke events cost"
# Mapping paths need the BAR and edu to talk through the host bridge: the
# AMD CPU model (see the demo) unless a topology is given.
LAB_BENCH_TOPOLOGY=epyc-root

# lane name, then what it appends to the command line
lab_bench_lanes() {
	echo "strict -"
	echo "lazy iommu.strict=0"
	echo "pt iommu=pt"
}

lab_bench() {
	local parts="" quick="" arg lane append strict_parts lane_parts
	local out="$LAB_ROOT$LAB_OUT" dst="$LAB_LOGS/bench" rc=0 splat
	for arg in "$@"; do
		case " $LAB_BENCH_PARTS quick " in
		*" $arg "*) ;;
		*) lab_die "bench: unknown part '$arg' ($LAB_BENCH_PARTS, quick)" ;;
		esac
		if [ "$arg" = quick ]; then quick=--quick; else parts="$parts,$arg"; fi
	done
	strict_parts=${parts#,}
	strict_parts=${strict_parts:-${LAB_BENCH_PARTS// /,}}
	[ -n "${DMAPEEK_LAB_TIMEOUT:-}" ] || LAB_TIMEOUT=7200
	[ -n "$LAB_TOPOLOGY_SET" ] || LAB_TOPOLOGY=$LAB_BENCH_TOPOLOGY
	rm -rf "$dst"
	mkdir -p "$dst"
	local load0 date0
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	date0=$(date -u '+%F %H:%M UTC')
	while read -r lane append; do
		lane_parts=$strict_parts
		if [ "$lane" != strict ]; then
			case ",$strict_parts," in *,map,*) lane_parts=map ;; *) continue ;; esac
		fi
		[ "$append" = - ] && append=""
		rm -rf "$out"
		mkdir -p "$out"
		lab_log "bench lane $lane ($LAB_TOPOLOGY${append:+, $append}): $lane_parts"
		local t0=$SECONDS
		LAB_APPEND="${LAB_APPEND:-} $append" lab_boot "$LAB_TOPOLOGY" "$(lab_kernel_image)" \
			"$LAB_SRC/tests/bench/run" --lane "$lane" --parts "$lane_parts" \
			--out "$LAB_OUT" ${quick:+"$quick"} || true
		cp -a "$out/." "$dst/" 2>/dev/null || true
		cp "$LAB_LOGS/console-$LAB_TOPOLOGY.log" "$dst/console-$lane.log" 2>/dev/null || true
		if [ "$(cat "$dst/bench-$lane.done" 2>/dev/null)" != 0 ]; then
			echo "FAIL bench/$lane: the suite did not finish cleanly (see $dst/bench-$lane.txt)"
			tail -n 20 "$dst/bench-$lane.txt" 2>/dev/null | sed 's/^/    /'
			rc=1
		fi
		splat=$(lab_scan_log "$dst/dmesg.txt" "$dst/console-$lane.log")
		if [ -n "$splat" ]; then
			echo "FAIL bench/$lane/kernel_log_clean: splat in the guest's kernel log"
			echo "$splat"
			rc=1
		fi
		lab_log "bench lane $lane done in $((SECONDS - t0)) s"
	done < <(lab_bench_lanes)
	echo "bench: $(date -u +%F), kernel $(lab_kver), topology $LAB_TOPOLOGY; results in $dst"
	local files=()
	while read -r lane append; do
		[ -f "$dst/bench-$lane.tsv" ] && files+=("$dst/bench-$lane.tsv")
	done < <(lab_bench_lanes)
	# The tables, and the same as Documentation/results/bench-suite.rst
	# (its date, kernel, topology and the host's load).
	mkdir -p "$LAB_TOP/Documentation/results"
	[ ${#files[@]} -gt 0 ] && python3 "$LAB_TOP/tests/bench/stats.py" \
		--rst "$LAB_TOP/Documentation/results/bench-suite.rst" \
		--date "$date0" --kernel "$(lab_kver)" --topology "$LAB_TOPOLOGY" \
		--load "$load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1, 5, 15 min)${quick:+; quick sizes}" \
		"${files[@]}" || rc=1
	return $rc
}
