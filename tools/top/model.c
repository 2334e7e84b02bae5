// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek-top: the data layer.  Everything dmapeek-top knows comes from
 * here, through libdmapeek only: dumps for a full refresh, lookups for
 * the buffers an event names, the events themselves, the operations.
 * No curses: the snapshot mode uses this file unchanged.
 *
 * Freshness: a full refresh runs on a timer tick (spaced out by top.c
 * when it is expensive); between them each event re-reads the buffer it
 * names, so a revoke shows at once.  When
 * the event queue overran (events lost) or a burst names many buffers,
 * the next update is a full refresh instead: a lost revoke-done can then
 * only delay the row until that refresh, never hide it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include <dmapeek.h>

#include "json_print.h"
#include "fields.h"
#include "top.h"

/* A burst naming more buffers than this is cheaper as one dump. */
#define TOP_DIRTY_MAX 64

static void set_err(struct top_model *m, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(struct top_model *m, int err, const char *fmt, ...)
{
	const char *ext = m->ctx ? dmapeek_extack(m->ctx) : NULL;
	const char *name;
	va_list ap;
	int n;

	if (err < 0)
		err = -err;
	m->msg_err = true;
	va_start(ap, fmt);
	n = vsnprintf(m->msg, sizeof(m->msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(m->msg))
		return;
	name = strerrorname_np(err);
	snprintf(m->msg + n, sizeof(m->msg) - (size_t)n, ": %s (%s)%s%s",
		 strerror(err), name ? name : "?", ext ? ": " : "", ext ? ext : "");
}

static void ok_msg(struct top_model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ok_msg(struct top_model *m, const char *fmt, ...)
{
	va_list ap;

	m->msg_err = false;
	va_start(ap, fmt);
	vsnprintf(m->msg, sizeof(m->msg), fmt, ap);
	va_end(ap);
}

/* Make room for @need elements of @size in *@p (capacity *@cap). */
static int grow(void *p, size_t *cap, size_t need, size_t size)
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

/*
 * @src (NULL: "") into @dst, cut to fit, as snprintf("%s") writes it
 * without parsing a format: three per row, a tenth of a snapshot's time.
 */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

bool top_have_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_SYS_ADMIN / 32].effective & (1U << (CAP_SYS_ADMIN % 32));
}

int top_model_open(struct top_model *m, bool all)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->all = all;
	m->ctx = dmapeek_new();
	if (!m->ctx)
		return -errno;
	/* Without events the view still works, refreshed by the timer. */
	err = dmapeek_event_subscribe(m->ctx);
	m->events_live = !err;
	if (err)
		set_err(m, err, "cannot subscribe to events, refresh only");
	m->ev_window_start_ns = now_ns();
	return 0;
}

void top_model_close(struct top_model *m)
{
	top_model_system_free(m);
	dmapeek_free(m->ctx);
	free(m->rows);
	free(m->atts);
	free(m->provs);
	free(m->p2p);
	free(m->dirty);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------ readers */

static void row_from_buffer(struct top_row *r, const struct dmapeek_buffer *b)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->id = dmapeek_buffer_id(b);
	r->inode = dmapeek_buffer_inode(b);
	copy_str(r->exporter, sizeof(r->exporter), "dmapeek");
	copy_str(r->name, sizeof(r->name), dmapeek_buffer_name(b));
	r->size = dmapeek_buffer_size(b);
	r->model = dmapeek_buffer_model(b);
	r->provider = dmapeek_buffer_provider_id(b);
	r->attachments = dmapeek_buffer_attachments(b);
	r->state = dmapeek_buffer_state(b);
	/* the spec's fields for the columns beyond the fixed ones */
	for (i = 0; i < top_nr_slots(); i++) {
		const struct field *f = top_slot_field(i);

		r->f[i] = dmapeek_object_u64(b, f->attr);
		if (dmapeek_object_has(b, f->attr))
			r->f_has |= 1U << i;
	}
}

static void att_from(struct top_att *t, const struct dmapeek_attachment *a)
{
	memset(t, 0, sizeof(*t));
	t->id = dmapeek_attachment_id(a);
	t->buffer_id = dmapeek_attachment_buffer_id(a);
	copy_str(t->importer, sizeof(t->importer), dmapeek_attachment_importer_dev(a));
	copy_str(t->driver, sizeof(t->driver), dmapeek_attachment_importer_driver(a));
	t->flags = dmapeek_attachment_flags(a);
	t->map_type = dmapeek_attachment_map_type(a);
	t->behaviour = dmapeek_attachment_behaviour(a);
	t->mapped = dmapeek_attachment_mapped(a);
	t->stuck = dmapeek_attachment_stuck(a);
	t->maps = dmapeek_attachment_maps(a);
	t->unmaps = dmapeek_attachment_unmaps(a);
	t->invalidations = dmapeek_attachment_invalidations(a);
	t->last_unmap_latency_ns = dmapeek_attachment_last_unmap_latency_ns(a);
	t->max_unmap_latency_ns = dmapeek_attachment_max_unmap_latency_ns(a);
}

