// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp-bench: the workloads of the benchmark suite (tests/bench/run), on
 * libdmapeek; DMAPEEK_IOC_BENCH_MAP, which no tool uses, by raw ioctl (a
 * module built with --enable-debug-knobs: linux/dmapeek-debug.h; any other
 * answers "map err=ENOTTY").
 * Each command prints key=value lines for the runner to parse; failures go
 * to stderr with exit status 1.
 *
 *   dp-bench hold READY [buffers N] [imports K] [dev ID] [provider P]
 *                 [ranges R] [model M]
 *       export N buffers of R one-page ranges (R > 1: every other page of
 *       BAR provider P) or of one page (system memory), import each K
 *       times into device ID, close the buffer fds, touch READY and hold
 *       everything until SIGTERM.
 *   dp-bench list
 *       count buffers and attachments with the library's iterators.
 *   dp-bench map ATTACHMENT PATH LENGTH ITERATIONS REPEATS [FLAGS]
 *       DMAPEEK_IOC_BENCH_MAP REPEATS times: "map ns=... unmap_ns=..."
 *       (per mapping, averaged over ITERATIONS) per repeat, or "map err=E"
 *       (errno name); FLAGS goes into the flags field unchecked (tests).
 *   dp-bench import-buffer DEV LENGTH [provider P] [chunks page|large]
 *       export one buffer (system memory unless P; chunks page: page by
 *       page, DMAPEEK_EXPORT_PAGE_CHUNKS) and import it into DEV, print
 *       "attachment=ID buffer=ID", hold until SIGTERM (the runner maps
 *       through it).
 *   dp-bench revoke N DEV REPEATS
 *       per repeat: a revocable buffer, N well-behaved mapped imports,
 *       revoke; "revoke n=N duration_ns=D max_unmap_ns=M stuck=S".
 *   dp-bench gen ATTACHMENT RATE SECONDS
 *       map/unmap pairs paced at RATE pairs/s (0: as fast as possible);
 *       "gen ops=N seconds=S".
 *   dp-bench listen READY STOP [sleep-us W]
 *       subscribe, touch READY, count events (sleeping W us after each: a
 *       consumer that waits on something else) until STOP exists and the
 *       queue is drained; "listen received=N lost=L".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include <linux/dmapeek.h>
#include <linux/dmapeek-debug.h>
#include <dmapeek.h>

#include "../guest/lab-util.h"

#define PAGE	4096ULL

static struct dmapeek *ctx;

static void die(const char *what, int err)
{
	const char *ext = ctx ? dmapeek_extack(ctx) : NULL;

	fprintf(stderr, "dp-bench: %s: %s%s%s\n", what, strerror(err < 0 ? -err : err),
		ext && *ext ? ": " : "", ext ? ext : "");
	exit(1);
}

