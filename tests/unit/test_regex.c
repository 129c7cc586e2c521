/* SPDX-License-Identifier: MIT */
/*
 * The regular expressions of matches() (lib/src/expr/regex.c), issue 14
 * item 4: the same answers as glibc's regcomp(REG_EXTENDED | REG_NOSUB)
 * and regexec(), which matches() used before, on a table of patterns and
 * strings and on random ones; what is refused and why; the limits; and
 * matching in steps proportional to the string.
 */
#include "expr/regex.h"

#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct compiled {
	arena ar;
	cad_regex *re;
	cad_regex_error err;
	int rc;
} compiled;

static void compile(compiled *c, const char *pattern)
{
	cad_arena_init_small(&c->ar, NULL, 0, 0);
	c->rc = cad_regex_compile(&c->ar, &c->ar, pattern, strlen(pattern), SIZE_MAX, &c->re,
				  &c->err);
}

/* 1 or 0; aborts the test on an error */
static int mine(const char *pattern, const char *s)
{
	compiled c;
	compile(&c, pattern);
	cr_assert_eq(c.rc, 0, "/%s/: %s", pattern, c.err.message);
	uint64_t steps = 0;
	int m = cad_regex_match(c.re, s, strlen(s), &c.ar, &steps, UINT64_MAX);
	cr_assert(m == 0 || m == 1, "/%s/ on \"%s\": %d", pattern, s, m);
	cad_arena_free(&c.ar);
	return m;
}

static int glibc(const char *pattern, const char *s)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0, "glibc: /%s/", pattern);
	int m = !regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return m;
}

/* ---- the same answers as glibc ---- */

static const char *const patterns[] = {
	"", "a", "abc", "^abc$", "a|b|", "(a|b)*c", "(ab|a)(bc|c)", "a+", "a?b", "a*",
	"x*", "^$", "^", "$", "a{2}", "a{2,}", "a{,2}b", "a{1,3}$", "(ab){2}", "(a{2}){2}",
	"()", "()*", "(|a)+b", "a**", "a+?", "x{0}a", "(a|)*b", ".", "^.$", "^..$", "a.c",
	"[abc]", "[^abc]", "[a-c]+$", "[]a]", "[^]a]", "[a-]", "[--/]", "[]-a]", "[[:alpha:]]+",
	"^[[:digit:]]+$", "[[:space:]]", "[[:upper:][:digit:]]", "[[:punct:]]", "[[:xdigit:]]{2}",
	"[[.a.]-c]", "[[=b=]]", "[[.-.]]", "[[.].]]", "[\\d]", "\\w+", "\\W", "\\s", "\\S+$",
	"\\bfoo\\b", "\\Boo", "\\<b", "r\\>", "\\`a", "c\\'", "\\.", "\\(", "\\|", "\\{", "a\\+",
	"a)", "a}", "a]", "x|^a", "b$|^a", "(^a|b)c", "^[a-z.]+@example\\.com$",
	"^[a-z]+@[a-z]+\\.com$", "(foo|foobar)baz", "\xc3\xa9", "^.{2}$", "[\x80-\xff]",
	"a|b|c|d|e|f|g|h", "((a|b)(c|d))*e", "[[:alpha:]_][[:alnum:]_]*",
};

static const char *const inputs[] = {
	"", "a", "b", "c", "ab", "abc", "abcabc", "aab", "aaab", "ba", "bc", "cab", "xyz",
	"foo bar", "foobarbaz", "foobaz", "a-b", "]", "a]b", "a.c", "a\\b", "x\ty", "AB12",
	"ada@example.com", "ada@example.org", "\xc3\xa9t\xc3\xa9", "(a|b)", "a{2}", "ace", "bde",
	"_id9", "9id", "a+", "a)", "a}",
};

