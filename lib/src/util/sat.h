/* SPDX-License-Identifier: MIT */
/* Saturating arithmetic for durations and instants.  A duration the format
 * accepts reaches 9 x 10^15 ms, that is 9 x 10^21 ns: past INT64_MAX, which
 * is 292 years of nanoseconds.  Every conversion of a duration to
 * nanoseconds, every instant computed from one and every poll() timeout
 * goes through these, so that a long timeout or retry delay means "not
 * for a very long time" instead of a wrapped, negative instant (a note
 * "timing out" at once, a retry that does not wait). */
#ifndef CADENCE_SRC_UTIL_SAT_H
#define CADENCE_SRC_UTIL_SAT_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

/* a + b, clamped to [INT64_MIN, INT64_MAX]. */
static inline int64_t cad_sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* Milliseconds as nanoseconds, clamped. */
static inline int64_t cad_sat_ms_to_ns(int64_t ms)
{
	if (ms > INT64_MAX / 1000000)
		return INT64_MAX;
	if (ms < INT64_MIN / 1000000)
		return INT64_MIN;
	return ms * 1000000;
}

/* Nanoseconds as whole milliseconds, rounded up, without the overflow of
 * (ns + 999999) / 1000000 near INT64_MAX. */
static inline int64_t cad_sat_ns_to_ms_up(int64_t ns)
{
	return ns / 1000000 + (ns % 1000000 > 0);
}

/* A poll() timeout for a wait of ns: -1 (no limit) when ns < 0, else whole
 * milliseconds rounded up, at most INT_MAX (24.8 days: a caller that waits
 * longer polls again). */
static inline int cad_sat_poll_ms(int64_t ns)
{
	if (ns < 0)
		return -1;
	int64_t ms = cad_sat_ns_to_ms_up(ns);
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* The real clock's instant ns (>= 0) from now: the deadline of a
 * pthread_cond_timedwait() on a condition of the default clock. */
static inline struct timespec cad_sat_realtime_after(int64_t ns)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	ns = ns > 0 ? ns : 0;
	t.tv_sec += (time_t)(ns / 1000000000);
	t.tv_nsec += (long)(ns % 1000000000);
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

#endif
