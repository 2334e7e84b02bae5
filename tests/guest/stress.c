// SPDX-License-Identifier: GPL-2.0-only
/*
 * stress: dmapeek's concurrency campaign, for a fixed time.
 *
 *   stress [--seed N] [--time S] [--threads N] [--procs N]
 *
 * A few buffers are exported up front and SHARED by everyone: system
 * memory in the three models and, if a BAR provider is bound, BAR memory
 * (pinned and revocable).  Then, for --time seconds:
 *
 *  - workers (--threads in this process, one more in each of --procs
 *    forked processes, which inherit the dma-buf fds) import every shared
 *    buffer with the edu client, map, unmap, detach and re-import, and
 *    check data: the edu DMAs a fresh pattern into the worker's own slot
 *    of a system buffer and reads it back, byte for byte;
 *  - a disturber moves the movable buffer to the BAR and back and revokes
 *    and restores the revocable ones;
 *  - a churner exports, imports, maps, DMA-checks, detaches and closes
 *    buffers of its own;
 *  - a listener counts the events multicast by the module;
 *  - a dumper walks the buffer, attachment and mapping dumps.
 *
 * The disturber brackets every move and revoke with a per-buffer sequence
 * count (odd while it runs, as a seqlock): a worker's check whose window
 * saw the count change is discarded, not judged, and so are the errors
 * inside such windows (a revoked buffer refuses DMA; a buffer moved to the
 * BAR is out of the edu's reach on most topologies).  That a move keeps
 * the data is checked by the disturber itself, in a slot no worker uses:
 * a pattern written before the move to the BAR and back, read after it.
 *
 * At the end: zero mismatching bytes, no error outside a disturbed
 * window, the module lists as many buffers, attachments and mappings as
 * before, and the events add up (creates == releases == exports, attaches
 * == detaches, maps == unmaps, revoke begins == revoke dones == revokes).
 * It prints ops and ops/s per kind and the bytes checked.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <dmapeek.h>
#include "lab-util.h"

#define MAX_SHARED	6
#define MAX_AGENTS	8
#define SYS_SIZE	(64 * 1024)
#define SLOT		(SYS_SIZE / MAX_AGENTS)
#define BAR_SIZE	(16 * 1024)

enum kind {
	K_EXPORT, K_IMPORT, K_MAP, K_UNMAP, K_DETACH, K_DMA_CHECK, K_MOVE, K_REVOKE,
	K_RESTORE, K_CLOSE, K_DUMP, K_EVENT, K_NR
};

static const char *const kind_names[K_NR] = {
	"export", "import", "map", "unmap", "detach", "dma-check", "move", "revoke",
	"restore", "close", "dump", "event",
};

struct shared_buf {
	int fd;
	uint32_t id;
	unsigned char *cpu;	/* mmap of a system buffer, for diagnosis */
	uint32_t model;
	int bar;		/* on a BAR provider: the edu cannot reach it */
	atomic_uint seq;	/* odd while moved or revoked (see above) */
};

/* Shared with the child processes: MAP_SHARED. */
struct state {
	atomic_int stop;
	struct shared_buf buf[MAX_SHARED];
	unsigned int nbuf;
	uint32_t sys_prov, bar_prov, edu;
	unsigned long long seed;
	atomic_ullong ops[K_NR];
	atomic_ullong bytes_checked, checks, discarded, mismatches, bad_errors;
	atomic_ullong map_refused, exports_total;
	atomic_ullong revokes_ok, move_checks;
};

static struct state *st;

/* ------------------------------------------------------------ helpers */

static uint64_t rnd(uint64_t *s)
{
	return rng_next(s);
}

static void count(enum kind k)
{
	atomic_fetch_add(&st->ops[k], 1);
}

/* An error the caller did not excuse: print a few, fail the run. */
static void bad(const char *what, int err)
{
	if (atomic_fetch_add(&st->bad_errors, 1) < 20)
		printf("error: %s: %s\n", what, strerror(-err));
}

