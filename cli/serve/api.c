/* SPDX-License-Identifier: MIT */
/* `cadence serve`: the HTTP routes (docs/serve.md, "API").  JSON in and
 * out; errors as RFC 9457 problem details (application/problem+json). */
#define _DEFAULT_SOURCE	/* realpath */

#include "serve.h"

#include "cli.h"
#include "record.h"
#include "regcmd.h"

#include <cjson/cJSON.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "model/model.h"	/* a cadence's description */
#include "util/json.h"
#include "util/sha256.h"
#include "util/strbuf.h"

/* One request: its body as it comes. */
typedef struct req {
	strbuf body;
	int answered;		/* refused on its headers: the body is not read */
	int kind;		/* its route_kind (GET /metrics counts by route) */
	int method_post;	/* /ui/login: POST signs in, GET shows the form */
	serve_scope scope;	/* the token's or the session cookie's */
} req;

/* ---- responses -------------------------------------------------------------- */

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, char *text,
				 const char *type)
{
	if (!text)
		return MHD_NO;	/* out of memory: libmicrohttpd closes the connection */
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text,
								    MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, cJSON *o)
{
	char *text = o ? cad_json_print(o, 0) : NULL;
	cJSON_Delete(o);
	return send_text(conn, status, text, "application/json");
}

