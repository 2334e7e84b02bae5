// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp-large: objects with more ranges than fit one netlink message, made
 * and read back through libdmapeek, for the guest tests (t-large.sh).
 *
 *   dp-large import DEVID PROV NR
 *	a buffer of NR one-page ranges of BAR provider PROV, as export
 *	makes it, imported into dmapeek device DEVID (dynamic, P2P: a
 *	revocable importer, as BAR memory asks) and mapped; prints
 *	"attachment=A mapping=M" (M the attachment's last mapping, the
 *	importer's record of its sg table: a range per BAR range) and holds
 *	it until stdin closes
 *   dp-large export PROV NR
 *	a buffer of NR one-page ranges of BAR provider PROV, in reverse
 *	order, so none is next to the one before it; prints "buffer=B" and
 *	holds it until stdin closes
 *   dp-large ranges mapping|buffer ID
 *	the object's ranges as the library returns them, from the dump
 *	iterator ("dump ...") and from the get ("get ..."), each line
 *	"id=N nr_ranges=N count=N bytes=N contiguous=0|1 addrs=N" as
 *	nl-decode prints it (addrs: ranges that carry an address)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dmapeek.h>

#define FAIL(...) do { printf("fail: " __VA_ARGS__); putchar('\n'); exit(1); } while (0)

static struct dmapeek *ctx;

/* Hold what we made until the test script closes our stdin. */
static void hold(void)
{
	char line[64];

	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
}

/*
 * NR one-page ranges of BAR provider PROV in reverse order, so none is next
 * to the one before it.  Returns the dma-buf; *id gets the buffer's id.
 */
static int export_ranges(uint32_t prov, uint32_t nr, uint32_t *id)
{
	long page = sysconf(_SC_PAGESIZE);
	struct dmapeek_range *r;
	uint32_t i;
	int fd;

	r = calloc(nr, sizeof(*r));
	if (!r)
		FAIL("out of memory");
	for (i = 0; i < nr; i++) {
		r[i].offset = (uint64_t)(nr - 1 - i) * (uint64_t)page;
		r[i].length = (uint64_t)page;
	}
	DMAPEEK_OPTS(dmapeek_export_opts, opts, .provider_id = prov,
		     .model = DMAPEEK_MODEL_PINNED, .ranges = r, .nr_ranges = nr,
		     .name = "many-ranges");
	if (dmapeek_export(ctx, &opts, &fd, id))
		FAIL("export %u ranges of provider %u: %s", nr, prov, strerror(errno));
	free(r);
	return fd;
}

static int do_import(uint32_t dev, uint32_t prov, uint32_t nr)
{
	DMAPEEK_OPTS(dmapeek_import_opts, o,
		     .flags = DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER);
	struct dmapeek_mapping *m;
	uint32_t att, id, mapping = 0;
	int fd = export_ranges(prov, nr, &id);

	if (dmapeek_import(ctx, fd, dev, &o, &att))
		FAIL("import into device %u: %s", dev, strerror(errno));
	if (dmapeek_map(ctx, att))
		FAIL("map attachment %u: %s", att, strerror(errno));
	dmapeek_for_each_mapping_of_attachment(ctx, att, m)
		mapping = dmapeek_mapping_id(m);
	if (dmapeek_iter_err(ctx))
		FAIL("mapping dump: %s", strerror(-dmapeek_iter_err(ctx)));
	if (!mapping)
		FAIL("attachment %u is mapped but has no mapping", att);
	printf("attachment=%u mapping=%u\n", att, mapping);
	hold();
	close(fd);
	return 0;
}

static int do_export(uint32_t prov, uint32_t nr)
{
	uint32_t id;
	int fd = export_ranges(prov, nr, &id);

	printf("buffer=%u\n", id);
	hold();
	close(fd);
	return 0;
}

/* What a list of ranges adds up to, in nl-decode's words. */
static void print_ranges(const char *how, uint32_t id, uint64_t nr,
			 const void *obj, bool is_mapping)
{
	struct dmapeek_addr_range r;
	uint64_t next = 0, bytes = 0;
	unsigned int i, addrs = 0;
	int contiguous = 1;

	for (i = 0;; i++) {
		if (is_mapping ? dmapeek_mapping_range(obj, i, &r) :
				 dmapeek_buffer_range(obj, i, &r))
			break;
		if (r.offset != next)
			contiguous = 0;
		next = r.offset + r.len;
		bytes += r.len;
		addrs += r.has_addr;
	}
	printf("%s id=%u nr_ranges=%" PRIu64 " count=%u bytes=%" PRIu64
	       " contiguous=%d addrs=%u\n", how, id, nr, i, bytes, contiguous, addrs);
}

static int do_ranges(const char *what, uint32_t id)
{
	bool found = false;

	if (!strcmp(what, "mapping")) {
		struct dmapeek_mapping *m;

		dmapeek_for_each_mapping(ctx, m) {
			if (dmapeek_mapping_id(m) != id)
				continue;
			print_ranges("dump", id, dmapeek_object_u64(m, DMAPEEK_A_MAPPING_NR_RANGES),
				     m, true);
			found = true;
		}
		if (dmapeek_iter_err(ctx))
			FAIL("mapping dump: %s", strerror(-dmapeek_iter_err(ctx)));
		m = dmapeek_mapping_get(ctx, id);
		if (!m)
			FAIL("mapping get %u: %s (%s)", id, strerror(errno),
			     dmapeek_extack(ctx) ?: "no extack");
		print_ranges("get", id, dmapeek_object_u64(m, DMAPEEK_A_MAPPING_NR_RANGES),
			     m, true);
		dmapeek_object_free(m);
	} else if (!strcmp(what, "buffer")) {
		struct dmapeek_buffer *b;

		dmapeek_for_each_buffer(ctx, b) {
			if (dmapeek_buffer_id(b) != id)
				continue;
			print_ranges("dump", id, dmapeek_object_u64(b, DMAPEEK_A_BUFFER_NR_RANGES),
				     b, false);
			found = true;
		}
		if (dmapeek_iter_err(ctx))
			FAIL("buffer dump: %s", strerror(-dmapeek_iter_err(ctx)));
		b = dmapeek_buffer_get(ctx, id);
		if (!b)
			FAIL("buffer get %u: %s (%s)", id, strerror(errno),
			     dmapeek_extack(ctx) ?: "no extack");
		print_ranges("get", id, dmapeek_object_u64(b, DMAPEEK_A_BUFFER_NR_RANGES),
			     b, false);
		dmapeek_object_free(b);
	} else {
		FAIL("cannot read the ranges of a %s", what);
	}
	if (!found)
		FAIL("%s %u is not in the dump", what, id);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: dp-large import DEVID PROV NR | export PROV NR | "
			"ranges mapping|buffer ID\n");
		return 2;
	}
	ctx = dmapeek_new();
	if (!ctx)
		FAIL("no dmapeek context with the module loaded: %s", strerror(errno));
	if (!strcmp(argv[1], "import") && argc == 5)
		return do_import((uint32_t)strtoul(argv[2], NULL, 0),
				 (uint32_t)strtoul(argv[3], NULL, 0),
				 (uint32_t)strtoul(argv[4], NULL, 0));
	if (!strcmp(argv[1], "export"))
		return do_export((uint32_t)strtoul(argv[2], NULL, 0),
				 (uint32_t)strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "ranges"))
		return do_ranges(argv[2], (uint32_t)strtoul(argv[3], NULL, 0));
	fprintf(stderr, "dp-large: unknown command %s\n", argv[1]);
	return 2;
}
