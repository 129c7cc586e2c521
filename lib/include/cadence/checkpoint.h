/* SPDX-License-Identifier: MIT */
/*
 * cadence/checkpoint.h - checkpoints: where a run is, so that it can go on
 * after a failure, a kill or a reboot (docs/observability.md).
 *
 * After each measure that completes, at every depth (inside child
 * cadences too), and inside a dag as its tasks end, the engine hands a
 * checkpoint to the run's on_checkpoint callback: the score of every
 * cadence being run, from the root to the innermost child, the next
 * measure of each, the tasks of a running dag that ended ok with their
 * changes, and the SHA-256 of every cadence file the runner's project
 * loaded.  Saved with
 * cadence_checkpoint_write_file() (atomic), it is read back with
 * cadence_checkpoint_read_file() and resumed with
 * cadence_runner_run_checkpointed(): the run continues after the last
 * completed measure and ends with the score an uninterrupted run would
 * have given.
 *
 *     cadence_checkpoint *cp;
 *     if (cadence_checkpoint_read_file(&cp, "run.ckpt", &err) ||
 *         cadence_checkpoint_check_files(cp, project, &err))
 *             fail(err.message);
 *     cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
 *     co.resume = cp;
 *     cadence_runner_run_checkpointed(&out, runner, NULL, &co, &err);
 *
 * Ownership follows cadence/common.h; a checkpoint handed to the callback
 * is borrowed for the call only.  Thread-safety: a checkpoint is
 * read-only once made; distinct runs may resume from one checkpoint at
 * once.  Functions return 0 or a negative cadence_error; errors with a
 * cadence_run_error fill its message.
 */
#ifndef CADENCE_CHECKPOINT_H
#define CADENCE_CHECKPOINT_H

#include "cadence/common.h"
#include "cadence/project.h"
#include "cadence/run.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_checkpoint cadence_checkpoint;

/* Called on the run's thread after each completed measure, and in a dag
 * after tasks ended ok; `checkpoint` is borrowed for the call.  Returns 0,
 * or a negative cadence_error (such as CADENCE_EIO from
 * cadence_checkpoint_write_file()) with the reason in `err` (never NULL; an
 * empty struct of this library's version): the run then stops, failing
 * with that code and "the checkpoint after this measure could not be
 * saved: " (in a dag: "the checkpoint after its tasks that ended could not
 * be saved: ") and the reason. */
typedef int (*cadence_checkpoint_fn)(void *ctx, const cadence_checkpoint *checkpoint,
				     cadence_run_error *err);

typedef struct cadence_checkpoint_opts {
	unsigned version;	/* CADENCE_CHECKPOINT_OPTS_VERSION */
	/* Where to start: NULL, from the first measure with the input
	 * score; else after the checkpoint's last completed measure, with
	 * its scores (the input must then be NULL).  Borrowed for the run. */
	const cadence_checkpoint *resume;
	cadence_checkpoint_fn on_checkpoint;	/* NULL: none */
	void *ctx;
	/* Version 2.  NULL, or where a run that fails (CADENCE_EFAILED) puts
	 * the root cadence's score as it stood when it stopped, after its
	 * on_error handler's changes (the caller owns it; NULL when the run
	 * did not fail, or failed before it had a score).  `cadence run`
	 * prints it on stdout. */
	cJSON **failed_score;
} cadence_checkpoint_opts;

#define CADENCE_CHECKPOINT_OPTS_VERSION 2
#define CADENCE_CHECKPOINT_OPTS_INIT { CADENCE_CHECKPOINT_OPTS_VERSION, NULL, NULL, NULL, NULL }

/*
 * cadence_runner_run() with checkpoints (`opts` may be NULL).  Returns as
 * cadence_runner_run(); a resume point that does not fit the runner's
 * cadence (another cadence, a position past its measures, a child measure
 * that is no longer there, a score that does not fit its declaration)
 * returns CADENCE_EINVALID before anything runs; an input beside a
 * resume point, CADENCE_EINVAL; opts of an unknown version,
 * CADENCE_EVERSION.  The files
 * are not compared here: call cadence_checkpoint_check_files() first.
 */
CADENCE_API int cadence_runner_run_checkpointed(cJSON **out, cadence_runner *runner,
						const cJSON *input,
						const cadence_checkpoint_opts *opts,
						cadence_run_error *err);
