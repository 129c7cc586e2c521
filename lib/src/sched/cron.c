/* SPDX-License-Identifier: MIT */
/*
 * Cron expressions (sched/cron.h): the parser of the 5 fields with its
 * diagnostics, whether an expression can fire, and its next fire time in
 * a zone.  Calendar arithmetic is done here on days since the epoch
 * (proleptic Gregorian), never through the C library, whose conversions
 * depend on the process's TZ.
 */
#include "sched/cron.h"
#include "util/civil.h"

#include "util/suggest.h"
#include "util/utf8.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- diagnostics ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail(cad_cron_error *e, size_t off, size_t len, const char *help, const char *fmt, ...)
{
	e->offset = off;
	e->length = len;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	snprintf(e->help, sizeof(e->help), "%s", help ? help : "");
	return -1;
}

/* How much of a word a message quotes: enough to recognize it. */
#define QUOTE_MAX 24
static int qlen(size_t n)
{
	return (int)(n > QUOTE_MAX ? QUOTE_MAX : n);
}

/* ---- fields ---- */

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};
static const char *const day_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

enum { F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, F_COUNT };

typedef struct field_def {
	const char *what;	/* "minute": in messages */
	int min, max;		/* values as written (day-of-week: 0-7) */
	int star_max;		/* where `*` and `a/N` end (day-of-week: 6) */
	const char *const *names;	/* names[i] is min + i; NULL: numbers only */
	size_t nnames;
	const char *range_help;
	const char *unit;	/* "minutes": what a step counts */
} field_def;

static const field_def fields[F_COUNT] = {
	{ "minute", 0, 59, 59, NULL, 0, "minutes are 0-59", "minutes" },
	{ "hour", 0, 23, 23, NULL, 0, "hours are 0-23, 0 is midnight", "hours" },
	{ "day-of-month", 1, 31, 31, NULL, 0, "days of the month are 1-31", "days" },
	{ "month", 1, 12, 12, month_names, 12, "months are 1-12 or jan-dec", "months" },
	{ "day-of-week", 0, 7, 6, day_names, 7,
	  "days of the week are 0-7 (0 and 7 are Sunday) or sun-sat", "days" },
};

static const char *const ordinal[F_COUNT] = { "1st", "2nd", "3rd", "4th", "5th" };

static int name_index(const char *const *names, size_t n, const char *s, size_t len)
{
	if (len != 3)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[0]) == names[i][0] &&
		    tolower((unsigned char)s[1]) == names[i][1] &&
		    tolower((unsigned char)s[2]) == names[i][2])
			return (int)i;
	return -1;
}

/* The name a word was probably meant to be: a full name ("monday") by its
 * first three letters, else the closest by edit distance. */
static const char *near_name(const char *const *names, size_t n, const char *s, size_t len)
{
	if (len > 3) {
		int i = name_index(names, n, s, 3);
		if (i >= 0)
			return names[i];
	}
	char low[QUOTE_MAX];
	if (len > sizeof(low))
		return NULL;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	return cad_suggest_pick(low, len, names, n);
}

typedef struct parser {
	const char *text;
	cad_cron_error *err;
	const field_def *f;
	int fi;		/* index of f in fields */
} parser;

static int bad_char(parser *p, size_t at, size_t end)
{
	const char *s = p->text + at;
	size_t n = cad_utf8_char_len(s, end - at);
	uint32_t cp = 0;
	const char *help = "a field is numbers, names, `*`, ranges (1-5), steps (*/15) and lists (1,15)";
	if (*s && strchr("?#LlWw", *s))
		help = "cadence takes POSIX cron fields: no ?, L, W or # (those are Quartz's)";
	else if (*s == '\n' || *s == '\r')
		help = "a cron expression is one line; fields are separated by spaces or tabs";
	if (cad_utf8_decode((const unsigned char *)s, end - at, &cp) == n && !cad_utf8_is_unsafe(cp))
		return fail(p->err, at, n, help, "unexpected character '%.*s' in the %s field",
			    (int)n, s, p->f->what);
	return fail(p->err, at, n, help, "unexpected byte 0x%02x in the %s field",
		    (unsigned)(unsigned char)*s, p->f->what);
}

