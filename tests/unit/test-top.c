// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of dmapeek-top's pure part (tools/top/rows.c): sort keys,
 * sorting and filtering of rows, the header totals from a fixed set of
 * rows and attachments, and the exact text of cells, rows and lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include <dmapeek.h>

#include "args.h"
#include "fields.h"
#include "top.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Four dmapeek buffers and one foreign dma-buf (id 0, --all). */
static const struct top_row rows[] = {
	{ .id = 3, .inode = 30, .exporter = "dmapeek", .name = "frame a",
	  .size = 65536, .model = DMAPEEK_MODEL_REVOCABLE, .provider = 2,
	  .attachments = 2, .state = DMAPEEK_BUFFER_STATE_REVOKED, .stuck = true },
	{ .id = 1, .inode = 10, .exporter = "dmapeek", .name = "ring",
	  .size = 4096, .model = DMAPEEK_MODEL_PINNED, .provider = 1,
	  .attachments = 0, .state = DMAPEEK_BUFFER_STATE_LIVE },
	{ .id = 7, .inode = 70, .exporter = "dmapeek", .name = "weights",
	  .size = 2 << 20, .model = DMAPEEK_MODEL_MOVABLE, .provider = 2,
	  .attachments = 1, .state = DMAPEEK_BUFFER_STATE_MOVING },
	{ .id = 2, .inode = 20, .exporter = "dmapeek", .name = "",
	  .size = 4096, .model = DMAPEEK_MODEL_MOVABLE, .provider = 1,
	  .attachments = 0, .state = DMAPEEK_BUFFER_STATE_LIVE },
	{ .id = 0, .inode = 99, .exporter = "udmabuf", .name = "cam",
	  .size = 8192, .attachments = 1 },
};

static const struct top_att atts[] = {
	{ .id = 4, .buffer_id = 3, .importer = "0000:00:05.0", .driver = "dmapeek",
	  .map_type = DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE, .stuck = true },
	{ .id = 5, .buffer_id = 3, .importer = "0000:00:05.0", .driver = "dmapeek",
	  .map_type = DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE },
	{ .id = 6, .buffer_id = 7, .importer = "0000:00:05.0", .driver = "dmapeek",
	  .map_type = DMAPEEK_MAP_TYPE_NONE },
};

/* The ids of @idx[0..n), as "3 1 7" (0 for the foreign row). */
static const char *ids(const size_t *idx, size_t n)
{
	static char buf[128];
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%s%u",
					i ? " " : "", rows[idx[i]].id);
	return buf;
}

START_TEST(sort_keys_parse)
{
	ck_assert_int_eq(top_col_parse("size"), TOP_COL_SIZE);
	ck_assert_int_eq(top_col_parse("siz"), TOP_COL_SIZE);
	ck_assert_int_eq(top_col_parse("STATE"), TOP_COL_STATE);
	ck_assert_int_eq(top_col_parse("ATT"), TOP_COL_ATTACH);
	ck_assert_int_eq(top_col_parse("attachments"), TOP_COL_ATTACH);
	ck_assert_int_eq(top_col_parse("p"), TOP_COL_PROVIDER);
	ck_assert_int_eq(top_col_parse("bogus"), -1);
	ck_assert_int_eq(top_col_parse(""), -1);
	ck_assert_str_eq(top_col_name(TOP_COL_NAME), "name");
}
END_TEST

/* args.c reports bad words through usage_err() (top.c's in the program). */
int usage_err(const char *fmt, ...)
{
	(void)fmt;
	return 2;
}

/*
 * Every field the spec gives a buffer beyond the fixed columns (pins,
 * moves, created_ns, held, ... and whatever the spec gains) is a sort key
 * and a column: by its key, its head shows once asked for (or sorted by),
 * its cell the row's value, "-" where the buffer lacks it.
 */
