/* SPDX-License-Identifier: MIT */
/* The project root and what lies inside it (docs/cli.md, "The project
 * root"): `validate` and `diagram` read no file outside it. */
#ifndef CADENCE_SRC_UTIL_PATH_H
#define CADENCE_SRC_UTIL_PATH_H

/* The real path (malloc'd) of the project root of `dir`: the nearest of
 * dir and its ancestors that holds a `.git` (a directory, or the file of
 * a git worktree), else dir itself.  NULL with errno set when dir cannot
 * be resolved. */
char *cad_path_root(const char *dir);

/* The project root of a file: cad_path_root() of the directory of `path`
 * ("." for a name without one). */
char *cad_path_root_of_file(const char *path);

/* Is `path` inside `root` (a real path, as cad_path_root() gives)?  The
 * real path of `path` counts, through every symbolic link; a path that
 * does not exist counts by the real path of its directory.  Returns 1
 * inside, 0 outside, -1 with errno set when neither resolves. */
int cad_path_inside(const char *root, const char *path);

#endif
