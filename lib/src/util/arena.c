#include "util/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	arena_block *next;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_BLOCK_MIN (64 * 1024)
#define ARENA_ALIGN (alignof(max_align_t))

void arena_init(arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->cap = 0;
}

void arena_free(arena *a)
{
	arena_block *b = a->head;
	while (b) {
		arena_block *next = b->next;
		free(b);
		b = next;
	}
	arena_init(a);
}

void *arena_alloc(arena *a, size_t size)
{
	size_t need = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (need < size)
		return NULL;
	if (!a->head || a->cap - a->used < need) {
		size_t cap = need > ARENA_BLOCK_MIN ? need : ARENA_BLOCK_MIN;
		arena_block *b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
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

char *arena_strndup(arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}
