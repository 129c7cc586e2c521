/* SPDX-License-Identifier: MIT */
/*
 * cadence/run.h - running a cadence: the engine behind `cadence run`.
 *
 *     cadence_runner *r;
 *     cadence_run_error err = CADENCE_RUN_ERROR_INIT;
 *     cJSON *out;
 *     cadence_runner_new(&r, project, def, NULL);
 *     cadence_runner_register(r, "charge_card", charge_card, NULL);
 *     if (cadence_runner_run(&out, r, input, &err))
 *             fprintf(stderr, "%s\n", err.message);
 *     cadence_run_error_clear(&err);
 *
 * A runner holds what does not change between runs: the cadence and its
 * children (compiled once: expressions, note lookups, field tables), the
 * symbol functions, the loaded plugins, the options, the circuit breakers
 * and the thread pool.  The semantics are in docs/run.md.
 *
 * Ownership follows cadence/common.h.  Thread-safety: set a runner up
 * (register, load plugins) from one thread; after that,
 * cadence_runner_run() may be called from several threads at once, each
 * run with its own score.  Hooks are called on the thread that called
 * cadence_runner_run(), one at a time.
 */
#ifndef CADENCE_RUN_H
#define CADENCE_RUN_H

#include "cadence/common.h"
#include "cadence/load.h"
#include "cadence/note.h"
#include "cadence/project.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_runner cadence_runner;

/* ---- events ------------------------------------------------------------ */

typedef enum cadence_event_kind {
	CADENCE_EVENT_CADENCE_START,	/* a cadence (the root or a child) starts */
	CADENCE_EVENT_CADENCE_END,	/* ... ends; status 0 or an error code */
	CADENCE_EVENT_MEASURE_START,
	CADENCE_EVENT_MEASURE_END,	/* status 0 or an error code */
	CADENCE_EVENT_NOTE_START,	/* an attempt starts */
	CADENCE_EVENT_NOTE_END,		/* an attempt ends; status: cadence_note_status */
	CADENCE_EVENT_RETRY,		/* an attempt failed; the next one waits delay_ms */
	CADENCE_EVENT_FALLBACK,		/* a note failed for good; its fallback applies */
	CADENCE_EVENT_ERROR,		/* a measure failed for good; message says why */
	CADENCE_EVENT_LOG,		/* one line a `run` note wrote to stderr */
	CADENCE_EVENT_BREAKER,		/* a note's circuit breaker after a call: status
					 * its cadence_breaker_state, previous the one before */
	CADENCE_EVENT_CONFLICT,		/* notes of a sync changed a field differently: field,
					 * note (the later one), message; an ERROR follows */
	/* Added in 0.2.0 with the dag measure (appended: the values above keep
	 * their numbers; a hook that switches on kinds should ignore kinds it
	 * does not know).  Each names `task` and its `note`. */
	CADENCE_EVENT_TASK_START,	/* a task of a dag starts (before its first attempt) */
	CADENCE_EVENT_TASK_END,		/* ... ends; status: cadence_task_outcome (ok, failed,
					 * cancelled), message: the failure; a task that never
					 * started ends cancelled without a TASK_START */
	CADENCE_EVENT_TASK_SKIPPED	/* a task did not run; status CADENCE_TASK_SKIPPED,
					 * message the reason: its `when`, or the task upstream
					 * that failed (`field` NULL) */
} cadence_event_kind;

/* How a task of a dag ended (docs/format.md, "dag"). */
typedef enum cadence_task_outcome {
	CADENCE_TASK_OK,
	CADENCE_TASK_FAILED,
	CADENCE_TASK_SKIPPED,
	CADENCE_TASK_CANCELLED
} cadence_task_outcome;

typedef enum cadence_breaker_state {
	CADENCE_BREAKER_CLOSED,
	CADENCE_BREAKER_OPEN,
	CADENCE_BREAKER_HALF_OPEN
} cadence_breaker_state;

typedef enum cadence_note_status {
	CADENCE_NOTE_STATUS_OK,
	CADENCE_NOTE_STATUS_FAILED,
	CADENCE_NOTE_STATUS_SKIPPED,	/* the note asked to be skipped */
	CADENCE_NOTE_STATUS_INTERRUPT,	/* the note ended the cadence early */
	CADENCE_NOTE_STATUS_REJECTED	/* its circuit breaker is open */
} cadence_note_status;

