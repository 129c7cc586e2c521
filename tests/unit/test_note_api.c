/* SPDX-License-Identifier: MIT */
/* Public API that nothing else exercised: the note context as a note's
 * author tests with it (cadence_note_ctx_new, _set_attempt, _set_expiry,
 * cadence_note_message) and as the engine fills it (cadence, measure, run
 * id, attempt, on_error); the builder's reads/writes, as the checker's data
 * flow and the engine's write check see them; cadence_diags_add/_relate;
 * cadence_project_child. */
#include "run_fixture.h"

#include <cadence/builder.h>

#include <ctype.h>
#include <pthread.h>
#include "builder_fixture.h"

/* ---- a note tested by calling it directly ---------------------------------------- */

/* As a note's author writes it: the gateway is busy on the first attempt;
 * then it charges the score's amount. */
static int charge(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	if (cadence_note_attempt(ctx) < 2)
		return cadence_note_fail(ctx, "gateway busy (attempt %u)", cadence_note_attempt(ctx));
	if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(score, "amount")))
		return cadence_note_fail(ctx, "no amount");
	*changes = cJSON_CreateObject();
	cJSON_AddStringToObject(*changes, "status", "paid");
	return CADENCE_NOTE_OK;
}

Test(note_ctx, a_direct_call_sees_the_attempt_it_is_given)
{
	cadence_note_ctx *ctx;
	int user;
	cJSON *score = cJSON_Parse("{\"amount\": 12.5}"), *changes = NULL;
	cr_assert_eq(cadence_note_ctx_new(&ctx, "charge", &user), 0);
	cr_assert_str_eq(cadence_note_name(ctx), "charge");
	cr_assert_eq(cadence_note_user(ctx), &user);
	cr_assert_eq(cadence_note_attempt(ctx), 1);
	/* not made by the engine: no place, no deadline, nothing failed yet */
	cr_assert_null(cadence_note_cadence(ctx));
	cr_assert_null(cadence_note_measure(ctx));
	cr_assert_null(cadence_note_run_id(ctx));
	cr_assert_null(cadence_note_error(ctx));
	cr_assert_null(cadence_note_error_note(ctx));
	cr_assert_null(cadence_note_message(ctx));
	cr_assert_eq(cadence_note_expired(ctx), 0);
	cr_assert_eq(cadence_note_remaining_ms(ctx), -1);

	cr_assert_eq(charge(ctx, score, &changes), CADENCE_NOTE_FAILED);
	cr_assert_null(changes);
	cr_assert_str_eq(cadence_note_message(ctx), "gateway busy (attempt 1)");

	cadence_note_ctx_set_attempt(ctx, 2);
	cr_assert_eq(cadence_note_attempt(ctx), 2);
	cr_assert_eq(charge(ctx, score, &changes), CADENCE_NOTE_OK);
	char *s = cJSON_PrintUnformatted(changes);
	cr_assert_str_eq(s, "{\"status\":\"paid\"}");
	cJSON_free(s);
	cJSON_Delete(changes);
	changes = NULL;

	/* a later failure replaces the message */
	cJSON_DeleteItemFromObject(score, "amount");
	cr_assert_eq(charge(ctx, score, &changes), CADENCE_NOTE_FAILED);
	cr_assert_str_eq(cadence_note_message(ctx), "no amount");
	cJSON_Delete(score);
	cadence_note_ctx_free(ctx);
}

Test(note_ctx, a_long_message_is_kept_whole)
{
	cadence_note_ctx *ctx;
	static char big[100000];
	memset(big, 'x', sizeof(big) - 1);
	cr_assert_eq(cadence_note_ctx_new(&ctx, NULL, NULL), 0);
	cr_assert_str_eq(cadence_note_name(ctx), "");
	cr_assert_eq(cadence_note_fail(ctx, "short"), CADENCE_NOTE_FAILED);
	cr_assert_eq(cadence_note_fail(ctx, "%s", big), CADENCE_NOTE_FAILED, "a later call replaces it");
	cr_assert_eq(strlen(cadence_note_message(ctx)), sizeof(big) - 1);
	cadence_note_ctx_free(ctx);
}

