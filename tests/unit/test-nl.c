// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of libdmapeek's netlink transport and decoder: error and
 * extended-ack parsing on messages laid out as the kernel sends them,
 * the merging of objects split over several messages, and the decoding
 * of replies recorded from the live module in the lab's guest
 * (tests/unit/data/live/, see the README there), checked against the
 * facts of the scene the recorder set up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"
#include "unit.h"

/* Build an NLMSG_ERROR the way netlink_ack() does, with a capped request. */
static struct nlmsghdr *mk_error(char *buf, int error, const char *msg,
				 bool capped)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = (capped ? NLM_F_CAPPED : 0) | (msg ? NLM_F_ACK_TLVS : 0);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr) + 8;
	e->msg.nlmsg_type = 0x20;
	if (!capped)
		mnl_nlmsg_put_extra_header(nlh, 8);	/* the echoed payload */
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	return nlh;
}

START_TEST(error_with_extack_capped)
{
	struct dmapeek ctx = { 0 };
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = mk_error(buf, -EINVAL, "buffer id out of range", true);

	ck_assert_int_eq(dp_nl_error_msg(&ctx, nlh), -EINVAL);
	ck_assert_str_eq(ctx.extack, "buffer id out of range");
}
END_TEST

START_TEST(error_with_extack_uncapped)
{
	struct dmapeek ctx = { 0 };
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = mk_error(buf, -EPERM, "needs CAP_SYS_ADMIN", false);

	ck_assert_int_eq(dp_nl_error_msg(&ctx, nlh), -EPERM);
	ck_assert_str_eq(ctx.extack, "needs CAP_SYS_ADMIN");
}
END_TEST

START_TEST(plain_ack_has_no_text)
{
	struct dmapeek ctx = { 0 };
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = mk_error(buf, 0, NULL, true);

	ck_assert_int_eq(dp_nl_error_msg(&ctx, nlh), 0);
	ck_assert_str_eq(ctx.extack, "");
}
END_TEST

START_TEST(truncated_error_is_rejected)
{
	struct dmapeek ctx = { 0 };
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = mk_error(buf, -EINVAL, NULL, true);

	nlh->nlmsg_len = sizeof(*nlh) + 4;
	ck_assert_int_eq(dp_nl_error_msg(&ctx, nlh), -EBADMSG);
}
END_TEST

START_TEST(errno_convention)
{
	errno = 0;
	ck_assert_int_eq(dp_errno(ENOENT), -ENOENT);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(dp_errno(-EPERM), -EPERM);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

/* ------------------------------------------------- recorded replies */

/* The ids of the recorder's scene (live/capture.txt). */
struct scene {
	unsigned int pinned, revocable, idle;		/* buffers */
	unsigned int a_pinned, a_revocable, a_stuck;	/* attachments */
};

static struct scene scene(void)
{
	char *text = unit_slurp("live/capture.txt", NULL), *l;
	struct scene sc = { 0 };

	l = strstr(text, "\nbuffers ");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(sscanf(l, "\nbuffers pinned %u revocable %u idle %u",
				&sc.pinned, &sc.revocable, &sc.idle), 3);
	l = strstr(text, "\nattachments ");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(sscanf(l, "\nattachments pinned %u revocable %u stuck %u",
				&sc.a_pinned, &sc.a_revocable, &sc.a_stuck), 3);
	free(text);
	return sc;
}

/*
 * Decode every message of the family in a recorded file (recv() batches
 * as received) into @o, calling @check on each; returns how many.  Control
 * messages must be the dump's clean end.
 */
static unsigned int each_obj(const char *name, enum dp_kind kind,
			     void (*check)(const struct dp_obj *o, void *data),
			     void *data)
{
	size_t len;
	char *buf = unit_slurp(name, &len);
	const struct nlmsghdr *h;
	int left = (int)len;
	unsigned int n = 0;
	struct dp_obj o;
	bool done = false;

	dp_obj_init(&o, kind);
	for (h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, left);
	     h = mnl_nlmsg_next(h, &left)) {
		if (h->nlmsg_type == NLMSG_DONE) {
			ck_assert_int_eq(*(const int *)mnl_nlmsg_get_payload(h), 0);
			done = true;
			continue;
		}
		if (h->nlmsg_type == NLMSG_ERROR) {
			ck_assert_int_eq(dp_nl_error_msg(&(struct dmapeek){ 0 }, h), 0);
			continue;
		}
		ck_assert_uint_ge(h->nlmsg_type, GENL_START_ALLOC);
		ck_assert_int_eq(dp_obj_parse(NULL, &o, h), 0);
		check(&o, data);
		n++;
	}
	ck_assert_int_eq(left, 0);	/* nothing left over: whole messages */
	ck_assert_msg(done || kind == DP_REVOKE || kind == DP_EVENT,
		      "%s: a dump without its end", name);
	dp_obj_release(&o);
	free(buf);
	return n;
}

