/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek-top: a live view of dmapeek's buffers, attachments, providers
 * and events, and of every dma-buf of the system.  Three rooms, data
 * flowing one way:
 *
 *   model.c  the data layer: libdmapeek dumps, lookups, events and
 *            operations into the plain structs below.  No curses.
 *            sysmodel.c is the same for the system page.
 *   rows.c   pure functions over those structs: sorting, filtering,
 *            totals and the text of every row and header line.  No
 *            curses, no libdmapeek context (host-tested in
 *            tests/unit/test-top.c); sysrows.c: the system page's;
 *            cols.c: the buffer table's columns, the spec's fields
 *            among them.
 *   view.c   curses drawing of those lines; top.c the poll() loop, keys
 *            and the plain-text --snapshot frame; opts.c its options.
 */
#ifndef DMAPEEK_TOP_H
#define DMAPEEK_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Columns of the buffer table, in the order they are drawn. */
enum top_col {
	TOP_COL_ID,
	TOP_COL_EXPORTER,
	TOP_COL_SIZE,
	TOP_COL_MODEL,
	TOP_COL_PROVIDER,
	TOP_COL_ATTACH,
	TOP_COL_STATE,
	TOP_COL_NAME,		/* last: it takes the rest of the line */
	TOP_COL_MAX,
};

/*
 * Beyond those, column TOP_COL_MAX + i is the buffer's field
 * buffer_fields[i] (tools/fields-gen.c, generated from the netlink spec)
 * when no column above shows it and it is no string: an attribute added to
 * the spec is a sort key and a column ("-o KEY", or sorting by it shows
 * it) with no code here.  Its head is the field's label.  A row keeps the
 * values of those fields only, each in its slot (top_col_slot()): at most
 * TOP_MAX_EXTRA of them (the unit tests fail when the spec outgrows it).
 */
#define TOP_MAX_FIELDS 32
#define TOP_MAX_EXTRA 8

/*
 * One row of the buffer table: a dmapeek buffer, or (with --all) another
 * exporter's dma-buf from the system-wide view, which has no dmapeek id,
 * model, provider or state (all 0).
 */
struct top_row {
	uint32_t id;
	uint32_t model;		/* enum dmapeek_model */
	uint32_t provider;
	uint32_t attachments;
	uint32_t state;		/* enum dmapeek_buffer_state */
	bool stuck;		/* one of its importers never unmapped */
	uint8_t f_has;		/* slot i's field is carried (bit i) */
	uint64_t inode;
	uint64_t size;
	char exporter[32];
	char name[64];
	uint64_t f[TOP_MAX_EXTRA];	/* the value of slot i's field */
};

/* One importer of a buffer (the attachment dump, reduced). */
struct top_att {
	uint32_t id;
	uint32_t buffer_id;
	char importer[32];	/* device name */
	char driver[32];
	uint32_t flags;		/* enum dmapeek_attach_flags bits */
	uint32_t map_type;	/* enum dmapeek_map_type */
	uint32_t behaviour;
	bool mapped;
	bool stuck;
	uint32_t maps, unmaps, invalidations;
	uint64_t last_unmap_latency_ns;
	uint64_t max_unmap_latency_ns;
};

struct top_provider {
	uint32_t id;
	uint32_t kind;		/* enum dmapeek_provider_kind */
	char bdf[16];
	uint32_t bar;
	uint64_t size;
	uint64_t exported;
	uint32_t buffers;
};

struct top_p2p {
	char provider[16];
	char client[16];
	uint32_t map_type;
	int32_t distance;
	uint32_t reason;
};

struct top_event {
	uint64_t ts_ns;
	uint32_t type;		/* enum dmapeek_event_type */
	uint32_t buffer, attachment, mapping, provider;
	uint64_t duration_ns;
	uint32_t count;
	int32_t error;
};

/* A mapping of an attachment, for the detail pane. */
#define TOP_MAX_RANGES 4
struct top_mapping {
	uint32_t id;
	uint32_t path;		/* enum dmapeek_mapping_path */
	uint64_t size;
	unsigned int nr_ranges;	/* all of them; the first TOP_MAX_RANGES kept */
	struct top_range {
		uint64_t offset, len, addr;
		uint32_t kind;
		bool has_addr;
	} ranges[TOP_MAX_RANGES];
	/* the last audit from this tool, if any */
	bool audited;
	uint32_t audit_result;	/* enum dmapeek_audit_result */
	uint64_t audit_pages, audit_mismatches;
};

/* The selected buffer's importers and their mappings. */
#define TOP_DETAIL_ATTS 16
#define TOP_DETAIL_MAPS 32
struct top_detail {
	uint32_t buffer_id;	/* 0: nothing selected */
	unsigned int nr_atts;
	struct top_att atts[TOP_DETAIL_ATTS];
	unsigned int nr_maps;
	struct top_mapping maps[TOP_DETAIL_MAPS];
	uint32_t map_att[TOP_DETAIL_MAPS];	/* attachment of maps[i] */
	int err;			/* 0, or why the rest could not be read */
};