static const char *status_title(unsigned status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* A problem (RFC 9457) with type about:blank: the title is the status's
 * phrase, the detail says what was wrong and how to fix it.  `header`,
 * `value`: one more header (Allow, Retry-After, WWW-Authenticate) or NULL. */
static enum MHD_Result problem(struct MHD_Connection *conn, unsigned status, const char *header,
			       const char *value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static enum MHD_Result problem(struct MHD_Connection *conn, unsigned status, const char *header,
			       const char *value, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "about:blank");
	cJSON_AddStringToObject(o, "title", status_title(status));
	cJSON_AddNumberToObject(o, "status", status);
	cad_json_add_text(o, "detail", cad_strbuf_cstr(&sb));
	cad_strbuf_free(&sb);
	char *text = cad_json_print(o, 0);
	cJSON_Delete(o);
	if (!text)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text,
								    MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/problem+json");
	if (header)
		MHD_add_response_header(resp, header, value);
	enum MHD_Result rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void add_text(cJSON *o, const char *key, const char *s)
{
	/* text from files, notes and users, which may not be UTF-8 */
	if (s)
		cad_json_add_text(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_time(cJSON *o, const char *key, int64_t ms)
{
	char buf[64];
	if (ms < 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	regcmd_utc(buf, sizeof(buf), ms, 1);
	cJSON_AddStringToObject(o, key, buf);
}

/* cJSON's parser writes a global (its last error) on every call: one
 * thread at a time, under the lock of the library's other users here. */
static cJSON *parse(serve_ctx *s, const char *text, size_t len)
{
	pthread_mutex_lock(&s->project);
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	pthread_mutex_unlock(&s->project);
	/* one value, then only blanks: '{} x' is no JSON document */
	while (v && end < text + len && strchr(" \t\r\n", *end) && *end)
		end++;
	if (v && end != text + len) {
		cJSON_Delete(v);
		v = NULL;
	}
	return v;
}

/* ---- the project ---------------------------------------------------------------- */

/* regcmd_cadences() said why on stderr, the server's log */
static const char unreadable[] = "the project's cadences cannot be read (see the server's log)";

/* The file of the project's cadence `name` (malloc'd), or NULL; *broken
 * when the project's cadences cannot be read. */
static char *cadence_file(serve_ctx *s, const char *name, int *has_schedule, int *broken)
{
	regcmd_cadence *all = NULL;
	size_t n = 0;
	char *file = NULL;
	pthread_mutex_lock(&s->project);
	*broken = regcmd_cadences(NULL, &all, &n) != 0;
	if (!*broken) {
		regcmd_cadence *c = regcmd_find(all, n, name, 1);
		if (c) {
			/* absolute: what the run records, and what GET shows */
			file = realpath(c->path, NULL);
			if (has_schedule)
				*has_schedule = c->schedule != NULL;
		}
	}
	regcmd_cadences_free(all, n);
	pthread_mutex_unlock(&s->project);
	return file;
}

static enum MHD_Result no_cadence(struct MHD_Connection *conn, const char *name, int broken)
{
	if (broken)
		return problem(conn, 500, NULL, NULL, "%s", unreadable);
	return problem(conn, 404, NULL, NULL, "no cadence named '%s' in the project (GET /cadences "
		       "lists them)", name);
}

cJSON *serve_cadences(serve_ctx *s, int ui, char **why)
{
	regcmd_cadence *all = NULL;
	size_t n = 0;
	reg *r = NULL;
	cJSON *arr = cJSON_CreateArray();
	int64_t now = (int64_t)time(NULL);
	int bad = !arr;
	pthread_mutex_lock(&s->project);
	if (!bad && regcmd_cadences(NULL, &all, &n)) {
		bad = 1;
		*why = strdup(unreadable);
	} else if (!bad && reg_open(s->state_dir, &r, why)) {
		bad = 1;
	}
	for (size_t i = 0; !bad && i < n; i++) {
		cJSON *o = regcmd_list_object(r, &all[i], now);
		const char *desc = all[i].def ? all[i].def->description : NULL;
		char *abs = o && !ui ? realpath(all[i].path, NULL) : NULL;
		if (abs)	/* the file as runs record it: absolute */
			cJSON_ReplaceItemInObjectCaseSensitive(o, "file", cJSON_CreateString(abs));
		free(abs);
		if (o && ui && desc)
			cad_json_add_text(o, "description", desc);
		if (!o)
			bad = 1;
		else
			cJSON_AddItemToArray(arr, o);
	}
	reg_close(r);
	regcmd_cadences_free(all, n);
	pthread_mutex_unlock(&s->project);
	if (bad) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

static enum MHD_Result get_cadences(serve_ctx *s, struct MHD_Connection *conn)
{
	char *why = NULL;
	cJSON *arr = serve_cadences(s, 0, &why);
	if (!arr) {
		enum MHD_Result rc = problem(conn, 500, NULL, NULL, "cannot list the cadences: %s",
					     why ? why : "see the server's log (stderr)");
		free(why);
		return rc;
	}
	return send_json(conn, 200, arr);
}

static enum MHD_Result post_run(serve_ctx *s, struct MHD_Connection *conn, const char *name,
				req *q)
{
	const char *body = q->body.len ? cad_strbuf_cstr(&q->body) : "{}";
	size_t len = q->body.len ? q->body.len : 2;
	cJSON *score = parse(s, body, len);
	int object = cJSON_IsObject(score), parsed = score != NULL;
	cJSON_Delete(score);
	if (!object)
		return problem(conn, 400, NULL, NULL, "the body is the run's input score: a JSON "
			       "object (e.g. {\"n\": 1}), not %s", parsed ? "another JSON value"
			       : "valid JSON");
	int broken;
	char *file = cadence_file(s, name, NULL, &broken);
	if (!file)
		return no_cadence(conn, name, broken);
	char id[33], *why = NULL;
	int rc = serve_runs_start(&s->runs, name, file, body, len, id, &why);
	free(file);
	if (rc == 2)
		return problem(conn, 503, NULL, NULL, "the server is stopping (SIGTERM): it starts "
			       "no more runs");
	if (rc == 1)
		return problem(conn, 429, "Retry-After", "1", "%zu runs are running and %zu wait, "
			       "the most 'cadence serve --max-runs' and '--max-queue' allow; try "
			       "again later", s->runs.max_running, s->runs.max_queue);
	if (rc && rc != 3) {
		enum MHD_Result r = problem(conn, 500, NULL, NULL, "%s", why ? why : "out of memory");
		free(why);
		return r;
	}
	char loc[48];
	snprintf(loc, sizeof(loc), "/runs/%s", id);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cad_json_add_text(o, "cadence", name);
	cJSON_AddStringToObject(o, "status", rc == 3 ? "queued" : "running");
	cJSON_AddStringToObject(o, "location", loc);
	char *text = o ? cad_json_print(o, 0) : NULL;
	cJSON_Delete(o);
	if (!text)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text,
								    MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Location", loc);
	enum MHD_Result res = MHD_queue_response(conn, 202, resp);
	MHD_destroy_response(resp);
	return res;
}

static const char *const toggles[] = { "pause", "resume", "disable", "enable", NULL };

static enum MHD_Result post_toggle(serve_ctx *s, struct MHD_Connection *conn, const char *name,
				   regcmd_toggle_op op)
{
	int has_schedule = 0, broken;
	char *file = cadence_file(s, name, &has_schedule, &broken);
	reg *r = NULL;
	char *why = NULL;
	reg_schedule_state st;
	if (!file)
		return no_cadence(conn, name, broken);
	free(file);
	if (!has_schedule)
		return problem(conn, 409, NULL, NULL, "cadence '%s' has no usable schedule: nothing "
			       "to %s (docs/format.md, \"schedule\")", name, toggles[op]);
	pthread_mutex_lock(&s->project);
	int bad = reg_open(s->state_dir, &r, &why);
	int on = op == REGCMD_PAUSE || op == REGCMD_DISABLE;
	if (!bad)
		bad = op <= REGCMD_RESUME ? reg_set_paused(r, name, on) : reg_set_disabled(r, name, on);
	if (!bad)
		bad = reg_schedule_get(r, name, &st);
	if (bad && !why && r)
		why = strdup(reg_error(r));
	reg_close(r);
	pthread_mutex_unlock(&s->project);
	if (bad) {
		enum MHD_Result rc = problem(conn, 500, NULL, NULL, "%s", why ? why : "out of memory");
		free(why);
		return rc;
	}
	cJSON *o = cJSON_CreateObject();
	cad_json_add_text(o, "cadence", name);
	cJSON_AddBoolToObject(o, "paused", st.paused);
	cJSON_AddBoolToObject(o, "disabled", st.disabled);
	return send_json(conn, 200, o);
}

/* ---- runs ------------------------------------------------------------------------ */

char *serve_read_file(const char *dir, const char *name, size_t *len)
{
	strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	if (name)
		cad_strbuf_addf(&path, "%s/%s", dir, name);
	const char *file = name ? cad_strbuf_cstr(&path) : dir;	/* NULL: out of memory */
	FILE *f = file ? fopen(file, "re") : NULL;
	cad_strbuf_free(&path);
	if (!f)
		return NULL;
	char buf[8192];
	size_t got;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		cad_strbuf_add(&sb, buf, got);
	fclose(f);
	if (len)
		*len = sb.len;
	cad_strbuf_addc(&sb, '\0');
	cad_strbuf_setlen(&sb, sb.len - 1);
	return cad_strbuf_detach(&sb);
}

/* The message of the last {"event":"error"} line of the run's log. */
static char *last_error(serve_ctx *s, const serve_run *r)
{
	char *log = serve_read_file(r->dir, "log.jsonl", NULL), *msg = NULL;
	for (char *line = log; line && *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		cJSON *o = parse(s, line, strlen(line));
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "event");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "message");
		if (cJSON_IsString(ev) && !strcmp(ev->valuestring, "error") && cJSON_IsString(m)) {
			free(msg);
			msg = strdup(m->valuestring);
		}
		cJSON_Delete(o);
		line = end ? end + 1 : NULL;
	}
	free(log);
	return msg;
}

static cJSON *run_object(serve_ctx *s, const serve_run *r)
{
	cJSON *o = cJSON_CreateObject();
	int done = r->exit_code >= 0;
	char events[48];
	snprintf(events, sizeof(events), "/runs/%s/events", r->id);
	cJSON_AddStringToObject(o, "id", r->id);
	add_text(o, "cadence", r->cadence);
	add_text(o, "file", r->file);
	/* a run of an earlier server: as its registry row says */
	int past_running = r->past && r->reg_status && !strcmp(r->reg_status, "running");
	if (r->past)
		done = !past_running;
	add_text(o, "trigger", r->trigger);
	cJSON_AddStringToObject(o, "status", done || r->unstarted ? "finished"
				: r->queued ? "queued" : "running");
	/* killed by a signal: not cadence run's own end (it turns SIGTERM
	 * into exit 130); interrupted when cancelled, else failed.  Never
	 * started: interrupted (cancelled, the server stopped) or error. */
	const char *outcome = r->past ? (past_running ? NULL : r->reg_status ? r->reg_status
					 : "interrupted")
			      : r->unstarted ? r->start_failed ? "error" : "interrupted"
			      : !done ? NULL : !r->signal ? cli_record_status(r->exit_code)
			      : r->cancelled ? "interrupted" : "failed";
	add_text(o, "outcome", outcome);
	if (done && !r->past)	/* (an earlier server's run: not known) */
		cJSON_AddNumberToObject(o, "exit_code", r->exit_code);
	else
		cJSON_AddNullToObject(o, "exit_code");
	cJSON_AddBoolToObject(o, "cancelled", r->cancelled);
	add_time(o, "start", r->start_ms);
	add_time(o, "end", r->end_ms);
	char *err = r->past ? (r->reg_error ? strdup(r->reg_error) : NULL)
		    : done && r->exit_code ? last_error(s, r) : NULL;
	char code[32];
	snprintf(code, sizeof(code), "exit status %d", r->exit_code);
	add_text(o, "error", r->unstarted ? r->unstarted : err ? err
		 : done && r->exit_code && !r->past ? code : NULL);
	free(err);
	char *out = done ? serve_read_file(r->dir, "score.out", NULL) : NULL;
	/* one line a run: a scheduled run may make several, the last wins */
	char *line = out;
	for (char *nl; line && (nl = strchr(line, '\n')) && nl[1]; line = nl + 1)
		;
	cJSON *score = line && *line ? parse(s, line, strlen(line)) : NULL;
	free(out);
	if (score)
		cJSON_AddItemToObject(o, "score", score);
	else
		cJSON_AddNullToObject(o, "score");
	cJSON_AddStringToObject(o, "events", events);
	return o;
}

static enum MHD_Result no_run(struct MHD_Connection *conn, const char *id)
{
	return problem(conn, 404, NULL, NULL, "no run '%s' started by this server or an earlier "
		       "one on this state directory (runs of other processes: GET /history)", id);
}

/* The run `id`: this server's, else an earlier server's (past.c). */
static int find_run(serve_ctx *s, const char *id, serve_run *r)
{
	if (!serve_runs_get(&s->runs, id, r))
		return 0;
	pthread_mutex_lock(&s->project);
	int rc = serve_past_get(s->state_dir, s->runs.runs_dir, id, r);
	pthread_mutex_unlock(&s->project);
	return rc;
}

static enum MHD_Result get_run(serve_ctx *s, struct MHD_Connection *conn, const char *id,
			       int events)
{
	serve_run r;
	if (find_run(s, id, &r))
		return no_run(conn, id);
	enum MHD_Result rc;
	if (!events) {
		rc = send_json(conn, 200, run_object(s, &r));
	} else if (serve_sse_wanted(conn)) {
		rc = serve_sse_respond(&s->streams, &s->runs, conn, &r);
	} else {
		char *text = serve_read_file(r.dir, "events.jsonl", NULL);
		/* running: the line being written is left for the next poll */
		int going = r.end_ms < 0;
		char *last = text && going ? strrchr(text, '\n') : NULL;
		if (text && going)
			*(last ? last + 1 : text) = '\0';
		rc = send_text(conn, 200, text ? text : strdup(""), "application/x-ndjson");
	}
	serve_run_clear(&r);
	return rc;
}

static enum MHD_Result post_cancel(serve_ctx *s, struct MHD_Connection *conn, const char *id)
{
	int rc = serve_runs_cancel(&s->runs, id);
	serve_run r;
	if (rc < 0 && !find_run(s, id, &r)) {
		enum MHD_Result res = problem(conn, 409, NULL, NULL, "run '%s' was started by an "
					      "earlier server: it has ended, or was stopped when "
					      "this one started", id);
		serve_run_clear(&r);
		return res;
	}
	if (rc < 0 || serve_runs_get(&s->runs, id, &r))
		return no_run(conn, id);
	enum MHD_Result res = rc == 1
		? problem(conn, 409, NULL, NULL, "run '%s' has ended already (%s)", id,
			  r.unstarted ? r.unstarted : cli_record_status(r.exit_code))
		: send_json(conn, 202, run_object(s, &r));
	serve_run_clear(&r);
	return res;
}

/* ---- history --------------------------------------------------------------------- */

static cJSON *history_object(const reg_run *x)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)x->id);
	add_text(o, "cadence", x->cadence);
	add_text(o, "file", x->file);
	add_text(o, "trigger", x->trigger);
	add_time(o, "scheduled_for", x->scheduled_for < 0 ? -1 : x->scheduled_for * 1000);
	add_time(o, "start", x->start_ms);
	add_time(o, "end", x->end_ms);
	add_text(o, "status", x->status);
	add_text(o, "error", x->error);
	add_text(o, "score_digest", x->score_digest);
	return o;
}

static enum MHD_Result get_history(serve_ctx *s, struct MHD_Connection *conn)
{
	const char *cadence = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "cadence");
	const char *lim = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
	const char *since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	int64_t since_ms = -1;
	long limit = 50;
	char *end = NULL;
	if (lim) {
		errno = 0;
		limit = strtol(lim, &end, 10);
		if (errno || *end || limit < 1 || limit > 1000)
			return problem(conn, 400, NULL, NULL, "limit is a number of runs from 1 to "
				       "1000, not '%s'", lim);
	}
	if (since && regcmd_parse_since(since, (int64_t)time(NULL) * 1000, &since_ms))
		return problem(conn, 400, NULL, NULL, "since is an RFC 3339 time or a duration "
			       "before now (90s, 2h, 7d), not '%s'", since);
	reg *r = NULL;
	reg_run *runs = NULL;
	size_t n = 0;
	char *why = NULL;
	pthread_mutex_lock(&s->project);
	int bad = reg_open(s->state_dir, &r, &why) ||
		  reg_runs(r, cadence, since_ms, (size_t)limit, &runs, &n);
	if (bad && !why)
		why = strdup(reg_error(r));
	reg_close(r);
	pthread_mutex_unlock(&s->project);
	if (bad) {
		enum MHD_Result rc = problem(conn, 500, NULL, NULL, "%s", why ? why : "out of memory");
		free(why);
		return rc;
	}
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < n; i++)
		cJSON_AddItemToArray(arr, history_object(&runs[i]));
	reg_runs_free(runs, n);
	return send_json(conn, 200, arr);
}

