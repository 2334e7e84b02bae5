// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small JSON writer behind the one printing path (see json_print.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * Output.  A listing prints some thirty values per object, so the printer
 * writes through stdio's unlocked calls and converts numbers itself: what
 * printf would spend parsing a format and taking the stream's lock per
 * value was most of "dmapeek buffer list"'s time at scale (the listing
 * benchmark's profile mode, tests/bench/bench-scale).
 */
static void out(const char *s, size_t n)
{
#ifdef __GLIBC__
	/*
	 * What glibc's putc_unlocked() does, for @n bytes: straight into the
	 * stream's buffer while it has room.  A line-buffered or unbuffered
	 * stream keeps _IO_write_end at _IO_write_ptr, so its bytes always
	 * take fwrite's path.
	 */
	FILE *f = cur->out;

	if (!n)
		return;		/* (a stream not yet written has no buffer) */
	if ((size_t)(f->_IO_write_end - f->_IO_write_ptr) >= n) {
		memcpy(f->_IO_write_ptr, s, n);
		f->_IO_write_ptr += n;
		return;
	}
#endif
	fwrite_unlocked(s, 1, n, cur->out);
}

static void out_c(char c)
{
	putc_unlocked(c, cur->out);
}

static void out_s(const char *s)
{
	out(s, strlen(s));
}

/* @v in decimal, at the end of @end's 24 bytes; returns where it begins */
static char *utoa10(char *end, uint64_t v)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static char *utoa16(char *end, uint64_t v, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	*--end = '\0';
	do {
		*--end = dig[v & 15];
		v >>= 4;
	} while (v);
	return end;
}

/*
 * One value through a caller's format: literal text and a single
 * conversion with flags '#', '0', '-', a width and length modifiers
 * (PRIu64 and friends), as the call sites write them, rendered in one
 * pass into one piece.  @str is the value of a %s, else @v: as printf
 * would read a 64-bit argument, %d and %i take it as signed, %u and %x as
 * unsigned.  Returns false, having printed nothing, for any other format
 * or a longer result: the caller hands it to fprintf.
 */
static bool out_fmt1(const char *fmt, const char *str, uint64_t v)
{
	char line[256], num[24], *o = line, *end = line + sizeof(line);
	bool alt = false, zero = false, left = false;
	const char *p = fmt, *pre = "", *val;
	unsigned int width = 0;
	size_t len, plen, pad;

	while (*p && *p != '%' && o < end)
		*o++ = *p++;
	if (*p++ != '%')
		return false;
	for (;; p++) {
		if (*p == '#') alt = true;
		else if (*p == '0') zero = true;
		else if (*p == '-') left = true;
		else break;
	}
	while (*p >= '0' && *p <= '9' && width < sizeof(line))
		width = width * 10 + (unsigned int)(*p++ - '0');
	while (*p == 'l' || *p == 'h' || *p == 'j' || *p == 'z')
		p++;
	switch (*p++) {
	case 's':
		if (!str)
			return false;
		val = str;
		zero = false;
		break;
	case 'd': case 'i':
		if (str)
			return false;
		if ((int64_t)v < 0) {
			v = -v;
			pre = "-";
		}
		val = utoa10(num + sizeof(num), v);
		break;
	case 'u':
		if (str)
			return false;
		val = utoa10(num + sizeof(num), v);
		break;
	case 'x': case 'X':
		if (str)
			return false;
		val = utoa16(num + sizeof(num), v, p[-1] == 'X');
		if (alt && v)
			pre = p[-1] == 'X' ? "0X" : "0x";
		break;
	default:
		return false;	/* "%%", precision, '*', %c, %f ...: printf's */
	}
	len = strlen(val);
	plen = strlen(pre);
	pad = width > len + plen ? width - len - plen : 0;
	if ((size_t)(end - o) < pad + plen + len)
		return false;
	if (!left && !zero)
		for (; pad; pad--)
			*o++ = ' ';
	while (*pre)
		*o++ = *pre++;
	for (; pad && !left; pad--)
		*o++ = '0';
	memcpy(o, val, len);
	o += len;
	for (; pad; pad--)
		*o++ = ' ';
	for (; *p && o < end; p++) {
		if (*p == '%')
			return false;	/* a second conversion, or "%%" */
		*o++ = *p;
	}
	if (*p)
		return false;
	out(line, (size_t)(o - line));
	return true;
}

