/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a webhook delivery mapped to a score (cli/serve/hook.c;
 * docs/serve.md, "Webhooks"): expressions over `payload` and `headers`
 * compiled as serve compiles a route's, then evaluated on a payload.
 *
 * The input is lines of expressions (one score field each, at most 8),
 * then a line "#payload" and the body (any bytes; parsed as JSON, as
 * serve does), optionally then a line "#headers" and a JSON object of
 * headers (else a fixed one).  Every outcome must be a score object or a
 * reason; a compile error must say why, within the source.
 */
#include "fuzz.h"

#include "serve/hook.h"

#include <string.h>

#define MAX_FIELDS 8

static const char default_headers[] =
	"{\"x-github-event\":\"issues\",\"x-github-delivery\":\"d-1\","
	"\"content-type\":\"application/json\",\"user-agent\":\"GitHub-Hookshot/1\"}";

/* The part of [p, end) before "\n#name\n" (or end), and where it ends. */
static const char *until(const char *p, const char *end, const char *mark, const char **next)
{
	size_t m = strlen(mark);
	for (const char *q = p; q + m <= end; q++)
		if (!memcmp(q, mark, m)) {
			*next = q + m;
			return q;
		}
	*next = end;
	return end;
}

static cJSON *parse(const char *p, const char *end)
{
	return cJSON_ParseWithLength(p, (size_t)(end - p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *body, *hdrs;
	const char *exprs_end = until(p, end, "\n#payload\n", &body);
	const char *body_end = until(body, end, "\n#headers\n", &hdrs);
	cadence_expr *e[MAX_FIELDS] = { NULL };
	hook_field f[MAX_FIELDS];
	char names[MAX_FIELDS][8];
	size_t n = 0;
	while (p < exprs_end && n < MAX_FIELDS) {
		const char *nl = memchr(p, '\n', (size_t)(exprs_end - p));
		size_t len = (size_t)((nl ? nl : exprs_end) - p);
		cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
		int rc = hook_compile(&e[n], p, len, &err);
		if (rc) {
			FUZZ_ASSERT(rc == CADENCE_EINVALID && e[n] == NULL);
			FUZZ_ASSERT(err.message && *err.message);
			FUZZ_ASSERT(err.offset <= len && err.length <= len - err.offset);
		} else {
			snprintf(names[n], sizeof(names[n]), "f%zu", n);
			f[n].name = names[n];
			f[n].expr = e[n];
			n++;
		}
		cadence_expr_error_clear(&err);
		p = nl ? nl + 1 : exprs_end;
	}
	cJSON *payload = body < end ? parse(body, body_end) : NULL;
	cJSON *headers = hdrs < end ? parse(hdrs, end) : cJSON_Parse(default_headers);
	if (!payload)
		payload = cJSON_CreateNull();
	char *why = NULL;
	cJSON *score = hook_score(f, n, payload, headers, &why);
	if (score) {
		FUZZ_ASSERT(why == NULL && cJSON_IsObject(score));
		FUZZ_ASSERT(cJSON_GetArraySize(score) <= (int)n);
		char *text = cJSON_PrintUnformatted(score);
		FUZZ_ASSERT(text != NULL);
		free(text);
	} else {
		FUZZ_ASSERT(why != NULL && strstr(why, "score field 'f"));
	}
	free(why);
	cJSON_Delete(score);
	cJSON_Delete(payload);
	cJSON_Delete(headers);
	for (size_t i = 0; i < n; i++)
		cadence_expr_free(e[i]);
	return 0;
}
