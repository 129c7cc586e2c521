/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: schedules' cron expressions (lib/src/sched/cron.c;
 * docs/format.md, "schedule").
 *
 * The input is an expression.  One that does not parse gets a message and
 * a help, and its error's bytes lie inside it.  One that parses fires iff
 * cad_cron_can_fire() says it can: then each of five fire times in UTC
 * comes strictly after the one before, matches every field (its minute,
 * hour, month, and its day by the OR/AND rule), and no earlier minute after
 * the one before it matches (checked minute by minute over a day); the
 * same holds in Europe/Berlin, where the times go forward through the
 * daylight-saving changes, when the tzdata has it.
 */
#include "fuzz.h"

#include "sched/cron.h"
#include "util/civil.h"

#include <stdlib.h>
#include <string.h>

#define YEAR ((int64_t)366 * 86400)

static const cad_tz *utc, *berlin;

static void zones(void)
{
	static cad_tz *u, *b;
	static int done;
	if (done)
		return;
	done = 1;
	FUZZ_ASSERT(cad_tz_load(&u, "UTC", NULL) == 0);
	utc = u;
	if (cad_tz_load(&b, "Europe/Berlin", NULL) == 0)	/* no tzdata: UTC alone */
		berlin = b;
}

/* Whether the local time t (seconds, as if UTC) matches every field. */
static int matches(const cad_cron *c, int64_t t)
{
	int64_t days = cad_floor_div(t, 86400), y, s = t - days * 86400;
	int m, d;
	cad_civil_from_days(days, &y, &m, &d);
	int w = cad_weekday(days);
	int dom = (c->mdays >> d) & 1, dow = (c->wdays >> w) & 1;
	int day = c->mday_star || c->wday_star ? dom && dow : dom || dow;
	return s % 60 == 0 && ((c->minutes >> (s / 60 % 60)) & 1) && ((c->hours >> (s / 3600)) & 1) &&
	       ((c->months >> m) & 1) && day;
}

static void times(const cad_cron *c, const cad_tz *tz)
{
	int64_t t = 1767225600;	/* 2026-01-01T00:00:00Z */
	int fires = cad_cron_can_fire(c);
	for (int i = 0; i < 5; i++) {
		int64_t next;
		int rc = cad_cron_next(c, tz, t, 8 * YEAR, &next);
		if (!fires) {
			FUZZ_ASSERT(rc == -1);
			return;
		}
		if (rc)		/* far apart (Feb 29 on a weekday): within 8 years */
			return;
		FUZZ_ASSERT(next > t);
		/* in a zone, a time in a skipped hour fires at the jump, which
		 * need not match: the fields are checked in UTC */
		if (tz == utc) {
			FUZZ_ASSERT(matches(c, next));
			for (int64_t m = t - t % 60 + 60; m < next && m < t + 86400; m += 60)
				FUZZ_ASSERT(!matches(c, m));
		}
		t = next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	FUZZ_ASSERT(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	size_t len = strlen(text);	/* up to a NUL in the input */
	cad_cron c;
	cad_cron_error err;
	zones();
	if (cad_cron_parse(&c, text, &err)) {
		FUZZ_ASSERT(err.message[0] != '\0');
		FUZZ_ASSERT(memchr(err.message, '\0', sizeof(err.message)) != NULL);
		FUZZ_ASSERT(memchr(err.help, '\0', sizeof(err.help)) != NULL);
		FUZZ_ASSERT(err.offset <= len && err.length <= len - err.offset);
	} else {
		times(&c, utc);
		if (berlin)
			times(&c, berlin);
	}
	free(text);
	return 0;
}
