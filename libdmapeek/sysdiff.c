// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: two system-wide views compared, for leak hunting.
 *
 * A dma-buf's inode is its identity: the dma-buf filesystem numbers each
 * new buffer from a 64-bit counter and never reuses a number, so a buffer
 * of the second view whose inode the first lacks appeared in between, and
 * one of the first that the second lacks went.  The growth of a process
 * (or an exporter) is what it holds in the second view against the first:
 * buffers and bytes, and how many of its buffers are new to it or no
 * longer its own.  A buffer held by several processes counts for each of
 * them, as Android's dmabuf_dump counts it; a buffer no process holds
 * counts for pid 0, "kernel" when it is kept by the kernel alone and
 * "unknown" when some processes could not be read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct dmapeek_growth {
	int pid;			/* -1: an exporter */
	char *name;
	uint64_t before_buffers, before_bytes;
	uint64_t after_buffers, after_bytes;
	unsigned int appeared, gone;
};

struct dmapeek_sysdiff {
	const struct dmapeek_sysbuf **appeared, **gone;
	unsigned int nr_appeared, nr_gone;
	struct dmapeek_growth *growth[DMAPEEK_GROWTH_BY_MAX];
	unsigned int nr_growth[DMAPEEK_GROWTH_BY_MAX];
};

/* The rows of one table while they are built, found by pid and name. */
struct dp_keys {
	struct dmapeek_growth *rows;
	unsigned int nr, cap;
	unsigned int *hash;		/* index + 1, 0: empty */
	unsigned int hash_size;
};

/* One buffer held by one row's key, in the first view or the second. */
struct dp_pair {
	unsigned int key;
	bool after;
	uint64_t ino, size;
};

struct dp_pairs {
	struct dp_pair *p;
	size_t nr, cap;
};

static unsigned int dp_key_hash(int pid, const char *name, unsigned int size)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)(int64_t)pid;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return (unsigned int)(h >> 17) & (size - 1);
}

static int dp_keys_rehash(struct dp_keys *k, unsigned int size)
{
	unsigned int *h = calloc(size, sizeof(*h)), i, j;

	if (!h)
		return -ENOMEM;
	for (i = 0; i < k->nr; i++) {
		for (j = dp_key_hash(k->rows[i].pid, k->rows[i].name, size); h[j];
		     j = (j + 1) & (size - 1))
			;
		h[j] = i + 1;
	}
	free(k->hash);
	k->hash = h;
	k->hash_size = size;
	return 0;
}

