// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the names the spec gives enum values and flag bits.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const model_names[] = {
	[DMAPEEK_MODEL_PINNED] = "pinned",
	[DMAPEEK_MODEL_MOVABLE] = "movable",
	[DMAPEEK_MODEL_REVOCABLE] = "revocable",
};
static const char *const map_type_names[] = {
	[DMAPEEK_MAP_TYPE_UNKNOWN] = "unknown",
	[DMAPEEK_MAP_TYPE_NONE] = "none",
	[DMAPEEK_MAP_TYPE_NOT_SUPPORTED] = "not-supported",
	[DMAPEEK_MAP_TYPE_BUS_ADDR] = "bus-addr",
	[DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE] = "thru-host-bridge",
};
static const char *const p2p_reason_names[] = {
	[DMAPEEK_P2P_REASON_UNKNOWN] = "unknown",
	[DMAPEEK_P2P_REASON_SYSTEM_MEMORY] = "system-memory",
	[DMAPEEK_P2P_REASON_SAME_DEVICE] = "same-device",
	[DMAPEEK_P2P_REASON_COMMON_SWITCH] = "common-switch",
	[DMAPEEK_P2P_REASON_ACS_REDIRECT] = "acs-redirect",
	[DMAPEEK_P2P_REASON_HOST_BRIDGE_ALLOWLIST] = "host-bridge-allowlist",
	[DMAPEEK_P2P_REASON_AMD_CPU] = "amd-cpu",
	[DMAPEEK_P2P_REASON_NOT_ALLOWLISTED] = "not-allowlisted",
	[DMAPEEK_P2P_REASON_NOT_PCI] = "not-pci",
	[DMAPEEK_P2P_REASON_NO_PROVIDER] = "no-provider",
};
static const char *const addr_kind_names[] = {
	[DMAPEEK_ADDR_KIND_IOVA] = "iova",
	[DMAPEEK_ADDR_KIND_BUS] = "bus",
	[DMAPEEK_ADDR_KIND_PHYS] = "phys",
};
static const char *const provider_kind_names[] = {
	[DMAPEEK_PROVIDER_KIND_SYSTEM] = "system",
	[DMAPEEK_PROVIDER_KIND_PCI_BAR] = "pci-bar",
};
static const char *const buffer_state_names[] = {
	[DMAPEEK_BUFFER_STATE_LIVE] = "live",
	[DMAPEEK_BUFFER_STATE_MOVING] = "moving",
	[DMAPEEK_BUFFER_STATE_REVOKED] = "revoked",
};
static const char *const domain_type_names[] = {
	[DMAPEEK_DOMAIN_TYPE_NONE] = "none",
	[DMAPEEK_DOMAIN_TYPE_BLOCKED] = "blocked",
	[DMAPEEK_DOMAIN_TYPE_IDENTITY] = "identity",
	[DMAPEEK_DOMAIN_TYPE_DMA] = "dma",
	[DMAPEEK_DOMAIN_TYPE_DMA_FQ] = "dma-fq",
	[DMAPEEK_DOMAIN_TYPE_UNMANAGED] = "unmanaged",
	[DMAPEEK_DOMAIN_TYPE_OTHER] = "other",
};
static const char *const mapping_path_names[] = {
	[DMAPEEK_MAPPING_PATH_PHYS_VEC_HELPER] = "phys-vec-helper",
	[DMAPEEK_MAPPING_PATH_IOVA_LINK] = "iova-link",
	[DMAPEEK_MAPPING_PATH_MAP_PHYS] = "map-phys",
	[DMAPEEK_MAPPING_PATH_BUS_ADDR] = "bus-addr",
	[DMAPEEK_MAPPING_PATH_SGTABLE] = "sgtable",
	[DMAPEEK_MAPPING_PATH_IMPORTER_SGT] = "importer-sgt",
};
static const char *const behaviour_names[] = {
	[DMAPEEK_BEHAVIOUR_NORMAL] = "normal",
	[DMAPEEK_BEHAVIOUR_NEVER_UNMAP] = "never-unmap",
	[DMAPEEK_BEHAVIOUR_DELAYED_UNMAP] = "delayed-unmap",
};
static const char *const event_type_names[] = {
	[DMAPEEK_EVENT_TYPE_BUFFER_CREATE] = "buffer-create",
	[DMAPEEK_EVENT_TYPE_BUFFER_RELEASE] = "buffer-release",
	[DMAPEEK_EVENT_TYPE_ATTACH] = "attach",
	[DMAPEEK_EVENT_TYPE_DETACH] = "detach",
	[DMAPEEK_EVENT_TYPE_MAP] = "map",
	[DMAPEEK_EVENT_TYPE_UNMAP] = "unmap",
	[DMAPEEK_EVENT_TYPE_PIN] = "pin",
	[DMAPEEK_EVENT_TYPE_UNPIN] = "unpin",
	[DMAPEEK_EVENT_TYPE_INVALIDATE] = "invalidate",
	[DMAPEEK_EVENT_TYPE_MOVE_BEGIN] = "move-begin",
	[DMAPEEK_EVENT_TYPE_MOVE_DONE] = "move-done",
	[DMAPEEK_EVENT_TYPE_REVOKE_BEGIN] = "revoke-begin",
	[DMAPEEK_EVENT_TYPE_REVOKE_DONE] = "revoke-done",
	[DMAPEEK_EVENT_TYPE_RESTORE] = "restore",
	[DMAPEEK_EVENT_TYPE_STUCK] = "stuck",
};
/* The dma_buf tracepoints, as dmapeek calls them (their own names: trace.c). */
static const char *const trace_type_names[] = {
	[DMAPEEK_TRACE_EXPORT] = "export",
	[DMAPEEK_TRACE_FD] = "fd",
	[DMAPEEK_TRACE_GET] = "get",
	[DMAPEEK_TRACE_PUT] = "put",
	[DMAPEEK_TRACE_MMAP] = "mmap",
	[DMAPEEK_TRACE_MMAP_INTERNAL] = "mmap-internal",
	[DMAPEEK_TRACE_ATTACH] = "attach",
	[DMAPEEK_TRACE_DETACH] = "detach",
};
static const char *const audit_result_names[] = {
	[DMAPEEK_AUDIT_RESULT_OK] = "ok",
	[DMAPEEK_AUDIT_RESULT_MISMATCH] = "mismatch",
	[DMAPEEK_AUDIT_RESULT_DIRECT] = "direct",
	[DMAPEEK_AUDIT_RESULT_NOT_CHECKABLE] = "not-checkable",
};
static const char *const own_map_state_names[] = {
	[DMAPEEK_OWN_MAP_STATE_NONE] = "none",
	[DMAPEEK_OWN_MAP_STATE_MAPPED] = "mapped",
	[DMAPEEK_OWN_MAP_STATE_FOREIGN_EXPORTER] = "foreign-exporter",
	[DMAPEEK_OWN_MAP_STATE_BUS_ADDR] = "bus-addr",
	[DMAPEEK_OWN_MAP_STATE_NOT_SUPPORTED] = "not-supported",
};
static const char *const attach_flag_names[] = {
	"dynamic", "peer2peer", "revocable", "pinned", "exported", "imported",
	"held", "pin-on-map", "p2p-refused",
};
static const char *const device_role_names[] = { "provider", "client" };

