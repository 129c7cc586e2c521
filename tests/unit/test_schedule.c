/* SPDX-License-Identifier: MIT */
/* cadence/schedule.h and cadence_builder_schedule(): a schedule built in
 * code opens, gives its fire times, and refuses what a file's check would
 * (docs/format.md, "schedule"). */
#include <cadence/cadence.h>
#include <criterion/criterion.h>

#include <string.h>

static cadence_def *built(const char *cron, const char *zone)
{
	cadence_builder *b = NULL;
	cadence_def *def = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_new(&b, "nightly"), 0);
	cadence_builder_set(b, "sweep", "n", "1");
	cadence_builder_field(b, "n", "integer", NULL, 0);
	cadence_builder_then(b, "sweep", NULL);
	if (cron)
		cadence_builder_schedule(b, cron, zone, NULL, NULL, 0, 0, NULL);
	cr_assert_eq(cadence_builder_finish(&def, b, &err), 0, "%s", err.message);
	cadence_builder_free(b);
	return def;
}

Test(schedule, a_built_schedule_gives_its_times)
{
	cadence_def *def = built("0 12 * * mon", "Europe/Berlin");
	cadence_schedule *s = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_schedule_open(&s, def, &err), 0, "%s", err.message);
	cadence_def_free(def);	/* the schedule keeps what it needs */
	cr_assert_str_eq(cadence_schedule_cron(s), "0 12 * * mon");
	cr_assert_str_eq(cadence_schedule_timezone(s), "Europe/Berlin");
	cr_assert_eq(cadence_schedule_enabled(s), 1);
	int64_t t = 1772323200;	/* 2026-03-01T00:00:00Z, a Sunday */
	cr_assert_eq(cadence_schedule_next(s, t, &t), 0);
	cr_assert_eq(t, 1772449200);	/* Monday 2026-03-02 12:00 CET = 11:00Z */
	cr_assert_eq(cadence_schedule_next(s, t, &t), 0);
	cr_assert_eq(t, 1772449200 + 7 * 86400);
	const char *abbr = NULL;
	cr_assert_eq(cadence_schedule_utc_offset(s, t, &abbr), 3600);
	cr_assert_str_eq(abbr, "CET");
	cadence_schedule_free(s);
}

Test(schedule, a_cadence_without_one_is_not_found)
{
	cadence_def *def = built(NULL, NULL);
	cadence_schedule *s = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_schedule_open(&s, def, &err), CADENCE_ENOTFOUND);
	cr_assert_null(s);
	cr_assert(strstr(err.message, "has no schedule"), "%s", err.message);
	cadence_run_error_clear(&err);
	cadence_def_free(def);
}

Test(schedule, a_bad_one_does_not_open_and_check_reports_it)
{
	static const struct { const char *cron, *zone, *says, *rule; } cases[] = {
		{ "0 25 * * *", NULL, "hour 25 is out of range 0-23", "schedule-cron" },
		{ "0 0 30 2 *", NULL, "never fires", "schedule-never" },
		{ "@daily", "Nowhere/Atlantis", "no time zone 'Nowhere/Atlantis'", "schedule-timezone" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cadence_def *def = built(cases[i].cron, cases[i].zone);
		cadence_schedule *s = NULL;
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		cr_assert_eq(cadence_schedule_open(&s, def, &err), CADENCE_EINVALID, "%s",
			     cases[i].cron);
		cr_assert(strstr(err.message, cases[i].says), "%s", err.message);
		cadence_run_error_clear(&err);
		cadence_diags *d = NULL;
		cr_assert_eq(cadence_diags_new(&d), 0);
		cadence_check(def, NULL, NULL, d);
		cr_assert_eq(cadence_diags_count(d), 1, "%s: %zu diagnostics, the first %s: %s",
			     cases[i].cron, cadence_diags_count(d),
			     cadence_diags_count(d) ? cadence_diags_get(d, 0)->rule : "-",
			     cadence_diags_count(d) ? cadence_diags_get(d, 0)->message : "-");
		cr_assert_str_eq(cadence_diags_get(d, 0)->rule, cases[i].rule);
		cadence_diags_free(d);
		cadence_def_free(def);
	}
}

Test(schedule, the_builder_refuses_bad_settings)
{
	cadence_builder *b = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cadence_def *def = NULL;
	cr_assert_eq(cadence_builder_new(&b, "nightly"), 0);
	cr_assert_eq(cadence_builder_schedule(b, "@daily", NULL, "sometimes", NULL, 0, 0, NULL),
		     CADENCE_EINVAL);
	cr_assert_neq(cadence_builder_finish(&def, b, &err), 0);
	cr_assert(strstr(err.message, "unknown overlap 'sometimes'"), "%s", err.message);
	cadence_run_error_clear(&err);
	cadence_builder_free(b);
	cr_assert_eq(cadence_builder_new(&b, "nightly"), 0);
	cr_assert_eq(cadence_builder_schedule(b, "@daily", NULL, NULL, "all", 1001, 0, NULL),
		     CADENCE_EINVAL);
	cadence_builder_free(b);
	cr_assert_eq(cadence_builder_new(&b, "nightly"), 0);
	cr_assert_eq(cadence_builder_schedule(b, "@daily", NULL, NULL, NULL, 0, 0, NULL), 0);
	cr_assert_eq(cadence_builder_schedule(b, "@hourly", NULL, NULL, NULL, 0, 0, NULL),
		     CADENCE_EINVAL);
	cadence_builder_free(b);
}

/* ---- cadence_schedule_due(): the clock is a parameter ------------------ */

#define HOUR 3600
#define T0 1772323200	/* 2026-03-01T00:00:00Z */

static cadence_schedule *policy(const char *cron, const char *zone, const char *catch_up,
				unsigned max, int64_t jitter_ms)
{
	cadence_builder *b = NULL;
	cadence_def *def = NULL;
	cadence_schedule *s = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_new(&b, "nightly"), 0);
	cadence_builder_set(b, "sweep", "n", "1");
	cadence_builder_field(b, "n", "integer", NULL, 0);
	cadence_builder_then(b, "sweep", NULL);
	cr_assert_eq(cadence_builder_schedule(b, cron, zone, NULL, catch_up, max, jitter_ms,
					      NULL), 0);
	cr_assert_eq(cadence_builder_finish(&def, b, &err), 0, "%s", err.message);
	cadence_builder_free(b);
	cr_assert_eq(cadence_schedule_open(&s, def, &err), 0, "%s", err.message);
	cadence_def_free(def);
	return s;
}

