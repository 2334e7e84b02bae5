// SPDX-License-Identifier: GPL-2.0-only
/*
 * A min-heap of the lines monitor --all holds back (see evqueue.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evqueue.h"

void evq_init(struct evq *q)
{
	memset(q, 0, sizeof(*q));
}

static bool before(const struct evq_item *a, const struct evq_item *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->order < b->order);
}

static void swap(struct evq_item *a, struct evq_item *b)
{
	struct evq_item t = *a;

	*a = *b;
	*b = t;
}

int evq_push(struct evq *q, uint64_t ts, bool counts, char *text)
{
	size_t i;

	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		struct evq_item *h = realloc(q->heap, cap * sizeof(*h));

		if (!h) {
			free(text);
			return -ENOMEM;
		}
		q->heap = h;
		q->cap = cap;
	}
	i = q->n++;
	q->heap[i] = (struct evq_item){ ts, q->next_order++, counts, text };
	while (i && before(&q->heap[i], &q->heap[(i - 1) / 2])) {
		swap(&q->heap[i], &q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return 0;
}

bool evq_first(const struct evq *q, uint64_t *ts)
{
	if (!q->n)
		return false;
	*ts = q->heap[0].ts;
	return true;
}

bool evq_pop(struct evq *q, uint64_t until, struct evq_item *it)
{
	size_t i = 0;

	if (!q->n || q->heap[0].ts > until)
		return false;
	*it = q->heap[0];
	q->heap[0] = q->heap[--q->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < q->n && before(&q->heap[l], &q->heap[m]))
			m = l;
		if (r < q->n && before(&q->heap[r], &q->heap[m]))
			m = r;
		if (m == i)
			break;
		swap(&q->heap[i], &q->heap[m]);
		i = m;
	}
	return true;
}

void evq_free(struct evq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->heap[i].text);
	free(q->heap);
	evq_init(q);
}
