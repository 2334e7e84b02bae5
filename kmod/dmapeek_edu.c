// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: QEMU's edu device as a real DMA engine (docs/specs/edu.rst).
 *
 * BAR0 registers: 0x00 id (0x010000ed), 0x04 liveness (reads back
 * inverted), 0x80 DMA source, 0x88 DMA destination, 0x90 DMA count, 0x98
 * DMA command (bit 0 start/busy, bit 1 direction: 0 RAM -> device, 1
 * device -> RAM).  The engine moves at most 4096 bytes between a bus
 * address and its internal buffer at device address 0x40000, and drives
 * only 28 address bits (the probe set that DMA mask).
 *
 * DMAPEEK_IOC_DMA moves user bytes to or from an imported buffer in chunks
 * through that internal buffer: user memory is copied to or from a kernel
 * bounce buffer with no lock held.  Each chunk runs under the import's
 * lock, the engine's lock and the buffer's reservation lock (so an
 * invalidation cannot run in the middle of a chunk: it waits for the
 * reservation lock), and all three are dropped between chunks, so that a
 * revoke, a move or a detach of the buffer waits for one chunk, not for
 * the whole transfer; a fatal signal ends the transfer between chunks.
 * A chunk after an invalidation maps the buffer again where it is now, or
 * fails (-ENODEV: revoked).
 *
 * A transfer that does not finish in time wedges the engine: it may still
 * hold the address it was given, which is unmapped and may be reused once
 * the chunk drops its locks, so bus mastering is turned off before that
 * (QEMU's edu runs the transfer from a timer; without bus mastering its
 * pci_dma_read()/pci_dma_write() reach nothing).  It stays off, and every
 * later transfer fails with -EIO, until the device is unbound from dmapeek
 * and bound again (probe enables bus mastering, and the new engine is not
 * wedged).  No guest test makes the engine time out: QEMU's edu always
 * finishes its transfer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dmapeek.h"
#include "dmapeek_import.h"

#define EDU_REG_ID		0x00
#define EDU_REG_ALIVE		0x04
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define  EDU_DMA_RUN		BIT(0)
#define  EDU_DMA_TO_RAM		BIT(1)
#define EDU_ID			0x010000ed
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096

/**
 * struct dmapeek_edu - one edu engine
 * @lock: one transfer at a time
 * @pdev: the edu
 * @mmio: BAR0
 * @coh: a coherent page the engine reads and writes (the bounce chunk)
 * @coh_dma: its DMA address
 * @wedged: a transfer timed out; the engine is not trusted any more, and
 *	bus mastering stays off until the device is bound again
 */
struct dmapeek_edu {
	struct mutex lock;	/* see @lock above */
	struct pci_dev *pdev;
	void __iomem *mmio;
	void *coh;
	dma_addr_t coh_dma;
	bool wedged;
};

static int dmapeek_edu_probe(struct dmapeek_device *ddev)
{
	struct pci_dev *pdev = ddev->pdev;
	struct dmapeek_edu *edu;
	u32 id, alive;

	if (!dmapeek_is_edu(pdev))
		return 0;
	if (!ddev->bar_va[0]) {
		pci_warn(pdev, "edu: BAR0 is not mapped\n");
		return 0;
	}
	id = readl(ddev->bar_va[0] + EDU_REG_ID);
	if (id != EDU_ID) {
		pci_warn(pdev, "edu: id register reads %#x, not %#x: no DMA engine\n",
			 id, EDU_ID);
		return 0;
	}
	writel(0x5a5a1234, ddev->bar_va[0] + EDU_REG_ALIVE);
	alive = readl(ddev->bar_va[0] + EDU_REG_ALIVE);
	if (alive != ~0x5a5a1234U) {
		pci_warn(pdev, "edu: liveness check failed (%#x)\n", alive);
		return 0;
	}

	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	mutex_init(&edu->lock);
	edu->pdev = pdev;
	edu->mmio = ddev->bar_va[0];
	edu->coh = dmam_alloc_coherent(&pdev->dev, EDU_BUF_SIZE, &edu->coh_dma,
				       GFP_KERNEL);
	if (!edu->coh)
		return -ENOMEM;
	ddev->edu = edu;
	pci_info(pdev, "edu DMA engine ready\n");
	return 0;
}