/* Header totals.  Index 0 of the enum arrays counts unknown values. */
#define TOP_NR_MODELS 4		/* 0, pinned, movable, revocable */
#define TOP_NR_STATES 4		/* 0, live, moving, revoked */
#define TOP_NR_MAP_TYPES 5	/* unknown .. thru-host-bridge */
#define TOP_MAX_EXPORTERS 8
struct top_totals {
	unsigned int buffers;
	uint64_t bytes;
	unsigned int by_model[TOP_NR_MODELS];
	uint64_t bytes_by_model[TOP_NR_MODELS];
	unsigned int by_state[TOP_NR_STATES];
	unsigned int nr_exporters;
	struct {
		char name[32];
		unsigned int buffers;
		uint64_t bytes;
	} exporters[TOP_MAX_EXPORTERS];	/* the last one gathers the rest */
	unsigned int attachments;
	unsigned int by_map_type[TOP_NR_MAP_TYPES];
	unsigned int stuck;
};

/* ------------------------------------------------------------ rows.c */

/*
 * The column a sort key names ("size", a prefix "siz", or "SIZE"; a
 * buffer field's key, alias or label for the columns beyond); -1.
 */
int top_col_parse(const char *s);
const char *top_col_name(enum top_col col);
/* The columns there are: the fixed ones and the buffer's fields beyond. */
int top_nr_cols(void);
/* The column after (@dir 1) or before (-1) @col, round. */
int top_col_next(int col, int dir);
/* Show or hide a column beyond TOP_COL_MAX (the fixed ones always show). */
void top_col_show(int col, bool on);
bool top_col_shown(int col);
/* Show the columns of the bits of @cols and the sort column @sort. */
void top_cols_init(uint64_t cols, int sort);
/* "pins,moves" into bits of @cols; -1 with the unknown key in @bad. */
int top_cols_parse(const char *list, uint64_t *cols, char *bad, size_t len);
/* The field a column beyond the fixed ones shows, or NULL (no such column). */
struct field;
const struct field *top_col_field(int col);
/* Column @col's slot in top_row.f, -1 for none; the field of slot @s. */
int top_col_slot(int col);
unsigned int top_nr_slots(void);
const struct field *top_slot_field(unsigned int s);
/* The @i-th column drawn (the shown fields go before NAME), or -1. */
int top_col_at(int i);
/* The head of a column into @buf; returns its width (< 0: aligned left). */
int top_col_head(int col, char *buf, size_t len);
int top_col_width(int col);
/* qsort comparison of two rows by @col, ties broken by id then inode. */
int top_row_cmp(const struct top_row *a, const struct top_row *b,
		enum top_col col);
/* Sort @idx (indices into @rows) by @col, descending when @desc. */
void top_sort(const struct top_row *rows, size_t *idx, size_t n,
	      enum top_col col, bool desc);
/* Does @row match @filter (case-insensitive, in any of its cells)? */
bool top_row_matches(const struct top_row *row, const char *filter);
/* Fill @idx with the rows matching @filter, sorted; returns how many. */
size_t top_select(const struct top_row *rows, size_t n, const char *filter,
		  enum top_col col, bool desc, size_t *idx);

void top_totals(const struct top_row *rows, size_t nr_rows,
		const struct top_att *atts, size_t nr_atts,
		struct top_totals *t);
/* One importer into @t's attachment counts (top_totals() counts @atts so). */
void top_count_att(struct top_totals *t, const struct top_att *a);
/* @atts' attachment counts (from top_count_att()) added to @t's. */
void top_totals_add_atts(struct top_totals *t, const struct top_totals *atts);
/* A row is stuck when one of its importers (in @atts) is. */
void top_mark_stuck(struct top_row *rows, size_t nr_rows,
		    const struct top_att *atts, size_t nr_atts);

/* Cells and rows (never longer than @len - 1, always terminated). */
void top_fmt_size(char *buf, size_t len, uint64_t v);
void top_fmt_cell(char *buf, size_t len, const struct top_row *r,
		  enum top_col col);
void top_fmt_table_head(char *buf, size_t len, enum top_col sort, bool desc);
void top_fmt_row(char *buf, size_t len, const struct top_row *r);
void top_fmt_event(char *buf, size_t len, const struct top_event *e,
		   uint64_t t0_ns);

/*
 * Blocks of lines (header, detail pane, providers, P2P matrix, help):
 * each line carries how it should stand out; view.c maps that to colours
 * or, on a monochrome terminal, to bold and reverse.
 */
