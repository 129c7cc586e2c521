/* SPDX-License-Identifier: MIT */
#include "format/structure.h"
#include "format/scalar.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/suggest.h"
#include "util/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct walker {
	report *r;
	size_t errors;
} walker;

#define ERR(w, n, len, rule, help, ...)                                        \
	do {                                                                   \
		(w)->errors++;                                                 \
		cad_report_at((w)->r, CADENCE_SEVERITY_ERROR, rule, (n)->line,     \
			  (n)->col, len, help, __VA_ARGS__);                   \
	} while (0)

const char *cad_structure_describe(const ynode *n, char *buf, size_t size)
{
	switch (n->kind) {
	case YNODE_MAP:
		return "a mapping";
	case YNODE_SEQ:
		return "a list";
	case YNODE_SCALAR:
		if (n->style == YSTYLE_PLAIN && cad_scalar_is_null(n->text, n->len))
			return "null";
		if (n->len > 40)
			snprintf(buf, size, "'%.37s...'", n->text);
		else
			snprintf(buf, size, "'%s'", n->text);
		return buf;
	default:
		return "an invalid value";
	}
}

static void wrong_type(walker *w, const ynode *n, const ftype *t)
{
	char buf[64];
	const char *help = NULL;
	if (t->kind == FT_MAP || t->kind == FT_VARIANT || t->kind == FT_DICT)
		help = "write 'key: value' pairs indented under the key, or {key: value}";
	else if (t->kind == FT_LIST)
		help = "write '- item' lines indented under the key, or [a, b]";
	else if (n->kind != YNODE_SCALAR)
		help = "write a single value on the key's line";
	ERR(w, n, n->kind == YNODE_SCALAR ? n->width : 1, "wrong-type", help,
	    "expected %s, got %s", t->what, cad_structure_describe(n, buf, sizeof(buf)));
}

/* Duplicate keys: YAML parsers disagree on which value wins, so a second
 * occurrence is always an error.  Small maps compare pairwise; large ones
 * (the notes of a big cadence) go through a strmap. */

static void report_dup(walker *w, const ynode *first, const ynode *dup)
{
	ERR(w, dup, dup->width, "yaml-duplicate-key",
	    "remove one of them: YAML tools disagree on which one counts",
	    "duplicate key '%s'", dup->text);
	cadence_diags_relate(w->r->diags, first->line, first->col,
			     "first defined");
}

static void check_duplicates(walker *w, const ynode *map)
{
	size_t n = map->count;
	if (n < 2)
		return;
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			const ynode *k = map->items[2 * i];
			if (k->kind != YNODE_SCALAR)
				continue;
			for (size_t j = 0; j < i; j++) {
				const ynode *p = map->items[2 * j];
				if (p->kind == YNODE_SCALAR && p->len == k->len &&
				    !memcmp(p->text, k->text, k->len)) {
					report_dup(w, p, k);
					break;
				}
			}
		}
		return;
	}
	strmap seen = STRMAP_INIT;
	if (cad_strmap_reserve(&seen, n)) {
		w->r->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		ynode *k = map->items[2 * i];
		if (k->kind != YNODE_SCALAR)
			continue;
		int added;
		strmap_entry *e = cad_strmap_put(&seen, k->text, k->len, &added);	/* reserved */
		if (added)
			e->v.p = k;
		else
			report_dup(w, e->v.p, k);
	}
	cad_strmap_free(&seen);
}

/* Keys must be plain scalars: a mapping or list as a key is legal YAML
 * that no part of the format can use. */
static int key_ok(walker *w, const ynode *key)
{
	if (key->kind == YNODE_INVALID)
		return 0;
	if (key->kind != YNODE_SCALAR) {
		ERR(w, key, 1, "wrong-type", "write a plain name before the ':'",
		    "a key must be a name, not %s",
		    key->kind == YNODE_MAP ? "a mapping" : "a list");
		return 0;
	}
	return 1;
}

