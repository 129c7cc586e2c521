/* SPDX-License-Identifier: MIT */
/* Files replaced atomically: written to a temporary file in the same
 * directory, then renamed over the target, so a reader (node_exporter, an
 * OpenTelemetry Collector, `cadence resume`) sees the old file or the new
 * one, never a part; a process killed meanwhile leaves at most a stray
 * temporary file (PATH.tmp.XXXXXX). */
#ifndef CADENCE_SRC_UTIL_AFILE_H
#define CADENCE_SRC_UTIL_AFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Replaces `path` with data[0..len), file mode `mode`; with `durable`, the
 * data reach the disk (fsync) before the rename.  Returns 0 or an errno
 * value; on failure `path` is untouched and the temporary file removed. */
int cad_afile_write(const char *path, const void *data, size_t len, mode_t mode, int durable);

/* For writers that stream: a FILE on a new temporary file beside `path`
 * (its name in *tmp), or NULL with errno set.  cad_afile_commit() closes it
 * and renames it over `path` (0 or an errno value; on failure the
 * temporary file is removed); either way *tmp is freed. */
FILE *cad_afile_open(const char *path, char **tmp);
int cad_afile_commit(FILE *f, char *tmp, const char *path, mode_t mode, int durable, int failed);

/* Whether cad_afile_write() can work: a temporary file can be made beside
 * `path` (it is removed again) and `path` is not a directory.  Returns 0 or
 * an errno value. */
int cad_afile_probe(const char *path);

#endif
