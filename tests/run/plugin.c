/* SPDX-License-Identifier: MIT */
/* C notes in a shared object, for the run engine's tests of --plugin. */
#include <cadence/note.h>
#include <cjson/cJSON.h>
#include <stdio.h>

CADENCE_NOTE_PLUGIN;

cadence_note_func greet, refuse, tick;

/* greeting = "Hello, " + name */
int greet(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(score, "name");
	char buf[256];
	if (!cJSON_IsString(name))
		return cadence_note_fail(ctx, "name is not a string");
	snprintf(buf, sizeof(buf), "Hello, %s", name->valuestring);
	*changes = cJSON_CreateObject();
	if (!*changes || !cJSON_AddStringToObject(*changes, "greeting", buf))
		return cadence_note_fail(ctx, "out of memory");
	return CADENCE_NOTE_OK;
}

int refuse(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	return cadence_note_fail(ctx, "refused on attempt %u", cadence_note_attempt(ctx));
}

/* count = count + 1 */
int tick(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(score, "count");
	(void)ctx;
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, "count", (cJSON_IsNumber(n) ? n->valuedouble : 0) + 1);
	return CADENCE_NOTE_OK;
}