START_TEST(buffer_fields_are_columns_and_sort_keys)
{
	struct top_row r[2] = { { .id = 1 }, { .id = 2 } };
	char b[256], head[32], want[64];
	size_t idx[2] = { 0, 1 };
	unsigned int i, seen = 0;
	int col, s;

	for (i = 0; buffer_fields[i].key; i++) {
		const struct field *f = &buffer_fields[i];

		col = top_col_parse(f->key);
		ck_assert_msg(col >= 0, "buffer field %s is no sort key", f->key);
		if (col < TOP_COL_MAX)
			continue;	/* a fixed column shows it */
		seen++;
		ck_assert_ptr_eq(top_col_field(col), f);
		ck_assert_str_eq(top_col_name(col), f->key);
		s = top_col_slot(col);
		ck_assert_msg(s >= 0 && s < TOP_MAX_EXTRA,
			      "buffer field %s has no slot in a row (TOP_MAX_EXTRA)", f->key);
		ck_assert_ptr_eq(top_slot_field((unsigned int)s), f);
		r[0].f[s] = 2;
		r[0].f_has = 1U << s;
		r[1].f[s] = 1;
		r[1].f_has = 1U << s;
		top_sort(r, idx, 2, col, false);
		ck_assert_uint_eq(r[idx[0]].id, 2);
		top_cols_init(0, -1);
		top_fmt_table_head(b, sizeof(b), TOP_COL_ID, false);
		top_col_head(col, head, sizeof(head));
		ck_assert_ptr_null(strstr(b, head));
		top_cols_init(1ULL << col, -1);
		top_fmt_table_head(b, sizeof(b), TOP_COL_ID, false);
		ck_assert_msg(strstr(b, head), "no %s in \"%s\"", head, b);
		top_fmt_cell(want, sizeof(want), &r[1], col);
		top_fmt_row(b, sizeof(b), &r[1]);
		ck_assert_msg(strstr(b, want), "no %s in \"%s\"", want, b);
		r[1].f_has = 0;
		top_fmt_cell(want, sizeof(want), &r[1], col);
		ck_assert_str_eq(want, "-");
		/* sorting by it shows it */
		top_cols_init(0, col);
		ck_assert(top_col_shown(col));
	}
	ck_assert_uint_ge(seen, 5);	/* inode, pins, moves, revokes, created_ns, held */
	col = top_col_parse("pins");
	ck_assert_int_ge(col, TOP_COL_MAX);
	ck_assert_int_eq(top_col_parse("CREATED"), top_col_parse("created_ns"));
	ck_assert_int_eq(top_cols_parse("pins,moves", &(uint64_t){ 0 }, b, sizeof(b)), 0);
	ck_assert_int_eq(top_cols_parse("pins,bogus", &(uint64_t){ 0 }, b, sizeof(b)), -1);
	ck_assert_str_eq(b, "bogus");
	top_cols_init(0, -1);
}
END_TEST

START_TEST(sort_by_each_column)
{
	size_t idx[N(rows)], n;

	n = top_select(rows, N(rows), NULL, TOP_COL_ID, false, idx);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(ids(idx, n), "0 1 2 3 7");
	top_sort(rows, idx, n, TOP_COL_ID, true);
	ck_assert_str_eq(ids(idx, n), "7 3 2 1 0");
	/* equal sizes keep the id order, whatever the direction asked */
	top_sort(rows, idx, n, TOP_COL_SIZE, false);
	ck_assert_str_eq(ids(idx, n), "1 2 0 3 7");
	top_sort(rows, idx, n, TOP_COL_SIZE, true);
	ck_assert_str_eq(ids(idx, n), "7 3 0 2 1");
	top_sort(rows, idx, n, TOP_COL_STATE, false);
	ck_assert_str_eq(ids(idx, n), "0 1 2 7 3");
	top_sort(rows, idx, n, TOP_COL_MODEL, false);
	ck_assert_str_eq(ids(idx, n), "0 1 2 7 3");
	top_sort(rows, idx, n, TOP_COL_NAME, false);
	ck_assert_str_eq(ids(idx, n), "2 0 3 1 7");
	top_sort(rows, idx, n, TOP_COL_EXPORTER, false);
	ck_assert_str_eq(ids(idx, n), "1 2 3 7 0");
	top_sort(rows, idx, n, TOP_COL_ATTACH, true);
	ck_assert_str_eq(ids(idx, n), "3 7 0 2 1");
	top_sort(rows, idx, n, TOP_COL_PROVIDER, false);
	ck_assert_str_eq(ids(idx, n), "0 1 2 3 7");
}
END_TEST

