// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-nl: a seeded fuzzer for the "dmapeek" generic netlink family.
 *
 *   fuzz-nl [--seed N] [--ops N] [--time S] [--objects N] [--failslab]
 *
 * Before fuzzing it exports --objects small system-memory buffers (and, if
 * the edu client is bound, imports and maps a few), so dumps span several
 * messages and ids name real objects.  Every operation then sends one
 * message built from a valid request of a random command (including
 * unknown ones) and mutates it: attribute types, lengths, nesting flags,
 * payloads, truncated attribute headers, trailing bytes, the generic
 * netlink header, the nlmsg flags; some start a dump and walk away from
 * it (the dump cursor is left mid-way) or start a second request while a
 * dump is open.  Move, revoke, restore, map and unmap by id act on the
 * objects set up above.
 *
 * Checks: every NLMSG_ERROR carries an errno from the expected set; an
 * error to a well-formed request of a known command (not a plain
 * "operation not supported") carries an extended ack (a message, the
 * offending attribute's offset or the missing attribute's type); no
 * request goes unanswered.  Counts per errno and per command are printed
 * with the seed and the command line that replays the run.
 *
 * --failslab (t-failslab.sh: the kernel's failslab and fail_page_alloc
 * fail allocations of tasks with make-it-fail): every sendmsg and recvmsg
 * of the run is made with make-it-fail set (see failslab.h); the request
 * is handled in the sender's context, its reply and its ACK too, and a
 * dump goes on in recvmsg, so all of it may fail.  Fewer messages are
 * damaged: well-formed ones reach the allocations.  Besides the errnos
 * above, a request may then be refused with ENOBUFS (the netlink core
 * could not allocate the dump's skb) or EIO (a failed mapping), without
 * an extended ack; a sendmsg may fail (ENOBUFS: no skb for the request;
 * counted as send_failed); and a reply may be lost (its skb or the ACK's
 * could not be allocated: the socket's next recvmsg says ENOBUFS; counted
 * as lost): the tool then opens a new socket, as a dump still running on
 * the old one would answer the next dump with EBUSY.  A request never
 * goes unanswered without that ENOBUFS.  Per command, "cmd NAME calls=N
 * acked=N enomem=N lost=N" counts the ENOMEMs and the lost replies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>

#include <dmapeek.h>
#include "lab-util.h"
#include "failslab.h"

#define MAX_OBJS	512
#define MSG_BYTES	1024

struct fzn {
	uint64_t rng;
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	int dev;
	uint32_t buf_ids[MAX_OBJS];
	int buf_fds[MAX_OBJS];
	unsigned int nbuf;
	uint32_t att_ids[16];
	unsigned int natt;
	uint32_t prov_ids[8];
	unsigned int nprov;
	char *rxbuf;
	size_t rxlen;

	unsigned long long ops, acks, replies, dumps_done, abandoned, overlapped;
	unsigned long long silent_sent, err[256], with_extack, without_extack;
	unsigned long long unexpected, cmd_calls[32];
	/* under --failslab */
	unsigned long long cmd_acks[32], cmd_enomem[32], cmd_lost[32];
	unsigned long long send_failed, lost;
};

static const char *const cmd_names[] = {
	[DMAPEEK_CMD_ABI_GET] = "abi-get",
	[DMAPEEK_CMD_PROVIDER_GET] = "provider-get",
	[DMAPEEK_CMD_DEVICE_GET] = "device-get",
	[DMAPEEK_CMD_BUFFER_GET] = "buffer-get",
	[DMAPEEK_CMD_ATTACHMENT_GET] = "attachment-get",
	[DMAPEEK_CMD_MAPPING_GET] = "mapping-get",
	[DMAPEEK_CMD_P2P_GET] = "p2p-get",
	[DMAPEEK_CMD_BUFFER_MOVE] = "buffer-move",
	[DMAPEEK_CMD_BUFFER_REVOKE] = "buffer-revoke",
	[DMAPEEK_CMD_BUFFER_RESTORE] = "buffer-restore",
	[DMAPEEK_CMD_ATTACHMENT_MAP] = "attachment-map",
	[DMAPEEK_CMD_ATTACHMENT_UNMAP] = "attachment-unmap",
	[DMAPEEK_CMD_MAPPING_AUDIT] = "mapping-audit",
	[DMAPEEK_CMD_EVENT_NTF] = "event-ntf",
	[DMAPEEK_CMD_BUFFER_DELETE] = "buffer-delete",
	[DMAPEEK_CMD_ATTACHMENT_DELETE] = "attachment-delete",
};

static uint64_t rnd(struct fzn *f)
{
	return rng_next(&f->rng);
}

static uint32_t below(struct fzn *f, uint32_t n)
{
	return rng_below(&f->rng, n);
}

static int chance(struct fzn *f, unsigned int one_in)
{
	return below(f, one_in) == 0;
}

/* Errnos the family (its handlers and the genetlink core) may answer. */
static int errno_expected(int e)
{
	switch (e) {
	case EINVAL: case ERANGE: case ENOENT: case ENODEV: case EOPNOTSUPP:
	case EALREADY: case ENXIO: case EBUSY: case EMSGSIZE: case ENOMEM:
	case ETIMEDOUT: case ESTALE: case E2BIG: case EADDRINUSE: case ENOSPC:
	case EOVERFLOW:
		return 1;
	case ENOBUFS:	/* no skb for the dump */
	case EIO:	/* a mapping that failed for want of memory */
		return fi.on;
	}
	return 0;
}

/* The calls under test, with make-it-fail set under --failslab. */
static ssize_t fz_sendto(struct fzn *f, const void *buf, size_t len)
{
	ssize_t n;

	fi_begin();
	n = mnl_socket_sendto(f->nl, buf, len);
	fi_end();
	return n;
}

static ssize_t fz_recvfrom(struct fzn *f)
{
	ssize_t n;

	fi_begin();
	n = mnl_socket_recvfrom(f->nl, f->rxbuf, f->rxlen);
	fi_end();
	return n;
}

/* ------------------------------------------------------------ socket */

static int nl_open(struct fzn *f)
{
	int one = 1;

	f->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!f->nl || mnl_socket_bind(f->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	mnl_socket_setsockopt(f->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	{
		struct timeval tv = { .tv_sec = 5 };

		setsockopt(mnl_socket_get_fd(f->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	f->portid = mnl_socket_get_portid(f->nl);
	return 0;
}

static int family_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_cb, data);
}

static int resolve_family(struct fzn *f)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++f->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DMAPEEK_FAMILY_NAME);
	if (mnl_socket_sendto(f->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(f->nl, buf, sizeof(buf))) > 0) {
		n = mnl_cb_run(buf, n, f->seq, f->portid, family_msg_cb, &f->family);
		if (n <= MNL_CB_STOP)
			break;
	}
	return f->family ? 0 : -1;
}

/* ------------------------------------------------------------ objects */

/* Export small buffers so dumps span messages, and import a few. */
static int setup_objects(struct fzn *f, unsigned int n)
{
	struct dmapeek *ctx = dmapeek_new();
	struct dmapeek_provider *p;
	uint32_t sys = 0, edu = 0;
	struct dmapeek_device *d;
	unsigned int i;

	if (!ctx)
		return -1;
	dmapeek_for_each_device(ctx, d)
		if (dmapeek_device_vendor(d) == 0x1234)
			edu = dmapeek_device_id(d);
	/* not the edu's register BAR: a move there would write its registers */
	dmapeek_for_each_provider(ctx, p) {
		if (f->nprov < 8 && !(edu && dmapeek_provider_device_id(p) == edu &&
				      dmapeek_provider_kind(p) == DMAPEEK_PROVIDER_KIND_PCI_BAR))
			f->prov_ids[f->nprov++] = dmapeek_provider_id(p);
		if (dmapeek_provider_kind(p) == DMAPEEK_PROVIDER_KIND_SYSTEM)
			sys = dmapeek_provider_id(p);
	}
	dmapeek_free(ctx);
	ctx = NULL;

	f->dev = open("/dev/" DMAPEEK_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (f->dev < 0 || !sys)
		return -1;
	for (i = 0; i < n && i < MAX_OBJS; i++) {
		struct dmapeek_export e = {
			.size = sizeof(e), .provider_id = sys, .length = 4096,
			.model = 1 + i % 3,
		};

		snprintf(e.name, sizeof(e.name), "fuzz-nl-%u", i);
		if (ioctl(f->dev, DMAPEEK_IOC_EXPORT, &e))
			return -1;
		f->buf_ids[f->nbuf] = e.buffer_id;
		f->buf_fds[f->nbuf++] = e.fd;
	}
	for (i = 0; edu && i < f->nbuf && f->natt < 16; i += 7) {
		struct dmapeek_import im = { .size = sizeof(im), .fd = f->buf_fds[i],
					     .device_id = edu, .flags = DMAPEEK_IMPORT_DYNAMIC };

		if (ioctl(f->dev, DMAPEEK_IOC_IMPORT, &im)) {
			dmapeek_free(ctx);
			return -1;
		}
		/* map over netlink (ABI 2.0): any context may, by id */
		if (!ctx)
			ctx = dmapeek_new();
		if (ctx)
			dmapeek_map(ctx, im.attachment_id);
		f->att_ids[f->natt++] = im.attachment_id;
	}
	dmapeek_free(ctx);
	return 0;
}

static void teardown_objects(struct fzn *f)
{
	unsigned int i;

	for (i = 0; i < f->nbuf; i++)
		close(f->buf_fds[i]);
	close(f->dev);	/* releases the imports */
}

static int count_buffers(unsigned int *n)
{
	struct dmapeek *ctx = dmapeek_new();
	struct dmapeek_buffer *b;
	struct dmapeek_attachment *a;

	if (!ctx)
		return -1;
	*n = 0;
	dmapeek_for_each_buffer(ctx, b)
		(*n)++;
	dmapeek_for_each_attachment(ctx, a)
		(*n)++;
	dmapeek_free(ctx);
	return 0;
}

/* ------------------------------------------------------------ messages */

static uint32_t pick_id(struct fzn *f, int kind)
{
	if (!chance(f, 5)) {
		if (kind == 0 && f->nbuf)
			return f->buf_ids[below(f, f->nbuf)];
		if (kind == 1 && f->natt)
			return f->att_ids[below(f, f->natt)];
		if (kind == 2 && f->nprov)
			return f->prov_ids[below(f, f->nprov)];
		if (kind == 3)
			return 1 + below(f, 64);	/* mappings: small ids */
	}
	return chance(f, 2) ? below(f, 4) : (uint32_t)rnd(f);
}

/* The valid attributes of @cmd (for a "do", or its dump filter). */
static void put_valid(struct fzn *f, struct nlmsghdr *nlh, unsigned int cmd, int dump)
{
	switch (cmd) {
	case DMAPEEK_CMD_PROVIDER_GET:
		if (!dump)
			mnl_attr_put_u32(nlh, DMAPEEK_A_PROVIDER_ID, pick_id(f, 2));
		break;
	case DMAPEEK_CMD_DEVICE_GET:
		if (!dump)
			mnl_attr_put_u32(nlh, DMAPEEK_A_DEVICE_ID, 1 + below(f, 4));
		break;
	case DMAPEEK_CMD_BUFFER_GET:
		if (!dump)
			mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ID, pick_id(f, 0));
		else if (chance(f, 2))
			mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_PROVIDER_ID, pick_id(f, 2));
		break;
	case DMAPEEK_CMD_ATTACHMENT_GET:
		if (!dump)
			mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_ID, pick_id(f, 1));
		else if (chance(f, 2))
			mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_BUFFER_ID, pick_id(f, 0));
		break;
	case DMAPEEK_CMD_MAPPING_GET:
		if (!dump)
			mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_ID, pick_id(f, 3));
		else if (chance(f, 2))
			mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_ATTACHMENT_ID, pick_id(f, 1));
		break;
	case DMAPEEK_CMD_P2P_GET:
		if (!dump) {
			mnl_attr_put_strz(nlh, DMAPEEK_A_P2P_PROVIDER_BDF,
					  chance(f, 2) ? "0000:00:03.0" : "zz");
			mnl_attr_put_strz(nlh, DMAPEEK_A_P2P_CLIENT_BDF, "0000:00:04.0");
		}
		break;
	case DMAPEEK_CMD_BUFFER_MOVE:
		mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ID, pick_id(f, 0));
		mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID, pick_id(f, 2));
		mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_TIMEOUT_MS, 1 + below(f, 5));
		break;
	case DMAPEEK_CMD_BUFFER_REVOKE:
		mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_BUFFER_ID, pick_id(f, 0));
		mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_TIMEOUT_MS, 1 + below(f, 5));
		break;
	case DMAPEEK_CMD_BUFFER_RESTORE:
		mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ID, pick_id(f, 0));
		break;
	case DMAPEEK_CMD_ATTACHMENT_MAP:
	case DMAPEEK_CMD_ATTACHMENT_UNMAP:
		mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_ID, pick_id(f, 1));
		break;
	case DMAPEEK_CMD_MAPPING_AUDIT:
		mnl_attr_put_u32(nlh, DMAPEEK_A_AUDIT_MAPPING_ID, pick_id(f, 3));
		break;
	}
}

