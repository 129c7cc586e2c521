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

/* The first fire time strictly after `after`: 0 and *next, or
 * CADENCE_ENOTFOUND when none comes within eight years (never, for a
 * schedule open() accepted, unless the time is near the end of time). */
CADENCE_API int cadence_schedule_next(const cadence_schedule *schedule, int64_t after,
				      int64_t *next);

/* The zone's offset from UTC at instant t, in seconds east, and its
 * abbreviation ("CET"; NULL when the zone has none), for printing. */
CADENCE_API int32_t cadence_schedule_utc_offset(const cadence_schedule *schedule, int64_t t,
						const char **abbreviation);

#ifdef __cplusplus
}
#endif

#endif
