// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: every exporter's dma-buf events, from the dma_buf
 * tracepoints through tracefs (libtracefs, libtraceevent).
 *
 * A trace is a tracing instance of its own, instances/dmapeek-PID, so
 * nothing of the machine's own tracing (the top buffer, other instances,
 * trace-cmd or perf sessions) is touched:
 *
 *	trace_clock	mono: CLOCK_MONOTONIC, the clock the module stamps
 *			its events with (ktime_get_ns()), so both streams
 *			merge by timestamp.  "boot" would count suspend
 *			too; "local", the default, is per CPU and never
 *			comparable with another clock.
 *	buffer_percent	0: a reader is woken by the first event, not when a
 *			buffer is half full
 *	events		events/dma_buf/EVENT/enable, each one by name
 *
 * Each CPU's buffer is read without blocking from its trace_pipe_raw, a
 * sub-buffer (page) at a time: a read hands over what was committed so
 * far, also a page the kernel is still writing.  One epoll descriptor
 * holds them all, for the caller to poll.  dmapeek_trace_read() hands out
 * the earliest of the records at the head of each CPU's page, so what one
 * read finds comes out in time order.
 *
 * The buffers overwrite their oldest events when full; a page read after
 * that says how many it missed, and the instance's per-CPU stats count
 * them exactly ("overrun", and "dropped events" of a buffer that does not
 * overwrite).  dmapeek_trace_lost() is their sum.
 *
 * dmapeek_trace_free() closes the buffers and removes the instance.  A
 * process killed before that leaves its instance behind: the next trace
 * removes every "dmapeek-PID" whose process is gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include <kbuffer.h>
#include <tracefs.h>

#include "trace.h"

#define DP_INSTANCE_PREFIX	"dmapeek-"

/* One CPU's buffer, and the record at the head of its current page. */
struct dp_trace_cpu {
	int cpu;
	int fd;				/* per_cpu/cpuN/trace_pipe_raw */
	struct kbuffer *kbuf;
	void *page;
	void *rec;			/* the head record, NULL: page used up */
	unsigned long long ts;
	bool drained;			/* read found nothing since the last round */
};

struct dmapeek_trace {
	char dir[PATH_MAX];		/* tracefs */
	char name[64];			/* the instance */
	char *inst_dir;
	struct tracefs_instance *inst;
	bool created;			/* we made the directory: we remove it */
	struct tep_handle *tep;
	struct dp_trace_formats fmt;
	struct dp_trace_cpu *cpus;
	int nr_cpus;
	int page_size;
	int epfd;
	uint64_t lost;
	struct dp_comm_cache comms;
	struct dmapeek_trace_event ev;
};

/* Where tracefs is mounted; libtracefs would mount it itself, we never do. */
static int dp_tracefs_dir(char *dir, size_t len)
{
	char *text;
	int err;

	text = dp_read_file("/proc/self/mounts", &err);
	if (!text)
		return err;
	err = err ? err : dp_tracefs_dir_parse(text, dir, len);
	free(text);
	return err;
}

/* A path in tracefs: 0, or -ENAMETOOLONG. */
static int __attribute__((format(printf, 3, 4)))
dp_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Remove the instances of dmapeek processes that are gone (killed). */
static void dp_trace_reap(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	if (dp_path(path, sizeof(path), "%s/instances", dir))
		return;
	dp = opendir(path);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		char *end;
		long pid;

		if (strncmp(d->d_name, DP_INSTANCE_PREFIX, strlen(DP_INSTANCE_PREFIX)))
			continue;
		errno = 0;
		pid = strtol(d->d_name + strlen(DP_INSTANCE_PREFIX), &end, 10);
		if (errno || *end || pid <= 0 || pid > INT_MAX ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (!dp_path(path, sizeof(path), "%s/instances/%s", dir, d->d_name))
			rmdir(path);
	}
	closedir(dp);
}

