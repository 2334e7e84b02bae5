/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test tools' operations by id over netlink, on libnl (never
 * libdmapeek): since ABI 2.0 map, unmap, move, revoke, restore and audit
 * have no ioctl.
 *
 * A revoke or a move answers with an operation number (attribute op, an
 * nla "uint": 4 bytes when it fits, else 8) as soon as importers were
 * told; its outcome is the revoke-done or move-done event carrying that
 * number.  So a waiter subscribes to the events group first
 * (dp_nl_ev_open()), then sends, takes the number from the answer, then
 * waits for the done event (dp_nl_ev_wait()).  dp_nl_buffer_op() does all
 * three; dp_nl_id_op() is a plain request answered by an ack.
 */
#ifndef DMAPEEK_NL_OP_H
#define DMAPEEK_NL_OP_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/dmapeek.h>

#include "nl-sock.h"

/* The outcome of a revoke or a move, from its done event. */
struct dp_nl_done {
	uint64_t op;		/* in: the operation to wait for */
	uint32_t buffer;	/* in, with op 0: the next done event of this buffer */
	int found;
	int error;		/* the event's error: 0 or -errno */
	uint32_t attachments;	/* attachment nests (the snapshot's importers) */
	uint32_t stuck;		/* the event's count */
	uint64_t duration_ns;
};

static inline uint64_t dp_nl_uint(struct nlattr *a)
{
	return nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
}

static inline int dp_nl_done_cb(struct nl_msg *msg, void *arg)
{
	struct dp_nl_done *d = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[DMAPEEK_A_EVENT_MAX + 1], *a;
	uint32_t type;
	int rem;

	if (d->found || genlmsg_parse(nlh, 0, tb, DMAPEEK_A_EVENT_MAX, NULL) ||
	    !tb[DMAPEEK_A_EVENT_TYPE])
		return NL_OK;
	if (d->op ? !tb[DMAPEEK_A_EVENT_OP] || dp_nl_uint(tb[DMAPEEK_A_EVENT_OP]) != d->op :
		    !tb[DMAPEEK_A_EVENT_BUFFER_ID] ||
		    nla_get_u32(tb[DMAPEEK_A_EVENT_BUFFER_ID]) != d->buffer)
		return NL_OK;
	type = nla_get_u32(tb[DMAPEEK_A_EVENT_TYPE]);
	if (type != DMAPEEK_EVENT_TYPE_REVOKE_DONE && type != DMAPEEK_EVENT_TYPE_MOVE_DONE)
		return NL_OK;
	d->found = 1;
	d->error = tb[DMAPEEK_A_EVENT_ERROR] ? (int)nla_get_u32(tb[DMAPEEK_A_EVENT_ERROR]) : 0;
	d->stuck = tb[DMAPEEK_A_EVENT_COUNT] ? nla_get_u32(tb[DMAPEEK_A_EVENT_COUNT]) : 0;
	d->duration_ns = tb[DMAPEEK_A_EVENT_DURATION_NS] ?
			 dp_nl_uint(tb[DMAPEEK_A_EVENT_DURATION_NS]) : 0;
	d->attachments = 0;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)
		if (nla_type(a) == DMAPEEK_A_EVENT_ATTACHMENT)
			d->attachments++;
	return NL_OK;
}

/* A socket in the events group, or NULL (errno set). */
static inline struct nl_sock *dp_nl_ev_open(void)
{
	struct nl_sock *ev = dp_nl_connect();
	int grp;

	if (!ev) {
		errno = ENOMEM;
		return NULL;
	}
	grp = genl_ctrl_resolve_grp(ev, DMAPEEK_FAMILY_NAME, DMAPEEK_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(ev, grp)) {
		nl_socket_free(ev);
		errno = ENOENT;
		return NULL;
	}
	nl_socket_disable_seq_check(ev);
	return ev;
}

/* Events are multicast with sequence number 0: every one is taken. */
static inline int dp_nl_any_seq_cb(struct nl_msg *msg __attribute__((unused)),
				   void *arg __attribute__((unused)))
{
	return NL_OK;
}

/*
 * Wait on @ev for the done event of d->op, up to @timeout_ms (the
 * operation's) plus 10 s.  0 when it came, -ETIMEDOUT when not.  Frees @ev.
 */
static inline int dp_nl_ev_wait(struct nl_sock *ev, unsigned int timeout_ms,
				struct dp_nl_done *d)
{
	time_t end = time(NULL) + (timeout_ms ? timeout_ms : 1000) / 1000 + 11;
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	d->found = 0;
	if (!cb) {
		nl_socket_free(ev);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dp_nl_done_cb, d);
	/*
	 * A callback, not NULL: libnl checks the sequence itself when none is
	 * set, and an event (sequence 0) then never reaches the callback.
	 */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, dp_nl_any_seq_cb, NULL);
	while (!d->found && time(NULL) < end) {
		struct pollfd p = { .fd = nl_socket_get_fd(ev), .events = POLLIN };

		if (poll(&p, 1, 100) > 0)
			nl_recvmsgs(ev, cb);
	}
	nl_cb_put(cb);
	nl_socket_free(ev);
	return d->found ? 0 : -ETIMEDOUT;
}

struct dp_nl_req {
	int done;
	int err;		/* the ack's error: 0 or -errno */
	int op_attr;		/* 0: no op number expected */
	uint64_t op;
	char extack[256];
};

