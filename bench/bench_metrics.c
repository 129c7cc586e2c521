/* SPDX-License-Identifier: MIT */
/*
 * bench_metrics: how long cadence_metrics_write() takes for a run of many
 * notes (the write `cadence run --metrics` does at the end).
 *
 *   bench_metrics [-n NOTES] [-r ROUNDS]
 *
 * Feeds the metrics the events of one cadence of NOTES notes (default
 * 200): each note ends once per status, one with an error type, a breaker
 * change and a retry, then the cadence ends.  Prints the size of the text
 * and the microseconds per write into memory: the median over ROUNDS
 * rounds (default 11) of the mean of one round of about 50 ms.  No
 * assertions: the figures are for docs/benchmarks.md.
 */
#define _POSIX_C_SOURCE 200809L
#include "cadence/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int notes = 200, rounds = 11;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			notes = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-r"))
			rounds = atoi(argv[i + 1]);
	}
	if (notes < 1 || rounds < 1 || rounds > 99) {
		fprintf(stderr, "usage: bench_metrics [-n NOTES] [-r ROUNDS]\n");
		return 2;
	}
	cadence_metrics *m;
	if (cadence_metrics_new(&m))
		return 3;
	cadence_event ev;
	char note[32];
	memset(&ev, 0, sizeof(ev));
	ev.cadence = ev.path = "checkout";
	ev.run_id = "0123456789abcdef";
	ev.measure = "m";
	ev.measure_kind = "then";
	ev.attempt = ev.attempts = 1;
	for (int i = 0; i < notes; i++) {
		snprintf(note, sizeof(note), "note_%d", i);
		ev.note = note;
		ev.kind = CADENCE_EVENT_NOTE_END;
		for (int s = 0; s <= CADENCE_NOTE_STATUS_REJECTED; s++) {
			ev.status = s;
			ev.duration_ns = 1000000LL * (i % 50 + 1);
			ev.error_type = s == CADENCE_NOTE_STATUS_FAILED ? "exit_status" : NULL;
			cadence_metrics_on_event(m, &ev);
		}
		ev.error_type = NULL;
		ev.kind = CADENCE_EVENT_RETRY;
		cadence_metrics_on_event(m, &ev);
		ev.kind = CADENCE_EVENT_BREAKER;
		ev.status = CADENCE_BREAKER_OPEN;
		ev.previous = CADENCE_BREAKER_CLOSED;
		cadence_metrics_on_event(m, &ev);
	}
	ev.note = ev.measure = NULL;
	ev.kind = CADENCE_EVENT_CADENCE_END;
	ev.status = 0;
	cadence_metrics_on_event(m, &ev);

	double per[99];
	size_t size = 0;
	for (int r = 0; r < rounds; r++) {
		long n = 0;
		double t0 = now_us(), t;
		do {
			char *buf = NULL;
			FILE *f = open_memstream(&buf, &size);
			if (!f || cadence_metrics_write(m, f) || fclose(f))
				return 3;
			free(buf);
			n++;
		} while ((t = now_us()) - t0 < 50000);
		per[r] = (t - t0) / (double)n;
	}
	qsort(per, (size_t)rounds, sizeof(per[0]), cmp);
	printf("metrics of %d notes: %zu bytes, %.1f us per write (median of %d rounds)\n", notes,
	       size, per[rounds / 2], rounds);
	cadence_metrics_free(m);
	return 0;
}
