/* SPDX-License-Identifier: MIT */
/* The dag measure at run time (docs/format.md, "dag"): order, data flow,
 * the merge, the four outcomes under each on_failure, and the same score
 * whatever the timing. */
#include <cadence/builder.h>
#include <cadence/checkpoint.h>

#include "run_fixture.h"
#include "util/strbuf.h"

static fx F;
static int append(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes);
static strbuf tasks;	/* "name outcome[: reason]" per task event, in order */
static strbuf cancels;	/* "name: why" per task cancelled */

static void on_event(void *ctx, const cadence_event *ev)
{
	static const char *const outcome[] = { "ok", "failed", "skipped", "cancelled" };
	fx_on_event(ctx, ev);
	if (ev->kind == CADENCE_EVENT_TASK_START)
		cad_strbuf_addf(&tasks, "%s start\n", ev->task);
	if (ev->kind == CADENCE_EVENT_TASK_END && ev->status == CADENCE_TASK_CANCELLED)
		cad_strbuf_addf(&cancels, "%s: %s\n", ev->task, ev->message ? ev->message : "");
	if (ev->kind == CADENCE_EVENT_TASK_END || ev->kind == CADENCE_EVENT_TASK_SKIPPED)
		cad_strbuf_addf(&tasks, "%s %s%s%s\n", ev->task, outcome[ev->status],
				ev->kind == CADENCE_EVENT_TASK_SKIPPED ? ": " : "",
				ev->kind == CADENCE_EVENT_TASK_SKIPPED ? ev->message : "");
}

static void setup(void)
{
	fx_init(&F);
	F.hooks.on_event = on_event;
	cad_strbuf_reset(&tasks);
	cad_strbuf_reset(&cancels);
}

static void teardown(void)
{
	fx_free(&F);
	cad_strbuf_free(&tasks);
	cad_strbuf_free(&cancels);
}

TestSuite(dag, .init = setup, .fini = teardown);

static int saw(const char *line)
{
	return tasks.buf && strstr(tasks.buf, line) != NULL;
}

#define assert_saw(line) cr_assert(saw(line), "no '%s' in task events:\n%s", line, \
				   tasks.buf ? tasks.buf : "")

/* ---- order and data flow ---------------------------------------------------- */

/* A diamond: b and c see a's change, not each other's; d sees all. */
static const char diamond[] =
	"cadence: t\n"
	"score:\n"
	"  x: {type: integer, default: 0}\n"
	"  y: {type: integer, default: 0}\n"
	"  z: {type: integer, default: 0}\n"
	"  w: {type: integer, default: 0}\n"
	"  seen_by_c: {type: integer, default: -1}\n"
	"notes:\n"
	"  a: {set: {x: 'score.x + 1'}}\n"
	"  b: {set: {y: 'score.x + score.z + 10'}}\n"
	"  c: {set: {z: 'score.x + 20', seen_by_c: 'score.y'}}\n"
	"  d: {set: {w: 'score.x + score.y + score.z'}}\n"
	"measures:\n"
	"  - dag: diamond\n"
	"%s"
	"    tasks:\n"
	"      - {task: d, after: [b, c]}\n"
	"      - {task: c, after: [a]}\n"
	"      - {task: b, after: [a]}\n"
	"      - {task: a}\n";

/* jobs 0: the default (one per CPU) */
static void run_diamond(unsigned jobs)
{
	char y[sizeof(diamond) + 32], j[24] = "";
	if (jobs)
		snprintf(j, sizeof(j), "    jobs: %u\n", jobs);
	snprintf(y, sizeof(y), diamond, j);
	fx_load(&F, y);
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "x", "1");
	assert_field(&F, "y", "11");	/* b did not see c's z */
	assert_field(&F, "z", "21");
	assert_field(&F, "seen_by_c", "0");	/* nor c b's y */
	assert_field(&F, "w", "33");
}

Test(dag, diamond_jobs_1)
{
	run_diamond(1);
	/* the dag order: a first; among c and b ready at once, c (listed first) */
	cr_assert_str_eq(tasks.buf, "a start\na ok\nc start\nc ok\nb start\nb ok\nd start\nd ok\n");
}

Test(dag, diamond_jobs_2)
{
	run_diamond(2);
}

