// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the imports the module holds (DMAPEEK_IMPORT_HOLD).  A held
 * import is listed on dmapeek_held, with a reference to the module, instead
 * of on the /dev/dmapeek file that made it, and lives until netlink's
 * attachment-delete or the removal of its client device.  What an import
 * is and how it is torn down is dmapeek_import.c's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <net/genetlink.h>

#include "dmapeek.h"
#include "dmapeek-nl-gen.h"
#include "dmapeek_import.h"

/*
 * Imports the module holds (DMAPEEK_IMPORT_HOLD): listed here instead of on
 * the file that made them, each with a reference to the module, so that
 * the module stays until attachment-delete drops them.
 */
static struct dmapeek_file dmapeek_held = {
	.lock = __MUTEX_INITIALIZER(dmapeek_held.lock),
	.imports = LIST_HEAD_INIT(dmapeek_held.imports),
};

void dmapeek_import_publish(struct dmapeek_file *df, struct dmapeek_imp *imp)
{
	if (!(imp->flags & DMAPEEK_IMPORT_HOLD)) {
		/* torn down already by an unbind: the file's close frees it */
		mutex_lock(&df->lock);
		list_add_tail(&imp->node, &df->imports);
		mutex_unlock(&df->lock);
		return;
	}
	/*
	 * Held only while attached: an unbind of its device before this
	 * point tore it down and found nothing to unhold, and a hold on it
	 * would keep the module for an import no table lists.  Under the
	 * import's lock, a teardown after this point finds it held.
	 */
	mutex_lock(&imp->lock);
	if (!imp->attach) {
		mutex_unlock(&imp->lock);
		dmapeek_import_put(imp);
		return;
	}
	/* the ioctl's file pins the module while we take ours */
	__module_get(THIS_MODULE);
	mutex_lock(&dmapeek_held.lock);
	list_add_tail(&imp->node, &dmapeek_held.imports);
	mutex_unlock(&dmapeek_held.lock);
	mutex_unlock(&imp->lock);
}

/*
 * attachment-delete: detach a held import.  -EBUSY for an import of an
 * open file (its DETACH or close ends it), -ENOENT / -EINVAL for an id that
 * is no import at all.
 */
static int dmapeek_import_delete(u32 id, struct netlink_ext_ack *extack)
{
	struct dmapeek_imp *imp, *found = NULL;
	int ret;

	mutex_lock(&dmapeek_held.lock);
	list_for_each_entry(imp, &dmapeek_held.imports, node) {
		if (imp->a.id == id) {
			found = imp;
			list_del_init(&imp->node);
			break;
		}
	}
	mutex_unlock(&dmapeek_held.lock);
	if (found) {
		dmapeek_import_release(found);
		/*
		 * Safe in a doit even if it is the module's last reference:
		 * genl_unregister_family() in the exit path waits for
		 * running doits (cb_lock), so the text stays until we return.
		 */
		module_put(THIS_MODULE);
		return 0;
	}
	imp = dmapeek_import_get(id, &ret);
	if (imp) {
		bool hold = imp->flags & DMAPEEK_IMPORT_HOLD;

		dmapeek_import_put(imp);
		if (hold) {
			/* still being made, or being deleted right now */
			NL_SET_ERR_MSG_FMT(extack,
					   "attachment %u is being imported or deleted",
					   id);
			return -EAGAIN;
		}
		NL_SET_ERR_MSG_FMT(extack,
				   "attachment %u is not held: its importing process detaches it",
				   id);
		return -EBUSY;
	}
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_FMT(extack, "no attachment with id %u", id);
	else
		NL_SET_ERR_MSG_FMT(extack,
				   "attachment %u is not an import of dmapeek's importer", id);
	return ret;
}

u32 dmapeek_import_held_count(void)
{
	struct dmapeek_imp *imp;
	u32 n = 0;

	mutex_lock(&dmapeek_held.lock);
	list_for_each_entry(imp, &dmapeek_held.imports, node)
		n++;
	mutex_unlock(&dmapeek_held.lock);
	return n;
}

/*
 * One at a time, each off the list under its lock before its release
 * sleeps: an unbind meanwhile (dmapeek_import_unhold()) finds on the list
 * only what it may take itself.
 */
static u32 dmapeek_import_delete_all(void)
{
	struct dmapeek_imp *imp;
	u32 n = 0;

	for (;;) {
		mutex_lock(&dmapeek_held.lock);
		imp = list_first_entry_or_null(&dmapeek_held.imports,
					       struct dmapeek_imp, node);
		if (imp)
			list_del_init(&imp->node);
		mutex_unlock(&dmapeek_held.lock);
		if (!imp)
			return n;
		dmapeek_import_release(imp);
		/* safe in the doit: see dmapeek_import_delete() */
		module_put(THIS_MODULE);
		n++;
	}
}

int dmapeek_nl_attachment_delete_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dmapeek_nl_need_admin(skb, info) ?:
	       dmapeek_nl_delete(info, DMAPEEK_A_ATTACHMENT_ID,
				 DMAPEEK_A_ATTACHMENT_ALL,
				 DMAPEEK_A_ATTACHMENT_DELETED, "attachment",
				 dmapeek_import_delete, dmapeek_import_delete_all);
}

/*
 * A held import whose device went is torn down and out of the table, so
 * the module's hold goes now, with its reference to the module, unless
 * attachment-delete took it off the list first (then that release is
 * its).  That put is safe in the device's removal: module exit
 * unregisters the driver first, which waits for a removal in progress.
 */
void dmapeek_import_unhold(struct dmapeek_imp *imp)
{
	bool held = false;

	if (!(imp->flags & DMAPEEK_IMPORT_HOLD))
		return;
	mutex_lock(&dmapeek_held.lock);
	if (!list_empty(&imp->node)) {	/* published, not deleted yet */
		list_del_init(&imp->node);
		held = true;
	}
	mutex_unlock(&dmapeek_held.lock);
	if (held) {
		dmapeek_import_put(imp);
		module_put(THIS_MODULE);
	}
}
