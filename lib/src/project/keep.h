/* SPDX-License-Identifier: MIT */
/* A project that keeps the expressions cadence_check() compiles, for its
 * runners to borrow instead of compiling them again (project/kept.h).  For
 * `cadence run` and `cadence step`, which check then run: the CLI turns it
 * on (lib/CMakeLists.txt, cadence_internal); `cadence validate` does not,
 * since it would only hold the memory. */
#ifndef CADENCE_SRC_PROJECT_KEEP_H
#define CADENCE_SRC_PROJECT_KEEP_H

#include "cadence/project.h"

/* From now on.  0, or CADENCE_ENOMEM. */
int cad_project_keep_exprs(cadence_project *p);

#endif
