// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the system-wide view of dma-bufs.
 *
 * Four optional sources, joined by the buffer's inode:
 *  - debugfs dma_buf/bufinfo: every buffer, with its attached devices
 *    (root and a mounted debugfs only);
 *  - /proc/PID/fdinfo/FD: the processes holding a buffer's fd, like
 *    Android's dmabuf_dump (other users' processes need privilege);
 *  - /proc/PID/maps: the processes mapping a buffer (sysowner.c, which
 *    also tells what no process holds);
 *  - the module's buffer dump: dmapeek's id for buffers it exported.
 * A source that cannot be read is recorded, never fatal.  Two views are
 * compared in sysdiff.c.  Asked to (opts.attachments), the module's
 * DMABUF_ATTACHMENTS then gives each buffer some process holds by
 * descriptor its attachments with their flags, through one holder's
 * descriptor (pidfd_getfd()).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define DP_BUFINFO_PATH	"/sys/kernel/debug/dma_buf/bufinfo"

struct dmapeek_sysview *dp_sysview_alloc(void)
{
	struct dmapeek_sysview *v = calloc(1, sizeof(*v));
	int i;

	if (!v)
		return NULL;
	for (i = 0; i < DMAPEEK_SRC_MAX; i++)
		v->src_err[i] = -ENODATA;
	return v;
}

static unsigned int dp_hash(uint64_t ino, unsigned int size)
{
	return (unsigned int)((ino * 0x9e3779b97f4a7c15ULL) >> 32) & (size - 1);
}

static int dp_rehash(struct dmapeek_sysview *v, unsigned int size)
{
	unsigned int *h = calloc(size, sizeof(*h)), i;

	if (!h)
		return -ENOMEM;
	for (i = 0; i < v->nr; i++) {
		unsigned int k = dp_hash(v->bufs[i].ino, size);

		while (h[k])
			k = (k + 1) & (size - 1);
		h[k] = i + 1;
	}
	free(v->hash);
	v->hash = h;
	v->hash_size = size;
	return 0;
}

struct dmapeek_sysbuf *dp_find_buf(struct dmapeek_sysview *v, uint64_t ino)
{
	unsigned int k;

	if (!v->hash_size)
		return NULL;
	for (k = dp_hash(ino, v->hash_size); v->hash[k];
	     k = (k + 1) & (v->hash_size - 1))
		if (v->bufs[v->hash[k] - 1].ino == ino)
			return &v->bufs[v->hash[k] - 1];
	return NULL;
}

/* The record of inode @ino, added if new. */
struct dmapeek_sysbuf *dp_get_buf(struct dmapeek_sysview *v, uint64_t ino)
{
	struct dmapeek_sysbuf *b = dp_find_buf(v, ino);
	unsigned int k;

	if (b)
		return b;
	if (v->nr == v->cap) {
		unsigned int cap = v->cap ? 2 * v->cap : 64;
		struct dmapeek_sysbuf *n = realloc(v->bufs, cap * sizeof(*n));

		if (!n)
			return NULL;
		v->bufs = n;
		v->cap = cap;
	}
	if (2 * (v->nr + 1) > v->hash_size &&
	    dp_rehash(v, v->hash_size ? 2 * v->hash_size : 128))
		return NULL;
	b = &v->bufs[v->nr];
	memset(b, 0, sizeof(*b));
	b->ino = ino;
	b->count = -1;
	b->atts_err = -ENODATA;
	k = dp_hash(ino, v->hash_size);
	while (v->hash[k])
		k = (k + 1) & (v->hash_size - 1);
	v->hash[k] = ++v->nr;
	return b;
}