/* A name, or with `env` an environment variable's name. */
static void check_name(walker *w, const ynode *n, const char *what, int env)
{
	size_t bad;
	const char *why = env ? cad_scalar_env_name(n->text, n->len, &bad)
			      : cad_scalar_name(n->text, n->len, &bad);
	char fix[NAME_MAX_LEN + 2];
	char help[NAME_MAX_LEN + 64];

	if (!why)
		return;
	cad_scalar_name_suggest(n->text, n->len, fix, sizeof(fix));
	snprintf(help, sizeof(help), "try '%s'", fix);
	unsigned col = n->col + (n->style == YSTYLE_QUOTED);
	/* point at the offending character: count code points up to it */
	unsigned cp = (unsigned)cad_utf8_count(n->text, bad < n->len ? bad : n->len);
	w->errors++;
	if (bad < n->len && strstr(why, "may only hold")) {
		const char *c = n->text + bad;
		size_t clen = cad_utf8_char_len(c, n->len - bad);
		cad_report_at(w->r, CADENCE_SEVERITY_ERROR, "bad-name", n->line,
			  col + cp, 1, help,
			  "invalid %s '%s': character '%.*s' is not allowed; %s",
			  what, n->text, (int)clen, (const char *)c, why);
	} else {
		cad_report_at(w->r, CADENCE_SEVERITY_ERROR, "bad-name", n->line,
			  col + cp, n->width, help, "invalid %s '%s': %s", what,
			  n->text, why);
	}
}

/* Free-form values (defaults, fallbacks): refuse what YAML 1.1 and 1.2
 * tools read differently. */
static void check_value(walker *w, const ynode *n)
{
	if (n->kind == YNODE_SCALAR) {
		if (n->style == YSTYLE_PLAIN && cad_scalar_is_ambiguous(n->text, n->len))
			ERR(w, n, n->width, "ambiguous-scalar",
			    "quote it for a string; write true/false, a decimal number or null otherwise",
			    "'%s' is read differently by different YAML tools", n->text);
	} else if (n->kind == YNODE_SEQ) {
		for (size_t i = 0; i < n->count; i++)
			check_value(w, n->items[i]);
	} else if (n->kind == YNODE_MAP) {
		check_duplicates(w, n);
		for (size_t i = 0; i < n->count; i++) {
			if (!key_ok(w, n->items[2 * i]))
				continue;
			check_value(w, n->items[2 * i + 1]);
		}
	}
}

static void walk(walker *w, ynode *n, const ftype *t);

const char *cad_structure_near_variant(const ftype *t, const char *word, size_t len)
{
	cad_suggest s;
	cad_suggest_init(&s, word, len);
	for (size_t v = 0; v < t->nvariants; v++)
		cad_suggest_try(&s, t->variants[v]->fields[0].key);
	return s.best;
}

static void list_keys(strbuf *sb, const ftype *t)
{
	for (size_t i = 0; i < t->nfields; i++)
		cad_strbuf_addf(sb, "%s%s", i ? ", " : "", t->fields[i].key);
}

static void unknown_key(walker *w, const ynode *key, const ftype *t)
{
	strbuf help = STRBUF_INIT;
	const char *near = cad_suggest_pick_in(key->text, key->len, t->fields, t->nfields,
					       sizeof(*t->fields), offsetof(ffield, key));
	if (near)
		cad_strbuf_addf(&help, "did you mean '%s'? ", near);
	cad_strbuf_addf(&help, "allowed keys: ");
	list_keys(&help, t);
	ERR(w, key, key->width, "unknown-key", cad_strbuf_cstr(&help),
	    "unknown key '%s' in %s", key->text, t->what);
	cad_strbuf_free(&help);
}

/* Keys allowed only beside another (`env` beside `run`); said only when
 * the map has one of its one_of keys, or that error says enough. */
static void needs(walker *w, const ynode *n, const ftype *t, const ynode *const present[32])
{
	int bound = t->one_of_optional;
	for (size_t j = 0; j < t->n_one_of && j < 32; j++)
		bound |= present[j] != NULL;
	for (size_t i = 0; bound && i < t->nneeds; i++) {
		const fneeds *d = &t->needs[i];
		if (cad_ymap_get(n, d->needs))
			continue;
		for (size_t k = 0; k < n->count; k++) {
			const ynode *key = n->items[2 * k];
			if (key->kind == YNODE_SCALAR && !strcmp(key->text, d->key)) {
				ERR(w, key, key->width, "unknown-key", d->help,
				    "'%s' applies only to %s with '%s'", key->text, t->what,
				    d->needs);
				break;
			}
		}
	}
}