static uint32_t num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > UINT32_MAX) {
		fprintf(stderr, "dp-bench: bad number \"%s\"\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die(path, errno);
	fclose(f);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Wait for SIGTERM or SIGINT. */
static void hold_until_signal(void)
{
	sigset_t none;

	sigemptyset(&none);
	while (!stop)
		sigsuspend(&none);
}

/* -------------------------------------------------------------- hold */

struct hold_opts {
	uint32_t buffers, imports, dev, provider, ranges, model;
};

/* One buffer: @ranges pages of BAR provider @provider (every other page), or system memory. */
static int export_one(const struct hold_opts *o, uint32_t index, int *fd)
{
	DMAPEEK_OPTS(dmapeek_export_opts, eo, .model = o->model);
	struct dmapeek_range *r = NULL;
	uint32_t id, i;
	int err;

	if (o->provider) {
		r = calloc(o->ranges, sizeof(*r));
		if (!r)
			die("calloc", ENOMEM);
		for (i = 0; i < o->ranges; i++) {
			r[i].offset = ((uint64_t)index * o->ranges + i) * 2 * PAGE;
			r[i].length = PAGE;
		}
		eo.provider_id = o->provider;
		eo.ranges = r;
		eo.nr_ranges = o->ranges;
	} else {
		eo.provider_id = 1;	/* system memory */
		eo.length = PAGE;
	}
	err = dmapeek_export(ctx, &eo, fd, &id);
	free(r);
	return err;
}

static int cmd_hold(int argc, char **argv)
{
	struct hold_opts o = { .buffers = 1, .ranges = 1, .model = DMAPEEK_MODEL_PINNED };
	const char *ready = argv[0];
	uint32_t b, k, att;
	int fd, err, i;

	for (i = 1; i + 1 < argc; i += 2) {
		uint32_t v = num(argv[i + 1]);

		if (!strcmp(argv[i], "buffers"))
			o.buffers = v;
		else if (!strcmp(argv[i], "imports"))
			o.imports = v;
		else if (!strcmp(argv[i], "dev"))
			o.dev = v;
		else if (!strcmp(argv[i], "provider"))
			o.provider = v;
		else if (!strcmp(argv[i], "ranges"))
			o.ranges = v;
		else if (!strcmp(argv[i], "model"))
			o.model = v;
		else
			die(argv[i], EINVAL);
	}
	if (o.imports && !o.dev)
		die("imports need a dev", EINVAL);
	if (!o.imports) {
		/* Without imports, the open fds keep the buffers. */
		struct rlimit rl = { o.buffers + 64, o.buffers + 64 };

		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit", errno);
	}
	for (b = 0; b < o.buffers; b++) {
		err = export_one(&o, b, &fd);
		if (err)
			die("export", err);
		for (k = 0; k < o.imports; k++) {
			DMAPEEK_OPTS(dmapeek_import_opts, io,
				     .flags = o.provider ? DMAPEEK_IMPORT_DYNAMIC |
							   DMAPEEK_IMPORT_PEER2PEER : 0);

			err = dmapeek_import(ctx, fd, o.dev, &io, &att);
			if (err)
				die("import", err);
		}
		/* The imports (or, without any, the fd) keep the buffer alive. */
		if (o.imports)
			close(fd);
		if (b && !(b % 10000))
			fprintf(stderr, "dp-bench: %u buffers\n", b);
	}
	touch(ready);
	hold_until_signal();
	return 0;
}

/* -------------------------------------------------------------- list */

static int cmd_list(void)
{
	struct dmapeek_attachment *a;
	struct dmapeek_buffer *b;
	uint64_t nb = 0, na = 0, bytes = 0;

	dmapeek_for_each_buffer(ctx, b) {
		nb++;
		bytes += dmapeek_buffer_size(b);
	}
	if (dmapeek_iter_err(ctx))
		die("buffer dump", dmapeek_iter_err(ctx));
	dmapeek_for_each_attachment(ctx, a)
		na++;
	if (dmapeek_iter_err(ctx))
		die("attachment dump", dmapeek_iter_err(ctx));
	printf("list buffers=%" PRIu64 " attachments=%" PRIu64 " bytes=%" PRIu64 "\n",
	       nb, na, bytes);
	return 0;
}

/* --------------------------------------------------------------- map */

static const char *ename(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ERANGE: return "ERANGE";
	case ENODEV: return "ENODEV";
	case EPERM: return "EPERM";
	case ENOTTY: return "ENOTTY";
	default: return strerror(e);
	}
}

static int cmd_map(int argc, char **argv)
{
	struct dmapeek_bench_map b;
	uint32_t att = num(argv[0]), path = num(argv[1]), iter = num(argv[3]);
	uint32_t reps = num(argv[4]), r;
	uint64_t len = strtoull(argv[2], NULL, 0);
	int fd;

	fd = open("/dev/" DMAPEEK_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/" DMAPEEK_DEVICE_NAME, errno);
	for (r = 0; r < reps; r++) {
		memset(&b, 0, sizeof(b));
		b.size = sizeof(b);
		b.attachment_id = att;
		b.path = path;
		b.length = len;
		b.iterations = iter;
		b.flags = argc > 5 ? num(argv[5]) : 0;
		if (ioctl(fd, DMAPEEK_IOC_BENCH_MAP, &b) < 0) {
			printf("map err=%s\n", ename(errno));
			break;
		}
		printf("map ns=%" PRIu64 " unmap_ns=%" PRIu64 " min_ns=%" PRIu64
		       " max_ns=%" PRIu64 " calls=%u domain=%s flags=%#x\n",
		       (uint64_t)b.map_ns / (iter ? iter : 1),
		       (uint64_t)b.unmap_ns / (iter ? iter : 1),
		       (uint64_t)b.map_ns_min, (uint64_t)b.map_ns_max, b.nr_ranges,
		       dmapeek_domain_type_str(b.domain_type) ?: "?", b.out_flags);
	}
	close(fd);
	return 0;
}

static int cmd_import_buffer(int argc, char **argv)
{
	DMAPEEK_OPTS(dmapeek_export_opts, eo, .model = DMAPEEK_MODEL_PINNED);
	DMAPEEK_OPTS(dmapeek_import_opts, io);
	uint32_t dev = num(argv[0]), id, att;
	int fd, err, i;

	eo.length = strtoull(argv[1], NULL, 0);
	eo.provider_id = 1;	/* system memory */
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "provider"))
			eo.provider_id = num(argv[i + 1]);
		else if (!strcmp(argv[i], "chunks") && !strcmp(argv[i + 1], "page"))
			eo.flags |= DMAPEEK_EXPORT_PAGE_CHUNKS;
		else if (strcmp(argv[i], "chunks") || strcmp(argv[i + 1], "large"))
			die(argv[i], EINVAL);
	}
	if (i != argc)
		die(argv[i], EINVAL);
	if (eo.provider_id != 1)
		io.flags = DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER;
	err = dmapeek_export(ctx, &eo, &fd, &id);
	if (err)
		die("export", err);
	err = dmapeek_import(ctx, fd, dev, &io, &att);
	if (err)
		die("import", err);
	close(fd);
	printf("attachment=%u buffer=%u\n", att, id);
	fflush(stdout);
	hold_until_signal();
	return 0;
}

