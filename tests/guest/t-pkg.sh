# SPDX-License-Identifier: GPL-2.0-only
# Integration with the system: bash completion (against live ids), the
# Prometheus metrics (checked by promtool), the udev rule for /dev/dmapeek,
# and, against the installed packages ("tests/guest-lab package", run
# --installed), the DKMS-built module and the packages' files.

if [ "${DMAPEEK_INSTALLED:-0}" = 1 ]; then
	COMPLETION=/usr/share/bash-completion/completions/dmapeek
	UDEV_RULE=/usr/lib/udev/rules.d/60-dmapeek.rules
else
	COMPLETION=$DMAPEEK_TOP/contrib/bash-completion/dmapeek
	UDEV_RULE=$DMAPEEK_TOP/contrib/udev/60-dmapeek.rules
fi
BASH_COMPLETION=/usr/share/bash-completion/bash_completion

pkg_json() {
	"$DMAPEEK" -j "$@" || fail "dmapeek -j $* failed"
}

pkg_bind() {
	local bdf
	for bdf in "$@"; do
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$bdf/driver" 2>/dev/null)")" = dmapeek ] ||
			"$DMAPEEK" bind "$bdf" >/dev/null || fail "bind $bdf failed"
	done
}

# Objects that outlive a command: a batch (one process) exports a pinned and
# a revocable buffer from system memory, imports and maps each with edu as
# the client, revokes the revocable one under an importer that never
# unmaps (a stuck importer), then holds everything while it monitors (long
# enough for a slow guest: hold_end stops it).
# Sets HOLD_PID; hold_end (or the test's exit) ends it.
HOLD_PID=
hold_objects() {
	local edu sys dev t _
	edu=$(need_pci 1234:11e8 | head -n1)
	pkg_bind "$edu"
	sys=$(pkg_json provider list | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["kind"]=="system"))') ||
		fail "no system memory provider"
	dev=$(pkg_json device list | python3 -c 'import json,sys; print(next(d["id"] for d in json.load(sys.stdin) if d["bdf"]==sys.argv[1]))' "$edu") ||
		fail "no dmapeek device for $edu"
	t=$(mktemp)
	cat >"$t.batch" <<-B
	export provider $sys size 64K model pinned name pkg-pinned
	import buffer \$buffer device $dev
	map \$attachment
	export provider $sys size 128K model revocable name pkg-revocable
	import buffer \$buffer device $dev dynamic behaviour never-unmap
	map \$attachment
	revoke \$buffer timeout 200
	monitor timeout 900
	B
	"$DMAPEEK" -b "$t.batch" >"$t.out" 2>&1 &
	HOLD_PID=$!
	trap hold_end EXIT	# a failing test must not leave them held
	# stdout is a file (buffered); monitor's stderr line comes at once.
	for _ in $(seq 100); do
		grep -q 'listening for events' "$t.out" && return 0
		kill -0 "$HOLD_PID" 2>/dev/null || fail "the batch ended early: $(cat "$t.out")"
		sleep 0.2
	done
	fail "the batch did not get to its monitor: $(cat "$t.out")"
}

hold_end() {
	[ -n "$HOLD_PID" ] || return 0
	kill "$HOLD_PID" 2>/dev/null || true
	wait "$HOLD_PID" 2>/dev/null || true
	HOLD_PID=
}