/* ---- routing ----------------------------------------------------------------------- */

/* The route of a path: its scope and the methods it takes. */
typedef enum route_kind {
	R_NONE, R_HEALTH, R_OPENAPI, R_CADENCES, R_TRIGGER, R_TOGGLE, R_RUN, R_EVENTS, R_CANCEL,
	R_HISTORY, R_HOOK, R_METRICS,
	/* the dashboard's, last (ui_route()) */
	R_UI_LIST, R_UI_RUN, R_UI_DIAGRAM, R_UI_TOGGLE, R_UI_TRIGGER, R_UI_LOGIN, R_UI_LOGOUT
} route_kind;

/* Each route's template: the label `route` of GET /metrics' requests. */
static const char *const route_names[] = {
	[R_NONE] = "other", [R_HEALTH] = "/healthz", [R_OPENAPI] = "/openapi.json",
	[R_CADENCES] = "/cadences", [R_TRIGGER] = "/cadences/{name}/runs",
	[R_TOGGLE] = "/cadences/{name}/{action}", [R_RUN] = "/runs/{id}",
	[R_EVENTS] = "/runs/{id}/events", [R_CANCEL] = "/runs/{id}/cancel",
	[R_HISTORY] = "/history", [R_HOOK] = "/hooks/{name}", [R_METRICS] = "/metrics", [R_UI_LIST] = "/",
	[R_UI_RUN] = "/ui/runs/{id}", [R_UI_DIAGRAM] = "/ui/runs/{id}/diagram.svg",
	[R_UI_TOGGLE] = "/ui/cadences/{name}/{action}", [R_UI_TRIGGER] = "/ui/cadences/{name}/trigger",
	[R_UI_LOGIN] = "/ui/login", [R_UI_LOGOUT] = "/ui/logout",
};

