/* SPDX-License-Identifier: MIT */
/*
 * bench_regex: matching throughput of matches()' engine (lib/src/expr/
 * regex.c) against glibc's regexec(), which matches() used before.
 *
 *   bench_regex [-r ROUNDS]
 *   bench_regex --once none|cadence|glibc PATTERN BYTES
 *
 * For each pattern below and each string size (16 bytes to 1 MB of words
 * and numbers, the same bytes for both, with no match so that the whole
 * string is read): the time of one match with each engine, compiled once,
 * in MB/s, the ratio, and the engine's steps per byte (what counts against
 * the evaluation's 10,000,000).  Each figure is the median over ROUNDS
 * rounds (default 11), the two engines interleaved within a round; a round
 * repeats the match for about 20 ms.
 *
 * --once compiles pattern number PATTERN (0-3), makes the string and
 * matches it once with the engine named (none: not at all), for counting
 * instructions (bench/regex.sh runs it under callgrind: the difference
 * with `none` is the match's).
 */
#include "expr/regex.h"

#include "bench.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const patterns[] = {
	"^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$",	/* the string is one "address" */
	"[a-z]+@[a-z]+\\.com",			/* a search */
	"error [0-9]+",				/* a literal, then a class */
	"(foo|bar|baz)[0-9]{3}",		/* an alternation */
};

#define NPATTERNS (sizeof(patterns) / sizeof(patterns[0]))

static const size_t sizes[] = { 16, 100, 1000, 10000, 100000, 1000000 };

#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* n bytes of words of a-z and numbers, separated by `sep`: a number never
 * follows a letter, and there is no '@', so no pattern above matches
 * (checked: the benchmark stops on a match). */
static char *text(size_t n, char sep)
{
	char *s = malloc(n + 1);
	if (!s)
		exit(3);
	unsigned long long x = 88172645463325252ULL;
	size_t i = 0;
	while (i < n) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int number = x % 5 == 0;
		size_t len = number ? 1 + (x >> 8) % 4 : 3 + (x >> 8) % 6;
		for (size_t j = 0; j < len && i < n; j++, i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			s[i] = number ? (char)('0' + x % 10) : (char)('a' + x % 26);
		}
		if (i < n)
			s[i++] = sep;
	}
	s[n] = '\0';
	return s;
}

typedef struct engines {
	cad_regex *mine;
	arena ar, scratch;
	regex_t glibc;
} engines;

/* ns per match of s with one engine (0: mine, 1: glibc), over ~20 ms */
static double time_one(engines *e, int which, const char *s, size_t n, uint64_t *steps)
{
	long reps = 0;
	double start = bench_now_ns(), end;
	do {
		if (which == 0) {
			*steps = 0;
			arena_mark m = cad_arena_mark(&e->scratch);
			if (cad_regex_match(e->mine, s, n, &e->scratch, steps, UINT64_MAX) != 0)
				exit(4);
			cad_arena_release(&e->scratch, &m);
		} else if (regexec(&e->glibc, s, 0, NULL, 0) != REG_NOMATCH) {
			exit(4);
		}
		reps++;
		end = bench_now_ns();
	} while (end - start < 20e6);
	return (end - start) / (double)reps;
}

static void bench(const char *pattern, int rounds)
{
	engines e;
	cad_regex_error err;
	cad_arena_init_small(&e.ar, NULL, 0, 0);
	cad_arena_init_small(&e.scratch, NULL, 0, 0);
	if (cad_regex_compile(&e.ar, &e.ar, pattern, strlen(pattern), SIZE_MAX, &e.mine, &err) ||
	    regcomp(&e.glibc, pattern, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "bench_regex: /%s/ does not compile\n", pattern);
		exit(2);
	}
	printf("\n/%s/\n", pattern);
	printf("%10s %12s %12s %10s %12s\n", "bytes", "cadence MB/s", "glibc MB/s", "ratio",
	       "steps/byte");
	for (size_t k = 0; k < NSIZES; k++) {
		size_t n = sizes[k];
		char *s = text(n, pattern[0] == '^' ? '.' : ' ');
		double t[2][64];
		uint64_t steps = 0;
		for (int r = 0; r < rounds; r++) {
			t[0][r] = time_one(&e, 0, s, n, &steps);
			t[1][r] = time_one(&e, 1, s, n, &steps);
		}
		qsort(t[0], (size_t)rounds, sizeof(double), bench_cmp_double);
		qsort(t[1], (size_t)rounds, sizeof(double), bench_cmp_double);
		double mine = t[0][rounds / 2], glibc = t[1][rounds / 2];
		time_one(&e, 0, s, n, &steps);
		printf("%10zu %12.1f %12.1f %10.2f %12.2f\n", n, (double)n / mine * 1e3,
		       (double)n / glibc * 1e3, glibc / mine, (double)steps / (double)n);
		free(s);
	}
	regfree(&e.glibc);
	cad_arena_free(&e.scratch);
	cad_arena_free(&e.ar);
}

static int once(const char *engine, const char *pattern_no, const char *bytes)
{
	size_t p = (size_t)atoi(pattern_no), n = (size_t)atol(bytes);
	if (p >= NPATTERNS || !n)
		return 2;
	engines e;
	cad_regex_error err;
	cad_arena_init_small(&e.ar, NULL, 0, 0);
	cad_arena_init_small(&e.scratch, NULL, 0, 0);
	const char *pat = patterns[p];
	if (cad_regex_compile(&e.ar, &e.ar, pat, strlen(pat), SIZE_MAX, &e.mine, &err) ||
	    regcomp(&e.glibc, pat, REG_EXTENDED | REG_NOSUB))
		return 2;
	char *s = text(n, pat[0] == '^' ? '.' : ' ');
	uint64_t steps = 0;
	int m = 0;
	if (!strcmp(engine, "cadence"))
		m = cad_regex_match(e.mine, s, n, &e.scratch, &steps, UINT64_MAX);
	else if (!strcmp(engine, "glibc"))
		m = !regexec(&e.glibc, s, 0, NULL, 0);
	else if (strcmp(engine, "none"))
		return 2;
	free(s);
	regfree(&e.glibc);
	cad_arena_free(&e.scratch);
	cad_arena_free(&e.ar);
	return m ? 4 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--once"))
		return once(argv[2], argv[3], argv[4]);
	int rounds = 11;
	if (argc == 3 && !strcmp(argv[1], "-r"))
		rounds = atoi(argv[2]);
	if (rounds < 1 || rounds > 64 || (argc != 1 && argc != 3)) {
		fprintf(stderr, "usage: bench_regex [-r ROUNDS (1-64)]\n"
				"       bench_regex --once none|cadence|glibc PATTERN BYTES\n");
		return 2;
	}
	printf("matching throughput, median of %d rounds; ratio: glibc time / cadence time "
	       "(above 1: cadence is faster)\n", rounds);
	for (size_t i = 0; i < NPATTERNS; i++)
		bench(patterns[i], rounds);
	return 0;
}
