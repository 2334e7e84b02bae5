/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dmapeek.ko internals shared between its files.
 *
 *   dmapeek_main.c        module init/exit, /dev/dmapeek and its ioctl table
 *   dmapeek_core.c        object tables (ids), events, netlink helpers, ABI
 *   dmapeek_pci.c         the PCI driver, devices and providers
 *   dmapeek_backing.c     the memory behind a buffer: system pages, BAR ranges
 *   dmapeek_export.c      the exporter: export, dma_buf_ops, three memory models
 *   dmapeek_export_map.c  the exporter's map and unmap paths
 *   dmapeek_op.c          revoke, restore and move of an exported buffer
 *   dmapeek_export_gone.c the exporter's side of a device's removal
 *   dmapeek_export_nl.c   netlink: buffers and attachments
 *   dmapeek_import.c      the importer probe: import, attach, invalidation,
 *                         teardown, its requests
 *   dmapeek_import_held.c the imports the module holds until deleted
 *   dmapeek_import_map.c  the importer's mapping paths, one function each
 *   dmapeek_phys.c        the exporters that offer their physical ranges
 *                         to the importer (dmapeek_phys.h)
 *   dmapeek_audit.c       the IOVA audit
 *   dmapeek_edu.c         QEMU edu DMA engine
 *   dmapeek_p2p.c         P2P map type, distance and reason
 *   dmapeek_reach.c       what a device reaches by DMA, bounces included
 *   dmapeek_peek.c        the attachments of any dma-buf, by fd
 *   dmapeek_trace.h       the tracepoints of the events (dmapeek_core.c
 *                         defines them)
 *   dmapeek_compat.h      the kernel APIs configure found, and the kernel
 *                         bugs the module works around
 *
 * and, only with configure --enable-debug-knobs (see dmapeek_debug.h):
 *
 *   dmapeek_debug.c       the test lab's debug parameters
 *   dmapeek_bench.c       the mapping paths timed (DMAPEEK_IOC_BENCH_MAP)
 */
#ifndef _DMAPEEK_H
#define _DMAPEEK_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <linux/kref.h>
#include <linux/pci.h>
#include <linux/dma-buf.h>
#include <linux/pci-p2pdma.h>
#include <net/genetlink.h>

#include <linux/dmapeek.h>

#include "dmapeek_compat.h"

/**
 * DOC: dmapeek locking
 *
 * Every nesting the module does, outermost first ("A -> B": B is taken
 * while A is held):
 *
 *   dmapeek_imp.lock (one import: attach, map, unmap, pin, DMA, teardown)
 *     -> dmapeek_lock                    (registering the import)
 *     -> dmapeek_static_lock             (a static import attaching; the
 *          exporter's attach callback runs inside, see below)
 *     -> dmapeek_edu.lock -> dma_buf resv (one DMA chunk)
 *     -> dma_buf resv                     (map, unmap, pin, unpin)
 *   dmapeek_static_lock -> dma_buf resv -> ... (dmapeek's attach callback)
 *   mmap_lock -> dmapeek_buffer.lock      (CPU faults of an exported buffer)
 *   dma_buf resv (the reservation ww_mutex of one buffer)
 *     -> dmapeek_buffer.lock              (move, revoke, device gone)
 *       -> dmapeek_provider.alloc_lock    (a move's switch: @gone checked)
 *         -> dmapeek_lock                 (the backing pointer changes)
 *     -> dmapeek_provider.alloc_lock      (a backing's last put frees its
 *          BAR space: unmap, device gone)
 *     -> dmapeek_lock                     (mapping records, attachment
 *          lists, events; a peek at any dma-buf's attachments finding
 *          dmapeek's records of them)
 *   dmapeek_provider.alloc_lock -> dmapeek_lock (a new buffer into the
 *        table only while its provider stays)
 *   dmapeek_imp.lock -> dmapeek_file.lock (a held import going on the
 *        held imports' list dmapeek_held only while still attached)
 *   dmapeek_file.lock                     (its list of imports, or the
 *        held imports' list dmapeek_held; nothing nests inside)
 *   kernfs active reference -> dmapeek_lock (reading held_buffers)
 *   kernfs active reference -> dmapeek_file.lock (held_attachments)
 *   any of the above except dmapeek_lock -> dmapeek_event_lock (sending an
 *        event: numbering and the multicast; innermost)
 *
 * No lock guards the lists through which the rooms reach each other (the
 * PCI room's device listeners, struct dmapeek_dev_listener; the exporters
 * that offer their ranges, dmapeek_phys.h; the importer's hooks and its
 * attachment lookup): they are set at module init before the driver, the
 * device file and the netlink family exist, and cleared at exit after.
 * The listeners run in dmapeek_pci.c's probe and remove with none of the
 * locks above held, as the rooms' removal functions always have.
 *
 * Not a lock, but a wait that nests like one: dmapeek_mapping_unregister()
 * waits for the audits walking that mapping (struct dmapeek_mapping.audits)
 * with whatever its caller holds (a dma_buf resv, dmapeek_imp.lock, what
 * nests under them; never dmapeek_lock).  An audit takes that count under
 * dmapeek_lock, drops the lock and walks holding none, waiting for nothing
 * (cond_resched() only), and stops at its next page once the mapping is
 * gone, so the wait is short and cannot close a cycle.
 *
 * dmapeek_lock is innermost: it is held only to add, remove or walk
 * objects in the tables and to fill netlink messages from them; nothing
 * that sleeps on other locks or on hardware runs under it (an audit looks
 * its mapping up under it and walks after dropping it).  Fill functions
 * read counters with READ_ONCE() and never take a reservation lock, so a
 * dump never waits for a buffer.  No copy_{to,from}_user() runs under any
 * of these locks: ioctl arguments are copied before locking, results after.
 * Waiting for importers to unmap (revoke, move, device removal) happens with
 * no lock held, since unmap needs the reservation lock.  The importer's
 * invalidate_mappings callback and its delayed-unmap work take nothing
 * above the reservation lock.  The debug kernel's lockdep checks every
 * nesting above as the guest suite runs it.
 */
