/* SPDX-License-Identifier: MIT */
/* References inside one cadence: measures and tasks name notes that exist, every note
 * is used, measure names are unique, sync and split have something to do. */
#include "check/check_int.h"
#include "util/suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void undefined_note(check_ctx *c, const cad_ref *ref, const char **names)
{
	/* none sought for a diagnostic that is dropped */
	const char *near = names && !cad_report_capped(&c->r, "undefined-note")
		? cad_suggest_pick(ref->name, strlen(ref->name), names, c->def->nnotes) : NULL;
	char help[160];

	if (near)
		snprintf(help, sizeof(help), "did you mean '%s'?", near);
	else if (c->def->nnotes)
		snprintf(help, sizeof(help), "declare it under 'notes:'");
	else
		snprintf(help, sizeof(help), "declare it under 'notes:' (this cadence has none)");
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "undefined-note", ref->loc, help,
		 "note '%s' is not defined", ref->name);
}

/* Marks each note named in refs as used, reporting the undefined ones. */
static void use_notes(check_ctx *c, const cad_ref *refs, size_t n,
		      unsigned char *used, const char **names)
{
	const struct cadence_def *d = c->def;
	for (size_t i = 0; i < n; i++) {
		const cad_note *note = cad_check_note(c, &refs[i]);
		if (note)
			used[note - d->notes] = 1;
		else
			undefined_note(c, &refs[i], names);
	}
}

static void report_duplicate(check_ctx *c, const cad_measure *first, const cad_measure *m)
{
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "duplicate-measure", m->name.loc,
		 "give each measure its own name; for a 'then', set 'note:' to run the same note again",
		 "measure name '%s' is used twice", m->name.name);
	cad_check_relate(c, first->name.loc, "first used");
}

/* Each measure named like an earlier one is reported once, related to the
 * first measure of that name: the model's index keeps the first. */
static void duplicate_measures(check_ctx *c)
{
	const struct cadence_def *d = c->def;
	for (size_t i = 0; i < d->nmeasures; i++) {
		long first = cad_model_measure_index(d, d->measures[i].name.name);
		if (first >= 0 && (size_t)first != i)
			report_duplicate(c, &d->measures[first], &d->measures[i]);
	}
}

void cad_check_refs(check_ctx *c)
{
	const struct cadence_def *d = c->def;
	unsigned char *used = calloc(d->nnotes ? d->nnotes : 1, 1);
	const char **names = d->nnotes ? malloc(d->nnotes * sizeof(*names)) : NULL;

	if (!used || (d->nnotes && !names)) {
		c->oom = 1;
		goto out;
	}
	for (size_t i = 0; i < d->nnotes; i++)
		names[i] = d->notes[i].name.name;

	duplicate_measures(c);
	for (size_t i = 0; i < d->nmeasures; i++) {
		const cad_measure *m = &d->measures[i];
		use_notes(c, m->notes, m->nnotes, used, names);
		use_notes(c, m->else_notes, m->nelse, used, names);
		for (size_t j = 0; j < m->ntasks; j++)
			if (!m->tasks[j].child)	/* a child task runs no note */
				use_notes(c, &m->tasks[j].note, 1, used, names);
		if (m->kind == CAD_M_SYNC && m->nnotes < 2)
			cad_check_at(c, CADENCE_SEVERITY_WARNING, "sync-single-note", m->name.loc,
				 "use 'then:' for one note, or add the notes that run beside it",
				 "sync '%s' has one note, so nothing runs in parallel", m->name.name);
		if (m->kind == CAD_M_SPLIT && !m->nnotes && !m->nelse)
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "split-no-branch", m->name.loc,
				 "add 'if_true: [NOTE]' or 'if_false: [NOTE]'",
				 "split '%s' has neither an if_true nor an if_false branch",
				 m->name.name);
	}
	if (d->has_on_error)
		use_notes(c, &d->on_error_note, 1, used, names);
	if (d->precheck_note.name)
		use_notes(c, &d->precheck_note, 1, used, names);
	for (size_t i = 0; i < d->nnotes; i++)
		if (!used[i])
			cad_check_at(c, CADENCE_SEVERITY_WARNING, "unused-note", d->notes[i].name.loc,
				 "run it from a measure, or remove it",
				 "note '%s' is never used", d->notes[i].name.name);
out:
	free(used);
	free(names);
}
