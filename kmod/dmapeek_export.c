// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the exporter.  Buffers backed by system pages or by ranges of a
 * PCI BAR, in three memory models (pinned, movable, revocable), with move
 * between providers and VFIO-style revoke, every step recorded and sent as
 * an event.  The model for revoke is drivers/vfio/pci/vfio_pci_dmabuf.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pci-p2pdma.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

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

#define DMAPEEK_MAX_RANGES	1024
#define DMAPEEK_DEFAULT_TIMEOUT_MS 1000
/* How often a device removal waiting for importers reports them. */
#define DMAPEEK_GONE_REPORT_MS	5000

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
 * @nr: entries in @vec (BAR: the export's ranges; system: coalesced pages)
 * @vec: CPU physical ranges, in buffer order
 * @allocs: BAR allocations (BAR backings), @nr of them
 * @pages: system pages (system backings), @nr_pages of them
 * @nr_pages: entries in @pages
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
	bool own;
	struct list_head maps;
	u32 pins;
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
	struct dma_iova_state state;
	struct dmapeek_mapping *m;
};

static const struct dma_buf_ops dmapeek_dmabuf_ops;
static const struct dma_buf_ops dmapeek_dmabuf_movable_ops;

bool dmapeek_export_owns(const struct dma_buf *dmabuf)
{
	return dmabuf->ops == &dmapeek_dmabuf_ops ||
	       dmabuf->ops == &dmapeek_dmabuf_movable_ops;
}

/*
 * The importer side asks for the CPU physical ranges of a buffer dmapeek
 * exported, to map them itself (two-step IOVA API) and to audit mappings.
 * The caller holds the reservation lock: a move or a device going away
 * changes the backing, and frees a provider, only after taking it, so the
 * ranges and the provider stay valid until the caller unlocks.
 */
int dmapeek_export_phys(struct dma_buf *dmabuf, struct phys_vec **vec, u32 *nr,
			struct dmapeek_provider **prov)
{
	struct dmapeek_buffer *buf;
	struct dmapeek_backing *b;
	struct phys_vec *v;

	if (!dmapeek_export_owns(dmabuf))
		return -EOPNOTSUPP;
	dma_resv_assert_held(dmabuf->resv);
	buf = dmabuf->priv;
	b = buf->backing;
	if (buf->revoked || !b)
		return -ENODEV;
	/* kvfree() it: a scattered system backing has many ranges */
	v = kvmalloc_array(b->nr, sizeof(*v), GFP_KERNEL | __GFP_NOWARN);
	if (!v)
		return -ENOMEM;
	memcpy(v, b->vec, array_size(b->nr, sizeof(*v)));
	*vec = v;
	*nr = b->nr;
	*prov = b->prov;
	return 0;
}

bool dmapeek_export_must_unmap(struct dma_buf *dmabuf)
{
	struct dmapeek_buffer *buf;

	if (!dmapeek_export_owns(dmabuf))
		return false;
	dma_resv_assert_held(dmabuf->resv);
	buf = dmabuf->priv;
	return buf->dead || buf->evicting;
}

static void dmapeek_buf_event(struct dmapeek_buffer *buf, u32 type, u32 attach_id,
			      u32 mapping_id, u64 duration, u32 count, int error)
{
	struct dmapeek_event ev = {
		.type = type,
		.buffer_id = buf->id,
		.attachment_id = attach_id,
		.mapping_id = mapping_id,
		.provider_id = READ_ONCE(buf->prov_id),
		.duration_ns = duration,
		.count = count,
		.error = error,
	};

	dmapeek_event(&ev);
}

/* An attach or map event of @a: it carries the attachment's map type. */
static void dmapeek_att_event(struct dmapeek_buffer *buf, u32 type,
			      struct dmapeek_attachment *a, u32 mapping_id,
			      u64 duration, int error)
{
	struct dmapeek_event ev = {
		.type = type,
		.buffer_id = buf->id,
		.attachment_id = a->id,
		.mapping_id = mapping_id,
		.provider_id = READ_ONCE(buf->prov_id),
		.duration_ns = duration,
		.error = error,
		.map_type = READ_ONCE(a->map_type),
	};

	dmapeek_event(&ev);
}

/* ------------------------------------------------------------------ backing */

static void dmapeek_backing_release(struct kref *kref)
{
	struct dmapeek_backing *b = container_of(kref, struct dmapeek_backing, kref);
	struct dmapeek_provider *prov = b->prov;
	unsigned long i;
	u32 r;

	if (prov) {
		if (b->allocs) {
			mutex_lock(&prov->alloc_lock);
			for (r = 0; r < b->nr; r++)
				list_del(&b->allocs[r].node);
			mutex_unlock(&prov->alloc_lock);
		}
		atomic64_sub(b->size, &prov->bytes_exported);
		if (atomic_dec_and_test(&prov->buffers))
			wake_up_all(&prov->wq);
		dmapeek_provider_put(prov);
	}

	/* (an allocation that failed half way leaves NULL pages, or none) */
	for (i = 0; b->pages && i < b->nr_pages; i++)
		if (b->pages[i])
			__free_page(b->pages[i]);
	kvfree(b->pages);
	kfree(b->allocs);
	kvfree(b->vec);
	kfree(b);
}

static void dmapeek_backing_put(struct dmapeek_backing *b)
{
	if (b)
		kref_put(&b->kref, dmapeek_backing_release);
}

static struct dmapeek_backing *dmapeek_backing_new(struct dmapeek_provider *prov,
						   u64 size)
{
	struct dmapeek_backing *b;

	b = kzalloc_obj(*b);
	if (!b)
		return NULL;
	kref_init(&b->kref);
	b->kind = prov->kind;
	b->size = size;
	return b;
}

/*
 * Account @b on its provider, with a reference: from here on, release
 * undoes it.  BAR backings are published under prov->alloc_lock with
 * @gone checked; system memory never goes.
 */
static void dmapeek_backing_publish(struct dmapeek_backing *b,
				    struct dmapeek_provider *prov)
{
	dmapeek_provider_hold(prov);
	b->prov = prov;
	b->prov_id = prov->id;
	atomic64_add(b->size, &prov->bytes_exported);
	atomic_inc(&prov->buffers);
}

static struct dmapeek_backing *dmapeek_backing_system(struct dmapeek_provider *prov,
						      u64 size)
{
	struct dmapeek_backing *b;
	unsigned long i;
	u32 nr = 0;

	if (size >> PAGE_SHIFT > totalram_pages() / 2)
		return ERR_PTR(-ENOMEM);
	b = dmapeek_backing_new(prov, size);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->nr_pages = size >> PAGE_SHIFT;
	/* the caller's size: ENOMEM for it, no allocation failure report */
	b->pages = kvcalloc(b->nr_pages, sizeof(*b->pages), GFP_KERNEL | __GFP_NOWARN);
	if (!b->pages)
		goto err_free;
	for (i = 0; i < b->nr_pages; i++) {
		if (fatal_signal_pending(current))
			goto err_free;
		b->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
		if (!b->pages[i])
			goto err_free;
		if (!i || page_to_pfn(b->pages[i]) != page_to_pfn(b->pages[i - 1]) + 1)
			nr++;
	}
	/* Coalesced physical ranges, for reports only. */
	b->vec = kvcalloc(nr, sizeof(*b->vec), GFP_KERNEL | __GFP_NOWARN);
	if (!b->vec)
		goto err_free;
	b->nr = nr;
	nr = 0;
	for (i = 0; i < b->nr_pages; i++) {
		phys_addr_t p = page_to_phys(b->pages[i]);

		if (i && b->vec[nr - 1].paddr + b->vec[nr - 1].len == p)
			b->vec[nr - 1].len += PAGE_SIZE;
		else
			b->vec[nr++] = (struct phys_vec){ .paddr = p, .len = PAGE_SIZE };
	}
	dmapeek_backing_publish(b, prov);
	return b;

err_free:
	dmapeek_backing_put(b);
	return ERR_PTR(-ENOMEM);
}

static bool dmapeek_overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * BAR backing: explicit @ranges (checked by the caller for alignment,
 * bounds and self-overlap) or, with @ranges NULL, @size bytes first fit.
 * Takes prov->alloc_lock; -EBUSY when a range is already exported, -ENOSPC
 * when there is no room, -ENODEV when the device is going away.
 */
static struct dmapeek_backing *dmapeek_backing_bar(struct dmapeek_provider *prov,
						   const struct dmapeek_range *ranges,
						   u32 nr, u64 size)
{
	struct dmapeek_bar_alloc *al;
	struct dmapeek_backing *b;
	u64 off, boff = 0;
	int ret = 0;
	u32 i;

	b = dmapeek_backing_new(prov, size);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->nr = ranges ? nr : 1;
	b->vec = kcalloc(b->nr, sizeof(*b->vec), GFP_KERNEL);
	b->allocs = kcalloc(b->nr, sizeof(*b->allocs), GFP_KERNEL);
	if (!b->vec || !b->allocs) {
		kfree(b->vec);
		kfree(b->allocs);
		kfree(b);
		return ERR_PTR(-ENOMEM);
	}

	mutex_lock(&prov->alloc_lock);
	if (READ_ONCE(prov->gone)) {
		ret = -ENODEV;
		goto err_unlock;
	}
	if (ranges) {
		for (i = 0; i < nr; i++) {
			list_for_each_entry(al, &prov->allocs, node)
				if (dmapeek_overlaps(ranges[i].offset, ranges[i].length,
						     al->offset, al->len)) {
					ret = -EBUSY;
					goto err_unlock;
				}
			b->allocs[i].offset = ranges[i].offset;
			b->allocs[i].len = ranges[i].length;
		}
	} else {
		/* First fit: try 0 and the end of every allocation. */
		bool found = false;
		struct dmapeek_bar_alloc *cand;

		off = 0;
		for (;;) {
			bool clash = false;

			if (off + size > prov->size || off + size < off)
				break;
			list_for_each_entry(al, &prov->allocs, node)
				if (dmapeek_overlaps(off, size, al->offset, al->len)) {
					clash = true;
					break;
				}
			if (!clash) {
				found = true;
				break;
			}
			/* next candidate: the lowest allocation end above off */
			{
				u64 next = U64_MAX;

				list_for_each_entry(cand, &prov->allocs, node)
					if (cand->offset + cand->len > off &&
					    cand->offset + cand->len < next)
						next = cand->offset + cand->len;
				if (next == U64_MAX)
					break;
				off = next;
			}
		}
		if (!found) {
			ret = -ENOSPC;
			goto err_unlock;
		}
		b->allocs[0].offset = off;
		b->allocs[0].len = size;
	}
	for (i = 0; i < b->nr; i++) {
		b->allocs[i].backing = b;
		list_add_tail(&b->allocs[i].node, &prov->allocs);
		b->vec[i].paddr = prov->start + b->allocs[i].offset;
		b->vec[i].len = b->allocs[i].len;
		boff += b->allocs[i].len;
	}
	WARN_ON_ONCE(boff != size);
	dmapeek_backing_publish(b, prov);
	mutex_unlock(&prov->alloc_lock);
	return b;

err_unlock:
	mutex_unlock(&prov->alloc_lock);
	kfree(b->vec);
	kfree(b->allocs);
	kfree(b);
	return ERR_PTR(ret);
}

