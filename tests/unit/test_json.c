/* SPDX-License-Identifier: MIT */
/* util/json: the one JSON number printer, the tree printer, and reading
 * JSON text from outside (issue 14 items 6, 7 and 9). */
#include "util/json.h"

#include <criterion/criterion.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *number(double d)
{
	static char out[64];
	strbuf sb = STRBUF_INIT;
	cr_assert_eq(cad_json_number(&sb, d), 0, "%.17g", d);
	cr_assert_not_null(cad_strbuf_cstr(&sb));
	cr_assert_lt(sb.len, sizeof(out));
	memcpy(out, sb.buf, sb.len + 1);
	cad_strbuf_free(&sb);
	return out;
}

static void integer_exact(int64_t i)
{
	char want[32];
	snprintf(want, sizeof(want), "%" PRId64, i);
	cr_assert_str_eq(number((double)i), want);
}

/* issue 14 item 6: cJSON's "%1.15g" turned 9007199254740991 into
 * 9.00719925474099e+15, and about one integer in nine of [1e15, 2^53]
 * into another number */
Test(json_number, integers_up_to_2_53_exactly)
{
	const int64_t top = (int64_t)1 << 53;
	for (int64_t i = top - 100000; i <= top; i++)
		integer_exact(i);
	for (int64_t i = 1000000000000000; i < 1000000000000000 + 100000; i++)
		integer_exact(i);
	/* and spread over the whole range, with a fixed seed */
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (int n = 0; n < 200000; n++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t i = 1000000000000000 + (int64_t)(x % (uint64_t)(top - 1000000000000000));
		integer_exact(i);
		integer_exact(-i);
	}
	integer_exact(0);
	integer_exact(1);
	integer_exact(-1);
	integer_exact(-top);
	cr_assert_str_eq(number(1e15), "1000000000000000");	/* not 1e+15 */
}

Test(json_number, minus_zero_keeps_its_sign)
{
	const char *s = number(-0.0);
	cr_assert_str_eq(s, "-0");
	double back = strtod(s, NULL);
	cr_assert(back == 0 && signbit(back));
	cr_assert_str_eq(number(0.0), "0");
}

/* what reads back is the same double, bit for bit, in at most 17
 * significant digits ("-1.2345678901234567e-308": 24 characters) */
static void round_trips(double d)
{
	const char *s = number(d);
	double back = strtod(s, NULL);
	cr_assert(memcmp(&back, &d, sizeof(d)) == 0, "%.17g printed as %s", d, s);
	cr_assert_leq(strlen(s), 24, "%s", s);
}

/* 100,000 random bit patterns take every path of cad_fmt_double(): about
 * 5,900 read back at 15 digits, 48,800 at 16, 45,100 at 17, 49
 * subnormals and 95 integers (500,000 took 1 s for the same paths) */
Test(json_number, random_doubles_round_trip)
{
	uint64_t x = 88172645463325252u;
	for (int n = 0; n < 100000; n++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double d;
		memcpy(&d, &x, sizeof(d));
		if (isfinite(d))
			round_trips(d);
	}
	/* and numbers people write */
	for (int i = -100000; i <= 100000; i++)
		round_trips(i / 100.0);
}

Test(json_number, shortest_form)
{
	cr_assert_str_eq(number(0.1), "0.1");
	cr_assert_str_eq(number(12.5), "12.5");
	cr_assert_str_eq(number(123456789012345.6), "123456789012345.6");	/* cJSON: ...5.59 */
	cr_assert_str_eq(number(0.1 + 0.2), "0.30000000000000004");
	cr_assert_str_eq(number(1e300), "1e+300");
	cr_assert_str_eq(number(-2.5e-8), "-2.5e-08");
	/* beyond 2^53 an integral double is a double like any other */
	cr_assert_str_eq(number(9007199254740994.0), "9007199254740994");
	cr_assert_str_eq(number(1e20), "1e+20");
}