# complete_for WORD...: the candidates bash-completion offers for the last
# WORD of "dmapeek WORD...", one per line.  Words come split as readline
# splits them: ":" is a word of its own, with no blank around it in the line
# (see the BDF test).
complete_for() {
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion is not installed"
	[ -r "$COMPLETION" ] || fail "no completion file at $COMPLETION"
	bash -c '
		source "$1"
		source "$2"
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE=$1
		prev=
		for w in "${@:2}"; do
			if [[ $w == : || $prev == : ]]; then COMP_LINE+=$w; else COMP_LINE+=" $w"; fi
			prev=$w
		done
		COMP_POINT=${#COMP_LINE}
		_dmapeek "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMPLETION" "$COMPLETION" \
		"$DMAPEEK" "$@"
}

# assert_offers WHAT WANTED... -- WORD...: every WANTED is a candidate.
assert_offers() {
	local what=$1 got w
	shift
	local want=()
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	got=$(complete_for "$@")
	for w in "${want[@]}"; do
		echo "$got" | grep -qxF -- "$w" ||
			fail "$what: '$*' does not offer '$w' (offers: $(echo "$got" | tr '\n' ' '))"
	done
}

test_pkg_completion_words_and_prefixes() {
	assert_offers "objects" buffer attachment stats bind unbind -- ''
	complete_for '' | grep -qxF revoke && fail "the alias revoke is offered at the top"
	assert_offers "options" -json -batch -- -
	assert_offers "a prefix" buffer bind -- b
	assert_offers "verbs of a shortened object" show list all export revoke -- buf ''
	assert_offers "keywords" provider size model name -- buffer export ''
	assert_offers "keywords after an alias" provider size model name -- export ''
	assert_offers "a keyword's values" pinned movable revocable -- buffer export model ''
	assert_offers "flags and keywords" device dynamic delay -- attachment import d
	assert_offers "a keyword's values by prefix" normal never-unmap -- att imp behaviour n
	assert_offers "export's layouts" page large -- buffer export chunks ''
	assert_offers "held or not" hold temporary -- buffer export ''
	assert_offers "verbs of held objects" delete exec -- buffer ''
	assert_offers "attachment delete" delete -- attachment ''
	assert_offers "any dma-buf's attachments" attachments -- buffer att
	assert_offers "their descriptor" fd -- buffer attachments ''
	assert_offers "stats formats" prometheus -- stats format pro
	assert_offers "leak hunting" diff watch count -- buffer all ''
	assert_offers "dmapeek top's views" system -- top --view s
	[ -z "$(complete_for buffer all diff '')" ] || fail "offered words for an interval"
	[ -z "$(complete_for buffer export name '')" ] || fail "offered words for a free-form name"
}

test_pkg_completion_offers_live_ids() {
	load_module
	local ivshmem bdfs buf att map prov dev
	ivshmem=$(need_pci 1af4:1110 | head -n1)
	pkg_bind "$ivshmem"
	hold_objects
	buf=$(pkg_json buffer list | python3 -c 'import json,sys; print(" ".join(str(b["id"]) for b in json.load(sys.stdin)))')
	att=$(pkg_json attachment list | python3 -c 'import json,sys; print(" ".join(str(a["id"]) for a in json.load(sys.stdin)))')
	map=$(pkg_json mapping list | python3 -c 'import json,sys; print(" ".join(str(m["id"]) for m in json.load(sys.stdin)))')
	prov=$(pkg_json provider list | python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))')
	dev=$(pkg_json device list | python3 -c 'import json,sys; print(" ".join(str(d["id"]) for d in json.load(sys.stdin)))')
	echo "live: buffers $buf; attachments $att; mappings $map; providers $prov; devices $dev"
	if [ -z "$buf" ] || [ -z "$att" ] || [ -z "$map" ]; then
		fail "no live objects to complete"
	fi
	# shellcheck disable=SC2086
	{
		assert_offers "buffer ids" $buf -- buffer show ''
		assert_offers "buffer ids to revoke" $buf -- buffer revoke ''
		assert_offers "buffer ids to revoke (alias)" $buf -- revoke ''
		assert_offers "buffer ids to import" $buf -- attachment import buffer ''
		assert_offers "attachment ids" $att -- attachment show ''
		assert_offers "attachment ids to unmap" $att -- attachment unmap ''
		assert_offers "attachment ids to audit" $att -- attachment audit ''
		assert_offers "mapping ids to audit" $map -- mapping audit ''
		assert_offers "mapping ids to audit (alias)" $map -- audit ''
		assert_offers "provider ids" $prov -- buffer export provider ''
		assert_offers "provider ids of a move" $prov -- buffer move "${buf%% *}" provider ''
		assert_offers "device ids" $dev -- attachment import device ''
	}
	[ "$(complete_for buffer show '' | sort -n | tr '\n' ' ')" = "$(echo "$buf" | tr ' ' '\n' | sort -n | tr '\n' ' ')" ] ||
		fail "buffer show offers other ids than the module lists: $(complete_for buffer show '' | tr '\n' ' ')"
	# Bound devices: unbind offers them, bind does not.
	bdfs=$(cd /sys/bus/pci/drivers/dmapeek && echo ????:??:??.?)
	# shellcheck disable=SC2086
	assert_offers "bound devices" $bdfs -- unbind ''
	complete_for bind '' | grep -qxF "$ivshmem" && fail "bind offers $ivshmem, already bound"
	# "0000:00:0<TAB>" reaches the function as 0000 : 00 : 0 and must
	# complete to the rest of the address after the last colon.
	local d1=${ivshmem%%:*} rest=${ivshmem#*:}
	local b1=${rest%%:*} f1=${rest#*:}
	assert_offers "a BDF split at colons" "$f1" -- unbind "$d1" : "$b1" : "${f1:0:1}"
	hold_end
}

# What promtool would not accept, and what the metrics must say.
test_pkg_stats_prometheus_passes_promtool() {
	command -v promtool >/dev/null || skip "promtool (package prometheus) is not installed"
	load_module
	hold_objects
	local t
	t=$(mktemp)
	"$DMAPEEK" stats format prometheus >"$t" || fail "dmapeek stats format prometheus failed"
	head -n 40 "$t"
	promtool check metrics <"$t" >"$t.lint" 2>&1 ||
		fail "promtool check metrics: $(cat "$t.lint")"
	[ ! -s "$t.lint" ] || fail "promtool check metrics: $(cat "$t.lint")"
	# The option spelled as node_exporter users would.
	"$DMAPEEK" stats --format prometheus >"$t.2" || fail "stats --format prometheus failed"
	diff "$t" "$t.2" || fail "stats --format prometheus differs from stats format prometheus"
	hold_end
}

# Every figure against what the object dumps (and dmapeek audit) say.
test_pkg_stats_prometheus_counts_live_objects() {
	load_module
	hold_objects
	local t
	t=$(mktemp -d)
	"$DMAPEEK" stats format prometheus >"$t/prom" || fail "stats failed"
	pkg_json buffer list >"$t/buffers"
	pkg_json attachment list >"$t/attachments"
	pkg_json provider list >"$t/providers"
	pkg_json mapping list >"$t/mappings"
	local m
	: >"$t/audits"
	for m in $(python3 -c 'import json,sys; print(" ".join(str(m["id"]) for m in json.load(open(sys.argv[1]))))' "$t/mappings"); do
		"$DMAPEEK" -j audit "$m" >>"$t/audits" || fail "dmapeek audit $m failed"
		echo >>"$t/audits"
	done
	python3 - "$t" <<-'P' || fail "metrics disagree with the dumps (above)"
	import json, os, re, sys
	from collections import Counter
	d = sys.argv[1]
	load = lambda n: json.load(open(os.path.join(d, n)))
	prom = {}
	for line in open(os.path.join(d, "prom")):
	    if line.startswith("#"):
	        continue
	    series, value = line.rsplit(" ", 1)
	    prom[series] = int(value)
	bad = []
	def expect(series, want):
	    got = prom.get(series)
	    if got != want:
	        bad.append("%s: %s, want %s" % (series, got, want))
	bufs, atts = load("buffers"), load("attachments")
	print("%d buffers, %d attachments" % (len(bufs), len(atts)))
	assert any(b["name"] == "pkg-revocable" for b in bufs), "no held buffer"
	for model in ("pinned", "revocable"):
	    mine = [b for b in bufs if b["model"] == model]
	    expect('dmapeek_buffers{exporter="dmapeek",model="%s"}' % model, len(mine))
	    expect('dmapeek_buffer_bytes{exporter="dmapeek",model="%s"}' % model,
	           sum(b["size"] for b in mine))
	expect("dmapeek_buffer_revokes", sum(b["revokes"] for b in bufs))
	expect("dmapeek_buffer_moves", sum(b["moves"] for b in bufs))
	types = Counter(a["map_type"] for a in atts)
	for t in ("none", "not-supported", "bus-addr", "thru-host-bridge"):
	    expect('dmapeek_attachments{map_type="%s"}' % t, types.get(t, 0))
	expect("dmapeek_stuck_importers", sum(1 for a in atts if a["stuck"]))
	if not any(a["stuck"] for a in atts):
	    bad.append("the never-unmap importer is not stuck")
	for p in load("providers"):
	    s = 'dmapeek_provider_exported_bytes{provider="%d",kind="%s",bdf="%s",bar="%s"}' % (
	        p["id"], p["kind"], p.get("bdf", ""), p.get("bar", ""))
	    expect(s, p["bytes_exported"])
	expect("dmapeek_mappings", len(load("mappings")))
	audits = [json.loads(x) for x in open(os.path.join(d, "audits")).read().split("\n") if x.strip()]
	results = Counter(a["result"] for a in audits)
	for r in ("ok", "mismatch", "direct", "not-checkable"):
	    expect('dmapeek_iova_audit_mappings{result="%s"}' % r, results.get(r, 0))
	expect("dmapeek_iova_audit_failures", results.get("mismatch", 0))
	expect('dmapeek_source_up{source="bufinfo"}', 1)
	expect('dmapeek_source_up{source="module"}', 1)
	print("\n".join(bad) if bad else "all %d series agree" % len(prom))
	sys.exit(1 if bad else 0)
	P
	hold_end
}

# The rule as udev reads it: root:root 0600.  (The tree's rule is put in
# /run/udev/rules.d for the test when the packages are not installed.)
udev_running() {
	command -v udevadm >/dev/null || skip "no udevadm in this guest"
	udevadm control --ping 2>/dev/null || skip "udevd is not running in this guest"
}

test_pkg_udev_rule_keeps_dev_root_only() {
	udev_running
	load_module
	local placed="" out
	[ -r "$UDEV_RULE" ] || fail "no udev rule at $UDEV_RULE"
	if [ "${DMAPEEK_INSTALLED:-0}" != 1 ]; then
		mkdir -p /run/udev/rules.d
		cp "$UDEV_RULE" /run/udev/rules.d/60-dmapeek.rules
		placed=/run/udev/rules.d/60-dmapeek.rules
	fi
	out=$(udevadm test --action=add /class/misc/dmapeek 2>&1) || true
	[ -z "$placed" ] || rm -f "$placed"
	echo "$out" | grep -E '60-dmapeek|MODE|OWNER|GROUP' | head -n 20
	echo "$out" | grep -qE '60-dmapeek\.rules:[0-9]+ +MODE 0600' ||
		fail "udev does not apply MODE 0600 from 60-dmapeek.rules"
	echo "$out" | grep -qE '60-dmapeek\.rules:[0-9]+ +OWNER .*(root|0)' ||
		fail "udev does not apply OWNER root from 60-dmapeek.rules"
	udevadm settle
	assert_eq "/dev/dmapeek" "600 root root" "$(stat -c '%a %U %G' /dev/dmapeek)"
}

# The documented option: a rule of the same name in /etc/udev/rules.d with
# a group takes the packaged one's place and gives the node that group and
# mode 0660, as udev's rules engine (udevadm test) applies it.  (The running
# udevd of the lab's guest applied the mode but not a group created after
# it started; see the report of issue 11.)
test_pkg_udev_group_option_gives_node_to_group() {
	command -v udevadm >/dev/null || skip "no udevadm in this guest"
	load_module
	local rule=/etc/udev/rules.d/60-dmapeek.rules out gid
	[ ! -e "$rule" ] || skip "$rule exists already"
	getent group dmapeek >/dev/null || groupadd --system dmapeek
	gid=$(getent group dmapeek | cut -d: -f3)
	mkdir -p /etc/udev/rules.d
	sed -n 's/^#   \(KERNEL=="dmapeek".*GROUP="dmapeek".*\)$/\1/p' "$UDEV_RULE" >"$rule"
	[ -s "$rule" ] || fail "the rule's comment documents no group line"
	out=$(udevadm test --action=add /class/misc/dmapeek 2>&1) || true
	rm -f "$rule"
	echo "$out" | grep -iE '60-dmapeek|group' | head -n 20
	echo "$out" | grep -q "Skipping overridden file.*60-dmapeek.rules" ||
		[ "${DMAPEEK_INSTALLED:-0}" != 1 ] || fail "the /etc rule does not replace the packaged one"
	echo "$out" | grep -qE "/etc/udev/rules.d/60-dmapeek\.rules:[0-9]+ +GROUP $gid\$" ||
		fail "udev does not apply GROUP dmapeek ($gid) from the /etc rule"
	echo "$out" | grep -qE '/etc/udev/rules.d/60-dmapeek\.rules:[0-9]+ +MODE 0660$' ||
		fail "udev does not apply MODE 0660 from the /etc rule"
}

# --installed only: the module DKMS built and installed for this kernel.
test_pkg_dkms_module_is_the_one_loaded() {
	[ "${DMAPEEK_INSTALLED:-0}" = 1 ] || skip "not testing installed packages (tests/guest-lab package)"
	local want path
	path=$(modinfo -n dmapeek) || fail "modinfo finds no dmapeek for $(uname -r)"
	case $path in
	"/lib/modules/$(uname -r)/updates/dkms/dmapeek.ko"*) ;;
	*) fail "module path: $path is not DKMS's" ;;
	esac
	want=$(dpkg-query -W -f '${Version}' dmapeek-dkms) || fail "dmapeek-dkms is not installed"
	dkms status dmapeek | tee /dev/stderr | grep -F "dmapeek/${want%-*}, $(uname -r), " |
		grep -q ': installed' ||
		fail "dkms status does not show dmapeek ${want%-*} installed for $(uname -r)"
	# The only dmapeek.ko on the module path is DKMS's: modprobe loads it.
	unload_module
	modprobe dmapeek || fail "modprobe dmapeek failed"
	module_loaded || fail "dmapeek is not loaded after modprobe"
}