static void out_u64(uint64_t v)
{
	char num[24];

	out_s(utoa10(num + sizeof(num), v));
}

static void indent(void)
{
	int i;

	if (!cur->pretty)
		return;
	out_c('\n');
	for (i = 0; i < cur->depth; i++)
		out("    ", 4);
}

/* the bytes a JSON string cannot hold as they are: controls, '"', '\\' */
static const bool json_esc[256] = {
	[0 ... 0x1f] = true, ['"'] = true, ['\\'] = true,
};

static void put_escaped(const char *s)
{
	const char *run;

	out_c('"');
	for (;;) {
		unsigned char c;

		for (run = s; !json_esc[(unsigned char)*s]; s++)
			;
		c = (unsigned char)*s;
		out(run, (size_t)(s - run));
		if (!c)
			break;
		switch (c) {
		case '"': out("\\\"", 2); break;
		case '\\': out("\\\\", 2); break;
		case '\n': out("\\n", 2); break;
		case '\t': out("\\t", 2); break;
		case '\r': out("\\r", 2); break;
		default:
			out("\\u00", 4);
			out_c("0123456789abcdef"[c >> 4]);
			out_c("0123456789abcdef"[c & 15]);
		}
		s++;
	}
	out_c('"');
}

/*
 * Separator and key before a value.  Values at the top level are documents
 * of their own, one per line (a batch, the monitor's event stream): no
 * separator between them.
 */
static void key(const char *k)
{
	if (cur->depth && !cur->first[cur->depth])
		out_c(',');
	cur->first[cur->depth] = false;
	if (cur->depth)
		indent();
	if (k) {
		put_escaped(k);
		if (cur->pretty)
			out(": ", 2);
		else
			out_c(':');
	}
}

/*
 * key()'s bytes for the compact form, written into @b (KEY_ROOM bytes) so
 * that the caller adds its value and prints both in one piece: where they
 * start in @b (they end at *@end), or NULL having written nothing when
 * key() is to do it (pretty output, the top level, a key that needs
 * escaping or does not fit).  Keys are the program's own names, so the
 * check is a formality that keeps the output valid whatever a caller
 * passes.
 */
#define KEY_ROOM	72

static char *key_compact(char *b, const char *k, char **end)
{
	char *start = b + 1;
	size_t i;

	if (cur->pretty || !cur->depth || !k)
		return NULL;
	/* copied as checked, after room for the separator and the quote */
	for (i = 0; !json_esc[(unsigned char)k[i]]; i++) {
		if (i == KEY_ROOM - 4)
			return NULL;
		b[2 + i] = k[i];
	}
	if (k[i])
		return NULL;
	if (!cur->first[cur->depth]) {
		b[0] = ',';
		start = b;
	}
	cur->first[cur->depth] = false;
	b[1] = '"';
	b[2 + i] = '"';
	b[3 + i] = ':';
	*end = b + 4 + i;
	return start;
}

/* A value of @len bytes at @v after key @k, one piece where it can be. */
static void key_value(const char *k, const char *v, size_t len)
{
	char b[KEY_ROOM + 32], *start, *end;

	if (len <= 32 && (start = key_compact(b, k, &end))) {
		memcpy(end, v, len);
		out(start, (size_t)(end + len - start));
		return;
	}
	key(k);
	out(v, len);
}

static void open(const char *k, char c)
{
	if (!cur->json)
		return;
	key_value(k, &c, 1);
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
	out_c(c);
	if (!cur->depth)
		out_c('\n');
}

void pr_open_obj(const char *k) { open(k, '{'); }
void pr_close_obj(void) { close_('}'); }
void pr_open_arr(const char *k) { open(k, '['); }
void pr_close_arr(void) { close_(']'); }

