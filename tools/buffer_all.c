// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek buffer all: every dma-buf of the system, as libdmapeek's
 * system-wide view joins it (debugfs bufinfo, /proc/PID/fdinfo and maps,
 * the module), with the processes that hold each one and how, and leak
 * hunting: "diff SECONDS" compares two views taken SECONDS apart (what
 * appeared, what went, the growth of each process and exporter, biggest
 * first), "watch SECONDS [count N]" does so at every interval, as
 * "dmapeek top -d SECONDS" refreshes.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dmapeek.h>

#include "cli.h"
#include "json_print.h"
#include "walltime.h"

/* The interval's bounds, in seconds ("top -d" takes 0.1 to 3600). */
#define ALL_MIN_S	0.1
#define ALL_MAX_S	86400.0

static bool source_ok(const struct dmapeek_sysview *v, int s)
{
	unsigned int unreadable;
	int err = dmapeek_sysview_source(v, s, &unreadable);

	return (!err || err == -ENODATA) && !unreadable;
}

/* Which sources were read; in a diff's text, only when one was not. */
static void print_sources(const struct dmapeek_sysview *v, bool brief)
{
	unsigned int unreadable;
	bool all_ok = true;
	int s;

	for (s = 0; s < DMAPEEK_SRC_MAX; s++)
		all_ok &= source_ok(v, s);
	pr_open_arr("sources");
	if (brief && !all_ok)
		pr_text("sources:");
	for (s = 0; s < DMAPEEK_SRC_MAX; s++) {
		int err = dmapeek_sysview_source(v, s, &unreadable);
		bool show = !brief || !all_ok;
		const char *status = err ? strerrorname_np(-err) ?: "error" : "ok";

		pr_open_obj(NULL);
		pr_str("name", !show ? NULL : brief ? " %s " : "source %s ",
		       dmapeek_sysview_src_str(s));
		pr_str("status", show ? "%s" : NULL, status);
		pr_u64("unreadable", show && unreadable ? " (%" PRIu64 " unreadable)" : NULL,
		       unreadable);
		pr_close_obj();
		if (!brief)
			pr_nl();
	}
	pr_close_arr();
	if (brief && !all_ok)
		pr_nl();
}

/* The fds process @pid has of @b, after "fd". */
static void print_fd_numbers(const struct dmapeek_sysbuf *b, int pid)
{
	unsigned int i;
	int p, fd;

	for (i = 0; i < dmapeek_sysbuf_nr_fds(b); i++)
		if (!dmapeek_sysbuf_fd(b, i, &p, &fd, NULL) && p == pid)
			pr_text(" %d", fd);
}

