/* SPDX-License-Identifier: MIT */
/* `cadence serve`: the dashboard (docs/serve.md, "Dashboard").  Pages
 * rendered here, with no script and no external asset; every value goes
 * through serve_html_escape().  Forms post
 * application/x-www-form-urlencoded with a CSRF token; a browser signs in
 * with a token once and holds a cookie that stands for it. */
#define _DEFAULT_SOURCE	/* realpath */

#include "serve.h"

#include "html.h"
#include "record.h"
#include "regcmd.h"

#include <cadence/cadence.h>
#include <cadence/diagram.h>
#include <cjson/cJSON.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/json.h"
#include "util/sha256.h"
#include "util/strbuf.h"

#define SESSION_COOKIE "cadence_session"
/* events shown on a run's page at most (the API has them all) */
#define EVENTS_SHOWN 2000

/* The page's policy: nothing loaded from anywhere but the server's own
 * images, no script at all, forms only to the server, never framed. */
static const char page_csp[] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
			       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f23;background:#f6f8fa}"
	"header{background:#24292f;color:#fff;padding:10px 20px;display:flex;align-items:center;"
	"gap:16px}header a{color:#fff;text-decoration:none;font-weight:600}"
	"main{padding:16px 20px}table{border-collapse:collapse;background:#fff;width:100%}"
	"th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}"
	"th{background:#eaeef2}form{display:inline;margin:0}"
	"button{font:inherit;padding:2px 10px;cursor:pointer}"
	"pre{background:#fff;border:1px solid #d0d7de;padding:8px;overflow:auto;white-space:pre-wrap;"
	"tab-size:2}"
	".ok{color:#1a7f37}.failed,.error,.problems{color:#cf222e}.paused,.disabled,.interrupted,"
	".stopped{color:#9a6700}.running{color:#0969da}.muted{color:#57606a}"
	"h2{font-size:16px;margin:20px 0 8px}.diagram{background:#fff;border:1px solid #d0d7de;"
	"padding:8px;max-width:100%;overflow:auto}.diagram img{max-width:100%}"
	"textarea{font:12px monospace;width:14em;height:1.6em;vertical-align:middle}"
	".msg{background:#fff8c5;border:1px solid #d4a72c;padding:8px}";

/* ---- responses ----------------------------------------------------------- */

static void security_headers(struct MHD_Response *resp, const char *csp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}

/* Sends sb's text (freed) as `type`; `header`, `value`: one more, or NULL. */
static enum MHD_Result send_body(struct MHD_Connection *conn, unsigned status, strbuf *sb,
			    const char *type, const char *csp, const char *header,
			    const char *value)
{
	size_t len = sb->len;
	char *text = sb->failed ? NULL : cad_strbuf_detach(sb);
	cad_strbuf_free(sb);
	if (!text)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text,
								    MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	security_headers(resp, csp);
	if (header)
		MHD_add_response_header(resp, header, value);
	enum MHD_Result rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* The page's head and header; refresh: seconds before the browser loads
 * the page again (a run going on), or 0. */
static void page_head(strbuf *sb, const char *title, int signed_in, int refresh)
{
	cad_strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width\">");
	if (refresh)
		cad_strbuf_addf(sb, "<meta http-equiv=\"refresh\" content=\"%d\">", refresh);
	cad_strbuf_adds(sb, "<title>");
	serve_html_escape(sb, title);
	cad_strbuf_addf(sb, " · cadence</title><style>%s</style></head><body><header>"
			"<a href=\"/\">cadence serve</a>", style);
	if (signed_in)
		cad_strbuf_adds(sb, "<form method=\"post\" action=\"/ui/logout\">"
				"<button type=\"submit\">Sign out</button></form>");
	cad_strbuf_adds(sb, "</header><main>");
}

static void page_start(strbuf *sb, const char *title, int signed_in)
{
	page_head(sb, title, signed_in, 0);
}