/* The dashboard's routes: HTML, and a session cookie counts as a token. */
static int ui_route(route_kind k)
{
	return k >= R_UI_LIST;
}

/* The dashboard's forms: bodies application/x-www-form-urlencoded. */
static int form_route(route_kind k)
{
	return k == R_UI_TOGGLE || k == R_UI_TRIGGER || k == R_UI_LOGIN || k == R_UI_LOGOUT;
}

typedef struct route {
	route_kind kind;
	char *a;		/* NAME or ID */
	int op;			/* R_TOGGLE: regcmd_toggle_op */
} route;

/* Splits "/x/y/z" into at most 4 segments (strings malloc'd). */
static size_t segments(const char *url, char *seg[4])
{
	size_t n = 0;
	const char *p = url;
	while (*p == '/' && n < 4) {
		p++;
		size_t len = strcspn(p, "/");
		if (!len && !p[len])
			break;
		seg[n++] = strndup(p, len);
		p += len;
	}
	if (*p) {	/* more than 4, or an empty segment: no route */
		for (size_t i = 0; i < n; i++)
			free(seg[i]);
		return 0;
	}
	return n;
}

/* The dashboard's routes: /, /ui/... */
static void find_ui_route(const char *url, char *seg[4], size_t n, route *rt)
{
	if (!strcmp(url, "/"))
		rt->kind = R_UI_LIST;
	if (!n || strcmp(seg[0], "ui"))
		return;
	if (n == 2 && !strcmp(seg[1], "login"))
		rt->kind = R_UI_LOGIN;
	else if (n == 2 && !strcmp(seg[1], "logout"))
		rt->kind = R_UI_LOGOUT;
	else if (n == 3 && !strcmp(seg[1], "runs"))
		rt->kind = R_UI_RUN;
	else if (n == 4 && !strcmp(seg[1], "runs") && !strcmp(seg[3], "diagram.svg"))
		rt->kind = R_UI_DIAGRAM;
	else if (n == 4 && !strcmp(seg[1], "cadences") && !strcmp(seg[3], "trigger"))
		rt->kind = R_UI_TRIGGER;
	else if (n == 4 && !strcmp(seg[1], "cadences") &&
		 (!strcmp(seg[3], "pause") || !strcmp(seg[3], "resume")))
		rt->kind = R_UI_TOGGLE;
	if (rt->kind != R_UI_LIST && rt->kind != R_NONE && n > 2) {
		rt->op = n == 4 && !strcmp(seg[3], "pause") ? REGCMD_PAUSE : REGCMD_RESUME;
		rt->a = seg[2];
		seg[2] = NULL;
	}
}

