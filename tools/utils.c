// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every command of dmapeek uses: errors as words (the errno's name,
 * the kernel's extended ack, a hint, the exit code it maps to), reaching
 * the module, the operations on one id, the printers of flags, enums and
 * address ranges, and the "show", "list" and "find" verbs every object
 * shares.  The argument parser and prefix matcher are args.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"
#include "ranges.h"

void log_stderr(void *priv, enum dmapeek_log_level level,
		const char *fmt, va_list ap)
{
	(void)priv;
	(void)level;
	fputs("dmapeek: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("dmapeek: ", stderr);
	where();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/*
 * Print an error with the errno name, the kernel's text and a hint where
 * one helps (@h's for its errno first); returns the exit code the errno
 * maps to.
 */
static int vop_err(int err, const struct hint_for *h, const char *fmt, va_list ap)
{
	static const struct {
		int err, rc;
		const char *hint;
	} hints[] = {
		{ EPERM, EXIT_PERM, "this needs root (CAP_SYS_ADMIN)" },
		{ EACCES, EXIT_PERM, "this needs root (CAP_SYS_ADMIN)" },
		{ EOPNOTSUPP, EXIT_NOTSUP,
		  "this dmapeek.ko does not implement the operation yet" },
	};
	const char *ext = dp.ctx ? dmapeek_extack(dp.ctx) : NULL, *name, *hint = NULL;
	bool explained = ext && *ext;
	char buf[256];
	int rc = EXIT_FAILED;
	size_t i;

	if (err < 0)
		err = -err;
	dp.last_err = err;
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (hints[i].err == err) {
			rc = hints[i].rc;
			hint = hints[i].hint;
		}
	}
	/*
	 * A refusal the kernel explains is an answer ("this importer cannot
	 * take P2P memory"), not a missing operation: no guess, no exit 5.
	 */
	if (err == EOPNOTSUPP && explained) {
		rc = EXIT_FAILED;
		hint = NULL;
	}
	if (dp.quiet_errors)
		return rc;
	name = strerrorname_np(err);
	fputs("dmapeek: ", stderr);
	where();
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s (%s)", strerror(err), name ? name : "?");
	if (explained)
		fprintf(stderr, ": %s", ext);
	fputc('\n', stderr);
	if (h && h->err == err)
		hint = h->fn ? h->fn(h->id, buf, sizeof(buf)) : h->text;
	if (hint)
		fprintf(stderr, "hint: %s\n", hint);
	return rc;
}

int op_err(int err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vop_err(err, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int op_err_hint(int err, const struct hint_for *h, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vop_err(err, h, fmt, ap);
	va_end(ap);
	return rc;
}

int fd_arg(const char *s, int *fd, bool *own)
{
	uint32_t pid, num;
	int ret;

	*own = false;
	if (parse_pid_fd(s, &pid, &num))
		return usage_err("bad fd \"%s\" (FD or PID:FD)", s);
	if (!pid) {
		*fd = (int)num;
		return EXIT_OK;
	}
	ret = dmapeek_pid_fd((int)pid, (int)num);
	if (ret < 0) {
		const struct hint_for h = {
			EPERM, "taking another process's descriptor needs the right to "
			"ptrace it (root, or CAP_SYS_PTRACE)", NULL, 0,
		};

		return op_err_hint(ret, &h, "descriptor %u of process %u", num, pid);
	}
	*fd = ret;
	*own = true;
	return EXIT_OK;
}

int need_ctx(void)
{
	if (dp.ctx)
		return 0;
	dp.ctx = dmapeek_new();
	if (!dp.ctx) {
		int err = errno;

		fputs("dmapeek: ", stderr);
		where();
		fprintf(stderr, "cannot reach dmapeek.ko: %s (%s)\n",
			strerror(err), strerrorname_np(err) ?: "?");
		if (err == ENOENT)
			fputs("hint: is the module loaded? try \"modprobe dmapeek\"; it "
			      "answers in the initial network namespace only\n",
			      stderr);
		if (err == EPROTO) {
			unsigned int maj, min;

			dmapeek_lib_abi_version(&maj, &min);
			fprintf(stderr,
				"hint: the loaded dmapeek.ko speaks another ABI major than "
				"this libdmapeek (%u.%u; the module's is in the kernel log: "
				"\"dmapeek: ABI X.Y loaded\"): install the dmapeek.ko of the "
				"same release\n", maj, min);
		}
		return EXIT_NOMODULE;
	}
	dmapeek_set_log_fn(dp.ctx, log_stderr, NULL);
	return 0;
}

/* ------------------------------------------------------------ operations */

/*
 * The operations on one id that answer only with success: "dmapeek OBJECT
 * VERB ID", told as "VERB OBJECT ID" when it fails ("restore buffer 3").
 */
int id_op(const char *object, const char *verb, int (*op)(struct dmapeek *, uint32_t),
	  const char *done, int argc, char **argv)
{
	char cmd[64];
	uint32_t id;
	int rc, err;

	snprintf(cmd, sizeof(cmd), "%s %s", object, verb);
	rc = parse_id_args(cmd, "ID", &id, no_args, argc, argv);
	if (rc)
		return rc;
	rc = need_ctx();
	if (rc)
		return rc;
	err = op(dp.ctx, id);
	if (err)
		return op_err(err, "%s %s %u", verb, object, id);
	pr_open_obj(NULL);
	pr_u64("id", done, id);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

/* ------------------------------------------------------------- printing */

static void print_range(const struct dmapeek_addr_range *r, const char *indent)
{
	pr_open_obj(NULL);
	pr_text("%srange ", indent);
	pr_u64("offset", "offset %#" PRIx64 " ", r->offset);
	pr_size("len", "len %s ", r->len);
	if (r->has_addr)
		pr_u64("addr", "addr %#" PRIx64 " ", r->addr);
	else
		pr_null("addr", "addr hidden ");
	if (r->kind)
		print_enum("kind", "kind %s", r->kind, dmapeek_addr_kind_str);
	pr_close_obj();
	pr_nl();
}

/*
 * The summary of @obj's ranges, then every range: in JSON always, in the
 * text with -details only (a 1 MiB buffer of pages has 256).
 */
void print_ranges(const void *obj, range_fn range, const char *indent)
{
	struct dmapeek_addr_range r;
	struct range_summary sum;
	unsigned int i;

	range_summary_init(&sum);
	for (i = 0; !range(obj, i, &r); i++)
		range_summary_add(&sum, &r);
	range_summary_print(&sum, indent);
	if (!dp.details && !pr_is_json())
		return;
	pr_open_arr("ranges");
	for (i = 0; !range(obj, i, &r); i++)
		print_range(&r, indent);
	pr_close_arr();
}

/* ------------------------------------------------------------- objects */

int iter_done(const char *what)
{
	int err = dmapeek_iter_err(dp.ctx);

	return err ? op_err(err, "%s dump", what) : EXIT_OK;
}

/* "FIELD [OP] VALUE"... up to the end of the words. */
int parse_conds(const struct objclass *oc, int argc, char **argv,
		struct cond *conds, unsigned int *n)
{
	char why[128];

	for (*n = 0; argc > 0; (*n)++) {
		int used;

		if (*n == MAX_CONDS)
			return usage_err("at most %d filters", MAX_CONDS);
		used = cond_parse(oc->fields, argc, argv, &conds[*n], why, sizeof(why));
		if (used < 0)
			return usage_err("%s: %s", oc->name, why);
		argc -= used;
		argv += used;
	}
	return 0;
}

/*
 * The list/show body every object shares: with an id, a lookup; without,
 * a streamed dump (with an optional filter).
 */
int obj_list(const struct objclass *oc, int argc, char **argv)
{
	struct cond conds[MAX_CONDS];
	unsigned int n;
	uint32_t id = 0;
	bool by_id = argc > 0 && isdigit((unsigned char)argv[0][0]);
	void *x;
	int rc, jrc;

	if (by_id && (!oc->get || parse_u32(argv[0], &id)))
		return usage_err("bad %s id \"%s\"", oc->name, argv[0]);
	rc = parse_conds(oc, argc - by_id, argv + by_id, conds, &n);
	if (rc)
		return rc;
	rc = need_ctx();
	if (rc)
		return rc;
	if (by_id) {
		x = oc->get(id);
		if (!x) {
			int err = errno;
			char hint[64];
			const struct hint_for h = { ENOENT, hint, NULL, 0 };

			snprintf(hint, sizeof(hint), "\"dmapeek %s\" lists the %ss",
				 oc->name, oc->name);
			return op_err_hint(err, &h, "%s %u", oc->name, id);
		}
		pr_open_arr(NULL);
		if (conds_match(conds, n, x))
			oc->print(x);
		pr_close_arr();
		dmapeek_object_free(x);
		return EXIT_OK;
	}
	pr_open_arr(NULL);
	dp.join.streaming = true;
	for (x = oc->next(NULL); x; x = oc->next(x))
		if (conds_match(conds, n, x))
			oc->print(x);
	rc = iter_done(oc->name);
	pr_close_arr();
	jrc = join_end();
	return rc ? rc : jrc;
}

/* The id of the first object that passes the filters. */
int obj_find(const struct objclass *oc, int argc, char **argv)
{
	struct cond conds[MAX_CONDS];
	unsigned int n;
	uint32_t id;
	void *x;
	int rc = parse_conds(oc, argc, argv, conds, &n);

	if (rc)
		return rc;
	if (!n || !oc->id_attr)
		return usage_err("usage: dmapeek %s find FIELD VALUE...", oc->name);
	rc = need_ctx();
	if (rc)
		return rc;
	for (x = oc->next(NULL); x; x = oc->next(x))
		if (conds_match(conds, n, x))
			break;
	if (!x) {
		rc = iter_done(oc->name);
		if (rc)
			return rc;
		fprintf(stderr, "dmapeek: ");
		where();
		fprintf(stderr, "no %s matches the filters\n", oc->name);
		return EXIT_FAILED;
	}
	id = (uint32_t)dmapeek_object_u64(x, oc->id_attr);
	dmapeek_iter_end(x);
	set_result(id);
	pr_open_obj(NULL);
	pr_str("object", "%s ", oc->name);
	pr_u64("id", "%" PRIu64, id);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}
