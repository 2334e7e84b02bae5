# SPDX-License-Identifier: GPL-2.0-only
# The IOVA audit: every page of a mapping checked through the IOMMU.
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

# A foreign buffer (udmabuf): the importer has the sg table the exporter
# handed the device, which it must not read for pages, so no physical
# address is known: its one mapping is not checkable, on every kernel
# (the importer maps nothing of its own beside it: t-import.sh).
test_audit_foreign_buffer_mapping_not_checkable() {
	setup_import
	local out
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:65536 import map audit)
	echo "$out"
	assert_eq "one mapping audited" "audit-done n=1" "$(line audit-done "$out")"
	assert_match "the importer's sg table: nothing to check against" \
		'^audit id=[0-9]+ path=importer-sgt result=not-checkable pages=0 mismatches=0 holes=0$' \
		"$(line audit "$out")"
}

# An audit of a mapping id nobody holds fails with ENOENT and says why:
# the id of a mapping just unmapped (ids are not reused at once), and one
# never handed out.
test_audit_unknown_mapping_has_extack() {
	setup_import
	local out id
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:4096 import map mappings unmap audit)
	echo "$out"
	assert_eq "no mapping left to audit" "audit-done n=0" "$(line audit-done "$out")"
	id=$(echo "$out" | sed -n 's/^mapping id=\([0-9]*\) .*/\1/p' | tail -n 1)
	[ -n "$id" ] || fail "no mapping listed while mapped"
	out=$("$DP" import udmabuf:4096 "audit-id:$id" audit-id:4000000000)
	echo "$out"
	assert_eq "audit of an unmapped mapping's id" \
		"audit-id ERR ENOENT no mapping with id $id" \
		"$(echo "$out" | grep '^audit-id' | sed -n 1p)"
	assert_eq "audit of an id never handed out" \
		"audit-id ERR ENOENT no mapping with id 4000000000" \
		"$(echo "$out" | grep '^audit-id' | sed -n 2p)"
	assert_eq "no audit row for either" "" "$(echo "$out" | grep '^audit ' || true)"
}

# dmapeek's own system-memory buffer imported by the edu: dmapeek knows its
# pages whatever the core hands the importer, so besides the exporter's
# dma_map_sgtable() mapping the importer maps the same pages with the
# two-step IOVA API, and the IOMMU must translate every page of both to
# the page it stands for.
test_audit_dmapeek_system_buffer_two_step_mapping() {
	setup_import
	local out
	out=$("$DP" import --dev "$EDU_DEV" sys:65536:pinned import map mappings audit)
	echo "$out"
	assert_eq "map" "map OK" "$(line map "$out")"
	assert_eq "the exporter's, the importer's sg table, the importer's own" \
		"sgtable importer-sgt iova-link" \
		"$(echo "$out" | sed -n 's/^mapping id=[0-9]* path=\([a-z-]*\) .*/\1/p' | xargs)"
	assert_match "the importer's two-step mapping" \
		'^mapping id=[0-9]+ path=iova-link size=65536 ranges=[0-9]+ kinds=iova$' \
		"$(echo "$out" | grep '^mapping .*path=iova-link')"
	assert_match "the two-step mapping checks out page by page" \
		'^audit id=[0-9]+ path=iova-link result=ok pages=16 mismatches=0 holes=0$' \
		"$(echo "$out" | grep '^audit .*path=iova-link')"
	# the exporter's dma_map_sgtable() mapping: where the IOMMU merged its
	# segments into fewer IOVA runs, the audit walks the pages and the
	# IOVA stream in step; every page must check out either way
	assert_match "so does the exporter's" \
		'^audit id=[0-9]+ path=sgtable result=ok pages=16 mismatches=0 holes=0$' \
		"$(echo "$out" | grep '^audit .*path=sgtable')"
	echo "the exporter's sg mapping: $(echo "$out" | grep '^mapping .*path=sgtable')"
}

