/* SPDX-License-Identifier: MIT */
/* Processes for `run` notes.  Each runs in its own process group with the
 * score on stdin; stdout is collected up to a limit, stderr is split into
 * lines (for the log) and its tail kept (for the error).  Stopping sends
 * SIGTERM to the whole group, then SIGKILL after a grace period; when the
 * note's own process exits, whatever it left in its group is killed, so
 * nothing survives a note.  Every process is reaped; every descriptor is
 * close-on-exec in the parent and closed above 2 in the child.
 *
 * Nothing survives cadence either, however it ends (SIGKILL included): the
 * note's own process gets SIGKILL from the kernel when the thread that
 * started it ends (PR_SET_PDEATHSIG), and a guard process (rguard) kills
 * the groups of the notes still running once cadence is gone. */
#ifndef CADENCE_SRC_RUN_EXEC_H
#define CADENCE_SRC_RUN_EXEC_H

#include "util/strbuf.h"

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef void (*rproc_line_fn)(void *ctx, const char *line, size_t len);

/* The guard of a run's processes: a child process, in a group of its own
 * and deaf to the signals of a terminal, that reads a pipe only cadence
 * holds.  The pipe's end comes when cadence ends in any way; the guard then
 * sends SIGKILL to the process group of every note still running (a bit
 * per process id in memory shared with it) and exits.  At the end of a
 * run, cadence kills the guard itself. */
typedef struct rguard {
	pid_t pid;		/* 0: not started */
	int fd;			/* the write end of its pipe */
	volatile unsigned long *groups;	/* shared: [0] words in use, then bits */
} rguard;

#define RGUARD_INIT { 0, -1, NULL }

/* Starts the guard unless it runs: 0 or an errno value. */
int cad_rguard_start(rguard *g);
/* Stops it (nothing is left to kill) and releases it. */
void cad_rguard_end(rguard *g);

typedef struct rproc_spec {
	char *const *argv;	/* argv[0] with a '/' is a path, else looked up in PATH */
	char *const *envp;
	const char *input;	/* for stdin; borrowed until the process is done */
	size_t input_len;
	size_t max_output;	/* bytes of stdout */
	rproc_line_fn on_line;	/* each stderr line, without its newline */
	void *line_ctx;
	rguard *guard;		/* started; kills the note's group if cadence dies */
} rproc_spec;

enum { RPROC_TAIL = 2048, RPROC_LINE = 4096 };

enum rproc_why {
	RPROC_RUNNING,
	RPROC_TIMEOUT,
	RPROC_CANCEL,
	RPROC_OVERFLOW
};

typedef struct rproc {
	pid_t pid;
	int pidfd, fd_in, fd_out, fd_err;
	int child_fd[3];	/* until the start: the note's stdin, stdout, stderr */
	int report[2];		/* until the start: errno of a failed exec */
	rguard *guard;
	const char *input;
	size_t input_len, input_off;
	strbuf out;
	size_t max_output;
	rproc_line_fn on_line;
	void *line_ctx;
	char line[RPROC_LINE];
	size_t line_len;
	char tail[RPROC_TAIL];
	size_t tail_len;
	int exited;		/* the leader exited; not reaped yet */
	int reaped;
	int status;		/* waitpid status once reaped */
	int stop;		/* 0; 1 SIGTERM sent; 2 SIGKILL sent */
	int64_t kill_at;	/* mono ns for SIGKILL after SIGTERM */
	int64_t next_check;	/* without pidfd: when to look for the exit */
	int64_t drain_until;	/* after the exit: when to stop reading */
	enum rproc_why why;
} rproc;

/* Monotonic nanoseconds: the clock of every process deadline. */
int64_t cad_rproc_now(void);
/* Makes the descriptors of a process to be started, before its attempt
 * starts: 0, or an errno value (EMFILE, ENFILE: a caller may wait for a
 * running process to end and try again) with nothing left open.
 * cad_rproc_close() releases them when the process never starts. */
int cad_rproc_open(rproc *p);
/* Starts the process whose descriptors cad_rproc_open() made.  Returns 0,
 * or an errno value (ENOENT: no such executable) with nothing left to
 * clean up. */
int cad_rproc_start(rproc *p, const rproc_spec *s);
/* The most descriptors cad_rproc_fds() gives: stdin, stdout, stderr, pidfd. */
#define RPROC_MAX_FDS 4
/* The descriptors to poll (at most RPROC_MAX_FDS); returns how many. */
size_t cad_rproc_fds(const rproc *p, struct pollfd *fds);
/* Handles the results of poll() for the descriptors cad_rproc_fds() gave. */
void cad_rproc_io(rproc *p, const struct pollfd *fds, size_t n);
/* Time-driven work: SIGKILL after the grace period; checking for the exit
 * where pidfd is unavailable.  `now` is monotonic nanoseconds. */
void cad_rproc_tick(rproc *p, int64_t now);
/* When cad_rproc_tick() next has work, or -1. */
int64_t cad_rproc_next_tick(const rproc *p);
/* SIGTERM to the group now, SIGKILL at now + grace (grace 0: SIGKILL now). */
void cad_rproc_stop(rproc *p, enum rproc_why why, int64_t now, int64_t grace_ns);
/* Non-zero once the process exited, its output is read and it is reaped. */
int cad_rproc_done(rproc *p);
/* Releases everything; a process still running is killed (with its group)
 * and reaped first. */
void cad_rproc_close(rproc *p);
/* The last lines of stderr, NUL-terminated in a new string (NULL when
 * empty or out of memory). */
char *cad_rproc_stderr_tail(const rproc *p);
/* How the process ended, e.g. "exited with status 3", "was killed by
 * signal 11 (SIGSEGV)". */
void cad_rproc_describe(const rproc *p, strbuf *sb);
int cad_rproc_succeeded(const rproc *p);
/* Describes an errno value of cad_rproc_start() (thread-safe strerror). */
void cad_rproc_strerror(int e, strbuf *sb);

#endif