static int stopping(void)
{
	return atomic_load(&st->stop);
}

/* ------------------------------------------------------------ workers */

struct worker {
	unsigned int agent;	/* slot index */
	uint64_t rng;
	struct dmapeek *ctx;
	uint32_t att[MAX_SHARED];	/* 0: not imported */
	unsigned char *wbuf, *rbuf;
};

static int import_one(struct worker *w, unsigned int i)
{
	DMAPEEK_OPTS(dmapeek_import_opts, o,
		     .flags = DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER);
	unsigned int s0 = atomic_load(&st->buf[i].seq);
	int ret = dmapeek_import(w->ctx, st->buf[i].fd, st->edu, &o, &w->att[i]);

	if (ret) {
		w->att[i] = 0;
		/* a revoked buffer takes no new importer: ENODEV */
		if (ret != -ENODEV || (!(s0 & 1) && s0 == atomic_load(&st->buf[i].seq)))
			bad("import of a shared buffer", ret);
		return ret;
	}
	count(K_IMPORT);
	return 0;
}

/*
 * Say where the bytes differ and what the CPU sees there (the buffer's
 * mmap): whether the device's write or its read went astray.
 */
static void report_corruption(const struct shared_buf *b, uint64_t off,
			      const unsigned char *want, const unsigned char *got,
			      uint64_t len, uint64_t wrong)
{
	uint64_t k, first = len, cpu_ok = 0;

	for (k = 0; k < len; k++) {
		if (want[k] != got[k] && first == len)
			first = k;
		if (b->cpu)
			cpu_ok += b->cpu[off + k] == want[k];
	}
	atomic_fetch_add(&st->mismatches, wrong);
	printf("CORRUPTION: buffer %u offset %" PRIu64 " length %" PRIu64 ": %" PRIu64
	       " bytes differ, first at +%" PRIu64 " (want %#x got %#x cpu %#x); the CPU "
	       "sees %" PRIu64 " bytes right\n", b->id, off, len, wrong, first, want[first],
	       got[first], b->cpu ? b->cpu[off + first] : 0, b->cpu ? cpu_ok : 0);
}

/*
 * Write a fresh pattern into this worker's slot with the edu and read it
 * back.  Judged only if the buffer's sequence count was even and unchanged
 * around the whole write-read window: a move or revoke in it excuses the
 * errors and discards the comparison (a revoked buffer's importer may see
 * anything).
 */
static void check_slot(struct worker *w, unsigned int i)
{
	struct shared_buf *b = &st->buf[i];
	uint64_t off = (uint64_t)w->agent * SLOT, len, k, wrong = 0;
	uint64_t pr = rnd(&w->rng);
	unsigned int s0, s1;
	int ret;

	len = 1 + rnd(&w->rng) % SLOT;
	off += rnd(&w->rng) % (SLOT - len + 1);
	for (k = 0; k < len; k++)
		w->wbuf[k] = (unsigned char)(rnd(&pr) >> 24);
	memset(w->rbuf, 0, len);

	s0 = atomic_load(&b->seq);
	ret = dmapeek_dma_write(w->ctx, w->att[i], off, w->wbuf, len);
	if (!ret)
		ret = dmapeek_dma_read(w->ctx, w->att[i], off, w->rbuf, len);
	s1 = atomic_load(&b->seq);
	count(K_DMA_CHECK);
	if ((s0 & 1) || s0 != s1) {
		atomic_fetch_add(&st->discarded, 1);
		return;
	}
	if (ret) {
		bad("edu DMA on an undisturbed shared buffer", ret);
		return;
	}
	for (k = 0; k < len; k++)
		wrong += w->wbuf[k] != w->rbuf[k];
	atomic_fetch_add(&st->checks, 1);
	atomic_fetch_add(&st->bytes_checked, len);
	if (wrong)
		report_corruption(b, off, w->wbuf, w->rbuf, len, wrong);
}

