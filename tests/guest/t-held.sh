# shellcheck shell=bash
# Held objects: what one command exports or imports lives in the module
# until a later command deletes it, any process takes a held buffer by id
# (a new fd, or a program run with one), and a dma-buf another process
# holds is imported through pidfd_getfd().

HELD=/sys/class/misc/dmapeek

# held_setup: load, bind the edu as the client; sets $sys and $dev
held_setup() {
	load_module
	local edu
	edu=$(need_pci 1234:11e8 | head -n1)
	"$DMAPEEK" bind "$edu" >/dev/null || fail "dmapeek bind $edu failed"
	sys=$("$DMAPEEK" -j provider list | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "the module lists no system memory provider"
	dev=$("$DMAPEEK" -j device list | python3 -c 'import json,sys; print(next(d["id"] for d in json.load(sys.stdin) if d["bdf"]==sys.argv[1]))' "$edu") ||
		fail "no dmapeek device for $edu"
}

# jget JSON-TEXT PYTHON-EXPR: evaluate EXPR on the parsed JSON (as j)
jget() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

held_counts() { echo "$(cat $HELD/held_buffers) $(cat $HELD/held_attachments)"; }

test_held_objects_made_by_one_command_used_by_the_next_deleted_by_a_third() {
	local sys dev out b a rc=0
	held_setup
	assert_eq "nothing held after load" "0 0" "$(held_counts)"

	out=$("$DMAPEEK" -j export provider "$sys" size 1M model revocable name held1) ||
		fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	assert_eq "the export says it is held" True "$(jget "$out" 'j["held"]')"
	assert_eq "the module holds one buffer" "1 0" "$(held_counts)"
	out=$("$DMAPEEK" -j buffer show "$b") || fail "buffer show $b after its command ended: $out"
	assert_eq "buffer $b outlived its command, held" True "$(jget "$out" 'j[0]["held"]')"

	out=$("$DMAPEEK" -j import buffer "$b" device "$dev" dynamic) ||
		fail "import of held buffer $b from a second command: $out"
	a=$(jget "$out" 'j["attachment"]')
	assert_eq "the module holds the import too" "1 1" "$(held_counts)"
	"$DMAPEEK" map "$a" >/dev/null || fail "map $a from a third command"
	out=$("$DMAPEEK" -j attachment show "$a") || fail "attachment show $a"
	assert_eq "attachment $a is held and mapped" "True True" \
		"$(jget "$out" '"held" in j[0]["flags"], j[0]["mapped"]' | tr -d '(),' )"

	out=$("$DMAPEEK" revoke "$b" timeout 2000) || fail "revoke $b: $out"
	case $out in
	*"1 attachments invalidated, 0 stuck"*) ;;
	*) fail "revoke of the held buffer from another command: $out" ;;
	esac
	out=$("$DMAPEEK" -j attachment show "$a") || fail "attachment show $a"
	assert_eq "the held import saw the revoke and unmapped" "1 False" \
		"$(jget "$out" 'j[0]["invalidations"], j[0]["mapped"]' | tr -d '(),')"

	# held objects keep the module: rmmod is refused, nothing is lost
	rmmod dmapeek 2>/dev/null && fail "rmmod succeeded with held objects"
	module_loaded || fail "the module went with held objects"
	assert_eq "still held after the refused rmmod" "1 1" "$(held_counts)"

	out=$("$DMAPEEK" -j attachment delete "$a") || fail "attachment delete $a: $out"
	assert_eq "one attachment deleted" 1 "$(jget "$out" 'j["deleted"]')"
	"$DMAPEEK" attachment show "$a" >/dev/null 2>&1 && fail "attachment $a still listed"
	out=$("$DMAPEEK" -j buffer delete "$b") || fail "buffer delete $b: $out"
	assert_eq "one buffer deleted" 1 "$(jget "$out" 'j["deleted"]')"
	"$DMAPEEK" buffer show "$b" >/dev/null 2>&1 && fail "buffer $b still listed"
	assert_eq "nothing held" "0 0" "$(held_counts)"
	assert_eq "dmapeek dma-bufs left in bufinfo" 0 "$(bufinfo_dmapeek)"

	out=$("$DMAPEEK" buffer delete "$b" 2>&1) || rc=$?
	assert_eq "deleting a gone buffer fails" 1 "$rc"
	case $out in *"no buffer with id $b"*) ;; *) fail "no kernel message: $out" ;; esac
	unload_module
}

