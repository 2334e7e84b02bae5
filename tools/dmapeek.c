// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the command line.  Object, then verb, as ip(8) and rdma(8);
 * every word may be shortened to a prefix ("dmapeek buf sh 3").  Built
 * on libdmapeek only; one printing path for text and JSON (json_print.c).
 *
 * Exit codes (documented in dmapeek(8)):
 *   0 success, 1 the operation failed, 2 usage error, 3 the module is not
 *   loaded, 4 permission denied, 5 the module does not support the
 *   operation, 6 an "expect" did not hold.
 *
 * utils.c has the errors, arguments and dispatch, batch.c batch files,
 * names and expect; cli.h is what the files share.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include <dmapeek.h>

#include "dmapeek_config.h"
#include "cli.h"
#include "fields.h"
#include "json_print.h"
#include "stats.h"
#include "walltime.h"

struct dp_state dp;

static int buffer_range_v(const void *b, unsigned int i, struct dmapeek_addr_range *r)
{
	return dmapeek_buffer_range(b, i, r);
}

/* The next attachment of the merged dump; its error kept when it ends. */
static void join_next(void)
{
	dp.join.a = dmapeek_attachment_next_in_buffer_order(dp.ctx, dp.join.a);
	if (!dp.join.a)
		dp.join.err = dmapeek_iter_err(dp.ctx);
}

/* End the merged dump: 0, or its error (as an exit code, told). */
int join_end(void)
{
	int err = dp.join.err;

	if (dp.join.a)
		dmapeek_iter_end(dp.join.a);
	memset(&dp.join, 0, sizeof(dp.join));
	return err ? op_err(err, "attachment dump") : EXIT_OK;
}

static void print_buffer_attachments(const struct dmapeek_buffer *b)
{
	uint32_t bid = dmapeek_buffer_id(b);
	struct dmapeek_attachment *a;

	if (dp.join.streaming && !dp.join.unsupported && !dp.join.started) {
		dp.join.started = true;
		join_next();
		if (dp.join.err == -EINVAL) {
			dp.join.unsupported = true;	/* a module before ABI 1.1 */
			dp.join.err = 0;
		}
	}
	if (!dp.join.streaming || dp.join.unsupported) {
		if (!dmapeek_buffer_attachments(b))
			return;
		dmapeek_for_each_attachment_of_buffer(dp.ctx, bid, a)
			print_attachment(a, true, true);
		return;
	}
	/* skip attachments of buffers this dump does not show (gone, new) */
	while (dp.join.a && dmapeek_attachment_buffer_id(dp.join.a) < bid)
		join_next();
	while (dp.join.a && dmapeek_attachment_buffer_id(dp.join.a) == bid) {
		print_attachment(dp.join.a, true, true);
		join_next();
	}
}

static void print_buffer(const struct dmapeek_buffer *b, bool with_attachments)
{
	pr_open_obj(NULL);
	pr_u64("id", "buffer %" PRIu64 " ", dmapeek_buffer_id(b));
	pr_str("name", "name \"%s\" ", dmapeek_buffer_name(b));
	pr_size("size", "size %s ", dmapeek_buffer_size(b));
	print_enum("model", "model %s ", dmapeek_buffer_model(b), dmapeek_model_str);
	pr_u64("provider_id", "provider %" PRIu64 " ", dmapeek_buffer_provider_id(b));
	print_enum("state", "state %s ", dmapeek_buffer_state(b),
		   dmapeek_buffer_state_str);
	pr_u64("inode", "inode %" PRIu64, dmapeek_buffer_inode(b));
	pr_nl();
	pr_text("    ");
	pr_u64("attachments", "attachments %" PRIu64 " ", dmapeek_buffer_attachments(b));
	pr_u64("pins", "pins %" PRIu64 " ", dmapeek_buffer_pins(b));
	pr_u64("moves", "moves %" PRIu64 " ", dmapeek_buffer_moves(b));
	pr_u64("revokes", "revokes %" PRIu64, dmapeek_buffer_revokes(b));
	pr_u64("created_ns", NULL, dmapeek_buffer_created_ns(b));
	pr_nl();
	print_ranges(b, buffer_range_v, "    ");
	if (with_attachments) {
		pr_open_arr("attachment_list");
		print_buffer_attachments(b);
		pr_close_arr();
	}
	pr_close_obj();
}

