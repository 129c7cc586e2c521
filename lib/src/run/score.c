/* SPDX-License-Identifier: MIT */
/* The score at run time: typed input with defaults, and the checks every
 * change goes through (known field, type, immutable, the note's writes). */
#include "run/run_int.h"
#include "util/json.h"
#include "util/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cad_score_type_ok(cad_vtype t, const cJSON *v)
{
	if (cJSON_IsNull(v))
		return 1;	/* null: unset, for any type */
	switch (t) {
	case CAD_T_STRING: return cJSON_IsString(v);
	case CAD_T_INTEGER:
		return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
		       fabs(v->valuedouble) <= CAD_JSON_MAX_EXACT;
	case CAD_T_NUMBER: return cJSON_IsNumber(v);
	case CAD_T_BOOLEAN: return cJSON_IsBool(v);
	case CAD_T_ARRAY: return cJSON_IsArray(v);
	case CAD_T_OBJECT: return cJSON_IsObject(v);
	case CAD_T_ANY: return 1;
	}
	return 0;
}

const char *cad_score_type_of(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return v->valuedouble != floor(v->valuedouble) ? "a number"
		       : fabs(v->valuedouble) > CAD_JSON_MAX_EXACT ? "an integer larger than 2^53"
		       : "an integer";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsNull(v))
		return "null";
	return "an invalid value";
}

static const char *article(cad_vtype t)
{
	return t == CAD_T_INTEGER || t == CAD_T_ARRAY || t == CAD_T_OBJECT ||
	       t == CAD_T_ANY ? "an" : "a";
}

/* "; did you mean 'x'?" for an unknown field name */
static void suggest_field(const rplan *p, const char *name, strbuf *sb)
{
	const char *near = cad_model_near_field(p->def, name, strlen(name));
	if (near)
		cad_strbuf_addf(sb, "; did you mean '%s'?", near);
	else if (!p->def->nfields)
		cad_strbuf_adds(sb, "; the cadence declares no score fields");
}

/* The unknown fields of an input that get a did-you-mean, each a search
 * over every declared field: past them, an input of as many unknown
 * fields as the score declares would cost fields x fields to refuse.  As
 * many as validate's diagnostics of one rule (CAD_REPORT_MAX_PER_RULE). */
#define INPUT_SUGGESTIONS 100

/* A problem with the input; the first one names the field. */
static void input_problem(rfail *f, size_t *count, const char *field)
{
	if (*count)
		cad_strbuf_adds(&f->msg, "\n");
	if (!*count)
		f->field = field;
	(*count)++;
}

static int str_utf8_ok(const char *s)
{
	size_t len = strlen(s);
	return cad_utf8_valid_prefix(s, len) == len;
}

int cad_score_utf8_ok(const cJSON *v)
{
	if (v->string && !str_utf8_ok(v->string))
		return 0;
	if (cJSON_IsString(v))
		return str_utf8_ok(v->valuestring);
	for (const cJSON *c = v->child; c; c = c->next)
		if (!cad_score_utf8_ok(c))
			return 0;
	return 1;
}

/* Whether a field's value fits in a score: nested at most
 * CADENCE_MAX_SCORE_DEPTH levels with the score's own, every number finite
 * (strtod reads 1e400 as infinity, which no JSON can hold). */
static cad_json_problem value_fits(const cJSON *v)
{
	return cad_json_check(v, CADENCE_MAX_SCORE_DEPTH - 1, NULL);
}

/* Appends why the value of `field` does not fit. */
static void value_problem(strbuf *msg, const cJSON *v, const char *field)
{
	cad_json_check_describe(msg, v, CADENCE_MAX_SCORE_DEPTH - 1, field, CADENCE_MAX_SCORE_DEPTH);
	if (value_fits(v) == CAD_JSON_DEEP)
		cad_strbuf_adds(msg, " (the score itself is level 1)");
}

