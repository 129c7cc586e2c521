/* SPDX-License-Identifier: MIT */
/* cadence serve: an HTTP service that lists the project's cadences, starts
 * runs, shows them and their history (docs/serve.md).  libmicrohttpd
 * answers on a pool of threads; this thread waits for signals. */
#define _DEFAULT_SOURCE	/* strndup, getaddrinfo's flags */

#include "cli.h"
#include "config.h"
#include "embed.h"
#include "run.h"
#include "serve/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "format/scalar.h"
#include "util/strbuf.h"

enum {
	OPT_LISTEN = 1, OPT_READY_FILE, OPT_STATE_DIR, OPT_TOKEN_FILE, OPT_GRACE, OPT_MAX_RUNS,
	OPT_MAX_BODY, OPT_THREADS, OPT_MAX_QUEUE, OPT_RATE, OPT_BURST, OPT_CLIENT_TIMEOUT,
	OPT_TLS_CERT, OPT_TLS_KEY, OPT_SCHEDULES
};

static const cli_opt serve_opts[] = {
	{ OPT_LISTEN, 'l', "listen", "ADDR:PORT",
	  "the address to listen on: IPv4:PORT, [IPv6]:PORT or HOST:PORT; port 0: any free "
	  "one (default: serve.listen, $CADENCE_LISTEN, else 127.0.0.1:8080)", NULL },
	{ OPT_READY_FILE, 0, "ready-file", "FILE",
	  "once listening, write the address listened on (ADDR:PORT) to FILE, atomically; "
	  "removed at exit", NULL },
	{ OPT_TOKEN_FILE, 0, "token-file", "FILE",
	  "the bearer tokens, lines 'TOKEN SCOPE[,SCOPE]' (default: serve.token_file, "
	  "$CADENCE_TOKEN_FILE; $CADENCE_TOKEN adds one token of scope admin)", NULL },
	{ OPT_GRACE, 0, "grace", "DURATION",
	  "on SIGTERM, SIGINT or SIGHUP, how long running runs may go on before they are stopped "
	  "(default: serve.grace, $CADENCE_GRACE, else 30s)", NULL },
	{ OPT_MAX_RUNS, 0, "max-runs", "N",
	  "at most N runs at once; beyond, runs wait in the queue (default: serve.max_runs, "
	  "$CADENCE_MAX_RUNS, else 4)", NULL },
	{ OPT_MAX_QUEUE, 0, "max-queue", "N",
	  "at most N runs wait for a slot; beyond, POST .../runs answers 429 (default: "
	  "serve.max_queue, $CADENCE_MAX_QUEUE, else 64)", NULL },
	{ OPT_MAX_BODY, 0, "max-body", "BYTES",
	  "the largest request body accepted; beyond, 413 (default: serve.max_body, "
	  "$CADENCE_MAX_BODY, else 1048576)", NULL },
	{ OPT_RATE, 0, "rate", "N",
	  "at most N requests a second per token (per address with no token); beyond, 429; "
	  "0: no limit (default: serve.rate, $CADENCE_RATE, else 0)", NULL },
	{ OPT_BURST, 0, "burst", "N",
	  "requests a token may make at once before --rate applies (default: serve.burst, "
	  "$CADENCE_BURST, else the rate)", NULL },
	{ OPT_CLIENT_TIMEOUT, 0, "client-timeout", "DURATION",
	  "a connection silent this long (slow headers, a body that stops, idle) is closed "
	  "(default: serve.client_timeout, $CADENCE_CLIENT_TIMEOUT, else 30s)", NULL },
	{ OPT_THREADS, 0, "threads", "N", "threads that answer requests (default 4)", NULL },
	{ OPT_TLS_CERT, 0, "tls-cert", "FILE",
	  "speak HTTPS with this certificate chain (PEM), with --tls-key (default: "
	  "serve.tls_cert, $CADENCE_TLS_CERT)", NULL },
	{ OPT_TLS_KEY, 0, "tls-key", "FILE",
	  "the certificate's private key (PEM, no passphrase) (default: serve.tls_key, "
	  "$CADENCE_TLS_KEY)", NULL },
	{ OPT_SCHEDULES, 0, "schedules", NULL,
	  "fire the project's schedules: at start and at each fire time, a scheduled run "
	  "of the cadence, as cron would start it (default: serve.schedules, "
	  "$CADENCE_SCHEDULES, else off)", NULL },
	{ OPT_STATE_DIR, 0, "state-dir", "DIR",
	  "the state directory: the run registry, and serve/runs/ for the runs' files "
	  "(default: the project's state_dir, $CADENCE_STATE_DIR, else "
	  "$XDG_STATE_HOME/cadence, else ~/.local/state/cadence)", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct serve_opts_t {
	const char *listen, *ready_file, *state_dir, *token_file, *grace;
	long threads;
	/* flags that have a setting of the project configuration too */
	const char *value[CLI_SET_COUNT];
} serve_opts_t;

static int number(const char *opt, const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < lo || n > hi)
		return cli_usage_error("--%s takes a number from %ld to %ld, not '%s'", opt, lo, hi, v);
	*out = n;
	return 0;
}

static int on_opt(void *p, int id, const char *value)
{
	serve_opts_t *o = p;
	switch (id) {
	case OPT_LISTEN: o->listen = value; break;
	case OPT_READY_FILE: o->ready_file = value; break;
	case OPT_STATE_DIR: o->state_dir = value; break;
	case OPT_TOKEN_FILE: o->token_file = value; break;
	case OPT_GRACE: o->grace = value; break;
	case OPT_MAX_RUNS: o->value[CLI_SET_SERVE_MAX_RUNS] = value; break;
	case OPT_MAX_QUEUE: o->value[CLI_SET_SERVE_MAX_QUEUE] = value; break;
	case OPT_MAX_BODY: o->value[CLI_SET_SERVE_MAX_BODY] = value; break;
	case OPT_RATE: o->value[CLI_SET_SERVE_RATE] = value; break;
	case OPT_BURST: o->value[CLI_SET_SERVE_BURST] = value; break;
	case OPT_CLIENT_TIMEOUT: o->value[CLI_SET_SERVE_CLIENT_TIMEOUT] = value; break;
	case OPT_TLS_CERT: o->value[CLI_SET_SERVE_TLS_CERT] = value; break;
	case OPT_TLS_KEY: o->value[CLI_SET_SERVE_TLS_KEY] = value; break;
	case OPT_THREADS: return number("threads", value, 1, 256, &o->threads);
	case OPT_SCHEDULES: o->value[CLI_SET_SERVE_SCHEDULES] = "true"; break;
	}
	return 0;
}

/* The bounds of the numeric settings, and the flag of each. */
static const struct {
	cli_setting set;
	const char *flag;
	long lo, hi;
} bounds[] = {
	{ CLI_SET_SERVE_MAX_RUNS, "max-runs", 1, 1024 },
	{ CLI_SET_SERVE_MAX_QUEUE, "max-queue", 0, 100000 },
	{ CLI_SET_SERVE_MAX_BODY, "max-body", 2, 1L << 30 },
	{ CLI_SET_SERVE_RATE, "rate", 0, 1000000 },
	{ CLI_SET_SERVE_BURST, "burst", 0, 1000000 },
};

/* A numeric setting, checked against its bounds; the message names where
 * the value came from (the flag, the variable or the file's key). */
static int bounded(const cli_config *cfg, size_t i, long *out)
{
	const char *v = cli_config_get(cfg, bounds[i].set);
	cli_config_origin o = cli_config_origin_of(cfg, bounds[i].set);
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!errno && !*end && end != v && n >= bounds[i].lo && n <= bounds[i].hi) {
		*out = n;
		return 0;
	}
	if (o == CLI_CONFIG_FLAG)
		return cli_usage_error("--%s takes a number from %ld to %ld, not '%s'",
				       bounds[i].flag, bounds[i].lo, bounds[i].hi, v);
	return cli_usage_error("%s%s%s takes a number from %ld to %ld, not '%s' (--%s overrides "
			       "it)", o == CLI_CONFIG_ENV ? "" : cli_config_key(bounds[i].set),
			       o == CLI_CONFIG_ENV ? cli_config_env_name(bounds[i].set) : "",
			       o == CLI_CONFIG_ENV ? "" : " (the project file)", bounds[i].lo,
			       bounds[i].hi, v, bounds[i].flag);
}

