// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the module's operations.
 *
 * Operations that carry file descriptors or user memory (export, import,
 * detach, DMA) go through /dev/dmapeek; those addressed by id go through
 * netlink only, so the kernel's errno and its reason in words (extack)
 * reach the caller as the kernel gave them.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <time.h>

#include "internal.h"

#define DP_OP_RCVBUF	(1 << 20)

static uint64_t dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The size an options struct claims, checked against what we know. */
static int dp_opts_ok(size_t sz, size_t known, const void *opts)
{
	const char *p = opts;
	size_t i;

	if (sz < sizeof(size_t))
		return 0;
	/* A newer caller's fields must be zero: we cannot honour them. */
	for (i = known; i < sz; i++)
		if (p[i])
			return 0;
	return 1;
}

DMAPEEK_EXPORT int dmapeek_export(struct dmapeek *ctx,
				  const struct dmapeek_export_opts *opts,
				  int *fd, uint32_t *buffer_id)
{
	struct dmapeek_export x = { .size = sizeof(x) };
	int err;

	if (!opts || !dp_opts_ok(opts->sz, sizeof(*opts), opts) || !fd)
		return dp_errno(EINVAL);
	x.flags = opts->flags;
	x.provider_id = opts->provider_id;
	x.model = opts->model;
	x.length = opts->length;
	x.nr_ranges = opts->nr_ranges;
	x.ranges = (uintptr_t)opts->ranges;
	if (opts->name) {
		if (strlen(opts->name) >= sizeof(x.name))
			return dp_errno(ENAMETOOLONG);
		strcpy(x.name, opts->name);
	}
	err = dp_ioctl(ctx, DMAPEEK_IOC_EXPORT, &x);
	if (err)
		return err;
	*fd = x.fd;
	if (buffer_id)
		*buffer_id = x.buffer_id;
	return 0;
}

DMAPEEK_EXPORT int dmapeek_import(struct dmapeek *ctx, int dmabuf_fd,
				  uint32_t device_id,
				  const struct dmapeek_import_opts *opts,
				  uint32_t *attachment_id)
{
	struct dmapeek_import x = { .size = sizeof(x) };
	int err;

	if (opts && !dp_opts_ok(opts->sz, sizeof(*opts), opts))
		return dp_errno(EINVAL);
	x.fd = dmabuf_fd;
	x.device_id = device_id;
	if (opts) {
		x.flags = opts->flags;
		x.behaviour = opts->behaviour;
		x.unmap_delay_ms = opts->unmap_delay_ms;
	}
	err = dp_ioctl(ctx, DMAPEEK_IOC_IMPORT, &x);
	if (err)
		return err;
	if (attachment_id)
		*attachment_id = x.attachment_id;
	return 0;
}

/* An ioctl of the module; a module without it (-ENOTTY) lacks the op. */
static int dp_op_ioctl(struct dmapeek *ctx, unsigned long cmd, void *arg)
{
	int err = dp_ioctl(ctx, cmd, arg);

	return err == -ENOTTY ? dp_errno(EOPNOTSUPP) : err;
}

static int dp_id_ioctl(struct dmapeek *ctx, unsigned long cmd, uint32_t id)
{
	struct dmapeek_id_op x = { .size = sizeof(x), .id = id };

	return dp_op_ioctl(ctx, cmd, &x);
}

DMAPEEK_EXPORT int dmapeek_detach(struct dmapeek *ctx, uint32_t attachment_id)
{
	return dp_id_ioctl(ctx, DMAPEEK_IOC_DETACH, attachment_id);
}

/* An operation on one object by id: a netlink do with the id, answered by the ack. */
static int dp_id_op(struct dmapeek *ctx, uint8_t cmd, unsigned int attr, uint32_t id)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, cmd, 0);

	mnl_attr_put_u32(nlh, attr, id);
	return dp_nl_talk(ctx, nlh, NULL, NULL);
}

DMAPEEK_EXPORT int dmapeek_map(struct dmapeek *ctx, uint32_t attachment_id)
{
	return dp_id_op(ctx, DMAPEEK_CMD_ATTACHMENT_MAP, DMAPEEK_A_ATTACHMENT_ID,
			attachment_id);
}