extern struct mutex dmapeek_lock;

/* ------------------------------------------------------------------- limits */

/**
 * DOC: dmapeek limits
 *
 * The limits users meet are constants of the netlink spec, which the uapi
 * header carries: DMAPEEK_TIMEOUT_DEFAULT_MS, DMAPEEK_TIMEOUT_MAX_MS,
 * DMAPEEK_UNMAP_DELAY_MAX_MS, DMAPEEK_EXPORT_MAX_RANGES,
 * DMAPEEK_DMA_MAX_LEN, DMAPEEK_GET_MAX_SIZE, DMAPEEK_OP_MAX_OUTCOMES,
 * DMAPEEK_AUDIT_MAX_MISMATCHES, DMAPEEK_DMABUF_MAX_ATTACHMENTS,
 * DMAPEEK_NAME_LEN and DMAPEEK_DEV_NAME_LEN; the netlink policies and the
 * ioctls check them, and tests/unit/test-limits.sh fails on a C literal of
 * one.
 * The module's own limits below are not ABI: they may change.
 */

/*
 * The largest size an ioctl argument may claim (-E2BIG beyond, before
 * anything is read): copy_struct_from_user() would otherwise read up to
 * 4 GiB of the caller's memory to check that the tail is zero.  No argument
 * struct will ever be near a page.
 */
#define DMAPEEK_IOCTL_MAX_SIZE		PAGE_SIZE

/* How often a device removal waiting for importers reports them (ms). */
#define DMAPEEK_GONE_REPORT_MS		5000

/* How often a move waiting for fences looks whether a provider went. */
#define DMAPEEK_OP_SLICE_NS		(100 * NSEC_PER_MSEC)

/* How long a dynamic import's map waits for the buffer's fences (jiffies). */
#define DMAPEEK_IMPORT_FENCE_TIMEOUT	(5 * HZ)

/* Pages an audit walks between two chances for others to run. */
#define DMAPEEK_AUDIT_BATCH		1024

/*
 * How long one edu DMA transfer may take, and how often the engine is
 * polled (us): QEMU runs each transfer from a 100 ms timer, and TCG is slow.
 */
#define DMAPEEK_EDU_TIMEOUT_US		(5 * USEC_PER_SEC)
#define DMAPEEK_EDU_POLL_US		1000

/* ------------------------------------------------------------- object tables */

/**
 * struct dmapeek_table - objects of one kind with stable, cyclic ids
 * @xa: id -> object (XA_FLAGS_ALLOC1); changes under dmapeek_lock
 * @next: next id for xa_alloc_cyclic()
 * @limit: the id range
 */
struct dmapeek_table {
	struct xarray xa;
	u32 next;
	struct xa_limit limit;
};

extern struct dmapeek_table dmapeek_providers;
extern struct dmapeek_table dmapeek_devices;
extern struct dmapeek_table dmapeek_buffers;
extern struct dmapeek_table dmapeek_attachments;
extern struct dmapeek_table dmapeek_mappings;

/* Bumped on every add and remove: dumps use it to flag interruption. */
extern u64 dmapeek_generation;

/* Add @obj to @t and return its new id in @id; caller holds dmapeek_lock. */
int dmapeek_table_add(struct dmapeek_table *t, void *obj, u32 *id);
/* Remove @id from @t; caller holds dmapeek_lock. */
void dmapeek_table_del(struct dmapeek_table *t, u32 id);
/* At unload, after every device went: warn about what is still listed. */
void dmapeek_tables_exit(void);

/* CLOCK_MONOTONIC in ns, as every timestamp dmapeek reports. */
static inline u64 dmapeek_now(void)
{
	return ktime_get_ns();
}

/* ---------------------------------------------------------- devices, providers */

/**
 * struct dmapeek_device - a PCI device bound to the dmapeek driver
 * @id: stable id
 * @pdev: the device
 * @roles: DMAPEEK_DEVICE_ROLE_* (provider: has memory BARs; client: DMA)
 * @providers: provider per standard BAR, NULL for non-memory BARs
 * @bar_va: CPU mapping of each memory BAR (devres), for copies and MMIO
 * @attachments: imports made with this device as the client
 * @edu: QEMU edu DMA engine state, when the device is one (dmapeek_edu.c)
 * @gone: the device is being unbound: no new imports (under dmapeek_lock)
 */
