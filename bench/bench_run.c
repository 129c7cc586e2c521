/* SPDX-License-Identifier: MIT */
/* The run engine's figures (docs/benchmarks.md, "Run engine"), each beside
 * its baseline measured in the same process:
 *
 *   C notes   10,000 `then` measures of a trivial C note, against calling
 *             the same function directly in a loop
 *   sync      one `sync` of 100 C notes over a 100-field score, each writing
 *             one distinct field
 *   set       10,000 `set` notes (when the build has expressions)
 *   process   200 sequential `run` notes of /bin/true, against a shell loop
 *             running /bin/true 200 times, and against fork+exec+wait and
 *             posix_spawn+wait of /bin/true in a loop
 *   observe   the per-note figures (C notes, process notes) with metrics,
 *             trace and events all on (files written, as `cadence run
 *             --metrics --trace --events` does), interleaved with the same
 *             runs with them off: without hooks, and with an empty hook
 *             (what `cadence run` always has: its log)
 *
 *   dag       (alone: bench_run REPEAT dag) the engine's cost per task of a
 *             `dag`: 100 independent tasks of the sync's C notes against the
 *             sync of the same notes, --jobs 1 and the pool, and a chain of
 *             100 tasks (each after the one before) against a `sequence`
 *
 *   scale     (alone: bench_run REPEAT scale [F...]) issue 15's figures: the
 *             marginal cost of a note as the score widens to F fields (a
 *             `set` note, C notes reading a field by name), and one sync
 *             of 100 x 100 and of 1,000 x 1,000 (notes x fields)
 *
 * Every figure is the best of several repetitions (the least disturbed),
 * but those of `scale`: medians of interleaved rounds.
 * Usage: bench_run [REPEAT [observe | observe-growth | dag | scale [F...]]]
 * (bench/run_engine.sh and bench/scale.sh run it; "observe", "scale": that
 * figure alone; "observe-growth": the reporters' cost per note at 100 to
 * 10,000 notes) */
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

#include "bench.h"
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

/* A cadence's name, `width` integer fields and a note nK writing fK
 * (setf) for each, into y: the measures follow. */
static void setf_head(strbuf *y, int width)
{
	cad_strbuf_adds(y, "cadence: wide\nscore:\n");
	for (int i = 0; i < width; i++)
		cad_strbuf_addf(y, "  f%d: {type: integer, default: 0}\n", i);
	cad_strbuf_adds(y, "notes:\n");
	for (int i = 0; i < width; i++)
		cad_strbuf_addf(y, "  n%d: {symbol: setf, writes: [f%d]}\n", i, i);
}

/* The cadence in y (freed), loaded into *def, and its runner, with
 * note "setf" registered and at most `jobs` notes at once, prepared. */
