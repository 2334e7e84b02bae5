// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the getters of the dma_buf tracepoints' events, in every
 * build (a library without libtracefs makes no such event, but exports
 * the same functions: see trace-none.c).
 */
#include "internal.h"

static uint64_t tev_u64(const struct dmapeek_trace_event *e, unsigned int attr)
{
	return e->o.v[attr];
}

static bool tev_has(const struct dmapeek_trace_event *e, unsigned int attr)
{
	return e->o.present & (1U << attr);
}

DMAPEEK_EXPORT uint32_t dmapeek_trace_event_type(const struct dmapeek_trace_event *e)
{
	return (uint32_t)tev_u64(e, DMAPEEK_TRACE_A_TYPE);
}

DMAPEEK_EXPORT uint64_t
dmapeek_trace_event_timestamp_ns(const struct dmapeek_trace_event *e)
{
	return tev_u64(e, DMAPEEK_TRACE_A_TIMESTAMP_NS);
}

DMAPEEK_EXPORT int32_t dmapeek_trace_event_pid(const struct dmapeek_trace_event *e)
{
	return (int32_t)tev_u64(e, DMAPEEK_TRACE_A_PID);
}

DMAPEEK_EXPORT const char *dmapeek_trace_event_comm(const struct dmapeek_trace_event *e)
{
	return dp_obj_str(&e->o, DMAPEEK_TRACE_A_COMM);
}

DMAPEEK_EXPORT const char *
dmapeek_trace_event_exp_name(const struct dmapeek_trace_event *e)
{
	return dp_obj_str(&e->o, DMAPEEK_TRACE_A_EXP_NAME);
}

DMAPEEK_EXPORT uint64_t dmapeek_trace_event_size(const struct dmapeek_trace_event *e)
{
	return tev_u64(e, DMAPEEK_TRACE_A_SIZE);
}

DMAPEEK_EXPORT uint64_t dmapeek_trace_event_inode(const struct dmapeek_trace_event *e)
{
	return tev_u64(e, DMAPEEK_TRACE_A_INODE);
}

DMAPEEK_EXPORT int32_t dmapeek_trace_event_fd(const struct dmapeek_trace_event *e)
{
	return tev_has(e, DMAPEEK_TRACE_A_FD) ?
		(int32_t)tev_u64(e, DMAPEEK_TRACE_A_FD) : -1;
}

DMAPEEK_EXPORT const char *
dmapeek_trace_event_device(const struct dmapeek_trace_event *e)
{
	return dp_obj_str(&e->o, DMAPEEK_TRACE_A_DEVICE);
}

DMAPEEK_EXPORT bool dmapeek_trace_event_dynamic(const struct dmapeek_trace_event *e)
{
	return tev_u64(e, DMAPEEK_TRACE_A_DYNAMIC) != 0;
}