/* Expired after `left` polls; counts them. */
typedef struct countdown {
	int left, polls;
} countdown;

static int count_down(void *arg)
{
	countdown *c = arg;
	c->polls++;
	return --c->left <= 0 ? 42 : 0;	/* any non-zero is "expired" */
}

/* Works in steps, checking between them whether to stop. */
static int long_job(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	int steps = 0;
	(void)score;
	while (!cadence_note_expired(ctx))
		if (++steps == 1000)
			return cadence_note_fail(ctx, "never told to stop");
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, "steps", steps);
	return CADENCE_NOTE_OK;
}

Test(note_ctx, a_polling_note_stops_when_its_expiry_says_so)
{
	cadence_note_ctx *ctx;
	cJSON *changes = NULL;
	countdown c = { 5, 0 };
	cr_assert_eq(cadence_note_ctx_new(&ctx, "long_job", NULL), 0);
	cr_assert_eq(long_job(ctx, NULL, &changes), CADENCE_NOTE_FAILED, "never expires by default");

	cadence_note_ctx_set_expiry(ctx, count_down, &c);
	cr_assert_eq(long_job(ctx, NULL, &changes), CADENCE_NOTE_OK);
	cr_assert_eq(c.polls, 5, "the callback gets its argument on every poll");
	cr_assert_eq(cJSON_GetObjectItemCaseSensitive(changes, "steps")->valueint, 4);
	cr_assert_eq(cadence_note_expired(ctx), 1, "any non-zero from the callback reads as 1");
	cJSON_Delete(changes);
	changes = NULL;

	cadence_note_ctx_set_expiry(ctx, NULL, &c);
	cr_assert_eq(cadence_note_expired(ctx), 0, "NULL: never expired");
	cr_assert_eq(c.polls, 6, "nor is the old callback called");
	cadence_note_ctx_free(ctx);
}

/* ---- contexts made by the engine ---------------------------------------------------- */

/* What a note saw; "-" for NULL. */
typedef struct seen {
	char note[32], cadence[32], measure[32], run_id[32], message[64];
	char error[128], error_note[32];
	unsigned attempt;
} seen;

static seen rows[16];
static size_t nrows;
static pthread_mutex_t rows_lock = PTHREAD_MUTEX_INITIALIZER;
static char event_run_id[32];

static void copy(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s ? s : "-");
}
#define COPY(dst, s) copy(dst, sizeof(dst), s)

static void remember(const cadence_note_ctx *ctx)
{
	pthread_mutex_lock(&rows_lock);	/* the notes of a sync run on the pool */
	if (nrows < 16) {
		seen *r = &rows[nrows++];
		COPY(r->note, cadence_note_name(ctx));
		COPY(r->cadence, cadence_note_cadence(ctx));
		COPY(r->measure, cadence_note_measure(ctx));
		COPY(r->run_id, cadence_note_run_id(ctx));
		COPY(r->message, cadence_note_message(ctx));
		COPY(r->error, cadence_note_error(ctx));
		COPY(r->error_note, cadence_note_error_note(ctx));
		r->attempt = cadence_note_attempt(ctx);
	}
	pthread_mutex_unlock(&rows_lock);
}

static const seen *row(const char *note, unsigned attempt)
{
	for (size_t i = 0; i < nrows; i++)
		if (!strcmp(rows[i].note, note) && rows[i].attempt == attempt)
			return &rows[i];
	cr_assert_fail("note %s did not run an attempt %u", note, attempt);
	return NULL;
}

/* Records its context; with user data, fails its first attempt. */
static int where(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	int rc = cadence_note_user(ctx) && cadence_note_attempt(ctx) == 1
		? cadence_note_fail(ctx, "try again") : CADENCE_NOTE_OK;
	remember(ctx);
	return rc;
}