Test(dag, diamond_jobs_default)
{
	run_diamond(0);
	fx_load(&F, "cadence: t\nscore: {x: {type: integer, default: 0}}\n"
		"notes: {a: {set: {x: 'score.x + 1'}}}\n"
		"measures:\n  - dag: d\n    tasks: [{task: a}]\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "x", "1");
}

/* ---- the merge ----------------------------------------------------------------- */

static const char merge_yaml[] =
	"cadence: t\n"
	"score:\n"
	"  x: {type: integer, default: 0}\n"
	"  log: {type: array, default: [s]}\n"
	"notes:\n"
	"  one: {set: {x: '1', log: 'score.log + [\"one\"]'}}\n"
	"  two: {set: {x: '2', log: 'score.log + [\"two\"]'}}\n"
	"  three: {set: {x: '3', log: 'score.log + [\"three\"]'}}\n"
	"measures:\n"
	"  - dag: m\n"
	"    merge: %s\n"
	"    tasks:\n"
	"      - {task: three, after: [one]}\n"	/* a descendant of one */
	"      - {task: one}\n"
	"      - {task: two}\n";			/* unordered with both */

Test(dag, descendant_value_wins)
{
	fx_load(&F, "cadence: t\nscore: {x: {type: integer, default: 0}}\n"
		"notes: {one: {set: {x: '1'}}, two: {set: {x: 'score.x + 1'}}}\n"
		"measures:\n  - dag: d\n    tasks:\n"
		"      - {task: two, after: [one]}\n      - {task: one}\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "x", "2");
}

Test(dag, unordered_writers_fail_on_conflict)
{
	char y[sizeof(merge_yaml) + 32];
	snprintf(y, sizeof(y), merge_yaml, "fail_on_conflict");
	fx_load(&F, y);
	cr_assert_eq(fx_run(&F, NULL), CADENCE_EFAILED);
	/* three overrode one's x (it saw it); two, unordered with three, conflicts */
	assert_error(&F, "dag 'm'", "tasks 'three' and 'two' both changed field 'x'");
}

Test(dag, unordered_writers_last_write_wins)
{
	char y[sizeof(merge_yaml) + 32];
	snprintf(y, sizeof(y), merge_yaml, "last_write_wins");
	fx_load(&F, y);
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	/* dag order: one, three, two: two is last */
	assert_field(&F, "x", "2");
	assert_field(&F, "log", "[\"s\",\"two\"]");
}

Test(dag, unordered_writers_smart_merge)
{
	fx_load(&F, "cadence: t\n"
		"score: {log: {type: array, default: [s]}}\n"
		"notes:\n"
		"  one: {set: {log: 'score.log + [\"one\"]'}}\n"
		"  two: {set: {log: 'score.log + [\"two\"]'}}\n"
		"  three: {set: {log: 'score.log + [\"three\"]'}}\n"
		"measures:\n  - dag: m\n    merge: smart_merge\n    tasks:\n"
		"      - {task: three, after: [one]}\n      - {task: one}\n      - {task: two}\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	/* three extended one's list; two's addition follows, in dag order */
	assert_field(&F, "log", "[\"s\",\"one\",\"three\",\"two\"]");
}

/* A task after two writers changed what it saw, their merge: its change is
 * measured against that, not against the last ancestor's value alone
 * (lists extend once; a key it removed stays removed). */
Test(dag, smart_merge_measures_a_change_against_what_the_task_saw)
{
	fx_load(&F, "cadence: t\n"
		"score:\n  l: {type: array, default: []}\n  o: {type: object, default: {}}\n"
		"notes:\n"
		"  a: {set: {l: 'score.l + [1]', o: '{\"a\": 1}'}}\n"
		"  b: {set: {l: 'score.l + [2]', o: '{\"b\": 2}'}}\n"
		"  x: {set: {l: 'score.l + [3]', o: '{\"x\": 3}'}}\n"
		"  c: {set: {l: 'score.l + [9]', o: '{\"b\": score.o.b, \"c\": 9}'}}\n"
		"measures:\n  - dag: d\n    merge: smart_merge\n    tasks:\n"
		"      - task: a\n      - task: b\n      - task: x\n"
		"      - {task: c, after: [a, b]}\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "l", "[1,2,3,9]");
	assert_field(&F, "o", "{\"b\":2,\"x\":3,\"c\":9}");
}

/* ---- outcomes ------------------------------------------------------------------ */

Test(dag, when_false_skips_only_that_task)
{
	fx_load(&F, "cadence: t\n"
		"score: {kind: {type: string, default: a}, log: {type: array, default: []}}\n"
		"notes:\n"
		"  first: {set: {log: 'score.log + [\"first\"]'}}\n"
		"  maybe: {set: {log: 'score.log + [\"maybe\"]'}}\n"
		"  last: {set: {log: 'score.log + [\"last\"]'}}\n"
		"measures:\n  - dag: d\n    merge: smart_merge\n    tasks:\n"
		"      - {task: first}\n"
		"      - {task: maybe, after: [first], when: 'score.kind == \"b\"'}\n"
		"      - {task: last, after: [maybe]}\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "log", "[\"first\",\"last\"]");
	assert_saw("maybe skipped: its condition 'score.kind == \"b\"' gave false");
	assert_saw("last ok");
	cr_assert_eq(fx_run(&F, "{\"kind\": \"b\"}"), 0, "%s", F.err.message);
	assert_field(&F, "log", "[\"first\",\"maybe\",\"last\"]");
}

/* bad fails; below it, below fails; beside it, other; after other, later */
static const char fail_yaml[] =
	"cadence: t\n"
	"score: {log: {type: array, default: []}, n: {type: integer, default: 0}}\n"
	"notes:\n"
	"  bad: {run: [sh, -c, 'echo broken >&2; exit 3']}\n"
	"  below: {set: {n: '1'}}\n"
	"  other: {set: {log: 'score.log + [\"other\"]'}}\n"
	"  later: {set: {log: 'score.log + [\"later\"]'}}\n"
	"  ok1: {set: {n: '5'}}\n"
	"measures:\n"
	"  - then: ok1\n"
	"  - dag: d\n"
	"    jobs: 1\n"
	"    merge: smart_merge\n"
	"    on_failure: %s\n"
	"    tasks:\n"
	"      - {task: bad}\n"
	"      - {task: below, after: [bad]}\n"
	"      - {task: deeper, note: below, after: [below]}\n"
	"      - {task: other}\n"
	"      - {task: later, after: [other]}\n";

static void run_fail(const char *policy)
{
	char y[sizeof(fail_yaml) + 32];
	snprintf(y, sizeof(y), fail_yaml, policy);
	fx_load(&F, y);
	cr_assert_eq(fx_run(&F, NULL), CADENCE_EFAILED);
	assert_error(&F, "dag 'd'", "task 'bad'", "exited with status 3");
	cr_assert_str_eq(F.err.measure, "d");
	cr_assert_str_eq(F.err.note, "bad");
	assert_saw("bad failed");
	assert_saw("below skipped: upstream task 'bad' failed");
	assert_saw("deeper skipped: upstream task 'bad' failed");
}

Test(dag, a_failure_under_finish_starts_nothing_more)
{
	run_fail("finish");
	assert_saw("other cancelled");
	assert_saw("later cancelled");
	cr_assert(!saw("other start"));
}

Test(dag, a_failure_under_continue_runs_the_rest)
{
	run_fail("continue");
	assert_saw("other ok");
	assert_saw("later ok");
}

Test(dag, a_failure_under_stop_cancels_the_running_tasks)
{
	fx_load(&F, "cadence: t\n"
		"score: {n: {type: integer, default: 0}}\n"
		"notes:\n"
		"  slow: {run: [sleep, '30']}\n"
		"  bad: {run: [sh, -c, 'sleep 0.2; exit 4']}\n"
		"  next: {set: {n: '1'}}\n"
		"measures:\n  - dag: d\n    jobs: 2\n    on_failure: stop\n    tasks:\n"
		"      - {task: slow}\n"
		"      - {task: bad}\n"
		"      - {task: never, note: next}\n"
		"      - {task: next, after: [bad]}\n");
	cr_assert_eq(fx_run(&F, NULL), CADENCE_EFAILED);
	assert_error(&F, "task 'bad'", "exited with status 4");
	assert_saw("bad failed");
	assert_saw("slow cancelled");
	assert_saw("never cancelled");
	assert_saw("next skipped: upstream task 'bad' failed");
}

/* A failure's changes are lost, the others' kept (on_error sees them), and
 * the error is the first failure in dag order, not in time. */
Test(dag, the_error_is_the_first_failure_in_dag_order)
{
	fx_load(&F, "cadence: t\n"
		"score: {n: {type: integer, default: 0}, seen: {type: integer, default: 0}}\n"
		"notes:\n"
		"  late_fail: {run: [sh, -c, 'sleep 0.1; exit 5']}\n"
		"  early_fail: {run: [sh, -c, 'exit 6']}\n"
		"  good: {set: {n: '7'}}\n"
		"  handler: {set: {seen: 'score.n'}}\n"
		"on_error: {note: handler, stop: false}\n"
		"measures:\n  - dag: d\n    jobs: 3\n    on_failure: continue\n    tasks:\n"
		"      - {task: late_fail}\n"
		"      - {task: early_fail}\n"
		"      - {task: good}\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "seen", "7");
	cr_assert(events_have(&F, "error"));
	fx_load(&F, "cadence: t\n"
		"score: {n: {type: integer, default: 0}}\n"
		"notes:\n"
		"  late_fail: {run: [sh, -c, 'sleep 0.1; exit 5']}\n"
		"  early_fail: {run: [sh, -c, 'exit 6']}\n"
		"measures:\n  - dag: d\n    jobs: 3\n    on_failure: continue\n    tasks:\n"
		"      - {task: late_fail}\n"
		"      - {task: early_fail}\n");
	cr_assert_eq(fx_run(&F, NULL), CADENCE_EFAILED);
	assert_error(&F, "task 'late_fail'", "status 5");
}

/* Retries and fallbacks apply to a task's note as to any note. */
Test(dag, a_task_retries_and_falls_back)
{
	fx_write(&F, "flaky.sh", "#!/bin/sh\nf=\"$CADENCE_DIR/count\"\n"
		 "n=$(cat \"$f\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$f\"\n"
		 "[ $n -ge 2 ] && echo '{\"n\": 2}' || exit 1\n", 1);
	fx_fake_clock(&F);
	fx_load(&F, "cadence: t\n"
		"score: {n: {type: integer, default: 0}, f: {type: string, default: x}}\n"
		"notes:\n"
		"  flaky: {run: [./flaky.sh], retry: {attempts: 3, delay: 1ms}}\n"
		"  down: {run: [sh, -c, 'exit 1'], fallback: {f: fell}}\n"
		"measures:\n  - dag: d\n    tasks: [{task: flaky}, {task: down}]\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "n", "2");
	assert_field(&F, "f", "\"fell\"");
	assert_saw("flaky ok");
	assert_saw("down ok");
}

Test(dag, a_condition_that_is_not_a_boolean_fails_the_task)
{
	fx_load(&F, "cadence: t\n"
		"score: {m: {type: any}}\n"
		"notes: {a: {set: {m: '1'}}}\n"
		"measures:\n  - dag: d\n    tasks: [{task: a, when: 'score.m == 1 || score.m.x'}]\n");
	cr_assert_eq(fx_run(&F, "{\"m\": {\"y\": 1}}"), CADENCE_EFAILED);
	assert_error(&F, "task 'a'", "its condition");
	assert_saw("a failed");
}

/* ---- wide ------------------------------------------------------------------------ */

/* root, then `n` tasks after it, then sink after all of them: each middle
 * task appends its name; smart_merge keeps them in dag order. */
static void wide(unsigned n, unsigned jobs)
{
	strbuf y = STRBUF_INIT, want = STRBUF_INIT;
	cad_strbuf_adds(&y, "cadence: t\nscore:\n  log: {type: array, default: []}\n"
			"  count: {type: integer, default: 0}\nnotes:\n"
			"  root: {set: {log: '[\"root\"]'}}\n"
			"  sink: {set: {count: 'size(score.log)'}}\n");
	for (unsigned i = 0; i < n; i++)
		cad_strbuf_addf(&y, "  m%u: {set: {log: 'score.log + [\"m%u\"]'}}\n", i, i);
	cad_strbuf_addf(&y, "measures:\n  - dag: d\n    merge: smart_merge\n");
	if (jobs)
		cad_strbuf_addf(&y, "    jobs: %u\n", jobs);
	cad_strbuf_adds(&y, "    tasks:\n      - task: sink\n        after: [");
	for (unsigned i = 0; i < n; i++)
		cad_strbuf_addf(&y, "%sm%u", i ? ", " : "", i);
	cad_strbuf_adds(&y, "]\n");
	for (unsigned i = 0; i < n; i++)
		cad_strbuf_addf(&y, "      - {task: m%u, after: [root]}\n", i);
	cad_strbuf_adds(&y, "      - {task: root}\n");
	fx_load(&F, y.buf);
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	cad_strbuf_adds(&want, "[\"root\"");
	for (unsigned i = 0; i < n; i++)
		cad_strbuf_addf(&want, ",\"m%u\"", i);
	cad_strbuf_adds(&want, "]");
	cJSON *log = cJSON_GetObjectItemCaseSensitive(F.out, "log");
	char *got = cJSON_PrintUnformatted(log);
	cr_assert_str_eq(got, want.buf);
	cJSON_free(got);
	char c[16];
	snprintf(c, sizeof(c), "%u", n + 1);
	assert_field(&F, "count", c);
	cad_strbuf_free(&y);
	cad_strbuf_free(&want);
}

Test(dag, wide_fan_in_jobs_1)
{
	wide(120, 1);
}

Test(dag, wide_fan_in_jobs_2)
{
	wide(120, 2);
}

Test(dag, wide_fan_in_jobs_default)
{
	wide(120, 0);
}

/* ---- the same score whatever the timing ------------------------------------------ */

/* Appends its name (user data) to log and records the log's length as it
 * saw it, after a random sleep of 0 to 1 ms. */
static int step(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	static _Thread_local unsigned seed;
	const char *name = cadence_note_user(ctx);
	if (!seed)
		seed = (unsigned)(uintptr_t)&seed ^ (unsigned)time(NULL);
	nanosleep(&(struct timespec){ 0, (long)(rand_r(&seed) % 1000) * 1000 }, NULL);
	cJSON *log = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(score, "log"), 1);
	int seen = cJSON_GetArraySize(log);
	cJSON_AddItemToArray(log, cJSON_CreateString(name));
	*changes = cJSON_CreateObject();
	cJSON_AddItemToObject(*changes, "log", log);
	char field[16];
	snprintf(field, sizeof(field), "seen_%s", name);
	cJSON_AddNumberToObject(*changes, field, seen);
	return CADENCE_NOTE_OK;
}

#define DET_TASKS 30
static char det_names[DET_TASKS][8];

static void det_load(unsigned jobs)
{
	F.opts.jobs = jobs;
	strbuf y = STRBUF_INIT;
	cad_strbuf_adds(&y, "cadence: t\nscore:\n  log: {type: array, default: []}\n");
	for (unsigned i = 0; i < DET_TASKS; i++)
		cad_strbuf_addf(&y, "  seen_t%u: {type: integer, default: -1}\n", i);
	cad_strbuf_adds(&y, "notes:\n");
	for (unsigned i = 0; i < DET_TASKS; i++)
		cad_strbuf_addf(&y, "  t%u: {symbol: t%u}\n", i, i);
	cad_strbuf_adds(&y, "measures:\n  - dag: d\n    merge: smart_merge\n    tasks:\n");
	/* each task after up to two earlier ones, fixed pseudo-randomly */
	for (unsigned i = 0; i < DET_TASKS; i++) {
		unsigned a = (i * 7 + 3) % (i ? i : 1), b = (i * 13 + 5) % (i ? i : 1);
		if (!i || i % 5 == 0)
			cad_strbuf_addf(&y, "      - {task: t%u}\n", i);
		else if (a == b)
			cad_strbuf_addf(&y, "      - {task: t%u, after: [t%u]}\n", i, a);
		else
			cad_strbuf_addf(&y, "      - {task: t%u, after: [t%u, t%u]}\n", i, a, b);
	}
	fx_load(&F, y.buf);
	cad_strbuf_free(&y);
	for (unsigned i = 0; i < DET_TASKS; i++) {
		snprintf(det_names[i], sizeof(det_names[i]), "t%u", i);
		char sym[8];
		snprintf(sym, sizeof(sym), "t%u", i);
		cr_assert_eq(cadence_runner_register(F.r, sym, step, det_names[i]), 0);
	}
}

static char *det_run(unsigned jobs)
{
	det_load(jobs);
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	return cJSON_PrintUnformatted(F.out);
}

Test(dag, the_same_score_whatever_the_timing)
{
	char *first = det_run(1);
	for (int k = 0; k < 30; k++) {
		char *again = det_run(k % 3 == 0 ? 2 : 0);
		cr_assert_str_eq(again, first, "run %d differs", k);
		cJSON_free(again);
	}
	cJSON_free(first);
}

/* ---- checkpoints ------------------------------------------------------------------------ */

typedef struct saved {
	char *text[DET_TASKS + 2];
	size_t n;
} saved;

/* Keeps each checkpoint of the run as its text. */
static int keep(void *ctx, const cadence_checkpoint *cp, cadence_run_error *err)
{
	saved *s = ctx;
	size_t len = 0;
	(void)err;
	cr_assert_lt(s->n, DET_TASKS + 2, "more checkpoints than turns of the dag");
	FILE *f = open_memstream(&s->text[s->n], &len);
	cr_assert_not_null(f);
	cr_assert_eq(cadence_checkpoint_write(cp, f), 0);
	fclose(f);
	s->n++;
	return 0;
}

/* The score of a run resumed from cp, printed (cJSON_free()); the task
 * events of that run alone in `tasks`. */
static char *resumed_score(const cadence_checkpoint *cp)
{
	cadence_checkpoint_opts ro = CADENCE_CHECKPOINT_OPTS_INIT;
	ro.resume = cp;
	cad_strbuf_reset(&tasks);
	cJSON_Delete(F.out);
	F.out = NULL;
	cr_assert_eq(cadence_runner_run_checkpointed(&F.out, F.r, NULL, &ro, &F.err), 0, "%s",
		     F.err.message);
	return cJSON_PrintUnformatted(F.out);
}

/* Each checkpoint written inside the dag (its tasks that ended ok, with
 * their changes and what smart_merge measures them against) resumes to
 * the score of an uninterrupted run, running only the other tasks. */
Test(dag, a_resume_from_any_checkpoint_gives_the_uninterrupted_score)
{
	char *want = det_run(1);
	saved s = { { NULL }, 0 };
	/* a clock that stands still: no checkpoint is held back as too
	 * recent (a save waits nine times what the last one took) */
	fx_fake_clock(&F);
	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	co.on_checkpoint = keep;
	co.ctx = &s;
	det_load(2);
	cJSON_Delete(F.out);
	F.out = NULL;
	cr_assert_eq(cadence_runner_run_checkpointed(&F.out, F.r, NULL, &co, &F.err), 0, "%s",
		     F.err.message);
	size_t inside = 0;
	for (size_t k = 0; k < s.n; k++) {
		cadence_checkpoint *cp = NULL;
		cr_assert_eq(cadence_checkpoint_parse(&cp, s.text[k], strlen(s.text[k]), &F.err), 0,
			     "%s", F.err.message);
		if (strstr(s.text[k], "\"dag\":")) {
			inside++;
			char *got = resumed_score(cp);
			cr_assert_str_eq(got, want, "resumed from checkpoint %zu (%s)", k,
					 cadence_checkpoint_position(cp));
			cJSON_free(got);
			/* the recorded tasks did not run again */
			const char *done = strstr(s.text[k], "\"tasks\":");
			for (unsigned i = 0; i < DET_TASKS; i++) {
				char rec[32], ev[32];
				snprintf(rec, sizeof(rec), "\"task\": \"t%u\"", i);
				snprintf(ev, sizeof(ev), "t%u start\n", i);
				if (strstr(done, rec))
					cr_assert(!saw(ev), "t%u ran again: %s", i, tasks.buf);
			}
		}
		cadence_checkpoint_free(cp);
		free(s.text[k]);
	}
	cr_assert_gt(inside, 5, "%zu checkpoints inside the dag", inside);
	cJSON_free(want);
}

static int refuse(void *ctx, const cadence_checkpoint *cp, cadence_run_error *err)
{
	(void)ctx, (void)cp;
	err->message = strdup("the disk is full");
	return CADENCE_EIO;
}

/* Sleeps 50 ms, then sets its field (user data). */
static int nap(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, cadence_note_user(ctx), 1);
	return CADENCE_NOTE_OK;
}

/* A checkpoint that cannot be saved stops the dag: the tasks running are
 * cancelled, saying why, and the run fails with the reason. */
Test(dag, a_checkpoint_that_cannot_be_saved_cancels_the_running_tasks)
{
	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	co.on_checkpoint = refuse;
	fx_load(&F, "cadence: t\nscore:\n  x: {type: integer, default: 0}\n"
		"  y: {type: integer, default: 0}\n"
		"notes:\n  quick: {set: {x: '1'}}\n  slow: {symbol: slow}\n"
		"measures:\n  - dag: d\n    jobs: 2\n    tasks:\n"
		"      - {task: slow}\n      - {task: quick}\n");
	cr_assert_eq(cadence_runner_register(F.r, "slow", nap, "y"), 0);
	int rc = cadence_runner_run_checkpointed(&F.out, F.r, NULL, &co, &F.err);
	cr_assert_eq(rc, CADENCE_EIO, "%d: %s", rc, F.err.message);
	assert_error_has(&F, "the checkpoint after its tasks that ended could not be saved",
			 "the disk is full", NULL);
	assert_saw("quick ok");
	assert_saw("slow cancelled");
	cr_assert_str_eq(cancels.buf ? cancels.buf : "",
			 "slow: the dag stopped: its checkpoint could not be saved\n");
}

/* ---- child tasks ------------------------------------------------------------------------ */

/* kid: acc from base, twice (acc*3 + base); it fails when base < 0. */
static void write_kid(void)
{
	fx_write(&F, "kid.cadence.yaml",
		 "cadence: kid\nscore:\n  base: {type: integer, required: true}\n"
		 "  acc: {type: integer, default: 0}\n"
		 "notes:\n  grow: {set: {acc: 'score.acc * 3 + score.base'}}\n"
		 "  guard: {reads: [base], set: {acc: 'score.base < 0 ? score.base / 0 : score.acc'}}\n"
		 "measures:\n  - then: grow\n  - then: again\n    note: grow\n  - then: guard\n", 0);
}

static const char child_yaml[] =
	"cadence: t\nscore:\n"
	"  x: {type: integer, default: 0}\n"
	"  y: {type: integer, default: 0}\n"
	"  z: {type: integer, default: 0}\n"
	"  tag: {type: array, default: []}\n"
	"notes:\n"
	"  seed: {set: {x: 'score.x + 2'}}\n"
	"  zed: {set: {z: 'score.y + 1', tag: 'score.tag + [\"zed\"]'}}\n"
	"  side: {set: {tag: 'score.tag + [\"side\"]'}}\n"
	"measures:\n  - dag: g\n    merge: smart_merge\n%s    tasks:\n"
	"      - {task: seed}\n"
	"      - {task: kid, cadence: kid, with: {base: score.x}, merge: {y: score.acc, "
	"tag: 'score.acc > 0 ? [\"kid\"] : []'}, after: [seed]}\n"
	"      - {task: side, after: [seed]}\n"
	"      - {task: zed, after: [kid]}\n";

static void load_child(const char *extra)
{
	char y[sizeof(child_yaml) + 64];
	write_kid();
	snprintf(y, sizeof(y), child_yaml, extra);
	fx_load(&F, y);
}

/* Its input is the task's (seed's x), its changes are the child's merge,
 * which its dependents see and the dag's merge combines. */
Test(dag, a_child_task_runs_its_cadence_on_the_task_input)
{
	load_child("");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "x", "2");
	assert_field(&F, "y", "8");	/* (0*3+2)*3+2 */
	assert_field(&F, "z", "9");	/* zed, after kid, saw y */
	assert_field(&F, "tag", "[\"kid\",\"side\",\"zed\"]");	/* in dag order */
	assert_saw("kid ok");
}

/* No other task of its dag runs beside it: side, ready at once, starts
 * after it has ended, and nothing starts while it runs. */
Test(dag, a_child_task_runs_alone)
{
	load_child("    jobs: 4\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	cr_assert_str_eq(tasks.buf, "seed start\nseed ok\nkid start\nkid ok\nside start\nside ok\n"
			 "zed start\nzed ok\n");
}

/* Its child's failure fails the task: the tasks after it are skipped, the
 * dag's error names the task and the child's note. */
Test(dag, a_child_task_that_fails_fails_the_dag)
{
	load_child("    on_failure: continue\n");
	cr_assert_neq(fx_run(&F, "{\"x\": -10}"), 0);
	assert_saw("kid failed");
	assert_saw("zed skipped: upstream task 'kid' failed");
	assert_saw("side ok");
	assert_error_has(&F, "task 'kid'", "t/kid", "guard", NULL);
}

Test(dag, a_child_task_skipped_by_its_condition_runs_nothing)
{
	write_kid();
	fx_load(&F, "cadence: t\nscore:\n  y: {type: integer, default: 5}\n"
		"measures:\n  - dag: g\n    tasks:\n"
		"      - {task: kid, cadence: kid, with: {base: '1'}, merge: {y: score.acc}, "
		"when: score.y > 10}\n");
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "y", "5");
	assert_saw("kid skipped: its condition 'score.y > 10' gave false");
	cr_assert_null(strstr(F.events.buf ? F.events.buf : "", "kid/"), "the child ran: %s",
		       F.events.buf);
}

/* A checkpoint never stands inside a child task's cadence (the task is
 * recorded when it ends); a resume from the one after it does not run it
 * again. */
Test(dag, a_child_task_is_checkpointed_as_a_task)
{
	saved s = { { NULL }, 0 };
	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	fx_fake_clock(&F);
	load_child("    jobs: 1\n");
	co.on_checkpoint = keep;
	co.ctx = &s;
	cr_assert_eq(cadence_runner_run_checkpointed(&F.out, F.r, NULL, &co, &F.err), 0, "%s",
		     F.err.message);
	char *want = cJSON_PrintUnformatted(F.out);
	int resumed = 0;
	for (size_t k = 0; k < s.n; k++) {
		cr_assert_null(strstr(s.text[k], "\"cadence\": \"kid\""), "a frame of the child: %s",
			       s.text[k]);
		if (strstr(s.text[k], "\"task\": \"kid\"") && strstr(s.text[k], "\"dag\":")) {
			cadence_checkpoint *cp = NULL;
			cr_assert_eq(cadence_checkpoint_parse(&cp, s.text[k], strlen(s.text[k]),
							      &F.err), 0, "%s", F.err.message);
			char *got = resumed_score(cp);
			cr_assert_str_eq(got, want);
			cr_assert(!saw("kid start"), "kid ran again: %s", tasks.buf);
			cJSON_free(got);
			cadence_checkpoint_free(cp);
			resumed++;
		}
		free(s.text[k]);
	}
	cr_assert_gt(resumed, 0, "no checkpoint recorded kid");
	cJSON_free(want);
}

/* ---- built in code ------------------------------------------------------------------ */

static int append(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	cJSON *log = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(score, "log"), 1);
	cJSON_AddItemToArray(log, cJSON_CreateString(cadence_note_user(ctx)));
	*changes = cJSON_CreateObject();
	cJSON_AddItemToObject(*changes, "log", log);
	return CADENCE_NOTE_OK;
}

static cadence_def *built(int cycle)
{
	cadence_builder *b;
	cadence_def *def = NULL;
	cJSON *empty = cJSON_CreateArray();
	const char *const after_a[] = { "a", NULL }, *const after_bc[] = { "b", "c", NULL };
	const char *const after_d[] = { "d", NULL };
	cr_assert_eq(cadence_builder_new(&b, "built"), 0);
	cr_assert_eq(cadence_builder_field(b, "log", "array", empty, 0), 0);
	cJSON_Delete(empty);
	cr_assert_eq(cadence_builder_symbol(b, "na", "fa"), 0);
	cr_assert_eq(cadence_builder_symbol(b, "nb", "fb"), 0);
	cr_assert_eq(cadence_builder_dag(b, "d", "smart_merge", "finish", 2), 0);
	cr_assert_eq(cadence_builder_task(b, "a", "na", cycle ? after_d : NULL, NULL), 0);
	cr_assert_eq(cadence_builder_task(b, "b", "nb", after_a, NULL), 0);
	cr_assert_eq(cadence_builder_task(b, "c", "na", after_a, "size(score.log) > 5"), 0);
	cr_assert_eq(cadence_builder_task(b, "d", "nb", after_bc, NULL), 0);
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_finish(&def, b, &err), 0, "%s", err.message);
	cadence_builder_free(b);
	return def;
}

Test(dag, a_dag_built_in_code_runs)
{
	cadence_def *def = built(0);
	cadence_runner *r;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cJSON *out = NULL;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, NULL), 0);
	cr_assert_eq(cadence_runner_register(r, "fa", append, "A"), 0);
	cr_assert_eq(cadence_runner_register(r, "fb", append, "B"), 0);
	cr_assert_eq(cadence_runner_run(&out, r, NULL, &err), 0, "%s", err.message);
	char *s = cJSON_PrintUnformatted(out);
	cr_assert_str_eq(s, "{\"log\":[\"A\",\"B\",\"B\"]}");	/* c skipped by its when */
	cJSON_free(s);
	cJSON_Delete(out);
	cadence_runner_free(r);
	cadence_def_free(def);
}

