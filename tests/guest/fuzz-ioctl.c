// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-ioctl: a seeded fuzzer for the ioctls of /dev/dmapeek.
 *
 *   fuzz-ioctl [--seed N] [--ops N] [--time S] [--failslab]
 *
 * Every operation starts from a valid argument struct for one of the
 * ioctls (built from the objects alive at that moment: providers, client
 * devices, exported buffers, imports) and mutates it: the size word, flags,
 * reserved fields, any field at random, file descriptors (closed ones,
 * files that are not dma-bufs, the device itself), ids, ranges and user
 * pointers; some operations use ioctl numbers near the real ones.  The
 * numbers retired in ABI 2.0 (map, unmap, move, revoke, restore, audit:
 * netlink since) are still drawn, and anything but ENOTTY from them fails
 * the run.  A call
 * that succeeds is tracked and undone later (detach, close), so the
 * fuzzer keeps exploring with live objects and ends with none.
 *
 * It fails (exit 1) on an errno outside the set the interface documents,
 * on a success it cannot account for, or when objects are left behind;
 * it prints the seed and the command that replays the run first, so a
 * crash of the kernel reproduces from the console log.  The figures line
 * ("fuzz-ioctl ops=N ok=N rejected=N ... ops_per_s=N") and one line per
 * errno ("errno EINVAL N") are what the guest test asserts on.
 *
 * --failslab (t-failslab.sh, which configures the kernel's failslab and
 * fail_page_alloc for tasks with make-it-fail): every ioctl and close of
 * the run is made with make-it-fail set (see failslab.h), three in four
 * requests are left valid so that they reach the allocations, and what an
 * allocation failure may give is expected besides: ENOMEM, and EIO (a
 * failed dma_map_phys()).  EFAULT is never expected for a request that was
 * not mutated: the tool's memory is present.  Per command, "cmd NAME
 * calls=N ok=N enomem=N" counts the ENOMEMs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <dmapeek.h>
/* BENCH_MAP: the lab's module has it; any other answers ENOTTY */
#include <linux/dmapeek-debug.h>
#include "lab-util.h"
#include "failslab.h"

#define MAX_BUFS	8
#define MAX_ATTS	16
/*
 * Under --failslab (the debug kernel, DMA-API debugging on), at most 3
 * imports at a time: DMA-API debugging warns when a cacheline is in more
 * than 8 mappings at once; exports failing for want of memory leave few
 * buffers for the imports to share, and a mapped import of dmapeek's
 * buffer may hold two mappings of its first page (the exporter's sg table,
 * and the importer's own when its IOVA allocation failed), plus one while
 * a BENCH_MAP runs.
 */
#define MAX_ATTS_FAILSLAB	3
#define MAX_PROVS	8
#define MAX_DEVS	8
#define NR_CMDS		(DMAPEEK_IOC_CMD_DMABUF_ATTACHMENTS - DMAPEEK_IOC_CMD_ABI_VERSION + 1)
#define ARG_BYTES	512	/* argument area: room for oversized structs */
#define DATA_BYTES	(1U << 20)	/* DMA source/destination, the ioctl's maximum */

static const char *const cmd_names[NR_CMDS] = {
	"abi", "export", "import", "detach", "map", "unmap",
	"move", "revoke", "restore", "dma", "audit", "bench-map", "buffer-fd",
	"dmabuf-attachments",
};

/*
 * The numbers retired in ABI 2.0 (map, unmap, move, revoke, restore,
 * audit: netlink since), still inside the range: whatever the argument,
 * they must answer ENOTTY.
 */
static int retired(unsigned int c)
{
	switch (c + DMAPEEK_IOC_CMD_ABI_VERSION) {
	case 0x84: case 0x85: case 0x86: case 0x87: case 0x88: case 0x8a:
		return 1;
	}
	return 0;
}

struct fz_buf {
	int fd;
	uint32_t id;
	uint32_t model;
	uint64_t size;
};