static enum MHD_Result send_page(struct MHD_Connection *conn, unsigned status, strbuf *sb)
{
	cad_strbuf_adds(sb, "</main></body></html>\n");
	return send_body(conn, status, sb, "text/html; charset=utf-8", page_csp, NULL, NULL);
}

enum MHD_Result serve_ui_error(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
{
	strbuf msg = STRBUF_INIT, sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	char title[32];
	snprintf(title, sizeof(title), "Error %u", status);
	page_start(&sb, title, 0);
	cad_strbuf_addf(&sb, "<h1>%s</h1><p class=\"msg\">", title);
	serve_html_escape(&sb, cad_strbuf_cstr(&msg));
	cad_strbuf_adds(&sb, "</p><p><a href=\"/\">Back to the cadences</a></p>");
	cad_strbuf_free(&msg);
	if (status != 429)
		return send_page(conn, status, &sb);
	/* a full queue: as the API's 429 */
	cad_strbuf_adds(&sb, "</main></body></html>\n");
	return send_body(conn, status, &sb, "text/html; charset=utf-8", page_csp, "Retry-After",
			 "1");
}

static enum MHD_Result redirect(struct MHD_Connection *conn, const char *to, const char *cookie)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL,
								    MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	security_headers(resp, page_csp);
	MHD_add_response_header(resp, "Location", to);
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	enum MHD_Result rc = MHD_queue_response(conn, 303, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* ---- sessions and CSRF ----------------------------------------------------- */

/* What a session cookie holds for the token of digest `digest`: an HMAC
 * under the server's secret, never the token (a cookie that leaks is
 * worth nothing once the server restarts). */
static void session_value(const serve_ctx *s, const char *digest, char out[65])
{
	strbuf m = STRBUF_INIT;
	cad_strbuf_addf(&m, "session:%s", digest);
	serve_hmac_hex(s->secret, sizeof(s->secret), cad_strbuf_cstr(&m), m.len, out);
	cad_strbuf_free(&m);
}

serve_scope serve_ui_cookie_scope(serve_ctx *s, struct MHD_Connection *conn)
{
	const char *cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	serve_scope scope = SERVE_SCOPE_NONE;
	char want[65];
	if (!cookie)
		return scope;
	/* every token, each compared in full: no early exit */
	for (size_t i = 0; i < s->auth.n; i++) {
		session_value(s, s->auth.tokens[i].digest, want);
		if (serve_equal(cookie, want) && s->auth.tokens[i].scope > scope)
			scope = s->auth.tokens[i].scope;
	}
	return scope;
}

/* Who is asking, for the CSRF token: the session cookie's value, the
 * bearer token's session value, or "open" (no token configured). */
static void identity(serve_ctx *s, struct MHD_Connection *conn, char out[65])
{
	const char *cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);
	if (s->open) {
		snprintf(out, 65, "open");
	} else if (auth && !strncasecmp(auth, "Bearer ", 7)) {	/* as auth.c reads it */
		char digest[65];
		cad_sha256_hex(auth + 7, strlen(auth + 7), digest);
		session_value(s, digest, out);
	} else {
		snprintf(out, 65, "%.64s", cookie ? cookie : "");
	}
}

static void csrf_token(serve_ctx *s, struct MHD_Connection *conn, char out[65])
{
	char who[65];
	strbuf m = STRBUF_INIT;
	identity(s, conn, who);
	cad_strbuf_addf(&m, "csrf:%s", who);
	serve_hmac_hex(s->secret, sizeof(s->secret), cad_strbuf_cstr(&m), m.len, out);
	cad_strbuf_free(&m);
}

/* A form's hidden CSRF field. */
static void csrf_field(serve_ctx *s, struct MHD_Connection *conn, strbuf *sb)
{
	char tok[65];
	csrf_token(s, conn, tok);
	cad_strbuf_addf(sb, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", tok);
}

/* 0 when the form's csrf field is this session's token; 1 when it is
 * missing or another; -1 when the body is not URL-encoded. */
static int csrf_bad(serve_ctx *s, struct MHD_Connection *conn, const char *body, size_t len)
{
	char want[65], *got = NULL;
	csrf_token(s, conn, want);
	int rc = serve_form_value(body, len, "csrf", &got);
	int bad = rc < 0 ? -1 : rc || !serve_equal(got, want);
	free(got);
	return bad;
}

/* ---- the login form ---------------------------------------------------------- */

enum MHD_Result serve_ui_login_page(serve_ctx *s, struct MHD_Connection *conn, unsigned status,
				    const char *message)
{
	strbuf sb = STRBUF_INIT;
	(void)s;
	page_start(&sb, "Sign in", 0);
	cad_strbuf_adds(&sb, "<h1>Sign in</h1>");
	if (message) {
		cad_strbuf_adds(&sb, "<p class=\"msg\">");
		serve_html_escape(&sb, message);
		cad_strbuf_adds(&sb, "</p>");
	}
	cad_strbuf_adds(&sb, "<p>This server needs a token (docs/serve.md, \"Authentication\"). "
			"Paste one: the browser keeps a cookie that stands for it until the server "
			"restarts or you sign out.</p><form method=\"post\" action=\"/ui/login\">"
			"<input type=\"password\" name=\"token\" autocomplete=\"off\" size=\"48\" "
			"aria-label=\"token\" autofocus> <button type=\"submit\">Sign in</button>"
			"</form>");
	return send_page(conn, status, &sb);
}

enum MHD_Result serve_ui_login(serve_ctx *s, struct MHD_Connection *conn, const char *body,
			       size_t len)
{
	char *token = NULL;
	if (s->open)
		return redirect(conn, "/", NULL);
	int rc = serve_form_value(body, len, "token", &token);
	if (rc || !*token) {
		free(token);
		return serve_ui_login_page(s, conn, 400, rc < 0 ? "the form's body is not "
					   "URL-encoded (a bad %-escape or a NUL byte)" : "the form "
					   "needs a field 'token': paste a token of the server's token "
					   "file or CADENCE_TOKEN");
	}
	strbuf bearer = STRBUF_INIT;
	cad_strbuf_addf(&bearer, "Bearer %s", token);
	serve_scope scope = bearer.failed ? SERVE_SCOPE_NONE
				: serve_auth_check(&s->auth, cad_strbuf_cstr(&bearer));
	cad_strbuf_free(&bearer);
	char digest[65], value[65];
	cad_sha256_hex(token, strlen(token), digest);
	free(token);
	if (!scope)
		return serve_ui_login_page(s, conn, 401, "that token is not one of the server's");
	session_value(s, digest, value);
	char cookie[168];
	snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s",
		 value, s->tls ? "; Secure" : "");
	return redirect(conn, "/", cookie);
}

enum MHD_Result serve_ui_logout(serve_ctx *s, struct MHD_Connection *conn)
{
	(void)s;
	return redirect(conn, s->open ? "/" : "/ui/login", SESSION_COOKIE "=; Path=/; HttpOnly; "
			"SameSite=Strict; Max-Age=0");
}

/* ---- the list ------------------------------------------------------------------ */

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A cell with the text escaped, in class cls when not NULL. */
static void cell(strbuf *sb, const char *text, const char *cls)
{
	cad_strbuf_adds(sb, "<td");
	if (cls) {
		cad_strbuf_adds(sb, " class=\"");
		serve_html_escape(sb, cls);
		cad_strbuf_adds(sb, "\"");
	}
	cad_strbuf_adds(sb, ">");
	serve_html_escape(sb, text ? text : "-");
	cad_strbuf_adds(sb, "</td>");
}

static void action(serve_ctx *s, struct MHD_Connection *conn, strbuf *sb, const char *name,
		   const char *act, const char *label)
{
	cad_strbuf_adds(sb, "<form method=\"post\" action=\"/ui/cadences/");
	serve_html_escape(sb, name);
	cad_strbuf_addf(sb, "/%s\">", act);
	csrf_field(s, conn, sb);
	if (!strcmp(act, "trigger"))
		cad_strbuf_adds(sb, "<textarea name=\"score\" aria-label=\"input score (JSON)\">{}"
				"</textarea> ");
	cad_strbuf_addf(sb, "<button type=\"submit\">%s</button></form> ", label);
}

static void cadence_row(serve_ctx *s, struct MHD_Connection *conn, strbuf *sb, const cJSON *o,
			serve_scope scope)
{
	const char *name = jstr(o, "cadence"), *cron = jstr(o, "schedule");
	const char *tz = jstr(o, "timezone"), *state = jstr(o, "state");
	const cJSON *last = cJSON_GetObjectItemCaseSensitive(o, "last_run");
	const cJSON *running = cJSON_GetObjectItemCaseSensitive(o, "running");
	strbuf sched = STRBUF_INIT;
	if (cron)
		cad_strbuf_addf(&sched, "%s%s%s", cron, tz ? " " : "", tz ? tz : "");
	const char *desc = jstr(o, "description");
	cad_strbuf_adds(sb, "<tr><td");
	cad_strbuf_adds(sb, name ? ">" : " class=\"problems\">");
	serve_html_escape(sb, name ? name : "(does not load)");
	if (desc) {
		cad_strbuf_adds(sb, "<br><span class=\"muted\">");
		serve_html_escape(sb, desc);
		cad_strbuf_adds(sb, "</span>");
	}
	cad_strbuf_adds(sb, "</td>");
	cell(sb, jstr(o, "file"), "muted");
	cell(sb, cron ? cad_strbuf_cstr(&sched) : NULL, NULL);
	cell(sb, state, state && !strncmp(state, "off", 3) ? "disabled" : state);
	cell(sb, jstr(o, "next"), NULL);
	if (cJSON_IsObject(last)) {
		strbuf l = STRBUF_INIT;
		cad_strbuf_addf(&l, "%s (%s)", jstr(last, "start") ? jstr(last, "start") : "?",
				jstr(last, "trigger") ? jstr(last, "trigger") : "?");
		cell(sb, cad_strbuf_cstr(&l), NULL);
		cell(sb, jstr(last, "status"), jstr(last, "status"));
		cad_strbuf_free(&l);
	} else {
		cell(sb, NULL, NULL);
		cell(sb, NULL, NULL);
	}
	char n[32];
	snprintf(n, sizeof(n), "%d", cJSON_IsNumber(running) ? running->valueint : 0);
	cell(sb, n, NULL);
	cad_strbuf_adds(sb, "<td>");
	int paused = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "paused"));
	if (name && cron && scope >= SERVE_SCOPE_ADMIN)
		action(s, conn, sb, name, paused ? "resume" : "pause", paused ? "Resume" : "Pause");
	if (name && scope >= SERVE_SCOPE_RUN)
		action(s, conn, sb, name, "trigger", "Run");
	cad_strbuf_adds(sb, "</td></tr>");
	const char *problem = jstr(o, "problem");
	if (problem) {
		cad_strbuf_adds(sb, "<tr><td colspan=\"9\" class=\"problems\">");
		serve_html_escape(sb, problem);
		cad_strbuf_adds(sb, "</td></tr>");
	}
	cad_strbuf_free(&sched);
}

