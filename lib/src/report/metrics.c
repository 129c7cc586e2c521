/* SPDX-License-Identifier: MIT */
/* Prometheus metrics of runs (cadence/report.h, docs/observability.md):
 * counters and histograms per note and per cadence, written in the text
 * exposition format. */
#include "report/report_int.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <cadence/report.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Seconds; a note is often milliseconds, a cadence up to an hour. */
static const double note_le[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300 };
static const double cadence_le[] = { 0.01, 0.1, 1, 10, 30, 60, 300, 900, 1800, 3600 };
#define NOTE_NB (sizeof(note_le) / sizeof(note_le[0]))
#define CADENCE_NB (sizeof(cadence_le) / sizeof(cadence_le[0]))
/* The same bounds as written ("%g"), so that writing needs no printf. */
static const char *const note_le_text[NOTE_NB] = {
	"0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "10", "30", "60", "300",
};
static const char *const cadence_le_text[CADENCE_NB] = {
	"0.01", "0.1", "1", "10", "30", "60", "300", "900", "1800", "3600",
};

static const char *const note_status[] = { "ok", "failed", "skipped", "interrupt", "rejected" };
#define NSTATUS (sizeof(note_status) / sizeof(note_status[0]))
/* cadence_event.error_type; anything else counts as "other" */
static const char *const error_types[] = {
	"timeout", "exit_status", "signal", "spawn", "output", "change",
	"expression", "note", "breaker_open", "cancelled", "other",
};
#define NTYPES (sizeof(error_types) / sizeof(error_types[0]))
static const char *const breaker_states[] = { "closed", "open", "half_open" };

/* A note's counters are counted without the lock, by whichever thread
 * ends the attempt (relaxed atomics: each is a count of its own, and a
 * scrape may see one event's counters half added); the count of
 * observations is the sum of the buckets. */
typedef _Atomic uint64_t acount;

typedef struct hist {
	acount bucket[16];	/* not cumulative */
	acount sum_ns;
} hist;

typedef struct mnote {
	const struct cadence_metrics *owner;	/* what on_note's caller gave back */
	const char *cadence, *note;	/* interned */
	acount runs[NSTATUS];
	acount errors[NTYPES];
	acount retries, fallbacks;
	hist duration;
	_Atomic int breaker;	/* -1: no breaker seen */
	acount opened;		/* times the breaker opened */
	acount first;		/* 0: no event yet; else its rank among the notes' first events */
} mnote;

typedef struct mcadence {
	const char *cadence;
	acount runs[4];	/* by cad_end_status() */
	acount tasks[4];	/* dag tasks, by cadence_task_outcome */
	hist duration;
	int64_t last_end_ns;	/* wall clock */
} mcadence;

/* A row of cadence_metrics_write_timings(): a note at one place in the
 * run ("root/child/note": a child run at two places is two rows, which
 * the Prometheus series, labelled by cadence, do not tell apart). */
typedef struct mtiming {
	const char *key;	/* interned "path/note" */
	unsigned calls, failures;	/* failures: ended other than ok */
	int64_t total_ns, max_ns;
} mtiming;

struct cadence_metrics {
	pthread_mutex_t mu;
	rep_intern names;
	mnote **notes;		/* each allocated once: on_note hands them out */
	size_t nnotes, capnotes;
	mcadence *cadences;
	size_t ncadences, capcadences;
	/* interned "cadence\0note" -> index in notes; interned cadence ->
	 * index in cadences */
	strmap note_index, cadence_index;
	strbuf key;		/* the key being looked up */
	size_t last;		/* the note found last: events come in runs */
	mtiming *timings;	/* in the order the notes first ended */
	size_t ntimings, captimings;
	strmap timing_index;	/* interned "path/note" -> index in timings */
	_Atomic int timings_off;	/* cadence_metrics_keep_timings(m, 0) */
	acount seen;		/* notes that had an event */
	_Atomic int failed;	/* out of memory once: what was lost is lost */
	cadence_otlp *exporter;	/* borrowed: its series too */
};

