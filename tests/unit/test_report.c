/* SPDX-License-Identifier: MIT */
/* The reporters (cadence/report.h) and checkpoints (cadence/checkpoint.h)
 * through the library, as an embedding program uses them: metrics, events
 * and traces of runs of C notes, runs on several threads into one
 * reporter, checkpoints saved after each measure, resumed to the score of
 * a whole run, and every way a checkpoint can be bad. */
#include <cadence/cadence.h>
#include <cadence/checkpoint.h>
#include <cadence/report.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_int.h"
#include "util/sha256.h"
#include "util/strbuf.h"

/* ---- C notes ------------------------------------------------------------------- */

/* n = n + 1 */
static int bump(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(score, "n");
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, "n", n->valuedouble + 1);
	return CADENCE_NOTE_OK;
}

/* fails on its first attempt, then bumps */
static int flaky(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	if (cadence_note_attempt(ctx) < 2)
		return cadence_note_fail(ctx, "not yet");
	return bump(ctx, score, changes);
}

static int broken(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	return cadence_note_fail(ctx, "always");
}

/* ---- fixture: a cadence in memory, a runner over it --------------------------------- */

static const char *const text =
	"cadence: counter\n"
	"score:\n"
	"  n: {type: integer, default: 0}\n"
	"  s: {type: string, default: \"\"}\n"
	"notes:\n"
	"  bump: {symbol: bump}\n"
	"  flaky: {symbol: flaky, retry: {attempts: 2, delay: 1ms}}\n"
	"  broken:\n"
	"    symbol: broken\n"
	"    circuit_breaker: {failure_threshold: 1, recovery_timeout: 60s}\n"
	"    fallback: {s: fell back}\n"
	"measures:\n"
	"  - then: bump\n"
	"  - then: flaky\n"
	"  - then: broken\n"
	"  - sequence: twice\n"
	"    notes: [bump, bump]\n";

typedef struct fx {
	cadence_project *project;
	const cadence_def *def;
	cadence_runner *r;
} fx;

/* The cadence and a runner for it, no function registered. */
static void fx_load(fx *f, const cadence_run_hooks *hooks)
{
	cadence_diags *d;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_project_new(&f->project, NULL), 0);
	cr_assert_eq(cadence_project_load_buffer(&f->def, f->project, "counter.cadence.yaml",
						 text, strlen(text), d), 0);
	cadence_diags_free(d);
	cadence_run_opts o = CADENCE_RUN_OPTS_INIT;
	o.hooks = hooks;
	cr_assert_eq(cadence_runner_new(&f->r, f->project, f->def, &o), 0);
}

static void fx_open(fx *f, const cadence_run_hooks *hooks)
{
	fx_load(f, hooks);
	cadence_runner_register(f->r, "bump", bump, NULL);
	cadence_runner_register(f->r, "flaky", flaky, NULL);
	cadence_runner_register(f->r, "broken", broken, NULL);
}

static void fx_close(fx *f)
{
	cadence_runner_free(f->r);
	cadence_project_free(f->project);
}

static char *run_to_text(fx *f, const cadence_checkpoint_opts *co, int want)
{
	cJSON *out = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	int rc = cadence_runner_run_checkpointed(&out, f->r, NULL, co, &err);
	cr_assert_eq(rc, want, "run: %d (%s)", rc, err.message ? err.message : "");
	char *s = out ? cJSON_PrintUnformatted(out) : NULL;
	cJSON_Delete(out);
	cadence_run_error_clear(&err);
	return s;
}

/* What a FILE * received, as a string (owned by the caller). */
typedef struct memfile {
	char *buf;
	size_t len;
	FILE *f;
} memfile;

static void mem_open(memfile *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	cr_assert_not_null(m->f);
}

static char *mem_close(memfile *m)
{
	fclose(m->f);
	return m->buf;
}

/* ---- SHA-256 -------------------------------------------------------------------- */

