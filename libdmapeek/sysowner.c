// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: who holds each dma-buf of the system-wide view.
 *
 * A process holds a dma-buf through a file descriptor (sysview.c reads
 * /proc/PID/fdinfo) or through a mapping: mmap() of a dma-buf keeps a
 * reference in the VMA after every fd is closed, and /proc/PID/maps
 * shows the VMA with the buffer's inode and the dentry name the dma-buf
 * filesystem gives it (dmabuffs_dname(): "/dmabuf:NAME", NAME empty when
 * the buffer has none), as Android's dmabuf_dump reads it.  What no
 * process holds is kept inside the kernel (an importer, a module, an fd
 * in flight in a unix socket): flagged kernel-only, once every process
 * could be read and a second look says the buffer is still there.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * @b held by process @pid through @how (one fd, or one mapping of
 * @mapped bytes).  /proc is read one process at a time, its fds then its
 * maps, so a process is the last holder of a buffer while it is read.
 */
int dp_hold(struct dmapeek_sysbuf *b, int pid, const char *comm,
	    unsigned int how, uint64_t mapped)
{
	struct dmapeek_holder *h = b->nr_holders ? &b->holders[b->nr_holders - 1] : NULL;

	if (!h || h->pid != pid) {
		h = realloc(b->holders, (b->nr_holders + 1) * sizeof(*h));
		if (!h)
			return -ENOMEM;
		b->holders = h;
		h = &h[b->nr_holders++];
		memset(h, 0, sizeof(*h));
		h->pid = pid;
		snprintf(h->comm, sizeof(h->comm), "%s", comm);
	}
	h->how |= how;
	if (how & DMAPEEK_HOLD_FD)
		h->fds++;
	if (how & DMAPEEK_HOLD_MMAP) {
		h->vmas++;
		h->mapped += mapped;
	}
	return 0;
}

/* A number in @base at *@p, before @end; at least one digit. */
static bool dp_field(const char **p, const char *end, int base, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end || !(base == 16 ? isxdigit((unsigned char)*s) :
			  isdigit((unsigned char)*s)))
		return false;
	for (; s < end && (base == 16 ? isxdigit((unsigned char)*s) :
			   isdigit((unsigned char)*s)); s++) {
		unsigned int d = isdigit((unsigned char)*s) ? (unsigned int)(*s - '0') :
				 (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);

		if (x > (UINT64_MAX - d) / (uint64_t)base)
			return false;
		x = x * (uint64_t)base + d;
	}
	*v = x;
	*p = s;
	return true;
}

static bool dp_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/*
 * One line of /proc/PID/maps, as show_map_vma() prints it:
 *
 *   START-END PERMS OFFSET MAJOR:MINOR INODE<spaces>PATH
 *   7f3a2c000000-7f3a2c010000 rw-s 00000000 00:0f 2051   /dmabuf:frame 0
 *
 * Returns 1 for a mapping of a dma-buf (a path "/dmabuf:..." on an
 * anonymous device: the dma-buf filesystem is a pseudo filesystem, major
 * 0), its inode and length in @e; 0 for any other line.
 */
int dp_maps_line(const char *line, size_t len, struct dp_maps_entry *e)
{
	static const char tag[] = "/dmabuf:";
	const char *p = line, *end = line + len;
	uint64_t start, stop, off, major, minor, ino;
	int i;

	if (!dp_field(&p, end, 16, &start) || !dp_char(&p, end, '-') ||
	    !dp_field(&p, end, 16, &stop) || !dp_char(&p, end, ' '))
		return 0;
	for (i = 0; i < 4; i++, p++)
		if (p >= end || *p == ' ')
			return 0;
	if (!dp_char(&p, end, ' ') || !dp_field(&p, end, 16, &off) ||
	    !dp_char(&p, end, ' ') || !dp_field(&p, end, 16, &major) ||
	    !dp_char(&p, end, ':') || !dp_field(&p, end, 16, &minor) ||
	    !dp_char(&p, end, ' ') || !dp_field(&p, end, 10, &ino))
		return 0;
	while (p < end && *p == ' ')
		p++;
	if (major || !ino || stop <= start || (size_t)(end - p) < sizeof(tag) - 1 ||
	    memcmp(p, tag, sizeof(tag) - 1))
		return 0;
	e->ino = ino;
	e->len = stop - start;
	return 1;
}

