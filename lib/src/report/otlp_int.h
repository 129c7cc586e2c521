/* SPDX-License-Identifier: MIT */
/* The OTLP/HTTP exporter (otlp.c) as the trace recorder and the metrics
 * see it, and its pure parts, which the unit tests check. */
#ifndef CADENCE_SRC_REPORT_OTLP_INT_H
#define CADENCE_SRC_REPORT_OTLP_INT_H

#include "cadence/report.h"
#include "util/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* Queues one element of an ExportTraceServiceRequest's resourceSpans
 * array, holding `nspans` spans (at most cad_otlp_max_batch()): `json`
 * (malloc'd, len bytes) is taken, whatever happens.  When the queue has
 * no room, the element is dropped and counted.  Thread-safe. */
void cad_otlp_queue(cadence_otlp *x, char *json, size_t len, size_t nspans);
size_t cad_otlp_max_batch(const cadence_otlp *x);

/* "k=v,k2=v2" (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES):
 * members trimmed of spaces and tabs, empty ones skipped, keys and values
 * percent-decoded.  `header`: the keys must be HTTP field names and the
 * values hold no control character.  0 with *out an array of 2 * *n
 * strings (key, value, ...; cad_otlp_kv_free()), or -1 with why[] set. */
int cad_otlp_parse_kv(const char *text, int header, char ***out, size_t *n, strbuf *why);
void cad_otlp_kv_free(char **kv, size_t n);

/* The traces URL: traces_endpoint as is, else endpoint with "/v1/traces"
 * appended ("v1/traces" after a trailing slash); NULL when both are NULL
 * or out of memory.  malloc'd. */
char *cad_otlp_traces_url(const char *traces_endpoint, const char *endpoint);
/* 0 when url is an http or https URL with a host; else -1 and why. */
int cad_otlp_check_url(const char *url, strbuf *why);

/* The wait before retry number `attempt` (1: after the first failure):
 * Retry-After when the collector gave one (retry_after_ms >= 0, capped at
 * CAD_OTLP_MAX_BACKOFF_MS), else 1 s doubling, capped, times a random
 * factor in [0.5, 1) drawn from *rng. */
#define CAD_OTLP_MAX_BACKOFF_MS 30000
#define CAD_OTLP_MAX_ATTEMPTS 6
int64_t cad_otlp_backoff_ms(unsigned attempt, int64_t retry_after_ms, uint64_t *rng);
/* A Retry-After value in ms: delay-seconds; -1 for anything else (an
 * HTTP-date is not read: the backoff applies). */
int64_t cad_otlp_retry_after(const char *value, size_t len);
/* Whether an HTTP status is worth a retry (429, 502, 503, 504). */
int cad_otlp_retryable(long status);

#endif
