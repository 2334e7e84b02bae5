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
 * This file holds the options, the top-level command table, the dispatch
 * through it, the help the tables give, and "version" and "stats"; each
 * object is in its own file with the table of its verbs (buffer.c,
 * attachment.c, mapping.c, provider.c, device.c, p2p.c; "buffer all" and
 * its leak hunting in buffer_all.c), with monitor.c,
 * batch.c (batch files, names and expect), pci.c (PCI names and binding),
 * args.c (the argument parser and prefix matcher) and utils.c (errors,
 * operations by id, the verbs every object shares); cli.h is what they
 * share.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dmapeek.h>

#include "dmapeek_config.h"
#include "cli.h"
#include "json_print.h"
#include "stats.h"

struct dp_state dp;

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
	uint32_t fmt = STATS_TEXT;
	const struct arg args[] = {
		{ "format", A_WORD, &fmt, 0, stats_format_names },
		{ NULL, A_U32, NULL, 0, NULL },
	};
	const char *what;
	struct stats s;
	int rc, err;

	rc = parse_args("stats", args, argc, argv);
	if (!rc)
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

/* ------------------------------------------------------- the command table */

static int cmd_help(int argc, char **argv);

/*
 * The objects and the commands without verbs, then the aliases: the verbs
 * dmapeek had at the top level before they went under their objects, kept
 * for the scripts and batch files that use them.  The order decides what
 * a prefix names ("m" is "mapping", "e" is "export"): add rows at the end.
 */
static const struct cmd objects[] = {
	{ "buffer", .verbs = buffer_verbs, .fields = buffer_fields },
	{ "attachment", .verbs = attachment_verbs, .fields = attachment_fields },
	{ "provider", .verbs = provider_verbs, .fields = provider_fields },
	{ "device", .verbs = device_verbs, .fields = device_fields },
	{ "mapping", .verbs = mapping_verbs, .fields = mapping_fields },
	{ "p2p", .verbs = p2p_verbs, .fields = p2p_fields },
	{ "monitor", cmd_monitor, MONITOR_ARGS },
	{ "version", cmd_version, "" },
	{ "export", .verbs = buffer_verbs, .alias = true },
	{ "import", .verbs = attachment_verbs, .alias = true },
	{ "detach", .verbs = attachment_verbs, .alias = true },
	{ "map", .verbs = attachment_verbs, .alias = true },
	{ "unmap", .verbs = attachment_verbs, .alias = true },
	{ "move", .verbs = buffer_verbs, .alias = true },
	{ "revoke", .verbs = buffer_verbs, .alias = true },
	{ "restore", .verbs = buffer_verbs, .alias = true },
	{ "dma", .verbs = attachment_verbs, .alias = true },
	{ "audit", .verbs = mapping_verbs, .alias = true },
	{ "bind", cmd_bind, "DDDD:BB:DD.F" },
	{ "unbind", cmd_unbind, "DDDD:BB:DD.F" },
	{ "expect", cmd_expect, EXPECT_ARGS },
	{ "stats", cmd_stats, "[format text|prometheus]" },
	{ "help", cmd_help, "[OBJECT]" },
	{ NULL },
};

/* The object whose verb the alias @a runs. */
static const struct cmd *object_of(const struct cmd *a)
{
	const struct cmd *c;

	for (c = objects; c->name; c++)
		if (!c->alias && c->verbs == a->verbs)
			return c;
	return NULL;
}

/* ---------------------------------------------------------------- help */

#define HELP_WIDTH	79

/* Words printed so far on a line of help, to wrap it. */
struct help_line {
	FILE *f;
	int col, indent;
};

static void help_start(struct help_line *l, FILE *f, const char *lead, int indent)
{
	*l = (struct help_line){ f, fprintf(f, "%s", lead), indent };
}

