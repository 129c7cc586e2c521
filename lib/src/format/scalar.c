/* SPDX-License-Identifier: MIT */
#include "format/scalar.h"
#include "util/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && !memcmp(s, lit, len);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

const char *cad_scalar_bool(const char *s, size_t len, int *out, const char **help)
{
	if (eq(s, len, "true")) {
		*out = 1;
		return NULL;
	}
	if (eq(s, len, "false")) {
		*out = 0;
		return NULL;
	}
	*help = "write true or false";
	return "expected a boolean";
}

/* JSON integer grammar: -?(0|[1-9][0-9]*) */
static int int_syntax(const char *s, size_t len)
{
	size_t i = 0;
	if (i < len && s[i] == '-')
		i++;
	if (i == len)
		return 0;
	if (s[i] == '0')
		return i + 1 == len;
	for (; i < len; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

static int leading_zero(const char *s, size_t len)
{
	size_t i = s[0] == '-' || s[0] == '+';
	if (len < i + 2 || s[i] != '0')
		return 0;
	for (size_t j = i; j < len; j++)
		if (!is_digit(s[j]) && s[j] != '_')
			return 0;
	return 1;
}

const char *cad_scalar_int(const char *s, size_t len, int64_t *out, const char **help)
{
	if (!int_syntax(s, len)) {
		if (len && leading_zero(s, len)) {
			*help = "remove the leading zeros (YAML 1.1 tools read this as octal)";
			return "expected an integer; leading zeros are not allowed";
		}
		*help = "write a whole number such as 3";
		return "expected an integer";
	}
	char buf[32];
	if (len >= sizeof(buf)) {
		*help = "use a number between -9223372036854775808 and 9223372036854775807";
		return "integer out of range";
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	long long v = strtoll(buf, NULL, 10);
	if (errno == ERANGE) {
		*help = "use a number between -9223372036854775808 and 9223372036854775807";
		return "integer out of range";
	}
	*out = v;
	return NULL;
}

/* JSON number grammar */
static int number_syntax(const char *s, size_t len)
{
	size_t i = 0;
	if (i < len && s[i] == '-')
		i++;
	if (i == len)
		return 0;
	if (s[i] == '0') {
		i++;
	} else if (is_digit(s[i])) {
		while (i < len && is_digit(s[i]))
			i++;
	} else {
		return 0;
	}
	if (i < len && s[i] == '.') {
		i++;
		if (i == len || !is_digit(s[i]))
			return 0;
		while (i < len && is_digit(s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == len || !is_digit(s[i]))
			return 0;
		while (i < len && is_digit(s[i]))
			i++;
	}
	return i == len;
}

const char *cad_scalar_number(const char *s, size_t len, double *out, const char **help)
{
	char buf[64];
	if (!number_syntax(s, len)) {
		if (len && leading_zero(s, len)) {
			*help = "remove the leading zeros (YAML 1.1 tools read this as octal)";
			return "expected a number; leading zeros are not allowed";
		}
		*help = "write a number such as 1.5 or 2";
		return "expected a number";
	}
	if (len >= sizeof(buf)) {
		*help = "write the number with fewer digits";
		return "number too long";
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	double v = strtod(buf, NULL);
	if (!isfinite(v)) {
		*help = "use a number of a magnitude below 1e308";
		return "number out of range";
	}
	*out = v;
	return NULL;
}

const char *cad_scalar_duration(const char *s, size_t len, int64_t *ms, const char **help)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 } };
	double total = 0;
	size_t i = 0;

	*help = "write a number with a unit: ms, s, m or h (for example 500ms, 30s, 1m30s)";
	if (!len)
		return "expected a duration";
	while (i < len) {
		size_t start = i;
		while (i < len && is_digit(s[i]))
			i++;
		if (i < len && s[i] == '.') {
			i++;
			if (i == len || !is_digit(s[i]))
				return "expected a duration";
			while (i < len && is_digit(s[i]))
				i++;
		}
		if (i == start)
			return "expected a duration";
		double v = strtod(s + start, NULL);
		size_t u = i;
		while (i < len && s[i] >= 'a' && s[i] <= 'z')
			i++;
		if (u == i) {
			if (start == 0 && i == len)
				return "a duration needs a unit";
			return "expected a duration";
		}
		size_t k;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (eq(s + u, i - u, units[k].unit))
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			return "unknown duration unit";
		total += v * units[k].ms;
	}
	if (total > 9.0e15) {
		*help = "use a duration below 100,000 days";
		return "duration out of range";
	}
	if (total != floor(total)) {
		*help = "durations are counted in whole milliseconds";
		return "duration is not a whole number of milliseconds";
	}
	*ms = (int64_t)total;
	return NULL;
}

int cad_scalar_is_null(const char *s, size_t len)
{
	return len == 0 || eq(s, len, "~") || eq(s, len, "null") ||
	       eq(s, len, "Null") || eq(s, len, "NULL");
}

int cad_scalar_is_ambiguous(const char *s, size_t len)
{
	static const char *const words[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF", "True", "TRUE",
		"False", "FALSE", ".inf", ".Inf", ".INF", "-.inf", "+.inf",
		".nan", ".NaN", ".NAN",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (eq(s, len, words[i]))
			return 1;
	if (!len)
		return 0;
	/* 010 (octal), 0x1F, 0o17, 0b101, 1_000, 1:30 (sexagesimal), +1 */
	size_t i = s[0] == '-' || s[0] == '+';
	if (i < len && is_digit(s[i])) {
		int digits_only = 1, has_sep = 0;
		if (len > i + 1 && s[i] == '0' &&
		    (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b'))
			return 1;
		for (size_t j = i; j < len; j++) {
			if (s[j] == '_' || s[j] == ':')
				has_sep = 1;
			else if (!is_digit(s[j]))
				digits_only = 0;
		}
		if (digits_only && (has_sep || leading_zero(s, len)))
			return 1;
		if (s[0] == '+' && number_syntax(s + 1, len - 1))
			return 1;
	}
	return 0;
}

/* with their lengths: every name in a file is looked up here */
#define RESERVED(w) { w, sizeof(w) - 1 }
static const struct {
	const char *word;
	size_t len;
} reserved[] = {
	RESERVED("true"), RESERVED("false"), RESERVED("null"), RESERVED("in"),
	RESERVED("as"), RESERVED("break"), RESERVED("const"), RESERVED("continue"),
	RESERVED("else"), RESERVED("for"), RESERVED("function"), RESERVED("if"),
	RESERVED("import"), RESERVED("let"), RESERVED("loop"), RESERVED("package"),
	RESERVED("namespace"), RESERVED("return"), RESERVED("var"), RESERVED("void"),
	RESERVED("while"),
};

int cad_scalar_is_reserved(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (reserved[i].len == len && !memcmp(s, reserved[i].word, len))
			return 1;
	return 0;
}

static int name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int name_char(char c)
{
	return name_start(c) || is_digit(c);
}

/* Letters, digits and '_', not starting with a digit: NULL, or the one of
 * msg[] that says why not (empty, digit first, other first, other). */
static const char *identifier(const char *s, size_t len, size_t *bad, const char *const msg[4])
{
	*bad = 0;
	if (!len)
		return msg[0];
	if (!name_start(s[0]))
		return is_digit(s[0]) ? msg[1] : msg[2];
	for (size_t i = 1; i < len; i++) {
		if (!name_char(s[i])) {
			*bad = i;
			return msg[3];
		}
	}
	return NULL;
}

const char *cad_scalar_name(const char *s, size_t len, size_t *bad)
{
	static const char *const msg[4] = {
		"a name cannot be empty", "a name cannot start with a digit",
		"a name must start with a letter or '_'",
		"a name may only hold letters, digits and '_'",
	};
	const char *why = identifier(s, len, bad, msg);
	if (why)
		return why;
	if (len > NAME_MAX_LEN) {
		*bad = NAME_MAX_LEN;
		return "a name is at most 64 characters long";
	}
	if (cad_scalar_is_reserved(s, len))
		return "this name is a reserved word";
	return NULL;
}

const char *cad_scalar_env_name(const char *s, size_t len, size_t *bad)
{
	static const char *const msg[4] = {
		"an environment variable name cannot be empty",
		"an environment variable name cannot start with a digit",
		"an environment variable name must start with a letter or '_'",
		"an environment variable name may only hold letters, digits and '_'",
	};
	return identifier(s, len, bad, msg);
}

void cad_scalar_name_suggest(const char *s, size_t len, char *buf, size_t size)
{
	size_t n = 0;
	if (size < 2) {
		if (size)
			buf[0] = '\0';
		return;
	}
	if (!len || !name_start(s[0]))
		buf[n++] = '_';
	for (size_t i = 0; i < len && n + 1 < size && n < NAME_MAX_LEN; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			i += cad_utf8_char_len(s + i, len - i) - 1;
			c = '_';
		}
		buf[n++] = name_char((char)c) ? (char)c : '_';
	}
	buf[n] = '\0';
	if (cad_scalar_is_reserved(buf, n) && n + 2 < size) {
		buf[n++] = '_';
		buf[n] = '\0';
	}
}
