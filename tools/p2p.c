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

/* ------------------------------------- the verdicts of a buffer's importers */

/*
 * "buffer attachments" and "buffer all" give, for each importer of a
 * dma-buf, the P2P verdict between the exporter's device and it: the same
 * p2p-get a "p2p show" makes, asked once per pair and once per provider
 * within a command (a system holds many buffers of few devices).  The
 * exporter's device is known only for dmapeek's own exports, by the
 * buffer's provider (a PCI BAR, or system memory); another exporter's
 * dma-buf does not say which device it came from, and dmapeek says so
 * rather than guess (a process holding a VFIO device's fd may hold
 * several).
 */
#define VERDICT_PAIRS		64
#define VERDICT_PROVIDERS	16

struct pair_verdict {
	char prov[16], cli[16];
	uint32_t type, reason;
	int32_t distance;
	int err;		/* p2p-get's error (a positive errno), or 0 */
};

struct provider_seen {
	uint32_t id, kind;
	char bdf[16];
	int err;
};

static struct {
	struct pair_verdict pair[VERDICT_PAIRS];
	struct provider_seen prov[VERDICT_PROVIDERS];
	unsigned int npair, nextpair, nprov, nextprov;
} verdicts;

/* A command starts with nothing known (a batch's devices may change). */
void p2p_verdicts_reset(void)
{
	memset(&verdicts, 0, sizeof(verdicts));
}

enum exporter_kind { EXPORTER_UNKNOWN, EXPORTER_SYSTEM, EXPORTER_PCI };

struct exporter {
	enum exporter_kind kind;
	uint32_t provider;
	char bdf[16];
	char why[128];		/* EXPORTER_UNKNOWN: in words */
};

/* The slot for a new entry of a cache of @max: a free one, else the oldest. */
static unsigned int cache_slot(unsigned int *n, unsigned int *next, unsigned int max)
{
	unsigned int i = *next;

	*next = (i + 1) % max;
	if (*n < max)
		(*n)++;
	return i;
}

static const struct provider_seen *provider_lookup(uint32_t id)
{
	struct provider_seen *s;
	struct dmapeek_provider *p;
	unsigned int i;

	for (i = 0; i < verdicts.nprov; i++)
		if (verdicts.prov[i].id == id)
			return &verdicts.prov[i];
	s = &verdicts.prov[cache_slot(&verdicts.nprov, &verdicts.nextprov,
				      VERDICT_PROVIDERS)];
	memset(s, 0, sizeof(*s));
	s->id = id;
	p = dmapeek_provider_get(dp.ctx, id);
	if (!p) {
		s->err = errno ?: EIO;
		return s;
	}
	s->kind = dmapeek_provider_kind(p);
	snprintf(s->bdf, sizeof(s->bdf), "%s", dmapeek_provider_bdf(p) ?: "");
	dmapeek_object_free(p);
	return s;
}

/* The device @d was exported from, as far as dmapeek knows it. */
static void find_exporter(const struct dmapeek_dmabuf *d, struct exporter *e)
{
	uint32_t bid = dmapeek_dmabuf_buffer_id(d);
	const struct provider_seen *s;
	struct dmapeek_buffer *b;

	memset(e, 0, sizeof(*e));
	if (!bid) {
		snprintf(e->why, sizeof(e->why), "exporter %s does not say which device it exports",
			 dmapeek_dmabuf_exp_name(d) ?: "?");
		return;
	}
	if (!dp.ctx) {
		snprintf(e->why, sizeof(e->why), "dmapeek.ko does not answer");
		return;
	}
	b = dmapeek_buffer_get(dp.ctx, bid);
	if (!b) {
		snprintf(e->why, sizeof(e->why), "buffer %u: %s", bid, strerror(errno));
		return;
	}
	e->provider = dmapeek_buffer_provider_id(b);
	dmapeek_object_free(b);
	s = provider_lookup(e->provider);
	if (s->err) {
		snprintf(e->why, sizeof(e->why), "provider %u: %s", e->provider,
			 strerror(s->err));
	} else if (s->kind == DMAPEEK_PROVIDER_KIND_SYSTEM) {
		e->kind = EXPORTER_SYSTEM;
	} else if (s->kind == DMAPEEK_PROVIDER_KIND_PCI_BAR && valid_bdf(s->bdf)) {
		e->kind = EXPORTER_PCI;
		snprintf(e->bdf, sizeof(e->bdf), "%s", s->bdf);
	} else {
		snprintf(e->why, sizeof(e->why), "provider %u is of no kind dmapeek knows",
			 e->provider);
	}
}

