/* SPDX-License-Identifier: MIT */
#include "yaml/tree.h"
#include "cadence/common.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

_Static_assert(sizeof(ynode) <= 48,
	       "a node stays small: big files have hundreds of thousands");

/* Children of every open collection share one stack: a collection's items
 * are copied into the arena when it closes. */
typedef struct builder {
	arena *a;
	arena *text;		/* scalars' texts */
	report *r;
	ynode **items;
	size_t n, cap;
	size_t *frames;		/* index in items where each open collection starts */
	ynode **open;		/* the open collections */
	size_t depth, frames_cap;
	size_t max_depth;
	/* lines that hold block scalars: tabs there are content */
	unsigned *block_from, *block_to;
	size_t nblocks, blocks_cap;
	int oom;
} builder;

static int push_item(builder *b, ynode *node)
{
	if (CAD_GROW(b->items, b->cap, b->n + 1, 256))
		return CADENCE_ENOMEM;
	b->items[b->n++] = node;
	return 0;
}

static int note_block(builder *b, unsigned from, unsigned to)
{
	if (b->nblocks == b->blocks_cap) {
		size_t cap = cad_grow_cap(b->blocks_cap, b->nblocks + 1, sizeof(unsigned), 16);
		unsigned *f = cap ? cad_realloc_array(b->block_from, cap, sizeof(*f)) : NULL;
		if (!f)
			return CADENCE_ENOMEM;
		b->block_from = f;
		unsigned *t = cad_realloc_array(b->block_to, cap, sizeof(*t));
		if (!t)
			return CADENCE_ENOMEM;
		b->block_to = t;
		b->blocks_cap = cap;
	}
	b->block_from[b->nblocks] = from;
	b->block_to[b->nblocks] = to;
	b->nblocks++;
	return 0;
}

static ynode *new_node(builder *b, ynode_kind kind, const yaml_mark_t *start,
		       const yaml_mark_t *end)
{
	ynode *node = cad_arena_alloc(b->a, sizeof(*node));
	if (!node)
		return NULL;
	node->kind = kind;
	node->line = (unsigned)start->line + 1;
	node->col = (unsigned)start->column + 1;
	node->width = end->line == start->line && end->column > start->column
			      ? (unsigned)(end->column - start->column) : 1;
	return node;
}

/* Is the next item of the innermost open mapping a key? */
static int at_key(const builder *b)
{
	if (!b->depth || b->open[b->depth - 1]->kind != YNODE_MAP)
		return 0;
	return (b->n - b->frames[b->depth - 1]) % 2 == 0;
}

static int add_child(builder *b, ynode *node, ynode **root)
{
	if (!b->depth) {
		*root = node;
		return 0;
	}
	return push_item(b, node);
}

static void report_unsupported(builder *b, const yaml_mark_t *m, const char *what,
			       const char *name, const char *help)
{
	cad_report_at(b->r, CADENCE_SEVERITY_ERROR, "yaml-unsupported",
		  (unsigned)m->line + 1, (unsigned)m->column + 1, 1, help,
		  "%s '%s' is not supported in cadence files", what, name);
}

static void check_props(builder *b, const yaml_mark_t *m, const yaml_char_t *anchor,
			const yaml_char_t *tag, int implicit)
{
	if (anchor)
		report_unsupported(b, m, "anchor", (const char *)anchor,
				   "remove the anchor and write the value out; "
				   "anchors and aliases are not part of the format");
	if (tag && !implicit)
		report_unsupported(b, m, "tag", (const char *)tag,
				   "remove the tag; quote a value to make it a string");
}

static int open_collection(builder *b, ynode_kind kind, const yaml_event_t *ev,
			   int flow, ynode **root)
{
	if (b->depth >= b->max_depth) {
		cad_report_at(b->r, CADENCE_SEVERITY_ERROR, "yaml-depth",
			  (unsigned)ev->start_mark.line + 1,
			  (unsigned)ev->start_mark.column + 1, 1,
			  "flatten the structure; no part of the format needs this depth",
			  "values are nested deeper than %zu levels", b->max_depth);
		return CADENCE_EINVALID;
	}
	ynode *node = new_node(b, kind, &ev->start_mark, &ev->start_mark);
	if (!node || add_child(b, node, root))
		return CADENCE_ENOMEM;
	node->style = flow ? YSTYLE_FLOW : YSTYLE_PLAIN;
	if (b->depth == b->frames_cap) {
		size_t cap = cad_grow_cap(b->frames_cap, b->depth + 1, sizeof(ynode *), 16);
		size_t *frames = cap ? cad_realloc_array(b->frames, cap, sizeof(*frames)) : NULL;
		if (!frames)
			return CADENCE_ENOMEM;
		b->frames = frames;
		ynode **open = cad_realloc_array(b->open, cap, sizeof(*open));
		if (!open)
			return CADENCE_ENOMEM;
		b->open = open;
		b->frames_cap = cap;
	}
	b->frames[b->depth] = b->n;
	b->open[b->depth] = node;
	b->depth++;
	return 0;
}