/* Where byte @off of @b is: a kernel or an __iomem address, PAGE_SIZE long. */
static void *dmapeek_backing_ptr(struct dmapeek_backing *b, u64 off, bool *io)
{
	u64 boff = 0;
	u32 i;

	*io = false;
	if (b->kind == DMAPEEK_PROVIDER_KIND_SYSTEM)
		return page_address(b->pages[off >> PAGE_SHIFT]);
	for (i = 0; i < b->nr; i++) {
		if (off < boff + b->vec[i].len) {
			*io = true;
			return (void __force *)(b->prov->va +
				(b->vec[i].paddr - b->prov->start) + (off - boff));
		}
		boff += b->vec[i].len;
	}
	return NULL;
}

static unsigned long dmapeek_backing_pfn(struct dmapeek_backing *b, u64 off)
{
	u64 boff = 0;
	u32 i;

	if (b->kind == DMAPEEK_PROVIDER_KIND_SYSTEM)
		return page_to_pfn(b->pages[off >> PAGE_SHIFT]);
	for (i = 0; i < b->nr; i++) {
		if (off < boff + b->vec[i].len)
			return PHYS_PFN(b->vec[i].paddr + (off - boff));
		boff += b->vec[i].len;
	}
	return 0;
}

/*
 * Copy @src to @dst page by page; BAR memory through the io accessors.
 * A move's copy runs in dmapeek_op_wq, where no signal comes: it stops
 * (-ENODEV) when either provider goes, so that a removal does not wait
 * for the rest of a long copy from or to a BAR.
 */
static int dmapeek_backing_copy(struct dmapeek_backing *dst,
				struct dmapeek_backing *src)
{
	void *bounce = NULL;
	u64 off;

	for (off = 0; off < src->size; off += PAGE_SIZE) {
		bool sio, dio;
		void *s = dmapeek_backing_ptr(src, off, &sio);
		void *d = dmapeek_backing_ptr(dst, off, &dio);

		if (!s || !d)
			return -EINVAL;
		if (sio && dio) {
			if (!bounce) {
				bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
				if (!bounce)
					return -ENOMEM;
			}
			memcpy_fromio(bounce, (void __iomem __force *)s, PAGE_SIZE);
			memcpy_toio((void __iomem __force *)d, bounce, PAGE_SIZE);
		} else if (sio) {
			memcpy_fromio(d, (void __iomem __force *)s, PAGE_SIZE);
		} else if (dio) {
			memcpy_toio((void __iomem __force *)d, s, PAGE_SIZE);
		} else {
			memcpy(d, s, PAGE_SIZE);
		}
		if (READ_ONCE(src->prov->gone) || READ_ONCE(dst->prov->gone)) {
			kfree(bounce);
			return -ENODEV;
		}
		cond_resched();
	}
	kfree(bounce);
	return 0;
}

/*
 * Set a new current backing (resv, buffer lock held) and return the old
 * one with the buffer's reference, for the caller to put once it holds no
 * provider's alloc_lock (the last put takes the old provider's).
 */
static struct dmapeek_backing *dmapeek_buffer_set_backing(struct dmapeek_buffer *buf,
							  struct dmapeek_backing *b)
{
	struct dmapeek_backing *old;

	dma_resv_assert_held(buf->dmabuf->resv);
	lockdep_assert_held(&buf->lock);
	mutex_lock(&dmapeek_lock);
	old = buf->backing;
	buf->backing = b;
	WRITE_ONCE(buf->prov_id, b ? b->prov_id : 0);
	/* The ranges changed: a dump in the middle of them is interrupted. */
	dmapeek_generation++;
	mutex_unlock(&dmapeek_lock);
	return old;
}

/* The provider the buffer is on now, 0 if none; no lock needed. */
static u32 dmapeek_buffer_prov_id(struct dmapeek_buffer *buf)
{
	return READ_ONCE(buf->prov_id);
}

/* Drop every CPU mapping of the buffer; faults refill from the backing. */
static void dmapeek_buffer_zap(struct dmapeek_buffer *buf)
{
	unmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);
}

/* ------------------------------------------------------------- dma_buf_ops */

static u32 dmapeek_attach_flags(struct dma_buf_attachment *attach)
{
	u32 flags = DMAPEEK_ATTACH_FLAGS_EXPORTED;

	if (attach->importer_ops)
		flags |= DMAPEEK_ATTACH_FLAGS_DYNAMIC;
	if (attach->peer2peer)
		flags |= DMAPEEK_ATTACH_FLAGS_PEER2PEER;
	if (dma_buf_attach_revocable(attach))
		flags |= DMAPEEK_ATTACH_FLAGS_REVOCABLE;
	return flags;
}

/* The P2P map type of @dev for the memory of @b: NONE for system memory. */
static u32 dmapeek_backing_map_type(struct dmapeek_backing *b, struct device *dev)
{
	int distance;
	u32 reason;

	if (!b)
		return DMAPEEK_MAP_TYPE_UNKNOWN;
	if (b->kind != DMAPEEK_PROVIDER_KIND_PCI_BAR)
		return DMAPEEK_MAP_TYPE_NONE;
	return dmapeek_p2p_map_type(b->prov, dev, &distance, &reason);
}

/*
 * May @attach take the memory of @b?  BAR memory only goes to importers
 * that said they can take P2P memory and that the exporter can take it
 * back from (invalidate_mappings), as VFIO's exporter: when the device
 * goes, every mapping of its BARs must go before its driver's remove()
 * returns.  0, or -EOPNOTSUPP with the reason in *@why.
 */
static int dmapeek_backing_allows(struct dmapeek_backing *b,
				  struct dma_buf_attachment *attach,
				  const char **why)
{
	if (b->kind != DMAPEEK_PROVIDER_KIND_PCI_BAR)
		return 0;
	if (!dma_buf_attach_revocable(attach)) {
		*why = "an importer cannot be revoked: BAR memory needs invalidate_mappings";
		return -EOPNOTSUPP;
	}
	if (!attach->peer2peer) {
		*why = "an importer cannot take P2P memory";
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The memory moved (or came back): every map type follows it (resv held). */
static void dmapeek_buffer_retype(struct dmapeek_buffer *buf)
{
	struct dmapeek_exp_attach *ea;

	dma_resv_assert_held(buf->dmabuf->resv);
	list_for_each_entry(ea, &buf->attachments, node)
		WRITE_ONCE(ea->a->map_type,
			   dmapeek_backing_map_type(buf->backing, ea->attach->dev));
}

static int dmapeek_dmabuf_attach(struct dma_buf *dmabuf,
				 struct dma_buf_attachment *attach)
{
	struct dmapeek_buffer *buf = dmabuf->priv;
	struct dmapeek_exp_attach *ea;
	struct dmapeek_attachment *a;
	struct dmapeek_backing *b;
	const char *why;
	int ret;

	/* Importer policy per model, as VFIO's attach and the kdoc have it. */
	if (buf->model == DMAPEEK_MODEL_REVOCABLE) {
		if (READ_ONCE(buf->revoked))
			return -ENODEV;
		if (!dma_buf_attach_revocable(attach))
			return -EOPNOTSUPP;
	}
	if (READ_ONCE(buf->dead))
		return -ENODEV;

	ea = kzalloc_obj(*ea);
	if (!ea)
		return -ENOMEM;
	INIT_LIST_HEAD(&ea->maps);

	a = dmapeek_import_attachment(attach);
	if (!a) {
		a = kzalloc_obj(*a);
		if (!a) {
			kfree(ea);
			return -ENOMEM;
		}
		ea->own = true;
		dmapeek_attachment_init(a);
		a->attach = attach;
		a->dmabuf = dmabuf;
		a->ino = buf->ino;
		strscpy(a->importer_dev, dev_name(attach->dev));
		strscpy(a->importer_driver,
			attach->dev->driver ? attach->dev->driver->name : "");
	}
	a->buf = buf;
	ea->a = a;
	ea->attach = attach;

	dma_resv_lock(dmabuf->resv, NULL);
	b = buf->backing;
	if (!b || buf->dead)
		ret = -ENODEV;
	else
		ret = dmapeek_backing_allows(b, attach, &why);
	if (!ret) {
		a->flags |= dmapeek_attach_flags(attach);
		a->map_type = dmapeek_backing_map_type(b, attach->dev);
		list_add_tail(&ea->node, &buf->attachments);
	}
	dma_resv_unlock(dmabuf->resv);
	if (ret)
		goto err_free;

	mutex_lock(&dmapeek_lock);
	if (ea->own)
		ret = dmapeek_table_add(&dmapeek_attachments, a, &a->id);
	if (!ret)
		dmapeek_attachment_link(&buf->nl_attachments, a);
	mutex_unlock(&dmapeek_lock);
	if (ret) {
		dma_resv_lock(dmabuf->resv, NULL);
		list_del(&ea->node);
		dma_resv_unlock(dmabuf->resv);
		goto err_free;
	}
	atomic_inc(&buf->nr_attachments);
	attach->priv = ea;
	dmapeek_att_event(buf, DMAPEEK_EVENT_TYPE_ATTACH, a, 0, 0, 0);
	return 0;

err_free:
	if (ea->own)
		kfree(a);
	else
		a->buf = NULL;
	kfree(ea);
	return ret;
}

static void dmapeek_dmabuf_unmap(struct dma_buf_attachment *attach,
				 struct sg_table *sgt, enum dma_data_direction dir);

static void dmapeek_dmabuf_detach(struct dma_buf *dmabuf,
				  struct dma_buf_attachment *attach)
{
	struct dmapeek_buffer *buf = dmabuf->priv;
	struct dmapeek_exp_attach *ea = attach->priv;
	struct dmapeek_attachment *a = ea->a;

	dma_resv_lock(dmabuf->resv, NULL);
	/*
	 * An importer that detaches with mappings left (its bug: the core
	 * does not catch it): undo them as its unmaps would, so that no
	 * IOVA, backing reference or mapping record outlives the
	 * attachment, and a removal waiting for the backing ends.
	 */
	if (WARN_ON_ONCE(!list_empty(&ea->maps))) {
		struct dmapeek_xmap *x, *tmp;

		list_for_each_entry_safe(x, tmp, &ea->maps, node)
			dmapeek_dmabuf_unmap(attach, x->sgt, x->dir);
	}
	/*
	 * Its pins go with it: the core's pin on map of a static importer
	 * is undone by the core's unmap only, and a dynamic importer may
	 * detach pinned.  Left, they would refuse every later move.
	 */
	if (ea->pins) {
		WRITE_ONCE(buf->pins, buf->pins - min(ea->pins, buf->pins));
		ea->pins = 0;
		dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_UNPIN, a->id, 0, 0,
				  buf->pins, 0);
	}
	list_del(&ea->node);
	dma_resv_unlock(dmabuf->resv);
	atomic_dec(&buf->nr_attachments);
	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_DETACH, a->id, 0, 0, 0, 0);
	mutex_lock(&dmapeek_lock);
	dmapeek_attachment_unlink(a);
	if (ea->own) {
		dmapeek_attachment_forget(a);
		dmapeek_table_del(&dmapeek_attachments, a->id);
	}
	mutex_unlock(&dmapeek_lock);
	if (ea->own)
		kfree(a);
	else
		a->buf = NULL;
	attach->priv = NULL;
	kfree(ea);
}

