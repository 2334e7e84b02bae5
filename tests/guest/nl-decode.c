// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl-decode: the tests' independent decoder of dmapeek's netlink family.
 *
 * It speaks to the module through libnl-genl, with its own parser and its
 * own copy of the family's policy, never through libdmapeek, so that the
 * library and the module cannot agree on a wrong wire format unseen.
 *
 *   nl-decode family     print "id=N events=M" (family and events group)
 *   nl-decode abi        print "MAJOR.MINOR" from abi-get
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/dmapeek.h>

static struct nla_policy abi_policy[DMAPEEK_A_ABI_MAX + 1] = {
	[DMAPEEK_A_ABI_MAJOR] = { .type = NLA_U32 },
	[DMAPEEK_A_ABI_MINOR] = { .type = NLA_U32 },
};

static int abi_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[DMAPEEK_A_ABI_MAX + 1];
	int *done = arg;
	int err;

	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, DMAPEEK_A_ABI_MAX, abi_policy);
	if (err < 0) {
		fprintf(stderr, "nl-decode: abi reply: %s\n", nl_geterror(err));
		return NL_STOP;
	}
	if (!tb[DMAPEEK_A_ABI_MAJOR] || !tb[DMAPEEK_A_ABI_MINOR]) {
		fprintf(stderr, "nl-decode: abi reply lacks major/minor\n");
		return NL_STOP;
	}
	printf("%u.%u\n", nla_get_u32(tb[DMAPEEK_A_ABI_MAJOR]),
	       nla_get_u32(tb[DMAPEEK_A_ABI_MINOR]));
	*done = 1;
	return NL_OK;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, grp, err, done = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: nl-decode family|abi\n");
		return 2;
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "nl-decode: cannot open a generic netlink socket\n");
		return 1;
	}
	family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME);
	if (family < 0) {
		fprintf(stderr, "nl-decode: family %s: %s\n", DMAPEEK_FAMILY_NAME,
			nl_geterror(family));
		return 1;
	}
	if (!strcmp(argv[1], "family")) {
		grp = genl_ctrl_resolve_grp(sk, DMAPEEK_FAMILY_NAME,
					    DMAPEEK_MCGRP_EVENTS);
		if (grp < 0) {
			fprintf(stderr, "nl-decode: group %s: %s\n",
				DMAPEEK_MCGRP_EVENTS, nl_geterror(grp));
			return 1;
		}
		printf("id=%d events=%d\n", family, grp);
		return 0;
	}
	if (strcmp(argv[1], "abi")) {
		fprintf(stderr, "nl-decode: unknown request %s\n", argv[1]);
		return 2;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, abi_cb, &done);
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
				 DMAPEEK_CMD_ABI_GET, DMAPEEK_FAMILY_VERSION))
		return 1;
	err = nl_send_auto(sk, msg);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	if (err >= 0)
		err = nl_wait_for_ack(sk);
	nlmsg_free(msg);
	nl_socket_free(sk);
	if (err < 0) {
		fprintf(stderr, "nl-decode: abi-get: %s\n", nl_geterror(err));
		return 1;
	}
	return done ? 0 : 1;
}