START_TEST(filter_matches_any_cell)
{
	size_t idx[N(rows)], n;

	n = top_select(rows, N(rows), "revoked", TOP_COL_ID, false, idx);
	ck_assert_str_eq(ids(idx, n), "3");
	n = top_select(rows, N(rows), "MOV", TOP_COL_ID, false, idx);
	ck_assert_str_eq(ids(idx, n), "2 7");	/* model movable, state moving */
	n = top_select(rows, N(rows), "udma", TOP_COL_ID, false, idx);
	ck_assert_str_eq(ids(idx, n), "0");
	n = top_select(rows, N(rows), "2MiB", TOP_COL_ID, false, idx);
	ck_assert_str_eq(ids(idx, n), "7");
	n = top_select(rows, N(rows), "frame a", TOP_COL_ID, false, idx);
	ck_assert_str_eq(ids(idx, n), "3");
	n = top_select(rows, N(rows), "nothing like it", TOP_COL_ID, false, idx);
	ck_assert_uint_eq(n, 0);
	n = top_select(rows, N(rows), "", TOP_COL_SIZE, true, idx);
	ck_assert_uint_eq(n, 5);
	ck_assert(top_row_matches(&rows[1], NULL));
}
END_TEST

START_TEST(totals_from_fixed_rows)
{
	struct top_totals t;

	top_totals(rows, N(rows), atts, N(atts), &t);
	ck_assert_uint_eq(t.buffers, 5);
	ck_assert_uint_eq(t.bytes, 65536 + 4096 + (2 << 20) + 4096 + 8192);
	ck_assert_uint_eq(t.by_model[DMAPEEK_MODEL_PINNED], 1);
	ck_assert_uint_eq(t.by_model[DMAPEEK_MODEL_MOVABLE], 2);
	ck_assert_uint_eq(t.bytes_by_model[DMAPEEK_MODEL_MOVABLE], (2 << 20) + 4096);
	ck_assert_uint_eq(t.by_model[DMAPEEK_MODEL_REVOCABLE], 1);
	ck_assert_uint_eq(t.by_model[0], 1);
	ck_assert_uint_eq(t.by_state[DMAPEEK_BUFFER_STATE_LIVE], 2);
	ck_assert_uint_eq(t.by_state[DMAPEEK_BUFFER_STATE_MOVING], 1);
	ck_assert_uint_eq(t.by_state[DMAPEEK_BUFFER_STATE_REVOKED], 1);
	ck_assert_uint_eq(t.nr_exporters, 2);
	ck_assert_str_eq(t.exporters[0].name, "dmapeek");
	ck_assert_uint_eq(t.exporters[0].buffers, 4);
	ck_assert_str_eq(t.exporters[1].name, "udmabuf");
	ck_assert_uint_eq(t.exporters[1].bytes, 8192);
	ck_assert_uint_eq(t.attachments, 3);
	ck_assert_uint_eq(t.by_map_type[DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE], 2);
	ck_assert_uint_eq(t.by_map_type[DMAPEEK_MAP_TYPE_NONE], 1);
	ck_assert_uint_eq(t.stuck, 1);
}
END_TEST

