# SPDX-License-Identifier: GPL-2.0-only
# The dmapeek command line against the live module: output, JSON, errors,
# exit codes.  The module built with this tree implements every operation
# and dump the command line asks for: a refusal as unimplemented (exit 5,
# EOPNOTSUPP) fails the test, as does a missing system memory provider.

SPEC=$DMAPEEK_TOP/Documentation/netlink/specs/dmapeek.yaml
CMP_JSON=$DMAPEEK_TOP/tests/guest/cmp-json.py

# run_cli OUTFILE ARGS...: run dmapeek; it must succeed (the module built
# with it implements every operation: exit 5 is a failure too).
run_cli() {
	local out=$1 rc=0
	shift
	"$DMAPEEK" "$@" >"$out" 2>"$out.err" || rc=$?
	[ "$rc" = 0 ] || fail "dmapeek $* exited $rc: $(cat "$out.err")"
}

json_ok() {
	python3 -m json.tool "$1" >/dev/null 2>&1 || fail "invalid JSON from $2: $(head -c 300 "$1")"
}

# bind_first VENDOR:DEVICE: bind the first such device to dmapeek, print its BDF.
bind_first() {
	local bdf
	bdf=$(need_pci "$1" | head -n1)
	"$DMAPEEK" bind "$bdf" >/dev/null || fail "dmapeek bind $bdf failed"
	echo "$bdf"
}

test_cli_version_json_matches_module() {
	load_module
	local t want got
	t=$(mktemp)
	run_cli "$t" -j version
	json_ok "$t" "dmapeek -j version"
	want=$("$NL_DECODE" abi)
	got=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["module_abi"]; print("%d.%d" % (m["major"], m["minor"]))' "$t")
	assert_eq "module ABI in JSON" "$want" "$got"
}

test_cli_usage_errors_exit_2() {
	local rc=0
	"$DMAPEEK" frobnicate >/dev/null 2>&1 || rc=$?
	assert_eq "unknown object" 2 "$rc"
	rc=0
	"$DMAPEEK" -j buffer show notanumber >/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || [ "$rc" = 3 ] || fail "bad id: exit $rc, want 2"
	rc=0
	"$DMAPEEK" --bogus-option >/dev/null 2>&1 || rc=$?
	assert_eq "unknown option" 2 "$rc"
}

test_cli_without_module_says_so() {
	need_module
	unload_module
	local rc=0 err
	err=$("$DMAPEEK" provider list 2>&1 >/dev/null) || rc=$?
	assert_eq "exit code without the module" 3 "$rc"
	assert_match "hint" 'module loaded' "$err"
}

# A bad command line is a usage error (2) before anything asks the module.
test_cli_usage_errors_come_before_the_module_check() {
	need_module
	unload_module
	local args rc
	for args in "buffer show notanumber" "buffer list model bogus" \
		    "export provider x size 4K" "export provider 1 size 4K chunks huge" \
		    "revoke 3 timeout" "expect buffer 3" \
		    "p2p show 0000:00:03.0" "monitor count x" "dma read 3"; do
		rc=0
		# shellcheck disable=SC2086
		"$DMAPEEK" $args >/dev/null 2>&1 || rc=$?
		assert_eq "exit code of 'dmapeek $args' without the module" 2 "$rc"
	done
}

test_cli_bind_ivshmem_shows_device_and_provider() {
	load_module
	local bdf t
	bdf=$(bind_first 1af4:1110)
	assert_eq "driver after bind" dmapeek \
		"$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")"
	t=$(mktemp)
	run_cli "$t" -j device list
	json_ok "$t" "dmapeek -j device list"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(x["bdf"]==sys.argv[2] for x in d) else 1)' \
		"$t" "$bdf" || fail "device list lacks $bdf: $(cat "$t")"
	run_cli "$t" -j provider list
	json_ok "$t" "dmapeek -j provider list"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(x.get("bdf")==sys.argv[2] and x["kind"]=="pci-bar" for x in d) else 1)' \
		"$t" "$bdf" || fail "provider list lacks a pci-bar provider on $bdf: $(cat "$t")"
	"$DMAPEEK" unbind "$bdf" >/dev/null || fail "unbind $bdf failed"
	[ ! -e "/sys/bus/pci/devices/$bdf/driver" ] ||
		[ "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" != dmapeek ] ||
		fail "$bdf still bound to dmapeek after unbind"
}

