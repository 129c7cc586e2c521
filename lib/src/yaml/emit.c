/* SPDX-License-Identifier: MIT */
#include "yaml/emit.h"

#include "util/json.h"

#include <string.h>
#include <strings.h>
#include <yaml.h>

static int write_out(void *data, unsigned char *buf, size_t size)
{
	strbuf *sb = data;
	cad_strbuf_add(sb, (const char *)buf, size);
	return 1;	/* a failed strbuf says so at the end */
}

/* Would a YAML 1.1 or 1.2 reader resolve `s`, written plain, to something
 * other than this string?  Conservative: a string that starts like a
 * number, or is a word some reader takes for a boolean or null, is quoted;
 * quoting more than needed changes nothing a reader sees. */
static int looks_typed(const char *s)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return 1;
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.')
		s++;	/* .5, -.inf, +.nan */
	return (*s >= '0' && *s <= '9') || !strncasecmp(s, "inf", 3) || !strncasecmp(s, "nan", 3);
}

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
	return yaml_emitter_emit(e, ev) ? 0 : -1;
}

static int scalar(yaml_emitter_t *e, const char *s, int is_string)
{
	yaml_event_t ev;
	int plain = !is_string || (*s && !looks_typed(s));
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
					  plain, 1, is_string && !plain ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
					  : YAML_ANY_SCALAR_STYLE))
		return -1;
	return emit(e, &ev);
}

static int value(yaml_emitter_t *e, const cJSON *v);

static int collection(yaml_emitter_t *e, const cJSON *v)
{
	yaml_event_t ev;
	int map = cJSON_IsObject(v);
	/* an empty one in flow style: `{}` and `[]`, as JSON writes them */
	int style = v->child ? 0 : 1;
	if (map ? !yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			style ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
		: !yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			style ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE))
		return -1;
	if (emit(e, &ev))
		return -1;
	for (const cJSON *c = v->child; c; c = c->next)
		if ((map && scalar(e, c->string, 1)) || value(e, c))
			return -1;
	if (map ? !yaml_mapping_end_event_initialize(&ev) : !yaml_sequence_end_event_initialize(&ev))
		return -1;
	return emit(e, &ev);
}

static int value(yaml_emitter_t *e, const cJSON *v)
{
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return collection(e, v);
	if (cJSON_IsString(v))
		return scalar(e, v->valuestring, 1);
	if (cJSON_IsBool(v))
		return scalar(e, cJSON_IsTrue(v) ? "true" : "false", 0);
	if (cJSON_IsNumber(v)) {
		strbuf n = STRBUF_INIT;
		int rc = cad_json_number(&n, v->valuedouble) || !cad_strbuf_cstr(&n) ? -1
			 : scalar(e, cad_strbuf_cstr(&n), 0);
		cad_strbuf_free(&n);
		return rc;
	}
	return scalar(e, "null", 0);
}

int cad_yaml_emit_json(strbuf *out, const cJSON *v)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	int rc = -1;

	if (!yaml_emitter_initialize(&e))
		return -1;
	yaml_emitter_set_output(&e, write_out, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	yaml_emitter_set_width(&e, -1);	/* long strings stay on one line */
	if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && !emit(&e, &ev) &&
	    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && !emit(&e, &ev) &&
	    !value(&e, v) && yaml_document_end_event_initialize(&ev, 1) && !emit(&e, &ev) &&
	    yaml_stream_end_event_initialize(&ev) && !emit(&e, &ev) && yaml_emitter_flush(&e))
		rc = cad_strbuf_cstr(out) ? 0 : -1;
	yaml_emitter_delete(&e);
	return rc;
}
