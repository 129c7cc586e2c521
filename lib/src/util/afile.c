/* SPDX-License-Identifier: MIT */
/* Output files by one policy (afile.h). */
/* realpath(), flock(), fgetxattr() */
#define _GNU_SOURCE

#include "util/afile.h"
#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/xattr.h>
#endif

/* TARGET.tmp.XXXXXX: what cad_afile_lock_take() may remove */
#define TMP_SUFFIX ".tmp."
#define TMP_RANDOM 6
static const char tmp_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int (*cad_afile_fault)(const char *step);

/* Whether the test seam fails `step` (errno then set to its value). */
static int fault(const char *step)
{
	int e = cad_afile_fault ? cad_afile_fault(step) : 0;
	if (e)
		errno = e;
	return e != 0;
}

/* ---- what a path names -------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int refuse(strbuf *why, int e, const char *fmt, ...)
{
	if (why) {
		va_list ap;
		va_start(ap, fmt);
		cad_strbuf_vaddf(why, fmt, ap);
		va_end(ap);
	}
	return e;
}

/* The descriptor a path names: /dev/stdout 1, /dev/stderr 2, /dev/fd/N
 * and /proc/self/fd/N N; else -1.  Written through the descriptor, the
 * output goes where the shell sent it (appended to a file opened with >>,
 * after what is there with >), where opening the path again would start
 * at the beginning of a file. */
static int fd_alias(const char *path)
{
	static const char *const dirs[] = { "/dev/fd/", "/proc/self/fd/" };
	if (!strcmp(path, "/dev/stdout"))
		return 1;
	if (!strcmp(path, "/dev/stderr"))
		return 2;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		const char *d = path + n;
		char *end;
		if (strncmp(path, dirs[i], n) || *d < '0' || *d > '9')
			continue;
		errno = 0;
		long v = strtol(d, &end, 10);
		if (!*end && !errno && v <= INT_MAX)
			return (int)v;
	}
	return -1;
}

static int keep_path(cad_afile_target *t, char *path)
{
	t->path = path;
	return path ? 0 : (errno ? errno : ENOMEM);
}

static int resolve_alias(const char *path, cad_afile_target *t, strbuf *why)
{
	int fl = fcntl(t->fd_alias, F_GETFL);
	if (fl < 0 || fstat(t->fd_alias, &t->st))
		return refuse(why, EBADF, "descriptor %d is not open", t->fd_alias);
	if ((fl & O_ACCMODE) == O_RDONLY)
		return refuse(why, EBADF, "descriptor %d is open for reading only", t->fd_alias);
	t->how = CAD_AFILE_STREAM;
	return keep_path(t, strdup(path));
}

static int dangling(const char *path, strbuf *why)
{
	char to[PATH_MAX];
	int e = errno;
	ssize_t n = readlink(path, to, sizeof(to) - 1);
	if (e != ENOENT || n < 0)
		return e;
	to[n] = '\0';
	return refuse(why, ENOENT, "it is a symbolic link to '%s', which does not exist "
		      "(create it, or remove the link)", to);
}

/* A name the file system takes can be too long for its temporary file
 * (NAME.tmp.XXXXXX): say so, not a bare "File name too long" of a name
 * that is not (issue 14, probe).  0, or ENAMETOOLONG. */
static int temp_fits(const char *path, strbuf *why)
{
	size_t n = strlen(path + cad_path_dir_len(path)), extra = sizeof(TMP_SUFFIX) - 1 + TMP_RANDOM;
	if (n > NAME_MAX || n + extra <= NAME_MAX)
		return 0;	/* fits, or too long anyway: the system says so */
	return refuse(why, ENAMETOOLONG, "its name has %zu bytes, and cadence writes it through "
		      "a temporary file NAME%sXXXXXX beside it, which would pass the %d bytes "
		      "a file name can have; give a name of at most %zu bytes", n, TMP_SUFFIX,
		      NAME_MAX, NAME_MAX - extra);
}

