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
 *   nl-decode dump OBJ   dump provider|device|buffer|attachment|mapping|p2p
 *                        and print one JSON object per line: keys are the
 *                        spec's attribute names ("-" as "_"), values the
 *                        raw numbers and strings; a multi-attr nest is
 *                        printed as the count of its entries.  Exit 3 if
 *                        the module answers EOPNOTSUPP.
 *   nl-decode ids OBJ FILE [CMD]
 *                        dump OBJ reading each datagram (batch) itself,
 *                        write every object's id to FILE, one a line, in
 *                        the order received, and print "objects=N
 *                        batches=B intr=I" (I: messages flagged
 *                        NLM_F_DUMP_INTR).  With CMD, run it (sh -c) once
 *                        the first batch is in, while the dump is open.
 *   nl-decode events SECONDS [COUNT]
 *                        join the events group, say "listening" on stderr,
 *                        and print each event as one JSON object, as dump
 *                        does; end after COUNT events or SECONDS without
 *                        one.
 *   nl-decode ranges buffer|mapping
 *                        dump and print one line per object about its
 *                        ranges: "id=N nr_ranges=N count=N bytes=N
 *                        contiguous=0|1 addrs=N" (addrs: ranges that
 *                        carry an address).
 *
 * Before the request, options "--req NAME[=VALUE]" add a dump request
 * attribute: buffer_id=N or the flag buffer_order (attachment dumps),
 * attachment_id=N (mapping dumps), provider_id=N (buffer dumps).
 *
 * A buffer or mapping with more ranges than fit one message comes as
 * several, the later ones with range-first; they are merged here into one
 * object, as the library does, and a continuation that does not go on
 * exactly where its object stands is an error (exit 1).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/dmapeek.h>

#include "nl-sock.h"

/* The dumpable attribute sets, typed as the spec types them. */
enum { T_U8 = 1, T_U32, T_S32, T_UINT, T_STR, T_NEST };

struct attr_desc {
	const char *name;
	int type;
};

