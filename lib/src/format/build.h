/* SPDX-License-Identifier: MIT */
/* Building the cadence graph from a tree that passed cad_structure_check(). */
#ifndef CADENCE_SRC_FORMAT_BUILD_H
#define CADENCE_SRC_FORMAT_BUILD_H

#include "diag/report.h"
#include "model/model.h"
#include "yaml/tree.h"

/* Fills def from root.  Reports value problems that need the score
 * declaration (a default of the wrong type, say).  Returns the number of
 * errors reported, or (size_t)-1 when out of memory. */
size_t cad_build_model(struct cadence_def *def, report *r, const ynode *root);

#endif
