/* SPDX-License-Identifier: MIT */
/* Note API 1.2: a C note reads score fields by name (cadence_note_field)
 * and by handle (cadence_note_field_handle, cadence_note_field_at), in the
 * engine and in a context of cadence_note_ctx_new; a handle of another
 * declaration is refused, never misread; an undeclared field is NULL. */
#include "run_fixture.h"

#include <cadence/note.h>

#include <pthread.h>

/* What the notes saw, as text. */
static char seen[8][256];
static int nseen;
static cadence_field_handle kept;	/* resolved in the parent by `resolve` */

static void saw(const char *fmt, const cJSON *v)
{
	char *s = v ? cJSON_PrintUnformatted(v) : NULL;
	if (nseen < 8)
		snprintf(seen[nseen++], sizeof(seen[0]), fmt, s ? s : "NULL");
	cJSON_free(s);
}

/* Reads by name: a, b, c (null), an undeclared field; writes a + 1. */
static int by_name(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	saw("a=%s", cadence_note_field(ctx, "a"));
	saw("b=%s", cadence_note_field(ctx, "b"));
	saw("c=%s", cadence_note_field(ctx, "c"));
	saw("zz=%s", cadence_note_field(ctx, "zz"));
	saw("null-name=%s", cadence_note_field(ctx, NULL));
	/* the engine's context reads the engine's score, not one given */
	cadence_note_ctx_set_score(ctx, NULL);
	const cJSON *a = cadence_note_field(ctx, "a");
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, "a", a->valuedouble + 1);
	return CADENCE_NOTE_OK;
}

static const char fields_yaml[] =
	"cadence: t\n"
	"score:\n"
	"  a: {type: integer, default: 1}\n"
	"  b: {type: string, default: x}\n"
	"  c: {type: string}\n"
	"notes:\n"
	"  n: {symbol: by_name}\n"
	"measures:\n"
	"  - then: n\n";

Test(note_fields, a_note_reads_fields_by_name)
{
	fx f;
	fx_init(&f);
	fx_load(&f, fields_yaml);
	cr_assert_eq(cadence_runner_register(f.r, "by_name", by_name, NULL), 0);
	nseen = 0;
	cr_assert_eq(fx_run(&f, "{\"a\": 41}"), 0, "%s", f.err.message);
	cr_assert_eq(nseen, 5);
	cr_assert_str_eq(seen[0], "a=41");
	cr_assert_str_eq(seen[1], "b=\"x\"");
	cr_assert_str_eq(seen[2], "c=null", "a declared field unset is a JSON null");
	cr_assert_str_eq(seen[3], "zz=NULL", "an undeclared field is NULL");
	cr_assert_str_eq(seen[4], "null-name=NULL");
	assert_field(&f, "a", "42");
	fx_free(&f);
}

/* Reads every field by name, each as "name=value" into seen[]. */
static int all_by_name(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	static const char *const names[] = {
		"a", "ab", "b", "a_field_with_a_name_too_long_to_keep_beside_the_note",
		"c", "d", "abc",
	};
	(void)score;
	(void)changes;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char fmt[128];
		snprintf(fmt, sizeof(fmt), "%s=%%s", names[i]);
		saw(fmt, cadence_note_field(ctx, names[i]));
	}
	return CADENCE_NOTE_OK;
}

/* A read by name compares the note's declared fields first (as many as
 * the engine keeps beside the note, run/run_int.h), then the hash: both
 * must give every field its own value, whether declared, declared beyond
 * what is kept, a prefix of another, or not declared at all. */
