# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034
# (SC2034: the globals set here are tests/guest-lab's.)
#
# guest-lab's quality gates (sourced by tests/guest-lab).
#
# The checks a kernel maintainer runs before reading a patch, each one a
# result line "PASS gates/<name>" or "FAIL gates/<name>: <why>" with the
# findings indented below it, counted with the other results.  Every gate
# runs inside the cached root on the tree's copy there ($LAB_SRC) or on a
# scratch copy of it, so the normal build is never disturbed:
#
#   checkpatch     scripts/checkpatch.pl --strict --no-tree on kmod/*.[ch]
#                  and the uapi headers; exceptions live in .checkpatch.conf
#   kernel-w1      the module built with W=1, no warning
#   sparse         the module built with C=2 CHECK=sparse, no warning
#   kernel-doc     scripts/kernel-doc -none -Wall on kmod/ and the uapi
#                  header, no warning
#   user-warnings  a clean user-space build (--disable-werror, so every
#                  warning shows, not only the first) with no "warning:"
#   cppcheck       cppcheck on libdmapeek/ tools/ tests/ (checks below)
#   asan           host unit tests in a second copy configured with
#                  --enable-sanitizers (ASan + UBSan), no report
#   valgrind       memcheck on the CLI's host-side paths and the host
#                  unit-test binaries
#   mandoc         mandoc -T lint -W warning on man/*.[0-9] (SKIP if none)
#   production     dmapeek.ko as DKMS builds it for the packages: the tree
#                  "make dkms-source" installs, configured with dkms.conf's
#                  own PRE_BUILD line and built with its MAKE: no warning,
#                  no debug knob (no --enable-debug-knobs define, none of the
#                  debug parameters or objects, no BENCH_MAP handler), and
#                  the installed uapi header without the debug ioctls
#
# checkpatch.pl and kernel-doc come from the root's linux-source tarball:
# only scripts/ and what kernel-doc imports (tools/docs, tools/lib/python)
# are extracted, once per tarball, into the root's /lab/kscripts-<kernel>.

LAB_GATES="checkpatch kernel-w1 sparse kernel-doc user-warnings cppcheck asan valgrind mandoc production"

# The kernel files the kernel gates look at (relative to the tree): the
# tree's own, not build products such as kmod/dmapeek.mod.c.
lab_gates_kfiles() {
	git -C "$LAB_TOP" ls-files -co --exclude-standard -- 'kmod/*.[ch]' \
		include/uapi/linux/dmapeek.h include/uapi/linux/dmapeek-debug.h
}

# Extract checkpatch.pl and kernel-doc (with what they need) from the
# linux-source tarball, once per tarball.  Prints the directory (in the
# root) that holds scripts/.
lab_gates_kscripts() {
	local tarball=/usr/src/linux-source-$LAB_KERNEL.tar.xz key dir
	[ -f "$LAB_ROOT$tarball" ] || lab_die "no $tarball in the root"
	key=$(stat -c '%s %Y' "$LAB_ROOT$tarball" | sha256sum | cut -c1-12)
	dir=/lab/kscripts-$LAB_KERNEL-$key
	if [ ! -f "$LAB_ROOT$dir/.ready" ]; then
		lab_log "extracting checkpatch.pl and kernel-doc from $tarball"
		rm -rf "${LAB_ROOT:?}$dir" "$LAB_ROOT"/lab/kscripts-"$LAB_KERNEL"-*
		mkdir -p "$LAB_ROOT$dir"
		lab_chroot tar -xJf "$tarball" -C "$dir" --strip-components=1 \
			--wildcards '*/scripts/*' '*/tools/docs/*' '*/tools/lib/python/*' \
			>&2 || lab_die "could not extract the kernel scripts"
		touch "$LAB_ROOT$dir/.ready"
	fi
	echo "$dir"
}

# A scratch directory in the root for one gate, emptied first.
lab_gates_scratch() {
	local d=/lab/gates-$LAB_ID/$1
	rm -rf "${LAB_ROOT:?}$d"
	mkdir -p "$LAB_ROOT$d"
	echo "$d"
}

# Copy the work tree to DIR in the root (like lab_sync_tree), for the gates
# that need their own configured copy.
lab_gates_copy() {
	lab_copy_tree "$LAB_ROOT$1"
}

