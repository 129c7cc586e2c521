/* SPDX-License-Identifier: MIT */
/* The builder (cadence/builder.h): cadences made in C run like loaded
 * ones; every mistake is refused with a message. */
#include <cadence/builder.h>
#include <cadence/cadence.h>
#include <cadence/run.h>

#include <criterion/criterion.h>
#include <stdatomic.h>
#include <string.h>
#include "builder_fixture.h"

static cadence_builder *b;

static void setup(void)
{
	cr_assert_eq(cadence_builder_new(&b, "built"), 0);
}

static void teardown(void)
{
	cadence_builder_free(b);
}

TestSuite(builder, .init = setup, .fini = teardown);

static atomic_int calls;

/* log += [name]; fails on its first call when its user data says so */
static int trace(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	if (cadence_note_user(ctx) && cadence_note_attempt(ctx) == 1)
		return cadence_note_fail(ctx, "first call fails");
	atomic_fetch_add(&calls, 1);
	cJSON *log = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(score, "log"), 1);
	cJSON_AddItemToArray(log, cJSON_CreateString(cadence_note_name(ctx)));
	*changes = cJSON_CreateObject();
	cJSON_AddItemToObject(*changes, "log", log);
	return CADENCE_NOTE_OK;
}

static int broken(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	return cadence_note_fail(ctx, "down");
}

static char *run(const cadence_def *def, const cadence_def *child, int *rc, char **err_msg)
{
	cadence_runner *r;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cJSON *out = NULL;
	static int yes = 1;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, NULL), 0);
	if (child)
		cr_assert_eq(cadence_runner_add_cadence(r, child), 0);
	cr_assert_eq(cadence_runner_register(r, "trace", trace, NULL), 0);
	cr_assert_eq(cadence_runner_register(r, "flaky", trace, &yes), 0);
	cr_assert_eq(cadence_runner_register(r, "broken", broken, NULL), 0);
	*rc = cadence_runner_run(&out, r, NULL, &err);
	*err_msg = err.message ? strdup(err.message) : NULL;
	char *s = out ? cJSON_PrintUnformatted(out) : NULL;
	cJSON_Delete(out);
	cadence_run_error_clear(&err);
	cadence_runner_free(r);
	return s;
}

Test(builder, builds_and_runs_every_measure_and_policy)
{
	cJSON *empty = cJSON_CreateArray(), *eur = cJSON_CreateString("EUR");
	cJSON *pending = cJSON_CreateString("pending");
	const char *const par[] = { "p1", "p2", NULL }, *const seq[] = { "s1", "s2", NULL };
	cr_assert_eq(cadence_builder_field(b, "log", "array", empty, 0), 0);
	cr_assert_eq(cadence_builder_field(b, "status", "string", NULL, 0), 0);
	cr_assert_eq(cadence_builder_field(b, "currency", "string", eur, CADENCE_FIELD_IMMUTABLE), 0);
	cJSON_Delete(empty);
	cJSON_Delete(eur);
	const char *names[] = { "first", "p1", "p2", "s1", "s2" };
	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(cadence_builder_symbol(b, names[i], "trace"), 0);
	cr_assert_eq(cadence_builder_symbol(b, "flaky", "flaky"), 0);
	cr_assert_eq(cadence_builder_retry(b, "flaky", 2, 1, 1, -1, 0), 0);
	cr_assert_eq(cadence_builder_symbol(b, "down", "broken"), 0);
	cr_assert_eq(cadence_builder_fallback(b, "down", "status", pending), 0);
	cr_assert_eq(cadence_builder_breaker(b, "down", 3, 1000, 1), 0);
	cr_assert_eq(cadence_builder_timeout(b, "down", 5000), 0);
	cJSON_Delete(pending);
	cr_assert_eq(cadence_builder_then(b, "first", NULL), 0);
	cr_assert_eq(cadence_builder_sync(b, "both", "smart_merge", par), 0);
	cr_assert_eq(cadence_builder_sequence(b, "after", seq), 0);
	cr_assert_eq(cadence_builder_then(b, "retried", "flaky"), 0);
	cr_assert_eq(cadence_builder_then(b, "down", NULL), 0);
	cadence_def *def;
	finish_ok(&def, b);
	cr_assert_str_eq(cadence_def_name(def), "built");
	cr_assert_null(cadence_def_path(def));
	cr_assert_eq(cadence_def_measure_count(def), 5);
	int rc;
	char *msg, *s = run(def, NULL, &rc, &msg);
	cr_assert_eq(rc, 0, "%s", msg);
	cr_assert_str_eq(s, "{\"log\":[\"first\",\"p1\",\"p2\",\"s1\",\"s2\",\"flaky\"],"
			 "\"status\":\"pending\",\"currency\":\"EUR\"}");
	cJSON_free(s);
	free(msg);
	cadence_def_free(def);
}

