/* SPDX-License-Identifier: MIT */
/* The reporters off the run's thread (cadence/report.h,
 * docs/observability.md "Cost"): the run's thread copies each event, its
 * strings and the time into a ring of bytes; a thread of the queue's own
 * gives them, in order and with those times, to the trace and the events
 * reporters, which format and write them.  A full ring makes the run's
 * thread wait for room: nothing is dropped. */
#include "report/report_int.h"
#include "util/sat.h"

#include <cadence/report.h>

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_BYTES ((size_t)1 << 20)
#define MIN_BYTES ((size_t)4096)
/* The writer takes what the ring holds this often, or sooner when an
 * eighth of it is used, a flush asks or the run ends: between those the
 * run's thread signals no one (a system call) and takes the lock alone. */
#define POLL_NS 20000000

/* The event's strings, in the order they follow a record's header. */
static const size_t str_at[] = {
	offsetof(cadence_event, cadence), offsetof(cadence_event, path),
	offsetof(cadence_event, measure), offsetof(cadence_event, measure_kind),
	offsetof(cadence_event, note), offsetof(cadence_event, message),
	offsetof(cadence_event, run_id), offsetof(cadence_event, error_type),
	offsetof(cadence_event, field), offsetof(cadence_event, task),
	offsetof(cadence_event, branch),
};
#define NSTR (sizeof(str_at) / sizeof(str_at[0]))
#define NO_STR UINT32_MAX

/* An event as the trace and events reporters read it (the fields of
 * cadence_event they use, 136 bytes where the whole struct is twice
 * that: the ring is written by one core and read by another, and its
 * bytes are what they pass each other); its strings follow, each ended
 * by a NUL.  A field the reporters come to read is added here too. */
typedef struct qrec {
	uint32_t size;		/* of the record, a multiple of 8; 0: skip to the ring's start */
	int32_t kind, status, previous;
	uint32_t depth, attempt, attempts;
	uint32_t len[NSTR];	/* NO_STR: NULL */
	int64_t time;		/* wall clock, ns */
	int64_t duration_ns, delay_ms;
	uint64_t measure_index;
	uint64_t trace_id[2], span_id, parent_span_id;
} qrec;

struct cadence_report_queue {
	pthread_mutex_t mu;
	pthread_cond_t work;	/* the writer waits for events */
	pthread_cond_t room;	/* the run's threads wait for room */
	pthread_cond_t done;	/* flushes wait for the writer */
	unsigned char *ring;
	size_t cap;
	size_t head, tail;	/* offsets in the ring; head == tail: empty */
	size_t used;		/* bytes from tail to head, skips included */
	uint64_t pushed, handled;	/* records */
	uint64_t waits;		/* times a run's thread waited for room */
	int writer_idle;	/* the writer waits on `work` */
	int urgent;		/* take what there is now: a flush, a run's end */
	int stop;
	cadence_trace *trace;
	cadence_events *events;
	pthread_t thread;
};

static const char **str_field(cadence_event *ev, size_t i)
{
	return (const char **)((char *)ev + str_at[i]);
}

static size_t round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Gives the record at `at` to the reporters. */
static void deliver(cadence_trace *trace, cadence_events *events, const unsigned char *at)
{
	const qrec *rec = (const qrec *)at;
	cadence_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = (cadence_event_kind)rec->kind;
	ev.status = rec->status;
	ev.previous = rec->previous;
	ev.depth = rec->depth;
	ev.attempt = rec->attempt;
	ev.attempts = rec->attempts;
	ev.duration_ns = rec->duration_ns;
	ev.delay_ms = rec->delay_ms;
	ev.measure_index = (size_t)rec->measure_index;
	memcpy(ev.trace_id, rec->trace_id, sizeof(ev.trace_id));
	ev.span_id = rec->span_id;
	ev.parent_span_id = rec->parent_span_id;
	const char *text = (const char *)(rec + 1);
	for (size_t i = 0; i < NSTR; i++) {
		*str_field(&ev, i) = rec->len[i] == NO_STR ? NULL : text;
		text += rec->len[i] == NO_STR ? 0 : rec->len[i] + 1;
	}
	if (trace)
		cad_trace_event_at(trace, &ev, rec->time);
	if (events)
		cad_events_event_at(events, &ev, rec->time, 1);
}

/* The records from tail to head, handled outside the lock: the run's
 * threads write only past head, and the writer alone moves tail. */
static void *writer(void *arg)
{
	cadence_report_queue *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		/* a batch at a time: a writer that took each record as it came
		 * would take the lock as often as the run's thread, and each
		 * of them would wake the other (a system call per event) */
		while (q->used < q->cap / 8 && !q->stop && !q->urgent) {
			struct timespec until = cad_sat_realtime_after(POLL_NS);
			q->writer_idle = 1;
			int timed_out = pthread_cond_timedwait(&q->work, &q->mu, &until) != 0;
			q->writer_idle = 0;
			if (timed_out && q->used)
				break;	/* a few events, waiting: on with them */
		}
		q->urgent = 0;
		if (!q->used && q->stop)
			break;
		/* nothing of *q read meanwhile: its lines are the run's
		 * thread's, which writes them for every event */
		size_t tail = q->tail, used = q->used, n = 0, cap = q->cap;
		const unsigned char *ring = q->ring;
		cadence_trace *trace = q->trace;
		cadence_events *events = q->events;
		pthread_mutex_unlock(&q->mu);
		for (size_t left = used; left;) {
			const qrec *rec = (const qrec *)(ring + tail);
			size_t size = rec->size ? rec->size : cap - tail;
			if (rec->size) {
				deliver(trace, events, ring + tail);
				n++;
			}
			tail = (tail + size) % cap;
			left -= size;
		}
		if (events && n)	/* a write per batch; none of a reporter set since */
			cad_events_write_kept(events);
		pthread_mutex_lock(&q->mu);
		q->tail = tail;
		q->used -= used;
		q->handled += n;
		pthread_cond_broadcast(&q->room);
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* The queue's memory and locks (its thread ended or never started). */
static void release(cadence_report_queue *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->done);
	free(q->ring);
	free(q);
}

