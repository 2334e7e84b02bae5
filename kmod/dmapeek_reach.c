// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: what a device reaches by DMA.  A map of memory or MMIO a
 * device cannot reach WARNs in the kernel's DMA code (dma-direct's and
 * swiotlb's overflow reports) and a map is a user's request, so every
 * mapping path asks here first and refuses with -ERANGE (or -E2BIG, for
 * a bounce that would hold too much of the device's bounce buffers).
 *
 * Only dma-direct needs asking: iommu-dma maps anything into the device's
 * IO virtual address space (and bounces an untrusted device's partial
 * pages through swiotlb before it maps them), and a device with DMA ops of
 * its own (Xen's swiotlb, GART) is left to them.  dma-direct maps at
 * phys_to_dma() of the address (a platform's DMA ranges and an SME host's
 * encryption bit included) what dma_capable() finds within the device's
 * streaming mask and bus limit, and bounces the rest through swiotlb when
 * it has a pool (see dmapeek_mem_maps()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/iommu-dma.h>
#include <linux/swiotlb.h>

#include "dmapeek.h"

/*
 * The DMA core's own state read here, and nowhere else in the module:
 * struct device's DMA ops and iommu-dma flag, and the swiotlb pool of
 * include/linux/swiotlb.h (dev->dma_io_tlb_mem, "not for driver use"), as
 * 7.3 lays them out.  A kernel that changes them breaks the build here.
 */

/*
 * Whether @dev's maps go through dma-direct.  (A device with DMA ops that
 * it may bypass, CONFIG_DMA_OPS_BYPASS, counts as having ops: the x86 and
 * arm64 kernels have no such devices.)
 */
static bool dmapeek_dma_direct(struct device *dev)
{
	return !use_dma_iommu(dev) && !get_dma_ops(dev);
}

#ifdef CONFIG_SWIOTLB
/*
 * The bytes of @dev's bounce buffers when every slot it may be given lies
 * within @limit, else 0.  The default pool [start, end), at the addresses
 * swiotlb_map() hands out (unencrypted for a shared pool), both ends and
 * nothing in between off that line.  A pool that grows
 * (CONFIG_SWIOTLB_DYNAMIC) adds pools anywhere in memory below its
 * phys_limit (swiotlb_dyn_alloc()), and transient pools below the
 * device's mask taken as a physical address (a shared pool's: within its
 * coherent mask).
 */
static u64 dmapeek_swiotlb_reach(struct device *dev, u64 limit)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	phys_addr_t first, last;
	dma_addr_t lo, hi;

	if (!mem || !mem->nslabs)
		return 0;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	/*
	 * Pools it grows lie below phys_limit, at the same DMA offset (none,
	 * nor a range map) and, for a shared pool, within the coherent mask
	 * (the atomic pools, dma_coherent_ok()); else only a device that
	 * reaches all memory reaches them.
	 */
	if (mem->can_grow && dma_addressing_limited(dev) &&
	    (dev->dma_range_map || mem->phys_limit > limit ||
	     (mem->cc_shared ? phys_to_dma_unencrypted(dev, limit) :
			       phys_to_dma_encrypted(dev, limit)) != limit ||
	     (mem->cc_shared &&
	      min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit) > limit)))
		return 0;
#endif
	first = mem->defpool.start;
	last = mem->defpool.end - 1;
	if (phys_to_dma_encrypted(dev, first) == DMA_MAPPING_ERROR ||
	    phys_to_dma_encrypted(dev, last) == DMA_MAPPING_ERROR)
		return 0;	/* outside every DMA range of the platform */
	lo = mem->cc_shared ? phys_to_dma_unencrypted(dev, first) :
			      phys_to_dma_encrypted(dev, first);
	hi = mem->cc_shared ? phys_to_dma_unencrypted(dev, last) :
			      phys_to_dma_encrypted(dev, last);
	if (hi < lo || hi - lo != last - first || hi > limit)
		return 0;
	return (u64)mem->nslabs << IO_TLB_SHIFT;
}
#else
static u64 dmapeek_swiotlb_reach(struct device *dev, u64 limit)
{
	return 0;
}
#endif

/* The highest DMA address dma_capable() lets @dev reach; 0: no DMA. */
static u64 dmapeek_dma_limit(struct device *dev)
{
	if (!dev->dma_mask || !*dev->dma_mask)
		return 0;
	return min_not_zero(*dev->dma_mask, dev->bus_dma_limit);
}

/*
 * Whether @dev reaches [@phys, @phys + @len) of MMIO.  dma-direct never
 * bounces MMIO: beyond the limit, outside the platform's DMA ranges, and
 * in a guest whose memory the platform encrypts (where an MMIO map is not
 * shared and every device must have shared addresses) the map WARNs;
 * with every map bounced (swiotlb=force) it fails.  On an SME host MMIO
 * is mapped unencrypted.
 */
bool dmapeek_dev_reaches(struct device *dev, phys_addr_t phys, u64 len)
{
	u64 limit = dmapeek_dma_limit(dev);
	dma_addr_t start, last;
	bool host_enc;

	if (!limit || !len)
		return false;
	if (!dmapeek_dma_direct(dev))
		return true;
	host_enc = cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT);
	if ((cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT) && !host_enc) ||
	    is_swiotlb_force_bounce(dev) || phys + len - 1 < phys)
		return false;
	start = host_enc ? phys_to_dma_unencrypted(dev, phys) :
			   phys_to_dma_encrypted(dev, phys);
	last = host_enc ? phys_to_dma_unencrypted(dev, phys + len - 1) :
			  phys_to_dma_encrypted(dev, phys + len - 1);
	/* outside every DMA range of the platform, or across two */
	if (start == DMA_MAPPING_ERROR || last == DMA_MAPPING_ERROR ||
	    last < start || last - start != len - 1)
		return false;
	return last <= limit;
}

