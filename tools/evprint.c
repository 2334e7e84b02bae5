// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek monitor's lines (see evprint.h).  A line is the event's time,
 * whose event it is (with --all), its type, then "key value" pairs; in
 * JSON one object a line with the same keys:
 *
 *	[1234567890] #12 attach buffer 3 attachment 5 map_type none
 *	[1234567890] dma_buf attach exporter udmabuf size 16KiB inode 41
 *	    device 0000:00:04.0 dynamic yes pid 310 comm dp-import
 *
 * (one line each).  The time is CLOCK_MONOTONIC in nanoseconds, or the
 * wall clock with -timestamp; both kinds of events are stamped with the
 * same clock, so their times compare.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "evprint.h"
#include "fields.h"
#include "json_print.h"
#include "walltime.h"

/* An enum value by its name, or its number when the name is unknown. */
static void pr_enum(const char *key, const char *fmt, uint32_t v,
		    const char *(*name)(uint32_t))
{
	const char *n = name(v);
	char num[16];

	if (!n) {
		snprintf(num, sizeof(num), "%u", v);
		n = num;
	}
	pr_str(key, fmt, n);
}

void evprint_walltime(const struct evprint *o, uint64_t mono_ns)
{
	char when[64];

	if (!pr_is_json() && !o->timestamp)
		return;
	if (walltime_fmt(when, sizeof(when), (int64_t)mono_ns + o->mono_to_real_ns,
			 pr_is_json())) {
		pr_null("time", "[?] ");
		return;
	}
	pr_str("time", "[%s] ", when);
}

/* The time a line starts with: nanoseconds, unless -timestamp. */
static void evprint_time(const struct evprint *o, uint64_t ns)
{
	pr_u64("timestamp_ns", o->timestamp ? NULL : "[%" PRIu64 "] ", ns);
	evprint_walltime(o, ns);
}

static void evprint_source(const struct evprint *o, const char *source)
{
	if (o->sources)
		pr_str("source", "%s ", source);
}

void evprint_event(const struct evprint *o, const struct dmapeek_event *e)
{
	struct field_printer p;

	fields_print_start(&p, event_fields, e);
	pr_open_obj(NULL);
	field_done(&p, "timestamp_ns");
	evprint_time(o, dmapeek_event_timestamp_ns(e));
	evprint_source(o, EV_SOURCE_MODULE);
	field_print_opt(&p, "seq", "#%" PRIu64 " ");
	field_print(&p, "type", "%s");
	field_print_opt(&p, "buffer", " buffer %" PRIu64);
	field_print_opt(&p, "attachment", " attachment %" PRIu64);
	field_print_opt(&p, "mapping", " mapping %" PRIu64);
	field_print_opt(&p, "provider", " provider %" PRIu64);
	field_print_opt(&p, "count", " count %" PRIu64);
	field_print_opt(&p, "duration_ns", " took %s");
	field_print_opt(&p, "error", " error %" PRId64);
	field_print_opt(&p, "map_type", " map_type %s");
	/* the move or revoke this event belongs to (begin, stuck, done) */
	field_print_opt(&p, "op", " op %" PRIu64);
	/* the module's count of lost events: in the text when it is not 0 */
	field_print_opt(&p, "dropped", dmapeek_event_dropped(e) ? " dropped %" PRIu64 : NULL);
	/* what the spec gained since: "key value" */
	fields_print_rest(&p, " ");
	pr_close_obj();
	pr_nl();
}

void evprint_trace(const struct evprint *o, const struct dmapeek_trace_event *e)
{
	const char *s;

	pr_open_obj(NULL);
	evprint_time(o, dmapeek_trace_event_timestamp_ns(e));
	evprint_source(o, EV_SOURCE_TRACE);
	pr_enum("type", "%s", dmapeek_trace_event_type(e), dmapeek_trace_type_str);
	s = dmapeek_trace_event_exp_name(e);
	if (s)
		pr_str("exp_name", " exporter %s", s);
	if (dmapeek_object_has(e, DMAPEEK_TRACE_A_SIZE))
		pr_size("size", " size %s", dmapeek_trace_event_size(e));
	if (dmapeek_object_has(e, DMAPEEK_TRACE_A_INODE))
		pr_u64("inode", " inode %" PRIu64, dmapeek_trace_event_inode(e));
	if (dmapeek_object_has(e, DMAPEEK_TRACE_A_FD))
		pr_s64("fd", " fd %" PRId64, dmapeek_trace_event_fd(e));
	s = dmapeek_trace_event_device(e);
	if (s)
		pr_str("device", " device %s", s);
	if (dmapeek_object_has(e, DMAPEEK_TRACE_A_DYNAMIC))
		pr_bool("dynamic", " dynamic %s", dmapeek_trace_event_dynamic(e));
	/* who did it: the task, and its name while it can be known */
	pr_s64("pid", " pid %" PRId64, dmapeek_trace_event_pid(e));
	s = dmapeek_trace_event_comm(e);
	if (s)
		pr_str("comm", " comm %s", s);
	else
		pr_null("comm", NULL);
	pr_u64("cpu", NULL, dmapeek_object_u64(e, DMAPEEK_TRACE_A_CPU));
	pr_close_obj();
	pr_nl();
}

void evprint_missed(const struct evprint *o, const struct dmapeek_event *e,
		    uint64_t gap)
{
	pr_open_obj(NULL);
	evprint_walltime(o, dmapeek_event_timestamp_ns(e));
	evprint_source(o, EV_SOURCE_MODULE);
	pr_u64("missed", "missed %" PRIu64 " events", gap);
	pr_u64("before_seq", " before #%" PRIu64, dmapeek_event_seq(e));
	pr_u64("dropped", " (the module dropped %" PRIu64 " since it was loaded)\n",
	       dmapeek_event_dropped(e));
	pr_close_obj();
}

void evprint_lost(const struct evprint *o, const char *source, uint64_t mono_ns,
		  uint64_t lost)
{
	bool trace = !strcmp(source, EV_SOURCE_TRACE);

	pr_open_obj(NULL);
	evprint_walltime(o, mono_ns);
	evprint_source(o, source);
	pr_u64("lost", trace ? "lost %" PRIu64 " events (trace buffer full)\n" :
	       "lost %" PRIu64 " events (queue overrun)\n", lost);
	pr_close_obj();
}