/* (A field the reporters of cadence/report.h read is also carried by the
 * report queue's records, lib/src/report/queue.c.) */
typedef struct cadence_event {
	cadence_event_kind kind;
	const char *cadence;	/* the cadence's name */
	const char *path;	/* "root/child/grandchild": where in the run */
	unsigned depth;		/* 0 for the root cadence */
	const char *measure;	/* NULL for cadence events */
	const char *measure_kind;	/* "then", "sync", ... */
	size_t measure_index;	/* 0-based, in the cadence's measures */
	size_t measure_count;
	const char *note;	/* note events */
	unsigned attempt;	/* 1-based */
	unsigned attempts;	/* the note's retry attempts (1 without retry) */
	int status;		/* see the kinds above */
	int64_t duration_ns;	/* *_END events */
	int64_t delay_ms;	/* RETRY */
	const char *message;	/* RETRY, FALLBACK, ERROR, LOG, failed NOTE_END */
	const char *run_id;
	/* A failed NOTE_END: why, as one word (docs/observability.md):
	 * "timeout", "exit_status", "signal", "spawn", "output", "change",
	 * "expression", "note", "breaker_open", "cancelled" */
	const char *error_type;
	const char *field;	/* CONFLICT, and ERROR when a field is concerned */
	int previous;		/* BREAKER: the state before the call */
	/* Appended with the dag measure (the struct is the library's, read
	 * through a pointer: older hooks read the fields above only).  TASK_*
	 * events, and the NOTE_* events of a task's note: the task's name;
	 * else NULL. */
	const char *task;
	/* Appended later still: a split's MEASURE_END, the branch its
	 * condition chose, "if_true" or "if_false" (NULL when the condition
	 * failed, and for other measures and events). */
	const char *branch;
	/* Appended with cadence_run_hooks version 2: the note's events
	 * (NOTE_*, RETRY, FALLBACK, BREAKER, LOG and a task's) carry what the
	 * hooks' on_note returned for the note; NULL otherwise, and without
	 * on_note. */
	void *note_data;
	/* Appended with trace context (W3C Trace Context; docs/observability.md,
	 * "Traces").  Every event of a run: the run's trace id, 128 bits,
	 * [0] its high 64 bits (the first 16 hex digits of a traceparent),
	 * [1] its low ones; the caller's (cadence_run_opts.traceparent), else
	 * a random one per run.  Never zero. */
	uint64_t trace_id[2];
	/* NOTE_START, NOTE_END, RETRY, FALLBACK, BREAKER and LOG events of a
	 * note's attempt: the attempt's span id (a `run` note's TRACEPARENT
	 * carries it); 0 for other events and for a fallback taken without
	 * an attempt. */
	uint64_t span_id;
	/* The root's CADENCE_START: the caller's span (the parent id of the
	 * traceparent), the parent of the run's root span; 0 when the run
	 * has no caller's trace, and for other events. */
	uint64_t parent_span_id;
} cadence_event;

typedef struct cadence_run_hooks {
	unsigned version;	/* CADENCE_RUN_HOOKS_VERSION */
	void *ctx;
	void (*on_event)(void *ctx, const cadence_event *event);
	/* Version 2 (may be NULL): called once per note of every cadence the
	 * runner prepares (the root's and its children's, before the first
	 * run), on the thread that starts that run; what it returns comes
	 * back as `note_data` in every event of the note, so that a hook
	 * finds what it keeps per note without looking it up on each event
	 * (cadence_metrics_on_note()).  The strings are the runner's and
	 * live as long as it does. */
	void *(*on_note)(void *ctx, const char *cadence, const char *note);
} cadence_run_hooks;

#define CADENCE_RUN_HOOKS_VERSION 2
#define CADENCE_RUN_HOOKS_INIT { CADENCE_RUN_HOOKS_VERSION, NULL, NULL, NULL }

/* ---- options ------------------------------------------------------------ */