/* Thread-safety as cadence_runner_run(): several runs at once, each with
 * its own opts; on_checkpoint is called on the thread of its run. */

/* Reads a checkpoint from memory or a file.  Returns 0; CADENCE_EINVALID
 * when the text is not a checkpoint (not JSON, truncated, a missing or
 * mistyped key, another format version), with the reason in err;
 * CADENCE_EIO when the file cannot be read (err says why);
 * CADENCE_ENOMEM.  `err` may be NULL. */
CADENCE_API int cadence_checkpoint_parse(cadence_checkpoint **out, const char *data, size_t len,
			     cadence_run_error *err);
CADENCE_API int cadence_checkpoint_read_file(cadence_checkpoint **out, const char *path,
				 cadence_run_error *err);
/* *out is owned by the caller; both are thread-safe.  Releases a
 * checkpoint read back (never one handed to on_checkpoint). */
CADENCE_API void cadence_checkpoint_free(cadence_checkpoint *checkpoint);

/* Writes the checkpoint as JSON (one object and a newline) to `out`
 * (borrowed).  Returns 0, CADENCE_ENOMEM or CADENCE_EIO (the stream's
 * error indicator, ferror(), is set).  Thread-safe
 * (the checkpoint is only read). */
CADENCE_API int cadence_checkpoint_write(const cadence_checkpoint *checkpoint, FILE *out);
/* The same into `path`, replaced atomically and durably (written to a
 * temporary file in the same directory, fsync'd, renamed, the directory
 * fsync'd), a new file 0600 less the umask, a replaced one keeping its
 * owner, group and mode: a reader sees the previous checkpoint or this
 * one, even after a kill.  A device, FIFO or /dev/stdout is written in
 * place, a symbolic link's target replaced (docs/reliability.md, "Output
 * paths").  It takes no lock: a program that runs two runs with one file
 * must keep them apart.  Returns 0, CADENCE_ENOMEM or CADENCE_EIO (err
 * says why; may be NULL). */
CADENCE_API int cadence_checkpoint_write_file(const cadence_checkpoint *checkpoint,
					      const char *path, cadence_run_error *err);

/* cadence_runner_prepare() for a resume from `checkpoint`: the same, but
 * a checkpoint whose run had completed runs no note, so a C function no
 * plugin provides is no error then.  Returns as cadence_runner_prepare(). */
CADENCE_API int cadence_runner_prepare_resume(cadence_runner *runner,
					      const cadence_checkpoint *checkpoint,
					      cadence_run_error *err);

/* Compares the checkpoint's file hashes with the files `project` loaded
 * (prepare the runner first, so that every child is loaded).  Returns 0
 * when they are the same files with the same bytes; CADENCE_EINVALID when
 * one changed, appeared or went away (err names it); CADENCE_ENOMEM. */
CADENCE_API int cadence_checkpoint_check_files(const cadence_checkpoint *checkpoint,
				   const cadence_project *project, cadence_run_error *err);
/* (Reads the project: not while another thread loads into it.) */

/* Accessors; strings are borrowed from the checkpoint.  Thread-safe. */
CADENCE_API const char *cadence_checkpoint_cadence(const cadence_checkpoint *checkpoint);	/* root's name */
/* The root cadence file, absolute when it was written; NULL for a
 * cadence built in code. */
CADENCE_API const char *cadence_checkpoint_file(const cadence_checkpoint *checkpoint);
CADENCE_API const char *cadence_checkpoint_run_id(const cadence_checkpoint *checkpoint);
/* 1 when the root cadence had completed: resuming runs nothing, and
 * needs no C function (no plugin). */
CADENCE_API int cadence_checkpoint_complete(const cadence_checkpoint *checkpoint);
/* The root cadence's saved score (of a complete checkpoint: the final
 * score); NULL for a checkpoint without frames. */
CADENCE_API const cJSON *cadence_checkpoint_score(const cadence_checkpoint *checkpoint);
/* Where it stands, for people: "checkout: 2 of 5 measures done;
 * checkout/payment: 1 of 3". */
CADENCE_API const char *cadence_checkpoint_position(const cadence_checkpoint *checkpoint);

#ifdef __cplusplus
}
#endif

#endif
