/* SPDX-License-Identifier: MIT */
/*
 * Label text for Mermaid and DOT.  Labels are user text (descriptions,
 * conditions, paths), so the rule is a short list of characters that pass
 * as they are and an escape for everything else; the output is ASCII in
 * both languages, whatever the input.  docs/diagram.md explains the
 * choices; tests/diagram/hostile* try to break them in the real renderers.
 */
#include "diagram/diagram_int.h"
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

#define REPLACEMENT 0xFFFDu

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Calls emit(out, cp) for each code point of s: a CRLF, a CR, NEL, U+2028
 * and U+2029 are '\n', a tab a space; other control characters, bidi
 * embeddings, overrides and isolates (which could make a label read other
 * than it is stored) and each byte of an invalid sequence are U+FFFD.  So
 * the writers only see printable text and '\n'. */
static void each_char(strbuf *out, const char *s, const char *literal,
		      void (*emit)(strbuf *, uint32_t))
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		/* a run of characters that pass as they are, in one append */
		size_t run = 0;
		while (i + run < len && (is_alnum((unsigned char)s[i + run]) ||
					 strchr(literal, s[i + run])))
			run++;
		if (run) {
			cad_strbuf_add(out, s + i, run);
			i += run;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		uint32_t cp = c;
		size_t n = 1;
		if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
			n = 2;
		if (c == '\r')
			cp = '\n';
		else if (c == '\t')
			cp = ' ';
		else if ((c < 0x20 && c != '\n') || c == 0x7f)
			cp = REPLACEMENT;
		else if (c >= 0x80 && !(n = cad_utf8_decode((const unsigned char *)s + i, len - i, &cp))) {
			n = 1;
			cp = REPLACEMENT;
		}
		if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
			cp = '\n';	/* NEL, line and paragraph separators */
		else if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			cp = REPLACEMENT;	/* bidi overrides: text must read as stored */
		emit(out, cp);
		i += n;
	}
}

/*
 * Mermaid: inside "...", with Mermaid's entity codes (#NNN;, decimal).
 * Besides the quote that ends the string, Mermaid reads the whole text
 * before it parses it: `%%{...}%%` directives and `%%` comments are found
 * anywhere, `#word;` is an entity, and a line holding `style`, then `:`
 * and `#...;` loses its last `;` (mermaid's encodeEntities).  So `%`, `#`,
 * `;` and `:` are escaped too, and so are `<>&` (labels are HTML), the
 * backtick (a "`...`" string is Markdown), `|` (edge labels), `{}` and the
 * backslash.
 */
static const char mermaid_literal[] = " _-.,/+*=!?'()[]@$^~";

static void mermaid_char(strbuf *out, uint32_t cp)
{
	if (cp == '\n')
		cad_strbuf_adds(out, "<br>");
	else if (cp == ' ')
		cad_strbuf_addc(out, ' ');
	else
		cad_strbuf_addf(out, "#%lu;", (unsigned long)cp);
}

void cad_dg_escape_mermaid(strbuf *out, const char *s)
{
	each_char(out, s, mermaid_literal, mermaid_char);
}

/*
 * DOT: inside "...".  The quote and the backslash are escaped with a
 * backslash (so `\N`, `\G`, `\l` in user text stay text); a line break is
 * `\n`; `&`, `<`, `>` are HTML entities, which Graphviz decodes in every
 * label.  Other text is UTF-8, valid by then (Graphviz's default charset):
 * not entities, because Graphviz 2.42 turns an entity above U+FFFF into
 * invalid UTF-8.
 */
static void dot_char(strbuf *out, uint32_t cp)
{
	switch (cp) {
	case '\n': cad_strbuf_adds(out, "\\n"); return;
	case '"': cad_strbuf_adds(out, "\\\""); return;
	case '\\': cad_strbuf_adds(out, "\\\\"); return;
	case '&': cad_strbuf_adds(out, "&amp;"); return;
	case '<': cad_strbuf_adds(out, "&lt;"); return;
	case '>': cad_strbuf_adds(out, "&gt;"); return;
	}
	char u[4];
	cad_strbuf_add(out, u, cad_utf8_encode(cp, u));
}

void cad_dg_escape_dot(strbuf *out, const char *s)
{
	/* printable ASCII but the four escaped above */
	static const char literal[] = " !#$%'()*+,-./:;=?@[]^_`{|}~";
	each_char(out, s, literal, dot_char);
}

/* Names in a loaded file are identifiers already; a name built in code
 * may not be, and then each other byte becomes _HH (after a `u`, so it
 * cannot meet an identifier's id).  Ids are made unique afterwards. */
void cad_dg_id_part(strbuf *out, const char *name)
{
	int ident = (name[0] && !(name[0] >= '0' && name[0] <= '9'));
	for (const char *p = name; *p && ident; p++)
		ident = is_alnum((unsigned char)*p) || *p == '_';
	if (ident) {
		cad_strbuf_adds(out, name);
		return;
	}
	cad_strbuf_addc(out, 'u');
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (is_alnum(*p))
			cad_strbuf_addc(out, (char)*p);
		else
			cad_strbuf_addf(out, "_%02X", (unsigned)*p);
	}
}
