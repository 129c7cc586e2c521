/* SPDX-License-Identifier: MIT */
/* Finding cadence files and reading inputs for the CLI. */
#ifndef CADENCE_CLI_FILES_H
#define CADENCE_CLI_FILES_H

#include <stddef.h>
#include <stdio.h>

typedef struct file_list {
	char **paths;
	size_t count, cap;
} file_list;

void file_list_free(file_list *l);

/* Appends every regular *.cadence.yaml below dir (hidden entries
 * skipped, symlinked directories not followed, FIFOs and devices skipped
 * so a walk cannot block), sorted.  A dangling *.cadence.yaml symlink is
 * appended too, so its loader reports it.  Returns 0, or -1 with errno
 * set. */
int files_find(file_list *l, const char *dir);
int file_list_add(file_list *l, const char *path);

/* Does the name end in .cadence.yaml? */
int files_is_cadence(const char *name);

/* Reads all of `f` into a malloc'd buffer, but stops once more than
 * `limit` bytes are in (so *len > limit tells the caller it is too large
 * without reading an endless pipe).  Returns 0, or -1 with errno set. */
int files_read_stream(FILE *f, size_t limit, char **out, size_t *len);

/* "cannot write the WHAT to 'PATH': WHY" + tail ("cannot write 'PATH'"
 * when `what` is NULL), where WHY is the reason
 * of the output-path policy (util/afile.h) in `why` when it has one, else
 * strerror(e); frees `why`.  Returns `code`. */
struct strbuf;
int files_output_error(int code, const char *what, const char *path, int e, struct strbuf *why,
		       const char *tail);

#endif
