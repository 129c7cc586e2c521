/* SPDX-License-Identifier: MIT */
/* cadence_check() on dags built in C (no positions: 0:0), and which of the
 * dag's checks check_flow turns off.  The golden fixtures
 * (tests/golden/fixtures/dag-*) check the messages and positions of a
 * file. */
#include "cadence/cadence.h"
#include "builder_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

static size_t count(const cadence_diags *d, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < cadence_diags_count(d); i++)
		n += !strcmp(cadence_diags_get(d, i)->rule, rule);
	return n;
}

/* The diagnostic of `rule` (the only one), or a failed assertion. */
static const cadence_diag *only(const cadence_diags *d, const char *rule)
{
	const cadence_diag *found = NULL;
	for (size_t i = 0; i < cadence_diags_count(d); i++)
		if (!strcmp(cadence_diags_get(d, i)->rule, rule)) {
			cr_assert_null(found, "two diagnostics of %s", rule);
			found = cadence_diags_get(d, i);
		}
	cr_assert_not_null(found, "no diagnostic of %s", rule);
	return found;
}

/* x written by a and b with no order, read by c after a only; a circle
 * d -> e -> d; f after a task that does not exist. */
static cadence_def *built(void)
{
	cadence_builder *b;
	cadence_def *def;
	const char *const x[] = { "x", NULL };
	const char *const after_a[] = { "a", NULL };
	const char *const after_d[] = { "d", NULL };
	const char *const after_e[] = { "e", NULL };
	const char *const after_typo[] = { "ee", NULL };
	cr_assert_eq(cadence_builder_new(&b, "built"), 0);
	cr_assert_eq(cadence_builder_field(b, "x", "string", NULL, 0), 0);
	const char *const notes[] = { "a", "b", "c", "d", "e", "f" };
	for (size_t i = 0; i < 6; i++)
		cr_assert_eq(cadence_builder_symbol(b, notes[i], "f"), 0);
	cr_assert_eq(cadence_builder_writes(b, "a", x), 0);
	cr_assert_eq(cadence_builder_writes(b, "b", x), 0);
	cr_assert_eq(cadence_builder_reads(b, "c", x), 0);
	cr_assert_eq(cadence_builder_dag(b, "flow", NULL, NULL, 2), 0);
	cr_assert_eq(cadence_builder_task(b, "a", NULL, NULL, NULL), 0);
	cr_assert_eq(cadence_builder_task(b, "b", NULL, NULL, NULL), 0);
	cr_assert_eq(cadence_builder_task(b, "c", NULL, after_a, NULL), 0);
	cr_assert_eq(cadence_builder_dag(b, "shape", NULL, NULL, 0), 0);
	cr_assert_eq(cadence_builder_task(b, "d", NULL, after_e, NULL), 0);
	cr_assert_eq(cadence_builder_task(b, "e", NULL, after_d, NULL), 0);
	cr_assert_eq(cadence_builder_task(b, "f", NULL, after_typo, NULL), 0);
	finish_ok(&def, b);
	cadence_builder_free(b);
	return def;
}

static cadence_diags *check(const cadence_def *def, int flow)
{
	cadence_diags *d;
	cadence_check_opts o = CADENCE_CHECK_OPTS_INIT;
	o.check_flow = flow;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_check(def, NULL, &o, d), CADENCE_EINVALID);
	return d;
}

Test(check_dag, a_dag_built_in_code)
{
	cadence_def *def = built();
	cadence_diags *d = check(def, 1);
	const cadence_diag *g = only(d, "dag-cycle");
	cr_assert_str_eq(g->message, "tasks of dag 'shape' are after each other in a circle: d -> e -> d");
	cr_assert_eq(g->line, 0);
	g = only(d, "undefined-after");
	cr_assert_str_eq(g->message, "task 'f' is after 'ee', which is not a task of dag 'shape'");
	cr_assert_str_eq(g->help, "did you mean 'e'?");
	g = only(d, "dag-race");
	cr_assert_str_eq(g->message, "tasks 'a' and 'b' of dag 'flow' both write 'x' with no order "
				     "between them (merge: fail_on_conflict)");
	g = only(d, "dag-missing-after");
	cr_assert_str_eq(g->message, "task 'c' reads 'x', which task 'b' of dag 'flow' writes, but "
				     "neither is after the other");
	cr_assert_eq(count(d, "read-before-write"), 0);
	cr_assert_eq(cadence_diags_count(d), 4);
	cadence_diags_free(d);
	cadence_def_free(def);
}

Test(check_dag, check_flow_off_keeps_the_shape_only)
{
	cadence_def *def = built();
	cadence_diags *d = check(def, 0);
	cr_assert_eq(count(d, "dag-cycle"), 1);
	cr_assert_eq(count(d, "undefined-after"), 1);
	cr_assert_eq(count(d, "dag-race"), 0);
	cr_assert_eq(count(d, "dag-missing-after"), 0);
	cadence_diags_free(d);
	cadence_def_free(def);
}

/* A dag whose task c runs a child cadence (no project: the child is not
 * loaded, its with and merge still count): w and c both write x with no
 * order; r reads x after w only; c passes y, which nothing sets. */
