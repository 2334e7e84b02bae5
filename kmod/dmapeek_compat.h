/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek.ko and the kernel it is built for: what configure found, and the
 * kernel's bugs the module works around.
 *
 * configure compiles one probe per kernel API the module uses
 * (config/kernel.m4) and writes a HAVE_* define for each one found into
 * dmapeek_config.h, which kbuild puts in front of every file of the module
 * (kmod/Kbuild, -include).  This header is the only reader of those
 * defines: a required API that is missing here means dmapeek_config.h is
 * not what configure wrote, and the build stops; an optional one gets its
 * fallback here.  Documentation/design.rst ("Kernel APIs and workarounds")
 * says what the module does without each.
 *
 * A workaround of a kernel bug is tied to the releases that have the bug,
 * which configure knows (no compile test can see a wrong result), and says
 * what to do when a release fixes it.
 */
#ifndef _DMAPEEK_COMPAT_H
#define _DMAPEEK_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>

#if !defined(HAVE_DMA_BUF_PHYS_VEC_TO_SGT) || !defined(HAVE_DMA_IOVA_API) || \
	!defined(HAVE_DMA_MAP_PHYS) || !defined(HAVE_PCIM_P2PDMA_PROVIDER) || \
	!defined(HAVE_DMA_BUF_INVALIDATE_MAPPINGS) || \
	!defined(HAVE_IOMMU_IOVA_TO_PHYS) || !defined(HAVE_GENL_INFO_DUMP)
#error "dmapeek_config.h lacks a kernel API that dmapeek.ko requires: run configure"
#endif

/*
 * dma_buf_attach_revocable() (optional): can the importer of @attach be
 * revoked, that is, does it unmap in bounded time when told to by
 * invalidate_mappings()?  Without the kernel's function, dmapeek asks the
 * importer's ops the same question itself (their invalidate_mappings is a
 * required API).  Remove when: every kernel dmapeek builds for exports it;
 * then make its probe REQUIRED.
 */
#ifndef HAVE_DMA_BUF_ATTACH_REVOCABLE
static inline bool dmapeek_dma_buf_attach_revocable(struct dma_buf_attachment *attach)
{
	return attach->importer_ops && attach->importer_ops->invalidate_mappings;
}

#define dma_buf_attach_revocable dmapeek_dma_buf_attach_revocable
#endif

/**
 * DOC: dmapeek and the phys_vec helpers' bugs
 *
 * dma_buf_phys_vec_to_sgt() and dma_buf_free_sgt() of
 * drivers/dma-buf/dma-buf-mapping.c have two bugs in 7.3.4, the kernel the
 * lab builds and tests against.  configure defines DMAPEEK_BUG_* for the
 * kernels that have them (DMAPEEK_KERNEL_BUG in config/kernel.m4, which
 * holds the release that fixes each: none is known yet, so every kernel),
 * and prints the list ("kernel bugs").  Remove when configure refuses every
 * kernel with the bug: then drop it there, its macro here and what the
 * macro gates.
 *
 * DMAPEEK_PHYS_VEC_SGT_LEAK: the helper marks its table page-less with
 * orig_nents = 0, and dma_buf_free_sgt() ends in sg_free_table(), which
 * frees orig_nents entries: the scatterlist itself is never freed
 * (kmemleak on the debug kernel: __sg_alloc_table from
 * dma_buf_phys_vec_to_sgt, once per map).  dmapeek_phys_vec_sgt_free()
 * gives orig_nents back first.
 *
 * DMAPEEK_PHYS_VEC_LINKS_AT_0: the helper links every range at IOVA offset
 * 0 (dma_iova_link(dev, state, paddr, 0, len, ...)), so behind an IOMMU
 * several ranges land on top of each other while its sg table claims one
 * run of their total length.  The exporter maps more than one range itself
 * (dmapeek_map_bar_ranges(), right on any kernel); the benchmark times the
 * helper on one range only (dmapeek_bench.c) and the debug knobs replay
 * its links where the IOMMU refuses them (dmapeek_debug.c) while this
 * holds.
 */
#ifdef DMAPEEK_BUG_PHYS_VEC_SGT_LEAK
#define DMAPEEK_PHYS_VEC_SGT_LEAK	true
#else
#define DMAPEEK_PHYS_VEC_SGT_LEAK	false
#endif
#ifdef DMAPEEK_BUG_PHYS_VEC_LINKS_AT_0
#define DMAPEEK_PHYS_VEC_LINKS_AT_0	true
#else
#define DMAPEEK_PHYS_VEC_LINKS_AT_0	false
#endif

/**
 * dmapeek_phys_vec_sgt_free() - unmap and free a dma_buf_phys_vec_to_sgt() table
 * @attach: the attachment it was mapped for (reservation lock held)
 * @sgt: the table
 * @dir: the direction it was mapped with
 *
 * dma_buf_free_sgt() without its leak (DMAPEEK_PHYS_VEC_SGT_LEAK): the
 * helper allocated exactly nents entries.
 */
static inline void dmapeek_phys_vec_sgt_free(struct dma_buf_attachment *attach,
					     struct sg_table *sgt,
					     enum dma_data_direction dir)
{
	/*
	 * Self-checking rather than trusting the version gate alone: a
	 * table that claims no entries gets its count back on any kernel,
	 * so a gate wrongly off (a release candidate, a backport) still
	 * frees the scatterlist.
	 */
	if (DMAPEEK_PHYS_VEC_SGT_LEAK || !sgt->orig_nents)
		sgt->orig_nents = sgt->nents;
	dma_buf_free_sgt(attach, sgt, dir);
}

#endif /* _DMAPEEK_COMPAT_H */