/* A clock, replaceable for tests: monotonic nanoseconds, wall-clock
 * milliseconds (circuit breakers persist it), and a sleep that returns
 * early, with non-zero, when `cancelled` becomes readable. */
typedef struct cadence_clock {
	unsigned version;	/* CADENCE_CLOCK_VERSION */
	void *ctx;
	int64_t (*mono_ns)(void *ctx);
	int64_t (*wall_ms)(void *ctx);
	int (*sleep_ns)(void *ctx, int64_t ns, int cancelled_fd);
} cadence_clock;

#define CADENCE_CLOCK_VERSION 1
#define CADENCE_CLOCK_INIT { CADENCE_CLOCK_VERSION, NULL, NULL, NULL, NULL }

typedef struct cadence_run_opts {
	unsigned version;	/* CADENCE_RUN_OPTS_VERSION */
	/* Notes of one `sync` running at once; 0: all of them, with `symbol`
	 * notes on one thread per CPU.  It also lowers a `dag`'s `jobs:` (the
	 * tasks it runs at once; by default one per CPU). */
	unsigned jobs;
	/* Environment of `run` notes, NULL-terminated "NAME=value"; NULL:
	 * this process's environment.  CADENCE_* variables are added. */
	char *const *environment;
	/* Directory where circuit breakers keep their state between
	 * processes (created when missing); NULL: in memory, per runner. */
	const char *state_dir;
	/* Bytes a `run` note may write to stdout; 0: CADENCE_DEFAULT_MAX_OUTPUT. */
	size_t max_output;
	/* From SIGTERM to SIGKILL when a `run` note is stopped; 0: default. */
	int64_t kill_grace_ms;
	const cadence_run_hooks *hooks;	/* copied; NULL: none */
	const cadence_clock *clock;	/* copied; NULL: the system clock */
	uint64_t seed;		/* retry jitter; 0: from the time */
	/* Version 2.  The caller's trace context: a W3C `traceparent` value
	 * (cadence_traceparent_parse()), whose trace the runs join: their
	 * events carry its trace id, the root's CADENCE_START its parent id,
	 * and `run` notes get TRACEPARENT with the trace id, their attempt's
	 * span id and its flags.  Read by cadence_runner_new() (not kept).
	 * NULL (and in version 1): each run starts a trace of its own. */
	const char *traceparent;
} cadence_run_opts;

#define CADENCE_RUN_OPTS_VERSION 2
#define CADENCE_RUN_OPTS_INIT { CADENCE_RUN_OPTS_VERSION, 0, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
#define CADENCE_DEFAULT_MAX_OUTPUT ((size_t)1 << 20)
#define CADENCE_DEFAULT_KILL_GRACE_MS 2000
#define CADENCE_MAX_CHILD_DEPTH 64
/* Arrays and objects in a score nest at most this deep, the score object
 * itself being level 1: the input, every change (a note's output, a C
 * note's or an expression's value) and a checkpoint's scores.  Deeper is
 * refused, so whatever a run holds, its checkpoint can be read back. */
#define CADENCE_MAX_SCORE_DEPTH 512

/* Errors: cadence_run_error, in cadence/common.h. */

/*
 * Reads a W3C Trace Context `traceparent` header value
 * (https://www.w3.org/TR/trace-context/), as TRACEPARENT carries it:
 * "00-<trace id: 32 lowercase hex digits>-<parent id: 16>-<flags: 2>",
 * neither id all zeros.  A version above 00 (but not ff) is read by its
 * first four fields, as the specification says, and may go on after a
 * '-'.  On success returns 0 with the trace id in trace_id[0] (its high
 * 64 bits) and trace_id[1], the parent id in *span_id and the flags
 * (0-255) in *flags; any of them may be NULL (not wanted).  Otherwise
 * they are 0 and it returns CADENCE_EINVAL, err saying what is wrong and
 * the expected form (the value quoted, cut to 64 bytes, bytes that are
 * not printable ASCII as \xNN); CADENCE_EVERSION, doing nothing, for an
 * err of an unknown version.  `s` (borrowed for the call) may be NULL
 * (invalid); err may be NULL.  No state: thread-safe.
 * cadence_run_opts.traceparent is read with it.
 */
