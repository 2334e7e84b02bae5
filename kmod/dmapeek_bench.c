// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: DMAPEEK_IOC_BENCH_MAP, the mapping paths timed inside the kernel.
 *
 * Built only with configure --enable-debug-knobs (the test lab's module,
 * tests/bench); the ioctl's ABI is linux/dmapeek-debug.h, not installed.
 *
 * The new dma-buf memory API is argued about in terms of cost: one
 * physical range through the kernel's helper, the two-step IOVA API with a
 * single IOTLB sync, or the old per-page streaming mapping.  This ioctl
 * maps the same memory, for the same device, each way, and reports
 * ktime_get_ns() around the mapping and around the unmapping calls only:
 * everything the caller would prepare once (the page list, the range list)
 * is built before the clock starts.
 *
 * The memory is the backing of a buffer dmapeek exported, reached through
 * an import made by dmapeek's importer: the import's client device maps,
 * its attachment is what the helper needs, and holding the buffer's
 * reservation lock keeps the backing (and, for a BAR, its provider) in
 * place for the whole run, as "DOC: dmapeek exporter locking" promises.
 * Nothing is left mapped and no mapping record is made: the run is
 * invisible to dumps and events.
 *
 * Lock order: the import's lock, then the reservation lock (as every
 * importer operation).  A run holds the reservation lock for at most
 * DMAPEEK_BENCH_MAX_ITERATIONS mappings of the buffer; a revoke of the
 * buffer waits for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf-mapping.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dmapeek.h"
#include "dmapeek_debug.h"
#include "dmapeek_import.h"
#include "dmapeek_phys.h"

/**
 * struct dmapeek_bench_run - one run of DMAPEEK_IOC_BENCH_MAP
 * @dev: the device that maps (the import's client)
 * @attach: the import's attachment (the helper maps for it)
 * @prov: the provider of the backing (BAR) or the system provider
 * @vec: the physical ranges of the first @len bytes of the backing
 * @nr: entries in @vec
 * @len: bytes mapped
 * @attrs: DMA_ATTR_MMIO for BAR memory
 * @npages: @len in pages
 */
struct dmapeek_bench_run {
	struct device *dev;
	struct dma_buf_attachment *attach;
	struct dmapeek_provider *prov;
	struct phys_vec *vec;
	u32 nr;
	u64 len;
	unsigned long attrs;
	u32 npages;
};

/* Accumulate one mapping's and one unmapping's time into @b. */
static void dmapeek_bench_account(struct dmapeek_bench_map *b, u64 t0, u64 t1, u64 t2)
{
	u64 map = t1 - t0;

	b->map_ns += map;
	b->unmap_ns += t2 - t1;
	if (!b->map_ns_min || map < b->map_ns_min)
		b->map_ns_min = map;
	b->map_ns_max = max(b->map_ns_max, map);
}

/* The helper, on the one BAR range: what an exporter's map_dma_buf does. */
static int dmapeek_bench_helper(struct dmapeek_bench_run *r, struct dmapeek_bench_map *b)
{
	struct sg_table *sgt;
	u64 t0, t1, t2;
	u32 i;

	for (i = 0; i < b->iterations; i++) {
		t0 = dmapeek_now();
		sgt = dma_buf_phys_vec_to_sgt(r->attach, r->prov->p2p, r->vec, r->nr,
					      r->len, DMA_BIDIRECTIONAL);
		t1 = dmapeek_now();
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		dmapeek_phys_vec_sgt_free(r->attach, sgt, DMA_BIDIRECTIONAL);
		t2 = dmapeek_now();
		dmapeek_bench_account(b, t0, t1, t2);
	}
	b->nr_ranges = r->nr;
	return 0;
}

/*
 * Map every range with dma_map_phys() into @dma; on failure undo and
 * return -EIO.  Used per page (streaming BAR memory) and per range (the
 * fallback of the two-step API when there is no IOVA space).
 */
static int dmapeek_bench_map_phys(struct dmapeek_bench_run *r, const struct phys_vec *v,
				  u32 n, dma_addr_t *dma)
{
	u32 i;

	for (i = 0; i < n; i++) {
		dma[i] = dma_map_phys(r->dev, v[i].paddr, v[i].len, DMA_BIDIRECTIONAL,
				      r->attrs);
		if (dma_mapping_error(r->dev, dma[i])) {
			while (i--)
				dma_unmap_phys(r->dev, dma[i], v[i].len,
					       DMA_BIDIRECTIONAL, r->attrs);
			return -EIO;
		}
		if (!(i & 255))
			cond_resched();
	}
	return 0;
}

static void dmapeek_bench_unmap_phys(struct dmapeek_bench_run *r, const struct phys_vec *v,
				     u32 n, const dma_addr_t *dma)
{
	u32 i;

	for (i = 0; i < n; i++)
		dma_unmap_phys(r->dev, dma[i], v[i].len, DMA_BIDIRECTIONAL, r->attrs);
}