struct fz {
	uint64_t rng;
	int dev;		/* /dev/dmapeek */
	int dev2;		/* a second open: imports are owned per file */
	uint32_t prov[MAX_PROVS];
	uint64_t prov_size[MAX_PROVS];
	uint32_t prov_kind[MAX_PROVS];
	unsigned int nprov;
	uint32_t devs[MAX_DEVS];
	unsigned int ndevs;
	struct fz_buf buf[MAX_BUFS];
	unsigned int nbuf;
	uint32_t att[MAX_ATTS];
	int att_file[MAX_ATTS];
	unsigned int natt;
	int junk[6];		/* fds that are not dma-bufs, and a closed one */
	unsigned char *data;	/* DMA data, DATA_BYTES */
	void *unmapped;		/* a page that is no longer mapped */

	unsigned long long ops, ok[NR_CMDS], calls[NR_CMDS], bad_nr;
	unsigned long long enomem[NR_CMDS], closes, close_enomem;
	unsigned long long err[256];
	unsigned long long unexpected;
	int verbose;
};

static uint64_t rnd(struct fz *f)
{
	return rng_next(&f->rng);
}

static uint32_t below(struct fz *f, uint32_t n)
{
	return rng_below(&f->rng, n);
}

static int chance(struct fz *f, unsigned int one_in)
{
	return below(f, one_in) == 0;
}

/* The errnos the ioctls are documented (or bound by their helpers) to give. */
static int errno_expected(int e)
{
	switch (e) {
	case EINVAL: case E2BIG: case EFAULT: case ENOTTY: case ENOENT:
	case ENODEV: case EBADF: case ERANGE: case EOPNOTSUPP: case EBUSY:
	case EALREADY: case ENXIO: case ESTALE: case ENOMEM: case ENOSPC:
	case ENAMETOOLONG: case ETIMEDOUT: case EADDRINUSE: case EOVERFLOW:
	case EACCES:	/* BUFFER_FD of a buffer the module does not hold */
		return 1;
	case EIO:	/* a mapping that failed for want of memory */
		return fi.on;
	}
	return 0;
}

/* ------------------------------------------------------------ discovery */

/*
 * Providers and client devices to build valid requests with.  Not the
 * BARs of the edu (a register BAR: memory exported or moved there would
 * write the DMA engine's registers, with addresses the fuzzer made up).
 */
static int discover(struct fz *f)
{
	struct dmapeek *ctx = dmapeek_new();
	struct dmapeek_provider *p;
	struct dmapeek_device *d;
	uint32_t edu = 0;

	if (!ctx) {
		fprintf(stderr, "fuzz-ioctl: libdmapeek: %s\n", strerror(errno));
		return -1;
	}
	dmapeek_for_each_device(ctx, d) {
		if (dmapeek_device_vendor(d) == 0x1234)
			edu = dmapeek_device_id(d);
		if (f->ndevs < MAX_DEVS)
			f->devs[f->ndevs++] = dmapeek_device_id(d);
	}
	dmapeek_for_each_provider(ctx, p) {
		if (f->nprov == MAX_PROVS ||
		    (dmapeek_provider_kind(p) == DMAPEEK_PROVIDER_KIND_PCI_BAR &&
		     dmapeek_provider_device_id(p) == edu))
			continue;
		f->prov[f->nprov] = dmapeek_provider_id(p);
		f->prov_kind[f->nprov] = dmapeek_provider_kind(p);
		f->prov_size[f->nprov++] = dmapeek_provider_size(p);
	}
	dmapeek_free(ctx);
	return 0;
}

/*
 * Objects the module lists, held ones apart: the fuzzer must leave as many
 * as it found, besides what its exports with a mutated HOLD flag left
 * held (the module's until deleted; the campaign deletes them after).
 */
static int count_objects(unsigned int *bufs, unsigned int *atts, unsigned int *held)
{
	struct dmapeek *ctx = dmapeek_new();
	struct dmapeek_buffer *b;
	struct dmapeek_attachment *a;

	if (!ctx)
		return -1;
	*bufs = *atts = *held = 0;
	dmapeek_for_each_buffer(ctx, b) {
		if (dmapeek_buffer_held(b))
			(*held)++;
		else
			(*bufs)++;
	}
	dmapeek_for_each_attachment(ctx, a)
		(*atts)++;
	dmapeek_free(ctx);
	return 0;
}

