/* SPDX-License-Identifier: MIT */
/*
 * bench_load: how long loading and validating a cadence file takes next to
 * a bare libyaml parse of the same file, in the same process and run.
 *
 *   bench_load [-n RUNS] FILE...         timings and ratios per file
 *   bench_load --once KIND FILE          one run of KIND, for timing whole
 *                                        processes (bench/run.sh)
 *
 * KIND, and what each run times (every one reads the file into memory
 * first, as cadence_load_file() does):
 *   events    yaml_parser_parse() over the whole event stream, nothing kept:
 *             the least any YAML loader can do
 *   document  yaml_parser_load(): libyaml's own tree (no positions kept
 *             beyond marks, no checks)
 *   load      cadence_load_file(): positioned tree, structural checks, model
 *   validate  what `cadence validate` does in process: a project, the load,
 *             cadence_check() of every cadence loaded (child files too);
 *             no report is written
 *
 * The kinds run interleaved (events, document, load, validate, then again,
 * the order rotating each round), so a slow spell on a shared machine hits
 * all of them alike; the ratios are what to compare, not the milliseconds.
 * Each ratio is the median, over the rounds, of the ratio of the two runs
 * in one round.  Without -n, the number of runs is chosen so that each file
 * takes about six seconds (at least 15 runs, at most 401).
 */
#include "cadence/check.h"
#include "cadence/common.h"
#include "cadence/diag.h"
#include "cadence/load.h"
#include "cadence/project.h"

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <yaml.h>

enum { K_EVENTS, K_DOCUMENT, K_LOAD, K_VALIDATE, K_COUNT };

static const char *const kind_names[K_COUNT] = { "events", "document", "load", "validate" };
static const char *const kind_what[K_COUNT] = {
	"libyaml events (yaml_parser_parse)",
	"libyaml document (yaml_parser_load)",
	"cadence_load_file",
	"validate (load + cadence_check)",
};

/* Minor page faults so far: on a virtual machine a first touch of a page
 * can cost more than the work done on it, so memory use shows up in time. */
static long faults(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_minflt;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Reads the whole file, as the loader does (one buffer, NUL-terminated). */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - n < 2) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (!got)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Each run returns a count that depends on the work done, so that none of
 * it can be optimised away; -1 on failure. */
static long run_events(const char *path)
{
	size_t len;
	char *src = read_file(path, &len);
	yaml_parser_t p;
	yaml_event_t ev;
	long events = 0;
	int done = 0;

	if (!src || !yaml_parser_initialize(&p)) {
		free(src);
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)src, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			events = -1;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		events++;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	free(src);
	return events;
}

static long run_document(const char *path)
{
	size_t len;
	char *src = read_file(path, &len);
	yaml_parser_t p;
	yaml_document_t doc;
	long nodes = -1;

	if (!src || !yaml_parser_initialize(&p)) {
		free(src);
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)src, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	if (yaml_parser_load(&p, &doc)) {
		nodes = (long)(doc.nodes.top - doc.nodes.start);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&p);
	free(src);
	return nodes;
}

/* Problems found by the last load or validate run, for the clean check. */
static size_t last_problems;

static long run_load(const char *path)
{
	cadence_diags *diags;
	cadence_def *def = NULL;
	long notes = -1;

	if (cadence_diags_new(&diags))
		return -1;
	if (!cadence_load_file(&def, path, NULL, diags))
		notes = (long)cadence_def_note_count(def);
	last_problems = cadence_diags_count(diags);
	cadence_def_free(def);
	cadence_diags_free(diags);
	return notes;
}

static long run_validate(const char *path)
{
	cadence_diags *diags = NULL;
	cadence_project *project = NULL;
	const cadence_def *def;
	cadence_check_opts opts = CADENCE_CHECK_OPTS_INIT;
	long notes = -1;

	if (cadence_diags_new(&diags) || cadence_project_new(&project, NULL))
		goto out;
	if (cadence_project_load_file(&def, project, path, diags) == CADENCE_ENOMEM)
		goto out;
	notes = 0;
	/* as `cadence validate`: the list grows while child files load */
	for (size_t i = 0; i < cadence_project_count(project); i++) {
		def = cadence_project_get(project, i);
		if (cadence_check(def, project, &opts, diags) == CADENCE_ENOMEM) {
			notes = -1;
			goto out;
		}
		notes += (long)cadence_def_note_count(def);
	}
	last_problems = cadence_diags_count(diags);
out:
	cadence_project_free(project);
	cadence_diags_free(diags);
	return notes;
}

