/* SPDX-License-Identifier: MIT */
/* The versioned-struct convention of cadence/common.h at every entry point
 * that takes one: NULL and the versions 1..current are read; 0 and a
 * version above the library's return CADENCE_EVERSION and do nothing. */
#include <criterion/criterion.h>

#include "cadence/cadence.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char src[] = "cadence: v\nnotes:\n  a: {set: {}}\nmeasures:\n  - then: a\n";

static cadence_def *load(void)
{
	cadence_diags *d;
	cadence_def *def;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_load_buffer(&def, "v.cadence.yaml", src, strlen(src), NULL, d), 0);
	cadence_diags_free(d);
	return def;
}

/* the two versions no library may read: 0 (not initialised) and the next */
#define BAD_VERSIONS(current) { 0u, (current) + 1u }

Test(api_version, load_and_project)
{
	unsigned bad[] = BAD_VERSIONS(CADENCE_LOAD_OPTS_VERSION);
	cadence_diags *d;
	cr_assert_eq(cadence_diags_new(&d), 0);
	for (size_t i = 0; i < 2; i++) {
		cadence_load_opts o = CADENCE_LOAD_OPTS_INIT;
		cadence_def *def = (cadence_def *)1;
		cadence_project *p = (cadence_project *)1;
		o.version = bad[i];
		cr_assert_eq(cadence_load_buffer(&def, "v", src, strlen(src), &o, d), CADENCE_EVERSION);
		cr_assert_null(def);
		cr_assert_eq(cadence_load_file(&def, "/nonexistent", &o, d), CADENCE_EVERSION);
		cr_assert_null(def);
		cr_assert_eq(cadence_project_new(&p, &o), CADENCE_EVERSION);
		cr_assert_null(p);
	}
	cr_assert_eq(cadence_diags_count(d), 0, "nothing was reported");
	cadence_load_opts ok = CADENCE_LOAD_OPTS_INIT;
	cadence_def *def;
	cr_assert_eq(cadence_load_buffer(&def, "v", src, strlen(src), &ok, d), 0);
	cadence_def_free(def);
	cadence_diags_free(d);
}

Test(api_version, check_and_diags_write)
{
	cadence_def *def = load();
	cadence_diags *d;
	cr_assert_eq(cadence_diags_new(&d), 0);
	unsigned bad[] = BAD_VERSIONS(CADENCE_CHECK_OPTS_VERSION);
	for (size_t i = 0; i < 2; i++) {
		cadence_check_opts o = CADENCE_CHECK_OPTS_INIT;
		o.version = bad[i];
		cr_assert_eq(cadence_check(def, NULL, &o, d), CADENCE_EVERSION);
	}
	/* version 1 (before check_flow) is still read */
	cadence_check_opts v1 = { 1, 0, 0 };
	cr_assert_eq(cadence_check(def, NULL, &v1, d), 0);

	unsigned badw[] = BAD_VERSIONS(CADENCE_DIAG_WRITE_OPTS_VERSION);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	for (size_t i = 0; i < 2; i++) {
		cadence_diag_write_opts w = CADENCE_DIAG_WRITE_OPTS_INIT;
		w.version = badw[i];
		cr_assert_eq(cadence_diags_write(d, f, CADENCE_DIAG_JSON, &w), CADENCE_EVERSION);
	}
	fclose(f);
	cr_assert_eq(len, 0, "nothing was written");
	free(text);
	cadence_diags_free(d);
	cadence_def_free(def);
}

Test(api_version, diagram_opts_and_stats)
{
	cadence_def *def = load();
	unsigned bad[] = BAD_VERSIONS(CADENCE_DIAGRAM_OPTS_VERSION);
	for (size_t i = 0; i < 2; i++) {
		cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
		cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
		char *out = (char *)1;
		size_t len = 1;
		o.version = bad[i];
		cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_MERMAID,
						    &o, &st), CADENCE_EVERSION);
		cr_assert_null(out);
		st.version = bad[i];
		cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_MERMAID,
						    NULL, &st), CADENCE_EVERSION);
		cr_assert_eq(st.version, bad[i], "a stats struct of another version is not written");
	}
	cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
	char *out;
	size_t len;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_MERMAID, NULL, &st), 0);
	cr_assert_gt(st.nodes, 0);
	free(out);
	cadence_def_free(def);
}

