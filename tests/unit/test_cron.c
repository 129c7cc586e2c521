/* SPDX-License-Identifier: MIT */
/*
 * Cron expressions (sched/cron): the parser and its diagnostics, whether an
 * expression can fire, and its next fire times in UTC, Europe/Berlin and
 * America/New_York.
 *
 * How the tables were made: the expected fire times come from
 * `systemd-analyze calendar --base-time='BASE UTC' --iterations=N 'SPEC'`
 * (systemd 252, Debian 12) with the OnCalendar spec written beside each
 * table, except where systemd and cron differ, said there:
 *   - systemd ANDs weekday and date where POSIX cron ORs them: an OR table
 *     is the merge of two systemd runs, one per field;
 *   - systemd does not fire at all for a time in a skipped hour (02:30 on a
 *     spring-forward day), where cadence fires once at the clock's jump
 *     (docs/format.md): those rows are written from that rule, by hand
 *     (Berlin jumps at 01:00Z on 2026-03-29, New York at 07:00Z on
 *     2026-03-08).
 * The error rows are written from the texts and their byte offsets.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sched/cron.h"
#include "sched/tz.h"

/* ---- helpers ---- */

/* Seconds since the epoch of a UTC time (days from civil, written here
 * independently of cron.c's own calendar). */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	int64_t yy = y - (mo <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60;
}

#define YEARS(n) ((int64_t)(n) * 366 * 86400)

static cad_cron parse_ok(const char *text)
{
	cad_cron c;
	cad_cron_error e;
	memset(&e, 0, sizeof(e));
	int rc = cad_cron_parse(&c, text, &e);
	cr_assert_eq(rc, 0, "'%s' did not parse: %s (at %zu+%zu)", text, e.message, e.offset,
		     e.length);
	return c;
}

static cad_tz *zone(const char *name)
{
	cad_tz *tz = NULL;
	strbuf why = { 0 };
	cr_assert_eq(cad_tz_load(&tz, name, &why), 0, "zone %s", name);
	cad_strbuf_free(&why);
	return tz;
}

typedef struct fire {
	int y, mo, d, h, mi;	/* UTC */
} fire;

/* The first n fire times of `expr` in `zname` after `base`, each the next
 * after the one before. */
static void expect_fires(const char *expr, const char *zname, int64_t base, const fire *want,
			 size_t n)
{
	cad_cron c = parse_ok(expr);
	cad_tz *tz = zone(zname);
	int64_t t = base;
	for (size_t i = 0; i < n; i++) {
		int64_t next = 0;
		int rc = cad_cron_next(&c, tz, t, YEARS(8), &next);
		int64_t w = utc(want[i].y, want[i].mo, want[i].d, want[i].h, want[i].mi);
		cr_assert_eq(rc, 0, "'%s' in %s: no fire #%zu", expr, zname, i + 1);
		cr_assert_eq(next, w, "'%s' in %s: fire #%zu is %lld, not %lld (%04d-%02d-%02d %02d:%02d Z)",
			     expr, zname, i + 1, (long long)next, (long long)w, want[i].y,
			     want[i].mo, want[i].d, want[i].h, want[i].mi);
		t = next;
	}
	cad_tz_free(tz);
}

#define EXPECT_FIRES(expr, zname, base, ...)                                             \
	do {                                                                             \
		static const fire w_[] = { __VA_ARGS__ };                                \
		expect_fires(expr, zname, base, w_, sizeof(w_) / sizeof(w_[0]));          \
	} while (0)

/* ---- parsing: what the fields hold ---- */

static uint64_t bits(const int *v, size_t n)
{
	uint64_t b = 0;
	for (size_t i = 0; i < n; i++)
		b |= (uint64_t)1 << v[i];
	return b;
}
#define BITS(...) bits((const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

