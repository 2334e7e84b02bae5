// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of libdmapeek's netlink transport: error and extended-ack
 * parsing on messages laid out as the kernel sends them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	const TTest *const tests[] = {
		error_with_extack_capped,
		error_with_extack_uncapped,
		plain_ack_has_no_text,
		truncated_error_is_rejected,
		errno_convention,
		NULL,
	};

	return unit_run("netlink", tests);
}
