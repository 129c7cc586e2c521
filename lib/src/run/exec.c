/* SPDX-License-Identifier: MIT */
/* Processes for `run` notes; see exec.h. */

/* This file alone asks for GNU/Linux extensions: pipe2 (close-on-exec
 * pipes without a window for a concurrent fork), vfork, prctl's
 * PR_SET_PDEATHSIG (a note dies with cadence), close_range (no descriptor
 * of the embedding program leaks into notes), pidfd_open (wait for an exit
 * in poll()), waitid's WNOWAIT and sigabbrev_np.  The rest of the library
 * stays at POSIX 2008. */
#define _GNU_SOURCE

#include "run/exec.h"
#include "util/sat.h"
#include "util/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Without pidfd, how often to look for the exit of a process whose output
 * is still open (a grandchild holds it). */
#define EXIT_POLL_NS (5 * 1000000LL)
/* After the note's process exits (and its group is killed), how long its
 * output may take to reach EOF: only a process that left the group (setsid)
 * can hold it open longer, and it is not waited for. */
#define DRAIN_NS (500 * 1000000LL)
/* Process ids the guard can track: PID_MAX_LIMIT of 64-bit Linux (4 Mi),
 * a bit each, 512 KiB of shared memory of which only the pages of the
 * ids in use are ever touched. */
#define GUARD_PIDS (1UL << 22)
#define WORD_BITS (8 * sizeof(unsigned long))
#define GUARD_WORDS (1 + GUARD_PIDS / WORD_BITS)

int64_t cad_rproc_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void cad_rproc_strerror(int e, strbuf *sb)
{
	char buf[128];
	/* the GNU strerror_r: returns the message, maybe not in buf */
	cad_strbuf_adds(sb, strerror_r(e, buf, sizeof(buf)));
}

static int pidfd_for(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
#else
	(void)pid;
	return -1;
#endif
}

/* Closes every descriptor from `from` up where the kernel can (Linux 5.9):
 * 0, else -1 (close-on-exec still keeps cadence's own out of notes). */
static int close_from(unsigned from)
{
#ifdef SYS_close_range
	return syscall(SYS_close_range, from, ~0U, 0) ? -1 : 0;
#else
	(void)from;
	return -1;
#endif
}

/* A close-on-exec pipe whose ends are both above 2, so that making them a
 * child's 0, 1 and 2 cannot overwrite one another (cadence may have been
 * started with stdin closed).  `flags`: more flags of pipe2 (O_NONBLOCK,
 * which the ends moved above 2 keep). */
static int pipe_above_2(int fds[2], int flags)
{
	if (pipe2(fds, O_CLOEXEC | flags))
		return errno;
	for (int i = 0; i < 2; i++) {
		if (fds[i] > 2)
			continue;
		int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		int e = errno;
		close(fds[i]);
		fds[i] = moved;
		if (moved < 0) {
			close_fd(&fds[!i]);
			return e;
		}
	}
	return 0;
}

/* ---- the guard ------------------------------------------------------------- */

/* The guard's life, in the child of fork(): async-signal-safe calls only,
 * since cadence may have threads. */
static _Noreturn void guard_main(int fd, volatile unsigned long *groups)
{
	static const int deaf[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP,
				    SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGALRM };
	struct sigaction sa;
	sigset_t none;
	char buf[64];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof(deaf) / sizeof(*deaf); i++)
		sigaction(deaf[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* out of cadence's group: a kill of that group leaves it its work */
	setpgid(0, 0);
	prctl(PR_SET_NAME, "cadence-guard");
	if (fd != 3) {
		dup2(fd, 3);
		fd = 3;
	}
	for (int i = 0; i < 3; i++)
		close(i);
	/* without close_range (Linux < 5.9): one by one, so that it holds no
	 * pipe of cadence's (a `| head` must see its end when cadence ends) */
	struct rlimit rl;
	if (close_from(4) && !getrlimit(RLIMIT_NOFILE, &rl))
		for (rlim_t i = 4; i < rl.rlim_cur && i < 65536; i++)
			close((int)i);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	/* cadence is gone: the groups of the notes it had running */
	unsigned long words = groups[0];
	for (unsigned long w = 1; w < words && w < GUARD_WORDS; w++)
		for (unsigned b = 0; groups[w] && b < WORD_BITS; b++)
			if (groups[w] & (1UL << b))
				kill(-(pid_t)((w - 1) * WORD_BITS + b), SIGKILL);
	_exit(0);
}

int cad_rguard_start(rguard *g)
{
	size_t size = GUARD_WORDS * sizeof(unsigned long);
	sigset_t all, old;
	int fds[2], e;

	if (g->pid > 0)
		return 0;
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return errno;
	if ((e = pipe_above_2(fds, 0))) {
		munmap(mem, size);
		return e;
	}
	/* no handler of cadence's may run in the child before it is deaf */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pid_t pid = fork();
	if (pid == 0)
		guard_main(fds[0], mem);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		munmap(mem, size);
		return e;
	}
	g->pid = pid;
	g->fd = fds[1];
	g->groups = mem;
	return 0;
}