struct dmapeek_device {
	u32 id;
	struct pci_dev *pdev;
	u32 roles;
	struct dmapeek_provider *providers[PCI_STD_NUM_BARS];
	void __iomem *bar_va[PCI_STD_NUM_BARS];
	atomic_t attachments;
	struct dmapeek_edu *edu;
	bool gone;
};

/**
 * struct dmapeek_provider - memory dmapeek can export
 * @kref: the table's reference (until its device goes), one per backing
 *	allocated from it, and one per lookup in progress
 *	(dmapeek_provider_get()); the last put frees it
 * @id: stable id; the system-memory provider is always id 1
 * @kind: DMAPEEK_PROVIDER_KIND_SYSTEM or _PCI_BAR
 * @dev: the owning device (PCI BAR providers)
 * @bar: BAR index (PCI BAR providers)
 * @p2p: the kernel's P2P provider for that BAR (pcim_p2pdma_provider())
 * @start: CPU physical start of the BAR
 * @size: size of the BAR
 * @va: CPU mapping of the BAR
 * @bytes_exported: bytes of live backings allocated here
 * @buffers: live backings allocated here (current or moved-from and still
 *	mapped); the provider's device waits for this to reach 0 before its
 *	BARs go (dmapeek_export_device_gone())
 * @wq: woken when @buffers drops to 0
 * @alloc_lock: protects @allocs and @gone
 * @allocs: BAR space handed out to backings (dmapeek_backing.c)
 * @gone: the device is going away: no new backings, and no backing
 *	becomes a buffer's current one (set under @alloc_lock)
 *
 * @dev, @p2p and @va belong to the device's driver binding (devres): they
 * are valid while the provider is in the table and for as long as a
 * backing allocated from it lives, since the device's removal waits for
 * those; a lookup reference alone allows only @id, @kind, @size and
 * @alloc_lock, and must check @gone under @alloc_lock before allocating.
 */
struct dmapeek_provider {
	struct kref kref;
	u32 id;
	u32 kind;
	struct dmapeek_device *dev;
	int bar;
	struct p2pdma_provider *p2p;
	phys_addr_t start;
	u64 size;
	void __iomem *va;
	atomic64_t bytes_exported;
	atomic_t buffers;
	wait_queue_head_t wq;
	struct mutex alloc_lock;	/* protects @allocs and @gone */
	struct list_head allocs;
	bool gone;
};

extern struct dmapeek_provider *dmapeek_system_provider;

/**
 * struct dmapeek_dev_listener - a room told of a device's life (dmapeek_pci.c)
 * @name: the room, for the reader
 * @probe: the device is bound and its providers exist; an error fails the
 *	probe (the listeners probed before it are removed, in reverse)
 * @providers_gone: the device's providers are marked gone; drop everything
 *	on its BARs before returning (also on a failed probe)
 * @client_gone: the device leaves as a client: drop what it maps
 * @remove: undo @probe
 * @node: on the PCI room's list
 *
 * The PCI room calls no other room: the exporter, the importer, the edu
 * engine and the debug knobs register one of these at module init, before
 * the driver registers (dmapeek_main.c), and leave after it unregisters,
 * so the list needs no lock.  On unbind, every @providers_gone runs, then
 * every @client_gone, in registration order; then every @remove in reverse.
 * Any callback may be NULL.
 */
struct dmapeek_dev_listener {
	const char *name;
	int (*probe)(struct dmapeek_device *ddev);
	void (*providers_gone)(struct dmapeek_device *ddev);
	void (*client_gone)(struct dmapeek_device *ddev);
	void (*remove)(struct dmapeek_device *ddev);
	struct list_head node;
};

void dmapeek_dev_listen(struct dmapeek_dev_listener *l);
void dmapeek_dev_unlisten(struct dmapeek_dev_listener *l);

#define PCI_VENDOR_ID_QEMU_EDU	0x1234
#define PCI_DEVICE_ID_QEMU_EDU	0x11e8

/* QEMU's edu device, whose DMA engine dmapeek drives (dmapeek_edu.c). */
static inline bool dmapeek_is_edu(const struct pci_dev *pdev)
{
	return pdev->vendor == PCI_VENDOR_ID_QEMU_EDU &&
	       pdev->device == PCI_DEVICE_ID_QEMU_EDU;
}

/* Set by the debug knobs' mmio_bar_providers parameter; false otherwise. */
extern bool dmapeek_mmio_bar_providers;

/* Look up by id; caller holds dmapeek_lock. */
struct dmapeek_provider *dmapeek_provider_find(u32 id);
struct dmapeek_device *dmapeek_device_find(u32 id);
/* A referenced provider that is not going away, or NULL; put it after use. */
struct dmapeek_provider *dmapeek_provider_get(u32 id);
void dmapeek_provider_hold(struct dmapeek_provider *prov);
void dmapeek_provider_put(struct dmapeek_provider *prov);

