/* SPDX-License-Identifier: MIT */
/* Retry schedules (docs/run.md, "retry"): the wait before attempt k+1 is
 * delay * backoff^(k-1), capped at max_delay; with jitter j, a fraction j
 * of it is random: the wait is uniform in [d * (1 - j), d * (1 + j)], then
 * capped again. */
#include "run/run_int.h"

#include <math.h>

uint64_t cad_rng_next(uint64_t *s)
{
	/* splitmix64: one multiply-xorshift chain, good enough for jitter */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t cad_retry_delay_ms(const cad_retry *r, unsigned failed_attempt, uint64_t *rng)
{
	double d = (double)r->delay_ms;
	double cap = r->max_delay_ms >= 0 ? (double)r->max_delay_ms : INFINITY;
	for (unsigned k = 1; k < failed_attempt && d < cap; k++)
		d *= r->backoff > 1 ? r->backoff : 1;
	if (d > cap)
		d = cap;
	if (r->jitter > 0 && d > 0) {
		double u = (double)(cad_rng_next(rng) >> 11) / 9007199254740992.0;	/* [0, 1) */
		double j = r->jitter > 1 ? 1 : r->jitter;
		d = d * (1 - j) + u * 2 * j * d;
		if (d > cap)
			d = cap;
	}
	return d > 9.0e15 ? (int64_t)9.0e15 : (int64_t)llround(d);
}
