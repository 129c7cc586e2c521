/* SPDX-License-Identifier: MIT */
/*
 * cadence/builder.h - building a cadence in C, without a file.
 *
 *     cadence_builder *b;
 *     cadence_def *def;
 *     cadence_builder_new(&b, "checkout");
 *     cadence_builder_field(b, "total", "number", NULL, 0);
 *     cadence_builder_symbol(b, "price", "price_items");
 *     cadence_builder_retry(b, "price", 3, 100, 2, -1, 0);
 *     cadence_builder_then(b, "price", NULL);
 *     cadence_run_error err = CADENCE_RUN_ERROR_INIT;
 *     if (cadence_builder_finish(&def, b, &err))
 *             fprintf(stderr, "%s\n", err.message);
 *     cadence_run_error_clear(&err);
 *     cadence_builder_free(b);
 *
 * The result is the same graph the loader makes from a file (a
 * cadence_def), so the checker, the diagram writers and the run engine
 * (cadence/run.h) take it as they take a loaded one.  Its path is NULL: a
 * `run` note's relative executable is relative to the working directory,
 * and `child` measures find built children through
 * cadence_runner_add_cadence(), then (given a project) files relative to
 * the working directory, for the checker and the diagram writers too.
 *
 * Errors are sticky: after the first failed call, every call returns the
 * same error and does nothing, and cadence_builder_finish() returns it
 * with what went wrong in its `err`, so a sequence of calls is checked
 * once, at the end (a bad name given to cadence_builder_new() is such a
 * failure: the builder is made, and the name is reported).  Returns: 0, CADENCE_EINVAL (a bad argument: a bad or
 * repeated name, an unknown type or note...), CADENCE_ENOMEM.
 *
 * Strings are copied; cJSON values are copied.  Lists of names are
 * NULL-terminated arrays.  Ownership and thread-safety follow
 * cadence/common.h.
 */
#ifndef CADENCE_BUILDER_H
#define CADENCE_BUILDER_H

#include "cadence/common.h"

#include "cadence/load.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_builder cadence_builder;

/* A builder of the cadence `name`.  Returns 0 or CADENCE_ENOMEM. */
CADENCE_API int cadence_builder_new(cadence_builder **out, const char *name);
CADENCE_API void cadence_builder_free(cadence_builder *b);

/* ---- the score ---------------------------------------------------------- */

enum {
	CADENCE_FIELD_REQUIRED = 1,
	CADENCE_FIELD_IMMUTABLE = 2
};

/* A score field: `type` is "string", "integer", "number", "boolean",
 * "array", "object" or "any"; `def` its default (NULL: none); flags are
 * CADENCE_FIELD_*. */
CADENCE_API int cadence_builder_field(cadence_builder *b, const char *name, const char *type,
			  const cJSON *def, unsigned flags);

/* ---- notes: declare one binding, then its policies ----------------------- */

CADENCE_API int cadence_builder_symbol(cadence_builder *b, const char *note, const char *function);
CADENCE_API int cadence_builder_run(cadence_builder *b, const char *note, const char *const *argv);
/* A `set` note, or one more field of it: `field: expression`. */
CADENCE_API int cadence_builder_set(cadence_builder *b, const char *note, const char *field,
			const char *expression);

CADENCE_API int cadence_builder_reads(cadence_builder *b, const char *note, const char *const *fields);
CADENCE_API int cadence_builder_writes(cadence_builder *b, const char *note, const char *const *fields);
/* A `run` note's `env:`: the variables of the runner's environment it
 * receives besides those always passed (docs/run.md, "Environment");
 * `variables` NULL or empty: those alone.  Without this call, all. */
CADENCE_API int cadence_builder_env(cadence_builder *b, const char *note,
			const char *const *variables);
/* max_delay_ms -1: no cap. */
CADENCE_API int cadence_builder_retry(cadence_builder *b, const char *note, unsigned attempts,
			  int64_t delay_ms, double backoff, int64_t max_delay_ms, double jitter);
CADENCE_API int cadence_builder_timeout(cadence_builder *b, const char *note, int64_t ms);
/* One more field of the note's fallback. */
CADENCE_API int cadence_builder_fallback(cadence_builder *b, const char *note, const char *field,
			     const cJSON *value);
