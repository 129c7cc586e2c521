/* SPDX-License-Identifier: MIT */
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
 *   observe   the per-note figures (C notes, process notes) with metrics,
 *             trace and events all on (files written, as `cadence run
 *             --metrics --trace --events` does), interleaved with the same
 *             runs with them off: without hooks, and with an empty hook
 *             (what `cadence run` always has: its log)
 *
 * Every figure is the best of several repetitions (the least disturbed).
 * Usage: bench_run [REPEAT [observe]]   (bench/run_engine.sh runs it; "observe":
 * that figure alone) */
#include <cadence/cadence.h>
#include <cadence/report.h>
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
		int rc = cadence_runner_run(&out, r, NULL, &err);
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
	cad_strbuf_adds(&y, "cadence: ticks\nscore:\n  n: {type: integer, default: 0}\n"
		    "notes:\n  tick: {symbol: tick}\nmeasures:\n");
	for (int i = 0; i < n; i++)
		cad_strbuf_addf(&y, "  - then: m%d\n    note: tick\n", i);
	cadence_def *def = load(y.buf, y.len);
	cad_strbuf_free(&y);
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
	cad_strbuf_adds(&y, "cadence: wide\nscore:\n");
	for (int i = 0; i < 100; i++)
		cad_strbuf_addf(&y, "  f%d: {type: integer, default: 0}\n", i);
	cad_strbuf_adds(&y, "notes:\n");
	for (int i = 0; i < 100; i++)
		cad_strbuf_addf(&y, "  n%d: {symbol: setf, writes: [f%d]}\n", i, i);
	cad_strbuf_adds(&y, "measures:\n");
	for (int m = 0; m < measures; m++) {
		cad_strbuf_addf(&y, "  - sync: s%d\n    notes: [", m);
		for (int i = 0; i < 100; i++)
			cad_strbuf_addf(&y, "%sn%d", i ? ", " : "", i);
		cad_strbuf_adds(&y, "]\n");
	}
	cadence_def *def = load(y.buf, y.len);
	cad_strbuf_free(&y);
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
	cad_strbuf_adds(&y, "cadence: sets\nscore:\n  n: {type: integer, default: 0}\n"
		    "notes:\n  inc: {set: {n: 'score.n + 1'}}\nmeasures:\n");
	for (int i = 0; i < n; i++)
		cad_strbuf_addf(&y, "  - then: m%d\n    note: inc\n", i);
	cadence_def *def = load(y.buf, y.len);
	cad_strbuf_free(&y);
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
				if (cadence_expr_eval(&v, x, score, NULL))
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
	cad_strbuf_adds(&y, "cadence: procs\nscore:\n  n: {type: integer, default: 0}\n"
		    "notes:\n  t: {run: [/bin/true]}\nmeasures:\n");
	for (int i = 0; i < n; i++)
		cad_strbuf_addf(&y, "  - then: m%d\n    note: t\n", i);
	cadence_def *def = load(y.buf, y.len);
	cad_strbuf_free(&y);
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

/* ---- reporters on and off ------------------------------------------------------- */

typedef struct observers {
	cadence_metrics *metrics;
	cadence_trace *trace;
	cadence_events *events;
	FILE *events_file;
	char dir[64];
	int on;			/* which: 1 metrics, 2 trace, 4 events */
} observers;

static void observe(void *ctx, const cadence_event *ev)
{
	observers *o = ctx;
	if (o->on & 1)
		cadence_metrics_on_event(o->metrics, ev);
	if (o->on & 2)
		cadence_trace_on_event(o->trace, ev);
	if (o->on & 4)
		cadence_events_on_event(o->events, ev);
}

static void ignore(void *ctx, const cadence_event *ev)
{
	(void)ctx;
	(void)ev;
}

/* One run with the reporters of `cadence run --metrics --trace --events`
 * (those of `on`): fresh reporters, the events file written as it goes,
 * metrics and trace files at the end, all inside the time. */
static double observed_run(cadence_runner *r, observers *o, int on)
{
	o->on = on;
	char path[128];
	double t0 = now_s();
	snprintf(path, sizeof(path), "%s/events.jsonl", o->dir);
	if (cadence_metrics_new(&o->metrics) || cadence_trace_new(&o->trace) ||
	    !(o->events_file = fopen(path, "w")) || cadence_events_new(&o->events, o->events_file))
		exit(1);
	setvbuf(o->events_file, NULL, _IOFBF, 1 << 16);	/* as cadence run does */
	cJSON *out = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	must(cadence_runner_run(&out, r, NULL, &err), &err);
	snprintf(path, sizeof(path), "%s/metrics.prom", o->dir);
	int rc = on & 1 ? cadence_metrics_write_file(o->metrics, path, NULL) : 0;
	snprintf(path, sizeof(path), "%s/trace.json", o->dir);
	rc |= on & 2 ? cadence_trace_write_file(o->trace, path, NULL) : 0;
	rc |= cadence_events_status(o->events, NULL);
	fclose(o->events_file);
	double t = now_s() - t0;
	if (rc)
		exit(1);
	cJSON_Delete(out);
	cadence_metrics_free(o->metrics);
	cadence_trace_free(o->trace);
	cadence_events_free(o->events);
	return t;
}

