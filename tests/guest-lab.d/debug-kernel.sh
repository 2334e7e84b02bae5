# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034
# (SC2034: the globals set here are tests/guest-lab's.)
#
# guest-lab's debug kernel lane (sourced by tests/guest-lab).
#
# Builds, once and cached under $LAB_CACHE, a kernel from the root's
# linux-source-$LAB_KERNEL tarball with KASAN, lockdep (PROVE_LOCKING),
# kmemleak, DMA-API debugging and DMABUF_DEBUG, builds dmapeek against that
# tree and boots it with the same guest suite.  The tree lives outside the
# work tree, in $LAB_CACHE/debug-kernel-<key>, and is bind-mounted into the
# root at /lab/linux-debug-<key> while a lab run uses it; the key is a hash
# of the config fragment below, the source package's version, the root's
# compiler and a recipe number, so changing any of them builds a new tree.
#
# The config is deliberately small (defconfig + kvm_guest.config + the
# fragment, minus subsystems the lab never touches): the build takes tens of
# minutes on two cores and every extra driver also costs boot time under
# QEMU's software emulation, where KASAN and lockdep are slow already.
# Everything the guest needs is built in: the root's /lib/modules belong to
# Debian's kernel and do not load into this one.

# Bump when the recipe changes in a way the fragment does not show.
LAB_DEBUG_RECIPE=1
# Guest time limit (boot + suite) unless DMAPEEK_LAB_TIMEOUT says otherwise.
LAB_DEBUG_TIMEOUT=5400
LAB_DEBUG_DIR=""	# $LAB_CACHE/debug-kernel-<key>
LAB_DEBUG_MNT=""	# /lab/linux-debug-<key>, inside the root
LAB_DEBUG_IMAGE=""	# the bzImage, inside the root