/* dma_map_phys() per entry of @v, @iterations times. */
static int dmapeek_bench_phys_loop(struct dmapeek_bench_run *r, struct dmapeek_bench_map *b,
				   const struct phys_vec *v, u32 n)
{
	dma_addr_t *dma;
	u64 t0, t1, t2;
	u32 i;
	int ret = 0;

	/* sizes the caller chose: ENOMEM, no allocation failure report */
	dma = kvmalloc_array(n, sizeof(*dma), GFP_KERNEL | __GFP_NOWARN);
	if (!dma)
		return -ENOMEM;
	for (i = 0; i < b->iterations && !ret; i++) {
		t0 = dmapeek_now();
		ret = dmapeek_bench_map_phys(r, v, n, dma);
		t1 = dmapeek_now();
		if (ret)
			break;
		dmapeek_bench_unmap_phys(r, v, n, dma);
		t2 = dmapeek_now();
		dmapeek_bench_account(b, t0, t1, t2);
	}
	kvfree(dma);
	b->nr_ranges = n;
	return ret;
}

/*
 * The two-step API: one IOVA for the whole length, one link per physical
 * range at a running offset, one sync.  Where the device has no IOVA space
 * (no IOMMU, or an identity domain) dma_iova_try_alloc() says no and a
 * caller maps each range with dma_map_phys(), as the kernel's helper does.
 */
static int dmapeek_bench_iova(struct dmapeek_bench_run *r, struct dmapeek_bench_map *b)
{
	struct dma_iova_state state;
	u64 t0, t1, t2, off;
	u32 i, k;
	int ret;

	for (k = 0; k < b->iterations; k++) {
		memset(&state, 0, sizeof(state));
		t0 = dmapeek_now();
		if (!dma_iova_try_alloc(r->dev, &state, r->vec[0].paddr, r->len)) {
			b->out_flags |= DMAPEEK_BENCH_NO_IOVA;
			return dmapeek_bench_phys_loop(r, b, r->vec, r->nr);
		}
		for (i = 0, off = 0; i < r->nr; off += r->vec[i].len, i++) {
			ret = dma_iova_link(r->dev, &state, r->vec[i].paddr, off,
					    r->vec[i].len, DMA_BIDIRECTIONAL, r->attrs);
			if (ret) {
				dma_iova_destroy(r->dev, &state, off, DMA_BIDIRECTIONAL,
						 r->attrs);
				return ret;
			}
		}
		ret = dma_iova_sync(r->dev, &state, 0, off);
		t1 = dmapeek_now();
		dma_iova_destroy(r->dev, &state, off, DMA_BIDIRECTIONAL, r->attrs);
		t2 = dmapeek_now();
		if (ret)
			return ret;
		dmapeek_bench_account(b, t0, t1, t2);
	}
	b->nr_ranges = r->nr;
	return 0;
}

/* System memory, per page: one sg entry per page, dma_map_sgtable(). */
static int dmapeek_bench_sgtable(struct dmapeek_bench_run *r, struct dmapeek_bench_map *b)
{
	struct scatterlist *sg;
	struct sg_table sgt;
	u64 t0, t1, t2, off;
	u32 i, k;
	int ret;

	ret = sg_alloc_table(&sgt, r->npages, GFP_KERNEL);
	if (ret)
		return ret;
	sg = sgt.sgl;
	for (i = 0; i < r->nr; i++) {
		for (off = 0; off < r->vec[i].len; off += PAGE_SIZE) {
			sg_set_page(sg, pfn_to_page(PHYS_PFN(r->vec[i].paddr + off)),
				    PAGE_SIZE, 0);
			sg = sg_next(sg);
		}
	}
	for (k = 0; k < b->iterations; k++) {
		t0 = dmapeek_now();
		ret = dma_map_sgtable(r->dev, &sgt, DMA_BIDIRECTIONAL, 0);
		t1 = dmapeek_now();
		if (ret)
			break;
		dma_unmap_sgtable(r->dev, &sgt, DMA_BIDIRECTIONAL, 0);
		t2 = dmapeek_now();
		dmapeek_bench_account(b, t0, t1, t2);
	}
	sg_free_table(&sgt);
	b->nr_ranges = r->npages;
	return ret;
}

/* BAR memory, per page: it has no struct pages for an sg table. */
static int dmapeek_bench_bar_pages(struct dmapeek_bench_run *r, struct dmapeek_bench_map *b)
{
	struct phys_vec *pages;
	u64 off;
	u32 i, n = 0;
	int ret;

	pages = kvmalloc_array(r->npages, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < r->nr; i++)
		for (off = 0; off < r->vec[i].len; off += PAGE_SIZE)
			pages[n++] = (struct phys_vec){ r->vec[i].paddr + off, PAGE_SIZE };
	ret = dmapeek_bench_phys_loop(r, b, pages, n);
	kvfree(pages);
	return ret;
}

/*
 * Without translation the device reaches only what its DMA mask covers:
 * beyond it dma-direct bounces (system memory) or refuses with a warning
 * (MMIO).  Neither is the path being measured, so refuse up front
 * (dmapeek_reach.c).
 */
