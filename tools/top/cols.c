// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek-top: the buffer table's columns.  The fixed ones, and beyond
 * them every other field of a buffer as the netlink spec has it
 * (buffer_fields, tools/fields-gen.c): their names as sort keys, which
 * are shown, in what order and under which head.  Pure, as rows.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "top.h"

static const char *const col_names[TOP_COL_MAX] = {
	[TOP_COL_ID] = "id",
	[TOP_COL_EXPORTER] = "exporter",
	[TOP_COL_SIZE] = "size",
	[TOP_COL_MODEL] = "model",
	[TOP_COL_PROVIDER] = "provider",
	[TOP_COL_ATTACH] = "attachments",
	[TOP_COL_STATE] = "state",
	[TOP_COL_NAME] = "name",
};

/* Heading and width of each column; a negative width aligns left. */
static const struct {
	const char *head;
	int width;
} col_fmt[TOP_COL_MAX] = {
	[TOP_COL_ID] = { "ID", 6 },
	[TOP_COL_EXPORTER] = { "EXPORTER", -10 },
	[TOP_COL_SIZE] = { "SIZE", 8 },
	[TOP_COL_MODEL] = { "MODEL", -9 },
	[TOP_COL_PROVIDER] = { "PROV", 4 },
	[TOP_COL_ATTACH] = { "ATT", 4 },
	[TOP_COL_STATE] = { "STATE", -7 },
	[TOP_COL_NAME] = { "NAME", 0 },
};

/* The buffer field each fixed column shows (the exporter is no field). */
static const char *const col_field[TOP_COL_MAX] = {
	[TOP_COL_ID] = "id",
	[TOP_COL_SIZE] = "size",
	[TOP_COL_MODEL] = "model",
	[TOP_COL_PROVIDER] = "provider_id",
	[TOP_COL_ATTACH] = "attachments",
	[TOP_COL_STATE] = "state",
	[TOP_COL_NAME] = "name",
};

/* The columns beyond TOP_COL_MAX shown (bit col - TOP_COL_MAX). */
static uint64_t extra_shown;

/*
 * The field of each column beyond the fixed ones (NULL: none) and its slot
 * in top_row.f, and the field of each slot, worked out once: cells and
 * comparisons ask for them per row.
 */
static const struct field *extra_field[TOP_MAX_FIELDS];
static signed char extra_slot[TOP_MAX_FIELDS];
static const struct field *slot_field[TOP_MAX_EXTRA];
static unsigned int nr_extra, nr_slots;
static bool extra_ready;

static void extra_setup(void)
{
	const struct field *f;
	unsigned int i;
	int c;

	if (extra_ready)
		return;
	for (i = 0; i < TOP_MAX_FIELDS && buffer_fields[i].key; i++) {
		f = &buffer_fields[i];
		extra_slot[i] = -1;
		if (f->type == F_STR || nr_slots == TOP_MAX_EXTRA)
			continue;
		for (c = 0; c < TOP_COL_MAX; c++)
			if (col_field[c] && !strcmp(col_field[c], f->key))
				break;
		if (c < TOP_COL_MAX)
			continue;	/* a fixed column shows it */
		extra_field[i] = f;
		extra_slot[i] = (signed char)nr_slots;
		slot_field[nr_slots++] = f;
	}
	nr_extra = i;
	extra_ready = true;
}

int top_nr_cols(void)
{
	extra_setup();
	return TOP_COL_MAX + (int)nr_extra;
}

/*
 * The field of column @col beyond the fixed ones; NULL: no such column (a
 * string, a field a fixed column shows, out of range).
 */
const struct field *top_col_field(int col)
{
	if (col < TOP_COL_MAX || col >= top_nr_cols())
		return NULL;
	return extra_field[col - TOP_COL_MAX];
}

int top_col_slot(int col)
{
	if (col < TOP_COL_MAX || col >= top_nr_cols())
		return -1;
	return extra_slot[col - TOP_COL_MAX];
}

