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
 *   CADENCE_FAIL_ALLOC_SWEEP=DIR the whole sweep (tests/failalloc/sweep.sh)
 *                                in this one process: see sweep_serve().
 *   CADENCE_FAIL_ALLOC_PER_SITE=K with the sweep: fail only the first K
 *                                calls made from each call stack (a site:
 *                                the return addresses of the call); 0 or
 *                                unset: every call.
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
#include <fcntl.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unwind.h>

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

/* The reference run of a per-site sweep records the site of each call:
 * sites[c - 1] for call c (an mmap, not an allocation; a single-threaded
 * command is assumed, as the sweeps' are). */
static unsigned long *sites;
static size_t sites_cap;
static _Thread_local int in_backtrace;

/* The call stack, walked with libgcc's unwinder (linked, not loaded by
 * dlopen() as glibc's backtrace() does, whose allocations LeakSanitizer
 * reports): FNV-1a over the return addresses, 24 at most. */
typedef struct walk {
	unsigned long h;
	int left;
} walk;

static _Unwind_Reason_Code walk_frame(struct _Unwind_Context *ctx, void *arg)
{
	walk *w = arg;
	w->h ^= (unsigned long)_Unwind_GetIP(ctx);
	w->h *= 1099511628211UL;
	return --w->left > 0 ? _URC_NO_REASON : _URC_END_OF_STACK;
}

/* A hash of the current allocation call's stack; 0 while one is taken. */
static unsigned long site_hash(void)
{
	walk w = { 1469598103934665603UL, 24 };
	if (in_backtrace)
		return 0;
	in_backtrace = 1;
	_Unwind_Backtrace(walk_frame, &w);
	in_backtrace = 0;
	return w.h | 1;
}

/* 1 when this call is the one to fail */
static int fail_now(void)
{
	unsigned long c = atomic_fetch_add(&calls, 1) + 1;
	if (sites && c <= sites_cap)
		sites[c - 1] = site_hash();
	if (fail_at && c == fail_at) {
		atomic_store(&failed, 1);
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

static const char *report_path;	/* the report's file, or NULL */
static const char *sites_path;	/* where the reference run writes sites[] */

static void sweep_serve(const char *dir);

__attribute__((constructor)) static void failalloc_start(void)
{
	/* read here, not in init(): a sanitizer runtime may allocate before
	 * the environment is set up */
	init();
	const char *n = getenv("CADENCE_FAIL_ALLOC");
	const char *dir = getenv("CADENCE_FAIL_ALLOC_SWEEP");
	fail_at = n ? strtoul(n, NULL, 10) : 0;
	report_path = getenv("CADENCE_FAIL_ALLOC_REPORT");
	atomic_store(&calls, 0);
	if (dir && *dir)
		sweep_serve(dir);	/* returns in each run, a child */
}

/* With open() and write(), which do not allocate: the count is the
 * command's own. */
__attribute__((destructor)) static void failalloc_report(void)
{
	char line[64];
	if (!report_path)
		return;
	int fd = open(report_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	unsigned long c = atomic_load(&calls);
	int len = snprintf(line, sizeof(line), "%lu %d\n", c, atomic_load(&failed));
	if (fd >= 0) {
		(void)!write(fd, line, (size_t)len);
		close(fd);
	}
	if (sites && sites_path) {
		size_t bytes = (c < sites_cap ? c : sites_cap) * sizeof(*sites);
		fd = open(sites_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			(void)!write(fd, sites, bytes);
			close(fd);
		}
	}
}

/* ---- the sweep, in one process ------------------------------------------------ */

/* CADENCE_FAIL_ALLOC_SWEEP=DIR: before main, this process becomes the
 * sweep's driver.  It forks the command once without a failure (its
 * stdout to DIR/ref.out, its count of allocations T), then once for each
 * N = 1..T (every CADENCE_FAIL_ALLOC_STRIDE-th), each child going on into
 * main with the N-th allocation failing; the driver judges each run as
 * sweep.sh says, prints the failures on stderr, writes "T CLEAN RECOVERED
 * BAD" to DIR/result and exits 1 when a run failed.  A fork at this point
 * is the process as exec left it, minus the cost of exec, the dynamic
 * loader and the sanitizer's start, which were most of a sweep's time.
 * The driver allocates nothing (a child's count starts where the fork
 * left it). */
typedef struct sweep {
	const char *dir;
	unsigned long per_site;	/* CADENCE_FAIL_ALLOC_PER_SITE */
	char out[4096], err[4096], ref[4096], ref_err[4096], rep[4096], sites[4096];
} sweep;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(void)!write(2, buf, n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* A file mapped whole (len 0: empty or unreadable; unmap with unmap()) */
typedef struct mapped {
	const char *p;
	size_t len;
} mapped;

static mapped map(const char *path)
{
	mapped m = { NULL, 0 };
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st) && st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			m.p = p;
			m.len = (size_t)st.st_size;
		}
	}
	if (fd >= 0)
		close(fd);
	return m;
}

static void unmap(mapped m)
{
	if (m.p)
		munmap((void *)m.p, m.len);
}

static int has(mapped m, const char *s)
{
	return m.p && memmem(m.p, m.len, s, strlen(s)) != NULL;
}

static int same(mapped a, mapped b)
{
	return a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
}

/* Runs the command with the n-th allocation failing: returns 0 in the
 * child (which goes on into main), the child's status (128 + signal when
 * killed) in the driver, -1 when fork fails. */
static int run_one(unsigned long n, unsigned long base, const char *out, const char *err,
		   int *status)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(125);
		close(o);
		close(e);
		fail_at = n;
		atomic_store(&calls, base);
		atomic_store(&failed, 0);
		return 0;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 1;
}

