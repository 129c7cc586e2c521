/* SPDX-License-Identifier: MIT */
/* util/utf8: counting, stepping, cutting and encoding characters. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "util/utf8.h"

Test(utf8, count_counts_characters_not_bytes)
{
	cr_assert_eq(cad_utf8_count("", 0), 0);
	cr_assert_eq(cad_utf8_count("abc", 3), 3);
	cr_assert_eq(cad_utf8_count("h\xC3\xA9llo", 6), 5);		/* é */
	cr_assert_eq(cad_utf8_count("\xE2\x82\xAC\xF0\x9F\x98\x80", 7), 2);	/* € 😀 */
	/* an invalid byte counts as one, stray continuation bytes as none */
	cr_assert_eq(cad_utf8_count("a\xFF" "b", 3), 3);
	cr_assert_eq(cad_utf8_count("a\x80\x80" "b", 4), 2);
}

Test(utf8, char_len_steps_over_one_character)
{
	cr_assert_eq(cad_utf8_char_len("", 0), 0);
	cr_assert_eq(cad_utf8_char_len("ab", 2), 1);
	cr_assert_eq(cad_utf8_char_len("\xC3\xA9x", 3), 2);
	cr_assert_eq(cad_utf8_char_len("\xF0\x9F\x98\x80", 4), 4);
	cr_assert_eq(cad_utf8_char_len("\xF0\x9F\x98\x80", 2), 2);	/* bounded by len */
	cr_assert_eq(cad_utf8_char_len("\xE2\x82\xAC", SIZE_MAX), 3);	/* stops at the NUL */
}

Test(utf8, cut_never_splits_a_character)
{
	const char *s = "ab\xE2\x82\xAC" "cd";	/* a b € c d */
	cr_assert_eq(cad_utf8_cut(s, 2), 2);
	cr_assert_eq(cad_utf8_cut(s, 3), 2);
	cr_assert_eq(cad_utf8_cut(s, 4), 2);
	cr_assert_eq(cad_utf8_cut(s, 5), 5);
}

Test(utf8, encode_is_decode_reversed)
{
	const uint32_t cps[] = { 0, 'A', 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x20AC, 0xFFFF,
				 0x10000, 0x1F600, 0x10FFFF };
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		char buf[4];
		uint32_t back = 0xFFFFFFFF;
		size_t n = cad_utf8_encode(cps[i], buf);
		cr_assert(n >= 1 && n <= 4);
		cr_assert_eq(cad_utf8_decode((const unsigned char *)buf, n, &back), n, "U+%04X", cps[i]);
		cr_assert_eq(back, cps[i]);
		cr_assert_eq(cad_utf8_count(buf, n), 1);
	}
}

/* issue 21 item 16: the display width a caret is placed by, not the locale's */
Test(utf8, width_is_east_asian_and_combining)
{
	const struct { uint32_t cp; int width; } cases[] = {
		{ 'a', 1 }, { 0xE9, 1 }, { 0xAD, 1 }, { 0x20AC, 1 }, { 0xFFFD, 1 },
		{ 0x4E2D, 2 }, { 0x3000, 2 }, { 0xAC00, 2 }, { 0xFF21, 2 },	/* 中, ideographic space, 가, Ａ */
		{ 0x1F600, 2 }, { 0x20000, 2 },				/* 😀, CJK extension B */
		{ 0x0301, 0 }, { 0x200D, 0 }, { 0x20DD, 0 }, { 0x302A, 0 },	/* combining, ZWJ, enclosing */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(cad_utf8_width(cases[i].cp), cases[i].width, "U+%04X", cases[i].cp);
}
