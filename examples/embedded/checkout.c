/* SPDX-License-Identifier: MIT */
/* Embedding cadence: a C program that builds a cadence with C notes (no
 * file), runs it with a hook that logs what happens, and reads the result.
 * Built and run by the test suite (tests/run.cmake, test run/embedded); the pattern for
 * programs that link libcadence:
 *
 *   cc -o checkout checkout.c $(pkg-config --cflags --libs cadence)
 */
#include <cadence/builder.h>
#include <cadence/cadence.h>
#include <cadence/run.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the notes: plain C functions with the signature of <cadence/note.h> */

static int fetch_items(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	cJSON *items = cJSON_Parse("[{\"sku\": \"tea\", \"price\": 4.5},"
				   " {\"sku\": \"cup\", \"price\": 12}]");
	*changes = cJSON_CreateObject();
	if (!items || !*changes || !cJSON_AddItemToObject(*changes, "items", items)) {
		cJSON_Delete(items);
		return cadence_note_fail(ctx, "out of memory");
	}
	return CADENCE_NOTE_OK;
}

static int price(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	double total = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(score, "items"))
		total += cJSON_GetObjectItemCaseSensitive(item, "price")->valuedouble;
	*changes = cJSON_CreateObject();
	if (!*changes || !cJSON_AddNumberToObject(*changes, "total", total))
		return cadence_note_fail(ctx, "out of memory");
	return CADENCE_NOTE_OK;
}

/* Two notes of one sync: each sees the score the sync started with. */
static int loyalty(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	*changes = cJSON_Parse("{\"tags\": [\"loyal\"]}");
	return CADENCE_NOTE_OK;
}

static int region(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	*changes = cJSON_Parse("{\"tags\": [\"eu\"]}");
	return CADENCE_NOTE_OK;
}

/* The payment service is down: the note fails, is retried, then falls
 * back.  The user pointer is the program's state, passed at registration. */
static int charge(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	int *calls = cadence_note_user(ctx);
	(void)score;
	(void)changes;
	(*calls)++;
	return cadence_note_fail(ctx, "payment service unavailable (attempt %u)",
				 cadence_note_attempt(ctx));
}

/* ---- a hook: one line per event worth showing */

static void on_event(void *ctx, const cadence_event *ev)
{
	(void)ctx;
	if (ev->kind == CADENCE_EVENT_NOTE_END)
		printf("  note %-12s attempt %u: %s\n", ev->note, ev->attempt,
		       ev->status == CADENCE_NOTE_STATUS_OK ? "ok" : ev->message);
	else if (ev->kind == CADENCE_EVENT_RETRY)
		printf("  retry %s in %lld ms\n", ev->note, (long long)ev->delay_ms);
	else if (ev->kind == CADENCE_EVENT_FALLBACK)
		printf("  %s falls back\n", ev->note);
}

int main(void)
{
	cadence_builder *b;
	cadence_def *def = NULL;
	cadence_runner *runner = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cJSON *input = NULL, *out = NULL, *none = cJSON_CreateArray();
	cJSON *pending = cJSON_CreateString("payment_pending");
	int calls = 0, status = 1;

	if (cadence_builder_new(&b, "checkout"))
		return 3;
	cadence_builder_field(b, "order_id", "string", NULL, CADENCE_FIELD_REQUIRED);
	cadence_builder_field(b, "items", "array", none, 0);
	cadence_builder_field(b, "tags", "array", none, 0);
	cadence_builder_field(b, "total", "number", NULL, 0);
	cadence_builder_field(b, "status", "string", NULL, 0);
	cadence_builder_symbol(b, "fetch_items", "fetch_items");
	cadence_builder_symbol(b, "price", "price");
	cadence_builder_symbol(b, "loyalty", "loyalty");
	cadence_builder_symbol(b, "region", "region");
	cadence_builder_symbol(b, "charge", "charge");
	cadence_builder_retry(b, "charge", 3, 10, 2, 100, 0);
	cadence_builder_fallback(b, "charge", "status", pending);
	cadence_builder_then(b, "fetch_items", NULL);
	cadence_builder_then(b, "price", NULL);
	cadence_builder_sync(b, "enrich", "smart_merge",
			     (const char *const[]){ "loyalty", "region", NULL });
	cadence_builder_then(b, "charge", NULL);
	/* the builder's errors are sticky: one check, at the end */
	if (cadence_builder_finish(&def, b, &err)) {
		fprintf(stderr, "embedded: %s\n", err.message);
		goto out;
	}

	cadence_run_hooks hooks = { CADENCE_RUN_HOOKS_VERSION, NULL, on_event, NULL };
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	opts.hooks = &hooks;
	if (cadence_runner_new(&runner, NULL, def, &opts))
		goto out;
	cadence_runner_register(runner, "fetch_items", fetch_items, NULL);
	cadence_runner_register(runner, "price", price, NULL);
	cadence_runner_register(runner, "loyalty", loyalty, NULL);
	cadence_runner_register(runner, "region", region, NULL);
	cadence_runner_register(runner, "charge", charge, &calls);

	input = cJSON_Parse("{\"order_id\": \"o-17\"}");
	printf("running checkout:\n");
	if (cadence_runner_run(&out, runner, input, &err)) {
		fprintf(stderr, "embedded: %s\n", err.message);
		goto out;
	}
	char *s = cJSON_PrintUnformatted(out);
	printf("final score: %s\n", s);
	/* what the program expects: priced, tagged by both notes, charge
	 * tried three times then fallen back */
	status = !(cJSON_GetObjectItemCaseSensitive(out, "total")->valuedouble == 16.5 &&
		   strstr(s, "\"tags\":[\"loyal\",\"eu\"]") &&
		   strstr(s, "\"status\":\"payment_pending\"") && calls == 3);
	cJSON_free(s);
out:
	cJSON_Delete(out);
	cJSON_Delete(input);
	cJSON_Delete(none);
	cJSON_Delete(pending);
	cadence_run_error_clear(&err);
	cadence_runner_free(runner);
	cadence_def_free(def);
	cadence_builder_free(b);
	return status;
}
