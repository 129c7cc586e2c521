/* SPDX-License-Identifier: MIT */
#include "run/breaker.h"

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
	char *file;		/* NULL in memory */
	cad_breaker policy;
	bstate mem;
	rbreaker *next;
};

struct rbreakers {
	pthread_mutex_t mu;
	char *dir;
	int ready;
	rbreaker *list;
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
		if (mkdir(p, 0777) && errno != EEXIST) {
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

void cad_rbreakers_free(rbreakers *b)
{
	if (!b)
		return;
	for (rbreaker *br = b->list, *next; br; br = next) {
		next = br->next;
		free(br->cadence);
		free(br->note);
		free(br->file);
		free(br);
	}
	pthread_mutex_destroy(&b->mu);
	free(b->dir);
	free(b);
}

rbreaker *cad_rbreakers_get(rbreakers *b, const char *cadence, const char *note,
			const cad_breaker *policy)
{
	rbreaker *br;
	pthread_mutex_lock(&b->mu);
	for (br = b->list; br; br = br->next)
		if (!strcmp(br->cadence, cadence) && !strcmp(br->note, note))
			goto out;
	br = calloc(1, sizeof(*br));
	if (!br)
		goto out;
	br->store = b;
	br->policy = *policy;
	br->cadence = strdup(cadence);
	br->note = strdup(note);
	if (b->dir) {
		strbuf f = STRBUF_INIT;
		cad_strbuf_addf(&f, "%s/%s.%s.breaker.json", b->dir, cadence, note);
		br->file = cad_strbuf_detach(&f);
	}
	if (!br->cadence || !br->note || (b->dir && !br->file)) {
		free(br->cadence);
		free(br->note);
		free(br->file);
		free(br);
		br = NULL;
		goto out;
	}
	br->next = b->list;
	b->list = br;
out:
	pthread_mutex_unlock(&b->mu);
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

/* Opens and locks the breaker's state: the in-process mutex for threads,
 * an fcntl lock for processes.  Returns the fd (-1 in memory). */
static int lock(rbreaker *br, bstate *s)
{
	pthread_mutex_lock(&br->store->mu);
	if (!br->file) {
		*s = br->mem;
		return -1;
	}
	int fd = open(br->file, O_RDWR | O_CREAT, 0666);
	if (fd >= 0) {
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		while (fcntl(fd, F_SETLKW, &fl) && errno == EINTR)
			;
		load(fd, s);
	} else {
		*s = br->mem;	/* unusable file: this process alone */
	}
	return fd;
}

static void unlock(rbreaker *br, int fd, const bstate *s, int changed)
{
	if (fd >= 0) {
		if (changed)
			save(fd, s);
		close(fd);	/* releases the fcntl lock */
	} else {
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

int cad_rbreaker_acquire(rbreaker *br, int64_t now, int *probe, strbuf *why, rbreaker_mode mode[2])
{
	bstate s;
	int fd = lock(br, &s);
	mode[0] = s.mode;
	int changed = advance(&br->policy, &s, now), rc = 0;
	*probe = 0;
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

void cad_rbreaker_release(rbreaker *br, int64_t now, int probe, int success, rbreaker_mode mode[2])
{
	bstate s;
	int fd = lock(br, &s);
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
}

void cad_rbreaker_abandon(rbreaker *br, int probe)
{
	bstate s;
	if (!probe)
		return;
	int fd = lock(br, &s);
	if (s.probes > 0)
		s.probes--;
	unlock(br, fd, &s, 1);
}

rbreaker_mode cad_rbreaker_peek(rbreaker *br, int64_t now, int64_t *failures)
{
	bstate s;
	int fd = lock(br, &s), changed = advance(&br->policy, &s, now);
	if (failures)
		*failures = s.failures;
	unlock(br, fd, &s, changed);
	return s.mode;
}