int cad_afile_resolve(const char *path, cad_afile_target *t, strbuf *why)
{
	struct stat lst;
	memset(t, 0, sizeof(*t));
	if (!*path)
		return refuse(why, EINVAL, "the path is empty");
	if ((t->fd_alias = fd_alias(path)) >= 0)
		return resolve_alias(path, t, why);
	if (lstat(path, &lst)) {
		if (errno != ENOENT)
			return errno;
		t->how = CAD_AFILE_NEW;
		return temp_fits(path, why) ? ENAMETOOLONG : keep_path(t, strdup(path));
	}
	t->st = lst;
	if (S_ISLNK(lst.st_mode) && stat(path, &t->st))
		return dangling(path, why);
	if (S_ISREG(t->st.st_mode)) {
		t->how = t->st.st_nlink > 1 ? CAD_AFILE_LINKED : CAD_AFILE_REPLACE;
		int e = keep_path(t, S_ISLNK(lst.st_mode) ? realpath(path, NULL) : strdup(path));
		return e ? e : temp_fits(t->path, why);
	}
	if (S_ISCHR(t->st.st_mode) || S_ISFIFO(t->st.st_mode)) {
		t->how = CAD_AFILE_STREAM;
		return keep_path(t, strdup(path));
	}
	if (S_ISDIR(t->st.st_mode))
		return EISDIR;	/* strerror() says it */
	return refuse(why, ENOTSUP, "it is a %s; cadence writes regular files, character "
		      "devices and FIFOs", S_ISBLK(t->st.st_mode) ? "block device" : "socket");
}

void cad_afile_target_free(cad_afile_target *t)
{
	free(t->path);
	t->path = NULL;
}

/* ---- the temporary file ------------------------------------------------------- */

/* Creates TARGET.tmp.XXXXXX (O_EXCL, `mode` less the umask: the kernel
 * applies it, so no thread changes the process's umask to read it).
 * Returns the fd (the name in *tmp) or -1 with errno set. */
static int make_temp(const char *target, mode_t mode, char **tmp)
{
	size_t n = strlen(target), s = sizeof(TMP_SUFFIX) - 1;
	char *name = malloc(n + s + TMP_RANDOM + 1);
	struct timespec ts;
	if (!name) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(name, target, n);
	memcpy(name + n, TMP_SUFFIX, s);
	char *r = name + n + s;
	r[TMP_RANDOM] = '\0';
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
		     ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)name;
	for (int attempt = 0; attempt < 100; attempt++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		uint64_t v = x >> 16;
		for (int i = 0; i < TMP_RANDOM; i++, v /= sizeof(tmp_alphabet) - 1)
			r[i] = tmp_alphabet[v % (sizeof(tmp_alphabet) - 1)];
		int fd = fault("open_temp") ? -1 :
			 open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0) {
			*tmp = name;
			return fd;
		}
		if (errno != EEXIST)
			break;
	}
	int e = errno;
	free(name);
	errno = e;
	return -1;
}

/* Is `name` a temporary file name of `base` (base.tmp.XXXXXX)? */
static int is_temp_of(const char *name, const char *base)
{
	size_t n = strlen(base), s = sizeof(TMP_SUFFIX) - 1;
	if (strncmp(name, base, n) || strncmp(name + n, TMP_SUFFIX, s) ||
	    strlen(name + n + s) != TMP_RANDOM)
		return 0;
	return strspn(name + n + s, tmp_alphabet) == TMP_RANDOM;
}

/* Removes the temporary files of `target` that this user's writers left. */
static void remove_temps(const char *target)
{
	char *dir = cad_path_dir(target);
	DIR *d = dir ? opendir(dir) : NULL;
	const char *base = target + cad_path_dir_len(target);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct stat st;
		if (is_temp_of(e->d_name, base) &&
		    !fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISREG(st.st_mode) && st.st_uid == geteuid())
			unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
	free(dir);
}

