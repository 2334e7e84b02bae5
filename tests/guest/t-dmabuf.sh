# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# Any dma-buf's attachments (DMABUF_ATTACHMENTS, ABI 2.2): every importer of
# a buffer from any exporter, with the flags the dma-buf core records, read
# by descriptor: this process's, or another's through pidfd_getfd(); and
# the P2P verdict between the exporter's device and each importer.  The
# ground truth is made here: dmapeek's own imports with known flags, and a
# foreign static importer (vgem's PRIME import) of udmabuf and system-heap
# buffers a helper process holds; the driver of vgem's device is read from
# sysfs.
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

DMABUF_PEEK=$DMAPEEK_TOP/tests/guest/dmabuf-peek
DMABUF_HOLDER=$DMAPEEK_TOP/tests/guest/dmabuf-helper.py
DP_SEC=$DMAPEEK_TOP/tests/guest/dp-sec
# the account without privileges (t-tape.sh's too)
DMABUF_USER=nobody

# dmabuf_setup: load, bind the edu as the client; sets $sys, $dev, $edu
dmabuf_setup() {
	load_module
	edu=$(need_pci "$EDU_ID" | head -n1)
	"$DMAPEEK" bind "$edu" >/dev/null || fail "dmapeek bind $edu failed"
	sys=$("$DMAPEEK" -j provider list | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "the module lists no system memory provider"
	dev=$("$DMAPEEK" -j device list | python3 -c 'import json,sys; print(next(d["id"] for d in json.load(sys.stdin) if d["bdf"]==sys.argv[1]))' "$edu") ||
		fail "no dmapeek device for $edu"
	[ -e /dev/udmabuf ] || modprobe udmabuf 2>/dev/null || true
}

# jget JSON-TEXT PYTHON-EXPR: evaluate EXPR on the parsed JSON (as j)
jget() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# peek_own BUFFER: "dmapeek -j buffer attachments" of a held buffer,
# through the descriptor "buffer exec" gives its command
peek_own() {
	"$DMAPEEK" buffer exec "$1" -- sh -c 'exec "$0" -j buffer attachments fd "$DMAPEEK_BUFFER_FD"' \
		"$DMAPEEK"
}

# vgem_driver: the driver of vgem's device, as sysfs says (the ground truth)
vgem_driver() {
	local c
	for c in /sys/class/drm/card*; do
		case $(readlink -f "$c/device") in
		*vgem*) basename "$(readlink -f "$c/device/driver")"; return 0 ;;
		esac
	done
	return 1
}

# The attachments of a buffer dmapeek exported, imported by dmapeek's own
# importer dynamically with P2P and statically: each with the id dmapeek
# gave it, the edu and its driver, and the flags its import asked for;
# the static one of a movable (dynamic) exporter is pinned by the core
# while it is mapped, and shows it.
test_attach_flags_of_a_dmapeek_buffer_and_its_own_imports() {
	local sys dev edu out b a1 a2
	dmabuf_setup
	out=$("$DMAPEEK" -j export provider "$sys" size 64K model movable name peek) ||
		fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	out=$("$DMAPEEK" -j import buffer "$b" device "$dev" dynamic p2p) || fail "import: $out"
	a1=$(jget "$out" 'j["attachment"]')
	out=$("$DMAPEEK" -j import buffer "$b" device "$dev") || fail "static import: $out"
	a2=$(jget "$out" 'j["attachment"]')

	out=$(peek_own "$b") || fail "buffer attachments of buffer $b: $out"
	echo "$out"
	python3 - "$out" "$b" "$a1" "$a2" "$edu" <<-'PY' || fail "attachments of buffer $b: see above"
	import json, sys
	j = json.loads(sys.argv[1])
	b, a1, a2, edu = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
	assert j["exp_name"] == "dmapeek", j["exp_name"]
	assert j["buffer"] == b, (j["buffer"], b)
	assert j["name"] == "peek", j["name"]
	assert j["size"] == 65536, j["size"]
	assert j["dynamic"] is True, "a movable buffer's exporter has pin"
	assert j["total"] == 2 and len(j["attachments"]) == 2, j
	by_id = {a["attachment"]: a for a in j["attachments"]}
	assert set(by_id) == {a1, a2}, by_id.keys()
	for a in j["attachments"]:
	    assert a["device"] == edu and a["driver"] == "dmapeek", a
	want = {a1: {"dynamic", "peer2peer", "revocable", "exported", "imported", "held"},
	        a2: {"exported", "imported", "held", "pin-on-map"}}
	for aid, flags in want.items():
	    assert set(by_id[aid]["flags"]) == flags, (aid, by_id[aid]["flags"], flags)
	print("both imports, their ids, devices and flags as asked")
	PY

	# the core pins the static import while it is mapped: dmapeek's
	# record says so, and the peek carries it
	"$DMAPEEK" map "$a2" >/dev/null || fail "map $a2"
	out=$(peek_own "$b") || fail "buffer attachments: $out"
	assert_eq "the mapped static import is pinned" True \
		"$(jget "$out" '"pinned" in next(a for a in j["attachments"] if a["attachment"]=='"$a2"')["flags"]')"
	"$DMAPEEK" unmap "$a2" >/dev/null || fail "unmap $a2"
	out=$(peek_own "$b") || fail "buffer attachments: $out"
	assert_eq "unpinned after its unmap" False \
		"$(jget "$out" '"pinned" in next(a for a in j["attachments"] if a["attachment"]=='"$a2"')["flags"]')"
	# netlink's attachment object has the derived flag from the same helper
	out=$("$DMAPEEK" -j attachment show "$a2") || fail "attachment show $a2"
	assert_eq "netlink's flags of the static import" True "$(jget "$out" '"pin-on-map" in j[0]["flags"]')"

	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	out=$(peek_own "$b") || fail "buffer attachments: $out"
	assert_eq "no attachment left" "0 0" "$(jget "$out" 'j["total"], len(j["attachments"])' | tr -d '(),')"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	unload_module
}

