/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest campaigns' random numbers: xorshift64*, small, fast and the
 * same on every build for a seed, so that a printed seed replays a run.
 */
#ifndef DMAPEEK_SEEDED_RNG_H
#define DMAPEEK_SEEDED_RNG_H

#include <stdint.h>

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

#endif
