/* SPDX-License-Identifier: MIT */
/* The module's bump allocator (expr_int.h). */
#include "expr/expr_int.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef union xalign {
	int64_t i;
	double d;
	void *p;
} xalign;

#define XA_ALIGN (alignof(xalign))
#define XA_FIRST 512
#define XA_MAX_STEP (64 * 1024)

struct xblock {
	xblock *next;
	alignas(xalign) unsigned char data[];
};

void cad_xa_init(xarena *a, void *buf, size_t size, size_t limit)
{
	memset(a, 0, sizeof(*a));
	/* the caller's buffer, aligned */
	uintptr_t p = (uintptr_t)buf, q = (p + XA_ALIGN - 1) & ~(uintptr_t)(XA_ALIGN - 1);
	if (buf && size > q - p) {
		a->cur = (unsigned char *)q;
		a->left = size - (q - p);
	}
	a->next = XA_FIRST;
	a->limit = limit;
}

void cad_xa_free(xarena *a)
{
	xblock *b = a->head;
	while (b) {
		xblock *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->cur = NULL;
	a->left = 0;
}

void *cad_xa_alloc(xarena *a, size_t size)
{
	if (size == 0)
		size = 1;
	size_t need = (size + XA_ALIGN - 1) & ~(XA_ALIGN - 1);
	if (need < size)
		return NULL;
	if (a->left < need) {
		size_t cap = a->next;
		if (cap < need)
			cap = need;
		if (a->limit && (a->total > a->limit || cap > a->limit - a->total)) {
			a->limited = 1;
			return NULL;
		}
		xblock *b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = a->head;
		a->head = b;
		a->cur = b->data;
		a->left = cap;
		a->total += cap;
		if (a->next < XA_MAX_STEP)
			a->next *= 2;
	}
	void *p = a->cur;
	a->cur += need;
	a->left -= need;
	memset(p, 0, size);
	return p;
}

char *cad_xa_strndup(xarena *a, const char *s, size_t len)
{
	if (len + 1 == 0)
		return NULL;
	char *p = cad_xa_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

xmark cad_xa_mark(const xarena *a)
{
	xmark m = { a->head, a->cur, a->left, a->total };
	return m;
}

void cad_xa_release(xarena *a, const xmark *m)
{
	while (a->head != m->head) {
		xblock *b = a->head;
		a->head = b->next;
		free(b);
	}
	a->cur = m->cur;
	a->left = m->left;
	a->total = m->total;
}
