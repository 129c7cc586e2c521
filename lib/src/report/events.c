/* SPDX-License-Identifier: MIT */
/* JSON-lines events of runs (cadence/report.h); the schema is
 * docs/events.schema.json, described in docs/observability.md. */
#include "report/report_int.h"
#include "util/api.h"

#include <cadence/report.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Text made from a number and strings, and what it was made from: each
 * string and its NUL, or 0xff for a NULL (no string's bytes). */
typedef struct rep_memo {
	size_t num;
	strbuf of, text;
} rep_memo;

static void memo_free(rep_memo *m)
{
	cad_strbuf_free(&m->of);
	cad_strbuf_free(&m->text);
}

struct cadence_events {
	pthread_mutex_t mu;
	FILE *out;
	strbuf line;		/* reused; lines kept from the queue */
	/* the keys from run_id to depth, and the measure's, of the last
	 * line, and what they were made from */
	rep_memo run, measure;
	rep_time_cache clock;
	int64_t flushed;	/* wall ns of the last flush */
	int error;		/* errno of the first failed write; -1: out of memory */
};

#define FLUSH_NS 100000000	/* 0.1 s */
#define EVENTS_BATCH 32768	/* bytes of lines kept from the queue */

static const char *const breaker_events[] = { "breaker_closed", "breaker_opened",
					      "breaker_half_opened" };
static const char *const breaker_states[] = { "closed", "open", "half_open" };
static const char *const note_results[] = { "ok", "failed", "skipped", "interrupt", "rejected" };
const char *const cad_task_outcomes[4] = { "ok", "failed", "skipped", "cancelled" };
const char *const cad_end_statuses[4] = { "ok", "failed", "cancelled", "stopped" };

int cad_end_status(int code)
{
	return !code ? 0 : code == CADENCE_ECANCELED ? 2 : code == CADENCE_ESTOPPED ? 3 : 1;
}

int cadence_events_new(cadence_events **out, FILE *stream)
{
	cadence_events *e = calloc(1, sizeof(*e));
	*out = e;
	if (!e)
		return CADENCE_ENOMEM;
	pthread_mutex_init(&e->mu, NULL);
	e->out = stream;
	return 0;
}

/* The lines kept to the stream, under e->mu. */
static void write_kept(cadence_events *e)
{
	if (e->line.len && fwrite(e->line.buf, 1, e->line.len, e->out) != e->line.len &&
	    !e->error)
		e->error = errno ? errno : EIO;
	cad_strbuf_reset(&e->line);
}

void cadence_events_free(cadence_events *e)
{
	if (!e)
		return;
	cad_strbuf_free(&e->line);
	memo_free(&e->run);
	memo_free(&e->measure);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

/* The name of the event; NULL: not reported (a breaker call that changed
 * nothing). */
static const char *event_name(const cadence_event *ev)
{
	switch (ev->kind) {
	case CADENCE_EVENT_CADENCE_START: return "cadence_started";
	case CADENCE_EVENT_CADENCE_END:
		return !ev->status ? "cadence_completed"
		       : ev->status == CADENCE_ESTOPPED ? "cadence_stopped" : "cadence_failed";
	case CADENCE_EVENT_MEASURE_START: return "measure_started";
	case CADENCE_EVENT_MEASURE_END: return ev->status ? "measure_failed" : "measure_completed";
	case CADENCE_EVENT_NOTE_START: return "note_started";
	case CADENCE_EVENT_NOTE_END:
		switch (ev->status) {
		case CADENCE_NOTE_STATUS_SKIPPED: return "note_skipped";
		case CADENCE_NOTE_STATUS_FAILED:
		case CADENCE_NOTE_STATUS_REJECTED: return "note_failed";
		default: return "note_completed";
		}
	case CADENCE_EVENT_RETRY: return "note_retried";
	case CADENCE_EVENT_FALLBACK: return "note_fell_back";
	case CADENCE_EVENT_ERROR: return "error";
	case CADENCE_EVENT_LOG: return "note_log";
	case CADENCE_EVENT_BREAKER:
		return ev->status != ev->previous && ev->status >= 0 && ev->status <= 2
			? breaker_events[ev->status] : NULL;
	case CADENCE_EVENT_CONFLICT: return "merge_conflict";
	/* the names docs/format.md ("dag") gives */
	case CADENCE_EVENT_TASK_START: return "task_start";
	case CADENCE_EVENT_TASK_END: return "task_end";
	case CADENCE_EVENT_TASK_SKIPPED: return "task_skipped";
	}
	return NULL;
}

/* ,"key":"value" (nothing for a NULL value) and ,"key":digits, the
 * key's text made when compiling */
#define str_field(sb, key, value) str_field_((sb), ",\"" key "\":", sizeof(key) + 3, (value))
#define num_field(sb, key, v) (cad_strbuf_addl((sb), key), cad_strbuf_addu((sb), (v)))

static void str_field_(strbuf *sb, const char *key, size_t len, const char *value)
{
	if (!value)
		return;
	cad_strbuf_add(sb, key, len);
	cad_rep_json_str(sb, value);
}

static void run_fields(strbuf *sb, const cadence_event *ev)
{
	str_field(sb, "run_id", ev->run_id);
	str_field(sb, "cadence", ev->cadence);
	str_field(sb, "path", ev->path);
	num_field(sb, ",\"depth\":", ev->depth);
}

static void measure_fields(strbuf *sb, const cadence_event *ev)
{
	if (ev->measure) {
		str_field(sb, "measure", ev->measure);
		str_field(sb, "measure_kind", ev->measure_kind);
		num_field(sb, ",\"measure_index\":", ev->measure_index);
	}
}

/* The text was made from num and parts: compared in place rather than
 * a key built to compare. */
static int memo_same(const rep_memo *m, size_t num, const char *const *parts, size_t nparts)
{
	if (!m->of.len || m->of.failed || m->num != num)
		return 0;
	const char *k = m->of.buf, *end = k + m->of.len;
	for (size_t i = 0; i < nparts; i++) {
		const char *p = parts[i];
		if (!p) {
			if (k == end || (unsigned char)*k != 0xff)
				return 0;
			k++;
			continue;
		}
		size_t n = strlen(p) + 1;	/* its NUL too */
		if ((size_t)(end - k) < n || memcmp(k, p, n))
			return 0;
		k += n;
	}
	return k == end;
}

/* Keys of a line as the last line with the same values had them: the
 * run's (run_id to depth: the same for a whole run, mostly) and the
 * measure's (the same for the events of a measure).  A comparison
 * instead of strings escaped. */
static void memo(rep_memo *m, strbuf *sb, const cadence_event *ev, size_t num,
		 const char *const *parts, size_t nparts,
		 void (*fields)(strbuf *, const cadence_event *))
{
	if (!memo_same(m, num, parts, nparts)) {
		cad_strbuf_reset(&m->of);
		m->num = num;
		for (size_t i = 0; i < nparts; i++) {
			if (parts[i])
				cad_strbuf_add(&m->of, parts[i], strlen(parts[i]) + 1);
			else
				cad_strbuf_addl(&m->of, "\xff");
		}
		cad_strbuf_reset(&m->text);
		fields(&m->text, ev);
	}
	if (m->text.failed || m->of.failed) {
		cad_strbuf_reset(&m->of);	/* made again next time */
		fields(sb, ev);
		return;
	}
	if (m->text.len)	/* none for an event without a measure: no buffer either */
		cad_strbuf_add(sb, m->text.buf, m->text.len);
}

static void where(cadence_events *e, strbuf *sb, const cadence_event *ev)
{
	const char *run[] = { ev->run_id, ev->cadence, ev->path };
	const char *measure[] = { ev->measure, ev->measure_kind };
	memo(&e->run, sb, ev, ev->depth, run, 3, run_fields);
	memo(&e->measure, sb, ev, ev->measure ? ev->measure_index : 0, measure, 2, measure_fields);
}

static void format(cadence_events *e, strbuf *sb, const char *name, const cadence_event *ev,
		   const char *when)
{
	int k = ev->kind;
	cad_strbuf_addl(sb, "{\"time\":\"");
	cad_strbuf_adds(sb, when);
	cad_strbuf_addl(sb, "\",\"event\":\"");
	cad_strbuf_adds(sb, name);
	cad_strbuf_addc(sb, '"');
	where(e, sb, ev);
	str_field(sb, "task", ev->task);
	if (ev->note) {
		str_field(sb, "note", ev->note);
		num_field(sb, ",\"attempt\":", ev->attempt);
		num_field(sb, ",\"attempts\":", ev->attempts);
	}
	if (k == CADENCE_EVENT_NOTE_END && ev->status >= 0 && ev->status <= 4)
		str_field(sb, "status", note_results[ev->status]);
	else if (k == CADENCE_EVENT_CADENCE_END || k == CADENCE_EVENT_MEASURE_END)
		str_field(sb, "status", cad_end_statuses[cad_end_status(ev->status)]);
	if (k == CADENCE_EVENT_MEASURE_END)
		str_field(sb, "branch", ev->branch);
	if ((k == CADENCE_EVENT_TASK_END || k == CADENCE_EVENT_TASK_SKIPPED) &&
	    ev->status >= 0 && ev->status <= 3)
		str_field(sb, "outcome", cad_task_outcomes[ev->status]);
	if (k == CADENCE_EVENT_NOTE_END || k == CADENCE_EVENT_CADENCE_END ||
	    k == CADENCE_EVENT_MEASURE_END || k == CADENCE_EVENT_TASK_END)
	{
		cad_strbuf_addl(sb, ",\"duration_ms\":");
		cad_rep_add_ms(sb, ev->duration_ns);
	}
	if (k == CADENCE_EVENT_RETRY)
		num_field(sb, ",\"delay_ms\":", ev->delay_ms > 0 ? (uint64_t)ev->delay_ms : 0);
	if (k == CADENCE_EVENT_BREAKER) {
		str_field(sb, "state", breaker_states[ev->status]);
		if (ev->previous >= 0 && ev->previous <= 2)
			str_field(sb, "previous_state", breaker_states[ev->previous]);
	}
	str_field(sb, "error_type", ev->error_type);
	str_field(sb, "field", ev->field);
	if (k == CADENCE_EVENT_LOG)
		str_field(sb, "line", ev->message);
	else if (k == CADENCE_EVENT_TASK_SKIPPED)
		str_field(sb, "reason", ev->message);
	else
		str_field(sb, "message", ev->message);
	cad_strbuf_addl(sb, "}\n");
}

/* A line: written at once (`keep` 0), or kept with the lines before it
 * until a batch is full or a flush point. */
static void put_line(cadence_events *e, const cadence_event *ev, int64_t now, int keep)
{
	const char *name = event_name(ev);
	if (!name)
		return;
	char when[32];
	pthread_mutex_lock(&e->mu);
	if (!now)
		now = cad_rep_wall_ns();	/* under the lock: lines in the order of their times */
	cad_rep_rfc3339(now, when, &e->clock);
	format(e, &e->line, name, ev, when);
	int flush = ev->kind == CADENCE_EVENT_CADENCE_END ||
		    (ev->kind == CADENCE_EVENT_MEASURE_END && now - e->flushed >= FLUSH_NS);
	if (e->line.failed) {
		if (!e->error)
			e->error = -1;	/* the kept lines are lost with it */
		cad_strbuf_free(&e->line);
		e->line = (strbuf)STRBUF_INIT;
	} else if (!keep || flush || e->line.len >= EVENTS_BATCH) {
		write_kept(e);
	}
	if (flush && !e->error) {
		/* a reader following the file sees each measure, a tenth of a
		 * second late at most, without a write per event */
		e->flushed = now;
		if (fflush(e->out))
			e->error = errno ? errno : EIO;
	}
	pthread_mutex_unlock(&e->mu);
}

void cadence_events_on_event(void *ctx, const cadence_event *ev)
{
	put_line(ctx, ev, 0, 0);
}

void cad_events_event_at(cadence_events *e, const cadence_event *ev, int64_t now, int keep)
{
	put_line(e, ev, now, keep);
}

void cad_events_forget(cadence_events *e)
{
	pthread_mutex_lock(&e->mu);
	cad_strbuf_reset(&e->run.of);
	cad_strbuf_reset(&e->measure.of);
	pthread_mutex_unlock(&e->mu);
}

void cad_events_write_kept(cadence_events *e)
{
	pthread_mutex_lock(&e->mu);
	write_kept(e);
	pthread_mutex_unlock(&e->mu);
}

void cadence_events_time(char out[32])
{
	rep_time_cache cache = { 0 };	/* one call: nothing to keep */
	cad_rep_rfc3339(cad_rep_wall_ns(), out, &cache);
}

int cadence_events_status(cadence_events *e, cadence_run_error *err)
{
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	pthread_mutex_lock(&e->mu);
	write_kept(e);
	if (fflush(e->out) && !e->error)
		e->error = errno ? errno : EIO;
	int error = e->error;
	pthread_mutex_unlock(&e->mu);
	if (error == -1)
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory: an event could not be written");
	if (error)
		return cad_err_sys(err, error, "cannot write the events");
	return 0;
}
