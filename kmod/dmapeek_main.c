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
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <net/genetlink.h>

#include <linux/dmapeek.h>

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

/*
 * Every ioctl argument starts with a __u32 size.  An op names the smallest
 * size it understands; copy_struct_from_user() zero-fills a shorter struct
 * and rejects (-E2BIG) a longer one with non-zero tail bytes.
 */
struct dmapeek_ioctl_op {
	unsigned int min_size;
	unsigned int size;
	int (*fn)(struct dmapeek_file *df, void *arg);
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

#define DMAPEEK_IOCTL_OP(_cmd, _fn, _struct, _last)			\
	[_cmd - DMAPEEK_IOC_CMD_ABI_VERSION] = {			\
		.min_size = offsetofend(_struct, _last),		\
		.size = sizeof(_struct),				\
		.fn = _fn,						\
	}

static const struct dmapeek_ioctl_op dmapeek_ioctl_ops[] = {
	DMAPEEK_IOCTL_OP(DMAPEEK_IOC_CMD_ABI_VERSION, dmapeek_ioc_abi_version,
			 struct dmapeek_abi_version, minor),
};

static long dmapeek_fops_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long uarg)
{
	struct dmapeek_file *df = filp->private_data;
	const struct dmapeek_ioctl_op *op;
	void __user *uptr = (void __user *)uarg;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	u8 buf[64];
	int ret;

	if (_IOC_TYPE(cmd) != DMAPEEK_TYPE || _IOC_DIR(cmd) != _IOC_NONE ||
	    _IOC_SIZE(cmd) || nr < DMAPEEK_IOC_CMD_ABI_VERSION ||
	    nr - DMAPEEK_IOC_CMD_ABI_VERSION >= ARRAY_SIZE(dmapeek_ioctl_ops))
		return -ENOTTY;
	op = &dmapeek_ioctl_ops[nr - DMAPEEK_IOC_CMD_ABI_VERSION];
	if (!op->fn)
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)uptr))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	BUILD_BUG_ON(sizeof(buf) < sizeof(struct dmapeek_abi_version));
	if (WARN_ON_ONCE(op->size > sizeof(buf)))
		return -EINVAL;
	ret = copy_struct_from_user(buf, op->size, uptr, usize);
	if (ret)
		return ret;

	ret = op->fn(df, buf);
	if (ret)
		return ret;
	if (copy_to_user(uptr, buf, min_t(u32, op->size, usize)))
		return -EFAULT;
	return 0;
}

static int dmapeek_fops_open(struct inode *inode, struct file *filp)
{
	struct dmapeek_file *df;

	df = kzalloc(sizeof(*df), GFP_KERNEL);
	if (!df)
		return -ENOMEM;
	filp->private_data = df;
	return 0;
}

static int dmapeek_fops_release(struct inode *inode, struct file *filp)
{
	kfree(filp->private_data);
	return 0;
}

static const struct file_operations dmapeek_fops = {
	.owner = THIS_MODULE,
	.open = dmapeek_fops_open,
	.release = dmapeek_fops_release,
	.unlocked_ioctl = dmapeek_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice dmapeek_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = DMAPEEK_DEVICE_NAME,
	.fops = &dmapeek_fops,
	.mode = 0600,
};

int dmapeek_nl_abi_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *rsp;
	void *hdr;

	rsp = genlmsg_new(nla_total_size(sizeof(u32)) * 2, GFP_KERNEL);
	if (!rsp)
		return -ENOMEM;
	hdr = genlmsg_iput(rsp, info);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(rsp, DMAPEEK_A_ABI_MAJOR, DMAPEEK_ABI_MAJOR) ||
	    nla_put_u32(rsp, DMAPEEK_A_ABI_MINOR, DMAPEEK_ABI_MINOR))
		goto err_free;
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);

err_free:
	nlmsg_free(rsp);
	return -EMSGSIZE;
}

static int __init dmapeek_init(void)
{
	int ret;

	ret = genl_register_family(&dmapeek_nl_family);
	if (ret)
		return ret;
	ret = misc_register(&dmapeek_miscdev);
	if (ret)
		goto err_unregister_family;
	pr_info("ABI %u.%u loaded\n", DMAPEEK_ABI_MAJOR, DMAPEEK_ABI_MINOR);
	return 0;

err_unregister_family:
	genl_unregister_family(&dmapeek_nl_family);
	return ret;
}

static void __exit dmapeek_exit(void)
{
	misc_deregister(&dmapeek_miscdev);
	genl_unregister_family(&dmapeek_nl_family);
}

module_init(dmapeek_init);
module_exit(dmapeek_exit);

MODULE_DESCRIPTION("dmapeek: see and drive dma-buf exporters, importers and P2P mappings");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