void cad_rguard_end(rguard *g)
{
	if (g->pid > 0) {
		/* every note was reaped: nothing for it to do */
		kill(g->pid, SIGKILL);
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close_fd(&g->fd);
	if (g->groups)
		munmap((void *)g->groups, GUARD_WORDS * sizeof(unsigned long));
	*g = (rguard)RGUARD_INIT;
}

static void guard_add(rguard *g, pid_t pid)
{
	unsigned long w = 1 + (unsigned long)pid / WORD_BITS;
	if (!g || !g->groups || pid <= 0 || w >= GUARD_WORDS)
		return;
	g->groups[w] |= 1UL << ((unsigned long)pid % WORD_BITS);
	if (g->groups[0] <= w)
		g->groups[0] = w + 1;
}

/* Before the process is reaped: while it is a zombie its id is no one
 * else's, so the guard cannot kill a stranger's group meanwhile. */
static void guard_remove(rguard *g, pid_t pid)
{
	unsigned long w = 1 + (unsigned long)pid / WORD_BITS;
	if (g && g->groups && pid > 0 && w < GUARD_WORDS)
		g->groups[w] &= ~(1UL << ((unsigned long)pid % WORD_BITS));
}

/* ---- starting a process ------------------------------------------------------ */

typedef struct child_args {
	char *const *argv;
	char *const *envp;
	const char *paths;	/* candidates, each NUL-terminated, then "";
				 * NULL: argv[0] is the path */
	const int *fd;		/* become 0, 1, 2 */
	int report;		/* errno goes there when exec fails */
	pid_t parent;
} child_args;

/* The signals a caller may ignore (SIGPIPE, SIGINT under nohup...) are the
 * note's at their default; every handler of cadence's goes too, since
 * until exec the child runs in cadence's memory (vfork). */
static void child_signals(void)
{
	static const int to_default[] = { SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP,
					  SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM };
	struct sigaction dfl, old;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &old))
			continue;
		int reset = old.sa_handler != SIG_IGN && old.sa_handler != SIG_DFL;
		for (size_t i = 0; !reset && i < sizeof(to_default) / sizeof(*to_default); i++)
			reset = sig == to_default[i];
		if (reset)
			sigaction(sig, &dfl, NULL);
	}
}

static int exec_note(const child_args *a)
{
	int denied = 0;
	if (!a->paths) {
		execve(a->argv[0], a->argv, a->envp);
		return errno;
	}
	/* as execvp(): on through PATH past a missing file or a denied one */
	for (const char *p = a->paths; *p; p += strlen(p) + 1) {
		execve(p, a->argv, a->envp);
		if (errno == EACCES)
			denied = 1;
		else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE &&
			 errno != ENODEV && errno != ETIMEDOUT)
			return errno;
	}
	return denied ? EACCES : ENOENT;
}

/* In the child of vfork(), until exec: async-signal-safe calls only, and no
 * write to memory (it is cadence's) but the stack below. */
static _Noreturn void child_main(const child_args *a)
{
	sigset_t none;
	int e;

	child_signals();
	setpgid(0, 0);
	/* SIGKILL when cadence's thread ends; if cadence ended before the
	 * request took effect, the note's parent is already someone else */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != a->parent)
		_exit(127);
	for (int i = 0; i < 3; i++)	/* every a->fd is above 2 */
		if (dup2(a->fd[i], i) < 0)
			goto fail;
	if (a->report != 3 && dup3(a->report, 3, O_CLOEXEC) < 0)
		goto fail;
	(void)close_from(4);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	e = exec_note(a);
	(void)!write(3, &e, sizeof(e));
	_exit(127);
fail:
	e = errno;
	(void)!write(a->report, &e, sizeof(e));
	_exit(127);
}

/* Only the arguments live across vfork(), and they are not written. */
static pid_t vfork_child(const child_args *a)
{
	pid_t pid = vfork();
	if (pid == 0)
		child_main(a);
	return pid;
}

/* The paths execvp() would try for `file`, in the order of cadence's PATH
 * (posix_spawnp's): made here, since the child cannot allocate. */
