dnl SPDX-License-Identifier: GPL-2.0-only
dnl
dnl Kernel side of configure: find the kernel build tree and probe, with one
dnl small compile test per API, what the running (or given) kernel offers.
dnl All probes are written out first and compiled in a single kbuild pass;
dnl each gives a HAVE_* define.  Exported symbols are checked against the
dnl tree's Module.symvers, because a declaration in a header does not mean
dnl a module may call it.  No LINUX_VERSION_CODE tests: distribution
dnl backports make them lie.  The one use of the kernel's version is the
dnl known bugs the module works around (DMAPEEK_KERNEL_BUG), which no
dnl compile test can see, and there a lie only keeps a harmless workaround.

dnl DMAPEEK_AC_KERNEL_DIRS: --with-linux / --with-linux-obj
AC_DEFUN([DMAPEEK_AC_KERNEL_DIRS], [
	AC_ARG_WITH([linux],
		[AS_HELP_STRING([--with-linux=DIR],
			[kernel source tree @<:@default: the running kernel's@:>@])],
		[LINUX=$withval])
	AC_ARG_WITH([linux-obj],
		[AS_HELP_STRING([--with-linux-obj=DIR],
			[kernel build (object) tree @<:@default: --with-linux, else the running kernel's@:>@])],
		[LINUX_OBJ=$withval])

	AC_MSG_CHECKING([kernel build tree])
	AS_IF([test -z "$LINUX_OBJ"], [
		AS_IF([test -n "$LINUX"], [LINUX_OBJ=$LINUX],
			[LINUX_OBJ=/lib/modules/$(uname -r)/build])
	])
	AS_IF([test -z "$LINUX"], [
		AS_IF([test -d "/lib/modules/$(uname -r)/source"],
			[LINUX=/lib/modules/$(uname -r)/source],
			[LINUX=$LINUX_OBJ])
	])
	AS_IF([test -f "$LINUX_OBJ/Makefile" && test -f "$LINUX_OBJ/.config"], [
		LINUX_OBJ=$(cd "$LINUX_OBJ" && pwd -P)
		AC_MSG_RESULT([$LINUX_OBJ])
	], [
		AC_MSG_RESULT([not found])
		AC_MSG_ERROR([
	*** No kernel build tree at '$LINUX_OBJ'.
	*** Install the headers of the kernel to build for (on Debian:
	*** linux-headers-$(uname -r)), point --with-linux-obj=DIR at a
	*** configured kernel tree, or build only user space with
	*** --with-config=user.])
	])

	AC_MSG_CHECKING([kernel version])
	LINUX_VERSION=
	AS_IF([test -s "$LINUX_OBJ/include/config/kernel.release"],
		[LINUX_VERSION=$(cat "$LINUX_OBJ/include/config/kernel.release")])
	AS_IF([test -z "$LINUX_VERSION"], [
		AC_MSG_RESULT([unknown])
		AC_MSG_ERROR([*** '$LINUX_OBJ' has no include/config/kernel.release: is it configured and prepared?])
	])
	AC_MSG_RESULT([$LINUX_VERSION])

	LINUX_SYMBOLS=$LINUX_OBJ/Module.symvers
	AS_IF([test -f "$LINUX_SYMBOLS"], [], [
		AC_MSG_ERROR([*** '$LINUX_SYMBOLS' is missing: the kernel tree is not built, so the symbols modules may use are unknown.])
	])

	AC_SUBST([LINUX])
	AC_SUBST([LINUX_OBJ])
	AC_SUBST([LINUX_VERSION])
])

dnl DMAPEEK_KERNEL_PROBE(NAME, REQUIRED|OPTIONAL, DESCRIPTION, INCLUDES,
dnl                      BODY, [EXPORTED-SYMBOLS])
dnl Write one probe module; DMAPEEK_KERNEL_PROBES_RUN compiles them all.
dnl HAVE_NAME goes into dmapeek_config.h (its template, for autoheader,
dnl is here: the run's AC_DEFINE_UNQUOTED names it from a shell variable),
dnl and kmod/dmapeek_compat.h is the one file that reads it.
AC_DEFUN([DMAPEEK_KERNEL_PROBE], [
	AH_TEMPLATE(m4_toupper([HAVE_$1]), [Define to 1 if the kernel has $3])
	mkdir -p "$dmapeek_probe_dir/$1"
	cat >"$dmapeek_probe_dir/$1/$1.c" <<'_DMAPEEK_EOF'
#include <linux/module.h>
$4
void dmapeek_probe_$1(void);
void dmapeek_probe_$1(void)
{
$5
}
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
_DMAPEEK_EOF
	echo "obj-m := $1.o" >"$dmapeek_probe_dir/$1/Kbuild"
	echo "obj-m += $1/" >>"$dmapeek_probe_dir/Kbuild"
	dmapeek_probes="$dmapeek_probes $1"
	eval "dmapeek_probe_req_$1=$2"
	eval "dmapeek_probe_desc_$1=\"$3\""
	eval "dmapeek_probe_syms_$1=\"$6\""
])

dnl DMAPEEK_KERNEL_PROBES_RUN: one kbuild pass over every probe, then the
dnl verdicts.  The compiler's output is kept in config.log.
AC_DEFUN([DMAPEEK_KERNEL_PROBES_RUN], [
	AC_MSG_NOTICE([compiling kernel API probes against $LINUX_OBJ])
	dmapeek_probe_jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
	(cd "$dmapeek_probe_dir" && make -k -j"$dmapeek_probe_jobs" \
		-C "$LINUX_OBJ" M="$dmapeek_probe_dir" modules) \
		>>config.log 2>&1 || true
	dmapeek_missing=
	dmapeek_probes_off=
	for p in $dmapeek_probes; do
		eval "req=\$dmapeek_probe_req_$p desc=\$dmapeek_probe_desc_$p syms=\$dmapeek_probe_syms_$p"
		AC_MSG_CHECKING([for $desc])
		ok=yes
		test -f "$dmapeek_probe_dir/$p/$p.o" || ok=no
		for s in $syms; do
			test $ok = yes || break
			awk -v s="$s" '$[]2 == s { f = 1 } END { exit !f }' \
				"$LINUX_SYMBOLS" || ok="no ($s not exported)"
		done
		AS_IF([test "$ok" = yes], [
			AC_MSG_RESULT([yes])
			uc=$(echo "$p" | tr 'a-z' 'A-Z')
			AC_DEFINE_UNQUOTED([HAVE_$uc], [1], [$desc])
		], [test "$req" = REQUIRED], [
			AC_MSG_RESULT([$ok])
			dmapeek_missing="$dmapeek_missing
	***   $desc"
		], [
			AC_MSG_RESULT([$ok, disabled])
			dmapeek_probes_off="$dmapeek_probes_off $p"
		])
	done
	dmapeek_probes_summary=none
	AS_IF([test -n "$dmapeek_probes_off"],
		[dmapeek_probes_summary=${dmapeek_probes_off# }])
	AS_IF([test -n "$dmapeek_missing"], [
		AC_MSG_ERROR([
	*** The kernel at $LINUX_OBJ lacks APIs dmapeek.ko requires:$dmapeek_missing
	*** dmapeek needs Linux 7.2 or later with CONFIG_PCI_P2PDMA and
	*** CONFIG_DMA_SHARED_BUFFER; see config.log for the compiler output.])
	])
])

dnl DMAPEEK_KERNEL_BUG(NAME, DESCRIPTION, FIXED-IN)
dnl A bug of the kernel that kmod/dmapeek_compat.h works around:
dnl DMAPEEK_BUG_NAME is defined for kernels before release FIXED-IN (X.Y.Z),
dnl or for every kernel while FIXED-IN is "none" (no release is known to fix
dnl it).  The kernel's LINUX_VERSION_CODE decides, since the bug is in what
dnl the kernel computes, not in what it declares; a distribution kernel with
dnl the fix backported keeps a workaround that is harmless there.  When a
dnl release fixes it, give it here.  Remove when configure refuses every
dnl kernel before it: then drop the bug and what dmapeek_compat.h gates on it.
AC_DEFUN([DMAPEEK_KERNEL_BUG], [
	AH_TEMPLATE(m4_toupper([DMAPEEK_BUG_$1]),
		[Define to 1 if the kernel has this bug (kmod/dmapeek_compat.h): $2])
	AC_MSG_CHECKING([for the kernel bug: $2])
	AS_IF([test "$3" = none], [
		dmapeek_bug="yes (no release fixes it yet)"
	], [
		dmapeek_fixed=$(echo "$3" | awk -F. '{ printf "%d", $[]1 * 65536 + $[]2 * 256 + ($[]3 > 255 ? 255 : $[]3) }')
		AS_IF([test -z "$dmapeek_kver_code"],
			[dmapeek_bug="yes (kernel version unknown; fixed in $3)"],
			[test "$dmapeek_kver_code" -lt "$dmapeek_fixed"],
			[dmapeek_bug="yes (fixed in $3)"],
			[dmapeek_bug="no (fixed in $3)"])
	])
	AC_MSG_RESULT([$dmapeek_bug])
	AS_CASE([$dmapeek_bug], [yes*], [
		AC_DEFINE(m4_toupper([DMAPEEK_BUG_$1]), [1])
		dmapeek_bugs="$dmapeek_bugs $1"
	])
])

dnl DMAPEEK_AC_DEBUG_KNOBS: --enable-debug-knobs.  The test lab's hooks
dnl (kmod/dmapeek_debug.c: the audit_bar_* and mmio_bar_providers
dnl parameters) and the benchmark ioctl (kmod/dmapeek_bench.c,
dnl DMAPEEK_IOC_BENCH_MAP) are built into dmapeek.ko only when asked for:
dnl dmapeek_config.h then defines DMAPEEK_DEBUG_KNOBS and kmod/Kbuild adds
dnl their objects.  Never for a module users load: the packages and DKMS
dnl build without it.
AC_DEFUN([DMAPEEK_AC_DEBUG_KNOBS], [
	AC_MSG_CHECKING([whether to build the debug knobs into dmapeek.ko])
	AC_ARG_ENABLE([debug-knobs],
		[AS_HELP_STRING([--enable-debug-knobs],
			[build the test lab's debug parameters and benchmark ioctl into the module, never for production @<:@default=no@:>@])],
		[], [enable_debug_knobs=no])
	AS_CASE([$enable_debug_knobs],
		[yes], [
			DMAPEEK_DEBUG_KNOBS=y
			dmapeek_debug_knobs_summary="yes (test lab only, not for production)"
			AC_DEFINE([DMAPEEK_DEBUG_KNOBS], [1],
				[Define to 1 to build the debug knobs into dmapeek.ko (test lab only)])
		],
		[no], [
			DMAPEEK_DEBUG_KNOBS=n
			dmapeek_debug_knobs_summary=no
		],
		[AC_MSG_ERROR([--enable-debug-knobs takes yes or no, not '$enable_debug_knobs'])])
	AC_SUBST([DMAPEEK_DEBUG_KNOBS])
	AC_MSG_RESULT([$enable_debug_knobs])
])

AC_DEFUN([DMAPEEK_KERNEL_CONFIG], [
	DMAPEEK_AC_KERNEL_DIRS
	DMAPEEK_AC_DEBUG_KNOBS

	dmapeek_probe_dir=$(pwd)/build/conftest
	rm -rf "$dmapeek_probe_dir"
	mkdir -p "$dmapeek_probe_dir"
	: >"$dmapeek_probe_dir/Kbuild"
	dmapeek_probes=

	DMAPEEK_KERNEL_PROBE([dma_buf_phys_vec_to_sgt], [REQUIRED],
		[dma_buf_phys_vec_to_sgt() (dma-buf phys_vec mapping helper)], [
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/pci-p2pdma.h>
], [
	struct phys_vec v = { 0, 4096 };
	struct sg_table *sgt;

	sgt = dma_buf_phys_vec_to_sgt(NULL, NULL, &v, 1, 4096, DMA_TO_DEVICE);
	dma_buf_free_sgt(NULL, sgt, DMA_TO_DEVICE);
], [dma_buf_phys_vec_to_sgt dma_buf_free_sgt])

	DMAPEEK_KERNEL_PROBE([dma_iova_api], [REQUIRED],
		[the two-step IOVA DMA API (dma_iova_try_alloc/link/sync/destroy)], [
#include <linux/dma-mapping.h>
], [
	struct dma_iova_state st;

	if (dma_iova_try_alloc(NULL, &st, 0, 4096) &&
	    !dma_iova_link(NULL, &st, 0, 0, 4096, DMA_TO_DEVICE, DMA_ATTR_MMIO) &&
	    !dma_iova_sync(NULL, &st, 0, 4096))
		dma_iova_destroy(NULL, &st, 4096, DMA_TO_DEVICE, DMA_ATTR_MMIO);
	dma_iova_unlink(NULL, &st, 0, 4096, DMA_TO_DEVICE, 0);
	dma_iova_free(NULL, &st);
	(void)dma_use_iova(&st);
], [dma_iova_try_alloc dma_iova_link dma_iova_sync dma_iova_destroy dma_iova_unlink dma_iova_free])

	DMAPEEK_KERNEL_PROBE([dma_map_phys], [REQUIRED],
		[dma_map_phys()/dma_unmap_phys() with DMA_ATTR_MMIO], [
#include <linux/dma-mapping.h>
], [
	dma_addr_t a = dma_map_phys(NULL, 0, 4096, DMA_TO_DEVICE, DMA_ATTR_MMIO);

	dma_unmap_phys(NULL, a, 4096, DMA_TO_DEVICE, DMA_ATTR_MMIO);
], [dma_map_phys dma_unmap_phys])

	DMAPEEK_KERNEL_PROBE([pcim_p2pdma_provider], [REQUIRED],
		[pcim_p2pdma_init()/pcim_p2pdma_provider() (P2P providers)], [
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
], [
	struct p2pdma_provider *p;

	if (!pcim_p2pdma_init(NULL)) {
		p = pcim_p2pdma_provider(NULL, 0);
		(void)p->owner;
		(void)p->bus_offset;
	}
	(void)pci_p2pdma_distance_many(NULL, NULL, 0, false);
], [pcim_p2pdma_init pcim_p2pdma_provider pci_p2pdma_distance_many])

	DMAPEEK_KERNEL_PROBE([dma_buf_invalidate_mappings], [REQUIRED],
		[dma_buf_invalidate_mappings() and dma_buf_attach_ops.invalidate_mappings], [
#include <linux/dma-buf.h>
], [
	struct dma_buf_attach_ops ops = { .invalidate_mappings = NULL };

	(void)ops;
	dma_buf_invalidate_mappings(NULL);
], [dma_buf_invalidate_mappings])

	DMAPEEK_KERNEL_PROBE([dma_buf_attach_revocable], [OPTIONAL],
		[dma_buf_attach_revocable() (revocable importers)], [
#include <linux/dma-buf.h>
], [
	(void)dma_buf_attach_revocable(NULL);
], [dma_buf_attach_revocable])

	DMAPEEK_KERNEL_PROBE([iommu_iova_to_phys], [REQUIRED],
		[iommu_get_domain_for_dev()/iommu_iova_to_phys() (IOVA audit)], [
#include <linux/iommu.h>
], [
	struct iommu_domain *d = iommu_get_domain_for_dev(NULL);

	(void)iommu_iova_to_phys(d, 0);
	(void)d->type;
], [iommu_get_domain_for_dev iommu_iova_to_phys])

	DMAPEEK_KERNEL_PROBE([genl_info_dump], [REQUIRED],
		[generic netlink split ops with genl_info_dump()/genl_dump_check_consistent()], [
#include <net/genetlink.h>
], [
	struct netlink_callback *cb = NULL;
	struct genl_split_ops op = { .flags = GENL_CMD_CAP_DUMP };

	(void)op;
	(void)genl_info_dump(cb);
	genl_dump_check_consistent(cb, NULL);
])

	DMAPEEK_KERNEL_PROBES_RUN

	dnl The kernel's bugs the module works around (kmod/dmapeek_compat.h).
	dmapeek_kver_code=$(sed -n 's/^#define LINUX_VERSION_CODE \(@<:@0-9@:>@*\)$/\1/p' \
		"$LINUX_OBJ/include/generated/uapi/linux/version.h" 2>/dev/null)
	dmapeek_bugs=
	DMAPEEK_KERNEL_BUG([phys_vec_sgt_leak],
		[dma_buf_free_sgt() leaks the sg table of dma_buf_phys_vec_to_sgt()],
		[none])
	DMAPEEK_KERNEL_BUG([phys_vec_links_at_0],
		[dma_buf_phys_vec_to_sgt() links every range at IOVA offset 0],
		[none])
	dmapeek_bugs_summary=none
	AS_IF([test -n "$dmapeek_bugs"],
		[dmapeek_bugs_summary=${dmapeek_bugs# }])
])
