// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp's netlink commands (listed in dp.c): dump and get the module's
 * objects, revoke, restore and move buffers, and hear the events, each
 * reply printed attribute by attribute with its own names, so that a test
 * sees what the module sent and not what a decoder made of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/dmapeek.h>

#include "dp.h"
#include "lab-util.h"
#include "nl-op.h"
#include "nl-sock.h"

/* ---------------------------------------------------------------- netlink */

struct aname {
	const char *name;
	char type;	/* u: u32/uint, s: string, b: u8, r: range nest, n: nest */
};

static const struct aname buffer_attrs[DMAPEEK_A_BUFFER_MAX + 1] = {
	[DMAPEEK_A_BUFFER_ID] = { "id", 'u' },
	[DMAPEEK_A_BUFFER_INODE] = { "inode", 'u' },
	[DMAPEEK_A_BUFFER_NAME] = { "name", 's' },
	[DMAPEEK_A_BUFFER_SIZE] = { "size", 'u' },
	[DMAPEEK_A_BUFFER_MODEL] = { "model", 'u' },
	[DMAPEEK_A_BUFFER_PROVIDER_ID] = { "provider", 'u' },
	[DMAPEEK_A_BUFFER_STATE] = { "state", 'u' },
	[DMAPEEK_A_BUFFER_RANGE] = { "range", 'r' },
	[DMAPEEK_A_BUFFER_ATTACHMENTS] = { "attachments", 'u' },
	[DMAPEEK_A_BUFFER_PINS] = { "pins", 'u' },
	[DMAPEEK_A_BUFFER_MOVES] = { "moves", 'u' },
	[DMAPEEK_A_BUFFER_REVOKES] = { "revokes", 'u' },
	[DMAPEEK_A_BUFFER_CREATED_NS] = { "created_ns", 'u' },
};

static const struct aname attachment_attrs[DMAPEEK_A_ATTACHMENT_MAX + 1] = {
	[DMAPEEK_A_ATTACHMENT_ID] = { "id", 'u' },
	[DMAPEEK_A_ATTACHMENT_BUFFER_ID] = { "buffer", 'u' },
	[DMAPEEK_A_ATTACHMENT_INODE] = { "inode", 'u' },
	[DMAPEEK_A_ATTACHMENT_EXP_NAME] = { "exp_name", 's' },
	[DMAPEEK_A_ATTACHMENT_SIZE] = { "size", 'u' },
	[DMAPEEK_A_ATTACHMENT_IMPORTER_DEV] = { "dev", 's' },
	[DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER] = { "driver", 's' },
	[DMAPEEK_A_ATTACHMENT_DEVICE_ID] = { "device", 'u' },
	[DMAPEEK_A_ATTACHMENT_FLAGS] = { "flags", 'u' },
	[DMAPEEK_A_ATTACHMENT_MAP_TYPE] = { "map_type", 'u' },
	[DMAPEEK_A_ATTACHMENT_BEHAVIOUR] = { "behaviour", 'u' },
	[DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS] = { "unmap_delay_ms", 'u' },
	[DMAPEEK_A_ATTACHMENT_MAPPED] = { "mapped", 'b' },
	[DMAPEEK_A_ATTACHMENT_MAPS] = { "maps", 'u' },
	[DMAPEEK_A_ATTACHMENT_UNMAPS] = { "unmaps", 'u' },
	[DMAPEEK_A_ATTACHMENT_INVALIDATIONS] = { "invalidations", 'u' },
	[DMAPEEK_A_ATTACHMENT_LAST_MAP_NS] = { "last_map_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_LAST_UNMAP_NS] = { "last_unmap_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_LAST_INVALIDATE_NS] = { "last_invalidate_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS] = { "last_unmap_latency_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS] = { "max_unmap_latency_ns", 'u' },
	[DMAPEEK_A_ATTACHMENT_STUCK] = { "stuck", 'b' },
	[DMAPEEK_A_ATTACHMENT_REVOKED_SEEN] = { "revoked_seen", 'u' },
};

