// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: how objects come from the module, streaming dumps and gets.
 *
 * A dump is a cursor (struct dp_cursor): its own socket, one receive
 * buffer, and the object decoded from the current message.  The caller
 * sees one object at a time, so memory does not grow with the dump.  An
 * object sent over several messages (decode.c) comes out of the cursor
 * whole, and an interrupted dump (NLM_F_DUMP_INTR) is run again, skipping
 * what was already handed out.
 *
 * A get is a do request answered by one message; an object too large
 * for one reply comes from the dump instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"

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
struct dp_obj *dp_get_by_id(struct dmapeek *ctx, enum dp_kind kind, uint32_t id)
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
