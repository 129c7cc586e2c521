/* SPDX-License-Identifier: MIT */
/* util/arena, the one bump allocator: its small form (expressions). */
#include <criterion/criterion.h>
#include <stddef.h>
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

/* Past 2 MiB a big arena takes 2 MiB blocks mapped on their own (huge
 * pages): zeroed, aligned, all of it usable, an allocation larger than such
 * a block still served, and all of it freed (ASan and valgrind check the
 * munmap) */
/* A first request of more than 2 MiB (a big file's array of notes) gets a
 * block of whole huge pages: zeroed, aligned, all of it writable, and the
 * rest of the block serves what comes after it. */
Test(arena, a_request_of_megabytes_gets_a_block_of_its_own_size)
{
	arena a;
	cad_arena_init(&a);
	size_t size = 4 * 1024 * 1024 + 100;
	unsigned char *p = cad_arena_alloc(&a, size);
	cr_assert_not_null(p);
	cr_assert_eq((uintptr_t)p % _Alignof(max_align_t), 0);
	for (size_t i = 0; i < size; i += 4096)
		cr_assert_eq(p[i], 0);
	cr_assert_eq(p[size - 1], 0);
	memset(p, 0x5a, size);
	unsigned char *q = cad_arena_alloc(&a, 1000);
	cr_assert_not_null(q);
	cr_assert(q >= p + size || q + 1000 <= p, "overlaps the first request");
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(q[i], 0);
	cr_assert_geq(a.total, size + 1000);
	cad_arena_free(&a);
	cr_assert_null(a.head);
}

Test(arena, a_big_arena_past_two_mib_takes_mapped_blocks)
{
	arena a;
	cad_arena_init(&a);
	size_t got = 0;
	while (got < 7 * 1024 * 1024) {
		unsigned char *p = cad_arena_alloc(&a, 1000);
		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % _Alignof(max_align_t), 0);
		for (int i = 0; i < 1000; i++)
			cr_assert_eq(p[i], 0);
		memset(p, 0xa5, 1000);
		got += 1000;
	}
	unsigned char *big = cad_arena_alloc(&a, 3 * 1024 * 1024);
	cr_assert_not_null(big);
	cr_assert_eq(big[3 * 1024 * 1024 - 1], 0);
	memset(big, 1, 3 * 1024 * 1024);
	cr_assert_geq(a.total, got + 3 * 1024 * 1024);
	cad_arena_free(&a);
	cr_assert_null(a.head);
}