/* A word in a field that takes no names, or that is not one of its names. */
static int bad_word(parser *p, size_t at, size_t len)
{
	const char *s = p->text + at;
	const field_def *f = p->f;
	char help[160];
	int in_month = name_index(month_names, 12, s, len) >= 0;
	int in_day = name_index(day_names, 7, s, len) >= 0;
	if ((in_month && p->fi != F_MONTH) || (in_day && p->fi != F_WDAY)) {
		const char *kind = in_month ? "month" : "day-of-week";
		snprintf(help, sizeof(help), "the %s field is the %s; this is the %s field (%s)",
			 kind, ordinal[in_month ? F_MONTH : F_WDAY], ordinal[p->fi], f->range_help);
		return fail(p->err, at, len, help, "'%.*s' is a %s name, in the %s field", qlen(len), s,
			    kind, f->what);
	}
	if (!f->names) {
		snprintf(help, sizeof(help), "the %s field takes numbers: %s", f->what, f->range_help);
		return fail(p->err, at, len, help, "'%.*s' is not a number", qlen(len), s);
	}
	const char *kind = p->fi == F_MONTH ? "month" : "day";
	const char *near = near_name(f->names, f->nnames, s, len);
	if (near)
		return fail(p->err, at, len, f->range_help,
			    "'%.*s' is not a %s name; did you mean '%s'?", qlen(len), s, kind, near);
	return fail(p->err, at, len, f->range_help, "'%.*s' is not a %s name", qlen(len), s, kind);
}

/* A number or name at *pos (before end) into *v; *pos moves past it.
 * `range_end`: sun may be 7 there (fri-sun). */
static int parse_value(parser *p, size_t *pos, size_t end, int range_end, int *v)
{
	const char *t = p->text;
	size_t at = *pos, i = at;
	const field_def *f = p->f;
	if (i < end && isdigit((unsigned char)t[i])) {
		long n = 0;
		for (; i < end && isdigit((unsigned char)t[i]); i++)
			if (n < 100000)	/* large enough to be out of every range */
				n = n * 10 + (t[i] - '0');
		*pos = i;
		if (n < f->min || n > f->max)
			return fail(p->err, at, i - at, f->range_help, "%s %.*s is out of range %d-%d",
				    f->what, qlen(i - at), t + at, f->min, f->max);
		*v = (int)n;
		return 0;
	}
	if (i < end && isalpha((unsigned char)t[i])) {
		for (; i < end && isalpha((unsigned char)t[i]); i++)
			;
		*pos = i;
		int k = f->names ? name_index(f->names, f->nnames, t + at, i - at) : -1;
		if (k < 0)
			return bad_word(p, at, i - at);
		*v = f->min + k;
		if (range_end && p->fi == F_WDAY && k == 0)
			*v = 7;
		return 0;
	}
	if (i >= end) {
		return fail(p->err, i, 0, "write a range as low-high, such as 1-5",
			    "'-' needs a value after it");
	}
	return bad_char(p, i, end);
}