static void walk_map(walker *w, ynode *n, const ftype *t)
{
	const ynode *present[32] = { 0 };	/* one_of keys, by index */

	check_duplicates(w, n);
	for (size_t i = 0; i < n->count; i++) {
		ynode *key = n->items[2 * i];
		if (!key_ok(w, key))
			continue;
		const ffield *f = cad_schema_field(t, key->text);
		if (!f) {
			unknown_key(w, key, t);
			continue;
		}
		for (size_t j = 0; j < t->n_one_of && j < 32; j++)
			if (!strcmp(t->one_of[j], f->key) && !present[j])
				present[j] = key;
		walk(w, n->items[2 * i + 1], f->type);
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const ffield *f = &t->fields[i];
		if ((f->flags & FF_REQUIRED) && !cad_ymap_get(n, f->key)) {
			char help[128];
			snprintf(help, sizeof(help), "add '%s: %s' to this mapping", f->key,
				 f->type->kind == FT_NAME ? "NAME" :
				 f->type->kind == FT_LIST ? "[...]" : "...");
			ERR(w, n, 1, "missing-key", help,
			    "%s needs the key '%s'", t->what, f->key);
		}
	}
	needs(w, n, t, present);
	if (t->n_one_of) {
		size_t count = 0;
		const ynode *second = NULL;
		for (size_t j = 0; j < t->n_one_of; j++) {
			if (present[j] && ++count == 2)
				second = present[j];
		}
		/* the key list is for the message: built only when there is one */
		if ((count || t->one_of_optional) && !second)
			return;
		strbuf keys = STRBUF_INIT;
		for (size_t j = 0; j < t->n_one_of; j++)
			cad_strbuf_addf(&keys, "%s%s", j ? (j + 1 == t->n_one_of ? " or " : ", ") : "",
				    t->one_of[j]);
		if (!count)
			ERR(w, n, 1, t->one_of_rule, t->one_of_help,
			    "%s needs one of %s", t->what, cad_strbuf_cstr(&keys));
		else
			ERR(w, second, second->width, t->one_of_rule,
			    t->one_of_both_help ? t->one_of_both_help
			    : "keep one of them; split the work into two notes if it needs both",
			    "%s takes only one of %s", t->what, cad_strbuf_cstr(&keys));
		cad_strbuf_free(&keys);
	}
}

static void walk_variant(walker *w, ynode *n, const ftype *t)
{
	const ftype *chosen = NULL;
	const ynode *second = NULL;

	for (size_t i = 0; i < n->count; i++) {
		const ynode *key = n->items[2 * i];
		if (key->kind != YNODE_SCALAR)
			continue;
		for (size_t v = 0; v < t->nvariants; v++) {
			if (strcmp(t->variants[v]->fields[0].key, key->text))
				continue;
			if (!chosen)
				chosen = t->variants[v];
			else if (!second)
				second = key;
		}
	}
	if (chosen && !second) {
		walk_map(w, n, chosen);
		return;
	}
	/* the kind list is for the message: built only when there is one */
	strbuf kinds = STRBUF_INIT;
	for (size_t v = 0; v < t->nvariants; v++)
		cad_strbuf_addf(&kinds, "%s%s", v ? (v + 1 == t->nvariants ? " or " : ", ") : "",
			    t->variants[v]->fields[0].key);
	if (!chosen) {
		strbuf help = STRBUF_INIT;
		const ynode *first = n->count ? n->items[0] : NULL;
		const char *near = first && first->kind == YNODE_SCALAR
			? cad_structure_near_variant(t, first->text, first->len) : NULL;
		if (near)
			cad_strbuf_addf(&help, "did you mean '%s' for '%s'? ", near, first->text);
		cad_strbuf_addf(&help, "start the measure with its kind and name, for example 'then: NAME'");
		ERR(w, n, 1, t->variant_rule, cad_strbuf_cstr(&help),
		    "%s needs one of %s", t->what, cad_strbuf_cstr(&kinds));
		cad_strbuf_free(&help);
	} else {
		ERR(w, second, second->width, t->variant_rule,
		    "split it into two measures, one per list item",
		    "%s takes only one of %s", t->what, cad_strbuf_cstr(&kinds));
	}
	cad_strbuf_free(&kinds);
}