/* ------------------------------------------------------------ revoke */

static void revoke_once(uint32_t n, uint32_t dev)
{
	DMAPEEK_OPTS(dmapeek_export_opts, eo, .provider_id = 1,
		     .model = DMAPEEK_MODEL_REVOCABLE, .length = PAGE);
	DMAPEEK_OPTS(dmapeek_import_opts, io, .flags = DMAPEEK_IMPORT_DYNAMIC);
	struct dmapeek_revoke_result *res;
	uint64_t max_unmap = 0, unmap_ns;
	uint32_t *att, id, i, aid;
	unsigned int k;
	bool stuck;
	int fd, err;

	att = calloc(n, sizeof(*att));
	if (!att)
		die("calloc", ENOMEM);
	err = dmapeek_export(ctx, &eo, &fd, &id);
	if (err)
		die("export", err);
	for (i = 0; i < n; i++) {
		err = dmapeek_import(ctx, fd, dev, &io, &att[i]);
		if (err)
			die("import", err);
		err = dmapeek_map(ctx, att[i]);
		if (err)
			die("map", err);
	}
	err = dmapeek_revoke(ctx, id, 1000, &res);
	if (err)
		die("revoke", err);
	for (k = 0; k < dmapeek_revoke_nr_results(res); k++)
		if (!dmapeek_revoke_result(res, k, &aid, &unmap_ns, &stuck) && !stuck &&
		    unmap_ns > max_unmap)
			max_unmap = unmap_ns;
	printf("revoke n=%u duration_ns=%" PRIu64 " max_unmap_ns=%" PRIu64
	       " attachments=%u stuck=%u results=%u\n", n, dmapeek_revoke_duration_ns(res),
	       max_unmap, dmapeek_revoke_attachments(res), dmapeek_revoke_stuck(res),
	       dmapeek_revoke_nr_results(res));
	fflush(stdout);
	dmapeek_object_free(res);
	for (i = 0; i < n; i++) {
		err = dmapeek_detach(ctx, att[i]);
		if (err)
			die("detach", err);
	}
	close(fd);
	free(att);
}

