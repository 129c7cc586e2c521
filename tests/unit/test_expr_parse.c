/* SPDX-License-Identifier: MIT */
/* Expressions, the parser: precedence (as trees), literals and escapes,
 * syntax errors with their columns, limits. */
#include "cadence/expr.h"
#include "expr/expr_int.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static cadence_expr *ok(const char *src)
{
	cadence_expr *e = NULL;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	int rc = cadence_expr_compile(&e, src, strlen(src), NULL, &err);
	cr_assert_eq(rc, 0, "%s: column %u: %s", src, err.column, err.message);
	cr_assert_not_null(e);
	return e;
}

static void tree(const char *src, const char *want)
{
	cadence_expr *e = ok(src);
	char *d = cad_expr_dump(e);
	cr_assert_not_null(d);
	cr_assert_str_eq(d, want, "%s", src);
	free(d);
	cadence_expr_free(e);
}

/* The error of src, which must not compile; its strings live until the
 * next call (held by `last`). */
static cadence_expr_error bad_n(const char *src, size_t len)
{
	static cadence_expr_error last = CADENCE_EXPR_ERROR_INIT;
	cadence_expr *e = (cadence_expr *)&e;
	cadence_expr_error_clear(&last);
	int rc = cadence_expr_compile(&e, src, len, NULL, &last);
	cr_assert_eq(rc, CADENCE_EINVALID, "%s: compiled (%d)", src, rc);
	cr_assert_null(e, "%s", src);
	cr_assert_not_null(last.message, "%s", src);
	return last;
}

/* A syntax error: its column and width (code points) and message. */
static void syntax(const char *src, unsigned col, unsigned width, const char *msg)
{
	cadence_expr_error err = bad_n(src, strlen(src));
	cr_assert_str_eq(err.message, msg, "%s", src);
	cr_assert_eq(err.column, col, "%s: column %u, want %u", src, err.column, col);
	cr_assert_eq(err.width, width, "%s: width %u, want %u", src, err.width, width);
}

static void syntax_help(const char *src, const char *help)
{
	cadence_expr_error err = bad_n(src, strlen(src));
	cr_assert_str_eq(err.help ? err.help : "", help, "%s (%s)", src, err.message);
}

/* The string an expression gives (it must give one). */
static void gives_string(const char *src, const char *want)
{
	cadence_expr *e = ok(src);
	cJSON *v = NULL;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cr_assert_eq(cadence_expr_eval(&v, e, NULL, &err), 0, "%s: %s", src, err.message);
	cr_assert(cJSON_IsString(v), "%s", src);
	cr_assert_str_eq(v->valuestring, want, "%s", src);
	cJSON_Delete(v);
	cadence_expr_free(e);
}

/* ---- precedence and shape ---- */

Test(cad_expr_parse, arithmetic_precedence)
{
	tree("1 + 2 * 3", "(+ 1 (* 2 3))");
	tree("1 * 2 + 3", "(+ (* 1 2) 3)");
	tree("(1 + 2) * 3", "(* (+ 1 2) 3)");
	tree("1 - 2 - 3", "(- (- 1 2) 3)");
	tree("8 / 4 / 2", "(/ (/ 8 4) 2)");
	tree("7 % 4 * 2", "(* (% 7 4) 2)");
	tree("1 + 2 - 3 + 4", "(+ (- (+ 1 2) 3) 4)");
	tree("score.a * -score.b", "(* score.a (- score.b))");
	tree("-score.a * 2", "(* (- score.a) 2)");
}

Test(cad_expr_parse, relations_are_one_level_as_in_cel)
{
	tree("1 + 2 < 3 + 4", "(< (+ 1 2) (+ 3 4))");
	tree("1 < 2 == true", "(== (< 1 2) true)");
	tree("score.a == score.b != score.c", "(!= (== score.a score.b) score.c)");
	tree("score.a <= 1", "(<= score.a 1)");
	tree("score.a >= 1", "(>= score.a 1)");
	tree("score.a > 1", "(> score.a 1)");
	tree("score.x in [1, 2] == true", "(== (in score.x [1 2]) true)");
}

Test(cad_expr_parse, logic_precedence_and_chains)
{
	tree("score.a && score.b || score.c", "(|| (&& score.a score.b) score.c)");
	tree("score.a || score.b && score.c", "(|| score.a (&& score.b score.c))");
	tree("score.a && score.b && score.c", "(&& score.a score.b score.c)");
	tree("score.a || score.b || score.c || score.d", "(|| score.a score.b score.c score.d)");
	tree("!score.a && score.b", "(&& (! score.a) score.b)");
	tree("!!score.a", "(! (! score.a))");
	tree("score.a < 1 && score.b", "(&& (< score.a 1) score.b)");
}

