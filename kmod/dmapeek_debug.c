// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the test lab's debug knobs.
 *
 * Built only with configure --enable-debug-knobs (the lab's module, see
 * tests/guest-lab); the module users load (the packages, DKMS) has none of
 * this, and dmapeek_debug.h gives the rest of the module empty hooks
 * instead.  The knobs are module parameters only root may read or write:
 *
 *  - audit_bar_provider, audit_bar_ranges: on every map of an import made
 *    by dmapeek's importer, also map audit_bar_ranges one-page ranges
 *    (every other page from offset 0) of BAR provider audit_bar_provider
 *    for the import's device, through the kernel's helper
 *    dma_buf_phys_vec_to_sgt() and through the two-step IOVA API side by
 *    side, so that the IOVA audit can compare them (tests/guest/t-audit.sh).
 *    While the helper links every range at IOVA offset 0
 *    (DMAPEEK_PHYS_VEC_LINKS_AT_0, dmapeek_compat.h), behind an IOMMU
 *    whose page table refuses to map over a live entry its second link
 *    fails (-EADDRINUSE), and the helper's links are replayed to record
 *    the single run its sg table would claim.  Such a mapping holds
 *    a reference on the provider (dmapeek_provider_get()) and goes with
 *    the import's unmap, or, before the provider's BARs go, with its
 *    device (dmapeek_debug_device_gone()).
 *  - mmio_bar_providers (at load): non-prefetchable memory BARs, register
 *    space, become providers too (tests/guest/t-export.sh).
 *
 * The benchmark ioctl (dmapeek_bench.c, DMAPEEK_IOC_BENCH_MAP) is built
 * with the same option.
 *
 * Lock order: the import's lock, the buffer's reservation lock, then
 * dmapeek_debug_lock (the list of live debug mappings), then dmapeek_lock.
 * A device going away takes dmapeek_debug_lock alone, and the reservation
 * lock of each import it finds after dropping it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "dmapeek.h"
#include "dmapeek_debug.h"
#include "dmapeek_import.h"

static unsigned int audit_bar_provider;
module_param(audit_bar_provider, uint, 0600);
MODULE_PARM_DESC(audit_bar_provider,
		 "debug: with audit_bar_ranges, map that many one-page ranges of this BAR provider through dma_buf_phys_vec_to_sgt() and the two-step IOVA API on every import map");
static unsigned int audit_bar_ranges;
module_param(audit_bar_ranges, uint, 0600);
MODULE_PARM_DESC(audit_bar_ranges,
		 "debug: number of one-page ranges (every other page from offset 0), 0 = off");

/* dmapeek_pci.c reads it: false without the debug knobs */
module_param_named(mmio_bar_providers, dmapeek_mmio_bar_providers, bool, 0400);
MODULE_PARM_DESC(mmio_bar_providers,
		 "debug: also export from non-prefetchable memory BARs (register space; default: no)");

/**
 * struct dmapeek_debug_map - the audit_bar_* mapping of one import
 * @node: on dmapeek_debug_maps (under dmapeek_debug_lock)
 * @imp: the import, whose imp->debug this is (under its reservation lock)
 * @prov: the BAR provider mapped, referenced for as long as this lives;
 *	its BAR and @p2p stay while this is listed, since its device's
 *	removal drops this first (dmapeek_debug_device_gone())
 * @helper_sgt: sg table from dma_buf_phys_vec_to_sgt(), when it succeeded
 * @helper_map: its record (path phys-vec-helper)
 * @own: the two-step mapping of the same ranges (path iova-link)
 * @helper_emul: replay of the helper when its IOVA link failed (-EADDRINUSE)
 * @helper_err: the helper's error, 0 if it succeeded
 */
struct dmapeek_debug_map {
	struct list_head node;
	struct dmapeek_imp *imp;
	struct dmapeek_provider *prov;
	struct sg_table *helper_sgt;
	struct dmapeek_mapping *helper_map;
	struct dmapeek_own_map own;
	struct dmapeek_own_map helper_emul;
	int helper_err;
};

static DEFINE_MUTEX(dmapeek_debug_lock);	/* protects dmapeek_debug_maps */
static LIST_HEAD(dmapeek_debug_maps);

/*
 * When the IOMMU refuses the helper's second dma_iova_link() at offset 0
 * (-EADDRINUSE: the page table will not map over a live entry), replay
 * what the helper did up to there: one IOVA for the total, every range
 * linked at offset 0 (only the first sticks), one sg run of the total
 * length at the IOVA's start.  The record (path phys-vec-helper) is what
 * the helper's sg table would have claimed; the audit must flag it.
 */
