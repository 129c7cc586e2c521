/* SPDX-License-Identifier: MIT */
/*
 * cadence/note.h - notes written in C: the signature of a `symbol:` note.
 *
 * A note bound with `symbol: NAME` is a C function of type
 * cadence_note_func, found by NAME in a plugin (a shared object given to
 * `cadence run --plugin`; a function the plugin itself defines, not one
 * of a library it links) or registered by a program that embeds the
 * library.  The run engine calls it once per attempt:
 *
 *     cadence_note_func charge_card;   (declares it, and checks the type)
 *
 *     int charge_card(cadence_note_ctx *ctx, const cJSON *score,
 *                     cJSON **changes)
 *     {
 *             cJSON *out = cJSON_CreateObject();
 *             if (!out || !cJSON_AddStringToObject(out, "status", "paid")) {
 *                     cJSON_Delete(out);
 *                     return cadence_note_fail(ctx, "out of memory");
 *             }
 *             *changes = out;
 *             return CADENCE_NOTE_OK;
 *     }
 *
 * `cadence new note NAME --lang c` writes such a function.
 *
 * A plugin is a shared object of such functions.  It declares, once, the
 * note API it was built for:
 *
 *     CADENCE_NOTE_PLUGIN;
 *
 * and is built with these headers only, linking nothing of libcadence
 * (`cc -shared -fPIC $(pkg-config --cflags cadence) ...`; CMake:
 * cadence::headers): its calls to cadence_note_*() resolve to the
 * program that loads it, whose context they read.  A plugin carrying a
 * copy of the library would read the context with its own layout.
 *
 * Reading a field: cadence_note_field(ctx, "amount") (note API 1.2) finds
 * it by a hash of its name, in the same time however wide the score is;
 * cadence_note_field_handle() resolves a name once for reads by handle.
 * `score` is a cJSON object, a list: cJSON_GetObjectItem() on it costs
 * time in proportion to the fields before the one read, which for a
 * score of thousands of fields is microseconds per read.
 *
 * Ownership: `score` (a JSON object: the whole score) and `ctx` are
 * borrowed for the call and must not be kept or modified.  The note may set
 * *changes (NULL on entry) to a JSON object of the fields it changes, made
 * with cJSON's allocator; the engine takes ownership of it whatever the
 * return value, and frees it.  Leaving *changes NULL means "nothing
 * changed".  A note must not keep pointers into the score after it returns.
 *
 * Thread-safety: the engine may call one note function from several
 * threads at once (in a `sync` measure, or from parallel runs), each call
 * with its own ctx and score.  State shared between calls (a connection
 * pool behind the `user` pointer, say) is the note's to protect.
 */
#ifndef CADENCE_NOTE_H
#define CADENCE_NOTE_H

#include "cadence/common.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the note API's version -------------------------------------------- */

/*
 * The version of the note API these headers declare.  A host (the cadence
 * binary, or a program running cadence_runner_load_plugin()) loads a
 * plugin built for the same MAJOR and a MINOR up to its own, and refuses
 * any other, naming both versions.  MINOR grows when functions are added,
 * so a plugin built for 1.0 runs on a 1.1 host, but a plugin that may
 * call 1.1's functions does not run on a 1.0 host; MAJOR grows when
 * something a built plugin relies on changes.
 *
 *   1.0  cadence 0.1: every function of this header but the ones below
 *   1.1  cadence 0.2: cadence_note_log()
 *   1.2  cadence 0.2: cadence_note_field(), cadence_note_field_handle(),
 *        cadence_note_field_at(), cadence_note_ctx_set_score()
 */
#define CADENCE_NOTE_API_MAJOR 1
#define CADENCE_NOTE_API_MINOR 2

/* What CADENCE_NOTE_PLUGIN exports; the host reads it when it loads the
 * plugin.  New members only ever go at the end. */
typedef struct cadence_note_plugin_info {
	unsigned api_major;		/* CADENCE_NOTE_API_MAJOR */
	unsigned api_minor;		/* CADENCE_NOTE_API_MINOR */
	const char *cadence_version;	/* the headers' CADENCE_VERSION_STRING */
} cadence_note_plugin_info;

/* Put `CADENCE_NOTE_PLUGIN;` once in a plugin, at file scope in any one
 * of its C files: it exports `cadence_note_plugin`, the version of the
 * headers it is built with.  A plugin without it is refused. */
#define CADENCE_NOTE_PLUGIN                                                   \
	CADENCE_API extern const cadence_note_plugin_info cadence_note_plugin; \
	const cadence_note_plugin_info cadence_note_plugin = {                \
		CADENCE_NOTE_API_MAJOR, CADENCE_NOTE_API_MINOR,               \
		CADENCE_VERSION_STRING                                        \
	}

/* ---- calling a note ------------------------------------------------------- */

