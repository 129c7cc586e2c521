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

#include "serve/mhd.h"

#include "metrics.h"

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
	int queued;		/* waiting for a slot (--max-runs); not started */
	const char *trigger;	/* "api", "webhook" or "schedule" (--schedules: sched.c) */
	/* why a run ended without starting (cancelled or stopped while
	 * queued, a failed start), static text; NULL: it started */
	const char *unstarted;
	int start_failed;	/* unstarted because it could not start: outcome error */
	int64_t start_ms, end_ms;	/* -1: not yet (queued; running) */
	/* a run of an earlier server (past.c): its registry status and error */
	int past;
	char *reg_status, *reg_error;
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
	size_t queued, max_queue;	/* started in order as slots free */
	const char *exe;	/* the cadence binary that runs them */
	const char *state_dir;	/* passed as --state-dir, or NULL */
	char *runs_dir;		/* <state dir>/serve/runs */
	int stopping;		/* no new runs */
	pthread_t reaper;
	int reaper_started;
	/* called by the reaper, outside the lock, with a copy of each run
	 * that ended (GET /metrics adds its figures); NULL: none */
	void (*on_end)(void *arg, const serve_run *r);
	void *on_end_arg;
	/* "NAME=" of more variables the runs do not see (webhook secrets) */
	char *const *hidden_env;
	size_t nhidden_env;
} serve_runs;

int serve_runs_init(serve_runs *rs, const char *exe, const char *state_dir, size_t max_running,
		    size_t max_queue, char **why);
void serve_runs_free(serve_runs *rs);

/* Starts a run of `file` (the cadence `name`) with the input score `score`
 * (JSON text); its id into id.  0; 3: queued (--max-runs are running);
 * 1: the queue is full too (429); 2: the server is stopping (503); -1
 * with a malloc'd reason in *why. */
int serve_runs_start(serve_runs *rs, const char *name, const char *file, const char *score,
		     size_t len, char id[33], char **why);
/* The same, the run recorded with trigger `webhook` (webhook 1) instead
 * of `api` (webhook.c). */
int serve_runs_start_as(serve_runs *rs, int webhook, const char *name, const char *file,
			const char *score, size_t len, char id[33], char **why);
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
/* Sends SIGTERM to the run (a queued one ends, never started): 0; 1: it
 * ended already; -1: unknown. */
int serve_runs_cancel(serve_runs *rs, const char *id);
/* How many of `name`'s runs are running (NULL: all). */
size_t serve_runs_running(serve_runs *rs, const char *name);
/* Shutdown: no new runs, the queued ones end unstarted; waits up to
 * grace_ms for the running ones to end (0 as soon as none runs), returns
 * how many still run. */
size_t serve_runs_drain(serve_runs *rs, int64_t grace_ms);
/* Whether the server is stopping (serve_runs_drain() was called). */
int serve_runs_stopping(serve_runs *rs);
/* Sends sig to every running run. */
void serve_runs_signal(serve_runs *rs, int sig);

/* ---- limits.c ------------------------------------------------------------ */

typedef struct serve_bucket {
	char key[72];		/* a token's digest, or a client's address */
	double tokens;		/* requests it may make now */
	int64_t last_ms;	/* when tokens was worked out (monotonic) */
} serve_bucket;

/* The request rate per client: a token bucket each. */
typedef struct serve_limits {
	pthread_mutex_t lock;
	unsigned rate, burst;	/* rate 0: no limit; burst 0 at init: rate */
	serve_bucket *b;
	size_t n, cap;
	int lock_ready;		/* serve_limits_init() was called */
} serve_limits;

void serve_limits_init(serve_limits *l, unsigned rate, unsigned burst);
void serve_limits_free(serve_limits *l);
/* Takes one request from key's bucket: 0, or the seconds (1 or more) to
 * wait when it is empty (Retry-After).  Out of memory: allowed. */
unsigned serve_limits_take(serve_limits *l, const char *key);

/* Slow clients: a request (headers and body) must arrive within the
 * client timeout, counted from the connection's start or the end of the
 * previous request on it; else its socket is shut down. */
typedef struct serve_conn {
	struct serve_conn *prev, *next;
	int fd;
	int64_t since_ms;	/* monotonic: the request's time starts */
	int answering;		/* the request arrived whole; being answered */
	int dropped;
} serve_conn;

typedef struct serve_conns {
	pthread_mutex_t lock;
	serve_conn *all;
	int64_t timeout_ms;
	int ready;
} serve_conns;

