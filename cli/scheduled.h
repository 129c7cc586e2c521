/* SPDX-License-Identifier: MIT */
/*
 * `cadence run --scheduled NAME` (docs/cli.md, "Scheduled runs"): the one
 * entry point that systemd timers, cron and `cadence serve` call.  It
 * reads the schedule's state in the registry, works out what is due
 * (cadence_schedule_due()), claims it so that no other process runs it
 * too, records what is missed and why, takes the overlap lock and runs
 * each due time through `fire`.
 */
#ifndef CADENCE_CLI_SCHEDULED_H
#define CADENCE_CLI_SCHEDULED_H

#include <stdint.h>

/* Runs the cadence in `file` once, for the fire time `fire`, with the
 * schedule's score (JSON text or NULL); returns an exit code, and sets
 * *ran when the run started (and is in the registry as a run). */
typedef int (*cli_fire_fn)(void *ctx, const char *file, const char *score, int64_t fire,
			   int *ran);

typedef struct cli_scheduled_opts {
	const char *name;	/* the cadence */
	const struct cli_config *cfg;	/* the project's, --state-dir applied */
	int64_t now;		/* --now, or -1: the clock */
	int jitter;		/* --jitter: wait a random part of `jitter:` first */
	int dry_run;		/* say what is due, change nothing */
} cli_scheduled_opts;

/* Returns an exit code: 0 when nothing was due or every run succeeded,
 * else the first failing run's. */
int cli_scheduled(const cli_scheduled_opts *o, cli_fire_fn fire, void *ctx);

/* Did a signal ask the runs to stop?  (cmd_run.c's signal state.) */
int cli_run_interrupted(void);

#endif
