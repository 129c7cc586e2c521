/* SPDX-License-Identifier: MIT */
/* Unique node ids, and a name -> note map: open addressing with FNV-1a, so
 * a 10,000-note cadence is drawn in linear time. */
#include "diagram/diagram_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

/* Grows `*slots` (and `*values` when not NULL) to twice the capacity when
 * more than half full.  Returns 0 or -1 when out of memory. */
static int grow(const char ***slots, const void ***values, size_t *cap, size_t count)
{
	if ((count + 1) * 2 <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	const char **ns = calloc(ncap, sizeof(*ns));
	const void **nv = values ? calloc(ncap, sizeof(*nv)) : NULL;
	if (!ns || (values && !nv)) {
		free(ns);
		free((void *)nv);
		return -1;
	}
	for (size_t i = 0; i < *cap; i++) {
		if (!(*slots)[i])
			continue;
		size_t j = hash((*slots)[i]) & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = (*slots)[i];
		if (values)
			nv[j] = (*values)[i];
	}
	free((void *)*slots);
	*slots = ns;
	if (values) {
		free((void *)*values);
		*values = nv;
	}
	*cap = ncap;
	return 0;
}

static size_t find(const char *const *slots, size_t cap, const char *key)
{
	size_t j = hash(key) & (cap - 1);
	while (slots[j] && strcmp(slots[j], key))
		j = (j + 1) & (cap - 1);
	return j;
}

const char *cad_dg_ids_claim(dg_graph *g, const char *want)
{
	dg_idset *s = &g->ids;
	char *id;
	size_t len = strlen(want);

	if (grow(&s->slots, NULL, &s->cap, s->count)) {
		g->oom = 1;
		return "x";
	}
	size_t j = find(s->slots, s->cap, want);
	if (!s->slots[j]) {
		id = cad_arena_strndup(&g->arena, want, len);
	} else {
		/* taken: the first free want_N */
		id = cad_arena_alloc(&g->arena, len + 24);
		if (!id) {
			g->oom = 1;
			return "x";
		}
		for (unsigned long n = 2;; n++) {
			snprintf(id, len + 24, "%s_%lu", want, n);
			j = find(s->slots, s->cap, id);
			if (!s->slots[j])
				break;
		}
	}
	if (!id) {
		g->oom = 1;
		return "x";
	}
	s->slots[j] = id;
	s->count++;
	return id;
}

void cad_dg_ids_free(dg_idset *set)
{
	free((void *)set->slots);
	set->slots = NULL;
	set->cap = set->count = 0;
}

int cad_dg_names_put(dg_names *m, const char *key, const void *value)
{
	if (grow(&m->keys, &m->values, &m->cap, m->count))
		return -1;
	size_t j = find(m->keys, m->cap, key);
	if (m->keys[j])
		return 0;	/* the first one stays, as in cad_find_note() */
	m->keys[j] = key;
	m->values[j] = value;
	m->count++;
	return 0;
}

const void *cad_dg_names_get(const dg_names *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t j = find(m->keys, m->cap, key);
	return m->keys[j] ? m->values[j] : NULL;
}

void cad_dg_names_free(dg_names *m)
{
	free((void *)m->keys);
	free((void *)m->values);
	memset(m, 0, sizeof(*m));
}
