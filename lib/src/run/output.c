/* SPDX-License-Identifier: MIT */
/* The output contract of `run` notes (docs/run.md, "Output"): stdout is
 * empty (no change) or one JSON object of the fields the note changes,
 * optionally with the control keys "$skip" and "$interrupt". */
#include "run/run_int.h"
#include "util/utf8.h"

#include <string.h>

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/* Up to `max` bytes of s[0..len), stopping at a newline, as text that can
 * be shown and put in JSON: an unsafe character (a control character, a
 * bidirectional override) or a byte that is not UTF-8 becomes '?', and a
 * character is never cut in two. */
static void add_excerpt(strbuf *sb, const char *s, size_t len, size_t max)
{
	for (size_t i = 0; i < len && i < max && s[i] != '\n';) {
		uint32_t cp;
		size_t n = cad_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (!n || cad_utf8_is_unsafe(cp)) {
			cad_strbuf_addc(sb, '?');
			i += n ? n : 1;
		} else {
			cad_strbuf_add(sb, s + i, n);
			i += n;
		}
	}
}

/* line:col of byte `at` in buf, and a short excerpt of what is there */
static void where(const char *buf, size_t len, size_t at, rfail *f)
{
	unsigned line = 1, col = 1;
	for (size_t i = 0; i < at && i < len; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	cad_strbuf_addf(&f->msg, " at line %u, column %u", line, col);
	if (at < len && buf[at] != '\n') {
		cad_strbuf_adds(&f->msg, " near '");
		add_excerpt(&f->msg, buf + at, len - at, 20);
		cad_strbuf_addc(&f->msg, '\'');
	}
}

int cad_output_control(cJSON *obj, int *outcome, rfail *f)
{
	cJSON *item = obj->child;
	while (item) {
		cJSON *next = item->next;
		const char *k = item->string;
		if (k && k[0] == '$') {
			int on = cJSON_IsTrue(item);
			if (!strcmp(k, "$skip")) {
				if (on)
					*outcome = CADENCE_NOTE_SKIP;
			} else if (!strcmp(k, "$interrupt")) {
				if (on && *outcome != CADENCE_NOTE_SKIP)
					*outcome = CADENCE_NOTE_INTERRUPT;
			} else {
				/* the key as where() shows text: a control
				 * character must not reach a terminal */
				cad_rfail_set(f, "its output has the unknown control key '");
				add_excerpt(&f->msg, k, strlen(k), 64);
				cad_strbuf_adds(&f->msg, "' (known: $skip, $interrupt)");
				f->permanent = 1;
				return -1;
			}
			if (!cJSON_IsBool(item)) {
				cad_rfail_set(f, "its output's '%s' must be true or false", k);
				f->permanent = 1;
				return -1;
			}
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, item));
		}
		item = next;
	}
	return 0;
}

int cad_output_parse(const char *buf, size_t len, cJSON **changes, int *outcome, rfail *f)
{
	const char *end = NULL;
	int oc = CADENCE_NOTE_OK;
	*changes = NULL;
	if (blank(buf, len)) {
		*changes = cJSON_CreateObject();
		if (!*changes) {
			cad_rfail_set(f, "out of memory");
			return -1;
		}
		*outcome = oc;
		return 0;
	}
	if (memchr(buf, '\0', len)) {
		cad_rfail_set(f, "its output is not JSON: it holds a NUL byte");
		return -1;
	}
	/* JSON text is UTF-8 (RFC 8259): what is not would reach the score,
	 * and through it every JSON the run writes */
	size_t valid = cad_utf8_valid_prefix(buf, len);
	if (valid < len) {
		cad_rfail_set(f, "its output is not UTF-8: byte 0x%02X", (unsigned char)buf[valid]);
		where(buf, len, valid, f);
		cad_strbuf_adds(&f->msg, "; JSON text must be UTF-8 (convert it, e.g. with "
				     "iconv -f LATIN1 -t UTF-8)");
		return -1;
	}
	cJSON *v = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!v) {
		/* on failure cJSON points `end` at the error (its global
		 * error pointer is not thread-safe) */
		cad_rfail_set(f, "its output is not JSON");
		if (end >= buf && end <= buf + len)
			where(buf, len, (size_t)(end - buf), f);
		cad_strbuf_adds(&f->msg, "; a note prints one JSON object of the fields it changes, or nothing");
		return -1;
	}
	if (end && !blank(end, len - (size_t)(end - buf))) {
		while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
			end++;
		cad_rfail_set(f, "its output has more after the JSON value");
		where(buf, len, (size_t)(end - buf), f);
		cJSON_Delete(v);
		return -1;
	}
	if (!cJSON_IsObject(v)) {
		cad_rfail_set(f, "its output must be a JSON object of the fields it changes, not %s",
			  cad_score_type_of(v));
		cJSON_Delete(v);
		return -1;
	}
	if (cad_output_control(v, &oc, f)) {
		cJSON_Delete(v);
		return -1;
	}
	*changes = v;
	*outcome = oc;
	return 0;
}
