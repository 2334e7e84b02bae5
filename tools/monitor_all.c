// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek monitor --all: every exporter's dma-bufs as they are made,
 * shared, attached, mapped and let go, from the dma-buf core's tracepoints
 * (libdmapeek's trace reader: a tracing instance of its own, removed when
 * the monitor ends, also on SIGINT, SIGTERM, SIGHUP and SIGPIPE), merged
 * in time order with the module's own events when dmapeek.ko is loaded.
 *
 * Both streams are stamped with CLOCK_MONOTONIC, but come on different
 * paths: a line is held back REORDER_NS after its timestamp, so that an
 * event of the other stream stamped just before it, still on its way, is
 * printed first.  Lines leave a min-heap (evqueue.c) in timestamp order;
 * when the monitor ends, every line read is printed.
 *
 * Filters are the monitor's ("FIELD [OP] VALUE"), on the fields of either
 * kind of event: a filter on a field only one kind has (exporter, pid,
 * comm; buffer, attachment...) leaves the other kind out, and one both
 * have (type) tests each against its own names: "type attach" is the
 * dma-buf core's attach and the module's.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#include "cli.h"
#include "evprint.h"
#include "evqueue.h"
#include "fields.h"
#include "json_print.h"
#include "monitor.h"
#include "walltime.h"

#define REORDER_NS	100000000ULL	/* 100ms */
#define NSEC_PER_MSEC	1000000ULL

enum { K_MODULE, K_TRACE, K_MAX };

static const struct field *const kind_fields[K_MAX] = {
	[K_MODULE] = event_fields,
	[K_TRACE] = trace_fields,
};

/* One filter, as each kind of event reads it (has[k]: that kind has it). */
struct all_cond {
	struct cond c[K_MAX];
	bool has[K_MAX];
};

struct all_state {
	struct evprint o;
	struct evq q;
	struct dmapeek_trace *t;
	const struct all_cond *conds;
	unsigned int n;
	uint32_t seen, max;
	uint64_t trace_lost, ev_lost, ev_missed;
};

static bool exact(const struct field *f, const char *word)
{
	return !strcmp(word, f->key) || (f->alias && !strcmp(word, f->alias));
}

/*
 * "FIELD [OP] VALUE" against each kind's fields: a whole field name of
 * one kind wins over a prefix of another's.  The words used, or -1 after
 * telling why none can be.
 */
static int parse_all_cond(int argc, char **argv, struct all_cond *ac)
{
	bool whole = false;
	char why[128];
	int k, used = 0;

	memset(ac, 0, sizeof(*ac));
	snprintf(why, sizeof(why), "unknown field \"%s\"", argv[0]);
	for (k = 0; k < K_MAX; k++) {
		const struct field *f = field_find(kind_fields[k], argv[0]);

		if (f && exact(f, argv[0]))
			whole = true;
	}
	for (k = 0; k < K_MAX; k++) {
		const struct field *f = field_find(kind_fields[k], argv[0]);
		char w[128];
		int u;

		if (!f || (whole && !exact(f, argv[0])))
			continue;
		u = cond_parse(kind_fields[k], argc, argv, &ac->c[k], w, sizeof(w));
		if (u < 0) {
			snprintf(why, sizeof(why), "%s", w);
			continue;
		}
		ac->has[k] = true;
		used = u;
	}
	if (used)
		return used;
	usage_err("monitor --all: %s", why);
	return -1;
}

static int parse_all_conds(int argc, char **argv, struct all_cond *conds,
			   unsigned int *n)
{
	for (*n = 0; argc > 0; (*n)++) {
		int used;

		if (*n == MAX_CONDS)
			return usage_err("at most %d filters", MAX_CONDS);
		used = parse_all_cond(argc, argv, &conds[*n]);
		if (used < 0)
			return EXIT_USAGE;
		argc -= used;
		argv += used;
	}
	return 0;
}

static bool all_match(const struct all_state *s, int kind, const void *obj)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!s->conds[i].has[kind] || !cond_match(&s->conds[i].c[kind], obj))
			return false;
	return true;
}

/* -------------------------------------------------------------- queueing */

/* A line, printed into a string through a printer of its own. */
struct render {
	FILE *f;
	char *text;
	size_t len;
	struct printer p, *old;
};

static bool render_begin(struct render *r)
{
	r->text = NULL;
	r->f = open_memstream(&r->text, &r->len);
	if (!r->f)
		return false;
	r->old = pr_current();
	pr_init(&r->p, r->f, dp.json, dp.pretty);
	return true;
}

