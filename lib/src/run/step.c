/* SPDX-License-Identifier: MIT */
/* One note, or one measure's merge, of a cadence run alone: what an
 * external engine (Argo Workflows, n8n) runs for a node of a cadence's
 * graph (`cadence step`, docs/cli.md).  The engine's own code does the
 * work: a job runs the note with its policies (job.c), merge.c merges a
 * sync's changes, engine.c merges a child's score back. */
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

/* The note's job, run once: the changes it made (checked, unchanged
 * fields dropped) and its status. */
static int step_note(rframe *root, rnote *note, unsigned flags, cJSON **changes, int *status)
{
	/* the policies left to the caller: the note as compiled, with one
	 * attempt, no timeout, no fallback; a breaker never applies */
	rnote bare = *note;
	cad_note model = *note->n;
	bare.breaker = NULL;
	if (flags & CADENCE_STEP_NO_POLICIES) {
		model.timeout_ms = 0;
		model.nfallback = 0;
		bare.n = &model;
		bare.attempts = 1;
	}
	rjob j, *failed;
	cad_job_init(&j, root, &bare, &root->score);
	rjobs_end end = cad_jobs_run(root, &j, 1, 1, &failed);
	int rc = cad_engine_verdict(root, &j, 1, end, failed);
	if (!rc) {
		*status = j.status;
		*changes = j.changes ? j.changes : cJSON_CreateObject();
		j.changes = NULL;
		if (!*changes) {
			rfail f = RFAIL_INIT;
			cad_rfail_set(&f, "out of memory");
			cad_run_error(root->run, root, NULL, 0, CADENCE_ENOMEM, &f);
			cad_rfail_free(&f);
			rc = CADENCE_ENOMEM;
		}
	}
	cad_job_clear(&j);
	return rc;
}

int cadence_runner_step(cJSON **changes, int *status, cadence_runner *r, const char *note,
			const cJSON *input, unsigned flags, cadence_run_error *err)
{
	cadence_run_error own = CADENCE_RUN_ERROR_INIT;
	rrun run;
	rframe root;
	int rc, st = CADENCE_NOTE_STATUS_OK;

	if (changes)
		*changes = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (!changes || !r || !note)
		return cad_err_set(err, CADENCE_EINVAL, "cadence_runner_step: changes, runner and "
				   "note must not be NULL");
	/* as a run: the error is the caller's only when the step fails */
	if (!(rc = cad_run_open(&run, &root, r, &own))) {
		rnote *n = find_note(r->root_plan, note);
		if (!n)
			rc = no_note(r->root_plan, note, &own);
		else if (!(rc = cad_run_input(&root, input)))
			rc = step_note(&root, n, flags, changes, &st);
	}
	cad_run_close(&run, &root);
	if (rc)
		cad_err_move(err, &own);
	else if (status)
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
		return cad_err_set(err, CADENCE_EINVAL, "cadence '%s' has %zu measures (indexes 0 to "
				   "%zu), not a measure %zu", p->name, p->nmeasures,
				   p->nmeasures - 1, measure);
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
	if (!(rc = cad_run_open(&run, &root, r, &own)) &&
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
