/* SPDX-License-Identifier: MIT */
/* The reporters off the run's thread (cadence_report_queue) and the
 * metrics counted through on_note (issue 22): the same lines and spans as
 * the reporters called at once, in order, nothing lost when the ring is
 * full (the caller waits) or at the end, a message longer than the ring,
 * several threads at once. */
#include <cadence/cadence.h>
#include <cadence/report.h>

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* An event of a note as the runner makes them; `i` numbers it. */
static cadence_event note_event(int i, const char *note, const char *message)
{
	cadence_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = i % 2 ? CADENCE_EVENT_NOTE_END : CADENCE_EVENT_NOTE_START;
	ev.cadence = "c";
	ev.path = "c";
	ev.run_id = "00000000000000aa";
	ev.measure = "m";
	ev.measure_kind = "then";
	ev.measure_index = (size_t)i / 2;
	ev.note = note;
	ev.attempt = 1;
	ev.attempts = 1;
	ev.status = CADENCE_NOTE_STATUS_OK;
	ev.duration_ns = 1000 * i;
	ev.message = message;
	return ev;
}

/* The lines of s without their "time" (the only part that differs). */
static char *untimed(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	for (const char *p = s; *p;) {
		if (!strncmp(p, "{\"time\":\"", 9)) {	/* a line's start */
			*o++ = '{';
			p = strchr(p + 9, '"') + 2;	/* past the time and its comma */
		}
		while (*p && *p != '\n')
			*o++ = *p++;
		if (*p)
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* n events of note "n" through the queue */
static void feed(cadence_report_queue *q, int n)
{
	for (int i = 0; i < n; i++) {
		cadence_event ev = note_event(i, "n", NULL);
		cadence_report_queue_on_event(q, &ev);
	}
}

static char *read_all(FILE *f)
{
	fflush(f);
	rewind(f);
	size_t cap = 1 << 16, len = 0, n;
	char *buf = malloc(cap);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	return buf;
}

Test(report_queue, same_lines_as_at_once_and_in_order)
{
	FILE *direct = tmpfile(), *queued = tmpfile();
	cadence_events *a, *b;
	cadence_report_queue *q;
	cr_assert_eq(cadence_events_new(&a, direct), 0);
	cr_assert_eq(cadence_events_new(&b, queued), 0);
	cr_assert_eq(cadence_report_queue_new(&q, NULL, b, 4096), 0);
	char msg[64];
	for (int i = 0; i < 3000; i++) {
		snprintf(msg, sizeof(msg), "line %d \"é\" \x01", i);
		cadence_event ev = note_event(i, i % 3 ? "n" : "other", i % 5 ? NULL : msg);
		cadence_events_on_event(a, &ev);
		cadence_report_queue_on_event(q, &ev);
	}
	cadence_report_queue_free(q);	/* hands on the rest: nothing is lost */
	cr_assert_eq(cadence_events_status(a, NULL), 0);
	cr_assert_eq(cadence_events_status(b, NULL), 0);
	char *x = read_all(direct), *y = read_all(queued);
	char *ux = untimed(x), *uy = untimed(y);
	cr_assert_gt(strlen(ux), 3000 * 100);
	cr_assert_str_eq(ux, uy);
	free(x), free(y), free(ux), free(uy);
	cadence_events_free(a);
	cadence_events_free(b);
	fclose(direct);
	fclose(queued);
}

/* The events reporter keeps the queue's lines for a write per batch: a
 * flush of the queue must leave none kept (a reader following the file
 * sees them), and neither may the run's end. */
Test(report_queue, a_flush_leaves_no_line_kept)
{
	FILE *f = tmpfile();
	cadence_events *e;
	cadence_report_queue *q;
	cr_assert_eq(cadence_events_new(&e, f), 0);
	cr_assert_eq(cadence_report_queue_new(&q, NULL, e, 0), 0);
	feed(q, 10);
	cadence_report_queue_flush(q);
	char *s = read_all(f);
	size_t lines = 0;
	for (const char *p = s; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 10, "%zu lines after the flush:\n%s", lines, s);
	free(s);
	cadence_report_queue_free(q);
	cadence_events_free(e);
	fclose(f);
}

/* A stream no one reads for a while: the writer thread blocks on it, the
 * ring fills, and the caller must wait (not drop) until the reader comes. */
typedef struct late_reader {
	int fd;
	size_t bytes, lines;
} late_reader;

static void *read_late(void *arg)
{
	late_reader *r = arg;
	char buf[4096];
	ssize_t n;
	struct timespec late = { 0, 200 * 1000 * 1000 };
	nanosleep(&late, NULL);
	while ((n = read(r->fd, buf, sizeof(buf))) > 0) {
		r->bytes += (size_t)n;
		for (ssize_t i = 0; i < n; i++)
			r->lines += buf[i] == '\n';
	}
	return NULL;
}

Test(report_queue, a_full_ring_makes_the_caller_wait_and_loses_nothing)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	FILE *w = fdopen(fds[1], "w");
	late_reader r = { fds[0], 0, 0 };
	pthread_t t;
	pthread_create(&t, NULL, read_late, &r);
	cadence_events *e;
	cadence_report_queue *q;
	cr_assert_eq(cadence_events_new(&e, w), 0);
	cr_assert_eq(cadence_report_queue_new(&q, NULL, e, 4096), 0);
	/* about 250 bytes a line: far more than the pipe and the ring hold */
	feed(q, 2000);
	cadence_report_queue_flush(q);
	cr_assert_gt(cadence_report_queue_waits(q), 0, "the ring never filled: the test proves nothing");
	cadence_report_queue_free(q);
	cr_assert_eq(cadence_events_status(e, NULL), 0);
	cadence_events_free(e);
	fclose(w);
	pthread_join(t, NULL);
	close(fds[0]);
	cr_assert_eq(r.lines, 2000);
}

Test(report_queue, a_message_longer_than_the_ring_comes_in_its_place)
{
	FILE *f = tmpfile();
	cadence_events *e;
	cadence_report_queue *q;
	cr_assert_eq(cadence_events_new(&e, f), 0);
	cr_assert_eq(cadence_report_queue_new(&q, NULL, e, 4096), 0);
	char *big = malloc(20000);
	memset(big, 'x', 19999);
	big[19999] = '\0';
	for (int i = 0; i < 30; i++) {
		cadence_event ev = note_event(i, "n", i == 17 ? big : NULL);
		cadence_report_queue_on_event(q, &ev);
	}
	cadence_report_queue_free(q);
	char *s = read_all(f);
	/* line 18 (index 17) holds it, whole */
	const char *line = s;
	for (int i = 0; i < 17; i++)
		line = strchr(line, '\n') + 1;
	cr_assert(strstr(line, "\"measure_index\":8,") && strstr(line, big) &&
		  strstr(line, big) < strchr(line, '\n'));
	size_t lines = 0;
	for (const char *p = s; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 30);
	free(s);
	free(big);
	cadence_events_free(e);
	fclose(f);
}

typedef struct producer {
	cadence_report_queue *q;
	char note[16];
} producer;

static void *produce(void *arg)
{
	producer *p = arg;
	for (int i = 0; i < 1000; i++) {
		cadence_event ev = note_event(i, p->note, NULL);
		cadence_report_queue_on_event(p->q, &ev);
	}
	return NULL;
}

Test(report_queue, several_threads_each_in_its_order)
{
	FILE *f = tmpfile();
	cadence_events *e;
	cadence_report_queue *q;
	cr_assert_eq(cadence_events_new(&e, f), 0);
	cr_assert_eq(cadence_report_queue_new(&q, NULL, e, 8192), 0);
	producer p[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		p[i].q = q;
		snprintf(p[i].note, sizeof(p[i].note), "n%d", i);
		pthread_create(&t[i], NULL, produce, &p[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	cadence_report_queue_flush(q);
	char *s = read_all(f);
	long next[4] = { 0, 0, 0, 0 };
	size_t lines = 0;
	for (char *line = s, *nl; (nl = strchr(line, '\n')); line = nl + 1, lines++) {
		*nl = '\0';
		const char *n = strstr(line, "\"note\":\"n");
		cr_assert_not_null(n, "%s", line);
		int who = n[9] - '0';
		long index = strtol(strstr(line, "\"measure_index\":") + 16, NULL, 10);
		cr_assert_eq(index, next[who] / 2, "thread %d: %s", who, line);
		next[who]++;
	}
	cr_assert_eq(lines, 4000);
	free(s);
	cadence_report_queue_free(q);
	cadence_events_free(e);
	fclose(f);
}

Test(report_queue, the_trace_through_the_queue)
{
	cadence_trace *direct, *queued;
	cadence_report_queue *q;
	cr_assert_eq(cadence_trace_new(&direct), 0);
	cr_assert_eq(cadence_trace_new(&queued), 0);
	cr_assert_eq(cadence_report_queue_new(&q, queued, NULL, 0), 0);
	cadence_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.cadence = ev.path = "c";
	ev.run_id = "00000000000000bb";
	ev.kind = CADENCE_EVENT_CADENCE_START;
	cadence_trace_on_event(direct, &ev);
	cadence_report_queue_on_event(q, &ev);
	for (int i = 0; i < 10; i++) {
		cadence_event n = note_event(i, "n", NULL);
		n.run_id = ev.run_id;
		n.kind = i % 2 ? CADENCE_EVENT_MEASURE_END : CADENCE_EVENT_MEASURE_START;
		cadence_trace_on_event(direct, &n);
		cadence_report_queue_on_event(q, &n);
	}
	ev.kind = CADENCE_EVENT_CADENCE_END;
	cadence_trace_on_event(direct, &ev);
	cadence_report_queue_on_event(q, &ev);
	cadence_report_queue_flush(q);
	FILE *a = tmpfile(), *b = tmpfile();
	cr_assert_eq(cadence_trace_write(direct, a), 0);
	cr_assert_eq(cadence_trace_write(queued, b), 0);
	char *x = read_all(a), *y = read_all(b);
	/* 6 spans each; ids and times differ, the rest not */
	size_t nx = 0, ny = 0;
	for (const char *p = x; (p = strstr(p, "\"spanId\"")); p++)
		nx++;
	for (const char *p = y; (p = strstr(p, "\"spanId\"")); p++)
		ny++;
	cr_assert_eq(nx, 6);
	cr_assert_eq(ny, 6);
	cr_assert_eq(strlen(x), strlen(y));
	free(x), free(y);
	fclose(a), fclose(b);
	cadence_report_queue_free(q);
	cadence_trace_free(direct);
	cadence_trace_free(queued);
}

/* ---- metrics through on_note ------------------------------------------------- */

static void *count_many(void *arg)
{
	void **args = arg;
	cadence_metrics *m = args[0];
	void *slot = args[1];
	for (int i = 0; i < 10000; i++) {
		cadence_event ev = note_event(1, "n", NULL);
		ev.note_data = slot;
		cadence_metrics_on_event(m, &ev);
	}
	return NULL;
}

Test(report_queue, metrics_through_on_note_count_every_event)
{
	cadence_metrics *m, *other;
	cr_assert_eq(cadence_metrics_new(&m), 0);
	cr_assert_eq(cadence_metrics_new(&other), 0);
	void *slot = cadence_metrics_on_note(m, "c", "n");
	cr_assert_not_null(slot);
	cr_assert_eq(cadence_metrics_on_note(m, "c", "n"), slot, "one slot per note");
	void *args[2] = { m, slot };
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, count_many, args);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	/* another metrics' slot is not taken for its own: counted by name */
	void *args2[2] = { other, slot };
	count_many(args2);
	FILE *f = tmpfile();
	cr_assert_eq(cadence_metrics_write(m, f), 0);
	char *s = read_all(f);
	cr_assert(strstr(s, "cadence_note_runs_total{cadence=\"c\",note=\"n\",status=\"ok\"} 40000\n"), "%s", s);
	cr_assert(strstr(s, "cadence_note_duration_seconds_count{cadence=\"c\",note=\"n\"} 40000\n"));
	free(s);
	fclose(f);
	f = tmpfile();
	cr_assert_eq(cadence_metrics_write(other, f), 0);
	s = read_all(f);
	cr_assert(strstr(s, "cadence_note_runs_total{cadence=\"c\",note=\"n\",status=\"ok\"} 10000\n"), "%s", s);
	free(s);
	fclose(f);
	cadence_metrics_free(m);
	cadence_metrics_free(other);
}

Test(report_queue, a_note_that_never_ran_is_not_written)
{
	cadence_metrics *m;
	cr_assert_eq(cadence_metrics_new(&m), 0);
	void *later = cadence_metrics_on_note(m, "c", "first_prepared");
	void *ran = cadence_metrics_on_note(m, "c", "ran");
	void *never = cadence_metrics_on_note(m, "c", "never");
	(void)never;
	cadence_event ev = note_event(1, "ran", NULL);
	ev.note_data = ran;
	cadence_metrics_on_event(m, &ev);
	ev.note = "first_prepared";
	ev.note_data = later;
	cadence_metrics_on_event(m, &ev);
	FILE *f = tmpfile();
	cr_assert_eq(cadence_metrics_write(m, f), 0);
	char *s = read_all(f);
	cr_assert_null(strstr(s, "never"), "%s", s);
	/* in the order their first events came, as the series always were */
	cr_assert_lt(strstr(s, "note=\"ran\""), strstr(s, "note=\"first_prepared\""));
	free(s);
	fclose(f);
	cadence_metrics_free(m);
}
