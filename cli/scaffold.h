/* SPDX-License-Identifier: MIT */
/* What `cadence init` and `cadence new` share: template sets, name checks,
 * and writing a plan of files with --force and --dry-run. */
#ifndef CADENCE_CLI_SCAFFOLD_H
#define CADENCE_CLI_SCAFFOLD_H

#include "scaffold/plan.h"
#include "scaffold/render.h"

#include <stddef.h>

/* The environment variable naming a template directory. */
#define SCAFFOLD_TEMPLATES_ENV "CADENCE_TEMPLATES"

typedef struct tfile {
	char *path;		/* within the set: "cadences/__name__.cadence.yaml.tmpl" */
	char *data;
	size_t len;
} tfile;

typedef struct tset {
	tfile *files;
	size_t n;
	char *origin;		/* "the built-in templates" or "DIR/SET" */
} tset;

/*
 * Loads template set `set` ("project", "cadence", "note/sh", "note/c") from
 * `dir` (--templates), else from $CADENCE_TEMPLATES when set and not empty,
 * else from the templates built into the binary.  Returns 0 or an exit
 * code (after printing why).
 */
int tset_load(tset *s, const char *dir, const char *set);
void tset_free(tset *s);

/* Renders every file of `s` into `p` below `dest` ("." for here), which
 * becomes the plan's root (files written through a link out of it are
 * refused).  Files may be replaced when `force` is set.  Returns 0 or an
 * exit code. */
int scaffold_render(plan *p, const tset *s, const char *dest, const char *name,
		    const render_var *vars, size_t nvars, int force);

/*
 * Checks a name given on the command line against the format's name rules
 * (and, with c_ident, C's keywords).  On failure prints which character or
 * rule is at fault and a valid name to use instead, and returns
 * CLI_EXIT_USAGE.
 */
int scaffold_check_name(const char *what, const char *name, int c_ident);

/* dir + "/" + rel, or rel when dir is "." (malloc'd; NULL when out of
 * memory). */
char *scaffold_join(const char *dir, const char *rel);

/* The mode for a new file: executable for *.sh, less the umask. */
int scaffold_mode(const char *path);

/*
 * Checks `p` against the file system and, unless dry_run, writes it.
 * Prints one line per file ("created PATH", "replaced PATH", or with
 * dry_run "would create PATH"...), or the reasons it refuses.  Returns 0,
 * CLI_EXIT_PROBLEMS (refused, nothing written) or CLI_EXIT_INTERNAL
 * (writing failed; everything undone).
 */
int scaffold_apply(plan *p, int dry_run, int force);

#endif
