/* SPDX-License-Identifier: MIT */
/* Finishing a builder in a test: the message of a failure is the
 * assertion's. */
#ifndef CADENCE_TESTS_UNIT_BUILDER_FIXTURE_H
#define CADENCE_TESTS_UNIT_BUILDER_FIXTURE_H

#include <cadence/builder.h>
#include <criterion/criterion.h>

/* Finishes b into *def, which must succeed. */
static inline void finish_ok(cadence_def **def, cadence_builder *b)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_finish(def, b, &err), 0, "%s", err.message);
	cadence_run_error_clear(&err);
}

/* Finishes b, which must fail with `code` and a message holding `part`. */
static inline void finish_fails(cadence_builder *b, int code, const char *part)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cadence_def *def;
	cr_assert_eq(cadence_builder_finish(&def, b, &err), code);
	cr_assert_null(def);
	cr_assert_eq(err.code, code);
	cr_assert_not_null(err.message);
	cr_assert_not_null(strstr(err.message, part), "%s", err.message);
	cadence_run_error_clear(&err);
}

#endif
