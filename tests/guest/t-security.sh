# SPDX-License-Identifier: GPL-2.0-only
# Security: what a real non-root account gets from dmapeek.  Every op is
# taken from the netlink spec and the uapi header by sec-check.py, so an op
# added later is either checked or makes these tests fail.  Each mutating
# op is sent with real ids (a live buffer, a mapped attachment), so a gap
# in the module's checks would show as a change, not just a wrong errno.

. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

DP_SEC=$DMAPEEK_TOP/tests/guest/dp-sec
SEC_CHECK=$DMAPEEK_TOP/tests/guest/sec-check.py
SPEC=$DMAPEEK_TOP/Documentation/netlink/specs/dmapeek.yaml
UAPI=$DMAPEEK_TOP/include/uapi/linux/dmapeek.h
# ioctls anybody with the device open may call: they change nothing and
# show no address
# DMABUF_ATTACHMENTS is open to a user holding the dma-buf (dp-sec gives
# it fd -1: EBADF, not EPERM)
IOCTL_READ_ONLY=ABI_VERSION,DMABUF_ATTACHMENTS=EBADF

# sec_user: a real account without privileges.  The lab's root has
# dmapeek-user; else one is made when /etc is writable.
sec_user() {
	[ -x "$DP_SEC" ] || skip "dp-sec was not built"
	SEC_USER=dmapeek-user
	if ! id "$SEC_USER" >/dev/null 2>&1; then
		[ -w /etc/passwd ] || skip "no account $SEC_USER and /etc is read-only"
		useradd -M -s /bin/sh "$SEC_USER" || fail "useradd $SEC_USER failed"
	fi
	local me
	me=$("$DP_SEC" --as "$SEC_USER" whoami)
	echo "as $SEC_USER: $me"
	[ "$(kv uid "$me")" != 0 ] || fail "$SEC_USER is root"
	assert_eq "$SEC_USER has no capability" 0000000000000000 "$(kv capeff "$me")"
	me=$("$DP_SEC" --as "$SEC_USER" --cap net_admin whoami)
	assert_eq "$SEC_USER with CAP_NET_ADMIN only" 0000000000001000 "$(kv capeff "$me")"
}

# sec_objects: one of each object for the requests to name: the BAR
# provider, a revocable buffer on it, an import by the BAR's own device
# (bus address, distance 0), mapped, so the mapping dump has ranges
sec_objects() {
	load_module
	local iv prov
	iv=$(need_pci $IVSHMEM_ID | head -n 1)
	bind_dmapeek "$iv"
	EDU=$(edu_bdf)
	bind_dmapeek "$EDU"
	prov=$(kv id "$("$DP" dump providers | grep "bdf=$iv" | grep -E ' bar=2( |$)')")
	[ -n "$prov" ] || fail "no BAR2 provider for $iv"
	IVDEV=$(kv id "$("$DP" dump devices | grep "bdf=$iv")")
	coproc SECP { exec "$DP" export "$prov" 1M revocable secured 2>&1; }
	local line
	read -r -t 30 line <&"${SECP[0]}" || fail "dp export gave nothing"
	SEC_BUF=$(kv buffer "$line")
	[ -n "$SEC_BUF" ] || fail "export: $line"
	echo "attach $IVDEV 5 1" >&"${SECP[1]}"
	read -r -t 30 line <&"${SECP[0]}"
	SEC_ATT=$(kv attachment "$line")
	[ -n "$SEC_ATT" ] || fail "attach: $line"
	echo "map $SEC_ATT" >&"${SECP[1]}"
	read -r -t 30 line <&"${SECP[0]}"
	assert_eq "map by the BAR's own device" ok "$line"
}

sec_objects_end() {
	echo quit >&"${SECP[1]}" 2>/dev/null || true
	wait "$SECP_PID" 2>/dev/null || true
}

