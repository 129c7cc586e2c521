/* SPDX-License-Identifier: MIT */
/*
 * Time zones (tz.h): a TZif reader (RFC 8536, versions 1 to 4) and the
 * POSIX TZ rules of its footer.  Everything is computed from the loaded
 * zone: no tzset(), no localtime(), no global state.
 */
#include "sched/tz.h"

#include "cadence/common.h"
#include "util/civil.h"
#include "util/strbuf.h"
#include "util/suggest.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* a zone file is a few kB; the cap keeps a wrong $TZDIR from reading a
 * large file into memory */
#define TZ_MAX_FILE (1024 * 1024)
/* offsets beyond RFC 8536's recommended range (-25:59:59 to +25:59:59) are
 * refused, so that every local time has its instants within a day of it */
#define TZ_MAX_OFF (26 * 3600 - 1)
/* cad_tz_instants looks this far on each side of a local time */
#define TZ_WINDOW (2 * 86400)
#define TZ_MAX_NAME 255
#define TZ_ABBR 32
#define DAY 86400
/* the Gregorian calendar repeats itself, weekdays included, every 400
 * years (146097 days): the footer's rules are evaluated within one cycle */
#define CYCLE ((int64_t)146097 * DAY)

typedef struct tz_type {
	int32_t off;		/* east of UTC, in seconds */
	unsigned char isdst;
	const char *abbr;	/* into cad_tz.chars or the footer's names */
} tz_type;

/* a date of the footer's rule: Jn, n or Mm.w.d, and its time of day */
typedef struct tz_rule {
	char kind;		/* 'J', 'D' (zero-based day) or 'M' */
	int n, m, w, d;
	int32_t secs;		/* local time of day, -167h to 167h */
} tz_rule;

typedef struct tz_posix {
	tz_type std, dst;
	int has_dst;
	tz_rule start, end;	/* DST starts (in standard time), ends (in DST) */
	char names[2][TZ_ABBR];
} tz_posix;

struct cad_tz {
	char *name;
	int64_t *times;		/* transitions, strictly ascending */
	unsigned char *idx;	/* the type each transition starts */
	size_t ntimes;
	tz_type *types;
	size_t ntypes;
	char *chars;		/* the abbreviations, NUL-terminated */
	int has_footer;
	tz_posix footer;
};

/* ---- small arithmetic -------------------------------------------------------------- */

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}






/* The year of a day. */
static int64_t year_of_days(int64_t days)
{
	int64_t y;
	int m, d;
	cad_civil_from_days(days, &y, &m, &d);
	return y;
}

/* ---- the footer's POSIX TZ rules ----------------------------------------------------- */

/* days since the epoch of the rule's date in year y */
static int64_t rule_day(const tz_rule *r, int64_t y)
{
	int64_t jan1 = cad_days_from_civil(y, 1, 1);
	if (r->kind == 'J')	/* 1-365, February 29 never counted */
		return jan1 + r->n - 1 + (cad_is_leap(y) && r->n >= 60);
	if (r->kind == 'D')
		return jan1 + r->n;
	int64_t first = cad_days_from_civil(y, r->m, 1);
	int wday = (int)(((first + 4) % 7 + 7) % 7);	/* 1970-01-01 was a Thursday */
	int64_t day = (r->d - wday + 7) % 7 + 7 * (r->w - 1);
	while (day >= cad_month_days(y, r->m))	/* week 5: the last such day */
		day -= 7;
	return first + day;
}

/* The footer's transitions of years y-1 to y+2 in time order (UTC, within
 * the reduced cycle), with whether DST follows each.  Listed year by year
 * and sorted stably, so that an end and the next start at one instant (DST
 * all year) leave DST in force. */
