/* SPDX-License-Identifier: MIT */
/* One note, one measure, the precheck or one measure's merge of a
 * cadence run alone: what an external engine (Argo Workflows, n8n) runs
 * for a node of a cadence's graph (`cadence step`, docs/cli.md).  The
 * engine's own code does the work: a job runs the note with its policies
 * and fallback (job.c), engine.c runs a measure and the precheck and
 * merges a child's score back, merge.c merges a sync's changes. */
#include "run/run_int.h"
#include "util/api.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* The plan's notes are in the model's order: its name index finds one. */
static rnote *find_note(const rplan *p, const char *name)
{
	long i = cad_model_note_index(p->def, name);
	return i < 0 ? NULL : &p->notes[i];
}

static int no_note(const rplan *p, const char *name, cadence_run_error *err)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_addf(&sb, "cadence '%s' has no note '%s'; its notes:", p->name, name);
	for (size_t i = 0; i < p->nnotes; i++)
		cad_strbuf_addf(&sb, "%s %s", i ? "," : "", p->notes[i].name);
	if (!p->nnotes)
		cad_strbuf_adds(&sb, " none");
	int rc = cad_err_take(err, CADENCE_EINVAL, &sb);
	if (err && !err->note)
		err->note = strdup(name);
	return rc;
}

static int no_measure(const rplan *p, size_t measure, cadence_run_error *err)
{
	return cad_err_set(err, CADENCE_EINVAL, "cadence '%s' has %zu measures (indexes 0 to "
			   "%zu), not a measure %zu", p->name, p->nmeasures, p->nmeasures - 1,
			   measure);
}

/* The note failed for good where its step ran: its fallback, as a run
 * takes it (cad_job_fallback()). */
static int step_fallback(rframe *root, rjob *j)
{
	j->state = JOB_DONE;
	j->outcome = CADENCE_NOTE_FAILED;
	cad_rfail_set(&j->fail, "it failed in its own step");
	cad_job_fallback(j);
	if (j->fell_back)
		return 0;
	cad_run_error(root->run, root, j->note, 0, CADENCE_EFAILED, &j->fail);
	return CADENCE_EFAILED;
}

static int step_job(rframe *root, rjob *j)
{
	rjob *failed;
	rjobs_end end = cad_jobs_run(root, j, 1, 1, &failed);
	return cad_engine_verdict(root, j, 1, end, failed);
}

/* The note's job, run once (or its fallback taken): its changes (checked,
 * unchanged fields dropped) in *changes, or applied to the score with
 * CADENCE_STEP_APPLY; its status. */
static int step_note(rframe *root, rnote *note, const cadence_step_opts *o, cJSON **changes,
		     int *status)
{
	/* the policies left to the caller: the note as compiled, with one
	 * attempt, no fallback, and no timeout unless ONE_ATTEMPT keeps it */
	rnote bare = *note;
	cad_note model = *note->n;
	if (o->flags & (CADENCE_STEP_NO_POLICIES | CADENCE_STEP_ONE_ATTEMPT)) {
		if (o->flags & CADENCE_STEP_NO_POLICIES)
			model.timeout_ms = 0;
		model.nfallback = 0;
		bare.n = &model;
		bare.attempts = 1;
	}
	rjob j;
	cad_job_init(&j, root, &bare, &root->score);
	/* as handle_error() runs the on_error handler */
	root->handling_error = o->error ? o->error : o->error_note ? "" : NULL;
	root->handling_note = o->error_note;
	int rc = o->flags & CADENCE_STEP_FALLBACK ? step_fallback(root, &j) : step_job(root, &j);
	root->handling_error = root->handling_note = NULL;
	if (!rc) {
		*status = j.status;
		if (o->flags & CADENCE_STEP_APPLY) {
			if (j.changes)
				cad_score_apply(&root->score, root->plan, j.changes, j.fields);
		} else {
			*changes = j.changes ? j.changes : cJSON_CreateObject();
			j.changes = NULL;
			if (!*changes)
				rc = cad_err_set(root->run->err, CADENCE_ENOMEM, "out of memory");
		}
	}
	cad_job_clear(&j);
	return rc;
}

