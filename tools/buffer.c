// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek buffer: the dma-bufs dmapeek.ko exported, each listed with its
 * attachments (two dumps merged as they stream), the attachments of any
 * dma-buf by descriptor ("buffer attachments"), and the operations on a
 * buffer: export, move, revoke and restore; at the end, the table of its
 * verbs ("buffer all", every dma-buf of the system, is buffer_all.c).
 * Exported buffers' fds stay open until exit, so a batch can import them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"

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
	struct field_printer p;

	fields_print_start(&p, buffer_fields, b);
	pr_open_obj(NULL);
	field_print(&p, "id", "buffer %" PRIu64 " ");
	field_print(&p, "name", "name \"%s\" ");
	field_print(&p, "size", "size %s ");
	field_print(&p, "model", "model %s ");
	field_print(&p, "provider_id", "provider %" PRIu64 " ");
	field_print(&p, "state", "state %s ");
	field_print(&p, "inode", "inode %" PRIu64);
	field_done(&p, "held");
	pr_bool("held", dmapeek_buffer_held(b) ? " held" : NULL,
		dmapeek_buffer_held(b));
	pr_nl();
	pr_text("    ");
	field_print(&p, "attachments", "attachments %" PRIu64 " ");
	field_print(&p, "pins", "pins %" PRIu64 " ");
	field_print(&p, "moves", "moves %" PRIu64 " ");
	field_print(&p, "revokes", "revokes %" PRIu64);
	field_print(&p, "created_ns", NULL);
	fields_print_rest(&p, " ");
	pr_nl();
	print_ranges(b, buffer_range_v, "    ");
	if (with_attachments) {
		pr_open_arr("attachment_list");
		print_buffer_attachments(b);
		pr_close_arr();
	}
	pr_close_obj();
}

/*
 * The attachments of a dma-buf with their flags (DMABUF_ATTACHMENTS), one
 * line each after @indent, each followed by the P2P verdict between the
 * exporter's device (said once, first) and its importer; a note when the
 * module gave fewer than there are.
 */
void print_dmabuf_attachments(const struct dmapeek_dmabuf *d,
				     const char *indent)
{
	unsigned int i, nr = dmapeek_dmabuf_nr_attachments(d);
	uint32_t total = dmapeek_dmabuf_total_attachments(d);
	struct exporter *e;

	p2p_exporter_print(d, indent, &e);
	pr_open_arr("attachments");
	for (i = 0; i < nr; i++) {
		const char *drv = dmapeek_dmabuf_attachment_driver(d, i);
		uint32_t id = dmapeek_dmabuf_attachment_id(d, i);

		pr_open_obj(NULL);
		pr_text("%s", indent);
		pr_str("device", "attached %s ", dmapeek_dmabuf_attachment_device(d, i));
		pr_str("driver", *drv ? "driver %s " : NULL, drv);
		print_flags("flags", dmapeek_dmabuf_attachment_flags(d, i),
			    dmapeek_attach_flag_str);
		if (id)
			pr_u64("attachment", "attachment %" PRIu64, id);
		else
			pr_null("attachment", NULL);
		pr_nl();
		p2p_verdict_print(e, dmapeek_dmabuf_attachment_device(d, i), indent);
		pr_close_obj();
	}
	pr_close_arr();
	if (total > nr)
		pr_text("%s(%u more attachments: the module reports %u at most)\n",
			indent, total - nr, (unsigned int)DMAPEEK_DMABUF_MAX_ATTACHMENTS);
}

#define ATTACHMENTS_ARGS	"fd FD|PID:FD"

/*
 * "buffer attachments fd FD|PID:FD": every attachment of a dma-buf of
 * this process, or of another (pidfd_getfd(): root), from any exporter,
 * with the flags the dma-buf core records.
 */