# Buffers of other exporters (udmabuf, the system heap) that another
# process holds, PRIME-imported by vgem: read as root through PID:FD,
# vgem's attachment is static, without P2P, not revocable, with its
# driver's name and no dmapeek id; dmapeek's own dynamic and static
# imports of the same buffer beside it carry their ids (the static one
# known by its record only: it has no importer ops).
test_attach_flags_foreign_static_importer_by_pid_fd() {
	local sys dev edu kind line pid fd out ino drv a_dyn a_stat done_kinds=""
	dmabuf_setup
	modprobe vgem 2>/dev/null || skip "no vgem module in this kernel"
	drv=$(vgem_driver) || fail "vgem loaded but no vgem card in /sys/class/drm"
	for kind in udmabuf heap; do
		coproc HOLDER { exec python3 "$DMABUF_HOLDER" share "$kind" 65536 vgem 2>&1; }
		read -r line <&"${HOLDER[0]}" || fail "the $kind holder said nothing"
		case $line in
		"ready "*) ;;
		"skip: "*) echo "$kind: $line"; wait "$HOLDER_PID" 2>/dev/null || true; continue ;;
		*) fail "the $kind holder: $line" ;;
		esac
		read -r _ pid fd <<<"$line"
		ino=$(stat -L -c %i "/proc/$pid/fd/$fd")
		out=$("$DMAPEEK" -j buffer attachments fd "$pid:$fd") ||
			fail "buffer attachments fd $pid:$fd ($kind): $out"
		echo "$out"
		python3 - "$out" "$kind" "$ino" "$drv" <<-'PY' || fail "$kind buffer's attachments: see above"
		import json, sys
		j = json.loads(sys.argv[1])
		kind, ino, drv = sys.argv[2], int(sys.argv[3]), sys.argv[4]
		assert j["exp_name"] == {"udmabuf": "udmabuf", "heap": "system"}[kind], j["exp_name"]
		assert j["inode"] == ino, (j["inode"], ino)
		assert j["size"] == 65536 and j["buffer"] is None and j["dynamic"] is False, j
		assert j["total"] == 1 and len(j["attachments"]) == 1, j
		a = j["attachments"][0]
		assert a["device"] == "vgem" and a["driver"] == drv, a
		assert a["flags"] == [] and a["attachment"] is None, a
		print("vgem: static, no P2P, not revocable, driver %s, no dmapeek id" % drv)
		PY

		out=$("$DMAPEEK" -j import fd "$pid:$fd" device "$dev" dynamic) || fail "import: $out"
		a_dyn=$(jget "$out" 'j["attachment"]')
		out=$("$DMAPEEK" -j import fd "$pid:$fd" device "$dev") || fail "static import: $out"
		a_stat=$(jget "$out" 'j["attachment"]')
		out=$("$DMAPEEK" -j buffer attachments fd "$pid:$fd") || fail "buffer attachments: $out"
		echo "$out"
		python3 - "$out" "$a_dyn" "$a_stat" "$edu" <<-'PY' || fail "$kind buffer with dmapeek's imports: see above"
		import json, sys
		j = json.loads(sys.argv[1])
		a_dyn, a_stat, edu = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
		assert j["total"] == 3, j["total"]
		by_id = {a["attachment"]: a for a in j["attachments"]}
		assert set(by_id) == {None, a_dyn, a_stat}, by_id.keys()
		assert set(by_id[a_dyn]["flags"]) == {"dynamic", "revocable", "imported", "held"}, by_id[a_dyn]
		assert set(by_id[a_stat]["flags"]) == {"imported", "held"}, by_id[a_stat]
		for aid in (a_dyn, a_stat):
		    assert by_id[aid]["device"] == edu and by_id[aid]["driver"] == "dmapeek", by_id[aid]
		assert by_id[None]["device"] == "vgem" and by_id[None]["flags"] == [], by_id[None]
		print("dmapeek's dynamic and static imports beside vgem's, each with its id")
		PY
		"$DMAPEEK" attachment delete "$a_dyn" >/dev/null || fail "delete $a_dyn"
		"$DMAPEEK" attachment delete "$a_stat" >/dev/null || fail "delete $a_stat"
		exec {HOLDER[1]}>&-
		wait "$HOLDER_PID" || fail "the $kind holder failed"
		done_kinds="$done_kinds $kind"
	done
	[ -n "$done_kinds" ] || skip "neither udmabuf nor the system heap in this kernel"
	echo "checked:$done_kinds"
	rmmod vgem 2>/dev/null || true
	unload_module
}