Test(note_fields, declared_and_undeclared_fields_read_alike)
{
	static const char yaml[] =
		"cadence: t\n"
		"score:\n"
		"  a: {type: integer, default: 1}\n"
		"  ab: {type: integer, default: 2}\n"
		"  b: {type: integer, default: 3}\n"
		"  a_field_with_a_name_too_long_to_keep_beside_the_note: {type: integer, default: 4}\n"
		"  c: {type: integer, default: 5}\n"
		"  d: {type: integer, default: 6}\n"
		"notes:\n"
		"  n:\n"
		"    symbol: all_by_name\n"
		"    reads: [ab, a_field_with_a_name_too_long_to_keep_beside_the_note, c, ab]\n"
		"    writes: [b, d]\n"
		"measures:\n"
		"  - then: n\n";
	static const char *const want[] = {
		"a=1", "ab=2", "b=3", "a_field_with_a_name_too_long_to_keep_beside_the_note=4",
		"c=5", "d=6", "abc=NULL",
	};
	fx f;
	fx_init(&f);
	fx_load(&f, yaml);
	cr_assert_eq(cadence_runner_register(f.r, "all_by_name", all_by_name, NULL), 0);
	nseen = 0;
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	cr_assert_eq(nseen, 7);
	for (int i = 0; i < 7; i++)
		cr_assert_str_eq(seen[i], want[i]);
	fx_free(&f);
}

/* Resolves its field once per thread and declaration, as note.h shows;
 * counts the resolutions.  `user` names the field. */
static int resolutions;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static int by_handle(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	static _Thread_local cadence_field_handle h;
	const char *name = cadence_note_user(ctx);
	(void)score;
	const cJSON *v = cadence_note_field_at(ctx, h);
	if (!v) {
		if (cadence_note_field_handle(&h, ctx, name))
			return cadence_note_fail(ctx, "no field '%s'", name);
		pthread_mutex_lock(&count_lock);
		resolutions++;
		pthread_mutex_unlock(&count_lock);
		v = cadence_note_field_at(ctx, h);
	}
	if (!cJSON_IsNumber(v))
		return cadence_note_fail(ctx, "'%s' is not a number", name);
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, name, v->valuedouble + 1);
	return CADENCE_NOTE_OK;
}

static const char handles_yaml[] =
	"cadence: t\n"
	"score:\n"
	"  s: {type: string, default: x}\n"
	"  a: {type: integer, default: 0}\n"
	"notes:\n"
	"  n: {symbol: by_handle}\n"
	"measures:\n"
	"  - sequence: s\n"
	"    notes: [n, n, n]\n";

Test(note_fields, a_handle_resolved_once_serves_every_call_and_run)
{
	fx f;
	fx_init(&f);
	fx_load(&f, handles_yaml);
	cr_assert_eq(cadence_runner_register(f.r, "by_handle", by_handle, "a"), 0);
	resolutions = 0;
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "3");
	cr_assert_eq(fx_run(&f, "{\"a\": 10}"), 0, "%s", f.err.message);
	assert_field(&f, "a", "13");
	cr_assert_eq(resolutions, 1, "resolved %d times", resolutions);
	/* another runner of the same file: the same declaration */
	fx_load(&f, handles_yaml);
	cr_assert_eq(cadence_runner_register(f.r, "by_handle", by_handle, "a"), 0);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "3");
	cr_assert_eq(resolutions, 1, "resolved %d times", resolutions);
	fx_free(&f);
}

/* Keeps the handle of `a` it resolves in the parent; in the child, whose
 * score declares other fields, the kept handle is refused. */
static int resolve(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	if (!strcmp(cadence_note_cadence(ctx), "parent")) {
		cr_assert_eq(cadence_note_field_handle(&kept, ctx, "a"), 0);
		saw("parent a=%s", cadence_note_field_at(ctx, kept));
		return CADENCE_NOTE_OK;
	}
	saw("child kept=%s", cadence_note_field_at(ctx, kept));
	cadence_field_handle h;
	cr_assert_eq(cadence_note_field_handle(&h, ctx, "a"), 0);
	saw("child a=%s", cadence_note_field_at(ctx, h));
	cr_assert_eq(cadence_note_field_handle(&h, ctx, "b"), CADENCE_ENOTFOUND);
	cr_assert_eq(h.declaration, 0, "a failure gives the handle of no field");
	return CADENCE_NOTE_OK;
}

