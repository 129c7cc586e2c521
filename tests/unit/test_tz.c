/* SPDX-License-Identifier: MIT */
/*
 * sched/tz: cadence's TZif reader against the C library (which the test,
 * unlike the library, may point at a zone with TZ), the daylight-saving
 * gaps and overlaps written out by hand, and bad names and corrupt files.
 */
#define _DEFAULT_SOURCE	/* timegm, tm_gmtoff, tm_zone */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cadence/common.h"
#include "sched/tz.h"
#include "tmpdir.h"

#define SYSTEM_TZDIR "/usr/share/zoneinfo"

/* UTC seconds of a calendar time, computed without any zone */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi };
	return (int64_t)timegm(&tm);
}

static cad_tz *load_ok(const char *name)
{
	cad_tz *tz = NULL;
	strbuf why = STRBUF_INIT;
	int rc = cad_tz_load(&tz, name, &why);
	cr_assert_eq(rc, 0, "%s: %d %s", name, rc, cad_strbuf_cstr(&why));
	cr_assert_str_eq(cad_tz_name(tz), name);
	cad_strbuf_free(&why);
	return tz;
}

/* ---- against the C library -------------------------------------------------------- */

/* offset and abbreviation at t agree with localtime_r in the zone TZ names,
 * and t is one of the instants of its own local time */
static void agree_at(const cad_tz *tz, const char *zone, time_t t)
{
	struct tm tm;
	cr_assert_not_null(localtime_r(&t, &tm));
	const char *abbr = NULL;
	int32_t off = cad_tz_offset(tz, t, &abbr);
	cr_assert_eq(off, tm.tm_gmtoff, "%s at %lld: offset %ld, the C library says %ld", zone,
		     (long long)t, (long)off, (long)tm.tm_gmtoff);
	cr_assert(abbr && !strcmp(abbr, tm.tm_zone), "%s at %lld: abbreviation %s, the C library "
		  "says %s", zone, (long long)t, abbr ? abbr : "(null)", tm.tm_zone);
	int64_t local = cad_tz_local(tz, t), out[2], after;
	cr_assert_eq(local, (int64_t)t + tm.tm_gmtoff);
	int n = cad_tz_instants(tz, local, out, &after);
	cr_assert(n >= 1 && (out[0] == t || (n == 2 && out[1] == t)) && after == out[0],
		  "%s: %lld is not an instant of its local time %lld (%d found)", zone,
		  (long long)t, (long long)local, n);
	for (int i = 0; i < n; i++)
		cr_assert_eq(cad_tz_local(tz, out[i]), local);
}

/* Every hour (and a quarter: zones with :30 and :45 offsets change at
 * odd minutes) 1970-2040, then every 25 hours (all hours of the day) up
 * to 2200, where only the footer's rules decide. */
static void cross_check(const char *zone, const char *tzenv)
{
	cad_tz *tz = load_ok(zone);
	cr_assert_eq(setenv("TZ", tzenv, 1), 0);
	tzset();
	int64_t y2040 = utc(2040, 1, 1, 0, 0), y2200 = utc(2200, 1, 1, 0, 0);
	for (int64_t t = 0; t < y2040; t += 3600 + 900)
		agree_at(tz, zone, (time_t)t);
	for (int64_t t = y2040; t < y2200; t += 25 * 3600)
		agree_at(tz, zone, (time_t)t);
	cad_tz_free(tz);
}

static void cross_check_zone(const char *zone)
{
	char env[128];
	snprintf(env, sizeof(env), ":%s", zone);
	cross_check(zone, env);
}

Test(tz_libc, europe_berlin) { cross_check_zone("Europe/Berlin"); }
Test(tz_libc, america_new_york) { cross_check_zone("America/New_York"); }
Test(tz_libc, asia_kathmandu) { cross_check_zone("Asia/Kathmandu"); }
Test(tz_libc, australia_lord_howe) { cross_check_zone("Australia/Lord_Howe"); }
Test(tz_libc, pacific_apia) { cross_check_zone("Pacific/Apia"); }
Test(tz_libc, america_sao_paulo) { cross_check_zone("America/Sao_Paulo"); }
Test(tz_libc, utc) { cross_check_zone("UTC"); }

/* ---- gaps and overlaps ----------------------------------------------------------------- */

