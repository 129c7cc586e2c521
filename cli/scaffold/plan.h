/* SPDX-License-Identifier: MIT */
/*
 * Writing a set of files all or nothing, for `cadence init` and `cadence
 * new`.
 *
 * A plan lists the files to write.  cad_plan_check() looks at the file system
 * and refuses what must not happen (replacing a file that may not be
 * replaced, a directory where a file goes, a device, a symbolic link that
 * leads out of the plan's root).  cad_plan_commit() then creates the
 * missing directories, writes every file by the output-path policy
 * (util/afile.h: a temporary file beside its target; a symbolic link's
 * target replaced, keeping the link; owner and group kept), and puts them
 * in place; replaced files are kept as hard links (a file with hard links
 * of its own, rewritten in place, as a copy in memory) until every file is
 * in place.  When any step fails, every step before it is undone: new
 * files and directories removed, replaced files put back.  Nothing is ever
 * deleted that the plan does not write.
 */
#ifndef CADENCE_CLI_SCAFFOLD_PLAN_H
#define CADENCE_CLI_SCAFFOLD_PLAN_H

#include "util/afile.h"
#include "util/strbuf.h"

#include <stddef.h>

/* Keep the mode of the file being replaced (0644 for a new file). */
#define PLAN_KEEP_MODE (-1)

typedef struct plan_file {
	char *path;
	char *data;
	size_t len;
	int mode;		/* permission bits, or PLAN_KEEP_MODE */
	int may_replace;	/* an existing file may be replaced */
	int exists;		/* set by cad_plan_check() */
	int edit;		/* an edit of a file the user named: it may be
				 * outside the root, through a link */
	/* cad_plan_commit() bookkeeping */
	cad_afile w;
	int begun;		/* w is open */
	char *backup;		/* the replaced file, as a hard link */
	char *old_data;		/* a file rewritten in place, as it was */
	size_t old_len;
	int renamed;		/* in place */
} plan_file;

typedef struct plan {
	plan_file *files;
	size_t nfiles, cap;
	char **dirs;		/* to create, parents first (cad_plan_check) */
	size_t ndirs;
	char *root;		/* absolute; files stay inside it (cad_plan_set_root) */
	int checked;
} plan;

/* For tests: called before each change to the file system (op is "mkdir",
 * "create", "write", "link" or "rename"); a non-zero return makes that step
 * fail as if with EIO.  Undoing is never failed. */
typedef struct plan_hooks {
	int (*before)(void *ctx, const char *op, const char *path);
	void *ctx;
} plan_hooks;

void cad_plan_init(plan *p);
void cad_plan_free(plan *p);

/* Adds a file (path and data are copied).  Returns 0 or CADENCE_ENOMEM;
 * CADENCE_EINVAL when the plan already writes `path`. */
int cad_plan_add(plan *p, const char *path, const char *data, size_t len,
	     int mode, int may_replace);

/* Files (but edits) must stay inside `dir`: a symbolic link below it that
 * leads out is refused.  Returns 0 or CADENCE_ENOMEM. */
int cad_plan_set_root(plan *p, const char *dir);

/* Looks at the file system.  Each reason to refuse is appended to `why`
 * as one line.  Returns 0, CADENCE_EINVALID (refused), CADENCE_ENOMEM. */
int cad_plan_check(plan *p, strbuf *why);

/* Carries out a checked plan.  Returns 0, or CADENCE_EIO with the failed
 * step in `why` after undoing every step before it; CADENCE_ENOMEM (also
 * undone).  `hooks` may be NULL. */
int cad_plan_commit(plan *p, const plan_hooks *hooks, strbuf *why);

#endif