static int dmapeek_dmabuf_pin(struct dma_buf_attachment *attach)
{
	struct dmapeek_buffer *buf = attach->dmabuf->priv;
	struct dmapeek_exp_attach *ea = attach->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	ea->pins++;
	WRITE_ONCE(buf->pins, buf->pins + 1);
	WRITE_ONCE(ea->a->flags, ea->a->flags | DMAPEEK_ATTACH_FLAGS_PINNED);
	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_PIN, ea->a->id, 0, 0, buf->pins, 0);
	return 0;
}

static void dmapeek_dmabuf_unpin(struct dma_buf_attachment *attach)
{
	struct dmapeek_buffer *buf = attach->dmabuf->priv;
	struct dmapeek_exp_attach *ea = attach->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (!WARN_ON_ONCE(!ea->pins || !buf->pins)) {
		ea->pins--;
		WRITE_ONCE(buf->pins, buf->pins - 1);
	}
	WRITE_ONCE(ea->a->flags, ea->a->flags & ~DMAPEEK_ATTACH_FLAGS_PINNED);
	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_UNPIN, ea->a->id, 0, 0, buf->pins, 0);
}

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
 * Several BAR ranges.  dma_buf_phys_vec_to_sgt() in 7.3.4 links every
 * range at IOVA offset 0 (dma_iova_link(dev, state, paddr, 0, len, ...)),
 * so behind an IOMMU DMA domain all ranges land on top of each other while
 * the sg table it returns claims one run of the total length: the device
 * would read range 0 (or the last one linked) everywhere.  So for more than
 * one range dmapeek maps itself: one IOVA allocation, each range linked at
 * the running offset, one IOTLB sync; dma_map_phys() per range without an
 * IOMMU; bus addresses for a P2P path through a switch.
 */
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
			/* the running offset the 7.3.4 helper lacks */
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

static struct sg_table *dmapeek_dmabuf_do_map(struct dma_buf_attachment *attach,
					      enum dma_data_direction dir)
{
	struct dmapeek_buffer *buf = attach->dmabuf->priv;
	struct dmapeek_exp_attach *ea = attach->priv;
	struct dmapeek_attachment *a = ea->a;
	struct dmapeek_backing *b;
	struct scatterlist *sg;
	struct dmapeek_xmap *x;
	u64 t0 = dmapeek_now();
	const char *why;
	u32 nr, i;
	int ret;

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
		x->path = DMAPEEK_MAPPING_PATH_SGTABLE;
		x->sgt = kzalloc_obj(*x->sgt);
		if (!x->sgt) {
			ret = -ENOMEM;
			goto err_free_m;
		}
		/*
		 * Segments no longer than the importer takes (64 KiB unless
		 * its driver said otherwise): DMA-API debugging flags longer.
		 */
		ret = sg_alloc_table_from_pages_segment(x->sgt, b->pages,
							b->nr_pages, 0, b->size,
							dma_get_max_seg_size(attach->dev),
							GFP_KERNEL);
		if (ret) {
			kfree(x->sgt);
			goto err_free_m;
		}
		x->saved_nents = x->sgt->orig_nents;
		ret = dma_map_sgtable(attach->dev, x->sgt, dir, 0);
		if (ret) {
			sg_free_table(x->sgt);
			kfree(x->sgt);
			goto err_free_m;
		}
		/* one range record per DMA segment */
		kvfree(x->m->ranges);
		x->m->ranges = kvcalloc(x->sgt->nents, sizeof(*x->m->ranges),
					GFP_KERNEL | __GFP_NOWARN);
		if (!x->m->ranges) {
			dma_unmap_sgtable(attach->dev, x->sgt, dir, 0);
			sg_free_table(x->sgt);
			kfree(x->sgt);
			ret = -ENOMEM;
			goto err_free_m;
		}
		x->m->nr_ranges = x->sgt->nents;
		{
			u64 off = 0;
			bool one2one = x->sgt->nents == x->sgt->orig_nents;
			struct scatterlist *cpu = x->sgt->sgl;

			for_each_sgtable_dma_sg(x->sgt, sg, i) {
				struct dmapeek_map_range *r = &x->m->ranges[i];

				r->offset = off;
				r->len = sg_dma_len(sg);
				r->addr = sg_dma_address(sg);
				r->kind = dmapeek_dev_translates(attach->dev) ?
					DMAPEEK_ADDR_KIND_IOVA : DMAPEEK_ADDR_KIND_PHYS;
				/* phys is known when segments did not merge */
				r->phys = one2one ? sg_phys(cpu) : 0;
				if (one2one)
					cpu = sg_next(cpu);
				off += r->len;
			}
			if (!one2one)
				x->m->cpu_sgt = x->sgt;
		}
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
static struct sg_table *dmapeek_dmabuf_map(struct dma_buf_attachment *attach,
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

static void dmapeek_dmabuf_unmap(struct dma_buf_attachment *attach,
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
	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_UNMAP, a->id, mapping_id, 0, 0, 0);
	if (atomic_dec_and_test(&buf->mapped) || old_done)
		wake_up_all(&buf->wq);
}

static void dmapeek_dmabuf_release(struct dma_buf *dmabuf)
{
	struct dmapeek_buffer *buf = dmabuf->priv;

	if (buf->id) {
		mutex_lock(&dmapeek_lock);
		dmapeek_table_del(&dmapeek_buffers, buf->id);
		mutex_unlock(&dmapeek_lock);
		dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_BUFFER_RELEASE, 0, 0, 0, 0, 0);
	}
	/* No attachment, so no mapping, is left: the backing goes now. */
	dmapeek_backing_put(buf->backing);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

/* CPU access: faults insert the page of the current backing. */
static vm_fault_t dmapeek_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct dmapeek_buffer *buf = vma->vm_private_data;
	struct dmapeek_backing *b;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	pgprot_t prot = vma->vm_page_prot;

	/* a move copying holds it: a fault of a dying task need not wait */
	if (mutex_lock_killable(&buf->lock))
		return VM_FAULT_NOPAGE;
	b = buf->backing;
	if (!READ_ONCE(buf->revoked) && b && off < b->size) {
		if (b->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR)
			prot = pgprot_noncached(prot);
		ret = vmf_insert_pfn_prot(vma, vmf->address,
					  dmapeek_backing_pfn(b, off), prot);
	}
	mutex_unlock(&buf->lock);
	return ret;
}

static const struct vm_operations_struct dmapeek_vm_ops = {
	.fault = dmapeek_vm_fault,
};

static int dmapeek_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &dmapeek_vm_ops;
	vma->vm_private_data = dmabuf->priv;
	return 0;
}

/*
 * CPU access around device access, as the system heap does: the streaming
 * mappings of system memory (path sgtable) are synced for the CPU and
 * back, so that bytes a device wrote through a bounce buffer (swiotlb: a
 * 28-bit edu, iommu=pt) reach the pages, and the CPU's reach the device.
 * BAR memory is not cached: nothing to do.
 */
static int dmapeek_cpu_sync(struct dma_buf *dmabuf, enum dma_data_direction dir,
			    bool for_cpu)
{
	struct dmapeek_buffer *buf = dmabuf->priv;
	struct dmapeek_exp_attach *ea;
	struct dmapeek_xmap *x;
	int ret;

	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (ret)
		return ret;
	list_for_each_entry(ea, &buf->attachments, node) {
		list_for_each_entry(x, &ea->maps, node) {
			if (x->path != DMAPEEK_MAPPING_PATH_SGTABLE)
				continue;
			if (for_cpu)
				dma_sync_sgtable_for_cpu(ea->attach->dev, x->sgt, dir);
			else
				dma_sync_sgtable_for_device(ea->attach->dev, x->sgt, dir);
		}
	}
	dma_resv_unlock(dmabuf->resv);
	return 0;
}

static int dmapeek_dmabuf_begin_cpu_access(struct dma_buf *dmabuf,
					   enum dma_data_direction dir)
{
	return dmapeek_cpu_sync(dmabuf, dir, true);
}

static int dmapeek_dmabuf_end_cpu_access(struct dma_buf *dmabuf,
					 enum dma_data_direction dir)
{
	return dmapeek_cpu_sync(dmabuf, dir, false);
}

/* Pinned and revocable: a static exporter (no pin), as VFIO. */
static const struct dma_buf_ops dmapeek_dmabuf_ops = {
	.attach = dmapeek_dmabuf_attach,
	.detach = dmapeek_dmabuf_detach,
	.map_dma_buf = dmapeek_dmabuf_map,
	.unmap_dma_buf = dmapeek_dmabuf_unmap,
	.release = dmapeek_dmabuf_release,
	.begin_cpu_access = dmapeek_dmabuf_begin_cpu_access,
	.end_cpu_access = dmapeek_dmabuf_end_cpu_access,
	.mmap = dmapeek_dmabuf_mmap,
};

/* Movable: a dynamic exporter; pins block moves. */
static const struct dma_buf_ops dmapeek_dmabuf_movable_ops = {
	.attach = dmapeek_dmabuf_attach,
	.detach = dmapeek_dmabuf_detach,
	.pin = dmapeek_dmabuf_pin,
	.unpin = dmapeek_dmabuf_unpin,
	.map_dma_buf = dmapeek_dmabuf_map,
	.unmap_dma_buf = dmapeek_dmabuf_unmap,
	.release = dmapeek_dmabuf_release,
	.begin_cpu_access = dmapeek_dmabuf_begin_cpu_access,
	.end_cpu_access = dmapeek_dmabuf_end_cpu_access,
	.mmap = dmapeek_dmabuf_mmap,
};

/* ------------------------------------------------------------------- export */

