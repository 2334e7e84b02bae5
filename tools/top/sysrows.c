// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek-top: the lines of the system page, from struct top_system
 * (sysmodel.c reads it).  Pure, as rows.c: host-tested in
 * tests/unit/test-top.c.
 *
 * The page: a summary with what changed since the previous read, every
 * exporter, every process that holds a buffer (and the kernel, for
 * buffers no process holds), biggest growth first, then the buffers,
 * newest first.  Whatever grew is highlighted.  The page has at most
 * TOP_MAX_LINES lines: each part has a share, and what does not fit is
 * counted on a last line ("dmapeek buffer all" lists everything).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <dmapeek.h>

#include "json_print.h"
#include "top.h"

/* Lines each table may take at most (the buffers take what is left). */
#define SYS_EXPORTER_LINES	16
#define SYS_PROCESS_LINES	64

/* "+192KiB", "-8KiB", "" for 0 */
static void fmt_delta_size(char *buf, size_t len, int64_t d)
{
	char sz[24];

	if (!d) {
		buf[0] = '\0';
		return;
	}
	fmt_size(sz, sizeof(sz), d < 0 ? (uint64_t)-d : (uint64_t)d);
	snprintf(buf, len, "%c%s", d < 0 ? '-' : '+', sz);
}

static void fmt_delta(char *buf, size_t len, int64_t d)
{
	if (d)
		snprintf(buf, len, "%+" PRId64, d);
	else
		buf[0] = '\0';
}

static bool grew(const struct top_sys_group *g)
{
	return g->d_bytes > 0 || g->d_buffers > 0 || g->appeared;
}

static void group_line(struct top_lines *L, const struct top_sys_group *g,
		       bool proc)
{
	char who[48], sz[32], db[24], dsz[32], n[16];

	if (!proc)
		snprintf(who, sizeof(who), "%s", g->name);
	else if (g->pid > 0)
		snprintf(who, sizeof(who), "%-7d %s", g->pid, g->name);
	else
		snprintf(who, sizeof(who), "-       %s (no process)", g->name);
	fmt_size(sz, sizeof(sz), g->bytes);
	fmt_delta(db, sizeof(db), g->d_buffers);
	fmt_delta_size(dsz, sizeof(dsz), g->d_bytes);
	snprintf(n, sizeof(n), "%u/%u", g->appeared, g->gone);
	top_lines_add(L, grew(g) ? TOP_A_ALERT : TOP_A_PLAIN,
		      "  %-32s %6" PRIu64 " %9s %6s %9s %9s", who, g->buffers, sz,
		      db, dsz, g->appeared || g->gone ? n : "");
}

static void group_table(struct top_lines *L, const struct top_sys_group *g,
			size_t n, bool proc, size_t max)
{
	size_t i;

	top_lines_add(L, TOP_A_TITLE, "  %-32s %6s %9s %6s %9s %9s",
		      proc ? "PID     PROCESS" : "EXPORTER", "BUFS", "SIZE", "+BUFS",
		      "+SIZE", "NEW/GONE");
	for (i = 0; i < n && i < max; i++)
		group_line(L, &g[i], proc);
	if (n > max)
		top_lines_add(L, TOP_A_DIM, "  ... %zu more %s", n - max,
			      proc ? "processes" : "exporters");
	if (!n)
		top_lines_add(L, TOP_A_DIM, "  none");
}

void top_fmt_holders(char *buf, size_t len, const struct top_sys_buf *b)
{
	size_t pos = 0;
	unsigned int i;
	int k;

	buf[0] = '\0';
	if (!b->nr_holders) {
		snprintf(buf, len, "%s", b->flags & DMAPEEK_SYSBUF_KERNEL_ONLY ?
			 "kernel (no fd, no mapping)" : "? (not all processes read)");
		return;
	}
	for (i = 0; i < b->nr_holders && i < TOP_SYS_HOLDERS; i++) {
		const char *how = dmapeek_hold_str(b->holders[i].how);

		k = snprintf(buf + pos, len - pos, "%s%d %s %s", i ? ", " : "",
			     b->holders[i].pid, b->holders[i].comm, how ? how : "?");
		if (k < 0 || pos + (size_t)k >= len)
			return;
		pos += (size_t)k;
	}
	if (b->nr_holders > TOP_SYS_HOLDERS)
		snprintf(buf + pos, len - pos, " +%u", b->nr_holders - TOP_SYS_HOLDERS);
}

static void buf_line(struct top_lines *L, const struct top_sys_buf *b)
{
	char sz[32], who[96];

	fmt_size(sz, sizeof(sz), b->size);
	top_fmt_holders(who, sizeof(who), b);
	top_lines_add(L, b->fresh ? TOP_A_ALERT : TOP_A_PLAIN,
		      "%c %8" PRIu64 " %-12.12s %9s %-48s %s",
		      b->fresh ? '+' : ' ', b->inode, b->exporter, sz, who, b->name);
}

void top_system_lines(struct top_lines *L, const struct top_system *s)
{
	char sz[32], dsz[32];
	size_t i, room;
	int64_t d = 0;

	if (!s->read) {
		top_lines_add(L, TOP_A_DIM, "Reading every dma-buf of the system...");
		return;
	}
	fmt_size(sz, sizeof(sz), s->bytes);
	for (i = 0; i < s->nr_exps; i++)
		d += s->exps[i].d_bytes;
	fmt_delta_size(dsz, sizeof(dsz), d);
	if (s->has_prev)
		top_lines_add(L, s->appeared ? TOP_A_ALERT : TOP_A_PLAIN,
			      "System: %" PRIu64 " dma-bufs, %s; in the last %.1fs"
			      " %u appeared, %u gone%s%s", s->buffers, sz,
			      (double)s->interval_ns / 1e9, s->appeared, s->gone,
			      d ? ", " : "", dsz);
	else
		top_lines_add(L, TOP_A_PLAIN, "System: %" PRIu64 " dma-bufs, %s"
			      " (changes from the next refresh on)", s->buffers, sz);
	if (s->sources[0])
		top_lines_add(L, TOP_A_ALERT, "Not read: %s", s->sources);
	top_lines_add(L, TOP_A_PLAIN, "%s", "");
	group_table(L, s->exps, s->nr_exps, false, SYS_EXPORTER_LINES);
	top_lines_add(L, TOP_A_PLAIN, "%s", "");
	group_table(L, s->procs, s->nr_procs, true, SYS_PROCESS_LINES);
	top_lines_add(L, TOP_A_PLAIN, "%s", "");
	top_lines_add(L, TOP_A_TITLE, "  %8s %-12s %9s %-48s %s", "INODE", "EXPORTER",
		      "SIZE", "HOLDERS (+: new)", "NAME");
	/* newest first: what just appeared is on top */
	room = L->n + 1 < TOP_MAX_LINES ? TOP_MAX_LINES - L->n - 1 : 0;
	for (i = 0; i < s->nr_bufs && i < room; i++)
		buf_line(L, &s->bufs[s->nr_bufs - 1 - i]);
	if (s->nr_bufs > room)
		top_lines_add(L, TOP_A_DIM, "  ... %zu more buffers (dmapeek buffer all"
			      " lists every one)", s->nr_bufs - room);
	if (!s->nr_bufs)
		top_lines_add(L, TOP_A_DIM, "  no dma-buf");
}
