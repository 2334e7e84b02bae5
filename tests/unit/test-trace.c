// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of libdmapeek's dma_buf tracepoint reader, without a kernel:
 * records decoded through the formats the 7.3 kernel publishes for its
 * dma_buf events (include/trace/events/dma_buf.h, written out as tracefs
 * shows them), the task's name from /proc and from the kernel's saved
 * names, and where tracefs is mounted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "unit.h"

#include "trace.h"

#define COMMON \
	"format:\n" \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

static const char attach_format[] =
	"name: dma_buf_dynamic_attach\nID: 601\n" COMMON
	"\tfield:__data_loc char[] dev_name;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc char[] exp_name;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:size_t size;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:ino_t ino;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:struct dma_buf_attachment * attach;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:bool is_dynamic;\toffset:40;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"exp_name=%s size=%zu ino=%lu attachment:%p is_dynamic=%d "
	"dev_name=%s\", __get_str(exp_name), REC->size, REC->ino, REC->attach, "
	"REC->is_dynamic, __get_str(dev_name)\n";

static const char fd_format[] =
	"name: dma_buf_fd\nID: 603\n" COMMON
	"\tfield:__data_loc char[] exp_name;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:size_t size;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:ino_t ino;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int fd;\toffset:32;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"exp_name=%s size=%zu ino=%lu fd=%d\", __get_str(exp_name), "
	"REC->size, REC->ino, REC->fd\n";

/* A format of another system's event: never one of ours. */
static const char other_format[] =
	"name: sched_wakeup\nID: 77\n" COMMON
	"\tfield:int prio;\toffset:8;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"prio=%d\", REC->prio\n";

static struct tep_handle *tep;
static struct dp_trace_formats fmt;

static void setup(void)
{
	tep = tep_alloc();
	ck_assert_ptr_nonnull(tep);
	tep_set_long_size(tep, 8);
	ck_assert_int_eq(tep_parse_event(tep, attach_format, sizeof(attach_format) - 1,
					 "dma_buf"), 0);
	ck_assert_int_eq(tep_parse_event(tep, fd_format, sizeof(fd_format) - 1,
					 "dma_buf"), 0);
	ck_assert_int_eq(tep_parse_event(tep, other_format, sizeof(other_format) - 1,
					 "sched"), 0);
	ck_assert_int_eq(dp_trace_formats_find(tep, &fmt), 2);
}

static void teardown(void)
{
	tep_free(tep);
	tep = NULL;
}

/* Append a __string to @rec at *end, pointing the __data_loc at @loc. */
static void put_str(unsigned char *rec, size_t loc, size_t *end, const char *s)
{
	uint32_t dl = (uint32_t)((strlen(s) + 1) << 16 | *end);

	memcpy(rec + loc, &dl, 4);
	memcpy(rec + *end, s, strlen(s) + 1);
	*end += strlen(s) + 1;
}

static void put_common(unsigned char *rec, uint16_t type, int32_t pid)
{
	memcpy(rec, &type, 2);
	memcpy(rec + 4, &pid, 4);
}

START_TEST(attach_record_decoded)
{
	unsigned char rec[128] = { 0 };
	struct tep_record r = { .ts = 123456789, .cpu = 1, .data = rec };
	uint64_t size = 16384, ino = 41;
	size_t end = 48;
	struct dp_obj o;

	put_common(rec, 601, 310);
	put_str(rec, 8, &end, "0000:00:04.0");
	put_str(rec, 12, &end, "udmabuf");
	memcpy(rec + 16, &size, 8);
	memcpy(rec + 24, &ino, 8);
	rec[40] = 1;
	r.size = (int)end;
	dp_obj_init(&o, DP_TRACE);
	ck_assert_int_eq(dp_trace_decode(tep, &fmt, &r, &o), 0);
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_TYPE], DMAPEEK_TRACE_ATTACH);
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_TIMESTAMP_NS], 123456789);
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_CPU], 1);
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_PID], 310);
	ck_assert_str_eq(dp_obj_str(&o, DMAPEEK_TRACE_A_EXP_NAME), "udmabuf");
	ck_assert_str_eq(dp_obj_str(&o, DMAPEEK_TRACE_A_DEVICE), "0000:00:04.0");
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_SIZE], 16384);
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_INODE], 41);
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_DYNAMIC], 1);
	/* attach has no fd, and no comm until the reader looks it up */
	ck_assert(!(o.present & (1U << DMAPEEK_TRACE_A_FD)));
	ck_assert(!(o.present & (1U << DMAPEEK_TRACE_A_COMM)));
}
END_TEST

START_TEST(fd_record_decoded)
{
	unsigned char rec[64] = { 0 };
	struct tep_record r = { .ts = 5, .data = rec };
	uint64_t size = 4096, ino = 9;
	int32_t fd = 3;
	size_t end = 40;
	struct dp_obj o;

	put_common(rec, 603, 7);
	put_str(rec, 8, &end, "system");
	memcpy(rec + 16, &size, 8);
	memcpy(rec + 24, &ino, 8);
	memcpy(rec + 32, &fd, 4);
	r.size = (int)end;
	dp_obj_init(&o, DP_TRACE);
	ck_assert_int_eq(dp_trace_decode(tep, &fmt, &r, &o), 0);
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_TYPE], DMAPEEK_TRACE_FD);
	ck_assert_str_eq(dp_obj_str(&o, DMAPEEK_TRACE_A_EXP_NAME), "system");
	ck_assert_uint_eq(o.v[DMAPEEK_TRACE_A_FD], 3);
	ck_assert_ptr_null(dp_obj_str(&o, DMAPEEK_TRACE_A_DEVICE));
	ck_assert(!(o.present & (1U << DMAPEEK_TRACE_A_DYNAMIC)));
}
END_TEST