static void setup_junk(struct fz *f)
{
	int p[2];

	f->junk[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
	f->junk[1] = pipe(p) ? -1 : p[0];
	f->junk[2] = memfd_create("fuzz-ioctl", MFD_CLOEXEC);
	f->junk[3] = f->dev;		/* the device itself is no dma-buf */
	f->junk[4] = dup(f->junk[0]);
	close(f->junk[4]);		/* a closed fd number */
	f->junk[5] = -1;
	f->unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(f->unmapped, 4096);
}

/* ------------------------------------------------------------ pools */

static int pick_fd(struct fz *f)
{
	if (f->nbuf && !chance(f, 4))
		return f->buf[below(f, f->nbuf)].fd;
	switch (below(f, 4)) {
	case 0: return f->junk[below(f, 6)];
	case 1: return (int)rnd(f);
	default: return f->junk[below(f, 6)];
	}
}

static uint32_t pick_buf_id(struct fz *f)
{
	if (f->nbuf && !chance(f, 5))
		return f->buf[below(f, f->nbuf)].id;
	return chance(f, 2) ? below(f, 64) : (uint32_t)rnd(f);
}

static uint32_t pick_att_id(struct fz *f)
{
	if (f->natt && !chance(f, 5))
		return f->att[below(f, f->natt)];
	return chance(f, 2) ? below(f, 256) : (uint32_t)rnd(f);
}

static uint32_t pick_dev(struct fz *f)
{
	if (f->ndevs && !chance(f, 6))
		return f->devs[below(f, f->ndevs)];
	return chance(f, 2) ? below(f, 16) : (uint32_t)rnd(f);
}

/*
 * The calls under test, with make-it-fail set under --failslab.  A close
 * drops the file whatever it returns; an ENOMEM there is counted apart.
 */
static int fz_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	fi_begin();
	ret = ioctl(fd, req, arg);
	fi_end();
	return ret;
}

static void fz_close(struct fz *f, int fd)
{
	fi_begin();
	if (close(fd) && errno == ENOMEM)
		f->close_enomem++;
	fi_end();
	f->closes++;
}

static void close_buf(struct fz *f, unsigned int i)
{
	fz_close(f, f->buf[i].fd);
	f->buf[i] = f->buf[--f->nbuf];
}

static int detach_att(struct fz *f, unsigned int i)
{
	struct dmapeek_id_op op = { .size = sizeof(op), .id = f->att[i] };
	int ret = fz_ioctl(f->att_file[i], DMAPEEK_IOC_DETACH, &op);

	if (ret && errno == ENOMEM) {
		/* counted, then done without injection: the import is gone */
		f->enomem[DMAPEEK_IOC_CMD_DETACH - DMAPEEK_IOC_CMD_ABI_VERSION]++;
		ret = ioctl(f->att_file[i], DMAPEEK_IOC_DETACH, &op);
	}

	f->att[i] = f->att[--f->natt];
	f->att_file[i] = f->att_file[f->natt];
	return ret ? -errno : 0;
}

/* ------------------------------------------------------------ builders */

static void build_export(struct fz *f, struct dmapeek_export *e, struct dmapeek_range *r,
			 unsigned int nr_room)
{
	unsigned int pi = f->nprov ? below(f, f->nprov) : 0;
	uint64_t off = 0;
	unsigned int i;

	e->size = sizeof(*e);
	e->provider_id = f->nprov ? f->prov[pi] : 1;
	e->model = 1 + below(f, 3);
	snprintf(e->name, sizeof(e->name), "fz%u", below(f, 1000));
	if (!f->nprov || f->prov_kind[pi] == DMAPEEK_PROVIDER_KIND_SYSTEM || chance(f, 4)) {
		e->length = 4096ULL * (1 + below(f, 16));
		return;
	}
	/* a few page ranges inside the BAR, in order, not overlapping */
	e->nr_ranges = 1 + below(f, nr_room < 4 ? nr_room : 4);
	for (i = 0; i < e->nr_ranges; i++) {
		off += 4096ULL * below(f, 4);
		r[i].offset = off;
		r[i].length = 4096ULL * (1 + below(f, 2));
		off += r[i].length;
	}
	e->ranges = (uintptr_t)r;
}

