// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dmapeek.yaml */
/* YNL-GEN kernel source */
/* To regenerate run: kmod/ynl-regen.sh LINUX_SOURCE (or tests/guest-lab regen) */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "dmapeek-nl-gen.h"

#include <uapi/linux/dmapeek.h>

/* Ops table for dmapeek */
static const struct genl_split_ops dmapeek_nl_ops[] = {
	{
		.cmd	= DMAPEEK_CMD_ABI_GET,
		.doit	= dmapeek_nl_abi_get_doit,
		.flags	= GENL_CMD_CAP_DO,
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