static void walk_scalar(walker *w, ynode *n, const ftype *t)
{
	const char *why = NULL, *help = NULL;
	const char *rule = "wrong-type";
	int plain = n->style == YSTYLE_PLAIN;

	if (plain && cad_scalar_is_null(n->text, n->len) && t->kind != FT_VALUE) {
		ERR(w, n, n->width, "wrong-type", "write a value, or remove the key",
		    "expected %s, got null", t->what);
		return;
	}
	switch (t->kind) {
	case FT_STRING:
	case FT_EXPR:
		return;
	case FT_NAME:
		check_name(w, n, "name", 0);
		return;
	case FT_ENVNAME:
		check_name(w, n, "environment variable name", 1);
		return;
	case FT_BOOL:
	case FT_INT:
	case FT_NUMBER:
		if (!plain) {
			ERR(w, n, n->width, "wrong-type", "remove the quotes",
			    "expected %s, got a quoted string", t->what);
			return;
		}
		if (t->kind == FT_BOOL)
			why = cad_scalar_bool(n->text, n->len, &n->v.b, &help);
		else if (t->kind == FT_INT)
			why = cad_scalar_int(n->text, n->len, &n->v.i, &help);
		else
			why = cad_scalar_number(n->text, n->len, &n->v.d, &help);
		break;
	case FT_DURATION:
		rule = "bad-duration";
		why = cad_scalar_duration(n->text, n->len, &n->v.i, &help);
		break;
	case FT_ENUM: {
		for (size_t i = 0; i < t->nenums; i++) {
			if (!strcmp(t->enums[i], n->text)) {
				n->v.i = (int64_t)i;
				return;
			}
		}
		strbuf h = STRBUF_INIT;
		const char *near = cad_suggest_pick(n->text, n->len, t->enums, t->nenums);
		if (near)
			cad_strbuf_addf(&h, "did you mean '%s'? ", near);
		cad_strbuf_adds(&h, "use one of: ");
		for (size_t i = 0; i < t->nenums; i++)
			cad_strbuf_addf(&h, "%s%s", i ? ", " : "", t->enums[i]);
		ERR(w, n, n->width, "bad-enum", cad_strbuf_cstr(&h), "'%s' is not %s",
		    n->text, t->what);
		cad_strbuf_free(&h);
		return;
	}
	case FT_ARGV:
		if (!n->len)
			ERR(w, n, 1, "wrong-type", "name the executable to run",
			    "expected %s, got an empty string", t->what);
		return;
	default:
		return;
	}
	if (why) {
		if (!help)
			help = "";
		ERR(w, n, n->width, rule, *help ? help : NULL, "%s, got '%s'", why, n->text);
	}
}

/* A list or mapping past its documented limit is one error, and its
 * entries are not walked: the limit bounds the work as well. */
static int too_many(walker *w, const ynode *n, const ftype *t)
{
	if (!t->max_items || n->count <= t->max_items)
		return 0;
	ERR(w, n, 1, "too-many-items", "split the cadence into child cadences",
	    "%zu %s; the limit is %zu", n->count, t->max_what, t->max_items);
	return 1;
}

