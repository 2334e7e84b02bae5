#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The command tables of dmapeek, through the program, without a kernel: a
# bad command line is told (exit 2) before the module is asked anything,
# so each verb can be reached and named by its usage message alone.
#
# - "dmapeek help" and "dmapeek OBJECT help" list every object and verb;
# - every alias "dmapeek VERB" (the spellings of earlier releases, as help
#   lists them) reaches the verb "dmapeek OBJECT VERB": same message, same
#   exit code, on the command line, in a batch file and after "expect fail";
# - prefixes name what dmapeek(8) says they name.
top=${abs_top_srcdir:-$(dirname "$0")/../..}
build=${abs_top_builddir:-$top}
dmapeek=$build/tools/dmapeek

[ -x "$dmapeek" ] || { echo "no $dmapeek: build the tools first"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# run NAME ARGS...: dmapeek ARGS, stdout in $tmp/NAME.out, stderr in
# $tmp/NAME.err, exit code in $tmp/NAME.rc.
run() {
	name=$1
	shift
	rc=0
	"$dmapeek" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null || rc=$?
	echo "$rc" >"$tmp/$name.rc"
}

# same WHAT A B: runs A and B gave the same output and exit code.
same() {
	checks=$((checks + 1))
	for x in out err rc; do
		cmp -s "$tmp/$2.$x" "$tmp/$3.$x" ||
			fail "$1: $x differs: $(head -c 200 "$tmp/$2.$x") / $(head -c 200 "$tmp/$3.$x")"
	done
}

# want_rc WHAT NAME RC
want_rc() {
	checks=$((checks + 1))
	[ "$(cat "$tmp/$2.rc")" = "$3" ] ||
		fail "$1: exit $(cat "$tmp/$2.rc"), want $3: $(head -c 200 "$tmp/$2.err")"
}

# want_err WHAT NAME TEXT: stderr has TEXT.
want_err() {
	checks=$((checks + 1))
	grep -qF -- "$3" "$tmp/$2.err" || fail "$1: no \"$3\" in: $(head -c 300 "$tmp/$2.err")"
}

run help help
want_rc "dmapeek help" help 0
# One line per object: a line that wraps goes on under its first verb.
join_wrapped() {
	awk '/^       [^ ]/ { if (l != "") print l; l = $0; next }
	     { sub(/^ +/, " "); l = l $0 }
	     END { if (l != "") print l }'
}
# "       buffer     show list ..." under "The verbs of each object"
sed -n '/^The verbs of each object/,/^The commands/p' "$tmp/help.out" |
	sed '1d;$d' | join_wrapped >"$tmp/verbs"
# "       buffer     export move ..." under "Aliases"
sed -n '/^Aliases/,/^Every word/p' "$tmp/help.out" | sed '1d;$d' | join_wrapped >"$tmp/aliases"
[ -s "$tmp/verbs" ] || fail "dmapeek help lists no verbs"
[ "$(wc -l <"$tmp/aliases")" -ge 3 ] || fail "dmapeek help lists no aliases"

# Every object's help shows each of its verbs, and its verbs are those help lists.
while read -r obj verbs; do
	run "help-$obj" "$obj" help
	want_rc "dmapeek $obj help" "help-$obj" 0
	run "help2-$obj" help "$obj"
	same "dmapeek help $obj" "help-$obj" "help2-$obj"
	for v in $verbs; do
		checks=$((checks + 1))
		grep -q "^ *\(Usage: \)\?dmapeek $obj $v\( \|$\)" "$tmp/help-$obj.out" ||
			fail "dmapeek $obj help does not show \"$v\""
	done
done <"$tmp/verbs"

# Each alias is its object's verb: without arguments both are usage errors
# that name the verb in the new grammar.
while read -r obj aliases; do
	for a in $aliases; do
		checks=$((checks + 1))
		grep -q "^ *$obj .* $a\( \|$\)" "$tmp/verbs" ||
			fail "alias $a: \"$obj\" has no verb $a"
		run "old-$a" "$a"
		run "new-$a" "$obj" "$a"
		want_rc "dmapeek $a" "old-$a" 2
		want_err "dmapeek $a" "old-$a" "usage: dmapeek $obj $a"
		same "dmapeek $a is dmapeek $obj $a" "old-$a" "new-$a"
		# in a batch file, and after "expect fail"
		printf '%s\n' "$a" >"$tmp/old.batch"
		printf '%s %s\n' "$obj" "$a" >"$tmp/new.batch"
		run "bold-$a" -b "$tmp/old.batch"
		run "bnew-$a" -b "$tmp/new.batch"
		want_err "batch line \"$a\"" "bold-$a" "old.batch:1: usage: dmapeek $obj $a"
		sed "s/new.batch/old.batch/" "$tmp/bnew-$a.err" >"$tmp/bnew2-$a.err"
		cp "$tmp/bnew-$a.out" "$tmp/bnew2-$a.out"
		cp "$tmp/bnew-$a.rc" "$tmp/bnew2-$a.rc"
		same "batch line \"$a\" is \"$obj $a\"" "bold-$a" "bnew2-$a"
		run "xold-$a" expect fail "$a"
		run "xnew-$a" expect fail "$obj" "$a"
		same "expect fail $a" "xold-$a" "xnew-$a"
		want_rc "expect fail $a" "xold-$a" 2
	done
done <"$tmp/aliases"

# Prefixes, as dmapeek(8) orders the tables: the first row a prefix starts.
while IFS='|' read -r short long; do
	# shellcheck disable=SC2086
	run short $short
	# shellcheck disable=SC2086
	run long $long
	same "\"$short\" is \"$long\"" short long
done <<-'EOF'
	buf exp|buffer export
	b e|buffer export
	e|buffer export
	exp|buffer export
	att imp|attachment import
	a i|attachment import
	att d|attachment detach
	att dm|attachment dma
	att au|attachment audit
	au|mapping audit
	map|attachment map
	ma a|mapping audit
	mo count x|monitor count x
	mov|buffer move
	re|buffer revoke
	res|buffer restore
	buf re|buffer revoke
	buf res|buffer restore
	buf a x|buffer all x
	buf att|buffer attachments
	buf att fd x|buffer attachments fd x
	st bogus|stats bogus
	buf a di x|buffer all diff x
	b a --diff=x|buffer all diff x
	buffer all wat 0|buffer all watch 0
EOF

# A bad command line is a usage error in both spellings.
while read -r args; do
	# shellcheck disable=SC2086
	run bad $args
	want_rc "dmapeek $args" bad 2
done <<-'EOF'
	frobnicate
	buffer frobnicate
	buffer show notanumber
	buffer list model bogus
	buffer export provider x size 4K
	export provider x size 4K
	buffer revoke 3 timeout
	revoke 3 timeout
	buffer move 3 provider
	attachment dma read 3
	buffer attachments
	buffer attachments fd
	buffer attachments fd x
	buffer attachments fd 12:
	buffer attachments fd 0:3
	buffer attachments fd 0x3
	buffer attachments 3
	dma read 3
	attachment import buffer 1 device 2 colour red
	mapping audit x
	expect buffer 3
	p2p show 0000:00:03.0
	monitor count x
	monitor --all count x
	monitor --all bogus 1
	monitor --all exporter
	monitor --all type exprot
	monitor --all pid notapid
	stats format openmetrics
	buffer all diff
	buffer all diff 0
	buffer all diff 1d
	buffer all diff 1 watch 1
	buffer all count 3
	buffer all frobnicate
	stats --format
	help frobnicate
EOF
# monitor --all's filters: fields of either kind of event, each value
# read as the field's kind wants it
run all monitor --all bogus 1
want_err "monitor --all, unknown field" all 'monitor --all: unknown field "bogus"'
run all monitor --all type exprot
want_err "monitor --all, a type neither kind has" all 'bad type "exprot"'
run att buffer attachments
want_err "buffer attachments without fd" att 'usage: dmapeek buffer attachments fd FD|PID:FD'
run att buffer attachments fd 12:
want_err "buffer attachments of a bad PID:FD" att 'bad fd "12:" (FD or PID:FD)'
run frob buffer frobnicate
want_err "unknown verb" frob 'unknown buffer command "frobnicate", try "dmapeek help"'
run frob frobnicate
want_err "unknown object" frob 'unknown object "frobnicate", try "dmapeek help"'
run interval buffer all diff 0.01
want_err "leak hunting's interval" interval 'bad interval "0.01" (seconds, 0.1 to 86400)'
run both buffer all diff 1 watch 1
want_err "diff or watch" both 'usage: dmapeek buffer all [diff SECONDS | watch SECONDS [count N]]'

echo "$checks checks of the command tables, $fails failures"
[ "$fails" = 0 ]