Test(cron_parse, steps_ranges_and_lists)
{
	cad_cron c = parse_ok("*/15 9-17/4 1,15,31 */3 *");
	cr_assert_eq(c.minutes, BITS(0, 15, 30, 45));
	cr_assert_eq(c.hours, BITS(9, 13, 17));
	cr_assert_eq(c.mdays, BITS(1, 15, 31));
	cr_assert_eq(c.months, BITS(1, 4, 7, 10));
	cr_assert_eq(c.wdays, 0x7f);
	/* a/N runs from a to the end of the field, as Vixie cron */
	c = parse_ok("5/15 22/1 * * *");
	cr_assert_eq(c.minutes, BITS(5, 20, 35, 50));
	cr_assert_eq(c.hours, BITS(22, 23));
	c = parse_ok("0-59 0-23 1-31 1-12 0-6");
	cr_assert_eq(c.minutes, ((uint64_t)1 << 60) - 1);
	cr_assert_eq(c.hours, (1u << 24) - 1);
	cr_assert_eq(c.mdays, 0xfffffffeu);
	cr_assert_eq(c.months, 0x1ffe);
	cr_assert_eq(c.wdays, 0x7f);
}

Test(cron_parse, day_of_week_seven_is_sunday)
{
	cad_cron c = parse_ok("0 0 * * 5-7");
	cr_assert_eq(c.wdays, BITS(5, 6, 0));
	c = parse_ok("0 0 * * 7");
	cr_assert_eq(c.wdays, BITS(0));
	/* sun ending a range is 7 too: fri-sun is Friday to Sunday */
	c = parse_ok("0 0 * * fri-sun");
	cr_assert_eq(c.wdays, BITS(5, 6, 0));
	c = parse_ok("0 0 * * sun-tue");
	cr_assert_eq(c.wdays, BITS(0, 1, 2));
}

Test(cron_parse, names_case_insensitive_in_their_fields_and_ranges)
{
	cad_cron c = parse_ok("0 0 * JAN,jul,Dec MON-fri");
	cr_assert_eq(c.months, BITS(1, 7, 12));
	cr_assert_eq(c.wdays, BITS(1, 2, 3, 4, 5));
	c = parse_ok("0 0 * feb-apr/2 sat,Sun");
	cr_assert_eq(c.months, BITS(2, 4));
	cr_assert_eq(c.wdays, BITS(6, 0));
	c = parse_ok("0 0 * nov *");	/* not October (Debian's translator) */
	cr_assert_eq(c.months, BITS(11));
}

Test(cron_parse, blanks_around_and_between_fields)
{
	cad_cron c = parse_ok(" \t30  2\t* *   *\t ");
	cr_assert_eq(c.minutes, BITS(30));
	cr_assert_eq(c.hours, BITS(2));
	cr_assert(c.mday_star && c.wday_star);
}

Test(cron_parse, star_flags_follow_the_first_character)
{
	cad_cron c = parse_ok("0 0 */2 * 1");
	cr_assert(c.mday_star);
	cr_assert_not(c.wday_star);
	cr_assert_eq(c.mdays, 0xaaaaaaaau);	/* 1, 3, ..., 31 */
	c = parse_ok("0 0 1-31 * *");
	cr_assert_not(c.mday_star);
	cr_assert(c.wday_star);
	c = parse_ok("0 0 1 * 0-6");
	cr_assert_not(c.mday_star);
	cr_assert_not(c.wday_star);
}

