/* SPDX-License-Identifier: MIT */
/* cadence_runner_step() and cadence_runner_merge(): one note, one merge,
 * alone, giving what a run gives (docs/cli.md, "cadence step"). */
#include "run_fixture.h"

#include <stdatomic.h>

static fx f;
static atomic_int calls;

static void setup(void)
{
	fx_init(&f);
	fx_fake_clock(&f);
	atomic_store(&calls, 0);
}

static void teardown(void)
{
	fx_free(&f);
}

TestSuite(step, .init = setup, .fini = teardown);

/* Fails its first two calls, then sets `status`. */
static int flaky(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	int n = atomic_fetch_add(&calls, 1) + 1;
	if (n <= 2)
		return cadence_note_fail(ctx, "failure %d", n);
	*changes = cJSON_CreateObject();
	cJSON_AddStringToObject(*changes, "status", "done");
	return CADENCE_NOTE_OK;
}

static const char *const policy_cadence =
	"cadence: s\n"
	"score:\n"
	"  status: {type: string, default: new}\n"
	"  n: {type: integer, default: 1}\n"
	"  tags: {type: array, default: []}\n"
	"notes:\n"
	"  call:\n"
	"    symbol: flaky\n"
	"    retry: {attempts: 3, delay: 10ms}\n"
	"    fallback: {status: fell_back}\n"
	"  same:\n"
	"    set: {n: score.n}\n"
	"  a: {set: {n: 'score.n + 1', tags: 'score.tags + [\"a\"]'}}\n"
	"  b: {set: {n: 'score.n + 2', tags: 'score.tags + [\"b\"]'}}\n"
	"measures:\n"
	"  - then: call\n"
	"  - then: same\n"
	"  - sync: both\n"
	"    merge: smart_merge\n"
	"    notes: [a, b]\n";

static cJSON *json(const char *text)
{
	cJSON *v = cJSON_Parse(text);
	cr_assert_not_null(v, "bad test JSON %s", text);
	return v;
}

static void assert_json(const cJSON *v, const char *want)
{
	char *s = cJSON_PrintUnformatted(v);
	cr_assert_str_eq(s, want);
	cJSON_free(s);
}

static void load_policy(void)
{
	fx_load(&f, policy_cadence);
	cr_assert_eq(cadence_runner_register(f.r, "flaky", flaky, NULL), 0);
}

Test(step, a_note_with_its_policies_retries_as_a_run_does)
{
	cJSON *changes;
	int status = -1;
	load_policy();
	cr_assert_eq(cadence_runner_step(&changes, &status, f.r, "call", NULL, NULL, &f.err), 0,
		     "%s", f.err.message);
	assert_json(changes, "{\"status\":\"done\"}");
	cr_assert_eq(status, CADENCE_NOTE_STATUS_OK);
	cr_assert_eq(atomic_load(&calls), 3);
	cr_assert(events_have(&f, "retry call#1 10ms\n"), "%s", f.events.buf);
	cJSON_Delete(changes);
}

Test(step, no_policies_is_one_attempt_that_fails)
{
	cJSON *changes = (cJSON *)1;
	load_policy();
	cadence_step_opts o = CADENCE_STEP_OPTS_INIT;
	o.flags = CADENCE_STEP_NO_POLICIES;
	cr_assert_eq(cadence_runner_step(&changes, NULL, f.r, "call", NULL, &o, &f.err),
		     CADENCE_EFAILED);
	cr_assert_null(changes);
	cr_assert_eq(atomic_load(&calls), 1);
	assert_error(&f, "note 'call'", "failure 1");
	cr_assert_str_eq(f.err.note, "call");
}

Test(step, only_changed_fields_are_given)
{
	cJSON *changes;
	load_policy();
	cr_assert_eq(cadence_runner_step(&changes, NULL, f.r, "same", NULL, NULL, &f.err), 0);
	assert_json(changes, "{}");
	cJSON_Delete(changes);
}

