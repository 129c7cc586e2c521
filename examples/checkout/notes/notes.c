/* SPDX-License-Identifier: MIT */
/*
 * The checkout's C notes (`symbol:` bindings), built as a plugin:
 *
 *   cc -shared -fPIC -o notes.so notes.c $(pkg-config --cflags cadence) \
 *      $(pkg-config --libs libcjson)
 *   cadence run --plugin ./notes.so checkout.cadence.yaml --score '{"order_id": "gold-17"}'
 *
 * The project's build makes it as build/examples/checkout/notes.so.  Like the
 * shell notes beside it, they make their answers up from the order, so the
 * example runs anywhere; a real one would call a fraud model and a payment
 * provider.  Each reads the score (borrowed, read-only) and returns the
 * fields it changes in *changes (docs/run.md, "symbol: C functions").
 */
#include <cadence/note.h>
#include <cjson/cJSON.h>

#include <stdio.h>
#include <string.h>

/* the note API this plugin is built for: `cadence run` checks it */
CADENCE_NOTE_PLUGIN;

cadence_note_func fraud_score, charge_card;

static const char *string_field(const cJSON *score, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(score, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* fraud_risk: "high" for a large order from a customer who is not gold, or
 * an order id ending in -fraud; "low" otherwise. */
int fraud_score(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	const char *order = string_field(score, "order_id");
	const cJSON *total = cJSON_GetObjectItemCaseSensitive(score, "total");
	const cJSON *profile = cJSON_GetObjectItemCaseSensitive(score, "profile");
	const char *tier = string_field(profile, "tier");
	int high;

	if (!order || !cJSON_IsNumber(total))
		return cadence_note_fail(ctx, "the score has no order_id or total");
	high = ends_with(order, "-fraud") ||
	       (total->valuedouble > 1000 && !(tier && !strcmp(tier, "gold")));
	*changes = cJSON_CreateObject();
	if (!*changes || !cJSON_AddStringToObject(*changes, "fraud_risk", high ? "high" : "low"))
		return cadence_note_fail(ctx, "out of memory");
	return CADENCE_NOTE_OK;
}

/* status "paid" and a transaction id; an order id ending in -declined is
 * declined by the provider (a clean answer, not a failure: no retry). */
int charge_card(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	const char *order = string_field(score, "order_id");
	const char *currency = string_field(score, "currency");
	const cJSON *amount = cJSON_GetObjectItemCaseSensitive(score, "amount");
	char tx[128];
	int declined;

	if (!order || !currency || !cJSON_IsNumber(amount))
		return cadence_note_fail(ctx, "the score has no order_id, currency or amount");
	declined = ends_with(order, "-declined");
	snprintf(tx, sizeof(tx), "tx-%s-%.0f%s", order, amount->valuedouble * 100, currency);
	*changes = cJSON_CreateObject();
	if (!*changes ||
	    !cJSON_AddStringToObject(*changes, "status", declined ? "declined" : "paid") ||
	    !cJSON_AddStringToObject(*changes, "transaction_id", declined ? "" : tx))
		return cadence_note_fail(ctx, "out of memory");
	return CADENCE_NOTE_OK;
}
