/* SPDX-License-Identifier: MIT */
/*
 * Webhooks of `cadence serve` (docs/serve.md, "Webhooks"), the part with
 * no HTTP in it: the signatures (GitHub's X-Hub-Signature-256, Standard
 * Webhooks) and the input score built from a delivery by the route's
 * expressions over `payload` and `headers`.  Pure functions of their
 * arguments, for the fuzz targets (fuzz/fuzz_hook_sig.c,
 * fuzz_hook_score.c) and the unit tests; webhook.c is the HTTP side.
 */
#ifndef CADENCE_CLI_SERVE_HOOK_H
#define CADENCE_CLI_SERVE_HOOK_H

#include <cadence/expr.h>
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hook_scheme { HOOK_GITHUB, HOOK_STANDARD } hook_scheme;

/* "github", "standard"; the scheme of a name, -1 for none. */
const char *hook_scheme_name(hook_scheme s);
int hook_scheme_parse(const char *name);

/* Standard Webhooks: a timestamp further than this from now is refused. */
#define HOOK_TOLERANCE_S 300

/* The HMAC key of a secret as configured: GitHub's is its text;
 * Standard Webhooks' is `whsec_` and base64, the key being the decoded
 * bytes.  *key malloc'd.  Returns NULL, or why the secret is not one
 * (static text). */
const char *hook_secret_key(hook_scheme s, const char *secret, size_t len, unsigned char **key,
			    size_t *klen);

/* GitHub: `sig` is the X-Hub-Signature-256 header's value (NULL: none),
 * `sha256=` and 64 hex digits of HMAC-SHA256(key, body).  Returns NULL
 * when it is the body's, else why not (static text). */
const char *hook_verify_github(const unsigned char *key, size_t klen, const char *sig,
			       const char *body, size_t len);

/* Standard Webhooks: the headers webhook-id, webhook-timestamp (Unix
 * seconds) and webhook-signature (NULL: absent), the last a list of
 * `v1,BASE64` separated by spaces, any one of which may match
 * HMAC-SHA256(key, id "." timestamp "." body); the timestamp within
 * HOOK_TOLERANCE_S of now_s.  Returns NULL, or why not (static text). */
const char *hook_verify_standard(const unsigned char *key, size_t klen, const char *id,
				 const char *timestamp, const char *sig, const char *body,
				 size_t len, int64_t now_s);

/* Compiles a score expression of a route: over `payload` and `headers`
 * (no `score`).  As cadence_expr_compile(). */
int hook_compile(cadence_expr **out, const char *src, size_t len, cadence_expr_error *err);

/* One field of a route's score: its name and compiled expression. */
typedef struct hook_field {
	const char *name;
	const cadence_expr *expr;
} hook_field;

/* The input score: each field the value of its expression over payload
 * (the parsed body) and headers (an object of lower-cased names).  A
 * null value leaves the field out (the cadence's default applies).
 * Returns the score, or NULL with a malloc'd reason in *why (which field,
 * which expression, what went wrong; NULL: out of memory). */
cJSON *hook_score(const hook_field *fields, size_t n, const cJSON *payload, const cJSON *headers,
		  char **why);

#endif
