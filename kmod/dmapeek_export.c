// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the exporter.  Buffers backed by system pages or by ranges of a
 * PCI BAR, in three memory models (pinned, movable, revocable): the
 * export (the EXPORT ioctl), the dma_buf_ops (attach, detach, pin, CPU
 * access, release; map and unmap are in dmapeek_export_map.c), the
 * lookup of a buffer, and what the importer side may ask of one.  Move,
 * revoke and restore are dmapeek_op.c's; device removal
 * dmapeek_export_gone.c's.  The model for revoke is
 * drivers/vfio/pci/vfio_pci_dmabuf.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "dmapeek.h"
#include "dmapeek_export.h"
#include "dmapeek_phys.h"

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
static int dmapeek_export_phys(struct dma_buf *dmabuf, struct phys_vec **vec,
			       u32 *nr, struct dmapeek_provider **prov)
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

static bool dmapeek_export_must_unmap(struct dma_buf *dmabuf)
{
	struct dmapeek_buffer *buf;

	if (!dmapeek_export_owns(dmabuf))
		return false;
	dma_resv_assert_held(dmabuf->resv);
	buf = dmabuf->priv;
	return buf->dead || buf->evicting;
}

/* What dmapeek's importer may know of these buffers: see dmapeek_phys.h. */
struct dmapeek_phys_exporter dmapeek_export_phys_exporter = {
	.name = "dmapeek",
	.owns = dmapeek_export_owns,
	.get = dmapeek_export_phys,
	.must_unmap = dmapeek_export_must_unmap,
};

/*
 * Set a new current backing (resv, buffer lock held) and return the old
 * one with the buffer's reference, for the caller to put once it holds no
 * provider's alloc_lock (the last put takes the old provider's).
 */
struct dmapeek_backing *dmapeek_buffer_set_backing(struct dmapeek_buffer *buf,
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

/* Drop every CPU mapping of the buffer; faults refill from the backing. */
void dmapeek_buffer_zap(struct dmapeek_buffer *buf)
{
	unmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);
}

/* ------------------------------------------------------------- dma_buf_ops */

static u32 dmapeek_attach_flags(struct dma_buf_attachment *attach)
{
	return DMAPEEK_ATTACH_FLAGS_EXPORTED | dmapeek_attach_core_flags(attach);
}

/* The memory moved (or came back): every map type follows it (resv held). */
void dmapeek_buffer_retype(struct dmapeek_buffer *buf)
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
	struct device_driver *drv;
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

	a = dmapeek_attachment_of(attach);
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
		/* one read, as dmapeek_peek.c: "" while no driver is bound */
		drv = READ_ONCE(attach->dev->driver);
		strscpy(a->importer_driver, drv ? drv->name : "");
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
		WRITE_ONCE(a->flags, a->flags | dmapeek_attach_flags(attach));
		WRITE_ONCE(a->map_type,
			   dmapeek_backing_map_type(b, attach->dev));
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
		dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_UNPIN, a, 0, 0,
				  buf->pins, 0);
	}
	list_del(&ea->node);
	dma_resv_unlock(dmabuf->resv);
	atomic_dec(&buf->nr_attachments);
	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_DETACH, a, 0, 0, 0, 0);
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
	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_PIN, ea->a, 0, 0, buf->pins, 0);
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
	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_UNPIN, ea->a, 0, 0, buf->pins, 0);
}

static void dmapeek_dmabuf_release(struct dma_buf *dmabuf)
{
	struct dmapeek_buffer *buf = dmabuf->priv;

	if (buf->id) {
		mutex_lock(&dmapeek_lock);
		dmapeek_table_del(&dmapeek_buffers, buf->id);
		mutex_unlock(&dmapeek_lock);
		dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_BUFFER_RELEASE, NULL, 0, 0, 0, 0);
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

	if (e->flags & ~DMAPEEK_EXPORT_FLAGS || e->__reserved)
		return -EINVAL;
	if (e->model < DMAPEEK_MODEL_PINNED || e->model > DMAPEEK_MODEL_REVOCABLE)
		return -EINVAL;
	if (strnlen(e->name, sizeof(e->name)) == sizeof(e->name))
		return -ENAMETOOLONG;
	if (e->nr_ranges > DMAPEEK_EXPORT_MAX_RANGES)
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
	buf->page_chunks = e->flags & DMAPEEK_EXPORT_PAGE_CHUNKS;
	strscpy(buf->name, e->name);
	buf->created_ns = dmapeek_now();

	prov = dmapeek_provider_get(e->provider_id);
	if (!prov) {
		ret = -ENODEV;
		goto err_buf;
	}
	/* page by page is a layout of system memory; a BAR has no pages */
	if (buf->page_chunks && prov->kind != DMAPEEK_PROVIDER_KIND_SYSTEM) {
		ret = -EINVAL;
		goto err_prov;
	}
	if (ranges) {
		ret = dmapeek_check_ranges(prov, ranges, e->nr_ranges, &size);
		if (ret)
			goto err_prov;
	}
	if (prov->kind == DMAPEEK_PROVIDER_KIND_SYSTEM)
		b = dmapeek_backing_system(prov, size, buf->page_chunks);
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
		/* held before anyone can look for it: delete finds it so */
		if (!ret && (e->flags & DMAPEEK_EXPORT_HOLD)) {
			get_dma_buf(dmabuf);
			buf->held = true;
			made->held = true;
		}
		mutex_unlock(&dmapeek_lock);
	}
	mutex_unlock(&prov->alloc_lock);
	dmapeek_provider_put(prov);
	if (ret) {
		buf->id = 0;
		dma_buf_put(dmabuf);
		goto err_fd;
	}

	dmapeek_buf_event(buf, DMAPEEK_EVENT_TYPE_BUFFER_CREATE, NULL, 0, 0, 0, 0);
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