static void help_word(struct help_line *l, const char *w, size_t len)
{
	bool first = l->col <= l->indent;

	if (!first && l->col + 1 + (int)len > HELP_WIDTH) {
		l->col = fprintf(l->f, "\n%*s", l->indent, "") - 1;
		first = true;
	}
	l->col += fprintf(l->f, "%s%.*s", first ? "" : " ", (int)len, w);
}

/* The words of @text, not split inside [] or {}. */
static void help_words(struct help_line *l, const char *text)
{
	const char *w = text, *p;
	int depth = 0;

	for (p = text;; p++) {
		if (*p == '[' || *p == '{')
			depth++;
		else if ((*p == ']' || *p == '}') && depth)
			depth--;
		if (*p && (*p != ' ' || depth))
			continue;
		if (p > w)
			help_word(l, w, (size_t)(p - w));
		if (!*p)
			break;
		w = p + 1;
	}
}

static void help_end(struct help_line *l)
{
	fputc('\n', l->f);
}

/* "LEAD{ a | b | c }" of the names of @cmds that @pick picks. */
static void help_names(FILE *f, const char *lead, const struct cmd *cmds,
		       bool (*pick)(const struct cmd *))
{
	const struct cmd *c, *first = NULL, *last = NULL;
	struct help_line l;
	char w[64];

	for (c = cmds; c->name; c++) {
		if (pick(c) && !first)
			first = c;
		if (pick(c))
			last = c;
	}
	help_start(&l, f, lead, (int)strlen(lead) + 2);
	for (c = cmds; c->name; c++) {
		if (!pick(c))
			continue;
		snprintf(w, sizeof(w), "%s%s%s", c == first ? "{ " : "", c->name,
			 c == last ? " }" : " |");
		help_word(&l, w, strlen(w));
	}
	help_end(&l);
}

static bool is_object(const struct cmd *c) { return c->verbs && !c->alias; }
static bool is_command(const struct cmd *c) { return !!c->fn; }

/* "dmapeek WORDS ARGS" for each form of @args (one per line of it). */
static void help_forms(FILE *f, const char *lead, const char *words, const char *args)
{
	char form[512];
	const char *nl;

	do {
		struct help_line l;

		nl = strchr(args, '\n');
		snprintf(form, sizeof(form), "%.*s", nl ? (int)(nl - args) : (int)strlen(args),
			 args);
		help_start(&l, f, lead, (int)strlen(lead) + 4);
		help_words(&l, "dmapeek");
		help_words(&l, words);
		help_words(&l, form);
		help_end(&l);
		lead = "       ";
		if (nl)
			args = nl + 1;
	} while (nl);
}

/* dmapeek OBJECT help: each verb with its arguments, the fields. */
static void object_usage(const struct cmd *obj, FILE *f)
{
	const char *lead = "Usage: ";
	const struct field *fl;
	struct help_line l;
	const struct cmd *v;
	char words[64], w[96];

	for (v = obj->verbs; v->name; v++) {
		snprintf(words, sizeof(words), "%s %s", obj->name, v->name);
		help_forms(f, lead, words, v->args);
		lead = "       ";
	}
	help_forms(f, lead, obj->name, "help");
	help_start(&l, f, "where  FIELD := ", 18);
	for (fl = obj->fields; fl->key; fl++) {
		snprintf(w, sizeof(w), "%s%s%s%s%s%s", fl == obj->fields ? "{ " : "", fl->key,
			 fl->alias ? " (" : "", fl->alias ?: "", fl->alias ? ")" : "",
			 fl[1].key ? " |" : " }");
		help_word(&l, w, strlen(w));
	}
	help_end(&l);
	fputs("       OP := { = | != | < | <= | > | >= | is | not | below | within | above }\n",
	      f);
	snprintf(w, sizeof(w), "Without a verb, \"%s\" is \"%s %s\".", obj->name,
		 obj->name, obj->verbs[0].name);
	help_start(&l, f, "", 0);
	help_words(&l, w);
	help_words(&l, "Every word may be shortened to a prefix; see dmapeek(8).");
	help_end(&l);
}

