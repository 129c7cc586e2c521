/* SPDX-License-Identifier: MIT */
/* The expression module's API: declarations of the score, compiling,
 * accessors.  Lexing is in lex.c, parsing in parse.c, checking in check.c,
 * evaluating in eval.c. */
#include "expr/compile.h"
#include "expr/expr_int.h"
#include "expr/vars.h"
#include "util/api.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
	"dyn", "null", "bool", "int", "double", "string", "list", "map"
};

const char *cadence_expr_type_name(cadence_expr_type type)
{
	if ((unsigned)type >= sizeof(type_names) / sizeof(type_names[0]))
		return "dyn";
	return type_names[type];
}

/* ---- errors ---- */

void cadence_expr_error_clear(cadence_expr_error *err)
{
	/* one of a later version is not ours to overwrite (0: zeroed, ours) */
	if (!err || err->version > CADENCE_EXPR_ERROR_VERSION)
		return;
	unsigned version = err->version;
	free(err->message);
	free(err->help);
	memset(err, 0, sizeof(*err));
	err->version = version;
}

static char *vformat(const char *fmt, va_list ap)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_vaddf(&sb, fmt, ap);
	return cad_strbuf_detach(&sb);
}

void cad_expr_verror_at(cadence_expr_error *err, const char *src, size_t srclen, size_t off,
			size_t len, const char *fmt, va_list ap)
{
	if (!err)
		return;
	cadence_expr_error_clear(err);
	if (off > srclen)
		off = srclen;
	if (len > srclen - off)
		len = srclen - off;
	err->offset = off;
	err->length = len;
	err->column = (unsigned)cad_utf8_count(src, off) + 1;
	err->width = (unsigned)cad_utf8_count(src + off, len);
	err->message = vformat(fmt, ap);
}

void cad_expr_error_at(cadence_expr_error *err, const char *src, size_t srclen, size_t off,
		   size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cad_expr_verror_at(err, src, srclen, off, len, fmt, ap);
	va_end(ap);
}

void cad_expr_verror_help(cadence_expr_error *err, const char *fmt, va_list ap)
{
	if (!err)
		return;
	free(err->help);
	err->help = vformat(fmt, ap);
}

void cad_expr_error_help(cadence_expr_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cad_expr_verror_help(err, fmt, ap);
	va_end(ap);
}

/* ---- the declaration of the score ---- */

static const struct {
	const char *name;
	cadence_expr_type type;
} decl_types[] = {
	{ "string", CADENCE_EXPR_STRING }, { "integer", CADENCE_EXPR_INT },
	{ "number", CADENCE_EXPR_DOUBLE }, { "boolean", CADENCE_EXPR_BOOL },
	{ "array", CADENCE_EXPR_LIST },	   { "object", CADENCE_EXPR_MAP },
	{ "any", CADENCE_EXPR_DYN },
};

int cadence_expr_env_new(cadence_expr_env **out)
{
	if (!out)
		return CADENCE_EINVAL;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : CADENCE_ENOMEM;
}

void cadence_expr_env_free(cadence_expr_env *env)
{
	if (!env)
		return;
	for (size_t i = 0; i < env->n; i++)
		free(env->fields[i].name);
	free(env->fields);
	cad_strmap_free(&env->index);
	free(env);
}

long cad_expr_env_find(const cadence_expr_env *env, const char *name, size_t len)
{
	const strmap_entry *e = cad_strmap_find(&env->index, name, len);
	return e ? (long)e->v.i : -1;
}

int cadence_expr_env_add_field(cadence_expr_env *env, const char *name, const char *type)
{
	if (!env || !name || !*name || !type)
		return CADENCE_EINVAL;
	size_t t = 0, nt = sizeof(decl_types) / sizeof(decl_types[0]);
	while (t < nt && strcmp(type, decl_types[t].name))
		t++;
	if (t == nt)
		return CADENCE_EINVAL;
	if (cad_expr_env_find(env, name, strlen(name)) >= 0)
		return CADENCE_EINVAL;
	/* room first, so that the add below cannot fail (the map doubles:
	 * amortised O(1) a field) */
	if (cad_strmap_reserve(&env->index, env->n + 1))
		return CADENCE_ENOMEM;
	if (CAD_GROW(env->fields, env->cap, env->n + 1, 8))
		return CADENCE_ENOMEM;
	size_t n = strlen(name);
	char *copy = malloc(n + 1);
	if (!copy)
		return CADENCE_ENOMEM;
	memcpy(copy, name, n + 1);
	env->fields[env->n].name = copy;
	env->fields[env->n].type = (uint8_t)decl_types[t].type;
	env->fields[env->n].as_double = decl_types[t].type == CADENCE_EXPR_DOUBLE;
	env->fields[env->n].decl = decl_types[t].name;
	cad_strmap_add(&env->index, copy, env->n);
	env->n++;
	return 0;
}

/* ---- compiling ---- */

void cadence_expr_free(cadence_expr *e)
{
	if (!e)
		return;
	cad_arena_free(&e->ar);
	if (!e->homed)
		free(e);
}