# The library's decoding, through dmapeek -j, against libnl's (nl-decode).
cmp_dump() {
	local obj=$1 cli=$2 nl cj rc=0 n
	nl=$(mktemp)
	cj=$(mktemp)
	"$NL_DECODE" dump "$obj" >"$nl" 2>"$nl.err" || rc=$?
	[ "$rc" = 3 ] && fail "the module refused the $obj dump as not implemented (EOPNOTSUPP): $(cat "$nl.err")"
	[ "$rc" = 0 ] || fail "nl-decode dump $obj: $(cat "$nl.err")"
	run_cli "$cj" -j "$cli" list
	json_ok "$cj" "dmapeek -j $cli list"
	n=$(python3 "$CMP_JSON" "$SPEC" "$obj" "$nl" "$cj") || fail "$obj: $n"
	echo "$obj: $n objects agree"
	[ "$n" -gt 0 ] || [ "${3:-}" = may-be-empty ] || fail "$obj dump was empty"
}

bind_all_lab_devices() {
	local bdf
	for bdf in $(lspci -D -n -d 1af4:1110 | awk '{print $1}') \
		   $(lspci -D -n -d 1234:11e8 | awk '{print $1}'); do
		"$DMAPEEK" bind "$bdf" >/dev/null || fail "bind $bdf failed"
	done
}

test_decoders_agree_on_provider_dump() {
	load_module
	bind_all_lab_devices
	cmp_dump provider provider
}

test_decoders_agree_on_device_dump() {
	load_module
	bind_all_lab_devices
	cmp_dump device device
}

test_decoders_agree_on_buffer_dump() {
	load_module
	cmp_dump buffer buffer may-be-empty
}

test_decoders_agree_on_attachment_dump() {
	load_module
	cmp_dump attachment attachment may-be-empty
}

test_decoders_agree_on_p2p_dump() {
	load_module
	bind_all_lab_devices
	cmp_dump p2p p2p
}

test_cli_p2p_matrix_lists_bound_providers() {
	load_module
	local bdf t
	bdf=$(bind_first 1af4:1110)
	t=$(mktemp)
	run_cli "$t" p2p matrix
	grep -q "^$bdf" "$t" || fail "matrix has no row for provider $bdf: $(cat "$t")"
	grep -q '^Legend:' "$t" || fail "matrix has no legend"
	run_cli "$t" -j p2p matrix
	json_ok "$t" "dmapeek -j p2p matrix"
}

test_cli_unprivileged_revoke_refused() {
	load_module
	id dmapeek-user >/dev/null 2>&1 || skip "no unprivileged user in this guest"
	local rc=0 err
	err=$(su dmapeek-user -s /bin/sh -c "'$DMAPEEK' revoke 1" 2>&1) || rc=$?
	assert_eq "exit code of an unprivileged revoke" 4 "$rc"
	assert_match "message" 'EPERM' "$err"
	assert_match "hint" 'needs root' "$err"
}

test_cli_unprivileged_export_refused() {
	load_module
	id dmapeek-user >/dev/null 2>&1 || skip "no unprivileged user in this guest"
	local rc=0 err
	err=$(su dmapeek-user -s /bin/sh -c "'$DMAPEEK' export provider 1 size 4096" 2>&1) || rc=$?
	assert_eq "exit code of an unprivileged export" 4 "$rc"
	assert_match "message" 'EACCES|EPERM' "$err"
}

