// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the public iterators and getters of each object
 * (libdmapeek.h), thin wrappers over the dumps and gets of fetch.c and
 * the decoded values of decode.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* ------------------------------------------------- iterators and getters */

#define DP_ITER(obj, KIND) \
DMAPEEK_EXPORT struct dmapeek_##obj *dmapeek_##obj##_next(struct dmapeek *ctx, \
		const struct dmapeek_##obj *prev) \
{ \
	return (struct dmapeek_##obj *)dp_iter_next(ctx, KIND, 0, 0, \
			prev ? &prev->o : NULL); \
}

#define DP_ITER_BY(obj, by, KIND, ATTR) \
DMAPEEK_EXPORT struct dmapeek_##obj *dmapeek_##obj##_next_by_##by( \
		struct dmapeek *ctx, uint32_t id, const struct dmapeek_##obj *prev) \
{ \
	return (struct dmapeek_##obj *)dp_iter_next(ctx, KIND, ATTR, id, \
			prev ? &prev->o : NULL); \
}

/*
 * The attachments of dmapeek's buffers sorted by buffer, then attachment
 * id (the buffer-order dump, ABI 1.1): a listing of buffers with their
 * attachments merges it with the buffer dump, two streams side by side,
 * instead of one filtered dump per buffer.
 */
DMAPEEK_EXPORT struct dmapeek_attachment *
dmapeek_attachment_next_in_buffer_order(struct dmapeek *ctx,
					const struct dmapeek_attachment *prev)
{
	struct dp_dump_req req = {
		.flag_attr = DMAPEEK_A_ATTACHMENT_BUFFER_ORDER,
		.order_attr = DMAPEEK_A_ATTACHMENT_BUFFER_ID,
	};

	return (struct dmapeek_attachment *)dp_iter_next_req(ctx, DP_ATTACHMENT,
			&req, prev ? &prev->o : NULL);
}

#define DP_GET(obj, KIND) \
DMAPEEK_EXPORT struct dmapeek_##obj *dmapeek_##obj##_get(struct dmapeek *ctx, \
							  uint32_t id) \
{ \
	return (struct dmapeek_##obj *)dp_get_by_id(ctx, KIND, id); \
}

#define DP_NUM(obj, field, type, ATTR) \
DMAPEEK_EXPORT type dmapeek_##obj##_##field(const struct dmapeek_##obj *x) \
{ \
	return (type)x->o.v[ATTR]; \
}

#define DP_NUMT(obj, stype, field, type, ATTR) \
DMAPEEK_EXPORT type dmapeek_##obj##_##field(const struct dmapeek_##stype *x) \
{ \
	return (type)x->o.v[ATTR]; \
}

#define DP_STR(obj, field, ATTR) \
DMAPEEK_EXPORT const char *dmapeek_##obj##_##field(const struct dmapeek_##obj *x) \
{ \
	return dp_obj_str(&x->o, ATTR); \
}

#define DP_OPT(obj, field, ATTR) \
DMAPEEK_EXPORT int dmapeek_##obj##_##field(const struct dmapeek_##obj *x, \
					   uint64_t *v) \
{ \
	if (!(x->o.present & (1U << ATTR))) \
		return dp_errno(ENODATA); \
	*v = x->o.v[ATTR]; \
	return 0; \
}

DP_ITER(provider, DP_PROVIDER)
DP_GET(provider, DP_PROVIDER)
DP_NUM(provider, id, uint32_t, DMAPEEK_A_PROVIDER_ID)
DP_NUM(provider, kind, uint32_t, DMAPEEK_A_PROVIDER_KIND)
DP_NUM(provider, device_id, uint32_t, DMAPEEK_A_PROVIDER_DEVICE_ID)
DP_STR(provider, bdf, DMAPEEK_A_PROVIDER_BDF)
DP_NUM(provider, bar, uint32_t, DMAPEEK_A_PROVIDER_BAR)
DP_NUM(provider, size, uint64_t, DMAPEEK_A_PROVIDER_SIZE)
DP_OPT(provider, phys_start, DMAPEEK_A_PROVIDER_PHYS_START)
DP_OPT(provider, bus_offset, DMAPEEK_A_PROVIDER_BUS_OFFSET)
DP_NUM(provider, bytes_exported, uint64_t, DMAPEEK_A_PROVIDER_BYTES_EXPORTED)
DP_NUM(provider, buffers, uint32_t, DMAPEEK_A_PROVIDER_BUFFERS)

