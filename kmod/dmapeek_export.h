/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek's exporter state, shared by its rooms: dmapeek_backing.c (the
 * memory), dmapeek_export.c (dma_buf_ops and export),
 * dmapeek_export_map.c (the map and unmap paths), dmapeek_op.c (revoke,
 * restore, move), dmapeek_export_gone.c (device removal) and
 * dmapeek_export_nl.c (netlink).  Nothing outside them includes it.
 */
#ifndef _DMAPEEK_EXPORT_H
#define _DMAPEEK_EXPORT_H

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "dmapeek.h"

/**
 * DOC: dmapeek exporter locking
 *
 * The exporter's own nesting, inside "DOC: dmapeek locking" (dmapeek.h):
 *
 *   dma_buf resv -> dmapeek_buffer.lock -> dmapeek_provider.alloc_lock
 *     -> dmapeek_lock
 *
 * A buffer's backing pointer changes only with the reservation lock, the
 * buffer lock and dmapeek_lock all held (move, device gone), so any one of
 * them is enough to read it: map/unmap (resv), the CPU fault handler (the
 * buffer lock, taken under mmap_lock, which lockdep orders before resv)
 * and the fill functions (dmapeek_lock).
 *
 * A backing is reference counted: one reference while it is the buffer's
 * current backing, one per live DMA mapping of it.  After a move the old
 * backing is freed by the unmap of its last mapping.  Each backing holds a
 * reference on its provider and is counted in the provider's @buffers, so
 * a provider outlives every backing allocated from it, and its device's
 * removal waits until none is left (dmapeek_export_device_gone()).
 *
 * A provider's @gone is set under its alloc_lock.  Everything that makes a
 * backing on a BAR provider reachable (allocating it, making it a
 * buffer's current backing in a move, adding a new buffer to the table)
 * checks @gone under that lock, so once removal has set it, a walk of the
 * buffer table under each buffer's reservation lock sees every buffer
 * whose memory is on the device.
 *
 * No lock is held while waiting for importers to unmap (revoke, move);
 * that wait runs in dmapeek_op_wq, never in a user's task (see "DOC:
 * revoke and move over netlink").  ioctl arguments, including the range
 * array, are copied from user space before any lock is taken.
 */

/* BAR space handed out to a backing: one per range, on prov->allocs. */
struct dmapeek_bar_alloc {
	struct list_head node;
	struct dmapeek_backing *backing;
	u64 offset;
	u64 len;
};

/**
 * struct dmapeek_backing - the memory behind a buffer
 * @kref: one for "current backing of its buffer", one per DMA mapping
 * @prov: the provider; NULL once a BAR backing was detached (device gone)
 * @prov_id: its id, for reports (stays after the detach)
 * @kind: DMAPEEK_PROVIDER_KIND_*
 * @size: total length
 * @nr: entries in @vec (BAR: the export's ranges; system: runs of
 *	physically contiguous pages, or one per page with @page_chunks)
 * @vec: CPU physical ranges, in buffer order
 * @allocs: BAR allocations (BAR backings), @nr of them
 * @pages: system pages (system backings), @nr_pages of them: each chunk
 *	(a compound page of order 8 or 4, or a single page) head first,
 *	then its tail pages; freed chunk by chunk with its order
 * @nr_pages: entries in @pages
 * @page_chunks: a system backing built page by page
 *	(DMAPEEK_EXPORT_PAGE_CHUNKS): a range and an sg entry per page
 * @maps: live DMA mappings of this backing (a move waits for the old
 *	backing's to go)
 */
struct dmapeek_backing {
	struct kref kref;
	atomic_t maps;
	struct dmapeek_provider *prov;
	u32 prov_id;
	u32 kind;
	u64 size;
	u32 nr;
	struct phys_vec *vec;
	struct dmapeek_bar_alloc *allocs;
	struct page **pages;
	unsigned long nr_pages;
	bool page_chunks;
};