/* "R" for a time that runs, "M" for one missed, in order, and the reason
 * of the first missed one */
static void expect_due(const cadence_schedule *s, int64_t last, int64_t now, const char *want,
		       size_t older, const char *reason)
{
	cadence_due d;
	char got[64] = "";
	cr_assert_eq(cadence_schedule_due(s, last, now, &d), 0);
	for (size_t i = 0; i < d.count && i < sizeof(got) - 1; i++) {
		got[i] = d.times[i].missed ? 'M' : 'R';
		if (d.times[i].missed && reason)
			cr_expect_str_eq(d.times[i].missed, reason);
		if (i)
			cr_expect_lt(d.times[i - 1].fire, d.times[i].fire);
	}
	cr_expect_str_eq(got, want);
	cr_expect_eq(d.older_missed, older);
	cr_expect_eq(d.last, d.count ? d.times[d.count - 1].fire : -1);
	cadence_due_free(&d);
}

Test(due, on_time_every_policy_runs_the_time)
{
	const char *const policies[] = { "none", "latest", "all" };
	for (int i = 0; i < 3; i++) {
		cadence_schedule *s = policy("0 * * * *", NULL, policies[i], 0, 0);
		expect_due(s, T0, T0 + HOUR + 30, "R", 0, NULL);
		expect_due(s, T0, T0 + HOUR - 1, "", 0, NULL);	/* nothing yet */
		expect_due(s, T0 + HOUR, T0 + HOUR, "", 0, NULL); /* handled already */
		cadence_schedule_free(s);
	}
}

Test(due, a_late_time_runs_with_latest_and_all_not_with_none)
{
	cadence_schedule *none = policy("0 * * * *", NULL, NULL, 0, 0);
	cadence_schedule *latest = policy("0 * * * *", NULL, "latest", 0, 0);
	expect_due(none, T0, T0 + HOUR + CADENCE_SCHEDULE_ON_TIME, "R", 0, NULL);
	expect_due(none, T0, T0 + HOUR + CADENCE_SCHEDULE_ON_TIME + 1, "M", 0, "catch_up");
	expect_due(latest, T0, T0 + HOUR + 1800, "R", 0, NULL);
	cadence_schedule_free(none);
	cadence_schedule_free(latest);
	/* the jitter widens "on time" */
	cadence_schedule *jit = policy("0 * * * *", NULL, NULL, 0, 600000);
	expect_due(jit, T0, T0 + HOUR + CADENCE_SCHEDULE_ON_TIME + 600, "R", 0, NULL);
	expect_due(jit, T0, T0 + HOUR + CADENCE_SCHEDULE_ON_TIME + 601, "M", 0, "catch_up");
	cadence_schedule_free(jit);
}