/* Compiles into *out; every failure is described in err (never NULL). */
static int compile(cadence_expr **out, arena *home, const char *src, size_t len,
		   const cadence_expr_env *env, int hint, const char *const *vars, size_t nvars,
		   cadence_expr_error *err)
{
	if (len > CADENCE_EXPR_MAX_SOURCE) {
		cad_expr_error_at(err, src, len, 0, 0,
			      "the expression is %zu bytes long; the limit is %zu", len,
			      CADENCE_EXPR_MAX_SOURCE);
		return CADENCE_EINVALID;
	}
	cadence_expr *e = home ? cad_arena_alloc(home, sizeof(*e)) : calloc(1, sizeof(*e));
	void *buf = e && home ? cad_arena_alloc(home, CAD_EXPR_HOME_BYTES) : NULL;
	if (!e || (home && !buf)) {
		if (!home)
			free(e);
		return CADENCE_ENOMEM;
	}
	cad_arena_init_small(&e->ar, buf, buf ? CAD_EXPR_HOME_BYTES : 0, 0);
	e->homed = home != NULL;
	e->src = cad_arena_strndup(&e->ar, src, len);
	e->len = len;
	if (!e->src) {
		cadence_expr_free(e);
		return CADENCE_ENOMEM;
	}
	token *toks = NULL;
	size_t ntok = 0;
	int rc = cad_expr_lex(e->src, len, &e->ar, &toks, &ntok, err);
	if (!rc)
		rc = cad_expr_parse(e, toks, ntok, err);
	if (!rc)
		rc = cad_expr_check_vars(e, env, hint, vars, nvars, err);
	if (!rc)
		rc = cad_expr_uses(e);
	free(toks);
	if (rc) {
		cadence_expr_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void cad_expr_error_move(cadence_expr_error *to, cadence_expr_error *from, const char *src,
			 size_t len, int rc)
{
	if (!from->message)	/* a failure that said nothing more: its code */
		cad_expr_error_at(from, src, len, 0, 0, "%s", cadence_strerror(rc));
	static const size_t sizes[] = { 0, sizeof(cadence_expr_error) };	/* util/api.h */
	if (!to) {
		cadence_expr_error_clear(from);
		return;
	}
	cadence_expr_error_clear(to);
	CAD_COPY_OUT(to, from, sizes);
	*from = (cadence_expr_error)CADENCE_EXPR_ERROR_INIT;
}

static int compile_entry(cadence_expr **out, arena *home, const char *src, size_t len,
			 const cadence_expr_env *env, int hint, const char *const *vars,
			 size_t nvars, cadence_expr_error *err)
{
	cadence_expr_error mine = CADENCE_EXPR_ERROR_INIT;
	if (out)
		*out = NULL;
	if (!CAD_VERSION_OK(err, CADENCE_EXPR_ERROR_VERSION))
		return CADENCE_EVERSION;
	if (!src && !len)
		src = "";
	/* filled only on failure: a success leaves the caller's err alone */
	int rc = !out || !src ? CADENCE_EINVAL : compile(out, home, src, len, env, hint, vars, nvars, &mine);
	if (rc)
		cad_expr_error_move(err, &mine, src ? src : "", src ? len : 0, rc);
	return rc;
}

int cadence_expr_compile(cadence_expr **out, const char *src, size_t len,
			 const cadence_expr_env *env, cadence_expr_error *err)
{
	return compile_entry(out, NULL, src, len, env, 1, NULL, 0, err);
}

int cad_expr_compile_in(cadence_expr **out, arena *home, const char *src, size_t len,
			const cadence_expr_env *env, int hint, cadence_expr_error *err)
{
	return compile_entry(out, home, src, len, env, hint, NULL, 0, err);
}

const char *cadence_expr_source(const cadence_expr *e)
{
	return e ? e->src : NULL;
}

cadence_expr_type cadence_expr_result_type(const cadence_expr *e)
{
	return e ? (cadence_expr_type)e->root->type : CADENCE_EXPR_DYN;
}

size_t cadence_expr_field_count(const cadence_expr *e)
{
	return e ? e->nfields : 0;
}

const char *cadence_expr_field_name(const cadence_expr *e, size_t i)
{
	return e && i < e->nfields ? e->fields[i] : NULL;
}

unsigned cadence_expr_field_uses(const cadence_expr *e, size_t i)
{
	return e && e->uses && i < e->nfields ? e->uses[i] : 0;
}

int cadence_expr_reads_whole_score(const cadence_expr *e)
{
	return e ? e->reads_all : 0;
}

int cad_expr_compile_vars(cadence_expr **out, const char *src, size_t len,
			  const cadence_expr_env *env, const char *const *vars, size_t nvars,
			  cadence_expr_error *err)
{
	if (nvars > CAD_EXPR_MAX_VARS || (nvars && !vars)) {
		if (out)
			*out = NULL;
		return CADENCE_EINVAL;
	}
	return compile_entry(out, NULL, src, len, env, 1, vars, nvars, err);
}