START_TEST(other_records_are_not_ours)
{
	unsigned char rec[16] = { 0 };
	struct tep_record r = { .data = rec, .size = 12 };
	struct dp_obj o;

	put_common(rec, 77, 1);
	dp_obj_init(&o, DP_TRACE);
	ck_assert_int_eq(dp_trace_decode(tep, &fmt, &r, &o), -ENOENT);
}
END_TEST

START_TEST(every_tracepoint_has_a_name)
{
	unsigned int type;

	for (type = 1; type < __DMAPEEK_TRACE_TYPE_MAX; type++) {
		ck_assert_ptr_nonnull(dp_tracepoints[type]);
		ck_assert_ptr_nonnull(dmapeek_trace_type_str(type));
	}
	ck_assert_str_eq(dp_tracepoints[DMAPEEK_TRACE_ATTACH], "dma_buf_dynamic_attach");
	ck_assert_str_eq(dmapeek_trace_type_str(DMAPEEK_TRACE_MMAP_INTERNAL),
			 "mmap-internal");
	ck_assert_ptr_null(dmapeek_trace_type_str(__DMAPEEK_TRACE_TYPE_MAX));
}
END_TEST

static void write_comm(const char *proc, int pid, const char *comm)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", proc, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/comm", proc, pid);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", comm);
	fclose(f);
}

static void rm_proc(const char *proc, int pid)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%d/comm", proc, pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d", proc, pid);
	rmdir(path);
	rmdir(proc);
}

START_TEST(comm_from_proc_then_the_kernels_names)
{
	char proc[] = "/tmp/dmapeek-proc-XXXXXX", buf[16];
	struct dp_comm_cache *c = calloc(1, sizeof(*c));
	uint64_t t0 = 5000000000ULL;

	ck_assert_ptr_nonnull(mkdtemp(proc));
	write_comm(proc, 123, "dp-import");
	ck_assert_int_eq(dp_comm_lookup(c, tep, NULL, proc, 123, t0, buf), 0);
	ck_assert_str_eq(buf, "dp-import");
	/* looked up once a second at most: an exec shows after that */
	write_comm(proc, 123, "python3");
	ck_assert_int_eq(dp_comm_lookup(c, tep, NULL, proc, 123, t0 + 1000, buf), 0);
	ck_assert_str_eq(buf, "dp-import");
	ck_assert_int_eq(dp_comm_lookup(c, tep, NULL, proc, 123, t0 + DP_COMM_TTL_NS, buf), 0);
	ck_assert_str_eq(buf, "python3");
	/* a task gone from /proc: the name the kernel saved for it */
	ck_assert_int_eq(dp_comm_lookup(c, tep, NULL, proc, 456, t0, buf), -ENOENT);
	ck_assert_int_eq(tep_register_comm(tep, "udmabuf-maker", 456), 0);
	ck_assert_int_eq(dp_comm_lookup(c, tep, NULL, proc, 456, t0, buf), 0);
	ck_assert_str_eq(buf, "udmabuf-maker");
	/* the idle task is nobody */
	ck_assert_int_eq(dp_comm_lookup(c, tep, NULL, proc, 0, t0, buf), -ENOENT);
	free(c);
	rm_proc(proc, 123);
}
END_TEST

START_TEST(tracefs_found_in_mounts)
{
	char dir[64];

	ck_assert_int_eq(dp_tracefs_dir_parse(
		"proc /proc proc rw,nosuid 0 0\n"
		"sysfs /sys sysfs rw 0 0\n"
		"tracefs /sys/kernel/tracing tracefs rw,nosuid,nodev 0 0\n", dir,
		sizeof(dir)), 0);
	ck_assert_str_eq(dir, "/sys/kernel/tracing");
	ck_assert_int_eq(dp_tracefs_dir_parse(
		"nodev /mnt/my\\040trace tracefs rw 0 0\n", dir, sizeof(dir)), 0);
	ck_assert_str_eq(dir, "/mnt/my trace");
	/* debugfs alone is not enough: tracing is its own file system */
	ck_assert_int_eq(dp_tracefs_dir_parse(
		"debugfs /sys/kernel/debug debugfs rw 0 0\n", dir, sizeof(dir)), -ENODEV);
	ck_assert_int_eq(dp_tracefs_dir_parse("", dir, sizeof(dir)), -ENODEV);
	ck_assert_int_eq(dp_tracefs_dir_parse(
		"tracefs /sys/kernel/tracing tracefs rw 0 0\n", dir, 8), -ENAMETOOLONG);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, attach_record_decoded);
	tcase_add_test(tc, fd_record_decoded);
	tcase_add_test(tc, other_records_are_not_ours);
	tcase_add_test(tc, every_tracepoint_has_a_name);
	tcase_add_test(tc, comm_from_proc_then_the_kernels_names);
	tcase_add_test(tc, tracefs_found_in_mounts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
