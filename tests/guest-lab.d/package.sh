# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034
# (SC2034: the globals set here are tests/guest-lab's.)
#
# guest-lab's package lane (sourced by tests/guest-lab): "tests/guest-lab
# package", and part of "check".
#
#   build      dpkg-buildpackage -us -uc -b in a fresh copy of the tree in
#              the root: libdmapeek0, libdmapeek-dev, dmapeek, dmapeek-dkms
#   lintian    lintian on the .changes, failing on any error or warning
#   install    dpkg -i of the four packages into an overlay of the root
#              (the shared root itself is never changed): the dmapeek-dkms
#              postinst has DKMS run configure and kbuild for the root's
#              kernel and install dmapeek.ko under updates/dkms
#   dev        a program built with libdmapeek-dev's pkg-config file
#   guest      the guest booted on that overlay, running the tests of the
#              command line, the library, the platform and the packaging
#              against the installed files (tests/guest/run --installed)
#
# Each step is a result line "PASS package/<step>" or "FAIL ...".

# The guest tests that run against the installed packages: the packaging's,
# the platform's that load the module, and one path through each installed
# piece (the command, its batch mode, the library's iterators).  The rest
# of the suite runs from the build tree on every topology already; with
# all of cli_ and lib_ here the lane took 37 minutes of a loaded host, too
# much of CI's budget (DMAPEEK_LAB_PKG_TESTS=pkg_,cli_,lib_ restores it).
LAB_PKG_TESTS=${DMAPEEK_LAB_PKG_TESTS:-"pkg_,module_loads,misc_device,abi_version,cli_version_json,cli_export_import_revoke_batch,cli_scenario_revoke_stuck,lib_nested_iterations,top_snapshot_matches_module"}

LAB_PKG_DIR=/lab/pkg-$LAB_ID		# in the root: the copy and the .debs
LAB_PKG_MERGED=""			# the overlay's mount point, while mounted

lab_pkg_result() {
	local step=$1 rc=$2 why=${3:-}
	if [ "$rc" = 0 ]; then
		echo "PASS package/$step"
		LAB_PASS=$((LAB_PASS + 1))
	else
		echo "FAIL package/$step: $why"
		LAB_FAIL=$((LAB_FAIL + 1))
	fi
}

# Build the packages; prints nothing, returns non-zero on failure.
lab_pkg_build() {
	local log="$LAB_LOGS/package-build.log"
	rm -rf "${LAB_ROOT:?}$LAB_PKG_DIR"
	lab_gates_copy "$LAB_PKG_DIR/dmapeek"
	# nocheck: "check" runs the host tests already; noddebs: no -dbgsym
	# packages to build, lint and install; parallel: 2 cores.
	lab_chroot sh -c "cd $LAB_PKG_DIR/dmapeek && \
		DEB_BUILD_OPTIONS='nocheck noddebs parallel=$(nproc)' \
		dpkg-buildpackage -us -uc -b" >"$log" 2>&1
}

# lintian at error and warning level (as an unprivileged user: lintian
# warns when run as root), into $LAB_LOGS/package-lintian.log; its exit
# status in package-lintian.rc.
lab_pkg_lintian() {
	local rc=0
	lab_chroot runuser -u dmapeek-user -- env HOME=/tmp \
		lintian --fail-on error,warning \
		--no-tag-display-limit --display-level '>=warning' \
		"$(cd "$LAB_ROOT$LAB_PKG_DIR" && ls -- *.changes | sed "s@^@$LAB_PKG_DIR/@")" \
		>"$LAB_LOGS/package-lintian.log" 2>&1 || rc=$?
	echo "$rc" >"$LAB_LOGS/package-lintian.rc"
}

# The verdict: prints the tags at error or warning level.
lab_pkg_lintian_result() {
	grep -E '^[EW]: ' "$LAB_LOGS/package-lintian.log" || true
	[ "$(cat "$LAB_LOGS/package-lintian.rc")" = 0 ] &&
		! grep -qE '^[EW]: ' "$LAB_LOGS/package-lintian.log"
}

lab_pkg_umount() {
	[ -n "$LAB_PKG_MERGED" ] || return 0
	lab_umount_root "$LAB_PKG_MERGED"
	umount -l "$LAB_PKG_MERGED" 2>/dev/null || true
	LAB_PKG_MERGED=""
}

# An overlay of the root, fresh each time: the root is its lower layer.
lab_pkg_overlay() {
	local base=$LAB_CACHE/pkgroot-$LAB_ID
	lab_pkg_umount
	umount -l "$base/merged" 2>/dev/null || true
	rm -rf --one-file-system "$base"
	mkdir -p "$base/upper" "$base/work" "$base/merged"
	mount -t overlay overlay \
		-o "lowerdir=$LAB_ROOT,upperdir=$base/upper,workdir=$base/work" \
		"$base/merged" || return 1
	LAB_PKG_MERGED=$base/merged
	lab_mount_root "$LAB_PKG_MERGED"
}

