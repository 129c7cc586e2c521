/* SPDX-License-Identifier: MIT */
/* Expressions, the checker: the declaration of the score, unknown fields
 * with suggestions, operand types, result types, the fields read. */
#include "cadence/expr.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cadence_expr_env *env;

static void setup(void)
{
	static const char *const decl[][2] = {
		{ "name", "string" },  { "status", "string" }, { "total", "number" },
		{ "count", "integer" }, { "premium", "boolean" }, { "items", "array" },
		{ "customer", "object" }, { "extra", "any" },
	};
	cr_assert_eq(cadence_expr_env_new(&env), 0);
	for (size_t i = 0; i < sizeof(decl) / sizeof(decl[0]); i++)
		cr_assert_eq(cadence_expr_env_add_field(env, decl[i][0], decl[i][1]), 0);
}

static void teardown(void)
{
	cadence_expr_env_free(env);
}

TestSuite(expr_check, .init = setup, .fini = teardown);

static cadence_expr *ok(const char *src)
{
	cadence_expr *e = NULL;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	int rc = cadence_expr_compile(&e, src, strlen(src), env, &err);
	cr_assert_eq(rc, 0, "%s: column %u: %s", src, err.column, err.message);
	return e;
}

/* The error of src, which must not compile; its strings live until the
 * next call (held by `last`). */
static cadence_expr_error bad(const char *src)
{
	static cadence_expr_error last = CADENCE_EXPR_ERROR_INIT;
	cadence_expr *e = NULL;
	cadence_expr_error_clear(&last);
	int rc = cadence_expr_compile(&e, src, strlen(src), env, &last);
	cr_assert_eq(rc, CADENCE_EINVALID, "%s compiled", src);
	cr_assert_null(e);
	return last;
}

/* A checker error: column, width, message and help, all exact. */
static void refused(const char *src, unsigned col, unsigned width, const char *msg,
		    const char *help)
{
	cadence_expr_error err = bad(src);
	cr_assert_str_eq(err.message, msg, "%s", src);
	cr_assert_str_eq(err.help ? err.help : "", help, "%s", src);
	cr_assert_eq(err.column, col, "%s: column %u, want %u", src, err.column, col);
	cr_assert_eq(err.width, width, "%s: width %u, want %u", src, err.width, width);
}

static void typed(const char *src, cadence_expr_type want)
{
	cadence_expr *e = ok(src);
	cr_assert_eq(cadence_expr_result_type(e), want, "%s: %s, want %s", src,
		     cadence_expr_type_name(cadence_expr_result_type(e)),
		     cadence_expr_type_name(want));
	cadence_expr_free(e);
}

/* The fields an expression reads, as "a,b" (and "+all" when it reads the
 * whole score). */
static void reads(const char *src, const char *want)
{
	cadence_expr *e = ok(src);
	char got[256] = "";
	for (size_t i = 0; i < cadence_expr_field_count(e); i++) {
		if (i)
			strcat(got, ",");
		strcat(got, cadence_expr_field_name(e, i));
	}
	if (cadence_expr_reads_whole_score(e))
		strcat(got, "+all");
	cr_assert_str_eq(got, want, "%s", src);
	cr_assert_null(cadence_expr_field_name(e, cadence_expr_field_count(e)));
	cadence_expr_free(e);
}

/* ---- the declaration ---- */

Test(expr_check, declarations_refuse_bad_types_and_names)
{
	cadence_expr_env *d;
	cr_assert_eq(cadence_expr_env_new(&d), 0);
	cr_assert_eq(cadence_expr_env_add_field(d, "a", "string"), 0);
	cr_assert_eq(cadence_expr_env_add_field(d, "a", "integer"), CADENCE_EINVAL);
	cr_assert_eq(cadence_expr_env_add_field(d, "b", "float"), CADENCE_EINVAL);
	cr_assert_eq(cadence_expr_env_add_field(d, "b", "String"), CADENCE_EINVAL);
	cr_assert_eq(cadence_expr_env_add_field(d, "", "string"), CADENCE_EINVAL);
	cr_assert_eq(cadence_expr_env_add_field(d, NULL, "string"), CADENCE_EINVAL);
	cr_assert_eq(cadence_expr_env_add_field(d, "b", NULL), CADENCE_EINVAL);
	cr_assert_eq(cadence_expr_env_add_field(NULL, "b", "string"), CADENCE_EINVAL);
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		cr_assert_eq(cadence_expr_env_add_field(d, name, "any"), 0);
	}
	cadence_expr *e = NULL;
	cr_assert_eq(cadence_expr_compile(&e, "score.f99", 9, d, NULL), 0);
	cadence_expr_free(e);
	cadence_expr_env_free(d);
	cadence_expr_env_free(NULL);
	cr_assert_eq(cadence_expr_env_new(NULL), CADENCE_EINVAL);
}

