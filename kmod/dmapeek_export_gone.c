// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the exporter's side of a device's removal.  Every buffer whose
 * memory is on the device's BARs is revoked for good, importers of old
 * backings there are told to unmap, and the removal waits until no
 * backing on them is left, reporting the importers that hold it up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/wait.h>

#include "dmapeek.h"
#include "dmapeek_export.h"

/* ------------------------------------------------------------- device gone */

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
 * unmaps inside the invalidate (dmapeek_phys_must_unmap()); others must
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
		dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_REVOKE_BEGIN, &res, NULL, 0,
				 res.nr, 0);
		dmapeek_buffer_invalidate(buf);
		/* The BAR space is not ours any more: mappings keep theirs. */
		mutex_lock(&buf->lock);
		dmapeek_backing_put(dmapeek_buffer_set_backing(buf, NULL));
		mutex_unlock(&buf->lock);
		dmapeek_op_event(buf, DMAPEEK_EVENT_TYPE_REVOKE_DONE, &res, NULL,
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
				dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_STUCK, ea->a,
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
static void dmapeek_export_device_gone(struct dmapeek_device *ddev)
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

struct dmapeek_dev_listener dmapeek_export_dev_listener = {
	.name = "exporter",
	.providers_gone = dmapeek_export_device_gone,
};