static void gap(const char *zone, int64_t local, int64_t jump)
{
	cad_tz *tz = load_ok(zone);
	int64_t out[2] = { -1, -1 }, after = -1;
	cr_assert_eq(cad_tz_instants(tz, local, out, &after), 0, "%s %lld", zone, (long long)local);
	cr_assert_eq(after, jump, "%s: after %lld, expected %lld", zone, (long long)after,
		     (long long)jump);
	cad_tz_free(tz);
}

static void overlap(const char *zone, int64_t local, int64_t first, int64_t second)
{
	cad_tz *tz = load_ok(zone);
	int64_t out[2] = { -1, -1 }, after = -1;
	cr_assert_eq(cad_tz_instants(tz, local, out, &after), 2, "%s %lld", zone, (long long)local);
	cr_assert_eq(out[0], first);
	cr_assert_eq(out[1], second);
	cr_assert_eq(after, first);
	cad_tz_free(tz);
}

static void single(const char *zone, int64_t local, int64_t t)
{
	cad_tz *tz = load_ok(zone);
	int64_t out[2] = { -1, -1 }, after = -1;
	cr_assert_eq(cad_tz_instants(tz, local, out, &after), 1, "%s %lld", zone, (long long)local);
	cr_assert_eq(out[0], t, "%s: %lld, expected %lld", zone, (long long)out[0], (long long)t);
	cr_assert_eq(after, t);
	cad_tz_free(tz);
}

Test(tz_dst, europe_berlin_2026)
{
	gap("Europe/Berlin", utc(2026, 3, 29, 2, 30), utc(2026, 3, 29, 1, 0));
	gap("Europe/Berlin", utc(2026, 3, 29, 2, 0), utc(2026, 3, 29, 1, 0));
	single("Europe/Berlin", utc(2026, 3, 29, 3, 0), utc(2026, 3, 29, 1, 0));
	single("Europe/Berlin", utc(2026, 3, 29, 1, 59), utc(2026, 3, 29, 0, 59));
	overlap("Europe/Berlin", utc(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30),
		utc(2026, 10, 25, 1, 30));
	single("Europe/Berlin", utc(2026, 10, 25, 3, 0), utc(2026, 10, 25, 2, 0));
	single("Europe/Berlin", utc(2026, 7, 1, 12, 0), utc(2026, 7, 1, 10, 0));
}

Test(tz_dst, america_new_york_2026)
{
	gap("America/New_York", utc(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 0));
	overlap("America/New_York", utc(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30),
		utc(2026, 11, 1, 6, 30));
}

Test(tz_dst, historical_from_the_table)
{
	gap("Europe/Berlin", utc(1980, 4, 6, 2, 30), utc(1980, 4, 6, 1, 0));
	/* Kathmandu moved from +05:30 to +05:45 on 1986-01-01 */
	gap("Asia/Kathmandu", utc(1986, 1, 1, 0, 5), utc(1985, 12, 31, 18, 30));
	single("Asia/Kathmandu", utc(1986, 1, 1, 0, 15), utc(1985, 12, 31, 18, 30));
	/* Apia crossed the date line: 2011-12-30 never happened */
	gap("Pacific/Apia", utc(2011, 12, 30, 12, 0), utc(2011, 12, 30, 10, 0));
	gap("Pacific/Apia", utc(2011, 12, 30, 0, 0), utc(2011, 12, 30, 10, 0));
	single("Pacific/Apia", utc(2011, 12, 31, 0, 0), utc(2011, 12, 30, 10, 0));
	single("Pacific/Apia", utc(2011, 12, 29, 23, 59), utc(2011, 12, 30, 9, 59));
}

Test(tz_dst, half_hour_dst_of_lord_howe)
{
	gap("Australia/Lord_Howe", utc(2026, 10, 4, 2, 15), utc(2026, 10, 3, 15, 30));
	single("Australia/Lord_Howe", utc(2026, 10, 4, 2, 30), utc(2026, 10, 3, 15, 30));
	overlap("Australia/Lord_Howe", utc(2026, 4, 5, 1, 45), utc(2026, 4, 4, 14, 45),
		utc(2026, 4, 4, 15, 15));
}

