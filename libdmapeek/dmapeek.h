/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmapeek: the C library over dmapeek.ko's ioctl and netlink surface.
 *
 * Conventions: functions return 0 or a negative errno (and set errno);
 * functions returning a pointer return NULL and set errno on failure.  The
 * library never prints and never exits: diagnostics go to the log callback
 * (dmapeek_set_log_fn()), and the kernel's extended-ack message of the last
 * failed request is available from dmapeek_extack().
 *
 * The enums of the module's ABI (DMAPEEK_MODEL_*, DMAPEEK_MAP_TYPE_*, the
 * attribute numbers DMAPEEK_A_*, ...) come from <linux/dmapeek.h> and are
 * the library's vocabulary too.
 *
 * Objects.  Providers, devices, buffers, attachments, mappings and P2P
 * cells are read-only snapshots of one netlink message.  There are two
 * ways to get them:
 *
 *  - iterators stream a dump: dmapeek_buffer_next(ctx, NULL) starts one and
 *    returns the first buffer, dmapeek_buffer_next(ctx, prev) the next; the
 *    object returned is owned by the iteration and valid until the next
 *    call.  At the end NULL is returned and dmapeek_iter_err() is 0; on an
 *    error NULL is returned with errno set and dmapeek_iter_err() < 0.
 *    Memory is bounded by one netlink batch, whatever the number of
 *    objects.  A loop left early must call dmapeek_iter_end(prev).
 *    Iterations may nest (each has its own socket).  An interrupted dump
 *    (objects came or went while it ran) is restarted transparently, up
 *    to a few times, from after the last object already returned.
 *
 *  - lookups by id (dmapeek_buffer_get()) return an object the caller
 *    owns and frees with dmapeek_object_free().
 */
#ifndef LIBDMAPEEK_DMAPEEK_H
#define LIBDMAPEEK_DMAPEEK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/dmapeek.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque library context: one netlink socket, /dev/dmapeek when needed. */
struct dmapeek;

/* Opaque objects (see above). */
struct dmapeek_provider;
struct dmapeek_device;
struct dmapeek_buffer;
struct dmapeek_attachment;
struct dmapeek_mapping;
struct dmapeek_p2p;
struct dmapeek_event;
struct dmapeek_revoke_result;
struct dmapeek_audit_report;

/** Log priorities, as syslog's. */
enum dmapeek_log_level {
	DMAPEEK_LOG_ERR = 3,
	DMAPEEK_LOG_WARNING = 4,
	DMAPEEK_LOG_INFO = 6,
	DMAPEEK_LOG_DEBUG = 7,
};

typedef void (*dmapeek_log_fn)(void *priv, enum dmapeek_log_level level,
			       const char *fmt, va_list ap);

/* ------------------------------------------------------------ context */

struct dmapeek *dmapeek_new(void);
void dmapeek_free(struct dmapeek *ctx);

void dmapeek_set_log_fn(struct dmapeek *ctx, dmapeek_log_fn fn, void *priv);
void dmapeek_set_log_level(struct dmapeek *ctx, enum dmapeek_log_level level);

/** The kernel's extended-ack message for the last failed request, or NULL. */
const char *dmapeek_extack(const struct dmapeek *ctx);

/** The library's own ABI version (what it was built against). */
void dmapeek_lib_abi_version(unsigned int *major, unsigned int *minor);

/** The module's ABI version, through the netlink family. */
int dmapeek_abi_version(struct dmapeek *ctx, unsigned int *major,
			unsigned int *minor);

/** The module's ABI version, through /dev/dmapeek (needs access to it). */
int dmapeek_dev_abi_version(struct dmapeek *ctx, unsigned int *major,
			    unsigned int *minor);

/* ---------------------------------------------------------- iteration */

/** 0 if the last iteration ended normally, else its negative errno. */
int dmapeek_iter_err(const struct dmapeek *ctx);

/** End an iteration early; @obj is the last object it returned. */
void dmapeek_iter_end(const void *obj);

/** Free an object from a lookup or an operation (not one from an iterator). */
void dmapeek_object_free(const void *obj);

/**
 * Does @obj carry attribute @attr (a DMAPEEK_A_<SET>_* of its set)?
 * Addresses are sent only to CAP_SYS_ADMIN; an older module lacks newer
 * attributes.
 */
bool dmapeek_object_has(const void *obj, unsigned int attr);

/** Raw value of a numeric attribute (0 when absent). */
uint64_t dmapeek_object_u64(const void *obj, unsigned int attr);

/** Value of a string attribute, or NULL when absent. */
const char *dmapeek_object_str(const void *obj, unsigned int attr);

/** One range of a buffer (its backing) or of a mapping (its DMA addresses). */
struct dmapeek_addr_range {
	uint64_t offset;	/* inside the buffer */
	uint64_t len;
	uint64_t addr;		/* valid when has_addr */
	uint32_t kind;		/* enum dmapeek_addr_kind, 0 if unknown */
	bool has_addr;
};

/* ---------------------------------------------------------- providers */

struct dmapeek_provider *dmapeek_provider_next(struct dmapeek *ctx,
					       const struct dmapeek_provider *prev);