/* ---- the address -------------------------------------------------------------- */

typedef struct listen_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	int ipv6;
} listen_addr;

/* ADDR:PORT (checked by the configuration) to a socket address. */
static int resolve(const char *v, listen_addr *a)
{
	const char *colon = strrchr(v, ':');
	char *host = strndup(v, (size_t)(colon - v));
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (!host)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	char *h = host;
	if (*h == '[') {
		h++;
		h[strlen(h) - 1] = '\0';
	}
	int e = getaddrinfo(h, colon + 1, &hints, &res);
	int rc = 0;
	if (e)
		rc = cli_usage_error("cannot listen on '%s': %s", v, gai_strerror(e));
	else {
		memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
		a->len = res->ai_addrlen;
		a->ipv6 = res->ai_family == AF_INET6;
		freeaddrinfo(res);
	}
	free(host);
	return rc;
}

static int is_loopback(const listen_addr *a)
{
	if (!a->ipv6)
		return (ntohl(((const struct sockaddr_in *)&a->sa)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&a->sa)->sin6_addr);
}

/* "127.0.0.1:43127", "[::1]:8080" of the bound socket. */
static void bound_text(int fd, char *buf, size_t size)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char host[INET6_ADDRSTRLEN];
	if (getsockname(fd, (struct sockaddr *)&sa, &len)) {
		snprintf(buf, size, "?");
		return;
	}
	if (sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(s4->sin_port));
	}
}