static void build_import(struct fz *f, struct dmapeek_import *im)
{
	static const uint32_t good_flags[] = {
		0, DMAPEEK_IMPORT_DYNAMIC, DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PIN,
		DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER,
		/* no invalidation is taken only with a pin */
		DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PIN | DMAPEEK_IMPORT_NO_INVALIDATE,
		DMAPEEK_IMPORT_PEER2PEER,
	};

	im->size = sizeof(*im);
	im->fd = pick_fd(f);
	im->device_id = pick_dev(f);
	im->flags = good_flags[below(f, 6)];
	im->behaviour = below(f, 4);
	im->unmap_delay_ms = below(f, 3);
}

/*
 * QEMU's edu takes 100 ms (virtual time) per transfer: a valid DMA stays
 * inside one page (one transfer), and one_op() mutates most of them anyway.
 */
static void build_dma(struct fz *f, struct dmapeek_dma *d)
{
	d->size = sizeof(*d);
	d->flags = below(f, 2);
	d->attachment_id = pick_att_id(f);
	d->offset = 4096ULL * below(f, 4) + 512 * below(f, 4);
	d->length = 1 + below(f, 2048);
	d->data = (uintptr_t)f->data;
}

/*
 * The entries go to the DMA data area: DATA_BYTES holds what any request
 * can make the module write there, MAX_ATTS entries of at most a page
 * each (the fuzzer's buffers have no other importers), whatever nr says.
 */
static void build_dmabuf_attachments(struct fz *f, struct dmapeek_dmabuf_attachments *q)
{
	q->size = sizeof(*q);
	q->fd = pick_fd(f);
	q->nr = below(f, 2 * MAX_ATTS);
	q->entry_size = sizeof(struct dmapeek_dmabuf_attachment) + 8 * below(f, 2);
	q->entries = (uintptr_t)f->data;
}

static void build_bench(struct fz *f, struct dmapeek_bench_map *b)
{
	b->size = sizeof(*b);
	b->attachment_id = pick_att_id(f);
	b->path = below(f, 8);
	b->iterations = 1 + below(f, 3);
	b->length = 4096ULL * (1 + below(f, 4));
}

/* Build a valid-looking argument for command index @c into @arg. */
static void build(struct fz *f, unsigned int c, void *arg, struct dmapeek_range *r)
{
	switch (c + DMAPEEK_IOC_CMD_ABI_VERSION) {
	case DMAPEEK_IOC_CMD_ABI_VERSION:
		((struct dmapeek_abi_version *)arg)->size = sizeof(struct dmapeek_abi_version);
		break;
	case DMAPEEK_IOC_CMD_EXPORT:
		build_export(f, arg, r, 16);
		break;
	case DMAPEEK_IOC_CMD_IMPORT:
		build_import(f, arg);
		break;
	case DMAPEEK_IOC_CMD_DETACH: {
		struct dmapeek_id_op *op = arg;

		op->size = sizeof(*op);
		op->id = pick_att_id(f);
		break;
	}
	case DMAPEEK_IOC_CMD_DMA:
		build_dma(f, arg);
		break;
	default:
		/* a retired number: a plausible id op, which must not matter */
		if (retired(c)) {
			struct dmapeek_id_op *op = arg;

			op->size = sizeof(*op);
			op->id = chance(f, 2) ? pick_att_id(f) : pick_buf_id(f);
		}
		break;
	case DMAPEEK_IOC_CMD_BENCH_MAP:
		build_bench(f, arg);
		break;
	case DMAPEEK_IOC_CMD_BUFFER_FD: {
		struct dmapeek_buffer_fd *bf = arg;

		bf->size = sizeof(*bf);
		bf->buffer_id = pick_buf_id(f);
		break;
	}
	case DMAPEEK_IOC_CMD_DMABUF_ATTACHMENTS:
		build_dmabuf_attachments(f, arg);
		break;
	}
}

/* ------------------------------------------------------------ mutators */

static const unsigned int struct_size[NR_CMDS] = {
	sizeof(struct dmapeek_abi_version), sizeof(struct dmapeek_export),
	sizeof(struct dmapeek_import), sizeof(struct dmapeek_id_op),
	/* retired (0x84-0x88): what their argument structs began with */
	sizeof(struct dmapeek_id_op), sizeof(struct dmapeek_id_op),
	sizeof(struct dmapeek_id_op), sizeof(struct dmapeek_id_op),
	sizeof(struct dmapeek_id_op), sizeof(struct dmapeek_dma),
	sizeof(struct dmapeek_id_op) /* retired 0x8a */, sizeof(struct dmapeek_bench_map),
	sizeof(struct dmapeek_buffer_fd), sizeof(struct dmapeek_dmabuf_attachments),
};

