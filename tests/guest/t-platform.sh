# SPDX-License-Identifier: GPL-2.0-only
# The platform: the module loads and unloads, creates /dev/dmapeek,
# registers its netlink family and answers the ABI query on both.

test_module_loads_and_unloads() {
	need_module
	unload_module
	insmod "$KO" || fail "insmod failed"
	module_loaded || fail "dmapeek not in /proc/modules after insmod"
	rmmod dmapeek || fail "rmmod failed"
	! module_loaded || fail "dmapeek still in /proc/modules after rmmod"
	[ ! -e /dev/dmapeek ] || fail "/dev/dmapeek left behind after rmmod"
	! "$NL_DECODE" family >/dev/null 2>&1 ||
		fail "netlink family still registered after rmmod"
	insmod "$KO" || fail "second insmod failed"
}

test_misc_device_is_root_only() {
	load_module
	udevadm settle 2>/dev/null || true
	[ -c /dev/dmapeek ] || fail "/dev/dmapeek is not a character device"
	assert_eq "/dev/dmapeek mode" "600" "$(stat -c %a /dev/dmapeek)"
	assert_eq "misc name" "dmapeek" "$(cat /sys/class/misc/dmapeek/uevent |
		sed -n 's/^DEVNAME=//p')"
}

test_netlink_family_registered() {
	load_module
	local out
	out=$("$NL_DECODE" family) || fail "family lookup: $out"
	assert_match "family and events group" '^id=[0-9]+ events=[0-9]+$' "$out"
}

test_abi_version_over_netlink() {
	load_module
	local want got
	want=$(sed -n 's/^#define DMAPEEK_ABI_MAJOR\t*\([0-9]*\)$/\1/p' \
		"$DMAPEEK_TOP/include/uapi/linux/dmapeek.h").$(sed -n \
		's/^#define DMAPEEK_ABI_MINOR\t*\([0-9]*\)$/\1/p' \
		"$DMAPEEK_TOP/include/uapi/linux/dmapeek.h")
	got=$("$NL_DECODE" abi) || fail "abi-get: $got"
	assert_eq "ABI decoded by libnl" "$want" "$got"
	got=$("$DMAPEEK" version | sed -n 's/^module ABI \(.*\) (netlink)$/\1/p')
	assert_eq "ABI through libdmapeek (netlink)" "$want" "$got"
}

test_abi_version_over_ioctl() {
	load_module
	local want got
	want=$("$NL_DECODE" abi)
	got=$("$DMAPEEK" version | sed -n 's@^module ABI \(.*\) (/dev/dmapeek)$@\1@p')
	assert_eq "ABI through libdmapeek (ioctl)" "$want" "$got"
	got=$("$IOCTL_ABI" | sed -n 's/^ok 0 //p')
	assert_eq "ABI from the raw ioctl" "$want" "$got"
}

test_ioctl_rejects_bad_arguments() {
	load_module
	local out
	out=$("$IOCTL_ABI")
	assert_match "short struct" '^short EINVAL$' "$(echo "$out" | grep ^short)"
	assert_match "longer struct, zero tail" '^long-zero 0 [0-9]+\.[0-9]+$' \
		"$(echo "$out" | grep ^long-zero)"
	assert_eq "longer struct, non-zero tail" "long-dirty E2BIG" \
		"$(echo "$out" | grep ^long-dirty)"
	assert_eq "non-zero flags" "flags EINVAL" "$(echo "$out" | grep ^flags)"
	assert_eq "unknown ioctl" "unknown ENOTTY" "$(echo "$out" | grep ^unknown)"
	assert_eq "the numbers retired in ABI 2.0 (netlink since): ENOTTY" \
		"retired map ENOTTY
retired unmap ENOTTY
retired move ENOTTY
retired revoke ENOTTY
retired restore ENOTTY
retired audit ENOTTY" "$(echo "$out" | grep ^retired)"
	assert_eq "bad pointer" "badptr EFAULT" "$(echo "$out" | grep ^badptr)"
}

# A size beyond a page is E2BIG before the module reads the argument:
# copy_struct_from_user() would read up to 4 GiB of the caller's memory to
# check that the tail is zero (max-size: a module that does ends in EFAULT
# at the end of the one-page mapping; one byte over a page of zeros was
# taken).
test_ioctl_size_beyond_a_page_is_e2big() {
	load_module
	local out
	out=$("$IOCTL_ABI")
	echo "$out"
	assert_match "a page, zero tail" '^page-zero 0 [0-9]+\.[0-9]+$' \
		"$(echo "$out" | grep ^page-zero)"
	assert_eq "a byte over a page, zero tail" "over-page E2BIG" \
		"$(echo "$out" | grep ^over-page)"
	assert_eq "4 GiB - 1" "max-size E2BIG" "$(echo "$out" | grep ^max-size)"
}
