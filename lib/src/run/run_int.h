/* SPDX-License-Identifier: MIT */
/*
 * The engine's internal types.  One runner (runner.c) owns compiled plans
 * (plan.c), one per cadence it may run; one run (engine.c) walks a plan
 * with frames, one per cadence being run (the root, then each child), and
 * runs notes as jobs (job.c): an attempt, its retries, its fallback.
 */
#ifndef CADENCE_SRC_RUN_RUN_INT_H
#define CADENCE_SRC_RUN_RUN_INT_H

#include "cadence/checkpoint.h"
#include "cadence/run.h"
#include "model/model.h"
#include "run/breaker.h"
#include "run/exec.h"
#include "run/pool.h"
#include "run/rexpr.h"
#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct rplan;

/* Why something failed: filled where the failure is found, turned into a
 * cadence_run_error (with cadence, measure, note) where it is reported. */
typedef struct rfail {
	strbuf msg;		/* what happened, e.g. "exited with status 3" */
	const char *field;	/* borrowed from the model, or NULL */
	char *stderr_tail;	/* owned */
	int permanent;		/* retrying cannot help */
	int timeout;
	int cancelled;
	int rejected;		/* the circuit breaker is open */
	const char *type;	/* static: cadence_event.error_type; NULL: "note" */
	int waiting;		/* cancelled while waiting to retry, not running */
} rfail;

#define RFAIL_INIT { STRBUF_INIT, NULL, NULL, 0, 0, 0, 0, NULL, 0 }

/* Empties f for another use; cad_rfail_free() also releases its memory. */
void cad_rfail_reset(rfail *f);
void cad_rfail_free(rfail *f);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cad_rfail_set(rfail *f, const char *fmt, ...);

/* ---- compiled cadences ------------------------------------------------- */

/* A note's `writes`: the fields' indexes, ascending and distinct, so that
 * checking a change costs O(log writes) and a note costs no memory per
 * field of the score. */
typedef struct rwrites {
	size_t *field;
	size_t n;
} rwrites;

#define RNOTE_DECLARED 4
#define RNOTE_DECLARED_TEXT 40

typedef struct rnote {
	const cad_note *n;
	const char *name;
	struct rplan *plan;
	cadence_note_fn fn;	/* symbol */
	void *userdata;
	unsigned attempts;	/* 1 without retry */
	/* symbol: the fields it declares (reads, then writes) while their
	 * names fit in `declared`, each ended by a NUL, and their indexes:
	 * what a read by name compares first (note/call.h), in lines of the
	 * note that the engine reads anyway, where the score's name index
	 * is in no cache of the core's over thousands of fields */
	unsigned ndeclared;
	uint32_t declared_field[RNOTE_DECLARED];
	char declared[RNOTE_DECLARED_TEXT];
	char **argv;		/* run: argv[0] resolved against the cadence's directory */
	rexpr **set;		/* set: one expression per assignment */
	long *set_field;
	struct rwrites *writes;	/* NULL: any field */
	long *fallback_field;
	/* set_field and fallback_field as cad_score_check_changes()'s
	 * `known`: NULL when a field is in one twice (the loader refuses
	 * duplicate keys, the builder does not) */
	const long *set_known, *fallback_known;
	rbreaker *breaker;	/* NULL without circuit_breaker */
	void *hook_data;	/* what cadence_run_hooks.on_note returned */
} rnote;

/* A task of a dag, compiled: its note, its condition, the tasks it is
 * after and those after it (indexes in rmeasure.tasks). */
typedef struct rdtask {
	const cad_task *t;
	rnote *note;		/* NULL: a child task */
	struct rmeasure *child;	/* a child task: its child measure, compiled */
	rexpr *when;		/* NULL: none */
	size_t *after;		/* in rmeasure.edges */
	size_t nafter;
	size_t *next;		/* in rmeasure.edges */
	size_t nnext;
	size_t pos;		/* its place in the dag order */
} rdtask;