Test(cron_parse, macros)
{
	static const struct {
		const char *text, *same;
	} rows[] = {
		{ "@yearly", "0 0 1 1 *" }, { "@ANNUALLY", "0 0 1 1 *" },
		{ "@monthly", "0 0 1 * *" }, { "@Weekly", "0 0 * * 0" },
		{ "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
		{ " @hourly\t", "0 * * * *" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cad_cron a = parse_ok(rows[i].text), b = parse_ok(rows[i].same);
		cr_assert(!memcmp(&a, &b, sizeof(a)), "%s", rows[i].text);
	}
	cad_cron w = parse_ok("@weekly");
	cr_assert(w.mday_star);
	cr_assert_not(w.wday_star);
}

/* ---- parsing: every error, at its bytes ---- */

typedef struct bad {
	const char *text;
	size_t offset, length;
	const char *message;	/* the whole message */
	const char *help;	/* a part of the help, or NULL */
} bad;

static const bad bad_rows[] = {
	{ "0 25 * * *", 2, 2, "hour 25 is out of range 0-23", "0-23" },
	{ "60 * * * *", 0, 2, "minute 60 is out of range 0-59", "0-59" },
	{ "0 0 0 * *", 4, 1, "day-of-month 0 is out of range 1-31", NULL },
	{ "0 0 32 * *", 4, 2, "day-of-month 32 is out of range 1-31", NULL },
	{ "0 0 * 13 *", 6, 2, "month 13 is out of range 1-12", "jan-dec" },
	{ "0 0 * * 8", 8, 1, "day-of-week 8 is out of range 0-7", "7 are Sunday" },
	{ "0 99999999999999999999 * * *", 2, 20,
	  "hour 99999999999999999999 is out of range 0-23", NULL },
	{ "0 1-25 * * *", 4, 2, "hour 25 is out of range 0-23", NULL },
	{ "5-2 * * * *", 0, 3, "range 5-2 goes backwards", "write 2-5, or 5-59,0-2" },
	{ "0 0 * * fri-mon", 8, 7, "range fri-mon goes backwards", "write 1-5" },
	{ "0 0 * * 5-0", 8, 3, "range 5-0 goes backwards", "write 5-7" },
	{ "0 0 * dec-jan *", 6, 7, "range dec-jan goes backwards", NULL },
	{ "5- * * * *", 0, 2, "range 5- has no end", "low-high" },
	{ "*/0 * * * *", 2, 1, "step 0 never advances", "*/15" },
	{ "0 0 1-31/0 * *", 9, 1, "step 0 never advances", NULL },
	{ "*/61 * * * *", 2, 2, "step 61 is larger than the minute field's 60 values", NULL },
	{ "*/ * * * *", 1, 1, "'/' needs a step after it", NULL },
	{ "0 0 * * */mon", 10, 3, "step 'mon' is not a number", NULL },
	{ "*5 * * * *", 1, 1, "unexpected '5' after '*' in the minute field", "*/N" },
	{ "0 0 * * **", 9, 1, "unexpected '*' after '*' in the day-of-week field", NULL },
	{ "1,,2 * * * *", 2, 1, "empty element in the minute list", "extra comma" },
	{ "1, * * * *", 1, 1, "empty element in the minute list", NULL },
	{ "0 ,5 * * *", 2, 1, "empty element in the hour list", NULL },
	{ "0 0 1,2, * *", 7, 1, "empty element in the day-of-month list", NULL },
	{ "0 0 1 jna *", 6, 3, "'jna' is not a month name; did you mean 'jan'?", "jan-dec" },
	{ "0 0 1 january *", 6, 7, "'january' is not a month name; did you mean 'jan'?", NULL },
	{ "0 0 * * mno", 8, 3, "'mno' is not a day name; did you mean 'mon'?", "sun-sat" },
	{ "0 0 * * Thursday", 8, 8, "'Thursday' is not a day name; did you mean 'thu'?", NULL },
	{ "0 0 * * xyzzy", 8, 5, "'xyzzy' is not a day name", "sun-sat" },
	{ "0 0 1 mon *", 6, 3, "'mon' is a day-of-week name, in the month field",
	  "the day-of-week field is the 5th" },
	{ "0 0 * * jan", 8, 3, "'jan' is a month name, in the day-of-week field",
	  "the month field is the 4th" },
	{ "0 jan * * *", 2, 3, "'jan' is a month name, in the hour field", NULL },
	{ "x * * * *", 0, 1, "'x' is not a number", "takes numbers" },
	{ "0 0 ? * *", 4, 1, "unexpected character '?' in the day-of-month field", "Quartz" },
	{ "0 0 * * 1#2", 9, 1, "unexpected character '#' in the day-of-week field", "Quartz" },
	{ "0 0 15W * *", 6, 1, "unexpected character 'W' in the day-of-month field", "Quartz" },
	{ "0 0 1\xc3\xa9 * *", 5, 2, "unexpected character '\xc3\xa9' in the day-of-month field",
	  NULL },
	{ "0 0 1\x01 * *", 5, 1, "unexpected byte 0x01 in the day-of-month field", NULL },
	{ "0 0 * * *\n", 9, 1, "unexpected byte 0x0a in the day-of-week field", "one line" },
	{ "-5 * * * *", 0, 1, "unexpected character '-' in the minute field", NULL },
	{ "", 0, 0, "the cron expression is empty", "@daily" },
	{ "  \t ", 0, 4, "the cron expression is empty", NULL },
	{ "0 0 *", 0, 5,
	  "a cron expression has 5 fields (minute hour day-of-month month day-of-week); "
	  "this one has 3", "month day-of-week" },
	{ "0 0 * * 1 2026", 10, 4,
	  "a cron expression has 5 fields (minute hour day-of-month month day-of-week); "
	  "this one has 6", "remove the fields" },
	{ "0 0 * * * 1 2", 10, 3,
	  "a cron expression has 5 fields (minute hour day-of-month month day-of-week); "
	  "this one has 7", NULL },
	{ "30 0 12 * * *", 0, 2,
	  "a cron expression has 5 fields (minute hour day-of-month month day-of-week); "
	  "this one has 6, the first looks like seconds", "no seconds field" },
	{ "@reboot", 0, 7, "@reboot is not a schedule: it means when the machine starts, not a time",
	  "@daily" },
	{ " @dayly", 1, 6, "'@dayly' is not a cron macro; did you mean '@daily'?", "@hourly" },
	{ "@often", 0, 6, "'@often' is not a cron macro", NULL },
	{ "@daily 0 0", 7, 3, "@daily takes no fields after it", NULL },
};

Test(cron_parse, errors_point_at_their_bytes)
{
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		const bad *row = &bad_rows[i];
		cad_cron c;
		cad_cron_error e;
		memset(&e, 0, sizeof(e));
		cr_assert_eq(cad_cron_parse(&c, row->text, &e), -1, "'%s' parsed", row->text);
		cr_expect_str_eq(e.message, row->message, "'%s'", row->text);
		cr_expect_eq(e.offset, row->offset, "'%s': offset %zu", row->text, e.offset);
		cr_expect_eq(e.length, row->length, "'%s': length %zu", row->text, e.length);
		cr_expect_neq(e.help[0], '\0', "'%s' has no help", row->text);
		if (row->help)
			cr_expect(strstr(e.help, row->help), "'%s': help '%s'", row->text, e.help);
	}
}

/* ---- can it fire ---- */

Test(cron_can_fire, dates_that_never_come)
{
	static const struct {
		const char *text;
		int can;
	} rows[] = {
		{ "0 0 30 2 *", 0 },
		{ "0 0 31 4,6,9,11 *", 0 },
		{ "0 0 30,31 feb *", 0 },
		{ "0 0 30 2 */2", 0 },	/* day-of-week begins with `*`: date alone */
		{ "0 0 29 2 *", 1 },	/* leap years */
		{ "0 0 31 4,5 *", 1 },
		{ "0 0 30 2 mon", 1 },	/* ORed: every Monday of February */
		{ "0 0 */30 2 *", 1 },	/* the 1st and the 31st: Feb 1 */
		{ "* * * * *", 1 },
		{ "@yearly", 1 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cad_cron c = parse_ok(rows[i].text);
		cr_expect_eq(!!cad_cron_can_fire(&c), rows[i].can, "'%s'", rows[i].text);
	}
}

Test(cron_next, never_firing_finds_nothing)
{
	cad_tz *tz = zone("UTC");
	cad_cron c = parse_ok("0 0 30 2 *");
	int64_t next = 42;
	cr_assert_eq(cad_cron_next(&c, tz, utc(2026, 1, 1, 0, 0), YEARS(8), &next), -1);
	cr_assert_eq(next, 42);
	cad_tz_free(tz);
}

/* ---- next fire times, UTC ---- */

/* systemd-analyze calendar --base-time='2026-03-01 00:07:00 UTC'
 *   --iterations=4 '*-*-* *:00/15:00' */
Test(cron_next, every_quarter_hour)
{
	EXPECT_FIRES("*/15 * * * *", "UTC", utc(2026, 3, 1, 0, 7),
		     { 2026, 3, 1, 0, 15 }, { 2026, 3, 1, 0, 30 }, { 2026, 3, 1, 0, 45 },
		     { 2026, 3, 1, 1, 0 });
}

/* 'Fri..Sun *-*-* 00:00:00', base 2026-01-01 00:00 UTC */
Test(cron_next, friday_to_sunday_by_five_to_seven)
{
	EXPECT_FIRES("0 0 * * 5-7", "UTC", utc(2026, 1, 1, 0, 0),
		     { 2026, 1, 2, 0, 0 }, { 2026, 1, 3, 0, 0 }, { 2026, 1, 4, 0, 0 },
		     { 2026, 1, 9, 0, 0 }, { 2026, 1, 10, 0, 0 }, { 2026, 1, 11, 0, 0 });
}

/* '*-01,07-01 12:00:00' and 'Mon..Fri *-*-* 06:30:00', base 2026-01-01 */
Test(cron_next, month_and_day_names)
{
	EXPECT_FIRES("0 12 1 jan,JUL *", "UTC", utc(2026, 1, 1, 0, 0),
		     { 2026, 1, 1, 12, 0 }, { 2026, 7, 1, 12, 0 }, { 2027, 1, 1, 12, 0 },
		     { 2027, 7, 1, 12, 0 });
	EXPECT_FIRES("30 6 * * Mon-FRI", "UTC", utc(2026, 1, 1, 0, 0),
		     { 2026, 1, 1, 6, 30 }, { 2026, 1, 2, 6, 30 }, { 2026, 1, 5, 6, 30 },
		     { 2026, 1, 6, 6, 30 }, { 2026, 1, 7, 6, 30 }, { 2026, 1, 8, 6, 30 });
}

/* '*-02-29 00:00:00', base 2026-01-01 */
Test(cron_next, february_29_in_leap_years)
{
	EXPECT_FIRES("0 0 29 2 *", "UTC", utc(2026, 1, 1, 0, 0),
		     { 2028, 2, 29, 0, 0 }, { 2032, 2, 29, 0, 0 }, { 2036, 2, 29, 0, 0 });
	/* 2100 is not a leap year: from 2097, the next is 2104 (by the
	 * Gregorian rule; beyond systemd's table) */
	EXPECT_FIRES("0 0 29 2 *", "UTC", utc(2097, 1, 1, 0, 0), { 2104, 2, 29, 0, 0 });
	/* February 2100 has 28 days: skipping it lands on March 1 */
	EXPECT_FIRES("0 0 1 3 *", "UTC", utc(2100, 2, 10, 0, 0), { 2100, 3, 1, 0, 0 });
	EXPECT_FIRES("0 0 1 3 *", "UTC", utc(2096, 2, 10, 0, 0), { 2096, 3, 1, 0, 0 });
}

/* POSIX's OR: the merge of '*-*-13 00:00:00' and 'Fri *-*-* 00:00:00',
 * base 2026-01-01 (systemd's own 'Fri *-*-13' would be Friday the 13ths
 * only: Feb 13, Mar 13, Nov 13) */
Test(cron_next, day_of_month_or_day_of_week)
{
	EXPECT_FIRES("0 0 13 * fri", "UTC", utc(2026, 1, 1, 0, 0),
		     { 2026, 1, 2, 0, 0 }, { 2026, 1, 9, 0, 0 }, { 2026, 1, 13, 0, 0 },
		     { 2026, 1, 16, 0, 0 }, { 2026, 1, 23, 0, 0 }, { 2026, 1, 30, 0, 0 },
		     { 2026, 2, 6, 0, 0 }, { 2026, 2, 13, 0, 0 }, { 2026, 2, 20, 0, 0 },
		     { 2026, 2, 27, 0, 0 }, { 2026, 3, 6, 0, 0 });
}

/* A day field beginning with `*` ANDs, as Vixie cron: 'Fri *-*-01/2
 * 00:00:00' (the odd-numbered Fridays), base 2026-01-01 */
Test(cron_next, a_stepped_star_day_field_ands)
{
	EXPECT_FIRES("0 0 */2 * fri", "UTC", utc(2026, 1, 1, 0, 0),
		     { 2026, 1, 9, 0, 0 }, { 2026, 1, 23, 0, 0 }, { 2026, 2, 13, 0, 0 },
		     { 2026, 2, 27, 0, 0 });
}

Test(cron_next, strictly_after_and_within_the_horizon)
{
	cad_tz *tz = zone("UTC");
	cad_cron c = parse_ok("30 2 * * *");
	int64_t next = 0;
	/* at a fire time exactly: the next one, a day later */
	cr_assert_eq(cad_cron_next(&c, tz, utc(2026, 5, 1, 2, 30), YEARS(1), &next), 0);
	cr_assert_eq(next, utc(2026, 5, 2, 2, 30));
	/* a second before: that one */
	cr_assert_eq(cad_cron_next(&c, tz, utc(2026, 5, 1, 2, 30) - 1, YEARS(1), &next), 0);
	cr_assert_eq(next, utc(2026, 5, 1, 2, 30));
	/* a horizon that ends before it: none; one that reaches it exactly: it */
	int64_t after = utc(2026, 5, 1, 3, 0);
	int64_t gap = utc(2026, 5, 2, 2, 30) - after;
	cr_assert_eq(cad_cron_next(&c, tz, after, gap - 1, &next), -1);
	cr_assert_eq(cad_cron_next(&c, tz, after, gap, &next), 0);
	cr_assert_eq(next, utc(2026, 5, 2, 2, 30));
	c = parse_ok("0 0 29 2 *");
	cr_assert_eq(cad_cron_next(&c, tz, utc(2026, 1, 1, 0, 0), YEARS(2), &next), -1);
	cad_tz_free(tz);
}

Test(cron_next, before_1970)
{
	/* 1969-12-31 was a Wednesday */
	EXPECT_FIRES("0 0 * * wed", "UTC", utc(1969, 12, 25, 0, 0), { 1969, 12, 31, 0, 0 },
		     { 1970, 1, 7, 0, 0 });
}

/* ---- daylight saving ---- */

/* Berlin, spring forward on 2026-03-29 (02:00 CET -> 03:00 CEST, at 01:00Z).
 * '*-*-* 02:30:00 Europe/Berlin', base 2026-03-27 12:00 UTC, gives 03-28
 * 01:30Z, 03-30 00:30Z, 03-31 00:30Z: systemd skips 03-29; cadence fires
 * at the jump, 01:00Z (the row written by hand). */
Test(cron_dst, berlin_skipped_hour_fires_once_at_the_jump)
{
	EXPECT_FIRES("30 2 * * *", "Europe/Berlin", utc(2026, 3, 27, 12, 0),
		     { 2026, 3, 28, 1, 30 }, { 2026, 3, 29, 1, 0 }, { 2026, 3, 30, 0, 30 },
		     { 2026, 3, 31, 0, 30 });
	/* four matching minutes in the gap: one fire (by hand, from the rule) */
	EXPECT_FIRES("*/15 2 * * *", "Europe/Berlin", utc(2026, 3, 28, 23, 0),
		     { 2026, 3, 29, 1, 0 }, { 2026, 3, 30, 0, 0 }, { 2026, 3, 30, 0, 15 });
	/* '*-*-* 02,03:00,30:00 Europe/Berlin', base 2026-03-29 00:30 UTC:
	 * 02:00 and 02:30 (skipped) and 03:00 are all 01:00Z, once */
	EXPECT_FIRES("0,30 2,3 * * *", "Europe/Berlin", utc(2026, 3, 29, 0, 30),
		     { 2026, 3, 29, 1, 0 }, { 2026, 3, 29, 1, 30 }, { 2026, 3, 30, 0, 0 },
		     { 2026, 3, 30, 0, 30 });
}

/* Berlin, fall back on 2026-10-25 (03:00 CEST -> 02:00 CET at 01:00Z):
 * 02:00-02:59 comes twice.  '*-*-* 02:30:00 Europe/Berlin', base 2026-10-24
 * 12:00 UTC: 10-25 00:30Z, 10-26 01:30Z, 10-27 01:30Z. */
Test(cron_dst, berlin_repeated_hour_fires_at_the_first)
{
	EXPECT_FIRES("30 2 * * *", "Europe/Berlin", utc(2026, 10, 24, 12, 0),
		     { 2026, 10, 25, 0, 30 }, { 2026, 10, 26, 1, 30 }, { 2026, 10, 27, 1, 30 });
	/* '*-*-* *:00/20:00 Europe/Berlin', base 2026-10-25 00:30 UTC: the
	 * second pass (01:00Z-01:59Z) does not fire */
	EXPECT_FIRES("*/20 * * * *", "Europe/Berlin", utc(2026, 10, 25, 0, 30),
		     { 2026, 10, 25, 0, 40 }, { 2026, 10, 25, 2, 0 }, { 2026, 10, 25, 2, 20 },
		     { 2026, 10, 25, 2, 40 });
}

/* `after` in the second pass of the repeated hour (01:10Z, 02:10 CET):
 * 02:30 fired at its first occurrence (00:30Z) and must not fire again at
 * its second (01:30Z). */
Test(cron_dst, berlin_after_between_the_two_occurrences)
{
	EXPECT_FIRES("30 2 * * *", "Europe/Berlin", utc(2026, 10, 25, 1, 10),
		     { 2026, 10, 26, 1, 30 });
	EXPECT_FIRES("30 2 * * *", "Europe/Berlin", utc(2026, 10, 25, 0, 30),
		     { 2026, 10, 26, 1, 30 });
	/* just before the first occurrence: it */
	EXPECT_FIRES("30 2 * * *", "Europe/Berlin", utc(2026, 10, 25, 0, 29),
		     { 2026, 10, 25, 0, 30 });
}

/* New York, spring forward on 2026-03-08 (02:00 EST -> 03:00 EDT at 07:00Z).
 * '*-*-* 02:30:00 America/New_York', base 2026-03-06 12:00 UTC: 03-07
 * 07:30Z, 03-09 06:30Z, 03-10 06:30Z; cadence adds 03-08 07:00Z (the
 * jump, by hand). */
Test(cron_dst, new_york_skipped_hour)
{
	EXPECT_FIRES("30 2 * * *", "America/New_York", utc(2026, 3, 6, 12, 0),
		     { 2026, 3, 7, 7, 30 }, { 2026, 3, 8, 7, 0 }, { 2026, 3, 9, 6, 30 },
		     { 2026, 3, 10, 6, 30 });
	EXPECT_FIRES("*/15 2 * * *", "America/New_York", utc(2026, 3, 8, 5, 0),
		     { 2026, 3, 8, 7, 0 }, { 2026, 3, 9, 6, 0 });
}

/* New York, fall back on 2026-11-01 (02:00 EDT -> 01:00 EST at 06:00Z).
 * '*-*-* 01:30:00 America/New_York', base 2026-10-30 12:00 UTC: 10-31
 * 05:30Z, 11-01 05:30Z, 11-02 06:30Z. */
Test(cron_dst, new_york_repeated_hour)
{
	EXPECT_FIRES("30 1 * * *", "America/New_York", utc(2026, 10, 30, 12, 0),
		     { 2026, 10, 31, 5, 30 }, { 2026, 11, 1, 5, 30 }, { 2026, 11, 2, 6, 30 });
	/* after = 06:10Z, 01:10 EST, the second pass */
	EXPECT_FIRES("30 1 * * *", "America/New_York", utc(2026, 11, 1, 6, 10),
		     { 2026, 11, 2, 6, 30 });
}

/* ---- against a reference, minute by minute ---- */

/* A small deterministic generator: the same expressions on every run. */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* One field of a random expression: values in lo..hi (hot: a narrower
 * band most values fall in, so that fire times are near). */
static void random_field(char *out, size_t size, uint32_t *s, int lo, int hi, int hot_lo,
			 int hot_hi)
{
	int a = hot_lo + (int)(lcg(s) % (uint32_t)(hot_hi - hot_lo + 1));
	int b = a + (int)(lcg(s) % (uint32_t)(hi - a + 1));
	int k = 1 + (int)(lcg(s) % 7);
	switch (lcg(s) % 7) {
	case 0: snprintf(out, size, "*"); break;
	case 1: snprintf(out, size, "*/%d", k); break;
	case 2: snprintf(out, size, "%d", a); break;
	case 3: snprintf(out, size, "%d-%d", a, b); break;
	case 4: snprintf(out, size, "%d-%d/%d", a, b, k); break;
	case 5: snprintf(out, size, "%d,%d", a, lo + (int)(lcg(s) % (uint32_t)(hi - lo + 1))); break;
	default: snprintf(out, size, "%d/%d", a, k); break;
	}
}

/* Whether the fields match a local time, written from the rule (not from
 * cron.c): both day sets when either day field begins with `*`, else
 * either. */
static int ref_matches(const cad_cron *c, int64_t local)
{
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t sec = local - days * 86400;
	int wd = (int)(((days + 4) % 7 + 7) % 7);
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1), mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	int dom = (c->mdays >> d) & 1, dow = (c->wdays >> wd) & 1;
	int day = (c->mday_star || c->wday_star) ? dom && dow : dom || dow;
	return day && ((c->months >> mo) & 1) && ((c->hours >> (sec / 3600)) & 1) &&
	       ((c->minutes >> (sec % 3600 / 60)) & 1);
}

/* Whether cron fires at instant t (a whole minute), from the rules on
 * instants: its local time matches and is not a repeat (the hour before,
 * the clock was an hour ahead), or t is a forward jump and a skipped
 * minute matches.  Both zones tested shift by whole hours. */
static int ref_fires(const cad_cron *c, const cad_tz *tz, int64_t t)
{
	int32_t off = cad_tz_offset(tz, t, NULL);
	int64_t local = t + off;
	if (ref_matches(c, local) && cad_tz_offset(tz, t - 3600, NULL) - off != 3600)
		return 1;
	int32_t before = cad_tz_offset(tz, t - 1, NULL);
	for (int64_t l = t - 60 + before + 60; before < off && l < local; l += 60)
		if (ref_matches(c, l))
			return 1;
	return 0;
}

static void against_reference(const char *zname, const int64_t *windows, size_t nwin,
			      uint32_t seed, int hot_hour_lo, int hot_hour_hi)
{
	cad_tz *tz = zone(zname);
	uint32_t s = seed;
	const int64_t horizon = 3 * 86400;
	for (int i = 0; i < 300; i++) {
		char f[5][24], text[140];
		random_field(f[0], sizeof(f[0]), &s, 0, 59, 0, 59);
		random_field(f[1], sizeof(f[1]), &s, 0, 23, hot_hour_lo, hot_hour_hi);
		random_field(f[2], sizeof(f[2]), &s, 1, 31, 1, 31);
		random_field(f[3], sizeof(f[3]), &s, 1, 12, 1, 12);
		random_field(f[4], sizeof(f[4]), &s, 0, 7, 0, 7);
		for (int k = 2; k < 5; k++)	/* days and months: often any, so that most find one */
			if (lcg(&s) % 2)
				snprintf(f[k], sizeof(f[k]), "*");
		snprintf(text, sizeof(text), "%s %s %s %s %s", f[0], f[1], f[2], f[3], f[4]);
		cad_cron c = parse_ok(text);
		int64_t after = windows[i % nwin] + (int64_t)(lcg(&s) % (3 * 86400));
		if (i % 3 == 0)
			after -= after % 60;	/* on a minute, as a previous fire is */
		int64_t want = -1;
		for (int64_t t = after - (after % 60 + 60) % 60 + 60; t <= after + horizon; t += 60)
			if (t > after && ref_fires(&c, tz, t)) {
				want = t;
				break;
			}
		int64_t got = -1;
		if (cad_cron_next(&c, tz, after, horizon, &got) < 0)
			got = -1;
		cr_assert_eq(got, want, "'%s' in %s after %lld: %lld, the reference %lld", text,
			     zname, (long long)after, (long long)got, (long long)want);
	}
	cad_tz_free(tz);
}

Test(cron_reference, utc_two_months)
{
	const int64_t w[] = { utc(2026, 1, 30, 0, 0), utc(2028, 2, 26, 0, 0), utc(2026, 12, 30, 0, 0) };
	against_reference("UTC", w, 3, 1, 0, 23);
}

/* the days around the changes of 2026, hours near the changes */
Test(cron_reference, berlin_around_its_changes)
{
	const int64_t w[] = { utc(2026, 3, 28, 0, 0), utc(2026, 10, 24, 0, 0) };
	against_reference("Europe/Berlin", w, 2, 7, 1, 3);
}

Test(cron_reference, new_york_around_its_changes)
{
	const int64_t w[] = { utc(2026, 3, 7, 0, 0), utc(2026, 10, 31, 0, 0) };
	against_reference("America/New_York", w, 2, 11, 0, 3);
}
