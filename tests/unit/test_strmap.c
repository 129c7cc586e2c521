/* SPDX-License-Identifier: MIT */
/* util/strmap: the library's one hash map. */
#include "util/strmap.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* n keys "k0", "k1", ... in one buffer of `width` bytes per key */
static char *make_keys(size_t n, size_t width)
{
	char *buf = malloc(n * width);
	cr_assert(buf);
	for (size_t i = 0; i < n; i++)
		snprintf(buf + i * width, width, "k%zu", i);
	return buf;
}

Test(strmap, empty_map_finds_nothing)
{
	strmap m = STRMAP_INIT;
	cr_expect_eq(cad_strmap_get(&m, "a"), STRMAP_NONE);
	cr_expect_null(cad_strmap_find(&m, "a", 1));
	cr_expect_null(cad_strmap_next(&m, NULL));
	cad_strmap_free(&m);
	cad_strmap_free(&m);	/* twice: still empty */
	cr_expect_eq(m.count, 0);
}

Test(strmap, first_value_stays)
{
	strmap m = STRMAP_INIT;
	cr_expect_eq(cad_strmap_add(&m, "note", 3), 3);
	cr_expect_eq(cad_strmap_add(&m, "note", 7), 3);
	cr_expect_eq(cad_strmap_get(&m, "note"), 3);
	cr_expect_eq(m.count, 1);
	cad_strmap_free(&m);
}

Test(strmap, put_adds_once_with_a_zero_value)
{
	strmap m = STRMAP_INIT;
	int added = -1, x = 0;
	strmap_entry *e = cad_strmap_put(&m, "field", 5, &added);
	cr_assert(e);
	cr_expect_eq(added, 1);
	cr_expect_null(e->v.p);
	e->v.p = &x;
	e = cad_strmap_put(&m, "field", 5, &added);
	cr_expect_eq(added, 0);
	cr_expect_eq(e->v.p, &x);
	cr_expect_eq(cad_strmap_find(&m, "field", 5)->v.p, &x);
	cr_expect_null(cad_strmap_put(&m, "other", 5, NULL)->v.p);
	cad_strmap_free(&m);
}

/* prefixes of one another, the empty key, and keys holding NULs: the
 * length is part of the key */
Test(strmap, keys_with_equal_prefixes)
{
	static const char text[] = "abcdefgh\0ab\0ab";
	strmap m = STRMAP_INIT;
	for (size_t len = 0; len <= 8; len++)
		cr_assert_eq(cad_strmap_put(&m, text, len, NULL) != NULL, 1);
	strmap_entry *a = cad_strmap_put(&m, text + 9, 5, NULL);	/* "ab\0ab" */
	cr_assert(a);
	a->v.i = 42;
	for (size_t len = 0; len <= 8; len++) {
		strmap_entry *e = cad_strmap_find(&m, "abcdefgh", len);
		cr_assert(e, "length %zu", len);
		cr_expect_eq(e->len, len);
		e->v.i = len;
	}
	cr_expect_eq(cad_strmap_get(&m, ""), 0);
	cr_expect_eq(cad_strmap_get(&m, "abc"), 3);
	cr_expect_eq(cad_strmap_get(&m, "ab"), 2);	/* "ab", not "ab\0ab" */
	cr_expect_eq(cad_strmap_find(&m, "ab\0ab", 5)->v.i, 42);
	cr_expect_null(cad_strmap_find(&m, "ab\0ac", 5));
	cr_expect_null(cad_strmap_find(&m, "abcdefghi", 9));
	cr_expect_eq(m.count, 10);
	cad_strmap_free(&m);
}

/* a table of 16 slots holding 12 keys (three quarters full): neighbours
 * share probe runs */
Test(strmap, collisions_in_a_small_table)
{
	strmap m = STRMAP_INIT;
	char *keys = make_keys(12, 8);
	cr_assert_eq(cad_strmap_reserve(&m, 12), 0);
	strmap_entry *slots = m.slots;
	cr_expect_eq(m.mask + 1, 16);
	for (size_t i = 0; i < 12; i++)
		cr_expect_eq(cad_strmap_add(&m, keys + i * 8, i), i);
	cr_expect_eq(m.slots, slots, "reserved: no growth");
	for (size_t i = 0; i < 12; i++)
		cr_expect_eq(cad_strmap_get(&m, keys + i * 8), i);
	cr_expect_eq(cad_strmap_add(&m, "k12", 12), 12);
	cr_expect_eq(m.mask + 1, 32, "a 13th key doubles the table");
	cr_expect_eq(cad_strmap_get(&m, "k13"), STRMAP_NONE);
	cad_strmap_free(&m);
	free(keys);
}