Test(expr_check, every_declared_type_maps_to_a_static_type)
{
	typed("score.name", CADENCE_EXPR_STRING);
	typed("score.count", CADENCE_EXPR_INT);
	typed("score.total", CADENCE_EXPR_DOUBLE);
	typed("score.premium", CADENCE_EXPR_BOOL);
	typed("score.items", CADENCE_EXPR_LIST);
	typed("score.customer", CADENCE_EXPR_MAP);
	typed("score.extra", CADENCE_EXPR_DYN);
}

Test(expr_check, type_names)
{
	cr_assert_str_eq(cadence_expr_type_name(CADENCE_EXPR_DYN), "dyn");
	cr_assert_str_eq(cadence_expr_type_name(CADENCE_EXPR_NULL), "null");
	cr_assert_str_eq(cadence_expr_type_name(CADENCE_EXPR_BOOL), "bool");
	cr_assert_str_eq(cadence_expr_type_name(CADENCE_EXPR_INT), "int");
	cr_assert_str_eq(cadence_expr_type_name(CADENCE_EXPR_DOUBLE), "double");
	cr_assert_str_eq(cadence_expr_type_name(CADENCE_EXPR_STRING), "string");
	cr_assert_str_eq(cadence_expr_type_name(CADENCE_EXPR_LIST), "list");
	cr_assert_str_eq(cadence_expr_type_name(CADENCE_EXPR_MAP), "map");
	cr_assert_str_eq(cadence_expr_type_name((cadence_expr_type)99), "dyn");
}

/* ---- unknown names ---- */

Test(expr_check, unknown_fields_with_suggestions)
{
	refused("score.nmae", 7, 4, "score has no field 'nmae'", "did you mean 'name'?");
	refused("score.totl > 1", 7, 4, "score has no field 'totl'", "did you mean 'total'?");
	refused("score.premium && score.staus == 'x'", 24, 5, "score has no field 'staus'",
		"did you mean 'status'?");
	refused("score['totals']", 7, 8, "score has no field 'totals'", "did you mean 'total'?");
	refused("has(score.cusotmer)", 11, 8, "score has no field 'cusotmer'",
		"did you mean 'customer'?");
	refused("score.zzzzzz", 7, 6, "score has no field 'zzzzzz'",
		"the score declares 'name', 'status', 'total', 'count', 'premium', 'items', "
		"'customer', 'extra'");
}

Test(expr_check, an_empty_declaration_says_so)
{
	cadence_expr_env *d;
	cadence_expr *e = NULL;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cr_assert_eq(cadence_expr_env_new(&d), 0);
	cr_assert_eq(cadence_expr_compile(&e, "score.a", 7, d, &err), CADENCE_EINVALID);
	cr_assert_str_eq(err.message, "score has no field 'a'");
	cr_assert_str_eq(err.help ? err.help : "", "the score declares no fields");
	cadence_expr_error_clear(&err);
	cadence_expr_env_free(d);
}

Test(expr_check, without_a_declaration_any_field_is_dynamic)
{
	cadence_expr *e = NULL;
	cr_assert_eq(cadence_expr_compile(&e, "score.nmae.x", 12, NULL, NULL), 0);
	cr_assert_eq(cadence_expr_result_type(e), CADENCE_EXPR_DYN);
	cadence_expr_free(e);
}

Test(expr_check, unknown_names_functions_and_methods)
{
	refused("scroe.total", 1, 5, "unknown name 'scroe'", "did you mean 'score'?");
	refused("total > 1", 1, 5, "unknown name 'total'",
		"fields of the score are read as score.total");
	refused("x", 1, 1, "unknown name 'x'", "");
	refused("score.items.all(item, itme.ok)", 23, 4, "unknown name 'itme'",
		"did you mean 'item'?");
	refused("sise(score.items)", 1, 4, "unknown function 'sise'", "did you mean 'size'?");
	refused("foo(1)", 1, 3, "unknown function 'foo'", "");
	refused("contains(score.name, 'a')", 1, 8, "unknown function 'contains'",
		"call it as a method: x.contains(...)");
	refused("score.name.startswith('a')", 12, 10, "unknown method 'startswith'",
		"did you mean 'startsWith'?");
	refused("score.items.sum()", 13, 3, "unknown method 'sum'", "call it as a function: sum(x)");
	refused("score.items.all(f, f(1))", 20, 1, "'f' is a variable, not a function", "");
	refused("score.items.all(score, true)", 17, 5,
		"the variable of all() cannot be named 'score'", "");
	refused("score.items.all(1, true)", 17, 1, "expected a variable name, found '1'", "");
	refused("score.items.all(x)", 18, 1, "expected ',', found ')'", "");
	refused("score.items.map(x, x, x, x)", 24, 1, "expected ')', found ','", "");
}