test_cli_export_import_revoke_batch() {
	load_module
	local edu sys dev t
	edu=$(bind_first 1234:11e8)
	sys=$("$DMAPEEK" -j provider list | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "the module lists no system memory provider"
	dev=$("$DMAPEEK" -j device list | python3 -c 'import json,sys; print(next(d["id"] for d in json.load(sys.stdin) if d["bdf"]==sys.argv[1]))' "$edu") ||
		fail "no dmapeek device for $edu"
	t=$(mktemp)
	cat >"$t.batch" <<-B
	# one process: the exported fd lives until the end of the batch
	export provider $sys size 64K model revocable name "batch buf"
	import buffer \$buffer device $dev dynamic
	map \$attachment
	revoke \$buffer timeout 500
	B
	run_cli "$t" -b "$t.batch"
	grep -q '^exported buffer [0-9]' "$t" || fail "no export confirmation: $(cat "$t")"
	grep -q '^imported as attachment [0-9]' "$t" || fail "no import confirmation: $(cat "$t")"
	grep -q '^revoked buffer [0-9]*: 1 attachments invalidated, 0 stuck' "$t" ||
		fail "revoke outcome: $(cat "$t")"
}

# Each operation the kernel refuses reaches the user as the kernel said
# it: its errno name, its extended-ack message, the exit code of that
# errno, and no guess in place of the reason (the library used to retry a
# refused move over the ioctl and print "does not implement the operation").
test_cli_kernel_refusals_reach_the_user_unchanged() {
	load_module
	local edu iv t rc=0 out
	edu=$(bind_first 1234:11e8)
	iv=$(bind_first 1af4:1110)
	t=$(mktemp)
	cat >"$t.batch" <<-B
	\$sys = provider find kind system
	\$bar = provider find bdf $iv bar 2
	\$dev = device find bdf $edu
	\$mov = export provider \$sys size 64K model movable name refusals
	\$st = import buffer \$mov device \$dev
	move \$mov provider \$bar timeout 100
	\$pin = export provider \$sys size 4K model pinned
	revoke \$pin timeout 100
	\$rev = export provider \$sys size 4K model revocable
	restore \$rev
	\$ra = import buffer \$rev device \$dev dynamic
	unmap \$ra
	audit 2147483647
	B
	"$DMAPEEK" -force -b "$t.batch" >"$t" 2>&1 || rc=$?
	cat "$t"
	out=$(cat "$t")
	assert_match "move: the kernel's EOPNOTSUPP and reason" \
		'move.*EOPNOTSUPP.*an importer cannot be revoked: BAR memory needs invalidate_mappings' "$out"
	! grep -q 'does not implement' "$t" || fail "a refusal with the kernel's reason got a guess as hint"
	assert_match "revoke: EINVAL, not revocable" 'revoke.*EINVAL.*buffer is not revocable' "$out"
	assert_match "restore: EINVAL, not revoked" 'restore.*EINVAL.*buffer is not revoked' "$out"
	assert_match "unmap: ENXIO, not mapped" 'unmap.*ENXIO.*attachment is not mapped' "$out"
	assert_match "audit: ENOENT, no such mapping" 'audit.*ENOENT.*no mapping with id 2147483647' "$out"
	[ "$rc" -ne 0 ] || fail "a batch of refusals exited 0"
	# one refusal alone, explained by the kernel: exit 1, not 5 (which
	# says the module does not implement the operation)
	printf '%s\n' "\$sys = provider find kind system" "\$bar = provider find bdf $iv bar 2" \
		"\$dev = device find bdf $edu" \
		"\$mov = export provider \$sys size 64K model movable" \
		"\$st = import buffer \$mov device \$dev" "move \$mov provider \$bar" >"$t.batch"
	rc=0
	"$DMAPEEK" -b "$t.batch" >"$t" 2>&1 || rc=$?
	assert_eq "exit code of the refused move" 1 "$rc"
}

# An id that names nothing is called so, with the command that lists what
# there is; never "is the device bound?" for a provider, never a guess.
test_cli_unknown_ids_hint_at_their_lists() {
	load_module
	local t rc=0 out
	t=$(mktemp)
	cat >"$t.batch" <<-'B'
	$sys = provider find kind system
	export provider 4000000 size 4K model pinned
	$mov = export provider $sys size 4K model movable name hints
	import buffer $mov device 4000000
	move $mov provider 4000000 timeout 100
	provider show 4000000
	device show 4000000
	B
	"$DMAPEEK" -force -b "$t.batch" >"$t" 2>&1 || rc=$?
	cat "$t"
	out=$(cat "$t")
	[ "$rc" -ne 0 ] || fail "a batch of unknown ids exited 0"
	assert_match "export: ENODEV" ':2: export: .*ENODEV' "$out"
	assert_match "import: ENODEV" ':4: import: .*ENODEV' "$out"
	assert_match "move: the kernel's reason" ':5: move buffer [0-9]+: .*ENODEV.*no such provider' "$out"
	assert_eq "hints naming the unknown provider (export, move)" 2 \
		"$(grep -c '^hint: there is no provider 4000000: "dmapeek provider" lists the providers$' "$t")"
	assert_match "import's hint" '^hint: there is no device 4000000: "dmapeek device" lists' "$out"
	assert_match "provider show's hint" '^hint: "dmapeek provider" lists the providers$' "$out"
	assert_match "device show's hint" '^hint: "dmapeek device" lists the devices$' "$out"
	! grep -q 'is the device bound' "$t" || fail "the old guess is still given"
}

# buffer show: one summary line of the ranges; -d lists them; JSON has
# both, and the summary agrees with the ranges listed.
test_cli_buffer_show_summarises_ranges() {
	load_module
	local t
	t=$(mktemp)
	cat >"$t.batch" <<-'B'
	$sys = provider find kind system
	$b = export provider $sys size 64K model pinned name summary
	buffer show $b
	B
	run_cli "$t" -b "$t.batch"
	cat "$t"
	assert_match "the summary line" \
		'^    ranges [0-9]+ runs [0-9]+ total 64KiB smallest [0-9.]+[KM]iB largest [0-9.]+[KM]iB$' "$(cat "$t")"
	! grep -q '^    range offset' "$t" || fail "ranges listed without -d"
	run_cli "$t" -d -b "$t.batch"
	grep -q '^    range offset 0 ' "$t" || fail "-d lists no range: $(cat "$t")"
	[ "$(grep -c '^    range offset' "$t")" = "$(sed -n 's/^    ranges \([0-9]*\) .*/\1/p' "$t")" ] ||
		fail "-d lists another number of ranges than the summary counts: $(cat "$t")"
	run_cli "$t" -j -b "$t.batch"
	tail -n 1 "$t" | python3 -c '
import json, sys
b = json.load(sys.stdin)[0]
s, r = b["range_summary"], b["ranges"]
assert s["count"] == len(r), (s, len(r))
assert s["bytes"] == sum(x["len"] for x in r) == 65536, s
assert s["smallest"] == min(x["len"] for x in r) and s["largest"] == max(x["len"] for x in r), s
runs = 1 + sum(1 for p, x in zip(r, r[1:]) if p["addr"] + p["len"] != x["addr"])
assert s["runs"] == runs, (s, runs)
' || fail "the JSON summary disagrees with the ranges: $(tail -n 1 "$t")"
}

# monitor -t: local wall-clock time to the microsecond, near the time
# now; JSON carries "time" (ISO 8601 with its offset) beside timestamp_ns.
test_cli_monitor_timestamps_are_wall_clock() {
	load_module
	local t sys flag
	t=$(mktemp)
	sys=$("$DMAPEEK" -j provider list | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "the module lists no system memory provider"
	for flag in -t -j; do
		timeout 30 "$DMAPEEK" "$flag" monitor count 1 timeout 20 >"$t" 2>"$t.err" &
		local mon=$! rc=0
		# an export makes events; again until the monitor, subscribed, saw one
		for _ in $(seq 20); do
			"$DMAPEEK" export provider "$sys" size 4K temporary >/dev/null || fail "export for the monitor"
			[ -s "$t" ] && break
			sleep 0.5
		done
		wait "$mon" || rc=$?
		assert_eq "monitor $flag exit code" 0 "$rc"
		cat "$t"
		python3 - "$flag" "$t" <<-'PY' || fail "monitor $flag time: $(cat "$t")"
		import datetime, json, re, sys
		line = open(sys.argv[2]).readline()
		now = datetime.datetime.now().astimezone()
		if sys.argv[1] == "-t":
		    m = re.match(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})\] ", line)
		    assert m, "no [time] at the start: %r" % line
		    when = datetime.datetime.fromisoformat(m.group(1)).astimezone()
		else:
		    e = json.loads(line)
		    assert "timestamp_ns" in e, e
		    when = datetime.datetime.fromisoformat(e["time"])
		    assert when.utcoffset() is not None, e["time"]
		assert abs((now - when).total_seconds()) < 30, (now, when)
		PY
	done
}