/* the machine was off for a week: 168 hourly times passed */
Test(due, a_week_off)
{
	int64_t now = T0 + 7 * 24 * HOUR + 10;
	cadence_schedule *none = policy("0 * * * *", NULL, "none", 0, 0);
	cadence_schedule *latest = policy("0 * * * *", NULL, "latest", 0, 0);
	cadence_schedule *all = policy("0 * * * *", NULL, "all", 5, 0);
	cadence_due d;
	/* none: the newest is on time (10 s late), the 167 before are missed */
	cr_assert_eq(cadence_schedule_due(none, T0, now, &d), 0);
	cr_expect_eq(d.count, 168);
	cr_expect_eq(d.times[167].fire, T0 + 168 * HOUR);
	cr_expect_null(d.times[167].missed);
	cr_expect_str_eq(d.times[0].missed, "catch_up");
	cadence_due_free(&d);
	/* none, an hour later still: nothing runs */
	cr_assert_eq(cadence_schedule_due(none, T0, now + 1800, &d), 0);
	cr_expect_str_eq(d.times[d.count - 1].missed, "catch_up");
	cadence_due_free(&d);
	/* latest: one run, the newest */
	cr_assert_eq(cadence_schedule_due(latest, T0, now + 1800, &d), 0);
	cr_expect_null(d.times[d.count - 1].missed);
	cr_expect_str_eq(d.times[d.count - 2].missed, "catch_up");
	cadence_due_free(&d);
	/* all, at most 5: the five newest run, oldest first */
	cr_assert_eq(cadence_schedule_due(all, T0, now, &d), 0);
	cr_expect_eq(d.count, 168);
	for (size_t i = 0; i < 168; i++)
		if (i < 163)
			cr_expect_str_eq(d.times[i].missed, "catch_up_max");
		else
			cr_expect_null(d.times[i].missed, "time %zu", i);
	cadence_due_free(&d);
	cadence_schedule_free(none);
	cadence_schedule_free(latest);
	cadence_schedule_free(all);
}

Test(due, missed_times_past_the_bound_are_counted_not_listed)
{
	/* every minute for three days: 4,320 times */
	cadence_schedule *s = policy("* * * * *", NULL, "all", 10, 0);
	cadence_due d;
	cr_assert_eq(cadence_schedule_due(s, T0, T0 + 3 * 24 * HOUR, &d), 0);
	cr_expect_eq(d.count, 10 + CADENCE_SCHEDULE_MISSED_MAX);
	cr_expect_eq(d.older_missed, 4320 - d.count);
	cr_expect_eq(d.times[0].fire, T0 + (int64_t)(d.older_missed + 1) * 60);
	cr_expect_eq(d.last, T0 + 3 * 24 * HOUR);
	cadence_due_free(&d);
	cadence_schedule_free(s);
}

Test(due, a_schedule_never_handled_starts_now)
{
	cadence_schedule *all = policy("*/5 * * * *", NULL, "all", 10, 0);
	/* a week of times before it existed are not due, nor missed: only the
	 * newest on time */
	expect_due(all, -1, T0 + 7 * 24 * HOUR + 90, "R", 0, NULL);
	/* one more than on time: nothing */
	cadence_schedule *daily = policy("0 3 * * *", NULL, "all", 10, 0);
	expect_due(daily, -1, T0 + 3 * HOUR + CADENCE_SCHEDULE_ON_TIME + 1, "", 0, NULL);
	cadence_schedule_free(all);
	cadence_schedule_free(daily);
}

Test(due, a_clock_set_back_has_nothing_due)
{
	cadence_schedule *s = policy("0 * * * *", NULL, "all", 10, 0);
	expect_due(s, T0 + 5 * HOUR, T0 + 2 * HOUR, "", 0, NULL);
	cadence_schedule_free(s);
}

/* Berlin, 2026-03-29: 02:30 does not exist, it runs once at 03:00 CEST
 * (01:00Z); 2026-10-25: 02:30 comes twice, it runs once (00:30Z) */
Test(due, daylight_saving_days_run_once)
{
	cadence_schedule *s = policy("30 2 * * *", "Europe/Berlin", "all", 10, 0);
	cadence_due d;
	int64_t spring = 1774742400;	/* 2026-03-29T00:00:00Z */
	cr_assert_eq(cadence_schedule_due(s, spring - HOUR, spring + 6 * HOUR, &d), 0);
	cr_expect_eq(d.count, 1);
	cr_expect_eq(d.times[0].fire, spring + HOUR);
	cadence_due_free(&d);
	int64_t autumn = 1792886400;	/* 2026-10-25T00:00:00Z */
	cr_assert_eq(cadence_schedule_due(s, autumn - HOUR, autumn + 6 * HOUR, &d), 0);
	cr_expect_eq(d.count, 1);
	cr_expect_eq(d.times[0].fire, autumn + 1800);
	cadence_due_free(&d);
	cadence_schedule_free(s);
}

Test(due, the_policy_getters_give_the_file_settings)
{
	cadence_schedule *s = policy("0 * * * *", "UTC", "all", 7, 1500);
	unsigned max = 0;
	cr_expect_eq(cadence_schedule_catch_up(s, &max), CADENCE_CATCH_UP_ALL);
	cr_expect_eq(max, 7);
	cr_expect_eq(cadence_schedule_jitter_ms(s), 1500);
	cr_expect_eq(cadence_schedule_overlap(s), CADENCE_OVERLAP_SKIP);
	cr_expect_null(cadence_schedule_score(s));
	cadence_schedule_free(s);
}