static const char *dp_name(const char *const *t, size_t n, uint32_t v)
{
	return v < n ? t[v] : NULL;
}

static int dp_parse(const char *const *t, size_t n, const char *s, uint32_t *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i] && !strcmp(t[i], s)) {
			*v = (uint32_t)i;
			return 0;
		}
	return dp_errno(EINVAL);
}

#define DP_NAMES(fn, table) \
DMAPEEK_EXPORT const char *dmapeek_##fn##_str(uint32_t v) \
{ \
	return dp_name(table, N(table), v); \
}

DP_NAMES(model, model_names)
DP_NAMES(map_type, map_type_names)
DP_NAMES(p2p_reason, p2p_reason_names)
DP_NAMES(addr_kind, addr_kind_names)
DP_NAMES(provider_kind, provider_kind_names)
DP_NAMES(buffer_state, buffer_state_names)
DP_NAMES(domain_type, domain_type_names)
DP_NAMES(mapping_path, mapping_path_names)
DP_NAMES(behaviour, behaviour_names)
DP_NAMES(event_type, event_type_names)
DP_NAMES(audit_result, audit_result_names)
DP_NAMES(own_map_state, own_map_state_names)
DP_NAMES(trace_type, trace_type_names)

/* Short forms for matrices and narrow columns: BUS, HB, NS, X. */
static const char *const map_type_abbrevs[] = {
	[DMAPEEK_MAP_TYPE_UNKNOWN] = "?",
	[DMAPEEK_MAP_TYPE_NONE] = "X",
	[DMAPEEK_MAP_TYPE_NOT_SUPPORTED] = "NS",
	[DMAPEEK_MAP_TYPE_BUS_ADDR] = "BUS",
	[DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE] = "HB",
};

DMAPEEK_EXPORT const char *dmapeek_map_type_abbrev(uint32_t v)
{
	const char *s = dp_name(map_type_abbrevs, N(map_type_abbrevs), v);

	return s ? s : "?";
}

DMAPEEK_EXPORT const char *dmapeek_attach_flag_str(unsigned int bit)
{
	return dp_name(attach_flag_names, N(attach_flag_names), bit);
}

DMAPEEK_EXPORT const char *dmapeek_device_role_str(unsigned int bit)
{
	return dp_name(device_role_names, N(device_role_names), bit);
}

DMAPEEK_EXPORT int dmapeek_model_parse(const char *s, uint32_t *v)
{
	return dp_parse(model_names, N(model_names), s, v);
}

DMAPEEK_EXPORT int dmapeek_behaviour_parse(const char *s, uint32_t *v)
{
	return dp_parse(behaviour_names, N(behaviour_names), s, v);
}