static void utc(char *buf, size_t size, int64_t ms)
{
	if (ms < 0)
		snprintf(buf, size, "-");
	else
		regcmd_utc(buf, size, ms, 0);
}

/* The last runs this server started, newest first. */
static void recent_runs(serve_ctx *s, strbuf *sb)
{
	enum { SHOWN = 20 };
	serve_runs *rs = &s->runs;
	size_t shown = 0;
	cad_strbuf_adds(sb, "<h2>Runs of this server</h2>");
	pthread_mutex_lock(&rs->lock);
	for (size_t i = rs->n; i > 0 && shown < SHOWN; i--, shown++) {
		const serve_run *r = &rs->runs[i - 1];
		char start[64];
		utc(start, sizeof(start), r->start_ms);
		if (!shown)
			cad_strbuf_adds(sb, "<table><tr><th>Run</th><th>Cadence</th><th>Started</th>"
					"<th>Outcome</th></tr>");
		cad_strbuf_addf(sb, "<tr><td><a href=\"/ui/runs/%s\">%.8s</a></td>", r->id, r->id);
		cell(sb, r->cadence, NULL);
		cell(sb, start, NULL);
		cell(sb, serve_run_outcome(r), serve_run_outcome(r));
		cad_strbuf_adds(sb, "</tr>");
	}
	pthread_mutex_unlock(&rs->lock);
	cad_strbuf_adds(sb, shown ? "</table>" : "<p class=\"muted\">None yet.</p>");
}

