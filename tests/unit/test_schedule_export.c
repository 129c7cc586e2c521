/* SPDX-License-Identifier: MIT */
/* cadence/schedule_export.h: a schedule's systemd OnCalendar= values and
 * crontab fields (docs/cli.md, "schedule export"), from tables; the
 * cross-check against systemd itself is tests/cli/schedule_export.sh. */
#include <cadence/cadence.h>
#include <criterion/criterion.h>

#include <string.h>

/* 2026-03-01T00:00:00Z: where the zones are looked at */
#define NOW 1772323200

static cadence_def *built(const char *cron, const char *zone, const char *catch_up,
			  int64_t jitter_ms)
{
	cadence_builder *b = NULL;
	cadence_def *def = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_new(&b, "nightly"), 0);
	cadence_builder_set(b, "sweep", "n", "1");
	cadence_builder_field(b, "n", "integer", NULL, 0);
	cadence_builder_then(b, "sweep", NULL);
	if (cron)
		cadence_builder_schedule(b, cron, zone, NULL, catch_up, 0, jitter_ms, NULL);
	cr_assert_eq(cadence_builder_finish(&def, b, &err), 0, "%s", err.message);
	cadence_builder_free(b);
	return def;
}

static const struct {
	const char *cron, *zone, *lines[2];
} systemd_table[] = {
	{ "30 2 * * *", NULL, { "*-*-* 02:30:00 UTC" } },
	{ "*/15 9-17 * * mon-fri", NULL, { "Mon..Fri *-*-* 09..17:00/15:00 UTC" } },
	/* ORed: a line a side */
	{ "0 0 13 * fri", NULL, { "*-*-13 00:00:00 UTC", "Fri *-*-* 00:00:00 UTC" } },
	/* ORed with every day: every day */
	{ "0 0 1-31 * mon", NULL, { "*-*-* 00:00:00 UTC" } },
	/* `*` with a step: ANDed, as Vixie cron (the odd-numbered Fridays) */
	{ "0 0 */2 * fri", NULL, { "Fri *-*-01/2 00:00:00 UTC" } },
	{ "0 0 * * 5-7", NULL, { "Fri..Sun *-*-* 00:00:00 UTC" } },
	/* systemd's week starts on Monday */
	{ "0 0 * * sun,mon", NULL, { "Mon,Sun *-*-* 00:00:00 UTC" } },
	{ "0 0 * * 7", NULL, { "Sun *-*-* 00:00:00 UTC" } },
	{ "0 0 29 feb *", NULL, { "*-02-29 00:00:00 UTC" } },
	{ "@weekly", NULL, { "Sun *-*-* 00:00:00 UTC" } },
	{ "@hourly", NULL, { "*-*-* *:00:00 UTC" } },
	{ "5,10,11,12 * * NOV *", NULL, { "*-11-* *:05,10..12:00 UTC" } },
	{ "0 12 * jan-mar,oct *", NULL, { "*-01..03,10-* 12:00:00 UTC" } },
	{ "30 2 * * *", "Europe/Berlin", { "*-*-* 02:30:00 Europe/Berlin" } },
};

Test(schedule_export, systemd_lines_mean_the_expression)
{
	for (size_t i = 0; i < sizeof(systemd_table) / sizeof(systemd_table[0]); i++) {
		cadence_def *def = built(systemd_table[i].cron, systemd_table[i].zone, NULL, 0);
		cadence_schedule_export *x = NULL;
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		cr_assert_eq(cadence_schedule_export_systemd(&x, def, NOW, &err), 0, "%s", err.message);
		size_t n = systemd_table[i].lines[1] ? 2 : 1;
		cr_assert_eq(x->nlines, n, "%s: %zu lines", systemd_table[i].cron, x->nlines);
		for (size_t k = 0; k < n; k++)
			cr_assert_str_eq(x->lines[k], systemd_table[i].lines[k], "%s",
					 systemd_table[i].cron);
		cadence_schedule_export_free(x);
		cadence_def_free(def);
	}
}

Test(schedule_export, systemd_settings)
{
	cadence_def *def = built("0 3 * * *", "Europe/Berlin", "latest", 90000);
	cadence_schedule_export *x = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_schedule_export_systemd(&x, def, NOW, &err), 0);
	cr_assert_eq(x->jitter_ms, 90000);
	cr_assert_eq(x->catch_up, 1);
	cr_assert_eq(x->zone_changes, 1, "Berlin has daylight saving");
	cadence_schedule_export_free(x);
	cadence_def_free(def);
	def = built("0 3 * * *", "Asia/Tokyo", NULL, 0);
	cr_assert_eq(cadence_schedule_export_systemd(&x, def, NOW, &err), 0);
	cr_assert_eq(x->catch_up, 0);
	cr_assert_eq(x->jitter_ms, 0);
	cr_assert_eq(x->zone_changes, 0, "Tokyo has none");
	cadence_schedule_export_free(x);
	cadence_def_free(def);
}

Test(schedule_export, errors_are_schedule_opens)
{
	cadence_def *def = built(NULL, NULL, NULL, 0);
	cadence_schedule_export *x = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_schedule_export_systemd(&x, def, NOW, &err), CADENCE_ENOTFOUND);
	cr_assert_null(x);
	cr_assert_eq(cadence_schedule_export_cron(&x, def, "UTC", NOW, &err), CADENCE_ENOTFOUND);
	cr_assert(strstr(err.message, "has no schedule"), "%s", err.message);
	cadence_run_error_clear(&err);
	cadence_def_free(def);
}