/* ---- writing ------------------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = fault("write") ? -1 : write(fd, p, len);
		if (n < 0 && errno != EINTR)
			return errno;
		if (n > 0)
			p += n, len -= (size_t)n;
	}
	return 0;
}

/* The device, FIFO or descriptor itself. */
static int open_in_place(const cad_afile_target *t, int *fd)
{
	struct stat st;
	if (t->fd_alias >= 0) {
		/* what the caller printed there comes first */
		if (t->fd_alias == 1 || t->fd_alias == 2)
			fflush(t->fd_alias == 1 ? stdout : stderr);
		*fd = fcntl(t->fd_alias, F_DUPFD_CLOEXEC, 0);
		return *fd < 0 ? errno : 0;
	}
	*fd = open(t->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (*fd < 0)
		return errno;
	/* still the device or FIFO it was when resolved */
	if (!fstat(*fd, &st) && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		return 0;
	close(*fd);
	*fd = -1;
	return ESTALE;
}

#if defined(__linux__)
/* The extended attributes of `from` (ACLs, SELinux label, user.*) on
 * `to`, those the process may set. */
static void copy_xattrs(const char *from, int to)
{
	ssize_t n = listxattr(from, NULL, 0);
	char *names = n > 0 ? malloc((size_t)n) : NULL;
	if (names)
		n = listxattr(from, names, (size_t)n);
	for (ssize_t i = 0; names && i < n; i += (ssize_t)strlen(names + i) + 1) {
		ssize_t v = getxattr(from, names + i, NULL, 0);
		char *value = v > 0 ? malloc((size_t)v) : NULL;
		if (value && (v = getxattr(from, names + i, value, (size_t)v)) > 0 &&
		    fsetxattr(to, names + i, value, (size_t)v, 0)) {
			/* not allowed or not supported here: the file has its mode */
		}
		free(value);
	}
	free(names);
}
#else
static void copy_xattrs(const char *from, int to)
{
	(void)from, (void)to;
}
#endif

/* The replaced file's owner and group (where the process may give them:
 * root always; else the group, when it is one of the user's), and its
 * mode and ACLs, or `mode` with CAD_AFILE_SET_MODE. */
static int keep_attributes(cad_afile *w)
{
	const struct stat *old = &w->t.st;
	if ((old->st_uid != geteuid() || old->st_gid != getegid()) &&
	    fchown(w->fd, old->st_uid, old->st_gid) && fchown(w->fd, (uid_t)-1, old->st_gid)) {
		/* the file stays the writer's */
	}
	if (fault("fchmod"))
		return errno;
	if (w->flags & CAD_AFILE_SET_MODE)
		return fchmod(w->fd, w->mode) ? errno : 0;
	if (fchmod(w->fd, old->st_mode & 07777))
		return errno;
	copy_xattrs(w->t.path, w->fd);
	return 0;
}

int cad_afile_begin(cad_afile *w, const char *path, mode_t mode, int flags)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->mode = mode;
	w->flags = flags;
	int e = cad_afile_resolve(path, &w->t, NULL);
	if (!e && w->t.how == CAD_AFILE_STREAM) {
		e = open_in_place(&w->t, &w->fd);
	} else if (!e) {
		/* a replaced file's data are not shown to others before it has
		 * the replaced file's mode */
		w->fd = make_temp(w->t.path, w->t.how == CAD_AFILE_NEW ? mode : 0600, &w->tmp);
		e = w->fd < 0 ? errno : 0;
	}
	if (e)
		cad_afile_discard(w);
	return e;
}

int cad_afile_ready(cad_afile *w)
{
	int e = 0;
	if (w->t.how == CAD_AFILE_REPLACE)
		e = keep_attributes(w);
	else if (w->t.how == CAD_AFILE_NEW && (w->flags & CAD_AFILE_SET_MODE) &&
		 (fault("fchmod") || fchmod(w->fd, w->mode)))
		e = errno;
	/* a device or a pipe has nothing to sync */
	if (!e && w->tmp && (w->flags & CAD_AFILE_DURABLE) && (fault("fsync") || fsync(w->fd)))
		e = errno;
	/* closed even when the seam fails it: no descriptor leaks in tests */
	if ((fault("close") | close(w->fd)) && !e)
		e = errno;
	w->fd = -1;
	return e;
}

/* The rename survives a crash once the directory is synced too.  What
 * cannot be synced is not an error: a file system that does not sync
 * directories (EINVAL), a directory this user may write but not read
 * (EACCES: it cannot be opened; the rename is all a process can do
 * there).  Any other failure (EMFILE, ENOMEM, EIO) is: the file is in
 * place, but not durably. */
static int sync_dir(const char *path)
{
	char *dir = cad_path_dir(path);
	int fd = !dir || fault("open_dir") ? -1 : open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = !dir ? ENOMEM : fd < 0 || fault("fsync_dir") || fsync(fd) ? errno : 0;
	if (fd >= 0)
		close(fd);
	free(dir);
	return e == EINVAL || e == EACCES ? 0 : e;
}

/* A file with other hard links: the temporary file's data copied over it,
 * so that every link sees them. */
static int copy_in_place(cad_afile *w)
{
	int in = fault("open_in") ? -1 : open(w->tmp, O_RDONLY | O_CLOEXEC);
	int out = in < 0 || fault("open_out") ? -1 :
		  open(w->t.path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	int e = out < 0 ? errno : 0;
	struct stat st;
	off_t len = 0;
	char buf[16384];
	if (!e && fstat(out, &st))
		e = errno;
	else if (!e && (st.st_ino != w->t.st.st_ino || st.st_dev != w->t.st.st_dev))
		e = ESTALE;	/* not the file resolved: replaced meanwhile */
	while (!e) {
		ssize_t n = fault("read") ? -1 : read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : 0;
			break;
		}
		e = write_all(out, buf, (size_t)n);
		len += n;
	}
	if (!e && (fault("ftruncate") || ftruncate(out, len)))
		e = errno;
	if (!e && (w->flags & CAD_AFILE_DURABLE) && (fault("fsync") || fsync(out)))
		e = errno;
	if (out >= 0 && close(out) && !e)
		e = errno;
	if (in >= 0)
		close(in);
	return e;
}

int cad_afile_install(cad_afile *w)
{
	if (w->t.how == CAD_AFILE_STREAM)
		return 0;
	if (w->t.how == CAD_AFILE_LINKED)
		return copy_in_place(w);
	if (fault("rename") || rename(w->tmp, w->t.path))
		return errno;
	free(w->tmp);
	w->tmp = NULL;
	return w->flags & CAD_AFILE_DURABLE ? sync_dir(w->t.path) : 0;
}

void cad_afile_discard(cad_afile *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp)
		unlink(w->tmp);
	free(w->tmp);
	cad_afile_target_free(&w->t);
	w->fd = -1;
	w->tmp = NULL;
}