static void ignore(void *ctx, const cadence_event *e)
{
	(void)ctx;
	(void)e;
}

Test(api_version, runner_opts_hooks_clock_checkpoint)
{
	cadence_def *def = load();
	cadence_runner *r = (cadence_runner *)1;
	cadence_run_opts o = CADENCE_RUN_OPTS_INIT;
	cadence_run_hooks h = CADENCE_RUN_HOOKS_INIT;
	cadence_clock c = CADENCE_CLOCK_INIT;
	h.on_event = ignore;

	o.version = CADENCE_RUN_OPTS_VERSION + 1;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, &o), CADENCE_EVERSION);
	cr_assert_null(r);
	o = (cadence_run_opts)CADENCE_RUN_OPTS_INIT;
	h.version = 0;
	o.hooks = &h;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, &o), CADENCE_EVERSION);
	h.version = CADENCE_RUN_HOOKS_VERSION;
	c.version = CADENCE_CLOCK_VERSION + 1;
	o.clock = &c;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, &o), CADENCE_EVERSION);
	o.clock = NULL;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, &o), 0);

	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cJSON *out = (cJSON *)1;
	co.version = 0;
	cr_assert_eq(cadence_runner_run_checkpointed(&out, r, NULL, &co, &err), CADENCE_EVERSION);
	cr_assert_null(out);
	cr_assert_not_null(strstr(err.message, "CADENCE_CHECKPOINT_OPTS_INIT"), "%s", err.message);
	cadence_run_error_clear(&err);
	co.version = CADENCE_CHECKPOINT_OPTS_VERSION;
	cr_assert_eq(cadence_runner_run_checkpointed(&out, r, NULL, &co, &err), 0);
	cJSON_Delete(out);
	cadence_runner_free(r);
	cadence_def_free(def);
}

/* Error structs are versioned too: one of an unknown version is neither
 * read nor written, at every function that fills one. */
Test(api_version, run_error_structs)
{
	cadence_def *def = load();
	cadence_runner *r;
	cadence_metrics *m;
	cadence_events *ev;
	cadence_builder *b;
	cadence_checkpoint *cp = (cadence_checkpoint *)1;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, NULL), 0);
	cr_assert_eq(cadence_metrics_new(&m), 0);
	cr_assert_eq(cadence_events_new(&ev, stderr), 0);
	cr_assert_eq(cadence_builder_new(&b, "v"), 0);
	unsigned bad[] = BAD_VERSIONS(CADENCE_RUN_ERROR_VERSION);
	for (size_t i = 0; i < 2; i++) {
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		cadence_def *built = (cadence_def *)1;
		cJSON *out = (cJSON *)1;
		err.version = bad[i];
		err.message = (char *)"untouched";
		cr_assert_eq(cadence_runner_run(&out, r, NULL, &err), CADENCE_EVERSION);
		cr_assert_null(out);
		cr_assert_eq(cadence_runner_prepare(r, &err), CADENCE_EVERSION);
		cr_assert_eq(cadence_runner_load_plugin(r, "/nonexistent.so", &err), CADENCE_EVERSION);
		cr_assert_eq(cadence_runner_print_plan(r, stderr, &err), CADENCE_EVERSION);
		cr_assert_eq(cadence_runner_check_input(r, NULL, &err), CADENCE_EVERSION);
		cr_assert_eq(cadence_runner_step(&out, NULL, r, "a", NULL, NULL, &err), CADENCE_EVERSION);
		cr_assert_null(out);
		out = (cJSON *)1;
		cr_assert_eq(cadence_runner_merge(&out, r, 0, NULL, NULL, 0, NULL, &err),
			     CADENCE_EVERSION);
		cr_assert_null(out);
		cr_assert_eq(cadence_metrics_write_file(m, "/nonexistent/m", &err), CADENCE_EVERSION);
		cr_assert_eq(cadence_events_status(ev, &err), CADENCE_EVERSION);
		cr_assert_eq(cadence_checkpoint_read_file(&cp, "/nonexistent", &err), CADENCE_EVERSION);
		cr_assert_null(cp);
		cr_assert_eq(cadence_checkpoint_parse(&cp, "{}", 2, &err), CADENCE_EVERSION);
		cr_assert_eq(cadence_builder_finish(&built, b, &err), CADENCE_EVERSION);
		cr_assert_null(built);
		cr_assert_str_eq(err.message, "untouched");
		cr_assert_eq(err.code, 0);
	}
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_checkpoint_read_file(&cp, "/nonexistent", &err), CADENCE_EIO);
	cr_assert_eq(err.sys_errno, ENOENT);
	cr_assert_str_eq(err.message, "cannot read the checkpoint '/nonexistent': "
				      "No such file or directory");
	/* a second failure replaces the first, releasing it (no leak) */
	cr_assert_eq(cadence_builder_finish((cadence_def **)&cp, b, &err), CADENCE_EINVAL);
	cr_assert_eq(err.sys_errno, 0);
	cr_assert_not_null(strstr(err.message, "has no measure"), "%s", err.message);
	cadence_run_error_clear(&err);
	cr_assert_eq(err.version, CADENCE_RUN_ERROR_VERSION);
	cadence_builder_free(b);
	cadence_events_free(ev);
	cadence_metrics_free(m);
	cadence_runner_free(r);
	cadence_def_free(def);
}