# The config fragment, applied after "make defconfig kvm_guest.config".
# Every line must hold in the final .config (lab_debug_verify_config): a
# Kconfig dependency that is not met makes olddefconfig drop an option
# silently, and the lane would then test less than it claims.
lab_debug_fragment() {
	cat <<-'EOF'
	# dmapeek guest-lab debug kernel (tests/guest-lab.d/debug-kernel.sh)
	CONFIG_LOCALVERSION="-dmapeek-debug"
	# CONFIG_LOCALVERSION_AUTO is not set
	# CONFIG_WERROR is not set
	CONFIG_DEBUG_INFO_NONE=y
	CONFIG_IKCONFIG=y
	CONFIG_IKCONFIG_PROC=y
	CONFIG_MODULES=y
	CONFIG_MODULE_UNLOAD=y
	# CONFIG_MODULE_SIG is not set

	# What dmapeek works with.
	CONFIG_PCI=y
	CONFIG_PCI_MSI=y
	CONFIG_PCIEPORTBUS=y
	CONFIG_MEMORY_HOTPLUG=y
	CONFIG_MEMORY_HOTREMOVE=y
	CONFIG_ZONE_DEVICE=y
	CONFIG_PCI_P2PDMA=y
	CONFIG_DMA_SHARED_BUFFER=y
	CONFIG_UDMABUF=y
	CONFIG_DMABUF_HEAPS=y
	CONFIG_DMABUF_HEAPS_SYSTEM=y
	CONFIG_IOMMU_SUPPORT=y
	CONFIG_IOMMU_DMA=y
	CONFIG_INTEL_IOMMU=y
	CONFIG_INTEL_IOMMU_DEFAULT_ON=y
	CONFIG_DEBUG_FS=y

	# What virtme-ng needs: root on 9p, overlays, serial and virtio consoles.
	CONFIG_VIRTIO=y
	CONFIG_VIRTIO_PCI=y
	CONFIG_VIRTIO_CONSOLE=y
	CONFIG_NET=y
	CONFIG_UNIX=y
	CONFIG_NET_9P=y
	CONFIG_NET_9P_VIRTIO=y
	CONFIG_9P_FS=y
	CONFIG_9P_FS_POSIX_ACL=y
	CONFIG_OVERLAY_FS=y
	CONFIG_TMPFS=y
	CONFIG_TMPFS_POSIX_ACL=y
	CONFIG_DEVTMPFS=y
	CONFIG_BLK_DEV_INITRD=y
	CONFIG_BINFMT_SCRIPT=y
	CONFIG_INOTIFY_USER=y
	CONFIG_SERIAL_8250=y
	CONFIG_SERIAL_8250_CONSOLE=y

	# The debug options the lane exists for.
	CONFIG_DEBUG_KERNEL=y
	CONFIG_KASAN=y
	CONFIG_KASAN_GENERIC=y
	CONFIG_KASAN_INLINE=y
	CONFIG_STACKTRACE=y
	CONFIG_LOCKDEP=y
	CONFIG_PROVE_LOCKING=y
	CONFIG_DEBUG_WW_MUTEX_SLOWPATH=y
	CONFIG_DEBUG_ATOMIC_SLEEP=y
	CONFIG_DEBUG_KMEMLEAK=y
	CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=40000
	# CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF is not set
	# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set
	CONFIG_DMA_API_DEBUG=y
	CONFIG_DMABUF_DEBUG=y
	# Allocation failures on demand (the fault-injection campaign): slab
	# and page allocations of one task (/proc/PID/make-it-fail) fail at
	# random, configured through debugfs.
	CONFIG_FAULT_INJECTION=y
	CONFIG_FAILSLAB=y
	CONFIG_FAIL_PAGE_ALLOC=y
	CONFIG_FAULT_INJECTION_DEBUG_FS=y
	# A wait a user started that nobody can end shows up here.
	CONFIG_DETECT_HUNG_TASK=y
	CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=60
	CONFIG_BOOTPARAM_HUNG_TASK_PANIC=0

	# Left out for build and boot time: nothing in the lab uses them.
	# CONFIG_DRM is not set
	# CONFIG_AGP is not set
	# CONFIG_SOUND is not set
	# CONFIG_USB_SUPPORT is not set
	# CONFIG_HID_SUPPORT is not set
	# CONFIG_WIRELESS is not set
	# CONFIG_CFG80211 is not set
	# CONFIG_RFKILL is not set
	# CONFIG_WLAN is not set
	# CONFIG_ETHERNET is not set
	# CONFIG_NETFILTER is not set
	# CONFIG_IPV6 is not set
	# CONFIG_NFS_FS is not set
	# CONFIG_PCCARD is not set
	# CONFIG_ATA is not set
	# CONFIG_MD is not set
	# CONFIG_SECURITY_SELINUX is not set
	# CONFIG_HIBERNATION is not set
	EOF
}

lab_debug_tarball() { echo "/usr/src/linux-source-$LAB_KERNEL.tar.xz"; }

lab_debug_key() {
	{
		echo "recipe $LAB_DEBUG_RECIPE kernel $LAB_KERNEL"
		lab_debug_fragment
		# shellcheck disable=SC2016
		chroot "$LAB_ROOT" dpkg-query -W -f '${Version}\n' "linux-source-$LAB_KERNEL"
		chroot "$LAB_ROOT" gcc -dumpfullversion
	} | sha256sum | cut -c1-12
}

# Set LAB_DEBUG_DIR/MNT/IMAGE for the current root; fails when the root
# has no kernel source (only the 7.3 root carries linux-source).
lab_debug_paths() {
	[ -f "$LAB_ROOT$(lab_debug_tarball)" ] || return 1
	local key
	key=$(lab_debug_key 2>/dev/null) || return 1
	LAB_DEBUG_DIR=$LAB_CACHE/debug-kernel-$key
	LAB_DEBUG_MNT=/lab/linux-debug-$key
	LAB_DEBUG_IMAGE=$LAB_DEBUG_MNT/arch/x86/boot/bzImage
}

# Is the debug kernel for this root built?
lab_debug_present() {
	lab_debug_paths && [ -f "$LAB_DEBUG_DIR/.dmapeek-lab-built" ]
}