static int dp_trace_write(struct dmapeek_trace *t, const char *file, const char *val)
{
	if (tracefs_instance_file_write(t->inst, file, val) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

/* Enable the events @types asks for that this kernel has. */
static int dp_trace_enable(struct dmapeek_trace *t, uint32_t types)
{
	char file[128];
	int type, err;

	for (type = 1; type < __DMAPEEK_TRACE_TYPE_MAX; type++) {
		if (!t->fmt.ev[type] || (types && !(types & (1U << type))))
			continue;
		snprintf(file, sizeof(file), "events/%s/%s/enable", DP_TRACE_SYSTEM,
			 dp_tracepoints[type]);
		err = dp_trace_write(t, file, "1");
		if (err)
			return err;
	}
	return 0;
}

/* Open each CPU's buffer, non-blocking, into one epoll set. */
static int dp_trace_open_cpus(struct dmapeek_trace *t)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	int cpu;

	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->epfd < 0)
		return -errno;
	t->cpus = calloc(n > 0 ? (size_t)n : 1, sizeof(*t->cpus));
	if (!t->cpus)
		return -ENOMEM;
	for (cpu = 0; cpu < n; cpu++) {
		struct dp_trace_cpu *c = &t->cpus[t->nr_cpus];
		struct epoll_event ee = { .events = EPOLLIN };
		char file[64];

		snprintf(file, sizeof(file), "per_cpu/cpu%d/trace_pipe_raw", cpu);
		c->fd = tracefs_instance_file_open(t->inst, file,
						   O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (c->fd < 0)
			continue;	/* a CPU that cannot come online */
		c->cpu = cpu;
		t->nr_cpus++;
		c->page = malloc((size_t)t->page_size);
		c->kbuf = tep_kbuffer(t->tep);
		if (!c->page || !c->kbuf)
			return -ENOMEM;
		ee.data.u32 = (uint32_t)cpu;
		if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, c->fd, &ee))
			return -errno;
	}
	return t->nr_cpus ? 0 : -ENOENT;
}

/* The instance and its events: everything but what the caller asked for. */
static int dp_trace_setup(struct dmapeek_trace *t, const struct dmapeek_trace_opts *o)
{
	const char *systems[] = { DP_TRACE_SYSTEM, NULL };
	char path[PATH_MAX];
	struct stat st;
	int err;

	err = dp_tracefs_dir(t->dir, sizeof(t->dir));
	if (err)
		return err;
	/* tracefs is root's (0700): a user learns it here, as EACCES */
	err = dp_path(path, sizeof(path), "%s/events/%s", t->dir, DP_TRACE_SYSTEM);
	if (err)
		return err;
	if (stat(path, &st))
		return -errno;
	dp_trace_reap(t->dir);
	if (o->instance)
		snprintf(t->name, sizeof(t->name), "%s", o->instance);
	else
		snprintf(t->name, sizeof(t->name), DP_INSTANCE_PREFIX "%d", (int)getpid());
	err = dp_path(path, sizeof(path), "%s/instances/%s", t->dir, t->name);
	if (err)
		return err;
	if (mkdir(path, 0750))
		return -errno;
	t->created = true;
	t->inst = tracefs_instance_alloc(t->dir, t->name);
	if (!t->inst)
		return errno ? -errno : -ENOMEM;
	t->inst_dir = tracefs_instance_get_dir(t->inst);
	err = dp_trace_write(t, "trace_clock", "mono");
	if (!err)
		err = dp_trace_write(t, "buffer_percent", "0");
	if (!err && o->buffer_kb &&
	    tracefs_instance_set_buffer_size(t->inst, o->buffer_kb, -1) < 0)
		err = errno ? -errno : -EINVAL;
	if (err)
		return err;
	/* the header page and the dma_buf formats only, not every event's */
	t->tep = tracefs_local_events_system(t->dir, systems);
	if (!t->tep)
		return errno ? -errno : -ENOENT;
	t->page_size = tep_get_sub_buffer_size(t->tep);
	if (t->page_size <= 0)
		t->page_size = getpagesize();
	if (!dp_trace_formats_find(t->tep, &t->fmt))
		return -ENOENT;
	err = dp_trace_enable(t, o->types);
	if (err)
		return err;
	return dp_trace_open_cpus(t);
}

