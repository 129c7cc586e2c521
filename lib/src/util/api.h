/* SPDX-License-Identifier: MIT */
/* The conventions of cadence/common.h, for the library's entry points. */
#ifndef CADENCE_SRC_UTIL_API_H
#define CADENCE_SRC_UTIL_API_H

#include "cadence/common.h"
#include "util/strbuf.h"

#include <string.h>

/* A versioned struct argument the library can read: NULL (the defaults),
 * or a version from 1 to the library's own.  Entry points return
 * CADENCE_EVERSION when it is not, before doing anything. */
#define CAD_VERSION_OK(p, current) (!(p) || ((p)->version >= 1 && (p)->version <= (current)))

/* Copies the caller's versioned struct *src into *dst (which holds the
 * defaults) as far as src's version goes, so that a program built with an
 * older, smaller struct is not read past its end.  `sizes` is indexed by
 * version: { 0, size of version 1, ... }; when a version adds members,
 * the sizes of the older ones become the offsetof() their end. */
#define CAD_COPY_IN(dst, src, sizes) memcpy((dst), (src), (sizes)[(src)->version])

/* The reverse, for a struct the library fills: the caller's version, and
 * no more of the struct than that version has, are kept. */
#define CAD_COPY_OUT(dst, src, sizes)                                  \
	do {                                                           \
		unsigned cad_v_ = (dst)->version;                      \
		memcpy((dst), (src), (sizes)[cad_v_]);                 \
		(dst)->version = cad_v_;                               \
	} while (0)

/* The same for an error struct the caller passes to be filled. */
#define CAD_RUN_ERR_OK(err) CAD_VERSION_OK(err, CADENCE_RUN_ERROR_VERSION)

/* Fills `err` (may be NULL) with `code` and a formatted message, releasing
 * what it held; returns `code`, so that `return cad_err_set(...)` reads as
 * what it does. */
int cad_err_set(cadence_run_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* CADENCE_EIO for a system call that failed with errno `e`: the message
 * is the formatted text, ": ", and strerror(e); err->sys_errno is e. */
int cad_err_sys(cadence_run_error *err, int e, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Moves the error in *from (of this library's version) into the caller's
 * `to` (may be NULL), releasing what `to` held; *from is left empty. */
void cad_err_move(cadence_run_error *to, cadence_run_error *from);

/* As cad_err_set() with the message in `msg`, which it takes (and leaves
 * empty); an empty `msg` gives cadence_strerror(code). */
int cad_err_take(cadence_run_error *err, int code, strbuf *msg);

#endif
