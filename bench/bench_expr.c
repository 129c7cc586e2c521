/* SPDX-License-Identifier: MIT */
/*
 * bench_expr: how long compiling and evaluating expressions takes.
 *
 *   bench_expr [-r ROUNDS]
 *
 * For each expression below, on one score: nanoseconds per
 * cadence_expr_compile() (with its cadence_expr_free()), per
 * cadence_expr_eval() (with the cJSON_Delete() of its result) and, for
 * conditions, per cadence_expr_eval_bool() (no cJSON made).  Each figure is
 * the median over ROUNDS rounds (default 11) of the mean of one round; a
 * round runs the operation for about 20 ms.  No assertions: the figures are
 * for docs/expressions.md and for comparing changes on one machine.
 */
#include "cadence/common.h"
#include "cadence/expr.h"

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char cad_score_json[] =
	"{\"premium\": true, \"total\": 142.5, \"status\": \"paid\", \"count\": 7,"
	" \"email\": \"ada@example.com\", \"customer\": {\"name\": \"Ada\", \"tier\": 2},"
	" \"items\": [{\"sku\": \"a\", \"price\": 60}, {\"sku\": \"b\", \"price\": 50.5},"
	" {\"sku\": \"c\", \"price\": 32}]}";

static const char *const fields[][2] = {
	{ "premium", "boolean" }, { "total", "number" }, { "status", "string" },
	{ "count", "integer" },	  { "email", "string" }, { "customer", "object" },
	{ "items", "array" },
};

static const char *const exprs[] = {
	"score.premium && score.total > 100",
	"score.count * 2 + 1",
	"score.status in ['new', 'paid'] && size(score.items) > 0",
	"has(score.customer.tier) ? score.customer.tier >= 2 : false",
	"score.email.matches('^[a-z]+@[a-z]+\\\\.com$')",
	"'n=' + string(size(score.items))",
	"sum(score.items.map(i, i.price))",
	"score.items.all(i, i.price > 10 && i.sku != '')",
};

#define NEXPRS (sizeof(exprs) / sizeof(exprs[0]))

typedef struct job {
	const char *src;
	const cadence_expr_env *env;
	const cadence_expr *e;
	const cJSON *score;
	int failed;
} job;

static void op_compile(job *j)
{
	cadence_expr *e;
	if (cadence_expr_compile(&e, j->src, strlen(j->src), j->env, NULL))
		j->failed = 1;
	cadence_expr_free(e);
}

static void op_eval(job *j)
{
	cJSON *v;
	if (cadence_expr_eval(&v, j->e, j->score, NULL))
		j->failed = 1;
	cJSON_Delete(v);
}

static void op_eval_bool(job *j)
{
	int b;
	if (cadence_expr_eval_bool(&b, j->e, j->score, NULL))
		j->failed = 1;
}

/* The typical condition written by hand in C, as a baseline: what the
 * expression costs beyond looking the two fields up itself. */
static volatile int direct_sink;
static void op_direct(job *j)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j->score, "premium");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j->score, "total");
	direct_sink = cJSON_IsTrue(p) && cJSON_IsNumber(t) && t->valuedouble > 100;
}

/* Median over rounds of ns per call of op. */
static double measure(void (*op)(job *), job *j, int rounds)
{
	/* calibrate: iterations for ~20 ms */
	long iters = 1;
	for (;;) {
		double t0 = bench_now_ns();
		for (long i = 0; i < iters; i++)
			op(j);
		double t = bench_now_ns() - t0;
		if (t > 20e6 || iters > (1L << 26))
			break;
		iters = t < 1e6 ? iters * 10 : (long)((double)iters * 20e6 / t) + 1;
	}
	double *per = malloc((size_t)rounds * sizeof(*per));
	if (!per)
		return -1;
	for (int r = 0; r < rounds; r++) {
		double t0 = bench_now_ns();
		for (long i = 0; i < iters; i++)
			op(j);
		per[r] = (bench_now_ns() - t0) / (double)iters;
	}
	qsort(per, (size_t)rounds, sizeof(*per), bench_cmp_double);
	double m = per[rounds / 2];
	free(per);
	return m;
}

int main(int argc, char **argv)
{
	int rounds = 11;
	if (argc == 3 && !strcmp(argv[1], "-r"))
		rounds = atoi(argv[2]);
	if (rounds < 1 || (argc != 1 && argc != 3)) {
		fprintf(stderr, "usage: bench_expr [-r ROUNDS]\n");
		return 2;
	}
	cJSON *score = cJSON_Parse(cad_score_json);
	cadence_expr_env *env;
	if (!score || cadence_expr_env_new(&env))
		return 1;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cadence_expr_env_add_field(env, fields[i][0], fields[i][1]);

	printf("cadence %s, median of %d rounds, ns per call\n", cadence_version(), rounds);
	printf("%10s %10s %10s  %s\n", "compile", "eval", "eval_bool", "expression");
	int status = 0;
	double typical_compile = -1, typical_eval = -1, typical_direct = -1;
	for (size_t i = 0; i < NEXPRS; i++) {
		job j = { exprs[i], env, NULL, score, 0 };
		cadence_expr *e;
		cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
		if (cadence_expr_compile(&e, exprs[i], strlen(exprs[i]), env, &err)) {
			fprintf(stderr, "%s: column %u: %s\n", exprs[i], err.column, err.message);
			cadence_expr_error_clear(&err);
			status = 1;
			continue;
		}
		j.e = e;
		double c = measure(op_compile, &j, rounds);
		double v = measure(op_eval, &j, rounds);
		char b[16] = "-";
		if (cadence_expr_result_type(e) == CADENCE_EXPR_BOOL)
			snprintf(b, sizeof(b), "%.0f", measure(op_eval_bool, &j, rounds));
		printf("%10.0f %10.0f %10s  %s\n", c, v, b, exprs[i]);
		if (i == 0) {
			typical_compile = c;
			typical_eval = v;
			typical_direct = measure(op_direct, &j, rounds);
		}
		if (j.failed) {
			fprintf(stderr, "%s: an evaluation failed\n", exprs[i]);
			status = 1;
		}
		cadence_expr_free(e);
	}
	/* the goals of issue 3, for the typical condition (the first one) */
	if (typical_compile >= 0) {
		printf("\n%s:\n", exprs[0]);
		printf("  compile %8.0f ns  goal <= %5d ns  %.2f of the goal  %s\n",
		       typical_compile, 10000, typical_compile / 10000,
		       typical_compile <= 10000 ? "PASS" : "FAIL");
		printf("  eval    %8.0f ns  goal <= %5d ns  %.2f of the goal  %s\n",
		       typical_eval, 200, typical_eval / 200, typical_eval <= 200 ? "PASS" : "FAIL");
		printf("  the same test written in C (two cJSON lookups): %.0f ns; eval / C = %.1fx\n",
		       typical_direct, typical_eval / typical_direct);
	}
	cadence_expr_env_free(env);
	cJSON_Delete(score);
	return status;
}