Test(report, sha256_vectors)
{
	char h[65];
	cad_sha256_hex("", 0, h);
	cr_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cad_sha256_hex("abc", 3, h);
	cr_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";	/* 56 bytes */
	cad_sha256_hex(two, strlen(two), h);
	cr_assert_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *million = malloc(1000000);
	memset(million, 'a', 1000000);
	cad_sha256_hex(million, 1000000, h);
	free(million);
	cr_assert_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- metrics ------------------------------------------------------------------- */

Test(report, metrics_of_runs)
{
	cadence_metrics *m;
	fx f;
	cr_assert_eq(cadence_metrics_new(&m), 0);
	cadence_run_hooks h = { CADENCE_RUN_HOOKS_VERSION, m, cadence_metrics_on_event, NULL };
	fx_open(&f, &h);
	free(run_to_text(&f, NULL, 0));
	free(run_to_text(&f, NULL, 0));	/* the breaker is open now: rejected */
	memfile mf;
	mem_open(&mf);
	cr_assert_eq(cadence_metrics_write(m, mf.f), 0);
	char *s = mem_close(&mf);
	cr_assert(strstr(s, "# TYPE cadence_note_duration_seconds histogram\n"));
	cr_assert(strstr(s, "cadence_note_runs_total{cadence=\"counter\",note=\"bump\",status=\"ok\"} 6\n"), "%s", s);
	cr_assert(strstr(s, "cadence_note_retries_total{cadence=\"counter\",note=\"flaky\"} 2\n"));
	cr_assert(strstr(s, "cadence_note_errors_total{cadence=\"counter\",note=\"flaky\",type=\"note\"} 2\n"));
	cr_assert(strstr(s, "cadence_note_errors_total{cadence=\"counter\",note=\"broken\",type=\"breaker_open\"} 1\n"));
	cr_assert(strstr(s, "cadence_circuit_breaker_state{cadence=\"counter\",note=\"broken\",state=\"open\"} 1\n"));
	cr_assert(strstr(s, "cadence_note_fallbacks_total{cadence=\"counter\",note=\"broken\"} 2\n"));
	cr_assert(strstr(s, "cadence_runs_total{cadence=\"counter\",status=\"ok\"} 2\n"));
	cr_assert(strstr(s, "cadence_duration_seconds_count{cadence=\"counter\"} 2\n"));
	free(s);
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_metrics_write_file(m, "/nonexistent-dir/m.prom", &err), CADENCE_EIO);
	cr_assert_eq(err.code, CADENCE_EIO);
	cr_assert_eq(err.sys_errno, ENOENT);
	cr_assert_str_eq(err.message, "cannot write the metrics to '/nonexistent-dir/m.prom': "
				      "No such file or directory");
	cadence_run_error_clear(&err);
	cr_assert_null(err.message);
	cr_assert_eq(err.version, CADENCE_RUN_ERROR_VERSION, "clearing keeps the version");
	fx_close(&f);
	cadence_metrics_free(m);
}

static void *run_many(void *arg)
{
	fx *f = arg;
	for (int i = 0; i < 25; i++)
		free(run_to_text(f, NULL, 0));
	return NULL;
}

Test(report, metrics_from_several_threads)
{
	cadence_metrics *m;
	fx f;
	cr_assert_eq(cadence_metrics_new(&m), 0);
	cadence_run_hooks h = { CADENCE_RUN_HOOKS_VERSION, m, cadence_metrics_on_event, NULL };
	fx_open(&f, &h);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, run_many, &f);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	memfile mf;
	mem_open(&mf);
	cadence_metrics_write(m, mf.f);
	char *s = mem_close(&mf);
	cr_assert(strstr(s, "cadence_runs_total{cadence=\"counter\",status=\"ok\"} 100\n"), "%s", s);
	cr_assert(strstr(s, "cadence_note_runs_total{cadence=\"counter\",note=\"bump\",status=\"ok\"} 300\n"));
	free(s);
	fx_close(&f);
	cadence_metrics_free(m);
}

