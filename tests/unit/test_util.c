/* SPDX-License-Identifier: MIT */
/* Utilities: did-you-mean, UTF-8 cleaning, string buffers, the arena,
 * saturating time arithmetic. */
#include "util/arena.h"
#include "util/path.h"
#include "util/sat.h"
#include "util/strbuf.h"
#include "util/suggest.h"
#include "util/utf8.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

Test(suggest, distance)
{
	cr_assert_eq(cad_suggest_distance("retry", 5, "retry", 9), 0);
	cr_assert_eq(cad_suggest_distance("retyr", 5, "retry", 9), 1);	/* transposition */
	cr_assert_eq(cad_suggest_distance("rety", 4, "retry", 9), 1);
	cr_assert_eq(cad_suggest_distance("abc", 3, "xyz", 9), 3);
	cr_assert_eq(cad_suggest_distance("abcdefgh", 8, "z", 2), 3);	/* capped */
}

Test(suggest, pick)
{
	const char *keys[] = { "attempts", "delay", "backoff", "max_delay", "jitter" };
	cr_assert_str_eq(cad_suggest_pick("backof", 6, keys, 5), "backoff");
	cr_assert_str_eq(cad_suggest_pick("dealy", 5, keys, 5), "delay");
	cr_assert_null(cad_suggest_pick("colour", 6, keys, 5));
	cr_assert_null(cad_suggest_pick("x", 1, keys, 5));
}

Test(utf8, decode)
{
	uint32_t cp;
	cr_assert_eq(cad_utf8_decode((const unsigned char *)"a", 1, &cp), 1);
	cr_assert_eq(cp, 'a');
	cr_assert_eq(cad_utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp), 2);
	cr_assert_eq(cp, 0xE9);
	cr_assert_eq(cad_utf8_decode((const unsigned char *)"\xF0\x9F\x8E\xB5", 4, &cp), 4);
	cr_assert_eq(cp, 0x1F3B5);
	cr_assert_eq(cad_utf8_decode((const unsigned char *)"\xC3", 1, &cp), 0);	/* truncated */
	cr_assert_eq(cad_utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp), 0);	/* overlong */
	cr_assert_eq(cad_utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp), 0);	/* surrogate */
	cr_assert_eq(cad_utf8_decode((const unsigned char *)"\xE9x", 2, &cp), 0);
	cr_assert_eq(cad_utf8_decode((const unsigned char *)"\x80", 1, &cp), 0);
}