#define V(o, attr)	((o)->v[attr])
#define HAS(o, attr)	(((o)->present >> (attr)) & 1)

static void check_buffer(const struct dp_obj *o, void *data)
{
	const struct scene *sc = data;
	unsigned int id = (unsigned int)V(o, DMAPEEK_A_BUFFER_ID);

	ck_assert(HAS(o, DMAPEEK_A_BUFFER_INODE));
	ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_STATE), DMAPEEK_BUFFER_STATE_LIVE);
	if (id == sc->pinned) {
		ck_assert_str_eq(dp_obj_str(o, DMAPEEK_A_BUFFER_NAME), "cap-pinned");
		ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_SIZE), 64 << 10);
		ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_MODEL), DMAPEEK_MODEL_PINNED);
		ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_ATTACHMENTS), 1);
	} else if (id == sc->revocable) {
		ck_assert_str_eq(dp_obj_str(o, DMAPEEK_A_BUFFER_NAME), "cap-revocable");
		ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_SIZE), 128 << 10);
		ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_MODEL), DMAPEEK_MODEL_REVOCABLE);
		ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_ATTACHMENTS), 2);
	} else if (id == sc->idle) {
		ck_assert_str_eq(dp_obj_str(o, DMAPEEK_A_BUFFER_NAME), "cap-idle");
		ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_SIZE), 4096);
		ck_assert_uint_eq(V(o, DMAPEEK_A_BUFFER_ATTACHMENTS), 0);
	} else {
		return;
	}
	/* Backing ranges, with their physical addresses (recorded as root). */
	ck_assert_uint_ge(o->nr_subs, 1);
	ck_assert(o->subs[0].present & (1U << DMAPEEK_A_RANGE_ADDR));
	ck_assert_uint_eq(o->subs[0].v[DMAPEEK_A_RANGE_OFFSET], 0);
}

START_TEST(live_buffer_dump)
{
	struct scene sc = scene();

	ck_assert_uint_ge(each_obj("live/nl-buffer-dump.bin", DP_BUFFER,
				   check_buffer, &sc), 3);
}
END_TEST

struct att_seen {
	const struct scene *sc;
	unsigned int of_revocable, stuck_ones;
};

static void check_attachment(const struct dp_obj *o, void *data)
{
	struct att_seen *s = data;
	unsigned int id = (unsigned int)V(o, DMAPEEK_A_ATTACHMENT_ID);

	if (id != s->sc->a_pinned && id != s->sc->a_revocable && id != s->sc->a_stuck)
		return;
	ck_assert_str_eq(dp_obj_str(o, DMAPEEK_A_ATTACHMENT_EXP_NAME), "dmapeek");
	ck_assert_ptr_nonnull(dp_obj_str(o, DMAPEEK_A_ATTACHMENT_IMPORTER_DEV));
	ck_assert_uint_eq(V(o, DMAPEEK_A_ATTACHMENT_MAPPED), 1);
	if (V(o, DMAPEEK_A_ATTACHMENT_BUFFER_ID) == s->sc->revocable) {
		s->of_revocable++;
		ck_assert(V(o, DMAPEEK_A_ATTACHMENT_FLAGS) & DMAPEEK_ATTACH_FLAGS_DYNAMIC);
	}
	if (id == s->sc->a_stuck) {
		s->stuck_ones++;
		ck_assert_uint_eq(V(o, DMAPEEK_A_ATTACHMENT_BEHAVIOUR),
				  DMAPEEK_BEHAVIOUR_NEVER_UNMAP);
	}
}

START_TEST(live_attachment_dump)
{
	struct scene sc = scene();
	struct att_seen s = { .sc = &sc };

	each_obj("live/nl-attachment-dump.bin", DP_ATTACHMENT, check_attachment, &s);
	ck_assert_uint_eq(s.of_revocable, 2);
	ck_assert_uint_eq(s.stuck_ones, 1);
}
END_TEST

static void count_system(const struct dp_obj *o, void *data)
{
	unsigned int *n = data;

	*n += V(o, DMAPEEK_A_PROVIDER_KIND) == DMAPEEK_PROVIDER_KIND_SYSTEM;
}

static void check_p2p(const struct dp_obj *o, void *data)
{
	(void)data;
	ck_assert_ptr_nonnull(dp_obj_str(o, DMAPEEK_A_P2P_PROVIDER_BDF));
	ck_assert_ptr_nonnull(dp_obj_str(o, DMAPEEK_A_P2P_CLIENT_BDF));
	ck_assert(HAS(o, DMAPEEK_A_P2P_MAP_TYPE));
}

