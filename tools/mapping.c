// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek mapping: one mapping of an attachment, the addresses a device
 * was given; its printer and verbs, and "audit", which checks a mapping's
 * addresses against the IOMMU's page tables; at the end, the table of its
 * verbs.
 */
#include <inttypes.h>
#include <stdio.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"

static int mapping_range_v(const void *m, unsigned int i, struct dmapeek_addr_range *r)
{
	return dmapeek_mapping_range(m, i, r);
}

void print_mapping(const struct dmapeek_mapping *m, bool nested)
{
	struct field_printer p;

	fields_print_start(&p, mapping_fields, m);
	pr_open_obj(NULL);
	pr_text(nested ? "  " : "");
	field_print(&p, "id", "mapping %" PRIu64 " ");
	field_print(&p, "attachment_id", "attachment %" PRIu64 " ");
	field_print(&p, "path", "path %s ");
	field_print(&p, "size", "size %s ");
	field_print(&p, "map_ns", "took %s");
	fields_print_rest(&p, " ");
	pr_nl();
	print_ranges(m, mapping_range_v, "    ");
	pr_close_obj();
}

OBJECT(mapping, DMAPEEK_A_MAPPING_ID, print_mapping(x, false))

/* Audit mapping @id and print the report (also "attachment audit"'s). */
int audit_mapping(uint32_t id)
{
	struct dmapeek_audit_report *r;
	uint64_t iova, exp, act;
	unsigned int i;
	int err = dmapeek_audit(dp.ctx, id, &r);

	if (err)
		return op_err(err, "audit mapping %u", id);
	pr_open_obj(NULL);
	pr_u64("mapping", "mapping %" PRIu64 " ", id);
	print_enum("result", "result %s ", dmapeek_audit_result(r), dmapeek_audit_result_str);
	print_enum("domain_type", "domain %s ", dmapeek_audit_domain_type(r),
		   dmapeek_domain_type_str);
	pr_u64("pages", "pages %" PRIu64 " ", dmapeek_audit_pages(r));
	pr_u64("mismatches", "mismatches %" PRIu64 " ", dmapeek_audit_mismatches(r));
	pr_u64("holes", "holes %" PRIu64, dmapeek_audit_holes(r));
	pr_nl();
	pr_open_arr("samples");
	for (i = 0; !dmapeek_audit_sample(r, i, &iova, &exp, &act); i++) {
		pr_open_obj(NULL);
		pr_u64("iova", "  iova %#" PRIx64 " ", iova);
		pr_u64("expected", "expected %#" PRIx64 " ", exp);
		pr_u64("actual", "actual %#" PRIx64, act);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	pr_close_obj();
	dmapeek_object_free(r);
	return EXIT_OK;
}

static int cmd_audit(int argc, char **argv)
{
	uint32_t id;
	int rc = parse_id_args("mapping audit", "ID", &id, no_args, argc, argv);

	if (!rc)
		rc = need_ctx();
	return rc ? rc : audit_mapping(id);
}

/*
 * The verbs of "dmapeek mapping".  A prefix names the first row it starts:
 * new verbs go at the end.
 */
const struct cmd mapping_verbs[] = {
	OBJECT_VERBS(mapping),
	{ "audit", cmd_audit, "ID" },
	{ NULL },
};
