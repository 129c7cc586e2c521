/* SPDX-License-Identifier: MIT */
/* `cadence serve`: HTML escaping, form bodies, HMAC, cookies (html.h). */
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "util/sha256.h"

void serve_html_escape_n(strbuf *sb, const char *s, size_t len)
{
	size_t from = 0;
	for (size_t i = 0; i < len; i++) {
		const char *ref;
		switch (s[i]) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\'': ref = "&#39;"; break;
		default: continue;
		}
		cad_strbuf_add(sb, s + from, i - from);
		cad_strbuf_adds(sb, ref);
		from = i + 1;
	}
	cad_strbuf_add(sb, s + from, len - from);
}

void serve_html_escape(strbuf *sb, const char *s)
{
	serve_html_escape_n(sb, s ? s : "", s ? strlen(s) : 0);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0, len) (+ is a space, %XX a byte); -1 on a bad escape or a
 * NUL byte (the values become C strings). */
static int decode(const char *s, size_t len, strbuf *out)
{
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (!c)
			return -1;
		cad_strbuf_addc(out, (char)c);
	}
	return 0;
}

int serve_form_value(const char *body, size_t len, const char *key, char **out)
{
	size_t klen = strlen(key);
	*out = NULL;
	for (size_t at = 0; at < len;) {
		const char *f = body + at;
		const char *amp = memchr(f, '&', len - at);
		size_t flen = amp ? (size_t)(amp - f) : len - at;
		at += flen + 1;
		const char *eq = memchr(f, '=', flen);
		size_t nlen = eq ? (size_t)(eq - f) : flen;
		strbuf name = STRBUF_INIT;
		int bad = decode(f, nlen, &name);
		int match = !bad && !name.failed && name.len == klen &&
			    !memcmp(cad_strbuf_cstr(&name), key, klen);
		cad_strbuf_free(&name);
		if (bad)
			return -1;
		if (!match)
			continue;
		strbuf v = STRBUF_INIT;
		if (eq && decode(eq + 1, flen - nlen - 1, &v)) {
			cad_strbuf_free(&v);
			return -1;
		}
		cad_strbuf_addc(&v, '\0');
		cad_strbuf_setlen(&v, v.len - 1);
		*out = cad_strbuf_detach(&v);
		return *out ? 0 : -1;
	}
	return 1;
}

void serve_hmac_hex(const unsigned char *key, size_t klen, const char *msg, size_t mlen,
		    char out[65])
{
	unsigned char mac[32];
	cad_hmac_sha256(key, klen, msg, mlen, mac);
	cad_hex(mac, sizeof(mac), out);
}

int serve_equal(const char *a, const char *b)
{
	/* the lengths are public (digests of one size): only the bytes are
	 * compared in constant time, by the shared comparison */
	size_t la = strlen(a);
	return la == strlen(b) && cad_equal_ct(a, b, la);
}