/* ---- the order of errors ---- */

/* The expression is parsed whole before it is checked: a syntax error is
 * reported before a type or name error, even one to its left; among type
 * and name errors, the first from the left, operands before operators. */
Test(expr_check, syntax_errors_come_before_type_errors)
{
	refused("size(1) + (", 12, 0, "expected an operand, found the end of the expression", "");
	refused("size(1) + 2", 6, 1, "size() takes a string, a list or a map, not int", "");
	refused("score.nope and score.premium", 12, 3,
		"unexpected 'and' after a complete expression", "use '&&' for \"and\"");
	refused("foo(score.count +)", 18, 1, "expected an operand, found ')'", "");
	refused("foo(score.count + 1)", 1, 3, "unknown function 'foo'", "");
	/* in a chain, each operator is checked in turn, at its own place */
	refused("1 && true && (1 + 'a')", 3, 2, "'&&' cannot be applied to int and bool", "");
	refused("true && 1 && (1 + 'a')", 6, 2, "'&&' cannot be applied to bool and int", "");
	refused("true && true && (1 + 'a')", 20, 1, "'+' cannot be applied to int and string",
		"convert the number with string(...) first");
}

/* ---- operand types ---- */

Test(expr_check, operators_on_declared_types)
{
	refused("score.status > 3", 14, 1, "'>' cannot be applied to string and int",
		"score.status is declared as a string");
	refused("3 < score.status", 3, 1, "'<' cannot be applied to int and string",
		"score.status is declared as a string");
	refused("score.status == 3", 14, 2, "'==' cannot be applied to string and int",
		"score.status is declared as a string");
	refused("score.name + 1", 12, 1, "'+' cannot be applied to string and int",
		"convert the number with string(...) first");
	refused("score.premium + 1", 15, 1, "'+' cannot be applied to bool and int",
		"score.premium is declared as a boolean");
	refused("score.name * 2", 12, 1, "'*' cannot be applied to string and int",
		"score.name is declared as a string");
	refused("score.items - 1", 13, 1, "'-' cannot be applied to list and int",
		"score.items is declared as an array");
	refused("score.count % 'a'", 13, 1, "'%' cannot be applied to int and string",
		"score.count is declared as an integer");
	refused("!score.total", 1, 1, "'!' cannot be applied to double",
		"score.total is declared as a number");
	refused("-score.name", 1, 1, "'-' cannot be applied to string",
		"score.name is declared as a string");
	refused("score.total && true", 13, 2, "'&&' cannot be applied to double and bool",
		"score.total is declared as a number");
	refused("score.premium || score.count", 15, 2, "'||' cannot be applied to bool and int",
		"score.count is declared as an integer");
	refused("score.premium && true && 1", 23, 2, "'&&' cannot be applied to bool and int", "");
	refused("score.items < score.items", 13, 1, "'<' cannot be applied to list and list",
		"score.items is declared as an array");
	refused("score.customer + score.customer", 16, 1,
		"'+' cannot be applied to map and map", "score.customer is declared as an object");
	refused("null + 1", 6, 1, "'+' cannot be applied to null and int", "");
}

Test(expr_check, in_needs_a_collection)
{
	refused("'a' in score.name", 5, 2, "'in' needs a list or a map on its right, not string",
		"for a substring, use s.contains(x)");
	refused("1 in score.count", 3, 2, "'in' needs a list or a map on its right, not int", "");
	refused("score.count in score.customer", 13, 2,
		"'in' looks up map keys, which are strings; this is int", "");
}

Test(expr_check, selections_and_indexes)
{
	refused("score.name.first", 12, 5, "string has no fields (selecting 'first')",
		"score.name is declared as a string");
	refused("score.count[0]", 12, 3, "int cannot be indexed",
		"score.count is declared as an integer");
	refused("score.items['a']", 12, 5, "a list index must be an int, not string", "");
	refused("score.customer[1]", 15, 3, "a map key must be a string, not int", "");
	refused("score.extra[true]", 12, 6, "an index must be an int or a string, not bool", "");
	refused("{1: 2}", 2, 1, "map keys must be strings, not int", "");
	refused("{'a': 1, 'a': 2}", 10, 3, "the key \"a\" is given twice", "");
}

