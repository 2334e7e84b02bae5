// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: decoding the family's objects, streaming dumps, lookups.
 *
 * One table (dp_kinds) says, per attribute set, the wire type of each
 * attribute as the spec gives it; one decoder fills a struct dp_obj from
 * any message.  Unknown attributes (a newer module) are skipped, "uint"
 * attributes are read whether 4 or 8 bytes long, and an attribute of the
 * wrong size is skipped with a warning rather than trusted.
 *
 * A dump is a cursor (struct dp_cursor): its own socket, one receive
 * buffer, and the object decoded from the current message.  The caller
 * sees one object at a time, so memory does not grow with the dump.
 *
 * A buffer or mapping with more ranges than fit one message comes as
 * several: the first carries nr-ranges (the total), each continuation the
 * same id and range-first (the index of its first range).  The cursor
 * merges them before handing out the object; a continuation that does not
 * go on exactly where the object stands is -EBADMSG.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* A numeric attribute's value, if its length fits its type. */
static int dp_attr_num(const struct nlattr *a, uint8_t type, uint64_t *v)
{
	uint16_t len = mnl_attr_get_payload_len(a);
	const void *p = mnl_attr_get_payload(a);

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
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);
		uint64_t v;

		if (t == 0 || t > ki->sub_max || !ki->sub_types[t])
			continue;	/* newer module */
		if (dp_attr_num(a, ki->sub_types[t], &v)) {
			if (ctx)
				dmapeek_log(ctx, DMAPEEK_LOG_WARNING,
					    "%s: nested attribute %u has length %u, skipped",
					    ki->name, t, mnl_attr_get_payload_len(a));
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
	const struct nlattr *a;
	int err;

	if (!append)
		dp_obj_clear(o);
	mnl_attr_for_each(a, nlh, offset) {
		uint16_t t = mnl_attr_get_type(a);
		uint64_t v;

		if (t == 0 || t > ki->max || !ki->types[t])
			continue;	/* newer module: skip what we do not know */
		if (append && ki->types[t] != DP_T_NEST)
			continue;
		switch (ki->types[t]) {
		case DP_T_STR:
			dp_obj_set_str(o, t, mnl_attr_get_payload(a),
				       mnl_attr_get_payload_len(a));
			break;
		case DP_T_NEST:
			if (t != ki->nest_attr)
				continue;
			err = dp_obj_add_sub(ctx, o, a);
			if (err)
				return dp_errno(err);
			break;
		default:
			if (dp_attr_num(a, ki->types[t], &v)) {
				if (ctx)
					dmapeek_log(ctx, DMAPEEK_LOG_WARNING,
						    "%s: attribute %u has length %u, skipped",
						    ki->name, t, mnl_attr_get_payload_len(a));
				continue;
			}
			o->v[t] = v;
			break;
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

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == attr &&
		    mnl_attr_get_payload_len(a) == sizeof(uint32_t)) {
			*v = mnl_attr_get_u32(a);
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

/* ------------------------------------------------------------- streams */

int dp_stream_open(struct dp_stream *s, size_t buf_size)
{
	memset(s, 0, sizeof(*s));
	s->buf = malloc(buf_size);
	if (!s->buf)
		return -ENOMEM;
	s->buf_size = buf_size;
	s->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!s->nl)
		goto err;
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	s->portid = mnl_socket_get_portid(s->nl);
	{
		int one = 1;

		mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
		mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	}
	return 0;
err:
	{
		int err = -errno;

		dp_stream_close(s);
		return err;
	}
}

void dp_stream_close(struct dp_stream *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------- cursors */

#define DP_DUMP_RETRIES	3

struct dp_cursor {
	struct dmapeek *ctx;
	struct dp_cursor *next;		/* in ctx->cursors */
	struct dp_stream s;
	uint32_t seq;
	unsigned int filt_attr;
	uint32_t filt_val;
	unsigned int flag_attr;		/* a flag the request carries, or 0 */
	unsigned int order_attr;	/* the dump's major sort key, or 0 */
	bool intr;			/* this pass saw NLM_F_DUMP_INTR */
	unsigned int restarts;
	uint64_t yielded;		/* objects returned, this pass */
	uint64_t skip_upto_id;		/* after a restart: keys already seen */
	uint64_t skip_count;		/* after a restart, kinds without id */
	bool have_last;
	uint64_t last_id;
	bool building;			/* obj waits for continuation messages */
	struct dp_obj obj;
};

static int dp_cursor_send(struct dp_cursor *c)
{
	struct dmapeek *ctx = c->ctx;
	char req[DP_NL_REQ_MAX] = { 0 };	/* no stale bytes to the kernel */
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = ctx->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = c->seq = ++ctx->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = dp_kinds[c->obj.kind].cmd;
	genl->version = DMAPEEK_FAMILY_VERSION;
	if (c->filt_attr)
		mnl_attr_put_u32(nlh, c->filt_attr, c->filt_val);
	if (c->flag_attr)
		mnl_attr_put(nlh, c->flag_attr, 0, NULL);
	c->s.len = c->s.off = 0;
	c->intr = false;
	c->building = false;
	c->yielded = 0;
	if (mnl_socket_sendto(c->s.nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static void dp_cursor_unlink(struct dp_cursor *c)
{
	struct dp_cursor **pp;

	for (pp = &c->ctx->cursors; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
}

/* End an iteration; a socket that finished its dump cleanly is kept. */
static void dp_cursor_free(struct dp_cursor *c, bool clean)
{
	struct dmapeek *ctx = c->ctx;

	dp_cursor_unlink(c);
	if (clean && !ctx->spare.nl)
		ctx->spare = c->s;
	else
		dp_stream_close(&c->s);
	dp_obj_release(&c->obj);
	free(c);
}

void dp_cursors_free(struct dmapeek *ctx)
{
	while (ctx->cursors)
		dp_cursor_free(ctx->cursors, false);
	dp_stream_close(&ctx->spare);
}

static struct dp_cursor *dp_cursor_new(struct dmapeek *ctx, enum dp_kind kind,
				       const struct dp_dump_req *req)
{
	struct dp_cursor *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		dp_errno(ENOMEM);
		return NULL;
	}
	c->ctx = ctx;
	dp_obj_init(&c->obj, kind);
	c->obj.cur = c;
	c->filt_attr = req->filt_attr;
	c->filt_val = req->filt_val;
	c->flag_attr = req->flag_attr;
	c->order_attr = req->order_attr;
	if (ctx->spare.nl) {
		c->s = ctx->spare;
		memset(&ctx->spare, 0, sizeof(ctx->spare));
	} else {
		err = dp_stream_open(&c->s, MNL_SOCKET_DUMP_SIZE);
		if (err) {
			free(c);
			dp_errno(err);
			return NULL;
		}
	}
	c->next = ctx->cursors;
	ctx->cursors = c;
	err = dp_cursor_send(c);
	if (err) {
		dp_cursor_free(c, false);
		dp_errno(err);
		return NULL;
	}
	return c;
}

/* The error of a NLMSG_DONE or NLMSG_ERROR, with its extack text kept. */
static int dp_cursor_ctl(struct dmapeek *ctx, const struct nlmsghdr *h)
{
	const struct nlattr *a;
	int err;

	if (h->nlmsg_type == NLMSG_ERROR)
		return dp_nl_error_msg(ctx, h);
	if (mnl_nlmsg_get_payload_len(h) < sizeof(int))
		return 0;
	err = *(const int *)mnl_nlmsg_get_payload(h);
	if (err < 0 && (h->nlmsg_flags & NLM_F_ACK_TLVS)) {
		mnl_attr_for_each(a, h, sizeof(int))
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(ctx->extack, sizeof(ctx->extack), "%s",
					 mnl_attr_get_str(a));
	}
	return err < 0 ? err : 0;
}

/*
 * The next message of the family in this dump, or NULL: at the end (*err 0)
 * or on an error (*err < 0).  An interrupted dump is sent again here; the
 * caller skips what it already returned.
 */
static const struct nlmsghdr *dp_cursor_msg(struct dp_cursor *c, int *err)
{
	struct dmapeek *ctx = c->ctx;
	const struct dp_kind_info *ki = &dp_kinds[c->obj.kind];

	for (;;) {
		const struct nlmsghdr *h;
		ssize_t n;

		if (c->s.off >= c->s.len) {
			n = recv(mnl_socket_get_fd(c->s.nl), c->s.buf,
				 c->s.buf_size, 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				*err = -errno;
				return NULL;
			}
			if (n == 0) {
				*err = -EPIPE;
				return NULL;
			}
			c->s.len = (size_t)n;
			c->s.off = 0;
		}
		h = (const struct nlmsghdr *)(c->s.buf + c->s.off);
		if (c->s.len - c->s.off < sizeof(*h) ||
		    h->nlmsg_len < sizeof(*h) ||
		    h->nlmsg_len > c->s.len - c->s.off) {
			*err = -EBADMSG;
			return NULL;
		}
		c->s.off += NLMSG_ALIGN(h->nlmsg_len);
		if (h->nlmsg_seq != c->seq || h->nlmsg_pid != c->s.portid)
			continue;	/* left over from an earlier pass */
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			c->intr = true;
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
			*err = dp_cursor_ctl(ctx, h);
			if (*err)
				return NULL;
			if (!c->intr)
				return NULL;	/* the end */
			if (++c->restarts > DP_DUMP_RETRIES) {
				dp_dbg(ctx, "%s dump interrupted %u times, giving up",
				       ki->name, DP_DUMP_RETRIES);
				*err = -EINTR;
				return NULL;
			}
			dp_dbg(ctx, "%s dump interrupted, resuming", ki->name);
			c->skip_upto_id = c->have_last ? c->last_id : 0;
			c->skip_count = c->yielded;	/* skipped + returned */
			*err = dp_cursor_send(c);
			if (*err)
				return NULL;
			continue;
		}
		if (h->nlmsg_type < NLMSG_MIN_TYPE)
			continue;	/* NOOP, OVERRUN */
		if (h->nlmsg_type != ctx->family_id)
			continue;
		return h;
	}
}

/*
 * Decode @h into the cursor's object: a new object, or the continuation
 * of the one being built.  In a dump marked interrupted, the object being
 * built may have gone; a message that does not continue it then starts a
 * new one (the dump is run again at its end anyway).
 */
static int dp_cursor_decode(struct dp_cursor *c, const struct nlmsghdr *h)
{
	int err;

	if (c->building) {
		err = dp_obj_merge(c->ctx, &c->obj, h);
		if (!err || !c->intr)
			return err;
	}
	return dp_obj_parse(c->ctx, &c->obj, h);
}

/*
 * Where the current object sorts in its dump: its id, or with a major key
 * (a dump in buffer order), that key then the id.  The dump sends objects
 * in this order, so after a restart what sorts up to the last one seen
 * was already returned.
 */
static uint64_t dp_cursor_key(const struct dp_cursor *c)
{
	const struct dp_kind_info *ki = &dp_kinds[c->obj.kind];
	uint64_t id = c->obj.v[ki->id_attr] & 0xffffffffu;

	if (!c->order_attr)
		return c->obj.v[ki->id_attr];
	return (c->obj.v[c->order_attr] & 0xffffffffu) << 32 | id;
}

/*
 * The next object of the dump, or NULL: at the end (*err 0) or on an
 * error (*err < 0).  An object sent over several messages comes out whole.
 */
static struct dp_obj *dp_cursor_step(struct dp_cursor *c, int *err)
{
	const struct dp_kind_info *ki = &dp_kinds[c->obj.kind];
	const struct nlmsghdr *h;

	for (;;) {
		h = dp_cursor_msg(c, err);
		if (!h) {
			/* The dump ended in the middle of an object. */
			if (!*err && c->building)
				*err = -EBADMSG;
			return NULL;
		}
		*err = dp_cursor_decode(c, h);
		if (*err)
			return NULL;
		c->building = dp_obj_incomplete(&c->obj);
		if (c->building)
			continue;
		if (c->restarts) {
			/* Resuming: skip what this iteration already returned. */
			if (ki->id_attr) {
				if (c->have_last && dp_cursor_key(c) <= c->skip_upto_id)
					continue;
			} else if (c->yielded < c->skip_count) {
				c->yielded++;
				continue;
			}
		}
		c->yielded++;
		if (ki->id_attr) {
			c->last_id = dp_cursor_key(c);
			c->have_last = true;
		}
		return &c->obj;
	}
}

struct dp_obj *dp_iter_next(struct dmapeek *ctx, enum dp_kind kind,
			    unsigned int filt_attr, uint32_t filt_val,
			    const struct dp_obj *prev)
{
	struct dp_dump_req req = { .filt_attr = filt_attr, .filt_val = filt_val };

	return dp_iter_next_req(ctx, kind, &req, prev);
}

struct dp_obj *dp_iter_next_req(struct dmapeek *ctx, enum dp_kind kind,
				const struct dp_dump_req *req,
				const struct dp_obj *prev)
{
	struct dp_cursor *c;
	struct dp_obj *o;
	int err = 0;

	if (prev) {
		if (prev->magic != DP_OBJ_MAGIC || !prev->cur ||
		    prev->kind != kind) {
			ctx->iter_err = dp_errno(EINVAL);
			return NULL;
		}
		c = prev->cur;
	} else {
		ctx->extack[0] = '\0';
		c = dp_cursor_new(ctx, kind, req);
		if (!c) {
			ctx->iter_err = -errno;
			return NULL;
		}
	}
	o = dp_cursor_step(c, &err);
	if (o)
		return o;
	dp_cursor_free(c, !err);
	ctx->iter_err = err;
	errno = -err;
	return NULL;
}

DMAPEEK_EXPORT int dmapeek_iter_err(const struct dmapeek *ctx)
{
	return ctx->iter_err;
}

DMAPEEK_EXPORT void dmapeek_iter_end(const void *obj)
{
	const struct dp_obj *o = obj;
	int saved = errno;

	if (!o || o->magic != DP_OBJ_MAGIC || !o->cur)
		return;
	dp_cursor_free(o->cur, false);
	errno = saved;
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

/* -------------------------------------------------------------- lookups */

struct dp_get {
	struct dmapeek *ctx;
	struct dp_obj *o;
	int err;
	bool got;
};

static int dp_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dp_get *g = data;

	if (g->got)
		return MNL_CB_OK;	/* one object per do */
	g->err = dp_obj_parse(g->ctx, g->o, nlh);
	g->got = true;
	return g->err ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Send a do request and decode its reply into a new object of @kind. */
struct dp_obj *dp_get(struct dmapeek *ctx, enum dp_kind kind, struct nlmsghdr *nlh)
{
	struct dp_get g = { .ctx = ctx };
	int err;

	g.o = dp_obj_new(kind);
	if (!g.o)
		return NULL;
	err = dp_nl_talk(ctx, nlh, dp_get_cb, &g);
	if (!err && g.err)
		err = g.err;
	if (!err && !g.got)
		err = -ENODATA;
	if (!err && dp_obj_incomplete(g.o))
		err = -EBADMSG;	/* a reply carries the whole object */
	if (err) {
		dp_obj_release(g.o);
		free(g.o);
		dp_errno(err);
		return NULL;
	}
	return g.o;
}

/*
 * Object @id of @kind from a dump: the whole dump is read, since it has no
 * id filter, and the object handed out owns its storage.  NULL with errno
 * ENOENT when the dump has no such object.
 */
static struct dp_obj *dp_get_by_dump(struct dmapeek *ctx, enum dp_kind kind,
				     uint32_t id)
{
	const struct dp_kind_info *ki = &dp_kinds[kind];
	struct dp_obj *o, *found;
	int err;

	for (o = dp_iter_next(ctx, kind, 0, 0, NULL); o;
	     o = dp_iter_next(ctx, kind, 0, 0, o)) {
		if (o->v[ki->id_attr] != id)
			continue;
		found = malloc(sizeof(*found));
		if (!found) {
			dmapeek_iter_end(o);
			dp_errno(ENOMEM);
			return NULL;
		}
		*found = *o;		/* takes over the nested records */
		found->cur = NULL;
		o->subs = NULL;
		o->nr_subs = o->cap_subs = 0;
		dmapeek_iter_end(o);
		return found;
	}
	err = ctx->iter_err ? ctx->iter_err : -ENOENT;
	dp_errno(err);
	return NULL;
}

/*
 * A module refuses a get whose reply does not fit one message (for a
 * caller without CAP_SYS_ADMIN, one page): EMSGSIZE, "dump it instead".
 * An object whose ranges span messages then comes from the dump, which
 * sends it in parts.
 */
static struct dp_obj *dp_get_by_id(struct dmapeek *ctx, enum dp_kind kind,
				   uint32_t id)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, dp_kinds[kind].cmd, 0);
	struct dp_obj *o;

	mnl_attr_put_u32(nlh, dp_kinds[kind].id_attr, id);
	o = dp_get(ctx, kind, nlh);
	if (o || errno != EMSGSIZE || !dp_kinds[kind].nr_attr)
		return o;
	dp_dbg(ctx, "%s %u does not fit one reply: from the dump", dp_kinds[kind].name, id);
	return dp_get_by_dump(ctx, kind, id);
}

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