START_TEST(stuck_rows_from_stuck_importers)
{
	struct top_row r[6];
	struct top_att a[6];
	size_t i;

	memset(r, 0, sizeof(r));
	memset(a, 0, sizeof(a));
	/* ids out of order, a foreign row (id 0), a row left stuck before */
	r[0].id = 9; r[1].id = 3; r[2].id = 0; r[3].id = 7; r[4].id = 1;
	r[5].id = 4; r[5].stuck = true;
	a[0] = (struct top_att){ .id = 1, .buffer_id = 7, .stuck = true };
	a[1] = (struct top_att){ .id = 2, .buffer_id = 3 };
	a[2] = (struct top_att){ .id = 3, .buffer_id = 1, .stuck = true };
	a[3] = (struct top_att){ .id = 4, .buffer_id = 7, .stuck = true };
	/* a stuck importer of a buffer gone from the rows, and of no buffer */
	a[4] = (struct top_att){ .id = 5, .buffer_id = 42, .stuck = true };
	a[5] = (struct top_att){ .id = 6, .buffer_id = 0, .stuck = true };
	top_mark_stuck(r, N(r), a, N(a));
	for (i = 0; i < N(r); i++)
		ck_assert_msg(r[i].stuck == (r[i].id == 7 || r[i].id == 1),
			      "row %u: stuck %d", r[i].id, r[i].stuck);
	top_mark_stuck(r, N(r), NULL, 0);
	for (i = 0; i < N(r); i++)
		ck_assert(!r[i].stuck);
}
END_TEST

START_TEST(totals_gather_extra_exporters)
{
	struct top_row many[TOP_MAX_EXPORTERS + 3];
	struct top_totals t;
	size_t i;

	memset(many, 0, sizeof(many));
	for (i = 0; i < N(many); i++) {
		snprintf(many[i].exporter, sizeof(many[i].exporter), "exp%zu", i);
		many[i].size = 1;
	}
	top_totals(many, N(many), NULL, 0, &t);
	ck_assert_uint_eq(t.nr_exporters, TOP_MAX_EXPORTERS);
	ck_assert_str_eq(t.exporters[TOP_MAX_EXPORTERS - 1].name, "others");
	ck_assert_uint_eq(t.exporters[TOP_MAX_EXPORTERS - 1].buffers, 4);
}
END_TEST

START_TEST(sizes_and_rows_format)
{
	char b[TOP_LINE];

	top_fmt_size(b, sizeof(b), 4096);
	ck_assert_str_eq(b, "4KiB");
	top_fmt_size(b, sizeof(b), 2 << 20);
	ck_assert_str_eq(b, "2MiB");
	top_fmt_size(b, sizeof(b), 1000);
	ck_assert_str_eq(b, "1000B");
	top_fmt_size(b, sizeof(b), 0);
	ck_assert_str_eq(b, "0B");
	top_fmt_table_head(b, sizeof(b), TOP_COL_SIZE, true);
	ck_assert_str_eq(b, "    ID EXPORTER      SIZEv MODEL     PROV  ATT STATE   NAME");
	top_fmt_row(b, sizeof(b), &rows[0]);
	ck_assert_str_eq(b, "     3 dmapeek       64KiB revocable    2    2 revoked frame a");
	top_fmt_row(b, sizeof(b), &rows[4]);
	ck_assert_str_eq(b, "     - udmabuf        8KiB -            -    1 -       cam");
	/* a short buffer truncates, never overruns */
	top_fmt_row(b, 12, &rows[0]);
	ck_assert_str_eq(b, "     3 dmap");
	top_fmt_cell(b, sizeof(b), &rows[2], TOP_COL_STATE);
	ck_assert_str_eq(b, "moving");
}
END_TEST

