# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the importer tests (t-import.sh, t-p2p.sh, t-audit.sh,
# t-dmabuf.sh).

IVSHMEM_ID=1af4:1110
EDU_ID=1234:11e8

need_dp() {
	[ -x "$DP" ] || skip "dp was not built"
}

# the dmapeek device id of BDF (bound)
dev_id() {
	"$DP" devices | awk -v b="$1" '$3 == b { print $2 }'
}

# setup_edu: load, bind the first edu; prints its BDF and sets EDU_DEV
edu_bdf() { need_pci $EDU_ID | head -n 1; }
ivshmem_bdfs() { need_pci $IVSHMEM_ID; }

setup_import() {
	need_module
	need_dp
	load_module
	EDU=$(edu_bdf)
	bind_dmapeek "$EDU"
	EDU_DEV=$(dev_id "$EDU")
	[ -n "$EDU_DEV" ] || fail "edu $EDU bound but not listed by device-get"
	[ -e /dev/udmabuf ] || modprobe udmabuf 2>/dev/null || true
}

# line STEP OUTPUT: the line of OUTPUT that step STEP printed
line() { echo "$2" | grep -m1 "^$1 " || true; }

# assert_pair_row WHAT ROW: ROW ("dp p2p-get"'s) is the (IVSHMEM, EDU) pair
# as the kernel's P2PDMA rules decide it on this lab topology (one row,
# nothing else).
assert_pair_row() {
	[ -n "$2" ] || fail "$1: no row for ($IVSHMEM, $EDU)"
	case $DMAPEEK_TOPOLOGY in
	intel-root)
		assert_match "$1: root bus, Intel host bridge" \
			"^p2p $IVSHMEM $EDU not-supported -1 not-allowlisted$" "$2" ;;
	epyc-root)
		assert_match "$1: root bus, AMD Zen CPU" \
			"^p2p $IVSHMEM $EDU thru-host-bridge [0-9]+ amd-cpu$" "$2" ;;
	switch)
		if acs_redirect_on_path "$IVSHMEM" "$EDU"; then
			assert_match "$1: behind one switch, ACS redirect on" \
				"^p2p $IVSHMEM $EDU (thru-host-bridge [0-9]+|not-supported -1) acs-redirect$" "$2"
		else
			assert_match "$1: behind one switch, no ACS redirect" \
				"^p2p $IVSHMEM $EDU bus-addr 4 common-switch$" "$2"
		fi ;;
	*) skip "unknown topology $DMAPEEK_TOPOLOGY" ;;
	esac
	[ "$(echo "$2" | sort -u | wc -l)" = 1 ] || fail "$1: rows disagree: $2"
}
