# SPDX-License-Identifier: GPL-2.0-only
# dmapeek top: the --snapshot frame against the module's own state (as
# "dmapeek -j buffer list" reports it), and the real TUI driven in tmux:
# sort, filter, select, detail, revoke through the confirmation, updates
# from events, resize, quit with the terminal restored.

TOP=$DMAPEEK_TOP/tools/dmapeek-top
[ "${DMAPEEK_INSTALLED:-0}" = 1 ] && TOP=/usr/sbin/dmapeek-top
TMUX_SOCK=dmapeek-top-test
PANE=top
IVSHMEM_ID=1af4:1110
EDU_ID=1234:11e8

need_tmux() {
	command -v tmux >/dev/null || skip "tmux is not installed in the guest"
	[ -x "$TOP" ] || skip "dmapeek-top was not built"
}

tm() { tmux -L "$TMUX_SOCK" "$@"; }
screen_text() { tm capture-pane -p -t "$PANE"; }

# wait_screen REGEX [SECONDS]: until the pane shows REGEX; fail otherwise.
wait_screen() {
	local i
	for i in $(seq 1 $((${2:-30} * 2))); do
		screen_text | grep -qE -- "$1" && return 0
		sleep 0.5
	done
	fail "the screen never showed /$1/; it shows:
$(screen_text)"
}

# wait_screen_not REGEX [SECONDS]
wait_screen_not() {
	local i
	for i in $(seq 1 $((${2:-30} * 2))); do
		screen_text | grep -qE -- "$1" || return 0
		sleep 0.5
	done
	fail "the screen still shows /$1/:
$(screen_text)"
}

keys() { tm send-keys -t "$PANE" "$@"; }

# start_shell COLS ROWS: a tmux session running a plain shell
start_shell() {
	tm kill-server 2>/dev/null || true
	tm new-session -d -s "$PANE" -x "$1" -y "$2" "env -u NO_COLOR bash --norc --noprofile" ||
		fail "tmux cannot start a session"
	wait_screen '[$#] ?$' 20
}

stop_shell() { tm kill-server 2>/dev/null || true; }

