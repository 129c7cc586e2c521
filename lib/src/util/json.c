/* SPDX-License-Identifier: MIT */
/* JSON text in and out (util/json.h). */
#include "util/json.h"
#include "util/utf8.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ------------------------------------------------------------------ */

void cad_fmt_double(char *buf, size_t size, double d)
{
	char tmp[48];
	if (!isfinite(d)) {
		snprintf(buf, size, "%s", isnan(d) ? "nan" : d > 0 ? "inf" : "-inf");
		return;
	}
	/* 15 digits tell apart any two numbers of 15 digits or fewer, so the
	 * first that reads back is the shortest, but for subnormals (below
	 * DBL_MIN), which have fewer bits: 5e-324, not 4.94065645841247e-324 */
	for (int prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;	/* 17 digits always read back */
	}
	/* printf and strtod agree on the locale's decimal point, JSON wants
	 * '.': whatever is not a digit, sign or exponent is that point */
	size_t o = 0;
	for (const char *p = tmp; *p && o + 1 < size; p++) {
		if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == 'e')
			buf[o++] = *p;
		else if (!o || buf[o - 1] != '.')
			buf[o++] = '.';
	}
	buf[o] = '\0';
}

int cad_json_number(strbuf *sb, double d)
{
	if (!isfinite(d))
		return -1;
	if (fabs(d) <= CAD_JSON_MAX_EXACT && d == (double)(int64_t)d) {
		/* an integer: its digits, never an exponent ("1e+15") */
		int64_t i = (int64_t)d;
		if (i < 0 || signbit(d))
			cad_strbuf_addc(sb, '-');	/* -0 stays -0 */
		cad_strbuf_addu(sb, i < 0 ? (uint64_t)-i : (uint64_t)i);
		return 0;
	}
	char buf[32];
	cad_fmt_double(buf, sizeof(buf), d);
	cad_strbuf_adds(sb, buf);
	return 0;
}

/* ---- trees -------------------------------------------------------------------- */

/* A string as cJSON escapes it: quote, backslash, and the C0 controls. */
static void add_string(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	cad_strbuf_addc(sb, '"');
	const char *run = s;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		cad_strbuf_add(sb, run, (size_t)(s - run));
		char esc[7] = { '\\', (char)c, 0 };
		switch (c) {
		case '"': case '\\': break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			break;
		}
		cad_strbuf_adds(sb, esc);
		run = s + 1;
	}
	if (run)
		cad_strbuf_add(sb, run, (size_t)(s - run));
	cad_strbuf_addc(sb, '"');
}

/* two spaces a level, as jq and most JSON tools print */
static void add_indent(strbuf *sb, size_t n)
{
	static const char spaces[] = "                                ";
	for (n *= 2; n > 32; n -= 32)
		cad_strbuf_add(sb, spaces, 32);
	cad_strbuf_add(sb, spaces, n);
}

static int add_value(strbuf *sb, const cJSON *v, int fmt, size_t depth);

/* Objects and arrays: formatted, an object has one member a line,
 * `"name": value`, indented by two spaces per enclosing array or object,
 * an empty one `{}`, and an array stays on one line, its elements
 * separated by ", ";
 * unformatted, cJSON_PrintUnformatted()'s layout. */
static int add_container(strbuf *sb, const cJSON *v, int fmt, size_t depth)
{
	int object = cJSON_IsObject(v);
	if (!v->child) {
		cad_strbuf_adds(sb, object ? "{}" : "[]");
		return 0;
	}
	cad_strbuf_addc(sb, object ? '{' : '[');
	if (object && fmt)
		cad_strbuf_addc(sb, '\n');
	for (const cJSON *c = v->child; c; c = c->next) {
		if (object) {
			if (fmt)
				add_indent(sb, depth + 1);
			add_string(sb, c->string);
			cad_strbuf_add(sb, ": ", fmt ? 2 : 1);
		}
		if (add_value(sb, c, fmt, depth + 1))
			return -1;
		if (c->next)
			cad_strbuf_add(sb, ", ", fmt && !object ? 2 : 1);
		if (object && fmt)
			cad_strbuf_addc(sb, '\n');
	}
	if (object && fmt)
		add_indent(sb, depth);
	cad_strbuf_addc(sb, object ? '}' : ']');
	return 0;
}

