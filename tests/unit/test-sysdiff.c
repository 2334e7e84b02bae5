// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of leak hunting in the system-wide view: the /proc/PID/maps
 * parser on lines in the kernel's format (tests/unit/data/maps-dmabuf.txt,
 * written as show_map_vma() prints them), who holds each buffer (fd,
 * mapping, both, the kernel alone), and two views compared: what appeared
 * and what went by inode, the growth of each process and exporter, in
 * order, biggest first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "internal.h"
#include "unit.h"

/* ---------------------------------------------------------------- maps */

START_TEST(maps_lines_in_the_kernel_format)
{
	char *text = unit_slurp("maps-dmabuf.txt", NULL), *line, *save = NULL;
	uint64_t want_ino[] = { 41, 41, 42, 77 }, want_len[] = { 0x10000, 0x1000, 0x20000, 0x1000 };
	struct dp_maps_entry e;
	unsigned int n = 0, lines = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int r = dp_maps_line(line, strlen(line), &e);

		lines++;
		ck_assert_int_ge(r, 0);
		if (!r)
			continue;
		ck_assert_uint_lt(n, 4);
		ck_assert_uint_eq(e.ino, want_ino[n]);
		ck_assert_uint_eq(e.len, want_len[n]);
		n++;
	}
	/* not a dma-buf: an executable, the heap, "/dmabuf:" on a block
	 * device, a memfd, an anonymous mapping, the stack, vsyscall */
	ck_assert_uint_eq(lines, 11);
	ck_assert_uint_eq(n, 4);
	free(text);
}
END_TEST

START_TEST(maps_lines_cut_or_odd)
{
	static const char *const bad[] = {
		"",
		"7f1c3a200000-7f1c3a210000 rw-s",
		"7f1c3a200000-7f1c3a210000 rw-s 00000000 00:0f",
		"7f1c3a200000-7f1c3a210000 rw-s 00000000 00:0f 41",
		"7f1c3a200000-7f1c3a210000 rw-s 00000000 00:0f 0 /dmabuf:x",
		"7f1c3a210000-7f1c3a200000 rw-s 00000000 00:0f 41 /dmabuf:x",
		"7f1c3a200000 7f1c3a210000 rw-s 00000000 00:0f 41 /dmabuf:x",
		"7f1c3a200000-7f1c3a210000 rw 00000000 00:0f 41 /dmabuf:x",
		"7f1c3a200000-7f1c3a210000 rw-s 00000000 00:0f 41 /dmabufx",
		"7f1c3a200000-7f1c3a210000 rw-s 00000000 00:0f 41 dmabuf:x",
		"7f1c3a200000-7f1c3a210000 rw-s 00000000 00:0f 99999999999999999999 /dmabuf:x",
	};
	const char ok[] = "7f1c3a200000-7f1c3a210000 rw-s 00000000 00:0f 41 /dmabuf:x\nnext";
	struct dp_maps_entry e;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!dp_maps_line(bad[i], strlen(bad[i]), &e), "took \"%s\"", bad[i]);
	/* the length given ends the line, whatever follows it */
	ck_assert_int_eq(dp_maps_line(ok, strchr(ok, '\n') - ok, &e), 1);
	ck_assert_uint_eq(e.ino, 41);
	ck_assert_int_eq(dp_maps_line(ok, 50, &e), 0);
}
END_TEST

/* ------------------------------------------------------------ holders */

/* A view built by hand: buffers, their holders, every process read. */
static struct dmapeek_sysview *view(void)
{
	struct dmapeek_sysview *v = dp_sysview_alloc();

	ck_assert_ptr_nonnull(v);
	v->src_err[DMAPEEK_SRC_BUFINFO] = 0;
	v->src_err[DMAPEEK_SRC_FDINFO] = 0;
	v->src_err[DMAPEEK_SRC_MAPS] = 0;
	return v;
}

static struct dmapeek_sysbuf *buf(struct dmapeek_sysview *v, uint64_t ino,
				  uint64_t size, const char *exp)
{
	struct dmapeek_sysbuf *b = dp_get_buf(v, ino);

	ck_assert_ptr_nonnull(b);
	b->size = size;
	b->exp_name = strdup(exp);
	b->sources |= 1U << DMAPEEK_SRC_BUFINFO;
	return b;
}

static void hold(struct dmapeek_sysbuf *b, int pid, const char *comm, unsigned int how)
{
	if (how & DMAPEEK_HOLD_FD)
		ck_assert_int_eq(dp_hold(b, pid, comm, DMAPEEK_HOLD_FD, 0), 0);
	if (how & DMAPEEK_HOLD_MMAP)
		ck_assert_int_eq(dp_hold(b, pid, comm, DMAPEEK_HOLD_MMAP, b->size), 0);
}

START_TEST(holders_and_flags)
{
	struct dmapeek_sysview *v = view();
	struct dmapeek_sysbuf *fd = buf(v, 1, 4096, "udmabuf");
	struct dmapeek_sysbuf *both = buf(v, 2, 8192, "udmabuf");
	struct dmapeek_sysbuf *mapped = buf(v, 3, 4096, "system");
	struct dmapeek_sysbuf *none = buf(v, 4, 1 << 20, "dmapeek");
	const struct dmapeek_holder *h;

	hold(fd, 10, "app", DMAPEEK_HOLD_FD);
	hold(fd, 10, "app", DMAPEEK_HOLD_FD);		/* a second fd, same holder */
	hold(both, 10, "app", DMAPEEK_HOLD_FD | DMAPEEK_HOLD_MMAP);
	hold(both, 11, "viewer", DMAPEEK_HOLD_MMAP);
	hold(mapped, 12, "mapper", DMAPEEK_HOLD_MMAP);
	hold(mapped, 12, "mapper", DMAPEEK_HOLD_MMAP);	/* two mappings */
	dp_sysview_owners(v);

	ck_assert_uint_eq(dmapeek_sysbuf_nr_holders(fd), 1);
	h = dmapeek_sysbuf_holder(fd, 0);
	ck_assert_int_eq(dmapeek_holder_pid(h), 10);
	ck_assert_str_eq(dmapeek_holder_comm(h), "app");
	ck_assert_str_eq(dmapeek_hold_str(dmapeek_holder_how(h)), "fd");
	ck_assert_uint_eq(dmapeek_holder_nr_fds(h), 2);
	ck_assert_uint_eq(dmapeek_holder_nr_mappings(h), 0);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(fd), 0);

	ck_assert_uint_eq(dmapeek_sysbuf_nr_holders(both), 2);
	h = dmapeek_sysbuf_holder(both, 0);
	ck_assert_str_eq(dmapeek_hold_str(dmapeek_holder_how(h)), "both");
	ck_assert_uint_eq(dmapeek_holder_mapped_bytes(h), 8192);
	h = dmapeek_sysbuf_holder(both, 1);
	ck_assert_str_eq(dmapeek_hold_str(dmapeek_holder_how(h)), "mmap");
	ck_assert_ptr_null(dmapeek_sysbuf_holder(both, 2));
	ck_assert_uint_eq(dmapeek_sysbuf_flags(both), 0);

	h = dmapeek_sysbuf_holder(mapped, 0);
	ck_assert_uint_eq(dmapeek_holder_nr_mappings(h), 2);
	ck_assert_uint_eq(dmapeek_holder_mapped_bytes(h), 8192);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(mapped), DMAPEEK_SYSBUF_MMAP_ONLY);

	ck_assert_uint_eq(dmapeek_sysbuf_nr_holders(none), 0);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(none), DMAPEEK_SYSBUF_KERNEL_ONLY);
	ck_assert_str_eq(dmapeek_sysbuf_flag_str(0), "kernel-only");
	ck_assert_str_eq(dmapeek_sysbuf_flag_str(1), "mmap-only");
	ck_assert_str_eq(dmapeek_sysbuf_flag_str(2), "owner-unknown");
	ck_assert_ptr_null(dmapeek_sysbuf_flag_str(3));
	ck_assert_ptr_null(dmapeek_hold_str(0));

	/* a process that could not be read may be the holder: no claim */
	v->unreadable[DMAPEEK_SRC_MAPS] = 1;
	dp_sysview_owners(v);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(none), DMAPEEK_SYSBUF_OWNER_UNKNOWN);
	v->unreadable[DMAPEEK_SRC_MAPS] = 0;
	v->src_err[DMAPEEK_SRC_MAPS] = -ENODATA;	/* maps not read */
	dp_sysview_owners(v);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(none), DMAPEEK_SYSBUF_OWNER_UNKNOWN);
	dmapeek_sysview_free(v);
}
END_TEST

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const struct dmapeek_sysbuf *by_ino(const struct dmapeek_sysview *v,
					   uint64_t ino)
{
	unsigned int i;

	for (i = 0; i < dmapeek_sysview_nr_buffers(v); i++)
		if (dmapeek_sysbuf_inode(dmapeek_sysview_buffer(v, i)) == ino)
			return dmapeek_sysview_buffer(v, i);
	return NULL;
}

