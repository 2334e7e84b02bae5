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
 * counted on a last line ("dmapeek buffer all" lists everything).  As
 * root the buffers have a column more, ATTACHMENTS: how many importers,
 * and the flags of the first few (the legend is in the help and in
 * dmapeek-top(8)).
 */
#include <errno.h>
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

/*
 * An attachment's flags in a few letters each: dyn or static, then p2p,
 * rev(ocable), pin(ned), pom (pin-on-map), !p2p (p2p-refused), and dmapeek's
 * own: exp(orted), dp (its importer), held.
 */
static const struct {
	uint32_t flag;
	const char *word;
} att_words[] = {
	{ DMAPEEK_ATTACH_FLAGS_PEER2PEER, "p2p" },
	{ DMAPEEK_ATTACH_FLAGS_REVOCABLE, "rev" },
	{ DMAPEEK_ATTACH_FLAGS_PINNED, "pin" },
	{ DMAPEEK_ATTACH_FLAGS_PIN_ON_MAP, "pom" },
	{ DMAPEEK_ATTACH_FLAGS_P2P_REFUSED, "!p2p" },
	{ DMAPEEK_ATTACH_FLAGS_EXPORTED, "exp" },
	{ DMAPEEK_ATTACH_FLAGS_IMPORTED, "dp" },
	{ DMAPEEK_ATTACH_FLAGS_HELD, "held" },
};

void top_fmt_attachments(char *buf, size_t len, const struct top_sys_buf *b)
{
	size_t pos = 0, w;
	unsigned int i, shown = b->nr_atts < TOP_SYS_ATTS ? b->nr_atts : TOP_SYS_ATTS;
	int k;

	buf[0] = '\0';
	if (b->att_err) {
		snprintf(buf, len, "? %s", b->att_err == ESRCH ? "no fd" :
			 strerrorname_np(b->att_err) ?: "error");
		return;
	}
	k = snprintf(buf, len, "%u%s", b->nr_atts, shown ? ":" : "");
	if (k < 0 || (size_t)k >= len)
		return;
	pos = (size_t)k;
	for (i = 0; i < shown; i++) {
		uint32_t f = b->atts[i].flags;

		k = snprintf(buf + pos, len - pos, "%s%s", i ? ", " : " ",
			     f & DMAPEEK_ATTACH_FLAGS_DYNAMIC ? "dyn" : "static");
		if (k < 0 || pos + (size_t)k >= len)
			return;
		pos += (size_t)k;
		for (w = 0; w < sizeof(att_words) / sizeof(att_words[0]); w++) {
			if (!(f & att_words[w].flag))
				continue;
			k = snprintf(buf + pos, len - pos, "+%s", att_words[w].word);
			if (k < 0 || pos + (size_t)k >= len)
				return;
			pos += (size_t)k;
		}
	}
	if (b->nr_atts > shown)
		snprintf(buf + pos, len - pos, " +%u", b->nr_atts - shown);
}

static void buf_line(struct top_lines *L, const struct top_sys_buf *b, bool atts)
{
	char sz[32], who[96], att[96];

	fmt_size(sz, sizeof(sz), b->size);
	top_fmt_holders(who, sizeof(who), b);
	if (!atts) {
		top_lines_add(L, b->fresh ? TOP_A_ALERT : TOP_A_PLAIN,
			      "%c %8" PRIu64 " %-12.12s %9s %-48s %s",
			      b->fresh ? '+' : ' ', b->inode, b->exporter, sz, who, b->name);
		return;
	}
	top_fmt_attachments(att, sizeof(att), b);
	top_lines_add(L, b->fresh ? TOP_A_ALERT : TOP_A_PLAIN,
		      "%c %8" PRIu64 " %-12.12s %9s %-40s %-36s %s",
		      b->fresh ? '+' : ' ', b->inode, b->exporter, sz, who, att, b->name);
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
	if (s->attachments)
		top_lines_add(L, TOP_A_TITLE, "  %8s %-12s %9s %-40s %-36s %s", "INODE",
			      "EXPORTER", "SIZE", "HOLDERS (+: new)", "ATTACHMENTS", "NAME");
	else
		top_lines_add(L, TOP_A_TITLE, "  %8s %-12s %9s %-48s %s", "INODE",
			      "EXPORTER", "SIZE", "HOLDERS (+: new)", "NAME");
	/* newest first: what just appeared is on top */
	room = L->n + 1 < TOP_MAX_LINES ? TOP_MAX_LINES - L->n - 1 : 0;
	for (i = 0; i < s->nr_bufs && i < room; i++)
		buf_line(L, &s->bufs[s->nr_bufs - 1 - i], s->attachments);
	if (s->nr_bufs > room)
		top_lines_add(L, TOP_A_DIM, "  ... %zu more buffers (dmapeek buffer all"
			      " lists every one)", s->nr_bufs - room);
	if (!s->nr_bufs)
		top_lines_add(L, TOP_A_DIM, "  no dma-buf");
}