/* A random attribute: any type, flags, length; maybe nested garbage. */
static void put_random_attr(struct fzn *f, struct nlmsghdr *nlh)
{
	unsigned char payload[64];
	uint16_t type = below(f, 4) ? below(f, 24) : (uint16_t)rnd(f);
	unsigned int len = below(f, 4) ? (1u << below(f, 4)) : below(f, sizeof(payload));
	unsigned int i;

	if (nlh->nlmsg_len + 2 * MNL_ATTR_HDRLEN + sizeof(payload) > MSG_BYTES)
		return;
	for (i = 0; i < len; i++)
		payload[i] = chance(f, 3) ? 0 : (unsigned char)rnd(f);
	if (chance(f, 4)) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, type & NLA_TYPE_MASK);

		mnl_attr_put(nlh, below(f, 8), len, payload);
		if (chance(f, 2))
			mnl_attr_put_u32(nlh, below(f, 8), (uint32_t)rnd(f));
		mnl_attr_nest_end(nlh, nest);
		return;
	}
	mnl_attr_put(nlh, type & NLA_TYPE_MASK, len, payload);
	if (chance(f, 8)) {	/* flags bits on a flat attribute */
		struct nlattr *a = (void *)((char *)nlh + nlh->nlmsg_len -
					    MNL_ALIGN(MNL_ATTR_HDRLEN + len));

		a->nla_type |= chance(f, 2) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
	}
}

