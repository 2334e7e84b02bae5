// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dmapeek.yaml */
/* YNL-GEN kernel source */
/* To regenerate run: kmod/ynl-regen.sh LINUX_SOURCE (or tests/guest-lab regen) */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "dmapeek-nl-gen.h"

#include <uapi/linux/dmapeek.h>

/* Integer value ranges */
static const struct netlink_range_validation dmapeek_a_buffer_timeout_ms_range = {
	.max	= DMAPEEK_TIMEOUT_MAX_MS,
};

static const struct netlink_range_validation dmapeek_a_revoke_timeout_ms_range = {
	.max	= DMAPEEK_TIMEOUT_MAX_MS,
};

/* DMAPEEK_CMD_PROVIDER_GET - do */
static const struct nla_policy dmapeek_provider_get_nl_policy[DMAPEEK_A_PROVIDER_ID + 1] = {
	[DMAPEEK_A_PROVIDER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_DEVICE_GET - do */
static const struct nla_policy dmapeek_device_get_nl_policy[DMAPEEK_A_DEVICE_ID + 1] = {
	[DMAPEEK_A_DEVICE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_BUFFER_GET - do */
static const struct nla_policy dmapeek_buffer_get_do_nl_policy[DMAPEEK_A_BUFFER_ID + 1] = {
	[DMAPEEK_A_BUFFER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_BUFFER_GET - dump */
static const struct nla_policy dmapeek_buffer_get_dump_nl_policy[DMAPEEK_A_BUFFER_PROVIDER_ID + 1] = {
	[DMAPEEK_A_BUFFER_PROVIDER_ID] = { .type = NLA_U32, },
};

/* DMAPEEK_CMD_ATTACHMENT_GET - do */
static const struct nla_policy dmapeek_attachment_get_do_nl_policy[DMAPEEK_A_ATTACHMENT_ID + 1] = {
	[DMAPEEK_A_ATTACHMENT_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_ATTACHMENT_GET - dump */
static const struct nla_policy dmapeek_attachment_get_dump_nl_policy[DMAPEEK_A_ATTACHMENT_BUFFER_ORDER + 1] = {
	[DMAPEEK_A_ATTACHMENT_BUFFER_ID] = { .type = NLA_U32, },
	[DMAPEEK_A_ATTACHMENT_BUFFER_ORDER] = { .type = NLA_FLAG, },
};

/* DMAPEEK_CMD_MAPPING_GET - do */
static const struct nla_policy dmapeek_mapping_get_do_nl_policy[DMAPEEK_A_MAPPING_ID + 1] = {
	[DMAPEEK_A_MAPPING_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_MAPPING_GET - dump */
static const struct nla_policy dmapeek_mapping_get_dump_nl_policy[DMAPEEK_A_MAPPING_ATTACHMENT_ID + 1] = {
	[DMAPEEK_A_MAPPING_ATTACHMENT_ID] = { .type = NLA_U32, },
};

/* DMAPEEK_CMD_P2P_GET - do */
static const struct nla_policy dmapeek_p2p_get_nl_policy[DMAPEEK_A_P2P_CLIENT_BDF + 1] = {
	[DMAPEEK_A_P2P_PROVIDER_BDF] = { .type = NLA_NUL_STRING, },
	[DMAPEEK_A_P2P_CLIENT_BDF] = { .type = NLA_NUL_STRING, },
};

/* DMAPEEK_CMD_BUFFER_MOVE - do */
static const struct nla_policy dmapeek_buffer_move_nl_policy[DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID + 1] = {
	[DMAPEEK_A_BUFFER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID] = { .type = NLA_U32, },
	[DMAPEEK_A_BUFFER_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &dmapeek_a_buffer_timeout_ms_range),
};

/* DMAPEEK_CMD_BUFFER_REVOKE - do */
static const struct nla_policy dmapeek_buffer_revoke_nl_policy[DMAPEEK_A_REVOKE_TIMEOUT_MS + 1] = {
	[DMAPEEK_A_REVOKE_BUFFER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[DMAPEEK_A_REVOKE_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &dmapeek_a_revoke_timeout_ms_range),
};

/* DMAPEEK_CMD_BUFFER_RESTORE - do */
static const struct nla_policy dmapeek_buffer_restore_nl_policy[DMAPEEK_A_BUFFER_ID + 1] = {
	[DMAPEEK_A_BUFFER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_ATTACHMENT_MAP - do */
static const struct nla_policy dmapeek_attachment_map_nl_policy[DMAPEEK_A_ATTACHMENT_ID + 1] = {
	[DMAPEEK_A_ATTACHMENT_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_ATTACHMENT_UNMAP - do */
static const struct nla_policy dmapeek_attachment_unmap_nl_policy[DMAPEEK_A_ATTACHMENT_ID + 1] = {
	[DMAPEEK_A_ATTACHMENT_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_MAPPING_AUDIT - do */
static const struct nla_policy dmapeek_mapping_audit_nl_policy[DMAPEEK_A_AUDIT_MAPPING_ID + 1] = {
	[DMAPEEK_A_AUDIT_MAPPING_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* DMAPEEK_CMD_BUFFER_DELETE - do */
static const struct nla_policy dmapeek_buffer_delete_nl_policy[DMAPEEK_A_BUFFER_ALL + 1] = {
	[DMAPEEK_A_BUFFER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[DMAPEEK_A_BUFFER_ALL] = { .type = NLA_FLAG, },
};

/* DMAPEEK_CMD_ATTACHMENT_DELETE - do */
static const struct nla_policy dmapeek_attachment_delete_nl_policy[DMAPEEK_A_ATTACHMENT_ALL + 1] = {
	[DMAPEEK_A_ATTACHMENT_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[DMAPEEK_A_ATTACHMENT_ALL] = { .type = NLA_FLAG, },
};

/* Ops table for dmapeek */
static const struct genl_split_ops dmapeek_nl_ops[] = {
	{
		.cmd	= DMAPEEK_CMD_ABI_GET,
		.doit	= dmapeek_nl_abi_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_PROVIDER_GET,
		.doit		= dmapeek_nl_provider_get_doit,
		.policy		= dmapeek_provider_get_nl_policy,
		.maxattr	= DMAPEEK_A_PROVIDER_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= DMAPEEK_CMD_PROVIDER_GET,
		.dumpit	= dmapeek_nl_provider_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DMAPEEK_CMD_DEVICE_GET,
		.doit		= dmapeek_nl_device_get_doit,
		.policy		= dmapeek_device_get_nl_policy,
		.maxattr	= DMAPEEK_A_DEVICE_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= DMAPEEK_CMD_DEVICE_GET,
		.dumpit	= dmapeek_nl_device_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DMAPEEK_CMD_BUFFER_GET,
		.doit		= dmapeek_nl_buffer_get_doit,
		.policy		= dmapeek_buffer_get_do_nl_policy,
		.maxattr	= DMAPEEK_A_BUFFER_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_BUFFER_GET,
		.dumpit		= dmapeek_nl_buffer_get_dumpit,
		.policy		= dmapeek_buffer_get_dump_nl_policy,
		.maxattr	= DMAPEEK_A_BUFFER_PROVIDER_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DMAPEEK_CMD_ATTACHMENT_GET,
		.doit		= dmapeek_nl_attachment_get_doit,
		.policy		= dmapeek_attachment_get_do_nl_policy,
		.maxattr	= DMAPEEK_A_ATTACHMENT_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_ATTACHMENT_GET,
		.dumpit		= dmapeek_nl_attachment_get_dumpit,
		.policy		= dmapeek_attachment_get_dump_nl_policy,
		.maxattr	= DMAPEEK_A_ATTACHMENT_BUFFER_ORDER,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DMAPEEK_CMD_MAPPING_GET,
		.doit		= dmapeek_nl_mapping_get_doit,
		.policy		= dmapeek_mapping_get_do_nl_policy,
		.maxattr	= DMAPEEK_A_MAPPING_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_MAPPING_GET,
		.dumpit		= dmapeek_nl_mapping_get_dumpit,
		.policy		= dmapeek_mapping_get_dump_nl_policy,
		.maxattr	= DMAPEEK_A_MAPPING_ATTACHMENT_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DMAPEEK_CMD_P2P_GET,
		.doit		= dmapeek_nl_p2p_get_doit,
		.policy		= dmapeek_p2p_get_nl_policy,
		.maxattr	= DMAPEEK_A_P2P_CLIENT_BDF,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= DMAPEEK_CMD_P2P_GET,
		.dumpit	= dmapeek_nl_p2p_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DMAPEEK_CMD_BUFFER_MOVE,
		.doit		= dmapeek_nl_buffer_move_doit,
		.policy		= dmapeek_buffer_move_nl_policy,
		.maxattr	= DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_BUFFER_REVOKE,
		.doit		= dmapeek_nl_buffer_revoke_doit,
		.policy		= dmapeek_buffer_revoke_nl_policy,
		.maxattr	= DMAPEEK_A_REVOKE_TIMEOUT_MS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_BUFFER_RESTORE,
		.doit		= dmapeek_nl_buffer_restore_doit,
		.policy		= dmapeek_buffer_restore_nl_policy,
		.maxattr	= DMAPEEK_A_BUFFER_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_ATTACHMENT_MAP,
		.doit		= dmapeek_nl_attachment_map_doit,
		.policy		= dmapeek_attachment_map_nl_policy,
		.maxattr	= DMAPEEK_A_ATTACHMENT_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_ATTACHMENT_UNMAP,
		.doit		= dmapeek_nl_attachment_unmap_doit,
		.policy		= dmapeek_attachment_unmap_nl_policy,
		.maxattr	= DMAPEEK_A_ATTACHMENT_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_MAPPING_AUDIT,
		.doit		= dmapeek_nl_mapping_audit_doit,
		.policy		= dmapeek_mapping_audit_nl_policy,
		.maxattr	= DMAPEEK_A_AUDIT_MAPPING_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_BUFFER_DELETE,
		.doit		= dmapeek_nl_buffer_delete_doit,
		.policy		= dmapeek_buffer_delete_nl_policy,
		.maxattr	= DMAPEEK_A_BUFFER_ALL,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMAPEEK_CMD_ATTACHMENT_DELETE,
		.doit		= dmapeek_nl_attachment_delete_doit,
		.policy		= dmapeek_attachment_delete_nl_policy,
		.maxattr	= DMAPEEK_A_ATTACHMENT_ALL,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group dmapeek_nl_mcgrps[] = {
	[DMAPEEK_NLGRP_EVENTS] = { "events", },
};

struct genl_family dmapeek_nl_family __ro_after_init = {
	.name		= DMAPEEK_FAMILY_NAME,
	.version	= DMAPEEK_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= dmapeek_nl_ops,
	.n_split_ops	= ARRAY_SIZE(dmapeek_nl_ops),
	.mcgrps		= dmapeek_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(dmapeek_nl_mcgrps),
};
