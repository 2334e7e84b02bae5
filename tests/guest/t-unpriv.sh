# SPDX-License-Identifier: GPL-2.0-only
# What a user without privileges can make the module do, over and over:
# never write to the kernel log, never make it look for high-order
# memory, never read the config space of a device that is not dmapeek's.
# Requests go through dp-sec as a real account without capabilities.
. "$DMAPEEK_TOP/tests/guest/import-lib.sh"

DP_SEC=$DMAPEEK_TOP/tests/guest/dp-sec
DP_LARGE=$DMAPEEK_TOP/tests/guest/dp-large
UAPI=$DMAPEEK_TOP/include/uapi/linux/dmapeek.h
UNPRIV_USER=dmapeek-user
UNPRIV_P2P_QUERIES=3000
UNPRIV_P2P_DUMPS=50
timeout_for_unpriv_p2p_queries_on_acs_path_add_no_kernel_log_line=900

# unpriv_user: the account, checked to hold no capability
unpriv_user() {
	local me
	[ -x "$DP_SEC" ] || skip "dp-sec was not built"
	if ! id "$UNPRIV_USER" >/dev/null 2>&1; then
		[ -w /etc/passwd ] || skip "no account $UNPRIV_USER and /etc is read-only"
		useradd -M -s /bin/sh "$UNPRIV_USER" || fail "useradd $UNPRIV_USER failed"
	fi
	me=$("$DP_SEC" --as "$UNPRIV_USER" whoami)
	[ "$(kv uid "$me")" != 0 ] || fail "$UNPRIV_USER is root"
	assert_eq "$UNPRIV_USER has no capability" 0000000000000000 "$(kv capeff "$me")"
}

# uapi_value NAME: the value of enumerator NAME in the uapi header
uapi_value() {
	python3 - "$UAPI" "$1" <<-'PY'
	import re, sys
	val = -1
	for line in open(sys.argv[1]):
	    if re.match(r"\s*enum\b.*\{", line):
	        val = -1
	        continue
	    m = re.match(r"\s*([A-Z][A-Z0-9_]+)\s*(?:=\s*(0x[0-9a-fA-F]+|\d+))?\s*,?\s*$", line)
	    if not m:
	        continue
	    val = int(m.group(2), 0) if m.group(2) else val + 1
	    if m.group(1) == sys.argv[2]:
	        print(val)
	        sys.exit(0)
	sys.exit(1)
	PY
}

# sec_u32 ATTR OUTPUT: attribute ATTR (a u32 or s32) of the last message
# dp-sec printed, as a signed number
sec_u32() {
	echo "$2" | python3 -c '
import sys
val = None
for line in sys.stdin:
    w = line.split()
    if w[:1] == ["msg"]:
        val = None
    elif w[:2] == ["a", sys.argv[1]] and len(w) == 4:
        val = int.from_bytes(bytes.fromhex(w[3]), "little", signed=True)
print("" if val is None else val)' "$1"
}

# the downstream port above a device (its parent in sysfs)
parent_bdf() {
	basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$1")")"
}

