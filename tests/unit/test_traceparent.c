/* SPDX-License-Identifier: MIT */
/* W3C trace context (docs/observability.md, "Traces"): the traceparent
 * parser, the ids events carry, the TRACEPARENT `run` notes get, and the
 * trace reporter's use of them. */
#include "run_fixture.h"

#include <cadence/report.h>

#include <stddef.h>

#define TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define PARENT "00f067aa0ba902b7"
#define TP "00-" TRACE "-" PARENT "-01"

/* ---- the parser -------------------------------------------------------------- */

Test(traceparent, the_specifications_example)
{
	uint64_t t[2] = { 1, 1 }, span = 1;
	unsigned flags = 7;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_traceparent_parse(t, &span, &flags, TP, &err), 0);
	cr_assert_eq(t[0], 0x4bf92f3577b34da6ULL);
	cr_assert_eq(t[1], 0xa3ce929d0e0e4736ULL);
	cr_assert_eq(span, 0x00f067aa0ba902b7ULL);
	cr_assert_eq(flags, 1);
	cr_assert_null(err.message, "a success leaves err alone");
	cr_assert_eq(cadence_traceparent_parse(t, &span, &flags, "00-" TRACE "-" PARENT "-fe",
					       NULL), 0);
	cr_assert_eq(flags, 0xfe, "every flag kept, not only sampled");
	cr_assert_eq(cadence_traceparent_parse(NULL, NULL, NULL, TP, NULL), 0, "outs not wanted");
}

/* A version above 00 is read by its first four fields (the
 * specification's forward compatibility); what follows needs a '-'. */
Test(traceparent, a_later_version_by_its_first_fields)
{
	uint64_t t[2], span;
	unsigned flags;
	cr_assert_eq(cadence_traceparent_parse(t, &span, &flags, "cc-" TRACE "-" PARENT "-01", NULL), 0);
	cr_assert_eq(cadence_traceparent_parse(t, &span, &flags,
					       "cc-" TRACE "-" PARENT "-03-what-the-future-holds", NULL), 0);
	cr_assert_eq(t[1], 0xa3ce929d0e0e4736ULL);
	cr_assert_eq(span, 0x00f067aa0ba902b7ULL);
	cr_assert_eq(flags, 3);
	cr_assert_eq(cadence_traceparent_parse(t, &span, &flags, "cc-" TRACE "-" PARENT "-01x", NULL),
		     CADENCE_EINVAL);
}

static void bad(const char *s, const char *why)
{
	uint64_t t[2] = { 1, 1 }, span = 1;
	unsigned flags = 1;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_traceparent_parse(t, &span, &flags, s, &err), CADENCE_EINVAL,
		     "accepted: %s", s ? s : "NULL");
	cr_assert(!t[0] && !t[1] && !span && !flags, "outs are 0 on failure: %s", s ? s : "NULL");
	cr_assert_eq(err.code, CADENCE_EINVAL);
	cr_assert_not_null(strstr(err.message, why), "'%s': %s", s ? s : "NULL", err.message);
	cr_assert_not_null(strstr(err.message, "(expected 00-<trace id: 32 lowercase hex digits>-"
				  "<parent id: 16 lowercase hex digits>-<flags: 2 lowercase hex "
				  "digits>)"), "%s", err.message);
	cadence_run_error_clear(&err);
}

Test(traceparent, what_is_wrong_is_said)
{
	bad(NULL, "there is none");
	bad("", "it is empty");
	bad("ff-" TRACE "-" PARENT "-01", "version ff is invalid");
	bad("0-" TRACE "-" PARENT "-01", "it must start with a version");
	bad("000-" TRACE "-" PARENT "-01", "it must start with a version");
	bad("0A-" TRACE "-" PARENT "-01", "it must start with a version");
	/* uppercase hex: the specification's digits are lowercase */
	bad("00-4BF92F3577B34DA6A3CE929D0E0E4736-" PARENT "-01", "the trace id must be 32 lowercase");
	bad("00-" TRACE "-00F067AA0BA902B7-01", "the parent id must be 16 lowercase");
	bad("00-" TRACE "-" PARENT "-0A", "the flags must be 2 lowercase");
	/* lengths */
	bad("00-4bf92f3577b34da6a3ce929d0e0e473-" PARENT "-01", "the trace id must be 32");
	bad("00-4bf92f3577b34da6a3ce929d0e0e47360-" PARENT "-01", "the trace id must be 32");
	bad("00-" TRACE "-00f067aa0ba902b-01", "the parent id must be 16");
	bad("00-" TRACE "-00f067aa0ba902b70-01", "the parent id must be 16");
	bad("00-" TRACE "-" PARENT "-1", "the flags must be 2");
	bad("00-" TRACE "-" PARENT "-", "the flags must be 2");
	bad("00-" TRACE "-" PARENT, "the parent id must be 16 lowercase hex digits followed by a '-'");
	bad("00-" TRACE, "the trace id must be 32");
	bad("00-", "the trace id must be 32");
	/* all-zero ids */
	bad("00-00000000000000000000000000000000-" PARENT "-01", "the trace id is all zeros");
	bad("00-" TRACE "-0000000000000000-01", "the parent id is all zeros");
	/* after the flags: nothing in version 00 */
	bad(TP "0", "version 00 ends after the flags (55 characters in all)");
	bad(TP "-later", "version 00 ends after the flags");
	bad(TP " ", "version 00 ends after the flags");
	bad(" " TP, "it must start with a version");
	bad("00_" TRACE "_" PARENT "_01", "it must start with a version");
	bad("00-" TRACE "_" PARENT "-01", "the trace id must be 32 lowercase hex digits followed by a '-'");
	bad("00-" TRACE "-" PARENT "_01", "the parent id must be 16 lowercase hex digits followed by a '-'");
	bad("00-" TRACE "-" PARENT "-0g", "the flags must be 2 lowercase hex digits");
}