Test(step, an_unknown_note_is_einval_listing_the_notes)
{
	cJSON *changes;
	load_policy();
	cr_assert_eq(cadence_runner_step(&changes, NULL, f.r, "cal", NULL, NULL, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "has no note 'cal'", "call, same, a, b");
}

Test(step, a_bad_score_is_einvalid)
{
	cJSON *changes, *in = json("{\"n\": \"x\"}");
	load_policy();
	cr_assert_eq(cadence_runner_step(&changes, NULL, f.r, "a", in, NULL, &f.err),
		     CADENCE_EINVALID);
	assert_error(&f, "bad score", "'n'");
	cJSON_Delete(in);
}

Test(step, steps_and_a_merge_give_the_run_score)
{
	cJSON *ca, *cb, *merged;
	load_policy();
	cJSON *in = json("{\"tags\": [\"x\"], \"status\": \"done\"}");
	cr_assert_eq(cadence_runner_step(&ca, NULL, f.r, "a", in, NULL, &f.err), 0);
	cr_assert_eq(cadence_runner_step(&cb, NULL, f.r, "b", in, NULL, &f.err), 0);
	/* smart_merge: n conflicts (2 and 3) */
	const cJSON *parts[] = { ca, cb };
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 2, in, parts, 2, NULL, &f.err),
		     CADENCE_EFAILED);
	assert_error(&f, "sync 'both'", "notes 'a' and 'b' both changed field 'n'");
	cr_assert_str_eq(f.err.note, "b");
	cJSON_Delete(cJSON_DetachItemFromObject(ca, "n"));
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 2, in, parts, 2, NULL, &f.err), 0, "%s",
		     f.err.message);
	assert_json(cJSON_GetObjectItem(merged, "tags"), "[\"x\",\"a\",\"b\"]");
	assert_json(cJSON_GetObjectItem(merged, "n"), "3");
	cJSON_Delete(merged);
	cJSON_Delete(ca);
	cJSON_Delete(cb);
	cJSON_Delete(in);
}

Test(step, a_merge_refuses_bad_parts_by_label)
{
	cJSON *merged, *ok = json("{}"), *bad = json("{\"nope\": 1}"), *arr = json("[]");
	const char *labels[] = { "a.json", "b.json" };
	load_policy();
	const cJSON *two_bad[] = { ok, bad };
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 2, NULL, two_bad, 2, labels, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "b.json (note 'b')", "unknown field 'nope'");
	const cJSON *not_obj[] = { arr, ok };
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 2, NULL, not_obj, 2, NULL, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "changes 1", "not a JSON object");
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 2, NULL, two_bad, 1, NULL, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "takes 2 changes", "not 1");
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 0, NULL, two_bad, 1, NULL, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "then 'call'", "nothing to merge");
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 3, NULL, two_bad, 1, NULL, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "has 3 measures");
	cr_assert_null(merged);
	cJSON_Delete(ok);
	cJSON_Delete(bad);
	cJSON_Delete(arr);
}

Test(step, a_child_merge_applies_the_merge_expressions)
{
	fx_write(&f, "kid.cadence.yaml",
		 "cadence: kid\n"
		 "score:\n"
		 "  x: {type: integer, required: true}\n"
		 "  y: {type: integer, default: 0}\n"
		 "notes:\n"
		 "  double: {set: {y: 'score.x * 2'}}\n"
		 "measures:\n"
		 "  - then: double\n", 0);
	fx_load(&f, "cadence: p\n"
		    "score:\n"
		    "  x: {type: integer, default: 4}\n"
		    "  got: {type: integer, default: 0}\n"
		    "measures:\n"
		    "  - child: kid\n"
		    "    with: {x: score.x}\n"
		    "    merge: {got: 'score.y + 1'}\n");
	cJSON *merged, *kid = json("{\"x\": 4, \"y\": 8}"), *bad = json("{\"x\": \"4\"}");
	const cJSON *parts[] = { kid };
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 0, NULL, parts, 1, NULL, &f.err), 0, "%s",
		     f.err.message);
	assert_json(merged, "{\"x\":4,\"got\":9}");
	cJSON_Delete(merged);
	parts[0] = bad;
	cr_assert_eq(cadence_runner_merge(&merged, f.r, 0, NULL, parts, 1, NULL, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "not a final score of child cadence 'kid'", "'x'");
	cJSON_Delete(kid);
	cJSON_Delete(bad);
}

static cadence_step_opts opts_of(unsigned flags)
{
	cadence_step_opts o = CADENCE_STEP_OPTS_INIT;
	o.flags = flags;
	return o;
}

