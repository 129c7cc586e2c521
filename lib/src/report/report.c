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
void cad_rep_json_str(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	cad_strbuf_addc(sb, '"');
	for (const char *run = s;; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80) {
			uint32_t cp;
			size_t n = cad_utf8_decode((const unsigned char *)s, strnlen(s, 4), &cp);
			if (n) {
				s += n - 1;
				continue;
			}
			cad_strbuf_add(sb, run, (size_t)(s - run));
			cad_strbuf_adds(sb, "\\ufffd");
			run = s + 1;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		cad_strbuf_add(sb, run, (size_t)(s - run));
		if (!c)
			break;
		char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
		switch (c) {
		case '"': cad_strbuf_adds(sb, "\\\""); break;
		case '\\': cad_strbuf_adds(sb, "\\\\"); break;
		case '\n': cad_strbuf_adds(sb, "\\n"); break;
		case '\t': cad_strbuf_adds(sb, "\\t"); break;
		case '\r': cad_strbuf_adds(sb, "\\r"); break;
		default: cad_strbuf_adds(sb, esc); break;
		}
		run = s + 1;
	}
	cad_strbuf_addc(sb, '"');
}

int64_t cad_rep_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void cad_rep_add_hex16(strbuf *sb, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char buf[16];
	for (int i = 15; i >= 0; i--, v >>= 4)
		buf[i] = hex[v & 15];
	cad_strbuf_add(sb, buf, 16);
}

void cad_rep_add_ms(strbuf *sb, int64_t ns)
{
	uint64_t us = ns > 0 ? (uint64_t)ns / 1000 : 0;
	char frac[4] = { (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10),
			 (char)('0' + us % 10), '\0' };
	cad_strbuf_addu(sb, us / 1000);
	cad_strbuf_addc(sb, '.');
	cad_strbuf_add(sb, frac, 3);
}

void cad_rep_rfc3339(int64_t ns, char out[32], rep_time_cache *cache)
{
	int64_t sec = ns / 1000000000;
	long us = (long)(ns % 1000000000 / 1000);
	if (!cache->valid || cache->sec != sec) {
		time_t s = (time_t)sec;
		struct tm tm;
		cache->valid = gmtime_r(&s, &tm) &&
			       strftime(cache->prefix, sizeof(cache->prefix), "%Y-%m-%dT%H:%M:%S", &tm);
		if (!cache->valid)
			cache->prefix[0] = '\0';
		cache->sec = sec;
	}
	size_t n = strlen(cache->prefix);
	memcpy(out, cache->prefix, n);
	out[n++] = '.';
	for (int i = 5; i >= 0; i--, us /= 10)
		out[n + (size_t)i] = (char)('0' + us % 10);
	memcpy(out + n + 6, "Z", 2);
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

int cad_rep_grow(void **items, size_t *cap, size_t n, size_t size, size_t first)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : first;
	void *p = realloc(*items, c * size);
	if (!p)
		return -1;
	*items = p;
	*cap = c;
	return 0;
}

/* ---- interned strings ------------------------------------------------------------ */

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static int grow(rep_intern *t)
{
	size_t n = t->mask ? (t->mask + 1) * 2 : 64;
	char **slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; t->mask && i <= t->mask; i++) {
		if (!t->slots[i])
			continue;
		size_t j = hash(t->slots[i]) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->mask = n - 1;
	return 0;
}

const char *cad_rep_intern_get(rep_intern *t, const char *s)
{
	if (!s)
		return NULL;
	if ((t->count + 1) * 2 > (t->mask ? t->mask + 1 : 0) && grow(t))
		return NULL;
	size_t j = hash(s) & t->mask;
	for (; t->slots[j]; j = (j + 1) & t->mask)
		if (!strcmp(t->slots[j], s))
			return t->slots[j];
	if (!(t->slots[j] = strdup(s)))
		return NULL;
	t->count++;
	return t->slots[j];
}

void cad_rep_intern_free(rep_intern *t)
{
	for (size_t i = 0; t->mask && i <= t->mask; i++)
		free(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
