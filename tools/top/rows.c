// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek-top: the pure part.  Sorting, filtering, header totals and the
 * text of every row and line, from the plain structs of top.h.  Nothing
 * here talks to the kernel or to curses, so the snapshot mode, the TUI
 * and the host unit tests all print through these same functions.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dmapeek.h>

#include "fields.h"
#include "json_print.h"
#include "top.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ sorting */

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

int top_row_cmp(const struct top_row *a, const struct top_row *b,
		enum top_col col)
{
	int r = 0;

	switch (col) {
	case TOP_COL_ID: r = CMP(a->id, b->id); break;
	case TOP_COL_EXPORTER: r = strcmp(a->exporter, b->exporter); break;
	case TOP_COL_SIZE: r = CMP(a->size, b->size); break;
	case TOP_COL_MODEL: r = CMP(a->model, b->model); break;
	case TOP_COL_PROVIDER: r = CMP(a->provider, b->provider); break;
	case TOP_COL_ATTACH: r = CMP(a->attachments, b->attachments); break;
	case TOP_COL_STATE: r = CMP(a->state, b->state); break;
	case TOP_COL_NAME: r = strcmp(a->name, b->name); break;
	case TOP_COL_MAX: break;
	default: {
		int slot = top_col_slot((int)col);

		if (slot >= 0)
			r = CMP(a->f[slot], b->f[slot]);
		break;
	}
	}
	if (r)
		return r;
	/* a stable order among equals, so rows do not jump between frames */
	r = CMP(a->id, b->id);
	return r ? r : CMP(a->inode, b->inode);
}

struct sort_arg {
	const struct top_row *rows;
	enum top_col col;
	bool desc;
};

static int idx_cmp(const void *pa, const void *pb, void *parg)
{
	const struct sort_arg *s = parg;
	int r = top_row_cmp(&s->rows[*(const size_t *)pa],
			    &s->rows[*(const size_t *)pb], s->col);

	return s->desc ? -r : r;
}

void top_sort(const struct top_row *rows, size_t *idx, size_t n,
	      enum top_col col, bool desc)
{
	struct sort_arg s = { rows, col, desc };
	size_t i;

	/*
	 * The dumps come in id order, the default sort, and a frame seldom
	 * reorders the last one's rows: one pass finds most sorts done.
	 */
	for (i = 1; i < n && idx_cmp(&idx[i - 1], &idx[i], &s) <= 0; i++)
		;
	if (i < n)
		qsort_r(idx, n, sizeof(*idx), idx_cmp, &s);
}

bool top_row_matches(const struct top_row *row, const char *filter)
{
	char cell[96];
	int c;

	if (!filter || !*filter)
		return true;
	for (c = 0; c < top_nr_cols(); c++) {
		if (!top_col_shown(c))
			continue;
		top_fmt_cell(cell, sizeof(cell), row, c);
		if (strcasestr(cell, filter))
			return true;
	}
	return false;
}

size_t top_select(const struct top_row *rows, size_t n, const char *filter,
		  enum top_col col, bool desc, size_t *idx)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (top_row_matches(&rows[i], filter))
			idx[k++] = i;
	top_sort(rows, idx, k, col, desc);
	return k;
}

/* ------------------------------------------------------------- totals */

static void add_exporter(struct top_totals *t, const struct top_row *r)
{
	const char *name = r->exporter[0] ? r->exporter : "?";
	unsigned int i;

	for (i = 0; i < t->nr_exporters; i++)
		if (!strcmp(t->exporters[i].name, name))
			break;
	if (i == t->nr_exporters) {
		if (i == TOP_MAX_EXPORTERS) {
			/* the last slot gathers every further exporter */
			i = TOP_MAX_EXPORTERS - 1;
			snprintf(t->exporters[i].name, sizeof(t->exporters[i].name),
				 "others");
		} else {
			snprintf(t->exporters[i].name, sizeof(t->exporters[i].name),
				 "%s", name);
			t->nr_exporters++;
		}
	}
	t->exporters[i].buffers++;
	t->exporters[i].bytes += r->size;
}

