/* SPDX-License-Identifier: MIT */
/* The format table (format/schema.c) as a JSON Schema, draft-07. */
#include "cadence/common.h"
#include "cadence/schema.h"
#include "format/scalar.h"
#include "format/schema.h"
#include "util/json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

/* Where the format accepts any scalar as text (descriptions, argv items,
 * expressions), YAML may still hand an editor a number or a boolean. */
static cJSON *scalar_types(void)
{
	const char *types[] = { "string", "number", "boolean" };
	cJSON *o = cJSON_CreateObject();
	cJSON *t = cJSON_CreateStringArray(types, 3);
	if (!o || !t || !cJSON_AddItemToObject(o, "type", t)) {
		cJSON_Delete(t);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *typed(const char *type)
{
	cJSON *o = cJSON_CreateObject();
	if (o && !cJSON_AddStringToObject(o, "type", type)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *with_pattern(const char *type, const char *pattern)
{
	cJSON *o = typed(type);
	if (o && !cJSON_AddStringToObject(o, "pattern", pattern)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *of_type(const ftype *t);

/* Sets o[key] = v, taking v; deletes o and returns NULL on failure. */
static cJSON *put(cJSON *o, const char *key, cJSON *v)
{
	if (!o || !v || !cJSON_AddItemToObject(o, key, v)) {
		cJSON_Delete(v);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *of_map(const ftype *t)
{
	cJSON *o = typed("object");
	cJSON *props = cJSON_CreateObject();
	cJSON *req = cJSON_CreateArray();
	int ok = o && props && req;

	for (size_t i = 0; ok && i < t->nfields; i++) {
		const ffield *f = &t->fields[i];
		cJSON *p = of_type(f->type);
		if (p && f->doc && !cJSON_AddStringToObject(p, "description", f->doc)) {
			cJSON_Delete(p);
			p = NULL;
		}
		ok = p && cJSON_AddItemToObject(props, f->key, p);
		if (ok && (f->flags & FF_REQUIRED))
			ok = cJSON_AddItemToArray(req, cJSON_CreateString(f->key));
	}
	if (!ok) {
		cJSON_Delete(o);
		cJSON_Delete(props);
		cJSON_Delete(req);
		return NULL;
	}
	o = put(o, "properties", props);
	o = cJSON_GetArraySize(req) ? put(o, "required", req) : (cJSON_Delete(req), o);
	o = put(o, "additionalProperties", cJSON_CreateFalse());
	if (o && t->n_one_of && t->one_of_optional) {
		/* at most one: no two of them together */
		cJSON *pairs = cJSON_CreateArray();
		for (size_t i = 0; pairs && i < t->n_one_of; i++)
			for (size_t j = i + 1; pairs && j < t->n_one_of; j++) {
				const char *both[2] = { t->one_of[i], t->one_of[j] };
				cJSON *alt = put(cJSON_CreateObject(), "required",
						 cJSON_CreateStringArray(both, 2));
				if (!alt || !cJSON_AddItemToArray(pairs, alt)) {
					cJSON_Delete(alt);
					cJSON_Delete(pairs);
					pairs = NULL;
				}
			}
		o = put(o, "not", put(cJSON_CreateObject(), "anyOf", pairs));
	} else if (o && t->n_one_of) {
		/* exactly one binding key: each alternative requires one */
		cJSON *alts = cJSON_CreateArray();
		for (size_t i = 0; alts && i < t->n_one_of; i++) {
			cJSON *alt = cJSON_CreateObject();
			cJSON *r = cJSON_CreateStringArray(&t->one_of[i], 1);
			alt = put(alt, "required", r);
			if (!alt || !cJSON_AddItemToArray(alts, alt)) {
				cJSON_Delete(alt);
				cJSON_Delete(alts);
				alts = NULL;
			}
		}
		o = put(o, "oneOf", alts);
	}
	if (o && t->nneeds) {
		/* `env` only beside `run` */
		cJSON *deps = cJSON_CreateObject();
		for (size_t i = 0; deps && i < t->nneeds; i++)
			deps = put(deps, t->needs[i].key, cJSON_CreateStringArray(&t->needs[i].needs, 1));
		o = put(o, "dependencies", deps);
	}
	return o;
}

static cJSON *of_type(const ftype *t)
{
	cJSON *o = NULL;

	switch (t->kind) {
	case FT_MAP:
		o = of_map(t);
		break;
	case FT_DICT:
		o = typed("object");
		o = put(o, "propertyNames", with_pattern("string", "^[A-Za-z_][A-Za-z0-9_]*$"));
		o = put(o, "additionalProperties", of_type(t->elem));
		if (o && t->min_items)
			o = put(o, "minProperties", cJSON_CreateNumber((double)t->min_items));
		if (o && t->max_items)
			o = put(o, "maxProperties", cJSON_CreateNumber((double)t->max_items));
		break;
	case FT_LIST:
		o = put(typed("array"), "items", of_type(t->elem));
		if (o && t->min_items)
			o = put(o, "minItems", cJSON_CreateNumber((double)t->min_items));
		if (o && t->max_items)
			o = put(o, "maxItems", cJSON_CreateNumber((double)t->max_items));
		break;
	case FT_VARIANT: {
		cJSON *alts = cJSON_CreateArray();
		for (size_t i = 0; alts && i < t->nvariants; i++) {
			cJSON *v = of_type(t->variants[i]);
			if (!v || !cJSON_AddItemToArray(alts, v)) {
				cJSON_Delete(v);
				cJSON_Delete(alts);
				alts = NULL;
			}
		}
		o = put(cJSON_CreateObject(), "oneOf", alts);
		break;
	}
	case FT_STRING:
	case FT_EXPR:
		o = scalar_types();
		break;
	case FT_NAME:
		o = with_pattern("string", "^[A-Za-z_][A-Za-z0-9_]*$");
		if (o)
			o = put(o, "maxLength", cJSON_CreateNumber(NAME_MAX_LEN));
		break;
	case FT_ENVNAME:
		o = with_pattern("string", "^[A-Za-z_][A-Za-z0-9_]*$");
		break;
	case FT_BOOL:
		o = typed("boolean");
		break;
	case FT_INT:
		o = typed("integer");
		break;
	case FT_NUMBER:
		o = typed("number");
		break;
	case FT_DURATION:
		o = with_pattern("string", "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
		break;
	case FT_ENUM:
		o = put(cJSON_CreateObject(), "enum",
			cJSON_CreateStringArray(t->enums, (int)t->nenums));
		break;
	case FT_VALUE:
		o = cJSON_CreateObject();
		break;
	case FT_ARGV: {
		/* the executable, the string or the first item, is never empty */
		cJSON *exe = put(scalar_types(), "minLength", cJSON_CreateNumber(1));
		cJSON *first = cJSON_CreateArray();
		if (!exe || !first || !cJSON_AddItemToArray(first, exe)) {
			cJSON_Delete(exe);
			cJSON_Delete(first);
			first = NULL;
		}
		cJSON *list = put(typed("array"), "items", first);
		list = put(list, "additionalItems", scalar_types());
		list = put(list, "minItems", cJSON_CreateNumber(1));
		cJSON *alts = cJSON_CreateArray();
		if (alts && list && cJSON_AddItemToArray(alts, list)) {
			list = NULL;
			cJSON *s = put(typed("string"), "minLength", cJSON_CreateNumber(1));
			if (!s || !cJSON_AddItemToArray(alts, s)) {
				cJSON_Delete(s);
				cJSON_Delete(alts);
				alts = NULL;
			}
		} else {
			cJSON_Delete(alts);
			alts = NULL;
		}
		cJSON_Delete(list);
		o = put(cJSON_CreateObject(), "oneOf", alts);
		break;
	}
	}
	return o;
}

int cadence_schema_json(char **out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *body = of_type(&cad_schema_cadence);
	char *text = NULL;

	*out = NULL;
	if (root && body &&
	    cJSON_AddStringToObject(root, "$schema", "http://json-schema.org/draft-07/schema#") &&
	    cJSON_AddStringToObject(root, "title", "cadence file, format version 1") &&
	    cJSON_AddStringToObject(root, "description", cad_schema_cadence.doc)) {
		/* hoist the root object's keywords to the top level */
		cJSON *item = body->child;
		while (item) {
			cJSON *next = item->next;
			cJSON_AddItemToObject(root, item->string,
					      cJSON_DetachItemViaPointer(body, item));
			item = next;
		}
		text = cad_json_print(root, 1);
	}
	cJSON_Delete(body);
	cJSON_Delete(root);
	if (!text)
		return CADENCE_ENOMEM;
	*out = text;
	return 0;
}
