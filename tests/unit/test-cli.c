// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the command line's printing path and argument parsing:
 * the JSON writer's output is parsed back (by python3 -m json.tool when
 * present) and compared with the exact text expected; the summary of
 * address ranges and the wall-clock time of events, which are pure; the
 * prefix matcher and the argument parser every command uses (args.c).
 * The command tables themselves are tested through the program, by
 * test-verbs.sh.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "unit.h"

#include "args.h"
#include "json_print.h"
#include "ranges.h"
#include "stats.h"
#include "walltime.h"

static char *out_buf;
static size_t out_len;
static struct printer printer;

static FILE *open_out(void)
{
	FILE *f = open_memstream(&out_buf, &out_len);

	ck_assert_ptr_nonnull(f);
	return f;
}

static void sample(void)
{
	pr_open_arr(NULL);
	pr_open_obj(NULL);
	pr_u64("id", "buffer %" "lu" " ", 3);
	pr_str("name", "name \"%s\" ", "a \"quoted\"\tname\\");
	pr_size("size", "size %s ", 64ULL << 20);
	pr_bool("stuck", "stuck %s", true);
	pr_nl();
	pr_open_arr("ranges");
	pr_open_obj(NULL);
	pr_s64("distance", "  distance %ld", -1);
	pr_null("addr", " addr hidden");
	pr_close_obj();
	pr_nl();
	pr_close_arr();
	pr_open_arr("empty");
	pr_close_arr();
	pr_close_obj();
	pr_close_arr();
}

START_TEST(json_exact)
{
	FILE *f = open_out();

	pr_init(&printer, f, true, false);
	sample();
	ck_assert_int_eq(pr_done(), 0);
	fclose(f);
	ck_assert_str_eq(out_buf,
		"[{\"id\":3,\"name\":\"a \\\"quoted\\\"\\tname\\\\\",\"size\":67108864,"
		"\"stuck\":true,\"ranges\":[{\"distance\":-1,\"addr\":null}],"
		"\"empty\":[]}]\n");
	free(out_buf);
}
END_TEST

/* A batch or the monitor: one document per line, nothing between them. */
START_TEST(json_lines_have_no_separator)
{
	FILE *f = open_out();
	int i;

	pr_init(&printer, f, true, false);
	for (i = 1; i <= 3; i++) {
		pr_open_obj(NULL);
		pr_u64("event", NULL, i);
		pr_close_obj();
		pr_nl();
	}
	fclose(f);
	ck_assert_str_eq(out_buf, "{\"event\":1}\n{\"event\":2}\n{\"event\":3}\n");
	free(out_buf);
}
END_TEST

START_TEST(json_pretty_parses_back)
{
	FILE *f = open_out(), *p;
	int rc;

	pr_init(&printer, f, true, true);
	sample();
	fclose(f);
	if (system("python3 -c '' 2>/dev/null") != 0) {
		free(out_buf);
		return;		/* nothing to parse with here */
	}
	p = popen("python3 -c 'import json,sys; d=json.load(sys.stdin); "
		  "q=chr(34); want=\"a \"+q+\"quoted\"+q+chr(9)+\"name\"+chr(92); "
		  "sys.exit(0 if d[0][\"ranges\"][0][\"distance\"]==-1 and "
		  "d[0][\"name\"]==want else 1)'", "w");
	ck_assert_ptr_nonnull(p);
	fputs(out_buf, p);
	rc = pclose(p);
	ck_assert_msg(rc == 0, "python3 rejected or misread:\n%s", out_buf);
	free(out_buf);
}
END_TEST

START_TEST(text_uses_formats)
{
	FILE *f = open_out();

	pr_init(&printer, f, false, false);
	sample();
	fclose(f);
	ck_assert_str_eq(out_buf,
		"buffer 3 name \"a \"quoted\"\tname\\\" size 64MiB stuck yes\n"
		"  distance -1 addr hidden\n");
	free(out_buf);
}
END_TEST

