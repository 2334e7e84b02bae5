// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEMPORARY during development: weak defaults for parts not written yet,
 * so the module builds while the exporter and importer land.  Each answers
 * -EOPNOTSUPP (guest tests skip on it).  Delete with the last of them.
 */
#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

#define DMAPEEK_WEAK_NL(fn) \
	int __weak fn(struct sk_buff *skb, struct genl_info *info) { return -EOPNOTSUPP; }
#define DMAPEEK_WEAK_DUMP(fn) \
	int __weak fn(struct sk_buff *skb, struct netlink_callback *cb) { return -EOPNOTSUPP; }
#define DMAPEEK_WEAK_IOC(fn) \
	int __weak fn(struct dmapeek_file *df, void *arg) { return -EOPNOTSUPP; }
#define DMAPEEK_WEAK_FILL(fn) \
	int __weak fn(struct sk_buff *skb, void *obj, const struct genl_info *info, \
		      bool admin, u32 filter) { return -ENOENT; }

DMAPEEK_WEAK_NL(dmapeek_nl_buffer_get_doit)
DMAPEEK_WEAK_DUMP(dmapeek_nl_buffer_get_dumpit)
DMAPEEK_WEAK_NL(dmapeek_nl_attachment_get_doit)
DMAPEEK_WEAK_DUMP(dmapeek_nl_attachment_get_dumpit)
DMAPEEK_WEAK_NL(dmapeek_nl_buffer_move_doit)
DMAPEEK_WEAK_NL(dmapeek_nl_buffer_revoke_doit)
DMAPEEK_WEAK_NL(dmapeek_nl_buffer_restore_doit)
DMAPEEK_WEAK_IOC(dmapeek_ioc_export)
DMAPEEK_WEAK_IOC(dmapeek_ioc_move)
DMAPEEK_WEAK_IOC(dmapeek_ioc_revoke)
DMAPEEK_WEAK_IOC(dmapeek_ioc_restore)
DMAPEEK_WEAK_FILL(dmapeek_fill_buffer)
DMAPEEK_WEAK_FILL(dmapeek_fill_attachment)

int __weak dmapeek_export_init(void) { return 0; }
void __weak dmapeek_export_exit(void) { }
void __weak dmapeek_export_device_gone(struct dmapeek_device *ddev) { }
int __weak dmapeek_export_phys(struct dma_buf *dmabuf, struct phys_vec **vec, u32 *nr,
			       struct dmapeek_provider **prov) { return -EOPNOTSUPP; }
