/* SPDX-License-Identifier: MIT */
/*
 * cadence/report.h - what runs report, in the formats operators' tools
 * read (docs/observability.md):
 *
 *   cadence_metrics  Prometheus text exposition (node_exporter's textfile
 *                    collector): note and cadence durations, runs, errors,
 *                    retries, circuit-breaker states
 *   cadence_trace    OpenTelemetry traces, OTLP/JSON (an OpenTelemetry
 *                    Collector's otlpjsonfile receiver reads the file)
 *   cadence_events   JSON lines, one per event, written as they happen
 *
 * and around them cadence_report_queue (the trace and the events fed off
 * the run's thread) and cadence_otlp (traces sent to a collector over
 * OTLP/HTTP).  Each reporter consumes the events of cadence/run.h: give
 * its `_on_event` function and the reporter as the hooks of a runner,
 *
 *     cadence_metrics *m;
 *     cadence_metrics_new(&m);
 *     cadence_run_hooks hooks = CADENCE_RUN_HOOKS_INIT;
 *     hooks.ctx = m;
 *     hooks.on_event = cadence_metrics_on_event;
 *     hooks.on_note = cadence_metrics_on_note;	(counters found once)
 *
 * or call several `_on_event` functions from your own callback (what
 * `cadence run --metrics --trace --events` does, the trace and the
 * events through a cadence_report_queue).  A reporter collects
 * every run it is given events of, including runs on several threads at
 * once.
 *
 * Ownership follows cadence/common.h.  Thread-safety: each reporter locks
 * itself, so its `_on_event` and `_write` functions may be called from
 * several threads at once; `_free` must not race with any other call.
 * Writing functions return 0, CADENCE_ENOMEM or CADENCE_EIO: those that
 * write to a stream leave its error indicator (ferror()) set; those that
 * write a file, and cadence_events_status(), say why in `err` (may be
 * NULL; CADENCE_EVERSION for one of an unknown version).
 */
#ifndef CADENCE_REPORT_H
#define CADENCE_REPORT_H

#include "cadence/common.h"
#include "cadence/run.h"

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Prometheus metrics ---------------------------------------------------- */

typedef struct cadence_metrics cadence_metrics;

/* An empty set of metrics, owned by the caller (cadence_metrics_free).
 * Returns 0 or CADENCE_ENOMEM.  Thread-safe. */
CADENCE_API int cadence_metrics_new(cadence_metrics **out);
/* Releases the metrics; no other call on them may be running. */
CADENCE_API void cadence_metrics_free(cadence_metrics *metrics);
/* A cadence_run_hooks.on_event: `metrics` is the cadence_metrics; the
 * event is borrowed for the call (names are copied).  Thread-safe. */
CADENCE_API void cadence_metrics_on_event(void *metrics, const cadence_event *event);
/* A cadence_run_hooks.on_note (`metrics` is the cadence_metrics): the
 * note's counters, which cadence_metrics_on_event() then finds in the
 * event's `note_data` without a lookup or a lock (a note's end costs a
 * few atomic additions).  Give both, or on_event alone; a hook that
 * calls several reporters returns this from its own on_note.  NULL when
 * out of memory (its events are then counted by name).  Thread-safe. */
CADENCE_API void *cadence_metrics_on_note(void *metrics, const char *cadence, const char *note);
/* Whether to keep the rows of cadence_metrics_write_timings() (kept
 * unless told otherwise): each note's end then also finds its row by
 * path and note, under the lock.  Thread-safe. */
CADENCE_API void cadence_metrics_keep_timings(cadence_metrics *metrics, int keep);
/* Writes every metric in the Prometheus text format (version 0.0.4) to
 * `out` (borrowed).  Thread-safe: each counter is read whole, but the
 * events being counted meanwhile may be half counted (as in any
 * scrape). */
CADENCE_API int cadence_metrics_write(cadence_metrics *metrics, FILE *out);
/* Writes the table of `cadence run --timings` to `out` (borrowed): a row
 * per note per place in the run (the event's path and the note, as
 * "path/note", in the order they first ended) with its calls, those that
 * did not end ok, and the total, mean and longest duration in
 * milliseconds, under a line of headings; nothing when no note ended.
 * Returns 0, CADENCE_ENOMEM or CADENCE_EIO.  Thread-safe. */