Test(strmap, grows_to_many_keys)
{
	enum { N = 100000, W = 12 };
	strmap m = STRMAP_INIT;
	char *keys = make_keys(N, W);
	for (size_t i = 0; i < N; i++)
		cr_assert_eq(cad_strmap_add(&m, keys + i * W, i), i);
	cr_expect_eq(m.count, N);
	cr_expect_geq((m.mask + 1) / 4 * 3, (size_t)N, "at most three quarters full");
	for (size_t i = 0; i < N; i++)
		cr_assert_eq(cad_strmap_get(&m, keys + i * W), i, "key %zu", i);
	cr_expect_eq(cad_strmap_get(&m, "k100000"), STRMAP_NONE);
	cr_expect_eq(cad_strmap_get(&m, "k"), STRMAP_NONE);
	/* the walk visits every key once */
	unsigned char *seen = calloc(N, 1);
	size_t n = 0;
	for (strmap_entry *e = cad_strmap_next(&m, NULL); e; e = cad_strmap_next(&m, e), n++) {
		cr_assert_lt(e->v.i, N);
		cr_assert_eq(seen[e->v.i], 0);
		seen[e->v.i] = 1;
	}
	cr_expect_eq(n, N);
	free(seen);
	cad_strmap_free(&m);
	free(keys);
}

/* a slot keeps a key's length in 32 bits: a longer key is refused, not
 * truncated (the bytes are never read, so a short buffer serves) */
Test(strmap, a_key_of_4_gib_is_refused)
{
	static const char k[] = "k";
	size_t huge = (size_t)UINT32_MAX + 1;
	if (huge == 0)
		cr_skip_test("size_t has 32 bits: no such key");
	strmap m = STRMAP_INIT;
	int added = 7;
	cr_expect_null(cad_strmap_put(&m, k, huge, &added));
	cr_expect_eq(added, 0);
	cr_expect_eq(m.count, 0);
	cr_expect_null(cad_strmap_find(&m, k, huge));
	cr_assert_eq(cad_strmap_add(&m, k, 1), 1);
	cr_expect_null(cad_strmap_find(&m, k, huge));
	cad_strmap_free(&m);
}

Test(strmap, reserve_too_large_leaves_the_map_as_it_was)
{
	strmap m = STRMAP_INIT;
	cr_assert_eq(cad_strmap_add(&m, "a", 1), 1);
	strmap_entry *slots = m.slots;
	cr_expect_eq(cad_strmap_reserve(&m, SIZE_MAX / 2), -1);
	cr_expect_eq(m.slots, slots);
	cr_expect_eq(cad_strmap_get(&m, "a"), 1);
	cad_strmap_free(&m);
}

/* Out of memory while growing: put fails and the map keeps every key.
 * An address-space limit makes the allocation fail; AddressSanitizer
 * reserves more address space than any such limit allows. */
Test(strmap, out_of_memory_keeps_the_map)
{
#ifdef UNDER_ASAN
	cr_skip_test("an address-space limit and AddressSanitizer do not mix");
#else
	enum { N = 1 << 20, W = 10 };
	char *keys = make_keys(N, W);
	struct rlimit old, low;
	cr_assert_eq(getrlimit(RLIMIT_AS, &old), 0);
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		cr_skip_test("no /proc/self/statm");
	unsigned long pages = 0;
	cr_assert_eq(fscanf(f, "%lu", &pages), 1);
	fclose(f);
	/* 64 MiB more than now: growing to 2^21 slots (48 MiB, beside the 24 MiB
	 * of the table it replaces) cannot be done */
	low = old;
	low.rlim_cur = (rlim_t)pages * 4096 + ((rlim_t)64 << 20);
	if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < low.rlim_cur)
		cr_skip_test("the address space is limited already");
	cr_assert_eq(setrlimit(RLIMIT_AS, &low), 0);
	strmap m = STRMAP_INIT;
	size_t added = 0;
	while (added < N && cad_strmap_put(&m, keys + added * W, strlen(keys + added * W), NULL))
		added++;
	cr_assert_eq(setrlimit(RLIMIT_AS, &old), 0);
	cr_assert_lt(added, N, "the limit was never reached");
	cr_expect_eq(m.count, added);
	for (size_t i = 0; i < added; i++)
		cr_assert(cad_strmap_find(&m, keys + i * W, strlen(keys + i * W)), "key %zu", i);
	cr_expect_null(cad_strmap_find(&m, keys + added * W, strlen(keys + added * W)));
	cad_strmap_free(&m);
	free(keys);
#endif
}
