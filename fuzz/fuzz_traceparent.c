/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: W3C traceparent values (cadence_traceparent_parse(),
 * lib/src/run/tracectx.c; what `cadence run` reads from TRACEPARENT).
 *
 * The input, up to its first NUL, is the value.  The parser's verdict must
 * be the one of a reference written differently (position by position
 * against a template); a value that parses gives back, printed, its own
 * ids and flags, neither id zero; a refusal leaves the outs zero and has
 * a message of printable ASCII, of bounded length, naming the expected
 * form.
 */
#include "fuzz.h"

#include <cadence/run.h>

#include <string.h>

/* 'h': a lowercase hex digit; anything else: itself */
static const char form[] = "hh-hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh-hhhhhhhhhhhhhhhh-hh";

static int reference(const char *s)
{
	size_t n = strlen(s);
	if (n < 55)
		return 0;
	for (size_t i = 0; i < 55; i++)
		if (form[i] == 'h' ? !strchr("0123456789abcdef", s[i]) || !s[i] : s[i] != form[i])
			return 0;
	if (!strncmp(s, "ff", 2) || !strncmp(s + 3, "00000000000000000000000000000000", 32) ||
	    !strncmp(s + 36, "0000000000000000", 16))
		return 0;
	return n == 55 || (strncmp(s, "00", 2) && s[55] == '-');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	FUZZ_ASSERT(s);
	memcpy(s, data, size);
	s[size] = '\0';
	uint64_t t[2] = { 1, 1 }, span = 1;
	unsigned flags = 1;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	int rc = cadence_traceparent_parse(t, &span, &flags, s, &err);
	FUZZ_ASSERT(rc == 0 || rc == CADENCE_EINVAL);
	FUZZ_ASSERT((rc == 0) == reference(s));
	if (!rc) {
		char back[64];
		snprintf(back, sizeof(back), "%016llx%016llx-%016llx-%02x", (unsigned long long)t[0],
			 (unsigned long long)t[1], (unsigned long long)span, flags);
		FUZZ_ASSERT(!strncmp(back, s + 3, 52) && (t[0] || t[1]) && span && flags < 256);
		FUZZ_ASSERT(!err.message);
	} else {
		FUZZ_ASSERT(!t[0] && !t[1] && !span && !flags);
		FUZZ_ASSERT(err.code == CADENCE_EINVAL && err.message);
		FUZZ_ASSERT(strstr(err.message, "(expected 00-<trace id: 32 lowercase hex digits>"));
		FUZZ_ASSERT(strlen(err.message) < 64 * 4 + 300);
		for (const char *p = err.message; *p; p++)
			FUZZ_ASSERT(*p >= 0x20 && *p < 0x7f);
	}
	cadence_run_error_clear(&err);
	free(s);
	return 0;
}
