/* SPDX-License-Identifier: MIT */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 16 bytes: the table of a 10,000-note cadence stays small enough to
 * touch few pages */
struct strmap_slot {
	const char *key;	/* NULL: empty */
	uint32_t hash;		/* the low bits of the key's hash */
	uint32_t value;
};

/* FNV-1a */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int cad_strmap_init(strmap *m, size_t n)
{
	size_t cap = 16;

	m->slots = NULL;
	m->mask = 0;
	if (n >= UINT32_MAX)
		return -1;
	/* at most three quarters full */
	while (cap - cap / 4 < n) {
		if (cap > SIZE_MAX / 2 / sizeof(strmap_slot))
			return -1;
		cap *= 2;
	}
	m->slots = calloc(cap, sizeof(*m->slots));
	m->mask = cap - 1;
	return m->slots ? 0 : -1;
}

void cad_strmap_free(strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = 0;
}

static strmap_slot *find(const strmap *m, const char *key, uint32_t h)
{
	size_t i = h & m->mask;
	for (;;) {
		strmap_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && !strcmp(s->key, key)))
			return s;
		i = (i + 1) & m->mask;
	}
}

size_t cad_strmap_add(strmap *m, const char *key, size_t value)
{
	uint32_t h = (uint32_t)hash_str(key);
	strmap_slot *s = find(m, key, h);
	if (s->key)
		return s->value;
	s->key = key;
	s->hash = h;
	s->value = (uint32_t)value;
	return value;
}

size_t cad_strmap_get(const strmap *m, const char *key)
{
	if (!m->slots)
		return STRMAP_NONE;
	const strmap_slot *s = find(m, key, (uint32_t)hash_str(key));
	return s->key ? s->value : STRMAP_NONE;
}
