// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek-top: the program.  The plain-text --snapshot frame (options are
 * opts.c's),
 * and the interactive loop: one poll() on the keyboard, the events
 * socket, a timerfd for the periodic refresh and a signalfd for resize
 * and termination, so nothing happens in a signal handler and the
 * terminal is always restored on the way out.
 *
 * Exit codes as dmapeek(8): 0 ok, 1 failure, 2 usage, 3 no module.
 */
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>

#include <dmapeek.h>

#include "json_print.h"
#include "top.h"

/* --------------------------------------------------------- selection */

static int grow_idx(struct top_ui *u)
{
	size_t *p;

	if (u->cap_idx >= u->m->nr_rows && u->idx)
		return 0;
	p = realloc(u->idx, (u->m->nr_rows + 64) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	u->idx = p;
	u->cap_idx = u->m->nr_rows + 64;
	return 0;
}

static int reselect(struct top_ui *u)
{
	const struct top_model *m = u->m;
	size_t i;

	if (grow_idx(u))
		return -ENOMEM;
	u->nr_idx = top_select(m->rows, m->nr_rows, u->filter, u->sort, u->desc,
			       u->idx);
	/* follow the selected buffer to wherever it sorts now */
	for (i = 0; i < u->nr_idx; i++) {
		const struct top_row *r = &m->rows[u->idx[i]];

		if (r->id == u->sel_id && r->inode == u->sel_inode) {
			u->sel = i;
			return 0;
		}
	}
	if (u->sel >= u->nr_idx)
		u->sel = u->nr_idx ? u->nr_idx - 1 : 0;
	return 0;
}

static const struct top_row *selected_row(const struct top_ui *u)
{
	return u->sel < u->nr_idx ? &u->m->rows[u->idx[u->sel]] : NULL;
}

/* Remember which buffer is selected, and read its detail if shown. */
static void selection_changed(struct top_ui *u)
{
	const struct top_row *r = selected_row(u);
	uint32_t id = r ? r->id : 0;

	u->sel_id = id;
	u->sel_inode = r ? r->inode : 0;
	if (u->detail_on && u->view == TOP_VIEW_BUFFERS)
		top_model_detail(u->m, id, &u->detail);
}

/* After new data: rows, selection and the detail pane again. */
static void data_changed(struct top_ui *u)
{
	if (reselect(u))
		snprintf(u->m->msg, sizeof(u->m->msg), "out of memory");
	selection_changed(u);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Share of the time full refreshes may take: one that cost C seconds is
 * followed by the next no sooner than (TOP_REFRESH_SHARE - 1) * C later.
 * With thousands of buffers a dump of everything is the expensive part;
 * between dumps the event stream keeps the rows current (an event re-reads
 * the buffer it names, a lost event forces a dump), so the periodic dump
 * is a backstop and need not run on every tick.
 */
#define TOP_REFRESH_SHARE 10

static void full_refresh(struct top_ui *u)
{
	uint64_t t0 = mono_ns(), cost;

	top_model_refresh(u->m, u->view == TOP_VIEW_P2P);
	data_changed(u);
	cost = mono_ns() - t0;
	u->next_full_ns = t0 + TOP_REFRESH_SHARE * cost;
}

/*
 * The system page reads every process's fds and maps: on a tick only while
 * it is shown, and spaced out as the full refresh is (@now: at once).
 */
static void system_refresh(struct top_ui *u, bool now)
{
	uint64_t t0 = mono_ns();

	if (u->view != TOP_VIEW_SYSTEM || (!now && t0 < u->next_system_ns))
		return;
	top_model_system(u->m);
	u->next_system_ns = t0 + TOP_REFRESH_SHARE * (mono_ns() - t0);
}

/* A timer tick: a full refresh when its budget allows, else the pane. */
static void tick(struct top_ui *u)
{
	top_model_tick(u->m);
	system_refresh(u, false);
	if (!u->m->events_live || mono_ns() >= u->next_full_ns) {
		full_refresh(u);
		return;
	}
	/* the selected buffer's importers: one small filtered dump */
	selection_changed(u);
}

/* ------------------------------------------------------------ snapshot */

static int snapshot(struct top_ui *u)
{
	struct top_lines *L = calloc(1, sizeof(*L));	/* too large for the stack */
	const struct top_model *m = u->m;
	struct top_hdr_ctx h = {
		.t = &m->totals, .provs = m->provs, .nr_provs = m->nr_provs,
		.atts = m->atts, .nr_atts = m->nr_atts,
		.events_live = false,
	};
	char line[TOP_LINE];
	size_t i;

	if (!L) {
		fprintf(stderr, "dmapeek-top: %s\n", strerror(ENOMEM));
		return EXIT_FAILED;
	}
	top_header_lines(L, &h);
	for (i = 0; i < L->n; i++)
		printf("%s\n", L->l[i].text);
	if (u->view == TOP_VIEW_SYSTEM) {
		L->n = 0;
		top_system_lines(L, &m->sys);
		printf("\n");
		for (i = 0; i < L->n; i++)
			printf("%s\n", L->l[i].text);
		free(L);
		return fflush(stdout) ? EXIT_FAILED : EXIT_OK;
	}
	top_fmt_table_head(line, sizeof(line), u->sort, u->desc);
	printf("\n%s\n", line);
	for (i = 0; i < u->nr_idx; i++) {
		top_fmt_row(line, sizeof(line), &m->rows[u->idx[i]]);
		printf("%s\n", line);
	}
	L->n = 0;
	top_provider_lines(L, m->provs, m->nr_provs);
	printf("\n");
	for (i = 0; i < L->n; i++)
		printf("%s\n", L->l[i].text);
	free(L);
	return fflush(stdout) ? EXIT_FAILED : EXIT_OK;
}

/* ----------------------------------------------------------------- keys */

static void move_sel(struct top_ui *u, long delta)
{
	long n = (long)u->nr_idx, s = (long)u->sel + delta;

	if (u->view != TOP_VIEW_BUFFERS) {
		/* the other views scroll; draw_* clamps the end */
		s = (long)u->scroll + delta;
		u->scroll = s < 0 ? 0 : (size_t)s;
		return;
	}
	if (s >= n)
		s = n - 1;
	if (s < 0)
		s = 0;
	u->sel = (size_t)s;
	selection_changed(u);
}

static const char *const action_verb[128] = {
	['m'] = "move", ['r'] = "revoke", ['R'] = "restore", ['a'] = "audit",
};

/* An operation's key: check what can be checked, then ask. */
static void start_action(struct top_ui *u, int key)
{
	const struct top_row *r = selected_row(u);
	const char *verb = action_verb[key];

	if (u->view != TOP_VIEW_BUFFERS || !r) {
		snprintf(u->m->msg, sizeof(u->m->msg), "select a buffer first (view 1)");
		u->m->msg_err = true;
		return;
	}
	if (!r->id) {
		snprintf(u->m->msg, sizeof(u->m->msg),
			 "%s: this dma-buf is not dmapeek's (exporter %s)", verb, r->exporter);
		u->m->msg_err = true;
		return;
	}
	if (!u->admin) {
		snprintf(u->m->msg, sizeof(u->m->msg),
			 "%s needs CAP_SYS_ADMIN: run dmapeek top as root", verb);
		u->m->msg_err = true;
		return;
	}
	u->action = key;
	u->sel_id = r->id;
	if (key == 'm') {
		u->mode = TOP_MODE_INPUT;
		u->input[0] = '\0';
		snprintf(u->prompt, sizeof(u->prompt),
			 "Move buffer %" PRIu32 " (now on provider %" PRIu32
			 ") to provider: ", r->id, r->provider);
		return;
	}
	u->mode = TOP_MODE_CONFIRM;
	snprintf(u->prompt, sizeof(u->prompt), "%c%s buffer %" PRIu32 " \"%s\"? [y/N] ",
		 verb[0] - 'a' + 'A', verb + 1, r->id, r->name);
}

static void run_action(struct top_ui *u)
{
	struct top_model *m = u->m;

	switch (u->action) {
	case 'm': top_model_move(m, u->sel_id, u->target); break;
	case 'r': top_model_revoke(m, u->sel_id); break;
	case 'R': top_model_restore(m, u->sel_id); break;
	case 'a': top_model_audit(m, u->sel_id); break;
	default: break;
	}
	data_changed(u);
}

/* With nonl() the Enter key reads as CR; some terminals send LF. */
static bool is_enter(int ch)
{
	return ch == '\r' || ch == '\n' || ch == KEY_ENTER;
}

static void key_filter(struct top_ui *u, int ch)
{
	size_t n = strlen(u->filter);

	if (ch == 27) {			/* Esc: no filter */
		u->filter[0] = '\0';
		u->mode = TOP_MODE_NORMAL;
	} else if (is_enter(ch)) {
		u->mode = TOP_MODE_NORMAL;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			u->filter[n - 1] = '\0';
	} else if (ch >= 32 && ch < 127 && n + 1 < sizeof(u->filter)) {
		u->filter[n] = (char)ch;
		u->filter[n + 1] = '\0';
	} else {
		return;
	}
	data_changed(u);		/* the table follows each keystroke */
}

static void key_input(struct top_ui *u, int ch)
{
	size_t n = strlen(u->input);
	char *end;

	if (ch == 27) {
		u->mode = TOP_MODE_NORMAL;
		snprintf(u->m->msg, sizeof(u->m->msg), "move cancelled");
		u->m->msg_err = false;
	} else if (is_enter(ch)) {
		unsigned long v = strtoul(u->input, &end, 10);

		if (!n || *end || !v || v > UINT32_MAX) {
			snprintf(u->m->msg, sizeof(u->m->msg), "not a provider id: \"%s\"",
				 u->input);
			u->m->msg_err = true;
			u->mode = TOP_MODE_NORMAL;
			return;
		}
		u->target = (uint32_t)v;
		u->mode = TOP_MODE_CONFIRM;
		snprintf(u->prompt, sizeof(u->prompt), "Move buffer %" PRIu32
			 " to provider %" PRIu32 "? [y/N] ", u->sel_id, u->target);
	} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n) {
		u->input[n - 1] = '\0';
	} else if (ch >= '0' && ch <= '9' && n + 1 < sizeof(u->input)) {
		u->input[n] = (char)ch;
		u->input[n + 1] = '\0';
	}
}

static void key_confirm(struct top_ui *u, int ch)
{
	u->mode = TOP_MODE_NORMAL;
	if (ch == 'y' || ch == 'Y') {
		run_action(u);
		return;
	}
	snprintf(u->m->msg, sizeof(u->m->msg), "%s cancelled", action_verb[u->action]);
	u->m->msg_err = false;
}

static void set_view(struct top_ui *u, enum top_view v)
{
	bool need_p2p = v == TOP_VIEW_P2P && u->view != TOP_VIEW_P2P;

	u->view = v;
	u->scroll = 0;
	if (need_p2p)
		full_refresh(u);	/* the matrix is read only when shown */
	else
		selection_changed(u);
	system_refresh(u, true);	/* so is the system page */
}

/* Sort by @col; a field's column shows while it sorts (or -o asked for it). */
static void sort_by(struct top_ui *u, int col)
{
	if (!(u->cols_user & (1ULL << u->sort)))
		top_col_show((int)u->sort, false);
	u->sort = (enum top_col)col;
	top_col_show(col, true);
	data_changed(u);
}

/* Normal mode; returns false to quit. */
static bool key_normal(struct top_ui *u, int ch)
{
	int page = top_view_page(u);

	u->m->msg[0] = '\0';		/* a key dismisses the last message */
	switch (ch) {
	case 'q': case 'Q': case KEY_F(10): return false;
	case KEY_UP: case 'k': move_sel(u, -1); break;
	case KEY_DOWN: case 'j': move_sel(u, 1); break;
	case KEY_PPAGE: move_sel(u, -page); break;
	case KEY_NPAGE: move_sel(u, page); break;
	case KEY_HOME: move_sel(u, -(long)u->nr_idx - (long)u->scroll); break;
	case KEY_END: move_sel(u, (long)u->nr_idx + TOP_EVLOG + TOP_MAX_LINES); break;
	case '/': case KEY_F(4): u->mode = TOP_MODE_FILTER; break;
	case 27:			/* Esc: drop the filter, as in its prompt */
		u->filter[0] = '\0';
		data_changed(u);
		break;
	case '<': sort_by(u, top_col_next((int)u->sort, -1)); break;
	case '>': case '.': case ',': case KEY_F(6):
		sort_by(u, top_col_next((int)u->sort, ch == ',' ? -1 : 1));
		break;
	case 'I': u->desc = !u->desc; data_changed(u); break;
	case '\r': case '\n': case '\t': case KEY_ENTER:
		u->detail_on = !u->detail_on;
		selection_changed(u);
		break;
	case '1': set_view(u, TOP_VIEW_BUFFERS); break;
	case '2': set_view(u, TOP_VIEW_PROVIDERS); break;
	case '3': set_view(u, TOP_VIEW_P2P); break;
	case '4': set_view(u, TOP_VIEW_EVENTS); break;
	case '5': set_view(u, TOP_VIEW_SYSTEM); break;
	case '?': case 'h': case KEY_F(1):
		u->back = u->view;
		u->view = TOP_VIEW_HELP;
		break;
	case 'm': case 'r': case 'R': case 'a': start_action(u, ch); break;
	case KEY_F(9): start_action(u, 'r'); break;
	case ' ': full_refresh(u); system_refresh(u, true); break;
	default: break;
	}
	return true;
}

static bool on_key(struct top_ui *u, int ch)
{
	if (ch == KEY_RESIZE)
		return true;		/* redrawn below at the new size */
	if (u->view == TOP_VIEW_HELP) {
		u->view = u->back;	/* any key leaves the help */
		return true;
	}
	switch (u->mode) {
	case TOP_MODE_FILTER: key_filter(u, ch); return true;
	case TOP_MODE_INPUT: key_input(u, ch); return true;
	case TOP_MODE_CONFIRM: key_confirm(u, ch); return true;
	case TOP_MODE_NORMAL: break;
	}
	return key_normal(u, ch);
}

/* ----------------------------------------------------------------- loop */

/* The new size from the terminal, as ncurses' own SIGWINCH handler would. */
static void on_resize(void)
{
	struct winsize ws;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
}

static int make_timer(double delay)
{
	struct itimerspec it;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	it.it_value.tv_sec = (time_t)delay;
	it.it_value.tv_nsec = (long)((delay - (double)(time_t)delay) * 1e9);
	if (!it.it_value.tv_sec && !it.it_value.tv_nsec)
		it.it_value.tv_nsec = 1;
	it.it_interval = it.it_value;
	if (timerfd_settime(fd, 0, &it, NULL)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

enum { PFD_KEYS, PFD_EVENTS, PFD_TIMER, PFD_SIGNALS, PFD_MAX };

/* Returns true when the loop should end. */
static bool on_signal_fd(int fd)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGWINCH)
			return true;	/* INT, TERM, HUP: leave cleanly */
		on_resize();
	}
	return false;
}

