// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib-check: libdmapeek's API against the live module, one check per
 * command, each printing "ok ..." or failing with "fail ..." (exit 1).
 * No check skips: t-lib.sh loads the module it built and binds every lab
 * device first, so whatever is missing is a regression.
 *
 *   lib-check iterate    providers and devices: nested iterations agree
 *                        with flat ones, lookups by id agree with dumps
 *   lib-check lookup     a missing id fails with errno set, extack kept
 *   lib-check early-end  ending an iteration early, then iterating again
 *   lib-check events     subscribe; the fd polls; nothing pending: EAGAIN
 *   lib-check burst N    N export/import/map/unmap/detach/release cycles
 *                        with a listener reading meanwhile: every event
 *                        arrives, in order, or the loss is counted; and a
 *                        second listener that reads only at the end with
 *                        a tiny queue reports exactly what it lost
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <dmapeek.h>

#include "lab-ids.h"

#define FAIL(...) do { printf("fail: " __VA_ARGS__); putchar('\n'); exit(1); } while (0)

static struct dmapeek *ctx;

static unsigned int count_devices(void)
{
	struct dmapeek_device *d;
	unsigned int n = 0;

	dmapeek_for_each_device(ctx, d)
		n++;
	if (dmapeek_iter_err(ctx))
		FAIL("device dump: %s", strerror(-dmapeek_iter_err(ctx)));
	return n;
}

static int iterate(void)
{
	struct dmapeek_provider *p;
	unsigned int np = 0, nested = 0, ndev = count_devices();

	dmapeek_for_each_provider(ctx, p) {
		struct dmapeek_provider *q = dmapeek_provider_get(ctx, dmapeek_provider_id(p));
		struct dmapeek_device *d;
		unsigned int n = 0;

		if (!q)
			FAIL("provider-get %u: %s", dmapeek_provider_id(p), strerror(errno));
		if (dmapeek_provider_size(q) != dmapeek_provider_size(p) ||
		    dmapeek_provider_kind(q) != dmapeek_provider_kind(p))
			FAIL("provider %u: lookup and dump disagree", dmapeek_provider_id(p));
		dmapeek_object_free(q);
		/* A nested dump while the outer one is open. */
		dmapeek_for_each_device(ctx, d)
			n++;
		if (dmapeek_iter_err(ctx))
			FAIL("nested device dump: %s", strerror(-dmapeek_iter_err(ctx)));
		if (n != ndev)
			FAIL("nested device dump saw %u devices, flat %u", n, ndev);
		nested++;
		np++;
	}
	if (dmapeek_iter_err(ctx))
		FAIL("provider dump: %s", strerror(-dmapeek_iter_err(ctx)));
	if (!np)
		FAIL("no providers (the system memory provider at least)");
	printf("ok %u providers, %u devices, %u nested dumps\n", np, ndev, nested);
	return 0;
}

static int lookup(void)
{
	struct dmapeek_provider *p;

	errno = 0;
	p = dmapeek_provider_get(ctx, 0x7fffffff);
	if (p)
		FAIL("provider 0x7fffffff exists");
	if (errno == EOPNOTSUPP)
		FAIL("provider-get: EOPNOTSUPP (expected ENOENT for a missing id)");
	if (!errno)
		FAIL("lookup failed without errno");
	printf("ok missing id: %s (extack: %s)\n", strerror(errno),
	       dmapeek_extack(ctx) ?: "none");
	return 0;
}

static int early_end(void)
{
	struct dmapeek_device *d;
	unsigned int i, n = count_devices();

	if (n < 2)
		FAIL("expected the lab's devices bound to dmapeek (two at least), have %u", n);
	for (i = 0; i < 50; i++) {
		d = dmapeek_device_next(ctx, NULL);
		if (!d)
			FAIL("device dump: %s", strerror(errno));
		dmapeek_iter_end(d);
	}
	if (count_devices() != n)
		FAIL("device count changed after early ends");
	printf("ok 50 iterations ended early, then a full one of %u\n", n);
	return 0;
}

