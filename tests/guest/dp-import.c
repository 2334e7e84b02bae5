// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp's importer (the commands are listed in dp.c): drives dmapeek's
 * importer with raw ioctls on /dev/dmapeek and its own libnl-genl decoder
 * (never libdmapeek).
 *
 *   dp p2p-dump
 *       one line per pair: "p2p PROVIDER CLIENT TYPE DISTANCE REASON"
 *   dp p2p-get PROVIDER_BDF CLIENT_BDF
 *   dp devices | providers
 *   dp import [OPTIONS] SOURCE STEP...
 *       SOURCE: udmabuf:SIZE | heap:SIZE | file:PATH (any fd, for errors) |
 *               export:PROVIDER:NRANGES (pinned BAR pages, every other page) |
 *               sys:SIZE:MODEL[:pages] (dmapeek system memory; MODEL
 *               pinned, movable or revocable; pages: page by page,
 *               DMAPEEK_EXPORT_PAGE_CHUNKS)
 *       OPTIONS: --dev ID  --flags dynamic,pin,p2p,noinv  --behaviour
 *                normal|never|delayed:MS  --raw-flags N (unchecked)
 *                --failslab TRIES (see below)
 *       STEPS (each prints one line starting with its name):
 *         import            "import OK id=N" | "import ERR ENAME"
 *         map unmap         netlink: "map ENAME";  nlmap nlunmap: the same,
 *                           with the module's extack after the errno name
 *         detach
 *         mappings          "mapping id=N path=P size=S ranges=R kinds=K" per mapping
 *         audit             per mapping: "audit id=N path=P result=R pages=N mismatches=N holes=N"
 *         audit-id:N        audit mapping N over netlink, whoever's it is:
 *                           its "audit ..." line then "audit-id OK", or
 *                           "audit-id ERR ENAME EXTACK"
 *         attachment        the attachment row, or "attachment ERR ENAME"
 *         fdinfo            "fdinfo exp_name=NAME size=N"
 *         cpu-fill:OFF:LEN:SEED   write a pattern with the CPU (mmap)
 *         dma-write:OFF:LEN:SEED  write a pattern with the device
 *         dma-read:OFF:LEN:SEED   read with the device and compare with the pattern
 *         cpu-check:OFF:LEN:SEED  compare the CPU's view with the pattern
 *         dma-raw:ATT:OFF:LEN:FLAGS  DMA with explicit values (errors)
 *         revoke:MS restore  buffer-revoke (timeout MS) / buffer-restore of
 *                           the exported buffer, over netlink; a revoke waits
 *                           for its revoke-done event (nl-op.h):
 *                           "revoke OK attachments=N stuck=N" | "revoke ERR ENAME"
 *         move:PROVIDER[:MS]  buffer-move of the exported buffer (waiting at
 *                           most MS for its importers to unmap), then its
 *                           move-done event: "move OK" | "move ENAME"
 *         import-many:N:PATH  N more imports with the same options, their ids
 *                           written to PATH one a line:
 *                           "import-many OK n=N first=ID last=ID" | "... ERR ENAME at=I"
 *         sleep:MS
 *         touch:PATH  waitfile:PATH   handshake with the test script
 *         id:N              use attachment id N from here on (bad ids)
 *
 * --failslab TRIES (t-failslab.sh, which has the kernel fail allocations of
 * tasks with make-it-fail): every dmapeek ioctl (the export source's too)
 * and every netlink request is made with make-it-fail set (see failslab.h;
 * for netlink, its sendmsg, where the kernel handles the request and
 * allocates the reply and the ACK), and retried, up to TRIES attempts,
 * while it fails as an allocation failure may: ENOMEM, EIO (a mapping),
 * ENOBUFS or a lost reply (no skb for it: a new socket, then).  A failed
 * attempt must leave things as they were, so each step still ends as it
 * would without injection.  Output of a netlink request's callbacks is
 * printed once, for the last attempt; a map or unmap over netlink whose
 * ACK was lost finds the attachment mapped (EALREADY) or unmapped (ENXIO)
 * on the next attempt, and a restore finds the buffer "not revoked"
 * (EINVAL): that is its success.  A step with failed attempts
 * prints "fi STEP enomem=N other=N lost=N", the run ends with "fi-total
 * calls=N enomem=N other=N lost=N".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/dmapeek.h>

#include "dp.h"
#include "lab-util.h"
#include "nl-op.h"
#include "nl-sock.h"
#include "failslab.h"

/* An errno's name, "OK" for 0 */
static const char *ename(int e)
{
	return e ? lab_errno_name(e) : "OK";
}

/* ----------------------------------------------------------- failslab */

static int dp_fd = -1;		/* /dev/dmapeek */
static unsigned int fi_tries;		/* --failslab TRIES (0: off) */
/* failed attempts: ENOMEM, other (EIO, ENOBUFS), lost replies; per step */
static unsigned long long fi_enomem, fi_other, fi_lost;
static unsigned int st_enomem, st_other, st_lost;
static FILE *cb_out;		/* where netlink callbacks print */

/* Count a failed attempt; true when it is to be tried again. */
static int fi_again(int e, int lost, unsigned int attempt)
{
	if (!fi.on || !(lost || e == ENOMEM || e == EIO || e == ENOBUFS))
		return 0;
	if (lost) {
		fi_lost++;
		st_lost++;
	} else if (e == ENOMEM) {
		fi_enomem++;
		st_enomem++;
	} else {
		fi_other++;
		st_other++;
	}
	return attempt + 1 < fi_tries;
}

/* A dmapeek ioctl: 0 or the errno (under --failslab, the last attempt's). */
static int dp_ioctl(unsigned long req, void *arg)
{
	unsigned int t;
	int e;

	for (t = 0; ; t++) {
		fi_begin();
		e = ioctl(dp_fd, req, arg) ? errno : 0;
		fi_end();
		if (!fi_again(e, 0, t))
			return e;
	}
}

/* ----------------------------------------------------------------- netlink */

static struct nl_sock *sk;
static int family;

struct nlreq {
	int err;
	int done;
	char extack[256];
	int (*cb)(struct nl_msg *msg, struct nlattr **tb, void *arg);
	void *arg;
	int maxattr;
};

static int nl_err_cb(struct sockaddr_nl *nla __attribute__((unused)), struct nlmsgerr *e, void *arg)
{
	struct nlreq *r = arg;

	r->err = -e->error;
	r->done = 1;
	dp_nl_extack(e, r->extack, sizeof(r->extack));
	return NL_STOP;
}

static int nl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlreq *r = arg;
	struct nlattr *tb[64];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, r->maxattr, NULL) < 0)
		return NL_SKIP;
	return r->cb ? r->cb(msg, tb, r->arg) : NL_OK;
}

