# SPDX-License-Identifier: GPL-2.0-only
# Allocation failures: the kernel's fault injection (failslab and
# fail_page_alloc, Documentation/fault-injection/) fails slab and page
# allocations at random in the processes that drive dmapeek, in every ioctl
# and every netlink operation: export (each model, system memory and an
# ivshmem BAR), import (static, dynamic, pinned, p2p), map, unmap, detach,
# move, revoke, restore, edu DMA, audit, the gets and the dumps.  Each must
# fail cleanly: an errno, then nothing left (dumps, bufinfo, kmemleak), no
# splat in the kernel log, and the module unloads.
#
# Only tasks with /proc/PID/make-it-fail set see failures (task-filter), and
# the tools set it on themselves around the calls under test only (see
# tests/guest/failslab.h): the rest of the guest, the shell and the tools'
# own start-up allocate as usual.  Needs CONFIG_FAILSLAB,
# CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS: the lab's
# debug kernel (tests/guest-lab.d/debug-kernel.sh), not Debian's.
#
# DMAPEEK_FUZZ_SEED replays a run; DMAPEEK_FAILSLAB_SECONDS (per fuzzer,
# default 45), DMAPEEK_FAILSLAB_PROBABILITY (slab, %, default 5) and
# DMAPEEK_FAILSLAB_PAGE_PROBABILITY (page, %, default 2) tune it.
. "$DMAPEEK_TOP/tests/guest/fuzz-lib.sh"

FI=/sys/kernel/debug
FI_TIMES=1000000000	# "times": what is left of it counts the failures injected
FI_SAVED=()

# The kernel log's splats (tests/guest-lab's LAB_SPLAT, which the lab checks
# on the whole run) and what an allocation failure could print instead of
# failing quietly: the campaign checks its own part of the log for both.
FI_SPLAT='WARNING:|BUG:|Call Trace:|Oops|Kernel panic|KASAN:|UBSAN:|kmemleak: [0-9]+ new suspected|unreferenced object 0x|possible circular locking|possible recursive locking|inconsistent lock state|DEBUG_LOCKS_WARN_ON|lockdep|hung_task|blocked for more than|soft lockup|general protection fault|DMA-API:|page allocation failure|vmalloc error|VM_FAULT_OOM|kmemleak.*disabled|Cannot allocate a kmemleak'

timeout_for_failslab_allocation_failures_in_every_op_leave_nothing_behind=900

# fi_save: the settings the campaign changes, for fi_restore
fi_save() {
	local d a
	FI_SAVED=()
	for d in failslab fail_page_alloc; do
		for a in task-filter interval space verbose ignore-gfp-wait times probability; do
			FI_SAVED+=("$d/$a=$(cat "$FI/$d/$a")")
		done
	done
	for a in failslab/cache-filter fail_page_alloc/ignore-gfp-highmem fail_page_alloc/min-order; do
		FI_SAVED+=("$a=$(cat "$FI/$a")")
	done
}

# fi_restore: injection off first, then every setting as it was (the EXIT
# trap: also when the test fails or is stopped).  Were it killed before,
# task-filter keeps what is left to tasks with make-it-fail: none remain.
fi_restore() {
	local s
	echo 0 >$FI/failslab/probability 2>/dev/null || true
	echo 0 >$FI/fail_page_alloc/probability 2>/dev/null || true
	for s in "${FI_SAVED[@]}"; do
		echo "${s#*=}" >"$FI/${s%%=*}" 2>/dev/null || true
	done
	FI_SAVED=()
}

# fi_set FILE VALUE
fi_set() {
	echo "$2" >"$FI/$1" || fail "cannot set $FI/$1 to $2"
}

# fi_configure SLAB% PAGE%: fail allocations of make-it-fail tasks only,
# sleeping ones too (GFP_KERNEL: ignore-gfp-wait=N), pages of any order
# and kind (min-order=0, ignore-gfp-highmem=N), silently (verbose=0: no
# "FAULT_INJECTION: forcing a failure" line, no stack), "times" large.
#
# An injected failure never reaches warn_alloc() in the page allocator
# (should_fail_alloc_page() fails the call in prepare_alloc_pages(), before
# the slow path) nor SLUB's report (should_failslab() fails it before
# ___slab_alloc()).  What could still print is a caller that reports the
# failure itself: vmalloc's warn_alloc() with a stack trace (kvmalloc()'s
# fallback; the module's user-sized kvmalloc()s are __GFP_NOWARN), SLUB's
# "Unable to allocate memory" lines, no stack, when an injected page
# failure hits a slab refill (counted below, not a splat), and DMA-API
# debugging when its cacheline tree cannot grow (avoided: failslab.h).
fi_configure() {
	local d
	for d in failslab fail_page_alloc; do
		fi_set $d/probability 0
		fi_set $d/task-filter Y
		fi_set $d/interval 1
		fi_set $d/space 0
		fi_set $d/verbose 0
		fi_set $d/ignore-gfp-wait N
		fi_set $d/times $FI_TIMES
	done
	fi_set failslab/cache-filter N
	fi_set fail_page_alloc/ignore-gfp-highmem N
	fi_set fail_page_alloc/min-order 0
	fi_set failslab/probability "$1"
	fi_set fail_page_alloc/probability "$2"
}