/* FILE.tmp written, then renamed: a reader sees the whole line or none. */
static int write_ready(const char *path, const char *text)
{
	strbuf tmp = STRBUF_INIT;
	cad_strbuf_addf(&tmp, "%s.tmp", path);
	FILE *f = tmp.failed ? NULL : fopen(cad_strbuf_cstr(&tmp), "we");
	int bad = !f || fprintf(f, "%s\n", text) < 0;
	if (f && fclose(f))
		bad = 1;
	if (!bad && rename(cad_strbuf_cstr(&tmp), path))
		bad = 1;
	if (bad) {
		cli_error(CLI_EXIT_INTERNAL, "cannot write the ready file '%s': %s", path,
			  strerror(errno));
		if (!tmp.failed)
			unlink(cad_strbuf_cstr(&tmp));
	}
	cad_strbuf_free(&tmp);
	return bad ? CLI_EXIT_INTERNAL : 0;
}

/* ---- settings ---------------------------------------------------------------- */

typedef struct settings {
	cli_config *cfg;
	listen_addr addr;
	const char *listen;
	int64_t grace_ms, client_timeout_ms;
	long max_runs, max_queue, max_body, rate, burst;
	serve_tls tls;
	int schedules;
	int64_t skew;		/* CADENCE_TEST_CLOCK_SKEW */
	char exe[4096];
} settings;

/* The limits (docs/serve.md, "Limits"): flags over the configuration. */
static int load_limits(const serve_opts_t *o, settings *st)
{
	const char *help = NULL;
	int rc = 0;
	for (int i = 0; !rc && i < CLI_SET_COUNT; i++)
		if (o->value[i])
			rc = cli_config_set_flag(st->cfg, (cli_setting)i, o->value[i]);
	long *out[] = { &st->max_runs, &st->max_queue, &st->max_body, &st->rate, &st->burst };
	for (size_t i = 0; !rc && i < sizeof(bounds) / sizeof(bounds[0]); i++)
		rc = bounded(st->cfg, i, out[i]);
	if (rc)
		return rc;
	const char *t = cli_config_get(st->cfg, CLI_SET_SERVE_CLIENT_TIMEOUT);
	if (cad_scalar_duration(t, strlen(t), &st->client_timeout_ms, &help) ||
	    st->client_timeout_ms < 1000 || st->client_timeout_ms > 86400000)
		return cli_usage_error("the client timeout (--client-timeout, serve.client_timeout) "
				       "is a duration from 1s to 24h, not '%s'", t);
	return 0;
}

/* serve.schedules, and the test clock: CADENCE_TEST_CLOCK_SKEW=S puts
 * the scheduler's clock S seconds ahead (passed to its runs as --now), so
 * that a test sees a fire time come without waiting for it.  For tests
 * only; at most 59 s, as `cadence run --now` refuses a time further ahead. */