void top_totals(const struct top_row *rows, size_t nr_rows,
		const struct top_att *atts, size_t nr_atts,
		struct top_totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < nr_rows; i++) {
		const struct top_row *r = &rows[i];
		unsigned int m = r->model < TOP_NR_MODELS ? r->model : 0;

		t->buffers++;
		t->bytes += r->size;
		t->by_model[m]++;
		t->bytes_by_model[m] += r->size;
		t->by_state[r->state < TOP_NR_STATES ? r->state : 0]++;
		add_exporter(t, r);
	}
	for (i = 0; i < nr_atts; i++)
		top_count_att(t, &atts[i]);
}

void top_count_att(struct top_totals *t, const struct top_att *a)
{
	t->attachments++;
	t->by_map_type[a->map_type < TOP_NR_MAP_TYPES ? a->map_type : 0]++;
	t->stuck += a->stuck;
}

void top_totals_add_atts(struct top_totals *t, const struct top_totals *atts)
{
	unsigned int i;

	t->attachments += atts->attachments;
	t->stuck += atts->stuck;
	for (i = 0; i < TOP_NR_MAP_TYPES; i++)
		t->by_map_type[i] += atts->by_map_type[i];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return CMP(x, y);
}

void top_mark_stuck(struct top_row *rows, size_t nr_rows,
		    const struct top_att *atts, size_t nr_atts)
{
	uint32_t *ids;
	size_t i, j, n = 0;

	for (i = 0; i < nr_rows; i++)
		rows[i].stuck = false;
	for (j = 0; j < nr_atts; j++)
		n += atts[j].stuck;
	if (!n)
		return;
	/*
	 * The stuck importers' buffers, sorted, and a search per row: with
	 * 100,000 rows a scan of every row per stuck importer was quadratic.
	 */
	ids = malloc(n * sizeof(*ids));
	if (!ids) {
		for (j = 0; j < nr_atts; j++)
			for (i = 0; atts[j].stuck && i < nr_rows; i++)
				if (rows[i].id && rows[i].id == atts[j].buffer_id)
					rows[i].stuck = true;
		return;
	}
	for (j = 0, n = 0; j < nr_atts; j++)
		if (atts[j].stuck)
			ids[n++] = atts[j].buffer_id;
	qsort(ids, n, sizeof(*ids), cmp_u32);
	for (i = 0; i < nr_rows; i++)
		rows[i].stuck = rows[i].id &&
				bsearch(&rows[i].id, ids, n, sizeof(*ids), cmp_u32);
	free(ids);
}

/* -------------------------------------------------------------- cells */

