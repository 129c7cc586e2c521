/* SPDX-License-Identifier: MIT */
/*
 * failalloc.so - a test-only allocator interposer (LD_PRELOAD) that makes
 * one allocation fail, to test that every allocation failure ends cleanly
 * (docs/reliability.md, "Allocation failure").
 *
 *   CADENCE_FAIL_ALLOC=N         the N-th call (1-based) of malloc, calloc,
 *                                realloc, strdup, strndup, posix_memalign or
 *                                aligned_alloc returns NULL (errno ENOMEM);
 *                                the calls before and after it succeed.  0
 *                                or unset: none fails.
 *   CADENCE_FAIL_ALLOC_REPORT=F  at exit, write to file F one line
 *                                "CALLS FAILED": how many calls were
 *                                counted, and 1 when the N-th was reached.
 *
 * Counting starts when this object is initialised (before main), and
 * counts the calls of every object of the process (libyaml and cJSON as
 * well as cadence).  The real functions are found with dlsym(RTLD_NEXT),
 * so the interposer also works in front of AddressSanitizer's allocator
 * (ASAN_OPTIONS=verify_asan_link_order=0); while dlsym runs, allocations
 * come from a small static buffer.
 *
 * Global mutable state is fine here: this is a test tool, not the library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static char *(*real_strdup)(const char *);
static char *(*real_strndup)(const char *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);

static unsigned long fail_at;
static atomic_ulong calls;
static atomic_int failed;
static int ready;

/* for dlsym's own allocations, before the real functions are known */
static _Alignas(max_align_t) char boot[8192];
static size_t boot_used;

static void *boot_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(boot) - boot_used)
		return NULL;
	void *p = boot + boot_used;
	boot_used += n;
	return p;
}

static int in_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

/* dlsym() into a function pointer, without ISO C's object/function cast */
static void sym(void *fn, const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	memcpy(fn, &p, sizeof(p));
}

static void init(void)
{
	static int busy;
	if (ready || busy)
		return;
	busy = 1;
	sym(&real_malloc, "malloc");
	sym(&real_calloc, "calloc");
	sym(&real_realloc, "realloc");
	sym(&real_free, "free");
	sym(&real_strdup, "strdup");
	sym(&real_strndup, "strndup");
	sym(&real_posix_memalign, "posix_memalign");
	sym(&real_aligned_alloc, "aligned_alloc");
	ready = 1;
	busy = 0;
}

/* 1 when this call is the one to fail */
static int fail_now(void)
{
	unsigned long c = atomic_fetch_add(&calls, 1) + 1;
	if (fail_at && c == fail_at) {
		atomic_store(&failed, 1);
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

__attribute__((constructor)) static void failalloc_start(void)
{
	/* read here, not in init(): a sanitizer runtime may allocate before
	 * the environment is set up */
	init();
	const char *n = getenv("CADENCE_FAIL_ALLOC");
	fail_at = n ? strtoul(n, NULL, 10) : 0;
	atomic_store(&calls, 0);
}

__attribute__((destructor)) static void failalloc_report(void)
{
	const char *path = getenv("CADENCE_FAIL_ALLOC_REPORT");
	if (!path)
		return;
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%lu %d\n", atomic_load(&calls), atomic_load(&failed));
		fclose(f);
	}
}

void *malloc(size_t n)
{
	if (!ready) {
		init();
		if (!ready)
			return boot_alloc(n);
	}
	return fail_now() ? NULL : real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (!ready) {
		init();
		if (!ready) {
			if (size && n > (size_t)-1 / size)
				return NULL;
			return boot_alloc(n * size);	/* static: zeroed */
		}
	}
	return fail_now() ? NULL : real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (!ready)
		init();
	if (in_boot(p)) {
		/* the old size is not known: copy what the buffer can hold */
		size_t room = (size_t)(boot + sizeof(boot) - (char *)p);
		void *q = malloc(n);
		if (q)
			memcpy(q, p, n < room ? n : room);
		return q;
	}
	return fail_now() ? NULL : real_realloc(p, n);
}

void free(void *p)
{
	if (!p || in_boot(p))
		return;
	if (!ready)
		init();
	real_free(p);
}

char *strdup(const char *s)
{
	if (!ready)
		init();
	return fail_now() ? NULL : real_strdup(s);
}

char *strndup(const char *s, size_t n)
{
	if (!ready)
		init();
	return fail_now() ? NULL : real_strndup(s, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (!ready)
		init();
	return fail_now() ? ENOMEM : real_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	if (!ready)
		init();
	return fail_now() ? NULL : real_aligned_alloc(align, n);
}
