/* SPDX-License-Identifier: MIT */
/* Child cadences, run by a `child` measure or a dag task with `cadence:`
 * (its cad_task.child): the reference resolves to a file, the child gets
 * every field it requires, its `with` keys exist, and no chain of children
 * leads back to the cadence that started it. */
#include "check/check_int.h"
#include "cadence/common.h"
#include "project/project.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/suggest.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* Children deeper than this are not followed for cycles: a chain this long
 * is a generated tree, and the walk must stay bounded. */
#define MAX_CHAIN 256

static const char suffix[] = ".cadence.yaml";

/* The name of a *.cadence.yaml file in `dir` that is close to `name`. */
static char *near_file(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	char **names = NULL, *pick = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), sl = sizeof(suffix) - 1;
		if (len <= sl || strcmp(e->d_name + len - sl, suffix))
			continue;
		if (CAD_GROW(names, cap, n + 1, 16))
			break;
		names[n] = strndup(e->d_name, len - sl);
		if (names[n])
			n++;
	}
	closedir(d);
	const char *best = n ? cad_suggest_pick(name, strlen(name), (const char *const *)names, n) : NULL;
	if (best)
		pick = strdup(best);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return pick;
}

static void not_found(check_ctx *c, const cad_measure *m, const char *path)
{
	const char *ref = m->cadence.name;
	strbuf dir = STRBUF_INIT;
	char *near = NULL;

	if (!strchr(ref, '/')) {	/* looked for in the cadence's own directory */
		cad_def_dir(c->def, &dir);
		const char *d = cad_strbuf_cstr(&dir);
		near = d ? near_file(*d ? d : ".", ref) : NULL;
	}
	strbuf help = STRBUF_INIT;
	if (near)
		cad_strbuf_addf(&help, "did you mean '%s'?", near);
	else
		cad_strbuf_addf(&help, "create %s, or set 'cadence:' to the child's name or path", path);
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "child-not-found", m->cadence.loc,
		 cad_strbuf_cstr(&help), "child cadence '%s' not found (looked for %s)", ref, path);
	free(near);
	cad_strbuf_free(&dir);
	cad_strbuf_free(&help);
}

static void check_inputs(check_ctx *c, const cad_measure *m, const struct cadence_def *child)
{
	unsigned char *given = calloc(child->nfields ? child->nfields : 1, 1);
	if (!given) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < m->nwith; i++) {
		long k = cad_model_field_index(child, m->with[i].field.name);
		if (k >= 0)
			given[k] = 1;
		else
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "undeclared-field", m->with[i].field.loc,
				 "'with' sets fields of the child's score; check the child's 'score:'",
				 "child cadence '%s' has no field '%s'", child->name.name,
				 m->with[i].field.name);
	}
	for (size_t i = 0; i < child->nfields; i++) {
		const cad_field *f = &child->fields[i];
		if (f->required && !given[i])
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "child-missing-input", m->name.loc,
				 "add it to 'with:', for example 'with: {FIELD: score.FIELD}'",
				 "child cadence '%s' requires field '%s', which 'with' does not set",
				 child->name.name, f->name.name);
	}
	free(given);
}

typedef struct walk {
	check_ctx *c;
	const struct cadence_def *path[MAX_CHAIN];
	size_t depth;
	const struct cadence_def **seen;	/* already searched from here */
	size_t nseen, capseen;
	int found;
} walk;

static int seen(walk *w, const struct cadence_def *d)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i] == d)
			return 1;
	if (CAD_GROW(w->seen, w->capseen, w->nseen + 1, 16)) {
		w->c->oom = 1;
		return 1;
	}
	w->seen[w->nseen++] = d;
	return 0;
}

static void search(walk *w, const struct cadence_def *d);