/* Who holds @b: each process and how, or why none is shown. */
static void print_holders(const struct dmapeek_sysbuf *b)
{
	unsigned int i, flags = dmapeek_sysbuf_flags(b);

	pr_open_arr("holders");
	for (i = 0; i < dmapeek_sysbuf_nr_holders(b); i++) {
		const struct dmapeek_holder *h = dmapeek_sysbuf_holder(b, i);
		unsigned int how = dmapeek_holder_how(h);

		pr_open_obj(NULL);
		pr_s64("pid", "    pid %" PRId64, dmapeek_holder_pid(h));
		pr_str("comm", " (%s)", dmapeek_holder_comm(h));
		pr_str("how", " holds by %s:", dmapeek_hold_str(how));
		pr_u64("fds", (how & DMAPEEK_HOLD_FD) ? " fd" : NULL,
		       dmapeek_holder_nr_fds(h));
		if (how & DMAPEEK_HOLD_FD)
			print_fd_numbers(b, dmapeek_holder_pid(h));
		pr_text("%s", how == (DMAPEEK_HOLD_FD | DMAPEEK_HOLD_MMAP) ? "," : "");
		pr_u64("mappings", (how & DMAPEEK_HOLD_MMAP) ? " %" PRIu64 " mappings" : NULL,
		       dmapeek_holder_nr_mappings(h));
		pr_size("mapped_bytes", (how & DMAPEEK_HOLD_MMAP) ? " of %s" : NULL,
			dmapeek_holder_mapped_bytes(h));
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	if (flags & DMAPEEK_SYSBUF_KERNEL_ONLY)
		pr_text("    kernel: no process holds it by fd or mapping\n");
	else if (flags & DMAPEEK_SYSBUF_OWNER_UNKNOWN)
		pr_text("    no holder seen (some processes could not be read)\n");
}

/*
 * "buffer all"'s line for a buffer's attachments: their flags when the
 * module gave them, else the devices bufinfo names and why no flags.
 */
static void print_sysbuf_attachments(const struct dmapeek_sysbuf *b)
{
	const struct dmapeek_dmabuf *d = dmapeek_sysbuf_attachments(b);
	int err = errno;
	unsigned int j;

	if (d) {
		pr_u64("attachments_total", NULL, dmapeek_dmabuf_total_attachments(d));
		print_dmabuf_attachments(d, "    ");
	} else {
		pr_null("attachments", NULL);
		pr_str("attachments_unknown", NULL, strerrorname_np(err) ?: "error");
		if (err == ESRCH)
			pr_text("    flags unknown: no process holds it by descriptor\n");
		else if (err != ENODATA)
			pr_text("    flags unknown: %s\n", strerror(err));
	}
	pr_open_arr("devices");
	for (j = 0; j < dmapeek_sysbuf_nr_devices(b); j++)
		pr_str(NULL, d ? NULL : "    attached %s\n", dmapeek_sysbuf_device(b, j));
	pr_close_arr();
}

/* One dma-buf: what the kernel says of it, its importers and holders. */
static void print_sysbuf(const struct dmapeek_sysbuf *b)
{
	unsigned int j, flags = dmapeek_sysbuf_flags(b);
	int pid, fd;
	const char *comm;

	pr_open_obj(NULL);
	pr_u64("inode", "inode %" PRIu64 " ", dmapeek_sysbuf_inode(b));
	pr_size("size", "size %s ", dmapeek_sysbuf_size(b));
	pr_str("exp_name", "exporter %s ", dmapeek_sysbuf_exp_name(b));
	pr_str("name", "name \"%s\" ", dmapeek_sysbuf_name(b));
	pr_s64("count", "count %" PRId64 " ", dmapeek_sysbuf_count(b));
	if (dmapeek_sysbuf_buffer_id(b))
		pr_u64("buffer", "buffer %" PRIu64 " ", dmapeek_sysbuf_buffer_id(b));
	else
		pr_null("buffer", NULL);
	pr_open_arr("flags");
	for (j = 0; j < 32; j++)
		if ((flags & (1U << j)) && dmapeek_sysbuf_flag_str(j))
			pr_str(NULL, "%s ", dmapeek_sysbuf_flag_str(j));
	pr_close_arr();
	pr_nl();
	print_sysbuf_attachments(b);
	/* every fd (JSON); the text gives them by holder */
	pr_open_arr("fds");
	for (j = 0; j < dmapeek_sysbuf_nr_fds(b); j++) {
		dmapeek_sysbuf_fd(b, j, &pid, &fd, &comm);
		pr_open_obj(NULL);
		pr_s64("pid", NULL, pid);
		pr_str("comm", NULL, comm);
		pr_s64("fd", NULL, fd);
		pr_close_obj();
	}
	pr_close_arr();
	print_holders(b);
	pr_close_obj();
}

/* ------------------------------------------------------------- a diff */

/* "+3" / "-1" in the text; the signed change in JSON. */
static void print_delta(const char *key, const char *fmt, uint64_t before,
			uint64_t after)
{
	pr_s64(key, fmt, (int64_t)(after - before));
}

static void print_delta_size(const char *key, const char *fmt, uint64_t before,
			     uint64_t after)
{
	char sz[40];

	if (pr_is_json()) {
		pr_s64(key, NULL, (int64_t)(after - before));
		return;
	}
	sz[0] = after < before ? '-' : '+';
	fmt_size(sz + 1, sizeof(sz) - 1, after < before ? before - after : after - before);
	pr_str(NULL, fmt, sz);
}

/* The rows of one growth table that changed, biggest growth first. */
static void print_growth(const struct dmapeek_sysdiff *d, enum dmapeek_growth_by by)
{
	bool proc = by == DMAPEEK_GROWTH_BY_PROCESS;
	unsigned int i, shown = 0;

	pr_open_arr(proc ? "by_process" : "by_exporter");
	for (i = 0; i < dmapeek_sysdiff_nr_growth(d, by); i++) {
		const struct dmapeek_growth *g = dmapeek_sysdiff_growth(d, by, i);

		if (!dmapeek_growth_appeared(g) && !dmapeek_growth_gone(g))
			continue;
		if (!shown++)
			pr_text("growth by %s:\n", proc ? "process" : "exporter");
		pr_open_obj(NULL);
		print_delta_size("bytes", "  %8s ", dmapeek_growth_before_bytes(g),
				 dmapeek_growth_after_bytes(g));
		print_delta("buffers", "%+5" PRId64 " buffers  ",
			    dmapeek_growth_before_buffers(g),
			    dmapeek_growth_after_buffers(g));
		if (proc) {
			pr_s64("pid", dmapeek_growth_pid(g) ? "pid %" PRId64 " " : NULL,
			       dmapeek_growth_pid(g));
			pr_str("comm", dmapeek_growth_pid(g) ? "(%s)" : "%s (held by no process)",
			       dmapeek_growth_name(g));
		} else {
			pr_str("exporter", "%s", dmapeek_growth_name(g));
		}
		pr_u64("now_buffers", ": now %" PRIu64 " buffers ",
		       dmapeek_growth_after_buffers(g));
		pr_size("now_bytes", "%s", dmapeek_growth_after_bytes(g));
		pr_u64("appeared", ", %" PRIu64 " appeared", dmapeek_growth_appeared(g));
		pr_u64("gone", ", %" PRIu64 " gone", dmapeek_growth_gone(g));
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
}

static void view_totals(const struct dmapeek_sysview *v, uint64_t *n, uint64_t *bytes)
{
	unsigned int i;

	*n = dmapeek_sysview_nr_buffers(v);
	*bytes = 0;
	for (i = 0; i < *n; i++)
		*bytes += dmapeek_sysbuf_size(dmapeek_sysview_buffer(v, i));
}

/* What changed from @before to @after: one document (one JSON line). */
static int print_diff(const struct dmapeek_sysview *before,
		      const struct dmapeek_sysview *after)
{
	struct dmapeek_sysdiff *d = dmapeek_sysdiff_new(before, after);
	uint64_t nb, bb, na, ba;
	unsigned int i;
	char when[64];

	if (!d)
		return op_err(errno, "dma-buf view diff");
	view_totals(before, &nb, &bb);
	view_totals(after, &na, &ba);
	pr_open_obj(NULL);
	if (walltime_fmt(when, sizeof(when), (int64_t)dmapeek_sysview_time_ns(after) +
			 dp.mono_to_real_ns, pr_is_json()))
		pr_null("time", "[?] ");
	else
		pr_str("time", "[%s] ", when);
	pr_ns("interval_ns", "over %s: ",
	      dmapeek_sysview_time_ns(after) - dmapeek_sysview_time_ns(before));
	pr_open_obj("before");
	pr_u64("buffers", "%" PRIu64 " dma-bufs ", nb);
	pr_size("bytes", "%s -> ", bb);
	pr_close_obj();
	pr_open_obj("after");
	pr_u64("buffers", "%" PRIu64 " dma-bufs ", na);
	pr_size("bytes", "%s", ba);
	pr_close_obj();
	if (!pr_is_json()) {
		pr_text(" (%+" PRId64 ", ", (int64_t)(na - nb));
		print_delta_size(NULL, "%s", bb, ba);
	}
	pr_u64("nr_appeared", "); %" PRIu64 " appeared, ", dmapeek_sysdiff_nr_appeared(d));
	pr_u64("nr_gone", "%" PRIu64 " gone", dmapeek_sysdiff_nr_gone(d));
	pr_nl();
	print_sources(after, true);
	pr_open_arr("appeared");
	pr_text("%s", dmapeek_sysdiff_nr_appeared(d) ? "appeared:\n" : "");
	for (i = 0; i < dmapeek_sysdiff_nr_appeared(d); i++)
		print_sysbuf(dmapeek_sysdiff_appeared(d, i));
	pr_close_arr();
	pr_open_arr("gone");
	pr_text("%s", dmapeek_sysdiff_nr_gone(d) ? "gone:\n" : "");
	for (i = 0; i < dmapeek_sysdiff_nr_gone(d); i++)
		print_sysbuf(dmapeek_sysdiff_gone(d, i));
	pr_close_arr();
	print_growth(d, DMAPEEK_GROWTH_BY_PROCESS);
	print_growth(d, DMAPEEK_GROWTH_BY_EXPORTER);
	pr_close_obj();
	dmapeek_sysdiff_free(d);
	return EXIT_OK;
}

/* "1", "0.5", "2.25": seconds within the bounds above. */
static int parse_seconds(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*v) || *v < ALL_MIN_S || *v > ALL_MAX_S)
		return usage_err("bad interval \"%s\" (seconds, %g to %g)", s,
				 ALL_MIN_S, ALL_MAX_S);
	return 0;
}