static const struct aname provider_attrs[DMAPEEK_A_PROVIDER_MAX + 1] = {
	[DMAPEEK_A_PROVIDER_ID] = { "id", 'u' },
	[DMAPEEK_A_PROVIDER_KIND] = { "kind", 'u' },
	[DMAPEEK_A_PROVIDER_DEVICE_ID] = { "device", 'u' },
	[DMAPEEK_A_PROVIDER_BDF] = { "bdf", 's' },
	[DMAPEEK_A_PROVIDER_BAR] = { "bar", 'u' },
	[DMAPEEK_A_PROVIDER_SIZE] = { "size", 'u' },
	[DMAPEEK_A_PROVIDER_PHYS_START] = { "phys_start", 'u' },
	[DMAPEEK_A_PROVIDER_BUS_OFFSET] = { "bus_offset", 'u' },
	[DMAPEEK_A_PROVIDER_BYTES_EXPORTED] = { "bytes_exported", 'u' },
	[DMAPEEK_A_PROVIDER_BUFFERS] = { "buffers", 'u' },
};

static const struct aname device_attrs[DMAPEEK_A_DEVICE_MAX + 1] = {
	[DMAPEEK_A_DEVICE_ID] = { "id", 'u' },
	[DMAPEEK_A_DEVICE_BDF] = { "bdf", 's' },
	[DMAPEEK_A_DEVICE_VENDOR] = { "vendor", 'u' },
	[DMAPEEK_A_DEVICE_DEVICE] = { "device", 'u' },
	[DMAPEEK_A_DEVICE_IOMMU_GROUP] = { "iommu_group", 'i' },
	[DMAPEEK_A_DEVICE_DOMAIN_TYPE] = { "domain_type", 'u' },
	[DMAPEEK_A_DEVICE_ATTACHMENTS] = { "attachments", 'u' },
};

static const struct aname mapping_attrs[DMAPEEK_A_MAPPING_MAX + 1] = {
	[DMAPEEK_A_MAPPING_ID] = { "id", 'u' },
	[DMAPEEK_A_MAPPING_ATTACHMENT_ID] = { "attachment", 'u' },
	[DMAPEEK_A_MAPPING_PATH] = { "path", 'u' },
	[DMAPEEK_A_MAPPING_SIZE] = { "size", 'u' },
	[DMAPEEK_A_MAPPING_RANGE] = { "range", 'r' },
	[DMAPEEK_A_MAPPING_MAP_NS] = { "map_ns", 'u' },
};

static const struct aname revoke_attrs[DMAPEEK_A_REVOKE_MAX + 1] = {
	[DMAPEEK_A_REVOKE_BUFFER_ID] = { "buffer", 'u' },
	[DMAPEEK_A_REVOKE_TIMEOUT_MS] = { "timeout_ms", 'u' },
	[DMAPEEK_A_REVOKE_DURATION_NS] = { "duration_ns", 'u' },
	[DMAPEEK_A_REVOKE_ATTACHMENTS] = { "attachments", 'u' },
	[DMAPEEK_A_REVOKE_STUCK] = { "stuck", 'u' },
	[DMAPEEK_A_REVOKE_ATTACHMENT] = { "att", 'n' },
	[DMAPEEK_A_REVOKE_OP] = { "op", 'u' },
};

static const struct aname revoke_att_attrs[DMAPEEK_A_REVOKE_ATTACHMENT_MAX + 1] = {
	[DMAPEEK_A_REVOKE_ATTACHMENT_ID] = { "id", 'u' },
	[DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS] = { "unmap_ns", 'u' },
	[DMAPEEK_A_REVOKE_ATTACHMENT_STUCK] = { "stuck", 'b' },
};

static const struct aname event_attrs[DMAPEEK_A_EVENT_MAX + 1] = {
	[DMAPEEK_A_EVENT_TYPE] = { "type", 'u' },
	[DMAPEEK_A_EVENT_TIMESTAMP_NS] = { "ts", 'u' },
	[DMAPEEK_A_EVENT_BUFFER_ID] = { "buffer", 'u' },
	[DMAPEEK_A_EVENT_ATTACHMENT_ID] = { "attachment", 'u' },
	[DMAPEEK_A_EVENT_MAPPING_ID] = { "mapping", 'u' },
	[DMAPEEK_A_EVENT_PROVIDER_ID] = { "provider", 'u' },
	[DMAPEEK_A_EVENT_DURATION_NS] = { "duration_ns", 'u' },
	[DMAPEEK_A_EVENT_COUNT] = { "count", 'u' },
	[DMAPEEK_A_EVENT_ERROR] = { "error", 'i' },
	[DMAPEEK_A_EVENT_OP] = { "op", 'u' },
};