enum MHD_Result serve_ui_list(serve_ctx *s, struct MHD_Connection *conn, serve_scope scope)
{
	char *why = NULL;
	cJSON *arr = serve_cadences(s, 1, &why);
	if (!arr) {
		enum MHD_Result rc = serve_ui_error(conn, 500, "cannot list the cadences: %s",
						    why ? why : "out of memory");
		free(why);
		return rc;
	}
	strbuf sb = STRBUF_INIT;
	int signed_in = !s->open && MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
								SESSION_COOKIE);
	page_start(&sb, "Cadences", signed_in);
	cad_strbuf_adds(&sb, "<h1>Cadences</h1><table><tr><th>Cadence</th><th>File</th>"
			"<th>Schedule</th><th>State</th><th>Next run</th><th>Last run</th>"
			"<th>Status</th><th>Running</th><th>Actions</th></tr>");
	const cJSON *o;
	cJSON_ArrayForEach(o, arr)
		cadence_row(s, conn, &sb, o, scope);
	cad_strbuf_adds(&sb, "</table>");
	if (!cJSON_GetArraySize(arr))
		cad_strbuf_adds(&sb, "<p class=\"muted\">The project has no cadence files.</p>");
	cJSON_Delete(arr);
	recent_runs(s, &sb);
	return send_page(conn, 200, &sb);
}

