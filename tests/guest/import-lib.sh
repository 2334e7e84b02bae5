# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the importer tests (t-import.sh, t-p2p.sh, t-audit.sh).

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
