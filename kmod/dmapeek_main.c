// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: see and drive the dma-buf memory API.
 *
 * Module entry: the /dev/dmapeek misc device (operations that carry file
 * descriptors) and the "dmapeek" generic netlink family (everything
 * addressed by id, and the events multicast group).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include <linux/dmapeek.h>

#include "dmapeek.h"
#include "dmapeek_import.h"
#include "dmapeek-nl-gen.h"
#include "dmapeek_debug.h"
#include "dmapeek_phys.h"

/*
 * Every ioctl argument starts with a __u32 size.  An op names the smallest
 * size it understands; copy_struct_from_user() zero-fills a shorter struct
 * and rejects (-E2BIG) a longer one with non-zero tail bytes.  Ops that
 * change state need CAP_SYS_ADMIN even when the device node is opened up.
 * A size beyond DMAPEEK_IOCTL_MAX_SIZE is -E2BIG before anything is read.
 */
struct dmapeek_ioctl_op {
	unsigned int min_size;
	unsigned int size;
	bool admin;
	int (*fn)(struct dmapeek_file *df, void *arg);
	/* instead of @fn: an op whose result names what it made */
	int (*make)(struct dmapeek_file *df, void *arg,
		    struct dmapeek_ioc_new *made);
};

static int dmapeek_ioc_abi_version(struct dmapeek_file *df, void *arg)
{
	struct dmapeek_abi_version *v = arg;

	if (v->flags)
		return -EINVAL;
	v->major = DMAPEEK_ABI_MAJOR;
	v->minor = DMAPEEK_ABI_MINOR;
	return 0;
}

#define DMAPEEK_IOCTL_OP(_cmd, _fn, _struct, _last, _admin)		\
	[DMAPEEK_IOC_CMD_##_cmd - DMAPEEK_IOC_CMD_ABI_VERSION] = {	\
		.min_size = offsetofend(_struct, _last),		\
		.size = sizeof(_struct),				\
		.admin = _admin,					\
		.fn = _fn,						\
	}
#define DMAPEEK_IOCTL_MAKE(_cmd, _make, _struct, _last)		\
	[DMAPEEK_IOC_CMD_##_cmd - DMAPEEK_IOC_CMD_ABI_VERSION] = {	\
		.min_size = offsetofend(_struct, _last),		\
		.size = sizeof(_struct),				\
		.admin = true,						\
		.make = _make,						\
	}

/*
 * Indexed by command number.  The numbers of the operations that moved to
 * netlink in ABI 2.0 (MAP, UNMAP, MOVE, REVOKE, RESTORE, AUDIT) are holes:
 * an entry with neither @fn nor @make, which the dispatcher answers with
 * -ENOTTY like any unknown number; so is BENCH_MAP without the debug knobs.
 */
static const struct dmapeek_ioctl_op dmapeek_ioctl_ops[] = {
	DMAPEEK_IOCTL_OP(ABI_VERSION, dmapeek_ioc_abi_version,
			 struct dmapeek_abi_version, minor, false),
	DMAPEEK_IOCTL_MAKE(EXPORT, dmapeek_ioc_export,
			   struct dmapeek_export, name),
	DMAPEEK_IOCTL_MAKE(IMPORT, dmapeek_ioc_import,
			   struct dmapeek_import, __reserved),
	DMAPEEK_IOCTL_OP(DETACH, dmapeek_ioc_detach,
			 struct dmapeek_id_op, __reserved, true),
	DMAPEEK_IOCTL_OP(DMA, dmapeek_ioc_dma,
			 struct dmapeek_dma, data, true),
#ifdef DMAPEEK_DEBUG_KNOBS
	/* linux/dmapeek-debug.h; without the knobs: a hole, ENOTTY */
	DMAPEEK_IOCTL_OP(BENCH_MAP, dmapeek_ioc_bench_map,
			 struct dmapeek_bench_map, unmap_ns, true),
#endif
	DMAPEEK_IOCTL_MAKE(BUFFER_FD, dmapeek_ioc_buffer_fd,
			   struct dmapeek_buffer_fd, fd),
	/* the caller's own descriptor: no capability (dmapeek_peek.c) */
	DMAPEEK_IOCTL_OP(DMABUF_ATTACHMENTS, dmapeek_ioc_dmabuf_attachments,
			 struct dmapeek_dmabuf_attachments, __reserved, false),
};