static route find_route(const char *url)
{
	char *seg[4] = { NULL };
	size_t n = segments(url, seg);
	route rt = { R_NONE, NULL, 0 };
	find_ui_route(url, seg, n, &rt);
	if (n == 1 && !strcmp(seg[0], "metrics"))
		rt.kind = R_METRICS;
	else if (n == 1 && !strcmp(seg[0], "healthz"))
		rt.kind = R_HEALTH;
	else if (n == 1 && !strcmp(seg[0], "openapi.json"))
		rt.kind = R_OPENAPI;
	else if (n == 1 && !strcmp(seg[0], "cadences"))
		rt.kind = R_CADENCES;
	else if (n == 1 && !strcmp(seg[0], "history"))
		rt.kind = R_HISTORY;
	else if (n == 3 && !strcmp(seg[0], "cadences") && !strcmp(seg[2], "runs"))
		rt.kind = R_TRIGGER;
	else if (n == 3 && !strcmp(seg[0], "cadences"))
		for (int i = 0; toggles[i]; i++)
			if (!strcmp(seg[2], toggles[i])) {
				rt.kind = R_TOGGLE;
				rt.op = i;
			}
	if (n == 2 && !strcmp(seg[0], "runs"))
		rt.kind = R_RUN;
	else if (n == 2 && !strcmp(seg[0], "hooks"))
		rt.kind = R_HOOK;
	else if (n == 3 && !strcmp(seg[0], "runs") && !strcmp(seg[2], "events"))
		rt.kind = R_EVENTS;
	else if (n == 3 && !strcmp(seg[0], "runs") && !strcmp(seg[2], "cancel"))
		rt.kind = R_CANCEL;
	if (rt.kind != R_NONE && !ui_route(rt.kind) && n > 1) {
		rt.a = seg[1];
		seg[1] = NULL;
	}
	for (size_t i = 0; i < n; i++)
		free(seg[i]);
	return rt;
}