int cadence_report_queue_new(cadence_report_queue **out, cadence_trace *trace,
			     cadence_events *events, size_t bytes)
{
	cadence_report_queue *q = calloc(1, sizeof(*q));
	*out = NULL;
	if (!q)
		return CADENCE_ENOMEM;
	q->cap = bytes ? round8(bytes < MIN_BYTES ? MIN_BYTES : bytes) : DEFAULT_BYTES;
	q->trace = trace;
	q->events = events;
	if (!(q->ring = malloc(q->cap))) {
		free(q);
		return CADENCE_ENOMEM;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->room, NULL);
	pthread_cond_init(&q->done, NULL);
	if (pthread_create(&q->thread, NULL, writer, q)) {
		release(q);
		return CADENCE_ENOMEM;
	}
	*out = q;
	return 0;
}

/* Waits, holding the lock when it returns, until the writer has handled
 * every record: the ring is then empty, and stays so while the lock is
 * held. */
static void drain(cadence_report_queue *q)
{
	while (q->handled < q->pushed) {
		q->urgent = 1;	/* again after each batch: more may have come */
		pthread_cond_signal(&q->work);
		pthread_cond_wait(&q->done, &q->mu);
	}
}

void cadence_report_queue_flush(cadence_report_queue *q)
{
	pthread_mutex_lock(&q->mu);
	drain(q);
	pthread_mutex_unlock(&q->mu);
}

void cadence_report_queue_free(cadence_report_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	release(q);
}

void cad_report_queue_set(cadence_report_queue *q, cadence_trace *trace, cadence_events *events)
{
	pthread_mutex_lock(&q->mu);
	drain(q);	/* the writer is idle until the lock is let go */
	q->trace = trace;
	q->events = events;
	pthread_mutex_unlock(&q->mu);
}

uint64_t cadence_report_queue_waits(cadence_report_queue *q)
{
	pthread_mutex_lock(&q->mu);
	uint64_t n = q->waits;
	pthread_mutex_unlock(&q->mu);
	return n;
}

/* Room for `size` contiguous bytes at head (a skip record first when the
 * ring's end is too short); waits while the ring is too full.  Returns
 * where the record goes. */
static unsigned char *reserve(cadence_report_queue *q, size_t size)
{
	for (;;) {
		size_t skip = q->cap - q->head < size ? q->cap - q->head : 0;
		if (q->used + skip + size <= q->cap) {
			if (skip) {
				((qrec *)(q->ring + q->head))->size = 0;
				q->used += skip;
				q->head = 0;
			}
			return q->ring + q->head;
		}
		q->waits++;
		q->urgent = 1;
		pthread_cond_signal(&q->work);
		pthread_cond_wait(&q->room, &q->mu);
	}
}

void cadence_report_queue_on_event(void *ctx, const cadence_event *ev)
{
	cadence_report_queue *q = ctx;
	uint32_t len[NSTR];
	size_t size = sizeof(qrec);
	for (size_t i = 0; i < NSTR; i++) {
		const char *s = *str_field((cadence_event *)ev, i);
		size_t n = s ? strlen(s) : 0;
		len[i] = s && n < NO_STR ? (uint32_t)n : NO_STR;
		size += len[i] == NO_STR ? 0 : n + 1;
	}
	size = round8(size);
	pthread_mutex_lock(&q->mu);
	if (size > q->cap / 2) {
		/* a message longer than half the ring: handled here, in its
		 * place, once the events before it are */
		drain(q);
		int64_t now = cad_rep_wall_ns();
		if (q->trace)
			cad_trace_event_at(q->trace, ev, now);
		if (q->events)	/* written at once: nothing is kept after a drain */
			cad_events_event_at(q->events, ev, now, 0);
		pthread_mutex_unlock(&q->mu);
		return;
	}
	qrec *rec = (qrec *)reserve(q, size);
	int64_t now = cad_rep_wall_ns();	/* under the lock: times in the order of the lines */
	rec->size = (uint32_t)size;
	memcpy(rec->len, len, sizeof(len));
	rec->time = now;
	rec->kind = (int32_t)ev->kind;
	rec->status = ev->status;
	rec->previous = ev->previous;
	rec->depth = ev->depth;
	rec->attempt = ev->attempt;
	rec->attempts = ev->attempts;
	rec->duration_ns = ev->duration_ns;
	rec->delay_ms = ev->delay_ms;
	rec->measure_index = ev->measure_index;
	memcpy(rec->trace_id, ev->trace_id, sizeof(rec->trace_id));
	rec->span_id = ev->span_id;
	rec->parent_span_id = ev->parent_span_id;
	char *text = (char *)(rec + 1);
	for (size_t i = 0; i < NSTR; i++)
		if (len[i] != NO_STR) {
			memcpy(text, *str_field((cadence_event *)ev, i), len[i] + 1);
			text += len[i] + 1;
		}
	q->head = (q->head + size) % q->cap;
	q->used += size;
	q->pushed++;
	if (ev->kind == CADENCE_EVENT_CADENCE_END && !ev->depth)
		q->urgent = 1;	/* the run's end: written without waiting */
	if (q->writer_idle && (q->used >= q->cap / 8 || q->urgent)) {
		q->writer_idle = 0;	/* one signal: the writer may take a while to wake */
		pthread_cond_signal(&q->work);
	}
	pthread_mutex_unlock(&q->mu);
}
