// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: a peek at the attachments of any dma-buf, by a descriptor the
 * caller holds (the DMABUF_ATTACHMENTS ioctl).
 *
 * What the dma-buf core records of an attachment (struct
 * dma_buf_attachment) is little: the importer's device, the peer2peer
 * bit, the importer's ops and two private pointers, the importer's and the
 * exporter's.  The flags reported say what those fields mean, as the core
 * itself reads them:
 *
 *  - dynamic: the importer gave ops (dma_buf_attachment_is_dynamic());
 *  - peer2peer: attach->peer2peer, which dma_buf_dynamic_attach() sets
 *    from the ops' allow_peer2peer and the exporter's attach callback may
 *    clear (p2p-refused when it did);
 *  - revocable: dma_buf_attach_revocable();
 *  - pin-on-map: no importer ops on an exporter with pin, the case where
 *    dma_buf_map_attachment() pins the buffer for the mapping's life
 *    (dma_buf_pin_on_map(), which the core does not export).  The core
 *    keeps no record of mappings or pins per attachment, so whether this
 *    attachment is mapped, or pinned, now, it cannot say.
 *
 * An attachment dmapeek records itself (its importer made it, or dmapeek
 * exported the buffer) adds dmapeek's id and what that record knows: the
 * pinned, exported, imported and held flags.  A foreign importer_priv is
 * never dereferenced: a static import of dmapeek's importer is known by
 * its record's address, compared with the records in the attachment table.
 *
 * The list is read under the buffer's reservation lock, taken
 * interruptibly, then dmapeek_lock (the order of "DOC: dmapeek locking");
 * nothing is attached, nothing of the exporter's or the importers' is
 * called, and the entries go to user space after both locks are dropped.
 * The room for them is counted under a first hold of the lock and sized
 * to what the buffer has, at most DMAPEEK_DMABUF_MAX_ATTACHMENTS, so a
 * caller makes the module allocate no more than the attachments it reads,
 * and never in one piece above a page (anybody may ask).  The second hold
 * reads the entries and the total of one snapshot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "dmapeek.h"

/* The flags of dmapeek's own record that a peek reports. */
#define DMAPEEK_PEEK_RECORD_FLAGS					\
	(DMAPEEK_ATTACH_FLAGS_PINNED | DMAPEEK_ATTACH_FLAGS_EXPORTED |	\
	 DMAPEEK_ATTACH_FLAGS_IMPORTED | DMAPEEK_ATTACH_FLAGS_HELD)

/**
 * struct dmapeek_peek - one peek at a buffer's attachments
 * @dmabuf: the buffer (the caller's reference)
 * @ents: room for @room entries, zeroed
 * @room: entries @ents holds
 * @nr: entries written
 * @total: the buffer's attachments
 */
struct dmapeek_peek {
	struct dma_buf *dmabuf;
	struct dmapeek_dmabuf_attachment *ents;
	u32 room;
	u32 nr;
	u32 total;
};

/**
 * dmapeek_attach_core_flags() - the flags the dma-buf core's record says
 * @attach: an attachment; its importer's ops and device are read, and its
 *	buffer's ops
 *
 * Return: DMAPEEK_ATTACH_FLAGS_DYNAMIC, _PEER2PEER, _REVOCABLE,
 * _PIN_ON_MAP and _P2P_REFUSED, as they apply to @attach.
 */
u32 dmapeek_attach_core_flags(struct dma_buf_attachment *attach)
{
	const struct dma_buf_attach_ops *ops = attach->importer_ops;
	u32 flags = 0;

	if (ops)
		flags |= DMAPEEK_ATTACH_FLAGS_DYNAMIC;
	if (attach->peer2peer)
		flags |= DMAPEEK_ATTACH_FLAGS_PEER2PEER;
	if (dma_buf_attach_revocable(attach))
		flags |= DMAPEEK_ATTACH_FLAGS_REVOCABLE;
	if (!ops && dma_buf_is_dynamic(attach->dmabuf))
		flags |= DMAPEEK_ATTACH_FLAGS_PIN_ON_MAP;
	if (ops && ops->allow_peer2peer && !attach->peer2peer)
		flags |= DMAPEEK_ATTACH_FLAGS_P2P_REFUSED;
	return flags;
}