static int nl_finish_cb(struct nl_msg *msg __attribute__((unused)), void *arg)
{
	((struct nlreq *)arg)->done = 1;
	return NL_STOP;
}

static int nl_ack_cb(struct nl_msg *msg __attribute__((unused)), void *arg)
{
	((struct nlreq *)arg)->done = 1;
	return NL_STOP;
}

static int nl_open(void)
{
	if (sk)
		return 0;
	sk = dp_nl_connect();
	if (!sk)
		return -1;
	family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME);
	return family < 0 ? -1 : 0;
}

/*
 * One attempt: send @cmd with attributes added by @put; returns 0 or the
 * errno, and sets *lost when the request or its answer went missing (the
 * send failed, the socket reported an error before the answer, or nothing
 * came for 10 s).
 */
static int nl_request_once(int cmd, int flags, int maxattr,
			   void (*put)(struct nl_msg *m, void *arg), void *parg,
			   int (*cb)(struct nl_msg *msg, struct nlattr **tb, void *arg),
			   void *cbarg, char *extack, int *lost)
{
	struct nlreq r = { .cb = cb, .arg = cbarg, .maxattr = maxattr };
	struct nl_cb *c;
	struct nl_msg *msg;
	int ret;

	if (nl_open())
		return ENODEV;
	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags | NLM_F_ACK,
		    cmd, DMAPEEK_FAMILY_VERSION);
	if (put)
		put(msg, parg);
	c = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, nl_valid_cb, &r);
	nl_cb_set(c, NL_CB_FINISH, NL_CB_CUSTOM, nl_finish_cb, &r);
	nl_cb_set(c, NL_CB_ACK, NL_CB_CUSTOM, nl_ack_cb, &r);
	nl_cb_err(c, NL_CB_CUSTOM, nl_err_cb, &r);
	fi_begin();
	ret = nl_send_auto(sk, msg);
	fi_end();
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(c);
		*lost = 1;
		return EIO;
	}
	/* until the ACK, the end of the dump or an error: nothing left over */
	while (!r.done) {
		if (fi.on) {
			struct pollfd p = { .fd = nl_socket_get_fd(sk), .events = POLLIN };

			if (poll(&p, 1, 10000) <= 0) {
				*lost = 1;
				if (!r.err)
					r.err = EIO;
				break;
			}
		}
		ret = nl_recvmsgs(sk, c);
		if (ret < 0) {
			/* (an error ACK stops the receive with its error too) */
			if (!r.done)
				*lost = 1;
			if (!r.err)
				r.err = EIO;
			break;
		}
	}
	nl_cb_put(c);
	if (extack)
		strcpy(extack, r.extack);
	return r.err;
}

static int nl_last_lost;	/* the last nl_request() lost a reply on the way */

/*
 * Send @cmd with attributes added by @put; returns 0 or the errno.  Under
 * --failslab, attempts until one does not fail for want of memory; the
 * callbacks' output of the last one only is printed.
 */
static int nl_request(int cmd, int flags, int maxattr,
		      void (*put)(struct nl_msg *m, void *arg), void *parg,
		      int (*cb)(struct nl_msg *msg, struct nlattr **tb, void *arg), void *cbarg,
		      char *extack)
{
	unsigned int t;
	int e;

	nl_last_lost = 0;
	for (t = 0; ; t++) {
		char *out = NULL;
		size_t len = 0;
		int lost = 0, again;

		if (fi.on)
			cb_out = open_memstream(&out, &len);
		if (!cb_out)
			cb_out = stdout;
		e = nl_request_once(cmd, flags, maxattr, put, parg, cb, cbarg, extack, &lost);
		if (cb_out != stdout) {
			fclose(cb_out);
			cb_out = stdout;
		}
		if (lost || e == ENOBUFS) {
			/* what is still queued or running on the socket goes with it */
			nl_socket_free(sk);
			sk = NULL;
		}
		nl_last_lost |= lost;
		again = fi_again(e, lost, t);
		if (!again && out)
			fputs(out, stdout);
		free(out);
		if (!again)
			return e;
	}
}

static unsigned long long get_uint(struct nlattr *a)
{
	if (!a)
		return 0;
	return nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
}

static void put_u32_id(struct nl_msg *m, void *arg)
{
	const unsigned int *v = arg;

	nla_put_u32(m, v[0], v[1]);
}