test_cli_batch_stops_at_error_unless_forced() {
	load_module
	local t rc=0
	t=$(mktemp)
	printf 'frobnicate\nversion\n' >"$t.batch"
	"$DMAPEEK" -b "$t.batch" >"$t" 2>&1 || rc=$?
	assert_eq "batch exit code" 2 "$rc"
	! grep -q '^module ABI' "$t" || fail "batch went on after an error"
	rc=0
	"$DMAPEEK" -force -b "$t.batch" >"$t" 2>&1 || rc=$?
	assert_eq "forced batch exit code" 2 "$rc"
	grep -q '^module ABI' "$t" || fail "forced batch stopped at the error: $(cat "$t")"
	grep -q "$t.batch:1:" "$t" || fail "error lacks file:line: $(cat "$t")"
}

test_cli_monitor_ends_at_timeout() {
	load_module
	local rc=0 t
	t=$(mktemp)
	timeout 20 "$DMAPEEK" -j monitor timeout 1 >"$t" 2>&1 || rc=$?
	assert_eq "monitor exit code" 0 "$rc"
}

test_cli_system_view_sources() {
	load_module
	local t
	t=$(mktemp)
	run_cli "$t" -j buffer all
	json_ok "$t" "dmapeek -j buffer all"
	python3 - "$t" <<-'P' || fail "system view: $(cat "$t")"
	import json, sys
	d = json.load(open(sys.argv[1]))
	src = {s["name"]: s["status"] for s in d["sources"]}
	assert src["bufinfo"] == "ok", src
	assert src["fdinfo"] == "ok", src
	assert src["module"] == "ok", src
	P
}

