// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the exporter's map_dma_buf and unmap_dma_buf.  A map of a
 * buffer's current backing takes one of the mapping paths (the kernel's
 * phys_vec helper, dmapeek's own for several BAR ranges, an sg table of
 * system pages) and records it, so that unmap undoes exactly that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dmapeek.h"
#include "dmapeek_export.h"

/* An sg table of @nents DMA-only entries (no pages), as the helper makes. */
static struct sg_table *dmapeek_sgt_alloc(u32 nents)
{
	struct sg_table *sgt;

	sgt = kzalloc_obj(*sgt);
	if (!sgt)
		return NULL;
	if (sg_alloc_table(sgt, nents, GFP_KERNEL | __GFP_ZERO)) {
		kfree(sgt);
		return NULL;
	}
	return sgt;
}

static void dmapeek_sgt_free(struct dmapeek_xmap *x)
{
	x->sgt->orig_nents = x->saved_nents;
	sg_free_table(x->sgt);
	kfree(x->sgt);
}

/*
 * dma_buf_phys_vec_to_sgt() in 7.3.4 sums segment lengths in an unsigned
 * int (mapped_len) and splits at ALIGN_DOWN(UINT_MAX, PAGE_SIZE): a range
 * of 4 GiB or more would be recorded short.  Larger single ranges take
 * dmapeek's own path (dmapeek_map_bar_ranges()), which splits in u64.
 */
#define DMAPEEK_HELPER_MAX_RANGE	((u64)ALIGN_DOWN(UINT_MAX, PAGE_SIZE))

static u32 dmapeek_split_nents(u64 len)
{
	u64 max = ALIGN_DOWN(UINT_MAX, PAGE_SIZE);

	return DIV_ROUND_UP_ULL(len, max);
}

static struct scatterlist *dmapeek_sg_fill(struct scatterlist *sg, u64 len,
					   dma_addr_t addr)
{
	u64 max = ALIGN_DOWN(UINT_MAX, PAGE_SIZE);

	while (len) {
		u64 l = min(len, max);

		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = l;
		addr += l;
		len -= l;
		sg = sg_next(sg);
	}
	return sg;
}

/*
 * Several BAR ranges.  dma_buf_phys_vec_to_sgt() links every range at IOVA
 * offset 0 (DMAPEEK_PHYS_VEC_LINKS_AT_0, dmapeek_compat.h), so behind an
 * IOMMU DMA domain all ranges land on top of each other while the sg table
 * it returns claims one run of the total length: the device would read
 * range 0 (or the last one linked) everywhere.  So for more than one range
 * dmapeek maps itself, which is right on any kernel: one IOVA allocation,
 * each range linked at the running offset, one IOTLB sync; dma_map_phys()
 * per range without an IOMMU; bus addresses for a P2P path through a
 * switch.  Remove when that bug is gone from every kernel dmapeek builds
 * for: several ranges can then take the helper, with range records read
 * from its sg table.
 */
/*
 * The longest sg segment @dev takes: its max segment size, and no more
 * than one bounce (swiotlb) holds; whole pages.
 */
static unsigned int dmapeek_max_segment(struct device *dev)
{
	size_t max = min_not_zero((size_t)dma_get_max_seg_size(dev),
				  dma_max_mapping_size(dev));

	max = min_t(size_t, max, UINT_MAX);
	return max_t(unsigned int, round_down(max, PAGE_SIZE), PAGE_SIZE);
}

static int dmapeek_map_bar_ranges(struct dma_buf_attachment *attach,
				  struct dmapeek_backing *b, struct dmapeek_xmap *x,
				  enum dma_data_direction dir, u32 map_type)
{
	struct device *dev = attach->dev;
	struct scatterlist *sg;
	size_t off = 0;
	u32 i, nents = 0;
	int ret;

	/* As the helper: NONE or NOT_SUPPORTED are refused. */
	if (map_type != DMAPEEK_MAP_TYPE_BUS_ADDR &&
	    map_type != DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE)
		return -EINVAL;

	if (map_type == DMAPEEK_MAP_TYPE_BUS_ADDR)
		x->path = DMAPEEK_MAPPING_PATH_BUS_ADDR;
	else if (dma_iova_try_alloc(dev, &x->state, 0, b->size))
		x->path = DMAPEEK_MAPPING_PATH_IOVA_LINK;
	else
		x->path = DMAPEEK_MAPPING_PATH_MAP_PHYS;

	if (x->path == DMAPEEK_MAPPING_PATH_MAP_PHYS)
		for (i = 0; i < b->nr; i++)
			if (!dmapeek_dev_reaches(dev, b->vec[i].paddr, b->vec[i].len))
				return -ERANGE;

