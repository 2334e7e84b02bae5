/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the lab's C programs share (the guest tests' helpers in this
 * directory and the benchmarks in tests/bench/): errno names, the
 * monotonic clock, and seeded random numbers.
 */
#ifndef DMAPEEK_LAB_UTIL_H
#define DMAPEEK_LAB_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ errno names */

/*
 * The name of errno @e as the tests match it ("EINVAL"; "0" for 0), or
 * "E<number>" for a number the C library does not name.  Aliases answer
 * with the kernel's name: EOPNOTSUPP (ENOTSUP), EAGAIN (EWOULDBLOCK).
 */
static inline const char *lab_errno_name(int e)
{
	static __thread char buf[16];
	const char *name = strerrorname_np(e);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* --------------------------------------------------------------- clocks */

/* CLOCK_MONOTONIC in seconds, milliseconds and nanoseconds. */
static inline double lab_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double lab_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline uint64_t lab_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------ seeded randomness */

/*
 * The campaigns' random numbers (fuzzers, stress): xorshift64*, small,
 * fast and the same on every build for a seed, so that a printed seed
 * replays a run.
 */
static inline uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* A number below @n (0 for 0). */
static inline uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(rng_next(s) % n) : 0;
}

/*
 * Plain xorshift64 (13, 7, 17): the data patterns and the racers' choices
 * of dp and dp-churn, whose seeds the tests pass and compare; kept apart
 * from rng_next() so that a seed keeps giving the same sequence.  @s must
 * not be 0.
 */
static inline uint64_t rng_xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif
