// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the fields of each object by name, and the conditions on them
 * that list filters, "find" and "expect" lines share (see fields.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#include "args.h"
#include "fields.h"
#include "json_print.h"

/*
 * The module's objects' tables are generated from the netlink spec
 * (fields-gen.c); the tracepoint events are no netlink attribute set of the
 * module's but the library's own (DMAPEEK_TRACE_A_*), so their table is
 * written here.
 */
#define NUM(k, al, a)		{ k, al, a, F_NUM, NULL, NULL, NULL }
#define SIZE(k, al, a)		{ k, al, a, F_SIZE, NULL, NULL, NULL }
#define BOOL(k, al, a)		{ k, al, a, F_BOOL, NULL, NULL, NULL }
#define STR(k, al, a)		{ k, al, a, F_STR, NULL, NULL, NULL }
#define ENUM(k, al, a, n)	{ k, al, a, F_ENUM, n, NULL, NULL }
#define END			{ NULL, NULL, 0, F_NUM, NULL, NULL, NULL }

/*
 * The dma-buf core's tracepoint events (monitor --all): by exporter, by
 * process (pid or comm), by type.
 */
const struct field trace_fields[] = {
	ENUM("type", NULL, DMAPEEK_TRACE_A_TYPE, dmapeek_trace_type_str),
	STR("exp_name", "exporter", DMAPEEK_TRACE_A_EXP_NAME),
	NUM("pid", NULL, DMAPEEK_TRACE_A_PID),
	STR("comm", NULL, DMAPEEK_TRACE_A_COMM),
	SIZE("size", NULL, DMAPEEK_TRACE_A_SIZE),
	NUM("inode", NULL, DMAPEEK_TRACE_A_INODE),
	NUM("fd", NULL, DMAPEEK_TRACE_A_FD),
	STR("device", NULL, DMAPEEK_TRACE_A_DEVICE),
	BOOL("dynamic", NULL, DMAPEEK_TRACE_A_DYNAMIC),
	NUM("cpu", NULL, DMAPEEK_TRACE_A_CPU),
	END,
};

static bool word_is(const char *word, const char *name)
{
	return name && !strcmp(word, name);
}

const struct field *field_find(const struct field *fields, const char *word)
{
	const struct field *f;

	/* A whole word wins over a prefix of another: "device" is not "device_id". */
	for (f = fields; f->key; f++)
		if (word_is(word, f->key) || word_is(word, f->alias))
			return f;
	for (f = fields; f->key; f++)
		if (matches(word, f->key) || (f->alias && matches(word, f->alias)))
			return f;
	return NULL;
}

static const struct {
	const char *word;
	enum cond_op op;
} ops[] = {
	{ "=", OP_EQ }, { "==", OP_EQ }, { "is", OP_EQ },
	{ "!=", OP_NE }, { "not", OP_NE },
	{ "<", OP_LT }, { "below", OP_LT },
	{ "<=", OP_LE }, { "within", OP_LE },
	{ ">", OP_GT }, { "above", OP_GT },
	{ ">=", OP_GE },
};

static const char *const op_words[] = {
	[OP_EQ] = "", [OP_NE] = "!= ", [OP_LT] = "< ", [OP_LE] = "<= ",
	[OP_GT] = "> ", [OP_GE] = ">= ",
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

/* "1.5ms", "300us", "2s", "120" (ns). */
int parse_ns(const char *s, uint64_t *v)
{
	static const struct { const char *unit; double mult; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1 },
	};
	char *end;
	double x;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtod(s, &end);
	if (errno)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		x *= units[i].mult;
		if (x >= 1.8e19)
			return -ERANGE;
		*v = (uint64_t)(x + 0.5);
		return 0;
	}
	return -EINVAL;
}