static int read_providers(struct top_model *m)
{
	struct dmapeek_provider *p;
	size_t n = 0;

	dmapeek_for_each_provider(m->ctx, p) {
		struct top_provider *t;

		if (grow(&m->provs, &m->cap_provs, n + 1, sizeof(*m->provs))) {
			dmapeek_iter_end(p);
			return -ENOMEM;
		}
		t = &m->provs[n++];
		memset(t, 0, sizeof(*t));
		t->id = dmapeek_provider_id(p);
		t->kind = dmapeek_provider_kind(p);
		copy_str(t->bdf, sizeof(t->bdf), dmapeek_provider_bdf(p));
		t->bar = dmapeek_provider_bar(p);
		t->size = dmapeek_provider_size(p);
		t->exported = dmapeek_provider_bytes_exported(p);
		t->buffers = dmapeek_provider_buffers(p);
	}
	m->nr_provs = n;
	return dmapeek_iter_err(m->ctx);
}

static int read_buffers(struct top_model *m)
{
	struct dmapeek_buffer *b;
	size_t n = 0;

	dmapeek_for_each_buffer(m->ctx, b) {
		if (grow(&m->rows, &m->cap_rows, n + 1, sizeof(*m->rows))) {
			dmapeek_iter_end(b);
			return -ENOMEM;
		}
		row_from_buffer(&m->rows[n++], b);
	}
	m->nr_rows = n;
	return dmapeek_iter_err(m->ctx);
}

/*
 * Every importer counted (the header's totals), and only the stuck ones
 * kept: the header names them and they mark their rows.  Keeping all of
 * them cost a snapshot of 100,000 buffers 12 MiB, and the kernel's
 * zeroing of those pages more time than their dump.
 */
static int read_attachments(struct top_model *m)
{
	struct dmapeek_attachment *a;
	struct top_totals tot;
	struct top_att t;
	size_t n = 0;
	int err = 0;

	memset(&tot, 0, sizeof(tot));
	dmapeek_for_each_attachment(m->ctx, a) {
		att_from(&t, a);
		if (t.stuck) {
			if (grow(&m->atts, &m->cap_atts, n + 1, sizeof(*m->atts))) {
				dmapeek_iter_end(a);
				err = -ENOMEM;
				break;
			}
			m->atts[n++] = t;
		}
		top_count_att(&tot, &t);
	}
	if (!err)
		err = dmapeek_iter_err(m->ctx);
	/* what was read, counts and list alike, even when cut short */
	m->att_totals = tot;
	m->nr_atts = n;
	return err;
}

static int read_p2p(struct top_model *m)
{
	struct dmapeek_p2p *c;
	size_t n = 0;

	dmapeek_for_each_p2p(m->ctx, c) {
		struct top_p2p *t;

		if (grow(&m->p2p, &m->cap_p2p, n + 1, sizeof(*m->p2p))) {
			dmapeek_iter_end(c);
			return -ENOMEM;
		}
		t = &m->p2p[n++];
		copy_str(t->provider, sizeof(t->provider), dmapeek_p2p_provider_bdf(c));
		copy_str(t->client, sizeof(t->client), dmapeek_p2p_client_bdf(c));
		t->map_type = dmapeek_p2p_map_type(c);
		t->distance = dmapeek_p2p_distance(c);
		t->reason = dmapeek_p2p_reason(c);
	}
	m->nr_p2p = n;
	return dmapeek_iter_err(m->ctx);
}

