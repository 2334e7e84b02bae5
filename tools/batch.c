// SPDX-License-Identifier: GPL-2.0-only
/*
 * Batch files (-b FILE, as "ip -batch") and what their lines share: the
 * position for messages, "$NAME = COMMAND" names for the ids commands
 * make or find, and "expect", which checks an object, a revoke, a P2P
 * pair, a count or a failure and exits 6 when it does not hold.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"

struct batch batch;

/* "FILE:LINE: " before a message while a batch file runs. */
void where(void)
{
	if (batch.file)
		fprintf(stderr, "%s:%d: ", batch.file, batch.line);
}

/* @id as the result a "$NAME = COMMAND" line names. */
void set_result(uint32_t id)
{
	snprintf(batch.result, sizeof(batch.result), "%u", id);
}

static const char *var_get(const char *name)
{
	unsigned int i;

	for (i = 0; i < batch.nr_vars; i++)
		if (!strcmp(batch.vars[i].name, name))
			return batch.vars[i].val;
	if (!strcmp(name, "buffer"))
		return batch.last_buffer;
	if (!strcmp(name, "attachment"))
		return batch.last_attachment;
	return NULL;
}

int var_set(const char *name, const char *val)
{
	unsigned int i;

	for (i = 0; i < batch.nr_vars && strcmp(batch.vars[i].name, name); i++)
		;
	if (i == sizeof(batch.vars) / sizeof(batch.vars[0]))
		return usage_err("too many names (at most %u)", i);
	if (i == batch.nr_vars)
		snprintf(batch.vars[batch.nr_vars++].name, sizeof(batch.vars[0].name),
			 "%s", name);
	snprintf(batch.vars[i].val, sizeof(batch.vars[0].val), "%s", val);
	return EXIT_OK;
}

bool valid_name(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n >= sizeof(batch.vars[0].name) || isdigit((unsigned char)*s))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* Replace every "$NAME" word by its value. */
int substitute(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *val;

		if (argv[i][0] != '$')
			continue;
		val = var_get(argv[i] + 1);
		if (!val || !*val)
			return usage_err("%s names no earlier result", argv[i]);
		argv[i] = (char *)val;
	}
	return EXIT_OK;
}

static const struct objclass *const classes[] = {
	&buffer_class, &attachment_class, &provider_class, &device_class,
	&mapping_class, NULL,
};

static const struct objclass *class_find(const char *word)
{
	const struct objclass *const *oc;

	for (oc = classes; *oc; oc++)
		if (!strcmp(word, (*oc)->name))
			return *oc;
	for (oc = classes; *oc; oc++)
		if (matches(word, (*oc)->name))
			return *oc;
	return NULL;
}

/* The words of a command again, for messages. */
static void join_words(char *buf, size_t len, int argc, char **argv)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < argc && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
					argv[i]);
}

static int expect_failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int expect_failed(const char *fmt, ...)
{
	va_list ap;

	fputs("dmapeek: ", stderr);
	where();
	fputs("expect failed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_EXPECT;
}

static void expect_ok(int argc, char **argv)
{
	char words[512];

	join_words(words, sizeof(words), argc, argv);
	pr_open_obj(NULL);
	pr_str("expect", "ok: %s", words);
	pr_bool("ok", NULL, true);
	pr_close_obj();
	pr_nl();
}

/* Every condition on @obj, or the first that does not hold. */
static int expect_conds(const char *what, const struct cond *conds,
			unsigned int n, const void *obj)
{
	char want[128], found[128];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (cond_match(&conds[i], obj))
			continue;
		cond_fmt(&conds[i], want, sizeof(want));
		field_fmt(conds[i].f, obj, found, sizeof(found));
		return expect_failed("%s %s: expected %s, found %s", what,
				     conds[i].f->key, want, found);
	}
	return EXIT_OK;
}

/* expect OBJECT ID FIELD [OP] VALUE... */
static int expect_object(const struct objclass *oc, int argc, char **argv)
{
	struct cond conds[MAX_CONDS];
	char what[64];
	unsigned int n;
	uint32_t id;
	void *x;
	int rc;

	if (argc < 2 || parse_u32(argv[0], &id))
		return usage_err("usage: dmapeek expect %s ID FIELD [OP] VALUE...",
				 oc->name);
	rc = parse_conds(oc, argc - 1, argv + 1, conds, &n);
	if (!rc)
		rc = need_ctx();
	if (rc)
		return rc;
	snprintf(what, sizeof(what), "%s %u", oc->name, id);
	x = oc->get(id);
	if (!x)
		return errno == ENOENT ? expect_failed("%s: no such %s", what, oc->name) :
					 op_err(errno, "%s", what);
	rc = expect_conds(what, conds, n, x);
	dmapeek_object_free(x);
	return rc;
}

static const struct objclass revoke_class = {
	"revoke", revoke_fields, NULL, NULL, NULL, 0,
};

/* expect revoke FIELD [OP] VALUE...: of the last revoke of this run. */
static int expect_revoke(int argc, char **argv)
{
	struct cond conds[MAX_CONDS];
	unsigned int n;
	int rc = parse_conds(&revoke_class, argc, argv, conds, &n);

	if (rc)
		return rc;
	if (!n)
		return usage_err("usage: dmapeek expect revoke FIELD [OP] VALUE...");
	if (!dp.last_revoke)
		return expect_failed("no revoke before this line");
	return expect_conds("revoke", conds, n, dp.last_revoke);
}

