# SPDX-License-Identifier: GPL-2.0-only
# The P2P matrix: map type, distance and reason of (provider, client) pairs
# as the kernel's P2PDMA rules decide them, per lab topology.
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

setup_p2p() {
	setup_import
	# the last one: behind the switch in the switch topology, next to the edu
	IVSHMEM=$(ivshmem_bdfs | tail -n 1)
	bind_dmapeek "$IVSHMEM"
}

# assert_bus_beyond_edu OUT: on the switch, both mappings of a BAR buffer
# hold bus addresses, which the IOMMU cannot check and which lie beyond the
# edu's 28-bit DMA mask
assert_bus_beyond_edu() {
	assert_eq "bus addresses are not checkable through the IOMMU" "2" \
		"$(echo "$1" | grep -c '^audit id=[0-9]* path=[a-z-]* result=not-checkable pages=0 mismatches=0 holes=0$')"
	assert_eq "the BAR's bus address is beyond the edu's DMA mask (write)" \
		"dma-write EFAULT" "$(line dma-write "$1")"
	assert_eq "the BAR's bus address is beyond the edu's DMA mask (read)" \
		"dma-read EFAULT bad=0" "$(line dma-read "$1")"
}

test_p2p_dump_covers_every_pci_device() {
	setup_p2p
	local out n_pci n_rows
	out=$("$DP" p2p-dump) || fail "p2p-dump: $out"
	echo "$out"
	n_pci=$(ls /sys/bus/pci/devices | wc -l)
	n_rows=$(echo "$out" | grep -c "^p2p $IVSHMEM ")
	# one row per BAR provider of the ivshmem (BAR0 and BAR2) per device
	[ $((n_rows % n_pci)) -eq 0 ] && [ "$n_rows" -ge "$n_pci" ] ||
		fail "expected a multiple of $n_pci rows for $IVSHMEM, got $n_rows"
	assert_match "provider to itself" "^p2p $IVSHMEM $IVSHMEM bus-addr 0 same-device$" \
		"$(echo "$out" | grep "^p2p $IVSHMEM $IVSHMEM " | head -n 1)"
	# the (ivshmem, edu) cell: what the kernel's rules give this topology,
	# and the very row a p2p-get of the pair answers
	assert_pair_row "the dump's (ivshmem, edu) cell" "$(echo "$out" | grep "^p2p $IVSHMEM $EDU ")"
	assert_eq "the dump's cell is the pair's p2p-get row" \
		"$("$DP" p2p-get "$IVSHMEM" "$EDU")" \
		"$(echo "$out" | grep "^p2p $IVSHMEM $EDU " | sort -u)"
}

# assert_bar_import OUTPUT: dp import exported IVSHMEM's BAR pages and the
# edu imported them.  Both sides are dmapeek's, in this tree: a dynamic,
# P2P-capable (hence revocable) importer may attach to a BAR buffer on
# every topology (dmapeek_backing_allows()); only the map depends on the
# pair's map type.  EOPNOTSUPP anywhere is the module refusing itself.
assert_bar_import() {
	assert_match "export of BAR pages" '^export OK buffer=[0-9]+ cpu=mmap$' "$(line export "$1")"
	assert_match "import of the BAR buffer by the edu (dynamic, p2p)" '^import OK id=[0-9]+$' \
		"$(line import "$1")"
	case $1 in
	*EOPNOTSUPP*) fail "EOPNOTSUPP: dmapeek's exporter must take a dynamic P2P importer of its BAR buffer: $(echo "$1" | grep -m1 EOPNOTSUPP)" ;;
	esac
}

test_p2p_map_type_matches_topology() {
	setup_p2p
	local row
	row=$("$DP" p2p-get "$IVSHMEM" "$EDU") || fail "p2p-get: $row"
	echo "topology $DMAPEEK_TOPOLOGY: $row"
	assert_pair_row "p2p-get" "$row"
}

