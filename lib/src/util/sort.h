/* SPDX-License-Identifier: MIT */
/* Comparators for qsort() of the library's arrays. */
#ifndef CADENCE_SRC_UTIL_SORT_H
#define CADENCE_SRC_UTIL_SORT_H

#include <stddef.h>

/* size_t values (field and note indexes), ascending. */
static inline int cad_cmp_size(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	return (a > b) - (a < b);
}

/* long values (field indexes, -1 for none), ascending. */
static inline int cad_cmp_long(const void *pa, const void *pb)
{
	long a = *(const long *)pa, b = *(const long *)pb;
	return (a > b) - (a < b);
}

#endif