/* ---- events and traces ------------------------------------------------------------ */

Test(report, events_lines)
{
	memfile mf;
	cadence_events *e;
	fx f;
	mem_open(&mf);
	cr_assert_eq(cadence_events_new(&e, mf.f), 0);
	cadence_run_hooks h = { CADENCE_RUN_HOOKS_VERSION, e, cadence_events_on_event, NULL };
	fx_open(&f, &h);
	free(run_to_text(&f, NULL, 0));
	cr_assert_eq(cadence_events_status(e, NULL), 0);
	char *s = mem_close(&mf);
	strbuf names = STRBUF_INIT;
	size_t lines = 0;
	for (char *line = s, *nl; (nl = strchr(line, '\n')); line = nl + 1, lines++) {
		*nl = '\0';
		cJSON *o = cJSON_Parse(line);
		cr_assert_not_null(o, "line %zu is not JSON: %s", lines, line);
		cad_strbuf_addf(&names, "%s ", cJSON_GetObjectItem(o, "event")->valuestring);
		cr_assert_str_eq(cJSON_GetObjectItem(o, "cadence")->valuestring, "counter");
		cJSON_Delete(o);
	}
	const char *n = cad_strbuf_cstr(&names);
	const char *start = "cadence_started measure_started note_started note_completed ";
	cr_assert(!strncmp(n, start, strlen(start)), "%s", n);
	cr_assert(strstr(n, "note_failed note_retried note_started note_completed"), "%s", n);
	cr_assert(strstr(n, "breaker_opened"), "%s", n);
	cr_assert(strstr(n, "note_fell_back"), "%s", n);
	size_t len = strlen(n), tail = strlen("measure_completed cadence_completed ");
	cr_assert(len > tail && !strcmp(n + len - tail, "measure_completed cadence_completed "), "%s", n);
	cad_strbuf_free(&names);
	free(s);
	fx_close(&f);
	cadence_events_free(e);
}

Test(report, events_are_utf8_whatever_the_strings)
{
	/* a hook may pass bytes that are not UTF-8: each becomes U+FFFD */
	memfile mf;
	cadence_events *e;
	mem_open(&mf);
	cr_assert_eq(cadence_events_new(&e, mf.f), 0);
	cadence_event ev = { 0 };
	ev.kind = CADENCE_EVENT_LOG;
	ev.cadence = ev.path = "c";
	ev.run_id = "0123456789abcdef";
	ev.measure = ev.note = "m";
	ev.measure_kind = "then";
	ev.attempt = ev.attempts = 1;
	ev.message = "caf\xE9 cr\xC3\xA8me \xF0\x9F\x8E\xB5\xF0\x9F \x1B";
	cadence_events_on_event(e, &ev);
	cr_assert_eq(cadence_events_status(e, NULL), 0);
	char *s = mem_close(&mf);
	cr_assert(strstr(s, "\"line\":\"caf\\ufffd cr\xC3\xA8me \xF0\x9F\x8E\xB5\\ufffd\\ufffd "
			    "\\u001b\"}\n"), "%s", s);
	cJSON *o = cJSON_Parse(s);
	cr_assert_not_null(o, "%s", s);
	cJSON_Delete(o);
	free(s);
	cadence_events_free(e);
}

Test(report, metric_labels_are_utf8)
{
	cadence_metrics *m;
	memfile mf;
	cr_assert_eq(cadence_metrics_new(&m), 0);
	cadence_event ev = { 0 };
	ev.kind = CADENCE_EVENT_NOTE_END;
	ev.cadence = ev.path = "c\xC3\xA9";
	ev.run_id = "0123456789abcdef";
	ev.measure = "m";
	ev.note = "n\xE9\"";
	ev.measure_kind = "then";
	ev.attempt = ev.attempts = 1;
	ev.duration_ns = 1000;
	cadence_metrics_on_event(m, &ev);
	mem_open(&mf);
	cr_assert_eq(cadence_metrics_write(m, mf.f), 0);
	char *s = mem_close(&mf);
	cr_assert(strstr(s, "{cadence=\"c\xC3\xA9\",note=\"n\xEF\xBF\xBD\\\"\""), "%s", s);
	free(s);
	cadence_metrics_free(m);
}

