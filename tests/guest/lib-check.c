// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib-check: libdmapeek's API against the live module, one check per
 * command, each printing "ok ..." or "skip ..." (exit 77) or failing
 * with "fail ..." (exit 1).
 *
 *   lib-check iterate    providers and devices: nested iterations agree
 *                        with flat ones, lookups by id agree with dumps
 *   lib-check lookup     a missing id fails with errno set, extack kept
 *   lib-check early-end  ending an iteration early, then iterating again
 *   lib-check events     subscribe; the fd polls; nothing pending: EAGAIN
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#define FAIL(...) do { printf("fail: " __VA_ARGS__); putchar('\n'); exit(1); } while (0)
#define SKIP(...) do { printf("skip: " __VA_ARGS__); putchar('\n'); exit(77); } while (0)

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
	if (dmapeek_iter_err(ctx) == -EOPNOTSUPP)
		SKIP("the module has no provider dump yet");
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
		SKIP("the module has no provider-get yet");
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
		SKIP("need two devices bound to dmapeek, have %u", n);
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
		SKIP("the module has no events group");
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

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: lib-check iterate|lookup|early-end|events\n");
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
	else
		return 2;
	dmapeek_free(ctx);
	return 0;
}