Test(tz_dst, far_future_from_the_footer)
{
	gap("Europe/Berlin", utc(2100, 3, 28, 2, 30), utc(2100, 3, 28, 1, 0));
	overlap("Europe/Berlin", utc(2100, 10, 31, 2, 30), utc(2100, 10, 31, 0, 30),
		utc(2100, 10, 31, 1, 30));
	gap("America/New_York", utc(2200, 3, 9, 2, 30), utc(2200, 3, 9, 7, 0));
	/* beyond any table: the footer repeats every 400 years */
	gap("Europe/Berlin", utc(2100, 3, 28, 2, 30) + 146097LL * 86400 * 1000,
	    utc(2100, 3, 28, 1, 0) + 146097LL * 86400 * 1000);
}

static cad_tz *footer_zone(const char *posix);

/* the ends of int64_t: answers, no overflow (UBSan builds check) */
static void extremes(cad_tz *tz)
{
	int64_t out[2], after;
	int64_t ends[] = { INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, 0 };
	for (size_t i = 0; i < sizeof(ends) / sizeof(*ends); i++) {
		int32_t off = cad_tz_offset(tz, ends[i], NULL);
		cr_assert(off > -86400 && off < 86400);
		(void)cad_tz_local(tz, ends[i]);
		int n = cad_tz_instants(tz, ends[i], out, &after);
		cr_assert(n >= 0 && n <= 2);
	}
	cad_tz_free(tz);
}

Test(tz_dst, extremes_do_not_overflow)
{
	extremes(load_ok("Europe/Berlin"));
	extremes(footer_zone("CET-1CEST,M3.5.0,M10.5.0/3"));
	extremes(footer_zone("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"));
	/* far from the table, the footer's 400-year cycle still holds */
	cad_tz *tz = footer_zone("CET-1CEST,M3.5.0,M10.5.0/3");
	int64_t shift = 146097LL * 86400 * 20000000;
	int64_t out[2], after;
	cr_assert_eq(cad_tz_instants(tz, utc(2026, 3, 29, 2, 30) - shift, out, &after), 0);
	cr_assert_eq(after, utc(2026, 3, 29, 1, 0) - shift);
	cr_assert_eq(cad_tz_instants(tz, utc(2026, 10, 25, 2, 30) + shift, out, &after), 2);
	cr_assert_eq(out[1], utc(2026, 10, 25, 1, 30) + shift);
	cad_tz_free(tz);
}

/* ---- names ------------------------------------------------------------------------- */

static void bad_name(const char *name, int code, const char *says)
{
	cad_tz *tz = (cad_tz *)1;
	strbuf why = STRBUF_INIT;
	int rc = cad_tz_load(&tz, name, &why);
	cr_assert_eq(rc, code, "'%s': %d", name, rc);
	cr_assert_null(tz);
	cr_assert(cad_strbuf_cstr(&why) && strstr(why.buf, says), "'%s': %s", name,
		  cad_strbuf_cstr(&why));
	/* a zone name to follow: the nearest, or an example */
	cr_assert(strstr(why.buf, "did you mean '") || strstr(why.buf, "Europe/Berlin"),
		  "the message shows a zone name: %s", why.buf);
	cad_strbuf_free(&why);
}

Test(tz_name, names_that_leave_the_tzdata_or_are_no_zone)
{
	bad_name("../etc/passwd", CADENCE_ENOTFOUND, "is not a time zone name");
	bad_name("/etc/passwd", CADENCE_ENOTFOUND, "is not a time zone name");
	bad_name("", CADENCE_ENOTFOUND, "is not a time zone name");
	bad_name("Europe/", CADENCE_ENOTFOUND, "is not a time zone name");
	bad_name("Europe//Berlin", CADENCE_ENOTFOUND, "is not a time zone name");
	bad_name("Europe/./Berlin", CADENCE_ENOTFOUND, "is not a time zone name");
	bad_name("Europe/Berlin ", CADENCE_ENOTFOUND, "is not a time zone name");
	bad_name("zone.tab", CADENCE_ENOTFOUND, "is not a time zone name");
	bad_name("Nope/Nowhere", CADENCE_ENOTFOUND, "no time zone 'Nope/Nowhere'");
	bad_name("Europe", CADENCE_ENOTFOUND, "directory");
	bad_name("Europe/Berln", CADENCE_ENOTFOUND, "did you mean 'Europe/Berlin'?");
	bad_name("Asia/Katmandu_", CADENCE_ENOTFOUND, "did you mean 'Asia/Katmandu'?");
	bad_name("Europe/Berlin/x", CADENCE_ENOTFOUND, "no such file");
}