/* One child of d on the search: child measure or child task m. */
static void search_child(walk *w, const struct cadence_def *d, const cad_measure *m)
{
	const cadence_def *child = NULL;
	/* the child's own problems are reported when it is checked */
	cadence_diags *none = NULL;
	if (cadence_diags_new(&none)) {
		w->c->oom = 1;
		return;
	}
	int rc = cad_project_child_of(&child, NULL, w->c->project, d, m, none);
	cadence_diags_free(none);
	if (rc == CADENCE_ENOMEM)
		w->c->oom = 1;
	if (rc || !child)
		return;
	if (child == w->path[0]) {
		w->path[w->depth++] = child;
		w->found = 1;
		return;
	}
	if (!seen(w, child))
		search(w, child);
}

/* Depth-first search for a way back to w->path[0]. */
static void search(walk *w, const struct cadence_def *d)
{
	if (w->found || w->depth == MAX_CHAIN)
		return;
	w->path[w->depth++] = d;
	for (size_t i = 0; i < d->nmeasures && !w->found && !w->c->oom; i++) {
		const cad_measure *m = &d->measures[i];
		if (m->kind == CAD_M_CHILD)
			search_child(w, d, m);
		for (size_t j = 0; j < m->ntasks && !w->found && !w->c->oom; j++)
			if (m->tasks[j].child)
				search_child(w, d, m->tasks[j].child);
	}
	if (!w->found)
		w->depth--;
}

typedef struct children {
	check_ctx *c;
	int cycle_reported;
	/* children searched from already, without a way back: many measures
	 * may run one child, and the same search finds the same nothing */
	walk done;
} children;

static void report_cycle(check_ctx *c, const cad_measure *m, const walk *w)
{
	strbuf chain = STRBUF_INIT;
	for (size_t k = 0; k < w->depth; k++)
		cad_strbuf_addf(&chain, "%s%s", k ? " -> " : "", w->path[k]->name.name);
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "child-cycle", m->cadence.loc,
		     "a cadence cannot run itself, directly or through its children; break the chain",
		     "child cadences form a cycle: %s",
		     cad_strbuf_cstr(&chain) ? cad_strbuf_cstr(&chain) : "?");
	cad_strbuf_free(&chain);
}

/* The child that measure or task m runs: found, given its inputs, and
 * not leading back here (one cycle reported per cadence). */
static void check_child(children *ch, const cad_measure *m)
{
	check_ctx *c = ch->c;
	const struct cadence_def *d = c->def;
	const cadence_def *child = NULL;
	const char *path = NULL;
	int rc = cad_project_child_of(&child, &path, c->project, d, m, c->r.diags);
	if (rc == CADENCE_ENOMEM) {
		c->oom = 1;
		return;
	}
	if (rc == CADENCE_ENOTFOUND) {
		not_found(c, m, path);
		return;
	}
	if (rc == CADENCE_EOUTSIDE) {
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "outside-root", m->cadence.loc,
			 "keep child cadences inside the project (docs/cli.md, \"The project root\"); "
			 "if the file is meant, check with --allow-outside-root",
			 "child cadence '%s' leads outside the project root (looked for %s): "
			 "it is not read", m->cadence.name, path);
		return;
	}
	if (rc || !child)
		return;	/* the child's errors are reported in its file */
	check_inputs(c, m, child);

	if (ch->cycle_reported || (child != d && seen(&ch->done, child)))
		return;
	walk w;
	memset(&w, 0, sizeof(w));
	w.c = c;
	w.path[w.depth++] = d;
	if (child == d) {
		w.path[w.depth++] = d;
		w.found = 1;
	} else {
		search(&w, child);
	}
	if (w.found) {
		report_cycle(c, m, &w);
		ch->cycle_reported = 1;
	}
	free(w.seen);
}

void cad_check_children(check_ctx *c)
{
	const struct cadence_def *d = c->def;
	children ch;

	if (!c->project)
		return;	/* nothing to load children through (check.h) */
	memset(&ch, 0, sizeof(ch));
	ch.c = c;
	ch.done.c = c;
	for (size_t i = 0; i < d->nmeasures && !c->oom; i++) {
		const cad_measure *m = &d->measures[i];
		if (m->kind == CAD_M_CHILD)
			check_child(&ch, m);
		for (size_t j = 0; j < m->ntasks && !c->oom; j++)
			if (m->tasks[j].child)
				check_child(&ch, m->tasks[j].child);
	}
	free(ch.done.seen);
}
