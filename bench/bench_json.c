/* SPDX-License-Identifier: MIT */
/*
 * bench_json: what exact numbers cost.  cad_json_print() (util/json.c, the
 * one printer of every JSON cadence writes) against cJSON's own printer,
 * and cad_json_parse() (cJSON's parser plus the scan for nesting and
 * "\u0000") against what its callers did before (a UTF-8 check, then
 * cJSON's parser), on one large score.
 *
 *   bench_json [-n RECORDS] [-r ROUNDS] [-c CALLS]
 *
 * The score is {"orders": [...]} of RECORDS objects (default 20,000), each
 * with an integer id in [1e15, 2^53], a price with cents, a quantity, a
 * random double, a name and a list of two tags: numbers of every kind the
 * printers treat differently.  Each round times the three pairs (print
 * compact, print formatted, parse), the two of a pair called in turn,
 * each first every other time, for about 40 ms; the figure is the median over ROUNDS rounds (default 11),
 * in ms per call, with the ratio to cJSON.  Also
 * prints how many of the score's numbers cJSON's printer changes (they do
 * not read back as the same double).  No assertions: the figures are for
 * docs/benchmarks.md.  With -c, each operation is called CALLS times
 * instead and nothing is timed: for counting instructions with callgrind
 * (bench/json.sh), which a busy machine does not disturb.
 */
#define _POSIX_C_SOURCE 200809L
#include "util/json.h"
#include "util/utf8.h"
#include "bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	return bench_now_ns() / 1e6;
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static cJSON *make_score(int n)
{
	uint64_t x = 0x2545F4914F6CDD1Du;
	cJSON *score = cJSON_CreateObject(), *orders = cJSON_AddArrayToObject(score, "orders");
	char name[32];
	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		const double top = 9007199254740992.0;
		cJSON_AddNumberToObject(o, "id", 1e15 + (double)(next(&x) % (uint64_t)(top - 1e15)));
		cJSON_AddNumberToObject(o, "price", (double)(next(&x) % 100000) / 100.0);
		cJSON_AddNumberToObject(o, "qty", (double)(next(&x) % 20));
		cJSON_AddNumberToObject(o, "ratio", (double)(next(&x) >> 11) / 9007199254740992.0);
		snprintf(name, sizeof(name), "customer %d", i);
		cJSON_AddStringToObject(o, "name", name);
		const char *tags[] = { "express", "gift" };
		cJSON_AddItemToObject(o, "tags", cJSON_CreateStringArray(tags, 2));
		cJSON_AddItemToArray(orders, o);
	}
	return score;
}

/* Counts the numbers of v that t (v printed by cJSON, read back) does not
 * hold exactly: integers in n[0], others in n[1]. */
static void changed(const cJSON *v, const cJSON *t, int n[2])
{
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble != t->valuedouble)
			n[v->valuedouble != (double)(int64_t)v->valuedouble]++;
		return;
	}
	for (v = v->child, t = t->child; v && t; v = v->next, t = t->next)
		changed(v, t, n);
}

typedef struct op {
	const char *name;
	int (*run)(void *);
	double ms[99];
} op;

static const cJSON *g_score;
static const char *g_text;
static size_t g_len;

static int print_ours(void *fmt)
{
	char *s = cad_json_print(g_score, fmt != NULL);
	free(s);
	return s != NULL;
}

static int print_cjson(void *fmt)
{
	char *s = fmt ? cJSON_Print(g_score) : cJSON_PrintUnformatted(g_score);
	cJSON_free(s);
	return s != NULL;
}

static int parse_ours(void *unused)
{
	(void)unused;
	cJSON *v;
	cad_json_error e;
	int ok = !cad_json_parse(&v, g_text, g_len, 512, &e);
	cJSON_Delete(v);
	return ok;
}

/* what the callers did before: check UTF-8 (cJSON does not), parse */
static int parse_cjson(void *unused)
{
	(void)unused;
	if (cad_utf8_valid_prefix(g_text, g_len) != g_len)
		return 0;
	cJSON *v = cJSON_ParseWithLength(g_text, g_len);
	cJSON_Delete(v);
	return v != NULL;
}

/* ms per call of a's and of b's function, called in turn for about 40 ms,
 * each first every other time: the one called second meets the heap the
 * first left (200,000 nodes just freed) and is slower for it */
static void time_pair(const op *a, const op *b, void *arg, double *ma, double *mb)
{
	int calls = 0;
	double t[2] = { 0, 0 }, start = now_ms();
	const op *pair[2] = { a, b };
	do {
		for (int k = 0; k < 2; k++) {
			int which = (calls + k) % 2;
			double t0 = now_ms();
			if (!pair[which]->run(arg))
				exit(3);
			t[which] += now_ms() - t0;
		}
		calls++;
	} while (now_ms() - start < 40 || calls % 2);
	*ma = t[0] / calls;
	*mb = t[1] / calls;
}

int main(int argc, char **argv)
{
	int records = 20000, rounds = 11, calls = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			records = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-r"))
			rounds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-c"))
			calls = atoi(argv[i + 1]);
	}
	if (records < 1 || rounds < 1 || rounds > 99 || calls < 0) {
		fprintf(stderr, "usage: bench_json [-n RECORDS] [-r ROUNDS] [-c CALLS]\n");
		return 2;
	}
	cJSON *score = make_score(records);
	char *compact = cJSON_PrintUnformatted(score);
	char *ours = cad_json_print(score, 0);
	cJSON *back = cJSON_Parse(compact);
	if (!score || !compact || !ours || !back)
		return 3;
	g_score = score;
	g_text = ours;
	g_len = strlen(ours);
	int n[2] = { 0, 0 };
	changed(score, back, n);
	printf("score: %d records; cJSON's print changes %d of the %d ids in [1e15, 2^53] and %d "
	       "of the %d random doubles in [0, 1)\n", records, n[0], records, n[1], records);
	printf("compact text: cJSON %zu bytes, cad_json_print %zu bytes\n", strlen(compact), g_len);

	static char on = 1;
	struct { op o; void *arg; } ops[] = {
		{ { "print compact, cJSON", print_cjson, { 0 } }, NULL },
		{ { "print compact, cad_json_print", print_ours, { 0 } }, NULL },
		{ { "print formatted, cJSON", print_cjson, { 0 } }, &on },
		{ { "print formatted, cad_json_print", print_ours, { 0 } }, &on },
		{ { "parse, UTF-8 check + cJSON", parse_cjson, { 0 } }, NULL },
		{ { "parse, cad_json_parse", parse_ours, { 0 } }, NULL },
	};
	size_t nops = sizeof(ops) / sizeof(*ops);
	for (int c = 0; c < calls; c++)
		for (size_t i = 0; i < nops; i++)
			if (!ops[i].o.run(ops[i].arg))
				return 3;
	if (calls)
		rounds = 0;
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < nops; i += 2)
			time_pair(&ops[i].o, &ops[i + 1].o, ops[i].arg, &ops[i].o.ms[r],
				  &ops[i + 1].o.ms[r]);
	double med[6];
	for (size_t i = 0; rounds && i < nops; i++) {
		qsort(ops[i].o.ms, (size_t)rounds, sizeof(double), bench_cmp_double);
		med[i] = ops[i].o.ms[rounds / 2];
		printf("%-34s %8.2f ms", ops[i].o.name, med[i]);
		if (i % 2)
			printf("   ours/cJSON %.2f", med[i] / med[i - 1]);
		printf("\n");
	}
	cJSON_Delete(score);
	cJSON_Delete(back);
	free(ours);
	cJSON_free(compact);
	return 0;
}