Test(tz_name, names_with_plus_minus_and_underscore)
{
	cad_tz *tz = load_ok("Etc/GMT-14");
	cr_assert_eq(cad_tz_offset(tz, 0, NULL), 14 * 3600);
	cad_tz_free(tz);
	tz = load_ok("America/Port-au-Prince");
	cad_tz_free(tz);
	tz = load_ok("America/Sao_Paulo");
	cad_tz_free(tz);
}

static char *tmp_tzdir(void)
{
	static char dir[512];	/* one per test process */
	cr_assert_not_null(test_mkdtemp(dir, sizeof(dir), "tz"));
	cr_assert_eq(setenv("TZDIR", dir, 1), 0);
	return dir;
}

Test(tz_name, utc_and_gmt_without_the_tzdata)
{
	char *dir = tmp_tzdir();
	const char *names[] = { "UTC", "Etc/UTC", "GMT", "Etc/GMT" };
	const char *abbrs[] = { "UTC", "UTC", "GMT", "GMT" };
	for (int i = 0; i < 4; i++) {
		cad_tz *tz = load_ok(names[i]);
		const char *abbr = NULL;
		cr_assert_eq(cad_tz_offset(tz, 1790000000, &abbr), 0);
		cr_assert_str_eq(abbr, abbrs[i]);
		int64_t out[2], after;
		cr_assert_eq(cad_tz_instants(tz, 1790000000, out, &after), 1);
		cr_assert_eq(out[0], 1790000000);
		cad_tz_free(tz);
	}
	strbuf why = STRBUF_INIT;
	cad_tz *tz;
	cr_assert_eq(cad_tz_load(&tz, "Europe/Berlin", &why), CADENCE_ENOTFOUND);
	cr_assert(strstr(cad_strbuf_cstr(&why), dir), "the message names TZDIR: %s", why.buf);
	cad_strbuf_free(&why);
	rmdir(dir);
}

/* ---- TZif files made here ------------------------------------------------------------- */

typedef struct tzbytes {
	unsigned char b[4096];
	size_t n;
} tzbytes;

static void put(tzbytes *f, const void *p, size_t n)
{
	cr_assert(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put32(tzbytes *f, uint32_t v)
{
	unsigned char c[4] = { v >> 24, v >> 16, v >> 8, v };
	put(f, c, 4);
}

static void put64(tzbytes *f, int64_t v)
{
	put32(f, (uint32_t)((uint64_t)v >> 32));
	put32(f, (uint32_t)v);
}

static void header(tzbytes *f, char version, uint32_t timecnt, uint32_t typecnt,
		   uint32_t charcnt)
{
	put(f, "TZif", 4);
	put(f, &version, 1);
	put(f, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15);
	put32(f, 0), put32(f, 0), put32(f, 0);	/* isut, isstd, leap */
	put32(f, timecnt), put32(f, typecnt), put32(f, charcnt);
}

/* A zone at +01:00 "AAA" until 2000-01-01T00:00Z, then +02:00 "BBB"
 * (DST), then the footer; version '\0' has no footer nor 64-bit part. */
static void make_zone(tzbytes *f, char version, const char *footer)
{
	f->n = 0;
	int64_t when = 946684800;
	static const char chars[] = "AAA\0BBB";
	header(f, version, 1, 2, sizeof(chars));
	put32(f, (uint32_t)when);
	put(f, "\1", 1);
	put32(f, 3600), put(f, "\0\0", 2);
	put32(f, 7200), put(f, "\1\4", 2);
	put(f, chars, sizeof(chars));
	if (!version)
		return;
	header(f, version, 1, 2, sizeof(chars));
	put64(f, when);
	put(f, "\1", 1);
	put32(f, 3600), put(f, "\0\0", 2);
	put32(f, 7200), put(f, "\1\4", 2);
	put(f, chars, sizeof(chars));
	put(f, "\n", 1);
	put(f, footer, strlen(footer));
	put(f, "\n", 1);
}

static void write_zone(const char *dir, const char *name, const void *b, size_t n)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(b, 1, n, fp), n);
	cr_assert_eq(fclose(fp), 0);
}

static int load_rc(const char *name, strbuf *why)
{
	cad_tz *tz = NULL;
	cad_strbuf_reset(why);
	int rc = cad_tz_load(&tz, name, why);
	cr_assert_eq(rc != 0, tz == NULL);
	cad_tz_free(tz);
	return rc;
}