CADENCE_API int cadence_metrics_write_timings(cadence_metrics *metrics, FILE *out);
/* The same rows as one JSON array, without a line end (`cadence run
 * --log json --timings` puts it in a line of its own): an object per row,
 * {"path", "note", "calls", "failed", "total_ms", "mean_ms", "max_ms"};
 * "[]" when no note ended.  Returns 0, CADENCE_ENOMEM or CADENCE_EIO.
 * Thread-safe. */
CADENCE_API int cadence_metrics_write_timings_json(cadence_metrics *metrics, FILE *out);
/* The same into `path`, replaced atomically (a temporary file in the
 * same directory, renamed), a new file 0666 less the umask: what the
 * textfile collector needs.  A replaced file keeps its owner, group and
 * mode, a symbolic link its target; a device or FIFO is written in place
 * (docs/reliability.md, "Output paths").  Thread-safe. */
CADENCE_API int cadence_metrics_write_file(cadence_metrics *metrics, const char *path,
					   cadence_run_error *err);

/* ---- OpenTelemetry traces ---------------------------------------------------- */

typedef struct cadence_trace cadence_trace;

/* An empty trace recorder: each run becomes one trace (a span for the
 * cadence, one per measure, one per note attempt, a child cadence's span
 * under its child measure's).  The events' trace context is kept: the
 * trace id is cadence_event.trace_id, a note attempt's span id its
 * span_id, the root span's parent its parent_span_id (ids of 0: made
 * here).  Returns 0 or CADENCE_ENOMEM. */
CADENCE_API int cadence_trace_new(cadence_trace **out);	/* owned by the caller; thread-safe */
/* Releases the recorder; no other call on it may be running. */
CADENCE_API void cadence_trace_free(cadence_trace *trace);
/* A cadence_run_hooks.on_event (`trace` is the cadence_trace); the event
 * is borrowed for the call.  Thread-safe: runs on several threads are
 * told apart by their run ids. */
CADENCE_API void cadence_trace_on_event(void *trace, const cadence_event *event);
/* Writes the runs that have ended, one OTLP/JSON ExportTraceServiceRequest
 * per line (the otlpjsonfile receiver's format), oldest first, to `out`
 * (borrowed).  Thread-safe. */
CADENCE_API int cadence_trace_write(cadence_trace *trace, FILE *out);
/* The same into `path`, as cadence_metrics_write_file().  Thread-safe. */
CADENCE_API int cadence_trace_write_file(cadence_trace *trace, const char *path,
					 cadence_run_error *err);

/* ---- JSON-lines events ------------------------------------------------------- */

typedef struct cadence_events cadence_events;

/* Writes one JSON object per event to `stream` (borrowed; it must outlive
 * the reporter), flushed at the end of each measure and cadence.  The
 * schema is docs/events.schema.json.  Returns 0 or CADENCE_ENOMEM. */
CADENCE_API int cadence_events_new(cadence_events **out, FILE *stream);	/* thread-safe */
/* Releases the reporter (not the stream); no other call on it may be
 * running. */
CADENCE_API void cadence_events_free(cadence_events *events);
/* A cadence_run_hooks.on_event (`events` is the cadence_events): one
 * line, written whole under the reporter's lock.  Thread-safe; nothing
 * else may write to the stream meanwhile. */
CADENCE_API void cadence_events_on_event(void *events, const cadence_event *event);
/* 0 while every line was written; CADENCE_EIO after a failed write or
 * flush (err says why: the first failure); CADENCE_ENOMEM when a line
 * could not be made.  Flushes the stream first.  Thread-safe. */
CADENCE_API int cadence_events_status(cadence_events *events, cadence_run_error *err);
/* Now as the lines' "time" says it, for a program's own lines beside
 * them (`cadence run --log json`): UTC, RFC 3339 with microseconds,
 * "2026-12-01T08:17:03.123456Z" and a NUL.  Thread-safe. */
CADENCE_API void cadence_events_time(char out[32]);

/* ---- off the run's thread ----------------------------------------------------- */

typedef struct cadence_report_queue cadence_report_queue;

/* A queue and a thread that feed `trace` and `events` (either may be
 * NULL; borrowed: they must outlive the queue) off the run's thread:
 * cadence_report_queue_on_event() copies the event, its strings and the
 * time into a ring of `bytes` (0: 1 MiB; at least 4 KiB) and returns; the
 * queue's thread gives the events to the reporters in the order they
 * came, with those times, so what they write is what calling their
 * `_on_event` at once would have written.  When the ring is full, the
 * caller waits for room: no event is dropped.  (The metrics are cheaper
 * counted on the run's thread: cadence_metrics_on_note().)  Returns 0 or
 * CADENCE_ENOMEM (also when no thread can be started).  Owned by the
 * caller: cadence_report_queue_free(). */