#define A(n, t) { n, t }
static const struct attr_desc provider_attrs[] = {
	[DMAPEEK_A_PROVIDER_ID] = A("id", T_U32),
	[DMAPEEK_A_PROVIDER_KIND] = A("kind", T_U32),
	[DMAPEEK_A_PROVIDER_DEVICE_ID] = A("device_id", T_U32),
	[DMAPEEK_A_PROVIDER_BDF] = A("bdf", T_STR),
	[DMAPEEK_A_PROVIDER_BAR] = A("bar", T_U32),
	[DMAPEEK_A_PROVIDER_SIZE] = A("size", T_UINT),
	[DMAPEEK_A_PROVIDER_PHYS_START] = A("phys_start", T_UINT),
	[DMAPEEK_A_PROVIDER_BUS_OFFSET] = A("bus_offset", T_UINT),
	[DMAPEEK_A_PROVIDER_BYTES_EXPORTED] = A("bytes_exported", T_UINT),
	[DMAPEEK_A_PROVIDER_BUFFERS] = A("buffers", T_U32),
};
static const struct attr_desc device_attrs[] = {
	[DMAPEEK_A_DEVICE_ID] = A("id", T_U32),
	[DMAPEEK_A_DEVICE_BDF] = A("bdf", T_STR),
	[DMAPEEK_A_DEVICE_VENDOR] = A("vendor", T_U32),
	[DMAPEEK_A_DEVICE_DEVICE] = A("device", T_U32),
	[DMAPEEK_A_DEVICE_CLASS] = A("class", T_U32),
	[DMAPEEK_A_DEVICE_ROLES] = A("roles", T_U32),
	[DMAPEEK_A_DEVICE_IOMMU_GROUP] = A("iommu_group", T_S32),
	[DMAPEEK_A_DEVICE_DOMAIN_TYPE] = A("domain_type", T_U32),
	[DMAPEEK_A_DEVICE_DMA_MASK_BITS] = A("dma_mask_bits", T_U32),
	[DMAPEEK_A_DEVICE_ATTACHMENTS] = A("attachments", T_U32),
};
static const struct attr_desc buffer_attrs[] = {
	[DMAPEEK_A_BUFFER_ID] = A("id", T_U32),
	[DMAPEEK_A_BUFFER_INODE] = A("inode", T_UINT),
	[DMAPEEK_A_BUFFER_NAME] = A("name", T_STR),
	[DMAPEEK_A_BUFFER_SIZE] = A("size", T_UINT),
	[DMAPEEK_A_BUFFER_MODEL] = A("model", T_U32),
	[DMAPEEK_A_BUFFER_PROVIDER_ID] = A("provider_id", T_U32),
	[DMAPEEK_A_BUFFER_STATE] = A("state", T_U32),
	[DMAPEEK_A_BUFFER_RANGE] = A("range", T_NEST),
	[DMAPEEK_A_BUFFER_ATTACHMENTS] = A("attachments", T_U32),
	[DMAPEEK_A_BUFFER_PINS] = A("pins", T_U32),
	[DMAPEEK_A_BUFFER_MOVES] = A("moves", T_U32),
	[DMAPEEK_A_BUFFER_REVOKES] = A("revokes", T_U32),
	[DMAPEEK_A_BUFFER_CREATED_NS] = A("created_ns", T_UINT),
	[DMAPEEK_A_BUFFER_NR_RANGES] = A("nr_ranges", T_U32),
};
static const struct attr_desc attachment_attrs[] = {
	[DMAPEEK_A_ATTACHMENT_ID] = A("id", T_U32),
	[DMAPEEK_A_ATTACHMENT_BUFFER_ID] = A("buffer_id", T_U32),
	[DMAPEEK_A_ATTACHMENT_INODE] = A("inode", T_UINT),
	[DMAPEEK_A_ATTACHMENT_EXP_NAME] = A("exp_name", T_STR),
	[DMAPEEK_A_ATTACHMENT_SIZE] = A("size", T_UINT),
	[DMAPEEK_A_ATTACHMENT_IMPORTER_DEV] = A("importer_dev", T_STR),
	[DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER] = A("importer_driver", T_STR),
	[DMAPEEK_A_ATTACHMENT_DEVICE_ID] = A("device_id", T_U32),
	[DMAPEEK_A_ATTACHMENT_FLAGS] = A("flags", T_U32),
	[DMAPEEK_A_ATTACHMENT_MAP_TYPE] = A("map_type", T_U32),
	[DMAPEEK_A_ATTACHMENT_BEHAVIOUR] = A("behaviour", T_U32),
	[DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS] = A("unmap_delay_ms", T_U32),
	[DMAPEEK_A_ATTACHMENT_MAPPED] = A("mapped", T_U8),
	[DMAPEEK_A_ATTACHMENT_MAPS] = A("maps", T_U32),
	[DMAPEEK_A_ATTACHMENT_UNMAPS] = A("unmaps", T_U32),
	[DMAPEEK_A_ATTACHMENT_INVALIDATIONS] = A("invalidations", T_U32),
	[DMAPEEK_A_ATTACHMENT_LAST_MAP_NS] = A("last_map_ns", T_UINT),
	[DMAPEEK_A_ATTACHMENT_LAST_UNMAP_NS] = A("last_unmap_ns", T_UINT),
	[DMAPEEK_A_ATTACHMENT_LAST_INVALIDATE_NS] = A("last_invalidate_ns", T_UINT),
	[DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS] = A("last_unmap_latency_ns", T_UINT),
	[DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS] = A("max_unmap_latency_ns", T_UINT),
	[DMAPEEK_A_ATTACHMENT_STUCK] = A("stuck", T_U8),
	[DMAPEEK_A_ATTACHMENT_REVOKED_SEEN] = A("revoked_seen", T_U32),
	[DMAPEEK_A_ATTACHMENT_OWN_MAP] = A("own_map", T_U32),
};
static const struct attr_desc mapping_attrs[] = {
	[DMAPEEK_A_MAPPING_ID] = A("id", T_U32),
	[DMAPEEK_A_MAPPING_ATTACHMENT_ID] = A("attachment_id", T_U32),
	[DMAPEEK_A_MAPPING_PATH] = A("path", T_U32),
	[DMAPEEK_A_MAPPING_SIZE] = A("size", T_UINT),
	[DMAPEEK_A_MAPPING_RANGE] = A("range", T_NEST),
	[DMAPEEK_A_MAPPING_MAP_NS] = A("map_ns", T_UINT),
	[DMAPEEK_A_MAPPING_NR_RANGES] = A("nr_ranges", T_U32),
};
static const struct attr_desc p2p_attrs[] = {
	[DMAPEEK_A_P2P_PROVIDER_BDF] = A("provider_bdf", T_STR),
	[DMAPEEK_A_P2P_CLIENT_BDF] = A("client_bdf", T_STR),
	[DMAPEEK_A_P2P_MAP_TYPE] = A("map_type", T_U32),
	[DMAPEEK_A_P2P_DISTANCE] = A("distance", T_S32),
	[DMAPEEK_A_P2P_REASON] = A("reason", T_U32),
};