static int parse_step(parser *p, size_t *pos, size_t end, int *step)
{
	const char *t = p->text;
	size_t slash = *pos - 1, at = *pos, i = at;
	const field_def *f = p->f;
	char help[160];
	int eg = p->fi == F_MINUTE ? 15 : 2;
	snprintf(help, sizeof(help), "a step is a number after `/`: */%d in the %s field is every %d %s",
		 eg, f->what, eg, f->unit);
	if (i >= end || !isdigit((unsigned char)t[i])) {
		if (i < end && isalnum((unsigned char)t[i])) {
			size_t j = i;
			while (j < end && isalnum((unsigned char)t[j]))
				j++;
			return fail(p->err, i, j - i, help, "step '%.*s' is not a number",
				    qlen(j - i), t + i);
		}
		if (i < end)
			return bad_char(p, i, end);
		return fail(p->err, slash, 1, help, "'/' needs a step after it");
	}
	long n = 0;
	for (; i < end && isdigit((unsigned char)t[i]); i++)
		if (n < 100000)
			n = n * 10 + (t[i] - '0');
	*pos = i;
	int span = f->star_max - f->min + 1;
	if (n == 0)
		return fail(p->err, at, i - at, help, "step 0 never advances");
	if (n > span) {
		snprintf(help, sizeof(help),
			 "a step picks values within the field (%d-%d): it cannot reach past it",
			 f->min, f->star_max);
		return fail(p->err, at, i - at, help, "step %.*s is larger than the %s field's %d values",
			    qlen(i - at), t + at, f->what, span);
	}
	*step = (int)n;
	return 0;
}

/* One element of a list, t[at..end): sets its bits in *bits. */
static int parse_element(parser *p, size_t at, size_t end, uint64_t *bits)
{
	const char *t = p->text;
	const field_def *f = p->f;
	size_t pos = at;
	int lo, hi, step = 1;
	if (t[pos] == '*') {
		pos++;
		lo = f->min;
		hi = f->star_max;
		if (pos < end && (isalnum((unsigned char)t[pos]) || t[pos] == '-' || t[pos] == '*'))
			return fail(p->err, pos, 1, "`*` stands alone or takes a step: * or */N",
				    "unexpected '%c' after '*' in the %s field", t[pos], f->what);
	} else {
		if (parse_value(p, &pos, end, 0, &lo) < 0)
			return -1;
		hi = lo;
		if (pos < end && t[pos] == '-') {
			pos++;
			if (pos >= end) {
				return fail(p->err, at, pos - at, "write a range as low-high, such as 1-5",
					    "range %.*s has no end", qlen(pos - at), t + at);
			}
			if (parse_value(p, &pos, end, 1, &hi) < 0)
				return -1;
			if (hi < lo) {
				char help[160];
				if (p->fi == F_WDAY && hi == 0)
					snprintf(help, sizeof(help), "7 is Sunday too: write %d-7", lo);
				else
					snprintf(help, sizeof(help),
						 "a range runs from low to high: write %d-%d, or "
						 "%d-%d,%d-%d for one that wraps around",
						 hi, lo, lo, f->star_max, f->min, hi);
				return fail(p->err, at, pos - at, help, "range %.*s goes backwards",
					    qlen(pos - at), t + at);
			}
		} else if (pos < end && t[pos] == '/') {
			hi = f->star_max;	/* a/N: from a to the end, as Vixie cron */
			if (lo > hi)
				hi = lo;	/* 7/N in day-of-week: Sunday */
		}
	}
	if (pos < end && t[pos] == '/') {
		pos++;
		if (parse_step(p, &pos, end, &step) < 0)
			return -1;
	}
	if (pos < end)
		return bad_char(p, pos, end);
	for (int v = lo; v <= hi; v += step)
		*bits |= (uint64_t)1 << v;
	return 0;
}

/* Field fi, t[at..end): its bits, and whether it begins with `*`. */
static int parse_field(parser *p, int fi, size_t at, size_t end, uint64_t *bits)
{
	const char *t = p->text;
	p->fi = fi;
	p->f = &fields[fi];
	*bits = 0;
	size_t start = at;
	for (;;) {
		size_t stop = start;
		while (stop < end && t[stop] != ',')
			stop++;
		if (stop == start)	/* a comma first, or two in a row: point at it */
			return fail(p->err, stop, 1,
				    "remove the extra comma, or put a value where it is missing",
				    "empty element in the %s list", p->f->what);
		if (parse_element(p, start, stop, bits) < 0)
			return -1;
		if (stop == end)
			return 0;
		start = stop + 1;
		if (start == end)
			return fail(p->err, stop, 1,
				    "remove the extra comma, or put a value where it is missing",
				    "empty element in the %s list", p->f->what);
	}
}

