/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek stats: one snapshot of the system's dma-buf and P2P state,
 * summed up, printed as text, JSON, or in Prometheus's text exposition
 * format for node_exporter's textfile collector.
 *
 * Collection (stats_collect) reads libdmapeek objects; formatting works on
 * the plain struct below only, so the host tests drive it without a kernel.
 */
#ifndef DMAPEEK_STATS_H
#define DMAPEEK_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct dmapeek;

/* Text or JSON (-j) through json_print, or Prometheus metrics. */
enum stats_format { STATS_TEXT, STATS_PROMETHEUS };
/* Their names, by value, for "stats format NAME"; NULL-terminated. */
extern const char *const stats_format_names[];

/* dma-bufs of one exporter (its exp_name) in one memory model. */
struct stats_group {
	char *exporter;
	const char *model;	/* dmapeek's model name, or "unknown" */
	uint64_t buffers, bytes;
};

struct stats_provider {
	uint32_t id;
	const char *kind;
	char *bdf;		/* NULL for system memory */
	int bar;		/* -1 without one */
	uint64_t size, exported_bytes, buffers;
};

/* Attachments of one P2P map type. */
struct stats_map_type {
	const char *name;
	uint64_t attachments;
};

/* Live mappings by the result of auditing them now. */
struct stats_audit {
	const char *result;
	uint64_t mappings;
};

#define STATS_MAX_ENUM 16

/*
 * The processes given a series of their own: the STATS_TOP_PROCESSES that
 * hold the most bytes of dma-bufs (by fd or mapping), then one series
 * "other" summing every other process, so that the number of series stays
 * bounded however many processes hold buffers.
 */
#define STATS_TOP_PROCESSES 10

/* The dma-bufs one process holds (or, for "other", several processes). */
struct stats_process {
	int pid;
	char comm[16];
	uint64_t buffers, bytes;
};

/* Buffers and bytes under one name (an exporter). */
struct stats_count {
	char *name;
	uint64_t buffers, bytes;
};

struct stats {
	/* Which sources answered: bufinfo, fdinfo, module (libdmapeek's names). */
	const char *source_name[STATS_MAX_ENUM];
	bool source_up[STATS_MAX_ENUM];
	unsigned int nr_sources;

	struct stats_group *groups;
	unsigned int nr_groups;
	struct stats_provider *providers;
	unsigned int nr_providers;
	struct stats_map_type map_types[STATS_MAX_ENUM];
	unsigned int nr_map_types;

	/* The largest holders, biggest first, and the rest summed. */
	struct stats_process top[STATS_TOP_PROCESSES];
	unsigned int nr_top;
	struct stats_process other;
	unsigned int nr_other;		/* processes summed in @other */
	/* Buffers no process holds by fd or mapping, by exporter. */
	struct stats_count *kernel_only;
	unsigned int nr_kernel_only;

	uint64_t moves, revokes;	/* summed over dmapeek's live buffers */
	uint64_t stuck;			/* attachments stuck now */
	uint64_t mappings;

	/* Auditing needs CAP_SYS_ADMIN; without it these stay empty. */
	bool audited;
	struct stats_audit audit[STATS_MAX_ENUM];
	unsigned int nr_audit;
	uint64_t audit_failures;	/* mappings with a mismatch or a hole */
	uint64_t audit_bad_pages;	/* their mismatched pages and holes */
};

/* Fill @s from the module (and the system-wide view); 0 or -errno. */
int stats_collect(struct dmapeek *ctx, struct stats *s, const char **what);
void stats_release(struct stats *s);

/* Add one group's buffer; exported for the tests. 0 or -ENOMEM. */
int stats_add_buffer(struct stats *s, const char *exporter, const char *model,
		     uint64_t bytes);

/*
 * Count one process's buffers: among the STATS_TOP_PROCESSES largest by
 * bytes (then buffers, then the lower pid), or summed in @other, whatever
 * the order processes come in.  Exported for the tests.
 */
void stats_add_process(struct stats *s, int pid, const char *comm,
		       uint64_t buffers, uint64_t bytes);
/* One buffer kept by the kernel alone. 0 or -ENOMEM. */
int stats_add_kernel_only(struct stats *s, const char *exporter, uint64_t bytes);

/* Prometheus text exposition format 0.0.4, no timestamps. */
int stats_write_prometheus(const struct stats *s, FILE *f);
/* Text or JSON through json_print (pr_init done by the caller). */
void stats_print(const struct stats *s);

#endif
