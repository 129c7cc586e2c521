/* SPDX-License-Identifier: MIT */
/* Filling the caller's error struct: one way for every module. */
#include "util/api.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cadence_run_error_clear(cadence_run_error *err)
{
	/* one of a later version is not ours to overwrite (0: zeroed, ours) */
	if (!err || err->version > CADENCE_RUN_ERROR_VERSION)
		return;
	unsigned version = err->version;
	free(err->message);
	free(err->cadence);
	free(err->path);
	free(err->measure);
	free(err->note);
	free(err->field);
	free(err->stderr_tail);
	memset(err, 0, sizeof(*err));
	err->version = version;
}

void cad_err_move(cadence_run_error *to, cadence_run_error *from)
{
	static const size_t sizes[] = { 0, sizeof(cadence_run_error) };	/* util/api.h */
	if (!to)
		return;
	cadence_run_error_clear(to);
	CAD_COPY_OUT(to, from, sizes);
	*from = (cadence_run_error)CADENCE_RUN_ERROR_INIT;
}

int cad_err_take(cadence_run_error *err, int code, strbuf *msg)
{
	if (err) {
		const char *text = cad_strbuf_cstr(msg);
		cadence_run_error_clear(err);
		err->code = code;
		err->message = text && *text ? cad_strbuf_detach(msg) : strdup(cadence_strerror(code));
	}
	cad_strbuf_free(msg);
	return code;
}

/* The message of fmt/ap, then ": " and the system's message for e when e
 * is not 0. */
static int vfill(cadence_run_error *err, int code, int e, const char *fmt, va_list ap)
{
	strbuf msg = STRBUF_INIT;
	if (err) {
		cad_strbuf_vaddf(&msg, fmt, ap);
		if (e) {
			cad_strbuf_adds(&msg, ": ");
			cad_strbuf_add_strerror(&msg, e);
		}
	}
	int rc = cad_err_take(err, code, &msg);
	if (err)
		err->sys_errno = e;
	return rc;
}

int cad_err_set(cadence_run_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfill(err, code, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int cad_err_sys(cadence_run_error *err, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfill(err, CADENCE_EIO, e, fmt, ap);
	va_end(ap);
	return rc;
}