test_p2p_get_bad_bdf_has_extack() {
	setup_p2p
	local out
	out=$("$DP" p2p-get 0000:7f:1f.7 "$EDU" || true)
	assert_eq "unknown provider" "p2p-get ERR ENODEV no PCI device with this BDF" "$out"
	out=$("$DP" p2p-get "$IVSHMEM" garbage || true)
	assert_eq "unparsable client" "p2p-get ERR ENODEV no PCI device with this BDF" "$out"
}

# A BAR buffer from dmapeek's own exporter, imported by the edu: the map
# type decides whether it maps, and edu DMA proves the path where it does.
test_p2p_bar_buffer_import_follows_map_type() {
	setup_p2p
	local prov out
	assert_pair_row "p2p-get" "$("$DP" p2p-get "$IVSHMEM" "$EDU")"
	prov=$("$DP" providers | awk -v b="$IVSHMEM" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $IVSHMEM"
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p "export:$prov:1" import map mappings \
		audit attachment dma-write:0:4096:11 dma-read:0:4096:11 cpu-check:0:4096:11 || true)
	echo "$out"
	assert_bar_import "$out"
	# the attachment carries the pair's map type, whether or not it maps
	assert_match "the attachment's map type is the pair's" \
		" map_type=$("$DP" p2p-get "$IVSHMEM" "$EDU" | awk '{ print $4 }')\$" \
		"$(line attachment "$out")"
	case $DMAPEEK_TOPOLOGY in
	intel-root)
		# NOT_SUPPORTED: the kernel helper dma_buf_phys_vec_to_sgt()
		# refuses the pair with -EINVAL; nothing is mapped, so the
		# edu has no address to use either
		assert_match "NOT_SUPPORTED on the attachment" ' mapped=0 .* map_type=not-supported$' \
			"$(line attachment "$out")"
		assert_eq "NOT_SUPPORTED: the map is refused" "map EINVAL" "$(line map "$out")"
		assert_eq "no mapping" "mappings OK n=0" "$(line mappings "$out")"
		assert_eq "no DMA write without a mapping" "dma-write EINVAL" "$(line dma-write "$out")"
		assert_eq "no DMA read without a mapping" "dma-read EINVAL bad=0" "$(line dma-read "$out")" ;;
	switch)
		# BUS_ADDR (the switch's downstream ports have no ACS, so no
		# redirect): the helper hands out PCI bus addresses, recorded
		# as such and not checkable through the IOMMU; the importer
		# maps nothing of its own.  The BAR's bus address is above
		# the edu's 28-bit DMA mask, so dmapeek's edu driver refuses
		# the transfer (EFAULT) before the device is started.
		assert_eq "map" "map OK" "$(line map "$out")"
		assert_eq "the exporter's and the importer's sg table" "mappings OK n=2" \
			"$(line mappings "$out")"
		assert_eq "both hold bus addresses" \
			"phys-vec-helper:bus importer-sgt:bus" \
			"$(echo "$out" | sed -n 's/^mapping id=[0-9]* path=\([a-z-]*\) .* kinds=\([a-z]*\)$/\1:\2/p' | xargs)"
		assert_bus_beyond_edu "$out" ;;
	epyc-root)
		assert_eq "map" "map OK" "$(line map "$out")"
		assert_eq "edu reads back what it wrote" "dma-read OK MATCH bad=0" \
			"$(line dma-read "$out")"
		case $(line cpu-check "$out") in
		"cpu-check OK bad=0"|"cpu-check NOCPU") ;;
		*) fail "the CPU does not see the edu's bytes in the BAR: $(line cpu-check "$out")" ;;
		esac ;;
	esac
}