/* What a note function returns. */
typedef enum cadence_note_result {
	/* Done: *changes (if set) is merged into the score. */
	CADENCE_NOTE_OK = 0,
	/* Failed: the note's retry policy applies, then its fallback; the
	 * message set with cadence_note_fail() is reported. */
	CADENCE_NOTE_FAILED = 1,
	/* Done, and the cadence ends here, successfully: *changes is merged
	 * and no later measure runs. */
	CADENCE_NOTE_INTERRUPT = 2,
	/* Nothing to do this time: *changes is ignored and the note is
	 * reported as skipped. */
	CADENCE_NOTE_SKIP = 3
} cadence_note_result;

/* The engine's side of one call: the note's name, the attempt, the
 * message of a failure.  Opaque, so it can grow without breaking notes. */
typedef struct cadence_note_ctx cadence_note_ctx;

/* The function type of a note.  Declare a note with it, so the compiler
 * checks the signature: `cadence_note_func my_note;`. */
typedef int cadence_note_func(cadence_note_ctx *ctx, const cJSON *score,
			      cJSON **changes);
/* A pointer to a note, as registered with the engine. */
typedef cadence_note_func *cadence_note_fn;

/* The name of the note being run (its key under `notes:`); borrowed. */
CADENCE_API const char *cadence_note_name(const cadence_note_ctx *ctx);

/* The attempt being made: 1 for the first call, 2 for the first retry... */
CADENCE_API unsigned cadence_note_attempt(const cadence_note_ctx *ctx);

/* The pointer registered with the note by the embedding program (NULL for
 * notes loaded from a plugin). */
CADENCE_API void *cadence_note_user(const cadence_note_ctx *ctx);

/* Non-zero once the note should stop early: its timeout has passed or
 * the run was cancelled.  A long-running note checks it between steps and
 * returns (the result is then a failure, whatever it returns). */
CADENCE_API int cadence_note_expired(const cadence_note_ctx *ctx);

/* Records why the note failed (printf-style; the message is copied, whole)
 * and returns CADENCE_NOTE_FAILED, so a note can
 * `return cadence_note_fail(ctx, "...")`.  A later call replaces the
 * message. */
CADENCE_API int cadence_note_fail(cadence_note_ctx *ctx, const char *fmt, ...) CADENCE_PRINTF(2, 3);

/* Where the call happens: the cadence running the note (a child's name
 * inside a child), the measure that runs it, and the run's identifier (the
 * CADENCE_RUN_ID of `run` notes).  Borrowed; NULL when the context was not
 * made by the engine. */
CADENCE_API const char *cadence_note_cadence(const cadence_note_ctx *ctx);
CADENCE_API const char *cadence_note_measure(const cadence_note_ctx *ctx);
CADENCE_API const char *cadence_note_run_id(const cadence_note_ctx *ctx);

/* Milliseconds left before the note's timeout (0 once it has passed), or
 * -1 when the note has no timeout.  A `symbol` note's timeout is
 * cooperative: threads cannot be stopped safely, so a note that may take
 * long polls this or cadence_note_expired(); a call that returns after its
 * deadline has timed out, and its changes are dropped. */
CADENCE_API long long cadence_note_remaining_ms(const cadence_note_ctx *ctx);

/* Note API 1.1.  Writes a line to the run's log, as a line a `run` note
 * writes to stderr: `cadence run` shows it (prefixed with the note's
 * name), --events and --log json carry it as a "log" event.  printf-style;
 * the text is cut at CADENCE_NOTE_LOG_MAX bytes, each line break in it
 * starts a new line, a control character is shown as '?' in the text log
 * (JSON escapes it), a byte that is not UTF-8 as U+FFFD.  Lines are kept
 * with the call and logged, in order, when the note returns; past
 * CADENCE_NOTE_LOG_LINES lines in one call, the rest are counted and
 * dropped, and one line says how many.  Outside the engine (a context
 * from cadence_note_ctx_new) it does nothing (docs/run.md, "Plugins"). */
#define CADENCE_NOTE_LOG_MAX 4096
#define CADENCE_NOTE_LOG_LINES 1000
CADENCE_API void cadence_note_log(cadence_note_ctx *ctx, const char *fmt, ...) CADENCE_PRINTF(2, 3);

/* ---- reading the score (note API 1.2) -------------------------------------- */

/*
 * The value of score field `name` in the score of this call: borrowed, as
 * `score` is, for the call.  The score holds every field its cadence
 * declares (null when unset: a JSON null item), so NULL means the cadence
 * declares no field `name`, or ctx or name is NULL.  In the engine the
 * name is looked up in a hash of the declared fields: the time of a read
 * does not grow with the number of fields.  A field the note itself
 * declares (its `reads:` and `writes:`, the first few) is compared with
 * those names before the hash: over a score of thousands of fields that
 * read costs what a read by handle does.  For a context from
 * cadence_note_ctx_new(), it is looked up in the score given with
 * cadence_note_ctx_set_score() (by walking it: that context is for
 * tests), and is NULL when none was given.
 */
