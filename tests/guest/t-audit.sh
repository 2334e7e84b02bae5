# SPDX-License-Identifier: GPL-2.0-only
# The IOVA audit: every page of a mapping checked through the IOMMU.
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

test_audit_passes_importer_and_two_step_mappings() {
	setup_import
	local out
	out=$("$DP_IMPORT" --dev "$EDU_DEV" udmabuf:65536 import map audit ioc-audit)
	echo "$out"
	if kernel_config_y CONFIG_DMABUF_DEBUG; then
		# The core hands importers a copy of the sg table without its
		# pages, so the physical side of a foreign buffer is unknown:
		# nothing to check against and nothing to map side by side.
		assert_match "sg table without pages is not checkable" \
			'^audit id=[0-9]+ path=importer-sgt result=not-checkable pages=0 mismatches=0 holes=0$' \
			"$(echo "$out" | grep '^audit .*path=importer-sgt')"
		assert_eq "no two-step mapping without pages" "" \
			"$(echo "$out" | grep '^audit .*path=iova-link' || true)"
		return 0
	fi
	assert_match "exporter's sg table checks out" \
		'^audit id=[0-9]+ path=importer-sgt result=ok pages=16 mismatches=0 holes=0$' \
		"$(echo "$out" | grep '^audit .*path=importer-sgt')"
	assert_match "two-step mapping checks out" \
		'^audit id=[0-9]+ path=iova-link result=ok pages=16 mismatches=0 holes=0$' \
		"$(echo "$out" | grep '^audit .*path=iova-link')"
	assert_match "same answer over the ioctl" \
		'^ioc-audit id=[0-9]+ path=iova-link result=ok pages=16 mismatches=0 holes=0$' \
		"$(echo "$out" | grep '^ioc-audit .*path=iova-link')"
}

# An audit of a mapping id nobody holds fails with ENOENT and says why:
# the id of a mapping just unmapped (ids are not reused at once), and one
# never handed out.
test_audit_unknown_mapping_has_extack() {
	setup_import
	local out id
	out=$("$DP_IMPORT" --dev "$EDU_DEV" udmabuf:4096 import map mappings unmap audit)
	echo "$out"
	assert_eq "no mapping left to audit" "audit-done n=0" "$(line audit-done "$out")"
	id=$(echo "$out" | sed -n 's/^mapping id=\([0-9]*\) .*/\1/p' | tail -n 1)
	[ -n "$id" ] || fail "no mapping listed while mapped"
	out=$("$DP_IMPORT" udmabuf:4096 "audit-id:$id" audit-id:4000000000)
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
	out=$("$DP_IMPORT" --dev "$EDU_DEV" sys:65536:pinned import map mappings audit)
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
	# the exporter's dma_map_sgtable() record keeps each segment's page
	# only while the IOMMU left the segments apart: once it merged them
	# into fewer IOVA runs there is nothing to check the pages against
	if echo "$out" | grep -q '^mapping .*path=sgtable .* ranges=16 '; then
		assert_match "so does the exporter's" \
			'^audit id=[0-9]+ path=sgtable result=ok pages=16 mismatches=0 holes=0$' \
			"$(echo "$out" | grep '^audit .*path=sgtable')"
	else
		assert_match "the exporter's merged segments: not checkable" \
			'^audit id=[0-9]+ path=sgtable result=not-checkable pages=0 mismatches=0 holes=0$' \
			"$(echo "$out" | grep '^audit .*path=sgtable')"
	fi
}

# The kernel helper dma_buf_phys_vec_to_sgt() links every range at IOVA
# offset 0.  Map three BAR ranges through it (debug parameters) next to
# dmapeek's running-offset mapping of the same ranges.
test_audit_flags_phys_vec_helper_multi_range() {
	setup_import
	local ivshmem prov out helper
	ivshmem=$(ivshmem_bdfs | head -n 1)
	bind_dmapeek "$ivshmem"
	prov=$("$DP_IMPORT" providers | awk -v b="$ivshmem" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $ivshmem"
	echo "$prov" >/sys/module/dmapeek/parameters/audit_bar_provider
	echo 3 >/sys/module/dmapeek/parameters/audit_bar_ranges
	out=$("$DP_IMPORT" --dev "$EDU_DEV" udmabuf:4096 import map mappings audit)
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
	intel-root)
		dmesg | grep -qE "dma_buf_phys_vec_to_sgt\(3 ranges\): -22$" ||
			fail "expected NOT_SUPPORTED (-EINVAL) from the helper" ;;
	*)
		[ -z "$helper" ] || assert_match "the helper's mapping is flagged" \
			'result=mismatch' "$helper" ;;
	esac
}