/* The method each route takes, and the scope it needs. */
static const struct {
	const char *method;
	serve_scope scope;
} route_needs[] = {
	[R_NONE] = { NULL, SERVE_SCOPE_ADMIN },
	[R_HEALTH] = { "GET", SERVE_SCOPE_NONE },
	[R_OPENAPI] = { "GET", SERVE_SCOPE_NONE },
	[R_CADENCES] = { "GET", SERVE_SCOPE_READ },
	[R_TRIGGER] = { "POST", SERVE_SCOPE_RUN },
	[R_TOGGLE] = { "POST", SERVE_SCOPE_ADMIN },
	[R_RUN] = { "GET", SERVE_SCOPE_READ },
	[R_EVENTS] = { "GET", SERVE_SCOPE_READ },
	[R_CANCEL] = { "POST", SERVE_SCOPE_RUN },
	[R_HISTORY] = { "GET", SERVE_SCOPE_READ },
	[R_METRICS] = { "GET", SERVE_SCOPE_READ },
	[R_UI_LIST] = { "GET", SERVE_SCOPE_READ },
	[R_UI_RUN] = { "GET", SERVE_SCOPE_READ },
	[R_UI_DIAGRAM] = { "GET", SERVE_SCOPE_READ },
	[R_UI_TOGGLE] = { "POST", SERVE_SCOPE_ADMIN },
	[R_UI_TRIGGER] = { "POST", SERVE_SCOPE_RUN },
	[R_UI_LOGIN] = { "GET, POST", SERVE_SCOPE_NONE },
	[R_UI_LOGOUT] = { "POST", SERVE_SCOPE_NONE },
	[R_HOOK] = { "POST", SERVE_SCOPE_NONE },	/* the signature is the auth (webhook.c) */
};

/* Whether the route takes the method (/ui/login takes two). */
static int method_ok(route_kind k, const char *method)
{
	if (k == R_UI_LOGIN)
		return !strcmp(method, "GET") || !strcmp(method, "POST");
	return !strcmp(method, route_needs[k].method);
}

static enum MHD_Result dispatch(serve_ctx *s, struct MHD_Connection *conn, const route *rt,
				req *q)
{
	switch (rt->kind) {
	case R_HEALTH: {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", serve_runs_stopping(&s->runs) ? "stopping" : "ok");
		cJSON_AddNumberToObject(o, "running", (double)serve_runs_running(&s->runs, NULL));
		return send_json(conn, 200, o);
	}
	case R_OPENAPI:
		if (!s->openapi)
			return problem(conn, 404, NULL, NULL, "this build of cadence has no OpenAPI "
				       "document");
		return send_text(conn, 200, strdup(s->openapi), "application/json");
	case R_CADENCES: return get_cadences(s, conn);
	case R_TRIGGER: return post_run(s, conn, rt->a, q);
	case R_TOGGLE: return post_toggle(s, conn, rt->a, (regcmd_toggle_op)rt->op);
	case R_RUN: return get_run(s, conn, rt->a, 0);
	case R_EVENTS: return get_run(s, conn, rt->a, 1);
	case R_CANCEL: return post_cancel(s, conn, rt->a);
	case R_HISTORY: return get_history(s, conn);
	case R_METRICS:
		return send_text(conn, 200, serve_metrics_scrape(s),
				 "text/plain; version=0.0.4; charset=utf-8");
	case R_UI_LIST: return serve_ui_list(s, conn, q->scope);
	case R_UI_RUN: return serve_ui_run(s, conn, rt->a);
	case R_UI_DIAGRAM: return serve_ui_diagram(s, conn, rt->a);
	case R_UI_TOGGLE:
	case R_UI_TRIGGER:
		return serve_ui_action(s, conn, rt->a, rt->kind == R_UI_TRIGGER ? "trigger"
				       : toggles[rt->op], cad_strbuf_cstr(&q->body), q->body.len);
	case R_UI_LOGIN:
		if (!q->method_post)
			return serve_ui_login_page(s, conn, 200, NULL);
		return serve_ui_login(s, conn, cad_strbuf_cstr(&q->body), q->body.len);
	case R_UI_LOGOUT: return serve_ui_logout(s, conn);
	case R_HOOK: {
		serve_reply r;
		serve_hook_post(s, conn, rt->a, q->body.len ? cad_strbuf_cstr(&q->body) : "",
				q->body.len, &r);
		enum MHD_Result rc = r.body ? send_json(conn, r.status, r.body)
				     : problem(conn, r.status, r.header, r.value, "%s",
					       r.detail ? r.detail : "out of memory");
		r.body = NULL;	/* send_json() deleted it */
		serve_reply_clear(&r);
		return rc;
	}
	case R_NONE: break;
	}
	return MHD_NO;
}