Test(note_fields, a_handle_of_another_cadence_is_refused)
{
	fx f;
	fx_init(&f);
	fx_write(&f, "child.cadence.yaml",
		 "cadence: child\n"
		 "score:\n"
		 "  z: {type: string, default: zed}\n"
		 "  a: {type: integer, default: 7}\n"
		 "notes:\n"
		 "  r: {symbol: resolve}\n"
		 "measures:\n"
		 "  - then: r\n", 0);
	fx_load(&f, "cadence: parent\n"
		    "score:\n"
		    "  a: {type: integer, default: 1}\n"
		    "  b: {type: string, default: bee}\n"
		    "notes:\n"
		    "  r: {symbol: resolve}\n"
		    "measures:\n"
		    "  - then: r\n"
		    "  - child: c\n"
		    "    cadence: child\n");
	cr_assert_eq(cadence_runner_register(f.r, "resolve", resolve, NULL), 0);
	nseen = 0;
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	cr_assert_eq(nseen, 3);
	cr_assert_str_eq(seen[0], "parent a=1");
	/* index 0 in the child is z: refused, not read as z */
	cr_assert_str_eq(seen[1], "child kept=NULL");
	cr_assert_str_eq(seen[2], "child a=7");
	fx_free(&f);
}

Test(note_fields, a_context_for_tests_reads_the_score_it_is_given)
{
	cadence_note_ctx *ctx;
	cadence_field_handle h = CADENCE_FIELD_HANDLE_INIT, other;
	cr_assert_eq(cadence_note_ctx_new(&ctx, "n", NULL), 0);
	/* no score given: nothing to read */
	cr_assert_null(cadence_note_field(ctx, "a"));
	cr_assert_eq(cadence_note_field_handle(&h, ctx, "a"), CADENCE_ENOTFOUND);
	cr_assert_null(cadence_note_field_at(ctx, h));

	cJSON *score = cJSON_Parse("{\"a\": 1, \"b\": \"x\", \"c\": null}");
	cadence_note_ctx_set_score(ctx, score);
	cr_assert_eq(cadence_note_field(ctx, "a")->valueint, 1);
	cr_assert(cJSON_IsNull(cadence_note_field(ctx, "c")));
	cr_assert_null(cadence_note_field(ctx, "zz"), "an undeclared field");
	cr_assert_eq(cadence_note_field_handle(&h, ctx, "b"), 0);
	cr_assert_str_eq(cadence_note_field_at(ctx, h)->valuestring, "x");
	cr_assert_eq(cadence_note_field_handle(&other, ctx, "zz"), CADENCE_ENOTFOUND);
	cr_assert_eq(cadence_note_field_handle(NULL, ctx, "b"), CADENCE_EINVAL);
	cr_assert_eq(cadence_note_field_handle(&other, NULL, "b"), CADENCE_EINVAL);
	cr_assert_eq(cadence_note_field_handle(&other, ctx, NULL), CADENCE_EINVAL);
	cr_assert_null(cadence_note_field_at(NULL, h));
	cr_assert_null(cadence_note_field(NULL, "a"));

	/* new values, the same fields: the handle stays valid */
	cJSON *next = cJSON_Parse("{\"a\": 2, \"b\": \"y\", \"c\": 3}");
	cadence_note_ctx_set_score(ctx, next);
	cr_assert_str_eq(cadence_note_field_at(ctx, h)->valuestring, "y");
	/* another context, the same fields in the same order: valid too */
	cadence_note_ctx *ctx2;
	cr_assert_eq(cadence_note_ctx_new(&ctx2, "n", NULL), 0);
	cadence_note_ctx_set_score(ctx2, score);
	cr_assert_str_eq(cadence_note_field_at(ctx2, h)->valuestring, "x");
	/* other fields (b first): refused, not read as another field */
	cJSON *moved = cJSON_Parse("{\"b\": \"z\", \"a\": 5, \"c\": 3}");
	cadence_note_ctx_set_score(ctx2, moved);
	cr_assert_null(cadence_note_field_at(ctx2, h));
	cr_assert_eq(cadence_note_field(ctx2, "a")->valueint, 5);
	/* no score again */
	cadence_note_ctx_set_score(ctx2, NULL);
	cr_assert_null(cadence_note_field_at(ctx2, h));
	cr_assert_null(cadence_note_field(ctx2, "a"));
	cadence_note_ctx_free(ctx2);
	cJSON_Delete(moved);
	cJSON_Delete(next);
	cJSON_Delete(score);
	cadence_note_ctx_free(ctx);
}

