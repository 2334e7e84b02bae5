// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the command line.  Object, then verb, as ip(8) and rdma(8).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#include "dmapeek_config.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dmapeek [OPTIONS] OBJECT [COMMAND [ARGS]]\n"
		"where  OBJECT := { version }\n"
		"       OPTIONS := { -V[ersion] | -h[elp] }\n");
}

static void log_stderr(void *priv, enum dmapeek_log_level level,
		       const char *fmt, va_list ap)
{
	(void)priv;
	(void)level;
	fputs("dmapeek: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int cmd_version(void)
{
	unsigned int lmaj, lmin, kmaj, kmin;
	struct dmapeek *ctx;
	int err;

	dmapeek_lib_abi_version(&lmaj, &lmin);
	printf("dmapeek %s, library ABI %u.%u\n", PACKAGE_VERSION, lmaj, lmin);
	ctx = dmapeek_new();
	if (!ctx) {
		fprintf(stderr, "dmapeek: cannot reach dmapeek.ko: %s%s\n",
			strerror(errno),
			errno == ENOENT ? " (is the module loaded?)" : "");
		return 2;
	}
	dmapeek_set_log_fn(ctx, log_stderr, NULL);
	err = dmapeek_abi_version(ctx, &kmaj, &kmin);
	if (err) {
		fprintf(stderr, "dmapeek: ABI query failed: %s\n", strerror(-err));
		dmapeek_free(ctx);
		return 2;
	}
	printf("module ABI %u.%u (netlink)\n", kmaj, kmin);
	err = dmapeek_dev_abi_version(ctx, &kmaj, &kmin);
	if (!err)
		printf("module ABI %u.%u (/dev/dmapeek)\n", kmaj, kmin);
	else
		printf("/dev/dmapeek: %s\n", strerror(-err));
	dmapeek_free(ctx);
	return kmaj == lmaj ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "Version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'V':
			printf("dmapeek %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc || !strcmp(argv[optind], "version"))
		return cmd_version();
	fprintf(stderr, "dmapeek: unknown object \"%s\", try \"dmapeek help\".\n",
		argv[optind]);
	return 1;
}
