/* SPDX-License-Identifier: MIT */
/* A set of names, each with the position it was first added at: lookups in
 * constant time where a linear search would make checking a 10,000-note
 * cadence quadratic.  Keys are borrowed (they must outlive the map); an
 * open-addressing table, sized once for the number of names to come. */
#ifndef CADENCE_SRC_UTIL_STRMAP_H
#define CADENCE_SRC_UTIL_STRMAP_H

#include <stddef.h>

typedef struct strmap_slot strmap_slot;

typedef struct strmap {
	strmap_slot *slots;
	size_t mask;	/* slot count - 1; the count is a power of two */
} strmap;

#define STRMAP_NONE ((size_t)-1)

/* An empty map with room for `n` names (values below n).  Returns 0, or
 * -1 when out of memory (or n does not fit 32 bits); cad_strmap_get() then
 * finds nothing and cad_strmap_free() does nothing. */
int cad_strmap_init(strmap *m, size_t n);
void cad_strmap_free(strmap *m);

/* Adds `key` with value `value` unless the map has it already.  Returns the
 * value stored for the key: `value`, or the earlier one.  At most as many
 * keys as cad_strmap_init() was given room for. */
size_t cad_strmap_add(strmap *m, const char *key, size_t value);

/* The value stored for `key`, or STRMAP_NONE. */
size_t cad_strmap_get(const strmap *m, const char *key);

#endif