/*
 * dmapeek's record of @attach, or NULL.  The caller holds the buffer's
 * reservation lock, with @attach on its list (so a record found through
 * @attach lives on), and dmapeek_lock (so one found in the table does).
 */
static struct dmapeek_attachment *dmapeek_peek_record(struct dma_buf_attachment *attach)
{
	struct dmapeek_attachment *a;
	unsigned long id;

	a = dmapeek_attachment_of(attach);
	if (a)
		return a;
	a = dmapeek_export_attachment(attach);
	if (a)
		return a;
	/*
	 * A static import by dmapeek's importer has no ops to be told by;
	 * its importer_priv is its record.  Other static importers seldom
	 * pass one, so the walk of the table is for the rare attachment.
	 */
	if (attach->importer_ops || !attach->importer_priv)
		return NULL;
	xa_for_each(&dmapeek_attachments.xa, id, a)
		if (a == attach->importer_priv && a->imp)
			return a;
	return NULL;
}

/* Fill @p from the buffer's list; its reservation lock and dmapeek_lock held. */
static void dmapeek_peek_fill(struct dmapeek_peek *p)
{
	struct dmapeek_dmabuf_attachment *e;
	struct dma_buf_attachment *attach;
	struct device_driver *drv;
	struct dmapeek_attachment *a;

	dma_resv_assert_held(p->dmabuf->resv);
	lockdep_assert_held(&dmapeek_lock);
	list_for_each_entry(attach, &p->dmabuf->attachments, node) {
		p->total++;
		if (p->nr == p->room)
			continue;
		e = &p->ents[p->nr++];
		e->flags = dmapeek_attach_core_flags(attach);
		a = dmapeek_peek_record(attach);
		if (a) {
			e->flags |= READ_ONCE(a->flags) & DMAPEEK_PEEK_RECORD_FLAGS;
			e->attachment_id = a->id;
		}
		strscpy(e->device, dev_name(attach->dev));
		/*
		 * As dev_driver_string(): the driver may go meanwhile (a DRM
		 * device unplugged keeps its imports attached), so one read;
		 * the device itself lives as long as the attachment, which
		 * detaching removes under the lock we hold.  No device_lock():
		 * a driver's remove detaches, which takes this lock.
		 */
		drv = READ_ONCE(attach->dev->driver);
		strscpy(e->driver, drv ? drv->name : "");
	}
}

/*
 * Zeroed room for @nr entries: a request of any user, so nothing of a
 * higher order than a page is looked for (vmalloc's single pages above
 * one).  Freed with kvfree().
 */
static struct dmapeek_dmabuf_attachment *dmapeek_peek_alloc(u32 nr)
{
	size_t bytes = array_size(nr, sizeof(struct dmapeek_dmabuf_attachment));

	/* any user's request: charged to them, and no failure report */
	return bytes <= PAGE_SIZE ?
	       kzalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN) :
	       __vmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
}

/* The buffer's attachments: none beyond the caller's room, at most the limit. */
static int dmapeek_peek_read(struct dmapeek_peek *p, u32 room)
{
	int ret;

	room = min_t(u32, room, DMAPEEK_DMABUF_MAX_ATTACHMENTS);
	if (room) {
		ret = dma_resv_lock_interruptible(p->dmabuf->resv, NULL);
		if (ret)
			return ret;
		room = min_t(size_t, room, list_count_nodes(&p->dmabuf->attachments));
		dma_resv_unlock(p->dmabuf->resv);
	}
	if (room) {
		p->ents = dmapeek_peek_alloc(room);
		if (!p->ents)
			return -ENOMEM;
		p->room = room;
	}

	ret = dma_resv_lock_interruptible(p->dmabuf->resv, NULL);
	if (ret)
		return ret;
	mutex_lock(&dmapeek_lock);
	dmapeek_peek_fill(p);
	mutex_unlock(&dmapeek_lock);
	dma_resv_unlock(p->dmabuf->resv);
	return 0;
}

