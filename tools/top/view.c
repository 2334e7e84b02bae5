// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek-top: drawing.  The screen follows htop's layout: the header
 * (totals) on top, a table with a coloured heading, a status line and
 * the function-key bar at the bottom.  Every line's text comes from
 * rows.c; this file only places it and picks its attributes.  Without
 * colours (a monochrome terminal, NO_COLOR, --no-color) the same roles
 * are shown with bold, underline and reverse video.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curses.h>

#include <dmapeek.h>

#include "top.h"

enum {
	ROLE_PLAIN,
	ROLE_TITLE,	/* header labels, detail titles */
	ROLE_HEAD,	/* the table heading */
	ROLE_SELECTED,
	ROLE_ALERT,	/* stuck importers, failures */
	ROLE_DIM,
	ROLE_WARN,	/* moving buffers */
	ROLE_KEY,	/* function bar keys */
	ROLE_MAX,
};

/*
 * What drawing keeps between frames: the attribute of each role, how many
 * rows of the table the last frame could show (for paging), and the lines
 * of the frame being drawn (too large for the stack).
 */
struct top_screen {
	attr_t role_attr[ROLE_MAX];
	int table_rows;
	struct top_lines header, body, detail;
};

struct top_screen *top_view_init(bool color)
{
	static const struct {
		short fg, bg;
		attr_t extra;
	} pal[ROLE_MAX] = {
		[ROLE_PLAIN] = { -1, -1, 0 },
		[ROLE_TITLE] = { COLOR_CYAN, -1, A_BOLD },
		[ROLE_HEAD] = { COLOR_BLACK, COLOR_GREEN, 0 },
		[ROLE_SELECTED] = { COLOR_BLACK, COLOR_CYAN, 0 },
		[ROLE_ALERT] = { COLOR_RED, -1, A_BOLD },
		[ROLE_DIM] = { COLOR_BLUE, -1, A_BOLD },
		[ROLE_WARN] = { COLOR_YELLOW, -1, A_BOLD },
		[ROLE_KEY] = { COLOR_BLACK, COLOR_CYAN, 0 },
	};
	/* the same roles by video attributes alone */
	static const attr_t mono[ROLE_MAX] = {
		[ROLE_PLAIN] = A_NORMAL,
		[ROLE_TITLE] = A_BOLD,
		[ROLE_HEAD] = A_BOLD | A_UNDERLINE,
		[ROLE_SELECTED] = A_REVERSE,
		[ROLE_ALERT] = A_BOLD | A_STANDOUT,
		[ROLE_DIM] = A_DIM,
		[ROLE_WARN] = A_BOLD,
		[ROLE_KEY] = A_REVERSE,
	};
	struct top_screen *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return NULL;
	if (color && has_colors() && start_color() == OK) {
		use_default_colors();
		for (r = 1; r < ROLE_MAX; r++) {
			init_pair((short)r, pal[r].fg, pal[r].bg);
			s->role_attr[r] = COLOR_PAIR(r) | pal[r].extra;
		}
		s->role_attr[ROLE_PLAIN] = A_NORMAL;
		return s;
	}
	memcpy(s->role_attr, mono, sizeof(mono));
	return s;
}

void top_view_free(struct top_screen *s)
{
	free(s);
}

static attr_t line_attr(const struct top_screen *s, enum top_attr a)
{
	switch (a) {
	case TOP_A_TITLE: return s->role_attr[ROLE_TITLE];
	case TOP_A_ALERT: return s->role_attr[ROLE_ALERT];
	case TOP_A_DIM: return s->role_attr[ROLE_DIM];
	default: return s->role_attr[ROLE_PLAIN];
	}
}

/* Put @s on row @y, clipped to the screen, padded with @attr when @fill. */
static void put_line(int y, const char *s, attr_t attr, bool fill)
{
	int w = COLS;

	if (y < 0 || y >= LINES)
		return;
	attrset(attr);
	mvaddnstr(y, 0, s, w);
	if (fill) {
		int x = getcurx(stdscr);

		while (x++ < w && getcury(stdscr) == y)
			addch(' ');
	}
	attrset(A_NORMAL);
}

static int draw_lines(const struct top_screen *s, int y, int max_y,
		      const struct top_lines *L, size_t from)
{
	size_t i;

	for (i = from; i < L->n && y < max_y; i++, y++)
		put_line(y, L->l[i].text, line_attr(s, L->l[i].attr), false);
	return y;
}

