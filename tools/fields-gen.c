// SPDX-License-Identifier: GPL-2.0-only
/*
 * Do not edit: generated from Documentation/netlink/specs/dmapeek.yaml
 * by tools/gen-fields.py; regenerate with "tests/guest-lab regen" or
 * "make regen" (tests/unit/test-gen.sh fails when this file is stale).
 *
 * The fields of each object of the command line (tools/fields.h): JSON
 * key, alias, attribute, kind, value names, text label.
 */
#include <dmapeek.h>

#include "fields.h"

const struct field provider_fields[] = {
	{ "id", NULL, DMAPEEK_A_PROVIDER_ID, F_NUM },
	{ "kind", NULL, DMAPEEK_A_PROVIDER_KIND, F_ENUM, .ename = dmapeek_provider_kind_str },
	{ "device_id", "device", DMAPEEK_A_PROVIDER_DEVICE_ID, F_NUM },
	{ "bdf", NULL, DMAPEEK_A_PROVIDER_BDF, F_STR },
	{ "bar", NULL, DMAPEEK_A_PROVIDER_BAR, F_NUM },
	{ "size", NULL, DMAPEEK_A_PROVIDER_SIZE, F_SIZE },
	{ "phys_start", NULL, DMAPEEK_A_PROVIDER_PHYS_START, F_NUM },
	{ "bus_offset", NULL, DMAPEEK_A_PROVIDER_BUS_OFFSET, F_NUM },
	{ "bytes_exported", "exported", DMAPEEK_A_PROVIDER_BYTES_EXPORTED, F_SIZE },
	{ "buffers", NULL, DMAPEEK_A_PROVIDER_BUFFERS, F_NUM },
	{ NULL },
};

const struct field device_fields[] = {
	{ "id", NULL, DMAPEEK_A_DEVICE_ID, F_NUM },
	{ "bdf", NULL, DMAPEEK_A_DEVICE_BDF, F_STR },
	{ "vendor", NULL, DMAPEEK_A_DEVICE_VENDOR, F_NUM },
	{ "device", NULL, DMAPEEK_A_DEVICE_DEVICE, F_NUM },
	{ "class", NULL, DMAPEEK_A_DEVICE_CLASS, F_NUM },
	{ "roles", NULL, DMAPEEK_A_DEVICE_ROLES, F_FLAGS, .fname = dmapeek_device_role_str },
	{ "iommu_group", NULL, DMAPEEK_A_DEVICE_IOMMU_GROUP, F_S32 },
	{ "domain_type", "domain", DMAPEEK_A_DEVICE_DOMAIN_TYPE, F_ENUM, .ename = dmapeek_domain_type_str },
	{ "dma_mask_bits", "dma_mask", DMAPEEK_A_DEVICE_DMA_MASK_BITS, F_NUM },
	{ "attachments", NULL, DMAPEEK_A_DEVICE_ATTACHMENTS, F_NUM },
	{ NULL },
};

const struct field buffer_fields[] = {
	{ "id", NULL, DMAPEEK_A_BUFFER_ID, F_NUM },
	{ "inode", NULL, DMAPEEK_A_BUFFER_INODE, F_NUM },
	{ "name", NULL, DMAPEEK_A_BUFFER_NAME, F_STR },
	{ "size", NULL, DMAPEEK_A_BUFFER_SIZE, F_SIZE },
	{ "model", NULL, DMAPEEK_A_BUFFER_MODEL, F_ENUM, .ename = dmapeek_model_str },
	{ "provider_id", "provider", DMAPEEK_A_BUFFER_PROVIDER_ID, F_NUM },
	{ "state", NULL, DMAPEEK_A_BUFFER_STATE, F_ENUM, .ename = dmapeek_buffer_state_str },
	{ "attachments", NULL, DMAPEEK_A_BUFFER_ATTACHMENTS, F_NUM },
	{ "pins", NULL, DMAPEEK_A_BUFFER_PINS, F_NUM },
	{ "moves", NULL, DMAPEEK_A_BUFFER_MOVES, F_NUM },
	{ "revokes", NULL, DMAPEEK_A_BUFFER_REVOKES, F_NUM },
	{ "created_ns", NULL, DMAPEEK_A_BUFFER_CREATED_NS, F_NS, .label = "CREATED" },
	{ "held", NULL, DMAPEEK_A_BUFFER_HELD, F_BOOL },
	{ NULL },
};