CADENCE_API int cadence_traceparent_parse(uint64_t trace_id[2], uint64_t *span_id,
					  unsigned *flags, const char *s,
					  cadence_run_error *err);


/* ---- the runner ------------------------------------------------------------ */

/*
 * A runner for `def`.  `project` (may be NULL) resolves `child` measures
 * of cadences loaded from files; cadences built in code can be made
 * available to `child` measures with cadence_runner_add_cadence().  Both
 * `project` and `def` are borrowed and must outlive the runner.  `opts`
 * may be NULL.  Returns 0, CADENCE_EVERSION (opts, its hooks or its clock
 * of an unknown version), CADENCE_EINVAL (opts->traceparent is not a
 * valid traceparent: cadence_traceparent_parse() says why; check it
 * first), CADENCE_ENOMEM, or CADENCE_EIO (no pipe for
 * cadence_runner_cancel(): out of file descriptors).  The runner loads
 * children into `project` when it is prepared, and reads it in each run:
 * no other thread may change the project (another runner's preparation,
 * cadence_check()) while this runner prepares or runs.
 */
CADENCE_API int cadence_runner_new(cadence_runner **out, cadence_project *project,
		       const cadence_def *def, const cadence_run_opts *opts);
CADENCE_API void cadence_runner_free(cadence_runner *runner);

/* Makes `fn` the function of notes bound with `symbol: NAME`; `userdata`
 * is passed to it.  Registered functions come before plugins.  Returns 0,
 * CADENCE_EINVAL (an empty name, a NULL fn, or once the runner is
 * prepared: after cadence_runner_prepare() or the first run) or
 * CADENCE_ENOMEM. */
CADENCE_API int cadence_runner_register(cadence_runner *runner, const char *name,
			    cadence_note_fn fn, void *userdata);

/* Loads a plugin: a shared object whose exported functions are looked up
 * by the names of `symbol` notes (cadence/note.h, "plugin"); only the
 * functions it defines itself, not those of the libraries it links.  Returns 0;
 * CADENCE_EIO when it cannot be loaded (dlopen's reason in err);
 * CADENCE_ENOTSUP when it declares no note API (CADENCE_NOTE_PLUGIN), one
 * this library does not provide, or carries its own copy of the note
 * functions (err names the versions or the symbol, and what to do);
 * CADENCE_EINVAL once the runner is prepared; CADENCE_ENOMEM. */
CADENCE_API int cadence_runner_load_plugin(cadence_runner *runner, const char *path,
			       cadence_run_error *err);

/* Makes `def` (borrowed) the cadence that `child` measures naming it
 * (`cadence: NAME`) run, before any file is looked for.  For cadences
 * built in code.  Returns 0, CADENCE_EINVAL (a NULL def, or once the
 * runner is prepared), or CADENCE_ENOMEM. */
CADENCE_API int cadence_runner_add_cadence(cadence_runner *runner, const cadence_def *def);

/*
 * Compiles the cadence and its children: resolves children, notes and
 * symbols, compiles expressions.  Called by the first run; call it to
 * report problems before running.  Returns 0; CADENCE_EINVALID with the
 * problem in err (a child that cannot be loaded, an expression that does
 * not compile, a symbol no one provides); CADENCE_ENOMEM.
 */
CADENCE_API int cadence_runner_prepare(cadence_runner *runner, cadence_run_error *err);

/*
 * Runs the cadence on `input` (a JSON object of score fields; NULL means
 * {}).  On success returns 0 and the final score in *out (owned by the
 * caller).  Otherwise *out is NULL and err says why:
 *   CADENCE_EINVALID  the input does not fit the score declaration (err->field
 *                     names the field), or cadence_runner_prepare() failed;
 *                     nothing ran
 *   CADENCE_EFAILED   the cadence failed: err names the cadence, measure,
 *                     note and attempt
 *   CADENCE_ECANCELED cadence_runner_cancel() was called; running notes
 *                     were stopped; err says where
 *   CADENCE_ENOMEM, CADENCE_EIO
 *   CADENCE_EVERSION  err is of a version this library does not know
 * `err` may be NULL.  Every function of this header that takes an `err`
 * returns CADENCE_EVERSION for one of an unknown version, doing nothing.
 */