# The kernel helper dma_buf_phys_vec_to_sgt() links every range at IOVA
# offset 0.  Map three BAR ranges through it (debug parameters) next to
# dmapeek's running-offset mapping of the same ranges.
test_audit_flags_phys_vec_helper_multi_range() {
	setup_import
	need_debug_knobs
	local ivshmem prov out helper
	ivshmem=$(ivshmem_bdfs | head -n 1)
	bind_dmapeek "$ivshmem"
	prov=$("$DP" providers | awk -v b="$ivshmem" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $ivshmem"
	echo "$prov" >/sys/module/dmapeek/parameters/audit_bar_provider
	echo 3 >/sys/module/dmapeek/parameters/audit_bar_ranges
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:4096 import map mappings audit)
	echo 0 >/sys/module/dmapeek/parameters/audit_bar_ranges
	echo "$out"
	dmesg | grep 'dma_buf_phys_vec_to_sgt' | tail -n 3 || true
	assert_match "running-offset mapping of the 3 BAR ranges checks out" \
		'^audit id=[0-9]+ path=iova-link result=ok pages=3 mismatches=0 holes=0$' \
		"$(echo "$out" | grep '^audit .*path=iova-link' | tail -n 1)"
	helper=$(echo "$out" | grep '^audit .*path=phys-vec-helper' || true)
	case $DMAPEEK_TOPOLOGY in
	epyc-root)
		# THRU_HOST_BRIDGE: the helper links every range at IOVA offset 0;
		# on 7.3.4 the IOMMU refuses the second link (-EADDRINUSE) and
		# dmapeek replays the helper's links to show what its sg table
		# would claim: one run of 3 pages of which only the first maps
		dmesg | grep -qE "dma_buf_phys_vec_to_sgt\(3 ranges\): -98$" ||
			fail "expected the helper to fail with -EADDRINUSE"
		assert_match "the helper's layout is flagged" \
			'path=phys-vec-helper result=mismatch pages=3 mismatches=0 holes=2' "$helper" ;;
	intel-root|switch)
		# NOT_SUPPORTED: the first ivshmem is on the root bus in both
		# (in switch, the edu is behind the switch), so the path goes
		# through the Intel host bridge, which is not allow-listed:
		# the helper refuses (-EINVAL) and maps nothing
		assert_eq "the (ivshmem, edu) pair on $DMAPEEK_TOPOLOGY" not-supported \
			"$("$DP" p2p-get "$ivshmem" "$EDU" | awk '{ print $4 }')"
		dmesg | grep -qE "dma_buf_phys_vec_to_sgt\(3 ranges\): -22$" ||
			fail "expected NOT_SUPPORTED (-EINVAL) from the helper"
		assert_eq "no helper mapping where the helper refused" "" "$helper" ;;
	*) skip "unknown topology $DMAPEEK_TOPOLOGY: no expected outcome for the helper (run with --topology)" ;;
	esac
}

# mappings_block K OUTPUT: the "mapping ..." lines the Kth "mappings" step
# of dp import printed
mappings_block() {
	echo "$2" | awk -v k="$1" '/^mappings / { n++; next } /^mapping / && n == k - 1'
}

