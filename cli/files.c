/* SPDX-License-Identifier: MIT */
#include "files.h"

#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/strbuf.h"

void file_list_free(file_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->count = l->cap = 0;
}

int file_list_add(file_list *l, const char *path)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **p = realloc(l->paths, cap * sizeof(*p));
		if (!p)
			return -1;
		l->paths = p;
		l->cap = cap;
	}
	if (!(l->paths[l->count] = strdup(path)))
		return -1;
	l->count++;
	return 0;
}

int files_is_cadence(const char *name)
{
	static const char suffix[] = ".cadence.yaml";
	size_t n = strlen(name), s = sizeof(suffix) - 1;
	return n > s && !strcmp(name + n - s, suffix);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int slash = dl && dir[dl - 1] == '/';
	char *p = malloc(dl + nl + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	if (!slash)
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}

int files_find(file_list *l, const char *dir)
{
	DIR *d = opendir(dir);
	file_list names = { 0 };
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (file_list_add(&names, e->d_name)) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	if (rc) {
		file_list_free(&names);
		return -1;
	}
	if (names.count)
		qsort(names.paths, names.count, sizeof(*names.paths), cmp_str);
	for (size_t i = 0; i < names.count && !rc; i++) {
		char *path = join(dir, names.paths[i]);
		struct stat st, lst;
		if (!path) {
			rc = -1;
			break;
		}
		if (lstat(path, &lst) == 0 && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (!S_ISLNK(lst.st_mode))
					rc = files_find(l, path);
			} else if (S_ISREG(st.st_mode) && files_is_cadence(names.paths[i])) {
				rc = file_list_add(l, path);
			}
		} else if (files_is_cadence(names.paths[i])) {
			/* a dangling NAME.cadence.yaml is a problem to report, not
			 * a file to skip: the loader says it cannot be read */
			rc = file_list_add(l, path);
		}
		free(path);
	}
	file_list_free(&names);
	return rc;
}

int files_read_stream(FILE *f, size_t limit, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -1;
	for (;;) {
		if (n == cap) {
			if (n > limit)
				break;
			char *p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -1;
			}
			buf = p;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (!got)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		free(buf);
		errno = e;
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

int files_output_error(int code, const char *what, const char *path, int e, strbuf *why,
		       const char *tail)
{
	const char *reason = why && why->len && !why->failed ? why->buf : strerror(e);
	cli_error(code, "cannot write %s%s%s'%s': %s%s", what ? "the " : "", what ? what : "",
		  what ? " to " : "", path, reason, tail);
	cad_strbuf_free(why);
	return code;
}