/*
 * Damage the last attribute: a length beyond the message or below the
 * header, or a few stray bytes after it.  The netlink framing stays sane:
 * the kernel must answer.
 */
static void damage_attrs(struct fzn *f, struct nlmsghdr *nlh, unsigned int attr_start)
{
	struct nlattr *a = (void *)((char *)nlh + attr_start);

	if (nlh->nlmsg_len <= attr_start) {
		memset(a, 0xa5, 3);	/* a truncated attribute header */
		nlh->nlmsg_len += 3;
		return;
	}
	switch (below(f, 4)) {
	case 0: a->nla_len = nlh->nlmsg_len - attr_start + 4 + below(f, 64); break;
	case 1: a->nla_len = below(f, MNL_ATTR_HDRLEN); break;
	case 2: a->nla_len = (uint16_t)rnd(f); break;
	default:
		memset((char *)nlh + nlh->nlmsg_len, 0x5a, 3);
		nlh->nlmsg_len += 1 + below(f, 3);	/* leftover bytes */
		break;
	}
}

static uint16_t pick_flags(struct fzn *f, int *dump)
{
	static const uint16_t extra[] = {
		0, NLM_F_ECHO, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC, NLM_F_REPLACE,
		NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND, NLM_F_NONREC,
	};
	uint16_t fl = NLM_F_REQUEST | NLM_F_ACK;

	*dump = chance(f, 6);
	if (*dump)
		fl |= NLM_F_DUMP;
	if (chance(f, 4))
		fl |= extra[below(f, 10)];
	if (chance(f, 40))
		fl &= ~NLM_F_REQUEST;	/* not a request: the core only acks it */
	*dump = (fl & NLM_F_DUMP) == NLM_F_DUMP && (fl & NLM_F_REQUEST);
	return fl;
}