/* --all: the other exporters' dma-bufs, from the system-wide view. */
static int read_system(struct top_model *m)
{
	/* no holders shown here: the maps are the system page's (sysmodel.c) */
	DMAPEEK_OPTS(dmapeek_sysview_opts, o, .no_module = true, .no_maps = true);
	struct dmapeek_sysview *v = dmapeek_sysview_new(NULL, &o);
	unsigned int i;

	if (!v)
		return -errno;
	for (i = 0; i < dmapeek_sysview_nr_buffers(v); i++) {
		const struct dmapeek_sysbuf *b = dmapeek_sysview_buffer(v, i);
		const char *exp = dmapeek_sysbuf_exp_name(b);
		struct top_row *r;

		/* dmapeek's own buffers are already rows, with more to say */
		if (exp && !strcmp(exp, "dmapeek"))
			continue;
		if (grow(&m->rows, &m->cap_rows, m->nr_rows + 1, sizeof(*m->rows))) {
			dmapeek_sysview_free(v);
			return -ENOMEM;
		}
		r = &m->rows[m->nr_rows++];
		memset(r, 0, sizeof(*r));
		r->inode = dmapeek_sysbuf_inode(b);
		copy_str(r->exporter, sizeof(r->exporter), exp);
		copy_str(r->name, sizeof(r->name), dmapeek_sysbuf_name(b));
		r->size = dmapeek_sysbuf_size(b);
		r->attachments = dmapeek_sysbuf_nr_devices(b);
	}
	dmapeek_sysview_free(v);
	return 0;
}

static void update_totals(struct top_model *m)
{
	top_mark_stuck(m->rows, m->nr_rows, m->atts, m->nr_atts);
	top_totals(m->rows, m->nr_rows, NULL, 0, &m->totals);
	top_totals_add_atts(&m->totals, &m->att_totals);
}

int top_model_refresh(struct top_model *m, bool with_p2p)
{
	int err;

	err = read_providers(m);
	if (!err)
		err = read_buffers(m);
	if (!err)
		err = read_attachments(m);
	if (!err && m->all)
		err = read_system(m);
	if (!err && with_p2p)
		err = read_p2p(m);
	update_totals(m);
	m->need_full = false;
	m->nr_dirty = 0;
	if (err)
		set_err(m, err, "refresh");
	return err;
}

const struct top_row *top_model_row(const struct top_model *m, uint32_t id)
{
	size_t i;

	for (i = 0; id && i < m->nr_rows; i++)
		if (m->rows[i].id == id)
			return &m->rows[i];
	return NULL;
}

/* ------------------------------------------------------------- events */

int top_model_event_fd(const struct top_model *m)
{
	return m->events_live ? dmapeek_event_fd(m->ctx) : -1;
}

static void mark_dirty(struct top_model *m, uint32_t id)
{
	size_t i;

	if (!id || m->need_full)
		return;
	for (i = 0; i < m->nr_dirty; i++)
		if (m->dirty[i] == id)
			return;
	if (m->nr_dirty >= TOP_DIRTY_MAX ||
	    grow(&m->dirty, &m->cap_dirty, m->nr_dirty + 1, sizeof(*m->dirty))) {
		m->need_full = true;
		return;
	}
	m->dirty[m->nr_dirty++] = id;
}

static void log_event(struct top_model *m, const struct dmapeek_event *e)
{
	struct top_event *t = &m->evlog[m->ev_head];

	t->ts_ns = dmapeek_event_timestamp_ns(e);
	t->type = dmapeek_event_type(e);
	t->buffer = dmapeek_event_buffer_id(e);
	t->attachment = dmapeek_event_attachment_id(e);
	t->mapping = dmapeek_event_mapping_id(e);
	t->provider = dmapeek_event_provider_id(e);
	t->duration_ns = dmapeek_event_duration_ns(e);
	t->count = dmapeek_event_count(e);
	t->error = dmapeek_event_error(e);
	m->ev_head = (m->ev_head + 1) % TOP_EVLOG;
	if (m->ev_count < TOP_EVLOG)
		m->ev_count++;
	m->ev_total++;
	m->ev_window_count++;
}

static void drop_row(struct top_model *m, size_t i)
{
	m->rows[i] = m->rows[--m->nr_rows];
}

/* Re-read one buffer: update its row, add it, or drop it if gone. */
static int reread_buffer(struct top_model *m, uint32_t id)
{
	struct dmapeek_buffer *b = dmapeek_buffer_get(m->ctx, id);
	size_t i;

	for (i = 0; i < m->nr_rows; i++)
		if (m->rows[i].id == id)
			break;
	if (!b) {
		if (errno != ENOENT)
			return -errno;
		if (i < m->nr_rows)
			drop_row(m, i);
		return 0;
	}
	if (i == m->nr_rows) {
		if (grow(&m->rows, &m->cap_rows, m->nr_rows + 1, sizeof(*m->rows))) {
			dmapeek_object_free(b);
			return -ENOMEM;
		}
		m->nr_rows++;
	}
	row_from_buffer(&m->rows[i], b);
	dmapeek_object_free(b);
	return 0;
}

static int apply_dirty(struct top_model *m, bool atts_changed)
{
	size_t i;
	int err = 0;

	for (i = 0; i < m->nr_dirty && !err; i++)
		err = reread_buffer(m, m->dirty[i]);
	/* the importers counted again: one dump, simpler than tracking each */
	if (!err && atts_changed)
		err = read_attachments(m);
	m->nr_dirty = 0;
	update_totals(m);
	if (err)
		set_err(m, err, "update");
	return err;
}

