// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wall-clock time for the module's event timestamps (see walltime.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "walltime.h"

#define NSEC_PER_SEC	1000000000LL

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

uint64_t walltime_mono_ns(void)
{
	return (uint64_t)clock_ns(CLOCK_MONOTONIC);
}

int64_t walltime_offset_ns(void)
{
	/* the realtime read between two monotonic ones, against their middle */
	int64_t m0 = clock_ns(CLOCK_MONOTONIC);
	int64_t real = clock_ns(CLOCK_REALTIME);
	int64_t m1 = clock_ns(CLOCK_MONOTONIC);

	return real - (m0 + (m1 - m0) / 2);
}

int walltime_fmt(char *buf, size_t len, int64_t real_ns, bool zone)
{
	/* floor division: a time before the epoch still has 0 <= usec < 1e6 */
	time_t sec = (time_t)(real_ns / NSEC_PER_SEC);
	int64_t rem = real_ns % NSEC_PER_SEC;
	size_t n;
	struct tm tm;
	int w;

	if (rem < 0) {
		rem += NSEC_PER_SEC;
		sec--;
	}
	if (!localtime_r(&sec, &tm))
		return -EINVAL;
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n)
		return -EINVAL;
	w = snprintf(buf + n, len - n, ".%06ld", (long)(rem / 1000));
	if (w < 0 || (size_t)w >= len - n)
		return -EINVAL;
	n += (size_t)w;
	if (zone) {
		long off = labs(tm.tm_gmtoff) / 60;

		w = snprintf(buf + n, len - n, "%c%02ld:%02ld",
			     tm.tm_gmtoff < 0 ? '-' : '+', off / 60, off % 60);
		if (w < 0 || (size_t)w >= len - n)
			return -EINVAL;
	}
	return 0;
}
