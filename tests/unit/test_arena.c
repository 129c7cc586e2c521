/* SPDX-License-Identifier: MIT */
/* util/arena, the one bump allocator: its small form (expressions). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"

Test(arena, a_small_arena_starts_in_the_callers_buffer)
{
	union { double d; unsigned char b[256]; } buf;
	arena a;
	cad_arena_init_small(&a, buf.b, sizeof(buf.b), 0);
	unsigned char *p = cad_arena_alloc(&a, 16);
	cr_assert(p >= buf.b && p + 16 <= buf.b + sizeof(buf.b));
	cr_assert_eq(a.total, 0);	/* no block yet */
	unsigned char *q = cad_arena_alloc(&a, 1024);	/* does not fit: a block */
	cr_assert(q < buf.b || q >= buf.b + sizeof(buf.b));
	cr_assert_eq((uintptr_t)q % sizeof(double), 0);
	cr_assert_geq(a.total, 1024);
	cad_arena_free(&a);
}

Test(arena, a_limit_refuses_and_says_so)
{
	arena a;
	cad_arena_init_small(&a, NULL, 0, 4096);
	cr_assert_not_null(cad_arena_alloc(&a, 1000));
	cr_assert_null(cad_arena_alloc(&a, 8192));
	cr_assert(a.limited);
	cad_arena_free(&a);
}

Test(arena, release_frees_back_to_the_mark)
{
	arena a;
	cad_arena_init_small(&a, NULL, 0, 200 * 1024);
	char *keep = cad_arena_strndup(&a, "kept", 4);
	arena_mark m = cad_arena_mark(&a);
	for (int i = 0; i < 100; i++)
		cr_assert_not_null(cad_arena_alloc(&a, 500));	/* 50,000 bytes */
	cad_arena_release(&a, &m);
	cr_assert_eq(a.total, m.total);
	/* the limit counts live memory: as much fits again */
	for (int i = 0; i < 100; i++)
		cr_assert_not_null(cad_arena_alloc(&a, 500));
	cr_assert_str_eq(keep, "kept");
	cad_arena_free(&a);
}

Test(arena, a_big_arena_packs_short_strings)
{
	arena a;
	cad_arena_init(&a);
	char *x = cad_arena_strdup(&a, "abc");
	char *y = cad_arena_strdup(&a, "de");
	cr_assert_str_eq(x, "abc");
	cr_assert_eq(y, x + 4);
	cr_assert_eq((uintptr_t)cad_arena_alloc(&a, 3) % _Alignof(max_align_t), 0);
	cad_arena_free(&a);
}