static long run_kind(int kind, const char *path)
{
	switch (kind) {
	case K_EVENTS: return run_events(path);
	case K_DOCUMENT: return run_document(path);
	case K_LOAD: return run_load(path);
	default: return run_validate(path);
	}
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int bench_file(const char *path, size_t runs)
{
	double warm[K_COUNT], total = 0;
	long check[K_COUNT];

	/* one warm-up run each: page cache, allocator, and whether it works */
	for (int k = 0; k < K_COUNT; k++) {
		double t0 = now_ms();
		check[k] = run_kind(k, path);
		warm[k] = now_ms() - t0;
		total += warm[k];
		if (check[k] < 0) {
			fprintf(stderr, "bench_load: %s: %s failed\n", path, kind_names[k]);
			return 1;
		}
		if (k >= K_LOAD && last_problems) {
			fprintf(stderr, "bench_load: %s: %s reports %zu problems; "
				"benchmark a file that validates clean\n", path,
				kind_names[k], last_problems);
			return 1;
		}
	}
	if (!runs) {
		runs = total > 0 ? (size_t)(6000.0 / total) : 401;
		runs = runs < 15 ? 15 : runs > 401 ? 401 : runs;
	}
	double *t[K_COUNT], *pf[K_COUNT];
	for (int k = 0; k < K_COUNT; k++) {
		t[k] = malloc(runs * sizeof(double));
		pf[k] = malloc(runs * sizeof(double));
		if (!t[k] || !pf[k]) {
			free(t[k]);
			free(pf[k]);
			while (k--) {
				free(t[k]);
				free(pf[k]);
			}
			return 1;
		}
	}
	for (size_t r = 0; r < runs; r++) {
		for (int j = 0; j < K_COUNT; j++) {
			int k = (int)((r + (size_t)j) % K_COUNT);
			long f0 = faults();
			double t0 = now_ms();
			long got = run_kind(k, path);
			t[k][r] = now_ms() - t0;
			pf[k][r] = (double)(faults() - f0);
			if (got != check[k]) {
				fprintf(stderr, "bench_load: %s: %s gave %ld, then %ld\n",
					path, kind_names[k], check[k], got);
				return 1;
			}
		}
	}
	/* ratios per round, then their median: a run and the events run of
	 * the same round saw the same load on the machine */
	double med[K_COUNT], min[K_COUNT], flt[K_COUNT], rev[K_COUNT], rdoc[K_COUNT];
	double *ratio = malloc(runs * sizeof(double));
	for (int k = 0; k < K_COUNT && ratio; k++) {
		for (size_t r = 0; r < runs; r++)
			ratio[r] = t[k][r] / t[K_EVENTS][r];
		rev[k] = median(ratio, runs);
		for (size_t r = 0; r < runs; r++)
			ratio[r] = t[k][r] / t[K_DOCUMENT][r];
		rdoc[k] = median(ratio, runs);
	}
	for (int k = 0; k < K_COUNT; k++) {
		med[k] = median(t[k], runs);
		min[k] = t[k][0];
		flt[k] = median(pf[k], runs);
		free(t[k]);
		free(pf[k]);
	}
	if (!ratio)
		return 1;
	free(ratio);
	printf("%s: %ld notes, %zu runs of each kind, interleaved\n", path,
	       check[K_LOAD], runs);
	printf("  %-36s %9s %9s %7s %8s %9s\n", "", "median ms", "min ms", "faults",
	       "x events", "x document");
	for (int k = 0; k < K_COUNT; k++)
		printf("  %-36s %9.3f %9.3f %7.0f %7.2fx %9.2fx\n", kind_what[k], med[k],
		       min[k], flt[k], rev[k], rdoc[k]);
	/* one line for scripts: kind=median/min/faults (ms, ms, page faults),
	 * then the ratios (medians of the ratios per round) */
	printf("RESULT file=%s notes=%ld runs=%zu", path, check[K_LOAD], runs);
	for (int k = 0; k < K_COUNT; k++)
		printf(" %s=%.3f/%.3f/%.0f", kind_names[k], med[k], min[k], flt[k]);
	printf(" load_events=%.2f load_document=%.2f validate_events=%.2f"
	       " validate_document=%.2f\n", rev[K_LOAD], rdoc[K_LOAD],
	       rev[K_VALIDATE], rdoc[K_VALIDATE]);
	fflush(stdout);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_load [-n RUNS] FILE...\n"
			"       bench_load --once events|document|load|validate FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	size_t runs = 0;
	int i = 1, rc = 0;

	if (argc == 4 && !strcmp(argv[1], "--once")) {
		for (int k = 0; k < K_COUNT; k++)
			if (!strcmp(argv[2], kind_names[k]))
				return run_kind(k, argv[3]) < 0 ? 1 : 0;
		return usage();
	}
	if (i + 1 < argc && !strcmp(argv[i], "-n")) {
		char *end;
		unsigned long n = strtoul(argv[i + 1], &end, 10);
		if (*end || !n)
			return usage();
		runs = n;
		i += 2;
	}
	if (i == argc)
		return usage();
	for (; i < argc; i++)
		rc |= bench_file(argv[i], runs);
	return rc;
}
