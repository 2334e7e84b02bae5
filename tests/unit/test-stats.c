// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of "dmapeek stats": the Prometheus writer against the exact
 * text expected and against the rules of the text exposition format (what
 * node_exporter's textfile collector parses) and label escaping (its
 * arguments are the command line's parser's: test-cli).  The guest suite
 * checks the same output with promtool.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

#include "stats.h"

static char *out_buf;
static size_t out_len;

/* A snapshot as stats_collect() would leave it, built by hand. */
static void fill(struct stats *s, bool audited)
{
	static const char *const maps[] = { "unknown", "none", "not-supported",
					    "bus-addr", "thru-host-bridge" };
	static const char *const results[] = { "ok", "mismatch", "direct",
					       "not-checkable" };
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->source_name[0] = "bufinfo";
	s->source_up[0] = true;
	s->source_name[1] = "fdinfo";
	s->source_up[1] = true;
	s->source_name[2] = "module";
	s->source_up[2] = false;
	s->nr_sources = 3;
	ck_assert_int_eq(stats_add_buffer(s, "dmapeek", "pinned", 4096), 0);
	ck_assert_int_eq(stats_add_buffer(s, "udmabuf", "unknown", 65536), 0);
	ck_assert_int_eq(stats_add_buffer(s, "dmapeek", "pinned", 8192), 0);
	stats_add_process(s, 7, "compositor", 1, 65536);
	stats_add_process(s, 4242, "leaker", 2, 12288);
	ck_assert_int_eq(stats_add_kernel_only(s, "dmapeek", 4096), 0);
	s->providers = calloc(2, sizeof(*s->providers));
	ck_assert_ptr_nonnull(s->providers);
	s->providers[0] = (struct stats_provider){ .id = 1, .kind = "system",
		.bar = -1, .size = 1 << 30, .exported_bytes = 12288, .buffers = 2 };
	s->providers[1] = (struct stats_provider){ .id = 2, .kind = "pci-bar",
		.bdf = strdup("0000:00:03.0"), .bar = 2, .size = 64 << 20 };
	s->nr_providers = 2;
	for (i = 0; i < 5; i++)
		s->map_types[i].name = maps[i];
	s->map_types[4].attachments = 3;
	s->nr_map_types = 5;
	s->moves = 1;
	s->revokes = 2;
	s->stuck = 1;
	s->mappings = 4;
	s->audited = audited;
	if (!audited)
		return;
	for (i = 0; i < 4; i++)
		s->audit[i].result = results[i];
	s->audit[0].mappings = 3;
	s->audit[1].mappings = 1;
	s->nr_audit = 4;
	s->audit_failures = 1;
	s->audit_bad_pages = 5;
}