/* expect p2p PROVIDER_BDF CLIENT_BDF FIELD [OP] VALUE... */
static int expect_p2p(int argc, char **argv)
{
	struct cond conds[MAX_CONDS];
	struct dmapeek_p2p *c;
	char what[96];
	unsigned int n;
	int rc;

	if (argc < 4 || !valid_bdf(argv[0]) || !valid_bdf(argv[1]))
		return usage_err("usage: dmapeek expect p2p PROVIDER_BDF CLIENT_BDF "
				 "FIELD [OP] VALUE...");
	rc = parse_conds(&p2p_class, argc - 2, argv + 2, conds, &n);
	if (!rc)
		rc = need_ctx();
	if (rc)
		return rc;
	snprintf(what, sizeof(what), "p2p %s %s", argv[0], argv[1]);
	c = dmapeek_p2p_get(dp.ctx, argv[0], argv[1]);
	if (!c)
		return op_err(errno, "%s", what);
	rc = expect_conds(what, conds, n, c);
	dmapeek_object_free(c);
	return rc;
}

/* expect count OBJECT [OP] N [FIELD [OP] VALUE]... */
static int expect_count(int argc, char **argv)
{
	const struct objclass *oc = argc > 0 ? class_find(argv[0]) : NULL;
	struct cond conds[MAX_CONDS];
	enum cond_op op = OP_EQ;
	uint32_t want, found = 0;
	unsigned int n;
	int i = 1, rc;
	void *x;

	if (oc && argc > 2 && !cond_op_parse(argv[1], &op))
		i = 2;
	if (!oc || argc <= i || parse_u32(argv[i], &want))
		return usage_err("usage: dmapeek expect count OBJECT [OP] N [FIELD VALUE]...");
	rc = parse_conds(oc, argc - i - 1, argv + i + 1, conds, &n);
	if (!rc)
		rc = need_ctx();
	if (rc)
		return rc;
	for (x = oc->next(NULL); x; x = oc->next(x))
		found += conds_match(conds, n, x);
	rc = iter_done(oc->name);
	if (rc)
		return rc;
	if (!op_holds(op, found < want ? -1 : found > want))
		return expect_failed("count of %s: expected %s%u, found %u", oc->name,
				     cond_op_str(op), want, found);
	return EXIT_OK;
}

/* expect fail [ERRNO_NAME] COMMAND...: the command must fail (so). */
static int expect_fail(int argc, char **argv)
{
	const char *want = NULL, *found;
	char words[512];
	int rc;

	if (argc > 0 && argv[0][0] == 'E' &&
	    strspn(argv[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == strlen(argv[0])) {
		want = argv[0];
		argc--;
		argv++;
	}
	if (argc < 1)
		return usage_err("usage: dmapeek expect fail [ERRNO] COMMAND...");
	join_words(words, sizeof(words), argc, argv);
	dp.last_err = 0;
	dp.quiet_errors = true;
	rc = run(argc, argv);
	dp.quiet_errors = false;
	if (rc == EXIT_USAGE || rc == EXIT_EXPECT || rc == EXIT_NOMODULE)
		return rc;
	if (rc == EXIT_OK)
		return expect_failed("\"%s\" should have failed%s%s, it succeeded",
				     words, want ? " with " : "", want ? want : "");
	found = dp.last_err ? strerrorname_np(dp.last_err) : NULL;
	if (want && (!found || strcmp(want, found)))
		return expect_failed("\"%s\" failed with %s, expected %s", words,
				     found ? found : "an error", want);
	return EXIT_OK;
}

int cmd_expect(int argc, char **argv)
{
	const struct objclass *oc;
	int rc;

	if (argc < 1)
		return usage_err("usage: dmapeek expect {OBJECT ID | revoke | p2p A B | "
				 "count OBJECT N | fail COMMAND} ...");
	if (!strcmp(argv[0], "fail"))
		rc = expect_fail(argc - 1, argv + 1);
	else if (!strcmp(argv[0], "count"))
		rc = expect_count(argc - 1, argv + 1);
	else if (!strcmp(argv[0], "revoke"))
		rc = expect_revoke(argc - 1, argv + 1);
	else if (!strcmp(argv[0], "p2p"))
		rc = expect_p2p(argc - 1, argv + 1);
	else if ((oc = class_find(argv[0])))
		rc = expect_object(oc, argc - 1, argv + 1);
	else
		return usage_err("expect what? \"%s\" is no object", argv[0]);
	if (!rc)
		expect_ok(argc, argv);
	return rc;
}

/* Split a batch line into words: blanks separate, quotes group, # comments. */
static int split_line(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line, *w;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == max)
			return -E2BIG;
		w = p;
		argv[argc++] = w;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p == '"' || *p == '\'') {
				char q = *p++;

				while (*p && *p != q)
					*w++ = *p++;
				if (*p != q)
					return -EINVAL;
				p++;
			} else {
				*w++ = *p++;
			}
		}
		if (*p)
			p++;
		*w = '\0';
	}
	return argc;
}

int run_batch(const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *line = NULL, *argv[64];
	size_t cap = 0;
	int rc = EXIT_OK;

	if (!f)
		return op_err(errno, "batch file %s", file);
	batch.file = file;
	while (getline(&line, &cap, f) > 0) {
		int argc, r;

		batch.line++;
		argc = split_line(line, argv, 64);
		if (argc < 0) {
			r = usage_err("cannot split the line (unbalanced quote?)");
		} else if (argc == 0) {
			continue;
		} else {
			r = run(argc, argv);
		}
		if (r) {
			rc = r;
			if (!dp.force)
				break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}
