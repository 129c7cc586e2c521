/* SPDX-License-Identifier: MIT */
/* realpath() */
#define _XOPEN_SOURCE 700

#include "util/path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	const char *slash = strrchr(path, '/');
	if (!slash)
		return cad_path_root(".");
	if (slash == path)
		return cad_path_root("/");
	char *dir = strndup(path, (size_t)(slash - path));
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
		char *copy = strdup(path);
		if (!copy)
			return -1;
		char *slash = strrchr(copy, '/');
		const char *dir = !slash ? "." : slash == copy ? "/" : (*slash = '\0', copy);
		const char *base = slash ? slash + 1 : copy;
		if (strcmp(base, "..") && strcmp(base, "."))
			real = realpath(dir, NULL);
		int e = errno;
		free(copy);
		errno = e;
	}
	if (!real)
		return -1;
	int in = below(root, real);
	free(real);
	return in;
}