/*
 * A fake /proc: process 100 has an fd of buffer 41 and maps 41 and 42
 * (maps-dmabuf.txt), process 200 maps buffer 42 alone; buffer UINT64_MAX
 * of bufinfo-three.txt is held by no one, and 77 is known from a mapping
 * only.
 */
START_TEST(view_reads_maps)
{
	char dir[] = "/tmp/dp-maps-XXXXXX", p[600], *text;
	DMAPEEK_OPTS(dmapeek_sysview_opts, opts);
	const struct dmapeek_sysbuf *b;
	const struct dmapeek_holder *h;
	struct dmapeek_sysview *v;
	unsigned int unreadable, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/100", dir); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/100/fd", dir); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/100/fdinfo", dir); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/100/comm", dir); put_file(p, "renderer\n");
	snprintf(p, sizeof(p), "%s/100/fd/6", dir);
	ck_assert_int_eq(symlink("/dmabuf:frame buffer 0", p), 0);
	snprintf(p, sizeof(p), "%s/100/fdinfo/6", dir);
	put_file(p, "pos:\t0\nflags:\t02\nmnt_id:\t16\nino:\t41\nsize:\t4096\ncount:\t3\nexp_name:\tudmabuf\n");
	text = unit_slurp("maps-dmabuf.txt", NULL);
	snprintf(p, sizeof(p), "%s/100/maps", dir); put_file(p, text);
	free(text);
	snprintf(p, sizeof(p), "%s/200", dir); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/200/fd", dir); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/200/comm", dir); put_file(p, "viewer\n");
	snprintf(p, sizeof(p), "%s/200/maps", dir);
	put_file(p, "7f0000000000-7f0000020000 r--s 00000000 00:0f 42"
		 "                         /dmabuf:\n");

	opts.bufinfo_path = DATADIR "/bufinfo-three.txt";
	opts.proc_path = dir;
	v = dmapeek_sysview_new(NULL, &opts);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(dmapeek_sysview_source(v, DMAPEEK_SRC_MAPS, &unreadable), 0);
	ck_assert_uint_eq(unreadable, 0);
	ck_assert_str_eq(dmapeek_sysview_src_str(DMAPEEK_SRC_MAPS), "maps");

	b = by_ino(v, 41);		/* fd and mapping: one holder, both */
	ck_assert_uint_eq(dmapeek_sysbuf_nr_holders(b), 1);
	h = dmapeek_sysbuf_holder(b, 0);
	ck_assert_int_eq(dmapeek_holder_pid(h), 100);
	ck_assert_str_eq(dmapeek_hold_str(dmapeek_holder_how(h)), "both");
	ck_assert_uint_eq(dmapeek_holder_nr_mappings(h), 2);
	ck_assert_uint_eq(dmapeek_holder_mapped_bytes(h), 0x11000);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(b), 0);

	b = by_ino(v, 42);		/* mapped by two processes, no fd */
	ck_assert_uint_eq(dmapeek_sysbuf_nr_holders(b), 2);
	/* (this directory lists them in any order, /proc by pid) */
	ck_assert_int_eq(dmapeek_holder_pid(dmapeek_sysbuf_holder(b, 0)) +
			 dmapeek_holder_pid(dmapeek_sysbuf_holder(b, 1)), 300);
	for (i = 0; i < 2; i++) {
		h = dmapeek_sysbuf_holder(b, i);
		ck_assert_str_eq(dmapeek_holder_comm(h),
				 dmapeek_holder_pid(h) == 100 ? "renderer" : "viewer");
		ck_assert_str_eq(dmapeek_hold_str(dmapeek_holder_how(h)), "mmap");
	}
	ck_assert_uint_eq(dmapeek_sysbuf_flags(b), DMAPEEK_SYSBUF_MMAP_ONLY);
	ck_assert_uint_eq(dmapeek_sysbuf_size(b), 131072);	/* bufinfo's */

	b = by_ino(v, UINT64_MAX);	/* nobody's: the kernel's alone */
	ck_assert_uint_eq(dmapeek_sysbuf_nr_holders(b), 0);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(b), DMAPEEK_SYSBUF_KERNEL_ONLY);

	b = by_ino(v, 77);		/* a mapping's only: its size at least */
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(dmapeek_sysbuf_sources(b), 1U << DMAPEEK_SRC_MAPS);
	ck_assert_uint_eq(dmapeek_sysbuf_size(b), 4096);
	ck_assert_ptr_null(by_ino(v, 99));	/* on a block device: no dma-buf */
	ck_assert_ptr_null(by_ino(v, 1033));
	dmapeek_sysview_free(v);

	/* without maps, nothing is claimed for the kernel */
	opts.no_maps = true;
	v = dmapeek_sysview_new(NULL, &opts);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(dmapeek_sysview_source(v, DMAPEEK_SRC_MAPS, NULL), -ENODATA);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(by_ino(v, UINT64_MAX)),
			  DMAPEEK_SYSBUF_OWNER_UNKNOWN);
	ck_assert_uint_eq(dmapeek_sysbuf_nr_holders(by_ino(v, 42)), 0);
	dmapeek_sysview_free(v);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