# pidfd_getfd() decides who may read another process's buffer: a user
# without privileges is refused before anything reaches the module.  A
# user who holds a buffer reads its attachments on a /dev/dmapeek root
# opened for it: the ioctl asks no capability.
test_dmabuf_attachments_rights_follow_the_descriptor() {
	local sys dev edu out b line pid fd rc=0
	dmabuf_setup
	command -v setpriv >/dev/null || skip "no setpriv (util-linux) in this guest"
	[ -x "$DP_SEC" ] || skip "dp-sec was not built"
	id "$DMABUF_USER" >/dev/null 2>&1 || skip "no account $DMABUF_USER"
	out=$("$DMAPEEK" -j export provider "$sys" size 64K) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	"$DMAPEEK" import buffer "$b" device "$dev" dynamic >/dev/null || fail "import"
	coproc HOLDER { exec "$DMAPEEK" buffer exec "$b" -- sh -c 'echo "ready $$ $DMAPEEK_BUFFER_FD"; exec cat'; }
	read -r line <&"${HOLDER[0]}" || fail "the holder said nothing"
	read -r _ pid fd <<<"$line"
	out=$(setpriv --reuid="$DMABUF_USER" --regid="$(id -g "$DMABUF_USER")" --clear-groups \
		--inh-caps=-all "$DMAPEEK" buffer attachments fd "$pid:$fd" 2>&1) || rc=$?
	echo "$out"
	assert_eq "a user taking root's descriptor: exit status (EPERM)" 4 "$rc"
	case $out in *EPERM*) ;; *) fail "no EPERM: $out" ;; esac
	# the user's own descriptor of the buffer, on a node root opened
	# (fd 9: "buffer exec" leaves the buffer's below it)
	out=$("$DMAPEEK" buffer exec "$b" -- sh -c \
		'exec "$0" --as "$1" --fd 9 dmabuf "$DMAPEEK_BUFFER_FD" 9<>/dev/dmapeek' \
		"$DP_SEC" "$DMABUF_USER") || fail "dp-sec: $out"
	assert_eq "the user reads its own buffer's attachments" "dmabuf OK nr=1 total=1" "$out"
	exec {HOLDER[1]}>&-
	wait "$HOLDER_PID" || true
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	unload_module
}

