/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * dmapeek: see and drive the dma-buf memory API (phys_vec exporters, P2P
 * providers, the two-step IOVA DMA API, move and revoke).
 *
 * The one ABI header shared by dmapeek.ko and libdmapeek.  It has two
 * parts:
 *
 *  - the ioctls of /dev/dmapeek, for the operations that carry file
 *    descriptors or user memory, and nothing else: EXPORT (returns a
 *    dma-buf fd), IMPORT (takes one), DETACH (of an import made through
 *    the same open file), DMA (user memory), BUFFER_FD (returns a dma-buf
 *    fd), DMABUF_ATTACHMENTS (takes one) and the ABI_VERSION query.
 *    Every argument struct starts with its size (__u32 size), so it can
 *    grow: the kernel accepts a shorter struct from an older caller and a
 *    longer one whose extra bytes are zero (copy_struct_from_user());
 *    reserved fields must be zero.
 *
 *  - the generic netlink family "dmapeek", for everything else: every get
 *    and dump, and the operations addressed by id (map, unmap, move,
 *    revoke, restore, audit).  That block is generated from
 *    Documentation/netlink/specs/dmapeek.yaml by kmod/ynl-regen.sh; edit
 *    the spec, not the block.  Its constants are also the limits of both
 *    parts (timeouts, sizes, counts), each defined there once.
 *
 * ABI 2.0 removed the ioctls MAP, UNMAP, MOVE, REVOKE, RESTORE and AUDIT,
 * which duplicated netlink operations: their numbers answer ENOTTY and are
 * never reused.  A caller built against ABI 1.x that used them must use
 * netlink's attachment-map, attachment-unmap, buffer-move, buffer-revoke,
 * buffer-restore and mapping-audit instead.  Over netlink, a move or a
 * revoke answers with an operation number (attribute op) at once, and its
 * outcome is the move-done or revoke-done event carrying that number.
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

#define DMAPEEK_ABI_MAJOR		2
#define DMAPEEK_ABI_MINOR		2
#define DMAPEEK_NAME_LEN		32
#define DMAPEEK_TIMEOUT_DEFAULT_MS	1000
#define DMAPEEK_TIMEOUT_MAX_MS		600000
#define DMAPEEK_UNMAP_DELAY_MAX_MS	60000
#define DMAPEEK_EXPORT_MAX_RANGES	1024
#define DMAPEEK_DMA_MAX_LEN		1048576
#define DMAPEEK_GET_MAX_SIZE		2097152
#define DMAPEEK_OP_MAX_OUTCOMES		1024
#define DMAPEEK_AUDIT_MAX_MISMATCHES	8
#define DMAPEEK_DMABUF_MAX_ATTACHMENTS	256
#define DMAPEEK_DEV_NAME_LEN		64

/**
 * enum dmapeek_model - Memory model of a buffer dmapeek exports.
 * @DMAPEEK_MODEL_PINNED: Backing never moves; importers are never invalidated.
 * @DMAPEEK_MODEL_MOVABLE: Dynamic exporter: pin/unpin supported; the backing
 *   can move between providers, importers get invalidate_mappings first.
 * @DMAPEEK_MODEL_REVOCABLE: As a VFIO BAR: the exporter can revoke access;
 *   only importers that can unmap in bounded time (revocable) may attach.
 */
enum dmapeek_model {
	DMAPEEK_MODEL_PINNED = 1,
	DMAPEEK_MODEL_MOVABLE,
	DMAPEEK_MODEL_REVOCABLE,
};

/*
 * PCI P2P map type of a (provider, client) pair, as the kernel's P2PDMA rules
 * decide it.
 */
enum dmapeek_map_type {
	DMAPEEK_MAP_TYPE_UNKNOWN,
	DMAPEEK_MAP_TYPE_NONE,
	DMAPEEK_MAP_TYPE_NOT_SUPPORTED,
	DMAPEEK_MAP_TYPE_BUS_ADDR,
	DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE,
};

/**
 * enum dmapeek_own_map_state - The importer side of an attachment of dmapeek's
 *   importer: whether it maps the buffer's ranges itself (two steps: IOVA
 *   allocation, then a link per range), and if not, why not.
 * @DMAPEEK_OWN_MAP_STATE_NONE: Not mapped on the importer's side, yet or any
 *   more.
 * @DMAPEEK_OWN_MAP_STATE_MAPPED: The importer-side two-step mapping is live.
 * @DMAPEEK_OWN_MAP_STATE_FOREIGN_EXPORTER: The exporter is not dmapeek: it
 *   hands out no physical ranges, so the importer maps only what the
 *   exporter's sg table gives.
 * @DMAPEEK_OWN_MAP_STATE_BUS_ADDR: P2P through a switch uses bus addresses:
 *   nothing to map through the host.
 * @DMAPEEK_OWN_MAP_STATE_NOT_SUPPORTED: The P2P path is not supported.
 */