# The system-memory provider and edu's dmapeek device: sets SYSPROV, EDUDEV.
setup_devices() {
	load_module
	local edu
	edu=$(need_pci "$EDU_ID" | head -n 1)
	"$DMAPEEK" bind "$edu" >/dev/null || fail "dmapeek bind $edu failed"
	EDUBDF=$edu
	SYSPROV=$("$DMAPEEK" -j provider list | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "the module lists no system memory provider (it always registers one)"
	EDUDEV=$("$DMAPEEK" -j device list | python3 -c 'import json,sys; print(next(d["id"] for d in json.load(sys.stdin) if d["bdf"]==sys.argv[1]))' "$edu") ||
		fail "no dmapeek device for $edu"
}

# batch_start: a "dmapeek -b -" coprocess; the buffers it exports live
# until batch_stop (their fds are the batch's).
batch_start() {
	coproc BATCH { exec "$DMAPEEK" -b - >/dev/null 2>&1; }
}
batch() { echo "$*" >&"${BATCH[1]}"; }
batch_stop() {
	[ -n "${BATCH_PID:-}" ] || return 0
	eval "exec ${BATCH[1]}>&-"
	wait "$BATCH_PID" 2>/dev/null || true
}

# buffer_id NAME: the id of the module's buffer named NAME (waits for it)
buffer_id() {
	local i id
	for i in $(seq 1 60); do
		id=$("$DMAPEEK" -j buffer list | python3 -c 'import json,sys
for b in json.load(sys.stdin):
    if b["name"] == sys.argv[1]: print(b["id"])' "$1")
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.5
	done
	fail "buffer \"$1\" never appeared"
}

# Three buffers, one per model; the revocable one imported by edu and
# mapped.  Sets PIN, MOV, REV (ids) and ATT (the attachment).
make_buffers() {
	setup_devices
	batch_start
	batch export provider "$SYSPROV" size 4K model pinned name top-pin
	batch export provider "$SYSPROV" size 64K model movable name top-mov
	batch export provider "$SYSPROV" size 1M model revocable name top-rev
	batch import buffer \$buffer device "$EDUDEV" dynamic
	batch map \$attachment
	PIN=$(buffer_id top-pin)
	MOV=$(buffer_id top-mov)
	REV=$(buffer_id top-rev)
	local i
	for i in $(seq 1 60); do
		ATT=$("$DMAPEEK" -j attachment list | python3 -c 'import json,sys
for a in json.load(sys.stdin):
    if a.get("buffer_id") == int(sys.argv[1]) and a["mapped"]: print(a["id"])' "$REV")
		[ -n "$ATT" ] && return 0
		sleep 0.5
	done
	fail "the import of buffer $REV never got mapped"
}

# check_snapshot FILE: every dmapeek row of the frame agrees with the
# module's buffer dump, and every buffer of the dump has its row.
check_snapshot() {
	"$DMAPEEK" -j buffer list >"$1.json" || fail "dmapeek -j buffer list failed"
	python3 - "$1" "$1.json" <<-'P' || fail "snapshot disagrees with the module: $(cat "$1")"
	import json, re, sys
	units = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
	def size(s):
	    m = re.fullmatch(r"([0-9.]+)([KMG]?i?B)", s)
	    return float(m.group(1)) * units[m.group(2)]
	lines = open(sys.argv[1]).read().splitlines()
	# the table's heading is the first line starting with ID (ID^ when
	# sorted by it); the table ends at the first blank line
	head = next(i for i, l in enumerate(lines) if l.split()[:1] in (["ID"], ["ID^"], ["IDv"]))
	rows = {}
	for l in lines[head + 1:]:
	    if not l.strip():
	        break
	    f = l.split(None, 7)
	    if f[0] != "-":
	        rows[int(f[0])] = f
	dump = {b["id"]: b for b in json.load(open(sys.argv[2]))}
	assert set(rows) == set(dump), ("ids", sorted(rows), sorted(dump))
	for i, b in dump.items():
	    f = rows[i]
	    assert f[1] == "dmapeek", (i, f)
	    assert abs(size(f[2]) - b["size"]) <= b["size"] / 100, (i, f[2], b["size"])
	    assert f[3] == b["model"], (i, f[3], b["model"])
	    assert int(f[4]) == b["provider_id"], (i, f[4], b["provider_id"])
	    assert int(f[5]) == b["attachments"], (i, f[5], b["attachments"])
	    assert f[6] == b["state"], (i, f[6], b["state"])
	    assert (f[7] if len(f) > 7 else "") == b["name"], (i, f, b["name"])
	m = re.match(r"Buffers: (\d+),", lines[0])
	assert m and int(m.group(1)) == len(dump), lines[0]
	print(len(dump), "rows agree")
	P
}

test_top_snapshot_matches_module() {
	need_module
	[ -x "$TOP" ] || skip "dmapeek-top was not built"
	make_buffers
	local t
	t=$(mktemp)
	# through "dmapeek top", which runs dmapeek-top
	"$DMAPEEK" top --snapshot >"$t" 2>"$t.err" || fail "dmapeek top --snapshot: $(cat "$t.err")"
	check_snapshot "$t"
	grep -q "^Stuck importers: none" "$t" || fail "a stuck importer out of nowhere: $(cat "$t")"
	grep -qE "^Attachments: [1-9]" "$t" || fail "the import is not counted: $(head -n 8 "$t")"
	# a state change shows in the next frame
	"$DMAPEEK" revoke "$REV" >/dev/null || fail "revoke $REV failed"
	"$TOP" --snapshot >"$t" || fail "dmapeek-top --snapshot failed"
	check_snapshot "$t"
	grep -qE "^ +$REV dmapeek .* revoked +top-rev$" "$t" || fail "no revoked row: $(cat "$t")"
	# filter and sort
	"$TOP" --snapshot -F top- -s -size >"$t" || fail "--snapshot -F -s failed"
	assert_eq "rows filtered, largest first" "top-rev top-mov top-pin" \
		"$(awk '$NF ~ /^top-/ { printf "%s%s", sep, $NF; sep=" " }' "$t")"
	local rc=0
	"$TOP" --snapshot -s bogus >/dev/null 2>&1 || rc=$?
	assert_eq "bad sort key exit code" 2 "$rc"
	batch_stop
}

test_top_snapshot_without_module_says_so() {
	need_module
	[ -x "$TOP" ] || skip "dmapeek-top was not built"
	unload_module
	local rc=0 err
	err=$("$TOP" --snapshot 2>&1 >/dev/null) || rc=$?
	assert_eq "exit code without the module" 3 "$rc"
	assert_match "hint" 'module loaded' "$err"
}

# The whole interactive path in one session, as a person would use it.
test_top_tui_sort_filter_revoke_resize_quit() {
	need_module
	need_tmux
	make_buffers
	local t line
	t=$(mktemp -d)
	start_shell 150 45
	# -d 60: anything that changes within the test comes from events
	keys "stty -g >$t/before; echo BEFORE-TOP; $DMAPEEK top -d 60; echo TOP-EXIT=\$?; stty -g >$t/after" Enter
	wait_screen '^Buffers: [0-9]+'
	wait_screen 'F10Quit'
	assert_eq "alternate screen while running" 1 "$(tm display -p -t "$PANE" '#{alternate_on}')"

	# sort: two columns right of ID is SIZE, ascending; I inverts
	keys '>' '>'
	wait_screen ' SIZE\^ '
	assert_eq "ascending by size" "top-pin top-mov top-rev" \
		"$(screen_text | awk '$NF ~ /^top-/ { printf "%s%s", s, $NF; s=" " }')"
	keys I
	wait_screen ' SIZEv '
	assert_eq "descending by size" "top-rev top-mov top-pin" \
		"$(screen_text | awk '$NF ~ /^top-/ { printf "%s%s", s, $NF; s=" " }')"

	# filter down to the revocable buffer: it is selected, its importer shown
	keys /
	keys -l top-rev
	keys Enter
	wait_screen '^ +'"$REV"' dmapeek .* top-rev'
	wait_screen_not 'top-pin$'
	wait_screen "^Buffer $REV: 1 importer"
	wait_screen "attachment $ATT: importer $EDUBDF"

	# a new buffer appears from its buffer-create event, long before a refresh
	keys Escape
	wait_screen 'top-pin$'
	batch export provider "$SYSPROV" size 8K model movable name top-new
	wait_screen ' top-new$' 20

	# revoke through the confirmation
	keys /
	keys -l top-rev
	keys Enter
	wait_screen_not 'top-pin$'
	keys r
	wait_screen "Revoke buffer $REV \"top-rev\"\\? \\[y/N\\]"
	keys n
	wait_screen 'revoke cancelled'
	assert_eq "still live after no" live \
		"$("$DMAPEEK" -j buffer show "$REV" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])')"
	keys r
	wait_screen "Revoke buffer $REV"
	keys y
	wait_screen "revoked buffer $REV: 1 attachments invalidated, 0 stuck"
	wait_screen '^ +'"$REV"' dmapeek .* revoked +top-rev'
	assert_eq "module state after the revoke" revoked \
		"$("$DMAPEEK" -j buffer show "$REV" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])')"

	# resize: the frame is redrawn to the new size, bar on the last line
	tm resize-window -t "$PANE" -x 90 -y 28
	sleep 1
	wait_screen '^Buffers: '
	line=$(screen_text | sed -n '28p')
	assert_match "function bar on the new last line" '^F1Help' "$line"
	screen_text | awk 'length > 90 { exit 1 }' || fail "lines wider than 90 columns"
	tm resize-window -t "$PANE" -x 150 -y 45
	sleep 1
	wait_screen '^Buffers: '
	assert_match "function bar on the last line again" '^F1Help' "$(screen_text | sed -n '45p')"

	# help, then quit; the shell's screen and terminal settings come back
	keys '?'
	wait_screen 'dmapeek top: keys'
	keys x
	wait_screen '^Buffers: '
	keys q
	wait_screen 'TOP-EXIT=0'
	assert_eq "alternate screen left" 0 "$(tm display -p -t "$PANE" '#{alternate_on}')"
	screen_text | grep -q '^BEFORE-TOP' || fail "the shell's screen was not restored: $(screen_text)"
	for i in $(seq 1 20); do [ -s "$t/after" ] && break; sleep 0.5; done
	assert_eq "stty settings restored" "$(cat "$t/before")" "$(cat "$t/after")"
	stop_shell
	batch_stop
}

test_top_colours_degrade_without_colour() {
	need_module
	need_tmux
	load_module
	local esc
	start_shell 120 30
	keys "$DMAPEEK top" Enter
	wait_screen 'F10Quit'
	# the heading and the bar are drawn with colour pairs
	tm capture-pane -e -p -t "$PANE" | grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])[;m]' ||
		fail "no colour in a colour terminal"
	keys q
	wait_screen_not 'F10Quit'
	keys "NO_COLOR=1 $DMAPEEK top" Enter
	wait_screen 'F10Quit'
	esc=$(tm capture-pane -e -p -t "$PANE")
	! echo "$esc" | grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])[;m]' ||
		fail "colours with NO_COLOR set"
	echo "$esc" | grep -qE $'\e\\[[0-9;]*7[;m]' || fail "no reverse video for the bar without colour"
	keys q
	wait_screen_not 'F10Quit'
	stop_shell
}