int cad_afile_end(cad_afile *w, int failed)
{
	int e = failed;
	if (!e)
		e = cad_afile_ready(w);
	if (!e)
		e = cad_afile_install(w);
	cad_afile_discard(w);
	return e;
}

int cad_afile_write(const char *path, const void *data, size_t len, mode_t mode, int flags)
{
	cad_afile w;
	int e = cad_afile_begin(&w, path, mode, flags);
	return e ? e : cad_afile_end(&w, write_all(w.fd, data, len));
}

FILE *cad_afile_open(cad_afile *w, const char *path, mode_t mode, int flags)
{
	int e = cad_afile_begin(w, path, mode, flags);
	/* the FILE has a descriptor of its own: fclose() leaves w->fd to
	 * sync and close */
	int fd = e ? -1 : dup(w->fd);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!e && !f) {
		e = errno;
		if (fd >= 0)
			close(fd);
		cad_afile_discard(w);
	}
	if (e)
		errno = e;
	return f;
}

int cad_afile_commit(cad_afile *w, FILE *f, int failed)
{
	int e = failed;
	if ((fflush(f) || ferror(f)) && !e)
		e = errno ? errno : EIO;
	if (fclose(f) && !e)
		e = errno;
	return cad_afile_end(w, e);
}

int cad_afile_open_stream(const char *path, mode_t mode, strbuf *why)
{
	cad_afile_target t;
	int fd = -1, e = cad_afile_resolve(path, &t, why);
	if (!e && t.how == CAD_AFILE_STREAM) {
		e = open_in_place(&t, &fd);
	} else if (!e) {
		fd = open(t.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, mode);
		e = fd < 0 ? errno : 0;
	}
	cad_afile_target_free(&t);
	errno = e;
	return e ? -1 : fd;
}

/* Can a temporary file be made beside `target` (the directory is
 * writable)? */
