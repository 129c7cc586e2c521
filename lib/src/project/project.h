/* SPDX-License-Identifier: MIT */
/* The library's side of cadence/project.h. */
#ifndef CADENCE_SRC_PROJECT_PROJECT_H
#define CADENCE_SRC_PROJECT_PROJECT_H

#include "cadence/project.h"
#include "model/model.h"

/* cadence_project_child() for the child measure m of def: a child measure
 * of def->measures or a dag task's (cad_task.child). */
int cad_project_child_of(const cadence_def **out, const char **path_out, cadence_project *p,
			 const cadence_def *def, const cad_measure *m, cadence_diags *diags);

#endif
