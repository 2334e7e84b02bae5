// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek-top: the data layer of the system page.  Every dma-buf of the
 * system, as libdmapeek's system-wide view reads it (debugfs bufinfo,
 * /proc/PID/fdinfo and maps, the module), compared with the view of the
 * previous read (libdmapeek's diff), into the plain structs of top.h.
 *
 * Cost: the view reads every process's fds and maps, so it is read only
 * while the page is shown, and top.c spaces the reads out as it does the
 * full refreshes (at most a tenth of the time); the page draws a bounded
 * number of lines whatever the number of buffers.  As root it also asks
 * for every buffer's attachments with their flags (one descriptor taken
 * and one ioctl per buffer), of which each row keeps the count and the
 * first TOP_SYS_ATTS: the model stays as big as the number of buffers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dmapeek.h>

#include "top.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Room for @need elements of @size in *@p (capacity *@cap). */
static int sys_grow(void *p, size_t *cap, size_t need, size_t size)
{
	void **pp = p;
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*pp, n * size);
	if (!q)
		return -ENOMEM;
	*pp = q;
	*cap = n;
	return 0;
}

/* One table of the page from the diff's table @by. */
static int read_groups(const struct dmapeek_sysdiff *d, enum dmapeek_growth_by by,
		       struct top_sys_group **rows, size_t *nr, size_t *cap)
{
	unsigned int i, n = dmapeek_sysdiff_nr_growth(d, by);

	if (sys_grow(rows, cap, n, sizeof(**rows)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct dmapeek_growth *g = dmapeek_sysdiff_growth(d, by, i);
		struct top_sys_group *r = &(*rows)[i];

		memset(r, 0, sizeof(*r));
		r->pid = dmapeek_growth_pid(g);
		snprintf(r->name, sizeof(r->name), "%s", dmapeek_growth_name(g));
		r->buffers = dmapeek_growth_after_buffers(g);
		r->bytes = dmapeek_growth_after_bytes(g);
		r->d_buffers = (int64_t)(r->buffers - dmapeek_growth_before_buffers(g));
		r->d_bytes = (int64_t)(r->bytes - dmapeek_growth_before_bytes(g));
		r->appeared = dmapeek_growth_appeared(g);
		r->gone = dmapeek_growth_gone(g);
	}
	*nr = n;
	return 0;
}

static void buf_from(struct top_sys_buf *t, const struct dmapeek_sysbuf *b)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->inode = dmapeek_sysbuf_inode(b);
	t->size = dmapeek_sysbuf_size(b);
	snprintf(t->exporter, sizeof(t->exporter), "%s",
		 dmapeek_sysbuf_exp_name(b) ?: "?");
	snprintf(t->name, sizeof(t->name), "%s", dmapeek_sysbuf_name(b) ?: "");
	t->flags = dmapeek_sysbuf_flags(b);
	t->nr_holders = dmapeek_sysbuf_nr_holders(b);
	for (i = 0; i < t->nr_holders && i < TOP_SYS_HOLDERS; i++) {
		const struct dmapeek_holder *h = dmapeek_sysbuf_holder(b, i);

		t->holders[i].pid = dmapeek_holder_pid(h);
		snprintf(t->holders[i].comm, sizeof(t->holders[i].comm), "%s",
			 dmapeek_holder_comm(h));
		t->holders[i].how = dmapeek_holder_how(h);
	}
}

/* The attachments' flags the view read (as root), the first few kept. */
static void atts_from(struct top_sys_buf *t, const struct dmapeek_sysbuf *b)
{
	const struct dmapeek_dmabuf *d = dmapeek_sysbuf_attachments(b);
	unsigned int i;

	if (!d) {
		t->att_err = errno ?: EIO;
		return;
	}
	t->nr_atts = dmapeek_dmabuf_total_attachments(d);
	for (i = 0; i < dmapeek_dmabuf_nr_attachments(d) && i < TOP_SYS_ATTS; i++) {
		snprintf(t->atts[i].device, sizeof(t->atts[i].device), "%s",
			 dmapeek_dmabuf_attachment_device(d, i) ?: "?");
		t->atts[i].flags = dmapeek_dmabuf_attachment_flags(d, i);
	}
}

