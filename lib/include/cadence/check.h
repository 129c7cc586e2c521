/* SPDX-License-Identifier: MIT */
/*
 * cadence/check.h - the checks that need the whole cadence: references,
 * child cadences, the score and data flow, parallel write conflicts,
 * expressions and policies (docs/rules.md lists every rule).
 *
 * Ownership and thread-safety follow cadence/common.h.
 */
#ifndef CADENCE_CHECK_H
#define CADENCE_CHECK_H

#include "cadence/common.h"

#include "cadence/diag.h"
#include "cadence/project.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_check_opts {
	unsigned version;	/* CADENCE_CHECK_OPTS_VERSION */
	/* Look at the file system: warn about `run` executables that do not
	 * exist or are not executable (a relative one of a cadence built in C
	 * is looked for in the working directory, where running finds it). */
	int check_executables;
	/* Check what running needs beyond the shape of the graph: the score
	 * declaration, every expression, the data flow and the writes of
	 * parallel notes.  A drawing does not need them (`cadence diagram`
	 * turns this off); `cadence validate` and `cadence run` do. */
	int check_flow;
} cadence_check_opts;

/* Version 1 had check_executables only; check_flow is then on. */
#define CADENCE_CHECK_OPTS_VERSION 2
#define CADENCE_CHECK_OPTS_INIT { CADENCE_CHECK_OPTS_VERSION, 1, 1 }

/*
 * Checks `def`, a cadence loaded through `project` or built in C
 * (cadence/builder.h).  Every problem is added to `diags`; those about a
 * cadence built in C name the file "<built in code>".
 * Returns 0 when no error was found (warnings may have been added),
 * CADENCE_EINVALID when errors were, CADENCE_ENOMEM, CADENCE_EINVAL (def
 * or diags NULL), CADENCE_EVERSION (opts of an unknown version).  `opts`
 * may be NULL.  Loading children changes `project`: no other thread may
 * use it meanwhile.
 *
 * Child cadences are loaded through `project` as needed, from the
 * directory of the file of `def` or, for a cadence built in C (path NULL),
 * the working directory: where a runner with that project finds them; one
 * that is missing is a child-not-found error.  `project` may be NULL: then
 * no child is loaded and what needs one (child-not-found, its inputs,
 * cycles, `merge` against its score) is not checked; so a cadence whose
 * children are built in C (cadence_runner_add_cadence()) is checked.
 */
CADENCE_API int cadence_check(const cadence_def *def, cadence_project *project,
			      const cadence_check_opts *opts, cadence_diags *diags);

#ifdef __cplusplus
}
#endif

#endif
