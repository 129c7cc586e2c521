/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the regular expressions of matches() (lib/src/expr/regex.c;
 * docs/expressions.md, "Regular expressions").
 *
 * The input is a pattern, then a NUL and the string to match (without a
 * NUL, the pattern is matched against itself).  A pattern is compiled and
 * refused only with a message; a compiled one keeps to the limits, whether
 * its program is kept or only checked; matching answers, or stops at its
 * step budget, within (length + 1) x size steps and 20 bytes an
 * instruction of memory (and the cache of states).  A short pattern
 * without counted repetition (nor many `+`, on which glibc's regcomp is
 * exponential) is also given to glibc's regcomp/regexec, which matches()
 * used before: both accept it (but for the refusals on purpose) and give
 * the same answer (but for glibc's ^ and $ next to a newline,
 * docs/expressions.md).  The
 * matcher's cache of states changes neither the answer nor the steps: the
 * string, and the string eight times over, are matched with and without.
 */
#include "fuzz.h"

#include "expr/regex.h"

#include <regex.h>
#include <string.h>

#define BUDGET ((uint64_t)100 * 1000)	/* a hundredth of an evaluation's: the limit is met as often, and
					 * the NFA walks of big programs cost less (more executions) */

static void check_error(const cad_regex_error *err, size_t len)
{
	FUZZ_ASSERT(err->message[0] != '\0');
	FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) != NULL);
	FUZZ_ASSERT(memchr(err->help, '\0', sizeof(err->help)) != NULL);
	FUZZ_ASSERT(err->offset <= len);
}

/* Patterns glibc's regcomp takes long on: a counted repetition, or more
 * than four `+` (each makes a copy of what it repeats: `a+++...` doubles
 * the tree at each one). */
static int slow_for_glibc(const char *pat, size_t plen)
{
	size_t plus = 0;
	for (size_t i = 0; i < plen; i++)
		plus += pat[i] == '+';
	return memchr(pat, '{', plen) || plus > 4;
}

/* The answer of glibc, or -1 when the comparison does not apply. */
static int glibc(const char *pat, size_t plen, const char *s, size_t n, int refused_on_purpose,
		 int compiled)
{
	if (plen > 32 || n > 64 || slow_for_glibc(pat, plen) || refused_on_purpose)
		return -1;
	regex_t re;
	int rc = regcomp(&re, pat, REG_EXTENDED | REG_NOSUB);
	FUZZ_ASSERT((rc == 0) == (compiled != 0));
	if (rc)
		return -1;
	int m = !regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	if (memchr(s, '\n', n) && (memchr(pat, '^', plen) || memchr(pat, '$', plen)))
		return -1;
	return m;
}

/* The NFA alone gives the same answer in the same steps. */
static void same_without_cache(const cad_regex *re, const char *s, size_t n, int m, uint64_t steps)
{
	arena scratch;
	cad_arena_init_small(&scratch, NULL, 0, 0);
	uint64_t nfa_steps = 0;
	FUZZ_ASSERT(cad_regex_match_nfa(re, s, n, &scratch, &nfa_steps, BUDGET) == m);
	FUZZ_ASSERT(nfa_steps == steps);
	cad_arena_free(&scratch);
}

static void run(const char *pat, size_t plen, const char *s, size_t n)
{
	arena ar, scratch;
	cad_regex *re = NULL, *kept = NULL;
	cad_regex_error err;
	cad_arena_init_small(&ar, NULL, 0, (size_t)64 << 20);
	int rc = cad_regex_compile(&ar, &ar, pat, plen, SIZE_MAX, &re, &err);
	FUZZ_ASSERT(rc == 0 || rc == CADENCE_EINVALID);
	if (rc) {
		FUZZ_ASSERT(re == NULL);
		check_error(&err, plen);
		int on_purpose = strstr(err.message, "back-references") ||
				 strstr(err.message, "is not an escape");
		glibc(pat, plen, s, n, on_purpose, 0);
		cad_arena_free(&ar);
		return;
	}
	size_t size = cad_regex_size(re);
	FUZZ_ASSERT(size >= 1 && size <= CAD_REGEX_MAX_INSTS);
	/* what check.c does for a literal: the same verdict, kept or not */
	size_t keep = 4 * plen + 32;
	FUZZ_ASSERT(cad_regex_compile(&ar, &ar, pat, plen, keep, &kept, &err) == 0);
	FUZZ_ASSERT((kept != NULL) == (size <= keep));

	cad_arena_init_small(&scratch, NULL, 0, 0);
	uint64_t steps = 0;
	int m = cad_regex_match(re, s, n, &scratch, &steps, BUDGET);
	FUZZ_ASSERT(m == 0 || m == 1 || m == CADENCE_ELIMIT);
	FUZZ_ASSERT(steps <= BUDGET && steps <= (uint64_t)(n + 1) * size);
	/* 20 bytes an instruction (the arena's first block is 512); a long
	 * string adds the cache of states, 1 MiB, its index and the blocks'
	 * slack */
	FUZZ_ASSERT(scratch.total <= 20 * size + (n < 64 ? 512 : (1 << 20) + (256 << 10)));
	int want = glibc(pat, plen, s, n, 0, 1);
	FUZZ_ASSERT(want < 0 || m == want);
	same_without_cache(re, s, n, m, steps);
	/* the string eight times over, so that the cache of states is used */
	if (n && n <= 128) {
		char *longer = malloc(8 * n + 1);
		FUZZ_ASSERT(longer != NULL);
		for (int i = 0; i < 8; i++)
			memcpy(longer + i * n, s, n);
		longer[8 * n] = '\0';
		steps = 0;
		m = cad_regex_match(re, longer, 8 * n, &scratch, &steps, BUDGET);
		FUZZ_ASSERT(m == 0 || m == 1 || m == CADENCE_ELIMIT);
		same_without_cache(re, longer, 8 * n, m, steps);
		free(longer);
	}
	cad_arena_free(&scratch);
	cad_arena_free(&ar);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* both NUL-terminated, as matches() has them */
	char *copy = malloc(size + 1);
	FUZZ_ASSERT(copy != NULL);
	if (size)
		memcpy(copy, data, size);
	copy[size] = '\0';
	size_t plen = strlen(copy);
	if (plen < size)
		run(copy, plen, copy + plen + 1, strlen(copy + plen + 1));
	else
		run(copy, plen, copy, plen);
	free(copy);
	return 0;
}
