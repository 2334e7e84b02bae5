// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek: the command line.  Object, then verb, as ip(8) and rdma(8);
 * every word may be shortened to a prefix ("dmapeek buf sh 3").  Built
 * on libdmapeek only; one printing path for text and JSON (json_print.c).
 *
 * Exit codes (documented in dmapeek(8)):
 *   0 success, 1 the operation failed, 2 usage error, 3 the module is not
 *   loaded, 4 permission denied, 5 the module does not support the
 *   operation.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include <dmapeek.h>

#include "dmapeek_config.h"
#include "json_print.h"
#include "stats.h"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_NOMODULE = 3,
	EXIT_PERM = 4,
	EXIT_NOTSUP = 5,
};

static bool opt_json, opt_pretty, opt_numeric, opt_force;
static struct dmapeek *ctx;
static const char *batch_file;
static int batch_line;

/* Buffers exported by this process: their fds stay open until exit. */
struct held {
	uint32_t id;
	int fd;
};
static struct held held[256];
static unsigned int nr_held;

static void log_stderr(void *priv, enum dmapeek_log_level level,
		       const char *fmt, va_list ap)
{
	(void)priv;
	(void)level;
	fputs("dmapeek: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void where(void)
{
	if (batch_file)
		fprintf(stderr, "%s:%d: ", batch_file, batch_line);
}

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...)
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

/* Print an error with the errno name, the kernel's text and a hint. */
static int op_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int op_err(int err, const char *fmt, ...)
{
	const char *ext = ctx ? dmapeek_extack(ctx) : NULL;
	const char *name;
	va_list ap;

	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	fputs("dmapeek: ", stderr);
	where();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)", strerror(err), name ? name : "?");
	if (ext)
		fprintf(stderr, ": %s", ext);
	fputc('\n', stderr);
	switch (err) {
	case EPERM:
	case EACCES:
		fputs("hint: this needs root (CAP_SYS_ADMIN)\n", stderr);
		return EXIT_PERM;
	case EOPNOTSUPP:
		fputs("hint: this dmapeek.ko does not implement the operation yet\n",
		      stderr);
		return EXIT_NOTSUP;
	case ENODEV:
		fputs("hint: is the device bound to dmapeek? see \"dmapeek bind\"\n",
		      stderr);
		return EXIT_FAILED;
	default:
		return EXIT_FAILED;
	}
}

static int need_ctx(void)
{
	if (ctx)
		return 0;
	ctx = dmapeek_new();
	if (!ctx) {
		int err = errno;

		fprintf(stderr, "dmapeek: cannot reach dmapeek.ko: %s (%s)\n",
			strerror(err), strerrorname_np(err) ?: "?");
		if (err == ENOENT)
			fputs("hint: is the module loaded? try \"modprobe dmapeek\"\n",
			      stderr);
		return EXIT_NOMODULE;
	}
	dmapeek_set_log_fn(ctx, log_stderr, NULL);
	return 0;
}

/* ------------------------------------------------------------ arguments */

static bool matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n && n <= strlen(word) && !strncmp(arg, word, n);
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || *end || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

#define NEED_ARG(argc, argv, what) do { \
	if ((argc) < 2) \
		return usage_err("\"%s\" needs %s", (argv)[0], what); \
} while (0)

/* ------------------------------------------------------------- printing */

static void print_flags(const char *key, uint32_t flags,
			const char *(*name)(unsigned int))
{
	unsigned int bit;

	pr_open_arr(key);
	pr_text("%s ", key);
	if (!flags)
		pr_text("none");
	for (bit = 0; bit < 32; bit++) {
		const char *n;

		if (!(flags & (1U << bit)))
			continue;
		n = name(bit);
		if (n)
			pr_str(NULL, "%s", n);
		else
			pr_u64(NULL, "bit%" PRIu64, bit);
		flags &= ~(1U << bit);
		if (flags)
			pr_text(",");
	}
	pr_close_arr();
	pr_text(" ");
}

static void print_enum(const char *key, const char *fmt, uint32_t v,
		       const char *(*name)(uint32_t))
{
	const char *n = name(v);

	if (n)
		pr_str(key, fmt, n);
	else {
		char b[16];

		snprintf(b, sizeof(b), "%u", v);
		pr_str(key, fmt, b);
	}
}