/* --timings's table: a row per note per place in the run (a child run at
 * two places is two rows, though its metrics are one cadence's), the
 * longest call, and the notes that did not end ok counted as failed. */
Test(report, timings_per_place_in_the_run)
{
	cadence_metrics *m;
	memfile mf;
	cr_assert_eq(cadence_metrics_new(&m), 0);
	mem_open(&mf);
	cr_assert_eq(cadence_metrics_write_timings(m, mf.f), 0);
	char *s = mem_close(&mf);
	cr_assert_str_eq(s, "", "no note ended: no table");
	free(s);
	static const struct {
		const char *path, *note;
		int status;
		int64_t ns;
	} ends[] = {
		{ "root", "a", CADENCE_NOTE_STATUS_OK, 2000000 },
		{ "root/left", "pay", CADENCE_NOTE_STATUS_OK, 1000000 },
		{ "root/right", "pay", CADENCE_NOTE_STATUS_FAILED, 3000000 },
		{ "root", "a", CADENCE_NOTE_STATUS_SKIPPED, 4000000 },
	};
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		cadence_event ev = { 0 };
		ev.kind = CADENCE_EVENT_NOTE_END;
		ev.path = ends[i].path;
		ev.cadence = strchr(ends[i].path, '/') ? "child" : "root";
		ev.note = ends[i].note;
		ev.status = ends[i].status;
		ev.duration_ns = ends[i].ns;
		cadence_metrics_on_event(m, &ev);
	}
	mem_open(&mf);
	cr_assert_eq(cadence_metrics_write_timings(m, mf.f), 0);
	s = mem_close(&mf);
	cr_assert_str_eq(s,
		"note            calls failed    total ms     mean ms      max ms\n"
		"root/a              2      1       6.000       3.000       4.000\n"
		"root/left/pay       1      0       1.000       1.000       1.000\n"
		"root/right/pay      1      1       3.000       3.000       3.000\n");
	free(s);
	cadence_metrics_free(m);
}

/* The same rows as JSON (`--log json --timings`): the path and the note
 * apart, the numbers in milliseconds; "[]" before any note ended. */
Test(report, timings_as_json)
{
	cadence_metrics *m;
	memfile mf;
	cr_assert_eq(cadence_metrics_new(&m), 0);
	mem_open(&mf);
	cr_assert_eq(cadence_metrics_write_timings_json(m, mf.f), 0);
	char *s = mem_close(&mf);
	cr_assert_str_eq(s, "[]");
	free(s);
	cadence_event ev = { 0 };
	ev.kind = CADENCE_EVENT_NOTE_END;
	ev.path = "root/child";
	ev.cadence = "child";
	ev.note = "pay\"";
	ev.status = CADENCE_NOTE_STATUS_FAILED;
	ev.duration_ns = 3000000;
	cadence_metrics_on_event(m, &ev);
	ev.status = CADENCE_NOTE_STATUS_OK;
	ev.duration_ns = 1000000;
	cadence_metrics_on_event(m, &ev);
	mem_open(&mf);
	cr_assert_eq(cadence_metrics_write_timings_json(m, mf.f), 0);
	s = mem_close(&mf);
	cr_assert_str_eq(s, "[{\"path\":\"root/child\",\"note\":\"pay\\\"\",\"calls\":2,"
			 "\"failed\":1,\"total_ms\":4.000,\"mean_ms\":2.000,\"max_ms\":3.000}]");
	free(s);
	cadence_metrics_free(m);
}

