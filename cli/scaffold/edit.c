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

/* Is top-level mapping `after` the mapping `before` with only the value
 * of `key` changed, or `key` added when `before` has none?  Sets *old
 * (NULL when added) and *now to the values of `key`. */
static int same_but(const ynode *before, const ynode *after, const char *key,
		    const ynode **old, const ynode **now)
{
	long k = find_key(before, key), nk;
	if (!after || after->kind != YNODE_MAP || (nk = find_key(after, key)) < 0 ||
	    after->count != before->count + (k < 0))
		return 0;
	for (size_t i = 0, j = 0; i < after->count; i++) {
		if ((long)i == nk) {
			if (k >= 0 && !same(before->items[2 * j++], after->items[2 * i]))
				return 0;
			continue;
		}
		if (!same(before->items[2 * j], after->items[2 * i]) ||
		    !same(before->items[2 * j + 1], after->items[2 * i + 1]))
			return 0;
		j++;
	}
	*old = k < 0 ? NULL : before->items[2 * k + 1];
	*now = after->items[2 * nk + 1];
	return 1;
}

/* Is `after` the document `before` with only note `name` (nfields
 * fields) added at the end of notes:?  Sets *line to its key's line. */
static int verify(const ynode *before, const ynode *after, const char *name,
		  size_t nfields, unsigned *line)
{
	const ynode *old, *notes;
	if (!same_but(before, after, "notes", &old, &notes))
		return 0;
	size_t had = old && old->kind == YNODE_MAP ? old->count : 0;
	if (notes->kind != YNODE_MAP || notes->count != had + 1)
		return 0;
	for (size_t i = 0; i < 2 * had; i++)
		if (!same(old->items[i], notes->items[i]))
			return 0;
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

/* One edit: the text before it, parsed, and the text after it. */
typedef struct edit {
	const char *src;
	size_t len, bom;
	const char *nl;		/* the file's line end */
	text t;			/* of src after the BOM */
	parsed before, after;
	int parsed_after;
	strbuf b;		/* the edited text */
} edit;

/* Parses the text to edit, which must be a cadence in block style. */
static int edit_begin(edit *e, const char *src, size_t len, strbuf *why)
{
	memset(e, 0, sizeof(*e));
	e->src = src;
	e->len = len;
	e->bom = len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3) ? 3 : 0;
	const char *eol = memchr(src, '\n', len);
	e->nl = eol && eol > src && eol[-1] == '\r' ? "\r\n" : "\n";
	int rc = parse(&e->before, src + e->bom, len - e->bom);
	if (rc == CADENCE_EINVALID || (!rc && !e->before.root)) {
		cad_strbuf_adds(why, "the file is not valid YAML; run 'cadence validate' on it");
		return CADENCE_EINVALID;
	}
	if (rc)
		return rc;
	const ynode *root = e->before.root;
	if (root->kind != YNODE_MAP || root->style == YSTYLE_FLOW || !root->count) {
		cad_strbuf_adds(why, "the file is not a cadence written as a block mapping");
		return CADENCE_EINVALID;
	}
	return text_lines(&e->t, src + e->bom, len - e->bom);
}

/* Inserts `lines` ('\n'-terminated, written with the file's line ends)
 * at byte `at` of the text after the BOM, and parses the result. */
static int edit_insert(edit *e, size_t at, const char *lines)
{
	at += e->bom;
	cad_strbuf_add(&e->b, e->src, at);
	if (at > e->bom && e->src[at - 1] != '\n')
		cad_strbuf_adds(&e->b, e->nl);
	for (const char *l = lines; *l; l++)
		if (*l == '\n')
			cad_strbuf_adds(&e->b, e->nl);
		else
			cad_strbuf_addc(&e->b, *l);
	cad_strbuf_add(&e->b, e->src + at, e->len - at);
	if (e->b.failed)
		return CADENCE_ENOMEM;
	e->parsed_after = 1;
	int rc = parse(&e->after, e->b.buf + e->bom, e->b.len - e->bom);
	return rc == CADENCE_ENOMEM ? rc : 0;
}

