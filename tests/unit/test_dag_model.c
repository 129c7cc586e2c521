/* SPDX-License-Identifier: MIT */
/* The dag measure as the loader and the builder make it (model/model.h):
 * tasks, their notes, after lists and conditions, jobs, on_failure and
 * merge; and the loader's structural errors for its keys. */
#include <criterion/criterion.h>

#include "cadence/builder.h"
#include "cadence/cadence.h"
#include "model/model.h"

#include <string.h>

static const char text[] =
	"cadence: etl\n"
	"score:\n"
	"  kind: {type: string, default: b}\n"
	"notes:\n"
	"  extract: {set: {kind: '\"a\"'}}\n"
	"  transform: {set: {kind: '\"t\"'}}\n"
	"  load: {set: {kind: '\"l\"'}}\n"
	"measures:\n"
	"  - dag: etl\n"
	"    jobs: 3\n"
	"    on_failure: continue\n"
	"    merge: last_write_wins\n"
	"    tasks:\n"
	"      - task: extract\n"
	"      - task: transform_b\n"
	"        note: transform\n"
	"        after: [extract]\n"
	"        when: score.kind == \"b\"\n"
	"        description: the b side\n"
	"      - task: load\n"
	"        after: [transform_b, extract]\n";

static void assert_etl(const struct cadence_def *def, int built)
{
	cr_assert_eq(def->nmeasures, 1);
	const cad_measure *m = &def->measures[0];
	cr_assert_eq(m->kind, CAD_M_DAG);
	cr_assert_str_eq(m->name.name, "etl");
	cr_assert_eq(m->jobs, 3);
	cr_assert_eq(m->on_failure, CAD_ON_FAILURE_CONTINUE);
	cr_assert_eq(m->merge, CAD_MERGE_LAST_WRITE_WINS);
	cr_assert_eq(m->ntasks, 3);
	cr_assert_str_eq(m->tasks[0].name.name, "extract");
	cr_assert_str_eq(m->tasks[0].note.name, "extract", "the note defaults to the task's name");
	cr_assert_eq(m->tasks[0].nafter, 0);
	cr_assert_null(m->tasks[0].when.src);
	cr_assert_str_eq(m->tasks[1].note.name, "transform");
	cr_assert_eq(m->tasks[1].nafter, 1);
	cr_assert_str_eq(m->tasks[1].after[0].name, "extract");
	cr_assert_str_eq(m->tasks[1].when.src, "score.kind == \"b\"");
	cr_assert_eq(m->tasks[2].nafter, 2);
	cr_assert_str_eq(m->tasks[2].after[0].name, "transform_b");
	cr_assert_str_eq(m->tasks[2].after[1].name, "extract");
	if (!built) {
		cr_assert_str_eq(m->tasks[1].description, "the b side");
		cr_assert_eq(m->tasks[1].when.loc.line, 18);
		cr_assert_eq(m->tasks[2].after[1].loc.line, 21);
	}
}

Test(dag_model, the_loader_makes_a_dag)
{
	cadence_diags *d;
	cadence_def *def;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_load_buffer(&def, "etl.cadence.yaml", text, strlen(text), NULL, d), 0);
	assert_etl(def, 0);
	cadence_def_free(def);
	cadence_diags_free(d);
}

Test(dag_model, the_builder_makes_the_same_dag)
{
	cadence_builder *b;
	cadence_def *def;
	cr_assert_eq(cadence_builder_new(&b, "etl"), 0);
	cadence_builder_field(b, "kind", "string", NULL, 0);
	cadence_builder_set(b, "extract", "kind", "\"a\"");
	cadence_builder_set(b, "transform", "kind", "\"t\"");
	cadence_builder_set(b, "load", "kind", "\"l\"");
	cadence_builder_dag(b, "etl", "last_write_wins", "continue", 3);
	cadence_builder_task(b, "extract", NULL, NULL, NULL);
	const char *after_extract[] = { "extract", NULL };
	cadence_builder_task(b, "transform_b", "transform", after_extract, "score.kind == \"b\"");
	const char *after_both[] = { "transform_b", "extract", NULL };
	cadence_builder_task(b, "load", NULL, after_both, NULL);
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_finish(&def, b, &err), 0, "%s", err.message);
	assert_etl(def, 1);
	cadence_def_free(def);
	cadence_builder_free(b);
}

