/* SPDX-License-Identifier: MIT */
/* The context of a C note call (cadence/note.h). */
#include "cadence/common.h"
#include "cadence/note.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "note/note_int.h"
#include "model/model.h"

int cadence_note_ctx_new(cadence_note_ctx **out, const char *name, void *user)
{
	cadence_note_ctx *ctx = calloc(1, sizeof(*ctx));
	*out = NULL;
	if (!ctx || !(ctx->own.name = ctx->owned_name = strdup(name ? name : ""))) {
		free(ctx);
		return CADENCE_ENOMEM;
	}
	ctx->call = &ctx->own;
	ctx->own.attempt = 1;
	ctx->own.user = user;
	*out = ctx;
	return 0;
}

int cad_note_call_run(cadence_note_func *fn, cad_note_call *call, const cJSON *score,
		      cJSON **changes, int *failed, strbuf *message)
{
	/* member by member: `own` is not used, and zeroing it would cost
	 * what copying the call did */
	cadence_note_ctx ctx;
	ctx.call = call;
	ctx.owned_name = NULL;
	ctx.failed = 0;
	ctx.message = (strbuf)STRBUF_INIT;
	ctx.score = NULL;
	int rc = fn(&ctx, score, changes);
	*failed = ctx.failed;
	if (ctx.failed) {
		cad_strbuf_free(message);
		*message = ctx.message;
	} else {
		cad_strbuf_free(&ctx.message);
	}
	return rc;
}

void cadence_note_ctx_free(cadence_note_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->owned_name);
	cad_strbuf_free(&ctx->message);
	free(ctx);
}

void cadence_note_ctx_set_attempt(cadence_note_ctx *ctx, unsigned attempt)
{
	ctx->call->attempt = attempt;
}

const char *cadence_note_name(const cadence_note_ctx *ctx)
{
	return ctx->call->name;
}

unsigned cadence_note_attempt(const cadence_note_ctx *ctx)
{
	return ctx->call->attempt;
}

void *cadence_note_user(const cadence_note_ctx *ctx)
{
	return ctx->call->user;
}

void cadence_note_ctx_set_expiry(cadence_note_ctx *ctx, int (*expired)(void *arg),
				 void *arg)
{
	ctx->call->expired = expired;
	ctx->call->expired_arg = arg;
}

int cadence_note_expired(const cadence_note_ctx *ctx)
{
	return ctx->call->expired ? ctx->call->expired(ctx->call->expired_arg) != 0 : 0;
}

int cadence_note_fail(cadence_note_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cad_strbuf_free(&ctx->message);
	if (fmt)
		cad_strbuf_vaddf(&ctx->message, fmt, ap);
	va_end(ap);
	ctx->failed = 1;
	return CADENCE_NOTE_FAILED;
}

void cadence_note_log(cadence_note_ctx *ctx, const char *fmt, ...)
{
	char text[CADENCE_NOTE_LOG_MAX + 1];
	va_list ap;
	if (!ctx->call->log || !fmt)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > 0)
		ctx->call->log(ctx->call->log_arg, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

const char *cadence_note_message(const cadence_note_ctx *ctx)
{
	if (!ctx->failed)
		return NULL;
	if (ctx->message.failed)
		return "out of memory";
	return ctx->message.buf ? ctx->message.buf : "";
}

const char *cadence_note_cadence(const cadence_note_ctx *ctx)
{
	return ctx->call->cadence;
}

const char *cadence_note_measure(const cadence_note_ctx *ctx)
{
	return ctx->call->measure;
}

const char *cadence_note_run_id(const cadence_note_ctx *ctx)
{
	return ctx->call->run_id;
}

long long cadence_note_remaining_ms(const cadence_note_ctx *ctx)
{
	return ctx->call->remaining_ms ? ctx->call->remaining_ms(ctx->call->expired_arg) : -1;
}

const char *cadence_note_error(const cadence_note_ctx *ctx)
{
	return ctx->call->error;
}

const char *cadence_note_error_note(const cadence_note_ctx *ctx)
{
	return ctx->call->error ? ctx->call->error_note : NULL;
}

/* ---- reading the score (note API 1.2) ---- */

void cadence_note_ctx_set_score(cadence_note_ctx *ctx, const cJSON *score)
{
	if (!ctx || ctx->call->fields)
		return;	/* the engine's context reads the engine's score */
	ctx->score = cJSON_IsObject(score) ? score : NULL;
	ctx->call->nfields = 0;
	unsigned long long h = CAD_NOTE_DECL_INIT;
	for (const cJSON *m = ctx->score ? ctx->score->child : NULL; m; m = m->next) {
		h = cad_note_declaration_add(h, m->string ? m->string : "");
		ctx->call->nfields++;
	}
	ctx->call->declaration = ctx->score ? cad_note_declaration_end(h) : 0;
}

/* The position of field `name`, or -1. */
static long find_field(const cadence_note_ctx *ctx, const char *name)
{
	const cad_note_call *call = ctx->call;
	const char *d = call->declared;
	for (unsigned k = 0; k < call->ndeclared; k++, d += strlen(d) + 1)
		if (!strcmp(d, name))
			return call->declared_field[k];
	if (call->fields)
		return cad_model_field_index(call->def, name);
	long i = 0;
	for (const cJSON *m = ctx->score ? ctx->score->child : NULL; m; m = m->next, i++)
		if (m->string && !strcmp(m->string, name))
			return i;
	return -1;
}

/* Field i (below nfields). */
static const cJSON *field_at(const cadence_note_ctx *ctx, size_t i)
{
	if (ctx->call->fields)
		return ctx->call->fields[i];
	const cJSON *m = ctx->score->child;
	while (i--)
		m = m->next;
	return m;
}

const cJSON *cadence_note_field(const cadence_note_ctx *ctx, const char *name)
{
	if (!ctx || !name)
		return NULL;
	if (!ctx->call->fields)	/* as cJSON finds it: the first of that name */
		return ctx->score ? cJSON_GetObjectItemCaseSensitive(ctx->score, name) : NULL;
	long i = find_field(ctx, name);
	return i < 0 ? NULL : ctx->call->fields[i];
}

int cadence_note_field_handle(cadence_field_handle *out, const cadence_note_ctx *ctx,
			      const char *name)
{
	if (out)
		*out = (cadence_field_handle)CADENCE_FIELD_HANDLE_INIT;
	if (!out || !ctx || !name)
		return CADENCE_EINVAL;
	long i = ctx->call->declaration ? find_field(ctx, name) : -1;
	if (i < 0)
		return CADENCE_ENOTFOUND;
	out->declaration = ctx->call->declaration;
	out->index = (size_t)i;
	return 0;
}

const cJSON *cadence_note_field_at(const cadence_note_ctx *ctx, cadence_field_handle h)
{
	if (!ctx || !h.declaration || h.declaration != ctx->call->declaration || h.index >= ctx->call->nfields)
		return NULL;
	return field_at(ctx, h.index);
}
