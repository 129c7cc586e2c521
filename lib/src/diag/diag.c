/* SPDX-License-Identifier: MIT */
#include "cadence/common.h"
#include "cadence/diag.h"
#include "diag/diag_int.h"
#include "util/api.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cadence_diags {
	cadence_diag *items;
	size_t *order;	/* insertion index, for a stable sort */
	size_t count;
	size_t cap;
	size_t errors;
	size_t warnings;
	size_t notes;
	int oom;
};

int cadence_diags_new(cadence_diags **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : CADENCE_ENOMEM;
}

static void diag_release(cadence_diag *d)
{
	free((char *)d->rule);
	free((char *)d->file);
	free((char *)d->message);
	free((char *)d->help);
	free((char *)d->source_line);
	free((char *)d->related_message);
}

void cadence_diags_free(cadence_diags *diags)
{
	if (!diags)
		return;
	for (size_t i = 0; i < diags->count; i++)
		diag_release(&diags->items[i]);
	free(diags->items);
	free(diags->order);
	free(diags);
}

size_t cadence_diags_count(const cadence_diags *diags)
{
	return diags->count;
}

size_t cadence_diags_errors(const cadence_diags *diags)
{
	return diags->errors;
}

size_t cadence_diags_warnings(const cadence_diags *diags)
{
	return diags->warnings;
}

size_t cadence_diags_notes(const cadence_diags *diags)
{
	return diags->notes;
}

const cadence_diag *cadence_diags_get(const cadence_diags *diags, size_t i)
{
	return i < diags->count ? &diags->items[i] : NULL;
}

int cadence_diags_oom(const cadence_diags *diags)
{
	return diags->oom;
}

/* Every string is cleaned on the way in: writers can then print them to a
 * terminal or put them in JSON without further checks. */
static char *dup_or_null(const char *s, size_t len, int keep_tab, int *failed)
{
	if (!s)
		return NULL;
	char *p = cad_utf8_dup_printable(s, len, keep_tab);
	if (!p)
		*failed = 1;
	return p;
}

int cadence_diags_add(cadence_diags *diags, cadence_severity severity,
		      const char *rule, const char *file,
		      unsigned line, unsigned column, unsigned length,
		      const char *source_line, size_t source_line_len,
		      const char *message, const char *help)
{
	int failed = 0;

	if (diags->count == diags->cap) {
		size_t cap = cad_grow_cap(diags->cap, diags->count + 1, sizeof(cadence_diag), 16);
		cadence_diag *items = cap ? cad_realloc_array(diags->items, cap, sizeof(*items)) : NULL;
		if (!items)
			goto oom;
		diags->items = items;
		size_t *order = cad_realloc_array(diags->order, cap, sizeof(*order));
		if (!order)
			goto oom;
		diags->order = order;
		diags->cap = cap;
	}
	cadence_diag *d = &diags->items[diags->count];
	memset(d, 0, sizeof(*d));
	d->severity = severity;
	d->line = line;
	d->column = column;
	d->length = length;
	d->rule = dup_or_null(rule, rule ? strlen(rule) : 0, 0, &failed);
	d->file = dup_or_null(file, file ? strlen(file) : 0, 0, &failed);
	d->message = dup_or_null(message, message ? strlen(message) : 0, 0, &failed);
	d->help = dup_or_null(help, help ? strlen(help) : 0, 0, &failed);
	d->source_line = dup_or_null(source_line, source_line_len, 1, &failed);
	if (failed || !d->rule || !d->file || !d->message) {
		diag_release(d);
		goto oom;
	}
	diags->order[diags->count] = diags->count;
	diags->count++;
	if (severity == CADENCE_SEVERITY_ERROR)
		diags->errors++;
	else if (severity == CADENCE_SEVERITY_WARNING)
		diags->warnings++;
	else
		diags->notes++;
	return 0;
oom:
	diags->oom = 1;
	return CADENCE_ENOMEM;
}

int cadence_diags_relate(cadence_diags *diags, unsigned line, unsigned column,
			 const char *message)
{
	if (!diags->count)
		return CADENCE_EINVAL;
	cadence_diag *d = &diags->items[diags->count - 1];
	char *m = cad_utf8_dup_printable(message, strlen(message), 0);
	if (!m) {
		diags->oom = 1;
		return CADENCE_ENOMEM;
	}
	free((char *)d->related_message);
	d->related_line = line;
	d->related_column = column;
	d->related_message = m;
	return 0;
}

static int diag_cmp(const cadence_diag *a, size_t ai, const cadence_diag *b,
		    size_t bi)
{
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return ai < bi ? -1 : ai > bi;
}

