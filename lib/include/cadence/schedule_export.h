/* SPDX-License-Identifier: MIT */
/*
 * cadence/schedule_export.h - a cadence's schedule (docs/format.md,
 * "schedule") written for another scheduler: a systemd timer's
 * OnCalendar= values, or a crontab's five fields (`cadence schedule
 * export`, docs/cli.md).
 *
 *     cadence_schedule_export *x;
 *     if (cadence_schedule_export_systemd(&x, def, time(NULL), &err) == 0) {
 *             for (size_t i = 0; i < x->nlines; i++)
 *                     printf("OnCalendar=%s\n", x->lines[i]);
 *             cadence_schedule_export_free(x);
 *     }
 *
 * Where the other scheduler cannot mean what cadence means, the export
 * says so in `note` (one line, for a comment) rather than write something
 * else silently.  `now` is where the zones are looked at (their offsets
 * over the eight years after it).
 *
 * Ownership follows cadence/common.h: an export is made by the functions
 * below and freed by cadence_schedule_export_free(); it keeps nothing of
 * the cadence.  Thread-safety: none needed; nothing is shared.
 */
#ifndef CADENCE_SCHEDULE_EXPORT_H
#define CADENCE_SCHEDULE_EXPORT_H

#include "cadence/common.h"
#include "cadence/load.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_schedule_export {
	/* systemd: OnCalendar= values, each ending with the zone's name; one,
	 * or two when cron ORs the day of month and the day of week (systemd
	 * ANDs them in one value and ORs several values).  cron: lines of
	 * five fields, "MIN HOUR DOM MON DOW"; one, or several when a shift
	 * of zone splits the times (each line's times are a product of its
	 * fields). */
	char **lines;
	size_t nlines;
	int64_t jitter_ms;	/* `jitter:`; 0: none */
	int catch_up;		/* `catch_up:` is latest or all */
	/* the zone's offset changes (daylight saving) within the eight years:
	 * where systemd and cadence differ, in the hour the clock skips */
	int zone_changes;
	/* cron: the shift applied, in seconds (the machine's offset less the
	 * schedule zone's), when the lines are exact in the machine's zone;
	 * 0 with `note` set when they are the schedule's own times */
	int32_t shift;
	/* cron: NULL when the lines mean the schedule's times in the machine's
	 * zone; else why they cannot (one line of text) */
	char *note;
} cadence_schedule_export;

/* The OnCalendar= values of def's schedule.  0; CADENCE_ENOTFOUND (no
 * `schedule:`), CADENCE_EINVALID (a bad cron expression or zone, as
 * cadence_schedule_open()), CADENCE_ENOMEM; err's message says which. */
CADENCE_API int cadence_schedule_export_systemd(cadence_schedule_export **out,
						const cadence_def *def, int64_t now,
						cadence_run_error *err);

/* Crontab fields for def's schedule, run by a cron daemon whose zone is
 * `cron_zone` (an IANA name; NULL: unknown), in the syntax Debian's cron
 * reads (numbers, ranges, steps of `*`, lists; a macro stays a macro, in
 * lower case).  When the zones have the same offsets at every time, the
 * fields are the expression's times; when each zone has one offset all
 * the time, those times moved by the difference, if that can be written
 * exactly; else the expression's times, and `note` says why they are not
 * the schedule's times in cron's zone.  Errors as above. */
CADENCE_API int cadence_schedule_export_cron(cadence_schedule_export **out,
					     const cadence_def *def, const char *cron_zone,
					     int64_t now, cadence_run_error *err);

CADENCE_API void cadence_schedule_export_free(cadence_schedule_export *x);

#ifdef __cplusplus
}
#endif

#endif
