/* SPDX-License-Identifier: MIT */
/* Writing a set of files all or nothing (scaffold/plan.h). */
#include "scaffold/plan.h"

#include "cadence/common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cad_plan_init(plan *p)
{
	memset(p, 0, sizeof(*p));
}

void cad_plan_free(plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].path);
		free(p->files[i].data);
		free(p->files[i].temp);
		free(p->files[i].backup);
	}
	free(p->files);
	for (size_t i = 0; i < p->ndirs; i++)
		free(p->dirs[i]);
	free(p->dirs);
	cad_plan_init(p);
}

int cad_plan_add(plan *p, const char *path, const char *data, size_t len,
	     int mode, int may_replace)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (!strcmp(p->files[i].path, path))
			return CADENCE_EINVAL;
	if (p->nfiles == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		plan_file *f = realloc(p->files, cap * sizeof(*f));
		if (!f)
			return CADENCE_ENOMEM;
		p->files = f;
		p->cap = cap;
	}
	plan_file *f = &p->files[p->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->data = malloc(len + 1);
	if (!f->path || !f->data) {
		free(f->path);
		free(f->data);
		return CADENCE_ENOMEM;
	}
	memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	f->mode = mode;
	f->may_replace = may_replace;
	p->nfiles++;
	return 0;
}

static int dir_listed(const plan *p, const char *dir)
{
	for (size_t i = 0; i < p->ndirs; i++)
		if (!strcmp(p->dirs[i], dir))
			return 1;
	return 0;
}

/* Checks the parent directories of f, noting the missing ones. */
static int check_parents(plan *p, const plan_file *f, strbuf *why, int *refused)
{
	const char *path = f->path;
	for (const char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		if (s[-1] == '/')
			continue;
		size_t n = (size_t)(s - path);
		char *dir = strndup(path, n);
		struct stat st;
		if (!dir)
			return CADENCE_ENOMEM;
		if (dir_listed(p, dir)) {
			free(dir);
			continue;
		}
		if (!stat(dir, &st)) {
			if (!S_ISDIR(st.st_mode)) {
				cad_strbuf_addf(why, "%s: not a directory, but %s would go inside it\n",
					    dir, path);
				*refused = 1;
			}
			free(dir);
			continue;
		}
		if (errno != ENOENT) {
			cad_strbuf_addf(why, "%s: %s\n", dir, strerror(errno));
			*refused = 1;
			free(dir);
			continue;
		}
		char **d = realloc(p->dirs, (p->ndirs + 1) * sizeof(*d));
		if (!d) {
			free(dir);
			return CADENCE_ENOMEM;
		}
		p->dirs = d;
		p->dirs[p->ndirs++] = dir;
	}
	return 0;
}

int cad_plan_check(plan *p, strbuf *why)
{
	int refused = 0, rc;
	for (size_t i = 0; i < p->ndirs; i++)
		free(p->dirs[i]);
	p->ndirs = 0;
	for (size_t i = 0; i < p->nfiles; i++) {
		plan_file *f = &p->files[i];
		struct stat st;
		f->exists = 0;
		if ((rc = check_parents(p, f, why, &refused)))
			return rc;
		if (!lstat(f->path, &st)) {
			if (S_ISDIR(st.st_mode)) {
				cad_strbuf_addf(why, "%s: a directory is in the way\n", f->path);
				refused = 1;
				continue;
			}
			f->exists = 1;
			if (f->mode == PLAN_KEEP_MODE)
				f->mode = (int)(st.st_mode & 07777);
			if (!f->may_replace) {
				cad_strbuf_addf(why, "%s: already exists\n", f->path);
				refused = 1;
			}
		} else if (errno != ENOENT && errno != ENOTDIR) {
			cad_strbuf_addf(why, "%s: %s\n", f->path, strerror(errno));
			refused = 1;
		}
		if (f->mode == PLAN_KEEP_MODE)
			f->mode = 0644;
	}
	if (why->failed)
		return CADENCE_ENOMEM;
	p->checked = !refused;
	return refused ? CADENCE_EINVALID : 0;
}

/* "dir/.base.cadence-TAG-XXXXXX" beside path. */
static char *sibling(const char *path, const char *tag)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dlen;
	size_t n = dlen + 1 + strlen(base) + strlen(".cadence-") + strlen(tag) + 8;
	char *s = malloc(n);
	if (s) {
		memcpy(s, path, dlen);
		strcpy(s + dlen, ".");
		strcat(s, base);
		strcat(s, ".cadence-");
		strcat(s, tag);
		strcat(s, "-XXXXXX");
	}
	return s;
}