static int schedules_settings(settings *st)
{
	st->schedules = !strcmp(cli_config_get(st->cfg, CLI_SET_SERVE_SCHEDULES), "true");
	const char *skew = getenv("CADENCE_TEST_CLOCK_SKEW");
	long n = 0;
	if (st->schedules && skew && *skew) {
		int rc = number("CADENCE_TEST_CLOCK_SKEW", skew, -86400, 59, &n);
		if (rc)
			return rc;
	}
	st->skew = n;
	return 0;
}

static int load_settings(const serve_opts_t *o, settings *st, serve_ctx *s)
{
	const char *help = NULL;
	int rc = cli_config_load(NULL, &st->cfg);
	if (!rc && o->listen)
		rc = cli_config_set_flag(st->cfg, CLI_SET_SERVE_LISTEN, o->listen);
	if (!rc && o->grace)
		rc = cli_config_set_flag(st->cfg, CLI_SET_SERVE_GRACE, o->grace);
	if (!rc && o->token_file)
		rc = cli_config_set_flag(st->cfg, CLI_SET_SERVE_TOKEN_FILE, o->token_file);
	if (!rc && o->state_dir)
		rc = cli_config_set_flag(st->cfg, CLI_SET_STATE_DIR, o->state_dir);
	if (!rc)
		rc = load_limits(o, st);
	if (!rc)
		rc = schedules_settings(st);
	if (rc)
		return rc;
	st->listen = cli_config_get(st->cfg, CLI_SET_SERVE_LISTEN);
	const char *grace = cli_config_get(st->cfg, CLI_SET_SERVE_GRACE);
	if (cad_scalar_duration(grace, strlen(grace), &st->grace_ms, &help))
		return cli_usage_error("serve.grace: '%s' is not a duration (%s)", grace,
				       help ? help : "e.g. 30s");
	if ((rc = resolve(st->listen, &st->addr)))
		return rc;
	char *why = NULL;
	if (serve_tls_load(&st->tls, cli_config_get(st->cfg, CLI_SET_SERVE_TLS_CERT),
			   cli_config_get(st->cfg, CLI_SET_SERVE_TLS_KEY), &why)) {
		rc = cli_usage_error("%s", why ? why : "out of memory");
		free(why);
		return rc;
	}
	s->state_dir = cli_config_state_dir(st->cfg);
	if (!s->state_dir)
		return cli_usage_error("no state directory: give --state-dir DIR or set "
				       "$CADENCE_STATE_DIR (HOME is not set either)");
	if ((rc = serve_auth_load(&s->auth, cli_config_get(st->cfg, CLI_SET_SERVE_TOKEN_FILE),
				  getenv("CADENCE_TOKEN"))))
		return rc;
	s->open = s->auth.n == 0;
	if ((rc = serve_hooks_load(&s->hooks, st->cfg)))
		return rc;
	if (s->open && !is_loopback(&st->addr))
		return cli_usage_error("refusing to listen on %s without a token: anyone who can "
				       "reach it could start runs; configure tokens (--token-file, "
				       "serve.token_file, $CADENCE_TOKEN: " CADENCE_DOCDIR "/serve.md) or listen on "
				       "a loopback address (127.0.0.1, [::1])", st->listen);
	ssize_t n = readlink("/proc/self/exe", st->exe, sizeof(st->exe) - 1);
	if (n <= 0)
		return cli_error(CLI_EXIT_INTERNAL, "cannot find this program's file "
				 "(/proc/self/exe): %s", strerror(errno));
	st->exe[n] = '\0';
	return 0;
}

/* ---- running ------------------------------------------------------------------ */

/* What the main thread does between signals: slow clients dropped, event
 * streams resumed. */
static void tick(serve_ctx *s)
{
	serve_conns_sweep(&s->conns);
	serve_streams_tick(&s->streams);
}

/* Waits up to ms for a signal of set; 1 when one came. */
static int wait_signal(serve_ctx *s, const sigset_t *set, int64_t ms)
{
	tick(s);
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	int sig;
	do
		sig = sigtimedwait(set, NULL, &ts);
	while (sig < 0 && errno == EINTR);
	return sig > 0;
}

/* Grace: the runs may end by themselves; then they are stopped (SIGTERM:
 * notes stopped, the checkpoint kept), then stopped at once (a second
 * SIGTERM).  Returns 0, or 130 when a second signal came. */
