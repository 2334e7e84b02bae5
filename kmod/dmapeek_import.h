/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek's importer state, shared by dmapeek_import.c (owner),
 * dmapeek_edu.c (DMA through an import) and dmapeek_audit.c.
 */
#ifndef _DMAPEEK_IMPORT_H
#define _DMAPEEK_IMPORT_H

#include <linux/dma-mapping.h>
#include <linux/workqueue.h>

#include "dmapeek.h"

/**
 * struct dmapeek_own_map - an importer-side mapping of physical ranges
 * @m: its record (path iova-link or map-phys)
 * @state: the IOVA of the two-step API (unused for map-phys)
 * @attrs: DMA_ATTR_MMIO for BAR memory
 * @dma: the DMA address of each range
 * @nr: number of ranges
 * @total: bytes mapped
 */
struct dmapeek_own_map {
	struct dmapeek_mapping *m;
	struct dma_iova_state state;
	unsigned long attrs;
	struct phys_vec *dma;
	u32 nr;
	u64 total;
};

/**
 * struct dmapeek_imp - one import made by dmapeek's importer
 * @a: its attachment record (in dmapeek_attachments while attached)
 * @kref: the owning file's list and lookups by id hold references
 * @lock: serializes map, unmap, DMA and teardown of this import
 * @node: in dmapeek_file.imports (under dmapeek_file.lock)
 * @ddev: the client device
 * @dmabuf: the buffer (reference dropped with the last kref)
 * @attach: the kernel's attachment; NULL once torn down (under @lock)
 * @flags: DMAPEEK_IMPORT_*
 * @behaviour: how invalidation is answered (enum dmapeek_behaviour)
 * @unmap_delay_ms: delay before the unmap of a delayed-unmap importer
 * @pinned: dma_buf_pin() done
 * @unmap_work: the delayed unmap of a delayed-unmap importer
 *
 * Under the buffer's reservation lock:
 * @dead: torn down: invalidations and the delayed unmap do nothing
 * @unmap_pending: a delayed unmap is due
 * @sgt: the exporter's sg table while mapped
 * @sgt_map: its record (path importer-sgt)
 * @own: the importer-side mapping of the same memory
 * @helper_sgt: sg table from dma_buf_phys_vec_to_sgt() (audit_bar_* debug path)
 * @helper_map: its record (path phys-vec-helper)
 * @debug_own: two-step mapping of the same debug BAR ranges
 * @helper_emul: replay of the helper when its IOVA link failed (-EADDRINUSE)
 * @helper_err: the helper's error, 0 if it succeeded
 */
struct dmapeek_imp {
	struct dmapeek_attachment a;
	struct kref kref;
	struct mutex lock;	/* see @lock above */
	struct list_head node;
	struct dmapeek_device *ddev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	u32 flags;
	u32 behaviour;
	u32 unmap_delay_ms;
	bool pinned;
	struct delayed_work unmap_work;

	bool dead;
	bool unmap_pending;
	struct sg_table *sgt;
	struct dmapeek_mapping *sgt_map;
	struct dmapeek_own_map own;
	struct sg_table *helper_sgt;
	struct dmapeek_mapping *helper_map;
	struct dmapeek_own_map debug_own;
	struct dmapeek_own_map helper_emul;
	int helper_err;
};

/* Look up an import by attachment id, with a reference; NULL and *@err. */
struct dmapeek_imp *dmapeek_import_get(u32 id, int *err);
void dmapeek_import_put(struct dmapeek_imp *imp);

/*
 * Map lazily and find the DMA address of @offset; *@chunk: how much of
 * @len is contiguous from there.  Caller holds imp->lock and the resv.
 */
int dmapeek_import_dma_addr(struct dmapeek_imp *imp, u64 offset, u64 len,
			    dma_addr_t *addr, u64 *chunk);

#endif /* _DMAPEEK_IMPORT_H */