# --installed only: the module users load has no debug knob (configure
# --enable-debug-knobs, which dkms.conf never passes): none of the debug
# parameters, and the benchmark ioctl is not there (ENOTTY).
test_pkg_dkms_module_has_no_debug_knobs() {
	[ "${DMAPEEK_INSTALLED:-0}" = 1 ] || skip "not testing installed packages (tests/guest-lab package)"
	local p d parms out dp_bench=$DMAPEEK_TOP/tests/bench/dp-bench
	parms=$(modinfo -F parm dmapeek) || fail "modinfo finds no dmapeek for $(uname -r)"
	echo "$parms"
	for p in audit_bar_provider audit_bar_ranges debug_invalidate mmio_bar_providers; do
		if echo "$parms" | grep -q "^$p:"; then
			fail "the installed module has the debug parameter $p"
		fi
	done
	for d in /usr/src/dmapeek-*; do
		[ -f "$d/dkms.conf" ] || fail "no dkms.conf in $d"
		grep -q -- '--disable-debug-knobs' "$d/dkms.conf" ||
			fail "$d/dkms.conf does not say --disable-debug-knobs"
		if [ -e "$d/kmod/dmapeek_debug.c" ] || [ -e "$d/kmod/dmapeek_bench.c" ]; then
			fail "the DKMS tree $d ships the debug knobs' sources"
		fi
	done
	[ ! -e /usr/include/linux/dmapeek-debug.h ] || fail "the debug uapi header is installed"
	if grep -qE 'dmapeek_bench_map|DMAPEEK_IOC_BENCH_MAP\>' /usr/include/linux/dmapeek.h; then
		fail "the installed uapi header declares the benchmark ioctl"
	fi
	load_module
	for p in audit_bar_provider audit_bar_ranges debug_invalidate mmio_bar_providers; do
		[ ! -e "/sys/module/dmapeek/parameters/$p" ] || fail "/sys/module/dmapeek/parameters/$p exists"
	done
	[ -x "$dp_bench" ] || skip "dp-bench was not built"
	out=$("$dp_bench" map 0 2 4096 0 1)
	assert_eq "DMAPEEK_IOC_BENCH_MAP on the installed module" "map err=ENOTTY" "$out"
}