enum dmapeek_own_map_state {
	DMAPEEK_OWN_MAP_STATE_NONE = 1,
	DMAPEEK_OWN_MAP_STATE_MAPPED,
	DMAPEEK_OWN_MAP_STATE_FOREIGN_EXPORTER,
	DMAPEEK_OWN_MAP_STATE_BUS_ADDR,
	DMAPEEK_OWN_MAP_STATE_NOT_SUPPORTED,
};

/*
 * Why a (provider, client) pair got its map type.
 */
enum dmapeek_p2p_reason {
	DMAPEEK_P2P_REASON_UNKNOWN,
	DMAPEEK_P2P_REASON_SYSTEM_MEMORY,
	DMAPEEK_P2P_REASON_SAME_DEVICE,
	DMAPEEK_P2P_REASON_COMMON_SWITCH,
	DMAPEEK_P2P_REASON_ACS_REDIRECT,
	DMAPEEK_P2P_REASON_HOST_BRIDGE_ALLOWLIST,
	DMAPEEK_P2P_REASON_AMD_CPU,
	DMAPEEK_P2P_REASON_NOT_ALLOWLISTED,
	DMAPEEK_P2P_REASON_NOT_PCI,
	DMAPEEK_P2P_REASON_NO_PROVIDER,
};

/**
 * enum dmapeek_addr_kind - What a DMA range's address is.
 * @DMAPEEK_ADDR_KIND_IOVA: An IO virtual address, translated by the device's
 *   IOMMU.
 * @DMAPEEK_ADDR_KIND_BUS: A PCI bus address (P2P through a switch, no
 *   translation).
 * @DMAPEEK_ADDR_KIND_PHYS: A CPU physical address (no IOMMU translation; dma
 *   == phys).
 */
enum dmapeek_addr_kind {
	DMAPEEK_ADDR_KIND_IOVA = 1,
	DMAPEEK_ADDR_KIND_BUS,
	DMAPEEK_ADDR_KIND_PHYS,
};

enum dmapeek_provider_kind {
	DMAPEEK_PROVIDER_KIND_SYSTEM = 1,
	DMAPEEK_PROVIDER_KIND_PCI_BAR,
};

enum dmapeek_buffer_state {
	DMAPEEK_BUFFER_STATE_LIVE = 1,
	DMAPEEK_BUFFER_STATE_MOVING,
	DMAPEEK_BUFFER_STATE_REVOKED,
};

/*
 * Type of the IOMMU domain a device is attached to.
 */
enum dmapeek_domain_type {
	DMAPEEK_DOMAIN_TYPE_NONE,
	DMAPEEK_DOMAIN_TYPE_BLOCKED,
	DMAPEEK_DOMAIN_TYPE_IDENTITY,
	DMAPEEK_DOMAIN_TYPE_DMA,
	DMAPEEK_DOMAIN_TYPE_DMA_FQ,
	DMAPEEK_DOMAIN_TYPE_UNMANAGED,
	DMAPEEK_DOMAIN_TYPE_OTHER,
};

enum dmapeek_device_role {
	DMAPEEK_DEVICE_ROLE_PROVIDER = 1,
	DMAPEEK_DEVICE_ROLE_CLIENT = 2,
};

/**
 * enum dmapeek_attach_flags - What an attachment's importer declared, and what
 *   dmapeek knows of it.
 * @DMAPEEK_ATTACH_FLAGS_DYNAMIC: The importer gave importer ops (a dynamic
 *   importer).
 * @DMAPEEK_ATTACH_FLAGS_PEER2PEER: The importer allows peer-to-peer memory.
 * @DMAPEEK_ATTACH_FLAGS_REVOCABLE: The importer handles invalidate_mappings
 *   (can be revoked).
 * @DMAPEEK_ATTACH_FLAGS_PINNED: The importer pinned the buffer.
 * @DMAPEEK_ATTACH_FLAGS_EXPORTED: dmapeek exported the buffer (exporter-side
 *   detail known).
 * @DMAPEEK_ATTACH_FLAGS_IMPORTED: dmapeek's importer probe made this
 *   attachment.
 * @DMAPEEK_ATTACH_FLAGS_HELD: The module holds this import (made with hold):
 *   it outlives the file that made it, until attachment-delete (ABI 2.1).
 * @DMAPEEK_ATTACH_FLAGS_PIN_ON_MAP: A static importer (no importer ops) of a
 *   dynamic exporter (one with pin): the dma-buf core pins the buffer for as
 *   long as this attachment has a mapping, so the exporter cannot move it
 *   then. Derived from the importer's and the exporter's ops, as the core
 *   decides it; whether a mapping exists now, the core does not record (ABI
 *   2.2).
 * @DMAPEEK_ATTACH_FLAGS_P2P_REFUSED: The importer allows peer-to-peer memory,
 *   but the exporter turned peer2peer off for this attachment when it attached
 *   (no P2P path to the importer, for instance): it gets memory with struct
 *   pages only (ABI 2.2).
 */
