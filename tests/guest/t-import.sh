# SPDX-License-Identifier: GPL-2.0-only
# The importer: any dma-buf imported by a device bound to dmapeek, mapped
# under the reservation rules, the importer behaviours on invalidation, and
# real DMA through QEMU's edu engine.
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

test_udmabuf_import_maps_through_iommu() {
	setup_import
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	local out
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:65536 import fdinfo map mappings)
	echo "$out"
	assert_match "import" '^import OK id=[0-9]+$' "$(line import "$out")"
	assert_eq "true exporter name" "fdinfo exp_name=udmabuf size=65536" "$(line fdinfo "$out")"
	assert_eq "map" "map OK" "$(line map "$out")"
	assert_match "importer sg table recorded, translated by the IOMMU" \
		'^mapping id=[0-9]+ path=importer-sgt size=65536 ranges=[0-9]+ kinds=iova$' \
		"$(echo "$out" | grep 'path=importer-sgt')"
	# The sg table is the device's, not the importer's to read: the
	# importer never maps a foreign buffer's pages itself, on any kernel.
	assert_eq "only the importer's sg table" "mappings OK n=1" "$(line mappings "$out")"
	assert_eq "no mapping of the importer's own beside it" "" \
		"$(echo "$out" | grep -E 'path=(iova-link|map-phys)' || true)"
}

test_system_heap_import_named_system() {
	setup_import
	[ -e /dev/dma_heap/system ] || skip "no system dma-heap in this kernel"
	local out
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic heap:32768 import fdinfo map mappings \
		attachment)
	echo "$out"
	assert_match "import" '^import OK id=[0-9]+$' "$(line import "$out")"
	assert_eq "true exporter name" "fdinfo exp_name=system size=32768" "$(line fdinfo "$out")"
	# dmapeek's own row names the exporter as the dma-buf core knows it;
	# IMPORTED | DYNAMIC | REVOCABLE = 0x25 (no PEER2PEER asked)
	assert_match "the module's attachment row names the exporter" \
		"^attachment id=[0-9]+ exp_name=system size=32768 device=$EDU_DEV flags=0x25 " \
		"$(line attachment "$out")"
	assert_eq "map (dynamic importer)" "map OK" "$(line map "$out")"
	assert_match "mapped size" 'path=importer-sgt size=32768' "$out"
}

test_attachment_rows_show_importer_fields() {
	setup_import
	local out
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p udmabuf:16384 import map attachment)
	echo "$out"
	case "$(line attachment "$out")" in
	"attachment ERR "*) fail "attachment-get of the edu's import must answer: $(line attachment "$out")" ;;
	esac
	# IMPORTED | DYNAMIC | PEER2PEER | REVOCABLE = 0x27; device and
	# behaviour are in the row once the (shared) fill reports them
	assert_match "attachment row" "exp_name=udmabuf size=16384 device=($EDU_DEV|-) flags=0x27 behaviour=(normal|-) mapped=1 maps=1 unmaps=0 invalidations=0 revoked_seen=0 .* map_type=none$" \
		"$(line attachment "$out")"
}

test_map_unmap_by_id_over_netlink() {
	setup_import
	local out
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:8192 import nlmap nlmap mappings nlunmap nlunmap mappings)
	echo "$out"
	assert_eq "first map" "nlmap OK" "$(echo "$out" | grep '^nlmap' | sed -n 1p)"
	assert_eq "second map: extack" "nlmap EALREADY attachment is already mapped" \
		"$(echo "$out" | grep '^nlmap' | sed -n 2p)"
	assert_eq "mapped: the importer's sg table" "mappings OK n=1" "$(echo "$out" | grep '^mappings' | sed -n 1p)"
	assert_eq "unmap" "nlunmap OK" "$(echo "$out" | grep '^nlunmap' | sed -n 1p)"
	assert_eq "second unmap: extack" "nlunmap ENXIO attachment is not mapped" \
		"$(echo "$out" | grep '^nlunmap' | sed -n 2p)"
	assert_eq "unmapped: no mappings" "mappings OK n=0" "$(echo "$out" | grep '^mappings' | sed -n 2p)"
}

test_detach_and_close_release_everything() {
	setup_import
	local out before
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:8192 import map detach mappings detach)
	echo "$out"
	assert_eq "detach" "detach OK" "$(echo "$out" | grep '^detach' | sed -n 1p)"
	assert_eq "no mapping left" "mappings OK n=0" "$(line mappings "$out")"
	assert_eq "second detach" "detach ENOENT" "$(echo "$out" | grep '^detach' | sed -n 2p)"
	# closing /dev/dmapeek with a mapped import releases it: the device count drops
	"$DP" import --dev "$EDU_DEV" udmabuf:8192 import map >/dev/null
	assert_match "no attachment left on the device" "attachments=0$" \
		"$("$DP" devices | grep " $EDU ")"
	rmmod dmapeek || fail "rmmod after imports were closed"
}

