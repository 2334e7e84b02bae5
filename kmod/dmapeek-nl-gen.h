/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dmapeek.yaml */
/* YNL-GEN kernel header */
/* To regenerate run: kmod/ynl-regen.sh LINUX_SOURCE (or tests/guest-lab regen) */

#ifndef _LINUX_DMAPEEK_GEN_H
#define _LINUX_DMAPEEK_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/dmapeek.h>

int dmapeek_nl_abi_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_provider_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_provider_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb);
int dmapeek_nl_device_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_device_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int dmapeek_nl_buffer_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_buffer_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int dmapeek_nl_attachment_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_attachment_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb);
int dmapeek_nl_mapping_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_mapping_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int dmapeek_nl_p2p_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_p2p_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int dmapeek_nl_buffer_move_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_buffer_revoke_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_buffer_restore_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_attachment_map_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_attachment_unmap_doit(struct sk_buff *skb,
				     struct genl_info *info);
int dmapeek_nl_mapping_audit_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_buffer_delete_doit(struct sk_buff *skb, struct genl_info *info);
int dmapeek_nl_attachment_delete_doit(struct sk_buff *skb,
				      struct genl_info *info);

enum {
	DMAPEEK_NLGRP_EVENTS,
};

extern struct genl_family dmapeek_nl_family;

#endif /* _LINUX_DMAPEEK_GEN_H */
