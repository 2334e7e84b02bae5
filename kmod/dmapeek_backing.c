// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the memory behind an exported buffer.  A backing is system
 * pages (taken in the largest chunks available) or ranges of a PCI BAR
 * handed out from a provider; this file
 * allocates, counts, copies and frees backings, and says which importer
 * may map one and how (its P2P map type).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "dmapeek.h"
#include "dmapeek_export.h"

/* ------------------------------------------------------------------ backing */

static void dmapeek_backing_release(struct kref *kref)
{
	struct dmapeek_backing *b = container_of(kref, struct dmapeek_backing, kref);
	struct dmapeek_provider *prov = b->prov;
	unsigned int order;
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

	/*
	 * System memory chunk by chunk, each with its order: a chunk's first
	 * page heads it (a single page has order 0).  An allocation that
	 * failed half way leaves NULL after its last chunk, or no array.
	 */
	for (i = 0; b->pages && i < b->nr_pages && b->pages[i]; i += 1UL << order) {
		order = compound_order(b->pages[i]);
		__free_pages(b->pages[i], order);
	}
	kvfree(b->pages);
	kfree(b->allocs);
	kvfree(b->vec);
	kfree(b);
}

void dmapeek_backing_put(struct dmapeek_backing *b)
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

/*
 * System memory in chunks, as the dma-buf system heap builds it: the
 * largest first (1 MiB, 64 KiB, as IOMMUs map them), a page where no
 * larger chunk is free at once.  A high order is not worth a stall: no
 * reclaim, no compaction, no retry, no warning.  A chunk that could not be
 * had lowers the order for the rest of the buffer.
 */
static const unsigned int dmapeek_chunk_orders[] = { 8, 4, 0 };

#define DMAPEEK_HIGH_ORDER_GFP	((GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN | \
				  __GFP_NORETRY | __GFP_COMP) & ~__GFP_RECLAIM)
/*
 * Pages: reclaim, but fail rather than OOM-kill: a held buffer outlives
 * its maker and is in no process's RSS, so the killer would pick someone
 * innocent.  Charged, as every chunk, to the memory cgroup of whoever
 * made the buffer.
 */
#define DMAPEEK_PAGE_GFP	(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN | \
				 __GFP_RETRY_MAYFAIL)

/*
 * An array of @n zeroed elements of @size bytes describing a system
 * backing (its pages, its ranges): the caller's size, so charged to
 * them, no failure report, and, as the pages, failing rather than
 * OOM-killing.  Nothing needs it contiguous: above a page it is
 * vmalloc'ed, where kvcalloc() with __GFP_RETRY_MAYFAIL would first
 * reclaim and compact for a contiguous block.  kvfree() frees either.
 */
static void *dmapeek_backing_array(size_t n, size_t size)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;

	if (array_size(n, size) <= PAGE_SIZE)
		return kcalloc(n, size, gfp);
	return __vcalloc(n, size, gfp);
}

/* A chunk of at most @left pages and order *@max_order, or NULL. */
static struct page *dmapeek_chunk_alloc(unsigned long left,
					unsigned int *max_order)
{
	struct page *page;
	unsigned int i, order;

	for (i = 0; i < ARRAY_SIZE(dmapeek_chunk_orders); i++) {
		order = dmapeek_chunk_orders[i];
		if (order > *max_order || (1UL << order) > left)
			continue;
		page = alloc_pages(order ? DMAPEEK_HIGH_ORDER_GFP : DMAPEEK_PAGE_GFP,
				   order);
		if (page) {
			*max_order = order;
			return page;
		}
	}
	return NULL;
}

/*
 * Fill @b->pages chunk by chunk.  A larger chunk is a compound page: its
 * head, then its tail pages, in @b->pages, so that the sg tables, the CPU
 * faults and the move's copy index @b->pages page by page as before, and
 * the release finds each chunk's head and order where the chunk starts.
 * On failure the entries not reached stay NULL.
 */
