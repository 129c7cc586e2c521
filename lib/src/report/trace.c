/* SPDX-License-Identifier: MIT */
/* OpenTelemetry traces of runs (cadence/report.h, docs/observability.md):
 * one trace per run, a span per cadence, measure and note attempt, written
 * as OTLP/JSON, one ExportTraceServiceRequest per line. */
#include "report/otlp_int.h"
#include "report/report_int.h"
#include "util/api.h"
#include "util/grow.h"

#include <cadence/report.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { SPAN_CADENCE, SPAN_MEASURE, SPAN_NOTE, SPAN_TASK };
enum { STATUS_UNSET, STATUS_OK, STATUS_ERROR };	/* OTLP's status codes */
#define NONE ((size_t)-1)

typedef struct tevent {
	int64_t time;
	const char *name;	/* static */
	char *message;		/* owned, or NULL */
	const char *type;	/* interned: error type, field or breaker state */
	const char *type_key;	/* static: the attribute's name */
	int64_t delay_ms;	/* retry; -1: none */
} tevent;

typedef struct tspan {
	uint64_t id, parent;
	int64_t start, end;
	int kind;
	int open;
	const char *name, *cadence, *path, *measure, *measure_kind, *note;	/* interned */
	const char *task;	/* interned: a dag's task, its span and its note's */
	const char *error_type;	/* interned */
	const char *result;	/* static: "ok", "failed", ... */
	size_t index;		/* measure index */
	size_t prev_note;	/* the span of the same note before this one, or NONE */
	unsigned depth, attempt, attempts;
	int status;
	char *message;		/* owned: the error */
	tevent *events;
	size_t nevents;
} tspan;

typedef struct trun {
	char run_id[24];
	uint64_t trace_id[2];
	tspan *spans;
	size_t n, cap;
	size_t cad[CADENCE_MAX_CHILD_DEPTH + 1];	/* open spans per depth */
	size_t meas[CADENCE_MAX_CHILD_DEPTH + 1];
	strmap last_note;	/* interned note -> its latest span */
	strmap last_task;	/* interned task -> its latest span */
	char *last_error;	/* owned: the reason of a failed cadence */
	int done;
	struct trun *next;
} trun;

struct cadence_trace {
	pthread_mutex_t mu;
	rep_intern names;
	trun *runs;		/* newest first */
	uint64_t rng;
	cadence_otlp *exporter;	/* borrowed: ended runs go there too */
	char *resource;		/* the resource's attributes as JSON; NULL: the default */
};

static const char *const note_results[] = { "ok", "failed", "skipped", "interrupt", "rejected" };
static const char *const breaker_states[] = { "closed", "open", "half_open" };

int cadence_trace_new(cadence_trace **out)
{
	cadence_trace *t = calloc(1, sizeof(*t));
	*out = t;
	if (!t)
		return CADENCE_ENOMEM;
	pthread_mutex_init(&t->mu, NULL);
	t->rng = (uint64_t)cad_rep_wall_ns() ^ (uint64_t)(uintptr_t)t;
	return 0;
}

static void run_free(trun *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t e = 0; e < r->spans[i].nevents; e++)
			free(r->spans[i].events[e].message);
		free(r->spans[i].events);
		free(r->spans[i].message);
	}
	free(r->spans);
	cad_strmap_free(&r->last_note);
	cad_strmap_free(&r->last_task);
	free(r->last_error);
	free(r);
}

