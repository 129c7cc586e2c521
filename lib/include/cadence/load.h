/* SPDX-License-Identifier: MIT */
/*
 * cadence/load.h - reading cadence files into the cadence graph.
 *
 * Loading checks the file's structure (YAML, keys, types, names) and reports
 * every problem into a cadence_diags list; see docs/format.md for the format
 * and docs/rules.md for the problems.  Ownership and thread-safety follow
 * cadence/common.h: a cadence_def is immutable once loaded.
 */
#ifndef CADENCE_LOAD_H
#define CADENCE_LOAD_H

#include "cadence/common.h"

#include "cadence/diag.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_def cadence_def;

typedef struct cadence_load_opts {
	unsigned version;	/* CADENCE_LOAD_OPTS_VERSION */
	size_t max_file_size;	/* bytes; 0 = CADENCE_DEFAULT_MAX_FILE_SIZE */
	size_t max_depth;	/* nesting levels; 0 = CADENCE_DEFAULT_MAX_DEPTH */
} cadence_load_opts;

#define CADENCE_LOAD_OPTS_VERSION 1
#define CADENCE_LOAD_OPTS_INIT { CADENCE_LOAD_OPTS_VERSION, 0, 0 }
#define CADENCE_DEFAULT_MAX_FILE_SIZE ((size_t)16 * 1024 * 1024)
#define CADENCE_DEFAULT_MAX_DEPTH 64
/* Entries a cadence may hold (rule too-many-items, docs/format.md
 * "Limits"): notes, score fields, measures, names in one list (`reads`,
 * `writes`, the notes of a sync, a sequence or a split's branch), and
 * fields in one mapping of a note (`set`, `with`, `merge`, `fallback`). */
#define CADENCE_MAX_NOTES 10000
#define CADENCE_MAX_FIELDS 10000
#define CADENCE_MAX_MEASURES 10000
#define CADENCE_MAX_NAMES 10000
/* tasks in one dag measure, and the most a dag's `jobs:` may run at once */
#define CADENCE_MAX_TASKS 10000
#define CADENCE_MAX_DAG_JOBS 1024

/*
 * Loads the cadence in the file at `path`.  Problems are added to `diags`
 * (file names as given in `path`).  Returns 0 with *out set when the file
 * has no errors (it may have warnings); CADENCE_EINVALID when it has errors
 * (*out is NULL, the reasons are in diags); CADENCE_ENOMEM.  An unreadable
 * file is reported in diags (rule file-unreadable) and returns
 * CADENCE_EINVALID.  `opts` may be NULL; one of an unknown version gives
 * CADENCE_EVERSION.
 */
CADENCE_API int cadence_load_file(cadence_def **out, const char *path,
		      const cadence_load_opts *opts, cadence_diags *diags);

/* As cadence_load_file(), from memory: `name` is the file name shown in
 * diagnostics and the base for relative child paths; data need not be
 * NUL-terminated and is copied. */
CADENCE_API int cadence_load_buffer(cadence_def **out, const char *name, const char *data,
			size_t len, const cadence_load_opts *opts,
			cadence_diags *diags);

CADENCE_API void cadence_def_free(cadence_def *def);

/* The cadence's name; borrowed. */
CADENCE_API const char *cadence_def_name(const cadence_def *def);
/* The path or name it was loaded from; borrowed. */
CADENCE_API const char *cadence_def_path(const cadence_def *def);
CADENCE_API size_t cadence_def_field_count(const cadence_def *def);
CADENCE_API size_t cadence_def_note_count(const cadence_def *def);
CADENCE_API size_t cadence_def_measure_count(const cadence_def *def);

#ifdef __cplusplus
}
#endif
#endif