static void dmapeek_edu_remove(struct dmapeek_device *ddev)
{
	struct dmapeek_edu *edu = ddev->edu;

	if (!edu)
		return;
	/* Imports of this device were torn down first: no transfer runs. */
	mutex_lock(&edu->lock);
	ddev->edu = NULL;
	mutex_unlock(&edu->lock);
}

struct dmapeek_dev_listener dmapeek_edu_dev_listener = {
	.name = "edu",
	.probe = dmapeek_edu_probe,
	.remove = dmapeek_edu_remove,
};

/* One transfer between @addr (bus side) and the internal buffer. */
static int dmapeek_edu_run(struct dmapeek_edu *edu, dma_addr_t addr, size_t len,
			   bool to_ram)
{
	u64 cmd;
	int ret;

	if (to_ram) {
		writeq(EDU_BUF_ADDR, edu->mmio + EDU_REG_DMA_SRC);
		writeq(addr, edu->mmio + EDU_REG_DMA_DST);
	} else {
		writeq(addr, edu->mmio + EDU_REG_DMA_SRC);
		writeq(EDU_BUF_ADDR, edu->mmio + EDU_REG_DMA_DST);
	}
	writeq(len, edu->mmio + EDU_REG_DMA_CNT);
	writeq(EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0), edu->mmio + EDU_REG_DMA_CMD);
	ret = readq_poll_timeout(edu->mmio + EDU_REG_DMA_CMD, cmd,
				 !(cmd & EDU_DMA_RUN) || cmd == ~0ULL,
				 DMAPEEK_EDU_POLL_US, DMAPEEK_EDU_TIMEOUT_US);
	if (ret) {
		/*
		 * The engine may still DMA to or from @addr, which the caller
		 * unmaps (and the IOMMU or the allocator may hand out again)
		 * once it drops its locks: cut the device off the bus first.
		 * pci_clear_master() is a config write, non-posted: it has
		 * reached the device when it returns.  Only a rebind (probe)
		 * turns bus mastering on again.
		 */
		pci_clear_master(edu->pdev);
		edu->wedged = true;
		pci_err(edu->pdev, "edu: DMA timed out; bus mastering off until the device is bound again\n");
		return -ETIMEDOUT;
	}
	if (cmd == ~0ULL)	/* the device fell off the bus */
		return -EIO;
	return 0;
}

int dmapeek_edu_xfer(struct dmapeek_device *ddev, dma_addr_t addr, void *bounce,
		     size_t len, bool to_addr)
{
	struct dmapeek_edu *edu = ddev->edu;
	int ret;

	lockdep_assert_held(&edu->lock);
	if (!len || len > EDU_BUF_SIZE)
		return -EINVAL;
	if (edu->wedged)
		return -EIO;
	if (addr > dma_get_mask(&ddev->pdev->dev) ||
	    addr + len - 1 > dma_get_mask(&ddev->pdev->dev))
		return -EFAULT;
	if (to_addr) {
		memcpy(edu->coh, bounce, len);
		ret = dmapeek_edu_run(edu, edu->coh_dma, len, false);
		if (!ret)
			ret = dmapeek_edu_run(edu, addr, len, true);
	} else {
		ret = dmapeek_edu_run(edu, addr, len, false);
		if (!ret)
			ret = dmapeek_edu_run(edu, edu->coh_dma, len, true);
		if (!ret)
			memcpy(bounce, edu->coh, len);
	}
	return ret;
}

/*
 * One chunk of DMAPEEK_IOC_DMA at buffer offset @offset, at most @len
 * bytes and one engine transfer; *@done: how many it moved.
 */