typedef struct rmeasure {
	const cad_measure *m;
	size_t index;
	rnote **notes;
	size_t nnotes;
	rnote **else_notes;
	size_t nelse;
	rexpr *when;		/* split */
	struct rplan *child;	/* child */
	rexpr **with;
	long *with_field;	/* in the child's fields */
	rexpr **merge;
	long *merge_field;	/* in this cadence's fields */
	const long *merge_known;	/* as rnote.set_known */
	rdtask *tasks;		/* dag */
	size_t ntasks;
	size_t *order;		/* dag: the tasks in dag order (docs/format.md) */
	size_t *edges;		/* dag: every after and next list, in one block */
} rmeasure;

typedef struct rplan {
	const cadence_def *def;
	const char *name;
	char *dir;		/* directory of the cadence file, with a
				 * trailing '/', or "" */
	cJSON **defaults;	/* per field: &cells[i] */
	cJSON *cells;		/* per field: its default's top item copied (a
				 * null without one), children borrowed from the
				 * model; an array of cache lines, so that a run
				 * over many fields reads one line per default,
				 * not the one or two of a malloc'd item */
	size_t *required;	/* the required fields' indexes */
	size_t nrequired;
	unsigned char *kind;	/* per field: its cad_vtype, | KIND_IMMUTABLE: what
				 * checking a change reads, in a byte */
	unsigned long long declaration;	/* a fingerprint of the field names, for
					 * cadence_field_handle (note/call.h) */
	rexpr_env *env;		/* the score's declaration, for expressions */
	arena exprs;		/* the compiled expressions (expr/compile.h) */
	struct cad_kept *kept;	/* expressions over this score that the check
				 * compiled, borrowed (project/kept.h), or NULL */
	rnote *notes;
	size_t nnotes;
	rmeasure *measures;
	size_t nmeasures;
	rnote *on_error;
	rexpr *precheck_when;	/* the precheck: one of the two, or neither */
	rnote *precheck_note;
	int compiling;		/* 1 while its children are resolved: cycles */
	unsigned height;	/* cadences in its longest chain of children, itself included */
	struct rplan *next;	/* the runner's list */
} rplan;

#define KIND_IMMUTABLE 0x80
#define SLOT_OWNED 0x40	/* rscore.flags only */

/* ---- the runner ------------------------------------------------------------ */

typedef struct rsymbol {
	char *name;
	cadence_note_fn fn;
	void *userdata;
} rsymbol;

/* A loaded plugin: `symbol` notes bind only functions whose object
 * (dladdr) is mapped at `base`, not those of the libraries it links. */
typedef struct rplugin {
	void *handle;		/* dlopen */
	char *path;		/* as given */
	const void *base;	/* where the plugin itself is mapped */
} rplugin;

struct cadence_runner {
	cadence_project *project;
	const cadence_def *root;
	cadence_run_opts opts;
	cadence_run_hooks hooks;
	cadence_clock clock;
	char **environ_copy;	/* NULL: use environ */
	char *state_dir;

	rsymbol *symbols;
	size_t nsymbols;
	strmap symbol_index;	/* name -> index in symbols */
	rplugin *plugins;
	size_t nplugins;
	strmap extra;		/* cadence_runner_add_cadence: name -> the first
				 * cadence of that name */

	pthread_mutex_t lock;	/* prepare, the pool, the rng */
	int prepared;		/* 1 ok, -1 failed (err kept) */
	cadence_run_error prepare_err;
	rplan *plans;
	rplan *root_plan;

	rbreakers *breakers;
	rpool *pool;
	unsigned ncpu;

	atomic_int cancelled;
	int cancel_pipe[2];	/* readable once cancelled */
	atomic_ulong runs;
	uint64_t seed;
};

/* plan.c */
int cad_plan_prepare(cadence_runner *r, int allow_missing_symbols, cadence_run_error *err);
void cad_plan_free_all(cadence_runner *r);

/* ---- a run --------------------------------------------------------------- */

typedef struct rrun rrun;
typedef struct rframe rframe;

