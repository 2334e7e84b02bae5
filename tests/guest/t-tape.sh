# SPDX-License-Identifier: GPL-2.0-only
# Recordings of the command line for the host: every dmapeek command, as
# text and as JSON, run under nl-tape against the live module with a scene
# of buffers in each memory model, imports, a move and a stuck revoke.
# Each run leaves NAME.args (one argument per line), NAME.tape (the
# netlink and ioctl talk, see tests/unit/nl-tape.c), NAME.out, NAME.err,
# NAME.rc and, for batches, NAME.stdin, in $DMAPEEK_OUT/tapes; copied to
# tests/unit/data/tapes/, tests/unit/test-tape.sh replays them on the host
# and checks the output is the same byte for byte.
#
# Left out on purpose: bind and unbind (they write sysfs: played back on a
# host they would rebind its devices) and the system-wide view ("buffer
# all", "stats": bufinfo and /proc of the guest; their parsers are tested
# on live captures by test-sysview and test-stats).

TAPE_SO=$DMAPEEK_TOP/tests/unit/.libs/nltape.so
TAPES=

# Recording every command takes several minutes on the emulated guest.
timeout_for_cli_record_tapes_for_host_tests=900

# tape NAME [--rc N] [--stdin FILE] [--as USER] ARGS...: record one
# command, which must exit N (default 0).
tape() {
	local name=$1 want=0 stdin=/dev/null user= rc=0
	shift
	while :; do
		case $1 in
		--rc) want=$2; shift 2 ;;
		--stdin) stdin=$2; cp "$2" "$TAPES/$name.stdin"; shift 2 ;;
		--as) user=$2; shift 2 ;;
		*) break ;;
		esac
	done
	printf '%s\n' "$@" >"$TAPES/$name.args"
	local cmd=("$DMAPEEK") tape=$TAPES/$name.tape
	: >"$tape"
	if [ -n "$user" ]; then
		cmd=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups
		     --inh-caps=-all "$DMAPEEK")
		tape=$(mktemp)		# where that user may write
		chmod 666 "$tape"
	fi
	NL_TAPE_RECORD=$tape LD_PRELOAD=$TAPE_SO "${cmd[@]}" "$@" <"$stdin" \
		>"$TAPES/$name.out" 2>"$TAPES/$name.err" || rc=$?
	[ "$tape" = "$TAPES/$name.tape" ] || mv "$tape" "$TAPES/$name.tape"
	echo "$rc" >"$TAPES/$name.rc"
	echo "recorded $name: dmapeek $* (exit $rc)"
	[ "$want" != 0 ] || [ -s "$TAPES/$name.tape" ] || fail "$name: nothing recorded"
	[ "$rc" = "$want" ] || fail "$name: exit $rc, want $want: $(head -n2 "$TAPES/$name.err")"
}

# tape2 NAME [--rc N] ARGS...: the command as text and as JSON (NAME-j).
tape2() {
	local name=$1 rc=0
	shift
	[ "$1" = --rc ] && { rc=$2; shift 2; }
	tape "$name" --rc "$rc" "$@"
	tape "$name-j" --rc "$rc" -j "$@"
}

# A number from "dmapeek -j" output: tape_id EXPR ARGS... (EXPR on "d").
tape_id() {
	local expr=$1
	shift
	"$DMAPEEK" -j "$@" | python3 -c "import json,sys; d=json.load(sys.stdin); print($expr)" ||
		fail "no id from dmapeek -j $*"
}

# tape_monitor NAME BUFFER ARGS...: record "dmapeek ARGS" (a monitor of 4
# events) while another process revokes and restores BUFFER.
tape_monitor() {
	local name=$1 buf=$2 mon rc=0
	shift 2
	NL_TAPE_RECORD=$TAPES/$name.tape LD_PRELOAD=$TAPE_SO \
		"$DMAPEEK" "$@" >"$TAPES/$name.out" 2>"$TAPES/$name.err" &
	mon=$!
	# the text monitor says when it listens; the JSON one gets the 10 s
	for _ in $(seq 100); do
		grep -q 'listening' "$TAPES/$name.err" && break
		sleep 0.1
	done
	"$DMAPEEK" revoke "$buf" >/dev/null || fail "revoke for the monitor"
	"$DMAPEEK" restore "$buf" >/dev/null || fail "restore for the monitor"
	wait "$mon" || rc=$?
	echo "$rc" >"$TAPES/$name.rc"
	printf '%s\n' "$@" >"$TAPES/$name.args"
	[ "$rc" = 0 ] || fail "monitor exited $rc: $(cat "$TAPES/$name.err")"
	assert_eq "events seen by the monitor ($name)" 4 "$(grep -c . "$TAPES/$name.out")"
}

