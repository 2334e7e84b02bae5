// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the generic netlink transport, on libmnl.
 *
 * One socket per context.  Requests ask for an ack; errors carry the
 * kernel's extended-ack text, which is kept in the context.  A dump marked
 * interrupted (NLM_F_DUMP_INTR: objects came or went while it ran) is
 * reported as -EINTR so the caller can run it again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/dmapeek.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct dp_family_info {
	uint16_t id;
	uint32_t mcgrp_events;
};

static int dp_parse_mcgrp(const struct nlattr *nest, struct dp_family_info *fi)
{
	const struct nlattr *grp, *a;

	mnl_attr_for_each_nested(grp, nest) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, grp) {
			switch (mnl_attr_get_type(a)) {
			case CTRL_ATTR_MCAST_GRP_NAME:
				if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
					name = mnl_attr_get_str(a);
				break;
			case CTRL_ATTR_MCAST_GRP_ID:
				if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
					id = mnl_attr_get_u32(a);
				break;
			}
		}
		if (name && !strcmp(name, DMAPEEK_MCGRP_EVENTS))
			fi->mcgrp_events = id;
	}
	return MNL_CB_OK;
}

static int dp_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dp_family_info *fi = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
				fi->id = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			dp_parse_mcgrp(a, fi);
			break;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *dp_nl_hdr(struct dmapeek *ctx, uint16_t type,
				  uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/*
	 * Requests are small; start each on zeroes so that no stale byte
	 * reaches the kernel (libmnl before 1.0.5 leaves attribute padding
	 * as it finds it).
	 */
	memset(ctx->buf, 0, DP_NL_REQ_MAX < ctx->buf_size ? DP_NL_REQ_MAX : ctx->buf_size);
	nlh = mnl_nlmsg_put_header(ctx->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++ctx->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static int dp_abi_cb(const struct nlmsghdr *nlh, void *data);

/*
 * Once per context: a module of another ABI major has other operations
 * (ABI 2.0 took map, unmap, move, revoke, restore and audit off the
 * ioctls), so every request could mean something else.  Refuse it with
 * EPROTO rather than fail later, one operation at a time.
 */
static int dp_nl_check_abi(struct dmapeek *ctx)
{
	unsigned int v[2] = { 0, 0 };
	int err;

	err = dp_nl_talk(ctx, dp_nl_msg(ctx, DMAPEEK_CMD_ABI_GET, 0), dp_abi_cb, v);
	if (err) {
		dp_dbg(ctx, "abi-get: %s", strerror(-err));
		return err;
	}
	dp_dbg(ctx, "dmapeek.ko ABI %u.%u, libdmapeek ABI %u.%u", v[0], v[1],
	       DMAPEEK_ABI_MAJOR, DMAPEEK_ABI_MINOR);
	if (v[0] != DMAPEEK_ABI_MAJOR) {
		dp_err(ctx, "dmapeek.ko speaks ABI %u.%u, this libdmapeek ABI %u.%u: "
		       "install the dmapeek.ko of the same release as libdmapeek",
		       v[0], v[1], DMAPEEK_ABI_MAJOR, DMAPEEK_ABI_MINOR);
		return dp_errno(EPROTO);
	}
	return 0;
}

int dp_nl_open(struct dmapeek *ctx)
{
	struct dp_family_info fi = { 0 };
	struct nlmsghdr *nlh;
	int one = 1, err;

	ctx->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!ctx->nl)
		return dp_errno(errno);
	if (mnl_socket_bind(ctx->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return dp_errno(errno);
	ctx->portid = mnl_socket_get_portid(ctx->nl);
	/* Ask for the kernel's error text, and for short error acks. */
	mnl_socket_setsockopt(ctx->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(ctx->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	ctx->seq = (uint32_t)time(NULL);

	nlh = dp_nl_hdr(ctx, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DMAPEEK_FAMILY_NAME);
	err = dp_nl_talk(ctx, nlh, dp_family_cb, &fi);
	if (err == -ENOENT)
		dp_dbg(ctx, "no generic netlink family '%s': is dmapeek.ko loaded?",
		       DMAPEEK_FAMILY_NAME);
	if (err)
		return err;
	ctx->family_id = fi.id;
	ctx->mcgrp_events = fi.mcgrp_events;
	return dp_nl_check_abi(ctx);
}

struct nlmsghdr *dp_nl_msg(struct dmapeek *ctx, uint8_t cmd, uint16_t flags)
{
	return dp_nl_hdr(ctx, ctx->family_id, cmd, DMAPEEK_FAMILY_VERSION, flags);
}

/*
 * Keep the extended-ack text of an error message.  Returns the error as a
 * negative errno (0 for a plain ack).
 */
int dp_nl_error_msg(struct dmapeek *ctx, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(ctx->extack, sizeof(ctx->extack), "%s",
				 mnl_attr_get_str(a));
	}
	return e->error;
}

/*
 * libmnl hands the data callback and the control callbacks the same
 * pointer; give them this, so the control callbacks reach the context.
 */
struct dp_talk {
	struct dmapeek *ctx;
	mnl_cb_t cb;
	void *data;
};

static int dp_cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct dp_talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int dp_cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct dp_talk *t = data;
	int err = dp_nl_error_msg(t->ctx, nlh);

	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int dp_cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct dp_talk *t = data;
	const struct nlattr *a;
	int err;

	/* A failed dump ends in NLMSG_DONE carrying the error and extack. */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return MNL_CB_STOP;
	err = *(const int *)mnl_nlmsg_get_payload(nlh);
	if (err >= 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		mnl_attr_for_each(a, nlh, sizeof(int))
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(t->ctx->extack, sizeof(t->ctx->extack),
					 "%s", mnl_attr_get_str(a));
	}
	errno = -err;
	return MNL_CB_ERROR;
}

/*
 * Receive one datagram into ctx->buf, grown first to the datagram's size:
 * a get's reply holds a whole object, and one with many ranges is larger
 * than the default buffer.  The peek (MSG_TRUNC) tells the full length.
 */
static ssize_t dp_nl_recv(struct dmapeek *ctx)
{
	int fd = mnl_socket_get_fd(ctx->nl);
	ssize_t n;

	do
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return n;
	if ((size_t)n > ctx->buf_size) {
		char *buf = realloc(ctx->buf, (size_t)n);

		if (!buf) {
			errno = ENOMEM;
			return -1;
		}
		ctx->buf = buf;
		ctx->buf_size = (size_t)n;
	}
	return mnl_socket_recvfrom(ctx->nl, ctx->buf, ctx->buf_size);
}

/*
 * Send a request and run @cb on each reply until the ack (or the end of a
 * dump).  Returns 0 or a negative errno; -EINTR for an interrupted dump.
 */
int dp_nl_talk(struct dmapeek *ctx, struct nlmsghdr *nlh, mnl_cb_t cb,
	       void *data)
{
	static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = dp_cb_error,
		[NLMSG_DONE] = dp_cb_done,
	};
	struct dp_talk t = { .ctx = ctx, .cb = cb, .data = data };
	uint32_t seq = nlh->nlmsg_seq;
	bool intr = false;
	ssize_t n;
	int ret;

	ctx->extack[0] = '\0';
	if (mnl_socket_sendto(ctx->nl, nlh, nlh->nlmsg_len) < 0)
		return dp_errno(errno);
	do {
		const struct nlmsghdr *h;
		int len;

		n = dp_nl_recv(ctx);
		if (n < 0)
			return dp_errno(errno);
		len = (int)n;
		for (h = (const struct nlmsghdr *)ctx->buf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len))
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
		errno = 0;
		ret = mnl_cb_run2(ctx->buf, n, seq, ctx->portid, dp_cb_data, &t,
				  ctl_cb, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return dp_errno(errno ? errno : EIO);
	} while (ret != MNL_CB_STOP);
	return intr ? dp_errno(EINTR) : 0;
}

static int dp_abi_cb(const struct nlmsghdr *nlh, void *data)
{
	unsigned int *v = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			continue;
		switch (mnl_attr_get_type(a)) {
		case DMAPEEK_A_ABI_MAJOR:
			v[0] = mnl_attr_get_u32(a);
			break;
		case DMAPEEK_A_ABI_MINOR:
			v[1] = mnl_attr_get_u32(a);
			break;
		default:
			break;	/* newer module: skip what we do not know */
		}
	}
	return MNL_CB_OK;
}

DMAPEEK_EXPORT int dmapeek_abi_version(struct dmapeek *ctx, unsigned int *major,
				       unsigned int *minor)
{
	unsigned int v[2] = { 0, 0 };
	int err;

	err = dp_nl_talk(ctx, dp_nl_msg(ctx, DMAPEEK_CMD_ABI_GET, 0), dp_abi_cb, v);
	if (err)
		return err;
	*major = v[0];
	*minor = v[1];
	return 0;
}
