/* SPDX-License-Identifier: MIT */
/* Template placeholders and per-target escaping (scaffold/render.h). */
#include "scaffold/render.h"

#include "cadence/common.h"
#include "format/scalar.h"
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

static int is_lower(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

static int is_word(char c)
{
	return is_lower(c) || (c >= '0' && c <= '9');
}

/* Appends the code point at s (or U+FFFD for a bad byte) and returns the
 * bytes consumed. */
static size_t add_utf8(strbuf *out, const char *s, size_t len)
{
	uint32_t cp;
	size_t n = cad_utf8_decode((const unsigned char *)s, len, &cp);
	if (!n) {
		cad_strbuf_adds(out, "\xEF\xBF\xBD");
		return 1;
	}
	cad_strbuf_add(out, s, n);
	return n;
}

/* The escapes YAML and JSON double-quoted strings share (C's too). */
static int escape_common(strbuf *out, unsigned char c)
{
	switch (c) {
	case '"': cad_strbuf_adds(out, "\\\""); return 1;
	case '\\': cad_strbuf_adds(out, "\\\\"); return 1;
	case '\n': cad_strbuf_adds(out, "\\n"); return 1;
	case '\t': cad_strbuf_adds(out, "\\t"); return 1;
	case '\r': cad_strbuf_adds(out, "\\r"); return 1;
	}
	return 0;
}

/* A plain YAML scalar reads back as this very string: safe characters
 * only, and nothing YAML or the format would read as another type (the
 * scalar parsers return NULL when the text IS of their type). */
static int yaml_plain_ok(const char *s, size_t len)
{
	const char *help;
	int b;
	int64_t i;
	double d;
	if (!len || s[0] == '-' || (len >= 3 && !memcmp(s, "...", 3)))
		return 0;
	for (size_t k = 0; k < len; k++) {
		char c = s[k];
		if (!is_word(c) && !(c >= 'A' && c <= 'Z') && c != '.' && c != '/' && c != '-')
			return 0;
	}
	return !cad_scalar_is_null(s, len) && !cad_scalar_is_ambiguous(s, len) &&
	       cad_scalar_bool(s, len, &b, &help) && cad_scalar_int(s, len, &i, &help) &&
	       cad_scalar_number(s, len, &d, &help);
}

static void escape_yaml(strbuf *out, const char *s)
{
	size_t len = strlen(s);
	if (yaml_plain_ok(s, len)) {
		cad_strbuf_add(out, s, len);
		return;
	}
	cad_strbuf_addc(out, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (escape_common(out, c)) {
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			cad_strbuf_addf(out, "\\x%02X", c);
			i++;
		} else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85) {
			cad_strbuf_adds(out, "\\N");	/* YAML 1.1 line breaks */
			i += 2;
		} else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
			cad_strbuf_adds(out, (unsigned char)s[i + 2] == 0xA8 ? "\\L" : "\\P");
			i += 3;
		} else if (c < 0x80) {
			cad_strbuf_addc(out, (char)c);
			i++;
		} else {
			i += add_utf8(out, s + i, len - i);
		}
	}
	cad_strbuf_addc(out, '"');
}

static void escape_sh(strbuf *out, const char *s)
{
	cad_strbuf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			cad_strbuf_adds(out, "'\\''");
		else
			cad_strbuf_addc(out, *s);
	}
	cad_strbuf_addc(out, '\'');
}

static void escape_c(strbuf *out, const char *s)
{
	const char *start = s;
	cad_strbuf_addc(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (escape_common(out, c))
			continue;
		switch (c) {
		case '?':	/* "??/" is a trigraph under -std=c11: no "??" */
			cad_strbuf_adds(out, s[1] == '?' || (s != start && s[-1] == '?') ? "\\?" : "?");
			continue;
		}
		if (c < 0x20 || c >= 0x7F)
			cad_strbuf_addf(out, "\\%03o", c);	/* three digits: never eats the next one */
		else
			cad_strbuf_addc(out, (char)c);
	}
	cad_strbuf_addc(out, '"');
}