CADENCE_API int cadence_report_queue_new(cadence_report_queue **out, cadence_trace *trace,
					 cadence_events *events, size_t bytes);
/* A cadence_run_hooks.on_event (`queue` is the cadence_report_queue); the
 * event is copied.  Thread-safe; an event longer than half the ring (a
 * long message) is handled on the caller's thread, after those before
 * it. */
CADENCE_API void cadence_report_queue_on_event(void *queue, const cadence_event *event);
/* Returns once every event queued so far has been given to the
 * reporters: call it before writing the trace or reading the events'
 * status.  Thread-safe. */
CADENCE_API void cadence_report_queue_flush(cadence_report_queue *queue);
/* Times a caller waited for room in the ring.  Thread-safe. */
CADENCE_API uint64_t cadence_report_queue_waits(cadence_report_queue *queue);
/* Hands on what is queued, stops the thread and releases the queue (not
 * the reporters); no other call on it may be running or follow. */
CADENCE_API void cadence_report_queue_free(cadence_report_queue *queue);

/* ---- Sending traces to a collector: OTLP/HTTP ----------------------------------- */

/*
 * An exporter sends the runs a cadence_trace records to an OpenTelemetry
 * collector as they end: OTLP/JSON ExportTraceServiceRequests, POSTed
 * (Content-Type: application/json) to the traces URL by a thread of its
 * own, from a bounded queue, with retries as the OTLP/HTTP specification
 * says (docs/observability.md, "Sending traces to a collector").  The
 * run never waits on the network: when the queue is full, a run's spans
 * are dropped and counted.  libcurl is loaded (dlopen) by
 * cadence_otlp_new(), not linked.
 *
 *     cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
 *     cadence_otlp *x;
 *     cadence_otlp_opts_from_env(&o, NULL, &err);     (OTEL_* variables)
 *     o.traces_endpoint = "http://127.0.0.1:4318/v1/traces";
 *     cadence_otlp_new(&x, &o, &err);
 *     cadence_trace_set_exporter(trace, x);
 *     ... runs ...
 *     cadence_otlp_shutdown(x, 5000);
 *     cadence_otlp_status(x, &stats, &err);
 *     cadence_otlp_free(x);
 *
 * Thread-safety: the exporter locks itself; the traces it is set on may
 * queue runs from any thread, and cadence_otlp_status() may be called at
 * any time.  cadence_otlp_shutdown() and cadence_otlp_free() must not race
 * with each other; no trace may queue into an exporter being freed.
 */
typedef struct cadence_otlp cadence_otlp;

typedef struct cadence_otlp_opts {
	unsigned version;	/* CADENCE_OTLP_OPTS_VERSION */
	/* The URL spans are POSTed to, used as is
	 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); NULL: `endpoint`. */
	const char *traces_endpoint;
	/* A base URL, "/v1/traces" appended (OTEL_EXPORTER_OTLP_ENDPOINT);
	 * one of the two is needed; http or https. */
	const char *endpoint;
	/* Headers of every request, "name=value,name2=value2" with
	 * percent-encoded values (OTEL_EXPORTER_OTLP_HEADERS); NULL: none. */
	const char *headers;
	int64_t timeout_ms;	/* a request, retries apart; 0: 10000 */
	size_t max_queue;	/* spans waiting to be sent; 0: 2048 */
	size_t max_batch;	/* spans per request, at most max_queue; 0: 512 */
	int64_t delay_ms;	/* a batch waits for more spans at most this; 0: 5000 */
	/* The library to load; NULL: libcurl.so.4, else libcurl-gnutls.so.4. */
	const char *libcurl;
	/* Filled by cadence_otlp_opts_from_env() for cadence_trace_set_resource();
	 * the exporter does not read them. */
	const char *service_name;	/* OTEL_SERVICE_NAME */
	const char *resource_attributes;	/* OTEL_RESOURCE_ATTRIBUTES */
} cadence_otlp_opts;

#define CADENCE_OTLP_OPTS_VERSION 1
#define CADENCE_OTLP_OPTS_INIT { CADENCE_OTLP_OPTS_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL }

/* What an exporter did; cadence_otlp_status() fills it. */
typedef struct cadence_otlp_stats {
	unsigned version;	/* CADENCE_OTLP_STATS_VERSION */
	uint64_t spans_sent;	/* accepted by the collector */
	uint64_t spans_dropped;	/* not sent: queue full, refused, given up, unsent at shutdown */
	uint64_t requests;	/* POSTs made, retries included */
	uint64_t requests_failed;	/* those not answered 2xx */
} cadence_otlp_stats;