static int add_value(strbuf *sb, const cJSON *v, int fmt, size_t depth)
{
	switch (v->type & 0xFF) {
	case cJSON_NULL: cad_strbuf_adds(sb, "null"); return 0;
	case cJSON_False: cad_strbuf_adds(sb, "false"); return 0;
	case cJSON_True: cad_strbuf_adds(sb, "true"); return 0;
	case cJSON_Number:
		if (cad_json_number(sb, v->valuedouble))
			cad_strbuf_adds(sb, "null");
		return 0;
	case cJSON_String: add_string(sb, v->valuestring); return 0;
	case cJSON_Raw:
		if (!v->valuestring)
			return -1;
		cad_strbuf_adds(sb, v->valuestring);
		return 0;
	case cJSON_Array:
	case cJSON_Object: return add_container(sb, v, fmt, depth);
	default: return -1;
	}
}

int cad_json_add(strbuf *sb, const cJSON *v, int formatted)
{
	return v ? add_value(sb, v, formatted, 0) : -1;
}

char *cad_json_print(const cJSON *v, int formatted)
{
	strbuf sb = STRBUF_INIT;
	if (cad_json_add(&sb, v, formatted)) {
		cad_strbuf_free(&sb);
		return NULL;
	}
	return cad_strbuf_detach(&sb);
}

/* ---- comparing ------------------------------------------------------------------ */

size_t cad_json_count(const cJSON *o)
{
	size_t n = 0;
	for (const cJSON *c = cJSON_IsObject(o) ? o->child : NULL; c; c = c->next)
		n++;
	return n;
}

void cad_json_index(strmap *ix, const cJSON *o, int unique)
{
	if (cad_strmap_reserve(ix, cad_json_count(o)))
		return;
	for (const cJSON *c = o->child; c; c = c->next) {
		int added;
		/* reserved: put cannot fail */
		strmap_entry *e = c->string ? cad_strmap_put(ix, c->string, strlen(c->string), &added)
					    : NULL;
		if (!e || (!added && unique)) {
			cad_strmap_free(ix);
			return;
		}
		if (added)
			e->v.p = (cJSON *)c;
	}
}

cJSON *cad_json_member(const strmap *ix, const cJSON *o, const char *name)
{
	if (!name)
		return NULL;	/* as cJSON_GetObjectItemCaseSensitive() */
	if (!ix || !ix->slots)
		return cJSON_GetObjectItemCaseSensitive(o, name);
	const strmap_entry *e = cad_strmap_find(ix, name, strlen(name));
	return e ? e->v.p : NULL;
}

static int object_has(const strmap *ix, const cJSON *o, const cJSON *member)
{
	const cJSON *other = cad_json_member(ix, o, member->string);
	return other && cad_json_equal(member, other);
}

/* Every member of a has its equal in b, and the other way round. */
static int objects_equal(const cJSON *a, const cJSON *b)
{
	strmap ia = STRMAP_INIT, ib = STRMAP_INIT;
	int eq = 1;
	/* indexes when both are large: one searched in the other is the
	 * product of their sizes */
	if (cad_json_count(a) > CAD_JSON_FEW_MEMBERS && cad_json_count(b) > CAD_JSON_FEW_MEMBERS) {
		cad_json_index(&ia, a, 0);
		cad_json_index(&ib, b, 0);
	}
	for (const cJSON *m = a->child; m && eq; m = m->next)
		eq = object_has(&ib, b, m);
	for (const cJSON *m = b->child; m && eq; m = m->next)
		eq = object_has(&ia, a, m);
	cad_strmap_free(&ia);
	cad_strmap_free(&ib);
	return eq;
}

int cad_json_equal(const cJSON *a, const cJSON *b)
{
	if (a == b)
		return 1;
	if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF))
		return 0;
	switch (a->type & 0xFF) {
	case cJSON_Number:
		return a->valuedouble == b->valuedouble;
	case cJSON_String:
	case cJSON_Raw:
		return a->valuestring && b->valuestring && !strcmp(a->valuestring, b->valuestring);
	case cJSON_Array:
		for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
			if (!cad_json_equal(a, b))
				return 0;
		return !a && !b;
	case cJSON_Object:
		/* the members in any order, as cJSON_Compare() */
		return objects_equal(a, b);
	default:
		return 1;	/* null, true, false */
	}
}