/* ---- a run ------------------------------------------------------------------------ */

/* The event's detail: what a reader wants of it in one cell. */
static void event_detail(strbuf *sb, const cJSON *ev)
{
	static const char *const keys[] = { "status", "duration_ms", "error_type", "message",
					    "line", "reason", "field", "state", NULL };
	int first = 1;
	for (size_t i = 0; keys[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, keys[i]);
		if (!v)
			continue;
		char num[64];
		const char *text = cJSON_IsString(v) ? v->valuestring : NULL;
		if (cJSON_IsNumber(v)) {
			snprintf(num, sizeof(num), "%g", v->valuedouble);
			text = num;
		}
		if (!text)
			continue;
		cad_strbuf_adds(sb, first ? "" : " · ");
		serve_html_escape(sb, keys[i]);
		cad_strbuf_adds(sb, ": ");
		serve_html_escape(sb, text);
		first = 0;
	}
}

static void events_table(serve_ctx *s, strbuf *sb, char *text)
{
	size_t shown = 0;
	cad_strbuf_adds(sb, "<h2>Events</h2>");
	for (char *line = text, *end; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (!end)	/* a line being written: the next view shows it */
			break;
		*end = '\0';
		if (shown == EVENTS_SHOWN) {
			cad_strbuf_addf(sb, "<tr><td colspan=\"5\" class=\"muted\">only the first %d "
					"events are shown: GET /runs/ID/events has them all</td></tr>",
					EVENTS_SHOWN);
			break;
		}
		pthread_mutex_lock(&s->project);	/* cJSON's parser is not thread-safe */
		cJSON *ev = cJSON_Parse(line);
		pthread_mutex_unlock(&s->project);
		if (!ev)
			continue;
		if (!shown++)
			cad_strbuf_adds(sb, "<table><tr><th>Time</th><th>Event</th><th>Where</th>"
					"<th>Note</th><th>Detail</th></tr>");
		const char *name = jstr(ev, "event"), *note = jstr(ev, "note");
		const char *task = jstr(ev, "task"), *measure = jstr(ev, "measure");
		strbuf where = STRBUF_INIT;
		cad_strbuf_adds(&where, jstr(ev, "path") ? jstr(ev, "path") : "");
		if (measure)
			cad_strbuf_addf(&where, " / %s", measure);
		cad_strbuf_adds(sb, "<tr>");
		cell(sb, jstr(ev, "time"), "muted");
		cell(sb, name, name && strstr(name, "failed") ? "failed" : NULL);
		cell(sb, cad_strbuf_cstr(&where), NULL);
		cell(sb, note ? note : task, NULL);
		cad_strbuf_adds(sb, "<td>");
		event_detail(sb, ev);
		cad_strbuf_adds(sb, "</td></tr>");
		cad_strbuf_free(&where);
		cJSON_Delete(ev);
	}
	cad_strbuf_adds(sb, shown ? "</table>" : "<p class=\"muted\">No events yet.</p>");
}

