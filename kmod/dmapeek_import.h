/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek's importer state, shared by dmapeek_import.c (owner),
 * dmapeek_import_map.c (its mapping paths), dmapeek_edu.c (DMA through an
 * import), dmapeek_audit.c and the debug knobs (dmapeek_debug.c,
 * dmapeek_bench.c).
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

struct dmapeek_debug_map;
struct dmapeek_imp;

/**
 * struct dmapeek_unmap_delay - the delayed unmap of a delayed-unmap importer
 * @work: runs the unmap once the delay has passed
 * @imp: the import it unmaps
 *
 * Allocated for that behaviour only: most imports never wait.
 */
struct dmapeek_unmap_delay {
	struct delayed_work work;
	struct dmapeek_imp *imp;
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
 * @delay: the delayed unmap of a delayed-unmap importer, else NULL
 *
 * Under the buffer's reservation lock:
 * @dead: torn down: invalidations and the delayed unmap do nothing
 * @unmap_pending: a delayed unmap is due
 * @sgt: the exporter's sg table while mapped
 * @sgt_map: its record (path importer-sgt)
 * @own: the importer-side mapping of the same memory
 * @debug: the audit_bar_* mapping beside it (--enable-debug-knobs only,
 *	dmapeek_debug.c), or NULL
 */
struct dmapeek_imp {
	struct dmapeek_attachment a;
	struct kref kref;
	bool pinned;
	bool dead;
	bool unmap_pending;
	struct mutex lock;	/* see @lock above */
	struct list_head node;
	struct dmapeek_device *ddev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	u32 flags;
	u32 behaviour;
	u32 unmap_delay_ms;
	struct dmapeek_unmap_delay *delay;

	struct sg_table *sgt;
	struct dmapeek_mapping *sgt_map;
	struct dmapeek_own_map own;
#ifdef DMAPEEK_DEBUG_KNOBS
	struct dmapeek_debug_map *debug;
#endif
};

/*
 * Shared with dmapeek_debug.c.  A mapping record of @imp from DMA segments
 * @dma (and, when they describe the same bytes, CPU segments @cpu),
 * registered; NULL on failure.
 */
struct dmapeek_mapping *
dmapeek_mapping_from_segs(struct dmapeek_imp *imp, u32 path,
			  const struct phys_vec *dma, u32 nr_dma,
			  const struct phys_vec *cpu, u32 nr_cpu, u32 kind, u64 t0);
/* The DMA segments of @sgt in a kmalloc()ed array. */
int dmapeek_sgt_dma_segs(struct sg_table *sgt, struct phys_vec **out, u32 *nr);
/*
 * Map @cpu for @imp's device with the two-step IOVA API (dma_map_phys()
 * where no IOMMU translates) into @om, with its record; undo with
 * dmapeek_own_unmap().  @attrs: DMA_ATTR_MMIO for a BAR.
 */
int dmapeek_own_map(struct dmapeek_imp *imp, struct dmapeek_own_map *om,
		    const struct phys_vec *cpu, u32 nr, unsigned long attrs);
void dmapeek_own_unmap(struct dmapeek_imp *imp, struct dmapeek_own_map *om);

/**
 * struct dmapeek_import_hooks - debug-only work beside the importer's maps
 * @map: @imp was just mapped (its sg table is new)
 * @unmap: @imp unmaps; also called by the hooks' owner itself
 *
 * Both run with the buffer's reservation lock held (@map also with the
 * import's lock).  dmapeek_debug.c sets dmapeek_import_hooks at module
 * init, before any import exists, and clears it at exit, after the last:
 * the importer never calls the debug code by name.
 */
struct dmapeek_import_hooks {
	void (*map)(struct dmapeek_imp *imp);
	void (*unmap)(struct dmapeek_imp *imp);
};

extern const struct dmapeek_import_hooks *dmapeek_import_hooks;

/*
 * dmapeek_import_map.c, for dmapeek_import.c: map @imp if it is not mapped
 * (the exporter's sg table, its record, the importer-side mapping beside
 * it), and unmap everything of it, with their events; the buffer's
 * reservation lock is held.  Map: -ENODEV when revoked (counted).
 */
int dmapeek_import_map_locked(struct dmapeek_imp *imp);
void dmapeek_import_unmap_locked(struct dmapeek_imp *imp);
/*
 * An event for a transition of @imp, unless an exporter that offers its
 * ranges sends it (see "DOC: dmapeek events").
 */
void dmapeek_import_event(struct dmapeek_imp *imp, u32 type, u32 mapping_id,
			  int error);

/* The imports' slab cache: made at module load, gone at unload. */
int __init dmapeek_import_init(void);
void dmapeek_import_exit(void);

/* Look up an import by attachment id, with a reference; NULL and *@err. */
struct dmapeek_imp *dmapeek_import_get(u32 id, int *err);
void dmapeek_import_put(struct dmapeek_imp *imp);
/* Tear down @imp and drop the reference of the list it was taken off. */
void dmapeek_import_release(struct dmapeek_imp *imp);
/* A held import whose device went: the module's hold goes (import_held.c). */
void dmapeek_import_unhold(struct dmapeek_imp *imp);

/*
 * Map lazily and find the DMA address of @offset; *@chunk: how much of
 * @len is contiguous from there.  Caller holds imp->lock and the resv.
 */
int dmapeek_import_dma_addr(struct dmapeek_imp *imp, u64 offset, u64 len,
			    dma_addr_t *addr, u64 *chunk);

/* The importer's answer to dmapeek_attachment_of() (registered at init). */
struct dmapeek_attachment *dmapeek_import_attachment(struct dma_buf_attachment *attach);

#endif /* _DMAPEEK_IMPORT_H */
