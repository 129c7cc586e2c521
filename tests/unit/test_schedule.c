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