static void dmapeek_debug_helper_replay(struct dmapeek_imp *imp,
					struct dmapeek_own_map *om,
					const struct phys_vec *vec, u32 nr, u64 total)
{
	struct device *dev = &imp->ddev->pdev->dev;
	struct phys_vec run;
	u64 t0 = dmapeek_now();
	u32 i;

	memset(om, 0, sizeof(*om));
	if (!dma_iova_try_alloc(dev, &om->state, 0, total))
		return;
	for (i = 0; i < nr; i++)
		if (!dma_iova_link(dev, &om->state, vec[i].paddr, 0, vec[i].len,
				   DMA_BIDIRECTIONAL, DMA_ATTR_MMIO) && !om->total)
			om->total = vec[i].len;
	if (!om->total || dma_iova_sync(dev, &om->state, 0, om->total)) {
		dma_iova_destroy(dev, &om->state, om->total, DMA_BIDIRECTIONAL,
				 DMA_ATTR_MMIO);
		memset(om, 0, sizeof(*om));
		return;
	}
	om->attrs = DMA_ATTR_MMIO;
	om->nr = 0;
	om->dma = kzalloc_obj(*om->dma);
	run.paddr = om->state.addr;
	run.len = total;
	om->m = dmapeek_mapping_from_segs(imp, DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER,
					  &run, 1, vec, nr, DMAPEEK_ADDR_KIND_IOVA, t0);
	if (!om->dma) {
		dmapeek_mapping_unregister_free(om->m);
		dma_iova_destroy(dev, &om->state, om->total, DMA_BIDIRECTIONAL,
				 DMA_ATTR_MMIO);
		memset(om, 0, sizeof(*om));
		return;
	}
	pr_info_ratelimited("attachment %u: replayed the helper's offset-0 links as mapping %u\n",
			    imp->a.id, om->m ? om->m->id : 0);
}

/*
 * The usable BAR provider @id, referenced, with @dm listed under the same
 * lock: a device going away (dmapeek_debug_device_gone(), after it marked
 * its providers gone) either finds @dm, and then waits for the
 * reservation lock our caller holds, or is seen here as gone.
 */
static struct dmapeek_provider *dmapeek_debug_list(struct dmapeek_debug_map *dm,
						   u32 id, u32 nr)
{
	struct dmapeek_provider *prov;

	mutex_lock(&dmapeek_debug_lock);
	prov = dmapeek_provider_get(id);
	if (prov && (prov->kind != DMAPEEK_PROVIDER_KIND_PCI_BAR ||
		     (u64)nr * 2 * PAGE_SIZE > prov->size)) {
		dmapeek_provider_put(prov);
		prov = NULL;
	}
	if (prov) {
		dm->prov = prov;
		list_add_tail(&dm->node, &dmapeek_debug_maps);
	}
	mutex_unlock(&dmapeek_debug_lock);
	return prov;
}

/*
 * audit_bar_*: map N one-page ranges of a BAR, every other page, through
 * the kernel helper and through the two-step API, side by side.
 */
static void dmapeek_debug_import_map(struct dmapeek_imp *imp)
{
	u32 nr = READ_ONCE(audit_bar_ranges), id = READ_ONCE(audit_bar_provider);
	struct dmapeek_debug_map *dm;
	struct dmapeek_provider *prov;
	struct phys_vec *vec, *dma;
	struct sg_table *sgt;
	u32 i, ndma;
	u64 t0;

	dma_resv_assert_held(imp->dmabuf->resv);
	if (!nr || !id || imp->debug)
		return;
	dm = kzalloc_obj(*dm);
	vec = kcalloc(nr, sizeof(*vec), GFP_KERNEL);
	if (!dm || !vec)
		goto err_free;
	dm->imp = imp;
	prov = dmapeek_debug_list(dm, id, nr);
	if (!prov) {
		pr_warn_ratelimited("audit_bar_provider %u: not a usable BAR provider\n", id);
		goto err_free;
	}
	imp->debug = dm;
	for (i = 0; i < nr; i++) {
		vec[i].paddr = prov->start + (u64)i * 2 * PAGE_SIZE;
		vec[i].len = PAGE_SIZE;
	}

	t0 = dmapeek_now();
	sgt = dma_buf_phys_vec_to_sgt(imp->attach, prov->p2p, vec, nr,
				      (size_t)nr * PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		dm->helper_err = PTR_ERR(sgt);
		pr_info_ratelimited("attachment %u: dma_buf_phys_vec_to_sgt(%u ranges): %d\n",
				    imp->a.id, nr, dm->helper_err);
		if (DMAPEEK_PHYS_VEC_LINKS_AT_0 && dm->helper_err == -EADDRINUSE)
			dmapeek_debug_helper_replay(imp, &dm->helper_emul, vec, nr,
						    (u64)nr * PAGE_SIZE);
	} else if (!dmapeek_sgt_dma_segs(sgt, &dma, &ndma)) {
		bool iova = dmapeek_dev_translates(&imp->ddev->pdev->dev);

		dm->helper_err = 0;
		dm->helper_sgt = sgt;
		dm->helper_map =
			dmapeek_mapping_from_segs(imp, DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER,
						  dma, ndma, vec, nr,
						  iova ? DMAPEEK_ADDR_KIND_IOVA :
							 DMAPEEK_ADDR_KIND_PHYS,
						  t0);
		kvfree(dma);
	} else {
		dmapeek_phys_vec_sgt_free(imp->attach, sgt, DMA_BIDIRECTIONAL);
	}
	if (dmapeek_own_map(imp, &dm->own, vec, nr, DMA_ATTR_MMIO))
		pr_info_ratelimited("attachment %u: two-step map of the debug BAR ranges failed\n",
				    imp->a.id);
	kfree(vec);
	return;

err_free:
	kfree(vec);
	kfree(dm);
}

