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
	X(ENOTSUP, -9, "not supported by this build")

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