static char *search_list(const char *file)
{
	const char *path = getenv("PATH");
	strbuf sb = STRBUF_INIT;
	if (!path)
		path = "/bin:/usr/bin";
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n) {
			cad_strbuf_add(&sb, p, n);
			cad_strbuf_addc(&sb, '/');
		}
		cad_strbuf_adds(&sb, file);	/* an empty entry: the current directory */
		cad_strbuf_addc(&sb, '\0');
		if (!end)
			break;
		p = end;
	}
	cad_strbuf_addc(&sb, '\0');
	return cad_strbuf_detach(&sb);
}

static void close_child_fds(rproc *p)
{
	for (int i = 0; i < 3; i++)
		close_fd(&p->child_fd[i]);
	close_fd(&p->report[0]);
	close_fd(&p->report[1]);
}

int cad_rproc_open(rproc *p)
{
	int in[2], out[2], err[2], e;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->reaped = 1;	/* until it starts: nothing to wait for */
	p->pidfd = p->fd_in = p->fd_out = p->fd_err = -1;
	p->report[0] = p->report[1] = -1;
	for (int i = 0; i < 3; i++)
		p->child_fd[i] = -1;
	if ((e = pipe_above_2(in, 0)))
		return e;
	p->child_fd[0] = in[0];
	p->fd_in = in[1];
	if ((e = pipe_above_2(out, 0)))
		goto fail;
	p->fd_out = out[0];
	p->child_fd[1] = out[1];
	if ((e = pipe_above_2(err, 0)))
		goto fail;
	p->fd_err = err[0];
	p->child_fd[2] = err[1];
	/* non-blocking: see exec_result() */
	if ((e = pipe_above_2(p->report, O_NONBLOCK)))
		goto fail;
	return 0;
fail:
	cad_rproc_close(p);
	return e;
}

/* The score goes into the pipe before the note starts, as much as the pipe
 * holds (64 KiB on Linux): while we hold the read end no write can raise
 * SIGPIPE, and most scores need no more writing. */
