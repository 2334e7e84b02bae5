// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-list N [--attach] [--repeat R] [--cli DMAPEEK] [--top DMAPEEK-TOP]
 * [--run CMD]...: listing at scale (a benchmark, not a test: it prints
 * figures, each the median of R runs, default 3, with its spread and its
 * ratio to reading debugfs bufinfo for the same buffers, and TSV lines in
 * tests/bench/stats.py's columns).
 *
 * It exports N 4 KiB buffers from system memory (holding their fds) and,
 * with --attach, imports each once into the edu device with dmapeek's
 * importer (one attachment per buffer, held by this process), then
 * measures, for the same N buffers:
 *   - listing them with the library's iterator (dmapeek_for_each_buffer),
 *     and with --attach the attachments too (dmapeek_for_each_attachment):
 *     wall time, and how much the process's peak RSS grew while it ran;
 *   - reading debugfs dma_buf/bufinfo once (the kernel's own listing);
 *   - "DMAPEEK -j buffer list" and "DMAPEEK buffer list" (--cli): wall
 *     time and the child's peak RSS;
 *   - "DMAPEEK-TOP --snapshot" (--top): the same;
 *   - each --run CMD (sh -c, stdout to /dev/null unless CMD redirects it),
 *     while the objects exist: wall time and peak RSS (for profilers and
 *     the dmapeek-top CPU watch of bench-top).
 * Memory bounded by one netlink batch shows as an RSS growth near zero
 * and a CLI peak RSS that does not grow with N.
 */
#include <errno.h>
#include <stdbool.h>
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
#define MAX_REPEAT 9
#define SKIP(...) do { printf("skip: " __VA_ARGS__); putchar('\n'); exit(77); } while (0)

static long peak_rss_kib(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_maxrss;
}

/* CPU time of the last measurement: user and system, ms */
static double cpu_user_ms, cpu_sys_ms;

static double tv_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

/* This process's CPU since the @before snapshot, into cpu_*_ms. */
static void self_cpu_since(const struct rusage *before)
{
	struct rusage now;

	getrusage(RUSAGE_SELF, &now);
	cpu_user_ms = tv_ms(&now.ru_utime) - tv_ms(&before->ru_utime);
	cpu_sys_ms = tv_ms(&now.ru_stime) - tv_ms(&before->ru_stime);
}

/* Read bufinfo once, whole: the time the kernel's own listing takes. */
static double bufinfo_ms(size_t *bytes)
{
	static char b[1 << 16];
	struct rusage ru;
	double t0, t;
	int fd;
	ssize_t n;

	getrusage(RUSAGE_SELF, &ru);
	t0 = lab_now_ms();
	fd = open("/sys/kernel/debug/dma_buf/bufinfo", O_RDONLY | O_CLOEXEC);
	*bytes = 0;
	if (fd < 0)
		return -1;
	while ((n = read(fd, b, sizeof(b))) > 0)
		*bytes += (size_t)n;
	close(fd);
	t = lab_now_ms() - t0;
	self_cpu_since(&ru);
	return t;
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
	cpu_user_ms = tv_ms(&ru.ru_utime);
	cpu_sys_ms = tv_ms(&ru.ru_stime);
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

/* A figure measured @repeat times: its samples (ms) and the peak RSS. */
struct figure {
	const char *name;	/* the TSV's case */
	double ms[MAX_REPEAT];
	double user[MAX_REPEAT], sys[MAX_REPEAT];	/* its CPU, ms */
	long rss;		/* KiB, the largest seen */
	double med, lo, hi;
	double user_med, sys_med;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned int r, double *lo, double *hi)
{
	double s[MAX_REPEAT];

	memcpy(s, v, r * sizeof(s[0]));
	qsort(s, r, sizeof(s[0]), cmp_double);
	if (lo)
		*lo = s[0];
	if (hi)
		*hi = s[r - 1];
	return r % 2 ? s[r / 2] : (s[r / 2 - 1] + s[r / 2]) / 2;
}

static void figure_stats(struct figure *f, unsigned int r)
{
	f->med = median(f->ms, r, &f->lo, &f->hi);
	f->user_med = median(f->user, r, NULL, NULL);
	f->sys_med = median(f->sys, r, NULL, NULL);
}

/* The library's iterators over what the CLI lists: buffers, attachments. */
static double lib_ms(struct dmapeek *ctx, unsigned int n, bool attach,
		     double *buf_ms, long *grew)
{
	struct dmapeek_attachment *a;
	struct dmapeek_buffer *b;
	unsigned int seen = 0, seen_att = 0;
	long rss0 = peak_rss_kib(RUSAGE_SELF);
	double t0 = lab_now_ms(), t1, t;
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);

	dmapeek_for_each_buffer(ctx, b)
		seen++;
	if (dmapeek_iter_err(ctx))
		FAIL("buffer dump: %s", strerror(-dmapeek_iter_err(ctx)));
	t1 = lab_now_ms();
	*buf_ms = t1 - t0;
	if (attach) {
		dmapeek_for_each_attachment(ctx, a)
			seen_att++;
		if (dmapeek_iter_err(ctx))
			FAIL("attachment dump: %s", strerror(-dmapeek_iter_err(ctx)));
		if (seen_att < n)
			FAIL("the dump saw %u of %u attachments", seen_att, n);
	}
	if (seen < n)
		FAIL("the dump saw %u of %u buffers", seen, n);
	*grew = peak_rss_kib(RUSAGE_SELF) - rss0;
	t = lab_now_ms() - t0;
	self_cpu_since(&ru);
	return t;
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	const char *cli = NULL, *top = NULL, *runs[16];
	unsigned int n, nr_runs = 0, repeat = 3, r, k, nfig = 0;
	struct figure fig[8] = { { 0 } }, *f;
	bool attach = false;
	struct dmapeek *ctx;
	long grew = 0, g, run_rss;
	double t0, mk, buf_ms;
	size_t bytes = 0;
	uint32_t prov, edu = 0;
	int *fds, i;

	if (argc < 2)
		FAIL("usage: bench-list N [--attach] [--repeat R] [--cli DMAPEEK] "
		     "[--top DMAPEEK-TOP] [--run CMD]...");
	n = (unsigned int)atoi(argv[1]);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--attach"))
			attach = true;
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = (unsigned int)atoi(argv[++i]);
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
	if (!repeat || repeat > MAX_REPEAT)
		FAIL("--repeat takes 1 to %d", MAX_REPEAT);
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

	/*
	 * Each figure in turn, repeat times round: a slow spell of the
	 * machine spreads over all of them rather than one.
	 */
	fig[nfig++].name = "bufinfo";
	fig[nfig++].name = "library";
	fig[nfig++].name = "library-buffers";
	if (cli) {
		fig[nfig++].name = "cli-json";
		fig[nfig++].name = "cli-text";
	}
	if (top)
		fig[nfig++].name = "top-snapshot";
	for (r = 0; r < repeat; r++) {
		for (k = 0; k < nfig; k++) {
			f = &fig[k];
			if (!strcmp(f->name, "bufinfo")) {
				f->ms[r] = bufinfo_ms(&bytes);
			} else if (!strcmp(f->name, "library")) {
				f->ms[r] = lib_ms(ctx, n, attach, &buf_ms, &g);
				fig[k + 1].ms[r] = buf_ms;
				fig[k + 1].user[r] = fig[k + 1].sys[r] = 0;	/* not apart */
				if (g > grew)
					grew = g;
				k++;
			} else if (!strcmp(f->name, "cli-json")) {
				f->ms[r] = run_ms(&run_rss, cli, "-j", "buffer", "list");
			} else if (!strcmp(f->name, "cli-text")) {
				f->ms[r] = run_ms(&run_rss, cli, "buffer", "list", NULL);
			} else {
				f->ms[r] = run_ms(&run_rss, top, "--snapshot", NULL, NULL);
			}
			if (f->name[0] == 'c' || f->name[0] == 't')
				f->rss = run_rss > f->rss ? run_rss : f->rss;
			f->user[r] = cpu_user_ms;
			f->sys[r] = cpu_sys_ms;
		}
	}
	for (k = 0; k < nfig; k++)
		figure_stats(&fig[k], repeat);
	if (fig[0].med < 0)
		printf("buffers %u: no debugfs bufinfo: no ratios\n", n);
	printf("buffers %u%s, %u runs: median [min..max], ratio to reading bufinfo "
	       "(%zu bytes)\n", n, attach ? " with one attachment each" : "", repeat, bytes);
	for (k = 0; k < nfig; k++) {
		f = &fig[k];
		printf("  %-16s %10.1f ms [%.1f..%.1f]", f->name, f->med, f->lo, f->hi);
		if (fig[0].med > 0)
			printf("  %5.2fx", f->med / fig[0].med);
		if (f->user_med + f->sys_med > 0)
			printf("  cpu %.0f user %.0f sys", f->user_med, f->sys_med);
		if (f->rss)
			printf("  peak RSS %ld KiB", f->rss);
		else if (!strcmp(f->name, "library"))
			printf("  peak RSS grew %ld KiB", grew);
		putchar('\n');
	}
	/* tests/bench/stats.py's columns, for bench-scale's results table */
	for (k = 0; k < nfig; k++) {
		f = &fig[k];
		printf("TSV\tscale\tlist\t%s\ttime\tms\t%.1f\t%.1f\t%.1f\t%u\tbufinfo\t%.1f\t%.3f\tn=%u\n",
		       f->name, f->med, f->lo, f->hi, repeat, fig[0].med,
		       fig[0].med > 0 ? f->med / fig[0].med : 0, n);
		if (f->user_med + f->sys_med > 0)
			printf("TSV\tscale\tlist\t%s\tuser\tms\t%.1f\t-\t-\t%u\t-\t-\t-\tn=%u\n"
			       "TSV\tscale\tlist\t%s\tsys\tms\t%.1f\t-\t-\t%u\t-\t-\t-\tn=%u\n",
			       f->name, f->user_med, repeat, n, f->name, f->sys_med, repeat, n);
		if (f->rss)
			printf("TSV\tscale\tlist\t%s\tpeak-rss\tKiB\t%ld\t%ld\t%ld\t%u\t-\t-\t-\tn=%u\n",
			       f->name, f->rss, f->rss, f->rss, repeat, n);
	}
	printf("TSV\tscale\tlist\tlibrary\trss-growth\tKiB\t%ld\t%ld\t%ld\t%u\t-\t-\t-\tn=%u\n",
	       grew, grew, grew, repeat, n);
	/* the figures tests/guest/t-lib.sh's memory claim reads */
	printf("RESULT n=%u attach=%d lib_rss_growth_kib=%ld cli_rss_kib=%ld top_rss_kib=%ld\n",
	       n, attach, grew, cli ? fig[3].rss : 0, top ? fig[nfig - 1].rss : 0);
	fflush(stdout);
	for (i = 0; i < (int)nr_runs; i++) {
		double t = run_ms(&run_rss, "sh", "-c", runs[i], NULL);

		printf("run \"%s\": %.1f ms, peak RSS %ld KiB\n", runs[i], t, run_rss);
		fflush(stdout);
	}
	for (i = 0; i < (int)n; i++)
		close(fds[i]);
	free(fds);
	dmapeek_free(ctx);
	return 0;
}
