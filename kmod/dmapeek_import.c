// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the importer probe.
 *
 * dmapeek attaches a device bound to it (the client) to any dma-buf, static
 * or dynamic, pinned or not, and maps it under the reservation-lock rules.
 * Every mapping it holds is recorded as a dmapeek_mapping, each made by
 * one function of dmapeek_import_map.c (this file attaches, answers
 * invalidations, tears down and serves the requests):
 *
 *  - importer-sgt: the DMA ranges of the sg table the exporter returned;
 *  - iova-link / map-phys: the same memory mapped on the importer's side
 *    with the two-step IOVA API (dma_iova_try_alloc, dma_iova_link at a
 *    running offset, one dma_iova_sync), or dma_map_phys() where no IOMMU
 *    translates.  Only for memory whose physical ranges the exporter hands
 *    out through an interface meant for it: dmapeek's own exports
 *    (dmapeek_phys_get()).  An importer must not read the CPU side
 *    (pages) of another exporter's sg table, so a foreign buffer gets no
 *    importer-side mapping, and its attachment says so;
 *  - phys-vec-helper (debug, see the audit_bar_* parameters): BAR ranges
 *    mapped through the kernel's dma_buf_phys_vec_to_sgt().  On 7.3.4 it
 *    links every range at IOVA offset 0; behind an IOMMU whose page table
 *    refuses to map over a live entry the second link fails (-EADDRINUSE)
 *    and the helper returns that error, so dmapeek replays its links to
 *    record the single run its sg table would claim, for the audit.
 *
 * The invalidate_mappings callback records the time and, per behaviour,
 * unmaps at once, never, or from a delayed work; the next use maps again.
 * When the memory goes away for good (its provider's device is leaving),
 * it unmaps at once whatever the behaviour: dmapeek controls this importer,
 * and nothing of a departing BAR may stay mapped.  The misbehaviours are
 * for dmapeek's own exports only: another exporter may wait for the unmap
 * without bound (VFIO's revoke does), so the import of its buffer with one
 * is refused, and its invalidations are always answered at once.
 *
 * Lifetime: an import is owned by the /dev/dmapeek file that made it, or
 * with DMAPEEK_IMPORT_HOLD by the module (dmapeek_held, in
 * dmapeek_import_held.c) until attachment-delete or its device's removal
 * (its list node, under dmapeek_file.lock), and referenced by lookups by id (a kref).  Teardown
 * (detach, file close, device unbind) happens once, under the import's
 * lock: it marks the import dead under the reservation lock,
 * unmaps, unpins and detaches; the dma-buf reference is dropped with the
 * last kref, so a lookup that raced with teardown can still lock the
 * reservation and see "dead".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"
#include "dmapeek_import.h"
#include "dmapeek_phys.h"

static void dmapeek_import_invalidate(struct dma_buf_attachment *attach);

static const struct dma_buf_attach_ops dmapeek_import_ops_p2p = {
	.allow_peer2peer = true,
	.invalidate_mappings = dmapeek_import_invalidate,
};

static const struct dma_buf_attach_ops dmapeek_import_ops = {
	.allow_peer2peer = false,
	.invalidate_mappings = dmapeek_import_invalidate,
};

/* Dynamic but not revocable: no invalidate_mappings at all. */
static const struct dma_buf_attach_ops dmapeek_import_ops_noinv_p2p = {
	.allow_peer2peer = true,
};

static const struct dma_buf_attach_ops dmapeek_import_ops_noinv = {
	.allow_peer2peer = false,
};

static bool dmapeek_import_ops_are_ours(const struct dma_buf_attach_ops *ops)
{
	return ops == &dmapeek_import_ops_p2p || ops == &dmapeek_import_ops ||
	       ops == &dmapeek_import_ops_noinv_p2p || ops == &dmapeek_import_ops_noinv;
}

/*
 * A static import has no importer ops for the exporter to recognise it by.
 * While dmapeek's importer attaches one, it holds dmapeek_static_lock and
 * publishes the record it passes as importer_priv here; the exporter's
 * attach callback runs inside that call and matches the pointer (only
 * compares it: a foreign importer_priv is never dereferenced).
 */
static DEFINE_MUTEX(dmapeek_static_lock);
static struct dmapeek_attachment *dmapeek_static_pending;

struct dmapeek_attachment *dmapeek_import_attachment(struct dma_buf_attachment *attach)
{
	if (!attach)
		return NULL;
	if (dmapeek_import_ops_are_ours(attach->importer_ops))
		return attach->importer_priv;
	if (!attach->importer_ops && attach->importer_priv &&
	    attach->importer_priv == READ_ONCE(dmapeek_static_pending))
		return attach->importer_priv;
	return NULL;
}

/* dma_buf_dynamic_attach() for @imp, static or dynamic (see above). */
static struct dma_buf_attachment *
dmapeek_import_attach(struct dmapeek_imp *imp, const struct dma_buf_attach_ops *ops)
{
	struct dma_buf_attachment *attach;

	if (ops)
		return dma_buf_dynamic_attach(imp->dmabuf, &imp->ddev->pdev->dev,
					      ops, &imp->a);
	mutex_lock(&dmapeek_static_lock);
	WRITE_ONCE(dmapeek_static_pending, &imp->a);
	attach = dma_buf_dynamic_attach(imp->dmabuf, &imp->ddev->pdev->dev,
					NULL, &imp->a);
	WRITE_ONCE(dmapeek_static_pending, NULL);
	mutex_unlock(&dmapeek_static_lock);
	return attach;
}

/* ----------------------------------------------------------- invalidation */

static void dmapeek_import_unmap_work(struct work_struct *work)
{
	struct dmapeek_unmap_delay *delay =
		container_of(to_delayed_work(work), struct dmapeek_unmap_delay, work);
	struct dmapeek_imp *imp = delay->imp;
	u64 due, now;

	dma_resv_lock(imp->dmabuf->resv, NULL);
	if (!imp->dead && imp->unmap_pending) {
		/*
		 * The work's timer counts jiffies, which can lag the clock the
		 * latency is measured with (a busy or emulated machine): the
		 * unmap is never earlier than the delay promised.
		 */
		due = imp->a.last_invalidate_ns +
		      (u64)imp->unmap_delay_ms * NSEC_PER_MSEC;
		now = dmapeek_now();
		if (now < due) {
			mod_delayed_work(system_dfl_wq, &delay->work,
					 nsecs_to_jiffies(due - now) + 1);
		} else {
			imp->unmap_pending = false;
			dmapeek_import_unmap_locked(imp);
		}
	}
	dma_resv_unlock(imp->dmabuf->resv);
}

/* Called by the exporter with the reservation lock held. */
static void dmapeek_import_invalidate(struct dma_buf_attachment *attach)
{
	struct dmapeek_attachment *a = dmapeek_import_attachment(attach);
	struct dmapeek_imp *imp;

	if (WARN_ON_ONCE(!a || !a->imp))
		return;
	imp = a->imp;
	dma_resv_assert_held(attach->dmabuf->resv);

	WRITE_ONCE(a->invalidations, a->invalidations + 1);
	WRITE_ONCE(a->last_invalidate_ns, dmapeek_now());
	dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_INVALIDATE, 0, 0);
	if (imp->dead || !imp->sgt)
		return;

	/*
	 * The memory goes for good: no simulated misbehaviour outlives it.
	 * Nor does one meet another exporter, which may wait for the unmap
	 * without bound (the import refused that already: this is belt and
	 * braces).
	 */
	if (!dmapeek_phys_offered(attach->dmabuf) ||
	    dmapeek_phys_must_unmap(attach->dmabuf)) {
		imp->unmap_pending = false;
		dmapeek_import_unmap_locked(imp);
		return;
	}

	switch (imp->behaviour) {
	case DMAPEEK_BEHAVIOUR_NEVER_UNMAP:
		/* A stuck importer on purpose: keep using the old mapping. */
		break;
	case DMAPEEK_BEHAVIOUR_DELAYED_UNMAP:
		imp->unmap_pending = true;
		mod_delayed_work(system_dfl_wq, &imp->delay->work,
				 msecs_to_jiffies(imp->unmap_delay_ms));
		break;
	default:
		dmapeek_import_unmap_locked(imp);
		break;
	}
}

/* ------------------------------------------------------------- lifetime */

/*
 * Imports in a cache of their own: a kmalloc() of one would take a
 * 512-byte object.
 */
static struct kmem_cache *dmapeek_imp_cache;

int __init dmapeek_import_init(void)
{
	dmapeek_imp_cache = KMEM_CACHE(dmapeek_imp, 0);
	return dmapeek_imp_cache ? 0 : -ENOMEM;
}

void dmapeek_import_exit(void)
{
	kmem_cache_destroy(dmapeek_imp_cache);
}

static void dmapeek_import_free(struct kref *kref)
{
	struct dmapeek_imp *imp = container_of(kref, struct dmapeek_imp, kref);

	dma_buf_put(imp->dmabuf);
	mutex_destroy(&imp->lock);
	kfree(imp->delay);
	kmem_cache_free(dmapeek_imp_cache, imp);
}

void dmapeek_import_put(struct dmapeek_imp *imp)
{
	kref_put(&imp->kref, dmapeek_import_free);
}

/* Tear @imp down once; caller holds imp->lock. */
static void dmapeek_import_teardown(struct dmapeek_imp *imp)
{
	lockdep_assert_held(&imp->lock);
	if (!imp->attach)
		return;

	dma_resv_lock(imp->dmabuf->resv, NULL);
	imp->dead = true;
	imp->unmap_pending = false;
	dmapeek_import_unmap_locked(imp);
	if (imp->pinned) {
		dma_buf_unpin(imp->attach);
		imp->pinned = false;
		dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_UNPIN, 0, 0);
	}
	dma_resv_unlock(imp->dmabuf->resv);

	/* The work takes only the reservation lock; it sees "dead". */
	if (imp->delay)
		cancel_delayed_work_sync(&imp->delay->work);
	dma_buf_detach(imp->dmabuf, imp->attach);
	imp->attach = NULL;

	mutex_lock(&dmapeek_lock);
	dmapeek_attachment_forget(&imp->a);
	/* before it leaves the table: its device's removal waits for that */
	atomic_dec(&imp->ddev->attachments);
	dmapeek_table_del(&dmapeek_attachments, imp->a.id);
	mutex_unlock(&dmapeek_lock);
	dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_DETACH, 0, 0);
}