/* The events' strings: a C1 control (U+009B, CSI) and a bidirectional
 * override escaped, as the JSON log on a terminal needs (issue 21: the
 * log is the events' lines now); DEL too. */
Test(report, events_escape_terminal_controls)
{
	cadence_events *e;
	memfile mf;
	mem_open(&mf);
	cr_assert_eq(cadence_events_new(&e, mf.f), 0);
	cadence_event ev = { 0 };
	ev.kind = CADENCE_EVENT_CADENCE_START;
	ev.cadence = "c";
	ev.path = "a\xC2\x9B" "[31m\xE2\x80\xAE" "b\x7F";
	ev.run_id = "0123456789abcdef";
	cadence_events_on_event(e, &ev);
	cr_assert_eq(cadence_events_status(e, NULL), 0);
	cadence_events_free(e);
	char *s = mem_close(&mf);
	cr_assert(strstr(s, "\"path\":\"a\\u009b[31m\\u202eb\\u007f\""), "%s", s);
	free(s);
}

/* cadence_events_time(): the "time" of the lines, now. */
Test(report, events_time)
{
	char when[32];
	cadence_events_time(when);
	cr_assert_eq(strlen(when), 27, "%s", when);
	cr_assert_eq(when[10], 'T');
	cr_assert_eq(when[26], 'Z');
}

/* The time and duration texts, made without printf, against printf: a
 * second's boundaries, a cache reused across seconds and years. */
Test(report, times_and_durations_equal_printf)
{
	static const int64_t at[] = { 0, 999, 1000, 999999999, 1000000000, 1733000000123456789,
				      1733000000999999000, 1733000001000000000, 951782400000001000,
				      4102444799999999999 };
	rep_time_cache cache = { 0 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		char got[32], want[64], day[32];
		time_t sec = (time_t)(at[i] / 1000000000);
		struct tm tm;
		cr_assert(gmtime_r(&sec, &tm));
		strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want, sizeof(want), "%s.%06dZ", day, (int)(at[i] % 1000000000 / 1000));
		cad_rep_rfc3339(at[i], got, &cache);
		cr_assert_str_eq(got, want);
		strbuf sb = STRBUF_INIT;
		cad_rep_add_ms(&sb, at[i]);
		snprintf(want, sizeof(want), "%lld.%03d", (long long)(at[i] / 1000000),
			 (int)(at[i] / 1000 % 1000));
		cr_assert_str_eq(cad_strbuf_cstr(&sb), want);
		cad_strbuf_free(&sb);
	}
}

Test(report, events_write_failure_is_reported)
{
	FILE *full = fopen("/dev/full", "w");
	if (!full)
		cr_skip_test("no /dev/full");
	cadence_events *e;
	fx f;
	cr_assert_eq(cadence_events_new(&e, full), 0);
	cadence_run_hooks h = { CADENCE_RUN_HOOKS_VERSION, e, cadence_events_on_event, NULL };
	fx_open(&f, &h);
	free(run_to_text(&f, NULL, 0));
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_events_status(e, &err), CADENCE_EIO);
	cr_assert_eq(err.sys_errno, ENOSPC);
	cr_assert_str_eq(err.message, "cannot write the events: No space left on device");
	cadence_run_error_clear(&err);
	fx_close(&f);
	cadence_events_free(e);
	fclose(full);
}

