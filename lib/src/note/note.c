/* SPDX-License-Identifier: MIT */
/* The context of a C note call (cadence/note.h). */
#include "cadence/common.h"
#include "cadence/note.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "note/note_int.h"

int cadence_note_ctx_new(cadence_note_ctx **out, const char *name, void *user)
{
	cadence_note_ctx *ctx = calloc(1, sizeof(*ctx));
	*out = NULL;
	if (!ctx || !(ctx->name = ctx->owned_name = strdup(name ? name : ""))) {
		free(ctx);
		return CADENCE_ENOMEM;
	}
	ctx->attempt = 1;
	ctx->user = user;
	*out = ctx;
	return 0;
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
	ctx->attempt = attempt;
}

const char *cadence_note_name(const cadence_note_ctx *ctx)
{
	return ctx->name;
}

unsigned cadence_note_attempt(const cadence_note_ctx *ctx)
{
	return ctx->attempt;
}

void *cadence_note_user(const cadence_note_ctx *ctx)
{
	return ctx->user;
}

void cadence_note_ctx_set_expiry(cadence_note_ctx *ctx, int (*expired)(void *arg),
				 void *arg)
{
	ctx->expired = expired;
	ctx->expired_arg = arg;
}

int cadence_note_expired(const cadence_note_ctx *ctx)
{
	return ctx->expired ? ctx->expired(ctx->expired_arg) != 0 : 0;
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
	if (!ctx->log || !fmt)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > 0)
		ctx->log(ctx->log_arg, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
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
	return ctx->cadence;
}

const char *cadence_note_measure(const cadence_note_ctx *ctx)
{
	return ctx->measure;
}

const char *cadence_note_run_id(const cadence_note_ctx *ctx)
{
	return ctx->run_id;
}

long long cadence_note_remaining_ms(const cadence_note_ctx *ctx)
{
	return ctx->remaining_ms ? ctx->remaining_ms(ctx->expired_arg) : -1;
}

const char *cadence_note_error(const cadence_note_ctx *ctx)
{
	return ctx->error;
}

const char *cadence_note_error_note(const cadence_note_ctx *ctx)
{
	return ctx->error ? ctx->error_note : NULL;
}
