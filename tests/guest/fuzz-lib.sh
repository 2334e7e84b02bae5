# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the reliability campaigns (t-fuzz.sh, t-stress.sh): a fresh
# module with the edu client and (if the guest has one) an ivshmem BAR
# provider bound, and the checks every campaign ends with.
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

FUZZ_IOCTL=$DMAPEEK_TOP/tests/guest/fuzz-ioctl
FUZZ_NL=$DMAPEEK_TOP/tests/guest/fuzz-nl
STRESS=$DMAPEEK_TOP/tests/guest/stress
DMABUF_HEAP=$DMAPEEK_TOP/tests/guest/dmabuf-heap

# setup_campaign: reload the module (counts start at zero), bind the edu
# and the first ivshmem (its BAR becomes a provider) if there is one.
setup_campaign() {
	need_module
	need_dp
	unload_module
	CAMPAIGN_SLAB_KB=$(slab_kb)
	setup_import
	local iv
	iv=$(lspci -D -n -d "$IVSHMEM_ID" | awk 'NR == 1 { print $1 }')
	[ -z "$iv" ] || bind_dmapeek "$iv"
}

# A seed from the environment replays a run; else a fresh one (printed).
campaign_seed() { echo "${DMAPEEK_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"; }

# fuzz_run CMD...: run a campaign (a fuzzer, stress) with its output going
# to the test's log as it comes (a run stopped at the time limit still
# shows its seed and progress) and kept in FUZZ_OUT; its status in FUZZ_RC
fuzz_run() {
	local f

	f=$(mktemp)
	"$@" | tee "$f"
	FUZZ_RC=${PIPESTATUS[0]}
	FUZZ_OUT=$(cat "$f")
	rm -f "$f"
}

# The million-operation lane runs only when asked for by name
# ("tests/guest-lab guest fuzz_million"), the suite runs the smoke size.
need_million_lane() {
	case ${DMAPEEK_FILTER:-} in
	*million*) ;;
	*) skip "the million-operation lane runs with 'tests/guest-lab guest fuzz_million'" ;;
	esac
}

# drop_campaign_held: what a fuzzer exported with a mutated HOLD flag is
# the module's until deleted (a figure, then deleted)
drop_campaign_held() {
	echo "held after the campaign: $(cat /sys/class/misc/dmapeek/held_buffers) buffers"
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete all >/dev/null || fail "buffer delete all"
}

# objects_back_to_zero: no device has an attachment left, and the module
# unloads (every exported dma-buf and every open /dev/dmapeek holds it).
objects_back_to_zero() {
	drop_campaign_held
	assert_eq "devices with attachments left" "" \
		"$("$DP" devices | awk '$NF != "attachments=0"')"
	rmmod dmapeek || fail "rmmod after the campaign: something still holds the module"
	echo "slab after the campaign (module unloaded): $(slab_kb) kB, before: ${CAMPAIGN_SLAB_KB:-?} kB"
}

# slab_kb: the kernel's slab memory now (a figure, not a check: other
# subsystems allocate too)
slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# assert_campaign_line WHAT LINE: a summary line was printed and it counts
# no unexpected answer
assert_campaign_line() {
	[ -n "$2" ] || fail "$1: no summary line"
	assert_eq "$1: unexpected answers" 0 "$(kv unexpected "$2")"
}

# assert_positive WHAT VALUE
assert_positive() {
	[ "${2:-0}" -gt 0 ] 2>/dev/null || fail "$1: expected a count > 0, got '${2:-}'"
}