static void mutate_size(struct fz *f, unsigned char *arg, unsigned int sz)
{
	uint32_t *size = (uint32_t *)arg;

	switch (below(f, 7)) {
	case 0: *size = 0; break;
	case 1: *size = below(f, sz); break;		/* short */
	case 2: *size = sz + 8 * (1 + below(f, 8)); break;	/* longer, zero tail */
	case 3:						/* longer, non-zero tail */
		*size = sz + 8 * (1 + below(f, 8));
		arg[sz + below(f, *size - sz)] = 1 + below(f, 255);
		break;
	case 4: *size = ARG_BYTES; break;
	case 5: *size = UINT32_MAX - below(f, 8); break;
	default: *size = (uint32_t)rnd(f); break;
	}
}

/*
 * One random field (aligned word) of the struct, past the size word.  Not
 * the DMA's data pointer: a random address may be mapped here, and a read
 * DMA would scribble over the fuzzer itself (mutate_pointers() gives that
 * pointer only addresses known to fault).
 */
static void mutate_field(struct fz *f, unsigned int c, unsigned char *arg, unsigned int sz)
{
	unsigned int words = sz / 4 - 1, w = 1 + below(f, words ? words : 1);
	uint32_t v;

	if (c + DMAPEEK_IOC_CMD_ABI_VERSION == DMAPEEK_IOC_CMD_DMA &&
	    w * 4 >= offsetof(struct dmapeek_dma, data))
		w = 1 + below(f, offsetof(struct dmapeek_dma, data) / 4 - 1);
	/* nor DMABUF_ATTACHMENTS' entries pointer, for the same reason */
	if (c + DMAPEEK_IOC_CMD_ABI_VERSION == DMAPEEK_IOC_CMD_DMABUF_ATTACHMENTS &&
	    w * 4 >= offsetof(struct dmapeek_dmabuf_attachments, entries) &&
	    w * 4 < offsetof(struct dmapeek_dmabuf_attachments, length))
		w = 1 + below(f, offsetof(struct dmapeek_dmabuf_attachments, entries) / 4 - 1);

	switch (below(f, 6)) {
	case 0: v = 0; break;
	case 1: v = UINT32_MAX; break;
	case 2: v = 1U << below(f, 32); break;
	case 3: v = below(f, 16); break;
	default: v = (uint32_t)rnd(f); break;
	}
	memcpy(arg + 4 * w, &v, 4);
}

/* The user pointers inside EXPORT (ranges) and DMA (data) and the ranges. */
static void mutate_pointers(struct fz *f, unsigned int c, unsigned char *arg,
			    struct dmapeek_range *r)
{
	uint64_t bad[] = { 0, (uintptr_t)f->unmapped, 0xffff888000000000ULL, 1, UINT64_MAX };
	uint64_t p = bad[below(f, 5)];

	if (c + DMAPEEK_IOC_CMD_ABI_VERSION == DMAPEEK_IOC_CMD_EXPORT) {
		struct dmapeek_export *e = (void *)arg;

		if (chance(f, 2)) {
			e->ranges = p;
		} else {
			/* nr_ranges may be mutated already: r[] has 16 entries */
			unsigned int n;

			if (!e->nr_ranges || e->nr_ranges > 16)
				e->nr_ranges = 1 + below(f, 3);
			n = e->nr_ranges;
			e->length = 0;
			e->ranges = (uintptr_t)r;
			r[below(f, n)].offset = chance(f, 2) ? rnd(f) :
				r[0].offset + below(f, 8192);
			r[below(f, n)].length = chance(f, 2) ? rnd(f) :
				below(f, 3) * 4096ULL + below(f, 2);
		}
	} else if (c + DMAPEEK_IOC_CMD_ABI_VERSION == DMAPEEK_IOC_CMD_DMA) {
		struct dmapeek_dma *d = (void *)arg;

		if (chance(f, 2))
			d->data = p;
		else
			d->length = chance(f, 2) ? rnd(f) : DATA_BYTES + below(f, 3) - 1;
	} else if (c + DMAPEEK_IOC_CMD_ABI_VERSION == DMAPEEK_IOC_CMD_IMPORT) {
		((struct dmapeek_import *)arg)->fd = f->junk[below(f, 6)];
	} else if (c + DMAPEEK_IOC_CMD_ABI_VERSION == DMAPEEK_IOC_CMD_DMABUF_ATTACHMENTS) {
		struct dmapeek_dmabuf_attachments *q = (void *)arg;

		switch (below(f, 4)) {
		case 0: q->entries = p; break;
		case 1: q->fd = f->junk[below(f, 6)]; break;
		case 2: q->entry_size = below(f, sizeof(struct dmapeek_dmabuf_attachment)); break;
		default: q->entry_size = 4096 + below(f, 3) - 1; break;
		}
	}
}