START_TEST(header_lines_text)
{
	static struct top_lines L;
	struct top_totals t;
	const struct top_provider provs[] = {
		{ .id = 1, .kind = DMAPEEK_PROVIDER_KIND_SYSTEM, .exported = 8192 },
		{ .id = 2, .kind = DMAPEEK_PROVIDER_KIND_PCI_BAR, .bdf = "0000:00:03.0",
		  .bar = 2, .exported = (2 << 20) + 65536 },
	};
	struct top_hdr_ctx h = {
		.t = &t, .provs = provs, .nr_provs = 2, .atts = atts,
		.nr_atts = N(atts), .events_per_s = 2.5, .events_total = 10,
		.events_live = true,
	};

	top_totals(rows, N(rows), atts, N(atts), &t);
	L.n = 0;
	top_header_lines(&L, &h);
	ck_assert_uint_eq(L.n, 7);
	ck_assert_str_eq(L.l[0].text, "Buffers: 5, 2128KiB; live 2 moving 1 revoked 1");
	ck_assert_str_eq(L.l[1].text, "Models: pinned 1 (4KiB) movable 2 (2052KiB)"
			 " revocable 1 (64KiB) other 1 (8KiB)");
	ck_assert_str_eq(L.l[2].text, "Exporters: dmapeek 4 (2120KiB) udmabuf 1 (8KiB)");
	ck_assert_str_eq(L.l[3].text, "Attachments: 3; none 1 not-supported 0 bus-addr 0"
			 " thru-host-bridge 2");
	ck_assert_str_eq(L.l[4].text, "Providers: 2; 1 system 8KiB exported,"
			 " 2 0000:00:03.0/bar2 2112KiB exported");
	ck_assert_str_eq(L.l[5].text, "Events: 2.5/s, 10 seen, 0 lost");
	ck_assert_str_eq(L.l[6].text, "Stuck importers: 1: attachment 4 of buffer 3"
			 " (0000:00:05.0)");
	ck_assert_int_eq(L.l[6].attr, TOP_A_ALERT);
	ck_assert_int_eq(L.l[0].attr, TOP_A_PLAIN);
}
END_TEST

START_TEST(detail_hides_addresses_without_privilege)
{
	static struct top_lines L;
	static struct top_detail d;

	memset(&d, 0, sizeof(d));
	d.buffer_id = 3;
	d.nr_atts = 1;
	d.atts[0] = atts[0];
	d.atts[0].flags = DMAPEEK_ATTACH_FLAGS_DYNAMIC | DMAPEEK_ATTACH_FLAGS_PEER2PEER;
	d.atts[0].unmaps = 1;
	d.atts[0].last_unmap_latency_ns = 771400;
	d.atts[0].max_unmap_latency_ns = 1200000;
	d.nr_maps = 1;
	d.map_att[0] = 4;
	d.maps[0].id = 9;
	d.maps[0].path = DMAPEEK_MAPPING_PATH_IOVA_LINK;
	d.maps[0].size = 65536;
	d.maps[0].nr_ranges = 2;
	d.maps[0].ranges[0] = (struct top_range){ .offset = 0, .len = 32768,
						   .addr = 0xfff0000, .has_addr = true,
						   .kind = DMAPEEK_ADDR_KIND_IOVA };
	d.maps[0].ranges[1] = (struct top_range){ .offset = 32768, .len = 32768 };
	d.maps[0].audited = true;
	d.maps[0].audit_result = DMAPEEK_AUDIT_RESULT_OK;
	d.maps[0].audit_pages = 16;
	L.n = 0;
	top_detail_lines(&L, &d);
	ck_assert_uint_eq(L.n, 6);
	ck_assert_str_eq(L.l[0].text, "Buffer 3: 1 importer");
	ck_assert_str_eq(L.l[1].text, "  attachment 4: importer 0000:00:05.0 (dmapeek),"
			 " thru-host-bridge, flags dynamic,peer2peer, STUCK");
	ck_assert_int_eq(L.l[1].attr, TOP_A_ALERT);
	ck_assert_str_eq(L.l[2].text, "    not mapped, maps 0, unmaps 1, invalidations 0,"
			 " unmap took 771.4us (max 1.2ms)");
	ck_assert_str_eq(L.l[3].text, "    mapping 9 iova-link 64KiB, audit ok"
			 " (16 pages, 0 mismatches)");
	ck_assert_str_eq(L.l[4].text, "      range +0 32KiB at 0xfff0000 iova");
	ck_assert_str_eq(L.l[5].text, "      range +0x8000 32KiB at hidden"
			 " (needs CAP_SYS_ADMIN)");
	d.nr_atts = 0;
	L.n = 0;
	top_detail_lines(&L, &d);
	ck_assert_str_eq(L.l[1].text, "  no attachments");
}
END_TEST

