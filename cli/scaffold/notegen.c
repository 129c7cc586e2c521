/* SPDX-License-Identifier: MIT */
/* The pieces of a new note (scaffold/notegen.h). */
#include "scaffold/notegen.h"

#include "cadence/common.h"
#include "model/model.h"
#include "scaffold/render.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

static cad_vtype field_type(const notegen *g, const char *name)
{
	const cad_field *f = g->def ? cad_find_field(g->def, name) : NULL;
	return f ? f->type : CAD_T_ANY;
}

void cad_notegen_yaml_flow(strbuf *out, const cJSON *v)
{
	const cJSON *c;
	if (cJSON_IsObject(v)) {
		cad_strbuf_addc(out, '{');
		cJSON_ArrayForEach(c, v) {
			if (c != v->child)
				cad_strbuf_adds(out, ", ");
			cad_render_escape(out, "yaml", c->string ? c->string : "");
			cad_strbuf_adds(out, ": ");
			cad_notegen_yaml_flow(out, c);
		}
		cad_strbuf_addc(out, '}');
	} else if (cJSON_IsArray(v)) {
		cad_strbuf_addc(out, '[');
		cJSON_ArrayForEach(c, v) {
			if (c != v->child)
				cad_strbuf_adds(out, ", ");
			cad_notegen_yaml_flow(out, c);
		}
		cad_strbuf_addc(out, ']');
	} else if (cJSON_IsString(v)) {
		cad_render_escape(out, "yaml", v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		/* a JSON number is a YAML number (format.md, "Values"); the
		 * caller refused those out of range */
		if (cad_json_number(out, v->valuedouble))
			cad_strbuf_adds(out, "null");
	} else if (cJSON_IsBool(v)) {
		cad_strbuf_adds(out, cJSON_IsTrue(v) ? "true" : "false");
	} else {
		cad_strbuf_adds(out, "null");
	}
}

static void add_names(strbuf *b, const char *key, const char *const *names, size_t n)
{
	cad_strbuf_addf(b, "%s: [", key);
	for (size_t i = 0; i < n; i++)
		cad_strbuf_addf(b, "%s%s", i ? ", " : "", names[i]);
	cad_strbuf_addc(b, ']');
}

void cad_notegen_lines_free(char **lines)
{
	for (size_t i = 0; lines && lines[i]; i++)
		free(lines[i]);
	free(lines);
}

int cad_notegen_fields(const notegen *g, char ***out, size_t *n)
{
	strbuf b[7];
	size_t k = 0;
	char **lines;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < 7; i++)
		memset(&b[i], 0, sizeof(b[i]));
	if (g->lang_c) {
		cad_strbuf_addf(&b[k++], "symbol: %s", g->name);
	} else {
		cad_strbuf_adds(&b[k], "run: [");
		cad_render_escape(&b[k], "yaml", g->run_path);
		cad_strbuf_addc(&b[k++], ']');
	}
	if (g->nreads)
		add_names(&b[k++], "reads", g->reads, g->nreads);
	if (g->nwrites)
		add_names(&b[k++], "writes", g->writes, g->nwrites);
	if (g->retry)
		cad_strbuf_addf(&b[k++], "retry: {attempts: %lld}", g->retry);
	if (g->timeout)
		cad_strbuf_addf(&b[k++], "timeout: %s", g->timeout);
	if (g->fallback) {
		cad_strbuf_adds(&b[k], "fallback: ");
		cad_notegen_yaml_flow(&b[k++], g->fallback);
	}
	lines = calloc(k + 1, sizeof(*lines));
	int oom = !lines;
	for (size_t i = 0; i < k; i++) {
		char *s = cad_strbuf_detach(&b[i]);
		if (!s || oom) {
			free(s);
			oom = 1;
			continue;
		}
		lines[i] = s;
	}
	if (oom) {
		cad_notegen_lines_free(lines);
		return CADENCE_ENOMEM;
	}
	*out = lines;
	*n = k;
	return 0;
}

static const char *const json_zero[] = {
	[CAD_T_STRING] = "\"\"", [CAD_T_INTEGER] = "0", [CAD_T_NUMBER] = "0",
	[CAD_T_BOOLEAN] = "false", [CAD_T_ARRAY] = "[]", [CAD_T_OBJECT] = "{}",
	[CAD_T_ANY] = "null",
};

void cad_notegen_changes_json(const notegen *g, strbuf *out)
{
	cad_strbuf_addc(out, '{');
	for (size_t i = 0; i < g->nwrites; i++) {
		cad_strbuf_adds(out, i ? ", " : "");
		cad_render_escape(out, "json", g->writes[i]);
		cad_strbuf_addf(out, ": %s", json_zero[field_type(g, g->writes[i])]);
	}
	cad_strbuf_addc(out, '}');
}

void cad_notegen_c_reads(const notegen *g, strbuf *out)
{
	if (!g->nreads) {
		cad_strbuf_adds(out, "\t(void)score;\t/* the note declares no reads */\n");
		return;
	}
	cad_strbuf_adds(out, "\t/* the fields it reads, for example:\n");
	for (size_t i = 0; i < g->nreads; i++) {
		cad_strbuf_adds(out, "\t * cJSON_GetObjectItemCaseSensitive(score, ");
		cad_render_escape(out, "c", g->reads[i]);
		cad_strbuf_adds(out, ")\n");
	}
	cad_strbuf_adds(out, "\t */\n\t(void)score;\n");
}

void cad_notegen_c_changes(const notegen *g, strbuf *out)
{
	for (size_t i = 0; i < g->nwrites; i++) {
		cad_vtype t = field_type(g, g->writes[i]);
		cad_strbuf_adds(out, " ||\n\t    ");
		switch (t) {
		case CAD_T_STRING: cad_strbuf_adds(out, "!cJSON_AddStringToObject(out, "); break;
		case CAD_T_INTEGER:
		case CAD_T_NUMBER: cad_strbuf_adds(out, "!cJSON_AddNumberToObject(out, "); break;
		case CAD_T_BOOLEAN: cad_strbuf_adds(out, "!cJSON_AddFalseToObject(out, "); break;
		case CAD_T_ARRAY: cad_strbuf_adds(out, "!cJSON_AddArrayToObject(out, "); break;
		case CAD_T_OBJECT: cad_strbuf_adds(out, "!cJSON_AddObjectToObject(out, "); break;
		case CAD_T_ANY: cad_strbuf_adds(out, "!cJSON_AddNullToObject(out, "); break;
		}
		cad_render_escape(out, "c", g->writes[i]);
		if (t == CAD_T_STRING)
			cad_strbuf_adds(out, ", \"\"");
		else if (t == CAD_T_INTEGER || t == CAD_T_NUMBER)
			cad_strbuf_adds(out, ", 0");
		cad_strbuf_addc(out, ')');
	}
}

void cad_notegen_list(strbuf *out, const char *const *names, size_t n)
{
	if (!n)
		cad_strbuf_adds(out, "(nothing declared)");
	for (size_t i = 0; i < n; i++)
		cad_strbuf_addf(out, "%s%s", i ? ", " : "", names[i]);
}
