// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: decoding the family's messages into objects.
 *
 * One table (dp_kinds) says, per attribute set, the wire type of each
 * attribute as the spec gives it; one decoder fills a struct dp_obj from
 * any message.  Unknown attributes (a newer module) are skipped, "uint"
 * attributes are read whether 4 or 8 bytes long, and an attribute of the
 * wrong size is skipped with a warning rather than trusted.
 *
 * A buffer or mapping with more ranges than fit one message comes as
 * several: the first carries nr-ranges (the total), each continuation the
 * same id and range-first (the index of its first range).  dp_obj_merge()
 * adds a continuation to the object; one that does not go on exactly
 * where the object stands is -EBADMSG.  How the messages are fetched is
 * fetch.c's; the public getters are in getters.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"

/*
 * provider_types[] ... event_types[]: the wire type of each attribute, by
 * attribute number, generated from the spec (see the file's banner).
 */
#include "attr-types.h"

#define KIND(n, c, t, id) { \
	.name = n, .cmd = c, .max = sizeof(t) - 1, .types = t, .id_attr = id }
#define KIND_NEST(n, c, t, id, nest, st) { \
	.name = n, .cmd = c, .max = sizeof(t) - 1, .types = t, .id_attr = id, \
	.nest_attr = nest, .sub_max = sizeof(st) - 1, .sub_types = st }
#define KIND_SPLIT(n, c, t, id, nest, st, nr, first) { \
	.name = n, .cmd = c, .max = sizeof(t) - 1, .types = t, .id_attr = id, \
	.nest_attr = nest, .sub_max = sizeof(st) - 1, .sub_types = st, \
	.nr_attr = nr, .first_attr = first }

_Static_assert(DMAPEEK_A_ATTACHMENT_MAX < DP_MAX_ATTR, "attribute mask");
_Static_assert(DMAPEEK_A_BUFFER_MAX < DP_MAX_ATTR, "attribute mask");
_Static_assert(DMAPEEK_A_RANGE_MAX <= DP_SUB_MAX, "range record");

const struct dp_kind_info dp_kinds[DP_KIND_MAX] = {
	[DP_PROVIDER] = KIND("provider", DMAPEEK_CMD_PROVIDER_GET, provider_types,
			     DMAPEEK_A_PROVIDER_ID),
	[DP_DEVICE] = KIND("device", DMAPEEK_CMD_DEVICE_GET, device_types,
			   DMAPEEK_A_DEVICE_ID),
	[DP_BUFFER] = KIND_SPLIT("buffer", DMAPEEK_CMD_BUFFER_GET, buffer_types,
				 DMAPEEK_A_BUFFER_ID, DMAPEEK_A_BUFFER_RANGE,
				 range_types, DMAPEEK_A_BUFFER_NR_RANGES,
				 DMAPEEK_A_BUFFER_RANGE_FIRST),
	[DP_ATTACHMENT] = KIND("attachment", DMAPEEK_CMD_ATTACHMENT_GET,
			       attachment_types, DMAPEEK_A_ATTACHMENT_ID),
	[DP_MAPPING] = KIND_SPLIT("mapping", DMAPEEK_CMD_MAPPING_GET, mapping_types,
				  DMAPEEK_A_MAPPING_ID, DMAPEEK_A_MAPPING_RANGE,
				  range_types, DMAPEEK_A_MAPPING_NR_RANGES,
				  DMAPEEK_A_MAPPING_RANGE_FIRST),
	[DP_P2P] = KIND("p2p", DMAPEEK_CMD_P2P_GET, p2p_types, 0),
	[DP_REVOKE] = KIND_NEST("revoke", DMAPEEK_CMD_BUFFER_REVOKE, revoke_types,
				DMAPEEK_A_REVOKE_BUFFER_ID,
				DMAPEEK_A_REVOKE_ATTACHMENT, revoke_att_types),
	[DP_AUDIT] = KIND_NEST("audit", DMAPEEK_CMD_MAPPING_AUDIT, audit_types,
			       DMAPEEK_A_AUDIT_MAPPING_ID, DMAPEEK_A_AUDIT_MISMATCH,
			       audit_mismatch_types),
	[DP_EVENT] = KIND("event", DMAPEEK_CMD_EVENT_NTF, event_types, 0),
	/* filled from tracepoint records (trace-decode.c), never from netlink */
	[DP_TRACE] = { .name = "trace event" },
};