/* A buffer released while the processes were read is no kernel leak. */
START_TEST(kernel_only_confirmed_by_a_second_look)
{
	char path[] = "/tmp/dp-bufinfo-XXXXXX";
	struct dmapeek_sysview *v = view();
	char *text = unit_slurp("bufinfo-three.txt", NULL);
	int fd;

	ck_assert_int_eq(dp_bufinfo_parse(v, text), 3);
	free(text);
	dp_sysview_owners(v);
	ck_assert_uint_eq(v->bufs[0].flags, DMAPEEK_SYSBUF_KERNEL_ONLY);
	/* the second look finds 41 and 42 only */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	put_file(path, "\nDma-buf Objects:\n"
		 "size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
		 "00004096\t00000002\t00080007\t00000003\tudmabuf\t00000041\tframe buffer 0\n"
		 "\tAttached Devices:\nTotal 0 devices attached\n\n"
		 "00131072\t00000002\t00080007\t00000001\tdmapeek\t00000042\t<none>\n"
		 "\tAttached Devices:\nTotal 0 devices attached\n\n"
		 "\nTotal 2 objects, 135168 bytes\n");
	ck_assert_int_eq(dp_confirm_kernel_only(v, NULL, path), 0);
	ck_assert_uint_eq(dmapeek_sysview_nr_buffers(v), 2);
	ck_assert_ptr_null(by_ino(v, UINT64_MAX));
	ck_assert_uint_eq(dmapeek_sysbuf_flags(by_ino(v, 41)), DMAPEEK_SYSBUF_KERNEL_ONLY);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(by_ino(v, 42)), DMAPEEK_SYSBUF_KERNEL_ONLY);
	/* no second look possible: no claim */
	ck_assert_int_eq(dp_confirm_kernel_only(v, NULL, "/nonexistent"), 0);
	ck_assert_uint_eq(dmapeek_sysbuf_flags(by_ino(v, 41)), DMAPEEK_SYSBUF_OWNER_UNKNOWN);
	unlink(path);
	dmapeek_sysview_free(v);
}
END_TEST