enum dmapeek_attach_flags {
	DMAPEEK_ATTACH_FLAGS_DYNAMIC = 1,
	DMAPEEK_ATTACH_FLAGS_PEER2PEER = 2,
	DMAPEEK_ATTACH_FLAGS_REVOCABLE = 4,
	DMAPEEK_ATTACH_FLAGS_PINNED = 8,
	DMAPEEK_ATTACH_FLAGS_EXPORTED = 16,
	DMAPEEK_ATTACH_FLAGS_IMPORTED = 32,
	DMAPEEK_ATTACH_FLAGS_HELD = 64,
	DMAPEEK_ATTACH_FLAGS_PIN_ON_MAP = 128,
	DMAPEEK_ATTACH_FLAGS_P2P_REFUSED = 256,
};

/**
 * enum dmapeek_mapping_path - Which code produced a mapping.
 * @DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER: The kernel's
 *   dma_buf_phys_vec_to_sgt() (single range only).
 * @DMAPEEK_MAPPING_PATH_IOVA_LINK: Two-step IOVA API (dma_iova_try_alloc,
 *   dma_iova_link at a running offset, one dma_iova_sync).
 * @DMAPEEK_MAPPING_PATH_MAP_PHYS: dma_map_phys() per range (no IOMMU
 *   translation).
 * @DMAPEEK_MAPPING_PATH_BUS_ADDR: PCI bus addresses, no DMA API mapping (P2P
 *   through a switch).
 * @DMAPEEK_MAPPING_PATH_SGTABLE: System memory through dma_map_sgtable().
 * @DMAPEEK_MAPPING_PATH_IMPORTER_SGT: The sg table an importer received from
 *   the exporter.
 */
enum dmapeek_mapping_path {
	DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER = 1,
	DMAPEEK_MAPPING_PATH_IOVA_LINK,
	DMAPEEK_MAPPING_PATH_MAP_PHYS,
	DMAPEEK_MAPPING_PATH_BUS_ADDR,
	DMAPEEK_MAPPING_PATH_SGTABLE,
	DMAPEEK_MAPPING_PATH_IMPORTER_SGT,
};

/**
 * enum dmapeek_behaviour - How dmapeek's importer probe reacts to
 *   invalidate_mappings.
 * @DMAPEEK_BEHAVIOUR_NORMAL: Unmap at once (inside the callback).
 * @DMAPEEK_BEHAVIOUR_NEVER_UNMAP: Ignore invalidation; keep the mapping (a
 *   stuck importer).
 * @DMAPEEK_BEHAVIOUR_DELAYED_UNMAP: Unmap from a worker after unmap-delay-ms.
 */
enum dmapeek_behaviour {
	DMAPEEK_BEHAVIOUR_NORMAL = 1,
	DMAPEEK_BEHAVIOUR_NEVER_UNMAP,
	DMAPEEK_BEHAVIOUR_DELAYED_UNMAP,
};

enum dmapeek_event_type {
	DMAPEEK_EVENT_TYPE_BUFFER_CREATE = 1,
	DMAPEEK_EVENT_TYPE_BUFFER_RELEASE,
	DMAPEEK_EVENT_TYPE_ATTACH,
	DMAPEEK_EVENT_TYPE_DETACH,
	DMAPEEK_EVENT_TYPE_MAP,
	DMAPEEK_EVENT_TYPE_UNMAP,
	DMAPEEK_EVENT_TYPE_PIN,
	DMAPEEK_EVENT_TYPE_UNPIN,
	DMAPEEK_EVENT_TYPE_INVALIDATE,
	DMAPEEK_EVENT_TYPE_MOVE_BEGIN,
	DMAPEEK_EVENT_TYPE_MOVE_DONE,
	DMAPEEK_EVENT_TYPE_REVOKE_BEGIN,
	DMAPEEK_EVENT_TYPE_REVOKE_DONE,
	DMAPEEK_EVENT_TYPE_RESTORE,
	DMAPEEK_EVENT_TYPE_STUCK,
};

/**
 * enum dmapeek_audit_result - Outcome of auditing a mapping's IOMMU
 *   translations.
 * @DMAPEEK_AUDIT_RESULT_OK: Every page translates to the address it must
 *   reach.
 * @DMAPEEK_AUDIT_RESULT_MISMATCH: At least one page translates elsewhere, or
 *   not at all.
 * @DMAPEEK_AUDIT_RESULT_DIRECT: No translating IOMMU; dma addresses checked
 *   equal to phys.
 * @DMAPEEK_AUDIT_RESULT_NOT_CHECKABLE: Nothing to check against (foreign
 *   buffer without phys ranges).
 */