_Static_assert(__DMAPEEK_TRACE_A_MAX <= DP_MAX_ATTR, "attribute mask");

/* ------------------------------------------------------------ decoding */

void dp_obj_init(struct dp_obj *o, enum dp_kind kind)
{
	memset(o, 0, sizeof(*o));
	o->magic = DP_OBJ_MAGIC;
	o->kind = kind;
}

void dp_obj_release(struct dp_obj *o)
{
	free(o->subs);
	o->subs = NULL;
	o->nr_subs = o->cap_subs = 0;
}

struct dp_obj *dp_obj_new(enum dp_kind kind)
{
	struct dp_obj *o = malloc(sizeof(*o));

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	dp_obj_init(o, kind);
	return o;
}

/*
 * The attributes from @start to @end, each checked as mnl_attr_ok() does
 * (a whole header, a length that covers it and stays within @end; a
 * message ends at its nlmsg_len, not libmnl's aligned length), walked
 * here rather than through libmnl's calls: a listing decodes some twenty
 * attributes per object, and the five calls per attribute were most of
 * the decoder's time (tests/bench/bench-scale's profile mode).
 */
#define dp_for_each_attr(a, start, end)					\
	for ((a) = (const struct nlattr *)(start);				\
	     dp_attr_ok((a), (const char *)(end));				\
	     (a) = (const struct nlattr *)((const char *)(a) + NLA_ALIGN((a)->nla_len)))

/* The attributes of message @nlh from @offset on (its family header). */
#define dp_for_each_msg_attr(a, nlh, offset)					\
	dp_for_each_attr(a, (const char *)(nlh) + NLMSG_HDRLEN + NLMSG_ALIGN(offset), \
			 (const char *)(nlh) + (nlh)->nlmsg_len)

static inline bool dp_attr_ok(const struct nlattr *a, const char *end)
{
	const char *p = (const char *)a;

	return end - p >= (ptrdiff_t)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= end - p;
}

static inline uint16_t dp_attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline uint16_t dp_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline const void *dp_attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

/* A numeric attribute's value, if its length fits its type. */
static inline int dp_attr_num(const struct nlattr *a, uint8_t type, uint64_t *v)
{
	uint16_t len = dp_attr_len(a);
	const void *p = dp_attr_data(a);

	switch (type) {
	case DP_T_FLAG:
		*v = 1;
		return 0;
	case DP_T_U8:
		if (len < 1)
			return -EBADMSG;
		*v = *(const uint8_t *)p;
		return 0;
	case DP_T_U32:
		if (len != 4)
			return -EBADMSG;
		*v = *(const uint32_t *)p;
		return 0;
	case DP_T_S32:
		if (len != 4)
			return -EBADMSG;
		*v = (uint64_t)(int64_t)*(const int32_t *)p;
		return 0;
	case DP_T_UINT:
		if (len == 4) {
			*v = *(const uint32_t *)p;
			return 0;
		}
		if (len == 8) {
			uint64_t x;

			memcpy(&x, p, 8);	/* netlink aligns to 4 only */
			*v = x;
			return 0;
		}
		return -EBADMSG;
	}
	return -EBADMSG;
}

