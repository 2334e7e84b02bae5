// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the importer's mapping paths, one function per path.
 *
 *  - importer-sgt: the exporter's sg table (dma_buf_map_attachment()),
 *    recorded range by range, cut where the DMA or the physical ranges
 *    the exporter offers (dmapeek_phys.h) break;
 *  - iova-link: the offered ranges mapped by the importer itself with the
 *    two-step IOVA API (dma_iova_try_alloc, dma_iova_link at a running
 *    offset, one dma_iova_sync);
 *  - map-phys: the same with dma_map_phys(), range by range, where no
 *    IOVA space can be had (no translating IOMMU);
 *  - bus address: nothing to map on the importer's side; a BAR reached
 *    through a switch is recorded with its bus addresses only.
 *
 * The phys-vec-helper path is debug-only (dmapeek_debug.c, through
 * struct dmapeek_import_hooks).  Import, attach, invalidation, lifetime
 * and the requests are dmapeek_import.c's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dmapeek.h"
#include "dmapeek_import.h"
#include "dmapeek_phys.h"

const struct dmapeek_import_hooks *dmapeek_import_hooks;

/*
 * An event for a transition of @imp.  For a buffer dmapeek exported the
 * exporter's callbacks already sent it (see "DOC: dmapeek events").
 */
void dmapeek_import_event(struct dmapeek_imp *imp, u32 type, u32 mapping_id,
			  int error)
{
	struct dmapeek_event ev = {
		.type = type,
		.attachment_id = imp->a.id,
		.importer_dev = imp->a.importer_dev,
		.mapping_id = mapping_id,
		.error = error,
	};

	if (dmapeek_phys_offered(imp->dmabuf))
		return;
	dmapeek_event(&ev);
}

/* ---------------------------------------------------------------- mappings */

/*
 * Walk the DMA segments @dma (nr_dma) against the CPU segments @cpu
 * (nr_cpu, may be NULL) and cut ranges at both kinds of boundary, so each
 * range is contiguous in DMA space and in physical space.  With @m NULL,
 * only count.  Returns the number of ranges.
 */
static u32 dmapeek_split_ranges(struct dmapeek_mapping *m,
				const struct phys_vec *dma, u32 nr_dma,
				const struct phys_vec *cpu, u32 nr_cpu, u32 kind)
{
	u64 doff = 0, coff = 0, off = 0;
	u32 di = 0, ci = 0, n = 0;

	while (di < nr_dma) {
		u64 len = dma[di].len - doff;

		if (cpu && ci < nr_cpu)
			len = min_t(u64, len, cpu[ci].len - coff);
		if (m) {
			struct dmapeek_map_range *r = &m->ranges[n];

			r->offset = off;
			r->len = len;
			r->addr = dma[di].paddr + doff;
			r->kind = kind;
			r->phys = cpu && ci < nr_cpu ? cpu[ci].paddr + coff : 0;
		}
		n++;
		off += len;
		doff += len;
		if (doff == dma[di].len) {
			di++;
			doff = 0;
		}
		if (cpu && ci < nr_cpu) {
			coff += len;
			if (coff == cpu[ci].len) {
				ci++;
				coff = 0;
			}
		}
	}
	return n;
}

struct dmapeek_mapping *
dmapeek_mapping_from_segs(struct dmapeek_imp *imp, u32 path,
			  const struct phys_vec *dma, u32 nr_dma,
			  const struct phys_vec *cpu, u32 nr_cpu, u32 kind, u64 t0)
{
	struct dmapeek_mapping *m;
	u64 total = 0, ctotal = 0;
	u32 i, n;

	for (i = 0; i < nr_dma; i++)
		total += dma[i].len;
	for (i = 0; cpu && i < nr_cpu; i++)
		ctotal += cpu[i].len;
	/* Only pair the lists when they describe the same bytes. */
	if (cpu && ctotal != total)
		cpu = NULL;

	n = dmapeek_split_ranges(NULL, dma, nr_dma, cpu, nr_cpu, kind);
	m = dmapeek_mapping_alloc(n, GFP_KERNEL);
	if (!m)
		return NULL;
	dmapeek_split_ranges(m, dma, nr_dma, cpu, nr_cpu, kind);
	m->attachment_id = imp->a.id;
	m->dev = &imp->ddev->pdev->dev;
	m->path = path;
	m->size = total;
	m->map_ns = dmapeek_now() - t0;
	if (dmapeek_mapping_register(m)) {
		dmapeek_mapping_unregister_free(m);
		return NULL;
	}
	return m;
}

