/* SPDX-License-Identifier: MIT */
/*
 * cadence/common.h - error codes, version, and the ownership rules of the API.
 *
 * Ownership, once for the whole API: an object returned through a
 * pointer-to-pointer (`out`) is owned by the caller and released with the
 * `_free` function of its type; `_free(NULL)` is a no-op.  Strings and views
 * returned by accessors are borrowed from the object they came from and stay
 * valid until that object is freed.
 *
 * Thread-safety, once for the whole API: the library has no global mutable
 * state of its own.  Distinct objects may be used from distinct threads at
 * the same time; one object may be read from several threads at once, but
 * must not be modified while another thread uses it.  The one process-wide
 * state is Graphviz's (libgvc is not thread-safe): SVG/PNG rendering
 * (cadence/diagram.h) uses one Graphviz context behind one lock, so
 * renderings from several threads take turns.
 *
 * Conventions, once for the whole API (docs/architecture.md, "The API"):
 *
 * - Names: every exported function and type is `cadence_`, every macro
 *   `CADENCE_`; the library's internal functions are `cad_` and hidden.
 * - Errors, one mechanism: a function that can fail returns an int, 0 or
 *   a negative cadence_error below (cadence_strerror() names it).  When a
 *   failure has more to say than its code, the function takes a
 *   caller-owned error struct as its last argument (NULL: not wanted),
 *   which a failing call fills, releasing what it held, and a successful
 *   one leaves alone: cadence_run_error below for everything but
 *   expressions, cadence_expr_error (cadence/expr.h) for them, as it adds
 *   positions in the expression's source.  Error structs are versioned
 *   like options (below) and own their strings, which the struct's
 *   `_clear` function releases; no message is cut to a fixed size.  What
 *   is wrong with an input file is not an error but data: diagnostics
 *   (cadence/diag.h), with CADENCE_EINVALID returned.  No function reports
 *   through errno (a failed write to the caller's FILE leaves that
 *   stream's ferror() set, as stdio does), and none calls exit() or
 *   prints.  A callback given an error struct (cadence_checkpoint_fn)
 *   reports the same way: a negative cadence_error, with the reason in
 *   that struct; a C note reports through its context instead
 *   (cadence_note_fail(), cadence/note.h).
 *   Why not a per-thread "last error" (libgit2, SQLite): this library
 *   keeps no global or per-thread state, so an error cannot be
 *   overwritten by a callback that calls the library again before the
 *   caller reads it, one compiled expression can fail on many threads at
 *   once, and the caller decides how long a message lives.
 * - Versioned structs: an options struct and an error struct (any struct
 *   the caller fills and the library reads, or the reverse) start with
 *   `unsigned version` and have a `_VERSION` and an `_INIT` macro;
 *   initialise one with `_INIT` and set members by name.  Each function
 *   taking one accepts NULL (the defaults, or: no error wanted) and the
 *   versions from 1 to its own (members an older version lacks take
 *   their defaults, as each header says), and returns CADENCE_EVERSION,
 *   doing nothing, for any other.  Not versioned: the views the library
 *   lends for the length of a call or of an object (cadence_event,
 *   cadence_diag), which a caller never allocates, and which grow only
 *   at their end; cadence_note_plugin_info, versioned by the note
 *   API version it carries (cadence/note.h); and cadence_field_handle, a
 *   value of fixed layout the library fills and reads back (note.h).
 * - Parameters, in this order: out-parameters first (the object a
 *   constructor makes, the result a function computes: `out`, `result`,
 *   then any second one), then the object a function acts on, then its
 *   inputs, then optional reports it fills (cadence_diags, diagram
 *   statistics), then the error struct.  An out-parameter is set to NULL
 *   (or 0) on failure, unless its header says it explains the failure
 *   (cadence_project_child()'s path).  A FILE to write to is an input
 *   (the stream), not an out-parameter.
 */
#ifndef CADENCE_COMMON_H
#define CADENCE_COMMON_H

#include "cadence/version.h"

/* CADENCE_API marks what the library exports: the library is built with
 * -fvisibility=hidden, so libcadence.so exports these functions and
 * nothing else (tests/cli/symbols.sh checks it). */
#if defined(__GNUC__) || defined(__clang__)
#define CADENCE_API __attribute__((visibility("default")))
#else
#define CADENCE_API
#endif

/* Lets the compiler check a printf-style function's arguments: FMT is the
 * position of the format, ARGS of the first argument it formats. */
#if defined(__GNUC__) || defined(__clang__)
#define CADENCE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CADENCE_PRINTF(fmt, args)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro: the error list, its names and messages stay in one place. */
#define CADENCE_ERRNO_MAP(X)                                              \
	X(OK,       0, "success")                                         \
	X(ENOMEM,  -1, "out of memory")                                   \
	X(EIO,     -2, "input/output error")                              \
	X(EINVAL,  -3, "invalid argument")                                \
	X(EINVALID,-4, "the input has problems (see the diagnostics)")    \
	X(ELIMIT,  -5, "a documented limit was exceeded")                 \
	X(ENOTFOUND,-6, "not found")                                      \
	X(EFAILED, -7, "the cadence failed")                              \
	X(ECANCELED,-8, "the run was cancelled")                          \
	X(ENOTSUP, -9, "not supported by this build")                     \
	X(EVERSION,-10, "a struct of a version this library does not know (initialise it with its _INIT macro)") \
	X(EOUTSIDE,-11, "a path that leads outside the project root")    \
	X(ESTOPPED,-12, "the cadence's precheck stopped it before its first measure")

typedef enum cadence_error {
#define CADENCE_X_(name, value, msg) CADENCE_##name = (value),
	CADENCE_ERRNO_MAP(CADENCE_X_)
#undef CADENCE_X_
} cadence_error;

/* Why a call did not succeed: the error struct of the runner, plugins,
 * checkpoints, the reporters' files and the builder (named for the
 * runner, whose failures use most of it).  Initialise it with
 * CADENCE_RUN_ERROR_INIT; a failing call fills it, releasing what it
 * held; cadence_run_error_clear() releases it.  Strings are owned by the
 * struct; parts a failure does not have are NULL (`message` is NULL only
 * when no memory was left for it). */
typedef struct cadence_run_error {
	unsigned version;	/* CADENCE_RUN_ERROR_VERSION */
	int code;	/* the return value of the call that filled it */
	char *message;	/* the whole message, for people */
	char *cadence;	/* the cadence that failed (a child's name inside a child) */
	char *path;	/* "root/child": the chain of cadences */
	char *measure;
	char *note;
	char *field;	/* the score field concerned, when there is one */
	unsigned attempt;	/* of the note, when it failed */
	char *stderr_tail;	/* last lines of a `run` note's stderr */
	int sys_errno;	/* CADENCE_EIO: the errno of the system call that
			 * failed (ENOSPC, EACCES...), for programs; else 0 */
} cadence_run_error;

#define CADENCE_RUN_ERROR_VERSION 1
#define CADENCE_RUN_ERROR_INIT { CADENCE_RUN_ERROR_VERSION, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0 }

/* Releases the strings and zeroes the struct, keeping its version; ready
 * for another call.  NULL is a no-op.  Thread-safe for distinct structs. */
CADENCE_API void cadence_run_error_clear(cadence_run_error *err);

/* Message for an error code; never NULL.  Thread-safe. */
CADENCE_API const char *cadence_strerror(int code);

/* Library version as "MAJOR.MINOR.PATCH"; static storage.  Thread-safe. */
CADENCE_API const char *cadence_version(void);

#ifdef __cplusplus
}
#endif
#endif
