// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek-top: its command line.  The options into struct top_opts, the
 * usage text, and usage_err(), through which args.c (which fields.c uses
 * for the sort keys the spec gives) reports a bad word.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmapeek_config.h"
#include "args.h"
#include "top.h"

/* The views by name, for --view (in the order of their keys, 1 to 5). */
static const char *const view_names[] = {
	[TOP_VIEW_BUFFERS] = "buffers",
	[TOP_VIEW_PROVIDERS] = "providers",
	[TOP_VIEW_P2P] = "p2p",
	[TOP_VIEW_EVENTS] = "events",
	[TOP_VIEW_SYSTEM] = "system",
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dmapeek-top [OPTIONS]   (also: dmapeek top [OPTIONS])\n"
		"A live view of dmapeek's buffers, importers, providers and events.\n"
		"\n"
		"  -d, --delay SECS     refresh every SECS seconds (default 2, 0.1 to 3600)\n"
		"  -s, --sort KEY       sort by id, exporter, size, model, provider,\n"
		"                       attachments, state, name or a buffer field (pins,\n"
		"                       moves, created, ...: it shows); -KEY descending\n"
		"  -o, --columns KEYS   add the buffer fields KEYS (comma-separated) as\n"
		"                       columns\n"
		"  -F, --filter TEXT    show only rows with TEXT in a column\n"
		"  -a, --all            add every other dma-buf of the system\n"
		"      --view VIEW      start in buffers, providers, p2p, events or system\n"
		"                       (the system page: every dma-buf by process and\n"
		"                       exporter, what grew since the last refresh)\n"
		"      --snapshot       print one frame as plain text and exit (the buffers\n"
		"                       and providers, or with --view system that page)\n"
		"      --no-color       no colours (also: NO_COLOR set in the environment)\n"
		"  -h, --help           this text;  -V, --version  the version\n"
		"\n"
		"Keys: arrows PgUp PgDn Home End, / filter, < > F6 sort, Enter detail,\n"
		"1-5 views, m move, r revoke, R restore, a audit, ? help, q quit.\n"
		"See dmapeek-top(8).\n");
}

/* A bad word of the command line, told (args.c's way, through fields.c). */
int usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("dmapeek-top: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int top_parse_opts(int argc, char **argv, struct top_opts *o)
{
	static const struct option lo[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "sort", required_argument, NULL, 's' },
		{ "columns", required_argument, NULL, 'o' },
		{ "filter", required_argument, NULL, 'F' },
		{ "all", no_argument, NULL, 'a' },
		{ "view", required_argument, NULL, 'v' },
		{ "snapshot", no_argument, NULL, 'S' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "no-colour", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end, bad[64];
	size_t v;
	int c;

	while ((c = getopt_long(argc, argv, "d:s:o:F:ahV", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			o->delay = strtod(optarg, &end);
			if (errno || *end || !isfinite(o->delay) ||
			    o->delay < 0.1 || o->delay > 3600)
				return usage_err("bad delay \"%s\" (seconds, 0.1 to 3600)", optarg);
			break;
		case 's':
			o->desc = optarg[0] == '-';
			o->sort = top_col_parse(optarg + o->desc);
			if (o->sort < 0)
				return usage_err("unknown sort key \"%s\"", optarg);
			break;
		case 'o':
			if (top_cols_parse(optarg, &o->cols, bad, sizeof(bad)))
				return usage_err("unknown column \"%s\"", bad);
			break;
		case 'F': o->filter = optarg; break;
		case 'a': o->all = true; break;
		case 'v':
			for (v = 0; v < sizeof(view_names) / sizeof(view_names[0]); v++)
				if (view_names[v] && !strcmp(optarg, view_names[v]))
					break;
			if (v == sizeof(view_names) / sizeof(view_names[0])) {
				fprintf(stderr, "dmapeek-top: unknown view \"%s\" (buffers,"
					" providers, p2p, events or system)\n", optarg);
				return EXIT_USAGE;
			}
			o->view = (enum top_view)v;
			break;
		case 'S': o->snapshot = true; break;
		case 'C': o->no_color = true; break;
		case 'h': usage(stdout); exit(EXIT_OK);
		case 'V': printf("dmapeek-top %s\n", PACKAGE_VERSION); exit(EXIT_OK);
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dmapeek-top: unexpected argument \"%s\"\n", argv[optind]);
		return EXIT_USAGE;
	}
	return -1;
}