static int dmapeek_bench_reachable(struct dmapeek_bench_run *r)
{
	u32 i;

	for (i = 0; i < r->nr; i++) {
		if ((r->attrs & DMA_ATTR_MMIO) &&
		    !dmapeek_dev_reaches(r->dev, r->vec[i].paddr, r->vec[i].len))
			return -ERANGE;
		if (!(r->attrs & DMA_ATTR_MMIO) &&
		    !dmapeek_mem_reaches(r->dev, r->vec[i].paddr, r->vec[i].len))
			return -ERANGE;
	}
	return 0;
}

/* Keep the first @len bytes of @vec; returns the new range count. */
static u32 dmapeek_bench_clip(struct phys_vec *vec, u32 nr, u64 len)
{
	u32 i;

	for (i = 0; i < nr && len; i++) {
		vec[i].len = min_t(u64, vec[i].len, len);
		len -= vec[i].len;
	}
	return i;
}

/* Check the request, find the memory and run the path; resv held. */
static int dmapeek_bench_locked(struct dmapeek_imp *imp, struct dmapeek_bench_map *b)
{
	struct dmapeek_bench_run r = {
		.dev = &imp->ddev->pdev->dev,
		.attach = imp->attach,
	};
	int distance, ret;
	u32 reason, mt;

	if (imp->dead)
		return -ENOENT;
	if (b->length > imp->dmabuf->size)
		return -EINVAL;
	ret = dmapeek_phys_get(imp->dmabuf, &r.vec, &r.nr, &r.prov);
	if (ret)
		return ret;	/* -EOPNOTSUPP: not ours; -ENODEV: revoked */
	r.len = b->length;
	r.npages = b->length >> PAGE_SHIFT;
	r.nr = dmapeek_bench_clip(r.vec, r.nr, r.len);
	b->domain_type = dmapeek_domain_type(r.dev);
	if (r.prov && r.prov->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR) {
		r.attrs = DMA_ATTR_MMIO;
		b->out_flags |= DMAPEEK_BENCH_MMIO;
		/* The P2P rules decide whether this device may reach the BAR. */
		mt = dmapeek_p2p_map_type(r.prov, r.dev, &distance, &reason);
		if (mt != DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE && mt != DMAPEEK_MAP_TYPE_BUS_ADDR) {
			ret = -EOPNOTSUPP;
			goto out;
		}
	} else if (!r.prov) {
		ret = -ENODEV;	/* the BAR went away with its device */
		goto out;
	}
	ret = dmapeek_bench_reachable(&r);
	if (ret)
		goto out;

	switch (b->path) {
	case DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER:
		/*
		 * MMIO only (a NULL provider WARNs), and one range while the
		 * helper links every range at IOVA offset 0
		 * (DMAPEEK_PHYS_VEC_LINKS_AT_0, dmapeek_compat.h).
		 */
		if (!r.attrs || (DMAPEEK_PHYS_VEC_LINKS_AT_0 && r.nr != 1))
			ret = -EOPNOTSUPP;
		else
			ret = dmapeek_bench_helper(&r, b);
		break;
	case DMAPEEK_MAPPING_PATH_IOVA_LINK:
		ret = dmapeek_bench_iova(&r, b);
		break;
	case DMAPEEK_MAPPING_PATH_SGTABLE:
		ret = r.attrs ? dmapeek_bench_bar_pages(&r, b) : dmapeek_bench_sgtable(&r, b);
		break;
	default:
		ret = -EINVAL;
	}
out:
	kvfree(r.vec);
	return ret;
}

int dmapeek_ioc_bench_map(struct dmapeek_file *df, void *arg)
{
	struct dmapeek_bench_map *b = arg;
	struct dmapeek_imp *imp;
	int ret;

	if (b->flags || !b->iterations || b->iterations > DMAPEEK_BENCH_MAX_ITERATIONS ||
	    !b->length || !PAGE_ALIGNED(b->length) || b->length >> PAGE_SHIFT > U32_MAX)
		return -EINVAL;
	if (b->path != DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER &&
	    b->path != DMAPEEK_MAPPING_PATH_IOVA_LINK &&
	    b->path != DMAPEEK_MAPPING_PATH_SGTABLE)
		return -EINVAL;
	/* Out fields start from zero whatever the caller left in them. */
	b->out_flags = 0;
	b->domain_type = 0;
	b->nr_ranges = 0;
	b->map_ns = 0;
	b->map_ns_min = 0;
	b->map_ns_max = 0;
	b->unmap_ns = 0;

	imp = dmapeek_import_get(b->attachment_id, &ret);
	if (!imp)
		return ret;
	mutex_lock(&imp->lock);
	if (!imp->attach) {
		ret = -ENOENT;
		goto out_unlock;
	}
	ret = dma_resv_lock_interruptible(imp->dmabuf->resv, NULL);
	if (ret)
		goto out_unlock;
	ret = dmapeek_bench_locked(imp, b);
	dma_resv_unlock(imp->dmabuf->resv);
out_unlock:
	mutex_unlock(&imp->lock);
	dmapeek_import_put(imp);
	return ret;
}