static int draw_header(const struct top_ui *u)
{
	struct top_lines *L = &u->screen->header;
	const struct top_model *m = u->m;
	struct top_hdr_ctx h = {
		.t = &m->totals,
		.provs = m->provs,
		.nr_provs = m->nr_provs,
		.atts = m->atts,
		.nr_atts = m->nr_atts,
		.events_per_s = m->ev_rate,
		.events_total = m->ev_total,
		.events_lost = m->ev_lost,
		.events_live = m->events_live,
	};

	L->n = 0;
	top_header_lines(L, &h);
	return draw_lines(u->screen, 0, LINES - 2, L, 0);
}

/* Lines the detail pane takes (0 when hidden or the screen is short). */
static int detail_height(const struct top_ui *u, int avail, size_t lines)
{
	int h;

	if (!u->detail_on || avail < 8)
		return 0;
	h = (int)lines + 1;
	return h < avail / 2 ? h : avail / 2;
}

static attr_t row_attr(const struct top_screen *s, const struct top_row *r,
		       bool selected)
{
	if (selected)
		return s->role_attr[ROLE_SELECTED];
	if (r->stuck || r->state == DMAPEEK_BUFFER_STATE_REVOKED)
		return s->role_attr[ROLE_ALERT];
	if (r->state == DMAPEEK_BUFFER_STATE_MOVING)
		return s->role_attr[ROLE_WARN];
	return s->role_attr[ROLE_PLAIN];
}

/* Keep the selection on screen: scroll the table by as little as needed. */
static void follow_selection(struct top_ui *u, int rows)
{
	if (rows < 1)
		rows = 1;
	if (u->sel < u->first)
		u->first = u->sel;
	if (u->sel >= u->first + (size_t)rows)
		u->first = u->sel - (size_t)rows + 1;
	if (u->first + (size_t)rows > u->nr_idx)
		u->first = u->nr_idx > (size_t)rows ? u->nr_idx - (size_t)rows : 0;
}

static void draw_buffers(struct top_ui *u, int y, int bottom)
{
	struct top_screen *s = u->screen;
	struct top_lines *D = &s->detail;
	char line[TOP_LINE];
	int dh, rows, i;

	D->n = 0;
	if (u->detail_on)
		top_detail_lines(D, &u->detail);
	dh = detail_height(u, bottom - y - 1, D->n);
	top_fmt_table_head(line, sizeof(line), u->sort, u->desc);
	put_line(y++, line, s->role_attr[ROLE_HEAD], true);
	rows = bottom - y - dh;
	s->table_rows = rows;
	follow_selection(u, rows);
	for (i = 0; i < rows && u->first + (size_t)i < u->nr_idx; i++) {
		size_t k = u->first + (size_t)i;
		const struct top_row *r = &u->m->rows[u->idx[k]];

		top_fmt_row(line, sizeof(line), r);
		put_line(y + i, line, row_attr(s, r, k == u->sel), k == u->sel);
	}
	if (!u->nr_idx)
		put_line(y, u->filter[0] ? "  no buffer matches the filter" :
			 "  no buffers", s->role_attr[ROLE_DIM], false);
	if (dh) {
		y = bottom - dh;
		put_line(y++, "Detail (Enter hides)", s->role_attr[ROLE_HEAD], true);
		draw_lines(s, y, bottom, D, 0);
	}
}

static void draw_block(struct top_ui *u, int y, int bottom,
		       const struct top_lines *L)
{
	if (u->scroll >= L->n)
		u->scroll = L->n ? L->n - 1 : 0;
	draw_lines(u->screen, y, bottom, L, u->scroll);
}

static void draw_events(struct top_ui *u, int y, int bottom)
{
	const attr_t *role_attr = u->screen->role_attr;
	const struct top_model *m = u->m;
	char line[TOP_LINE];
	unsigned int i;
	int rows = bottom - y - 1;

	put_line(y++, "      TIME EVENT          (newest first)", role_attr[ROLE_HEAD], true);
	if (!m->ev_count)
		put_line(y, m->events_live ? "  no events yet" :
			 "  not subscribed to events", role_attr[ROLE_DIM], false);
	if (u->scroll >= m->ev_count)
		u->scroll = m->ev_count ? m->ev_count - 1 : 0;
	for (i = (unsigned int)u->scroll; i < m->ev_count && rows > 0; i++, rows--) {
		unsigned int k = (m->ev_head + TOP_EVLOG - 1 - i) % TOP_EVLOG;
		const struct top_event *e = &m->evlog[k];

		top_fmt_event(line, sizeof(line), e, u->t0_ns);
		put_line(y++, line, e->type == DMAPEEK_EVENT_TYPE_STUCK || e->error ?
			 role_attr[ROLE_ALERT] : role_attr[ROLE_PLAIN], false);
	}
}

