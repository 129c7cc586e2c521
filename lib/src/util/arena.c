/* SPDX-License-Identifier: MIT */
#define _DEFAULT_SOURCE	/* madvise() */
#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* What the expression module keeps in its arenas (small ones) */
typedef union small_align {
	int64_t i;
	double d;
	void *p;
} small_align;

struct arena_block {
	arena_block *next;
	size_t mapped;		/* a huge block: the length to munmap(); else 0 */
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_BLOCK_MIN (64 * 1024)
/* A big arena past this many bytes takes blocks of this size, mapped on
 * their own and backed by huge pages where the system gives them: see
 * huge_block(). */
#define ARENA_HUGE (2 * 1024 * 1024)
#define ARENA_SMALL_FIRST 512
/* Strings are packed into chunks this large; longer ones than a chunk's
 * eighth get an allocation of their own, so a chunk wastes little. */
#define ARENA_STR_CHUNK 4096

void cad_arena_init(arena *a)
{
	memset(a, 0, sizeof(*a));
	a->next = a->max_step = ARENA_BLOCK_MIN;
	a->align = alignof(max_align_t);
	a->big = 1;
}

void cad_arena_init_small(arena *a, void *buf, size_t size, size_t limit)
{
	memset(a, 0, sizeof(*a));
	a->align = alignof(small_align);
	/* the caller's buffer, aligned */
	uintptr_t p = (uintptr_t)buf, q = (p + a->align - 1) & ~(uintptr_t)(a->align - 1);
	if (buf && size > q - p) {
		a->cur = (unsigned char *)q;
		a->left = size - (q - p);
	}
	a->next = ARENA_SMALL_FIRST;
	a->max_step = ARENA_BLOCK_MIN;
	a->limit = limit;
}

static void free_blocks(arena_block *b, const arena_block *until)
{
	while (b != until) {
		arena_block *next = b->next;
		if (b->mapped)
			munmap(b, b->mapped);
		else
			free(b);
		b = next;
	}
}

void cad_arena_free(arena *a)
{
	free_blocks(a->head, NULL);
	a->head = NULL;
	a->cur = NULL;
	a->left = 0;
	a->str = NULL;
	a->str_left = 0;
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

/*
 * A block of whole ARENA_HUGE units, enough for `need` bytes of data,
 * aligned on ARENA_HUGE, asking for huge pages (madvise mode of
 * transparent huge pages), or NULL.  On a virtual machine a first touch of
 * a 4 KiB page can cost tens of microseconds, so a file of 10,000 notes
 * spent more time in page faults than in parsing; one fault per 2 MiB
 * instead made validate about twice as fast there (docs/benchmarks.md).
 * Only arenas past ARENA_HUGE, or about to be, get such blocks, so a small
 * file's memory is as before; a big one's last block may hold up to 2 MiB
 * more than it uses.
 */
static arena_block *huge_block(size_t need)
{
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
	if (need > SIZE_MAX / 2 - 2 * (size_t)ARENA_HUGE)
		return NULL;
	size_t size = (sizeof(arena_block) + need + ARENA_HUGE - 1) & ~(size_t)(ARENA_HUGE - 1);
	size_t len = size + ARENA_HUGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* keep the aligned `size` bytes inside the mapping */
	uintptr_t start = ((uintptr_t)p + ARENA_HUGE - 1) & ~(uintptr_t)(ARENA_HUGE - 1);
	unsigned char *q = (unsigned char *)start;
	if (q > p)
		munmap(p, (size_t)(q - p));
	if (q + size < p + len)
		munmap(q + size, (size_t)(p + len - (q + size)));
	(void)madvise(q, size, MADV_HUGEPAGE);	/* a hint */
	arena_block *b = (arena_block *)q;
	b->mapped = size;
	return b;
#else
	(void)need;
	return NULL;
#endif
}

/* A new block of at least `need` bytes, made current; 0 or -1. */
static int new_block(arena *a, size_t need)
{
	size_t cap = a->next > need ? a->next : need;
	if (a->limit && (a->total > a->limit || cap > a->limit - a->total)) {
		a->limited = 1;
		return -1;
	}
	arena_block *b = NULL;
	/* past 2 MiB, or a request of half that or more (a big file's array
	 * of notes): whole huge pages */
	if (a->big && (a->total >= ARENA_HUGE || need >= ARENA_HUGE / 2))
		b = huge_block(need);
	if (b) {
		cap = b->mapped - sizeof(*b);
	} else {
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return -1;
		b->mapped = 0;
		if (a->big)
			cad_prefault(b, sizeof(*b) + cap);
	}
	b->next = a->head;
	a->head = b;
	a->cur = b->data;
	a->left = cap;
	a->total += cap;
	if (a->next < a->max_step)
		a->next *= 2;
	return 0;
}

void *cad_arena_alloc(arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	size_t need = (size + a->align - 1) & ~(a->align - 1);
	if (need < size)
		return NULL;
	if (a->left < need && new_block(a, need))
		return NULL;
	void *p = a->cur;
	a->cur += need;
	a->left -= need;
	memset(p, 0, size);
	return p;
}

char *cad_arena_strndup(arena *a, const char *s, size_t len)
{
	char *p;
	if (len + 1 == 0)
		return NULL;
	if (!a->big || len >= ARENA_STR_CHUNK / 8) {
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
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *cad_arena_strdup(arena *a, const char *s)
{
	return cad_arena_strndup(a, s, strlen(s));
}

arena_mark cad_arena_mark(const arena *a)
{
	arena_mark m = { a->head, a->cur, a->left, a->total, a->str, a->str_left };
	return m;
}

void cad_arena_release(arena *a, const arena_mark *m)
{
	free_blocks(a->head, m->head);
	a->head = m->head;
	a->cur = m->cur;
	a->left = m->left;
	a->total = m->total;
	a->str = m->str;
	a->str_left = m->str_left;
}