static int step_measure(rframe *root, const rmeasure *ms, int *status)
{
	root->measure = ms;	/* CADENCE_MEASURE, messages: as in a run */
	int rc = cad_engine_measure(root, ms);
	*status = root->interrupt ? CADENCE_NOTE_STATUS_INTERRUPT : CADENCE_NOTE_STATUS_OK;
	return rc;
}

/* Flags and arguments that go together (run.h). */
static int step_opts_ok(const char *note, const cadence_step_opts *o, cadence_run_error *err)
{
	const unsigned all = CADENCE_STEP_NO_POLICIES | CADENCE_STEP_APPLY |
			     CADENCE_STEP_FALLBACK | CADENCE_STEP_MEASURE | CADENCE_STEP_PRECHECK |
			     CADENCE_STEP_ONE_ATTEMPT;
	const unsigned bare = CADENCE_STEP_NO_POLICIES | CADENCE_STEP_ONE_ATTEMPT;
	unsigned f = o->flags, whole = f & (CADENCE_STEP_MEASURE | CADENCE_STEP_PRECHECK);
	int handler = o->error || o->error_note;
	const char *why = NULL;
	if (f & ~all)
		why = "unknown flags";
	else if (whole == (CADENCE_STEP_MEASURE | CADENCE_STEP_PRECHECK))
		why = "CADENCE_STEP_MEASURE and CADENCE_STEP_PRECHECK do not go together";
	else if (!note == !whole)
		why = "a note, or no note with CADENCE_STEP_MEASURE or CADENCE_STEP_PRECHECK";
	else if ((f & bare) == bare)
		why = "CADENCE_STEP_NO_POLICIES and CADENCE_STEP_ONE_ATTEMPT do not go together";
	else if (whole && ((f & (bare | CADENCE_STEP_FALLBACK)) || handler))
		why = "a measure or the precheck runs its notes with their policies: no "
		      "CADENCE_STEP_NO_POLICIES, CADENCE_STEP_ONE_ATTEMPT, CADENCE_STEP_FALLBACK "
		      "or error";
	else if ((f & CADENCE_STEP_FALLBACK) && ((f & bare) || handler))
		why = "CADENCE_STEP_FALLBACK runs no note: no CADENCE_STEP_NO_POLICIES, "
		      "CADENCE_STEP_ONE_ATTEMPT or error";
	return why ? cad_err_set(err, CADENCE_EINVAL, "cadence_runner_step: %s", why) : 0;
}

/* The step on the root frame: what it names exists, the input fits, then
 * it runs; *out the changes, or the whole score. */
static int step_do(rframe *root, const char *note, const cJSON *input,
		   const cadence_step_opts *o, cJSON **out, int *status)
{
	const rplan *p = root->plan;
	cadence_run_error *err = root->run->err;
	rnote *n = note ? find_note(p, note) : NULL;
	int rc;
	if (note && !n)
		return no_note(p, note, err);
	if ((o->flags & CADENCE_STEP_MEASURE) && o->measure >= p->nmeasures)
		return no_measure(p, o->measure, err);
	if ((o->flags & CADENCE_STEP_FALLBACK) && !n->n->nfallback)
		return cad_err_set(err, CADENCE_EINVAL, "note '%s' of cadence '%s' has no fallback "
				   "(no 'fallback:' key): no values to give; give it one, "
				   "or fail where its step failed",
				   n->name, p->name);
	if ((rc = cad_run_input(root, input)))
		return rc;
	if (o->flags & CADENCE_STEP_PRECHECK)
		rc = cad_engine_precheck(root);
	else if (o->flags & CADENCE_STEP_MEASURE)
		rc = step_measure(root, &p->measures[o->measure], status);
	else
		rc = step_note(root, n, o, out, status);
	if ((!rc || rc == CADENCE_ESTOPPED) && (!n || (o->flags & CADENCE_STEP_APPLY)) &&
	    !(*out = cad_score_take(&root->score)))
		rc = cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	return rc;
}