int cad_score_from_input(rscore *s, const rplan *p, const cJSON *input, rfail *f)
{
	const cadence_def *def = p->def;
	size_t n = def->nfields, problems = 0;

	memset(s, 0, sizeof(*s));
	if (input && !cJSON_IsObject(input)) {
		cad_rfail_set(f, "the score must be a JSON object of fields, not %s",
			  cad_score_type_of(input));
		f->permanent = 1;
		return CADENCE_EINVALID;
	}
	/* the slots start as the defaults: a copy of pointers */
	s->slot = malloc((n ? n : 1) * sizeof(*s->slot));
	s->flags = malloc(n ? n : 1);
	if (!s->slot || !s->flags) {
		cad_score_free(s);
		cad_rfail_set(f, "out of memory");
		return CADENCE_ENOMEM;
	}
	memcpy(s->slot, p->defaults, n * sizeof(*s->slot));
	memcpy(s->flags, p->kind, n);	/* none owned */
	s->plan = p;
	s->n = n;
	cad_rfail_reset(f);
	size_t unknown = 0;
	/* a given field's slot is the input's item, never its default (the
	 * plan's): that marks it given, and each key is looked up once */
	for (const cJSON *item = input ? input->child : NULL; item; item = item->next) {
		long i = item->string ? cad_model_field_index(p->def, item->string) : -1;
		if (i < 0) {
			input_problem(f, &problems, NULL);
			cad_strbuf_addf(&f->msg, "unknown field '%s'", item->string ? item->string : "");
			if (unknown++ < INPUT_SUGGESTIONS)
				suggest_field(p, item->string ? item->string : "", &f->msg);
			continue;
		}
		const cad_field *fd = &def->fields[i];
		if (s->slot[i] != p->defaults[i]) {
			input_problem(f, &problems, fd->name.name);
			cad_strbuf_addf(&f->msg, "field '%s' is given twice", fd->name.name);
			continue;
		}
		s->slot[i] = (cJSON *)item;	/* borrowed (not owned): never changed */
		if (value_fits(item)) {
			input_problem(f, &problems, fd->name.name);
			cad_strbuf_addf(&f->msg, "field '%s' ", fd->name.name);
			value_problem(&f->msg, item, fd->name.name);
		} else if (!cad_score_type_ok(fd->type, item)) {
			input_problem(f, &problems, fd->name.name);
			cad_strbuf_addf(&f->msg, "field '%s' must be %s %s, not %s", fd->name.name,
				    article(fd->type), cad_vtype_names[fd->type],
				    cad_score_type_of(item));
		} else if (!cad_score_utf8_ok(item)) {
			input_problem(f, &problems, fd->name.name);
			cad_strbuf_addf(&f->msg, "field '%s' holds text that is not UTF-8", fd->name.name);
		} else if (fd->required && cJSON_IsNull(item)) {
			input_problem(f, &problems, fd->name.name);
			cad_strbuf_addf(&f->msg, "field '%s' is required and cannot be null",
				    fd->name.name);
		}
	}
	/* required fields: the plan lists them, so that a wide score with
	 * few required fields is not walked */
	for (size_t k = 0; k < p->nrequired; k++) {
		size_t i = p->required[k];
		const cad_field *fd = &def->fields[i];
		if (s->slot[i] == p->defaults[i]) {
			input_problem(f, &problems, fd->name.name);
			cad_strbuf_addf(&f->msg, "missing required field '%s' (%s %s)", fd->name.name,
				    article(fd->type), cad_vtype_names[fd->type]);
		}
	}
	if (problems) {
		if (problems > 1) {
			/* one problem per line, under a count */
			strbuf all = STRBUF_INIT;
			cad_strbuf_addf(&all, "%zu problems:\n", problems);
			const char *m = cad_strbuf_cstr(&f->msg);
			for (const char *line = m; m && *line;) {
				const char *nl = strchr(line, '\n');
				size_t len = nl ? (size_t)(nl - line) : strlen(line);
				cad_strbuf_adds(&all, "  ");
				cad_strbuf_add(&all, line, len);
				if (nl)
					cad_strbuf_addc(&all, '\n');
				line += len + (nl ? 1 : 0);
			}
			cad_strbuf_free(&f->msg);
			f->msg = all;
		}
		f->permanent = 1;
		cad_score_free(s);
		return CADENCE_EINVALID;
	}
	return 0;
}