static int declined(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	int rc = cadence_note_fail(ctx, "card %d declined", 4242);
	remember(ctx);
	return rc;
}

static void on_event(void *ctx, const cadence_event *ev)
{
	(void)ctx;
	if (ev->kind == CADENCE_EVENT_CADENCE_START && ev->depth == 0)
		COPY(event_run_id, ev->run_id);
}

static cadence_def *finish(cadence_builder *b)
{
	cadence_def *def;
	finish_ok(&def, b);
	cadence_builder_free(b);
	return def;
}

/* payment: one note, in a measure named differently */
static cadence_def *payment(void)
{
	cadence_builder *b;
	cr_assert_eq(cadence_builder_new(&b, "payment"), 0);
	cadence_builder_symbol(b, "charge", "where");
	cadence_builder_then(b, "charge_it", "charge");
	return finish(b);
}

/* shop: a then, a sync, a retried note, a child, a failing note with an
 * on_error handler that lets the cadence go on */
static cadence_def *shop(void)
{
	cadence_builder *b;
	const char *const both[] = { "left", "right", NULL };
	cr_assert_eq(cadence_builder_new(&b, "shop"), 0);
	const char *const names[] = { "first", "left", "right", "handler" };
	for (size_t i = 0; i < 4; i++)
		cadence_builder_symbol(b, names[i], "where");
	cadence_builder_symbol(b, "flaky", "flaky");
	cadence_builder_retry(b, "flaky", 2, 0, 1, -1, 0);
	cadence_builder_symbol(b, "down", "declined");
	cadence_builder_then(b, "start", "first");
	cadence_builder_sync(b, "both", NULL, both);
	cadence_builder_then(b, "again", "flaky");
	cadence_builder_child(b, "pay", "payment", NULL, NULL);
	cadence_builder_then(b, "last", "down");
	cadence_builder_on_error(b, "handler", 0);
	return finish(b);
}

/* Runs shop (with payment as its child); err may be NULL. */
static int run_shop(cadence_run_error *err)
{
	static int yes = 1;
	cadence_def *def = shop(), *child = payment();
	cadence_runner *r;
	cadence_run_hooks hooks = { CADENCE_RUN_HOOKS_VERSION, NULL, on_event, NULL };
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	cJSON *out = NULL;
	opts.hooks = &hooks;
	nrows = 0;
	cr_assert_eq(cadence_runner_new(&r, NULL, def, &opts), 0);
	cr_assert_eq(cadence_runner_add_cadence(r, child), 0);
	cr_assert_eq(cadence_runner_register(r, "where", where, NULL), 0);
	cr_assert_eq(cadence_runner_register(r, "flaky", where, &yes), 0);
	cr_assert_eq(cadence_runner_register(r, "declined", declined, NULL), 0);
	int rc = cadence_runner_run(&out, r, NULL, err);
	cJSON_Delete(out);
	cadence_runner_free(r);
	cadence_def_free(child);
	cadence_def_free(def);
	return rc;
}

static void assert_at(const seen *s, const char *cadence, const char *measure)
{
	cr_assert_str_eq(s->cadence, cadence, "note %s", s->note);
	cr_assert_str_eq(s->measure, measure, "note %s", s->note);
	cr_assert_str_eq(s->run_id, event_run_id, "note %s", s->note);
	if (strcmp(s->note, "handler")) {
		cr_assert_str_eq(s->error, "-", "note %s is no handler", s->note);
		cr_assert_str_eq(s->error_note, "-", "note %s is no handler", s->note);
	}
}