static int dp_set_str(char **dst, const char *s, size_t len)
{
	char *n = strndup(s, len);

	if (!n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

static bool dp_num(const char *s, size_t len, int base, uint64_t *v)
{
	char tmp[32], *end;

	if (!len || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (!isxdigit((unsigned char)tmp[0]))
		return false;
	errno = 0;
	*v = strtoull(tmp, &end, base);
	return !errno && *end == '\0';
}

/*
 * One buffer line of bufinfo: "size\tflags\tmode\tcount\texp_name\tino\tname"
 * (decimal, hex, hex, decimal, text, decimal, the rest of the line).
 */
static int dp_bufinfo_line(struct dmapeek_sysview *v, const char *line,
			   size_t len, struct dmapeek_sysbuf **cur)
{
	const char *f[7], *end = line + len;
	size_t fl[7];
	uint64_t size, flags, mode, count, ino;
	struct dmapeek_sysbuf *b;
	int i;

	f[0] = line;
	for (i = 0; i < 6; i++) {
		const char *t = memchr(f[i], '\t', (size_t)(end - f[i]));

		if (!t)
			return 0;	/* not a buffer line */
		fl[i] = (size_t)(t - f[i]);
		f[i + 1] = t + 1;
	}
	fl[6] = (size_t)(end - f[6]);
	if (!dp_num(f[0], fl[0], 10, &size) || !dp_num(f[1], fl[1], 16, &flags) ||
	    !dp_num(f[2], fl[2], 16, &mode) || !dp_num(f[3], fl[3], 10, &count) ||
	    !dp_num(f[5], fl[5], 10, &ino))
		return 0;
	b = dp_get_buf(v, ino);
	if (!b)
		return -ENOMEM;
	b->size = size;
	b->count = (int64_t)count;
	b->sources |= 1U << DMAPEEK_SRC_BUFINFO;
	if (dp_set_str(&b->exp_name, f[4], fl[4]))
		return -ENOMEM;
	if (!(fl[6] == 6 && !memcmp(f[6], "<none>", 6)) &&
	    dp_set_str(&b->name, f[6], fl[6]))
		return -ENOMEM;
	*cur = b;
	return 1;
}

static int dp_add_device(struct dmapeek_sysbuf *b, const char *s, size_t len)
{
	char **n = realloc(b->devices, (b->nr_devices + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	b->devices = n;
	n[b->nr_devices] = strndup(s, len);
	if (!n[b->nr_devices])
		return -ENOMEM;
	b->nr_devices++;
	return 0;
}

/*
 * Parse the text of debugfs dma_buf/bufinfo into @v.  Returns the number
 * of buffers, or -EBADMSG if the text is not bufinfo.  Text cut short
 * (no closing "Total N objects" line) keeps what it has and counts one
 * unreadable item for the source.
 */
int dp_bufinfo_parse(struct dmapeek_sysview *v, const char *text)
{
	struct dmapeek_sysbuf *cur = NULL;
	bool header = false, in_devs = false, closed = false;
	const char *line = text;
	int n = 0, err;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!header) {
			if (len >= 16 && !memcmp(line, "Dma-buf Objects:", 16))
				header = true;
		} else if (line[0] == '\t') {
			if (len == 18 && !memcmp(line, "\tAttached Devices:", 18)) {
				in_devs = true;
			} else if (in_devs && cur && len > 1) {
				err = dp_add_device(cur, line + 1, len - 1);
				if (err)
					return err;
			}
			/* else a fence line */
		} else if (!strncmp(line, "Total ", 6)) {
			if (strstr(line, " objects, ") && nl)
				closed = true;
			in_devs = false;
			cur = NULL;
		} else if (len) {
			in_devs = false;
			err = dp_bufinfo_line(v, line, len, &cur);
			if (err < 0)
				return err;
			n += err;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	if (!header)
		return -EBADMSG;
	if (!closed)
		v->unreadable[DMAPEEK_SRC_BUFINFO]++;
	return n;
}

/*
 * Parse the text of /proc/PID/fdinfo/FD.  Returns 1 for a dma-buf (it
 * has "exp_name:"), 0 for another file, -EBADMSG for a dma-buf's fdinfo
 * cut short (no inode or size).
 */
int dp_fdinfo_parse(const char *text, struct dp_fdinfo *fi)
{
	const char *line = text;
	bool is_dmabuf = false, has_ino = false, has_size = false;

	memset(fi, 0, sizeof(*fi));
	fi->count = -1;
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *colon = memchr(line, ':', len);
		const char *val;
		size_t klen, vlen;
		uint64_t x;

		if (!colon)
			goto next;
		klen = (size_t)(colon - line);
		val = colon + 1;
		while (val < line + len && (*val == '\t' || *val == ' '))
			val++;
		vlen = (size_t)(line + len - val);
#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(line, k, klen))
		if (KEY("exp_name")) {
			is_dmabuf = true;
			snprintf(fi->exp_name, sizeof(fi->exp_name), "%.*s",
				 (int)vlen, val);
		} else if (KEY("name")) {
			fi->has_name = true;
			snprintf(fi->name, sizeof(fi->name), "%.*s", (int)vlen, val);
		} else if (KEY("ino") && dp_num(val, vlen, 10, &x)) {
			fi->ino = x;
			has_ino = true;
		} else if (KEY("size") && dp_num(val, vlen, 10, &x)) {
			fi->size = x;
			has_size = true;
		} else if (KEY("count") && dp_num(val, vlen, 10, &x)) {
			fi->count = (int64_t)x;
		} else if (KEY("flags") && dp_num(val, vlen, 8, &x)) {
			fi->flags = (unsigned int)x;
		}
#undef KEY
next:
		if (!nl)
			break;
		line = nl + 1;
	}
	if (!is_dmabuf)
		return 0;
	return has_ino && has_size ? 1 : -EBADMSG;
}

static int dp_add_fd(struct dmapeek_sysbuf *b, int pid, int fd, const char *comm)
{
	struct dp_sysfd *n = realloc(b->fds, (b->nr_fds + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	b->fds = n;
	n[b->nr_fds].pid = pid;
	n[b->nr_fds].fd = fd;
	snprintf(n[b->nr_fds].comm, sizeof(n->comm), "%s", comm);
	b->nr_fds++;
	return 0;
}

static bool dp_isnum(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The dma-buf fds of process @pid: its fdinfo, and it as their holder. */
static int dp_scan_fds(struct dmapeek_sysview *v, const char *proc, const char *pid,
		       const char *comm)
{
	char path[PATH_MAX], link[256];
	struct dirent *de;
	DIR *d;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s/fd", proc, pid);
	d = opendir(path);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			v->unreadable[DMAPEEK_SRC_FDINFO]++;
		return 0;	/* or the process is gone */
	}
	while ((de = readdir(d))) {
		struct dp_fdinfo fi;
		struct dmapeek_sysbuf *b;
		ssize_t n;
		char *text;

		if (!dp_isnum(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd/%s", proc, pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (!strstr(link, "dmabuf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s/fdinfo/%s", proc, pid, de->d_name);
		text = dp_read_file(path, &err);
		if (!text) {
			if (err == -EACCES || err == -EPERM)
				v->unreadable[DMAPEEK_SRC_FDINFO]++;
			continue;
		}
		err = dp_fdinfo_parse(text, &fi);
		free(text);
		if (err <= 0) {
			if (err < 0)
				v->unreadable[DMAPEEK_SRC_FDINFO]++;
			continue;
		}
		b = dp_get_buf(v, fi.ino);
		if (!b)
			goto nomem;
		if (!(b->sources & (1U << DMAPEEK_SRC_BUFINFO))) {
			b->size = fi.size;
			b->count = fi.count;
			if (!b->exp_name && dp_set_str(&b->exp_name, fi.exp_name,
						       strlen(fi.exp_name)))
				goto nomem;
			if (fi.has_name && !b->name &&
			    dp_set_str(&b->name, fi.name, strlen(fi.name)))
				goto nomem;
		}
		b->sources |= 1U << DMAPEEK_SRC_FDINFO;
		if (dp_add_fd(b, atoi(pid), atoi(de->d_name), comm) ||
		    dp_hold(b, atoi(pid), comm, DMAPEEK_HOLD_FD, 0))
			goto nomem;
	}
	closedir(d);
	return 0;
nomem:
	closedir(d);
	return -ENOMEM;
}

/* Process @pid: its dma-buf fds, then (unless @no_maps) its mappings. */
static int dp_scan_pid(struct dmapeek_sysview *v, const char *proc, const char *pid,
		       bool no_maps)
{
	char path[PATH_MAX], comm[16] = "";
	int err = 0;
	char *c;

	snprintf(path, sizeof(path), "%s/%s/comm", proc, pid);
	c = dp_read_file(path, &err);
	if (c) {
		c[strcspn(c, "\n")] = '\0';
		snprintf(comm, sizeof(comm), "%s", c);
		free(c);
	}
	err = dp_scan_fds(v, proc, pid, comm);
	if (!err && !no_maps)
		err = dp_scan_maps(v, proc, pid, comm);
	return err;
}

static int dp_scan_proc(struct dmapeek_sysview *v, const char *proc, bool no_maps)
{
	struct dirent *de;
	DIR *d = opendir(proc);
	int err;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!dp_isnum(de->d_name))
			continue;
		err = dp_scan_pid(v, proc, de->d_name, no_maps);
		if (err) {
			closedir(d);
			return err;
		}
	}
	closedir(d);
	return 0;
}

static int dp_join_module(struct dmapeek_sysview *v, struct dmapeek *ctx)
{
	struct dmapeek_buffer *mb;

	dmapeek_for_each_buffer(ctx, mb) {
		struct dmapeek_sysbuf *b;

		if (!dmapeek_object_has(mb, DMAPEEK_A_BUFFER_INODE))
			continue;
		b = dp_get_buf(v, dmapeek_buffer_inode(mb));
		if (!b) {
			dmapeek_iter_end(mb);
			return -ENOMEM;
		}
		b->buffer_id = dmapeek_buffer_id(mb);
		b->sources |= 1U << DMAPEEK_SRC_MODULE;
		if (!b->size)
			b->size = dmapeek_buffer_size(mb);
		if (!b->name && dmapeek_buffer_name(mb) &&
		    dp_set_str(&b->name, dmapeek_buffer_name(mb),
			       strlen(dmapeek_buffer_name(mb)))) {
			dmapeek_iter_end(mb);
			return -ENOMEM;
		}
	}
	return dmapeek_iter_err(ctx);
}

/*
 * The attachments of @b, through a descriptor of it: the first holder's
 * that can be taken (a process may be gone, or its descriptor closed and
 * reused since the scan: the answer must name the same inode), else
 * dmapeek's own for a buffer it holds.  Returns 0, or the error that any
 * other buffer would meet too (no /dev/dmapeek, a module before ABI 2.2).
 */
static int dp_sysbuf_attachments(struct dmapeek *ctx, struct dmapeek_sysbuf *b)
{
	struct dmapeek_dmabuf *d;
	unsigned int i;
	int fd, err = -ESRCH;

	for (i = 0; i <= b->nr_fds; i++) {
		if (i < b->nr_fds)
			fd = dmapeek_pid_fd(b->fds[i].pid, b->fds[i].fd);
		else if (!b->buffer_id || dmapeek_buffer_fd(ctx, b->buffer_id, &fd))
			break;	/* the module does not hold it either */
		if (fd < 0) {
			err = fd;	/* this holder: gone, or not ours to take */
			continue;
		}
		d = dp_dmabuf_attachments_close(ctx, fd);
		err = d ? 0 : -errno;
		if (d && dmapeek_dmabuf_inode(d) == b->ino) {
			b->atts = d;
			break;
		}
		dmapeek_dmabuf_free(d);
		if (d)
			err = -ESTALE;	/* another file under that number now */
		else if (err != -EINVAL && err != -EBADF)
			break;
	}
	b->atts_err = err;
	return err == -ESRCH || err == -ESTALE || err == -EINVAL || err == -EBADF ||
	       err == -EPERM || err == -EINTR ? 0 : err;
}

static int dp_cmp_ino(const void *a, const void *b)
{
	const struct dmapeek_sysbuf *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/*
 * The order matters for who holds what: the buffers first (bufinfo, the
 * module), then the processes, so that a buffer listed before its last
 * holder let go is not taken for one no process holds; the buffers that
 * look so are then confirmed by a second read (sysowner.c).
 */
DMAPEEK_EXPORT struct dmapeek_sysview *
dmapeek_sysview_new(struct dmapeek *ctx, const struct dmapeek_sysview_opts *opts)
{
	const char *bufinfo = DP_BUFINFO_PATH, *proc = "/proc";
	bool no_module = false, no_maps = false, attachments = false;
	struct dmapeek_sysview *v;
	unsigned int i;
	char *text;
	int err;

	if (opts) {
		if (opts->sz < sizeof(size_t)) {
			errno = EINVAL;
			return NULL;
		}
		if (opts->bufinfo_path)
			bufinfo = opts->bufinfo_path;
		if (opts->proc_path)
			proc = opts->proc_path;
		no_module = opts->no_module;
		/* a caller built before the field was added did not ask */
		if (opts->sz >= offsetof(struct dmapeek_sysview_opts, no_maps) +
				sizeof(opts->no_maps))
			no_maps = opts->no_maps;
		/* a caller built before LIBDMAPEEK_0.3 has no such field */
		if (opts->sz >= offsetof(struct dmapeek_sysview_opts, attachments) +
				sizeof(opts->attachments))
			attachments = opts->attachments;
	}
	v = dp_sysview_alloc();
	if (!v) {
		errno = ENOMEM;
		return NULL;
	}
	v->time_ns = dp_mono_ns();
	text = dp_read_file(bufinfo, &err);
	if (text) {
		err = dp_bufinfo_parse(v, text);
		free(text);
		if (err == -ENOMEM)
			goto fail;
		v->src_err[DMAPEEK_SRC_BUFINFO] = err < 0 ? err : 0;
	} else {
		v->src_err[DMAPEEK_SRC_BUFINFO] = err;
		if (ctx)
			dp_dbg(ctx, "%s: %s", bufinfo, strerror(-err));
	}
	if (ctx && !no_module) {
		err = dp_join_module(v, ctx);
		if (err == -ENOMEM)
			goto fail;
		v->src_err[DMAPEEK_SRC_MODULE] = err;
	}
	err = dp_scan_proc(v, proc, no_maps);
	if (err == -ENOMEM)
		goto fail;
	v->src_err[DMAPEEK_SRC_FDINFO] = err;
	if (!no_maps)
		v->src_err[DMAPEEK_SRC_MAPS] = err;
	dp_sysview_owners(v);
	err = dp_confirm_kernel_only(v, no_module ? NULL : ctx, bufinfo);
	if (err == -ENOMEM)
		goto fail;
	/* each until one fails as every other would: the rest say why */
	for (i = 0, err = 0; ctx && !no_module && attachments && i < v->nr; i++) {
		if (err)
			v->bufs[i].atts_err = err;
		else
			err = dp_sysbuf_attachments(ctx, &v->bufs[i]);
	}
	if (v->nr)
		qsort(v->bufs, v->nr, sizeof(*v->bufs), dp_cmp_ino);
	free(v->hash);
	v->hash = NULL;
	v->hash_size = 0;
	return v;
fail:
	dmapeek_sysview_free(v);
	errno = ENOMEM;
	return NULL;
}

void dp_sysbuf_release(struct dmapeek_sysbuf *b)
{
	unsigned int j;

	free(b->exp_name);
	free(b->name);
	for (j = 0; j < b->nr_devices; j++)
		free(b->devices[j]);
	free(b->devices);
	free(b->fds);
	free(b->holders);
	dmapeek_dmabuf_free(b->atts);
	b->atts = NULL;
}

DMAPEEK_EXPORT void dmapeek_sysview_free(struct dmapeek_sysview *v)
{
	unsigned int i;

	if (!v)
		return;
	for (i = 0; i < v->nr; i++)
		dp_sysbuf_release(&v->bufs[i]);
	free(v->bufs);
	free(v->hash);
	free(v);
}

DMAPEEK_EXPORT int dmapeek_sysview_source(const struct dmapeek_sysview *v,
					  enum dmapeek_sysview_src src,
					  unsigned int *unreadable)
{
	if ((unsigned int)src >= DMAPEEK_SRC_MAX)
		return dp_errno(EINVAL);
	if (unreadable)
		*unreadable = v->unreadable[src];
	if (v->src_err[src])
		errno = -v->src_err[src];
	return v->src_err[src];
}

DMAPEEK_EXPORT const char *dmapeek_sysview_src_str(enum dmapeek_sysview_src src)
{
	switch (src) {
	case DMAPEEK_SRC_BUFINFO: return "bufinfo";
	case DMAPEEK_SRC_FDINFO: return "fdinfo";
	case DMAPEEK_SRC_MODULE: return "module";
	case DMAPEEK_SRC_MAPS: return "maps";
	default: return NULL;
	}
}

DMAPEEK_EXPORT unsigned int dmapeek_sysview_nr_buffers(const struct dmapeek_sysview *v)
{
	return v->nr;
}

DMAPEEK_EXPORT const struct dmapeek_sysbuf *
dmapeek_sysview_buffer(const struct dmapeek_sysview *v, unsigned int i)
{
	if (i >= v->nr) {
		errno = ERANGE;
		return NULL;
	}
	return &v->bufs[i];
}

DMAPEEK_EXPORT uint64_t dmapeek_sysbuf_inode(const struct dmapeek_sysbuf *b)
{
	return b->ino;
}

DMAPEEK_EXPORT uint64_t dmapeek_sysbuf_size(const struct dmapeek_sysbuf *b)
{
	return b->size;
}

DMAPEEK_EXPORT const char *dmapeek_sysbuf_exp_name(const struct dmapeek_sysbuf *b)
{
	return b->exp_name;
}

DMAPEEK_EXPORT const char *dmapeek_sysbuf_name(const struct dmapeek_sysbuf *b)
{
	return b->name;
}

DMAPEEK_EXPORT int64_t dmapeek_sysbuf_count(const struct dmapeek_sysbuf *b)
{
	return b->count;
}

DMAPEEK_EXPORT unsigned int dmapeek_sysbuf_sources(const struct dmapeek_sysbuf *b)
{
	return b->sources;
}

DMAPEEK_EXPORT uint32_t dmapeek_sysbuf_buffer_id(const struct dmapeek_sysbuf *b)
{
	return b->buffer_id;
}

DMAPEEK_EXPORT unsigned int dmapeek_sysbuf_nr_devices(const struct dmapeek_sysbuf *b)
{
	return b->nr_devices;
}

DMAPEEK_EXPORT const char *dmapeek_sysbuf_device(const struct dmapeek_sysbuf *b,
						 unsigned int i)
{
	return i < b->nr_devices ? b->devices[i] : NULL;
}

DMAPEEK_EXPORT unsigned int dmapeek_sysbuf_nr_fds(const struct dmapeek_sysbuf *b)
{
	return b->nr_fds;
}

DMAPEEK_EXPORT int dmapeek_sysbuf_fd(const struct dmapeek_sysbuf *b, unsigned int i,
				     int *pid, int *fd, const char **comm)
{
	if (i >= b->nr_fds)
		return dp_errno(ERANGE);
	if (pid)
		*pid = b->fds[i].pid;
	if (fd)
		*fd = b->fds[i].fd;
	if (comm)
		*comm = b->fds[i].comm;
	return 0;
}

DMAPEEK_EXPORT const struct dmapeek_dmabuf *
dmapeek_sysbuf_attachments(const struct dmapeek_sysbuf *b)
{
	if (!b->atts)
		errno = -b->atts_err;
	return b->atts;
}