SCENARIOS=$DMAPEEK_TOP/tests/scenarios

# bind_lab_pair: bind the edu and the last ivshmem (next to the edu behind
# the switch), set EDU and IVSHMEM to their BDFs.
bind_lab_pair() {
	EDU=$(bind_first 1234:11e8)
	IVSHMEM=$(need_pci 1af4:1110 | tail -n 1)
	"$DMAPEEK" bind "$IVSHMEM" >/dev/null || fail "bind $IVSHMEM failed"
}

# run_scenario FILE: run a shipped scenario with the lab's BDFs named; every
# expect line in it must have held.
run_scenario() {
	local t rc=0 want got
	t=$(mktemp)
	"$DMAPEEK" -D ivshmem="$IVSHMEM" -D edu="$EDU" -b "$SCENARIOS/$1" \
		>"$t" 2>"$t.err" || rc=$?
	cat "$t" "$t.err"
	[ "$rc" = 0 ] || fail "scenario $1 exited $rc: $(grep -m1 'dmapeek:' "$t.err")"
	want=$(grep -c '^expect ' "$SCENARIOS/$1")
	got=$(grep -c '^ok: ' "$t")
	assert_eq "expect lines that held in $1" "$want" "$got"
}

test_cli_scenario_export_import_move_revoke() {
	load_module
	bind_lab_pair
	run_scenario export-import-move-revoke.batch
}

# The verbs' spellings of earlier releases (aliases), against the module.
test_cli_scenario_old_spellings() {
	load_module
	bind_lab_pair
	run_scenario old-spellings.batch
}

test_cli_scenario_revoke_stuck_importer() {
	load_module
	bind_lab_pair
	run_scenario revoke-stuck-importer.batch
}