Test(dag, a_built_cycle_is_refused_before_anything_runs)
{
	cadence_def *def = built(1);
	cadence_runner *r;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, NULL), 0);
	cr_assert_eq(cadence_runner_prepare(r, &err), CADENCE_EINVALID);
	cr_assert_not_null(strstr(err.message, "circle"), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "d -> b -> a -> d"), "%s", err.message);
	cadence_run_error_clear(&err);
	cadence_runner_free(r);
	cadence_def_free(def);
}

/* ---- inputs made from a parent's --------------------------------------------------- */

/* A task after one task starts from that task's input and changes: what a
 * merge leaves (b and c's lists) flows down a chain, through a C note
 * (whose input becomes a JSON object of copies) and a long chain. */
Test(dag, a_chain_below_a_merge_sees_the_merged_value)
{
	strbuf y = STRBUF_INIT;
	cad_strbuf_adds(&y, "cadence: t\n"
			"score: {log: {type: array, default: []}, n: {type: integer, default: 0}}\n"
			"notes:\n"
			"  b: {set: {log: 'score.log + [\"b\"]'}}\n"
			"  c: {set: {log: 'score.log + [\"c\"]'}}\n"
			"  d: {symbol: app}\n"
			"  e: {set: {log: 'score.log + [\"e\"]'}}\n"
			"  inc: {set: {n: 'score.n + size(score.log)'}}\n"
			"measures:\n  - dag: m\n    merge: smart_merge\n    jobs: 2\n    tasks:\n"
			"      - {task: b}\n      - {task: c}\n"
			"      - {task: d, after: [b, c]}\n      - {task: e, after: [d]}\n"
			"      - {task: i0, note: inc, after: [e]}\n");
	for (int i = 1; i < 300; i++)
		cad_strbuf_addf(&y, "      - {task: i%d, note: inc, after: [i%d]}\n", i, i - 1);
	fx_load(&F, y.buf);
	cad_strbuf_free(&y);
	cr_assert_eq(cadence_runner_register(F.r, "app", append, "d"), 0);
	cr_assert_eq(fx_run(&F, NULL), 0, "%s", F.err.message);
	assert_field(&F, "log", "[\"b\",\"c\",\"d\",\"e\"]");
	assert_field(&F, "n", "1200");	/* 300 tasks, each adding 4 to what it saw */
}