/* The index of the row of (@pid, @name), added if new; -ENOMEM. */
static int dp_key(struct dp_keys *k, int pid, const char *name)
{
	struct dmapeek_growth *g;
	unsigned int j;

	if (k->hash_size)
		for (j = dp_key_hash(pid, name, k->hash_size); k->hash[j];
		     j = (j + 1) & (k->hash_size - 1)) {
			g = &k->rows[k->hash[j] - 1];
			if (g->pid == pid && !strcmp(g->name, name))
				return (int)k->hash[j] - 1;
		}
	if (k->nr == k->cap) {
		unsigned int cap = k->cap ? 2 * k->cap : 32;

		g = realloc(k->rows, cap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		k->rows = g;
		k->cap = cap;
	}
	if (2 * (k->nr + 1) > k->hash_size &&
	    dp_keys_rehash(k, k->hash_size ? 2 * k->hash_size : 64))
		return -ENOMEM;
	g = &k->rows[k->nr];
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	g->name = strdup(name);
	if (!g->name)
		return -ENOMEM;
	for (j = dp_key_hash(pid, name, k->hash_size); k->hash[j];
	     j = (j + 1) & (k->hash_size - 1))
		;
	k->hash[j] = k->nr + 1;
	return (int)k->nr++;
}

static int dp_pair_add(struct dp_pairs *ps, int key, bool after,
		       const struct dmapeek_sysbuf *b)
{
	if (key < 0)
		return key;
	if (ps->nr == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 256;
		struct dp_pair *n = realloc(ps->p, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		ps->p = n;
		ps->cap = cap;
	}
	ps->p[ps->nr++] = (struct dp_pair){ (unsigned int)key, after, b->ino, b->size };
	return 0;
}

/* The exporter a buffer is counted under. */
static const char *dp_exporter(const struct dmapeek_sysbuf *b)
{
	if (b->exp_name)
		return b->exp_name;
	/* known to the module alone: dmapeek.ko names its exports so */
	return b->buffer_id ? "dmapeek" : "unknown";
}

/* Every (row, buffer) pair of view @v for the table @by. */
static int dp_collect(struct dp_keys *k, struct dp_pairs *ps,
		      const struct dmapeek_sysview *v, bool after,
		      enum dmapeek_growth_by by)
{
	unsigned int i, j;
	int err = 0;

	for (i = 0; v && i < v->nr && !err; i++) {
		const struct dmapeek_sysbuf *b = &v->bufs[i];

		if (by == DMAPEEK_GROWTH_BY_EXPORTER) {
			err = dp_pair_add(ps, dp_key(k, -1, dp_exporter(b)), after, b);
			continue;
		}
		if (!b->nr_holders) {
			const char *who = b->flags & DMAPEEK_SYSBUF_KERNEL_ONLY ?
					  "kernel" : "unknown";

			err = dp_pair_add(ps, dp_key(k, 0, who), after, b);
			continue;
		}
		for (j = 0; j < b->nr_holders && !err; j++)
			err = dp_pair_add(ps, dp_key(k, b->holders[j].pid,
						     b->holders[j].comm), after, b);
	}
	return err;
}

static int dp_cmp_pair(const void *a, const void *b)
{
	const struct dp_pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return (int)x->after - (int)y->after;
}

#define DP_CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

/* Biggest growth in bytes first, then in buffers, then the largest now. */
static int dp_cmp_growth(const void *a, const void *b)
{
	const struct dmapeek_growth *x = a, *y = b;
	int64_t dx = (int64_t)(x->after_bytes - x->before_bytes);
	int64_t dy = (int64_t)(y->after_bytes - y->before_bytes);
	int r = DP_CMP(dy, dx);

	if (!r)
		r = DP_CMP((int64_t)(y->after_buffers - y->before_buffers),
			   (int64_t)(x->after_buffers - x->before_buffers));
	if (!r)
		r = DP_CMP(y->after_bytes, x->after_bytes);
	if (!r)
		r = DP_CMP(x->pid, y->pid);
	return r ? r : strcmp(x->name, y->name);
}

/* The table @by of @d: each row's figures from the pairs of both views. */
static int dp_growth(struct dmapeek_sysdiff *d, const struct dmapeek_sysview *before,
		     const struct dmapeek_sysview *after, enum dmapeek_growth_by by)
{
	struct dp_keys k = { 0 };
	struct dp_pairs ps = { 0 };
	size_t i, j;
	int err;

	err = dp_collect(&k, &ps, before, false, by);
	if (!err)
		err = dp_collect(&k, &ps, after, true, by);
	if (err)
		goto out;
	if (ps.nr)
		qsort(ps.p, ps.nr, sizeof(*ps.p), dp_cmp_pair);
	for (i = 0; i < ps.nr; i = j) {
		struct dmapeek_growth *g = &k.rows[ps.p[i].key];
		bool in_before = false, in_after = false;
		uint64_t sb = 0, sa = 0;

		for (j = i; j < ps.nr && ps.p[j].key == ps.p[i].key &&
		     ps.p[j].ino == ps.p[i].ino; j++) {
			if (ps.p[j].after) {
				in_after = true;
				sa = ps.p[j].size;
			} else {
				in_before = true;
				sb = ps.p[j].size;
			}
		}
		if (in_before) {
			g->before_buffers++;
			g->before_bytes += sb;
		}
		if (in_after) {
			g->after_buffers++;
			g->after_bytes += sa;
		}
		g->appeared += in_after && !in_before;
		g->gone += in_before && !in_after;
	}
	if (k.nr)
		qsort(k.rows, k.nr, sizeof(*k.rows), dp_cmp_growth);
	d->growth[by] = k.rows;
	d->nr_growth[by] = k.nr;
	k.rows = NULL;
	k.nr = 0;
out:
	for (i = 0; i < k.nr; i++)
		free(k.rows[i].name);
	free(k.rows);
	free(k.hash);
	free(ps.p);
	return err;
}

static int dp_cmp_buf_ino(const void *a, const void *b)
{
	const struct dmapeek_sysbuf *x = *(const struct dmapeek_sysbuf *const *)a;
	const struct dmapeek_sysbuf *y = *(const struct dmapeek_sysbuf *const *)b;

	return DP_CMP(x->ino, y->ino);
}

/* @v's buffers by inode (a view is sorted so, but a test's may not be). */
static const struct dmapeek_sysbuf **dp_by_ino(const struct dmapeek_sysview *v)
{
	const struct dmapeek_sysbuf **p;
	unsigned int i;

	p = malloc(((v ? v->nr : 0) + 1) * sizeof(*p));
	if (!p)
		return NULL;
	for (i = 0; v && i < v->nr; i++)
		p[i] = &v->bufs[i];
	if (v && v->nr)
		qsort(p, v->nr, sizeof(*p), dp_cmp_buf_ino);
	return p;
}

/* The buffers of one side only: a merge of the two by inode. */
static int dp_appeared_gone(struct dmapeek_sysdiff *d,
			    const struct dmapeek_sysview *before,
			    const struct dmapeek_sysview *after)
{
	const struct dmapeek_sysbuf **x = dp_by_ino(before), **y = dp_by_ino(after);
	unsigned int nx = before ? before->nr : 0, ny = after ? after->nr : 0;
	unsigned int i = 0, j = 0;

	d->gone = calloc(nx + 1, sizeof(*d->gone));
	d->appeared = calloc(ny + 1, sizeof(*d->appeared));
	if (!x || !y || !d->gone || !d->appeared) {
		free(x);
		free(y);
		return -ENOMEM;
	}
	while (i < nx || j < ny) {
		if (j == ny || (i < nx && x[i]->ino < y[j]->ino)) {
			d->gone[d->nr_gone++] = x[i++];
		} else if (i == nx || y[j]->ino < x[i]->ino) {
			d->appeared[d->nr_appeared++] = y[j++];
		} else {
			i++;
			j++;
		}
	}
	free(x);
	free(y);
	return 0;
}

DMAPEEK_EXPORT struct dmapeek_sysdiff *
dmapeek_sysdiff_new(const struct dmapeek_sysview *before,
		    const struct dmapeek_sysview *after)
{
	struct dmapeek_sysdiff *d;
	int by, err;

	if (!after) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	err = dp_appeared_gone(d, before, after);
	for (by = 0; by < DMAPEEK_GROWTH_BY_MAX && !err; by++)
		err = dp_growth(d, before, after, by);
	if (err) {
		dmapeek_sysdiff_free(d);
		errno = -err;
		return NULL;
	}
	return d;
}

DMAPEEK_EXPORT void dmapeek_sysdiff_free(struct dmapeek_sysdiff *d)
{
	unsigned int by, i;

	if (!d)
		return;
	for (by = 0; by < DMAPEEK_GROWTH_BY_MAX; by++) {
		for (i = 0; i < d->nr_growth[by]; i++)
			free(d->growth[by][i].name);
		free(d->growth[by]);
	}
	free(d->appeared);
	free(d->gone);
	free(d);
}

DMAPEEK_EXPORT unsigned int dmapeek_sysdiff_nr_appeared(const struct dmapeek_sysdiff *d)
{
	return d->nr_appeared;
}

DMAPEEK_EXPORT const struct dmapeek_sysbuf *
dmapeek_sysdiff_appeared(const struct dmapeek_sysdiff *d, unsigned int i)
{
	if (i >= d->nr_appeared) {
		errno = ERANGE;
		return NULL;
	}
	return d->appeared[i];
}

DMAPEEK_EXPORT unsigned int dmapeek_sysdiff_nr_gone(const struct dmapeek_sysdiff *d)
{
	return d->nr_gone;
}

DMAPEEK_EXPORT const struct dmapeek_sysbuf *
dmapeek_sysdiff_gone(const struct dmapeek_sysdiff *d, unsigned int i)
{
	if (i >= d->nr_gone) {
		errno = ERANGE;
		return NULL;
	}
	return d->gone[i];
}

DMAPEEK_EXPORT unsigned int dmapeek_sysdiff_nr_growth(const struct dmapeek_sysdiff *d,
						      enum dmapeek_growth_by by)
{
	return (unsigned int)by < DMAPEEK_GROWTH_BY_MAX ? d->nr_growth[by] : 0;
}

DMAPEEK_EXPORT const struct dmapeek_growth *
dmapeek_sysdiff_growth(const struct dmapeek_sysdiff *d, enum dmapeek_growth_by by,
		       unsigned int i)
{
	if ((unsigned int)by >= DMAPEEK_GROWTH_BY_MAX || i >= d->nr_growth[by]) {
		errno = ERANGE;
		return NULL;
	}
	return &d->growth[by][i];
}

DMAPEEK_EXPORT int dmapeek_growth_pid(const struct dmapeek_growth *g)
{
	return g->pid;
}

DMAPEEK_EXPORT const char *dmapeek_growth_name(const struct dmapeek_growth *g)
{
	return g->name;
}

DMAPEEK_EXPORT uint64_t dmapeek_growth_before_buffers(const struct dmapeek_growth *g)
{
	return g->before_buffers;
}

DMAPEEK_EXPORT uint64_t dmapeek_growth_before_bytes(const struct dmapeek_growth *g)
{
	return g->before_bytes;
}

DMAPEEK_EXPORT uint64_t dmapeek_growth_after_buffers(const struct dmapeek_growth *g)
{
	return g->after_buffers;
}

DMAPEEK_EXPORT uint64_t dmapeek_growth_after_bytes(const struct dmapeek_growth *g)
{
	return g->after_bytes;
}

DMAPEEK_EXPORT unsigned int dmapeek_growth_appeared(const struct dmapeek_growth *g)
{
	return g->appeared;
}

DMAPEEK_EXPORT unsigned int dmapeek_growth_gone(const struct dmapeek_growth *g)
{
	return g->gone;
}