static int buffer_attachments(int argc, char **argv)
{
	const char *fdarg = NULL;
	const struct arg args[] = {
		{ "fd", A_STR, &fdarg, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	struct dmapeek_dmabuf *d;
	int fd, rc, err;
	uint32_t bid;
	bool own;

	rc = parse_args("buffer attachments", args, argc, argv);
	if (rc)
		return rc;
	p2p_verdicts_reset();
	if (!fdarg)
		return usage_err("usage: dmapeek buffer attachments " ATTACHMENTS_ARGS);
	rc = fd_arg(fdarg, &fd, &own);
	if (rc)
		return rc;
	rc = need_ctx();
	if (rc)
		goto out;
	d = dmapeek_dmabuf_attachments(dp.ctx, fd);
	if (!d) {
		const struct hint_for h = {
			EINVAL, "the descriptor is no dma-buf: see \"dmapeek buffer all\" "
			"for the descriptors processes hold", NULL, 0,
		};

		err = errno;
		rc = op_err_hint(err, &h, "attachments of fd %s", fdarg);
		goto out;
	}
	bid = dmapeek_dmabuf_buffer_id(d);
	pr_open_obj(NULL);
	pr_u64("inode", "dma-buf inode %" PRIu64 " ", dmapeek_dmabuf_inode(d));
	pr_size("size", "size %s ", dmapeek_dmabuf_size(d));
	pr_str("exp_name", "exporter %s ", dmapeek_dmabuf_exp_name(d));
	pr_bool("dynamic", dmapeek_dmabuf_dynamic(d) ? "(dynamic) " : NULL,
		dmapeek_dmabuf_dynamic(d));
	if (dmapeek_dmabuf_name(d))
		pr_str("name", "name \"%s\" ", dmapeek_dmabuf_name(d));
	else
		pr_null("name", NULL);
	if (bid)
		pr_u64("buffer", "buffer %" PRIu64 " ", bid);
	else
		pr_null("buffer", NULL);
	pr_u64("total", "attachments %" PRIu64, dmapeek_dmabuf_total_attachments(d));
	pr_nl();
	print_dmabuf_attachments(d, "    ");
	pr_close_obj();
	dmapeek_dmabuf_free(d);
out:
	if (own)
		close(fd);
	return rc;
}

/* "delete ID|all": drop what the module holds (buffer and attachment) */
int delete_held(const char *what, int (*del)(struct dmapeek *, uint32_t, uint32_t *),
		int argc, char **argv)
{
	uint32_t id = 0, n = 0;
	int rc, err;

	if (argc != 1 || (!matches(argv[0], "all") && (parse_u32(argv[0], &id) || !id)))
		return usage_err("usage: dmapeek %s delete ID|all", what);
	rc = need_ctx();
	if (rc)
		return rc;
	err = del(dp.ctx, id, &n);
	if (err)
		return id ? op_err(err, "delete %s %u", what, id) :
			    op_err(err, "delete every held %s", what);
	pr_open_obj(NULL);
	pr_u64("deleted", "deleted %" PRIu64 " ", n);
	pr_str("object", "held %s", what);
	pr_text(n == 1 ? "\n" : "s\n");
	pr_close_obj();
	return EXIT_OK;
}

static int buffer_delete(int argc, char **argv)
{
	return delete_held("buffer", dmapeek_buffer_delete, argc, argv);
}

/*
 * A dma-buf fd of buffer @id: the one this process exported, else a new
 * one from the module (any live buffer, root).  *@own says the caller
 * closes it.
 */
int buffer_fd(uint32_t id, int *fd, bool *own)
{
	int rc, err;

	*fd = held_fd(id);
	*own = false;
	if (*fd >= 0)
		return EXIT_OK;
	rc = need_ctx();
	if (rc)
		return rc;
	err = dmapeek_buffer_fd(dp.ctx, id, fd);
	if (err) {
		const struct hint_for h = {
			err, err == -EACCES ?
			"the module gives out only the buffers it holds: take one a "
			"process holds with \"fd PID:FD\"" :
			"no buffer has this id: see \"dmapeek buffer list\" (a "
			"\"temporary\" export ends with its command)", NULL, 0,
		};

		return op_err_hint(err, &h, "buffer %u", id);
	}
	*own = true;
	return EXIT_OK;
}

/*
 * "buffer exec ID -- COMMAND [ARGS]": run COMMAND with a dma-buf fd of the
 * buffer open, its number in DMAPEEK_BUFFER_FD (and the id in
 * DMAPEEK_BUFFER_ID); the exit status is COMMAND's (128 + signal if a
 * signal ended it).
 */
static int buffer_exec(int argc, char **argv)
{
	char num[16];
	uint32_t id;
	int fd, status, rc;
	bool own;
	pid_t pid;

	if (argc < 3 || parse_u32(argv[0], &id) || strcmp(argv[1], "--"))
		return usage_err("usage: dmapeek buffer exec ID -- COMMAND [ARGS]");
	rc = buffer_fd(id, &fd, &own);
	if (rc)
		return rc;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		rc = op_err(-errno, "fork");
	} else if (pid == 0) {
		/* the child's copy keeps its fd across exec */
		if (fcntl(fd, F_SETFD, 0) < 0)
			_exit(127);
		snprintf(num, sizeof(num), "%d", fd);
		setenv("DMAPEEK_BUFFER_FD", num, 1);
		snprintf(num, sizeof(num), "%u", id);
		setenv("DMAPEEK_BUFFER_ID", num, 1);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "dmapeek: %s: %s\n", argv[2], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (own)
		close(fd);
	return rc;
}

OBJECT(buffer, DMAPEEK_A_BUFFER_ID, print_buffer(x, true))

#define EXPORT_ARGS	"provider ID size SIZE [model pinned|movable|revocable] [name NAME] " \
	"[chunks page|large] [hold|temporary]"

static int cmd_export(int argc, char **argv)
{
	DMAPEEK_OPTS(dmapeek_export_opts, o, .model = DMAPEEK_MODEL_PINNED);
	uint32_t temporary = 0;
	const char *chunks = NULL;
	const struct arg args[] = {
		{ "provider", A_U32, &o.provider_id, 0 },
		{ "model", A_MODEL, &o.model, 0 },
		{ "size", A_SIZE, &o.length, 0 },
		{ "name", A_STR, &o.name, 0 },
		{ "hold", A_FLAG, &o.flags, DMAPEEK_EXPORT_HOLD },
		{ "temporary", A_FLAG, &temporary, 1 },
		{ "chunks", A_STR, &chunks, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	uint32_t id;
	int fd, rc, err;

	rc = parse_args("buffer export", args, argc, argv);
	if (rc)
		return rc;
	/* system memory page by page, or the largest chunks (the default) */
	if (chunks && matches(chunks, "page"))
		o.flags |= DMAPEEK_EXPORT_PAGE_CHUNKS;
	else if (chunks && !matches(chunks, "large"))
		return usage_err("bad chunks \"%s\" (page or large)", chunks);
	if (!o.provider_id || !o.length || (temporary && (o.flags & DMAPEEK_EXPORT_HOLD)))
		return usage_err("usage: dmapeek buffer export " EXPORT_ARGS);
	/* a command's buffer stays, a batch's ends with it unless held */
	if (!batch.file && !temporary)
		o.flags |= DMAPEEK_EXPORT_HOLD;
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
	pr_bool("held", (o.flags & DMAPEEK_EXPORT_HOLD) ?
		" held (until \"dmapeek buffer delete\")" : NULL,
		o.flags & DMAPEEK_EXPORT_HOLD);
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

static int cmd_restore(int argc, char **argv)
{
	return id_op("buffer", "restore", dmapeek_restore,
		     "restored buffer %" PRIu64, argc, argv);
}

#define MOVE_ARGS	"ID provider ID [timeout MS]"

static int cmd_move(int argc, char **argv)
{
	uint32_t id, prov = 0, timeout = 0;
	const struct arg args[] = {
		{ "provider", A_U32, &prov, 0 },
		{ "timeout", A_U32, &timeout, 0 },
		{ NULL, A_U32, NULL, 0 },
	};
	int rc, err;

	rc = parse_id_args("buffer move", MOVE_ARGS, &id, args, argc, argv);
	if (rc)
		return rc;
	if (!prov)
		return usage_err("usage: dmapeek buffer move " MOVE_ARGS);
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

#define REVOKE_ARGS	"ID [timeout MS]"

static int cmd_revoke(int argc, char **argv)
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

	rc = parse_id_args("buffer revoke", REVOKE_ARGS, &id, args, argc, argv);
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
 * The verbs of "dmapeek buffer".  A prefix names the first row it starts:
 * new verbs go at the end.
 */
const struct cmd buffer_verbs[] = {
	OBJECT_VERBS(buffer),
	{ "all", buffer_all, BUFFER_ALL_ARGS },
	{ "export", cmd_export, EXPORT_ARGS },
	{ "move", cmd_move, MOVE_ARGS },
	{ "revoke", cmd_revoke, REVOKE_ARGS },
	{ "restore", cmd_restore, "ID" },
	{ "delete", buffer_delete, "ID|all" },
	{ "exec", buffer_exec, "ID -- COMMAND [ARGS]" },
	{ "attachments", buffer_attachments, ATTACHMENTS_ARGS },
	{ NULL },
};