CADENCE_API int cadence_runner_run(cJSON **out, cadence_runner *runner, const cJSON *input,
				   cadence_run_error *err);

/* ---- one step: a note, or a measure's merge, alone (`cadence step`) ----- */

/* cadence_step_opts.flags. */
#define CADENCE_STEP_NO_POLICIES 1u	/* one attempt: no retry, timeout or fallback */
#define CADENCE_STEP_APPLY 2u		/* *out: the whole score, the changes applied */
#define CADENCE_STEP_FALLBACK 4u	/* do not run the note: its `fallback:` values */
#define CADENCE_STEP_MEASURE 8u		/* no note: the whole measure opts->measure */
#define CADENCE_STEP_PRECHECK 16u	/* no note: the cadence's `precheck:` */
/* one attempt with the note's timeout: no retry, no fallback (an engine
 * that retries a step the note failed, timed out included) */
#define CADENCE_STEP_ONE_ATTEMPT 32u

#define CADENCE_STEP_OPTS_VERSION 1u

/* What cadence_runner_step() runs and gives; NULL: the defaults
 * (CADENCE_STEP_OPTS_INIT: the note, with its policies, its changes). */
typedef struct cadence_step_opts {
	unsigned version;	/* CADENCE_STEP_OPTS_VERSION */
	unsigned flags;		/* CADENCE_STEP_* */
	size_t measure;		/* with CADENCE_STEP_MEASURE: its index, from 0 */
	/* Either not NULL: the note runs as the `on_error` handler does,
	 * seeing `error` (cadence_note_error(), CADENCE_ERROR; NULL: "") and
	 * `error_note` (cadence_note_error_note(), CADENCE_ERROR_NOTE; NULL:
	 * none).  Borrowed for the call. */
	const char *error;
	const char *error_note;
} cadence_step_opts;

#define CADENCE_STEP_OPTS_INIT { CADENCE_STEP_OPTS_VERSION, 0, 0, NULL, NULL }

/*
 * Runs one step of the runner's cadence on `input` (checked as
 * cadence_runner_run() checks it; NULL: {}) with the engine's own code:
 *   - `note` (its name in `notes:`), as a measure would run it, the same
 *     checks of its changes.  Its retry, timeout and fallback apply
 *     unless CADENCE_STEP_NO_POLICIES (one attempt, none of them) or
 *     CADENCE_STEP_ONE_ATTEMPT (one attempt, its timeout kept: a note
 *     that times out failed).  With CADENCE_STEP_FALLBACK it does
 *     not run: its `fallback:` values are its changes, checked as when it
 *     fails for good in a run;
 *   - with `note` NULL and CADENCE_STEP_MEASURE, the whole measure
 *     opts->measure (0-based, as measure_index in events; any kind), its
 *     notes with their policies; the cadence's `on_error` does not run
 *     (the caller handles the failure: run the handler as a note with
 *     opts->error);
 *   - with `note` NULL and CADENCE_STEP_PRECHECK, the cadence's
 *     `precheck:` (a condition, or a note with its policies), as a run
 *     decides it before its first measure; none: nothing to do.
 * A circuit breaker never applies (a breaker's state belongs to the
 * machine that keeps it; an engine that runs steps elsewhere keeps its
 * own).  On success returns 0 and in *out (owned by the caller) the
 * note's changes: the fields it changed ({} for none, or for a note that
 * asked to be skipped); or, with CADENCE_STEP_APPLY, a measure or the
 * precheck, the whole score after the step.  *status (may be NULL) is
 * the cadence_note_status of the note, or of the measure: OK, SKIPPED
 * (the note asked to be skipped) or INTERRUPT (a note asked to end the
 * cadence after its changes).  Otherwise *out is NULL, except for
 * CADENCE_ESTOPPED, and err says why:
 *   CADENCE_EINVAL    no note of that name (err->note names it), no such
 *                     measure, CADENCE_STEP_FALLBACK for a note without
 *                     `fallback:`, flags that do not go together (a note
 *                     and MEASURE or PRECHECK, or neither; NO_POLICIES
 *                     with ONE_ATTEMPT; NO_POLICIES, ONE_ATTEMPT,
 *                     FALLBACK or an error with MEASURE or PRECHECK;
 *                     FALLBACK with NO_POLICIES, ONE_ATTEMPT or an
 *                     error), a NULL
 *                     argument
 *   CADENCE_EINVALID  the input does not fit the score declaration, or
 *                     cadence_runner_prepare() failed; nothing ran
 *   CADENCE_EFAILED   the note or the measure failed for good (err names
 *                     it, as a run's error does), a fallback that does
 *                     not fit, a precheck condition that is not a boolean
 *   CADENCE_ESTOPPED  CADENCE_STEP_PRECHECK: the precheck stops the
 *                     cadence (err says why, as a run's); *out holds
 *                     the score all the same
 *   CADENCE_ECANCELED, CADENCE_ENOMEM
 *   CADENCE_EVERSION  opts or err of a version this library does not know
 * Thread-safety as cadence_runner_run().
 */
