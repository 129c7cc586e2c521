/* SPDX-License-Identifier: MIT */
/*
 * Time zones for schedules (docs/format.md, "schedule"): an IANA zone read
 * from the system's tzdata (TZif files under $TZDIR or /usr/share/zoneinfo,
 * versions 1 to 4, with the POSIX TZ rule of their footer for the times
 * past their last transition), or UTC.  cadence's own reader: the C
 * library converts in the zone of the process (TZ, tzset()), global state
 * a library must not touch.
 *
 * Times are seconds since the epoch (UTC) as int64_t; a "local" time is the
 * wall clock of the zone written as if it were UTC (2026-03-29 02:30 in
 * Berlin is the local time of 2026-03-29T02:30:00Z).
 *
 * Ownership: a zone is made by cad_tz_load() and freed by cad_tz_free().
 * Thread-safety: a zone is read-only once loaded; threads may share it.
 */
#ifndef CADENCE_SRC_SCHED_TZ_H
#define CADENCE_SRC_SCHED_TZ_H

#include "util/strbuf.h"

#include <stdint.h>

typedef struct cad_tz cad_tz;

/* The zone `name` ("UTC", "Etc/UTC", "Europe/Berlin", ...).  0; or
 * CADENCE_ENOTFOUND (no such zone: a name that is not a file of the tzdata,
 * or that leaves its directory, such as "../x" or "/etc/passwd"),
 * CADENCE_EINVALID (the file is not TZif, or is corrupt), CADENCE_ENOMEM;
 * with a message in *why (what, not where: the caller knows where). */
int cad_tz_load(cad_tz **out, const char *name, strbuf *why);
void cad_tz_free(cad_tz *tz);
/* The zone's name as loaded. */
const char *cad_tz_name(const cad_tz *tz);

/* The zone's offset from UTC (seconds, east positive) at instant t, and
 * its abbreviation ("CET"; may be NULL). */
int32_t cad_tz_offset(const cad_tz *tz, int64_t t, const char **abbr);
/* The local time of instant t. */
int64_t cad_tz_local(const cad_tz *tz, int64_t t);

/* The instants whose local time is `local`, earliest first, into out[0]
 * and out[1]: returns 1 (the usual case), 2 (a repeated hour: the clock
 * went back) or 0 (a skipped hour: the clock went forward over it).  When
 * 0, *after is the first instant after the gap (the instant the clock
 * jumped at); else it is out[0]. */
int cad_tz_instants(const cad_tz *tz, int64_t local, int64_t out[2], int64_t *after);

#endif