Test(expr_check, conditions)
{
	refused("score.count ? 1 : 2", 13, 1, "the condition before '?' must be a bool, not int",
		"score.count is declared as an integer");
	refused("score.items.all(x, 1)", 20, 1, "the condition of all() must be a bool, not int",
		"");
	refused("score.items.filter(x, 'yes')", 23, 5,
		"the condition of filter() must be a bool, not string", "");
	refused("score.items.map(x, 2, x)", 20, 1, "the condition of map() must be a bool, not int",
		"");
	refused("score.name.all(x, true)", 12, 3, "all() works on lists and maps, not on string",
		"score.name is declared as a string");
}

Test(expr_check, function_arguments)
{
	refused("size(score.count)", 12, 5, "size() takes a string, a list or a map, not int",
		"score.count is declared as an integer");
	refused("score.count.size()", 7, 5, "size() takes a string, a list or a map, not int",
		"score.count is declared as an integer");
	refused("size(score.items, 1)", 1, 4, "size() takes 1 argument, not 2", "");
	refused("score.items.size(1)", 13, 4, "size() takes 0 arguments, not 1", "");
	refused("int(score.premium)", 11, 7, "int() takes an int, a double or a string, not bool",
		"score.premium is declared as a boolean");
	refused("double(score.items)", 14, 5,
		"double() takes an int, a double or a string, not list",
		"score.items is declared as an array");
	refused("string(score.customer)", 14, 8,
		"string() takes a string, an int, a double or a bool, not map",
		"score.customer is declared as an object");
	refused("int()", 1, 3, "int() takes 1 argument, not 0", "");
	refused("score.items.contains('a')", 7, 5, "contains() takes strings, not list",
		"score.items is declared as an array");
	refused("score.name.startsWith(1)", 23, 1, "startsWith() takes strings, not int", "");
	refused("score.name.endsWith()", 12, 8, "endsWith() takes 1 argument, not 0", "");
	refused("matches(score.name)", 1, 7, "matches() takes 2 arguments, not 1", "");
	refused("min(score.count)", 11, 5, "min() takes a list, or two or more values, not int",
		"score.count is declared as an integer");
	refused("max(1, 'a')", 8, 3, "max() cannot compare string with int", "");
	refused("max(1, [2])", 8, 3, "max() takes numbers, strings or bools, not list", "");
	refused("min()", 1, 3, "min() takes 1 argument, not 0", "");
	refused("sum(score.name)", 11, 4, "sum() takes a list of numbers, not string",
		"score.name is declared as a string");
	refused("has(score)", 5, 5, "has() takes a field selection, such as has(score.name)", "");
	refused("has(score.items[0])", 16, 3,
		"has() takes a field selection, such as has(score.name)", "");
}

Test(expr_check, literal_patterns_are_compiled)
{
	refused("score.name.matches('(')", 20, 3,
		"invalid regular expression: unmatched ( at character 1",
		"close it with ), or write \\( for a parenthesis");
	refused("matches(score.name, 'a{2,1}')", 21, 8,
		"invalid regular expression: the repetition {2,1} goes backwards at character 2",
		"write the smaller count first");
	cadence_expr *e = ok("score.name.matches(score.status)");	/* checked when run */
	cadence_expr_free(e);
}

/* issue 14 item 4: a pattern past a limit is refused when the expression
 * is compiled (what `cadence validate` reports), naming the limit and the
 * figure, before anything of its size is allocated */
