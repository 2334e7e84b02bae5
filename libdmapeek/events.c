// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: lifecycle events from the "events" multicast group.
 *
 * A second socket joins the group, so a dump or request on the main
 * socket never interleaves with events.  When the socket's receive queue
 * overflows the kernel drops events and reports ENOBUFS once; the library
 * turns that into a count of lost events, exact when /proc/net/netlink
 * (the kernel's per-socket drop counter) is readable, else at least one
 * per overrun.  The kernel reports ENOBUFS only at the start of an
 * overrun: until the queue is empty again it drops every further event
 * without a word, so the count is read once more when the queue has been
 * drained (the first EAGAIN after an overrun).
 *
 * A module of ABI 1.2 or later numbers its events (seq): the library adds
 * up the gaps between the numbers of the events it reads, which counts
 * every event this listener never got, whether its socket or the module
 * lost it (the event's dropped attribute counts the module's share).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"

#define DP_EV_RCVBUF	(4 << 20)

/*
 * The drop counter of the netlink socket with inode @ino, from the text
 * of /proc/net/netlink: "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode".
 */
int dp_parse_netlink_drops(const char *text, unsigned long ino, uint64_t *drops)
{
	const char *line = text;

	while (line && *line) {
		unsigned long long d;
		unsigned long i;

		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %llu %lu",
			   &d, &i) == 2 && i == ino) {
			*drops = d;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

static int dp_ev_drops(struct dmapeek *ctx, uint64_t *drops)
{
	char *text;
	int err;

	if (!ctx->ev_ino)
		return -ENOENT;
	text = dp_read_file("/proc/net/netlink", &err);
	if (!text)
		return err;
	err = err ? err : dp_parse_netlink_drops(text, ctx->ev_ino, drops);
	free(text);
	return err;
}

void dp_events_close(struct dmapeek *ctx)
{
	dp_stream_close(&ctx->ev);
	dp_obj_release(&ctx->ev_obj);
}

DMAPEEK_EXPORT int dmapeek_event_subscribe(struct dmapeek *ctx)
{
	unsigned int grp = ctx->mcgrp_events;
	int size = DP_EV_RCVBUF, fd, err;
	struct stat st;

	if (ctx->ev.nl)
		return 0;
	if (!grp)
		return dp_errno(ENOENT);	/* the module has no events group */
	err = dp_stream_open(&ctx->ev, ctx->buf_size);
	if (err)
		return dp_errno(err);
	fd = mnl_socket_get_fd(ctx->ev.nl);
	/* A deep queue for bursts; FORCE works for root, beyond rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_setsockopt(ctx->ev.nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		err = -errno;
		dp_events_close(ctx);
		return dp_errno(err);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (fstat(fd, &st) == 0)
		ctx->ev_ino = st.st_ino;
	ctx->ev_lost = 0;
	ctx->ev_congested = false;
	ctx->ev_last_seq = 0;
	ctx->ev_missed = 0;
	if (dp_ev_drops(ctx, &ctx->ev_drops))
		ctx->ev_drops = 0;
	dp_obj_init(&ctx->ev_obj, DP_EVENT);
	return 0;
}

DMAPEEK_EXPORT int dmapeek_event_fd(const struct dmapeek *ctx)
{
	if (!ctx->ev.nl)
		return dp_errno(EBADF);
	return mnl_socket_get_fd(ctx->ev.nl);
}

DMAPEEK_EXPORT uint64_t dmapeek_event_lost(const struct dmapeek *ctx)
{
	return ctx->ev_lost;
}

DMAPEEK_EXPORT uint64_t dmapeek_event_missed(const struct dmapeek *ctx)
{
	return ctx->ev_missed;
}

/*
 * Account the number of the event just read: a jump past the next number
 * is events missed.  A number not above the last one is a module loaded
 * again (its numbers start over): a new stream, no gap.
 */
void dp_ev_account_seq(struct dmapeek *ctx, const struct dp_obj *ev)
{
	uint64_t seq;

	if (!(ev->present & (1U << DMAPEEK_A_EVENT_SEQ)))
		return;		/* an older module */
	seq = ev->v[DMAPEEK_A_EVENT_SEQ];
	if (ctx->ev_last_seq && seq > ctx->ev_last_seq + 1)
		ctx->ev_missed += seq - ctx->ev_last_seq - 1;
	ctx->ev_last_seq = seq;
}

/*
 * Add to the events lost what the socket's drop counter gained since it
 * was last read: true if it gained, false if not or it cannot be read.
 */
static bool dp_ev_count_drops(struct dmapeek *ctx)
{
	uint64_t drops;

	if (dp_ev_drops(ctx, &drops) || drops <= ctx->ev_drops)
		return false;
	ctx->ev_lost += drops - ctx->ev_drops;
	ctx->ev_drops = drops;
	return true;
}

/* The queue drained after an overrun: count what was dropped since. */
static void dp_ev_drained(struct dmapeek *ctx)
{
	ctx->ev_congested = false;
	if (dp_ev_count_drops(ctx))
		dmapeek_log(ctx, DMAPEEK_LOG_WARNING, "event queue drained: %" PRIu64
			    " events lost so far", ctx->ev_lost);
}

static void dp_ev_overrun(struct dmapeek *ctx)
{
	ctx->ev_congested = true;
	if (!dp_ev_count_drops(ctx))
		ctx->ev_lost++;		/* at least one */
	dmapeek_log(ctx, DMAPEEK_LOG_WARNING, "event queue overrun: %" PRIu64
		    " events lost so far", ctx->ev_lost);
}

DMAPEEK_EXPORT const struct dmapeek_event *dmapeek_event_read(struct dmapeek *ctx)
{
	struct dp_stream *s = &ctx->ev;

	if (!s->nl) {
		errno = EBADF;
		return NULL;
	}
	for (;;) {
		const struct nlmsghdr *h;
		ssize_t n;

		if (s->off >= s->len) {
			n = recv(mnl_socket_get_fd(s->nl), s->buf, s->buf_size,
				 MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == ENOBUFS) {
					dp_ev_overrun(ctx);
					errno = ENOBUFS;
				} else if (errno == EAGAIN && ctx->ev_congested) {
					dp_ev_drained(ctx);
					errno = EAGAIN;
				}
				return NULL;
			}
			s->len = (size_t)n;
			s->off = 0;
		}
		h = (const struct nlmsghdr *)(s->buf + s->off);
		if (s->len - s->off < sizeof(*h) || h->nlmsg_len < sizeof(*h) ||
		    h->nlmsg_len > s->len - s->off) {
			s->off = s->len;	/* drop the rest of a bad batch */
			errno = EBADMSG;
			return NULL;
		}
		s->off += NLMSG_ALIGN(h->nlmsg_len);
		if (h->nlmsg_type != ctx->family_id ||
		    mnl_nlmsg_get_payload_len(h) < sizeof(struct genlmsghdr))
			continue;
		if (((const struct genlmsghdr *)mnl_nlmsg_get_payload(h))->cmd !=
		    DMAPEEK_CMD_EVENT_NTF)
			continue;	/* a newer module's other notifications */
		if (dp_obj_parse(ctx, &ctx->ev_obj, h))
			return NULL;
		dp_ev_account_seq(ctx, &ctx->ev_obj);
		return (const struct dmapeek_event *)&ctx->ev_obj;
	}
}