/* Map or unmap by id: "already mapped" and "not mapped" are answers too. */
static void map_toggle(struct worker *w, unsigned int i, int map)
{
	struct shared_buf *b = &st->buf[i];
	unsigned int s0 = atomic_load(&b->seq);
	int ret = map ? dmapeek_map(w->ctx, w->att[i]) : dmapeek_unmap(w->ctx, w->att[i]);

	count(map ? K_MAP : K_UNMAP);
	if (!ret || ret == -EALREADY || ret == -ENXIO)
		return;
	if (b->bar || (s0 & 1) || s0 != atomic_load(&b->seq)) {
		atomic_fetch_add(&st->map_refused, 1);	/* unreachable or disturbed */
		return;
	}
	bad(map ? "map" : "unmap", ret);
}

static void worker_step(struct worker *w)
{
	unsigned int i = rnd(&w->rng) % st->nbuf, r = rnd(&w->rng) % 100;
	int ret;

	if (!w->att[i] && import_one(w, i))
		return;
	if (r < 60) {
		if (!st->buf[i].bar)
			check_slot(w, i);
	} else if (r < 75) {
		map_toggle(w, i, 1);
	} else if (r < 90) {
		map_toggle(w, i, 0);
	} else {
		ret = dmapeek_detach(w->ctx, w->att[i]);
		w->att[i] = 0;
		count(K_DETACH);
		if (ret)
			bad("detach", ret);
	}
}

static void run_worker(unsigned int agent)
{
	struct worker w = { .agent = agent };
	unsigned int i;

	w.rng = st->seed * 0x9E3779B97F4A7C15ULL + agent * 7919 + 1;
	w.ctx = dmapeek_new();
	w.wbuf = malloc(SLOT);
	w.rbuf = malloc(SLOT);
	if (!w.ctx || !w.wbuf || !w.rbuf) {
		bad("worker setup", -ENOMEM);
		goto out;
	}
	while (!stopping())
		worker_step(&w);
	for (i = 0; i < st->nbuf; i++)
		if (w.att[i]) {
			int ret = dmapeek_detach(w.ctx, w.att[i]);

			count(K_DETACH);
			if (ret)
				bad("final detach", ret);
		}
out:
	dmapeek_free(w.ctx);
	free(w.wbuf);
	free(w.rbuf);
}

static void *worker_thread(void *arg)
{
	run_worker((unsigned int)(uintptr_t)arg);
	return NULL;
}

/* ------------------------------------------------------------ disturber */

/* DMA a pattern into (or, @check, compare it from) the disturber's slot. */
static int move_slot_dma(struct dmapeek *ctx, const struct shared_buf *b, uint32_t att,
			 uint64_t seed, int check)
{
	static unsigned char w[SLOT], r[SLOT];
	uint64_t off = (MAX_AGENTS - 1) * SLOT, k, wrong = 0;
	int ret;

	for (k = 0; k < SLOT; k++)
		w[k] = (unsigned char)(rnd(&seed) >> 24);
	if (!check)
		return dmapeek_dma_write(ctx, att, off, w, SLOT);
	ret = dmapeek_dma_read(ctx, att, off, r, SLOT);
	if (ret)
		return ret;
	for (k = 0; k < SLOT; k++)
		wrong += w[k] != r[k];
	count(K_DMA_CHECK);
	atomic_fetch_add(&st->checks, 1);
	atomic_fetch_add(&st->move_checks, 1);
	atomic_fetch_add(&st->bytes_checked, SLOT);
	if (wrong) {
		printf("after a move:\n");
		report_corruption(b, off, w, r, SLOT, wrong);
	}
	return 0;
}