static void dmapeek_debug_import_unmap(struct dmapeek_imp *imp)
{
	struct dmapeek_debug_map *dm = imp->debug;

	dma_resv_assert_held(imp->dmabuf->resv);
	if (!dm)
		return;
	dmapeek_own_unmap(imp, &dm->own);
	dmapeek_own_unmap(imp, &dm->helper_emul);
	/* unregistered before its addresses go: the audit may be walking it */
	dmapeek_mapping_unregister(dm->helper_map);
	if (dm->helper_sgt)
		dmapeek_phys_vec_sgt_free(imp->attach, dm->helper_sgt, DMA_BIDIRECTIONAL);
	dmapeek_mapping_unregister_free(dm->helper_map);
	imp->debug = NULL;

	mutex_lock(&dmapeek_debug_lock);
	list_del(&dm->node);
	mutex_unlock(&dmapeek_debug_lock);
	/* nothing maps the BAR any more: let the provider go */
	dmapeek_provider_put(dm->prov);
	kfree(dm);
}

/*
 * @ddev is being unbound and its providers are marked gone, so no new
 * debug mapping of its BARs starts; drop the live ones, each under its
 * import's reservation lock, before the BARs and their P2P providers go
 * (pcim_p2pdma_provider()'s rule: nothing mapped survives remove()).
 */
static void dmapeek_debug_device_gone(struct dmapeek_device *ddev)
{
	struct dmapeek_debug_map *dm;
	struct dmapeek_imp *imp;

	for (;;) {
		imp = NULL;
		mutex_lock(&dmapeek_debug_lock);
		list_for_each_entry(dm, &dmapeek_debug_maps, node) {
			if (dm->prov->dev == ddev) {
				/*
				 * Listed, so not torn down yet (teardown
				 * unlists it first): the import is alive.
				 */
				imp = dm->imp;
				kref_get(&imp->kref);
				break;
			}
		}
		mutex_unlock(&dmapeek_debug_lock);
		if (!imp)
			return;
		dma_resv_lock(imp->dmabuf->resv, NULL);
		if (imp->debug && imp->debug->prov->dev == ddev)
			dmapeek_debug_import_unmap(imp);
		dma_resv_unlock(imp->dmabuf->resv);
		dmapeek_import_put(imp);
	}
}

static const struct dmapeek_import_hooks dmapeek_debug_import_hooks = {
	.map = dmapeek_debug_import_map,
	.unmap = dmapeek_debug_import_unmap,
};

/*
 * Registered after the exporter's listener and before the importer's: on
 * an unbind, the device's BARs lose their buffers, then their debug
 * mappings, before the importer detaches the device's imports (see
 * dmapeek_main.c).  It is provider-side work, so it runs with the
 * providers' end, also when a probe fails after its providers were
 * listed: an import elsewhere may have mapped them already.
 */
static struct dmapeek_dev_listener dmapeek_debug_dev_listener = {
	.name = "debug",
	.providers_gone = dmapeek_debug_device_gone,
};

void dmapeek_debug_register(void)
{
	dmapeek_import_hooks = &dmapeek_debug_import_hooks;
	dmapeek_dev_listen(&dmapeek_debug_dev_listener);
}

void dmapeek_debug_unregister(void)
{
	dmapeek_dev_unlisten(&dmapeek_debug_dev_listener);
	dmapeek_import_hooks = NULL;
}