void serve_conns_init(serve_conns *c, int64_t timeout_ms);
void serve_conns_free(serve_conns *c);
/* MHD_OPTION_NOTIFY_CONNECTION's callback (cls: the serve_conns). */
void serve_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			enum MHD_ConnectionNotificationCode code);
/* The request on conn arrived whole (whole 1), or was answered (0). */
void serve_conns_received(serve_conns *c, struct MHD_Connection *conn, int whole);
/* Shuts down the connections late with their request; how many. */
size_t serve_conns_sweep(serve_conns *c);

/* ---- past.c -------------------------------------------------------------- */

/* Writes the run's run.json in dir (its cadence, file, when accepted,
 * this server's pid), for later servers.  0, or -1 (errno). */
int serve_past_note(const char *dir, const char *cadence, const char *file, int64_t accepted_ms);
/* The run `id` of an earlier server, from its directory and the registry
 * (out->past set); 0, or -1 when unknown.  Reads the registry and parses
 * JSON: under the caller's project lock. */
int serve_past_get(const char *state_dir, const char *runs_dir, const char *id, serve_run *out);
/* At start: the runs of this state directory still running whose server
 * is gone are stopped (SIGTERM, then SIGKILL after 10 s), and the
 * registry reaped.  0, or -1 after a warning. */
int serve_past_adopt(const char *state_dir, const char *runs_dir);

/* ---- tls.c --------------------------------------------------------------- */

typedef struct serve_tls {
	int on;
	char *cert, *key;	/* PEM text */
} serve_tls;

/* Reads the certificate chain and the key (both paths, or neither: no
 * TLS).  0, or -1 with a malloc'd message in *why: one without the
 * other, no TLS in libmicrohttpd, a file unreadable, not PEM, or an
 * encrypted key. */
int serve_tls_load(serve_tls *t, const char *cert_path, const char *key_path, char **why);
void serve_tls_free(serve_tls *t);

/* ---- sse.c --------------------------------------------------------------- */

/* A run's events as Server-Sent Events, streamed while the run lasts. */
typedef struct serve_stream serve_stream;

typedef struct serve_streams {
	pthread_mutex_t lock;
	serve_stream *list;
	size_t n;
	int64_t heartbeat_ms;	/* a comment line after this long without a send */
	int closing;		/* shutdown: every stream ends */
	int ready;
} serve_streams;

void serve_streams_init(serve_streams *ss, int64_t heartbeat_ms);
/* After MHD_stop_daemon(). */
void serve_streams_free(serve_streams *ss);
/* Resumes the streams waiting for events, frees those whose client went
 * away.  Called by the main thread, a few times a second. */
void serve_streams_tick(serve_streams *ss);
/* Shutdown: every stream sends what it has and ends (`event: end`); none
 * waits suspended any more (MHD_stop_daemon() must not find one). */
void serve_streams_close(serve_streams *ss);
/* Streams still open. */
size_t serve_streams_open(serve_streams *ss);
/* Whether the request asks for text/event-stream (Accept). */
int serve_sse_wanted(struct MHD_Connection *conn);
/* Queues the stream of the run r's events. */
enum MHD_Result serve_sse_respond(serve_streams *ss, serve_runs *runs,
				  struct MHD_Connection *conn, const serve_run *r);
/* ---- webhook.c ----------------------------------------------------------- */

/* The webhook routes (serve.webhooks, docs/serve.md "Webhooks"), their
 * secrets read and expressions compiled. */
typedef struct serve_hook serve_hook;
typedef struct serve_hooks {
	serve_hook *v;
	size_t n;
	char **hidden;		/* "NAME=" of the secrets' variables */
	size_t nhidden;
} serve_hooks;

struct cli_config;
/* Loads the routes of cfg: their cadences must be the project's and their
 * secrets readable.  0, or an exit code after saying what is wrong where
 * (FILE:LINE:COL). */
int serve_hooks_load(serve_hooks *hs, const struct cli_config *cfg);
void serve_hooks_free(serve_hooks *hs);

/* What a handler answers: a JSON body (status 2xx), or a problem of
 * status with `detail`; one more header when `header` is not NULL. */
typedef struct serve_reply {
	unsigned status;
	struct cJSON *body;
	char *detail;
	const char *header, *value;
} serve_reply;
void serve_reply_clear(serve_reply *r);

struct serve_ctx;
/* POST /hooks/NAME with its raw body. */
void serve_hook_post(struct serve_ctx *s, struct MHD_Connection *conn, const char *name,
		     const char *body, size_t len, serve_reply *out);
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