# Three BAR ranges (every other page of the BAR), imported by the edu.
# More than one range takes dmapeek's own mapping path
# (dmapeek_map_bar_ranges()), which refuses what the kernel helper refuses
# and otherwise covers each range at a running offset (the 7.3.4 helper
# would stack them at IOVA offset 0).  Per topology: NOT_SUPPORTED
# (intel-root) maps nothing; BUS_ADDR (switch) records bus addresses the
# edu cannot reach; THRU_HOST_BRIDGE (epyc-root) maps and the edu writes
# and reads all three ranges.
test_p2p_multi_range_bar_buffer_side_by_side() {
	setup_p2p
	local prov out
	assert_pair_row "p2p-get" "$("$DP" p2p-get "$IVSHMEM" "$EDU")"
	prov=$("$DP" providers | awk -v b="$IVSHMEM" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $IVSHMEM"
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p "export:$prov:3" import map mappings \
		audit dma-write:0:12288:13 dma-read:0:12288:13 cpu-check:0:12288:13 || true)
	echo "$out"
	assert_bar_import "$out"
	case $DMAPEEK_TOPOLOGY in
	intel-root)
		# NOT_SUPPORTED: refused with -EINVAL, as the helper does
		assert_eq "NOT_SUPPORTED: the map is refused" "map EINVAL" "$(line map "$out")"
		assert_eq "no mapping" "mappings OK n=0" "$(line mappings "$out")"
		assert_eq "nothing to audit" "audit-done n=0" "$(line audit-done "$out")"
		assert_eq "no DMA write without a mapping" "dma-write EINVAL" "$(line dma-write "$out")"
		assert_eq "no DMA read without a mapping" "dma-read EINVAL bad=0" "$(line dma-read "$out")" ;;
	switch)
		# BUS_ADDR: one bus address per range, in the exporter's
		# mapping and in the sg table the importer got; no importer
		# mapping of its own; beyond the edu's 28-bit mask (EFAULT)
		assert_eq "map" "map OK" "$(line map "$out")"
		assert_eq "mappings" "mappings OK n=2" "$(line mappings "$out")"
		assert_match "the exporter's mapping: three bus-address ranges" \
			'^mapping id=[0-9]+ path=bus-addr size=12288 ranges=3 kinds=bus$' \
			"$(echo "$out" | grep '^mapping ' | sed -n 1p)"
		assert_match "the importer's sg table: bus addresses" \
			'^mapping id=[0-9]+ path=importer-sgt size=12288 ranges=[0-9]+ kinds=bus$' \
			"$(echo "$out" | grep '^mapping ' | sed -n 2p)"
		assert_bus_beyond_edu "$out" ;;
	epyc-root)
		assert_eq "map" "map OK" "$(line map "$out")"
		assert_eq "edu round trip over the three ranges" "dma-read OK MATCH bad=0" \
			"$(line dma-read "$out")"
		case $(line cpu-check "$out") in
		"cpu-check OK bad=0"|"cpu-check NOCPU") ;;
		*) fail "the CPU does not see the edu's bytes in the BAR: $(line cpu-check "$out")" ;;
		esac
		# THRU_HOST_BRIDGE: the exporter links the three ranges at
		# running IOVA offsets; the importer sees the ranges (dmapeek
		# exported them) and maps them again itself with the two-step
		# API, side by side.  Mapping ids go in creation order: the
		# exporter's is made inside dma_buf_map_attachment(), the
		# importer's two after it returns.
		assert_eq "mappings" "mappings OK n=3" "$(line mappings "$out")"
		assert_eq "the exporter's, the importer's sg table, the importer's own" \
			"iova-link importer-sgt iova-link" \
			"$(echo "$out" | sed -n 's/^mapping id=[0-9]* path=\([a-z-]*\) .*/\1/p' | xargs)"
		assert_match "the importer's own mapping: three IOVA ranges" \
			'^mapping id=[0-9]+ path=iova-link size=12288 ranges=3 kinds=iova$' \
			"$(echo "$out" | grep '^mapping .*path=iova-link' | tail -n 1)"
		assert_match "the importer's own mapping checks out" \
			'^audit id=[0-9]+ path=iova-link result=ok pages=3 mismatches=0 holes=0$' \
			"$(echo "$out" | grep '^audit .*path=iova-link' | tail -n 1)"
		assert_match "the exporter's mapping checks out" \
			'^audit id=[0-9]+ path=iova-link result=ok pages=3 mismatches=0 holes=0$' \
			"$(echo "$out" | grep '^audit .*path=iova-link' | head -n 1)" ;;
	esac
}