static void print_attrs(struct nlattr *head, int len, const struct aname *names,
			int max, const char *prefix)
{
	struct nlattr *a, *r;
	int rem, rrem, nr = 0;

	nla_for_each_attr(a, head, len, rem) {
		int t = nla_type(a);

		if (t > max || !names[t].name) {
			/*
			 * An event attribute newer than this header: "aN=V"
			 * (N its number in the spec), for the tests to find.
			 */
			if (names == event_attrs && (nla_len(a) == 4 || nla_len(a) == 8))
				printf(" %sa%d=%" PRIu64, prefix, t, dp_nl_uint(a));
			continue;
		}
		switch (names[t].type) {
		case 'u':
			printf(" %s%s=%" PRIu64, prefix, names[t].name, dp_nl_uint(a));
			break;
		case 'i':
			printf(" %s%s=%d", prefix, names[t].name, (int)nla_get_u32(a));
			break;
		case 'b':
			printf(" %s%s=%u", prefix, names[t].name, nla_get_u8(a));
			break;
		case 's':
			printf(" %s%s=%s", prefix, names[t].name, nla_get_string(a));
			break;
		case 'n': {
			char p[32];

			snprintf(p, sizeof(p), "%s%d.", names[t].name, nr++);
			print_attrs(nla_data(a), nla_len(a), revoke_att_attrs,
				    DMAPEEK_A_REVOKE_ATTACHMENT_MAX, p);
			break;
		}
		case 'r':
			nla_for_each_nested(r, a, rrem) {
				const char *n[] = { "", "off", "len", "addr", "kind" };
				int rt = nla_type(r);

				if (rt >= 1 && rt <= 4)
					printf(" r%d.%s=%#" PRIx64, nr, n[rt], dp_nl_uint(r));
			}
			nr++;
			break;
		}
	}
	if (names == buffer_attrs || names == mapping_attrs)
		printf(" nr_ranges=%d", nr);
}

static const struct aname *cur_names;
static int cur_max;
static int nl_err;

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	printf("%s", (char *)arg);
	print_attrs(genlmsg_attrdata(nlmsg_data(nlh), 0),
		    genlmsg_attrlen(nlmsg_data(nlh), 0), cur_names, cur_max, "");
	printf("\n");
	fflush(stdout);
	return NL_OK;
}

static int nl_done;

static int done_cb(struct nl_msg *msg __attribute__((unused)),
		   void *arg __attribute__((unused)))
{
	nl_done = 1;
	return NL_STOP;
}

static char nl_extack[256];

static int err_cb(struct sockaddr_nl *nla __attribute__((unused)), struct nlmsgerr *err,
		  void *arg __attribute__((unused)))
{
	nl_err = err->error;
	nl_done = 1;
	nl_extack[0] = 0;
	dp_nl_extack(err, nl_extack, sizeof(nl_extack));
	return NL_STOP;
}

static struct nl_sock *nl_open(int *family)
{
	struct nl_sock *sk = dp_nl_connect();

	if (!sk) {
		printf("err netlink\n");
		exit(1);
	}
	*family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME);
	if (*family < 0) {
		printf("err family\n");
		exit(1);
	}
	return sk;
}

/* One u32 attribute of a request; attr 0: none. */
struct nl_u32 {
	int attr;
	unsigned int val;
};

/* Join @sk to the events group: 0, or -1 when that cannot be. */
static int nl_join_events(struct nl_sock *sk)
{
	int grp = genl_ctrl_resolve_grp(sk, DMAPEEK_FAMILY_NAME, DMAPEEK_MCGRP_EVENTS);

	nl_socket_disable_seq_check(sk);
	return grp < 0 || nl_socket_add_membership(sk, grp) ? -1 : 0;
}