Test(report, a_trace_per_run)
{
	cadence_trace *t;
	fx f;
	cr_assert_eq(cadence_trace_new(&t), 0);
	cadence_run_hooks h = { CADENCE_RUN_HOOKS_VERSION, t, cadence_trace_on_event, NULL };
	fx_open(&f, &h);
	free(run_to_text(&f, NULL, 0));
	free(run_to_text(&f, NULL, 0));
	memfile mf;
	mem_open(&mf);
	cr_assert_eq(cadence_trace_write(t, mf.f), 0);
	char *s = mem_close(&mf);
	char *second = strchr(s, '\n');
	cr_assert_not_null(second);
	*second++ = '\0';
	cJSON *a = cJSON_Parse(s), *b = cJSON_Parse(second);
	cr_assert(a && b, "two lines of JSON");
	const cJSON *sa = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(a, "resourceSpans"), 0), "scopeSpans"), 0), "spans");
	const cJSON *sb = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(b, "resourceSpans"), 0), "scopeSpans"), 0), "spans");
	/* 1 cadence + 4 measures + notes: bump, flaky x2, broken, bump, bump */
	cr_assert_eq(cJSON_GetArraySize(sa), 11);
	cr_assert_eq(cJSON_GetArraySize(sb), 11, "a rejected call has its span too");
	cr_assert_str_neq(cJSON_GetObjectItem(cJSON_GetArrayItem(sa, 0), "traceId")->valuestring,
			  cJSON_GetObjectItem(cJSON_GetArrayItem(sb, 0), "traceId")->valuestring);
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(s);
	fx_close(&f);
	cadence_trace_free(t);
}

/* ---- checkpoints --------------------------------------------------------------------- */

typedef struct saved {
	char *text[8];		/* each checkpoint, as written */
	size_t n;
	int fail_at;		/* 1-based: fail as a write refused would, then */
} saved;

static int save(void *ctx, const cadence_checkpoint *cp, cadence_run_error *err)
{
	saved *s = ctx;
	cr_assert_not_null(err);
	cr_assert_eq(err->version, CADENCE_RUN_ERROR_VERSION);
	if ((int)s->n + 1 == s->fail_at) {
		err->message = strdup("cannot write the checkpoint: Permission denied");
		return CADENCE_EIO;
	}
	memfile mf;
	mem_open(&mf);
	cr_assert_eq(cadence_checkpoint_write(cp, mf.f), 0);
	cr_assert(s->n < 8);
	s->text[s->n++] = mem_close(&mf);
	return 0;
}

static void saved_free(saved *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->text[i]);
}

/* A run that saves each checkpoint into sv: its final score as text. */
static char *run_saving(fx *f, saved *sv)
{
	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	co.on_checkpoint = save;
	co.ctx = sv;
	return run_to_text(f, &co, 0);
}

Test(report, resume_from_every_checkpoint)
{
	fx f;
	saved sv = { { NULL }, 0, 0 };
	fx_open(&f, NULL);
	char *want = run_saving(&f, &sv);
	cr_assert_eq(sv.n, 4, "one checkpoint per measure");
	for (size_t i = 0; i < sv.n; i++) {
		cadence_checkpoint *cp;
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		cr_assert_eq(cadence_checkpoint_parse(&cp, sv.text[i], strlen(sv.text[i]), &err), 0,
			     "%s", err.message);
		cr_assert_str_eq(cadence_checkpoint_cadence(cp), "counter");
		cr_assert_eq(cadence_checkpoint_complete(cp), i == 3);
		cr_assert_eq(cadence_checkpoint_check_files(cp, f.project, &err), 0, "%s", err.message);
		cadence_checkpoint_opts ro = CADENCE_CHECKPOINT_OPTS_INIT;
		ro.resume = cp;
		char *got = run_to_text(&f, &ro, 0);
		/* the breaker opened in the first run: broken is rejected and
		 * falls back, which gives the same score */
		cr_assert_str_eq(got, want, "resumed after measure %zu", i + 1);
		free(got);
		cJSON one = { 0 };
		one.type = cJSON_Object;
		cJSON *out = NULL;
		cr_assert_eq(cadence_runner_run_checkpointed(&out, f.r, &one, &ro, &err), CADENCE_EINVAL,
			     "an input with a resume point");
		cadence_run_error_clear(&err);
		cadence_checkpoint_free(cp);
	}
	cadence_checkpoint_opts future = CADENCE_CHECKPOINT_OPTS_INIT;
	future.version = 99;
	cJSON *out = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_runner_run_checkpointed(&out, f.r, NULL, &future, &err), CADENCE_EVERSION);
	cr_assert(strstr(err.message, "unknown version"));
	cadence_run_error_clear(&err);
	free(want);
	saved_free(&sv);
	fx_close(&f);
}