Test(step, fallback_gives_its_values_without_running_the_note)
{
	cJSON *changes;
	int status = -1;
	cadence_step_opts o = opts_of(CADENCE_STEP_FALLBACK);
	load_policy();
	cr_assert_eq(cadence_runner_step(&changes, &status, f.r, "call", NULL, &o, &f.err), 0,
		     "%s", f.err.message);
	assert_json(changes, "{\"status\":\"fell_back\"}");
	cr_assert_eq(status, CADENCE_NOTE_STATUS_OK);
	cr_assert_eq(atomic_load(&calls), 0);
	cJSON_Delete(changes);
	cr_assert_eq(cadence_runner_step(&changes, NULL, f.r, "a", NULL, &o, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "note 'a' of cadence 's' has no fallback");
	cr_assert_null(changes);
}

Test(step, apply_gives_the_whole_score)
{
	cJSON *score, *in = json("{\"n\": 5}");
	cadence_step_opts o = opts_of(CADENCE_STEP_APPLY);
	load_policy();
	cr_assert_eq(cadence_runner_step(&score, NULL, f.r, "a", in, &o, &f.err), 0);
	assert_json(score, "{\"status\":\"new\",\"n\":6,\"tags\":[\"a\"]}");
	cJSON_Delete(score);
	o.flags |= CADENCE_STEP_FALLBACK;
	cr_assert_eq(cadence_runner_step(&score, NULL, f.r, "call", in, &o, &f.err), 0);
	assert_json(score, "{\"status\":\"fell_back\",\"n\":5,\"tags\":[]}");
	cJSON_Delete(score);
	cJSON_Delete(in);
}

Test(step, a_measure_runs_whole_with_its_policies)
{
	cJSON *score, *in = json("{\"n\": 1}");
	cadence_step_opts o = opts_of(CADENCE_STEP_MEASURE);
	int status = -1;
	load_policy();
	cr_assert_eq(cadence_runner_step(&score, &status, f.r, NULL, in, &o, &f.err), 0, "%s",
		     f.err.message);
	assert_json(score, "{\"status\":\"done\",\"n\":1,\"tags\":[]}");
	cr_assert_eq(atomic_load(&calls), 3, "the retries of measure 0's note");
	cr_assert_eq(status, CADENCE_NOTE_STATUS_OK);
	cJSON_Delete(score);
	/* a sync whose notes conflict: the run's error */
	o.measure = 2;
	cr_assert_eq(cadence_runner_step(&score, NULL, f.r, NULL, in, &o, &f.err),
		     CADENCE_EFAILED);
	assert_error(&f, "sync 'both'", "notes 'a' and 'b' both changed field 'n'");
	cr_assert_null(score);
	o.measure = 3;
	cr_assert_eq(cadence_runner_step(&score, NULL, f.r, NULL, in, &o, &f.err),
		     CADENCE_EINVAL);
	assert_error(&f, "has 3 measures (indexes 0 to 2), not a measure 3");
	cJSON_Delete(in);
}

Test(step, a_precheck_stops_or_lets_go)
{
	cJSON *score, *in = json("{\"n\": 12}");
	cadence_step_opts o = opts_of(CADENCE_STEP_PRECHECK);
	fx_load(&f, "cadence: gate\n"
		    "score:\n"
		    "  n: {type: integer, default: 0}\n"
		    "notes:\n"
		    "  inc: {set: {n: score.n + 1}}\n"
		    "precheck: {when: score.n < 10}\n"
		    "measures:\n"
		    "  - then: inc\n");
	cr_assert_eq(cadence_runner_step(&score, NULL, f.r, NULL, NULL, &o, &f.err), 0);
	assert_json(score, "{\"n\":0}");
	cJSON_Delete(score);
	cr_assert_eq(cadence_runner_step(&score, NULL, f.r, NULL, in, &o, &f.err),
		     CADENCE_ESTOPPED);
	assert_json(score, "{\"n\":12}");
	cr_assert_str_eq(f.err.message, "gate: precheck: 'score.n < 10' is false; nothing ran");
	cJSON_Delete(score);
	cJSON_Delete(in);
}

/* An on_error handler: the error it sees, in `status`. */
static int handler(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	const char *e = cadence_note_error(ctx), *n = cadence_note_error_note(ctx);
	char buf[128];
	snprintf(buf, sizeof(buf), "%s|%s", e ? e : "(none)", n ? n : "(none)");
	*changes = cJSON_CreateObject();
	cJSON_AddStringToObject(*changes, "status", buf);
	return CADENCE_NOTE_OK;
}

Test(step, a_note_runs_as_the_on_error_handler_with_an_error)
{
	cJSON *changes;
	cadence_step_opts o = CADENCE_STEP_OPTS_INIT;
	fx_load(&f, "cadence: h\n"
		    "score:\n"
		    "  status: {type: string, default: new}\n"
		    "notes:\n"
		    "  h: {symbol: handler}\n"
		    "measures:\n"
		    "  - then: h\n");
	cr_assert_eq(cadence_runner_register(f.r, "handler", handler, NULL), 0);
	cr_assert_eq(cadence_runner_step(&changes, NULL, f.r, "h", NULL, &o, &f.err), 0);
	assert_json(changes, "{\"status\":\"(none)|(none)\"}");
	cJSON_Delete(changes);
	o.error = "boom";
	o.error_note = "fetch";
	cr_assert_eq(cadence_runner_step(&changes, NULL, f.r, "h", NULL, &o, &f.err), 0);
	assert_json(changes, "{\"status\":\"boom|fetch\"}");
	cJSON_Delete(changes);
}

Test(step, flags_that_do_not_go_together_are_einval)
{
	cJSON *out;
	static const struct {
		const char *note;
		unsigned flags;
		const char *error;
		const char *why;
	} bad[] = {
		{ "a", CADENCE_STEP_MEASURE, NULL, "a note, or no note" },
		{ NULL, 0, NULL, "a note, or no note" },
		{ NULL, CADENCE_STEP_MEASURE | CADENCE_STEP_PRECHECK, NULL, "do not go together" },
		{ NULL, CADENCE_STEP_PRECHECK | CADENCE_STEP_NO_POLICIES, NULL, "policies" },
		{ NULL, CADENCE_STEP_MEASURE, "x", "or error" },
		{ "a", CADENCE_STEP_FALLBACK | CADENCE_STEP_NO_POLICIES, NULL, "runs no note" },
		{ "a", CADENCE_STEP_FALLBACK, "x", "runs no note" },
		{ "a", 1u << 20, NULL, "unknown flags" },
	};
	load_policy();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cadence_step_opts o = opts_of(bad[i].flags);
		o.error = bad[i].error;
		cr_assert_eq(cadence_runner_step(&out, NULL, f.r, bad[i].note, NULL, &o, &f.err),
			     CADENCE_EINVAL, "case %zu", i);
		assert_error(&f, bad[i].why);
	}
	cadence_step_opts o = opts_of(0);
	o.version = 99;
	cr_assert_eq(cadence_runner_step(&out, NULL, f.r, "a", NULL, &o, &f.err), CADENCE_EVERSION);
	cr_assert_eq(atomic_load(&calls), 0);
}