/* A handle the engine resolved is valid in a test context given a score
 * of the same fields in the same order, and the reverse. */
Test(note_fields, handles_of_the_engine_and_of_tests_agree)
{
	fx f;
	fx_init(&f);
	fx_load(&f, fields_yaml);
	cr_assert_eq(cadence_runner_register(f.r, "by_name", by_name, NULL), 0);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	/* f.out holds a, b, c in declaration order */
	cadence_note_ctx *ctx;
	cr_assert_eq(cadence_note_ctx_new(&ctx, "n", NULL), 0);
	cadence_note_ctx_set_score(ctx, f.out);
	cadence_field_handle h;
	cr_assert_eq(cadence_note_field_handle(&h, ctx, "b"), 0);
	cr_assert_eq(h.index, 1);
	cadence_note_ctx_free(ctx);
	fx_free(&f);
}

/* A sync of C notes on the pool, each reading its own field by handle
 * (one handle per thread) over a wide score. */
static int wide_note(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	static _Thread_local cadence_field_handle h;
	static _Thread_local const char *for_name;
	char field[32];
	(void)score;
	snprintf(field, sizeof(field), "f%s", cadence_note_name(ctx) + 1);
	const cJSON *v = for_name && !strcmp(for_name, cadence_note_name(ctx))
		? cadence_note_field_at(ctx, h) : NULL;
	if (!v) {
		if (cadence_note_field_handle(&h, ctx, field))
			return cadence_note_fail(ctx, "no field %s", field);
		for_name = cadence_note_name(ctx);
		v = cadence_note_field_at(ctx, h);
	}
	if (!v || v != cadence_note_field(ctx, field))
		return cadence_note_fail(ctx, "the handle and the name disagree on %s", field);
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, field, v->valuedouble + 1);
	return CADENCE_NOTE_OK;
}

Test(note_fields, a_wide_sync_reads_by_handle_on_the_pool)
{
	enum { F = 3000, N = 40 };
	fx f;
	fx_init(&f);
	strbuf y = STRBUF_INIT;
	cad_strbuf_adds(&y, "cadence: wide\nscore:\n");
	for (int i = 0; i < F; i++)
		cad_strbuf_addf(&y, "  f%d: {type: integer, default: %d}\n", i, i);
	cad_strbuf_adds(&y, "notes:\n");
	for (int i = 0; i < N; i++)
		cad_strbuf_addf(&y, "  n%d: {symbol: wide_note, writes: [f%d]}\n", F - 1 - i,
				F - 1 - i);
	cad_strbuf_adds(&y, "measures:\n  - sync: s\n    notes: [");
	for (int i = 0; i < N; i++)
		cad_strbuf_addf(&y, "%sn%d", i ? ", " : "", F - 1 - i);
	cad_strbuf_adds(&y, "]\n");
	fx_load(&f, y.buf);
	cad_strbuf_free(&y);
	cr_assert_eq(cadence_runner_register(f.r, "wide_note", wide_note, NULL), 0);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "f2999", "3000");
	assert_field(&f, "f2960", "2961");
	assert_field(&f, "f2959", "2959");
	assert_field(&f, "f0", "0");
	fx_free(&f);
}