/* bus address - CPU physical address, for a BAR provider */
u64 dmapeek_provider_bus_offset(const struct dmapeek_provider *prov);

int dmapeek_pci_init(void);
void dmapeek_pci_exit(void);
/* dmapeek_op_wq, where revokes and moves end (dmapeek_op.c) */
int dmapeek_op_init(void);
void dmapeek_op_exit(void);

/* ------------------------------------------------------------------ buffers */

struct dmapeek_buffer;		/* dmapeek_export.h */
struct dmapeek_imp;		/* dmapeek_import.c (struct dmapeek_import is the uapi's) */

/* DMAPEEK_ATTACH_FLAGS_* of the uapi, as a u32 mask */

/**
 * struct dmapeek_attachment - one dma_buf_attachment dmapeek knows
 * @id: stable id
 * @attach: the kernel's attachment
 * @dmabuf: its buffer
 * @buf: dmapeek's buffer when dmapeek exported it, else NULL
 * @imp: dmapeek's importer state when dmapeek's importer made it, else NULL
 * @flags: DMAPEEK_ATTACH_FLAGS_*
 * @map_type: enum dmapeek_map_type for (provider, importer device)
 * @importer_dev: dev_name() of the importer's device
 * @importer_driver: its driver's name
 * @ino: the dma-buf's inode number (cached: the file may go first)
 * @maps: successful maps
 * @unmaps: unmaps
 * @invalidations: move or revoke notifications the importer received
 * @revoked_seen: revocations the importer saw
 * @mapped: a mapping is live
 * @stuck: the importer did not unmap after an invalidate in time
 * @last_map_ns: ktime of the last map
 * @last_unmap_ns: ktime of the last unmap
 * @last_invalidate_ns: ktime of the last invalidate
 * @last_unmap_latency_ns: last invalidate-to-unmap time
 * @max_unmap_latency_ns: longest invalidate-to-unmap time
 * @device_id: the dmapeek device the importer mapped for, 0 if none
 * @behaviour: enum dmapeek_behaviour of dmapeek's importer, 0 if not an import
 * @unmap_delay_ms: delay of a delayed-unmap importer, 0 otherwise
 * @own_map: enum dmapeek_own_map_state: dmapeek's importer's own mapping of the
 *	buffer's ranges; 0 (the attribute is left out) for other importers
 * @buf_node: on its dmapeek buffer's list of attachments, in id order,
 *	while the exporter has it (dmapeek_lock); for the buffer-filtered dump
 * @mappings: its registered mappings (struct dmapeek_mapping.att_node), in
 *	id order (dmapeek_lock); for the attachment-filtered mapping dump
 *
 * Both lists exist so that a dump filtered by a parent walks that
 * parent's own objects, not the whole table: listing every buffer with
 * its attachments would otherwise cost buffers x attachments.
 *
 * The counters and times are written under the buffer's reservation lock
 * and read with READ_ONCE() by the fill function.  When dmapeek's importer
 * attaches to a buffer dmapeek exported, the exporter's attach callback
 * finds the importer's record through attach->importer_priv (see
 * dmapeek_attachment_of()) and fills in the exporter side of the same
 * object, so one kernel attachment is one dmapeek attachment.  Each
 * counter has one writer: for that shared record the importer counts maps,
 * unmaps, invalidations and refused maps (it sees all of them), and the
 * exporter only sets the flags, the map type and the stuck state.
 *
 * One is kept per attachment of a dmapeek buffer (and one per import in
 * struct dmapeek_imp): its members are ordered to leave no hole, so that
 * it fits kmalloc-256 and an import kmalloc-512 (dmapeek_core.c asserts
 * the first).
 */
struct dmapeek_attachment {
	u32 id;
	bool mapped;
	bool stuck;
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct dmapeek_buffer *buf;
	struct dmapeek_imp *imp;
	u32 flags;
	u32 map_type;
	char importer_dev[DMAPEEK_DEV_NAME_LEN];
	char importer_driver[DMAPEEK_NAME_LEN];
	u64 ino;

	u32 maps;
	u32 unmaps;
	u32 invalidations;
	u32 revoked_seen;
	u64 last_map_ns;
	u64 last_unmap_ns;
	u64 last_invalidate_ns;
	u64 last_unmap_latency_ns;
	u64 max_unmap_latency_ns;

	/* importer side (dmapeek_import.c), fixed at import time */
	u32 device_id;
	u32 behaviour;
	u32 unmap_delay_ms;
	/* importer side, changes with its own mapping: WRITE_ONCE/READ_ONCE */
	u32 own_map;

	struct list_head buf_node;
	struct list_head mappings;
};

/* Initialize a new attachment record's lists (before it is registered). */
void dmapeek_attachment_init(struct dmapeek_attachment *a);
/*
 * Put @a on @head (a buffer's list, by @a->buf_node) in id order, or take
 * it off; caller holds dmapeek_lock.  Taking an attachment out of the
 * table must also drop its mappings' links: dmapeek_attachment_forget().
 */
