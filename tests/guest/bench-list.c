// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-list N [DMAPEEK]: the streaming benchmark of issue 5 (a benchmark,
 * not a test: it prints figures).
 *
 * It exports N 4 KiB buffers from system memory (holding their fds),
 * then measures, for the same N buffers:
 *   - listing them with the library's iterator (dmapeek_for_each_buffer):
 *     wall time, and how much the process's peak RSS grew while it ran;
 *   - reading debugfs dma_buf/bufinfo once (the kernel's own listing);
 *   - "dmapeek -j buffer list" (if DMAPEEK is given): wall time and the
 *     child's peak RSS.
 * Memory bounded by one netlink batch shows as an RSS growth near zero
 * and a CLI peak RSS that does not grow with N.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <dmapeek.h>

#include "lab-ids.h"

#define FAIL(...) do { printf("fail: " __VA_ARGS__); putchar('\n'); exit(1); } while (0)
#define SKIP(...) do { printf("skip: " __VA_ARGS__); putchar('\n'); exit(77); } while (0)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long peak_rss_kib(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_maxrss;
}

/* Read bufinfo once, whole: the time the kernel's own listing takes. */
static double bufinfo_ms(size_t *bytes)
{
	static char b[1 << 16];
	double t0 = now_ms();
	int fd = open("/sys/kernel/debug/dma_buf/bufinfo", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*bytes = 0;
	if (fd < 0)
		return -1;
	while ((n = read(fd, b, sizeof(b))) > 0)
		*bytes += (size_t)n;
	close(fd);
	return now_ms() - t0;
}

/* Run "DMAPEEK -j buffer list" into /dev/null: wall ms, child peak RSS. */
static double cli_ms(const char *dmapeek, long *rss)
{
	double t0 = now_ms();
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(dmapeek, dmapeek, "-j", "buffer", "list", (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		FAIL("%s -j buffer list failed", dmapeek);
	*rss = ru.ru_maxrss;
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	struct dmapeek_buffer *b;
	unsigned int n, i, seen = 0;
	struct dmapeek *ctx;
	long rss0, rss1, cli_rss = 0;
	double t0, lib, bi, cli = 0;
	size_t bytes;
	uint32_t prov;
	int *fds;

	if (argc < 2)
		FAIL("usage: bench-list N [DMAPEEK]");
	n = (unsigned int)atoi(argv[1]);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		FAIL("RLIMIT_NOFILE: %s", strerror(errno));
	ctx = dmapeek_new();
	if (!ctx)
		SKIP("dmapeek.ko is not loaded");
	prov = lab_system_provider(ctx);
	if (!prov)
		SKIP("no system memory provider");
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		FAIL("out of memory");
	for (i = 0; i < n; i++) {
		DMAPEEK_OPTS(dmapeek_export_opts, o, .provider_id = prov,
			     .model = DMAPEEK_MODEL_PINNED, .length = 4096,
			     .name = "bench");
		int err = dmapeek_export(ctx, &o, &fds[i], NULL);

		if (err)
			FAIL("export %u: %s", i, strerror(-err));
	}

	rss0 = peak_rss_kib(RUSAGE_SELF);
	t0 = now_ms();
	dmapeek_for_each_buffer(ctx, b)
		seen++;
	lib = now_ms() - t0;
	rss1 = peak_rss_kib(RUSAGE_SELF);
	if (dmapeek_iter_err(ctx))
		FAIL("buffer dump: %s", strerror(-dmapeek_iter_err(ctx)));
	if (seen < n)
		FAIL("the dump saw %u of %u buffers", seen, n);
	bi = bufinfo_ms(&bytes);
	if (argc > 2)
		cli = cli_ms(argv[2], &cli_rss);

	printf("buffers %u: library iterator %.1f ms (%.1f us/buffer), peak RSS "
	       "grew %ld KiB (from %ld KiB)\n", seen, lib, lib * 1e3 / seen,
	       rss1 - rss0, rss0);
	if (bi >= 0)
		printf("buffers %u: debugfs bufinfo read %.1f ms (%zu bytes)\n", n,
		       bi, bytes);
	if (argc > 2)
		printf("buffers %u: dmapeek -j buffer list %.1f ms, peak RSS %ld KiB\n",
		       n, cli, cli_rss);
	printf("RESULT n=%u lib_ms=%.1f lib_rss_growth_kib=%ld bufinfo_ms=%.1f "
	       "cli_ms=%.1f cli_rss_kib=%ld\n", n, lib, rss1 - rss0, bi, cli, cli_rss);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	dmapeek_free(ctx);
	return 0;
}