static int can_make_temp(const char *target)
{
	char *tmp;
	int fd = make_temp(target, 0600, &tmp);
	if (fd < 0)
		return errno;
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

int cad_afile_check(const char *path, int stream, strbuf *why)
{
	cad_afile_target t;
	int e = cad_afile_resolve(path, &t, why);
	/* in place: the file itself must be writable; by rename (and for
	 * the copy of a linked file), its directory */
	int in_place = t.how == CAD_AFILE_STREAM || t.how == CAD_AFILE_LINKED ||
		       (stream && t.how == CAD_AFILE_REPLACE);
	int beside = t.how == CAD_AFILE_NEW ||
		     (!stream && (t.how == CAD_AFILE_REPLACE || t.how == CAD_AFILE_LINKED));
	if (!e && beside)
		e = can_make_temp(t.path);
	if (!e && in_place && t.fd_alias < 0 && faccessat(AT_FDCWD, t.path, W_OK, AT_EACCESS))
		e = errno;
	cad_afile_target_free(&t);
	return e;
}

/* ---- paths -------------------------------------------------------------------- */

int cad_afile_read(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	strbuf b = STRBUF_INIT;
	char buf[8192];
	size_t n;
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cad_strbuf_add(&b, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad || b.failed) {
		cad_strbuf_free(&b);
		errno = bad ? EIO : ENOMEM;
		return -1;
	}
	*len = b.len;
	*out = cad_strbuf_detach(&b);
	if (!*out && !(*out = strdup("")))
		return -1;
	return 0;
}

char *cad_afile_absolute(const char *path)
{
	strbuf b = STRBUF_INIT;
	char *copy = strdup(path), *real = NULL;
	if (!copy)
		return NULL;
	/* the longest prefix that exists */
	size_t cut = strlen(copy);
	for (;;) {
		char save = copy[cut];
		copy[cut] = '\0';
		real = realpath(cut ? copy : ".", NULL);
		copy[cut] = save;
		if (real || !cut)
			break;
		while (cut > 0 && copy[cut - 1] != '/')
			cut--;
		while (cut > 0 && copy[cut - 1] == '/')
			cut--;
	}
	if (!real) {
		free(copy);
		return NULL;
	}
	cad_strbuf_adds(&b, real);
	free(real);
	for (char *s = copy + cut, *e; *s; s = e) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 1 && s[0] == '.')
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *slash = b.buf ? strrchr(b.buf, '/') : NULL;
			if (slash)
				cad_strbuf_setlen(&b, slash != b.buf ? (size_t)(slash - b.buf) : 1);
			continue;
		}
		if (b.len > 1)
			cad_strbuf_addc(&b, '/');
		cad_strbuf_add(&b, s, n);
	}
	free(copy);
	return cad_strbuf_detach(&b);
}

/* ---- locks -------------------------------------------------------------------- */

static long read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return strtol(buf, NULL, 10);
}

static int lock_file(cad_afile_lock *l, long *holder)
{
	for (int tries = 0; tries < 100; tries++) {
		struct stat a, b;
		int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
		if (fd < 0)
			return errno;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			int e = errno;
			if (e == EWOULDBLOCK)
				*holder = read_pid(fd);
			close(fd);
			return e;
		}
		/* a holder removes its file before releasing it: the file
		 * locked must still be the one at the path */
		if (!fstat(fd, &a) && !lstat(l->path, &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			char pid[32];
			int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
			if (ftruncate(fd, 0) || write_all(fd, pid, (size_t)n)) {
				/* the id is only for messages */
			}
			l->fd = fd;
			return 0;
		}
		close(fd);
	}
	return EAGAIN;
}

int cad_afile_lock_take(cad_afile_lock *l, const char *target, long *holder)
{
	cad_afile_target t;
	strbuf b = STRBUF_INIT;
	l->fd = -1;
	l->path = NULL;
	*holder = 0;
	int e = cad_afile_resolve(target, &t, NULL);
	if (!e && t.how != CAD_AFILE_STREAM) {
		cad_strbuf_addf(&b, "%s.lock", t.path);
		l->path = cad_strbuf_detach(&b);
		e = l->path ? lock_file(l, holder) : ENOMEM;
		if (!e)
			remove_temps(t.path);
	}
	cad_afile_target_free(&t);
	return e;
}

void cad_afile_lock_release(cad_afile_lock *l)
{
	if (l->fd >= 0) {
		unlink(l->path);
		close(l->fd);
	}
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}