Test(regex, the_same_answers_as_glibc_on_a_table)
{
	int compared = 0;
	for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		if (strstr(patterns[p], "\\1"))
			continue;	/* refused below */
		for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
			int want = glibc(patterns[p], inputs[i]);
			cr_assert_eq(mine(patterns[p], inputs[i]), want, "/%s/ on \"%s\": glibc says %d",
				     patterns[p], inputs[i], want);
			compared++;
		}
	}
	cr_assert_gt(compared, 2500);
}

/* What a few of them mean, written out (so that the table above does not
 * only say "as glibc"). */
Test(regex, what_patterns_mean)
{
	static const struct {
		const char *pattern, *s;
		int want;
	} cases[] = {
		{ "b", "abc", 1 },		/* anywhere, unless anchored */
		{ "^b", "abc", 0 },
		{ "^a.c$", "abc", 1 },
		{ "\\w+", "--", 0 },		/* GNU escapes, as glibc had them */
		{ "\\bfoo\\b", "a foo.", 1 },
		{ "\\bfoo\\b", "afoo", 0 },
		{ "[[:alpha:]]", "\xc3\xa9", 0 },	/* the C locale: ASCII classes */
		{ "^.$", "\xc3\xa9", 0 },	/* bytes: é is two */
		{ "^..$", "\xc3\xa9", 1 },
		{ "\xc3\xa9", "caf\xc3\xa9", 1 },
		{ "a{2,3}", "a", 0 },
		{ "^a{2,3}$", "aaaa", 0 },
		{ "^(ab|a)*$", "abaab", 1 },
		{ "[a-]", "-", 1 },
		{ "a)", "a)", 1 },		/* an unmatched ) is a character */
		{ ".", "\n", 1 },		/* no REG_NEWLINE */
		{ "[^a]", "\n", 1 },
		{ "a$", "a\nb", 0 },		/* $ is the end of the string only */
		{ "^b", "a\nb", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(mine(cases[i].pattern, cases[i].s), cases[i].want, "/%s/ on \"%s\"",
			     cases[i].pattern, cases[i].s);
}

/* glibc matched ^ after, and $ before, a newline read by the pattern itself
 * ("a$." on "a\nb"), though never at the start or end of a search: a bug of
 * its DFA (without REG_NEWLINE a newline is an ordinary character).  Here
 * they are the start and the end of the string, as POSIX says. */
Test(regex, anchors_are_the_ends_of_the_string)
{
	cr_assert_eq(glibc("a$.", "a\nb"), 1);
	cr_assert_eq(mine("a$.", "a\nb"), 0);
	cr_assert_eq(glibc("a.^b", "a\nb"), 1);
	cr_assert_eq(mine("a.^b", "a\nb"), 0);
}

/* xorshift: the same sequence on every run */
static unsigned rnd(unsigned long long *s, unsigned n)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (unsigned)(*s % n);
}

static const char *const pieces[] = {
	"a", "b", "c", ".", "*", "+", "?", "|", "(", ")", "[", "]", "^", "$", "-", "{", "}", ",",
	"0", "1", "2", "\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "\\<", "\\>", "\\`", "\\'",
	"[:alpha:]", "[.a.]", "[=b=]", " ", "_", "\\.", "\\(", "[^", "{1}", "{0,2}", "{2,}", "{,1}",
	"\\", "(a|b)", "[a-c]", "\xc3\xa9", "\xff", "[[:space:]]", "\n", "[.", ".]", ":]", "{,}",
	"{01}", "{1,2,3}", "()", "[z-a]", "[%--]", "[a-c-e]", "[a-]", "\\z", "\\1",
};

/* Random patterns of up to ten pieces: glibc and this accept the same
 * ones (but for what is refused on purpose), and give the same answers on
 * random strings, but for the anchors next to a newline above. */
Test(regex, the_same_answers_as_glibc_on_random_patterns)
{
	unsigned long long seed = 88172645463325252ULL;
	static const char alphabet[] = "abc _-.\n]x\xc3\xa9";
	long accepted = 0, compared = 0;
	for (int it = 0; it < 20000; it++) {
		char pat[256] = "";
		for (int n = 1 + (int)rnd(&seed, 10); n > 0; n--)
			strcat(pat, pieces[rnd(&seed, sizeof(pieces) / sizeof(pieces[0]))]);
		regex_t g;
		int grc = regcomp(&g, pat, REG_EXTENDED | REG_NOSUB);
		compiled c;
		compile(&c, pat);
		if (grc || c.rc) {
			int on_purpose = !grc && (strstr(c.err.message, "back-references") ||
						  strstr(c.err.message, "is not an escape"));
			cr_assert(!grc == !c.rc || on_purpose, "/%s/: glibc %d, here %d (%s)", pat, grc,
				  c.rc, c.err.message);
		} else {
			accepted++;
			for (int k = 0; k < 20; k++) {
				char s[16];
				int n = (int)rnd(&seed, 9);
				for (int i = 0; i < n; i++)
					s[i] = alphabet[rnd(&seed, sizeof(alphabet) - 1)];
				s[n] = '\0';
				if (strchr(s, '\n') && strpbrk(pat, "^$"))
					continue;
				uint64_t steps = 0;
				int want = !regexec(&g, s, 0, NULL, 0);
				int got = cad_regex_match(c.re, s, strlen(s), &c.ar, &steps, UINT64_MAX);
				cr_assert_eq(got, want, "/%s/ on \"%s\": glibc %d, here %d", pat, s, want,
					     got);
				compared++;
			}
		}
		if (!grc)
			regfree(&g);
		cad_arena_free(&c.ar);
	}
	cr_assert_gt(accepted, 5000);
	cr_assert_gt(compared, 80000);
}

/* ---- what is refused ---- */

static void refused(const char *pattern, size_t offset, const char *message, const char *help)
{
	compiled c;
	compile(&c, pattern);
	cr_assert_eq(c.rc, CADENCE_EINVALID, "/%s/", pattern);
	cr_assert_null(c.re);
	cr_assert_str_eq(c.err.message, message, "/%s/", pattern);
	if (help)
		cr_assert_str_eq(c.err.help, help, "/%s/", pattern);
	cr_assert_eq(c.err.offset, offset, "/%s/: offset %zu", pattern, c.err.offset);
	cad_arena_free(&c.ar);
}

Test(regex, syntax_errors_say_what_and_where)
{
	refused("ab(c", 2, "unmatched ( at character 3", "close it with ), or write \\( for a parenthesis");
	refused("a[bc", 1, "unterminated [ at character 2", NULL);
	refused("*a", 0, "* has nothing to repeat at character 1", NULL);
	refused("a|+", 2, "+ has nothing to repeat at character 3", NULL);
	refused("^*", 1, "* has nothing to repeat at character 2", NULL);
	refused("a{x}", 1, "a { that does not start a repetition count at character 2", NULL);
	refused("a{3,2}", 1, "the repetition {3,2} goes backwards at character 2", NULL);
	refused("[z-a]", 1, "the range z-a goes backwards at character 2", NULL);
	refused("[a-c-e]", 4, "a - that is not part of a range at character 5", NULL);
	refused("[[:word:]]", 1, "unknown class [:word:] at character 2", NULL);
	refused("[[.ab.]]", 1, "unknown collating element [.ab.] at character 2", NULL);
	refused("ab\\", 2, "a \\ ends the pattern at character 3", "write \\\\ for a backslash");
	/* \u00e9 is two bytes: the character count is of characters */
	refused("\xc3\xa9(", 2, "unmatched ( at character 2", NULL);
}

/* What glibc accepted and is refused on purpose: back-references (no
 * linear-time matcher has them) and escapes of letters and digits that
 * glibc read as the character itself (\d was "d"). */
Test(regex, back_references_and_unknown_escapes_are_refused)
{
	refused("(a)\\1", 3, "back-references (\\1) are not supported at character 4",
		"a back-reference cannot be matched in linear time; repeat the group instead");
	refused("\\d+", 0, "\\d is not an escape here at character 1", "write [0-9] for a digit");
	refused("[0-9]\\D", 5, "\\D is not an escape here at character 6",
		"write [^0-9] for a character that is not a digit");
	refused("a\\nb", 1, "\\n is not an escape here at character 2",
		"write the control character itself: \\n in the expression's string is a newline");
	refused("\\x41", 0, "\\x is not an escape here at character 1",
		"the escapes are \\w \\W \\s \\S \\b \\B \\< \\> \\` \\'; a \\ before any other "
		"punctuation makes it a character");
}