static int edit_done(edit *e, int rc, char **out, size_t *out_len)
{
	if (!rc) {
		*out_len = e->b.len;
		*out = cad_strbuf_detach(&e->b);
		rc = *out ? 0 : CADENCE_ENOMEM;
	}
	free(e->t.starts);
	cad_strbuf_free(&e->b);
	parsed_free(&e->before);
	if (e->parsed_after)
		parsed_free(&e->after);
	return rc;
}

int cad_edit_add_note(const char *src, size_t len, const char *name,
		  const char *const *fields, size_t nfields,
		  char **out, size_t *out_len, unsigned *line, strbuf *why)
{
	edit e;
	strbuf lines = STRBUF_INIT;
	spot s;
	int rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = edit_begin(&e, src, len, why)) ||
	    (rc = find_spot(&e.t, e.before.root, name, &s, why)))
		return edit_done(&e, rc, out, out_len);
	if (s.header) {
		add_indent(&lines, s.header_indent);
		cad_strbuf_adds(&lines, "notes:\n");
	}
	add_indent(&lines, s.key_indent);
	cad_strbuf_addf(&lines, "%s:\n", name);
	for (size_t i = 0; i < nfields; i++) {
		add_indent(&lines, s.field_indent);
		cad_strbuf_addf(&lines, "%s\n", fields[i]);
	}
	rc = lines.failed ? CADENCE_ENOMEM : edit_insert(&e, s.at, lines.buf);
	cad_strbuf_free(&lines);
	if (!rc && !verify(e.before.root, e.after.root, name, nfields, line)) {
		cad_strbuf_adds(why, "adding the note there would change more of the file than the "
			    "note (a block scalar or document marker at the end of notes:?); "
			    "add it by hand");
		rc = CADENCE_EINVALID;
	}
	return edit_done(&e, rc, out, out_len);
}

/* ---- measures ------------------------------------------------------------------ */

static const char *const kind_keys[] = { "then", "sync", "split", "sequence", "child", "dag" };

static const char *measure_name(const ynode *m)
{
	if (m->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < sizeof(kind_keys) / sizeof(kind_keys[0]); i++) {
		long k = find_key(m, kind_keys[i]);
		if (k >= 0 && m->items[2 * k + 1]->kind == YNODE_SCALAR)
			return m->items[2 * k + 1]->text;
	}
	return NULL;
}

/* The column (0-based) of the '-' that starts the item at line:col, by
 * going back over the spaces and line ends before it; -1 when there is
 * none (a flow sequence). */
static long dash_of(const text *t, const ynode *item, unsigned *line)
{
	size_t i = line_at(t, item->line) + item->col - 1;
	unsigned l = item->line;
	while (i > 0) {
		char c = t->s[--i];
		if (c == '-')
			break;
		if (c == '\n')
			l--;
		else if (c != ' ' && c != '\r')
			return -1;
	}
	if (t->s[i] != '-')
		return -1;
	*line = l;
	return (long)(i - line_at(t, l));
}

/* Where the measure goes: after item `after` of measures: (its last when
 * `after` is NULL), at the sequence's indentation. */