static void mutate(struct fz *f, unsigned int c, unsigned char *arg, struct dmapeek_range *r)
{
	unsigned int sz = struct_size[c], n = 1 + below(f, 3);

	while (n--) {
		switch (below(f, 6)) {
		case 0: mutate_size(f, arg, sz); break;
		case 1: ((uint32_t *)arg)[1] = 1U << below(f, 32); break;	/* flags */
		case 2: case 3: mutate_field(f, c, arg, sz); break;
		default: mutate_pointers(f, c, arg, r); break;
		}
	}
}

/*
 * Under --failslab, a BENCH_MAP maps one cycle of at most 64 KiB: DMA-API
 * debugging inserts a cacheline per mapped range and cycle, each insert
 * may need an allocation that fails, and the pool failslab.h refills
 * before the call covers 11 such failures, not the hundreds 64 cycles of
 * a large buffer could see.  (A valid request stays valid.)
 */
static void bound_bench(unsigned int c, unsigned char *arg)
{
	struct dmapeek_bench_map *b = (void *)arg;

	if (!fi.on || c + DMAPEEK_IOC_CMD_ABI_VERSION != DMAPEEK_IOC_CMD_BENCH_MAP)
		return;
	if (b->iterations > 1 && b->iterations <= DMAPEEK_BENCH_MAX_ITERATIONS)
		b->iterations = 1;
	if (b->length > 65536)
		b->length = 65536;
}

/* An ioctl number near the real ones: wrong nr, type, direction or size. */
static unsigned long bad_request(struct fz *f)
{
	unsigned int nr = DMAPEEK_IOC_CMD_ABI_VERSION + NR_CMDS + below(f, 16);

	switch (below(f, 5)) {
	case 0: return _IO(DMAPEEK_TYPE, nr);
	case 1: return _IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_ABI_VERSION - 1 - below(f, 0x80));
	case 2: return _IO(DMAPEEK_TYPE + 1, DMAPEEK_IOC_CMD_EXPORT);
	case 3: return _IOWR(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_ABI_VERSION + below(f, NR_CMDS),
			     struct dmapeek_export);
	default: return (unsigned long)(uint32_t)rnd(f);
	}
}

/* ------------------------------------------------------------ bookkeeping */

static void track_success(struct fz *f, unsigned int c, void *arg, int file)
{
	switch (c + DMAPEEK_IOC_CMD_ABI_VERSION) {
	case DMAPEEK_IOC_CMD_EXPORT: {
		struct dmapeek_export *e = arg;

		if (f->nbuf == MAX_BUFS)
			close_buf(f, 0);
		f->buf[f->nbuf++] = (struct fz_buf){ .fd = e->fd, .id = e->buffer_id,
						     .model = e->model };
		break;
	}
	case DMAPEEK_IOC_CMD_IMPORT:
		if (f->natt == (fi.on ? MAX_ATTS_FAILSLAB : MAX_ATTS))
			detach_att(f, 0);
		f->att[f->natt] = ((struct dmapeek_import *)arg)->attachment_id;
		f->att_file[f->natt++] = file;
		break;
	case DMAPEEK_IOC_CMD_BUFFER_FD:
		close(((struct dmapeek_buffer_fd *)arg)->fd);
		break;
	case DMAPEEK_IOC_CMD_DETACH: {
		uint32_t id = ((struct dmapeek_id_op *)arg)->id;
		unsigned int i;

		for (i = 0; i < f->natt; i++)
			if (f->att[i] == id) {
				f->att[i] = f->att[--f->natt];
				f->att_file[i] = f->att_file[f->natt];
				break;
			}
		break;
	}
	}
}

