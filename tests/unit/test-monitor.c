// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of dmapeek monitor's lines (evprint.c) and of the queue that
 * puts monitor --all's two streams in time order (evqueue.c): the exact
 * text and JSON of each kind of line, with events built by hand as the
 * library would hand them out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "unit.h"

#include "internal.h"
#include "args.h"
#include "evprint.h"
#include "evqueue.h"
#include "json_print.h"

/* 2023-11-14T22:13:20 UTC, minus the monotonic 1s the events are stamped */
#define REAL_OFFSET	(1700000000LL * 1000000000LL - 1000000000LL)

/* args.c (through fields.c, the event's fields) reports through usage_err() */
int usage_err(const char *fmt, ...)
{
	(void)fmt;
	return 2;
}

static char *out;
static size_t out_len;

/* What @print printed for @obj, in JSON or text. */
static const char *printed(bool json, void (*print)(const struct evprint *, const void *),
			   const struct evprint *o, const void *obj)
{
	struct printer p;
	FILE *f;

	free(out);
	out = NULL;
	f = open_memstream(&out, &out_len);
	ck_assert_ptr_nonnull(f);
	pr_init(&p, f, json, false);
	print(o, obj);
	fclose(f);
	return out;
}

static void print_trace(const struct evprint *o, const void *e) { evprint_trace(o, e); }
static void print_event(const struct evprint *o, const void *e) { evprint_event(o, e); }

/* A dma_buf_dynamic_attach record, decoded. */
static void attach_event(struct dmapeek_trace_event *e, bool comm)
{
	dp_obj_init(&e->o, DP_TRACE);
	dp_obj_set_u64(&e->o, DMAPEEK_TRACE_A_TYPE, DMAPEEK_TRACE_ATTACH);
	dp_obj_set_u64(&e->o, DMAPEEK_TRACE_A_TIMESTAMP_NS, 1000001000);
	dp_obj_set_u64(&e->o, DMAPEEK_TRACE_A_CPU, 1);
	dp_obj_set_u64(&e->o, DMAPEEK_TRACE_A_PID, 310);
	if (comm)
		dp_obj_set_str(&e->o, DMAPEEK_TRACE_A_COMM, "dp-import", 16);
	dp_obj_set_str(&e->o, DMAPEEK_TRACE_A_EXP_NAME, "udmabuf", 32);
	dp_obj_set_u64(&e->o, DMAPEEK_TRACE_A_SIZE, 16384);
	dp_obj_set_u64(&e->o, DMAPEEK_TRACE_A_INODE, 41);
	dp_obj_set_str(&e->o, DMAPEEK_TRACE_A_DEVICE, "0000:00:04.0", 32);
	dp_obj_set_u64(&e->o, DMAPEEK_TRACE_A_DYNAMIC, 1);
}

static void module_attach(struct dmapeek_event *e)
{
	dp_obj_init(&e->o, DP_EVENT);
	dp_obj_set_u64(&e->o, DMAPEEK_A_EVENT_TYPE, DMAPEEK_EVENT_TYPE_ATTACH);
	dp_obj_set_u64(&e->o, DMAPEEK_A_EVENT_TIMESTAMP_NS, 1000002000);
	dp_obj_set_u64(&e->o, DMAPEEK_A_EVENT_SEQ, 12);
	dp_obj_set_u64(&e->o, DMAPEEK_A_EVENT_ATTACHMENT_ID, 5);
	dp_obj_set_u64(&e->o, DMAPEEK_A_EVENT_DROPPED, 0);
}

static void utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

START_TEST(trace_event_text_line)
{
	const struct evprint o = { false, true, REAL_OFFSET };
	struct dmapeek_trace_event e;

	attach_event(&e, true);
	ck_assert_str_eq(printed(false, print_trace, &o, &e),
			 "[1000001000] dma_buf attach exporter udmabuf size 16KiB inode 41"
			 " device 0000:00:04.0 dynamic yes pid 310 comm dp-import\n");
}
END_TEST

START_TEST(trace_event_json_line)
{
	const struct evprint o = { false, true, REAL_OFFSET };
	struct dmapeek_trace_event e;

	utc();
	attach_event(&e, true);
	ck_assert_str_eq(printed(true, print_trace, &o, &e),
			 "{\"timestamp_ns\":1000001000,"
			 "\"time\":\"2023-11-14T22:13:20.000001+00:00\","
			 "\"source\":\"dma_buf\",\"type\":\"attach\",\"exp_name\":\"udmabuf\","
			 "\"size\":16384,\"inode\":41,\"device\":\"0000:00:04.0\","
			 "\"dynamic\":true,\"pid\":310,\"comm\":\"dp-import\",\"cpu\":1}\n");
}
END_TEST

START_TEST(trace_event_without_comm_says_null)
{
	const struct evprint o = { true, true, REAL_OFFSET };
	struct dmapeek_trace_event e;

	utc();
	attach_event(&e, false);
	ck_assert_ptr_nonnull(strstr(printed(true, print_trace, &o, &e),
				     "\"pid\":310,\"comm\":null,"));
	/* the text leaves it out; -timestamp puts the time of day first */
	ck_assert_str_eq(printed(false, print_trace, &o, &e),
			 "[2023-11-14T22:13:20.000001] dma_buf attach exporter udmabuf"
			 " size 16KiB inode 41 device 0000:00:04.0 dynamic yes pid 310\n");
}
END_TEST