static void prefill(rproc *p, const rproc_spec *s)
{
	set_nonblock(p->fd_in);
	p->input = s->input;
	p->input_len = s->input_len;
	while (p->input_off < p->input_len) {
		ssize_t n = write(p->fd_in, p->input + p->input_off, p->input_len - p->input_off);
		if (n > 0)
			p->input_off += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
}

/* After vfork(): 0 when the exec happened, else the child's errno (the
 * child is reaped).  vfork() returns once the child exec'd or wrote its
 * errno and exited, so the report is in the pipe or never comes: the read
 * does not wait (O_NONBLOCK; EAGAIN: the exec happened).  Waiting for EOF would also wait for every process that
 * another thread forked meanwhile (a C note, the host program), since each
 * holds a copy of the write end until it execs or exits. */
static int exec_result(rproc *p, pid_t pid)
{
	int e = 0;
	ssize_t n;
	close_fd(&p->report[1]);
	while ((n = read(p->report[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close_fd(&p->report[0]);
	if (n != (ssize_t)sizeof(e))
		return 0;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return e ? e : ECHILD;
}

int cad_rproc_start(rproc *p, const rproc_spec *s)
{
	child_args a = { s->argv, s->envp, NULL, p->child_fd, p->report[1], getpid() };
	sigset_t all, old;
	pid_t pid;
	int rc;

	prefill(p, s);
	if (!strchr(s->argv[0], '/') && !(a.paths = search_list(s->argv[0]))) {
		rc = ENOMEM;
		goto fail;
	}
	/* no handler of cadence's may run in the child, in cadence's memory,
	 * before it has put them back to default */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pid = vfork_child(&a);
	rc = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free((char *)a.paths);
	if (pid < 0 || (rc = exec_result(p, pid)))
		goto fail;
	close_child_fds(p);
	p->pid = pid;
	p->reaped = 0;
	p->guard = s->guard;
	guard_add(p->guard, pid);
	set_nonblock(p->fd_out);
	set_nonblock(p->fd_err);
	p->pidfd = pidfd_for(p->pid);
	p->max_output = s->max_output;
	p->on_line = s->on_line;
	p->line_ctx = s->line_ctx;
	if (p->input_off == p->input_len)
		close_fd(&p->fd_in);	/* all of it in the pipe: EOF after it */
	if (p->pidfd < 0)
		p->next_check = cad_rproc_now() + EXIT_POLL_NS;
	return 0;

fail:
	p->input = NULL;
	p->input_len = p->input_off = 0;
	cad_rproc_close(p);
	return rc;
}

size_t cad_rproc_fds(const rproc *p, struct pollfd *fds)
{
	size_t n = 0;
	if (p->fd_in >= 0)
		fds[n++] = (struct pollfd){ .fd = p->fd_in, .events = POLLOUT };
	if (p->fd_out >= 0)
		fds[n++] = (struct pollfd){ .fd = p->fd_out, .events = POLLIN };
	if (p->fd_err >= 0)
		fds[n++] = (struct pollfd){ .fd = p->fd_err, .events = POLLIN };
	if (p->pidfd >= 0)
		fds[n++] = (struct pollfd){ .fd = p->pidfd, .events = POLLIN };
	return n;
}

/* write() without dying of SIGPIPE when the note does not read its input:
 * SIGPIPE is blocked for this thread during the call, and one raised by
 * it is consumed (the library must not change the process's signal
 * dispositions). */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	int was_pending;
	ssize_t n;
	int e;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	e = errno;
	if (n < 0 && e == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return n;
}

static void feed(rproc *p)
{
	while (p->fd_in >= 0 && p->input_off < p->input_len) {
		ssize_t n = write_nosigpipe(p->fd_in, p->input + p->input_off,
					    p->input_len - p->input_off);
		if (n > 0) {
			p->input_off += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			return;
		} else {
			break;	/* EPIPE: the note does not read its input */
		}
	}
	close_fd(&p->fd_in);
}

static void keep_tail(rproc *p, const char *s, size_t n)
{
	if (n >= RPROC_TAIL) {
		memcpy(p->tail, s + n - RPROC_TAIL, RPROC_TAIL);
		p->tail_len = RPROC_TAIL;
		return;
	}
	if (p->tail_len + n > RPROC_TAIL) {
		size_t drop = p->tail_len + n - RPROC_TAIL;
		memmove(p->tail, p->tail + drop, p->tail_len - drop);
		p->tail_len -= drop;
	}
	memcpy(p->tail + p->tail_len, s, n);
	p->tail_len += n;
}

static void flush_line(rproc *p)
{
	size_t n = p->line_len;
	if (n && p->line[n - 1] == '\r')
		n--;
	if (p->on_line)
		p->on_line(p->line_ctx, p->line, n);
	p->line_len = 0;
}

/* Returns the number of lines it logged. */
static size_t got_stderr(rproc *p, const char *s, size_t n)
{
	size_t lines = 0;
	keep_tail(p, s, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			flush_line(p);
			lines++;
			continue;
		}
		if (p->line_len == sizeof(p->line))
			flush_line(p);	/* a very long line comes in pieces */
		p->line[p->line_len++] = s[i];
	}
	return lines;
}

/* Reads what the note wrote, at most DRAIN_READS buffers a call, and of
 * stderr at most about DRAIN_LINES lines (each one is logged, a write of
 * its own: 16 reads of "y\n" lines were 130,000 of them, two seconds): a
 * note that writes faster than the log is written (`yes >&2`) must not
 * keep the run from its timeouts, its cancel and its other notes (issue
 * 14, probe); what is left is read when poll() comes back. */
#define DRAIN_READS 16
#define DRAIN_LINES 2048
#define DRAIN_ERR_READ 4096	/* at most 2,048 lines a read */

static void drain(rproc *p, int *fd, int is_out)
{
	char buf[16384];
	size_t lines = 0;
	for (int reads = 0; reads < DRAIN_READS && lines < DRAIN_LINES; reads++) {
		ssize_t n = read(*fd, buf, is_out ? sizeof(buf) : DRAIN_ERR_READ);
		if (n > 0) {
			if (!is_out) {
				lines += got_stderr(p, buf, (size_t)n);
			} else if (p->out.len + (size_t)n > p->max_output) {
				/* the output is already wrong: stop the note */
				cad_rproc_stop(p, RPROC_OVERFLOW, 0, 0);
				close_fd(fd);
				return;
			} else {
				cad_strbuf_add(&p->out, buf, (size_t)n);
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		goto end;	/* EOF or an error */
	}
	return;		/* more to read: poll() says so again */
end:
	if (!is_out && p->line_len)
		flush_line(p);
	close_fd(fd);
}

/* The leader exited: whatever it left in its group goes too (nothing may
 * survive a note, and a leftover holding stdout would keep us waiting).
 * The zombie still holds the group's id, so the kill cannot hit an
 * unrelated group. */
static void leader_exited(rproc *p)
{
	p->exited = 1;
	p->drain_until = cad_rproc_now() + DRAIN_NS;
	kill(-p->pid, SIGKILL);
	close_fd(&p->pidfd);
}

void cad_rproc_io(rproc *p, const struct pollfd *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == p->fd_in)
			feed(p);
		else if (fds[i].fd == p->fd_out)
			drain(p, &p->fd_out, 1);
		else if (fds[i].fd == p->fd_err)
			drain(p, &p->fd_err, 0);
		else if (fds[i].fd == p->pidfd)
			leader_exited(p);
	}
}

static int exited_nowait(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return errno == ECHILD;
	return si.si_pid == pid;
}

void cad_rproc_tick(rproc *p, int64_t now)
{
	if (p->reaped)
		return;
	if (p->stop == 1 && now >= p->kill_at) {
		kill(-p->pid, SIGKILL);
		p->stop = 2;
	}
	if (!p->exited && p->pidfd < 0 && now >= p->next_check) {
		if (exited_nowait(p->pid))
			leader_exited(p);
		else
			p->next_check = now + EXIT_POLL_NS;
	}
	if (p->exited && now >= p->drain_until) {
		if (p->fd_out >= 0)
			drain(p, &p->fd_out, 1);
		if (p->fd_err >= 0)
			drain(p, &p->fd_err, 0);
		if (p->fd_err >= 0 && p->line_len)
			flush_line(p);	/* cut off: its last line still goes to the log */
		close_fd(&p->fd_out);
		close_fd(&p->fd_err);
	}
}

int64_t cad_rproc_next_tick(const rproc *p)
{
	int64_t t = -1;
	if (p->reaped)
		return -1;
	if (p->stop == 1)
		t = p->kill_at;
	if (!p->exited && p->pidfd < 0 && (t < 0 || p->next_check < t))
		t = p->next_check;
	if (p->exited && (p->fd_out >= 0 || p->fd_err >= 0) && (t < 0 || p->drain_until < t))
		t = p->drain_until;
	return t;
}

void cad_rproc_stop(rproc *p, enum rproc_why why, int64_t now, int64_t grace_ns)
{
	if (p->reaped || p->stop == 2)
		return;
	if (p->why == RPROC_RUNNING)
		p->why = why;
	if (grace_ns <= 0 || p->stop == 1) {
		if (grace_ns <= 0) {
			kill(-p->pid, SIGKILL);
			p->stop = 2;
		}
		return;
	}
	kill(-p->pid, SIGTERM);
	p->stop = 1;
	p->kill_at = cad_sat_add(now, grace_ns);
}

int cad_rproc_done(rproc *p)
{
	if (p->reaped)
		return 1;
	if (!p->exited || p->fd_out >= 0 || p->fd_err >= 0)
		return 0;
	close_fd(&p->fd_in);
	guard_remove(p->guard, p->pid);
	while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
		;
	p->reaped = 1;
	return 1;
}

void cad_rproc_close(rproc *p)
{
	if (!p->reaped && p->pid > 0) {
		kill(-p->pid, SIGKILL);
		guard_remove(p->guard, p->pid);
		while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
			;
		p->reaped = 1;
	}
	close_fd(&p->fd_in);
	close_fd(&p->fd_out);
	close_fd(&p->fd_err);
	close_fd(&p->pidfd);
	close_child_fds(p);
	cad_strbuf_free(&p->out);
}

char *cad_rproc_stderr_tail(const rproc *p)
{
	size_t start = 0, n = p->tail_len;
	if (!n)
		return NULL;
	/* whole lines only when the tail was cut */
	if (n == RPROC_TAIL) {
		const char *nl = memchr(p->tail, '\n', n);
		if (nl)
			start = (size_t)(nl - p->tail) + 1;
	}
	while (n > start && (p->tail[n - 1] == '\n' || p->tail[n - 1] == '\r'))
		n--;
	if (n <= start)
		return NULL;
	/* UTF-8, as the log lines are; the tail may also begin inside a
	 * character */
	return cad_utf8_dup_valid(p->tail + start, n - start);
}

int cad_rproc_succeeded(const rproc *p)
{
	return p->reaped && p->why == RPROC_RUNNING && WIFEXITED(p->status) &&
	       WEXITSTATUS(p->status) == 0;
}

void cad_rproc_describe(const rproc *p, strbuf *sb)
{
	if (WIFEXITED(p->status)) {
		cad_strbuf_addf(sb, "exited with status %d", WEXITSTATUS(p->status));
	} else if (WIFSIGNALED(p->status)) {
		int sig = WTERMSIG(p->status);
		const char *abbrev = sigabbrev_np(sig);
		cad_strbuf_addf(sb, "was killed by signal %d", sig);
		if (abbrev)
			cad_strbuf_addf(sb, " (SIG%s)", abbrev);
	} else {
		cad_strbuf_addf(sb, "ended with wait status %d", p->status);
	}
}