static int dmapeek_dma_chunk(struct dmapeek_imp *imp, u64 offset, u64 len,
			     void *kbuf, bool to_buf, u64 *done)
{
	struct dmapeek_edu *edu;
	dma_addr_t addr;
	u64 chunk;
	int ret;

	ret = mutex_lock_killable(&imp->lock);
	if (ret)
		return ret;
	/*
	 * Attached, so the client device's removal has not torn this import
	 * down yet, and it removes the engine only after that (see
	 * dmapeek_pci_remove()): the engine stays while we hold the lock.
	 */
	if (!imp->attach) {
		ret = -ENOENT;
		goto out_unlock_imp;
	}
	edu = imp->ddev->edu;
	if (!edu) {
		ret = -EOPNOTSUPP;	/* the client has no DMA engine */
		goto out_unlock_imp;
	}
	ret = mutex_lock_killable(&edu->lock);
	if (ret)
		goto out_unlock_imp;
	ret = dma_resv_lock_interruptible(imp->dmabuf->resv, NULL);
	if (ret)
		goto out_unlock_edu;
	/*
	 * Invalidated but still mapped (a misbehaving or delayed importer):
	 * the memory may have moved or been revoked; a device may at most
	 * read and discard, so dmapeek refuses to DMA through it.
	 */
	if (imp->sgt && (imp->unmap_pending ||
			 imp->a.last_invalidate_ns > imp->a.last_map_ns)) {
		ret = -ESTALE;
		goto out_unlock_resv;
	}
	ret = dmapeek_import_dma_addr(imp, offset, len, &addr, &chunk);
	if (ret)
		goto out_unlock_resv;
	chunk = min_t(u64, chunk, EDU_BUF_SIZE);
	ret = dmapeek_edu_xfer(imp->ddev, addr, kbuf, chunk, to_buf);
	if (!ret)
		*done = chunk;
out_unlock_resv:
	dma_resv_unlock(imp->dmabuf->resv);
	if (ret == -ETIMEDOUT || ret == -EIO)
		dev_err_ratelimited(&imp->ddev->pdev->dev, "edu DMA on attachment %u failed: %d\n",
				    imp->a.id, ret);
out_unlock_edu:
	mutex_unlock(&edu->lock);
out_unlock_imp:
	mutex_unlock(&imp->lock);
	return ret;
}

int dmapeek_ioc_dma(struct dmapeek_file *df, void *arg)
{
	struct dmapeek_dma *d = arg;
	bool to_buf = d->flags & DMAPEEK_DMA_TO_BUFFER;
	void __user *udata = u64_to_user_ptr(d->data);
	struct dmapeek_imp *imp;
	u64 done = 0, chunk;
	void *kbuf;
	int ret;

	if (d->flags & ~DMAPEEK_DMA_FLAGS || d->__reserved)
		return -EINVAL;
	if (!d->length || d->length > DMAPEEK_DMA_MAX_LEN)
		return -EINVAL;
	imp = dmapeek_import_get(d->attachment_id, &ret);
	if (!imp)
		return ret;
	if (d->offset >= imp->dmabuf->size ||
	    d->length > imp->dmabuf->size - d->offset) {
		ret = -ERANGE;
		goto out_put;
	}

	/*
	 * A size the caller chose (up to DMAPEEK_DMA_MAX_LEN): no allocation
	 * failure report (vmalloc's has a stack trace), the caller has ENOMEM.
	 */
	kbuf = kvmalloc(d->length, GFP_KERNEL | __GFP_NOWARN);
	if (!kbuf) {
		ret = -ENOMEM;
		goto out_put;
	}
	/* User memory is touched only here and after every lock is dropped. */
	if (to_buf && copy_from_user(kbuf, udata, d->length)) {
		ret = -EFAULT;
		goto out_free;
	}

	while (done < d->length) {
		ret = dmapeek_dma_chunk(imp, d->offset + done, d->length - done,
					kbuf + done, to_buf, &chunk);
		if (ret)
			break;
		done += chunk;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	if (!ret && !to_buf && copy_to_user(udata, kbuf, d->length))
		ret = -EFAULT;
out_free:
	kvfree(kbuf);
out_put:
	dmapeek_import_put(imp);
	return ret;
}