static int drain(serve_ctx *s, const sigset_t *set, int64_t grace_ms)
{
	size_t left = serve_runs_running(&s->runs, NULL);
	if (left)
		fprintf(stderr, "cadence: serve: stopping: %zu run%s running, waiting up to %lld ms\n",
			left, left == 1 ? "" : "s", (long long)grace_ms);
	for (int64_t waited = 0; waited < grace_ms && serve_runs_drain(&s->runs, 0); waited += 100)
		if (wait_signal(s, set, 100))
			goto at_once;
	if (!serve_runs_drain(&s->runs, 0))
		return 0;
	fprintf(stderr, "cadence: serve: the grace period is over: stopping the runs\n");
	serve_runs_signal(&s->runs, SIGTERM);
	/* a run's notes get --kill-grace (2 s) before SIGKILL; a little more */
	for (int waited = 0; waited < 10000 && serve_runs_drain(&s->runs, 0); waited += 100)
		if (wait_signal(s, set, 100))
			goto at_once;
	if (!serve_runs_drain(&s->runs, 0))
		return 0;
at_once:
	fprintf(stderr, "cadence: serve: stopping the runs at once\n");
	/* two signals, apart: two sent together may arrive as one, and a
	 * run stops at once on its second */
	serve_runs_signal(&s->runs, SIGTERM);
	struct timespec apart = { 0, 100 * 1000000 };
	nanosleep(&apart, NULL);
	serve_runs_signal(&s->runs, SIGTERM);
	serve_runs_drain(&s->runs, 2000);
	return CLI_EXIT_INTERRUPTED;
}

static struct MHD_Daemon *start(serve_ctx *s, const settings *st, long threads)
{
	/* suspend/resume: event streams wait without a thread */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG | (st->addr.ipv6 ? MHD_USE_IPv6 : 0) |
			 (st->tls.on ? MHD_USE_TLS : 0);
	/* TLS: the PEM texts (MHD_OPTION_ARRAY with none when off) */
	struct MHD_OptionItem tls[] = {
		{ st->tls.on ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, st->tls.cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, st->tls.key },
		{ MHD_OPTION_END, 0, NULL },
	};
	return MHD_start_daemon(flags, 0, NULL, NULL, serve_api_handler, s,
				MHD_OPTION_ARRAY, tls,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&st->addr.sa,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
				MHD_OPTION_NOTIFY_COMPLETED, serve_api_completed, s,
				MHD_OPTION_NOTIFY_CONNECTION, serve_conns_notify, &s->conns,
				/* a client silent this long (headers sent slowly,
				 * a body that stops, an idle keep-alive) is
				 * dropped: it holds a connection of the bound */
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)((st->client_timeout_ms + 999) / 1000),
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
				/* one client cannot take every connection */
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64,
				MHD_OPTION_END);
}

