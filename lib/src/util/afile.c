/* SPDX-License-Identifier: MIT */
/* Atomic replacement of a file: temporary file, write, rename. */
#include "util/afile.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Creates PATH.tmp.XXXXXX; returns its fd (name in *tmp) or -1 with errno. */
static int make_temp(const char *path, char **tmp)
{
	strbuf name = STRBUF_INIT;
	cad_strbuf_addf(&name, "%s.tmp.XXXXXX", path);
	*tmp = cad_strbuf_detach(&name);
	if (!*tmp) {
		errno = ENOMEM;
		return -1;
	}
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		int e = errno;
		free(*tmp);
		*tmp = NULL;
		errno = e;
	}
	return fd;
}

/* Opens the temporary file for `path`, which must not be a directory.
 * Returns its fd (name in *tmp), or -1 with the errno value in *e. */
static int begin(const char *path, char **tmp, int *e)
{
	struct stat st;
	*tmp = NULL;
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		*e = EISDIR;
		return -1;
	}
	int fd = make_temp(path, tmp);
	*e = fd < 0 ? errno : 0;
	return fd;
}

/* The end of a write into fd: mode, sync, close, rename. */
static int finish(int fd, char *tmp, const char *path, mode_t mode, int durable, int e)
{
	if (!e && fchmod(fd, mode))
		e = errno;
	if (!e && durable && fsync(fd))
		e = errno;
	if (close(fd) && !e)
		e = errno;
	if (!e && rename(tmp, path))
		e = errno;
	if (e)
		unlink(tmp);
	free(tmp);
	return e;
}

int cad_afile_write(const char *path, const void *data, size_t len, mode_t mode, int durable)
{
	char *tmp;
	int e, fd = begin(path, &tmp, &e);
	if (fd < 0)
		return e;
	const char *p = data;
	while (len && !e) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno != EINTR)
			e = errno;
		else if (n > 0)
			p += n, len -= (size_t)n;
	}
	return finish(fd, tmp, path, mode, durable, e);
}

FILE *cad_afile_open(const char *path, char **tmp)
{
	int e, fd = begin(path, tmp, &e);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (fd >= 0 && !f) {
		e = errno;
		close(fd);
		unlink(*tmp);
	}
	if (!f) {
		free(*tmp);
		*tmp = NULL;
		errno = e;
	}
	return f;
}

int cad_afile_commit(FILE *f, char *tmp, const char *path, mode_t mode, int durable, int failed)
{
	int e = failed ? (errno ? errno : EIO) : 0;
	if (fflush(f) && !e)
		e = errno;
	int fd = dup(fileno(f));
	fclose(f);
	if (fd < 0) {
		e = e ? e : errno;
		unlink(tmp);
		free(tmp);
		return e;
	}
	return finish(fd, tmp, path, mode, durable, e);
}

int cad_afile_probe(const char *path)
{
	char *tmp;
	int e, fd = begin(path, &tmp, &e);
	if (fd < 0)
		return e;
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}