unsigned int top_nr_slots(void)
{
	extra_setup();
	return nr_slots;
}

const struct field *top_slot_field(unsigned int s)
{
	extra_setup();
	return s < nr_slots ? slot_field[s] : NULL;
}

const char *top_col_name(enum top_col col)
{
	const struct field *f = top_col_field((int)col);

	if (f)
		return f->key;
	return col < TOP_COL_MAX ? col_names[col] : "?";
}

int top_col_parse(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	const struct field *f;
	char label[32];
	int c;

	if (!n)
		return -1;
	for (c = 0; c < TOP_COL_MAX; c++)
		if (!strncasecmp(s, col_names[c], n) ||
		    !strcasecmp(s, col_fmt[c].head) ||
		    (col_field[c] && !strcasecmp(s, col_field[c])))
			return c;
	for (c = TOP_COL_MAX; c < top_nr_cols(); c++) {
		f = top_col_field(c);
		if (!f)
			continue;
		field_label(f, label, sizeof(label));
		if (!strcasecmp(s, label) || !strcasecmp(s, f->key) ||
		    (f->alias && !strcasecmp(s, f->alias)))
			return c;
	}
	for (c = TOP_COL_MAX; c < top_nr_cols(); c++) {
		f = top_col_field(c);
		if (f && !strncasecmp(s, f->key, n))
			return c;
	}
	return -1;
}

int top_col_next(int col, int dir)
{
	int n = top_nr_cols(), i;

	for (i = 0; i < n; i++) {
		col = ((col + dir) % n + n) % n;
		if (col < TOP_COL_MAX || top_col_field(col))
			return col;
	}
	return TOP_COL_ID;
}

void top_col_show(int col, bool on)
{
	if (!top_col_field(col))
		return;
	if (on)
		extra_shown |= 1ULL << (col - TOP_COL_MAX);
	else
		extra_shown &= ~(1ULL << (col - TOP_COL_MAX));
}

bool top_col_shown(int col)
{
	if (col < TOP_COL_MAX)
		return col >= 0;
	return top_col_field(col) && (extra_shown & (1ULL << (col - TOP_COL_MAX)));
}

/*
 * The columns in the order they are drawn: the shown fields before NAME.
 * Called per cell of every row: it reads the shown set's bits (only
 * top_col_show() sets them, for columns that are fields) in column order.
 */
int top_col_at(int i)
{
	uint64_t m = extra_shown;
	int k = TOP_COL_NAME;

	if (i < TOP_COL_NAME)
		return i;
	for (; m; m &= m - 1)
		if (k++ == i)
			return TOP_COL_MAX + __builtin_ctzll(m);
	return k == i ? TOP_COL_NAME : -1;
}

/* The width top_col_head() gives @col, without writing its heading. */
int top_col_width(int col)
{
	char h[32];

	if (!top_col_field(col))
		return col_fmt[col].width;
	return top_col_head(col, h, sizeof(h));
}

/* Heading and width of a column (a field's: its label, at least 8 wide). */
int top_col_head(int col, char *buf, size_t len)
{
	const struct field *f = top_col_field(col);
	int w;

	if (!f) {
		snprintf(buf, len, "%s", col_fmt[col].head);
		return col_fmt[col].width;
	}
	field_label(f, buf, len);
	w = (int)strlen(buf) + 1;
	return w < 8 ? 8 : w;
}


int top_cols_parse(const char *list, uint64_t *cols, char *bad, size_t len)
{
	char buf[256], *tok, *save = NULL;
	int col;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		col = top_col_parse(tok);
		if (col < 0) {
			snprintf(bad, len, "%s", tok);
			return -1;
		}
		if (col >= TOP_COL_MAX)
			*cols |= 1ULL << col;
	}
	return 0;
}

void top_cols_init(uint64_t cols, int sort)
{
	int c;

	extra_shown = 0;
	for (c = TOP_COL_MAX; c < top_nr_cols(); c++)
		top_col_show(c, (cols & (1ULL << c)) || c == sort);
}
