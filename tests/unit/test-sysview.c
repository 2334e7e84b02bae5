// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the system-wide view: the bufinfo and fdinfo parsers on
 * text as the kernel prints it (tests/unit/data), and the whole view on
 * a fake /proc tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "internal.h"
#include "unit.h"

static const struct dmapeek_sysbuf *by_ino(const struct dmapeek_sysview *v,
					   uint64_t ino)
{
	unsigned int i;

	for (i = 0; i < dmapeek_sysview_nr_buffers(v); i++)
		if (dmapeek_sysbuf_inode(dmapeek_sysview_buffer(v, i)) == ino)
			return dmapeek_sysview_buffer(v, i);
	return NULL;
}

START_TEST(bufinfo_three_buffers)
{
	struct dmapeek_sysview *v = dp_sysview_alloc();
	const struct dmapeek_sysbuf *b;
	char *text = unit_slurp("bufinfo-three.txt", NULL);
	unsigned int unreadable;

	ck_assert_int_eq(dp_bufinfo_parse(v, text), 3);
	b = by_ino(v, 41);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(dmapeek_sysbuf_size(b), 4096);
	ck_assert_int_eq(dmapeek_sysbuf_count(b), 3);
	ck_assert_str_eq(dmapeek_sysbuf_exp_name(b), "udmabuf");
	ck_assert_str_eq(dmapeek_sysbuf_name(b), "frame buffer 0");
	ck_assert_uint_eq(dmapeek_sysbuf_nr_devices(b), 2);
	ck_assert_str_eq(dmapeek_sysbuf_device(b, 0), "0000:00:03.0");
	ck_assert_str_eq(dmapeek_sysbuf_device(b, 1), "0000:00:04.0");
	ck_assert_ptr_null(dmapeek_sysbuf_device(b, 2));
	/* "<none>": no name; no attachments */
	b = by_ino(v, 42);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(dmapeek_sysbuf_name(b));
	ck_assert_uint_eq(dmapeek_sysbuf_nr_devices(b), 0);
	ck_assert_uint_eq(dmapeek_sysbuf_size(b), 131072);
	/* huge numbers */
	b = by_ino(v, UINT64_MAX);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(dmapeek_sysbuf_size(b), 18446744073709547520ULL);
	ck_assert_int_eq(dmapeek_sysbuf_count(b), 1234);
	ck_assert_uint_eq(dmapeek_sysbuf_sources(b), 1U << DMAPEEK_SRC_BUFINFO);
	ck_assert_int_eq(dmapeek_sysview_source(v, DMAPEEK_SRC_BUFINFO, &unreadable),
			 -ENODATA);	/* the parser alone does not set the status */
	ck_assert_uint_eq(unreadable, 0);
	free(text);
	dmapeek_sysview_free(v);
}
END_TEST

START_TEST(bufinfo_truncated_keeps_what_it_has)
{
	struct dmapeek_sysview *v = dp_sysview_alloc();
	const struct dmapeek_sysbuf *b;
	char *text = unit_slurp("bufinfo-truncated.txt", NULL);
	unsigned int unreadable;

	ck_assert_int_eq(dp_bufinfo_parse(v, text), 1);
	b = by_ino(v, 41);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(dmapeek_sysbuf_name(b), "cut here");
	ck_assert_uint_eq(dmapeek_sysbuf_nr_devices(b), 1);
	dmapeek_sysview_source(v, DMAPEEK_SRC_BUFINFO, &unreadable);
	ck_assert_uint_eq(unreadable, 1);
	free(text);
	dmapeek_sysview_free(v);
}
END_TEST

START_TEST(bufinfo_empty_and_garbage)
{
	struct dmapeek_sysview *v = dp_sysview_alloc();
	char *text = unit_slurp("bufinfo-empty.txt", NULL);
	unsigned int unreadable;

	ck_assert_int_eq(dp_bufinfo_parse(v, text), 0);
	ck_assert_uint_eq(dmapeek_sysview_nr_buffers(v), 0);
	dmapeek_sysview_source(v, DMAPEEK_SRC_BUFINFO, &unreadable);
	ck_assert_uint_eq(unreadable, 0);
	ck_assert_int_eq(dp_bufinfo_parse(v, "not bufinfo\n1\t2\t3\n"), -EBADMSG);
	ck_assert_int_eq(dp_bufinfo_parse(v, ""), -EBADMSG);
	/* A cut in the middle of a buffer line: not a buffer. */
	ck_assert_int_eq(dp_bufinfo_parse(v, "\nDma-buf Objects:\n00004096\t0000"), 0);
	free(text);
	dmapeek_sysview_free(v);
}
END_TEST