Test(builder, a_built_child_runs_from_a_built_parent)
{
	cadence_builder *cb;
	cadence_def *parent, *child;
	cJSON *empty = cJSON_CreateArray();
	cr_assert_eq(cadence_builder_new(&cb, "payment"), 0);
	cadence_builder_field(cb, "log", "array", empty, 0);
	cadence_builder_symbol(cb, "charge", "broken");
	cadence_builder_then(cb, "charge", NULL);
	finish_ok(&child, cb);
	cadence_builder_free(cb);
	cadence_builder_field(b, "log", "array", empty, 0);
	cJSON_Delete(empty);
	cadence_builder_symbol(b, "t", "trace");
	cadence_builder_then(b, "t", NULL);
	cadence_builder_child(b, "pay", "payment", NULL, NULL);
	finish_ok(&parent, b);
	int rc;
	char *msg, *s = run(parent, child, &rc, &msg);
	cr_assert_eq(rc, CADENCE_EFAILED);
	cr_assert_null(s);
	cr_assert_str_eq(msg, "built/payment: note 'charge': down");
	free(msg);
	cadence_def_free(parent);
	cadence_def_free(child);
}

static void refused(int rc, const char *message)
{
	cr_assert_eq(rc, CADENCE_EINVAL);
	/* errors are sticky: finishing returns the first, with its message */
	cr_assert_eq(cadence_builder_symbol(b, "fine", "f"), CADENCE_EINVAL);
	finish_fails(b, CADENCE_EINVAL, message);
}

Test(builder, refuses_a_bad_name)
{
	refused(cadence_builder_symbol(b, "9lives", "f"), "note name '9lives'");
}

Test(builder, refuses_an_unknown_type)
{
	refused(cadence_builder_field(b, "n", "int", NULL, 0), "unknown type 'int'");
}

Test(builder, refuses_a_note_declared_twice)
{
	cadence_builder_symbol(b, "a", "f");
	refused(cadence_builder_run(b, "a", (const char *const[]){ "true", NULL }),
		"note 'a' is declared twice");
}

Test(builder, refuses_a_policy_of_an_undeclared_note)
{
	refused(cadence_builder_retry(b, "ghost", 3, 0, 1, -1, 0), "note 'ghost' is not declared");
}

Test(builder, refuses_a_bad_retry)
{
	cadence_builder_symbol(b, "a", "f");
	refused(cadence_builder_retry(b, "a", 3, 100, 2, 50, 0), "max_delay >= delay");
}

Test(builder, refuses_an_unknown_merge)
{
	refused(cadence_builder_sync(b, "s", "union", (const char *const[]){ "a", NULL }),
		"unknown merge 'union'");
}

Test(builder, refuses_a_measure_of_an_undeclared_note)
{
	cadence_builder_then(b, "missing", NULL);
	finish_fails(b, CADENCE_EINVAL, "then 'missing' runs note 'missing', which is not declared");
}

Test(builder, refuses_a_cadence_without_measures)
{
	finish_fails(b, CADENCE_EINVAL, "has no measure");
}