test_held_delete_refusals_and_delete_all() {
	local sys dev t out rc=0 i
	held_setup
	t=$(mktemp)
	# a batch's objects are its own (not held): delete refuses them
	# and another process cannot take its buffer by id (EACCES)
	cat >"$t.batch" <<-B
	export provider $sys size 4K
	import buffer \$buffer device $dev dynamic
	buffer delete \$buffer
	attachment delete \$attachment
	buffer exec \$buffer -- $DMAPEEK import buffer \$buffer device $dev
	B
	"$DMAPEEK" -f -b "$t.batch" >"$t" 2>"$t.err" || rc=$?
	[ "$rc" != 0 ] || fail "the refused deletes did not fail the batch"
	grep -q "is not held" "$t.err" || fail "buffer delete of a batch's buffer: $(cat "$t.err")"
	grep -q "EBUSY" "$t.err" || fail "attachment delete of a batch's import: $(cat "$t.err")"
	grep -q "EACCES" "$t.err" || fail "another process took a buffer not held: $(cat "$t.err")"
	assert_eq "nothing held after the batch" "0 0" "$(held_counts)"
	assert_eq "the batch's buffer outlived it (bufinfo)" 0 "$(bufinfo_dmapeek)"

	"$DMAPEEK" buffer delete 2>/dev/null && fail "delete without an id succeeded"
	for i in 1 2 3; do
		out=$("$DMAPEEK" -j export provider "$sys" size 64K) || fail "export $i: $out"
		"$DMAPEEK" import buffer "$(jget "$out" 'j["buffer"]')" device "$dev" >/dev/null ||
			fail "import $i"
	done
	assert_eq "three of each held" "3 3" "$(held_counts)"
	out=$("$DMAPEEK" -j attachment delete all) || fail "attachment delete all: $out"
	assert_eq "attachment delete all" 3 "$(jget "$out" 'j["deleted"]')"
	out=$("$DMAPEEK" -j buffer delete all) || fail "buffer delete all: $out"
	assert_eq "buffer delete all" 3 "$(jget "$out" 'j["deleted"]')"
	assert_eq "nothing held" "0 0" "$(held_counts)"
	out=$("$DMAPEEK" -j buffer delete all) || fail "buffer delete all when none: $out"
	assert_eq "delete all of nothing" 0 "$(jget "$out" 'j["deleted"]')"
	unload_module
}

# buffer exec: a child program gets a descriptor of a held buffer, imports
# it itself (its import ends with it), and sees a revoke another command
# makes while it waits.
test_held_buffer_exec_child_importer_sees_a_revoke() {
	local sys dev out b t pid i rc=0
	held_setup
	out=$("$DMAPEEK" -j export provider "$sys" size 256K model revocable) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	t=$(mktemp)
	"$DMAPEEK" buffer exec "$b" -- sh -c '
		[ -e "/proc/self/fd/$DMAPEEK_BUFFER_FD" ] || { echo "no fd $DMAPEEK_BUFFER_FD"; exit 9; }
		printf "%s\n" "\$a = import fd $DMAPEEK_BUFFER_FD device '"$dev"' dynamic" \
			"map \$a" "monitor count 3 timeout 60" "attachment show \$a" |
		"$0" -j -b -' "$DMAPEEK" >"$t" 2>&1 &
	pid=$!
	# the child's import shows up, mapped, in another command's listing
	for i in $(seq 100); do
		out=$("$DMAPEEK" -j attachment list) || fail "attachment list"
		[ "$(jget "$out" 'sum(1 for a in j if a.get("buffer_id")=='"$b"' and a["mapped"])')" = 1 ] && break
		sleep 0.2
	done
	[ "$i" -lt 100 ] || fail "the child's import never appeared mapped: $out $(cat "$t")"
	sleep 1	# the child's monitor subscribes after its map
	"$DMAPEEK" revoke "$b" timeout 5000 >/dev/null || fail "revoke $b from another command"
	wait "$pid" || rc=$?
	assert_eq "the child program's exit status" 0 "$rc"
	grep -q 'revoke-begin' "$t" || fail "the child saw no revoke: $(cat "$t")"
	python3 - "$t" <<-'P' || fail "the child's attachment after the revoke: $(cat "$t")"
	import json, sys
	text = open(sys.argv[1]).read()
	dec = json.JSONDecoder()
	docs, i = [], 0
	while i < len(text):
	    if text[i].isspace():
	        i += 1
	        continue
	    d, i = dec.raw_decode(text, i)
	    docs.append(d)
	att = [d for d in docs if isinstance(d, list) and d and "invalidations" in d[0]][-1][0]
	assert att["invalidations"] >= 1 and att["mapped"] == 0, att
	P
	rc=0
	"$DMAPEEK" buffer exec "$b" -- sh -c 'exit 7' || rc=$?
	assert_eq "buffer exec returns the command's status" 7 "$rc"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	unload_module
}