struct dmapeek_provider *dmapeek_provider_get(struct dmapeek *ctx, uint32_t id);
uint32_t dmapeek_provider_id(const struct dmapeek_provider *p);
uint32_t dmapeek_provider_kind(const struct dmapeek_provider *p);
uint32_t dmapeek_provider_device_id(const struct dmapeek_provider *p);
const char *dmapeek_provider_bdf(const struct dmapeek_provider *p);
uint32_t dmapeek_provider_bar(const struct dmapeek_provider *p);
uint64_t dmapeek_provider_size(const struct dmapeek_provider *p);
int dmapeek_provider_phys_start(const struct dmapeek_provider *p, uint64_t *v);
int dmapeek_provider_bus_offset(const struct dmapeek_provider *p, uint64_t *v);
uint64_t dmapeek_provider_bytes_exported(const struct dmapeek_provider *p);
uint32_t dmapeek_provider_buffers(const struct dmapeek_provider *p);

#define dmapeek_for_each_provider(ctx, p) \
	for ((p) = dmapeek_provider_next(ctx, NULL); (p); \
	     (p) = dmapeek_provider_next(ctx, p))

/* ------------------------------------------------------------ devices */

struct dmapeek_device *dmapeek_device_next(struct dmapeek *ctx,
					   const struct dmapeek_device *prev);
struct dmapeek_device *dmapeek_device_get(struct dmapeek *ctx, uint32_t id);
uint32_t dmapeek_device_id(const struct dmapeek_device *d);
const char *dmapeek_device_bdf(const struct dmapeek_device *d);
uint32_t dmapeek_device_vendor(const struct dmapeek_device *d);
uint32_t dmapeek_device_device(const struct dmapeek_device *d);
uint32_t dmapeek_device_class(const struct dmapeek_device *d);
uint32_t dmapeek_device_roles(const struct dmapeek_device *d);
int32_t dmapeek_device_iommu_group(const struct dmapeek_device *d);
uint32_t dmapeek_device_domain_type(const struct dmapeek_device *d);
uint32_t dmapeek_device_dma_mask_bits(const struct dmapeek_device *d);
uint32_t dmapeek_device_attachments(const struct dmapeek_device *d);

#define dmapeek_for_each_device(ctx, d) \
	for ((d) = dmapeek_device_next(ctx, NULL); (d); \
	     (d) = dmapeek_device_next(ctx, d))

/* ------------------------------------------------------------ buffers */

struct dmapeek_buffer *dmapeek_buffer_next(struct dmapeek *ctx,
					   const struct dmapeek_buffer *prev);
/** Only the buffers of one provider (the dump's filter). */
struct dmapeek_buffer *dmapeek_buffer_next_by_provider(struct dmapeek *ctx,
						       uint32_t provider_id,
						       const struct dmapeek_buffer *prev);
struct dmapeek_buffer *dmapeek_buffer_get(struct dmapeek *ctx, uint32_t id);
uint32_t dmapeek_buffer_id(const struct dmapeek_buffer *b);
uint64_t dmapeek_buffer_inode(const struct dmapeek_buffer *b);
const char *dmapeek_buffer_name(const struct dmapeek_buffer *b);
uint64_t dmapeek_buffer_size(const struct dmapeek_buffer *b);
uint32_t dmapeek_buffer_model(const struct dmapeek_buffer *b);
uint32_t dmapeek_buffer_provider_id(const struct dmapeek_buffer *b);
uint32_t dmapeek_buffer_state(const struct dmapeek_buffer *b);
uint32_t dmapeek_buffer_attachments(const struct dmapeek_buffer *b);
uint32_t dmapeek_buffer_pins(const struct dmapeek_buffer *b);
uint32_t dmapeek_buffer_moves(const struct dmapeek_buffer *b);
uint32_t dmapeek_buffer_revokes(const struct dmapeek_buffer *b);
uint64_t dmapeek_buffer_created_ns(const struct dmapeek_buffer *b);
bool dmapeek_buffer_held(const struct dmapeek_buffer *b);
unsigned int dmapeek_buffer_nr_ranges(const struct dmapeek_buffer *b);
int dmapeek_buffer_range(const struct dmapeek_buffer *b, unsigned int i,
			 struct dmapeek_addr_range *r);

#define dmapeek_for_each_buffer(ctx, b) \
	for ((b) = dmapeek_buffer_next(ctx, NULL); (b); \
	     (b) = dmapeek_buffer_next(ctx, b))
#define dmapeek_for_each_buffer_of_provider(ctx, pid, b) \
	for ((b) = dmapeek_buffer_next_by_provider(ctx, pid, NULL); (b); \
	     (b) = dmapeek_buffer_next_by_provider(ctx, pid, b))

/* -------------------------------------------------------- attachments */

struct dmapeek_attachment *dmapeek_attachment_next(struct dmapeek *ctx,
						   const struct dmapeek_attachment *prev);
struct dmapeek_attachment *dmapeek_attachment_next_by_buffer(struct dmapeek *ctx,
							     uint32_t buffer_id,
							     const struct dmapeek_attachment *prev);
/**
 * The attachments of dmapeek's buffers in buffer order: by buffer id, then
 * attachment id (none of another exporter's buffers).  Merged with a
 * buffer iteration, it lists every buffer with its attachments in two
 * streams.  A module older than ABI 1.1 refuses it: NULL, errno EINVAL.
 */
struct dmapeek_attachment *
dmapeek_attachment_next_in_buffer_order(struct dmapeek *ctx,
					const struct dmapeek_attachment *prev);