/* ---- reading text --------------------------------------------------------------- */

/* The first raw or escaped NUL in a string, or bracket beyond max_depth, in
 * t[0..len): its offset (len when none) and what it is.  Only the prefix
 * cJSON read is looked at, so strings are where cJSON saw them.  A string
 * is walked by an inner loop that looks only for its end, NUL and escapes. */
static size_t scan(const char *t, size_t len, unsigned max_depth, cad_json_problem *p)
{
	unsigned depth = 0;
	size_t i = 0;
	while (i < len) {
		char c = t[i];
		if (!c) {
			*p = CAD_JSON_NUL;
			return i;
		}
		if (c == '"') {
			/* a string: to its closing quote, escapes skipped */
			for (i++; i < len && t[i] != '"'; i++) {
				if (!t[i]) {
					*p = CAD_JSON_NUL;
					return i;
				}
				if (t[i] != '\\')
					continue;
				if (i + 5 < len && t[i + 1] == 'u' && !memcmp(t + i + 2, "0000", 4)) {
					*p = CAD_JSON_NUL;
					return i;
				}
				i++;
			}
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth) {
				*p = CAD_JSON_DEEP;
				return i;
			}
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
		i++;
	}
	return len;
}

static int fail(cad_json_error *e, cad_json_problem p, const char *t, size_t at)
{
	e->problem = p;
	e->offset = at;
	e->line = e->column = 1;
	for (size_t i = 0; i < at; i++) {
		if (t[i] == '\n') {
			e->line++;
			e->column = 1;
		} else {
			e->column++;
		}
	}
	return -1;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cad_json_parse(cJSON **out, const char *text, size_t len, unsigned max_depth,
		   cad_json_error *err)
{
	const char *end = NULL;
	memset(err, 0, sizeof(*err));
	err->max_depth = max_depth;
	*out = NULL;
	if (!text)
		text = "";
	size_t valid = cad_utf8_valid_prefix(text, len);
	if (valid < len) {
		err->byte = (unsigned char)text[valid];
		return fail(err, CAD_JSON_UTF8, text, valid);
	}
	cJSON *v = len ? cJSON_ParseWithLengthOpts(text, len, &end, 0) : NULL;
	/* on failure cJSON points `end` at the error (its global error
	 * pointer is not thread-safe) */
	size_t stop = v ? len : end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
	cad_json_problem p = CAD_JSON_OK;
	size_t at = scan(text, v || stop == len ? len : stop + 1, max_depth, &p);
	if (p) {
		cJSON_Delete(v);
		return fail(err, p, text, at);
	}
	if (!v)
		return fail(err, CAD_JSON_SYNTAX, text, stop);
	for (at = (size_t)(end - text); at < len && blank(text[at]); at++)
		;
	if (at < len) {
		cJSON_Delete(v);
		return fail(err, CAD_JSON_TRAILING, text, at);
	}
	*out = v;
	return 0;
}

void cad_json_add_excerpt(strbuf *sb, const char *s, size_t len, size_t max)
{
	for (size_t i = 0; i < len && i < max && s[i] != '\n';) {
		uint32_t cp;
		size_t n = cad_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (!n || cad_utf8_is_unsafe(cp)) {
			cad_strbuf_addc(sb, '?');
			i += n ? n : 1;
		} else {
			cad_strbuf_add(sb, s + i, n);
			i += n;
		}
	}
}

void cad_json_describe(strbuf *sb, const cad_json_error *e, const char *text, size_t len,
		       int excerpt)
{
	switch (e->problem) {
	case CAD_JSON_UTF8: cad_strbuf_addf(sb, "is not UTF-8: byte 0x%02X", e->byte); break;
	case CAD_JSON_DEEP: cad_strbuf_addf(sb, "is nested deeper than %u levels", e->max_depth); break;
	case CAD_JSON_NUL: cad_strbuf_adds(sb, "holds a NUL character"); break;
	case CAD_JSON_TRAILING: cad_strbuf_adds(sb, "has more after the JSON value"); break;
	default: cad_strbuf_adds(sb, "is not JSON"); break;
	}
	cad_strbuf_addf(sb, " at line %u, column %u", e->line, e->column);
	if (excerpt && text && e->offset < len && text[e->offset] != '\n') {
		cad_strbuf_adds(sb, " near '");
		cad_json_add_excerpt(sb, text + e->offset, len - e->offset, 20);
		cad_strbuf_addc(sb, '\'');
	}
	if (e->problem == CAD_JSON_UTF8)
		cad_strbuf_adds(sb, "; JSON text must be UTF-8 (convert it, e.g. with "
				    "iconv -f LATIN1 -t UTF-8)");
	else if (e->problem == CAD_JSON_NUL)
		cad_strbuf_adds(sb, "; cadence keeps text as C strings, which end at the first NUL "
				    "(\\u0000): remove it");
}

/* ---- checking trees --------------------------------------------------------------- */

static void add_step(strbuf *where, const cJSON *parent, const cJSON *c, size_t i)
{
	if (cJSON_IsObject(parent)) {
		cad_strbuf_addc(where, '.');
		cad_strbuf_adds(where, c->string ? c->string : "");
	} else {
		cad_strbuf_addc(where, '[');
		cad_strbuf_addu(where, i);
		cad_strbuf_addc(where, ']');
	}
}

/* `where` NULL: only whether; else the path of the first problem too. */
static cad_json_problem check(const cJSON *v, unsigned left, strbuf *where)
{
	if (cJSON_IsNumber(v))
		return isfinite(v->valuedouble) ? CAD_JSON_OK : CAD_JSON_NONFINITE;
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return CAD_JSON_OK;
	if (!left)
		return CAD_JSON_DEEP;
	size_t i = 0;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		cad_json_problem p = check(c, left - 1, where);
		if (p) {
			if (where) {
				/* the path is built from the end: this step goes
				 * before what the deeper calls wrote */
				strbuf step = STRBUF_INIT;
				add_step(&step, v, c, i);
				cad_strbuf_add(&step, where->buf ? where->buf : "", where->len);
				cad_strbuf_free(where);
				*where = step;
			}
			return p;
		}
	}
	return CAD_JSON_OK;
}