# The audit_bar_* mapping maps another device's BAR for the importer: when
# that device is unbound the mapping goes first (before its BARs do) while
# the import itself stays mapped, and a new map of the import no longer
# maps the gone provider.
test_audit_bar_mapping_goes_with_its_provider_device() {
	setup_import
	need_debug_knobs
	local ivshmem prov out dir
	ivshmem=$(ivshmem_bdfs | head -n 1)
	bind_dmapeek "$ivshmem"
	prov=$("$DP" providers | awk -v b="$ivshmem" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $ivshmem"
	dir=$(mktemp -d)
	echo "$prov" >/sys/module/dmapeek/parameters/audit_bar_provider
	echo 2 >/sys/module/dmapeek/parameters/audit_bar_ranges
	"$DP" import --dev "$EDU_DEV" udmabuf:4096 import map mappings "touch:$dir/mapped" \
		"waitfile:$dir/unbound" mappings unmap map mappings dma-write:0:64:7 \
		cpu-check:0:64:7 >"$dir/log" &
	for _ in $(seq 600); do [ -e "$dir/mapped" ] && break; sleep 0.1; done
	unbind_dmapeek "$ivshmem"
	touch "$dir/unbound"
	wait
	echo 0 >/sys/module/dmapeek/parameters/audit_bar_ranges
	echo 0 >/sys/module/dmapeek/parameters/audit_bar_provider
	out=$(cat "$dir/log")
	rm -rf "$dir"
	bind_dmapeek "$ivshmem"
	echo "$out"
	# The two pages of the BAR (8 KiB) are the debug mapping's; the
	# udmabuf's own mappings are of its 4 KiB.
	assert_match "the BAR's pages were mapped beside the import's own" \
		'^mapping .*path=iova-link size=8192 ranges=2 ' "$(mappings_block 1 "$out")"
	assert_eq "the debug mapping went with the unbind" "" \
		"$(mappings_block 2 "$out" | grep 'size=8192' || true)"
	assert_match "the import stayed mapped" '^mapping .*path=importer-sgt size=4096 ' \
		"$(mappings_block 2 "$out")"
	assert_eq "a new map leaves the gone provider alone" "" \
		"$(mappings_block 3 "$out" | grep 'size=8192' || true)"
	assert_eq "mapped again as after the unbind" \
		"$(echo "$out" | grep ^mappings | sed -n 2p)" "$(echo "$out" | grep ^mappings | sed -n 3p)"
	assert_eq "the import still works" "cpu-check OK bad=0" "$(line cpu-check "$out")"
}

# An identity IOMMU domain: nothing translates, so dma_iova_try_alloc()
# says no and the importer's own mapping falls back to dma_map_phys(),
# whose addresses are the CPU physical ones; the audit then checks that
# every DMA address is the physical one ("direct").  The client is an
# ivshmem alone in its IOMMU group (a 64-bit DMA mask reaches any page,
# where the edu's 28 bits would bounce through swiotlb); the group's
# default domain is switched through sysfs while no driver is bound
# (iommu_group_store_type()), and put back when the test ends.
# identity_domain BDF [rebind]: give BDF's IOMMU group an identity domain
# and bind BDF to dmapeek again; at exit the group gets its old type back
# (and, with "rebind", BDF is bound to dmapeek again under it).
identity_domain() {
	local grp=/sys/bus/pci/devices/$1/iommu_group orig
	orig=$(cat "$grp/type")
	unbind_dmapeek "$1"
	# the values now, not at exit; the latest device first
	IDENTITY_UNDO="unbind_dmapeek $1; echo $orig >$grp/type${2:+; bind_dmapeek $1}${IDENTITY_UNDO:+; $IDENTITY_UNDO}"
	trap 'eval "$IDENTITY_UNDO"' EXIT
	echo identity >"$grp/type" || fail "cannot give $1 an identity domain"
	bind_dmapeek "$1"
}

test_audit_identity_domain_maps_direct() {
	setup_import
	local client= grp cdev out prov ivshmem b pair
	for b in $(ivshmem_bdfs | tac); do
		grp=/sys/bus/pci/devices/$b/iommu_group
		[ -e "$grp/type" ] || continue
		[ "$(find "$grp/devices/" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ] || continue
		client=$b
		break
	done
	[ -n "$client" ] || skip "no ivshmem alone in an IOMMU group"
	identity_domain "$client"
	cdev=$(dev_id "$client")
	assert_match "the client's domain as dmapeek reports it" " domain=identity " \
		"$("$DP" devices | awk -v b="$client" '$3 == b')"

	out=$("$DP" import --dev "$cdev" sys:65536:pinned import map mappings audit)
	echo "$out"
	assert_eq "map" "map OK" "$(line map "$out")"
	assert_eq "the exporter's, the importer's sg table, the importer's own" \
		"sgtable importer-sgt map-phys" \
		"$(echo "$out" | sed -n 's/^mapping id=[0-9]* path=\([a-z-]*\) .*/\1/p' | xargs)"
	assert_match "the importer's own mapping: physical addresses" \
		'^mapping id=[0-9]+ path=map-phys size=65536 ranges=[0-9]+ kinds=phys$' \
		"$(echo "$out" | grep '^mapping .*path=map-phys')"
	assert_match "the exporter's sg mapping: physical addresses" \
		'^mapping id=[0-9]+ path=sgtable size=65536 ranges=[0-9]+ kinds=phys$' \
		"$(echo "$out" | grep '^mapping .*path=sgtable')"
	assert_match "dma == phys for every page of the importer's mapping" \
		'^audit id=[0-9]+ path=map-phys result=direct pages=16 mismatches=0 holes=0$' \
		"$(echo "$out" | grep '^audit .*path=map-phys')"
	assert_match "and of the exporter's" \
		'^audit id=[0-9]+ path=sgtable result=direct pages=16 mismatches=0 holes=0$' \
		"$(echo "$out" | grep '^audit .*path=sgtable')"

	# a BAR buffer of the other ivshmem, where the pair's map type lets it
	# through the host bridge: both sides map it with dma_map_phys()
	ivshmem=$(ivshmem_bdfs | grep -vx "$client" | head -n 1)
	[ -n "$ivshmem" ] || fail "one ivshmem only: every lab topology has two"
	pair=$("$DP" p2p-get "$ivshmem" "$client" | awk '{ print $4 }')
	case $DMAPEEK_TOPOLOGY in
	epyc-root) assert_eq "the two ivshmem on epyc-root" thru-host-bridge "$pair" ;;
	intel-root|switch)
		# through the Intel host bridge (not allow-listed) in both
		assert_eq "the two ivshmem on $DMAPEEK_TOPOLOGY" not-supported "$pair"
		echo "no BAR half on $DMAPEEK_TOPOLOGY: the pair is $pair (epyc-root runs it)"
		return 0 ;;
	*) skip "unknown topology $DMAPEEK_TOPOLOGY: the BAR half needs a known pair (run with --topology)" ;;
	esac
	bind_dmapeek "$ivshmem"
	prov=$("$DP" providers | awk -v b="$ivshmem" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $ivshmem"
	out=$("$DP" import --dev "$cdev" --flags dynamic,p2p "export:$prov:3" import map mappings audit)
	echo "$out"
	assert_eq "map the BAR buffer" "map OK" "$(line map "$out")"
	assert_match "the exporter's BAR mapping: dma_map_phys, physical addresses" \
		'^mapping id=[0-9]+ path=map-phys size=12288 ranges=3 kinds=phys$' \
		"$(echo "$out" | grep '^mapping .*path=map-phys' | head -n 1)"
	assert_match "the importer's own: the same" \
		'^mapping id=[0-9]+ path=map-phys size=12288 ranges=3 kinds=phys$' \
		"$(echo "$out" | grep '^mapping .*path=map-phys' | tail -n 1)"
	assert_eq "both checked page by page: dma == phys" \
		"direct 3 0 0
direct 3 0 0" \
		"$(echo "$out" | sed -n 's/^audit id=[0-9]* path=map-phys result=\([a-z-]*\) pages=\([0-9]*\) mismatches=\([0-9]*\) holes=\([0-9]*\)$/\1 \2 \3 \4/p')"
}

