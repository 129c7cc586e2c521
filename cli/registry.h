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

/* Marks fire times up to `fire` as handled (last_fire only moves forward).
 * Returns 0, or 1 when `fire` was handled already (by another process:
 * the caller does not run it), or -1. */
int reg_schedule_claim(reg *r, const char *cadence, int64_t fire);

int reg_set_paused(reg *r, const char *cadence, int paused);
int reg_set_disabled(reg *r, const char *cadence, int disabled);

/* A fire time that did not run; reason: "paused", "disabled", "overlap",
 * "catch_up" (catch_up: none or latest skipped it), "catch_up_max" (older
 * than the bound), "error". */
int reg_missed(reg *r, const char *cadence, int64_t fire, const char *reason);

#endif