test_bad_inputs_get_clear_errors() {
	setup_import
	local out
	out=$("$DP" import --dev "$EDU_DEV" file:/etc/hostname import)
	assert_eq "a file that is not a dma-buf" "import ERR EINVAL" "$(line import "$out")"
	out=$("$DP" import --dev 999 udmabuf:4096 import)
	assert_eq "unknown device" "import ERR ENODEV" "$(line import "$out")"
	out=$("$DP" import --dev "$EDU_DEV" --raw-flags 0x100 udmabuf:4096 import)
	assert_eq "unknown flag" "import ERR EINVAL" "$(line import "$out")"
	out=$("$DP" import --dev "$EDU_DEV" --flags pin udmabuf:4096 import)
	assert_eq "pin without dynamic" "import ERR EINVAL" "$(line import "$out")"
	out=$("$DP" import --dev "$EDU_DEV" --behaviour never udmabuf:4096 import)
	assert_eq "misbehaviour without invalidations" "import ERR EINVAL" "$(line import "$out")"
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:4096 id:424242 map nlmap detach dma-read:0:16:1)
	assert_eq "unknown attachment id (map)" "map ENOENT" "$(line map "$out")"
	assert_eq "unknown attachment id (netlink)" "nlmap ENOENT no such attachment" "$(line nlmap "$out")"
	assert_eq "unknown attachment id (detach)" "detach ENOENT" "$(line detach "$out")"
	assert_eq "unknown attachment id (dma)" "dma-read ENOENT bad=0" "$(line dma-read "$out")"
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:8192 import dma-read:8192:16:1 dma-read:4096:8192:1)
	assert_eq "offset past the end" "dma-read ERANGE bad=0" "$(echo "$out" | grep ^dma-read | sed -n 1p)"
	assert_eq "length past the end" "dma-read ERANGE bad=0" "$(echo "$out" | grep ^dma-read | sed -n 2p)"
	# a device not bound to dmapeek cannot import: unbind the edu, its id goes
	unbind_dmapeek "$EDU"
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:4096 import)
	assert_eq "unbound device" "import ERR ENODEV" "$(line import "$out")"
	bind_dmapeek "$EDU"
}

test_edu_dma_roundtrip_system_memory() {
	setup_import
	local out
	# device writes, CPU checks; CPU writes, device reads; across a page boundary
	out=$("$DP" import --dev "$EDU_DEV" udmabuf:16384 import \
		dma-write:2048:8192:7 cpu-check:2048:8192:7 \
		cpu-fill:4096:6000:9 dma-read:4096:6000:9 mappings)
	echo "$out"
	assert_eq "device write" "dma-write OK" "$(line dma-write "$out")"
	assert_eq "CPU sees the device's bytes" "cpu-check OK bad=0" "$(line cpu-check "$out")"
	assert_eq "device reads the CPU's bytes" "dma-read OK MATCH bad=0" "$(line dma-read "$out")"
	assert_match "mapped lazily by the DMA" 'path=importer-sgt' "$out"
}

test_edu_dma_roundtrip_system_heap() {
	setup_import
	[ -e /dev/dma_heap/system ] || skip "no system dma-heap in this kernel"
	local out
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic heap:8192 import \
		dma-write:0:8192:3 cpu-check:0:8192:3 cpu-fill:100:300:5 dma-read:100:300:5)
	echo "$out"
	assert_eq "device write" "dma-write OK" "$(line dma-write "$out")"
	assert_eq "CPU check" "cpu-check OK bad=0" "$(line cpu-check "$out")"
	assert_eq "device read" "dma-read OK MATCH bad=0" "$(line dma-read "$out")"
}

