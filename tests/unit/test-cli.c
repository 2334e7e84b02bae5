// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the command line's printing path and argument parsing:
 * the JSON writer's output is parsed back (by python3 -m json.tool when
 * present) and compared with the exact text expected; the summary of
 * address ranges and the wall-clock time of events, which are pure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "unit.h"

#include "json_print.h"
#include "ranges.h"
#include "walltime.h"

static char *out_buf;
static size_t out_len;

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

	pr_init(f, true, false);
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

	pr_init(f, true, false);
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

	pr_init(f, true, true);
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

	pr_init(f, false, false);
	sample();
	fclose(f);
	ck_assert_str_eq(out_buf,
		"buffer 3 name \"a \"quoted\"\tname\\\" size 64MiB stuck yes\n"
		"  distance -1 addr hidden\n");
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

	pr_init(f, json, false);
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

int main(void)
{
	const TTest *const tests[] = {
		json_exact,
		json_lines_have_no_separator,
		json_pretty_parses_back,
		text_uses_formats,
		sizes_human_and_parsed,
		range_summary_counts_runs_by_address,
		range_summary_contiguous_pages_are_one_run,
		range_summary_runs_unknown_without_addresses,
		range_summary_one_hidden_address_hides_runs,
		range_summary_of_no_ranges,
		walltime_local_time_to_the_microsecond,
		walltime_before_the_epoch_and_short_buffers,
		walltime_offset_maps_monotonic_to_realtime,
		NULL,
	};

	return unit_run("cli", tests);
}