static int events(void)
{
	struct pollfd pfd;
	int err = dmapeek_event_subscribe(ctx);

	if (err == -ENOENT)
		FAIL("subscribe: the module has no events group");
	if (err)
		FAIL("subscribe: %s", strerror(-err));
	pfd.fd = dmapeek_event_fd(ctx);
	pfd.events = POLLIN;
	if (pfd.fd < 0)
		FAIL("event fd: %s", strerror(errno));
	if (poll(&pfd, 1, 100) < 0)
		FAIL("poll: %s", strerror(errno));
	while (dmapeek_event_read(ctx))
		;
	if (errno != EAGAIN)
		FAIL("reading a drained queue: %s, want EAGAIN", strerror(errno));
	if (dmapeek_event_lost(ctx))
		FAIL("events lost on an idle queue");
	printf("ok subscribed, fd %d, queue drained\n", pfd.fd);
	return 0;
}

/* ------------------------------------------------------------ burst */

struct seen {
	uint32_t type, buffer;
	uint64_t ts;
};

/* A listener on its own context, reading until told to stop. */
struct listener {
	struct dmapeek *ctx;
	struct seen *ev;
	unsigned int nr, cap;
	volatile int stop;
};

static void listener_drain(struct listener *l)
{
	const struct dmapeek_event *e;

	for (;;) {
		e = dmapeek_event_read(l->ctx);
		if (!e) {
			if (errno == ENOBUFS)
				continue;	/* counted in dmapeek_event_lost() */
			if (errno != EAGAIN)
				FAIL("event read: %s", strerror(errno));
			return;
		}
		if (l->nr == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 4096;
			l->ev = realloc(l->ev, l->cap * sizeof(*l->ev));
			if (!l->ev)
				FAIL("out of memory");
		}
		l->ev[l->nr++] = (struct seen){
			.type = dmapeek_event_type(e),
			.buffer = dmapeek_object_has(e, DMAPEEK_A_EVENT_BUFFER_ID) ?
				  dmapeek_event_buffer_id(e) : 0,
			.ts = dmapeek_event_timestamp_ns(e),
		};
	}
}

static void *listener_run(void *arg)
{
	struct listener *l = arg;
	struct pollfd pfd = { .fd = dmapeek_event_fd(l->ctx), .events = POLLIN };

	while (!l->stop) {
		if (poll(&pfd, 1, 50) > 0)
			listener_drain(l);
	}
	listener_drain(l);
	return NULL;
}

static void listener_open(struct listener *l)
{
	memset(l, 0, sizeof(*l));
	l->ctx = dmapeek_new();
	if (!l->ctx)
		FAIL("dmapeek_new: %s", strerror(errno));
	if (dmapeek_event_subscribe(l->ctx))
		FAIL("subscribe: %s", strerror(errno));
}

/* One buffer's life: every object event the module has for it. */
static void cycle(uint32_t prov, uint32_t dev)
{
	DMAPEEK_OPTS(dmapeek_export_opts, x, .provider_id = prov,
		     .model = DMAPEEK_MODEL_PINNED, .length = 4096);
	uint32_t bid, aid;
	int fd, err;

	err = dmapeek_export(ctx, &x, &fd, &bid);
	if (!err)
		err = dmapeek_import(ctx, fd, dev, NULL, &aid);
	if (!err)
		err = dmapeek_map(ctx, aid);
	if (!err)
		err = dmapeek_unmap(ctx, aid);
	if (!err)
		err = dmapeek_detach(ctx, aid);
	if (err)
		FAIL("cycle: %s (%s)", strerror(-err), dmapeek_extack(ctx) ?: "");
	close(fd);
}

/*
 * In order: timestamps never go back, buffer ids never go back (the
 * cycles run one after another), and each buffer's first event is its
 * creation and its last its release.
 */