# Configure the copy at DIR with ARGS unless it already is (a hash of the
# build system and the arguments).
lab_gates_configure() {
	local dir=$1 args=$2 sum stamp
	# (from the work tree: the copy also holds autogen's own m4 files)
	sum=$( (cd "$LAB_TOP" && git ls-files -z configure.ac Makefile.am config |
		xargs -0 cat; echo "$args") | sha256sum | cut -c1-16)
	stamp="$LAB_ROOT$dir/.lab-configured"
	[ "$(cat "$stamp" 2>/dev/null)" = "$sum" ] && return 0
	lab_chroot sh -c "cd $dir && ./autogen.sh && ./configure --prefix=/usr $args" \
		>"$LAB_LOGS/gates-configure-$(basename "$dir").log" 2>&1 || {
		echo "configure failed, see $LAB_LOGS/gates-configure-$(basename "$dir").log"
		return 1
	}
	echo "$sum" >"$stamp"
}

# ------------------------------------------------------------------ the gates
# Each prints its findings (the first line says why it failed) and returns
# 0 (clean), 77 (skipped; the last line is the reason) or anything else.

lab_gate_checkpatch() {
	local ks out
	ks=$(lab_gates_kscripts)
	# .checkpatch.conf at the top of the tree holds the options and every
	# --ignore with its reason; checkpatch reads it from the current dir.
	# Its "# exclude: FILE -- reason" lines (comments to checkpatch) name
	# files this gate leaves out.
	local files excl
	excl=$(sed -n 's/^# exclude: \([^ ]*\).*/\1/p' "$LAB_TOP/.checkpatch.conf" 2>/dev/null)
	files=$(lab_gates_kfiles | grep -vxF -e "${excl:-/nonexistent}" | tr '\n' ' ')
	out=$(lab_chroot sh -c "cd $LAB_SRC && perl $ks/scripts/checkpatch.pl \
		--terse --no-summary --show-types -f $files" 2>&1) || true
	out=$(echo "$out" | grep -E ': (ERROR|WARNING|CHECK):' || true)
	[ -z "$out" ] && return 0
	echo "$(echo "$out" | wc -l) findings"
	echo "$out"
	return 1
}