DMAPEEK_EXPORT int dmapeek_unmap(struct dmapeek *ctx, uint32_t attachment_id)
{
	return dp_id_op(ctx, DMAPEEK_CMD_ATTACHMENT_UNMAP, DMAPEEK_A_ATTACHMENT_ID,
			attachment_id);
}

DMAPEEK_EXPORT int dmapeek_restore(struct dmapeek *ctx, uint32_t buffer_id)
{
	return dp_id_op(ctx, DMAPEEK_CMD_BUFFER_RESTORE, DMAPEEK_A_BUFFER_ID, buffer_id);
}

DMAPEEK_EXPORT int dmapeek_buffer_fd(struct dmapeek *ctx, uint32_t buffer_id,
				     int *fd)
{
	struct dmapeek_buffer_fd x = { .size = sizeof(x), .buffer_id = buffer_id };
	int err;

	if (!fd)
		return dp_errno(EINVAL);
	err = dp_op_ioctl(ctx, DMAPEEK_IOC_BUFFER_FD, &x);
	if (err)
		return err;
	*fd = x.fd;
	return 0;
}

struct dp_deleted {
	unsigned int attr;
	uint32_t n;
};

static int dp_deleted_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dp_deleted *d = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == d->attr &&
		    mnl_attr_get_payload_len(a) == sizeof(uint32_t))
			d->n = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* A delete: of @id, or of every held object with @id 0. */
static int dp_delete(struct dmapeek *ctx, uint8_t cmd, unsigned int id_attr,
		     unsigned int all_attr, unsigned int deleted_attr, uint32_t id,
		     uint32_t *deleted)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, cmd, 0);
	struct dp_deleted d = { .attr = deleted_attr };
	int err;

	if (id)
		mnl_attr_put_u32(nlh, id_attr, id);
	else
		mnl_attr_put(nlh, all_attr, 0, NULL);
	err = dp_nl_talk(ctx, nlh, dp_deleted_cb, &d);
	if (!err && deleted)
		*deleted = d.n;
	return err;
}

DMAPEEK_EXPORT int dmapeek_buffer_delete(struct dmapeek *ctx, uint32_t buffer_id,
					 uint32_t *deleted)
{
	return dp_delete(ctx, DMAPEEK_CMD_BUFFER_DELETE, DMAPEEK_A_BUFFER_ID,
			 DMAPEEK_A_BUFFER_ALL, DMAPEEK_A_BUFFER_DELETED, buffer_id,
			 deleted);
}

DMAPEEK_EXPORT int dmapeek_attachment_delete(struct dmapeek *ctx,
					     uint32_t attachment_id,
					     uint32_t *deleted)
{
	return dp_delete(ctx, DMAPEEK_CMD_ATTACHMENT_DELETE, DMAPEEK_A_ATTACHMENT_ID,
			 DMAPEEK_A_ATTACHMENT_ALL, DMAPEEK_A_ATTACHMENT_DELETED,
			 attachment_id, deleted);
}

static void dp_obj_set(struct dp_obj *o, unsigned int attr, uint64_t v)
{
	o->v[attr] = v;
	o->present |= 1U << attr;
}

/* An operation that answers with an object; *res, if @res is not NULL, owns it. */
static int dp_reply_op(struct dmapeek *ctx, enum dp_kind kind, struct nlmsghdr *nlh,
		       struct dp_obj **res)
{
	struct dp_obj *o = dp_get(ctx, kind, nlh);

	if (!o)
		return -errno;
	if (res)
		*res = o;
	else
		dmapeek_object_free(o);
	return 0;
}

/*
 * A revoke or a move over netlink answers once importers were told (and a
 * move's copy is done); the wait for the importers to unmap runs in the
 * module afterwards, outside netlink, and ends in a done event carrying
 * the number the answer gave (the op attribute).  The caller listens on a
 * socket of its own, joined to the events group before the request so
 * that the event cannot pass unseen, and waits a little longer than the
 * module does.
 */
#define DP_OP_SLACK_MS	10000

