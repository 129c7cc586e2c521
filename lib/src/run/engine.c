/* SPDX-License-Identifier: MIT */
/* The walk: measures in order, each note as a job, children in frames of
 * their own, on_error when a measure fails for good (docs/run.md). */
#include "run/run_int.h"
#include "util/api.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cad_rfail_reset(rfail *f)
{
	cad_strbuf_reset(&f->msg);
	f->field = NULL;
	free(f->stderr_tail);
	f->stderr_tail = NULL;
	f->permanent = f->timeout = f->cancelled = f->rejected = f->waiting = 0;
	f->type = NULL;
}

void cad_rfail_free(rfail *f)
{
	cad_rfail_reset(f);
	cad_strbuf_free(&f->msg);
}

void cad_rfail_set(rfail *f, const char *fmt, ...)
{
	va_list ap;
	cad_strbuf_reset(&f->msg);
	va_start(ap, fmt);
	cad_strbuf_vaddf(&f->msg, fmt, ap);
	va_end(ap);
}

int64_t cad_run_now(const rrun *run)
{
	return run->r->clock.mono_ns(run->r->clock.ctx);
}

int cad_run_cancelled(const rrun *run)
{
	return atomic_load_explicit(&run->r->cancelled, memory_order_relaxed);
}

void cad_run_emit(rrun *run, const rframe *fr, cadence_event *ev)
{
	cadence_runner *r = run->r;
	if (!r->hooks.on_event)
		return;
	ev->cadence = fr->plan->name;
	ev->path = fr->path;
	ev->depth = fr->depth;
	ev->run_id = run->run_id;
	ev->trace_id[0] = run->trace_id[0];
	ev->trace_id[1] = run->trace_id[1];
	if (ev->kind == CADENCE_EVENT_CADENCE_START && !fr->depth)
		ev->parent_span_id = r->parent_span;	/* 0 without a caller */
	ev->measure_count = fr->plan->nmeasures;
	if (fr->measure && ev->kind != CADENCE_EVENT_CADENCE_START &&
	    ev->kind != CADENCE_EVENT_CADENCE_END) {
		ev->measure = fr->measure->m->name.name;
		ev->measure_kind = cad_measure_kind_names[fr->measure->m->kind];
		ev->measure_index = fr->measure->index;
	}
	r->hooks.on_event(r->hooks.ctx, ev);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void cad_run_error(rrun *run, const rframe *fr, const rnote *note, unsigned attempt, int code,
	       rfail *f)
{
	cadence_run_error *e = run->err;
	const char *measure = fr->measure ? fr->measure->m->name.name : NULL;
	const char *what = cad_strbuf_cstr(&f->msg);
	strbuf m = STRBUF_INIT;

	/* "path: sync 'enrich', note 'fetch' (attempt 2 of 3): what"; a
	 * `then` measure named after its note is not repeated */
	const char *sep = "";
	cad_strbuf_adds(&m, fr->path);
	cad_strbuf_adds(&m, ": ");
	if (note && fr->handling_error) {
		cad_strbuf_adds(&m, "on_error ");
	} else if (note && fr->prechecking) {
		cad_strbuf_adds(&m, "precheck ");
	} else if (measure && (!note || strcmp(measure, note->name) ||
			       fr->measure->m->kind != CAD_M_THEN)) {
		cad_strbuf_addf(&m, "%s '%s'", cad_measure_kind_names[fr->measure->m->kind], measure);
		sep = ", ";
	}
	if (note) {
		cad_strbuf_addf(&m, "%snote '%s'", sep, note->name);
		if (attempt && note->attempts > 1)
			cad_strbuf_addf(&m, " (attempt %u of %u)", attempt, note->attempts);
		else if (attempt > 1)
			cad_strbuf_addf(&m, " (attempt %u)", attempt);
	}
	if (m.len >= 2 && m.buf[m.len - 2] == ':')
		cad_strbuf_setlen(&m, m.len - 2);	/* nothing between the path and the message */
	cad_strbuf_addf(&m, ": %s", what && *what ? what : cadence_strerror(code));
	if (f->stderr_tail) {
		cad_strbuf_adds(&m, "\nits stderr ended with:");
		for (const char *l = f->stderr_tail; *l;) {
			const char *nl = strchr(l, '\n');
			size_t len = nl ? (size_t)(nl - l) : strlen(l);
			cad_strbuf_adds(&m, "\n  | ");
			cad_strbuf_add(&m, l, len);
			l += len + (nl ? 1 : 0);
		}
	}
	if (e) {
		cadence_run_error_clear(e);
		e->code = code;
		e->message = cad_strbuf_detach(&m);
		e->cadence = dup_or_null(fr->plan->name);
		e->path = dup_or_null(fr->path);
		e->measure = dup_or_null(measure);
		e->note = dup_or_null(note ? note->name : NULL);
		e->field = dup_or_null(f->field);
		e->attempt = note ? attempt : 0;
		e->stderr_tail = dup_or_null(f->stderr_tail);
	}
	if (run->r->hooks.on_event) {
		cadence_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.kind = CADENCE_EVENT_ERROR;
		ev.note = note ? note->name : NULL;
		ev.attempt = attempt;
		ev.attempts = note ? note->attempts : 0;
		ev.status = code;
		ev.message = e ? e->message : cad_strbuf_cstr(&m);
		ev.field = f->field;
		cad_run_emit(run, fr, &ev);
	}
	cad_strbuf_free(&m);
}

static void emit_simple(rframe *fr, cadence_event_kind kind, int status, int64_t dur)
{
	if (!fr->run->r->hooks.on_event)
		return;
	cadence_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.status = status;
	ev.duration_ns = dur;
	if (kind == CADENCE_EVENT_MEASURE_END)
		ev.branch = fr->branch;
	cad_run_emit(fr->run, fr, &ev);
}

/* A failure without a note (a condition, a merge, a child's input). */
static int fail_measure(rframe *fr, const rnote *note, rfail *f)
{
	cad_run_error(fr->run, fr, note, 0, f->cancelled ? CADENCE_ECANCELED : CADENCE_EFAILED, f);
	return f->cancelled ? CADENCE_ECANCELED : CADENCE_EFAILED;
}


/* "note 'a' was" or "notes 'a', 'b' were", then `what`. */
static void notes_were(strbuf *sb, const char *names, size_t n, const char *what)
{
	cad_strbuf_addf(sb, "%s %s %s %s", n == 1 ? "note" : "notes", names,
			n == 1 ? "was" : "were", what);
}

/* The error for a run that was cancelled while the notes `running` (a
 * list of names) ran and those of `waiting` waited to retry: either may
 * be empty.  A note that waited was not running: saying so would send
 * the reader to look for a process that was stopped. */
static int cancelled(rframe *fr, const char *running, size_t n, const char *waiting, size_t w)
{
	rfail f = RFAIL_INIT;
	f.cancelled = 1;
	if (n || w) {
		cad_strbuf_adds(&f.msg, "interrupted while ");
		if (n)
			notes_were(&f.msg, running, n, "running");
		if (n && w)
			cad_strbuf_adds(&f.msg, " and ");
		if (w)
			notes_were(&f.msg, waiting, w, "waiting to retry");
		cad_strbuf_adds(&f.msg, n ? (n == 1 ? "; it was stopped" : "; they were stopped")
				: (w == 1 ? "; it was not run again" : "; they were not run again"));
	} else if (fr->measure) {
		cad_rfail_set(&f, "interrupted before the measure started");
	} else {
		cad_rfail_set(&f, "interrupted as the cadence ended (its measures had completed)");
	}
	cad_run_error(fr->run, fr, NULL, 0, CADENCE_ECANCELED, &f);
	cad_rfail_free(&f);
	return CADENCE_ECANCELED;
}

/* The outcome of cad_jobs_run() for the measure. */
int cad_engine_verdict(rframe *fr, rjob *jobs, size_t n, rjobs_end end, rjob *failed)
{
	if (end == RJOBS_NOMEM) {
		rfail f = RFAIL_INIT;
		cad_rfail_set(&f, "out of memory");
		cad_run_error(fr->run, fr, NULL, 0, CADENCE_ENOMEM, &f);
		cad_rfail_free(&f);
		return CADENCE_ENOMEM;
	}
	if (end == RJOBS_CANCELLED) {
		strbuf names[2] = { STRBUF_INIT, STRBUF_INIT };	/* running, waiting */
		size_t k[2] = { 0, 0 };
		for (size_t i = 0; i < n; i++) {
			int w = jobs[i].fail.waiting;
			if (jobs[i].attempt && jobs[i].fail.cancelled)
				cad_strbuf_addf(&names[w], "%s'%s'", k[w]++ ? ", " : "",
						jobs[i].note->name);
		}
		const char *r = cad_strbuf_cstr(&names[0]), *wt = cad_strbuf_cstr(&names[1]);
		int v = cancelled(fr, r ? r : "", k[0], wt ? wt : "", k[1]);
		cad_strbuf_free(&names[0]);
		cad_strbuf_free(&names[1]);
		return v;
	}
	if (end == RJOBS_FAILED) {
		cad_run_error(fr->run, fr, failed->note, failed->attempt, CADENCE_EFAILED,
			      &failed->fail);
		return CADENCE_EFAILED;
	}
	return 0;
}

/* Notes one after another, each seeing the changes of the one before. */
static int run_in_order(rframe *fr, rnote **notes, size_t n)
{
	for (size_t i = 0; i < n && !fr->interrupt; i++) {
		rjob j;
		cad_job_init(&j, fr, notes[i], &fr->score);
		rjob *failed;
		rjobs_end end = cad_jobs_run(fr, &j, 1, 1, &failed);
		int v = cad_engine_verdict(fr, &j, 1, end, failed);
		if (!v && j.changes)
			cad_score_apply(&fr->score, fr->plan, j.changes, j.fields);
		if (!v && j.status == CADENCE_NOTE_STATUS_INTERRUPT)
			fr->interrupt = 1;
		cad_job_clear(&j);
		if (v)
			return v;
	}
	return 0;
}

static int run_sync(rframe *fr, const rmeasure *ms)
{
	size_t n = ms->nnotes;
	rjob *jobs = calloc(n ? n : 1, sizeof(*jobs));
	rfail f = RFAIL_INIT;
	const char *who = NULL;
	int v;

	if (!jobs) {
		cad_rfail_set(&f, "out of memory");
		fail_measure(fr, NULL, &f);
		cad_rfail_free(&f);
		return CADENCE_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		cad_job_init(&jobs[i], fr, ms->notes[i], &fr->score);
	rjob *failed;
	rjobs_end end = cad_jobs_run(fr, jobs, n, fr->run->r->opts.jobs, &failed);
	v = cad_engine_verdict(fr, jobs, n, end, failed);
	if (!v && cad_merge_sync(fr, ms, jobs, n, &f, &who)) {
		const char *why = cad_strbuf_cstr(&f.msg);
		if (who && why && strcmp(why, "out of memory") && fr->run->r->hooks.on_event) {
			cadence_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.kind = CADENCE_EVENT_CONFLICT;
			ev.note = who;
			ev.field = f.field;
			ev.message = why;
			cad_run_emit(fr->run, fr, &ev);
		}
		/* the message names both notes; err->note is the later one */
		v = fail_measure(fr, NULL, &f);
		if (fr->run->err && who && !fr->run->err->note)
			fr->run->err->note = strdup(who);
	}
	for (size_t i = 0; i < n; i++) {
		if (!v && jobs[i].status == CADENCE_NOTE_STATUS_INTERRUPT)
			fr->interrupt = 1;
		cad_job_clear(&jobs[i]);
	}
	free(jobs);
	cad_rfail_free(&f);
	return v;
}

static int run_split(rframe *fr, const rmeasure *ms)
{
	int yes = 0;
	strbuf msg = STRBUF_INIT;
	rfail f = RFAIL_INIT;
	int rc;
	if (cad_rexpr_eval_bool(ms->when, &fr->score, &yes, &msg)) {
		cad_rfail_set(&f, "its condition '%s' failed: %s", cad_rexpr_src(ms->when),
			  cad_strbuf_cstr(&msg) ? cad_strbuf_cstr(&msg) : "out of memory");
		rc = fail_measure(fr, NULL, &f);
	} else {
		fr->branch = yes ? "if_true" : "if_false";
		rc = yes ? run_in_order(fr, ms->notes, ms->nnotes)
			 : run_in_order(fr, ms->else_notes, ms->nelse);
	}
	cad_strbuf_free(&msg);
	cad_rfail_free(&f);
	return rc;
}

/* Evaluates `field: expression` pairs over `score` into an object. */
static int assignments(rscore *score, rexpr **exprs, const cad_assign *as, size_t n,
		       cJSON **out, rfail *f, const char *what)
{
	cJSON *obj = cJSON_CreateObject();
	*out = NULL;
	if (!obj) {
		cad_rfail_set(f, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *v = NULL;
		strbuf msg = STRBUF_INIT;
		if (cad_rexpr_eval(exprs[i], score, &v, &msg)) {
			cad_rfail_set(f, "%s '%s: %s' failed: %s", what, as[i].field.name,
				  cad_rexpr_src(exprs[i]), cad_strbuf_cstr(&msg) ? cad_strbuf_cstr(&msg) : "out of memory");
			f->field = as[i].field.name;
			cad_strbuf_free(&msg);
			cJSON_Delete(obj);
			return -1;
		}
		cad_strbuf_free(&msg);
		cJSON_AddItemToObjectCS(obj, as[i].field.name, v);	/* the model outlives it */
	}
	*out = obj;
	return 0;
}

int cad_frame_init(rframe *fr, rrun *run, rframe *parent, const rplan *p)
{
	memset(fr, 0, sizeof(*fr));
	fr->run = run;
	fr->parent = parent;
	fr->plan = p;
	fr->depth = parent ? parent->depth + 1 : 0;
	strbuf path = STRBUF_INIT;
	if (parent)
		cad_strbuf_addf(&path, "%s/", parent->path);
	cad_strbuf_adds(&path, p->name);
	fr->path = cad_strbuf_detach(&path);
	fr->seen = calloc(p->def->nfields ? p->def->nfields : 1, sizeof(*fr->seen));
	return fr->path && fr->seen ? 0 : -1;
}

void cad_frame_free(rframe *fr)
{
	cad_score_free(&fr->score);
	cJSON_Delete(fr->input);
	cad_merge_free(fr);
	free(fr->path);
	free(fr->seen);
}

/* The child's merge-back changes, checked against base: 0, or an error
 * code with the run's error filled. */
int cad_engine_merge_back(rframe *fr, rscore *base, const rmeasure *ms, rframe *child,
		      cJSON **back, size_t **kept)
{
	const cad_measure *m = ms->m;
	rfail f = RFAIL_INIT;
	int rc = 0;
	if (assignments(&child->score, ms->merge, m->merge_back, m->nmerge_back, back, &f,
			"merge")) {
		rc = fail_measure(fr, NULL, &f);
	} else if (!(*kept = malloc((m->nmerge_back ? m->nmerge_back : 1) * sizeof(**kept)))) {
		cad_rfail_set(&f, "out of memory");
		fail_measure(fr, NULL, &f);
		rc = CADENCE_ENOMEM;
	} else if (cad_score_check_changes(fr, base, NULL, *back, ms->merge_known, *kept, &f)) {
		strbuf m2 = STRBUF_INIT;
		cad_strbuf_addf(&m2, "merging the child's score back: %s",
			    cad_strbuf_cstr(&f.msg) ? cad_strbuf_cstr(&f.msg) : "");
		cad_rfail_set(&f, "%s", cad_strbuf_cstr(&m2) ? cad_strbuf_cstr(&m2) : "out of memory");
		cad_strbuf_free(&m2);
		rc = fail_measure(fr, NULL, &f);
	}
	cad_rfail_free(&f);
	return rc;
}

int cad_engine_child(rframe *fr, rscore *base, const rmeasure *ms, int in_task, cJSON **back,
		     size_t **kept)
{
	const cad_measure *m = ms->m;
	rfail f = RFAIL_INIT;
	cJSON *input = NULL;
	rframe child;
	int rc;

	*back = NULL;
	*kept = NULL;
	if (fr->depth + 1 >= CADENCE_MAX_CHILD_DEPTH) {
		cad_rfail_set(&f, "children nest deeper than %d cadences", CADENCE_MAX_CHILD_DEPTH);
		rc = fail_measure(fr, NULL, &f);
		cad_rfail_free(&f);
		return rc;
	}
	rrun *run = fr->run;
	const cJSON *resumed = NULL;
	if (run->resume && fr->depth + 1 == run->resume_at)
		resumed = run->resume->frames[run->resume_at].score;	/* fitted: cad_ckpt_fit() */
	else if (assignments(base, ms->with, m->with, m->nwith, &input, &f, "with")) {
		rc = fail_measure(fr, NULL, &f);
		cad_rfail_free(&f);
		return rc;
	}
	if (cad_frame_init(&child, fr->run, fr, ms->child)) {
		cad_frame_free(&child);
		cJSON_Delete(input);
		cad_rfail_set(&f, "out of memory");
		fail_measure(fr, NULL, &f);
		cad_rfail_free(&f);
		return CADENCE_ENOMEM;
	}
	child.input = input;	/* the child's score borrows it */
	child.in_task = fr->in_task || in_task;
	rc = cad_score_from_input(&child.score, ms->child, resumed ? resumed : input, &f);
	if (rc) {
		strbuf m2 = STRBUF_INIT;
		cad_strbuf_addf(&m2, "child cadence '%s' cannot start: %s", ms->child->name,
			    cad_strbuf_cstr(&f.msg) ? cad_strbuf_cstr(&f.msg) : "");
		cad_rfail_set(&f, "%s", cad_strbuf_cstr(&m2) ? cad_strbuf_cstr(&m2) : "out of memory");
		cad_strbuf_free(&m2);
		rc = fail_measure(fr, NULL, &f);
		goto out;
	}
	rc = cad_engine_walk(&child);
	if (rc == CADENCE_ESTOPPED) {
		/* the child chose not to run: nothing to merge, no failure */
		if (run->err)
			cadence_run_error_clear(run->err);
		rc = 0;
		goto out;
	}
	if (!rc)	/* else the child's error names the child's note */
		rc = cad_engine_merge_back(fr, base, ms, &child, back, kept);
out:
	if (rc) {
		cJSON_Delete(*back);
		free(*kept);
		*back = NULL;
		*kept = NULL;
	}
	cad_frame_free(&child);
	cad_rfail_free(&f);
	return rc;
}

static int run_child(rframe *fr, const rmeasure *ms)
{
	cJSON *back;
	size_t *kept;
	int rc = cad_engine_child(fr, &fr->score, ms, 0, &back, &kept);
	if (!rc && back)
		cad_score_apply(&fr->score, fr->plan, back, kept);
	cJSON_Delete(back);
	free(kept);
	return rc;
}

int cad_engine_measure(rframe *fr, const rmeasure *ms)
{
	switch (ms->m->kind) {
	case CAD_M_THEN:
	case CAD_M_SEQUENCE:
		return run_in_order(fr, ms->notes, ms->nnotes);
	case CAD_M_SYNC:
		return run_sync(fr, ms);
	case CAD_M_SPLIT:
		return run_split(fr, ms);
	case CAD_M_CHILD:
		return run_child(fr, ms);
	case CAD_M_DAG:
		return cad_dag_run(fr, ms);
	}
	return 0;
}

/* A measure failed for good: the cadence's on_error handler, if any.
 * Returns 0 to go on with the next measure. */
static int handle_error(rframe *fr, int rc)
{
	rrun *run = fr->run;
	rnote *h = fr->plan->on_error;
	if (!h || rc != CADENCE_EFAILED)
		return rc;
	/* the handler sees the error: CADENCE_ERROR, cadence_note_error() */
	char *msg = run->err && run->err->message ? strdup(run->err->message) : NULL;
	char *note = run->err && run->err->note ? strdup(run->err->note) : NULL;
	cadence_run_error saved = CADENCE_RUN_ERROR_INIT;
	if (run->err) {
		saved = *run->err;	/* the strings move to saved */
		memset(run->err, 0, sizeof(*run->err));
		run->err->version = saved.version;
	}
	fr->handling_error = msg ? msg : "";
	fr->handling_note = note;
	rjob j;
	cad_job_init(&j, fr, h, &fr->score);
	rjob *failed;
	rjobs_end end = cad_jobs_run(fr, &j, 1, 1, &failed);
	int v = cad_engine_verdict(fr, &j, 1, end, failed);
	if (!v && j.changes)
		cad_score_apply(&fr->score, fr->plan, j.changes, j.fields);
	cad_job_clear(&j);
	fr->handling_error = fr->handling_note = NULL;
	if (v && run->err) {
		/* both failures in one message */
		strbuf m = STRBUF_INIT;
		cad_strbuf_addf(&m, "%s\nthen the on_error handler failed: %s",
			    saved.message ? saved.message : "",
			    run->err->message ? run->err->message : "");
		free(saved.message);
		saved.message = cad_strbuf_detach(&m);
		cadence_run_error_clear(run->err);
		*run->err = saved;
		rc = v == CADENCE_ECANCELED ? v : rc;
		run->err->code = rc;
	} else if (run->err) {
		cadence_run_error_clear(run->err);
		if (fr->plan->def->on_error_stop)
			*run->err = saved;	/* stop: the run fails with the error */
		else
			cadence_run_error_clear(&saved);
	}
	free(msg);
	free(note);
	if (v)
		return v == CADENCE_ECANCELED ? v : rc;
	return fr->plan->def->on_error_stop ? rc : 0;
}

/* A precheck that stops the cadence: CADENCE_ESTOPPED, with why (after
 * the cadence's path) in the run's error; no error event: a stop is an
 * outcome, not a failure. */
static int stopped(rframe *fr, const char *why)
{
	cadence_run_error *e = fr->run->err;
	if (e) {
		strbuf m = STRBUF_INIT;
		cad_strbuf_addf(&m, "%s: %s; nothing ran", fr->path, why);
		cadence_run_error_clear(e);
		e->code = CADENCE_ESTOPPED;
		e->message = cad_strbuf_detach(&m);
		e->cadence = dup_or_null(fr->plan->name);
		e->path = dup_or_null(fr->path);
	}
	return CADENCE_ESTOPPED;
}

int cad_engine_precheck(rframe *fr)
{
	const rplan *p = fr->plan;
	int rc = 0;
	if (!p->precheck_note && !p->precheck_when)
		return 0;
	if (p->precheck_when) {
		int yes = 0;
		strbuf msg = STRBUF_INIT, why = STRBUF_INIT;
		const char *src = cad_rexpr_src(p->precheck_when);
		if (cad_rexpr_eval_bool(p->precheck_when, &fr->score, &yes, &msg)) {
			rfail f = RFAIL_INIT;
			cad_rfail_set(&f, "its precheck '%s' failed: %s", src,
				      cad_strbuf_cstr(&msg) ? cad_strbuf_cstr(&msg) : "out of memory");
			rc = fail_measure(fr, NULL, &f);
			cad_rfail_free(&f);
		} else if (!yes) {
			cad_strbuf_addf(&why, "precheck: '%s' is false", src);
			rc = stopped(fr, cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "precheck");
		}
		cad_strbuf_free(&msg);
		cad_strbuf_free(&why);
		return rc;
	}
	rjob j, *failed;
	cad_job_init(&j, fr, p->precheck_note, &fr->score);
	fr->prechecking = 1;
	rjobs_end end = cad_jobs_run(fr, &j, 1, 1, &failed);
	fr->prechecking = 0;
	if (end == RJOBS_FAILED) {
		/* the note's failure is the reason, not an error of the run */
		strbuf why = STRBUF_INIT;
		const char *msg = cad_strbuf_cstr(&j.fail.msg);
		cad_strbuf_addf(&why, "precheck note '%s' failed: %s", j.note->name,
				msg && *msg ? msg : "it failed");
		rc = stopped(fr, cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "precheck");
		cad_strbuf_free(&why);
	} else if (!(rc = cad_engine_verdict(fr, &j, 1, end, failed)) && j.changes) {
		cad_score_apply(&fr->score, fr->plan, j.changes, j.fields);
	}
	cad_job_clear(&j);
	return rc;
}

/* After a completed measure: the checkpoint; a failure to save it stops
 * the run. */
static int checkpoint(rframe *fr, size_t next)
{
	cadence_run_error why = CADENCE_RUN_ERROR_INIT;
	int rc = cad_ckpt_after_measure(fr, next, &why);
	if (!rc)
		return 0;
	rfail f = RFAIL_INIT;
	cad_rfail_set(&f, "the checkpoint after this measure could not be saved: %s",
		      why.message ? why.message : cadence_strerror(rc));
	cad_run_error(fr->run, fr, NULL, 0, rc, &f);
	cad_rfail_free(&f);
	cadence_run_error_clear(&why);
	return rc;
}

int cad_engine_walk(rframe *fr)
{
	const rplan *p = fr->plan;
	rrun *run = fr->run;
	int timed = run->timed, rc = 0;
	int64_t t0 = timed ? cad_run_now(run) : 0;
	size_t start = 0;
	int restored = 0;	/* from a checkpoint: its precheck passed then */

	if (run->resume && fr->depth == run->resume_at) {
		restored = 1;
		/* the checkpoint's frame for this depth: its measure next, and
		 * what ran of it when it is a dag */
		const ckframe *ck = &run->resume->frames[run->resume_at++];
		start = ck->next;
		fr->resume_dag = ck->dag;
		if (run->resume_at == run->resume->nframes)
			run->resume = NULL;	/* the innermost: from here on, a run */
	}
	emit_simple(fr, CADENCE_EVENT_CADENCE_START, 0, 0);
	if (!restored)
		rc = cad_engine_precheck(fr);
	for (size_t i = start; !rc && i < p->nmeasures && !fr->interrupt; i++) {
		const rmeasure *ms = &p->measures[i];
		fr->measure = ms;
		fr->branch = NULL;
		if (cad_run_cancelled(run)) {
			rc = cancelled(fr, NULL, 0, NULL, 0);
			break;
		}
		int64_t m0 = timed ? cad_run_now(run) : 0;
		emit_simple(fr, CADENCE_EVENT_MEASURE_START, 0, 0);
		rc = cad_engine_measure(fr, ms);
		emit_simple(fr, CADENCE_EVENT_MEASURE_END, rc, timed ? cad_run_now(run) - m0 : 0);
		if (rc)
			rc = handle_error(fr, rc);
		if (!rc && run->ck)
			rc = checkpoint(fr, fr->interrupt ? p->nmeasures : i + 1);
		if (rc)
			break;
	}
	fr->measure = NULL;
	/* a cancel that came during the last measure, which completed anyway
	 * (a `set` note, a process that ended first): the run was still
	 * interrupted, as the same cancel a moment earlier would say */
	if (!rc && cad_run_cancelled(run))
		rc = cancelled(fr, NULL, 0, NULL, 0);
	emit_simple(fr, CADENCE_EVENT_CADENCE_END, rc, timed ? cad_run_now(run) - t0 : 0);
	return rc;
}

/* ---- a run --------------------------------------------------------------- */

int cadence_runner_run(cJSON **out, cadence_runner *r, const cJSON *input,
		       cadence_run_error *err)
{
	return cadence_runner_run_checkpointed(out, r, input, NULL, err);
}

static int run_checkpointed(cadence_runner *r, const cJSON *input,
			    const cadence_checkpoint_opts *co, cJSON **out,
			    cadence_run_error *err);

int cadence_runner_run_checkpointed(cJSON **out, cadence_runner *r, const cJSON *input,
				    const cadence_checkpoint_opts *co, cadence_run_error *err)
{
	cadence_run_error own = CADENCE_RUN_ERROR_INIT;
	if (out)
		*out = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (!CAD_VERSION_OK(co, CADENCE_CHECKPOINT_OPTS_VERSION))
		return cad_err_set(err, CADENCE_EVERSION, "cadence_checkpoint_opts: unknown version "
				   "(use CADENCE_CHECKPOINT_OPTS_INIT)");
	if (!out || !r)
		return cad_err_set(err, CADENCE_EINVAL, "cadence_runner_run: out and runner must not be NULL");
	/* a caller's older, smaller opts read only as far as they go */
	static const size_t sizes[] = { 0, offsetof(cadence_checkpoint_opts, failed_score),
					sizeof(cadence_checkpoint_opts) };
	cadence_checkpoint_opts copy = CADENCE_CHECKPOINT_OPTS_INIT;
	if (co) {
		CAD_COPY_IN(&copy, co, sizes);
		co = &copy;
		if (co->failed_score)
			*co->failed_score = NULL;
	}
	/* The error is built in `own` even when the caller does not ask for
	 * it (an on_error handler reads it: cadence_note_error(),
	 * CADENCE_ERROR), and reaches the caller only when the run fails: a
	 * run that succeeds leaves the caller's struct alone. */
	int rc = run_checkpointed(r, input, co, out, &own);
	if (rc)
		cad_err_move(err, &own);
	cadence_run_error_clear(&own);
	return rc;
}

int cad_run_open(rrun *run, rframe *root, cadence_runner *r, int runs_nothing,
		 cadence_run_error *err)
{
	rfail f = RFAIL_INIT;
	int rc;

	memset(run, 0, sizeof(*run));
	memset(root, 0, sizeof(*root));
	run->r = r;
	run->err = err;
	run->wake[0] = run->wake[1] = -1;
	run->guard = (rguard)RGUARD_INIT;
	pthread_mutex_init(&run->done_lock, NULL);
	if ((rc = cad_plan_prepare(r, runs_nothing, err)))
		return rc;
	run->timed = r->hooks.on_event != NULL;
	unsigned long k = atomic_fetch_add(&r->runs, 1);
	run->rng = r->seed + k * 0x9e3779b97f4a7c15ULL;
	uint64_t id = cad_rng_next(&run->rng);
	snprintf(run->run_id, sizeof(run->run_id), "%016llx", (unsigned long long)id);
	/* the span ids' stream, from the run id's: not rng's, whose jitter
	 * a seed fixes */
	uint64_t t = id ^ 0x5851f42d4c957f2dULL;
	run->trace_rng = cad_rng_next(&t);
	if (r->has_parent) {
		run->trace_id[0] = r->parent_trace[0];
		run->trace_id[1] = r->parent_trace[1];
	} else {
		run->trace_id[0] = cad_run_span_id(run);
		run->trace_id[1] = cad_run_span_id(run);
	}
	if (cad_frame_init(root, run, NULL, r->root_plan)) {
		cad_rfail_set(&f, "out of memory");
		cad_run_error(run, root, NULL, 0, CADENCE_ENOMEM, &f);
		cad_rfail_free(&f);
		return CADENCE_ENOMEM;
	}
	return 0;
}

int cad_run_input(rframe *root, const cJSON *input)
{
	rfail f = RFAIL_INIT;
	int rc = cad_score_from_input(&root->score, root->plan, input, &f);
	if (rc) {
		strbuf m = STRBUF_INIT;
		cad_strbuf_addf(&m, "bad score: %s", cad_strbuf_cstr(&f.msg) ? cad_strbuf_cstr(&f.msg) : "");
		cad_rfail_set(&f, "%s", cad_strbuf_cstr(&m) ? cad_strbuf_cstr(&m) : "out of memory");
		cad_strbuf_free(&m);
		cad_run_error(root->run, root, NULL, 0, rc, &f);
	}
	cad_rfail_free(&f);
	return rc;
}

void cad_run_close(rrun *run, rframe *root)
{
	cad_rguard_end(&run->guard);
	cad_frame_free(root);	/* a zeroed frame too */
	if (run->wake[0] >= 0) {
		close(run->wake[0]);
		close(run->wake[1]);
	}
	pthread_mutex_destroy(&run->done_lock);
}

static int run_checkpointed(cadence_runner *r, const cJSON *input,
			    const cadence_checkpoint_opts *co, cJSON **out,
			    cadence_run_error *err)
{
	rrun run;
	rframe root;
	rfail f = RFAIL_INIT;
	int rc;

	/* a complete checkpoint runs no note: no C function need be there */
	if ((rc = cad_run_open(&run, &root, r, co && co->resume &&
			       cadence_checkpoint_complete(co->resume), err)))
		goto out;
	if (cad_ckpt_begin(&run, co)) {
		rc = CADENCE_ENOMEM;
		cad_rfail_set(&f, "out of memory");
		cad_run_error(&run, &root, NULL, 0, rc, &f);
		goto out;
	}
	if (run.resume && (input || (rc = cad_ckpt_fit(&run, &f)))) {
		/* nothing started: an error without an event */
		if (input)
			cad_rfail_set(&f, "a resumed run takes its score from the checkpoint, not an input");
		rc = cad_err_take(err, rc ? rc : CADENCE_EINVAL, &f.msg);
		goto out;
	}
	if ((rc = cad_run_input(&root, run.resume ? run.resume->frames[0].score : input)))
		goto out;
	rc = cad_engine_walk(&root);
	if (rc == CADENCE_EFAILED && co && co->failed_score)
		*co->failed_score = cad_score_take(&root.score);	/* NULL: no memory, no score */
	if ((!rc || rc == CADENCE_ESTOPPED) && !(*out = cad_score_take(&root.score))) {
		rc = CADENCE_ENOMEM;
		cad_rfail_set(&f, "out of memory");
		cad_run_error(&run, &root, NULL, 0, rc, &f);
	}
out:
	cad_ckpt_end(&run);
	cad_run_close(&run, &root);
	cad_rfail_free(&f);
	return rc;
}
