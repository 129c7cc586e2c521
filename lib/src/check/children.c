/* SPDX-License-Identifier: MIT */
/* Child cadences: the reference resolves to a file, the child gets every
 * field it requires, its `with` keys exist, and no chain of children leads
 * back to the cadence that started it. */
#include "check/check_int.h"
#include "cadence/common.h"
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

/* Depth-first search for a way back to w->path[0]. */
static void search(walk *w, const struct cadence_def *d)
{
	if (w->found || w->depth == MAX_CHAIN)
		return;
	w->path[w->depth++] = d;
	for (size_t i = 0; i < d->nmeasures && !w->found; i++) {
		const cadence_def *child = NULL;
		if (d->measures[i].kind != CAD_M_CHILD)
			continue;
		/* the child's own problems are reported when it is checked */
		cadence_diags *none = NULL;
		if (cadence_diags_new(&none)) {
			w->c->oom = 1;
			break;
		}
		int rc = cadence_project_child(&child, NULL, w->c->project, d, i, none);
		cadence_diags_free(none);
		if (rc == CADENCE_ENOMEM)
			w->c->oom = 1;
		if (rc || !child)
			continue;
		if (child == w->path[0]) {
			w->path[w->depth++] = child;
			w->found = 1;
			return;
		}
		if (!seen(w, child))
			search(w, child);
	}
	if (!w->found)
		w->depth--;
}

void cad_check_children(check_ctx *c)
{
	const struct cadence_def *d = c->def;
	int cycle_reported = 0;
	/* children searched from already, without a way back: many measures
	 * may run one child, and the same search finds the same nothing */
	walk done;

	memset(&done, 0, sizeof(done));
	done.c = c;

	if (!c->project)
		return;	/* nothing to load children through (check.h) */
	for (size_t i = 0; i < d->nmeasures; i++) {
		const cad_measure *m = &d->measures[i];
		const cadence_def *child = NULL;
		const char *path = NULL;
		if (m->kind != CAD_M_CHILD)
			continue;
		int rc = cadence_project_child(&child, &path, c->project, d, i, c->r.diags);
		if (rc == CADENCE_ENOMEM) {
			c->oom = 1;
			return;
		}
		if (rc == CADENCE_ENOTFOUND) {
			not_found(c, m, path);
			continue;
		}
		if (rc == CADENCE_EOUTSIDE) {
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "outside-root", m->cadence.loc,
				 "keep child cadences inside the project (docs/cli.md, \"The project root\"); "
				 "if the file is meant, check with --allow-outside-root",
				 "child cadence '%s' leads outside the project root (looked for %s): "
				 "it is not read", m->cadence.name, path);
			continue;
		}
		if (rc)
			continue;	/* the child's errors are reported in its file */
		check_inputs(c, m, child);

		if (cycle_reported || (child != d && seen(&done, child)))
			continue;
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
			strbuf chain = STRBUF_INIT;
			for (size_t k = 0; k < w.depth; k++)
				cad_strbuf_addf(&chain, "%s%s", k ? " -> " : "", w.path[k]->name.name);
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "child-cycle", m->cadence.loc,
				 "a cadence cannot run itself, directly or through its children; break the chain",
				 "child cadences form a cycle: %s",
				 cad_strbuf_cstr(&chain) ? cad_strbuf_cstr(&chain) : "?");
			cad_strbuf_free(&chain);
			cycle_reported = 1;
		}
		free(w.seen);
	}
	free(done.seen);
}