Test(note_ctx, the_engine_tells_a_note_where_it_runs)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(run_shop(&err), 0, "%s", err.message);
	cr_assert_eq(strlen(event_run_id), 16, "run id '%s'", event_run_id);
	for (const char *p = event_run_id; *p; p++)
		cr_assert(isxdigit((unsigned char)*p), "run id '%s'", event_run_id);
	cr_assert_eq(nrows, 8);

	assert_at(row("first", 1), "shop", "start");
	assert_at(row("left", 1), "shop", "both");
	assert_at(row("right", 1), "shop", "both");
	/* every attempt has a fresh context: the first one's message is gone */
	assert_at(row("flaky", 1), "shop", "again");
	cr_assert_str_eq(row("flaky", 1)->message, "try again");
	assert_at(row("flaky", 2), "shop", "again");
	cr_assert_str_eq(row("flaky", 2)->message, "-");
	/* inside a child: the child's name, the child's measure */
	assert_at(row("charge", 1), "payment", "charge_it");
	assert_at(row("down", 1), "shop", "last");
	cr_assert_str_eq(row("down", 1)->message, "card 4242 declined");

	const seen *h = row("handler", 1);
	assert_at(h, "shop", "last");
	cr_assert_str_eq(h->error, "shop: then 'last', note 'down': card 4242 declined");
	cr_assert_str_eq(h->error_note, "down");
	cr_assert_str_eq(h->message, "-");

	/* each run has its own id */
	char first[32];
	snprintf(first, sizeof(first), "%s", event_run_id);
	cr_assert_eq(run_shop(&err), 0, "%s", err.message);
	cr_assert_str_neq(event_run_id, first);
	cr_assert_str_eq(row("charge", 1)->run_id, event_run_id);
	cadence_run_error_clear(&err);
}

Test(note_ctx, the_handler_sees_the_error_when_the_caller_asks_for_none)
{
	/* cadence_runner_run(..., err = NULL): the error still exists for
	 * the on_error handler */
	cr_assert_eq(run_shop(NULL), 0);
	const seen *h = row("handler", 1);
	cr_assert_str_eq(h->error, "shop: then 'last', note 'down': card 4242 declined");
	cr_assert_str_eq(h->error_note, "down");
}

/* ---- the builder's reads and writes ------------------------------------------------- */

/* cadence_check() of a built cadence: one "rule: message" line per
 * diagnostic. */
static const char *check(const cadence_def *def)
{
	static char out[2048];
	cadence_project *p;
	cadence_diags *d;
	cadence_check_opts o = CADENCE_CHECK_OPTS_INIT;
	size_t n = 0;
	o.check_executables = 0;	/* built in memory */
	cr_assert_eq(cadence_project_new(&p, NULL), 0);
	cr_assert_eq(cadence_diags_new(&d), 0);
	int rc = cadence_check(def, p, &o, d);
	out[0] = '\0';
	for (size_t i = 0; i < cadence_diags_count(d) && n < sizeof(out); i++) {
		const cadence_diag *g = cadence_diags_get(d, i);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s: %s\n", g->rule, g->message);
	}
	cr_assert_eq(rc, cadence_diags_errors(d) ? CADENCE_EINVALID : 0, "rc %d, %zu errors: %s", rc, cadence_diags_errors(d), out);
	cadence_diags_free(d);
	cadence_project_free(p);
	return out;
}

/* items (no default) is read by price; fetch, before it, writes `fetch_writes`
 * (NULL: declares no writes). */
static cadence_def *pricing(const char *const *fetch_writes)
{
	cadence_builder *b;
	const char *const items[] = { "items", NULL }, *const total[] = { "total", NULL };
	cr_assert_eq(cadence_builder_new(&b, "pricing"), 0);
	cadence_builder_field(b, "items", "array", NULL, 0);
	cadence_builder_field(b, "total", "number", NULL, 0);
	cadence_builder_symbol(b, "fetch", "fetch");
	if (fetch_writes)
		cadence_builder_writes(b, "fetch", fetch_writes);
	cadence_builder_symbol(b, "price", "price");
	cadence_builder_reads(b, "price", items);
	cadence_builder_writes(b, "price", total);
	cadence_builder_then(b, "fetch", NULL);
	cadence_builder_then(b, "price", NULL);
	return finish(b);
}