static int dmapeek_range_cmp(const void *a, const void *b)
{
	const struct dmapeek_range *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Check explicit ranges against @prov; 0 or -errno, total in @total. */
static int dmapeek_check_ranges(struct dmapeek_provider *prov,
				const struct dmapeek_range *r, u32 nr, u64 *total)
{
	struct dmapeek_range *sorted;
	u64 sum = 0;
	int ret = 0;
	u32 i;

	for (i = 0; i < nr; i++) {
		if (!r[i].length || !PAGE_ALIGNED(r[i].length) ||
		    !PAGE_ALIGNED(r[i].offset))
			return -EINVAL;
		if (r[i].offset + r[i].length < r[i].offset ||
		    sum + r[i].length < sum || (sum + r[i].length) >> 63)
			return -EOVERFLOW;
		sum += r[i].length;
		if (prov->kind == DMAPEEK_PROVIDER_KIND_SYSTEM) {
			if (r[i].offset)
				return -EINVAL;
		} else if (r[i].offset + r[i].length > prov->size) {
			return -ERANGE;
		}
	}
	*total = sum;
	if (prov->kind == DMAPEEK_PROVIDER_KIND_SYSTEM || nr < 2)
		return 0;
	sorted = kmemdup_array(r, nr, sizeof(*r), GFP_KERNEL);
	if (!sorted)
		return -ENOMEM;
	sort(sorted, nr, sizeof(*sorted), dmapeek_range_cmp, NULL);
	for (i = 1; i < nr; i++)
		if (sorted[i - 1].offset + sorted[i - 1].length > sorted[i].offset)
			ret = -EINVAL;
	kfree(sorted);
	return ret;
}

/*
 * EXPORT: the fd is only reserved here.  The dispatcher installs it once
 * the result is back in user space, or releases it with the buffer when
 * that copy fails (struct dmapeek_ioc_new).
 */
int dmapeek_ioc_export(struct dmapeek_file *df, void *arg,
		       struct dmapeek_ioc_new *made)
{
	struct dmapeek_export *e = arg;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dmapeek_range *ranges = NULL;
	struct dmapeek_provider *prov;
	struct dmapeek_backing *b;
	struct dmapeek_buffer *buf;
	struct dma_buf *dmabuf;
	u64 size = e->length;
	char *name;
	int ret, fd;

	if (e->flags || e->__reserved)
		return -EINVAL;
	if (e->model < DMAPEEK_MODEL_PINNED || e->model > DMAPEEK_MODEL_REVOCABLE)
		return -EINVAL;
	if (strnlen(e->name, sizeof(e->name)) == sizeof(e->name))
		return -ENAMETOOLONG;
	if (e->nr_ranges > DMAPEEK_MAX_RANGES)
		return -E2BIG;
	if (e->nr_ranges && e->length)
		return -EINVAL;	/* either a size or ranges */
	if (!e->nr_ranges && (!size || !PAGE_ALIGNED(size) || size >> 63))
		return -EINVAL;
	if (e->nr_ranges) {
		/* Copied before any lock: see DOC: dmapeek exporter locking. */
		ranges = memdup_array_user(u64_to_user_ptr(e->ranges), e->nr_ranges,
					   sizeof(*ranges));
		if (IS_ERR(ranges))
			return PTR_ERR(ranges);
	}
	/* Before the buffer: out of fds, nothing is made at all. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_ranges;
	}

	buf = kzalloc_obj(*buf);
	if (!buf) {
		ret = -ENOMEM;
		goto err_fd;
	}
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	INIT_LIST_HEAD(&buf->nl_attachments);
	init_waitqueue_head(&buf->wq);
	buf->model = e->model;
	buf->state = DMAPEEK_BUFFER_STATE_LIVE;
	strscpy(buf->name, e->name);
	buf->created_ns = dmapeek_now();

	prov = dmapeek_provider_get(e->provider_id);
	if (!prov) {
		ret = -ENODEV;
		goto err_buf;
	}
	if (ranges) {
		ret = dmapeek_check_ranges(prov, ranges, e->nr_ranges, &size);
		if (ret)
			goto err_prov;
	}
	if (prov->kind == DMAPEEK_PROVIDER_KIND_SYSTEM)
		b = dmapeek_backing_system(prov, size);
	else if (size > prov->size)
		b = ERR_PTR(-ENOSPC);
	else
		b = dmapeek_backing_bar(prov, ranges, e->nr_ranges, size);
	if (IS_ERR(b)) {
		ret = PTR_ERR(b);
		goto err_prov;
	}
	buf->backing = b;
	buf->prov_id = b->prov_id;
	buf->size = size;

	exp_info.exp_name = "dmapeek";
	exp_info.owner = THIS_MODULE;
	exp_info.ops = e->model == DMAPEEK_MODEL_MOVABLE ?
		&dmapeek_dmabuf_movable_ops : &dmapeek_dmabuf_ops;
	exp_info.size = size;
	exp_info.flags = O_RDWR;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		dmapeek_backing_put(b);
		goto err_prov;
	}
	buf->dmabuf = dmabuf;
	buf->ino = file_inode(dmabuf->file)->i_ino;
	/* From here on the release callback frees buf and its backing. */

	if (buf->name[0]) {
		name = kstrdup(buf->name, GFP_KERNEL);
		if (name) {
			spin_lock(&dmabuf->name_lock);
			kfree(dmabuf->name);
			dmabuf->name = name;
			spin_unlock(&dmabuf->name_lock);
		}
	}

	/*
	 * Into the table only while the provider stays: its device's removal
	 * finds the buffers on it there (see DOC: dmapeek exporter locking).
	 */
	mutex_lock(&prov->alloc_lock);
	if (prov->gone) {
		ret = -ENODEV;
	} else {
		mutex_lock(&dmapeek_lock);
		ret = dmapeek_table_add(&dmapeek_buffers, buf, &buf->id);
		mutex_unlock(&dmapeek_lock);
	}
	mutex_unlock(&prov->alloc_lock);
	dmapeek_provider_put(prov);
	if (ret) {
		buf->id = 0;
		dma_buf_put(dmabuf);
		goto err_fd;
	}

	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_BUFFER_CREATE, 0, 0, 0, 0, 0);
	kfree(ranges);
	made->dmabuf = dmabuf;
	made->fd = fd;
	e->fd = fd;
	e->buffer_id = buf->id;
	return 0;

err_prov:
	dmapeek_provider_put(prov);
err_buf:
	mutex_destroy(&buf->lock);
	kfree(buf);
err_fd:
	put_unused_fd(fd);
err_ranges:
	kfree(ranges);
	return ret;
}

/* The buffer @id with a file reference, or NULL. */
static struct dmapeek_buffer *dmapeek_buffer_get(u32 id)
{
	struct dmapeek_buffer *buf;

	mutex_lock(&dmapeek_lock);
	buf = xa_load(&dmapeek_buffers.xa, id);
	if (buf && !get_file_active(&buf->dmabuf->file))
		buf = NULL;
	mutex_unlock(&dmapeek_lock);
	return buf;
}

static void dmapeek_buffer_put(struct dmapeek_buffer *buf)
{
	dma_buf_put(buf->dmabuf);
}

/*
 * Tell every importer, under resv, and wait for its fences.  Only
 * importers with invalidate_mappings are told (static ones are pinned
 * instead), so only they get an invalidate event.
 */
/* Tell every importer that can be told to unmap (resv held). */
static void dmapeek_buffer_tell(struct dmapeek_buffer *buf)
{
	struct dmapeek_exp_attach *ea;
	u64 now = dmapeek_now();

	dma_resv_assert_held(buf->dmabuf->resv);
	list_for_each_entry(ea, &buf->attachments, node) {
		struct dmapeek_attachment *a = ea->a;

		if (!dma_buf_attach_revocable(ea->attach))
			continue;
		/* dmapeek's importer counts what it receives itself */
		if (ea->own) {
			WRITE_ONCE(a->invalidations, a->invalidations + 1);
			WRITE_ONCE(a->last_invalidate_ns, now);
		}
		dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_INVALIDATE, a->id, 0, 0,
				  0, 0);
	}
	dma_buf_invalidate_mappings(buf->dmabuf);
}

/*
 * Tell importers, then wait for every fence of the buffer, as device
 * removal must however long they take: in slices, each a wake-up, so that
 * a fence a user holds back does not make the removal a hung task.
 */
static void dmapeek_buffer_invalidate(struct dmapeek_buffer *buf)
{
	dmapeek_buffer_tell(buf);
	while (!dma_resv_wait_timeout(buf->dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP,
				      false, msecs_to_jiffies(DMAPEEK_GONE_REPORT_MS)))
		;
}

/*
 * The fences of an operation, in dmapeek_op_wq, up to its deadline: any
 * holder of the fd can add fences (DMA_BUF_IOCTL_IMPORT_SYNC_FILE), so
 * they are waited for only where nobody else waits (no netlink lock, no
 * user's task) and never past the operation's timeout.  A kworker takes no
 * signals: the interruptible wait only keeps it off the hung-task list.
 * 0, -ETIMEDOUT, or a fence's wait error.  No lock is held.
 */
static int dmapeek_op_fences(struct dmapeek_buffer *buf, u64 deadline)
{
	u64 now = dmapeek_now();
	long left;

	left = now < deadline ? nsecs_to_jiffies(deadline - now) + 1 : 0;
	left = dma_resv_wait_timeout(buf->dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP,
				     true, left);
	if (left > 0)
		return 0;
	return left ? left : -ETIMEDOUT;	/* a fence's own error, or time */
}

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

static atomic64_t dmapeek_op_seq = ATOMIC64_INIT(0);

static size_t dmapeek_result_size(u32 nr);
static int dmapeek_put_event_result(struct sk_buff *skb, const void *arg);

/* An event of operation @res: begin, stuck (of one attachment) or done. */
static void dmapeek_op_event(struct dmapeek_buffer *buf, u32 type,
			     const struct dmapeek_revoke_result *res, u32 attach_id,
			     u64 duration, u32 count, int error)
{
	struct dmapeek_event ev = {
		.type = type,
		.buffer_id = buf->id,
		.attachment_id = attach_id,
		.provider_id = dmapeek_buffer_prov_id(buf),
		.duration_ns = duration,
		.count = count,
		.error = error,
		.op = res->op,
	};

	dmapeek_event(&ev);
}

/*
 * The done event of @res: each attachment's outcome with it.  A revoke
 * with a stuck importer ends in -ETIMEDOUT; a move reports only its own
 * failure (@error), its stuck importers in the count.  A move that failed
 * has no outcomes: nobody unmapped anything for it.
 */
static void dmapeek_op_done(struct dmapeek_buffer *buf,
			    const struct dmapeek_revoke_result *res, int error)
{
	struct dmapeek_event ev = {
		.type = res->done,
		.buffer_id = buf->id,
		.provider_id = dmapeek_buffer_prov_id(buf),
		.duration_ns = res->duration_ns,
		.count = res->stuck,
		.error = error,
		.op = res->op,
		.put = res->nr && !(error && res->done == DMAPEEK_EVENT_TYPE_MOVE_DONE) ?
		       dmapeek_put_event_result : NULL,
		.arg = res,
		.size = dmapeek_result_size(res->nr),
	};

	dmapeek_event(&ev);
}

/*
 * A done event carries at most this many attachments' outcomes (32 bytes
 * each): the stuck ones first when there are more, so that the event stays
 * one allocation a busy machine can make and a listener's socket can take.
 * Its count is the number stuck, the begin event's the number told.
 */
#define DMAPEEK_OP_MAX_OUTCOMES	1024

