/* SPDX-License-Identifier: MIT */
/* UTF-8 decoding, strict (RFC 3629: no overlongs, no surrogates). */
#ifndef CADENCE_SRC_UTIL_UTF8_H
#define CADENCE_SRC_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s[0..len) into *cp and returns its length in
 * bytes, or 0 when the bytes there are not valid UTF-8 (or len is 0). */
size_t cad_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Encodes cp (at most U+10FFFF) into out; returns its length, 1 to 4. */
size_t cad_utf8_encode(uint32_t cp, char out[4]);

/*
 * Counting and cutting, as columns are counted (docs/diagnostics.md): a
 * character is a byte that does not continue a UTF-8 sequence and the
 * continuation bytes after it, valid or not.  Every count of code points
 * and every cut of text outside this file goes through these.
 */
/* The characters in s[0..len). */
size_t cad_utf8_count(const char *s, size_t len);
/* The length of the character at s[0..len): 1 and the continuation bytes
 * after it (0 when len is 0).  A NUL-terminated string may pass SIZE_MAX:
 * its NUL continues nothing. */
size_t cad_utf8_char_len(const char *s, size_t len);
/* The largest n' <= n that does not cut s in the middle of a character
 * (s has more than n bytes): where to cut text that is shortened. */
size_t cad_utf8_cut(const char *s, size_t n);

/* Whether code point cp is a control character (C0, DEL or C1): what must
 * not reach a terminal. */
int cad_utf8_is_control(uint32_t cp);

/* Whether code point cp must not reach a terminal as it is: a control
 * character, or a bidirectional embedding, override or isolate (U+202A to
 * U+202E, U+2066 to U+2069), which reorders the text around it on screen
 * (what is shown is then not what is there). */
int cad_utf8_is_unsafe(uint32_t cp);

/* Copies s[0..len) into a new NUL-terminated string that is safe to print
 * and to put in JSON: each byte of an invalid sequence, each NUL and each
 * unsafe character (cad_utf8_is_unsafe(); a tab is kept when keep_tab is
 * set) becomes U+FFFD,
 * so a terminal escape in a file cannot reach the user's terminal and a
 * column counted in code points stays the same.  NULL when out of memory. */
char *cad_utf8_dup_printable(const char *s, size_t len, int keep_tab);

/* As cad_utf8_dup_printable(), but only invalid bytes become U+FFFD: control
 * characters are kept (for text that JSON writers escape, such as a
 * note's stderr lines).  NULL when out of memory. */
char *cad_utf8_dup_valid(const char *s, size_t len);

/* The length of the longest prefix of s[0..len) that is valid UTF-8:
 * len when it all is, else the offset of the first bad byte. */
size_t cad_utf8_valid_prefix(const char *s, size_t len);

#endif