/* The entries to user space, each @entry_size bytes: cut or zero-padded. */
static int dmapeek_peek_copy_out(const struct dmapeek_peek *p, u64 entries,
				 u32 entry_size)
{
	size_t n = min_t(size_t, entry_size, sizeof(*p->ents));
	void __user *dst = u64_to_user_ptr(entries);
	u32 i;

	if (entry_size == sizeof(*p->ents))
		return copy_to_user(dst, p->ents,
				    array_size(p->nr, sizeof(*p->ents))) ? -EFAULT : 0;
	for (i = 0; i < p->nr; i++, dst += entry_size) {
		if (copy_to_user(dst, &p->ents[i], n))
			return -EFAULT;
		if (entry_size > n && clear_user(dst + n, entry_size - n))
			return -EFAULT;
	}
	return 0;
}

/* What the buffer itself says: size, inode, exporter, name. */
static void dmapeek_peek_describe(struct dmapeek_dmabuf_attachments *q,
				  struct dma_buf *dmabuf)
{
	q->length = dmabuf->size;
	q->ino = file_inode(dmabuf->file)->i_ino;
	q->buffer_id = dmapeek_export_buffer_id(dmabuf);
	q->dmabuf_flags = dma_buf_is_dynamic(dmabuf) ? DMAPEEK_DMABUF_DYNAMIC : 0;
	strscpy_pad(q->exp_name, dmabuf->exp_name);
	spin_lock(&dmabuf->name_lock);
	strscpy_pad(q->name, dmabuf->name ?: "");
	spin_unlock(&dmabuf->name_lock);
}

/**
 * dmapeek_ioc_dmabuf_attachments() - DMAPEEK_IOC_DMABUF_ATTACHMENTS
 * @df: the open /dev/dmapeek (unused: the descriptor is the caller's own)
 * @arg: the kernel copy of struct dmapeek_dmabuf_attachments
 *
 * Report every attachment of the dma-buf @arg's fd names, and the buffer's
 * own size, inode, exporter and name (see include/uapi/linux/dmapeek.h).
 * Needs no capability: the caller shows its right to the buffer by
 * holding a descriptor of it, and nothing reported is an address.
 *
 * Return: 0; -EINVAL for non-zero flags or reserved bytes, an entry size
 * below ABI 2.2's, or an fd that is not a dma-buf; -E2BIG for an entry
 * size beyond DMAPEEK_IOCTL_MAX_SIZE; -EBADF for an fd that is not open;
 * -EINTR when a signal ends the wait for the reservation lock; -ENOMEM;
 * -EFAULT.
 */
int dmapeek_ioc_dmabuf_attachments(struct dmapeek_file *df, void *arg)
{
	struct dmapeek_dmabuf_attachments *q = arg;
	struct dmapeek_peek p = {};
	int ret;

	if (q->flags || q->__reserved)
		return -EINVAL;
	if (q->nr && q->entry_size < offsetofend(struct dmapeek_dmabuf_attachment, driver))
		return -EINVAL;
	if (q->nr && q->entry_size > DMAPEEK_IOCTL_MAX_SIZE)
		return -E2BIG;
	p.dmabuf = dma_buf_get(q->fd);
	if (IS_ERR(p.dmabuf))
		return PTR_ERR(p.dmabuf);	/* -EBADF, or -EINVAL: not a dma-buf */

	ret = dmapeek_peek_read(&p, q->nr);
	if (ret)
		goto free_entries;
	ret = dmapeek_peek_copy_out(&p, q->entries, q->entry_size);
	if (ret)
		goto free_entries;
	dmapeek_peek_describe(q, p.dmabuf);
	q->nr = p.nr;
	q->total = p.total;

free_entries:
	kvfree(p.ents);
	dma_buf_put(p.dmabuf);
	return ret;
}
