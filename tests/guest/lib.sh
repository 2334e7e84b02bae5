# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest tests (sourced by tests/guest/run).

KO=$DMAPEEK_TOP/kmod/dmapeek.ko
DMAPEEK=$DMAPEEK_TOP/tools/dmapeek
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

# The kernel's config option $1 is =y (from /proc/config.gz, else /boot).
kernel_config_y() {
	{ zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null; } |
		grep -qx "$1=y"
}

module_loaded() { grep -q '^dmapeek ' /proc/modules; }

need_module() {
	[ -f "$KO" ] || skip "dmapeek.ko was not built ($KO)"
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

# need_pci VENDOR:DEVICE: print the BDFs of such devices, or skip.
need_pci() {
	local found
	found=$(lspci -D -n -d "$1" | awk '{ print $1 }')
	[ -n "$found" ] || skip "no PCI device $1 in this guest"
	echo "$found"
}
