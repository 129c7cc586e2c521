/* SPDX-License-Identifier: MIT */
/* Webhooks without HTTP: signatures and the score (serve/hook.h). */
#include "serve/hook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/vars.h"
#include "util/base64.h"
#include "util/sha256.h"
#include "util/strbuf.h"

static const char *const names[] = { "github", "standard" };

const char *hook_scheme_name(hook_scheme s)
{
	return names[s == HOOK_STANDARD];
}

int hook_scheme_parse(const char *name)
{
	for (int i = 0; i < 2; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* ---- secrets ------------------------------------------------------------------ */

const char *hook_secret_key(hook_scheme s, const char *secret, size_t len, unsigned char **key,
			    size_t *klen)
{
	static const char prefix[] = "whsec_";
	*key = NULL;
	*klen = 0;
	if (!len)
		return "the secret is empty";
	if (s == HOOK_GITHUB) {
		*key = malloc(len);
		if (!*key)
			return "out of memory";
		memcpy(*key, secret, len);
		*klen = len;
		return NULL;
	}
	if (len < sizeof(prefix) - 1 || memcmp(secret, prefix, sizeof(prefix) - 1))
		return "a Standard Webhooks secret is 'whsec_' and base64 (e.g. "
		       "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)";
	secret += sizeof(prefix) - 1;
	len -= sizeof(prefix) - 1;
	*key = malloc(CAD_BASE64_DECODED_MAX(len));
	if (!*key)
		return "out of memory";
	if (cad_base64_decode(secret, len, *key, klen) || *klen < 16) {
		free(*key);
		*key = NULL;
		*klen = 0;
		return "the part after 'whsec_' is not base64 of 16 bytes or more";
	}
	return NULL;
}

/* ---- GitHub --------------------------------------------------------------------- */

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

const char *hook_verify_github(const unsigned char *key, size_t klen, const char *sig,
			       const char *body, size_t len)
{
	static const char prefix[] = "sha256=";
	unsigned char want[32], got[32];
	if (!sig)
		return "no X-Hub-Signature-256 header: the request is not signed (set the "
		       "webhook's secret on GitHub)";
	if (strncmp(sig, prefix, sizeof(prefix) - 1) || strlen(sig) != sizeof(prefix) - 1 + 64)
		return "X-Hub-Signature-256 is not 'sha256=' and 64 hex digits";
	sig += sizeof(prefix) - 1;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(sig[2 * i]), lo = hexval(sig[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return "X-Hub-Signature-256 is not 'sha256=' and 64 hex digits";
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	cad_hmac_sha256(key, klen, body, len, want);
	if (!cad_equal_ct(want, got, 32))
		return "X-Hub-Signature-256 does not match the body: a wrong secret, or a body "
		       "changed on the way";
	return NULL;
}

/* ---- Standard Webhooks --------------------------------------------------------- */

/* The timestamp: decimal digits only, Unix seconds; -1 when not. */
static int64_t parse_ts(const char *s)
{
	int64_t v = 0;
	if (!*s || strlen(s) > 12)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Whether one `v1,BASE64` of the list, sig[0..n), is want. */
static int one_matches(const char *sig, size_t n, const unsigned char want[32])
{
	unsigned char got[CAD_BASE64_DECODED_MAX(44)];
	size_t glen;
	if (n < 3 || memcmp(sig, "v1,", 3))
		return 0;	/* another version: not ours to judge */
	sig += 3;
	n -= 3;
	if (n != 44 || cad_base64_decode(sig, n, got, &glen) || glen != 32)
		return 0;
	return cad_equal_ct(got, want, 32);
}

const char *hook_verify_standard(const unsigned char *key, size_t klen, const char *id,
				 const char *timestamp, const char *sig, const char *body,
				 size_t len, int64_t now_s)
{
	if (!id || !timestamp || !sig)
		return "the request is not signed: it needs the headers webhook-id, "
		       "webhook-timestamp and webhook-signature (Standard Webhooks)";
	if (!*id || strchr(id, '.'))
		return "webhook-id is empty or holds a '.'";
	int64_t ts = parse_ts(timestamp);
	if (ts < 0)
		return "webhook-timestamp is not a number of seconds since 1970";
	if (ts < now_s - HOOK_TOLERANCE_S || ts > now_s + HOOK_TOLERANCE_S)
		return "webhook-timestamp is more than 5 minutes away from the server's clock: "
		       "a stale (replayed) delivery, or a clock off";
	/* the signed content: id.timestamp.body */
	strbuf sb = STRBUF_INIT;
	cad_strbuf_addf(&sb, "%s.%s.", id, timestamp);
	cad_strbuf_add(&sb, body, len);
	if (!cad_strbuf_cstr(&sb))
		return "out of memory";
	unsigned char want[32];
	cad_hmac_sha256(key, klen, sb.buf, sb.len, want);
	cad_strbuf_free(&sb);
	int ok = 0;
	for (const char *p = sig; *p;) {
		size_t n = strcspn(p, " ");
		ok |= n && one_matches(p, n, want);
		p += n;
		p += strspn(p, " ");
	}
	return ok ? NULL : "no signature of webhook-signature matches: a wrong secret, or a "
			   "body changed on the way";
}

/* ---- the score ------------------------------------------------------------------ */

static const char *const vars[] = { "payload", "headers" };

int hook_compile(cadence_expr **out, const char *src, size_t len, cadence_expr_error *err)
{
	cadence_expr_env *env = NULL;
	/* an empty declaration: `score.x` is refused when compiled */
	int rc = cadence_expr_env_new(&env);
	if (!rc)
		rc = cad_expr_compile_vars(out, src, len, env, vars, 2, err);
	cadence_expr_env_free(env);
	return rc;
}

cJSON *hook_score(const hook_field *fields, size_t n, const cJSON *payload, const cJSON *headers,
		  char **why)
{
	cJSON *score = cJSON_CreateObject();
	const cJSON *vals[2] = { payload, headers };
	*why = NULL;
	for (size_t i = 0; score && i < n; i++) {
		cJSON *v = NULL;
		cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
		int rc = cad_expr_eval_vars(&v, fields[i].expr, vals, 2, &err);
		if (rc) {
			strbuf sb = STRBUF_INIT;
			cad_strbuf_addf(&sb, "score field '%s' (%s): column %u: %s", fields[i].name,
					cadence_expr_source(fields[i].expr), err.column,
					err.message ? err.message : "out of memory");
			if (err.help)
				cad_strbuf_addf(&sb, " (%s)", err.help);
			*why = cad_strbuf_detach(&sb);
			cadence_expr_error_clear(&err);
			cJSON_Delete(score);
			return NULL;
		}
		if (cJSON_IsNull(v))
			cJSON_Delete(v);	/* unset: the cadence's default */
		else
			cJSON_AddItemToObject(score, fields[i].name, v);
	}
	return score;
}
