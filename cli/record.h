/* SPDX-License-Identifier: MIT */
/* A run's own record in the run registry (registry.h, docs/registry.md):
 * what `cadence run` and `cadence resume` write at their start and end.
 * A registry that cannot be opened never stops the run: one warning. */
#ifndef CADENCE_CLI_RECORD_H
#define CADENCE_CLI_RECORD_H

#include "registry.h"

#include <stdint.h>

struct cJSON;

typedef struct cli_record {
	reg *r;
	int64_t id;
	int active;		/* begun, not ended */
} cli_record;

typedef struct cli_record_what {
	const struct cli_config *cfg;	/* the project's, --state-dir applied */
	int off;		/* --no-record */
	const char *cadence, *file;	/* the cadence's name and file */
	reg_trigger trigger;
	int64_t scheduled_for;	/* -1: none */
	const char *events, *trace, *checkpoint;	/* outputs asked for, or NULL */
} cli_record_what;

/* Records the run's start, unless recording is off (--no-record, the
 * setting `registry: false`); on a registry that cannot be used, says so
 * in one warning line on stderr and records nothing. */
void cli_record_begin(cli_record *rec, const cli_record_what *what);

/* The end: the status from the exit code (cli_record_status), the error
 * said, the SHA-256 of the final score (NULL: none); closes the registry. */
void cli_record_end(cli_record *rec, int exit_code, const char *error,
		    const struct cJSON *score);

/* "ok", "failed", "stopped", "interrupted" or "error" of run's exit code. */
const char *cli_record_status(int exit_code);

/* The SHA-256 (hex) of a file's bytes into out; -1 when it cannot be read. */
int cli_record_file_digest(const char *path, char out[65]);

#endif
