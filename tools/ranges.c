// SPDX-License-Identifier: GPL-2.0-only
/*
 * The summary of an object's address ranges (see ranges.h).
 */
#include <inttypes.h>

#include "json_print.h"
#include "ranges.h"

void range_summary_init(struct range_summary *s)
{
	*s = (struct range_summary){ .runs_known = true };
}

void range_summary_add(struct range_summary *s, const struct dmapeek_addr_range *r)
{
	if (!r->has_addr)
		s->runs_known = false;
	else if (!s->count || r->addr != s->end)
		s->runs++;
	if (r->has_addr)
		s->end = r->addr + r->len;
	if (!s->count || r->len < s->smallest)
		s->smallest = r->len;
	if (r->len > s->largest)
		s->largest = r->len;
	s->bytes += r->len;
	s->count++;
}

void range_summary_print(const struct range_summary *s, const char *indent)
{
	bool any = s->count > 0;	/* the text of no ranges is "ranges 0" */

	pr_open_obj("range_summary");
	pr_text("%s", indent);
	pr_u64("count", "ranges %" PRIu64, s->count);
	if (!s->runs_known)
		pr_null("runs", any ? " runs unknown" : NULL);
	else
		pr_u64("runs", any ? " runs %" PRIu64 : NULL, s->runs);
	pr_size("bytes", any ? " total %s" : NULL, s->bytes);
	pr_size("smallest", any ? " smallest %s" : NULL, s->smallest);
	pr_size("largest", any ? " largest %s" : NULL, s->largest);
	pr_close_obj();
	pr_nl();
}
