/* SPDX-License-Identifier: MIT */
/* A new temporary directory for a test, under $TMPDIR as the CLI tests
 * make theirs (/tmp when it is unset or empty): mkdtemp(3) of
 * "$TMPDIR/cadence-NAME.XXXXXX" into buf.  NULL when the path does not fit
 * in `size` bytes or mkdtemp fails. */
#ifndef CADENCE_TESTS_UNIT_TMPDIR_H
#define CADENCE_TESTS_UNIT_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

static inline char *test_mkdtemp(char *buf, size_t size, const char *name)
{
	const char *t = getenv("TMPDIR");
	int n = snprintf(buf, size, "%s/cadence-%s.XXXXXX", t && *t ? t : "/tmp", name);
	return n > 0 && (size_t)n < size ? mkdtemp(buf) : NULL;
}

/* Writes `text` to `path`, created or truncated: 0, or -1. */
static inline int test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int bad = fputs(text, f) < 0;
	return fclose(f) || bad ? -1 : 0;
}

#endif