Test(report, a_checkpoint_that_cannot_be_saved_stops_the_run)
{
	fx f;
	saved sv = { { NULL }, 0, 2 };
	fx_open(&f, NULL);
	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	co.on_checkpoint = save;
	co.ctx = &sv;
	cJSON *out = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_runner_run_checkpointed(&out, f.r, NULL, &co, &err), CADENCE_EIO);
	cr_assert_null(out);
	cr_assert(strstr(err.message, "counter: then 'flaky': the checkpoint after this measure "
			 "could not be saved: cannot write the checkpoint: Permission denied"),
		  "%s", err.message);
	cadence_run_error_clear(&err);
	saved_free(&sv);
	fx_close(&f);
}

/* Version 2 of the options: a failed run's score as it stood
 * (cadence run prints it); version 1 options are not read that far. */
Test(report, a_failed_runs_score)
{
	fx f;
	fx_open(&f, NULL);
	cadence_runner_register(f.r, "flaky", broken, NULL);	/* fails for good */
	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	cJSON *failed = (cJSON *)&co, *out = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	co.failed_score = &failed;
	cr_assert_eq(cadence_runner_run_checkpointed(&out, f.r, NULL, &co, &err), CADENCE_EFAILED);
	cr_assert_null(out);
	char *s = failed ? cJSON_PrintUnformatted(failed) : NULL;
	cr_assert_str_eq(s, "{\"n\":1,\"s\":\"\"}", "the score after the first measure");
	free(s);
	cJSON_Delete(failed);
	cadence_run_error_clear(&err);

	co.version = 1;	/* a caller built before failed_score: not written */
	failed = (cJSON *)&co;
	cr_assert_eq(cadence_runner_run_checkpointed(&out, f.r, NULL, &co, &err), CADENCE_EFAILED);
	cr_assert_eq(failed, (cJSON *)&co);
	cadence_run_error_clear(&err);

	co.version = CADENCE_CHECKPOINT_OPTS_VERSION;
	fx_close(&f);
	fx_open(&f, NULL);	/* flaky's own function: the run succeeds */
	cr_assert_eq(cadence_runner_run_checkpointed(&out, f.r, NULL, &co, &err), 0);
	cr_assert_null(failed, "a run that succeeds: no failed score");
	cJSON_Delete(out);
	fx_close(&f);
}

/* A complete checkpoint runs nothing: its C functions need not be there. */
Test(report, a_complete_checkpoint_needs_no_functions)
{
	fx f;
	saved sv = { { NULL }, 0, 0 };
	fx_open(&f, NULL);
	char *want = run_saving(&f, &sv);
	fx_close(&f);
	fx_load(&f, NULL);	/* no function registered */
	cadence_checkpoint *cp;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	for (size_t i = sv.n - 2; i < sv.n; i++) {
		cr_assert_eq(cadence_checkpoint_parse(&cp, sv.text[i], strlen(sv.text[i]), &err), 0);
		cadence_checkpoint_opts ro = CADENCE_CHECKPOINT_OPTS_INIT;
		ro.resume = cp;
		cr_assert_eq(cadence_runner_prepare_resume(f.r, cp, &err),
			     i + 1 < sv.n ? CADENCE_EINVALID : 0, "%s", err.message ? err.message : "");
		cadence_run_error_clear(&err);
		if (i + 1 < sv.n) {	/* one measure left to run: its functions are needed */
			char *none = run_to_text(&f, &ro, CADENCE_EINVALID);
			cr_assert_null(none);
		} else {
			char *got = run_to_text(&f, &ro, 0);
			cr_assert_str_eq(got, want);
			char *saved_score = cJSON_PrintUnformatted(cadence_checkpoint_score(cp));
			cr_assert_str_eq(saved_score, want, "the saved score is the final one");
			free(saved_score);
			free(got);
		}
		cadence_checkpoint_free(cp);
	}
	free(want);
	saved_free(&sv);
	fx_close(&f);
}