/* Read @sk until *@stop (NULL: never) or the time @end, 100 ms a wait. */
static void nl_listen(struct nl_sock *sk, time_t end, const int *stop)
{
	while (!(stop && *stop) && time(NULL) < end) {
		struct timeval tv = { 0, 100000 };
		fd_set fds;

		FD_ZERO(&fds);
		FD_SET(nl_socket_get_fd(sk), &fds);
		if (select(nl_socket_get_fd(sk) + 1, &fds, NULL, NULL, &tv) > 0)
			nl_recvmsgs_default(sk);
	}
}

/*
 * Send @cmd with the attributes @attrs (@nr of them) on @sk, a socket of
 * @family, each answer to @valid with @arg, until the ack or the dump's
 * end; frees @sk.  Prints the refusal; returns 0 or 1.
 */
static int nl_transact(struct nl_sock *sk, int family, int cmd, int dump,
		       const struct nl_u32 *attrs, int nr,
		       nl_recvmsg_msg_cb_t valid, void *arg)
{
	struct nl_msg *msg;
	int err, i;

	nl_err = 0;
	nl_done = 0;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	nl_socket_modify_cb(sk, NL_CB_ACK, NL_CB_CUSTOM, done_cb, NULL);
	nl_socket_modify_cb(sk, NL_CB_FINISH, NL_CB_CUSTOM, done_cb, NULL);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, err_cb, NULL);
	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
		    dump ? NLM_F_DUMP : 0, cmd, DMAPEEK_FAMILY_VERSION);
	for (i = 0; i < nr; i++)
		if (attrs[i].attr)
			nla_put_u32(msg, attrs[i].attr, attrs[i].val);
	err = nl_send_auto(sk, msg);
	while (err >= 0 && !nl_done)
		err = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	nl_socket_free(sk);
	if (nl_err) {
		if (dp_show_extack && nl_extack[0])
			printf("err %s %s\n", lab_errno_name(-nl_err), nl_extack);
		else
			printf("err %s\n", lab_errno_name(-nl_err));
		return 1;
	}
	if (err < 0) {
		printf("err %s\n", nl_geterror(err));
		return 1;
	}
	return 0;
}

/* Send @cmd with the u32 attribute @attr (0: none), each answer printed as @tag. */
static int nl_request(int cmd, int dump, const struct aname *names, int max,
		      const char *tag, int attr, unsigned int val)
{
	const struct nl_u32 a = { attr, val };
	struct nl_sock *sk;
	int family;

	sk = nl_open(&family);
	cur_names = names;
	cur_max = max;
	return nl_transact(sk, family, cmd, dump, &a, 1, valid_cb, (void *)tag);
}

/* ------------------------------------------ revoke and move over netlink */

static uint64_t op_reply;

/* The answer's op number (attribute @arg), nothing printed: the done event says it all. */
static int op_reply_quiet_cb(struct nl_msg *msg, void *arg)
{
	dp_nl_take_op(msg, (int)(long)arg, &op_reply);
	return NL_OK;
}

/* The answer's op number, and the answer printed. */
static int op_reply_cb(struct nl_msg *msg, void *arg)
{
	dp_nl_take_op(msg, (int)(long)arg, &op_reply);
	return valid_cb(msg, (void *)(((long)arg == DMAPEEK_A_REVOKE_OP) ? "revoke" : "move"));
}

struct op_done {
	struct dp_nl_done done;
	const char *tag;	/* "revoke": print the outcome */
	unsigned int buffer, timeout_ms;
};