static void count_errno(struct fz *f, unsigned int c, unsigned long req, int e,
			int mutated)
{
	f->err[e < 256 ? e : 255]++;
	if (e == ENOMEM && c < NR_CMDS)
		f->enomem[c]++;
	if (fi.on && e == EFAULT && !mutated) {
		/* the tool's memory is present: no allocation behind a copy */
		f->unexpected++;
		if (f->unexpected <= 20)
			printf("EFAULT from a valid %s request at op %llu\n", cmd_names[c],
			       f->ops);
		return;
	}
	if (errno_expected(e))
		return;
	f->unexpected++;
	if (f->unexpected <= 20)
		printf("unexpected errno %d (%s) from %s request %#lx at op %llu\n", e,
		       strerror(e), c < NR_CMDS ? cmd_names[c] : "bad-nr", req, f->ops);
}

/* One operation: returns 0, or -1 when the run must stop. */
static int one_op(struct fz *f)
{
	unsigned char arg[ARG_BYTES] __attribute__((aligned(8)));
	struct dmapeek_range r[16];
	unsigned int c = below(f, NR_CMDS);
	unsigned long req = _IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_ABI_VERSION + c);
	int file = chance(f, 8) ? f->dev2 : f->dev;
	void *argp = arg;
	int ret, mutated = 0;

	memset(arg, 0, sizeof(arg));
	memset(r, 0, sizeof(r));
	f->ops++;
	/* churn: drop a buffer fd or an import now and then */
	if (f->nbuf && chance(f, 64))
		close_buf(f, below(f, f->nbuf));
	if (f->natt && chance(f, 48))
		detach_att(f, below(f, f->natt));

	build(f, c, arg, r);
	/*
	 * two in three are mutated (one in four under --failslab: valid ones
	 * reach the allocations); DMAs (slow, see build_dma()) 31 in 32
	 */
	if (c + DMAPEEK_IOC_CMD_ABI_VERSION == DMAPEEK_IOC_CMD_DMA ? !chance(f, 32) :
	    fi.on ? chance(f, 4) : !chance(f, 3)) {
		mutate(f, c, arg, r);
		mutated = 1;
	}
	bound_bench(c, arg);
	/*
	 * A held import outlives the fuzzer's bookkeeping (its DETACH is
	 * ENOENT): mapped by a DMA, such imports would pile up beyond the
	 * mapping bound above.  Held exports stay in (BUFFER_FD takes them),
	 * and the campaign's end deletes them; t-held.sh covers held imports.
	 */
	if (c + DMAPEEK_IOC_CMD_ABI_VERSION == DMAPEEK_IOC_CMD_IMPORT)
		((struct dmapeek_import *)arg)->flags &= ~DMAPEEK_IMPORT_HOLD;
	if (chance(f, 40)) {
		req = bad_request(f);
		c = NR_CMDS;
		f->bad_nr++;
		mutated = 1;
	} else if (chance(f, 60)) {
		argp = chance(f, 2) ? NULL : f->unmapped;
		mutated = 1;
	}
	if (c < NR_CMDS)
		f->calls[c]++;
	ret = fz_ioctl(file, req, argp);
	if (c < NR_CMDS && retired(c) && (ret == 0 || errno != ENOTTY)) {
		printf("retired ioctl %s (%#lx) answered %s at op %llu, not ENOTTY\n",
		       cmd_names[c], req, ret ? strerror(errno) : "success", f->ops);
		f->unexpected++;
	} else if (ret == 0 && c < NR_CMDS) {
		f->ok[c]++;
		track_success(f, c, arg, file);
	} else if (ret == 0) {
		printf("request %#lx, not a dmapeek ioctl, succeeded at op %llu\n", req, f->ops);
		f->unexpected++;
	} else {
		count_errno(f, c, req, errno, mutated);
	}
	return 0;
}

static void cleanup(struct fz *f)
{
	while (f->natt)
		detach_att(f, 0);
	while (f->nbuf)
		close_buf(f, 0);
}