cad_json_problem cad_json_check(const cJSON *v, unsigned max_depth, strbuf *where)
{
	cad_json_problem p = check(v, max_depth, NULL);
	if (p && where) {
		strbuf path = STRBUF_INIT;
		check(v, max_depth, &path);
		cad_strbuf_add(where, path.buf ? path.buf : "", path.len);
		cad_strbuf_free(&path);
	}
	return p;
}

void cad_json_check_describe(strbuf *sb, const cJSON *v, unsigned max_depth, const char *name,
			     unsigned levels)
{
	strbuf where = STRBUF_INIT;
	cad_strbuf_adds(&where, name);
	size_t named = where.len;
	cad_json_problem p = cad_json_check(v, max_depth, &where);
	if (p == CAD_JSON_DEEP) {
		cad_strbuf_addf(sb, "is nested deeper than %u levels", levels);
	} else if (p) {
		/* strtod reads 1e400 as infinity; a C note can make NaN */
		cad_strbuf_adds(sb, "holds a number out of range (more than about 1.8e308 in size, "
				    "or NaN)");
		if (cad_strbuf_cstr(&where) && where.len > named)
			cad_strbuf_addf(sb, " at %s", where.buf);
	}
	cad_strbuf_free(&where);
}

cJSON *cad_json_add_text(cJSON *o, const char *key, const char *s)
{
	size_t len = strlen(s);
	char *valid = cad_utf8_valid_prefix(s, len) == len ? NULL : cad_utf8_dup_valid(s, len);
	cJSON *item = cJSON_AddStringToObject(o, key, valid ? valid : s);
	free(valid);
	return item;
}

void cad_json_puts(FILE *f, const char *json)
{
	/* outside strings JSON is ASCII: any such character is in a string */
	size_t len = strlen(json);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = cad_utf8_decode((const unsigned char *)json + i, len - i, &cp);
		if (n > 1 && cad_utf8_is_unsafe(cp))
			fprintf(f, "\\u%04x", (unsigned)cp);
		else
			fwrite(json + i, 1, n ? n : 1, f);
		i += n ? n : 1;
	}
	fputc('\n', f);
}
