// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of libdmapeek's object decoder: messages built attribute by
 * attribute as the spec (Documentation/netlink/specs/dmapeek.yaml) lays
 * them out, decoded and read back through the public getters.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"
#include "unit.h"

static char buf[8192];

static struct nlmsghdr *mk_msg(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x1234;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = DMAPEEK_FAMILY_VERSION;
	return nlh;
}

/* A "uint" attribute the way nla_put_uint() sends it: 4 bytes if it fits. */
static void put_uint(struct nlmsghdr *nlh, uint16_t t, uint64_t v)
{
	if (v <= UINT32_MAX)
		mnl_attr_put_u32(nlh, t, (uint32_t)v);
	else
		mnl_attr_put_u64(nlh, t, v);
}

static struct dp_obj *decode(enum dp_kind kind, const struct nlmsghdr *nlh)
{
	struct dp_obj *o = dp_obj_new(kind);

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(dp_obj_parse(NULL, o, nlh), 0);
	return o;
}

START_TEST(buffer_all_attributes)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_BUFFER_GET);
	struct dmapeek_addr_range r;
	struct dmapeek_buffer *b;
	struct nlattr *n;

	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ID, 7);
	put_uint(nlh, DMAPEEK_A_BUFFER_INODE, 4242);
	mnl_attr_put_strz(nlh, DMAPEEK_A_BUFFER_NAME, "frame buffer 0");
	put_uint(nlh, DMAPEEK_A_BUFFER_SIZE, 6ULL << 30);	/* 8 bytes */
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_MODEL, DMAPEEK_MODEL_REVOCABLE);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_PROVIDER_ID, 2);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_STATE, DMAPEEK_BUFFER_STATE_LIVE);
	n = mnl_attr_nest_start(nlh, DMAPEEK_A_BUFFER_RANGE);
	put_uint(nlh, DMAPEEK_A_RANGE_OFFSET, 0);
	put_uint(nlh, DMAPEEK_A_RANGE_LEN, 4ULL << 30);
	put_uint(nlh, DMAPEEK_A_RANGE_ADDR, 0xfe0000000ULL);
	mnl_attr_put_u32(nlh, DMAPEEK_A_RANGE_KIND, DMAPEEK_ADDR_KIND_PHYS);
	mnl_attr_put_u32(nlh, 77, 1);		/* a newer module's attribute */
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, DMAPEEK_A_BUFFER_RANGE);
	put_uint(nlh, DMAPEEK_A_RANGE_OFFSET, 4ULL << 30);
	put_uint(nlh, DMAPEEK_A_RANGE_LEN, 2ULL << 30);
	mnl_attr_put_u32(nlh, DMAPEEK_A_RANGE_KIND, DMAPEEK_ADDR_KIND_PHYS);
	mnl_attr_nest_end(nlh, n);	/* no address: not CAP_SYS_ADMIN */
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_ATTACHMENTS, 3);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_PINS, 1);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_MOVES, 4);
	mnl_attr_put_u32(nlh, DMAPEEK_A_BUFFER_REVOKES, 5);
	put_uint(nlh, DMAPEEK_A_BUFFER_CREATED_NS, 123456789012ULL);
	mnl_attr_put_strz(nlh, 200, "from the future");

	b = (struct dmapeek_buffer *)decode(DP_BUFFER, nlh);
	ck_assert_uint_eq(dmapeek_buffer_id(b), 7);
	ck_assert_uint_eq(dmapeek_buffer_inode(b), 4242);
	ck_assert_str_eq(dmapeek_buffer_name(b), "frame buffer 0");
	ck_assert_uint_eq(dmapeek_buffer_size(b), 6ULL << 30);
	ck_assert_uint_eq(dmapeek_buffer_model(b), DMAPEEK_MODEL_REVOCABLE);
	ck_assert_uint_eq(dmapeek_buffer_provider_id(b), 2);
	ck_assert_uint_eq(dmapeek_buffer_state(b), DMAPEEK_BUFFER_STATE_LIVE);
	ck_assert_uint_eq(dmapeek_buffer_attachments(b), 3);
	ck_assert_uint_eq(dmapeek_buffer_pins(b), 1);
	ck_assert_uint_eq(dmapeek_buffer_moves(b), 4);
	ck_assert_uint_eq(dmapeek_buffer_revokes(b), 5);
	ck_assert_uint_eq(dmapeek_buffer_created_ns(b), 123456789012ULL);
	ck_assert_uint_eq(dmapeek_buffer_nr_ranges(b), 2);
	ck_assert_int_eq(dmapeek_buffer_range(b, 0, &r), 0);
	ck_assert_uint_eq(r.offset, 0);
	ck_assert_uint_eq(r.len, 4ULL << 30);
	ck_assert(r.has_addr);
	ck_assert_uint_eq(r.addr, 0xfe0000000ULL);
	ck_assert_uint_eq(r.kind, DMAPEEK_ADDR_KIND_PHYS);
	ck_assert_int_eq(dmapeek_buffer_range(b, 1, &r), 0);
	ck_assert_uint_eq(r.offset, 4ULL << 30);
	ck_assert(!r.has_addr);
	ck_assert_int_eq(dmapeek_buffer_range(b, 2, &r), -ERANGE);
	ck_assert(dmapeek_object_has(b, DMAPEEK_A_BUFFER_INODE));
	ck_assert(!dmapeek_object_has(b, DMAPEEK_A_BUFFER_TIMEOUT_MS));
	dmapeek_object_free(b);
}
END_TEST