/*
 * The text path renders one conversion itself (json_print.c's out_fmt1)
 * and hands printf every other format: the same bytes as printf either
 * way, for the flags, widths and conversions the call sites use.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
START_TEST(text_formats_match_printf)
{
	static const char *const ufmts[] = {
		"%" PRIu64, "id %" PRIu64 " ", "%8" PRIu64 "|", "%-8" PRIu64 "|",
		"%06" PRIu64, "%#" PRIx64, "x %02" PRIx64 " y", "%04" PRIX64,
		"%#06" PRIx64, "%" PRId64, "%%%" PRIu64, "%5.2" PRIu64, "no value",
	};
	static const char *const sfmts[] = {
		"%s", "name \"%s\" ", "%-10s|", "%10s|", "%.3s", "%s%%",
	};
	static const uint64_t vals[] = { 0, 1, 9, 10, 255, 4096, 1234567890123ULL, UINT64_MAX };
	char longstr[400], want[1024];
	unsigned int i, j;

	memset(longstr, 'z', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	for (i = 0; i < sizeof(ufmts) / sizeof(ufmts[0]); i++)
		for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			FILE *f = open_out();

			pr_init(&printer, f, false, false);
			pr_u64("k", ufmts[i], vals[j]);
			fclose(f);
			snprintf(want, sizeof(want), ufmts[i], vals[j]);
			ck_assert_msg(!strcmp(out_buf, want), "format \"%s\" of %" PRIu64
				      ": \"%s\", printf \"%s\"", ufmts[i], vals[j], out_buf, want);
			free(out_buf);
		}
	for (i = 0; i < sizeof(sfmts) / sizeof(sfmts[0]); i++) {
		const char *strs[] = { "", "edu", "0000:00:03.0", longstr };

		for (j = 0; j < sizeof(strs) / sizeof(strs[0]); j++) {
			FILE *f = open_out();

			pr_init(&printer, f, false, false);
			pr_str("k", sfmts[i], strs[j]);
			fclose(f);
			snprintf(want, sizeof(want), sfmts[i], strs[j]);
			ck_assert_msg(!strcmp(out_buf, want), "format \"%s\" of \"%.20s\"",
				      sfmts[i], strs[j]);
			free(out_buf);
		}
	}
	{
		FILE *f = open_out();

		pr_init(&printer, f, false, false);
		pr_s64("k", "d %5" PRId64 "|", -42);
		pr_s64("k", " %-5" PRId64 "|", -42);
		pr_s64("k", " %05" PRId64, -42);
		fclose(f);
		snprintf(want, sizeof(want), "d %5" PRId64 "| %-5" PRId64 "| %05" PRId64,
			 (int64_t)-42, (int64_t)-42, (int64_t)-42);
		ck_assert_str_eq(out_buf, want);
		free(out_buf);
	}
}
END_TEST
#pragma GCC diagnostic pop

/* JSON strings escape controls as \u00XX, any byte else as it is */
START_TEST(json_escapes_controls)
{
	FILE *f = open_out();

	pr_init(&printer, f, true, false);
	pr_str(NULL, NULL, "a\x01" "b\x1f\x7f\xc3\xa9");
	fclose(f);
	ck_assert_str_eq(out_buf, "\"a\\u0001b\\u001f\x7f\xc3\xa9\"");
	free(out_buf);
}
END_TEST

