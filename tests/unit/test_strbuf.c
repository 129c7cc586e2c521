/* SPDX-License-Identifier: MIT */
/* util/strbuf: reset and setlen, the only ways to shorten a buffer; addu. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/strbuf.h"

Test(strbuf, reset_empties_and_keeps_the_memory)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_reset(&sb);	/* never allocated: nothing to do */
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "");
	cad_strbuf_adds(&sb, "hello");
	char *mem = sb.buf;
	cad_strbuf_reset(&sb);
	cr_assert_eq(sb.len, 0);
	cr_assert_eq(sb.buf, mem);
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "");
	cad_strbuf_adds(&sb, "hi");
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "hi");
	cad_strbuf_free(&sb);
}

Test(strbuf, reset_starts_a_failed_buffer_afresh)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_adds(&sb, "abc");
	cad_strbuf_add(&sb, "x", SIZE_MAX - 2);
	cr_assert_null(cad_strbuf_cstr(&sb));
	cad_strbuf_reset(&sb);
	cad_strbuf_adds(&sb, "ok");
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "ok");
	cad_strbuf_free(&sb);
}

Test(strbuf, setlen_cuts_and_never_lengthens)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_adds(&sb, "a/b/c");
	cad_strbuf_setlen(&sb, 3);
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "a/b");
	cad_strbuf_setlen(&sb, 10);
	cr_assert_eq(sb.len, 3);
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "a/b");
	cad_strbuf_addc(&sb, '!');
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "a/b!");
	cad_strbuf_free(&sb);
}

/* addu writes 8 digits at a time past 10^8: every length, and the
 * boundaries where a chunk has leading zeros, against printf */
Test(strbuf, addu_equals_printf)
{
	uint64_t values[200];
	size_t n = 0;
	values[n++] = 0;
	values[n++] = UINT64_MAX;
	for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
		values[n++] = p - 1;
		values[n++] = p;
		values[n++] = p + 1;
		values[n++] = p * 10 - 1 > p ? p * 9 + 7 : p;
	}
	values[n++] = 100000000ull * 100000000ull + 1;	/* chunks of zeros */
	values[n++] = 1733000000000000123ull;		/* a trace time */
	uint64_t x = 88172645463325252ull;
	while (n < sizeof(values) / sizeof(values[0])) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		values[n++] = x >> (x & 63);
	}
	for (size_t i = 0; i < n; i++) {
		char want[32];
		strbuf sb = STRBUF_INIT;
		snprintf(want, sizeof(want), "%llu", (unsigned long long)values[i]);
		cad_strbuf_addu(&sb, values[i]);
		cr_assert_str_eq(cad_strbuf_cstr(&sb), want, "addu(%s)", want);
		cad_strbuf_free(&sb);
	}
}
