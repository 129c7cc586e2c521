/* SPDX-License-Identifier: MIT */
#define _DEFAULT_SOURCE	/* madvise() */
#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct arena_block {
	arena_block *next;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_BLOCK_MIN (64 * 1024)
#define ARENA_ALIGN (alignof(max_align_t))
/* Strings are packed into chunks this large; longer ones than a chunk's
 * eighth get an allocation of their own, so a chunk wastes little. */
#define ARENA_STR_CHUNK 4096

void cad_arena_init(arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->cap = 0;
	a->str = NULL;
	a->str_left = 0;
}

void cad_arena_free(arena *a)
{
	arena_block *b = a->head;
	while (b) {
		arena_block *next = b->next;
		free(b);
		b = next;
	}
	cad_arena_init(a);
}

/*
 * Every byte of an arena block is written (zeroed) when it is handed out,
 * and a hash table's slots are spread over all of it, so each page is
 * touched sooner or later, one page fault at a time.  Where the system
 * can, map them all in one call instead: on virtual machines a page fault
 * can cost tens of microseconds, which made first touches the largest cost
 * of loading a big file (docs/benchmarks.md).  A hint only: pages already
 * mapped (a reused heap) cost a page-table walk, and a failure (an older
 * kernel) changes nothing.
 */
void cad_prefault(void *p, size_t size)
{
#ifdef MADV_POPULATE_WRITE
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return;
	uintptr_t mask = (uintptr_t)page - 1;
	uintptr_t start = ((uintptr_t)p + mask) & ~mask;
	uintptr_t end = ((uintptr_t)p + size) & ~mask;
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)size;
#endif
}

void *cad_arena_alloc(arena *a, size_t size)
{
	size_t need = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (need < size)
		return NULL;
	if (!a->head || a->cap - a->used < need) {
		size_t cap = need > ARENA_BLOCK_MIN ? need : ARENA_BLOCK_MIN;
		arena_block *b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		cad_prefault(b, sizeof(*b) + cap);
		b->next = a->head;
		a->head = b;
		a->used = 0;
		a->cap = cap;
	}
	void *p = a->head->data + a->used;
	a->used += need;
	memset(p, 0, size);
	return p;
}

char *cad_arena_strndup(arena *a, const char *s, size_t len)
{
	char *p;
	if (len >= ARENA_STR_CHUNK / 8) {
		p = cad_arena_alloc(a, len + 1);
	} else {
		if (a->str_left <= len) {
			a->str = cad_arena_alloc(a, ARENA_STR_CHUNK);
			a->str_left = a->str ? ARENA_STR_CHUNK : 0;
		}
		p = a->str;
		if (p) {
			a->str += len + 1;
			a->str_left -= len + 1;
		}
	}
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *cad_arena_strdup(arena *a, const char *s)
{
	return cad_arena_strndup(a, s, strlen(s));
}