# Bind-mount the tree into the root.  Every user holds a shared lock on
# the key's .inuse file; the last one out (who can take it exclusively)
# unmounts, under that lock, so nobody mounts while it unmounts.
lab_debug_mount() {
	exec 6>"$LAB_CACHE/.debug-inuse-${LAB_DEBUG_DIR##*-}"
	flock -s 6
	mkdir -p "$LAB_ROOT$LAB_DEBUG_MNT"
	mountpoint -q "$LAB_ROOT$LAB_DEBUG_MNT" ||
		mount --bind "$LAB_DEBUG_DIR" "$LAB_ROOT$LAB_DEBUG_MNT"
	trap lab_debug_cleanup EXIT
}

lab_debug_cleanup() {
	local m="$LAB_ROOT$LAB_DEBUG_MNT" lock
	lock="$LAB_CACHE/.debug-inuse-${LAB_DEBUG_DIR##*-}"
	exec 6>&-
	exec 7>"$lock"
	if flock -n -x 7 && mountpoint -q "$m"; then
		umount "$m" 2>/dev/null || umount -l "$m"
	fi
	exec 7>&-
	lab_cleanup
}

# Check the final .config against the fragment; list what does not hold.
lab_debug_verify_config() {
	local cfg=$1 line opt got bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$cfg" && continue
			opt=${line%%=*}
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			grep -q "^$opt=" "$cfg" || continue
			;;
		*) continue ;;
		esac
		got=$(grep -m1 -E "^$opt=|^# $opt is not set" "$cfg" || echo "$opt absent")
		lab_log "config: wanted '$line', got '$got'"
		bad=1
	done < <(lab_debug_fragment)
	return $bad
}

# Extract, configure and build the debug kernel unless it is built already.
# A tree without its stamp is an interrupted build: configuring is redone
# unless it had finished, and make carries on where it stopped (should that
# fail, the tree is thrown away and built from scratch once).
lab_debug_kernel() {
	if [ "$LAB_KERNEL" != 7.3 ] || ! lab_debug_paths; then
		lab_die "the debug kernel lane needs the 7.3 root and its linux-source-7.3 (--kernel 7.3)"
	fi
	exec 7>"$LAB_CACHE/.debug-kernel.lock"
	flock 7
	if [ -f "$LAB_DEBUG_DIR/.dmapeek-lab-built" ]; then
		exec 7>&-
		return 0
	fi
	local dir=$LAB_DEBUG_DIR log=$LAB_DEBUG_DIR.log t0=$SECONDS resumed=0 rc=0
	if [ ! -f "$dir/.dmapeek-lab-extracted" ]; then
		lab_log "extracting $(lab_debug_tarball) into $dir"
		# A run killed outright may have left its mount behind.
		! mountpoint -q "$LAB_ROOT$LAB_DEBUG_MNT" || umount "$LAB_ROOT$LAB_DEBUG_MNT"
		[ -d "$dir" ] && rm -rf --one-file-system "$dir"
		mkdir -p "$dir"
		tar -I 'xz -T0' -xf "$LAB_ROOT$(lab_debug_tarball)" -C "$dir" \
			--strip-components=1 || lab_die "extracting the kernel source failed"
		touch "$dir/.dmapeek-lab-extracted"
	elif [ -f "$dir/.dmapeek-lab-configured" ]; then
		resumed=1
		lab_log "resuming the interrupted build in $dir"
	fi
	lab_debug_mount
	if [ ! -f "$dir/.dmapeek-lab-configured" ]; then
		lab_log "configuring the debug kernel (log: $log)"
		lab_debug_fragment >"$dir/kernel/configs/dmapeek-debug.config"
		lab_chroot sh -c "cd $LAB_DEBUG_MNT && make defconfig && \
			make kvm_guest.config && make dmapeek-debug.config" \
			>"$log" 2>&1 || { tail -n 20 "$log" >&2; lab_die "configuring the debug kernel failed, see $log"; }
		lab_debug_verify_config "$dir/.config" ||
			lab_die "the debug kernel's .config lacks options the lane needs (see above; fragment in tests/guest-lab.d/debug-kernel.sh)"
		touch "$dir/.dmapeek-lab-configured"
	fi
	lab_log "building the debug kernel with $(nproc) jobs: tens of minutes the first time (log: $log)"
	lab_chroot sh -c "cd $LAB_DEBUG_MNT && make -j$(nproc) bzImage modules" \
		>>"$log" 2>&1 || rc=$?
	if [ "$rc" != 0 ] && [ "$resumed" = 1 ]; then
		lab_log "the resumed build failed: starting over from a clean tree"
		lab_chroot make -C "$LAB_DEBUG_MNT" mrproper >>"$log" 2>&1 || true
		rm -f "$dir/.dmapeek-lab-configured"
		exec 7>&-
		lab_debug_kernel
		return
	fi
	if [ "$rc" != 0 ]; then
		grep -E 'error|Error' "$log" | head -n 30 >&2
		lab_die "building the debug kernel failed, see $log"
	fi
	if [ ! -f "$dir/Module.symvers" ] || [ ! -f "$dir/arch/x86/boot/bzImage" ]; then
		lab_die "the debug kernel build left no bzImage or Module.symvers, see $log"
	fi
	local secs=$((SECONDS - t0))
	printf 'release %s\nbuilt %s\nseconds %s\n' \
		"$(cat "$dir/include/config/kernel.release")" "$(date -u +%FT%TZ)" \
		"$secs" >"$dir/.dmapeek-lab-built"
	lab_log "debug kernel $(cat "$dir/include/config/kernel.release") built in $secs s"
	# Trees of other keys are stale; drop those no lab run has mounted.
	local d
	for d in "$LAB_CACHE"/debug-kernel-*; do
		if [ ! -d "$d" ] || [ "$d" = "$dir" ]; then continue; fi
		mountpoint -q "$LAB_ROOT/lab/linux-debug-${d##*-}" && continue
		grep -qF " ${d} " /proc/self/mountinfo && continue
		lab_log "removing stale debug kernel $d"
		rm -rf --one-file-system "$d" "$d.log"
	done
	exec 7>&-
}

