/* SPDX-License-Identifier: MIT */
/* C notes in a shared object, for the run engine's tests of --plugin. */
#define _POSIX_C_SOURCE 200809L

#include <cadence/note.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

CADENCE_NOTE_PLUGIN;

cadence_note_func greet, refuse, tick, until_expired, interrupt_me, hang;

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

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Waits as a note with a timeout should, and returns OK once expired:
 * the late result fails the attempt (issue 14 item 12). */
int until_expired(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	while (!cadence_note_expired(ctx))
		nap_ms(5);
	return CADENCE_NOTE_OK;
}

/* As if a Ctrl-C came while it ran: the cancel it sees after its call
 * must not be swallowed (issue 14 item 12). */
int interrupt_me(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	(void)changes;
	kill(getpid(), SIGINT);
	return CADENCE_NOTE_OK;
}

/* Never returns, and never looks at cadence_note_expired(): only a second
 * SIGINT ends cadence (issue 14 item 12).  Creates the file named by the
 * score's `marker` first, to say it runs. */
int hang(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	const cJSON *marker = cJSON_GetObjectItemCaseSensitive(score, "marker");
	FILE *f = cJSON_IsString(marker) ? fopen(marker->valuestring, "w") : NULL;
	(void)ctx;
	(void)changes;
	if (f)
		fclose(f);
	for (;;)
		nap_ms(10);
}
