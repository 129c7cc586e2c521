/* SPDX-License-Identifier: MIT */
/* A cadence's schedule (docs/format.md, "schedule"): its cron expression
 * (diagnosed at the column of the problem), whether it can ever fire, and
 * its time zone.  The score's keys and types are checked with the file's
 * structure (format/structure.c), catch_up_max with the policies. */
#include "check/check_int.h"
#include "sched/cron.h"
#include "sched/tz.h"

#include <string.h>

static void cron_problem(check_ctx *c, const cad_schedule *s, const cad_cron_error *e)
{
	/* the column of a byte offset: columns count code points */
	const char *src = s->cron.src;
	unsigned column = 1, width = 0;
	for (size_t i = 0; i < e->offset && src[i]; i++)
		column += ((unsigned char)src[i] & 0xC0) != 0x80;
	for (size_t i = e->offset; i < e->offset + e->length && src[i]; i++)
		width += ((unsigned char)src[i] & 0xC0) != 0x80;
	int exact;
	cad_loc loc = cad_check_inside(c, &s->cron, column, width, &exact);
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "schedule-cron", loc, e->help[0] ? e->help : NULL,
		     "%s", e->message);
}

static void zone(check_ctx *c, const cad_schedule *s)
{
	cad_tz *tz = NULL;
	strbuf why = STRBUF_INIT;
	int rc = cad_tz_load(&tz, s->timezone, &why);
	if (rc == CADENCE_ENOMEM)
		c->oom = 1;
	else if (rc)
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "schedule-timezone", s->timezone_loc,
			     "use an IANA zone name such as 'Europe/Berlin' or 'America/New_York' "
			     "(the files under /usr/share/zoneinfo), or remove it for UTC",
			     "%s", cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory");
	cad_strbuf_free(&why);
	cad_tz_free(tz);
}

void cad_check_schedule(check_ctx *c)
{
	const cad_schedule *s = &c->def->schedule;
	cad_cron cron;
	cad_cron_error e;
	if (!s->present || !s->cron.src)
		return;
	if (cad_cron_parse(&cron, s->cron.src, &e))
		cron_problem(c, s, &e);
	else if (!cad_cron_can_fire(&cron))
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "schedule-never", s->cron.loc,
			     "check the day of month against the months (February has 29 days at "
			     "most, April, June, September and November 30)",
			     "cron '%s' never fires: no month it names has the day of month it names",
			     s->cron.src);
	if (s->timezone)
		zone(c, s);
}