DP_ITER(device, DP_DEVICE)
DP_GET(device, DP_DEVICE)
DP_NUM(device, id, uint32_t, DMAPEEK_A_DEVICE_ID)
DP_STR(device, bdf, DMAPEEK_A_DEVICE_BDF)
DP_NUM(device, vendor, uint32_t, DMAPEEK_A_DEVICE_VENDOR)
DP_NUM(device, device, uint32_t, DMAPEEK_A_DEVICE_DEVICE)
DP_NUM(device, class, uint32_t, DMAPEEK_A_DEVICE_CLASS)
DP_NUM(device, roles, uint32_t, DMAPEEK_A_DEVICE_ROLES)
DP_NUM(device, domain_type, uint32_t, DMAPEEK_A_DEVICE_DOMAIN_TYPE)
DP_NUM(device, dma_mask_bits, uint32_t, DMAPEEK_A_DEVICE_DMA_MASK_BITS)
DP_NUM(device, attachments, uint32_t, DMAPEEK_A_DEVICE_ATTACHMENTS)

DMAPEEK_EXPORT int32_t dmapeek_device_iommu_group(const struct dmapeek_device *d)
{
	if (!(d->o.present & (1U << DMAPEEK_A_DEVICE_IOMMU_GROUP)))
		return -1;
	return (int32_t)d->o.v[DMAPEEK_A_DEVICE_IOMMU_GROUP];
}

DP_ITER(buffer, DP_BUFFER)
DP_ITER_BY(buffer, provider, DP_BUFFER, DMAPEEK_A_BUFFER_PROVIDER_ID)
DP_GET(buffer, DP_BUFFER)
DP_NUM(buffer, id, uint32_t, DMAPEEK_A_BUFFER_ID)
DP_NUM(buffer, inode, uint64_t, DMAPEEK_A_BUFFER_INODE)
DP_STR(buffer, name, DMAPEEK_A_BUFFER_NAME)
DP_NUM(buffer, size, uint64_t, DMAPEEK_A_BUFFER_SIZE)
DP_NUM(buffer, model, uint32_t, DMAPEEK_A_BUFFER_MODEL)
DP_NUM(buffer, provider_id, uint32_t, DMAPEEK_A_BUFFER_PROVIDER_ID)
DP_NUM(buffer, state, uint32_t, DMAPEEK_A_BUFFER_STATE)
DP_NUM(buffer, attachments, uint32_t, DMAPEEK_A_BUFFER_ATTACHMENTS)
DP_NUM(buffer, pins, uint32_t, DMAPEEK_A_BUFFER_PINS)
DP_NUM(buffer, moves, uint32_t, DMAPEEK_A_BUFFER_MOVES)
DP_NUM(buffer, revokes, uint32_t, DMAPEEK_A_BUFFER_REVOKES)
DP_NUM(buffer, held, bool, DMAPEEK_A_BUFFER_HELD)
DP_NUM(buffer, created_ns, uint64_t, DMAPEEK_A_BUFFER_CREATED_NS)

static int dp_range(const struct dp_obj *o, unsigned int i,
		    struct dmapeek_addr_range *r)
{
	const struct dp_sub *s;

	if (i >= o->nr_subs)
		return dp_errno(ERANGE);
	s = &o->subs[i];
	r->offset = s->v[DMAPEEK_A_RANGE_OFFSET];
	r->len = s->v[DMAPEEK_A_RANGE_LEN];
	r->addr = s->v[DMAPEEK_A_RANGE_ADDR];
	r->kind = (uint32_t)s->v[DMAPEEK_A_RANGE_KIND];
	r->has_addr = s->present & (1U << DMAPEEK_A_RANGE_ADDR);
	return 0;
}

DMAPEEK_EXPORT unsigned int dmapeek_buffer_nr_ranges(const struct dmapeek_buffer *b)
{
	return b->o.nr_subs;
}

