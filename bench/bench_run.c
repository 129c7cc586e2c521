/* The run engine's figures (docs/benchmarks.md, "Run engine"), each beside
 * its baseline measured in the same process:
 *
 *   C notes   100,000 `then` measures of a trivial C note, against calling
 *             the same function directly in a loop
 *   sync      one `sync` of 100 C notes over a 100-field score, each writing
 *             one distinct field
 *   set       100,000 `set` notes (when the build has expressions)
 *   process   200 sequential `run` notes of /bin/true, against a shell loop
 *             running /bin/true 200 times, and against fork+exec+wait and
 *             posix_spawn+wait of /bin/true in a loop
 *
 * Every figure is the best of several repetitions (the least disturbed).
 * Usage: bench_run [REPEAT]   (bench/run_engine.sh runs it) */
#include <cadence/cadence.h>
#include <cadence/run.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/strbuf.h"

#if defined(__has_include)
#if __has_include("cadence/expr.h")
#include <cadence/expr.h>
#define HAVE_EXPR 1
#endif
#endif

extern char **environ;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static cadence_def *load(const char *text, size_t len)
{
	cadence_diags *d;
	cadence_def *def = NULL;
	cadence_diags_new(&d);
	if (cadence_load_buffer(&def, "bench.cadence.yaml", text, len, NULL, d)) {
		cadence_diags_write(d, stderr, CADENCE_DIAG_TEXT, NULL);
		exit(1);
	}
	cadence_diags_free(d);
	return def;
}

static void must(int rc, const cadence_run_error *err)
{
	if (rc) {
		fprintf(stderr, "bench_run: %s\n", err->message ? err->message : cadence_strerror(rc));
		exit(1);
	}
}

/* Runs def `reps` times and returns the best time of one run. */
static double best_run(cadence_runner *r, int reps)
{
	double best = 1e30;
	for (int i = 0; i < reps; i++) {
		cJSON *out = NULL;
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		double t0 = now_s();
		int rc = cadence_runner_run(r, NULL, &out, &err);
		double t = now_s() - t0;
		must(rc, &err);
		cJSON_Delete(out);
		cadence_run_error_clear(&err);
		if (t < best)
			best = t;
	}
	return best;
}

/* ---- C notes ------------------------------------------------------------------ */

static volatile long sink;

static int tick(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	(void)changes;
	sink++;
	return CADENCE_NOTE_OK;
}

/* writes field f<N> = f<N> + 1, N from the note's name n<N> */
static int setf(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	char field[16];
	snprintf(field, sizeof(field), "f%s", cadence_note_name(ctx) + 1);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(score, field);
	*changes = cJSON_CreateObject();
	if (!*changes || !cJSON_AddNumberToObject(*changes, field, v->valuedouble + 1))
		return cadence_note_fail(ctx, "out of memory");
	return CADENCE_NOTE_OK;
}

static void bench_symbol(int reps, int n)
{
	strbuf y = STRBUF_INIT;
	strbuf_adds(&y, "cadence: ticks\nscore:\n  n: {type: integer, default: 0}\n"
		    "notes:\n  tick: {symbol: tick}\nmeasures:\n");
	for (int i = 0; i < n; i++)
		strbuf_addf(&y, "  - then: m%d\n    note: tick\n", i);
	cadence_def *def = load(y.buf, y.len);
	strbuf_free(&y);
	cadence_runner *r;
	cadence_runner_new(&r, NULL, def, NULL);
	cadence_runner_register(r, "tick", tick, NULL);
	double engine = best_run(r, reps);

	/* the same function called directly, with what a caller needs: a
	 * context, the score */
	cadence_note_ctx *ctx;
	cadence_note_ctx_new(&ctx, "tick", NULL);
	cJSON *score = cJSON_Parse("{\"n\": 0}");
	double direct = 1e30;
	for (int k = 0; k < reps; k++) {
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			cJSON *changes = NULL;
			if (tick(ctx, score, &changes) != CADENCE_NOTE_OK)
				exit(1);
			cJSON_Delete(changes);
		}
		double t = now_s() - t0;
		if (t < direct)
			direct = t;
	}
	printf("C notes: %d `then` measures of a trivial C note\n", n);
	printf("  engine            %8.1f ns per note\n", engine / n * 1e9);
	printf("  direct call       %8.1f ns per call\n", direct / n * 1e9);
	printf("  overhead          %8.1f ns per note (goal <= 100)\n",
	       (engine - direct) / n * 1e9);
	cJSON_Delete(score);
	cadence_note_ctx_free(ctx);
	cadence_runner_free(r);
	cadence_def_free(def);
}

static void bench_sync(int reps, unsigned jobs, int measures)
{
	strbuf y = STRBUF_INIT;
	strbuf_adds(&y, "cadence: wide\nscore:\n");
	for (int i = 0; i < 100; i++)
		strbuf_addf(&y, "  f%d: {type: integer, default: 0}\n", i);
	strbuf_adds(&y, "notes:\n");
	for (int i = 0; i < 100; i++)
		strbuf_addf(&y, "  n%d: {symbol: setf, writes: [f%d]}\n", i, i);
	strbuf_adds(&y, "measures:\n");
	for (int m = 0; m < measures; m++) {
		strbuf_addf(&y, "  - sync: s%d\n    notes: [", m);
		for (int i = 0; i < 100; i++)
			strbuf_addf(&y, "%sn%d", i ? ", " : "", i);
		strbuf_adds(&y, "]\n");
	}
	cadence_def *def = load(y.buf, y.len);
	strbuf_free(&y);
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	opts.jobs = jobs;
	cadence_runner *r;
	cadence_runner_new(&r, NULL, def, &opts);
	cadence_runner_register(r, "setf", setf, NULL);
	double t = best_run(r, reps);
	if (jobs == 1)
		printf("sync: 100 C notes over a 100-field score, each writing one field "
		       "(%d measures per run)\n", measures);
	printf("  %-17s %8.1f us per measure%s\n",
	       jobs == 1 ? "--jobs 1 (inline)" : "default (pool)", t / measures * 1e6,
	       jobs == 1 ? "" : " (goal <= 200)");
	cadence_runner_free(r);
	cadence_def_free(def);
}

