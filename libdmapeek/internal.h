/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmapeek internals: the context and the netlink transport.
 */
#ifndef LIBDMAPEEK_INTERNAL_H
#define LIBDMAPEEK_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <libmnl/libmnl.h>

#include "dmapeek.h"

#define DMAPEEK_EXPORT __attribute__((visibility("default")))

/* Object kinds: one per attribute set the library decodes. */
enum dp_kind {
	DP_PROVIDER,
	DP_DEVICE,
	DP_BUFFER,
	DP_ATTACHMENT,
	DP_MAPPING,
	DP_P2P,
	DP_REVOKE,
	DP_AUDIT,
	DP_EVENT,
	DP_TRACE,	/* a dma_buf tracepoint's record (trace.c), not netlink */
	DP_KIND_MAX,
};

/* Attribute wire types, as the spec names them. */
enum dp_atype {
	DP_T_NONE,
	DP_T_U8,
	DP_T_U32,
	DP_T_S32,
	DP_T_UINT,	/* 4 or 8 bytes */
	DP_T_STR,
	DP_T_NEST,	/* multi-attr nest of numeric sub-attributes */
	DP_T_FLAG,	/* no payload: present is 1 */
};

#define DP_MAX_ATTR	32	/* attributes per set, bit mask fits a u32 */
#define DP_SUB_MAX	4	/* attributes per nested record */
#define DP_STR_POOL	512	/* bytes of strings per object */
#define DP_NL_REQ_MAX	512	/* bytes of a request: filters and ids only */

/* One nested record: a range, a revoke outcome, an audit mismatch. */
struct dp_sub {
	uint64_t v[DP_SUB_MAX + 1];	/* indexed by attribute number */
	uint8_t present;		/* bit per attribute number */
};

struct dp_kind_info {
	const char *name;
	uint8_t cmd;
	unsigned int max;		/* highest attribute number */
	const uint8_t *types;		/* enum dp_atype by attribute number */
	unsigned int id_attr;		/* 0: no id (p2p) */
	unsigned int nest_attr;		/* the multi-attr nest, 0: none */
	unsigned int sub_max;
	const uint8_t *sub_types;
	/*
	 * Objects whose nest may span messages: the total count of nested
	 * records and the index of a message's first one (0: no split).
	 */
	unsigned int nr_attr;
	unsigned int first_attr;
};

extern const struct dp_kind_info dp_kinds[DP_KIND_MAX];

struct dp_cursor;

#define DP_OBJ_MAGIC	0x64706f62	/* "dpob" */

/*
 * A decoded object: every public object type is one of these.  Decoding
 * reuses the storage (strings pool, nested records), so an iterator's
 * object costs nothing per message once grown to the largest one.
 */
struct dp_obj {
	uint32_t magic;
	enum dp_kind kind;
	struct dp_cursor *cur;		/* owning iteration, or NULL if owned */
	uint32_t present;		/* bit per attribute number */
	uint64_t v[DP_MAX_ATTR];
	uint16_t str_off[DP_MAX_ATTR];	/* offset + 1 in strs, 0: none */
	char strs[DP_STR_POOL];
	size_t str_len;
	struct dp_sub *subs;
	unsigned int nr_subs, cap_subs;
};

struct dmapeek_provider { struct dp_obj o; };
struct dmapeek_device { struct dp_obj o; };
struct dmapeek_buffer { struct dp_obj o; };
struct dmapeek_attachment { struct dp_obj o; };
struct dmapeek_mapping { struct dp_obj o; };
struct dmapeek_p2p { struct dp_obj o; };
struct dmapeek_event { struct dp_obj o; };
struct dmapeek_trace_event { struct dp_obj o; };
struct dmapeek_revoke_result { struct dp_obj o; };
struct dmapeek_audit_report { struct dp_obj o; };

/*
 * Receive buffer of a dump: the kernel sizes its dump messages to the
 * reader's buffer, up to 32 KiB (libmnl >= 1.0.5 names it, as iproute2
 * uses it).
 */
#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE	32768
#endif

/* A netlink socket and one batch of received messages. */
struct dp_stream {
	struct mnl_socket *nl;
	uint32_t portid;
	char *buf;
	size_t buf_size;
	size_t len, off;		/* bytes received, bytes consumed */
};

