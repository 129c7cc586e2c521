/* SPDX-License-Identifier: MIT */
#include "util/suggest.h"

#include <ctype.h>
#include <string.h>

#define SUGGEST_MAX_LEN 64

size_t cad_suggest_distance(const char *a, size_t alen, const char *b, size_t cap)
{
	size_t blen = strlen(b);
	/* three rows of the DP table: enough for transpositions */
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];

	if (alen > SUGGEST_MAX_LEN || blen > SUGGEST_MAX_LEN)
		return cap + 1;
	if ((alen > blen ? alen - blen : blen - alen) > cap)
		return cap + 1;
	for (size_t j = 0; j <= blen; j++)
		prev[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		size_t best = cur[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;
			size_t v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
		size_t *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen] > cap ? cap + 1 : prev[blen];
}

const char *cad_suggest_pick(const char *word, size_t len,
			 const char *const *candidates, size_t n)
{
	return cad_suggest_pick_in(word, len, candidates, n, sizeof(*candidates), 0);
}

void cad_suggest_init(cad_suggest *s, const char *word, size_t len)
{
	/* one edit per three characters, at least one, at most three */
	size_t cap = len / 3;
	if (cap < 1)
		cap = 1;
	if (cap > 3)
		cap = 3;
	s->word = word;
	s->len = len;
	s->cap = cap;
	s->best_d = cap + 1;
	s->best = NULL;
}

void cad_suggest_try(cad_suggest *s, const char *candidate)
{
	size_t d = cad_suggest_distance(s->word, s->len, candidate, s->cap);
	if (d < s->best_d) {
		s->best_d = d;
		s->best = candidate;
	}
}

const char *cad_suggest_pick_in(const char *word, size_t len, const void *items, size_t n,
				size_t size, size_t name_off)
{
	cad_suggest s;
	cad_suggest_init(&s, word, len);
	for (size_t i = 0; i < n; i++) {
		const char *c;
		memcpy(&c, (const char *)items + i * size + name_off, sizeof(c));
		cad_suggest_try(&s, c);
	}
	return s.best;
}
