/* SPDX-License-Identifier: MIT */
/* `cadence serve`: a run's events as Server-Sent Events (docs/serve.md,
 * "GET /runs/ID/events").  The response reads the run's growing
 * events.jsonl: each whole line is an event (`id:` the offset after it,
 * for Last-Event-ID), a comment line is sent when nothing was for a
 * while, and `event: end` closes the stream once the run ended and its
 * file is read to the end.
 *
 * A stream waits without a thread: with nothing to send, its content
 * callback suspends the connection, and the server's main thread resumes
 * every suspended stream 4 times a second (serve_streams_tick), which
 * also frees the streams whose client went away (libmicrohttpd found the
 * connection closed at a write and freed the response). */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/strbuf.h"

struct serve_stream {
	serve_stream *next;
	serve_streams *all;
	serve_runs *runs;
	struct MHD_Connection *conn;
	char id[33];
	char *path;		/* the events file */
	int fd;			/* -1 until it exists */
	uint64_t off;		/* bytes of the file sent (whole lines) */
	strbuf out;		/* bytes to send */
	size_t out_pos;
	int64_t last_send_ms;
	int suspended;		/* under all->lock */
	int ended;		/* `event: end` queued */
	atomic_int gone;	/* the response was freed: the tick frees it */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void serve_streams_init(serve_streams *ss, int64_t heartbeat_ms)
{
	memset(ss, 0, sizeof(*ss));
	pthread_mutex_init(&ss->lock, NULL);
	ss->heartbeat_ms = heartbeat_ms;
	ss->ready = 1;
}

static void stream_free(serve_stream *st)
{
	if (st->fd >= 0)
		close(st->fd);
	free(st->path);
	cad_strbuf_free(&st->out);
	free(st);
}

void serve_streams_tick(serve_streams *ss)
{
	if (!ss->ready)
		return;
	pthread_mutex_lock(&ss->lock);
	for (serve_stream **p = &ss->list; *p;) {
		serve_stream *st = *p;
		if (atomic_load(&st->gone)) {
			*p = st->next;
			ss->n--;
			stream_free(st);
			continue;
		}
		if (st->suspended) {
			/* (a suspended connection is not freed: this is safe) */
			st->suspended = 0;
			MHD_resume_connection(st->conn);
		}
		p = &st->next;
	}
	pthread_mutex_unlock(&ss->lock);
}

void serve_streams_close(serve_streams *ss)
{
	if (!ss->ready)
		return;
	pthread_mutex_lock(&ss->lock);
	ss->closing = 1;
	pthread_mutex_unlock(&ss->lock);
	serve_streams_tick(ss);
}

size_t serve_streams_open(serve_streams *ss)
{
	if (!ss->ready)
		return 0;
	size_t n = 0;
	pthread_mutex_lock(&ss->lock);
	for (serve_stream *st = ss->list; st; st = st->next)
		n += !atomic_load(&st->gone);
	pthread_mutex_unlock(&ss->lock);
	return n;
}

void serve_streams_free(serve_streams *ss)
{
	if (!ss->ready)
		return;
	/* after MHD_stop_daemon(): every response was freed */
	while (ss->list) {
		serve_stream *st = ss->list;
		ss->list = st->next;
		stream_free(st);
	}
	pthread_mutex_destroy(&ss->lock);
	ss->ready = 0;
}

/* The whole lines of the file past st->off, as events (up to 64 KiB at a
 * time).  Returns how many bytes of the file were taken. */
static size_t read_events(serve_stream *st)
{
	if (st->fd < 0)
		st->fd = open(st->path, O_RDONLY | O_CLOEXEC);
	if (st->fd < 0)
		return 0;	/* not yet: a queued run, or one starting */
	char buf[65536];
	ssize_t got;
	do
		got = pread(st->fd, buf, sizeof(buf), (off_t)st->off);
	while (got < 0 && errno == EINTR);
	size_t taken = 0;
	for (ssize_t i = 0; got > 0 && i < got;) {
		char *nl = memchr(buf + i, '\n', (size_t)(got - i));
		if (!nl)	/* a line being written: the next time */
			break;
		size_t len = (size_t)(nl - (buf + i));
		if (len)
			cad_strbuf_addf(&st->out, "id: %llu\ndata: %.*s\n\n",
					(unsigned long long)(st->off + taken + len + 1), (int)len,
					buf + i);
		taken += len + 1;
		i += (ssize_t)len + 1;
	}
	st->off += taken;
	return taken;
}

/* Whether the run has ended (or is no longer known). */
static int run_over(serve_stream *st)
{
	serve_run r;
	if (serve_runs_get(st->runs, st->id, &r))
		return 1;
	int over = r.end_ms >= 0;
	serve_run_clear(&r);
	return over;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	serve_stream *st = cls;
	(void)pos;
	for (;;) {
		if (st->out_pos < st->out.len) {
			size_t n = st->out.len - st->out_pos;
			if (n > max)
				n = max;
			memcpy(buf, st->out.buf + st->out_pos, n);
			st->out_pos += n;
			st->last_send_ms = mono_ms();
			return (ssize_t)n;
		}
		cad_strbuf_setlen(&st->out, 0);
		st->out_pos = 0;
		if (st->ended || st->out.failed)
			return MHD_CONTENT_READER_END_OF_STREAM;
		/* ended before the file is read: then nothing more comes */
		int over = run_over(st);
		if (read_events(st))
			continue;
		pthread_mutex_lock(&st->all->lock);
		int closing = st->all->closing;
		pthread_mutex_unlock(&st->all->lock);
		if (over || closing) {
			cad_strbuf_addf(&st->out, "event: end\ndata: {\"id\":\"%s\",\"ended\":%s}\n\n",
					st->id, over ? "true" : "false");
			st->ended = 1;
			continue;
		}
		if (mono_ms() - st->last_send_ms >= st->all->heartbeat_ms) {
			cad_strbuf_adds(&st->out, ": keep-alive\n\n");
			continue;
		}
		pthread_mutex_lock(&st->all->lock);
		if (st->all->closing) {
			pthread_mutex_unlock(&st->all->lock);
			continue;
		}
		st->suspended = 1;
		MHD_suspend_connection(st->conn);
		pthread_mutex_unlock(&st->all->lock);
		return 0;
	}
}

static void stream_gone(void *cls)
{
	serve_stream *st = cls;
	atomic_store(&st->gone, 1);
}

/* Last-Event-ID: the offset to go on from (0: none or not a number). */
static uint64_t last_event_id(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
	char *end;
	if (!v || *v < '0' || *v > '9')
		return 0;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	return errno || *end ? 0 : (uint64_t)n;
}

int serve_sse_wanted(struct MHD_Connection *conn)
{
	const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);
	return accept && strstr(accept, "text/event-stream") != NULL;
}