# The acs-port topology puts an ivshmem (the last one) and the edu behind
# one root port, as two functions.  With an ACS redirect on that port and
# an Intel CPU model under the q35 host bridge (not on the kernel's P2PDMA
# allow-list), the kernel's pci_p2pdma_distance_many() prints "Host bridge
# not in P2PDMA whitelist" on every call, verbose or not.  A plain user
# sends thousands of p2p-get requests and dumps: the kernel log must not
# grow by a line, and every answer must be the kernel's verdict
# (not-supported, acs-redirect).  The PCI core enables ACS redirect on the
# port when an IOMMU is on; where it is off, the test turns it on with
# setpci and restores it after.  (The switch topology cannot have the
# redirect: QEMU's switch ports have no ACS capability.)
test_unpriv_p2p_queries_on_acs_path_add_no_kernel_log_line() {
	[ "$DMAPEEK_TOPOLOGY" = acs-port ] ||
		skip "needs the acs-port topology (ACS redirect on a P2P path), not $DMAPEEK_TOPOLOGY"
	unpriv_user
	setup_import
	local iv dsp saved out new rows cmd
	iv=$(ivshmem_bdfs | tail -n 1)
	bind_dmapeek "$iv"
	dsp=$(parent_bdf "$iv")
	[ "$dsp" = "$(parent_bdf "$EDU")" ] ||
		fail "$iv and $EDU are not behind one root port in the acs-port topology"
	if ! acs_redirect_on_path "$iv" "$EDU"; then
		saved=$(setpci -s "$dsp" ECAP_ACS+6.w 2>/dev/null) ||
			fail "the root port $dsp has no ACS capability"
		# (expanded now: the function's locals are gone when the shell exits)
		trap "setpci -s '$dsp' ECAP_ACS+6.w='$saved'" EXIT
		setpci -s "$dsp" ECAP_ACS+6.w=000c:000c || fail "setpci ACS control of $dsp"
		acs_redirect_on_path "$iv" "$EDU" || fail "ACS redirect not on after setpci on $dsp"
		echo "ACS redirect turned on at $dsp (was $saved)"
	fi
	lspci -vvv -s "$(parent_bdf "$iv")" | grep -E 'ACSCtl' || true

	cmd=$(uapi_value DMAPEEK_CMD_P2P_GET)
	kmsg_mark "p2p flood begins"
	out=$("$DP_SEC" --as "$UNPRIV_USER" repeat "$UNPRIV_P2P_QUERIES" "$cmd" do \
		"1=str:$iv" "2=str:$EDU")
	echo "$out" | tail -n 2
	assert_eq "every p2p-get answered" \
		"repeat $cmd n=$UNPRIV_P2P_QUERIES ok=$UNPRIV_P2P_QUERIES" \
		"$(echo "$out" | grep '^repeat ')"
	assert_eq "map type: the kernel's (Intel CPU, q35 host bridge off the allow-list)" \
		"$(uapi_value DMAPEEK_MAP_TYPE_NOT_SUPPORTED)" "$(sec_u32 3 "$out")"
	assert_eq "distance of a pair P2P cannot take" -1 "$(sec_u32 4 "$out")"
	assert_eq "reason" "$(uapi_value DMAPEEK_P2P_REASON_ACS_REDIRECT)" "$(sec_u32 5 "$out")"

	out=$("$DP_SEC" --as "$UNPRIV_USER" repeat "$UNPRIV_P2P_DUMPS" "$cmd" dump)
	assert_eq "every p2p dump answered" \
		"repeat $cmd n=$UNPRIV_P2P_DUMPS ok=$UNPRIV_P2P_DUMPS" \
		"$(echo "$out" | grep '^repeat ')"
	rows=$(echo "$out" | grep -c '^msg$')
	[ "$rows" -ge "$(ls /sys/bus/pci/devices | wc -l)" ] ||
		fail "the user's p2p dump has $rows rows"
	new=$(kmsg_since "p2p flood begins") ||
		fail "the mark left the kernel log: the queries wrote more than its ring buffer holds"
	if [ -n "$new" ]; then
		echo "$new" | head -n 20
		fail "$(echo "$new" | wc -l) kernel log lines from a user's p2p queries, the first: $(echo "$new" | head -n 1)"
	fi
	echo "$UNPRIV_P2P_QUERIES p2p-get and $UNPRIV_P2P_DUMPS dumps ($rows rows in the last) as $UNPRIV_USER: no kernel log line"
}

# p2p-get names any two PCI devices.  A user may ask about a provider that
# an administrator bound to dmapeek (what the dump lists): its paths' map
# types, never the ACS control of any other device's path.  The edu is
# bound but owns no BAR provider (its BAR is registers), so a user asking
# with it as provider is refused, with an extack; root is answered.
test_unpriv_p2p_get_needs_a_provider_bound_to_dmapeek() {
	unpriv_user
	setup_import
	local iv cmd out
	iv=$(ivshmem_bdfs | tail -n 1)
	bind_dmapeek "$iv"
	cmd=$(uapi_value DMAPEEK_CMD_P2P_GET)
	out=$("$DP_SEC" --as "$UNPRIV_USER" nl "$cmd" do "1=str:$iv" "2=str:$EDU")
	assert_eq "a user asks about dmapeek's provider" "nl $cmd OK extack=" \
		"$(echo "$out" | grep '^nl ')"
	out=$("$DP_SEC" --as "$UNPRIV_USER" nl "$cmd" do "1=str:$EDU" "2=str:$iv")
	assert_eq "a user asks with a device that is no dmapeek provider" \
		"nl $cmd EPERM extack=without CAP_SYS_ADMIN, the provider must be a device bound to dmapeek" \
		"$(echo "$out" | grep '^nl ')"
	assert_eq "no reply message to the refused user" 0 "$(echo "$out" | grep -c '^msg$')"
	out=$("$DP_SEC" nl "$cmd" do "1=str:$EDU" "2=str:$iv")
	assert_eq "root asks about any pair" "nl $cmd OK extack=" "$(echo "$out" | grep '^nl ')"
	# a device that exists nowhere is ENODEV for the user too, as before
	out=$("$DP_SEC" --as "$UNPRIV_USER" nl "$cmd" do "1=str:0000:7f:1f.7" "2=str:$iv")
	assert_eq "no such provider" "nl $cmd ENODEV extack=no PCI device with this BDF" \
		"$(echo "$out" | grep '^nl ')"
}

