/* SPDX-License-Identifier: MIT */
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t cad_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c, min;
	size_t n;

	if (!len)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2, c = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3, c = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

size_t cad_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int continues(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

size_t cad_utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += !continues(s[i]);
	return n;
}

size_t cad_utf8_char_len(const char *s, size_t len)
{
	size_t n = len ? 1 : 0;
	while (n < len && continues(s[n]))
		n++;
	return n;
}

size_t cad_utf8_cut(const char *s, size_t n)
{
	while (n > 0 && continues(s[n]))
		n--;
	return n;
}

int cad_utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

int cad_utf8_is_unsafe(uint32_t cp)
{
	return cad_utf8_is_control(cp) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Each byte of an invalid sequence becomes U+FFFD, and so does each
 * unsafe character when `controls` is set (but a tab with keep_tab). */
static char *dup_replacing(const char *s, size_t len, int controls, int keep_tab)
{
	static const char repl[] = "\xEF\xBF\xBD";	/* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;

	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = cad_utf8_decode(p + i, len - i, &cp);
		int control = controls && n && cad_utf8_is_unsafe(cp);
		if (!n || (control && !(keep_tab && cp == '\t'))) {
			memcpy(o, repl, 3);
			o += 3;
			i += n ? n : 1;
			continue;
		}
		memcpy(o, p + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	return out;
}

char *cad_utf8_dup_printable(const char *s, size_t len, int keep_tab)
{
	return dup_replacing(s, len, 1, keep_tab);
}

char *cad_utf8_dup_valid(const char *s, size_t len)
{
	return dup_replacing(s, len, 0, 0);
}

size_t cad_utf8_valid_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t i = 0;
	while (i < len) {
		if (p[i] < 0x80) {	/* the common case, without a call */
			i++;
			continue;
		}
		size_t n = cad_utf8_decode(p + i, len - i, &cp);
		if (!n)
			return i;
		i += n;
	}
	return len;
}
