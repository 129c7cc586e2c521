/* SPDX-License-Identifier: MIT */
/* Internal to the note module: the context of a C note call.  The engine
 * describes a call (note/call.h); cad_note_call_run() makes the context
 * on its stack, pointing at the call's data instead of copying it. */
#ifndef CADENCE_SRC_NOTE_NOTE_INT_H
#define CADENCE_SRC_NOTE_NOTE_INT_H

#include "cadence/note.h"
#include "note/call.h"
#include "util/strbuf.h"

struct cadence_note_ctx {
	const char *name;	/* borrowed from the engine, or owned_name */
	char *owned_name;	/* cadence_note_ctx_new() */
	unsigned attempt;
	void *user;
	int failed;		/* message holds a message (cadence_note_fail()) */
	int (*expired)(void *arg);
	long long (*remaining_ms)(void *arg);
	void *expired_arg;
	/* set by the engine; NULL otherwise */
	const char *cadence, *measure, *run_id;
	const char *error, *error_note;	/* on_error handlers */
	/* cadence_note_log(): text (len bytes, not NUL-terminated) to the
	 * engine, which logs it on the run's thread once the call returns */
	void (*log)(void *arg, const char *text, size_t len);
	void *log_arg;
	strbuf message;		/* whole: no limit on what a note says */
	/* the score (note API 1.2).  The engine's: the slots of the score the
	 * note sees, in declaration order, and the declaration, whose names
	 * the model indexes (fields non-NULL).  Else the score of
	 * cadence_note_ctx_set_score(), read by walking it. */
	const cJSON *const *fields;
	size_t nfields;
	const struct cadence_def *def;
	const cJSON *score;
	unsigned long long declaration;	/* cad_note_declaration(); 0: none */
};

#endif