START_TEST(uint_four_and_eight_bytes)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_PROVIDER_GET);
	struct dmapeek_provider *p;
	uint64_t v;

	mnl_attr_put_u32(nlh, DMAPEEK_A_PROVIDER_ID, 1);
	mnl_attr_put_u32(nlh, DMAPEEK_A_PROVIDER_KIND, DMAPEEK_PROVIDER_KIND_PCI_BAR);
	mnl_attr_put_strz(nlh, DMAPEEK_A_PROVIDER_BDF, "0000:00:03.0");
	mnl_attr_put_u32(nlh, DMAPEEK_A_PROVIDER_BAR, 2);
	mnl_attr_put_u64(nlh, DMAPEEK_A_PROVIDER_SIZE, 64 << 20);	/* 8 bytes, small */
	mnl_attr_put_u32(nlh, DMAPEEK_A_PROVIDER_BYTES_EXPORTED, 4096);	/* 4 bytes */
	mnl_attr_put_u64(nlh, DMAPEEK_A_PROVIDER_PHYS_START, 0x800000000ULL);
	p = (struct dmapeek_provider *)decode(DP_PROVIDER, nlh);
	ck_assert_uint_eq(dmapeek_provider_size(p), 64 << 20);
	ck_assert_uint_eq(dmapeek_provider_bytes_exported(p), 4096);
	ck_assert_str_eq(dmapeek_provider_bdf(p), "0000:00:03.0");
	ck_assert_int_eq(dmapeek_provider_phys_start(p, &v), 0);
	ck_assert_uint_eq(v, 0x800000000ULL);
	errno = 0;
	ck_assert_int_eq(dmapeek_provider_bus_offset(p, &v), -ENODATA);
	ck_assert_int_eq(errno, ENODATA);
	dmapeek_object_free(p);
}
END_TEST

START_TEST(wrong_length_is_skipped)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_DEVICE_GET);
	struct dmapeek_device *d;
	uint16_t two = 5;

	mnl_attr_put_u32(nlh, DMAPEEK_A_DEVICE_ID, 3);
	mnl_attr_put(nlh, DMAPEEK_A_DEVICE_VENDOR, sizeof(two), &two); /* u32 as 2 bytes */
	mnl_attr_put(nlh, DMAPEEK_A_DEVICE_CLASS, 3, "abc");		/* u32 as 3 bytes */
	mnl_attr_put_u32(nlh, DMAPEEK_A_DEVICE_IOMMU_GROUP, (uint32_t)-1);
	d = (struct dmapeek_device *)decode(DP_DEVICE, nlh);
	ck_assert_uint_eq(dmapeek_device_id(d), 3);
	ck_assert(!dmapeek_object_has(d, DMAPEEK_A_DEVICE_VENDOR));
	ck_assert_uint_eq(dmapeek_device_vendor(d), 0);
	ck_assert(!dmapeek_object_has(d, DMAPEEK_A_DEVICE_CLASS));
	ck_assert_int_eq(dmapeek_device_iommu_group(d), -1);
	dmapeek_object_free(d);
}
END_TEST

