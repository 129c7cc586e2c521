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
 * state.  Distinct objects may be used from distinct threads at the same time;
 * one object may be read from several threads at once, but must not be
 * modified while another thread uses it.
 *
 * Conventions, once for the whole API (docs/architecture.md, "The API"):
 *
 * - Names: every exported function and type is `cadence_`, every macro
 *   `CADENCE_`; the library's internal functions are `cad_` and hidden.
 * - Errors: a function that can fail returns an int, 0 or a negative
 *   cadence_error below; cadence_strerror() names it.  What is wrong with
 *   an input file is not an error but data: diagnostics (cadence/diag.h),
 *   with CADENCE_EINVALID returned.  Where a failure has more to say than
 *   its code (a run, a plugin, a checkpoint, an expression), the function
 *   takes a caller-owned error struct as its last argument, which it fills
 *   (NULL: not wanted).  No function writes to errno as its way of
 *   reporting, and none calls exit() or prints.
 * - Versioned structs: an options struct (and any struct the caller fills
 *   and the library reads, or the reverse) starts with `unsigned version`
 *   and has a `_VERSION` and an `_INIT` macro; initialise it with `_INIT`
 *   and set members by name.  Each function taking one accepts NULL (the
 *   defaults) and the versions from 1 to its own (members an older
 *   version lacks take their defaults, as each header says), and returns
 *   CADENCE_EVERSION, doing nothing, for any other.
 * - Out-parameters: a constructor (`_new`, `_parse`, `_load_*`) takes
 *   the object it makes through its first parameter, `out`, which is set
 *   to NULL on failure.
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
	X(EVERSION,-10, "a struct of a version this library does not know (initialise it with its _INIT macro)")

typedef enum cadence_error {
#define CADENCE_X_(name, value, msg) CADENCE_##name = (value),
	CADENCE_ERRNO_MAP(CADENCE_X_)
#undef CADENCE_X_
} cadence_error;

/* Message for an error code; never NULL.  Thread-safe. */
CADENCE_API const char *cadence_strerror(int code);

/* Library version as "MAJOR.MINOR.PATCH"; static storage.  Thread-safe. */
CADENCE_API const char *cadence_version(void);

#ifdef __cplusplus
}
#endif
#endif
