/* SPDX-License-Identifier: MIT */
/* realpath() */
#define _XOPEN_SOURCE 700

#include "run/breaker.h"
#include "util/path.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

const char *const cad_rbreaker_mode_names[] = { "closed", "open", "half-open" };

typedef struct bstate {
	rbreaker_mode mode;
	int64_t failures;	/* in a row */
	int64_t opened_at;	/* wall ms */
	int64_t probes;		/* half-open calls let through, not yet back */
	int64_t probe_at;	/* wall ms of the last probe */
} bstate;

struct rbreaker {
	rbreakers *store;
	char *cadence, *note;
	char *source;		/* the cadence file, absolute; NULL: built in code */
	char *file;		/* the state file; NULL in memory */
	cad_breaker policy;
	bstate mem;
	strbuf key;		/* in rbreakers.index: see breaker_key() */
	rbreaker *next;
};

struct rbreakers {
	pthread_mutex_t mu;
	char *dir;
	int ready;
	rbreaker *list;
	strmap index;		/* key -> rbreaker */
};

static int mkdirs(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		/* the state is the user's: 0700, as XDG asks of its directories */
		if (mkdir(p, 0700) && errno != EEXIST) {
			int e = errno;
			free(p);
			return e;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	struct stat st;
	if (stat(dir, &st))
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

int cad_rbreakers_new(rbreakers **out, const char *dir)
{
	rbreakers *b = calloc(1, sizeof(*b));
	*out = NULL;
	if (!b)
		return -1;
	pthread_mutex_init(&b->mu, NULL);
	if (dir && !(b->dir = strdup(dir))) {
		cad_rbreakers_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

int cad_rbreakers_ready(rbreakers *b)
{
	int e = 0;
	pthread_mutex_lock(&b->mu);
	if (b->dir && !b->ready && !(e = mkdirs(b->dir)))
		b->ready = 1;
	pthread_mutex_unlock(&b->mu);
	return e;
}

static void breaker_free(rbreaker *br)
{
	free(br->cadence);
	free(br->note);
	free(br->source);
	free(br->file);
	cad_strbuf_free(&br->key);
	free(br);
}

void cad_rbreakers_free(rbreakers *b)
{
	if (!b)
		return;
	for (rbreaker *br = b->list, *next; br; br = next) {
		next = br->next;
		breaker_free(br);
	}
	cad_strmap_free(&b->index);
	pthread_mutex_destroy(&b->mu);
	free(b->dir);
	free(b);
}

/* The cadence file as an absolute path without links, so that one file
 * named two ways is one breaker (NULL: built in code, or out of memory). */
static char *absolute(const char *path, int *oom)
{
	if (!path)
		return NULL;
	char *real = realpath(path, NULL);
	if (!real && !(real = strdup(path)))	/* gone since it was loaded */
		*oom = 1;
	return real;
}

/* DIR/CADENCE.NOTE.KEY.breaker.json: the names for people, KEY (64 bits
 * of SHA-256 over the file, cadence and note) so that two projects with
 * a cadence `shop` and a note `charge` keep two breakers. */
static char *state_file(const char *dir, const rbreaker *br)
{
	strbuf k = STRBUF_INIT, f = STRBUF_INIT;
	char hex[65];
	cad_strbuf_adds(&k, br->source ? br->source : "");
	cad_strbuf_addc(&k, '\0');
	cad_strbuf_adds(&k, br->cadence);
	cad_strbuf_addc(&k, '\0');
	cad_strbuf_adds(&k, br->note);
	if (!cad_strbuf_cstr(&k))
		return NULL;
	cad_sha256_hex(k.buf, k.len, hex);
	cad_strbuf_free(&k);
	cad_strbuf_addf(&f, "%s/%s.%s.%.16s.breaker.json", dir, br->cadence, br->note, hex);
	return cad_strbuf_detach(&f);
}

/* One breaker per file (NULL: built in code), cadence and note: the three
 * as one key, NUL-separated (names hold no NUL). */
static void breaker_key(strbuf *k, const char *source, const char *cadence, const char *note)
{
	cad_strbuf_addc(k, source ? '/' : '-');
	cad_strbuf_adds(k, source ? source : "");
	cad_strbuf_addc(k, '\0');
	cad_strbuf_adds(k, cadence);
	cad_strbuf_addc(k, '\0');
	cad_strbuf_adds(k, note);
}

rbreaker *cad_rbreakers_get(rbreakers *b, const char *path, const char *cadence,
			const char *note, const cad_breaker *policy)
{
	int oom = 0;
	char *source = absolute(path, &oom);
	rbreaker *br = NULL;
	strbuf key = STRBUF_INIT;
	const strmap_entry *e;
	pthread_mutex_lock(&b->mu);
	if (oom)
		goto out;
	breaker_key(&key, source, cadence, note);
	if (!cad_strbuf_cstr(&key))
		goto out;
	if ((e = cad_strmap_find(&b->index, key.buf, key.len))) {
		br = e->v.p;
		goto out;
	}
	br = calloc(1, sizeof(*br));
	if (!br)
		goto out;
	br->key = key;
	key = (strbuf)STRBUF_INIT;
	br->store = b;
	br->policy = *policy;
	br->source = source;
	source = NULL;
	br->cadence = strdup(cadence);
	br->note = strdup(note);
	if (br->cadence && br->note && b->dir)
		br->file = state_file(b->dir, br);
	strmap_entry *ix = NULL;
	if (!br->cadence || !br->note || (b->dir && !br->file) ||
	    !(ix = cad_strmap_put(&b->index, br->key.buf, br->key.len, NULL))) {
		breaker_free(br);
		br = NULL;
		goto out;
	}
	ix->v.p = br;
	br->next = b->list;
	b->list = br;
out:
	pthread_mutex_unlock(&b->mu);
	cad_strbuf_free(&key);
	free(source);
	return br;
}

/* ---- persistence ----------------------------------------------------------- */

static int64_t get_int(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* Reads the state from an open, locked file; a missing or unreadable state
 * is a closed breaker. */
static void load(int fd, bstate *s)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	memset(s, 0, sizeof(*s));
	if (n <= 0)
		return;
	buf[n] = '\0';
	cJSON *o = cJSON_Parse(buf);
	if (!o)
		return;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "state");
	for (int i = BREAKER_CLOSED; i <= BREAKER_HALF_OPEN; i++)
		if (cJSON_IsString(m) && !strcmp(m->valuestring, cad_rbreaker_mode_names[i]))
			s->mode = (rbreaker_mode)i;
	s->failures = get_int(o, "failures");
	s->opened_at = get_int(o, "opened_at");
	s->probes = get_int(o, "probes");
	s->probe_at = get_int(o, "probe_at");
	cJSON_Delete(o);
}

static void save(int fd, const bstate *s)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf),
			 "{\"state\":\"%s\",\"failures\":%lld,\"opened_at\":%lld,"
			 "\"probes\":%lld,\"probe_at\":%lld}\n",
			 cad_rbreaker_mode_names[s->mode], (long long)s->failures,
			 (long long)s->opened_at, (long long)s->probes,
			 (long long)s->probe_at);
	if (n > 0 && (size_t)n < sizeof(buf) && pwrite(fd, buf, (size_t)n, 0) == n)
		(void)!ftruncate(fd, n);
}

