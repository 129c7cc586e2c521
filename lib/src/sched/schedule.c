/* SPDX-License-Identifier: MIT */
/* cadence/schedule.h over sched/cron.h and sched/tz.h. */
#include "cadence/schedule.h"
#include "model/model.h"
#include "sched/cron.h"
#include "sched/tz.h"
#include "util/api.h"

#include <stdlib.h>
#include <string.h>

/* the public enums are the model's, value for value */
_Static_assert((int)CADENCE_OVERLAP_ALLOW == (int)CAD_OVERLAP_ALLOW, "overlap");
_Static_assert((int)CADENCE_CATCH_UP_ALL == (int)CAD_CATCH_UP_ALL, "catch_up");

/* eight years: every weekday of every date, leap years included */
#define HORIZON ((int64_t)8 * 366 * 24 * 3600)

struct cadence_schedule {
	cad_cron cron;
	cad_tz *tz;
	char *text;
	char *score;		/* JSON text or NULL */
	int enabled;
	cadence_overlap overlap;
	cadence_catch_up catch_up;
	unsigned catch_up_max;
	int64_t jitter_ms;
};

void cadence_schedule_free(cadence_schedule *s)
{
	if (!s)
		return;
	cad_tz_free(s->tz);
	free(s->text);
	free(s->score);
	free(s);
}

int cadence_schedule_open(cadence_schedule **out, const cadence_def *def, cadence_run_error *err)
{
	const cad_schedule *sc = &def->schedule;
	cad_cron_error ce;
	strbuf why = STRBUF_INIT;
	*out = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (!sc->present || !sc->cron.src)
		return cad_err_set(err, CADENCE_ENOTFOUND, "cadence '%s' has no schedule",
				   def->name.name);
	cadence_schedule *s = calloc(1, sizeof(*s));
	if (!s || !(s->text = strdup(sc->cron.src))) {
		cadence_schedule_free(s);
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	}
	s->enabled = sc->enabled;
	s->overlap = (cadence_overlap)sc->overlap;
	s->catch_up = (cadence_catch_up)sc->catch_up;
	s->catch_up_max = (unsigned)sc->catch_up_max;
	s->jitter_ms = sc->jitter_ms;
	if (sc->score && !(s->score = cJSON_PrintUnformatted(sc->score))) {
		cadence_schedule_free(s);
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	}
	int rc = 0;
	if (cad_cron_parse(&s->cron, sc->cron.src, &ce))
		rc = cad_err_set(err, CADENCE_EINVALID, "cron '%s': %s", sc->cron.src, ce.message);
	else if (!cad_cron_can_fire(&s->cron))
		rc = cad_err_set(err, CADENCE_EINVALID, "cron '%s' never fires", sc->cron.src);
	else if ((rc = cad_tz_load(&s->tz, sc->timezone ? sc->timezone : "UTC", &why)))
		rc = cad_err_set(err, rc == CADENCE_ENOMEM ? rc : CADENCE_EINVALID, "%s",
				 cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory");
	cad_strbuf_free(&why);
	if (rc) {
		cadence_schedule_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

const char *cadence_schedule_cron(const cadence_schedule *s) { return s->text; }
const char *cadence_schedule_timezone(const cadence_schedule *s) { return cad_tz_name(s->tz); }
int cadence_schedule_enabled(const cadence_schedule *s) { return s->enabled; }
cadence_overlap cadence_schedule_overlap(const cadence_schedule *s) { return s->overlap; }
int64_t cadence_schedule_jitter_ms(const cadence_schedule *s) { return s->jitter_ms; }
const char *cadence_schedule_score(const cadence_schedule *s) { return s->score; }

cadence_catch_up cadence_schedule_catch_up(const cadence_schedule *s, unsigned *max)
{
	if (max)
		*max = s->catch_up_max;
	return s->catch_up;
}

int cadence_schedule_next(const cadence_schedule *s, int64_t after, int64_t *next)
{
	return cad_cron_next(&s->cron, s->tz, after, HORIZON, next) ? CADENCE_ENOTFOUND : 0;
}

int32_t cadence_schedule_utc_offset(const cadence_schedule *s, int64_t t, const char **abbr)
{
	return cad_tz_offset(s->tz, t, abbr);
}