/* Every buffer, by inode (as the view is), the new ones marked. */
static int read_bufs(struct top_system *s, const struct dmapeek_sysview *v,
		     const struct dmapeek_sysdiff *d)
{
	unsigned int i, n = dmapeek_sysview_nr_buffers(v), k = 0;

	if (sys_grow(&s->bufs, &s->cap_bufs, n, sizeof(*s->bufs)))
		return -ENOMEM;
	s->buffers = n;
	s->bytes = 0;
	for (i = 0; i < n; i++) {
		const struct dmapeek_sysbuf *b = dmapeek_sysview_buffer(v, i);

		buf_from(&s->bufs[i], b);
		if (s->attachments)
			atts_from(&s->bufs[i], b);
		s->bytes += s->bufs[i].size;
		/* both lists are by inode: one pass marks the new ones */
		while (k < dmapeek_sysdiff_nr_appeared(d) &&
		       dmapeek_sysbuf_inode(dmapeek_sysdiff_appeared(d, k)) < s->bufs[i].inode)
			k++;
		s->bufs[i].fresh = s->has_prev && k < dmapeek_sysdiff_nr_appeared(d) &&
			dmapeek_sysbuf_inode(dmapeek_sysdiff_appeared(d, k)) == s->bufs[i].inode;
	}
	s->nr_bufs = n;
	return 0;
}

/* The sources that could not be read (wholly or in part), for the page. */
static void read_sources(struct top_system *s, const struct dmapeek_sysview *v)
{
	size_t pos = 0;
	unsigned int unreadable;
	int src;

	s->sources[0] = '\0';
	for (src = 0; src < DMAPEEK_SRC_MAX; src++) {
		int err = dmapeek_sysview_source(v, src, &unreadable);
		int n = 0;

		if (err && err != -ENODATA)
			n = snprintf(s->sources + pos, sizeof(s->sources) - pos, "%s%s %s",
				     pos ? ", " : "", dmapeek_sysview_src_str(src),
				     strerrorname_np(-err) ?: "error");
		else if (!err && unreadable)
			n = snprintf(s->sources + pos, sizeof(s->sources) - pos,
				     "%s%s %u unreadable", pos ? ", " : "",
				     dmapeek_sysview_src_str(src), unreadable);
		if (n > 0 && pos + (size_t)n < sizeof(s->sources))
			pos += (size_t)n;
	}
}

int top_model_system(struct top_model *m)
{
	struct top_system *s = &m->sys;
	DMAPEEK_OPTS(dmapeek_sysview_opts, o);
	struct dmapeek_sysview *v;
	struct dmapeek_sysdiff *d;
	uint64_t t0 = mono_ns();
	int err;

	/* the flags need the module and another process's fds: root's */
	o.attachments = m->ctx && geteuid() == 0;
	v = dmapeek_sysview_new(m->ctx, &o);
	if (!v) {
		err = -errno;
		snprintf(m->msg, sizeof(m->msg), "system view: %s", strerror(-err));
		m->msg_err = true;
		return err;
	}
	/* the first read has nothing to compare with: no changes shown */
	d = dmapeek_sysdiff_new(m->sys_prev ? m->sys_prev : v, v);
	if (!d) {
		err = -errno;
		dmapeek_sysview_free(v);
		snprintf(m->msg, sizeof(m->msg), "system view: %s", strerror(-err));
		m->msg_err = true;
		return err;
	}
	s->has_prev = m->sys_prev != NULL;
	s->attachments = o.attachments;
	s->interval_ns = m->sys_prev ? dmapeek_sysview_time_ns(v) -
				       dmapeek_sysview_time_ns(m->sys_prev) : 0;
	s->appeared = s->has_prev ? dmapeek_sysdiff_nr_appeared(d) : 0;
	s->gone = s->has_prev ? dmapeek_sysdiff_nr_gone(d) : 0;
	err = read_groups(d, DMAPEEK_GROWTH_BY_PROCESS, &s->procs, &s->nr_procs,
			  &s->cap_procs);
	if (!err)
		err = read_groups(d, DMAPEEK_GROWTH_BY_EXPORTER, &s->exps, &s->nr_exps,
				  &s->cap_exps);
	if (!err)
		err = read_bufs(s, v, d);
	read_sources(s, v);
	dmapeek_sysdiff_free(d);
	dmapeek_sysview_free(m->sys_prev);
	m->sys_prev = v;
	s->read = true;
	s->cost_ns = mono_ns() - t0;
	if (err) {
		snprintf(m->msg, sizeof(m->msg), "system view: %s", strerror(-err));
		m->msg_err = true;
	}
	return err;
}

void top_model_system_free(struct top_model *m)
{
	dmapeek_sysview_free(m->sys_prev);
	m->sys_prev = NULL;
	free(m->sys.procs);
	free(m->sys.exps);
	free(m->sys.bufs);
	memset(&m->sys, 0, sizeof(m->sys));
}