static const char *prometheus(const struct stats *s)
{
	FILE *f = open_memstream(&out_buf, &out_len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(stats_write_prometheus(s, f), 0);
	fclose(f);
	return out_buf;
}

START_TEST(prometheus_exact)
{
	struct stats s;

	fill(&s, true);
	ck_assert_str_eq(prometheus(&s),
		"# HELP dmapeek_source_up Whether a source of the dma-buf view could be read (1) or not (0).\n"
		"# TYPE dmapeek_source_up gauge\n"
		"dmapeek_source_up{source=\"bufinfo\"} 1\n"
		"dmapeek_source_up{source=\"fdinfo\"} 1\n"
		"dmapeek_source_up{source=\"module\"} 0\n"
		"# HELP dmapeek_buffers dma-bufs in the system, by exporter and dmapeek memory model.\n"
		"# TYPE dmapeek_buffers gauge\n"
		"dmapeek_buffers{exporter=\"dmapeek\",model=\"pinned\"} 2\n"
		"dmapeek_buffers{exporter=\"udmabuf\",model=\"unknown\"} 1\n"
		"# HELP dmapeek_buffer_bytes Size of the dma-bufs in the system, by exporter and dmapeek memory model.\n"
		"# TYPE dmapeek_buffer_bytes gauge\n"
		"dmapeek_buffer_bytes{exporter=\"dmapeek\",model=\"pinned\"} 12288\n"
		"dmapeek_buffer_bytes{exporter=\"udmabuf\",model=\"unknown\"} 65536\n"
		"# HELP dmapeek_process_buffers dma-bufs a process holds by fd or mapping (a shared one counts for each holder), for the 10 processes holding the most bytes; pid \"other\" sums every other process.\n"
		"# TYPE dmapeek_process_buffers gauge\n"
		"dmapeek_process_buffers{pid=\"7\",comm=\"compositor\"} 1\n"
		"dmapeek_process_buffers{pid=\"4242\",comm=\"leaker\"} 2\n"
		"dmapeek_process_buffers{pid=\"other\",comm=\"other\"} 0\n"
		"# HELP dmapeek_process_buffer_bytes Size of the dma-bufs a process holds by fd or mapping, for the 10 processes holding the most bytes; pid \"other\" sums the rest.\n"
		"# TYPE dmapeek_process_buffer_bytes gauge\n"
		"dmapeek_process_buffer_bytes{pid=\"7\",comm=\"compositor\"} 65536\n"
		"dmapeek_process_buffer_bytes{pid=\"4242\",comm=\"leaker\"} 12288\n"
		"dmapeek_process_buffer_bytes{pid=\"other\",comm=\"other\"} 0\n"
		"# HELP dmapeek_kernel_only_buffers dma-bufs no process holds by fd or mapping, kept inside the kernel, by exporter.\n"
		"# TYPE dmapeek_kernel_only_buffers gauge\n"
		"dmapeek_kernel_only_buffers{exporter=\"dmapeek\"} 1\n"
		"# HELP dmapeek_kernel_only_buffer_bytes Size of the dma-bufs kept inside the kernel alone, by exporter.\n"
		"# TYPE dmapeek_kernel_only_buffer_bytes gauge\n"
		"dmapeek_kernel_only_buffer_bytes{exporter=\"dmapeek\"} 4096\n"
		"# HELP dmapeek_buffer_moves Moves of the dmapeek buffers that exist now.\n"
		"# TYPE dmapeek_buffer_moves gauge\n"
		"dmapeek_buffer_moves 1\n"
		"# HELP dmapeek_buffer_revokes Revokes of the dmapeek buffers that exist now.\n"
		"# TYPE dmapeek_buffer_revokes gauge\n"
		"dmapeek_buffer_revokes 2\n"
		"# HELP dmapeek_attachments Attachments dmapeek knows, by PCI P2P map type.\n"
		"# TYPE dmapeek_attachments gauge\n"
		"dmapeek_attachments{map_type=\"unknown\"} 0\n"
		"dmapeek_attachments{map_type=\"none\"} 0\n"
		"dmapeek_attachments{map_type=\"not-supported\"} 0\n"
		"dmapeek_attachments{map_type=\"bus-addr\"} 0\n"
		"dmapeek_attachments{map_type=\"thru-host-bridge\"} 3\n"
		"# HELP dmapeek_stuck_importers Attachments still mapped when their buffer's last revoke or move timed out.\n"
		"# TYPE dmapeek_stuck_importers gauge\n"
		"dmapeek_stuck_importers 1\n"
		"# HELP dmapeek_provider_size_bytes Size of each P2P provider.\n"
		"# TYPE dmapeek_provider_size_bytes gauge\n"
		"dmapeek_provider_size_bytes{provider=\"1\",kind=\"system\",bdf=\"\",bar=\"\"} 1073741824\n"
		"dmapeek_provider_size_bytes{provider=\"2\",kind=\"pci-bar\",bdf=\"0000:00:03.0\",bar=\"2\"} 67108864\n"
		"# HELP dmapeek_provider_exported_bytes Bytes each P2P provider backs in live dmapeek buffers.\n"
		"# TYPE dmapeek_provider_exported_bytes gauge\n"
		"dmapeek_provider_exported_bytes{provider=\"1\",kind=\"system\",bdf=\"\",bar=\"\"} 12288\n"
		"dmapeek_provider_exported_bytes{provider=\"2\",kind=\"pci-bar\",bdf=\"0000:00:03.0\",bar=\"2\"} 0\n"
		"# HELP dmapeek_provider_buffers Live dmapeek buffers each P2P provider backs.\n"
		"# TYPE dmapeek_provider_buffers gauge\n"
		"dmapeek_provider_buffers{provider=\"1\",kind=\"system\",bdf=\"\",bar=\"\"} 2\n"
		"dmapeek_provider_buffers{provider=\"2\",kind=\"pci-bar\",bdf=\"0000:00:03.0\",bar=\"2\"} 0\n"
		"# HELP dmapeek_mappings Live DMA mappings of dmapeek attachments.\n"
		"# TYPE dmapeek_mappings gauge\n"
		"dmapeek_mappings 4\n"
		"# HELP dmapeek_iova_audit_mappings Live mappings by the result of auditing their IOMMU translations now.\n"
		"# TYPE dmapeek_iova_audit_mappings gauge\n"
		"dmapeek_iova_audit_mappings{result=\"ok\"} 3\n"
		"dmapeek_iova_audit_mappings{result=\"mismatch\"} 1\n"
		"dmapeek_iova_audit_mappings{result=\"direct\"} 0\n"
		"dmapeek_iova_audit_mappings{result=\"not-checkable\"} 0\n"
		"# HELP dmapeek_iova_audit_failures Live mappings whose IOMMU translations do not reach their memory.\n"
		"# TYPE dmapeek_iova_audit_failures gauge\n"
		"dmapeek_iova_audit_failures 1\n"
		"# HELP dmapeek_iova_audit_bad_pages Pages of those mappings that translate elsewhere or not at all.\n"
		"# TYPE dmapeek_iova_audit_bad_pages gauge\n"
		"dmapeek_iova_audit_bad_pages 5\n");
	stats_release(&s);
	free(out_buf);
}
END_TEST

/*
 * The rules of the text format a parser enforces: every sample's family
 * has one HELP and one TYPE line before its first sample, a family's
 * samples are contiguous, names and labels are well formed, label values
 * are quoted with only \\, \" and \n escapes, no series repeats, and the
 * value is a number.  Returns NULL or what is wrong.
 */
static const char *check_line(char *line, regex_t *sample, char *family,
			      char *help, char *type)
{
	static char seen[64][64], series[128][256], why[300];
	static unsigned int nr_seen, nr_series;
	regmatch_t m[2];
	char name[64], *sp;
	unsigned int i;

	if (!line) {		/* a new text */
		nr_seen = nr_series = 0;
		return NULL;
	}
	if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
		bool is_help = line[2] == 'H';

		if (sscanf(line + 7, "%63s", name) != 1)
			return "HELP/TYPE without a name";
		if (!strcmp(is_help ? help : type, name))
			return "a second HELP or TYPE line";
		if (!is_help && !strstr(line + 7, " gauge") && !strstr(line + 7, " counter"))
			return "an unknown TYPE";
		for (i = 0; i < nr_seen; i++)
			if (!strcmp(seen[i], name) && strcmp(family, name))
				return "a family that is not contiguous";
		snprintf(is_help ? help : type, 64, "%s", name);
		snprintf(family, 64, "%s", name);
		if (nr_seen < 64)
			snprintf(seen[nr_seen++], 64, "%s", name);
		return NULL;
	}
	if (line[0] == '#')
		return NULL;
	if (regexec(sample, line, 2, m, 0)) {
		snprintf(why, sizeof(why), "malformed sample: %.200s", line);
		return why;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(m[1].rm_eo - m[1].rm_so), line);
	if (strcmp(name, help) || strcmp(name, type)) {
		snprintf(why, sizeof(why), "sample before its HELP and TYPE: %.200s", line);
		return why;
	}
	sp = strrchr(line, ' ');	/* the regex made sure there is one */
	if (sp)
		*sp = '\0';
	for (i = 0; i < nr_series; i++)
		if (!strcmp(series[i], line))
			return "a series twice";
	if (nr_series < 128)
		snprintf(series[nr_series++], 256, "%s", line);
	return NULL;
}

