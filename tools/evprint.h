/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lines of dmapeek monitor: one per event, the module's own and the
 * dma-buf core's tracepoints' (monitor --all), and the notes on events
 * lost or missed on the way, in the text and in JSON (one object a line).
 * What the monitor reads and when it prints is monitor.c's and
 * monitor_all.c's; this file only formats, through the pr_*() calls.
 */
#ifndef DMAPEEK_EVPRINT_H
#define DMAPEEK_EVPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include <dmapeek.h>

struct evprint {
	bool timestamp;		/* -t: the wall clock in the text */
	bool sources;		/* --all: each line says whose event it is */
	int64_t mono_to_real_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* Whose events: the "source" of each line of monitor --all. */
#define EV_SOURCE_MODULE	"dmapeek"
#define EV_SOURCE_TRACE		"dma_buf"

/*
 * The wall-clock time of @mono_ns: always in JSON (key "time", ISO 8601
 * with the UTC offset), in the text with -timestamp (local time in
 * brackets, as "ip monitor -t").
 */
void evprint_walltime(const struct evprint *o, uint64_t mono_ns);
/* One of the module's events. */
void evprint_event(const struct evprint *o, const struct dmapeek_event *e);
/* One dma_buf tracepoint event. */
void evprint_trace(const struct evprint *o, const struct dmapeek_trace_event *e);
/* The module's numbers skipped @gap events before @e. */
void evprint_missed(const struct evprint *o, const struct dmapeek_event *e,
		    uint64_t gap);
/* @lost events of @source lost so far, told at @mono_ns. */
void evprint_lost(const struct evprint *o, const char *source, uint64_t mono_ns,
		  uint64_t lost);

#endif
