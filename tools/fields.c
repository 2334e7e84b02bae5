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

#define NUM(k, al, a)		{ k, al, a, F_NUM, NULL }
#define SIZE(k, al, a)		{ k, al, a, F_SIZE, NULL }
#define NS(k, al, a)		{ k, al, a, F_NS, NULL }
#define BOOL(k, al, a)		{ k, al, a, F_BOOL, NULL }
#define STR(k, al, a)		{ k, al, a, F_STR, NULL }
#define ENUM(k, al, a, n)	{ k, al, a, F_ENUM, n }
#define END			{ NULL, NULL, 0, F_NUM, NULL }

const struct field provider_fields[] = {
	NUM("id", NULL, DMAPEEK_A_PROVIDER_ID),
	ENUM("kind", NULL, DMAPEEK_A_PROVIDER_KIND, dmapeek_provider_kind_str),
	NUM("device_id", "device", DMAPEEK_A_PROVIDER_DEVICE_ID),
	STR("bdf", NULL, DMAPEEK_A_PROVIDER_BDF),
	NUM("bar", NULL, DMAPEEK_A_PROVIDER_BAR),
	SIZE("size", NULL, DMAPEEK_A_PROVIDER_SIZE),
	SIZE("bytes_exported", "exported", DMAPEEK_A_PROVIDER_BYTES_EXPORTED),
	NUM("buffers", NULL, DMAPEEK_A_PROVIDER_BUFFERS),
	END,
};

const struct field device_fields[] = {
	NUM("id", NULL, DMAPEEK_A_DEVICE_ID),
	STR("bdf", NULL, DMAPEEK_A_DEVICE_BDF),
	NUM("vendor", NULL, DMAPEEK_A_DEVICE_VENDOR),
	NUM("device", NULL, DMAPEEK_A_DEVICE_DEVICE),
	NUM("class", NULL, DMAPEEK_A_DEVICE_CLASS),
	ENUM("domain_type", "domain", DMAPEEK_A_DEVICE_DOMAIN_TYPE,
	     dmapeek_domain_type_str),
	NUM("dma_mask_bits", "dma_mask", DMAPEEK_A_DEVICE_DMA_MASK_BITS),
	NUM("attachments", NULL, DMAPEEK_A_DEVICE_ATTACHMENTS),
	END,
};

const struct field buffer_fields[] = {
	NUM("id", NULL, DMAPEEK_A_BUFFER_ID),
	STR("name", NULL, DMAPEEK_A_BUFFER_NAME),
	SIZE("size", NULL, DMAPEEK_A_BUFFER_SIZE),
	ENUM("model", NULL, DMAPEEK_A_BUFFER_MODEL, dmapeek_model_str),
	NUM("provider_id", "provider", DMAPEEK_A_BUFFER_PROVIDER_ID),
	ENUM("state", NULL, DMAPEEK_A_BUFFER_STATE, dmapeek_buffer_state_str),
	NUM("inode", NULL, DMAPEEK_A_BUFFER_INODE),
	NUM("attachments", NULL, DMAPEEK_A_BUFFER_ATTACHMENTS),
	NUM("pins", NULL, DMAPEEK_A_BUFFER_PINS),
	NUM("moves", NULL, DMAPEEK_A_BUFFER_MOVES),
	NUM("revokes", NULL, DMAPEEK_A_BUFFER_REVOKES),
	NUM("held", NULL, DMAPEEK_A_BUFFER_HELD),
	END,
};