# The ioctl driven directly: a good request against fstat()'s inode and
# size, a room of one (the total still said), entries larger than ABI
# 2.2's, and every bad input with its errno.
test_dmabuf_attachments_bad_inputs_and_short_room() {
	local sys dev edu out b
	dmabuf_setup
	[ -x "$DMABUF_PEEK" ] || skip "dmabuf-peek was not built"
	out=$("$DMAPEEK" -j export provider "$sys" size 64K model movable) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	"$DMAPEEK" import buffer "$b" device "$dev" dynamic >/dev/null || fail "import 1"
	"$DMAPEEK" import buffer "$b" device "$dev" >/dev/null || fail "import 2"
	out=$("$DMAPEEK" buffer exec "$b" -- "$DMABUF_PEEK") || fail "dmabuf-peek: $out"
	echo "$out"
	assert_eq "a good request" \
		"ok 0 nr=2 total=2 ino=same size=same exp=dmapeek buffer=$b dynamic=1" "$(line ok "$out")"
	assert_eq "two entries" 2 "$(echo "$out" | grep -c "^entry [01] device=$edu driver=dmapeek ")"
	assert_eq "the count alone" "count 0 nr=0 total=2" "$(line count "$out")"
	assert_eq "room for one: the total still said" "small 0 nr=1 total=2" "$(line small "$out")"
	assert_eq "a later ABI's larger entries" "bigentry 0 same=yes tail=zero" \
		"$(line bigentry "$out")"
	assert_eq "fd -1" "badfd EBADF" "$(line badfd "$out")"
	assert_eq "a closed fd" "closedfd EBADF" "$(line closedfd "$out")"
	assert_eq "a file that is no dma-buf" "notdmabuf EINVAL" "$(line notdmabuf "$out")"
	assert_eq "/dev/dmapeek itself" "devfd EINVAL" "$(line devfd "$out")"
	assert_eq "flags" "flags EINVAL" "$(line flags "$out")"
	assert_eq "reserved bytes" "reserved EINVAL" "$(line reserved "$out")"
	assert_eq "an entry smaller than ABI 2.2's" "smallentry EINVAL" "$(line smallentry "$out")"
	assert_eq "an entry over a page" "hugeentry E2BIG" "$(line hugeentry "$out")"
	assert_eq "entries at a bad address" "badptr EFAULT" "$(line badptr "$out")"
	assert_eq "a struct short of ABI 2.2's" "short EINVAL" "$(line short "$out")"
	assert_eq "a longer struct, zero tail" "longzero 0 nr=2" "$(line longzero "$out")"
	assert_eq "a longer struct, dirty tail" "longdirty E2BIG" "$(line longdirty "$out")"
	assert_eq "a size over a page" "overpage E2BIG" "$(line overpage "$out")"
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	unload_module
}

# "buffer all" as root: each buffer a process holds by descriptor has its
# attachments with their flags (a foreign one's vgem import among them),
# a buffer held by no descriptor says why its flags are unknown.
test_attach_flags_in_buffer_all() {
	local sys dev edu line pid fd out ino b
	dmabuf_setup
	modprobe vgem 2>/dev/null || skip "no vgem module in this kernel"
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	coproc HOLDER { exec python3 "$DMABUF_HOLDER" share udmabuf 65536 vgem 2>&1; }
	read -r line <&"${HOLDER[0]}" || fail "the holder said nothing"
	case $line in "ready "*) ;; *) fail "the holder: $line" ;; esac
	read -r _ pid fd <<<"$line"
	ino=$(stat -L -c %i "/proc/$pid/fd/$fd")
	# a buffer the module holds and nobody holds by descriptor: dmapeek's
	# own descriptor of it serves
	out=$("$DMAPEEK" -j export provider "$sys" size 64K) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	"$DMAPEEK" import buffer "$b" device "$dev" dynamic >/dev/null || fail "import"
	out=$("$DMAPEEK" -j buffer all) || fail "buffer all: $out"
	python3 - "$out" "$ino" "$b" "$edu" <<-'PY' || fail "buffer all: see above"
	import json, sys
	j = json.loads(sys.argv[1])
	ino, b, edu = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
	bufs = {x["inode"]: x for x in j["buffers"]}
	u = bufs[ino]
	print(u)
	assert u["exp_name"] == "udmabuf", u
	assert u["attachments_total"] == 1, u
	assert [(a["device"], a["flags"]) for a in u["attachments"]] == [("vgem", [])], u
	mine = next(x for x in j["buffers"] if x["buffer"] == b)
	print(mine)
	assert [(a["device"], sorted(a["flags"])) for a in mine["attachments"]] == \
	    [(edu, sorted(["dynamic", "revocable", "exported", "imported", "held"]))], mine
	unknown = [x for x in j["buffers"] if x["attachments"] is None]
	for x in unknown:
	    assert x["attachments_unknown"] in ("ESRCH", "ESTALE", "EINVAL", "EBADF"), x
	print("%d buffers, %d with flags, %d unknown (%s)" % (
	    len(j["buffers"]), len(j["buffers"]) - len(unknown), len(unknown),
	    sorted({x["attachments_unknown"] for x in unknown})))
	PY
	out=$("$DMAPEEK" buffer all) || fail "buffer all (text): $out"
	echo "$out"
	echo "$out" | grep -q "attached vgem .*flags none" ||
		fail "the text has no vgem attachment with its flags"
	exec {HOLDER[1]}>&-
	wait "$HOLDER_PID" || fail "the holder failed"
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	rmmod vgem 2>/dev/null || true
	unload_module
}