Test(json_number, tiny_and_huge_exponents)
{
	cr_assert_str_eq(number(DBL_MAX), "1.7976931348623157e+308");
	cr_assert_str_eq(number(-DBL_MAX), "-1.7976931348623157e+308");
	cr_assert_str_eq(number(DBL_MIN), "2.2250738585072014e-308");
	cr_assert_str_eq(number(5e-324), "5e-324");	/* the smallest subnormal */
	cr_assert_str_eq(number(1.5e-310), "1.5e-310");
	round_trips(DBL_TRUE_MIN * 3);
	round_trips(nextafter(DBL_MIN, 0));
	round_trips(nextafter(DBL_MAX, 0));
}

/* issue 14 item 7: JSON has no infinity or NaN */
Test(json_number, not_finite_is_refused)
{
	strbuf sb = STRBUF_INIT;
	cr_assert_eq(cad_json_number(&sb, INFINITY), -1);
	cr_assert_eq(cad_json_number(&sb, -INFINITY), -1);
	cr_assert_eq(cad_json_number(&sb, NAN), -1);
	cr_assert_eq(sb.len, 0);
	cad_strbuf_free(&sb);
}

/* Unformatted, everything but the numbers as cJSON lays it out; formatted,
 * an object's members one a line under two spaces a level, `{}` when it
 * has none, arrays on one line (the final score, checkpoints, validate's
 * JSON). */
Test(json_print, layouts)
{
	const char *text = "{\"s\": \"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\\u00e9/\", "
			   "\"n\": [1, -2, 0.5, [], {}, [[true, false, null]]], "
			   "\"o\": {\"x\": {}, \"y\": {\"z\": [{\"k\": 1}]}}, \"e\": \"\"}";
	cJSON *v = cJSON_Parse(text);
	cr_assert_not_null(v);
	char *want = cJSON_PrintUnformatted(v);
	char *got = cad_json_print(v, 0);
	cr_assert_str_eq(got, want);
	free(got);
	cJSON_free(want);
	got = cad_json_print(v, 1);
	cr_assert_str_eq(got, "{\n"
			 "  \"s\": \"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\xc3\xa9/\",\n"
			 "  \"n\": [1, -2, 0.5, [], {}, [[true, false, null]]],\n"
			 "  \"o\": {\n"
			 "    \"x\": {},\n"
			 "    \"y\": {\n"
			 "      \"z\": [{\n"
			 "          \"k\": 1\n"
			 "        }]\n"
			 "    }\n"
			 "  },\n"
			 "  \"e\": \"\"\n"
			 "}");
	free(got);
	cJSON_Delete(v);
}

Test(json_print, numbers_inside_trees)
{
	cJSON *v = cJSON_Parse("{\"i\": 9007199254740991, \"a\": [1e15, 0.1]}");
	cJSON_AddItemToObject(v, "inf", cJSON_CreateNumber(INFINITY));
	char *s = cad_json_print(v, 0);
	cr_assert_str_eq(s, "{\"i\":9007199254740991,\"a\":[1000000000000000,0.1],\"inf\":null}");
	free(s);
	cJSON_Delete(v);
	cJSON bad = { 0 };	/* cJSON_Invalid */
	cr_assert_null(cad_json_print(&bad, 0));
}

static cad_json_error parse_fails(const char *text, size_t len, unsigned depth)
{
	cJSON *v = (cJSON *)1;
	cad_json_error e;
	cr_assert_eq(cad_json_parse(&v, text, len, depth, &e), -1, "%s", text);
	cr_assert_null(v);
	return e;
}

static void parses(const char *text, unsigned depth)
{
	cJSON *v = NULL;
	cad_json_error e;
	cr_assert_eq(cad_json_parse(&v, text, strlen(text), depth, &e), 0, "%s", text);
	cr_assert_not_null(v);
	cJSON_Delete(v);
}

static char *nested(unsigned n)
{
	char *s = malloc(2 * n + 1);
	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	return s;
}