/* Wait @s seconds, or until SIGINT/SIGTERM (read from @sfd): true then. */
static bool wait_or_stop(int sfd, double s)
{
	uint64_t end = walltime_mono_ns() + (uint64_t)(s * 1e9);
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };

	for (;;) {
		uint64_t now = walltime_mono_ns();
		int r;

		if (now >= end)
			return false;
		r = poll(&pfd, 1, (int)((end - now + 999999) / 1000000));
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

/* @attachments: each buffer's attachments with their flags too (root) */
static struct dmapeek_sysview *take_view(bool attachments)
{
	DMAPEEK_OPTS(dmapeek_sysview_opts, o, .attachments = attachments);
	struct dmapeek_sysview *v = dmapeek_sysview_new(dp.ctx, &o);

	if (!v)
		op_err(errno, "system-wide view");
	return v;
}

/*
 * diff: a view, the interval (Ctrl-C ends it sooner), another view, what
 * changed.  watch: the same at every interval, each against the one
 * before, until @count diffs (0: until Ctrl-C).
 */
static int diff_views(double s, uint32_t count, bool watch)
{
	struct dmapeek_sysview *before, *after;
	uint32_t done = 0;
	bool stop = false;
	sigset_t old;
	int sfd, rc = EXIT_OK;

	dp.mono_to_real_ns = walltime_offset_ns();
	sfd = block_stop_signals(&old);
	if (sfd < 0)
		return op_err(errno, "signalfd");
	before = take_view(false);
	if (!before) {
		unblock_stop_signals(sfd, &old);
		return EXIT_FAILED;
	}
	if (!dp.json)
		fprintf(stderr, "dmapeek: %" PRIu32 " dma-bufs now; %s every %gs (Ctrl-C %s)\n",
			dmapeek_sysview_nr_buffers(before), watch ? "changes" : "the change",
			s, watch ? "stops" : "ends the interval sooner");
	while (!stop && (!count || done < count)) {
		stop = wait_or_stop(sfd, s);
		if (stop && watch)
			break;
		after = take_view(false);
		if (!after) {
			rc = EXIT_FAILED;
			break;
		}
		if (done++ && !dp.json)
			pr_nl();
		rc = print_diff(before, after);
		fflush(stdout);
		dmapeek_sysview_free(before);
		before = after;
		if (rc)
			break;
	}
	dmapeek_sysview_free(before);
	unblock_stop_signals(sfd, &old);
	return rc;
}

/* buffer all [diff SECONDS | watch SECONDS [count N]] */
int buffer_all(int argc, char **argv)
{
	const char *diff = NULL, *watch = NULL;
	uint32_t count = 0;
	const struct arg args[] = {
		{ "diff", A_STR, &diff, 0 },
		{ "watch", A_STR, &watch, 0 },
		{ "count", A_U32, &count, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	struct dmapeek_sysview *v;
	unsigned int i;
	double s = 0;
	int rc;

	rc = parse_args("buffer all", args, argc, argv);
	if (rc)
		return rc;
	p2p_verdicts_reset();
	if ((diff && watch) || (count && !watch))
		return usage_err("usage: dmapeek buffer all " BUFFER_ALL_ARGS);
	if (diff || watch) {
		rc = parse_seconds(diff ?: watch, &s);
		if (rc)
			return rc;
	}
	if (!dp.ctx) {
		dp.ctx = dmapeek_new();	/* optional here: no error if absent */
		if (dp.ctx)
			dmapeek_set_log_fn(dp.ctx, log_stderr, NULL);
	}
	if (diff || watch)
		return diff_views(s, diff ? 1 : count, !!watch);
	v = take_view(true);
	if (!v)
		return EXIT_FAILED;
	pr_open_obj(NULL);
	print_sources(v, false);
	pr_open_arr("buffers");
	for (i = 0; i < dmapeek_sysview_nr_buffers(v); i++)
		print_sysbuf(dmapeek_sysview_buffer(v, i));
	pr_close_arr();
	pr_close_obj();
	dmapeek_sysview_free(v);
	return EXIT_OK;
}