static int serve(serve_ctx *s, const serve_opts_t *o, settings *st)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);	/* a closed terminal: stop as on SIGTERM */
	/* blocked in every thread, libmicrohttpd's included: sigtimedwait()
	 * here takes them */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* an ignored SIGCHLD (inherited from a service manager or a shell's
	 * trap) makes the kernel reap the runs: waitpid() would never see one
	 * end */
	signal(SIGCHLD, SIG_DFL);
	char *why = NULL;
	s->max_body = (size_t)st->max_body;
	serve_conns_init(&s->conns, st->client_timeout_ms);
	/* a comment line well within the client timeout, so that the stream
	 * stays open and a client gone is found (at a write) */
	serve_streams_init(&s->streams, st->client_timeout_ms / 2 < 15000
			   ? st->client_timeout_ms / 2 : 15000);
	serve_limits_init(&s->limits, (unsigned)st->rate, (unsigned)st->burst);
	if (serve_runs_init(&s->runs, st->exe, s->state_dir, (size_t)st->max_runs,
			    (size_t)st->max_queue, &why)) {
		int rc = cli_error(CLI_EXIT_INTERNAL, "%s", why ? why : "out of memory");
		free(why);
		return rc;
	}
	serve_metrics_start(&s->metrics, s->state_dir);
	/* GET /metrics adds each run's figures when it ends */
	pthread_mutex_lock(&s->runs.lock);
	s->runs.on_end = serve_metrics_on_end;
	s->runs.on_end_arg = &s->metrics;
	pthread_mutex_unlock(&s->runs.lock);
	/* runs an earlier server left running (it was killed) are stopped
	 * before this one answers: the registry then shows them ended */
	serve_past_adopt(s->state_dir, s->runs.runs_dir);
	errno = 0;
	s->runs.hidden_env = s->hooks.hidden;
	s->runs.nhidden_env = s->hooks.nhidden;
	s->tls = st->tls.on;
	struct MHD_Daemon *d = start(s, st, o->threads);
	if (!d && st->tls.on && errno != EADDRINUSE && errno != EACCES)
		return cli_error(CLI_EXIT_USAGE, "cannot start TLS with the certificate '%s' and "
				 "the key '%s': GnuTLS refused them (libmicrohttpd's message above "
				 "says why): is the key the certificate's, are both valid PEM? "
				 "('openssl x509 -noout -pubkey -in CERT' and 'openssl pkey -pubout "
				 "-in KEY' print the same key when they match)",
				 cli_config_get(st->cfg, CLI_SET_SERVE_TLS_CERT),
				 cli_config_get(st->cfg, CLI_SET_SERVE_TLS_KEY));
	if (!d)
		return cli_error(CLI_EXIT_USAGE, "cannot listen on %s: %s (is the port in use? "
				 "--listen ADDR:PORT, port 0 for any free one)", st->listen,
				 strerror(errno));
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	char bound[80];
	bound_text(info ? info->listen_fd : -1, bound, sizeof(bound));
	fprintf(stderr, "cadence: serve: listening on %s://%s/ (%s)\n", st->tls.on ? "https" : "http",
		bound,
		s->open ? "no token: every request allowed, loopback only" : "bearer tokens");
	int rc = o->ready_file ? write_ready(o->ready_file, bound) : 0;
	if (!rc && st->schedules && serve_sched_start(&s->sched, s, st->skew, &why)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "%s", why ? why : "out of memory");
		free(why);
	}
	if (!rc && st->schedules)
		fprintf(stderr, "cadence: serve: firing the project's schedules (--schedules)\n");
	int sig = 0;
	/* between signals, a look at the slow clients 4 times a second */
	struct timespec quarter = { 0, 250 * 1000000 };
	while (!rc && sig <= 0) {
		sig = sigtimedwait(&set, NULL, &quarter);
		if (sig < 0 && errno != EINTR && errno != EAGAIN)
			rc = cli_error(CLI_EXIT_INTERNAL, "sigtimedwait: %s", strerror(errno));
		if (sig < 0)
			tick(s);
	}
	/* the scheduler first: no fire starts a run once stopping */
	serve_sched_stop(&s->sched);
	/* stop accepting: the listening socket closed, requests under way
	 * answered */
	int lfd = MHD_quiesce_daemon(d);
	if (lfd >= 0)
		close(lfd);
	if (!rc)
		rc = drain(s, &set, st->grace_ms);
	/* the event streams end (their runs have): none may be suspended when
	 * the daemon stops */
	serve_streams_close(&s->streams);
	for (int i = 0; i < 20 && serve_streams_open(&s->streams); i++) {
		struct timespec ts = { 0, 50 * 1000000 };
		nanosleep(&ts, NULL);
		serve_streams_tick(&s->streams);
	}
	MHD_stop_daemon(d);
	if (o->ready_file)
		unlink(o->ready_file);
	if (!rc)
		fprintf(stderr, "cadence: serve: stopped\n");
	return rc;
}

/* n random bytes (the dashboard's secret): 0, or -1 with errno. */
static int random_bytes(unsigned char *b, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, b, n);
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)n && fd >= 0)
		errno = EIO;
	return got == (ssize_t)n ? 0 : -1;
}