test_top_unprivileged_actions_refused() {
	need_module
	need_tmux
	id dmapeek-user >/dev/null 2>&1 || skip "no unprivileged user in this guest"
	make_buffers
	start_shell 150 45
	# what the user may read of the import, for the log
	su dmapeek-user -s /bin/sh -c "'$DMAPEEK' attachment show $ATT" || true
	keys "su dmapeek-user -s /bin/sh -c '$DMAPEEK top -F top-rev'" Enter
	wait_screen "^Buffer $REV: 1 importer"
	# the module sends DMA addresses to CAP_SYS_ADMIN only
	wait_screen 'range .* at hidden \(needs CAP_SYS_ADMIN\)'
	keys r
	wait_screen 'revoke needs CAP_SYS_ADMIN'
	assert_eq "still live" live \
		"$("$DMAPEEK" -j buffer show "$REV" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])')"
	keys q
	wait_screen_not 'F10Quit'
	stop_shell
	batch_stop
}

# The system page (key 5): every dma-buf of the system by process and
# exporter.  A process that makes buffers while it is shown appears at the
# next read with its growth highlighted (the change columns) and its
# buffers marked new; --snapshot --view system prints the page once.
test_top_system_page_shows_a_growing_process() {
	need_module
	need_tmux
	[ -r /sys/kernel/debug/dma_buf/bufinfo ] || skip "no dma_buf debugfs (bufinfo)"
	[ -e /dev/udmabuf ] || modprobe udmabuf 2>/dev/null || true
	[ -e /dev/udmabuf ] || skip "no /dev/udmabuf in this kernel"
	load_module
	local t pid s seen=
	t=$(mktemp -d)
	start_shell 170 50
	keys "$DMAPEEK top -d 4" Enter
	wait_screen 'F10Quit'
	keys 5
	wait_screen '^System: [0-9]+ dma-bufs'
	python3 "$DMAPEEK_TOP/tests/guest/dmabuf-helper.py" hold --comm top-grower \
		udmabuf:65536:2 >"$t/h" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null || true; stop_shell' EXIT
	for _ in $(seq 300); do grep -q '^ready' "$t/h" && break; sleep 0.1; done
	grep -q '^ready' "$t/h" || fail "the holder was not ready: $(cat "$t/h")"
	# one frame with all of it: the change shows for one refresh interval
	for _ in $(seq 60); do
		s=$(screen_text)
		if echo "$s" | grep -qE "^  $pid +top-grower +2 +128KiB +\+2 +\+128KiB +2/0" &&
		   echo "$s" | grep -qE "^\+ +[0-9]+ udmabuf .* $pid top-grower fd" &&
		   echo "$s" | grep -qE '^System: .* in the last [0-9.]+s [1-9][0-9]* appeared'; then
			seen=1
			break
		fi
		sleep 0.5
	done
	[ -n "$seen" ] || fail "the page never showed the growing process: $(screen_text)"
	echo "$s" | sed -n '1,30p'
	keys q
	wait_screen_not 'F10Quit'
	"$TOP" --snapshot --view system >"$t/snap" || fail "dmapeek-top --snapshot --view system failed"
	grep -qE "^  $pid +top-grower +2 +128KiB" "$t/snap" ||
		fail "no growing process in the snapshot: $(cat "$t/snap")"
	grep -q '(changes from the next refresh on)' "$t/snap" ||
		fail "the snapshot claims changes: $(head -n 12 "$t/snap")"
	local rc=0
	"$TOP" --snapshot --view bogus >/dev/null 2>&1 || rc=$?
	assert_eq "unknown view exit code" 2 "$rc"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	stop_shell
}

