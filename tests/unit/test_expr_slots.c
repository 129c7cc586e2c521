/* SPDX-License-Identifier: MIT */
/* Expressions read by slot (expr/slots.h, what the run engine uses): the
 * same results and errors as by name on a table of expressions; slots are
 * what is read; a declaration of another size, or none, falls back to
 * names; a wide declaration (hashed) compiles and refuses as before. */
#include "cadence/expr.h"
#include "expr/slots.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The declaration, in order, and a score holding every field of it. */
static const char *const names[] = { "n", "f", "s", "l", "m", "t", "nul", "any", "items", "num" };
static const char *const types[] = { "integer", "number", "string", "array", "object",
				     "boolean", "string", "any", "array", "number" };
#define NF (sizeof(names) / sizeof(names[0]))
static const char S[] =
	"{\"n\": 5, \"f\": 2.5, \"s\": \"str\", \"l\": [1, 2], \"m\": {\"k\": \"v\"},"
	" \"t\": true, \"nul\": null, \"any\": {\"x\": [1, {\"y\": 2}]},"
	" \"items\": [{\"p\": 60}, {\"p\": 50.5}], \"num\": 3}";

static cadence_expr_env *declare(void)
{
	cadence_expr_env *env;
	cr_assert_eq(cadence_expr_env_new(&env), 0);
	for (size_t i = 0; i < NF; i++)
		cr_assert_eq(cadence_expr_env_add_field(env, names[i], types[i]), 0);
	return env;
}

/* The slots of `score` in declaration order. */
static void slots_of(const cJSON *score, const cJSON **slots)
{
	for (size_t i = 0; i < NF; i++) {
		slots[i] = cJSON_GetObjectItemCaseSensitive(score, names[i]);
		cr_assert_not_null(slots[i], "%s", names[i]);
	}
}

/* The result as compact JSON, or "error COLUMN: MESSAGE". */
static char *shown(int rc, cJSON *v, cadence_expr_error *err)
{
	char *out;
	if (rc) {
		size_t n = strlen(err->message) + 48;
		out = malloc(n);
		snprintf(out, n, "error %d %u: %s", rc, err->column, err->message);
		cadence_expr_error_clear(err);
	} else {
		out = cJSON_PrintUnformatted(v);
		cJSON_Delete(v);
	}
	return out;
}

static char *by_name(const cadence_expr *e, const cJSON *score)
{
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cJSON *v = NULL;
	int rc = cadence_expr_eval(&v, e, score, &err);
	return shown(rc, v, &err);
}

static char *by_slot(const cadence_expr *e, const cJSON *const *slots, size_t n,
		     const cJSON *score)
{
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cJSON *v = NULL;
	int rc = cad_expr_eval_slots(&v, e, slots, n, score, &err);
	return shown(rc, v, &err);
}

static const char *const table[] = {
	"score.n + 1", "score.f * 2.0", "score.num + 1.5", "score.num", "score.s + '!'",
	"score.l", "score.m.k", "score['m']['k']", "score.t && score.n > 4",
	"score.nul", "score.nul + 'x'", "score.nul == null", "has(score.nul)",
	"has(score.m.k)", "has(score.m.zz)", "has(score.any.x)", "score.any.x[1].y",
	"score.any.x[5]", "score.n / 0", "size(score)", "score['n'] + score.n",
	"'s' in score", "score.all(k, k != '')", "[score.n, score.s, score.t]",
	"{'a': score.n, 'b': score.m}", "score.items.map(i, i.p)",
	"score.items.filter(i, i.p > 55).size()", "score.l.exists(x, x == score.n - 3)",
	"score.t ? score.s : score.nul", "score.n > 1 || score.n / 0 == 2",
	"score.n / 0 == 2 || score.n > 1", "score.n / 0 == 2 || score.n < 1", "int(score.f) + score.n", "string(score.num)",
	"score.s.startsWith('st') && score.s.matches('^s.r$')", "score.any", "score.n == 5.0",
	"max(score.l) + min([score.n, 9])", "score.m.size() + size(score.l)",
};

Test(expr_slots, give_what_names_give_on_a_table_of_expressions)
{
	cadence_expr_env *env = declare();
	cJSON *score = cJSON_Parse(S);
	const cJSON *slots[NF];
	slots_of(score, slots);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		cadence_expr *e;
		cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
		cr_assert_eq(cadence_expr_compile(&e, table[i], strlen(table[i]), env, &err), 0,
			     "%s: %s", table[i], err.message);
		char *a = by_name(e, score), *b = by_slot(e, slots, NF, score);
		cr_assert_str_eq(b, a, "%s\n  by slot: %s\n  by name: %s", table[i], b, a);
		int ca = -1, cb = -1;
		int ra = cadence_expr_eval_bool(&ca, e, score, NULL);
		int rb = cad_expr_eval_bool_slots(&cb, e, slots, NF, score, NULL);
		cr_assert_eq(rb, ra, "%s: as a condition", table[i]);
		cr_assert_eq(cb, ca, "%s: as a condition", table[i]);
		free(a);
		free(b);
		cadence_expr_free(e);
	}
	cJSON_Delete(score);
	cadence_expr_env_free(env);
}