static void draw_status(const struct top_ui *u, int y)
{
	const attr_t *role_attr = u->screen->role_attr;
	char line[TOP_LINE];

	switch (u->mode) {
	case TOP_MODE_FILTER:
		snprintf(line, sizeof(line), "Filter: %s_  (Enter keeps, Esc clears)",
			 u->filter);
		put_line(y, line, role_attr[ROLE_TITLE], true);
		return;
	case TOP_MODE_INPUT:
	case TOP_MODE_CONFIRM:
		snprintf(line, sizeof(line), "%s%s", u->prompt,
			 u->mode == TOP_MODE_INPUT ? u->input : "");
		put_line(y, line, role_attr[ROLE_ALERT], true);
		return;
	case TOP_MODE_NORMAL:
		break;
	}
	if (u->m->msg[0]) {
		put_line(y, u->m->msg, u->m->msg_err ? role_attr[ROLE_ALERT] :
			 role_attr[ROLE_PLAIN], false);
		return;
	}
	if (u->view == TOP_VIEW_SYSTEM && u->m->sys.read) {
		/* what the page costs, so that its spacing out is no mystery */
		snprintf(line, sizeof(line), "every dma-buf of the system, read in %.1f ms"
			 " (at most a tenth of the time)", (double)u->m->sys.cost_ns / 1e6);
		put_line(y, line, role_attr[ROLE_DIM], false);
		return;
	}
	snprintf(line, sizeof(line), "%zu of %zu buffers shown%s%s%s, sorted by %s%s",
		 u->nr_idx, u->m->nr_rows, u->filter[0] ? " (filter \"" : "",
		 u->filter, u->filter[0] ? "\")" : "", top_col_name(u->sort),
		 u->desc ? " (descending)" : "");
	put_line(y, line, role_attr[ROLE_DIM], false);
}

/* htop's bar: a key in reverse, then what it does. */
static void draw_funcbar(const struct top_screen *s, int y)
{
	static const char *const keys[][2] = {
		{ "F1", "Help" }, { "F4", "Filter" }, { "F6", "SortBy" },
		{ "F9", "Revoke" }, { "F10", "Quit" }, { "1", "Bufs" },
		{ "2", "Provs" }, { "3", "P2P" }, { "4", "Events" }, { "5", "System" },
	};
	size_t i;

	move(y, 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		attrset(A_NORMAL);
		addstr(keys[i][0]);
		attrset(s->role_attr[ROLE_KEY]);
		printw("%-7s", keys[i][1]);
	}
	attrset(s->role_attr[ROLE_KEY]);
	while (getcury(stdscr) == y && getcurx(stdscr) < COLS - 1)
		addch(' ');
	attrset(A_NORMAL);
}

void top_view_draw(struct top_ui *u)
{
	struct top_lines *L = &u->screen->body;
	int y, bottom = LINES - 2;

	erase();
	L->n = 0;
	/* help takes the whole screen; every other view sits under the header */
	y = u->view == TOP_VIEW_HELP ? 0 : draw_header(u) + 1;
	switch (u->view) {
	case TOP_VIEW_BUFFERS:
		draw_buffers(u, y, bottom);
		break;
	case TOP_VIEW_PROVIDERS:
		top_provider_lines(L, u->m->provs, u->m->nr_provs);
		draw_block(u, y, bottom, L);
		break;
	case TOP_VIEW_P2P:
		top_p2p_lines(L, u->m->p2p, u->m->nr_p2p);
		draw_block(u, y, bottom, L);
		break;
	case TOP_VIEW_EVENTS:
		draw_events(u, y, bottom);
		break;
	case TOP_VIEW_SYSTEM:
		top_system_lines(L, &u->m->sys);
		draw_block(u, y, bottom, L);
		break;
	case TOP_VIEW_HELP:
		top_help_lines(L);
		draw_block(u, 0, bottom, L);
		break;
	}
	draw_status(u, LINES - 2);
	draw_funcbar(u->screen, LINES - 1);
	refresh();
}

int top_view_page(const struct top_ui *u)
{
	int rows = u->screen ? u->screen->table_rows : 0;

	return rows > 1 ? rows - 1 : 1;
}