/* To the BAR and back; the data written before must be read after. */
static void disturb_move(struct dmapeek *ctx, struct shared_buf *b, uint32_t att,
			 uint64_t *rng)
{
	uint64_t seed = rnd(rng);
	int ret, written;

	written = att && !move_slot_dma(ctx, b, att, seed, 0);
	if (att && !written)
		bad("DMA before a move", -EIO);
	atomic_fetch_add(&b->seq, 1);
	ret = dmapeek_move(ctx, b->id, st->bar_prov, 100);
	count(K_MOVE);
	if (ret) {
		bad("move to the BAR", ret);
	} else {
		ret = dmapeek_move(ctx, b->id, st->sys_prov, 100);
		count(K_MOVE);
		if (ret)
			bad("move back to system memory", ret);
	}
	atomic_fetch_add(&b->seq, 1);
	if (written) {
		ret = move_slot_dma(ctx, b, att, seed, 1);
		if (ret)
			bad("DMA after a move", ret);
	}
}

static void disturb_revoke(struct dmapeek *ctx, struct shared_buf *b)
{
	struct dmapeek_revoke_result *res = NULL;
	int ret;

	atomic_fetch_add(&b->seq, 1);
	ret = dmapeek_revoke(ctx, b->id, 100, &res);
	count(K_REVOKE);
	if (ret) {
		bad("revoke", ret);
	} else {
		atomic_fetch_add(&st->revokes_ok, 1);
		if (dmapeek_revoke_stuck(res))
			bad("revoke left importers stuck", -EBUSY);
		dmapeek_object_free(res);
		usleep(1000);
		ret = dmapeek_restore(ctx, b->id);
		count(K_RESTORE);
		if (ret)
			bad("restore", ret);
	}
	atomic_fetch_add(&b->seq, 1);
}

static void *disturber_thread(void *arg)
{
	/* P2P: a move to the BAR is refused while an importer cannot take it */
	DMAPEEK_OPTS(dmapeek_import_opts, o,
		     .flags = DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER);
	struct dmapeek *ctx = dmapeek_new();
	uint64_t rng = st->seed ^ 0xd15ull;
	uint32_t att = 0;
	unsigned int i;

	(void)arg;
	if (!ctx) {
		bad("disturber setup", -errno);
		return NULL;
	}
	/* its own import of the movable buffer, for the move checks */
	for (i = 0; i < st->nbuf; i++)
		if (st->buf[i].model == DMAPEEK_MODEL_MOVABLE &&
		    dmapeek_import(ctx, st->buf[i].fd, st->edu, &o, &att))
			bad("disturber import", -errno);
	while (!stopping()) {
		struct shared_buf *b = &st->buf[rnd(&rng) % st->nbuf];

		if (b->model == DMAPEEK_MODEL_MOVABLE && st->bar_prov)
			disturb_move(ctx, b, att, &rng);
		else if (b->model == DMAPEEK_MODEL_REVOCABLE)
			disturb_revoke(ctx, b);
		usleep(2000 + rnd(&rng) % 8000);
	}
	dmapeek_free(ctx);
	return NULL;
}

/* ------------------------------------------------------------ churner */

static int export_sys(struct dmapeek *ctx, uint32_t model, uint64_t size, const char *name,
		      int *fd, uint32_t *id)
{
	DMAPEEK_OPTS(dmapeek_export_opts, o, .provider_id = st->sys_prov, .model = model,
		     .length = size, .name = name);
	int ret = dmapeek_export(ctx, &o, fd, id);

	if (!ret) {
		count(K_EXPORT);
		atomic_fetch_add(&st->exports_total, 1);
	}
	return ret;
}

