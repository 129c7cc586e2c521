/* SPDX-License-Identifier: MIT */
/* Structural checks: the positioned tree against the format's table. */
#ifndef CADENCE_SRC_FORMAT_STRUCTURE_H
#define CADENCE_SRC_FORMAT_STRUCTURE_H

#include "diag/report.h"
#include "format/schema.h"
#include "yaml/tree.h"

/* Checks the whole document `root` (NULL for an empty file) against
 * cad_schema_cadence, reporting every problem.  Stores parsed scalar values in
 * the nodes (ynode.v).  Returns the number of errors reported. */
size_t cad_structure_check(report *r, ynode *root);

/* Checks `root` (not NULL) against another table built from the same
 * types: the CLI's project file (cli/config.c).  Returns the number of
 * errors reported. */
size_t cad_structure_check_as(report *r, ynode *root, const ftype *t);

/* The kind key of a variant of t (FT_VARIANT) nearest `word`, for "did
 * you mean", or NULL. */
const char *cad_structure_near_variant(const ftype *t, const char *word, size_t len);

/* Describes a node for a message: "a mapping", "a list", "'abc'". */
const char *cad_structure_describe(const ynode *n, char *buf, size_t size);

#endif