# Switch this run to the debug lane: make sure the kernel is built, mount
# it, and build dmapeek against it in a copy of its own.
lab_debug_build() {
	lab_debug_kernel
	lab_debug_mount
	LAB_SRC=/lab/src-$LAB_ID-debug
	LAB_OUT=/lab/out-$LAB_ID-debug
	LAB_LOGS=$LAB_LOGS/debug
	mkdir -p "$LAB_LOGS"
	[ -n "${DMAPEEK_LAB_TIMEOUT:-}" ] || LAB_TIMEOUT=$LAB_DEBUG_TIMEOUT
	# The emulated Nehalem is "vulnerable" to Meltdown and Spectre, so the
	# kernel isolates page tables (a CR3 switch, which empties QEMU's
	# software TLB, on every kernel entry and exit) and patches in
	# retpolines and return thunks; with KASAN and lockdep on top, boot and
	# udev's coldplug took so long that virtme-init gave up waiting for
	# its console ports.  None of that is what the lane tests.
	LAB_APPEND="${LAB_APPEND:-} mitigations=off guest_lab.no_udev"
	# Binding an ivshmem device makes ZONE_DEVICE pages for its whole
	# BAR (pcim_p2pdma_init); with KASAN's shadow and page poisoning that
	# took 100 s per 64 MiB BAR.  Smaller BARs (the largest range the suite
	# exports ends at 10 MiB) test the same code.
	LAB_SHM_SIZE=16M
	[ -n "${DMAPEEK_LAB_TEST_TIMEOUT:-}" ] || LAB_TEST_TIMEOUT=900
	LAB_DEBUG=1
	LAB_IMAGE=$LAB_DEBUG_IMAGE
	lab_log "building against the debug kernel $(cat "$LAB_DEBUG_DIR/include/config/kernel.release")"
	lab_build "--with-linux=$LAB_DEBUG_MNT --with-linux-obj=$LAB_DEBUG_MNT"
}

