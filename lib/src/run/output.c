/* SPDX-License-Identifier: MIT */
/* The output contract of `run` notes (docs/run.md, "Output"): stdout is
 * empty (no change) or one JSON object of the fields the note changes,
 * optionally with the control keys "$skip" and "$interrupt". */
#include "run/run_int.h"
#include "util/json.h"

#include <string.h>

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

int cad_output_control(cJSON *obj, int *outcome, rfail *f)
{
	cJSON *item = obj->child;
	while (item) {
		cJSON *next = item->next;
		const char *k = item->string;
		if (k && k[0] == '$') {
			int on = cJSON_IsTrue(item);
			if (!strcmp(k, "$skip")) {
				if (on)
					*outcome = CADENCE_NOTE_SKIP;
			} else if (!strcmp(k, "$interrupt")) {
				if (on && *outcome != CADENCE_NOTE_SKIP)
					*outcome = CADENCE_NOTE_INTERRUPT;
			} else {
				/* the key as where() shows text: a control
				 * character must not reach a terminal */
				cad_rfail_set(f, "its output has the unknown control key '");
				cad_json_add_excerpt(&f->msg, k, strlen(k), 64);
				cad_strbuf_adds(&f->msg, "' (known: $skip, $interrupt)");
				f->permanent = 1;
				return -1;
			}
			if (!cJSON_IsBool(item)) {
				cad_rfail_set(f, "its output's '%s' must be true or false", k);
				f->permanent = 1;
				return -1;
			}
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, item));
		}
		item = next;
	}
	return 0;
}

int cad_output_parse(const char *buf, size_t len, cJSON **changes, int *outcome, rfail *f)
{
	int oc = CADENCE_NOTE_OK;
	*changes = NULL;
	if (blank(buf, len)) {
		*changes = cJSON_CreateObject();
		if (!*changes) {
			cad_rfail_set(f, "out of memory");
			return -1;
		}
		*outcome = oc;
		return 0;
	}
	/* JSON text is UTF-8 (RFC 8259): what is not would reach the score,
	 * and through it every JSON the run writes; deeper than a score can
	 * be, it could not be checkpointed and resumed */
	cad_json_error e;
	cJSON *v;
	if (cad_json_parse(&v, buf, len, CADENCE_MAX_SCORE_DEPTH, &e)) {
		cad_rfail_set(f, "its output ");
		cad_json_describe(&f->msg, &e, buf, len, 1);
		if (e.problem == CAD_JSON_SYNTAX)
			cad_strbuf_adds(&f->msg, "; a note prints one JSON object of the fields it "
					     "changes, or nothing");
		return -1;
	}
	if (!cJSON_IsObject(v)) {
		cad_rfail_set(f, "its output must be a JSON object of the fields it changes, not %s",
			  cad_score_type_of(v));
		cJSON_Delete(v);
		return -1;
	}
	if (cad_output_control(v, &oc, f)) {
		cJSON_Delete(v);
		return -1;
	}
	*changes = v;
	*outcome = oc;
	return 0;
}
