# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest tests (sourced by tests/guest/run).

KO=$DMAPEEK_TOP/kmod/dmapeek.ko
DMAPEEK=$DMAPEEK_TOP/tools/dmapeek
DP=$DMAPEEK_TOP/tests/guest/dp	# the module's driver: see tests/guest/dp.c
NL_DECODE=$DMAPEEK_TOP/tests/guest/nl-decode
IOCTL_ABI=$DMAPEEK_TOP/tests/guest/ioctl-abi

# DMAPEEK_INSTALLED=1 ("tests/guest-lab package"): the tests run against the
# installed packages instead of the build tree: the dmapeek in /usr/sbin
# with the system's libdmapeek.so.0, and the dmapeek.ko DKMS installed for
# this kernel, loaded with modprobe.  Test helpers still come from the tree.
if [ "${DMAPEEK_INSTALLED:-0}" = 1 ]; then
	DMAPEEK=/usr/sbin/dmapeek
	KO=$(modinfo -n dmapeek 2>/dev/null) || KO="(no dmapeek.ko for $(uname -r))"
fi

fail() { echo "fail: $*"; exit 1; }
skip() { echo "skip: $*"; exit 77; }

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# assert_match WHAT REGEX ACTUAL
assert_match() {
	echo "$3" | grep -qE -- "$2" || fail "$1: '$3' does not match /$2/"
}

# kmsg_mark TEXT: a line in the kernel log to count from
kmsg_mark() {
	echo "dmapeek-test: $1" >/dev/kmsg
}

# kmsg_since TEXT: the kernel log lines after the mark TEXT; fails when the
# mark is gone (pushed out of the ring buffer by what came after it)
kmsg_since() {
	dmesg | awk -v m="dmapeek-test: $1" '
		index($0, m) { found = 1; n = 0; delete l; next }
		found { l[n++] = $0 }
		END { if (!found) exit 1; for (i = 0; i < n; i++) print l[i] }'
}

# The kernel's config option $1 is =y (from /proc/config.gz, else /boot).
kernel_config_y() {
	{ zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null; } |
		grep -qx "$1=y"
}

# kv KEY LINE: the value of the first KEY=value word of LINE
kv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

# events_start [LOG [SECONDS]]: "dp events" in the background into
# LOG (default: a new temporary file) for at most SECONDS (default 300);
# returns once it listens.  Sets EVLOG and EVPID.
events_start() {
	local i

	EVLOG=${1:-$(mktemp)}
	"$DP" events "${2:-300}" >"$EVLOG" &
	EVPID=$!
	for i in $(seq 100); do grep -q '^listening' "$EVLOG" && return 0; sleep 0.1; done
	fail "the event listener did not start"
}

# events_stop: give the last events time to arrive, stop listening
events_stop() {
	sleep 1
	kill "$EVPID" 2>/dev/null || true
	wait "$EVPID" 2>/dev/null || true
}

module_loaded() { grep -q '^dmapeek ' /proc/modules; }

need_module() {
	[ -f "$KO" ] || skip "dmapeek.ko was not built ($KO)"
}

# need_debug_knobs: skip unless dmapeek.ko was built with configure
# --enable-debug-knobs (as the lab builds it; the packages' module never is)
need_debug_knobs() {
	need_module
	modinfo -F parm "$KO" 2>/dev/null | grep -q '^audit_bar_ranges:' ||
		skip "dmapeek.ko was built without --enable-debug-knobs"
}

load_module() {
	need_module
	module_loaded && return 0
	if [ "${DMAPEEK_INSTALLED:-0}" = 1 ]; then
		modprobe dmapeek "$@" || fail "modprobe dmapeek failed"
	else
		insmod "$KO" "$@" || fail "insmod $KO failed"
	fi
}

unload_module() {
	module_loaded || return 0
	rmmod dmapeek || fail "rmmod dmapeek failed"
}