static int dp_obj_add_sub(struct dmapeek *ctx, struct dp_obj *o,
			  const struct nlattr *nest)
{
	const struct dp_kind_info *ki = &dp_kinds[o->kind];
	const struct nlattr *a;
	struct dp_sub *s;

	if (o->nr_subs == o->cap_subs) {
		unsigned int cap = o->cap_subs ? 2 * o->cap_subs : 8;
		struct dp_sub *n = realloc(o->subs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		o->subs = n;
		o->cap_subs = cap;
	}
	s = &o->subs[o->nr_subs];
	memset(s, 0, sizeof(*s));
	dp_for_each_attr(a, dp_attr_data(nest), (const char *)nest + nest->nla_len) {
		uint16_t t = dp_attr_type(a);
		uint64_t v;

		if (t == 0 || t > ki->sub_max || !ki->sub_types[t])
			continue;	/* newer module */
		if (dp_attr_num(a, ki->sub_types[t], &v)) {
			if (ctx)
				dmapeek_log(ctx, DMAPEEK_LOG_WARNING,
					    "%s: nested attribute %u has length %u, skipped",
					    ki->name, t, dp_attr_len(a));
			continue;
		}
		s->v[t] = v;
		s->present |= 1U << t;
	}
	o->nr_subs++;
	return 0;
}

/* One more nested record of @o's kind, from @nest (a message of another kind). */
int dp_obj_add_record(struct dmapeek *ctx, struct dp_obj *o, const struct nlattr *nest)
{
	int err = dp_obj_add_sub(ctx, o, nest);

	if (err)
		return dp_errno(err);
	o->present |= 1U << dp_kinds[o->kind].nest_attr;
	return 0;
}

void dp_obj_set_str(struct dp_obj *o, unsigned int attr, const char *p, size_t max)
{
	size_t len = strnlen(p, max);
	size_t room = sizeof(o->strs) - o->str_len;

	if (attr >= DP_MAX_ATTR || room < 2)
		return;
	if (len > room - 1)
		len = room - 1;		/* truncated, still terminated */
	memcpy(o->strs + o->str_len, p, len);
	o->strs[o->str_len + len] = '\0';
	o->str_off[attr] = (uint16_t)(o->str_len + 1);
	o->str_len += len + 1;
	o->present |= 1U << attr;
}

void dp_obj_set_u64(struct dp_obj *o, unsigned int attr, uint64_t v)
{
	if (attr >= DP_MAX_ATTR)
		return;
	o->v[attr] = v;
	o->present |= 1U << attr;
}

void dp_obj_clear(struct dp_obj *o)
{
	o->present = 0;
	o->str_len = 0;
	o->nr_subs = 0;
	memset(o->v, 0, sizeof(o->v));
	memset(o->str_off, 0, sizeof(o->str_off));
}

/*
 * Decode the attributes of @nlh from @offset into @o, replacing its
 * content; with @append, @nlh continues @o and only its nested records
 * are added (the object's other values are those of its first message).
 */
static int dp_obj_decode(struct dmapeek *ctx, struct dp_obj *o,
			 const struct nlmsghdr *nlh, unsigned int offset,
			 bool append)
{
	const struct dp_kind_info *ki = &dp_kinds[o->kind];
	const uint8_t *types = ki->types;
	unsigned int max = ki->max;
	const struct nlattr *a;
	int err;

	if (!append)
		dp_obj_clear(o);
	dp_for_each_msg_attr(a, nlh, offset) {
		uint16_t t = dp_attr_type(a);
		uint8_t type = t <= max ? types[t] : DP_T_NONE;
		uint64_t v;

		if (type == DP_T_NONE)
			continue;	/* newer module: skip what we do not know */
		if (append && type != DP_T_NEST)
			continue;
		/* the most common kind first: a u32 of the right size */
		if (type == DP_T_U32 && dp_attr_len(a) == sizeof(uint32_t)) {
			o->v[t] = *(const uint32_t *)dp_attr_data(a);
		} else if (type == DP_T_STR) {
			dp_obj_set_str(o, t, dp_attr_data(a), dp_attr_len(a));
		} else if (type == DP_T_NEST) {
			if (t != ki->nest_attr)
				continue;
			err = dp_obj_add_sub(ctx, o, a);
			if (err)
				return dp_errno(err);
		} else if (!dp_attr_num(a, type, &v)) {
			o->v[t] = v;
		} else {
			if (ctx)
				dmapeek_log(ctx, DMAPEEK_LOG_WARNING,
					    "%s: attribute %u has length %u, skipped",
					    ki->name, t, dp_attr_len(a));
			continue;
		}
		o->present |= 1U << t;
	}
	return 0;
}

int dp_obj_parse_attrs(struct dmapeek *ctx, struct dp_obj *o,
		       const struct nlmsghdr *nlh, unsigned int offset)
{
	return dp_obj_decode(ctx, o, nlh, offset, false);
}

static bool dp_obj_has(const struct dp_obj *o, unsigned int attr)
{
	return attr && (o->present & (1U << attr));
}

/* More records than the object says it has: no merge can mend that. */
static bool dp_obj_overfull(const struct dp_obj *o)
{
	const struct dp_kind_info *ki = &dp_kinds[o->kind];

	return dp_obj_has(o, ki->nr_attr) && o->nr_subs > o->v[ki->nr_attr];
}

int dp_obj_parse(struct dmapeek *ctx, struct dp_obj *o, const struct nlmsghdr *nlh)
{
	const struct dp_kind_info *ki = &dp_kinds[o->kind];
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return dp_errno(EBADMSG);
	err = dp_obj_parse_attrs(ctx, o, nlh, sizeof(struct genlmsghdr));
	if (err)
		return err;
	/* A continuation is never the start of an object. */
	if ((dp_obj_has(o, ki->first_attr) && o->v[ki->first_attr]) ||
	    dp_obj_overfull(o))
		return dp_errno(EBADMSG);
	return 0;
}

/* Still waiting for continuation messages with more nested records? */
bool dp_obj_incomplete(const struct dp_obj *o)
{
	const struct dp_kind_info *ki = &dp_kinds[o->kind];

	return dp_obj_has(o, ki->nr_attr) && o->nr_subs < o->v[ki->nr_attr];
}

/* The u32 attribute @attr of a message, if there and well formed. */
static bool dp_msg_u32(const struct nlmsghdr *nlh, unsigned int attr,
		       uint32_t *v)
{
	const struct nlattr *a;

	dp_for_each_msg_attr(a, nlh, sizeof(struct genlmsghdr)) {
		if (dp_attr_type(a) == attr && dp_attr_len(a) == sizeof(uint32_t)) {
			*v = *(const uint32_t *)dp_attr_data(a);
			return true;
		}
	}
	return false;
}

/*
 * Add the continuation @nlh to @o.  It must be the same object (id) and go
 * on exactly where @o stands (range-first == records so far), and it may
 * not bring more records than the object has: anything else is -EBADMSG,
 * since merging it would hand out a wrong object.
 */
int dp_obj_merge(struct dmapeek *ctx, struct dp_obj *o, const struct nlmsghdr *nlh)
{
	const struct dp_kind_info *ki = &dp_kinds[o->kind];
	uint32_t id, first;
	int err;

	if (!ki->first_attr || !dp_obj_incomplete(o) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr) ||
	    !dp_msg_u32(nlh, ki->id_attr, &id) || id != o->v[ki->id_attr] ||
	    !dp_msg_u32(nlh, ki->first_attr, &first) || first != o->nr_subs)
		return dp_errno(EBADMSG);
	err = dp_obj_decode(ctx, o, nlh, sizeof(struct genlmsghdr), true);
	if (err)
		return err;
	if (dp_obj_overfull(o))
		return dp_errno(EBADMSG);
	return 0;
}

const char *dp_obj_str(const struct dp_obj *o, unsigned int attr)
{
	if (attr >= DP_MAX_ATTR || !o->str_off[attr])
		return NULL;
	return o->strs + o->str_off[attr] - 1;
}

DMAPEEK_EXPORT bool dmapeek_object_has(const void *obj, unsigned int attr)
{
	const struct dp_obj *o = obj;

	return attr < DP_MAX_ATTR && (o->present & (1U << attr));
}

DMAPEEK_EXPORT uint64_t dmapeek_object_u64(const void *obj, unsigned int attr)
{
	const struct dp_obj *o = obj;

	return attr < DP_MAX_ATTR ? o->v[attr] : 0;
}

DMAPEEK_EXPORT const char *dmapeek_object_str(const void *obj, unsigned int attr)
{
	return dp_obj_str(obj, attr);
}

DMAPEEK_EXPORT void dmapeek_object_free(const void *obj)
{
	struct dp_obj *o = (struct dp_obj *)obj;
	int saved = errno;

	if (!o || o->magic != DP_OBJ_MAGIC || o->cur)
		return;		/* iterators own theirs: see dmapeek_iter_end() */
	dp_obj_release(o);
	o->magic = 0;
	free(o);
	errno = saved;
}