/* Prints the first `lines` lines of m, indented. */
static void show(mapped m, int lines)
{
	size_t i = 0;
	while (i < m.len && lines-- > 0) {
		const char *nl = memchr(m.p + i, '\n', m.len - i);
		size_t end = nl ? (size_t)(nl - m.p) + 1 : m.len;
		(void)!write(2, "    ", 4);
		(void)!write(2, m.p + i, end - i);
		i = end;
	}
}

/* The verdict on run n: NULL when it ended well (*clean: a clean error). */
static const char *judge(int rc, int ref_rc, mapped out, mapped err, mapped ref, int *clean)
{
	*clean = 0;
	if (has(err, "Sanitizer") || has(err, "runtime error:"))
		return "a sanitizer report";
	if (rc == 3) {
		*clean = 1;
		return has(err, "out of memory") || has(err, "Cannot allocate memory") ? NULL
			: "status 3 without 'out of memory' or 'Cannot allocate memory' on stderr";
	}
	if (rc == ref_rc && same(out, ref))
		return NULL;
	return same(out, ref) ? "a status other than the run without a failure"
			      : "a status or stdout other than the run without a failure";
}

static void sweep_paths(sweep *w, const char *dir)
{
	w->dir = dir;
	snprintf(w->out, sizeof(w->out), "%s/out", dir);
	snprintf(w->err, sizeof(w->err), "%s/err", dir);
	snprintf(w->ref, sizeof(w->ref), "%s/ref.out", dir);
	snprintf(w->ref_err, sizeof(w->ref_err), "%s/ref.err", dir);
	snprintf(w->rep, sizeof(w->rep), "%s/rep", dir);
	snprintf(w->sites, sizeof(w->sites), "%s/sites", dir);
}