START_TEST(p2p_matrix_lines)
{
	static struct top_lines L;
	const struct top_p2p cells[] = {
		{ "0000:00:03.0", "0000:00:05.0", DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE, 2, 0 },
		{ "0000:00:03.0", "0000:00:04.0", DMAPEEK_MAP_TYPE_NOT_SUPPORTED, -1, 0 },
		{ "0000:00:04.0", "0000:00:05.0", DMAPEEK_MAP_TYPE_BUS_ADDR, 4, 0 },
	};

	L.n = 0;
	top_p2p_lines(&L, cells, N(cells));
	ck_assert_str_eq(L.l[0].text, "provider\\client 00:05.0 00:04.0");
	ck_assert_str_eq(L.l[1].text, "0000:00:03.0   HB      NS     ");
	ck_assert_str_eq(L.l[2].text, "0000:00:04.0   BUS            ");
}
END_TEST

START_TEST(event_line)
{
	const struct top_event e = {
		.ts_ns = 3500000000ULL, .type = DMAPEEK_EVENT_TYPE_REVOKE_DONE,
		.buffer = 3, .duration_ns = 329300000, .count = 2,
	};
	char b[TOP_LINE];

	top_fmt_event(b, sizeof(b), &e, 1000000000ULL);
	ck_assert_str_eq(b, "     2.500 revoke-done    buffer 3 took 329.3ms count 2");
}
END_TEST

/* The system page: an exporter and a process that grew, the kernel's. */
static struct top_sys_group sys_exps[] = {
	{ .pid = -1, .name = "udmabuf", .buffers = 4, .bytes = 200704,
	  .d_buffers = 3, .d_bytes = 196608, .appeared = 3 },
	{ .pid = -1, .name = "system", .buffers = 1, .bytes = 4096,
	  .d_buffers = -1, .d_bytes = -8192, .gone = 1 },
};
static struct top_sys_group sys_procs[] = {
	{ .pid = 4242, .name = "leaker", .buffers = 3, .bytes = 196608,
	  .d_buffers = 3, .d_bytes = 196608, .appeared = 3 },
	{ .pid = 0, .name = "kernel", .buffers = 1, .bytes = 1 << 20 },
	{ .pid = 77, .name = "viewer", .buffers = 1, .bytes = 4096,
	  .d_buffers = -1, .d_bytes = -8192, .gone = 1 },
};
static struct top_sys_buf sys_bufs[] = {
	{ .inode = 9, .size = 1 << 20, .exporter = "dmapeek", .name = "held",
	  .flags = DMAPEEK_SYSBUF_KERNEL_ONLY },
	{ .inode = 40, .size = 65536, .exporter = "udmabuf", .name = "leak",
	  .fresh = true, .nr_holders = 1, .holders = { { 4242, "leaker", DMAPEEK_HOLD_FD } } },
	{ .inode = 41, .size = 4096, .exporter = "system", .nr_holders = 5,
	  .holders = { { 77, "viewer", DMAPEEK_HOLD_MMAP },
		       { 78, "cam", DMAPEEK_HOLD_FD | DMAPEEK_HOLD_MMAP },
		       { 79, "enc", DMAPEEK_HOLD_FD } } },
};

