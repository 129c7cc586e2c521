/* SPDX-License-Identifier: MIT */
/*
 * `cadence serve`: the webhook routes, POST /hooks/NAME (docs/serve.md,
 * "Webhooks").  The routes come from serve.webhooks of the project file
 * (cli/config.c compiled their expressions); their secrets and cadences
 * are checked once, at start.  A delivery is judged in this order, and
 * nothing runs unless it passes all: the signature (401), its delivery id
 * (400), the body as JSON (400), the score's expressions (422), then the
 * delivery id claimed in the registry (a replay answers the first run's
 * id, 200), then the run (202).  serve/hook.c does the signatures and
 * the score.
 */
#define _DEFAULT_SOURCE	/* realpath, strcasecmp */

#include "serve.h"

#include "cli.h"
#include "config.h"
#include "files.h"
#include "regcmd.h"
#include "registry.h"
#include "serve/hook.h"

#include <cjson/cJSON.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/json.h"
#include "util/strbuf.h"

struct serve_hook {
	char *name, *cadence;
	hook_scheme scheme;
	unsigned char *key;	/* the HMAC key */
	size_t klen;
	hook_field *fields;
	cadence_expr **exprs;
	size_t n;
};

/* ---- loading, at start ----------------------------------------------------- */

static void hook_free(serve_hook *h)
{
	for (size_t i = 0; i < h->n; i++)
		cadence_expr_free(h->exprs[i]);
	free(h->exprs);
	free(h->fields);
	if (h->key)
		memset(h->key, 0, h->klen);
	free(h->key);
	free(h->name);
	free(h->cadence);
}

void serve_hooks_free(serve_hooks *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		hook_free(&hs->v[i]);
	free(hs->v);
	for (size_t i = 0; i < hs->nhidden; i++)
		free(hs->hidden[i]);
	free(hs->hidden);
	memset(hs, 0, sizeof(*hs));
}