/**
 * struct dmapeek_buffer - a dma-buf dmapeek exported
 * @id: stable id
 * @dmabuf: the dma-buf (the buffer lives as long as it does)
 * @model: DMAPEEK_MODEL_*
 * @name: name given at export
 * @size: its size
 * @lock: see "DOC: dmapeek exporter locking"; also serializes CPU faults
 *	against a move's copy
 * @backing: current backing; NULL after the device went away
 * @state: DMAPEEK_BUFFER_STATE_*
 * @ino: the dma-buf's inode number (cached: the fill function may run
 *	while the file is being released)
 * @revoked: maps fail with -ENODEV (resv)
 * @dead: revoked for good: the provider went away (resv)
 * @evicting: an invalidate because the memory of an old backing goes away
 *	(resv): dmapeek's importer must unmap at once
 * @attachments: struct dmapeek_exp_attach list (resv)
 * @nl_attachments: the same attachments' records (struct
 *	dmapeek_attachment.buf_node) in id order, under dmapeek_lock, for
 *	the buffer-filtered attachment dump (which cannot take the resv)
 * @nr_attachments: for fill
 * @mapped: live DMA mappings of this buffer, any backing
 * @wq: woken when @mapped drops
 * @pins: pin count (resv), read with READ_ONCE()
 * @moves: moves done (resv), read with READ_ONCE()
 * @revokes: revokes done (resv), read with READ_ONCE()
 * @op: the revoke or move whose second half is queued or running
 *	(dmapeek_op_wq), 0 without one (resv; read with READ_ONCE() for a
 *	first look without it)
 * @created_ns: CLOCK_MONOTONIC at export
 * @prov_id: the provider of @backing, 0 without one; written with it,
 *	read with READ_ONCE() where the backing may change (events)
 * @held: the module holds a reference to @dmabuf (DMAPEEK_EXPORT_HOLD)
 *	until buffer-delete (dmapeek_lock)
 * @page_chunks: exported with DMAPEEK_EXPORT_PAGE_CHUNKS: a move to system
 *	memory builds the new backing page by page too
 */
struct dmapeek_buffer {
	u32 id;
	struct dma_buf *dmabuf;
	u32 model;
	char name[DMAPEEK_NAME_LEN];
	u64 size;
	u64 ino;
	struct mutex lock;	/* see @lock above */
	struct dmapeek_backing *backing;
	u32 state;
	bool revoked;
	bool dead;
	bool evicting;
	struct list_head attachments;
	struct list_head nl_attachments;
	atomic_t nr_attachments;
	atomic_t mapped;
	wait_queue_head_t wq;
	u32 pins;
	u32 moves;
	u32 revokes;
	u64 op;
	u64 created_ns;
	u32 prov_id;
	bool held;
	bool page_chunks;
};

/**
 * struct dmapeek_exp_attach - exporter side of one attachment (attach->priv)
 * @node: on buffer->attachments (resv)
 * @attach: the dma-buf core's attachment.  The exporter keeps its own
 *	pointer: when dmapeek imports its own buffer, the importer's record
 *	(@a) learns the attachment only after dma_buf_dynamic_attach()
 *	returns and forgets it before dma_buf_detach(), while this entry is
 *	already, or still, on the buffer's list
 * @a: the dmapeek record (ours, or the importer's when it made it)
 * @own: @a was allocated here (and is freed at detach)
 * @maps: struct dmapeek_xmap list: live mappings (resv)
 * @pins: the buffer's pins that are this attachment's (resv): the core's
 *	pin on map of a static importer, or a dynamic importer's dma_buf_pin()
 * @last_unmap_ns: time of the last unmap, for revoke latencies
 */
struct dmapeek_exp_attach {
	struct list_head node;
	struct dma_buf_attachment *attach;
	struct dmapeek_attachment *a;
	struct list_head maps;
	u32 pins;
	bool own;		/* after @pins: the record fits kmalloc-64 */
	u64 last_unmap_ns;
};

/* How a mapping was made, so that unmap undoes exactly that. */
struct dmapeek_xmap {
	struct list_head node;
	struct sg_table *sgt;
	struct dmapeek_backing *backing;	/* holds a reference */
	u32 path;
	enum dma_data_direction dir;		/* of the map */
	u32 saved_nents;			/* own sgts: orig_nents */
	u64 bounced;				/* sgtable: bytes reserved bounced */
	struct dma_iova_state state;
	struct dmapeek_mapping *m;
};

/**
 * struct dmapeek_revoke_att - outcome of a revoke for one attachment
 * @id: the attachment's id
 * @was_mapped: it had a live mapping when the revoke began
 * @stuck: it did not unmap in time
 * @unmap_ns: how long its unmap took
 */
struct dmapeek_revoke_att {
	u32 id;
	bool was_mapped;
	bool stuck;
	u64 unmap_ns;
};

/**
 * struct dmapeek_revoke_result - the outcome of a revoke or a move
 * @op: the operation's number, carried by its begin, stuck and done events
 * @done: the event that ends it (revoke-done or move-done)
 * @t0: when importers were told
 * @only: a move's old backing (a reference): the wait is for its mappings
 * @nr: entries in @att, the attachments when the operation began
 * @stuck: how many of them did not unmap in time
 * @duration_ns: from @t0 to the last unmap, or to the timeout
 * @att: per attachment
 */