static const struct attr_desc event_attrs[] = {
	[DMAPEEK_A_EVENT_TYPE] = A("type", T_U32),
	[DMAPEEK_A_EVENT_TIMESTAMP_NS] = A("timestamp_ns", T_UINT),
	[DMAPEEK_A_EVENT_BUFFER_ID] = A("buffer_id", T_U32),
	[DMAPEEK_A_EVENT_ATTACHMENT_ID] = A("attachment_id", T_U32),
	[DMAPEEK_A_EVENT_MAPPING_ID] = A("mapping_id", T_U32),
	[DMAPEEK_A_EVENT_PROVIDER_ID] = A("provider_id", T_U32),
	[DMAPEEK_A_EVENT_DURATION_NS] = A("duration_ns", T_UINT),
	[DMAPEEK_A_EVENT_COUNT] = A("count", T_U32),
	[DMAPEEK_A_EVENT_ERROR] = A("error", T_S32),
	[DMAPEEK_A_EVENT_SEQ] = A("seq", T_UINT),
	[DMAPEEK_A_EVENT_DROPPED] = A("dropped", T_UINT),
	[DMAPEEK_A_EVENT_MAP_TYPE] = A("map_type", T_U32),
	[DMAPEEK_A_EVENT_OP] = A("op", T_UINT),
};

struct dump_desc {
	const char *name;
	int cmd;
	const struct attr_desc *attrs;
	int max;
	/* objects split over messages: the range nest, total and first index */
	int range, nr, first;
};
#define D(n, c, a) { n, c, a, (int)(sizeof(a) / sizeof(a[0])) - 1, 0, 0, 0 }
#define DS(n, c, a, r, nr, f) { n, c, a, (int)(sizeof(a) / sizeof(a[0])) - 1, r, nr, f }
static const struct dump_desc dumps[] = {
	D("provider", DMAPEEK_CMD_PROVIDER_GET, provider_attrs),
	D("device", DMAPEEK_CMD_DEVICE_GET, device_attrs),
	DS("buffer", DMAPEEK_CMD_BUFFER_GET, buffer_attrs, DMAPEEK_A_BUFFER_RANGE,
	   DMAPEEK_A_BUFFER_NR_RANGES, DMAPEEK_A_BUFFER_RANGE_FIRST),
	D("attachment", DMAPEEK_CMD_ATTACHMENT_GET, attachment_attrs),
	DS("mapping", DMAPEEK_CMD_MAPPING_GET, mapping_attrs, DMAPEEK_A_MAPPING_RANGE,
	   DMAPEEK_A_MAPPING_NR_RANGES, DMAPEEK_A_MAPPING_RANGE_FIRST),
	D("p2p", DMAPEEK_CMD_P2P_GET, p2p_attrs),
};
static const struct dump_desc event_desc =
	D("event", DMAPEEK_CMD_EVENT_NTF, event_attrs);