/* A score: every declared field's value in a slot, in declaration order,
 * read and replaced in O(1).  A run starts with its slots pointing at the
 * plan's defaults and at the input (borrowed: a copy of F pointers, not of
 * F values); the values it changes are its own.  The JSON object of the
 * whole score is made only where one is needed — the output, a C note's
 * `score`, a `run` note's stdin, a checkpoint, an expression reading the
 * whole score (cad_score_obj()) — and from then on kept in step: every
 * slot is then an item of it. */
typedef struct rscore {
	cJSON *obj;		/* NULL until cad_score_obj() */
	cJSON **slot;
	unsigned char *flags;	/* per field: the plan's kind byte, | SLOT_OWNED
				 * when slot[i] is the score's (else borrowed,
				 * never changed; all are once obj is made): what
				 * checking and applying a change read, in one
				 * byte of one array */
	const struct rplan *plan;
	size_t n;
	char *json;		/* cached serialization; NULL when stale */
	size_t json_len;
} rscore;

struct rframe {
	rrun *run;
	rframe *parent;
	const rplan *plan;
	rscore score;
	char *path;		/* "root/child" */
	unsigned depth;
	const rmeasure *measure;	/* the one running */
	const char *branch;	/* a split's: "if_true" or "if_false" once its
				 * condition gave one; NULL otherwise */
	int interrupt;		/* a note ended the cadence early */
	uint32_t *seen;		/* per field, for duplicate checks */
	uint32_t seen_gen;
	struct rmerge *merge;	/* merge.c's per-field table, made by the first
				 * sync and kept empty between syncs */
	/* on_error handler context */
	int prechecking;	/* its precheck note is running */
	const char *handling_error;
	const char *handling_note;
	cJSON *input;		/* a child's input (owned): its score borrows it */
	/* resumed inside a dag: the checkpoint's record of its tasks, for
	 * cad_dag_run() to take (borrowed from run->resume) */
	const cJSON *resume_dag;
	/* it runs for a dag's child task (or inside one): no checkpoint of
	 * its own, the task is recorded when it ends */
	int in_task;
};

/* checkpoint.c: a checkpoint's frame (one per cadence being run, root
 * first) and file; engine-made checkpoints borrow names and scores. */
typedef struct ckframe {
	char *cadence;
	size_t next;		/* the measure to run next */
	cJSON *score;
	/* while measure `next` is a dag: the tasks that ended ok, with their
	 * changes ({"measure": NAME, "tasks": [{"task", "changes",
	 * "interrupt"}]}); NULL otherwise.  Only the innermost frame has one. */
	cJSON *dag;
} ckframe;

typedef struct ckfile {
	char *path;		/* relative to the root file's directory */
	char sha256[65];
} ckfile;

struct cadence_checkpoint {
	int borrowed;		/* frames borrowed from a run */
	char *run_id;
	char *cadence;
	char *file;		/* the root file, absolute; NULL: built in code */
	ckfile *files;
	size_t nfiles;
	ckframe *frames;
	size_t nframes, capframes;
	int complete;
	char *position;
};

struct rrun {
	cadence_runner *r;
	char run_id[20];
	uint64_t rng;
	int wake[2];		/* pool completions; -1 until needed */
	pthread_mutex_t done_lock;
	struct rjob *done_head;	/* jobs finished on the pool */
	int sleeping;		/* the run's thread waits in poll(): wake it */
	rguard guard;		/* started with the first `run` note */
	cadence_run_error *err;
	int timed;		/* hooks want durations */
	int no_breakers;	/* a step: circuit breakers do not apply */
	/* checkpoints: where to resume (frames below resume_at are done) */
	const cadence_checkpoint *resume;
	unsigned resume_at;
	cadence_checkpoint *ck;	/* handed to on_ck after each measure */
	cadence_checkpoint_fn on_ck;
	void *ck_ctx;
};

/* checkpoint.c */
int cad_ckpt_begin(rrun *run, const cadence_checkpoint_opts *co);
void cad_ckpt_end(rrun *run);
/* After a completed measure of fr: 0, or a negative cadence_error with
 * the reason in *why. */