void dmapeek_attachment_link(struct list_head *head, struct dmapeek_attachment *a);
void dmapeek_attachment_unlink(struct dmapeek_attachment *a);
void dmapeek_attachment_forget(struct dmapeek_attachment *a);

/* Record an unmap: counters, latency since the last invalidate. */
void dmapeek_attachment_unmapped(struct dmapeek_attachment *a);

/**
 * struct dmapeek_map_range - one DMA range of a mapping
 * @offset: offset inside the buffer
 * @len: length
 * @addr: DMA address the device uses
 * @kind: DMAPEEK_ADDR_KIND_*
 * @phys: CPU physical address it must reach (0: unknown), for the audit
 */
struct dmapeek_map_range {
	u64 offset;
	u64 len;
	u64 addr;
	u32 kind;
	phys_addr_t phys;
};

/**
 * struct dmapeek_mapping - a live DMA mapping of an attachment
 * @id: stable id
 * @attachment_id: the attachment it belongs to
 * @dev: the device that uses the addresses (for the audit)
 * @path: DMAPEEK_MAPPING_PATH_*
 * @size: total length
 * @map_ns: how long making it took
 * @nr_ranges: entries in @ranges
 * @ranges: the ranges (owned by the mapping)
 * @cpu_sgt: the CPU side of a system-memory sg mapping whose DMA segments
 *	merged, so that no range has one physical address (the audit walks
 *	both sides in step); NULL otherwise.  Not owned: the exporter frees it
 *	after unregistering the mapping.
 * @att_node: on its attachment's @mappings while both are registered
 *	(dmapeek_lock)
 * @audits: audits walking it; taken under dmapeek_lock while registered,
 *	dmapeek_mapping_unregister() waits for it to drop to 0
 * @gone: unregistered (set under dmapeek_lock): a walking audit stops
 *
 * Everything but @audits and @gone is written before the mapping is
 * registered and stays as it is until it is freed.
 */
struct dmapeek_mapping {
	u32 id;
	u32 attachment_id;
	struct device *dev;
	u32 path;
	u64 size;
	u64 map_ns;
	u32 nr_ranges;
	struct dmapeek_map_range *ranges;
	struct sg_table *cpu_sgt;
	struct list_head att_node;
	atomic_t audits;
	bool gone;
};

/*
 * Mappings: allocate with room for @nr ranges, register (gets an id, sends
 * no event by itself), unregister, free.  The audit walks a registered
 * mapping's addresses through the IOMMU with no lock held, counted in
 * @audits; unregistering marks the mapping @gone and waits for those
 * audits, which stop at their next page, so whoever tears a mapping down
 * unregisters it before unmapping its addresses (and freeing @ranges or
 * @cpu_sgt).  dmapeek_mapping_unregister() may be called with any lock held
 * but dmapeek_lock.
 */
struct dmapeek_mapping *dmapeek_mapping_alloc(u32 nr, gfp_t gfp);
int dmapeek_mapping_register(struct dmapeek_mapping *m);
void dmapeek_mapping_unregister(struct dmapeek_mapping *m);
void dmapeek_mapping_unregister_free(struct dmapeek_mapping *m);

/* ------------------------------------------------------------------- events */

/**
 * DOC: dmapeek events
 *
 * Every lifecycle transition is multicast exactly once, by the side that
 * makes it happen:
 *
 * - A buffer dmapeek exported: its exporter callbacks send attach, detach,
 *   map, unmap, pin, unpin and invalidate for every importer, dmapeek's own
 *   importer included, with the buffer id and (map, unmap) the exporter's
 *   mapping id.  The exporter also sends buffer create and release, move,
 *   revoke, restore and stuck.  dmapeek's importer sends nothing for such a
 *   buffer: its transitions all pass through those callbacks.
 * - A buffer of another exporter (udmabuf, a dma-heap, a driver) imported by
 *   dmapeek's importer: the importer sends attach, detach, map, unmap, pin,
 *   unpin and invalidate itself, with no buffer id and (map, unmap) its
 *   importer-sgt mapping id, since no dmapeek code sees the exporter side.
 *
 * A map the exporter refuses (revoked: -ENODEV) is a map event carrying
 * the error, sent by the same side.  dmapeek_phys_offered() decides which
 * side a buffer belongs to: an exporter that offers its ranges to the
 * importer sends its own events (dmapeek_phys.h).
 */

/**
 * struct dmapeek_event - what a lifecycle event carries
 * @type: DMAPEEK_EVENT_TYPE_*
 * @buffer_id: 0 when absent
 * @attachment_id: 0 when absent
 * @importer_dev: dev_name() of @attachment_id's importer, NULL when absent;
 *	the tracepoints carry it, netlink events do not (the attachment
 *	object does)
 * @mapping_id: 0 when absent
 * @provider_id: 0 when absent
 * @duration_ns: 0 when absent
 * @count: 0 when absent
 * @error: 0 when absent
 * @map_type: enum dmapeek_map_type of the pair (attach and map events of
 *	P2P buffers), 0 (DMAPEEK_MAP_TYPE_UNKNOWN) when absent
 * @op: the move or revoke the event belongs to, 0 when absent
 * @put: adds more attributes to the message (done events: each
 *	attachment's outcome), NULL when none
 * @arg: what @put adds
 * @size: room @put needs beyond the fixed attributes
 */