Test(step, null_arguments)
{
	cJSON *out;
	load_policy();
	cr_assert_eq(cadence_runner_step(NULL, NULL, f.r, "a", NULL, NULL, &f.err), CADENCE_EINVAL);
	cr_assert_eq(cadence_runner_step(&out, NULL, f.r, NULL, NULL, NULL, NULL), CADENCE_EINVAL);
	cr_assert_eq(cadence_runner_merge(NULL, f.r, 0, NULL, NULL, 0, NULL, &f.err),
		     CADENCE_EINVAL);
}

/* cadence_runner_check_input(): the run's check of an input score, alone
 * (`run --dry-run`; cli/run shows it needs no plugin for a C note) */
Test(step, check_input_is_the_runs_check_and_runs_nothing)
{
	fx_load(&f, "cadence: ci\n"
		    "score:\n"
		    "  id: {type: string, required: true}\n"
		    "  n: {type: integer, default: 1}\n"
		    "notes:\n"
		    "  call: {symbol: flaky}\n"
		    "measures:\n"
		    "  - then: call\n");
	cr_assert_eq(cadence_runner_register(f.r, "flaky", flaky, NULL), 0);
	cJSON *good = json("{\"id\": \"a\"}");
	cJSON *bad = json("{\"id\": 7, \"nn\": 1}");
	cr_assert_eq(cadence_runner_check_input(f.r, good, &f.err), 0, "%s", f.err.message);
	cr_assert_eq(cadence_runner_check_input(f.r, bad, &f.err), CADENCE_EINVALID);
	cr_assert_str_eq(f.err.message, "ci: bad score: 2 problems:\n"
			 "  field 'id' must be a string, not an integer\n"
			 "  unknown field 'nn'; did you mean 'n'?");
	cr_assert_eq(cadence_runner_check_input(f.r, NULL, &f.err), CADENCE_EINVALID);
	cr_assert_str_eq(f.err.message, "ci: bad score: missing required field 'id' (a string)");
	cr_assert_eq(cadence_runner_check_input(NULL, good, &f.err), CADENCE_EINVAL);
	cr_assert_eq(atomic_load(&calls), 0, "nothing ran");
	/* the run itself gives the same message */
	cr_assert_eq(cadence_runner_run(&(cJSON *){ NULL }, f.r, bad, &f.err), CADENCE_EINVALID);
	cr_assert_str_eq(f.err.message, "ci: bad score: 2 problems:\n"
			 "  field 'id' must be a string, not an integer\n"
			 "  unknown field 'nn'; did you mean 'n'?");
	cJSON_Delete(good);
	cJSON_Delete(bad);
}