Test(builder_flow, a_read_that_no_earlier_write_sets_is_reported)
{
	const char *const items[] = { "items", NULL }, *const total[] = { "total", NULL };
	cadence_def *def = pricing(NULL);
	cr_assert_str_eq(check(def), "read-before-write: note 'price' reads 'items', which is "
			 "not set on every path to measure 'price'\n");
	cadence_def_free(def);
	def = pricing(total);
	cr_assert_str_eq(check(def), "read-before-write: note 'price' reads 'items', which is "
			 "not set on every path to measure 'price'\n");
	cadence_def_free(def);
	/* fetch declares that it writes the items: price may read them */
	def = pricing(items);
	cr_assert_str_eq(check(def), "");
	cadence_def_free(def);
}

Test(builder_flow, reads_and_writes_name_declared_and_mutable_fields)
{
	cadence_builder *b;
	cJSON *eur = cJSON_CreateString("EUR");
	const char *const reads[] = { "itms", NULL }, *const writes[] = { "totl", "currency", NULL };
	cr_assert_eq(cadence_builder_new(&b, "typos"), 0);
	cadence_builder_field(b, "items", "array", NULL, CADENCE_FIELD_REQUIRED);
	cadence_builder_field(b, "total", "number", NULL, 0);
	cadence_builder_field(b, "currency", "string", eur, CADENCE_FIELD_IMMUTABLE);
	cJSON_Delete(eur);
	cadence_builder_symbol(b, "price", "price");
	cr_assert_eq(cadence_builder_reads(b, "price", reads), 0);
	cr_assert_eq(cadence_builder_writes(b, "price", writes), 0);
	cadence_builder_then(b, "price", NULL);
	cadence_def *def = finish(b);
	cr_assert_str_eq(check(def), "undeclared-field: reads 'itms', which is not declared in the score\n"
			 "undeclared-field: writes 'totl', which is not declared in the score\n"
			 "immutable-write: writes 'currency', which is immutable\n");
	cadence_def_free(def);
}

/* a and b in one sync, both declaring that they write status */
static cadence_def *enrich(const char *merge)
{
	cadence_builder *b;
	const char *const status[] = { "status", NULL }, *const both[] = { "a", "b", NULL };
	cJSON *v = cJSON_CreateString("new");
	cr_assert_eq(cadence_builder_new(&b, "enrich"), 0);
	cadence_builder_field(b, "status", "string", v, 0);
	cJSON_Delete(v);
	cadence_builder_symbol(b, "a", "a");
	cadence_builder_symbol(b, "b", "b");
	cadence_builder_writes(b, "a", status);
	cadence_builder_writes(b, "b", status);
	cadence_builder_sync(b, "both", merge, both);
	return finish(b);
}

Test(builder_flow, notes_of_a_sync_that_write_one_field_conflict)
{
	cadence_def *def = enrich(NULL);
	cr_assert_str_eq(check(def), "write-conflict: notes 'a' and 'b' both write 'status' in "
			 "sync 'both' (merge: fail_on_conflict)\n");
	cadence_def_free(def);
	def = enrich("last_write_wins");
	cr_assert_str_eq(check(def), "");
	cadence_def_free(def);
}

static int write_ab(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	*changes = cJSON_Parse("{\"a\": \"x\", \"b\": \"y\"}");
	return CADENCE_NOTE_OK;
}