/* A whole life: export, import, map, DMA and check every byte, detach, close. */
static void churn_once(struct dmapeek *ctx, uint64_t *rng, unsigned char *w, unsigned char *r)
{
	DMAPEEK_OPTS(dmapeek_import_opts, o, .flags = DMAPEEK_IMPORT_DYNAMIC);
	uint32_t id, att, model = 1 + rnd(rng) % 3;
	uint64_t size = 4096 * (1 + rnd(rng) % 4), k, wrong = 0;
	int fd, ret;

	ret = export_sys(ctx, model, size, "stress-churn", &fd, &id);
	if (ret) {
		bad("churn export", ret);
		return;
	}
	ret = dmapeek_import(ctx, fd, st->edu, &o, &att);
	if (ret) {
		bad("churn import", ret);
		goto out_close;
	}
	count(K_IMPORT);
	ret = dmapeek_map(ctx, att);
	count(K_MAP);
	for (k = 0; k < size; k++)
		w[k] = (unsigned char)(rnd(rng) >> 16);
	if (!ret)
		ret = dmapeek_dma_write(ctx, att, 0, w, size);
	if (!ret)
		ret = dmapeek_dma_read(ctx, att, 0, r, size);
	count(K_DMA_CHECK);
	if (ret) {
		bad("churn map/DMA", ret);
	} else {
		for (k = 0; k < size; k++)
			wrong += w[k] != r[k];
		atomic_fetch_add(&st->checks, 1);
		atomic_fetch_add(&st->bytes_checked, size);
		if (wrong) {
			struct shared_buf cb = { .id = id };

			printf("churn buffer:\n");
			report_corruption(&cb, 0, w, r, size, wrong);
		}
	}
	ret = dmapeek_detach(ctx, att);
	count(K_DETACH);
	if (ret)
		bad("churn detach", ret);
out_close:
	close(fd);
	count(K_CLOSE);
}

static void *churner_thread(void *arg)
{
	struct dmapeek *ctx = dmapeek_new();
	uint64_t rng = st->seed ^ 0xc4u;
	unsigned char *w = malloc(4 * 4096), *r = malloc(4 * 4096);

	(void)arg;
	if (!ctx || !w || !r) {
		bad("churner setup", -ENOMEM);
		return NULL;
	}
	while (!stopping())
		churn_once(ctx, &rng, w, r);
	dmapeek_free(ctx);
	free(w);
	free(r);
	return NULL;
}

/* ------------------------------------------------------------ dumper */

static void *dumper_thread(void *arg)
{
	struct dmapeek *ctx = dmapeek_new();
	struct dmapeek_buffer *b;
	struct dmapeek_attachment *a;
	struct dmapeek_mapping *m;

	(void)arg;
	if (!ctx) {
		bad("dumper setup", -errno);
		return NULL;
	}
	while (!stopping()) {
		dmapeek_for_each_buffer(ctx, b) {
			uint32_t s = dmapeek_buffer_state(b);

			if (s < DMAPEEK_BUFFER_STATE_LIVE || s > DMAPEEK_BUFFER_STATE_REVOKED)
				bad("buffer dump: state out of range", -ERANGE);
		}
		if (dmapeek_iter_err(ctx))
			bad("buffer dump", dmapeek_iter_err(ctx));
		dmapeek_for_each_attachment(ctx, a)
			;
		if (dmapeek_iter_err(ctx))
			bad("attachment dump", dmapeek_iter_err(ctx));
		dmapeek_for_each_mapping(ctx, m)
			;
		if (dmapeek_iter_err(ctx))
			bad("mapping dump", dmapeek_iter_err(ctx));
		count(K_DUMP);
		usleep(20000);	/* alongside, not instead of, the others */
	}
	dmapeek_free(ctx);
	return NULL;
}

/* ------------------------------------------------------------ listener */

struct listener {
	struct dmapeek *ctx;
	unsigned long long by_type[DMAPEEK_EVENT_TYPE_STUCK + 1];
	unsigned long long map_refused;		/* map events with an error */
	atomic_int quit;	/* set after everything is closed */
};

static void *listener_thread(void *arg)
{
	struct listener *l = arg;
	struct pollfd p = { .fd = dmapeek_event_fd(l->ctx), .events = POLLIN };
	int idle = 0;

	/* drain until told to quit and quiet for a while */
	while (!atomic_load(&l->quit) || idle < 5) {
		const struct dmapeek_event *e;

		if (poll(&p, 1, 100) <= 0) {
			idle++;
			continue;
		}
		idle = 0;
		while ((e = dmapeek_event_read(l->ctx))) {
			uint32_t t = dmapeek_event_type(e);

			/* a refused map is an event too, with its error */
			if (t == DMAPEEK_EVENT_TYPE_MAP && dmapeek_event_error(e))
				l->map_refused++;
			else if (t <= DMAPEEK_EVENT_TYPE_STUCK)
				l->by_type[t]++;
			count(K_EVENT);
		}
	}
	return NULL;
}