/*
 * The object being decoded: its first message (printed once the object is
 * whole) and what its ranges added up to over all its messages.
 */
struct obj_state {
	const struct dump_desc *d;
	int ranges_mode;		/* "nl-decode ranges" */
	struct nl_msg *first;		/* held while continuations come */
	uint32_t id, nr, count, addrs;
	uint64_t next_off, bytes;
	int contiguous;
	int bad;			/* a malformed sequence: exit 1 */
};

static void put_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* The attributes of @msg's payload as the table @d types them. */
#define for_each_msg_attr(a, msg, rem) \
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlmsg_hdr(msg)), 0), \
			  genlmsg_attrlen(nlmsg_data(nlmsg_hdr(msg)), 0), rem)

static uint64_t nla_uint(const struct nlattr *a)
{
	return nla_len(a) == 8 ? nla_get_u64((struct nlattr *)a) :
	       nla_len(a) == 4 ? nla_get_u32((struct nlattr *)a) : 0;
}

/* Print the object whose first message is @msg; its nests count @nest. */
static void print_obj(const struct obj_state *st, struct nl_msg *msg)
{
	const struct dump_desc *d = st->d;
	struct nlattr *tb[64] = { 0 };
	struct nlattr *a;
	int rem, i, first = 1, count[64] = { 0 };

	if (st->ranges_mode) {
		printf("id=%u nr_ranges=%u count=%u bytes=%" PRIu64
		       " contiguous=%d addrs=%u\n", st->id, st->nr, st->count,
		       st->bytes, st->contiguous, st->addrs);
		return;
	}
	/* Walk by hand: multi-attr nests repeat, and uint is 4 or 8 bytes. */
	for_each_msg_attr(a, msg, rem) {
		int t = nla_type(a);

		if (t > 0 && t <= d->max && t < 64) {
			tb[t] = a;
			count[t]++;
		}
	}
	if (d->range)
		count[d->range] = (int)st->count;	/* over all its messages */
	putchar('{');
	for (i = 1; i <= d->max; i++) {
		const struct attr_desc *ad = &d->attrs[i];

		if (!ad->name || !tb[i])
			continue;
		printf("%s\"%s\":", first ? "" : ",", ad->name);
		first = 0;
		switch (ad->type) {
		case T_U8:
			printf("%u", nla_get_u8(tb[i]));
			break;
		case T_U32:
			printf("%u", nla_get_u32(tb[i]));
			break;
		case T_S32:
			printf("%d", (int32_t)nla_get_u32(tb[i]));
			break;
		case T_UINT:
			if (nla_len(tb[i]) == 4)
				printf("%u", nla_get_u32(tb[i]));
			else if (nla_len(tb[i]) == 8)
				printf("%llu", (unsigned long long)nla_get_u64(tb[i]));
			else
				printf("\"bad length %d\"", nla_len(tb[i]));
			break;
		case T_STR:
			put_json_str(nla_get_string(tb[i]));
			break;
		case T_NEST:
			printf("%d", count[i]);
			break;
		}
	}
	printf("}\n");
}

/* Add the ranges of @msg to the object: count, bytes, contiguity. */
static void add_ranges(struct obj_state *st, struct nl_msg *msg)
{
	struct nlattr *a, *r;
	int rem, rrem;

	for_each_msg_attr(a, msg, rem) {
		uint64_t off = 0, len = 0;
		int has_off = 0;

		if (nla_type(a) != st->d->range)
			continue;
		nla_for_each_nested(r, a, rrem) {
			switch (nla_type(r)) {
			case DMAPEEK_A_RANGE_OFFSET:
				off = nla_uint(r);
				has_off = 1;
				break;
			case DMAPEEK_A_RANGE_LEN:
				len = nla_uint(r);
				break;
			case DMAPEEK_A_RANGE_ADDR:
				st->addrs++;
				break;
			}
		}
		if (!has_off || off != st->next_off)
			st->contiguous = 0;
		st->next_off = off + len;
		st->bytes += len;
		st->count++;
	}
}

