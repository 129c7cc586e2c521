/* SPDX-License-Identifier: MIT */
/*
 * cadence/export.h - a cadence written for another engine, each of its
 * nodes running `cadence step` (docs/export.md): an Argo Workflows
 * manifest (Workflow, WorkflowTemplate, CronWorkflow) or an n8n workflow.
 * The engine schedules, retries and joins; cadence's own code runs each
 * note, merge and measure, so the engine's run gives the score `cadence
 * run` gives.
 *
 *     cadence_argo_opts o = CADENCE_ARGO_OPTS_INIT;
 *     o.image = "registry.example/shop:1.4";
 *     char *yaml; size_t n;
 *     if (cadence_export_argo(&yaml, &n, def, &o, diags) == 0) {
 *             fwrite(yaml, 1, n, stdout);
 *             free(yaml);
 *     }
 *
 * What the engine cannot mean as cadence means it (a circuit breaker, a
 * retry's jitter) is not dropped silently: each such place is a warning in
 * `diags`, with its position in the cadence's file and an `export-` rule
 * (docs/export.md lists them); a caller that wants nothing lost treats any
 * warning as a failure (`cadence export ... --strict`).  The output is a
 * function of the cadence and the options only: the same input gives the
 * same bytes.
 *
 * Ownership follows cadence/common.h: the text is a new malloc'd buffer,
 * the caller's to free(); nothing of `def` is kept.  Thread-safety: none
 * needed; `def` is only read, so several exports of one cadence may run
 * at once.
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

/* ---- Argo Workflows -------------------------------------------------------- */

typedef enum cadence_argo_kind {
	CADENCE_ARGO_WORKFLOW = 0,	/* a Workflow: `argo submit` */
	CADENCE_ARGO_TEMPLATE,		/* a WorkflowTemplate: `argo template create` */
	CADENCE_ARGO_CRON		/* a CronWorkflow from the cadence's `schedule:` */
} cadence_argo_kind;

typedef struct cadence_argo_opts {
	unsigned version;		/* CADENCE_ARGO_OPTS_VERSION */
	cadence_argo_kind kind;
	/* the container image that holds cadence and the project; NULL:
	 * "cadence:latest" */
	const char *image;
	/* the cadence's file in the image, as the steps name it; NULL: the
	 * file's path in `def`, which must then be relative (to `workdir`) */
	const char *path;
	/* the containers' working directory; NULL: the image's own */
	const char *workdir;
	/* shared objects, by their paths in the image, passed to every step
	 * as --plugin: what the C notes (`symbol:`) need */
	const char *const *plugins;
	size_t nplugins;
	int json;			/* JSON instead of YAML */
} cadence_argo_opts;

#define CADENCE_ARGO_OPTS_VERSION 1
#define CADENCE_ARGO_OPTS_INIT { CADENCE_ARGO_OPTS_VERSION, CADENCE_ARGO_WORKFLOW, NULL, NULL, \
				 NULL, NULL, 0, 0 }

/* Parses "workflow", "template" or "cron".  0 or CADENCE_EINVAL. */
CADENCE_API int cadence_argo_kind_parse(cadence_argo_kind *out, const char *name);

/*
 * The Argo manifest of `def` (a cadence that loaded without errors) in a
 * new buffer: *out (malloc'd, NUL-terminated, the caller's) holds *out_len
 * bytes.  Warnings go to `diags` (may be NULL: none are reported).
 * Returns 0; CADENCE_ENOTFOUND for CADENCE_ARGO_CRON when the cadence has
 * no `schedule:`; CADENCE_EINVALID when the cadence holds what Argo would
 * misread (a `{{` in the schedule's score: an error in `diags`);
 * CADENCE_ELIMIT when the manifest would be 1 MB or more (Kubernetes'
 * limit on an object); CADENCE_EINVAL for a NULL argument, no path (a
 * cadence built in C, without opts->path), an absolute def path without
 * opts->path, or a path, image, workdir or plugin holding `{{` (Argo
 * replaces `{{...}}` in a spec and has no escape); CADENCE_EVERSION for
 * opts of an unknown version; CADENCE_ENOMEM.
 */
CADENCE_API int cadence_export_argo(char **out, size_t *out_len, const cadence_def *def,
				    const cadence_argo_opts *opts, cadence_diags *diags);

/* The most bytes a manifest may have: Kubernetes refuses a larger object. */
#define CADENCE_ARGO_MAX_BYTES (1024 * 1024)

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
