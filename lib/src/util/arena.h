/* SPDX-License-Identifier: MIT */
/*
 * A bump allocator: many small allocations, one free.  Two sizes of it:
 *  - cad_arena_init(): the loaded tree and model, in blocks of 64 KiB
 *    (prefaulted, cad_prefault()), past 2 MiB in blocks of 2 MiB on huge
 *    pages where the system has them, with short strings packed, so that
 *    freeing a 10,000-note file is one loop over a few large blocks instead
 *    of 100,000 free() calls;
 *  - cad_arena_init_small(): one compiled expression (blocks from 512
 *    bytes, doubling, so a short expression takes a few hundred bytes), or
 *    the temporaries of one evaluation (starting in a buffer on the stack,
 *    under a limit, released back to a mark), aligned for the expression
 *    module's values only.
 * Memory is zeroed.
 */
#ifndef CADENCE_SRC_UTIL_ARENA_H
#define CADENCE_SRC_UTIL_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
	arena_block *head;	/* malloc'd blocks */
	unsigned char *cur;	/* next free byte */
	size_t left;		/* bytes free at cur */
	size_t next;		/* size of the next block */
	size_t max_step;	/* blocks grow (double) up to this size */
	size_t align;		/* of every allocation */
	size_t total;		/* bytes of blocks so far */
	size_t limit;		/* most bytes of blocks; 0: no limit */
	int limited;		/* an allocation failed because of limit */
	int big;		/* cad_arena_init(): prefault, pack strings */
	/* Strings need no alignment: short ones are packed into chunks of
	 * their own, so a 10-byte name takes 11 bytes, not 16. */
	char *str;		/* next free byte of the current string chunk */
	size_t str_left;
} arena;

void cad_arena_init(arena *a);
/* buf[0..size) (may be NULL, 0) is used first and never freed; `limit`
 * bytes of blocks at most (0: no limit). */
void cad_arena_init_small(arena *a, void *buf, size_t size, size_t limit);
void cad_arena_free(arena *a);
/* Zeroed memory aligned for any type (small: for the expression module's
 * values), or NULL when out of memory or past the limit. */
void *cad_arena_alloc(arena *a, size_t size);
/* A NUL-terminated copy of s[0..len), or NULL when out of memory. */
char *cad_arena_strndup(arena *a, const char *s, size_t len);
char *cad_arena_strdup(arena *a, const char *s);

/* A point to go back to: cad_arena_release() frees what was allocated
 * after cad_arena_mark(), so that the limit counts live memory, not all
 * memory ever allocated (the temporaries of a condition evaluated per
 * element). */
typedef struct arena_mark {
	arena_block *head;
	unsigned char *cur;
	size_t left, total;
	char *str;
	size_t str_left;
} arena_mark;

arena_mark cad_arena_mark(const arena *a);
void cad_arena_release(arena *a, const arena_mark *m);

/* Maps the pages of p[0, size) that are wholly inside it in one call, for
 * memory about to be written all over (arena blocks, hash tables): a hint,
 * see arena.c. */
void cad_prefault(void *p, size_t size);

#endif
