/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek's lifecycle events as tracepoints (TRACE_SYSTEM dmapeek), one per
 * event type, so that perf, trace-cmd and bpftrace see what the netlink
 * events group carries: events/dmapeek/dmapeek_map, .../dmapeek_revoke_begin,
 * and so on.  dmapeek_event() (dmapeek_core.c) fires them from the same
 * struct dmapeek_event it sends, whether or not netlink listens, and
 * dmapeek_core.c defines them (CREATE_TRACE_POINTS).
 *
 * The fields are the event's own, ids and figures only, never a kernel
 * pointer nor an address: 0 (or an empty importer) where the event does
 * not carry one, as the netlink event leaves the attribute out.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dmapeek

#if !defined(_DMAPEEK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DMAPEEK_TRACE_H

#include <linux/tracepoint.h>

#include "dmapeek.h"

TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_BUFFER_CREATE);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_BUFFER_RELEASE);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_ATTACH);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_DETACH);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_MAP);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_UNMAP);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_PIN);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_UNPIN);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_INVALIDATE);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_MOVE_BEGIN);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_MOVE_DONE);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_REVOKE_BEGIN);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_REVOKE_DONE);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_RESTORE);
TRACE_DEFINE_ENUM(DMAPEEK_EVENT_TYPE_STUCK);
TRACE_DEFINE_ENUM(DMAPEEK_MAP_TYPE_UNKNOWN);
TRACE_DEFINE_ENUM(DMAPEEK_MAP_TYPE_NONE);
TRACE_DEFINE_ENUM(DMAPEEK_MAP_TYPE_NOT_SUPPORTED);
TRACE_DEFINE_ENUM(DMAPEEK_MAP_TYPE_BUS_ADDR);
TRACE_DEFINE_ENUM(DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE);

/* The names the netlink spec gives the event types and map types. */
#define dmapeek_show_event_type(type)					\
	__print_symbolic(type,						\
		{ DMAPEEK_EVENT_TYPE_BUFFER_CREATE,	"buffer-create" },	\
		{ DMAPEEK_EVENT_TYPE_BUFFER_RELEASE,	"buffer-release" },	\
		{ DMAPEEK_EVENT_TYPE_ATTACH,		"attach" },		\
		{ DMAPEEK_EVENT_TYPE_DETACH,		"detach" },		\
		{ DMAPEEK_EVENT_TYPE_MAP,		"map" },		\
		{ DMAPEEK_EVENT_TYPE_UNMAP,		"unmap" },		\
		{ DMAPEEK_EVENT_TYPE_PIN,		"pin" },		\
		{ DMAPEEK_EVENT_TYPE_UNPIN,		"unpin" },		\
		{ DMAPEEK_EVENT_TYPE_INVALIDATE,	"invalidate" },		\
		{ DMAPEEK_EVENT_TYPE_MOVE_BEGIN,	"move-begin" },		\
		{ DMAPEEK_EVENT_TYPE_MOVE_DONE,		"move-done" },		\
		{ DMAPEEK_EVENT_TYPE_REVOKE_BEGIN,	"revoke-begin" },	\
		{ DMAPEEK_EVENT_TYPE_REVOKE_DONE,	"revoke-done" },	\
		{ DMAPEEK_EVENT_TYPE_RESTORE,		"restore" },		\
		{ DMAPEEK_EVENT_TYPE_STUCK,		"stuck" })

#define dmapeek_show_map_type(type)					\
	__print_symbolic(type,						\
		{ DMAPEEK_MAP_TYPE_UNKNOWN,		"unknown" },		\
		{ DMAPEEK_MAP_TYPE_NONE,		"none" },		\
		{ DMAPEEK_MAP_TYPE_NOT_SUPPORTED,	"not-supported" },	\
		{ DMAPEEK_MAP_TYPE_BUS_ADDR,		"bus-addr" },		\
		{ DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE,	"thru-host-bridge" })

DECLARE_EVENT_CLASS(dmapeek_event_class,
		    TP_PROTO(const struct dmapeek_event *ev),
		    TP_ARGS(ev),
		    /* the u64s first: no hole between the fields */
		    TP_STRUCT__entry(__field(u64, duration_ns)
				     __field(u64, op)
				     __field(u32, type)
				     __field(u32, buffer_id)
				     __field(u32, attachment_id)
				     __field(u32, mapping_id)
				     __field(u32, provider_id)
				     __field(u32, count)
				     __field(s32, error)
				     __field(u32, map_type)
				     __string(importer, ev->importer_dev ?: "")),
		    TP_fast_assign(__entry->type = ev->type;
				   __entry->buffer_id = ev->buffer_id;
				   __entry->attachment_id = ev->attachment_id;
				   __assign_str(importer);
				   __entry->mapping_id = ev->mapping_id;
				   __entry->provider_id = ev->provider_id;
				   __entry->duration_ns = ev->duration_ns;
				   __entry->count = ev->count;
				   __entry->error = ev->error;
				   __entry->map_type = ev->map_type;
				   __entry->op = ev->op;),
		    TP_printk("%s buffer=%u attachment=%u importer=%s mapping=%u provider=%u duration_ns=%llu count=%u error=%d map_type=%s op=%llu",
			      dmapeek_show_event_type(__entry->type),
			      __entry->buffer_id, __entry->attachment_id,
			      __get_str(importer), __entry->mapping_id,
			      __entry->provider_id, __entry->duration_ns,
			      __entry->count, __entry->error,
			      dmapeek_show_map_type(__entry->map_type),
			      __entry->op)
);

#define DMAPEEK_TRACE_EVENT(name)					\
	DEFINE_EVENT(dmapeek_event_class, name,				\
		     TP_PROTO(const struct dmapeek_event *ev), TP_ARGS(ev))

DMAPEEK_TRACE_EVENT(dmapeek_buffer_create);
DMAPEEK_TRACE_EVENT(dmapeek_buffer_release);
DMAPEEK_TRACE_EVENT(dmapeek_attach);
DMAPEEK_TRACE_EVENT(dmapeek_detach);
DMAPEEK_TRACE_EVENT(dmapeek_map);
DMAPEEK_TRACE_EVENT(dmapeek_unmap);
DMAPEEK_TRACE_EVENT(dmapeek_pin);
DMAPEEK_TRACE_EVENT(dmapeek_unpin);
DMAPEEK_TRACE_EVENT(dmapeek_invalidate);
DMAPEEK_TRACE_EVENT(dmapeek_move_begin);
DMAPEEK_TRACE_EVENT(dmapeek_move_done);
DMAPEEK_TRACE_EVENT(dmapeek_revoke_begin);
DMAPEEK_TRACE_EVENT(dmapeek_revoke_done);
DMAPEEK_TRACE_EVENT(dmapeek_restore);
DMAPEEK_TRACE_EVENT(dmapeek_stuck);

#endif /* _DMAPEEK_TRACE_H */

/*
 * Out of tree: define_trace.h includes this file again by a path relative
 * to the include path, and Kbuild gives dmapeek_core.o -I$(src).
 */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE dmapeek_trace
#include <trace/define_trace.h>
