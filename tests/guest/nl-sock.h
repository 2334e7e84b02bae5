/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test tools' libnl socket: generic netlink, connected, extended acks
 * on, and room for the largest reply dmapeek sends.
 *
 * libnl sizes its receive buffer to 32 KiB.  A get of an object with many
 * ranges is bigger (a 4 MiB system-memory buffer after a move has about a
 * thousand; the module grows a get's reply up to 2 MiB): the kernel drops
 * such a reply as an overrun, the next recvmsg() fails with ENOBUFS, and
 * libnl reports that as NLE_NOMEM, "Out of memory".  So ask for 4 MiB
 * (SO_RCVBUFFORCE as root, else as much as rmem_max allows) and let libnl
 * peek at each message's length before it reads it.
 */
#ifndef DMAPEEK_NL_SOCK_H
#define DMAPEEK_NL_SOCK_H

#include <stdio.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define DP_NL_RCVBUF	(4 << 20)

static inline struct nl_sock *dp_nl_connect(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, size = DP_NL_RCVBUF;

	if (!sk)
		return NULL;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) < 0)
		nl_socket_set_buffer_size(sk, size, 0);
	nl_socket_enable_msg_peek(sk);
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return sk;
}

/*
 * The module's extended-ack message of the error @e (an error callback's
 * argument) into @buf, which is left as it is when there is none.  The
 * attributes follow the error and the request's header, or the whole
 * request unless the kernel capped it (NLM_F_CAPPED).
 */
static inline void dp_nl_extack(struct nlmsgerr *e, char *buf, size_t size)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int ack_len = sizeof(*nlh) + sizeof(int) + sizeof(*nlh);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += e->msg.nlmsg_len - sizeof(*nlh);
	if ((int)nlh->nlmsg_len <= ack_len ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((unsigned char *)nlh + ack_len),
		      nlh->nlmsg_len - ack_len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(buf, size, "%s", (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

#endif