void top_fmt_size(char *buf, size_t len, uint64_t v)
{
	fmt_size(buf, len, v);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/*
 * A cell's text: what snprintf(buf, len, "%s" or PRIu32) writes, without
 * its format parsing; a snapshot formats every row (bench-scale profile).
 */
static void cell_str(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static void cell_u32(char *buf, size_t len, uint32_t v)
{
	char num[12], *p = num + sizeof(num);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	cell_str(buf, len, p);
}

void top_fmt_cell(char *buf, size_t len, const struct top_row *r,
		  enum top_col col)
{
	bool ours = r->id != 0;	/* a dmapeek buffer, not a foreign dma-buf */

	switch (col) {
	case TOP_COL_ID:
		if (ours)
			cell_u32(buf, len, r->id);
		else
			cell_str(buf, len, "-");
		break;
	case TOP_COL_EXPORTER:
		cell_str(buf, len, or_dash(r->exporter));
		break;
	case TOP_COL_SIZE:
		top_fmt_size(buf, len, r->size);
		break;
	case TOP_COL_MODEL:
		cell_str(buf, len, or_dash(dmapeek_model_str(r->model)));
		break;
	case TOP_COL_PROVIDER:
		if (ours)
			cell_u32(buf, len, r->provider);
		else
			cell_str(buf, len, "-");
		break;
	case TOP_COL_ATTACH:
		cell_u32(buf, len, r->attachments);
		break;
	case TOP_COL_STATE:
		cell_str(buf, len, or_dash(dmapeek_buffer_state_str(r->state)));
		break;
	case TOP_COL_NAME:
		cell_str(buf, len, r->name);
		break;
	default: {
		const struct field *f = top_col_field((int)col);
		int i = top_col_slot((int)col);

		if (!f || i < 0)
			cell_str(buf, len, "?");
		else if (!(r->f_has & (1U << i)))
			cell_str(buf, len, "-");
		else
			field_fmt_value(f, r->f[i], buf, len);
		break;
	}
	}
}

/* Append @s padded to column @col's width to @buf at *@pos. */
/*
 * @s in @col's width (a negative width aligns left; longer text is cut)
 * and a blank, as "%*.*s " writes it; NAME, the last, as it is.
 */
static void put_col(char *buf, size_t len, size_t *pos, enum top_col col,
		    const char *s)
{
	int w = top_col_width((int)col);
	size_t aw = (size_t)abs(w), n = strlen(s), pad, need;
	char *o;

	if (*pos >= len)
		return;
	if (col == TOP_COL_NAME) {
		aw = n;
		w = 0;
	}
	if (n > aw)
		n = aw;
	pad = aw - n;
	need = aw + (col != TOP_COL_NAME);
	if (need >= len - *pos) {
		/* what snprintf would cut: rare, and never on a screen's row */
		int k = col == TOP_COL_NAME ?
			snprintf(buf + *pos, len - *pos, "%s", s) :
			snprintf(buf + *pos, len - *pos, "%*.*s ", w, abs(w), s);

		if (k > 0)
			*pos += (size_t)k;
		return;
	}
	o = buf + *pos;
	if (w > 0) {
		memset(o, ' ', pad);
		o += pad;
	}
	memcpy(o, s, n);
	o += n;
	if (w < 0) {
		memset(o, ' ', pad);
		o += pad;
	}
	if (col != TOP_COL_NAME)
		*o++ = ' ';
	*o = '\0';
	*pos += need;
}

void top_fmt_table_head(char *buf, size_t len, enum top_col sort, bool desc)
{
	char h[32], hd[40];
	size_t pos = 0;
	int i, c;

	buf[0] = '\0';
	for (i = 0; (c = top_col_at(i)) >= 0; i++) {
		top_col_head(c, h, sizeof(h));
		/* the sort column carries its direction, as htop's does */
		snprintf(hd, sizeof(hd), "%s%s", h, c == (int)sort ? desc ? "v" : "^" : "");
		put_col(buf, len, &pos, c, hd);
	}
}

void top_fmt_row(char *buf, size_t len, const struct top_row *r)
{
	char cell[96];
	size_t pos = 0;
	int i, c;

	buf[0] = '\0';
	for (i = 0; (c = top_col_at(i)) >= 0; i++) {
		top_fmt_cell(cell, sizeof(cell), r, c);
		put_col(buf, len, &pos, c, cell);
	}
}

void top_fmt_event(char *buf, size_t len, const struct top_event *e,
		   uint64_t t0_ns)
{
	const char *type = dmapeek_event_type_str(e->type);
	uint64_t rel = e->ts_ns >= t0_ns ? e->ts_ns - t0_ns : 0;
	char dur[32];
	int n;

	n = snprintf(buf, len, "%10.3f %-14s", rel / 1e9, type ? type : "?");
	if (n < 0 || (size_t)n >= len)
		return;
	/* only the ids the event carries */
#define MORE(cond, ...) do { \
	if ((cond) && (size_t)n < len) { \
		int k = snprintf(buf + n, len - (size_t)n, __VA_ARGS__); \
		if (k > 0) \
			n += k; \
	} \
} while (0)
	MORE(e->buffer, " buffer %" PRIu32, e->buffer);
	MORE(e->attachment, " attachment %" PRIu32, e->attachment);
	MORE(e->mapping, " mapping %" PRIu32, e->mapping);
	MORE(e->provider, " provider %" PRIu32, e->provider);
	if (e->duration_ns)
		fmt_ns(dur, sizeof(dur), e->duration_ns);
	MORE(e->duration_ns, " took %s", dur);
	MORE(e->count, " count %" PRIu32, e->count);
	MORE(e->error, " error %" PRId32, e->error);
#undef MORE
}

/* -------------------------------------------------------------- lines */

void top_lines_add(struct top_lines *L, enum top_attr attr, const char *fmt, ...)
{
	va_list ap;

	if (L->n >= TOP_MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(L->l[L->n].text, TOP_LINE, fmt, ap);
	va_end(ap);
	L->l[L->n].attr = attr;
	L->n++;
}

/* A line built piece by piece. */
struct line {
	char s[TOP_LINE];
	size_t n;
};

static void lput(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lput(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n = l->n + (size_t)k < sizeof(l->s) ? l->n + (size_t)k : sizeof(l->s) - 1;
}

static const char *enum_name(const char *s)
{
	return s ? s : "?";
}

static void header_buffers(struct top_lines *L, const struct top_totals *t)
{
	struct line l = { .n = 0 };
	char sz[32];
	unsigned int i;

	top_fmt_size(sz, sizeof(sz), t->bytes);
	lput(&l, "Buffers: %u, %s;", t->buffers, sz);
	for (i = 1; i < TOP_NR_STATES; i++)
		lput(&l, " %s %u", enum_name(dmapeek_buffer_state_str(i)), t->by_state[i]);
	top_lines_add(L, TOP_A_PLAIN, "%s", l.s);

	l.n = 0;
	lput(&l, "Models:");
	for (i = 1; i < TOP_NR_MODELS; i++) {
		top_fmt_size(sz, sizeof(sz), t->bytes_by_model[i]);
		lput(&l, " %s %u (%s)", enum_name(dmapeek_model_str(i)), t->by_model[i], sz);
	}
	if (t->by_model[0]) {
		top_fmt_size(sz, sizeof(sz), t->bytes_by_model[0]);
		lput(&l, " other %u (%s)", t->by_model[0], sz);
	}
	top_lines_add(L, TOP_A_PLAIN, "%s", l.s);

	l.n = 0;
	lput(&l, "Exporters:");
	if (!t->nr_exporters)
		lput(&l, " none");
	for (i = 0; i < t->nr_exporters; i++) {
		top_fmt_size(sz, sizeof(sz), t->exporters[i].bytes);
		lput(&l, " %s %u (%s)", t->exporters[i].name,
		     t->exporters[i].buffers, sz);
	}
	top_lines_add(L, TOP_A_PLAIN, "%s", l.s);
}

static void header_attachments(struct top_lines *L, const struct top_totals *t)
{
	struct line l = { .n = 0 };
	unsigned int i;

	lput(&l, "Attachments: %u;", t->attachments);
	for (i = 1; i < TOP_NR_MAP_TYPES; i++)
		lput(&l, " %s %u", enum_name(dmapeek_map_type_str(i)), t->by_map_type[i]);
	if (t->by_map_type[0])
		lput(&l, " unknown %u", t->by_map_type[0]);
	top_lines_add(L, TOP_A_PLAIN, "%s", l.s);
}

/* "system" or "0000:00:03.0/2" (the BAR): how a provider is named. */
static void provider_label(char *buf, size_t len, const struct top_provider *p)
{
	if (p->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR && p->bdf[0])
		snprintf(buf, len, "%s/bar%" PRIu32, p->bdf, p->bar);
	else
		snprintf(buf, len, "%s", enum_name(dmapeek_provider_kind_str(p->kind)));
}

static void header_providers(struct top_lines *L, const struct top_provider *p,
			     size_t n)
{
	struct line l = { .n = 0 };
	char name[48], sz[32];
	size_t i;

	lput(&l, "Providers: %zu;", n);
	for (i = 0; i < n; i++) {
		provider_label(name, sizeof(name), &p[i]);
		top_fmt_size(sz, sizeof(sz), p[i].exported);
		lput(&l, " %" PRIu32 " %s %s exported%s", p[i].id, name, sz,
		     i + 1 < n ? "," : "");
	}
	top_lines_add(L, TOP_A_PLAIN, "%s", l.s);
}

static void header_stuck(struct top_lines *L, const struct top_hdr_ctx *h)
{
	struct line l = { .n = 0 };
	size_t i;

	if (!h->t->stuck) {
		top_lines_add(L, TOP_A_PLAIN, "Stuck importers: none");
		return;
	}
	lput(&l, "Stuck importers: %u:", h->t->stuck);
	for (i = 0; i < h->nr_atts; i++)
		if (h->atts[i].stuck)
			lput(&l, " attachment %" PRIu32 " of buffer %" PRIu32 " (%s)",
			     h->atts[i].id, h->atts[i].buffer_id,
			     h->atts[i].importer[0] ? h->atts[i].importer : "?");
	top_lines_add(L, TOP_A_ALERT, "%s", l.s);
}

void top_header_lines(struct top_lines *L, const struct top_hdr_ctx *h)
{
	header_buffers(L, h->t);
	header_attachments(L, h->t);
	header_providers(L, h->provs, h->nr_provs);
	if (h->events_live)
		top_lines_add(L, TOP_A_PLAIN, "Events: %.1f/s, %" PRIu64
			      " seen, %" PRIu64 " lost", h->events_per_s,
			      h->events_total, h->events_lost);
	else
		top_lines_add(L, TOP_A_DIM, "Events: not subscribed (periodic refresh only)");
	header_stuck(L, h);
}

static void flags_text(char *buf, size_t len, uint32_t flags)
{
	struct line l = { .n = 0 };
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		const char *n;

		if (!(flags & (1U << bit)))
			continue;
		n = dmapeek_attach_flag_str(bit);
		if (n)
			lput(&l, "%s%s", l.n ? "," : "", n);
		else
			lput(&l, "%sbit%u", l.n ? "," : "", bit);
	}
	snprintf(buf, len, "%s", l.n ? l.s : "none");
}

static void detail_mapping(struct top_lines *L, const struct top_mapping *m)
{
	char sz[32], rl[32];
	unsigned int i;

	top_fmt_size(sz, sizeof(sz), m->size);
	if (m->audited) {
		top_lines_add(L, m->audit_result == DMAPEEK_AUDIT_RESULT_MISMATCH ?
			      TOP_A_ALERT : TOP_A_PLAIN,
			      "    mapping %" PRIu32 " %s %s, audit %s (%" PRIu64
			      " pages, %" PRIu64 " mismatches)", m->id,
			      enum_name(dmapeek_mapping_path_str(m->path)), sz,
			      enum_name(dmapeek_audit_result_str(m->audit_result)),
			      m->audit_pages, m->audit_mismatches);
	} else {
		top_lines_add(L, TOP_A_PLAIN, "    mapping %" PRIu32 " %s %s, audit not run",
			      m->id, enum_name(dmapeek_mapping_path_str(m->path)), sz);
	}
	for (i = 0; i < m->nr_ranges && i < TOP_MAX_RANGES; i++) {
		const struct top_range *r = &m->ranges[i];
		char addr[40];

		top_fmt_size(rl, sizeof(rl), r->len);
		/* the module sends addresses to CAP_SYS_ADMIN only */
		if (r->has_addr)
			snprintf(addr, sizeof(addr), "%#" PRIx64 " %s", r->addr,
				 r->kind ? enum_name(dmapeek_addr_kind_str(r->kind)) : "");
		else
			snprintf(addr, sizeof(addr), "hidden (needs CAP_SYS_ADMIN)");
		top_lines_add(L, TOP_A_PLAIN, "      range +%#" PRIx64 " %s at %s",
			      r->offset, rl, addr);
	}
	if (m->nr_ranges > TOP_MAX_RANGES)
		top_lines_add(L, TOP_A_DIM, "      ... %u more ranges",
			      m->nr_ranges - TOP_MAX_RANGES);
}

static void detail_att(struct top_lines *L, const struct top_detail *d,
		       const struct top_att *a)
{
	char fl[TOP_LINE], last[32], max[32];
	unsigned int i;

	flags_text(fl, sizeof(fl), a->flags);
	top_lines_add(L, a->stuck ? TOP_A_ALERT : TOP_A_TITLE,
		      "  attachment %" PRIu32 ": importer %s (%s), %s, flags %s%s",
		      a->id, a->importer[0] ? a->importer : "?",
		      a->driver[0] ? a->driver : "?",
		      enum_name(dmapeek_map_type_str(a->map_type)), fl,
		      a->stuck ? ", STUCK" : "");
	fmt_ns(last, sizeof(last), a->last_unmap_latency_ns);
	fmt_ns(max, sizeof(max), a->max_unmap_latency_ns);
	top_lines_add(L, TOP_A_PLAIN, "    %s, maps %" PRIu32 ", unmaps %" PRIu32
		      ", invalidations %" PRIu32 ", unmap took %s (max %s)",
		      a->mapped ? "mapped" : "not mapped", a->maps, a->unmaps,
		      a->invalidations, a->unmaps ? last : "-",
		      a->unmaps ? max : "-");
	for (i = 0; i < d->nr_maps; i++)
		if (d->map_att[i] == a->id)
			detail_mapping(L, &d->maps[i]);
}

void top_detail_lines(struct top_lines *L, const struct top_detail *d)
{
	unsigned int i;

	if (!d->buffer_id) {
		top_lines_add(L, TOP_A_DIM, "No buffer selected");
		return;
	}
	top_lines_add(L, TOP_A_TITLE, "Buffer %" PRIu32 ": %u importer%s",
		      d->buffer_id, d->nr_atts, d->nr_atts == 1 ? "" : "s");
	if (!d->nr_atts)
		top_lines_add(L, TOP_A_DIM, "  no attachments");
	for (i = 0; i < d->nr_atts; i++)
		detail_att(L, d, &d->atts[i]);
	if (d->err)
		top_lines_add(L, TOP_A_ALERT, "  (could not read the rest: %s)",
			      strerror(d->err < 0 ? -d->err : d->err));
}

void top_provider_lines(struct top_lines *L, const struct top_provider *p,
			size_t n)
{
	char name[48], sz[32], ex[32];
	size_t i;

	top_lines_add(L, TOP_A_TITLE, "%4s %-8s %-18s %9s %9s %7s", "ID", "KIND",
		      "WHERE", "SIZE", "EXPORTED", "BUFFERS");
	for (i = 0; i < n; i++) {
		provider_label(name, sizeof(name), &p[i]);
		top_fmt_size(sz, sizeof(sz), p[i].size);
		top_fmt_size(ex, sizeof(ex), p[i].exported);
		top_lines_add(L, TOP_A_PLAIN, "%4" PRIu32 " %-8s %-18s %9s %9s %7" PRIu32,
			      p[i].id, enum_name(dmapeek_provider_kind_str(p[i].kind)),
			      name, sz, ex, p[i].buffers);
	}
	if (!n)
		top_lines_add(L, TOP_A_DIM, "no providers (bind a device: dmapeek bind BDF)");
}

#define P2P_MAX 24
static int bdf_slot(char (*list)[16], size_t *n, const char *bdf)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(list[i], bdf))
			return (int)i;
	if (*n == P2P_MAX)
		return -1;
	snprintf(list[*n], 16, "%s", bdf);
	return (int)(*n)++;
}

