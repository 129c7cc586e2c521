/* SPDX-License-Identifier: MIT */
/* The score and data flow: every field a note reads is set on every path
 * before it; writes go to declared, mutable fields; notes in a sync do not
 * write the same field unless the merge strategy allows it. */
#include "check/check_int.h"
#include "util/strbuf.h"
#include "util/suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A set of score fields, one byte per field: scores are small and the
 * walk copies sets only at splits. */
typedef unsigned char *fset;

static void undeclared(check_ctx *c, const cad_ref *ref, const char *what)
{
	const struct cadence_def *d = c->def;
	const char **names = d->nfields ? malloc(d->nfields * sizeof(*names)) : NULL;
	const char *near = NULL;
	char help[200];

	if (names) {
		for (size_t i = 0; i < d->nfields; i++)
			names[i] = d->fields[i].name.name;
		near = cad_suggest_pick(ref->name, strlen(ref->name), names, d->nfields);
	} else if (d->nfields) {
		c->oom = 1;
	}
	if (near)
		snprintf(help, sizeof(help), "did you mean '%s'?", near);
	else
		snprintf(help, sizeof(help), "declare it under 'score:', for example '%.64s: {type: string}'",
			 ref->name);
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "undeclared-field", ref->loc, help,
		 "%s '%s', which is not declared in the score", what, ref->name);
	free(names);
}

/* A field that a note, fallback or merge sets: declared and mutable. */
static void check_target(check_ctx *c, const cad_ref *ref, const char *what)
{
	long i = cad_check_field(c, ref->name);
	const cad_field *f = i < 0 ? NULL : &c->def->fields[i];
	if (!f) {
		undeclared(c, ref, what);
		return;
	}
	if (f->immutable) {
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "immutable-write", ref->loc,
			 "remove the write, or drop 'immutable: true' from the field",
			 "%s '%s', which is immutable", what, ref->name);
		cad_check_relate(c, f->name.loc, "declared immutable");
	}
}

void cad_check_score(check_ctx *c)
{
	const struct cadence_def *d = c->def;

	for (size_t i = 0; i < d->nfields; i++) {
		const cad_field *f = &d->fields[i];
		if (f->required && f->def)
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "required-default", f->def_loc,
				 "remove 'default:' (the caller must supply the field) or 'required: true' (the default applies)",
				 "field '%s' is required and has a default", f->name.name);
	}
	for (size_t i = 0; i < d->nnotes; i++) {
		const cad_note *n = &d->notes[i];
		for (size_t j = 0; j < n->nreads; j++)
			if (cad_check_field(c, n->reads[j].name) < 0)
				undeclared(c, &n->reads[j], "reads");
		for (size_t j = 0; j < n->nwrites; j++)
			check_target(c, &n->writes[j], "writes");
		for (size_t j = 0; j < n->nset; j++)
			check_target(c, &n->set[j].field, "sets");
		for (size_t j = 0; j < n->nfallback; j++)
			check_target(c, &n->fallback[j].field, "falls back to");
	}
	for (size_t i = 0; i < d->nmeasures; i++) {
		const cad_measure *m = &d->measures[i];
		for (size_t j = 0; j < m->nmerge_back; j++)
			check_target(c, &m->merge_back[j].field, "merges into");
	}
}

/* --- data flow ----------------------------------------------------------- */

typedef struct flow {
	check_ctx *c;
	size_t n;	/* fields */
} flow;

static void set_field(const flow *f, fset s, const char *name)
{
	long i = cad_check_field(f->c, name);
	if (i >= 0)
		s[i] = 1;
}

/* Fields a note is sure to have set once it is over, whatever happened:
 * when it can fail and the cadence goes on, only what its fallback sets. */
static void assured_writes(const flow *f, const cad_note *n, fset out)
{
	const struct cadence_def *d = f->c->def;
	unsigned char *w = out;

	if (!n->nfallback && d->has_on_error && !d->on_error_stop)
		return;
	for (size_t i = 0; i < n->nwrites; i++)
		set_field(f, w, n->writes[i].name);
	for (size_t i = 0; i < n->nset; i++)
		set_field(f, w, n->set[i].field.name);
	if (!n->nfallback)
		return;
	/* intersect with the fallback's fields */
	for (size_t i = 0; i < f->n; i++) {
		if (!w[i])
			continue;
		int in_fallback = 0;
		for (size_t j = 0; j < n->nfallback && !in_fallback; j++)
			in_fallback = !strcmp(n->fallback[j].field.name, d->fields[i].name.name);
		w[i] = (unsigned char)in_fallback;
	}
}

static void check_reads(const flow *f, const cad_note *n, const fset avail,
			const cad_ref *at)
{
	for (size_t i = 0; i < n->nreads; i++) {
		long k = cad_check_field(f->c, n->reads[i].name);
		if (k < 0 || avail[k])
			continue;
		cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", n->reads[i].loc,
			 "give the field a default, make it required, or write it in an earlier note (listed in that note's 'writes:')",
			 "note '%s' reads '%s', which is not set on every path to measure '%s'",
			 n->name.name, n->reads[i].name, at->name);
	}
}

