/* SPDX-License-Identifier: MIT */
/* Issue 15: a project that keeps expressions (project/keep.h, as `cadence
 * run` makes it) has cadence_check() keep every expression it compiles,
 * and the env of each score, and its runners borrow them instead of
 * compiling them again (project/kept.h). */
#define _XOPEN_SOURCE 700
#include <cadence/cadence.h>
#include <cadence/run.h>

#include "expr/compile.h"
#include "model/model.h"
#include "project/project.h"
#include "tmpdir.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[256], main_path[300];

#define put(path, text) cr_assert_eq(test_write_file((path), (text)), 0, "cannot write %s", (path))

/* main: a set note, a split's condition, a child's with and merge. */
static void setup(void)
{
	char path[360];
	cr_assert_not_null(test_mkdtemp(dir, sizeof(dir), "kept"));
	snprintf(main_path, sizeof(main_path), "%s/main.cadence.yaml", dir);
	put(main_path, "cadence: main\n"
		       "score:\n  n: {type: integer, default: 1}\n  back: {type: integer, default: 0}\n"
		       "notes:\n  a: {set: {n: 'score.n + 1'}}\n  b: {set: {n: 'score.n * 10'}}\n"
		       "measures:\n  - then: a\n"
		       "  - split: big\n    when: score.n > 1\n    if_true: [b]\n    if_false: []\n"
		       "  - child: c\n    cadence: twice\n    with: {x: score.n}\n"
		       "    merge: {back: score.x}\n");
	snprintf(path, sizeof(path), "%s/twice.cadence.yaml", dir);
	put(path, "cadence: twice\nscore:\n  x: {type: integer, default: 0}\n"
		  "notes:\n  d: {set: {x: 'score.x * 2'}}\nmeasures:\n  - then: d\n");
}

static void teardown(void)
{
	char cmd[320];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(project_kept, .init = setup, .fini = teardown);

/* main loaded into a new project, keeping expressions or not. */
static const cadence_def *load(cadence_project **p, int keep)
{
	const cadence_def *def = NULL;
	cadence_diags *d = NULL;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_project_new(p, NULL), 0);
	if (keep)
		cr_assert_eq(cad_project_keep_exprs(*p), 0);
	cr_assert_eq(cadence_project_load_file(&def, *p, main_path, d), 0);
	cadence_diags_free(d);
	return def;
}

static void check(cadence_project *p, const cadence_def *def)
{
	cadence_diags *d = NULL;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_check(def, p, NULL, d), 0);
	cadence_diags_free(d);
}

/* The final score's `n` and `back` of a run of def on p. */
static void run(cadence_project *p, const cadence_def *def, int *n, int *back)
{
	cadence_runner *r = NULL;
	cJSON *out = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_runner_new(&r, p, def, NULL), 0);
	cr_assert_eq(cadence_runner_run(&out, r, NULL, &err), 0, "%s", err.message);
	*n = cJSON_GetObjectItem(out, "n")->valueint;
	*back = cJSON_GetObjectItem(out, "back")->valueint;
	cJSON_Delete(out);
	cadence_run_error_clear(&err);
	cadence_runner_free(r);
}

/* The loaded child of main (its third measure). */
static const cadence_def *child_of(cadence_project *p, const cadence_def *def)
{
	const cadence_def *child = NULL;
	cr_assert_eq(cadence_project_child(&child, NULL, p, def, 2, NULL), 0);
	return child;
}

Test(project_kept, the_check_keeps_every_expression_and_env)
{
	cadence_project *p;
	const cadence_def *def = load(&p, 1);
	check(p, def);
	const cadence_def *child = child_of(p, def);
	cad_kept *k = cad_project_kept(p, def);
	cr_assert_not_null(k);
	cr_assert_eq(cad_project_kept(p, child), k);
	cr_assert_not_null(cad_kept_get(k, &def->notes[0].set[0].expr, def));
	cr_assert_not_null(cad_kept_get(k, &def->notes[1].set[0].expr, def));
	cr_assert_not_null(cad_kept_get(k, &def->measures[1].when, def));
	cr_assert_not_null(cad_kept_get(k, &def->measures[2].with[0].expr, def));
	/* a merge reads the child's score: kept over the child's */
	cr_assert_not_null(cad_kept_get(k, &def->measures[2].merge_back[0].expr, child));
	cr_assert_null(cad_kept_get(k, &def->measures[2].merge_back[0].expr, def));
	cr_assert_not_null(cad_kept_env(k, def));
	cr_assert_not_null(cad_kept_env(k, child));
	/* the same run as without keeping */
	int n, back;
	run(p, def, &n, &back);
	cr_assert_eq(n, 20);
	cr_assert_eq(back, 40);
	cadence_project_free(p);
}

Test(project_kept, a_project_keeps_nothing_unless_asked)
{
	cadence_project *p;
	const cadence_def *def = load(&p, 0);
	check(p, def);
	cr_assert_null(cad_project_kept(p, def));
	int n, back;
	run(p, def, &n, &back);
	cr_assert_eq(n, 20);
	cr_assert_eq(back, 40);
	cadence_project_free(p);
}

/* What the runner runs is the kept expression, not one it compiled: one
 * kept in place of `score.n + 1` (as no check would) shows in the result. */
Test(project_kept, the_runner_borrows_what_is_kept)
{
	cadence_project *p;
	const cadence_def *def = load(&p, 1);
	cad_kept *k = cad_project_kept(p, def);
	cadence_expr_env *env = NULL;
	cadence_expr *x = NULL;
	cr_assert_eq(cadence_expr_env_new(&env), 0);
	cr_assert_eq(cadence_expr_env_add_field(env, "n", "integer"), 0);
	cr_assert_eq(cadence_expr_env_add_field(env, "back", "integer"), 0);
	const char *src = "score.n + 100";
	cr_assert_eq(cad_expr_compile_in(&x, cad_kept_home(k), src, strlen(src), env, 1, NULL), 0);
	cr_assert_eq(cad_kept_put(k, &def->notes[0].set[0].expr, def, x), 0);
	cr_assert_eq(cad_kept_put_env(k, def, env), 0);
	int n, back;
	run(p, def, &n, &back);
	cr_assert_eq(n, 1010);
	cr_assert_eq(back, 2020);
	cadence_project_free(p);
}

/* A cadence the project does not own (built in code, or loaded elsewhere)
 * could be freed and another made at its address: nothing of it is kept. */
Test(project_kept, nothing_is_kept_for_a_cadence_the_project_does_not_own)
{
	cadence_project *p;
	cadence_def *other = NULL;
	cadence_diags *d = NULL;
	load(&p, 1);
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_load_file(&other, main_path, NULL, d), 0);
	cr_assert_null(cad_project_kept(p, other));
	cadence_def_free(other);
	cadence_diags_free(d);
	cadence_project_free(p);
}