static void bench_set(int reps, int n)
{
	strbuf y = STRBUF_INIT;
	strbuf_adds(&y, "cadence: sets\nscore:\n  n: {type: integer, default: 0}\n"
		    "notes:\n  inc: {set: {n: 'score.n + 1'}}\nmeasures:\n");
	for (int i = 0; i < n; i++)
		strbuf_addf(&y, "  - then: m%d\n    note: inc\n", i);
	cadence_def *def = load(y.buf, y.len);
	strbuf_free(&y);
	cadence_runner *r;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cadence_runner_new(&r, NULL, def, NULL);
	if (cadence_runner_prepare(r, &err)) {
		printf("set notes: not measured (%s)\n", err.message);
	} else {
		double t = best_run(r, reps);
		printf("set notes: %d `then` measures of `set: {n: 'score.n + 1'}`\n", n);
		printf("  engine            %8.1f ns per note\n", t / n * 1e9);
#ifdef HAVE_EXPR
		/* the same expression evaluated directly, its result freed */
		cadence_expr_env *env;
		cadence_expr *x;
		cadence_expr_env_new(&env);
		cadence_expr_env_add_field(env, "n", "integer");
		cadence_expr_compile(&x, "score.n + 1", 11, env, NULL);
		cJSON *score = cJSON_Parse("{\"n\": 0}");
		double direct = 1e30;
		for (int k = 0; k < reps; k++) {
			double t0 = now_s();
			for (int i = 0; i < n; i++) {
				cJSON *v = NULL;
				if (cadence_expr_eval(x, score, &v, NULL))
					exit(1);
				cJSON_Delete(v);
			}
			double d = now_s() - t0;
			direct = d < direct ? d : direct;
		}
		printf("  evaluation alone  %8.1f ns per evaluation\n", direct / n * 1e9);
		printf("  overhead          %8.1f ns per note\n", (t - direct) / n * 1e9);
		cJSON_Delete(score);
		cadence_expr_free(x);
		cadence_expr_env_free(env);
#endif
	}
	cadence_run_error_clear(&err);
	cadence_runner_free(r);
	cadence_def_free(def);
}

/* ---- processes ---------------------------------------------------------------- */

static double loop_fork(int n)
{
	char *argv[] = { "/bin/true", NULL };
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	return now_s() - t0;
}

static double loop_spawn(int n)
{
	char *argv[] = { "/bin/true", NULL };
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		pid_t pid;
		if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ))
			exit(1);
		waitpid(pid, NULL, 0);
	}
	return now_s() - t0;
}

static double loop_shell(int n)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "i=0; while [ $i -lt %d ]; do /bin/true; i=$((i+1)); done", n);
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	double t0 = now_s();
	pid_t pid;
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ))
		exit(1);
	waitpid(pid, NULL, 0);
	return now_s() - t0;
}

static double best_of(double (*fn)(int), int n, int reps)
{
	double best = 1e30;
	for (int i = 0; i < reps; i++) {
		double t = fn(n);
		if (t < best)
			best = t;
	}
	return best;
}

static void bench_process(int reps, int n)
{
	strbuf y = STRBUF_INIT;
	strbuf_adds(&y, "cadence: procs\nscore:\n  n: {type: integer, default: 0}\n"
		    "notes:\n  t: {run: [/bin/true]}\nmeasures:\n");
	for (int i = 0; i < n; i++)
		strbuf_addf(&y, "  - then: m%d\n    note: t\n", i);
	cadence_def *def = load(y.buf, y.len);
	strbuf_free(&y);
	cadence_runner *r;
	cadence_runner_new(&r, NULL, def, NULL);
	/* interleaved, so that a busy moment of the machine hits every
	 * figure alike; the best of each counts */
	double engine = 1e30, shell = 1e30, forked = 1e30, spawned = 1e30;
	for (int k = 0; k < reps; k++) {
		double t = best_run(r, 1);
		engine = t < engine ? t : engine;
		t = best_of(loop_shell, n, 1);
		shell = t < shell ? t : shell;
		t = best_of(loop_fork, n, 1);
		forked = t < forked ? t : forked;
		t = best_of(loop_spawn, n, 1);
		spawned = t < spawned ? t : spawned;
	}
	printf("process notes: %d sequential `run` notes of /bin/true\n", n);
	printf("  engine            %8.1f us per note   %.2fx the shell loop (goal <= 1.3)\n",
	       engine / n * 1e6, engine / shell);
	printf("  shell loop        %8.1f us per run\n", shell / n * 1e6);
	printf("  fork+exec+wait    %8.1f us per run    engine: %.2fx\n", forked / n * 1e6,
	       engine / forked);
	printf("  posix_spawn+wait  %8.1f us per run    engine: %.2fx\n", spawned / n * 1e6,
	       engine / spawned);
	cadence_runner_free(r);
	cadence_def_free(def);
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	if (reps < 1)
		reps = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_symbol(reps, 100000);
	bench_sync(reps * 20, 1, 10);
	bench_sync(reps * 20, 0, 10);
	bench_set(reps, 100000);
	bench_process(reps, 200);
	return 0;
}
