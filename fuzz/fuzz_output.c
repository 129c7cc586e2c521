/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the parser of a `run` note's stdout (lib/src/run/output.c,
 * docs/run.md "Output"): one JSON object of changes, or nothing, with the
 * control keys $skip and $interrupt; what it accepts and what it says are
 * UTF-8; what it accepts nests no deeper than a score may, and, printed by
 * cad_json_print(), reads back as the same value (numbers exactly).
 */
#include "fuzz.h"

#include "run/run_int.h"
#include "util/json.h"
#include "util/utf8.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *changes = (cJSON *)1;
	int outcome = -1;
	rfail f = RFAIL_INIT;

	int rc = cad_output_parse((const char *)data, size, &changes, &outcome, &f);
	if (rc == 0) {
		FUZZ_ASSERT(cJSON_IsObject(changes));
		FUZZ_ASSERT(outcome == CADENCE_NOTE_OK || outcome == CADENCE_NOTE_SKIP ||
			    outcome == CADENCE_NOTE_INTERRUPT);
		/* no control key is left among the changes */
		for (cJSON *c = changes->child; c; c = c->next) {
			FUZZ_ASSERT(c->string != NULL && c->string[0] != '$');
			(void)cad_score_type_of(c);
			for (int t = 0; t <= CAD_T_ANY; t++)
				(void)cad_score_type_ok((cad_vtype)t, c);
		}
		/* what reaches the score is UTF-8, as JSON text must be */
		char *text = cad_json_print(changes, 0);
		FUZZ_ASSERT(text != NULL);
		size_t len = strlen(text);
		FUZZ_ASSERT(cad_utf8_valid_prefix(text, len) == len);
		/* within the score's depth; printed, it reads back to what
		 * prints the same (the text, not cad_json_equal(), which tells
		 * apart objects with a key twice) */
		cad_json_problem p = cad_json_check(changes, CADENCE_MAX_SCORE_DEPTH, NULL);
		FUZZ_ASSERT(p == CAD_JSON_OK || p == CAD_JSON_NONFINITE);
		cJSON *back = NULL;
		cad_json_error e;
		FUZZ_ASSERT(cad_json_parse(&back, text, len, CADENCE_MAX_SCORE_DEPTH, &e) == 0);
		char *again = cad_json_print(back, 0);
		FUZZ_ASSERT(again != NULL && !strcmp(again, text));
		free(again);
		cJSON_Delete(back);
		free(text);
		cJSON_Delete(changes);
	} else {
		FUZZ_ASSERT(rc == -1);
		FUZZ_ASSERT(changes == NULL);
		/* a failure always says why, in printable UTF-8 text */
		const char *msg = cad_strbuf_cstr(&f.msg);
		FUZZ_ASSERT(msg[0] != '\0');
		for (const char *p = msg; *p; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
		FUZZ_ASSERT(cad_utf8_valid_prefix(msg, strlen(msg)) == strlen(msg));
	}
	cad_rfail_free(&f);
	return 0;
}