/*
 * Find an import by attachment id and take a reference; -ENOENT for an
 * unknown id, -EINVAL for an attachment dmapeek's importer did not make.
 */
struct dmapeek_imp *dmapeek_import_get(u32 id, int *err)
{
	struct dmapeek_attachment *a;
	struct dmapeek_imp *imp = NULL;

	mutex_lock(&dmapeek_lock);
	a = xa_load(&dmapeek_attachments.xa, id);
	if (!a) {
		*err = -ENOENT;
	} else if (!a->imp) {
		*err = -EINVAL;
	} else {
		imp = a->imp;
		kref_get(&imp->kref);
	}
	mutex_unlock(&dmapeek_lock);
	return imp;
}

/* Map by id under the import's lock; 0, -EALREADY when mapped. */
static int dmapeek_import_do_map(struct dmapeek_imp *imp)
{
	int ret;

	mutex_lock(&imp->lock);
	if (!imp->attach) {
		ret = -ENOENT;
		goto out;
	}
	ret = dma_resv_lock_interruptible(imp->dmabuf->resv, NULL);
	if (ret)
		goto out;
	if (imp->sgt && !imp->unmap_pending)
		ret = -EALREADY;
	else
		ret = dmapeek_import_map_locked(imp);
	dma_resv_unlock(imp->dmabuf->resv);
out:
	mutex_unlock(&imp->lock);
	return ret;
}

