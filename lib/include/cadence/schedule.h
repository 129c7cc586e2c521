/* SPDX-License-Identifier: MIT */
/*
 * cadence/schedule.h - a cadence's schedule (docs/format.md, "schedule"):
 * its cron expression and time zone, and the times it fires at.
 *
 *     cadence_schedule *s;
 *     if (cadence_schedule_open(&s, def, &err) == 0) {
 *             int64_t t = now;
 *             for (int i = 0; i < 5 && !cadence_schedule_next(s, t, &t); i++)
 *                     print(t);
 *             cadence_schedule_free(s);
 *     }
 *
 * Times are seconds since the epoch (UTC).  The daylight-saving rules are
 * docs/format.md's: a time in a skipped hour fires once, at the first
 * instant after the jump; a time in a repeated hour fires once, the first
 * time.
 *
 * Ownership follows cadence/common.h: a schedule is made by
 * cadence_schedule_open() and freed by cadence_schedule_free(); it keeps
 * what it needs of the cadence (the cadence may be freed first).
 * Thread-safety: a schedule is read-only once made; threads may share it.
 */
#ifndef CADENCE_SCHEDULE_H
#define CADENCE_SCHEDULE_H

#include "cadence/common.h"
#include "cadence/load.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_schedule cadence_schedule;

/* The schedule of `def`.  0; CADENCE_ENOTFOUND (the cadence has no
 * `schedule:`), CADENCE_EINVALID (its cron expression does not parse or
 * never fires, or its time zone is not in the system's tzdata: what
 * `cadence validate` reports), CADENCE_ENOMEM; err's message says which. */
CADENCE_API int cadence_schedule_open(cadence_schedule **out, const cadence_def *def,
				      cadence_run_error *err);
CADENCE_API void cadence_schedule_free(cadence_schedule *schedule);

/* The cron expression as written, and the zone's name ("UTC" without
 * `timezone:`). */
CADENCE_API const char *cadence_schedule_cron(const cadence_schedule *schedule);
CADENCE_API const char *cadence_schedule_timezone(const cadence_schedule *schedule);
/* `enabled:` (1 by default). */
CADENCE_API int cadence_schedule_enabled(const cadence_schedule *schedule);

/* `overlap:`, what a fire time does while the last run still runs. */
typedef enum cadence_overlap {
	CADENCE_OVERLAP_SKIP,		/* the default */
	CADENCE_OVERLAP_QUEUE_ONE,
	CADENCE_OVERLAP_REPLACE,
	CADENCE_OVERLAP_ALLOW
} cadence_overlap;

/* `catch_up:`, what runs for fire times that passed while nothing ran. */
typedef enum cadence_catch_up {
	CADENCE_CATCH_UP_NONE,		/* the default */
	CADENCE_CATCH_UP_LATEST,
	CADENCE_CATCH_UP_ALL
} cadence_catch_up;

CADENCE_API cadence_overlap cadence_schedule_overlap(const cadence_schedule *schedule);
/* With catch_up all, at most *max runs (NULL: not wanted). */
CADENCE_API cadence_catch_up cadence_schedule_catch_up(const cadence_schedule *schedule,
							unsigned *max);
/* `jitter:` in milliseconds, 0 for none. */
CADENCE_API int64_t cadence_schedule_jitter_ms(const cadence_schedule *schedule);
/* `score:` as JSON text (the input of scheduled runs), NULL for none. */
CADENCE_API const char *cadence_schedule_score(const cadence_schedule *schedule);

/* The first fire time strictly after `after`: 0 and *next, or
 * CADENCE_ENOTFOUND when none comes within eight years (never, for a
 * schedule open() accepted, unless the time is near the end of time). */
CADENCE_API int cadence_schedule_next(const cadence_schedule *schedule, int64_t after,
				      int64_t *next);

/* The zone's offset from UTC at instant t, in seconds east, and its
 * abbreviation ("CET"; NULL when the zone has none), for printing. */
CADENCE_API int32_t cadence_schedule_utc_offset(const cadence_schedule *schedule, int64_t t,
						const char **abbreviation);

/* ---- what is due ------------------------------------------------------- */

/* A fire time "on time" is at most this many seconds (plus the jitter)
 * before the instant it is handled: catch_up none runs only such a time. */
#define CADENCE_SCHEDULE_ON_TIME 300

/* Missed fire times listed one by one, at most; older ones are counted. */
#define CADENCE_SCHEDULE_MISSED_MAX 1000

typedef struct cadence_due_time {
	int64_t fire;		/* Unix seconds */
	const char *missed;	/* NULL: run it; else why not: "catch_up" (catch_up
				 * none or latest passes it over), "catch_up_max"
				 * (older than the bound of catch_up all) */
} cadence_due_time;

typedef struct cadence_due {
	cadence_due_time *times;	/* oldest first; malloc'd */
	size_t count;
	size_t older_missed;	/* missed before times[0], not listed */
	int64_t last;		/* the newest fire time <= now, -1: none due */
} cadence_due;

/*
 * What the schedule has due at `now` (Unix s) when the fire times up to
 * `last_fire` were handled already (-1: none ever was: only the newest time
 * on time is due, for the schedule did not exist before), by its catch_up
 * (docs/format.md, "schedule"): every fire time in (last_fire, now], each
 * to run or missed with why.  Free with cadence_due_free().  Returns 0 or
 * CADENCE_ENOMEM.  Pure: no clock is read, so tests pass any `now`.
 */
CADENCE_API int cadence_schedule_due(const cadence_schedule *schedule, int64_t last_fire,
				     int64_t now, cadence_due *out);
CADENCE_API void cadence_due_free(cadence_due *due);

#ifdef __cplusplus
}
#endif

#endif