/* Key @k and the string @s, one piece when @s needs no escaping. */
static void key_str(const char *k, const char *s)
{
	char b[KEY_ROOM + 66], *start, *end;
	size_t len;

	for (len = 0; !json_esc[(unsigned char)s[len]] && len < 64; len++)
		;
	if (s[len] || !(start = key_compact(b, k, &end))) {
		key(k);
		put_escaped(s);
		return;
	}
	*end++ = '"';
	memcpy(end, s, len);
	end += len;
	*end++ = '"';
	out(start, (size_t)(end - start));
}

void pr_str(const char *k, const char *fmt, const char *s)
{
	if (cur->json) {
		if (s)
			key_str(k, s);
		else
			key_value(k, "null", 4);
	} else if (fmt && !out_fmt1(fmt, s ? s : "-", 0)) {
		fprintf(cur->out, fmt, s ? s : "-");
	}
}

void pr_u64(const char *k, const char *fmt, uint64_t v)
{
	if (cur->json) {
		char num[24], *d = utoa10(num + sizeof(num), v);

		key_value(k, d, (size_t)(num + sizeof(num) - 1 - d));
	} else if (fmt && !out_fmt1(fmt, NULL, v)) {
		fprintf(cur->out, fmt, v);
	}
}

void pr_s64(const char *k, const char *fmt, int64_t v)
{
	if (cur->json) {
		key(k);
		if (v < 0)
			out_c('-');
		out_u64(v < 0 ? -(uint64_t)v : (uint64_t)v);
	} else if (fmt && !out_fmt1(fmt, NULL, (uint64_t)v)) {
		fprintf(cur->out, fmt, v);
	}
}

void pr_bool(const char *k, const char *fmt, bool v)
{
	if (cur->json) {
		if (v)
			key_value(k, "true", 4);
		else
			key_value(k, "false", 5);
	} else if (fmt && !out_fmt1(fmt, v ? "yes" : "no", 0)) {
		fprintf(cur->out, fmt, v ? "yes" : "no");
	}
}

void pr_null(const char *k, const char *fmt)
{
	if (cur->json) {
		key_value(k, "null", 4);
	} else if (fmt) {
		out_s(fmt);
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
	if (len >= 24) {
		char num[24], *d = utoa10(num + sizeof(num), x);
		size_t n = (size_t)(num + sizeof(num) - 1 - d);

		if (n + strlen(unit[u]) < len) {
			memcpy(buf, d, n);
			strcpy(buf + n, unit[u]);
			return;
		}
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
	if (!fmt)
		return;
	fmt_size(b, sizeof(b), v);
	if (!out_fmt1(fmt, b, 0))
		fprintf(cur->out, fmt, b);
}

void pr_ns(const char *k, const char *fmt, uint64_t ns)
{
	char b[32];

	if (cur->json) {
		pr_u64(k, NULL, ns);
		return;
	}
	if (!fmt)
		return;
	fmt_ns(b, sizeof(b), ns);
	if (!out_fmt1(fmt, b, 0))
		fprintf(cur->out, fmt, b);
}

void pr_text(const char *fmt, ...)
{
	va_list ap;

	if (cur->json)
		return;
	if (!strchr(fmt, '%')) {
		out_s(fmt);
		return;
	}
	va_start(ap, fmt);
	vfprintf(cur->out, fmt, ap);
	va_end(ap);
}

void pr_nl(void)
{
	if (!cur->json)
		out_c('\n');
}

/*
 * Standard output written in 64 KiB pieces when it is no terminal: glibc
 * sizes the buffer from st_blksize, 4 KiB for a pipe or /dev/null, and a
 * listing of 100,000 buffers then costs 22,000 write()s (a tenth of the
 * time reading bufinfo takes, in the listing benchmark).  Call before the
 * first output; a terminal keeps its line buffering.
 */
void pr_buffer_stdout(void)
{
	/* glibc takes a size only with a buffer; static: exit() flushes it */
	static char buf[1 << 16];

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
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