/* Large enough for the largest argument struct. */
union dmapeek_ioctl_buf {
	struct dmapeek_abi_version abi;
	struct dmapeek_export export;
	struct dmapeek_import import;
	struct dmapeek_id_op id_op;
	struct dmapeek_dma dma;
	struct dmapeek_buffer_fd buffer_fd;
	struct dmapeek_dmabuf_attachments dmabuf_attachments;
#ifdef DMAPEEK_DEBUG_KNOBS
	struct dmapeek_bench_map bench_map;
#endif
};

/* The result reached user space: hand over what the op made. */
static void dmapeek_ioc_publish(struct dmapeek_file *df,
				struct dmapeek_ioc_new *made)
{
	if (made->dmabuf)
		dma_buf_fd_install(made->dmabuf, made->fd);
	if (made->imp)
		dmapeek_import_publish(df, made->imp);
}

/*
 * The result could not be copied back, so the caller never learns the fd
 * or the id: take back what the op made, as if it had failed.
 */
static void dmapeek_ioc_undo(struct dmapeek_ioc_new *made)
{
	if (made->dmabuf) {
		put_unused_fd(made->fd);
		if (made->held)
			dmapeek_buffer_unhold(made->dmabuf);
		dma_buf_put(made->dmabuf);
	}
	if (made->imp)
		dmapeek_import_undo(made->imp);
}

static long dmapeek_fops_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long uarg)
{
	struct dmapeek_file *df = filp->private_data;
	struct dmapeek_ioc_new made = { .fd = -1 };
	const struct dmapeek_ioctl_op *op;
	void __user *uptr = (void __user *)uarg;
	unsigned int nr = _IOC_NR(cmd);
	union dmapeek_ioctl_buf buf;
	u32 usize;
	int ret;

	if (_IOC_TYPE(cmd) != DMAPEEK_TYPE || _IOC_DIR(cmd) != _IOC_NONE ||
	    _IOC_SIZE(cmd) || nr < DMAPEEK_IOC_CMD_ABI_VERSION ||
	    nr - DMAPEEK_IOC_CMD_ABI_VERSION >= ARRAY_SIZE(dmapeek_ioctl_ops))
		return -ENOTTY;
	op = &dmapeek_ioctl_ops[nr - DMAPEEK_IOC_CMD_ABI_VERSION];
	if (!op->fn && !op->make)	/* a hole: a retired number */
		return -ENOTTY;
	if (op->admin && !capable(CAP_SYS_ADMIN))
		return -EPERM;

	if (get_user(usize, (u32 __user *)uptr))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	if (usize > DMAPEEK_IOCTL_MAX_SIZE)
		return -E2BIG;
	if (WARN_ON_ONCE(op->size > sizeof(buf)))
		return -EINVAL;
	ret = copy_struct_from_user(&buf, op->size, uptr, usize);
	if (ret)
		return ret;

	ret = op->make ? op->make(df, &buf, &made) : op->fn(df, &buf);
	if (ret)
		return ret;
	if (copy_to_user(uptr, &buf, min_t(u32, op->size, usize))) {
		dmapeek_ioc_undo(&made);
		return -EFAULT;
	}
	dmapeek_ioc_publish(df, &made);
	return 0;
}

static int dmapeek_fops_open(struct inode *inode, struct file *filp)
{
	struct dmapeek_file *df;

	df = kzalloc_obj(*df);
	if (!df)
		return -ENOMEM;
	mutex_init(&df->lock);
	INIT_LIST_HEAD(&df->imports);
	filp->private_data = df;
	return 0;
}

static int dmapeek_fops_release(struct inode *inode, struct file *filp)
{
	struct dmapeek_file *df = filp->private_data;

	dmapeek_import_release_file(df);
	mutex_destroy(&df->lock);
	kfree(df);
	return 0;
}

static const struct file_operations dmapeek_fops = {
	.owner = THIS_MODULE,
	.open = dmapeek_fops_open,
	.release = dmapeek_fops_release,
	.unlocked_ioctl = dmapeek_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * What the module holds (exported or imported with HOLD), each holding it
 * loaded: what an admin whose rmmod is refused as "in use" reads, before
 * "dmapeek buffer delete all" and "dmapeek attachment delete all".
 */
static ssize_t held_buffers_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dmapeek_buffer_held_count());
}
static DEVICE_ATTR_ADMIN_RO(held_buffers);

static ssize_t held_attachments_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dmapeek_import_held_count());
}
static DEVICE_ATTR_ADMIN_RO(held_attachments);

static struct attribute *dmapeek_dev_attrs[] = {
	&dev_attr_held_buffers.attr,
	&dev_attr_held_attachments.attr,
	NULL
};
ATTRIBUTE_GROUPS(dmapeek_dev);

