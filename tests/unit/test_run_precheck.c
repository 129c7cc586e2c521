/* SPDX-License-Identifier: MIT */
/* A cadence's precheck (docs/format.md, "precheck"): a condition or a note
 * decides before the first measure whether the cadence runs; a stop is
 * CADENCE_ESTOPPED with the score as given, not a failure, runs no
 * on_error; a child that stops leaves its parent's score alone; a note
 * that passes may change the score. */
#include "run_fixture.h"

static const char when_yaml[] =
	"cadence: t\n"
	"score:\n"
	"  n: {type: integer, default: 0}\n"
	"  log: {type: string, default: ''}\n"
	"notes:\n"
	"  inc: {set: {n: 'score.n + 1'}}\n"
	"  record: {set: {log: '\"handled\"'}}\n"
	"precheck: {when: score.n < 10}\n"
	"on_error: {note: record}\n"
	"measures:\n"
	"  - then: inc\n";

Test(precheck, a_true_condition_runs_the_cadence)
{
	fx f;
	fx_init(&f);
	fx_load(&f, when_yaml);
	cr_assert_eq(fx_run(&f, "{\"n\": 3}"), 0, "%s", f.err.message);
	assert_field(&f, "n", "4");
	fx_free(&f);
}

Test(precheck, a_false_condition_stops_before_the_first_measure)
{
	fx f;
	fx_init(&f);
	fx_load(&f, when_yaml);
	cr_assert_eq(fx_run(&f, "{\"n\": 10}"), CADENCE_ESTOPPED);
	assert_error(&f, "t: precheck: 'score.n < 10' is false; nothing ran");
	cr_assert_eq(f.err.code, CADENCE_ESTOPPED);
	assert_field(&f, "n", "10");	/* the score as given */
	assert_field(&f, "log", "\"\"");	/* on_error did not run */
	cr_assert_not(events_have(&f, "measure_start"), "%s", f.events.buf);
	cr_assert_not(events_have(&f, "error"), "a stop is not an error: %s", f.events.buf);
	fx_free(&f);
}

Test(precheck, a_condition_that_is_not_a_boolean_fails_the_run)
{
	fx f;
	fx_init(&f);
	fx_load(&f, "cadence: t\nscore:\n  n: {type: any}\nnotes:\n  inc: {set: {n: '1'}}\n"
		    "precheck: {when: score.n}\nmeasures:\n  - then: inc\n");
	cr_assert_eq(fx_run(&f, "{\"n\": 3}"), CADENCE_EFAILED);
	assert_error(&f, "its precheck 'score.n' failed", "bool");
	fx_free(&f);
}

static const char note_yaml[] =
	"cadence: t\n"
	"score:\n"
	"  n: {type: integer, default: 0}\n"
	"  ready: {type: boolean, default: false}\n"
	"notes:\n"
	"  check: {run: [./check.sh], retry: {attempts: 2}}\n"
	"  inc: {set: {n: 'score.n + 1'}}\n"
	"precheck: {note: check}\n"
	"measures:\n"
	"  - then: inc\n";

Test(precheck, a_note_that_succeeds_runs_the_cadence_with_its_changes)
{
	fx f;
	fx_init(&f);
	fx_write(&f, "check.sh", "#!/bin/sh\ncat >/dev/null\necho '{\"ready\": true}'\n", 1);
	fx_load(&f, note_yaml);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "ready", "true");
	assert_field(&f, "n", "1");
	fx_free(&f);
}

Test(precheck, a_note_that_fails_for_good_stops_with_its_message)
{
	fx f;
	fx_init(&f);
	fx_write(&f, "check.sh", "#!/bin/sh\necho 'no stock' >&2\nexit 3\n", 1);
	fx_load(&f, note_yaml);
	cr_assert_eq(fx_run(&f, "{\"n\": 5}"), CADENCE_ESTOPPED);
	assert_error(&f, "t: precheck note 'check' failed: it exited with status 3; nothing ran");
	assert_field(&f, "n", "5");
	cr_assert(events_have(&f, "note_start check#2"), "retried first: %s", f.events.buf);
	cr_assert_not(events_have(&f, "measure_start"), "%s", f.events.buf);
	fx_free(&f);
}

Test(precheck, a_child_that_stops_leaves_the_parent_score_and_the_run_goes_on)
{
	fx f;
	fx_init(&f);
	fx_write(&f, "kid.cadence.yaml",
		 "cadence: kid\nscore:\n  go: {type: boolean, required: true}\n"
		 "  out: {type: integer, default: 7}\n"
		 "notes:\n  work: {set: {out: '99'}}\n"
		 "precheck: {when: score.go}\nmeasures:\n  - then: work\n", 0);
	fx_load(&f, "cadence: t\nscore:\n  go: {type: boolean, default: false}\n"
		    "  got: {type: integer, default: 0}\n  after: {type: integer, default: 0}\n"
		    "notes:\n  last: {set: {after: '1'}}\n"
		    "measures:\n  - child: kid\n    with: {go: score.go}\n    merge: {got: score.out}\n"
		    "  - then: last\n");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "got", "0");	/* merge not evaluated */
	assert_field(&f, "after", "1");
	cr_assert_eq(fx_run(&f, "{\"go\": true}"), 0, "%s", f.err.message);
	assert_field(&f, "got", "99");
	fx_free(&f);
}

Test(precheck, the_builder_makes_a_precheck_the_engine_runs)
{
	cadence_builder *b;
	cadence_def *def;
	cadence_runner *r;
	cr_assert_eq(cadence_builder_new(&b, "built"), 0);
	cadence_builder_field(b, "n", "integer", NULL, 0);
	cadence_builder_set(b, "inc", "n", "score.n + 1");
	cadence_builder_then(b, "inc", NULL);
	cadence_builder_precheck(b, "score.n > 0", NULL);
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_finish(&def, b, &err), 0, "%s", err.message);
	cr_assert_eq(cadence_runner_new(&r, NULL, def, NULL), 0);
	cJSON *in = cJSON_Parse("{\"n\": 0}"), *out = NULL;
	cr_assert_eq(cadence_runner_run(&out, r, in, &err), CADENCE_ESTOPPED);
	cr_assert_not_null(out, "the score as given");
	cJSON_Delete(out);
	cadence_run_error_clear(&err);
	cJSON_ReplaceItemInObject(in, "n", cJSON_CreateNumber(1));
	cr_assert_eq(cadence_runner_run(&out, r, in, &err), 0, "%s", err.message);
	cr_assert_eq(cJSON_GetObjectItem(out, "n")->valueint, 2);
	cJSON_Delete(out);
	cJSON_Delete(in);
	cadence_runner_free(r);
	cadence_def_free(def);
	cadence_builder_free(b);
	/* exactly one of the two */
	cr_assert_eq(cadence_builder_new(&b, "x"), 0);
	cr_assert_eq(cadence_builder_precheck(b, "true", "n"), CADENCE_EINVAL);
	cadence_builder_free(b);
}
