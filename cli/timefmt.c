/* SPDX-License-Identifier: MIT */
/* Times on the command line (timefmt.h). */
#include "timefmt.h"

#include "util/civil.h"

#include <stdio.h>
#include <string.h>

void cli_time_civil(char *buf, size_t size, int64_t t, char sep)
{
	int64_t days = cad_floor_div(t, 86400), y;
	int64_t s = t - days * 86400;
	int m, d;
	cad_civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02d-%02d%c%02lld:%02lld:%02lld", (long long)y, m, d, sep,
		 (long long)(s / 3600), (long long)(s / 60 % 60), (long long)(s % 60));
}

/* Reads n digits at *p; -1 when they are not there. */
static long digits(const char **p, int n)
{
	long v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

int cli_time_parse(const char *s, int64_t *out)
{
	const char *p = s;
	long y = digits(&p, 4), mo, d, h, mi, sec = 0, oh = 0, om = 0;
	int sign = 0;
	if (y < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 1 || mo > 12 || *p++ != '-' ||
	    (d = digits(&p, 2)) < 1 || d > 31 || !strchr("Tt ", *p) || !*p++ ||
	    (h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' || (mi = digits(&p, 2)) < 0 || mi > 59)
		return -1;
	if (*p == ':' && (p++, (sec = digits(&p, 2)) < 0 || sec > 60))
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((oh = digits(&p, 2)) < 0 || oh > 23 || *p++ != ':' ||
		    (om = digits(&p, 2)) < 0 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	if (d > cad_month_days(y, (int)mo))
		return -1;
	*out = cad_days_from_civil(y, (int)mo, (int)d) * 86400 + h * 3600 + mi * 60 +
	       (sec > 59 ? 59 : sec) - sign * (oh * 3600 + om * 60);
	return 0;
}
