/* SPDX-License-Identifier: MIT */
/* `cadence serve`: the runs of earlier servers (docs/serve.md, "Runs",
 * "Restarts").  Each run's directory keeps run.json, written when the run
 * is accepted: its cadence, its file, when, and the server's pid.  A
 * later server finds the run there, and its record in the run registry by
 * its events file (serve/runs/ID/events.jsonl, which cadence run records):
 * GET /runs/ID answers for it.  At start, runs whose server died (SIGKILL)
 * and that still run are stopped, so that the registry shows them
 * interrupted with their checkpoints kept. */
#define _DEFAULT_SOURCE

#include "serve.h"

#include "registry.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/json.h"
#include "util/strbuf.h"

int serve_past_note(const char *dir, const char *cadence, const char *file, int64_t accepted_ms)
{
	cJSON *o = cJSON_CreateObject();
	cad_json_add_text(o, "cadence", cadence);
	cad_json_add_text(o, "file", file);
	cJSON_AddNumberToObject(o, "accepted_ms", (double)accepted_ms);
	cJSON_AddNumberToObject(o, "server_pid", (double)getpid());
	char *text = o ? cad_json_print(o, 0) : NULL;
	cJSON_Delete(o);
	strbuf path = STRBUF_INIT;
	cad_strbuf_addf(&path, "%s/run.json", dir);
	int fd = text && !path.failed ? open(cad_strbuf_cstr(&path), O_WRONLY | O_CREAT | O_EXCL |
					     O_CLOEXEC, 0600) : -1;
	cad_strbuf_free(&path);
	int bad = fd < 0;
	size_t len = text ? strlen(text) : 0, done = 0;
	while (!bad && done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		bad = w < 0;
		done += w > 0 ? (size_t)w : 0;
	}
	if (fd >= 0 && close(fd))
		bad = 1;
	free(text);
	return bad ? -1 : 0;
}

/* run.json of the run dir, parsed (NULL: none, or not one).  Under the
 * caller's lock of cJSON's parser. */