CADENCE_API int cadence_builder_breaker(cadence_builder *b, const char *note, int64_t failure_threshold,
			    int64_t recovery_ms, int64_t half_open_max);

/* ---- measures, in order ------------------------------------------------------ */

/* Runs `note` (NULL: the note named like the measure). */
CADENCE_API int cadence_builder_then(cadence_builder *b, const char *measure, const char *note);
CADENCE_API int cadence_builder_sequence(cadence_builder *b, const char *measure, const char *const *notes);
/* merge: "fail_on_conflict" (NULL), "last_write_wins" or "smart_merge". */
CADENCE_API int cadence_builder_sync(cadence_builder *b, const char *measure, const char *merge,
			 const char *const *notes);
CADENCE_API int cadence_builder_split(cadence_builder *b, const char *measure, const char *when,
			  const char *const *if_true, const char *const *if_false);
/* Runs the cadence named `cadence` (NULL: the measure's name).  `with` and
 * `merge` are NULL-terminated lists of FIELD, EXPRESSION pairs (may be
 * NULL): child fields from this score; this score's fields from the
 * child's final score. */
CADENCE_API int cadence_builder_child(cadence_builder *b, const char *measure, const char *cadence,
			  const char *const *with, const char *const *merge);

/* A dag (docs/format.md, "dag"); its tasks follow, with
 * cadence_builder_task().  merge as for a sync; on_failure "finish"
 * (NULL), "stop" or "continue"; jobs: most tasks at once, 1 to
 * CADENCE_MAX_DAG_JOBS (0: one per CPU). */
CADENCE_API int cadence_builder_dag(cadence_builder *b, const char *measure, const char *merge,
				    const char *on_failure, unsigned jobs);
/* One more task of the dag just added: runs `note` (NULL: the note named
 * like the task) once the tasks `after` (NULL or a NULL-terminated list)
 * have ended, unless the expression `when` (NULL: none) gives false. */
CADENCE_API int cadence_builder_task(cadence_builder *b, const char *task, const char *note,
				     const char *const *after, const char *when);
/* A task of the dag just added that runs the cadence `cadence` (NULL: the
 * task's name) as a child measure does, `with` and `merge` as for
 * cadence_builder_child() (its fields from the task's input; the task's
 * changes from the child's final score); after and when as for
 * cadence_builder_task(). */
CADENCE_API int cadence_builder_child_task(cadence_builder *b, const char *task,
					   const char *cadence, const char *const *with,
					   const char *const *merge, const char *const *after,
					   const char *when);

CADENCE_API int cadence_builder_on_error(cadence_builder *b, const char *note, int stop);
/* The cadence's schedule (docs/format.md, "schedule"): `cron` (5 fields
 * or a macro; checked by cadence_check(), as a file's), `timezone` (NULL:
 * UTC); overlap "skip" (NULL), "queue_one", "replace" or "allow"; catch_up
 * "none" (NULL), "latest" or "all", with catch_up_max (0: the default,
 * 10); jitter_ms 0 for none; score NULL or an object (copied): the input
 * of scheduled runs. */
CADENCE_API int cadence_builder_schedule(cadence_builder *b, const char *cron,
					 const char *timezone, const char *overlap,
					 const char *catch_up, unsigned catch_up_max,
					 int64_t jitter_ms, const cJSON *score);
/* The cadence's precheck (docs/format.md, "precheck"): exactly one of the
 * expression `when` and the note `note`, the other NULL. */
CADENCE_API int cadence_builder_precheck(cadence_builder *b, const char *when, const char *note);

/* ---- the result ------------------------------------------------------------- */

/* The cadence, owned by the caller (cadence_def_free).  Checks that it has
 * a measure and that every note a measure names is declared; returns 0,
 * or the first failure of any call on the builder — CADENCE_EINVAL,
 * CADENCE_ENOMEM — with its message in `err` (cadence/common.h; may be
 * NULL), or CADENCE_EVERSION for an err of an unknown version.  After a
 * success the builder is empty: free it (any other call on it fails with
 * CADENCE_EINVAL). */
CADENCE_API int cadence_builder_finish(cadence_def **out, cadence_builder *b,
				       cadence_run_error *err);

#ifdef __cplusplus
}
#endif

#endif