/* Whether the Host header's value (NULL: none, HTTP/1.0) names this
 * machine's loopback: 127.0.0.1, [::1] or localhost, with a port or not. */
static int loopback_host(const char *host)
{
	static const char *const names[] = { "127.0.0.1", "[::1]", "localhost", NULL };
	if (!host)
		return 1;
	for (size_t i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		if (strncasecmp(host, names[i], n))
			continue;
		const char *p = host + n;
		if (!*p)
			return 1;
		if (*p++ != ':' || !*p)
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		if (!*p)
			return 1;
	}
	return 0;
}

/* Whether the Content-Type header's value is application/json (with
 * parameters or not). */
static int json_type(const char *type)
{
	static const char json[] = "application/json";
	if (!type || strncasecmp(type, json, sizeof(json) - 1))
		return 0;
	type += sizeof(json) - 1;
	while (*type == ' ' || *type == '\t')
		type++;
	return !*type || *type == ';';
}

/* Whether the Content-Type header's value is
 * application/x-www-form-urlencoded (a form of the dashboard). */
static int form_type(const char *type)
{
	static const char form[] = "application/x-www-form-urlencoded";
	if (!type || strncasecmp(type, form, sizeof(form) - 1))
		return 0;
	type += sizeof(form) - 1;
	while (*type == ' ' || *type == '\t')
		type++;
	return !*type || *type == ';';
}

/* Whether the Origin header's value is this server's own origin, as the
 * Host header names it: a form of the dashboard, posted from its page. */
static int own_origin(const serve_ctx *s, const char *origin, const char *host)
{
	const char *scheme = s->tls ? "https://" : "http://";
	size_t n = strlen(scheme);
	return origin && host && !strncasecmp(origin, scheme, n) && !strcasecmp(origin + n, host);
}

/* Whether the request has a body: a Content-Length beyond 0, or chunks. */
static int has_body(struct MHD_Connection *conn, unsigned long long *length)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	*length = cl ? strtoull(cl, NULL, 10) : 0;
	return *length > 0 || MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/* With no token, a web page the server's user visits must not reach the
 * server: neither by a cross-site request (it carries an Origin) nor by
 * DNS rebinding (its Host is the attacker's name).  0: allowed. */
static enum MHD_Result refuse_browser(const serve_ctx *s, struct MHD_Connection *conn,
				      route_kind k, int *refused)
{
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	*refused = 1;
	/* the dashboard's own forms carry the page's origin: a loopback one,
	 * since Host is checked below */
	if (origin && !(form_route(k) && own_origin(s, origin, host)))
		return problem(conn, 403, NULL, NULL, "a request with an Origin header (from a web "
			       "page) is refused by a server without tokens; configure tokens "
			       "(docs/serve.md, \"Authentication\")");
	if (!loopback_host(host))
		return problem(conn, 403, NULL, NULL, "Host '%s' is not a loopback name (127.0.0.1, "
			       "[::1], localhost): a server without tokens answers only those; "
			       "configure tokens (docs/serve.md, \"Authentication\")", host);
	*refused = 0;
	return MHD_YES;
}

/* The client a request's rate is counted against: its token's digest,
 * else (no token configured) its address. */
static void client_key(struct MHD_Connection *conn, const char *auth, char key[72])
{
	if (auth) {	/* the token's: "Bearer" in any case, as auth.c reads it */
		if (!strncasecmp(auth, "Bearer ", 7))
			auth += 7;
		auth += strspn(auth, " \t");
		cad_sha256_hex(auth, strlen(auth), key);
		return;
	}
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	snprintf(key, 72, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, key, 72);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, key, 72);
}

/* 429 when the client's bucket is empty (healthz and the document are
 * free: supervisors poll them).  *refused when it was sent. */
static enum MHD_Result rate_limit(serve_ctx *s, struct MHD_Connection *conn, route_kind kind,
				  int *refused)
{
	char key[72], after[16];
	*refused = 0;
	if (!s->limits.rate || route_needs[kind].scope == SERVE_SCOPE_NONE)
		return MHD_YES;
	client_key(conn, s->open ? NULL : MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					  MHD_HTTP_HEADER_AUTHORIZATION), key);
	unsigned wait = serve_limits_take(&s->limits, key);
	if (!wait)
		return MHD_YES;
	*refused = 1;
	snprintf(after, sizeof(after), "%u", wait);
	return problem(conn, 429, "Retry-After", after, "more than %u requests a second (%u at "
		       "once) with this %s, the most 'cadence serve --rate' and '--burst' allow; "
		       "try again in %u s", s->limits.rate, s->limits.burst,
		       s->open ? "address" : "token", wait);
}

/* On the headers, before any body is read: authentication, the route,
 * the method, the scope, the body's type and announced size, in that
 * order (a client without a token learns nothing of the routes, and
 * sends no body the server reads).  *refused when a refusal was queued. */
