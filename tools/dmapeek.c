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
