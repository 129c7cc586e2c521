/* SPDX-License-Identifier: MIT */
/* Drawing a cadence as DOT against validating it, inside the library:
 *   bench_diagram FILE [REPS]
 * Each repetition loads FILE into a new project and checks every cadence
 * in it (what `cadence validate` does), then draws it as DOT (what
 * `cadence diagram --format dot` adds).  Prints the median of each, in
 * milliseconds, the median of the per-round ratios draw/validate (both run
 * in the same round, so a slow spell hits both), and PASS when that ratio
 * is at most 1 (the goal: drawing takes no longer than validating).
 * bench/diagram.sh runs it. */
#include <cadence/cadence.h>
#include <cadence/diagram.h>

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	return bench_now_ns() / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_diagram FILE [REPS]\n");
		return 2;
	}
	int reps = argc > 2 ? atoi(argv[2]) : 10;
	if (reps < 1)
		reps = 1;
	double *validate = calloc((size_t)reps, sizeof(double));
	double *draw = calloc((size_t)reps, sizeof(double));
	double *ratio = calloc((size_t)reps, sizeof(double));
	size_t bytes = 0, nodes = 0, edges = 0;
	if (!validate || !draw || !ratio)
		return 3;
	for (int r = 0; r < reps; r++) {
		cadence_project *p = NULL;
		cadence_diags *d = NULL;
		const cadence_def *def = NULL;
		cadence_check_opts co = CADENCE_CHECK_OPTS_INIT;
		if (cadence_project_new(&p, NULL) || cadence_diags_new(&d))
			return 3;
		double t0 = now_ms();
		if (cadence_project_load_file(&def, p, argv[1], d)) {
			fprintf(stderr, "bench_diagram: %s does not load\n", argv[1]);
			return 1;
		}
		for (size_t i = 0; i < cadence_project_count(p); i++)
			cadence_check(cadence_project_get(p, i), p, &co, d);
		double t1 = now_ms();
		char *out = NULL;
		size_t len = 0;
		cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
		if (cadence_diagram_buffer(&out, &len, def, p, CADENCE_DIAGRAM_DOT, NULL, &st))
			return 3;
		double t2 = now_ms();
		validate[r] = t1 - t0;
		draw[r] = t2 - t1;
		ratio[r] = draw[r] / validate[r];
		bytes = len;
		nodes = st.nodes;
		edges = st.edges;
		free(out);
		cadence_diags_free(d);
		cadence_project_free(p);
	}
	qsort(validate, (size_t)reps, sizeof(double), bench_cmp_double);
	qsort(draw, (size_t)reps, sizeof(double), bench_cmp_double);
	qsort(ratio, (size_t)reps, sizeof(double), bench_cmp_double);
	double v = validate[reps / 2], g = draw[reps / 2];
	printf("load+check (validate) median: %.1f ms\n", v);
	printf("draw DOT median:              %.1f ms (%zu nodes, %zu edges, %zu bytes)\n", g,
	       nodes, edges, bytes);
	printf("ratio draw/validate:          %.2f (median of per-round ratios) %s\n",
	       ratio[reps / 2], ratio[reps / 2] <= 1.0 ? "PASS" : "FAIL");
	free(ratio);
	free(validate);
	free(draw);
	return 0;
}
