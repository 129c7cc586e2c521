/* SPDX-License-Identifier: MIT */
/* The proleptic Gregorian calendar in days since 1970-01-01 (H. Hinnant's
 * algorithms): dates without timegm() or the process's TZ, for the
 * schedules' zones and cron times.  Pure functions, any int64_t year the
 * arithmetic holds. */
#ifndef CADENCE_SRC_UTIL_CIVIL_H
#define CADENCE_SRC_UTIL_CIVIL_H

#include <stdint.h>

/* a / b rounded down (b > 0). */
int64_t cad_floor_div(int64_t a, int64_t b);
/* The day of y-m-d (m 1-12, d 1-31). */
int64_t cad_days_from_civil(int64_t y, int m, int d);
/* The date of a day. */
void cad_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int cad_is_leap(int64_t y);
/* The days of month m (1-12) of year y. */
int cad_month_days(int64_t y, int m);
/* 0 Sunday - 6 Saturday. */
int cad_weekday(int64_t days);

#endif