static int dmapeek_backing_fill(struct dmapeek_backing *b)
{
	unsigned int max_order = b->page_chunks ? 0 : dmapeek_chunk_orders[0];
	struct page *page;
	unsigned long i = 0, j;

	while (i < b->nr_pages) {
		if (fatal_signal_pending(current))
			return -EINTR;
		page = dmapeek_chunk_alloc(b->nr_pages - i, &max_order);
		if (!page)
			return -ENOMEM;
		for (j = 0; j < 1UL << max_order; j++)
			b->pages[i++] = page + j;
	}
	return 0;
}

/*
 * The ranges of a system backing: physically contiguous pages merged into
 * one range, or with @b->page_chunks one range per page (the scattered
 * layout, whatever the allocator happened to give).
 */
static int dmapeek_backing_vec(struct dmapeek_backing *b)
{
	bool page_chunks = b->page_chunks;
	unsigned long i;
	u32 nr = 0;

	for (i = 0; i < b->nr_pages; i++)
		if (!i || page_chunks ||
		    page_to_pfn(b->pages[i]) != page_to_pfn(b->pages[i - 1]) + 1)
			nr++;
	b->vec = dmapeek_backing_array(nr, sizeof(*b->vec));
	if (!b->vec)
		return -ENOMEM;
	b->nr = nr;
	nr = 0;
	for (i = 0; i < b->nr_pages; i++) {
		phys_addr_t p = page_to_phys(b->pages[i]);

		if (nr && !page_chunks && b->vec[nr - 1].paddr + b->vec[nr - 1].len == p)
			b->vec[nr - 1].len += PAGE_SIZE;
		else
			b->vec[nr++] = (struct phys_vec){ .paddr = p, .len = PAGE_SIZE };
	}
	return 0;
}

/*
 * A system backing of @size bytes: the largest chunks available, or with
 * @page_chunks (DMAPEEK_EXPORT_PAGE_CHUNKS) page by page.
 */
struct dmapeek_backing *dmapeek_backing_system(struct dmapeek_provider *prov,
					       u64 size, bool page_chunks)
{
	struct dmapeek_backing *b;
	int ret = -ENOMEM;

	if (size >> PAGE_SHIFT > totalram_pages() / 2)
		return ERR_PTR(-ENOMEM);
	b = dmapeek_backing_new(prov, size);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->page_chunks = page_chunks;
	b->nr_pages = size >> PAGE_SHIFT;
	b->pages = dmapeek_backing_array(b->nr_pages, sizeof(*b->pages));
	if (!b->pages)
		goto err_free;
	ret = dmapeek_backing_fill(b);
	if (!ret && dmapeek_backing_vec(b))
		ret = -ENOMEM;
	if (ret)
		goto err_free;
	dmapeek_backing_publish(b, prov);
	return b;

err_free:
	dmapeek_backing_put(b);
	return ERR_PTR(ret);
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
struct dmapeek_backing *dmapeek_backing_bar(struct dmapeek_provider *prov,
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

unsigned long dmapeek_backing_pfn(struct dmapeek_backing *b, u64 off)
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
int dmapeek_backing_copy(struct dmapeek_backing *dst,
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
 * A new backing of @size bytes on @prov (a lookup reference held);
 * @page_chunks: system memory page by page (the buffer's export flag).
 */
struct dmapeek_backing *dmapeek_backing_alloc(struct dmapeek_provider *prov,
					      u64 size, bool page_chunks)
{
	if (prov->kind == DMAPEEK_PROVIDER_KIND_SYSTEM)
		return dmapeek_backing_system(prov, size, page_chunks);
	if (size > prov->size)
		return ERR_PTR(-ENOSPC);
	return dmapeek_backing_bar(prov, NULL, 0, size);
}

/* The P2P map type of @dev for the memory of @b: NONE for system memory. */
u32 dmapeek_backing_map_type(struct dmapeek_backing *b, struct device *dev)
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
int dmapeek_backing_allows(struct dmapeek_backing *b,
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
