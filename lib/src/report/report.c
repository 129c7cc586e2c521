/* SPDX-License-Identifier: MIT */
/* Helpers of the reporters (report_int.h). */
#include "report/report_int.h"
#include "util/afile.h"
#include "util/api.h"
#include "util/utf8.h"

#include <cadence/common.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* JSON text is UTF-8: a byte that is not (the events' strings come from
 * hooks and notes) is written as U+FFFD, so every line stays readable. */
static void json_str_rest(strbuf *sb, const char *s);

/* 1: a byte written as it is in a JSON string (printable ASCII but '"'
 * and '\\') */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Most strings are names, plain ASCII: found so and added in one piece,
 * they cost a table lookup per byte (docs/benchmarks.md, "Reporters"). */
void cad_rep_json_str(strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (plain[*p])
		p++;
	size_t n = (size_t)(p - (const unsigned char *)s);
	cad_strbuf_addc(sb, '"');
	cad_strbuf_add(sb, s, n);
	if (*p)
		json_str_rest(sb, s + n);
	cad_strbuf_addc(sb, '"');
}

/* From the first byte that is not plain: escapes, and UTF-8 checked. */
static void json_str_rest(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	for (const char *run = s;; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80) {
			uint32_t cp;
			size_t n = cad_utf8_decode((const unsigned char *)s, strnlen(s, 4), &cp);
			if (n && !cad_utf8_is_unsafe(cp)) {
				s += n - 1;
				continue;
			}
			if (n) {
				/* a C1 control (U+009B is CSI) or a bidirectional
				 * override, escaped: the same string to a JSON
				 * reader, inert on a terminal (--log json, --events -) */
				cad_strbuf_add(sb, run, (size_t)(s - run));
				cad_strbuf_addf(sb, "\\u%04x", (unsigned)cp);
				s += n - 1;
				run = s + 1;
				continue;
			}
			cad_strbuf_add(sb, run, (size_t)(s - run));
			cad_strbuf_addl(sb, "\\ufffd");
			run = s + 1;
			continue;
		}
		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\')
			continue;
		cad_strbuf_add(sb, run, (size_t)(s - run));
		if (!c)
			break;
		char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
		switch (c) {
		case '"': cad_strbuf_addl(sb, "\\\""); break;
		case '\\': cad_strbuf_addl(sb, "\\\\"); break;
		case '\n': cad_strbuf_addl(sb, "\\n"); break;
		case '\t': cad_strbuf_addl(sb, "\\t"); break;
		case '\r': cad_strbuf_addl(sb, "\\r"); break;
		default: cad_strbuf_adds(sb, esc); break;
		}
		run = s + 1;
	}
}

int64_t cad_rep_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* a byte at a time: four ids a span */
void cad_rep_add_hex16(strbuf *sb, uint64_t v)
{
	static const char pairs[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	char buf[16];
	for (int i = 14; i >= 0; i -= 2, v >>= 8) {
		buf[i] = pairs[(v & 255) * 2];
		buf[i + 1] = pairs[(v & 255) * 2 + 1];
	}
	cad_strbuf_add(sb, buf, 16);
}

void cad_rep_add_ms(strbuf *sb, int64_t ns)
{
	uint64_t us = ns > 0 ? (uint64_t)ns / 1000 : 0;
	unsigned frac = (unsigned)(us % 1000);
	char text[4] = { '.', (char)('0' + frac / 100) };
	memcpy(text + 2, cad_digit_pairs + frac % 100 * 2, 2);
	cad_strbuf_addu(sb, us / 1000);
	cad_strbuf_add(sb, text, 4);
}

void cad_rep_rfc3339(int64_t ns, char out[32], rep_time_cache *cache)
{
	int64_t sec = ns / 1000000000;
	uint32_t us = (uint32_t)(ns % 1000000000 / 1000);
	if (!cache->valid || cache->sec != sec) {
		time_t s = (time_t)sec;
		struct tm tm;
		cache->valid = gmtime_r(&s, &tm) &&
			       strftime(cache->prefix, sizeof(cache->prefix), "%Y-%m-%dT%H:%M:%S", &tm);
		if (!cache->valid)
			cache->prefix[0] = '\0';
		cache->len = strlen(cache->prefix);
		cache->sec = sec;
	}
	size_t n = cache->len;
	char digits[8];	/* "00uuuuuu" */
	cad_put_digits8(digits, us);
	memcpy(out, cache->prefix, n);
	out[n] = '.';
	memcpy(out + n + 1, digits + 2, 6);
	memcpy(out + n + 7, "Z", 2);
}

int cad_rep_write_file(const char *path, const char *what, int (*write)(void *ctx, FILE *out),
		       void *ctx, cadence_run_error *err)
{
	cad_afile w;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	FILE *f = cad_afile_open(&w, path, 0666, 0);
	if (!f)
		return cad_err_sys(err, errno, "cannot write the %s to '%s'", what, path);
	int rc = write(ctx, f);
	int e = rc == CADENCE_EIO ? (errno ? errno : EIO) : 0;
	int c = cad_afile_commit(&w, f, rc ? (e ? e : ENOMEM) : 0);
	if (rc == CADENCE_ENOMEM)
		return cad_err_set(err, rc, "out of memory");
	if (rc || c)
		return cad_err_sys(err, e ? e : c ? c : EIO, "cannot write the %s to '%s'", what, path);
	return 0;
}

/* ---- interned strings ------------------------------------------------------------ */

const char *cad_rep_intern_getn(rep_intern *t, const char *s, size_t len)
{
	const strmap_entry *e = cad_strmap_find(&t->map, s, len);
	if (e)
		return e->key;
	char *copy = malloc(len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	if (!cad_strmap_put(&t->map, copy, len, NULL)) {
		free(copy);
		return NULL;
	}
	return copy;
}

const char *cad_rep_intern_get(rep_intern *t, const char *s)
{
	return s ? cad_rep_intern_getn(t, s, strlen(s)) : NULL;
}

void cad_rep_intern_free(rep_intern *t)
{
	for (strmap_entry *e = cad_strmap_next(&t->map, NULL); e; e = cad_strmap_next(&t->map, e))
		free((char *)e->key);
	cad_strmap_free(&t->map);
}
