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
	/* what the engine gives (note/call.h), pointed at, not copied: a call
	 * must cost nanoseconds; for a context of cadence_note_ctx_new(),
	 * &own: what its setters set, the name owned_name, fields NULL */
	cad_note_call *call;
	cad_note_call own;	/* cadence_note_ctx_new() only */
	char *owned_name;	/* cadence_note_ctx_new() */
	int failed;		/* message holds a message (cadence_note_fail()) */
	strbuf message;		/* whole: no limit on what a note says */
	/* cadence_note_ctx_set_score()'s score, read by walking it when the
	 * engine gave no slots (call.fields NULL) */
	const cJSON *score;
};

#endif
