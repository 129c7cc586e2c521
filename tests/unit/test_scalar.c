/* SPDX-License-Identifier: MIT */
/* Strict scalars: what the format accepts where YAML 1.1 would guess. */
#include "format/scalar.h"

#include <criterion/criterion.h>
#include <string.h>

#define S(lit) lit, strlen(lit)

static int64_t duration_ok(const char *s)
{
	int64_t ms = -1;
	const char *help = NULL;
	const char *err = cad_scalar_duration(s, strlen(s), &ms, &help);
	cr_assert_null(err, "'%s' rejected: %s", s, err);
	return ms;
}

static const char *duration_err(const char *s)
{
	int64_t ms = -1;
	const char *help = NULL;
	const char *err = cad_scalar_duration(s, strlen(s), &ms, &help);
	cr_assert_not_null(err, "'%s' accepted as %lld ms", s, (long long)ms);
	cr_assert_not_null(help);
	return err;
}

Test(scalar, booleans_are_exactly_true_and_false)
{
	int b = -1;
	const char *help = NULL;
	cr_assert_null(cad_scalar_bool(S("true"), &b, &help));
	cr_assert_eq(b, 1);
	cr_assert_null(cad_scalar_bool(S("false"), &b, &help));
	cr_assert_eq(b, 0);
	const char *bad[] = { "flase", "True", "yes", "on", "1", "", "truee", "false " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		help = NULL;
		cr_expect_not_null(cad_scalar_bool(S(bad[i]), &b, &help), "'%s'", bad[i]);
		cr_expect_not_null(help);
	}
}