	if (x->path == DMAPEEK_MAPPING_PATH_IOVA_LINK)
		nents = dmapeek_split_nents(b->size);
	else
		for (i = 0; i < b->nr; i++)
			nents += dmapeek_split_nents(b->vec[i].len);
	x->sgt = dmapeek_sgt_alloc(nents);
	if (!x->sgt) {
		ret = -ENOMEM;
		goto err_iova;
	}
	x->saved_nents = x->sgt->orig_nents;
	sg = x->sgt->sgl;

	for (i = 0; i < b->nr; i++) {
		phys_addr_t p = b->vec[i].paddr;
		size_t len = b->vec[i].len;
		dma_addr_t addr;

		switch (x->path) {
		case DMAPEEK_MAPPING_PATH_BUS_ADDR:
			addr = pci_p2pdma_bus_addr_map(b->prov->p2p, p);
			sg = dmapeek_sg_fill(sg, len, addr);
			x->m->ranges[i].kind = DMAPEEK_ADDR_KIND_BUS;
			break;
		case DMAPEEK_MAPPING_PATH_IOVA_LINK:
			/* the running offset the helper lacks */
			ret = dma_iova_link(dev, &x->state, p, off, len, dir,
					    DMA_ATTR_MMIO);
			if (ret)
				goto err_unmap;
			addr = x->state.addr + off;
			x->m->ranges[i].kind = DMAPEEK_ADDR_KIND_IOVA;
			break;
		default:
			addr = dma_map_phys(dev, p, len, dir, DMA_ATTR_MMIO);
			ret = dma_mapping_error(dev, addr);
			if (ret)
				goto err_unmap;
			sg = dmapeek_sg_fill(sg, len, addr);
			x->m->ranges[i].kind = DMAPEEK_ADDR_KIND_PHYS;
			break;
		}
		x->m->ranges[i].offset = off;
		x->m->ranges[i].len = len;
		x->m->ranges[i].addr = addr;
		x->m->ranges[i].phys = p;
		off += len;
	}
	if (x->path == DMAPEEK_MAPPING_PATH_IOVA_LINK) {
		ret = dma_iova_sync(dev, &x->state, 0, off);
		if (ret)
			goto err_unmap;
		dmapeek_sg_fill(sg, off, x->state.addr);
	}
	x->sgt->orig_nents = 0;	/* no CPU pages, as the kernel's helper */
	return 0;

err_unmap:
	if (x->path == DMAPEEK_MAPPING_PATH_IOVA_LINK) {
		dma_iova_destroy(dev, &x->state, off, dir, DMA_ATTR_MMIO);
		x->state.__size = 0;
	} else if (x->path == DMAPEEK_MAPPING_PATH_MAP_PHYS) {
		u32 j;

		for (j = 0; j < i; j++)
			dma_unmap_phys(dev, x->m->ranges[j].addr,
				       x->m->ranges[j].len, dir, DMA_ATTR_MMIO);
	}
	dmapeek_sgt_free(x);
err_iova:
	if (dma_use_iova(&x->state))
		dma_iova_free(dev, &x->state);
	return ret;
}

static void dmapeek_unmap_bar_ranges(struct dma_buf_attachment *attach,
				     struct dmapeek_xmap *x,
				     enum dma_data_direction dir)
{
	u32 i;

	if (x->path == DMAPEEK_MAPPING_PATH_IOVA_LINK)
		dma_iova_destroy(attach->dev, &x->state, x->m->size, dir,
				 DMA_ATTR_MMIO);
	else if (x->path == DMAPEEK_MAPPING_PATH_MAP_PHYS)
		for (i = 0; i < x->m->nr_ranges; i++)
			dma_unmap_phys(attach->dev, x->m->ranges[i].addr,
				       x->m->ranges[i].len, dir, DMA_ATTR_MMIO);
	dmapeek_sgt_free(x);
}

/*
 * Path sgtable: system pages in an sg table, dma_map_sgtable(), one range
 * record per DMA segment.  Memory the device cannot reach, not even
 * bounced, or whose bounce would take too much of the bounce buffers, is
 * refused before the map WARNs or swiotlb reports itself full
 * (dmapeek_mem_maps()).  Undone here on failure.
 */
static int dmapeek_map_pages(struct dma_buf_attachment *attach,
			     struct dmapeek_backing *b, struct dmapeek_xmap *x,
			     enum dma_data_direction dir)
{
	bool translates = dmapeek_dev_translates(attach->dev);
	struct scatterlist *sg, *cpu;
	struct dmapeek_map_range *r;
	unsigned long attrs = 0;
	bool one2one;
	u64 off = 0;
	int ret;
	u32 i;

