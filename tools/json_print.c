// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small JSON writer behind the one printing path (see json_print.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json_print.h"

/*
 * The text formats come from the callers, as in iproute2's json_print.c;
 * each call site passes a literal whose conversion matches the value type
 * named by the function (pr_u64: PRIu64/PRIx64, pr_str: %s ...).
 */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* The printer pr_init() bound: its state is the caller's (json_print.h). */
static struct printer *cur;

void pr_init(struct printer *p, FILE *f, bool json, bool pretty)
{
	*p = (struct printer){ .out = f, .json = json, .pretty = pretty };
	p->first[0] = true;
	cur = p;
}

struct printer *pr_current(void)
{
	return cur;
}

void pr_use(struct printer *p)
{
	cur = p;
}

bool pr_is_json(void)
{
	return cur->json;
}

static void indent(void)
{
	int i;

	if (!cur->pretty)
		return;
	fputc('\n', cur->out);
	for (i = 0; i < cur->depth; i++)
		fputs("    ", cur->out);
}

static void put_escaped(const char *s)
{
	fputc('"', cur->out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': fputs("\\\"", cur->out); break;
		case '\\': fputs("\\\\", cur->out); break;
		case '\n': fputs("\\n", cur->out); break;
		case '\t': fputs("\\t", cur->out); break;
		case '\r': fputs("\\r", cur->out); break;
		default:
			if (c < 0x20)
				fprintf(cur->out, "\\u%04x", c);
			else
				fputc(c, cur->out);
		}
	}
	fputc('"', cur->out);
}

/*
 * Separator and key before a value.  Values at the top level are documents
 * of their own, one per line (a batch, the monitor's event stream): no
 * separator between them.
 */
static void key(const char *k)
{
	if (cur->depth && !cur->first[cur->depth])
		fputc(',', cur->out);
	cur->first[cur->depth] = false;
	if (cur->depth)
		indent();
	if (k) {
		put_escaped(k);
		fputs(cur->pretty ? ": " : ":", cur->out);
	}
}

static void open(const char *k, char c)
{
	if (!cur->json)
		return;
	key(k);
	fputc(c, cur->out);
	if (cur->depth + 1 < PR_MAX_DEPTH)
		cur->depth++;
	cur->first[cur->depth] = true;
}

static void close_(char c)
{
	bool empty;

	if (!cur->json)
		return;
	empty = cur->first[cur->depth];
	if (cur->depth)
		cur->depth--;
	if (!empty)
		indent();
	fputc(c, cur->out);
	if (!cur->depth)
		fputc('\n', cur->out);
}

void pr_open_obj(const char *k) { open(k, '{'); }
void pr_close_obj(void) { close_('}'); }
void pr_open_arr(const char *k) { open(k, '['); }
void pr_close_arr(void) { close_(']'); }

void pr_str(const char *k, const char *fmt, const char *s)
{
	if (cur->json) {
		key(k);
		if (s)
			put_escaped(s);
		else
			fputs("null", cur->out);
	} else if (fmt) {
		fprintf(cur->out, fmt, s ? s : "-");
	}
}

void pr_u64(const char *k, const char *fmt, uint64_t v)
{
	if (cur->json) {
		key(k);
		fprintf(cur->out, "%" PRIu64, v);
	} else if (fmt) {
		fprintf(cur->out, fmt, v);
	}
}

void pr_s64(const char *k, const char *fmt, int64_t v)
{
	if (cur->json) {
		key(k);
		fprintf(cur->out, "%" PRId64, v);
	} else if (fmt) {
		fprintf(cur->out, fmt, v);
	}
}

void pr_bool(const char *k, const char *fmt, bool v)
{
	if (cur->json) {
		key(k);
		fputs(v ? "true" : "false", cur->out);
	} else if (fmt) {
		fprintf(cur->out, fmt, v ? "yes" : "no");
	}
}

void pr_null(const char *k, const char *fmt)
{
	if (cur->json) {
		key(k);
		fputs("null", cur->out);
	} else if (fmt) {
		fputs(fmt, cur->out);
	}
}

void fmt_size(char *buf, size_t len, uint64_t v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;
	uint64_t x = v;

	while (x >= 1024 && !(x % 1024) && u < 6) {
		x /= 1024;
		u++;
	}
	if (x >= 10240 && u < 6) {
		/* not a round multiple: one decimal of the next unit up */
		double d = (double)v;

		for (u = 0; d >= 1024 && u < 6; u++)
			d /= 1024;
		snprintf(buf, len, "%.1f%s", d, unit[u]);
		return;
	}
	snprintf(buf, len, "%" PRIu64 "%s", x, unit[u]);
}

void fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.1fs", ns / 1e9);
}

void pr_size(const char *k, const char *fmt, uint64_t v)
{
	char b[32];

	if (cur->json) {
		pr_u64(k, NULL, v);
		return;
	}
	fmt_size(b, sizeof(b), v);
	if (fmt)
		fprintf(cur->out, fmt, b);
}

void pr_ns(const char *k, const char *fmt, uint64_t ns)
{
	char b[32];

	if (cur->json) {
		pr_u64(k, NULL, ns);
		return;
	}
	fmt_ns(b, sizeof(b), ns);
	if (fmt)
		fprintf(cur->out, fmt, b);
}

void pr_text(const char *fmt, ...)
{
	va_list ap;

	if (cur->json)
		return;
	va_start(ap, fmt);
	vfprintf(cur->out, fmt, ap);
	va_end(ap);
}

void pr_nl(void)
{
	if (!cur->json)
		fputc('\n', cur->out);
}

int pr_done(void)
{
	fflush(cur->out);
	return ferror(cur->out) ? -EIO : 0;
}

/* "4096", "64K", "64M", "1G", "2MiB", "0x1000" */
int parse_size(const char *s, uint64_t *v)
{
	char *end;
	uint64_t x, mul = 1;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	case 't': case 'T': mul = 1ULL << 40; end++; break;
	default: return -EINVAL;
	}
	if (mul > 1 && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (x && mul > UINT64_MAX / x)
		return -ERANGE;
	*v = x * mul;
	return 0;
}
