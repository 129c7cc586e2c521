/* SPDX-License-Identifier: MIT */
/*
 * `cadence serve`'s GET /metrics (docs/serve.md, "Metrics"): totals since
 * the server started, in the Prometheus text format 0.0.4.  The runs'
 * own series come from the textfile each child `cadence run --metrics`
 * writes into its run directory, added in once when the run ends: a
 * scrape costs the number of series, never the number of runs.
 */
#ifndef CADENCE_CLI_SERVE_METRICS_H
#define CADENCE_CLI_SERVE_METRICS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"
#include "util/strmap.h"

typedef struct serve_metrics {
	pthread_mutex_t lock;
	struct mfamily *fam;	/* in the order first seen */
	size_t nfam, capfam;
	strmap fam_index;	/* name -> index in fam */
	strmap series;		/* "name{labels}" -> index in the family's samples */
	int64_t start_ms;	/* when the server started */
	/* the registry's last run id and missed fire time id counted: -1
	 * until serve_metrics_start() read them */
	int64_t runs_seen, misses_seen;
} serve_metrics;

int serve_metrics_init(serve_metrics *m);
void serve_metrics_free(serve_metrics *m);

/* A run ended: adds its `outcome` (ok, failed, ...) and its wall time,
 * then the series of its textfile `prom_path` (counters and histograms
 * added, gauges replaced).  A file that is missing or unreadable adds
 * nothing more (a run that could not start writes none). */
void serve_metrics_run_ended(serve_metrics *m, const char *cadence, const char *outcome,
			     double seconds, const char *prom_path);
/* A request answered: its route's template and status. */
void serve_metrics_http(serve_metrics *m, const char *route, unsigned status);
/* Adds a sample to a family (made with `type` and `help` when new):
 * `labels` is the text between the braces, already escaped, or "". */
void serve_metrics_add(serve_metrics *m, const char *name, const char *type, const char *help,
		       const char *labels, double v, int replace);
/* The exposition, malloc'd; `running`: runs running now. */
char *serve_metrics_text(serve_metrics *m, size_t running);
/* A label value escaped as the text format wants (\\, \", \n). */
void serve_metrics_label(strbuf *sb, const char *value);

#endif
