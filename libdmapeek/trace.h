/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmapeek internals of the dma_buf tracepoint reader: trace.c keeps the
 * tracing instance and reads its per-CPU buffers, trace-decode.c turns a
 * record into an event and names the task behind it.  Built only with
 * libtracefs (configure --with-tracefs); the unit tests reach these too.
 */
#ifndef LIBDMAPEEK_TRACE_H
#define LIBDMAPEEK_TRACE_H

#include <event-parse.h>

#include "internal.h"

#define DP_TRACE_SYSTEM	"dma_buf"

/* The tracepoints' own names, by enum dmapeek_trace_type. */
extern const char *const dp_tracepoints[__DMAPEEK_TRACE_TYPE_MAX];

/* The formats of the dma_buf events this kernel has, by type (NULL: none). */
struct dp_trace_formats {
	struct tep_event *ev[__DMAPEEK_TRACE_TYPE_MAX];
};

/* Look the events up in @tep; returns how many it has. */
int dp_trace_formats_find(struct tep_handle *tep, struct dp_trace_formats *f);

/*
 * Fill @o (kind DP_TRACE) from @rec: every attribute but the comm.
 * -ENOENT when @rec is no dma_buf event.
 */
int dp_trace_decode(struct tep_handle *tep, const struct dp_trace_formats *f,
		    struct tep_record *rec, struct dp_obj *o);

/*
 * Who did it: a task's name, looked up at most once a second per task,
 * in /proc while it lives, else in the kernel's saved_cmdlines.
 */
#define DP_COMM_SLOTS	256
#define DP_COMM_TTL_NS	1000000000ULL

struct dp_comm {
	int pid;
	uint64_t when_ns;
	char comm[16];
};

struct dp_comm_cache {
	struct dp_comm slot[DP_COMM_SLOTS];	/* by pid, direct mapped */
	uint64_t cmdlines_ns;			/* saved_cmdlines last read */
};

/*
 * @pid's name into @buf (16 bytes), from @c, /proc (@proc) or the
 * cmdlines of tracefs @dir (read into @tep); 0, or -ENOENT if unknown.
 */
int dp_comm_lookup(struct dp_comm_cache *c, struct tep_handle *tep, const char *dir,
		   const char *proc, int pid, uint64_t now_ns, char *buf);

/*
 * The mount point of tracefs from the text of /proc/self/mounts into @dir:
 * 0, -ENODEV when there is none, -ENAMETOOLONG.
 */
int dp_tracefs_dir_parse(const char *mounts, char *dir, size_t len);

#endif /* LIBDMAPEEK_TRACE_H */