# Run a command in the overlay root.
lab_pkg_chroot() {
	chroot "$LAB_PKG_MERGED" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Install the four packages; DKMS builds the module in dmapeek-dkms's postinst.
lab_pkg_install() {
	local log="$LAB_LOGS/package-install.log" kver
	kver=$(lab_kver)
	# (man-db's trigger would index every page of the root: not wanted)
	lab_pkg_chroot sh -c "echo 'man-db man-db/auto-update boolean false' | \
		debconf-set-selections && \
		dpkg -i $LAB_PKG_DIR/*.deb && dkms status dmapeek" \
		>"$log" 2>&1 || { tail -n 30 "$log"; return 1; }
	grep -F ", $kver, " "$log" | grep -q '^dmapeek/.*: installed' ||
		{ echo "dkms did not install dmapeek for $kver"; tail -n 20 "$log"; return 1; }
	[ -n "$(find "$LAB_PKG_MERGED/lib/modules/$kver/updates/dkms" -name 'dmapeek.ko*')" ] ||
		{ echo "no dmapeek.ko under /lib/modules/$kver/updates/dkms"; return 1; }
}

# libdmapeek-dev: a program built against the installed header, .pc and .so.
lab_pkg_dev() {
	cat >"$LAB_PKG_MERGED/tmp/dev-check.c" <<-'EOF'
	#include <stdio.h>
	#include <dmapeek.h>
	int main(void)
	{
		unsigned int major, minor;

		dmapeek_lib_abi_version(&major, &minor);
		printf("libdmapeek ABI %u.%u\n", major, minor);
		return 0;
	}
	EOF
	lab_pkg_chroot sh -c 'cd /tmp && cc -Wall -Werror -o dev-check dev-check.c \
		$(pkg-config --cflags --libs libdmapeek) && ./dev-check' 2>&1
}

lab_package() {
	local t0=$SECONDS t out rc
	lab_log "package: building the Debian packages"
	if ! lab_pkg_build; then
		lab_pkg_result build 1 "dpkg-buildpackage failed, see $LAB_LOGS/package-build.log"
		grep -E 'error|dpkg-gensymbols|dh_missing' "$LAB_LOGS/package-build.log" |
			head -n 30 | sed 's/^/    /'
		return 0
	fi
	lab_pkg_result build 0
	ls "$LAB_ROOT$LAB_PKG_DIR"/*.deb | sed 's@.*/@    @'
	lab_log "package: built in $((SECONDS - t0)) s; lintian, and installing in an overlay of the root"
	# lintian reads the .debs in the root while they are installed in
	# the overlay: the two run side by side.
	t=$SECONDS
	lab_pkg_lintian &
	local lintian=$!
	rc=0
	lab_pkg_overlay || lab_die "could not mount an overlay of $LAB_ROOT"
	out=$(lab_pkg_install) || rc=$?
	lab_log "package: installed (DKMS build included) in $((SECONDS - t)) s"
	wait "$lintian" || true
	lab_log "package: lintian and install took $((SECONDS - t)) s"
	local lrc=0 lout
	lout=$(lab_pkg_lintian_result) || lrc=$?
	lab_pkg_result lintian "$lrc" "$(echo "$lout" | grep -c .) tags at error or warning level (log: $LAB_LOGS/package-lintian.log)"
	[ "$lrc" = 0 ] || echo "$lout" | head -n 40 | sed 's/^/    /'
	lab_pkg_result install "$rc" "$(echo "$out" | head -n 1) (log: $LAB_LOGS/package-install.log)"
	[ "$rc" = 0 ] || { echo "$out" | tail -n +2 | sed 's/^/    /'; lab_pkg_umount; return 0; }
	rc=0
	out=$(lab_pkg_dev) || rc=$?
	lab_pkg_result dev "$rc" "$(echo "$out" | tail -n 1)"
	[ "$rc" = 0 ] || echo "$out" | sed 's/^/    /'
	# The guest on the overlay: lab_suite boots whatever LAB_ROOT names.
	t=$SECONDS
	local root=$LAB_ROOT
	LAB_ROOT=$LAB_PKG_MERGED
	lab_suite "$LAB_TOPOLOGY" "$(lab_kernel_image)" installed --installed "$LAB_PKG_TESTS"
	LAB_ROOT=$root
	lab_pkg_umount
	lab_log "package: installed-package guest run took $((SECONDS - t)) s; lane $((SECONDS - t0)) s"
}
