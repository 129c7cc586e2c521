/* SPDX-License-Identifier: MIT */
/*
 * The run registry (docs/registry.md): a SQLite database, registry.db in
 * the state directory, that records every run, each schedule's state
 * (paused, disabled, the last fire time handled) and the fire times that
 * did not run, with why.  WAL mode, a busy timeout and short write
 * transactions, so that many cadence processes share it.
 *
 * Errors: functions return 0 or -1 with a message in the registry
 * (reg_error()), or for reg_open() in *why; the caller decides whether
 * it is fatal (a manual run only warns).
 *
 * Ownership: a reg is the caller's (reg_close).  One reg per thread.
 */
#ifndef CADENCE_CLI_REGISTRY_H
#define CADENCE_CLI_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

typedef struct reg reg;

/* Opens (creating the directory and the database, migrating an older
 * schema) <state_dir>/registry.db.  Returns 0, or -1 with a malloc'd
 * message in *why (a read-only directory, a corrupt database: what and
 * how to fix it). */
int reg_open(const char *state_dir, reg **out, char **why);
void reg_close(reg *r);
const char *reg_error(const reg *r);

/* ---- runs --------------------------------------------------------------- */

typedef enum reg_trigger {
	REG_MANUAL, REG_SCHEDULE, REG_API, REG_WEBHOOK
} reg_trigger;

typedef struct reg_run_info {
	const char *cadence;		/* the cadence's name */
	const char *file;		/* its file, absolute */
	const char *file_digest;	/* SHA-256, hex */
	reg_trigger trigger;
	int64_t scheduled_for;		/* the fire time, Unix s; -1: none */
	int64_t start_ms;		/* Unix ms */
	const char *events_path, *trace_path, *checkpoint_path; /* or NULL */
} reg_run_info;

/* Records a run that starts; its id in *id.  Until reg_run_end(), the run
 * holds a lock that ends with its process, so a run killed mid-way is
 * shown as `interrupted`, never as running. */
int reg_run_begin(reg *r, const reg_run_info *info, int64_t *id);

/* status: "ok", "failed", "interrupted", "stopped" (a breaker), "error"
 * (it could not start). */
int reg_run_end(reg *r, int64_t id, const char *status, const char *error,
		const char *score_digest, int64_t end_ms);

/* ---- schedules ---------------------------------------------------------- */

typedef struct reg_schedule_state {
	int paused, disabled;
	int64_t last_fire;	/* the latest fire time handled (run or missed); -1 none */
	int64_t first_seen;	/* Unix s, when the registry first saw it; -1 none */
} reg_schedule_state;

/* The state of the schedule of `cadence`; a schedule never seen reads as
 * not paused, not disabled, last_fire -1. */
int reg_schedule_get(reg *r, const char *cadence, reg_schedule_state *st);

/* Marks fire times up to `fire` as handled, if the last one handled is
 * still `seen` (the last_fire the caller read, -1 for none): what the
 * caller worked out from it is its own.  Returns 0; 1 when another
 * process moved last_fire since (the caller runs nothing); or -1. */
int reg_schedule_claim(reg *r, const char *cadence, int64_t seen, int64_t fire);

int reg_set_paused(reg *r, const char *cadence, int paused);
int reg_set_disabled(reg *r, const char *cadence, int disabled);

/* A fire time that did not run; reason: "paused", "disabled", "overlap",
 * "catch_up" (catch_up: none or latest skipped it), "catch_up_max" (older
 * than the bound), "error". */
int reg_missed(reg *r, const char *cadence, int64_t fire, const char *reason);

/* ---- reading (history, list, prune) -------------------------------------- */

/* One row of runs; strings malloc'd (NULL: none).  status "running" only
 * while the run's process holds its lock: reads first mark the others
 * `interrupted` (reg_reap). */
typedef struct reg_run {
	int64_t id;
	char *cadence, *file, *file_digest, *trigger, *status, *error, *score_digest;
	char *events_path, *trace_path, *checkpoint_path;
	int64_t scheduled_for;	/* -1: none */
	int64_t start_ms, end_ms; /* end -1: none */
	int64_t pid;
} reg_run;

/* One row of missed. */
typedef struct reg_miss {
	int64_t id;
	char *cadence, *reason;
	int64_t fire;		/* Unix s */
	int64_t recorded_ms;
} reg_miss;

/* Marks the runs still `running` whose process is gone (its lock free)
 * as `interrupted`.  Returns how many, or -1. */
int reg_reap(reg *r);

/* Runs, newest first: of `cadence` (NULL: all), started at or after
 * since_ms (-1: any), at most `limit` (0: all).  *out malloc'd
 * (reg_runs_free). */
int reg_runs(reg *r, const char *cadence, int64_t since_ms, size_t limit, reg_run **out,
	     size_t *n);
void reg_runs_free(reg_run *runs, size_t n);

/* Missed fire times, newest first, as reg_runs (since: recorded at). */
int reg_misses(reg *r, const char *cadence, int64_t since_ms, size_t limit, reg_miss **out,
	       size_t *n);
void reg_misses_free(reg_miss *m, size_t n);

/* Runs (missed fire times) with an id beyond after_id, oldest first, at
 * most `limit` (0: all): new rows since a reader's last look. */
int reg_runs_after(reg *r, int64_t after_id, size_t limit, reg_run **out, size_t *n);
int reg_misses_after(reg *r, int64_t after_id, size_t limit, reg_miss **out, size_t *n);

/* How many runs of `cadence` are running now (after reg_reap). */
int reg_running(reg *r, const char *cadence, int64_t *n);

/* Retention: removes the runs that ended before before_ms (-1: none by
 * age) and those beyond the newest `keep` of their cadence (0: no limit),
 * and the missed fire times recorded before before_ms or beyond the newest
 * `keep`; never a running run.  With dry_run, removes nothing.  The
 * counts in *runs and *missed. */
int reg_prune(reg *r, int64_t before_ms, int64_t keep, int dry_run, int64_t *runs,
	      int64_t *missed);

/* ---- webhook deliveries (docs/serve.md, "Webhooks") ------------------- */

/* Claims the delivery `delivery` of the webhook `hook`, atomically: of
 * any number of claims of one delivery, by any processes, one gets 0 (a
 * new delivery: the caller starts its run, then reg_delivery_set_run());
 * the others get 1 with the first claim's run id in *first_run (malloc'd;
 * NULL while that run is being started).  -1 on error. */
int reg_delivery_claim(reg *r, const char *hook, const char *delivery, int64_t now_ms,
		       char **first_run);
/* The run started for a claimed delivery; run NULL forgets the claim (no
 * run could start: a redelivery may try again). */
int reg_delivery_set_run(reg *r, const char *hook, const char *delivery, const char *run);

/* The database's path. */
const char *reg_path(const reg *r);

/* The schema version this cadence writes (PRAGMA user_version). */
#define REG_SCHEMA_VERSION 2

#endif