/*
 * Events update the screen at most this often: re-reading the rows they
 * name (netlink round trips) and drawing a frame per wakeup cost most of a
 * CPU under the benchmark's 1,000 events/s, while a person sees no
 * difference at 10 updates a second.  Keys, the timer and resizes still
 * draw at once.
 */
#define EVENT_FRAME_NS	100000000ull

static int loop(struct top_ui *u, int sigfd)
{
	struct pollfd pfd[PFD_MAX];
	uint64_t ticks, drawn_ns = 0;
	bool run = true, now = true, pending = true;
	int timer = make_timer(u->delay);

	if (timer < 0)
		return timer;
	pfd[PFD_KEYS] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	pfd[PFD_EVENTS] = (struct pollfd){ .fd = top_model_event_fd(u->m), .events = POLLIN };
	pfd[PFD_TIMER] = (struct pollfd){ .fd = timer, .events = POLLIN };
	pfd[PFD_SIGNALS] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	while (run) {
		uint64_t t = mono_ns();
		int ch, wait_ms = -1;

		if (pending && (now || t - drawn_ns >= EVENT_FRAME_NS)) {
			if (top_model_apply(u->m))
				data_changed(u);
			top_view_draw(u);
			drawn_ns = t;
			pending = now = false;
		} else if (pending) {
			wait_ms = (int)((EVENT_FRAME_NS - (t - drawn_ns)) / 1000000) + 1;
		}
		if (poll(pfd, PFD_MAX, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[PFD_SIGNALS].revents) {
			if (on_signal_fd(sigfd))
				break;
			pending = now = true;
		}
		if (pfd[PFD_TIMER].revents &&
		    read(timer, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks)) {
			tick(u);
			pending = now = true;
		}
		if (pfd[PFD_EVENTS].revents && top_model_events(u->m))
			pending = true;
		if (pfd[PFD_KEYS].revents & (POLLHUP | POLLERR))
			break;
		while (run && (ch = getch()) != ERR) {
			run = on_key(u, ch);
			pending = now = true;
		}
	}
	close(timer);
	return 0;
}

/* Signals arrive through a descriptor the loop polls (see above). */
static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int interactive(struct top_ui *u, bool color)
{
	SCREEN *scr;
	int sigfd = block_signals(), err;

	if (sigfd < 0) {
		fprintf(stderr, "dmapeek-top: signalfd: %s\n", strerror(-sigfd));
		return EXIT_FAILED;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "dmapeek-top: not a terminal (try --snapshot)\n");
		close(sigfd);
		return EXIT_USAGE;
	}
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "dmapeek-top: cannot use terminal \"%s\" (try --snapshot)\n",
			getenv("TERM") ?: "");
		close(sigfd);
		return EXIT_FAILED;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	u->screen = top_view_init(color);
	err = u->screen ? loop(u, sigfd) : -ENOMEM;
	/* leave the alternate screen and give the terminal back as found */
	endwin();
	top_view_free(u->screen);
	u->screen = NULL;
	delscreen(scr);
	close(sigfd);
	if (err) {
		fprintf(stderr, "dmapeek-top: %s\n", strerror(-err));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* When the last phase ended: wall and CPU time (user + system), in ns and us. */
struct phases {
	uint64_t t_last, cpu_last;
};

/*
 * DMAPEEK_TOP_TIMING set: each phase of the start (and of --snapshot) on
 * stderr, wall and CPU time (user + system), for the benchmarks.
 */
static void phase(struct phases *p, const char *what)
{
	struct rusage ru;
	uint64_t t = mono_ns(), cpu;

	if (!getenv("DMAPEEK_TOP_TIMING"))
		return;
	getrusage(RUSAGE_SELF, &ru);
	cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
	      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	if (p->t_last)
		fprintf(stderr, "dmapeek-top timing: %s %.1f ms wall, %.1f ms CPU\n",
			what, (double)(t - p->t_last) / 1e6,
			(double)(cpu - p->cpu_last) / 1e3);
	p->t_last = t;
	p->cpu_last = cpu;
}

int main(int argc, char **argv)
{
	/* the program's state, as dmapeek's is its struct dp_state */
	static struct top_model m;
	static struct top_ui u;
	struct top_opts o = { .delay = 2.0, .sort = TOP_COL_ID };
	struct phases ph = { 0, 0 };
	const char *nc = getenv("NO_COLOR");
	int rc, err;

	phase(&ph, "start");
	setlocale(LC_ALL, "");
	pr_buffer_stdout();
	rc = top_parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	err = top_model_open(&m, o.all);
	if (err) {
		fprintf(stderr, "dmapeek-top: cannot reach dmapeek.ko: %s (%s)\n",
			strerror(-err), strerrorname_np(-err) ?: "?");
		if (err == -ENOENT)
			fputs("hint: is the module loaded? try \"modprobe dmapeek\"\n", stderr);
		return EXIT_NOMODULE;
	}
	u.m = &m;
	u.sort = (enum top_col)o.sort;
	u.desc = o.desc;
	u.cols_user = o.cols;
	top_cols_init(o.cols, o.sort);
	u.delay = o.delay;
	u.detail_on = true;
	u.view = o.view;
	u.admin = top_have_admin();
	snprintf(u.filter, sizeof(u.filter), "%s", o.filter ? o.filter : "");
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		u.t0_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	}
	phase(&ph, "open and subscribe");
	if (top_model_refresh(&m, u.view == TOP_VIEW_P2P) && o.snapshot) {
		fprintf(stderr, "dmapeek-top: %s\n", m.msg);
		top_model_close(&m);
		return EXIT_FAILED;
	}
	if (u.view == TOP_VIEW_SYSTEM)
		system_refresh(&u, true);
	phase(&ph, "refresh (dumps)");
	if (reselect(&u)) {
		top_model_close(&m);
		return EXIT_FAILED;
	}
	phase(&ph, "filter and sort");
	if (o.snapshot) {
		rc = snapshot(&u);
		phase(&ph, "print the frame");
	} else {
		rc = interactive(&u, !o.no_color && !(nc && *nc));
	}
	free(u.idx);
	top_model_close(&m);
	return rc;
}