/* ------------------------------------------------------------ setup */

/*
 * The system provider, the edu client, and a BAR to move to: not one of
 * the edu's own (its BAR 0 is its registers and DMA buffer: memory moved
 * there would overwrite them).
 */
static int discover(struct dmapeek *ctx)
{
	struct dmapeek_provider *p;
	struct dmapeek_device *d;

	dmapeek_for_each_device(ctx, d)
		if (dmapeek_device_vendor(d) == 0x1234 && !st->edu)
			st->edu = dmapeek_device_id(d);
	dmapeek_for_each_provider(ctx, p) {
		if (dmapeek_provider_kind(p) == DMAPEEK_PROVIDER_KIND_SYSTEM && !st->sys_prov)
			st->sys_prov = dmapeek_provider_id(p);
		else if (dmapeek_provider_kind(p) == DMAPEEK_PROVIDER_KIND_PCI_BAR &&
			 !st->bar_prov && dmapeek_provider_size(p) >= 8 * SYS_SIZE &&
			 dmapeek_provider_device_id(p) != st->edu)
			st->bar_prov = dmapeek_provider_id(p);
	}
	return st->sys_prov && st->edu ? 0 : -ENODEV;
}

static int add_shared(struct dmapeek *ctx, uint32_t prov, uint32_t model, int bar)
{
	struct shared_buf *b = &st->buf[st->nbuf];
	struct dmapeek_range r = { .offset = 0, .length = BAR_SIZE };
	DMAPEEK_OPTS(dmapeek_export_opts, o, .provider_id = prov, .model = model,
		     .name = "stress-shared");
	int ret;

	if (bar) {
		/* each BAR buffer at its own offset, after the move area */
		r.offset = 4 * SYS_SIZE + (uint64_t)st->nbuf * BAR_SIZE;
		o.ranges = &r;
		o.nr_ranges = 1;
	} else {
		o.length = SYS_SIZE;
	}
	ret = dmapeek_export(ctx, &o, &b->fd, &b->id);
	if (ret)
		return ret;
	b->cpu = bar ? NULL : mmap(NULL, SYS_SIZE, PROT_READ, MAP_SHARED, b->fd, 0);
	if (b->cpu == MAP_FAILED)
		b->cpu = NULL;
	count(K_EXPORT);
	atomic_fetch_add(&st->exports_total, 1);
	b->model = model;
	b->bar = bar;
	st->nbuf++;
	return 0;
}

static int count_objects(struct dmapeek *ctx, unsigned int n[3])
{
	struct dmapeek_buffer *b;
	struct dmapeek_attachment *a;
	struct dmapeek_mapping *m;

	n[0] = n[1] = n[2] = 0;
	dmapeek_for_each_buffer(ctx, b)
		n[0]++;
	dmapeek_for_each_attachment(ctx, a)
		n[1]++;
	dmapeek_for_each_mapping(ctx, m)
		n[2]++;
	return dmapeek_iter_err(ctx);
}

/* ------------------------------------------------------------ report */