static void drop_obj(struct obj_state *st)
{
	if (st->first)
		nlmsg_free(st->first);
	st->first = NULL;
}

static int dump_cb(struct nl_msg *msg, void *arg)
{
	struct obj_state *st = arg;
	const struct dump_desc *d = st->d;
	uint32_t id = 0, nr = 0, rf = 0;
	int has_nr = 0, rem;
	struct nlattr *a;

	for_each_msg_attr(a, msg, rem) {
		int t = nla_type(a);

		if (t == 1 && nla_len(a) == 4)	/* every set's id is attribute 1 */
			id = nla_get_u32(a);
		else if (d->nr && t == d->nr && nla_len(a) == 4) {
			nr = nla_get_u32(a);
			has_nr = 1;
		} else if (d->first && t == d->first && nla_len(a) == 4)
			rf = nla_get_u32(a);
	}
	if (rf) {
		/* A continuation: of the object being built, where it stands. */
		if (!st->first || id != st->id || rf != st->count || nr != st->nr) {
			fprintf(stderr, "nl-decode: %s %u: continuation at range %u, "
				"but %s\n", d->name, id, rf,
				st->first ? "it does not continue the object being built" :
				"no object is being built");
			st->bad = 1;
			return NL_STOP;
		}
	} else {
		if (st->first) {
			fprintf(stderr, "nl-decode: %s %u ended after %u of %u ranges\n",
				d->name, st->id, st->count, st->nr);
			st->bad = 1;
			return NL_STOP;
		}
		st->id = id;
		st->nr = nr;
		st->count = st->addrs = 0;
		st->next_off = st->bytes = 0;
		st->contiguous = 1;
		nlmsg_get(msg);
		st->first = msg;
	}
	if (d->range)
		add_ranges(st, msg);
	if (has_nr && st->count > st->nr) {
		fprintf(stderr, "nl-decode: %s %u: %u ranges, more than its %u\n",
			d->name, id, st->count, st->nr);
		st->bad = 1;
		return NL_STOP;
	}
	if (has_nr && st->count < st->nr)
		return NL_OK;	/* more to come */
	print_obj(st, st->first);
	drop_obj(st);
	return NL_OK;
}

/* How a dump ended: the kernel's error, and whether it ended at all. */
struct dump_end {
	int err;
	int done;
};

static int dump_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct dump_end *end = arg;

	(void)nla;
	end->err = e->error;
	end->done = 1;
	return NL_STOP;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct dump_end *end = arg;
	int *payload = nlmsg_data(nlmsg_hdr(msg));

	if (nlmsg_datalen(nlmsg_hdr(msg)) >= (int)sizeof(int) && *payload < 0)
		end->err = *payload;
	end->done = 1;
	return NL_STOP;
}

/* Dump request attributes, from --req. */
static const struct {
	const char *name;
	int attr;
	int flag;		/* a flag, else a u32 */
} req_attrs[] = {
	{ "buffer_id", DMAPEEK_A_ATTACHMENT_BUFFER_ID, 0 },
	{ "buffer_order", DMAPEEK_A_ATTACHMENT_BUFFER_ORDER, 1 },
	{ "attachment_id", DMAPEEK_A_MAPPING_ATTACHMENT_ID, 0 },
	{ "provider_id", DMAPEEK_A_BUFFER_PROVIDER_ID, 0 },
};
#define MAX_REQ 4
static struct {
	int attr, flag;
	uint32_t val;
} reqs[MAX_REQ];
static int nr_reqs;