Test(dag, a_child_task_built_in_code_runs)
{
	cadence_builder *b;
	cadence_def *kid = NULL, *root = NULL;
	cr_assert_eq(cadence_builder_new(&b, "kid"), 0);
	cadence_builder_field(b, "base", "integer", NULL, CADENCE_FIELD_REQUIRED);
	cadence_builder_field(b, "acc", "integer", NULL, 0);
	cadence_builder_set(b, "grow", "acc", "score.base * 10");
	cadence_builder_then(b, "grow", NULL);
	cr_assert_eq(cadence_builder_finish(&kid, b, &F.err), 0, "%s", F.err.message);
	cadence_builder_free(b);
	cr_assert_eq(cadence_builder_new(&b, "t"), 0);
	cadence_builder_field(b, "y", "integer", NULL, 0);
	cadence_builder_dag(b, "g", NULL, NULL, 0);
	cadence_builder_child_task(b, "k", "kid", (const char *[]){ "base", "4", NULL },
				   (const char *[]){ "y", "score.acc", NULL }, NULL, NULL);
	cr_assert_eq(cadence_builder_child_task(b, "k", "kid", NULL, NULL, NULL, NULL),
		     CADENCE_EINVAL);
	cadence_builder_free(b);
	cr_assert_eq(cadence_builder_new(&b, "t"), 0);
	cadence_builder_field(b, "y", "integer", NULL, 0);
	cadence_builder_dag(b, "g", NULL, NULL, 0);
	cadence_builder_child_task(b, "k", "kid", (const char *[]){ "base", "4", NULL },
				   (const char *[]){ "y", "score.acc", NULL }, NULL, NULL);
	cr_assert_eq(cadence_builder_finish(&root, b, &F.err), 0, "%s", F.err.message);
	cadence_builder_free(b);
	cadence_runner *r = NULL;
	cr_assert_eq(cadence_runner_new(&r, NULL, root, NULL), 0);
	cr_assert_eq(cadence_runner_add_cadence(r, kid), 0);
	cJSON *out = NULL;
	cr_assert_eq(cadence_runner_run(&out, r, NULL, &F.err), 0, "%s", F.err.message);
	cr_assert_eq(cJSON_GetObjectItemCaseSensitive(out, "y")->valuedouble, 40);
	cJSON_Delete(out);
	cadence_runner_free(r);
	cadence_def_free(root);
	cadence_def_free(kid);
}