/* u32 attributes: (attr, value) pairs, ended by attr 0 */
static void put_u32_list(struct nl_msg *m, void *arg)
{
	const unsigned int *v = arg;

	for (; v[0]; v += 2)
		nla_put_u32(m, v[0], v[1]);
}

/* The op number of a revoke's or a move's answer (@arg: its attribute). */
struct op_answer {
	int attr;
	uint64_t op;
};

static int op_answer_cb(struct nl_msg *msg __attribute__((unused)), struct nlattr **tb,
			void *arg)
{
	struct op_answer *o = arg;

	if (tb[o->attr] && (nla_len(tb[o->attr]) == 4 || nla_len(tb[o->attr]) == 8))
		o->op = dp_nl_uint(tb[o->attr]);
	return NL_OK;
}

/*
 * A revoke or a move of the exported buffer over netlink: listen to the
 * events, send (with make-it-fail under --failslab, like every request),
 * then wait for the done event carrying the answer's op number.  Returns
 * the refusal's errno, or 0 with the outcome in @d.
 */
static int buffer_op(int revoke, unsigned int *attrs, struct dp_nl_done *d,
		     unsigned int timeout_ms, char *extack)
{
	struct op_answer o = { .attr = revoke ? DMAPEEK_A_REVOKE_OP : DMAPEEK_A_BUFFER_OP };
	struct nl_sock *ev = dp_nl_ev_open();
	int e;

	memset(d, 0, sizeof(*d));
	if (!ev)
		return errno;
	o.op = 0;
	e = nl_request(revoke ? DMAPEEK_CMD_BUFFER_REVOKE : DMAPEEK_CMD_BUFFER_MOVE, 0,
		       revoke ? DMAPEEK_A_REVOKE_MAX : DMAPEEK_A_BUFFER_MAX,
		       put_u32_list, attrs, op_answer_cb, &o, extack);
	/*
	 * An attempt whose answer was lost had begun the operation (see the
	 * top): the retry is refused (a revoke: EALREADY; a move: EINVAL,
	 * already there, or EBUSY, still moving), and the number is unknown;
	 * the events group was joined before the first attempt, so wait for
	 * the buffer's next done event instead.
	 */
	if (nl_last_lost && (e == (revoke ? EALREADY : EINVAL) ||
			     (!revoke && e == EBUSY && strstr(extack, "is moving")))) {
		e = 0;
		extack[0] = 0;
		d->buffer = attrs[1];
	} else if (!e && !o.op) {
		e = EPROTO;
	}
	if (e) {
		nl_socket_free(ev);
		return e;
	}
	d->op = o.op;
	return -dp_nl_ev_wait(ev, timeout_ms, d);
}

/* --------------------------------------------------------------- p2p */

static const char *const map_types[] = {
	"unknown", "none", "not-supported", "bus-addr", "thru-host-bridge",
};
static const char *const reasons[] = {
	"unknown", "system-memory", "same-device", "common-switch", "acs-redirect",
	"host-bridge-allowlist", "amd-cpu", "not-allowlisted", "not-pci", "no-provider",
};

#define NAME(tbl, v) ((v) < sizeof(tbl) / sizeof(tbl[0]) ? tbl[v] : "?")

static int p2p_cb(struct nl_msg *msg __attribute__((unused)), struct nlattr **tb,
		  void *arg __attribute__((unused)))
{
	unsigned int t = tb[DMAPEEK_A_P2P_MAP_TYPE] ? nla_get_u32(tb[DMAPEEK_A_P2P_MAP_TYPE]) : 0;
	unsigned int r = tb[DMAPEEK_A_P2P_REASON] ? nla_get_u32(tb[DMAPEEK_A_P2P_REASON]) : 0;

	fprintf(cb_out, "p2p %s %s %s %d %s\n",
	       tb[DMAPEEK_A_P2P_PROVIDER_BDF] ? nla_get_string(tb[DMAPEEK_A_P2P_PROVIDER_BDF]) : "-",
	       tb[DMAPEEK_A_P2P_CLIENT_BDF] ? nla_get_string(tb[DMAPEEK_A_P2P_CLIENT_BDF]) : "-",
	       NAME(map_types, t),
	       tb[DMAPEEK_A_P2P_DISTANCE] ? (int)nla_get_u32(tb[DMAPEEK_A_P2P_DISTANCE]) : -99,
	       NAME(reasons, r));
	return NL_OK;
}

static const char *const domains[] = {
	"none", "blocked", "identity", "dma", "dma-fq", "unmanaged", "other",
};

static int device_cb(struct nl_msg *msg __attribute__((unused)), struct nlattr **tb,
		     void *arg __attribute__((unused)))
{
	fprintf(cb_out, "device %u %s %04x:%04x domain=%s attachments=%u\n",
	       nla_get_u32(tb[DMAPEEK_A_DEVICE_ID]), nla_get_string(tb[DMAPEEK_A_DEVICE_BDF]),
	       nla_get_u32(tb[DMAPEEK_A_DEVICE_VENDOR]), nla_get_u32(tb[DMAPEEK_A_DEVICE_DEVICE]),
	       NAME(domains, nla_get_u32(tb[DMAPEEK_A_DEVICE_DOMAIN_TYPE])),
	       nla_get_u32(tb[DMAPEEK_A_DEVICE_ATTACHMENTS]));
	return NL_OK;
}

static int provider_cb(struct nl_msg *msg __attribute__((unused)), struct nlattr **tb,
		       void *arg __attribute__((unused)))
{
	fprintf(cb_out, "provider %u %s bar=%d\n", nla_get_u32(tb[DMAPEEK_A_PROVIDER_ID]),
	       tb[DMAPEEK_A_PROVIDER_BDF] ? nla_get_string(tb[DMAPEEK_A_PROVIDER_BDF]) : "system",
	       tb[DMAPEEK_A_PROVIDER_BAR] ? (int)nla_get_u32(tb[DMAPEEK_A_PROVIDER_BAR]) : -1);
	return NL_OK;
}

