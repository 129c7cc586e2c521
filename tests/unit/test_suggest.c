/* SPDX-License-Identifier: MIT */
/* "Did you mean": one search (util/suggest), every candidate tried. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "format/structure.h"
#include "util/suggest.h"

static const char *const words[] = {
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa",
	"quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray",
	"yankee", "zulu",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* A variant type of 26 kinds: more than the 16 entries structure.c once
 * filled while passing all of them (reading past its array). */
Test(suggest, a_variant_past_the_sixteenth_is_suggested)
{
	static ffield keys[NWORDS];
	static ftype maps[NWORDS];
	static const ftype *variants[NWORDS];
	for (size_t i = 0; i < NWORDS; i++) {
		keys[i].key = words[i];
		maps[i].kind = FT_MAP;
		maps[i].fields = &keys[i];
		maps[i].nfields = 1;
		variants[i] = &maps[i];
	}
	ftype t = { .kind = FT_VARIANT, .what = "a test", .variants = variants,
		    .nvariants = NWORDS };
	cr_assert_str_eq(cad_structure_near_variant(&t, "yankey", 6), "yankee");
	cr_assert_str_eq(cad_structure_near_variant(&t, "sierre", 6), "sierra");
	cr_assert_str_eq(cad_structure_near_variant(&t, "alpah", 5), "alpha");
	cr_assert_null(cad_structure_near_variant(&t, "nothing-like-it", 15));
}

/* cad_suggest_init()/_try() over cands[0..n): what they pick. */
static const char *stream(const char *word, const char *const *cands, size_t n)
{
	cad_suggest s;
	cad_suggest_init(&s, word, strlen(word));
	for (size_t i = 0; i < n; i++)
		cad_suggest_try(&s, cands[i]);
	return s.best;
}

Test(suggest, every_candidate_is_tried_however_many)
{
	char names[200][24];	/* room for any int: GCC -O1 cannot see i < 200 */
	const char *cands[200];
	for (int i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "field_%03d", i);
		cands[i] = names[i];
	}
	cands[199] = "last_one";
	cr_assert_str_eq(cad_suggest_pick("last_on", 7, cands, 200), "last_one");
	cr_assert_str_eq(stream("lsat_one", cands, 200), "last_one");
}

Test(suggest, the_earliest_of_equally_close_candidates_wins)
{
	const char *cands[] = { "cat", "bat", "hat" };
	cr_assert_str_eq(cad_suggest_pick("rat", 3, cands, 3), "cat");
	cr_assert_str_eq(stream("rat", cands, 3), "cat");
}