static void check_nothing(const struct dp_obj *o, void *data)
{
	(void)o;
	(void)data;
}

START_TEST(live_other_dumps)
{
	unsigned int sys = 0;

	ck_assert_uint_ge(each_obj("live/nl-provider-dump.bin", DP_PROVIDER,
				   count_system, &sys), 2);
	ck_assert_uint_eq(sys, 1);
	ck_assert_uint_ge(each_obj("live/nl-device-dump.bin", DP_DEVICE,
				   check_nothing, NULL), 1);
	ck_assert_uint_ge(each_obj("live/nl-mapping-dump.bin", DP_MAPPING,
				   check_nothing, NULL), 3);
	ck_assert_uint_ge(each_obj("live/nl-p2p-dump.bin", DP_P2P, check_p2p, NULL), 1);
}
END_TEST

static void check_revoke(const struct dp_obj *o, void *data)
{
	const struct scene *sc = data;
	unsigned int i, stuck = 0;

	ck_assert_uint_eq(V(o, DMAPEEK_A_REVOKE_BUFFER_ID), sc->revocable);
	ck_assert_uint_eq(V(o, DMAPEEK_A_REVOKE_ATTACHMENTS), 2);
	ck_assert_uint_eq(V(o, DMAPEEK_A_REVOKE_STUCK), 1);
	/* It waited its 200 ms timeout for the stuck importer. */
	ck_assert_uint_ge(V(o, DMAPEEK_A_REVOKE_DURATION_NS), 200000000ULL);
	ck_assert_uint_eq(o->nr_subs, 2);
	for (i = 0; i < o->nr_subs; i++) {
		const struct dp_sub *r = &o->subs[i];

		if (r->v[DMAPEEK_A_REVOKE_ATTACHMENT_STUCK]) {
			stuck++;
			ck_assert_uint_eq(r->v[DMAPEEK_A_REVOKE_ATTACHMENT_ID], sc->a_stuck);
		} else {
			ck_assert_uint_eq(r->v[DMAPEEK_A_REVOKE_ATTACHMENT_ID],
					  sc->a_revocable);
			ck_assert(r->present & (1U << DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS));
		}
	}
	ck_assert_uint_eq(stuck, 1);
}

START_TEST(live_revoke_reply)
{
	struct scene sc = scene();

	ck_assert_uint_eq(each_obj("live/nl-revoke.bin", DP_REVOKE, check_revoke,
				   &sc), 1);
}
END_TEST

/* The one NLMSG_ERROR of a recorded failure: its errno, extack kept. */
static int live_error(const char *name, struct dmapeek *ctx)
{
	size_t len;
	char *buf = unit_slurp(name, &len);
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	int err;

	ck_assert(mnl_nlmsg_ok(h, (int)len));
	ck_assert_uint_eq(h->nlmsg_type, NLMSG_ERROR);
	err = dp_nl_error_msg(ctx, h);
	free(buf);
	return err;
}

START_TEST(live_errors_carry_extack)
{
	struct dmapeek ctx = { 0 };

	ck_assert_int_eq(live_error("live/nl-error-noent.bin", &ctx), -ENOENT);
	ck_assert_str_ne(ctx.extack, "");
	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_lt(live_error("live/nl-error-pinned.bin", &ctx), 0);
	ck_assert_str_ne(ctx.extack, "");
}
END_TEST

struct ev_seen {
	const struct scene *sc;
	unsigned int creates, stuck, revoke_done;
	uint64_t last_ts;
};

static void check_event(const struct dp_obj *o, void *data)
{
	struct ev_seen *s = data;
	uint32_t type = (uint32_t)V(o, DMAPEEK_A_EVENT_TYPE);

	ck_assert_uint_ge(V(o, DMAPEEK_A_EVENT_TIMESTAMP_NS), s->last_ts);
	s->last_ts = V(o, DMAPEEK_A_EVENT_TIMESTAMP_NS);
	s->creates += type == DMAPEEK_EVENT_TYPE_BUFFER_CREATE;
	if (type == DMAPEEK_EVENT_TYPE_STUCK) {
		s->stuck++;
		ck_assert_uint_eq(V(o, DMAPEEK_A_EVENT_ATTACHMENT_ID), s->sc->a_stuck);
	}
	if (type == DMAPEEK_EVENT_TYPE_REVOKE_DONE) {
		s->revoke_done++;
		ck_assert_uint_eq(V(o, DMAPEEK_A_EVENT_BUFFER_ID), s->sc->revocable);
	}
}