static struct miscdevice dmapeek_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = DMAPEEK_DEVICE_NAME,
	.fops = &dmapeek_fops,
	.mode = 0600,
	.groups = dmapeek_dev_groups,
};

/*
 * Before anything can export or import: dmapeek's exporter offers its
 * buffers' physical ranges to the importer (dmapeek_phys.h), and the
 * importer lets the exporter recognise its attachments
 * (dmapeek_attachment_of()).
 *
 * The rooms that hear of a device's life register with the PCI room before
 * its driver can bind anything, and leave after it unbound everything
 * (struct dmapeek_dev_listener), in this order:
 *
 *   1. exporter   providers_gone: revoke the buffers on the device's BARs
 *                 and wait for every mapping of them to go
 *   2. debug      providers_gone: drop the audit_bar_* mappings of those
 *                 BARs (debug knobs only; also hooks the importer's maps)
 *   3. importer   client_gone: detach every import the device made
 *   4. edu        probe: set the DMA engine up; remove: take it down
 *
 * An unbind thus runs: the providers marked gone, 1, 2, 3, then 4's
 * remove.  A probe runs 4's probe; when it fails later, 4's remove, then
 * the providers marked gone, 1 and 2.
 */
static void dmapeek_rooms_connect(void)
{
	dmapeek_phys_offer(&dmapeek_export_phys_exporter);
	dmapeek_attachment_importer(dmapeek_import_attachment);
	dmapeek_dev_listen(&dmapeek_export_dev_listener);
	dmapeek_debug_register();
	dmapeek_dev_listen(&dmapeek_import_dev_listener);
	dmapeek_dev_listen(&dmapeek_edu_dev_listener);
}

static void dmapeek_rooms_disconnect(void)
{
	dmapeek_dev_unlisten(&dmapeek_edu_dev_listener);
	dmapeek_dev_unlisten(&dmapeek_import_dev_listener);
	dmapeek_debug_unregister();
	dmapeek_dev_unlisten(&dmapeek_export_dev_listener);
	dmapeek_attachment_importer(NULL);
	dmapeek_phys_withdraw(&dmapeek_export_phys_exporter);
}

static int __init dmapeek_init(void)
{
	int ret;

	/*
	 * The family in the initial network namespace only: its objects
	 * (devices, buffers, mappings) are the machine's, and its events go
	 * to init_net, so another namespace must not see global dumps
	 * without the events that go with them.  The YNL generator always
	 * writes netnsok = true; the family is still writable here, before
	 * registration and __ro_after_init.
	 */
	dmapeek_nl_family.netnsok = false;
	dmapeek_rooms_connect();
	ret = dmapeek_op_init();
	if (ret)
		goto err_rooms;
	ret = dmapeek_import_init();
	if (ret)
		goto err_op;
	ret = genl_register_family(&dmapeek_nl_family);
	if (ret)
		goto err_import;
	ret = dmapeek_p2p_init();
	if (ret)
		goto err_unregister_family;
	ret = dmapeek_pci_init();
	if (ret)
		goto err_p2p;
	ret = misc_register(&dmapeek_miscdev);
	if (ret)
		goto err_pci;
	pr_info("ABI %u.%u loaded\n", DMAPEEK_ABI_MAJOR, DMAPEEK_ABI_MINOR);
	return 0;

err_pci:
	dmapeek_pci_exit();
err_p2p:
	dmapeek_p2p_exit();
err_unregister_family:
	genl_unregister_family(&dmapeek_nl_family);
err_import:
	dmapeek_import_exit();
err_op:
	dmapeek_op_exit();
err_rooms:
	dmapeek_rooms_disconnect();
	return ret;
}

/*
 * Unload: every exported dma-buf holds a reference on this module (its ops'
 * owner) and every open /dev/dmapeek does too, so rmmod is refused while a
 * buffer or an import lives; by the time this runs, only bound devices are
 * left, and unregistering the driver unbinds them.
 */
static void __exit dmapeek_exit(void)
{
	misc_deregister(&dmapeek_miscdev);
	dmapeek_pci_exit();
	dmapeek_p2p_exit();
	genl_unregister_family(&dmapeek_nl_family);
	dmapeek_import_exit();
	dmapeek_op_exit();
	dmapeek_rooms_disconnect();
	dmapeek_tables_exit();
}

module_init(dmapeek_init);
module_exit(dmapeek_exit);

MODULE_DESCRIPTION("dmapeek: see and drive dma-buf exporters, importers and P2P mappings");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
