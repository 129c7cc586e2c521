/* SPDX-License-Identifier: MIT */
/* A set of cadence files loaded once each, with child references resolved
 * lazily.  Linear lookups: a project holds at most a few thousand files and
 * a lookup is a comparison of two integers. */
/* realpath() */
#define _XOPEN_SOURCE 700

#include "cadence/common.h"
#include "cadence/project.h"
#include "model/model.h"
#include "project/project.h"
#include "util/api.h"
#include "util/grow.h"
#include "util/path.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct entry {
	dev_t dev;
	ino_t ino;
	int keyed;		/* loaded from a file (dev, ino valid) */
	int rc;			/* result of the load */
	cadence_def *def;	/* NULL when rc != 0 */
	const char *root;	/* its children stay below it, or NULL; in roots */
} entry;

struct cadence_project {
	cadence_load_opts opts;
	entry *entries;
	size_t count, cap;
	cadence_def **ok;	/* loaded without errors, in load order */
	size_t nok;
	strbuf path;		/* the last child path tried */
	char **roots;		/* every root set, owned (entries point in) */
	size_t nroots;
	const char *root;	/* for the files loaded next, or NULL */
	cad_kept *kept;		/* cad_project_keep_exprs(), or NULL */
};

int cadence_project_new(cadence_project **out, const cadence_load_opts *opts)
{
	*out = NULL;
	if (!CAD_VERSION_OK(opts, CADENCE_LOAD_OPTS_VERSION))
		return CADENCE_EVERSION;
	cadence_project *p = calloc(1, sizeof(*p));
	if (!p)
		return CADENCE_ENOMEM;
	static const size_t sizes[] = { 0, sizeof(cadence_load_opts) };	/* util/api.h */
	p->opts = (cadence_load_opts)CADENCE_LOAD_OPTS_INIT;
	if (opts)
		CAD_COPY_IN(&p->opts, opts, sizes);
	*out = p;
	return 0;
}

void cadence_project_free(cadence_project *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->count; i++)
		cadence_def_free(p->entries[i].def);
	free(p->entries);
	free(p->ok);
	cad_strbuf_free(&p->path);
	for (size_t i = 0; i < p->nroots; i++)
		free(p->roots[i]);
	free(p->roots);
	cad_kept_free(p->kept);
	free(p);
}

int cad_project_keep_exprs(cadence_project *p)
{
	if (!p->kept && cad_kept_new(&p->kept))
		return CADENCE_ENOMEM;
	return 0;
}

cad_kept *cad_project_kept(const cadence_project *p, const cadence_def *def)
{
	if (!p || !p->kept)
		return NULL;
	for (size_t i = 0; i < p->count; i++)
		if (p->entries[i].def == def)
			return p->kept;
	return NULL;
}

static entry *add_entry(cadence_project *p)
{
	if (p->count == p->cap) {
		size_t cap = cad_grow_cap(p->cap, p->count + 1, sizeof(entry), 16);
		entry *e = cap ? cad_realloc_array(p->entries, cap, sizeof(*e)) : NULL;
		if (!e)
			return NULL;
		cadence_def **ok = cad_realloc_array(p->ok, cap, sizeof(*ok));
		if (!ok) {
			p->entries = e;
			return NULL;
		}
		p->entries = e;
		p->ok = ok;
		p->cap = cap;
	}
	entry *e = &p->entries[p->count];
	memset(e, 0, sizeof(*e));
	e->root = p->root;
	return e;
}

int cadence_project_set_root(cadence_project *p, const char *root)
{
	if (!root) {
		p->root = NULL;
		return 0;
	}
	char **roots = cad_realloc_array(p->roots, p->nroots + 1, sizeof(*roots));
	if (!roots)
		return CADENCE_ENOMEM;
	p->roots = roots;
	char *real = realpath(root, NULL);
	if (!real)
		return errno == ENOMEM ? CADENCE_ENOMEM : CADENCE_ENOTFOUND;
	p->roots[p->nroots++] = real;
	p->root = real;
	return 0;
}

/* The root of the file `def` was loaded from: the entry's, or, for a
 * cadence that is not the project's (built in code), the current one. */
