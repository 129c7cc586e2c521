/* SPDX-License-Identifier: MIT */
/* The lexer: source bytes to tokens, strings decoded, numbers read. */
#include "expr/expr_int.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lexer {
	const char *src;
	size_t len, pos;
	arena *ar;
	cadence_expr_error *err;
	token *toks;
	size_t n, cap;
} lexer;

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_value(int c)
{
	return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

static int is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident(int c)
{
	return is_ident_start(c) || is_digit(c);
}

static int at(const lexer *l, size_t i)
{
	return l->pos + i < l->len ? (unsigned char)l->src[l->pos + i] : -1;
}

static token *push(lexer *l, tkind kind, size_t off, size_t len)
{
	if (CAD_GROW(l->toks, l->cap, l->n + 1, 32))
		return NULL;
	token *t = &l->toks[l->n++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->off = (uint32_t)off;
	t->len = (uint32_t)len;
	return t;
}

/* The character at src[off] for a message: printable ASCII as is, others
 * as U+XXXX; `*n` gets its length in bytes (1 for an invalid byte). */
static void describe_char(const lexer *l, size_t off, char *buf, size_t size, size_t *n)
{
	uint32_t cp = 0;
	size_t k = cad_utf8_decode((const unsigned char *)l->src + off, l->len - off, &cp);
	if (!k) {
		snprintf(buf, size, "byte 0x%02X (not UTF-8)", (unsigned char)l->src[off]);
		*n = 1;
	} else if (cp >= 0x21 && cp < 0x7F) {
		snprintf(buf, size, "'%c'", (int)cp);
		*n = 1;
	} else if (k > 1) {
		snprintf(buf, size, "'%.*s' (U+%04X)", (int)k, l->src + off, (unsigned)cp);
		*n = k;
	} else {
		snprintf(buf, size, "U+%04X", (unsigned)cp);
		*n = 1;
	}
}

static int fail_char(lexer *l, size_t off, const char *what)
{
	char d[64];
	size_t n;
	describe_char(l, off, d, sizeof(d), &n);
	cad_expr_error_at(l->err, l->src, l->len, off, n, "%s %s", what, d);
	return CADENCE_EINVALID;
}

/* ---- numbers ---- */

static int lex_number(lexer *l)
{
	size_t start = l->pos;
	int is_double = 0;

	if (at(l, 0) == '0' && (at(l, 1) == 'x' || at(l, 1) == 'X')) {
		l->pos += 2;
		if (!is_hex(at(l, 0))) {
			cad_expr_error_at(l->err, l->src, l->len, start, 2,
				      "a hexadecimal number needs digits after '0x'");
			return CADENCE_EINVALID;
		}
		uint64_t mag = 0;
		int over = 0;
		while (is_hex(at(l, 0))) {
			if (mag > (UINT64_C(1) << 63) >> 4)
				over = 1;
			mag = mag * 16 + (uint64_t)hex_value(at(l, 0));
			l->pos++;
		}
		if (over || mag > (UINT64_C(1) << 63)) {
			cad_expr_error_at(l->err, l->src, l->len, start, l->pos - start,
				      "integer literal out of range (integers are 64-bit)");
			return CADENCE_EINVALID;
		}
		if (is_ident(at(l, 0)))
			goto trailing;
		token *t = push(l, TK_INT, start, l->pos - start);
		if (!t)
			return CADENCE_ENOMEM;
		t->u.mag = mag;
		return 0;
	}
	while (is_digit(at(l, 0)))
		l->pos++;
	if (at(l, 0) == '.' && is_digit(at(l, 1))) {
		is_double = 1;
		l->pos++;
		while (is_digit(at(l, 0)))
			l->pos++;
	}
	if (at(l, 0) == 'e' || at(l, 0) == 'E') {
		size_t e = l->pos;
		l->pos++;
		if (at(l, 0) == '+' || at(l, 0) == '-')
			l->pos++;
		if (!is_digit(at(l, 0))) {
			cad_expr_error_at(l->err, l->src, l->len, e, l->pos - e,
				      "an exponent needs digits");
			return CADENCE_EINVALID;
		}
		while (is_digit(at(l, 0)))
			l->pos++;
		is_double = 1;
	}
	if (is_ident(at(l, 0)))
		goto trailing;
	size_t n = l->pos - start;
	if (is_double) {
		char *copy = cad_arena_strndup(l->ar, l->src + start, n);
		if (!copy)
			return CADENCE_ENOMEM;
		double d = strtod(copy, NULL);
		if (isinf(d)) {
			cad_expr_error_at(l->err, l->src, l->len, start, n,
				      "double literal out of range");
			return CADENCE_EINVALID;
		}
		token *t = push(l, TK_DOUBLE, start, n);
		if (!t)
			return CADENCE_ENOMEM;
		t->u.d = d;
		return 0;
	}
	uint64_t mag = 0;
	for (size_t i = start; i < l->pos; i++) {
		unsigned dgt = (unsigned)(l->src[i] - '0');
		if (mag > ((UINT64_C(1) << 63) - dgt) / 10) {
			cad_expr_error_at(l->err, l->src, l->len, start, n,
				      "integer literal out of range (integers are 64-bit)");
			return CADENCE_EINVALID;
		}
		mag = mag * 10 + dgt;
	}
	token *t = push(l, TK_INT, start, n);
	if (!t)
		return CADENCE_ENOMEM;
	t->u.mag = mag;
	return 0;

trailing:
	if ((at(l, 0) == 'u' || at(l, 0) == 'U') && !is_ident(at(l, 1))) {
		cad_expr_error_at(l->err, l->src, l->len, start, l->pos + 1 - start,
			      "unsigned integers are not supported");
		cad_expr_error_help(l->err, "write %.*s", (int)(l->pos - start), l->src + start);
		return CADENCE_EINVALID;
	}
	return fail_char(l, l->pos, "unexpected character after a number:");
}

/* ---- strings ---- */


/* An escape at l->pos (the backslash): its code point into *cp. */
static int lex_escape(lexer *l, uint32_t *cp)
{
	size_t start = l->pos;
	int c = at(l, 1);
	size_t digits = 0, base = 16;

	switch (c) {
	case 'a': *cp = 7; break;
	case 'b': *cp = 8; break;
	case 'f': *cp = 12; break;
	case 'n': *cp = 10; break;
	case 'r': *cp = 13; break;
	case 't': *cp = 9; break;
	case 'v': *cp = 11; break;
	case '\\': case '\'': case '"': case '`': case '?': *cp = (uint32_t)c; break;
	case 'x': case 'X': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default:
		if (c >= '0' && c <= '3') {
			digits = 3;
			base = 8;
			break;
		}
		if (c < 0) {
			cad_expr_error_at(l->err, l->src, l->len, start, 1, "unterminated string");
			return CADENCE_EINVALID;
		}
		{
			char d[64];
			size_t n;
			describe_char(l, start + 1, d, sizeof(d), &n);
			cad_expr_error_at(l->err, l->src, l->len, start, 1 + n,
				      "unknown escape \\%s", d);
			cad_expr_error_help(l->err, "escapes are \\n \\t \\r \\\\ \\' \\\" \\xHH "
					"\\uHHHH \\UHHHHHHHH; write \\\\ for a backslash");
		}
		return CADENCE_EINVALID;
	}
	if (!digits) {
		l->pos += 2;
		return 0;
	}
	size_t i = base == 8 ? 1 : 2;
	uint32_t v = 0;
	for (size_t k = 0; k < digits; k++, i++) {
		int d = at(l, i);
		int ok = base == 8 ? (d >= '0' && d <= '7') : is_hex(d);
		if (!ok) {
			cad_expr_error_at(l->err, l->src, l->len, start, i,
				      "the escape \\%c needs %zu %s digits", c,
				      base == 8 ? (size_t)3 : digits,
				      base == 8 ? "octal" : "hexadecimal");
			return CADENCE_EINVALID;
		}
		v = v * (uint32_t)base + (uint32_t)(base == 8 ? d - '0' : hex_value(d));
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || v == 0) {
		cad_expr_error_at(l->err, l->src, l->len, start, i,
			      v == 0 ? "strings cannot hold the NUL character"
				     : "the escape is not a Unicode scalar value (a surrogate "
				       "or above U+10FFFF)");
		return CADENCE_EINVALID;
	}
	*cp = v;
	l->pos += i;
	return 0;
}

static int lex_string(lexer *l, int raw)
{
	size_t start = l->pos;
	if (raw)
		l->pos++;
	int q = at(l, 0);
	int triple = at(l, 1) == q && at(l, 2) == q;
	l->pos += triple ? 3 : 1;
	/* decoded text is never longer than its source: find where that ends
	 * (an upper bound; the decoding below says what is wrong in it) */
	size_t end = l->pos;
	while (end < l->len) {
		char c = l->src[end];
		if (c == q && (!triple || (end + 2 < l->len && l->src[end + 1] == q &&
					   l->src[end + 2] == q)))
			break;
		if (!triple && (c == '\n' || c == '\r'))
			break;
		end += c == '\\' && !raw && end + 1 < l->len ? 2 : 1;
	}
	char *out = cad_arena_alloc(l->ar, end - l->pos + 1);
	size_t n = 0;
	if (!out)
		return CADENCE_ENOMEM;
	for (;;) {
		int c = at(l, 0);
		if (c < 0 || (!triple && (c == '\n' || c == '\r'))) {
			cad_expr_error_at(l->err, l->src, l->len, start, raw ? 2 : 1,
				      "unterminated string");
			if (c >= 0)
				cad_expr_error_help(l->err, "a quoted string ends on its line; write \\n "
						"for a newline, or use '''...'''");
			return CADENCE_EINVALID;
		}
		if (c == q && (!triple || (at(l, 1) == q && at(l, 2) == q))) {
			l->pos += triple ? 3 : 1;
			break;
		}
		if (c == '\\' && !raw) {
			uint32_t cp;
			int rc = lex_escape(l, &cp);
			if (rc)
				return rc;
			n += cad_utf8_encode(cp, out + n);
			continue;
		}
		if (c == 0) {
			cad_expr_error_at(l->err, l->src, l->len, l->pos, 1,
				      "strings cannot hold the NUL character");
			return CADENCE_EINVALID;
		}
		uint32_t cp;
		size_t k = cad_utf8_decode((const unsigned char *)l->src + l->pos, l->len - l->pos, &cp);
		if (!k)
			return fail_char(l, l->pos, "invalid text in a string:");
		memcpy(out + n, l->src + l->pos, k);
		n += k;
		l->pos += k;
	}
	out[n] = '\0';
	token *t = push(l, TK_STRING, start, l->pos - start);
	if (!t)
		return CADENCE_ENOMEM;
	t->u.str.s = out;
	t->u.str.n = (uint32_t)n;
	return 0;
}

/* ---- words and operators ---- */

static const char *const reserved[] = {
	"as", "break", "const", "continue", "else", "for", "function", "if", "import",
	"let", "loop", "package", "namespace", "return", "var", "void", "while",
};

static int lex_word(lexer *l)
{
	size_t start = l->pos;
	while (is_ident(at(l, 0)))
		l->pos++;
	size_t n = l->pos - start;
	const char *w = l->src + start;
	tkind kind = TK_IDENT;
	if (n == 4 && !memcmp(w, "null", 4))
		kind = TK_NULL;
	else if (n == 4 && !memcmp(w, "true", 4))
		kind = TK_TRUE;
	else if (n == 5 && !memcmp(w, "false", 5))
		kind = TK_FALSE;
	else if (n == 2 && !memcmp(w, "in", 2))
		kind = TK_IN;
	for (size_t i = 0; kind == TK_IDENT && i < sizeof(reserved) / sizeof(*reserved); i++) {
		if (strlen(reserved[i]) == n && !memcmp(w, reserved[i], n)) {
			cad_expr_error_at(l->err, l->src, l->len, start, n,
				      "'%.*s' is a reserved word", (int)n, w);
			return CADENCE_EINVALID;
		}
	}
	token *t = push(l, kind, start, n);
	if (!t)
		return CADENCE_ENOMEM;
	t->u.str.s = w;
	t->u.str.n = (uint32_t)n;
	return 0;
}

static int lex_op(lexer *l)
{
	static const struct {
		char s[3];
		tkind kind;
	} ops[] = {
		{ "<=", TK_LE }, { ">=", TK_GE }, { "==", TK_EQ }, { "!=", TK_NE },
		{ "&&", TK_AND }, { "||", TK_OR }, { "<", TK_LT }, { ">", TK_GT },
		{ "!", TK_BANG }, { "(", TK_LPAREN }, { ")", TK_RPAREN }, { "[", TK_LBRACK },
		{ "]", TK_RBRACK }, { "{", TK_LBRACE }, { "}", TK_RBRACE }, { ".", TK_DOT },
		{ ",", TK_COMMA }, { ":", TK_COLON }, { "?", TK_QUESTION }, { "+", TK_PLUS },
		{ "-", TK_MINUS }, { "*", TK_STAR }, { "/", TK_SLASH }, { "%", TK_PERCENT },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++) {
		size_t n = strlen(ops[i].s);
		if (l->len - l->pos >= n && !memcmp(l->src + l->pos, ops[i].s, n)) {
			if (!push(l, ops[i].kind, l->pos, n))
				return CADENCE_ENOMEM;
			l->pos += n;
			return 0;
		}
	}
	int c = at(l, 0);
	const char *help = NULL;
	if (c == '=')
		help = "use '==' to compare";
	else if (c == '&')
		help = "use '&&' for \"and\"";
	else if (c == '|')
		help = "use '||' for \"or\"";
	else if (c == 0)
		return fail_char(l, l->pos, "unexpected NUL character:");
	fail_char(l, l->pos, "unexpected character");
	if (help)
		cad_expr_error_help(l->err, "%s", help);
	return CADENCE_EINVALID;
}

int cad_expr_lex(const char *src, size_t len, arena *ar, token **out, size_t *ntok,
	     cadence_expr_error *err)
{
	lexer l = { .src = src, .len = len, .ar = ar, .err = err };
	int rc = 0;

	*out = NULL;
	*ntok = 0;
	while (!rc) {
		int c = at(&l, 0);
		if (c < 0)
			break;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			l.pos++;
		} else if (c == '/' && at(&l, 1) == '/') {
			while (at(&l, 0) >= 0 && at(&l, 0) != '\n')
				l.pos++;
		} else if (is_digit(c) || (c == '.' && is_digit(at(&l, 1)))) {
			rc = lex_number(&l);
		} else if (c == '"' || c == '\'') {
			rc = lex_string(&l, 0);
		} else if ((c == 'r' || c == 'R') && (at(&l, 1) == '"' || at(&l, 1) == '\'')) {
			rc = lex_string(&l, 1);
		} else if (is_ident_start(c)) {
			rc = lex_word(&l);
		} else {
			rc = lex_op(&l);
		}
	}
	if (!rc && !push(&l, TK_EOF, len, 0))
		rc = CADENCE_ENOMEM;
	if (rc) {
		free(l.toks);
		return rc;
	}
	*out = l.toks;
	*ntok = l.n;
	return 0;
}
