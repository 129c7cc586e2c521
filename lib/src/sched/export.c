/* SPDX-License-Identifier: MIT */
/*
 * cadence/schedule_export.h: a schedule as systemd OnCalendar= values or
 * crontab fields, from the parsed fields (sched/cron.h), so that names,
 * ranges, steps, 7 for Sunday and the macros are already resolved.
 */
#include "cadence/schedule_export.h"
#include "model/model.h"
#include "sched/cron.h"
#include "sched/tz.h"
#include "util/api.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The zones are looked at over eight years from `now`: whether one has a
 * single offset, daily (a period of daylight saving lasts weeks); whether
 * two have the same offsets, every half hour (offsets change on the hour
 * or the half hour, and two zones may change on the same day at different
 * hours). */
#define SPAN ((int64_t)8 * 366 * 86400)
#define DAY ((int64_t)86400)
#define STEP ((int64_t)1800)

void cadence_schedule_export_free(cadence_schedule_export *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nlines; i++)
		free(x->lines[i]);
	free(x->lines);
	free(x->note);
	free(x);
}

static int add_line(cadence_schedule_export *x, strbuf *sb)
{
	char **l = realloc(x->lines, (x->nlines + 1) * sizeof(*l));
	if (!l)
		return -1;
	x->lines = l;
	if (!(l[x->nlines] = cad_strbuf_detach(sb)))
		return -1;
	x->nlines++;
	return 0;
}

static int bit(uint64_t bits, int i) { return (int)((bits >> i) & 1); }

static int all_set(uint64_t bits, int lo, int hi)
{
	for (int i = lo; i <= hi; i++)
		if (!bit(bits, i))
			return 0;
	return 1;
}

/* {a, a+s, ...} up to hi with s >= 2 and three values or more: *a, *s. */
static int progression(uint64_t bits, int lo, int hi, int *a, int *s)
{
	int first = -1, second = -1, n = 0;
	for (int i = lo; i <= hi; i++) {
		if (!bit(bits, i))
			continue;
		if (first < 0)
			first = i;
		else if (second < 0)
			second = i;
		n++;
	}
	if (n < 3 || second - first < 2)
		return 0;
	for (int i = lo; i <= hi; i++)
		if (bit(bits, i) != (i >= first && (i - first) % (second - first) == 0))
			return 0;
	*a = first;
	*s = second - first;
	return 1;
}

/* A set of values: `*`, a step, or a list of values and ranges; `range`
 * is ".." (systemd) or "-" (cron), `step` allows a/s. */
static void add_set(strbuf *sb, uint64_t bits, int lo, int hi, const char *fmt,
		    const char *range, int step)
{
	int a, s;
	if (all_set(bits, lo, hi)) {
		cad_strbuf_addc(sb, '*');
		return;
	}
	if (step && progression(bits, lo, hi, &a, &s)) {
		cad_strbuf_addf(sb, fmt, a);
		cad_strbuf_addf(sb, "/%d", s);
		return;
	}
	int sep = 0;
	for (int i = lo; i <= hi; i++) {
		if (!bit(bits, i))
			continue;
		int j = i;
		while (j + 1 <= hi && bit(bits, j + 1))
			j++;
		if (sep)
			cad_strbuf_addc(sb, ',');
		sep = 1;
		cad_strbuf_addf(sb, fmt, i);
		if (j >= i + 2) {
			cad_strbuf_adds(sb, range);
			cad_strbuf_addf(sb, fmt, j);
			i = j;
		}
	}
}

/* systemd's weekdays, Monday first (its week), in runs: Mon..Fri,Sun. */
static void add_weekdays(strbuf *sb, unsigned wdays)
{
	static const char *const names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	unsigned mf = 0;	/* bit i: names[i] */
	for (int i = 0; i < 7; i++)
		if ((wdays >> ((i + 1) % 7)) & 1)
			mf |= 1u << i;
	int sep = 0;
	for (int i = 0; i < 7; i++) {
		if (!((mf >> i) & 1))
			continue;
		int j = i;
		while (j + 1 < 7 && ((mf >> (j + 1)) & 1))
			j++;
		cad_strbuf_adds(sb, sep ? "," : "");
		sep = 1;
		cad_strbuf_adds(sb, names[i]);
		if (j > i) {
			cad_strbuf_addf(sb, "%s%s", j == i + 1 ? "," : "..", names[j]);
			i = j;
		}
	}
}