Test(traceparent, the_value_is_quoted_safely)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_traceparent_parse(NULL, NULL, NULL, "x\x1b[2J\\\n", &err), CADENCE_EINVAL);
	cr_assert_not_null(strstr(err.message, "'x\\x1b[2J\\x5c\\x0a' is not a W3C traceparent"),
			   "%s", err.message);
	char long_one[200];
	memset(long_one, 'a', sizeof(long_one) - 1);
	long_one[sizeof(long_one) - 1] = '\0';
	cr_assert_eq(cadence_traceparent_parse(NULL, NULL, NULL, long_one, &err), CADENCE_EINVAL);
	cr_assert_not_null(strstr(err.message, "aaaa'... is not"), "cut: %s", err.message);
	cr_assert_lt(strlen(err.message), 300);
	cadence_run_error_clear(&err);
	err.version = CADENCE_RUN_ERROR_VERSION + 1;
	cr_assert_eq(cadence_traceparent_parse(NULL, NULL, NULL, "", &err), CADENCE_EVERSION);
	cr_assert_null(err.message);
}

/* ---- a runner's trace context ------------------------------------------------------ */

#define MAX_EVENTS 64

typedef struct seen {
	cadence_event_kind kind;
	char note[16];
	unsigned attempt;
	unsigned depth;
	uint64_t trace_id[2], span_id, parent_span_id;
} seen;

typedef struct tx {
	fx f;
	seen ev[MAX_EVENTS];
	size_t n;
	cadence_trace *trace;	/* when not NULL, given every event too */
} tx;

static void tx_on_event(void *ctx, const cadence_event *e)
{
	tx *t = ctx;
	cr_assert_lt(t->n, MAX_EVENTS);
	seen *s = &t->ev[t->n++];
	s->kind = e->kind;
	snprintf(s->note, sizeof(s->note), "%s", e->note ? e->note : "");
	s->attempt = e->attempt;
	s->depth = e->depth;
	memcpy(s->trace_id, e->trace_id, sizeof(s->trace_id));
	s->span_id = e->span_id;
	s->parent_span_id = e->parent_span_id;
	if (t->trace)
		cadence_trace_on_event(t->trace, e);
}

static int flaky(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	if (cadence_note_attempt(ctx) < 2)
		return cadence_note_fail(ctx, "not yet");
	cadence_note_log(ctx, "done");
	*changes = cJSON_CreateObject();
	return CADENCE_NOTE_OK;
}

/* a C note retried once (a LOG on its second attempt), a `run` note that
 * prints its TRACEPARENT and TRACESTATE, a child */
static const char *const cadence_text =
	"cadence: t\n"
	"score:\n"
	"  tp: {type: string, default: ''}\n"
	"  ts: {type: string, default: ''}\n"
	"  id: {type: string, default: ''}\n"
	"notes:\n"
	"  flaky: {symbol: flaky, retry: {attempts: 2, delay: 1ms}}\n"
	"  env:\n"
	"    run: [sh, -c, 'printf \"{\\\"tp\\\": \\\"%s\\\", \\\"ts\\\": \\\"%s\\\", \\\"id\\\": "
	"\\\"%s\\\"}\" \"$TRACEPARENT\" \"${TRACESTATE-none}\" \"$CADENCE_RUN_ID\"']\n"
	"measures:\n"
	"  - then: flaky\n"
	"  - then: env\n"
	"  - child: kid\n"
	"    cadence: kid\n";

static const char *const kid_text =
	"cadence: kid\n"
	"notes:\n"
	"  k: {set: {}}\n"
	"measures:\n"
	"  - then: k\n";

static char *const parent_env[] = {
	"TRACEPARENT=00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-00",
	"TRACESTATE=vendor=opaque", "CADENCE_RUN_ID=theirs", NULL,
};

