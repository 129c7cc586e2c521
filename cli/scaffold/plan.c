/* SPDX-License-Identifier: MIT */
/* Writing a set of files all or nothing (scaffold/plan.h). */
#include "scaffold/plan.h"

#include "cadence/common.h"
#include "util/grow.h"
#include "util/path.h"

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
		plan_file *f = &p->files[i];
		if (f->begun)
			cad_afile_discard(&f->w);
		free(f->path);
		free(f->data);
		free(f->backup);
		free(f->old_data);
	}
	free(p->files);
	for (size_t i = 0; i < p->ndirs; i++)
		free(p->dirs[i]);
	free(p->dirs);
	free(p->root);
	cad_plan_init(p);
}

int cad_plan_add(plan *p, const char *path, const char *data, size_t len,
	     int mode, int may_replace)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (!strcmp(p->files[i].path, path))
			return CADENCE_EINVAL;
	if (CAD_GROW(p->files, p->cap, p->nfiles + 1, 8))
		return CADENCE_ENOMEM;
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

int cad_plan_set_root(plan *p, const char *dir)
{
	free(p->root);
	p->root = cad_afile_absolute(dir);
	return p->root ? 0 : CADENCE_ENOMEM;
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
		char **d = cad_realloc_array(p->dirs, p->ndirs + 1, sizeof(*d));
		if (!d) {
			free(dir);
			return CADENCE_ENOMEM;
		}
		p->dirs = d;
		p->dirs[p->ndirs++] = dir;
	}
	return 0;
}

/* Is f inside the root, symbolic links followed?  (init --force in a
 * project whose cadences/ links to /etc must not write into /etc.) */
static int check_inside(const plan *p, const plan_file *f, strbuf *why, int *refused)
{
	if (!p->root || f->edit)
		return 0;
	char *abs = cad_afile_absolute(f->path);
	size_t n = strlen(p->root);
	if (!abs)
		return CADENCE_ENOMEM;
	if (strncmp(abs, p->root, n) || (abs[n] != '/' && abs[n] && strcmp(p->root, "/"))) {
		cad_strbuf_addf(why, "%s: a symbolic link leads out of %s (to %s); nothing is "
			    "written through it\n", f->path, p->root, abs);
		*refused = 1;
	}
	free(abs);
	return 0;
}

/* What is at f's path, by the output-path policy: nothing, or a regular
 * file (a link's target) that may be replaced. */
static void check_target(plan_file *f, strbuf *why, int *refused)
{
	cad_afile_target t;
	strbuf reason = STRBUF_INIT;
	int e = cad_afile_resolve(f->path, &t, &reason);
	f->exists = 0;
	if (e == EISDIR) {
		cad_strbuf_addf(why, "%s: a directory is in the way\n", f->path);
	} else if (e && e != ENOTDIR) {
		cad_strbuf_addf(why, "%s: %s\n", f->path, reason.len ? reason.buf : strerror(e));
	} else if (!e && t.how == CAD_AFILE_STREAM) {
		cad_strbuf_addf(why, "%s: not a regular file (a device, FIFO or descriptor)\n", f->path);
	} else if (!e && t.how != CAD_AFILE_NEW) {
		f->exists = 1;
		/* the target's mode, not the link's 0777 */
		if (f->mode == PLAN_KEEP_MODE)
			f->mode = (int)(t.st.st_mode & 07777);
		if (!f->may_replace)
			cad_strbuf_addf(why, "%s: already exists\n", f->path);
	}
	/* ENOTDIR: a file where a directory goes, which check_parents says */
	*refused |= (e && e != ENOTDIR) || (!e && t.how == CAD_AFILE_STREAM) ||
		    (f->exists && !f->may_replace);
	if (f->mode == PLAN_KEEP_MODE)
		f->mode = 0644;
	cad_afile_target_free(&t);
	cad_strbuf_free(&reason);
}

int cad_plan_check(plan *p, strbuf *why)
{
	int refused = 0, rc;
	for (size_t i = 0; i < p->ndirs; i++)
		free(p->dirs[i]);
	p->ndirs = 0;
	for (size_t i = 0; i < p->nfiles; i++) {
		plan_file *f = &p->files[i];
		if ((rc = check_parents(p, f, why, &refused)) || (rc = check_inside(p, f, why, &refused)))
			return rc;
		check_target(f, why, &refused);
	}
	if (why->failed)
		return CADENCE_ENOMEM;
	p->checked = !refused;
	return refused ? CADENCE_EINVALID : 0;
}