# bind_dmapeek BDF: make dmapeek the driver of BDF
bind_dmapeek() {
	local bdf=$1 d=/sys/bus/pci/devices/$1 drv
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
	[ "$drv" = dmapeek ] && return 0
	echo dmapeek >"$d/driver_override"
	[ -e "$d/driver" ] && echo "$bdf" >"$d/driver/unbind"
	echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null || true
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
	[ "$drv" = dmapeek ] || fail "cannot bind $bdf to dmapeek (driver: ${drv:-none})"
}

# unbind_dmapeek BDF: unbind BDF from its driver, clear its driver_override
unbind_dmapeek() {
	local d=/sys/bus/pci/devices/$1
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo >"$d/driver_override"
}

# need_pci VENDOR:DEVICE: print the BDFs of such devices, or skip.
need_pci() {
	local found
	found=$(lspci -D -n -d "$1" | awk '{ print $1 }')
	[ -n "$found" ] || skip "no PCI device $1 in this guest"
	echo "$found"
}

# ------------------------------------------------------------ accounting
# (the fault campaigns' checks: t-fault.sh, t-failslab.sh)

# object_counts: what the module holds, from its netlink dumps
object_counts() {
	echo "buffers=$("$DP" dump buffers | grep -c '^buffer' || true)" \
	     "attachments=$("$DP" dump attachments | grep -c '^attachment' || true)" \
	     "mappings=$("$DP" dump mappings | grep -c '^mapping' || true)"
}

# bufinfo_dmapeek: dma-bufs that dmapeek exported still in the kernel's list
bufinfo_dmapeek() {
	awk '$5 == "dmapeek" || $5 ~ /^dmapeek/' /sys/kernel/debug/dma_buf/bufinfo 2>/dev/null |
		wc -l
}

# assert_nothing_left WHEN: no object in any dump, none in bufinfo
assert_nothing_left() {
	local c i
	# an exiting process's files are released by then, but its
	# receiver may still be on its way out
	for i in $(seq 50); do
		c=$(object_counts)
		[ "$c" = "buffers=0 attachments=0 mappings=0" ] && [ "$(bufinfo_dmapeek)" = 0 ] &&
			return 0
		sleep 0.2
	done
	"$DP" dump buffers | head -n 5
	"$DP" dump attachments | head -n 5
	grep dmapeek /sys/kernel/debug/dma_buf/bufinfo | head -n 5
	fail "$1: left behind: $c, $(bufinfo_dmapeek) dmapeek dma-bufs in bufinfo"
}

# kmemleak_scan WHEN: fail on a new leak report; "absent" without kmemleak
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_scan() {
	[ -w $KMEMLEAK ] || { echo absent; return 0; }
	echo scan >$KMEMLEAK
	if grep -q 'unreferenced object' $KMEMLEAK; then
		head -n 40 $KMEMLEAK
		fail "$1: kmemleak reports $(grep -c 'unreferenced object' $KMEMLEAK) leaks"
	fi
	echo clean
}

# the upstream chain of a device: itself, then each bridge to the root
pci_chain() {
	local d
	d=$(readlink -f "/sys/bus/pci/devices/$1")
	while [ -e "$d/config" ]; do basename "$d"; d=$(dirname "$d"); done
}

# ACS redirect on the P2P path of two devices, as calc_map_type_and_dist()
# walks it: every bridge of either chain up to their first common one.
acs_redirect_on_path() {
	local a b common= x
	a=$(pci_chain "$1"); b=$(pci_chain "$2")
	for x in $a; do echo "$b" | grep -qx "$x" && { common=$x; break; }; done
	[ -n "$common" ] || return 1
	for x in $(echo "$a" | sed "/^$common\$/q") $(echo "$b" | sed "/^$common\$/q"); do
		lspci -vvv -s "$x" 2>/dev/null |
			grep -qE 'ACSCtl:.*(ReqRedir\+|CmpltRedir\+|EgressCtrl\+)' && return 0
	done
	return 1
}

# own_map_of ATT: the attachment's own-map as nl-decode prints it (a number)
own_map_of() {
	"$NL_DECODE" dump attachment | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("id") == int(sys.argv[1]):
        print(o.get("own_map", "absent"))
        break
else:
    print("no-row")' "$1"
}
