/* SPDX-License-Identifier: MIT */
/* Webhooks without HTTP (cli/serve/hook.c): HMAC-SHA256, base64, the
 * GitHub and Standard Webhooks signatures, the score built by expressions
 * over payload and headers. */
#include "serve/hook.h"
#include "expr/vars.h"
#include "util/base64.h"
#include "util/sha256.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hmac_hex(const char *key, const char *data, char out[65])
{
	unsigned char d[32];
	cad_hmac_sha256(key, strlen(key), data, strlen(data), d);
	cad_hex(d, 32, out);
}

/* GitHub's published test vector (docs.github.com, "Validating webhook
 * deliveries") */
Test(hmac, github_vector)
{
	char hex[65];
	hmac_hex("It's a Secret to Everybody", "Hello, World!", hex);
	cr_assert_str_eq(hex, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

/* RFC 4231, test cases 2 and 6 (a key longer than a block is hashed) */
Test(hmac, rfc4231)
{
	char hex[65];
	hmac_hex("Jefe", "what do ya want for nothing?", hex);
	cr_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	unsigned char key[131], d[32];
	memset(key, 0xaa, sizeof(key));
	const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
	cad_hmac_sha256(key, sizeof(key), msg, strlen(msg), d);
	cad_hex(d, 32, hex);
	cr_assert_str_eq(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* The digest in pieces is the digest at once, across block boundaries. */
Test(sha256, pieces)
{
	char buf[300], once[65], pieces[65];
	unsigned char d[32];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	cad_sha256_hex(buf, sizeof(buf), once);
	cad_sha256 c;
	cad_sha256_init(&c);
	cad_sha256_update(&c, buf, 1);
	cad_sha256_update(&c, buf + 1, 63);
	cad_sha256_update(&c, buf + 64, 100);
	cad_sha256_update(&c, buf + 164, 136);
	cad_sha256_final(&c, d);
	cad_hex(d, 32, pieces);
	cr_assert_str_eq(once, pieces);
	cad_sha256_hex("abc", 3, once);
	cr_assert_str_eq(once, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(equal_ct, compares)
{
	cr_assert(cad_equal_ct("abcd", "abcd", 4));
	cr_assert(!cad_equal_ct("abcd", "abce", 4));
	cr_assert(!cad_equal_ct("xbcd", "abcd", 4));
	cr_assert(cad_equal_ct("", "x", 0));
}

static int decodes(const char *s, const char *want, size_t wlen)
{
	unsigned char out[64];
	size_t n;
	if (cad_base64_decode(s, strlen(s), out, &n))
		return 0;
	return n == wlen && !memcmp(out, want, wlen);
}

static int refused(const char *s)
{
	unsigned char out[64];
	size_t n;
	return cad_base64_decode(s, strlen(s), out, &n) == -1;
}

/* RFC 4648, section 10 */
Test(base64, rfc4648)
{
	cr_assert(decodes("", "", 0));
	cr_assert(decodes("Zg==", "f", 1));
	cr_assert(decodes("Zm8=", "fo", 2));
	cr_assert(decodes("Zm9v", "foo", 3));
	cr_assert(decodes("Zm9vYg==", "foob", 4));
	cr_assert(decodes("Zm9vYmE=", "fooba", 5));
	cr_assert(decodes("Zm9vYmFy", "foobar", 6));
	cr_assert(decodes("+/+/", "\xfb\xff\xbf", 3));
	char out[16];
	cr_assert_eq(cad_base64_encode((const unsigned char *)"fooba", 5, out), 8);
	cr_assert_str_eq(out, "Zm9vYmE=");
	cad_base64_encode((const unsigned char *)"f", 1, out);
	cr_assert_str_eq(out, "Zg==");
}

Test(base64, strict)
{
	cr_assert(refused("Zg"));		/* no padding */
	cr_assert(refused("Zg=a"));		/* padding inside */
	cr_assert(refused("Zg==Zg=="));		/* padding before the end */
	cr_assert(refused("Zh=="));		/* bits left over */
	cr_assert(refused("Zm9 "));		/* a blank */
	cr_assert(refused("Zm9-"));		/* base64url */
	cr_assert(refused("===="));
}

/* ---- GitHub ---- */

static const char gh_secret[] = "It's a Secret to Everybody";
static const char gh_sig[] =
	"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

Test(github, verifies)
{
	const unsigned char *k = (const unsigned char *)gh_secret;
	size_t kl = strlen(gh_secret);
	cr_assert_null(hook_verify_github(k, kl, gh_sig, "Hello, World!", 13));
	/* upper-case hex is the same digest */
	char upper[sizeof(gh_sig)];
	strcpy(upper, gh_sig);
	for (char *p = upper + 7; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	cr_assert_null(hook_verify_github(k, kl, upper, "Hello, World!", 13));
	cr_assert(strstr(hook_verify_github(k, kl, gh_sig, "Hello, World?", 13), "does not match"));
	cr_assert(strstr(hook_verify_github(k, kl - 1, gh_sig, "Hello, World!", 13),
			 "does not match"));
	cr_assert(strstr(hook_verify_github(k, kl, NULL, "", 0), "not signed"));
	cr_assert(strstr(hook_verify_github(k, kl, "sha1=757107ea", "", 0), "64 hex digits"));
	cr_assert(strstr(hook_verify_github(k, kl, gh_sig + 1, "", 0), "64 hex digits"));
	char bad[sizeof(gh_sig)];
	strcpy(bad, gh_sig);
	bad[10] = 'g';
	cr_assert(strstr(hook_verify_github(k, kl, bad, "Hello, World!", 13), "64 hex digits"));
	char longer[sizeof(gh_sig) + 1];
	snprintf(longer, sizeof(longer), "%s0", gh_sig);
	cr_assert(strstr(hook_verify_github(k, kl, longer, "Hello, World!", 13), "64 hex digits"));
}

/* ---- Standard Webhooks ---- */

/* The example of the Standard Webhooks reference libraries' tests, checked
 * independently with python3: base64(hmac.new(b64decode(key),
 * b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}",
 * sha256).digest()) */
static const char sw_secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
static const char sw_id[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
static const char sw_body[] = "{\"test\": 2432232314}";
static const char sw_sig[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
#define SW_TS 1614265330

static const char *sw(const char *id, const char *ts, const char *sig, int64_t now)
{
	unsigned char *key;
	size_t kl;
	cr_assert_null(hook_secret_key(HOOK_STANDARD, sw_secret, strlen(sw_secret), &key, &kl));
	const char *why = hook_verify_standard(key, kl, id, ts, sig, sw_body, strlen(sw_body), now);
	free(key);
	return why;
}

Test(standard, spec_example)
{
	cr_assert_null(sw(sw_id, "1614265330", sw_sig, SW_TS));
	/* several signatures, one of them right: key rotation */
	cr_assert_null(sw(sw_id, "1614265330", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= "
			  "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", SW_TS));
	cr_assert_null(sw(sw_id, "1614265330", "v1a,xyz " "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlN"
			  "IOLJ1OE=", SW_TS));
}

Test(standard, refusals)
{
	cr_assert(strstr(sw("msg_other", "1614265330", sw_sig, SW_TS), "no signature"));
	cr_assert(strstr(sw(sw_id, "1614265331", sw_sig, SW_TS), "no signature"));
	cr_assert(strstr(sw(sw_id, "1614265330", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
			    SW_TS), "no signature"));
	cr_assert(strstr(sw(sw_id, "1614265330", "", SW_TS), "no signature"));
	cr_assert(strstr(sw(NULL, "1614265330", sw_sig, SW_TS), "not signed"));
	cr_assert(strstr(sw(sw_id, NULL, sw_sig, SW_TS), "not signed"));
	cr_assert(strstr(sw(sw_id, "1614265330", NULL, SW_TS), "not signed"));
	cr_assert(strstr(sw(sw_id, "16142x5330", sw_sig, SW_TS), "not a number"));
	cr_assert(strstr(sw(sw_id, "", sw_sig, SW_TS), "not a number"));
	cr_assert(strstr(sw("a.b", "1614265330", sw_sig, SW_TS), "'.'"));
}

/* 5 minutes either way, and not a second more */
Test(standard, tolerance)
{
	cr_assert_null(sw(sw_id, "1614265330", sw_sig, SW_TS + 300));
	cr_assert_null(sw(sw_id, "1614265330", sw_sig, SW_TS - 300));
	cr_assert(strstr(sw(sw_id, "1614265330", sw_sig, SW_TS + 301), "5 minutes"));
	cr_assert(strstr(sw(sw_id, "1614265330", sw_sig, SW_TS - 301), "5 minutes"));
}

Test(standard, secrets)
{
	unsigned char *key;
	size_t kl;
	cr_assert_null(hook_secret_key(HOOK_STANDARD, sw_secret, strlen(sw_secret), &key, &kl));
	cr_assert_eq(kl, 24);
	free(key);
	cr_assert(strstr(hook_secret_key(HOOK_STANDARD, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 32, &key,
					 &kl), "whsec_"));
	cr_assert_null(key);
	cr_assert(strstr(hook_secret_key(HOOK_STANDARD, "whsec_Zm9v!", 11, &key, &kl), "base64"));
	cr_assert(strstr(hook_secret_key(HOOK_STANDARD, "whsec_Zm9v", 10, &key, &kl), "16 bytes"));
	cr_assert(strstr(hook_secret_key(HOOK_GITHUB, "", 0, &key, &kl), "empty"));
	cr_assert_null(hook_secret_key(HOOK_GITHUB, "abc", 3, &key, &kl));
	cr_assert_eq(kl, 3);
	cr_assert(!memcmp(key, "abc", 3));
	free(key);
	cr_assert_eq(hook_scheme_parse("github"), HOOK_GITHUB);
	cr_assert_eq(hook_scheme_parse("standard"), HOOK_STANDARD);
	cr_assert_eq(hook_scheme_parse("svix"), -1);
}

/* ---- the score ---- */

static cadence_expr *compile(const char *src)
{
	cadence_expr *e = NULL;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cr_assert_eq(hook_compile(&e, src, strlen(src), &err), 0, "%s: %s", src, err.message);
	return e;
}

static const char *compile_error(const char *src, cadence_expr_error *err)
{
	cadence_expr *e = NULL;
	cr_assert_neq(hook_compile(&e, src, strlen(src), err), 0, "%s compiled", src);
	return err->message;
}

Test(score, maps_payload_and_headers)
{
	cJSON *payload = cJSON_Parse("{\"action\":\"opened\",\"issue\":{\"number\":7,\"title\":\"x\","
				     "\"labels\":[{\"name\":\"bug\"},{\"name\":\"arm\"}]}}");
	cJSON *headers = cJSON_Parse("{\"x-github-event\":\"issues\"}");
	cadence_expr *e[5] = { compile("payload.issue.title"), compile("payload.issue.number + 1"),
			       compile("payload.issue.labels.map(l, l.name)"),
			       compile("headers[\"x-github-event\"] + \"/\" + payload.action"),
			       compile("has(payload.nothing) ? 1 : null") };
	hook_field f[5] = { { "title", e[0] }, { "next", e[1] }, { "labels", e[2] },
			    { "what", e[3] }, { "unset", e[4] } };
	char *why = NULL;
	cJSON *score = hook_score(f, 5, payload, headers, &why);
	cr_assert_not_null(score, "%s", why);
	char *text = cJSON_PrintUnformatted(score);
	cr_assert_str_eq(text, "{\"title\":\"x\",\"next\":8,\"labels\":[\"bug\",\"arm\"],"
			 "\"what\":\"issues/opened\"}");
	free(text);
	cJSON_Delete(score);
	for (int i = 0; i < 5; i++)
		cadence_expr_free(e[i]);
	cJSON_Delete(payload);
	cJSON_Delete(headers);
}

Test(score, says_which_field_failed)
{
	cJSON *payload = cJSON_Parse("{\"issue\":{\"number\":\"7\"}}");
	cJSON *headers = cJSON_CreateObject();
	cadence_expr *e[2] = { compile("payload.issue.number"), compile("payload.issue.titel") };
	hook_field f[2] = { { "number", e[0] }, { "title", e[1] } };
	char *why = NULL;
	cr_assert_null(hook_score(f, 2, payload, headers, &why));
	cr_assert(strstr(why, "score field 'title' (payload.issue.titel): column 15: no field "
			 "'titel'"), "%s", why);
	free(why);
	cadence_expr *n = compile("payload.issue.number + 1");
	hook_field g = { "n", n };
	cr_assert_null(hook_score(&g, 1, payload, headers, &why));
	cr_assert(strstr(why, "score field 'n'"), "%s", why);
	free(why);
	cadence_expr_free(n);
	for (int i = 0; i < 2; i++)
		cadence_expr_free(e[i]);
	cJSON_Delete(payload);
	cJSON_Delete(headers);
}

Test(score, compile_errors)
{
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cr_assert(strstr(compile_error("payload.a +", &err), "expected"), "%s", err.message);
	cr_assert(strstr(compile_error("paylod.a", &err), "unknown name 'paylod'"), "%s",
		  err.message);
	cr_assert_str_eq(err.help, "did you mean 'payload'?");
	cr_assert_eq(err.column, 1);
	compile_error("score.x", &err);	/* a webhook has no score to read */
	cr_assert(strstr(compile_error("payload.a + (1 + \"x\")", &err), "int"), "%s", err.message);
	cadence_expr_error_clear(&err);
}

/* A macro's variable hides a bound name, as it hides another macro's. */
Test(score, macro_shadows)
{
	cJSON *payload = cJSON_Parse("[1,2,3]");
	cadence_expr *e = compile("payload.map(payload, payload * 2)");
	cJSON *v = NULL;
	const cJSON *vals[2] = { payload, NULL };
	cr_assert_eq(cad_expr_eval_vars(&v, e, vals, 2, NULL), 0);
	char *text = cJSON_PrintUnformatted(v);
	cr_assert_str_eq(text, "[2,4,6]");
	free(text);
	cJSON_Delete(v);
	/* evaluated without values: null */
	cadence_expr *h = compile("headers == null");
	cr_assert_eq(cad_expr_eval_vars(&v, h, NULL, 0, NULL), 0);
	cr_assert(cJSON_IsTrue(v));
	cJSON_Delete(v);
	cadence_expr_free(h);
	cadence_expr_free(e);
	cJSON_Delete(payload);
}
