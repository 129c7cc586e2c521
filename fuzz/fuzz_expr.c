/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the expression compiler and evaluator (docs/expressions.md).
 *
 * The input is an expression, optionally followed by a line "#score" and a
 * JSON object to evaluate it on (otherwise a fixed score is used).  The
 * expression is compiled twice, against a declared score and undeclared
 * (NULL env); every expression that compiles is evaluated, as a value and
 * as a condition, and the introspection functions are called.
 */
#include "fuzz.h"

#include "cadence/expr.h"

#include <string.h>

static const char default_score[] =
	"{\"name\":\"Ada\",\"count\":3,\"total\":12.5,\"premium\":true,"
	"\"items\":[1,2.5,\"x\",null,[true],{\"k\":\"v\"}],"
	"\"customer\":{\"tier\":\"gold\",\"tags\":[\"a\",\"b\"],\"age\":41},"
	"\"nothing\":null,\"big\":9223372036854775807,\"neg\":-9223372036854775807}";

static const struct { const char *name, *type; } fields[] = {
	{ "name", "string" },	 { "count", "integer" },  { "total", "number" },
	{ "premium", "boolean" }, { "items", "array" },	  { "customer", "object" },
	{ "nothing", "any" },	 { "big", "integer" },	  { "neg", "integer" },
	{ "missing", "string" },
};

static void check_error(const cadence_expr_error *err, size_t len)
{
	FUZZ_ASSERT(err->message != NULL && err->message[0] != '\0');
	FUZZ_ASSERT(err->help == NULL || err->help[0] != '\0');
	FUZZ_ASSERT(err->offset <= len && err->length <= len - err->offset);
}

static void run(const char *src, size_t len, const cadence_expr_env *env, const cJSON *score)
{
	cadence_expr *e = NULL;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;

	int rc = cadence_expr_compile(&e, src, len, env, &err);
	if (rc) {
		FUZZ_ASSERT(rc == CADENCE_EINVALID && e == NULL);
		check_error(&err, len);
		cadence_expr_error_clear(&err);
		return;
	}
	FUZZ_ASSERT(e != NULL);
	FUZZ_ASSERT(strlen(cadence_expr_source(e)) <= len);
	(void)cadence_expr_type_name(cadence_expr_result_type(e));
	for (size_t i = 0; i < cadence_expr_field_count(e); i++)
		FUZZ_ASSERT(cadence_expr_field_name(e, i) != NULL);
	(void)cadence_expr_reads_whole_score(e);

	cJSON *v = NULL;
	rc = cadence_expr_eval(&v, e, score, &err);
	if (rc == 0) {
		FUZZ_ASSERT(v != NULL);
		char *text = cJSON_PrintUnformatted(v);
		FUZZ_ASSERT(text != NULL);
		free(text);
		cJSON_Delete(v);
	} else {
		FUZZ_ASSERT(rc == CADENCE_EINVALID && v == NULL);
		check_error(&err, len);
	}
	int b = -1;
	rc = cadence_expr_eval_bool(&b, e, score, &err);
	if (rc == 0)
		FUZZ_ASSERT(b == 0 || b == 1);
	else
		FUZZ_ASSERT(rc == CADENCE_EINVALID);
	cadence_expr_error_clear(&err);
	cadence_expr_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cadence_expr_env *env;
	static cJSON *fixed;
	const char *src = (const char *)data;
	size_t len = size;
	cJSON *own = NULL;

	if (!env) {
		FUZZ_ASSERT(cadence_expr_env_new(&env) == 0);
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			FUZZ_ASSERT(cadence_expr_env_add_field(env, fields[i].name,
							       fields[i].type) == 0);
		fixed = cJSON_Parse(default_score);
		FUZZ_ASSERT(fixed != NULL);
	}
	const cJSON *score = fixed;
	static const char mark[] = "\n#score\n";
	for (size_t i = 0; i + sizeof(mark) - 1 <= size; i++) {
		if (!memcmp(data + i, mark, sizeof(mark) - 1)) {
			size_t at = i + sizeof(mark) - 1;
			len = i;
			own = cJSON_ParseWithLength(src + at, size - at);
			if (own)
				score = own;
			break;
		}
	}
	run(src, len, env, score);
	run(src, len, NULL, score);
	cJSON_Delete(own);
	return 0;
}