static int render_queue(struct all_state *s, struct render *r, uint64_t ts,
			bool counts)
{
	pr_use(r->old);
	if (fclose(r->f)) {
		free(r->text);
		return -ENOMEM;
	}
	return evq_push(&s->q, ts, counts, r->text);
}

static int queue_trace(struct all_state *s, const struct dmapeek_trace_event *e)
{
	struct render r;

	if (!render_begin(&r))
		return -ENOMEM;
	evprint_trace(&s->o, e);
	return render_queue(s, &r, dmapeek_trace_event_timestamp_ns(e), true);
}

static int queue_event(struct all_state *s, const struct dmapeek_event *e)
{
	struct render r;

	if (!render_begin(&r))
		return -ENOMEM;
	evprint_event(&s->o, e);
	return render_queue(s, &r, dmapeek_event_timestamp_ns(e), true);
}

static int queue_missed(struct all_state *s, const struct dmapeek_event *e,
			uint64_t gap)
{
	struct render r;

	if (!render_begin(&r))
		return -ENOMEM;
	evprint_missed(&s->o, e, gap);
	return render_queue(s, &r, dmapeek_event_timestamp_ns(e), false);
}

static int queue_lost(struct all_state *s, const char *source, uint64_t now,
		      uint64_t lost)
{
	struct render r;

	if (!render_begin(&r))
		return -ENOMEM;
	evprint_lost(&s->o, source, now, lost);
	return render_queue(s, &r, now, false);
}

/* The module's events pending on its socket. */
static int read_module(struct all_state *s, unsigned int *got)
{
	const struct dmapeek_event *e;
	int err = 0;

	for (;;) {
		e = dmapeek_event_read(dp.ctx);
		if (!e && errno == ENOBUFS)
			continue;	/* an overrun, counted: read on */
		if (!e)
			break;
		(*got)++;
		/* a gap in the events' numbers, told before the next one */
		if (dmapeek_event_missed(dp.ctx) != s->ev_missed) {
			err = queue_missed(s, e, dmapeek_event_missed(dp.ctx) - s->ev_missed);
			s->ev_missed = dmapeek_event_missed(dp.ctx);
		}
		if (!err && all_match(s, K_MODULE, e))
			err = queue_event(s, e);
		if (err)
			return err;
	}
	return errno == EAGAIN ? 0 : -errno;
}

/*
 * Everything both streams have now, queued; *got counts the events read
 * (filtered out or not: the idle timeout's activity).
 */
static int collect(struct all_state *s, uint64_t now, unsigned int *got)
{
	const struct dmapeek_trace_event *e;
	int err = 0;

	while (!err && (e = dmapeek_trace_read(s->t))) {
		(*got)++;
		if (all_match(s, K_TRACE, e))
			err = queue_trace(s, e);
	}
	if (!err && errno != EAGAIN)
		return op_err(errno, "read the dma_buf trace");
	if (!err && dp.ctx)
		err = read_module(s, got);
	if (err)
		return op_err(err, "read events");
	if (dmapeek_trace_lost(s->t) != s->trace_lost) {
		s->trace_lost = dmapeek_trace_lost(s->t);
		err = queue_lost(s, EV_SOURCE_TRACE, now, s->trace_lost);
	}
	if (!err && dp.ctx && dmapeek_event_lost(dp.ctx) != s->ev_lost) {
		s->ev_lost = dmapeek_event_lost(dp.ctx);
		err = queue_lost(s, EV_SOURCE_MODULE, now, s->ev_lost);
	}
	return err ? op_err(err, "queue events") : 0;
}

/* Print the lines stamped @until or earlier; true when the monitor is done. */
static bool emit(struct all_state *s, uint64_t until)
{
	struct evq_item it;

	while ((!s->max || s->seen < s->max) && evq_pop(&s->q, until, &it)) {
		fputs(it.text, stdout);
		free(it.text);
		if (it.counts)
			s->seen++;
	}
	fflush(stdout);
	return ferror(stdout) || (s->max && s->seen >= s->max);
}