Test(expr_check, patterns_past_the_limits_are_refused)
{
	refused("score.name.matches('((((a{255}){255}){255}){255})')", 20, 31,
		"invalid regular expression: the pattern is too large: with its repetitions "
		"written out it makes 4228250626 instructions; the limit is 10000",
		"use smaller repetition counts (a{9}{9} is 81 copies of a); to test a length, use "
		"size()");
	refused("score.name.matches('a{32768}')", 20, 10,
		"invalid regular expression: a repetition count is more than 32767 at character 2",
		"use smaller repetition counts (a{9}{9} is 81 copies of a); to test a length, use "
		"size()");
	refused("score.name.matches('(a)\\\\1')", 20, 8,
		"invalid regular expression: back-references (\\1) are not supported at character 4",
		"a back-reference cannot be matched in linear time; repeat the group instead");
	cadence_expr_free(ok("score.name.matches('a{9999}')"));	/* 10,000 with MATCH */
	refused("score.name.matches('a{10000}')", 20, 10,
		"invalid regular expression: the pattern is too large: with its repetitions "
		"written out it makes 10001 instructions; the limit is 10000",
		"use smaller repetition counts (a{9}{9} is 81 copies of a); to test a length, use "
		"size()");
	char deep[600] = "score.name.matches('";
	size_t n = strlen(deep);
	for (int i = 0; i < 257; i++)
		deep[n++] = '(';
	deep[n++] = 'a';
	for (int i = 0; i < 257; i++)
		deep[n++] = ')';
	memcpy(deep + n, "')", 3);
	refused(deep, 20, 517,
		"invalid regular expression: groups are nested more than 256 levels deep at "
		"character 257",
		"split the pattern, or use fewer levels of ( )");
}

Test(expr_check, what_dynamic_values_allow)
{
	/* dyn fits any operand until it is evaluated */
	typed("score.extra + 1", CADENCE_EXPR_DYN);
	typed("score.extra + 'x'", CADENCE_EXPR_STRING);
	typed("score.extra + [1]", CADENCE_EXPR_LIST);
	typed("score.extra > 1", CADENCE_EXPR_BOOL);
	typed("score.extra && true", CADENCE_EXPR_BOOL);
	typed("score.extra.a.b[0]", CADENCE_EXPR_DYN);
	typed("score.extra ? 1 : 2", CADENCE_EXPR_INT);
	typed("score.extra == 'a'", CADENCE_EXPR_BOOL);
	typed("score.extra * 1.5", CADENCE_EXPR_DOUBLE);
	typed("score.items[0].price", CADENCE_EXPR_DYN);
	typed("score.customer.name", CADENCE_EXPR_DYN);
	typed("score.name == null", CADENCE_EXPR_BOOL);
	refused("score.extra + score.premium", 13, 1, "'+' cannot be applied to dyn and bool",
		"score.premium is declared as a boolean");
}

/* ---- result types ---- */

Test(expr_check, result_types)
{
	typed("null", CADENCE_EXPR_NULL);
	typed("score.total > 100", CADENCE_EXPR_BOOL);
	typed("score.premium && score.total > 100", CADENCE_EXPR_BOOL);
	typed("!score.premium", CADENCE_EXPR_BOOL);
	typed("score.count + 1", CADENCE_EXPR_INT);
	typed("score.count / 2", CADENCE_EXPR_INT);
	typed("score.count + 1.5", CADENCE_EXPR_DOUBLE);
	typed("score.total + score.count", CADENCE_EXPR_DOUBLE);
	typed("-score.count", CADENCE_EXPR_INT);
	typed("score.name + '!'", CADENCE_EXPR_STRING);
	typed("score.items + [1]", CADENCE_EXPR_LIST);
	typed("{'a': 1}", CADENCE_EXPR_MAP);
	typed("has(score.extra)", CADENCE_EXPR_BOOL);
	typed("score.items.map(x, x)", CADENCE_EXPR_LIST);
	typed("score.items.filter(x, true)", CADENCE_EXPR_LIST);
	typed("score.items.exists(x, true)", CADENCE_EXPR_BOOL);
	typed("score.items.exists_one(x, true)", CADENCE_EXPR_BOOL);
	typed("size(score.items)", CADENCE_EXPR_INT);
	typed("int('1')", CADENCE_EXPR_INT);
	typed("double(1)", CADENCE_EXPR_DOUBLE);
	typed("string(1)", CADENCE_EXPR_STRING);
	typed("score.name.contains('a')", CADENCE_EXPR_BOOL);
	typed("score.premium ? 1 : 2", CADENCE_EXPR_INT);
	typed("score.premium ? 1 : 'a'", CADENCE_EXPR_DYN);
	typed("score.premium ? 1 : 2.0", CADENCE_EXPR_DYN);
	typed("min(1, 2)", CADENCE_EXPR_INT);
	typed("min(1, 2.5)", CADENCE_EXPR_DYN);
	typed("max(score.items)", CADENCE_EXPR_DYN);
	typed("sum(score.items)", CADENCE_EXPR_DYN);
	typed("[1][0]", CADENCE_EXPR_DYN);
	typed("score.customer['a']", CADENCE_EXPR_DYN);
	typed("'a' in score.customer", CADENCE_EXPR_BOOL);
}