static void usage(FILE *f)
{
	const struct cmd *c, *a, *v;
	struct help_line l;

	fputs("Usage: dmapeek [OPTIONS] OBJECT [VERB [ARGS]]\n"
	      "       dmapeek [OPTIONS] COMMAND [ARGS]\n"
	      "       dmapeek [OPTIONS] -b[atch] FILE [-force]\n", f);
	help_names(f, "where  OBJECT := ", objects, is_object);
	help_names(f, "       COMMAND := ", objects, is_command);
	fputs("       OPTIONS := { -j[son] | -p[retty] | -n[umeric] | -d[etails] |\n"
	      "                    -t[imestamp] | -force | -D NAME=VALUE | -V[ersion] |\n"
	      "                    -h[elp] }\n"
	      "The verbs of each object (\"dmapeek OBJECT help\" gives their arguments):\n", f);
	for (c = objects; c->name; c++) {
		if (!is_object(c))
			continue;
		help_start(&l, f, "       ", 18);
		l.col += fprintf(f, "%-11s", c->name);
		for (v = c->verbs; v->name; v++)
			help_words(&l, v->name);
		help_end(&l);
	}
	fputs("The commands:\n", f);
	for (c = objects; c->name; c++)
		if (is_command(c))
			help_forms(f, "       ", c->name, c->args);
	fputs("Aliases, the spellings of earlier releases (\"export\" is \"buffer export\"):\n",
	      f);
	for (c = objects; c->name; c++) {
		bool any = false;

		if (!is_object(c))
			continue;
		for (a = objects; a->name; a++) {
			if (!a->alias || object_of(a) != c)
				continue;
			if (!any) {
				help_start(&l, f, "       ", 18);
				l.col += fprintf(f, "%-11s", c->name);
				any = true;
			}
			help_words(&l, a->name);
		}
		if (any)
			help_end(&l);
	}
	fputs("Every word may be shortened to a prefix; see dmapeek(8).\n", f);
}

/* help [OBJECT] */
static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 1) {
		usage(stdout);
		return EXIT_OK;
	}
	c = TABLE_FIND(objects, argv[0]);
	if (c && c->alias)
		c = object_of(c);
	if (!c || !c->verbs)
		return usage_err("\"help\" takes an object: \"%s\" is none", argv[0]);
	object_usage(c, stdout);
	return EXIT_OK;
}

/* ------------------------------------------------------------ dispatch */

/* OBJECT [VERB [ARGS]]: the verb, else the object's first; or its help. */
static int run_verb(const struct cmd *obj, int argc, char **argv)
{
	const struct cmd *v;

	if (argc < 1)
		return obj->verbs[0].fn(0, argv);
	v = TABLE_FIND(obj->verbs, argv[0]);
	if (v)
		return v->fn(argc - 1, argv + 1);
	if (matches(argv[0], "help")) {
		object_usage(obj, stdout);
		return EXIT_OK;
	}
	return usage_err("unknown %s command \"%s\", try \"dmapeek help\"",
			 obj->name, argv[0]);
}

static int dispatch(int argc, char **argv)
{
	const struct cmd *c = TABLE_FIND(objects, argv[0]), *v;

	if (!c)
		return usage_err("unknown object \"%s\", try \"dmapeek help\"", argv[0]);
	if (c->alias) {
		/* the verb of the alias's whole name, whatever prefix was typed */
		v = TABLE_FIND(c->verbs, c->name);
		return v->fn(argc - 1, argv + 1);
	}
	if (c->verbs)
		return run_verb(c, argc - 1, argv + 1);
	return c->fn(argc - 1, argv + 1);
}

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
	rc = dispatch(argc, argv);
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
	static const char name[] = "dmapeek-top";
	char self[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - sizeof(name));

	argv[0] = (char *)name;		/* exec*() never write to their argv */
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
	pr_buffer_stdout();

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
	pr_init(&dp.out, stdout, dp.json, dp.pretty);
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