#define CADENCE_OTLP_STATS_VERSION 1
#define CADENCE_OTLP_STATS_INIT { CADENCE_OTLP_STATS_VERSION, 0, 0, 0, 0 }

/* Fills `opts` from the OpenTelemetry variables of `envp` (NULL-terminated
 * "NAME=value"; NULL: this process's environment): the endpoints,
 * OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT (the TRACES_ ones win),
 * OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
 * OTEL_BSP_SCHEDULE_DELAY, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES;
 * an empty variable is unset.  Members whose variable is unset are left
 * as they were; strings are borrowed from envp.  Returns 0,
 * CADENCE_EVERSION, or CADENCE_EINVAL with err naming the variable (a URL
 * that is not http or https, a number that is not one, headers that do
 * not parse): members before it may have been set.  Thread-safe. */
CADENCE_API int cadence_otlp_opts_from_env(cadence_otlp_opts *opts, char *const *envp,
					   cadence_run_error *err);
/* An exporter by `opts` (copied; its strings too), its thread started.
 * Returns 0, CADENCE_EVERSION, CADENCE_EINVAL (no endpoint, a bad URL,
 * headers or sizes: err says which), CADENCE_ENOTSUP (libcurl cannot be
 * loaded: err says why and which package installs it), CADENCE_ENOMEM or
 * CADENCE_EIO (no thread). */
CADENCE_API int cadence_otlp_new(cadence_otlp **out, const cadence_otlp_opts *opts,
				 cadence_run_error *err);
/* The URL the exporter POSTs to: opts' traces_endpoint, or its endpoint
 * with /v1/traces appended.  Borrowed from the exporter. */
CADENCE_API const char *cadence_otlp_url(const cadence_otlp *otlp);
/* Sends what is queued within `timeout_ms` (retrying as before, no batch
 * delay), then drops and counts what is left, the request under way
 * included, and stops the thread: returns within about timeout_ms.
 * Runs queued later are dropped and counted.  Returns 0 when nothing was
 * dropped, else CADENCE_EIO. */
CADENCE_API int cadence_otlp_shutdown(cadence_otlp *otlp, int64_t timeout_ms);
/* Fills `stats` (may be NULL).  Returns 0 while no span was dropped, else
 * CADENCE_EIO with err (may be NULL) saying why the last one was, without
 * the URL ("HTTP 400: ...", libcurl's "Couldn't connect to server", "the
 * queue was full (OTEL_BSP_MAX_QUEUE_SIZE)"); CADENCE_EVERSION for stats
 * or err of an unknown version.
 * Thread-safe. */
CADENCE_API int cadence_otlp_status(cadence_otlp *otlp, cadence_otlp_stats *stats,
				    cadence_run_error *err);
/* Shuts the exporter down at once when it was not (cadence_otlp_shutdown()
 * with 0: what is queued is dropped) and releases it. */
CADENCE_API void cadence_otlp_free(cadence_otlp *otlp);

/* Each run `trace` records is queued into `otlp` (borrowed: it must
 * outlive the trace's use, or be unset with NULL) as it ends, in batches
 * of at most its max_batch spans; the trace file is written as before.
 * Thread-safe. */
CADENCE_API void cadence_trace_set_exporter(cadence_trace *trace, cadence_otlp *otlp);
/* The resource of the trace's spans, in the file and the exporter's
 * requests: service.name is `service_name`, else attributes' service.name,
 * else "cadence"; service.version cadence's version unless attributes
 * name one; then `attributes`, "key=value,key2=value2" with
 * percent-encoded values as OTEL_RESOURCE_ATTRIBUTES (NULL: none; a key
 * given twice: the last).  Returns 0, CADENCE_ENOMEM, or CADENCE_EINVAL
 * (err says what does not parse; the resource is left as it was).
 * Thread-safe. */
CADENCE_API int cadence_trace_set_resource(cadence_trace *trace, const char *service_name,
					   const char *attributes, cadence_run_error *err);
/* The exporter's series in what cadence_metrics_write() writes:
 * cadence_trace_spans_exported_total, cadence_trace_spans_dropped_total
 * and cadence_trace_export_failures_total (`otlp` borrowed, as above;
 * NULL: none).  Thread-safe. */
CADENCE_API void cadence_metrics_set_exporter(cadence_metrics *metrics, cadence_otlp *otlp);

#ifdef __cplusplus
}
#endif

#endif
