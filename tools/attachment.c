// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek attachment: a device's attachment to a dma-buf, with its
 * mappings; its printer and verbs, and the operations on one: import,
 * map, unmap, detach, dma read/write through it and the audit of its
 * mappings; at the end, the table of its verbs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"

/*
 * Can @a have a live mapping?  Mapped now, or more maps than unmaps
 * counted (a second mapping of an external importer): only then is its
 * mapping dump worth a round trip, which a listing of thousands of
 * attachments would otherwise pay once per attachment.
 */
static bool may_have_mappings(const struct dmapeek_attachment *a)
{
	return dmapeek_attachment_mapped(a) ||
	       dmapeek_attachment_maps(a) > dmapeek_attachment_unmaps(a);
}

void print_attachment(const struct dmapeek_attachment *a, bool nested,
		      bool with_mappings)
{
	struct field_printer p;

	fields_print_start(&p, attachment_fields, a);
	pr_open_obj(NULL);
	pr_text(nested ? "  " : "");
	field_print(&p, "id", "attachment %" PRIu64 " ");
	field_print_opt(&p, "buffer_id", "buffer %" PRIu64 " ");
	field_print(&p, "inode", "inode %" PRIu64 " ");
	field_print(&p, "exp_name", "exporter %s ");
	field_print(&p, "size", "size %s ");
	field_print(&p, "importer_dev", "importer %s ");
	field_print(&p, "importer_driver", "driver %s ");
	field_print_opt(&p, "device_id", "device %" PRIu64 " ");
	pr_nl();
	pr_text("    ");
	field_print(&p, "flags", NULL);
	field_print(&p, "map_type", "map_type %s ");
	field_print_opt(&p, "behaviour", "behaviour %s ");
	field_print_opt(&p, "own_map", "own_map %s ");
	field_print(&p, "mapped", "mapped %s ");
	field_print(&p, "stuck", "stuck %s");
	pr_nl();
	pr_text("    ");
	field_print(&p, "maps", "maps %" PRIu64 " ");
	field_print(&p, "unmaps", "unmaps %" PRIu64 " ");
	field_print(&p, "unmap_delay_ms", NULL);
	field_print(&p, "last_map_ns", NULL);
	field_print(&p, "last_unmap_ns", NULL);
	field_print(&p, "last_invalidate_ns", NULL);
	field_print(&p, "invalidations", "invalidations %" PRIu64 " ");
	field_print(&p, "revoked_seen", "revoked_seen %" PRIu64 " ");
	field_print(&p, "last_unmap_latency_ns", "last_unmap %s ");
	field_print(&p, "max_unmap_latency_ns", "max_unmap %s");
	fields_print_rest(&p, " ");
	pr_nl();
	if (with_mappings && may_have_mappings(a)) {
		struct dmapeek_mapping *m;

		pr_open_arr("mappings");
		dmapeek_for_each_mapping_of_attachment(dp.ctx, dmapeek_attachment_id(a), m)
			print_mapping(m, true);
		pr_close_arr();
	}
	pr_close_obj();
}

static int attachment_delete(int argc, char **argv)
{
	return delete_held("attachment", dmapeek_attachment_delete, argc, argv);
}

OBJECT(attachment, DMAPEEK_A_ATTACHMENT_ID, print_attachment(x, false, true))

#define IMPORT_ARGS	"{buffer ID | fd [PID:]FD} device ID [dynamic] [pin] [p2p] " \
	"[no-invalidate] [behaviour normal|never-unmap|delayed-unmap] [delay MS] " \
	"[hold|temporary]"