/* ---------------------------------------------------------------- diff */

START_TEST(diff_appeared_and_gone_by_inode)
{
	struct dmapeek_sysview *a = view(), *b = view();
	struct dmapeek_sysdiff *d;

	/* added out of inode order: the diff is in inode order anyway */
	buf(a, 3, 4096, "x"); buf(a, 1, 4096, "x"); buf(a, 2, 4096, "x");
	buf(b, 5, 4096, "x"); buf(b, 2, 4096, "x"); buf(b, 4, 4096, "x"); buf(b, 3, 4096, "x");
	d = dmapeek_sysdiff_new(a, b);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(dmapeek_sysdiff_nr_appeared(d), 2);
	ck_assert_uint_eq(dmapeek_sysbuf_inode(dmapeek_sysdiff_appeared(d, 0)), 4);
	ck_assert_uint_eq(dmapeek_sysbuf_inode(dmapeek_sysdiff_appeared(d, 1)), 5);
	ck_assert_ptr_null(dmapeek_sysdiff_appeared(d, 2));
	ck_assert_uint_eq(dmapeek_sysdiff_nr_gone(d), 1);
	ck_assert_uint_eq(dmapeek_sysbuf_inode(dmapeek_sysdiff_gone(d, 0)), 1);
	dmapeek_sysdiff_free(d);
	/* the same view twice: nothing */
	d = dmapeek_sysdiff_new(b, b);
	ck_assert_uint_eq(dmapeek_sysdiff_nr_appeared(d) + dmapeek_sysdiff_nr_gone(d), 0);
	dmapeek_sysdiff_free(d);
	/* nothing before: everything appeared */
	d = dmapeek_sysdiff_new(NULL, b);
	ck_assert_uint_eq(dmapeek_sysdiff_nr_appeared(d), 4);
	dmapeek_sysdiff_free(d);
	ck_assert_ptr_null(dmapeek_sysdiff_new(a, NULL));
	ck_assert_int_eq(errno, EINVAL);
	dmapeek_sysview_free(a);
	dmapeek_sysview_free(b);
}
END_TEST

/* The row of @d's table @by for (@pid, @name), and its index in *@at. */
static const struct dmapeek_growth *row(const struct dmapeek_sysdiff *d,
					enum dmapeek_growth_by by, int pid,
					const char *name, unsigned int *at)
{
	unsigned int i;

	for (i = 0; i < dmapeek_sysdiff_nr_growth(d, by); i++) {
		const struct dmapeek_growth *g = dmapeek_sysdiff_growth(d, by, i);

		if (dmapeek_growth_pid(g) == pid && !strcmp(dmapeek_growth_name(g), name)) {
			*at = i;
			return g;
		}
	}
	ck_abort_msg("no row %d %s", pid, name);
	return NULL;
}

/*
 * Before: app (10) holds buffer 1; cache (20) holds 2 and 3; 4 is shared
 * by app and cache.  After: app let go of nothing and made 5, 6, 7
 * (64 KiB each, one only mapped); cache let go of 3; viewer (30) came
 * with 8; 9 is kept by the kernel alone.
 */