static int listed_in_reads(const cad_note *n, const char *field)
{
	for (size_t i = 0; i < n->nreads; i++)
		if (!strcmp(n->reads[i].name, field))
			return 1;
	return 0;
}

/* The fields expressions need set (cad_check_exprs found them): a null there
 * fails the evaluation at run time.  `note` is the set note they belong
 * to, or NULL for a measure's condition or child inputs. */
static void check_xreads(const flow *f, xrange r, const fset avail, const cad_note *note,
			 const cad_measure *m)
{
	const check_ctx *c = f->c;
	const struct cadence_def *d = c->def;
	for (size_t i = r.start; i < r.start + r.count; i++) {
		const xread *x = &c->xr[i];
		const char *name = d->fields[x->field].name.name;
		char help[240];
		if (avail[x->field] || (note && listed_in_reads(note, name)))
			continue;
		snprintf(help, sizeof(help),
			 "give the field a default, make it required, write it in an earlier note, "
			 "or test it in the expression (has(score.%.40s) ? ... : ...)", name);
		if (note)
			cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", x->expr->loc, help,
				 "note '%s' computes '%s' from '%s', which is not set on every path to measure '%s'",
				 note->name.name, x->target, name, m->name.name);
		else if (x->target)
			cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", x->expr->loc, help,
				 "child '%s' passes '%s' from '%s', which is not set on every path to it",
				 m->name.name, x->target, name);
		else
			cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", x->expr->loc, help,
				 "the condition of split '%s' reads '%s', which is not set on every path to it",
				 m->name.name, name);
	}
}

/* Runs a list of notes in order over `avail`. */
static int run_notes(const flow *f, const cad_ref *refs, size_t n, fset avail,
		     const cad_measure *m)
{
	const cad_ref *measure = &m->name;
	fset w = malloc(f->n ? f->n : 1);
	if (!w)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const cad_note *note = cad_check_note(f->c, &refs[i]);
		if (!note)
			continue;
		check_reads(f, note, avail, measure);
		if (f->c->note_xr)
			check_xreads(f, f->c->note_xr[note - f->c->def->notes], avail, note, m);
		memset(w, 0, f->n);
		assured_writes(f, note, w);
		for (size_t k = 0; k < f->n; k++)
			avail[k] |= w[k];
	}
	free(w);
	return 0;
}

static int is_scalar(cad_vtype t)
{
	return t == CAD_T_STRING || t == CAD_T_INTEGER || t == CAD_T_NUMBER ||
	       t == CAD_T_BOOLEAN;
}

/* One write of a field by a note of a sync: the writes are grouped by
 * field, so a sync of N notes costs N log N, not N^2 pairs x fields. */
typedef struct swrite {
	long field;		/* index in def->fields */
	size_t pos;		/* of the note in the sync's list */
	size_t seq;		/* of the write in the sync, for a stable order */
	const cad_note *note;
	const cad_ref *at;
} swrite;

static int swrite_cmp(const void *pa, const void *pb)
{
	const swrite *a = pa, *b = pb;
	if (a->field != b->field)
		return a->field < b->field ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Every declared write (`writes:`, then the keys of `set:`) of the sync's
 * notes to a declared field, sorted by field, then by note, then by
 * position in the note; *n receives the count.  NULL with *n 0 when there
 * is none; NULL with c->oom set when out of memory. */
static swrite *sync_writes(check_ctx *c, const cad_measure *m, size_t *n)
{
	swrite *w = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t j = 0; j < m->nnotes; j++) {
		const cad_note *note = cad_check_note(c, &m->notes[j]);
		size_t nw = note ? note->nwrites + note->nset : 0;
		if (*n + nw > cap) {
			cap = (*n + nw) * 2;
			swrite *g = realloc(w, cap * sizeof(*g));
			if (!g) {
				free(w);
				c->oom = 1;
				*n = 0;
				return NULL;
			}
			w = g;
		}
		for (size_t i = 0; i < nw; i++) {
			const cad_ref *at = i < note->nwrites ? &note->writes[i]
							      : &note->set[i - note->nwrites].field;
			long k = cad_check_field(c, at->name);
			size_t seq = *n;
			if (k >= 0) {
				w[seq] = (swrite){ k, j, seq, note, at };
				*n = seq + 1;
			}
		}
	}
	if (*n)
		qsort(w, *n, sizeof(*w), swrite_cmp);
	return w;
}

/* Names listed in a write-conflict message: the count says the rest. */
#define CONFLICT_NAMES 4

/* One write-conflict for the notes writes [w, w + n) of one field (n >= 2,
 * one write per note), at the second note's write, related to the first. */