static cJSON *read_note(const char *dir)
{
	size_t len;
	char *text = serve_read_file(dir, "run.json", &len);
	cJSON *o = text ? cJSON_ParseWithLength(text, len) : NULL;
	free(text);
	if (o && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

static int64_t note_number(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

static char *note_text(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

/* Whether the registry's row x is the run `id` of serve (its events file
 * is serve/runs/ID/events.jsonl). */
static int row_of(const reg_run *x, const char *id)
{
	char tail[64];
	snprintf(tail, sizeof(tail), "/%s/events.jsonl", id);
	size_t n = x->events_path ? strlen(x->events_path) : 0, t = strlen(tail);
	return n >= t + 11 && !strcmp(x->events_path + n - t, tail) &&
	       !strncmp(x->events_path + n - t - 11, "/serve/runs", 11);
}

static int is_id(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");
	return n == 32 && !id[n];
}

/* The registry's trigger as one of serve's (static) names; NULL: other. */
static const char *past_trigger(const char *t)
{
	static const char *const names[] = { "api", "webhook", "schedule", NULL };
	for (size_t i = 0; t && names[i]; i++)
		if (!strcmp(t, names[i]))
			return names[i];
	return NULL;
}

int serve_past_get(const char *state_dir, const char *runs_dir, const char *id, serve_run *out)
{
	memset(out, 0, sizeof(*out));
	if (!is_id(id))	/* nothing else names a directory: no path from a request */
		return -1;
	strbuf dir = STRBUF_INIT;
	cad_strbuf_addf(&dir, "%s/%s", runs_dir, id);
	cJSON *note = dir.failed ? NULL : read_note(cad_strbuf_cstr(&dir));
	if (!note) {
		cad_strbuf_free(&dir);
		return -1;
	}
	memcpy(out->id, id, 33);
	out->cadence = note_text(note, "cadence");
	out->file = note_text(note, "file");
	out->dir = cad_strbuf_detach(&dir);
	out->exit_code = -1;
	out->start_ms = out->end_ms = -1;
	out->past = 1;
	int64_t accepted = note_number(note, "accepted_ms");
	cJSON_Delete(note);
	reg *r = NULL;
	reg_run *runs = NULL;
	size_t n = 0;
	char *why = NULL;
	int bad = reg_open(state_dir, &r, &why) ||
		  reg_runs(r, NULL, accepted >= 0 ? accepted : -1, 0, &runs, &n);
	for (size_t i = 0; !bad && i < n; i++) {
		if (!row_of(&runs[i], id))
			continue;
		out->reg_status = runs[i].status ? strdup(runs[i].status) : NULL;
		out->reg_error = runs[i].error ? strdup(runs[i].error) : NULL;
		out->trigger = past_trigger(runs[i].trigger);
		out->start_ms = runs[i].start_ms;
		out->end_ms = runs[i].end_ms;
		break;
	}
	if (bad)
		fprintf(stderr, "cadence: serve: cannot read the run registry for run %s: %s\n", id,
			why ? why : r ? reg_error(r) : "out of memory");
	free(why);
	reg_runs_free(runs, n);
	reg_close(r);
	if (!out->reg_status)	/* never recorded: its server stopped before it started */
		out->unstarted = "its server stopped before the run started (it was queued)";
	if (!out->cadence || !out->file || !out->dir) {
		serve_run_clear(out);
		return -1;
	}
	return 0;
}

/* The parent of pid, from /proc (-1: unknown). */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	size_t got = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[got] = '\0';
	char *p = strrchr(buf, ')');	/* the name may hold blanks and ')' */
	int ppid;
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* The running runs of this state dir's servers whose server is gone: their
 * pids into pids (at most max); how many. */
static size_t orphans(reg *r, const char *runs_dir, pid_t *pids, size_t max)
{
	reg_run *runs = NULL;
	size_t n = 0, k = 0;
	if (reg_runs(r, NULL, -1, 0, &runs, &n))
		return 0;
	for (size_t i = 0; i < n && k < max; i++) {
		const reg_run *x = &runs[i];
		size_t len = strlen(runs_dir);
		if (!x->status || strcmp(x->status, "running") || x->pid <= 0 || !x->events_path ||
		    strncmp(x->events_path, runs_dir, len) || x->events_path[len] != '/')
			continue;
		/* its server: run.json's pid; gone when it is not the run's
		 * parent any more (the kernel gave the run to init) */
		char *dir = strdup(x->events_path);
		char *slash = dir ? strrchr(dir, '/') : NULL;
		if (slash)
			*slash = '\0';
		cJSON *note = slash ? read_note(dir) : NULL;
		int64_t server = note_number(note, "server_pid");
		cJSON_Delete(note);
		free(dir);
		if (server > 0 && parent_of((pid_t)x->pid) != (pid_t)server)
			pids[k++] = (pid_t)x->pid;
	}
	reg_runs_free(runs, n);
	return k;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

int serve_past_adopt(const char *state_dir, const char *runs_dir)
{
	reg *r = NULL;
	char *why = NULL;
	pid_t pids[1024];
	if (reg_open(state_dir, &r, &why)) {
		fprintf(stderr, "cadence: serve: warning: cannot read the run registry: %s\n",
			why ? why : "out of memory");
		free(why);
		return -1;
	}
	size_t n = orphans(r, runs_dir, pids, 1024);
	if (n)
		fprintf(stderr, "cadence: serve: %zu run%s of an earlier server (killed?) still "
			"running: stopping %s (SIGTERM: checkpoints kept, recorded interrupted)\n", n,
			n == 1 ? "" : "s", n == 1 ? "it" : "them");
	/* each run is its process group's leader: its notes stop with it */
	for (size_t i = 0; i < n; i++)
		kill(-pids[i], SIGTERM);
	/* as at shutdown: up to 10 s for the runs to stop their notes */
	for (int waited = 0; n && waited < 10000; waited += 100) {
		nap_ms(100);
		n = orphans(r, runs_dir, pids, 1024);
	}
	for (size_t i = 0; i < n; i++)
		kill(-pids[i], SIGKILL);
	if (n) {
		nap_ms(200);
		fprintf(stderr, "cadence: serve: %zu run%s killed (SIGKILL)\n", n, n == 1 ? "" : "s");
	}
	int rc = reg_reap(r) < 0 ? -1 : 0;	/* those killed: interrupted */
	reg_close(r);
	return rc;
}