/* One OnCalendar= value: the times of c on the days allowed by its
 * day-of-month (dom) and day-of-week (dow) sets, both when both given. */
static int calendar_value(cadence_schedule_export *x, const cad_cron *c, int dom, int dow,
			  const char *zone)
{
	strbuf sb = STRBUF_INIT;
	if (dow && (c->wdays & 0x7f) != 0x7f) {
		add_weekdays(&sb, c->wdays);
		cad_strbuf_addc(&sb, ' ');
	}
	cad_strbuf_adds(&sb, "*-");
	add_set(&sb, c->months, 1, 12, "%02d", "..", 1);
	cad_strbuf_addc(&sb, '-');
	if (dom)
		add_set(&sb, c->mdays, 1, 31, "%02d", "..", 1);
	else
		cad_strbuf_addc(&sb, '*');
	cad_strbuf_addc(&sb, ' ');
	add_set(&sb, c->hours, 0, 23, "%02d", "..", 1);
	cad_strbuf_addc(&sb, ':');
	add_set(&sb, c->minutes, 0, 59, "%02d", "..", 1);
	cad_strbuf_addf(&sb, ":00 %s", zone);
	if (add_line(x, &sb)) {
		cad_strbuf_free(&sb);
		return -1;
	}
	return 0;
}

/* The parsed expression and zone of def's schedule, as
 * cadence_schedule_open() checks them. */