/* ---- the expression ---- */

#define MAX_TOKENS 8
typedef struct tokens {
	size_t at[MAX_TOKENS], end[MAX_TOKENS];
	size_t n;	/* all of them, even past MAX_TOKENS */
	size_t last_end;
} tokens;

static void split(const char *t, tokens *tk)
{
	size_t i = 0;
	tk->n = 0;
	tk->last_end = 0;
	for (;;) {
		while (t[i] == ' ' || t[i] == '\t')
			i++;
		if (!t[i])
			return;
		size_t s = i;
		while (t[i] && t[i] != ' ' && t[i] != '\t')
			i++;
		if (tk->n < MAX_TOKENS) {
			tk->at[tk->n] = s;
			tk->end[tk->n] = i;
		}
		tk->n++;
		tk->last_end = i;
	}
}

static int parse_fields(cad_cron *out, const char *t, const tokens *tk, size_t first,
			cad_cron_error *err)
{
	parser p = { .text = t, .err = err };
	uint64_t b[F_COUNT];
	for (int fi = 0; fi < F_COUNT; fi++)
		if (parse_field(&p, fi, tk->at[first + fi], tk->end[first + fi], &b[fi]) < 0)
			return -1;
	memset(out, 0, sizeof(*out));
	out->minutes = b[F_MINUTE];
	out->hours = (uint32_t)b[F_HOUR];
	out->mdays = (uint32_t)b[F_MDAY];
	out->months = (uint16_t)b[F_MONTH];
	out->wdays = (uint8_t)((b[F_WDAY] | (b[F_WDAY] >> 7)) & 0x7f);	/* 7 is Sunday */
	out->mday_star = t[tk->at[first + F_MDAY]] == '*';
	out->wday_star = t[tk->at[first + F_WDAY]] == '*';
	return 0;
}

static const struct macro {
	const char *name, *expr;
} macros[] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" }, { "@reboot", NULL },
};
#define NMACROS (sizeof(macros) / sizeof(macros[0]))

