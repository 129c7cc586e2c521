/* Helpers of the reporters (report_int.h). */
#include "report/report_int.h"
#include "util/afile.h"

#include <cadence/common.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void rep_json_str(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	strbuf_addc(sb, '"');
	for (const char *run = s;; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(sb, run, (size_t)(s - run));
		if (!c)
			break;
		char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
		switch (c) {
		case '"': strbuf_adds(sb, "\\\""); break;
		case '\\': strbuf_adds(sb, "\\\\"); break;
		case '\n': strbuf_adds(sb, "\\n"); break;
		case '\t': strbuf_adds(sb, "\\t"); break;
		case '\r': strbuf_adds(sb, "\\r"); break;
		default: strbuf_adds(sb, esc); break;
		}
		run = s + 1;
	}
	strbuf_addc(sb, '"');
}

int64_t rep_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void rep_rfc3339(int64_t ns, char out[32])
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;
	out[0] = '\0';
	if (!gmtime_r(&s, &tm))
		return;
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06ldZ", (long)(ns % 1000000000 / 1000));
}

int rep_write_file(const char *path, int (*write)(void *ctx, FILE *out), void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		errno = ENOMEM;
		return CADENCE_ENOMEM;
	}
	int rc = write(ctx, f);
	if (fclose(f) && !rc)
		rc = CADENCE_ENOMEM;
	if (!rc) {
		int e = afile_write(path, buf, len, 0644, 0);
		if (e) {
			errno = e;
			rc = CADENCE_EIO;
		}
	}
	free(buf);
	return rc;
}

int rep_grow(void **items, size_t *cap, size_t n, size_t size, size_t first)
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

const char *rep_intern_get(rep_intern *t, const char *s)
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

void rep_intern_free(rep_intern *t)
{
	for (size_t i = 0; t->mask && i <= t->mask; i++)
		free(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