static void corrupt_says(const char *dir, const tzbytes *f, const char *says)
{
	strbuf why = STRBUF_INIT;
	write_zone(dir, "Bad", f->b, f->n);
	cr_assert_eq(load_rc("Bad", &why), CADENCE_EINVALID, "expected '%s'", says);
	cr_assert(strstr(cad_strbuf_cstr(&why), says), "'%s' not in: %s", says, why.buf);
	cr_assert(strstr(why.buf, "not a valid TZif"), "%s", why.buf);
	cad_strbuf_free(&why);
}

Test(tz_file, made_zones_of_every_version_load)
{
	char *dir = tmp_tzdir();
	const char versions[] = { '\0', '2', '3', '4' };
	for (int i = 0; i < 4; i++) {
		tzbytes f;
		make_zone(&f, versions[i], "CCC-3");
		write_zone(dir, "Made", f.b, f.n);
		cad_tz *tz = load_ok("Made");
		const char *abbr;
		cr_assert_eq(cad_tz_offset(tz, 946684799, &abbr), 3600);
		cr_assert_str_eq(abbr, "AAA");
		/* a file without a footer keeps its last type; one with a footer
		 * follows it after the last transition */
		cr_assert_eq(cad_tz_offset(tz, 946684800 + 86400, &abbr), versions[i] ? 3 * 3600 : 7200);
		cr_assert_str_eq(abbr, versions[i] ? "CCC" : "BBB");
		cad_tz_free(tz);
	}
	/* a 32-bit block of nothing (as zic -b slim may write): skipped */
	tzbytes v;
	make_zone(&v, '2', "CCC-3");
	tzbytes slim;
	slim.n = 0;
	header(&slim, '2', 0, 0, 0);
	put(&slim, v.b + 69, v.n - 69);
	write_zone(dir, "Slim", slim.b, slim.n);
	cad_tz *s = load_ok("Slim");
	cr_assert_eq(cad_tz_offset(s, 2000000000, NULL), 3 * 3600);
	cad_tz_free(s);
	/* an empty footer: the last type lasts */
	tzbytes f;
	make_zone(&f, '2', "");
	write_zone(dir, "Made", f.b, f.n);
	cad_tz *tz = load_ok("Made");
	cr_assert_eq(cad_tz_offset(tz, 2000000000, NULL), 7200);
	cad_tz_free(tz);
}