struct dmapeek_event {
	u32 type;
	u32 buffer_id;
	u32 attachment_id;
	const char *importer_dev;
	u32 mapping_id;
	u32 provider_id;
	u64 duration_ns;
	u32 count;
	s32 error;
	u32 map_type;
	u64 op;
	int (*put)(struct sk_buff *skb, const void *arg);
	const void *arg;
	size_t size;
};

/*
 * Fire @ev's tracepoint (dmapeek_trace.h), then multicast @ev to the
 * events group; no netlink work when nobody listens.  The module numbers
 * and timestamps it together (seq order is time order) and counts it as
 * dropped only when it cannot build or send it itself, not when a
 * listener's socket overruns (ENOBUFS) or nobody listens (ESRCH).
 * Process context: it may sleep.
 */
void dmapeek_event(const struct dmapeek_event *ev);

/* --------------------------------------------------------------- netlink glue */

/* CAP_SYS_ADMIN of the requester: may it see addresses? */
bool dmapeek_nl_admin(const struct sk_buff *skb);

/* 0 for a CAP_SYS_ADMIN requester, else -EPERM with an extack message */
int dmapeek_nl_need_admin(const struct sk_buff *skb, struct genl_info *info);

/* a delete op's body: one object by @id_attr, or every one with @all_attr */
int dmapeek_nl_delete(struct genl_info *info, int id_attr, int all_attr,
		      int deleted_attr, const char *what,
		      int (*delete_one)(u32 id, struct netlink_ext_ack *extack),
		      u32 (*delete_all)(void));

/* one range in a nest of @attrtype (its address only for @admin); 0 or -EMSGSIZE */
int dmapeek_nla_put_range(struct sk_buff *skb, int attrtype,
			  const struct dmapeek_map_range *r, bool admin);

/*
 * A fill function's "this message is full, the object goes on in the next
 * one": it put the object's fixed attributes and at least one range, and
 * set *@sub to the first range it did not put.
 */
#define DMAPEEK_FILL_PARTIAL	1

/*
 * The attributes of an object with ranges, for dmapeek_fill_ranges():
 * @range: the multi-attr range nest; @nr_ranges and @range_first: the
 * total and the index of the message's first range.
 */
struct dmapeek_range_attrs {
	int range;
	int nr_ranges;
	int range_first;
};

/*
 * Put @nr ranges from *@sub on: range i is @get(@obj, i, @off, &r), where
 * @off is the buffer offset where range i starts (the sum of the lengths
 * before it).  0 when all fit, DMAPEEK_FILL_PARTIAL with *@sub the next
 * range when the message filled after at least one, else -EMSGSIZE.
 */
int dmapeek_fill_ranges(struct sk_buff *skb, const struct dmapeek_range_attrs *ra,
			u32 nr, u32 *sub, bool admin, const void *obj,
			void (*get)(const void *obj, u32 i, u64 off,
				    struct dmapeek_map_range *r));

/**
 * struct dmapeek_dump_ctx - cursor of a dump, kept in cb->ctx
 * @next_id: the first id not yet dumped
 * @filter: an id to filter by (a dump request attribute), 0 for none
 * @pos: secondary cursor (P2P dump: client index within provider @next_id;
 *	buffer-order dump: buffer id)
 * @next_sub: the first range not yet dumped of object @next_id, when its
 *	ranges did not fit one message (0: start it from the beginning)
 * @resume: dumps of a list: the entry the last batch stopped at
 * @resume_gen: dmapeek_generation then; @resume is stale once it moved
 */
struct dmapeek_dump_ctx {
	u32 next_id;
	u32 filter;
	u32 pos;
	u32 next_sub;
	void *resume;
	u64 resume_gen;
};

static inline struct dmapeek_dump_ctx *dmapeek_dump_ctx(struct netlink_callback *cb)
{
	NL_ASSERT_CTX_FITS(struct dmapeek_dump_ctx);
	return (struct dmapeek_dump_ctx *)cb->ctx;
}

/*
 * A fill function puts one object into @skb: the whole of it, or, for an
 * object with ranges, its fixed attributes and its ranges from *@sub on.
 * It returns 0 (done), DMAPEEK_FILL_PARTIAL (more ranges, *@sub says
 * where they go on), -EMSGSIZE, or -ENOENT to skip the object (a filter
 * said no).  Objects without ranges ignore @sub.
 */
typedef int (*dmapeek_fill_fn)(struct sk_buff *skb, void *obj,
			       const struct genl_info *info, bool admin,
			       u32 filter, u32 *sub);

/*
 * Dump @t from the cursor with @fill; stops at a full message with the
 * cursor saved.  An object whose ranges do not fit goes on over several
 * messages (range-first), each batch ending after its part.  Takes
 * dmapeek_lock.
 */
int dmapeek_nl_dump_table(struct sk_buff *skb, struct netlink_callback *cb,
			  struct dmapeek_table *t, dmapeek_fill_fn fill);