static int dmapeek_import_do_unmap(struct dmapeek_imp *imp)
{
	int ret = 0;

	mutex_lock(&imp->lock);
	if (!imp->attach) {
		ret = -ENOENT;
		goto out;
	}
	ret = dma_resv_lock_interruptible(imp->dmabuf->resv, NULL);
	if (ret)
		goto out;
	if (!imp->sgt) {
		ret = -ENXIO;
	} else {
		imp->unmap_pending = false;
		dmapeek_import_unmap_locked(imp);
	}
	dma_resv_unlock(imp->dmabuf->resv);
out:
	mutex_unlock(&imp->lock);
	return ret;
}

/* ------------------------------------------------------------------ ioctls */

/*
 * IMPORT: the import goes on @df's list only once the dispatcher has
 * copied its id back (dmapeek_import_publish()); if that copy fails it is
 * torn down again (dmapeek_import_undo()).
 */
int dmapeek_ioc_import(struct dmapeek_file *df, void *arg,
		       struct dmapeek_ioc_new *made)
{
	struct dmapeek_import *ia = arg;
	const struct dma_buf_attach_ops *ops = NULL;
	struct dma_buf_attachment *attach;
	struct dmapeek_device *ddev;
	struct dmapeek_imp *imp;
	struct dma_buf *dmabuf;
	int ret;

