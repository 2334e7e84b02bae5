// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEMPORARY during development: weak defaults for parts not written yet,
 * so the module builds while the exporter and importer land.  Each answers
 * -EOPNOTSUPP (guest tests skip on it).  Delete with the last of them.
 */
#include "dmapeek.h"
#include "dmapeek-nl-gen.h"

/*
 * Each weak stub is an alias of one of these, by signature (unused once
 * the last stub of a signature is gone).
 */
static int __maybe_unused dmapeek_stub_nl(struct sk_buff *skb, struct genl_info *info)
{
	return -EOPNOTSUPP;
}

static int __maybe_unused dmapeek_stub_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return -EOPNOTSUPP;
}

static int __maybe_unused dmapeek_stub_ioc(struct dmapeek_file *df, void *arg)
{
	return -EOPNOTSUPP;
}

static int __maybe_unused dmapeek_stub_fill(struct sk_buff *skb, void *obj,
					    const struct genl_info *info, bool admin, u32 filter)
{
	return -ENOENT;
}

#define DMAPEEK_WEAK_NL(fn) \
	int fn(struct sk_buff *skb, struct genl_info *info) \
		__weak __alias(dmapeek_stub_nl)
#define DMAPEEK_WEAK_DUMP(fn) \
	int fn(struct sk_buff *skb, struct netlink_callback *cb) \
		__weak __alias(dmapeek_stub_dump)
#define DMAPEEK_WEAK_IOC(fn) \
	int fn(struct dmapeek_file *df, void *arg) __weak __alias(dmapeek_stub_ioc)
#define DMAPEEK_WEAK_FILL(fn) \
	int fn(struct sk_buff *skb, void *obj, const struct genl_info *info, \
	       bool admin, u32 filter) __weak __alias(dmapeek_stub_fill)

DMAPEEK_WEAK_NL(dmapeek_nl_p2p_get_doit);
DMAPEEK_WEAK_DUMP(dmapeek_nl_p2p_get_dumpit);
DMAPEEK_WEAK_NL(dmapeek_nl_attachment_map_doit);
DMAPEEK_WEAK_NL(dmapeek_nl_attachment_unmap_doit);
DMAPEEK_WEAK_NL(dmapeek_nl_mapping_audit_doit);
DMAPEEK_WEAK_IOC(dmapeek_ioc_import);
DMAPEEK_WEAK_IOC(dmapeek_ioc_detach);
DMAPEEK_WEAK_IOC(dmapeek_ioc_map);
DMAPEEK_WEAK_IOC(dmapeek_ioc_unmap);
DMAPEEK_WEAK_IOC(dmapeek_ioc_dma);
DMAPEEK_WEAK_IOC(dmapeek_ioc_audit);

void __weak dmapeek_import_release_file(struct dmapeek_file *df)
{
}

void __weak dmapeek_import_device_gone(struct dmapeek_device *ddev)
{
}

struct dmapeek_attachment * __weak
dmapeek_import_attachment(struct dma_buf_attachment *attach)
{
	return NULL;
}

int __weak dmapeek_edu_probe(struct dmapeek_device *ddev)
{
	return 0;
}

void __weak dmapeek_edu_remove(struct dmapeek_device *ddev)
{
}

u32 __weak dmapeek_p2p_map_type(struct dmapeek_provider *prov, struct device *client,
				int *distance, u32 *reason)
{
	return DMAPEEK_MAP_TYPE_UNKNOWN;
}