static enum MHD_Result gate(serve_ctx *s, struct MHD_Connection *conn, const char *url,
			    const char *method, req *q)
{
	route rt = find_route(url);
	serve_scope scope = SERVE_SCOPE_ADMIN;
	unsigned long long length;
	enum MHD_Result rc = MHD_YES;
	int *refused = &q->answered;
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	q->kind = rt.kind;
	q->method_post = !strcmp(method, "POST");
	*refused = 1;
	/* a webhook's signature is its authentication, made with a secret no
	 * web page has: neither the browser checks nor a token apply */
	if (s->open && rt.kind != R_HOOK) {
		rc = refuse_browser(s, conn, rt.kind, refused);
		if (*refused)
			goto out;
		*refused = 1;
	} else if (form_route(rt.kind) && origin && !own_origin(s, origin, host)) {
		/* a form posted from another site's page */
		rc = serve_ui_error(conn, 403, "this form comes from another site (Origin '%s')",
				    origin);
		goto out;
	} else if (route_needs[rt.kind].scope != SERVE_SCOPE_NONE) {
		const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_AUTHORIZATION);
		/* a browser signed in to the dashboard: its cookie, there only */
		scope = auth || !ui_route(rt.kind) ? serve_auth_check(&s->auth, auth)
			: serve_ui_cookie_scope(s, conn);
		if (!scope && ui_route(rt.kind)) {
			rc = serve_ui_login_page(s, conn, 401, auth ? "the bearer token is not one "
						 "of the server's" : NULL);
			goto out;
		}
		if (!scope) {
			rc = problem(conn, 401, "WWW-Authenticate", "Bearer realm=\"cadence\"",
				     auth ? "the bearer token is not one of the server's"
				     : "this server needs 'Authorization: Bearer TOKEN' (docs/serve.md,"
				     " \"Authentication\")");
			goto out;
		}
	}
	rc = rate_limit(s, conn, rt.kind, refused);
	if (*refused)
		goto out;
	*refused = 1;
	if (rt.kind == R_NONE) {
		rc = problem(conn, 404, NULL, NULL, "no such resource: %s (docs/serve.md lists the "
			     "API)", url);
	} else if (!method_ok(rt.kind, method)) {
		rc = problem(conn, 405, "Allow", route_needs[rt.kind].method, "%s takes %s, not %s",
			     url, route_needs[rt.kind].method, method);
	} else if (scope < route_needs[rt.kind].scope) {
		rc = problem(conn, 403, NULL, NULL, "%s %s needs a token of scope '%s' (or wider); "
			     "this one has '%s'", method, url,
			     serve_scope_name(route_needs[rt.kind].scope), serve_scope_name(scope));
	} else if (form_route(rt.kind) && has_body(conn, &length) &&
		   !form_type(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_CONTENT_TYPE))) {
		rc = problem(conn, 415, NULL, NULL, "a form of the dashboard is sent with "
			     "'Content-Type: application/x-www-form-urlencoded'");
	} else if (!form_route(rt.kind) && has_body(conn, &length) &&
		   !json_type(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_CONTENT_TYPE))) {
		rc = problem(conn, 415, NULL, NULL, "a body is JSON: send it with 'Content-Type: "
			     "application/json'");
	} else if (length > s->max_body) {
		rc = problem(conn, 413, NULL, NULL, "the body is larger than %zu bytes, the most "
			     "'cadence serve --max-body' allows", s->max_body);
	} else {
		*refused = 0;
		q->scope = scope;
	}
out:
	free(rt.a);
	return rc;
}

enum MHD_Result serve_api_handler(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	serve_ctx *s = cls;
	req *q = *con_cls;
	(void)version;
	if (!q) {	/* the headers: the body, if any, comes in the next calls */
		q = calloc(1, sizeof(*q));
		*con_cls = q;
		if (!q)
			return MHD_NO;
		return gate(s, conn, url, method, q);
	}
	if (q->answered) {	/* refused on its headers */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* in chunks, beyond the bound: 413 if it can still be sent,
		 * else the connection closed; never read on */
		if (q->body.len + *upload_data_size > s->max_body) {
			q->answered = 1;
			return problem(conn, 413, NULL, NULL, "the body is larger than %zu bytes, the "
				       "most 'cadence serve --max-body' allows", s->max_body);
		}
		cad_strbuf_add(&q->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (q->body.failed)
		return MHD_NO;
	serve_conns_received(&s->conns, conn, 1);
	route rt = find_route(url);
	enum MHD_Result rc = dispatch(s, conn, &rt, q);
	free(rt.a);
	return rc;
}

void serve_api_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	serve_ctx *s = cls;
	req *q = *con_cls;
	(void)toe;
	const union MHD_ConnectionInfo *info = q ? MHD_get_connection_info(conn,
						   MHD_CONNECTION_INFO_HTTP_STATUS) : NULL;
	if (info && info->http_status)
		serve_metrics_http(&s->metrics, route_names[q->kind], info->http_status);
	serve_conns_received(&s->conns, conn, 0);
	if (q) {
		cad_strbuf_free(&q->body);
		free(q);
		*con_cls = NULL;
	}
}
