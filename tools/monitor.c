// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek monitor: the module's events as they come, filtered by type or
 * object, with the wall-clock time in JSON and with -timestamp, and the
 * events missed or lost on the way told in the stream.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"
#include "walltime.h"

/*
 * The wall-clock time of an event stamped @mono_ns: always in JSON (key
 * "time", ISO 8601 with the UTC offset), in the text with -timestamp
 * (local time in brackets, as "ip monitor -t").
 */
static void print_walltime(uint64_t mono_ns)
{
	char when[64];

	if (!pr_is_json() && !dp.timestamp)
		return;
	if (walltime_fmt(when, sizeof(when), (int64_t)mono_ns + dp.mono_to_real_ns,
			 pr_is_json())) {
		pr_null("time", "[?] ");
		return;
	}
	pr_str("time", "[%s] ", when);
}

static void print_event(const struct dmapeek_event *e)
{
	uint64_t ns = dmapeek_event_timestamp_ns(e);

	pr_open_obj(NULL);
	/* the text shows the raw nanoseconds unless it shows the wall clock */
	pr_u64("timestamp_ns", dp.timestamp ? NULL : "[%" PRIu64 "] ", ns);
	print_walltime(ns);
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_SEQ))
		pr_u64("seq", "#%" PRIu64 " ", dmapeek_event_seq(e));
	print_enum("type", "%s", dmapeek_event_type(e), dmapeek_event_type_str);
#define EV_ID(attr, key, fmt, v) \
	if (dmapeek_object_has(e, attr)) \
		pr_u64(key, fmt, v)
	EV_ID(DMAPEEK_A_EVENT_BUFFER_ID, "buffer", " buffer %" PRIu64,
	      dmapeek_event_buffer_id(e));
	EV_ID(DMAPEEK_A_EVENT_ATTACHMENT_ID, "attachment", " attachment %" PRIu64,
	      dmapeek_event_attachment_id(e));
	EV_ID(DMAPEEK_A_EVENT_MAPPING_ID, "mapping", " mapping %" PRIu64,
	      dmapeek_event_mapping_id(e));
	EV_ID(DMAPEEK_A_EVENT_PROVIDER_ID, "provider", " provider %" PRIu64,
	      dmapeek_event_provider_id(e));
	EV_ID(DMAPEEK_A_EVENT_COUNT, "count", " count %" PRIu64, dmapeek_event_count(e));
#undef EV_ID
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_DURATION_NS))
		pr_ns("duration_ns", " took %s", dmapeek_event_duration_ns(e));
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_ERROR))
		pr_s64("error", " error %" PRId64, dmapeek_event_error(e));
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_MAP_TYPE))
		print_enum("map_type", " map_type %s", dmapeek_event_map_type(e),
			   dmapeek_map_type_str);
	/* the move or revoke this event belongs to (begin, stuck, done) */
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_OP))
		pr_u64("op", " op %" PRIu64, dmapeek_object_u64(e, DMAPEEK_A_EVENT_OP));
	/* the module's count of lost events: in the text when it is not 0 */
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_DROPPED))
		pr_u64("dropped", dmapeek_event_dropped(e) ? " dropped %" PRIu64 : NULL,
		       dmapeek_event_dropped(e));
	pr_close_obj();
	if (!pr_is_json())
		pr_nl();
	fflush(stdout);
}

static const struct objclass event_class = {
	"event", event_fields, NULL, NULL, NULL, 0,
};

/*
 * SIGINT and SIGTERM end the monitor (and only it: a batch goes on to its
 * next line): while it runs they are blocked and read from a signalfd
 * polled beside the events, so no handler and no flag are needed.
 * ("buffer all watch" waits the same way.)
 */
int block_stop_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, old))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Take back the signals that came, and unblock them. */
void unblock_stop_signals(int sfd, const sigset_t *old)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		;
	close(sfd);
	sigprocmask(SIG_SETMASK, old, NULL);
}

static int watch(uint32_t max, uint32_t timeout, const struct cond *conds,
		 unsigned int n);

/*
 * monitor [count N] [timeout S] [FIELD VALUE]...: JSON lines with -j; the
 * filters pick events by type or object ("monitor buffer 3 type stuck").
 */
int cmd_monitor(int argc, char **argv)
{
	uint32_t max = 0, timeout = 0;
	const struct arg args[] = {
		{ "count", A_U32, &max, 0 },
		{ "timeout", A_U32, &timeout, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	struct cond conds[MAX_CONDS];
	unsigned int n;
	int rc, err, i, used;

	/* count and timeout come first, filters after. */
	for (i = 0; i < argc && (used = arg_words(args, argv[i])) &&
	     i + used <= argc && !field_find(event_fields, argv[i]); i += used)
		;
	rc = parse_args("monitor", args, i, argv);
	if (!rc)
		rc = parse_conds(&event_class, argc - i, argv + i, conds, &n);
	if (!rc)
		rc = need_ctx();
	if (rc)
		return rc;
	err = dmapeek_event_subscribe(dp.ctx);
	if (err)
		return op_err(err, "subscribe to events");
	dp.mono_to_real_ns = walltime_offset_ns();
	if (!dp.json)
		fprintf(stderr, "dmapeek: listening for events (Ctrl-C to stop)\n");
	return watch(max, timeout, conds, n);
}

/* Print the events that pass @conds until @max, @timeout s idle or a signal. */
static int watch(uint32_t max, uint32_t timeout, const struct cond *conds,
		 unsigned int n)
{
	uint64_t lost_shown = 0, missed_shown = 0;
	struct pollfd pfd[2];
	uint32_t seen = 0;
	sigset_t old;
	int rc = EXIT_OK;

	pfd[1].fd = block_stop_signals(&old);
	if (pfd[1].fd < 0)
		return op_err(errno, "signalfd");
	pfd[1].events = POLLIN;
	pfd[0].fd = dmapeek_event_fd(dp.ctx);
	pfd[0].events = POLLIN;
	while (!max || seen < max) {
		const struct dmapeek_event *e;
		int ready = poll(pfd, 2, timeout ? (int)timeout * 1000 : -1);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0) {
			rc = op_err(errno, "poll");
			break;
		}
		if (ready == 0 || pfd[1].revents)
			break;
		while ((!max || seen < max) && (e = dmapeek_event_read(dp.ctx))) {
			/* a gap in the events' numbers, told before the next one */
			if (dmapeek_event_missed(dp.ctx) != missed_shown) {
				uint64_t gap = dmapeek_event_missed(dp.ctx) - missed_shown;

				missed_shown = dmapeek_event_missed(dp.ctx);
				pr_open_obj(NULL);
				print_walltime(dmapeek_event_timestamp_ns(e));
				pr_u64("missed", "missed %" PRIu64 " events", gap);
				pr_u64("before_seq", " before #%" PRIu64,
				       dmapeek_event_seq(e));
				pr_u64("dropped", " (the module dropped %" PRIu64 " since it was loaded)\n",
				       dmapeek_event_dropped(e));
				pr_close_obj();
			}
			if (!conds_match(conds, n, e))
				continue;
			print_event(e);
			seen++;
		}
		if (dmapeek_event_lost(dp.ctx) != lost_shown) {
			lost_shown = dmapeek_event_lost(dp.ctx);
			pr_open_obj(NULL);
			print_walltime(walltime_mono_ns());
			pr_u64("lost", "lost %" PRIu64 " events (queue overrun)\n",
			       lost_shown);
			pr_close_obj();
			fflush(stdout);
		}
	}
	unblock_stop_signals(pfd[1].fd, &old);
	return rc;
}