	ret = dmapeek_mem_maps(attach->dev, b->vec, b->nr, &attrs, &x->bounced);
	if (ret)
		return ret;
	x->path = DMAPEEK_MAPPING_PATH_SGTABLE;
	x->sgt = kzalloc_obj(*x->sgt);
	if (!x->sgt) {
		ret = -ENOMEM;
		goto err_release;
	}
	/*
	 * Contiguous pages in one segment, no longer than the importer
	 * takes (64 KiB unless its driver said otherwise: DMA-API
	 * debugging flags longer) nor than a bounce buffer holds
	 * (swiotlb, as drm_prime_pages_to_sg() caps).  A backing built
	 * page by page has a CPU entry per page (an IOMMU may still
	 * merge their DMA addresses).
	 */
	ret = sg_alloc_table_from_pages_segment(x->sgt, b->pages, b->nr_pages,
						0, b->size,
						b->page_chunks ? PAGE_SIZE :
						dmapeek_max_segment(attach->dev),
						GFP_KERNEL);
	if (ret)
		goto err_free_sgt;
	x->saved_nents = x->sgt->orig_nents;
	ret = dma_map_sgtable(attach->dev, x->sgt, dir, attrs);
	if (ret)
		goto err_free_table;
	/* one range record per DMA segment */
	kvfree(x->m->ranges);
	x->m->ranges = kvcalloc(x->sgt->nents, sizeof(*x->m->ranges),
				GFP_KERNEL | __GFP_NOWARN);
	if (!x->m->ranges) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	x->m->nr_ranges = x->sgt->nents;
	/* phys is known when segments did not merge (nor were bounced) */
	one2one = x->sgt->nents == x->sgt->orig_nents;
	cpu = x->sgt->sgl;
	for_each_sgtable_dma_sg(x->sgt, sg, i) {
		r = &x->m->ranges[i];
		r->offset = off;
		r->len = sg_dma_len(sg);
		r->addr = sg_dma_address(sg);
		r->kind = translates ? DMAPEEK_ADDR_KIND_IOVA : DMAPEEK_ADDR_KIND_PHYS;
		r->phys = 0;
		if (one2one) {
			/* a bounced page is not at its own address: no phys */
			if (translates || dmapeek_dma_at(attach->dev, r->addr, sg_phys(cpu)))
				r->phys = sg_phys(cpu);
			cpu = sg_next(cpu);
		}
		off += r->len;
	}
	if (!one2one)
		x->m->cpu_sgt = x->sgt;
	return 0;

err_unmap:
	dma_unmap_sgtable(attach->dev, x->sgt, dir, 0);
err_free_table:
	sg_free_table(x->sgt);
err_free_sgt:
	kfree(x->sgt);
	x->sgt = NULL;
err_release:
	dmapeek_bounce_release(x->bounced);
	x->bounced = 0;
	return ret;
}

static struct sg_table *dmapeek_dmabuf_do_map(struct dma_buf_attachment *attach,
					      enum dma_data_direction dir)
{
	struct dmapeek_buffer *buf = attach->dmabuf->priv;
	struct dmapeek_exp_attach *ea = attach->priv;
	struct dmapeek_attachment *a = ea->a;
	struct dmapeek_backing *b;
	struct dmapeek_xmap *x;
	u64 t0 = dmapeek_now();
	const char *why;
	int ret;
	u32 nr;

	dma_resv_assert_held(attach->dmabuf->resv);

	b = buf->backing;
	if (buf->revoked || !b) {
		/* dmapeek's importer counts what it sees itself */
		if (ea->own)
			WRITE_ONCE(a->revoked_seen, a->revoked_seen + 1);
		return ERR_PTR(-ENODEV);
	}
	ret = dmapeek_backing_allows(b, attach, &why);
	if (ret)
		return ERR_PTR(ret);

	x = kzalloc_obj(*x);
	if (!x)
		return ERR_PTR(-ENOMEM);
	x->dir = dir;
	/* range records: BAR: one per range; system: one per DMA segment */
	nr = b->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR ? b->nr : 0;
	x->m = dmapeek_mapping_alloc(nr, GFP_KERNEL);
	if (!x->m) {
		ret = -ENOMEM;
		goto err_free_x;
	}
	x->m->attachment_id = a->id;
	x->m->dev = attach->dev;
	x->m->size = b->size;