	if (ia->flags & ~DMAPEEK_IMPORT_FLAGS || ia->__reserved || ia->attachment_id)
		return -EINVAL;
	if (!ia->behaviour)
		ia->behaviour = DMAPEEK_BEHAVIOUR_NORMAL;
	if (ia->behaviour > DMAPEEK_BEHAVIOUR_DELAYED_UNMAP)
		return -EINVAL;
	/* pin and the importer ops need a dynamic attachment */
	if (!(ia->flags & DMAPEEK_IMPORT_DYNAMIC) &&
	    (ia->flags & (DMAPEEK_IMPORT_PIN | DMAPEEK_IMPORT_PEER2PEER |
			  DMAPEEK_IMPORT_NO_INVALIDATE)))
		return -EINVAL;
	/*
	 * A dynamic importer that is told of no move must keep the memory
	 * where it is: without a pin its mapping could go stale unnoticed.
	 */
	if ((ia->flags & DMAPEEK_IMPORT_DYNAMIC) &&
	    (ia->flags & DMAPEEK_IMPORT_NO_INVALIDATE) &&
	    !(ia->flags & DMAPEEK_IMPORT_PIN))
		return -EINVAL;
	/* a misbehaviour needs invalidations to misbehave on */
	if (ia->behaviour != DMAPEEK_BEHAVIOUR_NORMAL &&
	    (!(ia->flags & DMAPEEK_IMPORT_DYNAMIC) ||
	     (ia->flags & DMAPEEK_IMPORT_NO_INVALIDATE)))
		return -EINVAL;
	if (ia->behaviour == DMAPEEK_BEHAVIOUR_DELAYED_UNMAP &&
	    ia->unmap_delay_ms > DMAPEEK_UNMAP_DELAY_MAX_MS)
		return -ERANGE;
	if (ia->behaviour != DMAPEEK_BEHAVIOUR_DELAYED_UNMAP && ia->unmap_delay_ms)
		return -EINVAL;

	dmabuf = dma_buf_get(ia->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);	/* -EBADF, or -EINVAL: not a dma-buf */
	/*
	 * A misbehaviour only on dmapeek's own exports: another exporter may
	 * wait for the unmap without bound once it has invalidated (VFIO's
	 * revoke does, uninterruptibly, under its memory_lock), and
	 * dma_buf_invalidate_mappings() asks of every importer with an
	 * invalidate op that it unmaps within bounded time.
	 */
	if (ia->behaviour != DMAPEEK_BEHAVIOUR_NORMAL &&
	    !dmapeek_phys_offered(dmabuf)) {
		ret = -EOPNOTSUPP;
		goto err_put_buf;
	}

