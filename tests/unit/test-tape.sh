#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The dmapeek command line without a kernel: every command recorded in the
# lab's guest against the live module (tests/unit/data/tapes/, written by
# the guest test cli_record_tapes_for_host_tests through nl-tape) runs
# again here on the recorded replies, and must print exactly what it
# printed in the guest, on stdout and stderr, with the same exit code.
# Every JSON output must parse back (python3's json) into the type the
# command's schema gives it (an array for lists, an object for show).
#
# Each recording whose command (or batch) uses a verb that has two
# spellings, "dmapeek revoke" and "dmapeek buffer revoke" (the aliases
# "dmapeek help" lists), is played a second time in the other spelling and
# must print the same: the aliases and the verbs are one code path.
top=${abs_top_srcdir:-$(dirname "$0")/../..}
build=${abs_top_builddir:-$top}
tapes=$top/tests/unit/data/tapes
tape_so=$build/tests/unit/.libs/nltape.so
dmapeek=$build/tools/dmapeek

[ -x "$dmapeek" ] || { echo "no $dmapeek: build the tools first"; exit 77; }
[ -f "$tape_so" ] || { echo "no $tape_so"; exit 77; }
ls "$tapes"/*.args >/dev/null 2>&1 || { echo "no tapes in $tapes"; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed to parse the JSON"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# An ASan build (the asan gate) puts its runtime first on its own.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# "time":"2026-12-04T13:50:01.123456+01:00" in JSON, a line's
# "[2026-12-04T13:50:01.123456] " in the text of monitor -t.
mask_walltime() {
	sed -E -e 's/"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+-]+"/"time":"(wall clock)"/g' \
		-e 's/^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\] /[(wall clock)] /'
}

fails=0 runs=0 json=0
for args in "$tapes"/*.args; do
	name=$(basename "$args" .args)
	runs=$((runs + 1))
	# one argument per line, as the guest passed them
	set --
	while IFS= read -r a; do set -- "$@" "$a"; done <"$args"
	stdin=/dev/null
	[ -f "$tapes/$name.stdin" ] && stdin=$tapes/$name.stdin
	rc=0
	NL_TAPE_PLAY=$tapes/$name.tape LD_PRELOAD=$tape_so \
		"$dmapeek" "$@" >"$tmp/out" 2>"$tmp/err" <"$stdin" || rc=$?
	want_rc=$(cat "$tapes/$name.rc")
	if [ "$rc" = 99 ]; then
		echo "FAIL $name: the replay stopped: $(cat "$tmp/err")"
		fails=$((fails + 1))
		continue
	fi
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL $name: exit code $rc, in the guest $want_rc"
		fails=$((fails + 1))
	fi
	# The monitor's wall-clock times come from the clocks of the machine
	# that plays the tape, not the one that recorded it: their values are
	# masked on both sides (their form is checked below and in test-cli).
	mask_walltime <"$tapes/$name.out" >"$tmp/want"
	mask_walltime <"$tmp/out" >"$tmp/got"
	if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
		echo "FAIL $name: stdout differs from the guest's:"
		cat "$tmp/diff"
		fails=$((fails + 1))
	fi
	if ! diff -u "$tapes/$name.err" "$tmp/err" >"$tmp/diff"; then
		echo "FAIL $name: stderr differs from the guest's:"
		cat "$tmp/diff"
		fails=$((fails + 1))
	fi
	# A failing command says why on stderr, and prints nothing else.
	if [ "$want_rc" != 0 ]; then
		if [ -s "$tmp/out" ]; then
			echo "FAIL $name: exit $want_rc with output on stdout: $(head -c 300 "$tmp/out")"
			fails=$((fails + 1))
		fi
		continue
	fi
	case " $* " in
	*" -j "*|*" -jp "*|*" -pj "*)
		json=$((json + 1))
		# monitor prints JSON lines; everything else one document
		if ! python3 - "$tmp/out" "$*" <<-'PY'
		import datetime, json, sys
		text = open(sys.argv[1]).read()
		argv = sys.argv[2].split()
		if "monitor" in argv:
		    docs = [json.loads(l) for l in text.splitlines() if l.strip()]
		    assert docs and all(isinstance(d, dict) for d in docs), "not JSON objects per line"
		    for d in docs:
		        if "timestamp_ns" in d:
		            t = datetime.datetime.fromisoformat(d["time"])
		            assert t.utcoffset() is not None, "time without its UTC offset: %s" % d["time"]
		elif "-b" in argv:
		    docs = [json.loads(l) for l in text.splitlines() if l.strip()]
		    assert docs, "no JSON from the batch"
		else:
		    d = json.loads(text)
		    verbs = [a for a in argv if not a.startswith("-")]
		    if len(verbs) >= 2 and verbs[1] in ("list", "matrix", "dump"):
		        assert isinstance(d, list), "a list is not a JSON array"
		    if len(verbs) >= 2 and verbs[1] == "show":
		        assert isinstance(d, (dict, list)), "show is not an object"
		PY
		then
			echo "FAIL $name: the JSON does not parse back: $(head -c 300 "$tmp/out")"
			fails=$((fails + 1))
		fi
		;;
	esac
done
# The aliases "dmapeek help" lists: "OBJECT ALIAS..." per line.
"$dmapeek" help | sed -n '/^Aliases/,/^Every word/p' | sed '1d;$d' >"$tmp/aliases"
[ -s "$tmp/aliases" ] || { echo "FAIL: dmapeek help lists no aliases"; fails=$((fails + 1)); }

# other_args ARGS_FILE: the command's words in the other spelling, one per
# line, or nothing when it has one spelling only.
other_args() {
	awk -v aliases="$(cat "$tmp/aliases")" '
	BEGIN {
		n = split(aliases, line, "\n")
		for (i = 1; i <= n; i++) {
			k = split(line[i], w, " ")
			for (j = 2; j <= k; j++)
				obj[w[j]] = w[1]
		}
	}
	{ a[NR] = $0 }
	END {
		i = 1
		while (i <= NR && a[i] ~ /^-/)
			i += (a[i] == "-D" || a[i] == "-b" || a[i] == "-batch") ? 2 : 1
		if (i > NR)
			exit
		if (a[i] in obj) {		# "revoke 3": "buffer revoke 3"
			for (j = 1; j <= NR; j++) {
				if (j == i)
					print obj[a[i]]
				print a[j]
			}
		} else if (i < NR && obj[a[i + 1]] == a[i]) {	# the other way
			for (j = 1; j <= NR; j++)
				if (j != i)
					print a[j]
		}
	}' "$1"
}

# other_batch FILE: the batch's lines in the other spelling ("$x = revoke
# $b" and "$x = buffer revoke $b"), or nothing when it has none to change.
# "expect" lines stay: "expect ok" prints their words.
other_batch() {
	old_to_new="" new_to_old=""
	while read -r o words; do
		for a in $words; do
			old_to_new="$old_to_new;s/^((\\\$[A-Za-z0-9_-]+ = )?)$a( |\$)/\\1$o $a\\3/"
			new_to_old="$new_to_old;s/^((\\\$[A-Za-z0-9_-]+ = )?)$o $a( |\$)/\\1$a\\3/"
		done
	done <"$tmp/aliases"
	sed -E "${old_to_new#;}" "$1" >"$tmp/other.batch"
	cmp -s "$1" "$tmp/other.batch" || { cat "$tmp/other.batch"; return; }
	sed -E "${new_to_old#;}" "$1" >"$tmp/other.batch"
	cmp -s "$1" "$tmp/other.batch" || cat "$tmp/other.batch"
}

others=0
for args in "$tapes"/*.args; do
	name=$(basename "$args" .args)
	stdin=/dev/null
	other_args "$args" >"$tmp/args"
	if [ -f "$tapes/$name.stdin" ]; then
		other_batch "$tapes/$name.stdin" >"$tmp/stdin"
		[ -s "$tmp/stdin" ] || continue
		stdin=$tmp/stdin
		cp "$args" "$tmp/args"
	fi
	[ -s "$tmp/args" ] || continue
	others=$((others + 1))
	set --
	while IFS= read -r a; do set -- "$@" "$a"; done <"$tmp/args"
	rc=0
	NL_TAPE_PLAY=$tapes/$name.tape LD_PRELOAD=$tape_so \
		"$dmapeek" "$@" >"$tmp/out" 2>"$tmp/err" <"$stdin" || rc=$?
	if [ "$rc" != "$(cat "$tapes/$name.rc")" ]; then
		echo "FAIL $name as \"dmapeek $*\": exit code $rc, in the guest $(cat "$tapes/$name.rc"): $(head -c 300 "$tmp/err")"
		fails=$((fails + 1))
		continue
	fi
	mask_walltime <"$tapes/$name.out" >"$tmp/want"
	mask_walltime <"$tmp/out" >"$tmp/got"
	if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff" ||
	   ! diff -u "$tapes/$name.err" "$tmp/err" >>"$tmp/diff"; then
		echo "FAIL $name as \"dmapeek $*\": the output differs from the guest's:"
		cat "$tmp/diff"
		fails=$((fails + 1))
	fi
done

echo "$runs recorded commands replayed ($json with JSON), $others again in the other spelling, $fails failures"
[ "$fails" = 0 ]