START_TEST(device_iommu_group_absent_or_signed)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_DEVICE_GET);
	struct dmapeek_device *d;

	mnl_attr_put_u32(nlh, DMAPEEK_A_DEVICE_ID, 1);
	d = (struct dmapeek_device *)decode(DP_DEVICE, nlh);
	ck_assert_int_eq(dmapeek_device_iommu_group(d), -1);
	dmapeek_object_free(d);
	nlh = mk_msg(DMAPEEK_CMD_DEVICE_GET);
	mnl_attr_put_u32(nlh, DMAPEEK_A_DEVICE_IOMMU_GROUP, 12);
	mnl_attr_put_u32(nlh, DMAPEEK_A_DEVICE_ROLES,
			 DMAPEEK_DEVICE_ROLE_PROVIDER | DMAPEEK_DEVICE_ROLE_CLIENT);
	d = (struct dmapeek_device *)decode(DP_DEVICE, nlh);
	ck_assert_int_eq(dmapeek_device_iommu_group(d), 12);
	ck_assert_uint_eq(dmapeek_device_roles(d), 3);
	dmapeek_object_free(d);
}
END_TEST

START_TEST(attachment_strings_and_flags)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_ATTACHMENT_GET);
	struct dmapeek_attachment *a;
	uint8_t one = 1;

	mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_ID, 9);
	mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_BUFFER_ID, 7);
	mnl_attr_put_strz(nlh, DMAPEEK_A_ATTACHMENT_EXP_NAME, "dmapeek");
	mnl_attr_put_strz(nlh, DMAPEEK_A_ATTACHMENT_IMPORTER_DEV, "0000:00:05.0");
	mnl_attr_put_strz(nlh, DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER, "dmapeek");
	mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_FLAGS,
			 DMAPEEK_ATTACH_FLAGS_DYNAMIC | DMAPEEK_ATTACH_FLAGS_REVOCABLE);
	mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_MAP_TYPE,
			 DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE);
	mnl_attr_put(nlh, DMAPEEK_A_ATTACHMENT_MAPPED, 1, &one);
	mnl_attr_put(nlh, DMAPEEK_A_ATTACHMENT_STUCK, 1, &one);
	put_uint(nlh, DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS, 1500000);
	put_uint(nlh, DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS, 5000000000ULL);
	mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_REVOKED_SEEN, 2);
	mnl_attr_put_u32(nlh, DMAPEEK_A_ATTACHMENT_OWN_MAP, DMAPEEK_OWN_MAP_STATE_BUS_ADDR);
	a = (struct dmapeek_attachment *)decode(DP_ATTACHMENT, nlh);
	ck_assert_uint_eq(dmapeek_attachment_id(a), 9);
	ck_assert_uint_eq(dmapeek_attachment_buffer_id(a), 7);
	ck_assert_str_eq(dmapeek_attachment_exp_name(a), "dmapeek");
	ck_assert_str_eq(dmapeek_attachment_importer_dev(a), "0000:00:05.0");
	ck_assert_str_eq(dmapeek_attachment_importer_driver(a), "dmapeek");
	ck_assert_uint_eq(dmapeek_attachment_flags(a), 5);
	ck_assert_uint_eq(dmapeek_attachment_map_type(a),
			  DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE);
	ck_assert(dmapeek_attachment_mapped(a));
	ck_assert(dmapeek_attachment_stuck(a));
	ck_assert_uint_eq(dmapeek_attachment_last_unmap_latency_ns(a), 1500000);
	ck_assert_uint_eq(dmapeek_attachment_max_unmap_latency_ns(a), 5000000000ULL);
	ck_assert_uint_eq(dmapeek_attachment_revoked_seen(a), 2);
	ck_assert_uint_eq(dmapeek_attachment_own_map(a), DMAPEEK_OWN_MAP_STATE_BUS_ADDR);
	ck_assert_str_eq(dmapeek_own_map_state_str(dmapeek_attachment_own_map(a)),
			 "bus-addr");
	dmapeek_object_free(a);
}
END_TEST

