/* SPDX-License-Identifier: MIT */
/* Loading: bytes -> positioned tree -> structural checks -> cadence graph. */
#include "cadence/check.h"
#include "cadence/common.h"
#include "cadence/load.h"
#include "diag/report.h"
#include "format/build.h"
#include "format/structure.h"
#include "model/model.h"
#include "util/api.h"
#include "util/grow.h"
#include "yaml/tree.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

static void opts_resolve(cadence_load_opts *o, const cadence_load_opts *in)
{
	static const size_t sizes[] = { 0, sizeof(cadence_load_opts) };	/* util/api.h */
	*o = (cadence_load_opts)CADENCE_LOAD_OPTS_INIT;
	if (in)
		CAD_COPY_IN(o, in, sizes);
	if (!o->max_file_size)
		o->max_file_size = CADENCE_DEFAULT_MAX_FILE_SIZE;
	if (!o->max_depth)
		o->max_depth = CADENCE_DEFAULT_MAX_DEPTH;
}

/* size is the file's when `whole` (a regular file's size), else only what
 * was read of it: a stream is read until it passes the limit, and a buffer
 * may be one */
static int too_large(cadence_diags *diags, const char *path, size_t size, size_t limit,
		     int whole)
{
	double mib = (double)size / (1024.0 * 1024.0), max = (double)limit / (1024.0 * 1024.0);
	report r;
	cad_report_init(&r, diags, path, NULL, 0);
	/* "16.0 MiB; the limit is 16.0 MiB" would say nothing */
	if (whole && mib - max >= 0.05)
		cad_report_at(&r, CADENCE_SEVERITY_ERROR, "file-too-large", 0, 0, 0,
			  "split the cadence into child cadences",
			  "the file is %.1f MiB; the limit is %.1f MiB", mib, max);
	else
		cad_report_at(&r, CADENCE_SEVERITY_ERROR, "file-too-large", 0, 0, 0,
			  "split the cadence into child cadences",
			  "the file is larger than the limit of %.1f MiB (%zu bytes)", max, limit);
	int oom = r.oom;
	cad_report_release(&r);
	return oom ? CADENCE_ENOMEM : CADENCE_EINVALID;
}

/* ---- what a file with structural errors can still tell ---------------------------- */

/* Positions (line, col) in order. */
static int before(unsigned l1, unsigned c1, unsigned l2, unsigned c2)
{
	return l1 < l2 || (l1 == l2 && c1 < c2);
}

/* Where the top-level entry after `key` starts: the nearest top-level key
 * past it, else the end (UINT_MAX). */
static void next_top(const ynode *root, const ynode *key, unsigned *line, unsigned *col)
{
	*line = *col = (unsigned)-1;
	for (size_t i = 0; i < root->count; i++) {
		const ynode *k = root->items[2 * i];
		if (before(key->line, key->col, k->line, k->col) &&
		    before(k->line, k->col, *line, *col)) {
			*line = k->line;
			*col = k->col;
		}
	}
}

/* The index of the part of `list` (the notes' keys at step 2, or the
 * measures at step 1) holding position (l, c), before (el, ec); -1 when
 * none does. */
static long part_at(const ynode *list, size_t step, unsigned l, unsigned c,
		    unsigned el, unsigned ec)
{
	long at = -1;
	for (size_t i = 0; i < list->count; i++) {
		const ynode *n = list->items[step * i];
		if (!before(l, c, n->line, n->col))
			at = (long)i;
	}
	return at >= 0 && before(l, c, el, ec) ? at : -1;
}

/* Drops the marked parts of list (a map when step is 2, a sequence when 1). */
static void drop_parts(ynode *list, size_t step, const unsigned char *bad)
{
	size_t kept = 0;
	for (size_t i = 0; i < list->count; i++) {
		if (bad[i])
			continue;
		for (size_t s = 0; s < step; s++)
			list->items[step * kept + s] = list->items[step * i + s];
		kept++;
	}
	list->count = kept;
}

/*
 * Prunes from root the notes and measures where the structural errors
 * diags[from..] are, so that what is left can be built and checked
 * (issue 21: one run reports what can be known).  0 when every error is
 * inside a note or a measure and a measure is left; -1 otherwise (an
 * error in the score, the top level, a schedule...: the rest depends on
 * it), or when out of memory.
 */