const struct field attachment_fields[] = {
	{ "id", NULL, DMAPEEK_A_ATTACHMENT_ID, F_NUM },
	{ "buffer_id", "buffer", DMAPEEK_A_ATTACHMENT_BUFFER_ID, F_NUM },
	{ "inode", NULL, DMAPEEK_A_ATTACHMENT_INODE, F_NUM },
	{ "exp_name", "exporter", DMAPEEK_A_ATTACHMENT_EXP_NAME, F_STR },
	{ "size", NULL, DMAPEEK_A_ATTACHMENT_SIZE, F_SIZE },
	{ "importer_dev", "importer", DMAPEEK_A_ATTACHMENT_IMPORTER_DEV, F_STR },
	{ "importer_driver", "driver", DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER, F_STR },
	{ "device_id", "device", DMAPEEK_A_ATTACHMENT_DEVICE_ID, F_NUM },
	{ "flags", NULL, DMAPEEK_A_ATTACHMENT_FLAGS, F_FLAGS, .fname = dmapeek_attach_flag_str },
	{ "map_type", NULL, DMAPEEK_A_ATTACHMENT_MAP_TYPE, F_ENUM, .ename = dmapeek_map_type_str },
	{ "behaviour", NULL, DMAPEEK_A_ATTACHMENT_BEHAVIOUR, F_ENUM, .ename = dmapeek_behaviour_str },
	{ "unmap_delay_ms", "delay", DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS, F_NUM },
	{ "mapped", NULL, DMAPEEK_A_ATTACHMENT_MAPPED, F_BOOL },
	{ "maps", NULL, DMAPEEK_A_ATTACHMENT_MAPS, F_NUM },
	{ "unmaps", NULL, DMAPEEK_A_ATTACHMENT_UNMAPS, F_NUM },
	{ "invalidations", NULL, DMAPEEK_A_ATTACHMENT_INVALIDATIONS, F_NUM },
	{ "last_map_ns", NULL, DMAPEEK_A_ATTACHMENT_LAST_MAP_NS, F_NS },
	{ "last_unmap_ns", NULL, DMAPEEK_A_ATTACHMENT_LAST_UNMAP_NS, F_NS },
	{ "last_invalidate_ns", NULL, DMAPEEK_A_ATTACHMENT_LAST_INVALIDATE_NS, F_NS },
	{ "last_unmap_latency_ns", "last_unmap", DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS, F_NS },
	{ "max_unmap_latency_ns", "max_unmap", DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS, F_NS },
	{ "stuck", NULL, DMAPEEK_A_ATTACHMENT_STUCK, F_BOOL },
	{ "revoked_seen", NULL, DMAPEEK_A_ATTACHMENT_REVOKED_SEEN, F_NUM },
	{ "own_map", NULL, DMAPEEK_A_ATTACHMENT_OWN_MAP, F_ENUM, .ename = dmapeek_own_map_state_str },
	{ NULL },
};

const struct field mapping_fields[] = {
	{ "id", NULL, DMAPEEK_A_MAPPING_ID, F_NUM },
	{ "attachment_id", "attachment", DMAPEEK_A_MAPPING_ATTACHMENT_ID, F_NUM },
	{ "path", NULL, DMAPEEK_A_MAPPING_PATH, F_ENUM, .ename = dmapeek_mapping_path_str },
	{ "size", NULL, DMAPEEK_A_MAPPING_SIZE, F_SIZE },
	{ "map_ns", "took", DMAPEEK_A_MAPPING_MAP_NS, F_NS },
	{ NULL },
};

const struct field p2p_fields[] = {
	{ "provider_bdf", "provider", DMAPEEK_A_P2P_PROVIDER_BDF, F_STR },
	{ "client_bdf", "client", DMAPEEK_A_P2P_CLIENT_BDF, F_STR },
	{ "map_type", NULL, DMAPEEK_A_P2P_MAP_TYPE, F_ENUM, .ename = dmapeek_map_type_str },
	{ "distance", NULL, DMAPEEK_A_P2P_DISTANCE, F_S32 },
	{ "reason", NULL, DMAPEEK_A_P2P_REASON, F_ENUM, .ename = dmapeek_p2p_reason_str },
	{ NULL },
};

const struct field revoke_fields[] = {
	{ "buffer", NULL, DMAPEEK_A_REVOKE_BUFFER_ID, F_NUM },
	{ "duration_ns", "took", DMAPEEK_A_REVOKE_DURATION_NS, F_NS },
	{ "attachments", NULL, DMAPEEK_A_REVOKE_ATTACHMENTS, F_NUM },
	{ "stuck", NULL, DMAPEEK_A_REVOKE_STUCK, F_NUM },
	{ "op", NULL, DMAPEEK_A_REVOKE_OP, F_NUM },
	{ NULL },
};

const struct field event_fields[] = {
	{ "type", NULL, DMAPEEK_A_EVENT_TYPE, F_ENUM, .ename = dmapeek_event_type_str },
	{ "timestamp_ns", NULL, DMAPEEK_A_EVENT_TIMESTAMP_NS, F_NS },
	{ "buffer", NULL, DMAPEEK_A_EVENT_BUFFER_ID, F_NUM },
	{ "attachment", NULL, DMAPEEK_A_EVENT_ATTACHMENT_ID, F_NUM },
	{ "mapping", NULL, DMAPEEK_A_EVENT_MAPPING_ID, F_NUM },
	{ "provider", NULL, DMAPEEK_A_EVENT_PROVIDER_ID, F_NUM },
	{ "duration_ns", NULL, DMAPEEK_A_EVENT_DURATION_NS, F_NS },
	{ "count", NULL, DMAPEEK_A_EVENT_COUNT, F_NUM },
	{ "error", NULL, DMAPEEK_A_EVENT_ERROR, F_S32 },
	{ "seq", NULL, DMAPEEK_A_EVENT_SEQ, F_NUM },
	{ "dropped", NULL, DMAPEEK_A_EVENT_DROPPED, F_NUM },
	{ "map_type", NULL, DMAPEEK_A_EVENT_MAP_TYPE, F_ENUM, .ename = dmapeek_map_type_str },
	{ "op", NULL, DMAPEEK_A_EVENT_OP, F_NUM },
	{ NULL },
};