START_TEST(reuse_clears_previous_message)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_MAPPING_GET);
	struct dp_obj o;
	struct nlattr *n;
	int i;

	dp_obj_init(&o, DP_MAPPING);
	mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_ID, 1);
	mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_PATH, DMAPEEK_MAPPING_PATH_IOVA_LINK);
	for (i = 0; i < 20; i++) {
		n = mnl_attr_nest_start(nlh, DMAPEEK_A_MAPPING_RANGE);
		put_uint(nlh, DMAPEEK_A_RANGE_OFFSET, (uint64_t)i << 12);
		put_uint(nlh, DMAPEEK_A_RANGE_LEN, 4096);
		mnl_attr_nest_end(nlh, n);
	}
	ck_assert_int_eq(dp_obj_parse(NULL, &o, nlh), 0);
	ck_assert_uint_eq(dmapeek_mapping_nr_ranges((struct dmapeek_mapping *)&o), 20);
	nlh = mk_msg(DMAPEEK_CMD_MAPPING_GET);
	mnl_attr_put_u32(nlh, DMAPEEK_A_MAPPING_ID, 2);
	ck_assert_int_eq(dp_obj_parse(NULL, &o, nlh), 0);
	ck_assert_uint_eq(dmapeek_mapping_id((struct dmapeek_mapping *)&o), 2);
	ck_assert_uint_eq(dmapeek_mapping_path((struct dmapeek_mapping *)&o), 0);
	ck_assert(!dmapeek_object_has(&o, DMAPEEK_A_MAPPING_PATH));
	ck_assert_uint_eq(dmapeek_mapping_nr_ranges((struct dmapeek_mapping *)&o), 0);
	dp_obj_release(&o);
}
END_TEST

START_TEST(long_string_is_truncated_and_terminated)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_ATTACHMENT_GET);
	struct dmapeek_attachment *a;
	char big[1000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mnl_attr_put_strz(nlh, DMAPEEK_A_ATTACHMENT_IMPORTER_DEV, big);
	mnl_attr_put_strz(nlh, DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER, "drv");
	a = (struct dmapeek_attachment *)decode(DP_ATTACHMENT, nlh);
	ck_assert_uint_eq(strlen(dmapeek_attachment_importer_dev(a)), DP_STR_POOL - 1);
	/* No room left: the second string is absent, not garbage. */
	ck_assert_ptr_null(dmapeek_attachment_importer_driver(a));
	dmapeek_object_free(a);
}
END_TEST

START_TEST(revoke_reply_with_outcomes)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_BUFFER_REVOKE);
	struct dmapeek_revoke_result *r;
	struct nlattr *n;
	uint32_t id;
	uint64_t ns;
	bool stuck;
	uint8_t one = 1, zero = 0;

	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_BUFFER_ID, 4);
	put_uint(nlh, DMAPEEK_A_REVOKE_DURATION_NS, 1000000123ULL);
	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_ATTACHMENTS, 2);
	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_STUCK, 1);
	n = mnl_attr_nest_start(nlh, DMAPEEK_A_REVOKE_ATTACHMENT);
	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_ATTACHMENT_ID, 10);
	put_uint(nlh, DMAPEEK_A_REVOKE_ATTACHMENT_UNMAP_NS, 25000);
	mnl_attr_put(nlh, DMAPEEK_A_REVOKE_ATTACHMENT_STUCK, 1, &zero);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, DMAPEEK_A_REVOKE_ATTACHMENT);
	mnl_attr_put_u32(nlh, DMAPEEK_A_REVOKE_ATTACHMENT_ID, 11);
	mnl_attr_put(nlh, DMAPEEK_A_REVOKE_ATTACHMENT_STUCK, 1, &one);
	mnl_attr_nest_end(nlh, n);
	r = (struct dmapeek_revoke_result *)decode(DP_REVOKE, nlh);
	ck_assert_uint_eq(dmapeek_revoke_buffer_id(r), 4);
	ck_assert_uint_eq(dmapeek_revoke_duration_ns(r), 1000000123ULL);
	ck_assert_uint_eq(dmapeek_revoke_attachments(r), 2);
	ck_assert_uint_eq(dmapeek_revoke_stuck(r), 1);
	ck_assert_uint_eq(dmapeek_revoke_nr_results(r), 2);
	ck_assert_int_eq(dmapeek_revoke_result(r, 0, &id, &ns, &stuck), 0);
	ck_assert_uint_eq(id, 10);
	ck_assert_uint_eq(ns, 25000);
	ck_assert(!stuck);
	ck_assert_int_eq(dmapeek_revoke_result(r, 1, &id, &ns, &stuck), 0);
	ck_assert_uint_eq(id, 11);
	ck_assert_uint_eq(ns, UINT64_MAX);
	ck_assert(stuck);
	dmapeek_object_free(r);
}
END_TEST