void top_p2p_lines(struct top_lines *L, const struct top_p2p *cells, size_t n)
{
	char prov[P2P_MAX][16], cli[P2P_MAX][16];
	size_t np = 0, nc = 0, i, j;
	struct line l = { .n = 0 };

	for (i = 0; i < n; i++) {
		bdf_slot(prov, &np, cells[i].provider);
		bdf_slot(cli, &nc, cells[i].client);
	}
	lput(&l, "%-14s", "provider\\client");
	for (j = 0; j < nc; j++)	/* the device and function: "03.0" */
		lput(&l, " %-7s", cli[j] + (strlen(cli[j]) > 7 ? strlen(cli[j]) - 7 : 0));
	top_lines_add(L, TOP_A_TITLE, "%s", l.s);
	for (i = 0; i < np; i++) {
		l.n = 0;
		lput(&l, "%-14s", prov[i]);
		for (j = 0; j < nc; j++) {
			const char *t = "";
			size_t k;

			for (k = 0; k < n; k++)
				if (!strcmp(cells[k].provider, prov[i]) &&
				    !strcmp(cells[k].client, cli[j]))
					t = dmapeek_map_type_abbrev(cells[k].map_type);
			lput(&l, " %-7s", t);
		}
		top_lines_add(L, TOP_A_PLAIN, "%s", l.s);
	}
	if (!n)
		top_lines_add(L, TOP_A_DIM, "no P2P pairs (bind devices: dmapeek bind BDF)");
	top_lines_add(L, TOP_A_PLAIN, "%s", "");
	top_lines_add(L, TOP_A_DIM, "BUS bus addresses through a switch, HB through the host"
		      " bridge, NS not supported, X no P2P involved");
}