/* A failing call fills the error struct; a successful one leaves it as
 * it was (common.h, "Errors"). */
Test(api_version, success_leaves_the_error_alone)
{
	cadence_def *def = load();
	cadence_runner *r;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cJSON *out = NULL;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, NULL), 0);
	cr_assert_eq(cadence_runner_load_plugin(r, "/nonexistent.so", &err), CADENCE_EIO);
	char *was = err.message;
	cr_assert_not_null(was);
	cr_assert_eq(cadence_runner_run(&out, r, NULL, &err), 0);
	cr_assert_eq(err.message, was, "the run succeeded: the earlier error stays");
	cr_assert_eq(err.code, CADENCE_EIO);
	cJSON_Delete(out);

	cadence_expr *e;
	cadence_expr_error xe = CADENCE_EXPR_ERROR_INIT;
	cr_assert_eq(cadence_expr_compile(&e, "1 +", 3, NULL, &xe), CADENCE_EINVALID);
	char *xwas = xe.message;
	cr_assert_eq(cadence_expr_compile(NULL, "1", 1, NULL, &xe), CADENCE_EINVAL);
	cr_assert_neq(xe.message, xwas, "a failure replaces the earlier error");
	cr_assert_str_eq(xe.message, cadence_strerror(CADENCE_EINVAL));
	xwas = xe.message;
	cr_assert_eq(cadence_expr_compile(&e, "1", 1, NULL, &xe), 0);
	cr_assert_eq(xe.message, xwas);
	cadence_expr_free(e);
	cadence_expr_error_clear(&xe);

	/* a finished builder refuses any further call, with a message */
	cadence_builder *b;
	cadence_def *built, *again;
	cr_assert_eq(cadence_builder_new(&b, "v"), 0);
	cr_assert_eq(cadence_builder_symbol(b, "a", "f"), 0);
	cr_assert_eq(cadence_builder_then(b, "a", NULL), 0);
	cr_assert_eq(cadence_builder_finish(&built, b, &err), 0);
	cr_assert_eq(cadence_builder_symbol(b, "b", "f"), CADENCE_EINVAL);
	cr_assert_eq(cadence_builder_finish(&again, b, &err), CADENCE_EINVAL);
	cr_assert_null(again);
	cr_assert_str_eq(err.message, "the builder was finished already");
	cadence_run_error_clear(&err);
	cadence_builder_free(b);
	cadence_def_free(built);
	cadence_runner_free(r);
	cadence_def_free(def);
}