/* Room for the per-attachment outcomes of @nr attachments in a message. */
static size_t dmapeek_result_size(u32 nr)
{
	return min_t(u32, nr, DMAPEEK_OP_MAX_OUTCOMES) *
	       nla_total_size(nla_total_size(sizeof(u32)) +	/* id */
			      nla_total_size(sizeof(u64)) +	/* unmap-ns */
			      nla_total_size(sizeof(u8)));	/* stuck */
}

/* The per-attachment outcomes, as @attrtype nests of revoke-attachment. */
static int dmapeek_put_result(struct sk_buff *skb, int attrtype, const void *arg)
{
	const struct dmapeek_revoke_result *res = arg;
	bool some = res->nr > DMAPEEK_OP_MAX_OUTCOMES;
	u32 i, left = DMAPEEK_OP_MAX_OUTCOMES;
	struct nlattr *nest;
	int pass;

	/* all in order; or, past the cap, the stuck then the others */
	for (pass = some ? 0 : 1; pass < 2; pass++)
		for (i = 0; i < res->nr && left; i++) {
			if (some && res->att[i].stuck != !pass)
				continue;
			left--;
			nest = nla_nest_start(skb, attrtype);
			if (!nest ||
			    nla_put_u32(skb, DMAPEEK_A_REVOKE_ATTACHMENT_ID,
					res->att[i].id) ||
			    (!res->att[i].stuck &&
			     nla_put_uint(skb, DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS,
					  res->att[i].unmap_ns)) ||
			    nla_put_u8(skb, DMAPEEK_A_REVOKE_ATTACHMENT_STUCK,
				       res->att[i].stuck))
				return -EMSGSIZE;
			nla_nest_end(skb, nest);
		}
	return 0;
}

static int dmapeek_put_event_result(struct sk_buff *skb, const void *arg)
{
	return dmapeek_put_result(skb, DMAPEEK_A_EVENT_ATTACHMENT, arg);
}

/* Whether @ea still maps @buf (@only: that backing of it). */
static bool dmapeek_ea_maps(struct dmapeek_exp_attach *ea, struct dmapeek_backing *only)
{
	struct dmapeek_xmap *x;

	if (!only)
		return !list_empty(&ea->maps);
	list_for_each_entry(x, &ea->maps, node)
		if (x->backing == only)
			return true;
	return false;
}

/*
 * Wait, with no lock held, until every mapping is gone or @timeout_ms
 * after res->t0, then record per attachment how long its unmap took and
 * which are stuck.  res->only: a move's old backing: wait for its mappings
 * only, since importers may already map the new one; NULL (revoke): every
 * mapping.
 */
static void dmapeek_wait_unmapped(struct dmapeek_buffer *buf, u32 timeout_ms,
				  struct dmapeek_revoke_result *res)
{
	struct dmapeek_backing *only = res->only;
	u64 t0 = res->t0, deadline = t0 + (u64)timeout_ms * NSEC_PER_MSEC, now;
	struct dmapeek_exp_attach *ea;
	u32 i;

	/*
	 * Only dmapeek_op_wq waits here, so TASK_IDLE: not a signal's to end,
	 * not counted in the load, and not a hung task however long the
	 * timeout.  An hrtimer, not jiffies: a jiffy-rounded wait can end up
	 * to a tick early, and an importer must not be called stuck before
	 * its time.
	 */
	now = dmapeek_now();
	if (now < deadline)
		__wait_event_hrtimeout(buf->wq,
				       only ? !atomic_read(&only->maps) :
					      !atomic_read(&buf->mapped),
				       ns_to_ktime(deadline - now), TASK_IDLE);
	res->duration_ns = dmapeek_now() - t0;

	/* Not interruptible: the report must be made, and resv is held briefly. */
	dma_resv_lock(buf->dmabuf->resv, NULL);
	list_for_each_entry(ea, &buf->attachments, node) {
		struct dmapeek_revoke_att *r;

		for (i = 0; i < res->nr; i++)
			if (res->att[i].id == ea->a->id)
				break;
		if (i == res->nr)
			continue;	/* attached after the snapshot */
		r = &res->att[i];
		if (dmapeek_ea_maps(ea, only)) {
			r->stuck = true;
			res->stuck++;
			WRITE_ONCE(ea->a->stuck, true);
			dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_STUCK, res, ea->a->id,
					 res->duration_ns, 0, -ETIMEDOUT);
		} else if (r->was_mapped && ea->last_unmap_ns >= t0) {
			r->unmap_ns = ea->last_unmap_ns - t0;
		}
	}
	dma_resv_unlock(buf->dmabuf->resv);
}

/* Snapshot the attachments (resv held) for the result. */
static int dmapeek_snapshot_attachments(struct dmapeek_buffer *buf,
					struct dmapeek_revoke_result *res)
{
	struct dmapeek_exp_attach *ea;
	u32 n = 0;

	dma_resv_assert_held(buf->dmabuf->resv);
	list_for_each_entry(ea, &buf->attachments, node)
		n++;
	res->att = kvcalloc(n ? n : 1, sizeof(*res->att), GFP_KERNEL | __GFP_NOWARN);
	if (!res->att)
		return -ENOMEM;
	list_for_each_entry(ea, &buf->attachments, node) {
		res->att[res->nr].id = ea->a->id;
		res->att[res->nr].was_mapped = !list_empty(&ea->maps);
		res->nr++;
	}
	return 0;
}

/*
 * Revoke as VFIO does: under resv set revoked, tell importers, unlock.
 * The waits for the fences and for every importer to unmap are the
 * operation's second half (dmapeek_op_tail_work()).
 */
static int dmapeek_buffer_revoke(struct dmapeek_buffer *buf,
				 struct dmapeek_revoke_result *res,
				 struct netlink_ext_ack *extack)
{
	int ret;

	if (buf->model != DMAPEEK_MODEL_REVOCABLE) {
		NL_SET_ERR_MSG(extack, "buffer is not revocable");
		return -EINVAL;
	}
	if (dma_resv_lock_interruptible(buf->dmabuf->resv, NULL))
		return -EINTR;
	if (buf->dead || buf->revoked) {
		dma_resv_unlock(buf->dmabuf->resv);
		NL_SET_ERR_MSG(extack, "buffer is already revoked");
		return -EALREADY;
	}
	ret = dmapeek_snapshot_attachments(buf, res);
	if (ret) {
		dma_resv_unlock(buf->dmabuf->resv);
		return ret;
	}
	mutex_lock(&buf->lock);
	WRITE_ONCE(buf->revoked, true);
	WRITE_ONCE(buf->state, DMAPEEK_BUFFER_STATE_REVOKED);
	WRITE_ONCE(buf->revokes, buf->revokes + 1);
	dmapeek_buffer_zap(buf);
	mutex_unlock(&buf->lock);
	res->op = atomic64_inc_return(&dmapeek_op_seq);
	res->done = DMAPEEK_EVENT_TYPE_REVOKE_DONE;
	res->t0 = dmapeek_now();
	WRITE_ONCE(buf->op, res->op);
	dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_REVOKE_BEGIN, res, 0, 0, res->nr, 0);
	dmapeek_buffer_tell(buf);
	dma_resv_unlock(buf->dmabuf->resv);
	return 0;
}

/*
 * The operation that held @buf ends: before its done event, on which a
 * listener may act at once (a restore after a revoke).
 */
static void dmapeek_op_release(struct dmapeek_buffer *buf, u64 op)
{
	dma_resv_lock(buf->dmabuf->resv, NULL);
	if (buf->op == op)
		WRITE_ONCE(buf->op, 0);
	dma_resv_unlock(buf->dmabuf->resv);
}

/*
 * The end of a revoke or a move, in dmapeek_op_wq: wait up to @timeout_ms
 * after res->t0 for the importers to unmap, then the done event.  A
 * revoke with an importer still mapped, or a fence still unsignalled
 * (@error), at the timeout is done with -ETIMEDOUT; a move is done (0)
 * either way, its stuck importers keep the old backing.  The buffer is
 * then free for the next operation.
 */
static void dmapeek_op_finish(struct dmapeek_buffer *buf, u32 timeout_ms,
			      struct dmapeek_revoke_result *res, int error)
{
	dmapeek_wait_unmapped(buf, timeout_ms, res);
	if (res->done == DMAPEEK_EVENT_TYPE_REVOKE_DONE && res->stuck)
		error = -ETIMEDOUT;
	else if (res->done == DMAPEEK_EVENT_TYPE_MOVE_DONE)
		error = 0;
	dmapeek_op_release(buf, res->op);
	dmapeek_op_done(buf, res, error);
	dmapeek_backing_put(res->only);
	res->only = NULL;
}

static int dmapeek_buffer_restore(struct dmapeek_buffer *buf,
				  struct netlink_ext_ack *extack)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	int ret;

	if (buf->model != DMAPEEK_MODEL_REVOCABLE) {
		NL_SET_ERR_MSG(extack, "buffer is not revocable");
		return -EINVAL;
	}
	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return ret;
	if (buf->dead) {
		NL_SET_ERR_MSG(extack, "buffer's provider is gone");
		ret = -ENODEV;
	} else if (!buf->revoked) {
		NL_SET_ERR_MSG(extack, "buffer is not revoked");
		ret = -EINVAL;
	} else if (buf->op) {
		/*
		 * Importers may map again once it is live: the revoke still
		 * waiting would call them stuck.
		 */
		NL_SET_ERR_MSG_FMT(extack,
				   "revoke %llu still waits for importers to unmap",
				   buf->op);
		ret = -EBUSY;
	} else {
		/* As VFIO's un-revoke: a nudge to importers, then live. */
		dmapeek_buffer_tell(buf);
		mutex_lock(&buf->lock);
		WRITE_ONCE(buf->revoked, false);
		WRITE_ONCE(buf->state, DMAPEEK_BUFFER_STATE_LIVE);
		mutex_unlock(&buf->lock);
		dmapeek_buffer_retype(buf);
	}
	dma_resv_unlock(resv);
	if (!ret)
		dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_RESTORE, 0, 0, 0, 0, 0);
	return ret;
}

/* A new backing of @size bytes on @prov (a lookup reference held). */
static struct dmapeek_backing *dmapeek_backing_alloc(struct dmapeek_provider *prov,
						     u64 size)
{
	if (prov->kind == DMAPEEK_PROVIDER_KIND_SYSTEM)
		return dmapeek_backing_system(prov, size);
	if (size > prov->size)
		return ERR_PTR(-ENOSPC);
	return dmapeek_backing_bar(prov, NULL, 0, size);
}

/* Under resv: may the buffer's importers follow it to @prov?  0 or -errno. */
static int dmapeek_move_check(struct dmapeek_buffer *buf, struct dmapeek_provider *prov,
			      struct dmapeek_backing *nb, struct netlink_ext_ack *extack)
{
	struct dmapeek_exp_attach *ea;
	const char *why;
	int ret;