void top_help_lines(struct top_lines *L)
{
	static const char *const keys[][2] = {
		{ "Up/Down PgUp/PgDn", "move the selection (Home/End: first/last)" },
		{ "/ or F4", "filter rows by text in any column (Esc clears)" },
		{ "< > or F6", "sort by the previous/next column" },
		{ "I", "invert the sort order" },
		{ "Enter or Tab", "show or hide the detail pane" },
		{ "1 2 3 4 5", "views: buffers, providers, P2P matrix, event log, system" },
		{ "m", "move the selected buffer to another provider" },
		{ "r or F9", "revoke the selected buffer (revocable model)" },
		{ "R", "restore a revoked buffer" },
		{ "a", "audit the selected buffer's mappings through the IOMMU" },
		{ "Space", "refresh now" },
		{ "F1 or ?", "this help" },
		{ "q or F10", "quit" },
	};
	static const char *const notes[] = {
		"Move, revoke, restore and audit ask for confirmation and need CAP_SYS_ADMIN.",
		"States: live, moving (a move is under way), revoked (importers cut off).",
		"A stuck importer never unmapped after an invalidation; it is highlighted.",
		"System page, as root: ATTACHMENTS, the importers and the flags of the first three:",
		"dyn/static, p2p allowed, rev(ocable), pin(ned), pom (pinned on map), !p2p (refused),",
		"exp/dp/held (dmapeek's export, import, held import); \"? no fd\": no descriptor to ask.",
	};
	size_t i;

	top_lines_add(L, TOP_A_TITLE, "dmapeek top: keys");
	top_lines_add(L, TOP_A_PLAIN, "%s", "");
	for (i = 0; i < N(keys); i++)
		top_lines_add(L, TOP_A_PLAIN, "  %-18s %s", keys[i][0], keys[i][1]);
	top_lines_add(L, TOP_A_PLAIN, "%s", "");
	for (i = 0; i < N(notes); i++)
		top_lines_add(L, TOP_A_PLAIN, "  %s", notes[i]);
	top_lines_add(L, TOP_A_PLAIN, "%s", "");
	top_lines_add(L, TOP_A_DIM, "  Press any key to go back.  See dmapeek-top(8).");
}
