/* SPDX-License-Identifier: MIT */
/* What the benchmarks share: a monotonic clock, and the comparison that
 * sorts times for their median. */
#ifndef CADENCE_BENCH_BENCH_H
#define CADENCE_BENCH_BENCH_H

#include <time.h>

static inline double bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* For qsort() of doubles. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

#endif