int cad_ckpt_after_measure(rframe *fr, size_t next, cadence_run_error *why);
/* While fr's dag measure runs: its record (ckframe.dag) saved with the
 * frames; the same returns. */
int cad_ckpt_in_dag(rframe *fr, const cJSON *dag, cadence_run_error *why);
/* Does run->resume fit the runner's plans?  0 or CADENCE_EINVALID with f. */
int cad_ckpt_fit(rrun *run, rfail *f);

int64_t cad_run_now(const rrun *run);
int cad_run_cancelled(const rrun *run);
void cad_run_emit(rrun *run, const rframe *fr, cadence_event *ev);
/* Fills the run's error from a failure: code, message prefixed with where. */
void cad_run_error(rrun *run, const rframe *fr, const rnote *note, unsigned attempt,
	       int code, rfail *f);

/* engine.c: runs a cadence in a frame; 0, or an error code with the
 * run's error filled. */
int cad_engine_walk(rframe *fr);
/* Runs the child of child measure ms from `base` (fr's score, or a dag
 * task's input), for a dag task when in_task: its merge-back changes in
 * *back (NULL when it stopped at its precheck), their fields in *kept
 * (malloc'd).  0, or an error code with the run's error filled. */
int cad_engine_child(rframe *fr, rscore *base, const rmeasure *ms, int in_task,
		     cJSON **back, size_t **kept);

/* Runs measure ms of fr (fr->measure set): 0, or an error code with the
 * run's error filled; fr->interrupt when a note ended the cadence.  The
 * cadence's on_error is the caller's (cad_engine_walk's). */
int cad_engine_measure(rframe *fr, const rmeasure *ms);
/* The cadence's precheck (docs/format.md, "precheck"), none included: 0
 * to run its measures (a precheck note's changes applied to fr's score);
 * CADENCE_ESTOPPED to stop before them, why in the run's error; else the
 * run's error (a condition that is not a boolean, a cancel). */
int cad_engine_precheck(rframe *fr);

/* A run of r with its root frame, prepared (engine.c; step.c shares it):
 * 0, or an error code with err filled.  cad_run_close() either way.
 * runs_nothing: the run will call no note (a complete checkpoint), so a
 * C function no plugin provides is no error. */
int cad_run_open(rrun *run, rframe *root, cadence_runner *r, int runs_nothing,
		 cadence_run_error *err);
/* The root's score from input (NULL: {}), checked: 0, or an error code
 * ("bad score: ...") with the run's error filled. */
int cad_run_input(rframe *root, const cJSON *input);
void cad_run_close(rrun *run, rframe *root);
/* A frame for plan p (parent NULL: the root); 0 or -1 (out of memory).
 * cad_frame_free() either way, a zeroed frame included. */
int cad_frame_init(rframe *fr, rrun *run, rframe *parent, const rplan *p);
void cad_frame_free(rframe *fr);
/* Child measure ms's `merge:` over the child's final score (child),
 * checked against base: the changes in *back, their fields in *kept
 * (malloc'd).  0, or an error code with the run's error filled. */
int cad_engine_merge_back(rframe *fr, rscore *base, const rmeasure *ms, rframe *child,
			  cJSON **back, size_t **kept);

/* ---- jobs: a note with its retries ------------------------------------------ */

typedef enum rjob_state {
	JOB_WAIT,		/* until start_at */
	JOB_RUNNING,
	JOB_DONE
} rjob_state;