/* The cadence of `what` (n `then` measures of note t) with reporters off,
 * with an empty hook, and on, interleaved; the best of each counts. */
static void bench_observe_one(const char *title, const char *note, int n, int reps,
			      const char *unit, double scale)
{
	strbuf y = STRBUF_INIT;
	cad_strbuf_addf(&y, "cadence: observed\nscore:\n  n: {type: integer, default: 0}\n"
		    "notes:\n  t: %s\nmeasures:\n", note);
	for (int i = 0; i < n; i++)
		cad_strbuf_addf(&y, "  - then: m%d\n    note: t\n", i);
	cadence_def *def = load(y.buf, y.len);
	cad_strbuf_free(&y);
	observers o;
	memset(&o, 0, sizeof(o));
	snprintf(o.dir, sizeof(o.dir), "/tmp/cadence-bench.XXXXXX");
	if (!mkdtemp(o.dir))
		exit(1);
	cadence_run_hooks on = { CADENCE_RUN_HOOKS_VERSION, &o, observe };
	cadence_run_hooks empty = { CADENCE_RUN_HOOKS_VERSION, NULL, ignore };
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	cadence_runner *r_off, *r_empty, *r_on;
	cadence_runner_new(&r_off, NULL, def, NULL);
	opts.hooks = &empty;
	cadence_runner_new(&r_empty, NULL, def, &opts);
	opts.hooks = &on;
	cadence_runner_new(&r_on, NULL, def, &opts);
	cadence_runner *all[] = { r_off, r_empty, r_on };
	for (int i = 0; i < 3; i++)
		cadence_runner_register(all[i], "tick", tick, NULL);
	double off = 1e30, hook = 1e30, obs = 1e30, one[3] = { 1e30, 1e30, 1e30 };
	for (int k = 0; k < reps; k++) {
		double t = best_run(r_off, 1);
		off = t < off ? t : off;
		t = best_run(r_empty, 1);
		hook = t < hook ? t : hook;
		t = observed_run(r_on, &o, 7);
		obs = t < obs ? t : obs;
		for (int i = 0; i < 3; i++) {
			t = observed_run(r_on, &o, 1 << i);
			one[i] = t < one[i] ? t : one[i];
		}
	}
	printf("observe: %s, %d `then` measures, interleaved %d times\n", title, n, reps);
	printf("  off (no hooks)    %8.1f %s per note\n", off / n * scale, unit);
	printf("  off (empty hook)  %8.1f %s per note\n", hook / n * scale, unit);
	printf("  metrics+trace+events %5.1f %s per note   %+.1f%% over no hooks, %+.1f%% over "
	       "the empty hook (goal <= +10%%)\n", obs / n * scale, unit, (obs / off - 1) * 100,
	       (obs / hook - 1) * 100);
	static const char *const alone[] = { "metrics alone", "trace alone", "events alone" };
	for (int i = 0; i < 3; i++)
		printf("  %-17s %8.1f %s per note   %+.1f%% over no hooks\n", alone[i],
		       one[i] / n * scale, unit, (one[i] / off - 1) * 100);
	char path[128];
	const char *files[] = { "events.jsonl", "metrics.prom", "trace.json" };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", o.dir, files[i]);
		unlink(path);
	}
	rmdir(o.dir);
	for (int i = 0; i < 3; i++)
		cadence_runner_free(all[i]);
	cadence_def_free(def);
}

static void bench_observe(int reps)
{
	bench_observe_one("process notes (run: /bin/true)", "{run: [/bin/true]}", 200, reps * 2,
			  "us", 1e6);
	bench_observe_one("C notes (symbol)", "{symbol: tick}", 10000, reps * 2, "ns", 1e9);
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	if (reps < 1)
		reps = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[2], "observe")) {
		bench_observe(reps);	/* bench_run REPEAT observe: that figure alone */
		return 0;
	}
	bench_symbol(reps, 100000);
	bench_sync(reps * 20, 1, 10);
	bench_sync(reps * 20, 0, 10);
	bench_set(reps, 100000);
	bench_process(reps, 200);
	bench_observe(reps);
	return 0;
}