test_cli_scenario_p2p_topology() {
	load_module
	bind_lab_pair
	[ -f "$SCENARIOS/p2p-$DMAPEEK_TOPOLOGY.batch" ] ||
		skip "no P2P scenario for topology $DMAPEEK_TOPOLOGY"
	# the scenarios expect no ACS redirect, as lspci sees the path (not as
	# dmapeek reports it: a wrong acs-redirect must fail here)
	if acs_redirect_on_path "$IVSHMEM" "$EDU"; then
		skip "ACS redirects P2P on this guest's switch (t-p2p covers that case)"
	fi
	run_scenario "p2p-$DMAPEEK_TOPOLOGY.batch"
}

# A false expect stops the batch with what it expected and what it found.
test_cli_expect_failure_is_caught() {
	load_module
	bind_lab_pair
	local t rc=0
	t=$(mktemp)
	cat >"$t.batch" <<-'B'
	$sys = provider find kind system
	$b = export provider $sys size 4K model revocable name expect-false
	expect buffer $b state revoked
	version
	B
	"$DMAPEEK" -b "$t.batch" >"$t" 2>"$t.err" || rc=$?
	assert_eq "exit code of a failed expect" 6 "$rc"
	assert_match "message" "^dmapeek: $t.batch:3: expect failed: buffer [0-9]+ state: expected revoked, found live$" \
		"$(cat "$t.err")"
	! grep -q '^module ABI' "$t" || fail "the batch went on after a failed expect"
	# "expect fail" turns around: a command that succeeds fails it
	rc=0
	"$DMAPEEK" expect fail version >/dev/null 2>"$t.err" || rc=$?
	assert_eq "exit code of expect fail on a success" 6 "$rc"
	assert_match "message" 'should have failed, it succeeded' "$(cat "$t.err")"
	rc=0
	"$DMAPEEK" expect fail ENOENT buffer show 2147483647 >"$t" 2>"$t.err" || rc=$?
	assert_eq "expect fail ENOENT of a missing buffer: $(cat "$t.err")" 0 "$rc"
	assert_match "ok line" '^ok: fail ENOENT buffer show 2147483647$' "$(cat "$t")"
}

test_cli_list_filters_and_find() {
	load_module
	bind_lab_pair
	local t
	t=$(mktemp)
	cat >"$t.batch" <<-'B'
	$sys = provider find kind system
	$p = export provider $sys size 4K model pinned name filt-pinned
	$r = export provider $sys size 8K model revocable name filt-revocable
	expect count buffer 1 model revocable name filt-revocable
	expect count buffer 0 model revocable name filt-pinned
	expect count buffer >= 2 provider $sys size <= 8K
	buffer list model revocable provider $sys state live
	buffer find name filt-pinned
	B
	run_cli "$t" -b "$t.batch"
	grep -q '^buffer [0-9]* name "filt-revocable"' "$t" || fail "filtered list lacks the revocable buffer: $(cat "$t")"
	! grep -q '^buffer [0-9]* name "filt-pinned"' "$t" || fail "filtered list shows the pinned buffer"
	grep -q '^buffer [0-9]*$' "$t" || fail "find printed no id: $(cat "$t")"
}

test_cli_p2p_show_explains_one_pair() {
	load_module
	bind_lab_pair
	local t
	t=$(mktemp)
	run_cli "$t" -j p2p show "$IVSHMEM" "$EDU"
	json_ok "$t" "dmapeek -j p2p show"
	python3 - "$t" "$IVSHMEM" "$EDU" <<-'P' || fail "p2p show: $(cat "$t")"
	import json, sys
	c = json.load(open(sys.argv[1]))[0]
	assert c["provider_bdf"] == sys.argv[2] and c["client_bdf"] == sys.argv[3], c
	assert c["map_type"] in ("bus-addr", "thru-host-bridge", "not-supported"), c
	assert isinstance(c["distance"], int) and c["reason"] and c["why"], c
	# the path runs from the provider up to the common device and down
	assert c["path"][0] == sys.argv[2] and c["path"][-1] == sys.argv[3], c
	assert c["common"] in c["path"], c
	P
	run_cli "$t" p2p show "$IVSHMEM" "$EDU"
	grep -q '^  why: ' "$t" || fail "no explanation: $(cat "$t")"
	grep -q "^  path $IVSHMEM -> " "$t" || fail "no path: $(cat "$t")"
}
