/* SPDX-License-Identifier: MIT */
/* "Did you mean" suggestions by edit distance. */
#ifndef CADENCE_SRC_UTIL_SUGGEST_H
#define CADENCE_SRC_UTIL_SUGGEST_H

#include <stddef.h>

/* Optimal-string-alignment distance between a[0..alen) and b, capped: any
 * distance above `cap` is returned as cap + 1. */
size_t cad_suggest_distance(const char *a, size_t alen, const char *b, size_t cap);

/*
 * One search, candidate by candidate, for callers whose candidates are not
 * in an array: cad_suggest_init(), cad_suggest_try() each, then s.best
 * (NULL when none is close).  Every candidate is tried: there is no cap on
 * their number, so no caller copies them into a fixed array.
 */
typedef struct cad_suggest {
	const char *word;
	size_t len;
	size_t cap;		/* the largest distance suggested */
	size_t best_d;
	const char *best;
} cad_suggest;

void cad_suggest_init(cad_suggest *s, const char *word, size_t len);
void cad_suggest_try(cad_suggest *s, const char *candidate);

/* The candidate closest to word (within a distance that scales with the
 * word's length), or NULL when none is close.  Candidates are tried in
 * order, so the earliest of equally close candidates wins. */
const char *cad_suggest_pick(const char *word, size_t len,
			 const char *const *candidates, size_t n);

/* The same over an array of n structs of `size` bytes, each with its
 * candidate, a `const char *`, at `name_off` (offsetof): the fields of a
 * declaration are tried where they are, all of them, with no array of
 * names made. */
const char *cad_suggest_pick_in(const char *word, size_t len, const void *items, size_t n,
				size_t size, size_t name_off);

#endif
