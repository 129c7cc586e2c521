/* SPDX-License-Identifier: MIT */
/* cadence_schedule_due(): which fire times run, which are missed and why
 * (docs/format.md, "schedule", catch_up). */
#include "cadence/schedule.h"

#include <stdlib.h>

/* The newest `cap` fire times of (lower, now], in a ring; older ones are
 * counted in *dropped. */
typedef struct ring {
	int64_t *t;
	size_t cap, start, n, dropped;
} ring;

static void ring_push(ring *r, int64_t t)
{
	if (r->n == r->cap) {
		r->start = (r->start + 1) % r->cap;
		r->n--;
		r->dropped++;
	}
	r->t[(r->start + r->n++) % r->cap] = t;
}

static int64_t on_time(const cadence_schedule *s)
{
	return CADENCE_SCHEDULE_ON_TIME + cadence_schedule_jitter_ms(s) / 1000;
}

/* Which of the n times, oldest first, run: the newest `runs` of them. */
static void classify(const cadence_schedule *s, cadence_due *d, int64_t now)
{
	unsigned max = 1;
	cadence_catch_up cu = cadence_schedule_catch_up(s, &max);
	size_t runs = cu == CADENCE_CATCH_UP_ALL ? max : 1;
	const char *why = cu == CADENCE_CATCH_UP_ALL ? "catch_up_max" : "catch_up";
	if (cu == CADENCE_CATCH_UP_NONE && now - d->last > on_time(s))
		runs = 0;
	for (size_t i = 0; i < d->count; i++)
		d->times[i].missed = d->count - i <= runs ? NULL : why;
}

int cadence_schedule_due(const cadence_schedule *s, int64_t last_fire, int64_t now,
			 cadence_due *d)
{
	unsigned max = 1;
	int first = last_fire < 0;
	ring r = { 0 };
	*d = (cadence_due){ NULL, 0, 0, -1 };
	if (cadence_schedule_catch_up(s, &max) != CADENCE_CATCH_UP_ALL || first)
		max = 1;
	r.cap = first ? 1 : (size_t)max + CADENCE_SCHEDULE_MISSED_MAX;
	if (!(r.t = malloc(r.cap * sizeof(*r.t))))
		return CADENCE_ENOMEM;
	/* a schedule never handled starts now: only a time on time is due */
	int64_t t = first ? now - on_time(s) - 1 : last_fire;
	while (!cadence_schedule_next(s, t, &t) && t <= now)
		ring_push(&r, t);
	d->times = calloc(r.n ? r.n : 1, sizeof(*d->times));
	if (!d->times) {
		free(r.t);
		return CADENCE_ENOMEM;
	}
	for (size_t i = 0; i < r.n; i++)
		d->times[i].fire = r.t[(r.start + i) % r.cap];
	d->count = r.n;
	d->older_missed = first ? 0 : r.dropped;
	d->last = r.n ? d->times[r.n - 1].fire : -1;
	free(r.t);
	if (d->count)
		classify(s, d, now);
	return 0;
}

void cadence_due_free(cadence_due *d)
{
	if (!d)
		return;
	free(d->times);
	*d = (cadence_due){ NULL, 0, 0, -1 };
}