static const char *exposition_error(char *text)
{
	char family[64] = "", help[64] = "", type[64] = "", *line, *save = NULL;
	const char *err = NULL;
	regex_t sample;

	ck_assert_int_eq(regcomp(&sample,
		"^([a-zA-Z_:][a-zA-Z0-9_:]*)"
		"(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
		"(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")*)?\\})?"
		" [0-9]+(\\.[0-9]+)?$", REG_EXTENDED), 0);
	check_line(NULL, NULL, NULL, NULL, NULL);
	for (line = strtok_r(text, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save))
		err = check_line(line, &sample, family, help, type);
	regfree(&sample);
	return err;
}

START_TEST(prometheus_follows_the_format)
{
	struct stats s;
	const char *err;

	fill(&s, true);
	err = exposition_error((char *)prometheus(&s));
	ck_assert_msg(!err, "%s", err);
	free(out_buf);
	stats_release(&s);
}
END_TEST

/* The checker itself must catch what it claims to. */
START_TEST(format_checker_rejects_bad_text)
{
	char a[] = "x 1\n";
	char b[] = "# HELP x h\n# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n";
	char c[] = "# HELP x h\n# TYPE x gauge\nx{a=\"b\"c\"} 1\n";
	char d[] = "# HELP x h\n# TYPE x gauge\nx 1\n# HELP y h\n# TYPE y gauge\n"
		   "y 1\n# HELP x h\n# TYPE x gauge\n";
	char e[] = "# HELP x h\n# TYPE x gauge\nx 1\n";

	ck_assert_ptr_nonnull(exposition_error(a));
	ck_assert_ptr_nonnull(exposition_error(b));
	ck_assert_ptr_nonnull(exposition_error(c));
	ck_assert_ptr_nonnull(exposition_error(d));
	ck_assert_ptr_null(exposition_error(e));
}
END_TEST