/* The dma-buf mappings of process @pid: it holds those buffers. */
int dp_scan_maps(struct dmapeek_sysview *v, const char *proc, const char *pid,
		 const char *comm)
{
	char path[PATH_MAX], *text, *p;
	int err;

	snprintf(path, sizeof(path), "%s/%s/maps", proc, pid);
	text = dp_read_file(path, &err);
	if (!text) {
		if (err == -EACCES || err == -EPERM)
			v->unreadable[DMAPEEK_SRC_MAPS]++;
		return 0;	/* or the process is gone */
	}
	/* most processes map no dma-buf: look for the tag, then its line */
	for (p = text; (p = strstr(p, "/dmabuf:"));) {
		char *ls = p, *le = strchr(p, '\n');
		struct dp_maps_entry e;
		struct dmapeek_sysbuf *b;

		while (ls > text && ls[-1] != '\n')
			ls--;
		if (!le)
			le = p + strlen(p);
		p = le;
		if (dp_maps_line(ls, (size_t)(le - ls), &e) != 1)
			continue;
		b = dp_get_buf(v, e.ino);
		if (!b) {
			free(text);
			return -ENOMEM;
		}
		/* known from the maps alone: at least as large as a mapping */
		if (!(b->sources & ~(1U << DMAPEEK_SRC_MAPS)) && e.len > b->size)
			b->size = e.len;
		b->sources |= 1U << DMAPEEK_SRC_MAPS;
		if (dp_hold(b, atoi(pid), comm, DMAPEEK_HOLD_MMAP, e.len)) {
			free(text);
			return -ENOMEM;
		}
	}
	free(text);
	return 0;
}

/*
 * Each buffer's flags from its holders.  "No holder" means kept by the
 * kernel only when every process's fds and maps were read; otherwise the
 * holder may be a process that could not be read.
 */
void dp_sysview_owners(struct dmapeek_sysview *v)
{
	bool complete = !v->src_err[DMAPEEK_SRC_FDINFO] &&
			!v->unreadable[DMAPEEK_SRC_FDINFO] &&
			!v->src_err[DMAPEEK_SRC_MAPS] &&
			!v->unreadable[DMAPEEK_SRC_MAPS];
	unsigned int i, j;

	for (i = 0; i < v->nr; i++) {
		struct dmapeek_sysbuf *b = &v->bufs[i];
		bool fd = false;

		b->flags = 0;
		if (!b->nr_holders) {
			b->flags = complete ? DMAPEEK_SYSBUF_KERNEL_ONLY :
					      DMAPEEK_SYSBUF_OWNER_UNKNOWN;
			continue;
		}
		for (j = 0; j < b->nr_holders; j++)
			fd |= b->holders[j].how & DMAPEEK_HOLD_FD;
		if (!fd)
			b->flags = DMAPEEK_SYSBUF_MMAP_ONLY;
	}
}