DMAPEEK_EXPORT struct dmapeek_trace *dmapeek_trace_new(const struct dmapeek_trace_opts *opts)
{
	struct dmapeek_trace_opts o = { 0 };
	struct dmapeek_trace *t;
	int err;

	if (opts) {
		if (opts->sz < sizeof(size_t)) {
			errno = EINVAL;
			return NULL;
		}
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->epfd = -1;
	dp_obj_init(&t->ev.o, DP_TRACE);
	err = dp_trace_setup(t, &o);
	if (err) {
		dmapeek_trace_free(t);
		errno = -err;
		return NULL;
	}
	return t;
}

DMAPEEK_EXPORT void dmapeek_trace_free(struct dmapeek_trace *t)
{
	int saved = errno, i;

	if (!t)
		return;
	/* the instance cannot go while a buffer of it is open */
	for (i = 0; i < t->nr_cpus; i++) {
		close(t->cpus[i].fd);
		kbuffer_free(t->cpus[i].kbuf);
		free(t->cpus[i].page);
	}
	free(t->cpus);
	if (t->epfd >= 0)
		close(t->epfd);
	tep_free(t->tep);
	if (t->created) {
		char path[PATH_MAX];

		if (!dp_path(path, sizeof(path), "%s/instances/%s", t->dir, t->name))
			rmdir(path);
	}
	tracefs_put_tracing_file(t->inst_dir);
	tracefs_instance_free(t->inst);
	free(t);
	errno = saved;
}

DMAPEEK_EXPORT const char *dmapeek_trace_dir(const struct dmapeek_trace *t)
{
	return t->inst_dir;
}

DMAPEEK_EXPORT int dmapeek_trace_fd(const struct dmapeek_trace *t)
{
	return t->epfd;
}

DMAPEEK_EXPORT uint64_t dmapeek_trace_lost(const struct dmapeek_trace *t)
{
	return t->lost;
}

/*
 * A page said it missed @missed events (-1: some): count from the
 * instance's stats, exact, else from what the pages say.
 */
static void dp_trace_missed(struct dmapeek_trace *t, int missed)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < t->nr_cpus; i++) {
		struct tracefs_buffer_stat *st;
		ssize_t over, dropped;

		st = tracefs_instance_get_stat(t->inst, t->cpus[i].cpu);
		if (!st)
			break;
		over = tracefs_buffer_stat_overrun(st);
		dropped = tracefs_buffer_stat_dropped_events(st);
		tracefs_instance_put_stat(st);
		sum += (over > 0 ? (uint64_t)over : 0) + (dropped > 0 ? (uint64_t)dropped : 0);
	}
	if (i == t->nr_cpus && sum > t->lost)
		t->lost = sum;
	else if (i < t->nr_cpus)
		t->lost += missed > 0 ? (uint64_t)missed : 1;
}

/* Give @c a head record if its buffer has one: 1, 0 if none, or -errno. */
static int dp_cpu_fill(struct dmapeek_trace *t, struct dp_trace_cpu *c)
{
	while (!c->rec) {
		ssize_t n;
		int missed;

		if (c->drained)
			return 0;
		n = read(c->fd, c->page, (size_t)t->page_size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				return -errno;
			c->drained = true;
			return 0;
		}
		if (kbuffer_load_subbuffer(c->kbuf, c->page) < 0)
			continue;	/* not a page we can read: skip it */
		missed = kbuffer_missed_events(c->kbuf);
		if (missed)
			dp_trace_missed(t, missed);
		c->rec = kbuffer_read_event(c->kbuf, &c->ts);
	}
	return 1;
}

/* The task's name into the event, when it can be known. */
static void dp_trace_comm(struct dmapeek_trace *t)
{
	int pid = (int)t->ev.o.v[DMAPEEK_TRACE_A_PID];
	char comm[16];

	if (!dp_comm_lookup(&t->comms, t->tep, t->dir, "/proc", pid, dp_mono_ns(), comm))
		dp_obj_set_str(&t->ev.o, DMAPEEK_TRACE_A_COMM, comm, sizeof(comm));
}

DMAPEEK_EXPORT const struct dmapeek_trace_event *dmapeek_trace_read(struct dmapeek_trace *t)
{
	for (;;) {
		struct dp_trace_cpu *best = NULL;
		struct tep_record rec;
		int i, err;

		for (i = 0; i < t->nr_cpus; i++) {
			struct dp_trace_cpu *c = &t->cpus[i];

			err = dp_cpu_fill(t, c);
			if (err < 0) {
				errno = -err;
				return NULL;
			}
			if (err && (!best || c->ts < best->ts))
				best = c;
		}
		if (!best) {
			/* every buffer read empty: the next call reads them again */
			for (i = 0; i < t->nr_cpus; i++)
				t->cpus[i].drained = false;
			errno = EAGAIN;
			return NULL;
		}
		memset(&rec, 0, sizeof(rec));
		rec.ts = best->ts;
		rec.cpu = best->cpu;
		rec.data = best->rec;
		rec.size = kbuffer_event_size(best->kbuf);
		err = dp_trace_decode(t->tep, &t->fmt, &rec, &t->ev.o);
		best->rec = kbuffer_next_event(best->kbuf, &best->ts);
		if (err)
			continue;	/* not one of ours */
		dp_trace_comm(t);
		return &t->ev;
	}
}