struct dp_op {
	struct dmapeek *ctx;
	struct mnl_socket *ev;		/* joined to the events group */
	unsigned int op_attr;		/* the op attribute of the answer */
	uint64_t op;			/* its value; 0: an older module */
	struct dp_obj *reply;		/* an older module's whole answer */
	char *buf;
	size_t buf_size;
};

static void dp_op_end(struct dp_op *w)
{
	if (w->ev)
		mnl_socket_close(w->ev);
	free(w->buf);
	if (w->reply)
		dmapeek_object_free(w->reply);
}

static int dp_op_listen(struct dp_op *w, struct dmapeek *ctx, unsigned int op_attr)
{
	unsigned int grp = ctx->mcgrp_events;
	int size = DP_OP_RCVBUF;
	int fd;

	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->op_attr = op_attr;
	if (!grp)
		return 0;	/* no events: a module that answers when done */
	w->ev = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!w->ev)
		return -errno;
	if (mnl_socket_bind(w->ev, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(w->ev, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		int err = -errno;

		mnl_socket_close(w->ev);
		w->ev = NULL;
		return err;
	}
	fd = mnl_socket_get_fd(w->ev);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

/* A "uint" attribute: 4 bytes when the value fits, else 8. */
static bool dp_uint(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_get_payload_len(a) == sizeof(uint32_t)) {
		*v = mnl_attr_get_u32(a);
		return true;
	}
	if (mnl_attr_get_payload_len(a) == sizeof(uint64_t)) {
		memcpy(v, mnl_attr_get_payload(a), sizeof(*v));
		return true;
	}
	return false;
}

static int dp_op_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dp_op *w = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == w->op_attr)
			dp_uint(a, &w->op);
	if (w->op || w->op_attr != DMAPEEK_A_REVOKE_OP || w->reply)
		return MNL_CB_OK;
	/* An older module answers a revoke when it is over, with everything. */
	w->reply = dp_obj_new(DP_REVOKE);
	if (!w->reply || dp_obj_parse(w->ctx, w->reply, nlh))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* Is @nlh the done event of @w's operation?  Then decode it into @res. */
static bool dp_op_is_done(struct dp_op *w, const struct nlmsghdr *nlh, int *error,
			  struct dp_obj *res)
{
	uint64_t op = 0, duration = 0;
	uint32_t type = 0, stuck = 0, buffer = 0;
	const struct nlattr *a;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return false;
	*error = 0;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t len = mnl_attr_get_payload_len(a);
		const void *p = mnl_attr_get_payload(a);

		switch (mnl_attr_get_type(a)) {
		case DMAPEEK_A_EVENT_TYPE:
			if (len == 4)
				memcpy(&type, p, 4);
			break;
		case DMAPEEK_A_EVENT_OP:
			dp_uint(a, &op);
			break;
		case DMAPEEK_A_EVENT_BUFFER_ID:
			if (len == 4)
				memcpy(&buffer, p, 4);
			break;
		case DMAPEEK_A_EVENT_COUNT:
			if (len == 4)
				memcpy(&stuck, p, 4);
			break;
		case DMAPEEK_A_EVENT_ERROR:
			if (len == 4)
				memcpy(error, p, 4);
			break;
		case DMAPEEK_A_EVENT_DURATION_NS:
			dp_uint(a, &duration);
			break;
		default:
			break;
		}
	}
	if (op != w->op || (type != DMAPEEK_EVENT_TYPE_REVOKE_DONE &&
			    type != DMAPEEK_EVENT_TYPE_MOVE_DONE))
		return false;
	if (!res)
		return true;
	dp_obj_set(res, DMAPEEK_A_REVOKE_BUFFER_ID, buffer);
	dp_obj_set(res, DMAPEEK_A_REVOKE_DURATION_NS, duration);
	dp_obj_set(res, DMAPEEK_A_REVOKE_STUCK, stuck);
	dp_obj_set(res, DMAPEEK_A_REVOKE_OP, op);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == DMAPEEK_A_EVENT_ATTACHMENT &&
		    dp_obj_add_record(w->ctx, res, a))
			*error = -ENOMEM;
	dp_obj_set(res, DMAPEEK_A_REVOKE_ATTACHMENTS, res->nr_subs);
	return true;
}