	imp = kmem_cache_zalloc(dmapeek_imp_cache, GFP_KERNEL);
	if (!imp) {
		ret = -ENOMEM;
		goto err_put_buf;
	}
	if (ia->behaviour == DMAPEEK_BEHAVIOUR_DELAYED_UNMAP) {
		imp->delay = kzalloc_obj(*imp->delay);
		if (!imp->delay) {
			ret = -ENOMEM;
			goto err_free_imp;
		}
		INIT_DELAYED_WORK(&imp->delay->work, dmapeek_import_unmap_work);
		imp->delay->imp = imp;
	}
	kref_init(&imp->kref);
	mutex_init(&imp->lock);
	dmapeek_attachment_init(&imp->a);
	INIT_LIST_HEAD(&imp->node);
	imp->dmabuf = dmabuf;
	imp->flags = ia->flags;
	imp->behaviour = ia->behaviour;
	imp->unmap_delay_ms = ia->unmap_delay_ms;
	imp->a.imp = imp;
	imp->a.dmabuf = dmabuf;
	imp->a.ino = file_inode(dmabuf->file)->i_ino;
	imp->a.own_map = dmapeek_phys_offered(dmabuf) ? DMAPEEK_OWN_MAP_STATE_NONE :
			 DMAPEEK_OWN_MAP_STATE_FOREIGN_EXPORTER;
	imp->a.behaviour = ia->behaviour;
	imp->a.unmap_delay_ms = ia->unmap_delay_ms;
	/*
	 * Without dmapeek's exporter there is no P2P provider: not P2P.  For
	 * a buffer dmapeek exported, its attach callback sets the map type of
	 * where the memory is, and keeps it up to date.  (Set before the
	 * record is listed: a dump may read it from then on.)
	 */
	imp->a.map_type = DMAPEEK_MAP_TYPE_NONE;
	imp->a.flags = DMAPEEK_ATTACH_FLAGS_IMPORTED;
	if (ia->flags & DMAPEEK_IMPORT_HOLD)
		imp->a.flags |= DMAPEEK_ATTACH_FLAGS_HELD;
	if (ia->flags & DMAPEEK_IMPORT_DYNAMIC) {
		imp->a.flags |= DMAPEEK_ATTACH_FLAGS_DYNAMIC;
		if (ia->flags & DMAPEEK_IMPORT_NO_INVALIDATE)
			ops = ia->flags & DMAPEEK_IMPORT_PEER2PEER ?
			      &dmapeek_import_ops_noinv_p2p : &dmapeek_import_ops_noinv;
		else
			ops = ia->flags & DMAPEEK_IMPORT_PEER2PEER ?
			      &dmapeek_import_ops_p2p : &dmapeek_import_ops;
		if (ops->allow_peer2peer)
			imp->a.flags |= DMAPEEK_ATTACH_FLAGS_PEER2PEER;
		if (ops->invalidate_mappings)
			imp->a.flags |= DMAPEEK_ATTACH_FLAGS_REVOCABLE;
	}

	/*
	 * Registered first, with the import's lock held across the attach:
	 * the exporter's attach callback may look the record up, and an
	 * unbind of the device (dmapeek_import_device_gone(), which marks it
	 * gone under dmapeek_lock and then finds every import of it in the
	 * table) waits for the lock and tears down what we attached.
	 */
	mutex_lock(&imp->lock);
	mutex_lock(&dmapeek_lock);
	ddev = dmapeek_device_find(ia->device_id);
	if (!ddev || ddev->gone)
		ret = -ENODEV;
	else if (!(ddev->roles & DMAPEEK_DEVICE_ROLE_CLIENT))
		ret = -EINVAL;
	else
		ret = dmapeek_table_add(&dmapeek_attachments, &imp->a, &imp->a.id);
	if (!ret) {
		imp->ddev = ddev;
		imp->a.device_id = ddev->id;
		strscpy(imp->a.importer_dev, dev_name(&ddev->pdev->dev));
		strscpy(imp->a.importer_driver, KBUILD_MODNAME);
		atomic_inc(&ddev->attachments);
	}
	mutex_unlock(&dmapeek_lock);
	if (ret) {
		mutex_unlock(&imp->lock);
		goto err_free;
	}