# import fd PID:FD: a dma-buf only another process holds, taken with
# pidfd_getfd(), imported by dmapeek's importer.
test_held_import_fd_of_another_process() {
	local sys dev out b t pid a fd rc=0
	held_setup
	out=$("$DMAPEEK" -j export provider "$sys" size 64K) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	t=$(mktemp)
	# the other process: holds a descriptor of the buffer, then the hold goes
	"$DMAPEEK" buffer exec "$b" -- sh -c 'echo "$$ $DMAPEEK_BUFFER_FD" >"$0"; exec sleep 60' "$t" &
	pid=$!
	for _ in $(seq 50); do [ -s "$t" ] && break; sleep 0.1; done
	[ -s "$t" ] || fail "the holder did not start"
	read -r pid fd <"$t"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	"$DMAPEEK" buffer show "$b" >/dev/null || fail "buffer $b went while a process holds it"
	out=$("$DMAPEEK" -j import fd "$pid:$fd" device "$dev" dynamic) ||
		fail "import fd $pid:$fd: $out"
	a=$(jget "$out" 'j["attachment"]')
	out=$("$DMAPEEK" -j attachment show "$a") || fail "attachment show $a"
	assert_eq "the import is of that buffer" "$b" "$(jget "$out" 'j[0]["buffer_id"]')"
	out=$("$DMAPEEK" import fd "$pid:999" device "$dev" 2>&1) || rc=$?
	assert_eq "a descriptor the process does not have" 1 "$rc"
	case $out in *EBADF*) ;; *) fail "import fd $pid:999: $out" ;; esac
	rc=0
	out=$("$DMAPEEK" import fd "$pid:0" device "$dev" 2>&1) || rc=$?
	assert_eq "a descriptor that is no dma-buf" 1 "$rc"
	"$DMAPEEK" attachment delete "$a" >/dev/null || fail "attachment delete $a"
	kill "$pid" 2>/dev/null
	wait 2>/dev/null || true
	for _ in $(seq 50); do [ "$(bufinfo_dmapeek)" = 0 ] && break; sleep 0.1; done
	assert_eq "buffer $b outlived its last holder (bufinfo)" 0 "$(bufinfo_dmapeek)"
	unload_module
}

# buffer exec with another driver as the importer: a program PRIME-imports
# the held buffer into vgem (a static importer), and dmapeek lists that
# attachment, with the flags its importer declared, from another command.
test_held_buffer_exec_foreign_prime_import_is_listed() {
	local sys dev out b line n=0
	held_setup
	modprobe vgem 2>/dev/null || skip "no vgem module in this kernel"
	out=$("$DMAPEEK" -j export provider "$sys" size 64K) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	coproc PRIME { exec "$DMAPEEK" buffer exec "$b" -- python3 "$DMAPEEK_TOP/tests/guest/dmabuf-helper.py" prime-import 2>&1; }
	read -r -t 20 line <&"${PRIME[0]}" || fail "the importer program said nothing"
	case $line in "imported "*) ;; *) fail "the importer program: $line" ;; esac
	out=$("$DMAPEEK" -j attachment list) || fail "attachment list"
	echo "$out"
	assert_eq "vgem's attachment of buffer $b, static, by dmapeek's exporter" \
		"1" "$(jget "$out" 'sum(1 for a in j if a.get("buffer_id")=='"$b"' and "vgem" in a["importer_dev"] and "exported" in a["flags"] and "dynamic" not in a["flags"] and "imported" not in a["flags"])')"
	exec {PRIME[1]}>&-
	wait "$PRIME_PID" || fail "the importer program failed"
	for _ in $(seq 50); do
		out=$("$DMAPEEK" -j attachment list) || fail "attachment list"
		n=$(jget "$out" 'sum(1 for a in j if a.get("buffer_id")=='"$b"')')
		[ "$n" = 0 ] && break
		sleep 0.1
	done
	assert_eq "vgem's attachment went with its program" 0 "$n"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	rmmod vgem 2>/dev/null || true
	unload_module
}

# A held import whose client device goes: torn down with the device, and
# the module's hold goes with it (nothing is left to delete), so the
# module unloads.
test_held_import_goes_with_its_device() {
	local sys dev out b a edu
	held_setup
	edu=$("$DMAPEEK" -j device list | python3 -c 'import json,sys; print(next(d["bdf"] for d in json.load(sys.stdin) if d["id"]==int(sys.argv[1])))' "$dev")
	out=$("$DMAPEEK" -j export provider "$sys" size 64K model movable) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	out=$("$DMAPEEK" -j import buffer "$b" device "$dev" dynamic) || fail "import: $out"
	a=$(jget "$out" 'j["attachment"]')
	"$DMAPEEK" map "$a" >/dev/null || fail "map $a"
	assert_eq "held before the unbind" "1 1" "$(held_counts)"
	"$DMAPEEK" unbind "$edu" >/dev/null || fail "unbind $edu"
	assert_eq "the import's hold went with its device" "1 0" "$(held_counts)"
	"$DMAPEEK" attachment show "$a" >/dev/null 2>&1 && fail "attachment $a still listed"
	out=$("$DMAPEEK" -j buffer show "$b") || fail "buffer show $b"
	assert_eq "buffer $b has no attachment left" 0 "$(jget "$out" 'j[0]["attachments"]')"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	unload_module
}

