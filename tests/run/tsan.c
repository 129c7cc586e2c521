/* SPDX-License-Identifier: MIT */
/* A ThreadSanitizer check of the run engine's threads (Criterion and TSan
 * do not mix, so this is a plain program): syncs and a dag of C notes on
 * the pool,
 * one runner used by several threads at once, a cancel from another
 * thread; its events counted by the metrics through on_note (atomics,
 * no lock) and fed to a trace and an events stream through a report
 * queue with a small ring (its thread, and callers waiting for room).  tests/run/tsan.sh builds the library with -fsanitize=thread and
 * runs it; any report fails it. */
#include <cadence/cadence.h>
#include <cadence/report.h>
#include <cadence/run.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char text[] =
	"cadence: threads\n"
	"score:\n"
	"  a: {type: integer, default: 0}\n"
	"  b: {type: integer, default: 0}\n"
	"  c: {type: integer, default: 0}\n"
	"  d: {type: array, default: []}\n"
	"notes:\n"
	"  na: {symbol: inc, writes: [a]}\n"
	"  nb: {symbol: inc, writes: [b]}\n"
	"  nc: {symbol: inc, writes: [c]}\n"
	"  nd: {symbol: push, retry: {attempts: 3}}\n"
	"  ne: {symbol: push}\n"
	"measures:\n"
	"  - sync: all\n"
	"    merge: smart_merge\n"
	"    notes: [na, nb, nc, nd, ne]\n"
	"  - sync: again\n"
	"    merge: smart_merge\n"
	"    notes: [na, nd]\n"
	"  - dag: graph\n"
	"    merge: smart_merge\n"
	"    jobs: 3\n"
	"    tasks:\n"
	"      - task: na\n"
	"      - {task: nb, after: [na]}\n"
	"      - {task: nc, after: [na]}\n"
	"      - {task: nd, after: [nb, nc]}\n"
	"      - task: ne\n";

static int inc(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	const char *f = cadence_note_name(ctx) + 1;
	char field[2] = { f[0], 0 };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(score, field);
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, field, v->valuedouble + 1);
	return CADENCE_NOTE_OK;
}

static int push(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	static _Atomic unsigned n;
	if (!strcmp(cadence_note_name(ctx), "nd") && cadence_note_attempt(ctx) == 1 && ++n % 3 == 0)
		return cadence_note_fail(ctx, "flaky");
	cJSON *d = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(score, "d"), 1);
	cJSON_AddItemToArray(d, cJSON_CreateString(cadence_note_name(ctx)));
	*changes = cJSON_CreateObject();
	cJSON_AddItemToObject(*changes, "d", d);
	return CADENCE_NOTE_OK;
}

static _Atomic long events;

static cadence_metrics *metrics;
static cadence_report_queue *queue;

static void on_event(void *ctx, const cadence_event *ev)
{
	(void)ctx;
	events++;	/* runs in parallel call hooks in parallel */
	cadence_metrics_on_event(metrics, ev);
	cadence_report_queue_on_event(queue, ev);
}

static void *on_note(void *ctx, const char *cadence, const char *note)
{
	(void)ctx;
	return cadence_metrics_on_note(metrics, cadence, note);
}

static cadence_runner *runner;
static int failures;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 300; i++) {
		cJSON *out = NULL;
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		int rc = cadence_runner_run(&out, runner, NULL, &err);
		if (rc && rc != CADENCE_ECANCELED) {
			pthread_mutex_lock(&mu);
			failures++;
			fprintf(stderr, "run failed: %s\n", err.message);
			pthread_mutex_unlock(&mu);
		}
		cJSON_Delete(out);
		cadence_run_error_clear(&err);
	}
	return NULL;
}

int main(void)
{
	cadence_diags *diags;
	cadence_def *def;
	cadence_diags_new(&diags);
	if (cadence_load_buffer(&def, "threads", text, strlen(text), NULL, diags)) {
		cadence_diags_write(diags, stderr, CADENCE_DIAG_TEXT, NULL);
		return 1;
	}
	cadence_trace *trace;
	cadence_events *lines;
	FILE *sink = fopen("/dev/null", "w");
	if (!sink || cadence_metrics_new(&metrics) || cadence_trace_new(&trace) ||
	    cadence_events_new(&lines, sink) || cadence_report_queue_new(&queue, trace, lines, 4096))
		return 1;
	cadence_run_hooks hooks = { CADENCE_RUN_HOOKS_VERSION, NULL, on_event, on_note };
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	opts.hooks = &hooks;
	opts.jobs = 4;
	cadence_runner_new(&runner, NULL, def, &opts);
	cadence_runner_register(runner, "inc", inc, NULL);
	cadence_runner_register(runner, "push", push, NULL);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	nanosleep(&(struct timespec){ 0, 200 * 1000000 }, NULL);
	cadence_runner_cancel(runner);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	cadence_runner_free(runner);
	cadence_report_queue_free(queue);
	FILE *out = fopen("/dev/null", "w");
	if (!out || cadence_metrics_write(metrics, out) || cadence_trace_write(trace, out) ||
	    cadence_events_status(lines, NULL))
		failures++;
	fclose(out);
	fclose(sink);
	cadence_metrics_free(metrics);
	cadence_trace_free(trace);
	cadence_events_free(lines);
	cadence_def_free(def);
	cadence_diags_free(diags);
	printf("tsan check: %d failures, %ld events\n", failures, (long)events);
	return failures != 0;
}