static const char *root_of(const cadence_project *p, const cadence_def *def)
{
	for (size_t i = 0; i < p->count; i++)
		if (p->entries[i].def == def)
			return p->entries[i].root;
	return p->root;
}

/* Records a load's result; takes ownership of def. */
static int finish(cadence_project *p, entry *e, int rc, cadence_def *def,
		  const cadence_def **out)
{
	e->rc = rc;
	e->def = def;
	p->count++;
	if (!rc)
		p->ok[p->nok++] = def;
	*out = def;
	return rc;
}

int cadence_project_load_file(const cadence_def **out, cadence_project *p, const char *path,
			      cadence_diags *diags)
{
	struct stat st;
	int keyed = !stat(path, &st) && S_ISREG(st.st_mode);

	*out = NULL;
	if (keyed)
		for (size_t i = 0; i < p->count; i++) {
			entry *e = &p->entries[i];
			if (e->keyed && e->dev == st.st_dev && e->ino == st.st_ino) {
				*out = e->def;
				return e->rc;
			}
		}
	entry *e = add_entry(p);
	if (!e)
		return CADENCE_ENOMEM;
	cadence_def *def = NULL;
	int rc = cadence_load_file(&def, path, &p->opts, diags);
	if (rc == CADENCE_ENOMEM)
		return rc;
	e->keyed = keyed;
	if (keyed) {
		e->dev = st.st_dev;
		e->ino = st.st_ino;
	}
	return finish(p, e, rc, def, out);
}

int cadence_project_load_buffer(const cadence_def **out, cadence_project *p, const char *name,
				const char *data, size_t len, cadence_diags *diags)
{
	*out = NULL;
	entry *e = add_entry(p);
	if (!e)
		return CADENCE_ENOMEM;
	cadence_def *def = NULL;
	int rc = cadence_load_buffer(&def, name, data, len, &p->opts, diags);
	if (rc == CADENCE_ENOMEM)
		return rc;
	return finish(p, e, rc, def, out);
}

/* Does the reference name a file as it is, rather than a cadence whose
 * file name needs the suffix? */
static int is_file_name(const char *ref)
{
	size_t n = strlen(ref);
	return n > 5 && !strcmp(ref + n - 5, ".yaml");
}

int cadence_project_child(const cadence_def **out, const char **path_out, cadence_project *p,
			  const cadence_def *def, size_t measure, cadence_diags *diags)
{
	*out = NULL;
	if (path_out)
		*path_out = NULL;
	if (measure >= def->nmeasures || def->measures[measure].kind != CAD_M_CHILD)
		return CADENCE_EINVAL;
	return cad_project_child_of(out, path_out, p, def, &def->measures[measure], diags);
}

int cad_project_child_of(const cadence_def **out, const char **path_out, cadence_project *p,
			 const cadence_def *def, const cad_measure *m, cadence_diags *diags)
{
	*out = NULL;
	if (path_out)
		*path_out = NULL;
	const char *ref = m->cadence.name;

	cad_strbuf_free(&p->path);
	p->path = (strbuf)STRBUF_INIT;
	if (ref[0] != '/')
		cad_def_dir(def, &p->path);
	cad_strbuf_adds(&p->path, ref);
	if (!is_file_name(ref))
		cad_strbuf_adds(&p->path, ".cadence.yaml");
	const char *path = cad_strbuf_cstr(&p->path);
	if (!path)
		return CADENCE_ENOMEM;
	if (path_out)
		*path_out = path;

	const char *root = root_of(p, def);
	int in = root ? cad_path_inside(root, path) : 1;
	if (in < 0 && errno == ENOMEM)
		return CADENCE_ENOMEM;
	if (!in)
		return CADENCE_EOUTSIDE;
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return CADENCE_ENOTFOUND;
	/* the child is loaded under its parent's root, whatever is set now */
	const char *now = p->root;
	p->root = root;
	int rc = cadence_project_load_file(out, p, path, diags);
	p->root = now;
	return rc;
}

size_t cadence_project_count(const cadence_project *p)
{
	return p->nok;
}

const cadence_def *cadence_project_get(const cadence_project *p, size_t i)
{
	return i < p->nok ? p->ok[i] : NULL;
}

size_t cadence_project_file_count(const cadence_project *p)
{
	return p->count;
}