static int same_word(const char *name, const char *s, size_t len)
{
	if (strlen(name) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (tolower((unsigned char)s[i]) != name[i])
			return 0;
	return 1;
}

/* A macro, case-insensitive (as the names of the fields are). */
static int parse_macro(cad_cron *out, const char *t, const tokens *tk, cad_cron_error *err)
{
	size_t at = tk->at[0], len = tk->end[0] - at;
	const char *help = "the macros are @yearly (@annually), @monthly, @weekly, @daily "
			   "(@midnight) and @hourly";
	for (size_t i = 0; i < NMACROS; i++) {
		if (!same_word(macros[i].name, t + at, len))
			continue;
		if (!macros[i].expr)
			return fail(err, at, len,
				    "give a time, such as @daily or `30 2 * * *`; to run at boot, "
				    "use the system's own means (a systemd unit)",
				    "@reboot is not a schedule: it means when the machine starts, "
				    "not a time");
		if (tk->n > 1)
			return fail(err, tk->at[1], tk->last_end - tk->at[1],
				    "a macro is the whole expression: remove the fields after it",
				    "%s takes no fields after it", macros[i].name);
		tokens mt;
		split(macros[i].expr, &mt);
		return parse_fields(out, macros[i].expr, &mt, 0, err);
	}
	char low[QUOTE_MAX];
	const char *near = NULL;
	if (len <= sizeof(low)) {
		for (size_t i = 0; i < len; i++)
			low[i] = (char)tolower((unsigned char)t[at + i]);
		cad_suggest s;
		cad_suggest_init(&s, low, len);
		for (size_t i = 0; i < NMACROS; i++)
			cad_suggest_try(&s, macros[i].name);
		near = s.best;
	}
	if (near)
		return fail(err, at, len, help, "'%.*s' is not a cron macro; did you mean '%s'?",
			    qlen(len), t + at, near);
	return fail(err, at, len, help, "'%.*s' is not a cron macro", qlen(len), t + at);
}

static const char *const field_list = "minute hour day-of-month month day-of-week";

/* Whether fields 2-6 of six make an expression: the first is then seconds. */
static int looks_like_seconds(const char *t, const tokens *tk)
{
	cad_cron c;
	cad_cron_error e;
	if (tk->n != 6 || parse_fields(&c, t, tk, 1, &e) < 0)
		return 0;
	parser p = { .text = t, .err = &e };
	uint64_t bits;
	return parse_field(&p, F_MINUTE, tk->at[0], tk->end[0], &bits) == 0;
}

static int wrong_count(const char *t, const tokens *tk, cad_cron_error *err)
{
	char help[160];
	if (tk->n == 0)
		return fail(err, 0, strlen(t),
			    "write 5 fields, such as `30 2 * * *`, or a macro, such as @daily",
			    "the cron expression is empty");
	if (looks_like_seconds(t, tk)) {
		snprintf(help, sizeof(help),
			 "cadence takes no seconds field (its schedules fire on the minute): "
			 "remove '%.*s'", qlen(tk->end[0] - tk->at[0]), t + tk->at[0]);
		return fail(err, tk->at[0], tk->end[0] - tk->at[0], help,
			    "a cron expression has 5 fields (%s); this one has 6, the first "
			    "looks like seconds", field_list);
	}
	if (tk->n > F_COUNT)
		return fail(err, tk->at[F_COUNT], tk->last_end - tk->at[F_COUNT],
			    "remove the fields after the day-of-week; a list is written "
			    "without spaces (1,15)",
			    "a cron expression has 5 fields (%s); this one has %zu", field_list, tk->n);
	size_t n = (size_t)snprintf(help, sizeof(help), "give the missing fields too (* for any):");
	for (size_t i = tk->n; i < F_COUNT && n < sizeof(help); i++)
		n += (size_t)snprintf(help + n, sizeof(help) - n, " %s", fields[i].what);
	return fail(err, tk->at[0], tk->last_end - tk->at[0], help,
		    "a cron expression has 5 fields (%s); this one has %zu", field_list, tk->n);
}

int cad_cron_parse(cad_cron *out, const char *text, cad_cron_error *err)
{
	tokens tk;
	split(text, &tk);
	if (tk.n >= 1 && text[tk.at[0]] == '@')
		return parse_macro(out, text, &tk, err);
	if (tk.n != F_COUNT)
		return wrong_count(text, &tk, err);
	return parse_fields(out, text, &tk, 0, err);
}

/* ---- calendar ---- */






/* Whether the day fields allow the day: either alone when neither begins
 * with `*`, as POSIX says; both when one does (as Vixie cron: for a bare
 * `*` that is the other alone, since `*` allows every day). */
static int day_matches(const cad_cron *c, int d, int wd)
{
	int dom = (c->mdays >> d) & 1, dow = (c->wdays >> wd) & 1;
	if (c->mday_star || c->wday_star)
		return dom && dow;
	return dom || dow;
}

int cad_cron_can_fire(const cad_cron *c)
{
	if (!c->minutes || !c->hours || !c->months || !c->mdays || !c->wdays)
		return 0;
	if (!c->mday_star && !c->wday_star)
		return 1;	/* ORed: every month has every weekday */
	/* ANDed: a day of a chosen month must exist (Feb 29 does, in leap
	 * years); every date falls on each weekday in some year */
	for (int m = 1; m <= 12; m++) {
		if (!((c->months >> m) & 1))
			continue;
		for (int d = 1; d <= (m == 2 ? 29 : cad_month_days(1, m)); d++)
			if ((c->mdays >> d) & 1)
				return 1;
	}
	return 0;
}

/* The lowest set bit of bits at or after `from`, or -1. */
static int next_bit(uint64_t bits, int from)
{
	if (from > 63)
		return -1;
	bits &= ~(uint64_t)0 << from;
	if (!bits)
		return -1;
	int i = 0;
	while (!((bits >> i) & 1))
		i++;
	return i;
}

/* The first local minute at or after `local` (a multiple of 60) that the
 * fields match, or -1 when none is before `limit`.  Whole months, days and
 * hours that do not match are skipped at once. */
static int next_local(const cad_cron *c, int64_t local, int64_t limit, int64_t *found)
{
	int64_t days = cad_floor_div(local, 86400);
	int64_t sec = local - days * 86400;
	int64_t y;
	int m, d, h = (int)(sec / 3600), mi = (int)(sec % 3600 / 60);
	cad_civil_from_days(days, &y, &m, &d);
	for (;;) {
		if (days * 86400 > limit)
			return -1;
		if (!((c->months >> m) & 1)) {
			days += cad_month_days(y, m) - d + 1;
			cad_civil_from_days(days, &y, &m, &d);
			h = mi = 0;
			continue;
		}
		if (!day_matches(c, d, cad_weekday(days))) {
			days++;
			cad_civil_from_days(days, &y, &m, &d);
			h = mi = 0;
			continue;
		}
		int nh = next_bit(c->hours, h);
		if (nh < 0) {
			days++;
			cad_civil_from_days(days, &y, &m, &d);
			h = mi = 0;
			continue;
		}
		if (nh != h) {
			h = nh;
			mi = 0;
		}
		int nm = next_bit(c->minutes, mi);
		if (nm < 0) {
			h++;
			mi = 0;
			if (h == 24) {
				days++;
				cad_civil_from_days(days, &y, &m, &d);
				h = 0;
			}
			continue;
		}
		*found = days * 86400 + h * 3600 + nm * 60;
		return *found > limit ? -1 : 0;
	}
}

/* The instant a local time fires at: the first when it is repeated, the
 * clock's jump when it is skipped. */
static int64_t fire_instant(const cad_tz *tz, int64_t local)
{
	int64_t in[2], jump;
	int n = cad_tz_instants(tz, local, in, &jump);
	return n == 0 ? jump : in[0];
}

/* Past 400 years nothing new comes: the Gregorian calendar repeats. */
#define HORIZON_MAX ((int64_t)146097 * 86400 + 2 * 86400)
/* Local times are within a day of the instant on either side. */
#define OFFSET_MARGIN ((int64_t)2 * 86400)

int cad_cron_next(const cad_cron *c, const cad_tz *tz, int64_t after, int64_t horizon,
		  int64_t *next)
{
	if (horizon < 0 || !cad_cron_can_fire(c))
		return -1;
	if (horizon > HORIZON_MAX)
		horizon = HORIZON_MAX;
	if (after > INT64_MAX / 2 || after < INT64_MIN / 2)
		return -1;	/* far past any calendar: nothing to compute */
	int64_t local = cad_tz_local(tz, after);
	int64_t limit = local + horizon + OFFSET_MARGIN;
	/* A local time at or before local(after) fires at or before after,
	 * except a repeated one whose first occurrence is past: none, since
	 * after is then in its first pass.  Fire instants grow with local
	 * times, so the first match whose instant is past `after` is the one:
	 * matches skipped (after is in a repeated hour's second pass) or
	 * merged (several in one gap fire at the jump once) are passed over. */
	int64_t from = cad_floor_div(local, 60) * 60 + 60;
	int64_t cand;
	while (next_local(c, from, limit, &cand) == 0) {
		int64_t t = fire_instant(tz, cand);
		if (t > after) {
			if (t - after > horizon)
				return -1;
			*next = t;
			return 0;
		}
		from = cand + 60;
	}
	return -1;
}
