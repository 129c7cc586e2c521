/* SPDX-License-Identifier: MIT */
/* Base64, RFC 4648 section 4 (util/base64.h). */
#include "util/base64.h"

#include <stdint.h>

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The value of c, or -1. */
static int digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int cad_base64_decode(const char *s, size_t len, unsigned char *out, size_t *n)
{
	*n = 0;
	if (len % 4)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int last = i + 4 == len;
		int pad = last && s[i + 3] == '=' ? (s[i + 2] == '=' ? 2 : 1) : 0;
		int d[4];
		for (int k = 0; k < 4; k++) {
			d[k] = k >= 4 - pad ? 0 : digit(s[i + (size_t)k]);
			if (d[k] < 0)
				return -1;
		}
		uint32_t v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 | (uint32_t)d[2] << 6 |
			     (uint32_t)d[3];
		/* the bits padding leaves over must be 0: "QQ==" and "QR==" are
		 * not both "A" */
		if ((pad == 2 && (v & 0xFFFF)) || (pad == 1 && (v & 0xFF)))
			return -1;
		out[(*n)++] = (unsigned char)(v >> 16);
		if (pad < 2)
			out[(*n)++] = (unsigned char)(v >> 8);
		if (pad < 1)
			out[(*n)++] = (unsigned char)v;
	}
	return 0;
}

size_t cad_base64_encode(const unsigned char *data, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}