Test(expr_check, a_condition_that_is_not_a_bool_is_visible_before_running)
{
	/* how a caller requires a boolean for `when` */
	cadence_expr *e = ok("score.count");
	cr_assert_neq(cadence_expr_result_type(e), CADENCE_EXPR_BOOL);
	cr_assert_str_eq(cadence_expr_type_name(cadence_expr_result_type(e)), "int");
	cadence_expr_free(e);
	e = ok("score.extra");
	cr_assert_eq(cadence_expr_result_type(e), CADENCE_EXPR_DYN);	/* checked when run */
	cadence_expr_free(e);
}

/* ---- fields read ---- */

Test(expr_check, fields_read)
{
	reads("1 + 2", "");
	reads("score.total", "total");
	reads("score.total + score.count * score.total", "total,count");
	reads("has(score.customer) && score.extra.x", "customer,extra");
	reads("score['name']", "name");
	reads("score.items.map(i, i.price)", "items");
	reads("score.items.all(i, i.sku in score.extra)", "items,extra");
	reads("has(score.customer.tier)", "customer");
	reads("size(score)", "+all");
	reads("score[score.name]", "name+all");
	reads("score.all(k, k != '')", "+all");
	reads("score.size() > 1", "+all");
	reads("score == {}", "+all");
	reads("'a' in score", "+all");
}

/* How each field is used, as "name:ort" (operand, result, tested) in the
 * order of cadence_expr_field_name(), fields with no use as "name:-". */
static void uses(const char *src, const char *want)
{
	cadence_expr *e = ok(src);
	char got[256] = "";
	for (size_t i = 0; i < cadence_expr_field_count(e); i++) {
		unsigned u = cadence_expr_field_uses(e, i);
		if (i)
			strcat(got, " ");
		strcat(got, cadence_expr_field_name(e, i));
		strcat(got, ":");
		if (u & CADENCE_EXPR_USE_OPERAND)
			strcat(got, "o");
		if (u & CADENCE_EXPR_USE_RESULT)
			strcat(got, "r");
		if (u & CADENCE_EXPR_USE_TESTED)
			strcat(got, "t");
		if (!u)
			strcat(got, "-");
	}
	cr_assert_str_eq(got, want, "%s", src);
	cr_assert_eq(cadence_expr_field_uses(e, cadence_expr_field_count(e)), 0);
	cadence_expr_free(e);
}

Test(expr_check, how_fields_are_used)
{
	/* a null fails an operand */
	uses("score.count + 1", "count:o");
	uses("size(score.items) > 0 && score.premium", "items:o premium:o");
	uses("score.customer.tier", "customer:o");
	uses("score.items.map(i, i.price)", "items:o");
	uses("score.items.filter(i, i.sku == score.name)", "items:o name:-");
	uses("score.status.startsWith('a')", "status:o");
	uses("score.premium ? 1 : 2", "premium:o");
	uses("!score.premium", "premium:o");
	/* a null passes through to the result */
	uses("score.name", "name:r");
	uses("score.premium ? score.name : score.status", "premium:o name:r status:r");
	/* a null is a value like any other */
	uses("[score.name, 1]", "name:-");
	uses("{'a': score.name}", "name:-");
	uses("score.name == 'x'", "name:-");
	uses("score.items.map(i, score.name)", "items:o name:-");
	/* the expression tests for it */
	uses("has(score.count) ? score.count + 1 : 0", "count:ot");
	uses("score.count != null ? score.count + 1 : 0", "count:ot");
	uses("null == score.name", "name:t");
	uses("has(score.customer.tier)", "customer:-");
}

Test(expr_check, accessors_take_null)
{
	cr_assert_eq(cadence_expr_field_uses(NULL, 0), 0);
	cr_assert_eq(cadence_expr_field_count(NULL), 0);
	cr_assert_null(cadence_expr_field_name(NULL, 0));
	cr_assert_eq(cadence_expr_reads_whole_score(NULL), 0);
	cr_assert_eq(cadence_expr_result_type(NULL), CADENCE_EXPR_DYN);
	cr_assert_null(cadence_expr_source(NULL));
}

Test(expr_check, an_env_serves_many_compiles)
{
	cadence_expr *a = ok("score.total"), *b = ok("score.name");
	cr_assert_str_eq(cadence_expr_source(a), "score.total");
	cr_assert_str_eq(cadence_expr_source(b), "score.name");
	cadence_expr_free(a);
	cadence_expr_free(b);
}