static const struct {
	const char *cron, *zone, *machine;
	int32_t shift;
	const char *lines[3];
	const char *note;	/* a part of it; NULL: none */
} cron_table[] = {
	/* the same offsets: as written, a macro too */
	{ "30 2 * * *", "Europe/Berlin", "Europe/Berlin", 0, { "30 2 * * *" }, NULL },
	{ "30 2 * * *", "Europe/Berlin", "Europe/Paris", 0, { "30 2 * * *" }, NULL },
	{ "@daily", NULL, "Etc/UTC", 0, { "@daily" }, NULL },
	/* fixed offsets: moved, by groups of hours, days moved across midnight */
	{ "*/15 0-9 * * mon-fri", "Asia/Tokyo", "UTC", -32400,
	  { "*/15 15-23 * * 0-4", "*/15 0 * * 1-5" }, NULL },
	{ "0 9 * * *", "Asia/Kolkata", "UTC", -19800, { "30 3 * * *" }, NULL },
	{ "@hourly", "Asia/Tokyo", "UTC", -32400, { "0 * * * *" }, NULL },
	{ "0 1 13 * fri", "Asia/Tokyo", "UTC", -32400, { "0 16 12 * 4" }, NULL },
	/* what Debian's cron does not read is rewritten: a/s, names, sun as 7
	 * at a range's end, a macro in upper case */
	{ "10/20 * * * fri-sun", NULL, "UTC", 0, { "10,30,50 * * * 0,5,6" }, NULL },
	{ "0 0 * jan-mar mon", NULL, "UTC", 0, { "0 0 * 1-3 1" }, NULL },
	{ "@DAILY", NULL, "UTC", 0, { "@daily" }, NULL },
	/* a day field's `*` kept, so that the fields combine as they did */
	{ "0 0 */2 * fri", NULL, "UTC", 0, { "0 0 */2 * 5" }, NULL },
	{ "0 0 1-31 * mon", NULL, "UTC", 0, { "0 0 1-31 * 1" }, NULL },
	{ "0 0 13 * */3", NULL, "UTC", 0, { "0 0 13 * */3" }, NULL },
	{ "0 23 27 * *", NULL, "Asia/Tokyo", 32400, { "0 8 28 * *" }, NULL },
	/* 30 minutes forward: 10:45 and 11:15, not a product of two hours */
	{ "15,45 10 * * *", NULL, "Asia/Kolkata", 19800, { "45 15 * * *", "15 16 * * *" }, NULL },
	/* cannot be moved: as written, with why */
	{ "0 8 1 * *", "Asia/Tokyo", "UTC", 0, { "0 8 1 * *" }, "the 1st of a month" },
	{ "0 23 28 * *", NULL, "Asia/Tokyo", 0, { "0 23 28 * *" }, "from the 28th on" },
	/* found by the cross-check: 02:00 on the 31st in Tokyo is 17:00 on the
	 * 30th in UTC, but the 30th of April has no 31st after it */
	{ "0 2 31 * *", "Asia/Tokyo", "UTC", 0, { "0 2 31 * *" }, "after the 28th" },
	{ "0 2 28 * *", "Asia/Tokyo", "UTC", -32400, { "0 17 27 * *" }, NULL },
	{ "0 1 * jan *", "Asia/Tokyo", "UTC", 0, { "0 1 * 1 *" }, "the months are restricted" },
	{ "0 1 */2 * fri", "Asia/Tokyo", "UTC", 0, { "0 1 */2 * 5" }, "both restricted and ANDed" },
	{ "30 2 * * *", "Europe/Berlin", "UTC", 0, { "30 2 * * *" }, "differ by daylight saving" },
	{ "30 2 * * *", "Europe/Berlin", NULL, 0, { "30 2 * * *" }, "not known" },
	{ "30 2 * * *", "Europe/Berlin", "No/Such", 0, { "30 2 * * *" }, "cannot be read" },
};

Test(schedule_export, cron_lines_in_the_machine_zone)
{
	for (size_t i = 0; i < sizeof(cron_table) / sizeof(cron_table[0]); i++) {
		cadence_def *def = built(cron_table[i].cron, cron_table[i].zone, NULL, 0);
		cadence_schedule_export *x = NULL;
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		cr_assert_eq(cadence_schedule_export_cron(&x, def, cron_table[i].machine, NOW, &err), 0,
			     "%s", err.message);
		size_t n = 0;
		while (n < 3 && cron_table[i].lines[n])
			n++;
		cr_assert_eq(x->nlines, n, "%s: %zu lines (%s)", cron_table[i].cron, x->nlines,
			     x->nlines ? x->lines[0] : "");
		for (size_t k = 0; k < n; k++)
			cr_assert_str_eq(x->lines[k], cron_table[i].lines[k], "%s", cron_table[i].cron);
		cr_assert_eq(x->shift, cron_table[i].shift, "%s: shift %d", cron_table[i].cron,
			     (int)x->shift);
		if (cron_table[i].note)
			cr_assert(x->note && strstr(x->note, cron_table[i].note), "%s: note %s",
				  cron_table[i].cron, x->note ? x->note : "(none)");
		else
			cr_assert_null(x->note, "%s: %s", cron_table[i].cron, x->note);
		cadence_schedule_export_free(x);
		cadence_def_free(def);
	}
}