CADENCE_API int cadence_runner_step(cJSON **out, int *status, cadence_runner *runner,
				    const char *note, const cJSON *input,
				    const cadence_step_opts *opts, cadence_run_error *err);

/*
 * Merges what the parts of measure `measure` (0-based, as measure_index
 * in events) of the runner's cadence gave, into `input` (checked as by
 * cadence_runner_run(); NULL: {}), as the measure would at its end:
 *   - a `sync`: `parts` holds one changes object per note, in the order
 *     of its `notes:` (as cadence_runner_step() gives them); each is
 *     checked as that note's output is, then they are merged by the
 *     sync's `merge:` strategy;
 *   - a `child`: `parts` holds one object, the child's final score
 *     (checked against the child's declaration); the `merge:`
 *     expressions over it give the changes.
 * `labels` (NULL, or one string per part) name the parts in messages
 * (file names); without them, "changes N".  On success returns 0 and the
 * whole merged score in *out (owned by the caller).  Otherwise *out is
 * NULL and err says why:
 *   CADENCE_EINVAL    no such measure, one that is not a sync or a child,
 *                     a wrong number of parts, a part that is not an
 *                     object or does not fit (a field the score does not
 *                     declare, outside the note's writes, immutable,
 *                     mistyped); NULL arguments
 *   CADENCE_EINVALID  the input does not fit the score declaration, or
 *                     cadence_runner_prepare() failed
 *   CADENCE_EFAILED   the merge failed: a conflict (err->field, the same
 *                     message as a run's), a `merge:` expression that fails
 *   CADENCE_ENOMEM
 * `parts` are not changed.  Thread-safety as cadence_runner_run().
 */
CADENCE_API int cadence_runner_merge(cJSON **out, cadence_runner *runner, size_t measure,
				     const cJSON *input, const cJSON *const *parts, size_t nparts,
				     const char *const *labels, cadence_run_error *err);

/* Stops every run of `runner`, now and later: running `run` notes get
 * SIGTERM (SIGKILL after the grace period), retries stop waiting, symbol
 * notes see cadence_note_expired().  Async-signal-safe: call it from a
 * SIGINT handler. */
CADENCE_API void cadence_runner_cancel(cadence_runner *runner);

/* Checks `input` as cadence_runner_run() does before its first measure
 * (every field known, of its declared type, the required ones given),
 * without running anything or loading plugins: 0, or CADENCE_EINVALID
 * with err->message as the run's ("NAME: bad score: ..."), or
 * CADENCE_ENOMEM.  NULL is the empty score (the defaults).  Thread-safety
 * as cadence_runner_run(). */
CADENCE_API int cadence_runner_check_input(cadence_runner *runner, const cJSON *input,
					   cadence_run_error *err);

/* Writes what a run would do, without running anything (`--dry-run`).
 * Prepares the runner first; returns as cadence_runner_prepare(),
 * CADENCE_ENOMEM, or CADENCE_EIO when writing fails. */
CADENCE_API int cadence_runner_print_plan(cadence_runner *runner, FILE *out,
			      cadence_run_error *err);

#ifdef __cplusplus
}
#endif

#endif