START_TEST(growth_by_process_and_exporter_biggest_first)
{
	struct dmapeek_sysview *a = view(), *b = view();
	const struct dmapeek_growth *g;
	struct dmapeek_sysdiff *d;
	unsigned int i, at, prev = 0;

	hold(buf(a, 1, 4096, "system"), 10, "app", DMAPEEK_HOLD_FD);
	hold(buf(a, 2, 8192, "system"), 20, "cache", DMAPEEK_HOLD_FD);
	hold(buf(a, 3, 8192, "udmabuf"), 20, "cache", DMAPEEK_HOLD_FD);
	hold(buf(a, 4, 4096, "udmabuf"), 10, "app", DMAPEEK_HOLD_FD);
	hold(&a->bufs[3], 20, "cache", DMAPEEK_HOLD_MMAP);
	hold(buf(b, 1, 4096, "system"), 10, "app", DMAPEEK_HOLD_FD);
	hold(buf(b, 2, 8192, "system"), 20, "cache", DMAPEEK_HOLD_FD);
	hold(buf(b, 4, 4096, "udmabuf"), 10, "app", DMAPEEK_HOLD_FD);
	hold(&b->bufs[2], 20, "cache", DMAPEEK_HOLD_MMAP);
	hold(buf(b, 5, 65536, "udmabuf"), 10, "app", DMAPEEK_HOLD_FD);
	hold(buf(b, 6, 65536, "udmabuf"), 10, "app", DMAPEEK_HOLD_FD | DMAPEEK_HOLD_MMAP);
	hold(buf(b, 7, 65536, "udmabuf"), 10, "app", DMAPEEK_HOLD_MMAP);
	hold(buf(b, 8, 4096, "system"), 30, "viewer", DMAPEEK_HOLD_FD);
	buf(b, 9, 1 << 20, "dmapeek");
	dp_sysview_owners(a);
	dp_sysview_owners(b);
	d = dmapeek_sysdiff_new(a, b);
	ck_assert_ptr_nonnull(d);

	/* by process: the kernel's megabyte, app's 192 KiB, viewer, cache */
	ck_assert_uint_eq(dmapeek_sysdiff_nr_growth(d, DMAPEEK_GROWTH_BY_PROCESS), 4);
	g = row(d, DMAPEEK_GROWTH_BY_PROCESS, 0, "kernel", &at);
	ck_assert_uint_eq(at, 0);
	ck_assert_uint_eq(dmapeek_growth_after_bytes(g), 1 << 20);
	ck_assert_uint_eq(dmapeek_growth_appeared(g), 1);
	g = row(d, DMAPEEK_GROWTH_BY_PROCESS, 10, "app", &at);
	ck_assert_uint_eq(at, 1);
	ck_assert_uint_eq(dmapeek_growth_before_buffers(g), 2);
	ck_assert_uint_eq(dmapeek_growth_before_bytes(g), 8192);
	ck_assert_uint_eq(dmapeek_growth_after_buffers(g), 5);	/* 6 counts once */
	ck_assert_uint_eq(dmapeek_growth_after_bytes(g), 8192 + 3 * 65536);
	ck_assert_uint_eq(dmapeek_growth_appeared(g), 3);
	ck_assert_uint_eq(dmapeek_growth_gone(g), 0);
	g = row(d, DMAPEEK_GROWTH_BY_PROCESS, 30, "viewer", &at);
	ck_assert_uint_eq(at, 2);
	ck_assert_uint_eq(dmapeek_growth_before_buffers(g), 0);
	ck_assert_uint_eq(dmapeek_growth_appeared(g), 1);
	g = row(d, DMAPEEK_GROWTH_BY_PROCESS, 20, "cache", &at);
	ck_assert_uint_eq(at, 3);
	ck_assert_uint_eq(dmapeek_growth_before_buffers(g), 3);	/* 4 shared, mapped */
	ck_assert_uint_eq(dmapeek_growth_after_buffers(g), 2);
	ck_assert_uint_eq(dmapeek_growth_after_bytes(g), 8192 + 4096);
	ck_assert_uint_eq(dmapeek_growth_gone(g), 1);

	/* by exporter: dmapeek +1M, udmabuf +192K - 8K, system +4K */
	ck_assert_uint_eq(dmapeek_sysdiff_nr_growth(d, DMAPEEK_GROWTH_BY_EXPORTER), 3);
	g = row(d, DMAPEEK_GROWTH_BY_EXPORTER, -1, "dmapeek", &at);
	ck_assert_uint_eq(at, 0);
	g = row(d, DMAPEEK_GROWTH_BY_EXPORTER, -1, "udmabuf", &at);
	ck_assert_uint_eq(at, 1);
	ck_assert_uint_eq(dmapeek_growth_before_buffers(g), 2);
	ck_assert_uint_eq(dmapeek_growth_after_buffers(g), 4);
	ck_assert_uint_eq(dmapeek_growth_after_bytes(g) - dmapeek_growth_before_bytes(g),
			  3 * 65536 - 8192);
	ck_assert_uint_eq(dmapeek_growth_appeared(g), 3);
	ck_assert_uint_eq(dmapeek_growth_gone(g), 1);
	g = row(d, DMAPEEK_GROWTH_BY_EXPORTER, -1, "system", &at);
	ck_assert_uint_eq(at, 2);
	ck_assert_ptr_null(dmapeek_sysdiff_growth(d, DMAPEEK_GROWTH_BY_EXPORTER, 3));
	ck_assert_ptr_null(dmapeek_sysdiff_growth(d, DMAPEEK_GROWTH_BY_MAX, 0));
	dmapeek_sysdiff_free(d);

	/* nothing before: what each holds now, the largest first */
	d = dmapeek_sysdiff_new(NULL, b);
	for (i = 0; i < dmapeek_sysdiff_nr_growth(d, DMAPEEK_GROWTH_BY_PROCESS); i++) {
		unsigned int now;

		g = dmapeek_sysdiff_growth(d, DMAPEEK_GROWTH_BY_PROCESS, i);
		now = (unsigned int)dmapeek_growth_after_bytes(g);
		ck_assert_uint_eq(dmapeek_growth_before_bytes(g), 0);
		ck_assert(!i || now <= prev);
		prev = now;
	}
	g = row(d, DMAPEEK_GROWTH_BY_PROCESS, 20, "cache", &at);
	ck_assert_uint_eq(at, 2);	/* 12 KiB now, above viewer's 4 */
	ck_assert_uint_eq(dmapeek_growth_appeared(g), 2);
	dmapeek_sysdiff_free(d);
	dmapeek_sysview_free(a);
	dmapeek_sysview_free(b);
}
END_TEST

