/* SPDX-License-Identifier: MIT */
/* W3C Trace Context: the `traceparent` a run joins (cadence_run_opts,
 * TRACEPARENT), and the one its `run` notes get (docs/observability.md,
 * "Traces"). */
#include "run/run_int.h"
#include "util/api.h"

#include <stdio.h>
#include <string.h>

#define TP_FORM "00-<trace id: 32 lowercase hex digits>-<parent id: 16 lowercase hex " \
		"digits>-<flags: 2 lowercase hex digits>"

/* The lowercase hex digits s[0, n) as a number (n <= 16); -1 when one is
 * not such a digit (uppercase included: the specification's HEXDIGLC). */
static int hex_field(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (uint64_t)d;
	}
	return 0;
}

/* Does s hold n lowercase hex digits and then `end` ('-' or NUL)?  strnlen
 * first: a short string is not read past its NUL. */
static int hex_then(const char *s, size_t n, char end, uint64_t *v)
{
	return strnlen(s, n + 1) > n && !hex_field(s, n, v) && s[n] == end ? 0 : -1;
}

/* The value quoted for a message: cut to 64 bytes, what is not printable
 * ASCII as \xNN (a header from anywhere may hold anything). */
static void quote(strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	cad_strbuf_addc(sb, '\'');
	for (size_t i = 0; i < n && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			cad_strbuf_addc(sb, (char)c);
		else
			cad_strbuf_addf(sb, "\\x%02x", c);
	}
	cad_strbuf_adds(sb, n > 64 ? "'..." : "'");
}

/* Why s is not a traceparent, or NULL when it is one (its fields in v:
 * version, trace id high and low, parent id, flags). */
static const char *check(const char *s, uint64_t v[5])
{
	if (!*s)
		return "it is empty";
	if (hex_then(s, 2, '-', &v[0]))
		return "it must start with a version, 2 lowercase hex digits, and a '-'";
	if (v[0] == 0xff)
		return "version ff is invalid";
	if (strnlen(s + 3, 33) < 33 || hex_field(s + 3, 16, &v[1]) ||
	    hex_field(s + 19, 16, &v[2]) || s[35] != '-')
		return "the trace id must be 32 lowercase hex digits followed by a '-'";
	if (!v[1] && !v[2])
		return "the trace id is all zeros";
	if (hex_then(s + 36, 16, '-', &v[3]))
		return "the parent id must be 16 lowercase hex digits followed by a '-'";
	if (!v[3])
		return "the parent id is all zeros";
	if (strnlen(s + 53, 2) < 2 || hex_field(s + 53, 2, &v[4]))
		return "the flags must be 2 lowercase hex digits";
	/* version 00 ends after the flags; a later one may go on after a '-' */
	if (s[55] && !v[0])
		return "version 00 ends after the flags (55 characters in all)";
	if (s[55] && s[55] != '-')
		return "the flags must be followed by the end or a '-'";
	return NULL;
}

int cadence_traceparent_parse(uint64_t trace_id[2], uint64_t *span_id, unsigned *flags,
			      const char *s, cadence_run_error *err)
{
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	uint64_t v[5] = { 0 };
	const char *why = s ? check(s, v) : "there is none (NULL)";
	if (why)
		v[1] = v[2] = v[3] = v[4] = 0;
	if (trace_id) {
		trace_id[0] = v[1];
		trace_id[1] = v[2];
	}
	if (span_id)
		*span_id = v[3];
	if (flags)
		*flags = (unsigned)v[4];
	if (!why)
		return 0;
	if (!err)
		return CADENCE_EINVAL;
	strbuf m = STRBUF_INIT;
	if (s)
		quote(&m, s);
	cad_strbuf_addf(&m, "%snot a W3C traceparent: %s (expected " TP_FORM ")", s ? " is " : "",
			why);
	return cad_err_take(err, CADENCE_EINVAL, &m);
}

uint64_t cad_run_span_id(rrun *run)
{
	uint64_t id;
	while (!(id = cad_rng_next(&run->trace_rng)))
		;
	return id;
}

void cad_traceparent_format(char out[56], const uint64_t trace_id[2], uint64_t span_id,
			    unsigned flags)
{
	snprintf(out, 56, "00-%016llx%016llx-%016llx-%02x", (unsigned long long)trace_id[0],
		 (unsigned long long)trace_id[1], (unsigned long long)span_id, flags & 0xffu);
}