#define TOP_LINE 256
#define TOP_MAX_LINES 192
enum top_attr { TOP_A_PLAIN, TOP_A_TITLE, TOP_A_ALERT, TOP_A_DIM };
struct top_lines {
	size_t n;
	struct {
		char text[TOP_LINE];
		enum top_attr attr;
	} l[TOP_MAX_LINES];
};
void top_lines_add(struct top_lines *L, enum top_attr attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct top_hdr_ctx {
	const struct top_totals *t;
	const struct top_provider *provs;
	size_t nr_provs;
	const struct top_att *atts;	/* to name the stuck importers */
	size_t nr_atts;
	double events_per_s;
	uint64_t events_total;
	uint64_t events_lost;
	bool events_live;		/* subscribed; else refresh only */
};
void top_header_lines(struct top_lines *L, const struct top_hdr_ctx *h);
void top_detail_lines(struct top_lines *L, const struct top_detail *d);
void top_provider_lines(struct top_lines *L, const struct top_provider *p,
			size_t n);
void top_p2p_lines(struct top_lines *L, const struct top_p2p *cells, size_t n);
void top_help_lines(struct top_lines *L);

/*
 * The system page: every dma-buf of the system (libdmapeek's system-wide
 * view), by process and by exporter, with what changed since the
 * previous refresh of the page.
 */
struct top_sys_group {
	int pid;		/* a process; 0: no process; -1: an exporter */
	char name[32];		/* its comm ("kernel"/"unknown" for 0), exporter */
	uint64_t buffers, bytes;	/* now */
	int64_t d_buffers, d_bytes;	/* since the previous refresh */
	unsigned int appeared, gone;
};

#define TOP_SYS_HOLDERS 3
#define TOP_SYS_ATTS 3
struct top_sys_buf {
	uint64_t inode, size;
	char exporter[32];
	char name[64];
	unsigned int flags;	/* enum dmapeek_sysbuf_flags */
	bool fresh;		/* appeared since the previous refresh */
	unsigned int nr_holders;	/* all of them; the first few kept */
	struct {
		int pid;
		char comm[16];
		unsigned int how;	/* enum dmapeek_hold */
	} holders[TOP_SYS_HOLDERS];
	/* as root (top_system.attachments): its importers and their flags */
	int att_err;		/* 0, or why they are unknown (a positive errno) */
	unsigned int nr_atts;	/* all of them; the first few kept */
	struct {
		char device[16];	/* dev_name(), cut to fit */
		uint32_t flags;		/* enum dmapeek_attach_flags */
	} atts[TOP_SYS_ATTS];
};

struct top_system {
	bool read;		/* read at least once */
	bool has_prev;		/* ... twice: the changes mean something */
	bool attachments;	/* the attachments' flags were asked for (root) */
	uint64_t interval_ns;	/* between the last two reads */
	uint64_t cost_ns;	/* what the last read took */
	uint64_t buffers, bytes;
	unsigned int appeared, gone;
	char sources[128];	/* the sources that could not be read, or "" */
	struct top_sys_group *procs, *exps;
	size_t nr_procs, cap_procs, nr_exps, cap_exps;
	struct top_sys_buf *bufs;	/* by inode */
	size_t nr_bufs, cap_bufs;
};

/* sysrows.c: the page's lines (pure, as rows.c) */
void top_system_lines(struct top_lines *L, const struct top_system *s);
/* "4242 leaker fd, 77 viewer mmap" or "kernel (no fd, no mapping)" */
void top_fmt_holders(char *buf, size_t len, const struct top_sys_buf *b);
/* "2: dyn+p2p+rev, static+pin", "0", "? no fd" (root's column) */
void top_fmt_attachments(char *buf, size_t len, const struct top_sys_buf *b);

/* ----------------------------------------------------------- model.c */

struct dmapeek;
struct dmapeek_sysview;

#define TOP_EVLOG 512

struct top_model {
	struct dmapeek *ctx;
	bool all;			/* add the system-wide view's dma-bufs */
	bool events_live;		/* subscribed to the events group */

	struct top_row *rows;
	size_t nr_rows, cap_rows;
	struct top_att *atts;		/* the stuck importers only */
	size_t nr_atts, cap_atts;
	struct top_totals att_totals;	/* every importer, counted */
	struct top_provider *provs;
	size_t nr_provs, cap_provs;
	struct top_p2p *p2p;
	size_t nr_p2p, cap_p2p;
	struct top_totals totals;

	/* the event log: a ring, newest at (ev_head - 1) */
	struct top_event evlog[TOP_EVLOG];
	unsigned int ev_head, ev_count;
	uint64_t ev_total, ev_lost;
	uint64_t ev_window_start_ns, ev_window_count;
	double ev_rate;

	/* buffers the events named since the last update */
	uint32_t *dirty;
	size_t nr_dirty, cap_dirty;
	bool need_full;			/* events were lost: dump everything */
	bool apply_pending;		/* events marked rows to re-read */
	bool atts_changed;		/* ... and importers changed */

	/* audits done from this tool, by mapping id */
	struct top_audit_memo {
		uint32_t mapping_id, result;
		uint64_t pages, mismatches;
	} audits[64];
	unsigned int nr_audits;

	/* the system page (sysmodel.c): its last view, kept to diff the next */
	struct top_system sys;
	struct dmapeek_sysview *sys_prev;

	char msg[160];			/* the last outcome, for the status line */
	bool msg_err;			/* ... and whether it was a failure */
};

int top_model_open(struct top_model *m, bool all);
void top_model_close(struct top_model *m);
/* Dump everything again (providers, buffers, attachments[, system]). */
int top_model_refresh(struct top_model *m, bool with_p2p);
int top_model_event_fd(const struct top_model *m);
/* Read pending events and mark the rows they name; true when any came. */
bool top_model_events(struct top_model *m);
/* Re-read the rows events marked; true when there were any. */
bool top_model_apply(struct top_model *m);
/* Update the event rate over the window ending now. */
void top_model_tick(struct top_model *m);
int top_model_detail(struct top_model *m, uint32_t buffer_id,
		     struct top_detail *d);
const struct top_row *top_model_row(const struct top_model *m, uint32_t id);

/* Operations; the outcome is told in m->msg.  Return 0 or -errno. */
int top_model_move(struct top_model *m, uint32_t buffer_id, uint32_t provider);
int top_model_revoke(struct top_model *m, uint32_t buffer_id);
int top_model_restore(struct top_model *m, uint32_t buffer_id);
int top_model_audit(struct top_model *m, uint32_t buffer_id);
/* Does this process have CAP_SYS_ADMIN (in its effective set)? */
bool top_have_admin(void);

/* sysmodel.c: read the system page again (0 or -errno, told in m->msg) */
int top_model_system(struct top_model *m);
void top_model_system_free(struct top_model *m);

/* ---------------------------------------------------- opts.c, top.c, view.c */

/* Exit codes, as dmapeek(8)'s. */
enum { EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOMODULE };


enum top_view {
	TOP_VIEW_BUFFERS,
	TOP_VIEW_PROVIDERS,
	TOP_VIEW_P2P,
	TOP_VIEW_EVENTS,
	TOP_VIEW_SYSTEM,
	TOP_VIEW_HELP,
};

/* The command line (opts.c). */
struct top_opts {
	double delay;
	bool snapshot, no_color, all;
	int sort;
	bool desc;
	uint64_t cols;			/* -o: the columns beyond the fixed ones */
	const char *filter;
	enum top_view view;
};
/* -1 to go on, else the exit code (help and version exit 0 themselves). */
int top_parse_opts(int argc, char **argv, struct top_opts *o);

/* What the keys are doing: moving around, or typing into a prompt. */
enum top_mode {
	TOP_MODE_NORMAL,
	TOP_MODE_FILTER,	/* typing the filter */
	TOP_MODE_INPUT,		/* typing a move's target provider */
	TOP_MODE_CONFIRM,	/* y/N on an operation */
};

/* The screen's state: what is shown and selected, not the data. */
struct top_ui {
	struct top_model *m;
	enum top_view view, back;	/* back: where help returns to */
	enum top_mode mode;
	enum top_col sort;
	bool desc;
	uint64_t cols_user;		/* the columns -o asked for (bit col) */
	char filter[64];
	char input[16];
	char prompt[160];
	int action;			/* the key of the pending operation */
	uint32_t target;		/* a move's target provider */

	size_t *idx;			/* visible rows: indices into m->rows */
	size_t nr_idx, cap_idx;
	size_t sel, first;		/* selected and first shown, in idx */
	uint32_t sel_id;		/* the selection, kept across refreshes */
	uint64_t sel_inode;
	size_t scroll;			/* first line of the other views */

	bool detail_on;
	struct top_detail detail;
	bool color;
	bool admin;
	double delay;
	uint64_t t0_ns;			/* event log times are relative to it */
	uint64_t next_full_ns;		/* no full refresh before (top.c) */
	uint64_t next_system_ns;	/* no read of the system page before */
	struct top_screen *screen;	/* view.c's, while the screen is in use */
};

/* The screen's colours and what drawing keeps between frames; NULL: ENOMEM. */
struct top_screen *top_view_init(bool color);
void top_view_free(struct top_screen *s);
void top_view_draw(struct top_ui *u);
/* Rows of the table the screen shows now (for PgUp/PgDn). */
int top_view_page(const struct top_ui *u);

#endif /* DMAPEEK_TOP_H */
