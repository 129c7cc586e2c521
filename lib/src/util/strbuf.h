/* SPDX-License-Identifier: MIT */
/* A growable string.  Once an allocation fails the buffer stays failed and
 * every later append is a no-op, so callers check once at the end. */
#ifndef CADENCE_SRC_UTIL_STRBUF_H
#define CADENCE_SRC_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	int failed;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0, 0 }

void cad_strbuf_free(strbuf *sb);
/* cad_strbuf_add() when the bytes do not fit (or sb has failed). */
void cad_strbuf_add_grow(strbuf *sb, const char *s, size_t len);

/* Inline: the reporters append a few bytes at a time, millions of times
 * (docs/benchmarks.md, "Reporters"), and mostly there is room. */
static inline void cad_strbuf_add(strbuf *sb, const char *s, size_t len)
{
	if (len <= PTRDIFF_MAX && sb->cap - sb->len > len && !sb->failed) {
		memcpy(sb->buf + sb->len, s, len);
		sb->len += len;
		sb->buf[sb->len] = '\0';
	} else {
		cad_strbuf_add_grow(sb, s, len);
	}
}

static inline void cad_strbuf_addc(strbuf *sb, char c)
{
	cad_strbuf_add(sb, &c, 1);
}

/* A string literal, its length known when compiling. */
#define cad_strbuf_addl(sb, lit) cad_strbuf_add((sb), "" lit, sizeof(lit) - 1)

void cad_strbuf_adds(strbuf *sb, const char *s);
/* The decimal digits of v: no printf, for the writers' hot paths. */
void cad_strbuf_addu(strbuf *sb, uint64_t v);
/* "00" to "99": the two digits of n at cad_digit_pairs + 2 * n. */
extern const char cad_digit_pairs[201];
/* The 8 decimal digits of v < 100000000 at p, zeros leading. */
void cad_put_digits8(char *p, uint32_t v);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cad_strbuf_addf(strbuf *sb, const char *fmt, ...);
void cad_strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* The message of errno value e: strerror() that is safe on any thread. */
void cad_strbuf_add_strerror(strbuf *sb, int e);
/* Empties sb, keeping its memory for what is written next; a failed
 * buffer starts afresh. */
void cad_strbuf_reset(strbuf *sb);
/* Cuts sb to its first n bytes (n at most sb->len). */
void cad_strbuf_setlen(strbuf *sb, size_t n);
/* The NUL-terminated contents ("" when empty), or NULL after a failure. */
const char *cad_strbuf_cstr(strbuf *sb);
/* Hands the malloc'd string to the caller (NULL after a failure). */
char *cad_strbuf_detach(strbuf *sb);

#endif