/* Opens the state file, refusing one a planted link or another user
 * could use to make this process write where it should not, or to feed
 * it a state: not a link (O_NOFOLLOW), a regular file (not a FIFO or a
 * device), of this user, that only this user can write, with one name.
 * Returns the fd; -1 with why filled; -2 when it is missing and not
 * `create`. */
static int open_state(const char *file, int create, strbuf *why)
{
	int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (create ? O_CREAT : 0);
	int fd = open(file, flags, 0600);
	struct stat st;
	const char *bad = NULL;
	char detail[96] = "";

	if (fd < 0 && errno == ENOENT && !create)
		return -2;
	struct stat lst;
	int e = errno;
	if (fd < 0 && (e == EACCES || e == EROFS) && lstat(file, &lst)) {
		/* no file to remove: its directory is what cannot be used
		 * (issue 14, probe: "remove it" sent the user to a file that
		 * was not there) */
		cad_strbuf_addf(why, "%s cannot be made: %s; give a --state-dir (or "
			    "CADENCE_STATE_DIR) this user can write", file, strerror(e));
		return -1;
	}
	if (fd < 0) {
		errno = e;
		bad = errno == ELOOP ? "it is a symbolic link" : strerror(errno);
	} else if (fstat(fd, &st)) {
		bad = strerror(errno);
	} else if (!S_ISREG(st.st_mode)) {
		bad = "it is not a regular file";
	} else if (st.st_uid != geteuid()) {
		snprintf(detail, sizeof(detail), "it belongs to user %ld, not to this one (%ld)",
			 (long)st.st_uid, (long)geteuid());
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(detail, sizeof(detail), "others can write it (mode %04o)",
			 (unsigned)(st.st_mode & 07777));
	} else if (st.st_nlink > 1) {
		snprintf(detail, sizeof(detail), "it has %ju hard links", (uintmax_t)st.st_nlink);
	}
	if (!bad && !*detail)
		return fd;
	if (fd >= 0)
		close(fd);
	cad_strbuf_addf(why, "%s cannot be used: %s; remove it (cadence makes a new one, "
		    "its breaker closed)", file, bad ? bad : detail);
	return -1;
}

int cad_rbreaker_check(rbreaker *br, strbuf *why)
{
	if (!br->file)
		return 0;
	int fd = open_state(br->file, 0, why);
	if (fd >= 0)
		close(fd);
	if (fd == -2) {
		/* not there yet: it must be possible to make it, or the run
		 * would fail at the note's first call (issue 14, probe) */
		char *dir = cad_path_dir(br->file);
		int e = !dir ? ENOMEM : faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) ? errno : 0;
		free(dir);
		if (e) {
			cad_strbuf_addf(why, "%s cannot be made: %s; give a --state-dir (or "
				    "CADENCE_STATE_DIR) this user can write", br->file, strerror(e));
			return -1;
		}
	}
	return fd == -1 ? -1 : 0;
}