Test(api_version, expr_error_structs)
{
	cadence_expr *e = NULL;
	cr_assert_eq(cadence_expr_compile(&e, "1 + 1", 5, NULL, NULL), 0);
	unsigned bad[] = BAD_VERSIONS(CADENCE_EXPR_ERROR_VERSION);
	for (size_t i = 0; i < 2; i++) {
		cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
		cadence_expr *x = (cadence_expr *)1;
		cJSON *v = (cJSON *)1;
		int b = 7;
		err.version = bad[i];
		cr_assert_eq(cadence_expr_compile(&x, "1 +", 3, NULL, &err), CADENCE_EVERSION);
		cr_assert_null(x);
		cr_assert_eq(cadence_expr_eval(&v, e, NULL, &err), CADENCE_EVERSION);
		cr_assert_null(v);
		cr_assert_eq(cadence_expr_eval_bool(&b, e, NULL, &err), CADENCE_EVERSION);
		cr_assert_eq(b, 0);
		cr_assert_null(err.message);
	}
	/* messages are not cut: a long field name comes back whole */
	char name[600];
	memset(name, 'f', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	char text[620];
	snprintf(text, sizeof(text), "score.%s", name);
	cadence_expr_env *env;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	cr_assert_eq(cadence_expr_env_new(&env), 0);
	cr_assert_eq(cadence_expr_env_add_field(env, "g", "string"), 0);
	cadence_expr *x = NULL;
	cr_assert_eq(cadence_expr_compile(&x, text, strlen(text), env, &err), CADENCE_EINVALID);
	cr_assert_not_null(strstr(err.message, name), "%s", err.message);
	cr_assert_str_eq(err.help, "the score declares 'g'");
	cadence_expr_error_clear(&err);
	cr_assert_null(err.message);
	cr_assert_null(err.help);
	cr_assert_eq(err.version, CADENCE_EXPR_ERROR_VERSION);
	cadence_expr_env_free(env);
	cadence_expr_free(e);
}

Test(api_version, strerror_names_it)
{
	cr_assert_not_null(strstr(cadence_strerror(CADENCE_EVERSION), "_INIT"));
}

/* Not versioned (cadence/common.h): cadence_field_handle, a value the
 * caller allocates and the library fills and reads back, keeps one layout
 * for the whole of note API 1.x; its INIT is the handle of no field. */
Test(api_version, the_field_handle_keeps_its_layout)
{
	cadence_field_handle h = CADENCE_FIELD_HANDLE_INIT;
	cr_assert_eq(CADENCE_NOTE_API_MAJOR, 1, "a new major may change the handle");
	cr_assert_eq(sizeof(h), sizeof(unsigned long long) + sizeof(size_t));
	cr_assert_eq(h.declaration, 0);
	cr_assert_eq(h.index, 0);
	cadence_note_ctx *ctx;
	cr_assert_eq(cadence_note_ctx_new(&ctx, "n", NULL), 0);
	cr_assert_null(cadence_note_field_at(ctx, h));
	cadence_note_ctx_free(ctx);
}

Test(api_version, otlp_opts_and_stats)
{
	unsigned bad[] = BAD_VERSIONS(CADENCE_OTLP_OPTS_VERSION);
	unsigned bad_stats[] = BAD_VERSIONS(CADENCE_OTLP_STATS_VERSION);
	cadence_otlp_opts ok = CADENCE_OTLP_OPTS_INIT;
	ok.endpoint = "http://127.0.0.1:1";
	cadence_otlp *x;
	cr_assert_eq(cadence_otlp_new(&x, &ok, NULL), 0);
	for (size_t i = 0; i < 2; i++) {
		cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
		cadence_otlp *y = (cadence_otlp *)1;
		o.version = bad[i];
		o.endpoint = "http://127.0.0.1:1";
		cr_assert_eq(cadence_otlp_new(&y, &o, NULL), CADENCE_EVERSION);
		cr_assert_null(y);
		cr_assert_eq(cadence_otlp_opts_from_env(&o, NULL, NULL), CADENCE_EVERSION);
		cadence_otlp_stats st = CADENCE_OTLP_STATS_INIT;
		st.version = bad_stats[i];
		cr_assert_eq(cadence_otlp_status(x, &st, NULL), CADENCE_EVERSION);
	}
	cadence_otlp_free(x);
}
