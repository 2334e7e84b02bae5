/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The summary of an object's address ranges that "buffer show" and
 * "mapping show" print by default, as "ip" summarises and "ip -d" lists:
 * how many ranges, how many contiguous runs, the total, the smallest and
 * the largest.  A run is a range whose address does not continue the
 * previous one's, with every range that continues it; addresses are only
 * known to CAP_SYS_ADMIN callers, so without them the runs are unknown.
 */
#ifndef DMAPEEK_RANGES_H
#define DMAPEEK_RANGES_H

#include <stdbool.h>
#include <stdint.h>

#include <dmapeek.h>

struct range_summary {
	uint64_t count;
	uint64_t runs;			/* valid when runs_known */
	uint64_t bytes;
	uint64_t smallest, largest;	/* 0 without ranges */
	bool runs_known;		/* every range came with its address */
	uint64_t end;			/* where the last range's address ended */
};

void range_summary_init(struct range_summary *s);
/* Count @r, the range that follows those added before it. */
void range_summary_add(struct range_summary *s, const struct dmapeek_addr_range *r);

/*
 * One text line after @indent ("ranges 256 runs 3 total 1MiB smallest
 * 4KiB largest 4KiB"); in JSON the object "range_summary" with the keys
 * count, runs (null when unknown), bytes, smallest and largest.
 */
void range_summary_print(const struct range_summary *s, const char *indent);

#endif