static void footer_transitions(const tz_posix *p, int64_t y, int64_t at[8], int dst[8])
{
	for (int i = 0; i < 8; i++) {
		int64_t yy = y - 1 + i / 2;
		const tz_rule *r = i % 2 ? &p->end : &p->start;
		int32_t before = i % 2 ? p->dst.off : p->std.off;
		at[i] = rule_day(r, yy) * DAY + r->secs - before;
		dst[i] = !(i % 2);
	}
	for (int i = 1; i < 8; i++)
		for (int j = i; j > 0 && at[j - 1] > at[j]; j--) {
			int64_t t = at[j];
			int d = dst[j];
			at[j] = at[j - 1], dst[j] = dst[j - 1];
			at[j - 1] = t, dst[j - 1] = d;
		}
}

/* t's place in its 400-year cycle: [0, CYCLE), with no overflow at the ends */
static int64_t in_cycle(int64_t t)
{
	int64_t r = t % CYCLE;
	return r < 0 ? r + CYCLE : r;
}

static const tz_type *footer_at(const tz_posix *p, int64_t t)
{
	if (!p->has_dst)
		return &p->std;
	int64_t r = in_cycle(t);
	int64_t at[8];
	int dst[8];
	footer_transitions(p, year_of_days(cad_floor_div(r, DAY)), at, dst);
	int in_dst = !dst[0];
	for (int i = 0; i < 8 && at[i] <= r; i++)
		in_dst = dst[i];
	return in_dst ? &p->dst : &p->std;
}

/* the footer's first transition after t, INT64_MAX when none can be told */
static int64_t footer_next(const tz_posix *p, int64_t t)
{
	if (!p->has_dst)
		return INT64_MAX;
	int64_t r = in_cycle(t);
	int64_t at[8];
	int dst[8];
	footer_transitions(p, year_of_days(cad_floor_div(r, DAY)), at, dst);
	for (int i = 0; i < 8; i++)
		if (at[i] > r)
			return sat_add(t, at[i] - r);
	return INT64_MAX;
}

/* ---- parsing the footer ---------------------------------------------------------- */

