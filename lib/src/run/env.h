/* SPDX-License-Identifier: MIT */
/* The environment of `run` notes (docs/run.md, "Environment"): the
 * variables always passed when a note's environment is narrowed (its
 * `env:` list, `cadence run --env-clear`), one place for both. */
#ifndef CADENCE_SRC_RUN_ENV_H
#define CADENCE_SRC_RUN_ENV_H

/* Is `entry` ("NAME=value") one of PATH, HOME, LANG, LC_*, TZ, TMPDIR:
 * what a program needs to find programs, files and its locale, and holds
 * no secret? */
int cad_env_always(const char *entry);

/* Is `entry` ("NAME=value") the variable `name`? */
int cad_env_is(const char *entry, const char *name);

#endif