	attach = dmapeek_import_attach(imp, ops);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto err_unregister;
	}
	imp->attach = attach;
	imp->a.attach = attach;
	/* what the core made of it: an exporter may have refused P2P */
	WRITE_ONCE(imp->a.flags, (imp->a.flags & ~DMAPEEK_ATTACH_CORE_FLAGS) |
				 dmapeek_attach_core_flags(attach));
	dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_ATTACH, 0, 0);

	if (ia->flags & DMAPEEK_IMPORT_PIN) {
		ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
		if (!ret) {
			ret = dma_buf_pin(attach);
			if (!ret) {
				imp->pinned = true;
				WRITE_ONCE(imp->a.flags,
					   imp->a.flags | DMAPEEK_ATTACH_FLAGS_PINNED);
				dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_PIN, 0, 0);
			}
			dma_resv_unlock(dmabuf->resv);
		}
		if (ret)
			goto err_detach;
	}

	mutex_unlock(&imp->lock);

	made->imp = imp;
	ia->attachment_id = imp->a.id;
	return 0;

err_detach:
	dma_buf_detach(dmabuf, attach);
	imp->attach = NULL;
	dmapeek_import_event(imp, DMAPEEK_EVENT_TYPE_DETACH, 0, 0);
err_unregister:
	mutex_lock(&dmapeek_lock);
	dmapeek_attachment_forget(&imp->a);
	/* before it leaves the table: its device's removal waits for that */
	atomic_dec(&ddev->attachments);
	dmapeek_table_del(&dmapeek_attachments, imp->a.id);
	mutex_unlock(&dmapeek_lock);
	mutex_unlock(&imp->lock);
	/* A racing unbind may hold a reference: the last put frees. */
	dmapeek_import_put(imp);
	return ret;

err_free:
	mutex_destroy(&imp->lock);
	kfree(imp->delay);
err_free_imp:
	kmem_cache_free(dmapeek_imp_cache, imp);
err_put_buf:
	dma_buf_put(dmabuf);
	return ret;
}

/* Tear down @imp, off its file's list, and drop the list's reference. */
void dmapeek_import_release(struct dmapeek_imp *imp)
{
	mutex_lock(&imp->lock);
	dmapeek_import_teardown(imp);
	mutex_unlock(&imp->lock);
	dmapeek_import_put(imp);
}

/*
 * Never listed, so no DETACH or close can have reached it; an unbind may
 * have torn it down already, which teardown tolerates.
 */
void dmapeek_import_undo(struct dmapeek_imp *imp)
{
	dmapeek_import_release(imp);
}

int dmapeek_ioc_detach(struct dmapeek_file *df, void *arg)
{
	struct dmapeek_id_op *op = arg;
	struct dmapeek_imp *imp, *found = NULL;

	if (op->flags || op->__reserved)
		return -EINVAL;
	mutex_lock(&df->lock);
	list_for_each_entry(imp, &df->imports, node) {
		if (imp->a.id == op->id) {
			found = imp;
			list_del_init(&imp->node);
			break;
		}
	}
	mutex_unlock(&df->lock);
	if (!found)
		return -ENOENT;
	dmapeek_import_release(found);
	return 0;
}

void dmapeek_import_release_file(struct dmapeek_file *df)
{
	struct dmapeek_imp *imp, *tmp;
	LIST_HEAD(list);

	mutex_lock(&df->lock);
	list_splice_init(&df->imports, &list);
	mutex_unlock(&df->lock);
	list_for_each_entry_safe(imp, tmp, &list, node) {
		list_del_init(&imp->node);
		dmapeek_import_release(imp);
	}
}

static void dmapeek_import_device_gone(struct dmapeek_device *ddev)
{
	struct dmapeek_attachment *a;
	struct dmapeek_imp *imp;
	unsigned long id, next = 0;

	/*
	 * Only from the driver's remove, under the device lock: module exit
	 * (driver_unregister()) waits for it, so the module_put() of a held
	 * import below cannot let the module go while this still runs.
	 */
	device_lock_assert(&ddev->pdev->dev);
	mutex_lock(&dmapeek_lock);
	ddev->gone = true;
	mutex_unlock(&dmapeek_lock);
	/*
	 * No import of a gone device is made any more, so one pass in id
	 * order, resumed after each teardown (which drops dmapeek_lock),
	 * finds them all: linear in the table, not quadratic.
	 */
	for (;;) {
		imp = NULL;
		mutex_lock(&dmapeek_lock);
		xa_for_each_start(&dmapeek_attachments.xa, id, a, next) {
			if (a->imp && a->imp->ddev == ddev) {
				imp = a->imp;
				kref_get(&imp->kref);
				next = id + 1;
				break;
			}
		}
		mutex_unlock(&dmapeek_lock);
		if (!imp)
			break;
		mutex_lock(&imp->lock);
		dmapeek_import_teardown(imp);
		mutex_unlock(&imp->lock);
		dmapeek_import_unhold(imp);
		dmapeek_import_put(imp);
	}
}