static void put_bdfs(struct nl_msg *m, void *arg)
{
	char **b = arg;

	nla_put_string(m, DMAPEEK_A_P2P_PROVIDER_BDF, b[0]);
	nla_put_string(m, DMAPEEK_A_P2P_CLIENT_BDF, b[1]);
}

/* ------------------------------------------------------------ mappings */

static const char *const paths[] = {
	"?", "phys-vec-helper", "iova-link", "map-phys", "bus-addr", "sgtable", "importer-sgt",
};
static const char *const kinds[] = { "?", "iova", "bus", "phys" };
static const char *const results[] = { "?", "ok", "mismatch", "direct", "not-checkable" };

#define MAX_MAPS 16
struct maplist {
	int n;
	unsigned int id[MAX_MAPS];
	unsigned int path[MAX_MAPS];
	unsigned int kmask[MAX_MAPS];	/* kinds seen in its messages so far */
	int print;
};

static int mapping_cb(struct nl_msg *msg, struct nlattr **tb, void *arg)
{
	struct maplist *ml = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a, *rt[DMAPEEK_A_RANGE_MAX + 1];
	unsigned int id, path, nr = 0, kmask = 0, k, total, first;
	char ks[64] = "";
	int rem, i;

	if (!tb[DMAPEEK_A_MAPPING_ID] || !tb[DMAPEEK_A_MAPPING_PATH])
		return NL_OK;
	id = nla_get_u32(tb[DMAPEEK_A_MAPPING_ID]);
	path = nla_get_u32(tb[DMAPEEK_A_MAPPING_PATH]);
	for (i = 0; i < ml->n && ml->id[i] != id; i++)
		;	/* (seen in an attempt before, under --failslab) */
	if (i == ml->n && ml->n < MAX_MAPS) {
		ml->id[ml->n] = id;
		ml->path[ml->n] = path;
		ml->kmask[ml->n] = 0;
		ml->n++;
	}
	if (!ml->print || i == MAX_MAPS)
		return NL_OK;
	/* range is multi-attr: walk every top-level attribute */
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != DMAPEEK_A_MAPPING_RANGE)
			continue;
		nr++;
		nla_parse_nested(rt, DMAPEEK_A_RANGE_MAX, a, NULL);
		if (rt[DMAPEEK_A_RANGE_KIND])
			kmask |= 1u << nla_get_u32(rt[DMAPEEK_A_RANGE_KIND]);
	}
	/*
	 * A mapping with more ranges than a message holds comes in several,
	 * each from range RANGE_FIRST on: one line, when its last arrives.
	 */
	first = tb[DMAPEEK_A_MAPPING_RANGE_FIRST] ?
		nla_get_u32(tb[DMAPEEK_A_MAPPING_RANGE_FIRST]) : 0;
	total = tb[DMAPEEK_A_MAPPING_NR_RANGES] ?
		nla_get_u32(tb[DMAPEEK_A_MAPPING_NR_RANGES]) : nr;
	if (!first)
		ml->kmask[i] = 0;
	ml->kmask[i] |= kmask;
	if (first + nr < total)
		return NL_OK;
	kmask = ml->kmask[i];
	nr = total;
	for (k = 1; k < 4; k++)
		if (kmask & (1u << k)) {
			strcat(ks, ks[0] ? "," : "");
			strcat(ks, kinds[k]);
		}
	fprintf(cb_out, "mapping id=%u path=%s size=%llu ranges=%u kinds=%s\n", id,
	       NAME(paths, path), get_uint(tb[DMAPEEK_A_MAPPING_SIZE]), nr,
	       ks[0] ? ks : "-");
	return NL_OK;
}

static int list_mappings(unsigned int att, struct maplist *ml)
{
	unsigned int v[2] = { DMAPEEK_A_MAPPING_ATTACHMENT_ID, att };

	return nl_request(DMAPEEK_CMD_MAPPING_GET, NLM_F_DUMP, DMAPEEK_A_MAPPING_MAX,
			  put_u32_id, v, mapping_cb, ml, NULL);
}

static int audit_cb(struct nl_msg *msg, struct nlattr **tb, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a, *mt[DMAPEEK_A_AUDIT_MISMATCH_MAX + 1];
	unsigned int *path = arg;
	int rem, shown = 0;

	fprintf(cb_out, "audit id=%u path=%s result=%s pages=%llu mismatches=%llu holes=%llu",
	       nla_get_u32(tb[DMAPEEK_A_AUDIT_MAPPING_ID]), NAME(paths, *path),
	       NAME(results, nla_get_u32(tb[DMAPEEK_A_AUDIT_RESULT])),
	       get_uint(tb[DMAPEEK_A_AUDIT_PAGES]), get_uint(tb[DMAPEEK_A_AUDIT_MISMATCHES]),
	       get_uint(tb[DMAPEEK_A_AUDIT_HOLES]));
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != DMAPEEK_A_AUDIT_MISMATCH || shown++ >= 2)
			continue;
		nla_parse_nested(mt, DMAPEEK_A_AUDIT_MISMATCH_MAX, a, NULL);
		fprintf(cb_out, " [iova=%#llx expected=%#llx actual=%#llx]",
		       get_uint(mt[DMAPEEK_A_AUDIT_MISMATCH_IOVA]),
		       get_uint(mt[DMAPEEK_A_AUDIT_MISMATCH_EXPECTED]),
		       get_uint(mt[DMAPEEK_A_AUDIT_MISMATCH_ACTUAL]));
	}
	fprintf(cb_out, "\n");
	return NL_OK;
}