# Held objects survive a SIGKILL of the process that made them, with the
# process's own (not held) objects going with it; nothing leaks once they
# are deleted (the debug lane's kmemleak scan covers this test too).
test_held_objects_survive_sigkill_of_their_maker() {
	local sys dev t pid out
	held_setup
	t=$(mktemp)
	cat >"$t.batch" <<-B
	\$hb = export provider $sys size 256K model revocable hold
	\$ha = import buffer \$hb device $dev dynamic hold
	map \$ha
	\$tb = export provider $sys size 64K
	\$ta = import buffer \$tb device $dev dynamic
	map \$ta
	monitor count 1000 timeout 120
	B
	"$DMAPEEK" -j -b "$t.batch" >"$t" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		out=$("$DMAPEEK" -j attachment list) || fail "attachment list"
		[ "$(jget "$out" 'sum(1 for a in j if a["mapped"])')" = 2 ] && break
		sleep 0.2
	done
	assert_eq "held by the batch before the kill" "1 1" "$(held_counts)"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		out=$("$DMAPEEK" -j buffer list) || fail "buffer list"
		[ "$(jget "$out" 'len(j)')" = 1 ] && break
		sleep 0.1
	done
	out=$("$DMAPEEK" -j buffer list) || fail "buffer list"
	assert_eq "only the held buffer is left, held" "1 True" \
		"$(jget "$out" 'len(j), j[0]["held"]' | tr -d '(),')"
	out=$("$DMAPEEK" -j attachment list) || fail "attachment list"
	assert_eq "only the held import is left, mapped" "1 True" \
		"$(jget "$out" 'len(j), j[0]["mapped"]' | tr -d '(),')"
	assert_eq "still held after the kill" "1 1" "$(held_counts)"
	"$DMAPEEK" attachment delete all >/dev/null || fail "attachment delete all"
	"$DMAPEEK" buffer delete all >/dev/null || fail "buffer delete all"
	assert_eq "nothing held" "0 0" "$(held_counts)"
	assert_eq "dmapeek dma-bufs left in bufinfo" 0 "$(bufinfo_dmapeek)"
	unload_module
}

# "attachment delete all" racing an unbind of the imports' client device:
# each held import goes once, by one of them (a delete that took the whole
# list at once and released it unlocked let the unbind put an import and
# its module reference a second time: a refcount underflow, and rmmod
# allowed while an import was still attached).  The module's reference
# count is back where it was, and the module unloads.
test_held_delete_all_races_client_unbind() {
	local sys dev edu b r i t out refs
	held_setup
	edu=$("$DMAPEEK" -j device list | python3 -c 'import json,sys; print(next(d["bdf"] for d in json.load(sys.stdin) if d["id"]==int(sys.argv[1])))' "$dev")
	out=$("$DMAPEEK" -j export provider "$sys" size 64K model movable) || fail "export: $out"
	b=$(jget "$out" 'j["buffer"]')
	refs=$(cat /sys/module/dmapeek/refcnt)
	t=$(mktemp)
	for r in $(seq 6); do
		: >"$t"
		for i in $(seq 24); do
			echo "\$a$i = import buffer $b device $dev dynamic hold" >>"$t"
			echo "map \$a$i" >>"$t"
		done
		"$DMAPEEK" -b "$t" >/dev/null || fail "round $r: the held imports"
		assert_eq "round $r: held" "1 24" "$(held_counts)"
		"$DMAPEEK" attachment delete all >/dev/null &
		sleep "0.0$((r * 15 % 100))"
		"$DMAPEEK" unbind "$edu" >/dev/null || fail "round $r: unbind $edu"
		wait $! || true	# it may find the list emptied by the unbind
		assert_eq "round $r: no import left held" "1 0" "$(held_counts)"
		"$DMAPEEK" bind "$edu" >/dev/null || fail "round $r: bind $edu"
		dev=$("$DMAPEEK" -j device list | python3 -c 'import json,sys; print(next(d["id"] for d in json.load(sys.stdin) if d["bdf"]==sys.argv[1]))' "$edu")
	done
	rm -f "$t"
	assert_eq "the module's references after the races" "$refs" "$(cat /sys/module/dmapeek/refcnt)"
	"$DMAPEEK" buffer delete "$b" >/dev/null || fail "delete $b"
	assert_eq "nothing held" "0 0" "$(held_counts)"
	unload_module
}