static int close_collection(builder *b)
{
	ynode *node = b->open[--b->depth];
	size_t start = b->frames[b->depth];
	size_t n = b->n - start;

	if (n) {
		node->items = cad_arena_alloc(b->a, n * sizeof(*node->items));
		if (!node->items)
			return CADENCE_ENOMEM;
		memcpy(node->items, b->items + start, n * sizeof(*node->items));
	}
	node->count = node->kind == YNODE_MAP ? n / 2 : n;
	b->n = start;
	return 0;
}

static int add_scalar(builder *b, const yaml_event_t *ev, ynode **root)
{
	const yaml_mark_t *sm = &ev->start_mark;
	ynode *node = new_node(b, YNODE_SCALAR, sm, &ev->end_mark);
	int key = at_key(b);

	if (!node)
		return CADENCE_ENOMEM;
	node->text = cad_arena_strndup(b->text, (const char *)ev->data.scalar.value,
				   ev->data.scalar.length);
	if (!node->text)
		return CADENCE_ENOMEM;
	node->len = ev->data.scalar.length;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		node->style = YSTYLE_QUOTED;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		node->style = YSTYLE_BLOCK;
		if (note_block(b, (unsigned)sm->line + 2,
			       (unsigned)ev->end_mark.line + 1))
			return CADENCE_ENOMEM;
		break;
	default:
		node->style = YSTYLE_PLAIN;
	}
	check_props(b, sm, ev->data.scalar.anchor, ev->data.scalar.tag,
		    ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit);
	if (key && node->style == YSTYLE_PLAIN && !strcmp(node->text, "<<")) {
		report_unsupported(b, sm, "merge key", "<<",
				   "write the keys out; merge keys need aliases, "
				   "which the format does not support");
		node->kind = YNODE_INVALID;
	}
	return add_child(b, node, root);
}

static const char *syntax_help(const char *problem)
{
	static const struct {
		const char *problem, *help;
	} helps[] = {
		{ "mapping values are not allowed",
		  "a ': ' inside a plain value starts a mapping: quote the value, or fix the indentation" },
		{ "found character that cannot start any token",
		  "quote the value: characters such as @, ` and % cannot start a plain value" },
		{ "did not find expected key",
		  "keys of one mapping must start in the same column" },
		{ "did not find expected '-' indicator",
		  "items of one list must start in the same column" },
		{ "found unexpected end of stream",
		  "a quote or bracket opened earlier is not closed" },
		{ "did not find expected ',' or ']'",
		  "close the list with ']' or separate its items with ','" },
		{ "did not find expected ',' or '}'",
		  "close the mapping with '}' or separate its entries with ','" },
		{ "could not find expected ':'",
		  "add ': ' after the key, or quote a value that spans lines" },
		{ "found a tab character",
		  "indent with spaces" },
	};
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (strstr(problem, helps[i].problem))
			return helps[i].help;
	return "check the indentation and quoting near this position";
}

static int line_in_block(const builder *b, unsigned line)
{
	for (size_t i = 0; i < b->nblocks; i++)
		if (line >= b->block_from[i] && line <= b->block_to[i])
			return 1;
	return 0;
}

/* Tabs in indentation: YAML forbids them, and libyaml's message for them
 * ("cannot start any token") does not say so.  Returns the last line with
 * such a tab at or before `upto` lines, reported. */
static void report_tabs(builder *b, const char *src, size_t len,
			unsigned upto, unsigned *tab_lines_hit, unsigned err_line)
{
	unsigned line = 1;
	const char *p = src, *end = src + len;

	while (p < end && line <= upto) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *q = p;
		unsigned col = 1;
		const char *tab = NULL;
		unsigned tab_col = 0;
		while (q < eol && (*q == ' ' || *q == '\t')) {
			if (*q == '\t' && !tab) {
				tab = q;
				tab_col = col;
			}
			q++;
			col++;
		}
		if (tab && q < eol && *q != '\r' && *q != '#' && !line_in_block(b, line)) {
			cad_report_at(b->r, CADENCE_SEVERITY_ERROR, "yaml-tab", line, tab_col, 1,
				  "indent with spaces; YAML does not allow tabs in indentation",
				  "tab character in indentation");
			if (line == err_line)
				*tab_lines_hit = 1;
		}
		p = eol + 1;
		line++;
	}
}

/* libyaml's offset for a bad trailing octet points past the byte that
 * starts the broken sequence; find that byte ourselves so the column is the
 * one a user can look at. */
static size_t first_invalid_utf8(const report *r, size_t fallback)
{
	const unsigned char *s = (const unsigned char *)r->src;
	uint32_t cp;

	for (size_t i = 0; i < r->len;) {
		size_t n = cad_utf8_decode(s + i, r->len - i, &cp);
		if (!n)
			return i;
		i += n;
	}
	return fallback;
}