static cadence_runner *setf_runner(strbuf *y, unsigned jobs, cadence_def **def)
{
	*def = load(y->buf, y->len);
	cad_strbuf_free(y);
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	opts.jobs = jobs;
	cadence_runner *r;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	if (cadence_runner_new(&r, NULL, *def, &opts) ||
	    cadence_runner_register(r, "setf", setf, NULL))
		exit(1);
	must(cadence_runner_prepare(r, &err), &err);
	return r;
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

/* `measures` syncs of `width` C notes over a `width`-field score, each
 * note writing one field; the runner prepared. */
static cadence_runner *sync_runner(int width, int measures, unsigned jobs, cadence_def **def)
{
	strbuf y = STRBUF_INIT;
	setf_head(&y, width);
	cad_strbuf_adds(&y, "measures:\n");
	for (int m = 0; m < measures; m++) {
		cad_strbuf_addf(&y, "  - sync: s%d\n    notes: [", m);
		for (int i = 0; i < width; i++)
			cad_strbuf_addf(&y, "%sn%d", i ? ", " : "", i);
		cad_strbuf_adds(&y, "]\n");
	}
	return setf_runner(&y, jobs, def);
}

static void bench_sync(int reps, unsigned jobs, int measures)
{
	cadence_def *def;
	cadence_runner *r = sync_runner(100, measures, jobs, &def);
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

/* ---- dag ---------------------------------------------------------------------- */

/* One measure over a `width`-field score of `width` C notes, each writing
 * its own field: kind "sync", "sequence", "dag" (independent tasks) or
 * "chain" (a dag, each task after the one before). */
static cadence_runner *dag_runner(int width, const char *kind, unsigned jobs, cadence_def **def)
{
	strbuf y = STRBUF_INIT;
	int dag = !strcmp(kind, "dag") || !strcmp(kind, "chain");
	setf_head(&y, width);
	cad_strbuf_addf(&y, "measures:\n  - %s: m\n", dag ? "dag" : kind);
	if (dag) {
		cad_strbuf_addf(&y, "    jobs: %u\n    tasks:\n", jobs ? jobs : 2);
		for (int i = 0; i < width; i++)
			if (!strcmp(kind, "chain") && i)
				cad_strbuf_addf(&y, "      - {task: n%d, after: [n%d]}\n", i, i - 1);
			else
				cad_strbuf_addf(&y, "      - {task: n%d}\n", i);
	} else {
		cad_strbuf_adds(&y, "    notes: [");
		for (int i = 0; i < width; i++)
			cad_strbuf_addf(&y, "%sn%d", i ? ", " : "", i);
		cad_strbuf_adds(&y, "]\n");
	}
	return setf_runner(&y, jobs, def);
}

static double dag_figure(int reps, const char *kind, unsigned jobs)
{
	cadence_def *def;
	cadence_runner *r = dag_runner(100, kind, jobs, &def);
	double t = best_run(r, reps);
	cadence_runner_free(r);
	cadence_def_free(def);
	return t;
}

static void bench_dag(int reps)
{
	printf("dag: 100 C notes over a 100-field score, each writing one field; us per "
	       "measure, and the dag's extra cost per task\n");
	for (unsigned jobs = 1; jobs <= 2; jobs++) {
		double sync = dag_figure(reps, "sync", jobs), dag = dag_figure(reps, "dag", jobs);
		printf("  %-22s sync %8.1f us   dag %8.1f us   +%6.2f us per task\n",
		       jobs == 1 ? "--jobs 1 (inline)" : "jobs 2 (pool)", sync * 1e6, dag * 1e6,
		       (dag - sync) / 100 * 1e6);
	}
	double seq = dag_figure(reps, "sequence", 1), chain = dag_figure(reps, "chain", 1);
	printf("  %-22s seq  %8.1f us   dag %8.1f us   +%6.2f us per task\n",
	       "chain, --jobs 1", seq * 1e6, chain * 1e6, (chain - seq) / 100 * 1e6);
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

enum { ON_METRICS = 1, ON_TRACE = 2, ON_EVENTS = 4, ON_QUEUE = 8 };

typedef struct observers {
	cadence_metrics *metrics;
	cadence_trace *trace;
	cadence_events *events;
	cadence_report_queue *queue;
	FILE *events_file;
	char dir[1024];
	int on;			/* ON_* */
} observers;

/* as cadence run's hook calls them: the metrics on the run's thread, the
 * trace and the events through the queue (ON_QUEUE) or at once */
static void observe(void *ctx, const cadence_event *ev)
{
	observers *o = ctx;
	if (o->on & ON_METRICS)
		cadence_metrics_on_event(o->metrics, ev);
	if (o->queue) {
		cadence_report_queue_on_event(o->queue, ev);
		return;
	}
	if (o->on & ON_TRACE)
		cadence_trace_on_event(o->trace, ev);
	if (o->on & ON_EVENTS)
		cadence_events_on_event(o->events, ev);
}

static void *observe_note(void *ctx, const char *cadence, const char *note)
{
	observers *o = ctx;
	return o->on & ON_METRICS ? cadence_metrics_on_note(o->metrics, cadence, note) : NULL;
}

static void ignore(void *ctx, const cadence_event *ev)
{
	(void)ctx;
	(void)ev;
}

static double cpu_s(clockid_t which)
{
	struct timespec ts;
	clock_gettime(which, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What a run cost: wall time and the process's CPU time from the
 * reporters' creation to their files written, the run's thread's CPU
 * time during the run. */
typedef struct cost {
	double wall, cpu, run_cpu;
} cost;

static void keep_least(cost *best, cost c)
{
	best->wall = c.wall < best->wall ? c.wall : best->wall;
	best->cpu = c.cpu < best->cpu ? c.cpu : best->cpu;
	best->run_cpu = c.run_cpu < best->run_cpu ? c.run_cpu : best->run_cpu;
}

/* One run with the reporters of `on` (fresh ones; a fresh runner, so that
 * on_note meets them): the events file written as it goes, metrics and
 * trace files at the end, all inside the time.  on == -1: no hooks at
 * all; 0: an empty hook. */
static cost observed_run(const cadence_def *def, observers *o, int on)
{
	char path[1100];
	cost c;
	o->on = on < 0 ? 0 : on;
	double t0 = now_s(), p0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
	snprintf(path, sizeof(path), "%s/events.jsonl", o->dir);
	if (cadence_metrics_new(&o->metrics) || cadence_trace_new(&o->trace) ||
	    !(o->events_file = fopen(path, "w")) || cadence_events_new(&o->events, o->events_file))
		exit(1);
	setvbuf(o->events_file, NULL, _IOFBF, 1 << 16);	/* as cadence run does */
	cadence_metrics_keep_timings(o->metrics, 0);	/* as cadence run does without --timings */
	if ((on & ON_QUEUE) && cadence_report_queue_new(&o->queue, on & ON_TRACE ? o->trace : NULL,
							on & ON_EVENTS ? o->events : NULL, 0))
		exit(1);
	cadence_run_hooks hooks = { CADENCE_RUN_HOOKS_VERSION, o, on ? observe : ignore, observe_note };
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	opts.hooks = on < 0 ? NULL : &hooks;
	cadence_runner *r;
	if (cadence_runner_new(&r, NULL, def, &opts) ||
	    cadence_runner_register(r, "tick", tick, NULL))
		exit(1);
	cJSON *out = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	if (cadence_runner_prepare(r, &err))	/* as cadence run does, outside the run */
		must(1, &err);
	double r0 = cpu_s(CLOCK_THREAD_CPUTIME_ID);
	must(cadence_runner_run(&out, r, NULL, &err), &err);
	c.run_cpu = cpu_s(CLOCK_THREAD_CPUTIME_ID) - r0;
	cadence_report_queue_free(o->queue);
	o->queue = NULL;
	snprintf(path, sizeof(path), "%s/metrics.prom", o->dir);
	int rc = on > 0 && (on & ON_METRICS) ? cadence_metrics_write_file(o->metrics, path, NULL) : 0;
	snprintf(path, sizeof(path), "%s/trace.json", o->dir);
	rc |= on > 0 && (on & ON_TRACE) ? cadence_trace_write_file(o->trace, path, NULL) : 0;
	rc |= cadence_events_status(o->events, NULL);
	fclose(o->events_file);
	c.wall = now_s() - t0;
	c.cpu = cpu_s(CLOCK_PROCESS_CPUTIME_ID) - p0;
	if (rc)
		exit(1);
	cJSON_Delete(out);
	cadence_runner_free(r);
	cadence_metrics_free(o->metrics);
	cadence_trace_free(o->trace);
	cadence_events_free(o->events);
	return c;
}

static const struct {
	int on;
	const char *what;
} observed[] = {
	{ -1, "off (no hooks)" },
	{ 0, "off (empty hook)" },
	{ ON_METRICS, "metrics alone" },
	{ ON_TRACE | ON_EVENTS, "events+trace, on the run's thread" },
	{ ON_TRACE | ON_EVENTS | ON_QUEUE, "events+trace, queued" },
	{ ON_TRACE | ON_QUEUE, "trace alone, queued" },
	{ ON_EVENTS | ON_QUEUE, "events alone, queued" },
	{ ON_METRICS | ON_TRACE | ON_EVENTS | ON_QUEUE, "all three (cadence run)" },
};
#define NOBSERVED (sizeof(observed) / sizeof(observed[0]))

/* The cadence of `what` (n `then` measures of note t) with each set of
 * reporters of observed[], interleaved; the least of each figure counts.
 * Overheads are over the empty hook (what cadence run always has). */
static void bench_observe_one(const char *title, const char *note, int n, int reps,
			      const char *unit, double scale, int total_only)
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
	const char *tmpdir = getenv("TMPDIR");
	int len = snprintf(o.dir, sizeof(o.dir), "%s/cadence-bench.XXXXXX",
			 tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (len < 0 || (size_t)len >= sizeof(o.dir) || !mkdtemp(o.dir))
		exit(1);
	cost best[NOBSERVED];
	for (size_t i = 0; i < NOBSERVED; i++)
		best[i] = (cost){ 1e30, 1e30, 1e30 };
	for (int k = 0; k < reps; k++)
		for (size_t i = 0; i < NOBSERVED; i++)
			if (!total_only || i == 1 || i == NOBSERVED - 1)	/* empty hook, all three */
				keep_least(&best[i], observed_run(def, &o, observed[i].on));
	printf("observe: %s, %d `then` measures, interleaved %d times; per note, %s\n", title, n,
	       reps, unit);
	printf("  %-36s %10s %10s %10s   %s\n", "", "wall", "run thread", "all CPU",
	       "over the empty hook: run thread, all CPU, wall");
	for (size_t i = 0; i < NOBSERVED; i++) {
		const cost *c = &best[i], *e = &best[1];
		if (total_only && i != 1 && i != NOBSERVED - 1)
			continue;
		printf("  %-36s %10.1f %10.1f %10.1f", observed[i].what, c->wall / n * scale,
		       c->run_cpu / n * scale, c->cpu / n * scale);
		if (i >= 2)
			printf("   %+.1f %+.1f %+.1f%%", (c->run_cpu - e->run_cpu) / n * scale,
			       (c->cpu - e->cpu) / n * scale, (c->wall / e->wall - 1) * 100);
		putchar('\n');
	}
	char path[1100];
	const char *files[] = { "events.jsonl", "metrics.prom", "trace.json" };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", o.dir, files[i]);
		unlink(path);
	}
	rmdir(o.dir);
	cadence_def_free(def);
}

static void bench_observe(int reps)
{
	bench_observe_one("process notes (run: /bin/true)", "{run: [/bin/true]}", 200, reps * 2,
			  "us", 1e6, 0);
	bench_observe_one("C notes (symbol)", "{symbol: tick}", 10000, reps * 2, "ns", 1e9, 0);
}

/* The reporters' cost per note as the cadence grows: 100, 1,000 and
 * 10,000 (the limit) trivial C notes, the empty hook and all three. */
static void bench_observe_growth(int reps)
{
	for (int n = 100; n <= CADENCE_MAX_MEASURES; n *= 10)
		bench_observe_one("C notes (symbol)", "{symbol: tick}", n, reps * 2, "ns", 1e9, 1);
}

/* ---- the field dimension (issue 15) ------------------------------------------ */

/* Per-note cost as the score widens: F integer fields f0..f{F-1} and
 * SCALE_NOTES notes at every width, note nK_fJ touching field fJ, J = K
 * mod F, run by `then` measures spread over all the notes (measure i runs
 * note (i * step) mod SCALE_NOTES, step coprime to it), so that a lookup
 * that scans the score pays its average.  The number of notes is the same
 * at every width, so that what changes is the score alone: with one note
 * per field, the narrow scores would also have few notes, all in the
 * processor's first-level cache, and the ratio would measure the cache
 * (`bench_run REPEAT scale --per-field` gives that figure: F notes).  The cost of a note is the
 * marginal one: the same notes and score run by SCALE_N1 and by SCALE_N2
 * measures, each round timing both, and (T(N2) - T(N1)) / (N2 - N1), so
 * the per-run setup (the score built from its defaults, the result) is
 * not in it.  Each time is CPU time of the process, the best of a few
 * runs (about 20 ms of them, 3 at least); reported: the median over the
 * rounds. */
enum {
	SCALE_N1 = CADENCE_MAX_MEASURES / 2,
	SCALE_N2 = CADENCE_MAX_MEASURES,
	SCALE_NOTES = CADENCE_MAX_NOTES
};
#define SCALE_NOTES_N CADENCE_MAX_NOTES	/* for STR() */
#define STR_(x) #x
#define STR(x) STR_(x)

static volatile double scale_sink;

/* The field of note nK_fJ: fJ */
static const char *scale_field(const cadence_note_ctx *ctx)
{
	const char *u = strchr(cadence_note_name(ctx), '_');
	return u ? u + 1 : "";
}

/* reads its field by name from the cJSON score, changes nothing */
static int rd_name(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)changes;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(score, scale_field(ctx));
	scale_sink = v ? v->valuedouble : -1;
	return CADENCE_NOTE_OK;
}

/* reads its field by name from the cJSON score and writes it plus one */
static int rw_name(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	const char *field = scale_field(ctx);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(score, field);
	*changes = cJSON_CreateObject();
	if (!v || !*changes || !cJSON_AddNumberToObject(*changes, field, v->valuedouble + 1))
		return cadence_note_fail(ctx, "no field %s, or out of memory", field);
	return CADENCE_NOTE_OK;
}

#if CADENCE_NOTE_API_MINOR >= 2
/* reads its field by name through the note API (a hash of the declared
 * fields), changes nothing */
static int rd_api_name(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	const cJSON *v = cadence_note_field(ctx, scale_field(ctx));
	scale_sink = v ? v->valuedouble : -1;
	return CADENCE_NOTE_OK;
}

/* The handle of each note's field, resolved at its first call: note nK_fJ
 * keeps its handle in slot K (the notes of this benchmark run one at a
 * time, so one table serves; a note run by several threads keeps one per
 * thread, as note.h shows). */
static cadence_field_handle scale_handles[SCALE_NOTES];

/* reads its field by a handle resolved once, changes nothing */
static int rd_api_handle(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	size_t k = (size_t)strtoul(cadence_note_name(ctx) + 1, NULL, 10);
	if (k >= SCALE_NOTES)
		return cadence_note_fail(ctx, "bench_run: more than %d notes", SCALE_NOTES);
	const cJSON *v = cadence_note_field_at(ctx, scale_handles[k]);
	if (!v) {
		if (cadence_note_field_handle(&scale_handles[k], ctx, scale_field(ctx)))
			return cadence_note_fail(ctx, "no field %s", scale_field(ctx));
		v = cadence_note_field_at(ctx, scale_handles[k]);
	}
	scale_sink = v ? v->valuedouble : -1;
	return CADENCE_NOTE_OK;
}
#define RD_API_NAME rd_api_name
#define RD_API_HANDLE rd_api_handle
#define RD_API_WHY ""
#else
#define RD_API_NAME NULL
#define RD_API_HANDLE NULL
#define RD_API_WHY "n/a (note API 1.2 not in this build)"
#endif

typedef struct scale_kind {
	const char *title;
	const char *note;	/* the note's body; each %d: its field's number */
	int symbol;		/* a C note, registered as "fn" */
	cadence_note_fn fn;	/* NULL for a C note: not measured in this build */
} scale_kind;

static const scale_kind scale_kinds[] = {
	{ "set (read+write)", "{set: {f%d: 'score.f%d + 1'}}", 0, NULL },
	{ "C read, cJSON by name", "{symbol: fn, reads: [f%d]}", 1, rd_name },
	{ "C read+write, cJSON", "{symbol: fn, writes: [f%d]}", 1, rw_name },
	{ "C read, API by name", "{symbol: fn, reads: [f%d]}", 1, RD_API_NAME },
	{ "C read, by handle", "{symbol: fn, reads: [f%d]}", 1, RD_API_HANDLE },
};
#define SCALE_KINDS (sizeof(scale_kinds) / sizeof(scale_kinds[0]))
#define SKIPPED(k) (scale_kinds[k].symbol && !scale_kinds[k].fn)

/* A step coprime to f, so that (i * step) % f visits every field. */
static int coprime_step(int f)
{
	int step = 7919;
	for (;;) {
		int a = step, b = f;
		while (b) {
			int t = a % b;
			a = b;
			b = t;
		}
		if (a == 1)
			return step % f;
		step += 2;
	}
}

/* The cadence of kind k over f fields, `notes` notes and n measures,
 * loaded, and its runner, prepared. */
static cadence_runner *scale_runner(const scale_kind *k, int f, int notes, int n,
				    cadence_def **def)
{
	strbuf y = STRBUF_INIT;
	int step = coprime_step(notes);
	cad_strbuf_adds(&y, "cadence: wide\nscore:\n");
	for (int i = 0; i < f; i++)
		cad_strbuf_addf(&y, "  f%d: {type: integer, default: 0}\n", i);
	cad_strbuf_adds(&y, "notes:\n");
	for (int i = 0; i < notes; i++) {
		cad_strbuf_addf(&y, "  n%d_f%d: ", i, i % f);
		cad_strbuf_addf(&y, k->note, i % f, i % f);
		cad_strbuf_adds(&y, "\n");
	}
	cad_strbuf_adds(&y, "measures:\n");
	for (int i = 0; i < n; i++) {
		int j = (int)(((long long)i * step) % notes);
		cad_strbuf_addf(&y, "  - then: m%d\n    note: n%d_f%d\n", i, j, j % f);
	}
	*def = load(y.buf, y.len);
	cad_strbuf_free(&y);
	cadence_runner *r;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	if (cadence_runner_new(&r, NULL, *def, NULL) ||
	    (k->symbol && cadence_runner_register(r, "fn", k->fn, NULL)))
		exit(1);
	must(cadence_runner_prepare(r, &err), &err);
	return r;
}

/* The best of `reps` runs in CPU time of the process: a note's cost is
 * work on the CPU, and the machine these run on is shared, so a run that
 * waits for the CPU would otherwise count the wait. */
static double best_cpu_run(cadence_runner *r, int reps)
{
	double best = 1e30;
	for (int i = 0; i < reps; i++) {
		cJSON *out = NULL;
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		struct timespec a, b;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		int rc = cadence_runner_run(&out, r, NULL, &err);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		must(rc, &err);
		cJSON_Delete(out);
		cadence_run_error_clear(&err);
		double t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		best = t < best ? t : best;
	}
	return best;
}

static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void bench_scale_notes(int reps, const int *fs, int nf, int per_field)
{
	enum { MAXF = 8 };
	cadence_runner *r[MAXF][SCALE_KINDS][2] = { { { NULL } } };
	cadence_def *d[MAXF][SCALE_KINDS][2] = { { { NULL } } };
	double *slope[MAXF][SCALE_KINDS], setup[MAXF];
	static const int ns[2] = { SCALE_N1, SCALE_N2 };
	int inner[MAXF][SCALE_KINDS];

	nf = nf > MAXF ? MAXF : nf;
	for (int i = 0; i < nf; i++)
		for (size_t k = 0; k < SCALE_KINDS; k++) {
			if (!(slope[i][k] = calloc((size_t)reps, sizeof(double))))
				exit(1);
			for (int j = 0; j < 2 && !SKIPPED(k); j++)
				r[i][k][j] = scale_runner(&scale_kinds[k], fs[i],
						     per_field ? fs[i] : SCALE_NOTES, ns[j],
						     &d[i][k][j]);
			/* a run to warm up, and how many make a time: about 20 ms */
			if (!SKIPPED(k)) {
				double t = best_cpu_run(r[i][k][1], 1);
				inner[i][k] = t > 0.02 / 3 ? 3 : t < 0.02 / 30 ? 30 : (int)(0.02 / t);
			}
		}
	/* rounds: every width and kind, N1 and N2 in turn, the order of the
	 * two alternating, so a busy spell of the machine hits all alike */
	for (int round = 0; round < reps; round++)
		for (int i = 0; i < nf; i++)
			for (size_t k = 0; k < SCALE_KINDS; k++) {
				if (SKIPPED(k))
					continue;
				double t[2];
				for (int j = 0; j < 2; j++) {
					int which = round % 2 ? 1 - j : j;
					t[which] = best_cpu_run(r[i][k][which], inner[i][k]);
				}
				slope[i][k][round] = (t[1] - t[0]) / (SCALE_N2 - SCALE_N1);
			}
	/* what a run costs besides its notes: a run of one `set` measure */
	for (int i = 0; i < nf; i++) {
		cadence_def *d1;
		cadence_runner *r1 = scale_runner(&scale_kinds[0], fs[i], 1, 1, &d1);
		setup[i] = best_cpu_run(r1, 20);
		cadence_runner_free(r1);
		cadence_def_free(d1);
	}
	printf("per-note engine cost by score width: marginal ns per note, (T(%d) - T(%d)) / %d "
	       "`then` measures over %s notes, T the best of a few runs in CPU time, median of "
	       "%d rounds; (x F=%d)\n\n",
	       SCALE_N2, SCALE_N1, SCALE_N2 - SCALE_N1, per_field ? "F" : STR(SCALE_NOTES_N), reps,
	       fs[0]);
	printf("| fields |");
	for (size_t k = 0; k < SCALE_KINDS; k++)
		printf(" %s |", scale_kinds[k].title);
	printf(" a run of one `set` note (us) |\n|---:|");
	for (size_t k = 0; k <= SCALE_KINDS; k++)
		printf("---:|");
	printf("\n");
	double base[SCALE_KINDS];
	for (int i = 0; i < nf; i++) {
		printf("| %d |", fs[i]);
		for (size_t k = 0; k < SCALE_KINDS; k++) {
			if (SKIPPED(k)) {
				printf(" %s |", RD_API_WHY);
				continue;
			}
			double m = median_of(slope[i][k], reps) * 1e9;
			if (!i)
				base[k] = m;
			printf(" %.0f (%.2fx) |", m, m / base[k]);
		}
		printf(" %.1f |\n", setup[i] * 1e6);
	}
	printf("\n");
	for (int i = 0; i < nf; i++)
		for (size_t k = 0; k < SCALE_KINDS; k++) {
			for (int j = 0; j < 2; j++) {
				cadence_runner_free(r[i][k][j]);
				cadence_def_free(d[i][k][j]);
			}
			free(slope[i][k]);
		}
}

/* One sync of W C notes over a W-field score (each writing one field),
 * W = 100 and 1,000, in the pool and with --jobs 1: the median over
 * `reps` interleaved rounds of the time per measure (1,000 / W measures
 * per run). */
static void bench_scale_sync(int reps)
{
	static const int widths[] = { 100, 1000 };
	static const unsigned jobs[] = { 0, 1 };
	cadence_runner *r[2][2];
	cadence_def *d[2][2];
	double *t[2][2];

	for (int w = 0; w < 2; w++)
		for (int j = 0; j < 2; j++) {
			r[w][j] = sync_runner(widths[w], 1000 / widths[w], jobs[j], &d[w][j]);
			if (!(t[w][j] = calloc((size_t)reps, sizeof(double))))
				exit(1);
		}
	for (int round = 0; round < reps; round++)
		for (int w = 0; w < 2; w++)
			for (int j = 0; j < 2; j++)
				t[w][j][round] = best_run(r[w][j], 1) / (1000 / widths[w]);
	printf("one sync of W C notes over W fields, each writing its own field: us per "
	       "measure (wall), median and best of %d rounds (goal at 100 x 100, pool: <= 200)\n\n",
	       reps);
	printf("| notes x fields | pool (default), median | best | --jobs 1, median | best |\n"
	       "|---|---:|---:|---:|---:|\n");
	for (int w = 0; w < 2; w++) {
		printf("| %d x %d |", widths[w], widths[w]);
		for (int j = 0; j < 2; j++) {
			double m = median_of(t[w][j], reps);	/* sorts: [0] is the best */
			printf(" %.1f | %.1f |", m * 1e6, t[w][j][0] * 1e6);
		}
		printf("\n");
	}
	printf("\n");
	for (int w = 0; w < 2; w++)
		for (int j = 0; j < 2; j++) {
			cadence_runner_free(r[w][j]);
			cadence_def_free(d[w][j]);
			free(t[w][j]);
		}
}

/* bench_run REPEAT scale [--per-field] [F...]: the figures of issue 15
 * (docs/benchmarks.md, "Scale: notes x score fields"), F by default 10 100
 * 1000 10000; --per-field: F notes, one per field, instead of 10,000. */
static void bench_scale(int reps, int argc, char **argv)
{
	int fs[8] = { 10, 100, 1000, 10000 }, nf = 4, per_field = 0;
	if (argc > 0 && !strcmp(argv[0], "--per-field")) {
		per_field = 1;
		argc--;
		argv++;
	}
	if (argc > 0) {
		nf = 0;
		for (int i = 0; i < argc && nf < 8; i++) {
			int f = atoi(argv[i]);
			if (f < 1 || f > CADENCE_MAX_FIELDS) {
				fprintf(stderr, "bench_run: fields from 1 to %d\n", CADENCE_MAX_FIELDS);
				exit(2);
			}
			fs[nf++] = f;
		}
	}
	bench_symbol(reps * 10, CADENCE_MAX_MEASURES);
	printf("\n");
	bench_scale_notes(reps, fs, nf, per_field);
	bench_scale_sync(reps);
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
	if (argc > 2 && !strcmp(argv[2], "observe-growth")) {
		bench_observe_growth(reps);	/* the same per note at 100 to 10,000 notes */
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "dag")) {
		bench_dag(reps * 20);	/* bench_run REPEAT dag: that figure alone */
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "scale")) {
		bench_scale(reps, argc - 3, argv + 3);
		return 0;
	}
	/* 10,000 measures: the documented limit (CADENCE_MAX_MEASURES) */
	bench_symbol(reps * 10, CADENCE_MAX_MEASURES);
	bench_sync(reps * 20, 1, 10);
	bench_sync(reps * 20, 0, 10);
	bench_set(reps * 10, CADENCE_MAX_MEASURES);
	bench_process(reps, 200);
	bench_observe(reps);
	return 0;
}