/* issue 14 item 9: a limit of our own, stated with the place, not cJSON's
 * 1,000 levels reported as "not JSON" */
Test(json_parse, depth_limit_with_its_place)
{
	char *ok = nested(512), *deep = nested(513);
	parses(ok, 512);
	cad_json_error e = parse_fails(deep, strlen(deep), 512);
	cr_assert_eq(e.problem, CAD_JSON_DEEP);
	cr_assert_eq(e.offset, 512);
	cr_assert_eq(e.line, 1);
	cr_assert_eq(e.column, 513);
	strbuf sb = STRBUF_INIT;
	cad_json_describe(&sb, &e, deep, strlen(deep), 0);
	cr_assert_str_eq(sb.buf, "is nested deeper than 512 levels at line 1, column 513");
	cad_strbuf_free(&sb);
	free(ok);
	free(deep);
	/* brackets in strings are not nesting */
	parses("[\"[[[[\", {\"{{{{\": 1}]", 2);
	/* deeper than cJSON reads at all: still our message */
	char *very = nested(5000);
	cr_assert_eq(parse_fails(very, strlen(very), 512).problem, CAD_JSON_DEEP);
	free(very);
}

/* issue 14, low item: "x\u0000y" became "x" */
Test(json_parse, nul_in_a_string)
{
	const char *t = "{\"a\": \"x\\u0000y\"}";
	cad_json_error e = parse_fails(t, strlen(t), 8);
	cr_assert_eq(e.problem, CAD_JSON_NUL);
	cr_assert_eq(e.column, 9);
	cr_assert_eq(parse_fails("[\"a\0b\"]", 7, 8).problem, CAD_JSON_NUL);	/* raw */
	/* an escaped backslash then "u0000" is text, not NUL */
	parses("[\"\\\\u0000\"]", 8);
	parses("[\"\\u0001\"]", 8);
}

Test(json_parse, other_problems_and_places)
{
	cad_json_error e = parse_fails("{\"a\": 1}\n x", 11, 8);
	cr_assert_eq(e.problem, CAD_JSON_TRAILING);
	cr_assert_eq(e.line, 2);
	cr_assert_eq(e.column, 2);
	e = parse_fails("{\"a\": \"caf\xE9\"}", 13, 8);
	cr_assert_eq(e.problem, CAD_JSON_UTF8);
	cr_assert_eq(e.byte, 0xE9);
	cr_assert_eq(e.column, 11);
	e = parse_fails("{\"a\": tru}", 10, 8);
	cr_assert_eq(e.problem, CAD_JSON_SYNTAX);
	cr_assert_eq(parse_fails("", 0, 8).problem, CAD_JSON_SYNTAX);
	cr_assert_eq(parse_fails(NULL, 0, 8).problem, CAD_JSON_SYNTAX);
	/* a syntax error before the depth is exceeded is the syntax error */
	cr_assert_eq(parse_fails("[x[[[[[[[[[[", 12, 4).problem, CAD_JSON_SYNTAX);
	parses(" \r\n\t{\"a\": [1, 2]} \n", 8);
}

Test(json_check, depth_and_numbers_of_trees)
{
	cJSON *v = cJSON_Parse("{\"a\": [1, {\"b\": 2}]}");
	cr_assert_eq(cad_json_check(v, 3, NULL), CAD_JSON_OK);
	cr_assert_eq(cad_json_check(v, 2, NULL), CAD_JSON_DEEP);
	cJSON_AddItemToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "a"), 1), "c",
			      cJSON_CreateNumber(-INFINITY));
	strbuf where = STRBUF_INIT;
	cr_assert_eq(cad_json_check(v, 3, &where), CAD_JSON_NONFINITE);
	cr_assert_str_eq(cad_strbuf_cstr(&where), ".a[1].c");
	cad_strbuf_free(&where);
	strbuf why = STRBUF_INIT;
	cad_json_check_describe(&why, v, 3, "f", 3);
	cr_assert_str_eq(cad_strbuf_cstr(&why), "holds a number out of range (more than about "
			 "1.8e308 in size, or NaN) at f.a[1].c");
	cad_strbuf_free(&why);
	cJSON_Delete(v);
	cJSON *n = cJSON_CreateNumber(NAN);
	cr_assert_eq(cad_json_check(n, 0, NULL), CAD_JSON_NONFINITE);
	cJSON_Delete(n);
}