static int prune_broken(ynode *root, const cadence_diags *diags, size_t from)
{
	ynode *notes = root && root->kind == YNODE_MAP ? cad_ymap_get(root, "notes") : NULL;
	ynode *measures = root && root->kind == YNODE_MAP ? cad_ymap_get(root, "measures") : NULL;
	if (!measures || measures->kind != YNODE_SEQ || (notes && notes->kind != YNODE_MAP))
		return -1;
	size_t nn = notes ? notes->count : 0, nm = measures->count;
	unsigned char *bad = calloc(nn + nm + 1, 1);
	unsigned nl = 0, nc = 0, ml = 0, mc = 0;	/* measures is one of root's values */
	int rc = bad ? 0 : -1;
	for (size_t i = 0; i < root->count && notes; i++)
		if (root->items[2 * i + 1] == notes)
			next_top(root, root->items[2 * i], &nl, &nc);
	for (size_t i = 0; i < root->count; i++)
		if (root->items[2 * i + 1] == measures)
			next_top(root, root->items[2 * i], &ml, &mc);
	for (size_t i = from; !rc && i < cadence_diags_count(diags); i++) {
		const cadence_diag *d = cadence_diags_get(diags, i);
		long k = notes ? part_at(notes, 2, d->line, d->column, nl, nc) : -1;
		if (k >= 0) {
			bad[k] = 1;
			continue;
		}
		k = part_at(measures, 1, d->line, d->column, ml, mc);
		if (k >= 0)
			bad[nn + (size_t)k] = 1;
		else
			rc = -1;	/* outside every part that can be left out */
	}
	if (!rc) {
		if (notes)
			drop_parts(notes, 2, bad);
		drop_parts(measures, 1, bad + nn);
		rc = measures->count ? 0 : -1;
	}
	free(bad);
	return rc;
}

/* The checks of the parts of a file without structural errors, built
 * into a cadence of their own (model.h, `partial`): its problems go to
 * diags with the structural ones.  0, or CADENCE_ENOMEM. */
static int check_rest(const struct cadence_def *whole, ynode *root, cadence_diags *diags,
		      size_t from)
{
	if (prune_broken(root, diags, from))
		return 0;
	struct cadence_def *part = calloc(1, sizeof(*part));
	if (!part)
		return CADENCE_ENOMEM;
	cad_arena_init(&part->arena);
	part->partial = 1;
	part->path = strdup(whole->path);
	part->text = whole->text;	/* borrowed: freed with `whole` */
	part->text_len = whole->text_len;
	cadence_diags *quiet = NULL;	/* a build problem: not this file's to say twice */
	report r;
	int rc = !part->path || cadence_diags_new(&quiet) ? CADENCE_ENOMEM : 0;
	if (!rc) {
		cad_report_init(&r, quiet, part->path, part->text, part->text_len);
		size_t errs = cad_build_model(part, &r, root);
		rc = errs == (size_t)-1 || r.oom ? CADENCE_ENOMEM : 0;
		cad_report_release(&r);
		if (!rc && !errs && !cadence_diags_count(quiet) &&
		    cadence_check(part, NULL, NULL, diags) == CADENCE_ENOMEM)
			rc = CADENCE_ENOMEM;
	}
	cadence_diags_free(quiet);
	cadence_def_free(part);
	return rc;
}

/* Takes ownership of src (malloc'd, len bytes). */
static int load_owned(cadence_def **out, const char *name, char *src, size_t len,
		      const cadence_load_opts *opts, cadence_diags *diags)
{
	struct cadence_def *def = calloc(1, sizeof(*def));
	report r;
	ynode *root = NULL;
	/* The tree's nodes are needed only until the model is built: in an
	 * arena of their own, they are freed before checks and runners
	 * allocate, which then reuse that memory instead of touching as much
	 * again (a third of a big file's footprint; docs/benchmarks.md,
	 * "Scale").  The scalars' texts, which the model points to, go to the
	 * model's arena. */
	arena tree;
	ytree_limits limits = { opts->max_depth };
	int rc;

	*out = NULL;
	if (!def) {
		free(src);
		return CADENCE_ENOMEM;
	}
	cad_arena_init(&def->arena);
	cad_arena_init(&tree);
	def->source = src;
	def->path = strdup(name);
	if (!def->path) {
		cadence_def_free(def);
		return CADENCE_ENOMEM;
	}
	/* A UTF-8 byte order mark is not part of the text: editors hide it, so
	 * columns on the first line are counted without it. */
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3)) {
		src += 3;
		len -= 3;
	}
	def->text = src;
	def->text_len = len;
	cad_report_init(&r, diags, def->path, src, len);
	size_t errors_before = cadence_diags_errors(diags), count_before = cadence_diags_count(diags);

	if (len > opts->max_file_size) {
		rc = too_large(diags, def->path, len, opts->max_file_size, 0);
		goto done;
	}
	rc = cad_ytree_parse(&root, &tree, &def->arena, &r, src, len, &limits);
	if (rc == CADENCE_ENOMEM)
		goto done;
	if (rc == 0)
		cad_structure_check(&r, root);
	if (r.oom) {
		rc = CADENCE_ENOMEM;
		goto done;
	}
	if (cadence_diags_errors(diags) != errors_before) {
		rc = rc == 0 && check_rest(def, root, diags, count_before) == CADENCE_ENOMEM
		     ? CADENCE_ENOMEM : CADENCE_EINVALID;
		goto done;
	}
	size_t errs = cad_build_model(def, &r, root);
	if (errs == (size_t)-1)
		rc = CADENCE_ENOMEM;
	else
		rc = errs ? CADENCE_EINVALID : 0;