Test(cad_expr_parse, conditional_is_lowest_and_right_associative)
{
	tree("score.c ? 1 : 2", "(? score.c 1 2)");
	tree("score.c ? 1 : score.d ? 2 : 3", "(? score.c 1 (? score.d 2 3))");
	tree("score.c || score.d ? 1 + 1 : 2", "(? (|| score.c score.d) (+ 1 1) 2)");
	tree("score.c ? (score.d ? 1 : 2) : 3", "(? score.c (? score.d 1 2) 3)");
}

Test(cad_expr_parse, member_index_and_calls)
{
	tree("score.a.b[0].c", "(. ([] (. score.a b) 0) c)");
	tree("score['k']", "score.k");
	tree("score[\"k\"].x", "(. score.k x)");
	tree("score.m[score.k]", "([] score.m score.k)");
	tree("score[score.k]", "([] score score.k)");
	tree("score.s.startsWith('a')", "(startsWith score.s \"a\")");
	tree("size(score.l) + score.l.size()", "(+ (size score.l) (size score.l))");
	tree("has(score.a)", "(has score a)");
	tree("has(score.a.b)", "(has score.a b)");
	tree("int(score.x) + double(1) + string(2).size()",
	     "(+ (+ (int score.x) (double 1)) (size (string 2)))");
	tree("min(1, 2, 3)", "(min 1 2 3)");
	tree("max([1, 2],)", "(max [1 2])");
	tree("matches(score.s, 'a')", "(matches score.s \"a\")");
}

Test(cad_expr_parse, macros_bind_their_variable)
{
	tree("score.items.map(x, x * 2)", "(map score.items x (* x 2))");
	tree("score.l.all(x, x > 0)", "(all score.l x (> x 0))");
	tree("score.l.exists(x, x.ok)", "(exists score.l x (. x ok))");
	tree("score.l.exists_one(x, x)", "(exists_one score.l x x)");
	tree("score.l.filter(x, x != 1)", "(filter score.l x (!= x 1))");
	tree("score.l.map(x, x > 1, x + 1)", "(map score.l x (> x 1) (+ x 1))");
	tree("score.l.map(x, score.m.map(y, x + y))",
	     "(map score.l x (map score.m y (+ x y)))");
	/* the inner variable hides the outer one */
	tree("score.l.map(x, [1].map(x, x))", "(map score.l x (map [1] x x))");
}

Test(cad_expr_parse, lists_and_maps)
{
	tree("[]", "[]");
	tree("[1, 2, 3]", "[1 2 3]");
	tree("[1, 2,]", "[1 2]");
	tree("[1, score.x]", "[1 score.x]");
	tree("[[1], ['a']]", "[[1] [\"a\"]]");
	tree("{}", "{}");
	tree("{'a': 1, 'b': [true]}", "{\"a\": 1, \"b\": [true]}");
	tree("{'a': score.x,}", "{\"a\": score.x}");
	tree("{score.k: 1}", "{score.k: 1}");
}

/* ---- literals ---- */

Test(cad_expr_parse, numbers)
{
	tree("0", "0");
	tree("42", "42");
	tree("0x1F", "31");
	tree("0XfF", "255");
	tree("1.5", "1.5");
	tree("1e3", "1000.0");
	tree("2.5e-3", "0.0025");
	tree("1E+2", "100.0");
	tree(".5", "0.5");
	tree("-2", "-2");
	tree("- 2", "-2");
	tree("--2", "2");
	tree("-1.5", "-1.5");
	tree("9223372036854775807", "9223372036854775807");
	tree("-9223372036854775808", "-9223372036854775808");
	tree("0x7FFFFFFFFFFFFFFF", "9223372036854775807");
	tree("-0x8000000000000000", "-9223372036854775808");
}

Test(cad_expr_parse, keywords_and_comments)
{
	tree("null", "null");
	tree("true", "true");
	tree("false", "false");
	tree("1 // one\n+ 2 // two", "(+ 1 2)");
	tree("\t1\r\n+\f2\v", "(+ 1 2)");
	tree("score.nullable", "score.nullable");
	tree("score.index", "score.index");
}

