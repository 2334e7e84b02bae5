// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek provider: the memory dmapeek.ko exports from (system memory or
 * a device's BAR), its printer and verbs, and the hint an export or a move
 * gives when the provider it named is not there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"

static void print_provider(const struct dmapeek_provider *p)
{
	uint64_t v;

	pr_open_obj(NULL);
	pr_u64("id", "provider %" PRIu64 " ", dmapeek_provider_id(p));
	print_enum("kind", "kind %s ", dmapeek_provider_kind(p),
		   dmapeek_provider_kind_str);
	if (dmapeek_provider_bdf(p))
		pr_str("bdf", "bdf %s ", dmapeek_provider_bdf(p));
	if (dmapeek_object_has(p, DMAPEEK_A_PROVIDER_DEVICE_ID))
		pr_u64("device_id", "device %" PRIu64 " ", dmapeek_provider_device_id(p));
	if (dmapeek_object_has(p, DMAPEEK_A_PROVIDER_BAR))
		pr_u64("bar", "bar %" PRIu64 " ", dmapeek_provider_bar(p));
	pr_size("size", "size %s ", dmapeek_provider_size(p));
	pr_size("bytes_exported", "exported %s ", dmapeek_provider_bytes_exported(p));
	pr_u64("buffers", "buffers %" PRIu64 " ", dmapeek_provider_buffers(p));
	if (!dmapeek_provider_phys_start(p, &v))
		pr_u64("phys_start", "phys %#" PRIx64 " ", v);
	if (!dmapeek_provider_bus_offset(p, &v))
		pr_u64("bus_offset", "bus_offset %#" PRIx64 " ", v);
	pr_close_obj();
	pr_nl();
}

OBJECT(provider, DMAPEEK_A_PROVIDER_ID, print_provider(x))

/*
 * ENODEV from an export or a move: the provider named is not there (or
 * its device is going away).  Say so when a lookup confirms it.
 */
const char *provider_hint(uint32_t id, char *buf, size_t len)
{
	struct dmapeek_provider *p = dmapeek_provider_get(dp.ctx, id);

	if (p) {
		dmapeek_object_free(p);
		return NULL;
	}
	if (errno != ENOENT)
		return NULL;
	snprintf(buf, len, "there is no provider %u: \"dmapeek provider\" lists "
		 "the providers", id);
	return buf;
}

/* The verbs of "dmapeek provider"; new verbs go at the end. */
const struct cmd provider_verbs[] = {
	OBJECT_VERBS(provider),
	{ NULL },
};
