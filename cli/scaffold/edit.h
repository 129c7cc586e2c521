/* SPDX-License-Identifier: MIT */
/*
 * Adding a note to a cadence file's `notes:` mapping, and a measure to its
 * `measures:` (`cadence new note --into FILE --then`), leaving every other
 * byte of the file as it was: comments, blank lines, quoting, key order.
 *
 * The note goes after the last note of a block-style `notes:` mapping, at
 * the indentation the file uses; a file without `notes:` gets one before
 * `measures:`.  The measure goes into a block-style `measures:` list the
 * same way.  The result is parsed again and compared with the original,
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

/*
 * Adds the measure `- then: name` to the cadence text src[0..len): after
 * the measure named `after` (the value of its kind key: then, sync,
 * split, sequence, child or dag), or at the end of measures: when `after`
 * is NULL, at the indentation and with the line ends the file uses; a
 * file without `measures:` gets one at its end.  The result is checked as
 * cad_edit_add_note() checks its own.  Returns 0 (*out, *out_len and *line
 * as there), CADENCE_ENOTFOUND when no measure is named `after`,
 * CADENCE_EINVALID with the reason in `why` (a flow-style measures:...),
 * CADENCE_ENOMEM.
 */
int cad_edit_add_measure(const char *src, size_t len, const char *name, const char *after,
			 char **out, size_t *out_len, unsigned *line, strbuf *why);

/* Appends the names of the file's measures to `out`, ", "-separated;
 * returns how many. */
size_t cad_edit_measure_names(const char *src, size_t len, strbuf *out);

#endif