/* Every dma-buf in the system: bufinfo, fdinfo and the module joined. */
static int buffer_all(int argc, char **argv)
{
	struct dmapeek_sysview *v;
	unsigned int i, j, unreadable;
	int s;

	(void)argv;
	if (argc)
		return usage_err("\"buffer all\" takes no arguments");
	if (!dp.ctx) {
		dp.ctx = dmapeek_new();	/* optional here: no error if absent */
		if (dp.ctx)
			dmapeek_set_log_fn(dp.ctx, log_stderr, NULL);
	}
	v = dmapeek_sysview_new(dp.ctx, NULL);
	if (!v)
		return op_err(errno, "system-wide view");
	pr_open_obj(NULL);
	pr_open_arr("sources");
	for (s = 0; s < DMAPEEK_SRC_MAX; s++) {
		int err = dmapeek_sysview_source(v, s, &unreadable);

		pr_open_obj(NULL);
		pr_str("name", "source %s ", dmapeek_sysview_src_str(s));
		pr_str("status", "%s", err ? strerrorname_np(-err) ?: "error" : "ok");
		pr_u64("unreadable", unreadable ? " (%" PRIu64 " unreadable)" : NULL,
		       unreadable);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	pr_open_arr("buffers");
	for (i = 0; i < dmapeek_sysview_nr_buffers(v); i++) {
		const struct dmapeek_sysbuf *b = dmapeek_sysview_buffer(v, i);

		pr_open_obj(NULL);
		pr_u64("inode", "inode %" PRIu64 " ", dmapeek_sysbuf_inode(b));
		pr_size("size", "size %s ", dmapeek_sysbuf_size(b));
		pr_str("exp_name", "exporter %s ", dmapeek_sysbuf_exp_name(b));
		pr_str("name", "name \"%s\" ", dmapeek_sysbuf_name(b));
		pr_s64("count", "count %" PRId64 " ", dmapeek_sysbuf_count(b));
		if (dmapeek_sysbuf_buffer_id(b))
			pr_u64("buffer", "buffer %" PRIu64 " ", dmapeek_sysbuf_buffer_id(b));
		else
			pr_null("buffer", NULL);
		pr_nl();
		pr_open_arr("devices");
		for (j = 0; j < dmapeek_sysbuf_nr_devices(b); j++)
			pr_str(NULL, "    attached %s\n", dmapeek_sysbuf_device(b, j));
		pr_close_arr();
		pr_open_arr("fds");
		for (j = 0; j < dmapeek_sysbuf_nr_fds(b); j++) {
			const char *comm;
			int pid, fd;

			dmapeek_sysbuf_fd(b, j, &pid, &fd, &comm);
			pr_open_obj(NULL);
			pr_s64("pid", "    pid %" PRId64 " ", pid);
			pr_str("comm", "(%s) ", comm);
			pr_s64("fd", "fd %" PRId64, fd);
			pr_close_obj();
			pr_nl();
		}
		pr_close_arr();
		pr_close_obj();
	}
	pr_close_arr();
	pr_close_obj();
	dmapeek_sysview_free(v);
	return EXIT_OK;
}

OBJECT(buffer, DMAPEEK_A_BUFFER_ID, print_buffer(x, true), { "all", buffer_all },)

int cmd_export(int argc, char **argv)
{
	DMAPEEK_OPTS(dmapeek_export_opts, o, .model = DMAPEEK_MODEL_PINNED);
	const struct arg args[] = {
		{ "provider", A_U32, &o.provider_id, 0 },
		{ "model", A_MODEL, &o.model, 0 },
		{ "size", A_SIZE, &o.length, 0 },
		{ "name", A_STR, &o.name, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	uint32_t id;
	int fd, rc, err;

	rc = parse_args("export", args, argc, argv);
	if (rc)
		return rc;
	if (!o.provider_id || !o.length)
		return usage_err("usage: dmapeek export provider ID size SIZE "
				 "[model pinned|movable|revocable] [name NAME]");
	rc = need_ctx();
	if (rc)
		return rc;
	err = dmapeek_export(dp.ctx, &o, &fd, &id);
	if (err) {
		const struct hint_for h = { ENODEV, NULL, provider_hint, o.provider_id };

		return op_err_hint(err, &h, "export");
	}
	snprintf(batch.last_buffer, sizeof(batch.last_buffer), "%u", id);
	set_result(id);
	if (dp.nr_held < sizeof(dp.held) / sizeof(dp.held[0]))
		dp.held[dp.nr_held++] = (struct held){ .id = id, .fd = fd };
	pr_open_obj(NULL);
	pr_u64("buffer", "exported buffer %" PRIu64 " ", id);
	pr_s64("fd", "fd %" PRId64, fd);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

int held_fd(uint32_t id)
{
	unsigned int i;

	for (i = 0; i < dp.nr_held; i++)
		if (dp.held[i].id == id)
			return dp.held[i].fd;
	return -1;
}

int cmd_restore(int argc, char **argv)
{
	return id_op("restore", dmapeek_restore, "restored buffer %" PRIu64,
		     argc, argv);
}

int cmd_move(int argc, char **argv)
{
	uint32_t id, prov = 0, timeout = 0;
	const struct arg args[] = {
		{ "provider", A_U32, &prov, 0 },
		{ "timeout", A_U32, &timeout, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	int rc, err;

	rc = parse_id_args("move", "BUFFER provider ID [timeout MS]", &id, args,
			   argc, argv);
	if (rc)
		return rc;
	if (!prov)
		return usage_err("usage: dmapeek move BUFFER provider ID [timeout MS]");
	rc = need_ctx();
	if (rc)
		return rc;
	err = dmapeek_move(dp.ctx, id, prov, timeout);
	if (err) {
		const struct hint_for h = { ENODEV, NULL, provider_hint, prov };

		return op_err_hint(err, &h, "move buffer %u", id);
	}
	pr_open_obj(NULL);
	pr_u64("buffer", "moved buffer %" PRIu64 " ", id);
	pr_u64("provider", "to provider %" PRIu64, prov);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

int cmd_revoke(int argc, char **argv)
{
	struct dmapeek_revoke_result *r;
	uint32_t id, timeout = 0, aid;
	const struct arg args[] = {
		{ "timeout", A_U32, &timeout, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	uint64_t ns;
	unsigned int i;
	bool stuck;
	int rc, err;

	rc = parse_id_args("revoke", "BUFFER [timeout MS]", &id, args, argc, argv);
	if (rc)
		return rc;
	rc = need_ctx();
	if (rc)
		return rc;
	err = dmapeek_revoke(dp.ctx, id, timeout, &r);
	if (err)
		return op_err(err, "revoke buffer %u", id);
	pr_open_obj(NULL);
	pr_u64("buffer", "revoked buffer %" PRIu64 ": ", id);
	pr_u64("attachments", "%" PRIu64 " attachments invalidated, ",
	       dmapeek_revoke_attachments(r));
	pr_u64("stuck", "%" PRIu64 " stuck, ", dmapeek_revoke_stuck(r));
	pr_ns("duration_ns", "took %s", dmapeek_revoke_duration_ns(r));
	pr_nl();
	pr_open_arr("results");
	for (i = 0; !dmapeek_revoke_result(r, i, &aid, &ns, &stuck); i++) {
		pr_open_obj(NULL);
		pr_u64("attachment", "  attachment %" PRIu64 " ", aid);
		if (stuck)
			pr_null("unmap_ns", "STUCK (never unmapped) ");
		else
			pr_ns("unmap_ns", "unmapped after %s ", ns);
		pr_bool("stuck", NULL, stuck);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	pr_close_obj();
	dmapeek_object_free(dp.last_revoke);
	dp.last_revoke = r;
	return EXIT_OK;
}

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
	pr_open_obj(NULL);
	pr_text(nested ? "  " : "");
	pr_u64("id", "attachment %" PRIu64 " ", dmapeek_attachment_id(a));
	if (dmapeek_object_has(a, DMAPEEK_A_ATTACHMENT_BUFFER_ID))
		pr_u64("buffer_id", "buffer %" PRIu64 " ", dmapeek_attachment_buffer_id(a));
	pr_u64("inode", "inode %" PRIu64 " ", dmapeek_attachment_inode(a));
	pr_str("exp_name", "exporter %s ", dmapeek_attachment_exp_name(a));
	pr_size("size", "size %s ", dmapeek_attachment_size(a));
	pr_str("importer_dev", "importer %s ", dmapeek_attachment_importer_dev(a));
	pr_str("importer_driver", "driver %s ", dmapeek_attachment_importer_driver(a));
	if (dmapeek_object_has(a, DMAPEEK_A_ATTACHMENT_DEVICE_ID))
		pr_u64("device_id", "device %" PRIu64 " ", dmapeek_attachment_device_id(a));
	pr_nl();
	pr_text(nested ? "    " : "    ");
	print_flags("flags", dmapeek_attachment_flags(a), dmapeek_attach_flag_str);
	print_enum("map_type", "map_type %s ", dmapeek_attachment_map_type(a),
		   dmapeek_map_type_str);
	if (dmapeek_object_has(a, DMAPEEK_A_ATTACHMENT_BEHAVIOUR))
		print_enum("behaviour", "behaviour %s ", dmapeek_attachment_behaviour(a),
			   dmapeek_behaviour_str);
	if (dmapeek_object_has(a, DMAPEEK_A_ATTACHMENT_OWN_MAP))
		print_enum("own_map", "own_map %s ", dmapeek_attachment_own_map(a),
			   dmapeek_own_map_state_str);
	pr_bool("mapped", "mapped %s ", dmapeek_attachment_mapped(a));
	pr_bool("stuck", "stuck %s", dmapeek_attachment_stuck(a));
	pr_nl();
	pr_text("    ");
	pr_u64("maps", "maps %" PRIu64 " ", dmapeek_attachment_maps(a));
	pr_u64("unmaps", "unmaps %" PRIu64 " ", dmapeek_attachment_unmaps(a));
	pr_u64("unmap_delay_ms", NULL, dmapeek_attachment_unmap_delay_ms(a));
	pr_u64("last_map_ns", NULL, dmapeek_attachment_last_map_ns(a));
	pr_u64("last_unmap_ns", NULL, dmapeek_attachment_last_unmap_ns(a));
	pr_u64("last_invalidate_ns", NULL, dmapeek_attachment_last_invalidate_ns(a));
	pr_u64("invalidations", "invalidations %" PRIu64 " ",
	       dmapeek_attachment_invalidations(a));
	pr_u64("revoked_seen", "revoked_seen %" PRIu64 " ",
	       dmapeek_attachment_revoked_seen(a));
	pr_ns("last_unmap_latency_ns", "last_unmap %s ",
	      dmapeek_attachment_last_unmap_latency_ns(a));
	pr_ns("max_unmap_latency_ns", "max_unmap %s",
	      dmapeek_attachment_max_unmap_latency_ns(a));
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

OBJECT(attachment, DMAPEEK_A_ATTACHMENT_ID, print_attachment(x, false, true))

int cmd_import(int argc, char **argv)
{
	DMAPEEK_OPTS(dmapeek_import_opts, o);
	uint32_t dev = 0, bid = 0, fd = UINT32_MAX, aid;
	const struct arg args[] = {
		{ "device", A_U32, &dev, 0 },
		{ "buffer", A_U32, &bid, 0 },
		{ "fd", A_U32, &fd, 0 },
		{ "dynamic", A_FLAG, &o.flags, DMAPEEK_IMPORT_DYNAMIC },
		{ "pin", A_FLAG, &o.flags, DMAPEEK_IMPORT_PIN },
		{ "p2p", A_FLAG, &o.flags, DMAPEEK_IMPORT_PEER2PEER },
		{ "no-invalidate", A_FLAG, &o.flags, DMAPEEK_IMPORT_NO_INVALIDATE },
		{ "behaviour", A_BEHAVIOUR, &o.behaviour, 0 },
		{ "delay", A_U32, &o.unmap_delay_ms, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	int rc, err;

	rc = parse_args("import", args, argc, argv);
	if (rc)
		return rc;
	if ((!bid && fd == UINT32_MAX) || !dev)
		return usage_err("usage: dmapeek import {buffer ID|fd FD} device ID "
				 "[dynamic] [pin] [p2p] [behaviour B] [delay MS]");
	if (bid) {
		int hfd = held_fd(bid);

		if (hfd < 0)
			return usage_err("buffer %u was not exported by this dmapeek "
					 "(use -b to export and import in one run)", bid);
		fd = (uint32_t)hfd;
	}
	rc = need_ctx();
	if (rc)
		return rc;
	err = dmapeek_import(dp.ctx, (int)fd, dev, &o, &aid);
	if (err) {
		const struct hint_for h = { ENODEV, NULL, device_hint, dev };

		return op_err_hint(err, &h, "import");
	}
	snprintf(batch.last_attachment, sizeof(batch.last_attachment), "%u", aid);
	set_result(aid);
	pr_open_obj(NULL);
	pr_u64("attachment", "imported as attachment %" PRIu64, aid);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

int cmd_detach(int argc, char **argv)
{
	return id_op("detach", dmapeek_detach, "detached attachment %" PRIu64,
		     argc, argv);
}

int cmd_map(int argc, char **argv)
{
	return id_op("map", dmapeek_map, "mapped attachment %" PRIu64, argc, argv);
}

int cmd_unmap(int argc, char **argv)
{
	return id_op("unmap", dmapeek_unmap, "unmapped attachment %" PRIu64,
		     argc, argv);
}

/* dma read ATT [offset O] len L | dma write ATT [offset O] len L [pattern B] */
int cmd_dma(int argc, char **argv)
{
	uint64_t off = 0, len = 0, i;
	uint32_t id, pattern = 0xa5;
	const struct arg args[] = {
		{ "offset", A_SIZE, &off, 0 },
		{ "len", A_SIZE, &len, 0 },
		{ "pattern", A_BYTE, &pattern, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	const char *use = "{read|write} ATTACHMENT [offset O] len L [pattern BYTE]";
	unsigned char *buf;
	bool wr;
	int rc, err;

	if (argc < 1 || !(matches(argv[0], "read") || matches(argv[0], "write")))
		return usage_err("usage: dmapeek dma %s", use);
	wr = matches(argv[0], "write");
	rc = parse_id_args("dma", use, &id, args, argc - 1, argv + 1);
	if (rc)
		return rc;
	if (!len || len > (64 << 20))
		return usage_err("dma needs len, at most 64MiB");
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

static int mapping_range_v(const void *m, unsigned int i, struct dmapeek_addr_range *r)
{
	return dmapeek_mapping_range(m, i, r);
}

void print_mapping(const struct dmapeek_mapping *m, bool nested)
{
	pr_open_obj(NULL);
	pr_text(nested ? "  " : "");
	pr_u64("id", "mapping %" PRIu64 " ", dmapeek_mapping_id(m));
	pr_u64("attachment_id", "attachment %" PRIu64 " ", dmapeek_mapping_attachment_id(m));
	print_enum("path", "path %s ", dmapeek_mapping_path(m), dmapeek_mapping_path_str);
	pr_size("size", "size %s ", dmapeek_mapping_size(m));
	pr_ns("map_ns", "took %s", dmapeek_mapping_map_ns(m));
	pr_nl();
	print_ranges(m, mapping_range_v, "    ");
	pr_close_obj();
}

OBJECT(mapping, DMAPEEK_A_MAPPING_ID, print_mapping(x, false))

int cmd_audit(int argc, char **argv)
{
	struct dmapeek_audit_report *r;
	uint64_t iova, exp, act;
	unsigned int i;
	uint32_t id;
	int rc = parse_id_args("audit", "MAPPING", &id, no_args, argc, argv), err;

	if (rc)
		return rc;
	rc = need_ctx();
	if (rc)
		return rc;
	err = dmapeek_audit(dp.ctx, id, &r);
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

static void print_device(const struct dmapeek_device *d)
{
	char name[256];
	const char *n = pci_name(dmapeek_device_bdf(d), name, sizeof(name));

	pr_open_obj(NULL);
	pr_u64("id", "device %" PRIu64 " ", dmapeek_device_id(d));
	pr_str("bdf", "bdf %s ", dmapeek_device_bdf(d));
	pr_u64("vendor", "vendor %04" PRIx64 " ", dmapeek_device_vendor(d));
	pr_u64("device", "device %04" PRIx64 " ", dmapeek_device_device(d));
	pr_u64("class", "class %06" PRIx64 " ", dmapeek_device_class(d));
	print_flags("roles", dmapeek_device_roles(d), dmapeek_device_role_str);
	pr_s64("iommu_group", "iommu_group %" PRId64 " ", dmapeek_device_iommu_group(d));
	print_enum("domain_type", "domain %s ", dmapeek_device_domain_type(d),
		   dmapeek_domain_type_str);
	pr_u64("dma_mask_bits", "dma_mask %" PRIu64 "bit ", dmapeek_device_dma_mask_bits(d));
	pr_u64("attachments", "attachments %" PRIu64, dmapeek_device_attachments(d));
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

static void print_p2p(const struct dmapeek_p2p *c)
{
	pr_open_obj(NULL);
	pr_str("provider_bdf", "provider %s ", dmapeek_p2p_provider_bdf(c));
	pr_str("client_bdf", "client %s ", dmapeek_p2p_client_bdf(c));
	print_enum("map_type", "map_type %s ", dmapeek_p2p_map_type(c),
		   dmapeek_map_type_str);
	pr_s64("distance", "distance %" PRId64 " ", dmapeek_p2p_distance(c));
	print_enum("reason", "reason %s", dmapeek_p2p_reason(c), dmapeek_p2p_reason_str);
	pr_close_obj();
	pr_nl();
}

struct cell {
	char p[32], c[32];
	uint32_t type;
};

static int bdf_index(char (*list)[32], unsigned int *n, const char *bdf)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(list[i], bdf))
			return (int)i;
	if (*n >= 64)
		return -1;
	snprintf(list[*n], 32, "%s", bdf);
	return (int)(*n)++;
}

static int p2p_matrix(int argc, char **argv)
{
	static char prov[64][32], cli[64][32];
	static uint32_t type[64][64];
	unsigned int np = 0, nc = 0, i, j;
	struct dmapeek_p2p *c;
	char name[256];
	int rc;

	(void)argv;
	if (argc)
		return usage_err("\"p2p matrix\" takes no arguments");
	rc = need_ctx();
	if (rc)
		return rc;
	memset(type, 0xff, sizeof(type));
	pr_open_arr(NULL);
	dmapeek_for_each_p2p(dp.ctx, c) {
		int pi = bdf_index(prov, &np, dmapeek_p2p_provider_bdf(c) ?: "?");
		int ci = bdf_index(cli, &nc, dmapeek_p2p_client_bdf(c) ?: "?");

		if (pi >= 0 && ci >= 0)
			type[pi][ci] = dmapeek_p2p_map_type(c);
		if (pr_is_json())
			print_p2p(c);
	}
	pr_close_arr();
	rc = iter_done("p2p");
	if (rc || pr_is_json())
		return rc;
	/* clients by bus:device.function, whole: functions of one device differ */
	printf("%-14s", "provider");
	for (j = 0; j < nc; j++)
		printf(" %-7s", cli[j] + (strlen(cli[j]) > 7 ? strlen(cli[j]) - 7 : 0));
	printf("\n");
	for (i = 0; i < np; i++) {
		printf("%-14s", prov[i]);
		for (j = 0; j < nc; j++)
			printf(" %-7s", type[i][j] == UINT32_MAX ? "" : dmapeek_map_type_abbrev(type[i][j]));
		printf("\n");
	}
	printf("\nclients:\n");
	for (j = 0; j < nc; j++) {
		const char *n = pci_name(cli[j], name, sizeof(name));

		printf("  %s%s%s\n", cli[j], n ? "  " : "", n ? n : "");
	}
	printf("\nLegend:\n"
	       "  BUS = P2P through a PCI switch, bus addresses (bus-addr)\n"
	       "  HB  = P2P through the host bridge (thru-host-bridge)\n"
	       "  NS  = P2P not supported between the two (not-supported)\n"
	       "  X   = no P2P involved (none)\n"
	       "  ?   = unknown\n");
	return EXIT_OK;
}

/* Why the kernel's P2PDMA rules gave a pair its map type, in words. */
static const char *p2p_why(uint32_t reason)
{
	switch (reason) {
	case DMAPEEK_P2P_REASON_SYSTEM_MEMORY:
		return "the provider is system memory: no P2P, plain DMA";
	case DMAPEEK_P2P_REASON_SAME_DEVICE:
		return "provider and client are the same function";
	case DMAPEEK_P2P_REASON_COMMON_SWITCH:
		return "both sit below one PCI switch: TLPs turn there, bus addresses";
	case DMAPEEK_P2P_REASON_ACS_REDIRECT:
		return "ACS on the path redirects P2P up to the root: through the host bridge";
	case DMAPEEK_P2P_REASON_HOST_BRIDGE_ALLOWLIST:
		return "the host bridge is on the kernel's P2P allowlist";
	case DMAPEEK_P2P_REASON_AMD_CPU:
		return "AMD Zen host bridges forward P2P between root ports";
	case DMAPEEK_P2P_REASON_NOT_ALLOWLISTED:
		return "the path crosses a host bridge the kernel does not trust with P2P";
	case DMAPEEK_P2P_REASON_NOT_PCI:
		return "one side is not a PCI device";
	case DMAPEEK_P2P_REASON_NO_PROVIDER:
		return "the provider device has no P2P memory";
	default:
		return "the kernel gave no reason";
	}
}

#define MAX_HOPS	16

/*
 * The chain of sysfs devices above a PCI function, from its host bridge
 * ("pci0000:00") down to itself; the number of links, or -1.
 */
static int pci_chain(const char *bdf, char (*hop)[16])
{
	char path[PATH_MAX], *real, *p, *save = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	real = realpath(path, NULL);
	if (!real)
		return -1;
	p = strstr(real, "/devices/");
	for (p = p ? strtok_r(p + 9, "/", &save) : NULL; p && n < MAX_HOPS;
	     p = strtok_r(NULL, "/", &save))
		snprintf(hop[n++], sizeof(hop[0]), "%s", p);
	free(real);
	return n;
}

/*
 * The way from provider to client through the PCI hierarchy: up to the
 * deepest device both sit below (a switch port or the host bridge), then
 * down; what decides the map type.
 */
static void print_p2p_path(const char *pbdf, const char *cbdf)
{
	char up[MAX_HOPS][16], down[MAX_HOPS][16];
	int nu = pci_chain(pbdf, up), nd = pci_chain(cbdf, down), k, i;

	if (nu <= 0 || nd <= 0) {
		pr_null("path", "  path unknown (no sysfs)");
		pr_nl();
		return;
	}
	for (k = 0; k < nu && k < nd && !strcmp(up[k], down[k]); k++)
		;
	if (k == 0) {
		pr_null("path", "  path none: different PCI segments");
		pr_nl();
		return;
	}
	pr_text("  path ");
	pr_open_arr("path");
	for (i = nu - 1; i >= k; i--)
		pr_str(NULL, "%s -> ", up[i]);
	pr_str(NULL, "%s", up[k - 1]);
	pr_text(strncmp(up[k - 1], "pci", 3) ? " (common upstream port)" :
		" (host bridge)");
	for (i = k; i < nd; i++)
		pr_str(NULL, " -> %s", down[i]);
	pr_close_arr();
	pr_str("common", NULL, up[k - 1]);
	pr_nl();
}

/* One pair in full: the decision, why, and the path it was made on. */
static void print_p2p_detail(const struct dmapeek_p2p *c)
{
	const char *p = dmapeek_p2p_provider_bdf(c), *cl = dmapeek_p2p_client_bdf(c);
	char name[256];
	const char *n;

	pr_open_obj(NULL);
	pr_str("provider_bdf", "provider %s", p);
	n = pci_name(p, name, sizeof(name));
	pr_text("%s%s\n", n ? "  " : "", n ? n : "");
	pr_str("client_bdf", "client   %s", cl);
	n = pci_name(cl, name, sizeof(name));
	pr_text("%s%s\n", n ? "  " : "", n ? n : "");
	print_enum("map_type", "  map_type %s ", dmapeek_p2p_map_type(c),
		   dmapeek_map_type_str);
	pr_s64("distance", "distance %" PRId64 " ", dmapeek_p2p_distance(c));
	print_enum("reason", "reason %s", dmapeek_p2p_reason(c), dmapeek_p2p_reason_str);
	pr_nl();
	pr_str("why", "  why: %s", p2p_why(dmapeek_p2p_reason(c)));
	pr_nl();
	if (p && cl)
		print_p2p_path(p, cl);
	pr_close_obj();
}

static void *p2p_next_v(const void *prev)
{
	return dmapeek_p2p_next(dp.ctx, prev);
}

static void print_p2p_v(const void *c)
{
	print_p2p(c);
}

const struct objclass p2p_class = {
	"p2p", p2p_fields, NULL, p2p_next_v, print_p2p_v, 0,
};

static int p2p_list(int argc, char **argv)
{
	return obj_list(&p2p_class, argc, argv);
}

/* p2p show [FILTERS] | p2p show PROVIDER_BDF CLIENT_BDF */
static int p2p_show(int argc, char **argv)
{
	struct dmapeek_p2p *c;
	int rc;

	if (argc < 1 || !valid_bdf(argv[0]))
		return p2p_list(argc, argv);
	if (argc != 2 || !valid_bdf(argv[1]))
		return usage_err("usage: dmapeek p2p show PROVIDER_BDF CLIENT_BDF");
	rc = need_ctx();
	if (rc)
		return rc;
	c = dmapeek_p2p_get(dp.ctx, argv[0], argv[1]);
	if (!c)
		return op_err(errno, "p2p %s %s", argv[0], argv[1]);
	pr_open_arr(NULL);
	print_p2p_detail(c);
	pr_close_arr();
	dmapeek_object_free(c);
	return EXIT_OK;
}

static const struct cmd p2p_cmds[] = {
	{ "matrix", p2p_matrix }, { "show", p2p_show }, { "list", p2p_list },
	{ NULL, NULL },
};

int cmd_p2p(int argc, char **argv)
{
	return dispatch(p2p_cmds, argc, argv, "p2p command");
}

/* A PCI address as sysfs spells it: DDDD:BB:DD.F */
bool valid_bdf(const char *s)
{
	unsigned int d, b, dev, f;
	char end;

	return strlen(s) == 12 &&
	       sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &dev, &f, &end) == 4;
}

const char *pci_name(const char *bdf, char *buf, size_t len)
{
	char path[256];
	unsigned int ven = 0, dev = 0;
	FILE *f;

	if (dp.numeric || !bdf)
		return NULL;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", bdf);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%x", &ven) != 1) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", bdf);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%x", &dev) != 1) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	if (!dp.pacc) {
		dp.pacc = pci_alloc();
		if (!dp.pacc)
			return NULL;
		pci_init(dp.pacc);
	}
	return pci_lookup_name(dp.pacc, buf, len, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE,
			       ven, dev);
}

/* Close the names' database, if a name was looked up. */
void pci_names_free(void)
{
	if (dp.pacc)
		pci_cleanup(dp.pacc);
	dp.pacc = NULL;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int cmd_bind(int argc, char **argv)
{
	char path[256];
	int err;

	if (argc != 1 || !valid_bdf(argv[0]))
		return usage_err("usage: dmapeek bind DDDD:BB:DD.F");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", argv[0]);
	err = sysfs_write(path, "dmapeek");
	if (err)
		return op_err(err, "bind %s: %s", argv[0], path);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", argv[0]);
	err = sysfs_write(path, argv[0]);
	if (err && err != -ENOENT)
		return op_err(err, "bind %s: unbinding its driver", argv[0]);
	err = sysfs_write("/sys/bus/pci/drivers_probe", argv[0]);
	if (err)
		return op_err(err, "bind %s: drivers_probe", argv[0]);
	pr_open_obj(NULL);
	pr_str("bound", "bound %s to dmapeek", argv[0]);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

int cmd_unbind(int argc, char **argv)
{
	char path[256];
	int err;

	if (argc != 1 || !valid_bdf(argv[0]))
		return usage_err("usage: dmapeek unbind DDDD:BB:DD.F");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", argv[0]);
	err = sysfs_write(path, "\n");
	if (err)
		return op_err(err, "unbind %s: %s", argv[0], path);
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/dmapeek/unbind");
	err = sysfs_write(path, argv[0]);
	if (err) {
		const struct hint_for h = {
			ENODEV, "the device is not bound to dmapeek (\"dmapeek device\" "
			"lists those that are)", NULL, 0,
		};

		return op_err_hint(err, &h, "unbind %s from dmapeek", argv[0]);
	}
	pr_open_obj(NULL);
	pr_str("unbound", "unbound %s from dmapeek", argv[0]);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * The wall-clock time of an event stamped @mono_ns: always in JSON (key
 * "time", ISO 8601 with the UTC offset), in the text with -timestamp
 * (local time in brackets, as "ip monitor -t").
 */
static void print_walltime(uint64_t mono_ns)
{
	char when[64];

	if (!pr_is_json() && !dp.timestamp)
		return;
	if (walltime_fmt(when, sizeof(when), (int64_t)mono_ns + dp.mono_to_real_ns,
			 pr_is_json())) {
		pr_null("time", "[?] ");
		return;
	}
	pr_str("time", "[%s] ", when);
}

static void print_event(const struct dmapeek_event *e)
{
	uint64_t ns = dmapeek_event_timestamp_ns(e);

	pr_open_obj(NULL);
	/* the text shows the raw nanoseconds unless it shows the wall clock */
	pr_u64("timestamp_ns", dp.timestamp ? NULL : "[%" PRIu64 "] ", ns);
	print_walltime(ns);
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_SEQ))
		pr_u64("seq", "#%" PRIu64 " ", dmapeek_event_seq(e));
	print_enum("type", "%s", dmapeek_event_type(e), dmapeek_event_type_str);
#define EV_ID(attr, key, fmt, v) \
	if (dmapeek_object_has(e, attr)) \
		pr_u64(key, fmt, v)
	EV_ID(DMAPEEK_A_EVENT_BUFFER_ID, "buffer", " buffer %" PRIu64,
	      dmapeek_event_buffer_id(e));
	EV_ID(DMAPEEK_A_EVENT_ATTACHMENT_ID, "attachment", " attachment %" PRIu64,
	      dmapeek_event_attachment_id(e));
	EV_ID(DMAPEEK_A_EVENT_MAPPING_ID, "mapping", " mapping %" PRIu64,
	      dmapeek_event_mapping_id(e));
	EV_ID(DMAPEEK_A_EVENT_PROVIDER_ID, "provider", " provider %" PRIu64,
	      dmapeek_event_provider_id(e));
	EV_ID(DMAPEEK_A_EVENT_COUNT, "count", " count %" PRIu64, dmapeek_event_count(e));
#undef EV_ID
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_DURATION_NS))
		pr_ns("duration_ns", " took %s", dmapeek_event_duration_ns(e));
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_ERROR))
		pr_s64("error", " error %" PRId64, dmapeek_event_error(e));
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_MAP_TYPE))
		print_enum("map_type", " map_type %s", dmapeek_event_map_type(e),
			   dmapeek_map_type_str);
	/* the move or revoke this event belongs to (begin, stuck, done) */
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_OP))
		pr_u64("op", " op %" PRIu64, dmapeek_object_u64(e, DMAPEEK_A_EVENT_OP));
	/* the module's count of lost events: in the text when it is not 0 */
	if (dmapeek_object_has(e, DMAPEEK_A_EVENT_DROPPED))
		pr_u64("dropped", dmapeek_event_dropped(e) ? " dropped %" PRIu64 : NULL,
		       dmapeek_event_dropped(e));
	pr_close_obj();
	if (!pr_is_json())
		pr_nl();
	fflush(stdout);
}

static const struct objclass event_class = {
	"event", event_fields, NULL, NULL, NULL, 0,
};

/*
 * monitor [count N] [timeout S] [FIELD VALUE]...: JSON lines with -j; the
 * filters pick events by type or object ("monitor buffer 3 type stuck").
 */
int cmd_monitor(int argc, char **argv)
{
	uint32_t max = 0, timeout = 0, seen = 0;
	const struct arg args[] = {
		{ "count", A_U32, &max, 0 },
		{ "timeout", A_U32, &timeout, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	struct cond conds[MAX_CONDS];
	unsigned int n;
	uint64_t lost_shown = 0, missed_shown = 0;
	struct pollfd pfd;
	int rc, err, i;

	/* count and timeout come first, filters after. */
	for (i = 0; i + 1 < argc && find_arg(args, argv[i]) &&
	     !field_find(event_fields, argv[i]); i += 2)
		;
	rc = parse_args("monitor", args, i, argv);
	if (!rc)
		rc = parse_conds(&event_class, argc - i, argv + i, conds, &n);
	if (!rc)
		rc = need_ctx();
	if (rc)
		return rc;
	err = dmapeek_event_subscribe(dp.ctx);
	if (err)
		return op_err(err, "subscribe to events");
	dp.mono_to_real_ns = walltime_offset_ns();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pfd.fd = dmapeek_event_fd(dp.ctx);
	pfd.events = POLLIN;
	if (!dp.json)
		fprintf(stderr, "dmapeek: listening for events (Ctrl-C to stop)\n");
	while (!stop && (!max || seen < max)) {
		const struct dmapeek_event *e;
		int ready = poll(&pfd, 1, timeout ? (int)timeout * 1000 : -1);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return op_err(errno, "poll");
		if (ready == 0)
			break;
		while ((!max || seen < max) && (e = dmapeek_event_read(dp.ctx))) {
			/* a gap in the events' numbers, told before the next one */
			if (dmapeek_event_missed(dp.ctx) != missed_shown) {
				uint64_t gap = dmapeek_event_missed(dp.ctx) - missed_shown;

				missed_shown = dmapeek_event_missed(dp.ctx);
				pr_open_obj(NULL);
				print_walltime(dmapeek_event_timestamp_ns(e));
				pr_u64("missed", "missed %" PRIu64 " events", gap);
				pr_u64("before_seq", " before #%" PRIu64,
				       dmapeek_event_seq(e));
				pr_u64("dropped", " (the module dropped %" PRIu64 " since it was loaded)\n",
				       dmapeek_event_dropped(e));
				pr_close_obj();
			}
			if (!conds_match(conds, n, e))
				continue;
			print_event(e);
			seen++;
		}
		if (dmapeek_event_lost(dp.ctx) != lost_shown) {
			lost_shown = dmapeek_event_lost(dp.ctx);
			pr_open_obj(NULL);
			print_walltime(walltime_mono_ns());
			pr_u64("lost", "lost %" PRIu64 " events (queue overrun)\n",
			       lost_shown);
			pr_close_obj();
			fflush(stdout);
		}
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------- version */

static int cmd_version(int argc, char **argv)
{
	unsigned int lmaj, lmin, kmaj, kmin;
	int rc, err;

	(void)argc;
	(void)argv;
	dmapeek_lib_abi_version(&lmaj, &lmin);
	pr_open_obj(NULL);
	pr_str("version", "dmapeek %s, ", PACKAGE_VERSION);
	pr_text("library ABI %u.%u\n", lmaj, lmin);
	pr_open_obj("library_abi");
	pr_u64("major", NULL, lmaj);
	pr_u64("minor", NULL, lmin);
	pr_close_obj();
	rc = need_ctx();
	if (rc) {
		pr_close_obj();
		return rc;
	}
	err = dmapeek_abi_version(dp.ctx, &kmaj, &kmin);
	if (err) {
		pr_close_obj();
		return op_err(err, "ABI query");
	}
	pr_text("module ABI %u.%u (netlink)\n", kmaj, kmin);
	pr_open_obj("module_abi");
	pr_u64("major", NULL, kmaj);
	pr_u64("minor", NULL, kmin);
	pr_close_obj();
	err = dmapeek_dev_abi_version(dp.ctx, &kmaj, &kmin);
	if (!err)
		pr_text("module ABI %u.%u (/dev/dmapeek)\n", kmaj, kmin);
	else
		pr_text("/dev/dmapeek: %s\n", strerror(-err));
	pr_close_obj();
	return kmaj == lmaj ? EXIT_OK : EXIT_FAILED;
}

/* --------------------------------------------------------------- stats */

/* stats [format text|prometheus]: the sums are in stats.c. */
static int cmd_stats(int argc, char **argv)
{
	enum stats_format fmt = STATS_TEXT;
	const char *what, *bad = "";
	struct stats s;
	int rc, err;

	if (stats_parse_args(argc, argv, &fmt, &bad))
		return usage_err("bad stats argument \"%s\", usage: dmapeek stats "
				 "[format text|prometheus]", bad);
	rc = need_ctx();
	if (rc)
		return rc;
	err = stats_collect(dp.ctx, &s, &what);
	if (!err && fmt == STATS_PROMETHEUS)
		err = stats_write_prometheus(&s, stdout);
	else if (!err)
		stats_print(&s);
	stats_release(&s);
	return err ? op_err(err, "stats: %s", what) : EXIT_OK;
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dmapeek [OPTIONS] OBJECT [COMMAND [ARGS]]\n"
		"       dmapeek [OPTIONS] -b FILE [-force]\n"
		"where  OBJECT := { provider | device | buffer | attachment | mapping |\n"
		"                   p2p | monitor | version | export | import | detach |\n"
		"                   map | unmap | move | revoke | restore | dma | audit |\n"
		"                   bind | unbind | expect | stats | help }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -n[umeric] | -d[etails] |\n"
		"                    -t[imestamp] | -b[atch] FILE | -force |\n"
		"                    -D NAME=VALUE | -V[ersion] | -h[elp] }\n"
		"Every word may be shortened to a prefix; see dmapeek(8).\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

static const struct cmd objects[] = {
	{ "buffer", cmd_buffer },
	{ "attachment", cmd_attachment },
	{ "provider", cmd_provider },
	{ "device", cmd_device },
	{ "mapping", cmd_mapping },
	{ "p2p", cmd_p2p },
	{ "monitor", cmd_monitor },
	{ "version", cmd_version },
	{ "export", cmd_export },
	{ "import", cmd_import },
	{ "detach", cmd_detach },
	{ "map", cmd_map },
	{ "unmap", cmd_unmap },
	{ "move", cmd_move },
	{ "revoke", cmd_revoke },
	{ "restore", cmd_restore },
	{ "dma", cmd_dma },
	{ "audit", cmd_audit },
	{ "bind", cmd_bind },
	{ "unbind", cmd_unbind },
	{ "expect", cmd_expect },
	{ "stats", cmd_stats },
	{ "help", cmd_help },
	{ NULL, NULL },
};

/*
 * One command line or batch line: "$NAME = COMMAND..." names the id the
 * command gives, and "$NAME" words are replaced before the table is read.
 */
int run(int argc, char **argv)
{
	const char *name = NULL;
	int rc;

	if (argc >= 2 && argv[0][0] == '$' && !strcmp(argv[1], "=")) {
		name = argv[0] + 1;
		if (!valid_name(name))
			return usage_err("bad name \"%s\" (letters, digits, _ and -)",
					 argv[0]);
		argc -= 2;
		argv += 2;
		if (argc < 1)
			return usage_err("nothing to name $%s", name);
	}
	if (argc < 1)
		return cmd_help(0, argv);
	rc = substitute(argc, argv);
	if (rc)
		return rc;
	batch.result[0] = '\0';
	rc = dispatch(objects, argc, argv, "object");
	if (rc || !name)
		return rc;
	if (!*batch.result)
		return usage_err("\"%s\" gives no id to name $%s", argv[0], name);
	return var_set(name, batch.result);
}

/*
 * "dmapeek top ARGS": the live view is its own program (it links ncurses);
 * run dmapeek-top from beside this binary, else from PATH.
 */
static int exec_top(char **argv)
{
	static char name[] = "dmapeek-top";
	char self[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - sizeof(name));

	argv[0] = name;
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			strcpy(slash + 1, name);
			execv(self, argv);
		}
	}
	execvp("dmapeek-top", argv);
	fprintf(stderr, "dmapeek: cannot run dmapeek-top: %s\n", strerror(errno));
	return EXIT_FAILED;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc > 1 && !strcmp(argv[1], "top"))
		return exec_top(argv + 1);

	/* iproute2 style single-dash long options, prefixes accepted. */
	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *o = argv[1] + 1;

		if (*o == '-')
			o++;
		if (matches(o, "json")) {
			dp.json = true;
		} else if (matches(o, "pretty")) {
			dp.pretty = true;
		} else if (matches(o, "numeric")) {
			dp.numeric = true;
		} else if (matches(o, "details")) {
			dp.details = true;
		} else if (matches(o, "timestamp")) {
			dp.timestamp = true;
		} else if (!strcmp(o, "force") || !strcmp(o, "f")) {
			dp.force = true;
		} else if (matches(o, "batch")) {
			if (argc < 3)
				return usage_err("-b needs a file");
			batch.file = argv[2];
			argc--;
			argv++;
		} else if (!strcmp(o, "D") || !strcmp(o, "define")) {
			char *eq = argc > 2 ? strchr(argv[2], '=') : NULL;

			if (!eq)
				return usage_err("-D needs NAME=VALUE");
			*eq = '\0';
			if (!valid_name(argv[2]))
				return usage_err("bad name \"%s\"", argv[2]);
			rc = var_set(argv[2], eq + 1);
			if (rc)
				return rc;
			argc--;
			argv++;
		} else if (matches(o, "Version") || !strcmp(o, "V")) {
			printf("dmapeek %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		} else if (matches(o, "help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	pr_init(stdout, dp.json, dp.pretty);
	if (batch.file) {
		const char *file = batch.file;

		batch.file = NULL;
		rc = run_batch(file);
	} else {
		rc = run(argc - 1, argv + 1);
	}
	if (pr_done() && !rc)
		rc = EXIT_FAILED;
	dmapeek_object_free(dp.last_revoke);
	dmapeek_free(dp.ctx);
	pci_names_free();
	return rc;
}
