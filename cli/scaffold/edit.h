/* SPDX-License-Identifier: MIT */
/*
 * Adding a note to a cadence file's `notes:` mapping (`cadence new note
 * --into FILE`), leaving every other byte of the file as it was: comments,
 * blank lines, quoting, key order.
 *
 * The note goes after the last note of a block-style `notes:` mapping, at
 * the indentation the file uses; a file without `notes:` gets one before
 * `measures:`.  The result is parsed again and compared with the original,
 * node for node, so an edit that would change anything else is refused
 * rather than written.
 */
#ifndef CADENCE_CLI_SCAFFOLD_EDIT_H
#define CADENCE_CLI_SCAFFOLD_EDIT_H

#include "util/strbuf.h"

#include <stddef.h>

/*
 * Adds note `name` with the given fields to the cadence text src[0..len).
 * Each field is one line of YAML without indentation ("timeout: 30s",
 * "retry: {attempts: 3}").  On success returns 0, sets *out (malloc'd,
 * NUL-terminated, *out_len bytes) and *line (the line of the new key).
 * Returns CADENCE_EINVALID with the reason in `why` when the note cannot be
 * added safely (the file is not valid YAML, `notes:` is a flow mapping,
 * the note exists...), CADENCE_ENOMEM.
 */
int cad_edit_add_note(const char *src, size_t len, const char *name,
		  const char *const *fields, size_t nfields,
		  char **out, size_t *out_len, unsigned *line, strbuf *why);

#endif