Test(scalar, integers_are_decimal_without_leading_zeros)
{
	int64_t v = 0;
	const char *help = NULL;
	cr_assert_null(cad_scalar_int(S("30"), &v, &help));
	cr_assert_eq(v, 30);
	cr_assert_null(cad_scalar_int(S("-7"), &v, &help));
	cr_assert_eq(v, -7);
	cr_assert_null(cad_scalar_int(S("0"), &v, &help));
	cr_assert_eq(v, 0);
	cr_assert_null(cad_scalar_int(S("9223372036854775807"), &v, &help));
	cr_assert_eq(v, INT64_MAX);
	cr_assert_null(cad_scalar_int(S("-9223372036854775808"), &v, &help));
	cr_assert_eq(v, INT64_MIN);

	const char *err = cad_scalar_int(S("010"), &v, &help);
	cr_assert_not_null(err);
	cr_assert(strstr(err, "leading zeros"), "%s", err);
	cr_assert(strstr(help, "octal"), "%s", help);
	cr_assert_str_eq(cad_scalar_int(S("9223372036854775808"), &v, &help), "integer out of range");
	cr_assert_str_eq(cad_scalar_int(S("-9223372036854775809"), &v, &help), "integer out of range");
	const char *bad[] = { "30s", "3.0", "0x1F", "1e3", "", "-", "+", " 3", "1_000", "３" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_expect_not_null(cad_scalar_int(S(bad[i]), &v, &help), "'%s' accepted", bad[i]);
}

Test(scalar, numbers)
{
	double d = 0;
	const char *help = NULL;
	cr_assert_null(cad_scalar_number(S("1.5"), &d, &help));
	cr_assert_float_eq(d, 1.5, 1e-12);
	cr_assert_null(cad_scalar_number(S("-2"), &d, &help));
	cr_assert_float_eq(d, -2.0, 1e-12);
	cr_assert_null(cad_scalar_number(S("2.5e3"), &d, &help));
	cr_assert_float_eq(d, 2500.0, 1e-9);
	cr_assert_not_null(cad_scalar_number(S("1e999"), &d, &help));
	const char *bad[] = { "012.5", ".inf", ".nan", "1.5.2", "2x", "", "nan", "inf", "0x10" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_expect_not_null(cad_scalar_number(S(bad[i]), &d, &help), "'%s' accepted", bad[i]);
}

Test(scalar, durations_parse_exactly)
{
	cr_assert_eq(duration_ok("500ms"), 500);
	cr_assert_eq(duration_ok("5s"), 5000);
	cr_assert_eq(duration_ok("2m"), 120000);
	cr_assert_eq(duration_ok("1h"), 3600000);
	cr_assert_eq(duration_ok("1h30m"), 5400000);
	cr_assert_eq(duration_ok("1m30s"), 90000);
	cr_assert_eq(duration_ok("1.5s"), 1500);
	cr_assert_eq(duration_ok("0s"), 0);
}

Test(scalar, durations_reject_guesses)
{
	cr_assert_str_eq(duration_err("30"), "a duration needs a unit");
	cr_assert_str_eq(duration_err("2mins"), "unknown duration unit");
	cr_assert_str_eq(duration_err("0.5ms"), "duration is not a whole number of milliseconds");
	cr_assert_str_eq(duration_err("99999999999h"), "duration out of range");
	const char *bad[] = { "", "s", "5 s", "-5s", "+5s", "5S", "1.s", "ms", "5s ", "P1D", "1d" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		duration_err(bad[i]);
}

Test(scalar, null_and_ambiguous)
{
	cr_assert(cad_scalar_is_null(S("")));
	cr_assert(cad_scalar_is_null(S("~")));
	cr_assert(cad_scalar_is_null(S("null")));
	cr_assert_not(cad_scalar_is_null(S("nil")));
	const char *amb[] = { "yes", "No", "on", "OFF", "y", "True", "010", "0x1F", "0o17", "1:30", ".inf", ".NaN" };
	for (size_t i = 0; i < sizeof(amb) / sizeof(*amb); i++)
		cr_expect(cad_scalar_is_ambiguous(S(amb[i])), "'%s' not ambiguous", amb[i]);
	const char *plain[] = { "pending", "10", "1.5", "true", "0", "EUR", "10:30am" };
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		cr_expect_not(cad_scalar_is_ambiguous(S(plain[i])), "'%s' ambiguous", plain[i]);
}

Test(scalar, names)
{
	size_t bad = 99;
	cr_assert_null(cad_scalar_name(S("fetch_items"), &bad));
	cr_assert_null(cad_scalar_name(S("_x9"), &bad));
	cr_assert_not_null(cad_scalar_name(S("check-out"), &bad));
	cr_assert_eq(bad, 5);
	cr_assert_not_null(cad_scalar_name(S("9lives"), &bad));
	cr_assert_eq(bad, 0);
	cr_assert_not_null(cad_scalar_name(S(""), &bad));
	cr_assert_not_null(cad_scalar_name(S("if"), &bad));
	cr_assert(cad_scalar_is_reserved(S("in")));
	cr_assert_not(cad_scalar_is_reserved(S("input")));

	char longname[NAME_MAX_LEN + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_assert_null(cad_scalar_name(longname, NAME_MAX_LEN, &bad));
	cr_assert_not_null(cad_scalar_name(longname, NAME_MAX_LEN + 1, &bad));

	char buf[NAME_MAX_LEN + 1];
	cad_scalar_name_suggest(S("check-out"), buf, sizeof(buf));
	cr_assert_str_eq(buf, "check_out");
	cad_scalar_name_suggest(S("if"), buf, sizeof(buf));
	cr_assert_null(cad_scalar_name(buf, strlen(buf), &bad), "suggestion '%s' invalid", buf);
	cad_scalar_name_suggest(S("9lives"), buf, sizeof(buf));
	cr_assert_null(cad_scalar_name(buf, strlen(buf), &bad), "suggestion '%s' invalid", buf);
	cad_scalar_name_suggest(longname, NAME_MAX_LEN + 1, buf, sizeof(buf));
	cr_assert_null(cad_scalar_name(buf, strlen(buf), &bad), "suggestion '%s' invalid", buf);
}