/*
 * The body of a dump's walk, for walks over something else than a whole
 * table (a parent's list): put object @obj (id @id) from the cursor on.
 * Caller holds dmapeek_lock and set cb->seq.  0: go on with the next
 * object; otherwise stop the walk and end with dmapeek_nl_dump_end().
 */
int dmapeek_nl_dump_obj(struct sk_buff *skb, struct netlink_callback *cb,
			bool admin, u32 id, void *obj, dmapeek_fill_fn fill);
/* What a dumpit returns after its walk stopped with @ret. */
int dmapeek_nl_dump_end(struct sk_buff *skb, int ret);

/*
 * A doit for "get by id": looks @id up in @t under dmapeek_lock, fills a
 * reply with @fill, in a message grown until the whole object fits.
 * Extack on a missing attribute, an unknown id or an object too big for
 * one message (the dump has no such limit).
 */
int dmapeek_nl_get_one(struct sk_buff *skb, struct genl_info *info,
		       struct dmapeek_table *t,
		       int id_attr, const char *what, dmapeek_fill_fn fill);

/* Fill functions: one per object, used by doit, dump (and events). */
int dmapeek_fill_provider(struct sk_buff *skb, void *obj,
			  const struct genl_info *info, bool admin, u32 filter,
			  u32 *sub);
int dmapeek_fill_device(struct sk_buff *skb, void *obj,
			const struct genl_info *info, bool admin, u32 filter,
			u32 *sub);
int dmapeek_fill_buffer(struct sk_buff *skb, void *obj,
			const struct genl_info *info, bool admin, u32 filter,
			u32 *sub);
int dmapeek_fill_attachment(struct sk_buff *skb, void *obj,
			    const struct genl_info *info, bool admin, u32 filter,
			    u32 *sub);
int dmapeek_fill_mapping(struct sk_buff *skb, void *obj,
			 const struct genl_info *info, bool admin, u32 filter,
			 u32 *sub);

/* ------------------------------------------------------------ /dev/dmapeek */

/**
 * struct dmapeek_file - one open file of /dev/dmapeek
 * @lock: serializes this file's import operations
 * @imports: imports made through this file (released on close)
 */
struct dmapeek_file {
	struct mutex lock;	/* serializes this file's imports */
	struct list_head imports;
};

struct dmapeek_imp;

/**
 * struct dmapeek_ioc_new - what EXPORT or IMPORT made, not yet published
 * @dmabuf: EXPORT: the new buffer (our reference), @fd reserved for it
 * @fd: EXPORT: the fd reserved with get_unused_fd_flags(), not installed
 * @imp: IMPORT: the new import, not yet on its file's list
 * @held: EXPORT: the module took a hold of @dmabuf (DMAPEEK_EXPORT_HOLD),
 *	which an undo drops too
 *
 * The caller learns of these only from the result the dispatcher copies
 * back, so they are published (fd installed, import listed) after that
 * copy succeeded, and undone when it failed: a caller given EFAULT must
 * not be left with an fd or an attachment nobody told it of.
 */
struct dmapeek_ioc_new {
	struct dma_buf *dmabuf;
	int fd;
	struct dmapeek_imp *imp;
	bool held;
};

/* ioctl handlers; @arg is the kernel copy of the user's struct */
int dmapeek_ioc_export(struct dmapeek_file *df, void *arg,
		       struct dmapeek_ioc_new *made);
int dmapeek_ioc_import(struct dmapeek_file *df, void *arg,
		       struct dmapeek_ioc_new *made);
/* IMPORT's result reached user space: list the import on @df */
void dmapeek_import_publish(struct dmapeek_file *df, struct dmapeek_imp *imp);
/* ... or it did not: tear the import down */
void dmapeek_import_undo(struct dmapeek_imp *imp);
int dmapeek_ioc_detach(struct dmapeek_file *df, void *arg);
int dmapeek_ioc_buffer_fd(struct dmapeek_file *df, void *arg,
			  struct dmapeek_ioc_new *made);
/* how many buffers and imports the module holds (sysfs) */
u32 dmapeek_buffer_held_count(void);
u32 dmapeek_import_held_count(void);
/* EXPORT's result did not reach user space: drop the module's hold */
void dmapeek_buffer_unhold(struct dma_buf *dmabuf);
int dmapeek_ioc_dma(struct dmapeek_file *df, void *arg);
/* DMABUF_ATTACHMENTS: any dma-buf's attachments (dmapeek_peek.c) */
int dmapeek_ioc_dmabuf_attachments(struct dmapeek_file *df, void *arg);
/*
 * The DMAPEEK_ATTACH_FLAGS_* the dma-buf core's record of @attach says
 * (dynamic, peer2peer, revocable, pin-on-map, p2p-refused).
 */
/* The flags dmapeek_attach_core_flags() decides. */
#define DMAPEEK_ATTACH_CORE_FLAGS					\
	(DMAPEEK_ATTACH_FLAGS_DYNAMIC | DMAPEEK_ATTACH_FLAGS_PEER2PEER |	\
	 DMAPEEK_ATTACH_FLAGS_REVOCABLE | DMAPEEK_ATTACH_FLAGS_PIN_ON_MAP |	\
	 DMAPEEK_ATTACH_FLAGS_P2P_REFUSED)