static int open_parts(const cadence_def *def, cad_cron *c, cad_tz **tz, cadence_run_error *err)
{
	const cad_schedule *sc = &def->schedule;
	cad_cron_error ce;
	strbuf why = STRBUF_INIT;
	int rc;
	*tz = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (!sc->present || !sc->cron.src)
		return cad_err_set(err, CADENCE_ENOTFOUND, "cadence '%s' has no schedule",
				   def->name.name);
	if (cad_cron_parse(c, sc->cron.src, &ce))
		return cad_err_set(err, CADENCE_EINVALID, "cron '%s': %s", sc->cron.src, ce.message);
	if (!cad_cron_can_fire(c))
		return cad_err_set(err, CADENCE_EINVALID, "cron '%s' never fires", sc->cron.src);
	if ((rc = cad_tz_load(tz, sc->timezone ? sc->timezone : "UTC", &why)))
		rc = cad_err_set(err, rc == CADENCE_ENOMEM ? rc : CADENCE_EINVALID, "%s",
				 cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory");
	cad_strbuf_free(&why);
	return rc;
}

static int fixed_offset(const cad_tz *tz, int64_t now)
{
	int32_t off = cad_tz_offset(tz, now, NULL);
	for (int64_t t = now; t < now + SPAN; t += DAY)
		if (cad_tz_offset(tz, t, NULL) != off)
			return 0;
	return 1;
}

static int same_offsets(const cad_tz *a, const cad_tz *b, int64_t now)
{
	for (int64_t t = now; t < now + SPAN; t += STEP)
		if (cad_tz_offset(a, t, NULL) != cad_tz_offset(b, t, NULL))
			return 0;
	return 1;
}

static cadence_schedule_export *new_export(const cadence_def *def)
{
	cadence_schedule_export *x = calloc(1, sizeof(*x));
	if (x) {
		x->jitter_ms = def->schedule.jitter_ms;
		x->catch_up = def->schedule.catch_up != CAD_CATCH_UP_NONE;
	}
	return x;
}

int cadence_schedule_export_systemd(cadence_schedule_export **out, const cadence_def *def,
				    int64_t now, cadence_run_error *err)
{
	cad_cron c;
	cad_tz *tz;
	*out = NULL;
	int rc = open_parts(def, &c, &tz, err);
	if (rc)
		return rc;
	cadence_schedule_export *x = new_export(def);
	const char *zone = cad_tz_name(tz);
	int dom_all = all_set(c.mdays, 1, 31), dow_all = (c.wdays & 0x7f) == 0x7f;
	if (!x) {
		rc = -1;
	} else if (c.mday_star || c.wday_star) {
		rc = calendar_value(x, &c, 1, 1, zone);	/* ANDed, as systemd does */
	} else if (dom_all || dow_all) {
		rc = calendar_value(x, &c, 0, 0, zone);	/* ORed with every day */
	} else {
		/* ORed: one value a side; systemd fires at the union */
		rc = calendar_value(x, &c, 1, 0, zone);
		if (!rc)
			rc = calendar_value(x, &c, 0, 1, zone);
	}
	if (x)
		x->zone_changes = !fixed_offset(tz, now);
	cad_tz_free(tz);
	if (rc) {
		cadence_schedule_export_free(x);
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	}
	*out = x;
	return 0;
}

/* ---- cron ---- */

/* A cron field of the values in bits, in the syntax every cron reads
 * (numbers, a-b, a step of `*`, lists; not cadence's a/s, names, or sun
 * as 7 at a range's end, which Debian's cron refuses).  `star`: the field must
 * begin with `*` (1), must not (0: a day field whose `*` would change
 * how the day fields combine), or either (-1). */
static void cron_field(strbuf *sb, uint64_t bits, int lo, int hi, int star)
{
	int s = 1;
	if (star != 0) {
		/* the smallest step from lo that the values hold throughout */
		for (; s <= hi - lo + 1; s++) {
			int all = 1;
			for (int v = lo; v <= hi && all; v += s)
				all = bit(bits, v);
			if (all)
				break;
		}
		uint64_t prog = 0;
		for (int v = lo; v <= hi; v += s)
			prog |= (uint64_t)1 << v;
		/* a step when it must be, or when it is the whole field and
		 * gives two values or more */
		if (star == 1 ? s <= hi - lo + 1 : s <= hi - lo && prog == bits) {
			cad_strbuf_adds(sb, "*");
			if (s > 1)
				cad_strbuf_addf(sb, "/%d", s);
			if ((bits &= ~prog) == 0)
				return;
			cad_strbuf_addc(sb, ',');
		}
	}
	int sep = 0;
	for (int i = lo; i <= hi; i++) {
		if (!bit(bits, i))
			continue;
		int j = i;
		while (j + 1 <= hi && bit(bits, j + 1))
			j++;
		cad_strbuf_addf(sb, sep ? ",%d" : "%d", i);
		sep = 1;
		if (j >= i + 2) {
			cad_strbuf_addf(sb, "-%d", j);
			i = j;
		}
	}
}

/* The day-of-month, month and day-of-week fields, each beginning with `*`
 * as the expression's did (so that they combine as its did). */
static void day_fields(strbuf *sb, const cad_cron *c, uint64_t mdays, unsigned wdays)
{
	cron_field(sb, mdays, 1, 31, c->mday_star);
	cad_strbuf_addc(sb, ' ');
	cron_field(sb, c->months, 1, 12, -1);
	cad_strbuf_addc(sb, ' ');
	cron_field(sb, wdays & 0x7f, 0, 6, c->wday_star);
}

/* The macro the expression is (lower case: Debian's cron reads no other),
 * or NULL. */
static const char *macro_of(const char *text, char buf[16])
{
	size_t n = 0;
	while (*text == ' ' || *text == '\t')
		text++;
	if (*text != '@')
		return NULL;
	for (; text[n] && text[n] != ' ' && text[n] != '\t' && n < 15; n++)
		buf[n] = (char)tolower((unsigned char)text[n]);
	buf[n] = '\0';
	return buf;
}

/* Times shifted by `delta` minutes: for each day carry (-1, 0, +1) and
 * each hour, the minutes. */
typedef struct shifted {
	uint64_t minutes[3][24];
} shifted;

/* Whether the expression allows every day: then a time that crosses
 * midnight stays on an allowed day, and no day field moves. */
static int every_day(const cad_cron *c)
{
	int dom_all = all_set(c->mdays, 1, 31), dow_all = (c->wdays & 0x7f) == 0x7f;
	if (!all_set(c->months, 1, 12))
		return 0;
	return c->mday_star || c->wday_star ? dom_all && dow_all : dom_all || dow_all;
}

static void shift_times(const cad_cron *c, int delta, shifted *s)
{
	int keep_day = every_day(c);
	memset(s, 0, sizeof(*s));
	for (int h = 0; h < 24; h++)
		for (int m = 0; m < 60; m++) {
			if (!bit(c->hours, h) || !bit(c->minutes, m))
				continue;
			int t = h * 60 + m + delta;
			int carry = t < 0 ? -1 : t >= 1440 ? 1 : 0;
			t -= carry * 1440;
			if (keep_day)
				carry = 0;
			s->minutes[carry + 1][t / 60] |= (uint64_t)1 << (t % 60);
		}
}

/* The day fields moved by `carry` days, into sb; or the reason they cannot
 * be written (a static string). */
static const char *shift_days(const cad_cron *c, int carry, strbuf *sb)
{
	int dom_all = all_set(c->mdays, 1, 31), dow_all = (c->wdays & 0x7f) == 0x7f;
	int anded = c->mday_star || c->wday_star;
	int use_dom = anded ? !dom_all : !(dom_all || dow_all);
	int use_dow = anded ? !dow_all : !(dom_all || dow_all);
	if (!all_set(c->months, 1, 12))
		return "the months are restricted, and moving a time across midnight moves some "
		       "days into another month";
	if (anded && use_dom && use_dow)
		return "the day of month and the day of week are both restricted and ANDed, "
		       "which cron cannot write once shifted";
	uint64_t mdays = 0;
	if (use_dom)
		for (int d = 1; d <= 31; d++) {
			if (!bit(c->mdays, d))
				continue;
			/* d and the day it moves to are in the same month only
			 * when both exist in every month (28 days) */
			if ((carry > 0 && d > 27) || (carry < 0 && (d == 1 || d > 28)))
				return carry > 0 ? "a day from the 28th on has no next day in every month"
				       : d == 1 ? "the 1st of a month has no day before it in cron"
						: "a day after the 28th is not in every month, the day "
						  "before it is";
			mdays |= (uint64_t)1 << (d + carry);
		}
	unsigned wdays = 0;
	if (use_dow)
		for (int w = 0; w < 7; w++)
			if ((c->wdays >> w) & 1)
				wdays |= 1u << ((w + carry + 7) % 7);
	if (use_dom)
		cron_field(sb, mdays, 1, 31, 0);
	else
		cad_strbuf_addc(sb, '*');
	cad_strbuf_adds(sb, " * ");
	if (use_dow)
		cron_field(sb, wdays, 0, 6, 0);
	else
		cad_strbuf_addc(sb, '*');
	return NULL;
}

/* The lines of c shifted by delta minutes, grouped: the hours whose
 * minutes (and day carry) are the same make one line.  NULL, or why they
 * cannot be written. */
static const char *shifted_lines(cadence_schedule_export *x, const cad_cron *c, int delta,
				 int *nomem)
{
	shifted s;
	shift_times(c, delta, &s);
	for (int k = 0; k < 3; k++) {
		uint32_t done = 0;
		for (int h = 0; h < 24; h++) {
			uint64_t mins = s.minutes[k][h];
			if (!mins || ((done >> h) & 1))
				continue;
			uint32_t hours = 0;
			for (int g = h; g < 24; g++)
				if (s.minutes[k][g] == mins)
					hours |= 1u << g;
			done |= hours;
			strbuf sb = STRBUF_INIT;
			cron_field(&sb, mins, 0, 59, -1);
			cad_strbuf_addc(&sb, ' ');
			cron_field(&sb, hours, 0, 23, -1);
			cad_strbuf_addc(&sb, ' ');
			const char *why = NULL;
			if (k == 1)
				day_fields(&sb, c, c->mdays, c->wdays);
			else
				why = shift_days(c, k - 1, &sb);
			if (why || add_line(x, &sb)) {
				cad_strbuf_free(&sb);
				*nomem = !why;
				return why ? why : "out of memory";
			}
		}
	}
	return NULL;
}

static void clear_lines(cadence_schedule_export *x)
{
	for (size_t i = 0; i < x->nlines; i++)
		free(x->lines[i]);
	x->nlines = 0;
}

/* The expression's own times (a macro as itself), with `note` when it is
 * not empty: why they are not moved into cron's zone. */
static int as_written(cadence_schedule_export *x, const cad_cron *c, const char *text,
		      strbuf *note)
{
	strbuf sb = STRBUF_INIT;
	char buf[16];
	const char *macro = macro_of(text, buf);
	clear_lines(x);
	x->shift = 0;
	if (macro) {
		cad_strbuf_adds(&sb, macro);
	} else {
		cron_field(&sb, c->minutes, 0, 59, -1);
		cad_strbuf_addc(&sb, ' ');
		cron_field(&sb, c->hours, 0, 23, -1);
		cad_strbuf_addc(&sb, ' ');
		day_fields(&sb, c, c->mdays, c->wdays);
	}
	if (add_line(x, &sb) || (note->len && !(x->note = cad_strbuf_detach(note)))) {
		cad_strbuf_free(&sb);
		return -1;
	}
	return 0;
}

static int cron_lines(cadence_schedule_export *x, const cad_cron *c, const cad_tz *tz,
		      const char *text, const char *cron_zone, int64_t now)
{
	strbuf note = STRBUF_INIT, why = STRBUF_INIT;
	cad_tz *mz = NULL;
	const char *zone = cad_tz_name(tz);
	int rc = 0;
	if (!cron_zone) {
		cad_strbuf_addf(&note, "the machine's time zone is not known: cron reads these "
				"fields in it, not in %s", zone);
	} else if (cad_tz_load(&mz, cron_zone, &why)) {
		cad_strbuf_addf(&note, "the machine's time zone '%s' cannot be read (%s): cron "
				"reads these fields in it, not in %s", cron_zone,
				cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory", zone);
	} else if (same_offsets(tz, mz, now)) {
		/* as written, no note */
	} else if (!fixed_offset(tz, now) || !fixed_offset(mz, now)) {
		cad_strbuf_addf(&note, "cron has no time zone of its own: it reads these fields in "
				"the machine's zone (%s), not in %s, and their offsets differ by "
				"daylight saving", cron_zone, zone);
	} else {
		int32_t shift = cad_tz_offset(mz, now, NULL) - cad_tz_offset(tz, now, NULL);
		int nomem = 0;
		const char *no = shift % 60 ? "the zones differ by a part of a minute"
			     : shift <= -86400 || shift >= 86400 ? "the zones are a day or more apart"
			     : shifted_lines(x, c, shift / 60, &nomem);
		if (!no) {
			x->shift = shift;
			goto done;
		}
		if (nomem) {
			rc = -1;
			goto done;
		}
		cad_strbuf_addf(&note, "cron has no time zone of its own, and %s's times moved "
				"by %+d minutes into %s cannot be written in cron (%s): these "
				"fields are %s's times, read by cron in %s", zone, (int)(shift / 60),
				cron_zone, no, zone, cron_zone);
	}
	rc = as_written(x, c, text, &note);
done:
	cad_strbuf_free(&note);
	cad_strbuf_free(&why);
	cad_tz_free(mz);
	return rc;
}

int cadence_schedule_export_cron(cadence_schedule_export **out, const cadence_def *def,
				 const char *cron_zone, int64_t now, cadence_run_error *err)
{
	cad_cron c;
	cad_tz *tz;
	*out = NULL;
	int rc = open_parts(def, &c, &tz, err);
	if (rc)
		return rc;
	cadence_schedule_export *x = new_export(def);
	if (x) {
		x->zone_changes = !fixed_offset(tz, now);
		rc = cron_lines(x, &c, tz, def->schedule.cron.src, cron_zone, now);
	}
	cad_tz_free(tz);
	if (!x || rc) {
		cadence_schedule_export_free(x);
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	}
	*out = x;
	return 0;
}