Test(cad_expr_parse, string_escapes)
{
	gives_string("'plain'", "plain");
	gives_string("\"double\"", "double");
	gives_string("'a\\nb'", "a\nb");
	gives_string("'a\\tb'", "a\tb");
	gives_string("'a\\\\b'", "a\\b");
	gives_string("'it\\'s'", "it's");
	gives_string("\"say \\\"hi\\\"\"", "say \"hi\"");
	gives_string("'\\a\\b\\f\\r\\v'", "\a\b\f\r\v");
	gives_string("'\\`\\?'", "`?");
	gives_string("'\\u00e9t\\u00E9'", "\xC3\xA9t\xC3\xA9");
	gives_string("'\\u65E5'", "\xE6\x97\xA5");
	gives_string("'\\U0001F3B5'", "\xF0\x9F\x8E\xB5");
	gives_string("'\\x41\\X42'", "AB");
	gives_string("'\\101\\060'", "A0");
	gives_string("'\\xe9'", "\xC3\xA9");	/* a code point, as in CEL */
	gives_string("'h\xC3\xA9llo'", "h\xC3\xA9llo");
	gives_string("\"it's\"", "it's");
	gives_string("'say \"hi\"'", "say \"hi\"");
	gives_string("''", "");
}

Test(cad_expr_parse, raw_and_triple_quoted_strings)
{
	gives_string("r'a\\nb'", "a\\nb");
	gives_string("R\"\\d+\"", "\\d+");
	gives_string("'''one\ntwo'''", "one\ntwo");
	gives_string("\"\"\"it's \"quoted\" \"\"\"", "it's \"quoted\" ");
	gives_string("'''a\\tb'''", "a\tb");
	gives_string("r'''\\n'''", "\\n");
}

/* ---- syntax errors ---- */

Test(cad_expr_parse, missing_operands)
{
	syntax("1 +", 4, 0, "expected an operand, found the end of the expression");
	syntax("1 + * 2", 5, 1, "expected an operand, found '*'");
	syntax("(1 + 2", 7, 0, "expected ')', found the end of the expression");
	syntax("()", 2, 1, "expected an operand, found ')'");
	syntax("score.a ? 1", 12, 0, "expected ':', found the end of the expression");
	syntax("score.a ?: 1", 10, 1, "expected an operand, found ':'");
	syntax("[1, 2", 6, 0, "expected ',' or ']', found the end of the expression");
	syntax("[1 2]", 4, 1, "expected ',' or ']', found '2'");
	syntax("{'a' 1}", 6, 1, "expected ':', found '1'");
	syntax("{'a': 1", 8, 0, "expected ',' or '}', found the end of the expression");
	syntax("size(1", 7, 0, "expected ',' or ')', found the end of the expression");
	syntax("score.", 7, 0, "expected a field name, found the end of the expression");
	syntax("score.1", 6, 2, "unexpected '.1' after a complete expression");
	syntax("score.a[", 9, 0, "expected an operand, found the end of the expression");
	syntax("score.a[1", 10, 0, "expected ']', found the end of the expression");
	syntax("", 1, 0, "the expression is empty");
	syntax("   ", 1, 0, "the expression is empty");
	syntax("// nothing", 1, 0, "the expression is empty");
}

Test(cad_expr_parse, unexpected_tokens)
{
	syntax("1 2", 3, 1, "unexpected '2' after a complete expression");
	syntax("score.a score.b", 9, 5, "unexpected 'score' after a complete expression");
	syntax("score.a = 1", 9, 1, "unexpected character '='");
	syntax("score.a & score.b", 9, 1, "unexpected character '&'");
	syntax("score.a | score.b", 9, 1, "unexpected character '|'");
	syntax("#", 1, 1, "unexpected character '#'");
	syntax("score.a + $", 11, 1, "unexpected character '$'");
	syntax(".a", 1, 1, "a leading '.' (the root namespace) is not supported");
	syntax("score.true", 7, 4, "'true' is a keyword; write [\"true\"] to select it");
	syntax("if", 1, 2, "'if' is a reserved word");
	syntax("score.a && while", 12, 5, "'while' is a reserved word");
}

Test(cad_expr_parse, help_for_common_mistakes)
{
	syntax_help("score.a = 1", "use '==' to compare");
	syntax_help("score.a & score.b", "use '&&' for \"and\"");
	syntax_help("score.a | score.b", "use '||' for \"or\"");
	syntax_help("score.a and score.b", "use '&&' for \"and\"");
	syntax_help("score.a or score.b", "use '||' for \"or\"");
	syntax_help("score.a score.b", "an operator may be missing before it");
	syntax_help("'a\nb'", "a quoted string ends on its line; write \\n for a newline, "
				"or use '''...'''");
	syntax_help("1u", "write 1");
}