static cadence_def *with_child_task(void)
{
	cadence_builder *b;
	cadence_def *def;
	const char *const x[] = { "x", NULL };
	const char *const after_w[] = { "w", NULL };
	const char *const with[] = { "n", "score.y + 1", NULL };
	const char *const merge[] = { "x", "score.r", NULL };
	cr_assert_eq(cadence_builder_new(&b, "parent"), 0);
	cr_assert_eq(cadence_builder_field(b, "x", "string", NULL, 0), 0);
	cr_assert_eq(cadence_builder_field(b, "y", "integer", NULL, 0), 0);
	cr_assert_eq(cadence_builder_symbol(b, "w", "f"), 0);
	cr_assert_eq(cadence_builder_symbol(b, "r", "f"), 0);
	cr_assert_eq(cadence_builder_writes(b, "w", x), 0);
	cr_assert_eq(cadence_builder_reads(b, "r", x), 0);
	cr_assert_eq(cadence_builder_dag(b, "d", NULL, NULL, 0), 0);
	cr_assert_eq(cadence_builder_task(b, "w", NULL, NULL, NULL), 0);
	cr_assert_eq(cadence_builder_child_task(b, "c", "sub", with, merge, NULL, NULL), 0);
	cr_assert_eq(cadence_builder_task(b, "r", NULL, after_w, NULL), 0);
	finish_ok(&def, b);
	cadence_builder_free(b);
	return def;
}

Test(check_dag, a_child_task_reads_its_with_and_writes_its_merge)
{
	cadence_def *def = with_child_task();
	cadence_diags *d = check(def, 1);
	const cadence_diag *g = only(d, "dag-race");
	cr_assert_str_eq(g->message, "tasks 'w' and 'c' of dag 'd' both write 'x' with no order "
				     "between them (merge: fail_on_conflict)");
	g = only(d, "dag-missing-after");
	cr_assert_str_eq(g->message, "task 'r' reads 'x', which task 'c' of dag 'd' writes, but "
				     "neither is after the other");
	g = only(d, "read-before-write");
	cr_assert_str_eq(g->message, "task 'c' of dag 'd' passes 'n' from 'y', which is not set on "
				     "every path to it");
	cr_assert_eq(count(d, "undefined-note"), 0);
	cr_assert_eq(cadence_diags_count(d), 3);
	cadence_diags_free(d);
	cadence_def_free(def);
}

/* x set only by child task c's merge, read by the then measure after the
 * dag; on_error stop or not.  on_failure: continue, so that only c itself
 * can keep x unset. */
static cadence_def *merged_after_dag(int stop)
{
	cadence_builder *b;
	cadence_def *def;
	const char *const x[] = { "x", NULL };
	const char *const merge[] = { "x", "score.r", NULL };
	cr_assert_eq(cadence_builder_new(&b, "parent"), 0);
	cr_assert_eq(cadence_builder_field(b, "x", "string", NULL, 0), 0);
	cr_assert_eq(cadence_builder_symbol(b, "r", "f"), 0);
	cr_assert_eq(cadence_builder_symbol(b, "oops", "f"), 0);
	cr_assert_eq(cadence_builder_reads(b, "r", x), 0);
	cr_assert_eq(cadence_builder_dag(b, "d", NULL, "continue", 0), 0);
	cr_assert_eq(cadence_builder_child_task(b, "c", "sub", NULL, merge, NULL, NULL), 0);
	cr_assert_eq(cadence_builder_then(b, "read", "r"), 0);
	cr_assert_eq(cadence_builder_on_error(b, "oops", stop), 0);
	finish_ok(&def, b);
	cadence_builder_free(b);
	return def;
}

Test(check_dag, a_child_tasks_merge_is_set_after_the_dag)
{
	cadence_def *def = merged_after_dag(1);
	cadence_diags *d;
	cadence_check_opts o = CADENCE_CHECK_OPTS_INIT;
	o.check_flow = 1;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_check(def, NULL, &o, d), 0);
	cr_assert_eq(cadence_diags_count(d), 0);
	cadence_diags_free(d);
	cadence_def_free(def);
}

/* a child that fails while the cadence goes on has merged nothing */
Test(check_dag, a_child_tasks_merge_is_not_sure_when_the_cadence_goes_on)
{
	cadence_def *def = merged_after_dag(0);
	cadence_diags *d = check(def, 1);
	const cadence_diag *g = only(d, "read-before-write");
	cr_assert_str_eq(g->message, "note 'r' reads 'x', which is not set on every path to "
				     "measure 'read'");
	cr_assert_eq(cadence_diags_count(d), 1);
	cadence_diags_free(d);
	cadence_def_free(def);
}

/* child tasks in a circle, one listed twice: the shape is reported, and
 * the flow, which waits for a dag without them, does not trip on them */
Test(check_dag, child_tasks_in_a_circle)
{
	cadence_builder *b;
	cadence_def *def;
	const char *const after_a[] = { "a", NULL };
	const char *const after_b[] = { "b", NULL };
	const char *const merge[] = { "x", "score.r", NULL };
	cr_assert_eq(cadence_builder_new(&b, "parent"), 0);
	cr_assert_eq(cadence_builder_field(b, "x", "string", NULL, 0), 0);
	cr_assert_eq(cadence_builder_dag(b, "d", NULL, NULL, 0), 0);
	cr_assert_eq(cadence_builder_child_task(b, "a", "sub", NULL, merge, after_b, NULL), 0);
	cr_assert_eq(cadence_builder_child_task(b, "b", "sub", NULL, merge, after_a, "has(score.x)"), 0);
	finish_ok(&def, b);
	cadence_builder_free(b);
	cadence_diags *d = check(def, 1);
	const cadence_diag *g = only(d, "dag-cycle");
	cr_assert_str_eq(g->message, "tasks of dag 'd' are after each other in a circle: a -> b -> a");
	cr_assert_eq(cadence_diags_count(d), 1);
	cadence_diags_free(d);
	cadence_def_free(def);
}
