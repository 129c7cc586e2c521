/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the reporters of cadence/report.h (Prometheus metrics,
 * OTLP/JSON traces, JSON-lines events) on any sequence of events a hook
 * can pass: events out of order, ends without starts, several runs at
 * once, odd statuses, and strings of any bytes.  Whatever they are given,
 * the events and the trace are lines of UTF-8 JSON objects and the metrics
 * lines of the text exposition format, in UTF-8.
 *
 * The input is a list of events (up to 16), one per line: a kind byte, a
 * status byte, a depth/attempt byte, then up to eight strings split by '|':
 * cadence, path, measure, note, message, run id, field and task (empty:
 * the run id "r", the task "t" where a task event needs one, the others
 * NULL where the event may lack them).
 *
 * The events and the trace are also fed through a report queue with a
 * ring of the smallest size (records wrap, long messages skip it): its
 * events must be the lines of the reporter called at once, but for their
 * times, and so must those of a reporter that forgets, before each
 * event, the keys of the lines before it.  Metrics take some events
 * through on_note's slot, others by name.
 */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include "cadence/report.h"
#include "report/report_int.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>
#include <string.h>

/* Enough for every ordering bug of a few spans; more only makes each
 * input slower (the checks below read every byte written). */
#define MAX_EVENTS 16

/* The checks are the harness's, not code under test: without coverage
 * instrumentation, they do not slow the fuzzer down. */
#if defined(__clang__)
#define NOT_FUZZED __attribute__((no_sanitize("coverage")))
#else
#define NOT_FUZZED
#endif
#define NSTR 8

static const char *const measure_kinds[] = { "then", "sync", "split", "sequence", "child" };
static const char *const error_types[] = { "timeout", "exit_status", "output", "breaker_open", "x\xff" };

/* Each line of text[0..len) is a UTF-8 JSON object. */
NOT_FUZZED static void assert_json_lines(const char *text, size_t len)
{
	FUZZ_ASSERT(cad_utf8_valid_prefix(text, len) == len);
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		FUZZ_ASSERT(nl != NULL);	/* every line ends */
		cJSON *o = cJSON_ParseWithLength(text + at, (size_t)(nl - (text + at)));
		FUZZ_ASSERT(cJSON_IsObject(o));
		cJSON_Delete(o);
		at = (size_t)(nl - text) + 1;
	}
}

/* Each line is a comment or `name{label="value",...} number`. */
NOT_FUZZED static void assert_metrics(const char *text, size_t len)
{
	FUZZ_ASSERT(cad_utf8_valid_prefix(text, len) == len);
	for (size_t at = 0; at < len;) {
		const char *line = text + at, *nl = memchr(line, '\n', len - at);
		FUZZ_ASSERT(nl != NULL);
		at = (size_t)(nl - text) + 1;
		if (line[0] == '#')
			continue;
		const char *p = line;
		while (p < nl && (*p == '_' || (*p >= 'a' && *p <= 'z')))
			p++;
		FUZZ_ASSERT(p > line);
		if (*p == '{') {
			for (p++; p < nl && *p != '}';) {
				while (p < nl && *p != '=')
					p++;
				FUZZ_ASSERT(p + 1 < nl && p[1] == '"');
				for (p += 2; p < nl && *p != '"'; p++)
					if (*p == '\\')
						p++;
				FUZZ_ASSERT(p < nl);
				p++;
				if (*p == ',')
					p++;
			}
			FUZZ_ASSERT(p < nl && *p == '}');
			p++;
		}
		FUZZ_ASSERT(*p == ' ' && p + 1 < nl);
		for (p++; p < nl; p++)
			FUZZ_ASSERT((*p >= '0' && *p <= '9') || strchr(".eE+-", *p) || *p == 'I' ||
				    *p == 'n' || *p == 'f' || *p == 'N' || *p == 'a');
	}
}

/* The caller owns the pointer open_memstream() fills: with a local of this
 * function's, GCC 12 at -O3 takes the text for a pointer to that local once
 * the function is inlined (-Wdangling-pointer). */
static void written(int (*write)(void *, FILE *), void *reporter, char **text, size_t *len)
{
	*text = NULL;
	FILE *mem = open_memstream(text, len);
	FUZZ_ASSERT(mem != NULL);
	FUZZ_ASSERT(write(reporter, mem) == 0);
	FUZZ_ASSERT(fclose(mem) == 0);
}

/* The lines without their "time" value, which differs between the
 * queued reporter and the one called at once. */
NOT_FUZZED static void untime(char *text, size_t *len)
{
	size_t o = 0;
	for (size_t i = 0; i < *len;) {
		if (!strncmp(text + i, "{\"time\":\"", 9)) {
			const char *q = memchr(text + i + 9, '"', *len - i - 9);
			FUZZ_ASSERT(q != NULL);
			i = (size_t)(q - text) + 1;
			text[o++] = '{';
			continue;
		}
		text[o++] = text[i++];
	}
	*len = o;
}