/* Runs a note that changes a and b, declared to write `writes`. */
static int run_writes(const char *const *writes, cadence_run_error *err, char **out_text)
{
	cadence_builder *b;
	cadence_runner *r;
	cJSON *out = NULL;
	cr_assert_eq(cadence_builder_new(&b, "limited"), 0);
	cadence_builder_field(b, "a", "string", NULL, 0);
	cadence_builder_field(b, "b", "string", NULL, 0);
	cadence_builder_symbol(b, "w", "write_ab");
	cadence_builder_writes(b, "w", writes);
	cadence_builder_then(b, "w", NULL);
	cadence_def *def = finish(b);
	cr_assert_eq(cadence_runner_new(&r, NULL, def, NULL), 0);
	cr_assert_eq(cadence_runner_register(r, "write_ab", write_ab, NULL), 0);
	int rc = cadence_runner_run(&out, r, NULL, err);
	*out_text = out ? cJSON_PrintUnformatted(out) : NULL;
	cJSON_Delete(out);
	cadence_runner_free(r);
	cadence_def_free(def);
	return rc;
}

Test(builder_flow, a_change_outside_the_declared_writes_fails_the_note)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	const char *const a[] = { "a", NULL }, *const ab[] = { "a", "b", NULL };
	char *out;
	cr_assert_eq(run_writes(a, &err, &out), CADENCE_EFAILED);
	cr_assert_null(out);
	cr_assert_str_eq(err.message, "limited: note 'w': it changed field 'b', which is not in "
			 "its writes: [a]");
	cr_assert_str_eq(err.note, "w");
	cr_assert_eq(run_writes(ab, &err, &out), 0, "%s", err.message);
	cr_assert_str_eq(out, "{\"a\":\"x\",\"b\":\"y\"}");
	cJSON_free(out);
	cadence_run_error_clear(&err);
}

Test(builder_flow, reads_and_writes_need_a_declared_note)
{
	cadence_builder *b;
	const char *const a[] = { "a", NULL };
	cr_assert_eq(cadence_builder_new(&b, "x"), 0);
	cr_assert_eq(cadence_builder_reads(b, "ghost", a), CADENCE_EINVAL);
	finish_fails(b, CADENCE_EINVAL, "note 'ghost' is not declared");
	cadence_builder_free(b);
	cr_assert_eq(cadence_builder_new(&b, "x"), 0);
	cr_assert_eq(cadence_builder_writes(b, "ghost", a), CADENCE_EINVAL);
	cadence_builder_free(b);
}

/* ---- diagnostics made by the caller ------------------------------------------------------ */

Test(diags_api, added_diagnostics_are_copied_cleaned_and_related)
{
	cadence_diags *d;
	char line[] = "  a: tabby\nnext line", message[] = "bad\x01 thing";
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_diags_relate(d, 1, 1, "nothing to relate to"), CADENCE_EINVAL);
	cr_assert_eq(cadence_diags_add(d, CADENCE_SEVERITY_WARNING, "my-rule", "x.yaml", 3, 6, 5,
				       line, 10, message, "fix it"), 0);
	cr_assert_eq(cadence_diags_relate(d, 1, 2, "first here"), 0);
	cr_assert_eq(cadence_diags_add(d, CADENCE_SEVERITY_ERROR, "other", "x.yaml", 1, 1, 0,
				       NULL, 0, "earlier", NULL), 0);
	memset(line, '?', sizeof(line) - 1);	/* copied: the caller's buffers may go */
	memset(message, '?', sizeof(message) - 1);
	cr_assert_eq(cadence_diags_count(d), 2);
	cr_assert_eq(cadence_diags_errors(d), 1);
	cr_assert_eq(cadence_diags_warnings(d), 1);
	cr_assert_eq(cadence_diags_oom(d), 0);

	const cadence_diag *g = cadence_diags_get(d, 0);
	cr_assert_eq(g->severity, CADENCE_SEVERITY_WARNING);
	cr_assert_str_eq(g->rule, "my-rule");
	cr_assert_eq(g->line, 3);
	cr_assert_eq(g->column, 6);
	cr_assert_eq(g->length, 5);
	cr_assert_str_eq(g->source_line, "  a: tabby", "only source_line_len bytes");
	cr_assert_str_eq(g->message, "bad\xef\xbf\xbd thing", "a control character becomes U+FFFD");
	cr_assert_str_eq(g->help, "fix it");
	cr_assert_eq(g->related_line, 1);
	cr_assert_eq(g->related_column, 2);
	cr_assert_str_eq(g->related_message, "first here");
	cr_assert_eq(cadence_diags_get(d, 1)->related_line, 0);
	cr_assert_null(cadence_diags_get(d, 1)->help);

	cadence_diags_sort(d);
	cr_assert_str_eq(cadence_diags_get(d, 0)->rule, "other");

	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	cr_assert_eq(cadence_diags_write(d, fp, CADENCE_DIAG_ONELINE, NULL), 0);
	fclose(fp);
	cr_assert_str_eq(text, "x.yaml:1:1: error: earlier [other]\n"
			 "x.yaml:3:6: warning: bad\xef\xbf\xbd thing [my-rule]\n");
	free(text);
	cadence_diags_free(d);
}

