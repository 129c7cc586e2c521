/* SPDX-License-Identifier: MIT */
/* Processes for `run` notes; see exec.h. */

/* This file alone asks for GNU/Linux extensions: pipe2 (close-on-exec
 * pipes without a window for a concurrent fork), posix_spawn's closefrom
 * action (no descriptor of the embedding program leaks into notes),
 * pidfd_open (wait for an exit in poll()), waitid's WNOWAIT and
 * sigabbrev_np.  The rest of the library stays at POSIX 2008. */
#define _GNU_SOURCE

#include "run/exec.h"
#include "util/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define HAVE_SPAWN_CLOSEFROM 1
#endif

/* Without pidfd, how often to look for the exit of a process whose output
 * is still open (a grandchild holds it). */
#define EXIT_POLL_NS (5 * 1000000LL)
/* After the note's process exits (and its group is killed), how long its
 * output may take to reach EOF: only a process that left the group (setsid)
 * can hold it open longer, and it is not waited for. */
#define DRAIN_NS (500 * 1000000LL)

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

int cad_rproc_start(rproc *p, const rproc_spec *s)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t mask, def;
	int rc;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->pidfd = p->fd_in = p->fd_out = p->fd_err = -1;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		rc = errno;
		goto fail_pipes;
	}
	/* the input goes into the pipe before the note starts, as much as
	 * the pipe holds (64 KiB on Linux): while we hold the read end no
	 * write can raise SIGPIPE, and most scores need no more writing */
	set_nonblock(in[1]);
	p->input = s->input;
	p->input_len = s->input_len;
	while (p->input_off < p->input_len) {
		ssize_t n = write(in[1], p->input + p->input_off, p->input_len - p->input_off);
		if (n > 0)
			p->input_off += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	if ((rc = posix_spawn_file_actions_init(&fa)))
		goto fail_pipes;
	if ((rc = posix_spawnattr_init(&at))) {
		posix_spawn_file_actions_destroy(&fa);
		goto fail_pipes;
	}
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
#ifdef HAVE_SPAWN_CLOSEFROM
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	/* a process group of its own, no blocked signals, and the signals a
	 * caller may ignore (SIGPIPE, SIGINT under nohup...) back to default */
	sigemptyset(&mask);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGQUIT);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGUSR1);
	sigaddset(&def, SIGUSR2);
	sigaddset(&def, SIGALRM);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &mask);
	posix_spawnattr_setsigdefault(&at, &def);
	if (strchr(s->argv[0], '/'))
		rc = posix_spawn(&p->pid, s->argv[0], &fa, &at, s->argv, s->envp);
	else
		rc = posix_spawnp(&p->pid, s->argv[0], &fa, &at, s->argv, s->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc)
		goto fail_pipes;

	close(in[0]);
	close(out[1]);
	close(err[1]);
	p->fd_in = in[1];
	p->fd_out = out[0];
	p->fd_err = err[0];
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

fail_pipes:
	p->input = NULL;
	p->input_len = p->input_off = 0;
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&err[i]);
	}
	p->pid = -1;
	p->reaped = 1;
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

static void got_stderr(rproc *p, const char *s, size_t n)
{
	keep_tail(p, s, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			flush_line(p);
			continue;
		}
		if (p->line_len == sizeof(p->line))
			flush_line(p);	/* a very long line comes in pieces */
		p->line[p->line_len++] = s[i];
	}
}

static void drain(rproc *p, int *fd, int is_out)
{
	char buf[16384];
	for (;;) {
		ssize_t n = read(*fd, buf, sizeof(buf));
		if (n > 0) {
			if (!is_out) {
				got_stderr(p, buf, (size_t)n);
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
		break;		/* EOF or an error */
	}
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
	p->kill_at = now + grace_ns;
}

int cad_rproc_done(rproc *p)
{
	if (p->reaped)
		return 1;
	if (!p->exited || p->fd_out >= 0 || p->fd_err >= 0)
		return 0;
	close_fd(&p->fd_in);
	while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
		;
	p->reaped = 1;
	return 1;
}

void cad_rproc_close(rproc *p)
{
	if (!p->reaped && p->pid > 0) {
		kill(-p->pid, SIGKILL);
		while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
			;
		p->reaped = 1;
	}
	close_fd(&p->fd_in);
	close_fd(&p->fd_out);
	close_fd(&p->fd_err);
	close_fd(&p->pidfd);
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