static void bad(const char *text_, const char *why)
{
	cadence_checkpoint *cp = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_checkpoint_parse(&cp, text_, strlen(text_), &err), CADENCE_EINVALID, "%s", text_);
	cr_assert_null(cp);
	cr_assert(strstr(err.message, why), "%s: got '%s', want '%s'", text_, err.message, why);
	cadence_run_error_clear(&err);
}

Test(report, bad_checkpoints)
{
	bad("", "it ends early (truncated?)");
	bad("{\"format\": \"cadence-checkpoint\", \"vers", "it ends early (truncated?)");
	bad("nonsense", "unexpected text at byte 0");
	bad("[1]", "it is not a JSON object");
	bad("{}", "key 'format' is missing");
	bad("{\"format\": \"other\"}", "its format is 'other'");
	bad("{\"format\": \"cadence-checkpoint\", \"version\": 2}", "it is version 2");
	bad("{\"format\": \"cadence-checkpoint\", \"version\": 1, \"cadence\": \"c\", \"run_id\": \"\", "
	    "\"complete\": false, \"files\": [], \"frames\": []}", "it has no frames");
	bad("{\"format\": \"cadence-checkpoint\", \"version\": 1, \"cadence\": \"c\", \"run_id\": \"\", "
	    "\"complete\": false, \"files\": [], \"frames\": [{\"cadence\": \"c\", \"next\": -1, \"score\": {}}]}",
	    "bad measure index -1");
	bad("{\"format\": \"cadence-checkpoint\", \"version\": 1, \"cadence\": \"c\", \"run_id\": \"\", "
	    "\"complete\": false, \"files\": [], \"frames\": [{\"cadence\": \"d\", \"next\": 0, \"score\": {}}]}",
	    "its first frame is of 'd', not of its cadence 'c'");
	bad("{\"format\": \"cadence-checkpoint\", \"version\": 1, \"cadence\": 3}", "key 'cadence' has the wrong type");

	cadence_checkpoint *cp = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_checkpoint_read_file(&cp, "/nonexistent/ck.json", &err), CADENCE_EIO);
	cr_assert(strstr(err.message, "cannot read the checkpoint '/nonexistent/ck.json': No such file"));
	cadence_run_error_clear(&err);
}

Test(report, a_checkpoint_of_another_cadence_does_not_fit)
{
	fx f;
	fx_open(&f, NULL);
	const char *other = "{\"format\": \"cadence-checkpoint\", \"version\": 1, \"cadence\": \"other\", "
			    "\"run_id\": \"\", \"complete\": false, \"files\": [], "
			    "\"frames\": [{\"cadence\": \"other\", \"next\": 1, \"score\": {}}]}";
	cadence_checkpoint *cp;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_checkpoint_parse(&cp, other, strlen(other), &err), 0);
	cadence_checkpoint_opts ro = CADENCE_CHECKPOINT_OPTS_INIT;
	ro.resume = cp;
	cJSON *out = NULL;
	cr_assert_eq(cadence_runner_run_checkpointed(&out, f.r, NULL, &ro, &err), CADENCE_EINVALID);
	cr_assert_str_eq(err.message, "the checkpoint is of cadence 'other', not of 'counter'");
	cr_assert_eq(cadence_checkpoint_check_files(cp, f.project, &err), CADENCE_EINVALID);
	cr_assert(strstr(err.message, "'counter.cadence.yaml' is new to the run"), "%s", err.message);
	cadence_run_error_clear(&err);
	cadence_checkpoint_free(cp);
	fx_close(&f);
}
