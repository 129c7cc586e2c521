/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz.h - what the fuzz targets share.  Each target defines
 * LLVMFuzzerTestOneInput(); it is linked either with libFuzzer (clang,
 * CADENCE_BUILD_FUZZ) or with fuzz/replay.c, a main that runs the files it
 * is given, so that every build replays fuzz/regressions/ as a test.
 *
 * A finding is a crash, a sanitizer report, or a FUZZ_ASSERT that fails:
 * an outcome the API does not allow (a failure without a diagnostic, a
 * return code outside the documented ones).
 */
#ifndef CADENCE_FUZZ_FUZZ_H
#define CADENCE_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                     \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: fuzz assertion failed: %s\n", \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

/* The name a buffer is loaded under: a directory that does not exist, so
 * that a child reference cannot reach a real file (absolute ones aside). */
#define FUZZ_FILE_NAME "/nonexistent/cadence-fuzz/input.cadence.yaml"

/* A stream that discards what is written, opened once per process. */
FILE *fuzz_null_stream(void);

struct cadence_project;
struct cadence_diags;
struct cadence_def;

/* New diags and project (aborting when they cannot be made), and the input
 * loaded into the project as FUZZ_FILE_NAME; returns the load's code. */
int fuzz_load(const uint8_t *data, size_t size, struct cadence_project **project,
	      struct cadence_diags **diags, const struct cadence_def **def);

#endif
