/* SPDX-License-Identifier: MIT */
/* What `cadence run` and `cadence resume` share (cmd_run.c): the options
 * both take, and the command itself. */
#ifndef CADENCE_CLI_RUN_H
#define CADENCE_CLI_RUN_H

#include "cli.h"

/* Exit statuses of run and resume beyond cli.h's (docs/cadence.1.scd). */
enum {
	/* resume: the checkpoint does not belong to the cadence files (they
	 * changed, or it is another cadence's) */
	CLI_EXIT_MISMATCH = 4,
	/* run: the cadence's precheck stopped it before its first measure */
	CLI_EXIT_STOPPED = 5,
	/* as shells report a process killed by SIGINT (128 + 2) */
	CLI_EXIT_INTERRUPTED = 130
};

enum {
	RUN_OPT_SCORE = 1,
	RUN_OPT_SCORE_FILE,
	RUN_OPT_PLUGIN,
	RUN_OPT_JOBS,
	RUN_OPT_DRY_RUN,
	RUN_OPT_LOG,
	RUN_OPT_TIMINGS,
	RUN_OPT_STATE_DIR,
	RUN_OPT_VERBOSE,
	RUN_OPT_GRACE,
	RUN_OPT_COMPACT,
	RUN_OPT_METRICS,
	RUN_OPT_TRACE,
	RUN_OPT_EVENTS,
	RUN_OPT_CHECKPOINT,
	RUN_OPT_FORCE,
	RUN_OPT_ENV_CLEAR,
	RUN_OPT_ENV,
	RUN_OPT_SCHEDULED,
	RUN_OPT_NOW,
	RUN_OPT_JITTER,
	RUN_OPT_CONFIG,
	RUN_OPT_NO_RECORD,
	RUN_OPT_STDIN_FILENAME,
	RUN_OPT_QUIET,
	RUN_OPT_TRACE_ENDPOINT,
};

extern const char *const cli_run_log_formats[];

/* The options of both commands, as cli_opt initializers. */
#define CLI_RUN_SHARED_OPTS                                                                   \
	{ RUN_OPT_PLUGIN, 'p', "plugin", "PATH.so",                                           \
	  "load C notes (symbol:) from a shared object, functions it defines itself; "      \
	  "repeatable, after the project's plugins", NULL },                                   \
	{ RUN_OPT_JOBS, 'j', "jobs", "N",                                                     \
	  "run at most N notes of a sync, or tasks of a dag, at once (default: all, and a "  \
	  "dag's jobs:; C notes on one thread per CPU)", \
	  NULL },                                                                              \
	{ RUN_OPT_LOG, 0, "log", "FORMAT",                                                    \
	  "the log on stderr: text (default) or json (JSON lines)", cli_run_log_formats },     \
	{ RUN_OPT_TIMINGS, 't', "timings", NULL,                                              \
	  "print a table of note timings on stderr at the end (with --log json: one JSON "    \
	  "line)", NULL },                                                                     \
	{ RUN_OPT_ENV_CLEAR, 0, "env-clear", NULL,                                            \
	  "run notes get only PATH, HOME, LANG, LC_*, TZ, TMPDIR and the --env variables "     \
	  "of this environment (default: all of it, unless a note has env:)", NULL },          \
	{ RUN_OPT_ENV, 0, "env", "NAME",                                                      \
	  "with --env-clear, pass variable NAME to run notes too; repeatable", NULL },         \
	{ RUN_OPT_STATE_DIR, 0, "state-dir", "DIR",                                           \
	  "where circuit breakers keep their state between runs (default $CADENCE_STATE_DIR, " \
	  "else the project file's state_dir, else $XDG_STATE_HOME/cadence, else "            \
	  "~/.local/state/cadence)", NULL },                                                   \
	{ RUN_OPT_CONFIG, 0, "config", "FILE",                                                \
	  "the project file to read (default: cadence.project.yaml here or above)", NULL },   \
	{ RUN_OPT_VERBOSE, 'v', "verbose", NULL,                                              \
	  "log every measure and note as it starts and ends, and a split's branch", NULL },   \
	{ RUN_OPT_QUIET, 'q', "quiet", NULL,                                                  \
	  "no summary line at the end, no live line, no line saying where a resume goes on",  \
	  NULL },                                                                              \
	{ RUN_OPT_GRACE, 0, "kill-grace", "DURATION",                                         \
	  "time between SIGTERM and SIGKILL when a note is stopped (default 2s)", NULL },      \
	{ RUN_OPT_COMPACT, 'c', "compact", NULL, "print the final score on one line", NULL }, \
	{ RUN_OPT_METRICS, 0, "metrics", "FILE",                                              \
	  "write Prometheus metrics of the run to FILE at the end (atomically)", NULL },       \
	{ RUN_OPT_TRACE, 0, "trace", "FILE",                                                  \
	  "write the run's OpenTelemetry trace (OTLP/JSON) to FILE at the end (atomically)",   \
	  NULL },                                                                              \
	{ RUN_OPT_TRACE_ENDPOINT, 0, "trace-endpoint", "URL",                                 \
	  "send the run's trace to an OpenTelemetry collector: OTLP/JSON POSTed to URL, the "  \
	  "whole traces URL (http://HOST:4318/v1/traces; default "                             \
	  "$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else $OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces)", \
	  NULL },                                                                              \
	{ RUN_OPT_EVENTS, 0, "events", "FILE",                                                \
	  "write one JSON line per event to FILE as the run goes ('-': stderr)", NULL },       \
	{ RUN_OPT_NO_RECORD, 0, "no-record", NULL,                                            \
	  "do not record the run in the run registry (registry.md)", NULL }

/* What `cadence step` (cmd_step.c) shares with run. */
struct cJSON;
struct cadence_project;
struct cadence_def;
struct cadence_runner;
/* Loads and checks the cadence file as run does (problems on stderr):
 * 0 or an exit status.  PATH '-' reads standard input, named stdin_name
 * (--stdin-filename; NULL: "<stdin>"), its child cadences found beside
 * that name. */
int cli_run_load(const char *path, const char *stdin_name, struct cadence_project **project,
		 const struct cadence_def **def);
/* buf (malloc'd, taken) as a JSON object, as run reads a score: 0, or a
 * usage error "the WHAT from FROM ..." said. */
int cli_run_parse_object(char *buf, size_t len, const char *what, const char *from,
			 struct cJSON **out);
/* The JSON object in file PATH ('-': standard input), read as run reads
 * --score-file: 0, or an exit status with "the WHAT ..." said. */
int cli_run_read_object(const char *path, const char *what, struct cJSON **out);
/* The exit status for a library error code, as run's. */
int cli_run_exit_for(int rc);
/* $TRACEPARENT when it is a W3C traceparent (the caller's trace, which
 * the run joins: observability.md, "Traces"); NULL when unset or empty,
 * or when it is not one: the caller's mistake, not a reason to fail a
 * run, so a warning then. */
const char *cli_run_traceparent(void);
/* SIGINT, SIGTERM and SIGHUP cancel `runner` (a second one exits 130)
 * from begin to end, as during a run. */
void cli_run_signals_begin(struct cadence_runner *runner);
void cli_run_signals_end(void);

/* Runs `cadence run` (resume 0) or `cadence resume` (resume 1). */
int cli_run_main(const cli_cmd *cmd, int argc, char **argv, int resume);

#endif
