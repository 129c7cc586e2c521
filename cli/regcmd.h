/* SPDX-License-Identifier: MIT */
/* What the registry's commands share (list, pause, resume NAME, disable,
 * enable, history, prune): the registry opened for a command, the
 * project's cadences by name, times, spans and aligned tables. */
#ifndef CADENCE_CLI_REGCMD_H
#define CADENCE_CLI_REGCMD_H

#include "cli.h"
#include "registry.h"

#include <cadence/load.h>
#include <cadence/schedule.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REGCMD_STATE_DIR_ENTRY(id)                                                        \
	{ id, 0, "state-dir", "DIR",                                                      \
	  "the state directory that holds the run registry (default: the project's "     \
	  "state_dir, $CADENCE_STATE_DIR, else $XDG_STATE_HOME/cadence, else "           \
	  "~/.local/state/cadence)", NULL }

/* Opens the registry of state_dir (NULL: the configuration's).  0, or an
 * exit code (3) after saying why. */
int regcmd_open(const char *config, const char *state_dir, reg **r);

/* A cadence of the project (cli_config_cadence_files()). */
typedef struct regcmd_cadence {
	char *path;
	const char *name;	/* the def's; NULL when the file does not load */
	cadence_def *def;
	cadence_schedule *schedule;	/* NULL: none, or a bad one (problem) */
	char *problem;		/* why the file or its schedule is unusable */
} regcmd_cadence;

/* The project's cadences, in the order of their files.  0 or an exit code. */
int regcmd_cadences(const char *config, regcmd_cadence **out, size_t *n);
void regcmd_cadences_free(regcmd_cadence *c, size_t n);
/* The cadence named `name`, or NULL; `quiet` 0: says "no cadence named"
 * with a did-you-mean first. */
regcmd_cadence *regcmd_find(regcmd_cadence *c, size_t n, const char *name, int quiet);

/* pause, resume NAME, disable, enable: the schedules of the cadences
 * named in argv (after the command's options). */
typedef enum regcmd_toggle_op {
	REGCMD_PAUSE, REGCMD_RESUME, REGCMD_DISABLE, REGCMD_ENABLE
} regcmd_toggle_op;
int regcmd_toggle(const cli_cmd *cmd, int argc, char **argv, regcmd_toggle_op op);
/* The same with the names and state directory given (resume NAME). */
int regcmd_toggle_names(char **names, size_t n, const char *config, const char *state_dir,
			regcmd_toggle_op op);

/* "2026-12-05 14:03:11 CET" of Unix seconds t: in the schedule's zone, or
 * the machine's when schedule is NULL. */
void regcmd_time(char *buf, size_t size, int64_t t, const cadence_schedule *schedule);
/* RFC 3339 in UTC: "2026-12-05T13:03:11Z" (ms: with milliseconds). */
void regcmd_utc(char *buf, size_t size, int64_t ms, int with_ms);
/* "3h 12min", "5s", "2 days 4h" of a span in seconds (>= 0). */
void regcmd_span(char *buf, size_t size, int64_t s);

/* --since: an RFC 3339 time, or a duration before now (90s, 2h, 7d).
 * 0 and *ms, or -1. */
int regcmd_parse_since(const char *s, int64_t now_ms, int64_t *ms);

/* An aligned table: rows of ncols cells, the first the header; each
 * column as wide as its widest cell, the last one unpadded.  Cells are
 * printed clean (cli_print_clean). */
typedef struct regcmd_table {
	char **cells;
	size_t ncols, n, cap;
	int failed;
} regcmd_table;
void regcmd_table_add(regcmd_table *t, const char *cell);
int regcmd_table_print(regcmd_table *t, FILE *out);
void regcmd_table_free(regcmd_table *t);

/* The object of `cadence list --format json` for the cadence c (`cadence
 * serve`'s GET /cadences); NULL after saying why (the registry failed,
 * out of memory). */
struct cJSON;
struct cJSON *regcmd_list_object(reg *r, const regcmd_cadence *c, int64_t now);

/* Prints a JSON object as one line on stdout and deletes it; -1 when it
 * could not be made. */
struct cJSON;
int regcmd_json_line(struct cJSON *o);

#endif