typedef struct rjob {
	rtask task;		/* first: the pool's view */
	rframe *fr;
	rnote *note;
	rscore *base;		/* the score the note sees */
	rjob_state state;
	unsigned attempt;
	int64_t start_at;	/* run clock, ns: when the next attempt may start */
	int64_t attempt_start;	/* run clock, ns */
	int64_t deadline;	/* cad_rproc_now() ns of the attempt's timeout; 0: none */
	int outcome;		/* cadence_note_result of the last attempt */
	int status;		/* cadence_note_status at the end */
	int fell_back;
	int probe;		/* the attempt is a half-open probe */
	int counted;		/* the attempt holds a breaker slot */
	cJSON *changes;		/* owned */
	size_t *fields;		/* once checked: each change's field, in order
				 * (fields_buf, or malloc'd for more) */
	size_t fields_buf[4];
	rfail fail;
	rproc *proc;		/* run notes, while running */
	const char *task_name;	/* a dag's task: its name, for events */
	atomic_int abandon;	/* stop: another note of the sync failed */
	/* cadence_note_log() lines of the attempt, each NUL-terminated, kept
	 * by the note's thread and logged by the run's (hooks are called on
	 * the run's thread only) */
	strbuf logs;
	size_t nlogs, logs_dropped;
	struct rjob *next_done;
} rjob;

void cad_job_init(rjob *j, rframe *fr, rnote *note, rscore *base);
/* j->fields made long enough for the items of `changes`; 0 or -1. */
int cad_job_fields_room(rjob *j, const cJSON *changes);
void cad_job_clear(rjob *j);
/* The note of j failed for good (j->fail says why): its `fallback:`
 * values, checked, become j's changes (j->fell_back), or j->fail says
 * why they do not fit.  The note must have a fallback. */
void cad_job_fallback(rjob *j);
/* How cad_jobs_run() ended. */
typedef enum rjobs_end {
	RJOBS_OK,		/* every job succeeded (or fell back) */
	RJOBS_FAILED,		/* one failed for good: *failed, the first */
	RJOBS_CANCELLED,	/* the run was cancelled */
	RJOBS_NOMEM,		/* out of memory, or no thread for the pool */
} rjobs_end;
/* Runs jobs to the end: at most `parallel` at once (0: no limit); the
 * first job that fails for good stops the others.  *failed is that job
 * when RJOBS_FAILED is returned, else NULL. */
rjobs_end cad_jobs_run(rframe *fr, rjob *jobs, size_t n, unsigned parallel, rjob **failed);
/* Which job starts next, for jobs that are not all ready at once (a
 * dag's tasks).  Called on the run's thread. */
typedef struct rsched rsched;
struct rsched {
	/* The next job to start, its base set, or NULL for none now; it stays
	 * next until started() says it was taken. */
	rjob *(*next)(rsched *s);
	void (*started)(rsched *s, rjob *j);
	/* j is done for good (JOB_DONE); 1 stops every job now. */
	int (*ended)(rsched *s, rjob *j);
	/* wake_at has come (it is -1 again): called even when next() is not */
	void (*tick)(rsched *s);
	int stop;	/* set by the scheduler: stop every job now */
	/* set by the scheduler: run clock ns at which it wants next() called
	 * though no job ended (a checkpoint held back); -1: none */
	int64_t wake_at;
};
/* Runs jobs as the scheduler gives them, at most `parallel` at once; a
 * failure stops nothing unless ended() says so.  RJOBS_OK (whatever the
 * jobs' outcomes), RJOBS_CANCELLED or RJOBS_NOMEM. */
rjobs_end cad_jobs_run_sched(rframe *fr, rjob *jobs, size_t n, unsigned parallel, rsched *sched);

/* engine.c: the outcome of cad_jobs_run() for fr's measure: 0, or an
 * error code with the run's error filled. */
int cad_engine_verdict(rframe *fr, rjob *jobs, size_t n, rjobs_end end, rjob *failed);

/* score.c */
/* A score of p's fields from input (checked; NULL: {}), which it borrows:
 * input must outlive it. */
int cad_score_from_input(rscore *s, const rplan *p, const cJSON *input, rfail *f);
void cad_score_free(rscore *s);
/* The score as a JSON object (made the first time: O(fields)); NULL when
 * out of memory.  On the run's thread only. */
cJSON *cad_score_obj(rscore *s);
/* The object, now the caller's; NULL when out of memory (s is freed
 * either way). */