# The importer behaviours on invalidation, driven by real moves of a
# movable dmapeek buffer (only an exporter may invalidate its buffers, so
# dmapeek's exporter does it): to an ivshmem BAR and, before any DMA, back
# to system memory, so that the edu's reach of the BAR (the topology's P2P
# map type) plays no part.  Sets MOVE_PROV, the BAR provider.
setup_move_target() {
	local iv
	iv=$(ivshmem_bdfs | head -n 1)
	bind_dmapeek "$iv"
	MOVE_PROV=$("$DP" providers | awk -v b="$iv" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$MOVE_PROV" ] || fail "no BAR2 provider for $iv"
}

# mappings_line N OUTPUT: the Nth "mappings" line of OUTPUT
mappings_line() { echo "$2" | grep ^mappings | sed -n "$1p"; }

test_normal_importer_unmaps_inside_invalidate() {
	setup_import
	setup_move_target
	local out lat
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p sys:8192:movable import \
		map mappings "move:$MOVE_PROV" mappings attachment move:1 \
		dma-write:0:64:2 cpu-check:0:64:2 mappings)
	echo "$out"
	assert_match "mapped" '^mappings OK n=[1-9]' "$(mappings_line 1 "$out")"
	assert_eq "moved to the BAR" "move OK" "$(echo "$out" | grep ^move | sed -n 1p)"
	assert_eq "unmapped, not mapped again by itself" "mappings OK n=0" "$(mappings_line 2 "$out")"
	lat=$(kv last_unmap_latency_ns "$(line attachment "$out")")
	if [ -z "$lat" ] || [ "$lat" -ge 100000000 ]; then
		fail "the unmap did not come inside the invalidation: $(line attachment "$out")"
	fi
	assert_eq "moved back" "move OK" "$(echo "$out" | grep ^move | sed -n 2p)"
	assert_eq "DMA re-maps lazily" "dma-write OK" "$(line dma-write "$out")"
	assert_eq "data landed" "cpu-check OK bad=0" "$(line cpu-check "$out")"
	assert_eq "mapped again" "$(mappings_line 1 "$out")" "$(mappings_line 3 "$out")"
}

# The move waits 300 ms for an importer that never unmaps, then goes on:
# the buffer is on the BAR, the importer still maps the old pages.
test_never_unmap_importer_keeps_mapping_and_refuses_dma() {
	setup_import
	setup_move_target
	local out
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p --behaviour never sys:8192:movable \
		import cpu-fill:0:64:4 map mappings "move:$MOVE_PROV:300" mappings \
		dma-write:0:64:1 cpu-check:0:64:4 unmap move:1 map dma-write:0:64:1 cpu-check:0:64:1)
	echo "$out"
	assert_eq "the move went on without the importer" "move OK" \
		"$(echo "$out" | grep ^move | sed -n 1p)"
	assert_match "mapped" '^mappings OK n=[1-9]' "$(mappings_line 1 "$out")"
	assert_eq "still mapped after invalidate" "$(mappings_line 1 "$out")" "$(mappings_line 2 "$out")"
	assert_eq "no DMA through a stale mapping" "dma-write ESTALE" \
		"$(echo "$out" | grep ^dma-write | sed -n 1p)"
	assert_eq "no stray write" "cpu-check OK bad=0" "$(echo "$out" | grep ^cpu-check | sed -n 1p)"
	assert_eq "moved back once unmapped" "move OK" "$(echo "$out" | grep ^move | sed -n 2p)"
	assert_eq "fresh map works" "dma-write OK" "$(echo "$out" | grep ^dma-write | sed -n 2p)"
	assert_eq "fresh map data" "cpu-check OK bad=0" "$(echo "$out" | grep ^cpu-check | sed -n 2p)"
}

# The move waits only 200 ms: the importer unmaps 700 ms after the
# invalidation, from its delayed work.
test_delayed_unmap_importer_unmaps_after_delay() {
	setup_import
	setup_move_target
	local out lat
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p --behaviour delayed:700 \
		sys:8192:movable import map mappings "move:$MOVE_PROV:200" mappings sleep:1500 \
		mappings attachment)
	echo "$out"
	assert_eq "move" "move OK" "$(line move "$out")"
	assert_match "mapped" '^mappings OK n=[1-9]' "$(mappings_line 1 "$out")"
	assert_eq "still mapped during the delay" "$(mappings_line 1 "$out")" "$(mappings_line 2 "$out")"
	assert_eq "unmapped after the delay" "mappings OK n=0" "$(mappings_line 3 "$out")"
	lat=$(kv last_unmap_latency_ns "$(line attachment "$out")")
	if [ -z "$lat" ] || [ "$lat" -lt 700000000 ]; then
		fail "the delayed importer unmapped early: $(line attachment "$out")"
	fi
}

test_pinned_dynamic_import_maps() {
	setup_import
	local out
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,pin,p2p udmabuf:8192 import map dma-write:0:32:6 cpu-check:0:32:6)
	echo "$out"
	assert_match "pinned import" '^import OK' "$(line import "$out")"
	assert_eq "pinned map" "map OK" "$(line map "$out")"
	assert_eq "pinned DMA" "cpu-check OK bad=0" "$(line cpu-check "$out")"
}