# A movable dmapeek buffer under edu DMA, moved to the ivshmem BAR and back:
# each move invalidates the importer, which re-maps lazily on the next DMA;
# the bytes move with the buffer; on the BAR the map type decides whether
# the edu reaches it.
test_p2p_edu_dma_follows_a_move() {
	setup_p2p
	local prov out first
	assert_pair_row "p2p-get" "$("$DP" p2p-get "$IVSHMEM" "$EDU")"
	prov=$("$DP" providers | awk -v b="$IVSHMEM" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$prov" ] || fail "no BAR2 provider for $IVSHMEM"
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p sys:8192:movable import \
		dma-write:0:4096:31 dma-write:4096:4096:33 cpu-check:0:4096:31 \
		"move:$prov" cpu-check:0:4096:31 cpu-check:4096:4096:33 dma-read:4096:4096:33 \
		dma-write:0:4096:32 move:1 dma-read:4096:4096:33 attachment \
		cpu-check:0:4096:31 cpu-check:0:4096:32)
	echo "$out"
	assert_eq "device writes in system memory" "dma-write OK" \
		"$(echo "$out" | grep ^dma-write | sed -n 1p)"
	assert_eq "move to the BAR" "move OK" "$(echo "$out" | grep ^move | sed -n 1p)"
	assert_eq "the device's bytes moved (first page)" "cpu-check OK bad=0" \
		"$(echo "$out" | grep ^cpu-check | sed -n 2p)"
	assert_eq "the device's bytes moved (second page)" "cpu-check OK bad=0" \
		"$(echo "$out" | grep ^cpu-check | sed -n 3p)"
	case $DMAPEEK_TOPOLOGY in
	intel-root)
		# NOT_SUPPORTED: the lazy re-map is refused (-EINVAL)
		assert_eq "NOT_SUPPORTED: no DMA into the BAR" "dma-read EINVAL bad=0" \
			"$(echo "$out" | grep ^dma-read | sed -n 1p)"
		assert_eq "NOT_SUPPORTED: no DMA write into the BAR" "dma-write EINVAL" \
			"$(echo "$out" | grep ^dma-write | sed -n 3p)"
		first=31 ;;
	epyc-root)
		assert_eq "edu reads the moved bytes in the BAR" "dma-read OK MATCH bad=0" \
			"$(echo "$out" | grep ^dma-read | sed -n 1p)"
		assert_eq "edu writes into the BAR" "dma-write OK" \
			"$(echo "$out" | grep ^dma-write | sed -n 3p)"
		first=32 ;;
	switch)
		# BUS_ADDR: re-mapped with bus addresses above the edu's
		# 28-bit DMA mask, which dmapeek's edu driver refuses
		assert_eq "BUS_ADDR: the BAR's bus address is beyond the edu" "dma-read EFAULT bad=0" \
			"$(echo "$out" | grep ^dma-read | sed -n 1p)"
		assert_eq "BUS_ADDR: no DMA write into the BAR" "dma-write EFAULT" \
			"$(echo "$out" | grep ^dma-write | sed -n 3p)"
		first=31 ;;
	esac
	assert_eq "move back to system memory" "move OK" "$(echo "$out" | grep ^move | sed -n 2p)"
	assert_eq "edu reads after the round trip" "dma-read OK MATCH bad=0" \
		"$(echo "$out" | grep ^dma-read | sed -n 2p)"
	assert_match "invalidated by each move" ' invalidations=2 ' "$(line attachment "$out")"
	# the first page: the edu's write into the BAR where it could reach it
	case $first in
	31) assert_eq "first page kept its bytes" "cpu-check OK bad=0" \
		"$(echo "$out" | grep ^cpu-check | sed -n 4p)" ;;
	32) assert_eq "first page holds the edu's write into the BAR" "cpu-check OK bad=0" \
		"$(echo "$out" | grep ^cpu-check | sed -n 5p)" ;;
	esac
}
