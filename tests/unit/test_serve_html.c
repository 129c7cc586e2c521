/* SPDX-License-Identifier: MIT */
/* cli/serve/html.c: the dashboard's HTML escape, form bodies and HMAC. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

static char *escaped(const char *s)
{
	strbuf sb = STRBUF_INIT;
	serve_html_escape(&sb, s);
	return cad_strbuf_detach(&sb);
}

Test(serve_html, escapes_the_five_characters_of_markup)
{
	char *e = escaped("<script>alert(1)</script> \"'&");
	cr_assert_str_eq(e, "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&#39;&amp;");
	free(e);
	e = escaped("<img src=x onerror='a()'>");
	cr_assert_str_eq(e, "&lt;img src=x onerror=&#39;a()&#39;&gt;");
	free(e);
}

Test(serve_html, leaves_other_text_and_utf8_alone)
{
	char *e = escaped("plain · text é 日本");
	cr_assert_str_eq(e, "plain · text é 日本");
	free(e);
	e = escaped("");
	cr_assert_str_eq(e, "");
	free(e);
	e = escaped(NULL);
	cr_assert_str_eq(e, "");
	free(e);
}

Test(serve_html, escape_n_stops_at_the_length)
{
	strbuf sb = STRBUF_INIT;
	serve_html_escape_n(&sb, "a<b>c", 2);
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "a&lt;");
	cad_strbuf_free(&sb);
}

static const char form[] = "csrf=ab12&score=%7B%22n%22%3A+1%7D&empty=&bare&x%3Dy=1";

Test(serve_form, decodes_a_field)
{
	char *v = NULL;
	cr_assert_eq(serve_form_value(form, strlen(form), "score", &v), 0);
	cr_assert_str_eq(v, "{\"n\": 1}");
	free(v);
	cr_assert_eq(serve_form_value(form, strlen(form), "csrf", &v), 0);
	cr_assert_str_eq(v, "ab12");
	free(v);
	cr_assert_eq(serve_form_value(form, strlen(form), "x=y", &v), 0);
	cr_assert_str_eq(v, "1");
	free(v);
}

Test(serve_form, empty_bare_and_absent_fields)
{
	char *v = NULL;
	cr_assert_eq(serve_form_value(form, strlen(form), "empty", &v), 0);
	cr_assert_str_eq(v, "");
	free(v);
	cr_assert_eq(serve_form_value(form, strlen(form), "bare", &v), 0);
	cr_assert_str_eq(v, "");
	free(v);
	cr_assert_eq(serve_form_value(form, strlen(form), "nope", &v), 1);
	cr_assert_null(v);
	cr_assert_eq(serve_form_value("", 0, "csrf", &v), 1);
	/* the length bounds the body: "csrf=ab" */
	cr_assert_eq(serve_form_value(form, 7, "csrf", &v), 0);
	cr_assert_str_eq(v, "ab");
	free(v);
}

Test(serve_form, refuses_bad_escapes_and_nul)
{
	char *v = NULL;
	cr_assert_eq(serve_form_value("a=%4", 4, "a", &v), -1);
	cr_assert_eq(serve_form_value("a=%zz", 5, "a", &v), -1);
	cr_assert_eq(serve_form_value("a=%00", 5, "a", &v), -1);
	cr_assert_eq(serve_form_value("a=%", 3, "a", &v), -1);
	cr_assert_null(v);
}

/* RFC 4231, test cases 1, 2 and 6 (a key longer than the block) */
Test(serve_hmac, rfc4231_vectors)
{
	char out[65];
	unsigned char k1[20], k6[131];
	memset(k1, 0x0b, sizeof(k1));
	serve_hmac_hex(k1, sizeof(k1), "Hi There", 8, out);
	cr_assert_str_eq(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	serve_hmac_hex((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28, out);
	cr_assert_str_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(k6, 0xaa, sizeof(k6));
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	serve_hmac_hex(k6, sizeof(k6), m6, strlen(m6), out);
	cr_assert_str_eq(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

Test(serve_hmac, equal_compares_whole_strings)
{
	cr_assert(serve_equal("abc", "abc"));
	cr_assert_not(serve_equal("abc", "abd"));
	cr_assert_not(serve_equal("abc", "ab"));
	cr_assert_not(serve_equal("", "a"));
	cr_assert(serve_equal("", ""));
}