# Build a scratch copy of the module with extra make arguments; prints the
# warnings (and errors) of that build.
lab_gates_kbuild() {
	local name=$1 kver dir log rc=0
	shift
	kver=$(lab_kver)
	dir=$(lab_gates_scratch "$name")
	cp -a "$LAB_ROOT$LAB_SRC"/kmod/*.[ch] "$LAB_ROOT$LAB_SRC"/kmod/Kbuild "$LAB_ROOT$dir/"
	log="$LAB_LOGS/gates-$name.log"
	lab_chroot make -C "/lib/modules/$kver/build" M="$dir" "$@" modules \
		>"$log" 2>&1 || rc=$?
	local found
	found=$(grep -E '(warning|error):' "$log" |
		sed -e "s@$dir/@kmod/@g" -e 's@^\([A-Za-z0-9_.-]*\.[ch]:\)@kmod/\1@' || true)
	if [ "$rc" != 0 ] && [ -z "$found" ]; then
		echo "the build failed, see $log"
		tail -n 20 "$log"
		return 1
	fi
	[ -z "$found" ] && return 0
	echo "$(echo "$found" | wc -l) warnings (log: $log)"
	echo "$found"
	return 1
}

lab_gate_kernel_w1() { lab_gates_kbuild kernel-w1 W=1; }

# trixie's sparse (0.6.4) predates two things 7.x headers use, and cannot
# parse them: __typeof_unqual__ (READ_ONCE(), list.h, ...) and
# __builtin_strlen() in a constant expression (MODULE_INFO()'s
# static_assert).  They are mapped to what it knows, for sparse only, until
# Debian ships a sparse that has them (upstream git does).  Debian's headers
# package also lacks scripts/checker-valid.sh, without which kbuild says
# "sparse is not available" and silently skips C=2: the gate validates the
# checker with linux-source's checker-valid.sh itself, then forces
# KBUILD_CHECKSRC, and fails if sparse did not run on every file.
LAB_GATES_SPARSE="sparse -D__typeof_unqual__=__typeof__ '-D__builtin_strlen(s)=(sizeof(s)-1)'"
lab_gate_sparse() {
	local ks valid n f files=0
	ks=$(lab_gates_kscripts)
	valid=$(lab_chroot sh -c "sh $ks/scripts/checker-valid.sh $LAB_GATES_SPARSE \
		--arch=x86_64 -mlittle-endian -m64" 2>&1) || true
	if [ "$valid" != 1 ]; then
		echo "sparse cannot check this kernel's code ($LAB_GATES_SPARSE)"
		echo "$valid"
		return 1
	fi
	lab_gates_kbuild sparse C=2 "CHECK=$LAB_GATES_SPARSE" KBUILD_CHECKSRC=2 || return 1
	n=$(grep -c '^  CHECK ' "$LAB_LOGS/gates-sparse.log" || true)
	for f in $(lab_gates_kfiles); do
		case $f in kmod/*.c) files=$((files + 1)) ;; esac
	done
	if [ "$n" -lt "$files" ]; then
		echo "sparse ran on $n files only, see $LAB_LOGS/gates-sparse.log"
		return 1
	fi
}

lab_gate_kernel_doc() {
	local ks out
	ks=$(lab_gates_kscripts)
	out=$(lab_chroot sh -c "cd $LAB_SRC && python3 $ks/scripts/kernel-doc -none -Wall \
		$(lab_gates_kfiles | tr '\n' ' ')" 2>&1 | awk '!seen[$0]++') || true
	[ -z "$out" ] && return 0
	echo "$(echo "$out" | wc -l) warnings"
	echo "$out"
	return 1
}

# With -Werror the normal build stops at the first warning and an
# incremental build shows only what it recompiled: this gate builds all of
# user space afresh in its own copy without -Werror and greps the log.
lab_gate_user_warnings() {
	local dir=/lab/gates-$LAB_ID/user-src log="$LAB_LOGS/gates-user-warnings.log" found
	lab_gates_copy "$dir"
	lab_gates_configure "$dir" "--with-config=user --disable-werror" || return 1
	if ! lab_chroot sh -c "cd $dir && make clean >/dev/null && make -j$(nproc) && \
		make -j$(nproc) guest-progs" >"$log" 2>&1; then
		echo "the user-space build failed, see $log"
		grep -E 'error' "$log" | head -n 20
		return 1
	fi
	found=$(grep -E 'warning:' "$log" | sed "s@$dir/@@g" || true)
	[ -z "$found" ] && return 0
	echo "$(echo "$found" | wc -l) warnings (log: $log)"
	echo "$found"
	return 1
}

# cppcheck's checks, and why these:
#   error (always on)  undefined behaviour: null/uninitialised use, leaks,
#                      out-of-bounds, use after free, bad free
#   warning            likely bugs: wrong printf arguments, suspicious
#                      sizeof, unchecked realloc, ignored return values
#   portability        code whose meaning differs by ABI (pointer/integer
#                      casts, 64-bit shifts, assumptions on sizeof)
#   performance        passing big structs by value and the like, cheap to
#                      fix in a library's hot path
# Not enabled: "style" (taste, it would argue with the kernel's style the
# tree follows) and "information" (noise about system headers it does not
# read).  --check-level=exhaustive: the files are small, and the normal
# level stops following branches and says so.  A finding that is wrong is suppressed at the line with a
# "// cppcheck-suppress <id>" comment saying why (--inline-suppr).
lab_gate_cppcheck() {
	local out rc=0 files
	files=$(git -C "$LAB_TOP" ls-files -co --exclude-standard -- libdmapeek tools tests |
		grep -E '\.[ch]$' | tr '\n' ' ')
	out=$(lab_chroot sh -c "cd $LAB_SRC && cppcheck --quiet \
		--enable=warning,portability,performance --inline-suppr \
		--check-level=exhaustive \
		--error-exitcode=1 --std=c11 -D_GNU_SOURCE -D__linux__ -D__x86_64__ \
		-Iinclude/uapi -Ilibdmapeek -I. \
		--template='{file}:{line}: {severity}: {id}: {message}' \
		$files" 2>&1) || rc=$?
	[ "$rc" = 0 ] && [ -z "$out" ] && return 0
	echo "$(echo "$out" | grep -c ': ') findings"
	echo "$out"
	return 1
}

# The host unit tests in their own copy built with ASan + UBSan.  Any
# sanitizer report fails the test that hit it (-fno-sanitize-recover), and
# the logs are grepped as well in case a report went past a forked child.
lab_gate_asan() {
	local dir=$LAB_SRC-asan log="$LAB_LOGS/gates-asan.log" rc=0 found
	lab_gates_copy "$dir"
	lab_gates_configure "$dir" "--with-config=user --enable-sanitizers" || return 1
	lab_chroot sh -c "cd $dir && rm -f tests/unit/*.log tests/unit/*.trs && \
		make -j$(nproc) check" >"$log" 2>&1 || rc=$?
	found=$(cat "$log" "$LAB_ROOT$dir"/tests/unit/*.log 2>/dev/null |
		grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: .*Sanitizer' |
		sort -u || true)
	if [ "$rc" != 0 ] || [ -n "$found" ]; then
		echo "make check under ASan+UBSan failed (log: $log, test logs in $dir/tests/unit)"
		[ -n "$found" ] && echo "$found"
		grep -E '^(FAIL|ERROR):' "$log" || true
		[ -z "$found" ] && tail -n 20 "$log"
		return 1
	fi
	grep -q '^PASS:' "$log" || { echo "no unit test ran (log: $log)"; return 1; }
	return 0
}

# memcheck on what the CLI does without a kernel (version, help, argument
# errors, the "module not loaded" path) and on the host unit tests (Check's
# fork mode off, so the test bodies run under valgrind too).  valgrind's
# own error exit is 125 so a command's expected non-zero exit (a bad
# argument) is not mistaken for a finding.
LAB_GATES_VALGRIND_CMDS=(
	"tools/dmapeek -V"
	"tools/dmapeek -h"
	"tools/dmapeek help"
	"tools/dmapeek"
	"tools/dmapeek --no-such-option"
	"tools/dmapeek no-such-command"
	"tools/dmapeek buffer show"
)
lab_gate_valgrind() {
	local log="$LAB_LOGS/gates-valgrind.log" c t rc bad=0 cmds=()
	cmds=("${LAB_GATES_VALGRIND_CMDS[@]}")
	for t in $(cd "$LAB_ROOT$LAB_SRC" && ls tests/unit/test-* 2>/dev/null); do
		# the Check programs; the shell tests would only check the shell
		case $t in *.c|*.o|*.log|*.trs|*.sh) continue ;; esac
		[ -x "$LAB_ROOT$LAB_SRC/$t" ] && cmds+=("$t")
	done
	: >"$log"
	for c in "${cmds[@]}"; do
		rc=0
		lab_chroot sh -c "cd $LAB_SRC && CK_FORK=no ./libtool --mode=execute \
			valgrind -q --error-exitcode=125 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect,possible \
			--show-leak-kinds=definite,indirect,possible $c" \
			>"$LAB_LOGS/gates-valgrind.out" 2>&1 || rc=$?
		{ echo "=== $c (exit $rc)"; cat "$LAB_LOGS/gates-valgrind.out"; } >>"$log"
		if [ "$rc" = 125 ] || grep -q '^==[0-9]*== ' "$LAB_LOGS/gates-valgrind.out"; then
			[ "$bad" = 0 ] && echo "memcheck reports (log: $log)"
			bad=1
			echo "$c:"
			grep '^==[0-9]*== ' "$LAB_LOGS/gates-valgrind.out" | head -n 30 | sed 's/^/  /'
		fi
	done
	return $bad
}

lab_gate_mandoc() {
	local pages out
	# (from the work tree: a file deleted there lingers in the root's copy)
	pages=$(git -C "$LAB_TOP" ls-files -co --exclude-standard -- 'man/*.[0-9]')
	if [ -z "$pages" ]; then
		echo "no man pages (man/*.[0-9]) yet"
		return 77
	fi
	out=$(lab_chroot sh -c "cd $LAB_SRC && mandoc -T lint -W warning $(echo "$pages" | tr '\n' ' ')" 2>&1) || true
	[ -z "$out" ] && return 0
	echo "$(echo "$out" | wc -l) findings"
	echo "$out"
	return 1
}

# The module users load, built the way the package lane's DKMS builds it
# (the lab's own build has the debug knobs; see lab_build).  The copy is
# configured for user space only: dkms.conf's configure does the kernel
# side, in the DKMS tree, as dkms would.
LAB_GATES_DEBUG_PARMS="audit_bar_provider audit_bar_ranges debug_invalidate mmio_bar_providers"
lab_gate_production() {
	local dir=/lab/gates-$LAB_ID/production-src dest=/lab/gates-$LAB_ID/production-dest
	local log="$LAB_LOGS/gates-production.log" kver tree found p bad=""
	# (nothing leaves this function early on a finding: all are listed)
	kver=$(lab_kver)
	lab_gates_copy "$dir"
	lab_gates_configure "$dir" "--with-config=user --disable-werror" || return 1
	rm -rf "${LAB_ROOT:?}$dest"
	if ! lab_chroot sh -c "cd $dir && make dkms-source DESTDIR=$dest && \
		make install-uapiHEADERS DESTDIR=$dest" >"$log" 2>&1; then
		echo "make dkms-source failed, see $log"
		tail -n 20 "$log"
		return 1
	fi
	tree=$(cd "$LAB_ROOT$dest/usr/src" && ls -d dmapeek-* | head -n 1)
	[ -n "$tree" ] || { echo "no /usr/src/dmapeek-* from make dkms-source"; return 1; }
	tree=$dest/usr/src/$tree
	# dkms sources dkms.conf with these set, runs PRE_BUILD in the tree,
	# then MAKE[0] with KERNELRELEASE.
	if ! lab_chroot bash -c "cd $tree && kernelver=$kver && \
		kernel_source_dir=/lib/modules/$kver/build && . ./dkms.conf && \
		./\$PRE_BUILD && \${MAKE[0]} -j$(nproc) KERNELRELEASE=$kver" >>"$log" 2>&1; then
		echo "the DKMS-style build failed, see $log"
		grep -E 'error' "$log" | head -n 20
		return 1
	fi
	found=$(grep -E '(warning|error):' "$log" || true)
	[ -z "$found" ] || bad="$bad
warnings in the build (log: $log):
$found"
	grep -q '^#define DMAPEEK_DEBUG_KNOBS' "$LAB_ROOT$tree/dmapeek_config.h" &&
		bad="$bad
dmapeek_config.h defines DMAPEEK_DEBUG_KNOBS"
	found=$(lab_chroot modinfo -F parm "$tree/kmod/dmapeek.ko")
	for p in $LAB_GATES_DEBUG_PARMS; do
		grep -q "^$p:" <<<"$found" && bad="$bad
dmapeek.ko has the parameter $p"
	done
	found=$(ls "$LAB_ROOT$tree"/kmod/dmapeek_debug.* "$LAB_ROOT$tree"/kmod/dmapeek_bench.* \
		2>/dev/null | grep -v '/dmapeek_debug\.h$' | sed "s@^$LAB_ROOT$tree/@@" || true)
	[ -z "$found" ] || bad="$bad
the DKMS tree has debug sources or objects: $(echo "$found" | tr '\n' ' ')"
	found=$(lab_chroot nm "$tree/kmod/dmapeek.ko" |
		grep -E ' (dmapeek_ioc_bench_map|dmapeek_debug_[a-z_]*|dmapeek_bench_[a-z_]*)$' || true)
	[ -z "$found" ] || bad="$bad
dmapeek.ko has debug code: $(echo "$found" | awk '{ print $NF }' | tr '\n' ' ')"
	found=$(grep -lE 'dmapeek_bench_map|DMAPEEK_IOC_BENCH_MAP\>' \
		"$LAB_ROOT$dest"/usr/include/linux/* 2>/dev/null || true)
	[ -z "$found" ] || bad="$bad
the installed uapi headers have the debug ioctls: $(echo "$found" | sed "s@^$LAB_ROOT@@" | tr '\n' ' ')"
	[ ! -e "$LAB_ROOT$dest/usr/include/linux/dmapeek-debug.h" ] || bad="$bad
make install installs linux/dmapeek-debug.h"
	[ -z "$bad" ] && return 0
	echo "the production module or its headers have debug parts${bad}"
	return 1
}

# ---------------------------------------------------------------- the runner

# Run one gate and print its result line.
lab_gate() {
	local name=$1 fn out rc=0
	fn=lab_gate_${name//-/_}
	declare -F "$fn" >/dev/null || lab_die "unknown gate '$name' (gates: $LAB_GATES)"
	lab_log "gate $name"
	out=$("$fn") || rc=$?
	[ "$rc" != 0 ] && [ -z "$out" ] && out="the gate itself failed (exit $rc)"
	echo "$out" >"$LAB_LOGS/gates-$name.result"
	echo "$rc" >"$LAB_LOGS/gates-$name.rc"
	case $rc in
	0)
		echo "PASS gates/$name"
		LAB_PASS=$((LAB_PASS + 1))
		;;
	77)
		echo "SKIP gates/$name: $(echo "$out" | tail -n 1)"
		LAB_SKIP=$((LAB_SKIP + 1))
		;;
	*)
		echo "FAIL gates/$name: $(echo "$out" | head -n 1)"
		echo "$out" | tail -n +2 | head -n 60 | sed 's/^/    /'
		[ "$(echo "$out" | wc -l)" -gt 61 ] &&
			echo "    ... (all of it in $LAB_LOGS/gates-$name.result)"
		LAB_FAIL=$((LAB_FAIL + 1))
		;;
	esac
	return 0
}

# Run the named gates, or all of them.  Expects a built tree (lab_build).
lab_gates() {
	local g
	# shellcheck disable=SC2068 # (split on purpose: "all" is one word)
	for g in ${@:-$LAB_GATES}; do lab_gate "$g"; done
}
