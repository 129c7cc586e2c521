/* SPDX-License-Identifier: MIT */
/* A bump allocator: many small allocations, one free.  The loaded tree and
 * model are allocated here so that freeing a 10,000-note file is one loop
 * over a few large blocks instead of 100,000 free() calls. */
#ifndef CADENCE_SRC_UTIL_ARENA_H
#define CADENCE_SRC_UTIL_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
	arena_block *head;
	size_t used;	/* bytes used in head */
	size_t cap;	/* bytes available in head */
	/* Strings need no alignment: short ones are packed into chunks of
	 * their own, so a 10-byte name takes 11 bytes, not 16. */
	char *str;	/* next free byte of the current string chunk */
	size_t str_left;
} arena;

void cad_arena_init(arena *a);
void cad_arena_free(arena *a);
/* Zeroed memory aligned for any type, or NULL when out of memory. */
void *cad_arena_alloc(arena *a, size_t size);
/* A NUL-terminated copy of s[0..len), or NULL when out of memory. */
char *cad_arena_strndup(arena *a, const char *s, size_t len);
char *cad_arena_strdup(arena *a, const char *s);

/* Maps the pages of p[0, size) that are wholly inside it in one call, for
 * memory about to be written all over (arena blocks, hash tables): a hint,
 * see arena.c. */
void cad_prefault(void *p, size_t size);

#endif