/* "FILE:LINE:COL: webhook 'NAME': ..." on stderr; CLI_EXIT_USAGE. */
static int at(const cli_config *cfg, unsigned line, unsigned col, const char *hook,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int at(const cli_config *cfg, unsigned line, unsigned col, const char *hook,
	      const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	int rc = cli_usage_error("%s:%u:%u: webhook '%s': %s", cli_config_path(cfg), line, col,
				 hook, cad_strbuf_cstr(&sb) ? cad_strbuf_cstr(&sb) : "out of memory");
	cad_strbuf_free(&sb);
	return rc;
}

/* The secret's text: the file's (one trailing newline dropped) or the
 * variable's; malloc'd in *out.  0, or an exit code after saying why. */
static int read_secret(const cli_config *cfg, const cli_webhook *w, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (w->secret_env) {
		const char *v = getenv(w->secret_env);
		if (!v || !*v)
			return at(cfg, w->secret_line, w->secret_col, w->name, "the variable %s that "
				  "holds the signing secret is %s; set it in serve's environment",
				  w->secret_env, v ? "empty" : "not set");
		*out = strdup(v);
		*len = strlen(v);
		return *out ? 0 : cli_error(CLI_EXIT_INTERNAL, "out of memory");
	}
	FILE *f = fopen(w->secret_file, "rb");
	int bad = !f || files_read_stream(f, 64 * 1024, out, len);
	int e = errno;
	if (f)
		fclose(f);
	if (bad)
		return at(cfg, w->secret_line, w->secret_col, w->name, "cannot read the secret "
			  "file '%s': %s", w->secret_file, strerror(e));
	if (*len && (*out)[*len - 1] == '\n')
		(*out)[--*len] = '\0';
	if (*len && (*out)[*len - 1] == '\r')
		(*out)[--*len] = '\0';
	return 0;
}

/* The variable of the secret is not the runs' to see. */
static int hide(serve_hooks *hs, const char *var)
{
	char **v = realloc(hs->hidden, (hs->nhidden + 1) * sizeof(*v));
	if (!v)
		return -1;
	hs->hidden = v;
	strbuf sb = STRBUF_INIT;
	cad_strbuf_addf(&sb, "%s=", var);
	return (hs->hidden[hs->nhidden] = cad_strbuf_detach(&sb)) ? (hs->nhidden++, 0) : -1;
}

static int load_one(serve_hooks *hs, const cli_config *cfg, const cli_webhook *w,
		    regcmd_cadence *all, size_t nall, serve_hook *h)
{
	char *secret = NULL;
	size_t slen;
	int rc = 0;
	h->name = strdup(w->name);
	h->cadence = strdup(w->cadence);
	h->scheme = hook_scheme_parse(w->signature) == HOOK_STANDARD ? HOOK_STANDARD : HOOK_GITHUB;
	h->fields = calloc(w->nscore ? w->nscore : 1, sizeof(*h->fields));
	h->exprs = calloc(w->nscore ? w->nscore : 1, sizeof(*h->exprs));
	if (!h->name || !h->cadence || !h->fields || !h->exprs)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (!regcmd_find(all, nall, w->cadence, 1))
		rc = at(cfg, w->cadence_line, w->cadence_col, w->name, "no cadence named '%s' in "
			"the project ('cadence list' shows them; a file with problems: 'cadence "
			"validate')", w->cadence);
	int src = read_secret(cfg, w, &secret, &slen);
	if (!src) {
		const char *why = hook_secret_key(h->scheme, secret, slen, &h->key, &h->klen);
		if (why)
			src = at(cfg, w->secret_line, w->secret_col, w->name, "%s (%s)", why,
				 w->secret_env ? w->secret_env : w->secret_file);
	}
	if (secret)
		memset(secret, 0, slen);
	free(secret);
	if (!src && w->secret_env && hide(hs, w->secret_env))
		src = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	rc = rc ? rc : src;
	for (size_t i = 0; i < w->nscore; i++, h->n++) {
		cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
		h->fields[i].name = w->score[i].name;
		/* compiled when the file loaded: only out of memory here */
		if (hook_compile(&h->exprs[i], w->score[i].expr, strlen(w->score[i].expr), &err))
			rc = at(cfg, w->score[i].line, w->score[i].col, w->name, "score field '%s': "
				"%s", w->score[i].name, err.message ? err.message : "out of memory");
		h->fields[i].expr = h->exprs[i];
		cadence_expr_error_clear(&err);
	}
	return rc;
}

int serve_hooks_load(serve_hooks *hs, const cli_config *cfg)
{
	const cli_webhook *ws;
	size_t n = cli_config_webhooks(cfg, &ws);
	regcmd_cadence *all = NULL;
	size_t nall = 0;
	memset(hs, 0, sizeof(*hs));
	if (!n)
		return 0;
	int rc = regcmd_cadences(NULL, &all, &nall);
	if (rc)
		return rc;
	hs->v = calloc(n, sizeof(*hs->v));
	if (!hs->v)
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	/* every route, so that every problem is said at once */
	for (size_t i = 0; hs->v && i < n; i++, hs->n++) {
		int r = load_one(hs, cfg, &ws[i], all, nall, &hs->v[i]);
		rc = rc ? rc : r;
	}
	regcmd_cadences_free(all, nall);
	return rc;
}

/* ---- a delivery ---------------------------------------------------------------- */

static void reply_problem(serve_reply *out, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_problem(serve_reply *out, unsigned status, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	out->status = status;
	out->detail = cad_strbuf_detach(&sb);
}

static serve_hook *find_hook(serve_ctx *s, const char *name)
{
	for (size_t i = 0; i < s->hooks.n; i++)
		if (!strcmp(s->hooks.v[i].name, name))
			return &s->hooks.v[i];
	return NULL;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* Each header into the object, its name lower-cased; a repeated one
 * joined by ", " (RFC 9110, 5.3). */
static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	cJSON *o = cls;
	(void)kind;
	char name[256];
	size_t n = strlen(key);
	if (!value || n >= sizeof(name))
		return MHD_YES;
	for (size_t i = 0; i <= n; i++)
		name[i] = (char)tolower((unsigned char)key[i]);
	cJSON *had = cJSON_GetObjectItemCaseSensitive(o, name);
	if (had && cJSON_IsString(had)) {
		strbuf sb = STRBUF_INIT;
		cad_strbuf_addf(&sb, "%s, %s", had->valuestring, value);
		if (cad_strbuf_cstr(&sb))
			cJSON_ReplaceItemInObjectCaseSensitive(o, name, cJSON_CreateString(sb.buf));
		cad_strbuf_free(&sb);
	} else {
		cad_json_add_text(o, name, value);
	}
	return MHD_YES;
}

/* The signature; the delivery's id into *id.  0, or a reply. */
static int check_signature(const serve_hook *h, struct MHD_Connection *conn, const char *body,
			   size_t len, const char **id, serve_reply *out)
{
	const char *why;
	if (h->scheme == HOOK_GITHUB) {
		why = hook_verify_github(h->key, h->klen, header(conn, "X-Hub-Signature-256"), body,
					 len);
		*id = header(conn, "X-GitHub-Delivery");
	} else {
		*id = header(conn, "webhook-id");
		why = hook_verify_standard(h->key, h->klen, *id, header(conn, "webhook-timestamp"),
					   header(conn, "webhook-signature"), body, len,
					   (int64_t)time(NULL));
	}
	if (why) {
		reply_problem(out, 401, "webhook '%s': %s; nothing was run", h->name, why);
		return -1;
	}
	if (!*id || !**id || strlen(*id) > 256) {
		reply_problem(out, 400, "webhook '%s': a signed delivery needs its id (%s, 1 to 256 "
			      "characters) so that a redelivery runs nothing twice", h->name,
			      h->scheme == HOOK_GITHUB ? "X-GitHub-Delivery" : "webhook-id");
		return -1;
	}
	return 0;
}

/* The input score from the delivery, as JSON text; NULL with a reply. */
static char *score_of(serve_ctx *s, const serve_hook *h, struct MHD_Connection *conn,
		      const char *body, size_t len, serve_reply *out)
{
	const char *end = NULL;
	/* cJSON's parser writes a global: under the lock of its other users */
	pthread_mutex_lock(&s->project);
	cJSON *payload = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	pthread_mutex_unlock(&s->project);
	while (payload && end < body + len && strchr(" \t\r\n", *end) && *end)
		end++;
	if (!payload || end != body + len) {
		cJSON_Delete(payload);
		reply_problem(out, 400, "webhook '%s': the body is not JSON (send the webhook with "
			      "content type application/json)", h->name);
		return NULL;
	}
	cJSON *headers = cJSON_CreateObject();
	if (headers)
		MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, headers);
	char *why = NULL;
	cJSON *score = headers ? hook_score(h->fields, h->n, payload, headers, &why) : NULL;
	cJSON_Delete(payload);
	cJSON_Delete(headers);
	char *text = score ? cad_json_print(score, 0) : NULL;
	cJSON_Delete(score);
	if (!text && why)
		reply_problem(out, 422, "webhook '%s': %s; nothing was run", h->name, why);
	else if (!text)
		reply_problem(out, 500, "out of memory");
	free(why);
	return text;
}

/* The file of the cadence (absolute, malloc'd), or NULL with a reply. */
static char *cadence_file(serve_ctx *s, const serve_hook *h, serve_reply *out)
{
	regcmd_cadence *all = NULL;
	size_t n = 0;
	char *file = NULL;
	pthread_mutex_lock(&s->project);
	int broken = regcmd_cadences(NULL, &all, &n) != 0;
	regcmd_cadence *c = broken ? NULL : regcmd_find(all, n, h->cadence, 1);
	if (c)
		file = realpath(c->path, NULL);
	regcmd_cadences_free(all, n);
	pthread_mutex_unlock(&s->project);
	if (!file)
		reply_problem(out, 500, "webhook '%s': %s", h->name, broken
			      ? "the project's cadences cannot be read (see the server's log)"
			      : "its cadence is no longer in the project (see the server's log)");
	if (!file && !broken)
		cli_error(CLI_EXIT_USAGE, "webhook '%s': no cadence named '%s' in the project any "
			  "more; a delivery was refused (500)", h->name, h->cadence);
	return file;
}

static cJSON *accepted(const serve_hook *h, const char *delivery, const char *id, int replay,
		       int queued)
{
	cJSON *o = cJSON_CreateObject();
	char loc[48];
	if (id) {
		snprintf(loc, sizeof(loc), "/runs/%s", id);
		cJSON_AddStringToObject(o, "id", id);
	} else {
		cJSON_AddNullToObject(o, "id");
	}
	cad_json_add_text(o, "cadence", h->cadence);
	cad_json_add_text(o, "webhook", h->name);
	cad_json_add_text(o, "delivery", delivery);
	cJSON_AddBoolToObject(o, "replay", replay);
	if (!replay)
		cJSON_AddStringToObject(o, "status", queued ? "queued" : "running");
	if (id)
		cJSON_AddStringToObject(o, "location", loc);
	else
		cJSON_AddNullToObject(o, "location");
	return o;
}

/* Claims the delivery and starts its run, under the project's lock (one
 * thread of this server at a time; the registry's claim is atomic
 * between servers). */
static void claim_and_run(serve_ctx *s, const serve_hook *h, const char *delivery,
			  const char *file, const char *score, serve_reply *out)
{
	reg *r = NULL;
	char *why = NULL, *first = NULL, id[33];
	pthread_mutex_lock(&s->project);
	int seen = reg_open(s->state_dir, &r, &why) ? -1
		   : reg_delivery_claim(r, h->name, delivery, (int64_t)time(NULL) * 1000, &first);
	int rc = 0;
	if (seen < 0 && !why)
		why = strdup(reg_error(r));
	if (!seen) {
		rc = serve_runs_start_as(&s->runs, 1, h->cadence, file, score, strlen(score), id,
					 &why);
		/* no run (3: queued, a run to come): forget the claim, so that a
		 * redelivery can start one */
		int started = !rc || rc == 3;
		if (reg_delivery_set_run(r, h->name, delivery, started ? id : NULL) && started) {
			rc = -1;
			why = strdup(reg_error(r));
		}
	}
	reg_close(r);
	pthread_mutex_unlock(&s->project);
	if (seen < 0 || rc < 0) {
		reply_problem(out, 500, "%s", why ? why : "out of memory");
	} else if (seen) {
		out->status = 200;
		out->body = accepted(h, delivery, first, 1, 0);
	} else if (rc == 2) {
		reply_problem(out, 503, "the server is stopping (SIGTERM): it starts no more runs; "
			      "the delivery can be sent again");
	} else if (rc == 1) {
		out->header = "Retry-After";
		out->value = "1";
		reply_problem(out, 429, "%zu runs are running and %zu wait, the most 'cadence serve "
			      "--max-runs' and '--max-queue' allow; the delivery can be sent again",
			      s->runs.max_running, s->runs.max_queue);
	} else {
		out->status = 202;
		out->body = accepted(h, delivery, id, 0, rc == 3);
	}
	free(why);
	free(first);
}

void serve_hook_post(serve_ctx *s, struct MHD_Connection *conn, const char *name,
		     const char *body, size_t len, serve_reply *out)
{
	memset(out, 0, sizeof(*out));
	serve_hook *h = find_hook(s, name);
	const char *delivery;
	if (!h) {
		reply_problem(out, 404, "no webhook named '%s' (serve.webhooks of the project file)",
			      name);
		return;
	}
	if (check_signature(h, conn, body, len, &delivery, out))
		return;
	char *score = score_of(s, h, conn, body, len, out);
	char *file = score ? cadence_file(s, h, out) : NULL;
	if (file)
		claim_and_run(s, h, delivery, file, score, out);
	free(file);
	free(score);
}

void serve_reply_clear(serve_reply *r)
{
	cJSON_Delete(r->body);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}
