// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the command line's fields (tools/fields-gen.c, generated
 * from the netlink spec): for each object, a message carrying every
 * attribute of its field table, built as the spec lays it out (the wire
 * type from libdmapeek's generated attr-types.h) and decoded by the
 * library, prints each field under its key in JSON and as "key value" in
 * text when no printer laid it out, and each field works as a filter.
 * An attribute added to the spec is covered here with no test changed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"
#include "attr-types.h"
#include "unit.h"

#include "args.h"
#include "fields.h"
#include "json_print.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct obj {
	const char *name;
	enum dp_kind kind;
	uint8_t cmd;
	const struct field *fields;
	const uint8_t *types;
	size_t nr_types;
} objs[] = {
	{ "provider", DP_PROVIDER, DMAPEEK_CMD_PROVIDER_GET, provider_fields,
	  provider_types, N(provider_types) },
	{ "device", DP_DEVICE, DMAPEEK_CMD_DEVICE_GET, device_fields,
	  device_types, N(device_types) },
	{ "buffer", DP_BUFFER, DMAPEEK_CMD_BUFFER_GET, buffer_fields,
	  buffer_types, N(buffer_types) },
	{ "attachment", DP_ATTACHMENT, DMAPEEK_CMD_ATTACHMENT_GET, attachment_fields,
	  attachment_types, N(attachment_types) },
	{ "mapping", DP_MAPPING, DMAPEEK_CMD_MAPPING_GET, mapping_fields,
	  mapping_types, N(mapping_types) },
	{ "p2p", DP_P2P, DMAPEEK_CMD_P2P_GET, p2p_fields, p2p_types, N(p2p_types) },
	{ "event", DP_EVENT, DMAPEEK_CMD_EVENT_NTF, event_fields, event_types,
	  N(event_types) },
};

/* args.c reports bad words through usage_err() (utils.c's in the program). */
int usage_err(const char *fmt, ...)
{
	(void)fmt;
	return 2;
}

/* The value field @i of a table is sent with: one that prints exactly. */
static uint64_t value_of(const struct field *f, unsigned int i)
{
	switch (f->type) {
	case F_SIZE: return 4096ULL * (i + 1);
	case F_NS: return 1500000;		/* "1.5ms" */
	case F_BOOL: case F_ENUM: case F_FLAGS: return 1;
	case F_S32: return (uint64_t)(int64_t)-(int)(i + 1);
	default: return 1000 + i;
	}
}

static char buf[8192];

/* A message of @o carrying every field of its table, decoded. */
static struct dp_obj *message_with_every_field(const struct obj *o)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	const struct field *f;
	struct dp_obj *obj;
	char s[32];
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x1234;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = o->cmd;
	g->version = DMAPEEK_FAMILY_VERSION;
	for (f = o->fields, i = 0; f->key; f++, i++) {
		uint64_t v = value_of(f, i);

		ck_assert_msg(f->attr < o->nr_types, "%s %s: attribute %u has no wire type",
			      o->name, f->key, f->attr);
		switch (o->types[f->attr]) {
		case DP_T_U8: mnl_attr_put_u8(nlh, f->attr, (uint8_t)v); break;
		case DP_T_U32: case DP_T_S32: mnl_attr_put_u32(nlh, f->attr, (uint32_t)v); break;
		case DP_T_UINT: mnl_attr_put_u64(nlh, f->attr, v); break;
		case DP_T_FLAG: mnl_attr_put(nlh, f->attr, 0, NULL); break;
		case DP_T_STR:
			snprintf(s, sizeof(s), "s%u", i);
			mnl_attr_put_strz(nlh, f->attr, s);
			break;
		default:
			ck_abort_msg("%s %s: no field of wire type %u", o->name, f->key,
				     o->types[f->attr]);
		}
	}
	obj = dp_obj_new(o->kind);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(dp_obj_parse(NULL, obj, nlh), 0);
	return obj;
}

