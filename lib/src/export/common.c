/* SPDX-License-Identifier: MIT */
/* What the exporters share (export_int.h). */
#include "export/export_int.h"

#include "util/sha256.h"

#include <stdio.h>
#include <string.h>

void cad_export_names_init(cad_export_names *n)
{
	cad_arena_init(&n->arena);
	n->taken = (strmap)STRMAP_INIT;
}

void cad_export_names_free(cad_export_names *n)
{
	cad_strmap_free(&n->taken);
	cad_arena_free(&n->arena);
}

/* `base` with `suffix`, cut so that both fit in max (0: no limit). */
static int compose(strbuf *sb, const char *base, size_t blen, const char *suffix, size_t max)
{
	size_t slen = strlen(suffix);
	if (max && slen >= max)
		return -1;
	cad_strbuf_reset(sb);
	cad_strbuf_add(sb, base, max && blen + slen > max ? max - slen : blen);
	cad_strbuf_adds(sb, suffix);
	return cad_strbuf_cstr(sb) ? 0 : -1;
}

const char *cad_export_name(cad_export_names *n, const char *want,
			    int (*ok)(unsigned char c, size_t pos), char bad, size_t max,
			    const char *sep)
{
	strbuf base = STRBUF_INIT, sb = STRBUF_INIT;
	const char *r = NULL;
	for (size_t i = 0; want[i]; i++)
		cad_strbuf_addc(&base, ok && !ok((unsigned char)want[i], i) ? bad : want[i]);
	if (!cad_strbuf_cstr(&base))
		goto out;
	for (unsigned k = 1; k && !r; k++) {
		char suffix[32] = "";
		if (k > 1)
			snprintf(suffix, sizeof(suffix), "%s%u", sep, k);
		if (compose(&sb, base.buf, base.len, suffix, max))
			goto out;
		if (cad_strmap_find(&n->taken, sb.buf, sb.len))
			continue;
		char *name = cad_arena_strndup(&n->arena, sb.buf, sb.len);
		if (!name || !cad_strmap_put(&n->taken, name, sb.len, NULL))
			goto out;
		r = name;
	}
out:
	cad_strbuf_free(&base);
	cad_strbuf_free(&sb);
	return r;
}

static const char *const mode_flags[] = {
	[CAD_STEP_NOTE] = "--one-attempt",
	[CAD_STEP_FALLBACK] = "--fallback",
	[CAD_STEP_MERGE] = "--merge",
	[CAD_STEP_MEASURE] = "--measure",
	[CAD_STEP_PRECHECK] = "--precheck",
};

void cad_export_step_args(const cad_step_call *c, const char *file,
			  void (*arg)(void *ctx, const char *text, int state), void *ctx)
{
	char index[32];
	arg(ctx, "step", 0);
	arg(ctx, mode_flags[c->mode], 0);
	if (c->mode == CAD_STEP_MERGE || c->mode == CAD_STEP_MEASURE) {
		snprintf(index, sizeof(index), "%zu", c->index);
		arg(ctx, index, 0);
	}
	if (c->apply)
		arg(ctx, "--apply", 0);
	for (size_t i = 0; i < c->nplugins; i++) {
		arg(ctx, "--plugin", 0);
		arg(ctx, c->plugins[i], 0);
	}
	if (c->score) {
		arg(ctx, "--score", 0);
		arg(ctx, c->score, !c->score_given);
	}
	if (c->output) {
		arg(ctx, "-o", 0);
		arg(ctx, c->output, 1);
	}
	arg(ctx, file, 0);
	if (c->mode == CAD_STEP_NOTE || c->mode == CAD_STEP_FALLBACK)
		arg(ctx, c->note, 0);
	for (size_t i = 0; c->mode == CAD_STEP_MERGE && i < c->nparts; i++)
		arg(ctx, c->parts[i], 1);
}

void cad_export_uuid(const char *a, const char *b, char out[37])
{
	cad_sha256 h;
	unsigned char d[32];
	char hex[33];
	cad_sha256_init(&h);
	cad_sha256_update(&h, a, strlen(a) + 1);	/* the NUL keeps "ab"+"c" from "a"+"bc" */
	cad_sha256_update(&h, b, strlen(b));
	cad_sha256_final(&h, d);
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);	/* version 5's layout */
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	cad_hex(d, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}