START_TEST(system_page_lines)
{
	static struct top_lines L;
	struct top_system s = {
		.read = true, .has_prev = true, .interval_ns = 2000000000ULL,
		.buffers = 3, .bytes = (1 << 20) + 65536 + 4096, .appeared = 1,
		.gone = 1, .procs = sys_procs, .nr_procs = N(sys_procs),
		.exps = sys_exps, .nr_exps = N(sys_exps), .bufs = sys_bufs,
		.nr_bufs = N(sys_bufs),
	};
	char b[TOP_LINE];
	size_t i;

	L.n = 0;
	top_system_lines(&L, &s);
	ck_assert_str_eq(L.l[0].text, "System: 3 dma-bufs, 1092KiB; in the last 2.0s"
			 " 1 appeared, 1 gone, +184KiB");
	ck_assert_int_eq(L.l[0].attr, TOP_A_ALERT);
	ck_assert_str_eq(L.l[3].text, "  udmabuf                               4    196KiB"
			 "     +3   +192KiB       3/0");
	ck_assert_int_eq(L.l[3].attr, TOP_A_ALERT);
	ck_assert_int_eq(L.l[4].attr, TOP_A_PLAIN);	/* shrank: not highlighted */
	ck_assert_str_eq(L.l[7].text, "  4242    leaker                        3    192KiB"
			 "     +3   +192KiB       3/0");
	ck_assert_int_eq(L.l[7].attr, TOP_A_ALERT);
	ck_assert_str_eq(L.l[8].text, "  -       kernel (no process)           1      1MiB"
			 "                           ");
	/* the buffers, newest first, the new one marked */
	ck_assert_uint_eq(L.n, 15);
	ck_assert_ptr_nonnull(strstr(L.l[12].text, "41 system"));
	ck_assert_ptr_nonnull(strstr(L.l[12].text, "77 viewer mmap, 78 cam both, 79 enc fd +2"));
	ck_assert_int_eq(L.l[13].text[0], '+');
	ck_assert_int_eq(L.l[13].attr, TOP_A_ALERT);
	ck_assert_ptr_nonnull(strstr(L.l[14].text, "kernel (no fd, no mapping)"));

	top_fmt_holders(b, sizeof(b), &sys_bufs[1]);
	ck_assert_str_eq(b, "4242 leaker fd");
	s.has_prev = false;
	L.n = 0;
	top_system_lines(&L, &s);
	ck_assert_str_eq(L.l[0].text, "System: 3 dma-bufs, 1092KiB"
			 " (changes from the next refresh on)");

	/* thousands of buffers: the page stays within its lines */
	s.bufs = calloc(5000, sizeof(*s.bufs));
	ck_assert_ptr_nonnull(s.bufs);
	for (i = 0; i < 5000; i++)
		s.bufs[i].inode = i + 1;
	s.nr_bufs = 5000;
	L.n = 0;
	top_system_lines(&L, &s);
	ck_assert_uint_eq(L.n, TOP_MAX_LINES);
	ck_assert_ptr_nonnull(strstr(L.l[12].text, " 5000 "));	/* newest first */
	ck_assert_ptr_nonnull(strstr(L.l[TOP_MAX_LINES - 1].text, "more buffers"));
	free(s.bufs);
}
END_TEST

/*
 * As root the system page's buffers have an ATTACHMENTS column: the count,
 * the first few importers' flags in short words, why none are known.
 */
