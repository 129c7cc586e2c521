/* SPDX-License-Identifier: MIT */
/*
 * sigraise.so - a test-only interposer (LD_PRELOAD) that raises a signal in
 * the process just before a blocking call starts: the moment a signal must
 * not be lost in (tests/cli/probe.sh, "a signal before the run starts").
 * Its handler has run by the time the call begins, which no timing of a
 * kill(1) from outside can promise.
 *
 *   CADENCE_RAISE_BEFORE=fread-stdin   before the first fread() of stdin
 *   CADENCE_RAISE_BEFORE=open:SUFFIX   before the first open() or openat()
 *                                      of a path that ends with SUFFIX
 *   CADENCE_RAISE_SIGNAL=N             the signal (default SIGTERM)
 *
 * Once per process.  Global mutable state is fine here: a test tool, not
 * the library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int raised;

static void maybe_raise(const char *what, const char *path)
{
	const char *want = getenv("CADENCE_RAISE_BEFORE");
	const char *sig = getenv("CADENCE_RAISE_SIGNAL");
	size_t n = strlen(what);
	if (raised || !want || strncmp(want, what, n))
		return;
	if (path) {
		const char *suffix = want + n;
		size_t lp = strlen(path), ls = strlen(suffix);
		if (lp < ls || strcmp(path + lp - ls, suffix))
			return;
	}
	raised = 1;
	raise(sig ? atoi(sig) : SIGTERM);
}

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
	static size_t (*real)(void *, size_t, size_t, FILE *);
	if (!real)
		real = (size_t (*)(void *, size_t, size_t, FILE *))dlsym(RTLD_NEXT, "fread");
	if (f == stdin)
		maybe_raise("fread-stdin", NULL);
	return real(buf, size, n, f);
}

/* open, open64, openat and openat64: one body */
#define MODE_ARG(flags, mode)						\
	do {								\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0; \
		va_end(ap);						\
	} while (0)

#define OPEN(name)							\
	int name(const char *path, int flags, ...)			\
	{								\
		static int (*real)(const char *, int, ...);		\
		int mode;						\
		MODE_ARG(flags, mode);					\
		if (!real)						\
			real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name); \
		maybe_raise("open:", path);				\
		return real(path, flags, mode);				\
	}
#define OPENAT(name)							\
	int name(int dir, const char *path, int flags, ...)		\
	{								\
		static int (*real)(int, const char *, int, ...);	\
		int mode;						\
		MODE_ARG(flags, mode);					\
		if (!real)						\
			real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #name); \
		maybe_raise("open:", path);				\
		return real(dir, path, flags, mode);			\
	}
OPEN(open)
OPEN(open64)
OPENAT(openat)
OPENAT(openat64)