/* The op number of the answer @msg (attribute @attr) into *@op, if it has one. */
static inline void dp_nl_take_op(struct nl_msg *msg, int attr, uint64_t *op)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)
		if (nla_type(a) == attr && (nla_len(a) == 4 || nla_len(a) == 8))
			*op = dp_nl_uint(a);
}

static inline int dp_nl_req_valid_cb(struct nl_msg *msg, void *arg)
{
	struct dp_nl_req *r = arg;

	if (r->op_attr)
		dp_nl_take_op(msg, r->op_attr, &r->op);
	return NL_OK;
}

static inline int dp_nl_req_ack_cb(struct nl_msg *msg __attribute__((unused)), void *arg)
{
	((struct dp_nl_req *)arg)->done = 1;
	return NL_STOP;
}

static inline int dp_nl_req_err_cb(struct sockaddr_nl *nla __attribute__((unused)),
				   struct nlmsgerr *e, void *arg)
{
	struct dp_nl_req *r = arg;

	r->err = e->error;
	r->done = 1;
	dp_nl_extack(e, r->extack, sizeof(r->extack));
	return NL_STOP;
}

/*
 * Send @cmd with up to three u32 attributes (@attr 0: none) and wait for
 * its ack; the op number of the answer, if @r->op_attr, in @r->op.
 * Returns 0 or -errno; @r->extack holds the module's message.
 */
static inline int dp_nl_req(int cmd, struct dp_nl_req *r, int a1, uint32_t v1,
			    int a2, uint32_t v2, int a3, uint32_t v3)
{
	struct nl_sock *sk = dp_nl_connect();
	struct nl_msg *msg;
	struct nl_cb *cb;
	int family, ret;

	r->done = 0;
	r->err = 0;
	r->op = 0;
	r->extack[0] = 0;
	if (!sk)
		return -ENOMEM;
	family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME);
	if (family < 0) {
		nl_socket_free(sk);
		return -ENOENT;
	}
	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		nlmsg_free(msg);
		nl_cb_put(cb);
		nl_socket_free(sk);
		return -ENOMEM;
	}
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK, cmd,
		    DMAPEEK_FAMILY_VERSION);
	if (a1)
		nla_put_u32(msg, a1, v1);
	if (a2)
		nla_put_u32(msg, a2, v2);
	if (a3)
		nla_put_u32(msg, a3, v3);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dp_nl_req_valid_cb, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, dp_nl_req_ack_cb, r);
	nl_cb_err(cb, NL_CB_CUSTOM, dp_nl_req_err_cb, r);
	ret = nl_send_auto(sk, msg);
	while (ret >= 0 && !r->done)
		ret = nl_recvmsgs(sk, cb);
	nlmsg_free(msg);
	nl_cb_put(cb);
	nl_socket_free(sk);
	if (r->err)
		return r->err;
	return ret < 0 ? -EIO : 0;
}

/* map/unmap (attachment id), restore (buffer id): 0 or -errno. */
static inline int dp_nl_id_op(int cmd, int attr, uint32_t id)
{
	struct dp_nl_req r = { 0 };

	return dp_nl_req(cmd, &r, attr, id, 0, 0, 0, 0);
}

static inline int dp_nl_map(uint32_t att)
{
	return dp_nl_id_op(DMAPEEK_CMD_ATTACHMENT_MAP, DMAPEEK_A_ATTACHMENT_ID, att);
}

static inline int dp_nl_unmap(uint32_t att)
{
	return dp_nl_id_op(DMAPEEK_CMD_ATTACHMENT_UNMAP, DMAPEEK_A_ATTACHMENT_ID, att);
}

static inline int dp_nl_restore(uint32_t buffer)
{
	return dp_nl_id_op(DMAPEEK_CMD_BUFFER_RESTORE, DMAPEEK_A_BUFFER_ID, buffer);
}

/*
 * Revoke @buffer (@prov 0) or move it to @prov, waiting up to @timeout_ms
 * (0: the module's 1000) for importers, and then for the done event.
 * Returns the request's refusal (-errno), or 0 with the outcome in @d
 * (-ETIMEDOUT: no done event came).
 */
static inline int dp_nl_buffer_op(int revoke, uint32_t buffer, uint32_t prov,
				  uint32_t timeout_ms, struct dp_nl_done *d)
{
	struct dp_nl_req r = { .op_attr = revoke ? DMAPEEK_A_REVOKE_OP : DMAPEEK_A_BUFFER_OP };
	struct nl_sock *ev = dp_nl_ev_open();
	int ret;

	memset(d, 0, sizeof(*d));
	if (!ev)
		return -errno;
	if (revoke)
		ret = dp_nl_req(DMAPEEK_CMD_BUFFER_REVOKE, &r,
				DMAPEEK_A_REVOKE_BUFFER_ID, buffer,
				timeout_ms ? DMAPEEK_A_REVOKE_TIMEOUT_MS : 0, timeout_ms, 0, 0);
	else
		ret = dp_nl_req(DMAPEEK_CMD_BUFFER_MOVE, &r, DMAPEEK_A_BUFFER_ID, buffer,
				DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID, prov,
				timeout_ms ? DMAPEEK_A_BUFFER_TIMEOUT_MS : 0, timeout_ms);
	if (!ret && !r.op)
		ret = -EPROTO;
	if (ret) {
		nl_socket_free(ev);
		return ret;
	}
	d->op = r.op;
	return dp_nl_ev_wait(ev, timeout_ms, d);
}

#endif