static int add_req(const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	unsigned int i;

	for (i = 0; i < sizeof(req_attrs) / sizeof(req_attrs[0]); i++) {
		if (strlen(req_attrs[i].name) != len ||
		    strncmp(req_attrs[i].name, arg, len) ||
		    !req_attrs[i].flag != !!eq || nr_reqs == MAX_REQ)
			continue;
		reqs[nr_reqs].attr = req_attrs[i].attr;
		reqs[nr_reqs].flag = req_attrs[i].flag;
		reqs[nr_reqs].val = eq ? (uint32_t)strtoul(eq + 1, NULL, 0) : 0;
		nr_reqs++;
		return 0;
	}
	fprintf(stderr, "nl-decode: bad request attribute \"%s\"\n", arg);
	return -1;
}

/* A dump request for @d with the --req attributes. */
static struct nl_msg *dump_msg(int family, const struct dump_desc *d)
{
	struct nl_msg *msg = nlmsg_alloc();
	int i;

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 NLM_F_DUMP, d->cmd, DMAPEEK_FAMILY_VERSION))
		goto err;
	for (i = 0; i < nr_reqs; i++)
		if (reqs[i].flag ? nla_put_flag(msg, reqs[i].attr) :
				   nla_put_u32(msg, reqs[i].attr, reqs[i].val))
			goto err;
	return msg;
err:
	nlmsg_free(msg);
	return NULL;
}

static int do_dump(struct nl_sock *sk, int family, const char *what,
		   int ranges_mode)
{
	struct obj_state st = { .ranges_mode = ranges_mode };
	const struct dump_desc *d = NULL;
	struct nl_msg *msg;
	unsigned int i;
	struct dump_end end = { 0 };
	int err, kerr;

	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++)
		if (!strcmp(dumps[i].name, what))
			d = &dumps[i];
	if (!d || (ranges_mode && !d->range)) {
		fprintf(stderr, "nl-decode: cannot dump %s\n", what);
		return 2;
	}
	st.d = d;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, dump_cb, &st);
	nl_socket_modify_cb(sk, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &end);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, dump_err_cb, &end);
	msg = dump_msg(family, d);
	if (!msg)
		return 1;
	err = nl_send_auto(sk, msg);
	/*
	 * libnl reads on only while messages say NLM_F_MULTI, which genl
	 * dump messages do not: read batches until NLMSG_DONE.
	 */
	while (err >= 0 && !end.done && !st.bad)
		err = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	kerr = end.err;
	if (st.first && !st.bad && !kerr && err >= 0) {
		fprintf(stderr, "nl-decode: the %s dump ended inside %s %u\n",
			what, what, st.id);
		st.bad = 1;
	}
	drop_obj(&st);
	if (st.bad)
		return 1;
	if (kerr == -EOPNOTSUPP) {
		fprintf(stderr, "nl-decode: %s dump: not implemented by the module\n", what);
		return 3;
	}
	if (kerr || err < 0) {
		fprintf(stderr, "nl-decode: %s dump: %s\n", what,
			kerr ? strerror(-kerr) : nl_geterror(err));
		return 1;
	}
	return 0;
}

/* The attribute that carries an object's id ("id" in the spec). */
static int id_attr(const struct dump_desc *d)
{
	int i;

	for (i = 1; i <= d->max; i++)
		if (d->attrs[i].name && !strcmp(d->attrs[i].name, "id"))
			return i;
	return 0;
}

/*
 * A dump read datagram by datagram with nl_recv(), so that batches can be
 * counted, NLM_F_DUMP_INTR seen on each message, and @cmd run between the
 * first batch and the rest.
 */