static int parse_value(const struct field *f, const char *s, struct cond *c)
{
	uint32_t i;

	switch (f->type) {
	case F_NUM:
		return parse_u64(s, &c->num);
	case F_S32: {
		char *end;
		long x;

		errno = 0;
		x = strtol(s, &end, 0);
		if (errno || *end || end == s || x < INT32_MIN || x > INT32_MAX)
			return -EINVAL;
		c->num = (uint64_t)(int64_t)x;
		return 0;
	}
	case F_SIZE:
		return parse_size(s, &c->num);
	case F_NS:
		return parse_ns(s, &c->num);
	case F_BOOL:
		if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
			c->num = 1;
		else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
			c->num = 0;
		else
			return -EINVAL;
		return 0;
	case F_ENUM:
		for (i = 0; i < 64; i++) {
			if (word_is(s, f->ename(i))) {
				c->num = i;
				return 0;
			}
		}
		return parse_u64(s, &c->num);
	case F_STR:
		c->str = s;
		return 0;
	case F_FLAGS:
		/* a flag's name: is it set?  (a number: the bits all set) */
		for (i = 0; i < 32; i++) {
			if (word_is(s, f->fname(i))) {
				c->num = 1ULL << i;
				return 0;
			}
		}
		return parse_u64(s, &c->num);
	}
	return -EINVAL;
}

int cond_parse(const struct field *fields, int argc, char **argv,
	       struct cond *c, char *why, size_t len)
{
	const struct field *f;
	int used = 2;

	memset(c, 0, sizeof(*c));
	f = argc > 0 ? field_find(fields, argv[0]) : NULL;
	if (!f) {
		snprintf(why, len, "unknown field \"%s\"", argc > 0 ? argv[0] : "");
		return -EINVAL;
	}
	c->f = f;
	if (argc > 2 && !cond_op_parse(argv[1], &c->op))
		used = 3;
	if (argc < used) {
		snprintf(why, len, "\"%s\" needs a value", argv[0]);
		return -EINVAL;
	}
	if ((f->type == F_STR || f->type == F_BOOL || f->type == F_ENUM ||
	     f->type == F_FLAGS) &&
	    c->op != OP_EQ && c->op != OP_NE) {
		snprintf(why, len, "\"%s\" can only be equal or not", f->key);
		return -EINVAL;
	}
	if (parse_value(f, argv[used - 1], c)) {
		snprintf(why, len, "bad %s \"%s\"", f->key, argv[used - 1]);
		return -EINVAL;
	}
	return used;
}

static int cmp_obj(const struct cond *c, const void *obj)
{
	const struct field *f = c->f;
	uint64_t v;

	if (f->type == F_STR) {
		const char *s = dmapeek_object_str(obj, f->attr);

		return strcmp(s ? s : "", c->str);
	}
	v = dmapeek_object_u64(obj, f->attr);
	if (f->type == F_S32) {
		int64_t a = (int32_t)v, b = (int64_t)c->num;

		return a < b ? -1 : a > b;
	}
	if (f->type == F_BOOL)
		v = v != 0;
	if (f->type == F_FLAGS)
		return (v & c->num) != c->num;
	return v < c->num ? -1 : v > c->num;
}

int cond_op_parse(const char *word, enum cond_op *op)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(word, ops[i].word)) {
			*op = ops[i].op;
			return 0;
		}
	}
	return -EINVAL;
}

const char *cond_op_str(enum cond_op op)
{
	return op_words[op];
}

bool op_holds(enum cond_op op, int cmp)
{
	switch (op) {
	case OP_EQ: return cmp == 0;
	case OP_NE: return cmp != 0;
	case OP_LT: return cmp < 0;
	case OP_LE: return cmp <= 0;
	case OP_GT: return cmp > 0;
	case OP_GE: return cmp >= 0;
	}
	return false;
}

bool cond_match(const struct cond *c, const void *obj)
{
	return op_holds(c->op, cmp_obj(c, obj));
}

bool conds_match(const struct cond *c, unsigned int n, const void *obj)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!cond_match(&c[i], obj))
			return false;
	return true;
}

