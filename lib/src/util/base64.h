/* SPDX-License-Identifier: MIT */
/* Base64 (RFC 4648, section 4: the standard alphabet, '=' padding): the
 * keys and signatures of Standard Webhooks (cli/serve/hook.c). */
#ifndef CADENCE_SRC_UTIL_BASE64_H
#define CADENCE_SRC_UTIL_BASE64_H

#include <stddef.h>

/* The bytes that decoding len characters can give at most. */
#define CAD_BASE64_DECODED_MAX(len) ((len) / 4 * 3 + 3)

/* Decodes s[0..len) into out (room for CAD_BASE64_DECODED_MAX(len)
 * bytes), the count in *n.  Strict: the length a multiple of 4, padding
 * only at the end, no blanks, and the unused bits of the last character
 * zero (one text per value).  Returns 0, or -1 when s is not such base64. */
int cad_base64_decode(const char *s, size_t len, unsigned char *out, size_t *n);

/* Encodes data[0..len) into out (room for 4 * ((len + 2) / 3) + 1
 * characters), NUL-terminated; returns the length. */
size_t cad_base64_encode(const unsigned char *data, size_t len, char *out);

#endif
