/* SPDX-License-Identifier: MIT */
/* util/strbuf: reset and setlen, the only ways to shorten a buffer. */
#include <criterion/criterion.h>
#include <stdint.h>
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