# Every netlink request: the user's reply is root's minus the addresses
# (compared attribute by attribute), and every admin-perm op is refused with
# EPERM, by the module with an extack message when the caller has
# CAP_NET_ADMIN (all that GENL_ADMIN_PERM itself asks for).
test_security_netlink_user_refused_and_sees_no_address() {
	sec_user
	sec_objects
	local out line
	out=$(python3 "$SEC_CHECK" nl "$SPEC" "$UAPI" "$DP_SEC" "$SEC_USER") || {
		echo "$out"
		fail "$(echo "$out" | grep -m1 '^fail: ' | sed 's/^fail: //')"
	}
	echo "$out"
	# the refused requests changed nothing
	line=$("$DP" get buffer "$SEC_BUF")
	assert_eq "buffer still live" 1 "$(kv state "$line")"
	assert_eq "never revoked" 0 "$(kv revokes "$line")"
	assert_eq "never moved" 0 "$(kv moves "$line")"
	line=$("$DP" get attachment "$SEC_ATT")
	assert_eq "still mapped" 1 "$(kv mapped "$line")"
	assert_eq "mapped once" 1 "$(kv maps "$line")"
	assert_eq "never unmapped" 0 "$(kv unmaps "$line")"
	sec_objects_end
}

# Every ioctl on a /dev/dmapeek that root opened and handed down (the node
# itself is root-only): refused with EPERM unless read-only, so a file
# descriptor leaking to a user gives it nothing.
test_security_ioctl_user_refused_on_root_opened_device() {
	sec_user
	sec_objects
	local out
	out=$("$DP_SEC" --as "$SEC_USER" ioctl 0x80 || true)
	assert_match "the node is closed to the user" '^open (EACCES|EPERM)' "$out"
	out=$(python3 "$SEC_CHECK" ioctl "$UAPI" "$DP_SEC" "$SEC_USER" "$IOCTL_READ_ONLY") || {
		echo "$out"
		fail "$(echo "$out" | grep -m1 '^fail: ' | sed 's/^fail: //')"
	}
	echo "$out"
	assert_eq "buffer still live" 1 "$(kv state "$("$DP" get buffer "$SEC_BUF")")"
	assert_eq "still mapped" 1 "$(kv mapped "$("$DP" get attachment "$SEC_ATT")")"
	sec_objects_end
}

# The events group is open to every user ("dmapeek monitor" needs no
# privilege): what it carries are ids, counts, times and errors, never an
# address.  Root exports and releases system-memory buffers until the
# user's listener has its events.
test_security_user_monitors_events_without_addresses() {
	sec_user
	load_module
	local t pid sys i rc=0
	sys=$("$DMAPEEK" -j provider list |
		python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "no system-memory provider"
	t=$(mktemp)
	su "$SEC_USER" -s /bin/sh -c "exec '$DMAPEEK' -j monitor count 4 timeout 120" >"$t" 2>&1 &
	pid=$!
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		"$DMAPEEK" export provider "$sys" size 4K temporary >/dev/null ||
			fail "export as root failed"
		sleep 0.3
	done
	wait "$pid" || rc=$?
	cat "$t"
	assert_eq "the user's monitor ends after 4 events" 0 "$rc"
	python3 - "$t" <<-'PY' || fail "the user's events: $(cat "$t")"
	import json, sys
	# "time": the monitor's wall-clock rendering of timestamp_ns
	allowed = {"timestamp_ns", "time", "type", "buffer", "attachment",
	           "mapping", "provider", "duration_ns", "count", "error", "seq",
	           "dropped", "map_type", "op"}
	lines = open(sys.argv[1]).read().splitlines()
	assert len(lines) == 4, lines
	for l in lines:
	    ev = json.loads(l)
	    assert ev["type"] in ("buffer-create", "buffer-release"), ev
	    assert set(ev) <= allowed, ev
	PY
}

# The family's objects are the machine's, and its events go to the initial
# network namespace: the family exists there only.  In a new network
# namespace (a container's) it is not found, and dmapeek says the module
# cannot be reached (exit 3), rather than show global dumps there.
test_security_family_only_in_init_netns() {
	load_module
	local out rc=0
	command -v unshare >/dev/null || skip "no unshare(1) in this guest"
	unshare -n true 2>/dev/null || skip "cannot make a network namespace here"
	"$NL_DECODE" family >/dev/null || fail "the family is not found in init_net"
	out=$(unshare -n "$NL_DECODE" family 2>&1) &&
		fail "a new network namespace resolves the family: $out"
	echo "in a new network namespace: $out"
	assert_match "the family is not found there" '^nl-decode: family dmapeek: ' "$out"
	unshare -n "$DMAPEEK" version >/dev/null 2>&1 || rc=$?
	assert_eq "dmapeek in a new network namespace: module not reachable" 3 "$rc"
}
