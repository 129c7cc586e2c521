/* SPDX-License-Identifier: MIT */
/* util/grow: the one doubling rule, and its overflow checks. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/grow.h"
#include "util/strbuf.h"

Test(grow, the_capacity_doubles_from_first_until_it_holds_need)
{
	cr_assert_eq(cad_grow_cap(0, 1, 8, 16), 16);
	cr_assert_eq(cad_grow_cap(16, 17, 8, 16), 32);
	cr_assert_eq(cad_grow_cap(16, 100, 8, 16), 128);
	cr_assert_eq(cad_grow_cap(0, 1, 8, 0), 1);	/* no first: from 1 */
	cr_assert_eq(cad_grow_cap(0, 5, 1, 0), 8);
	cr_assert_eq(cad_grow_cap(32, 20, 8, 16), 32);	/* already room */
}

Test(grow, a_capacity_whose_bytes_overflow_is_refused)
{
	cr_assert_eq(cad_grow_cap(0, SIZE_MAX / 8 + 1, 8, 16), 0);
	cr_assert_eq(cad_grow_cap(4, SIZE_MAX, 2, 16), 0);
	/* doubling past the limit stops at it rather than wrapping */
	size_t max = SIZE_MAX / 16;
	cr_assert_eq(cad_grow_cap(max / 2 + 1, max / 2 + 2, 16, 16), max);
	cr_assert_eq(cad_grow_cap(max, max, 16, 16), max);
	cr_assert_eq(cad_grow_cap(SIZE_MAX / 2 + 1, SIZE_MAX, 1, 0), SIZE_MAX);
}

Test(grow, realloc_array_refuses_an_overflowing_product)
{
	char *p = malloc(4);
	cr_assert_not_null(p);
	errno = 0;
	cr_assert_null(cad_realloc_array(p, SIZE_MAX / 2 + 1, 2));
	cr_assert_eq(errno, ENOMEM);
	p[3] = 'x';	/* still p's: untouched */
	char *q = cad_realloc_array(p, 8, 2);
	cr_assert_not_null(q);
	cr_assert_eq(q[3], 'x');
	free(q);
}

Test(grow, cad_grow_keeps_the_array_when_it_cannot_grow)
{
	int *a = NULL;
	size_t cap = 0;
	cr_assert_eq(CAD_GROW(a, cap, 1, 4), 0);
	cr_assert_eq(cap, 4);
	int *was = a;
	cr_assert_eq(CAD_GROW(a, cap, 3, 4), 0);	/* room already */
	cr_assert_eq(a, was);
	cr_assert_eq(CAD_GROW(a, cap, 5, 4), 0);
	cr_assert_eq(cap, 8);
	was = a;
	cr_assert_eq(CAD_GROW(a, cap, SIZE_MAX / sizeof(int) + 1, 4), -1);
	cr_assert_eq(a, was);
	cr_assert_eq(cap, 8);
	free(a);
}

Test(grow, a_strbuf_append_that_would_overflow_fails_the_buffer)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_adds(&sb, "abc");
	cad_strbuf_add(&sb, "x", SIZE_MAX - 2);
	cr_assert(sb.failed);
	cr_assert_null(cad_strbuf_cstr(&sb));
	cad_strbuf_free(&sb);
}