/* ---- limits ---- */

static size_t size_of(const char *pattern)
{
	compiled c;
	compile(&c, pattern);
	cr_assert_eq(c.rc, 0, "/%s/: %s", pattern, c.err.message);
	size_t n = cad_regex_size(c.re);
	cad_arena_free(&c.ar);
	return n;
}

Test(regex, the_size_is_counted_with_repetitions_written_out)
{
	cr_assert_eq(size_of("abc"), 4);		/* and MATCH */
	cr_assert_eq(size_of("a{5}"), 6);
	cr_assert_eq(size_of("a{2,4}"), 2 + 2 * 2 + 1);
	cr_assert_eq(size_of("(ab){3}"), 7);
	cr_assert_eq(size_of("a|b|c"), 3 + 2 * 2 + 1);
	cr_assert_eq(size_of("a*"), 4);
	cr_assert_eq(size_of("a{3,}"), 3 + 1 + 1);
	cr_assert_eq(size_of("a{9999}"), CAD_REGEX_MAX_INSTS);
	/* what matches the empty string alone is not written at all, however
	 * often it is repeated (fuzz_regex: the loops over its copies ran for
	 * hours; fuzz/regressions/regex/repeated-empty-group) */
	cr_assert_eq(size_of("(){32767}{32767}{32767}a"), 2);
	cr_assert_eq(size_of("(a(){32767}()(x{0}){32767}){9999}"), CAD_REGEX_MAX_INSTS);
	cr_assert_eq(mine("(){32767}{32767}{32767}a", "ba"), 1);
	cr_assert_eq(mine("^(x{0}){32767}$", ""), 1);
	refused("a{10000}", 0,
		"the pattern is too large: with its repetitions written out it makes 10001 "
		"instructions; the limit is 10000",
		"use smaller repetition counts (a{9}{9} is 81 copies of a); to test a length, use "
		"size()");
	/* issue 14 item 4: 255^4 copies, refused before anything is allocated
	 * for them (glibc's regcomp took 4-16 GB and a minute) */
	refused("((((a{255}){255}){255}){255})", 0,
		"the pattern is too large: with its repetitions written out it makes 4228250626 "
		"instructions; the limit is 10000", NULL);
	refused("((a{32767}){32767}){32767}{32767}{32767}", 0,
		"the pattern is too large: with its repetitions written out it makes more than "
		"18446744073709551615 instructions; the limit is 10000", NULL);
	refused("a{32768}", 1, "a repetition count is more than 32767 at character 2", NULL);
}