START_TEST(fdinfo_dmabuf_named_and_not)
{
	struct dp_fdinfo fi;
	char *text = unit_slurp("fdinfo-named.txt", NULL);

	ck_assert_int_eq(dp_fdinfo_parse(text, &fi), 1);
	ck_assert_uint_eq(fi.ino, 65);
	ck_assert_uint_eq(fi.size, 4096);
	ck_assert_int_eq(fi.count, 2);
	ck_assert_uint_eq(fi.flags, 02000002);
	ck_assert_str_eq(fi.exp_name, "udmabuf");
	ck_assert(fi.has_name);
	ck_assert_str_eq(fi.name, "frame buffer 0");
	free(text);
	text = unit_slurp("fdinfo-unnamed.txt", NULL);
	ck_assert_int_eq(dp_fdinfo_parse(text, &fi), 1);
	ck_assert(!fi.has_name);
	ck_assert_uint_eq(fi.size, 131072);
	free(text);
}
END_TEST

START_TEST(fdinfo_other_file_and_truncated)
{
	struct dp_fdinfo fi;
	char *text = unit_slurp("fdinfo-regular.txt", NULL);

	ck_assert_int_eq(dp_fdinfo_parse(text, &fi), 0);
	free(text);
	text = unit_slurp("fdinfo-truncated.txt", NULL);
	ck_assert_int_eq(dp_fdinfo_parse(text, &fi), -EBADMSG);
	free(text);
	ck_assert_int_eq(dp_fdinfo_parse("", &fi), 0);
}
END_TEST

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(view_joins_bufinfo_and_proc)
{
	char dir[] = "/tmp/dp-proc-XXXXXX", p[600], *text;
	DMAPEEK_OPTS(dmapeek_sysview_opts, opts);
	const struct dmapeek_sysbuf *b;
	struct dmapeek_sysview *v;
	const char *comm;
	unsigned int unreadable;
	int pid, fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/100", dir); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/100/fd", dir); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/100/fdinfo", dir); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/100/comm", dir); put_file(p, "renderer\n");
	snprintf(p, sizeof(p), "%s/100/fd/5", dir);
	ck_assert_int_eq(symlink("/dmabuf:frame buffer 0", p), 0);
	snprintf(p, sizeof(p), "%s/100/fd/6", dir);
	ck_assert_int_eq(symlink("/dmabuf:", p), 0);
	snprintf(p, sizeof(p), "%s/100/fd/7", dir);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	text = unit_slurp("fdinfo-named.txt", NULL);	/* ino 65, not in bufinfo */
	snprintf(p, sizeof(p), "%s/100/fdinfo/5", dir); put_file(p, text);
	free(text);
	snprintf(p, sizeof(p), "%s/100/fdinfo/6", dir);
	put_file(p, "pos:\t0\nflags:\t02\nmnt_id:\t16\nino:\t41\nsize:\t4096\ncount:\t3\nexp_name:\tudmabuf\n");
	snprintf(p, sizeof(p), "%s/100/fdinfo/7", dir);
	put_file(p, "pos:\t0\nflags:\t0100000\nmnt_id:\t1\nino:\t9\n");

	opts.bufinfo_path = DATADIR "/bufinfo-three.txt";
	opts.proc_path = dir;
	v = dmapeek_sysview_new(NULL, &opts);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(dmapeek_sysview_source(v, DMAPEEK_SRC_BUFINFO, NULL), 0);
	ck_assert_int_eq(dmapeek_sysview_source(v, DMAPEEK_SRC_FDINFO, &unreadable), 0);
	ck_assert_uint_eq(unreadable, 0);
	ck_assert_int_eq(dmapeek_sysview_source(v, DMAPEEK_SRC_MODULE, NULL), -ENODATA);
	ck_assert_uint_eq(dmapeek_sysview_nr_buffers(v), 4);
	/* sorted by inode */
	ck_assert_uint_eq(dmapeek_sysbuf_inode(dmapeek_sysview_buffer(v, 0)), 41);
	ck_assert_uint_eq(dmapeek_sysbuf_inode(dmapeek_sysview_buffer(v, 3)), UINT64_MAX);
	b = by_ino(v, 41);
	ck_assert_uint_eq(dmapeek_sysbuf_sources(b),
			  1U << DMAPEEK_SRC_BUFINFO | 1U << DMAPEEK_SRC_FDINFO);
	ck_assert_uint_eq(dmapeek_sysbuf_nr_fds(b), 1);
	ck_assert_int_eq(dmapeek_sysbuf_fd(b, 0, &pid, &fd, &comm), 0);
	ck_assert_int_eq(pid, 100);
	ck_assert_int_eq(fd, 6);
	ck_assert_str_eq(comm, "renderer");
	b = by_ino(v, 65);		/* only fdinfo knows this one */
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(dmapeek_sysbuf_sources(b), 1U << DMAPEEK_SRC_FDINFO);
	ck_assert_str_eq(dmapeek_sysbuf_name(b), "frame buffer 0");
	ck_assert_str_eq(dmapeek_sysbuf_exp_name(b), "udmabuf");
	ck_assert_uint_eq(dmapeek_sysbuf_size(b), 4096);
	ck_assert_ptr_null(by_ino(v, 9));
	dmapeek_sysview_free(v);

	/* bufinfo absent: the view still works, and says so */
	opts.bufinfo_path = "/nonexistent/bufinfo";
	v = dmapeek_sysview_new(NULL, &opts);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(dmapeek_sysview_source(v, DMAPEEK_SRC_BUFINFO, NULL), -ENOENT);
	ck_assert_uint_eq(dmapeek_sysview_nr_buffers(v), 2);
	dmapeek_sysview_free(v);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