static void report(struct fz *f, double secs)
{
	unsigned long long ok = 0, rej = 0, enomem = 0;
	unsigned int i;

	for (i = 0; i < NR_CMDS; i++) {
		ok += f->ok[i];
		enomem += f->enomem[i];
		printf("cmd %s calls=%llu ok=%llu enomem=%llu\n", cmd_names[i], f->calls[i],
		       f->ok[i], f->enomem[i]);
	}
	printf("cmd close calls=%llu enomem=%llu\n", f->closes, f->close_enomem);
	for (i = 1; i < 256; i++) {
		if (!f->err[i])
			continue;
		rej += f->err[i];
		printf("errno %s %llu\n", lab_errno_name(i), f->err[i]);
	}
	printf("fuzz-ioctl ops=%llu ok=%llu rejected=%llu bad_nr=%llu unexpected=%llu "
	       "seconds=%.1f ops_per_s=%.0f enomem=%llu failslab=%d\n", f->ops, ok, rej,
	       f->bad_nr, f->unexpected, secs, secs > 0 ? f->ops / secs : 0.0, enomem,
	       fi.fd >= 0);
}

int main(int argc, char **argv)
{
	static struct fz f;
	unsigned long long seed = 0, max_ops = 100000, progress_step, next_progress;
	unsigned int bufs0, atts0, bufs1, atts1, held0, held1;
	double limit = 0, t0, t;
	int i, failslab = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			max_ops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--time") && i + 1 < argc)
			limit = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--failslab"))
			failslab = 1;
		else {
			fprintf(stderr, "usage: fuzz-ioctl [--seed N] [--ops N] [--time S] "
				"[--failslab]\n");
			return 2;
		}
	}
	if (!seed)
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed %llu\n", seed);
	printf("reproduce: %s --seed %llu --ops %llu%s%s\n", argv[0], seed, max_ops,
	       failslab ? " --failslab" : "",
	       limit > 0 ? " (the run was also bounded by --time)" : "");
	f.rng = seed * 0x9E3779B97F4A7C15ULL | 1;
	signal(SIGPIPE, SIG_IGN);

	f.dev = open("/dev/" DMAPEEK_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	f.dev2 = open("/dev/" DMAPEEK_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	f.data = mmap(NULL, DATA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (f.dev < 0 || f.dev2 < 0 || f.data == MAP_FAILED || discover(&f) ||
	    count_objects(&bufs0, &atts0, &held0)) {
		printf("setup failed: %s\n", strerror(errno));
		return 1;
	}
	printf("providers=%u devices=%u buffers_before=%u attachments_before=%u\n",
	       f.nprov, f.ndevs, bufs0, atts0);
	setup_junk(&f);
	if (failslab) {
		/* the DMA data is copied inside the calls: present from here on */
		fi_prefault(f.data, DATA_BYTES);
		if (fi_setup("fuzz-ioctl"))
			return 1;
	}

	/* a line at each tenth of the run: a run stopped from outside shows how far it got */
	progress_step = max_ops >= 10 ? max_ops / 10 : 1;
	next_progress = progress_step;
	t0 = lab_now_s();
	for (t = t0; f.ops < max_ops && (limit <= 0 || t - t0 < limit); ) {
		one_op(&f);
		if (!(f.ops & 1023))
			t = lab_now_s();
		if (f.ops >= next_progress) {
			printf("progress ops=%llu seconds=%.0f unexpected=%llu\n", f.ops,
			       lab_now_s() - t0, f.unexpected);
			next_progress += progress_step;
		}
	}
	t = lab_now_s() - t0;
	/* the teardown without injected failures: what is left is a leak */
	fi.on = 0;
	cleanup(&f);
	close(f.dev);
	close(f.dev2);
	report(&f, t);

	if (count_objects(&bufs1, &atts1, &held1)) {
		printf("cannot count objects after the run: %s\n", strerror(errno));
		return 1;
	}
	printf("buffers_after=%u attachments_after=%u held_before=%u held_after=%u\n",
	       bufs1, atts1, held0, held1);
	if (bufs1 != bufs0 || atts1 != atts0) {
		printf("FAIL: objects left behind\n");
		return 1;
	}
	return f.unexpected ? 1 : 0;
}
