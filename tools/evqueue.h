/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lines monitor --all holds back to print two streams in time order:
 * a min-heap by timestamp, ties in the order the lines came.
 */
#ifndef DMAPEEK_EVQUEUE_H
#define DMAPEEK_EVQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evq_item {
	uint64_t ts;
	uint64_t order;		/* arrival: breaks ties */
	bool counts;		/* an event ("count N"), not a note */
	char *text;		/* the line(s), owned by the queue until popped */
};

struct evq {
	struct evq_item *heap;
	size_t n, cap;
	uint64_t next_order;
};

void evq_init(struct evq *q);
/* Queue @text (freed by the queue, also on failure): 0 or -ENOMEM. */
int evq_push(struct evq *q, uint64_t ts, bool counts, char *text);
/* The earliest item's time: false when the queue is empty. */
bool evq_first(const struct evq *q, uint64_t *ts);
/* Take the earliest item if it is stamped @until or earlier. */
bool evq_pop(struct evq *q, uint64_t until, struct evq_item *it);
void evq_free(struct evq *q);

#endif