static int measure_spot(const text *t, const ynode *root, const char *after, size_t *at,
			unsigned *indent, int *header, size_t *index, strbuf *why)
{
	long k = find_key(root, "measures");
	*header = 0;
	if (k < 0) {
		/* a new measures: at the end of the file */
		*header = 1;
		*indent = root->items[0]->col - 1 + 2;
		*at = t->len;
		*index = 0;
		return 0;
	}
	const ynode *key = root->items[2 * k], *seq = root->items[2 * k + 1];
	if (seq->kind == YNODE_SCALAR && seq->style == YSTYLE_PLAIN && !seq->len) {
		*at = line_at(t, key->line + 1);
		*indent = key->col - 1 + 2;
		*index = 0;
		return 0;
	}
	unsigned dash_line;
	long dash = seq->kind == YNODE_SEQ && seq->count ? dash_of(t, seq->items[0], &dash_line) : -1;
	if (seq->kind != YNODE_SEQ || seq->style == YSTYLE_FLOW || dash < 0) {
		cad_strbuf_addf(why, "'measures:' on line %u is not a block list (- then: ...); "
			    "add the measure by hand", key->line);
		return CADENCE_EINVALID;
	}
	size_t i = seq->count - 1;
	if (after) {
		for (i = 0; i < seq->count; i++) {
			const char *n = measure_name(seq->items[i]);
			if (n && !strcmp(n, after))
				break;
		}
		if (i == seq->count)
			return CADENCE_ENOTFOUND;
	}
	*indent = (unsigned)dash;
	*index = i + 1;
	/* the item ends where the next one (or the next top-level key)
	 * starts, less the blank lines and outer comments before it */
	unsigned next = (size_t)k + 1 < root->count ? root->items[2 * (k + 1)]->line : t->n + 1;
	if (i + 1 < seq->count && dash_of(t, seq->items[i + 1], &next) < 0)
		return CADENCE_EINVALID;
	unsigned l = next - 1;
	while (l > seq->items[i]->line && skippable(t, l, *indent + 2))
		l--;
	*at = line_at(t, l + 1);
	return 0;
}

/* Is `after` `before` with only `- then: name` added as item `index` of
 * measures:?  Sets *line to its line. */
static int verify_measure(const ynode *before, const ynode *after, const char *name,
			  size_t index, unsigned *line)
{
	const ynode *old, *seq;
	if (!same_but(before, after, "measures", &old, &seq))
		return 0;
	size_t had = old && old->kind == YNODE_SEQ ? old->count : 0;
	if (seq->kind != YNODE_SEQ || seq->count != had + 1)
		return 0;
	for (size_t i = 0, j = 0; i < seq->count; i++)
		if (i != index && !same(old->items[j++], seq->items[i]))
			return 0;
	const ynode *m = seq->items[index];
	if (m->kind != YNODE_MAP || m->count != 1 || !is_key(m->items[0], "then") ||
	    !is_key(m->items[1], name))
		return 0;
	*line = m->line;
	return 1;
}

int cad_edit_add_measure(const char *src, size_t len, const char *name, const char *after,
			 char **out, size_t *out_len, unsigned *line, strbuf *why)
{
	edit e;
	strbuf lines = STRBUF_INIT;
	size_t at, index;
	unsigned indent;
	int header, rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = edit_begin(&e, src, len, why)) ||
	    (rc = measure_spot(&e.t, e.before.root, after, &at, &indent, &header, &index, why)))
		return edit_done(&e, rc, out, out_len);
	if (header) {
		add_indent(&lines, indent - 2);
		cad_strbuf_adds(&lines, "measures:\n");
	}
	add_indent(&lines, indent);
	cad_strbuf_addf(&lines, "- then: %s\n", name);
	rc = lines.failed ? CADENCE_ENOMEM : edit_insert(&e, at, lines.buf);
	cad_strbuf_free(&lines);
	if (!rc && !verify_measure(e.before.root, e.after.root, name, index, line)) {
		cad_strbuf_adds(why, "adding the measure there would change more of the file than "
			    "the measure (a block scalar or document marker at the end of "
			    "measures:?); add it by hand");
		rc = CADENCE_EINVALID;
	}
	return edit_done(&e, rc, out, out_len);
}

size_t cad_edit_measure_names(const char *src, size_t len, strbuf *out)
{
	size_t bom = len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3) ? 3 : 0, n = 0;
	parsed p;
	if (!parse(&p, src + bom, len - bom) && p.root && p.root->kind == YNODE_MAP) {
		long k = find_key(p.root, "measures");
		const ynode *seq = k < 0 ? NULL : p.root->items[2 * k + 1];
		for (size_t i = 0; seq && seq->kind == YNODE_SEQ && i < seq->count; i++) {
			const char *m = measure_name(seq->items[i]);
			if (m)
				cad_strbuf_addf(out, "%s%s", n++ ? ", " : "", m);
		}
	}
	parsed_free(&p);
	return n;
}