Test(cad_expr_parse, bad_literals)
{
	syntax("'abc", 1, 1, "unterminated string");
	syntax("score.a + \"abc", 11, 1, "unterminated string");
	syntax("'a\nb'", 1, 1, "unterminated string");
	syntax("r'abc", 1, 2, "unterminated string");
	syntax("'''abc''", 1, 1, "unterminated string");
	syntax("'a\\qb'", 3, 2, "unknown escape \\'q'");
	syntax("'\\u12'", 2, 4, "the escape \\u needs 4 hexadecimal digits");
	syntax("'\\x4'", 2, 3, "the escape \\x needs 2 hexadecimal digits");
	syntax("'\\19'", 2, 2, "the escape \\1 needs 3 octal digits");
	syntax("'\\uD800'", 2, 6, "the escape is not a Unicode scalar value (a surrogate or "
				  "above U+10FFFF)");
	syntax("'\\U00110000'", 2, 10, "the escape is not a Unicode scalar value (a surrogate "
				       "or above U+10FFFF)");
	syntax("'\\u0000'", 2, 6, "strings cannot hold the NUL character");
	syntax("'\\", 2, 1, "unterminated string");
	syntax("9223372036854775808", 1, 19, "integer literal out of range (integers are 64-bit)");
	syntax("-9223372036854775809", 2, 19, "integer literal out of range (integers are 64-bit)");
	syntax("99999999999999999999", 1, 20, "integer literal out of range (integers are 64-bit)");
	syntax("0x10000000000000000", 1, 19, "integer literal out of range (integers are 64-bit)");
	syntax("1 + 9223372036854775808", 5, 19,
	       "integer literal out of range (integers are 64-bit)");
	syntax("-(9223372036854775808)", 3, 19,
	       "integer literal out of range (integers are 64-bit)");
	syntax("-(-9223372036854775808)", 1, 1, "integer overflow");
	syntax("1u", 1, 2, "unsigned integers are not supported");
	syntax("12abc", 3, 1, "unexpected character after a number: 'a'");
	syntax("1e", 2, 1, "an exponent needs digits");
	syntax("1e+", 2, 2, "an exponent needs digits");
	syntax("1e999", 1, 5, "double literal out of range");
	syntax("0x", 1, 2, "a hexadecimal number needs digits after '0x'");
}

Test(cad_expr_parse, columns_count_code_points)
{
	/* 'héllo' is 7 bytes but 6 characters before the space */
	syntax("'h\xC3\xA9llo' + ", 11, 0, "expected an operand, found the end of the expression");
	/* three CJK characters (9 bytes) inside the quotes */
	syntax("'\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E' + @", 9, 1, "unexpected character '@'");
	/* an emoji (4 bytes) then an error */
	syntax("'\xF0\x9F\x8E\xB5' ==", 7, 0, "expected an operand, found the end of the expression");
	/* a non-ASCII character where a token should be: width 1, length 2 */
	cadence_expr_error err = bad_n("score.a + \xC3\xA9", 12);
	cr_assert_str_eq(err.message, "unexpected character '\xC3\xA9' (U+00E9)");
	cr_assert_eq(err.column, 11);
	cr_assert_eq(err.offset, 10);
	cr_assert_eq(err.width, 1);
	cr_assert_eq(err.length, 2);
	/* a token after non-ASCII text: offset in bytes, column in characters */
	err = bad_n("'\xC3\xA9\xC3\xA9' foo", 10);
	cr_assert_eq(err.offset, 7);
	cr_assert_eq(err.column, 6);
	cr_assert_eq(err.length, 3);
	cr_assert_eq(err.width, 3);
	/* a tab is one column */
	syntax("\t1 +", 5, 0, "expected an operand, found the end of the expression");
}

Test(cad_expr_parse, bytes_that_are_not_text)
{
	syntax("score.a + \xFF", 11, 1, "unexpected character byte 0xFF (not UTF-8)");
	syntax("'a\xC3'", 3, 1, "invalid text in a string: byte 0xC3 (not UTF-8)");
	syntax("'\xED\xA0\x80'", 2, 1, "invalid text in a string: byte 0xED (not UTF-8)");
	cadence_expr_error err = bad_n("1\0", 2);
	cr_assert_str_eq(err.message, "unexpected NUL character: U+0000");
	cr_assert_eq(err.offset, 1);
	err = bad_n("'a\0'", 4);
	cr_assert_str_eq(err.message, "strings cannot hold the NUL character");
	cr_assert_eq(err.column, 3);
	syntax("score.a \x01", 9, 1, "unexpected character U+0001");
}

Test(cad_expr_parse, source_need_not_be_terminated)
{
	const char buf[] = { '1', '+', '2', '9' };
	cadence_expr *e = NULL;
	cr_assert_eq(cadence_expr_compile(&e, buf, 3, NULL, NULL), 0);
	cr_assert_str_eq(cadence_expr_source(e), "1+2");
	char *d = cad_expr_dump(e);
	cr_assert_str_eq(d, "(+ 1 2)");
	free(d);
	cadence_expr_free(e);
}