static void print_range(const struct dmapeek_addr_range *r)
{
	pr_open_obj(NULL);
	pr_text("    range ");
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

static void print_provider(const struct dmapeek_provider *p)
{
	uint64_t v;

	pr_open_obj(NULL);
	pr_u64("id", "provider %" PRIu64 " ", dmapeek_provider_id(p));
	print_enum("kind", "kind %s ", dmapeek_provider_kind(p),
		   dmapeek_provider_kind_str);
	if (dmapeek_provider_bdf(p))
		pr_str("bdf", "bdf %s ", dmapeek_provider_bdf(p));
	if (dmapeek_object_has(p, DMAPEEK_A_PROVIDER_DEVICE_ID))
		pr_u64("device_id", "device %" PRIu64 " ", dmapeek_provider_device_id(p));
	if (dmapeek_object_has(p, DMAPEEK_A_PROVIDER_BAR))
		pr_u64("bar", "bar %" PRIu64 " ", dmapeek_provider_bar(p));
	pr_size("size", "size %s ", dmapeek_provider_size(p));
	pr_size("bytes_exported", "exported %s ", dmapeek_provider_bytes_exported(p));
	pr_u64("buffers", "buffers %" PRIu64 " ", dmapeek_provider_buffers(p));
	if (!dmapeek_provider_phys_start(p, &v))
		pr_u64("phys_start", "phys %#" PRIx64 " ", v);
	if (!dmapeek_provider_bus_offset(p, &v))
		pr_u64("bus_offset", "bus_offset %#" PRIx64 " ", v);
	pr_close_obj();
	pr_nl();
}

static struct pci_access *pacc;

static const char *pci_name(const char *bdf, char *buf, size_t len)
{
	char path[256];
	unsigned int ven = 0, dev = 0;
	FILE *f;

	if (opt_numeric || !bdf)
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
	if (!pacc) {
		pacc = pci_alloc();
		if (!pacc)
			return NULL;
		pci_init(pacc);
	}
	return pci_lookup_name(pacc, buf, len, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE,
			       ven, dev);
}

static void print_device(const struct dmapeek_device *d)
{
	char name[256];
	const char *n = pci_name(dmapeek_device_bdf(d), name, sizeof(name));

	pr_open_obj(NULL);
	pr_u64("id", "device %" PRIu64 " ", dmapeek_device_id(d));
	pr_str("bdf", "bdf %s ", dmapeek_device_bdf(d));
	pr_u64("vendor", "vendor %04" PRIx64 " ", dmapeek_device_vendor(d));
	pr_u64("device", "device %04" PRIx64 " ", dmapeek_device_device(d));
	pr_u64("class", "class %06" PRIx64 " ", dmapeek_device_class(d));
	print_flags("roles", dmapeek_device_roles(d), dmapeek_device_role_str);
	pr_s64("iommu_group", "iommu_group %" PRId64 " ", dmapeek_device_iommu_group(d));
	print_enum("domain_type", "domain %s ", dmapeek_device_domain_type(d),
		   dmapeek_domain_type_str);
	pr_u64("dma_mask_bits", "dma_mask %" PRIu64 "bit ", dmapeek_device_dma_mask_bits(d));
	pr_u64("attachments", "attachments %" PRIu64, dmapeek_device_attachments(d));
	if (n)
		pr_str("name", "\n    %s", n);
	pr_close_obj();
	pr_nl();
}

static void print_mapping(const struct dmapeek_mapping *m, bool nested)
{
	struct dmapeek_addr_range r;
	unsigned int i;

	pr_open_obj(NULL);
	pr_text(nested ? "  " : "");
	pr_u64("id", "mapping %" PRIu64 " ", dmapeek_mapping_id(m));
	pr_u64("attachment_id", "attachment %" PRIu64 " ", dmapeek_mapping_attachment_id(m));
	print_enum("path", "path %s ", dmapeek_mapping_path(m), dmapeek_mapping_path_str);
	pr_size("size", "size %s ", dmapeek_mapping_size(m));
	pr_ns("map_ns", "took %s", dmapeek_mapping_map_ns(m));
	pr_nl();
	pr_open_arr("ranges");
	for (i = 0; !dmapeek_mapping_range(m, i, &r); i++)
		print_range(&r);
	pr_close_arr();
	pr_close_obj();
}

static void print_attachment(const struct dmapeek_attachment *a, bool nested,
			     bool with_mappings)
{
	pr_open_obj(NULL);
	pr_text(nested ? "  " : "");
	pr_u64("id", "attachment %" PRIu64 " ", dmapeek_attachment_id(a));
	if (dmapeek_object_has(a, DMAPEEK_A_ATTACHMENT_BUFFER_ID))
		pr_u64("buffer_id", "buffer %" PRIu64 " ", dmapeek_attachment_buffer_id(a));
	pr_u64("inode", "inode %" PRIu64 " ", dmapeek_attachment_inode(a));
	pr_str("exp_name", "exporter %s ", dmapeek_attachment_exp_name(a));
	pr_size("size", "size %s ", dmapeek_attachment_size(a));
	pr_str("importer_dev", "importer %s ", dmapeek_attachment_importer_dev(a));
	pr_str("importer_driver", "driver %s ", dmapeek_attachment_importer_driver(a));
	if (dmapeek_object_has(a, DMAPEEK_A_ATTACHMENT_DEVICE_ID))
		pr_u64("device_id", "device %" PRIu64 " ", dmapeek_attachment_device_id(a));
	pr_nl();
	pr_text(nested ? "    " : "    ");
	print_flags("flags", dmapeek_attachment_flags(a), dmapeek_attach_flag_str);
	print_enum("map_type", "map_type %s ", dmapeek_attachment_map_type(a),
		   dmapeek_map_type_str);
	if (dmapeek_object_has(a, DMAPEEK_A_ATTACHMENT_BEHAVIOUR))
		print_enum("behaviour", "behaviour %s ", dmapeek_attachment_behaviour(a),
			   dmapeek_behaviour_str);
	pr_bool("mapped", "mapped %s ", dmapeek_attachment_mapped(a));
	pr_bool("stuck", "stuck %s", dmapeek_attachment_stuck(a));
	pr_nl();
	pr_text("    ");
	pr_u64("maps", "maps %" PRIu64 " ", dmapeek_attachment_maps(a));
	pr_u64("unmaps", "unmaps %" PRIu64 " ", dmapeek_attachment_unmaps(a));
	pr_u64("unmap_delay_ms", NULL, dmapeek_attachment_unmap_delay_ms(a));
	pr_u64("last_map_ns", NULL, dmapeek_attachment_last_map_ns(a));
	pr_u64("last_unmap_ns", NULL, dmapeek_attachment_last_unmap_ns(a));
	pr_u64("last_invalidate_ns", NULL, dmapeek_attachment_last_invalidate_ns(a));
	pr_u64("invalidations", "invalidations %" PRIu64 " ",
	       dmapeek_attachment_invalidations(a));
	pr_u64("revoked_seen", "revoked_seen %" PRIu64 " ",
	       dmapeek_attachment_revoked_seen(a));
	pr_ns("last_unmap_latency_ns", "last_unmap %s ",
	      dmapeek_attachment_last_unmap_latency_ns(a));
	pr_ns("max_unmap_latency_ns", "max_unmap %s",
	      dmapeek_attachment_max_unmap_latency_ns(a));
	pr_nl();
	if (with_mappings) {
		struct dmapeek_mapping *m;

		pr_open_arr("mappings");
		dmapeek_for_each_mapping_of_attachment(ctx, dmapeek_attachment_id(a), m)
			print_mapping(m, true);
		pr_close_arr();
	}
	pr_close_obj();
}

static void print_buffer(const struct dmapeek_buffer *b, bool detail)
{
	struct dmapeek_addr_range r;
	unsigned int i;

	pr_open_obj(NULL);
	pr_u64("id", "buffer %" PRIu64 " ", dmapeek_buffer_id(b));
	pr_str("name", "name \"%s\" ", dmapeek_buffer_name(b));
	pr_size("size", "size %s ", dmapeek_buffer_size(b));
	print_enum("model", "model %s ", dmapeek_buffer_model(b), dmapeek_model_str);
	pr_u64("provider_id", "provider %" PRIu64 " ", dmapeek_buffer_provider_id(b));
	print_enum("state", "state %s ", dmapeek_buffer_state(b),
		   dmapeek_buffer_state_str);
	pr_u64("inode", "inode %" PRIu64, dmapeek_buffer_inode(b));
	pr_nl();
	pr_text("    ");
	pr_u64("attachments", "attachments %" PRIu64 " ", dmapeek_buffer_attachments(b));
	pr_u64("pins", "pins %" PRIu64 " ", dmapeek_buffer_pins(b));
	pr_u64("moves", "moves %" PRIu64 " ", dmapeek_buffer_moves(b));
	pr_u64("revokes", "revokes %" PRIu64, dmapeek_buffer_revokes(b));
	pr_u64("created_ns", NULL, dmapeek_buffer_created_ns(b));
	pr_nl();
	pr_open_arr("ranges");
	for (i = 0; !dmapeek_buffer_range(b, i, &r); i++)
		print_range(&r);
	pr_close_arr();
	if (detail) {
		struct dmapeek_attachment *a;

		pr_open_arr("attachment_list");
		dmapeek_for_each_attachment_of_buffer(ctx, dmapeek_buffer_id(b), a)
			print_attachment(a, true, true);
		pr_close_arr();
	}
	pr_close_obj();
}

/* ------------------------------------------------------------- objects */

typedef int (*cmd_fn)(int argc, char **argv);

struct cmd {
	const char *name;
	cmd_fn fn;
};

static int dispatch(const struct cmd *cmds, int argc, char **argv,
		    const char *what)
{
	const struct cmd *c;

	if (argc < 1)
		return cmds[0].fn(0, argv);	/* the default verb */
	/* A whole word wins over a prefix of another: "map" is not "mapping". */
	for (c = cmds; c->name; c++)
		if (!strcmp(argv[0], c->name))
			return c->fn(argc - 1, argv + 1);
	for (c = cmds; c->name; c++)
		if (matches(argv[0], c->name))
			return c->fn(argc - 1, argv + 1);
	return usage_err("unknown %s \"%s\", try \"dmapeek help\"", what, argv[0]);
}

static int iter_done(const char *what)
{
	int err = dmapeek_iter_err(ctx);

	return err ? op_err(err, "%s dump", what) : EXIT_OK;
}

/*
 * The list/show body every object shares: with an id, a lookup; without,
 * a streamed dump (with an optional filter).
 */
#define OBJ_LIST(obj, label, print_call) \
static int obj##_show(int argc, char **argv) \
{ \
	struct dmapeek_##obj *x; \
	uint32_t id; \
	int rc = need_ctx(); \
 \
	if (rc) \
		return rc; \
	if (argc > 0) { \
		if (parse_u32(argv[0], &id)) \
			return usage_err("bad " label " id \"%s\"", argv[0]); \
		x = dmapeek_##obj##_get(ctx, id); \
		if (!x) \
			return op_err(errno, label " %u", id); \
		pr_open_arr(NULL); \
		print_call; \
		pr_close_arr(); \
		dmapeek_object_free(x); \
		return EXIT_OK; \
	} \
	pr_open_arr(NULL); \
	dmapeek_for_each_##obj(ctx, x) \
		print_call; \
	pr_close_arr(); \
	return iter_done(label); \
}

OBJ_LIST(provider, "provider", print_provider(x))
OBJ_LIST(device, "device", print_device(x))
OBJ_LIST(buffer, "buffer", print_buffer(x, true))
OBJ_LIST(attachment, "attachment", print_attachment(x, false, true))
OBJ_LIST(mapping, "mapping", print_mapping(x, false))

static const struct cmd provider_cmds[] = {
	{ "show", provider_show }, { "list", provider_show }, { NULL, NULL },
};
static const struct cmd device_cmds[] = {
	{ "show", device_show }, { "list", device_show }, { NULL, NULL },
};
static const struct cmd attachment_cmds[] = {
	{ "show", attachment_show }, { "list", attachment_show }, { NULL, NULL },
};
static const struct cmd mapping_cmds[] = {
	{ "show", mapping_show }, { "list", mapping_show }, { NULL, NULL },
};

/* Every dma-buf in the system: bufinfo, fdinfo and the module joined. */
static int buffer_all(int argc, char **argv)
{
	struct dmapeek_sysview *v;
	unsigned int i, j, unreadable;
	int s;

	(void)argv;
	if (argc)
		return usage_err("\"buffer all\" takes no arguments");
	if (!ctx) {
		ctx = dmapeek_new();	/* optional here: no error if absent */
		if (ctx)
			dmapeek_set_log_fn(ctx, log_stderr, NULL);
	}
	v = dmapeek_sysview_new(ctx, NULL);
	if (!v)
		return op_err(errno, "system-wide view");
	pr_open_obj(NULL);
	pr_open_arr("sources");
	for (s = 0; s < DMAPEEK_SRC_MAX; s++) {
		int err = dmapeek_sysview_source(v, s, &unreadable);

		pr_open_obj(NULL);
		pr_str("name", "source %s ", dmapeek_sysview_src_str(s));
		pr_str("status", "%s", err ? strerrorname_np(-err) ?: "error" : "ok");
		pr_u64("unreadable", unreadable ? " (%" PRIu64 " unreadable)" : NULL,
		       unreadable);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	pr_open_arr("buffers");
	for (i = 0; i < dmapeek_sysview_nr_buffers(v); i++) {
		const struct dmapeek_sysbuf *b = dmapeek_sysview_buffer(v, i);

		pr_open_obj(NULL);
		pr_u64("inode", "inode %" PRIu64 " ", dmapeek_sysbuf_inode(b));
		pr_size("size", "size %s ", dmapeek_sysbuf_size(b));
		pr_str("exp_name", "exporter %s ", dmapeek_sysbuf_exp_name(b));
		pr_str("name", "name \"%s\" ", dmapeek_sysbuf_name(b));
		pr_s64("count", "count %" PRId64 " ", dmapeek_sysbuf_count(b));
		if (dmapeek_sysbuf_buffer_id(b))
			pr_u64("buffer", "buffer %" PRIu64 " ", dmapeek_sysbuf_buffer_id(b));
		else
			pr_null("buffer", NULL);
		pr_nl();
		pr_open_arr("devices");
		for (j = 0; j < dmapeek_sysbuf_nr_devices(b); j++)
			pr_str(NULL, "    attached %s\n", dmapeek_sysbuf_device(b, j));
		pr_close_arr();
		pr_open_arr("fds");
		for (j = 0; j < dmapeek_sysbuf_nr_fds(b); j++) {
			const char *comm;
			int pid, fd;

			dmapeek_sysbuf_fd(b, j, &pid, &fd, &comm);
			pr_open_obj(NULL);
			pr_s64("pid", "    pid %" PRId64 " ", pid);
			pr_str("comm", "(%s) ", comm);
			pr_s64("fd", "fd %" PRId64, fd);
			pr_close_obj();
			pr_nl();
		}
		pr_close_arr();
		pr_close_obj();
	}
	pr_close_arr();
	pr_close_obj();
	dmapeek_sysview_free(v);
	return EXIT_OK;
}

static const struct cmd buffer_cmds[] = {
	{ "show", buffer_show }, { "list", buffer_show }, { "all", buffer_all },
	{ NULL, NULL },
};

static int cmd_provider(int argc, char **argv)
{
	return dispatch(provider_cmds, argc, argv, "provider command");
}
static int cmd_device(int argc, char **argv)
{
	return dispatch(device_cmds, argc, argv, "device command");
}
static int cmd_buffer(int argc, char **argv)
{
	return dispatch(buffer_cmds, argc, argv, "buffer command");
}
static int cmd_attachment(int argc, char **argv)
{
	return dispatch(attachment_cmds, argc, argv, "attachment command");
}
static int cmd_mapping(int argc, char **argv)
{
	return dispatch(mapping_cmds, argc, argv, "mapping command");
}

/* --------------------------------------------------------------- p2p */

static const char *map_abbrev(uint32_t t)
{
	switch (t) {
	case DMAPEEK_MAP_TYPE_BUS_ADDR: return "BUS";
	case DMAPEEK_MAP_TYPE_THRU_HOST_BRIDGE: return "HB";
	case DMAPEEK_MAP_TYPE_NOT_SUPPORTED: return "NS";
	case DMAPEEK_MAP_TYPE_NONE: return "X";
	default: return "?";
	}
}

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
	int rc = need_ctx();

	(void)argv;
	if (rc)
		return rc;
	if (argc)
		return usage_err("\"p2p matrix\" takes no arguments");
	memset(type, 0xff, sizeof(type));
	pr_open_arr(NULL);
	dmapeek_for_each_p2p(ctx, c) {
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
	printf("%-14s", "provider");
	for (j = 0; j < nc; j++)
		printf(" %-6.6s", cli[j] + (strlen(cli[j]) > 7 ? strlen(cli[j]) - 7 : 0));
	printf("\n");
	for (i = 0; i < np; i++) {
		printf("%-14s", prov[i]);
		for (j = 0; j < nc; j++)
			printf(" %-6s", type[i][j] == UINT32_MAX ? "" : map_abbrev(type[i][j]));
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

static int p2p_show(int argc, char **argv)
{
	struct dmapeek_p2p *c;
	int rc = need_ctx();

	if (rc)
		return rc;
	if (argc == 0) {
		pr_open_arr(NULL);
		dmapeek_for_each_p2p(ctx, c)
			print_p2p(c);
		pr_close_arr();
		return iter_done("p2p");
	}
	if (argc != 2)
		return usage_err("usage: dmapeek p2p show [PROVIDER_BDF CLIENT_BDF]");
	c = dmapeek_p2p_get(ctx, argv[0], argv[1]);
	if (!c)
		return op_err(errno, "p2p %s %s", argv[0], argv[1]);
	pr_open_arr(NULL);
	print_p2p(c);
	pr_close_arr();
	dmapeek_object_free(c);
	return EXIT_OK;
}

static const struct cmd p2p_cmds[] = {
	{ "matrix", p2p_matrix }, { "show", p2p_show }, { "list", p2p_show },
	{ NULL, NULL },
};

static int cmd_p2p(int argc, char **argv)
{
	return dispatch(p2p_cmds, argc, argv, "p2p command");
}

/* ------------------------------------------------------------- control */

static char last_buffer[16], last_attachment[16];

static int cmd_export(int argc, char **argv)
{
	DMAPEEK_OPTS(dmapeek_export_opts, o);
	uint32_t id;
	int fd, rc = need_ctx(), err;

	if (rc)
		return rc;
	o.model = DMAPEEK_MODEL_PINNED;
	for (; argc > 0; argc -= 2, argv += 2) {
		NEED_ARG(argc, argv, "a value");
		if (matches(argv[0], "provider")) {
			if (parse_u32(argv[1], &o.provider_id))
				return usage_err("bad provider id \"%s\"", argv[1]);
		} else if (matches(argv[0], "model")) {
			if (dmapeek_model_parse(argv[1], &o.model))
				return usage_err("model is pinned, movable or revocable");
		} else if (matches(argv[0], "size")) {
			if (parse_size(argv[1], &o.length))
				return usage_err("bad size \"%s\"", argv[1]);
		} else if (matches(argv[0], "name")) {
			o.name = argv[1];
		} else {
			return usage_err("unknown export argument \"%s\"", argv[0]);
		}
	}
	if (!o.provider_id || !o.length)
		return usage_err("usage: dmapeek export provider ID size SIZE "
				 "[model pinned|movable|revocable] [name NAME]");
	err = dmapeek_export(ctx, &o, &fd, &id);
	if (err)
		return op_err(err, "export");
	snprintf(last_buffer, sizeof(last_buffer), "%u", id);
	if (nr_held < sizeof(held) / sizeof(held[0]))
		held[nr_held++] = (struct held){ .id = id, .fd = fd };
	pr_open_obj(NULL);
	pr_u64("buffer", "exported buffer %" PRIu64 " ", id);
	pr_s64("fd", "fd %" PRId64, fd);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

static int held_fd(uint32_t id)
{
	unsigned int i;

	for (i = 0; i < nr_held; i++)
		if (held[i].id == id)
			return held[i].fd;
	return -1;
}

static int cmd_import(int argc, char **argv)
{
	DMAPEEK_OPTS(dmapeek_import_opts, o);
	uint32_t dev = 0, bid, aid;
	int fd = -1, rc = need_ctx(), err;

	if (rc)
		return rc;
	while (argc > 0) {
		if (matches(argv[0], "dynamic")) {
			o.flags |= DMAPEEK_IMPORT_DYNAMIC;
		} else if (matches(argv[0], "pin")) {
			o.flags |= DMAPEEK_IMPORT_PIN;
		} else if (matches(argv[0], "p2p")) {
			o.flags |= DMAPEEK_IMPORT_PEER2PEER;
		} else if (matches(argv[0], "no-invalidate")) {
			o.flags |= DMAPEEK_IMPORT_NO_INVALIDATE;
		} else {
			NEED_ARG(argc, argv, "a value");
			if (matches(argv[0], "device")) {
				if (parse_u32(argv[1], &dev))
					return usage_err("bad device id \"%s\"", argv[1]);
			} else if (matches(argv[0], "buffer")) {
				if (parse_u32(argv[1], &bid))
					return usage_err("bad buffer id \"%s\"", argv[1]);
				fd = held_fd(bid);
				if (fd < 0)
					return usage_err("buffer %u was not exported by this "
							 "dmapeek (use -b to export and import in one run)",
							 bid);
			} else if (matches(argv[0], "fd")) {
				uint32_t f;

				if (parse_u32(argv[1], &f))
					return usage_err("bad fd \"%s\"", argv[1]);
				fd = (int)f;
			} else if (matches(argv[0], "behaviour")) {
				if (dmapeek_behaviour_parse(argv[1], &o.behaviour))
					return usage_err("behaviour is normal, never-unmap or delayed-unmap");
			} else if (matches(argv[0], "delay")) {
				if (parse_u32(argv[1], &o.unmap_delay_ms))
					return usage_err("bad delay \"%s\"", argv[1]);
			} else {
				return usage_err("unknown import argument \"%s\"", argv[0]);
			}
			argc--;
			argv++;
		}
		argc--;
		argv++;
	}
	if (fd < 0 || !dev)
		return usage_err("usage: dmapeek import {buffer ID|fd FD} device ID "
				 "[dynamic] [pin] [p2p] [behaviour B] [delay MS]");
	err = dmapeek_import(ctx, fd, dev, &o, &aid);
	if (err)
		return op_err(err, "import");
	snprintf(last_attachment, sizeof(last_attachment), "%u", aid);
	pr_open_obj(NULL);
	pr_u64("attachment", "imported as attachment %" PRIu64, aid);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

#define ID_OP(fn, label, call, done) \
static int fn(int argc, char **argv) \
{ \
	uint32_t id; \
	int rc = need_ctx(), err; \
 \
	if (rc) \
		return rc; \
	if (argc != 1 || parse_u32(argv[0], &id)) \
		return usage_err("usage: dmapeek " label " ID"); \
	err = call; \
	if (err) \
		return op_err(err, label " %u", id); \
	pr_open_obj(NULL); \
	pr_u64("id", done " %" PRIu64, id); \
	pr_close_obj(); \
	pr_nl(); \
	return EXIT_OK; \
}

ID_OP(cmd_detach, "detach", dmapeek_detach(ctx, id), "detached attachment")
ID_OP(cmd_map, "map", dmapeek_map(ctx, id), "mapped attachment")
ID_OP(cmd_unmap, "unmap", dmapeek_unmap(ctx, id), "unmapped attachment")
ID_OP(cmd_restore, "restore", dmapeek_restore(ctx, id), "restored buffer")

static int cmd_move(int argc, char **argv)
{
	uint32_t id, prov = 0, timeout = 0;
	int rc = need_ctx(), err;

	if (rc)
		return rc;
	if (argc < 1 || parse_u32(argv[0], &id))
		return usage_err("usage: dmapeek move BUFFER provider ID [timeout MS]");
	for (argc--, argv++; argc > 0; argc -= 2, argv += 2) {
		NEED_ARG(argc, argv, "a value");
		if (matches(argv[0], "provider") && !parse_u32(argv[1], &prov))
			continue;
		if (matches(argv[0], "timeout") && !parse_u32(argv[1], &timeout))
			continue;
		return usage_err("bad move argument \"%s %s\"", argv[0], argv[1]);
	}
	if (!prov)
		return usage_err("usage: dmapeek move BUFFER provider ID [timeout MS]");
	err = dmapeek_move(ctx, id, prov, timeout);
	if (err)
		return op_err(err, "move buffer %u", id);
	pr_open_obj(NULL);
	pr_u64("buffer", "moved buffer %" PRIu64 " ", id);
	pr_u64("provider", "to provider %" PRIu64, prov);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

static int cmd_revoke(int argc, char **argv)
{
	struct dmapeek_revoke_result *r;
	uint32_t id, timeout = 0, aid;
	uint64_t ns;
	unsigned int i;
	bool stuck;
	int rc = need_ctx(), err;

	if (rc)
		return rc;
	if (argc < 1 || parse_u32(argv[0], &id))
		return usage_err("usage: dmapeek revoke BUFFER [timeout MS]");
	if (argc == 3 && matches(argv[1], "timeout") && !parse_u32(argv[2], &timeout))
		;
	else if (argc != 1)
		return usage_err("usage: dmapeek revoke BUFFER [timeout MS]");
	err = dmapeek_revoke(ctx, id, timeout, &r);
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
	dmapeek_object_free(r);
	return EXIT_OK;
}

static int cmd_audit(int argc, char **argv)
{
	struct dmapeek_audit_report *r;
	uint64_t iova, exp, act;
	unsigned int i;
	uint32_t id;
	int rc = need_ctx(), err;

	if (rc)
		return rc;
	if (argc != 1 || parse_u32(argv[0], &id))
		return usage_err("usage: dmapeek audit MAPPING");
	err = dmapeek_audit(ctx, id, &r);
	if (err)
		return op_err(err, "audit mapping %u", id);
	pr_open_obj(NULL);
	pr_u64("mapping", "mapping %" PRIu64 " ", id);
	print_enum("result", "result %s ", dmapeek_audit_result(r), dmapeek_audit_result_str);
	print_enum("domain_type", "domain %s ", dmapeek_audit_domain_type(r),
		   dmapeek_domain_type_str);
	pr_u64("pages", "pages %" PRIu64 " ", dmapeek_audit_pages(r));
	pr_u64("mismatches", "mismatches %" PRIu64 " ", dmapeek_audit_mismatches(r));
	pr_u64("holes", "holes %" PRIu64, dmapeek_audit_holes(r));
	pr_nl();
	pr_open_arr("samples");
	for (i = 0; !dmapeek_audit_sample(r, i, &iova, &exp, &act); i++) {
		pr_open_obj(NULL);
		pr_u64("iova", "  iova %#" PRIx64 " ", iova);
		pr_u64("expected", "expected %#" PRIx64 " ", exp);
		pr_u64("actual", "actual %#" PRIx64, act);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	pr_close_obj();
	dmapeek_object_free(r);
	return EXIT_OK;
}

/* dma read ATT [offset O] len L | dma write ATT [offset O] len L [pattern B] */
static int cmd_dma(int argc, char **argv)
{
	uint64_t off = 0, len = 0, i;
	uint32_t id, pattern = 0xa5;
	bool wr;
	unsigned char *buf;
	int rc = need_ctx(), err;

	if (rc)
		return rc;
	if (argc < 2 || !(matches(argv[0], "read") || matches(argv[0], "write")) ||
	    parse_u32(argv[1], &id))
		return usage_err("usage: dmapeek dma {read|write} ATTACHMENT [offset O] "
				 "len L [pattern BYTE]");
	wr = matches(argv[0], "write");
	for (argc -= 2, argv += 2; argc > 0; argc -= 2, argv += 2) {
		NEED_ARG(argc, argv, "a value");
		if (matches(argv[0], "offset") && !parse_size(argv[1], &off))
			continue;
		if (matches(argv[0], "len") && !parse_size(argv[1], &len))
			continue;
		if (wr && matches(argv[0], "pattern") && !parse_u32(argv[1], &pattern) &&
		    pattern < 256)
			continue;
		return usage_err("bad dma argument \"%s %s\"", argv[0], argv[1]);
	}
	if (!len || len > (64 << 20))
		return usage_err("dma needs len, at most 64MiB");
	buf = malloc(len);
	if (!buf)
		return op_err(ENOMEM, "dma");
	memset(buf, (int)pattern, len);
	err = wr ? dmapeek_dma_write(ctx, id, off, buf, len) :
		   dmapeek_dma_read(ctx, id, off, buf, len);
	if (err) {
		free(buf);
		return op_err(err, "dma %s attachment %u", wr ? "write" : "read", id);
	}
	pr_open_obj(NULL);
	pr_str("op", "dma %s ", wr ? "write" : "read");
	pr_u64("attachment", "attachment %" PRIu64 " ", id);
	pr_u64("offset", "offset %" PRIu64 " ", off);
	pr_u64("len", "len %" PRIu64, len);
	if (!wr) {
		pr_nl();
		pr_open_arr("data");
		for (i = 0; i < len && i < 64; i++)
			pr_u64(NULL, i % 16 == 15 ? "%02" PRIx64 "\n" : "%02" PRIx64 " ",
			       buf[i]);
		pr_close_arr();
	}
	pr_close_obj();
	pr_nl();
	free(buf);
	return EXIT_OK;
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

static bool valid_bdf(const char *s)
{
	unsigned int d, b, dev, f;
	char end;

	return strlen(s) == 12 &&
	       sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &dev, &f, &end) == 4;
}

static int cmd_bind(int argc, char **argv)
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

static int cmd_unbind(int argc, char **argv)
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
	if (err)
		return op_err(err, "unbind %s from dmapeek", argv[0]);
	pr_open_obj(NULL);
	pr_str("unbound", "unbound %s from dmapeek", argv[0]);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

/* ------------------------------------------------------------- monitor */

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_event(const struct dmapeek_event *e)
{
	pr_open_obj(NULL);
	pr_u64("timestamp_ns", "[%" PRIu64 "] ", dmapeek_event_timestamp_ns(e));
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
	pr_close_obj();
	if (!pr_is_json())
		pr_nl();
	fflush(stdout);
}

/* monitor [count N] [timeout S]: JSON lines with -j. */
static int cmd_monitor(int argc, char **argv)
{
	uint32_t max = 0, timeout = 0, seen = 0;
	uint64_t lost_shown = 0;
	struct pollfd pfd;
	int rc = need_ctx(), err;

	if (rc)
		return rc;
	for (; argc > 0; argc -= 2, argv += 2) {
		NEED_ARG(argc, argv, "a value");
		if (matches(argv[0], "count") && !parse_u32(argv[1], &max))
			continue;
		if (matches(argv[0], "timeout") && !parse_u32(argv[1], &timeout))
			continue;
		return usage_err("bad monitor argument \"%s %s\"", argv[0], argv[1]);
	}
	err = dmapeek_event_subscribe(ctx);
	if (err)
		return op_err(err, "subscribe to events");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pfd.fd = dmapeek_event_fd(ctx);
	pfd.events = POLLIN;
	if (!opt_json)
		fprintf(stderr, "dmapeek: listening for events (Ctrl-C to stop)\n");
	while (!stop && (!max || seen < max)) {
		const struct dmapeek_event *e;
		int n = poll(&pfd, 1, timeout ? (int)timeout * 1000 : -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return op_err(errno, "poll");
		if (n == 0)
			break;
		while ((!max || seen < max) && (e = dmapeek_event_read(ctx))) {
			print_event(e);
			seen++;
		}
		if (dmapeek_event_lost(ctx) != lost_shown) {
			lost_shown = dmapeek_event_lost(ctx);
			pr_open_obj(NULL);
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
	err = dmapeek_abi_version(ctx, &kmaj, &kmin);
	if (err) {
		pr_close_obj();
		return op_err(err, "ABI query");
	}
	pr_text("module ABI %u.%u (netlink)\n", kmaj, kmin);
	pr_open_obj("module_abi");
	pr_u64("major", NULL, kmaj);
	pr_u64("minor", NULL, kmin);
	pr_close_obj();
	err = dmapeek_dev_abi_version(ctx, &kmaj, &kmin);
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
	err = stats_collect(ctx, &s, &what);
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
		"                   bind | unbind | stats | help }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -n[umeric] | -b[atch] FILE |\n"
		"                    -force | -V[ersion] | -h[elp] }\n"
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
	{ "stats", cmd_stats },
	{ "help", cmd_help },
	{ NULL, NULL },
};

/* Results later words may name: $buffer, $attachment (batch files). */

static int run(int argc, char **argv)
{
	int i;

	if (argc < 1)
		return cmd_help(0, argv);
	for (i = 0; i < argc; i++) {
		const char *val = NULL;

		if (!strcmp(argv[i], "$buffer"))
			val = last_buffer;
		else if (!strcmp(argv[i], "$attachment"))
			val = last_attachment;
		else
			continue;
		if (!*val)
			return usage_err("%s names no earlier result", argv[i]);
		argv[i] = (char *)val;
	}
	return dispatch(objects, argc, argv, "object");
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

static int run_batch(const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *line = NULL, *argv[64];
	size_t cap = 0;
	int rc = EXIT_OK;

	if (!f)
		return op_err(errno, "batch file %s", file);
	batch_file = file;
	while (getline(&line, &cap, f) > 0) {
		int argc, r;

		batch_line++;
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
			if (!opt_force)
				break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	/* iproute2 style single-dash long options, prefixes accepted. */
	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *o = argv[1] + 1;

		if (*o == '-')
			o++;
		if (matches(o, "json")) {
			opt_json = true;
		} else if (matches(o, "pretty")) {
			opt_pretty = true;
		} else if (matches(o, "numeric")) {
			opt_numeric = true;
		} else if (!strcmp(o, "force") || !strcmp(o, "f")) {
			opt_force = true;
		} else if (matches(o, "batch")) {
			if (argc < 3)
				return usage_err("-b needs a file");
			batch_file = argv[2];
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
	pr_init(stdout, opt_json, opt_pretty);
	if (batch_file) {
		const char *file = batch_file;

		batch_file = NULL;
		rc = run_batch(file);
	} else {
		rc = run(argc - 1, argv + 1);
	}
	if (pr_done() && !rc)
		rc = EXIT_FAILED;
	dmapeek_free(ctx);
	if (pacc)
		pci_cleanup(pacc);
	return rc;
}