# ------------------------------------- the P2P verdict of each importer

# bar_setup: dmapeek's importer on the edu and the last ivshmem's BAR2 as a
# provider (the pair t-p2p.sh checks per topology); sets $EDU, $IVSHMEM,
# $dev (the CLI's device id of the edu), $bar (the provider), $sys
bar_setup() {
	setup_import
	IVSHMEM=$(ivshmem_bdfs | tail -n 1)
	bind_dmapeek "$IVSHMEM"
	bar=$("$DP" providers | awk -v b="$IVSHMEM" '$3 == b && $4 == "bar=2" { print $2 }')
	[ -n "$bar" ] || fail "no BAR2 provider for $IVSHMEM"
	sys=$("$DMAPEEK" -j provider list | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "the module lists no system memory provider"
	dev=$("$DMAPEEK" -j device list | python3 -c 'import json,sys; print(next(d["id"] for d in json.load(sys.stdin) if d["bdf"]==sys.argv[1]))' "$EDU") ||
		fail "no dmapeek device for $EDU"
}

# peek_own_text BUFFER: the text of "buffer attachments" of a held buffer
peek_own_text() {
	"$DMAPEEK" buffer exec "$1" -- sh -c 'exec "$0" buffer attachments fd "$DMAPEEK_BUFFER_FD"' \
		"$DMAPEEK"
}

# A buffer of dmapeek's on an ivshmem BAR, imported twice by the edu
# (dynamic, P2P): the exporter's device is the ivshmem (by the buffer's
# provider), and each importer's verdict is the pair's as the kernel's
# rules decide it on this topology (the row "dp p2p-get" gets, held to
# the topology by assert_pair_row, and the map type the module recorded
# when the edu attached), in JSON and in the text.
test_p2p_verdict_of_each_importer_of_a_bar_buffer() {
	local IVSHMEM EDU EDU_DEV bar sys dev out b a1 a2 row text mt dist reason
	bar_setup
	row=$("$DP" p2p-get "$IVSHMEM" "$EDU") || fail "p2p-get: $row"
	assert_pair_row "p2p-get" "$row"
	out=$("$DMAPEEK" -j export provider "$bar" size 4K name barpeek) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	out=$("$DMAPEEK" -j import buffer "$b" device "$dev" dynamic p2p) || fail "import: $out"
	a1=$(jget "$out" 'j["attachment"]')
	out=$("$DMAPEEK" -j import buffer "$b" device "$dev" dynamic p2p) || fail "import 2: $out"
	a2=$(jget "$out" 'j["attachment"]')

	out=$(peek_own "$b") || fail "buffer attachments of buffer $b: $out"
	echo "$out"
	python3 - "$out" "$IVSHMEM" "$EDU" "$bar" "$a1" "$a2" "$row" <<-'PY' || fail "verdicts of buffer $b: see above"
	import json, sys
	j = json.loads(sys.argv[1])
	ivshmem, edu, bar, a1, a2 = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
	_, p, c, mt, dist, reason = sys.argv[7].split()
	assert (p, c) == (ivshmem, edu), sys.argv[7]
	assert j["exporter_device"] == {"kind": "pci", "bdf": ivshmem, "provider": bar}, j["exporter_device"]
	assert "exporter_device_unknown" not in j, j
	assert j["total"] == 2 and len(j["attachments"]) == 2, j
	assert {a["attachment"] for a in j["attachments"]} == {a1, a2}, j["attachments"]
	want = {"map_type": mt, "distance": int(dist), "reason": reason}
	for a in j["attachments"]:
	    assert a["device"] == edu, a
	    assert a["p2p"] == want, (a["p2p"], want)
	    assert "p2p_unknown" not in a, a
	print("exporter %s (provider %d), both importers: %s" % (ivshmem, bar, want))
	PY
	text=$(peek_own_text "$b") || fail "buffer attachments (text): $text"
	echo "$text"
	echo "$text" | grep -q "^    exporter device $IVSHMEM (provider $bar)" ||
		fail "the text does not name the exporter's device $IVSHMEM"
	read -r _ _ _ mt dist reason <<<"$row"
	assert_eq "one verdict line per importer" 2 \
		"$(echo "$text" | grep -c "^      p2p map_type $mt distance $dist reason $reason\$")"
	# what the module recorded when the edu attached: the same map type
	out=$("$DMAPEEK" -j attachment show "$a1") || fail "attachment show $a1: $out"
	assert_eq "the attachment's recorded map type is the verdict's" "$mt" "$(jget "$out" 'j[0]["map_type"]')"
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	unload_module
}

# A buffer of dmapeek's in system memory: no P2P whatever the importer
# (none, system-memory, as the kernel's rules say of a NULL provider).
# A udmabuf buffer another process holds, imported by vgem and by the
# edu: udmabuf does not say which device it came from, so no verdict is
# given, and each importer says why (never a guess).
test_p2p_verdict_system_memory_none_and_foreign_exporter_unknown() {
	local IVSHMEM EDU EDU_DEV bar sys dev out b line pid fd a text
	bar_setup
	modprobe vgem 2>/dev/null || skip "no vgem module in this kernel"
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	out=$("$DMAPEEK" -j export provider "$sys" size 64K) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	"$DMAPEEK" import buffer "$b" device "$dev" dynamic p2p >/dev/null || fail "import"
	out=$(peek_own "$b") || fail "buffer attachments of buffer $b: $out"
	echo "$out"
	python3 - "$out" "$sys" "$EDU" <<-'PY' || fail "system memory's verdict: see above"
	import json, sys
	j = json.loads(sys.argv[1])
	assert j["exporter_device"] == {"kind": "system", "provider": int(sys.argv[2])}, j
	[a] = j["attachments"]
	assert a["device"] == sys.argv[3], a
	assert a["p2p"] == {"map_type": "none", "distance": -1, "reason": "system-memory"}, a
	print("system memory: none, system-memory")
	PY
	text=$(peek_own_text "$b") || fail "buffer attachments (text): $text"
	echo "$text"
	echo "$text" | grep -q "^    exporter device: system memory (provider $sys)" ||
		fail "the text does not say system memory"
	echo "$text" | grep -q "^      p2p map_type none distance -1 reason system-memory\$" ||
		fail "no verdict line for the edu"

	coproc HOLDER { exec python3 "$DMABUF_HOLDER" share udmabuf 65536 vgem 2>&1; }
	read -r line <&"${HOLDER[0]}" || fail "the holder said nothing"
	case $line in "ready "*) ;; *) fail "the holder: $line" ;; esac
	read -r _ pid fd <<<"$line"
	out=$("$DMAPEEK" -j import fd "$pid:$fd" device "$dev" dynamic) || fail "import: $out"
	a=$(jget "$out" 'j["attachment"]')
	out=$("$DMAPEEK" -j buffer attachments fd "$pid:$fd") || fail "buffer attachments: $out"
	echo "$out"
	python3 - "$out" "$a" "$EDU" <<-'PY' || fail "udmabuf's importers: see above"
	import json, sys
	j = json.loads(sys.argv[1])
	a, edu = int(sys.argv[2]), sys.argv[3]
	assert j["exp_name"] == "udmabuf" and j["buffer"] is None, j
	assert j["exporter_device"] is None, j
	assert "udmabuf" in j["exporter_device_unknown"], j
	by_id = {x["attachment"]: x for x in j["attachments"]}
	assert set(by_id) == {None, a}, by_id.keys()
	assert by_id[None]["device"] == "vgem" and by_id[a]["device"] == edu, by_id
	for x in j["attachments"]:
	    assert x["p2p"] is None and x["p2p_unknown"] == "exporter-unknown", x
	print("udmabuf: exporter device unknown; vgem and the edu: no verdict, said why")
	PY
	text=$("$DMAPEEK" buffer attachments fd "$pid:$fd") || fail "buffer attachments (text): $text"
	echo "$text"
	echo "$text" | grep -q "^    exporter device unknown: exporter udmabuf " ||
		fail "the text does not say the exporter's device is unknown"
	assert_eq "each importer says why it has no verdict" 2 \
		"$(echo "$text" | grep -c '^      p2p unknown: exporter device unknown$')"
	"$DMAPEEK" attachment delete "$a" >/dev/null || fail "delete $a"
	exec {HOLDER[1]}>&-
	wait "$HOLDER_PID" || fail "the holder failed"
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	rmmod vgem 2>/dev/null || true
	unload_module
}

