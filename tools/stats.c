// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmapeek stats: sums over the module's objects and the system-wide dma-buf
 * view, printed as text, JSON or Prometheus metrics (see stats.h).
 *
 * The module keeps counters per object (a buffer's revokes and moves, an
 * attachment's stuck flag) but no totals across objects already released,
 * so every figure here is a gauge of what exists now; none is a
 * Prometheus counter.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dmapeek.h>

#include "json_print.h"
#include "stats.h"

const char *const stats_format_names[] = {
	[STATS_TEXT] = "text",
	[STATS_PROMETHEUS] = "prometheus",
	NULL,
};

/* ------------------------------------------------------------ collection */

int stats_add_buffer(struct stats *s, const char *exporter, const char *model,
		     uint64_t bytes)
{
	struct stats_group *g;
	unsigned int i;

	for (i = 0; i < s->nr_groups; i++) {
		g = &s->groups[i];
		if (!strcmp(g->exporter, exporter) && !strcmp(g->model, model))
			goto found;
	}
	g = realloc(s->groups, (s->nr_groups + 1) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	s->groups = g;
	g = &s->groups[s->nr_groups];
	*g = (struct stats_group){ .exporter = strdup(exporter), .model = model };
	if (!g->exporter)
		return -ENOMEM;
	s->nr_groups++;
found:
	g->buffers++;
	g->bytes += bytes;
	return 0;
}

/* Does process @a rank before @b: more bytes, more buffers, a lower pid? */
static bool proc_before(const struct stats_process *a, const struct stats_process *b)
{
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes;
	if (a->buffers != b->buffers)
		return a->buffers > b->buffers;
	return a->pid < b->pid;
}

static void add_other(struct stats *s, const struct stats_process *p)
{
	s->other.buffers += p->buffers;
	s->other.bytes += p->bytes;
	s->nr_other++;
}

void stats_add_process(struct stats *s, int pid, const char *comm,
		       uint64_t buffers, uint64_t bytes)
{
	struct stats_process p = { .pid = pid, .buffers = buffers, .bytes = bytes };
	unsigned int i;

	snprintf(p.comm, sizeof(p.comm), "%s", comm ? comm : "");
	if (s->nr_top == STATS_TOP_PROCESSES) {
		if (!proc_before(&p, &s->top[STATS_TOP_PROCESSES - 1])) {
			add_other(s, &p);
			return;
		}
		/* the smallest of the top makes room */
		add_other(s, &s->top[--s->nr_top]);
	}
	for (i = s->nr_top; i > 0 && proc_before(&p, &s->top[i - 1]); i--)
		s->top[i] = s->top[i - 1];
	s->top[i] = p;
	s->nr_top++;
}

int stats_add_kernel_only(struct stats *s, const char *exporter, uint64_t bytes)
{
	struct stats_count *c;
	unsigned int i;

	for (i = 0; i < s->nr_kernel_only; i++) {
		c = &s->kernel_only[i];
		if (!strcmp(c->name, exporter))
			goto found;
	}
	c = realloc(s->kernel_only, (s->nr_kernel_only + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	s->kernel_only = c;
	c = &c[s->nr_kernel_only];
	*c = (struct stats_count){ .name = strdup(exporter) };
	if (!c->name)
		return -ENOMEM;
	s->nr_kernel_only++;
found:
	c->buffers++;
	c->bytes += bytes;
	return 0;
}

/* dmapeek's buffers: moves and revokes, and each id's model for the join. */
struct model_of {
	uint32_t id, model;
};

static int collect_buffers(struct dmapeek *ctx, struct stats *s,
			   struct model_of **models, unsigned int *nr)
{
	struct dmapeek_buffer *b;

	dmapeek_for_each_buffer(ctx, b) {
		struct model_of *m = realloc(*models, (*nr + 1) * sizeof(*m));

		if (!m) {
			dmapeek_iter_end(b);
			return -ENOMEM;
		}
		*models = m;
		m[(*nr)++] = (struct model_of){ dmapeek_buffer_id(b),
						dmapeek_buffer_model(b) };
		s->moves += dmapeek_buffer_moves(b);
		s->revokes += dmapeek_buffer_revokes(b);
	}
	return dmapeek_iter_err(ctx);
}

static const char *model_name(const struct model_of *m, unsigned int nr, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < nr; i++)
		if (m[i].id == id)
			return dmapeek_model_str(m[i].model) ?: "unknown";
	return "unknown";
}

/*
 * Who holds the view's buffers: each process (its buffers counted once,
 * however many fds and mappings it has), and those of no process, kept
 * by the kernel alone, by exporter.
 */
static int collect_holders(struct stats *s, const struct dmapeek_sysview *v)
{
	struct dmapeek_sysdiff *d = dmapeek_sysdiff_new(NULL, v);
	unsigned int i;
	int err = 0;

	if (!d)
		return -errno;
	for (i = 0; i < dmapeek_sysdiff_nr_growth(d, DMAPEEK_GROWTH_BY_PROCESS); i++) {
		const struct dmapeek_growth *g =
			dmapeek_sysdiff_growth(d, DMAPEEK_GROWTH_BY_PROCESS, i);

		if (dmapeek_growth_pid(g) > 0)
			stats_add_process(s, dmapeek_growth_pid(g), dmapeek_growth_name(g),
					  dmapeek_growth_after_buffers(g),
					  dmapeek_growth_after_bytes(g));
	}
	dmapeek_sysdiff_free(d);
	for (i = 0; i < dmapeek_sysview_nr_buffers(v) && !err; i++) {
		const struct dmapeek_sysbuf *b = dmapeek_sysview_buffer(v, i);

		if (dmapeek_sysbuf_flags(b) & DMAPEEK_SYSBUF_KERNEL_ONLY)
			err = stats_add_kernel_only(s, dmapeek_sysbuf_exp_name(b) ?: "dmapeek",
						    dmapeek_sysbuf_size(b));
	}
	return err;
}

/*
 * Every dma-buf by exporter and model: the system-wide view when it can be
 * built (bufinfo needs root and debugfs), else the module's buffers alone.
 */
static int collect_groups(struct dmapeek *ctx, struct stats *s,
			  const struct model_of *models, unsigned int nr)
{
	struct dmapeek_sysview *v = dmapeek_sysview_new(ctx, NULL);
	unsigned int i;
	int src, err = 0;

	if (!v) {
		for (i = 0; i < nr && !err; i++) {
			struct dmapeek_buffer *b = dmapeek_buffer_get(ctx, models[i].id);

			if (!b)
				continue;	/* released meanwhile */
			err = stats_add_buffer(s, "dmapeek",
					       dmapeek_model_str(models[i].model) ?: "unknown",
					       dmapeek_buffer_size(b));
			dmapeek_object_free(b);
		}
		return err;
	}
	for (src = 0; src < DMAPEEK_SRC_MAX && src < STATS_MAX_ENUM; src++) {
		s->source_name[src] = dmapeek_sysview_src_str(src);
		s->source_up[src] = !dmapeek_sysview_source(v, src, NULL);
	}
	s->nr_sources = (unsigned int)src;
	for (i = 0; i < dmapeek_sysview_nr_buffers(v) && !err; i++) {
		const struct dmapeek_sysbuf *b = dmapeek_sysview_buffer(v, i);
		/* Known only to the module: dmapeek.ko names its exports so. */
		const char *exp = dmapeek_sysbuf_exp_name(b) ?: "dmapeek";

		err = stats_add_buffer(s, exp,
				       model_name(models, nr, dmapeek_sysbuf_buffer_id(b)),
				       dmapeek_sysbuf_size(b));
	}
	if (!err)
		err = collect_holders(s, v);
	dmapeek_sysview_free(v);
	return err;
}

static int collect_providers(struct dmapeek *ctx, struct stats *s)
{
	struct dmapeek_provider *p;

	dmapeek_for_each_provider(ctx, p) {
		struct stats_provider *n;

		n = realloc(s->providers, (s->nr_providers + 1) * sizeof(*n));
		if (!n) {
			dmapeek_iter_end(p);
			return -ENOMEM;
		}
		s->providers = n;
		n = &s->providers[s->nr_providers++];
		*n = (struct stats_provider){
			.id = dmapeek_provider_id(p),
			.kind = dmapeek_provider_kind_str(dmapeek_provider_kind(p)) ?: "unknown",
			.bdf = dmapeek_provider_bdf(p) ? strdup(dmapeek_provider_bdf(p)) : NULL,
			.bar = dmapeek_object_has(p, DMAPEEK_A_PROVIDER_BAR) ?
				(int)dmapeek_provider_bar(p) : -1,
			.size = dmapeek_provider_size(p),
			.exported_bytes = dmapeek_provider_bytes_exported(p),
			.buffers = dmapeek_provider_buffers(p),
		};
	}
	return dmapeek_iter_err(ctx);
}

static int collect_attachments(struct dmapeek *ctx, struct stats *s)
{
	struct dmapeek_attachment *a;
	unsigned int t;

	/* Every known map type, so that a series reads 0 rather than vanishing. */
	for (t = 0; t < STATS_MAX_ENUM && dmapeek_map_type_str(t); t++)
		s->map_types[t].name = dmapeek_map_type_str(t);
	s->nr_map_types = t;
	dmapeek_for_each_attachment(ctx, a) {
		t = dmapeek_attachment_map_type(a);
		if (t < s->nr_map_types)
			s->map_types[t].attachments++;
		s->stuck += dmapeek_attachment_stuck(a);
	}
	return dmapeek_iter_err(ctx);
}

/*
 * Audit every live mapping (read-only, but CAP_SYS_ADMIN: it sees
 * addresses).  Ids are gathered first, so no request runs inside the dump.
 */
static int collect_audits(struct dmapeek *ctx, struct stats *s)
{
	struct dmapeek_mapping *m;
	uint32_t *ids = NULL, *n;
	unsigned int nr = 0, i, r;
	int err = 0;

	dmapeek_for_each_mapping(ctx, m) {
		n = realloc(ids, (nr + 1) * sizeof(*ids));
		if (!n) {
			dmapeek_iter_end(m);
			free(ids);
			return -ENOMEM;
		}
		ids = n;
		ids[nr++] = dmapeek_mapping_id(m);
	}
	err = dmapeek_iter_err(ctx);
	s->mappings = nr;
	for (r = 0; r < STATS_MAX_ENUM; r++)
		if (dmapeek_audit_result_str(r))
			s->audit[s->nr_audit++] = (struct stats_audit){
				.result = dmapeek_audit_result_str(r) };
	s->audited = !err;
	for (i = 0; i < nr && !err; i++) {
		struct dmapeek_audit_report *rep;
		const char *res;

		err = dmapeek_audit(ctx, ids[i], &rep);
		if (err == -ENOENT) {		/* unmapped meanwhile */
			err = 0;
			continue;
		}
		if (err == -EPERM || err == -EACCES) {
			s->audited = false;	/* not root: no audit figures */
			err = 0;
			break;
		}
		if (err)
			break;
		res = dmapeek_audit_result_str(dmapeek_audit_result(rep));
		for (r = 0; r < s->nr_audit; r++)
			if (res && !strcmp(s->audit[r].result, res))
				s->audit[r].mappings++;
		if (dmapeek_audit_result(rep) == DMAPEEK_AUDIT_RESULT_MISMATCH) {
			s->audit_failures++;
			s->audit_bad_pages += dmapeek_audit_mismatches(rep) +
					      dmapeek_audit_holes(rep);
		}
		dmapeek_object_free(rep);
	}
	free(ids);
	if (!s->audited)
		s->nr_audit = 0;
	return err;
}

int stats_collect(struct dmapeek *ctx, struct stats *s, const char **what)
{
	struct model_of *models = NULL;
	unsigned int nr = 0;
	int err;

	memset(s, 0, sizeof(*s));
	*what = "buffer dump";
	err = collect_buffers(ctx, s, &models, &nr);
	if (!err) {
		*what = "dma-buf view";
		err = collect_groups(ctx, s, models, nr);
	}
	free(models);
	if (!err) {
		*what = "provider dump";
		err = collect_providers(ctx, s);
	}
	if (!err) {
		*what = "attachment dump";
		err = collect_attachments(ctx, s);
	}
	if (!err) {
		*what = "mapping audit";
		err = collect_audits(ctx, s);
	}
	return err;
}

void stats_release(struct stats *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_groups; i++)
		free(s->groups[i].exporter);
	free(s->groups);
	for (i = 0; i < s->nr_providers; i++)
		free(s->providers[i].bdf);
	free(s->providers);
	for (i = 0; i < s->nr_kernel_only; i++)
		free(s->kernel_only[i].name);
	free(s->kernel_only);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ Prometheus */

#define STR_(x) #x
#define STR(x) STR_(x)
#define STATS_TOP_STR STR(STATS_TOP_PROCESSES)

/* A label value: backslash, double quote and newline escaped. */
static void prom_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void prom_family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void prom_provider(FILE *f, const char *name, const struct stats_provider *p,
			  uint64_t v)
{
	fprintf(f, "%s{provider=\"%" PRIu32 "\",kind=\"", name, p->id);
	prom_value(f, p->kind);
	fputs("\",bdf=\"", f);
	prom_value(f, p->bdf ?: "");
	fputs("\",bar=\"", f);
	if (p->bar >= 0)
		fprintf(f, "%d", p->bar);
	fprintf(f, "\"} %" PRIu64 "\n", v);
}

static void prom_groups(FILE *f, const struct stats *s, bool bytes)
{
	unsigned int i;

	for (i = 0; i < s->nr_groups; i++) {
		const struct stats_group *g = &s->groups[i];

		fputs(bytes ? "dmapeek_buffer_bytes{exporter=\"" :
			      "dmapeek_buffers{exporter=\"", f);
		prom_value(f, g->exporter);
		fputs("\",model=\"", f);
		prom_value(f, g->model);
		fprintf(f, "\"} %" PRIu64 "\n", bytes ? g->bytes : g->buffers);
	}
}

/* A process's series name and labels; NULL @p: every other process's. */
static void prom_process(FILE *f, const char *name, const struct stats_process *p)
{
	if (!p) {
		fprintf(f, "%s{pid=\"other\",comm=\"other\"}", name);
		return;
	}
	fprintf(f, "%s{pid=\"%d\",comm=\"", name, p->pid);
	prom_value(f, p->comm);
	fputs("\"}", f);
}

static void prom_processes(FILE *f, const struct stats *s, bool bytes)
{
	const char *name = bytes ? "dmapeek_process_buffer_bytes" : "dmapeek_process_buffers";
	unsigned int i;

	for (i = 0; i < s->nr_top; i++) {
		prom_process(f, name, &s->top[i]);
		fprintf(f, " %" PRIu64 "\n", bytes ? s->top[i].bytes : s->top[i].buffers);
	}
	prom_process(f, name, NULL);
	fprintf(f, " %" PRIu64 "\n", bytes ? s->other.bytes : s->other.buffers);
}

static void prom_kernel_only(FILE *f, const struct stats *s, bool bytes)
{
	unsigned int i;

	for (i = 0; i < s->nr_kernel_only; i++) {
		fputs(bytes ? "dmapeek_kernel_only_buffer_bytes{exporter=\"" :
			      "dmapeek_kernel_only_buffers{exporter=\"", f);
		prom_value(f, s->kernel_only[i].name);
		fprintf(f, "\"} %" PRIu64 "\n",
			bytes ? s->kernel_only[i].bytes : s->kernel_only[i].buffers);
	}
}

int stats_write_prometheus(const struct stats *s, FILE *f)
{
	unsigned int i;

	prom_family(f, "dmapeek_source_up",
		    "Whether a source of the dma-buf view could be read (1) or not (0).");
	for (i = 0; i < s->nr_sources; i++)
		fprintf(f, "dmapeek_source_up{source=\"%s\"} %d\n",
			s->source_name[i], s->source_up[i]);

	prom_family(f, "dmapeek_buffers",
		    "dma-bufs in the system, by exporter and dmapeek memory model.");
	prom_groups(f, s, false);
	prom_family(f, "dmapeek_buffer_bytes",
		    "Size of the dma-bufs in the system, by exporter and dmapeek memory model.");
	prom_groups(f, s, true);
	prom_family(f, "dmapeek_process_buffers",
		    "dma-bufs a process holds by fd or mapping (a shared one counts for each"
		    " holder), for the " STATS_TOP_STR " processes holding the most bytes;"
		    " pid \"other\" sums every other process.");
	prom_processes(f, s, false);
	prom_family(f, "dmapeek_process_buffer_bytes",
		    "Size of the dma-bufs a process holds by fd or mapping, for the "
		    STATS_TOP_STR " processes holding the most bytes; pid \"other\" sums the rest.");
	prom_processes(f, s, true);
	prom_family(f, "dmapeek_kernel_only_buffers",
		    "dma-bufs no process holds by fd or mapping, kept inside the kernel, by exporter.");
	prom_kernel_only(f, s, false);
	prom_family(f, "dmapeek_kernel_only_buffer_bytes",
		    "Size of the dma-bufs kept inside the kernel alone, by exporter.");
	prom_kernel_only(f, s, true);
	prom_family(f, "dmapeek_buffer_moves",
		    "Moves of the dmapeek buffers that exist now.");
	fprintf(f, "dmapeek_buffer_moves %" PRIu64 "\n", s->moves);
	prom_family(f, "dmapeek_buffer_revokes",
		    "Revokes of the dmapeek buffers that exist now.");
	fprintf(f, "dmapeek_buffer_revokes %" PRIu64 "\n", s->revokes);

	prom_family(f, "dmapeek_attachments",
		    "Attachments dmapeek knows, by PCI P2P map type.");
	for (i = 0; i < s->nr_map_types; i++)
		fprintf(f, "dmapeek_attachments{map_type=\"%s\"} %" PRIu64 "\n",
			s->map_types[i].name, s->map_types[i].attachments);
	prom_family(f, "dmapeek_stuck_importers",
		    "Attachments still mapped when their buffer's last revoke or move timed out.");
	fprintf(f, "dmapeek_stuck_importers %" PRIu64 "\n", s->stuck);

	prom_family(f, "dmapeek_provider_size_bytes", "Size of each P2P provider.");
	for (i = 0; i < s->nr_providers; i++)
		prom_provider(f, "dmapeek_provider_size_bytes", &s->providers[i],
			      s->providers[i].size);
	prom_family(f, "dmapeek_provider_exported_bytes",
		    "Bytes each P2P provider backs in live dmapeek buffers.");
	for (i = 0; i < s->nr_providers; i++)
		prom_provider(f, "dmapeek_provider_exported_bytes", &s->providers[i],
			      s->providers[i].exported_bytes);
	prom_family(f, "dmapeek_provider_buffers",
		    "Live dmapeek buffers each P2P provider backs.");
	for (i = 0; i < s->nr_providers; i++)
		prom_provider(f, "dmapeek_provider_buffers", &s->providers[i],
			      s->providers[i].buffers);

	prom_family(f, "dmapeek_mappings", "Live DMA mappings of dmapeek attachments.");
	fprintf(f, "dmapeek_mappings %" PRIu64 "\n", s->mappings);
	if (!s->audited)
		return ferror(f) ? -EIO : 0;
	prom_family(f, "dmapeek_iova_audit_mappings",
		    "Live mappings by the result of auditing their IOMMU translations now.");
	for (i = 0; i < s->nr_audit; i++)
		fprintf(f, "dmapeek_iova_audit_mappings{result=\"%s\"} %" PRIu64 "\n",
			s->audit[i].result, s->audit[i].mappings);
	prom_family(f, "dmapeek_iova_audit_failures",
		    "Live mappings whose IOMMU translations do not reach their memory.");
	fprintf(f, "dmapeek_iova_audit_failures %" PRIu64 "\n", s->audit_failures);
	prom_family(f, "dmapeek_iova_audit_bad_pages",
		    "Pages of those mappings that translate elsewhere or not at all.");
	fprintf(f, "dmapeek_iova_audit_bad_pages %" PRIu64 "\n", s->audit_bad_pages);
	return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------ text, JSON */

/* The largest holders, the rest, and what the kernel alone keeps. */
static void print_holders(const struct stats *s)
{
	unsigned int i;

	pr_open_arr("processes");
	for (i = 0; i < s->nr_top; i++) {
		pr_open_obj(NULL);
		pr_s64("pid", "process %" PRId64, s->top[i].pid);
		pr_str("comm", " (%s): ", s->top[i].comm);
		pr_u64("buffers", "%" PRIu64 " buffers, ", s->top[i].buffers);
		pr_size("bytes", "%s", s->top[i].bytes);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	pr_open_obj("other_processes");
	pr_u64("processes", s->nr_other ? "%" PRIu64 " other processes: " : NULL,
	       s->nr_other);
	pr_u64("buffers", s->nr_other ? "%" PRIu64 " buffers, " : NULL, s->other.buffers);
	pr_size("bytes", s->nr_other ? "%s\n" : NULL, s->other.bytes);
	pr_close_obj();
	pr_open_arr("kernel_only");
	for (i = 0; i < s->nr_kernel_only; i++) {
		pr_open_obj(NULL);
		pr_str("exporter", "kept by the kernel alone, exporter %s: ",
		       s->kernel_only[i].name);
		pr_u64("buffers", "%" PRIu64 " buffers, ", s->kernel_only[i].buffers);
		pr_size("bytes", "%s", s->kernel_only[i].bytes);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
}

void stats_print(const struct stats *s)
{
	unsigned int i;

	pr_open_obj(NULL);
	pr_open_arr("sources");
	pr_text("sources:");
	for (i = 0; i < s->nr_sources; i++) {
		pr_open_obj(NULL);
		pr_str("name", " %s", s->source_name[i]);
		pr_bool("up", NULL, s->source_up[i]);
		pr_text("%s", s->source_up[i] ? "" : " (unreadable)");
		pr_close_obj();
	}
	pr_close_arr();
	pr_nl();
	pr_open_arr("buffers");
	for (i = 0; i < s->nr_groups; i++) {
		pr_open_obj(NULL);
		pr_str("exporter", "exporter %s ", s->groups[i].exporter);
		pr_str("model", "model %s: ", s->groups[i].model);
		pr_u64("buffers", "%" PRIu64 " buffers, ", s->groups[i].buffers);
		pr_size("bytes", "%s", s->groups[i].bytes);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	print_holders(s);
	pr_u64("moves", "moves %" PRIu64 " ", s->moves);
	pr_u64("revokes", "revokes %" PRIu64 " ", s->revokes);
	pr_u64("stuck_importers", "stuck importers %" PRIu64, s->stuck);
	pr_nl();
	pr_open_obj("attachments");
	pr_text("attachments:");
	for (i = 0; i < s->nr_map_types; i++) {
		pr_u64(s->map_types[i].name, " %" PRIu64, s->map_types[i].attachments);
		pr_text(" %s", s->map_types[i].name);
	}
	pr_close_obj();
	pr_nl();
	pr_open_arr("providers");
	for (i = 0; i < s->nr_providers; i++) {
		const struct stats_provider *p = &s->providers[i];

		pr_open_obj(NULL);
		pr_u64("id", "provider %" PRIu64 " ", p->id);
		pr_str("kind", "%s ", p->kind);
		if (p->bdf)
			pr_str("bdf", "%s ", p->bdf);
		if (p->bar >= 0)
			pr_u64("bar", "bar %" PRIu64 " ", (uint64_t)p->bar);
		pr_size("size", "size %s ", p->size);
		pr_size("exported_bytes", "exported %s ", p->exported_bytes);
		pr_u64("buffers", "in %" PRIu64 " buffers", p->buffers);
		pr_close_obj();
		pr_nl();
	}
	pr_close_arr();
	pr_u64("mappings", "mappings %" PRIu64, s->mappings);
	if (s->audited) {
		pr_open_obj("audit");
		pr_text(", audited:");
		for (i = 0; i < s->nr_audit; i++) {
			pr_u64(s->audit[i].result, " %" PRIu64, s->audit[i].mappings);
			pr_text(" %s", s->audit[i].result);
		}
		pr_u64("bad_pages", ", %" PRIu64 " bad pages", s->audit_bad_pages);
		pr_close_obj();
	} else {
		pr_null("audit", " (not audited: needs CAP_SYS_ADMIN)");
	}
	pr_nl();
	pr_close_obj();
}