enum dmapeek_audit_result {
	DMAPEEK_AUDIT_RESULT_OK = 1,
	DMAPEEK_AUDIT_RESULT_MISMATCH,
	DMAPEEK_AUDIT_RESULT_DIRECT,
	DMAPEEK_AUDIT_RESULT_NOT_CHECKABLE,
};

enum {
	DMAPEEK_A_ABI_MAJOR = 1,
	DMAPEEK_A_ABI_MINOR,

	__DMAPEEK_A_ABI_MAX,
	DMAPEEK_A_ABI_MAX = (__DMAPEEK_A_ABI_MAX - 1)
};

enum {
	DMAPEEK_A_RANGE_OFFSET = 1,
	DMAPEEK_A_RANGE_LEN,
	DMAPEEK_A_RANGE_ADDR,
	DMAPEEK_A_RANGE_KIND,

	__DMAPEEK_A_RANGE_MAX,
	DMAPEEK_A_RANGE_MAX = (__DMAPEEK_A_RANGE_MAX - 1)
};

enum {
	DMAPEEK_A_PROVIDER_ID = 1,
	DMAPEEK_A_PROVIDER_KIND,
	DMAPEEK_A_PROVIDER_DEVICE_ID,
	DMAPEEK_A_PROVIDER_BDF,
	DMAPEEK_A_PROVIDER_BAR,
	DMAPEEK_A_PROVIDER_SIZE,
	DMAPEEK_A_PROVIDER_PHYS_START,
	DMAPEEK_A_PROVIDER_BUS_OFFSET,
	DMAPEEK_A_PROVIDER_BYTES_EXPORTED,
	DMAPEEK_A_PROVIDER_BUFFERS,

	__DMAPEEK_A_PROVIDER_MAX,
	DMAPEEK_A_PROVIDER_MAX = (__DMAPEEK_A_PROVIDER_MAX - 1)
};

enum {
	DMAPEEK_A_DEVICE_ID = 1,
	DMAPEEK_A_DEVICE_BDF,
	DMAPEEK_A_DEVICE_VENDOR,
	DMAPEEK_A_DEVICE_DEVICE,
	DMAPEEK_A_DEVICE_CLASS,
	DMAPEEK_A_DEVICE_ROLES,
	DMAPEEK_A_DEVICE_IOMMU_GROUP,
	DMAPEEK_A_DEVICE_DOMAIN_TYPE,
	DMAPEEK_A_DEVICE_DMA_MASK_BITS,
	DMAPEEK_A_DEVICE_ATTACHMENTS,

	__DMAPEEK_A_DEVICE_MAX,
	DMAPEEK_A_DEVICE_MAX = (__DMAPEEK_A_DEVICE_MAX - 1)
};

enum {
	DMAPEEK_A_BUFFER_ID = 1,
	DMAPEEK_A_BUFFER_INODE,
	DMAPEEK_A_BUFFER_NAME,
	DMAPEEK_A_BUFFER_SIZE,
	DMAPEEK_A_BUFFER_MODEL,
	DMAPEEK_A_BUFFER_PROVIDER_ID,
	DMAPEEK_A_BUFFER_STATE,
	DMAPEEK_A_BUFFER_RANGE,
	DMAPEEK_A_BUFFER_ATTACHMENTS,
	DMAPEEK_A_BUFFER_PINS,
	DMAPEEK_A_BUFFER_MOVES,
	DMAPEEK_A_BUFFER_REVOKES,
	DMAPEEK_A_BUFFER_CREATED_NS,
	DMAPEEK_A_BUFFER_TIMEOUT_MS,
	DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID,
	DMAPEEK_A_BUFFER_NR_RANGES,
	DMAPEEK_A_BUFFER_RANGE_FIRST,
	DMAPEEK_A_BUFFER_OP,
	DMAPEEK_A_BUFFER_HELD,
	DMAPEEK_A_BUFFER_ALL,
	DMAPEEK_A_BUFFER_DELETED,

	__DMAPEEK_A_BUFFER_MAX,
	DMAPEEK_A_BUFFER_MAX = (__DMAPEEK_A_BUFFER_MAX - 1)
};

