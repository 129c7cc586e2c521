/* SPDX-License-Identifier: MIT */
/* The library's side of cadence/project.h. */
#ifndef CADENCE_SRC_PROJECT_PROJECT_H
#define CADENCE_SRC_PROJECT_PROJECT_H

#include "cadence/project.h"
#include "model/model.h"
#include "project/keep.h"
#include "project/kept.h"

/* cadence_project_child() for the child measure m of def: a child measure
 * of def->measures or a dag task's (cad_task.child). */
int cad_project_child_of(const cadence_def **out, const char **path_out, cadence_project *p,
			 const cadence_def *def, const cad_measure *m, cadence_diags *diags);

/* The store of kept expressions for the expressions of `def`, or NULL
 * when the project keeps none or does not own def (a cadence built in
 * code could be freed, and another made at its address: kept by the
 * project, def outlives the store).  `p` may be NULL. */
cad_kept *cad_project_kept(const cadence_project *p, const cadence_def *def);

#endif