CADENCE_API const cJSON *cadence_note_field(const cadence_note_ctx *ctx, const char *name);

/*
 * A field resolved once, read many times: a small value to copy and keep,
 * filled by cadence_note_field_handle().  Its members are the library's:
 * a field's position in the score's declaration and a fingerprint of that
 * declaration (its field names, in order).  It does not change size: a
 * note API 1.x keeps this layout.  CADENCE_FIELD_HANDLE_INIT (all zero) is
 * a handle of no field.
 */
typedef struct cadence_field_handle {
	unsigned long long declaration;	/* the library's: 0 for no field */
	size_t index;			/* the library's */
} cadence_field_handle;

#define CADENCE_FIELD_HANDLE_INIT { 0, 0 }

/*
 * Resolves field `name` of the score this call sees into *out.  Returns 0;
 * CADENCE_ENOTFOUND when the cadence declares no such field (for a
 * context of cadence_note_ctx_new(): when the score given with
 * cadence_note_ctx_set_score() has no such member, or none was given);
 * CADENCE_EINVAL when out, ctx or name is NULL.  *out is
 * CADENCE_FIELD_HANDLE_INIT on failure.
 *
 * The handle stays valid after the call: for every later call, in any
 * run, of any runner, on a score whose declaration has the same field
 * names in the same order (the same cadence file, typically).  So a note
 * resolves its fields once and reads them by handle at each call; when a
 * note serves several cadences, a handle of one is refused in another
 * (cadence_note_field_at() gives NULL), never misread, and the note
 * resolves the name again.  The pattern, with a handle per thread (notes
 * of a sync may run on several threads at once):
 *
 *     static _Thread_local cadence_field_handle amount;
 *     const cJSON *v = cadence_note_field_at(ctx, amount);
 *     if (!v) {	// the first call on this thread, or another cadence
 *             if (cadence_note_field_handle(&amount, ctx, "amount"))
 *                     return cadence_note_fail(ctx, "no field 'amount'");
 *             v = cadence_note_field_at(ctx, amount);
 *     }
 *
 * (or a handle resolved before the run, kept behind the note's `user`
 * pointer).  Thread-safe: a handle is a plain value; resolving only reads
 * the context.
 */
CADENCE_API int cadence_note_field_handle(cadence_field_handle *out, const cadence_note_ctx *ctx,
					  const char *name);

/*
 * The value of the field of handle `h` in the score of this call (as
 * cadence_note_field() gives it), in constant time (in the engine; a
 * context of cadence_note_ctx_new() walks its score).  NULL when `h` is of
 * another declaration than this call's score (another cadence, or
 * CADENCE_FIELD_HANDLE_INIT), or ctx is NULL.
 */
CADENCE_API const cJSON *cadence_note_field_at(const cadence_note_ctx *ctx, cadence_field_handle h);

/* In the handler note of `on_error`: the message of the failure being
 * handled, and the note that failed (NULL when no note did, such as a
 * merge conflict).  NULL in every other call.  Borrowed. */
CADENCE_API const char *cadence_note_error(const cadence_note_ctx *ctx);
CADENCE_API const char *cadence_note_error_note(const cadence_note_ctx *ctx);

/*
 * For the engine and for tests of a note: a context for calling a note
 * function directly.  `name` is copied; `user` is handed to the note.
 * Returns 0 or CADENCE_ENOMEM.
 */
CADENCE_API int cadence_note_ctx_new(cadence_note_ctx **out, const char *name, void *user);
CADENCE_API void cadence_note_ctx_free(cadence_note_ctx *ctx);

/* Sets the attempt number the note sees (1 when created). */
CADENCE_API void cadence_note_ctx_set_attempt(cadence_note_ctx *ctx, unsigned attempt);

/* Makes cadence_note_expired() return expired(arg) (NULL: never expired).
 * For the engine: it ties the call to its deadline and to cancellation. */
CADENCE_API void cadence_note_ctx_set_expiry(cadence_note_ctx *ctx, int (*expired)(void *arg),
				 void *arg);

/* Note API 1.2.  Gives the context the score the note is called with, so
 * that cadence_note_field(), cadence_note_field_handle() and
 * cadence_note_field_at() read it as the engine's context reads its score:
 * its members are taken as the declared fields, in their order.  Borrowed:
 * it must stay alive, unchanged, while the context reads it; give it again
 * after changing its members (values may change freely).  NULL: no
 * score.  A call on the engine's context does nothing. */
CADENCE_API void cadence_note_ctx_set_score(cadence_note_ctx *ctx, const cJSON *score);

/* The message of the last cadence_note_fail(), or NULL; borrowed. */
CADENCE_API const char *cadence_note_message(const cadence_note_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
