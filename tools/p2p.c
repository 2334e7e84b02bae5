// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek p2p: what the kernel's P2PDMA rules decide for each pair of a
 * provider and a client device: the list, the matrix, and one pair in
 * full with the reason in words and the way through the PCI hierarchy.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#include "cli.h"
#include "fields.h"
#include "json_print.h"

static void print_p2p(const struct dmapeek_p2p *c)
{
	struct field_printer p;

	fields_print_start(&p, p2p_fields, c);
	pr_open_obj(NULL);
	field_print(&p, "provider_bdf", "provider %s ");
	field_print(&p, "client_bdf", "client %s ");
	field_print(&p, "map_type", "map_type %s ");
	field_print(&p, "distance", "distance %" PRId64 " ");
	field_print(&p, "reason", "reason %s");
	fields_print_rest(&p, " ");
	pr_close_obj();
	pr_nl();
}

#define MATRIX_MAX	64

static int bdf_index(char (*list)[32], unsigned int *n, const char *bdf)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(list[i], bdf))
			return (int)i;
	if (*n >= MATRIX_MAX)
		return -1;
	snprintf(list[*n], 32, "%s", bdf);
	return (int)(*n)++;
}

/* The pairs of the dump by provider and client: their map types. */
struct matrix {
	char prov[MATRIX_MAX][32], cli[MATRIX_MAX][32];
	unsigned int np, nc;
	uint32_t type[MATRIX_MAX][MATRIX_MAX];	/* UINT32_MAX: no such pair */
};

static void print_matrix(const struct matrix *x)
{
	unsigned int i, j;
	char name[256];

	/* clients by bus:device.function, whole: functions of one device differ */
	printf("%-14s", "provider");
	for (j = 0; j < x->nc; j++)
		printf(" %-7s", x->cli[j] + (strlen(x->cli[j]) > 7 ? strlen(x->cli[j]) - 7 : 0));
	printf("\n");
	for (i = 0; i < x->np; i++) {
		printf("%-14s", x->prov[i]);
		for (j = 0; j < x->nc; j++)
			printf(" %-7s", x->type[i][j] == UINT32_MAX ? "" :
			       dmapeek_map_type_abbrev(x->type[i][j]));
		printf("\n");
	}
	printf("\nclients:\n");
	for (j = 0; j < x->nc; j++) {
		const char *n = pci_name(x->cli[j], name, sizeof(name));

		printf("  %s%s%s\n", x->cli[j], n ? "  " : "", n ? n : "");
	}
	printf("\nLegend:\n"
	       "  BUS = P2P through a PCI switch, bus addresses (bus-addr)\n"
	       "  HB  = P2P through the host bridge (thru-host-bridge)\n"
	       "  NS  = P2P not supported between the two (not-supported)\n"
	       "  X   = no P2P involved (none)\n"
	       "  ?   = unknown\n");
}

static int p2p_matrix(int argc, char **argv)
{
	struct dmapeek_p2p *c;
	struct matrix *x;
	int rc;

	(void)argv;
	if (argc)
		return usage_err("\"p2p matrix\" takes no arguments");
	rc = need_ctx();
	if (rc)
		return rc;
	x = calloc(1, sizeof(*x));
	if (!x)
		return op_err(ENOMEM, "p2p matrix");
	memset(x->type, 0xff, sizeof(x->type));
	pr_open_arr(NULL);
	dmapeek_for_each_p2p(dp.ctx, c) {
		int pi = bdf_index(x->prov, &x->np, dmapeek_p2p_provider_bdf(c) ?: "?");
		int ci = bdf_index(x->cli, &x->nc, dmapeek_p2p_client_bdf(c) ?: "?");

		if (pi >= 0 && ci >= 0)
			x->type[pi][ci] = dmapeek_p2p_map_type(c);
		if (pr_is_json())
			print_p2p(c);
	}
	pr_close_arr();
	rc = iter_done("p2p");
	if (!rc && !pr_is_json())
		print_matrix(x);
	free(x);
	return rc;
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

/* The verbs of "dmapeek p2p"; new verbs go at the end. */
const struct cmd p2p_verbs[] = {
	{ "matrix", p2p_matrix, "" },
	{ "show", p2p_show, "PROVIDER_BDF CLIENT_BDF\n[FIELD [OP] VALUE]..." },
	{ "list", p2p_list, "[FIELD [OP] VALUE]..." },
	{ NULL },
};