Test(tz_file, corrupt_files)
{
	char *dir = tmp_tzdir();
	tzbytes f;
	make_zone(&f, '2', "CCC-3");
	f.b[0] = 'X';
	corrupt_says(dir, &f, "does not begin with \"TZif\"");
	make_zone(&f, '2', "CCC-3");
	f.b[4] = '1';
	corrupt_says(dir, &f, "version");
	make_zone(&f, '2', "CCC-3");
	f.b[32] = 0x7f;	/* timecnt of the first header: 2^31 transitions */
	corrupt_says(dir, &f, "need more than its");
	make_zone(&f, '\0', NULL);
	f.b[39] = 0;	/* typecnt 0 */
	corrupt_says(dir, &f, "local time types");
	make_zone(&f, '2', "CCC-3");
	f.b[69 + 39] = 0;	/* typecnt 0, in the second header */
	corrupt_says(dir, &f, "local time types");
	/* a version 1 file: its 32-bit block is the data (offsets of make_zone) */
	make_zone(&f, '\0', NULL);
	f.b[48] = 5;	/* the transition's type: 5 of 2 */
	corrupt_says(dir, &f, "has type 5 of 2");
	make_zone(&f, '\0', NULL);
	f.b[60] = 9;	/* the second type's abbreviation at 9 of 8 bytes */
	corrupt_says(dir, &f, "local time type 2");
	make_zone(&f, '\0', NULL);
	f.b[56] = 0x7f;	/* the second type's offset: about 97 days */
	corrupt_says(dir, &f, "local time type 2");
	/* version 2 and later: the 64-bit block is read, the 32-bit one skipped */
	f.n = 0;	/* two transitions out of order */
	header(&f, '\0', 2, 1, 4);
	put32(&f, 100), put32(&f, 50), put(&f, "\0\0", 2);
	put32(&f, 0), put(&f, "\0\0", 2), put(&f, "UTC", 4);
	corrupt_says(dir, &f, "transition 2 is not later than the one before");
	make_zone(&f, '2', "CCC-3");
	f.b[121] = 5;
	corrupt_says(dir, &f, "has type 5 of 2");
	make_zone(&f, '2', "CCC-3");
	f.b[48] = 5;	/* in the 32-bit block: ignored, as RFC 8536 says */
	write_zone(dir, "Bad", f.b, f.n);
	strbuf why = STRBUF_INIT;
	cr_assert_eq(load_rc("Bad", &why), 0, "%s", cad_strbuf_cstr(&why));
	cad_strbuf_free(&why);
	make_zone(&f, '2', "CCC-3");
	f.b[104] = 3;	/* the second header's timecnt: 3 transitions */
	corrupt_says(dir, &f, "need more than its");
	make_zone(&f, '2', "CCC-3");
	f.n -= 20;	/* cut within the 64-bit data */
	corrupt_says(dir, &f, "need more than its");
	make_zone(&f, '2', "CCC-3");
	f.n -= 1;	/* the footer's closing newline */
	corrupt_says(dir, &f, "footer");
	make_zone(&f, '2', "CCC-3");
	f.b[69] = 'X';
	corrupt_says(dir, &f, "its second header does not begin with \"TZif\"");
	make_zone(&f, '2', "CCC-3");
	f.n = 30;
	corrupt_says(dir, &f, "ends within a header");
	f.n = 0;
	corrupt_says(dir, &f, "ends within a header");
	const char *footers[] = { "CET", "C-1", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
				  "CET-1CEST,M3.5.7,M10.5.0", "CET-25", "<CET-1", "CET-1CEST,J0,J365",
				  "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1CEST,M3.5.0,M10.5.0x",
				  "CET-1:60", ":Europe/Berlin" };
	for (size_t i = 0; i < sizeof(footers) / sizeof(*footers); i++) {
		make_zone(&f, '3', footers[i]);
		corrupt_says(dir, &f, "is not a POSIX TZ string");
	}
}

Test(tz_file, leap_seconds_and_large_files_are_refused)
{
	char *dir = tmp_tzdir();
	tzbytes f;
	f.n = 0;
	header(&f, '\0', 0, 1, 4);
	f.b[31] = 1;	/* leapcnt */
	put32(&f, 0), put(&f, "\0\0", 2), put(&f, "UTC", 4);
	put32(&f, 100), put32(&f, 1);
	write_zone(dir, "Leap", f.b, f.n);
	strbuf why = STRBUF_INIT;
	cr_assert_eq(load_rc("Leap", &why), CADENCE_EINVALID);
	cr_assert(strstr(cad_strbuf_cstr(&why), "counts leap seconds"), "%s", why.buf);
	cr_assert(strstr(why.buf, "without \"right/\""), "%s", why.buf);
	static unsigned char big[1024 * 1024 + 1];
	memcpy(big, "TZif2", 5);
	write_zone(dir, "Big", big, sizeof(big));
	cr_assert_eq(load_rc("Big", &why), CADENCE_EINVALID);
	cr_assert(strstr(cad_strbuf_cstr(&why), "larger than 1 MiB"), "%s", why.buf);
	cad_strbuf_free(&why);
}

static size_t read_system_zone(const char *name, unsigned char *buf, size_t cap)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", SYSTEM_TZDIR, name);
	FILE *fp = fopen(path, "rb");
	cr_assert_not_null(fp, "%s", path);
	size_t n = fread(buf, 1, cap, fp);
	fclose(fp);
	cr_assert(n > 0 && n < cap);
	return n;
}

