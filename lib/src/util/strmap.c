/* SPDX-License-Identifier: MIT */
#include "util/strmap.h"
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a over the bytes, then MurmurHash3's fmix64: FNV-1a alone leaves
 * the low bits depending little on the high bits of the last bytes. */
static uint32_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* The slot of the key, or the empty slot where it would go. */
static strmap_entry *probe(const strmap *m, const char *key, size_t len, uint32_t h)
{
	for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
		strmap_entry *e = &m->slots[i];
		if (!e->key || (e->hash == h && e->len == len && !memcmp(e->key, key, len)))
			return e;
	}
}

/* Moves every key into a table of `cap` slots (a power of two). */
static int rehash(strmap *m, size_t cap)
{
	strmap_entry *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	if (cap * sizeof(*slots) >= 64 * 1024)	/* a big table: its keys will touch every page */
		cad_prefault(slots, cap * sizeof(*slots));
	strmap old = *m;
	m->slots = slots;
	m->mask = cap - 1;
	for (size_t i = 0; old.slots && i <= old.mask; i++)
		if (old.slots[i].key)
			*probe(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) = old.slots[i];
	free(old.slots);
	return 0;
}

int cad_strmap_reserve(strmap *m, size_t n)
{
	size_t cap = m->slots ? m->mask + 1 : 16;
	while (cap / 4 * 3 < n) {
		if (cap > SIZE_MAX / 2 / sizeof(strmap_entry) || cap > UINT32_MAX / 2)
			return -1;
		cap *= 2;
	}
	if (m->slots && cap == m->mask + 1)
		return 0;
	return rehash(m, cap);
}

void cad_strmap_free(strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
}

strmap_entry *cad_strmap_find(const strmap *m, const char *key, size_t len)
{
	if (!m->slots || len > UINT32_MAX)
		return NULL;
	strmap_entry *e = probe(m, key, len, hash_bytes(key, len));
	return e->key ? e : NULL;
}

strmap_entry *cad_strmap_put(strmap *m, const char *key, size_t len, int *added)
{
	if (added)
		*added = 0;
	if (len > UINT32_MAX)
		return NULL;
	uint32_t h = hash_bytes(key, len);
	strmap_entry *e = m->slots ? probe(m, key, len, h) : NULL;
	if (e && e->key)
		return e;
	if (!e || m->count + 1 > (m->mask + 1) / 4 * 3) {
		if (cad_strmap_reserve(m, m->count + 1))
			return NULL;
		e = probe(m, key, len, h);	/* in the new table */
	}
	e->key = key;
	e->len = (uint32_t)len;
	e->hash = h;
	m->count++;
	if (added)
		*added = 1;
	return e;
}

size_t cad_strmap_get(const strmap *m, const char *key)
{
	const strmap_entry *e = cad_strmap_find(m, key, strlen(key));
	return e ? e->v.i : STRMAP_NONE;
}

size_t cad_strmap_add(strmap *m, const char *key, size_t value)
{
	int added;
	strmap_entry *e = cad_strmap_put(m, key, strlen(key), &added);
	if (!e)
		return STRMAP_NONE;
	if (added)
		e->v.i = value;
	return e->v.i;
}

strmap_entry *cad_strmap_next(const strmap *m, const strmap_entry *e)
{
	size_t i = e ? (size_t)(e - m->slots) + 1 : 0;
	for (; m->slots && i <= m->mask; i++)
		if (m->slots[i].key)
			return &m->slots[i];
	return NULL;
}