const struct field attachment_fields[] = {
	NUM("id", NULL, DMAPEEK_A_ATTACHMENT_ID),
	NUM("buffer_id", "buffer", DMAPEEK_A_ATTACHMENT_BUFFER_ID),
	NUM("inode", NULL, DMAPEEK_A_ATTACHMENT_INODE),
	STR("exp_name", "exporter", DMAPEEK_A_ATTACHMENT_EXP_NAME),
	SIZE("size", NULL, DMAPEEK_A_ATTACHMENT_SIZE),
	STR("importer_dev", "importer", DMAPEEK_A_ATTACHMENT_IMPORTER_DEV),
	STR("importer_driver", "driver", DMAPEEK_A_ATTACHMENT_IMPORTER_DRIVER),
	NUM("device_id", "device", DMAPEEK_A_ATTACHMENT_DEVICE_ID),
	ENUM("map_type", NULL, DMAPEEK_A_ATTACHMENT_MAP_TYPE, dmapeek_map_type_str),
	ENUM("behaviour", NULL, DMAPEEK_A_ATTACHMENT_BEHAVIOUR, dmapeek_behaviour_str),
	ENUM("own_map", NULL, DMAPEEK_A_ATTACHMENT_OWN_MAP, dmapeek_own_map_state_str),
	BOOL("mapped", NULL, DMAPEEK_A_ATTACHMENT_MAPPED),
	BOOL("stuck", NULL, DMAPEEK_A_ATTACHMENT_STUCK),
	NUM("maps", NULL, DMAPEEK_A_ATTACHMENT_MAPS),
	NUM("unmaps", NULL, DMAPEEK_A_ATTACHMENT_UNMAPS),
	NUM("invalidations", NULL, DMAPEEK_A_ATTACHMENT_INVALIDATIONS),
	NUM("revoked_seen", NULL, DMAPEEK_A_ATTACHMENT_REVOKED_SEEN),
	NUM("unmap_delay_ms", "delay", DMAPEEK_A_ATTACHMENT_UNMAP_DELAY_MS),
	NS("last_unmap_latency_ns", "last_unmap",
	   DMAPEEK_A_ATTACHMENT_LAST_UNMAP_LATENCY_NS),
	NS("max_unmap_latency_ns", "max_unmap",
	   DMAPEEK_A_ATTACHMENT_MAX_UNMAP_LATENCY_NS),
	END,
};

const struct field mapping_fields[] = {
	NUM("id", NULL, DMAPEEK_A_MAPPING_ID),
	NUM("attachment_id", "attachment", DMAPEEK_A_MAPPING_ATTACHMENT_ID),
	ENUM("path", NULL, DMAPEEK_A_MAPPING_PATH, dmapeek_mapping_path_str),
	SIZE("size", NULL, DMAPEEK_A_MAPPING_SIZE),
	NS("map_ns", "took", DMAPEEK_A_MAPPING_MAP_NS),
	END,
};

const struct field p2p_fields[] = {
	STR("provider_bdf", "provider", DMAPEEK_A_P2P_PROVIDER_BDF),
	STR("client_bdf", "client", DMAPEEK_A_P2P_CLIENT_BDF),
	ENUM("map_type", NULL, DMAPEEK_A_P2P_MAP_TYPE, dmapeek_map_type_str),
	{ "distance", NULL, DMAPEEK_A_P2P_DISTANCE, F_S32, NULL },
	ENUM("reason", NULL, DMAPEEK_A_P2P_REASON, dmapeek_p2p_reason_str),
	END,
};

const struct field event_fields[] = {
	ENUM("type", NULL, DMAPEEK_A_EVENT_TYPE, dmapeek_event_type_str),
	NUM("buffer", NULL, DMAPEEK_A_EVENT_BUFFER_ID),
	NUM("attachment", NULL, DMAPEEK_A_EVENT_ATTACHMENT_ID),
	NUM("mapping", NULL, DMAPEEK_A_EVENT_MAPPING_ID),
	NUM("provider", NULL, DMAPEEK_A_EVENT_PROVIDER_ID),
	NUM("seq", NULL, DMAPEEK_A_EVENT_SEQ),
	ENUM("map_type", NULL, DMAPEEK_A_EVENT_MAP_TYPE, dmapeek_map_type_str),
	NUM("op", NULL, DMAPEEK_A_EVENT_OP),
	END,
};

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

/* The outcome of the last revoke of a batch ("expect revoke stuck 1"). */
const struct field revoke_fields[] = {
	NUM("buffer", NULL, DMAPEEK_A_REVOKE_BUFFER_ID),
	NUM("attachments", NULL, DMAPEEK_A_REVOKE_ATTACHMENTS),
	NUM("stuck", NULL, DMAPEEK_A_REVOKE_STUCK),
	NS("duration_ns", "took", DMAPEEK_A_REVOKE_DURATION_NS),
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
	if ((f->type == F_STR || f->type == F_BOOL || f->type == F_ENUM) &&
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
	default:
		snprintf(buf, len, "%" PRIu64, v);
		break;
	}
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