START_TEST(event_notification)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_EVENT_NTF);
	struct dmapeek_event *e;

	mnl_attr_put_u32(nlh, DMAPEEK_A_EVENT_TYPE, DMAPEEK_EVENT_TYPE_STUCK);
	put_uint(nlh, DMAPEEK_A_EVENT_TIMESTAMP_NS, 99ULL << 32);
	mnl_attr_put_u32(nlh, DMAPEEK_A_EVENT_BUFFER_ID, 4);
	mnl_attr_put_u32(nlh, DMAPEEK_A_EVENT_COUNT, 1);
	mnl_attr_put_u32(nlh, DMAPEEK_A_EVENT_ERROR, (uint32_t)-ETIMEDOUT);
	e = (struct dmapeek_event *)decode(DP_EVENT, nlh);
	ck_assert_uint_eq(dmapeek_event_type(e), DMAPEEK_EVENT_TYPE_STUCK);
	ck_assert_uint_eq(dmapeek_event_timestamp_ns(e), 99ULL << 32);
	ck_assert_uint_eq(dmapeek_event_buffer_id(e), 4);
	ck_assert_uint_eq(dmapeek_event_count(e), 1);
	ck_assert_int_eq(dmapeek_event_error(e), -ETIMEDOUT);
	ck_assert_str_eq(dmapeek_event_type_str(dmapeek_event_type(e)), "stuck");
	/* an event of a module before ABI 1.2: no number, nothing dropped */
	ck_assert(!dmapeek_object_has(e, DMAPEEK_A_EVENT_SEQ));
	ck_assert_uint_eq(dmapeek_event_seq(e), 0);
	ck_assert_uint_eq(dmapeek_event_map_type(e), 0);
	dmapeek_object_free(e);
}
END_TEST

/* The module writes seq and dropped as 8 bytes; map-type is a u32. */
START_TEST(event_seq_dropped_map_type)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_EVENT_NTF);
	struct dmapeek_event *e;

	mnl_attr_put_u32(nlh, DMAPEEK_A_EVENT_TYPE, DMAPEEK_EVENT_TYPE_MAP);
	mnl_attr_put_u64(nlh, DMAPEEK_A_EVENT_SEQ, 41);
	mnl_attr_put_u64(nlh, DMAPEEK_A_EVENT_DROPPED, 3);
	mnl_attr_put_u32(nlh, DMAPEEK_A_EVENT_MAP_TYPE, DMAPEEK_MAP_TYPE_BUS_ADDR);
	e = (struct dmapeek_event *)decode(DP_EVENT, nlh);
	ck_assert_uint_eq(dmapeek_event_seq(e), 41);
	ck_assert_uint_eq(dmapeek_event_dropped(e), 3);
	ck_assert_uint_eq(dmapeek_event_map_type(e), DMAPEEK_MAP_TYPE_BUS_ADDR);
	dmapeek_object_free(e);
}
END_TEST

