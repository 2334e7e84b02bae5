// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of libdmapeek's netlink transport: error and extended-ack
 * parsing, and the merging of objects split over several messages, on
 * messages laid out as the kernel sends them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"

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
	Suite *s = suite_create("netlink");
	TCase *tc = tcase_create("errors");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, error_with_extack_capped);
	tcase_add_test(tc, error_with_extack_uncapped);
	tcase_add_test(tc, plain_ack_has_no_text);
	tcase_add_test(tc, truncated_error_is_rejected);
	tcase_add_test(tc, errno_convention);
	suite_add_tcase(s, tc);
	tc = tcase_create("split objects");
	tcase_add_test(tc, split_mapping_is_merged_whole);
	tcase_add_test(tc, continuation_of_another_object_is_ebadmsg);
	tcase_add_test(tc, continuation_with_a_gap_or_overlap_is_ebadmsg);
	tcase_add_test(tc, continuation_with_too_many_ranges_is_ebadmsg);
	tcase_add_test(tc, continuation_is_not_an_object_start);
	tcase_add_test(tc, continuation_without_range_first_is_ebadmsg);
	tcase_add_test(tc, split_buffer_is_merged_whole);
	tcase_add_test(tc, message_without_nr_ranges_is_whole);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