/* The done event of d->done.op (nl-op.h's reading), a revoke's printed. */
static int op_done_cb(struct nl_msg *msg, void *arg)
{
	struct op_done *d = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a;
	int rem, n = 0;

	if (d->done.found)
		return NL_OK;
	dp_nl_done_cb(msg, &d->done);
	if (!d->done.found || strcmp(d->tag, "revoke"))
		return NL_OK;
	printf("revoke buffer=%u timeout_ms=%u duration_ns=%" PRIu64 " attachments=%u stuck=%u op=%" PRIu64,
	       d->buffer, d->timeout_ms, d->done.duration_ns, d->done.attachments,
	       d->done.stuck, d->done.op);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		char p[32];

		if (nla_type(a) != DMAPEEK_A_EVENT_ATTACHMENT)
			continue;
		snprintf(p, sizeof(p), "att%d.", n++);
		print_attrs(nla_data(a), nla_len(a), revoke_att_attrs,
			    DMAPEEK_A_REVOKE_ATTACHMENT_MAX, p);
	}
	printf("\n");
	fflush(stdout);
	return NL_OK;
}

/*
 * A revoke (@op_attr DMAPEEK_A_REVOKE_OP) or a move over netlink: listen
 * to the events first, send, take the op number from the answer, then
 * wait for the done event that carries it (@wait), up to the timeout and
 * 10 s.  Prints the outcome; returns 0 or 1.
 */
static int nl_op(int cmd, int op_attr, int wait, unsigned int buffer,
		 unsigned int timeout_ms, int attr2, unsigned int v2, int attr3,
		 unsigned int v3)
{
	struct op_done d = { .tag = op_attr == DMAPEEK_A_REVOKE_OP ? "revoke" : "move",
			     .buffer = buffer, .timeout_ms = timeout_ms ?: 1000 };
	const struct nl_u32 attrs[] = {
		{ op_attr == DMAPEEK_A_REVOKE_OP ? DMAPEEK_A_REVOKE_BUFFER_ID :
		  DMAPEEK_A_BUFFER_ID, buffer },
		{ attr2, v2 },
		{ attr3, v3 },
	};
	struct nl_sock *ev, *sk;
	int family;

	ev = nl_open(&family);
	/* without the events, the request is still made: its refusal says more */
	if (nl_join_events(ev))
		wait = -1;
	nl_socket_set_buffer_size(ev, 4 << 20, 0);
	nl_socket_modify_cb(ev, NL_CB_VALID, NL_CB_CUSTOM, op_done_cb, &d);

	sk = nl_open(&family);
	cur_names = op_attr == DMAPEEK_A_REVOKE_OP ? revoke_attrs : buffer_attrs;
	cur_max = op_attr == DMAPEEK_A_REVOKE_OP ? DMAPEEK_A_REVOKE_MAX : DMAPEEK_A_BUFFER_MAX;
	op_reply = 0;
	if (nl_transact(sk, family, cmd, 0, attrs, 3,
			wait > 0 ? op_reply_quiet_cb : op_reply_cb, (void *)(long)op_attr)) {
		nl_socket_free(ev);
		return 1;
	}
	if (!op_reply) {
		printf("err no op number in the answer\n");
		nl_socket_free(ev);
		return 1;
	}
	if (wait <= 0) {
		nl_socket_free(ev);
		if (wait < 0)
			printf("err cannot listen to the events\n");
		return wait < 0;
	}
	d.done.op = op_reply;
	nl_listen(ev, time(NULL) + d.timeout_ms / 1000 + 11, &d.done.found);
	nl_socket_free(ev);
	if (!d.done.found) {
		printf("err no done event for op %" PRIu64 "\n", d.done.op);
		return 1;
	}
	if (op_attr != DMAPEEK_A_REVOKE_OP) {
		if (d.done.error)
			printf("err %s\n", lab_errno_name(-d.done.error));
		else
			printf("ok\n");
		return d.done.error ? 1 : 0;
	}
	return 0;
}

static int events(int seconds)
{
	struct nl_sock *sk;
	int family;
	time_t end = time(NULL) + seconds;

	sk = nl_open(&family);
	nl_join_events(sk);
	cur_names = event_attrs;
	cur_max = DMAPEEK_A_EVENT_MAX;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, (void *)"event");
	nl_socket_set_nonblocking(sk);
	printf("listening\n");
	fflush(stdout);
	nl_listen(sk, end, NULL);
	nl_socket_free(sk);
	return 0;
}


/* ------------------------------------------------------------- commands */

