/* SPDX-License-Identifier: MIT */
/* realpath() */
#define _XOPEN_SOURCE 700

#include "util/path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

size_t cad_path_dir_len(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? (size_t)(slash - path) + 1 : 0;
}

char *cad_path_dir(const char *path)
{
	size_t n = cad_path_dir_len(path);
	return n ? strndup(path, n) : strdup(".");
}

char *cad_path_root(const char *dir)
{
	char *real = realpath(dir, NULL);
	char *probe = real ? malloc(strlen(real) + sizeof("/.git")) : NULL;
	size_t len = real ? strlen(real) : 0;
	struct stat st;

	if (!probe) {
		if (real)
			errno = ENOMEM;
		free(real);
		return NULL;
	}
	/* real[0, len) is dir, then each of its ancestors up to "/".  Going
	 * up from what the caller named, a .git planted in a subdirectory
	 * can make the root smaller, never larger. */
	for (;;) {
		memcpy(probe, real, len);
		strcpy(probe + len, len == 1 ? ".git" : "/.git");
		if (!lstat(probe, &st)) {
			real[len] = '\0';
			break;
		}
		if (len == 1)
			break;	/* no marker: real is still dir */
		while (real[len - 1] != '/')
			len--;
		if (len > 1)
			len--;
	}
	free(probe);
	return real;
}

char *cad_path_root_of_file(const char *path)
{
	char *dir = cad_path_dir(path);
	if (!dir)
		return NULL;
	char *root = cad_path_root(dir);
	int e = errno;
	free(dir);
	errno = e;
	return root;
}

static int below(const char *root, const char *real)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return 1;
	return !strncmp(real, root, n) && (real[n] == '/' || real[n] == '\0');
}

int cad_path_inside(const char *root, const char *path)
{
	char *real = realpath(path, NULL);
	if (!real && errno == ENOENT) {
		/* not there (yet): its directory tells where it would be */
		const char *base = path + cad_path_dir_len(path);
		if (strcmp(base, "..") && strcmp(base, ".")) {
			char *dir = cad_path_dir(path);
			if (!dir)
				return -1;
			real = realpath(dir, NULL);
			int e = errno;
			free(dir);
			errno = e;
		}
	}
	if (!real)
		return -1;
	int in = below(root, real);
	free(real);
	return in;
}