# "buffer all" as root gives the same verdicts per importer: the BAR
# buffer's edu import the pair's row, a foreign buffer's importer none
# (exporter unknown), every buffer with importers one or the other.
test_p2p_verdict_in_buffer_all() {
	local IVSHMEM EDU EDU_DEV bar sys dev out b line pid fd row text mt dist reason
	bar_setup
	modprobe vgem 2>/dev/null || skip "no vgem module in this kernel"
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	row=$("$DP" p2p-get "$IVSHMEM" "$EDU") || fail "p2p-get: $row"
	assert_pair_row "p2p-get" "$row"
	out=$("$DMAPEEK" -j export provider "$bar" size 4K) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	"$DMAPEEK" import buffer "$b" device "$dev" dynamic p2p >/dev/null || fail "import"
	coproc HOLDER { exec python3 "$DMABUF_HOLDER" share udmabuf 65536 vgem 2>&1; }
	read -r line <&"${HOLDER[0]}" || fail "the holder said nothing"
	case $line in "ready "*) ;; *) fail "the holder: $line" ;; esac
	read -r _ pid fd <<<"$line"
	out=$("$DMAPEEK" -j buffer all) || fail "buffer all: $out"
	python3 - "$out" "$b" "$IVSHMEM" "$EDU" "$bar" "$row" "$(stat -L -c %i "/proc/$pid/fd/$fd")" <<-'PY' || fail "buffer all: see above"
	import json, sys
	j = json.loads(sys.argv[1])
	b, ivshmem, edu, bar, ino = int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[7])
	_, _, _, mt, dist, reason = sys.argv[6].split()
	mine = next(x for x in j["buffers"] if x["buffer"] == b)
	print(mine)
	assert mine["exporter_device"] == {"kind": "pci", "bdf": ivshmem, "provider": bar}, mine
	[a] = mine["attachments"]
	assert a["device"] == edu, a
	assert a["p2p"] == {"map_type": mt, "distance": int(dist), "reason": reason}, a
	u = next(x for x in j["buffers"] if x["inode"] == ino)
	print(u)
	assert u["exporter_device"] is None and "udmabuf" in u["exporter_device_unknown"], u
	assert [(x["device"], x["p2p"], x["p2p_unknown"]) for x in u["attachments"]] == \
	    [("vgem", None, "exporter-unknown")], u
	for x in j["buffers"]:
	    for at in x["attachments"] or []:
	        assert ("p2p" in at and at["p2p"] is not None) != ("p2p_unknown" in at), (x["inode"], at)
	print("BAR buffer: %s %s %s; udmabuf: unknown" % (mt, dist, reason))
	PY
	text=$("$DMAPEEK" buffer all) || fail "buffer all (text): $text"
	echo "$text"
	read -r _ _ _ mt dist reason <<<"$row"
	echo "$text" | grep -q "^    exporter device $IVSHMEM (provider $bar)" ||
		fail "the text does not name $IVSHMEM as the BAR buffer's exporter device"
	echo "$text" | grep -q "^      p2p map_type $mt distance $dist reason $reason\$" ||
		fail "the text has no verdict line for the edu"
	echo "$text" | grep -q '^      p2p unknown: exporter device unknown$' ||
		fail "the text does not say vgem's importer has no verdict"
	exec {HOLDER[1]}>&-
	wait "$HOLDER_PID" || fail "the holder failed"
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	rmmod vgem 2>/dev/null || true
	unload_module
}