static int cmd_import(int argc, char **argv)
{
	DMAPEEK_OPTS(dmapeek_import_opts, o);
	uint32_t dev = 0, bid = 0, aid, temporary = 0;
	const char *fdarg = NULL;
	const struct arg args[] = {
		{ "device", A_U32, &dev, 0 },
		{ "buffer", A_U32, &bid, 0 },
		{ "fd", A_STR, &fdarg, 0 },
		{ "hold", A_FLAG, &o.flags, DMAPEEK_IMPORT_HOLD },
		{ "temporary", A_FLAG, &temporary, 1 },
		{ "dynamic", A_FLAG, &o.flags, DMAPEEK_IMPORT_DYNAMIC },
		{ "pin", A_FLAG, &o.flags, DMAPEEK_IMPORT_PIN },
		{ "p2p", A_FLAG, &o.flags, DMAPEEK_IMPORT_PEER2PEER },
		{ "no-invalidate", A_FLAG, &o.flags, DMAPEEK_IMPORT_NO_INVALIDATE },
		{ "behaviour", A_BEHAVIOUR, &o.behaviour, 0 },
		{ "delay", A_U32, &o.unmap_delay_ms, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	bool own = false;
	int fd, rc, err;

	rc = parse_args("attachment import", args, argc, argv);
	if (rc)
		return rc;
	if (!bid == !fdarg || !dev || (temporary && (o.flags & DMAPEEK_IMPORT_HOLD)))
		return usage_err("usage: dmapeek attachment import " IMPORT_ARGS);
	/* a command's import stays, a batch's ends with it unless held */
	if (!batch.file && !temporary)
		o.flags |= DMAPEEK_IMPORT_HOLD;
	rc = bid ? buffer_fd(bid, &fd, &own) : fd_arg(fdarg, &fd, &own);
	if (rc)
		return rc;
	rc = need_ctx();
	if (rc)
		goto out;
	err = dmapeek_import(dp.ctx, fd, dev, &o, &aid);
	if (err) {
		const struct hint_for h = { ENODEV, NULL, device_hint, dev };

		rc = op_err_hint(err, &h, "import");
		goto out;
	}
	snprintf(batch.last_attachment, sizeof(batch.last_attachment), "%u", aid);
	set_result(aid);
	pr_open_obj(NULL);
	pr_u64("attachment", "imported as attachment %" PRIu64, aid);
	pr_bool("held", (o.flags & DMAPEEK_IMPORT_HOLD) ?
		" held (until \"dmapeek attachment delete\")" : NULL,
		o.flags & DMAPEEK_IMPORT_HOLD);
	pr_close_obj();
	pr_nl();
out:
	if (own)
		close(fd);
	return rc;
}

/*
 * An import of this process goes with DETACH; one the module holds (made
 * by an earlier command) with attachment-delete.
 */
static int detach_or_delete(struct dmapeek *ctx, uint32_t id)
{
	int err = dmapeek_detach(ctx, id);

	return err == -ENOENT ? dmapeek_attachment_delete(ctx, id, NULL) : err;
}

static int cmd_detach(int argc, char **argv)
{
	return id_op("attachment", "detach", detach_or_delete,
		     "detached attachment %" PRIu64, argc, argv);
}

static int cmd_map(int argc, char **argv)
{
	return id_op("attachment", "map", dmapeek_map,
		     "mapped attachment %" PRIu64, argc, argv);
}

static int cmd_unmap(int argc, char **argv)
{
	return id_op("attachment", "unmap", dmapeek_unmap,
		     "unmapped attachment %" PRIu64, argc, argv);
}

#define DMA_ARGS	"{read|write} ID [offset O] len L [pattern BYTE]"

/* dma read ATT [offset O] len L | dma write ATT [offset O] len L [pattern B] */
static int cmd_dma(int argc, char **argv)
{
	uint64_t off = 0, len = 0, i;
	uint32_t id, pattern = 0xa5;
	const struct arg args[] = {
		{ "offset", A_SIZE, &off, 0 },
		{ "len", A_SIZE, &len, 0 },
		{ "pattern", A_BYTE, &pattern, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	unsigned char *buf;
	bool wr;
	int rc, err;

	if (argc < 1 || !(matches(argv[0], "read") || matches(argv[0], "write")))
		return usage_err("usage: dmapeek attachment dma " DMA_ARGS);
	wr = matches(argv[0], "write");
	rc = parse_id_args("attachment dma", DMA_ARGS, &id, args, argc - 1, argv + 1);
	if (rc)
		return rc;
	if (!len || len > DMAPEEK_DMA_MAX_LEN)
		return usage_err("dma needs len, at most %d", DMAPEEK_DMA_MAX_LEN);
	rc = need_ctx();
	if (rc)
		return rc;
	buf = malloc(len);
	if (!buf)
		return op_err(ENOMEM, "dma");
	memset(buf, (int)pattern, len);
	err = wr ? dmapeek_dma_write(dp.ctx, id, off, buf, len) :
		   dmapeek_dma_read(dp.ctx, id, off, buf, len);
	if (err) {
		free(buf);
		return op_err(err, "dma %s attachment %u", wr ? "write" : "read", id);
	}
	pr_open_obj(NULL);
	pr_str("op", "dma %s ", wr ? "write" : "read");
	pr_u64("attachment", "attachment %" PRIu64 " ", id);
	pr_u64("offset", "offset %" PRIu64 " ", off);
	pr_u64("len", "len %" PRIu64, len);
	if (!wr) {
		pr_nl();
		pr_open_arr("data");
		for (i = 0; i < len && i < 64; i++)
			pr_u64(NULL, i % 16 == 15 ? "%02" PRIx64 "\n" : "%02" PRIx64 " ",
			       buf[i]);
		pr_close_arr();
	}
	pr_close_obj();
	pr_nl();
	free(buf);
	return EXIT_OK;
}

/*
 * audit ID: every live mapping of the attachment audited as "mapping
 * audit" does, one report each (a JSON array of them).  Their ids are
 * gathered first, so no request runs inside the mapping dump.
 */
static int cmd_audit(int argc, char **argv)
{
	struct dmapeek_attachment *a;
	struct dmapeek_mapping *m;
	uint32_t id, *ids = NULL, *more;
	unsigned int n = 0, i;
	int rc = parse_id_args("attachment audit", "ID", &id, no_args, argc, argv);

	if (!rc)
		rc = need_ctx();
	if (rc)
		return rc;
	a = dmapeek_attachment_get(dp.ctx, id);
	if (!a) {
		const struct hint_for h = {
			ENOENT, "\"dmapeek attachment\" lists the attachments", NULL, 0,
		};

		return op_err_hint(errno, &h, "attachment %u", id);
	}
	dmapeek_object_free(a);
	dmapeek_for_each_mapping_of_attachment(dp.ctx, id, m) {
		more = realloc(ids, (n + 1) * sizeof(*ids));
		if (!more) {
			dmapeek_iter_end(m);
			free(ids);
			return op_err(ENOMEM, "audit attachment %u", id);
		}
		ids = more;
		ids[n++] = dmapeek_mapping_id(m);
	}
	rc = iter_done("mapping");
	if (!rc && !n) {
		fprintf(stderr, "dmapeek: ");
		where();
		fprintf(stderr, "attachment %u has no mapping to audit\n"
			"hint: \"dmapeek attachment map %u\" maps it\n", id, id);
		rc = EXIT_FAILED;
	}
	if (!rc) {
		pr_open_arr(NULL);
		for (i = 0; i < n && !rc; i++)
			rc = audit_mapping(ids[i]);
		pr_close_arr();
	}
	free(ids);
	return rc;
}

/*
 * The verbs of "dmapeek attachment".  A prefix names the first row it
 * starts: new verbs go at the end.
 */
const struct cmd attachment_verbs[] = {
	OBJECT_VERBS(attachment),
	{ "import", cmd_import, IMPORT_ARGS },
	{ "detach", cmd_detach, "ID" },
	{ "map", cmd_map, "ID" },
	{ "unmap", cmd_unmap, "ID" },
	{ "dma", cmd_dma, "read ID [offset O] len L\nwrite ID [offset O] len L [pattern BYTE]" },
	{ "audit", cmd_audit, "ID" },
	{ "delete", attachment_delete, "ID|all" },
	{ NULL },
};