/* "dynamic,pinned", "none" */
static void fmt_flags(const struct field *f, uint64_t v, char *buf, size_t len)
{
	size_t pos = 0;
	unsigned int bit;

	snprintf(buf, len, "none");
	for (bit = 0; bit < 32 && pos < len; bit++) {
		const char *n;

		if (!(v & (1ULL << bit)))
			continue;
		n = f->fname(bit);
		if (n)
			pos += (size_t)snprintf(buf + pos, len - pos, "%s%s",
						pos ? "," : "", n);
		else
			pos += (size_t)snprintf(buf + pos, len - pos, "%sbit%u",
						pos ? "," : "", bit);
	}
	if (pos >= len && len)
		buf[len - 1] = '\0';
}

static void fmt_value(const struct field *f, uint64_t v, const char *s,
		      char *buf, size_t len)
{
	const char *n;

	switch (f->type) {
	case F_S32:
		snprintf(buf, len, "%" PRId64, (int64_t)v);
		break;
	case F_SIZE:
		fmt_size(buf, len, v);
		break;
	case F_NS:
		fmt_ns(buf, len, v);
		break;
	case F_BOOL:
		snprintf(buf, len, "%s", v ? "yes" : "no");
		break;
	case F_ENUM:
		n = f->ename((uint32_t)v);
		if (n)
			snprintf(buf, len, "%s", n);
		else
			snprintf(buf, len, "%" PRIu64, v);
		break;
	case F_STR:
		snprintf(buf, len, "\"%s\"", s ? s : "");
		break;
	case F_FLAGS:
		fmt_flags(f, v, buf, len);
		break;
	default:
		snprintf(buf, len, "%" PRIu64, v);
		break;
	}
}

void field_fmt_value(const struct field *f, uint64_t v, char *buf, size_t len)
{
	if (f->type == F_S32)
		v = (uint64_t)(int64_t)(int32_t)v;
	fmt_value(f, v, NULL, buf, len);
}

void field_fmt(const struct field *f, const void *obj, char *buf, size_t len)
{
	uint64_t v = dmapeek_object_u64(obj, f->attr);

	if (f->type == F_S32)
		v = (uint64_t)(int64_t)(int32_t)v;
	fmt_value(f, v, dmapeek_object_str(obj, f->attr), buf, len);
}

void cond_fmt(const struct cond *c, char *buf, size_t len)
{
	char v[96];

	fmt_value(c->f, c->num, c->str, v, sizeof(v));
	snprintf(buf, len, "%s%s", op_words[c->op], v);
}

void print_flags(const char *key, uint32_t flags,
		 const char *(*name)(unsigned int))
{
	unsigned int bit;

	pr_open_arr(key);
	pr_text("%s ", key);
	if (!flags)
		pr_text("none");
	for (bit = 0; bit < 32; bit++) {
		const char *n;

		if (!(flags & (1U << bit)))
			continue;
		n = name(bit);
		if (n)
			pr_str(NULL, "%s", n);
		else
			pr_u64(NULL, "bit%" PRIu64, bit);
		flags &= ~(1U << bit);
		if (flags)
			pr_text(",");
	}
	pr_close_arr();
	pr_text(" ");
}

void print_enum(const char *key, const char *fmt, uint32_t v,
		const char *(*name)(uint32_t))
{
	const char *n = name(v);

	if (n)
		pr_str(key, fmt, n);
	else {
		char b[16];

		snprintf(b, sizeof(b), "%u", v);
		pr_str(key, fmt, b);
	}
}

unsigned int fields_count(const struct field *fields)
{
	unsigned int n = 0;

	while (fields[n].key)
		n++;
	return n;
}

void fields_print_start(struct field_printer *p, const struct field *fields,
			const void *obj)
{
	*p = (struct field_printer){ .fields = fields, .obj = obj };
}

