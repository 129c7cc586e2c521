/* SPDX-License-Identifier: MIT */
/* The system clock, and sleeps that a cancel interrupts. */
#include "run/run_int.h"
#include "util/sat.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

static int64_t sys_mono_ns(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t sys_wall_ms(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Sleeps ns, or until cancelled_fd is readable (returns 1). */
static int sys_sleep_ns(void *ctx, int64_t ns, int cancelled_fd)
{
	int64_t end = cad_sat_add(sys_mono_ns(ctx), ns);
	for (;;) {
		int64_t left = end - sys_mono_ns(ctx);
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = cancelled_fd, .events = POLLIN };
		int n = poll(&pfd, cancelled_fd >= 0 ? 1 : 0, cad_sat_poll_ms(left));
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return 0;
	}
}

void cad_clock_system(cadence_clock *c)
{
	c->ctx = NULL;
	c->mono_ns = sys_mono_ns;
	c->wall_ms = sys_wall_ms;
	c->sleep_ns = sys_sleep_ns;
}