/*
 * Wait for the done event of @w's operation, up to @timeout_ms and the
 * slack.  Its error, if any, is returned; @res gets its outcome.
 */
static int dp_op_wait(struct dp_op *w, uint32_t timeout_ms, struct dp_obj *res)
{
	int fd = mnl_socket_get_fd(w->ev), left, error;
	uint64_t deadline = dp_now_ms() + timeout_ms + DP_OP_SLACK_MS;
	bool overrun = false;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const struct nlmsghdr *h;
		uint64_t now = dp_now_ms();
		ssize_t n;
		int len;

		if (now >= deadline)
			return dp_errno(overrun ? ENOBUFS : ETIMEDOUT);
		left = (int)(deadline - now);
		if (poll(&pfd, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			return dp_errno(errno);
		}
		if (!(pfd.revents & POLLIN))
			continue;
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		if (n > 0 && (size_t)n > w->buf_size) {
			char *b = realloc(w->buf, (size_t)n);

			if (!b)
				return dp_errno(ENOMEM);
			w->buf = b;
			w->buf_size = (size_t)n;
		}
		n = recv(fd, w->buf, w->buf_size, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS)
				overrun = true;	/* events lost; ours may follow */
			else if (errno != EAGAIN && errno != EINTR)
				return dp_errno(errno);
			continue;
		}
		len = (int)n;
		for (h = (const struct nlmsghdr *)w->buf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len))
			if (h->nlmsg_type == w->ctx->family_id &&
			    dp_op_is_done(w, h, &error, res))
				return error;
	}
}

DMAPEEK_EXPORT int dmapeek_move(struct dmapeek *ctx, uint32_t buffer_id,
				uint32_t provider_id, uint32_t timeout_ms)
{
	struct nlmsghdr *nlh;
	struct dp_op w;
	int err, listen;

	/* refused, the request is still made: the kernel's reason is better */
	listen = dp_op_listen(&w, ctx, DMAPEEK_A_BUFFER_OP);
	nlh = dp_nl_msg(ctx, DMAPEEK_CMD_BUFFER_MOVE, 0);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ID, buffer_id);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID, provider_id);
	if (timeout_ms)
		mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_TIMEOUT_MS, timeout_ms);
	err = dp_nl_talk(ctx, nlh, dp_op_reply_cb, &w);
	if (!err && w.op)
		err = w.ev ? dp_op_wait(&w, timeout_ms ? timeout_ms :
					DMAPEEK_TIMEOUT_DEFAULT_MS, NULL) :
			     dp_errno(listen ? -listen : ENOENT);
	dp_op_end(&w);
	return err;
}

DMAPEEK_EXPORT int dmapeek_revoke(struct dmapeek *ctx, uint32_t buffer_id,
				  uint32_t timeout_ms,
				  struct dmapeek_revoke_result **res)
{
	struct dp_obj *o = NULL;
	struct nlmsghdr *nlh;
	struct dp_op w;
	int err, listen;

	/* refused, the request is still made: the kernel's reason is better */
	listen = dp_op_listen(&w, ctx, DMAPEEK_A_REVOKE_OP);
	nlh = dp_nl_msg(ctx, DMAPEEK_CMD_BUFFER_REVOKE, 0);
	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_BUFFER_ID, buffer_id);
	if (timeout_ms)
		mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_TIMEOUT_MS, timeout_ms);
	err = dp_nl_talk(ctx, nlh, dp_op_reply_cb, &w);
	if (err) {
		goto out;
	} else if (w.reply) {
		o = w.reply;		/* an older module's answer */
		w.reply = NULL;
	} else if (w.op && !w.ev) {
		err = dp_errno(listen ? -listen : ENOENT);
	} else if (w.op) {
		o = dp_obj_new(DP_REVOKE);
		if (!o) {
			err = dp_errno(ENOMEM);
			goto out;
		}
		err = dp_op_wait(&w, timeout_ms ? timeout_ms :
				 DMAPEEK_TIMEOUT_DEFAULT_MS, o);
		if (err == -ETIMEDOUT && o->present)
			err = 0;	/* done, with stuck importers: in the result */
		dp_obj_set(o, DMAPEEK_A_REVOKE_TIMEOUT_MS,
			   timeout_ms ? timeout_ms : DMAPEEK_TIMEOUT_DEFAULT_MS);
	} else {
		err = dp_errno(EBADMSG);	/* an answer without its number */
	}
