// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: what a dma_buf tracepoint record says, and who made it.
 *
 * The fields are read by name through the format the kernel publishes
 * (events/dma_buf/EVENT/format), never by offset, so a kernel that moves
 * or adds fields is still read right; a field the kernel lacks leaves its
 * attribute absent.  The 7.3 kernel's (include/trace/events/dma_buf.h):
 *
 *	dma_buf_export, dma_buf_mmap, dma_buf_mmap_internal, dma_buf_put:
 *		exp_name (string), size, ino
 *	dma_buf_fd, dma_buf_get: the same and fd
 *	dma_buf_dynamic_attach, dma_buf_detach: the same as export and
 *		dev_name (string), is_dynamic, attach (a kernel pointer,
 *		never read)
 *
 * A record carries the task's pid only (common_pid).  Its name is the
 * task's while it lives (/proc/PID/comm, read when the event is read),
 * else the kernel's: tracing saves the name of every task that wrote an
 * event when it next leaves the CPU (saved_cmdlines, record-cmd).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>

#include "trace.h"

const char *const dp_tracepoints[__DMAPEEK_TRACE_TYPE_MAX] = {
	[DMAPEEK_TRACE_EXPORT] = "dma_buf_export",
	[DMAPEEK_TRACE_FD] = "dma_buf_fd",
	[DMAPEEK_TRACE_GET] = "dma_buf_get",
	[DMAPEEK_TRACE_PUT] = "dma_buf_put",
	[DMAPEEK_TRACE_MMAP] = "dma_buf_mmap",
	[DMAPEEK_TRACE_MMAP_INTERNAL] = "dma_buf_mmap_internal",
	[DMAPEEK_TRACE_ATTACH] = "dma_buf_dynamic_attach",
	[DMAPEEK_TRACE_DETACH] = "dma_buf_detach",
};

int dp_trace_formats_find(struct tep_handle *tep, struct dp_trace_formats *f)
{
	int type, n = 0;

	memset(f, 0, sizeof(*f));
	for (type = 1; type < __DMAPEEK_TRACE_TYPE_MAX; type++) {
		f->ev[type] = tep_find_event_by_name(tep, DP_TRACE_SYSTEM,
						     dp_tracepoints[type]);
		if (f->ev[type])
			n++;
	}
	return n;
}

/* A string field (__string: a __data_loc into the record) into @attr. */
static void dp_field_str(struct dp_obj *o, unsigned int attr, struct tep_event *ev,
			 struct tep_record *rec, const char *name)
{
	const char *p;
	int len = 0;

	p = tep_get_field_raw(NULL, ev, name, rec, &len, 0);
	if (p && len > 0 && (const char *)p + len <= (const char *)rec->data + rec->size)
		dp_obj_set_str(o, attr, p, (size_t)len);
}

/* A number field into @attr; @sign: a signed field of 4 bytes (an fd). */
static void dp_field_num(struct dp_obj *o, unsigned int attr, struct tep_event *ev,
			 struct tep_record *rec, const char *name, bool sign)
{
	unsigned long long v;

	if (tep_get_field_val(NULL, ev, name, rec, &v, 0))
		return;
	dp_obj_set_u64(o, attr, sign ? (uint64_t)(int64_t)(int32_t)v : v);
}

int dp_trace_decode(struct tep_handle *tep, const struct dp_trace_formats *f,
		    struct tep_record *rec, struct dp_obj *o)
{
	int id = tep_data_type(tep, rec), type;
	struct tep_event *ev = NULL;

	for (type = 1; type < __DMAPEEK_TRACE_TYPE_MAX; type++) {
		if (f->ev[type] && f->ev[type]->id == id) {
			ev = f->ev[type];
			break;
		}
	}
	if (!ev)
		return -ENOENT;
	dp_obj_clear(o);
	dp_obj_set_u64(o, DMAPEEK_TRACE_A_TYPE, (uint64_t)type);
	dp_obj_set_u64(o, DMAPEEK_TRACE_A_TIMESTAMP_NS, rec->ts);
	dp_obj_set_u64(o, DMAPEEK_TRACE_A_CPU, (uint64_t)rec->cpu);
	dp_obj_set_u64(o, DMAPEEK_TRACE_A_PID, (uint64_t)tep_data_pid(tep, rec));
	dp_field_str(o, DMAPEEK_TRACE_A_EXP_NAME, ev, rec, "exp_name");
	dp_field_num(o, DMAPEEK_TRACE_A_SIZE, ev, rec, "size", false);
	dp_field_num(o, DMAPEEK_TRACE_A_INODE, ev, rec, "ino", false);
	if (type == DMAPEEK_TRACE_FD || type == DMAPEEK_TRACE_GET)
		dp_field_num(o, DMAPEEK_TRACE_A_FD, ev, rec, "fd", true);
	if (type == DMAPEEK_TRACE_ATTACH || type == DMAPEEK_TRACE_DETACH) {
		dp_field_str(o, DMAPEEK_TRACE_A_DEVICE, ev, rec, "dev_name");
		dp_field_num(o, DMAPEEK_TRACE_A_DYNAMIC, ev, rec, "is_dynamic", false);
	}
	return 0;
}

/* /proc/PID/comm of a task that still lives. */
static int dp_comm_proc(const char *proc, int pid, char *buf)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/comm", proc, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, 15);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The kernel's name for @pid, reading saved_cmdlines at most every 100ms. */
static int dp_comm_saved(struct dp_comm_cache *c, struct tep_handle *tep,
			 const char *dir, int pid, uint64_t now_ns, char *buf)
{
	const char *name;

	if (!tep_is_pid_registered(tep, pid) && dir &&
	    (!c->cmdlines_ns || now_ns - c->cmdlines_ns >= 100000000ULL)) {
		c->cmdlines_ns = now_ns;
		tracefs_load_cmdlines(dir, tep);
	}
	if (!tep_is_pid_registered(tep, pid))
		return -ENOENT;
	name = tep_data_comm_from_pid(tep, pid);
	if (!name || !strcmp(name, "<...>"))
		return -ENOENT;
	snprintf(buf, 16, "%s", name);
	return 0;
}

int dp_comm_lookup(struct dp_comm_cache *c, struct tep_handle *tep, const char *dir,
		   const char *proc, int pid, uint64_t now_ns, char *buf)
{
	struct dp_comm *s = &c->slot[(unsigned int)pid % DP_COMM_SLOTS];

	if (pid <= 0)
		return -ENOENT;		/* the idle task: no process did it */
	if (s->pid == pid && s->when_ns && now_ns - s->when_ns < DP_COMM_TTL_NS) {
		memcpy(buf, s->comm, sizeof(s->comm));
		return 0;
	}
	if (dp_comm_proc(proc, pid, buf) && dp_comm_saved(c, tep, dir, pid, now_ns, buf))
		return -ENOENT;
	s->pid = pid;
	s->when_ns = now_ns ? now_ns : 1;
	snprintf(s->comm, sizeof(s->comm), "%s", buf);
	return 0;
}

/* Undo the octal escapes of a mount point (" " is "\040"). */
static void dp_unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

int dp_tracefs_dir_parse(const char *mounts, char *dir, size_t len)
{
	const char *line = mounts;

	while (line && *line) {
		char point[4096], type[64];

		if (sscanf(line, "%*s %4095s %63s", point, type) == 2 &&
		    !strcmp(type, "tracefs")) {
			dp_unescape(point);
			if (strlen(point) >= len)
				return -ENAMETOOLONG;
			strcpy(dir, point);
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENODEV;
}