/* The builder refuses what the loader's schema would, with a message. */
static void builder_refuses(void (*calls)(cadence_builder *), const char *want)
{
	cadence_builder *b;
	cadence_def *def = NULL;
	cr_assert_eq(cadence_builder_new(&b, "c"), 0);
	cadence_builder_set(b, "n", "x", "1");
	cadence_builder_field(b, "x", "integer", NULL, 0);
	calls(b);
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_finish(&def, b, &err), CADENCE_EINVAL);
	cr_assert_null(def);
	cr_assert(strstr(err.message, want), "message: %s (want %s)", err.message, want);
	cadence_run_error_clear(&err);
	cadence_builder_free(b);
}

static void task_without_dag(cadence_builder *b)
{
	cadence_builder_then(b, "n", NULL);
	cadence_builder_task(b, "t", "n", NULL, NULL);
}
static void dag_without_task(cadence_builder *b) { cadence_builder_dag(b, "d", NULL, NULL, 0); }
static void twice(cadence_builder *b)
{
	cadence_builder_dag(b, "d", NULL, NULL, 0);
	cadence_builder_task(b, "t", "n", NULL, NULL);
	cadence_builder_task(b, "t", "n", NULL, NULL);
}
static void bad_mode(cadence_builder *b) { cadence_builder_dag(b, "d", NULL, "halt", 0); }
static void bad_merge(cadence_builder *b) { cadence_builder_dag(b, "d", "union", NULL, 0); }
static void many_jobs(cadence_builder *b) { cadence_builder_dag(b, "d", NULL, NULL, 1025); }
static void undeclared_note(cadence_builder *b)
{
	cadence_builder_dag(b, "d", NULL, NULL, 0);
	cadence_builder_task(b, "t", "nope", NULL, NULL);
}

Test(dag_model, the_builder_refuses_a_bad_dag_with_a_message)
{
	builder_refuses(task_without_dag, "needs a dag measure before it");
	builder_refuses(dag_without_task, "dag 'd' has no task");
	builder_refuses(twice, "task 't' is declared twice");
	builder_refuses(bad_mode, "unknown on_failure 'halt'");
	builder_refuses(bad_merge, "unknown merge 'union'");
	builder_refuses(many_jobs, "jobs 1025 is more than 1024");
	builder_refuses(undeclared_note, "runs note 'nope', which is not declared");
}

/* One structural mistake in a dag: its rule and position. */
static void load_fails(const char *measure, const char *rule, unsigned line, unsigned col)
{
	char buf[1024];
	snprintf(buf, sizeof(buf),
		 "cadence: c\nnotes:\n  n: {set: {}}\nmeasures:\n%s", measure);
	cadence_diags *d;
	cadence_def *def = NULL;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_neq(cadence_load_buffer(&def, "c.cadence.yaml", buf, strlen(buf), NULL, d), 0);
	cr_assert_null(def);
	cadence_diags_sort(d);
	cr_assert_geq(cadence_diags_count(d), 1);
	const cadence_diag *g = cadence_diags_get(d, 0);
	cr_assert_str_eq(g->rule, rule, "%s: %s", g->rule, g->message);
	cr_assert_eq(g->line, line, "%s at %u:%u", g->message, g->line, g->column);
	cr_assert_eq(g->column, col, "%s at %u:%u", g->message, g->line, g->column);
	cadence_diags_free(d);
}

Test(dag_model, the_loader_reports_a_malformed_dag_where_it_is)
{
	load_fails("  - dag: d\n    tasks: []\n", "dag-empty", 6, 12);
	load_fails("  - dag: d\n", "missing-key", 5, 5);
	load_fails("  - dag: d\n    tasks:\n      - note: n\n", "missing-key", 7, 9);
	load_fails("  - dag: d\n    tasks:\n      - task: n\n        afterr: [x]\n",
		   "unknown-key", 8, 9);
	load_fails("  - dag: d\n    on_failure: halt\n    tasks:\n      - task: n\n",
		   "bad-enum", 6, 17);
	load_fails("  - dag: d\n    jobs: two\n    tasks:\n      - task: n\n",
		   "wrong-type", 6, 11);
	load_fails("  - dag: d\n    tasks:\n      - task: n\n        after: x\n",
		   "wrong-type", 8, 16);
	load_fails("  - dag: d\n    tasks:\n      - task: 9n\n", "bad-name", 7, 15);
}