void cadence_trace_free(cadence_trace *t)
{
	if (!t)
		return;
	for (trun *r = t->runs, *next; r; r = next) {
		next = r->next;
		run_free(r);
	}
	cad_rep_intern_free(&t->names);
	free(t->resource);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/* splitmix64: ids unique within the trace and random across processes */
static uint64_t next_id(cadence_trace *t)
{
	uint64_t z;
	do {
		z = (t->rng += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
	} while (!z);
	return z;
}

static trun *run_named(cadence_trace *t, const char *run_id)
{
	for (trun *r = t->runs; r; r = r->next)
		if (!strcmp(r->run_id, run_id))
			return r;
	return NULL;
}

static trun *find_run(cadence_trace *t, const cadence_event *ev, int create)
{
	const char *run_id = ev->run_id;
	trun *r = run_named(t, run_id);
	if (r || !create)
		return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	snprintf(r->run_id, sizeof(r->run_id), "%s", run_id);
	/* the run's trace context (a caller's trace joined), else our own */
	int given = ev->trace_id[0] || ev->trace_id[1];
	r->trace_id[0] = given ? ev->trace_id[0] : next_id(t);
	r->trace_id[1] = given ? ev->trace_id[1] : next_id(t);
	for (size_t d = 0; d <= CADENCE_MAX_CHILD_DEPTH; d++)
		r->cad[d] = r->meas[d] = NONE;
	r->next = t->runs;
	t->runs = r;
	return r;
}

/* The interned copy of s: the run's previous span's when the text is the
 * same (most are: one cadence, one path, one kind of measure), else
 * looked up. */
static const char *intern_as(cadence_trace *t, const char *prev, const char *s)
{
	if (!s)
		return NULL;
	return prev && !strcmp(prev, s) ? prev : cad_rep_intern_get(&t->names, s);
}

static tspan *new_span(cadence_trace *t, trun *r, int kind, const cadence_event *ev,
		       size_t parent, int64_t now)
{
	if (CAD_GROW(r->spans, r->cap, r->n + 1, 64))
		return NULL;
	tspan *s = &r->spans[r->n];
	static const tspan none;
	const tspan *prev = r->n ? &r->spans[r->n - 1] : &none;
	memset(s, 0, sizeof(*s));
	/* a note attempt's span id is the run's (a `run` note's TRACEPARENT
	 * names it); the root's parent, the caller's span */
	s->id = kind == SPAN_NOTE && ev->span_id ? ev->span_id : next_id(t);
	s->parent = parent != NONE ? r->spans[parent].id
		    : kind == SPAN_CADENCE && !ev->depth ? ev->parent_span_id : 0;
	s->kind = kind;
	s->open = 1;
	s->start = s->end = now;
	s->depth = ev->depth;
	s->cadence = intern_as(t, prev->cadence, ev->cadence);
	s->path = intern_as(t, prev->path, ev->path);
	if (kind != SPAN_CADENCE) {
		s->measure = intern_as(t, prev->measure, ev->measure);
		s->measure_kind = intern_as(t, prev->measure_kind, ev->measure_kind);
		s->index = ev->measure_index;
	}
	/* a note's last span: found by the note's text, it gives the
	 * interned name too (a lookup instead of two) */
	strmap_entry *last = kind == SPAN_NOTE && ev->note
			     ? cad_strmap_find(&r->last_note, ev->note, strlen(ev->note)) : NULL;
	if (kind == SPAN_NOTE || kind == SPAN_TASK) {
		s->note = last ? last->key : intern_as(t, prev->note, ev->note);
		s->attempt = ev->attempt;
		s->attempts = ev->attempts;
		s->task = intern_as(t, prev->task, ev->task);
	}
	s->name = kind == SPAN_CADENCE ? s->cadence : kind == SPAN_MEASURE ? s->measure
		  : kind == SPAN_TASK ? s->task : s->note;
	if (!s->cadence || !s->path || (kind != SPAN_CADENCE && ev->measure && !s->measure) ||
	    (kind == SPAN_NOTE && !s->note) || (ev->task && !s->task))
		return NULL;
	if (kind == SPAN_TASK) {
		strmap_entry *e = cad_strmap_put(&r->last_task, s->task, strlen(s->task), NULL);
		if (!e)
			return NULL;
		e->v.i = r->n;
	}
	if (kind == SPAN_NOTE) {
		int added = 0;
		strmap_entry *e = last ? last : cad_strmap_put(&r->last_note, s->note, strlen(s->note),
							      &added);
		if (!e)
			return NULL;
		s->prev_note = added ? NONE : e->v.i;
		e->v.i = r->n;
	}
	r->n++;
	return s;
}

/* The note's span: the open one, or (open == 0) the latest. */
static tspan *note_span(trun *r, const cadence_event *ev, int open)
{
	const strmap_entry *e = ev->note ? cad_strmap_find(&r->last_note, ev->note, strlen(ev->note))
			      : NULL;
	/* the spans of the note, newest first */
	for (size_t i = e ? e->v.i : NONE; i != NONE; i = r->spans[i].prev_note) {
		tspan *s = &r->spans[i];
		if (s->depth == ev->depth && (!open || s->open))
			return s;
	}
	return NULL;
}

/* The open span of ev's task, or NONE. */
static size_t task_span(trun *r, const cadence_event *ev)
{
	const strmap_entry *e = ev->task ? cad_strmap_find(&r->last_task, ev->task, strlen(ev->task))
			      : NULL;
	if (!e || !r->spans[e->v.i].open || r->spans[e->v.i].depth != ev->depth)
		return NONE;
	return e->v.i;
}

static int add_event(tspan *s, const char *name, int64_t now, const char *message,
		     const char *type_key, const char *type, int64_t delay_ms)
{
	tevent *e = cad_realloc_array(s->events, s->nevents + 1, sizeof(*e));
	if (!e)
		return -1;
	s->events = e;
	e = &e[s->nevents];
	e->time = now;
	e->name = name;
	e->message = message ? strdup(message) : NULL;
	e->type_key = type_key;
	e->type = type;
	e->delay_ms = delay_ms;
	if (message && !e->message)
		return -1;
	s->nevents++;
	return 0;
}

static void close_span(tspan *s, int64_t now, int failed, const char *message)
{
	s->open = 0;
	s->end = now;
	s->status = failed ? STATUS_ERROR : STATUS_OK;
	if (failed && message && !s->message)
		s->message = strdup(message);
}

/* One event; returns -1 when it could not be recorded (out of memory, or
 * an event of a run whose start this recorder did not see): the trace
 * then lacks it, and the run's other spans stay valid. */
static int record(cadence_trace *t, const cadence_event *ev, int64_t now)
{
	unsigned d = ev->depth;
	if (d > CADENCE_MAX_CHILD_DEPTH || !ev->run_id)
		return -1;
	trun *r = find_run(t, ev, ev->kind == CADENCE_EVENT_CADENCE_START && !d);
	if (!r)
		return ev->kind == CADENCE_EVENT_LOG ? 0 : -1;
	tspan *s = NULL;
	switch (ev->kind) {
	case CADENCE_EVENT_CADENCE_START:
		if (!(s = new_span(t, r, SPAN_CADENCE, ev, d ? r->meas[d - 1] : NONE, now)))
			return -1;
		r->cad[d] = r->n - 1;
		return 0;
	case CADENCE_EVENT_CADENCE_END:
		if (r->cad[d] == NONE)
			return -1;
		/* a precheck's stop is an outcome, not an error */
		close_span(&r->spans[r->cad[d]], now, ev->status != 0 && ev->status != CADENCE_ESTOPPED,
			   r->last_error);
		r->cad[d] = NONE;
		r->done = d == 0;
		return 0;
	case CADENCE_EVENT_MEASURE_START:
		if (!(s = new_span(t, r, SPAN_MEASURE, ev, r->cad[d], now)))
			return -1;
		r->meas[d] = r->n - 1;
		return 0;
	case CADENCE_EVENT_MEASURE_END:
		if (r->meas[d] == NONE)
			return -1;
		close_span(&r->spans[r->meas[d]], now, ev->status != 0, r->last_error);
		r->meas[d] = NONE;
		return 0;
	case CADENCE_EVENT_NOTE_START: {
		/* an on_error handler runs after its measure ended: under the
		 * cadence; a task's note, under its task */
		size_t parent = r->meas[d] != NONE ? r->meas[d] : r->cad[d];
		if (ev->task && task_span(r, ev) != NONE)
			parent = task_span(r, ev);
		if (!new_span(t, r, SPAN_NOTE, ev, parent, now))
			return -1;
		return 0;
	}
	case CADENCE_EVENT_TASK_START:
		return new_span(t, r, SPAN_TASK, ev, r->meas[d], now) ? 0 : -1;
	case CADENCE_EVENT_TASK_END:
	case CADENCE_EVENT_TASK_SKIPPED: {
		/* a task that never started: a span of no length, for its outcome */
		size_t at = ev->kind == CADENCE_EVENT_TASK_END ? task_span(r, ev) : NONE;
		if (at == NONE) {
			if (!new_span(t, r, SPAN_TASK, ev, r->meas[d], now))
				return -1;
			at = r->n - 1;
		}
		s = &r->spans[at];
		int failed = ev->status == CADENCE_TASK_FAILED;
		close_span(s, now, failed, ev->message);
		if (ev->status >= 0 && ev->status <= CADENCE_TASK_CANCELLED)
			s->result = cad_task_outcomes[ev->status];
		if (ev->kind == CADENCE_EVENT_TASK_SKIPPED || ev->status == CADENCE_TASK_CANCELLED)
			return add_event(s, s->result ? s->result : "skipped", now, ev->message, NULL,
					 NULL, -1);
		return 0;
	}
	case CADENCE_EVENT_NOTE_END: {
		if (!(s = note_span(r, ev, 1)))
			return -1;
		int failed = ev->status == CADENCE_NOTE_STATUS_FAILED ||
			     ev->status == CADENCE_NOTE_STATUS_REJECTED;
		close_span(s, now, failed, ev->message);
		if (ev->status >= 0 && ev->status <= CADENCE_NOTE_STATUS_REJECTED)
			s->result = note_results[ev->status];
		if (failed) {
			s->error_type = cad_rep_intern_get(&t->names, ev->error_type ? ev->error_type : "note");
			return add_event(s, "exception", now, ev->message, "exception.type",
					 s->error_type, -1);
		}
		return 0;
	}
	case CADENCE_EVENT_RETRY:
	case CADENCE_EVENT_FALLBACK:
		if (!(s = note_span(r, ev, 0)))
			return -1;
		return add_event(s, ev->kind == CADENCE_EVENT_RETRY ? "retry" : "fallback", now,
				 ev->message, NULL, NULL, ev->kind == CADENCE_EVENT_RETRY ? ev->delay_ms : -1);
	case CADENCE_EVENT_BREAKER:
		if (ev->status == ev->previous || ev->status < 0 || ev->status > 2)
			return 0;
		if (!(s = note_span(r, ev, 1)) && !(s = note_span(r, ev, 0)))
			return -1;
		return add_event(s, "circuit_breaker", now, NULL, "cadence.breaker.state",
				 breaker_states[ev->status], -1);
	case CADENCE_EVENT_CONFLICT:
	case CADENCE_EVENT_ERROR: {
		size_t at = r->meas[d] != NONE ? r->meas[d] : r->cad[d];
		if (at == NONE)
			return -1;
		if (ev->kind == CADENCE_EVENT_ERROR) {
			free(r->last_error);
			r->last_error = ev->message ? strdup(ev->message) : NULL;
		}
		const char *field = cad_rep_intern_get(&t->names, ev->field);
		return add_event(&r->spans[at], ev->kind == CADENCE_EVENT_ERROR ? "exception"
			: "merge_conflict", now, ev->message, field ? "cadence.field" : NULL, field, -1);
	}
	default:
		return 0;
	}
}

static void export_run(cadence_trace *t, const char *run_id);

void cadence_trace_on_event(void *ctx, const cadence_event *ev)
{
	cad_trace_event_at(ctx, ev, cad_rep_wall_ns());
}

void cad_trace_event_at(cadence_trace *t, const cadence_event *ev, int64_t now)
{
	if (ev->kind == CADENCE_EVENT_LOG)
		return;
	pthread_mutex_lock(&t->mu);
	(void)record(t, ev, now);
	if (t->exporter && ev->kind == CADENCE_EVENT_CADENCE_END && !ev->depth)
		export_run(t, ev->run_id);
	pthread_mutex_unlock(&t->mu);
}

/* ---- OTLP/JSON ------------------------------------------------------------------ */

/* {"key":"K","value":{"stringValue":"V"}} after a comma unless first; the
 * text before V made when compiling (K a literal) or at the call */
#define ATTR_STR(key) "{\"key\":\"" key "\",\"value\":{\"stringValue\":"
#define ATTR_INT(key) "{\"key\":\"" key "\",\"value\":{\"intValue\":\""
#define attr_str(sb, first, key, value) \
	attr_str_((sb), (first), ATTR_STR(key), sizeof(ATTR_STR(key)) - 1, (value))
#define attr_int(sb, first, key, value) \
	attr_int_((sb), (first), ATTR_INT(key), sizeof(ATTR_INT(key)) - 1, (value))

static void attr_str_(strbuf *sb, int *first, const char *prefix, size_t len, const char *value)
{
	if (!value)
		return;
	if (!*first)
		cad_strbuf_addc(sb, ',');
	cad_strbuf_add(sb, prefix, len);
	cad_rep_json_str(sb, value);
	cad_strbuf_addl(sb, "}}");
	*first = 0;
}

static void attr_key_str(strbuf *sb, int *first, const char *key, const char *value)
{
	if (!value)
		return;
	cad_strbuf_adds(sb, *first ? "{\"key\":\"" : ",{\"key\":\"");
	cad_strbuf_adds(sb, key);
	cad_strbuf_addl(sb, "\",\"value\":{\"stringValue\":");
	cad_rep_json_str(sb, value);
	cad_strbuf_addl(sb, "}}");
	*first = 0;
}

/* OTLP/JSON writes 64-bit integers as strings */
static void attr_int_(strbuf *sb, int *first, const char *prefix, size_t len, int64_t value)
{
	if (!*first)
		cad_strbuf_addc(sb, ',');
	cad_strbuf_add(sb, prefix, len);
	if (value < 0)
		cad_strbuf_addc(sb, '-');
	cad_strbuf_addu(sb, value < 0 ? (uint64_t)-value : (uint64_t)value);
	cad_strbuf_addl(sb, "\"}}");
	*first = 0;
}

/* ,"key":"digits" */
#define nano(sb, key, ns) nano_((sb), key "\"", sizeof(key), (ns))

static void nano_(strbuf *sb, const char *key, size_t len, int64_t ns)
{
	cad_strbuf_add(sb, key, len);
	cad_strbuf_addu(sb, ns > 0 ? (uint64_t)ns : 0);
	cad_strbuf_addc(sb, '"');
}

/* Attributes that runs of spans share (a cadence's place, a measure),
 * kept as written for the spans after: their strings are interned, so a
 * comparison of pointers tells. */
typedef struct span_text {
	const char *cadence, *path, *measure, *kind;
	size_t depth, index;
	strbuf where, measured;	/* ,cadence.name..depth  ,cadence.measure..index */
	strbuf open;		/* {"traceId":"..","spanId":" : the run's, made once */
} span_text;

static void span_text_free(span_text *c)
{
	cad_strbuf_free(&c->where);
	cad_strbuf_free(&c->measured);
	cad_strbuf_free(&c->open);
}

static void where_fields(strbuf *sb, const tspan *s)
{
	int first = 0;
	attr_str(sb, &first, "cadence.name", s->cadence);
	attr_str(sb, &first, "cadence.path", s->path);
	attr_int(sb, &first, "cadence.depth", s->depth);
}

static void measure_fields(strbuf *sb, const tspan *s)
{
	int first = 0;
	attr_str(sb, &first, "cadence.measure", s->measure);
	attr_str(sb, &first, "cadence.measure.kind", s->measure_kind);
	attr_int(sb, &first, "cadence.measure.index", (int64_t)s->index);
}

/* fields(s) from `text`, made again when stale (or out of memory: then
 * written directly) */
static void cached(strbuf *text, int stale, strbuf *sb, const tspan *s,
		   void (*fields)(strbuf *, const tspan *))
{
	if (stale || !text->len || text->failed) {
		cad_strbuf_reset(text);
		fields(text, s);
	}
	if (text->failed)
		fields(sb, s);
	else if (text->len)
		cad_strbuf_add(sb, text->buf, text->len);
}

static void where_attrs(span_text *c, strbuf *sb, const tspan *s)
{
	cached(&c->where, s->cadence != c->cadence || s->path != c->path || s->depth != c->depth,
	       sb, s, where_fields);
	c->cadence = s->cadence;
	c->path = s->path;
	c->depth = s->depth;
}

static void measure_attrs(span_text *c, strbuf *sb, const tspan *s)
{
	cached(&c->measured, s->measure != c->measure || s->measure_kind != c->kind ||
	       s->index != c->index, sb, s, measure_fields);
	c->measure = s->measure;
	c->kind = s->measure_kind;
	c->index = s->index;
}

/* A span's opening up to its id: the run's trace id, the same for each */
static void span_open(strbuf *sb, const trun *r)
{
	cad_strbuf_addl(sb, "{\"traceId\":\"");
	cad_rep_add_hex16(sb, r->trace_id[0]);
	cad_rep_add_hex16(sb, r->trace_id[1]);
	cad_strbuf_addl(sb, "\",\"spanId\":\"");
}

static void span_json(strbuf *sb, span_text *c, const trun *r, const tspan *s, int64_t now)
{
	static const char *const kinds[] = { "cadence", "measure", "note", "task" };
	int first = 0;	/* the kind's attribute comes first, always */
	if (c->open.failed)	/* out of memory: written directly */
		span_open(sb, r);
	else
		cad_strbuf_add(sb, c->open.buf, c->open.len);
	cad_rep_add_hex16(sb, s->id);
	if (s->parent) {
		cad_strbuf_addl(sb, "\",\"parentSpanId\":\"");
		cad_rep_add_hex16(sb, s->parent);
	}
	cad_strbuf_addl(sb, "\",\"name\":");
	cad_rep_json_str(sb, s->name ? s->name : kinds[s->kind]);
	/* SPAN_KIND_INTERNAL: work inside the process */
	nano(sb, ",\"kind\":1,\"startTimeUnixNano\":", s->start);
	nano(sb, ",\"endTimeUnixNano\":", s->open ? now : s->end);
	cad_strbuf_addl(sb, ",\"attributes\":[");
	/* the first attribute, one of four texts: made when compiling */
#define SPAN_KIND(k) ATTR_STR("cadence.span") "\"" k "\"}}"
	static const char *const kind_attrs[] = { SPAN_KIND("cadence"), SPAN_KIND("measure"),
						  SPAN_KIND("note"), SPAN_KIND("task") };
	static const size_t kind_lens[] = { sizeof(SPAN_KIND("cadence")) - 1,
					    sizeof(SPAN_KIND("measure")) - 1,
					    sizeof(SPAN_KIND("note")) - 1, sizeof(SPAN_KIND("task")) - 1 };
#undef SPAN_KIND
	cad_strbuf_add(sb, kind_attrs[s->kind], kind_lens[s->kind]);
	where_attrs(c, sb, s);
	if (s->kind == SPAN_CADENCE)
		attr_str(sb, &first, "cadence.run_id", r->run_id);
	if (s->kind != SPAN_CADENCE)
		measure_attrs(c, sb, s);
	if (s->kind == SPAN_NOTE) {
		attr_str(sb, &first, "cadence.note", s->note);
		attr_int(sb, &first, "cadence.attempt", s->attempt);
		attr_int(sb, &first, "cadence.attempts", s->attempts);
		attr_str(sb, &first, "cadence.note.status", s->result);
		attr_str(sb, &first, "cadence.error.type", s->error_type);
		attr_str(sb, &first, "cadence.task", s->task);
	}
	if (s->kind == SPAN_TASK) {
		attr_str(sb, &first, "cadence.task", s->task);
		attr_str(sb, &first, "cadence.note", s->note);
		attr_str(sb, &first, "cadence.task.outcome", s->result);
	}
	cad_strbuf_addl(sb, "],\"events\":[");
	for (size_t i = 0; i < s->nevents; i++) {
		const tevent *e = &s->events[i];
		int f = 1;
		if (i)
			cad_strbuf_addc(sb, ',');
		nano(sb, "{\"timeUnixNano\":", e->time);
		cad_strbuf_addl(sb, ",\"name\":\"");
		cad_strbuf_adds(sb, e->name);
		cad_strbuf_addl(sb, "\",\"attributes\":[");
		attr_str(sb, &f, "exception.message", e->message);
		if (e->type_key)
			attr_key_str(sb, &f, e->type_key, e->type);
		if (e->delay_ms >= 0)
			attr_int(sb, &f, "cadence.retry.delay_ms", e->delay_ms);
		cad_strbuf_addl(sb, "]}");
	}
	cad_strbuf_addl(sb, "],\"status\":{\"code\":");
	cad_strbuf_addc(sb, (char)('0' + s->status));
	if (s->status == STATUS_ERROR && s->message) {
		cad_strbuf_addl(sb, ",\"message\":");
		cad_rep_json_str(sb, s->message);
	}
	cad_strbuf_addl(sb, "}}");
}

/* Appends sb to out and empties it; -1 when it cannot. */
static int flush(strbuf *sb, FILE *out)
{
	if (!cad_strbuf_cstr(sb)) {
		return CADENCE_ENOMEM;
	}
	int rc = fwrite(sb->buf, 1, sb->len, out) == sb->len ? 0 : CADENCE_EIO;
	cad_strbuf_reset(sb);
	return rc;
}

/* The resource's attributes when none was set: what every trace said
 * before cadence_trace_set_resource() */
static void default_resource(strbuf *sb)
{
	cad_strbuf_adds(sb, "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"cadence\"}},"
		    "{\"key\":\"service.version\",\"value\":{\"stringValue\":");
	cad_rep_json_str(sb, cadence_version());
	cad_strbuf_addl(sb, "}}");
}

/* One element of resourceSpans: the resource, the scope and the run's
 * spans [from, to), written span by span to out (NULL: all in sb). */
static int resource_spans(strbuf *sb, const cadence_trace *t, const trun *r, size_t from,
			  size_t to, int64_t now, FILE *out)
{
	int rc = 0;
	cad_strbuf_addl(sb, "{\"resource\":{\"attributes\":[");
	if (t->resource)
		cad_strbuf_adds(sb, t->resource);
	else
		default_resource(sb);
	cad_strbuf_addl(sb, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"cadence\",\"version\":");
	cad_rep_json_str(sb, cadence_version());
	cad_strbuf_addl(sb, "},\"spans\":[");
	span_text c = { NULL, NULL, NULL, NULL, 0, 0, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	span_open(&c.open, r);
	for (size_t i = from; i < to && !rc; i++) {
		if (i > from)
			cad_strbuf_addc(sb, ',');
		span_json(sb, &c, r, &r->spans[i], now);
		if (out && sb->len >= 1 << 16)
			rc = flush(sb, out);
	}
	span_text_free(&c);
	cad_strbuf_addl(sb, "]}]}");
	return rc;
}

/* One line: the run's ExportTraceServiceRequest, written span by span. */
static int run_json(strbuf *sb, const cadence_trace *t, const trun *r, int64_t now, FILE *out)
{
	cad_strbuf_addl(sb, "{\"resourceSpans\":[");
	int rc = resource_spans(sb, t, r, 0, r->n, now, out);
	cad_strbuf_addl(sb, "]}\n");
	return rc ? rc : flush(sb, out);
}

/* An ended run into the exporter's queue, max_batch spans an element;
 * called with t->mu held. */
static void export_run(cadence_trace *t, const char *run_id)
{
	trun *r = run_id ? run_named(t, run_id) : NULL;
	size_t batch = cad_otlp_max_batch(t->exporter);
	int64_t now = cad_rep_wall_ns();
	if (!r || !r->done)
		return;
	for (size_t from = 0; from < r->n; from += batch) {
		size_t to = r->n - from > batch ? from + batch : r->n;
		strbuf sb = STRBUF_INIT;
		resource_spans(&sb, t, r, from, to, now, NULL);
		size_t len = sb.len;
		char *json = cad_strbuf_cstr(&sb) ? cad_strbuf_detach(&sb) : NULL;
		cad_strbuf_free(&sb);
		cad_otlp_queue(t->exporter, json, json ? len : 0, to - from);
	}
}

int cadence_trace_write(cadence_trace *t, FILE *out)
{
	int rc = 0;
	int64_t now = cad_rep_wall_ns();
	strbuf sb = STRBUF_INIT;
	pthread_mutex_lock(&t->mu);
	/* oldest first: the list is newest first */
	size_t n = 0;
	for (trun *r = t->runs; r; r = r->next)
		n++;
	const trun **order = calloc(n ? n : 1, sizeof(*order));
	if (!order) {
		pthread_mutex_unlock(&t->mu);
		return CADENCE_ENOMEM;
	}
	size_t k = n;
	for (trun *r = t->runs; r; r = r->next)
		order[--k] = r;
	for (size_t i = 0; i < n && !rc; i++)
		if (order[i]->done)
			rc = run_json(&sb, t, order[i], now, out);
	free(order);
	pthread_mutex_unlock(&t->mu);
	cad_strbuf_free(&sb);
	return rc;
}

static int write_cb(void *ctx, FILE *out)
{
	return cadence_trace_write(ctx, out);
}

int cadence_trace_write_file(cadence_trace *t, const char *path, cadence_run_error *err)
{
	return cad_rep_write_file(path, "trace", write_cb, t, err);
}

void cadence_trace_set_exporter(cadence_trace *t, cadence_otlp *otlp)
{
	pthread_mutex_lock(&t->mu);
	t->exporter = otlp;
	pthread_mutex_unlock(&t->mu);
}

/* the last value of key in kv (2 * n strings), or NULL */
static const char *kv_last(char **kv, size_t n, const char *key)
{
	const char *v = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[2 * i], key))
			v = kv[2 * i + 1];
	return v;
}

static void resource_attr(strbuf *sb, const char *key, const char *value)
{
	if (sb->len)
		cad_strbuf_addc(sb, ',');
	cad_strbuf_adds(sb, "{\"key\":");
	cad_rep_json_str(sb, key);
	cad_strbuf_adds(sb, ",\"value\":{\"stringValue\":");
	cad_rep_json_str(sb, value);
	cad_strbuf_adds(sb, "}}");
}

int cadence_trace_set_resource(cadence_trace *t, const char *service_name, const char *attributes,
			       cadence_run_error *err)
{
	char **kv = NULL;
	size_t n = 0;
	strbuf sb = STRBUF_INIT;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (attributes && cad_otlp_parse_kv(attributes, 0, &kv, &n, &sb))
		return cad_err_take(err, CADENCE_EINVAL, &sb);
	const char *name = service_name ? service_name : kv_last(kv, n, "service.name");
	const char *version = kv_last(kv, n, "service.version");
	resource_attr(&sb, "service.name", name ? name : "cadence");
	resource_attr(&sb, "service.version", version ? version : cadence_version());
	for (size_t i = 0; i < n; i++) {
		const char *k = kv[2 * i];
		/* once each, with its last value */
		if (strcmp(k, "service.name") && strcmp(k, "service.version") &&
		    kv_last(kv, n, k) == kv[2 * i + 1])
			resource_attr(&sb, k, kv[2 * i + 1]);
	}
	cad_otlp_kv_free(kv, n);
	char *json = cad_strbuf_cstr(&sb) ? cad_strbuf_detach(&sb) : NULL;
	cad_strbuf_free(&sb);
	if (!json)
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	pthread_mutex_lock(&t->mu);
	free(t->resource);
	t->resource = json;
	pthread_mutex_unlock(&t->mu);
	return 0;
}
