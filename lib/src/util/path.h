/* SPDX-License-Identifier: MIT */
/* The project root and what lies inside it (docs/cli.md, "The project
 * root"): `validate` and `diagram` read no file outside it. */
#ifndef CADENCE_SRC_UTIL_PATH_H
#define CADENCE_SRC_UTIL_PATH_H

#include <stddef.h>

/* The length of the directory part of `path`, its last '/' included:
 * "a/b/x.yaml" 4 ("a/b/"), "/x.yaml" 1 ("/"), "x.yaml" 0, "" 0, NULL 0.
 * path + n is the last component. */
size_t cad_path_dir_len(const char *path);

/* The directory of `path`, to open or resolve (malloc'd): its directory
 * part, the last '/' kept ("a/b/" for "a/b/x", "a/" for "a/", "/" for
 * "/x" and "/"), or "." when it has none ("x", "", NULL).  With the '/'
 * it names a directory or nothing.  NULL when out of memory. */
char *cad_path_dir(const char *path);

/* The real path (malloc'd) of the project root of `dir`: the nearest of
 * dir and its ancestors that holds a `.git` (a directory, or the file of
 * a git worktree), else dir itself.  NULL with errno set when dir cannot
 * be resolved. */
char *cad_path_root(const char *dir);

/* The project root of a file: cad_path_root() of cad_path_dir(path). */
char *cad_path_root_of_file(const char *path);

/* Is `path` inside `root` (a real path, as cad_path_root() gives)?  The
 * real path of `path` counts, through every symbolic link; a path that
 * does not exist counts by the real path of its directory.  Returns 1
 * inside, 0 outside, -1 with errno set when neither resolves. */
int cad_path_inside(const char *root, const char *path);

#endif