Test(builder, set_notes_and_splits_are_built)
{
	cadence_builder_field(b, "n", "integer", NULL, 0);
	cr_assert_eq(cadence_builder_set(b, "inc", "n", "score.n + 1"), 0);
	cr_assert_eq(cadence_builder_set(b, "inc", "m", "score.n"), 0, "a second field");
	cr_assert_eq(cadence_builder_split(b, "route", "score.n > 1",
					   (const char *const[]){ "inc", NULL }, NULL), 0);
	cr_assert_eq(cadence_builder_child(b, "c", NULL, (const char *const[]){ "x", "score.n", NULL },
					   NULL), 0);
	cr_assert_eq(cadence_builder_on_error(b, "inc", 0), 0);
	cadence_def *def;
	finish_ok(&def, b);
	cr_assert_eq(cadence_def_note_count(def), 1);
	cadence_def_free(def);
}

/* The loader refuses a `set:` of one field twice (a duplicate key); the
 * builder takes it, and the run refuses the note's output: the engine's
 * shortcut for a set note's known fields (no duplicate check) must not
 * apply to it. */
Test(builder, a_set_note_that_sets_a_field_twice_fails_its_run)
{
	cadence_builder_field(b, "n", "integer", NULL, 0);
	cr_assert_eq(cadence_builder_set(b, "inc", "n", "1"), 0);
	cr_assert_eq(cadence_builder_set(b, "inc", "n", "2"), 0);
	cadence_builder_then(b, "inc", NULL);
	cadence_def *def;
	finish_ok(&def, b);
	int rc;
	char *msg = NULL;
	char *out = run(def, NULL, &rc, &msg);
	cr_assert_neq(rc, 0, "ran: %s", out ? out : "");
	cr_assert(msg && strstr(msg, "it changed field 'n' twice in one output"), "%s", msg);
	free(out);
	free(msg);
	cadence_def_free(def);
}

/* issue 14 (the environment of run notes): cadence_builder_env is `env:` */
Test(builder, env_narrows_a_run_notes_environment)
{
	static char *const environment[] = {
		"PATH=/usr/bin:/bin", "SECRET=s3cr3t", "KEEP=kept", "LC_ALL=C", NULL,
	};
	cadence_builder_field(b, "seen", "string", NULL, 0);
	cadence_builder_run(b, "show", (const char *const[]){ "/bin/sh", "-c",
		"printf '{\"seen\": \"%s|%s|%s|%s\"}' \"$PATH\" \"${SECRET-}\" \"${KEEP-}\" \"$LC_ALL\"",
		NULL });
	cr_assert_eq(cadence_builder_env(b, "show", (const char *const[]){ "KEEP", NULL }), 0);
	cadence_builder_then(b, "show", NULL);
	cadence_def *def;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_finish(&def, b, &err), 0, "%s", err.message);
	cadence_run_opts o = CADENCE_RUN_OPTS_INIT;
	o.environment = environment;
	cadence_runner *r;
	cJSON *out = NULL;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, &o), 0);
	cr_assert_eq(cadence_runner_run(&out, r, NULL, &err), 0, "%s", err.message);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(out, "seen")->valuestring,
			 "/usr/bin:/bin||kept|C");
	cJSON_Delete(out);
	cadence_run_error_clear(&err);
	cadence_runner_free(r);
	cadence_def_free(def);
}

Test(builder, refuses_env_on_a_note_that_is_not_run)
{
	cadence_builder_symbol(b, "a", "f");
	refused(cadence_builder_env(b, "a", (const char *const[]){ "HOME", NULL }),
		"note 'a': only a run note has an environment of its own");
}

Test(builder, refuses_a_bad_env_name)
{
	cadence_builder_run(b, "a", (const char *const[]){ "true", NULL });
	refused(cadence_builder_env(b, "a", (const char *const[]){ "A=B", NULL }),
		"note 'a': env 'A=B': an environment variable name may only hold");
}