/* What the JSON of field @i of @f must read: "key":value */
static void json_of(const struct field *f, unsigned int i, char *out, size_t len)
{
	uint64_t v = value_of(f, i);

	switch (f->type) {
	case F_BOOL: snprintf(out, len, "\"%s\":true", f->key); break;
	case F_ENUM: snprintf(out, len, "\"%s\":\"%s\"", f->key, f->ename(1)); break;
	case F_FLAGS: snprintf(out, len, "\"%s\":[\"%s\"]", f->key, f->fname(0)); break;
	case F_S32: snprintf(out, len, "\"%s\":%" PRId64, f->key, (int64_t)v); break;
	case F_STR: snprintf(out, len, "\"%s\":\"s%u\"", f->key, i); break;
	default: snprintf(out, len, "\"%s\":%" PRIu64, f->key, v); break;
	}
}

/* Print @obj with no field laid out: every one goes by fields_print_rest(). */
static char *print_rest(const struct obj *o, const void *obj, bool json)
{
	struct field_printer p;
	struct printer pr;
	size_t len;
	char *out;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	pr_init(&pr, f, json, false);
	fields_print_start(&p, o->fields, obj);
	pr_open_obj(NULL);
	fields_print_rest(&p, " ");
	pr_close_obj();
	fclose(f);
	return out;
}

START_TEST(every_field_prints_in_json_and_text)
{
	const struct obj *o = &objs[_i];
	struct dp_obj *obj = message_with_every_field(o);
	char *json = print_rest(o, obj, true), *text = print_rest(o, obj, false);
	const struct field *f;
	char want[128], key[64];
	unsigned int i;

	for (f = o->fields, i = 0; f->key; f++, i++) {
		json_of(f, i, want, sizeof(want));
		ck_assert_msg(strstr(json, want), "%s: no %s in %s", o->name, want, json);
		snprintf(key, sizeof(key), " %s ", f->key);
		ck_assert_msg(strstr(text, key), "%s: no \"%s\" in \"%s\"", o->name, key, text);
	}
	free(json);
	free(text);
	dmapeek_object_free(obj);
}
END_TEST

/* "FIELD VALUE" with the value as the object prints it matches the object. */
START_TEST(every_field_filters)
{
	const struct obj *o = &objs[_i];
	struct dp_obj *obj = message_with_every_field(o);
	const struct field *f;
	char val[96], why[128], *argv[2];
	struct cond c;
	unsigned int i;

	for (f = o->fields, i = 0; f->key; f++, i++) {
		if (f->type == F_STR)
			snprintf(val, sizeof(val), "s%u", i);
		else
			field_fmt(f, obj, val, sizeof(val));
		argv[0] = (char *)f->key;
		argv[1] = val;
		ck_assert_msg(cond_parse(o->fields, 2, argv, &c, why, sizeof(why)) == 2,
			      "%s %s %s: %s", o->name, f->key, val, why);
		ck_assert_ptr_eq(c.f, f);
		ck_assert_msg(cond_match(&c, obj), "%s: %s %s does not match",
			      o->name, f->key, val);
		if (f->alias) {
			argv[0] = (char *)f->alias;
			ck_assert_int_eq(cond_parse(o->fields, 2, argv, &c, why, sizeof(why)), 2);
			ck_assert_ptr_eq(c.f, f);
		}
	}
	dmapeek_object_free(obj);
}
END_TEST

/* A flags field is tested by a flag's name; an enum's by its value's. */
START_TEST(flags_and_enums_by_name)
{
	char key[] = "flags", v1[] = "pinned", v2[] = "dynamic", v3[] = "bogus";
	char *argv[2] = { key, v1 }, why[128];
	struct dp_obj *obj = message_with_every_field(&objs[3]);
	struct cond c;

	/* the test's attachment has flag bit 0 (dynamic) only */
	ck_assert_int_eq(cond_parse(attachment_fields, 2, argv, &c, why, sizeof(why)), 2);
	ck_assert(!cond_match(&c, obj));
	argv[1] = v2;
	ck_assert_int_eq(cond_parse(attachment_fields, 2, argv, &c, why, sizeof(why)), 2);
	ck_assert(cond_match(&c, obj));
	argv[1] = v3;
	ck_assert_int_eq(cond_parse(attachment_fields, 2, argv, &c, why, sizeof(why)), -EINVAL);
	dmapeek_object_free(obj);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fields");
	TCase *tc = tcase_create("fields");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, every_field_prints_in_json_and_text, 0, (int)N(objs));
	tcase_add_loop_test(tc, every_field_filters, 0, (int)N(objs));
	tcase_add_test(tc, flags_and_enums_by_name);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