/* The whole file dir/name (name NULL: the file dir), malloc'd and
 * NUL-terminated, its length in *len (len may be NULL); NULL when there is
 * none or out of memory.  Opened close-on-exec: the runs are children. */
char *serve_read_file(const char *dir, const char *name, size_t *len);

typedef struct serve_ctx {
	serve_auth auth;
	int open;		/* no token: every request allowed (loopback only) */
	serve_runs runs;
	const char *state_dir;	/* --state-dir, or NULL: the project's */
	size_t max_body;
	serve_limits limits;	/* requests per token (per address, no token) */
	serve_conns conns;	/* the connections, for the slow clients' timeout */
	serve_streams streams;	/* GET /runs/ID/events as Server-Sent Events */
	/* the configuration, the registry and cJSON's parser (not thread-safe) */
	pthread_mutex_t project;
	const char *openapi;	/* docs/openapi.json's text, or NULL */
	int tls;		/* HTTPS: the dashboard's origin and its cookie's Secure */
	serve_metrics metrics;	/* GET /metrics */
	/* random at each start: the dashboard's session cookies and CSRF
	 * tokens are HMACs under it (dashboard.c) */
	unsigned char secret[32];
	serve_hooks hooks;	/* POST /hooks/NAME */
	serve_sched sched;	/* --schedules */
} serve_ctx;

/* The project's cadences as GET /cadences lists them (ui: as the dashboard
 * shows them, with their description and the file as the project names
 * it), or NULL; *why then says why when it can (malloc'd).  Takes the
 * project lock. */
struct cJSON *serve_cadences(serve_ctx *s, int ui, char **why);

/* libmicrohttpd's access handler (MHD_AccessHandlerCallback) and its
 * request-completed callback. */
enum MHD_Result serve_api_handler(void *cls, struct MHD_Connection *conn, const char *url,
		      const char *method, const char *version, const char *upload_data,
		      size_t *upload_data_size, void **con_cls);
void serve_api_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe);

/* ---- metrics.c ------------------------------------------------------------ */

/* serve_runs' on_end hook: arg is the serve_metrics; adds the run's
 * outcome, wall time and textfile (metrics.h). */
void serve_metrics_on_end(void *arg, const serve_run *r);
/* Before the server answers: where the registry's rows start to count. */
void serve_metrics_start(serve_metrics *m, const char *state_dir);
/* GET /metrics: the registry's new rows added, the exposition (malloc'd). */
char *serve_metrics_scrape(serve_ctx *s);
/* The outcome of a run that ended, as GET /runs/ID says it. */
const char *serve_run_outcome(const serve_run *r);

/* ---- dashboard.c ---------------------------------------------------------- */

/* The scope of the request's session cookie (a signed-in browser), or
 * SERVE_SCOPE_NONE. */
serve_scope serve_ui_cookie_scope(serve_ctx *s, struct MHD_Connection *conn);
/* GET /: the cadences, with the forms `scope` allows. */
enum MHD_Result serve_ui_list(serve_ctx *s, struct MHD_Connection *conn, serve_scope scope);
/* GET /ui/runs/ID and GET /ui/runs/ID/diagram.svg. */
enum MHD_Result serve_ui_run(serve_ctx *s, struct MHD_Connection *conn, const char *id);
enum MHD_Result serve_ui_diagram(serve_ctx *s, struct MHD_Connection *conn, const char *id);
/* POST /ui/cadences/NAME/ACT (pause, resume, trigger): a form, its CSRF
 * token checked first. */
enum MHD_Result serve_ui_action(serve_ctx *s, struct MHD_Connection *conn, const char *name,
				const char *act, const char *body, size_t len);
/* GET and POST /ui/login, POST /ui/logout. */
enum MHD_Result serve_ui_login_page(serve_ctx *s, struct MHD_Connection *conn, unsigned status,
				    const char *message);
enum MHD_Result serve_ui_login(serve_ctx *s, struct MHD_Connection *conn, const char *body,
			       size_t len);
enum MHD_Result serve_ui_logout(serve_ctx *s, struct MHD_Connection *conn);
/* An HTML error page. */
enum MHD_Result serve_ui_error(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The diagram of the cadence file `file` in a cadence_diagram_format
 * into *out (malloc'd): 0, or a CADENCE_E* code (said on stderr). */
int serve_ui_draw(serve_ctx *s, const char *file, int format, char **out, size_t *len);

#endif