static void tx_open(tx *t, const char *traceparent)
{
	memset(t, 0, sizeof(*t));
	fx_init(&t->f);
	t->f.hooks = (cadence_run_hooks){ CADENCE_RUN_HOOKS_VERSION, t, tx_on_event, NULL };
	t->f.opts.traceparent = traceparent;
	t->f.opts.environment = parent_env;
	fx_write(&t->f, "kid.cadence.yaml", kid_text, 0);
	fx_load(&t->f, cadence_text);
	cr_assert_eq(cadence_runner_register(t->f.r, "flaky", flaky, NULL), 0);
}

static void tx_close(tx *t)
{
	cadence_trace_free(t->trace);
	fx_free(&t->f);
}

/* The events of attempt `attempt` of `note`: one span id, not 0, that no
 * other attempt has. */
static uint64_t attempt_span(const tx *t, const char *note, unsigned attempt)
{
	uint64_t id = 0;
	for (size_t i = 0; i < t->n; i++) {
		const seen *s = &t->ev[i];
		if (strcmp(s->note, note) || s->kind == CADENCE_EVENT_ERROR)
			continue;
		if (s->attempt == attempt) {
			cr_assert(s->span_id, "%s#%u: kind %d has a span id", note, attempt, s->kind);
			cr_assert(!id || id == s->span_id, "one span id per attempt");
			id = s->span_id;
		} else {
			cr_assert_neq(s->span_id, id, "another attempt, another span id");
		}
	}
	cr_assert(id, "%s#%u ran", note, attempt);
	return id;
}

static void hex_ids(char out[56], const uint64_t trace[2], uint64_t span, unsigned flags)
{
	snprintf(out, 56, "00-%016llx%016llx-%016llx-%02x", (unsigned long long)trace[0],
		 (unsigned long long)trace[1], (unsigned long long)span, flags);
}

Test(traceparent, events_carry_the_callers_trace)
{
	tx t;
	tx_open(&t, "00-" TRACE "-" PARENT "-03");
	cr_assert_eq(fx_run(&t.f, NULL), 0, "%s", t.f.err.message);
	cr_assert_gt(t.n, 10);
	for (size_t i = 0; i < t.n; i++) {
		const seen *s = &t.ev[i];
		cr_assert_eq(s->trace_id[0], 0x4bf92f3577b34da6ULL, "event %zu", i);
		cr_assert_eq(s->trace_id[1], 0xa3ce929d0e0e4736ULL, "event %zu", i);
		int root_start = s->kind == CADENCE_EVENT_CADENCE_START && !s->depth;
		cr_assert_eq(s->parent_span_id, root_start ? 0x00f067aa0ba902b7ULL : 0,
			     "event %zu (kind %d, depth %u)", i, s->kind, s->depth);
		int of_attempt = s->kind == CADENCE_EVENT_NOTE_START || s->kind == CADENCE_EVENT_NOTE_END ||
				 s->kind == CADENCE_EVENT_RETRY || s->kind == CADENCE_EVENT_LOG;
		cr_assert_eq(s->span_id != 0, of_attempt, "event %zu (kind %d): a span id on an "
			     "attempt's events only", i, s->kind);
	}
	uint64_t first = attempt_span(&t, "flaky", 1), second = attempt_span(&t, "flaky", 2);
	cr_assert_neq(first, second);
	cr_assert(attempt_span(&t, "k", 1));
	/* the `run` note: the run's trace, its attempt's span, the caller's
	 * flags; TRACESTATE as it was; the inherited ones replaced */
	char want[64];
	hex_ids(want, t.ev[0].trace_id, attempt_span(&t, "env", 1), 3);
	cJSON *tp = cJSON_GetObjectItem(t.f.out, "tp");
	cr_assert_str_eq(tp->valuestring, want);
	cr_assert_str_eq(cJSON_GetObjectItem(t.f.out, "ts")->valuestring, "vendor=opaque");
	cr_assert_str_neq(cJSON_GetObjectItem(t.f.out, "id")->valuestring, "theirs");
	tx_close(&t);
}