static void report_conflict(check_ctx *c, const cad_measure *m, const swrite *w, size_t n)
{
	const cad_field *fld = &c->def->fields[w[0].field];
	strbuf who = STRBUF_INIT;
	const char *help;

	if (m->merge == CAD_MERGE_FAIL_ON_CONFLICT)
		help = "let one note write the field, or choose 'merge: last_write_wins' or 'smart_merge'";
	else if (is_scalar(fld->type))
		help = "smart_merge only combines arrays and objects; let one note write it, or choose 'merge: last_write_wins'";
	else
		return;
	if (n == 2) {
		cad_strbuf_addf(&who, "notes '%s' and '%s' both write", w[0].note->name.name,
				w[1].note->name.name);
	} else {
		size_t shown = n > CONFLICT_NAMES ? CONFLICT_NAMES : n - 1;
		cad_strbuf_adds(&who, "notes");
		for (size_t i = 0; i < shown; i++)
			cad_strbuf_addf(&who, "%s '%s'", i ? "," : "", w[i].note->name.name);
		if (shown < n - 1)
			cad_strbuf_addf(&who, " and %zu more", n - shown);
		else
			cad_strbuf_addf(&who, " and '%s'", w[n - 1].note->name.name);
		cad_strbuf_adds(&who, " all write");
	}
	if (!cad_strbuf_cstr(&who)) {
		c->oom = 1;
		return;
	}
	if (m->merge == CAD_MERGE_FAIL_ON_CONFLICT)
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "write-conflict", w[1].at->loc, help,
			 "%s '%s' in sync '%s' (merge: fail_on_conflict)",
			 cad_strbuf_cstr(&who), fld->name.name, m->name.name);
	else
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "write-conflict", w[1].at->loc, help,
			 "%s the %s field '%s' in sync '%s' (merge: smart_merge)",
			 cad_strbuf_cstr(&who), cad_vtype_names[fld->type], fld->name.name,
			 m->name.name);
	cad_check_relate(c, w[0].at->loc, "also written here");
	cad_strbuf_free(&who);
}

/* One write-conflict per field that two or more notes of the sync write. */
static void sync_conflicts(check_ctx *c, const cad_measure *m)
{
	size_t n;
	swrite *w;

	if (m->merge == CAD_MERGE_LAST_WRITE_WINS || !(w = sync_writes(c, m, &n)))
		return;
	/* keep each note's first write of a field (`writes:` before `set:`) */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (!kept || w[kept - 1].field != w[i].field || w[kept - 1].pos != w[i].pos)
			w[kept++] = w[i];
	for (size_t i = 0, end; i < kept; i = end) {
		for (end = i + 1; end < kept && w[end].field == w[i].field; end++)
			;
		if (end - i > 1)
			report_conflict(c, m, &w[i], end - i);
	}
	free(w);
}

void cad_check_flow(check_ctx *c)
{
	const struct cadence_def *d = c->def;
	flow f = { c, d->nfields };
	size_t sz = d->nfields ? d->nfields : 1;
	fset avail = calloc(sz, 1), a_true = malloc(sz), a_false = malloc(sz);

	if (!avail || !a_true || !a_false) {
		c->oom = 1;
		goto out;
	}
	for (size_t i = 0; i < d->nfields; i++)
		avail[i] = d->fields[i].required || d->fields[i].def;

	for (size_t i = 0; i < d->nmeasures; i++) {
		const cad_measure *m = &d->measures[i];
		int rc = 0;
		switch (m->kind) {
		case CAD_M_THEN:
		case CAD_M_SEQUENCE:
			rc = run_notes(&f, m->notes, m->nnotes, avail, m);
			break;
		case CAD_M_SYNC:
			/* every note sees the score as it was before the sync */
			memcpy(a_true, avail, sz);
			for (size_t j = 0; j < m->nnotes && !rc; j++) {
				memcpy(a_false, a_true, sz);
				rc = run_notes(&f, &m->notes[j], 1, a_false, m);
				for (size_t k = 0; k < d->nfields; k++)
					avail[k] |= a_false[k];
			}
			sync_conflicts(c, m);
			break;
		case CAD_M_SPLIT:
			if (c->measure_xr)
				check_xreads(&f, c->measure_xr[i], avail, NULL, m);
			memcpy(a_true, avail, sz);
			memcpy(a_false, avail, sz);
			rc = run_notes(&f, m->notes, m->nnotes, a_true, m);
			if (!rc)
				rc = run_notes(&f, m->else_notes, m->nelse, a_false, m);
			for (size_t k = 0; k < d->nfields; k++)
				avail[k] = a_true[k] && a_false[k];
			break;
		case CAD_M_CHILD:
			if (c->measure_xr)
				check_xreads(&f, c->measure_xr[i], avail, NULL, m);
			for (size_t j = 0; j < m->nmerge_back; j++)
				set_field(&f, avail, m->merge_back[j].field.name);
			break;
		}
		if (rc) {
			c->oom = 1;
			break;
		}
	}
out:
	free(avail);
	free(a_true);
	free(a_false);
}