/* The DMA segments of an sg table (for_each_sgtable_dma_sg: nents). */
int dmapeek_sgt_dma_segs(struct sg_table *sgt, struct phys_vec **out, u32 *nr)
{
	struct scatterlist *sg;
	struct phys_vec *v;
	u32 n = 0;
	int i;

	v = kvmalloc_array(max_t(u32, sgt->nents, 1), sizeof(*v),
			   GFP_KERNEL | __GFP_NOWARN);
	if (!v)
		return -ENOMEM;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		v[n].paddr = sg_dma_address(sg);
		v[n].len = sg_dma_len(sg);
		n++;
	}
	*out = v;
	*nr = n;
	return 0;
}

/*
 * Path iova-link: @cpu (nr ranges) into the IOVA range om->state holds,
 * at a running offset, then one sync; @dma gets the addresses.  Undone
 * here on failure.
 */
static int dmapeek_own_map_iova_link(struct device *dev, struct dmapeek_own_map *om,
				     const struct phys_vec *cpu, u32 nr,
				     struct phys_vec *dma)
{
	u64 off = 0;
	u32 i;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = dma_iova_link(dev, &om->state, cpu[i].paddr, off,
				    cpu[i].len, DMA_BIDIRECTIONAL, om->attrs);
		if (ret)
			goto err_destroy;
		dma[i].paddr = om->state.addr + off;
		dma[i].len = cpu[i].len;
		off += cpu[i].len;
	}
	ret = dma_iova_sync(dev, &om->state, 0, off);
	if (ret)
		goto err_destroy;
	return 0;

err_destroy:
	dma_iova_destroy(dev, &om->state, off, DMA_BIDIRECTIONAL, om->attrs);
	return ret;
}

/*
 * Path map-phys: dma_map_phys() range by range, where no IOVA space can
 * be had; @dma gets the addresses.  Undone here on failure.
 */
static int dmapeek_own_map_phys(struct device *dev, struct dmapeek_own_map *om,
				const struct phys_vec *cpu, u32 nr,
				struct phys_vec *dma)
{
	dma_addr_t a;
	u32 i;

	/*
	 * Only what the device reaches as it is: beyond its mask, MMIO
	 * is not bounced and the map WARNs (see dmapeek_dev_reaches());
	 * memory would be bounced (swiotlb) or, with no bounce buffers,
	 * WARN the same way.  A device whose every DMA is bounced
	 * (swiotlb=force, a restricted pool) reaches nothing as it is.
	 * A bounced side mapping would hold the machine's bounce slots
	 * for as long as it stays: none is made, the exporter's sg table
	 * does the DMA.  The length is a backstop, should memory be
	 * bounced anyway: no range longer than one bounce
	 * (dma_max_mapping_size()).
	 */
	for (i = 0; i < nr; i++) {
		if (om->attrs & DMA_ATTR_MMIO) {
			if (!dmapeek_dev_reaches(dev, cpu[i].paddr, cpu[i].len))
				return -ERANGE;
			continue;
		}
		if (!dmapeek_mem_reaches(dev, cpu[i].paddr, cpu[i].len))
			return -ERANGE;
		if (cpu[i].len > dma_max_mapping_size(dev))
			return -E2BIG;
	}
	for (i = 0; i < nr; i++) {
		a = dma_map_phys(dev, cpu[i].paddr, cpu[i].len,
				 DMA_BIDIRECTIONAL, om->attrs);
		if (dma_mapping_error(dev, a))
			goto err_unmap;
		dma[i].paddr = a;
		dma[i].len = cpu[i].len;
	}
	return 0;

err_unmap:
	while (i--)
		dma_unmap_phys(dev, dma[i].paddr, dma[i].len,
			       DMA_BIDIRECTIONAL, om->attrs);
	return -EIO;
}

/*
 * The importer-side mapping of @cpu with the two-step API, or dma_map_phys()
 * per range where no IOMMU translates.  @attrs: DMA_ATTR_MMIO for a BAR.
 */
int dmapeek_own_map(struct dmapeek_imp *imp, struct dmapeek_own_map *om,
		    const struct phys_vec *cpu, u32 nr, unsigned long attrs)
{
	struct device *dev = &imp->ddev->pdev->dev;
	struct phys_vec *dma;
	u64 t0 = dmapeek_now(), total = 0;
	u32 i, path, kind;
	int ret;

	/*
	 * dma_iova_link() at a non-zero offset needs a page-aligned start
	 * (it WARNs otherwise): only whole pages, and only the last range
	 * may end inside a page.
	 */
	for (i = 0; i < nr; i++) {
		if (!PAGE_ALIGNED(cpu[i].paddr) ||
		    (i + 1 < nr && !PAGE_ALIGNED(cpu[i].len)))
			return -EINVAL;
		total += cpu[i].len;
	}
	if (!total)
		return -EINVAL;
	dma = kvmalloc_array(nr, sizeof(*dma), GFP_KERNEL | __GFP_NOWARN);
	if (!dma)
		return -ENOMEM;

	memset(&om->state, 0, sizeof(om->state));
	om->attrs = attrs;
	om->nr = 0;
	if (dma_iova_try_alloc(dev, &om->state, cpu[0].paddr, total)) {
		ret = dmapeek_own_map_iova_link(dev, om, cpu, nr, dma);
		path = DMAPEEK_MAPPING_PATH_IOVA_LINK;
		kind = DMAPEEK_ADDR_KIND_IOVA;
	} else {
		ret = dmapeek_own_map_phys(dev, om, cpu, nr, dma);
		path = DMAPEEK_MAPPING_PATH_MAP_PHYS;
		kind = dmapeek_dev_translates(dev) ? DMAPEEK_ADDR_KIND_IOVA :
						     DMAPEEK_ADDR_KIND_PHYS;
	}
	if (ret)
		goto err_free;
	om->total = total;
	om->dma = dma;
	om->nr = nr;
	om->m = dmapeek_mapping_from_segs(imp, path, dma, nr, cpu, nr, kind, t0);
	return 0;

err_free:
	kvfree(dma);
	return ret;
}

