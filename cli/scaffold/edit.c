/* SPDX-License-Identifier: MIT */
/* Adding a note to `notes:` without disturbing the file (scaffold/edit.h). */
#include "scaffold/edit.h"

#include "cadence/common.h"
#include "cadence/diag.h"
#include "cadence/load.h"
#include "diag/report.h"
#include "util/arena.h"
#include "yaml/tree.h"

#include <stdlib.h>
#include <string.h>

typedef struct text {
	const char *s;
	size_t len;
	size_t *starts;		/* offset of each line; starts[n] = len */
	unsigned n;
} text;

static int text_lines(text *t, const char *s, size_t len)
{
	unsigned n = 1;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n' && i + 1 < len;
	t->s = s;
	t->len = len;
	t->n = len ? n : 0;
	t->starts = malloc(((size_t)t->n + 2) * sizeof(*t->starts));
	if (!t->starts)
		return CADENCE_ENOMEM;
	unsigned k = 0;
	if (len)
		t->starts[k++] = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n' && i + 1 < len)
			t->starts[k++] = i + 1;
	t->starts[k] = len;
	return 0;
}

/* Byte offset where 1-based line `line` starts (len past the last). */
static size_t line_at(const text *t, unsigned line)
{
	return line >= 1 && line <= t->n ? t->starts[line - 1] : t->len;
}

static unsigned indent_of(const text *t, unsigned line, const char **first)
{
	size_t i = line_at(t, line), end = line_at(t, line + 1);
	unsigned n = 0;
	while (i < end && t->s[i] == ' ')
		i++, n++;
	*first = i < end ? t->s + i : NULL;
	return n;
}

/* Blank, a comment less indented than `indent`, or a document marker:
 * lines that belong to what follows the notes rather than to them. */
static int skippable(const text *t, unsigned line, unsigned indent)
{
	const char *c;
	unsigned ind = indent_of(t, line, &c);
	if (!c || *c == '\r' || *c == '\n')
		return 1;
	if (*c == '#')
		return ind < indent;
	if (ind == 0 && (!strncmp(c, "...", 3) || !strncmp(c, "---", 3)))
		return 1;
	return 0;
}

static int is_comment(const text *t, unsigned line)
{
	const char *c;
	indent_of(t, line, &c);
	return c && *c == '#';
}

typedef struct parsed {
	arena a;
	cadence_diags *diags;
	ynode *root;
} parsed;

static int parse(parsed *p, const char *src, size_t len)
{
	report r;
	ytree_limits lim = { CADENCE_DEFAULT_MAX_DEPTH };
	int rc;
	cad_arena_init(&p->a);
	p->root = NULL;
	if (cadence_diags_new(&p->diags))
		return CADENCE_ENOMEM;
	cad_report_init(&r, p->diags, "<edit>", src, len);
	rc = cad_ytree_parse(&p->root, &p->a, &p->a, &r, src, len, &lim);
	if (!rc && r.oom)
		rc = CADENCE_ENOMEM;
	cad_report_release(&r);
	if (!rc && cadence_diags_errors(p->diags))
		rc = CADENCE_EINVALID;
	return rc;
}

static void parsed_free(parsed *p)
{
	cad_arena_free(&p->a);
	cadence_diags_free(p->diags);
}

static int is_key(const ynode *k, const char *name)
{
	return k->kind == YNODE_SCALAR && k->len == strlen(name) && !memcmp(k->text, name, k->len);
}

static long find_key(const ynode *map, const char *name)
{
	for (size_t i = 0; i < map->count; i++)
		if (is_key(map->items[2 * i], name))
			return (long)i;
	return -1;
}

/* The same document content, positions aside. */
static int same(const ynode *a, const ynode *b)
{
	if (a->kind != b->kind || a->count != b->count || a->style != b->style)
		return 0;
	if (a->kind == YNODE_SCALAR)
		return a->len == b->len && !memcmp(a->text, b->text, a->len);
	size_t n = a->kind == YNODE_MAP ? 2 * a->count : a->count;
	for (size_t i = 0; i < n; i++)
		if (!same(a->items[i], b->items[i]))
			return 0;
	return 1;
}