static char *nested(int levels)
{
	char *s = malloc((size_t)levels * 2 + 2);
	cr_assert_not_null(s);
	memset(s, '(', (size_t)levels);
	s[levels] = 'a';
	memset(s + levels + 1, ')', (size_t)levels);
	s[2 * levels + 1] = '\0';
	return s;
}

Test(regex, nesting_and_length_are_limited)
{
	char *s = nested(CAD_REGEX_MAX_DEPTH);
	cr_assert_eq(mine(s, "a"), 1);
	free(s);
	s = nested(CAD_REGEX_MAX_DEPTH + 1);
	refused(s, 256, "groups are nested more than 256 levels deep at character 257", NULL);
	free(s);
	/* repetitions count as levels too: a in 130 groups, each starred */
	char deep[1024] = "";
	for (int i = 0; i < 130; i++)
		strcat(deep, "(");
	strcat(deep, "a");
	for (int i = 0; i < 130; i++)
		strcat(deep, ")*");
	refused(deep, 1, "groups and repetitions are nested more than 256 levels deep at "
			 "character 2", NULL);	/* the group that would make 257 */
	/* a pattern longer than 64 KiB is refused before it is read */
	size_t len = CAD_REGEX_MAX_LEN + 1;
	char *big = malloc(len + 1);
	cr_assert_not_null(big);
	for (size_t i = 0; i < len; i += 4)
		memcpy(big + i, "x{0}", len - i < 4 ? len - i : 4);
	big[len] = '\0';
	refused(big, 0, "the pattern is 65537 bytes long; the limit is 65536", NULL);
	big[len - 1] = '\0';
	cr_assert_eq(mine(big, ""), 1);	/* x{0} matches the empty string */
	free(big);
}