/*
 * BUFFER_FD: a new descriptor of a buffer the module holds, installed once
 * the result reached the caller (dmapeek_ioc_publish()), as EXPORT's is.
 * Only a held buffer: one that only its holders keep is theirs to hand
 * out (pidfd_getfd(), with the ptrace and LSM checks that implies), not
 * the module's.
 */
int dmapeek_ioc_buffer_fd(struct dmapeek_file *df, void *arg,
			  struct dmapeek_ioc_new *made)
{
	struct dmapeek_buffer_fd *bf = arg;
	struct dmapeek_buffer *buf;
	struct dma_buf *dmabuf = NULL;
	int fd, ret = -ENOENT;

	if (bf->flags || bf->fd)
		return -EINVAL;
	/* Before the reference: out of fds, nothing to give back. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	mutex_lock(&dmapeek_lock);
	buf = xa_load(&dmapeek_buffers.xa, bf->buffer_id);
	if (buf && buf->held) {
		/* the hold keeps the file alive: a plain reference is safe */
		dmabuf = buf->dmabuf;
		get_dma_buf(dmabuf);
	} else if (buf) {
		ret = -EACCES;
	}
	mutex_unlock(&dmapeek_lock);
	if (!dmabuf) {
		put_unused_fd(fd);
		return ret;
	}
	made->dmabuf = dmabuf;
	made->fd = fd;
	bf->fd = fd;
	return 0;
}

/*
 * Take the module's hold of @buf away (dmapeek_lock held): the caller
 * drops the reference it was, outside the lock, since that may be the
 * last one and release takes dmapeek_lock.
 */
static struct dma_buf *dmapeek_buffer_take_hold(struct dmapeek_buffer *buf)
{
	lockdep_assert_held(&dmapeek_lock);
	if (!buf->held)
		return NULL;
	buf->held = false;
	return buf->dmabuf;
}

void dmapeek_buffer_unhold(struct dma_buf *dmabuf)
{
	struct dma_buf *held;

	mutex_lock(&dmapeek_lock);
	held = dmapeek_buffer_take_hold(dmabuf->priv);
	mutex_unlock(&dmapeek_lock);
	if (held)
		dma_buf_put(held);
}

/*
 * Drop the hold of buffer @id: -ENOENT if there is no such buffer,
 * -EINVAL if it is not held.
 */
int dmapeek_buffer_delete(u32 id)
{
	struct dmapeek_buffer *buf;
	struct dma_buf *held = NULL;
	int ret = -ENOENT;

	mutex_lock(&dmapeek_lock);
	buf = xa_load(&dmapeek_buffers.xa, id);
	if (buf) {
		held = dmapeek_buffer_take_hold(buf);
		ret = held ? 0 : -EINVAL;
	}
	mutex_unlock(&dmapeek_lock);
	if (held)
		dma_buf_put(held);
	return ret;
}

/*
 * Drop every hold, one buffer at a time in id order (each put may release
 * and takes dmapeek_lock): a buffer exported with hold meanwhile, with a
 * higher id, may be dropped too or not.  Returns how many were dropped.
 */
u32 dmapeek_buffer_delete_all(void)
{
	struct dmapeek_buffer *buf;
	struct dma_buf *held;
	unsigned long id, next = 0;
	u32 n = 0;

	for (;;) {
		held = NULL;
		mutex_lock(&dmapeek_lock);
		xa_for_each_start(&dmapeek_buffers.xa, id, buf, next) {
			held = dmapeek_buffer_take_hold(buf);
			if (held) {
				next = id + 1;
				break;
			}
		}
		mutex_unlock(&dmapeek_lock);
		if (!held)
			return n;
		dma_buf_put(held);
		n++;
	}
}

u32 dmapeek_buffer_held_count(void)
{
	struct dmapeek_buffer *buf;
	unsigned long id;
	u32 n = 0;

	mutex_lock(&dmapeek_lock);
	xa_for_each(&dmapeek_buffers.xa, id, buf)
		n += buf->held;
	mutex_unlock(&dmapeek_lock);
	return n;
}

/* The buffer @id with a file reference, or NULL. */
struct dmapeek_buffer *dmapeek_buffer_get(u32 id)
{
	struct dmapeek_buffer *buf;

	mutex_lock(&dmapeek_lock);
	buf = xa_load(&dmapeek_buffers.xa, id);
	if (buf && !get_file_active(&buf->dmabuf->file))
		buf = NULL;
	mutex_unlock(&dmapeek_lock);
	return buf;
}

void dmapeek_buffer_put(struct dmapeek_buffer *buf)
{
	dma_buf_put(buf->dmabuf);
}
