/* SPDX-License-Identifier: MIT */
/*
 * cadence/export.h - a cadence written for an external workflow engine,
 * each of its nodes running `cadence step` (docs/export.md, docs/cli.md
 * "cadence export"): the engine schedules, retries and joins; cadence's
 * own code runs each note and each merge, so the engine's run gives the
 * score `cadence run` gives.
 *
 * What the engine cannot express (a backoff, a circuit breaker, a
 * cadence's on_error handler...) is not dropped silently: each export adds
 * a positioned warning to `diags`, with a rule id starting "export-"
 * (docs/export.md lists them).  A caller that wants nothing lost treats
 * any warning as a failure (`cadence export --strict`).
 *
 * Ownership and thread-safety follow cadence/common.h: an export only
 * reads `def`; its output is a new malloc'd buffer owned by the caller.
 * Nothing is shared between calls.
 */
#ifndef CADENCE_EXPORT_H
#define CADENCE_EXPORT_H

#include "cadence/common.h"
#include "cadence/diag.h"
#include "cadence/load.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- n8n ------------------------------------------------------------------
 * An n8n (2.x) workflow, as JSON to import: a Manual Trigger, or a
 * Schedule Trigger with the cadence's `schedule:` cron and time zone; each
 * note an Execute Command node calling `cadence step`; a `sync`'s notes
 * parallel branches joined by a Merge node, then a node running the
 * sync's merge; `split`, `child`, `dag` and the precheck one node each.
 * Nodes are placed by depth (x) and branch (y), the order n8n runs
 * branches in.  The score travels through files in a directory per
 * execution, STATE_DIR/<n8n's execution id>/; no score is ever part of a
 * command line, and every other text in a command is shell-quoted. */

/* Where the score files go when the options do not say. */
#define CADENCE_EXPORT_N8N_STATE_DIR "/tmp/cadence-n8n"

typedef struct cadence_export_n8n_opts {
	unsigned version;	/* CADENCE_EXPORT_N8N_OPTS_VERSION */
	/* The cadence file the commands name, as n8n's machine sees it (an
	 * absolute path, best); NULL: the path `def` was loaded from. */
	const char *cadence_file;
	/* The directory of the executions' score files; NULL:
	 * CADENCE_EXPORT_N8N_STATE_DIR. */
	const char *state_dir;
	/* The cadence the commands run; NULL: "cadence", found on n8n's PATH. */
	const char *cadence_binary;
	/* The input score, a JSON file on n8n's machine the first node reads
	 * (as `cadence run --score-file`); NULL: the declared defaults. */
	const char *score_file;
	/* Shared objects every `cadence step` loads (--plugin), for C notes
	 * (symbol:), as paths on n8n's machine; `nplugins` of them.  Without
	 * any, a C note is a warning (export-c-note). */
	const char *const *plugins;
	size_t nplugins;
} cadence_export_n8n_opts;

#define CADENCE_EXPORT_N8N_OPTS_VERSION 1
#define CADENCE_EXPORT_N8N_OPTS_INIT { CADENCE_EXPORT_N8N_OPTS_VERSION, NULL, NULL, NULL, NULL, NULL, 0 }

/*
 * Writes `def` as an n8n workflow into a new buffer: *out (malloc'd, owned
 * by the caller, free() it; NUL-terminated JSON, indented, ending in a
 * newline) holds *out_len bytes.  The same cadence and options give the
 * same bytes: node ids are hashes of names.  Warnings are added to `diags`
 * (may be NULL), positioned in the cadence file.  `opts` may be NULL.
 *
 * Returns 0; CADENCE_EINVAL for a NULL argument, a cadence without a file
 * and no opts->cadence_file, or a path that n8n would read as an
 * expression ("{{", "}}", a backslash before a brace) or holds what n8n
 * refuses in one (".constructor"): `err` says which;
 * CADENCE_EVERSION for opts or err of an unknown version; CADENCE_ENOMEM.
 * `err` (may be NULL) is filled on failure.
 */
CADENCE_API int cadence_export_n8n(char **out, size_t *out_len, const cadence_def *def,
				   const cadence_export_n8n_opts *opts, cadence_diags *diags,
				   cadence_run_error *err);

#ifdef __cplusplus
}
#endif
#endif