static int check_events(struct listener *l, struct dmapeek *lctx)
{
	unsigned long long *t = l->by_type, lost = dmapeek_event_lost(lctx);
	int fails = 0;

	printf("events create=%llu release=%llu attach=%llu detach=%llu map=%llu unmap=%llu "
	       "map_refused=%llu move_begin=%llu move_done=%llu revoke_begin=%llu "
	       "revoke_done=%llu restore=%llu lost=%llu\n",
	       t[DMAPEEK_EVENT_TYPE_BUFFER_CREATE], t[DMAPEEK_EVENT_TYPE_BUFFER_RELEASE],
	       t[DMAPEEK_EVENT_TYPE_ATTACH], t[DMAPEEK_EVENT_TYPE_DETACH],
	       t[DMAPEEK_EVENT_TYPE_MAP], t[DMAPEEK_EVENT_TYPE_UNMAP], l->map_refused,
	       t[DMAPEEK_EVENT_TYPE_MOVE_BEGIN], t[DMAPEEK_EVENT_TYPE_MOVE_DONE],
	       t[DMAPEEK_EVENT_TYPE_REVOKE_BEGIN], t[DMAPEEK_EVENT_TYPE_REVOKE_DONE],
	       t[DMAPEEK_EVENT_TYPE_RESTORE], lost);
	if (lost) {
		printf("events lost: the equalities below are not checked\n");
		return 0;
	}
#define EQ(what, a, b) do {						\
		if ((a) != (b)) {					\
			printf("FAIL: events: %s: %llu != %llu\n", what,	\
			       (unsigned long long)(a), (unsigned long long)(b)); \
			fails++;					\
		}							\
	} while (0)
	EQ("creates vs exports", t[DMAPEEK_EVENT_TYPE_BUFFER_CREATE],
	   atomic_load(&st->exports_total));
	EQ("releases vs creates", t[DMAPEEK_EVENT_TYPE_BUFFER_RELEASE],
	   t[DMAPEEK_EVENT_TYPE_BUFFER_CREATE]);
	EQ("detaches vs attaches", t[DMAPEEK_EVENT_TYPE_DETACH], t[DMAPEEK_EVENT_TYPE_ATTACH]);
	EQ("unmaps vs maps that succeeded", t[DMAPEEK_EVENT_TYPE_UNMAP],
	   t[DMAPEEK_EVENT_TYPE_MAP]);
	EQ("revoke dones vs begins", t[DMAPEEK_EVENT_TYPE_REVOKE_DONE],
	   t[DMAPEEK_EVENT_TYPE_REVOKE_BEGIN]);
	EQ("revoke begins vs revokes", t[DMAPEEK_EVENT_TYPE_REVOKE_BEGIN],
	   atomic_load(&st->revokes_ok));
	EQ("move dones vs begins", t[DMAPEEK_EVENT_TYPE_MOVE_DONE],
	   t[DMAPEEK_EVENT_TYPE_MOVE_BEGIN]);
#undef EQ
	return fails;
}

static void report(double secs)
{
	unsigned int k;

	for (k = 0; k < K_NR; k++)
		printf("kind %s ops=%llu ops_per_s=%.1f\n", kind_names[k],
		       (unsigned long long)atomic_load(&st->ops[k]),
		       atomic_load(&st->ops[k]) / secs);
	printf("stress seconds=%.1f checks=%llu move_checks=%llu bytes_checked=%llu "
	       "discarded=%llu "
	       "mismatches=%llu map_refused=%llu bad_errors=%llu exports=%llu\n", secs,
	       (unsigned long long)atomic_load(&st->checks),
	       (unsigned long long)atomic_load(&st->move_checks),
	       (unsigned long long)atomic_load(&st->bytes_checked),
	       (unsigned long long)atomic_load(&st->discarded),
	       (unsigned long long)atomic_load(&st->mismatches),
	       (unsigned long long)atomic_load(&st->map_refused),
	       (unsigned long long)atomic_load(&st->bad_errors),
	       (unsigned long long)atomic_load(&st->exports_total));
}

