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
 * This file holds the options, the command table and "version", "stats"
 * and "help"; each object is in its own file (buffer.c, attachment.c,
 * mapping.c, provider.c, device.c, p2p.c), with monitor.c, batch.c
 * (batch files, names and expect), pci.c (PCI names and binding) and
 * utils.c (errors, arguments, dispatch); cli.h is what they share.
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