Test(traceparent, without_a_caller_each_run_has_a_trace_of_its_own)
{
	tx t;
	tx_open(&t, NULL);
	cr_assert_eq(fx_run(&t.f, NULL), 0, "%s", t.f.err.message);
	uint64_t first[2] = { t.ev[0].trace_id[0], t.ev[0].trace_id[1] };
	cr_assert(first[0] || first[1]);
	for (size_t i = 0; i < t.n; i++) {
		cr_assert(t.ev[i].trace_id[0] == first[0] && t.ev[i].trace_id[1] == first[1],
			  "one trace id per run");
		cr_assert_eq(t.ev[i].parent_span_id, 0, "no caller: no parent");
	}
	char want[64];
	hex_ids(want, first, attempt_span(&t, "env", 1), 1);
	cr_assert_str_eq(cJSON_GetObjectItem(t.f.out, "tp")->valuestring, want, "sampled: 01");
	cr_assert_str_eq(cJSON_GetObjectItem(t.f.out, "ts")->valuestring, "none",
			 "a TRACESTATE belongs to the caller's trace, which this run did not join");
	t.n = 0;
	cr_assert_eq(fx_run(&t.f, NULL), 0, "%s", t.f.err.message);
	cr_assert(t.ev[0].trace_id[0] != first[0] || t.ev[0].trace_id[1] != first[1],
		  "another run, another trace");
	tx_close(&t);
}

/* The fixture with kid_text loaded, no runner made. */
static void fx_no_runner(fx *f)
{
	fx_init(f);
	fx_write(f, "t.cadence.yaml", kid_text, 0);
	cadence_diags *d;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_project_new(&f->project, NULL), 0);
	cr_assert_eq(cadence_project_load_file(&f->def, f->project, f->path, d), 0);
	cadence_diags_free(d);
}

Test(traceparent, a_runner_refuses_a_bad_one)
{
	fx f;
	fx_no_runner(&f);
	cadence_runner *r = (cadence_runner *)1;
	f.opts.traceparent = "00-" TRACE "-0000000000000000-01";
	cr_assert_eq(cadence_runner_new(&r, f.project, f.def, &f.opts), CADENCE_EINVAL);
	cr_assert_null(r);
	f.opts.traceparent = "";
	cr_assert_eq(cadence_runner_new(&r, f.project, f.def, &f.opts), CADENCE_EINVAL);
	fx_free(&f);
}

/* A program built against version 1 of the options: the struct ends
 * before `traceparent`, which is not read (ASan sees a read past it). */
Test(traceparent, options_of_version_1)
{
	fx f;
	fx_no_runner(&f);
	size_t v1 = offsetof(cadence_run_opts, traceparent);
	unsigned char *old = malloc(v1);	/* bytes: the type is larger */
	unsigned one = 1;
	cr_assert_not_null(old);
	memcpy(old, &f.opts, v1);
	memcpy(old + offsetof(cadence_run_opts, version), &one, sizeof(one));
	cr_assert_eq(cadence_runner_new(&f.r, f.project, f.def, (const cadence_run_opts *)(void *)old), 0);
	free(old);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	fx_free(&f);
}

/* The trace reporter: the caller's trace id, the root under the caller's
 * span, each attempt's span the id its events (and TRACEPARENT) carry. */
Test(traceparent, the_trace_reporter_uses_the_ids)
{
	tx t;
	tx_open(&t, TP);
	cr_assert_eq(cadence_trace_new(&t.trace), 0);
	cr_assert_eq(fx_run(&t.f, NULL), 0, "%s", t.f.err.message);
	char *text = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&text, &len);
	cr_assert_eq(cadence_trace_write(t.trace, mf), 0);
	fclose(mf);
	cJSON *doc = cJSON_Parse(text);
	cr_assert_not_null(doc, "%s", text);
	const cJSON *spans = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "resourceSpans"), 0), "scopeSpans"), 0),
		"spans");
	char ids[3][17];
	snprintf(ids[0], 17, "%016llx", (unsigned long long)attempt_span(&t, "flaky", 1));
	snprintf(ids[1], 17, "%016llx", (unsigned long long)attempt_span(&t, "flaky", 2));
	snprintf(ids[2], 17, "%016llx", (unsigned long long)attempt_span(&t, "env", 1));
	int found[3] = { 0 }, roots = 0;
	const cJSON *s;
	cJSON_ArrayForEach(s, spans) {
		cr_assert_str_eq(cJSON_GetObjectItem(s, "traceId")->valuestring, TRACE);
		const char *id = cJSON_GetObjectItem(s, "spanId")->valuestring;
		for (int i = 0; i < 3; i++)
			found[i] += !strcmp(id, ids[i]);
		const cJSON *p = cJSON_GetObjectItem(s, "parentSpanId");
		if (!strcmp(cJSON_GetObjectItem(s, "name")->valuestring, "t")) {
			roots++;
			cr_assert_not_null(p);
			cr_assert_str_eq(p->valuestring, PARENT, "the root under the caller's span");
		}
	}
	cr_assert_eq(roots, 1);
	cr_assert(found[0] == 1 && found[1] == 1 && found[2] == 1, "each attempt's span once: %d %d %d",
		  found[0], found[1], found[2]);
	cr_assert_not_null(strstr(cJSON_GetObjectItem(t.f.out, "tp")->valuestring, ids[2]),
			   "the note's TRACEPARENT names its span");
	cJSON_Delete(doc);
	free(text);
	tx_close(&t);
}