	if (b->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR && b->nr == 1 &&
	    b->size <= DMAPEEK_HELPER_MAX_RANGE) {
		/* One range: the kernel's helper is right. */
		x->path = DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER;
		if (a->map_type != DMAPEEK_MAP_TYPE_BUS_ADDR &&
		    !dmapeek_dev_reaches(attach->dev, b->vec[0].paddr, b->size)) {
			ret = -ERANGE;
			goto err_free_m;
		}
		x->sgt = dma_buf_phys_vec_to_sgt(attach, b->prov->p2p, b->vec, 1,
						 b->size, dir);
		if (IS_ERR(x->sgt)) {
			ret = PTR_ERR(x->sgt);
			goto err_free_m;
		}
		x->m->ranges[0].offset = 0;
		x->m->ranges[0].len = b->size;
		x->m->ranges[0].addr = sg_dma_address(x->sgt->sgl);
		x->m->ranges[0].phys = b->vec[0].paddr;
		if (a->map_type == DMAPEEK_MAP_TYPE_BUS_ADDR)
			x->m->ranges[0].kind = DMAPEEK_ADDR_KIND_BUS;
		else
			x->m->ranges[0].kind = dmapeek_dev_translates(attach->dev) ?
				DMAPEEK_ADDR_KIND_IOVA : DMAPEEK_ADDR_KIND_PHYS;
	} else if (b->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR) {
		ret = dmapeek_map_bar_ranges(attach, b, x, dir, a->map_type);
		if (ret)
			goto err_free_m;
	} else {
		ret = dmapeek_map_pages(attach, b, x, dir);
		if (ret)
			goto err_free_m;
	}

	x->m->path = x->path;
	x->m->map_ns = dmapeek_now() - t0;
	ret = dmapeek_mapping_register(x->m);
	if (ret) {
		/* not fatal to the importer: the mapping is just not listed */
		x->m->id = 0;
	}
	kref_get(&b->kref);
	x->backing = b;
	atomic_inc(&b->maps);
	list_add_tail(&x->node, &ea->maps);
	atomic_inc(&buf->mapped);

	if (ea->own) {
		WRITE_ONCE(a->maps, a->maps + 1);
		WRITE_ONCE(a->mapped, true);
		WRITE_ONCE(a->last_map_ns, dmapeek_now());
	}
	dmapeek_att_event(buf, DMAPEEK_EVENT_TYPE_MAP, a, x->m->id, x->m->map_ns, 0);
	return x->sgt;

err_free_m:
	dmapeek_mapping_unregister_free(x->m);
err_free_x:
	kfree(x);
	return ERR_PTR(ret);
}

/* A refused map is reported too: the event carries the error. */
struct sg_table *dmapeek_dmabuf_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	struct dmapeek_exp_attach *ea = attach->priv;
	struct sg_table *sgt;

	sgt = dmapeek_dmabuf_do_map(attach, dir);
	if (IS_ERR(sgt))
		dmapeek_att_event(attach->dmabuf->priv, DMAPEEK_EVENT_TYPE_MAP,
				  ea->a, 0, 0, PTR_ERR(sgt));
	return sgt;
}

void dmapeek_dmabuf_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
	struct dmapeek_buffer *buf = attach->dmabuf->priv;
	struct dmapeek_exp_attach *ea = attach->priv;
	struct dmapeek_attachment *a = ea->a;
	struct dmapeek_xmap *x, *found = NULL;
	bool old_done;
	u32 mapping_id;

	dma_resv_assert_held(attach->dmabuf->resv);

	list_for_each_entry(x, &ea->maps, node)
		if (x->sgt == sgt) {
			found = x;
			break;
		}
	if (WARN_ON_ONCE(!found))
		return;
	x = found;
	list_del(&x->node);
	mapping_id = x->m->id;
	dmapeek_mapping_unregister(x->m);

	switch (x->path) {
	case DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER:
		dmapeek_phys_vec_sgt_free(attach, x->sgt, dir);
		break;
	case DMAPEEK_MAPPING_PATH_SGTABLE:
		dma_unmap_sgtable(attach->dev, x->sgt, dir, 0);
		sg_free_table(x->sgt);
		kfree(x->sgt);
		dmapeek_bounce_release(x->bounced);
		break;
	default:
		dmapeek_unmap_bar_ranges(attach, x, dir);
		break;
	}
	dmapeek_mapping_unregister_free(x->m);
	old_done = atomic_dec_and_test(&x->backing->maps);
	/* The last mapping of an old (moved-from) backing frees it. */
	dmapeek_backing_put(x->backing);
	kfree(x);

	ea->last_unmap_ns = dmapeek_now();
	if (ea->own) {
		dmapeek_attachment_unmapped(a);
		if (!list_empty(&ea->maps))
			WRITE_ONCE(a->mapped, true);
	}
	/* A late unmap ends a stuck state, whoever the importer is. */
	if (list_empty(&ea->maps))
		WRITE_ONCE(a->stuck, false);
	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_UNMAP, a, mapping_id, 0, 0, 0);
	if (atomic_dec_and_test(&buf->mapped) || old_done)
		wake_up_all(&buf->wq);
}