START_TEST(live_events)
{
	struct scene sc = scene();
	struct ev_seen s = { .sc = &sc };

	ck_assert_uint_ge(each_obj("live/nl-events.bin", DP_EVENT, check_event, &s), 10);
	ck_assert_uint_eq(s.creates, 3);
	ck_assert_uint_eq(s.stuck, 1);
	ck_assert_uint_eq(s.revoke_done, 1);
}
END_TEST

/* ------------------------------------------------ objects over messages */

/*
 * One message of a mapping split as the module's dump splits it: the
 * fixed attributes, nr-ranges, range-first when not 0, and ranges
 * [first, first + n) of 4 KiB pages at offsets i * 4 KiB.
 */
static struct nlmsghdr *mk_mapping_part(char *buf, uint32_t id, uint32_t nr,
					uint32_t first, uint32_t n)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	uint32_t i;

	nlh->nlmsg_type = 0x1234;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = DMAPEEK_CMD_MAPPING_GET;
	mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_ID, id);
	mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_ATTACHMENT_ID, 3);
	mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_SIZE, nr * 4096);
	mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_NR_RANGES, nr);
	if (first)
		mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_RANGE_FIRST, first);
	for (i = first; i < first + n; i++) {
		struct nlattr *r = mnl_attr_nest_start(nlh, DMAPEEK_A_MAPPING_RANGE);

		mnl_attr_put_u32(nlh, DMAPEEK_A_RANGE_OFFSET, i * 4096);
		mnl_attr_put_u32(nlh, DMAPEEK_A_RANGE_LEN, 4096);
		mnl_attr_put_u64(nlh, DMAPEEK_A_RANGE_ADDR, 0x100000000ULL + i * 8192);
		mnl_attr_nest_end(nlh, r);
	}
	return nlh;
}

static char part[8192];

START_TEST(split_mapping_is_merged_whole)
{
	struct dp_obj *o = dp_obj_new(DP_MAPPING);
	struct dmapeek_mapping *m = (struct dmapeek_mapping *)o;
	struct dmapeek_addr_range r;
	unsigned int i;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(dp_obj_parse(NULL, o, mk_mapping_part(part, 9, 7, 0, 3)), 0);
	ck_assert(dp_obj_incomplete(o));
	ck_assert_int_eq(dp_obj_merge(NULL, o, mk_mapping_part(part, 9, 7, 3, 3)), 0);
	ck_assert(dp_obj_incomplete(o));
	ck_assert_int_eq(dp_obj_merge(NULL, o, mk_mapping_part(part, 9, 7, 6, 1)), 0);
	ck_assert(!dp_obj_incomplete(o));
	ck_assert_uint_eq(dmapeek_mapping_nr_ranges(m), 7);
	ck_assert_uint_eq(dmapeek_mapping_id(m), 9);
	ck_assert_uint_eq(dmapeek_mapping_size(m), 7 * 4096);
	for (i = 0; i < 7; i++) {
		ck_assert_int_eq(dmapeek_mapping_range(m, i, &r), 0);
		ck_assert_uint_eq(r.offset, i * 4096);
		ck_assert_uint_eq(r.len, 4096);
		ck_assert_uint_eq(r.addr, 0x100000000ULL + i * 8192);
	}
	ck_assert_int_eq(dmapeek_mapping_range(m, 7, &r), -ERANGE);
	dmapeek_object_free(o);
}
END_TEST

/* The first part of mapping 9 (7 ranges, 3 here) in @o. */
static void start_split(struct dp_obj *o)
{
	dp_obj_init(o, DP_MAPPING);
	ck_assert_int_eq(dp_obj_parse(NULL, o, mk_mapping_part(part, 9, 7, 0, 3)), 0);
}

START_TEST(continuation_of_another_object_is_ebadmsg)
{
	struct dp_obj o;

	start_split(&o);
	ck_assert_int_eq(dp_obj_merge(NULL, &o, mk_mapping_part(part, 10, 7, 3, 4)),
			 -EBADMSG);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_uint_eq(o.nr_subs, 3);	/* nothing merged */
	dp_obj_release(&o);
}
END_TEST

START_TEST(continuation_with_a_gap_or_overlap_is_ebadmsg)
{
	struct dp_obj o;

	start_split(&o);
	ck_assert_int_eq(dp_obj_merge(NULL, &o, mk_mapping_part(part, 9, 7, 4, 3)),
			 -EBADMSG);
	ck_assert_int_eq(dp_obj_merge(NULL, &o, mk_mapping_part(part, 9, 7, 2, 5)),
			 -EBADMSG);
	ck_assert_uint_eq(o.nr_subs, 3);
	dp_obj_release(&o);
}
END_TEST