/* An anonymous mapping of n zeroed bytes (not an allocation), or NULL */
static void *zeroed(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* In the reference run of a per-site sweep: record each call's site. */
static void record_sites(const sweep *w)
{
	sites_cap = (size_t)1 << 24;
	sites = zeroed(sites_cap * sizeof(*sites));
	sites_path = w->sites;
}

/* The runs of a per-site sweep, from the reference run's sites: try[n - 1]
 * is 1 when call n is among the first per_site calls of its site.  Exits
 * the driver when the sites cannot be read. */
static char *pick_sites(const sweep *w, unsigned long total)
{
	mapped m = map(w->sites);
	const unsigned long *site = (const void *)m.p;
	size_t slots = 2;
	while (slots < 2 * (size_t)total)
		slots <<= 1;
	unsigned long *key = zeroed(slots * sizeof(*key));
	unsigned *seen = zeroed(slots * sizeof(*seen));
	char *try = zeroed(total ? total : 1);
	if (m.len / sizeof(*site) < total || !key || !seen || !try) {
		say("sweep: the reference run's sites (%s) cannot be read\n", w->sites);
		_exit(2);
	}
	for (unsigned long n = 0; n < total; n++) {
		size_t i = site[n] & (slots - 1);
		while (key[i] && key[i] != site[n])	/* open addressing */
			i = (i + 1) & (slots - 1);
		key[i] = site[n];
		try[n] = !site[n] || ++seen[i] <= w->per_site;
	}
	unmap(m);
	munmap(key, slots * sizeof(*key));
	munmap(seen, slots * sizeof(*seen));
	return try;
}

/* The reference run: its status and count, or exits the driver. */
static int sweep_reference(sweep *w, unsigned long base, unsigned long *total)
{
	int rc;
	report_path = w->rep;
	int r = run_one(0, base, w->ref, w->ref_err, &rc);
	if (!r) {	/* the child */
		if (w->per_site)
			record_sites(w);
		return -1;
	}
	report_path = NULL;
	mapped rep = map(w->rep), err = map(w->ref_err);
	char line[64] = "";
	if (rep.p)
		memcpy(line, rep.p, rep.len < sizeof(line) - 1 ? rep.len : sizeof(line) - 1);
	unmap(rep);
	if (r < 0 || !rep.p || rc > 2 || has(err, "Sanitizer") || has(err, "runtime error:")) {
		say("sweep: the run without a failure ends with status %d%s:\n", rc,
		    rep.p ? "" : " and no count");
		show(err, 30);
		_exit(1);
	}
	unmap(err);
	*total = strtoul(line, NULL, 10);
	return rc;
}

static void sweep_serve(const char *dir)
{
	static sweep w;	/* paths: 20 KB, not on a small stack */
	const char *k = getenv("CADENCE_FAIL_ALLOC_STRIDE");
	const char *ps = getenv("CADENCE_FAIL_ALLOC_PER_SITE");
	unsigned long stride = k && strtoul(k, NULL, 10) ? strtoul(k, NULL, 10) : 1;
	w.per_site = ps ? strtoul(ps, NULL, 10) : 0;
	if (w.per_site) {
		/* a first walk, which may allocate: here, before the count a
		 * run starts from */
		site_hash();
		atomic_store(&calls, 0);
	}
	unsigned long base = atomic_load(&calls), total, clean = 0, recovered = 0, bad = 0;
	unsigned long tried = 0;
	sweep_paths(&w, dir);
	int ref_rc = sweep_reference(&w, base, &total);
	if (ref_rc < 0)
		return;
	mapped ref = map(w.ref);
	char *try = w.per_site ? pick_sites(&w, total) : NULL;
	for (unsigned long n = 1; n <= total; n += stride) {
		if (try && !try[n - 1])
			continue;
		tried++;
		int rc, c, r = run_one(n, base, w.out, w.err, &rc);
		if (!r)
			return;	/* the child: on into main */
		if (r < 0) {
			say("sweep: CADENCE_FAIL_ALLOC=%lu: cannot fork or wait: %s\n", n,
			    strerror(errno));
			_exit(2);
		}
		mapped out = map(w.out), err = map(w.err);
		const char *why = judge(rc, ref_rc, out, err, ref, &c);
		if (!why) {
			c ? clean++ : recovered++;
		} else if (++bad <= 5) {
			say("sweep: CADENCE_FAIL_ALLOC=%lu: %s (status %d; without a failure %d)\n",
			    n, why, rc, ref_rc);
			show(err, 40);
			if (!same(out, ref))
				say("  stdout:\n"), show(out, 10);
		} else {
			say("sweep: CADENCE_FAIL_ALLOC=%lu: %s\n", n, why);
		}
		unmap(out);
		unmap(err);
	}
	char line[128], path[4200];
	int len = snprintf(line, sizeof(line), "%lu %lu %lu %lu %lu\n", total, clean, recovered, bad,
			   tried);
	snprintf(path, sizeof(path), "%s/result", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)len) != len)
		_exit(2);
	close(fd);
	_exit(bad ? 1 : 0);
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