static void report_parse_error(builder *b, yaml_parser_t *p)
{
	unsigned line, col;

	if (p->error == YAML_READER_ERROR) {
		if (strstr(p->problem, "control characters")) {
			cad_report_offset_pos(b->r, p->problem_offset, &line, &col);
			cad_report_at(b->r, CADENCE_SEVERITY_ERROR, "yaml-encoding", line, col, 1,
				  "remove the character, or write it as an escape in a double-quoted string",
				  "control character 0x%02X is not allowed in YAML",
				  (unsigned)p->problem_value);
		} else {
			size_t at = first_invalid_utf8(b->r, p->problem_offset);
			cad_report_offset_pos(b->r, at, &line, &col);
			cad_report_at(b->r, CADENCE_SEVERITY_ERROR, "yaml-encoding", line, col, 1,
				  "save the file as UTF-8",
				  "the file is not valid UTF-8: byte 0x%02X at offset %zu (%s)",
				  at < b->r->len ? (unsigned char)b->r->src[at] : 0, at,
				  p->problem);
		}
		return;
	}
	line = (unsigned)p->problem_mark.line + 1;
	col = (unsigned)p->problem_mark.column + 1;
	if (p->context)
		cad_report_at(b->r, CADENCE_SEVERITY_ERROR, "yaml-syntax", line, col, 1,
			  syntax_help(p->problem), "invalid YAML: %s (%s started at %u:%u)",
			  p->problem, p->context, (unsigned)p->context_mark.line + 1,
			  (unsigned)p->context_mark.column + 1);
	else
		cad_report_at(b->r, CADENCE_SEVERITY_ERROR, "yaml-syntax", line, col, 1,
			  syntax_help(p->problem), "invalid YAML: %s", p->problem);
}

int cad_ytree_parse(ynode **root, arena *a, arena *text, report *r, const char *src,
		size_t len, const ytree_limits *limits)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	builder b;
	int rc = 0, done = 0, docs = 0, syntax_line = 0, parse_failed = 0;
	unsigned parsed_lines = (unsigned)-1;

	memset(&b, 0, sizeof(b));
	b.a = a;
	b.text = text;
	b.r = r;
	b.max_depth = limits->max_depth;
	*root = NULL;
	if (!yaml_parser_initialize(&parser))
		return CADENCE_ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)src, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				rc = CADENCE_ENOMEM;
				break;
			}
			parse_failed = 1;
			if (parser.error != YAML_READER_ERROR)
				syntax_line = (int)parser.problem_mark.line + 1;
			parsed_lines = (unsigned)syntax_line;
			rc = CADENCE_EINVALID;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				cad_report_at(r, CADENCE_SEVERITY_ERROR, "yaml-multi-document",
					  (unsigned)ev.start_mark.line + 1,
					  (unsigned)ev.start_mark.column + 1, 3,
					  "put each cadence in its own *.cadence.yaml file",
					  "a cadence file holds one YAML document; a second one starts here");
				parsed_lines = (unsigned)ev.start_mark.line + 1;
				done = 1;
			}
			break;
		case YAML_SCALAR_EVENT:
			rc = add_scalar(&b, &ev, root);
			break;
		case YAML_ALIAS_EVENT: {
			ynode *node = new_node(&b, YNODE_INVALID, &ev.start_mark, &ev.end_mark);
			report_unsupported(&b, &ev.start_mark, "alias",
					   (const char *)ev.data.alias.anchor,
					   "write the value out; anchors and aliases are not part of the format");
			rc = node ? add_child(&b, node, root) : CADENCE_ENOMEM;
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
			check_props(&b, &ev.start_mark, ev.data.sequence_start.anchor,
				    ev.data.sequence_start.tag, ev.data.sequence_start.implicit);
			rc = open_collection(&b, YNODE_SEQ, &ev,
					     ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE, root);
			break;
		case YAML_MAPPING_START_EVENT:
			check_props(&b, &ev.start_mark, ev.data.mapping_start.anchor,
				    ev.data.mapping_start.tag, ev.data.mapping_start.implicit);
			rc = open_collection(&b, YNODE_MAP, &ev,
					     ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE, root);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = close_collection(&b);
			break;
		default:
			break;
		}
		if (rc == CADENCE_EINVALID) {
			/* a depth error: nothing after it is reliable */
			parsed_lines = (unsigned)ev.start_mark.line + 1;
		}
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	if (rc != CADENCE_ENOMEM) {
		unsigned hit = 0;
		report_tabs(&b, src, len, parsed_lines, &hit,
			    syntax_line > 0 ? (unsigned)syntax_line : 0);
		/* a syntax error on a line with an indentation tab is
		 * libyaml's view of that tab: the tab message says it better */
		if (parse_failed && !hit)
			report_parse_error(&b, &parser);
		if (b.oom || r->oom)
			rc = CADENCE_ENOMEM;
	}
	/* an unfinished tree (syntax error inside a collection) is not used */
	if (rc)
		*root = NULL;
	free(b.items);
	free(b.frames);
	free(b.open);
	free(b.block_from);
	free(b.block_to);
	yaml_parser_delete(&parser);
	return rc;
}

ynode *cad_ymap_get(const ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->count; i++) {
		const ynode *k = map->items[2 * i];
		if (k->kind == YNODE_SCALAR && !strcmp(k->text, key))
			return map->items[2 * i + 1];
	}
	return NULL;
}