DMAPEEK_EXPORT int dmapeek_buffer_range(const struct dmapeek_buffer *b,
					unsigned int i, struct dmapeek_addr_range *r)
{
	return dp_range(&b->o, i, r);
}

DP_ITER(attachment, DP_ATTACHMENT)
DP_ITER_BY(attachment, buffer, DP_ATTACHMENT, DMAPEEK_A_ATTACHMENT_BUFFER_ID)
DP_GET(attachment, DP_ATTACHMENT)
DP_NUM(attachment, id, uint32_t, DMAPEEK_A_ATTACHMENT_ID)
DP_NUM(attachment, buffer_id, uint32_t, DMAPEEK_A_ATTACHMENT_BUFFER_ID)
DP_NUM(attachment, inode, uint64_t, DMAPEEK_A_ATTACHMENT_INODE)
DP_STR(attachment, exp_name, DMAPEEK_A_ATTACHMENT_EXP_NAME)
DP_NUM(attachment, size, uint64_t, DMAPEEK_A_ATTACHMENT_SIZE)
DP_STR(attachment, importer_dev, DMAPEEK_A_ATTACHMENT_IMPORTER_DEV)
DP_STR(attachment, importer_driver, DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER)
DP_NUM(attachment, device_id, uint32_t, DMAPEEK_A_ATTACHMENT_DEVICE_ID)
DP_NUM(attachment, flags, uint32_t, DMAPEEK_A_ATTACHMENT_FLAGS)
DP_NUM(attachment, map_type, uint32_t, DMAPEEK_A_ATTACHMENT_MAP_TYPE)
DP_NUM(attachment, behaviour, uint32_t, DMAPEEK_A_ATTACHMENT_BEHAVIOUR)
DP_NUM(attachment, unmap_delay_ms, uint32_t, DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS)
DP_NUM(attachment, mapped, bool, DMAPEEK_A_ATTACHMENT_MAPPED)
DP_NUM(attachment, maps, uint32_t, DMAPEEK_A_ATTACHMENT_MAPS)
DP_NUM(attachment, unmaps, uint32_t, DMAPEEK_A_ATTACHMENT_UNMAPS)
DP_NUM(attachment, invalidations, uint32_t, DMAPEEK_A_ATTACHMENT_INVALIDATIONS)
DP_NUM(attachment, last_map_ns, uint64_t, DMAPEEK_A_ATTACHMENT_LAST_MAP_NS)
DP_NUM(attachment, last_unmap_ns, uint64_t, DMAPEEK_A_ATTACHMENT_LAST_UNMAP_NS)
DP_NUM(attachment, last_invalidate_ns, uint64_t,
       DMAPEEK_A_ATTACHMENT_LAST_INVALIDATE_NS)
DP_NUM(attachment, last_unmap_latency_ns, uint64_t,
       DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS)
DP_NUM(attachment, max_unmap_latency_ns, uint64_t,
       DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS)
DP_NUM(attachment, stuck, bool, DMAPEEK_A_ATTACHMENT_STUCK)
DP_NUM(attachment, revoked_seen, uint32_t, DMAPEEK_A_ATTACHMENT_REVOKED_SEEN)
DP_NUM(attachment, own_map, uint32_t, DMAPEEK_A_ATTACHMENT_OWN_MAP)

DP_ITER(mapping, DP_MAPPING)
DP_ITER_BY(mapping, attachment, DP_MAPPING, DMAPEEK_A_MAPPING_ATTACHMENT_ID)
DP_GET(mapping, DP_MAPPING)
DP_NUM(mapping, id, uint32_t, DMAPEEK_A_MAPPING_ID)
DP_NUM(mapping, attachment_id, uint32_t, DMAPEEK_A_MAPPING_ATTACHMENT_ID)
DP_NUM(mapping, path, uint32_t, DMAPEEK_A_MAPPING_PATH)
DP_NUM(mapping, size, uint64_t, DMAPEEK_A_MAPPING_SIZE)
DP_NUM(mapping, map_ns, uint64_t, DMAPEEK_A_MAPPING_MAP_NS)

