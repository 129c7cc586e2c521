/* SPDX-License-Identifier: MIT */
#include "util/grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

size_t cad_grow_cap(size_t cap, size_t need, size_t size, size_t first)
{
	size_t max = size ? SIZE_MAX / size : SIZE_MAX;
	if (need > max)
		return 0;
	if (cap >= need)
		return cap;
	size_t c = cap ? cap : first ? first : 1;
	while (c < need)
		c = c > max / 2 ? max : c * 2;
	return c;
}

void *cad_realloc_array(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n && size ? n * size : 1);
}

int cad_grow(void **arr, size_t *cap, size_t need, size_t size, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t c = cad_grow_cap(*cap, need, size, first);
	if (!c)
		return -1;
	void *p = cad_realloc_array(*arr, c, size);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}
