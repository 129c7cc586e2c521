/* SPDX-License-Identifier: MIT */
/*
 * Every file cadence writes (metrics, trace, events, checkpoints, `diagram
 * -o`, `new note --into`, scaffolding) goes through here, by one policy
 * (docs/reliability.md, "Output paths"):
 *
 *  - a regular file, or one that does not exist yet, is replaced
 *    atomically: a temporary file PATH.tmp.XXXXXX beside it is written,
 *    fsync'd (durable writes), given the replaced file's owner and group
 *    (where the process may: root always) and its mode and ACLs, renamed
 *    over it, and the directory fsync'd (durable writes; see sync_dir()
 *    for what is not an error).  A reader sees
 *    the old file or the new one, never a part; a process killed meanwhile
 *    leaves at most the temporary file.  A new file is created with the
 *    caller's mode less the umask (or the directory's default ACL);
 *  - a regular file with other hard links (st_nlink > 1) keeps them: the
 *    data are written whole to the temporary file first, then copied over
 *    the file in place and the file cut to their length;
 *  - a character device (/dev/null), a FIFO or an open descriptor
 *    (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N) is written in
 *    place: opened without O_CREAT or O_TRUNC, or the descriptor itself;
 *  - a symbolic link is followed: its target is written by these rules and
 *    the link stays;
 *  - an empty path, a directory, a block device, a socket and a link to a
 *    missing file are refused.
 */
#ifndef CADENCE_SRC_UTIL_AFILE_H
#define CADENCE_SRC_UTIL_AFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/strbuf.h"

/* How a path is written. */
typedef enum cad_afile_how {
	CAD_AFILE_NEW,		/* no file yet: created by rename */
	CAD_AFILE_REPLACE,	/* a regular file, replaced by rename */
	CAD_AFILE_LINKED,	/* a regular file with hard links: rewritten in place */
	CAD_AFILE_STREAM	/* a device, FIFO or descriptor: written in place */
} cad_afile_how;

typedef struct cad_afile_target {
	cad_afile_how how;
	char *path;		/* what is written: a link's target, resolved */
	int fd_alias;		/* >= 0: the path names this open descriptor */
	struct stat st;		/* the existing file (not for NEW) */
} cad_afile_target;

/* Flags of cad_afile_begin(). */
enum {
	/* fsync the data and, after the rename, the directory */
	CAD_AFILE_DURABLE = 1,
	/* a replaced file gets `mode` (not its own mode and ACLs): for
	 * scaffolding, where a template's script must stay executable */
	CAD_AFILE_SET_MODE = 2,
};

/* One file being written: write the data to `fd`, then cad_afile_end(). */
typedef struct cad_afile {
	int fd;
	cad_afile_target t;
	char *tmp;		/* the temporary file, or NULL (STREAM) */
	mode_t mode;
	int flags;
} cad_afile;

/*
 * What `path` names, by the policy above.  Returns 0, or an errno value:
 * EINVAL (empty path), EISDIR, ENOTSUP (block device, socket), ENOENT (a
 * link to a missing file), EBADF (a descriptor that is not open for
 * writing), or what lstat/stat/realpath said.  When the policy refuses,
 * `why` (may be NULL) gets the reason, to print after the path.
 */
int cad_afile_resolve(const char *path, cad_afile_target *t, strbuf *why);
void cad_afile_target_free(cad_afile_target *t);

/*
 * Whether cad_afile_begin() (or, with `stream`, cad_afile_open_stream())
 * can work, with no lasting trace: the policy allows the path, and a
 * temporary file can be made beside it (made and removed again), or the
 * file written in place is writable.  Returns 0 or an errno value (the
 * reason in `why` when the policy refused).
 */
int cad_afile_check(const char *path, int stream, strbuf *why);

/* Starts writing `path` (see the flags; `mode` for a new file, less the
 * umask).  Returns 0 with w->fd open, or an errno value. */
int cad_afile_begin(cad_afile *w, const char *path, mode_t mode, int flags);

/*
 * The two halves of cad_afile_end(), for a writer of several files (the
 * scaffolding plan): cad_afile_ready() syncs the data, sets the owner,
 * mode and ACLs and closes w->fd; cad_afile_install() then puts the file in
 * place (rename, or the in-place copy).  Each returns 0 or an errno value.
 * cad_afile_discard() removes the temporary file and frees w, whatever
 * happened; it is also what a caller calls after cad_afile_install().
 */
int cad_afile_ready(cad_afile *w);
int cad_afile_install(cad_afile *w);
void cad_afile_discard(cad_afile *w);

/* Completes (failed == 0) or abandons the write; frees w.  Returns 0 or an
 * errno value (failed, when it was an errno value). */
int cad_afile_end(cad_afile *w, int failed);

/* Writes data[0..len) to `path`: begin, write, end.  Returns 0 or an errno
 * value; on failure the file is as it was. */
int cad_afile_write(const char *path, const void *data, size_t len, mode_t mode, int flags);

/* For writers that stream: a FILE on w->fd (NULL with errno set).
 * cad_afile_commit() closes it and ends the write (failed: the writer
 * failed); returns 0 or an errno value. */
FILE *cad_afile_open(cad_afile *w, const char *path, mode_t mode, int flags);
int cad_afile_commit(cad_afile *w, FILE *f, int failed);

/*
 * A stream read while it is written (--events): opened in place, as a log
 * is, after the same resolution (a regular file truncated, a device, FIFO
 * or descriptor as it is, a new file created with `mode` less the umask).
 * Returns the fd, or -1 with errno set (the policy's reason in `why`).
 */
int cad_afile_open_stream(const char *path, mode_t mode, strbuf *why);

/* Reads the whole file at `path` into a new NUL-terminated buffer (its
 * length in *len).  Returns 0, or -1 with errno set. */
int cad_afile_read(const char *path, char **out, size_t *len);

/* The absolute form of `path`: real (links resolved) for the part that
 * exists, "." and ".." removed lexically for the rest.  NULL when out of
 * memory or when not even "." resolves. */
char *cad_afile_absolute(const char *path);

/*
 * An advisory lock for a file that one writer at a time may own (a
 * checkpoint): flock() on TARGET.lock beside the resolved target, which
 * holds the owner's process id.  Taking it also removes the temporary
 * files (TARGET.tmp.XXXXXX, regular, of this user) that a killed writer
 * left.  Paths written in place (devices) are not locked (fd -1).
 * Returns 0, EWOULDBLOCK when another process holds it (its id in *holder,
 * or 0), or an errno value; l->path then names the lock file when it was
 * the one at fault (else NULL).  Release it either way.
 */
typedef struct cad_afile_lock {
	int fd;
	char *path;
} cad_afile_lock;

int cad_afile_lock_take(cad_afile_lock *l, const char *target, long *holder);
/* Removes the lock file (while still holding it) and releases it. */
void cad_afile_lock_release(cad_afile_lock *l);

/*
 * Test seam (tests/unit/test_afile.c): when set, called before each system
 * call of a write with the step's name ("open_temp", "write", "fchmod",
 * "fsync", "close", "rename", "open_dir", "fsync_dir"; in place: "open_in",
 * "open_out", "read", "ftruncate"); a non-zero return fails that call
 * with it as errno.  NULL outside tests.
 */
extern int (*cad_afile_fault)(const char *step);

#endif