u32 dmapeek_attach_core_flags(struct dma_buf_attachment *attach);
/*
 * What dmapeek's exporter knows of @dmabuf: its buffer id (0: not one it
 * exported), and its record of @attach (NULL: none); the caller of the
 * latter holds the reservation lock, with @attach on the buffer's list.
 */
u32 dmapeek_export_buffer_id(const struct dma_buf *dmabuf);
struct dmapeek_attachment *dmapeek_export_attachment(struct dma_buf_attachment *attach);

/* ------------------------------------------------- exporter / importer hooks */

/* Release every import of @df (file closed). */
void dmapeek_import_release_file(struct dmapeek_file *df);
/*
 * The dmapeek attachment record of @attach when dmapeek's importer made
 * it, else NULL (dmapeek_core.c).  The exporter's attach callback asks
 * this; the importer answers through the function it registered with
 * dmapeek_attachment_importer() at module init (dmapeek_main.c), so the
 * exporter never calls the importer by name.
 */
struct dmapeek_attachment *dmapeek_attachment_of(struct dma_buf_attachment *attach);
void dmapeek_attachment_importer(struct dmapeek_attachment *
				 (*of)(struct dma_buf_attachment *attach));
/*
 * That record belongs to the importer (dmapeek_import.c frees it after
 * dma_buf_detach() returns): the exporter fills in its exporter-side fields
 * (buf, EXPORTED, map_type) in its attach callback and never frees it.
 */

/* dmapeek's exporter offers its buffers' ranges (dmapeek_phys.h). */
struct dmapeek_phys_exporter;
extern struct dmapeek_phys_exporter dmapeek_export_phys_exporter;

/*
 * The P2P map type of (provider, client device), with distance and reason,
 * by the kernel's P2PDMA rules; it may sleep.  It asks the kernel nothing
 * that makes it warn, except where nothing else settles the pair (an ACS
 * redirect on the path under a root bus of one function): see
 * dmapeek_p2p.c.
 */
u32 dmapeek_p2p_map_type(struct dmapeek_provider *prov, struct device *client,
			 int *distance, u32 *reason);

/* Module init and exit of dmapeek_p2p.c (the p2p dump's PCI bus notifier). */
int dmapeek_p2p_init(void);
void dmapeek_p2p_exit(void);

/*
 * The device listeners of the rooms (struct dmapeek_dev_listener), which
 * dmapeek_main.c registers: the exporter revokes the buffers on a device's
 * BARs (dmapeek_export_gone.c), the importer detaches the imports it made
 * (dmapeek_import.c), the edu engine is set up for 1234:11e8 (dmapeek_edu.c).
 */
extern struct dmapeek_dev_listener dmapeek_export_dev_listener;
extern struct dmapeek_dev_listener dmapeek_import_dev_listener;
extern struct dmapeek_dev_listener dmapeek_edu_dev_listener;
/*
 * Copy @len bytes (<= 4096) between @bounce (a kernel buffer) and the DMA
 * address @addr with the edu engine of @ddev; @to_addr: write @addr.  The
 * caller serializes with the reservation lock of the buffer @addr is in.
 * -ETIMEDOUT when the engine does not finish, -EIO on an engine error.
 */
int dmapeek_edu_xfer(struct dmapeek_device *ddev, dma_addr_t addr, void *bounce,
		     size_t len, bool to_addr);

/*
 * The type of an IOMMU domain (NULL: none), as DMAPEEK_DOMAIN_TYPE_*, and
 * whether it translates (its DMA addresses are IOVAs); the dev variants
 * ask for @dev's current domain.  Code that also walks the domain asks once
 * and passes the same pointer to both.
 */
struct iommu_domain;
u32 dmapeek_iommu_domain_type(const struct iommu_domain *dom);
bool dmapeek_iommu_domain_translates(const struct iommu_domain *dom);
u32 dmapeek_domain_type(struct device *dev);
bool dmapeek_dev_translates(struct device *dev);
/* dmapeek_reach.c: what a device reaches by DMA, before a map WARNs */
bool dmapeek_dev_reaches(struct device *dev, phys_addr_t phys, u64 len);
bool dmapeek_mem_reaches(struct device *dev, phys_addr_t phys, u64 len);
int dmapeek_mem_maps(struct device *dev, const struct phys_vec *vec, u32 nr,
		     unsigned long *attrs, u64 *bounced);
void dmapeek_bounce_release(u64 bytes);
bool dmapeek_dma_at(struct device *dev, dma_addr_t dma, phys_addr_t phys);
phys_addr_t dmapeek_dma_to_phys(struct device *dev, dma_addr_t dma);
bool dmapeek_dma_is_direct(struct device *dev, const struct phys_vec *dma,
			   u32 ndma, const struct phys_vec *cpu, u32 ncpu);

#endif /* _DMAPEEK_H */