# The system page as root has an ATTACHMENTS column: a buffer of the
# module's (held by no process: read through dmapeek's own descriptor)
# imported once, dynamically, by the edu shows its one importer with the
# flags the dma-buf core and dmapeek record (dynamic, revocable, dmapeek's
# export, its importer, held: "buffer attachments" gives the same), and
# a buffer with no importer "0".  Without root the page has no column.
test_top_system_page_shows_attachment_flags_as_root() {
	need_module
	[ -x "$TOP" ] || skip "dmapeek-top was not built"
	[ -r /sys/kernel/debug/dma_buf/bufinfo ] || skip "no dma_buf debugfs (bufinfo)"
	local t out b b0 ino ino0 want
	setup_devices
	t=$(mktemp -d)
	out=$("$DMAPEEK" -j export provider "$SYSPROV" size 64K name top-att) || fail "export: $out"
	b=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["buffer"])' "$out")
	out=$("$DMAPEEK" -j export provider "$SYSPROV" size 4K name top-noatt) || fail "export: $out"
	b0=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["buffer"])' "$out")
	"$DMAPEEK" import buffer "$b" device "$EDUDEV" dynamic >/dev/null || fail "import"
	ino=$("$DMAPEEK" -j buffer show "$b" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["inode"])')
	ino0=$("$DMAPEEK" -j buffer show "$b0" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["inode"])')
	# the ground truth of the flags, read by descriptor
	want=$("$DMAPEEK" buffer exec "$b" -- sh -c 'exec "$0" -j buffer attachments fd "$DMAPEEK_BUFFER_FD"' "$DMAPEEK" |
		python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)["attachments"][0]["flags"]))')
	assert_eq "the import's flags" "['dynamic', 'exported', 'held', 'imported', 'revocable']" "$want"

	"$TOP" --snapshot --view system >"$t/snap" || fail "dmapeek-top --snapshot --view system failed"
	grep -E '^  +INODE +EXPORTER +SIZE +HOLDERS \(\+: new\) +ATTACHMENTS +NAME$' "$t/snap" ||
		fail "no ATTACHMENTS column as root: $(cat "$t/snap")"
	grep -E "^[ +] +$ino +dmapeek .* 1: dyn\+rev\+exp\+dp\+held +top-att\$" "$t/snap" ||
		fail "buffer $b (inode $ino) does not show its import's flags: $(grep -E " $ino " "$t/snap")"
	grep -E "^[ +] +$ino0 +dmapeek .* 0 +top-noatt\$" "$t/snap" ||
		fail "buffer $b0 (inode $ino0) does not show no importer: $(grep -E " $ino0 " "$t/snap")"

	if id dmapeek-user >/dev/null 2>&1; then
		su dmapeek-user -s /bin/sh -c "'$TOP' --snapshot --view system" >"$t/user" 2>&1 ||
			fail "dmapeek-top as a user failed: $(cat "$t/user")"
		grep -qE '^  +INODE +EXPORTER +SIZE +HOLDERS \(\+: new\) +NAME$' "$t/user" ||
			fail "the user's page has not the plain buffer heading: $(cat "$t/user")"
		! grep -q ATTACHMENTS "$t/user" || fail "a user's page has the root column: $(cat "$t/user")"
	else
		echo "no account dmapeek-user: the page without root not checked"
	fi
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	"$DMAPEEK" buffer delete "$b0" >/dev/null || fail "delete $b0"
	rm -rf "$t"
}