/* Is `after` the document `before` with only note `name` (nfields
 * fields) added at the end of notes:?  Sets *line to its key's line. */
static int verify(const ynode *before, const ynode *after, const char *name,
		  size_t nfields, unsigned *line)
{
	long k = find_key(before, "notes");
	const ynode *notes = NULL;
	if (!after || after->kind != YNODE_MAP)
		return 0;
	if (k < 0) {
		long nk = find_key(after, "notes");
		if (nk < 0 || after->count != before->count + 1)
			return 0;
		for (size_t i = 0, j = 0; i < after->count; i++) {
			if ((long)i == nk)
				continue;
			if (!same(before->items[2 * j], after->items[2 * i]) ||
			    !same(before->items[2 * j + 1], after->items[2 * i + 1]))
				return 0;
			j++;
		}
		notes = after->items[2 * nk + 1];
		if (notes->kind != YNODE_MAP || notes->count != 1)
			return 0;
	} else {
		if (after->count != before->count)
			return 0;
		for (size_t i = 0; i < after->count; i++)
			if (!same(before->items[2 * i], after->items[2 * i]) ||
			    ((long)i != k && !same(before->items[2 * i + 1], after->items[2 * i + 1])))
				return 0;
		const ynode *old = before->items[2 * k + 1];
		notes = after->items[2 * k + 1];
		size_t had = old->kind == YNODE_MAP ? old->count : 0;
		if (notes->kind != YNODE_MAP || notes->count != had + 1)
			return 0;
		for (size_t i = 0; i < 2 * had; i++)
			if (!same(old->items[i], notes->items[i]))
				return 0;
	}
	const ynode *key = notes->items[2 * (notes->count - 1)];
	const ynode *val = notes->items[2 * (notes->count - 1) + 1];
	if (!is_key(key, name) || val->kind != YNODE_MAP || val->count != nfields)
		return 0;
	*line = key->line;
	return 1;
}

static void add_indent(strbuf *b, unsigned n)
{
	while (n--)
		cad_strbuf_addc(b, ' ');
}

/* Where the note goes and at which indentation, or a reason to refuse. */
typedef struct spot {
	size_t at;		/* byte offset of the insertion */
	int header;		/* write "notes:" first, at header_indent */
	unsigned header_indent, key_indent, field_indent;
} spot;

static int find_spot(const text *t, const ynode *root, const char *name, spot *s,
		     strbuf *why)
{
	long k = find_key(root, "notes");
	memset(s, 0, sizeof(*s));
	if (k < 0) {
		/* a new notes: before measures:, above the comments that
		 * introduce it */
		unsigned base = root->items[0]->col - 1;
		long m = find_key(root, "measures");
		s->header = 1;
		s->header_indent = base;
		s->key_indent = base + 2;
		s->field_indent = base + 4;
		if (m < 0) {
			s->at = t->len;
			return 0;
		}
		unsigned l = root->items[2 * m]->line;
		while (l > 1 && is_comment(t, l - 1))
			l--;
		s->at = line_at(t, l);
		return 0;
	}
	const ynode *key = root->items[2 * k], *notes = root->items[2 * k + 1];
	if (notes->kind == YNODE_SCALAR && notes->style == YSTYLE_PLAIN && !notes->len) {
		s->at = line_at(t, key->line + 1);
		s->key_indent = key->col - 1 + 2;
		s->field_indent = s->key_indent + 2;
		return 0;
	}
	if (notes->kind != YNODE_MAP) {
		cad_strbuf_addf(why, "'notes:' on line %u is not a mapping of notes", key->line);
		return CADENCE_EINVALID;
	}
	if (notes->style == YSTYLE_FLOW) {
		cad_strbuf_addf(why, "'notes:' on line %u is a flow mapping ({...}); --into adds to a "
			    "block mapping only: add the note by hand, or write one note per line",
			    key->line);
		return CADENCE_EINVALID;
	}
	for (size_t i = 0; i < notes->count; i++)
		if (is_key(notes->items[2 * i], name)) {
			cad_strbuf_addf(why, "the file already has a note '%s' (line %u); "
				    "choose another name or edit that note",
				    name, notes->items[2 * i]->line);
			return CADENCE_EINVALID;
		}
	s->key_indent = notes->items[0]->col - 1;
	s->field_indent = s->key_indent + 2;
	for (size_t i = 0; i < notes->count; i++) {
		const ynode *v = notes->items[2 * i + 1];
		if (v->kind == YNODE_MAP && v->style != YSTYLE_FLOW && v->count) {
			s->field_indent = v->items[0]->col - 1;
			break;
		}
	}
	/* the notes end where the next top-level key starts, less the blank
	 * lines and outer comments before it */
	unsigned last = notes->items[2 * (notes->count - 1)]->line;
	unsigned next = (size_t)k + 1 < root->count ? root->items[2 * (k + 1)]->line : t->n + 1;
	unsigned l = next - 1;
	while (l > last && skippable(t, l, s->key_indent))
		l--;
	s->at = line_at(t, l + 1);
	return 0;
}