/*
 * Whether dma-direct maps memory [@phys, @phys + @len) for @dev as it is,
 * with no bounce: within the limit at phys_to_dma(), and, on an SME host,
 * within the coherent mask too (force_dma_unencrypted() bounces by it);
 * never in a guest whose memory the platform encrypts (SEV, TDX), where
 * every direct map of memory is bounced.
 */
static bool dmapeek_direct_reaches(struct device *dev, u64 limit,
				   phys_addr_t phys, u64 len)
{
	dma_addr_t start;
	u64 end;

	if (cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT) || !len)
		return false;
	if (cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT))
		limit = min_not_zero(limit, dev->coherent_dma_mask);
	start = phys_to_dma(dev, phys);
	if (start == DMA_MAPPING_ERROR)
		return false;	/* outside every DMA range of the platform */
	end = (u64)start + len - 1;
	return end >= start && end <= limit;
}

/*
 * Whether @dev reaches memory [@phys, @phys + @len) with no bounce: the
 * importer's own mapping takes nothing else (a bounced side mapping would
 * hold the machine's bounce slots for as long as it stays).
 */
bool dmapeek_mem_reaches(struct device *dev, phys_addr_t phys, u64 len)
{
	u64 limit = dmapeek_dma_limit(dev);

	if (!limit || !len)
		return false;
	if (!dmapeek_dma_direct(dev))
		return true;
	if (is_swiotlb_force_bounce(dev))
		return false;
	return dmapeek_direct_reaches(dev, limit, phys, len);
}

/*
 * The bytes the exporter's maps hold bounced (an upper bound), all
 * devices and pools together: one budget, compared with a quarter of the
 * pool of the device that asks, which errs on the safe side where a
 * device has a restricted pool of its own.
 */
static atomic64_t dmapeek_bounced = ATOMIC64_INIT(0);