/* ------------------------------------------- text recorded in the guest */

/* The recorded bufinfo's buffer of this size and name (NULL: none). */
static const struct dmapeek_sysbuf *by_name(const struct dmapeek_sysview *v,
					    const char *name, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < dmapeek_sysview_nr_buffers(v); i++) {
		const struct dmapeek_sysbuf *b = dmapeek_sysview_buffer(v, i);
		const char *n = dmapeek_sysbuf_name(b);

		if (dmapeek_sysbuf_size(b) != size)
			continue;
		if (!name && !n)
			return b;
		if (name && n && !strcmp(n, name))
			return b;
	}
	return NULL;
}

START_TEST(live_bufinfo_and_fdinfo_agree)
{
	struct dmapeek_sysview *v = dp_sysview_alloc();
	char *text = unit_slurp("live/bufinfo.txt", NULL);
	const struct dmapeek_sysbuf *named, *idle;
	struct dp_fdinfo fi;

	ck_assert_int_ge(dp_bufinfo_parse(v, text), 3);
	/* The revocable buffer, named with spaces, two attachments of edu. */
	named = by_name(v, "cap revocable buf", 128 << 10);
	ck_assert_ptr_nonnull(named);
	ck_assert_str_eq(dmapeek_sysbuf_exp_name(named), "dmapeek");
	ck_assert_uint_eq(dmapeek_sysbuf_nr_devices(named), 2);
	ck_assert_str_eq(dmapeek_sysbuf_device(named, 0),
			 dmapeek_sysbuf_device(named, 1));
	/* The idle one, named by the module after its export: no attachments. */
	idle = by_name(v, "cap-idle", 4096);
	ck_assert_ptr_nonnull(idle);
	ck_assert_uint_eq(dmapeek_sysbuf_nr_devices(idle), 0);
	free(text);

	/* The same buffers through the recorder's own fds. */
	text = unit_slurp("live/fdinfo-named.txt", NULL);
	ck_assert_int_eq(dp_fdinfo_parse(text, &fi), 1);
	ck_assert(fi.has_name);
	ck_assert_str_eq(fi.name, "cap revocable buf");
	ck_assert_str_eq(fi.exp_name, "dmapeek");
	ck_assert_uint_eq(fi.size, 128 << 10);
	ck_assert_uint_eq(fi.ino, dmapeek_sysbuf_inode(named));
	ck_assert_int_eq(fi.count, dmapeek_sysbuf_count(named));
	free(text);
	text = unit_slurp("live/fdinfo-idle.txt", NULL);
	ck_assert_int_eq(dp_fdinfo_parse(text, &fi), 1);
	ck_assert_str_eq(fi.name, "cap-idle");
	ck_assert_uint_eq(fi.size, 4096);
	ck_assert_uint_eq(fi.ino, dmapeek_sysbuf_inode(idle));
	free(text);
	dmapeek_sysview_free(v);
}
END_TEST

/* Cut anywhere, the recorded text parses to a prefix of its buffers. */
START_TEST(live_bufinfo_cut_anywhere)
{
	char *text = unit_slurp("live/bufinfo.txt", NULL);
	size_t len = strlen(text), cut;
	int whole, part;
	struct dmapeek_sysview *v = dp_sysview_alloc();

	whole = dp_bufinfo_parse(v, text);
	dmapeek_sysview_free(v);
	for (cut = 0; cut < len; cut += 7) {
		char c = text[cut];

		text[cut] = '\0';
		v = dp_sysview_alloc();
		part = dp_bufinfo_parse(v, text);
		ck_assert_int_le(part, whole);
		ck_assert_uint_le(dmapeek_sysview_nr_buffers(v), (unsigned int)whole);
		dmapeek_sysview_free(v);
		text[cut] = c;
	}
	free(text);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		bufinfo_three_buffers,
		bufinfo_truncated_keeps_what_it_has,
		bufinfo_empty_and_garbage,
		fdinfo_dmabuf_named_and_not,
		fdinfo_other_file_and_truncated,
		view_joins_bufinfo_and_proc,
		live_bufinfo_and_fdinfo_agree,
		live_bufinfo_cut_anywhere,
		NULL,
	};

	return unit_run("sysview", tests);
}