int cadence_runner_step(cJSON **out, int *status, cadence_runner *r, const char *note,
			const cJSON *input, const cadence_step_opts *opts, cadence_run_error *err)
{
	static const cadence_step_opts defaults = CADENCE_STEP_OPTS_INIT;
	const cadence_step_opts *o = opts ? opts : &defaults;
	cadence_run_error own = CADENCE_RUN_ERROR_INIT;
	rrun run;
	rframe root;
	int rc, st = CADENCE_NOTE_STATUS_OK;

	if (out)
		*out = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (!CAD_VERSION_OK(opts, CADENCE_STEP_OPTS_VERSION))
		return cad_err_set(err, CADENCE_EVERSION, "cadence_step_opts: unknown version "
				   "(use CADENCE_STEP_OPTS_INIT)");
	if (!out || !r)
		return cad_err_set(err, CADENCE_EINVAL, "cadence_runner_step: out and runner must "
				   "not be NULL");
	if ((rc = step_opts_ok(note, o, err)))
		return rc;
	/* as a run: the error is the caller's only when the step fails */
	if (!(rc = cad_run_open(&run, &root, r, 0, &own))) {
		run.no_breakers = 1;
		rc = step_do(&root, note, input, o, out, &st);
	}
	cad_run_close(&run, &root);
	if (rc)
		cad_err_move(err, &own);
	if ((!rc || rc == CADENCE_ESTOPPED) && status)
		*status = st;
	cadence_run_error_clear(&own);
	return rc;
}

/* ---- merges ------------------------------------------------------------------ */

static void label_of(strbuf *sb, const char *const *labels, size_t k)
{
	if (labels && labels[k])
		cad_strbuf_adds(sb, labels[k]);
	else
		cad_strbuf_addf(sb, "changes %zu", k + 1);
}

/* A part that does not fit: CADENCE_EINVAL, naming it (and its note). */
static int bad_part(cadence_run_error *err, const char *const *labels, size_t k,
		    const char *note, const char *why)
{
	strbuf sb = STRBUF_INIT;
	label_of(&sb, labels, k);
	if (note)
		cad_strbuf_addf(&sb, " (note '%s')", note);
	cad_strbuf_addf(&sb, ": %s", why ? why : "out of memory");
	return cad_err_take(err, CADENCE_EINVAL, &sb);
}

static int merge_sync(rframe *fr, const rmeasure *ms, const cJSON *const *parts,
		      const char *const *labels, cadence_run_error *err)
{
	size_t n = ms->nnotes;
	rjob *jobs = calloc(n, sizeof(*jobs));
	rfail f = RFAIL_INIT;
	const char *who = NULL;
	int rc = 0;

	if (!jobs)
		return cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	for (size_t k = 0; k < n; k++)
		cad_job_init(&jobs[k], fr, ms->notes[k], &fr->score);
	for (size_t k = 0; k < n && !rc; k++) {
		rjob *j = &jobs[k];
		if (!(j->changes = cJSON_Duplicate(parts[k], 1)) || cad_job_fields_room(j, j->changes))
			rc = cad_err_set(err, CADENCE_ENOMEM, "out of memory");
		else if (cad_score_check_changes(fr, &fr->score, j->note->writes, j->changes, NULL,
						 j->fields, &f))
			rc = bad_part(err, labels, k, j->note->name, cad_strbuf_cstr(&f.msg));
	}
	if (!rc && cad_merge_sync(fr, ms, jobs, n, &f, &who)) {
		/* a conflict: the message a run gives, err->note the later note */
		rc = CADENCE_EFAILED;
		cad_run_error(fr->run, fr, NULL, 0, rc, &f);
		if (err && who && !err->note)
			err->note = strdup(who);
	}
	for (size_t k = 0; k < n; k++)
		cad_job_clear(&jobs[k]);
	free(jobs);
	cad_rfail_free(&f);
	return rc;
}

