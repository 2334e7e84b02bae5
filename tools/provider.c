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
	struct field_printer fp;

	fields_print_start(&fp, provider_fields, p);
	pr_open_obj(NULL);
	field_print(&fp, "id", "provider %" PRIu64 " ");
	field_print(&fp, "kind", "kind %s ");
	field_print_opt(&fp, "bdf", "bdf %s ");
	field_print_opt(&fp, "device_id", "device %" PRIu64 " ");
	field_print_opt(&fp, "bar", "bar %" PRIu64 " ");
	field_print(&fp, "size", "size %s ");
	field_print(&fp, "bytes_exported", "exported %s ");
	field_print(&fp, "buffers", "buffers %" PRIu64 " ");
	field_print_opt(&fp, "phys_start", "phys %#" PRIx64 " ");
	field_print_opt(&fp, "bus_offset", "bus_offset %#" PRIx64 " ");
	fields_print_rest(&fp, "");
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
