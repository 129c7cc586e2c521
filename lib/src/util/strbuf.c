/* SPDX-License-Identifier: MIT */
#include "util/grow.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(strbuf *sb, size_t extra)
{
	if (sb->failed)
		return -1;
	if (sb->cap - sb->len > extra)
		return 0;
	if (extra >= SIZE_MAX - sb->len || cad_grow((void **)&sb->buf, &sb->cap, sb->len + extra + 1, 1, 64)) {
		sb->failed = 1;
		return -1;
	}
	return 0;
}

void cad_strbuf_free(strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->failed = 0;
}

void cad_strbuf_reset(strbuf *sb)
{
	sb->failed = 0;
	cad_strbuf_setlen(sb, 0);
}

void cad_strbuf_setlen(strbuf *sb, size_t n)
{
	if (n > sb->len)
		return;
	sb->len = n;
	if (sb->buf)
		sb->buf[n] = '\0';
}

void cad_strbuf_add_grow(strbuf *sb, const char *s, size_t len)
{
	if (grow(sb, len))
		return;
	memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void cad_strbuf_adds(strbuf *sb, const char *s)
{
	cad_strbuf_add(sb, s, strlen(s));
}

/* Two digits at a time: timestamps in nanoseconds have nineteen. */
const char cad_digit_pairs[201] = "0001020304050607080910111213141516171819"
				  "2021222324252627282930313233343536373839"
				  "4041424344454647484950515253545556575859"
				  "6061626364656667686970717273747576777879"
				  "8081828384858687888990919293949596979899";

void cad_put_digits8(char *p, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;
	memcpy(p, cad_digit_pairs + hi / 100 * 2, 2);
	memcpy(p + 2, cad_digit_pairs + hi % 100 * 2, 2);
	memcpy(p + 4, cad_digit_pairs + lo / 100 * 2, 2);
	memcpy(p + 6, cad_digit_pairs + lo % 100 * 2, 2);
}

void cad_strbuf_addu(strbuf *sb, uint64_t v)
{
	char buf[24];
	size_t i = sizeof(buf);
	/* eight digits at a time in 32 bits: a trace's times have 19 */
	for (; v >= 100000000; v /= 100000000) {
		i -= 8;
		cad_put_digits8(buf + i, (uint32_t)(v % 100000000));
	}
	uint32_t w = (uint32_t)v;
	for (; w >= 100; w /= 100) {
		i -= 2;
		memcpy(buf + i, cad_digit_pairs + w % 100 * 2, 2);
	}
	if (w >= 10) {
		i -= 2;
		memcpy(buf + i, cad_digit_pairs + w * 2, 2);
	} else {
		buf[--i] = (char)('0' + w);
	}
	cad_strbuf_add(sb, buf + i, sizeof(buf) - i);
}

void cad_strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->failed = 1;
		return;
	}
	if (grow(sb, (size_t)n))
		return;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void cad_strbuf_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cad_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

const char *cad_strbuf_cstr(strbuf *sb)
{
	if (sb->failed)
		return NULL;
	return sb->buf ? sb->buf : "";
}

char *cad_strbuf_detach(strbuf *sb)
{
	char *p;
	if (sb->failed) {
		cad_strbuf_free(sb);
		return NULL;
	}
	p = sb->buf;
	if (!p) {
		p = malloc(1);
		if (p)
			*p = '\0';
	}
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void cad_strbuf_add_strerror(strbuf *sb, int e)
{
	char buf[128];
	/* the POSIX (XSI) strerror_r: this file is built without _GNU_SOURCE */
	if (strerror_r(e, buf, sizeof(buf)))
		cad_strbuf_addf(sb, "error %d", e);
	else
		cad_strbuf_adds(sb, buf);
}