/* Exporter names come from drivers: quote, backslash and newline escaped. */
START_TEST(prometheus_escapes_label_values)
{
	struct stats s;
	const char *err;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(stats_add_buffer(&s, "odd\"name\\with\nnewline", "unknown", 1), 0);
	prometheus(&s);
	ck_assert_ptr_nonnull(strstr(out_buf,
		"dmapeek_buffers{exporter=\"odd\\\"name\\\\with\\nnewline\",model=\"unknown\"} 1\n"));
	err = exposition_error(out_buf);
	ck_assert_msg(!err, "%s", err);
	free(out_buf);
	stats_release(&s);
}
END_TEST

/*
 * However many processes hold buffers, in whatever order they come: the
 * STATS_TOP_PROCESSES largest get a series each, largest first, and one
 * "other" series sums the rest exactly.
 */
START_TEST(processes_top_n_and_other_bound_the_series)
{
	const unsigned int n = 500;
	uint64_t total_buffers = 0, total_bytes = 0, sum_buffers = 0, sum_bytes = 0;
	unsigned int i, series = 0;
	struct stats s;
	const char *err;
	char *p;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < n; i++) {
		/* a scrambled order; process k holds k + 1 buffers of 4 KiB */
		unsigned int k = (i * 7919) % n;

		stats_add_process(&s, (int)(1000 + k), "worker", k + 1, (uint64_t)(k + 1) * 4096);
		total_buffers += k + 1;
		total_bytes += (uint64_t)(k + 1) * 4096;
	}
	ck_assert_uint_eq(s.nr_top, STATS_TOP_PROCESSES);
	ck_assert_uint_eq(s.nr_other, n - STATS_TOP_PROCESSES);
	for (i = 0; i < s.nr_top; i++) {
		ck_assert_int_eq(s.top[i].pid, (int)(1000 + n - 1 - i));
		sum_buffers += s.top[i].buffers;
		sum_bytes += s.top[i].bytes;
	}
	ck_assert_uint_eq(sum_buffers + s.other.buffers, total_buffers);
	ck_assert_uint_eq(sum_bytes + s.other.bytes, total_bytes);
	prometheus(&s);
	for (p = out_buf; (p = strstr(p, "\ndmapeek_process_buffers{")); p++)
		series++;
	ck_assert_uint_eq(series, STATS_TOP_PROCESSES + 1);
	ck_assert_ptr_nonnull(strstr(out_buf, "dmapeek_process_buffer_bytes{pid=\"1499\",comm=\"worker\"} 2048000\n"));
	ck_assert_ptr_null(strstr(out_buf, "pid=\"1489\""));	/* the 11th: in other */
	err = exposition_error(out_buf);
	ck_assert_msg(!err, "%s", err);
	free(out_buf);

	/* equal bytes: more buffers first, then the lower pid */
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 12; i++)
		stats_add_process(&s, (int)(100 - i), "same", i == 11 ? 2 : 1, 8192);
	ck_assert_int_eq(s.top[0].pid, 89);
	ck_assert_int_eq(s.top[1].pid, 90);
	ck_assert_int_eq(s.top[STATS_TOP_PROCESSES - 1].pid, 98);
	ck_assert_uint_eq(s.nr_other, 2);
	ck_assert_uint_eq(s.other.bytes, 2 * 8192);
	stats_release(&s);
}
END_TEST