START_TEST(trace_fd_event_has_its_fd)
{
	const struct evprint o = { false, true, 0 };
	struct dmapeek_trace_event e;

	dp_obj_init(&e.o, DP_TRACE);
	dp_obj_set_u64(&e.o, DMAPEEK_TRACE_A_TYPE, DMAPEEK_TRACE_FD);
	dp_obj_set_u64(&e.o, DMAPEEK_TRACE_A_TIMESTAMP_NS, 5);
	dp_obj_set_u64(&e.o, DMAPEEK_TRACE_A_PID, 7);
	dp_obj_set_str(&e.o, DMAPEEK_TRACE_A_EXP_NAME, "system", 32);
	dp_obj_set_u64(&e.o, DMAPEEK_TRACE_A_SIZE, 4096);
	dp_obj_set_u64(&e.o, DMAPEEK_TRACE_A_INODE, 9);
	dp_obj_set_u64(&e.o, DMAPEEK_TRACE_A_FD, 3);
	ck_assert_int_eq(dmapeek_trace_event_fd(&e), 3);
	ck_assert_ptr_null(dmapeek_trace_event_device(&e));
	ck_assert_str_eq(printed(false, print_trace, &o, &e),
			 "[5] dma_buf fd exporter system size 4KiB inode 9 fd 3 pid 7\n");
}
END_TEST

START_TEST(module_event_line_unchanged_without_all)
{
	const struct evprint plain = { false, false, REAL_OFFSET };
	const struct evprint all = { false, true, REAL_OFFSET };
	struct dmapeek_event e;

	utc();
	module_attach(&e);
	ck_assert_str_eq(printed(false, print_event, &plain, &e),
			 "[1000002000] #12 attach attachment 5\n");
	ck_assert_str_eq(printed(true, print_event, &plain, &e),
			 "{\"timestamp_ns\":1000002000,"
			 "\"time\":\"2023-11-14T22:13:20.000002+00:00\","
			 "\"seq\":12,\"type\":\"attach\",\"attachment\":5,\"dropped\":0}\n");
	/* with --all, whose it is */
	ck_assert_str_eq(printed(false, print_event, &all, &e),
			 "[1000002000] dmapeek #12 attach attachment 5\n");
	ck_assert_ptr_nonnull(strstr(printed(true, print_event, &all, &e),
				     "\"source\":\"dmapeek\",\"seq\":12,"));
}
END_TEST

static void print_lost_trace(const struct evprint *o, const void *x)
{
	(void)x;
	evprint_lost(o, EV_SOURCE_TRACE, 1000000000, 17);
}

static void print_lost_module(const struct evprint *o, const void *x)
{
	(void)x;
	evprint_lost(o, EV_SOURCE_MODULE, 1000000000, 2);
}

START_TEST(lost_lines_say_whose)
{
	const struct evprint plain = { false, false, REAL_OFFSET };
	const struct evprint all = { false, true, REAL_OFFSET };

	utc();
	ck_assert_str_eq(printed(false, print_lost_module, &plain, NULL),
			 "lost 2 events (queue overrun)\n");
	ck_assert_str_eq(printed(false, print_lost_trace, &all, NULL),
			 "dma_buf lost 17 events (trace buffer full)\n");
	ck_assert_str_eq(printed(true, print_lost_trace, &all, NULL),
			 "{\"time\":\"2023-11-14T22:13:20.000000+00:00\","
			 "\"source\":\"dma_buf\",\"lost\":17}\n");
}
END_TEST

START_TEST(queue_orders_by_time_then_arrival)
{
	static const uint64_t ts[] = { 50, 10, 30, 10, 20, 40, 30 };
	static const char *const want[] = { "10a", "10b", "20", "30a", "30b" };
	const char *names[] = { "50", "10a", "30a", "10b", "20", "40", "30b" };
	struct evq_item it;
	struct evq q;
	uint64_t first;
	unsigned int i;

	evq_init(&q);
	ck_assert(!evq_first(&q, &first));
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(evq_push(&q, ts[i], i != 4, strdup(names[i])), 0);
	ck_assert(evq_first(&q, &first));
	ck_assert_uint_eq(first, 10);
	/* only what is stamped up to 35 comes out, in order */
	for (i = 0; i < 5; i++) {
		ck_assert(evq_pop(&q, 35, &it));
		ck_assert_str_eq(it.text, want[i]);
		ck_assert_int_eq(it.counts, strcmp(want[i], "20") != 0);
		free(it.text);
	}
	ck_assert(!evq_pop(&q, 35, &it));
	ck_assert(evq_first(&q, &first));
	ck_assert_uint_eq(first, 40);
	evq_free(&q);		/* frees what is left */
	ck_assert(!evq_first(&q, &first));
}
END_TEST

START_TEST(queue_keeps_order_over_many)
{
	struct evq_item it;
	struct evq q;
	uint64_t last = 0, n = 0;
	unsigned int i, seed = 7;
	char name[32];

	evq_init(&q);
	for (i = 0; i < 1000; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(name, sizeof(name), "%u", i);
		ck_assert_int_eq(evq_push(&q, (seed >> 8) % 500, true, strdup(name)), 0);
	}
	while (evq_pop(&q, UINT64_MAX, &it)) {
		ck_assert_uint_ge(it.ts, last);
		last = it.ts;
		free(it.text);
		n++;
	}
	ck_assert_uint_eq(n, 1000);
	evq_free(&q);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		trace_event_text_line,
		trace_event_json_line,
		trace_event_without_comm_says_null,
		trace_fd_event_has_its_fd,
		module_event_line_unchanged_without_all,
		lost_lines_say_whose,
		queue_orders_by_time_then_arrival,
		queue_keeps_order_over_many,
		NULL,
	};
	int rc = unit_run("monitor", tests);

	free(out);
	return rc;
}