struct dmapeek {
	struct mnl_socket *nl;
	uint16_t family_id;
	uint32_t mcgrp_events;
	uint32_t seq;
	uint32_t portid;
	int dev_fd;			/* /dev/dmapeek, opened on first use */
	char *buf;			/* one netlink batch */
	size_t buf_size;
	char extack[256];
	int iter_err;			/* of the last iteration that ended */
	struct dp_cursor *cursors;	/* open iterations */
	struct dp_stream spare;		/* an idle dump socket, for reuse */
	struct dp_stream ev;		/* events socket, nl == NULL before */
	struct dp_obj ev_obj;
	uint64_t ev_lost;
	uint64_t ev_drops;		/* kernel's drop count at the last check */
	bool ev_congested;		/* overrun seen, queue not yet drained */
	unsigned long ev_ino;
	uint64_t ev_last_seq;		/* of the last event read, 0: none yet */
	uint64_t ev_missed;		/* events skipped over in seq */
	dmapeek_log_fn log_fn;
	void *log_priv;
	enum dmapeek_log_level log_level;
};

void dmapeek_log(struct dmapeek *ctx, enum dmapeek_log_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define dp_err(ctx, ...) dmapeek_log(ctx, DMAPEEK_LOG_ERR, __VA_ARGS__)
#define dp_dbg(ctx, ...) dmapeek_log(ctx, DMAPEEK_LOG_DEBUG, __VA_ARGS__)

/* Return -err with errno set, the library's error convention. */
static inline int dp_errno(int err)
{
	if (err > 0)
		err = -err;
	errno = -err;
	return err;
}

/* Netlink transport (nl.c) */
int dp_nl_open(struct dmapeek *ctx);
struct nlmsghdr *dp_nl_msg(struct dmapeek *ctx, uint8_t cmd, uint16_t flags);
int dp_nl_talk(struct dmapeek *ctx, struct nlmsghdr *nlh,
	       mnl_cb_t cb, void *data);
int dp_nl_error_msg(struct dmapeek *ctx, const struct nlmsghdr *nlh);

/* Objects decoded from messages (decode.c) */
void dp_obj_init(struct dp_obj *o, enum dp_kind kind);
void dp_obj_release(struct dp_obj *o);
struct dp_obj *dp_obj_new(enum dp_kind kind);
int dp_obj_add_record(struct dmapeek *ctx, struct dp_obj *o, const struct nlattr *nest);
int dp_obj_parse(struct dmapeek *ctx, struct dp_obj *o,
		 const struct nlmsghdr *nlh);
int dp_obj_parse_attrs(struct dmapeek *ctx, struct dp_obj *o,
		       const struct nlmsghdr *nlh, unsigned int offset);
int dp_obj_merge(struct dmapeek *ctx, struct dp_obj *o,
		 const struct nlmsghdr *nlh);
bool dp_obj_incomplete(const struct dp_obj *o);
const char *dp_obj_str(const struct dp_obj *o, unsigned int attr);
/* Set attribute @attr of @o from something else than netlink (a record). */
void dp_obj_set_u64(struct dp_obj *o, unsigned int attr, uint64_t v);
void dp_obj_set_str(struct dp_obj *o, unsigned int attr, const char *s, size_t max);
/* Forget every attribute of @o. */
void dp_obj_clear(struct dp_obj *o);

/* Dumps and gets (fetch.c) */
void dp_cursors_free(struct dmapeek *ctx);
void dp_stream_close(struct dp_stream *s);
int dp_stream_open(struct dp_stream *s, size_t buf_size);
/*
 * What a dump request carries: a u32 filter attribute (0: none), a flag
 * attribute (0: none); @order_attr names the dump's major sort key when it
 * is not sorted by id alone (the id breaks ties).
 */
struct dp_dump_req {
	unsigned int filt_attr;
	uint32_t filt_val;
	unsigned int flag_attr;
	unsigned int order_attr;
};
struct dp_obj *dp_iter_next_req(struct dmapeek *ctx, enum dp_kind kind,
				const struct dp_dump_req *req,
				const struct dp_obj *prev);
struct dp_obj *dp_iter_next(struct dmapeek *ctx, enum dp_kind kind,
			    unsigned int filt_attr, uint32_t filt_val,
			    const struct dp_obj *prev);
struct dp_obj *dp_get(struct dmapeek *ctx, enum dp_kind kind,
		      struct nlmsghdr *nlh);
struct dp_obj *dp_get_by_id(struct dmapeek *ctx, enum dp_kind kind, uint32_t id);

/* A dma-buf's attachments (dmabuf.c) */
struct dmapeek_dmabuf *dp_dmabuf_attachments_close(struct dmapeek *ctx, int fd);

/* The system's files and clock (util.c) */
char *dp_read_file(const char *path, int *err);
uint64_t dp_mono_ns(void);

/* Events (events.c) */
void dp_events_close(struct dmapeek *ctx);
int dp_parse_netlink_drops(const char *text, unsigned long ino,
			   uint64_t *drops);
void dp_ev_account_seq(struct dmapeek *ctx, const struct dp_obj *ev);

/* The system-wide view (sysview.c, sysowner.c, sysdiff.c) */
struct dp_sysfd {
	int pid, fd;
	char comm[16];
};

/*
 * A process that holds a buffer (struct dmapeek_holder): its fds, its
 * mappings (/proc/PID/maps), or both.
 */
struct dmapeek_holder {
	int pid;
	unsigned int how;		/* DMAPEEK_HOLD_* */
	unsigned int fds, vmas;
	uint64_t mapped;		/* bytes of its mappings */
	char comm[16];
};

struct dmapeek_sysbuf {
	uint64_t ino, size;
	int64_t count;
	unsigned int sources;
	unsigned int flags;		/* DMAPEEK_SYSBUF_* */
	uint32_t buffer_id;
	char *exp_name, *name;
	char **devices;
	unsigned int nr_devices;
	struct dp_sysfd *fds;
	unsigned int nr_fds;
	struct dmapeek_holder *holders;	/* by pid, as /proc lists them */
	unsigned int nr_holders;
	struct dmapeek_dmabuf *atts;	/* opts.attachments: or why not */
	int atts_err;
};

struct dmapeek_sysview {
	struct dmapeek_sysbuf *bufs;
	unsigned int nr, cap;
	unsigned int *hash;		/* index + 1 by inode, 0: empty */
	unsigned int hash_size;
	int src_err[DMAPEEK_SRC_MAX];
	unsigned int unreadable[DMAPEEK_SRC_MAX];
	uint64_t time_ns;		/* CLOCK_MONOTONIC when it was begun */
};

struct dmapeek_sysbuf *dp_get_buf(struct dmapeek_sysview *v, uint64_t ino);
struct dmapeek_sysbuf *dp_find_buf(struct dmapeek_sysview *v, uint64_t ino);
void dp_sysbuf_release(struct dmapeek_sysbuf *b);

/* Ownership (sysowner.c) */
int dp_hold(struct dmapeek_sysbuf *b, int pid, const char *comm,
	    unsigned int how, uint64_t mapped);
/* One /proc/PID/maps line that maps a dma-buf: its inode and length. */
struct dp_maps_entry {
	uint64_t ino, len;
};
int dp_maps_line(const char *line, size_t len, struct dp_maps_entry *e);
int dp_scan_maps(struct dmapeek_sysview *v, const char *proc, const char *pid,
		 const char *comm);
void dp_sysview_owners(struct dmapeek_sysview *v);
int dp_confirm_kernel_only(struct dmapeek_sysview *v, struct dmapeek *ctx,
			   const char *bufinfo);

/* System-wide view parsers (sysview.c) */
struct dp_fdinfo {
	uint64_t ino, size;
	int64_t count;
	unsigned int flags;
	char exp_name[64];
	char name[64];
	bool has_name;
};
int dp_fdinfo_parse(const char *text, struct dp_fdinfo *fi);
int dp_bufinfo_parse(struct dmapeek_sysview *v, const char *text);
struct dmapeek_sysview *dp_sysview_alloc(void);

/* /dev/dmapeek (ctx.c) */
int dp_dev_fd(struct dmapeek *ctx);
int dp_ioctl(struct dmapeek *ctx, unsigned long cmd, void *arg);

#endif /* LIBDMAPEEK_INTERNAL_H */