Test(utf8, printable_copy)
{
	char *s = cad_utf8_dup_printable("caf\xE9\x1B[31m\tok\xC3\xA9", 14, 1);
	cr_assert_str_eq(s, "caf\xEF\xBF\xBD\xEF\xBF\xBD[31m\tok\xC3\xA9");
	free(s);
	s = cad_utf8_dup_printable("a\tb\nc", 5, 0);
	cr_assert_str_eq(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
	free(s);
	s = cad_utf8_dup_printable("x\0y", 3, 0);
	cr_assert_str_eq(s, "x\xEF\xBF\xBDy");
	free(s);
	/* issue 14: C1 CSI (U+009B) and a right-to-left override (U+202E), but
	 * not a left-to-right mark (U+200E) nor a letter beside them */
	s = cad_utf8_dup_printable("a\xC2\x9B" "b\xE2\x80\xAE" "c\xE2\x80\x8E" "d\xE2\x80\xAF", 15, 0);
	cr_assert_str_eq(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xE2\x80\x8E" "d\xE2\x80\xAF");
	free(s);
	cr_assert(cad_utf8_is_unsafe(0x2066) && cad_utf8_is_unsafe(0x2069) && cad_utf8_is_unsafe(0x202A));
	cr_assert(!cad_utf8_is_unsafe(0x2065) && !cad_utf8_is_unsafe(0x206A) && !cad_utf8_is_unsafe(0x2029));
}

Test(utf8, valid_copy_and_prefix)
{
	/* only bytes that are not UTF-8 are replaced; controls are kept */
	char *s = cad_utf8_dup_valid("caf\xE9\x1B[31m\xC3\xA9\xF0\x9F", 13);
	cr_assert_str_eq(s, "caf\xEF\xBF\xBD\x1B[31m\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
	free(s);
	cr_assert_eq(cad_utf8_valid_prefix("", 0), 0);
	cr_assert_eq(cad_utf8_valid_prefix("ok \xC3\xA9\xF0\x9F\x8E\xB5", 9), 9);
	cr_assert_eq(cad_utf8_valid_prefix("caf\xE9!", 5), 3);
	cr_assert_eq(cad_utf8_valid_prefix("ab\xC3", 3), 2);	/* cut short */
	cr_assert_eq(cad_utf8_valid_prefix("\xED\xA0\x80", 3), 0);	/* a surrogate */
	cr_assert_eq(cad_utf8_valid_prefix("a\0b", 3), 3);	/* NUL is UTF-8 */
}

Test(strbuf, grows_and_formats)
{
	strbuf b = STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		cad_strbuf_addf(&b, "%d,", i);
	const char *s = cad_strbuf_cstr(&b);
	cr_assert_eq(b.len, strlen(s));
	cr_assert(!strncmp(s, "0,1,2,", 6));
	cr_assert(strstr(s, ",999,"));
	cad_strbuf_free(&b);
}

Test(arena, allocations_are_aligned_and_independent)
{
	arena a;
	cad_arena_init(&a);
	char *prev = NULL;
	for (int i = 1; i < 5000; i++) {
		char *p = cad_arena_alloc(&a, (size_t)(i % 97) + 1);
		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % sizeof(void *), 0);
		memset(p, 0xAB, (size_t)(i % 97) + 1);
		cr_assert_neq(p, prev);
		prev = p;
	}
	char *big = cad_arena_alloc(&a, 1 << 20);	/* larger than a block */
	cr_assert_not_null(big);
	memset(big, 0, 1 << 20);
	cad_arena_free(&a);
}

/* issue 14 item 10: durations the format accepts (up to 9e15 ms) past
 * INT64_MAX nanoseconds clamp instead of wrapping into the past */
Test(sat, durations_clamp_instead_of_wrapping)
{
	int64_t most_ms = 9000000000000000LL;	/* format.md's limit */
	cr_assert_eq(cad_sat_ms_to_ns(2000), 2000000000LL);
	cr_assert_eq(cad_sat_ms_to_ns(most_ms), INT64_MAX);
	cr_assert_eq(cad_sat_ms_to_ns(INT64_MAX / 1000000), INT64_MAX / 1000000 * 1000000);
	cr_assert_eq(cad_sat_ms_to_ns(INT64_MAX / 1000000 + 1), INT64_MAX);
	cr_assert_eq(cad_sat_add(5, 7), 12);
	cr_assert_eq(cad_sat_add(INT64_MAX - 1, 2), INT64_MAX);
	cr_assert_eq(cad_sat_add(INT64_MIN + 1, -2), INT64_MIN);
	cr_assert_eq(cad_sat_add(123456789, cad_sat_ms_to_ns(most_ms)), INT64_MAX);
}

/* issue 14 item 10: the poll() timeout of a wait past 24.8 days is INT_MAX,
 * not an int that wrapped */
Test(sat, poll_timeouts)
{
	cr_assert_eq(cad_sat_poll_ms(-1), -1);
	cr_assert_eq(cad_sat_poll_ms(0), 0);
	cr_assert_eq(cad_sat_poll_ms(1), 1);	/* rounded up: never a busy wait */
	cr_assert_eq(cad_sat_poll_ms(1000000), 1);
	cr_assert_eq(cad_sat_poll_ms(1000001), 2);
	cr_assert_eq(cad_sat_poll_ms((int64_t)INT_MAX * 1000000), INT_MAX);
	cr_assert_eq(cad_sat_poll_ms((int64_t)INT_MAX * 1000000 + 1), INT_MAX);
	cr_assert_eq(cad_sat_poll_ms(INT64_MAX), INT_MAX);
	cr_assert_eq(cad_sat_ns_to_ms_up(INT64_MAX), INT64_MAX / 1000000 + 1);
}

/* The one "directory of a path" of the library and the CLI: the edge
 * cases each caller had before. */
Test(path, the_directory_of_a_path)
{
	static const struct {
		const char *path, *dir;
		size_t len;
	} cases[] = {
		{ "", ".", 0 },		{ "/", "/", 1 },	{ "a", ".", 0 },
		{ "a/", "a/", 2 },	{ "/a", "/", 1 },	{ "a/b/x.yaml", "a/b/", 4 },
		{ "//x", "//", 2 },	{ "./x", "./", 2 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *dir = cad_path_dir(cases[i].path);
		cr_assert_str_eq(dir, cases[i].dir, "'%s'", cases[i].path);
		cr_assert_eq(cad_path_dir_len(cases[i].path), cases[i].len, "'%s'", cases[i].path);
		free(dir);
	}
	char *dir = cad_path_dir(NULL);
	cr_assert_str_eq(dir, ".");
	cr_assert_eq(cad_path_dir_len(NULL), 0);
	free(dir);
}