static void check_order(const struct listener *l, unsigned int n)
{
	unsigned int i, creates = 0, releases = 0;
	uint32_t cur = 0;
	bool released = true;

	for (i = 0; i < l->nr; i++) {
		const struct seen *e = &l->ev[i];

		if (i && e->ts < l->ev[i - 1].ts)
			FAIL("event %u goes back in time", i);
		if (!e->buffer)
			continue;
		if (e->buffer != cur) {
			if (!released || e->type != DMAPEEK_EVENT_TYPE_BUFFER_CREATE)
				FAIL("event %u: buffer %u starts with %s, buffer %u %s",
				     i, e->buffer, dmapeek_event_type_str(e->type), cur,
				     released ? "released" : "never released");
			if (e->buffer < cur)
				FAIL("event %u: buffer ids went back, %u after %u",
				     i, e->buffer, cur);
			cur = e->buffer;
			released = false;
		} else if (released) {
			FAIL("event %u: %s of buffer %u after its release", i,
			     dmapeek_event_type_str(e->type), cur);
		}
		creates += e->type == DMAPEEK_EVENT_TYPE_BUFFER_CREATE;
		if (e->type == DMAPEEK_EVENT_TYPE_BUFFER_RELEASE) {
			releases++;
			released = true;
		}
	}
	if (creates != n || releases != n)
		FAIL("%u cycles but %u creates and %u releases", n, creates, releases);
}

static int burst(unsigned int n)
{
	struct listener live, late;
	uint32_t prov = lab_system_provider(ctx), dev = lab_edu_device(ctx);
	pthread_t t;
	int tiny = 1;
	unsigned int i;

	if (!prov || !dev)
		FAIL("expected the system provider and the edu bound (provider %u, device %u)",
		     prov, dev);
	listener_open(&live);
	listener_open(&late);
	/* The late reader's queue: as small as the kernel allows. */
	if (setsockopt(dmapeek_event_fd(late.ctx), SOL_SOCKET, SO_RCVBUF, &tiny,
		       sizeof(tiny)))
		FAIL("SO_RCVBUF: %s", strerror(errno));
	if (pthread_create(&t, NULL, listener_run, &live))
		FAIL("pthread_create");
	for (i = 0; i < n; i++)
		cycle(prov, dev);
	usleep(200 * 1000);
	live.stop = 1;
	pthread_join(t, NULL);
	listener_drain(&late);
	printf("live listener: %u events, %llu lost\n", live.nr,
	       (unsigned long long)dmapeek_event_lost(live.ctx));
	printf("late listener: %u events, %llu lost\n", late.nr,
	       (unsigned long long)dmapeek_event_lost(late.ctx));
	if (dmapeek_event_lost(live.ctx)) {
		/* Lost, but said so: what arrived plus what was lost is all. */
		if (live.nr >= 6ULL * n)
			FAIL("loss reported but nothing missing");
	} else {
		check_order(&live, n);
	}
	if (!dmapeek_event_lost(late.ctx))
		FAIL("a %u-event burst into a minimal queue lost nothing", live.nr);
	if (!dmapeek_event_lost(live.ctx) &&
	    late.nr + dmapeek_event_lost(late.ctx) != live.nr)
		FAIL("late listener: %u read + %llu lost != %u sent", late.nr,
		     (unsigned long long)dmapeek_event_lost(late.ctx), live.nr);
	printf("ok %u cycles: %u events in order; the tiny queue read %u and "
	       "reported %llu lost\n", n, live.nr, late.nr,
	       (unsigned long long)dmapeek_event_lost(late.ctx));
	free(live.ev);
	free(late.ev);
	dmapeek_free(live.ctx);
	dmapeek_free(late.ctx);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: lib-check iterate|lookup|early-end|events|burst N\n");
		return 2;
	}
	ctx = dmapeek_new();
	if (!ctx)
		FAIL("dmapeek_new: %s", strerror(errno));
	if (!strcmp(argv[1], "iterate"))
		iterate();
	else if (!strcmp(argv[1], "lookup"))
		lookup();
	else if (!strcmp(argv[1], "early-end"))
		early_end();
	else if (!strcmp(argv[1], "events"))
		events();
	else if (!strcmp(argv[1], "burst") && argc == 3)
		burst((unsigned int)atoi(argv[2]));
	else
		return 2;
	dmapeek_free(ctx);
	return 0;
}