/* ------------------------------------------------------------ replies */

struct reply {
	int done;
	int error;		/* >0 an errno from NLMSG_ERROR */
	int extack;		/* the error carried a message, offset or missing type */
	int data;		/* data messages */
	int bad;		/* malformed reply */
};

static void parse_error(const struct nlmsghdr *nlh, struct reply *r)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*e);
	const struct nlattr *a;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		r->bad = 1;
		return;
	}
	r->error = -e->error;
	if (e->error > 0 || e->error < -4095)
		r->bad = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	mnl_attr_for_each(a, nlh, off) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
		case NLMSGERR_ATTR_OFFS:
		case NLMSGERR_ATTR_MISS_TYPE:
			r->extack = 1;
			break;
		}
	}
}

/*
 * Read until every request in @r (seq[i]) has its ACK, error or end of
 * dump; with @one_batch, read a single batch.  Replies to older, abandoned
 * requests are skipped; replies to the others are kept apart by sequence.
 */
static int read_replies(struct fzn *f, const unsigned int *seq, struct reply *r,
			unsigned int nr, int one_batch)
{
	unsigned int i, left = nr;

	while (left) {
		int n = fz_recvfrom(f);
		const struct nlmsghdr *nlh = (void *)f->rxbuf;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			for (i = 0; i < nr && nlh->nlmsg_seq != seq[i]; i++)
				;
			if (i == nr || r[i].done)
				continue;	/* from an abandoned request */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_error(nlh, &r[i]);
				r[i].done = 1;
				left--;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				/* an int error, then (with NLM_F_ACK_TLVS) the extack */
				if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
					int err = *(int *)mnl_nlmsg_get_payload(nlh);

					r[i].error = -err;
					r[i].bad = err > 0 || err < -4095;
					r[i].extack = mnl_nlmsg_get_payload_len(nlh) > sizeof(int);
				}
				r[i].done = 1;
				left--;
			} else {
				r[i].data++;
			}
		}
		if (one_batch)
			break;
	}
	return 0;
}

