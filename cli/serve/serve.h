/* SPDX-License-Identifier: MIT */
/*
 * `cadence serve` (docs/serve.md): what its parts share.  auth.c: bearer
 * tokens and scopes; runs.c: the runs it starts, each a child process
 * `cadence run`; api.c: the HTTP routes on libmicrohttpd.
 *
 * Threads: libmicrohttpd calls api.c's handler from its pool's threads;
 * the run table and the registry and project reads are each behind the
 * server's mutexes (the project configuration and a reg are not
 * thread-safe).
 */
#ifndef CADENCE_CLI_SERVE_SERVE_H
#define CADENCE_CLI_SERVE_SERVE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <microhttpd.h>

/* ---- auth.c -------------------------------------------------------------- */

/* Scopes, each including those below it: read < run < admin. */
typedef enum serve_scope {
	SERVE_SCOPE_NONE, SERVE_SCOPE_READ, SERVE_SCOPE_RUN, SERVE_SCOPE_ADMIN
} serve_scope;

typedef struct serve_token {
	char digest[65];	/* SHA-256 (hex) of the token: compared, never the text */
	serve_scope scope;
} serve_token;

typedef struct serve_auth {
	serve_token *tokens;
	size_t n;
} serve_auth;

/* Reads the token file (lines `TOKEN SCOPE[,SCOPE]`, '#' comments) when
 * path is not NULL, and the token `env_token` (all scopes) when not NULL.
 * Returns 0, or 2 after saying what is wrong where. */
int serve_auth_load(serve_auth *a, const char *path, const char *env_token);
void serve_auth_free(serve_auth *a);
/* The scope of the token of an Authorization header's value (NULL: none),
 * SERVE_SCOPE_NONE when it is no known token.  Constant time in the
 * tokens' text: every known token is compared, each by its digest. */
serve_scope serve_auth_check(const serve_auth *a, const char *authorization);
const char *serve_scope_name(serve_scope s);

/* ---- runs.c -------------------------------------------------------------- */

typedef struct serve_run {
	char id[33];		/* 32 hex digits, random */
	char *cadence, *file, *dir;	/* dir: score.json, events.jsonl, ... */
	pid_t pid;		/* 0 once it ended */
	int exit_code;		/* -1 while running; 128 + N killed by signal N */
	int signal;		/* the signal that killed it, or 0 */
	int cancelled;		/* POST /runs/ID/cancel */
	const char *trigger;	/* "api", or "schedule" (--schedules: sched.c) */
	int64_t start_ms, end_ms;	/* end -1 while running */
} serve_run;

/* Runs kept for GET /runs/ID: beyond, the oldest that ended is forgotten
 * (its files stay; the registry keeps its record). */
#define SERVE_RUNS_KEPT 10000

typedef struct serve_runs {
	pthread_mutex_t lock;
	pthread_cond_t changed;	/* a run started or ended */
	serve_run *runs;
	size_t n, cap;
	size_t running, max_running;
	const char *exe;	/* the cadence binary that runs them */
	const char *state_dir;	/* passed as --state-dir, or NULL */
	char *runs_dir;		/* <state dir>/serve/runs */
	int stopping;		/* no new runs */
	pthread_t reaper;
	int reaper_started;
} serve_runs;

int serve_runs_init(serve_runs *rs, const char *exe, const char *state_dir, size_t max_running,
		    char **why);
void serve_runs_free(serve_runs *rs);

/* Starts a run of `file` (the cadence `name`) with the input score `score`
 * (JSON text); its id into id.  0; 1: too many running (429); 2: the
 * server is stopping (503); -1 with a malloc'd reason in *why. */
int serve_runs_start(serve_runs *rs, const char *name, const char *file, const char *score,
		     size_t len, char id[33], char **why);
/* Starts `cadence run --scheduled name --jitter` (file: the cadence's, for
 * GET /runs/ID), which handles what the schedule has due as it does from
 * cron; `now`: its --now (a test clock), or NULL.  Not refused beyond
 * max_running (a schedule's own overlap policy bounds its runs).  As
 * serve_runs_start(), never 1. */
int serve_runs_start_scheduled(serve_runs *rs, const char *name, const char *file,
			       const char *now, char id[33], char **why);
/* A copy of the run `id`, its strings the copy's own (serve_run_clear);
 * 0, or -1 when unknown (or out of memory). */
int serve_runs_get(serve_runs *rs, const char *id, serve_run *out);
void serve_run_clear(serve_run *r);
/* Sends SIGTERM to the run: 0; 1: it ended already; -1: unknown. */
int serve_runs_cancel(serve_runs *rs, const char *id);
/* How many of `name`'s runs are running (NULL: all). */
size_t serve_runs_running(serve_runs *rs, const char *name);
/* Shutdown: no new runs; waits up to grace_ms for the running ones to end
 * (0 as soon as none runs), returns how many still run. */
size_t serve_runs_drain(serve_runs *rs, int64_t grace_ms);
/* Whether the server is stopping (serve_runs_drain() was called). */
int serve_runs_stopping(serve_runs *rs);
/* Sends sig to every running run. */
void serve_runs_signal(serve_runs *rs, int sig);

/* ---- sched.c ------------------------------------------------------------- */

/* --schedules: a thread that starts `cadence run --scheduled NAME` for each
 * schedule of the project when its fire time comes (docs/serve.md,
 * "Schedules"). */
typedef struct serve_sched {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int started, stopping;
	int64_t skew;		/* seconds added to the clock: CADENCE_TEST_CLOCK_SKEW */
	int64_t checked;	/* the fire times up to it (Unix s) are handled */
	struct serve_ctx *ctx;
} serve_sched;

/* Starts the thread; 0, or -1 with a malloc'd reason in *why. */
int serve_sched_start(serve_sched *sc, struct serve_ctx *ctx, int64_t skew, char **why);
/* Stops the thread (no fire starts after it returns); a no-op when it did
 * not start. */
void serve_sched_stop(serve_sched *sc);

/* ---- api.c --------------------------------------------------------------- */

typedef struct serve_ctx {
	serve_auth auth;
	int open;		/* no token: every request allowed (loopback only) */
	serve_runs runs;
	const char *state_dir;	/* --state-dir, or NULL: the project's */
	size_t max_body;
	/* the configuration, the registry and cJSON's parser (not thread-safe) */
	pthread_mutex_t project;
	const char *openapi;	/* docs/openapi.json's text, or NULL */
	serve_sched sched;	/* --schedules */
} serve_ctx;

/* libmicrohttpd's access handler (MHD_AccessHandlerCallback) and its
 * request-completed callback. */
enum MHD_Result serve_api_handler(void *cls, struct MHD_Connection *conn, const char *url,
		      const char *method, const char *version, const char *upload_data,
		      size_t *upload_data_size, void **con_cls);
void serve_api_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe);

#endif