/* The objects "dp dump" and "dp get" name; an unknown name is attachments. */
static const struct nl_kind {
	const char *dump;	/* dp dump's word */
	const char *tag;	/* each reply's first word, and dp get's */
	int cmd;
	const struct aname *names;
	int max;
	int filter_attr;	/* the dump's optional id: what it filters by */
	int get_attr;		/* the get's id, 0: no get */
} nl_kinds[] = {
	{ "providers", "provider", DMAPEEK_CMD_PROVIDER_GET, provider_attrs,
	  DMAPEEK_A_PROVIDER_MAX, 0, 0 },
	{ "devices", "device", DMAPEEK_CMD_DEVICE_GET, device_attrs,
	  DMAPEEK_A_DEVICE_MAX, 0, 0 },
	{ "mappings", "mapping", DMAPEEK_CMD_MAPPING_GET, mapping_attrs,
	  DMAPEEK_A_MAPPING_MAX, DMAPEEK_A_MAPPING_ATTACHMENT_ID, 0 },
	{ "buffers", "buffer", DMAPEEK_CMD_BUFFER_GET, buffer_attrs,
	  DMAPEEK_A_BUFFER_MAX, DMAPEEK_A_BUFFER_PROVIDER_ID, DMAPEEK_A_BUFFER_ID },
	/* last: the default */
	{ "attachments", "attachment", DMAPEEK_CMD_ATTACHMENT_GET, attachment_attrs,
	  DMAPEEK_A_ATTACHMENT_MAX, DMAPEEK_A_ATTACHMENT_BUFFER_ID,
	  DMAPEEK_A_ATTACHMENT_ID },
};

#define NR_KINDS	(int)(sizeof(nl_kinds) / sizeof(nl_kinds[0]))

int cmd_dump(int argc, char **argv)
{
	unsigned int f = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
	const struct nl_kind *k = nl_kinds;

	while (k < nl_kinds + NR_KINDS - 1 && strcmp(argv[1], k->dump))
		k++;
	return nl_request(k->cmd, 1, k->names, k->max, k->tag,
			  f ? k->filter_attr : 0, f);
}

int cmd_get(int argc __attribute__((unused)), char **argv)
{
	unsigned int id = strtoul(argv[2], NULL, 0);
	const struct nl_kind *k = nl_kinds;

	while (k < nl_kinds + NR_KINDS - 1 && (!k->get_attr || strcmp(argv[1], k->tag)))
		k++;
	return nl_request(k->cmd, 0, k->names, k->max, k->tag, k->get_attr, id);
}

/* revoke, and revoke-start (the answer only) */
int cmd_revoke(int argc __attribute__((unused)), char **argv)
{
	return nl_op(DMAPEEK_CMD_BUFFER_REVOKE, DMAPEEK_A_REVOKE_OP,
		     !strcmp(argv[0], "revoke"), (unsigned int)strtoul(argv[1], NULL, 0),
		     (unsigned int)strtoul(argv[2], NULL, 0),
		     DMAPEEK_A_REVOKE_TIMEOUT_MS, (unsigned int)strtoul(argv[2], NULL, 0),
		     0, 0);
}

int cmd_restore(int argc __attribute__((unused)), char **argv)
{
	int ret;

	ret = nl_request(DMAPEEK_CMD_BUFFER_RESTORE, 0, buffer_attrs,
			 DMAPEEK_A_BUFFER_MAX, "restore", DMAPEEK_A_BUFFER_ID,
			 (unsigned int)strtoul(argv[1], NULL, 0));
	if (!ret)
		printf("ok\n");
	return ret;
}

int cmd_move(int argc, char **argv)
{
	/* the timeout only when given: the module's default otherwise */
	return nl_op(DMAPEEK_CMD_BUFFER_MOVE, DMAPEEK_A_BUFFER_OP, 1,
		     (unsigned int)strtoul(argv[1], NULL, 0),
		     argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0) : 0,
		     DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID,
		     (unsigned int)strtoul(argv[2], NULL, 0),
		     argc > 3 ? DMAPEEK_A_BUFFER_TIMEOUT_MS : 0,
		     argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0) : 0);
}

int cmd_events(int argc __attribute__((unused)), char **argv)
{
	return events(atoi(argv[1]));
}