static const char *const behaviours[] = { "-", "normal", "never", "delayed" };

static int attachment_cb(struct nl_msg *msg __attribute__((unused)), struct nlattr **tb,
			 void *arg __attribute__((unused)))
{
	char dev[16] = "-";

	if (tb[DMAPEEK_A_ATTACHMENT_DEVICE_ID])
		snprintf(dev, sizeof(dev), "%u", nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_DEVICE_ID]));
	fprintf(cb_out, "attachment id=%u exp_name=%s size=%llu device=%s flags=%#x behaviour=%s "
	       "mapped=%u maps=%u unmaps=%u invalidations=%u revoked_seen=%u "
	       "last_unmap_latency_ns=%llu map_type=%s\n",
	       nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_ID]),
	       tb[DMAPEEK_A_ATTACHMENT_EXP_NAME] ?
	       nla_get_string(tb[DMAPEEK_A_ATTACHMENT_EXP_NAME]) : "-",
	       get_uint(tb[DMAPEEK_A_ATTACHMENT_SIZE]),
	       dev,
	       tb[DMAPEEK_A_ATTACHMENT_FLAGS] ? nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_FLAGS]) : 0,
	       NAME(behaviours, tb[DMAPEEK_A_ATTACHMENT_BEHAVIOUR] ?
		    nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_BEHAVIOUR]) : 0),
	       tb[DMAPEEK_A_ATTACHMENT_MAPPED] ? nla_get_u8(tb[DMAPEEK_A_ATTACHMENT_MAPPED]) : 0,
	       tb[DMAPEEK_A_ATTACHMENT_MAPS] ? nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_MAPS]) : 0,
	       tb[DMAPEEK_A_ATTACHMENT_UNMAPS] ? nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_UNMAPS]) : 0,
	       tb[DMAPEEK_A_ATTACHMENT_INVALIDATIONS] ?
	       nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_INVALIDATIONS]) : 0,
	       tb[DMAPEEK_A_ATTACHMENT_REVOKED_SEEN] ?
	       nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_REVOKED_SEEN]) : 0,
	       get_uint(tb[DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS]),
	       NAME(map_types, tb[DMAPEEK_A_ATTACHMENT_MAP_TYPE] ?
		    nla_get_u32(tb[DMAPEEK_A_ATTACHMENT_MAP_TYPE]) : 0));
	return NL_OK;
}

/* ------------------------------------------------------------- buffers */

static int buf_fd = -1;		/* the dma-buf */
static unsigned char *cpu;	/* CPU view of the buffer */
static size_t buf_size;
static unsigned int att_id;
static unsigned int buffer_id;	/* an export source's buffer */

static int make_udmabuf(size_t size)
{
	struct udmabuf_create c = { 0 };
	int memfd, dev, fd;

	memfd = memfd_create("dp-import", MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, size) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		return -1;
	cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (cpu == MAP_FAILED)
		return -1;
	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		return -1;
	c.memfd = memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.offset = 0;
	c.size = size;
	fd = ioctl(dev, UDMABUF_CREATE, &c);
	close(dev);
	return fd;
}

static int make_heap(size_t size)
{
	struct dma_heap_allocation_data a = { .len = size, .fd_flags = O_RDWR | O_CLOEXEC };
	int heap;

	heap = open("/dev/dma_heap/system", O_RDONLY);
	if (heap < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a) < 0)
		return -1;
	close(heap);
	cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	if (cpu == MAP_FAILED)
		return -1;
	return a.fd;
}

static unsigned char pattern(unsigned long seed, size_t i)
{
	return (unsigned char)((i * 131 + seed * 7 + (i >> 8)) ^ seed);
}

static int id_op(unsigned long req, unsigned int id)
{
	struct dmapeek_id_op op = { .size = sizeof(op), .id = id };

	return dp_ioctl(req, &op);
}

static int do_dma(unsigned int id, unsigned long long off, unsigned long long len,
		  unsigned int flags, unsigned char *data)
{
	struct dmapeek_dma d = {
		.size = sizeof(d), .flags = flags, .attachment_id = id,
		.offset = off, .length = len, .data = (unsigned long)data,
	};

	if (fi.on && data)
		fi_prefault(data, len);	/* copied inside the call */
	return dp_ioctl(DMAPEEK_IOC_DMA, &d);
}

static int parse_flags(const char *s)
{
	int f = 0;

	if (strstr(s, "dynamic"))
		f |= DMAPEEK_IMPORT_DYNAMIC;
	if (strstr(s, "pin"))
		f |= DMAPEEK_IMPORT_PIN;
	if (strstr(s, "p2p"))
		f |= DMAPEEK_IMPORT_PEER2PEER;
	if (strstr(s, "noinv"))
		f |= DMAPEEK_IMPORT_NO_INVALIDATE;
	return f;
}