/* cJSON_Compare() takes numbers within a relative DBL_EPSILON for equal:
 * a note's change of 2^52 to 2^52 - 1 was dropped as "no change" */
Test(json_equal, numbers_exactly)
{
	cJSON *a = cJSON_Parse("{\"n\": 4503599627370496, \"l\": [1, {\"x\": null}], \"s\": \"t\"}");
	cJSON *b = cJSON_Parse("{\"s\": \"t\", \"l\": [1, {\"x\": null}], \"n\": 4503599627370496}");
	cJSON *c = cJSON_Parse("{\"n\": 4503599627370495, \"l\": [1, {\"x\": null}], \"s\": \"t\"}");
	cr_assert(cJSON_Compare(a, c, 1));	/* what cJSON says */
	cr_assert(cad_json_equal(a, b));	/* members in any order */
	cr_assert_not(cad_json_equal(a, c));
	cJSON *d = cJSON_Parse("[1, 2]"), *e = cJSON_Parse("[1, 2, 3]"), *f = cJSON_Parse("{\"n\": 1}");
	cr_assert_not(cad_json_equal(d, e));
	cr_assert_not(cad_json_equal(e, d));
	cr_assert_not(cad_json_equal(a, f));	/* a member missing */
	cr_assert_not(cad_json_equal(f, a));
	cr_assert_not(cad_json_equal(d, f));
	cJSON *z = cJSON_CreateNumber(0.0), *mz = cJSON_CreateNumber(-0.0);
	cr_assert(cad_json_equal(z, mz));	/* -0 == 0: no change */
	cJSON *items[] = { a, b, c, d, e, f, z, mz };
	for (size_t i = 0; i < sizeof(items) / sizeof(*items); i++)
		cJSON_Delete(items[i]);
}

/* Objects of more than CAD_JSON_FEW_MEMBERS members are compared through
 * an index of their members, with the same answers as searching. */
Test(json_equal, wide_objects)
{
	cJSON *a = cJSON_CreateObject(), *b = cJSON_CreateObject();
	for (int i = 0; i < 40; i++) {
		char name[16];
		snprintf(name, sizeof(name), "m%d", i);
		cJSON_AddNumberToObject(a, name, i);
		snprintf(name, sizeof(name), "m%d", 39 - i);
		cJSON_AddNumberToObject(b, name, 39 - i);
	}
	cr_assert(cad_json_equal(a, b));	/* members in any order */
	cJSON_ReplaceItemInObjectCaseSensitive(b, "m7", cJSON_CreateNumber(8));
	cr_assert_not(cad_json_equal(a, b));
	cr_assert_not(cad_json_equal(b, a));
	cJSON_ReplaceItemInObjectCaseSensitive(b, "m7", cJSON_CreateNumber(7));
	cr_assert(cad_json_equal(a, b));
	cJSON_AddNumberToObject(a, "m40", 40);
	cr_assert_not(cad_json_equal(a, b), "a member missing from b");
	cr_assert_not(cad_json_equal(b, a));
	cJSON_AddNumberToObject(b, "m40", 40);
	/* a name twice: each member is compared with the first of its name in
	 * the other object, as for small objects */
	cJSON_AddNumberToObject(b, "m3", 3);
	cr_assert(cad_json_equal(a, b));
	cr_assert(cad_json_equal(b, a));
	cJSON_AddNumberToObject(b, "m3", 99);
	cr_assert_not(cad_json_equal(a, b));
	cr_assert_not(cad_json_equal(b, a));
	cJSON_Delete(a);
	cJSON_Delete(b);
}