/* comm is whatever a process set (prctl PR_SET_NAME): escaped. */
START_TEST(prometheus_escapes_comm)
{
	struct stats s;
	const char *err;

	memset(&s, 0, sizeof(s));
	stats_add_process(&s, 12, "a\"b\\c\nd", 1, 4096);
	prometheus(&s);
	ck_assert_ptr_nonnull(strstr(out_buf,
		"dmapeek_process_buffers{pid=\"12\",comm=\"a\\\"b\\\\c\\nd\"} 1\n"));
	err = exposition_error(out_buf);
	ck_assert_msg(!err, "%s", err);
	free(out_buf);
	stats_release(&s);
}
END_TEST

/* Without CAP_SYS_ADMIN there are no audit figures, rather than zeros. */
START_TEST(prometheus_without_audit_has_no_audit_families)
{
	struct stats s;

	fill(&s, false);
	prometheus(&s);
	ck_assert_ptr_null(strstr(out_buf, "audit"));
	ck_assert_ptr_nonnull(strstr(out_buf, "dmapeek_mappings 4\n"));
	free(out_buf);
	stats_release(&s);
}
END_TEST

START_TEST(buffers_group_by_exporter_and_model)
{
	struct stats s;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(stats_add_buffer(&s, "dmapeek", "pinned", 10), 0);
	ck_assert_int_eq(stats_add_buffer(&s, "dmapeek", "movable", 20), 0);
	ck_assert_int_eq(stats_add_buffer(&s, "dmapeek", "pinned", 30), 0);
	ck_assert_uint_eq(s.nr_groups, 2);
	ck_assert_uint_eq(s.groups[0].buffers, 2);
	ck_assert_uint_eq(s.groups[0].bytes, 40);
	ck_assert_uint_eq(s.groups[1].buffers, 1);
	stats_release(&s);
	ck_assert_uint_eq(s.nr_groups, 0);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		prometheus_exact,
		prometheus_follows_the_format,
		format_checker_rejects_bad_text,
		prometheus_escapes_label_values,
		prometheus_without_audit_has_no_audit_families,
		buffers_group_by_exporter_and_model,
		processes_top_n_and_other_bound_the_series,
		prometheus_escapes_comm,
		NULL,
	};

	return unit_run("stats", tests);
}
