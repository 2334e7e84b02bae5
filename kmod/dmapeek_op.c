// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the operations on an exported buffer that take its memory
 * away from its importers: revoke and restore (as VFIO's), and move
 * between providers.  Each is numbered and reported by events; its first
 * half runs in the netlink doit, the waits (fences, a move's copy, the
 * importers' unmaps) in dmapeek_op_wq (see "DOC: revoke and move over
 * netlink").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "dmapeek.h"
#include "dmapeek_export.h"
#include "dmapeek-nl-gen.h"

/* The provider the buffer is on now, 0 if none; no lock needed. */
static u32 dmapeek_buffer_prov_id(struct dmapeek_buffer *buf)
{
	return READ_ONCE(buf->prov_id);
}

/*
 * Tell every importer, under resv, and wait for its fences.  Only
 * importers with invalidate_mappings are told (static ones are pinned
 * instead), so only they get an invalidate event.
 */
/* Tell every importer that can be told to unmap (resv held). */
void dmapeek_buffer_tell(struct dmapeek_buffer *buf)
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
		dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_INVALIDATE, a, 0, 0,
				  0, 0);
	}
	dma_buf_invalidate_mappings(buf->dmabuf);
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

atomic64_t dmapeek_op_seq = ATOMIC64_INIT(0);

/* An event of operation @res: begin, stuck (of one attachment) or done. */
void dmapeek_op_event(struct dmapeek_buffer *buf, u32 type,
		      const struct dmapeek_revoke_result *res,
		      const struct dmapeek_attachment *a,
		      u64 duration, u32 count, int error)
{
	struct dmapeek_event ev = {
		.type = type,
		.buffer_id = buf->id,
		.attachment_id = a ? a->id : 0,
		.importer_dev = a ? a->importer_dev : NULL,
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
			dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_STUCK, res, ea->a,
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
	dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_REVOKE_BEGIN, res, NULL, 0, res->nr, 0);
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
		dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_RESTORE, NULL, 0, 0, 0, 0);
	return ret;
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
	mv->nb = dmapeek_backing_alloc(mv->prov, buf->size, buf->page_chunks);
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
		dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_MOVE_BEGIN, res, NULL, 0,
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
		/* fences that keep coming do not keep the move going */
		if (!first && dmapeek_now() >= deadline) {
			ret = -ETIMEDOUT;
			goto out_live;
		}
		ret = dmapeek_move_tell(buf, mv, res, first);
		if (ret)
			goto out_live;
		if (first)
			deadline = res->t0 + (u64)timeout_ms * NSEC_PER_MSEC;
		first = false;
		if (dma_resv_test_signaled(resv, DMA_RESV_USAGE_BOOKKEEP))
			break;
		dma_resv_unlock(resv);
		/*
		 * No copy without them: importers map the memory where it
		 * is.  In slices, so that a removal of either provider (it
		 * waits for @nb) ends the wait.
		 */
		do {
			if (READ_ONCE(mv->prov->gone) || READ_ONCE(buf->dead)) {
				ret = -ENODEV;
				goto out_live_unlocked;
			}
			ret = dmapeek_op_fences(buf, min(deadline, dmapeek_now() +
						       DMAPEEK_OP_SLICE_NS));
		} while (ret == -ETIMEDOUT && dmapeek_now() < deadline);
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

int dmapeek_op_init(void)
{
	/* unbound: a tail sleeps for as long as its timeout */
	dmapeek_op_wq = alloc_workqueue("dmapeek_op", WQ_UNBOUND, 0);
	return dmapeek_op_wq ? 0 : -ENOMEM;
}

/* After the last buffer: a tail holds one, so none is left to run. */
void dmapeek_op_exit(void)
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
	t->timeout_ms = DMAPEEK_TIMEOUT_DEFAULT_MS;
	if (info->attrs[timeout_attr])
		t->timeout_ms = nla_get_u32(info->attrs[timeout_attr]) ?:
			DMAPEEK_TIMEOUT_DEFAULT_MS;
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