# fi_injected NAME: failures injected since fi_configure
fi_injected() { echo $((FI_TIMES - $(cat "$FI/$1/times"))); }

# enomem_per_op OUTPUT: "NAME=N ..." from a fuzzer's "cmd NAME ... enomem=N" lines
enomem_per_op() {
	echo "$1" | awk '$1 == "cmd" { for (i = 3; i <= NF; i++) if ($i ~ /^enomem=/) {
		sub("enomem=", "", $i); printf "%s%s=%s", sep, $2, $i; sep = " " } }'
}

# fi_script NAME DP-IMPORT-ARGS...: a scripted sequence, each call retried
# while it fails for want of memory (dp import --failslab): every step must
# end as it does without injection.  Adds its ENOMEMs to FI_SCRIPT_ENOMEM.
fi_script() {
	local name=$1 out rc=0 total bad
	shift
	out=$("$DP" import --failslab 200 "$@" 2>&1) || rc=$?
	echo "--- $name"
	echo "$out"
	[ "$rc" = 0 ] || fail "$name: dp import exited with $rc"
	bad=$(echo "$out" | grep -E '(^| )(ERR|MISMATCH|UNKNOWN-STEP)( |$)|^[a-z-]+ E[A-Z0-9]+( |$)|result=mismatch|stuck=[1-9]' || true)
	[ -z "$bad" ] || fail "$name: a step did not end as without injection: $(echo "$bad" | head -n 1)"
	total=$(echo "$out" | grep '^fi-total ' || true)
	[ -n "$total" ] || fail "$name: no fi-total line (was dp import run with --failslab?)"
	FI_SCRIPT_ENOMEM=$((FI_SCRIPT_ENOMEM + $(kv enomem "$total")))
	FI_SCRIPT_LOST=$((FI_SCRIPT_LOST + $(kv lost "$total")))
}

