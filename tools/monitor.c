// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek monitor: the module's events as they come, filtered by type or
 * object, with the wall-clock time in JSON and with -timestamp, and the
 * events missed or lost on the way told in the stream.  "monitor --all"
 * adds every exporter's events from the dma-buf core's tracepoints
 * (monitor_all.c); the lines of both are evprint.c's.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include <dmapeek.h>

#include "cli.h"
#include "evprint.h"
#include "fields.h"
#include "json_print.h"
#include "monitor.h"
#include "walltime.h"

static const struct objclass event_class = {
	"event", event_fields, NULL, NULL, NULL, 0,
};

/*
 * SIGINT and SIGTERM end the monitor (and only it: a batch goes on to its
 * next line), and so do SIGHUP and SIGPIPE (a closed terminal, "| head"),
 * so that it always ends through its own cleanup: while it runs they are
 * blocked and read from a signalfd polled beside the events, so no
 * handler and no flag are needed.  ("buffer all watch" waits the same
 * way.)
 */
int block_stop_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
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

static bool is_all(const char *w)
{
	return !strcmp(w, "--all") || !strcmp(w, "-all") || !strcmp(w, "-a");
}

/*
 * monitor [--all] [count N] [timeout S] [FIELD VALUE]...: JSON lines with
 * -j; the filters pick events by type or object ("monitor buffer 3 type
 * stuck"), with --all also by exporter and process.
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
	bool all = false;
	unsigned int n;
	int rc, err, i, used;

	for (; argc > 0 && is_all(argv[0]); argc--, argv++)
		all = true;
	/*
	 * count and timeout come first, filters after.  A prefix of both
	 * (e.g. "t": timeout, type) is the filter's; the whole word "count"
	 * is the keyword here, the event's count field after a filter.
	 */
	for (i = 0; i < argc && (used = arg_words(args, argv[i])) &&
	     i + used <= argc && (!strcmp(argv[i], "count") ||
	     !strcmp(argv[i], "timeout") || !field_find(event_fields, argv[i]));
	     i += used)
		;
	rc = parse_args("monitor", args, i, argv);
	if (rc)
		return rc;
	if (all)
		return monitor_all(max, timeout, argc - i, argv + i);
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
	const struct evprint o = { dp.timestamp, false, dp.mono_to_real_ns };
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
				evprint_missed(&o, e, gap);
			}
			if (!conds_match(conds, n, e))
				continue;
			evprint_event(&o, e);
			fflush(stdout);
			seen++;
		}
		if (dmapeek_event_lost(dp.ctx) != lost_shown) {
			lost_shown = dmapeek_event_lost(dp.ctx);
			evprint_lost(&o, EV_SOURCE_MODULE, walltime_mono_ns(), lost_shown);
			fflush(stdout);
		}
	}
	unblock_stop_signals(pfd[1].fd, &old);
	return rc;
}