static void walk(walker *w, ynode *n, const ftype *t)
{
	if (n->kind == YNODE_INVALID)
		return;
	switch (t->kind) {
	case FT_MAP:
	case FT_VARIANT:
		if (n->kind != YNODE_MAP) {
			wrong_type(w, n, t);
			return;
		}
		if (t->kind == FT_MAP)
			walk_map(w, n, t);
		else
			walk_variant(w, n, t);
		return;
	case FT_DICT:
		if (n->kind != YNODE_MAP) {
			/* an empty `notes:` is null: nothing declared */
			if (n->kind == YNODE_SCALAR && n->style == YSTYLE_PLAIN &&
			    cad_scalar_is_null(n->text, n->len))
				return;
			wrong_type(w, n, t);
			return;
		}
		if (too_many(w, n, t))
			return;
		check_duplicates(w, n);
		for (size_t i = 0; i < n->count; i++) {
			ynode *key = n->items[2 * i];
			if (!key_ok(w, key))
				continue;
			if (!t->key_any)
				check_name(w, key, t->key_what ? t->key_what : "name", 0);
			walk(w, n->items[2 * i + 1], t->elem);
		}
		return;
	case FT_LIST:
		if (n->kind != YNODE_SEQ) {
			wrong_type(w, n, t);
			return;
		}
		if (n->count < t->min_items && t->min_rule)
			ERR(w, n, 1, t->min_rule, t->min_help, "%s", t->min_message);
		else if (n->count < t->min_items)
			ERR(w, n, 1, "wrong-type", "list at least one item",
			    "expected %s, got an empty list", t->what);
		if (too_many(w, n, t))
			return;
		for (size_t i = 0; i < n->count; i++)
			walk(w, n->items[i], t->elem);
		return;
	case FT_VALUE:
		check_value(w, n);
		return;
	case FT_ARGV:
		if (n->kind == YNODE_SEQ) {
			if (!n->count)
				ERR(w, n, 1, "wrong-type", "name the executable to run",
				    "expected %s, got an empty list", t->what);
			for (size_t i = 0; i < n->count; i++) {
				ynode *item = n->items[i];
				if (i == 0 && item->kind == YNODE_SCALAR && !item->len) {
					ERR(w, item, 1, "wrong-type", "name the executable to run",
					    "expected %s, got an empty executable name", t->what);
					continue;
				}
				if (item->kind == YNODE_SCALAR &&
				    !(item->style == YSTYLE_PLAIN && cad_scalar_is_null(item->text, item->len)))
					continue;
				if (item->kind != YNODE_INVALID) {
					char buf[64];
					ERR(w, item, item->width, "wrong-type",
					    "quote the argument",
					    "expected a string argument, got %s",
					    cad_structure_describe(item, buf, sizeof(buf)));
				}
			}
			return;
		}
		/* fall through */
	default:
		if (n->kind != YNODE_SCALAR) {
			wrong_type(w, n, t);
			return;
		}
		walk_scalar(w, n, t);
	}
}

/* ---- free-form values against the score declaration ---------------- */

typedef enum vkind { VK_NULL, VK_BOOL, VK_INT, VK_NUMBER, VK_STRING, VK_ARRAY, VK_OBJECT } vkind;

static const char *const vkind_names[] = {
	"null", "a boolean", "an integer", "a number", "a string", "a list", "a mapping",
};

/* YAML 1.2 core schema, strictly; the builder converts by the same rules. */
static vkind value_kind(const ynode *n)
{
	int64_t i;
	double d;
	const char *help;
	if (n->kind == YNODE_SEQ)
		return VK_ARRAY;
	if (n->kind == YNODE_MAP)
		return VK_OBJECT;
	if (n->style != YSTYLE_PLAIN)
		return VK_STRING;
	if (cad_scalar_is_null(n->text, n->len))
		return VK_NULL;
	if (!strcmp(n->text, "true") || !strcmp(n->text, "false"))
		return VK_BOOL;
	if (!cad_scalar_int(n->text, n->len, &i, &help))
		return VK_INT;
	if (!cad_scalar_number(n->text, n->len, &d, &help))
		return VK_NUMBER;
	return VK_STRING;
}

/* Index into cad_schema_field_type.enums of a declaration's `type`, or -1. */
static int declared_type(const ynode *decl)
{
	const ynode *t = cad_ymap_get(decl, "type");
	if (!t || t->kind != YNODE_SCALAR)
		return -1;
	for (size_t i = 0; i < cad_schema_field_type.nenums; i++)
		if (!strcmp(cad_schema_field_type.enums[i], t->text))
			return (int)i;
	return -1;
}