test_unbind_detaches_imports() {
	setup_import
	local out dir i
	dir=$(mktemp -d)
	"$DP" import --dev "$EDU_DEV" udmabuf:8192 import map "touch:$dir/mapped" \
		"waitfile:$dir/unbound" mappings map >"$dir/log" &
	for i in $(seq 600); do [ -e "$dir/mapped" ] && break; sleep 0.1; done
	unbind_dmapeek "$EDU"
	touch "$dir/unbound"
	wait
	out=$(cat "$dir/log")
	rm -rf "$dir"
	echo "$out"
	assert_eq "mapped before the unbind" "map OK" "$(echo "$out" | grep '^map ' | sed -n 1p)"
	assert_eq "mappings gone with the device" "mappings OK n=0" "$(line mappings "$out")"
	assert_eq "the import is detached" "map ENOENT" "$(echo "$out" | grep '^map ' | sed -n 2p)"
	bind_dmapeek "$EDU"
}

# edu DMA into a revocable dmapeek buffer: it works before the revoke, is
# refused with ENODEV while revoked (the lazy re-map fails, nothing lands),
# and works again after the restore, with the data checked each time.
test_edu_dma_across_revoke_of_dmapeek_buffer() {
	setup_import
	local out
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,p2p sys:16384:revocable import \
		dma-write:0:8192:21 cpu-check:0:8192:21 cpu-fill:8192:4096:22 dma-read:8192:4096:22 \
		revoke:1000 dma-write:0:8192:23 dma-read:8192:4096:22 mappings attachment \
		restore cpu-check:0:8192:21 dma-write:0:8192:24 cpu-check:0:8192:24 \
		dma-read:8192:4096:22 mappings)
	echo "$out"
	assert_match "export" '^export OK buffer=[0-9]+ cpu=mmap$' "$(line export "$out")"
	assert_eq "device writes before the revoke" "dma-write OK" \
		"$(echo "$out" | grep ^dma-write | sed -n 1p)"
	assert_eq "CPU sees them" "cpu-check OK bad=0" "$(echo "$out" | grep ^cpu-check | sed -n 1p)"
	assert_eq "device reads before the revoke" "dma-read OK MATCH bad=0" \
		"$(echo "$out" | grep ^dma-read | sed -n 1p)"
	assert_eq "revoke: the importer unmapped in time" "revoke OK attachments=1 stuck=0" \
		"$(line revoke "$out")"
	assert_eq "device write refused while revoked" "dma-write ENODEV" \
		"$(echo "$out" | grep ^dma-write | sed -n 2p)"
	assert_eq "device read refused while revoked" "dma-read ENODEV bad=0" \
		"$(echo "$out" | grep ^dma-read | sed -n 2p)"
	assert_eq "no mapping while revoked" "mappings OK n=0" \
		"$(echo "$out" | grep ^mappings | sed -n 1p)"
	assert_match "the refusals are counted" ' revoked_seen=2 ' "$(line attachment "$out")"
	assert_eq "restore" "restore OK" "$(line restore "$out")"
	assert_eq "no stray write landed while revoked" "cpu-check OK bad=0" \
		"$(echo "$out" | grep ^cpu-check | sed -n 2p)"
	assert_eq "device writes after the restore" "dma-write OK" \
		"$(echo "$out" | grep ^dma-write | sed -n 3p)"
	assert_eq "CPU sees them" "cpu-check OK bad=0" "$(echo "$out" | grep ^cpu-check | sed -n 3p)"
	assert_eq "device reads after the restore" "dma-read OK MATCH bad=0" \
		"$(echo "$out" | grep ^dma-read | sed -n 3p)"
	assert_match "mapped again" '^mappings OK n=[1-9]' "$(echo "$out" | grep ^mappings | sed -n 2p)"
}

# A buffer of another exporter: dmapeek's importer sends each transition's
# event itself, once (see "DOC: dmapeek events" in kmod/dmapeek.h).
test_importer_events_once_for_foreign_buffer() {
	setup_import
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	local ev evpid out att i types
	ev=$(mktemp)
	"$DP" events 120 >"$ev" &
	evpid=$!
	for i in $(seq 100); do grep -q '^listening' "$ev" && break; sleep 0.1; done
	out=$("$DP" import --dev "$EDU_DEV" --flags dynamic,pin udmabuf:8192 import map \
		unmap map unmap detach)
	sleep 1
	kill "$evpid"
	wait "$evpid" || true
	echo "$out"
	cat "$ev"
	att=$(line import "$out" | sed 's/.*id=//')
	types=$(grep -E "attachment=$att( |\$)" "$ev" | sed 's/.* type=\([0-9]*\).*/\1/' | tr '\n' ' ')
	rm -f "$ev"
	# attach pin map unmap map unmap unpin detach.  (No invalidate: only
	# its exporter may invalidate a buffer, and udmabuf never does; the
	# invalidations of dmapeek's own buffers are its exporter's events.)
	assert_eq "importer events, each once" "3 7 5 6 5 6 8 4 " "$types"
}