static int step(const plan_hooks *h, const char *op, const char *path)
{
	if (h && h->before && h->before(h->ctx, op, path)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int fail(strbuf *why, const char *what, const char *path)
{
	int e = errno;
	cad_strbuf_addf(why, "cannot %s %s: %s", what, path, strerror(e));
	return e == ENOMEM ? CADENCE_ENOMEM : CADENCE_EIO;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_temp(plan_file *f, const plan_hooks *h, strbuf *why)
{
	int fd;
	if (!(f->temp = sibling(f->path, "new"))) {
		errno = ENOMEM;
		return fail(why, "write", f->path);
	}
	if (step(h, "create", f->path) || (fd = mkstemp(f->temp)) < 0) {
		free(f->temp);
		f->temp = NULL;
		return fail(why, "create a file beside", f->path);
	}
	if (step(h, "write", f->path) || write_all(fd, f->data, f->len) ||
	    fchmod(fd, (mode_t)f->mode) || fsync(fd)) {
		int rc = fail(why, "write", f->path);
		close(fd);
		return rc;
	}
	if (close(fd))
		return fail(why, "write", f->path);
	return 0;
}

/* Keeps the file being replaced as a hard link, to put it back. */
static int keep_old(plan_file *f, const plan_hooks *h, strbuf *why)
{
	int fd;
	if (!(f->backup = sibling(f->path, "old"))) {
		errno = ENOMEM;
		return fail(why, "replace", f->path);
	}
	if ((fd = mkstemp(f->backup)) < 0) {
		free(f->backup);
		f->backup = NULL;
		return fail(why, "create a file beside", f->path);
	}
	close(fd);
	unlink(f->backup);
	if (step(h, "link", f->path) || link(f->path, f->backup)) {
		free(f->backup);
		f->backup = NULL;
		return fail(why, "keep a copy of", f->path);
	}
	return 0;
}

static void undo(plan *p, size_t dirs_made)
{
	for (size_t i = p->nfiles; i-- > 0;) {
		plan_file *f = &p->files[i];
		int keep = 0;
		if (f->renamed && !f->exists) {
			unlink(f->path);
		} else if (f->renamed) {
			/* put the old file back; if even that fails, its copy
			 * stays beside it rather than being lost */
			if (f->backup && !rename(f->backup, f->path)) {
				free(f->backup);
				f->backup = NULL;
			} else {
				keep = 1;
			}
		}
		f->renamed = 0;
		if (f->temp)
			unlink(f->temp);
		if (f->backup && !keep)
			unlink(f->backup);
		free(f->temp);
		free(f->backup);
		f->temp = f->backup = NULL;
	}
	while (dirs_made-- > 0)
		rmdir(p->dirs[dirs_made]);
}

int cad_plan_commit(plan *p, const plan_hooks *h, strbuf *why)
{
	size_t dirs_made = 0;
	int rc = 0;

	if (!p->checked) {
		cad_strbuf_adds(why, "the plan was not checked");
		return CADENCE_EINVAL;
	}
	for (; dirs_made < p->ndirs; dirs_made++)
		if (step(h, "mkdir", p->dirs[dirs_made]) || mkdir(p->dirs[dirs_made], 0777)) {
			rc = fail(why, "create the directory", p->dirs[dirs_made]);
			goto undo;
		}
	for (size_t i = 0; i < p->nfiles; i++)
		if ((rc = write_temp(&p->files[i], h, why)))
			goto undo;
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].exists && (rc = keep_old(&p->files[i], h, why)))
			goto undo;
	for (size_t i = 0; i < p->nfiles; i++) {
		plan_file *f = &p->files[i];
		if (step(h, "rename", f->path) || rename(f->temp, f->path)) {
			rc = fail(why, "write", f->path);
			goto undo;
		}
		f->renamed = 1;
		free(f->temp);
		f->temp = NULL;
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		plan_file *f = &p->files[i];
		if (f->backup)
			unlink(f->backup);
		free(f->backup);
		f->backup = NULL;
		f->renamed = 0;
	}
	return 0;
undo:
	undo(p, dirs_made);
	return rc;
}