static bool is_attachment_event(uint32_t type)
{
	switch (type) {
	case DMAPEEK_EVENT_TYPE_BUFFER_CREATE:
	case DMAPEEK_EVENT_TYPE_BUFFER_RELEASE:
	case DMAPEEK_EVENT_TYPE_MOVE_BEGIN:
	case DMAPEEK_EVENT_TYPE_MOVE_DONE:
	case DMAPEEK_EVENT_TYPE_RESTORE:
		return false;
	default:
		return true;	/* revoke and invalidate change importers too */
	}
}

bool top_model_events(struct top_model *m)
{
	const struct dmapeek_event *e;
	bool any = false;

	if (!m->events_live)
		return false;
	for (;;) {
		e = dmapeek_event_read(m->ctx);
		if (!e) {
			if (errno == ENOBUFS) {
				/* lost events: only a full dump is sure */
				m->need_full = true;
				any = true;
				continue;
			}
			break;
		}
		any = true;
		log_event(m, e);
		if (is_attachment_event(dmapeek_event_type(e)))
			m->atts_changed = true;
		/*
		 * An event without a buffer is an import of another
		 * exporter's dma-buf: no row of ours to re-read (the
		 * importer counts come back with the attachment dump).
		 */
		if (dmapeek_event_buffer_id(e))
			mark_dirty(m, dmapeek_event_buffer_id(e));
	}
	m->ev_lost = dmapeek_event_lost(m->ctx);
	if (any)
		m->apply_pending = true;
	return any;
}

/*
 * Separate from reading so that the caller decides how often: re-reading
 * costs netlink round trips, and under a storm of events doing it per
 * batch took most of a CPU.
 */
bool top_model_apply(struct top_model *m)
{
	bool atts = m->atts_changed;

	if (!m->apply_pending)
		return false;
	m->apply_pending = false;
	m->atts_changed = false;
	if (m->need_full)
		top_model_refresh(m, false);
	else
		apply_dirty(m, atts);
	return true;
}

void top_model_tick(struct top_model *m)
{
	uint64_t now = now_ns();
	uint64_t span = now - m->ev_window_start_ns;

	if (span)
		m->ev_rate = (double)m->ev_window_count * 1e9 / (double)span;
	m->ev_window_start_ns = now;
	m->ev_window_count = 0;
}

/* ------------------------------------------------------------- detail */

/* The slot of @mapping_id's last audit, or -1. */
static int audit_slot(const struct top_model *m, uint32_t mapping_id)
{
	unsigned int i;

	for (i = 0; i < m->nr_audits; i++)
		if (m->audits[i].mapping_id == mapping_id)
			return (int)i;
	return -1;
}

static void mapping_from(const struct top_model *m, struct top_mapping *t,
			 const struct dmapeek_mapping *x)
{
	struct dmapeek_addr_range r;
	unsigned int i;
	int slot;

	memset(t, 0, sizeof(*t));
	t->id = dmapeek_mapping_id(x);
	t->path = dmapeek_mapping_path(x);
	t->size = dmapeek_mapping_size(x);
	t->nr_ranges = dmapeek_mapping_nr_ranges(x);
	for (i = 0; i < TOP_MAX_RANGES && !dmapeek_mapping_range(x, i, &r); i++) {
		t->ranges[i].offset = r.offset;
		t->ranges[i].len = r.len;
		t->ranges[i].addr = r.addr;
		t->ranges[i].kind = r.kind;
		t->ranges[i].has_addr = r.has_addr;
	}
	slot = audit_slot(m, t->id);
	if (slot >= 0) {
		t->audited = true;
		t->audit_result = m->audits[slot].result;
		t->audit_pages = m->audits[slot].pages;
		t->audit_mismatches = m->audits[slot].mismatches;
	}
}

static int detail_mappings(struct top_model *m, struct top_detail *d,
			   uint32_t att_id)
{
	struct dmapeek_mapping *x;

	dmapeek_for_each_mapping_of_attachment(m->ctx, att_id, x) {
		if (d->nr_maps == TOP_DETAIL_MAPS) {
			dmapeek_iter_end(x);
			return 0;
		}
		mapping_from(m, &d->maps[d->nr_maps], x);
		d->map_att[d->nr_maps++] = att_id;
	}
	return dmapeek_iter_err(m->ctx);
}

int top_model_detail(struct top_model *m, uint32_t buffer_id,
		     struct top_detail *d)
{
	struct dmapeek_attachment *a;
	unsigned int i;
	int err;