static void check_typed(walker *w, const ynode *v, int type, const char *field)
{
	static const char *const words[] = { "true", "false" };
	/* string, integer, number, boolean, array, object, any */
	static const unsigned fits[] = {
		1u << VK_STRING, 1u << VK_INT, (1u << VK_INT) | (1u << VK_NUMBER),
		1u << VK_BOOL, 1u << VK_ARRAY, 1u << VK_OBJECT, ~0u,
	};
	vkind k;
	char help[96];

	if (v->kind == YNODE_INVALID || type < 0)
		return;
	if (v->kind == YNODE_SCALAR && v->style == YSTYLE_PLAIN &&
	    cad_scalar_is_ambiguous(v->text, v->len))
		return;	/* reported as ambiguous-scalar already */
	k = value_kind(v);
	if (k == VK_INT && type == 1) {
		/* an integer field holds what a double holds exactly, as the
		 * run checks it (docs/format.md, `score`) */
		int64_t i = 0;
		const char *h;
		if (!cad_scalar_int(v->text, v->len, &i, &h) &&
		    (i > ((int64_t)1 << 53) || i < -((int64_t)1 << 53)))
			ERR(w, v, v->width, "wrong-type",
			    "declare the field as number, or as string to keep every digit",
			    "field '%s' is declared integer, but %s is more than 2^53 in size, "
			    "the most an integer field holds exactly", field, v->text);
		return;
	}
	if (k == VK_NULL || (fits[type] & (1u << k)))
		return;
	const char *hint = NULL;
	const char *near = NULL;
	if (type == 3 && k == VK_STRING && v->style == YSTYLE_PLAIN &&
	    (near = cad_suggest_pick(v->text, v->len, words, 2))) {
		snprintf(help, sizeof(help), "did you mean '%s'?", near);
		hint = help;
	} else if (type == 0 && v->kind == YNODE_SCALAR) {
		hint = "quote the value to make it a string";
	} else if (type == 1 && k == VK_NUMBER) {
		hint = "write a whole number, or declare the field as number";
	}
	ERR(w, v, v->kind == YNODE_SCALAR ? v->width : 1, "wrong-type", hint,
	    "field '%s' is declared %s, but this value is %s", field,
	    cad_schema_field_type.enums[type], vkind_names[k]);
}

/* The score's field names -> their position in `score`, the first of a
 * name as cad_ymap_get() finds it.  0, or -1 with r->oom set. */
static int index_fields(walker *w, strmap *fields, const ynode *score)
{
	if (cad_strmap_reserve(fields, score->count)) {
		w->r->oom = 1;
		return -1;
	}
	for (size_t i = 0; i < score->count; i++) {
		const ynode *k = score->items[2 * i];
		if (k->kind == YNODE_SCALAR && cad_strmap_add(fields, k->text, i) == STRMAP_NONE) {
			w->r->oom = 1;
			return -1;
		}
	}
	return 0;
}

/* A schedule's `score:`: each field declared and of its type, and every
 * required field given (a scheduled run has no other input). */