enum {
	DMAPEEK_A_ATTACHMENT_ID = 1,
	DMAPEEK_A_ATTACHMENT_BUFFER_ID,
	DMAPEEK_A_ATTACHMENT_INODE,
	DMAPEEK_A_ATTACHMENT_EXP_NAME,
	DMAPEEK_A_ATTACHMENT_SIZE,
	DMAPEEK_A_ATTACHMENT_IMPORTER_DEV,
	DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER,
	DMAPEEK_A_ATTACHMENT_DEVICE_ID,
	DMAPEEK_A_ATTACHMENT_FLAGS,
	DMAPEEK_A_ATTACHMENT_MAP_TYPE,
	DMAPEEK_A_ATTACHMENT_BEHAVIOUR,
	DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS,
	DMAPEEK_A_ATTACHMENT_MAPPED,
	DMAPEEK_A_ATTACHMENT_MAPS,
	DMAPEEK_A_ATTACHMENT_UNMAPS,
	DMAPEEK_A_ATTACHMENT_INVALIDATIONS,
	DMAPEEK_A_ATTACHMENT_LAST_MAP_NS,
	DMAPEEK_A_ATTACHMENT_LAST_UNMAP_NS,
	DMAPEEK_A_ATTACHMENT_LAST_INVALIDATE_NS,
	DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS,
	DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS,
	DMAPEEK_A_ATTACHMENT_STUCK,
	DMAPEEK_A_ATTACHMENT_REVOKED_SEEN,
	DMAPEEK_A_ATTACHMENT_BUFFER_ORDER,
	DMAPEEK_A_ATTACHMENT_OWN_MAP,
	DMAPEEK_A_ATTACHMENT_ALL,
	DMAPEEK_A_ATTACHMENT_DELETED,

	__DMAPEEK_A_ATTACHMENT_MAX,
	DMAPEEK_A_ATTACHMENT_MAX = (__DMAPEEK_A_ATTACHMENT_MAX - 1)
};

enum {
	DMAPEEK_A_MAPPING_ID = 1,
	DMAPEEK_A_MAPPING_ATTACHMENT_ID,
	DMAPEEK_A_MAPPING_PATH,
	DMAPEEK_A_MAPPING_SIZE,
	DMAPEEK_A_MAPPING_RANGE,
	DMAPEEK_A_MAPPING_MAP_NS,
	DMAPEEK_A_MAPPING_NR_RANGES,
	DMAPEEK_A_MAPPING_RANGE_FIRST,

	__DMAPEEK_A_MAPPING_MAX,
	DMAPEEK_A_MAPPING_MAX = (__DMAPEEK_A_MAPPING_MAX - 1)
};

enum {
	DMAPEEK_A_AUDIT_MAPPING_ID = 1,
	DMAPEEK_A_AUDIT_RESULT,
	DMAPEEK_A_AUDIT_DOMAIN_TYPE,
	DMAPEEK_A_AUDIT_PAGES,
	DMAPEEK_A_AUDIT_MISMATCHES,
	DMAPEEK_A_AUDIT_HOLES,
	DMAPEEK_A_AUDIT_MISMATCH,

	__DMAPEEK_A_AUDIT_MAX,
	DMAPEEK_A_AUDIT_MAX = (__DMAPEEK_A_AUDIT_MAX - 1)
};

enum {
	DMAPEEK_A_AUDIT_MISMATCH_IOVA = 1,
	DMAPEEK_A_AUDIT_MISMATCH_EXPECTED,
	DMAPEEK_A_AUDIT_MISMATCH_ACTUAL,

	__DMAPEEK_A_AUDIT_MISMATCH_MAX,
	DMAPEEK_A_AUDIT_MISMATCH_MAX = (__DMAPEEK_A_AUDIT_MISMATCH_MAX - 1)
};

enum {
	DMAPEEK_A_P2P_PROVIDER_BDF = 1,
	DMAPEEK_A_P2P_CLIENT_BDF,
	DMAPEEK_A_P2P_MAP_TYPE,
	DMAPEEK_A_P2P_DISTANCE,
	DMAPEEK_A_P2P_REASON,

	__DMAPEEK_A_P2P_MAX,
	DMAPEEK_A_P2P_MAX = (__DMAPEEK_A_P2P_MAX - 1)
};

enum {
	DMAPEEK_A_REVOKE_BUFFER_ID = 1,
	DMAPEEK_A_REVOKE_TIMEOUT_MS,
	DMAPEEK_A_REVOKE_DURATION_NS,
	DMAPEEK_A_REVOKE_ATTACHMENTS,
	DMAPEEK_A_REVOKE_STUCK,
	DMAPEEK_A_REVOKE_ATTACHMENT,
	DMAPEEK_A_REVOKE_OP,

	__DMAPEEK_A_REVOKE_MAX,
	DMAPEEK_A_REVOKE_MAX = (__DMAPEEK_A_REVOKE_MAX - 1)
};

enum {
	DMAPEEK_A_REVOKE_ATTACHMENT_ID = 1,
	DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS,
	DMAPEEK_A_REVOKE_ATTACHMENT_STUCK,

	__DMAPEEK_A_REVOKE_ATTACHMENT_MAX,
	DMAPEEK_A_REVOKE_ATTACHMENT_MAX = (__DMAPEEK_A_REVOKE_ATTACHMENT_MAX - 1)
};