static int setup(struct dmapeek *ctx)
{
	int ret = discover(ctx);

	if (ret) {
		printf("setup: no system provider or no edu client bound\n");
		return ret;
	}
	ret = add_shared(ctx, st->sys_prov, DMAPEEK_MODEL_PINNED, 0);
	if (!ret)
		ret = add_shared(ctx, st->sys_prov, DMAPEEK_MODEL_MOVABLE, 0);
	if (!ret)
		ret = add_shared(ctx, st->sys_prov, DMAPEEK_MODEL_REVOCABLE, 0);
	if (!ret && st->bar_prov)
		ret = add_shared(ctx, st->bar_prov, DMAPEEK_MODEL_REVOCABLE, 1);
	if (!ret && st->bar_prov)
		ret = add_shared(ctx, st->bar_prov, DMAPEEK_MODEL_PINNED, 1);
	if (ret)
		printf("setup: export: %s\n", strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int threads = 3, procs = 2, i, before[3], after[3];
	pthread_t tw[MAX_AGENTS], td, tc, tm, tl;
	struct listener l = { 0 };
	struct dmapeek *ctx;
	pid_t pids[MAX_AGENTS];
	double secs = 60, t0;
	unsigned long long seed = 0;
	int fails = 0, status;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < (unsigned int)argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--time") && i + 1 < (unsigned int)argc)
			secs = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--threads") && i + 1 < (unsigned int)argc)
			threads = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--procs") && i + 1 < (unsigned int)argc)
			procs = strtoul(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: stress [--seed N] [--time S] [--threads N] "
				"[--procs N]\n");
			return 2;
		}
	}
	if (!threads || threads + procs > MAX_AGENTS - 1) {
		fprintf(stderr, "stress: 1 to %d workers in all\n", MAX_AGENTS - 1);
		return 2;
	}
	if (!seed)
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed %llu\n", seed);
	printf("reproduce: %s --seed %llu --time %.0f --threads %u --procs %u\n", argv[0], seed,
	       secs, threads, procs);

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ctx = dmapeek_new();
	l.ctx = dmapeek_new();
	if (st == MAP_FAILED || !ctx || !l.ctx) {
		printf("setup: %s\n", strerror(errno));
		return 1;
	}
	st->seed = seed;
	if (count_objects(ctx, before) || dmapeek_event_subscribe(l.ctx)) {
		printf("setup: dumps or event subscription failed: %s\n", strerror(errno));
		return 1;
	}
	pthread_create(&tl, NULL, listener_thread, &l);
	if (setup(ctx))
		return 1;
	printf("shared buffers=%u bar_provider=%u edu=%u workers=%u+%u processes\n", st->nbuf,
	       st->bar_prov, st->edu, threads, procs);

	t0 = lab_now_s();
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			run_worker(threads + i);
			_exit(0);
		}
	}
	for (i = 0; i < threads; i++)
		pthread_create(&tw[i], NULL, worker_thread, (void *)(uintptr_t)i);
	pthread_create(&td, NULL, disturber_thread, NULL);
	pthread_create(&tc, NULL, churner_thread, NULL);
	pthread_create(&tm, NULL, dumper_thread, NULL);

	while (lab_now_s() - t0 < secs)
		usleep(100000);
	atomic_store(&st->stop, 1);
	for (i = 0; i < threads; i++)
		pthread_join(tw[i], NULL);
	pthread_join(td, NULL);
	pthread_join(tc, NULL);
	pthread_join(tm, NULL);
	for (i = 0; i < procs; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			printf("FAIL: worker process %u did not exit cleanly\n", i);
			fails++;
		}
	secs = lab_now_s() - t0;

	for (i = 0; i < st->nbuf; i++) {
		if (st->buf[i].cpu)
			munmap(st->buf[i].cpu, SYS_SIZE);
		close(st->buf[i].fd);
		count(K_CLOSE);
	}
	atomic_store(&l.quit, 1);
	pthread_join(tl, NULL);

	report(secs);
	fails += check_events(&l, l.ctx);
	if (count_objects(ctx, after)) {
		printf("FAIL: dumps after the run: %s\n", strerror(errno));
		fails++;
	}
	printf("objects before buffers=%u attachments=%u mappings=%u after buffers=%u "
	       "attachments=%u mappings=%u\n", before[0], before[1], before[2], after[0],
	       after[1], after[2]);
	if (memcmp(before, after, sizeof(before))) {
		printf("FAIL: objects left behind\n");
		fails++;
	}
	if (atomic_load(&st->mismatches) || atomic_load(&st->bad_errors))
		fails++;
	dmapeek_free(l.ctx);
	dmapeek_free(ctx);
	return fails ? 1 : 0;
}