/* The diagram: an <img> of the SVG route when this build renders SVG
 * (an SVG as an image runs no script), else the Mermaid text. */
static void diagram_section(serve_ctx *s, strbuf *sb, const serve_run *r)
{
	cad_strbuf_adds(sb, "<h2>Diagram</h2><div class=\"diagram\">");
	if (cadence_diagram_can_render()) {
		cad_strbuf_addf(sb, "<img src=\"/ui/runs/%s/diagram.svg\" alt=\"diagram of ", r->id);
		serve_html_escape(sb, r->cadence);
		cad_strbuf_adds(sb, "\"></div>");
		return;
	}
	char *text = NULL;
	size_t len = 0;
	cad_strbuf_adds(sb, "<pre>");
	if (!serve_ui_draw(s, r->file, CADENCE_DIAGRAM_MERMAID, &text, &len))
		serve_html_escape_n(sb, text, len);
	else	/* too large for Mermaid, or the file changed: said in the log */
		cad_strbuf_adds(sb, "(cannot draw it: see the server's log)");
	cad_strbuf_adds(sb, "</pre></div>");
	free(text);
}

enum MHD_Result serve_ui_run(serve_ctx *s, struct MHD_Connection *conn, const char *id)
{
	serve_run r;
	if (serve_runs_get(&s->runs, id, &r))
		return serve_ui_error(conn, 404, "no run '%s' started by this server (the history "
				      "of every run: GET /history)", id);
	strbuf sb = STRBUF_INIT;
	char start[64], end[64], code[32];
	utc(start, sizeof(start), r.start_ms);
	utc(end, sizeof(end), r.end_ms);
	snprintf(code, sizeof(code), "%d", r.exit_code);
	int signed_in = !s->open && MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
								SESSION_COOKIE);
	/* no script: a run going on is shown again every 2 s by the browser */
	page_head(&sb, r.cadence, signed_in, r.end_ms < 0 ? 2 : 0);
	cad_strbuf_adds(&sb, "<h1>Run of ");
	serve_html_escape(&sb, r.cadence);
	cad_strbuf_adds(&sb, "</h1><table><tr><th>Run</th><th>File</th><th>Started</th>"
			"<th>Ended</th><th>Outcome</th><th>Exit status</th></tr><tr>");
	cell(&sb, r.id, NULL);
	cell(&sb, r.file, "muted");
	cell(&sb, start, NULL);
	cell(&sb, end, NULL);
	cell(&sb, serve_run_outcome(&r), serve_run_outcome(&r));
	cell(&sb, r.exit_code >= 0 ? code : NULL, NULL);
	cad_strbuf_adds(&sb, "</tr></table><h2>Final score</h2>");
	char *score = r.exit_code >= 0 ? serve_read_file(r.dir, "score.out", NULL) : NULL;
	if (score && *score) {
		/* indented for reading; as written when it is no JSON */
		pthread_mutex_lock(&s->project);
		cJSON *v = cJSON_Parse(score);
		pthread_mutex_unlock(&s->project);
		char *pretty = v ? cad_json_print(v, 1) : NULL;
		cJSON_Delete(v);
		cad_strbuf_adds(&sb, "<pre>");
		serve_html_escape(&sb, pretty ? pretty : score);
		cad_strbuf_adds(&sb, "</pre>");
		free(pretty);
	} else {
		cad_strbuf_adds(&sb, r.end_ms < 0 ? "<p class=\"muted\">The run goes on: the page "
				"reloads itself.</p>" : "<p class=\"muted\">None: the run ended without "
				"one.</p>");
	}
	free(score);
	diagram_section(s, &sb, &r);
	char *events = serve_read_file(r.dir, "events.jsonl", NULL);
	events_table(s, &sb, events);
	free(events);
	serve_run_clear(&r);
	return send_page(conn, 200, &sb);
}