DMAPEEK_EXPORT unsigned int dmapeek_mapping_nr_ranges(const struct dmapeek_mapping *m)
{
	return m->o.nr_subs;
}

DMAPEEK_EXPORT int dmapeek_mapping_range(const struct dmapeek_mapping *m,
					 unsigned int i, struct dmapeek_addr_range *r)
{
	return dp_range(&m->o, i, r);
}

DP_ITER(p2p, DP_P2P)
DP_STR(p2p, provider_bdf, DMAPEEK_A_P2P_PROVIDER_BDF)
DP_STR(p2p, client_bdf, DMAPEEK_A_P2P_CLIENT_BDF)
DP_NUM(p2p, map_type, uint32_t, DMAPEEK_A_P2P_MAP_TYPE)
DP_NUM(p2p, distance, int32_t, DMAPEEK_A_P2P_DISTANCE)
DP_NUM(p2p, reason, uint32_t, DMAPEEK_A_P2P_REASON)

DMAPEEK_EXPORT struct dmapeek_p2p *dmapeek_p2p_get(struct dmapeek *ctx,
						   const char *provider_bdf,
						   const char *client_bdf)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, DMAPEEK_CMD_P2P_GET, 0);

	mnl_attr_put_strz(nlh, DMAPEEK_A_P2P_PROVIDER_BDF, provider_bdf);
	mnl_attr_put_strz(nlh, DMAPEEK_A_P2P_CLIENT_BDF, client_bdf);
	return (struct dmapeek_p2p *)dp_get(ctx, DP_P2P, nlh);
}

DP_NUMT(revoke, revoke_result, buffer_id, uint32_t, DMAPEEK_A_REVOKE_BUFFER_ID)
DP_NUMT(revoke, revoke_result, duration_ns, uint64_t, DMAPEEK_A_REVOKE_DURATION_NS)
DP_NUMT(revoke, revoke_result, attachments, uint32_t, DMAPEEK_A_REVOKE_ATTACHMENTS)
DP_NUMT(revoke, revoke_result, stuck, uint32_t, DMAPEEK_A_REVOKE_STUCK)

DP_NUMT(audit, audit_report, mapping_id, uint32_t, DMAPEEK_A_AUDIT_MAPPING_ID)
DP_NUMT(audit, audit_report, result, uint32_t, DMAPEEK_A_AUDIT_RESULT)
DP_NUMT(audit, audit_report, domain_type, uint32_t, DMAPEEK_A_AUDIT_DOMAIN_TYPE)
DP_NUMT(audit, audit_report, pages, uint64_t, DMAPEEK_A_AUDIT_PAGES)
DP_NUMT(audit, audit_report, mismatches, uint64_t, DMAPEEK_A_AUDIT_MISMATCHES)
DP_NUMT(audit, audit_report, holes, uint64_t, DMAPEEK_A_AUDIT_HOLES)

DP_NUM(event, type, uint32_t, DMAPEEK_A_EVENT_TYPE)
DP_NUM(event, timestamp_ns, uint64_t, DMAPEEK_A_EVENT_TIMESTAMP_NS)
DP_NUM(event, buffer_id, uint32_t, DMAPEEK_A_EVENT_BUFFER_ID)
DP_NUM(event, attachment_id, uint32_t, DMAPEEK_A_EVENT_ATTACHMENT_ID)
DP_NUM(event, mapping_id, uint32_t, DMAPEEK_A_EVENT_MAPPING_ID)
DP_NUM(event, provider_id, uint32_t, DMAPEEK_A_EVENT_PROVIDER_ID)
DP_NUM(event, duration_ns, uint64_t, DMAPEEK_A_EVENT_DURATION_NS)
DP_NUM(event, count, uint32_t, DMAPEEK_A_EVENT_COUNT)
DP_NUM(event, error, int32_t, DMAPEEK_A_EVENT_ERROR)
DP_NUM(event, seq, uint64_t, DMAPEEK_A_EVENT_SEQ)
DP_NUM(event, dropped, uint64_t, DMAPEEK_A_EVENT_DROPPED)
DP_NUM(event, map_type, uint32_t, DMAPEEK_A_EVENT_MAP_TYPE)