/* An abbreviation: 3 or more letters, or <...> of letters, digits, + and -. */
static const char *parse_abbr(const char **s, char out[TZ_ABBR])
{
	const char *p = *s;
	size_t n = 0;
	int quoted = *p == '<';
	p += quoted;
	while (quoted ? (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
				(*p >= '0' && *p <= '9') || *p == '+' || *p == '-'
		      : (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
		if (n + 1 >= TZ_ABBR)
			return "an abbreviation is longer than 31 characters";
		out[n++] = *p++;
	}
	out[n] = '\0';
	if (quoted && *p++ != '>')
		return "an abbreviation opened with '<' has no '>'";
	if (n < 3)
		return "an abbreviation has fewer than 3 characters";
	*s = p;
	return NULL;
}

static int parse_num(const char **s, int max_digits, int max, int *out)
{
	int v = 0, n = 0;
	while (**s >= '0' && **s <= '9' && n < max_digits) {
		v = v * 10 + (**s - '0');
		(*s)++, n++;
	}
	*out = v;
	return n > 0 && v <= max && !(**s >= '0' && **s <= '9') ? 0 : -1;
}

/* [+-]hh[:mm[:ss]] in seconds, hours up to max_h */
static const char *parse_hms(const char **s, int max_h, int32_t *out)
{
	int sign = 1, h, m = 0, sec = 0;
	if (**s == '+' || **s == '-')
		sign = *(*s)++ == '-' ? -1 : 1;
	if (parse_num(s, 3, max_h, &h))
		return max_h == 24 ? "an offset is not hh[:mm[:ss]] with hours 0-24"
				   : "a time is not hh[:mm[:ss]] with hours -167 to 167";
	if (**s == ':' && ((*s)++, parse_num(s, 2, 59, &m)))
		return "minutes are not 00-59";
	if (**s == ':' && ((*s)++, parse_num(s, 2, 59, &sec)))
		return "seconds are not 00-59";
	*out = sign * (h * 3600 + m * 60 + sec);
	return NULL;
}

/* Jn, n or Mm.w.d, then an optional /time (02:00 by default) */
static const char *parse_rule(const char **s, tz_rule *r)
{
	static const char *bad = "a rule's date is not Jn (1-365), n (0-365) or Mm.w.d";
	memset(r, 0, sizeof(*r));
	r->secs = 2 * 3600;
	if (**s == 'J') {
		(*s)++;
		r->kind = 'J';
		if (parse_num(s, 3, 365, &r->n) || r->n < 1)
			return bad;
	} else if (**s == 'M') {
		(*s)++;
		r->kind = 'M';
		if (parse_num(s, 2, 12, &r->m) || r->m < 1 || *(*s)++ != '.' ||
		    parse_num(s, 1, 5, &r->w) || r->w < 1 || *(*s)++ != '.' ||
		    parse_num(s, 1, 6, &r->d))
			return bad;
	} else {
		r->kind = 'D';
		if (parse_num(s, 3, 365, &r->n))
			return bad;
	}
	if (**s == '/') {
		(*s)++;
		return parse_hms(s, 167, &r->secs);
	}
	return NULL;
}

/* std offset [dst [offset] [,start[/time],end[/time]]]; NULL or what is
 * wrong.  A POSIX offset counts west: it is negated. */
static const char *parse_posix(const char *s, tz_posix *p)
{
	const char *e;
	int32_t off;
	memset(p, 0, sizeof(*p));
	if ((e = parse_abbr(&s, p->names[0])) || (e = parse_hms(&s, 24, &off)))
		return e;
	p->std = (tz_type){ -off, 0, p->names[0] };
	if (!*s)
		return NULL;
	if ((e = parse_abbr(&s, p->names[1])))
		return e;
	p->has_dst = 1;
	p->dst = (tz_type){ p->std.off + 3600, 1, p->names[1] };
	if (*s && *s != ',') {
		if ((e = parse_hms(&s, 24, &off)))
			return e;
		p->dst.off = -off;
	}
	/* no rule: the default of the tz code and the C libraries, the US's */
	const char *rules = *s ? s : ",M3.2.0,M11.1.0";
	if (*rules++ != ',' || (e = parse_rule(&rules, &p->start)) || *rules++ != ',' ||
	    (e = parse_rule(&rules, &p->end)))
		return e ? e : "the rules are not ,start[/time],end[/time]";
	return *rules ? "something follows the rules" : NULL;
}

/* ---- reading a TZif file --------------------------------------------------------------- */

typedef struct tzif_hdr {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_hdr;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	uint64_t v = (uint64_t)be32(p) << 32 | be32(p + 4);
	return v > (uint64_t)INT64_MAX ? -(int64_t)(~v) - 1 : (int64_t)v;
}

static int32_t be32s(const unsigned char *p)
{
	uint32_t v = be32(p);
	return v > (uint32_t)INT32_MAX ? -(int32_t)(~v) - 1 : (int32_t)v;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int corrupt(strbuf *why, const char *path, const char *fmt, ...)
{
	if (why) {
		va_list ap;
		cad_strbuf_addf(why, "'%s' is not a valid TZif (time zone) file: ", path);
		va_start(ap, fmt);
		cad_strbuf_vaddf(why, fmt, ap);
		va_end(ap);
		cad_strbuf_adds(why, "; reinstall the tzdata, or set TZDIR to a directory of valid zones");
	}
	return CADENCE_EINVALID;
}

/* the size of a data block of the header's counts, time_size bytes a time */
static uint64_t block_size(const tzif_hdr *h, unsigned time_size)
{
	return (uint64_t)h->timecnt * (time_size + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
	       (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

/* the header at `at`; 0 or the message's code */
static int read_header(const unsigned char *b, size_t len, size_t at, tzif_hdr *h,
		       const char *path, strbuf *why)
{
	if (len - at < 44)
		return corrupt(why, path, "it ends within a header (%zu bytes)", len);
	if (memcmp(b + at, "TZif", 4))
		return corrupt(why, path, at ? "its second header does not begin with \"TZif\""
					    : "it does not begin with \"TZif\"");
	h->version = (char)b[at + 4];
	if (h->version && (h->version < '2' || h->version > '9'))
		return corrupt(why, path, "its version byte is neither 0 nor a digit 2-9");
	const unsigned char *c = b + at + 20;
	h->isutcnt = be32(c), h->isstdcnt = be32(c + 4), h->leapcnt = be32(c + 8);
	h->timecnt = be32(c + 12), h->typecnt = be32(c + 16), h->charcnt = be32(c + 20);
	/* the 32-bit block of a version 2+ file is skipped, whatever it holds
	 * (RFC 8536, section 4): only its size counts */
	int skipped = h->version && at == 0;
	if (!skipped && (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0))
		return corrupt(why, path, "it has %u local time types (1-256 expected) and %u "
			       "abbreviation bytes (1 or more)", h->typecnt, h->charcnt);
	if (!skipped && ((h->isutcnt && h->isutcnt != h->typecnt) ||
			 (h->isstdcnt && h->isstdcnt != h->typecnt)))
		return corrupt(why, path, "its UT and standard indicator counts are not 0 or the "
			       "number of types");
	if (block_size(h, h->version && !skipped ? 8 : 4) > len - at - 44)
		return corrupt(why, path, "its counts (%u transitions, %u types) need more than its "
			       "%zu bytes", h->timecnt, h->typecnt, len);
	return 0;
}

static int alloc_data(cad_tz *tz, const tzif_hdr *h)
{
	tz->ntimes = h->timecnt, tz->ntypes = h->typecnt;
	tz->times = malloc((h->timecnt ? h->timecnt : 1) * sizeof(*tz->times));
	tz->idx = malloc(h->timecnt ? h->timecnt : 1);
	tz->types = malloc(h->typecnt * sizeof(*tz->types));
	tz->chars = malloc((size_t)h->charcnt + 1);
	return tz->times && tz->idx && tz->types && tz->chars ? 0 : CADENCE_ENOMEM;
}

/* the data block at b (its size checked by read_header) */
static int read_data(cad_tz *tz, const unsigned char *b, const tzif_hdr *h, const char *path,
		     strbuf *why)
{
	unsigned ts = h->version ? 8 : 4;
	if (alloc_data(tz, h))
		return CADENCE_ENOMEM;
	if (h->leapcnt) {	/* times would be off by the leap seconds: refused, not corrupt */
		if (why)
			cad_strbuf_addf(why, "'%s' counts leap seconds (a \"right/\" zone), which "
					"cadence does not: use the zone's name without \"right/\"", path);
		return CADENCE_EINVALID;
	}
	for (size_t i = 0; i < h->timecnt; i++) {
		tz->times[i] = ts == 8 ? be64(b + i * 8) : be32s(b + i * 4);
		if (i && tz->times[i] <= tz->times[i - 1])
			return corrupt(why, path, "its transition %zu is not later than the one before",
				       i + 1);
	}
	b += (size_t)h->timecnt * ts;
	for (size_t i = 0; i < h->timecnt; i++)
		if ((tz->idx[i] = b[i]) >= h->typecnt)
			return corrupt(why, path, "its transition %zu has type %u of %u", i + 1, b[i],
				       h->typecnt);
	const unsigned char *types = b + h->timecnt, *chars = types + (size_t)h->typecnt * 6;
	memcpy(tz->chars, chars, h->charcnt);
	tz->chars[h->charcnt] = '\0';
	for (size_t i = 0; i < h->typecnt; i++) {
		const unsigned char *t = types + i * 6;
		int32_t off = be32s(t);
		if (off < -TZ_MAX_OFF || off > TZ_MAX_OFF || t[4] > 1 || t[5] >= h->charcnt ||
		    !memchr(chars + t[5], '\0', h->charcnt - t[5]))
			return corrupt(why, path, "its local time type %zu (offset %ld s, DST flag %u, "
				       "abbreviation at %u) is out of range", i + 1, (long)off,
				       t[4], t[5]);
		tz->types[i] = (tz_type){ off, t[4], tz->chars + t[5] };
	}
	return 0;
}

/* the footer at b[0..n): "\n" TZ string "\n" */
static int read_footer(cad_tz *tz, const unsigned char *b, size_t n, const char *path,
		       strbuf *why)
{
	const unsigned char *end = n ? memchr(b + 1, '\n', n - 1) : NULL;
	if (!n || b[0] != '\n' || !end)
		return corrupt(why, path, "its footer (a POSIX TZ string between newlines) is "
			       "missing or cut short");
	size_t len = (size_t)(end - b) - 1;
	if (len == 0)
		return 0;	/* no rule: the last transition's type lasts */
	char s[256];
	if (len >= sizeof(s) || memchr(b + 1, '\0', len))
		return corrupt(why, path, "its footer is not a POSIX TZ string");
	memcpy(s, b + 1, len);
	s[len] = '\0';
	const char *e = parse_posix(s, &tz->footer);
	if (e)
		return corrupt(why, path, "its footer \"%s\" is not a POSIX TZ string: %s", s, e);
	tz->has_footer = 1;
	return 0;
}

/* the zone in buf; version 2 and later: the 64-bit block after the 32-bit one */
static int parse_tzif(cad_tz *tz, const unsigned char *b, size_t len, const char *path,
		      strbuf *why)
{
	tzif_hdr h;
	int rc = read_header(b, len, 0, &h, path, why);
	if (rc || !h.version)
		return rc ? rc : read_data(tz, b + 44, &h, path, why);
	size_t at = 44 + (size_t)block_size(&h, 4);
	if ((rc = read_header(b, len, at, &h, path, why)))
		return rc;
	if (!h.version)
		return corrupt(why, path, "its second header has no version");
	if ((rc = read_data(tz, b + at + 44, &h, path, why)))
		return rc;
	at += 44 + (size_t)block_size(&h, 8);
	return read_footer(tz, b + at, len - at, path, why);
}

/* ---- finding and reading the file ------------------------------------------------------ */

/* A zone name is a relative path of [A-Za-z0-9_+-] parts: nothing that
 * could leave the tzdata's directory. */
static int valid_name(const char *name)
{
	size_t n = strlen(name), part = 0;
	if (n == 0 || n > TZ_MAX_NAME)
		return 0;
	for (const char *p = name;; p++) {
		if (*p == '/' || !*p) {
			if (part == 0)
				return 0;
			if (!*p)
				return 1;
			part = 0;
		} else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			   (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' || *p == '-') {
			part++;
		} else {
			return 0;
		}
	}
}

/* the zone of name's directory closest to it ("Europe/Berln": Europe/Berlin),
 * into *out; nothing when none is close or the directory cannot be read */
static void suggest_zone(const char *name, const char *dir, strbuf *out)
{
	const char *slash = strrchr(name, '/'), *base = slash ? slash + 1 : name;
	strbuf path = STRBUF_INIT;
	cad_strbuf_addf(&path, "%s/%.*s", dir, (int)(base - name), name);
	DIR *d = cad_strbuf_cstr(&path) ? opendir(path.buf) : NULL;
	cad_suggest s;
	cad_suggest_init(&s, base, strlen(base));
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!valid_name(e->d_name) || !strcmp(e->d_name, base))
			continue;	/* zone.tab, ".", the name itself */
		cad_suggest_try(&s, e->d_name);
		if (s.best == e->d_name) {	/* readdir reuses its entry: keep a copy */
			cad_strbuf_reset(out);
			cad_strbuf_addf(out, "%.*s%s", (int)(base - name), name, e->d_name);
			s.best = "";
		}
	}
	if (d)
		closedir(d);
	cad_strbuf_free(&path);
}

static int not_found(strbuf *why, const char *name, const char *dir, const char *what)
{
	if (!why)
		return CADENCE_ENOTFOUND;
	strbuf near = STRBUF_INIT;
	suggest_zone(name, dir, &near);
	cad_strbuf_addf(why, "no time zone '%s' in %s (%s)", name, dir, what);
	if (near.len && cad_strbuf_cstr(&near))
		cad_strbuf_addf(why, "; did you mean '%s'?", near.buf);
	else
		cad_strbuf_adds(why, ": a zone is an IANA name such as Europe/Berlin, "
				"America/New_York or UTC; set TZDIR if the tzdata is elsewhere");
	cad_strbuf_free(&near);
	return CADENCE_ENOTFOUND;
}

/* the file's bytes into *buf; -1 when it is missing (errno kept) */
static int read_zone_file(const char *path, const char *name, const char *dir, strbuf *buf,
			  strbuf *why)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f)
		return -1;
	int bad = fstat(fileno(f), &st) ? -1 : S_ISDIR(st.st_mode) ? 1 : !S_ISREG(st.st_mode);
	if (bad) {
		fclose(f);
		return not_found(why, name, dir, bad == 1 ? "it is a directory of zones, not a zone"
							  : "it is not a regular file");
	}
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf->len <= TZ_MAX_FILE)
		cad_strbuf_add(buf, chunk, n);
	int e = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (buf->failed || e == ENOMEM)
		return CADENCE_ENOMEM;
	if (e) {
		strbuf s = STRBUF_INIT;
		cad_strbuf_add_strerror(&s, e);
		int rc = not_found(why, name, dir, cad_strbuf_cstr(&s) ? s.buf : "unreadable");
		cad_strbuf_free(&s);
		return rc;
	}
	if (buf->len > TZ_MAX_FILE)
		return corrupt(why, path, "it is larger than 1 MiB");
	return 0;
}

/* UTC, or GMT, without the tzdata */
static int builtin_utc(cad_tz *tz, const char *abbr)
{
	tzif_hdr h = { 0, 0, 0, 0, 0, 1, 4 };
	if (alloc_data(tz, &h))
		return CADENCE_ENOMEM;
	memcpy(tz->chars, abbr, 4);
	tz->types[0] = (tz_type){ 0, 0, tz->chars };
	return 0;
}

static int load_file(cad_tz *tz, const char *name, strbuf *why)
{
	const char *dir = getenv("TZDIR");
	strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	cad_strbuf_addf(&path, "%s/%s", dir, name);
	int rc = cad_strbuf_cstr(&path) ? read_zone_file(path.buf, name, dir, &buf, why)
					 : CADENCE_ENOMEM;
	if (rc == -1) {
		int e = errno;
		int gmt = !strcmp(name, "GMT") || !strcmp(name, "Etc/GMT");
		if ((e == ENOENT || e == ENOTDIR) && (gmt || !strcmp(name, "Etc/UTC")))
			rc = builtin_utc(tz, gmt ? "GMT" : "UTC");
		else if (e == ENOMEM)
			rc = CADENCE_ENOMEM;
		else
			rc = not_found(why, name, dir, e == ENOENT || e == ENOTDIR
				       ? "no such file" : "it cannot be opened");
	} else if (rc == 0) {
		rc = parse_tzif(tz, (const unsigned char *)buf.buf, buf.len, path.buf, why);
	}
	cad_strbuf_free(&path);
	cad_strbuf_free(&buf);
	return rc;
}

int cad_tz_load(cad_tz **out, const char *name, strbuf *why)
{
	*out = NULL;
	if (!name || !valid_name(name)) {
		if (why)
			cad_strbuf_addf(why, "'%s' is not a time zone name: a zone is an IANA name "
					"such as Europe/Berlin or UTC (parts of letters, digits, '_', "
					"'+' and '-', separated by '/')", name ? name : "(null)");
		return CADENCE_ENOTFOUND;
	}
	cad_tz *tz = calloc(1, sizeof(*tz));
	if (!tz || !(tz->name = strdup(name))) {
		free(tz);
		return CADENCE_ENOMEM;
	}
	/* UTC never needs the tzdata: it is the default zone */
	int rc = !strcmp(name, "UTC") ? builtin_utc(tz, "UTC") : load_file(tz, name, why);
	if (rc) {
		cad_tz_free(tz);
		return rc;
	}
	*out = tz;
	return 0;
}

void cad_tz_free(cad_tz *tz)
{
	if (!tz)
		return;
	free(tz->name);
	free(tz->times);
	free(tz->idx);
	free(tz->types);
	free(tz->chars);
	free(tz);
}

const char *cad_tz_name(const cad_tz *tz)
{
	return tz->name;
}

/* ---- conversions ------------------------------------------------------------------- */

/* the type in force at t: type 0 before the first transition (RFC 8536),
 * the footer after the last one (or, with no footer, the last type) */
static const tz_type *type_at(const cad_tz *tz, int64_t t)
{
	size_t n = tz->ntimes;
	if (tz->has_footer && (n == 0 || t >= tz->times[n - 1]))
		return footer_at(&tz->footer, t);
	if (n == 0 || t < tz->times[0])
		return &tz->types[0];
	size_t lo = 0, hi = n;	/* the last transition <= t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return &tz->types[tz->idx[lo]];
}

/* the first transition after t (where the offset may change), INT64_MAX if none */
static int64_t next_change(const cad_tz *tz, int64_t t)
{
	size_t n = tz->ntimes;
	if (n && t < tz->times[n - 1]) {
		size_t lo = 0, hi = n - 1;	/* the first transition > t */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (tz->times[mid] > t)
				hi = mid;
			else
				lo = mid + 1;
		}
		return tz->times[lo];
	}
	return tz->has_footer ? footer_next(&tz->footer, t) : INT64_MAX;
}

int32_t cad_tz_offset(const cad_tz *tz, int64_t t, const char **abbr)
{
	const tz_type *ty = type_at(tz, t);
	if (abbr)
		*abbr = ty->abbr;
	return ty->off;
}

int64_t cad_tz_local(const cad_tz *tz, int64_t t)
{
	return sat_add(t, type_at(tz, t)->off);
}

/* Walks the stretches of constant type within TZ_WINDOW of `local`: each
 * stretch [a, b) of offset o holds the instant local - o if it falls in
 * it.  A local time no stretch holds lies in a gap: the boundary where
 * the previous stretch's clock had passed it and the next one's had not
 * reached it yet. */
int cad_tz_instants(const cad_tz *tz, int64_t local, int64_t out[2], int64_t *after)
{
	int64_t a = sat_add(local, -TZ_WINDOW), hi = sat_add(local, TZ_WINDOW);
	int64_t gap = INT64_MIN;
	int n = 0, first = 1;
	int32_t prev = 0;
	for (;;) {
		int32_t o = type_at(tz, a)->off;
		int64_t b = next_change(tz, a), t = sat_add(local, -(int64_t)o);
		if (t >= a && t < b && n < 2)
			out[n++] = t;
		if (!first && gap == INT64_MIN && sat_add(local, -(int64_t)prev) >= a && t < a)
			gap = a;
		first = 0;
		prev = o;
		if (b == INT64_MAX || b > hi || b <= a)	/* b <= a: a guard, never */
			break;
		a = b;
	}
	if (n)
		*after = out[0];
	else	/* the gap always exists when nothing was found; the rest is a guard */
		*after = gap != INT64_MIN ? gap : sat_add(local, -(int64_t)type_at(tz, local)->off);
	return n;
}
