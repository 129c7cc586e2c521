/* SPDX-License-Identifier: MIT */
/* Times on the command line: RFC 3339 in, civil times out. */
#ifndef CADENCE_CLI_TIMEFMT_H
#define CADENCE_CLI_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2026-03-29T01:30:00" (sep between date and time) of Unix seconds t,
 * read as UTC: add an offset first for a local time. */
void cli_time_civil(char *buf, size_t size, int64_t t, char sep);

/* RFC 3339: YYYY-MM-DDTHH:MM[:SS[.frac]](Z|+HH:MM|-HH:MM); 't', ' ' and
 * 'z' as well.  0 and Unix seconds in *out, or -1. */
int cli_time_parse(const char *s, int64_t *out);

#endif