static int read_reply(struct fzn *f, unsigned int seq, struct reply *r, int one_batch)
{
	return read_replies(f, &seq, r, 1, one_batch);
}

static void account(struct fzn *f, struct reply *r, int well_formed, unsigned int cmd)
{
	if (r->bad) {
		f->unexpected++;
		printf("malformed error reply at op %llu\n", f->ops);
		return;
	}
	if (!r->error) {
		f->acks++;
		f->cmd_acks[cmd < 31 ? cmd : 31]++;
		f->replies += r->data;
		return;
	}
	if (r->error == ENOMEM)
		f->cmd_enomem[cmd < 31 ? cmd : 31]++;
	f->err[r->error < 256 ? r->error : 255]++;
	if (!errno_expected(r->error)) {
		f->unexpected++;
		if (f->unexpected <= 20)
			printf("unexpected errno %d (%s) for cmd %u at op %llu\n", r->error,
			       strerror(r->error), cmd, f->ops);
		return;
	}
	if (r->extack)
		f->with_extack++;
	else
		f->without_extack++;
	/* a handler's refusal of a well-formed request says why */
	if (well_formed && !r->extack && r->error != EOPNOTSUPP && r->error != ENOMEM &&
	    r->error != EMSGSIZE && !(fi.on && (r->error == ENOBUFS || r->error == EIO))) {
		f->unexpected++;
		if (f->unexpected <= 20)
			printf("errno %s without extack for well-formed cmd %u at op %llu\n",
			       strerror(r->error), cmd, f->ops);
	}
}

/* ------------------------------------------------------------ one op */

/* Under --failslab, a request the kernel had no skb for (counted). */
static int send_may_fail(struct fzn *f)
{
	if (!fi.on || (errno != ENOBUFS && errno != ENOMEM))
		return 0;
	f->send_failed++;
	return 1;
}

/* Drop the socket (with whatever is still queued or running on it). */
static int new_socket(struct fzn *f)
{
	mnl_socket_close(f->nl);
	return nl_open(f);
}