TAPE_HOLD=
tape_hold_end() {
	[ -n "$TAPE_HOLD" ] || return 0
	kill "$TAPE_HOLD" 2>/dev/null || true
	wait "$TAPE_HOLD" 2>/dev/null || true
	TAPE_HOLD=
}

test_cli_record_tapes_for_host_tests() {
	[ "${DMAPEEK_INSTALLED:-0}" = 1 ] && skip "records with the build tree's tools"
	[ -f "$TAPE_SO" ] || fail "nl-tape was not built ($TAPE_SO)"
	load_module
	local ivshmem edu sys bar client b_pin b_rev b_mov b_wel a_pin a_wel m t scen
	ivshmem=$(need_pci 1af4:1110 | head -n1)
	edu=$(need_pci 1234:11e8 | head -n1)
	"$DMAPEEK" bind "$ivshmem" >/dev/null || fail "bind $ivshmem"
	"$DMAPEEK" bind "$edu" >/dev/null || fail "bind $edu"
	TAPES=$DMAPEEK_OUT/tapes
	rm -rf "$TAPES"
	mkdir -p "$TAPES"
	sys=$(tape_id 'next(p["id"] for p in d if p["kind"] == "system")' provider list)
	bar=$(tape_id "next(p['id'] for p in d if p.get('bdf') == '$ivshmem' and p.get('bar') == 2)" provider list)
	client=$(tape_id "next(x['id'] for x in d if x['bdf'] == '$edu')" device list)

	# The scene, held by one batch: one buffer per memory model, each
	# imported by edu and mapped; the revocable one revoked under an
	# importer that never unmaps (stuck), the movable one moved.
	t=$(mktemp)
	cat >"$t.batch" <<-B
	\$p = export provider $sys size 64K model pinned name tape-pinned
	\$pa = import buffer \$p device $client
	map \$pa
	\$m = export provider $sys size 1M model movable name tape-movable
	\$ma = import buffer \$m device $client dynamic p2p
	map \$ma
	move \$m provider $bar timeout 1000
	\$r = export provider $sys size 128K model revocable name tape-revocable
	\$ra = import buffer \$r device $client dynamic behaviour never-unmap
	map \$ra
	revoke \$r timeout 200
	\$w = export provider $sys size 16K model revocable name tape-well-behaved
	\$wa = import buffer \$w device $client dynamic
	map \$wa
	monitor timeout 900
	B
	"$DMAPEEK" -b "$t.batch" >"$t.out" 2>&1 &
	TAPE_HOLD=$!
	trap tape_hold_end EXIT
	for _ in $(seq 150); do
		grep -q 'listening for events' "$t.out" && break
		kill -0 "$TAPE_HOLD" 2>/dev/null || fail "the scene's batch ended: $(cat "$t.out")"
		sleep 0.2
	done
	grep -q 'listening for events' "$t.out" || fail "the scene was not set up: $(cat "$t.out")"
	b_pin=$(tape_id "next(b['id'] for b in d if b['name'] == 'tape-pinned')" buffer list)
	b_mov=$(tape_id "next(b['id'] for b in d if b['name'] == 'tape-movable')" buffer list)
	b_rev=$(tape_id "next(b['id'] for b in d if b['name'] == 'tape-revocable')" buffer list)
	b_wel=$(tape_id "next(b['id'] for b in d if b['name'] == 'tape-well-behaved')" buffer list)
	a_pin=$(tape_id "next(a['id'] for a in d if a['buffer_id'] == $b_pin)" attachment list)
	a_wel=$(tape_id "next(a['id'] for a in d if a['buffer_id'] == $b_wel)" attachment list)
	m=$(tape_id "next(x['id'] for x in d if x['attachment_id'] == $a_pin)" mapping list)

	# Inspection, as text and JSON.
	tape2 version version
	tape2 provider-list provider list
	tape2 provider-show provider show "$bar"
	tape2 device-list device list
	tape2 device-show device show "$client"
	tape2 buffer-list buffer list
	tape2 buffer-show-pinned buffer show "$b_pin"
	tape2 buffer-show-moved buffer show "$b_mov"
	tape2 buffer-show-revoked buffer show "$b_rev"
	tape2 attachment-list attachment list
	tape2 attachment-show attachment show "$a_pin"
	tape2 mapping-list mapping list
	tape2 mapping-show mapping show "$m"
	tape2 p2p-matrix p2p matrix
	tape2 p2p-show p2p show "$ivshmem" "$edu"
	tape buffer-show-pinned-d -d buffer show "$b_pin"
	tape mapping-show-d -d mapping show "$m"
	tape buffer-show-unprivileged --as nobody buffer show "$b_pin"
	tape provider-list-jp -j -p provider list
	tape buffer-list-numeric -n buffer list
	tape buffer-list-filtered buffer list model revocable
	tape2 audit audit "$m"

	# Control on the scene's objects, each state change undone by the
	# next, as text then as JSON.
	# (a revoke unmaps the well-behaved importer; a restore does not
	# map it again)
	tape revoke revoke "$b_wel" timeout 500
	tape restore restore "$b_wel"
	tape map map "$a_wel"
	tape revoke-j -j revoke "$b_wel" timeout 500
	tape restore-j -j restore "$b_wel"
	tape map-j -j map "$a_wel"
	tape unmap unmap "$a_wel"
	"$DMAPEEK" map "$a_wel" >/dev/null || fail "map $a_wel again"
	tape unmap-j -j unmap "$a_wel"
	"$DMAPEEK" map "$a_wel" >/dev/null || fail "map $a_wel again"
	tape move move "$b_mov" provider "$sys" timeout 1000
	tape move-j -j move "$b_mov" provider "$bar" timeout 1000
	tape2 dma dma write "$a_pin" offset 0 len 4K pattern 0x5a

	# Errors: extack, errno name, hint and exit code.
	tape2 buffer-show-noent --rc 1 buffer show 4000000
	tape2 move-noent --rc 1 move 4000000 provider "$sys"
	tape export-bad-size --rc 1 export provider "$sys" size 3 model pinned
	tape revoke-unprivileged --rc 4 --as nobody revoke "$b_wel"
	tape export-noprovider --rc 1 export provider 4000000 size 4K model pinned
	tape provider-show-noent --rc 1 provider show 4000000
	tape device-show-noent --rc 1 device show 4000000
	tape usage-error --rc 2 buffer frobnicate

	# Events: a monitor while another process revokes and restores, as
	# JSON and with wall-clock times (test-tape.sh masks their values:
	# they depend on the clocks of the machine that plays the tape).
	tape_monitor monitor-j "$b_wel" -j monitor count 4 timeout 60
	tape_monitor monitor-t "$b_wel" -t monitor count 4 timeout 60

	# A shipped scenario, whole, from standard input.
	local scen=$DMAPEEK_TOP/tests/scenarios/export-import-move-revoke.batch
	tape scenario-batch --stdin "$scen" -D "ivshmem=$ivshmem" -D "edu=$edu" -b -
	tape scenario-batch-j --stdin "$scen" -j -D "ivshmem=$ivshmem" -D "edu=$edu" -b -

	tape_hold_end
	# Every recording replays here, where it was made: the host test's
	# own check, run against the module that answered.
	for f in "$TAPES"/*.args; do
		[ -s "${f%.args}.out" ] || [ -s "${f%.args}.err" ] ||
			fail "$(basename "$f" .args): no output at all"
	done
	echo "$(ls "$TAPES"/*.args | wc -l) commands recorded in $TAPES"
}