static void escape_json(strbuf *out, const char *s)
{
	size_t len = strlen(s);
	cad_strbuf_addc(out, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (escape_common(out, c)) {
			i++;
			continue;
		}
		if (c < 0x20) {
			cad_strbuf_addf(out, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			cad_strbuf_addc(out, (char)c);
			i++;
		} else {
			i += add_utf8(out, s + i, len - i);
		}
	}
	cad_strbuf_addc(out, '"');
}

int cad_render_escape(strbuf *out, const char *filter, const char *value)
{
	if (!strcmp(filter, "yaml"))
		escape_yaml(out, value);
	else if (!strcmp(filter, "sh"))
		escape_sh(out, value);
	else if (!strcmp(filter, "c"))
		escape_c(out, value);
	else if (!strcmp(filter, "json"))
		escape_json(out, value);
	else
		return -1;
	return 0;
}

static const char *lookup(const render_var *vars, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(vars[i].name) == len && !memcmp(vars[i].name, name, len))
			return vars[i].value ? vars[i].value : "";
	return NULL;
}

static unsigned line_of(const char *src, const char *p)
{
	unsigned line = 1;
	for (; src < p; src++)
		line += *src == '\n';
	return line;
}

int cad_render_template(strbuf *out, const char *src, size_t len,
		    const render_var *vars, size_t nvars, strbuf *why)
{
	const char *p = src, *end = src + len;
	while (p < end) {
		const char *open = NULL;
		for (const char *q = p; q + 2 < end; q++)
			if (q[0] == '{' && q[1] == '{' && is_lower(q[2])) {
				open = q;
				break;
			}
		if (!open) {
			cad_strbuf_add(out, p, (size_t)(end - p));
			break;
		}
		cad_strbuf_add(out, p, (size_t)(open - p));
		const char *name = open + 2, *q = name;
		while (q < end && is_word(*q))
			q++;
		size_t nlen = (size_t)(q - name);
		const char *filter = NULL;
		size_t flen = 0;
		if (q < end && *q == '|') {
			filter = ++q;
			while (q < end && is_word(*q))
				q++;
			flen = (size_t)(q - filter);
		}
		if (q + 1 >= end || q[0] != '}' || q[1] != '}') {
			cad_strbuf_addf(why, "line %u: a placeholder is not closed: write {{name}} or {{name|filter}}",
				    line_of(src, open));
			return CADENCE_EINVALID;
		}
		const char *value = lookup(vars, nvars, name, nlen);
		if (!value) {
			cad_strbuf_addf(why, "line %u: unknown variable '%.*s'; the variables are:",
				    line_of(src, open), (int)nlen, name);
			for (size_t i = 0; i < nvars; i++)
				cad_strbuf_addf(why, "%s %s", i ? "," : "", vars[i].name);
			return CADENCE_EINVALID;
		}
		if (filter) {
			char fname[16];
			if (flen >= sizeof(fname))
				flen = sizeof(fname) - 1;
			memcpy(fname, filter, flen);
			fname[flen] = '\0';
			if (cad_render_escape(out, fname, value)) {
				cad_strbuf_addf(why, "line %u: unknown filter '%s'; the filters are yaml, sh, c and json",
					    line_of(src, open), fname);
				return CADENCE_EINVALID;
			}
		} else {
			cad_strbuf_adds(out, value);
		}
		p = q + 2;
	}
	return out->failed || why->failed ? CADENCE_ENOMEM : 0;
}

int cad_render_path(strbuf *out, const char *tpath, const char *name)
{
	static const char mark[] = "__name__", tmpl[] = ".tmpl";
	size_t len = strlen(tpath);
	if (len > sizeof(tmpl) - 1 && !strcmp(tpath + len - (sizeof(tmpl) - 1), tmpl))
		len -= sizeof(tmpl) - 1;
	for (size_t i = 0; i < len;) {
		if (i + sizeof(mark) - 1 <= len && !memcmp(tpath + i, mark, sizeof(mark) - 1)) {
			cad_strbuf_adds(out, name);
			i += sizeof(mark) - 1;
		} else {
			cad_strbuf_addc(out, tpath[i++]);
		}
	}
	return out->failed ? CADENCE_ENOMEM : 0;
}