START_TEST(sizes_human_and_parsed)
{
	char b[32];
	uint64_t v;

	fmt_size(b, sizeof(b), 4096);
	ck_assert_str_eq(b, "4KiB");
	fmt_size(b, sizeof(b), 1000);
	ck_assert_str_eq(b, "1000B");
	fmt_size(b, sizeof(b), 3ULL << 30);
	ck_assert_str_eq(b, "3GiB");
	fmt_size(b, sizeof(b), (1ULL << 30) + 4096);
	ck_assert_str_eq(b, "1.0GiB");
	fmt_ns(b, sizeof(b), 1500000);
	ck_assert_str_eq(b, "1.5ms");
	fmt_ns(b, sizeof(b), 999);
	ck_assert_str_eq(b, "999ns");
	fmt_ns(b, sizeof(b), 2500000000ULL);
	ck_assert_str_eq(b, "2.5s");
	fmt_ns(b, sizeof(b), 25000000);
	ck_assert_str_eq(b, "25.0ms");
	ck_assert_int_eq(parse_size("64K", &v), 0);
	ck_assert_uint_eq(v, 65536);
	ck_assert_int_eq(parse_size("2MiB", &v), 0);
	ck_assert_uint_eq(v, 2 << 20);
	ck_assert_int_eq(parse_size("0x1000", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(parse_size("1G", &v), 0);
	ck_assert_uint_eq(v, 1 << 30);
	ck_assert_int_eq(parse_size("12Q", &v), -EINVAL);
	ck_assert_int_eq(parse_size("-1", &v), -EINVAL);
	ck_assert_int_eq(parse_size("", &v), -EINVAL);
	ck_assert_int_eq(parse_size("99999999999T", &v), -ERANGE);
}
END_TEST

/* A range of @len at @addr, or without one (a caller without CAP_SYS_ADMIN). */
static struct dmapeek_addr_range rng(uint64_t offset, uint64_t len, uint64_t addr,
				     bool has_addr)
{
	return (struct dmapeek_addr_range){
		.offset = offset, .len = len, .addr = addr, .has_addr = has_addr,
	};
}

static void summarise(struct range_summary *s, const struct dmapeek_addr_range *r,
		      unsigned int n)
{
	unsigned int i;

	range_summary_init(s);
	for (i = 0; i < n; i++)
		range_summary_add(s, &r[i]);
}

static char *summary_out(const struct range_summary *s, bool json)
{
	FILE *f = open_out();

	pr_init(&printer, f, json, false);
	pr_open_obj(NULL);
	range_summary_print(s, "    ");
	pr_close_obj();
	ck_assert_int_eq(pr_done(), 0);
	fclose(f);
	return out_buf;
}

START_TEST(range_summary_counts_runs_by_address)
{
	const struct dmapeek_addr_range r[] = {
		rng(0, 4096, 0x1000, true),
		rng(4096, 4096, 0x2000, true),		/* continues the first */
		rng(8192, 8192, 0x10000, true),		/* a gap: a second run */
		rng(16384, 4096, 0x12000, true),	/* continues the third */
		rng(20480, 4096, 0x1000, true),		/* back down: a third run */
	};
	struct range_summary s;
	char *out;

	summarise(&s, r, 5);
	ck_assert_uint_eq(s.count, 5);
	ck_assert(s.runs_known);
	ck_assert_uint_eq(s.runs, 3);
	ck_assert_uint_eq(s.bytes, 24576);
	ck_assert_uint_eq(s.smallest, 4096);
	ck_assert_uint_eq(s.largest, 8192);
	out = summary_out(&s, false);
	ck_assert_str_eq(out, "    ranges 5 runs 3 total 24KiB smallest 4KiB largest 8KiB\n");
	free(out);
	out = summary_out(&s, true);
	ck_assert_str_eq(out, "{\"range_summary\":{\"count\":5,\"runs\":3,\"bytes\":24576,"
			 "\"smallest\":4096,\"largest\":8192}}\n");
	free(out);
}
END_TEST

START_TEST(range_summary_contiguous_pages_are_one_run)
{
	struct dmapeek_addr_range r[256];
	struct range_summary s;
	unsigned int i;

	for (i = 0; i < 256; i++)
		r[i] = rng(i * 4096ULL, 4096, 0x80000000ULL + i * 4096ULL, true);
	summarise(&s, r, 256);
	ck_assert_uint_eq(s.count, 256);
	ck_assert_uint_eq(s.runs, 1);
	ck_assert_uint_eq(s.bytes, 1 << 20);
	ck_assert_uint_eq(s.smallest, 4096);
	ck_assert_uint_eq(s.largest, 4096);
}
END_TEST

/* Without CAP_SYS_ADMIN no address comes: the runs are unknown, not 0 or 1. */
START_TEST(range_summary_runs_unknown_without_addresses)
{
	const struct dmapeek_addr_range r[] = {
		rng(0, 65536, 0, false),
		rng(65536, 4096, 0, false),
	};
	struct range_summary s;
	char *out;

	summarise(&s, r, 2);
	ck_assert(!s.runs_known);
	out = summary_out(&s, false);
	ck_assert_str_eq(out,
		"    ranges 2 runs unknown total 68KiB smallest 4KiB largest 64KiB\n");
	free(out);
	out = summary_out(&s, true);
	ck_assert_str_eq(out, "{\"range_summary\":{\"count\":2,\"runs\":null,\"bytes\":69632,"
			 "\"smallest\":4096,\"largest\":65536}}\n");
	free(out);
}
END_TEST

/* One range without its address makes the runs of all unknown. */
START_TEST(range_summary_one_hidden_address_hides_runs)
{
	const struct dmapeek_addr_range r[] = {
		rng(0, 4096, 0x1000, true),
		rng(4096, 4096, 0, false),
		rng(8192, 4096, 0x3000, true),
	};
	struct range_summary s;

	summarise(&s, r, 3);
	ck_assert(!s.runs_known);
	ck_assert_uint_eq(s.count, 3);
}
END_TEST

/* No ranges (a revoked buffer): "ranges 0" alone, every JSON key kept. */
START_TEST(range_summary_of_no_ranges)
{
	struct range_summary s;
	char *out;

	summarise(&s, NULL, 0);
	out = summary_out(&s, false);
	ck_assert_str_eq(out, "    ranges 0\n");
	free(out);
	out = summary_out(&s, true);
	ck_assert_str_eq(out, "{\"range_summary\":{\"count\":0,\"runs\":0,\"bytes\":0,"
			 "\"smallest\":0,\"largest\":0}}\n");
	free(out);
}
END_TEST

/* 2026-12-04T13:50:01.123456789 UTC in nanoseconds since the epoch */
#define T_NS (1796392201LL * 1000000000LL + 123456789LL)

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

START_TEST(walltime_local_time_to_the_microsecond)
{
	char b[64];

	set_tz("UTC0");
	ck_assert_int_eq(walltime_fmt(b, sizeof(b), T_NS, false), 0);
	ck_assert_str_eq(b, "2026-12-04T13:50:01.123456");
	ck_assert_int_eq(walltime_fmt(b, sizeof(b), T_NS, true), 0);
	ck_assert_str_eq(b, "2026-12-04T13:50:01.123456+00:00");
	/* POSIX TZ strings: no time zone database needed */
	set_tz("CET-1");
	ck_assert_int_eq(walltime_fmt(b, sizeof(b), T_NS, true), 0);
	ck_assert_str_eq(b, "2026-12-04T14:50:01.123456+01:00");
	set_tz("NST3:30");
	ck_assert_int_eq(walltime_fmt(b, sizeof(b), T_NS, true), 0);
	ck_assert_str_eq(b, "2026-12-04T10:20:01.123456-03:30");
	ck_assert_int_eq(walltime_fmt(b, sizeof(b), T_NS, false), 0);
	ck_assert_str_eq(b, "2026-12-04T10:20:01.123456");
	set_tz("UTC0");
}
END_TEST

START_TEST(walltime_before_the_epoch_and_short_buffers)
{
	char b[64];

	set_tz("UTC0");
	ck_assert_int_eq(walltime_fmt(b, sizeof(b), -1, false), 0);
	ck_assert_str_eq(b, "1969-12-31T23:59:59.999999");
	ck_assert_int_eq(walltime_fmt(b, 20, T_NS, false), -EINVAL);
	ck_assert_int_eq(walltime_fmt(b, 27, T_NS, false), 0);
	ck_assert_int_eq(walltime_fmt(b, 27, T_NS, true), -EINVAL);
}
END_TEST

/* The offset turns a monotonic stamp taken now into the wall clock now. */
START_TEST(walltime_offset_maps_monotonic_to_realtime)
{
	struct timespec real;
	int64_t off = walltime_offset_ns();
	int64_t mono = (int64_t)walltime_mono_ns(), now;

	clock_gettime(CLOCK_REALTIME, &real);
	now = (int64_t)real.tv_sec * 1000000000LL + real.tv_nsec;
	ck_assert_msg(llabs(mono + off - now) < 1000000000LL,
		      "monotonic + offset is %lld ns from the wall clock",
		      (long long)(mono + off - now));
}
END_TEST

/* ------------------------------------------------------------ arguments */

/* args.c reports bad words through usage_err(): kept here to be read. */
static char usage_msg[256];

int usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(usage_msg, sizeof(usage_msg), fmt, ap);
	va_end(ap);
	return 2;
}

/* @line split at blanks into a static argv: the number of words. */
static int words(const char *line, char **argv, int max)
{
	static char buf[256];
	char *p, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok_r(buf, " ", &save); p && argc < max; p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	return argc;
}

START_TEST(matches_takes_prefixes_only)
{
	ck_assert(matches("buf", "buffer"));
	ck_assert(matches("buffer", "buffer"));
	ck_assert(!matches("buffers", "buffer"));
	ck_assert(!matches("", "buffer"));
	ck_assert(!matches("bx", "buffer"));
}
END_TEST

struct row {
	const char *name;
	int n;
};

START_TEST(table_whole_word_first_then_first_prefix)
{
	static const struct row rows[] = {
		{ "mapping", 1 }, { "monitor", 2 }, { "map", 3 }, { "move", 4 },
		{ NULL, 0 },
	};
	static const char *const list[] = { "text", "prometheus", NULL };

	ck_assert_int_eq(TABLE_FIND(rows, "map")->n, 3);	/* not "mapping" */
	ck_assert_int_eq(TABLE_FIND(rows, "ma")->n, 1);		/* the first */
	ck_assert_int_eq(TABLE_FIND(rows, "m")->n, 1);
	ck_assert_int_eq(TABLE_FIND(rows, "mov")->n, 4);
	ck_assert_int_eq(TABLE_FIND(rows, "mo")->n, 2);
	ck_assert_ptr_null(TABLE_FIND(rows, "mapx"));
	ck_assert_ptr_null(TABLE_FIND(rows, ""));
	ck_assert_int_eq(word_find(list, "prom"), 1);
	ck_assert_int_eq(word_find(list, "t"), 0);
	ck_assert_int_eq(word_find(list, "json"), -1);
}
END_TEST

START_TEST(args_keywords_values_and_flags)
{
	uint32_t id = 0, flags = 0, model = 0;
	uint64_t size = 0;
	const char *name = NULL;
	const struct arg args[] = {
		{ "provider", A_U32, &id, 0, NULL },
		{ "size", A_SIZE, &size, 0, NULL },
		{ "model", A_MODEL, &model, 0, NULL },
		{ "name", A_STR, &name, 0, NULL },
		{ "pin", A_FLAG, &flags, 1, NULL },
		{ "p2p", A_FLAG, &flags, 4, NULL },
		{ NULL, A_U32, NULL, 0, NULL },
	};
	char *argv[16];
	int argc;

	argc = words("prov 3 size 64K p2p model revocable name -x", argv, 16);
	ck_assert_int_eq(parse_args("buffer export", args, argc, argv), 0);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(size, 64 << 10);
	ck_assert_uint_eq(flags, 4);
	ck_assert_uint_eq(model, DMAPEEK_MODEL_REVOCABLE);
	ck_assert_str_eq(name, "-x");		/* a value, not an option */
	/* "p" is a prefix of provider, pin and p2p: the first row's */
	argc = words("p 5 pin", argv, 16);
	ck_assert_int_eq(parse_args("buffer export", args, argc, argv), 0);
	ck_assert_uint_eq(id, 5);
	ck_assert_uint_eq(flags, 5);

	argc = words("provider 1 colour red", argv, 16);
	ck_assert_int_eq(parse_args("buffer export", args, argc, argv), 2);
	ck_assert_str_eq(usage_msg, "unknown buffer export argument \"colour\"");
	argc = words("size", argv, 16);
	ck_assert_int_eq(parse_args("buffer export", args, argc, argv), 2);
	ck_assert_str_eq(usage_msg, "\"size\" needs a value");
	argc = words("size 12Q", argv, 16);
	ck_assert_int_eq(parse_args("buffer export", args, argc, argv), 2);
	ck_assert_str_eq(usage_msg, "bad size \"12Q\"");
	argc = words("model sticky", argv, 16);
	ck_assert_int_eq(parse_args("buffer export", args, argc, argv), 2);
}
END_TEST

/* A keyword spelled as an option: -K V, --K V, --K=V; never a flag with "=". */
START_TEST(args_keywords_as_options)
{
	uint32_t id = 0, flags = 0;
	const struct arg args[] = {
		{ "provider", A_U32, &id, 0, NULL },
		{ "pin", A_FLAG, &flags, 1, NULL },
		{ NULL, A_U32, NULL, 0, NULL },
	};
	char *argv[16];
	int argc;

	argc = words("-provider 7", argv, 16);
	ck_assert_int_eq(parse_args("x", args, argc, argv), 0);
	ck_assert_uint_eq(id, 7);
	argc = words("--prov=8 --pin", argv, 16);
	ck_assert_int_eq(parse_args("x", args, argc, argv), 0);
	ck_assert_uint_eq(id, 8);
	ck_assert_uint_eq(flags, 1);
	argc = words("--pin=yes", argv, 16);
	ck_assert_int_eq(parse_args("x", args, argc, argv), 2);
	argc = words("provider=8", argv, 16);
	ck_assert_int_eq(parse_args("x", args, argc, argv), 2);
	argc = words("-- 8", argv, 16);
	ck_assert_int_eq(parse_args("x", args, argc, argv), 2);
	ck_assert_int_eq(arg_words(args, "--provider=1"), 1);
	ck_assert_int_eq(arg_words(args, "provider"), 2);
	ck_assert_int_eq(arg_words(args, "pin"), 1);
	ck_assert_int_eq(arg_words(args, "bogus"), 0);
}
END_TEST

/* "dmapeek stats"'s arguments, as its table spells them. */
static int stats_args(const char *line, uint32_t *fmt)
{
	const struct arg args[] = {
		{ "format", A_WORD, fmt, 0, stats_format_names },
		{ NULL, A_U32, NULL, 0, NULL },
	};
	char *argv[8];
	int argc = words(line, argv, 8);

	*fmt = STATS_TEXT;
	usage_msg[0] = '\0';
	return parse_args("stats", args, argc, argv);
}

START_TEST(args_stats_format)
{
	uint32_t fmt;

	ck_assert_int_eq(stats_args("", &fmt), 0);
	ck_assert_uint_eq(fmt, STATS_TEXT);
	ck_assert_int_eq(stats_args("format prometheus", &fmt), 0);
	ck_assert_uint_eq(fmt, STATS_PROMETHEUS);
	ck_assert_int_eq(stats_args("--format prom", &fmt), 0);
	ck_assert_uint_eq(fmt, STATS_PROMETHEUS);
	ck_assert_int_eq(stats_args("--format=prometheus", &fmt), 0);
	ck_assert_uint_eq(fmt, STATS_PROMETHEUS);
	ck_assert_int_eq(stats_args("fo prometheus", &fmt), 0);
	ck_assert_uint_eq(fmt, STATS_PROMETHEUS);
	ck_assert_int_eq(stats_args("-f text", &fmt), 0);
	ck_assert_uint_eq(fmt, STATS_TEXT);
	ck_assert_int_eq(stats_args("format openmetrics", &fmt), 2);
	ck_assert_str_eq(usage_msg, "bad format \"openmetrics\"");
	ck_assert_int_eq(stats_args("format", &fmt), 2);
	ck_assert_int_eq(stats_args("bogus", &fmt), 2);
	ck_assert_str_eq(usage_msg, "unknown stats argument \"bogus\"");
	ck_assert_int_eq(stats_args("--form=json", &fmt), 2);
	ck_assert_str_eq(usage_msg, "bad format \"json\"");
}
END_TEST

START_TEST(args_an_id_first)
{
	uint32_t id = 0, timeout = 0;
	const struct arg args[] = {
		{ "timeout", A_U32, &timeout, 0, NULL },
		{ NULL, A_U32, NULL, 0, NULL },
	};
	char *argv[8];
	int argc;

	argc = words("3 timeout 500", argv, 8);
	ck_assert_int_eq(parse_id_args("buffer revoke", "ID [timeout MS]", &id, args,
				       argc, argv), 0);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(timeout, 500);
	argc = words("timeout 500", argv, 8);
	ck_assert_int_eq(parse_id_args("buffer revoke", "ID [timeout MS]", &id, args,
				       argc, argv), 2);
	ck_assert_str_eq(usage_msg, "usage: dmapeek buffer revoke ID [timeout MS]");
	ck_assert_int_eq(parse_id_args("buffer revoke", "ID", &id, args, 0, argv), 2);
	ck_assert_int_eq(parse_u32("0x10", &id), 0);
	ck_assert_uint_eq(id, 16);
	ck_assert_int_eq(parse_u32("4294967296", &id), -EINVAL);
	ck_assert_int_eq(parse_u32("-1", &id), -EINVAL);
}
END_TEST

START_TEST(args_descriptor_of_this_process_or_another)
{
	uint32_t pid = 7, fd = 7;

	ck_assert_int_eq(parse_pid_fd("3", &pid, &fd), 0);
	ck_assert_uint_eq(pid, 0);
	ck_assert_uint_eq(fd, 3);
	ck_assert_int_eq(parse_pid_fd("1234:0", &pid, &fd), 0);
	ck_assert_uint_eq(pid, 1234);
	ck_assert_uint_eq(fd, 0);
	ck_assert_int_eq(parse_pid_fd("2147483647:2147483647", &pid, &fd), 0);
	ck_assert_uint_eq(pid, 2147483647);
	ck_assert_uint_eq(fd, 2147483647);
	/* decimal only, as /proc names them: no octal, no hex, no sign */
	ck_assert_int_eq(parse_pid_fd("010:3", &pid, &fd), 0);
	ck_assert_uint_eq(pid, 10);
	pid = fd = 7;
	ck_assert_int_eq(parse_pid_fd("0x10", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("-1", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("+3", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd(":3", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("12:", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("0:3", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("1:2:3", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("12 :3", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("2147483648", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("2147483648:1", &pid, &fd), -EINVAL);
	ck_assert_int_eq(parse_pid_fd("99999999999999999999:1", &pid, &fd), -EINVAL);
	/* nothing written on an error */
	ck_assert_uint_eq(pid, 7);
	ck_assert_uint_eq(fd, 7);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		json_exact,
		json_lines_have_no_separator,
		json_pretty_parses_back,
		text_uses_formats,
		text_formats_match_printf,
		json_escapes_controls,
		sizes_human_and_parsed,
		range_summary_counts_runs_by_address,
		range_summary_contiguous_pages_are_one_run,
		range_summary_runs_unknown_without_addresses,
		range_summary_one_hidden_address_hides_runs,
		range_summary_of_no_ranges,
		walltime_local_time_to_the_microsecond,
		walltime_before_the_epoch_and_short_buffers,
		walltime_offset_maps_monotonic_to_realtime,
		matches_takes_prefixes_only,
		table_whole_word_first_then_first_prefix,
		args_keywords_values_and_flags,
		args_keywords_as_options,
		args_stats_format,
		args_an_id_first,
		args_descriptor_of_this_process_or_another,
		NULL,
	};

	return unit_run("cli", tests);
}