/* every cut of a real file is refused, and no flipped byte crashes */
Test(tz_file, every_truncation_and_flips_of_a_real_file)
{
	char *dir = tmp_tzdir();
	static unsigned char b[65536];
	size_t n = read_system_zone("Europe/Berlin", b, sizeof(b));
	strbuf why = STRBUF_INIT;
	write_zone(dir, "Whole", b, n);
	cr_assert_eq(load_rc("Whole", &why), 0, "%s", cad_strbuf_cstr(&why));
	for (size_t len = 0; len < n; len++) {
		write_zone(dir, "Cut", b, len);
		cr_assert_eq(load_rc("Cut", &why), CADENCE_EINVALID, "cut at %zu of %zu", len, n);
		cr_assert(why.len > 0);
	}
	unsigned seed = 12345;
	for (int i = 0; i < 3000; i++) {
		seed = seed * 1103515245u + 12345u;
		size_t at = (seed >> 8) % n;
		unsigned char keep = b[at];
		b[at] ^= (unsigned char)(1u << (seed % 8));
		write_zone(dir, "Flip", b, n);
		cad_tz *tz = NULL;
		cad_strbuf_reset(&why);
		int rc = cad_tz_load(&tz, "Flip", &why);
		cr_assert(rc == 0 || rc == CADENCE_EINVALID, "flip at %zu: %d", at, rc);
		if (tz) {	/* a zone that loads answers without crashing */
			int64_t out[2], after;
			(void)cad_tz_offset(tz, 1790000000, NULL);
			(void)cad_tz_instants(tz, 1790000000, out, &after);
		}
		cad_tz_free(tz);
		b[at] = keep;
	}
	cad_strbuf_free(&why);
}

/* ---- footers against the C library's own POSIX TZ parser ------------------------------ */

/* a zone of no transitions and this footer, in a new TZDIR, as "Rule" */
static cad_tz *footer_zone(const char *posix)
{
	char *dir = tmp_tzdir();
	tzbytes f;
	f.n = 0;
	/* no transitions: the footer decides at every instant */
	header(&f, '3', 0, 1, 4);
	put32(&f, 0), put(&f, "\0\0", 2), put(&f, "XXX", 4);
	header(&f, '3', 0, 1, 4);
	put32(&f, 0), put(&f, "\0\0", 2), put(&f, "XXX", 4);
	put(&f, "\n", 1), put(&f, posix, strlen(posix)), put(&f, "\n", 1);
	write_zone(dir, "Rule", f.b, f.n);
	return load_ok("Rule");
}

static void footer_agrees(const char *posix)
{
	cad_tz *tz = footer_zone(posix);
	/* the TZDIR of footer_zone has no file of this name: the C library
	 * parses the string, and has no posixrules for a missing rule */
	cr_assert_eq(setenv("TZ", posix, 1), 0);
	tzset();
	for (int64_t t = utc(1990, 1, 1, 0, 0); t < utc(2110, 1, 1, 0, 0); t += 3600 * 7 + 60 * 15)
		agree_at(tz, posix, (time_t)t);
	cad_tz_free(tz);
}

Test(tz_footer, month_week_day_rules) { footer_agrees("CET-1CEST,M3.5.0,M10.5.0/3"); }
Test(tz_footer, us_rules) { footer_agrees("EST5EDT,M3.2.0,M11.1.0"); }
Test(tz_footer, quoted_names_and_minutes) { footer_agrees("<+0330>-3:30"); }
Test(tz_footer, southern_half_hour_dst) { footer_agrees("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"); }
Test(tz_footer, julian_rules) { footer_agrees("AAA3BBB,J60/1:30,J300/0:00:30"); }
Test(tz_footer, zero_based_day_rules) { footer_agrees("AAA-2BBB-3,59,300/23"); }
Test(tz_footer, hours_beyond_24) { footer_agrees("IST-2IDT,M3.4.4/26,M10.5.0"); }
Test(tz_footer, negative_hours) { footer_agrees("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1"); }

/* RFC 8536's DST all year (glibc 2.36 returns to EST for the first hours
 * of each year: it is not the reference here) */
Test(tz_footer, dst_all_year)
{
	cad_tz *tz = footer_zone("EST5EDT4,0/0,J365/25");
	for (int64_t t = utc(1990, 1, 1, 0, 0); t < utc(2110, 1, 1, 0, 0); t += 3600 * 7 + 60 * 15) {
		const char *abbr = NULL;
		cr_assert_eq(cad_tz_offset(tz, t, &abbr), -4 * 3600, "at %lld", (long long)t);
		cr_assert_str_eq(abbr, "EDT");
	}
	int64_t out[2], after;
	cr_assert_eq(cad_tz_instants(tz, utc(2030, 1, 1, 0, 30), out, &after), 1);
	cr_assert_eq(out[0], utc(2030, 1, 1, 4, 30));
	cad_tz_free(tz);
}
Test(tz_footer, default_dst_offset_and_rules) { footer_agrees("EST5EDT"); }