/*
 * Whether dma_map_sgtable() of memory ranges @vec for @dev maps them all
 * without a WARN, and how: 0 when nothing is bounced; 0 with the bytes
 * to be bounced reserved in *@bounced (give them back with
 * dmapeek_bounce_release() when the map goes) and DMA_ATTR_NO_WARN added
 * to *@attrs; -ERANGE when the bounce cannot be done; -E2BIG when the
 * exporter's maps would hold more than a quarter of the bounce buffers.
 *
 * What the device does not reach as it is (or everything, when its every
 * map is bounced: swiotlb=force, a restricted pool) is bounced through its
 * swiotlb pool.  swiotlb takes any free slot without looking at the
 * device's mask and WARNs after (swiotlb_map()); with no pool dma-direct
 * WARNs (dma_direct_map_phys()).  So every slot the device may be given
 * must lie within its reach (dmapeek_swiotlb_reach()).  A mapping holds
 * its slots for as long as it stays, and the default pool is every
 * device's: a full one fails their streaming DMA, with "swiotlb buffer is
 * full" in the log.  So dmapeek's maps together hold a quarter of it at
 * most (dmapeek_bounced), and report nothing.  (A range counts whole when
 * any of it is beyond reach, where dma-direct bounces only the segments
 * beyond: the count errs on the safe side.)
 */
int dmapeek_mem_maps(struct device *dev, const struct phys_vec *vec, u32 nr,
		     unsigned long *attrs, u64 *bounced)
{
	u64 limit = dmapeek_dma_limit(dev), bytes = 0, pool;
	s64 held;
	bool force;
	u32 i;

	*bounced = 0;
	/* no DMA mask: __dma_map_sg_attrs() WARNs, or dma-direct does */
	if (!limit)
		return -ERANGE;
	if (!dmapeek_dma_direct(dev))
		return 0;
	force = is_swiotlb_force_bounce(dev);
	for (i = 0; i < nr; i++)
		if (force || !dmapeek_direct_reaches(dev, limit, vec[i].paddr, vec[i].len))
			bytes += vec[i].len;
	if (!bytes)
		return 0;
	pool = dmapeek_swiotlb_reach(dev, limit);
	if (!pool)
		return -ERANGE;
	held = atomic64_read(&dmapeek_bounced);
	do {
		if (held + bytes > pool / 4)
			return -E2BIG;
	} while (!atomic64_try_cmpxchg(&dmapeek_bounced, &held, held + bytes));
	*bounced = bytes;
	*attrs |= DMA_ATTR_NO_WARN;
	return 0;
}

/* Give back what dmapeek_mem_maps() reserved for a map that went. */
void dmapeek_bounce_release(u64 bytes)
{
	if (bytes)
		atomic64_sub(bytes, &dmapeek_bounced);
}

/*
 * Whether DMA address @dma is where dma-direct puts @phys (memory, or MMIO
 * on an SME host: unencrypted), not a bounce slot.  Through an IOMMU this
 * says nothing: true; a device's own DMA ops may bounce or remap: false.
 */
bool dmapeek_dma_at(struct device *dev, dma_addr_t dma, phys_addr_t phys)
{
	if (use_dma_iommu(dev))
		return true;
	if (get_dma_ops(dev))
		return false;
	return dma == phys_to_dma_encrypted(dev, phys) ||
	       dma == phys_to_dma_unencrypted(dev, phys);
}

/*
 * The physical address dma-direct's DMA address @dma stands for (an
 * encryption bit and a platform's DMA offset undone), for the audit of a
 * device nothing translates for.
 */
phys_addr_t dmapeek_dma_to_phys(struct device *dev, dma_addr_t dma)
{
	return dmapeek_dma_direct(dev) ? dma_to_phys(dev, dma) : dma;
}

/*
 * Whether DMA segments @dma (ndma) map the CPU ranges @cpu (ncpu) of the
 * same bytes where they are, none bounced: each segment starts at
 * dmapeek_dma_at() of the byte it maps.
 */
bool dmapeek_dma_is_direct(struct device *dev, const struct phys_vec *dma,
			   u32 ndma, const struct phys_vec *cpu, u32 ncpu)
{
	u64 off = 0, coff = 0;
	u32 i, j = 0;

	for (i = 0; i < ndma; off += dma[i].len, i++) {
		while (j < ncpu && coff + cpu[j].len <= off)
			coff += cpu[j++].len;
		if (j == ncpu ||
		    !dmapeek_dma_at(dev, dma[i].paddr, cpu[j].paddr + (off - coff)))
			return false;
	}
	return true;
}