	if (buf->dead || !buf->backing) {
		NL_SET_ERR_MSG(extack, "buffer's provider is gone");
		return -ENODEV;
	}
	if (buf->backing->prov == prov) {
		NL_SET_ERR_MSG(extack, "buffer is already on that provider");
		return -EINVAL;
	}
	if (buf->pins) {
		NL_SET_ERR_MSG(extack, "buffer is pinned by an importer");
		return -EBUSY;
	}
	/*
	 * An importer with no P2P path to the target is not a reason to
	 * refuse: the move is an admin's explicit request, and seeing that
	 * importer's maps fail is what the move is for.  The map type of
	 * each attachment says it (not-supported) after the move.
	 */
	list_for_each_entry(ea, &buf->attachments, node) {
		ret = dmapeek_backing_allows(nb, ea->attach, &why);
		if (ret) {
			NL_SET_ERR_MSG_FMT(extack, "%s", why);
			return ret;
		}
		/*
		 * A dynamic importer the exporter cannot tell (no
		 * invalidate_mappings) that maps without pinning: the core
		 * pins only static importers.  Moving under it would leave
		 * its DMA on the old memory: it is as pinned.
		 */
		if (!dma_buf_attach_revocable(ea->attach) && !list_empty(&ea->maps)) {
			NL_SET_ERR_MSG(extack,
				       "an importer that cannot be told maps the buffer: it is as pinned");
			return -EBUSY;
		}
	}
	return 0;
}

/**
 * struct dmapeek_move - a move between its two halves
 * @prov: the target provider (a lookup reference)
 * @nb: the new backing, allocated by the first half (a reference)
 */
struct dmapeek_move {
	struct dmapeek_provider *prov;
	struct dmapeek_backing *nb;
};

static void dmapeek_move_put(struct dmapeek_move *mv)
{
	dmapeek_backing_put(mv->nb);
	mv->nb = NULL;
	dmapeek_provider_put(mv->prov);
	mv->prov = NULL;
}

/*
 * The first half of a move of a movable buffer to @prov_id, in the doit:
 * allocate the new backing, check under resv that the importers may follow
 * it there, number the operation and mark the buffer moving.  What takes
 * time (fences, copy, the importers' unmaps) is dmapeek_move_run()'s.
 */
static int dmapeek_move_begin(struct dmapeek_buffer *buf, u32 prov_id,
			      struct dmapeek_move *mv, struct dmapeek_revoke_result *res,
			      struct netlink_ext_ack *extack)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	u64 op;
	int ret;

	if (buf->model != DMAPEEK_MODEL_MOVABLE) {
		NL_SET_ERR_MSG(extack, "buffer is not movable");
		return -EINVAL;
	}
	/* before the allocation and the lock, which a running move holds */
	op = READ_ONCE(buf->op);
	if (op) {
		NL_SET_ERR_MSG_FMT(extack, "buffer is moving (operation %llu)", op);
		return -EBUSY;
	}
	mv->prov = dmapeek_provider_get(prov_id);
	if (!mv->prov) {
		NL_SET_ERR_MSG(extack, "no such provider");
		return -ENODEV;
	}
	mv->nb = dmapeek_backing_alloc(mv->prov, buf->size);
	if (IS_ERR(mv->nb)) {
		ret = PTR_ERR(mv->nb);
		mv->nb = NULL;
		NL_SET_ERR_MSG_FMT(extack, "%s", ret == -ENODEV ? "no such provider" :
				   "no room on the target provider");
		goto err_put;
	}

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		goto err_put;
	if (buf->op) {
		NL_SET_ERR_MSG_FMT(extack, "buffer is moving (operation %llu)", buf->op);
		ret = -EBUSY;
		goto err_unlock;
	}
	ret = dmapeek_move_check(buf, mv->prov, mv->nb, extack);
	if (ret)
		goto err_unlock;
	res->op = atomic64_inc_return(&dmapeek_op_seq);
	res->done = DMAPEEK_EVENT_TYPE_MOVE_DONE;
	WRITE_ONCE(buf->op, res->op);
	WRITE_ONCE(buf->state, DMAPEEK_BUFFER_STATE_MOVING);
	dma_resv_unlock(resv);
	return 0;

err_unlock:
	dma_resv_unlock(resv);
err_put:
	dmapeek_move_put(mv);
	return ret;
}

/*
 * Under resv: may the move go on (a pin, a removal or a new importer may
 * have come since the doit)?  Then tell importers; @first: this is the
 * operation's start (its attachments, its t0, its begin event).
 */
static int dmapeek_move_tell(struct dmapeek_buffer *buf, struct dmapeek_move *mv,
			     struct dmapeek_revoke_result *res, bool first)
{
	int ret;

	dma_resv_assert_held(buf->dmabuf->resv);
	/* (a hint: a removal of the target waits for @nb; see the switch) */
	if (READ_ONCE(mv->prov->gone))
		return -ENODEV;
	ret = dmapeek_move_check(buf, mv->prov, mv->nb, NULL);
	if (ret)
		return ret;
	if (first) {
		ret = dmapeek_snapshot_attachments(buf, res);
		if (ret)
			return ret;
		res->t0 = dmapeek_now();
		dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_MOVE_BEGIN, res, 0, 0,
				 res->nr, 0);
	}
	dmapeek_buffer_tell(buf);
	return 0;
}

/*
 * The second half of a move, in dmapeek_op_wq.  Importers are told and
 * the fences waited for (up to the timeout) with the buffer's reservation
 * dropped, so that maps, other requests and device removal are not held
 * up by fences any fd holder can add; then under the reservation again,
 * once nothing is left to wait for, the importers told once more (one may
 * have mapped meanwhile), copy and switch.  The copy runs under the
 * reservation as TTM's CPU move does (ttm_bo_move_memcpy() under the bo's
 * resv): only this buffer's users wait; CPU faults wait on the buffer
 * lock, and the PTEs of the old backing go first; it stops if either
 * provider goes.  The switch happens only while the target provider stays
 * (its alloc_lock and @gone: see DOC: dmapeek exporter locking).  The old
 * backing is freed by the unmap of its last mapping (its reference count):
 * on success res->only holds the buffer's reference on it for
 * dmapeek_op_finish(), which waits for that.  0 or -errno, for the done
 * event.
 */
static int dmapeek_move_run(struct dmapeek_buffer *buf, struct dmapeek_move *mv,
			    u32 timeout_ms, struct dmapeek_revoke_result *res)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	struct dmapeek_backing *old;
	bool first = true;
	u64 deadline = 0;
	int ret;

	for (;;) {
		dma_resv_lock(resv, NULL);
		ret = dmapeek_move_tell(buf, mv, res, first);
		if (ret)
			goto out_live;
		if (first)
			deadline = res->t0 + (u64)timeout_ms * NSEC_PER_MSEC;
		first = false;
		if (dma_resv_test_signaled(resv, DMA_RESV_USAGE_BOOKKEEP))
			break;
		dma_resv_unlock(resv);
		/* no copy without them: importers map the memory where it is */
		ret = dmapeek_op_fences(buf, deadline);
		if (ret)
			goto out_live_unlocked;
	}

	mutex_lock(&buf->lock);
	dmapeek_buffer_zap(buf);
	old = buf->backing;
	ret = dmapeek_backing_copy(mv->nb, old);
	if (!ret) {
		mutex_lock(&mv->prov->alloc_lock);
		if (mv->prov->gone) {
			ret = -ENODEV;
		} else {
			/* the buffer's reference on @old is now the wait's */
			dmapeek_buffer_set_backing(buf, mv->nb);
			mv->nb = NULL;
			res->only = old;
			WRITE_ONCE(buf->moves, buf->moves + 1);
		}
		mutex_unlock(&mv->prov->alloc_lock);
	}
	WRITE_ONCE(buf->state, DMAPEEK_BUFFER_STATE_LIVE);
	mutex_unlock(&buf->lock);
	dmapeek_buffer_retype(buf);
	dma_resv_unlock(resv);
	return ret;

out_live_unlocked:
	dma_resv_lock(resv, NULL);
out_live:
	WRITE_ONCE(buf->state, buf->dead ? DMAPEEK_BUFFER_STATE_REVOKED :
			       DMAPEEK_BUFFER_STATE_LIVE);
	dma_resv_unlock(resv);
	return ret;
}

/* ------------------------------------------------------------- device gone */

static bool dmapeek_on_provider(struct dmapeek_backing *b,
				struct dmapeek_provider *prov)
{
	return b && b->prov == prov;
}

static bool dmapeek_on_device(struct dmapeek_backing *b, struct dmapeek_device *ddev)
{
	return b && b->prov && b->prov->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR &&
	       b->prov->dev == ddev;
}

/* Whether an attachment of @buf maps memory on @ddev (resv held). */
static bool dmapeek_maps_device(struct dmapeek_buffer *buf, struct dmapeek_device *ddev)
{
	struct dmapeek_exp_attach *ea;
	struct dmapeek_xmap *x;

	list_for_each_entry(ea, &buf->attachments, node)
		list_for_each_entry(x, &ea->maps, node)
			if (dmapeek_on_device(x->backing, ddev))
				return true;
	return false;
}

/*
 * The buffer at or after *@next in the table, with a file reference, or
 * NULL at the end; *@next moves past it.
 */
static struct dmapeek_buffer *dmapeek_buffer_next(unsigned long *next)
{
	struct dmapeek_buffer *buf, *found = NULL;
	unsigned long id;

	mutex_lock(&dmapeek_lock);
	xa_for_each_start(&dmapeek_buffers.xa, id, buf, *next) {
		if (get_file_active(&buf->dmabuf->file)) {
			found = buf;
			*next = id + 1;
			break;
		}
	}
	mutex_unlock(&dmapeek_lock);
	return found;
}

/*
 * @buf's memory on @ddev goes away (resv held): the current backing is
 * revoked for good, with every importer told; an old backing still mapped
 * after a move gets its importers told again.  dmapeek's own importer
 * unmaps inside the invalidate (dmapeek_export_must_unmap()); others must
 * unmap on their own, and the removal waits for them.
 */
static void dmapeek_buffer_device_gone(struct dmapeek_buffer *buf,
				       struct dmapeek_device *ddev)
{
	struct dmapeek_revoke_result res = {};

	dma_resv_assert_held(buf->dmabuf->resv);
	if (dmapeek_on_device(buf->backing, ddev)) {
		mutex_lock(&buf->lock);
		WRITE_ONCE(buf->dead, true);
		if (!buf->revoked)
			WRITE_ONCE(buf->revokes, buf->revokes + 1);
		WRITE_ONCE(buf->revoked, true);
		WRITE_ONCE(buf->state, DMAPEEK_BUFFER_STATE_REVOKED);
		dmapeek_buffer_zap(buf);
		mutex_unlock(&buf->lock);
		res.op = atomic64_inc_return(&dmapeek_op_seq);
		res.t0 = dmapeek_now();
		/* (the count is only reported: no allocation can fail here) */
		res.nr = atomic_read(&buf->nr_attachments);
		dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_REVOKE_BEGIN, &res, 0, 0,
				 res.nr, 0);
		dmapeek_buffer_invalidate(buf);
		/* The BAR space is not ours any more: mappings keep theirs. */
		mutex_lock(&buf->lock);
		dmapeek_backing_put(dmapeek_buffer_set_backing(buf, NULL));
		mutex_unlock(&buf->lock);
		dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_REVOKE_DONE, &res, 0,
				 dmapeek_now() - res.t0, atomic_read(&buf->mapped), 0);
	} else if (dmapeek_maps_device(buf, ddev)) {
		WRITE_ONCE(buf->evicting, true);
		dmapeek_buffer_invalidate(buf);
		WRITE_ONCE(buf->evicting, false);
	}
}