static int write_metrics(void *m, FILE *out) { return cadence_metrics_write(m, out); }
static int write_trace(void *t, FILE *out) { return cadence_trace_write(t, out); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the events' strings point into a copy, each NUL-terminated */
	char *copy = malloc(size + 1);
	FUZZ_ASSERT(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';

	char *evtext = NULL, *qtext = NULL, *ftext = NULL;
	size_t evlen = 0, qlen = 0, flen = 0;
	FILE *evout = open_memstream(&evtext, &evlen), *qout = open_memstream(&qtext, &qlen);
	FILE *fout = open_memstream(&ftext, &flen);
	cadence_metrics *m;
	cadence_trace *t, *qt;
	cadence_events *e, *qe, *fe;
	FUZZ_ASSERT(evout != NULL && qout != NULL && fout != NULL);
	FUZZ_ASSERT(cadence_metrics_new(&m) == 0 && cadence_trace_new(&t) == 0 &&
		    cadence_events_new(&e, evout) == 0 && cadence_trace_new(&qt) == 0 &&
		    cadence_events_new(&qe, qout) == 0 && cadence_events_new(&fe, fout) == 0);
	/* one queue for the process (its thread would cost more than the
	 * input), fed to this input's reporters */
	static cadence_report_queue *q;
	FUZZ_ASSERT(q || cadence_report_queue_new(&q, NULL, NULL, 1) == 0);
	cad_report_queue_set(q, qt, qe);

	char *line = copy, *end = copy + size;
	for (int n = 0; n < MAX_EVENTS && line + 3 <= end; n++) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		*nl = '\0';
		unsigned char kind = (unsigned char)line[0], st = (unsigned char)line[1],
			      dep = (unsigned char)line[2];
		char *str[NSTR] = { NULL };
		char *p = line + 3;
		for (int i = 0; i < NSTR && p <= nl; i++) {
			char *bar = memchr(p, '|', (size_t)(nl - p));
			str[i] = p;
			if (!bar)
				break;
			*bar = '\0';
			p = bar + 1;
		}
		for (int i = 0; i < NSTR; i++)
			if (str[i] && !str[i][0])
				str[i] = NULL;

		cadence_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.kind = (cadence_event_kind)(kind % (CADENCE_EVENT_TASK_SKIPPED + 1));
		/* mostly the statuses the kinds document, sometimes any */
		static const int statuses[] = { 0, 1, 2, 3, 4, 5, -1, CADENCE_ECANCELED,
						CADENCE_EFAILED };
		ev.status = st < 0xf0 ? statuses[st % 9] : (int)(signed char)st;
		ev.previous = (int)(dep % 4) - 1;
		ev.depth = dep & 0x80 ? dep % 70 : dep % 3;
		ev.attempt = 1 + dep % 5;
		ev.attempts = ev.attempt + st % 3;
		ev.cadence = str[0] ? str[0] : "c";
		ev.path = str[1] ? str[1] : ev.cadence;
		ev.measure = str[2];
		ev.note = str[3];
		ev.message = str[4];
		ev.run_id = str[5] ? str[5] : "r";
		ev.field = str[6];
		ev.duration_ns = (int64_t)st * 1000003 - 5;
		ev.delay_ms = (int64_t)dep - 3;
		if (ev.kind != CADENCE_EVENT_CADENCE_START && ev.kind != CADENCE_EVENT_CADENCE_END) {
			/* measure and note events name their measure (and note) */
			ev.measure = ev.measure ? ev.measure : "m";
			ev.measure_kind = measure_kinds[st % 5];
			ev.measure_index = dep % 4;
			ev.measure_count = 1 + dep % 6;
			if (ev.kind != CADENCE_EVENT_MEASURE_START && ev.kind != CADENCE_EVENT_MEASURE_END &&
			    ev.kind != CADENCE_EVENT_ERROR)
				ev.note = ev.note ? ev.note : "n";
		}
		/* a dag's task: its events, and some of its note's */
		if (ev.kind >= CADENCE_EVENT_TASK_START || (ev.note && dep & 0x40))
			ev.task = str[7] ? str[7] : "t";
		if (ev.kind == CADENCE_EVENT_NOTE_END && ev.status)
			ev.error_type = error_types[dep % 5];
		if (ev.note && dep & 0x20)	/* as a runner with on_note gives it */
			ev.note_data = cadence_metrics_on_note(m, ev.cadence, ev.note);
		cadence_metrics_on_event(m, &ev);
		cadence_trace_on_event(t, &ev);
		cadence_events_on_event(e, &ev);
		cadence_report_queue_on_event(q, &ev);
		cad_events_forget(fe);	/* nothing remembered from other lines */
		cadence_events_on_event(fe, &ev);
		line = nl + 1;
	}
	cad_report_queue_set(q, NULL, NULL);

	FUZZ_ASSERT(cadence_events_status(e, NULL) == 0 && cadence_events_status(qe, NULL) == 0 &&
		    cadence_events_status(fe, NULL) == 0);
	cadence_events_free(e);
	cadence_events_free(qe);
	cadence_events_free(fe);
	FUZZ_ASSERT(fclose(evout) == 0 && fclose(qout) == 0 && fclose(fout) == 0);
	assert_json_lines(evtext, evlen);
	untime(evtext, &evlen);
	untime(qtext, &qlen);
	untime(ftext, &flen);
	FUZZ_ASSERT(evlen == qlen && !memcmp(evtext, qtext, evlen));
	FUZZ_ASSERT(evlen == flen && !memcmp(evtext, ftext, evlen));
	free(evtext);
	free(qtext);
	free(ftext);

	size_t len;
	char *text;
	written(write_trace, t, &text, &len);
	assert_json_lines(text, len);
	free(text);
	written(write_trace, qt, &text, &len);
	assert_json_lines(text, len);
	free(text);
	written(write_metrics, m, &text, &len);
	assert_metrics(text, len);
	free(text);

	cadence_trace_free(t);
	cadence_trace_free(qt);
	cadence_metrics_free(m);
	free(copy);
	return 0;
}
