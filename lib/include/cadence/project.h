/* SPDX-License-Identifier: MIT */
/*
 * cadence/project.h - a set of cadence files loaded together, so that a
 * `child` measure can be resolved to the cadence it runs.
 *
 * A project loads each file once (files are identified by device and inode,
 * so two spellings of one path share one load), keeps every loaded cadence
 * until it is freed, and loads a child's file when it is first asked for.
 * Diagnostics of a file are reported by the call that first loads it.
 *
 * Child references (docs/format.md, "child") are relative to the directory
 * of the referring file unless absolute (to the working directory for a
 * cadence built in C, which has no file): `payment` means the file
 * `payment.cadence.yaml` there, `billing/payment` means
 * `billing/payment.cadence.yaml`, and a reference ending in `.yaml` names
 * the file as it is.
 *
 * Ownership and thread-safety follow cadence/common.h: the cadence_def
 * pointers a project hands out are borrowed and live as long as the
 * project; a project must not be used from two threads at once.
 */
#ifndef CADENCE_PROJECT_H
#define CADENCE_PROJECT_H

#include "cadence/common.h"

#include "cadence/diag.h"
#include "cadence/load.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_project cadence_project;

/* A new, empty project; `opts` (may be NULL) applies to every file it
 * loads.  Returns 0, CADENCE_EVERSION (opts of an unknown version) or
 * CADENCE_ENOMEM. */
CADENCE_API int cadence_project_new(cadence_project **out, const cadence_load_opts *opts);
CADENCE_API void cadence_project_free(cadence_project *project);

/*
 * Confines the children of the files loaded after this call (and their
 * own children) to the directory `root`: a child reference whose file is
 * not below it is not read, and cadence_project_child() returns
 * CADENCE_EOUTSIDE.  What counts is the real path, through every symbolic
 * link; a file that does not exist counts by its directory.  NULL lifts
 * the confinement for the files loaded next (the default).  A file keeps
 * the root it was first loaded under.  `cadence validate` and `cadence
 * diagram` set the project root of each file named (docs/cli.md, "The
 * project root").  Returns 0, CADENCE_ENOTFOUND when root cannot be
 * resolved (it must exist), or CADENCE_ENOMEM.
 */
CADENCE_API int cadence_project_set_root(cadence_project *project, const char *root);

/* Loads the file at `path` (or returns the cadence already loaded from it).
 * Returns 0 with *out set, CADENCE_EINVALID when the file has errors (*out
 * NULL; the reasons were added to `diags` by the first load), or
 * CADENCE_ENOMEM. */
CADENCE_API int cadence_project_load_file(const cadence_def **out, cadence_project *project,
					  const char *path, cadence_diags *diags);

/* As cadence_project_load_file(), from memory; `name` is the name shown in
 * diagnostics and the base for its child references.  Never shared with
 * another load. */
CADENCE_API int cadence_project_load_buffer(const cadence_def **out, cadence_project *project,
					    const char *name, const char *data, size_t len,
					    cadence_diags *diags);

/* Resolves the child measure `measure` (an index into def's measures) to
 * the cadence it runs, loading its file when needed.  Returns 0 with *out
 * set; CADENCE_ENOTFOUND when no file matches the reference (nothing is
 * added to diags: the checker reports it at the reference);
 * CADENCE_EINVALID when the child's file has errors; CADENCE_EOUTSIDE
 * when it is outside the root of the file of `def`
 * (cadence_project_set_root(); nothing is read nor added to diags);
 * CADENCE_EINVAL when the measure is not a child measure; CADENCE_ENOMEM.
 * When `path_out` is not NULL it receives the path tried, valid until the
 * next call. */
CADENCE_API int cadence_project_child(const cadence_def **out, const char **path_out,
				      cadence_project *project, const cadence_def *def,
				      size_t measure, cadence_diags *diags);

/* Number of files loaded so far, with or without errors. */
CADENCE_API size_t cadence_project_file_count(const cadence_project *project);

/* Every cadence loaded so far without errors, in load order. */
CADENCE_API size_t cadence_project_count(const cadence_project *project);
CADENCE_API const cadence_def *cadence_project_get(const cadence_project *project, size_t i);

#ifdef __cplusplus
}
#endif

#endif