cJSON *cad_score_take(rscore *s);
const char *cad_score_json(rscore *s, size_t *len);
/* Checks a note's (or child's) changes against the score: drops unchanged
 * fields from `changes`, fails on unknown, duplicate, mistyped or immutable
 * fields and on fields outside `writes` (may be NULL).  `known`: NULL, or
 * the field of each item, in order, none twice (a `set` note's, a
 * fallback's, a merge's: no name is looked up, no duplicate checked).  `fields`: NULL, or room for an index per
 * item, filled with the field of each item kept, for cad_score_apply(). */
int cad_score_check_changes(rframe *fr, const rscore *base, const rwrites *writes,
			cJSON *changes, const long *known, size_t *fields, rfail *f);
/* Moves every item of `changes` (checked) into the score; `fields` as
 * cad_score_check_changes() filled it, or NULL (looked up by name). */
void cad_score_apply(rscore *s, const rplan *p, cJSON *changes, const size_t *fields);
int cad_score_type_ok(cad_vtype t, const cJSON *v);
/* Whether every string and key in v is UTF-8 (what JSON text must be). */
int cad_score_utf8_ok(const cJSON *v);
const char *cad_score_type_of(const cJSON *v);
/* Replaces field i with v (owned). */
void cad_score_set(rscore *s, size_t i, cJSON *v);

/* output.c: a `run` note's stdout to changes. */
int cad_output_parse(const char *buf, size_t len, cJSON **changes, int *outcome, rfail *f);
/* Takes the control keys ($skip, $interrupt) out of an object. */
int cad_output_control(cJSON *obj, int *outcome, rfail *f);

/* merge.c: the changes of a sync's notes, merged by the strategy. */
int cad_merge_sync(rframe *fr, const rmeasure *ms, rjob *jobs, size_t n, rfail *f,
	       const char **who);
void cad_merge_free(rframe *fr);
/* One field changed by two tasks of a dag with no order between them: av
 * the value so far (task a's), bv task b's, base what b saw.  0 when
 * merged: *made a new value (smart_merge, owned), or NULL: av stays
 * (fail_on_conflict, equal values), or bv wins (last_write_wins).  -1 on
 * a conflict or out of memory, with f set. */
int cad_merge_two(rfail *f, cad_merge how, const char *field, const char *a, const char *b,
		  const cJSON *base, const cJSON *av, const cJSON *bv, cJSON **made);

/* retry.c */
int64_t cad_retry_delay_ms(const cad_retry *r, unsigned failed_attempt, uint64_t *rng);
uint64_t cad_rng_next(uint64_t *state);

/* clock.c */
void cad_clock_system(cadence_clock *c);

/* plugin.c */
int cad_plugin_open(cadence_runner *r, const char *path, strbuf *msg);
cadence_note_fn cad_plugin_find(cadence_runner *r, const char *name);
/* Why no plugin provides `name`: the plugins searched, and the library
 * one of them links that defines it, if any; appended to msg. */
void cad_plugin_explain(const cadence_runner *r, const char *name, strbuf *msg);
void cad_plugin_close_all(cadence_runner *r);

/* dag.c */
/* A min-heap of indexes, with room for every push made. */
typedef struct rheap {
	size_t *v;
	size_t n;
} rheap;
void cad_heap_push(rheap *h, size_t x);
size_t cad_heap_pop(rheap *h);
/* Runs a dag measure: 0, or an error code with the run's error filled. */
int cad_dag_run(rframe *fr, const rmeasure *ms);
/* The tasks of ms a checkpoint's dag record (ckframe.dag) names: index[k]
 * (when not NULL) for its k-th.  0, or CADENCE_EINVALID (a name that is no
 * task, or one twice) or CADENCE_ENOMEM, with f set. */
int cad_dag_record_tasks(const rmeasure *ms, const cJSON *rec, size_t *index, rfail *f);

/* print.c */
/* Returns 0, CADENCE_ENOMEM or CADENCE_EIO (a failed write). */
int cad_plan_print(const rplan *p, FILE *out);

#endif