static const struct pair_verdict *pair_lookup(const char *prov, const char *cli)
{
	struct pair_verdict *v;
	struct dmapeek_p2p *c;
	unsigned int i;

	for (i = 0; i < verdicts.npair; i++)
		if (!strcmp(verdicts.pair[i].prov, prov) && !strcmp(verdicts.pair[i].cli, cli))
			return &verdicts.pair[i];
	v = &verdicts.pair[cache_slot(&verdicts.npair, &verdicts.nextpair, VERDICT_PAIRS)];
	memset(v, 0, sizeof(*v));
	snprintf(v->prov, sizeof(v->prov), "%s", prov);
	snprintf(v->cli, sizeof(v->cli), "%s", cli);
	c = dmapeek_p2p_get(dp.ctx, prov, cli);
	if (!c) {
		v->err = errno ?: EIO;
		return v;
	}
	v->type = dmapeek_p2p_map_type(c);
	v->reason = dmapeek_p2p_reason(c);
	v->distance = dmapeek_p2p_distance(c);
	dmapeek_object_free(c);
	return v;
}

static void print_verdict(const char *indent, uint32_t type, int32_t distance,
			  uint32_t reason)
{
	pr_text("%s  ", indent);
	pr_open_obj("p2p");
	print_enum("map_type", "p2p map_type %s ", type, dmapeek_map_type_str);
	pr_s64("distance", "distance %" PRId64 " ", distance);
	print_enum("reason", "reason %s", reason, dmapeek_p2p_reason_str);
	pr_close_obj();
	pr_nl();
}

static void print_no_verdict(const char *indent, const char *word, const char *why)
{
	pr_null("p2p", NULL);
	pr_str("p2p_unknown", NULL, word);
	pr_text("%s  p2p unknown: %s\n", indent, why);
}

/*
 * Inside attachment @i's object: the verdict between @e and its importer,
 * or why there is none.  The kernel's rules need no question where the
 * exporter is system memory (none) or the importer is no PCI device
 * (not-supported): pci_p2pdma_map_type() answers those without a path.
 */
static void print_importer_verdict(const struct exporter *e, const char *device,
				   const char *indent)
{
	const struct pair_verdict *v;
	char why[160];

	switch (e->kind) {
	case EXPORTER_UNKNOWN:
		print_no_verdict(indent, "exporter-unknown", "exporter device unknown");
		return;
	case EXPORTER_SYSTEM:
		print_verdict(indent, DMAPEEK_MAP_TYPE_NONE, -1,
			      DMAPEEK_P2P_REASON_SYSTEM_MEMORY);
		return;
	case EXPORTER_PCI:
		break;
	}
	/* dev_name() of a PCI function is its BDF, always */
	if (!device || !valid_bdf(device)) {
		print_verdict(indent, DMAPEEK_MAP_TYPE_NOT_SUPPORTED, -1,
			      DMAPEEK_P2P_REASON_NOT_PCI);
		return;
	}
	v = pair_lookup(e->bdf, device);
	if (!v->err) {
		print_verdict(indent, v->type, v->distance, v->reason);
		return;
	}
	snprintf(why, sizeof(why), "p2p %s %s: %s%s", e->bdf, device, strerror(v->err),
		 v->err == EPERM ? " (a provider not bound to dmapeek needs root)" : "");
	print_no_verdict(indent, strerrorname_np(v->err) ?: "error", why);
}

/*
 * The exporter's device of @d, once per buffer (before its attachments),
 * and then each attachment's verdict through p2p_verdict_print().
 */
void p2p_exporter_print(const struct dmapeek_dmabuf *d, const char *indent,
			struct exporter **out)
{
	static struct exporter e;

	*out = NULL;
	if (!dmapeek_dmabuf_nr_attachments(d)) {
		pr_null("exporter_device", NULL);
		return;
	}
	find_exporter(d, &e);
	*out = &e;
	switch (e.kind) {
	case EXPORTER_UNKNOWN:
		pr_null("exporter_device", NULL);
		pr_text("%sexporter device unknown: ", indent);
		pr_str("exporter_device_unknown", "%s", e.why);
		pr_nl();
		break;
	case EXPORTER_SYSTEM:
		pr_open_obj("exporter_device");
		pr_text("%s", indent);
		pr_str("kind", "exporter device: %s memory ", "system");
		pr_u64("provider", "(provider %" PRIu64 ")", e.provider);
		pr_close_obj();
		pr_nl();
		break;
	case EXPORTER_PCI: {
		char name[256];
		const char *n = pci_name(e.bdf, name, sizeof(name));

		pr_open_obj("exporter_device");
		pr_text("%s", indent);
		pr_str("kind", NULL, "pci");
		pr_str("bdf", "exporter device %s ", e.bdf);
		pr_u64("provider", "(provider %" PRIu64 ")", e.provider);
		pr_text("%s%s", n ? "  " : "", n ? n : "");
		pr_close_obj();
		pr_nl();
		break;
	}
	}
}

void p2p_verdict_print(const struct exporter *e, const char *device, const char *indent)
{
	if (e)
		print_importer_verdict(e, device, indent);
}
