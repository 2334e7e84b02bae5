// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-list N [--attach] [--cli DMAPEEK] [--top DMAPEEK-TOP] [--run CMD]...:
 * the streaming benchmark of issue 5 and dmapeek-top's listing figure of
 * issue 7 (a benchmark, not a test: it prints figures).
 *
 * It exports N 4 KiB buffers from system memory (holding their fds) and,
 * with --attach, imports each once into the edu device with dmapeek's
 * importer (one attachment per buffer, held by this process), then
 * measures, for the same N buffers:
 *   - listing them with the library's iterator (dmapeek_for_each_buffer),
 *     and with --attach the attachments too (dmapeek_for_each_attachment):
 *     wall time, and how much the process's peak RSS grew while it ran;
 *   - reading debugfs dma_buf/bufinfo once (the kernel's own listing);
 *   - "DMAPEEK -j buffer list" (--cli): wall time and the child's peak RSS;
 *   - "DMAPEEK-TOP --snapshot" (--top): the same;
 *   - each --run CMD (sh -c, stdout to /dev/null unless CMD redirects it),
 *     while the objects exist: wall time and peak RSS (for profilers and
 *     the dmapeek-top CPU watch of bench-top).
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

#include "../guest/lab-ids.h"
#include "../guest/lab-util.h"

#define FAIL(...) do { printf("fail: " __VA_ARGS__); putchar('\n'); exit(1); } while (0)
#define SKIP(...) do { printf("skip: " __VA_ARGS__); putchar('\n'); exit(77); } while (0)

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
	double t0 = lab_now_ms();
	int fd = open("/sys/kernel/debug/dma_buf/bufinfo", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*bytes = 0;
	if (fd < 0)
		return -1;
	while ((n = read(fd, b, sizeof(b))) > 0)
		*bytes += (size_t)n;
	close(fd);
	return lab_now_ms() - t0;
}

/*
 * Run the program @a0 with up to three arguments (NULL ends them), stdout
 * to /dev/null: wall ms, and the child's peak RSS in *@rss.
 */
static double run_ms(long *rss, const char *a0, const char *a1,
		     const char *a2, const char *a3)
{
	double t0 = lab_now_ms();
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execlp(a0, a0, a1, a2, a3, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		FAIL("%s %s failed", a0, a1 ? a1 : "");
	*rss = ru.ru_maxrss;
	return lab_now_ms() - t0;
}

/* Export @n buffers (their fds in @fds); with @edu, import each there. */
static void make_objects(struct dmapeek *ctx, uint32_t prov, uint32_t edu,
			 unsigned int n, int *fds)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		DMAPEEK_OPTS(dmapeek_export_opts, o, .provider_id = prov,
			     .model = DMAPEEK_MODEL_PINNED, .length = 4096,
			     .name = "bench");
		uint32_t att;
		int err = dmapeek_export(ctx, &o, &fds[i], NULL);

		if (err)
			FAIL("export %u: %s", i, strerror(-err));
		if (!edu)
			continue;
		err = dmapeek_import(ctx, fds[i], edu, NULL, &att);
		if (err)
			FAIL("import %u: %s", i, strerror(-err));
	}
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	const char *cli = NULL, *top = NULL, *runs[16];
	unsigned int n, seen = 0, seen_att = 0, nr_runs = 0;
	struct dmapeek_attachment *a;
	struct dmapeek_buffer *b;
	bool attach = false;
	struct dmapeek *ctx;
	long rss0, rss1, cli_rss = 0, top_rss = 0, run_rss;
	double t0, lib, lib_att = 0, bi, cli_ms = 0, top_ms = 0, mk;
	size_t bytes;
	uint32_t prov, edu = 0;
	int *fds, i;

	if (argc < 2)
		FAIL("usage: bench-list N [--attach] [--cli DMAPEEK] [--top DMAPEEK-TOP] [--run CMD]...");
	n = (unsigned int)atoi(argv[1]);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--attach"))
			attach = true;
		else if (!strcmp(argv[i], "--cli") && i + 1 < argc)
			cli = argv[++i];
		else if (!strcmp(argv[i], "--top") && i + 1 < argc)
			top = argv[++i];
		else if (!strcmp(argv[i], "--run") && i + 1 < argc && nr_runs < sizeof(runs) / sizeof(runs[0]))
			runs[nr_runs++] = argv[++i];
		else if (i == 2 && argv[i][0] != '-')
			cli = argv[i];	/* the old form: bench-list N DMAPEEK */
		else
			FAIL("bad argument \"%s\"", argv[i]);
	}
	if (setrlimit(RLIMIT_NOFILE, &rl))
		FAIL("RLIMIT_NOFILE: %s", strerror(errno));
	ctx = dmapeek_new();
	if (!ctx)
		SKIP("dmapeek.ko is not loaded");
	prov = lab_system_provider(ctx);
	if (!prov)
		SKIP("no system memory provider");
	if (attach) {
		edu = lab_edu_device(ctx);
		if (!edu)
			SKIP("the edu device is not bound to dmapeek");
	}
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		FAIL("out of memory");
	t0 = lab_now_ms();
	make_objects(ctx, prov, edu, n, fds);
	mk = lab_now_ms() - t0;
	printf("buffers %u: made in %.1f s%s\n", n, mk / 1e3,
	       attach ? " (with one attachment each)" : "");
	fflush(stdout);

	rss0 = peak_rss_kib(RUSAGE_SELF);
	t0 = lab_now_ms();
	dmapeek_for_each_buffer(ctx, b)
		seen++;
	lib = lab_now_ms() - t0;
	if (dmapeek_iter_err(ctx))
		FAIL("buffer dump: %s", strerror(-dmapeek_iter_err(ctx)));
	if (attach) {
		t0 = lab_now_ms();
		dmapeek_for_each_attachment(ctx, a)
			seen_att++;
		lib_att = lab_now_ms() - t0;
		if (dmapeek_iter_err(ctx))
			FAIL("attachment dump: %s", strerror(-dmapeek_iter_err(ctx)));
		if (seen_att < n)
			FAIL("the dump saw %u of %u attachments", seen_att, n);
	}
	rss1 = peak_rss_kib(RUSAGE_SELF);
	if (seen < n)
		FAIL("the dump saw %u of %u buffers", seen, n);
	bi = bufinfo_ms(&bytes);

	printf("buffers %u: library iterator %.1f ms (%.1f us/buffer), peak RSS "
	       "grew %ld KiB (from %ld KiB)\n", seen, lib, lib * 1e3 / seen,
	       rss1 - rss0, rss0);
	if (attach)
		printf("attachments %u: library iterator %.1f ms (%.1f us/attachment)\n",
		       seen_att, lib_att, lib_att * 1e3 / seen_att);
	if (bi >= 0)
		printf("buffers %u: debugfs bufinfo read %.1f ms (%zu bytes)\n", n,
		       bi, bytes);
	fflush(stdout);
	if (cli) {
		cli_ms = run_ms(&cli_rss, cli, "-j", "buffer", "list");
		printf("buffers %u: dmapeek -j buffer list %.1f ms, peak RSS %ld KiB\n",
		       n, cli_ms, cli_rss);
		fflush(stdout);
	}
	if (top) {
		top_ms = run_ms(&top_rss, top, "--snapshot", NULL, NULL);
		printf("buffers %u: dmapeek-top --snapshot %.1f ms, peak RSS %ld KiB\n",
		       n, top_ms, top_rss);
		fflush(stdout);
	}
	for (i = 0; i < (int)nr_runs; i++) {
		double t = run_ms(&run_rss, "sh", "-c", runs[i], NULL);

		printf("run \"%s\": %.1f ms, peak RSS %ld KiB\n", runs[i], t, run_rss);
		fflush(stdout);
	}
	printf("RESULT n=%u attach=%d lib_ms=%.1f lib_att_ms=%.1f "
	       "lib_rss_growth_kib=%ld bufinfo_ms=%.1f cli_ms=%.1f cli_rss_kib=%ld "
	       "top_ms=%.1f top_rss_kib=%ld\n", n, attach, lib, lib_att,
	       rss1 - rss0, bi, cli_ms, cli_rss, top_ms, top_rss);
	for (i = 0; i < (int)n; i++)
		close(fds[i]);
	free(fds);
	dmapeek_free(ctx);
	return 0;
}
