/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the webhook signatures and what they parse (cli/serve/
 * hook.c; docs/serve.md, "Webhooks"): X-Hub-Signature-256, the headers
 * of Standard Webhooks, whsec_ secrets and base64.
 *
 * The input's first byte picks the scheme (even: GitHub, odd: Standard
 * Webhooks); then lines: GitHub's is the signature header, Standard
 * Webhooks' are webhook-id, webhook-timestamp and webhook-signature; the
 * rest is the body.  Besides "no crash", it checks properties: the right
 * signature of the body is accepted and a changed one refused; base64
 * that decodes encodes back to itself; a refusal always says why.
 */
#include "fuzz.h"

#include "serve/hook.h"
#include "util/base64.h"
#include "util/sha256.h"

#include <string.h>

#define NOW 1614265330
static const char gh_key[] = "It's a Secret to Everybody";
static const char sw_secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/* The next line of [*p, end) as a NUL-terminated copy in buf. */
static const char *line(const char **p, const char *end, char *buf, size_t size)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);
	if (n >= size)
		n = size - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl ? nl + 1 : end;
	return buf;
}

static void base64_roundtrip(const char *s, size_t len)
{
	unsigned char *out = malloc(CAD_BASE64_DECODED_MAX(len) + 1);
	size_t n;
	FUZZ_ASSERT(out != NULL);
	if (!cad_base64_decode(s, len, out, &n)) {
		FUZZ_ASSERT(n <= CAD_BASE64_DECODED_MAX(len));
		char *back = malloc(4 * ((n + 2) / 3) + 1);
		FUZZ_ASSERT(back != NULL);
		FUZZ_ASSERT(cad_base64_encode(out, n, back) == len);
		FUZZ_ASSERT(!memcmp(back, s, len));	/* strict: one text per value */
		free(back);
	}
	free(out);
}

static void github(const char *p, const char *end)
{
	char sig[256];
	line(&p, end, sig, sizeof(sig));
	size_t len = (size_t)(end - p);
	const unsigned char *k = (const unsigned char *)gh_key;
	const char *why = hook_verify_github(k, strlen(gh_key), *sig ? sig : NULL, p, len);
	FUZZ_ASSERT(!why || *why);
	/* the right signature passes; one digit changed does not */
	unsigned char d[32];
	char right[7 + 65];
	memcpy(right, "sha256=", 7);
	cad_hmac_sha256(gh_key, strlen(gh_key), p, len, d);
	cad_hex(d, 32, right + 7);
	FUZZ_ASSERT(hook_verify_github(k, strlen(gh_key), right, p, len) == NULL);
	right[7 + (len % 64)] = right[7 + (len % 64)] == '0' ? '1' : '0';
	FUZZ_ASSERT(hook_verify_github(k, strlen(gh_key), right, p, len) != NULL);
	if (why == NULL)	/* it passed: it was the right one, in some case */
		FUZZ_ASSERT(strlen(sig) == 7 + 64);
}

static void standard(const char *p, const char *end)
{
	char id[256], ts[64], sig[1024];
	line(&p, end, id, sizeof(id));
	line(&p, end, ts, sizeof(ts));
	line(&p, end, sig, sizeof(sig));
	size_t len = (size_t)(end - p);
	unsigned char *key;
	size_t klen;
	FUZZ_ASSERT(hook_secret_key(HOOK_STANDARD, sw_secret, strlen(sw_secret), &key, &klen) ==
		    NULL);
	const char *why = hook_verify_standard(key, klen, *id ? id : NULL, *ts ? ts : NULL,
					       *sig ? sig : NULL, p, len, NOW);
	FUZZ_ASSERT(!why || *why);
	/* the line as a secret of its own, and as base64 */
	unsigned char *k2;
	size_t k2len;
	const char *bad = hook_secret_key(HOOK_STANDARD, sig, strlen(sig), &k2, &k2len);
	FUZZ_ASSERT(bad ? k2 == NULL : k2 != NULL && k2len >= 16);
	free(k2);
	base64_roundtrip(sig, strlen(sig));
	free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	if (data[0] & 1)
		standard(p, end);
	else
		github(p, end);
	base64_roundtrip(p, (size_t)(end - p));
	return 0;
}