static int do_ids(struct nl_sock *sk, int family, const char *what,
		  const char *path, const char *cmd)
{
	const struct dump_desc *d = NULL;
	unsigned long objects = 0, batches = 0, intr = 0;
	struct sockaddr_nl peer;
	unsigned char *buf;
	struct nl_msg *msg;
	unsigned int i;
	int n, ida, done = 0, kerr = 0, lerr = 0;
	FILE *out;

	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++)
		if (!strcmp(dumps[i].name, what))
			d = &dumps[i];
	ida = d ? id_attr(d) : 0;
	if (!ida) {
		fprintf(stderr, "nl-decode: %s has no id to list\n", what);
		return 2;
	}
	out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "nl-decode: %s: %s\n", path, strerror(errno));
		return 1;
	}
	msg = dump_msg(family, d);
	if (!msg || nl_send_auto(sk, msg) < 0) {
		fprintf(stderr, "nl-decode: cannot send the %s dump\n", what);
		return 1;
	}
	nlmsg_free(msg);

	while (!done && !kerr && !lerr) {
		struct nlmsghdr *h;

		n = nl_recv(sk, &peer, &buf, NULL);
		if (n <= 0) {
			lerr = n ? n : -NLE_MSG_TRUNC;
			break;
		}
		batches++;
		for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, n); h = nlmsg_next(h, &n)) {
			struct nlattr *a;
			int rem;

			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr++;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				kerr = ((struct nlmsgerr *)nlmsg_data(h))->error;
				if (!kerr)
					kerr = -EPROTO;
				break;
			}
			nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(h), 0),
					  genlmsg_attrlen(nlmsg_data(h), 0), rem)
				if (nla_type(a) == ida)
					fprintf(out, "%u\n", nla_get_u32(a));
			objects++;
		}
		free(buf);
		if (cmd && batches == 1 && !done && system(cmd) != 0) {
			fprintf(stderr, "nl-decode: '%s' failed\n", cmd);
			kerr = -ECANCELED;
		}
	}
	fclose(out);
	if (kerr || lerr) {
		fprintf(stderr, "nl-decode: %s dump: %s\n", what,
			kerr ? strerror(-kerr) : nl_geterror(lerr));
		return 1;
	}
	printf("objects=%lu batches=%lu intr=%lu\n", objects, batches, intr);
	return 0;
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct obj_state st = { .d = &event_desc };
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	long *seen = arg;

	if (g->cmd != DMAPEEK_CMD_EVENT_NTF)
		return NL_OK;
	print_obj(&st, msg);
	fflush(stdout);
	(*seen)++;
	return NL_OK;
}

/* The events group's notifications, one JSON object each. */
static int do_events(struct nl_sock *sk, int seconds, long count)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	long seen = 0;
	int grp, err;

	grp = genl_ctrl_resolve_grp(sk, DMAPEEK_FAMILY_NAME, DMAPEEK_MCGRP_EVENTS);
	if (grp < 0 || (err = nl_socket_add_membership(sk, grp)) < 0) {
		fprintf(stderr, "nl-decode: cannot join %s: %s\n", DMAPEEK_MCGRP_EVENTS,
			nl_geterror(grp < 0 ? grp : err));
		return 1;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &seen);
	fprintf(stderr, "listening\n");
	while (!count || seen < count) {
		int ready = poll(&pfd, 1, seconds * 1000);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			break;
		err = nl_recvmsgs_default(sk);
		if (err < 0) {
			/* an overrun: say so, go on (the gap shows in seq) */
			fprintf(stderr, "nl-decode: events: %s\n", nl_geterror(err));
			if (err != -NLE_NOMEM)
				return 1;
		}
	}
	return 0;
}

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

	while (argc > 2 && !strcmp(argv[1], "--req")) {
		if (add_req(argv[2]))
			return 2;
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: nl-decode family|abi|dump OBJECT|ranges OBJECT|"
			"ids OBJECT FILE [CMD]|events SECONDS [COUNT]\n");
		return 2;
	}
	sk = dp_nl_connect();
	if (!sk) {
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
	if (!strcmp(argv[1], "dump") && argc == 3)
		return do_dump(sk, family, argv[2], 0);
	if (!strcmp(argv[1], "ranges") && argc == 3)
		return do_dump(sk, family, argv[2], 1);
	if (!strcmp(argv[1], "events") && argc >= 3)
		return do_events(sk, atoi(argv[2]), argc >= 4 ? atol(argv[3]) : 0);
	if (!strcmp(argv[1], "ids") && argc >= 4)
		return do_ids(sk, family, argv[2], argv[3], argc == 5 ? argv[4] : NULL);
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