enum MHD_Result serve_sse_respond(serve_streams *ss, serve_runs *runs,
				  struct MHD_Connection *conn, const serve_run *r)
{
	serve_stream *st = calloc(1, sizeof(*st));
	strbuf path = STRBUF_INIT;
	cad_strbuf_addf(&path, "%s/events.jsonl", r->dir);
	if (!st || path.failed) {
		free(st);
		cad_strbuf_free(&path);
		return MHD_NO;
	}
	st->all = ss;
	st->runs = runs;
	st->conn = conn;
	memcpy(st->id, r->id, sizeof(st->id));
	st->path = cad_strbuf_detach(&path);
	st->fd = -1;
	st->off = last_event_id(conn);
	st->last_send_ms = mono_ms();
	atomic_init(&st->gone, 0);
	/* the first bytes at once: the client knows the stream is open */
	cad_strbuf_adds(&st->out, ": cadence run events\n\n");
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
								      stream_read, st, stream_gone);
	if (!resp) {
		stream_free(st);
		return MHD_NO;
	}
	pthread_mutex_lock(&ss->lock);
	st->next = ss->list;
	ss->list = st;
	ss->n++;
	pthread_mutex_unlock(&ss->lock);
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");	/* nginx: stream it */
	enum MHD_Result rc = MHD_queue_response(conn, 200, resp);
	/* not queued: the response is freed here, and the stream with it */
	MHD_destroy_response(resp);
	return rc;
}