/* Equal growth: more buffers first, then the largest now, then the pid. */
START_TEST(growth_ties_are_ordered)
{
	struct dmapeek_sysview *a = view(), *b = view();
	struct dmapeek_sysdiff *d;
	unsigned int at;

	hold(buf(b, 1, 8192, "x"), 40, "one", DMAPEEK_HOLD_FD);
	hold(buf(b, 2, 4096, "x"), 30, "two", DMAPEEK_HOLD_FD);
	hold(buf(b, 3, 4096, "x"), 30, "two", DMAPEEK_HOLD_FD);
	hold(buf(a, 4, 4096, "x"), 20, "held", DMAPEEK_HOLD_FD);
	hold(buf(b, 4, 4096, "x"), 20, "held", DMAPEEK_HOLD_FD);
	hold(buf(a, 5, 4096, "x"), 10, "held", DMAPEEK_HOLD_FD);
	hold(buf(b, 5, 4096, "x"), 10, "held", DMAPEEK_HOLD_FD);
	d = dmapeek_sysdiff_new(a, b);
	row(d, DMAPEEK_GROWTH_BY_PROCESS, 30, "two", &at);
	ck_assert_uint_eq(at, 0);
	row(d, DMAPEEK_GROWTH_BY_PROCESS, 40, "one", &at);
	ck_assert_uint_eq(at, 1);
	row(d, DMAPEEK_GROWTH_BY_PROCESS, 10, "held", &at);
	ck_assert_uint_eq(at, 2);
	row(d, DMAPEEK_GROWTH_BY_PROCESS, 20, "held", &at);
	ck_assert_uint_eq(at, 3);
	dmapeek_sysdiff_free(d);
	dmapeek_sysview_free(a);
	dmapeek_sysview_free(b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		maps_lines_in_the_kernel_format,
		maps_lines_cut_or_odd,
		holders_and_flags,
		view_reads_maps,
		kernel_only_confirmed_by_a_second_look,
		diff_appeared_and_gone_by_inode,
		growth_by_process_and_exporter_biggest_first,
		growth_ties_are_ordered,
		NULL,
	};

	return unit_run("sysdiff", tests);
}
