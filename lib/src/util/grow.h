/* SPDX-License-Identifier: MIT */
/* Growing arrays: one doubling rule, overflow-checked, for every array
 * that grows by appending (docs/architecture.md, "Conventions"). */
#ifndef CADENCE_SRC_UTIL_GROW_H
#define CADENCE_SRC_UTIL_GROW_H

#include <stddef.h>

/*
 * The capacity, in items of `size` bytes, that holds `need` items: `cap`
 * (or `first` when cap is 0) doubled until it does.  `cap` itself when it
 * already holds them; 0 when `need` items, or the doubled capacity, would
 * not fit in a size_t of bytes (the caller fails as out of memory).
 */
size_t cad_grow_cap(size_t cap, size_t need, size_t size, size_t first);

/* realloc(p, n * size), NULL (errno ENOMEM, p untouched) when the product
 * overflows. */
void *cad_realloc_array(void *p, size_t n, size_t size);

/*
 * Grows *arr, an array of *cap items of `size` bytes, to hold `need`
 * items (cad_grow_cap).  Returns 0, or -1 when out of memory, *arr and
 * *cap then unchanged.  CAD_GROW(arr, cap, need, first) for a typed array.
 */
int cad_grow(void **arr, size_t *cap, size_t need, size_t size, size_t first);
#define CAD_GROW(arr, cap, need, first) \
	cad_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)), (first))

#endif
