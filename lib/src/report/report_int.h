/* SPDX-License-Identifier: MIT */
/* What the reporters share: JSON strings, the wall clock, atomic files, a
 * table of interned strings. */
#ifndef CADENCE_SRC_REPORT_REPORT_INT_H
#define CADENCE_SRC_REPORT_REPORT_INT_H

#include "cadence/common.h"
#include "cadence/report.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <stdint.h>
#include <stdio.h>

/* cadence_task_outcome as words: "ok", "failed", "skipped", "cancelled". */
extern const char *const cad_task_outcomes[4];

/* The status of a cadence's or a measure's end, from its error code: 0
 * "ok", 1 "failed", 2 "cancelled", 3 "stopped" (its precheck); the index
 * into cad_end_statuses. */
extern const char *const cad_end_statuses[4];
int cad_end_status(int code);

/* Appends s as a JSON string, quotes included. */
void cad_rep_json_str(strbuf *sb, const char *s);
/* Numbers without printf (the reporters write many): decimal, 16 hex
 * digits, and a duration in ns as milliseconds with 3 decimals. */
void cad_rep_add_hex16(strbuf *sb, uint64_t v);
void cad_rep_add_ms(strbuf *sb, int64_t ns);
/* Nanoseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t cad_rep_wall_ns(void);
/* "2026-12-01T08:17:03.123456Z"; `cache` (zeroed at first) keeps the
 * formatted second, so that events of one second cost no strftime. */
typedef struct rep_time_cache {
	int64_t sec;
	char prefix[24];	/* "2026-12-01T08:17:03" */
	size_t len;		/* of prefix */
	int valid;
} rep_time_cache;
void cad_rep_rfc3339(int64_t unix_ns, char out[32], rep_time_cache *cache);
/* Writes what write(ctx, stream) produces into `path` by the output-path
 * policy (util/afile.h: atomically; a new file 0666 less the umask);
 * `what` ("metrics") names it in messages.  Returns 0, CADENCE_ENOMEM or
 * CADENCE_EIO, with the reason in err (may be NULL), or CADENCE_EVERSION
 * for an err of an unknown version. */
int cad_rep_write_file(const char *path, const char *what, int (*write)(void *ctx, FILE *out),
		       void *ctx, cadence_run_error *err);

/* The reporters' on_event with the time of the event (wall clock, ns),
 * as the report queue gives it from the run's thread.  With `keep`, the
 * events reporter keeps the line (up to EVENTS_BATCH bytes, or to a flush
 * point) until cad_events_write_kept(): a write per batch of the queue,
 * not per line. */
void cad_trace_event_at(cadence_trace *trace, const cadence_event *ev, int64_t wall_ns);
void cad_events_event_at(cadence_events *events, const cadence_event *ev, int64_t wall_ns,
			 int keep);
void cad_events_write_kept(cadence_events *events);
/* Forgets the keys of the lines before: the next line is made as a new
 * reporter's would be (for the fuzz target, which compares the two). */
void cad_events_forget(cadence_events *events);
/* Hands on what the queue holds, then feeds other reporters: for the fuzz
 * target, whose inputs would each start a thread (a millisecond under
 * AddressSanitizer) with a queue of their own. */
void cad_report_queue_set(cadence_report_queue *q, cadence_trace *trace, cadence_events *events);

/* Interned strings: one owned copy per distinct text, found by content
 * (the keys of the map are the copies).  Zeroes: an empty table. */
typedef struct rep_intern {
	strmap map;
} rep_intern;

/* The interned copy of s (NULL stays NULL); NULL when out of memory. */
const char *cad_rep_intern_get(rep_intern *t, const char *s);
/* The same for s[0, len), which may hold NULs: the copy is NUL-terminated. */
const char *cad_rep_intern_getn(rep_intern *t, const char *s, size_t len);
void cad_rep_intern_free(rep_intern *t);

#endif
