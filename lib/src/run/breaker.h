/* SPDX-License-Identifier: MIT */
/* Circuit breakers, one per note of a cadence file, shared by every run
 * of a runner.  Closed: calls go through, failures in a row are counted;
 * at failure_threshold the breaker opens.  Open: calls are rejected until
 * recovery_timeout has passed, then it is half-open.  Half-open: up to
 * half_open_max probe calls go through; a success closes it, a failure
 * opens it again.  The state lives in memory, or in a directory (one small
 * JSON file per breaker, read and written under an fcntl lock) so that it
 * carries over between processes.  A state file is only ever this user's
 * private regular file (docs/run.md, "circuit_breaker"): anything else in
 * its place is an error, never followed, written or silently replaced by
 * a breaker of this process alone. */
#ifndef CADENCE_SRC_RUN_BREAKER_H
#define CADENCE_SRC_RUN_BREAKER_H

#include "model/model.h"
#include "util/strbuf.h"

#include <stdint.h>

typedef struct rbreakers rbreakers;
typedef struct rbreaker rbreaker;

typedef enum rbreaker_mode {
	BREAKER_CLOSED,
	BREAKER_OPEN,
	BREAKER_HALF_OPEN
} rbreaker_mode;

extern const char *const cad_rbreaker_mode_names[];

/* dir NULL: in memory.  Returns 0 or -1 when out of memory. */
int cad_rbreakers_new(rbreakers **out, const char *dir);
/* Creates the directory when missing (once, before the first breaker is
 * used).  Returns 0 or an errno value when the directory is unusable. */
int cad_rbreakers_ready(rbreakers *b);
void cad_rbreakers_free(rbreakers *b);
/* The breaker of note `note` of cadence `cadence` from the file `path`
 * (NULL: built in code): one per file (as an absolute path without links),
 * cadence and note. */
rbreaker *cad_rbreakers_get(rbreakers *b, const char *path, const char *cadence,
			const char *note, const cad_breaker *policy);
/* Before anything runs: 0 when the breaker's state file is missing or
 * usable, -1 with `why` ("FILE cannot be used: REASON; FIX") otherwise. */
int cad_rbreaker_check(rbreaker *br, strbuf *why);

/* Before a call: 0 lets it through (*probe set when it is a half-open
 * probe), 1 rejects it with the reason in `why`, -1 when its state file
 * cannot be used (`why` says which and why).  `mode` receives the
 * state before and after (the events of a run report changes). */
int cad_rbreaker_acquire(rbreaker *br, int64_t now_ms, int *probe, strbuf *why,
		     rbreaker_mode mode[2]);
/* After a call that acquire() let through; `mode` as for acquire().
 * 0, or -1 when its state file cannot be used (`why` as for acquire()). */
int cad_rbreaker_release(rbreaker *br, int64_t now_ms, int probe, int success, strbuf *why,
		     rbreaker_mode mode[2]);
/* After a call that acquire() let through but that ended without a verdict
 * (the run was cancelled): only the probe is given back. */
void cad_rbreaker_abandon(rbreaker *br, int probe);

#endif