# --installed only: the command is the package's, on the package's library.
test_pkg_installed_tool_uses_packaged_library() {
	[ "${DMAPEEK_INSTALLED:-0}" = 1 ] || skip "not testing installed packages (tests/guest-lab package)"
	local lib ver
	ver=$(dpkg-query -W -f '${Version}' dmapeek) || fail "dmapeek is not installed"
	assert_eq "dmapeek -V" "dmapeek ${ver%-*}" "$("$DMAPEEK" -V)"
	# (through /lib -> usr/lib: dpkg knows the file by its /usr path)
	lib=$(readlink -f "$(ldd "$DMAPEEK" | awk '$1 == "libdmapeek.so.0" { print $3 }')")
	dpkg -S "$lib" | grep -q '^libdmapeek0:' ||
		fail "$DMAPEEK uses $lib, not libdmapeek0's library"
	dpkg -S "$DMAPEEK" | grep -q '^dmapeek:' || fail "$DMAPEEK is not the dmapeek package's"
	# the live view and both manual pages come with it
	local f
	for f in /usr/sbin/dmapeek-top /usr/share/man/man8/dmapeek.8.gz \
		/usr/share/man/man8/dmapeek-top.8.gz; do
		dpkg -S "$f" | grep -q '^dmapeek:' || fail "$f is not the dmapeek package's"
	done
	lib=$(readlink -f "$(ldd /usr/sbin/dmapeek-top | awk '$1 == "libdmapeek.so.0" { print $3 }')")
	dpkg -S "$lib" | grep -q '^libdmapeek0:' ||
		fail "dmapeek-top uses $lib, not libdmapeek0's library"
}