static int merge_child(rframe *fr, const rmeasure *ms, const cJSON *part,
		       const char *const *labels, cadence_run_error *err)
{
	rframe child;
	rfail f = RFAIL_INIT;
	cJSON *back = NULL;
	size_t *kept = NULL;
	int rc;

	if (cad_frame_init(&child, fr->run, fr, ms->child)) {
		rc = cad_err_set(err, CADENCE_ENOMEM, "out of memory");
	} else if (cad_score_from_input(&child.score, ms->child, part, &f)) {
		strbuf why = STRBUF_INIT;
		cad_strbuf_addf(&why, "not a final score of child cadence '%s': %s", ms->child->name,
				cad_strbuf_cstr(&f.msg) ? cad_strbuf_cstr(&f.msg) : "");
		rc = bad_part(err, labels, 0, NULL, cad_strbuf_cstr(&why));
		cad_strbuf_free(&why);
	} else if (!(rc = cad_engine_merge_back(fr, &fr->score, ms, &child, &back, &kept))) {
		cad_score_apply(&fr->score, fr->plan, back, kept);
	}
	cJSON_Delete(back);
	free(kept);
	cad_frame_free(&child);
	cad_rfail_free(&f);
	return rc;
}

/* The measure, and parts that are objects, as many as it takes. */
static int merge_args(const rplan *p, size_t measure, const cJSON *const *parts, size_t nparts,
		      const char *const *labels, cadence_run_error *err)
{
	if (measure >= p->nmeasures)
		return no_measure(p, measure, err);
	const rmeasure *ms = &p->measures[measure];
	const char *kind = cad_measure_kind_names[ms->m->kind];
	size_t want = ms->m->kind == CAD_M_SYNC ? ms->nnotes : 1;
	if (ms->m->kind != CAD_M_SYNC && ms->m->kind != CAD_M_CHILD)
		return cad_err_set(err, CADENCE_EINVAL, "measure %zu of cadence '%s' is %s '%s', "
				   "which has nothing to merge; a merge is of a sync or a child",
				   measure, p->name, kind, ms->m->name.name);
	if (nparts != want)
		return cad_err_set(err, CADENCE_EINVAL, "%s '%s' (measure %zu) takes %zu %s, "
				   "not %zu", kind, ms->m->name.name, measure, want,
				   ms->m->kind == CAD_M_SYNC ? "changes, one per note in the order "
				   "of its notes:" : "final score of its child", nparts);
	for (size_t k = 0; k < nparts; k++)
		if (!cJSON_IsObject(parts[k]))
			return bad_part(err, labels, k, NULL, "not a JSON object of fields");
	return 0;
}

int cadence_runner_merge(cJSON **out, cadence_runner *r, size_t measure, const cJSON *input,
			 const cJSON *const *parts, size_t nparts, const char *const *labels,
			 cadence_run_error *err)
{
	cadence_run_error own = CADENCE_RUN_ERROR_INIT;
	rrun run;
	rframe root;
	int rc;

	if (out)
		*out = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (!out || !r || (nparts && !parts))
		return cad_err_set(err, CADENCE_EINVAL, "cadence_runner_merge: out, runner and "
				   "parts must not be NULL");
	if (!(rc = cad_run_open(&run, &root, r, 0, &own)) &&
	    !(rc = merge_args(r->root_plan, measure, parts, nparts, labels, &own)) &&
	    !(rc = cad_run_input(&root, input))) {
		const rmeasure *ms = &r->root_plan->measures[measure];
		root.measure = ms;	/* messages name it, as a run's */
		rc = ms->m->kind == CAD_M_SYNC ? merge_sync(&root, ms, parts, labels, &own)
					       : merge_child(&root, ms, parts[0], labels, &own);
		if (!rc && !(*out = cad_score_take(&root.score)))
			rc = cad_err_set(&own, CADENCE_ENOMEM, "out of memory");
	}
	cad_run_close(&run, &root);
	if (rc)
		cad_err_move(err, &own);
	cadence_run_error_clear(&own);
	return rc;
}
