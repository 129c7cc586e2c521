/* SPDX-License-Identifier: MIT */
/* What the run engine needs of the note module: calling a C note with a
 * context that note/ makes (on its stack: a call must cost nanoseconds,
 * not an allocation) from the engine's description of the call, and the
 * fingerprint of a score's declaration.  The context's layout stays in
 * note/note_int.h. */
#ifndef CADENCE_SRC_NOTE_CALL_H
#define CADENCE_SRC_NOTE_CALL_H

#include "cadence/note.h"
#include "util/strbuf.h"

#include <stdint.h>

struct cadence_def;

/* One call of a C note, as the engine sees it; every pointer borrowed for
 * the call.  Members left 0 are absent (NULL callbacks: never expires). */
typedef struct cad_note_call {
	const char *name;
	unsigned attempt;
	void *user;
	int (*expired)(void *arg);
	long long (*remaining_ms)(void *arg);
	void *expired_arg;
	const char *cadence, *measure, *run_id;
	const char *error, *error_note;	/* on_error handlers */
	/* cadence_note_log(): text (len bytes, not NUL-terminated) */
	void (*log)(void *arg, const char *text, size_t len);
	void *log_arg;
	/* the score's slots in declaration order, its declaration and that
	 * declaration's fingerprint (cad_note_declaration_end()) */
	const cJSON *const *fields;
	size_t nfields;
	const struct cadence_def *def;
	unsigned long long declaration;
	/* fields the note declares: `ndeclared` names, each ended by a NUL,
	 * one after another in `declared`, and their indexes in `fields`;
	 * what a read by name compares before it looks in the hash */
	const char *declared;
	const uint32_t *declared_field;
	unsigned ndeclared;
} cad_note_call;

/* Calls fn(ctx, score, changes) with a context that points at `call`
 * (the note's setters may change it for the call), and returns what fn
 * returned.  When the note called cadence_note_fail(),
 * *failed is 1 and its message is moved into `message` (replacing what it
 * held; marked failed when the message ran out of memory); else *failed
 * is 0 and `message` is left alone. */
int cad_note_call_run(cadence_note_func *fn, cad_note_call *call, const cJSON *score,
		      cJSON **changes, int *failed, strbuf *message);

/* The fingerprint of a declaration, a handle's `declaration`: FNV-1a of
 * the field names in order, each ended by a NUL, never 0.  Start with
 * CAD_NOTE_DECL_INIT, add each name, then finish. */
#define CAD_NOTE_DECL_INIT 14695981039346656037ULL

static inline unsigned long long cad_note_declaration_add(unsigned long long h, const char *name)
{
	do
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	while (*name++);
	return h;
}

static inline unsigned long long cad_note_declaration_end(unsigned long long h)
{
	return h ? h : 1;
}

#endif