/* Every importer still mapping @prov's memory: an event and a log line. */
static void dmapeek_report_stuck(struct dmapeek_provider *prov, unsigned int waited_ms)
{
	struct dmapeek_exp_attach *ea;
	struct dmapeek_buffer *buf;
	struct dmapeek_xmap *x;
	unsigned long next = 0;

	while ((buf = dmapeek_buffer_next(&next))) {
		dma_resv_lock(buf->dmabuf->resv, NULL);
		list_for_each_entry(ea, &buf->attachments, node) {
			list_for_each_entry(x, &ea->maps, node) {
				if (!dmapeek_on_provider(x->backing, prov))
					continue;
				WRITE_ONCE(ea->a->stuck, true);
				dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_STUCK, ea->a->id,
						  0, (u64)waited_ms * NSEC_PER_MSEC, 0,
						  -ETIMEDOUT);
				dev_warn(ea->attach->dev,
					 "%s has not unmapped dmapeek buffer %u (%s BAR %d) in %u ms: its removal waits\n",
					 ea->a->importer_driver[0] ?
					 ea->a->importer_driver : "importer",
					 buf->id, pci_name(prov->dev->pdev), prov->bar,
					 waited_ms);
				break;
			}
		}
		dma_resv_unlock(buf->dmabuf->resv);
		dmapeek_buffer_put(buf);
	}
}

/*
 * Revoke for good every buffer whose memory is on @ddev's BARs, tell the
 * importers of old backings there to unmap, then wait until no backing on
 * them is left, as VFIO waits for its importers: pcim_p2pdma_provider()
 * wants every mapping of a BAR gone before the driver's remove() returns.
 * An importer that does not unmap is reported every DMAPEEK_GONE_REPORT_MS
 * (event and a kernel log line naming its device) while the removal waits.
 * The callers set every provider's @gone first (under its alloc_lock), so
 * no new backing appears on them and one walk of the table finds every
 * buffer concerned.
 */
void dmapeek_export_device_gone(struct dmapeek_device *ddev)
{
	struct dmapeek_buffer *buf;
	unsigned long next = 0;
	unsigned int waited;
	int bar;

	while ((buf = dmapeek_buffer_next(&next))) {
		dma_resv_lock(buf->dmabuf->resv, NULL);
		dmapeek_buffer_device_gone(buf, ddev);
		dma_resv_unlock(buf->dmabuf->resv);
		dmapeek_buffer_put(buf);
	}

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct dmapeek_provider *prov = ddev->providers[bar];

		if (!prov)
			continue;
		waited = 0;
		while (!wait_event_idle_timeout(prov->wq, !atomic_read(&prov->buffers),
						msecs_to_jiffies(DMAPEEK_GONE_REPORT_MS))) {
			waited += DMAPEEK_GONE_REPORT_MS;
			dmapeek_report_stuck(prov, waited);
		}
		WARN_ON_ONCE(!list_empty(&prov->allocs));
	}
}

/* ------------------------------------------------------------------ netlink */

/* Range @i of a backing, which starts at buffer offset @off. */
static void dmapeek_buffer_range(const void *obj, u32 i, u64 off,
				 struct dmapeek_map_range *r)
{
	const struct dmapeek_backing *b = obj;

	*r = (struct dmapeek_map_range){
		.offset = off,
		.len = b->vec[i].len,
		.addr = b->vec[i].paddr,
		.kind = DMAPEEK_ADDR_KIND_PHYS,
	};
}

static const struct dmapeek_range_attrs dmapeek_buffer_range_attrs = {
	.range = DMAPEEK_A_BUFFER_RANGE,
	.nr_ranges = DMAPEEK_A_BUFFER_NR_RANGES,
	.range_first = DMAPEEK_A_BUFFER_RANGE_FIRST,
};

int dmapeek_fill_buffer(struct sk_buff *skb, void *obj,
			const struct genl_info *info, bool admin, u32 filter,
			u32 *sub)
{
	struct dmapeek_buffer *buf = obj;
	struct dmapeek_backing *b = buf->backing;	/* stable: dmapeek_lock */
	u32 prov_id = b ? b->prov_id : 0;

	lockdep_assert_held(&dmapeek_lock);
	if (filter && prov_id != filter)
		return -ENOENT;
	if (nla_put_u32(skb, DMAPEEK_A_BUFFER_ID, buf->id) ||
	    nla_put_uint(skb, DMAPEEK_A_BUFFER_INODE,
			 buf->ino) ||
	    nla_put_string(skb, DMAPEEK_A_BUFFER_NAME, buf->name) ||
	    nla_put_uint(skb, DMAPEEK_A_BUFFER_SIZE, buf->size) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_MODEL, buf->model) ||
	    (prov_id && nla_put_u32(skb, DMAPEEK_A_BUFFER_PROVIDER_ID, prov_id)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_STATE, READ_ONCE(buf->state)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_ATTACHMENTS,
			atomic_read(&buf->nr_attachments)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_PINS, READ_ONCE(buf->pins)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_MOVES, READ_ONCE(buf->moves)) ||
	    nla_put_u32(skb, DMAPEEK_A_BUFFER_REVOKES, READ_ONCE(buf->revokes)) ||
	    nla_put_uint(skb, DMAPEEK_A_BUFFER_CREATED_NS, buf->created_ns))
		return -EMSGSIZE;
	return dmapeek_fill_ranges(skb, &dmapeek_buffer_range_attrs,
				   b ? b->nr : 0, sub, admin, b,
				   dmapeek_buffer_range);
}

int dmapeek_fill_attachment(struct sk_buff *skb, void *obj,
			    const struct genl_info *info, bool admin, u32 filter,
			    u32 *sub)
{
	struct dmapeek_attachment *a = obj;
	struct dmapeek_buffer *buf = READ_ONCE(a->buf);
	u32 buf_id = buf ? buf->id : 0;
	u32 flags = READ_ONCE(a->flags);
	bool imported = flags & DMAPEEK_ATTACH_FLAGS_IMPORTED;
	u32 device_id = READ_ONCE(a->device_id);
	u32 own_map = READ_ONCE(a->own_map);

	if (filter && buf_id != filter)
		return -ENOENT;
	if (nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_ID, a->id) ||
	    (buf_id && nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_BUFFER_ID, buf_id)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_INODE,
			 a->ino) ||
	    nla_put_string(skb, DMAPEEK_A_ATTACHMENT_EXP_NAME, a->dmabuf->exp_name) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_SIZE, a->dmabuf->size) ||
	    nla_put_string(skb, DMAPEEK_A_ATTACHMENT_IMPORTER_DEV, a->importer_dev) ||
	    nla_put_string(skb, DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER,
			   a->importer_driver) ||
	    (device_id &&
	     nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_DEVICE_ID, device_id)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_FLAGS, flags) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_MAP_TYPE, READ_ONCE(a->map_type)) ||
	    (imported &&
	     nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_BEHAVIOUR,
			 READ_ONCE(a->behaviour))) ||
	    (imported &&
	     nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS,
			 READ_ONCE(a->unmap_delay_ms))) ||
	    nla_put_u8(skb, DMAPEEK_A_ATTACHMENT_MAPPED, READ_ONCE(a->mapped)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_MAPS, READ_ONCE(a->maps)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_UNMAPS, READ_ONCE(a->unmaps)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_INVALIDATIONS,
			READ_ONCE(a->invalidations)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_LAST_MAP_NS,
			 READ_ONCE(a->last_map_ns)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_LAST_UNMAP_NS,
			 READ_ONCE(a->last_unmap_ns)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_LAST_INVALIDATE_NS,
			 READ_ONCE(a->last_invalidate_ns)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS,
			 READ_ONCE(a->last_unmap_latency_ns)) ||
	    nla_put_uint(skb, DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS,
			 READ_ONCE(a->max_unmap_latency_ns)) ||
	    nla_put_u8(skb, DMAPEEK_A_ATTACHMENT_STUCK, READ_ONCE(a->stuck)) ||
	    (own_map && nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_OWN_MAP, own_map)) ||
	    nla_put_u32(skb, DMAPEEK_A_ATTACHMENT_REVOKED_SEEN,
			READ_ONCE(a->revoked_seen)))
		return -EMSGSIZE;
	return 0;
}

int dmapeek_nl_buffer_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_get_one(skb, info, &dmapeek_buffers, DMAPEEK_A_BUFFER_ID,
				  "buffer", dmapeek_fill_buffer);
}

int dmapeek_nl_buffer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);

	if (info->attrs[DMAPEEK_A_BUFFER_PROVIDER_ID])
		ctx->filter = nla_get_u32(info->attrs[DMAPEEK_A_BUFFER_PROVIDER_ID]);
	return dmapeek_nl_dump_table(skb, cb, &dmapeek_buffers, dmapeek_fill_buffer);
}

int dmapeek_nl_attachment_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_get_one(skb, info, &dmapeek_attachments,
				  DMAPEEK_A_ATTACHMENT_ID, "attachment",
				  dmapeek_fill_attachment);
}

/*
 * @buf's attachment records from ctx->next_id on (dmapeek_lock held).  The
 * list is in id order; a batch goes on from the record the last one
 * stopped at when nothing was linked or unlinked since (the same
 * generation), else it finds its place by id, so that a buffer with tens
 * of thousands of importers dumps in linear time.
 */
static int dmapeek_nl_dump_buf_attachments(struct sk_buff *skb,
					   struct netlink_callback *cb,
					   struct dmapeek_buffer *buf, bool admin)
{
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	struct dmapeek_attachment *a;
	int ret;

	lockdep_assert_held(&dmapeek_lock);
	if (ctx->resume && ctx->resume_gen == dmapeek_generation)
		a = ctx->resume;
	else
		a = list_first_entry(&buf->nl_attachments, typeof(*a), buf_node);
	ctx->resume = NULL;
	list_for_each_entry_from(a, &buf->nl_attachments, buf_node) {
		if (a->id < ctx->next_id)
			continue;	/* dumped in an earlier batch */
		ret = dmapeek_nl_dump_obj(skb, cb, admin, a->id, a,
					  dmapeek_fill_attachment);
		if (ret) {
			ctx->resume = a;
			ctx->resume_gen = dmapeek_generation;
			return ret;
		}
	}
	return 0;
}

/*
 * The attachments of every dmapeek buffer, sorted by buffer id and then
 * attachment id (the buffer-order dump): a listing of buffers with their
 * attachments merges it with the buffer dump instead of asking once per
 * buffer.  ctx->pos is the buffer being dumped, ctx->next_id the first
 * attachment id of it not yet sent.
 */