# What check runs on the debug kernel: the tests that walk the module's
# lock and lifetime paths (export in each model, import and map through the
# IOMMU, move and revoke with live mappings, a stuck importer, unbind with
# live buffers, DMA, module unload, allocations failing at random in every
# ioctl and netlink op, and the safety tests' removal under stuck
# importers, bind/unbind and export/dump races and killed waits), with the
# kmemleak scan after them.
# Under the debug kernel a test takes minutes, so the whole suite there
# (tests/guest-lab --debug guest) is longer than CI's budget; this list
# keeps check inside it.  A name here that is no test fails the run.
LAB_DEBUG_CHECK_TESTS=(
	module_loads_and_unloads
	export_system_each_model
	export_bar_multi_range
	udmabuf_import_maps_through_iommu
	move_invalidates_mapped_importer
	revoke_waits_for_unmap
	revoke_reports_stuck_importer
	restore_after_revoke
	edu_dma_roundtrip_system_memory
	unbind_provider_revokes_live_buffers
	detach_and_close_release_everything
	events_once_per_transition
	edu_dma_across_revoke_of_dmapeek_buffer
	failslab_allocation_failures_in_every_op_leave_nothing_behind
	safety_bar_only_for_revocable_importers_and_removal_unmaps_everything
	safety_provider_unbind_races_exports_imports_maps
	safety_export_close_races_unprivileged_dump
	safety_killable_waits_and_no_lock_across_copy_or_dma
)

# The check command's debug step: those tests on the debug kernel
# (intel-root) when that kernel is built, a SKIP otherwise (building it is
# not part of check: it takes far longer than the rest together).  Inside
# check the lane gets what is left of LAB_CHECK_BUDGET: it does not start
# without time for the boot and a few tests, the guest runs no test that
# could end past the deadline (the suite's --deadline: those are SKIPs
# saying so) and the guest itself is stopped a little after it.
LAB_DEBUG_MIN_LEFT=1800		# s: the boot (16 min under load) and a few tests
LAB_DEBUG_TAIL=600		# s: unload, kmemleak scans (slow under KASAN), shutdown
lab_debug_check() {
	if [ "$LAB_KERNEL" != 7.3 ] || ! lab_debug_present; then
		echo "SKIP debug/intel-root: debug kernel not built (tests/guest-lab debug-kernel)"
		LAB_SKIP=$((LAB_SKIP + 1))
		return 0
	fi
	local only deadline= left
	only=$(IFS=,; echo "${LAB_DEBUG_CHECK_TESTS[*]}")
	if [ -n "$LAB_CHECK_T0" ]; then
		deadline=$((LAB_CHECK_T0 + LAB_CHECK_BUDGET - LAB_DEBUG_TAIL))
		left=$((deadline - $(date +%s)))
		if [ "$left" -lt "$LAB_DEBUG_MIN_LEFT" ]; then
			echo "SKIP debug/intel-root: $((left / 60)) min left of check's $((LAB_CHECK_BUDGET / 60)) min budget, the lane needs $((LAB_DEBUG_MIN_LEFT / 60)) (run it alone: tests/guest-lab debug)"
			LAB_SKIP=$((LAB_SKIP + 1))
			return 0
		fi
		lab_log "debug lane: $((left / 60)) min of check's budget left"
	fi
	lab_debug_build
	if [ -n "$deadline" ]; then
		# (the build took some of it)
		left=$((deadline - $(date +%s)))
		[ -n "${DMAPEEK_LAB_TIMEOUT:-}" ] || LAB_TIMEOUT=$((left + LAB_DEBUG_TAIL - 60))
		lab_suite intel-root "$(lab_kernel_image)" debug --only "$only" \
			--deadline "$deadline"
	else
		lab_suite intel-root "$(lab_kernel_image)" debug --only "$only"
	fi
}