struct dmapeek_dev_listener dmapeek_import_dev_listener = {
	.name = "importer",
	.client_gone = dmapeek_import_device_gone,
};

/* ----------------------------------------------------------------- netlink */

static int dmapeek_nl_import_op(struct genl_info *info, bool map)
{
	struct nlattr *attr = info->attrs[DMAPEEK_A_ATTACHMENT_ID];
	struct dmapeek_imp *imp;
	bool own;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, DMAPEEK_A_ATTACHMENT_ID))
		return -EINVAL;
	imp = dmapeek_import_get(nla_get_u32(attr), &ret);
	if (!imp) {
		if (ret == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such attachment");
		else
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "not an attachment of dmapeek's importer");
		return ret;
	}
	ret = map ? dmapeek_import_do_map(imp) : dmapeek_import_do_unmap(imp);
	/* why dmapeek's own exporter refuses a map is known; another's is not */
	own = dmapeek_phys_offered(imp->dmabuf);
	dmapeek_import_put(imp);
	if (!own && (ret == -ERANGE || ret == -E2BIG)) {
		/* another exporter's refusal: it says nothing to us of why */
		NL_SET_ERR_MSG_FMT(info->extack, "%s failed: %d",
				   map ? "map" : "unmap", ret);
		return ret;
	}
	switch (ret) {
	case -ERANGE:
		NL_SET_ERR_MSG(info->extack,
			       "the device cannot reach the buffer's memory (map refused)");
		break;
	case -E2BIG:
		NL_SET_ERR_MSG(info->extack,
			       "the map would hold too much of the device's bounce buffers (refused)");
		break;
	case 0:
		break;
	case -EALREADY:
		NL_SET_ERR_MSG(info->extack, "attachment is already mapped");
		break;
	case -ENXIO:
		NL_SET_ERR_MSG(info->extack, "attachment is not mapped");
		break;
	case -ENODEV:
		NL_SET_ERR_MSG(info->extack, "buffer is revoked (map refused)");
		break;
	case -ENOENT:
		NL_SET_ERR_MSG(info->extack, "attachment is being detached");
		break;
	default:
		NL_SET_ERR_MSG_FMT(info->extack, "%s failed: %d",
				   map ? "map" : "unmap", ret);
		break;
	}
	return ret;
}

int dmapeek_nl_attachment_map_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_need_admin(skb, info) ?: dmapeek_nl_import_op(info, true);
}

int dmapeek_nl_attachment_unmap_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_need_admin(skb, info) ?: dmapeek_nl_import_op(info, false);
}

/* --------------------------------------------------- DMA (dmapeek_edu.c) */

/*
 * The DMA address of [@offset, @offset + @len) of the import's current
 * mapping (mapped lazily), clipped to one contiguous DMA range: *@chunk
 * gets how much of @len it covers.  resv held.
 */
int dmapeek_import_dma_addr(struct dmapeek_imp *imp, u64 offset, u64 len,
			    dma_addr_t *addr, u64 *chunk)
{
	struct dmapeek_mapping *m;
	u32 i;
	int ret;

	ret = dmapeek_import_map_locked(imp);
	if (ret)
		return ret;
	m = imp->sgt_map;
	if (!m)
		return -ENOMEM;
	for (i = 0; i < m->nr_ranges; i++) {
		struct dmapeek_map_range *r = &m->ranges[i];

		if (offset >= r->offset && offset < r->offset + r->len) {
			*addr = r->addr + (offset - r->offset);
			*chunk = min_t(u64, len, r->offset + r->len - offset);
			return 0;
		}
	}
	return -EINVAL;
}