/* "dir/.base.cadence-TAG-XXXXXX" beside path. */
static char *sibling(const char *path, const char *tag)
{
	size_t dlen = cad_path_dir_len(path);
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

/* The file's data, ready to be put in place (util/afile.h): a template's
 * file gets its mode, an edit keeps the file's. */
static int write_temp(plan_file *f, const plan_hooks *h, strbuf *why)
{
	int flags = CAD_AFILE_DURABLE | (f->edit ? 0 : CAD_AFILE_SET_MODE);
	int e;
	if (step(h, "create", f->path))
		return fail(why, "create a file beside", f->path);
	if ((e = cad_afile_begin(&f->w, f->path, (mode_t)f->mode, flags))) {
		errno = e;
		return fail(why, "create a file beside", f->path);
	}
	f->begun = 1;
	if (step(h, "write", f->path) || write_all(f->w.fd, f->data, f->len))
		return fail(why, "write", f->path);
	if ((e = cad_afile_ready(&f->w))) {
		errno = e;
		return fail(why, "write", f->path);
	}
	return 0;
}

/* Keeps the file being replaced: a hard link to put back, or, for a file
 * rewritten in place, its data. */
static int keep_old(plan_file *f, const plan_hooks *h, strbuf *why)
{
	int fd;
	if (step(h, "link", f->path))
		return fail(why, "keep a copy of", f->path);
	if (f->w.t.how == CAD_AFILE_LINKED)
		return cad_afile_read(f->w.t.path, &f->old_data, &f->old_len)
			? fail(why, "keep a copy of", f->path) : 0;
	if (!(f->backup = sibling(f->w.t.path, "old"))) {
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
	if (link(f->w.t.path, f->backup)) {
		free(f->backup);
		f->backup = NULL;
		return fail(why, "keep a copy of", f->path);
	}
	return 0;
}

/* Puts a file rewritten in place back as it was. */
static int restore_in_place(const plan_file *f)
{
	int fd = open(f->w.t.path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	int bad = fd < 0 || write_all(fd, f->old_data, f->old_len) ||
		  ftruncate(fd, (off_t)f->old_len);
	if (fd >= 0 && close(fd))
		bad = 1;
	return bad ? -1 : 0;
}

/* Puts f back as it was before the plan; 0, or -1 when its copy had to
 * stay beside it. */
static int put_back(plan_file *f)
{
	if (!f->renamed)
		return 0;
	if (!f->exists) {
		unlink(f->w.t.path);
		return 0;
	}
	if (f->old_data)
		return restore_in_place(f);
	/* if even the rename fails, the copy stays beside the file rather
	 * than being lost */
	if (f->backup && !rename(f->backup, f->w.t.path)) {
		free(f->backup);
		f->backup = NULL;
		return 0;
	}
	return -1;
}

static void undo(plan *p, size_t dirs_made)
{
	for (size_t i = p->nfiles; i-- > 0;) {
		plan_file *f = &p->files[i];
		int keep = put_back(f);
		f->renamed = 0;
		if (f->backup && !keep)
			unlink(f->backup);
		free(f->backup);
		f->backup = NULL;
		if (f->begun)
			cad_afile_discard(&f->w);
		f->begun = 0;
	}
	while (dirs_made-- > 0)
		rmdir(p->dirs[dirs_made]);
}

int cad_plan_commit(plan *p, const plan_hooks *h, strbuf *why)
{
	size_t dirs_made = 0;
	int rc = 0, e;

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
		if (step(h, "rename", f->path)) {
			rc = fail(why, "write", f->path);
			goto undo;
		}
		/* an in-place copy that failed half-way is put back too, and
		 * so is a file renamed into a directory that failed to sync
		 * (no temporary file left) */
		f->renamed = 1;
		if ((e = cad_afile_install(&f->w))) {
			f->renamed = f->w.t.how == CAD_AFILE_LINKED || !f->w.tmp;
			errno = e;
			rc = fail(why, "write", f->path);
			goto undo;
		}
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		plan_file *f = &p->files[i];
		if (f->backup)
			unlink(f->backup);
		free(f->backup);
		f->backup = NULL;
		cad_afile_discard(&f->w);
		f->begun = 0;
		f->renamed = 0;
	}
	return 0;
undo:
	undo(p, dirs_made);
	return rc;
}