/*
 * Where field @key of table @fields was found, by the address of the key
 * the printer passed: the printers pass literals, so a call site asks
 * with the same address every time and a listing (thirty fields per
 * object) finds each field in one probe instead of comparing names.  A
 * different string at an address seen before cannot be: both are alive
 * for the program's life.
 */
#define TAKE_SLOTS	1024	/* h >> 54 */

static struct take_slot {
	const char *key;
	const struct field *fields;
	const struct field *f;		/* NULL: not in the table */
} take_cache[TAKE_SLOTS];

static const struct field *find_key(const struct field *fields, const char *key)
{
	const struct field *f;

	for (f = fields; f->key; f++)
		if (f->key[0] == key[0] && !strcmp(f->key, key))
			return f;
	return NULL;
}

/*
 * The field @key, marked done, or NULL when the table does not have it
 * (the spec lost it: print nothing).
 */
static const struct field *take(struct field_printer *p, const char *key)
{
	uint64_t h = ((uint64_t)(uintptr_t)key ^ (uint64_t)(uintptr_t)p->fields << 16) *
		     0x9e3779b97f4a7c15ULL;	/* Fibonacci hashing: literals lie a byte apart */
	struct take_slot *t = &take_cache[h >> 54];
	const struct field *f;

	if (t->key == key && t->fields == p->fields) {
		f = t->f;
	} else {
		f = find_key(p->fields, key);
		*t = (struct take_slot){ .key = key, .fields = p->fields, .f = f };
	}
	if (f && f - p->fields < 64)
		p->done |= 1ULL << (f - p->fields);
	return f;
}

void field_done(struct field_printer *p, const char *key)
{
	take(p, key);
}

static void print_one(const struct field *f, const void *obj, const char *fmt)
{
	uint64_t v = dmapeek_object_u64(obj, f->attr);

	switch (f->type) {
	case F_S32:
		pr_s64(f->key, fmt, (int32_t)v);
		break;
	case F_SIZE:
		pr_size(f->key, fmt, v);
		break;
	case F_NS:
		pr_ns(f->key, fmt, v);
		break;
	case F_BOOL:
		pr_bool(f->key, fmt, v != 0);
		break;
	case F_ENUM:
		print_enum(f->key, fmt, (uint32_t)v, f->ename);
		break;
	case F_STR:
		pr_str(f->key, fmt, dmapeek_object_str(obj, f->attr));
		break;
	case F_FLAGS:
		/* flags print their key themselves ("flags a,b "): fmt unused */
		print_flags(f->key, (uint32_t)v, f->fname);
		break;
	default:
		pr_u64(f->key, fmt, v);
		break;
	}
}

void field_print(struct field_printer *p, const char *key, const char *fmt)
{
	const struct field *f = take(p, key);

	if (f)
		print_one(f, p->obj, fmt);
}

void field_print_opt(struct field_printer *p, const char *key, const char *fmt)
{
	const struct field *f = take(p, key);

	if (f && dmapeek_object_has(p->obj, f->attr))
		print_one(f, p->obj, fmt);
}

void fields_print_rest(struct field_printer *p, const char *sep)
{
	const struct field *f;
	char fmt[96];
	unsigned int i;

	for (f = p->fields, i = 0; f->key; f++, i++) {
		if ((i < 64 && (p->done & (1ULL << i))) ||
		    !dmapeek_object_has(p->obj, f->attr))
			continue;
		p->done |= i < 64 ? 1ULL << i : 0;
		if (f->type == F_FLAGS) {
			pr_text("%s", sep);
			print_one(f, p->obj, NULL);
			continue;
		}
		snprintf(fmt, sizeof(fmt), "%s%s %s", sep, f->key,
			 f->type == F_S32 ? "%" PRId64 :
			 f->type == F_NUM ? "%" PRIu64 :
			 f->type == F_STR ? "\"%s\"" : "%s");
		print_one(f, p->obj, fmt);
	}
}

void field_label(const struct field *f, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", f->label ? f->label : f->key);
	if (!f->label)
		for (i = 0; buf[i]; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
}