START_TEST(system_page_attachment_flags)
{
	static struct top_lines L;
	struct top_sys_buf bufs[] = {
		{ .inode = 50, .size = 4096, .exporter = "udmabuf", .att_err = ESRCH },
		{ .inode = 51, .size = 4096, .exporter = "dmapeek", .nr_atts = 5,
		  .atts = { { "0000:00:05.0", DMAPEEK_ATTACH_FLAGS_DYNAMIC |
			      DMAPEEK_ATTACH_FLAGS_PEER2PEER | DMAPEEK_ATTACH_FLAGS_REVOCABLE |
			      DMAPEEK_ATTACH_FLAGS_EXPORTED },
			    { "0000:00:06.0", DMAPEEK_ATTACH_FLAGS_PINNED |
			      DMAPEEK_ATTACH_FLAGS_PIN_ON_MAP },
			    { "0000:00:07.0", DMAPEEK_ATTACH_FLAGS_PEER2PEER |
			      DMAPEEK_ATTACH_FLAGS_P2P_REFUSED | DMAPEEK_ATTACH_FLAGS_IMPORTED |
			      DMAPEEK_ATTACH_FLAGS_HELD } } },
		{ .inode = 52, .size = 4096, .exporter = "system", .nr_atts = 0 },
		{ .inode = 53, .size = 4096, .exporter = "system", .att_err = EPERM },
	};
	struct top_system s = {
		.read = true, .attachments = true, .buffers = N(bufs),
		.bytes = 4096 * N(bufs), .bufs = bufs, .nr_bufs = N(bufs),
	};
	char b[TOP_LINE];
	size_t i;

	top_fmt_attachments(b, sizeof(b), &bufs[0]);
	ck_assert_str_eq(b, "? no fd");
	top_fmt_attachments(b, sizeof(b), &bufs[1]);
	ck_assert_str_eq(b, "5: dyn+p2p+rev+exp, static+pin+pom,"
			 " static+p2p+!p2p+dp+held +2");
	top_fmt_attachments(b, sizeof(b), &bufs[2]);
	ck_assert_str_eq(b, "0");
	top_fmt_attachments(b, sizeof(b), &bufs[3]);
	ck_assert_str_eq(b, "? EPERM");
	/* a small buffer cuts the words, never overruns */
	top_fmt_attachments(b, 12, &bufs[1]);
	ck_assert_uint_lt(strlen(b), 12);

	L.n = 0;
	top_system_lines(&L, &s);
	for (i = 0; i < L.n && !strstr(L.l[i].text, "INODE"); i++)
		;
	ck_assert_uint_lt(i, L.n);
	ck_assert_ptr_nonnull(strstr(L.l[i].text, "ATTACHMENTS"));
	/* newest first: 53, 52, 51, 50 */
	ck_assert_ptr_nonnull(strstr(L.l[i + 1].text, "? EPERM"));
	ck_assert_ptr_nonnull(strstr(L.l[i + 3].text, "5: dyn+p2p+rev+exp"));
	ck_assert_ptr_nonnull(strstr(L.l[i + 4].text, "? no fd"));

	/* not root: the page as it always was, no column */
	s.attachments = false;
	L.n = 0;
	top_system_lines(&L, &s);
	ck_assert_ptr_null(strstr(L.l[i].text, "ATTACHMENTS"));
	ck_assert_ptr_null(strstr(L.l[i + 3].text, "dyn"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("top");
	TCase *tc = tcase_create("rows");

	tcase_add_test(tc, sort_keys_parse);
	tcase_add_test(tc, buffer_fields_are_columns_and_sort_keys);
	tcase_add_test(tc, sort_by_each_column);
	tcase_add_test(tc, filter_matches_any_cell);
	tcase_add_test(tc, totals_from_fixed_rows);
	tcase_add_test(tc, totals_gather_extra_exporters);
	tcase_add_test(tc, stuck_rows_from_stuck_importers);
	tcase_add_test(tc, sizes_and_rows_format);
	tcase_add_test(tc, header_lines_text);
	tcase_add_test(tc, detail_hides_addresses_without_privilege);
	tcase_add_test(tc, p2p_matrix_lines);
	tcase_add_test(tc, event_line);
	tcase_add_test(tc, system_page_lines);
	tcase_add_test(tc, system_page_attachment_flags);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
