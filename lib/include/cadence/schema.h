/* SPDX-License-Identifier: MIT */
/*
 * cadence/schema.h - the cadence file format as a JSON Schema (draft-07),
 * for editors: VS Code's YAML extension validates and completes
 * *.cadence.yaml files with it (docs/editors.md).  Generated from the same
 * table that drives `cadence validate`, so the two cannot disagree on keys.
 * The schema checks shape only; `cadence validate` checks much more.
 *
 * Ownership and thread-safety follow cadence/common.h.
 */
#ifndef CADENCE_SCHEMA_H
#define CADENCE_SCHEMA_H

#include "cadence/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the schema, pretty-printed and NUL-terminated, to *out (the
 * caller frees it with free()).  Returns 0 or CADENCE_ENOMEM. */
CADENCE_API int cadence_schema_json(char **out);

#ifdef __cplusplus
}
#endif

#endif
