/* SPDX-License-Identifier: MIT */
/* The context of a C note call, shared with the run engine: the engine
 * keeps one context per thread and points it at each call's data instead
 * of copying (a call must cost nanoseconds, not an allocation). */
#ifndef CADENCE_SRC_NOTE_NOTE_INT_H
#define CADENCE_SRC_NOTE_NOTE_INT_H

#include "cadence/note.h"
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
};

#endif