static int dmapeek_nl_attachment_dump_by_buffer(struct sk_buff *skb,
						struct netlink_callback *cb)
{
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	bool admin = dmapeek_nl_admin(cb->skb);
	struct dmapeek_buffer *buf;
	unsigned long bid;
	int ret = 0;

	mutex_lock(&dmapeek_lock);
	cb->seq = dmapeek_generation;
	xa_for_each_start(&dmapeek_buffers.xa, bid, buf, ctx->pos) {
		if (bid != ctx->pos) {
			/* a new buffer: all of its attachments are to go */
			ctx->pos = bid;
			ctx->next_id = 0;
			ctx->resume = NULL;
		}
		ret = dmapeek_nl_dump_buf_attachments(skb, cb, buf, admin);
		if (ret)
			break;
	}
	mutex_unlock(&dmapeek_lock);
	return dmapeek_nl_dump_end(skb, ret);
}

int dmapeek_nl_attachment_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct dmapeek_dump_ctx *ctx = dmapeek_dump_ctx(cb);
	struct dmapeek_buffer *buf;
	int ret = 0;

	if (info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ORDER]) {
		if (info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ID]) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ORDER],
					    "buffer-order dumps every buffer: no buffer-id with it");
			return -EINVAL;
		}
		return dmapeek_nl_attachment_dump_by_buffer(skb, cb);
	}
	if (!info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ID])
		return dmapeek_nl_dump_table(skb, cb, &dmapeek_attachments,
					     dmapeek_fill_attachment);

	/*
	 * One buffer's attachments: its own list, not the whole table, so
	 * that a listing of every buffer with its importers stays linear.
	 */
	ctx->filter = nla_get_u32(info->attrs[DMAPEEK_A_ATTACHMENT_BUFFER_ID]);
	mutex_lock(&dmapeek_lock);
	cb->seq = dmapeek_generation;
	buf = xa_load(&dmapeek_buffers.xa, ctx->filter);
	if (buf)
		ret = dmapeek_nl_dump_buf_attachments(skb, cb, buf,
						      dmapeek_nl_admin(cb->skb));
	mutex_unlock(&dmapeek_lock);
	return dmapeek_nl_dump_end(skb, ret);
}

/* The buffer named by @attr, with a file reference, or an extack. */
static struct dmapeek_buffer *dmapeek_nl_buffer(struct genl_info *info, int attr)
{
	struct dmapeek_buffer *buf;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, attr))
		return ERR_PTR(-EINVAL);
	id = nla_get_u32(info->attrs[attr]);
	buf = dmapeek_buffer_get(id);
	if (!buf) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, info->attrs[attr],
					"no buffer with id %u", id);
		return ERR_PTR(-ENOENT);
	}
	return buf;
}

/*
 * DOC: revoke and move over netlink
 *
 * A revoke or a move waits, up to its timeout, for importers to unmap.
 * That wait must not happen in a doit: genl_rcv() holds genetlink's
 * cb_lock, and a family registering behind it (any module load) stalls,
 * and every generic netlink request of the machine after it.  So does a
 * wait for fences, which any holder of the fd can add, and a move's copy.
 * The doit does only the quick part (checks, the operation's number, the
 * buffer's state; a revoke also tells importers), answers with the
 * number, and hands the rest to dmapeek_op_wq: fences (up to the
 * timeout), a move's copy and switch, the wait for importers.  The
 * outcome is the done event carrying that number, as ethtool's cable
 * test reports through notifications.  One operation at a time per
 * buffer (struct dmapeek_buffer.op): a restore or a move while one runs
 * is refused (EBUSY).  Nothing else waits for importers on a user's
 * behalf: since ABI 2.0 there is no ioctl for these operations, so a
 * user's task never sleeps in that wait and a requester killed while it
 * listens for the done event leaves the operation to finish on its own.
 */
struct dmapeek_op_tail {
	struct work_struct work;
	struct dmapeek_buffer *buf;	/* a file reference */
	u32 timeout_ms;
	struct dmapeek_move move;	/* a move's; empty for a revoke */
	struct sk_buff *rsp;		/* the answer, allocated before the op */
	struct dmapeek_revoke_result res;
};

static struct workqueue_struct *dmapeek_op_wq;

static void dmapeek_op_tail_free(struct dmapeek_op_tail *t)
{
	nlmsg_free(t->rsp);
	dmapeek_move_put(&t->move);
	kvfree(t->res.att);
	dmapeek_buffer_put(t->buf);
	kfree(t);
}

/* The second half of a revoke or a move; @t is the work's to free. */
static void dmapeek_op_tail_work(struct work_struct *work)
{
	struct dmapeek_op_tail *t = container_of(work, struct dmapeek_op_tail, work);
	struct dmapeek_revoke_result *res = &t->res;
	int ret;

	if (res->done == DMAPEEK_EVENT_TYPE_MOVE_DONE) {
		ret = dmapeek_move_run(t->buf, &t->move, t->timeout_ms, res);
		if (ret) {
			res->duration_ns = res->t0 ? dmapeek_now() - res->t0 : 0;
			dmapeek_op_release(t->buf, res->op);
			dmapeek_op_done(t->buf, res, ret);
			goto out;
		}
	} else {
		ret = dmapeek_op_fences(t->buf, res->t0 +
					(u64)t->timeout_ms * NSEC_PER_MSEC);
	}
	dmapeek_op_finish(t->buf, t->timeout_ms, res, ret);
out:
	dmapeek_op_tail_free(t);
}

int dmapeek_export_init(void)
{
	/* unbound: a tail sleeps for as long as its timeout */
	dmapeek_op_wq = alloc_workqueue("dmapeek_op", WQ_UNBOUND, 0);
	return dmapeek_op_wq ? 0 : -ENOMEM;
}

/* After the last buffer: a tail holds one, so none is left to run. */
void dmapeek_export_exit(void)
{
	destroy_workqueue(dmapeek_op_wq);
}

/*
 * The operation of @t began: answer with its number and queue its second
 * half, which owns @t from then on.  The operation stands whether or not
 * the answer reaches the requester (its socket may be full or gone): the
 * done event tells every listener.
 */
static int dmapeek_nl_op_begun(struct genl_info *info, struct dmapeek_op_tail *t,
			       int op_attr, int (*put)(struct sk_buff *rsp,
						       const struct dmapeek_op_tail *t))
{
	struct sk_buff *rsp = t->rsp;
	void *hdr;

	/* the answer first: the done event may follow at once */
	t->rsp = NULL;
	hdr = genlmsg_iput(rsp, info);
	if (!hdr || put(rsp, t) || nla_put_uint(rsp, op_attr, t->res.op)) {
		nlmsg_free(rsp);
	} else {
		genlmsg_end(rsp, hdr);
		genlmsg_reply(rsp, info);
	}
	queue_work(dmapeek_op_wq, &t->work);	/* @t is not ours any more */
	return 0;
}

static struct dmapeek_op_tail *dmapeek_op_tail_new(struct genl_info *info,
						   int buf_attr, int timeout_attr)
{
	struct dmapeek_op_tail *t;
	int ret = -ENOMEM;

	t = kzalloc_obj(*t);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->timeout_ms = DMAPEEK_DEFAULT_TIMEOUT_MS;
	if (info->attrs[timeout_attr])
		t->timeout_ms = nla_get_u32(info->attrs[timeout_attr]) ?:
			DMAPEEK_DEFAULT_TIMEOUT_MS;
	t->rsp = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!t->rsp)
		goto err_free;
	t->buf = dmapeek_nl_buffer(info, buf_attr);
	if (IS_ERR(t->buf)) {
		ret = PTR_ERR(t->buf);
		goto err_free_rsp;
	}
	INIT_WORK(&t->work, dmapeek_op_tail_work);
	return t;

err_free_rsp:
	nlmsg_free(t->rsp);
err_free:
	kfree(t);
	return ERR_PTR(ret);
}

/* Written before the tail is queued: only what does not change after. */
static int dmapeek_nl_put_revoke(struct sk_buff *rsp, const struct dmapeek_op_tail *t)
{
	return nla_put_u32(rsp, DMAPEEK_A_REVOKE_BUFFER_ID, t->buf->id) ||
	       nla_put_u32(rsp, DMAPEEK_A_REVOKE_TIMEOUT_MS, t->timeout_ms) ||
	       nla_put_u32(rsp, DMAPEEK_A_REVOKE_ATTACHMENTS, t->res.nr) ? -EMSGSIZE : 0;
}

static int dmapeek_nl_put_move(struct sk_buff *rsp, const struct dmapeek_op_tail *t)
{
	return nla_put_u32(rsp, DMAPEEK_A_BUFFER_ID, t->buf->id) ||
	       nla_put_u32(rsp, DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID,
			   t->move.prov->id) ? -EMSGSIZE : 0;
}

int dmapeek_nl_buffer_revoke_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dmapeek_op_tail *t;
	int ret;

	ret = dmapeek_nl_need_admin(skb, info);
	if (ret)
		return ret;
	t = dmapeek_op_tail_new(info, DMAPEEK_A_REVOKE_BUFFER_ID,
				DMAPEEK_A_REVOKE_TIMEOUT_MS);
	if (IS_ERR(t))
		return PTR_ERR(t);
	ret = dmapeek_buffer_revoke(t->buf, &t->res, info->extack);
	if (ret) {
		dmapeek_op_tail_free(t);
		return ret;
	}
	return dmapeek_nl_op_begun(info, t, DMAPEEK_A_REVOKE_OP, dmapeek_nl_put_revoke);
}

int dmapeek_nl_buffer_move_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dmapeek_op_tail *t;
	int ret;

	ret = dmapeek_nl_need_admin(skb, info);
	if (ret)
		return ret;
	if (GENL_REQ_ATTR_CHECK(info, DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID))
		return -EINVAL;
	t = dmapeek_op_tail_new(info, DMAPEEK_A_BUFFER_ID, DMAPEEK_A_BUFFER_TIMEOUT_MS);
	if (IS_ERR(t))
		return PTR_ERR(t);
	ret = dmapeek_move_begin(t->buf,
				 nla_get_u32(info->attrs[DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID]),
				 &t->move, &t->res, info->extack);
	if (ret) {
		if (ret == -ENODEV && !info->extack->_msg)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID],
					    "no such provider");
		dmapeek_op_tail_free(t);
		return ret;
	}
	return dmapeek_nl_op_begun(info, t, DMAPEEK_A_BUFFER_OP, dmapeek_nl_put_move);
}

int dmapeek_nl_buffer_restore_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dmapeek_buffer *buf;
	int ret;

	ret = dmapeek_nl_need_admin(skb, info);
	if (ret)
		return ret;
	buf = dmapeek_nl_buffer(info, DMAPEEK_A_BUFFER_ID);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = dmapeek_buffer_restore(buf, info->extack);
	dmapeek_buffer_put(buf);
	return ret;
}