# The campaign: both fuzzers in their --failslab mode (random valid and
# invalid requests of every ioctl and every netlink operation, ENOMEM and
# the other errnos an allocation failure may give expected), then scripted
# sequences through dp import that retry each call until it succeeds and
# check that the result is still right (DMA data, move, revoke, restore).
test_failslab_allocation_failures_in_every_op_leave_nothing_behind() {
	[ -d $FI/failslab ] && [ -d $FI/fail_page_alloc ] ||
		skip "no $FI/failslab or fail_page_alloc: this kernel lacks CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC or CONFIG_FAULT_INJECTION_DEBUG_FS (the lab's debug kernel has them)"
	[ -e /proc/self/make-it-fail ] || skip "no /proc/self/make-it-fail (CONFIG_FAULT_INJECTION)"
	[ -x "$FUZZ_IOCTL" ] && [ -x "$FUZZ_NL" ] || skip "the fuzzers were not built"
	local iv edudev ivdev barprov seed secs pslab ppage line marker log
	local ioctl_out nl_out enomem_ioctl enomem_nl inj_slab inj_page splat slub dma_api_off=
	iv=$(lspci -D -n -d "$IVSHMEM_ID" | awk 'NR == 1 { print $1 }')
	[ -n "$iv" ] || skip "no ivshmem ($IVSHMEM_ID) in this guest: the BAR's exports need one"
	setup_campaign		# a fresh module, the edu and that ivshmem bound
	edudev=$EDU_DEV
	ivdev=$(kv id "$("$DP" dump devices | grep "bdf=$iv")")
	barprov=$(kv id "$("$DP" dump providers | grep "bdf=$iv" | grep -E ' bar=2( |$)')")
	[ -n "$ivdev" ] && [ -n "$barprov" ] || fail "ivshmem $iv: no dmapeek device or BAR2 provider"
	seed=$(campaign_seed)
	secs=${DMAPEEK_FAILSLAB_SECONDS:-45}
	pslab=${DMAPEEK_FAILSLAB_PROBABILITY:-5}
	ppage=${DMAPEEK_FAILSLAB_PAGE_PROBABILITY:-2}
	echo "seed=$seed (DMAPEEK_FUZZ_SEED=$seed replays it) slab=$pslab% page=$ppage% seconds=$secs per fuzzer"
	[ ! -r $FI/dma-api/disabled ] || dma_api_off=$(cat $FI/dma-api/disabled)
	[ ! -w "$KMEMLEAK" ] || echo clear >"$KMEMLEAK"
	marker="dmapeek-test: failslab campaign seed=$seed begins"
	echo "$marker" >/dev/kmsg

	fi_save
	trap fi_restore EXIT
	trap 'exit 143' TERM INT
	fi_configure "$pslab" "$ppage"

	fuzz_run "$FUZZ_IOCTL" --failslab --seed "$seed" --ops 1000000 --time "$secs"
	line=$(echo "$FUZZ_OUT" | grep '^fuzz-ioctl ' || true)
	assert_eq "fuzz-ioctl exit status (seed $seed)" 0 "$FUZZ_RC"
	assert_campaign_line "fuzz-ioctl" "$line"
	assert_eq "fuzz-ioctl ran with injection" 1 "$(kv failslab "$line")"
	enomem_ioctl=$(kv enomem "$line")
	ioctl_out=$FUZZ_OUT

	fuzz_run "$FUZZ_NL" --failslab --seed $((seed + 1)) --ops 1000000 --time "$secs" --objects 40
	line=$(echo "$FUZZ_OUT" | grep '^fuzz-nl ' || true)
	assert_eq "fuzz-nl exit status (seed $((seed + 1)))" 0 "$FUZZ_RC"
	assert_campaign_line "fuzz-nl" "$line"
	assert_eq "fuzz-nl ran with injection" 1 "$(kv failslab "$line")"
	enomem_nl=$(kv enomem "$line")
	nl_out=$FUZZ_OUT
	# what mutated HOLD flags left held may fill the BAR the scripts use
	drop_campaign_held

	FI_SCRIPT_ENOMEM=0 FI_SCRIPT_LOST=0
	fi_script "static import of a pinned system buffer, map and audit, DMA" \
		--dev "$edudev" sys:16384:pinned import map mappings audit \
		attachment dma-write:0:8192:21 cpu-check:0:8192:21 cpu-fill:8192:4096:22 \
		dma-read:8192:4096:22 unmap detach
	fi_script "pinned dynamic p2p import, netlink map and unmap, DMA" \
		--dev "$edudev" --flags dynamic,pin,p2p sys:8192:pinned import nlmap mappings \
		nlunmap dma-write:0:8192:31 cpu-check:0:8192:31 detach
	fi_script "movable system buffer moved to the BAR and back under DMA" \
		--dev "$edudev" --flags dynamic,p2p sys:8192:movable import dma-write:0:8192:41 \
		"move:$barprov" cpu-check:0:8192:41 move:1 dma-read:0:8192:41 mappings detach
	fi_script "revocable system buffer revoked and restored under DMA" \
		--dev "$edudev" --flags dynamic,p2p sys:16384:revocable import \
		dma-write:0:8192:51 cpu-check:0:8192:51 revoke:1000 restore \
		dma-read:0:8192:51 mappings attachment detach
	fi_script "BAR buffer imported by its own device, p2p" \
		--dev "$ivdev" --flags dynamic,p2p "export:$barprov:4" import map mappings audit \
		unmap detach
	if [ -e /dev/udmabuf ]; then
		fi_script "udmabuf imported by dmapeek's importer" \
			--dev "$edudev" --flags dynamic udmabuf:16384 import map mappings audit \
			nlunmap dma-write:0:4096:61 cpu-check:0:4096:61 detach
	fi

	inj_slab=$(fi_injected failslab)
	inj_page=$(fi_injected fail_page_alloc)
	fi_restore
	echo "failures injected: slab=$inj_slab page=$inj_page;" \
		"ENOMEM seen: ioctl=$enomem_ioctl netlink=$enomem_nl scripted=$FI_SCRIPT_ENOMEM;" \
		"replies lost: scripted=$FI_SCRIPT_LOST"
	echo "ENOMEM per ioctl: $(enomem_per_op "$ioctl_out")"
	echo "ENOMEM per netlink op: $(enomem_per_op "$nl_out")"
	assert_positive "slab allocation failures injected" "$inj_slab"
	assert_positive "page allocation failures injected" "$inj_page"
	assert_positive "ENOMEM answers seen" $((enomem_ioctl + enomem_nl + FI_SCRIPT_ENOMEM))

	# Injection off: everything torn down, nothing leaked, the module goes.
	drop_campaign_held
	assert_nothing_left "after the failslab campaign (seed $seed)"
	objects_back_to_zero
	sleep 5		# kmemleak reports objects older than 5 s
	kmemleak_scan "after the failslab campaign and rmmod (seed $seed)"

	log=$(dmesg | sed -n "/$marker/,\$p")
	[ -n "$log" ] || log=$(dmesg)
	splat=$(echo "$log" | grep -E "$FI_SPLAT" || true)
	if [ -n "$splat" ]; then
		echo "$splat" | head -n 40
		fail "the kernel log has a splat since the campaign began (seed $seed): $(echo "$splat" | head -n 1)"
	fi
	slub=$(echo "$log" | grep -c 'SLUB: Unable to allocate' || true)
	echo "kernel log clean; SLUB refill reports (an injected page failure, no stack): $slub"
	if [ -n "$dma_api_off" ]; then
		assert_eq "DMA-API debugging still on" "$dma_api_off" "$(cat $FI/dma-api/disabled)"
	fi
}
