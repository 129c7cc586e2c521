/* SPDX-License-Identifier: MIT */
/*
 * `cadence serve`'s dashboard (docs/serve.md, "Dashboard"): the pieces
 * that need no HTTP, tested alone (tests/unit/test_serve_html.c).
 */
#ifndef CADENCE_CLI_SERVE_HTML_H
#define CADENCE_CLI_SERVE_HTML_H

#include <stddef.h>

#include "util/strbuf.h"

/* Appends s HTML-escaped for text and for quoted attribute values: & < >
 * " ' as character references.  The one escape of every value the
 * dashboard shows (names, files, scores, note output are hostile). */
void serve_html_escape(strbuf *sb, const char *s);
void serve_html_escape_n(strbuf *sb, const char *s, size_t len);

/* The value of field `key` of an application/x-www-form-urlencoded body
 * (+ and %XX decoded), malloc'd into *out.  0; 1: no such field; -1: a
 * bad %-escape, a NUL byte, or out of memory. */
int serve_form_value(const char *body, size_t len, const char *key, char **out);

/* HMAC-SHA256 (RFC 2104) of msg under key, as 64 lowercase hex digits. */
void serve_hmac_hex(const unsigned char *key, size_t klen, const char *msg, size_t mlen,
		    char out[65]);

/* Whether a and b are equal, in time that depends on their lengths only. */
int serve_equal(const char *a, const char *b);

#endif