int cad_edit_add_note(const char *src, size_t len, const char *name,
		  const char *const *fields, size_t nfields,
		  char **out, size_t *out_len, unsigned *line, strbuf *why)
{
	size_t bom = len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3) ? 3 : 0;
	parsed before, after;
	text t = { 0 };
	strbuf b = STRBUF_INIT;
	spot s;
	int rc;

	*out = NULL;
	*out_len = 0;
	memset(&after, 0, sizeof(after));
	rc = parse(&before, src + bom, len - bom);
	if (rc == CADENCE_EINVALID || (!rc && !before.root)) {
		cad_strbuf_adds(why, "the file is not valid YAML; run 'cadence validate' on it");
		rc = CADENCE_EINVALID;
		goto out;
	}
	if (rc)
		goto out;
	if (before.root->kind != YNODE_MAP || before.root->style == YSTYLE_FLOW ||
	    !before.root->count) {
		cad_strbuf_adds(why, "the file is not a cadence written as a block mapping");
		rc = CADENCE_EINVALID;
		goto out;
	}
	if ((rc = text_lines(&t, src + bom, len - bom)) ||
	    (rc = find_spot(&t, before.root, name, &s, why)))
		goto out;

	const char *eol = memchr(src, '\n', len);
	const char *nl = eol && eol > src && eol[-1] == '\r' ? "\r\n" : "\n";
	size_t at = bom + s.at;
	cad_strbuf_add(&b, src, at);
	if (at > bom && src[at - 1] != '\n')
		cad_strbuf_adds(&b, nl);
	if (s.header) {
		add_indent(&b, s.header_indent);
		cad_strbuf_addf(&b, "notes:%s", nl);
	}
	add_indent(&b, s.key_indent);
	cad_strbuf_addf(&b, "%s:%s", name, nl);
	for (size_t i = 0; i < nfields; i++) {
		add_indent(&b, s.field_indent);
		cad_strbuf_addf(&b, "%s%s", fields[i], nl);
	}
	cad_strbuf_add(&b, src + at, len - at);
	if (b.failed) {
		rc = CADENCE_ENOMEM;
		goto out;
	}
	rc = parse(&after, b.buf + bom, b.len - bom);
	if (rc == CADENCE_ENOMEM)
		goto out;
	if (rc || !verify(before.root, after.root, name, nfields, line)) {
		cad_strbuf_adds(why, "adding the note there would change more of the file than the "
			    "note (a block scalar or document marker at the end of notes:?); "
			    "add it by hand");
		rc = CADENCE_EINVALID;
		goto out;
	}
	*out_len = b.len;
	*out = cad_strbuf_detach(&b);
	rc = *out ? 0 : CADENCE_ENOMEM;
out:
	free(t.starts);
	cad_strbuf_free(&b);
	parsed_free(&before);
	if (after.diags)
		parsed_free(&after);
	return rc;
}