/* Does the module still have buffer @id?  1, 0, or -errno. */
static int dp_module_has(struct dmapeek *ctx, uint32_t id)
{
	struct dmapeek_buffer *mb = dmapeek_buffer_get(ctx, id);

	if (mb) {
		dmapeek_object_free(mb);
		return 1;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * A buffer listed before the processes were read, whose last holder let
 * go before its turn came, would look kept by the kernel: each one that
 * looks so is looked for again where it was listed (bufinfo, else the
 * module), and one gone by then is left out of the view, as released
 * while the view was read.  (Called before the view is sorted.)
 */
int dp_confirm_kernel_only(struct dmapeek_sysview *v, struct dmapeek *ctx,
			   const char *bufinfo)
{
	struct dmapeek_sysview *again = NULL;
	unsigned int i, k, n = 0;
	bool gone_any = false;
	char *text;
	int err;

	for (i = 0; i < v->nr; i++)
		n += !!(v->bufs[i].flags & DMAPEEK_SYSBUF_KERNEL_ONLY);
	if (!n)
		return 0;
	if (!v->src_err[DMAPEEK_SRC_BUFINFO]) {
		again = dp_sysview_alloc();
		if (!again)
			return -ENOMEM;
		text = dp_read_file(bufinfo, &err);
		err = text ? dp_bufinfo_parse(again, text) : err;
		free(text);
		if (err == -ENOMEM) {
			dmapeek_sysview_free(again);
			return -ENOMEM;
		}
		if (err < 0) {		/* cannot look again: claim nothing */
			dmapeek_sysview_free(again);
			again = NULL;
		}
	}
	for (i = 0; i < v->nr; i++) {
		struct dmapeek_sysbuf *b = &v->bufs[i];
		int has = -1;

		if (!(b->flags & DMAPEEK_SYSBUF_KERNEL_ONLY))
			continue;
		if (b->sources & (1U << DMAPEEK_SRC_BUFINFO)) {
			if (again)
				has = !!dp_find_buf(again, b->ino);
		} else if (ctx && b->buffer_id) {
			has = dp_module_has(ctx, b->buffer_id);
		}
		if (has == 0) {
			b->flags |= 1U << 31;	/* gone: dropped below */
			gone_any = true;
		} else if (has < 0) {
			b->flags = DMAPEEK_SYSBUF_OWNER_UNKNOWN;
		}
	}
	dmapeek_sysview_free(again);
	if (!gone_any)
		return 0;
	for (i = k = 0; i < v->nr; i++) {
		if (v->bufs[i].flags & (1U << 31))
			dp_sysbuf_release(&v->bufs[i]);
		else
			v->bufs[k++] = v->bufs[i];
	}
	v->nr = k;
	/* the indices moved: no lookup by inode from here on */
	free(v->hash);
	v->hash = NULL;
	v->hash_size = 0;
	return 0;
}

/* ---------------------------------------------------------------- getters */

DMAPEEK_EXPORT uint64_t dmapeek_sysview_time_ns(const struct dmapeek_sysview *v)
{
	return v->time_ns;
}

DMAPEEK_EXPORT unsigned int dmapeek_sysbuf_flags(const struct dmapeek_sysbuf *b)
{
	return b->flags;
}

DMAPEEK_EXPORT const char *dmapeek_sysbuf_flag_str(unsigned int bit)
{
	switch (1U << (bit & 31)) {
	case DMAPEEK_SYSBUF_KERNEL_ONLY: return "kernel-only";
	case DMAPEEK_SYSBUF_MMAP_ONLY: return "mmap-only";
	case DMAPEEK_SYSBUF_OWNER_UNKNOWN: return "owner-unknown";
	default: return NULL;
	}
}

DMAPEEK_EXPORT unsigned int dmapeek_sysbuf_nr_holders(const struct dmapeek_sysbuf *b)
{
	return b->nr_holders;
}

DMAPEEK_EXPORT const struct dmapeek_holder *
dmapeek_sysbuf_holder(const struct dmapeek_sysbuf *b, unsigned int i)
{
	if (i >= b->nr_holders) {
		errno = ERANGE;
		return NULL;
	}
	return &b->holders[i];
}

DMAPEEK_EXPORT int dmapeek_holder_pid(const struct dmapeek_holder *h)
{
	return h->pid;
}

DMAPEEK_EXPORT const char *dmapeek_holder_comm(const struct dmapeek_holder *h)
{
	return h->comm;
}

DMAPEEK_EXPORT unsigned int dmapeek_holder_how(const struct dmapeek_holder *h)
{
	return h->how;
}

DMAPEEK_EXPORT const char *dmapeek_hold_str(unsigned int how)
{
	switch (how & (DMAPEEK_HOLD_FD | DMAPEEK_HOLD_MMAP)) {
	case DMAPEEK_HOLD_FD: return "fd";
	case DMAPEEK_HOLD_MMAP: return "mmap";
	case DMAPEEK_HOLD_FD | DMAPEEK_HOLD_MMAP: return "both";
	default: return NULL;
	}
}

DMAPEEK_EXPORT unsigned int dmapeek_holder_nr_fds(const struct dmapeek_holder *h)
{
	return h->fds;
}

DMAPEEK_EXPORT unsigned int dmapeek_holder_nr_mappings(const struct dmapeek_holder *h)
{
	return h->vmas;
}

DMAPEEK_EXPORT uint64_t dmapeek_holder_mapped_bytes(const struct dmapeek_holder *h)
{
	return h->mapped;
}