enum {
	DMAPEEK_A_EVENT_TYPE = 1,
	DMAPEEK_A_EVENT_TIMESTAMP_NS,
	DMAPEEK_A_EVENT_BUFFER_ID,
	DMAPEEK_A_EVENT_ATTACHMENT_ID,
	DMAPEEK_A_EVENT_MAPPING_ID,
	DMAPEEK_A_EVENT_PROVIDER_ID,
	DMAPEEK_A_EVENT_DURATION_NS,
	DMAPEEK_A_EVENT_COUNT,
	DMAPEEK_A_EVENT_ERROR,
	DMAPEEK_A_EVENT_SEQ,
	DMAPEEK_A_EVENT_DROPPED,
	DMAPEEK_A_EVENT_MAP_TYPE,
	DMAPEEK_A_EVENT_OP,
	DMAPEEK_A_EVENT_ATTACHMENT,

	__DMAPEEK_A_EVENT_MAX,
	DMAPEEK_A_EVENT_MAX = (__DMAPEEK_A_EVENT_MAX - 1)
};

enum {
	DMAPEEK_CMD_ABI_GET = 1,
	DMAPEEK_CMD_PROVIDER_GET,
	DMAPEEK_CMD_DEVICE_GET,
	DMAPEEK_CMD_BUFFER_GET,
	DMAPEEK_CMD_ATTACHMENT_GET,
	DMAPEEK_CMD_MAPPING_GET,
	DMAPEEK_CMD_P2P_GET,
	DMAPEEK_CMD_BUFFER_MOVE,
	DMAPEEK_CMD_BUFFER_REVOKE,
	DMAPEEK_CMD_BUFFER_RESTORE,
	DMAPEEK_CMD_ATTACHMENT_MAP,
	DMAPEEK_CMD_ATTACHMENT_UNMAP,
	DMAPEEK_CMD_MAPPING_AUDIT,
	DMAPEEK_CMD_EVENT_NTF,
	DMAPEEK_CMD_BUFFER_DELETE,
	DMAPEEK_CMD_ATTACHMENT_DELETE,

	__DMAPEEK_CMD_MAX,
	DMAPEEK_CMD_MAX = (__DMAPEEK_CMD_MAX - 1)
};

#define DMAPEEK_MCGRP_EVENTS	"events"

/* YNL-END */

/* ioctls of /dev/dmapeek: _IO(DMAPEEK_TYPE, cmd), the size is in the struct */
#define DMAPEEK_TYPE		0xDA

/*
 * Numbers never shift.  Retired, netlink since ABI 2.0, answering ENOTTY
 * and never given to another ioctl: 0x84 (MAP), 0x85 (UNMAP), 0x86 (MOVE),
 * 0x87 (REVOKE), 0x88 (RESTORE), 0x8a (AUDIT).
 */