static int serve_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	serve_opts_t o;
	serve_ctx s;
	settings st;
	cli_args args;
	memset(&o, 0, sizeof(o));
	o.threads = 4;
	memset(&s, 0, sizeof(s));
	memset(&st, 0, sizeof(st));
	int rc = cli_parse(cmd, argc, argv, on_opt, &o, &args);
	if (rc)
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
		cli_args_free(&args);
		return 0;
	}
	if (args.npos)
		rc = cli_usage_error("'cadence serve' takes no arguments, not '%s'", args.pos[0]);
	cli_args_free(&args);
	char why[512];
	if (!rc && serve_mhd_load(why, sizeof(why)))
		rc = cli_error(CLI_EXIT_INTERNAL, "%s", why);
	pthread_mutex_init(&s.project, NULL);
	if (!rc && (serve_metrics_init(&s.metrics) || random_bytes(s.secret, sizeof(s.secret))))
		rc = cli_error(CLI_EXIT_INTERNAL, "cannot start: %s", strerror(errno));
	s.openapi = (const char *)embed_openapi[0].data;
	if (!rc)
		rc = load_settings(&o, &st, &s);
	if (!rc)
		rc = serve(&s, &o, &st);
	serve_runs_free(&s.runs);
	serve_metrics_free(&s.metrics);
	serve_auth_free(&s.auth);
	if (s.limits.lock_ready)
		serve_limits_free(&s.limits);
	serve_conns_free(&s.conns);
	serve_streams_free(&s.streams);
	serve_tls_free(&st.tls);
	serve_hooks_free(&s.hooks);
	cli_config_free(st.cfg);
	pthread_mutex_destroy(&s.project);
	return rc;
}

const cli_cmd cli_cmd_serve = {
	"serve",
	"[OPTIONS]",
	"Serve an HTTP API: list cadences, start runs, show them and their history.",
	"Listens on serve.listen (127.0.0.1:8080 by default; --listen) and answers\n"
	"the REST API of serve.md: GET /cadences, POST /cadences/NAME/runs\n"
	"(the body is the input score; 202 and the run's id), GET /runs/ID,\n"
	"GET /runs/ID/events, POST /runs/ID/cancel, POST /cadences/NAME/pause,\n"
	"resume, disable and enable, GET /history, GET /healthz. JSON in and out;\n"
	"errors are RFC 9457 problem details. GET /metrics: Prometheus totals since\n"
	"the start; GET /: a dashboard in HTML (a login form when tokens are set).\n"
	"\n"
	"--schedules (serve.schedules): serve also fires the project's schedules, at\n"
	"start (catching up what passed) and at each fire time, each by a run\n"
	"'cadence run --scheduled NAME', exactly as cron would start it.\n"
	"\n"
	"Each run is a child process 'cadence run', recorded in the run registry\n"
	"with trigger api. Requests need 'Authorization: Bearer TOKEN', a token of\n"
	"the token file (lines 'TOKEN SCOPE[,SCOPE]'; scopes read < run < admin)\n"
	"or $CADENCE_TOKEN. With no token configured every request is allowed, and\n"
	"serve refuses to listen on anything but a loopback address.\n"
	"\n"
	"SIGTERM, SIGINT or SIGHUP: stop accepting, let the runs finish for the grace\n"
	"period (serve.grace, --grace), then stop them (they keep their checkpoints)\n"
	"and wait up to 10 s: exit 0 once all ended. A second signal, or runs still\n"
	"running after those 10 s: the runs are stopped at once, then killed, and\n"
	"serve exits 130.\n"
	"\n"
	"GET /runs/ID/events with 'Accept: text/event-stream' streams the events as\n"
	"Server-Sent Events while the run lasts.\n"
	"\n"
	"--tls-cert and --tls-key: HTTPS (PEM files; a bad one: exit 2).\n"
	"\n"
	"POST /hooks/NAME: the signed deliveries of the webhook routes of\n"
	"serve.webhooks (GitHub or Standard Webhooks signatures, no token), each a\n"
	"run with trigger webhook; a delivery id seen before starts nothing.\n"
	"\n"
	"--schedules: serve fires the project's schedules itself, as\n"
	"'cadence run --scheduled NAME' from cron would (serve.md).\n"
	"\n"
	"Exit status: 0 stopped by a signal after the runs ended, 2 usage error, a\n"
	"bad configuration (a webhook's cadence or secret missing), no token\n"
	"beyond loopback or a bad TLS certificate or key, 3 internal failure, 130\n"
	"the runs were stopped at once (a second signal, or runs left after the\n"
	"grace).",
	serve_opts,
	serve_cmd,
};