done:
	cad_arena_free(&tree);
	cad_report_release(&r);
	if (rc) {
		cadence_def_free(def);
		return rc;
	}
	*out = def;
	return 0;
}

int cadence_load_buffer(cadence_def **out, const char *name, const char *data,
			size_t len, const cadence_load_opts *opts,
			cadence_diags *diags)
{
	cadence_load_opts o;
	*out = NULL;
	if (!CAD_VERSION_OK(opts, CADENCE_LOAD_OPTS_VERSION))
		return CADENCE_EVERSION;
	opts_resolve(&o, opts);
	if (len > o.max_file_size) {
		return too_large(diags, name, len, o.max_file_size, 0);
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return CADENCE_ENOMEM;
	memcpy(copy, data, len);
	copy[len] = '\0';
	return load_owned(out, name, copy, len, &o, diags);
}

static int unreadable(cadence_diags *diags, const char *path, const char *why)
{
	report r;
	cad_report_init(&r, diags, path, NULL, 0);
	cad_report_at(&r, CADENCE_SEVERITY_ERROR, "file-unreadable", 0, 0, 0,
		  "check the path and its permissions", "cannot read the file: %s", why);
	int oom = r.oom;
	cad_report_release(&r);
	return oom ? CADENCE_ENOMEM : CADENCE_EINVALID;
}

/* Files of the kernel's /proc and /sys file systems say they are regular
 * and empty, and read as something else: a process's environment, say.
 * Never a cadence, and never to be quoted in a diagnostic. */
static int kernel_file(int fd)
{
#ifdef __linux__
	struct statfs sf;
	return !fstatfs(fd, &sf) &&
	       (sf.f_type == 0x9fa0 /* PROC_SUPER_MAGIC */ ||
		sf.f_type == 0x62656572 /* SYSFS_MAGIC */);
#else
	(void)fd;
	return 0;
#endif
}

/* a failed open or read: running out of memory (fopen allocates) is not a
 * problem of the file */
static int unreadable_errno(cadence_diags *diags, const char *path, int e)
{
	if (e == ENOMEM)
		return CADENCE_ENOMEM;
	strbuf why = STRBUF_INIT;
	cad_strbuf_add_strerror(&why, e);
	int rc = unreadable(diags, path, cad_strbuf_cstr(&why) ? why.buf : "out of memory");
	cad_strbuf_free(&why);
	return rc;
}

int cadence_load_file(cadence_def **out, const char *path,
		      const cadence_load_opts *opts, cadence_diags *diags)
{
	cadence_load_opts o;
	struct stat st;
	FILE *f;

	*out = NULL;
	if (!CAD_VERSION_OK(opts, CADENCE_LOAD_OPTS_VERSION))
		return CADENCE_EVERSION;
	opts_resolve(&o, opts);
	f = fopen(path, "rb");
	if (!f)
		return unreadable_errno(diags, path, errno);
	if (fstat(fileno(f), &st)) {
		int e = errno;
		fclose(f);
		return unreadable_errno(diags, path, e);
	}
	if (S_ISDIR(st.st_mode)) {
		fclose(f);
		return unreadable(diags, path, "it is a directory");
	}
	if (kernel_file(fileno(f))) {
		fclose(f);
		return unreadable(diags, path, "it is a file of the kernel's /proc or /sys, not a cadence");
	}
	/* refuse before reading: a 2 GB file must not be read to be refused */
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > o.max_file_size) {
		fclose(f);
		return too_large(diags, path, (size_t)st.st_size, o.max_file_size, 1);
	}
	/* read in chunks: pipes and /dev/stdin have no size.  A regular file
	 * gets its size + 2: the NUL, and a byte more for the read that sees
	 * EOF (with + 1 the buffer was doubled only to see it) */
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 2 : 65536, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return CADENCE_ENOMEM;
	}
	for (;;) {
		if (cap - len < 2) {
			if (len > o.max_file_size)
				break;
			if (CAD_GROW(buf, cap, cap + 1, 0)) {
				free(buf);
				fclose(f);
				return CADENCE_ENOMEM;
			}
		}
		size_t got = fread(buf + len, 1, cap - 1 - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		free(buf);
		fclose(f);
		return unreadable_errno(diags, path, e);
	}
	fclose(f);
	if (len > o.max_file_size) {
		free(buf);
		return too_large(diags, path, len, o.max_file_size, 0);
	}
	buf[len] = '\0';
	return load_owned(out, path, buf, len, &o, diags);
}
