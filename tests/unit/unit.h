/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every host Check suite shares: reading its data files and running
 * its tests, so each suite's file holds only its tests.
 */
#ifndef DMAPEEK_TESTS_UNIT_H
#define DMAPEEK_TESTS_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef DATADIR
#define DATADIR "tests/unit/data"
#endif

/*
 * The whole of tests/unit/data/@name, with a NUL after it (text files are
 * strings, captures may hold NULs: *len, if given, is the size).  Fails the
 * test when the file cannot be read.  Free with free().
 */
static inline char *unit_slurp(const char *name, size_t *len)
{
	char path[512], *buf;
	size_t n = 0, cap = 4096, got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", DATADIR, name);
	f = fopen(path, "rb");
	buf = f ? malloc(cap + 1) : NULL;
	if (!f || !buf) {
		ck_abort_msg("cannot read %s", path);
		return NULL;	/* not reached: ck_abort_msg() ends the test */
	}
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *bigger = realloc(buf, 2 * cap + 1);

			ck_assert_ptr_nonnull(bigger);
			buf = bigger;
			cap *= 2;
		}
	}
	ck_assert_msg(!ferror(f), "cannot read %s", path);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/*
 * Run @tests (NULL-terminated) as the suite @name: the exit status.  The
 * time limit only catches a hang: Check's default of 4 s failed a test that
 * starts python3 on a host busy with guest runs.  CK_DEFAULT_TIMEOUT (and
 * valgrind's CK_TIMEOUT_MULTIPLIER) still apply on top of it.
 */
static inline int unit_run(const char *name, const TTest *const *tests)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	SRunner *sr;
	int failed;

	if (!getenv("CK_DEFAULT_TIMEOUT"))
		tcase_set_timeout(tc, 60);
	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* DMAPEEK_TESTS_UNIT_H */
