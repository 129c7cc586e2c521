/* SPDX-License-Identifier: MIT */
/*
 * Cron expressions for schedules (docs/format.md, "schedule"): cadence's
 * own parser of the 5 POSIX fields (minute hour day-of-month month
 * day-of-week) with names (jan-dec, sun-sat, case-insensitive), ranges,
 * steps (`*` or a range, then `/N`), lists, 7 for Sunday as well as 0, and
 * the macros @yearly (@annually), @monthly, @weekly, @daily (@midnight) and
 * @hourly.  Day-of-month and day-of-week are ORed when both are restricted
 * (neither begins with `*`), as POSIX says; when one does, ANDed, as
 * Debian's (Vixie) cron does, so that a bare `*` leaves the other alone.
 *
 * Fire times are computed in a zone (sched/tz.h), with the daylight-saving
 * rules of docs/format.md: a wall time that falls in a skipped hour fires
 * once, at the first instant after the gap (the clock's jump); a wall time
 * in a repeated hour fires once, at its first occurrence.
 *
 * Ownership: a parsed expression is a plain value (no allocation).
 * Thread-safety: none needed; functions are pure.
 */
#ifndef CADENCE_SRC_SCHED_CRON_H
#define CADENCE_SRC_SCHED_CRON_H

#include "sched/tz.h"
#include "util/strbuf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cad_cron {
	uint64_t minutes;	/* bit m: minute m, 0-59 */
	uint32_t hours;		/* bit h: 0-23 */
	uint32_t mdays;		/* bit d: day of month 1-31 */
	uint16_t months;	/* bit m: month 1-12 */
	uint8_t wdays;		/* bit w: 0 (Sunday) - 6 */
	/* the field begins with `*` (`*`, or `*` then a step `/N`), as Vixie
	 * cron's DOM_STAR and DOW_STAR: when either is set, a day must be in
	 * both sets (for a bare `*`, which holds every day, that is the other
	 * field alone; `*` with step 2 and `fri` are the odd-numbered Fridays,
	 * as in Vixie's and Debian's cron); when neither is, in either (the
	 * OR of POSIX) */
	unsigned char mday_star, wday_star;
} cad_cron;

/* A problem in an expression: its byte range in the text and what is
 * wrong ("hour 25 is out of range 0-23"), with how to fix it. */
typedef struct cad_cron_error {
	size_t offset, length;	/* in bytes, in the expression as given */
	char message[160];
	char help[160];
} cad_cron_error;

/* Parses `text`.  0, or -1 with *err filled (the first problem). */
int cad_cron_parse(cad_cron *out, const char *text, cad_cron_error *err);

/* The first fire time strictly after instant `after`, in zone tz: 0 and
 * *next, or -1 when none comes within `horizon` seconds (a schedule that
 * never fires, such as `0 0 30 2 *`, finds none in any horizon: give 8
 * years to cover every leap year and weekday of a date). */
int cad_cron_next(const cad_cron *c, const cad_tz *tz, int64_t after, int64_t horizon,
		  int64_t *next);

/* Whether the expression can ever fire (some day-of-month exists in some
 * chosen month, or the day-of-week allows a day): the rule schedule-never.
 * Decided from the fields alone, no zone needed. */
int cad_cron_can_fire(const cad_cron *c);

#endif