/* ---- child references resolved by the project -------------------------------------------- */

static const char parent[] =
	"cadence: parent\n"
	"notes:\n"
	"  t: {symbol: t}\n"
	"measures:\n"
	"  - then: t\n"
	"  - child: pay\n"
	"    cadence: billing/payment\n";

static void mkdir_billing(const fx *f)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/billing", f->dir);
	cr_assert_eq(mkdir(p, 0755), 0, "%s", p);
}

Test(project_api, a_child_reference_is_resolved_to_its_file)
{
	fx f;
	cadence_diags *d;
	const cadence_def *child, *again;
	const char *path;
	char want[256];
	fx_init(&f);
	fx_load(&f, parent);
	cr_assert_eq(cadence_diags_new(&d), 0);
	snprintf(want, sizeof(want), "%s/billing/payment.cadence.yaml", f.dir);

	cr_assert_eq(cadence_project_child(&child, &path, f.project, f.def, 0, d), CADENCE_EINVAL,
		     "measure 0 is a then");
	cr_assert_eq(cadence_project_child(&child, &path, f.project, f.def, 2, d), CADENCE_EINVAL,
		     "there is no measure 2");
	cr_assert_eq(cadence_project_child(&child, &path, f.project, f.def, 1, d), CADENCE_ENOTFOUND);
	cr_assert_null(child);
	cr_assert_str_eq(path, want);
	cr_assert_eq(cadence_diags_count(d), 0, "not found is the checker's to report");

	mkdir_billing(&f);
	fx_write(&f, "billing/payment.cadence.yaml",
		 "cadence: payment\nnotes:\n  c: {symbol: c}\nmeasures:\n  - then: c\n", 0);
	size_t files = cadence_project_file_count(f.project);
	cr_assert_eq(cadence_project_child(&child, NULL, f.project, f.def, 1, d), 0);
	cr_assert_str_eq(cadence_def_name(child), "payment");
	cr_assert_eq(cadence_project_file_count(f.project), files + 1);
	cr_assert_eq(cadence_project_child(&again, NULL, f.project, f.def, 1, d), 0);
	cr_assert_eq(again, child, "a file is loaded once");
	cr_assert_eq(cadence_project_file_count(f.project), files + 1);
	cadence_diags_free(d);
	fx_free(&f);
}

Test(project_api, a_child_file_with_errors_is_refused_with_its_diagnostics)
{
	fx f;
	cadence_diags *d;
	const cadence_def *child;
	fx_init(&f);
	fx_load(&f, parent);
	mkdir_billing(&f);
	fx_write(&f, "billing/payment.cadence.yaml", "cadence: payment\nmeasures: 3\n", 0);
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_project_child(&child, NULL, f.project, f.def, 1, d), CADENCE_EINVALID);
	cr_assert_null(child);
	cr_assert_gt(cadence_diags_errors(d), 0);
	cadence_diags_free(d);
	fx_free(&f);
}
