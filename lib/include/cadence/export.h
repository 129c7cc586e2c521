/* SPDX-License-Identifier: MIT */
/*
 * cadence/export.h - a cadence written for another engine, whose nodes run
 * `cadence step` (docs/export.md): an Argo Workflows manifest.
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
 * (docs/export.md lists them).  The output is a function of the cadence
 * and the options only: the same input gives the same bytes.
 *
 * Ownership follows cadence/common.h: the text is the caller's to free();
 * nothing of `def` is kept.  Thread-safety: none needed; `def` is only
 * read, so several exports of one cadence may run at once.
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

#ifdef __cplusplus
}
#endif

#endif