static int one_op(struct fzn *f)
{
	char buf[MSG_BYTES] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct reply r = { 0 };
	unsigned int cmd, attr_start, seq, n;
	int dump, well_formed = 1, framed = 1, abandon, overlap;
	/* under --failslab, fewer damaged messages: valid ones reach the allocations */
	unsigned int rare = fi.on ? 4 : 1;

	memset(buf, 0, sizeof(buf));
	f->ops++;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = chance(f, 64) ? NLMSG_NOOP : f->family;
	nlh->nlmsg_flags = pick_flags(f, &dump);
	nlh->nlmsg_seq = seq = ++f->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	cmd = chance(f, 12) ? below(f, 256) : 1 + below(f, DMAPEEK_CMD_MAX);
	g->cmd = cmd;
	g->version = chance(f, 16) ? below(f, 256) : DMAPEEK_FAMILY_VERSION;
	g->reserved = chance(f, 32) ? 1 : 0;
	attr_start = nlh->nlmsg_len;
	f->cmd_calls[cmd < 31 ? cmd : 31]++;
	if (cmd < 1 || cmd > DMAPEEK_CMD_MAX || cmd == DMAPEEK_CMD_EVENT_NTF ||
	    nlh->nlmsg_type != f->family || !(nlh->nlmsg_flags & NLM_F_REQUEST))
		well_formed = 0;

	if (!chance(f, 6))
		put_valid(f, nlh, cmd, dump);
	for (n = chance(f, 2 * rare) ? below(f, 4) : 0; n; n--)
		put_random_attr(f, nlh), well_formed = 0;
	if (chance(f, 6 * rare))
		damage_attrs(f, nlh, attr_start), well_formed = 0;
	if (chance(f, 48)) {	/* a truncated generic netlink header */
		nlh->nlmsg_len = MNL_NLMSG_HDRLEN + below(f, sizeof(*g));
		well_formed = 0;
	}
	if (chance(f, 200)) {	/* truncated netlink framing: dropped unanswered */
		framed = 0;
		nlh->nlmsg_len = nlh->nlmsg_len + 16 + below(f, 64);
	}

	abandon = dump && chance(f, 4);
	overlap = dump && !abandon && chance(f, 8);
	if (fz_sendto(f, buf, framed ? nlh->nlmsg_len : nlh->nlmsg_len - 16 -
		      below(f, 8)) < 0) {
		if (send_may_fail(f))
			return 0;
		printf("sendto failed at op %llu: %s\n", f->ops, strerror(errno));
		return -1;
	}
	if (!framed) {
		f->silent_sent++;
		return 0;
	}
	if (overlap) {
		/* a second request while the dump is open: a do must still work */
		struct nlmsghdr *h2 = mnl_nlmsg_put_header(buf);
		struct reply rs[2] = { { 0 } };
		unsigned int seqs[2] = { seq, ++f->seq };

		h2->nlmsg_type = f->family;
		h2->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (chance(f, 2) ? NLM_F_DUMP : 0);
		h2->nlmsg_seq = seqs[1];
		g = mnl_nlmsg_put_extra_header(h2, sizeof(*g));
		g->cmd = DMAPEEK_CMD_BUFFER_GET;
		g->version = DMAPEEK_FAMILY_VERSION;
		if (!(h2->nlmsg_flags & NLM_F_DUMP))
			mnl_attr_put_u32(h2, DMAPEEK_A_BUFFER_ID, pick_id(f, 0));
		if (fz_sendto(f, h2, h2->nlmsg_len) < 0) {
			if (!send_may_fail(f))
				return -1;
			if (read_reply(f, seq, &r, 0))
				goto lost;
		} else {
			f->overlapped++;
			if (read_replies(f, seqs, rs, 2, 0))
				goto lost;
			r = rs[0];
			/* a second dump on the socket: the netlink core's EBUSY, no extack */
			account(f, &rs[1], !(h2->nlmsg_flags & NLM_F_DUMP),
				DMAPEEK_CMD_BUFFER_GET);
			if (fi.on && rs[1].error == ENOBUFS && new_socket(f))
				return -1;
		}
	} else if (abandon) {
		/* one batch only, then a new socket: the dump's cursor is dropped */
		if (read_reply(f, seq, &r, 1))
			goto lost;
		if (!r.done) {
			mnl_socket_close(f->nl);
			if (nl_open(f))
				return -1;
			f->abandoned++;
			return 0;
		}
	} else if (read_reply(f, seq, &r, 0)) {
		goto lost;
	}
	if (dump && !r.error)
		f->dumps_done++;
	account(f, &r, well_formed, cmd);
	/* a dump whose skb could not be allocated may still be running */
	if (fi.on && r.error == ENOBUFS && new_socket(f))
		return -1;
	return 0;
lost:
	if (fi.on && errno == ENOBUFS) {
		/* a reply or an ACK that could not be allocated */
		f->lost++;
		f->cmd_lost[cmd < 31 ? cmd : 31]++;
		return new_socket(f);
	}
	printf("no answer to op %llu (cmd %u): %s\n", f->ops, cmd, strerror(errno));
	f->unexpected++;
	return -1;
}