static void check_schedule_score(walker *w, const ynode *root, const ynode *score,
				 strmap *fields)
{
	const ynode *sch = cad_ymap_get(root, "schedule");
	const ynode *ss = sch && sch->kind == YNODE_MAP ? cad_ymap_get(sch, "score") : NULL;
	int declared = score && score->kind == YNODE_MAP;
	for (size_t j = 0; ss && ss->kind == YNODE_MAP && j < ss->count; j++) {
		const ynode *key = ss->items[2 * j];
		size_t at = declared && key->kind == YNODE_SCALAR ? cad_strmap_get(fields, key->text)
			    : STRMAP_NONE;
		if (key->kind != YNODE_SCALAR)
			continue;
		if (at != STRMAP_NONE) {
			check_typed(w, ss->items[2 * j + 1], declared_type(score->items[2 * at + 1]),
				    key->text);
			continue;
		}
		cad_suggest s;
		char help[200];
		cad_suggest_init(&s, key->text, key->len);
		for (size_t i = 0; declared && i < score->count; i++)
			if (score->items[2 * i]->kind == YNODE_SCALAR)
				cad_suggest_try(&s, score->items[2 * i]->text);
		if (s.best)
			snprintf(help, sizeof(help), "did you mean '%s'?", s.best);
		else
			snprintf(help, sizeof(help), "declare it under 'score:', or remove it");
		ERR(w, key, key->width, "undeclared-field", help,
		    "the schedule's score sets '%s', which is not declared in the score", key->text);
	}
	for (size_t i = 0; sch && sch->kind == YNODE_MAP && declared && i < score->count; i++) {
		const ynode *decl = score->items[2 * i + 1], *req = cad_ymap_get(decl, "required");
		const ynode *name = score->items[2 * i];
		if (!req || req->kind != YNODE_SCALAR || strcmp(req->text, "true") ||
		    name->kind != YNODE_SCALAR ||
		    (ss && ss->kind == YNODE_MAP && cad_ymap_get(ss, name->text)))
			continue;
		ERR(w, ss ? ss : sch, 1, "schedule-score",
		    "give it in the schedule's 'score:', or give the field a default",
		    "field '%s' is required, and the schedule's score does not set it: a scheduled "
		    "run would fail", name->text);
	}
}

static void check_values(walker *w, const ynode *root)
{
	const ynode *score = cad_ymap_get(root, "score");
	const ynode *notes = cad_ymap_get(root, "notes");

	if (score && score->kind == YNODE_MAP) {
		for (size_t i = 0; i < score->count; i++) {
			const ynode *decl = score->items[2 * i + 1];
			const ynode *def = cad_ymap_get(decl, "default");
			if (def && score->items[2 * i]->kind == YNODE_SCALAR)
				check_typed(w, def, declared_type(decl), score->items[2 * i]->text);
		}
	}
	/* the score's names hashed once, when a note has a fallback: a
	 * fallback per note over a wide score must not cost notes x fields */
	strmap fields = STRMAP_INIT;
	int indexed = 0;
	if (cad_ymap_get(root, "schedule")) {
		if (score && score->kind == YNODE_MAP && !indexed++ && index_fields(w, &fields, score))
			return;
		check_schedule_score(w, root, score, &fields);
	}
	if (!notes || notes->kind != YNODE_MAP || !score || score->kind != YNODE_MAP) {
		cad_strmap_free(&fields);
		return;
	}
	for (size_t i = 0; i < notes->count; i++) {
		const ynode *fb = cad_ymap_get(notes->items[2 * i + 1], "fallback");
		if (!fb || fb->kind != YNODE_MAP)
			continue;
		if (!indexed++ && index_fields(w, &fields, score))
			break;
		for (size_t j = 0; j < fb->count; j++) {
			const ynode *key = fb->items[2 * j];
			size_t at;
			if (key->kind == YNODE_SCALAR &&
			    (at = cad_strmap_get(&fields, key->text)) != STRMAP_NONE)
				check_typed(w, fb->items[2 * j + 1], declared_type(score->items[2 * at + 1]),
					    key->text);
		}
	}
	cad_strmap_free(&fields);
}

size_t cad_structure_check(report *r, ynode *root)
{
	walker w = { r, 0 };

	if (!root || (root->kind == YNODE_SCALAR && root->style == YSTYLE_PLAIN &&
		      cad_scalar_is_null(root->text, root->len))) {
		cad_report_at(r, CADENCE_SEVERITY_ERROR, "empty-cadence", 1, 1, 0,
			  "start with 'cadence: NAME' and a list of 'measures:'",
			  "the file holds no cadence");
		return 1;
	}
	walk(&w, root, &cad_schema_cadence);
	if (root->kind == YNODE_MAP)
		check_values(&w, root);
	return w.errors;
}

size_t cad_structure_check_as(report *r, ynode *root, const ftype *t)
{
	walker w = { r, 0 };
	walk(&w, root, t);
	return w.errors;
}
