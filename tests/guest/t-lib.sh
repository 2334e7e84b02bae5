# SPDX-License-Identifier: GPL-2.0-only
# libdmapeek's API against the live module (tests/guest/lib-check.c).

LIB_CHECK=$DMAPEEK_TOP/tests/guest/lib-check
# Installed: the program itself, not libtool's wrapper (which points it at
# the tree's library); it then loads the system's libdmapeek.so.0.
[ "${DMAPEEK_INSTALLED:-0}" = 1 ] && LIB_CHECK=$DMAPEEK_TOP/tests/guest/.libs/lib-check

lib_check() {
	local out rc=0
	out=$("$LIB_CHECK" "$1" 2>&1) || rc=$?
	echo "$out"
	case $rc in
	0) echo "$out" | grep -q '^ok ' || fail "lib-check $1 printed no result" ;;
	77) skip "$(echo "$out" | sed -n 's/^skip: //p' | tail -n1)" ;;
	*) fail "lib-check $1: $(echo "$out" | sed -n 's/^fail: //p' | tail -n1)" ;;
	esac
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