static void report(struct fzn *f, double secs)
{
	unsigned long long rej = 0;
	unsigned int i;

	for (i = 1; i < 256; i++) {
		if (!f->err[i])
			continue;
		rej += f->err[i];
		printf("errno %s %llu\n", lab_errno_name(i), f->err[i]);
	}
	for (i = 1; i <= DMAPEEK_CMD_MAX; i++)
		printf("cmd %s calls=%llu acked=%llu enomem=%llu lost=%llu\n", cmd_names[i],
		       f->cmd_calls[i], f->cmd_acks[i], f->cmd_enomem[i], f->cmd_lost[i]);
	printf("fuzz-nl ops=%llu acked=%llu rejected=%llu replies=%llu dumps=%llu "
	       "abandoned_dumps=%llu overlapped=%llu unframed=%llu extack=%llu "
	       "no_extack=%llu unexpected=%llu seconds=%.1f ops_per_s=%.0f "
	       "enomem=%llu send_failed=%llu lost=%llu failslab=%d\n",
	       f->ops, f->acks, rej, f->replies, f->dumps_done, f->abandoned, f->overlapped,
	       f->silent_sent, f->with_extack, f->without_extack, f->unexpected, secs,
	       secs > 0 ? f->ops / secs : 0.0, f->err[ENOMEM], f->send_failed, f->lost,
	       fi.fd >= 0);
}

int main(int argc, char **argv)
{
	static struct fzn f;
	unsigned long long seed = 0, max_ops = 100000, progress_step, next_progress;
	unsigned int objects = 64, before, after;
	double limit = 0, t0, t;
	int i, ret = 0, failslab = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			max_ops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--time") && i + 1 < argc)
			limit = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--objects") && i + 1 < argc)
			objects = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--failslab"))
			failslab = 1;
		else {
			fprintf(stderr, "usage: fuzz-nl [--seed N] [--ops N] [--time S] "
				"[--objects N] [--failslab]\n");
			return 2;
		}
	}
	if (!seed)
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed %llu\n", seed);
	printf("reproduce: %s --seed %llu --ops %llu --objects %u%s\n", argv[0], seed,
	       max_ops, objects, failslab ? " --failslab" : "");
	f.rng = seed * 0x9E3779B97F4A7C15ULL | 1;
	f.rxlen = 65536;	/* larger than any dump batch */
	f.rxbuf = malloc(f.rxlen);

	if (!f.rxbuf || count_buffers(&before) || nl_open(&f) || resolve_family(&f) ||
	    setup_objects(&f, objects)) {
		printf("setup failed: %s\n", strerror(errno));
		return 1;
	}
	printf("family=%u objects=%u imports=%u objects_before=%u\n", f.family, f.nbuf,
	       f.natt, before);
	if (failslab) {
		/* replies are copied into rxbuf inside the calls: present from here on */
		fi_prefault(f.rxbuf, f.rxlen);
		if (fi_setup("fuzz-nl"))
			return 1;
	}

	/* a line at each tenth of the run: a run stopped from outside shows how far it got */
	progress_step = max_ops >= 10 ? max_ops / 10 : 1;
	next_progress = progress_step;
	t0 = lab_now_s();
	for (t = t0; f.ops < max_ops && (limit <= 0 || t - t0 < limit); ) {
		if (one_op(&f)) {
			ret = 1;
			break;
		}
		if (!(f.ops & 1023))
			t = lab_now_s();
		if (f.ops >= next_progress) {
			printf("progress ops=%llu seconds=%.0f unexpected=%llu\n", f.ops,
			       lab_now_s() - t0, f.unexpected);
			next_progress += progress_step;
		}
	}
	t = lab_now_s() - t0;
	fi.on = 0;
	mnl_socket_close(f.nl);
	teardown_objects(&f);
	report(&f, t);
	if (count_buffers(&after)) {
		printf("cannot count objects after the run\n");
		return 1;
	}
	printf("objects_after=%u\n", after);
	if (after != before) {
		printf("FAIL: objects left behind\n");
		ret = 1;
	}
	free(f.rxbuf);
	return ret || f.unexpected ? 1 : 0;
}