static int cmd_revoke(char **argv)
{
	uint32_t n = num(argv[0]), dev = num(argv[1]), reps = num(argv[2]), r;

	for (r = 0; r < reps; r++)
		revoke_once(n, dev);
	return 0;
}

/* ------------------------------------------------------------ events */

static int cmd_gen(char **argv)
{
	uint32_t att = num(argv[0]), rate = num(argv[1]), secs = num(argv[2]);
	uint64_t t0 = lab_now_ns(), end = t0 + (uint64_t)secs * 1000000000ULL, ops = 0;
	struct timespec ts;
	int err;

	while (lab_now_ns() < end) {
		if (rate) {
			uint64_t due = t0 + ops * 1000000000ULL / rate;

			ts.tv_sec = (time_t)(due / 1000000000ULL);
			ts.tv_nsec = (long)(due % 1000000000ULL);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		err = dmapeek_map(ctx, att);
		if (!err)
			err = dmapeek_unmap(ctx, att);
		if (err)
			die("map/unmap", err);
		ops++;
	}
	printf("gen ops=%" PRIu64 " seconds=%.3f\n", ops, (double)(lab_now_ns() - t0) / 1e9);
	return 0;
}

static void sleep_us(uint32_t us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmd_listen(int argc, char **argv)
{
	const char *ready = argv[0], *stopfile = argv[1];
	uint32_t work = argc > 3 && !strcmp(argv[2], "sleep-us") ? num(argv[3]) : 0;
	uint64_t received = 0, overruns = 0;
	struct pollfd pfd;
	int err, idle = 0;

	err = dmapeek_event_subscribe(ctx);
	if (err)
		die("subscribe", err);
	pfd.fd = dmapeek_event_fd(ctx);
	pfd.events = POLLIN;
	touch(ready);
	/* After STOP appears, two quiet polls in a row end the drain. */
	while (idle < 2 && !stop) {
		const struct dmapeek_event *e;
		int n = poll(&pfd, 1, 250);

		if (n < 0 && errno != EINTR)
			die("poll", errno);
		if (n <= 0) {
			if (access(stopfile, F_OK) == 0)
				idle++;
			continue;
		}
		idle = 0;
		while ((e = dmapeek_event_read(ctx)) || errno == ENOBUFS) {
			if (!e) {
				overruns++;
				continue;
			}
			received++;
			if (work)
				sleep_us(work);
		}
	}
	printf("listen received=%" PRIu64 " lost=%" PRIu64 " overruns=%" PRIu64 "\n",
	       received, dmapeek_event_lost(ctx), overruns);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: dp-bench hold|list|map|import-buffer|revoke|gen|listen ... (see the source)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ctx = dmapeek_new();
	if (!ctx)
		die("dmapeek_new", errno);
	if (!strcmp(cmd, "hold") && argc >= 1)
		cmd_hold(argc, argv);
	else if (!strcmp(cmd, "list"))
		cmd_list();
	else if (!strcmp(cmd, "map") && (argc == 5 || argc == 6))
		cmd_map(argc, argv);
	else if (!strcmp(cmd, "import-buffer") && argc >= 2)
		cmd_import_buffer(argc, argv);
	else if (!strcmp(cmd, "revoke") && argc == 3)
		cmd_revoke(argv);
	else if (!strcmp(cmd, "gen") && argc == 3)
		cmd_gen(argv);
	else if (!strcmp(cmd, "listen") && argc >= 2)
		cmd_listen(argc, argv);
	else
		usage();
	dmapeek_free(ctx);
	return 0;
}