static int in_order(const cadence_diags *d, size_t i, size_t j)
{
	return diag_cmp(&d->items[i], d->order[i], &d->items[j], d->order[j]) <= 0;
}

/* Sorts the positions idx[0, n) of diagnostics (tmp: room for n more):
 * a bottom-up merge sort, taking the left run's on ties, so stable. */
static void merge_sort(const cadence_diags *d, size_t *idx, size_t *tmp, size_t n)
{
	size_t *src = idx, *dst = tmp;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = n - lo > w ? lo + w : n;
			size_t hi = n - mid > w ? mid + w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = in_order(d, src[i], src[j]) ? src[i++] : src[j++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		size_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != idx)
		memcpy(idx, src, n * sizeof(*idx));
}

/* Without memory for the merge sort: insertion sort, the same order. */
static void insertion_sort(cadence_diags *diags)
{
	for (size_t i = 1; i < diags->count; i++) {
		cadence_diag d = diags->items[i];
		size_t o = diags->order[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&diags->items[j - 1], diags->order[j - 1],
					 &d, o) > 0) {
			diags->items[j] = diags->items[j - 1];
			diags->order[j] = diags->order[j - 1];
			j--;
		}
		diags->items[j] = d;
		diags->order[j] = o;
	}
}

/* In O(n log n), and O(n) when already in order (the common case).  The
 * comparison ends with the insertion order, so any correct sort gives
 * the one order a stable sort gives. */
void cadence_diags_sort(cadence_diags *diags)
{
	size_t n = diags->count, sorted = 1;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = in_order(diags, i - 1, i);
	if (sorted)
		return;
	size_t *idx = n <= SIZE_MAX / 2 / sizeof(*idx) ? malloc(2 * n * sizeof(*idx)) : NULL;
	cadence_diag *items = malloc(diags->cap * sizeof(*items));
	size_t *order = malloc(diags->cap * sizeof(*order));
	if (!idx || !items || !order) {
		free(idx);
		free(items);
		free(order);
		insertion_sort(diags);
		return;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	merge_sort(diags, idx, idx + n, n);
	for (size_t i = 0; i < n; i++) {
		items[i] = diags->items[idx[i]];
		order[i] = diags->order[idx[i]];
	}
	free(diags->items);
	free(diags->order);
	diags->items = items;
	diags->order = order;
	free(idx);
}

int cadence_diag_format_parse(cadence_diag_format *out, const char *name)
{
	static const struct {
		const char *name;
		cadence_diag_format fmt;
	} formats[] = {
		{ "text", CADENCE_DIAG_TEXT },	 { "oneline", CADENCE_DIAG_ONELINE },
		{ "json", CADENCE_DIAG_JSON },	 { "sarif", CADENCE_DIAG_SARIF },
		{ "github", CADENCE_DIAG_GITHUB },
	};
	if (out)
		*out = CADENCE_DIAG_TEXT;
	for (size_t i = 0; out && name && i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!strcmp(name, formats[i].name)) {
			*out = formats[i].fmt;
			return 0;
		}
	}
	return CADENCE_EINVAL;
}

int cadence_diags_write(const cadence_diags *diags, FILE *out,
			cadence_diag_format format,
			const cadence_diag_write_opts *opts)
{
	static const size_t sizes[] = { 0, sizeof(cadence_diag_write_opts) };	/* util/api.h */
	cadence_diag_write_opts o = CADENCE_DIAG_WRITE_OPTS_INIT;
	int rc;

	if (!CAD_VERSION_OK(opts, CADENCE_DIAG_WRITE_OPTS_VERSION))
		return CADENCE_EVERSION;
	if (opts)
		CAD_COPY_IN(&o, opts, sizes);
	opts = &o;
	switch (format) {
	case CADENCE_DIAG_TEXT:
	case CADENCE_DIAG_ONELINE:
		rc = cad_diag_write_text(diags, out, format == CADENCE_DIAG_TEXT, opts);
		break;
	case CADENCE_DIAG_JSON:
		rc = cad_diag_write_json(diags, out, opts);
		break;
	case CADENCE_DIAG_SARIF:
		rc = cad_diag_write_sarif(diags, out, opts);
		break;
	case CADENCE_DIAG_GITHUB:
		rc = cad_diag_write_github(diags, out, opts);
		break;
	case CADENCE_DIAG_JSON_LINES:
		rc = cad_diag_write_json_lines(diags, out);
		break;
	default:
		return CADENCE_EINVAL;
	}
	if (rc)
		return rc;
	if (fflush(out) || ferror(out))
		return CADENCE_EIO;
	return 0;
}