/* "N:PATH": N imports of the buffer, their ids written to PATH. */
static void import_many(const char *arg, struct dmapeek_import *tmpl)
{
	unsigned long n = strtoul(arg, NULL, 0), i;
	const char *path = strchr(arg, ':');
	unsigned int first = 0, last = 0;
	FILE *f;

	f = path ? fopen(path + 1, "w") : NULL;
	if (!f) {
		printf("import-many ERR %s at=0\n", ename(path ? errno : EINVAL));
		return;
	}
	for (i = 0; i < n; i++) {
		struct dmapeek_import im = *tmpl;

		im.fd = buf_fd;
		im.attachment_id = 0;
		int e = dp_ioctl(DMAPEEK_IOC_IMPORT, &im);

		if (e) {
			printf("import-many ERR %s at=%lu\n", ename(e), i);
			fclose(f);
			return;
		}
		if (!first)
			first = im.attachment_id;
		last = im.attachment_id;
		fprintf(f, "%u\n", im.attachment_id);
	}
	fclose(f);
	printf("import-many OK n=%lu first=%u last=%u\n", n, first, last);
}

static void step(const char *st, struct dmapeek_import *imp)
{
	unsigned long long a, b, c, d;
	char extack[256] = "";
	struct maplist ml = { 0 };
	int e, i;

	if (!strcmp(st, "import")) {
		imp->fd = buf_fd;
		e = dp_ioctl(DMAPEEK_IOC_IMPORT, imp);
		if (!e)
			att_id = imp->attachment_id;
		if (e)
			printf("import ERR %s\n", ename(e));
		else
			printf("import OK id=%u\n", att_id);
	} else if (!strcmp(st, "detach")) {
		e = id_op(DMAPEEK_IOC_DETACH, att_id);
		printf("%s %s\n", st, ename(e));
	} else if (!strcmp(st, "map") || !strcmp(st, "unmap") ||
		   !strcmp(st, "nlmap") || !strcmp(st, "nlunmap")) {
		unsigned int v[2] = { DMAPEEK_A_ATTACHMENT_ID, att_id };
		int map = !strcmp(st, "map") || !strcmp(st, "nlmap");

		e = nl_request(map ? DMAPEEK_CMD_ATTACHMENT_MAP :
			       DMAPEEK_CMD_ATTACHMENT_UNMAP, 0, DMAPEEK_A_ATTACHMENT_MAX,
			       put_u32_id, v, NULL, NULL, extack);
		/* an attempt whose ACK was lost had done it (see the top) */
		if (nl_last_lost && e == (map ? EALREADY : ENXIO)) {
			e = 0;
			extack[0] = 0;
		}
		if (st[0] != 'n')	/* map, unmap: the errno name only */
			extack[0] = 0;
		printf("%s %s%s%s\n", st, ename(e), extack[0] ? " " : "", extack);
	} else if (!strcmp(st, "mappings")) {
		ml.print = 1;
		e = list_mappings(att_id, &ml);
		printf("mappings %s n=%d\n", ename(e), ml.n);
	} else if (!strcmp(st, "audit")) {
		e = list_mappings(att_id, &ml);
		for (i = 0; i < ml.n; i++) {
			unsigned int v[2] = { DMAPEEK_A_AUDIT_MAPPING_ID, ml.id[i] };

			e = nl_request(DMAPEEK_CMD_MAPPING_AUDIT, 0, DMAPEEK_A_AUDIT_MAX,
				       put_u32_id, v, audit_cb, &ml.path[i], extack);
			if (e)
				printf("audit id=%u ERR %s %s\n", ml.id[i], ename(e), extack);
		}
		printf("%s-done n=%d\n", st, ml.n);
	} else if (sscanf(st, "audit-id:%llu", &a) == 1) {
		unsigned int v[2] = { DMAPEEK_A_AUDIT_MAPPING_ID, (unsigned int)a };
		unsigned int path = 0;

		e = nl_request(DMAPEEK_CMD_MAPPING_AUDIT, 0, DMAPEEK_A_AUDIT_MAX,
			       put_u32_id, v, audit_cb, &path, extack);
		if (e)
			printf("audit-id ERR %s %s\n", ename(e), extack);
		else
			printf("audit-id OK\n");
	} else if (!strcmp(st, "attachment")) {
		unsigned int v[2] = { DMAPEEK_A_ATTACHMENT_ID, att_id };

		e = nl_request(DMAPEEK_CMD_ATTACHMENT_GET, 0, DMAPEEK_A_ATTACHMENT_MAX,
			       put_u32_id, v, attachment_cb, NULL, extack);
		if (e)
			printf("attachment ERR %s %s\n", ename(e), extack);
	} else if (!strcmp(st, "fdinfo")) {
		char path[64], line[256], name[64] = "-";
		unsigned long long sz = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", buf_fd);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			sscanf(line, "exp_name: %63s", name);
			sscanf(line, "size: %llu", &sz);
		}
		if (f)
			fclose(f);
		printf("fdinfo exp_name=%s size=%llu\n", name, sz);
	} else if (!cpu && (!strncmp(st, "cpu-fill:", 9) || !strncmp(st, "cpu-check:", 10))) {
		printf("%.8s NOCPU\n", st);
	} else if (sscanf(st, "cpu-fill:%llu:%llu:%llu", &a, &b, &c) == 3) {
		for (i = 0; i < (int)b; i++)
			cpu[a + i] = pattern(c, i);
		printf("cpu-fill OK\n");
	} else if (sscanf(st, "cpu-check:%llu:%llu:%llu", &a, &b, &c) == 3) {
		int bad = 0;

		for (i = 0; i < (int)b; i++)
			bad += cpu[a + i] != pattern(c, i);
		printf("cpu-check %s bad=%d\n", bad ? "MISMATCH" : "OK", bad);
	} else if (sscanf(st, "dma-write:%llu:%llu:%llu", &a, &b, &c) == 3) {
		unsigned char *p = malloc(b ? b : 1);

		if (!p) {
			printf("dma-write %s\n", ename(ENOMEM));
			fflush(stdout);
			return;
		}
		for (i = 0; i < (int)b; i++)
			p[i] = pattern(c, i);
		e = do_dma(att_id, a, b, DMAPEEK_DMA_TO_BUFFER, p);
		printf("dma-write %s\n", ename(e));
		free(p);
	} else if (sscanf(st, "dma-read:%llu:%llu:%llu", &a, &b, &c) == 3) {
		unsigned char *p = calloc(1, b);
		int bad = 0;

		e = do_dma(att_id, a, b, 0, p);
		for (i = 0; !e && i < (int)b; i++)
			bad += p[i] != pattern(c, i);
		printf("dma-read %s%s bad=%d\n", ename(e), e ? "" : bad ? " MISMATCH" : " MATCH", bad);
		free(p);
	} else if (sscanf(st, "dma-raw:%llu:%llu:%llu:%llu", &a, &b, &c, &d) == 4) {
		unsigned char *p = calloc(1, c ? c : 1);

		e = do_dma(a, b, c, d, p);
		printf("dma-raw %s\n", ename(e));
		free(p);
	} else if (sscanf(st, "revoke:%llu", &a) == 1) {
		unsigned int v[] = { DMAPEEK_A_REVOKE_BUFFER_ID, buffer_id,
				     a ? DMAPEEK_A_REVOKE_TIMEOUT_MS : 0, a, 0, 0 };
		struct dp_nl_done od;

		/* stuck importers are an outcome (ETIMEDOUT), not a failure */
		e = buffer_op(1, v, &od, a, extack);
		if (!e && od.error && od.error != -ETIMEDOUT)
			e = -od.error;
		if (e)
			printf("revoke ERR %s\n", ename(e));
		else
			printf("revoke OK attachments=%u stuck=%u\n", od.attachments, od.stuck);
	} else if (sscanf(st, "move:%llu", &a) == 1) {
		unsigned int v[] = { DMAPEEK_A_BUFFER_ID, buffer_id,
				     DMAPEEK_A_BUFFER_TARGET_PROVIDER_ID, a, 0, 0, 0, 0 };
		unsigned long long ms = 0;
		struct dp_nl_done od;

		if (sscanf(st, "move:%llu:%llu", &a, &ms) == 2 && ms) {
			v[4] = DMAPEEK_A_BUFFER_TIMEOUT_MS;
			v[5] = ms;
		}
		e = buffer_op(0, v, &od, ms, extack);
		if (!e)
			e = -od.error;
		printf("move %s\n", ename(e));
	} else if (!strcmp(st, "restore")) {
		unsigned int v[2] = { DMAPEEK_A_BUFFER_ID, buffer_id };

		e = nl_request(DMAPEEK_CMD_BUFFER_RESTORE, 0, DMAPEEK_A_BUFFER_MAX,
			       put_u32_id, v, NULL, NULL, extack);
		/* an attempt whose ACK was lost had restored it (see the top) */
		if (nl_last_lost && e == EINVAL && strstr(extack, "is not revoked"))
			e = 0;
		printf("restore %s\n", ename(e));
	} else if (!strncmp(st, "import-many:", 12)) {
		import_many(st + 12, imp);
	} else if (!strncmp(st, "touch:", 6)) {
		close(open(st + 6, O_CREAT | O_WRONLY, 0600));
	} else if (!strncmp(st, "waitfile:", 9)) {
		for (i = 0; i < 600 && access(st + 9, F_OK); i++)
			usleep(100000);
	} else if (sscanf(st, "sleep:%llu", &a) == 1) {
		usleep(a * 1000);
	} else if (sscanf(st, "id:%llu", &a) == 1) {
		att_id = a;
	} else {
		printf("%s UNKNOWN-STEP\n", st);
	}
	if (st_enomem || st_other || st_lost)
		printf("fi %s enomem=%u other=%u lost=%u\n", st, st_enomem, st_other, st_lost);
	st_enomem = st_other = st_lost = 0;
	fflush(stdout);
}