int cadence_metrics_new(cadence_metrics **out)
{
	cadence_metrics *m = calloc(1, sizeof(*m));
	*out = m;
	if (!m)
		return CADENCE_ENOMEM;
	pthread_mutex_init(&m->mu, NULL);
	return 0;
}

void cadence_metrics_free(cadence_metrics *m)
{
	if (!m)
		return;
	cad_rep_intern_free(&m->names);
	cad_strmap_free(&m->note_index);
	cad_strmap_free(&m->cadence_index);
	cad_strmap_free(&m->timing_index);
	cad_strbuf_free(&m->key);
	for (size_t i = 0; i < m->nnotes; i++)
		free(m->notes[i]);
	free(m->notes);
	free(m->timings);
	free(m->cadences);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

static void add(acount *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t get(const acount *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void observe(hist *h, const double *le, size_t nb, int64_t ns)
{
	double v = (double)ns / 1e9;
	size_t i = 0;
	while (i < nb && v > le[i])
		i++;
	add(&h->bucket[i], 1);	/* i == nb: only +Inf */
	add(&h->sum_ns, ns > 0 ? (uint64_t)ns : 0);
}

static mnote *find_note(cadence_metrics *m, const char *cadence, const char *note)
{
	if (m->last < m->nnotes && !strcmp(m->notes[m->last]->note, note) &&
	    !strcmp(m->notes[m->last]->cadence, cadence))
		return m->notes[m->last];
	cad_strbuf_reset(&m->key);
	cad_strbuf_adds(&m->key, cadence);
	cad_strbuf_addc(&m->key, '\0');
	cad_strbuf_adds(&m->key, note);
	if (!cad_strbuf_cstr(&m->key)) {
		cad_strbuf_free(&m->key);	/* not failed for the next event */
		return NULL;
	}
	const strmap_entry *k = cad_strmap_find(&m->note_index, m->key.buf, m->key.len);
	if (k)
		return m->notes[m->last = k->v.i];
	const char *c = cad_rep_intern_get(&m->names, cadence), *n = cad_rep_intern_get(&m->names, note);
	const char *key = cad_rep_intern_getn(&m->names, m->key.buf, m->key.len);
	mnote *e = NULL;
	strmap_entry *ix;
	if (!c || !n || !key || CAD_GROW(m->notes, m->capnotes, m->nnotes + 1, 16) ||
	    !(e = calloc(1, sizeof(*e))) ||
	    !(ix = cad_strmap_put(&m->note_index, key, m->key.len, NULL))) {
		free(e);
		return NULL;
	}
	ix->v.i = m->nnotes;
	e->owner = m;
	e->cadence = c;
	e->note = n;
	atomic_init(&e->breaker, -1);
	m->notes[m->last = m->nnotes++] = e;
	return e;
}

static mcadence *find_cadence(cadence_metrics *m, const char *cadence)
{
	const char *c = cad_rep_intern_get(&m->names, cadence);
	if (!c)
		return NULL;
	const strmap_entry *k = cad_strmap_find(&m->cadence_index, c, strlen(c));
	if (k)
		return &m->cadences[k->v.i];
	strmap_entry *ix;
	if (CAD_GROW(m->cadences, m->capcadences, m->ncadences + 1, 4) ||
	    !(ix = cad_strmap_put(&m->cadence_index, c, strlen(c), NULL)))
		return NULL;
	ix->v.i = m->ncadences;
	mcadence *e = &m->cadences[m->ncadences++];
	memset(e, 0, sizeof(*e));
	e->cadence = c;
	return e;
}

/* A note ended: its row of the timings.  Out of memory, the call is not
 * counted there (the metrics do not depend on it). */
static void time_note(cadence_metrics *m, const cadence_event *ev)
{
	cad_strbuf_reset(&m->key);	/* "path/note", on every note's end: no printf */
	cad_strbuf_adds(&m->key, ev->path ? ev->path : "");
	cad_strbuf_addc(&m->key, '/');
	cad_strbuf_adds(&m->key, ev->note);
	if (!cad_strbuf_cstr(&m->key)) {
		cad_strbuf_free(&m->key);
		return;
	}
	const strmap_entry *k = cad_strmap_find(&m->timing_index, m->key.buf, m->key.len);
	mtiming *t = k ? &m->timings[k->v.i] : NULL;
	if (!t) {
		const char *key = cad_rep_intern_getn(&m->names, m->key.buf, m->key.len);
		strmap_entry *ix;
		if (!key ||
		    CAD_GROW(m->timings, m->captimings, m->ntimings + 1, 16) ||
		    !(ix = cad_strmap_put(&m->timing_index, key, m->key.len, NULL)))
			return;
		ix->v.i = m->ntimings;
		t = &m->timings[m->ntimings++];
		memset(t, 0, sizeof(*t));
		t->key = key;
	}
	t->calls++;
	t->failures += ev->status != CADENCE_NOTE_STATUS_OK;
	t->total_ns += ev->duration_ns;
	if (ev->duration_ns > t->max_ns)
		t->max_ns = ev->duration_ns;
}

static size_t error_index(const char *type)
{
	for (size_t i = 0; type && i + 1 < NTYPES; i++)
		if (!strcmp(type, error_types[i]))
			return i;
	return NTYPES - 1;
}

void *cadence_metrics_on_note(void *ctx, const char *cadence, const char *note)
{
	cadence_metrics *m = ctx;
	pthread_mutex_lock(&m->mu);
	mnote *n = find_note(m, cadence, note);
	pthread_mutex_unlock(&m->mu);
	return n;
}

void cadence_metrics_keep_timings(cadence_metrics *m, int keep)
{
	m->timings_off = !keep;
}

/* A cadence's end or a dag task's: a few per run, under the lock. */
static void count_cadence(cadence_metrics *m, const cadence_event *ev)
{
	pthread_mutex_lock(&m->mu);
	mcadence *c = find_cadence(m, ev->cadence);
	if (!c)
		m->failed = 1;
	else if (ev->kind != CADENCE_EVENT_CADENCE_END && ev->status >= 0 && ev->status <= 3)
		add(&c->tasks[ev->status], 1);
	else if (ev->kind == CADENCE_EVENT_CADENCE_END) {
		add(&c->runs[cad_end_status(ev->status)], 1);
		observe(&c->duration, cadence_le, CADENCE_NB, ev->duration_ns);
		c->last_end_ns = cad_rep_wall_ns();
	}
	pthread_mutex_unlock(&m->mu);
}

/* The note of an event: what on_note gave the runner (no lock, no
 * lookup: the path of every note's end), else found by name. */
static mnote *note_of(cadence_metrics *m, const cadence_event *ev)
{
	mnote *n = ev->note_data;
	int timed = ev->kind == CADENCE_EVENT_NOTE_END && !m->timings_off;
	if (n && n->owner == m && !timed)
		return n;
	pthread_mutex_lock(&m->mu);
	if (timed)
		time_note(m, ev);
	if (!n || n->owner != m)
		n = find_note(m, ev->cadence, ev->note);
	pthread_mutex_unlock(&m->mu);
	if (!n)
		m->failed = 1;
	return n;
}

void cadence_metrics_on_event(void *ctx, const cadence_event *ev)
{
	cadence_metrics *m = ctx;
	int k = ev->kind;
	if (k == CADENCE_EVENT_CADENCE_END || k == CADENCE_EVENT_TASK_END ||
	    k == CADENCE_EVENT_TASK_SKIPPED) {
		count_cadence(m, ev);
		return;
	}
	if ((k != CADENCE_EVENT_NOTE_END && k != CADENCE_EVENT_RETRY && k != CADENCE_EVENT_FALLBACK &&
	     k != CADENCE_EVENT_BREAKER) || !ev->note)
		return;
	mnote *n = note_of(m, ev);
	if (!n)
		return;
	if (!get(&n->first)) {
		/* written in the order their first events came, as before
		 * on_note made them earlier; notes that never ran, not at all */
		uint64_t none = 0;
		atomic_compare_exchange_strong(&n->first, &none, atomic_fetch_add(&m->seen, 1) + 1);
	}
	switch (k) {
	case CADENCE_EVENT_NOTE_END:
		if (ev->status >= 0 && (size_t)ev->status < NSTATUS)
			add(&n->runs[ev->status], 1);
		if (ev->status == CADENCE_NOTE_STATUS_FAILED || ev->status == CADENCE_NOTE_STATUS_REJECTED)
			add(&n->errors[error_index(ev->error_type)], 1);
		observe(&n->duration, note_le, NOTE_NB, ev->duration_ns);
		break;
	case CADENCE_EVENT_RETRY:
		add(&n->retries, 1);
		break;
	case CADENCE_EVENT_FALLBACK:
		add(&n->fallbacks, 1);
		break;
	case CADENCE_EVENT_BREAKER:
		if (ev->status == CADENCE_BREAKER_OPEN && ev->previous != CADENCE_BREAKER_OPEN)
			add(&n->opened, 1);
		atomic_store_explicit(&n->breaker, ev->status >= 0 && ev->status <= 2 ? ev->status : -1,
				      memory_order_relaxed);
		break;
	}
}

/* ---- the text format ---------------------------------------------------------- */

/* A label value is UTF-8 text (the exposition format): a byte that is not
 * becomes U+FFFD. */
static void label(strbuf *sb, const char *name, const char *value)
{
	cad_strbuf_adds(sb, name);
	cad_strbuf_addl(sb, "=\"");
	for (const char *s = value;;) {
		/* a run of bytes written as they are, added at once */
		size_t plain = 0;
		while (s[plain] && s[plain] != '\\' && s[plain] != '"' && s[plain] != '\n' &&
		       (unsigned char)s[plain] < 0x80)
			plain++;
		cad_strbuf_add(sb, s, plain);
		s += plain;
		if (!*s)
			break;
		uint32_t cp;
		size_t n;
		if ((unsigned char)*s >= 0x80) {
			n = cad_utf8_decode((const unsigned char *)s, strnlen(s, 4), &cp);
			if (n)
				cad_strbuf_add(sb, s, n), s += n;
			else
				cad_strbuf_addl(sb, "\xEF\xBF\xBD"), s++;
		} else {
			cad_strbuf_addc(sb, '\\');
			cad_strbuf_addc(sb, *s == '\n' ? 'n' : *s);
			s++;
		}
	}
	cad_strbuf_addc(sb, '"');
}

static void family(strbuf *sb, const char *name, const char *type, const char *help)
{
	const char *parts[] = { "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n" };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		cad_strbuf_adds(sb, parts[i]);
}

/* name[suffix]{cadence="c",note="n"[,extra="v"]}: a series of every note
 * and cadence, written without printf */
static void series(strbuf *sb, const char *name, const char *suffix, const char *cadence,
		   const char *note, const char *extra, const char *value)
{
	cad_strbuf_adds(sb, name);
	if (suffix)
		cad_strbuf_adds(sb, suffix);
	cad_strbuf_addc(sb, '{');
	label(sb, "cadence", cadence);
	if (note) {
		cad_strbuf_addc(sb, ',');
		label(sb, "note", note);
	}
	if (extra) {
		cad_strbuf_addc(sb, ',');
		label(sb, extra, value);
	}
	cad_strbuf_addc(sb, '}');
}

/* " N\n" */
static void value_u(strbuf *sb, uint64_t n)
{
	cad_strbuf_addc(sb, ' ');
	cad_strbuf_addu(sb, n);
	cad_strbuf_addc(sb, '\n');
}

static void histogram(strbuf *sb, const char *name, const char *cadence, const char *note,
		      const hist *h, const char *const *le, size_t nb)
{
	uint64_t cum = 0;
	for (size_t i = 0; i <= nb; i++) {
		cum += get(&h->bucket[i]);
		series(sb, name, "_bucket", cadence, note, "le", i < nb ? le[i] : "+Inf");
		value_u(sb, cum);
	}
	series(sb, name, "_sum", cadence, note, NULL, NULL);
	cad_strbuf_addf(sb, " %.9g\n", (double)get(&h->sum_ns) / 1e9);
	series(sb, name, "_count", cadence, note, NULL, NULL);
	value_u(sb, cum);
}

static void counter(strbuf *sb, const char *name, const char *cadence, const char *note,
		    const char *extra, const char *value, uint64_t n)
{
	series(sb, name, NULL, cadence, note, extra, value);
	value_u(sb, n);
}

/* The exporter's counters (cadence_metrics_set_exporter()), by endpoint. */
static void exporter_series(strbuf *sb, cadence_otlp *x)
{
	static const char *const fam[][2] = {
		{ "cadence_trace_spans_exported_total", "Spans the collector accepted." },
		{ "cadence_trace_spans_dropped_total",
		  "Spans not sent: queue full, refused, given up, or unsent at the end." },
		{ "cadence_trace_export_failures_total",
		  "Requests to the collector not answered 2xx (retries included)." },
	};
	cadence_otlp_stats st = CADENCE_OTLP_STATS_INIT;
	cadence_otlp_status(x, &st, NULL);
	const uint64_t v[] = { st.spans_sent, st.spans_dropped, st.requests_failed };
	for (size_t i = 0; i < 3; i++) {
		family(sb, fam[i][0], "counter", fam[i][1]);
		cad_strbuf_adds(sb, fam[i][0]);
		cad_strbuf_addc(sb, '{');
		label(sb, "endpoint", cadence_otlp_url(x));
		cad_strbuf_addc(sb, '}');
		value_u(sb, v[i]);
	}
}

void cadence_metrics_set_exporter(cadence_metrics *m, cadence_otlp *otlp)
{
	pthread_mutex_lock(&m->mu);
	m->exporter = otlp;
	pthread_mutex_unlock(&m->mu);
}

static void format(cadence_metrics *m, mnote *const *notes, size_t nnotes, strbuf *sb)
{
	if (m->failed)
		cad_strbuf_addl(sb, "# cadence: out of memory while counting; some events are missing\n");
	family(sb, "cadence_note_duration_seconds", "histogram",
	       "Time a note attempt took, from start to verdict.");
	for (size_t i = 0; i < nnotes; i++)
		histogram(sb, "cadence_note_duration_seconds", notes[i]->cadence, notes[i]->note,
			  &notes[i]->duration, note_le_text, NOTE_NB);
	family(sb, "cadence_note_runs_total", "counter", "Note attempts, by how they ended.");
	for (size_t i = 0; i < nnotes; i++)
		for (size_t s = 0; s < NSTATUS; s++)
			counter(sb, "cadence_note_runs_total", notes[i]->cadence, notes[i]->note,
				"status", note_status[s], get(&notes[i]->runs[s]));
	family(sb, "cadence_note_errors_total", "counter",
	       "Failed note attempts, by error type.");
	for (size_t i = 0; i < nnotes; i++)
		for (size_t t = 0; t < NTYPES; t++)
			if (get(&notes[i]->errors[t]))
				counter(sb, "cadence_note_errors_total", notes[i]->cadence,
					notes[i]->note, "type", error_types[t], get(&notes[i]->errors[t]));
	family(sb, "cadence_note_retries_total", "counter",
	       "Retries of notes: failed attempts followed by another.");
	for (size_t i = 0; i < nnotes; i++)
		counter(sb, "cadence_note_retries_total", notes[i]->cadence, notes[i]->note, NULL,
			NULL, get(&notes[i]->retries));
	family(sb, "cadence_note_fallbacks_total", "counter",
	       "Notes that failed for good and whose fallback applied.");
	for (size_t i = 0; i < nnotes; i++)
		counter(sb, "cadence_note_fallbacks_total", notes[i]->cadence, notes[i]->note,
			NULL, NULL, get(&notes[i]->fallbacks));
	family(sb, "cadence_circuit_breaker_state", "gauge",
	       "State of a note's circuit breaker after its last call: 1 for the current state.");
	for (size_t i = 0; i < nnotes; i++)
		for (int s = 0; atomic_load(&notes[i]->breaker) >= 0 && s < 3; s++) {
			series(sb, "cadence_circuit_breaker_state", NULL, notes[i]->cadence,
			       notes[i]->note, "state", breaker_states[s]);
			value_u(sb, atomic_load(&notes[i]->breaker) == s);
		}
	family(sb, "cadence_circuit_breaker_opened_total", "counter",
	       "Times a note's circuit breaker opened.");
	for (size_t i = 0; i < nnotes; i++)
		if (atomic_load(&notes[i]->breaker) >= 0)
			counter(sb, "cadence_circuit_breaker_opened_total", notes[i]->cadence,
				notes[i]->note, NULL, NULL, get(&notes[i]->opened));
	family(sb, "cadence_duration_seconds", "histogram",
	       "Time a cadence took (a child's, inside its parent).");
	for (size_t i = 0; i < m->ncadences; i++)
		histogram(sb, "cadence_duration_seconds", m->cadences[i].cadence, NULL,
			  &m->cadences[i].duration, cadence_le_text, CADENCE_NB);
	family(sb, "cadence_runs_total", "counter", "Runs of a cadence, by how they ended.");
	for (size_t i = 0; i < m->ncadences; i++)
		for (size_t s = 0; s < 4; s++)
			counter(sb, "cadence_runs_total", m->cadences[i].cadence, NULL, "status",
				cad_end_statuses[s], get(&m->cadences[i].runs[s]));
	/* only when a dag ran: the families of a run without one stay as
	 * they were */
	int dags = 0;
	for (size_t i = 0; i < m->ncadences && !dags; i++)
		for (size_t o = 0; o < 4; o++)
			dags |= get(&m->cadences[i].tasks[o]) != 0;
	if (dags)
		family(sb, "cadence_dag_tasks_total", "counter",
		       "Tasks of dag measures, by outcome (ok, failed, skipped, cancelled).");
	for (size_t i = 0; dags && i < m->ncadences; i++)
		for (size_t o = 0; o < 4; o++)
			counter(sb, "cadence_dag_tasks_total", m->cadences[i].cadence, NULL, "outcome",
				cad_task_outcomes[o], get(&m->cadences[i].tasks[o]));
	family(sb, "cadence_last_run_timestamp_seconds", "gauge",
	       "When the last run of a cadence ended, in seconds since the Unix epoch.");
	for (size_t i = 0; i < m->ncadences; i++) {
		series(sb, "cadence_last_run_timestamp_seconds", NULL, m->cadences[i].cadence, NULL,
		       NULL, NULL);
		cad_strbuf_addf(sb, " %.3f\n", (double)m->cadences[i].last_end_ns / 1e9);
	}
	if (m->exporter)
		exporter_series(sb, m->exporter);
}

static int by_first(const void *a, const void *b)
{
	uint64_t x = get(&(*(mnote *const *)a)->first), y = get(&(*(mnote *const *)b)->first);
	return x < y ? -1 : x > y;
}

int cadence_metrics_write(cadence_metrics *m, FILE *out)
{
	strbuf sb = STRBUF_INIT;
	pthread_mutex_lock(&m->mu);
	mnote **notes = malloc((m->nnotes ? m->nnotes : 1) * sizeof(*notes));
	size_t n = 0;
	for (size_t i = 0; notes && i < m->nnotes; i++)
		if (get(&m->notes[i]->first))
			notes[n++] = m->notes[i];
	if (notes) {
		qsort(notes, n, sizeof(*notes), by_first);
		format(m, notes, n, &sb);
	}
	pthread_mutex_unlock(&m->mu);
	free(notes);
	if (!notes || !cad_strbuf_cstr(&sb)) {
		cad_strbuf_free(&sb);
		return CADENCE_ENOMEM;
	}
	int rc = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : CADENCE_EIO;
	cad_strbuf_free(&sb);
	return rc;
}

int cadence_metrics_write_timings(cadence_metrics *m, FILE *out)
{
	strbuf sb = STRBUF_INIT;
	size_t w = 4;
	pthread_mutex_lock(&m->mu);
	if (!m->ntimings) {
		pthread_mutex_unlock(&m->mu);
		return 0;
	}
	for (size_t i = 0; i < m->ntimings; i++)
		if (strlen(m->timings[i].key) > w)
			w = strlen(m->timings[i].key);
	cad_strbuf_addf(&sb, "%-*s %6s %6s %11s %11s %11s\n", (int)w, "note", "calls", "failed",
			"total ms", "mean ms", "max ms");
	for (size_t i = 0; i < m->ntimings; i++) {
		const mtiming *t = &m->timings[i];
		cad_strbuf_addf(&sb, "%-*s %6u %6u %11.3f %11.3f %11.3f\n", (int)w, t->key, t->calls,
				t->failures, (double)t->total_ns / 1e6,
				(double)t->total_ns / 1e6 / t->calls, (double)t->max_ns / 1e6);
	}
	pthread_mutex_unlock(&m->mu);
	if (!cad_strbuf_cstr(&sb))
		return CADENCE_ENOMEM;
	int rc = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : CADENCE_EIO;
	cad_strbuf_free(&sb);
	return rc;
}

int cadence_metrics_write_timings_json(cadence_metrics *m, FILE *out)
{
	strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	cad_strbuf_addc(&sb, '[');
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->ntimings; i++) {
		const mtiming *t = &m->timings[i];
		/* the key is "path/note": a note's name holds no '/' */
		const char *slash = strrchr(t->key, '/');
		size_t plen = (size_t)(slash - t->key);
		cad_strbuf_reset(&path);
		cad_strbuf_add(&path, t->key, plen);
		cad_strbuf_adds(&sb, i ? ",{\"path\":" : "{\"path\":");
		cad_rep_json_str(&sb, cad_strbuf_cstr(&path) ? path.buf : "");
		cad_strbuf_addl(&sb, ",\"note\":");
		cad_rep_json_str(&sb, slash + 1);
		cad_strbuf_addf(&sb, ",\"calls\":%u,\"failed\":%u,\"total_ms\":", t->calls,
				t->failures);
		cad_rep_add_ms(&sb, t->total_ns);
		cad_strbuf_addl(&sb, ",\"mean_ms\":");
		cad_rep_add_ms(&sb, t->total_ns / t->calls);
		cad_strbuf_addl(&sb, ",\"max_ms\":");
		cad_rep_add_ms(&sb, t->max_ns);
		cad_strbuf_addc(&sb, '}');
	}
	pthread_mutex_unlock(&m->mu);
	cad_strbuf_addc(&sb, ']');
	int lost = !cad_strbuf_cstr(&path) && m->ntimings;
	cad_strbuf_free(&path);
	if (lost || !cad_strbuf_cstr(&sb)) {
		cad_strbuf_free(&sb);
		return CADENCE_ENOMEM;
	}
	int rc = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : CADENCE_EIO;
	cad_strbuf_free(&sb);
	return rc;
}

static int write_cb(void *ctx, FILE *out)
{
	return cadence_metrics_write(ctx, out);
}

int cadence_metrics_write_file(cadence_metrics *m, const char *path, cadence_run_error *err)
{
	return cad_rep_write_file(path, "metrics", write_cb, m, err);
}