struct dmapeek_attachment *dmapeek_attachment_get(struct dmapeek *ctx, uint32_t id);
uint32_t dmapeek_attachment_id(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_buffer_id(const struct dmapeek_attachment *a);
uint64_t dmapeek_attachment_inode(const struct dmapeek_attachment *a);
const char *dmapeek_attachment_exp_name(const struct dmapeek_attachment *a);
uint64_t dmapeek_attachment_size(const struct dmapeek_attachment *a);
const char *dmapeek_attachment_importer_dev(const struct dmapeek_attachment *a);
const char *dmapeek_attachment_importer_driver(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_device_id(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_flags(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_map_type(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_behaviour(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_unmap_delay_ms(const struct dmapeek_attachment *a);
bool dmapeek_attachment_mapped(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_maps(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_unmaps(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_invalidations(const struct dmapeek_attachment *a);
uint64_t dmapeek_attachment_last_map_ns(const struct dmapeek_attachment *a);
uint64_t dmapeek_attachment_last_unmap_ns(const struct dmapeek_attachment *a);
uint64_t dmapeek_attachment_last_invalidate_ns(const struct dmapeek_attachment *a);
uint64_t dmapeek_attachment_last_unmap_latency_ns(const struct dmapeek_attachment *a);
uint64_t dmapeek_attachment_max_unmap_latency_ns(const struct dmapeek_attachment *a);
bool dmapeek_attachment_stuck(const struct dmapeek_attachment *a);
uint32_t dmapeek_attachment_revoked_seen(const struct dmapeek_attachment *a);
/**
 * dmapeek's importer's own mapping of the buffer's ranges beside the
 * exporter's sg table (enum dmapeek_own_map_state); 0 when the attachment
 * does not say (another importer, a module older than ABI 1.2).
 */
uint32_t dmapeek_attachment_own_map(const struct dmapeek_attachment *a);

#define dmapeek_for_each_attachment(ctx, a) \
	for ((a) = dmapeek_attachment_next(ctx, NULL); (a); \
	     (a) = dmapeek_attachment_next(ctx, a))
#define dmapeek_for_each_attachment_of_buffer(ctx, bid, a) \
	for ((a) = dmapeek_attachment_next_by_buffer(ctx, bid, NULL); (a); \
	     (a) = dmapeek_attachment_next_by_buffer(ctx, bid, a))
#define dmapeek_for_each_attachment_in_buffer_order(ctx, a) \
	for ((a) = dmapeek_attachment_next_in_buffer_order(ctx, NULL); (a); \
	     (a) = dmapeek_attachment_next_in_buffer_order(ctx, a))

/* ----------------------------------------------------------- mappings */

struct dmapeek_mapping *dmapeek_mapping_next(struct dmapeek *ctx,
					     const struct dmapeek_mapping *prev);
struct dmapeek_mapping *dmapeek_mapping_next_by_attachment(struct dmapeek *ctx,
							   uint32_t attachment_id,
							   const struct dmapeek_mapping *prev);
struct dmapeek_mapping *dmapeek_mapping_get(struct dmapeek *ctx, uint32_t id);
uint32_t dmapeek_mapping_id(const struct dmapeek_mapping *m);
uint32_t dmapeek_mapping_attachment_id(const struct dmapeek_mapping *m);
uint32_t dmapeek_mapping_path(const struct dmapeek_mapping *m);
uint64_t dmapeek_mapping_size(const struct dmapeek_mapping *m);
uint64_t dmapeek_mapping_map_ns(const struct dmapeek_mapping *m);
unsigned int dmapeek_mapping_nr_ranges(const struct dmapeek_mapping *m);
int dmapeek_mapping_range(const struct dmapeek_mapping *m, unsigned int i,
			  struct dmapeek_addr_range *r);

#define dmapeek_for_each_mapping(ctx, m) \
	for ((m) = dmapeek_mapping_next(ctx, NULL); (m); \
	     (m) = dmapeek_mapping_next(ctx, m))
#define dmapeek_for_each_mapping_of_attachment(ctx, aid, m) \
	for ((m) = dmapeek_mapping_next_by_attachment(ctx, aid, NULL); (m); \
	     (m) = dmapeek_mapping_next_by_attachment(ctx, aid, m))

/* ---------------------------------------------------------- P2P cells */

struct dmapeek_p2p *dmapeek_p2p_next(struct dmapeek *ctx,
				     const struct dmapeek_p2p *prev);
/** The decision for one (provider, client) pair of PCI devices, by BDF. */
struct dmapeek_p2p *dmapeek_p2p_get(struct dmapeek *ctx, const char *provider_bdf,
				    const char *client_bdf);
const char *dmapeek_p2p_provider_bdf(const struct dmapeek_p2p *c);
const char *dmapeek_p2p_client_bdf(const struct dmapeek_p2p *c);
uint32_t dmapeek_p2p_map_type(const struct dmapeek_p2p *c);
int32_t dmapeek_p2p_distance(const struct dmapeek_p2p *c);
uint32_t dmapeek_p2p_reason(const struct dmapeek_p2p *c);

#define dmapeek_for_each_p2p(ctx, c) \
	for ((c) = dmapeek_p2p_next(ctx, NULL); (c); \
	     (c) = dmapeek_p2p_next(ctx, c))

/* --------------------------------------------------------- operations */

/*
 * Options structs start with their size, so they can grow: declare them
 * with DMAPEEK_OPTS(), which sets it and zeroes the rest.
 */
#define DMAPEEK_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

struct dmapeek_export_opts {
	size_t sz;
	uint32_t provider_id;
	uint32_t model;			/* enum dmapeek_model */
	uint64_t length;		/* with nr_ranges == 0 */
	const struct dmapeek_range *ranges;	/* <linux/dmapeek.h> */
	uint32_t nr_ranges;
	const char *name;		/* NULL: none */
	uint32_t flags;			/* DMAPEEK_EXPORT_* */
};

/** Export a buffer; *fd is its dma-buf (close-on-exec), *buffer_id its id. */
int dmapeek_export(struct dmapeek *ctx, const struct dmapeek_export_opts *opts,
		   int *fd, uint32_t *buffer_id);

struct dmapeek_import_opts {
	size_t sz;
	uint32_t flags;			/* DMAPEEK_IMPORT_* */
	uint32_t behaviour;		/* enum dmapeek_behaviour, 0: normal */
	uint32_t unmap_delay_ms;
};

/**
 * Import any dma-buf @dmabuf_fd into client device @device_id (opts may be
 * NULL).  The import lives until dmapeek_detach() or dmapeek_free().
 */
int dmapeek_import(struct dmapeek *ctx, int dmabuf_fd, uint32_t device_id,
		   const struct dmapeek_import_opts *opts, uint32_t *attachment_id);
int dmapeek_detach(struct dmapeek *ctx, uint32_t attachment_id);
int dmapeek_map(struct dmapeek *ctx, uint32_t attachment_id);
int dmapeek_unmap(struct dmapeek *ctx, uint32_t attachment_id);

/**
 * Move a movable buffer to another provider (timeout 0:
 * DMAPEEK_TIMEOUT_DEFAULT_MS; at most DMAPEEK_TIMEOUT_MAX_MS).
 */
int dmapeek_move(struct dmapeek *ctx, uint32_t buffer_id, uint32_t provider_id,
		 uint32_t timeout_ms);

/**
 * Revoke a revocable buffer (timeout as dmapeek_move()'s).  On success,
 * *res (if @res is not NULL) holds the outcome, freed with
 * dmapeek_object_free().
 */
int dmapeek_revoke(struct dmapeek *ctx, uint32_t buffer_id, uint32_t timeout_ms,
		   struct dmapeek_revoke_result **res);
uint32_t dmapeek_revoke_buffer_id(const struct dmapeek_revoke_result *r);
uint64_t dmapeek_revoke_duration_ns(const struct dmapeek_revoke_result *r);
uint32_t dmapeek_revoke_attachments(const struct dmapeek_revoke_result *r);
uint32_t dmapeek_revoke_stuck(const struct dmapeek_revoke_result *r);
/** Per-attachment outcomes (none when the module answered by ioctl). */
unsigned int dmapeek_revoke_nr_results(const struct dmapeek_revoke_result *r);
/** *unmap_ns is UINT64_MAX for a stuck attachment. */
int dmapeek_revoke_result(const struct dmapeek_revoke_result *r, unsigned int i,
			  uint32_t *attachment_id, uint64_t *unmap_ns, bool *stuck);

int dmapeek_restore(struct dmapeek *ctx, uint32_t buffer_id);

/*
 * Held objects (ABI 2.1): a buffer exported with DMAPEEK_EXPORT_HOLD, or an
 * import made with DMAPEEK_IMPORT_HOLD, lives in the module until deleted.
 * dmapeek_buffer_fd() gives a new dma-buf fd (close-on-exec) of any live
 * buffer dmapeek exported.  The deletes drop one object by id, or with id
 * 0 every held one; *deleted (may be NULL) says how many went.
 */
int dmapeek_buffer_fd(struct dmapeek *ctx, uint32_t buffer_id, int *fd);
int dmapeek_buffer_delete(struct dmapeek *ctx, uint32_t buffer_id,
			  uint32_t *deleted);
int dmapeek_attachment_delete(struct dmapeek *ctx, uint32_t attachment_id,
			      uint32_t *deleted);

/** Move @len bytes with the importing device's DMA engine. */
int dmapeek_dma_read(struct dmapeek *ctx, uint32_t attachment_id,
		     uint64_t offset, void *buf, size_t len);
int dmapeek_dma_write(struct dmapeek *ctx, uint32_t attachment_id,
		      uint64_t offset, const void *buf, size_t len);

/** Walk a mapping through the IOMMU; *res freed with dmapeek_object_free(). */
int dmapeek_audit(struct dmapeek *ctx, uint32_t mapping_id,
		  struct dmapeek_audit_report **res);
uint32_t dmapeek_audit_mapping_id(const struct dmapeek_audit_report *r);
uint32_t dmapeek_audit_result(const struct dmapeek_audit_report *r);
uint32_t dmapeek_audit_domain_type(const struct dmapeek_audit_report *r);
uint64_t dmapeek_audit_pages(const struct dmapeek_audit_report *r);
uint64_t dmapeek_audit_mismatches(const struct dmapeek_audit_report *r);
uint64_t dmapeek_audit_holes(const struct dmapeek_audit_report *r);
unsigned int dmapeek_audit_nr_samples(const struct dmapeek_audit_report *r);
int dmapeek_audit_sample(const struct dmapeek_audit_report *r, unsigned int i,
			 uint64_t *iova, uint64_t *expected, uint64_t *actual);

/* ------------------------------------------------------------- events */

/** Join the events multicast group on a second socket. */
int dmapeek_event_subscribe(struct dmapeek *ctx);
/** A descriptor to poll for POLLIN; -EBADF (errno set) before subscribing. */
int dmapeek_event_fd(const struct dmapeek *ctx);
/**
 * The next event, without blocking: valid until the next call.  NULL with
 * errno EAGAIN when none is pending; NULL with errno ENOBUFS once after an
 * overrun (events were lost: see dmapeek_event_lost()).
 */
const struct dmapeek_event *dmapeek_event_read(struct dmapeek *ctx);
/** Events lost to overruns since subscribing (exact when /proc is readable). */
uint64_t dmapeek_event_lost(const struct dmapeek *ctx);
/**
 * Events the module numbered but this context never read, since
 * subscribing: the gaps in the events' seq (ABI 1.2; 0 with an older
 * module).  It grows when the event after a gap is read, whoever lost
 * the events: the socket (see dmapeek_event_lost()) or the module (see
 * dmapeek_event_dropped()).
 */
uint64_t dmapeek_event_missed(const struct dmapeek *ctx);
uint32_t dmapeek_event_type(const struct dmapeek_event *e);
uint64_t dmapeek_event_timestamp_ns(const struct dmapeek_event *e);
uint32_t dmapeek_event_buffer_id(const struct dmapeek_event *e);
uint32_t dmapeek_event_attachment_id(const struct dmapeek_event *e);
uint32_t dmapeek_event_mapping_id(const struct dmapeek_event *e);
uint32_t dmapeek_event_provider_id(const struct dmapeek_event *e);
uint64_t dmapeek_event_duration_ns(const struct dmapeek_event *e);
uint32_t dmapeek_event_count(const struct dmapeek_event *e);
int32_t dmapeek_event_error(const struct dmapeek_event *e);
/** The event's number (ABI 1.2): one more than the last, 0 if absent. */
uint64_t dmapeek_event_seq(const struct dmapeek_event *e);
/** Events the module failed to send since it was loaded (ABI 1.2). */
uint64_t dmapeek_event_dropped(const struct dmapeek_event *e);
/** Attach and map events of P2P memory: the pair's map type, 0 if absent. */
uint32_t dmapeek_event_map_type(const struct dmapeek_event *e);

/* ------------------------------------------------------------- names */

/** The names the spec gives enum values ("movable", "bus-addr"), or NULL. */
const char *dmapeek_model_str(uint32_t v);
const char *dmapeek_map_type_str(uint32_t v);
/** A map type in two or three letters (BUS, HB, NS, X; "?" if unknown). */
const char *dmapeek_map_type_abbrev(uint32_t v);
const char *dmapeek_p2p_reason_str(uint32_t v);
const char *dmapeek_addr_kind_str(uint32_t v);
const char *dmapeek_provider_kind_str(uint32_t v);
const char *dmapeek_buffer_state_str(uint32_t v);
const char *dmapeek_domain_type_str(uint32_t v);
const char *dmapeek_mapping_path_str(uint32_t v);
const char *dmapeek_behaviour_str(uint32_t v);
const char *dmapeek_event_type_str(uint32_t v);
const char *dmapeek_audit_result_str(uint32_t v);
const char *dmapeek_own_map_state_str(uint32_t v);
/** Name of bit @bit of enum dmapeek_attach_flags / dmapeek_device_role. */
const char *dmapeek_attach_flag_str(unsigned int bit);
const char *dmapeek_device_role_str(unsigned int bit);
/** Parse a name back (exact match); -EINVAL if unknown. */
int dmapeek_model_parse(const char *s, uint32_t *v);
int dmapeek_behaviour_parse(const char *s, uint32_t *v);

/* ------------------------------------------- every exporter's events */

/*
 * The dma-buf core's own tracepoints (Linux 7.0 and later: dma_buf_export,
 * dma_buf_fd, dma_buf_get, dma_buf_put, dma_buf_mmap,
 * dma_buf_mmap_internal, dma_buf_dynamic_attach, dma_buf_detach), for
 * every exporter, read through tracefs in a tracing instance of the
 * trace's own that dmapeek_trace_free() removes again.  No module is
 * needed; tracefs is, and root to write it.
 *
 * The instance's trace clock is "mono", CLOCK_MONOTONIC: the clock the
 * module stamps its events with, so both streams merge by timestamp.
 *
 * An event is an object like the module's: dmapeek_object_has(),
 * dmapeek_object_u64() and dmapeek_object_str() take a DMAPEEK_TRACE_A_*
 * attribute.  A library built without libtracefs has the same functions:
 * dmapeek_trace_new() fails there with EOPNOTSUPP.
 */
struct dmapeek_trace;
struct dmapeek_trace_event;

/* The tracepoints, by what they tell. */
enum dmapeek_trace_type {
	DMAPEEK_TRACE_EXPORT = 1,	/* dma_buf_export: an exporter made one */
	DMAPEEK_TRACE_FD,		/* dma_buf_fd: it got a file descriptor */
	DMAPEEK_TRACE_GET,		/* dma_buf_get: a driver took it by fd */
	DMAPEEK_TRACE_PUT,		/* dma_buf_put: a driver let it go */
	DMAPEEK_TRACE_MMAP,		/* dma_buf_mmap: a driver mapped it for user space */
	DMAPEEK_TRACE_MMAP_INTERNAL,	/* dma_buf_mmap_internal: mmap() of its fd */
	DMAPEEK_TRACE_ATTACH,		/* dma_buf_dynamic_attach: an importer attached */
	DMAPEEK_TRACE_DETACH,		/* dma_buf_detach */
	__DMAPEEK_TRACE_TYPE_MAX,
};

/* The attributes of a struct dmapeek_trace_event. */
enum dmapeek_trace_attr {
	DMAPEEK_TRACE_A_TYPE = 1,	/* enum dmapeek_trace_type */
	DMAPEEK_TRACE_A_TIMESTAMP_NS,	/* CLOCK_MONOTONIC */
	DMAPEEK_TRACE_A_CPU,
	DMAPEEK_TRACE_A_PID,		/* the task that caused it */
	DMAPEEK_TRACE_A_COMM,		/* its name; absent when unknown */
	DMAPEEK_TRACE_A_EXP_NAME,	/* the exporter's name */
	DMAPEEK_TRACE_A_SIZE,
	DMAPEEK_TRACE_A_INODE,
	DMAPEEK_TRACE_A_FD,		/* fd and get */
	DMAPEEK_TRACE_A_DEVICE,		/* attach and detach: the importer's device */
	DMAPEEK_TRACE_A_DYNAMIC,	/* attach and detach: 1 for a dynamic importer */
	__DMAPEEK_TRACE_A_MAX,
};

struct dmapeek_trace_opts {
	size_t sz;
	const char *instance;	/* NULL: "dmapeek-PID" */
	uint32_t types;		/* bit 1 << DMAPEEK_TRACE_*: which; 0: all */
	uint32_t buffer_kb;	/* per CPU; 0: the kernel's default */
};

/**
 * Create the tracing instance and enable the dma_buf events in it (opts
 * may be NULL).  NULL with errno: EOPNOTSUPP built without libtracefs,
 * ENODEV tracefs is not mounted, EACCES or EPERM not allowed to write it
 * (root), ENOENT the kernel has no dma_buf tracepoints, EEXIST an
 * instance of that name exists.  Instances "dmapeek-PID" left by dead
 * processes are removed first.
 */
struct dmapeek_trace *dmapeek_trace_new(const struct dmapeek_trace_opts *opts);
/** Stop tracing and remove the instance. */
void dmapeek_trace_free(struct dmapeek_trace *t);
/** The instance's directory in tracefs. */
const char *dmapeek_trace_dir(const struct dmapeek_trace *t);
/** A descriptor to poll for POLLIN: some CPU has events. */
int dmapeek_trace_fd(const struct dmapeek_trace *t);
/**
 * The next event without blocking, the earliest of those pending on every
 * CPU; valid until the next call.  NULL with errno EAGAIN when none is.
 */
const struct dmapeek_trace_event *dmapeek_trace_read(struct dmapeek_trace *t);
/** Events the kernel overwrote before they were read (a full buffer). */
uint64_t dmapeek_trace_lost(const struct dmapeek_trace *t);
uint32_t dmapeek_trace_event_type(const struct dmapeek_trace_event *e);
uint64_t dmapeek_trace_event_timestamp_ns(const struct dmapeek_trace_event *e);
int32_t dmapeek_trace_event_pid(const struct dmapeek_trace_event *e);
/** The task's name (from /proc, else the kernel's saved_cmdlines), or NULL. */
const char *dmapeek_trace_event_comm(const struct dmapeek_trace_event *e);
const char *dmapeek_trace_event_exp_name(const struct dmapeek_trace_event *e);
uint64_t dmapeek_trace_event_size(const struct dmapeek_trace_event *e);
uint64_t dmapeek_trace_event_inode(const struct dmapeek_trace_event *e);
/** fd and get events: the descriptor; -1 for the others. */
int32_t dmapeek_trace_event_fd(const struct dmapeek_trace_event *e);
/** attach and detach events: the importer's device; NULL for the others. */
const char *dmapeek_trace_event_device(const struct dmapeek_trace_event *e);
bool dmapeek_trace_event_dynamic(const struct dmapeek_trace_event *e);
/** "export", "fd", "get", "put", "mmap", "mmap-internal", "attach", "detach". */
const char *dmapeek_trace_type_str(uint32_t v);
/* ------------------------------------------ any dma-buf's attachments */

/*
 * Every attachment of a dma-buf from any exporter, as the dma-buf core
 * records it (module ABI 2.2: an older module gives EOPNOTSUPP), through
 * /dev/dmapeek: each importer's device and driver and its flags (enum
 * dmapeek_attach_flags: dynamic, peer2peer, revocable, pin-on-map and
 * p2p-refused for any importer; pinned, exported, imported and held only
 * for the attachments dmapeek records, which have an id), and the
 * buffer's inode, size, exporter and name.  The library asks again with
 * more room until it has them all, or DMAPEEK_DMABUF_MAX_ATTACHMENTS of
 * them: dmapeek_dmabuf_total_attachments() says how many there are.
 * NULL with errno set on failure: EBADF (@dmabuf_fd is not open), EINVAL
 * (it is no dma-buf), EINTR.  Free with dmapeek_dmabuf_free().
 */
struct dmapeek_dmabuf;

struct dmapeek_dmabuf *dmapeek_dmabuf_attachments(struct dmapeek *ctx, int dmabuf_fd);
/**
 * The same for descriptor @fd of process @pid, taken with dmapeek_pid_fd()
 * (and closed again): EPERM without the right to ptrace @pid.
 */
struct dmapeek_dmabuf *dmapeek_dmabuf_attachments_pid(struct dmapeek *ctx,
						      int pid, int fd);
void dmapeek_dmabuf_free(struct dmapeek_dmabuf *d);
uint64_t dmapeek_dmabuf_inode(const struct dmapeek_dmabuf *d);
uint64_t dmapeek_dmabuf_size(const struct dmapeek_dmabuf *d);
const char *dmapeek_dmabuf_exp_name(const struct dmapeek_dmabuf *d);
/** The name user space gave the buffer, or NULL without one. */
const char *dmapeek_dmabuf_name(const struct dmapeek_dmabuf *d);
/** dmapeek's buffer id when dmapeek exported it, else 0. */
uint32_t dmapeek_dmabuf_buffer_id(const struct dmapeek_dmabuf *d);
/** The exporter has pin/unpin (static importers are pinned while mapped). */
bool dmapeek_dmabuf_dynamic(const struct dmapeek_dmabuf *d);
/** Attachments held here (at most DMAPEEK_DMABUF_MAX_ATTACHMENTS) ... */
unsigned int dmapeek_dmabuf_nr_attachments(const struct dmapeek_dmabuf *d);
/** ... and how many the buffer had. */
uint32_t dmapeek_dmabuf_total_attachments(const struct dmapeek_dmabuf *d);
/** Attachment @i's importer device (dev_name()), or NULL past the end. */
const char *dmapeek_dmabuf_attachment_device(const struct dmapeek_dmabuf *d,
					     unsigned int i);
/** Its driver's name ("" when the device has none), or NULL past the end. */
const char *dmapeek_dmabuf_attachment_driver(const struct dmapeek_dmabuf *d,
					     unsigned int i);
uint32_t dmapeek_dmabuf_attachment_flags(const struct dmapeek_dmabuf *d,
					 unsigned int i);
/** dmapeek's attachment id when dmapeek records it, else 0. */
uint32_t dmapeek_dmabuf_attachment_id(const struct dmapeek_dmabuf *d,
				      unsigned int i);

/**
 * A duplicate of descriptor @fd of process @pid (pidfd_open() and
 * pidfd_getfd(): needs the right to ptrace @pid, so root, or
 * CAP_SYS_PTRACE), close-on-exec: the new descriptor, or a negative errno
 * (ESRCH: no such process, EBADF: no such descriptor, EPERM).
 */
int dmapeek_pid_fd(int pid, int fd);

/* -------------------------------------------------- system-wide view */

/*
 * Every dma-buf in the system, from debugfs bufinfo (when mounted and
 * readable) and /proc/PID/fdinfo, joined by inode with the module's
 * buffers.  Each source is optional; dmapeek_sysview_source() tells
 * which were used.
 */
struct dmapeek_sysview;
struct dmapeek_sysbuf;

enum dmapeek_sysview_src {
	DMAPEEK_SRC_BUFINFO,	/* /sys/kernel/debug/dma_buf/bufinfo */
	DMAPEEK_SRC_FDINFO,	/* /proc/PID/fdinfo/FD */
	DMAPEEK_SRC_MODULE,	/* dmapeek.ko's buffer dump */
	DMAPEEK_SRC_MAPS,	/* /proc/PID/maps: buffers held by a mapping */
	DMAPEEK_SRC_MAX,
};

struct dmapeek_sysview_opts {
	size_t sz;
	const char *bufinfo_path;	/* NULL: the debugfs default */
	const char *proc_path;		/* NULL: "/proc" */
	bool no_module;			/* do not ask the module */
	bool no_maps;			/* do not read /proc/PID/maps */
	/*
	 * (LIBDMAPEEK_0.3) ask the module for the attachments of every
	 * buffer some process holds by descriptor, through one holder's
	 * descriptor (dmapeek_pid_fd(): root), or a held buffer of dmapeek
	 * (dmapeek_buffer_fd()); see dmapeek_sysbuf_attachments()
	 */
	bool attachments;
};

/** @ctx may be NULL (no module). Free with dmapeek_sysview_free(). */
struct dmapeek_sysview *dmapeek_sysview_new(struct dmapeek *ctx,
					    const struct dmapeek_sysview_opts *opts);
void dmapeek_sysview_free(struct dmapeek_sysview *v);
/**
 * 0 if @src was read; -ENOENT absent, -EACCES/-EPERM not readable,
 * -ENODATA not asked for; *unreadable (if given) counts what could not be
 * read within a source that was (fdinfo of other users' processes).
 */
int dmapeek_sysview_source(const struct dmapeek_sysview *v,
			   enum dmapeek_sysview_src src, unsigned int *unreadable);
const char *dmapeek_sysview_src_str(enum dmapeek_sysview_src src);
unsigned int dmapeek_sysview_nr_buffers(const struct dmapeek_sysview *v);
const struct dmapeek_sysbuf *dmapeek_sysview_buffer(const struct dmapeek_sysview *v,
						    unsigned int i);
uint64_t dmapeek_sysbuf_inode(const struct dmapeek_sysbuf *b);
uint64_t dmapeek_sysbuf_size(const struct dmapeek_sysbuf *b);
const char *dmapeek_sysbuf_exp_name(const struct dmapeek_sysbuf *b);
/** The buffer's name, or NULL without one. */
const char *dmapeek_sysbuf_name(const struct dmapeek_sysbuf *b);
/** File references (count), -1 if unknown. */
int64_t dmapeek_sysbuf_count(const struct dmapeek_sysbuf *b);
/** Which sources saw it: a bit mask of 1 << DMAPEEK_SRC_*. */
unsigned int dmapeek_sysbuf_sources(const struct dmapeek_sysbuf *b);
/** dmapeek's buffer id, 0 if the module does not know the buffer. */
uint32_t dmapeek_sysbuf_buffer_id(const struct dmapeek_sysbuf *b);
unsigned int dmapeek_sysbuf_nr_devices(const struct dmapeek_sysbuf *b);
/** Attached device names (bufinfo). */
const char *dmapeek_sysbuf_device(const struct dmapeek_sysbuf *b, unsigned int i);
unsigned int dmapeek_sysbuf_nr_fds(const struct dmapeek_sysbuf *b);
int dmapeek_sysbuf_fd(const struct dmapeek_sysbuf *b, unsigned int i,
		      int *pid, int *fd, const char **comm);
/**
 * The buffer's attachments with their flags, when the view was made with
 * opts.attachments (LIBDMAPEEK_0.3); valid until dmapeek_sysview_free().
 * NULL with errno: ENODATA (not asked for), ESRCH (no process holds it by
 * descriptor, so nothing to ask with: it is kept by the kernel, or mapped
 * only), or why every holder's descriptor failed (EPERM, EOPNOTSUPP: a
 * module before ABI 2.2, ...).
 */
const struct dmapeek_dmabuf *dmapeek_sysbuf_attachments(const struct dmapeek_sysbuf *b);

/* ------------------------------------------ who holds a dma-buf, leaks */

/*
 * A process holds a dma-buf through its file descriptors, its mappings
 * (/proc/PID/maps names a dma-buf mapping "/dmabuf:NAME" with the
 * buffer's inode, even after every fd was closed), or both.
 */
enum dmapeek_hold {
	DMAPEEK_HOLD_FD = 1 << 0,
	DMAPEEK_HOLD_MMAP = 1 << 1,
};

/* What the view could tell about a buffer's holders (bits). */
enum dmapeek_sysbuf_flags {
	/* No fd and no mapping of any process: kept only inside the kernel
	 * (an importer, a module, an fd in flight), every process read. */
	DMAPEEK_SYSBUF_KERNEL_ONLY = 1 << 0,
	/* Held by processes through mappings alone, no fd. */
	DMAPEEK_SYSBUF_MMAP_ONLY = 1 << 1,
	/* No holder seen, but some processes could not be read. */
	DMAPEEK_SYSBUF_OWNER_UNKNOWN = 1 << 2,
};

struct dmapeek_holder;

/** CLOCK_MONOTONIC nanoseconds when the view was begun. */
uint64_t dmapeek_sysview_time_ns(const struct dmapeek_sysview *v);
unsigned int dmapeek_sysbuf_flags(const struct dmapeek_sysbuf *b);
/** "kernel-only", "mmap-only", "owner-unknown"; NULL for other bits. */
const char *dmapeek_sysbuf_flag_str(unsigned int bit);
/** The processes holding the buffer, by pid (each once). */
unsigned int dmapeek_sysbuf_nr_holders(const struct dmapeek_sysbuf *b);
const struct dmapeek_holder *dmapeek_sysbuf_holder(const struct dmapeek_sysbuf *b,
						   unsigned int i);
int dmapeek_holder_pid(const struct dmapeek_holder *h);
const char *dmapeek_holder_comm(const struct dmapeek_holder *h);
/** A mask of enum dmapeek_hold. */
unsigned int dmapeek_holder_how(const struct dmapeek_holder *h);
/** "fd", "mmap" or "both" for a mask of enum dmapeek_hold; NULL for 0. */
const char *dmapeek_hold_str(unsigned int how);
unsigned int dmapeek_holder_nr_fds(const struct dmapeek_holder *h);
unsigned int dmapeek_holder_nr_mappings(const struct dmapeek_holder *h);
/** Bytes of the holder's mappings of the buffer (0 without one). */
uint64_t dmapeek_holder_mapped_bytes(const struct dmapeek_holder *h);

/*
 * Two views compared (leak hunting): the buffers that appeared and those
 * that went, by inode, and the growth of each process and each exporter.
 * Valid while both views are (it points into them).
 */
struct dmapeek_sysdiff;
struct dmapeek_growth;

enum dmapeek_growth_by {
	DMAPEEK_GROWTH_BY_PROCESS,	/* a holder; pid 0: the kernel alone */
	DMAPEEK_GROWTH_BY_EXPORTER,
	DMAPEEK_GROWTH_BY_MAX,
};

/** @before may be NULL: the growth is then what @after holds. */
struct dmapeek_sysdiff *dmapeek_sysdiff_new(const struct dmapeek_sysview *before,
					    const struct dmapeek_sysview *after);
void dmapeek_sysdiff_free(struct dmapeek_sysdiff *d);
/** Buffers of @after not in @before, and of @before not in @after, by inode. */
unsigned int dmapeek_sysdiff_nr_appeared(const struct dmapeek_sysdiff *d);
const struct dmapeek_sysbuf *dmapeek_sysdiff_appeared(const struct dmapeek_sysdiff *d,
						      unsigned int i);
unsigned int dmapeek_sysdiff_nr_gone(const struct dmapeek_sysdiff *d);
const struct dmapeek_sysbuf *dmapeek_sysdiff_gone(const struct dmapeek_sysdiff *d,
						  unsigned int i);
/**
 * Every process (or exporter) that held a buffer in either view, biggest
 * growth in bytes first (then in buffers, then the largest now).
 */
unsigned int dmapeek_sysdiff_nr_growth(const struct dmapeek_sysdiff *d,
				       enum dmapeek_growth_by by);
const struct dmapeek_growth *dmapeek_sysdiff_growth(const struct dmapeek_sysdiff *d,
						    enum dmapeek_growth_by by,
						    unsigned int i);
/** The process's pid (0: held by no process), -1 for an exporter. */
int dmapeek_growth_pid(const struct dmapeek_growth *g);
/** The process's comm ("kernel" for pid 0), or the exporter's name. */
const char *dmapeek_growth_name(const struct dmapeek_growth *g);
uint64_t dmapeek_growth_before_buffers(const struct dmapeek_growth *g);
uint64_t dmapeek_growth_before_bytes(const struct dmapeek_growth *g);
uint64_t dmapeek_growth_after_buffers(const struct dmapeek_growth *g);
uint64_t dmapeek_growth_after_bytes(const struct dmapeek_growth *g);
/** Buffers it holds in @after only, and in @before only. */
unsigned int dmapeek_growth_appeared(const struct dmapeek_growth *g);
unsigned int dmapeek_growth_gone(const struct dmapeek_growth *g);

#ifdef __cplusplus
}
#endif

#endif /* LIBDMAPEEK_DMAPEEK_H */