/* The lists "dp NAME" prints, one line per object. */
static const struct {
	const char *name;
	int cmd, maxattr;
	int (*cb)(struct nl_msg *msg, struct nlattr **tb, void *arg);
} dumps[] = {
	{ "devices", DMAPEEK_CMD_DEVICE_GET, DMAPEEK_A_DEVICE_MAX, device_cb },
	{ "providers", DMAPEEK_CMD_PROVIDER_GET, DMAPEEK_A_PROVIDER_MAX, provider_cb },
	{ "p2p-dump", DMAPEEK_CMD_P2P_GET, DMAPEEK_A_P2P_MAX, p2p_cb },
};

/* Every command of this file starts so. */
static void start(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	cb_out = stdout;
}

/* dp devices | providers | p2p-dump */
int cmd_import_list(int argc __attribute__((unused)), char **argv)
{
	size_t d;
	int e;

	start();
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		if (strcmp(argv[0], dumps[d].name))
			continue;
		e = nl_request(dumps[d].cmd, NLM_F_DUMP, dumps[d].maxattr, NULL, NULL,
			       dumps[d].cb, NULL, NULL);
		if (e)
			printf("%s ERR %s\n", dumps[d].name, ename(e));
		return !!e;
	}
	dp_usage();
}

/* dp p2p-get PROVIDER_BDF CLIENT_BDF */
int cmd_p2p_get(int argc __attribute__((unused)), char **argv)
{
	char extack[256] = "";
	int e;

	start();
	e = nl_request(DMAPEEK_CMD_P2P_GET, 0, DMAPEEK_A_P2P_MAX, put_bdfs,
		       argv + 1, p2p_cb, NULL, extack);
	if (e)
		printf("p2p-get ERR %s %s\n", ename(e), extack);
	return !!e;
}