# large_buffer: a buffer of 1,024 one-page ranges of an ivshmem BAR (the
# module's limit), held by dp-large in the background; sets BUF
large_buffer() {
	local iv prov line
	[ -x "$DP_LARGE" ] || skip "dp-large was not built"
	load_module
	iv=$(need_pci $IVSHMEM_ID | head -n 1)
	bind_dmapeek "$iv"
	prov=$("$DMAPEEK" -j provider list | python3 -c '
import json, sys
print(next(p["id"] for p in json.load(sys.stdin)
           if p.get("bdf") == sys.argv[1] and p.get("bar") == 2))' "$iv") ||
		fail "no BAR2 provider for $iv"
	coproc LARGE { exec "$DP_LARGE" export "$prov" 1024 2>&1; }
	read -r -t 240 line <&"${LARGE[0]}" || fail "dp-large export: no answer"
	case $line in skip:*) fail "dp-large export: skipped with the module loaded: ${line#skip: }" ;; esac
	BUF=$(kv buffer "$line")
	[ -n "$BUF" ] || fail "dp-large export: $line"
}

large_buffer_end() {
	local pid=$LARGE_PID
	exec {LARGE[1]}>&-
	wait "$pid" || fail "dp-large exited $?"
}

# A get's reply is one message.  A buffer of 1,024 ranges does not fit a
# page: the module grew the reply for anybody up to 2 MiB, so a user could
# make it look for high-order memory on every request.  Now a user's get
# of it is EMSGSIZE with the extack "dump it instead", and the kernel
# allocates nothing above a page for it (kmem:kmalloc traced for the
# request's process: bytes_alloc > 4096); root is answered whole.  The
# library and the CLI read such an object from the dump (t-large.sh).
test_unpriv_get_of_large_buffer_refused_without_big_allocation() {
	unpriv_user
	large_buffer
	local cmd out tr=/sys/kernel/tracing ev big=
	cmd=$(uapi_value DMAPEEK_CMD_BUFFER_GET)
	out=$("$DP_SEC" nl "$cmd" do "1=u32:$BUF")
	assert_eq "root gets the buffer whole" "nl $cmd OK extack=" "$(echo "$out" | grep '^nl ')"
	# a range nest (buffer attribute 8) starts with its offset (1)
	assert_eq "root's reply has every range" 1024 "$(echo "$out" | grep -c '^a 8\.1 ')"

	ev=$tr/events/kmem/kmalloc
	if [ -d "$ev" ] && [ -w "$tr/set_event_pid" ]; then
		echo 0 >"$tr/tracing_on"
		: >"$tr/trace"
		echo 'bytes_alloc > 4096' >"$ev/filter"
		echo 1 >"$ev/enable"
		echo 1 >"$tr/tracing_on"
		big=1
	else
		echo "no kmem:kmalloc event or set_event_pid in tracefs: the errno alone is checked"
	fi
	# the pid is traced from before exec until dp-sec has become the user
	out=$(sh -c 'echo $$ >"$1/set_event_pid" 2>/dev/null; shift; exec "$@"' sh "$tr" \
		"$DP_SEC" --as "$UNPRIV_USER" nl "$cmd" do "1=u32:$BUF")
	if [ -n "$big" ]; then
		echo 0 >"$tr/tracing_on"
		echo 0 >"$ev/enable"
		echo 0 >"$ev/filter"
		: >"$tr/set_event_pid"
		# (the guest's root is 9p: the process's own file reads allocate
		# 8 KiB 9p messages, which are not the request's)
		echo "allocations above a page by the user's request:"
		grep 'kmalloc:' "$tr/trace" | grep -v 'call_site=p9_' | head -n 10 || true
		grep 'kmalloc:' "$tr/trace" | grep -qv 'call_site=p9_' &&
			fail "a user's get made the kernel allocate more than a page: $(grep 'kmalloc:' "$tr/trace" | grep -m1 -v 'call_site=p9_')"
		echo 1 >"$tr/tracing_on"
	fi
	assert_eq "a user's get of an object above a page" \
		"nl $cmd EMSGSIZE extack=buffer $BUF does not fit one message; dump it instead" \
		"$(echo "$out" | grep '^nl ')"
	assert_eq "no partial reply" 0 "$(echo "$out" | grep -c '^msg$')"
	# the dump gives the user the whole buffer, in page-sized parts
	out=$("$DP_SEC" --as "$UNPRIV_USER" nl "$cmd" dump)
	assert_eq "the user's dump" "nl $cmd OK extack=" "$(echo "$out" | grep '^nl ')"
	large_buffer_end
}