/* Whether item v already carries `name` as a key it owns. */
static int keyed(const cJSON *v, const char *name)
{
	return v->string && !(v->type & cJSON_StringIsConst) && !strcmp(v->string, name);
}

static char *key_dup(const char *name)
{
	size_t len = strlen(name) + 1;
	char *k = cJSON_malloc(len);
	if (k)
		memcpy(k, name, len);
	return k;
}

cJSON *cad_score_obj(rscore *s)
{
	if (s->obj)
		return s->obj;
	const cad_field *fields = s->plan->def->fields;
	cJSON *obj = cJSON_CreateObject();
	if (!obj)
		return NULL;
	/* what may fail first: each value the score's own, with its key.  A
	 * failure leaves a valid score (copies are as good as the values
	 * they copy), and no object. */
	for (size_t i = 0; i < s->n; i++) {
		cJSON *v = s->slot[i];
		if (!(s->flags[i] & SLOT_OWNED)) {
			if (!(v = cJSON_Duplicate(v, 1)))
				goto oom;
			s->slot[i] = v;
			s->flags[i] |= SLOT_OWNED;
		}
		if (!keyed(v, fields[i].name.name)) {
			char *k = key_dup(fields[i].name.name);
			if (!k)
				goto oom;
			if (v->string && !(v->type & cJSON_StringIsConst))
				cJSON_free(v->string);
			v->string = k;
			v->type &= ~cJSON_StringIsConst;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		cJSON *v = s->slot[i];
		v->next = v->prev = NULL;
		cJSON_AddItemToArray(obj, v);	/* appends: O(1) */
	}
	s->obj = obj;
	return obj;
oom:
	cJSON_Delete(obj);
	return NULL;
}

/* The values a score without its object owns freed: eight flags at a
 * time, since a task's input over a wide score owns few. */
static void free_owned(rscore *s)
{
	const uint64_t owned8 = UINT64_C(0x0101010101010101) * SLOT_OWNED;
	for (size_t i = 0; s->flags && i < s->n; i += 8) {
		size_t end = s->n - i < 8 ? s->n : i + 8;
		uint64_t w = owned8;	/* a short tail: each flag looked at */
		if (end - i == 8)
			memcpy(&w, s->flags + i, 8);
		for (size_t k = i; (w & owned8) && k < end; k++)
			if (s->flags[k] & SLOT_OWNED)
				cJSON_Delete(s->slot[k]);
	}
}

void cad_score_free(rscore *s)
{
	if (s->obj)
		cJSON_Delete(s->obj);
	else
		free_owned(s);
	free(s->slot);
	free(s->flags);
	free(s->json);
	memset(s, 0, sizeof(*s));
}

cJSON *cad_score_take(rscore *s)
{
	cJSON *o = cad_score_obj(s);
	s->obj = NULL;
	if (o)	/* its items are the caller's now */
		for (size_t i = 0; i < s->n; i++)
			s->flags[i] &= (unsigned char)~SLOT_OWNED;
	cad_score_free(s);
	return o;
}

const char *cad_score_json(rscore *s, size_t *len)
{
	if (!s->json && cad_score_obj(s)) {
		s->json = cad_json_print(s->obj, 0);
		s->json_len = s->json ? strlen(s->json) : 0;
	}
	*len = s->json ? s->json_len : 0;
	return s->json;
}

void cad_score_set(rscore *s, size_t i, cJSON *v)
{
	cJSON *old = s->slot[i];
	free(s->json);
	s->json = NULL;
	s->slot[i] = v;
	if (!s->obj) {
		if (s->flags[i] & SLOT_OWNED)
			cJSON_Delete(old);
		s->flags[i] |= SLOT_OWNED;	/* its key is set when the object is made */
		return;
	}
	/* the new item takes the old one's key: no allocation */
	if (v->string && !(v->type & cJSON_StringIsConst))
		cJSON_free(v->string);
	v->string = old->string;
	v->type = (v->type & ~cJSON_StringIsConst) | (old->type & cJSON_StringIsConst);
	old->string = NULL;
	cJSON_ReplaceItemViaPointer(s->obj, old, v);
}

static void list_writes(const rplan *p, const rwrites *writes, strbuf *sb)
{
	cad_strbuf_adds(sb, " [");
	for (size_t i = 0; i < writes->n; i++)
		cad_strbuf_addf(sb, "%s%s", i ? ", " : "", p->def->fields[writes->field[i]].name.name);
	cad_strbuf_adds(sb, "]");
}

static int may_write(const rwrites *w, size_t i)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->field[mid] == i)
			return 1;
		if (w->field[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The failure of a change of field i; 0 when it is none.  What a valid
 * change reads is its kind byte (rscore.flags[i]): the field's
 * declaration is read only to word a failure. */
static int bad_change(const rplan *p, size_t i, unsigned char kind, const cJSON *item,
		      const rwrites *writes, rfail *f)
{
	const cad_field *fd = &p->def->fields[i];
	cad_vtype t = (cad_vtype)(kind & ~(KIND_IMMUTABLE | SLOT_OWNED));
	if (!cad_score_type_ok(t, item)) {
		cad_rfail_set(f, "it set field '%s' to %s, but the field is %s %s", fd->name.name,
			      cad_score_type_of(item), article(t), cad_vtype_names[t]);
		return -1;
	}
	if (kind & KIND_IMMUTABLE) {
		cad_rfail_set(f, "it changed immutable field '%s'", fd->name.name);
		return -1;
	}
	if (writes && !may_write(writes, i)) {
		cad_rfail_set(f, "it changed field '%s', which is not in its writes:", fd->name.name);
		list_writes(p, writes, &f->msg);
		return -1;
	}
	return 0;
}

int cad_score_check_changes(rframe *fr, const rscore *base, const rwrites *writes,
			cJSON *changes, const long *known, size_t *fields, rfail *f)
{
	const rplan *p = fr->plan;
	size_t k = 0, kept = 0;
	if (++fr->seen_gen == 0) {
		memset(fr->seen, 0, p->def->nfields * sizeof(*fr->seen));
		fr->seen_gen = 1;
	}
	for (cJSON *item = changes->child, *next; item; item = next, k++) {
		next = item->next;
		long i = known ? known[k]
			 : item->string ? cad_model_field_index(p->def, item->string) : -1;
		f->permanent = 1;
		if (i < 0) {
			cad_rfail_set(f, "it changed unknown field '%s'", item->string ? item->string : "");
			suggest_field(p, item->string ? item->string : "", &f->msg);
			return -1;
		}
		/* known fields are distinct: a line less to touch per change */
		if (!known) {
			if (fr->seen[i] == fr->seen_gen) {
				f->field = p->def->fields[i].name.name;
				cad_rfail_set(f, "it changed field '%s' twice in one output", f->field);
				return -1;
			}
			fr->seen[i] = fr->seen_gen;
		}
		if (value_fits(item)) {
			f->field = p->def->fields[i].name.name;
			cad_rfail_set(f, "it set field '%s' to a value that ", f->field);
			value_problem(&f->msg, item, f->field);
			return -1;
		}
		if (cad_json_equal(base->slot[i], item)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(changes, item));
			continue;	/* the same value: not a change */
		}
		if (bad_change(p, (size_t)i, base->flags[i], item, writes, f)) {
			f->field = p->def->fields[i].name.name;
			return -1;
		}
		if (fields)
			fields[kept++] = (size_t)i;
	}
	f->field = NULL;
	f->permanent = 0;
	return 0;
}

void cad_score_apply(rscore *s, const rplan *p, cJSON *changes, const size_t *fields)
{
	for (size_t k = 0; changes->child; k++) {
		cJSON *item = cJSON_DetachItemViaPointer(changes, changes->child);
		long i = fields ? (long)fields[k] : cad_model_field_index(p->def, item->string);
		if (i < 0) {	/* checked before: cannot happen */
			cJSON_Delete(item);
			continue;
		}
		cad_score_set(s, (size_t)i, item);
	}
}