/* dp import [OPTIONS] SOURCE STEP... (argv[0] "import") */
int cmd_import(int argc, char **argv)
{
	struct dmapeek_import imp = { .size = sizeof(imp) };
	int i = 1, e;

	start();
	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (i + 1 >= argc)
			return 2;
		if (!strcmp(argv[i], "--dev"))
			imp.device_id = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--flags"))
			imp.flags = parse_flags(argv[i + 1]);
		else if (!strcmp(argv[i], "--raw-flags"))
			imp.flags = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--failslab"))
			fi_tries = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--behaviour")) {
			if (!strcmp(argv[i + 1], "never"))
				imp.behaviour = DMAPEEK_BEHAVIOUR_NEVER_UNMAP;
			else if (!strncmp(argv[i + 1], "delayed:", 8)) {
				imp.behaviour = DMAPEEK_BEHAVIOUR_DELAYED_UNMAP;
				imp.unmap_delay_ms = atoi(argv[i + 1] + 8);
			} else
				imp.behaviour = DMAPEEK_BEHAVIOUR_NORMAL;
		} else
			return 2;
	}
	if (i >= argc)
		dp_usage();
	dp_fd = open("/dev/dmapeek", O_RDWR);
	if (dp_fd < 0) {
		printf("open /dev/dmapeek ERR %s\n", ename(errno));
		return 1;
	}
	/* (netlink set up first, without injected failures) */
	if (fi_tries && (nl_open() || fi_setup("dp import")))
		return 1;
	if (!strncmp(argv[i], "udmabuf:", 8)) {
		buf_size = strtoull(argv[i] + 8, NULL, 0);
		buf_fd = make_udmabuf(buf_size);
	} else if (!strncmp(argv[i], "heap:", 5)) {
		buf_size = strtoull(argv[i] + 5, NULL, 0);
		buf_fd = make_heap(buf_size);
	} else if (!strncmp(argv[i], "export:", 7)) {
		/* export:PROVIDER:NRANGES: NRANGES pages of a BAR, every other page */
		struct dmapeek_range r[16];
		struct dmapeek_export ex = { .size = sizeof(ex), .model = DMAPEEK_MODEL_PINNED };
		unsigned int prov = 0, nr = 0, k;

		sscanf(argv[i] + 7, "%u:%u", &prov, &nr);
		if (nr < 1 || nr > 16)
			return 2;
		for (k = 0; k < nr; k++) {
			r[k].offset = (unsigned long long)k * 2 * 4096;
			r[k].length = 4096;
		}
		ex.provider_id = prov;
		ex.nr_ranges = nr;
		ex.ranges = (unsigned long)r;
		strcpy(ex.name, "dp-import");
		e = dp_ioctl(DMAPEEK_IOC_EXPORT, &ex);
		if (e) {
			printf("source %s ERR %s\n", argv[i], ename(e));
			return 1;
		}
		buf_fd = ex.fd;
		buffer_id = ex.buffer_id;
		buf_size = (size_t)nr * 4096;
		cpu = mmap(NULL, buf_size, PROT_READ | PROT_WRITE, MAP_SHARED, buf_fd, 0);
		if (cpu == MAP_FAILED)
			cpu = NULL;
		printf("export OK buffer=%u cpu=%s\n", ex.buffer_id, cpu ? "mmap" : "none");
	} else if (!strncmp(argv[i], "sys:", 4)) {
		struct dmapeek_export ex = { .size = sizeof(ex), .provider_id = 1 };
		char model[16] = "", chunks[8] = "";

		if (sscanf(argv[i] + 4, "%zu:%15[^:]:%7s", &buf_size, model, chunks) < 2)
			return 2;
		ex.model = !strcmp(model, "movable") ? DMAPEEK_MODEL_MOVABLE :
			   !strcmp(model, "revocable") ? DMAPEEK_MODEL_REVOCABLE :
			   DMAPEEK_MODEL_PINNED;
		if (!strcmp(chunks, "pages"))
			ex.flags |= DMAPEEK_EXPORT_PAGE_CHUNKS;
		else if (chunks[0])
			return 2;
		ex.length = buf_size;
		strcpy(ex.name, "dp-import");
		e = dp_ioctl(DMAPEEK_IOC_EXPORT, &ex);
		if (e) {
			printf("source %s ERR %s\n", argv[i], ename(e));
			return 1;
		}
		buf_fd = ex.fd;
		buffer_id = ex.buffer_id;
		cpu = mmap(NULL, buf_size, PROT_READ | PROT_WRITE, MAP_SHARED, buf_fd, 0);
		if (cpu == MAP_FAILED)
			cpu = NULL;
		printf("export OK buffer=%u cpu=%s\n", ex.buffer_id, cpu ? "mmap" : "none");
	} else if (!strncmp(argv[i], "file:", 5)) {
		buf_fd = open(argv[i] + 5, O_RDONLY);
	}
	if (buf_fd < 0) {
		printf("source %s ERR %s\n", argv[i], ename(errno));
		return 1;
	}
	/* the source's failed attempts (an export's) count as its own step's */
	if (st_enomem || st_other || st_lost)
		printf("fi source enomem=%u other=%u lost=%u\n", st_enomem, st_other, st_lost);
	st_enomem = st_other = st_lost = 0;
	for (i++; i < argc; i++)
		step(argv[i], &imp);
	if (fi.on)
		printf("fi-total calls=%llu enomem=%llu other=%llu lost=%llu\n", fi.calls,
		       fi_enomem, fi_other, fi_lost);
	return 0;
}