/* Gaps in seq add up to the events missed; a module loaded again restarts. */
START_TEST(event_gaps_counted)
{
	static const uint64_t seqs[] = { 5, 6, 9, 10, 10, 2, 3, 7 };
	struct dmapeek ctx;
	struct dp_obj o;
	unsigned int i;

	memset(&ctx, 0, sizeof(ctx));
	dp_obj_init(&o, DP_EVENT);
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		o.present = 1U << DMAPEEK_A_EVENT_SEQ;
		o.v[DMAPEEK_A_EVENT_SEQ] = seqs[i];
		dp_ev_account_seq(&ctx, &o);
	}
	/* 6 -> 9 misses 7 and 8; 3 -> 7 misses 4, 5 and 6 */
	ck_assert_uint_eq(dmapeek_event_missed(&ctx), 5);
	/* an event without a number changes nothing */
	o.present = 0;
	dp_ev_account_seq(&ctx, &o);
	ck_assert_uint_eq(dmapeek_event_missed(&ctx), 5);
	ck_assert_uint_eq(ctx.ev_last_seq, 7);
}
END_TEST

START_TEST(short_message_is_rejected)
{
	struct nlmsghdr *nlh = mk_msg(DMAPEEK_CMD_BUFFER_GET);
	struct dp_obj o;

	nlh->nlmsg_len = sizeof(*nlh) + 2;	/* cut inside the genl header */
	dp_obj_init(&o, DP_BUFFER);
	ck_assert_int_eq(dp_obj_parse(NULL, &o, nlh), -EBADMSG);
}
END_TEST

START_TEST(names_round_trip)
{
	uint32_t v;

	ck_assert_str_eq(dmapeek_model_str(DMAPEEK_MODEL_MOVABLE), "movable");
	ck_assert_int_eq(dmapeek_model_parse("revocable", &v), 0);
	ck_assert_uint_eq(v, DMAPEEK_MODEL_REVOCABLE);
	ck_assert_int_eq(dmapeek_model_parse("bogus", &v), -EINVAL);
	ck_assert_ptr_null(dmapeek_model_str(0));
	ck_assert_ptr_null(dmapeek_model_str(1000));
	ck_assert_str_eq(dmapeek_map_type_str(DMAPEEK_MAP_TYPE_BUS_ADDR), "bus-addr");
	ck_assert_str_eq(dmapeek_p2p_reason_str(DMAPEEK_P2P_REASON_NO_PROVIDER),
			 "no-provider");
	ck_assert_str_eq(dmapeek_attach_flag_str(5), "imported");
	ck_assert_str_eq(dmapeek_attach_flag_str(6), "held");
	ck_assert_str_eq(dmapeek_attach_flag_str(7), "pin-on-map");
	ck_assert_str_eq(dmapeek_attach_flag_str(8), "p2p-refused");
	ck_assert_ptr_null(dmapeek_attach_flag_str(9));
	ck_assert_int_eq(dmapeek_behaviour_parse("never-unmap", &v), 0);
	ck_assert_uint_eq(v, DMAPEEK_BEHAVIOUR_NEVER_UNMAP);
}
END_TEST

START_TEST(netlink_drops_by_inode)
{
	const char *text =
		"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"
		"ffff8880045d3000 0   1          00000550 0        0        0     2        0        11\n"
		"ffff8880045d5800 16  4242       00000004 0        0        0     2        317      23456\n";
	uint64_t d = 0;

	ck_assert_int_eq(dp_parse_netlink_drops(text, 23456, &d), 0);
	ck_assert_uint_eq(d, 317);
	ck_assert_int_eq(dp_parse_netlink_drops(text, 11, &d), 0);
	ck_assert_uint_eq(d, 0);
	ck_assert_int_eq(dp_parse_netlink_drops(text, 99, &d), -ENOENT);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		buffer_all_attributes,
		uint_four_and_eight_bytes,
		wrong_length_is_skipped,
		device_iommu_group_absent_or_signed,
		attachment_strings_and_flags,
		reuse_clears_previous_message,
		long_string_is_truncated_and_terminated,
		revoke_reply_with_outcomes,
		event_notification,
		event_seq_dropped_map_type,
		event_gaps_counted,
		short_message_is_rejected,
		names_round_trip,
		netlink_drops_by_inode,
		NULL,
	};

	return unit_run("objects", tests);
}