Test(regex, a_program_larger_than_asked_is_only_checked)
{
	arena ar;
	cad_arena_init_small(&ar, NULL, 0, 0);
	cad_regex *re = (cad_regex *)&ar;
	cad_regex_error err;
	cr_assert_eq(cad_regex_compile(&ar, &ar, "a{100}", 6, 50, &re, &err), 0);
	cr_assert_null(re);
	cr_assert_eq(cad_regex_compile(&ar, &ar, "a{10}", 5, 50, &re, &err), 0);
	cr_assert_not_null(re);
	cr_assert_eq(cad_regex_compile(&ar, &ar, "a{100", 5, 50, &re, &err), CADENCE_EINVALID);
	cad_arena_free(&ar);
}

/* ---- time and memory ---- */

static uint64_t steps_of(const char *pattern, const char *s, size_t n, int want)
{
	compiled c;
	compile(&c, pattern);
	cr_assert_eq(c.rc, 0);
	uint64_t steps = 0;
	cr_assert_eq(cad_regex_match(c.re, s, n, &c.ar, &steps, UINT64_MAX), want, "/%s/", pattern);
	cad_arena_free(&c.ar);
	return steps;
}

static char *repeated(char c, size_t n)
{
	char *s = malloc(n + 1);
	cr_assert_not_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* issue 14 item 4: "[a-z]+@" on 200,000 letters took glibc 87 s (a restart
 * at each letter, each reading to the end); here a few steps a letter */
Test(regex, matching_takes_steps_in_proportion_to_the_string)
{
	char *s = repeated('a', 200000);
	uint64_t half = steps_of("[a-z]+@", s, 100000, 0);
	uint64_t whole = steps_of("[a-z]+@", s, 200000, 0);
	cr_assert_leq(whole, 3 * 200000, "%llu steps", (unsigned long long)whole);
	cr_assert(whole >= 2 * half - 1 && whole <= 2 * half + 1, "%llu and %llu",
		  (unsigned long long)half, (unsigned long long)whole);
	/* the patterns that backtracking matchers take exponential time on */
	cr_assert_leq(steps_of("^(a+)+$", s, 200000, 1), 4 * 200000);
	cr_assert_leq(steps_of("(a|aa)*b", s, 200000, 0), 8 * 200000);
	cr_assert_leq(steps_of("(a*)*(b|c)", s, 200000, 0), 8 * 200000);
	/* no step for what cannot start a match (but the first character) */
	cr_assert_eq(steps_of("x", s, 200000, 0), 1);
	cr_assert_eq(steps_of("^x", s, 200000, 0), 1);
	free(s);
}

Test(regex, matching_stops_at_its_step_limit)
{
	compiled c;
	compile(&c, ".{0,4000}x");
	cr_assert_eq(c.rc, 0);
	char *s = repeated('a', 100000);
	uint64_t steps = 5;
	cr_assert_eq(cad_regex_match(c.re, s, 100000, &c.ar, &steps, 10 * 1000 * 1000),
		     CADENCE_ELIMIT);
	cr_assert_leq(steps, 10 * 1000 * 1000);
	cr_assert_gt(steps, 10 * 1000 * 1000 - 8100);
	steps = 10 * 1000 * 1000;	/* nothing left */
	cr_assert_eq(cad_regex_match(c.re, "ab", 2, &c.ar, &steps, 10 * 1000 * 1000),
		     CADENCE_ELIMIT);
	free(s);
	cad_arena_free(&c.ar);
}

Test(regex, matching_takes_20_bytes_an_instruction)
{
	compiled c;
	compile(&c, "[0-9]{1000}");
	cr_assert_eq(c.rc, 0);
	arena scratch;
	cad_arena_init_small(&scratch, NULL, 0, 0);
	uint64_t steps = 0;
	cr_assert_eq(cad_regex_match(c.re, "123", 3, &scratch, &steps, UINT64_MAX), 0);
	cr_assert_leq(scratch.total, 20 * cad_regex_size(c.re) + 1024);
	/* a long string: and at most 1 MiB of cached states (and their index) */
	char *s = repeated('7', 100000);
	s[50000] = 'x';
	cad_arena_free(&scratch);
	cr_assert_eq(cad_regex_match(c.re, s, 100000, &scratch, &steps, UINT64_MAX), 1);
	cr_assert_leq(scratch.total, 20 * cad_regex_size(c.re) + (1 << 20) + 8192 + 65536);
	/* past the arena's limit: an error, not a crash */
	arena small;
	cad_arena_init_small(&small, NULL, 0, 4096);
	cr_assert_eq(cad_regex_match(c.re, "123", 3, &small, &steps, UINT64_MAX), CADENCE_ENOMEM);
	cr_assert(small.limited);
	cad_arena_free(&small);
	cad_arena_free(&scratch);
	cad_arena_free(&c.ar);
	free(s);
}

/* Strings of 64 bytes or more go through the cache of states (a lazy
 * DFA), shorter ones through the NFA alone: the same answers and the same
 * steps, whatever the pattern, including when the cache fills up and is
 * flushed, and when the step limit stops the match. */
static void same_both_ways(const char *pattern, const char *s, size_t n, uint64_t max_steps)
{
	compiled c;
	compile(&c, pattern);
	cr_assert_eq(c.rc, 0, "/%s/: %s", pattern, c.err.message);
	uint64_t a = 0, b = 0;
	int x = cad_regex_match(c.re, s, n, &c.ar, &a, max_steps);
	int y = cad_regex_match_nfa(c.re, s, n, &c.ar, &b, max_steps);
	cr_assert_eq(x, y, "/%s/ on %zu bytes: %d with the cache, %d without", pattern, n, x, y);
	cr_assert_eq(a, b, "/%s/ on %zu bytes: %llu steps with the cache, %llu without", pattern, n,
		     (unsigned long long)a, (unsigned long long)b);
	cad_arena_free(&c.ar);
}

Test(regex, the_cache_of_states_changes_nothing)
{
	unsigned long long seed = 1234567;
	static const char alphabet[] = "ab c_-.\n]x@";
	static char s[16384];
	for (int it = 0; it < 3000; it++) {
		char pat[256] = "";
		for (int n = 1 + (int)rnd(&seed, 10); n > 0; n--)
			strcat(pat, pieces[rnd(&seed, sizeof(pieces) / sizeof(pieces[0]))]);
		compiled c;
		compile(&c, pat);
		cad_arena_free(&c.ar);
		if (c.rc)
			continue;
		size_t n = 64 + rnd(&seed, 200);
		for (size_t i = 0; i < n; i++)
			s[i] = alphabet[rnd(&seed, sizeof(alphabet) - 1)];
		s[n] = '\0';
		same_both_ways(pat, s, n, UINT64_MAX);
		same_both_ways(pat, s, n, 1 + rnd(&seed, 300));
	}
	/* 2^15 states (16,000 met, 170 bytes each): the cache fills up and is
	 * flushed */
	for (size_t i = 0; i < sizeof(s) - 1; i++)
		s[i] = "ab"[rnd(&seed, 2)];
	s[sizeof(s) - 1] = '\0';
	same_both_ways("(a|b)*a(a|b){14}c", s, sizeof(s) - 1, UINT64_MAX);
	same_both_ways("\\<(a|b)*a(a|b){14}\\>$", s, sizeof(s) - 1, UINT64_MAX);
}