enum {
	DMAPEEK_IOC_CMD_ABI_VERSION = 0x80,
	DMAPEEK_IOC_CMD_EXPORT = 0x81,
	DMAPEEK_IOC_CMD_IMPORT = 0x82,
	DMAPEEK_IOC_CMD_DETACH = 0x83,
	DMAPEEK_IOC_CMD_DMA = 0x89,
	/*
	 * Reserved: the benchmark ioctl of a module built with configure
	 * --enable-debug-knobs (linux/dmapeek-debug.h in the source tree,
	 * not installed); any other module answers ENOTTY.
	 */
	DMAPEEK_IOC_CMD_BENCH_MAP = 0x8b,
	DMAPEEK_IOC_CMD_BUFFER_FD = 0x8c,
	DMAPEEK_IOC_CMD_DMABUF_ATTACHMENTS = 0x8d,
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

/**
 * struct dmapeek_range - one range of an export
 * @offset: offset inside the provider (BAR); 0 for system memory
 * @length: length, page aligned, non-zero
 */
struct dmapeek_range {
	__aligned_u64 offset;
	__aligned_u64 length;
};

/* struct dmapeek_export flags */
#define DMAPEEK_EXPORT_HOLD		(1U << 0)  /* the module holds the buffer */
#define DMAPEEK_EXPORT_PAGE_CHUNKS	(1U << 1)  /* system memory page by page */
#define DMAPEEK_EXPORT_FLAGS		0x3U

/**
 * struct dmapeek_export - DMAPEEK_IOC_EXPORT
 * @size: sizeof(struct dmapeek_export)
 * @flags: DMAPEEK_EXPORT_*.  HOLD: the module keeps a reference to the
 *	buffer until buffer-delete (netlink), so it outlives every file
 *	descriptor and any process can take it by id (DMAPEEK_IOC_BUFFER_FD);
 *	a held buffer keeps the module loaded.  PAGE_CHUNKS: build system
 *	memory from single pages instead of the largest chunks available
 *	(the scattered layout, for testing importers); EINVAL on a BAR.
 * @provider_id: the provider to take memory from (see provider-get)
 * @model: enum dmapeek_model
 * @length: with @nr_ranges == 0: the size to allocate from the provider
 * @nr_ranges: number of entries at @ranges (0: allocate @length), at most
 *	DMAPEEK_EXPORT_MAX_RANGES
 * @fd: out: the dma-buf file descriptor (close-on-exec)
 * @ranges: user pointer to struct dmapeek_range[@nr_ranges]; for a BAR,
 *	explicit offsets inside it (page aligned, inside the BAR, not
 *	overlapping); for system memory, each range is a separate chunk and
 *	its offset must be 0
 * @buffer_id: out: the buffer's id
 * @__reserved: must be 0
 * @name: the buffer's name (dma_buf_set_name), NUL terminated
 */
struct dmapeek_export {
	__u32 size;
	__u32 flags;
	__u32 provider_id;
	__u32 model;
	__aligned_u64 length;
	__u32 nr_ranges;
	__s32 fd;
	__aligned_u64 ranges;
	__u32 buffer_id;
	__u32 __reserved;
	char name[DMAPEEK_NAME_LEN];
};

#define DMAPEEK_IOC_EXPORT	_IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_EXPORT)

/* struct dmapeek_import flags */
#define DMAPEEK_IMPORT_DYNAMIC		(1U << 0)  /* give importer ops */
#define DMAPEEK_IMPORT_PIN		(1U << 1)  /* dma_buf_pin() after attach */
#define DMAPEEK_IMPORT_PEER2PEER	(1U << 2)  /* allow P2P memory */
#define DMAPEEK_IMPORT_NO_INVALIDATE	(1U << 3)  /* dynamic, no invalidate_mappings */
#define DMAPEEK_IMPORT_HOLD		(1U << 4)  /* the module holds the import */
#define DMAPEEK_IMPORT_FLAGS		0x1fU

/**
 * struct dmapeek_import - DMAPEEK_IOC_IMPORT
 * @size: sizeof(struct dmapeek_import)
 * @flags: DMAPEEK_IMPORT_*
 * @fd: a dma-buf file descriptor, from any exporter
 * @device_id: the client device (bound to dmapeek) that imports
 * @behaviour: enum dmapeek_behaviour (0: normal).  Never-unmap and
 *	delayed-unmap need DMAPEEK_IMPORT_DYNAMIC without NO_INVALIDATE
 *	(else -EINVAL) and a buffer dmapeek exported (else -EOPNOTSUPP):
 *	another exporter may wait for the unmap without bound once it has
 *	invalidated (VFIO's revoke does), and the dma-buf core asks every
 *	importer to unmap within bounded time after an invalidation.
 * @unmap_delay_ms: for DMAPEEK_BEHAVIOUR_DELAYED_UNMAP, at most
 *	DMAPEEK_UNMAP_DELAY_MAX_MS
 * @attachment_id: out: the attachment's id
 * @__reserved: must be 0
 *
 * The import lives until DMAPEEK_IOC_DETACH or until the /dev/dmapeek file
 * that made it is closed; with DMAPEEK_IMPORT_HOLD the module holds it
 * instead, until attachment-delete (netlink), and it keeps the module
 * loaded.
 */
struct dmapeek_import {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 device_id;
	__u32 behaviour;
	__u32 unmap_delay_ms;
	__u32 attachment_id;
	__u32 __reserved;
};

#define DMAPEEK_IOC_IMPORT	_IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_IMPORT)

/**
 * struct dmapeek_id_op - DMAPEEK_IOC_DETACH: an operation by id
 * @size: sizeof(struct dmapeek_id_op)
 * @flags: must be 0
 * @id: the attachment id of an import made through the same open file
 * @__reserved: must be 0
 *
 * DETACH stays an ioctl because an import belongs to the /dev/dmapeek
 * file that made it; an attachment of another file is -ENOENT.
 */
struct dmapeek_id_op {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
};

#define DMAPEEK_IOC_DETACH	_IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_DETACH)

/* struct dmapeek_dma flags */
#define DMAPEEK_DMA_TO_BUFFER	(1U << 0)  /* write: user -> device -> buffer */
#define DMAPEEK_DMA_FLAGS	0x1U

/**
 * struct dmapeek_dma - DMAPEEK_IOC_DMA: move bytes with a device's DMA engine
 * @size: sizeof(struct dmapeek_dma)
 * @flags: DMAPEEK_DMA_TO_BUFFER to write the buffer, else read it
 * @attachment_id: an import by a client with a DMA engine (QEMU edu)
 * @__reserved: must be 0
 * @offset: offset inside the buffer
 * @length: bytes to move, at most DMAPEEK_DMA_MAX_LEN
 * @data: user pointer to @length bytes (source or destination)
 */
struct dmapeek_dma {
	__u32 size;
	__u32 flags;
	__u32 attachment_id;
	__u32 __reserved;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 data;
};

#define DMAPEEK_IOC_DMA		_IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_DMA)

/**
 * struct dmapeek_buffer_fd - DMAPEEK_IOC_BUFFER_FD: a descriptor of a buffer
 * @size: sizeof(struct dmapeek_buffer_fd)
 * @flags: must be 0
 * @buffer_id: a buffer the module holds (exported with DMAPEEK_EXPORT_HOLD)
 * @fd: 0 on input; out: a new dma-buf file descriptor of it (close-on-exec)
 *
 * How another process takes a buffer by id (ABI 2.1): a held buffer made
 * by one command is imported, mapped or handed to a program by the next.
 * -ENOENT when no buffer has that id, -EACCES when it is not held: a
 * buffer only its holders keep is theirs to hand out (pidfd_getfd()).
 */
struct dmapeek_buffer_fd {
	__u32 size;
	__u32 flags;
	__u32 buffer_id;
	__s32 fd;
};

#define DMAPEEK_IOC_BUFFER_FD	_IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_BUFFER_FD)

/**
 * struct dmapeek_dmabuf_attachment - one attachment of a dma-buf
 * @flags: enum dmapeek_attach_flags.  DYNAMIC, PEER2PEER, REVOCABLE,
 *	PIN_ON_MAP and P2P_REFUSED are the dma-buf core's record of the
 *	attachment, for any importer; PINNED, EXPORTED, IMPORTED and HELD
 *	come from dmapeek's own record, so only an attachment with an
 *	@attachment_id has them (the core counts no pins per attachment)
 * @attachment_id: dmapeek's id of the attachment when dmapeek records it
 *	(its importer made it: IMPORTED; or dmapeek exported the buffer:
 *	EXPORTED), else 0
 * @device: the importer's device, dev_name(), cut to DMAPEEK_DEV_NAME_LEN
 * @driver: the name of its driver, cut to DMAPEEK_NAME_LEN ("" when the
 *	device has none)
 */
struct dmapeek_dmabuf_attachment {
	__u32 flags;
	__u32 attachment_id;
	char device[DMAPEEK_DEV_NAME_LEN];
	char driver[DMAPEEK_NAME_LEN];
};

/* struct dmapeek_dmabuf_attachments dmabuf_flags */
#define DMAPEEK_DMABUF_DYNAMIC	(1U << 0)  /* the exporter has pin/unpin */

/**
 * struct dmapeek_dmabuf_attachments - DMAPEEK_IOC_DMABUF_ATTACHMENTS
 * @size: sizeof(struct dmapeek_dmabuf_attachments)
 * @flags: must be 0
 * @fd: a dma-buf file descriptor of the caller, from any exporter
 * @entry_size: sizeof(struct dmapeek_dmabuf_attachment) as the caller
 *	knows it (ignored when @nr is 0): a larger entry's tail is zeroed, a
 *	smaller one than ABI 2.2's is -EINVAL
 * @nr: in: the entries @entries has room for; out: the entries written,
 *	at most @total and DMAPEEK_DMABUF_MAX_ATTACHMENTS
 * @total: out: how many attachments the buffer has
 * @entries: user pointer to @nr entries of @entry_size bytes
 * @length: out: the buffer's size
 * @ino: out: its inode number (as /proc/PID/fdinfo and bufinfo show it)
 * @buffer_id: out: dmapeek's id of the buffer when dmapeek exported it,
 *	else 0
 * @dmabuf_flags: out: DMAPEEK_DMABUF_*
 * @exp_name: out: the exporter's name, cut to DMAPEEK_NAME_LEN
 * @name: out: the name user space gave the buffer (DMA_BUF_SET_NAME), ""
 *	without one
 * @__reserved: must be 0
 *
 * Every attachment of any dma-buf, as the dma-buf core records it, and
 * dmapeek's own knowledge of the attachments it made or exported (ABI
 * 2.2).  Read under the buffer's reservation lock, interruptibly (-EINTR
 * when a signal ends the wait), without attaching anything and without
 * calling into the exporter or the importers.  A caller holding @fd may
 * read its buffer's attachments: the ioctl needs no capability, since
 * the descriptor proves the right to the buffer and the report carries
 * no address.  A buffer another process holds is read through a
 * descriptor taken with pidfd_getfd(), with the permission checks that
 * implies.  Every entry written is of one snapshot, and @total of the
 * same one: when @total > @nr, call again with more room (up to
 * DMAPEEK_DMABUF_MAX_ATTACHMENTS).  -EBADF when @fd is not open,
 * -EINVAL when it is not a dma-buf (as for IMPORT).
 */
struct dmapeek_dmabuf_attachments {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 entry_size;
	__u32 nr;
	__u32 total;
	__aligned_u64 entries;
	__aligned_u64 length;
	__aligned_u64 ino;
	__u32 buffer_id;
	__u32 dmabuf_flags;
	char exp_name[DMAPEEK_NAME_LEN];
	char name[DMAPEEK_NAME_LEN];
	__aligned_u64 __reserved;
};

#define DMAPEEK_IOC_DMABUF_ATTACHMENTS	_IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_DMABUF_ATTACHMENTS)

#endif /* _UAPI_LINUX_DMAPEEK_H */