int serve_ui_draw(serve_ctx *s, const char *file, int format, char **out, size_t *len)
{
	cadence_project *project = NULL;
	cadence_diags *diags = NULL;
	const cadence_def *def = NULL;
	cadence_diagram_opts opts = CADENCE_DIAGRAM_OPTS_INIT;
	/* Graphviz keeps global state: one drawing at a time */
	pthread_mutex_lock(&s->project);
	int rc = cadence_diags_new(&diags);
	if (!rc)
		rc = cadence_project_new(&project, NULL);
	if (!rc)
		rc = cadence_project_load_file(&def, project, file, diags);
	if (!rc)
		rc = cadence_diagram_buffer(out, len, def, project, (cadence_diagram_format)format,
					    &opts, NULL);
	cadence_project_free(project);
	cadence_diags_free(diags);
	pthread_mutex_unlock(&s->project);
	if (rc)
		fprintf(stderr, "cadence: serve: cannot draw '%s': %s\n", file, cadence_strerror(rc));
	return rc;
}

enum MHD_Result serve_ui_diagram(serve_ctx *s, struct MHD_Connection *conn, const char *id)
{
	serve_run r;
	if (serve_runs_get(&s->runs, id, &r))
		return serve_ui_error(conn, 404, "no run '%s' started by this server", id);
	char *svg = NULL;
	size_t len = 0;
	int rc = cadence_diagram_can_render() ? serve_ui_draw(s, r.file, CADENCE_DIAGRAM_SVG,
							      &svg, &len) : -1;
	serve_run_clear(&r);
	if (rc)
		return serve_ui_error(conn, cadence_diagram_can_render() ? 500 : 404,
				      cadence_diagram_can_render() ? "cannot draw the cadence (see "
				      "the server's log)" : "this build of cadence draws no SVG "
				      "(built without Graphviz)");
	strbuf sb = STRBUF_INIT;
	cad_strbuf_add(&sb, svg, len);
	free(svg);
	/* an image of its own: not even a style of the page applies */
	return send_body(conn, 200, &sb, "image/svg+xml", "default-src 'none'; style-src 'unsafe-inline'; "
		    "frame-ancestors 'none'", NULL, NULL);
}

/* ---- the forms ---------------------------------------------------------------------- */

