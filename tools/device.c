// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek device: the PCI functions bound to dmapeek.ko, the importers an
 * attachment is made for; their printer and verbs, and the hint an import
 * gives when the device it named is not bound.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"

static void print_device(const struct dmapeek_device *d)
{
	char name[256];
	const char *n = pci_name(dmapeek_device_bdf(d), name, sizeof(name));
	struct field_printer p;

	fields_print_start(&p, device_fields, d);
	pr_open_obj(NULL);
	field_print(&p, "id", "device %" PRIu64 " ");
	field_print(&p, "bdf", "bdf %s ");
	field_print(&p, "vendor", "vendor %04" PRIx64 " ");
	field_print(&p, "device", "device %04" PRIx64 " ");
	field_print(&p, "class", "class %06" PRIx64 " ");
	field_print(&p, "roles", NULL);
	/* -1 without a group: the library's getter says so when it is absent */
	field_done(&p, "iommu_group");
	pr_s64("iommu_group", "iommu_group %" PRId64 " ", dmapeek_device_iommu_group(d));
	field_print(&p, "domain_type", "domain %s ");
	field_print(&p, "dma_mask_bits", "dma_mask %" PRIu64 "bit ");
	field_print(&p, "attachments", "attachments %" PRIu64);
	fields_print_rest(&p, " ");
	if (n)
		pr_str("name", "\n    %s", n);
	pr_close_obj();
	pr_nl();
}

OBJECT(device, DMAPEEK_A_DEVICE_ID, print_device(x))

/*
 * ENODEV from an import: the device named is not bound to dmapeek, or
 * the exporter refused to attach (dmapeek's own refuses a revoked buffer).
 */
const char *device_hint(uint32_t id, char *buf, size_t len)
{
	struct dmapeek_device *d = dmapeek_device_get(dp.ctx, id);

	if (d) {
		dmapeek_object_free(d);
		snprintf(buf, len, "device %u is bound to dmapeek: the exporter "
			 "refused the attachment (dmapeek's refuses a revoked buffer)", id);
	} else if (errno == ENOENT) {
		snprintf(buf, len, "there is no device %u: \"dmapeek device\" lists the "
			 "devices bound to dmapeek, \"dmapeek bind\" binds one", id);
	} else {
		return NULL;
	}
	return buf;
}

/* The verbs of "dmapeek device"; new verbs go at the end. */
const struct cmd device_verbs[] = {
	OBJECT_VERBS(device),
	{ NULL },
};