/* ---- limits ---- */

static char *repeat(const char *pre, size_t n, const char *mid, const char *post, size_t m)
{
	size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
	char *s = malloc(lp * n + lm + lq * m + 1), *p = s;
	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++, p += lp)
		memcpy(p, pre, lp);
	memcpy(p, mid, lm);
	p += lm;
	for (size_t i = 0; i < m; i++, p += lq)
		memcpy(p, post, lq);
	*p = '\0';
	return s;
}

static void too_deep(char *src)
{
	cadence_expr_error err = bad_n(src, strlen(src));
	cr_assert_str_eq(err.message, "the expression is nested too deeply (more than 256 levels)",
			 "%.40s...", src);
	free(src);
}

static void deep_enough(char *src)
{
	cadence_expr *e = ok(src);
	cadence_expr_free(e);
	free(src);
}

Test(cad_expr_parse, nesting_limits)
{
	deep_enough(repeat("(", 200, "1", ")", 200));
	too_deep(repeat("(", 300, "1", ")", 300));
	too_deep(repeat("!", 300, "true", "", 0));
	too_deep(repeat("-", 300, "1", "", 0));
	too_deep(repeat("[", 300, "1", "]", 300));
	too_deep(repeat("size(", 300, "'a'", ")", 300));
	too_deep(repeat("1 + ", 300, "1", "", 0));
	too_deep(repeat("score", 1, "", ".a", 300));
	deep_enough(repeat("score", 1, "", ".a", 200));
	/* a chain of && is one node, however long */
	deep_enough(repeat("score.a && ", 1000, "true", "", 0));
	deep_enough(repeat("score.a || ", 1000, "true", "", 0));
	/* hostile input near the source limit: refused, not a stack overflow */
	too_deep(repeat("(", 60000, "", "", 0));
	too_deep(repeat("[", 60000, "", "", 0));
	too_deep(repeat("-", 60000, "1", "", 0));
	too_deep(repeat("1+", 30000, "1", "", 0));
}

Test(cad_expr_parse, the_column_of_too_deep)
{
	char *src = repeat("(", 300, "1", ")", 300);
	cadence_expr_error err = bad_n(src, strlen(src));
	cr_assert_eq(err.column, 257);
	free(src);
}

Test(cad_expr_parse, source_length_limit)
{
	size_t n = CADENCE_EXPR_MAX_SOURCE + 1;
	char *src = malloc(n + 1);
	cr_assert_not_null(src);
	memset(src, ' ', n);
	src[0] = '1';
	src[n] = '\0';
	cadence_expr_error err = bad_n(src, n);
	cr_assert_str_eq(err.message, "the expression is 65537 bytes long; the limit is 65536");
	/* at the limit it compiles */
	cadence_expr *e = NULL;
	cr_assert_eq(cadence_expr_compile(&e, src, n - 1, NULL, NULL), 0);
	cadence_expr_free(e);
	free(src);
}

Test(cad_expr_parse, bad_arguments)
{
	cadence_expr *e = NULL;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cr_assert_eq(cadence_expr_compile(NULL, "1", 1, NULL, &err), CADENCE_EINVAL);
	cr_assert_eq(cadence_expr_compile(&e, NULL, 1, NULL, &err), CADENCE_EINVAL);
	cr_assert_eq(cadence_expr_compile(&e, NULL, 0, NULL, &err), CADENCE_EINVALID);
	cr_assert_str_eq(err.message, "the expression is empty");
	cr_assert_null(e);
	cr_assert_eq(cadence_expr_compile(&e, "1 +", 3, NULL, NULL), CADENCE_EINVALID);
	cadence_expr_free(NULL);
	cadence_expr_error_clear(&err);
}

Test(cad_expr_parse, memory_grows_with_the_source_not_faster)
{
	/* thousands of string literals: each takes its own size, not the rest
	 * of the source (that made a 64 KiB expression take 450 MB) */
	char *src = repeat("'a', ", 12000, "'\\u00e9'", "", 0);
	size_t n = strlen(src);
	char *list = malloc(n + 3);
	cr_assert_not_null(list);
	list[0] = '[';
	memcpy(list + 1, src, n);
	list[n + 1] = ']';
	list[n + 2] = '\0';
	cadence_expr *e = ok(list);
	cr_assert_lt(e->ar.total, 64 * n, "%zu bytes for %zu of source", e->ar.total, n);
	cadence_expr_free(e);
	free(list);
	free(src);
}