static enum MHD_Result toggle(serve_ctx *s, struct MHD_Connection *conn, const char *name,
			      int pause)
{
	regcmd_cadence *all = NULL;
	size_t n = 0;
	reg *r = NULL;
	char *why = NULL;
	pthread_mutex_lock(&s->project);
	int broken = regcmd_cadences(NULL, &all, &n) != 0;
	regcmd_cadence *c = broken ? NULL : regcmd_find(all, n, name, 1);
	int scheduled = c && c->schedule;
	int bad = scheduled && (reg_open(s->state_dir, &r, &why) || reg_set_paused(r, name, pause));
	if (bad && !why && r)
		why = strdup(reg_error(r));
	reg_close(r);
	regcmd_cadences_free(all, n);
	pthread_mutex_unlock(&s->project);
	if (broken || bad) {
		enum MHD_Result rc = serve_ui_error(conn, 500, "%s", why ? why : "the project's "
						    "cadences cannot be read (see the server's log)");
		free(why);
		return rc;
	}
	if (!c)
		return serve_ui_error(conn, 404, "no cadence named '%s' in the project", name);
	if (!scheduled)
		return serve_ui_error(conn, 409, "cadence '%s' has no usable schedule: nothing to "
				      "%s", name, pause ? "pause" : "resume");
	return redirect(conn, "/", NULL);
}

static enum MHD_Result trigger(serve_ctx *s, struct MHD_Connection *conn, const char *name,
			       const char *body, size_t blen)
{
	char *score = NULL;
	int got = serve_form_value(body, blen, "score", &score);
	if (got < 0)
		return serve_ui_error(conn, 400, "the form's fields are not URL-encoded");
	const char *text = score && *score ? score : "{}";
	pthread_mutex_lock(&s->project);
	cJSON *v = cJSON_Parse(text);
	pthread_mutex_unlock(&s->project);
	int object = cJSON_IsObject(v);
	cJSON_Delete(v);
	if (!object) {
		free(score);
		return serve_ui_error(conn, 400, "the input score is a JSON object (e.g. "
				      "{\"n\": 1}), not what was typed");
	}
	regcmd_cadence *all = NULL;
	size_t n = 0;
	char *file = NULL;
	pthread_mutex_lock(&s->project);
	if (!regcmd_cadences(NULL, &all, &n)) {
		regcmd_cadence *c = regcmd_find(all, n, name, 1);
		file = c ? realpath(c->path, NULL) : NULL;
	}
	regcmd_cadences_free(all, n);
	pthread_mutex_unlock(&s->project);
	if (!file) {
		free(score);
		return serve_ui_error(conn, 404, "no cadence named '%s' in the project", name);
	}
	char id[33], *why = NULL;
	int rc = serve_runs_start(&s->runs, name, file, text, strlen(text), id, &why);
	free(file);
	free(score);
	if (rc == 2)
		return serve_ui_error(conn, 503, "the server is stopping: it starts no more runs");
	if (rc == 1)
		return serve_ui_error(conn, 429, "%zu runs are running and %zu wait, the most "
				      "'cadence serve --max-runs' and '--max-queue' allow; try again "
				      "later", s->runs.max_running, s->runs.max_queue);
	if (rc && rc != 3) {	/* 3: queued, it starts when a run ends */
		enum MHD_Result r = serve_ui_error(conn, 500, "%s", why ? why : "out of memory");
		free(why);
		return r;
	}
	char loc[48];
	snprintf(loc, sizeof(loc), "/ui/runs/%s", id);
	return redirect(conn, loc, NULL);
}

enum MHD_Result serve_ui_action(serve_ctx *s, struct MHD_Connection *conn, const char *name,
				const char *act, const char *body, size_t len)
{
	int bad = csrf_bad(s, conn, body, len);
	if (bad < 0)
		return serve_ui_error(conn, 400, "the form's body is not URL-encoded (a bad %%-escape "
				      "or a NUL byte): send the dashboard's form as the browser does");
	if (bad)
		return serve_ui_error(conn, 403, "the form's CSRF token is missing or wrong: reload "
				      "the page and submit it again");
	if (!strcmp(act, "trigger"))
		return trigger(s, conn, name, body, len);
	return toggle(s, conn, name, !strcmp(act, "pause"));
}
