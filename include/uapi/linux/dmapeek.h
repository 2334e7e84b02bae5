/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * dmapeek: see and drive the dma-buf memory API (phys_vec exporters, P2P
 * providers, the two-step IOVA DMA API, move and revoke).
 *
 * The one ABI header shared by dmapeek.ko and libdmapeek.  It has two
 * parts:
 *
 *  - the ioctls of /dev/dmapeek, for the operations that carry file
 *    descriptors or user memory.  Every argument struct starts with its
 *    size (__u32 size), so it can grow: the kernel accepts a shorter struct
 *    from an older caller and a longer one whose extra bytes are zero
 *    (copy_struct_from_user()); reserved fields must be zero.
 *
 *  - the generic netlink family "dmapeek", for everything addressed by id.
 *    That block is generated from Documentation/netlink/specs/dmapeek.yaml
 *    by kmod/ynl-regen.sh; edit the spec, not the block.
 */
#ifndef _UAPI_LINUX_DMAPEEK_H
#define _UAPI_LINUX_DMAPEEK_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define DMAPEEK_DEVICE_NAME	"dmapeek"	/* /dev/dmapeek */

/* YNL-BEGIN: generated from Documentation/netlink/specs/dmapeek.yaml */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dmapeek.yaml */
/* YNL-GEN uapi header */
/* To regenerate run: kmod/ynl-regen.sh LINUX_SOURCE (or tests/guest-lab regen) */


#define DMAPEEK_FAMILY_NAME	"dmapeek"
#define DMAPEEK_FAMILY_VERSION	1

#define DMAPEEK_ABI_MAJOR	1
#define DMAPEEK_ABI_MINOR	0

enum {
	DMAPEEK_A_ABI_MAJOR = 1,
	DMAPEEK_A_ABI_MINOR,

	__DMAPEEK_A_ABI_MAX,
	DMAPEEK_A_ABI_MAX = (__DMAPEEK_A_ABI_MAX - 1)
};

enum {
	DMAPEEK_CMD_ABI_GET = 1,

	__DMAPEEK_CMD_MAX,
	DMAPEEK_CMD_MAX = (__DMAPEEK_CMD_MAX - 1)
};

#define DMAPEEK_MCGRP_EVENTS	"events"

/* YNL-END */

/* ioctls of /dev/dmapeek: _IO(DMAPEEK_TYPE, cmd), the size is in the struct */
#define DMAPEEK_TYPE		0xDA

enum {
	DMAPEEK_IOC_CMD_ABI_VERSION = 0x80,
};

/**
 * struct dmapeek_abi_version - DMAPEEK_IOC_ABI_VERSION
 * @size: sizeof(struct dmapeek_abi_version)
 * @flags: must be 0
 * @major: out: DMAPEEK_ABI_MAJOR of the module
 * @minor: out: DMAPEEK_ABI_MINOR of the module
 *
 * Report the module's ABI version.  A caller built against a different
 * major must not go on; a newer minor only adds.
 */
struct dmapeek_abi_version {
	__u32 size;
	__u32 flags;
	__u32 major;
	__u32 minor;
};
#define DMAPEEK_IOC_ABI_VERSION	_IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_ABI_VERSION)

#endif /* _UAPI_LINUX_DMAPEEK_H */
