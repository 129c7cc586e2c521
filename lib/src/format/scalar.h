/* SPDX-License-Identifier: MIT */
/* Strict scalars: what the format accepts where YAML 1.1 would guess.
 * Each parser returns NULL on success, or a message saying what is wrong
 * (static storage) with, where useful, a fix in *help. */
#ifndef CADENCE_SRC_FORMAT_SCALAR_H
#define CADENCE_SRC_FORMAT_SCALAR_H

#include <stddef.h>
#include <stdint.h>

const char *cad_scalar_bool(const char *s, size_t len, int *out, const char **help);
const char *cad_scalar_int(const char *s, size_t len, int64_t *out, const char **help);
const char *cad_scalar_number(const char *s, size_t len, double *out, const char **help);
/* Durations in whole milliseconds: "500ms", "1.5s", "2m", "1h30m". */
const char *cad_scalar_duration(const char *s, size_t len, int64_t *ms, const char **help);
/* Is this plain scalar null ("", "~", "null")? */
int cad_scalar_is_null(const char *s, size_t len);
/* Plain scalars that YAML 1.1 tools read as booleans, octal, hex,
 * sexagesimal or special floats: ambiguous in free-form values. */
int cad_scalar_is_ambiguous(const char *s, size_t len);

/* Maximum length of a name. */
#define NAME_MAX_LEN 64

/* Checks a name; on failure returns a message and sets *bad to the byte
 * offset of the first offending character (or len for length problems). */
const char *cad_scalar_name(const char *s, size_t len, size_t *bad);
/* Writes a valid name close to s into buf (size >= NAME_MAX_LEN + 1). */
void cad_scalar_name_suggest(const char *s, size_t len, char *buf, size_t size);
/* Checks the name of an environment variable (`env:`, `--env`): letters,
 * digits and '_', not starting with a digit, as POSIX shells take them.
 * Returns NULL or a message, with *bad as for cad_scalar_name(). */
const char *cad_scalar_env_name(const char *s, size_t len, size_t *bad);
/* Is s a reserved word? */
int cad_scalar_is_reserved(const char *s, size_t len);

#endif