struct dmapeek_revoke_result {
	u64 op;
	u32 done;
	u64 t0;
	struct dmapeek_backing *only;
	u32 nr;
	u32 stuck;
	u64 duration_ns;
	struct dmapeek_revoke_att *att;
};

/* ------------------------------------------------------------------- events */

/* An event of @buf, of its attachment @a (NULL: of the buffer itself). */
static inline void dmapeek_buf_event(struct dmapeek_buffer *buf, u32 type,
				     const struct dmapeek_attachment *a,
				     u32 mapping_id, u64 duration, u32 count, int error)
{
	struct dmapeek_event ev = {
		.type = type,
		.buffer_id = buf->id,
		.attachment_id = a ? a->id : 0,
		.importer_dev = a ? a->importer_dev : NULL,
		.mapping_id = mapping_id,
		.provider_id = READ_ONCE(buf->prov_id),
		.duration_ns = duration,
		.count = count,
		.error = error,
	};

	dmapeek_event(&ev);
}

/* An attach or map event of @a: it carries the attachment's map type. */
static inline void dmapeek_att_event(struct dmapeek_buffer *buf, u32 type,
				     struct dmapeek_attachment *a, u32 mapping_id,
				     u64 duration, int error)
{
	struct dmapeek_event ev = {
		.type = type,
		.buffer_id = buf->id,
		.attachment_id = a->id,
		.importer_dev = a->importer_dev,
		.mapping_id = mapping_id,
		.provider_id = READ_ONCE(buf->prov_id),
		.duration_ns = duration,
		.error = error,
		.map_type = READ_ONCE(a->map_type),
	};

	dmapeek_event(&ev);
}

/* --------------------------------------------------- dmapeek_backing.c */

void dmapeek_backing_put(struct dmapeek_backing *b);
struct dmapeek_backing *dmapeek_backing_system(struct dmapeek_provider *prov,
					       u64 size, bool page_chunks);
struct dmapeek_backing *dmapeek_backing_bar(struct dmapeek_provider *prov,
					    const struct dmapeek_range *ranges,
					    u32 nr, u64 size);
struct dmapeek_backing *dmapeek_backing_alloc(struct dmapeek_provider *prov,
					      u64 size, bool page_chunks);
unsigned long dmapeek_backing_pfn(struct dmapeek_backing *b, u64 off);
int dmapeek_backing_copy(struct dmapeek_backing *dst,
			 struct dmapeek_backing *src);
u32 dmapeek_backing_map_type(struct dmapeek_backing *b, struct device *dev);
int dmapeek_backing_allows(struct dmapeek_backing *b,
			   struct dma_buf_attachment *attach,
			   const char **why);

/* --------------------------------------------------- dmapeek_export.c */

bool dmapeek_export_owns(const struct dma_buf *dmabuf);
struct dmapeek_backing *dmapeek_buffer_set_backing(struct dmapeek_buffer *buf,
						   struct dmapeek_backing *b);
void dmapeek_buffer_zap(struct dmapeek_buffer *buf);
void dmapeek_buffer_retype(struct dmapeek_buffer *buf);
struct dmapeek_buffer *dmapeek_buffer_get(u32 id);
int dmapeek_buffer_delete(u32 id);
u32 dmapeek_buffer_delete_all(void);
void dmapeek_buffer_put(struct dmapeek_buffer *buf);

/* ----------------------------------------------- dmapeek_export_map.c */

struct sg_table *dmapeek_dmabuf_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir);
void dmapeek_dmabuf_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir);

/* ----------------------------------------------------- dmapeek_op.c */

/* Operation numbers: revoke, move, and a device removal's revoke. */
extern atomic64_t dmapeek_op_seq;
void dmapeek_buffer_tell(struct dmapeek_buffer *buf);
void dmapeek_op_event(struct dmapeek_buffer *buf, u32 type,
		      const struct dmapeek_revoke_result *res,
		      const struct dmapeek_attachment *a,
		      u64 duration, u32 count, int error);

/* ----------------------------------------------- dmapeek_export_nl.c */

struct dmapeek_buffer *dmapeek_nl_buffer(struct genl_info *info, int attr);
size_t dmapeek_result_size(u32 nr);
int dmapeek_put_event_result(struct sk_buff *skb, const void *arg);

#endif /* _DMAPEEK_EXPORT_H */