void dmapeek_own_unmap(struct dmapeek_imp *imp, struct dmapeek_own_map *om)
{
	struct device *dev = &imp->ddev->pdev->dev;
	u32 i;

	if (!om->dma)
		return;
	dmapeek_mapping_unregister(om->m);
	if (dma_use_iova(&om->state)) {
		dma_iova_destroy(dev, &om->state, om->total, DMA_BIDIRECTIONAL,
				 om->attrs);
	} else {
		for (i = 0; i < om->nr; i++)
			dma_unmap_phys(dev, om->dma[i].paddr, om->dma[i].len,
				       DMA_BIDIRECTIONAL, om->attrs);
	}
	dmapeek_mapping_unregister_free(om->m);
	kvfree(om->dma);
	memset(om, 0, sizeof(*om));
}

/*
 * Unmap everything of @imp; resv held.  Records the unmap on the attachment
 * and sends the event, whatever asked for it (an unmap by id, an
 * invalidation, the delayed work, teardown).
 */
void dmapeek_import_unmap_locked(struct dmapeek_imp *imp)
{
	u32 mapping_id;

	dma_resv_assert_held(imp->dmabuf->resv);
	if (!imp->sgt)
		return;
	mapping_id = imp->sgt_map ? imp->sgt_map->id : 0;
	dmapeek_own_unmap(imp, &imp->own);
	if (READ_ONCE(imp->a.own_map) != DMAPEEK_OWN_MAP_STATE_FOREIGN_EXPORTER)
		WRITE_ONCE(imp->a.own_map, DMAPEEK_OWN_MAP_STATE_NONE);
	if (dmapeek_import_hooks)
		dmapeek_import_hooks->unmap(imp);
	dmapeek_mapping_unregister_free(imp->sgt_map);
	imp->sgt_map = NULL;
	dma_buf_unmap_attachment(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
	imp->sgt = NULL;
	dmapeek_attachment_unmapped(&imp->a);
	dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_UNMAP, mapping_id, 0);
}

/*
 * The exporter's sg table for @imp (path importer-sgt), its fences waited
 * for; resv held.  On failure the map event with the error is sent.
 */
static struct sg_table *dmapeek_import_map_exporter(struct dmapeek_imp *imp)
{
	struct sg_table *sgt;
	long lret;
	int ret;

	sgt = dma_buf_map_attachment(imp->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		if (ret == -ENODEV)
			WRITE_ONCE(imp->a.revoked_seen, imp->a.revoked_seen + 1);
		dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_MAP, 0, ret);
		return sgt;
	}
	/* Static importers had the core wait; a dynamic one waits itself. */
	if (imp->flags & DMAPEEK_IMPORT_DYNAMIC) {
		lret = dma_resv_wait_timeout(imp->dmabuf->resv, DMA_RESV_USAGE_KERNEL,
					     true, DMAPEEK_IMPORT_FENCE_TIMEOUT);
		if (lret <= 0) {
			/* the exporter saw a map and an unmap: so do listeners */
			ret = lret ? lret : -ETIMEDOUT;
			dma_buf_unmap_attachment(imp->attach, sgt, DMA_BIDIRECTIONAL);
			dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_MAP, 0, ret);
			return ERR_PTR(ret);
		}
	}
	return sgt;
}

/*
 * The record of the exporter's table @sgt (imp->sgt_map): without it, no
 * mapping.  @cpu (ncpu): the offered physical ranges, or NULL; @bus: the
 * table holds bus addresses (a BAR reached through a switch), which have
 * no physical side to pair.
 */