/* The slots are read, not the object: a slot holding another value than
 * the object shows it (the engine keeps both the same; this proves which
 * one a field read costs). */
Test(expr_slots, read_the_slots_and_the_object_for_the_whole_score)
{
	cadence_expr_env *env = declare();
	cJSON *score = cJSON_Parse(S), *other = cJSON_CreateNumber(40);
	const cJSON *slots[NF];
	slots_of(score, slots);
	slots[0] = other;	/* n */
	cadence_expr *e;
	cr_assert_eq(cadence_expr_compile(&e, "score.n + 2", 11, env, NULL), 0);
	char *got = by_slot(e, slots, NF, score);
	cr_assert_str_eq(got, "42");
	free(got);
	/* another count of slots than the declaration: by name */
	got = by_slot(e, slots, NF - 1, score);
	cr_assert_str_eq(got, "7");
	free(got);
	cadence_expr_free(e);
	/* no declaration: no slots, by name */
	cr_assert_eq(cadence_expr_compile(&e, "score.n + 2", 11, NULL, NULL), 0);
	got = by_slot(e, slots, NF, score);
	cr_assert_str_eq(got, "7");
	free(got);
	cadence_expr_free(e);
	/* score['n'] is a field (its slot); size(score) reads the object */
	cr_assert_eq(cadence_expr_compile(&e, "score['n'] + size(score)", 24, env, NULL), 0);
	got = by_slot(e, slots, NF, score);
	cr_assert_str_eq(got, "50");
	free(got);
	cadence_expr_free(e);
	cJSON_Delete(other);
	cJSON_Delete(score);
	cadence_expr_env_free(env);
}

Test(expr_slots, a_null_score_object_with_slots_reads_the_slots)
{
	cadence_expr_env *env = declare();
	cJSON *score = cJSON_Parse(S);
	const cJSON *slots[NF];
	slots_of(score, slots);
	cadence_expr *e;
	cr_assert_eq(cadence_expr_compile(&e, "score.s + string(size(score))", 29, env, NULL), 0);
	char *got = by_slot(e, slots, NF, NULL);
	cr_assert_str_eq(got, "\"str0\"", "no object: the whole score is {}");
	free(got);
	cadence_expr_free(e);
	cJSON_Delete(score);
	cadence_expr_env_free(env);
}

/* 20,000 fields: names are hashed, so declaring and compiling stay
 * linear; what compiling says is unchanged. */
Test(expr_slots, a_wide_declaration_compiles_and_refuses_as_a_narrow_one)
{
	cadence_expr_env *env;
	char name[32];
	cr_assert_eq(cadence_expr_env_new(&env), 0);
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "field_%d", i);
		cr_assert_eq(cadence_expr_env_add_field(env, name, i % 2 ? "integer" : "string"), 0);
	}
	cr_assert_eq(cadence_expr_env_add_field(env, "field_19999", "integer"), CADENCE_EINVAL,
		     "a repeated name");
	cr_assert_eq(cadence_expr_env_add_field(env, "field_0", "string"), CADENCE_EINVAL);
	cadence_expr *e;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cr_assert_eq(cadence_expr_compile(&e, "score.field_19999 + 1", 21, env, &err), 0);
	cr_assert_eq(cadence_expr_result_type(e), CADENCE_EXPR_INT);
	cadence_expr_free(e);
	cr_assert_eq(cadence_expr_compile(&e, "score.field_0 - 1", 17, env, &err), CADENCE_EINVALID);
	cr_assert_str_eq(err.message, "'-' cannot be applied to string and int");
	cr_assert_str_eq(err.help, "score.field_0 is declared as a string");
	cr_assert_eq(cadence_expr_compile(&e, "score.field_20000", 17, env, &err), CADENCE_EINVALID);
	cr_assert_str_eq(err.message, "score has no field 'field_20000'");
	cr_assert_eq(cadence_expr_compile(&e, "field_7 + 1", 11, env, &err), CADENCE_EINVALID);
	cr_assert_str_eq(err.help, "fields of the score are read as score.field_7");
	cadence_expr_error_clear(&err);

	/* read by slot: the last field */
	cJSON *score = cJSON_CreateObject();
	const cJSON **slots = malloc(20000 * sizeof(*slots));
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "field_%d", i);
		slots[i] = i % 2 ? cJSON_AddNumberToObject(score, name, i)
				 : cJSON_AddStringToObject(score, name, name);
	}
	cr_assert_eq(cadence_expr_compile(&e, "score.field_19999 * 2", 21, env, NULL), 0);
	char *a = by_slot(e, slots, 20000, score), *b = by_name(e, score);
	cr_assert_str_eq(a, "39998");
	cr_assert_str_eq(b, "39998");
	free(a);
	free(b);
	cadence_expr_free(e);
	free(slots);
	cJSON_Delete(score);
	cadence_expr_env_free(env);
}