	memset(d, 0, sizeof(*d));
	d->buffer_id = buffer_id;
	if (!buffer_id)
		return 0;
	dmapeek_for_each_attachment_of_buffer(m->ctx, buffer_id, a) {
		if (d->nr_atts == TOP_DETAIL_ATTS) {
			dmapeek_iter_end(a);
			break;
		}
		att_from(&d->atts[d->nr_atts++], a);
	}
	err = dmapeek_iter_err(m->ctx);
	for (i = 0; !err && i < d->nr_atts; i++)
		err = detail_mappings(m, d, d->atts[i].id);
	/*
	 * Told in the pane, not the status line: the pane is re-read on
	 * every refresh and would bury the outcome of an operation there.
	 */
	d->err = err;
	return err;
}

/* --------------------------------------------------------- operations */

int top_model_move(struct top_model *m, uint32_t buffer_id, uint32_t provider)
{
	int err = dmapeek_move(m->ctx, buffer_id, provider, 0);

	if (err)
		set_err(m, err, "move buffer %" PRIu32 " to provider %" PRIu32,
			buffer_id, provider);
	else
		ok_msg(m, "moved buffer %" PRIu32
			 " to provider %" PRIu32, buffer_id, provider);
	mark_dirty(m, buffer_id);
	apply_dirty(m, true);
	return err;
}

int top_model_revoke(struct top_model *m, uint32_t buffer_id)
{
	struct dmapeek_revoke_result *r = NULL;
	int err = dmapeek_revoke(m->ctx, buffer_id, 0, &r);

	if (err) {
		set_err(m, err, "revoke buffer %" PRIu32, buffer_id);
	} else {
		char took[32];

		fmt_ns(took, sizeof(took), dmapeek_revoke_duration_ns(r));
		ok_msg(m, "revoked buffer %" PRIu32
			 ": %" PRIu32 " attachments invalidated, %" PRIu32
			 " stuck, took %s", buffer_id,
			 dmapeek_revoke_attachments(r), dmapeek_revoke_stuck(r), took);
		dmapeek_object_free(r);
	}
	mark_dirty(m, buffer_id);
	apply_dirty(m, true);
	return err;
}

int top_model_restore(struct top_model *m, uint32_t buffer_id)
{
	int err = dmapeek_restore(m->ctx, buffer_id);

	if (err)
		set_err(m, err, "restore buffer %" PRIu32, buffer_id);
	else
		ok_msg(m, "restored buffer %" PRIu32, buffer_id);
	mark_dirty(m, buffer_id);
	apply_dirty(m, true);
	return err;
}

static void remember_audit(struct top_model *m, uint32_t mapping_id,
			   const struct dmapeek_audit_report *r)
{
	int slot = audit_slot(m, mapping_id);
	struct top_audit_memo *memo;

	if (slot < 0) {
		/* a small ring: the oldest audit is forgotten first */
		if (m->nr_audits < sizeof(m->audits) / sizeof(m->audits[0]))
			m->nr_audits++;
		else
			memmove(m->audits, m->audits + 1,
				sizeof(m->audits) - sizeof(m->audits[0]));
		slot = (int)m->nr_audits - 1;
	}
	memo = &m->audits[slot];
	memo->mapping_id = mapping_id;
	memo->result = dmapeek_audit_result(r);
	memo->pages = dmapeek_audit_pages(r);
	memo->mismatches = dmapeek_audit_mismatches(r);
}

int top_model_audit(struct top_model *m, uint32_t buffer_id)
{
	struct top_detail *d = calloc(1, sizeof(*d));
	unsigned int i, done = 0, bad = 0;
	int err;

	if (!d)
		return -ENOMEM;
	err = top_model_detail(m, buffer_id, d);
	if (err)
		set_err(m, err, "buffer %" PRIu32 " mappings", buffer_id);
	for (i = 0; !err && i < d->nr_maps; i++) {
		struct dmapeek_audit_report *r;

		err = dmapeek_audit(m->ctx, d->maps[i].id, &r);
		if (err) {
			set_err(m, err, "audit mapping %" PRIu32, d->maps[i].id);
			break;
		}
		remember_audit(m, d->maps[i].id, r);
		if (dmapeek_audit_result(r) == DMAPEEK_AUDIT_RESULT_MISMATCH)
			bad++;
		dmapeek_object_free(r);
		done++;
	}
	if (!err)
		ok_msg(m, "audited %u mapping%s of buffer %"
			 PRIu32 ": %u with mismatches", done, done == 1 ? "" : "s",
			 buffer_id, bad);
	free(d);
	return err;
}