static int dmapeek_import_record_sgt(struct dmapeek_imp *imp, struct sg_table *sgt,
				     const struct phys_vec *cpu, u32 ncpu,
				     bool bus, u64 t0)
{
	struct device *dev = &imp->ddev->pdev->dev;
	struct phys_vec *dma = NULL;
	u32 ndma, kind;
	int ret;

	ret = dmapeek_sgt_dma_segs(sgt, &dma, &ndma);
	if (ret)
		return ret;
	kind = dmapeek_dev_translates(dev) ? DMAPEEK_ADDR_KIND_IOVA :
					     DMAPEEK_ADDR_KIND_PHYS;
	if (bus)
		kind = DMAPEEK_ADDR_KIND_BUS;
	/* a bounced map's addresses are not the memory's: no CPU pairing */
	if (kind == DMAPEEK_ADDR_KIND_PHYS && cpu &&
	    !dmapeek_dma_is_direct(dev, dma, ndma, cpu, ncpu))
		cpu = NULL;
	imp->sgt_map = dmapeek_mapping_from_segs(imp, DMAPEEK_MAPPING_PATH_IMPORTER_SGT,
						 dma, ndma, bus ? NULL : cpu,
						 ncpu, kind, t0);
	kvfree(dma);
	return imp->sgt_map ? 0 : -ENOMEM;
}

/*
 * The importer's own mapping of the offered ranges @cpu (ncpu), side by
 * side with the exporter's: only where the P2P rules let this device reach
 * the memory through the host.  Its failure fails nothing: the attachment
 * says what became of it (own-map none).  Ranges the device does not
 * reach as they are (-ERANGE) or that would be bounced whole (-E2BIG) are
 * refused by policy, as a user may ask on every map: not logged.
 */
static void dmapeek_import_map_own_side(struct dmapeek_imp *imp,
					const struct phys_vec *cpu, u32 ncpu,
					bool ours, unsigned long attrs)
{
	int ret;

	if (cpu && ncpu && (!attrs || imp->a.map_type == DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE)) {
		ret = dmapeek_own_map(imp, &imp->own, cpu, ncpu, attrs);
		if (!ret)
			WRITE_ONCE(imp->a.own_map, DMAPEEK_OWN_MAP_STATE_MAPPED);
		else if (ret != -ERANGE && ret != -E2BIG)
			pr_info_ratelimited("attachment %u: importer-side mapping failed: %d\n",
					    imp->a.id, ret);
	} else if (ours && attrs) {
		WRITE_ONCE(imp->a.own_map,
			   imp->a.map_type == DMAPEEK_MAP_TYPE_BUS_ADDR ?
			   DMAPEEK_OWN_MAP_STATE_BUS_ADDR :
			   DMAPEEK_OWN_MAP_STATE_NOT_SUPPORTED);
	}
}

/* Map if not mapped; resv held.  -ENODEV: revoked (counted). */
int dmapeek_import_map_locked(struct dmapeek_imp *imp)
{
	struct dmapeek_provider *prov = NULL;
	struct phys_vec *cpu = NULL;
	struct sg_table *sgt;
	unsigned long attrs = 0;
	bool ours = false;
	u32 ncpu = 0;
	u64 t0;
	int ret;

	dma_resv_assert_held(imp->dmabuf->resv);
	if (imp->dead)
		return -ENODEV;
	if (imp->sgt)
		return 0;

	t0 = dmapeek_now();
	sgt = dmapeek_import_map_exporter(imp);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	/*
	 * What the device reaches: the physical ranges an exporter offers
	 * (resv held, so they stay).  A foreign exporter's are not ours to
	 * read.
	 */
	ret = dmapeek_phys_get(imp->dmabuf, &cpu, &ncpu, &prov);
	if (!ret) {
		ours = true;
		if (prov && prov->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR)
			attrs = DMA_ATTR_MMIO;
	} else if (ret == -ENOMEM) {
		goto err_unmap;
	} else {
		cpu = NULL;
		ncpu = 0;
	}

	ret = dmapeek_import_record_sgt(imp, sgt, cpu, ncpu,
					ours && attrs &&
					imp->a.map_type == DMAPEEK_MAP_TYPE_BUS_ADDR,
					t0);
	if (ret)
		goto err_free_cpu;
	imp->sgt = sgt;
	WRITE_ONCE(imp->a.maps, imp->a.maps + 1);
	WRITE_ONCE(imp->a.mapped, true);
	WRITE_ONCE(imp->a.last_map_ns, dmapeek_now());

	dmapeek_import_map_own_side(imp, cpu, ncpu, ours, attrs);
	kvfree(cpu);

	if (dmapeek_import_hooks)
		dmapeek_import_hooks->map(imp);
	dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_MAP, imp->sgt_map->id, 0);
	return 0;

err_free_cpu:
	kvfree(cpu);
err_unmap:
	/* the exporter saw a map and an unmap: so do listeners */
	dma_buf_unmap_attachment(imp->attach, sgt, DMA_BIDIRECTIONAL);
	dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_MAP, 0, ret);
	return ret;
}