/* Opens and locks the breaker's state: the in-process mutex for threads,
 * an fcntl lock for processes.  Returns the fd; -1 in memory; -2 when the
 * state file cannot be used (why says why; the state is closed and goes
 * nowhere). */
static int lock(rbreaker *br, bstate *s, strbuf *why)
{
	pthread_mutex_lock(&br->store->mu);
	if (!br->file) {
		*s = br->mem;
		return -1;
	}
	int fd = open_state(br->file, 1, why);
	if (fd < 0) {
		memset(s, 0, sizeof(*s));
		return -2;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	while (fcntl(fd, F_SETLKW, &fl) && errno == EINTR)
		;
	load(fd, s);
	return fd;
}

static void unlock(rbreaker *br, int fd, const bstate *s, int changed)
{
	if (fd >= 0) {
		if (changed)
			save(fd, s);
		close(fd);	/* releases the fcntl lock */
	} else if (fd == -1) {
		br->mem = *s;
	}
	pthread_mutex_unlock(&br->store->mu);
}

/* ---- the state machine ---------------------------------------------------- */

/* Open long enough: let probes through. */
static int advance(const cad_breaker *p, bstate *s, int64_t now)
{
	if (s->mode == BREAKER_OPEN && now - s->opened_at >= p->recovery_ms) {
		s->mode = BREAKER_HALF_OPEN;
		s->probes = 0;
		return 1;
	}
	/* a probe that never came back (its process died) expires */
	if (s->mode == BREAKER_HALF_OPEN && s->probes && now - s->probe_at >= p->recovery_ms) {
		s->probes = 0;
		return 1;
	}
	return 0;
}

/* lock() for a call: -2 leaves the reason in why, after "its circuit
 * breaker's state file", and the mutex released. */
static int lock_call(rbreaker *br, bstate *s, strbuf *why, rbreaker_mode mode[2])
{
	strbuf e = STRBUF_INIT;
	int fd = lock(br, s, &e);
	if (fd == -2) {
		mode[0] = mode[1] = s->mode;
		unlock(br, fd, s, 0);
		cad_strbuf_addf(why, "its circuit breaker's state file %s",
			    cad_strbuf_cstr(&e) ? cad_strbuf_cstr(&e) : "cannot be used: out of memory");
	}
	cad_strbuf_free(&e);
	return fd;
}

int cad_rbreaker_acquire(rbreaker *br, int64_t now, int *probe, strbuf *why, rbreaker_mode mode[2])
{
	bstate s;
	*probe = 0;
	int fd = lock_call(br, &s, why, mode);
	if (fd == -2)
		return -1;
	mode[0] = s.mode;
	int changed = advance(&br->policy, &s, now), rc = 0;
	if (s.mode == BREAKER_OPEN) {
		int64_t left = br->policy.recovery_ms - (now - s.opened_at);
		cad_strbuf_addf(why, "its circuit breaker is open after %lld failures in a row; "
			    "the next call goes through in %lld ms",
			    (long long)s.failures, (long long)(left > 0 ? left : 0));
		rc = 1;
	} else if (s.mode == BREAKER_HALF_OPEN) {
		if (s.probes >= br->policy.half_open_max) {
			cad_strbuf_addf(why, "its circuit breaker is half-open and %lld probe call%s "
				    "already running", (long long)s.probes, s.probes == 1 ? " is" : "s are");
			rc = 1;
		} else {
			s.probes++;
			s.probe_at = now;
			*probe = 1;
			changed = 1;
		}
	}
	mode[1] = s.mode;
	unlock(br, fd, &s, changed);
	return rc;
}

int cad_rbreaker_release(rbreaker *br, int64_t now, int probe, int success, strbuf *why,
		     rbreaker_mode mode[2])
{
	bstate s;
	int fd = lock_call(br, &s, why, mode);
	if (fd == -2)
		return -1;
	mode[0] = s.mode;
	if (probe && s.probes > 0)
		s.probes--;
	if (success) {
		s.mode = BREAKER_CLOSED;
		s.failures = 0;
		s.probes = 0;
	} else if (s.mode == BREAKER_HALF_OPEN) {
		s.mode = BREAKER_OPEN;
		s.failures++;
		s.opened_at = now;
		s.probes = 0;
	} else if (s.mode == BREAKER_CLOSED) {
		if (++s.failures >= br->policy.failure_threshold) {
			s.mode = BREAKER_OPEN;
			s.opened_at = now;
		}
	}
	mode[1] = s.mode;
	unlock(br, fd, &s, 1);
	return 0;
}

void cad_rbreaker_abandon(rbreaker *br, int probe)
{
	bstate s;
	strbuf why = STRBUF_INIT;	/* the run is cancelled: nothing to tell */
	if (!probe)
		return;
	int fd = lock(br, &s, &why);
	if (s.probes > 0)
		s.probes--;
	unlock(br, fd, &s, 1);
	cad_strbuf_free(&why);
}