/* How long poll may wait: for the next line to print, or the idle timeout. */
static int wait_ms(const struct all_state *s, uint32_t timeout, uint64_t idle_since,
		   uint64_t now)
{
	uint64_t first, until = UINT64_MAX;

	if (evq_first(&s->q, &first))
		until = first + REORDER_NS;
	if (timeout && idle_since + timeout * 1000000000ULL < until)
		until = idle_since + timeout * 1000000000ULL;
	if (until == UINT64_MAX)
		return -1;
	if (until <= now)
		return 0;
	return (int)((until - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

static int watch_all(struct all_state *s, uint32_t timeout)
{
	uint64_t now = walltime_mono_ns(), idle_since = now;
	struct pollfd pfd[3];
	bool done = false;
	sigset_t old;
	int rc = EXIT_OK;

	pfd[0].fd = block_stop_signals(&old);
	if (pfd[0].fd < 0)
		return op_err(errno, "signalfd");
	pfd[1].fd = dmapeek_trace_fd(s->t);
	pfd[2].fd = dp.ctx ? dmapeek_event_fd(dp.ctx) : -1;	/* -1: not polled */
	pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
	while (!done) {
		unsigned int got = 0;
		int ready = poll(pfd, 3, wait_ms(s, timeout, idle_since, now));

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0) {
			rc = op_err(errno, "poll");
			break;
		}
		now = walltime_mono_ns();
		rc = collect(s, now, &got);
		if (rc)
			break;
		if (got)
			idle_since = now;
		done = emit(s, now > REORDER_NS ? now - REORDER_NS : 0);
		if (pfd[0].revents ||
		    (timeout && now - idle_since >= timeout * 1000000000ULL)) {
			/* the end: what was read is printed, in order */
			if (!done)
				done = emit(s, UINT64_MAX);
			break;
		}
	}
	unblock_stop_signals(pfd[0].fd, &old);
	return rc;
}

/* Why the tracepoints cannot be read, in words; the exit code. */
static int trace_err(int err)
{
	switch (err) {
	case EOPNOTSUPP:
		fputs("dmapeek: monitor --all: this dmapeek was built without tracefs "
		      "support (libtracefs)\n", stderr);
		return EXIT_NOTSUP;
	case ENODEV:
		fputs("dmapeek: monitor --all: tracefs is not mounted\n"
		      "hint: mount -t tracefs nodev /sys/kernel/tracing\n", stderr);
		return EXIT_FAILED;
	case EACCES:
	case EPERM:
		fputs("dmapeek: monitor --all: tracefs is root's: this needs root "
		      "(it makes a tracing instance of its own)\n", stderr);
		return EXIT_PERM;
	case ENOENT:
		fputs("dmapeek: monitor --all: this kernel has no dma_buf tracepoints "
		      "(events/dma_buf in tracefs: Linux 7.0 or later)\n", stderr);
		return EXIT_NOTSUP;
	}
	return op_err(err, "monitor --all: tracing instance");
}

/* The module's events too, when it is loaded; without it, the core's only. */
static int module_events(void)
{
	int err;

	if (!dp.ctx) {
		dp.ctx = dmapeek_new();
		if (!dp.ctx) {
			fprintf(stderr, "dmapeek: %s: the dma-buf core's events only\n",
				errno == ENOENT ? "dmapeek.ko is not loaded" :
				"cannot reach dmapeek.ko");
			return 0;
		}
		dmapeek_set_log_fn(dp.ctx, log_stderr, NULL);
	}
	err = dmapeek_event_subscribe(dp.ctx);
	return err ? op_err(err, "subscribe to events") : 0;
}

int monitor_all(uint32_t max, uint32_t timeout, int argc, char **argv)
{
	struct all_cond conds[MAX_CONDS];
	struct all_state s = {
		.o = { dp.timestamp, true, 0 },
		.conds = conds,
		.max = max,
	};
	int rc;

	rc = parse_all_conds(argc, argv, conds, &s.n);
	if (rc)
		return rc;
	s.t = dmapeek_trace_new(NULL);
	if (!s.t)
		return trace_err(errno);
	rc = module_events();
	if (rc) {
		dmapeek_trace_free(s.t);
		return rc;
	}
	dp.mono_to_real_ns = walltime_offset_ns();
	s.o.mono_to_real_ns = dp.mono_to_real_ns;
	evq_init(&s.q);
	if (!dp.json)
		fprintf(stderr, "dmapeek: listening for every exporter's events "
			"(Ctrl-C to stop)\n");
	rc = watch_all(&s, timeout);
	evq_free(&s.q);
	dmapeek_trace_free(s.t);
	return rc;
}
