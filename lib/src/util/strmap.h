/* SPDX-License-Identifier: MIT */
/* The library's one hash map: string keys to a size_t or a pointer, so a
 * name is found in constant time wherever a search would make a wide
 * cadence cost notes x fields.
 *
 * - Keys are borrowed: their bytes must outlive the map, unchanged.  A key
 *   is `len` bytes (NULs allowed) at a non-NULL address; cad_strmap_get()
 *   and _add() take a C string.
 * - Open addressing with linear probing in a power-of-two table, at most
 *   three quarters full, doubled as keys are added.  The hash is FNV-1a
 *   (64 bits) followed by MurmurHash3's finalizer, so that the low bits,
 *   the slot, depend on every byte; each slot keeps 32 bits of it, so a
 *   probe compares strings only when those are equal.  A slot is 24 bytes:
 *   10,000 names take 384 KiB, which stays in a core's cache where the
 *   32-byte slots of a half-full table (1 MiB) did not (docs/benchmarks.md,
 *   "Scale").  Keys are at most 4 GiB - 1 bytes long.
 * - No global state and no locking: a map belongs to one thread, or to
 *   what its owner locks.
 * - STRMAP_INIT (or zeroes) is an empty map that has allocated nothing;
 *   cad_strmap_free() makes a map empty again. */
#ifndef CADENCE_SRC_UTIL_STRMAP_H
#define CADENCE_SRC_UTIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/* One key and its value.  `len` and `hash` are the map's, and `key` too,
 * except that it may be pointed at other bytes equal to it (when the
 * first are about to be freed); the value is the caller's. */
typedef struct strmap_entry {
	const char *key;	/* NULL: an empty slot */
	uint32_t len;
	uint32_t hash;		/* the low 32 bits */
	union {
		size_t i;
		void *p;
	} v;
} strmap_entry;

typedef struct strmap {
	strmap_entry *slots;
	size_t mask;		/* slot count - 1, when slots is not NULL */
	size_t count;		/* keys */
} strmap;

#define STRMAP_INIT { NULL, 0, 0 }
#define STRMAP_NONE ((size_t)-1)

/* Room for `n` keys in all without growing again.  0, or -1 when out of
 * memory (the map is unchanged). */
int cad_strmap_reserve(strmap *m, size_t n);
void cad_strmap_free(strmap *m);

/* The entry of key[0, len), or NULL. */
strmap_entry *cad_strmap_find(const strmap *m, const char *key, size_t len);

/* The entry of key[0, len), added with a zero value when absent (*added is
 * then 1, else 0; `added` may be NULL).  NULL when out of memory or the key
 * is 4 GiB long or more, the map unchanged.  An entry pointer is valid until the next key is added. */
strmap_entry *cad_strmap_put(strmap *m, const char *key, size_t len, int *added);

/* For maps of C strings to indexes: the value of `key`, or STRMAP_NONE. */
size_t cad_strmap_get(const strmap *m, const char *key);
/* Adds `key` with `value` unless the map has it: the first one stays.
 * Returns the value stored for the key (`value`, or the earlier one), or
 * STRMAP_NONE when out of memory. */
size_t cad_strmap_add(strmap *m, const char *key, size_t value);

/* Iterating, in no particular order: the entry after `e` (NULL: the
 * first), or NULL after the last.  Adding a key during the walk ends it. */
strmap_entry *cad_strmap_next(const strmap *m, const strmap_entry *e);

#endif
