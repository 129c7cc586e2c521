/* SPDX-License-Identifier: MIT */
/*
 * The regular expressions of matches() (docs/expressions.md, "Regular
 * expressions"): the POSIX extended syntax with the GNU escapes, as glibc's
 * regcomp(REG_EXTENDED) reads it in the C locale, on bytes; no
 * back-references.  A pattern is parsed to a small tree, checked against
 * the limits below, and compiled to a Thompson NFA program that is run
 * with a set of states, so that matching takes time proportional to the
 * length of the string times the size of the program, and memory
 * proportional to the size of the program.  Only "is there a match" is
 * answered (the match's position is never needed).
 */
#ifndef CADENCE_SRC_EXPR_REGEX_H
#define CADENCE_SRC_EXPR_REGEX_H

#include "expr/expr_int.h"

#include <stddef.h>
#include <stdint.h>

/* The limits (docs/expressions.md, "Limits"). */
#define CAD_REGEX_MAX_LEN ((size_t)64 * 1024)	/* bytes of pattern */
#define CAD_REGEX_MAX_INSTS 10000		/* instructions, repetitions written out */
#define CAD_REGEX_MAX_DEPTH 256			/* levels of groups and repetitions */
#define CAD_REGEX_MAX_COUNT 32767		/* m, n of {m,n} (glibc's RE_DUP_MAX) */

typedef struct cad_regex cad_regex;

typedef struct cad_regex_error {
	size_t offset;		/* the byte of the pattern it is about */
	char message[200];	/* "unmatched ( at character 3" */
	char help[200];		/* how to fix it; may be empty */
} cad_regex_error;

/* Compiles pattern[0..len) (no NUL inside).  Its parse tree is made in
 * `tmp`; the program in `ar` (which may be the same arena), unless it has
 * more than keep_max instructions: then the pattern is only checked and
 * *out is NULL.  Returns 0, CADENCE_EINVALID (err filled: a syntax error
 * or a limit) or CADENCE_ENOMEM (an arena could not grow). */
int cad_regex_compile(arena *tmp, arena *ar, const char *pattern, size_t len, size_t keep_max,
		      cad_regex **out, cad_regex_error *err);

/* The number of instructions of a compiled program: what compiling it
 * costs, and what one character of a match can cost at most. */
size_t cad_regex_size(const cad_regex *re);

/* Whether s[0..n) contains a match of re.  Each byte read costs one step
 * for each instruction alive at it (at least one), added to *steps; bytes
 * skipped because no match can start at them cost nothing.  Memory comes
 * from `scratch`: 20 bytes an instruction, and for a string of 64 bytes or
 * more a cache of states of at most 1 MiB (regex_match.c).  Returns 1 (a
 * match), 0 (none), CADENCE_ELIMIT (*steps would pass max_steps; the
 * match is abandoned) or CADENCE_ENOMEM (the arena could not grow: see
 * its `limited`). */
int cad_regex_match(const cad_regex *re, const char *s, size_t n, arena *scratch,
		    uint64_t *steps, uint64_t max_steps);

/* The same without the cache of states, whatever the length: the same
 * answer and steps (for the tests, which compare them). */
int cad_regex_match_nfa(const cad_regex *re, const char *s, size_t n, arena *scratch,
			uint64_t *steps, uint64_t max_steps);

#endif