out:
	dp_op_end(&w);
	if (!err && res)
		*res = (struct dmapeek_revoke_result *)o;
	else if (o)
		dmapeek_object_free(o);
	return err;
}

DMAPEEK_EXPORT unsigned int
dmapeek_revoke_nr_results(const struct dmapeek_revoke_result *r)
{
	return r->o.nr_subs;
}

DMAPEEK_EXPORT int dmapeek_revoke_result(const struct dmapeek_revoke_result *r,
					 unsigned int i, uint32_t *attachment_id,
					 uint64_t *unmap_ns, bool *stuck)
{
	const struct dp_sub *s;

	if (i >= r->o.nr_subs)
		return dp_errno(ERANGE);
	s = &r->o.subs[i];
	if (attachment_id)
		*attachment_id = (uint32_t)s->v[DMAPEEK_A_REVOKE_ATTACHMENT_ID];
	if (unmap_ns)
		*unmap_ns = s->present & (1U << DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS) ?
			    s->v[DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS] : UINT64_MAX;
	if (stuck)
		*stuck = s->v[DMAPEEK_A_REVOKE_ATTACHMENT_STUCK] != 0;
	return 0;
}

static int dp_dma(struct dmapeek *ctx, uint32_t attachment_id, uint64_t offset,
		  void *buf, size_t len, uint32_t flags)
{
	struct dmapeek_dma x = {
		.size = sizeof(x), .flags = flags,
		.attachment_id = attachment_id, .offset = offset,
		.length = len, .data = (uintptr_t)buf,
	};

	return dp_op_ioctl(ctx, DMAPEEK_IOC_DMA, &x);
}

DMAPEEK_EXPORT int dmapeek_dma_read(struct dmapeek *ctx, uint32_t attachment_id,
				    uint64_t offset, void *buf, size_t len)
{
	return dp_dma(ctx, attachment_id, offset, buf, len, 0);
}

DMAPEEK_EXPORT int dmapeek_dma_write(struct dmapeek *ctx, uint32_t attachment_id,
				     uint64_t offset, const void *buf, size_t len)
{
	return dp_dma(ctx, attachment_id, offset, (void *)buf, len,
		      DMAPEEK_DMA_TO_BUFFER);
}

DMAPEEK_EXPORT int dmapeek_audit(struct dmapeek *ctx, uint32_t mapping_id,
				 struct dmapeek_audit_report **res)
{
	struct nlmsghdr *nlh = dp_nl_msg(ctx, DMAPEEK_CMD_MAPPING_AUDIT, 0);
	struct dp_obj *o = NULL;
	int err;

	mnl_attr_put_u32(nlh, DMAPEEK_A_AUDIT_MAPPING_ID, mapping_id);
	err = dp_reply_op(ctx, DP_AUDIT, nlh, res ? &o : NULL);
	if (!err && res)
		*res = (struct dmapeek_audit_report *)o;
	return err;
}

DMAPEEK_EXPORT unsigned int
dmapeek_audit_nr_samples(const struct dmapeek_audit_report *r)
{
	return r->o.nr_subs;
}

DMAPEEK_EXPORT int dmapeek_audit_sample(const struct dmapeek_audit_report *r,
					unsigned int i, uint64_t *iova,
					uint64_t *expected, uint64_t *actual)
{
	const struct dp_sub *s;

	if (i >= r->o.nr_subs)
		return dp_errno(ERANGE);
	s = &r->o.subs[i];
	if (iova)
		*iova = s->v[DMAPEEK_A_AUDIT_MISMATCH_IOVA];
	if (expected)
		*expected = s->v[DMAPEEK_A_AUDIT_MISMATCH_EXPECTED];
	if (actual)
		*actual = s->v[DMAPEEK_A_AUDIT_MISMATCH_ACTUAL];
	return 0;
}