# Without an IOMMU translating for it, a device reaches only what its DMA
# mask covers, and dma_map_phys() of MMIO beyond it WARNs (the kernel's
# overflow report): a map is a user's request, so the module refuses it
# first (ERANGE).  The edu (28-bit mask) is given an identity domain and
# imports a BAR buffer of an ivshmem (above 256 MiB), through the host
# bridge on epyc-root: one range (the kernel's helper) and three (the
# module's own per-range path); no WARN in the log (kernel_log_clean).
test_audit_identity_domain_bar_beyond_mask_refused() {
	setup_import
	[ "$DMAPEEK_TOPOLOGY" = epyc-root ] ||
		skip "needs epyc-root, where edu may map a BAR through the host bridge (on $DMAPEEK_TOPOLOGY the pair is refused before any mapping)"
	local grp cdev prov ivshmem out spec
	grp=/sys/bus/pci/devices/$EDU/iommu_group
	[ -e "$grp/type" ] || fail "no IOMMU group type for $EDU"
	[ "$(find "$grp/devices/" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ] ||
		fail "$EDU shares its IOMMU group on epyc-root"
	identity_domain "$EDU" rebind
	cdev=$(dev_id "$EDU")
	ivshmem=$(ivshmem_bdfs | head -n 1)
	bind_dmapeek "$ivshmem"
	prov=$("$DP" providers | awk -v b="$ivshmem" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $ivshmem"
	for spec in "export:$prov:1" "export:$prov:3"; do
		out=$("$DP" import --dev "$cdev" --flags dynamic,p2p "$spec" import map mappings)
		echo "$out"
		assert_eq "import ($spec)" "import OK" "$(line import "$out" | cut -d' ' -f1-2)"
		assert_eq "a map beyond the edu's mask without an IOMMU ($spec)" "map ERANGE" \
			"$(line map "$out")"
	done
}

# swiotlb_slabs: the slabs of the default swiotlb pool; 0 where there is
# none (x86 tears it down at boot where all memory is below 4 GiB and no
# swiotlb=force asks for it: the lab's 2 GiB guest)
swiotlb_slabs() {
	local n
	n=$(cat /sys/kernel/debug/swiotlb/io_tlb_nslabs 2>/dev/null) || n=0
	echo "${n:-0}"
}

# swiotlb_pool_end: the last byte of the default swiotlb pool, from the
# boot log ("software IO TLB: mapped [mem A-B]"); nothing when it is gone
swiotlb_pool_end() {
	dmesg 2>/dev/null |
		sed -n 's/.*software IO TLB: mapped \[mem 0x[0-9a-f]*-\(0x[0-9a-f]*\)\].*/\1/p' |
		tail -n 1
}

# ranges_beyond LINE BITS: how many of the ranges (rN.addr=, rN.len=) of a
# "dp get buffer" LINE end beyond a BITS-bit DMA mask
ranges_beyond() {
	local kv a=0 n=0
	for kv in $1; do
		case $kv in
		r*.addr=*) a=$((${kv#*=})) ;;
		r*.len=*) [ $((a + ${kv#*=} - 1)) -lt $((1 << $2)) ] || n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}

# Memory the importer's device does not reach, not even bounced: no map.
# The edu (a 28-bit DMA mask) in an identity domain: nothing translates.
# The exporter's sg table of a system buffer can only be mapped where
# swiotlb bounces the pages somewhere the edu reaches, and swiotlb takes
# any slot of its pool and WARNs when the slot is beyond the mask; with no
# pool (the lab's 2 GiB guest) the direct map WARNs.  The module refuses
# the map (ERANGE, with its extack over netlink) before either.  A buffer
# of 272 MiB has pages beyond 256 MiB wherever the allocator takes them
# (there are only 256 MiB below).  With a pool the edu reaches whole the
# map would be bounced: no lab guest has one (the pool lies near the top
# of memory below 4 GiB), so that case skips.  The kernel log says
# nothing about it (no "importer-side mapping failed", no WARN).
test_audit_identity_domain_memory_beyond_mask_refused() {
	setup_import
	[ -x "$NL_DECODE" ] || skip "nl-decode was not built"
	mountpoint -q /sys/kernel/debug || skip "debugfs is not mounted: where is the swiotlb pool?"
	local grp cdev d out buf att own none log pool=none size=$((272 << 20))
	if [ "$(swiotlb_slabs)" -gt 0 ]; then
		pool=$(swiotlb_pool_end)
		[ -n "$pool" ] ||
			skip "a swiotlb pool, but the boot log no longer says where"
		[ $((pool)) -gt $(((1 << 28) - 1)) ] ||
			skip "the swiotlb pool ends at $pool, within the edu's reach: its map would be bounced"
	fi
	grp=/sys/bus/pci/devices/$EDU/iommu_group
	[ -e "$grp/type" ] || skip "no IOMMU group type for $EDU"
	[ "$(find "$grp/devices/" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ] ||
		skip "$EDU shares its IOMMU group"
	none=$(python3 "$DMAPEEK_TOP/tests/guest/spec-value.py" \
		"$DMAPEEK_TOP/Documentation/netlink/specs/dmapeek.yaml" \
		attr-enum attachment own-map none) || fail "the spec names no own-map none"
	identity_domain "$EDU" rebind
	cdev=$(dev_id "$EDU")
	d=$(mktemp -d)

	kmsg_mark "edu memory beyond its mask"
	"$DP" import --dev "$cdev" "sys:$size:pinned" import map nlmap mappings \
		"touch:$d/held" "waitfile:$d/go" >"$d/out" 2>&1 &
	local pid=$! _
	for _ in $(seq 600); do [ -e "$d/held" ] && break; sleep 0.1; done
	[ -e "$d/held" ] || { kill "$pid"; fail "dp import: $(cat "$d/out")"; }
	out=$(cat "$d/out")
	echo "$out"
	buf=$(echo "$out" | sed -n 's/^export OK buffer=\([0-9]*\) .*/\1/p')
	att=$(line import "$out" | sed -n 's/^import OK id=//p')
	[ -n "$att" ] || { touch "$d/go"; wait "$pid"; fail "no import"; }
	own=$(own_map_of "$att")
	echo "ranges beyond the edu's mask: $(ranges_beyond "$("$DP" get buffer "$buf")" 28); pool: $pool"
	touch "$d/go"
	wait "$pid" || true

	assert_eq "map refused: no address the edu reaches" "map ERANGE" "$(line map "$out")"
	assert_eq "over netlink, with the kernel's reason" \
		"nlmap ERANGE the device cannot reach the buffer's memory (map refused)" \
		"$(line nlmap "$out")"
	assert_eq "no mapping" "mappings OK n=0" "$(line mappings "$out")"
	assert_eq "own-map none ($none)" "$none" "$own"
	log=$(kmsg_since "edu memory beyond its mask") ||
		fail "the mark is gone from the kernel log"
	assert_eq "nothing in the kernel log about it" "" \
		"$(echo "$log" | grep -E 'importer-side mapping failed|WARNING:|overflow \(mask' || true)"
	rm -rf "$d"
}

# ms_since T0: milliseconds since T0 (date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# The audit walks a mapping with no lock held: audits of a large mapping
# back to back do not hold up dumps, a killed audit ends at once, and an
# unmap during an audit makes it give up (ENOENT, with its extack) rather
# than walk freed IOVA.  The client is an ivshmem (a 64-bit DMA mask: the
# edu's 28 bits leave no room for two mappings of this size).  The times
# are judged against what one audit costs on this machine; they are only
# printed where that is too short to tell.
test_audit_large_mapping_walks_without_the_global_lock() {
	setup_import
	local size=$((512 << 20)) client cdev dir pid apid m t0 t_alone worst dt i
	client=$(ivshmem_bdfs | head -n 1)
	[ -n "$client" ] || skip "no ivshmem"
	bind_dmapeek "$client"
	cdev=$(dev_id "$client")
	dir=$(mktemp -d)
	"$DP" import --dev "$cdev" "sys:$size:pinned" import map mappings \
		"touch:$dir/mapped" "waitfile:$dir/go" unmap >"$dir/log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do [ -e "$dir/mapped" ] && break; sleep 0.1; done
	[ -e "$dir/mapped" ] || fail "not mapped: $(cat "$dir/log")"
	m=$(sed -n "s/^mapping id=\([0-9]*\) path=iova-link size=$size .*/\1/p" "$dir/log" | head -n 1)
	[ -n "$m" ] || fail "no two-step mapping of $size bytes: $(cat "$dir/log")"

	t0=$(date +%s%N)
	"$DMAPEEK" -j audit "$m" >"$dir/alone" || fail "the audit failed: $(cat "$dir/alone")"
	t_alone=$(ms_since "$t0")
	python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); assert a["result"] == "ok" and a["pages"] == int(sys.argv[2]) // 4096, a' \
		"$dir/alone" "$size" || fail "the audit of the large mapping: $(cat "$dir/alone")"

	# dumps while audits run back to back
	(while [ ! -e "$dir/stop" ]; do "$DMAPEEK" -j audit "$m" >/dev/null 2>&1; done) &
	apid=$!
	sleep 0.2
	worst=0
	for i in $(seq 10); do
		t0=$(date +%s%N)
		"$NL_DECODE" dump provider >/dev/null || fail "dump $i failed"
		dt=$(ms_since "$t0")
		[ "$dt" -le "$worst" ] || worst=$dt
	done
	touch "$dir/stop"
	wait "$apid"
	echo "one audit of $((size >> 20)) MiB alone: $t_alone ms; the slowest dump while audits ran: $worst ms"
	[ "$t_alone" -lt 200 ] || [ "$worst" -lt $((t_alone / 2)) ] ||
		fail "a dump waited for an audit ($worst ms, an audit takes $t_alone ms)"

	# killed in the middle of its walk
	"$DMAPEEK" -j audit "$m" >/dev/null 2>&1 &
	apid=$!
	sleep "$(awk -v t="$t_alone" 'BEGIN { printf "%.3f", t / 4000 }')"
	t0=$(date +%s%N)
	kill -KILL "$apid"
	wait "$apid" || true
	dt=$(ms_since "$t0")
	echo "a killed audit ended in $dt ms"
	[ "$t_alone" -lt 200 ] || [ "$dt" -lt $((t_alone / 2)) ] ||
		fail "a killed audit went on ($dt ms, an audit takes $t_alone ms)"

	# unmapped during its walk: it ends (ENOENT) or finished first
	"$DP" import udmabuf:4096 "audit-id:$m" >"$dir/raced" 2>&1 &
	apid=$!
	sleep "$(awk -v t="$t_alone" 'BEGIN { printf "%.3f", t / 4000 }')"
	t0=$(date +%s%N)
	touch "$dir/go"
	wait "$pid" || fail "dp import failed: $(cat "$dir/log")"
	dt=$(ms_since "$t0")
	wait "$apid" || true
	cat "$dir/log" "$dir/raced"
	echo "unmap (and release) during an audit: $dt ms"
	assert_eq "unmapped" "unmap OK" "$(line unmap "$(cat "$dir/log")")"
	case $(grep '^audit-id' "$dir/raced") in
	"audit-id OK" | "audit-id ERR ENOENT mapping $m was unmapped during the audit") ;;
	*) fail "the audit raced by an unmap: $(cat "$dir/raced")" ;;
	esac
	rm -rf "$dir"
	unbind_dmapeek "$client"
}

# ---------------------------------------------------------------- bounce
#
# The bounce topology boots with swiotlb=force: every map of a device
# outside a translating IOMMU domain goes through the bounce buffers.  The
# exporter maps a system buffer bounced when the device reaches the whole
# pool, quietly (no "swiotlb buffer is full"), and no more than a quarter
# of the pool (E2BIG); it refuses a device the pool lies beyond (ERANGE),
# before swiotlb WARNs.  dmapeek's importer makes no side mapping of
# bounced memory (own-map none).

# need_bounce: skip unless every direct map is bounced; sets POOL_BYTES
# (the default pool's size)
need_bounce() {
	grep -qw 'swiotlb=force' /proc/cmdline ||
		skip "needs swiotlb=force (tests/guest-lab --topology bounce guest bounce_)"
	setup_import
	[ -x "$NL_DECODE" ] || skip "nl-decode was not built"
	[ -r /sys/kernel/debug/swiotlb/io_tlb_nslabs ] || skip "no debugfs swiotlb directory"
	POOL_BYTES=$(($(swiotlb_slabs) * 2048))
	[ "$POOL_BYTES" -gt 0 ] || fail "swiotlb=force, and no bounce buffers"
}

# alone_ivshmem: an ivshmem alone in its IOMMU group (a 64-bit DMA mask)
alone_ivshmem() {
	local b grp
	for b in $(ivshmem_bdfs | tac); do
		grp=/sys/bus/pci/devices/$b/iommu_group
		[ -e "$grp/type" ] || continue
		[ "$(find "$grp/devices/" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ] || continue
		echo "$b"
		return
	done
}

# bounce_run DEV SPEC: "dp import" of a system buffer SPEC by device id DEV,
# mapped and held while the swiotlb slots in use are read into USED_HELD;
# sets OUT, ATT, OWN (own-map), USED_BEFORE, PHYS (the buffer's page
# addresses) and DMA (the exporter's mapping's addresses: bounce slots)
bounce_run() {
	local d pid _
	d=$(mktemp -d)
	USED_BEFORE=$(cat /sys/kernel/debug/swiotlb/io_tlb_used)
	"$DP" import --dev "$1" "$2" import map nlmap mappings audit \
		"touch:$d/held" "waitfile:$d/go" >"$d/out" 2>&1 &
	pid=$!
	for _ in $(seq 600); do [ -e "$d/held" ] && break; sleep 0.1; done
	[ -e "$d/held" ] || { kill "$pid"; fail "dp import: $(cat "$d/out")"; }
	USED_HELD=$(cat /sys/kernel/debug/swiotlb/io_tlb_used)
	OUT=$(cat "$d/out")
	ATT=$(line import "$OUT" | sed -n 's/^import OK id=//p')
	OWN=$(own_map_of "${ATT:-0}")
	PHYS=$("$DP" get buffer "$(echo "$OUT" | sed -n 's/^export OK buffer=\([0-9]*\) .*/\1/p')" |
		tr ' ' '\n' | sed -n 's/^r[0-9]*\.addr=//p' | xargs)
	DMA=$("$DMAPEEK" -j mapping list | python3 -c '
import json, sys
for m in json.load(sys.stdin):
    if m.get("attachment_id") == int(sys.argv[1]) and m.get("path") == "sgtable":
        print(" ".join(hex(r["addr"]) for r in m.get("ranges", []) if "addr" in r))' "${ATT:-0}")
	touch "$d/go"
	wait "$pid" || true
	rm -rf "$d"
	echo "$OUT"
	echo "swiotlb slots in use: $USED_BEFORE before, $USED_HELD mapped ($POOL_BYTES bytes in all)"
	echo "pages: $PHYS"
	echo "mapped at: $DMA"
}

# the kernel log since MARK says nothing of bounces or overflows
assert_bounce_log_clean() {
	local log
	log=$(kmsg_since "$1") || fail "the mark is gone from the kernel log"
	assert_eq "nothing in the kernel log about it" "" \
		"$(echo "$log" | grep -E 'swiotlb buffer is full|WARNING:|overflow \(mask|importer-side mapping failed' || true)"
}

test_bounce_exporter_bounces_for_a_device_that_reaches_the_pool() {
	need_bounce
	local client none
	client=$(alone_ivshmem)
	[ -n "$client" ] || skip "no ivshmem alone in an IOMMU group"
	none=$(python3 "$DMAPEEK_TOP/tests/guest/spec-value.py" \
		"$DMAPEEK_TOP/Documentation/netlink/specs/dmapeek.yaml" \
		attr-enum attachment own-map none) || fail "the spec names no own-map none"
	identity_domain "$client"
	kmsg_mark "bounced for ivshmem"
	bounce_run "$(dev_id "$client")" sys:65536:pinned:pages
	assert_eq "map" "map OK" "$(line map "$OUT")"
	assert_eq "mapped already" "nlmap EALREADY attachment is already mapped" "$(line nlmap "$OUT")"
	assert_eq "the exporter's sg table and the importer's record of it, no side mapping" \
		"sgtable importer-sgt" \
		"$(echo "$OUT" | sed -n 's/^mapping id=[0-9]* path=\([a-z-]*\) .*/\1/p' | xargs)"
	assert_eq "own-map none ($none)" "$none" "$OWN"
	# a bounced page is not at its own address: nothing to hold it to
	assert_match "the audit of the exporter's bounced map" \
		'^audit id=[0-9]+ path=sgtable result=not-checkable pages=0 mismatches=0 holes=0$' \
		"$(echo "$OUT" | grep '^audit .*path=sgtable')"
	assert_match "and of the importer's record of it" \
		'^audit id=[0-9]+ path=importer-sgt result=not-checkable pages=0 mismatches=0 holes=0$' \
		"$(echo "$OUT" | grep '^audit .*path=importer-sgt')"
	[ "$USED_HELD" -ge $((USED_BEFORE + 32)) ] ||
		fail "the 64 KiB mapping holds no bounce slots ($USED_BEFORE before, $USED_HELD mapped)"
	[ -n "$DMA" ] || fail "no addresses of the exporter's mapping"
	local a
	for a in $DMA; do
		case " $PHYS " in
		*" $a "*) fail "a page mapped at its own address $a: not bounced" ;;
		esac
	done
	assert_bounce_log_clean "bounced for ivshmem"
}

# A quarter of the pool for all of dmapeek's maps together: one map held
# under it, a second that would go over it is refused, and so is a single
# map over it.
test_bounce_more_than_a_quarter_of_the_pool_refused() {
	need_bounce
	local client cdev d pid _
	client=$(alone_ivshmem)
	[ -n "$client" ] || skip "no ivshmem alone in an IOMMU group"
	identity_domain "$client"
	cdev=$(dev_id "$client")
	kmsg_mark "too much to bounce"
	d=$(mktemp -d)
	"$DP" import --dev "$cdev" "sys:$((POOL_BYTES / 4 - (1 << 20))):pinned" import map \
		"touch:$d/held" "waitfile:$d/go" >"$d/out" 2>&1 &
	pid=$!
	for _ in $(seq 600); do [ -e "$d/held" ] && break; sleep 0.1; done
	[ -e "$d/held" ] || { kill "$pid"; fail "dp import: $(cat "$d/out")"; }
	assert_eq "a map of a quarter of the pool less 1 MiB" "map OK" "$(line map "$(cat "$d/out")")"
	bounce_run "$cdev" "sys:$((2 << 20)):pinned"
	touch "$d/go"
	wait "$pid" || true
	rm -rf "$d"
	assert_eq "2 MiB more, while it stays" "map E2BIG" "$(line map "$OUT")"
	assert_eq "no more bounce slots held" "$USED_BEFORE" "$USED_HELD"

	bounce_run "$cdev" "sys:$((POOL_BYTES / 4 + (1 << 20))):pinned"
	assert_eq "one map of a quarter and 1 MiB" "map E2BIG" "$(line map "$OUT")"
	assert_eq "over netlink, with the kernel's reason" \
		"nlmap E2BIG the map would hold too much of the device's bounce buffers (refused)" \
		"$(line nlmap "$OUT")"
	assert_eq "no mapping" "mappings OK n=0" "$(line mappings "$OUT")"
	assert_eq "no bounce slot held" "$USED_BEFORE" "$USED_HELD"
	# and the quarter is whole again
	bounce_run "$cdev" "sys:$((2 << 20)):pinned"
	assert_eq "2 MiB once the first map went" "map OK" "$(line map "$OUT")"
	assert_bounce_log_clean "too much to bounce"
}

# Where the pool lies, from where a bounced mapping for an ivshmem lands:
# beyond 256 MiB, the edu's 28 bits reach only part of it at most.
test_bounce_pool_beyond_the_device_refused() {
	need_bounce
	local client a beyond=0 grp=/sys/bus/pci/devices/$EDU/iommu_group
	client=$(alone_ivshmem)
	[ -n "$client" ] || skip "no ivshmem alone in an IOMMU group to find the pool with"
	identity_domain "$client"
	bounce_run "$(dev_id "$client")" sys:65536:pinned
	[ -n "$DMA" ] || fail "no bounced mapping for $client to find the pool with"
	for a in $DMA; do
		[ $((a)) -le $(((1 << 28) - 1)) ] || beyond=1
	done
	[ "$beyond" = 1 ] || skip "bounce slots below 256 MiB ($DMA): the pool may lie within the edu's reach"
	[ -e "$grp/type" ] || skip "no IOMMU group type for $EDU"
	[ "$(find "$grp/devices/" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ] ||
		skip "$EDU shares its IOMMU group"
	identity_domain "$EDU" rebind
	kmsg_mark "pool beyond the edu"
	bounce_run "$(dev_id "$EDU")" sys:65536:pinned
	assert_eq "map" "map ERANGE" "$(line map "$OUT")"
	assert_eq "over netlink, with the kernel's reason" \
		"nlmap ERANGE the device cannot reach the buffer's memory (map refused)" \
		"$(line nlmap "$OUT")"
	assert_eq "no bounce slot held" "$USED_BEFORE" "$USED_HELD"
	assert_bounce_log_clean "pool beyond the edu"
}