START_TEST(continuation_with_too_many_ranges_is_ebadmsg)
{
	struct dp_obj o;

	start_split(&o);
	ck_assert_int_eq(dp_obj_merge(NULL, &o, mk_mapping_part(part, 9, 7, 3, 5)),
			 -EBADMSG);
	dp_obj_release(&o);
}
END_TEST

START_TEST(continuation_is_not_an_object_start)
{
	struct dp_obj o;

	dp_obj_init(&o, DP_MAPPING);
	ck_assert_int_eq(dp_obj_parse(NULL, &o, mk_mapping_part(part, 9, 7, 3, 4)),
			 -EBADMSG);
	/* ...nor does it continue an object that is already whole. */
	ck_assert_int_eq(dp_obj_parse(NULL, &o, mk_mapping_part(part, 9, 3, 0, 3)), 0);
	ck_assert(!dp_obj_incomplete(&o));
	ck_assert_int_eq(dp_obj_merge(NULL, &o, mk_mapping_part(part, 9, 3, 3, 1)),
			 -EBADMSG);
	dp_obj_release(&o);
}
END_TEST

START_TEST(continuation_without_range_first_is_ebadmsg)
{
	struct dp_obj o;

	start_split(&o);
	/* range-first 0 is absent: a new first message, not the rest. */
	ck_assert_int_eq(dp_obj_merge(NULL, &o, mk_mapping_part(part, 9, 7, 0, 3)),
			 -EBADMSG);
	dp_obj_release(&o);
}
END_TEST

START_TEST(split_buffer_is_merged_whole)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct dp_obj o;
	struct nlattr *r;
	uint32_t first;

	dp_obj_init(&o, DP_BUFFER);
	for (first = 0; first < 4; first += 2) {
		nlh = mnl_nlmsg_put_header(part);
		nlh->nlmsg_type = 0x1234;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = DMAPEEK_CMD_BUFFER_GET;
		mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ID, 5);
		mnl_attr_put_strz(nlh, DMAPEEK_A_BUFFER_NAME, first ? "renamed?" : "b");
		mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_NR_RANGES, 4);
		if (first)
			mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_RANGE_FIRST, first);
		for (int i = 0; i < 2; i++) {
			r = mnl_attr_nest_start(nlh, DMAPEEK_A_BUFFER_RANGE);
			mnl_attr_put_u32(nlh, DMAPEEK_A_RANGE_OFFSET, (first + i) * 4096);
			mnl_attr_put_u32(nlh, DMAPEEK_A_RANGE_LEN, 4096);
			mnl_attr_nest_end(nlh, r);
		}
		ck_assert_int_eq(first ? dp_obj_merge(NULL, &o, nlh) :
				 dp_obj_parse(NULL, &o, nlh), 0);
	}
	ck_assert(!dp_obj_incomplete(&o));
	ck_assert_uint_eq(dmapeek_buffer_nr_ranges((struct dmapeek_buffer *)&o), 4);
	/* The object's values are its first message's. */
	ck_assert_str_eq(dmapeek_buffer_name((struct dmapeek_buffer *)&o), "b");
	dp_obj_release(&o);
}
END_TEST

START_TEST(message_without_nr_ranges_is_whole)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(part);
	struct genlmsghdr *g;
	struct dp_obj o;

	/* An older module sends no nr-ranges and never splits. */
	nlh->nlmsg_type = 0x1234;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = DMAPEEK_CMD_MAPPING_GET;
	mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_ID, 2);
	dp_obj_init(&o, DP_MAPPING);
	ck_assert_int_eq(dp_obj_parse(NULL, &o, nlh), 0);
	ck_assert(!dp_obj_incomplete(&o));
	dp_obj_release(&o);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		error_with_extack_capped,
		error_with_extack_uncapped,
		plain_ack_has_no_text,
		truncated_error_is_rejected,
		errno_convention,
		live_buffer_dump,
		live_attachment_dump,
		live_other_dumps,
		live_revoke_reply,
		live_errors_carry_extack,
		live_events,
		split_mapping_is_merged_whole,
		continuation_of_another_object_is_ebadmsg,
		continuation_with_a_gap_or_overlap_is_ebadmsg,
		continuation_with_too_many_ranges_is_ebadmsg,
		continuation_is_not_an_object_start,
		continuation_without_range_first_is_ebadmsg,
		split_buffer_is_merged_whole,
		message_without_nr_ranges_is_whole,
		NULL,
	};

	return unit_run("netlink", tests);
}
