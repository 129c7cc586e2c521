/* SPDX-License-Identifier: MIT */
/* `run` notes: real processes.  Output contract, every bad output, exit
 * codes and signals, timeouts that kill the whole process group, SIGKILL
 * after the grace period, no zombies, no leaked descriptors, cancel. */
#include "run_fixture.h"
#include "run/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <pthread.h>
#include <time.h>

static fx f;

static void setup(void)
{
	fx_init(&f);
}

static void teardown(void)
{
	fx_free(&f);
}

TestSuite(exec, .init = setup, .fini = teardown);

/* A cadence of one `run` note: sh -c SCRIPT, with extra note keys. */
static void load_sh(const char *script, const char *extra)
{
	char text[4096];
	snprintf(text, sizeof(text),
		 "cadence: procs\n"
		 "score:\n"
		 "  a: {type: string, default: ''}\n"
		 "  n: {type: integer, default: 0}\n"
		 "  big: {type: string, default: ''}\n"
		 "  currency: {type: string, default: EUR, immutable: true}\n"
		 "notes:\n"
		 "  step:\n"
		 "    run: [sh, -c, '%s']\n"
		 "%s"
		 "measures:\n"
		 "  - then: step\n",
		 script, extra ? extra : "");
	fx_load(&f, text);
}

static int no_children_left(void)
{
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

Test(exec, stdout_object_changes_the_score)
{
	load_sh("echo \"{\\\"a\\\": \\\"hello\\\", \\\"n\\\": 4}\"", NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"hello\"");
	assert_field(&f, "n", "4");
	cr_assert(no_children_left());
}

Test(exec, empty_output_changes_nothing)
{
	load_sh("true", NULL);
	cr_assert_eq(fx_run(&f, "{\"a\": \"kept\"}"), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"kept\"");
}

Test(exec, the_score_arrives_on_stdin)
{
	/* cat echoes the whole score: nothing changed, nothing to check */
	load_sh("cat", NULL);
	cr_assert_eq(fx_run(&f, "{\"a\": \"x\", \"n\": 2}"), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"x\"");
}

Test(exec, a_score_larger_than_a_pipe_is_written_and_read_back)
{
	load_sh("cat", NULL);
	char *in = malloc(300000);
	strcpy(in, "{\"big\": \"");
	memset(in + 9, 'x', 250000);
	strcpy(in + 9 + 250000, "\"}");
	cr_assert_eq(fx_run(&f, in), 0, "%s", f.err.message);
	cr_assert_eq(strlen(cJSON_GetObjectItemCaseSensitive(f.out, "big")->valuestring), 250000);
	/* a note that never reads its input does not kill us with SIGPIPE */
	cadence_runner_free(f.r);
	cadence_project_free(f.project);
	f.r = NULL;
	f.project = NULL;
	load_sh("exec 0<&-; echo {}", NULL);
	cr_assert_eq(fx_run(&f, in), 0, "%s", f.err.message);
	free(in);
}

Test(exec, environment_tells_the_note_where_it_runs)
{
	load_sh("printf \"{\\\"a\\\": \\\"%s %s %s %s/%s %s\\\"}\" \"$CADENCE_CADENCE\" "
		"\"$CADENCE_NOTE\" \"$CADENCE_MEASURE\" \"$CADENCE_ATTEMPT\" \"$CADENCE_ATTEMPTS\" "
		"\"${#CADENCE_RUN_ID}\"", "    retry: {attempts: 2}\n");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"procs step step 1/2 16\"");
}

Test(exec, cadence_dir_and_relative_executables)
{
	fx_write(&f, "note.sh", "#!/bin/sh\necho \"{\\\"a\\\": \\\"$CADENCE_DIR\\\"}\"\n", 1);
	fx_load(&f, "cadence: rel\nscore:\n  a: {type: string, default: ''}\n"
		"notes:\n  n: {run: [./note.sh]}\nmeasures:\n  - then: n\n");
	cr_assert_eq(chdir("/"), 0);	/* resolved against the file, not the cwd */
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	char want[128];
	snprintf(want, sizeof(want), "\"%s\"", f.dir);
	assert_field(&f, "a", want);
}

Test(exec, stderr_goes_to_the_log_line_by_line)
{
	load_sh("echo one >&2; printf \"two\\nthree\" >&2", NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	cr_assert(events_have(&f, "log step step#1 one\nlog step step#1 two\nlog step step#1 three\n"),
		  "%s", f.events.buf);
}

/* ---- every bad ending, each naming the note ---------------------------------------- */

Test(exec, exit_status_with_the_tail_of_stderr)
{
	load_sh("echo first >&2; echo \"card declined\" >&2; exit 3", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "procs: note 'step': it exited with status 3",
		     "its stderr ended with:\n  | first\n  | card declined");
	cr_assert_str_eq(f.err.stderr_tail, "first\ncard declined");
	cr_assert(no_children_left());
}

Test(exec, output_too_large)
{
	f.opts.max_output = 1000;
	load_sh("while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'step': it wrote more than 1000 bytes to stdout");
	cr_assert(no_children_left());
}

Test(exec, output_not_json)
{
	load_sh("echo \"status: ok\"", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'step': its output is not JSON at line 1, column 1 near 'status: ok'");
}

Test(exec, output_not_utf8)
{
	/* Latin-1 in a string: refused, not copied into the score */
	load_sh("printf \"{\\\"a\\\": \\\"caf\\\\351 cr\\\\350me\\\"}\"", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'step': its output is not UTF-8: byte 0xE9 at line 1, column 11 "
		     "near '? cr?me\"}'; JSON text must be UTF-8 (convert it, e.g. with iconv -f "
		     "LATIN1 -t UTF-8)");
}

Test(exec, stderr_lines_and_tail_made_utf8)
{
	/* a byte that is not UTF-8 becomes U+FFFD in the log and the tail */
	load_sh("printf \"caf\\\\351\\\\n\" >&2; exit 1", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	cr_assert_str_eq(f.err.stderr_tail, "caf\xEF\xBF\xBD");
}

Test(exec, output_trailing_garbage)
{
	load_sh("echo \"{} {}\"", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'step': its output has more after the JSON value at line 1, column 4");
}

Test(exec, output_not_an_object)
{
	load_sh("echo \"[1, 2]\"", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'step': its output must be a JSON object of the fields it changes, "
		     "not an array");
}

Test(exec, crash_by_signal)
{
	load_sh("kill -SEGV $$", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'step': it was killed by signal 11 (SIGSEGV)");
}

Test(exec, missing_executable)
{
	fx_load(&f, "cadence: gone\nnotes:\n  n: {run: [./no-such-note.sh]}\n"
		"  m: {run: [no-such-program-anywhere]}\nmeasures:\n  - then: n\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	char want[256];
	snprintf(want, sizeof(want), "gone: note 'n': cannot run './no-such-note.sh': "
		 "No such file or directory (looked for %s/./no-such-note.sh)", f.dir);
	cr_assert_str_eq(f.err.message, want);
}

Test(exec, missing_program_in_path)
{
	fx_load(&f, "cadence: gone\nnotes:\n  m: {run: [no-such-program-anywhere]}\n"
		"measures:\n  - then: m\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'm': cannot run 'no-such-program-anywhere': No such file or "
		     "directory (not found in PATH)");
}

Test(exec, output_changes_are_checked_like_any_note)
{
	load_sh("echo \"{\\\"currency\\\": \\\"USD\\\"}\"", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'step': it changed immutable field 'currency'");
}

Test(exec, control_keys_skip_and_interrupt)
{
	load_sh("echo \"{\\\"a\\\": \\\"x\\\", \\\"\\$skip\\\": true}\"", NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"\"");
	cr_assert(events_have(&f, "note_end step step#1 skipped"), "%s", f.events.buf);
	cadence_runner_free(f.r);
	cadence_project_free(f.project);
	f.r = NULL;
	f.project = NULL;
	load_sh("echo \"{\\\"\\$bogus\\\": true}\"", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "unknown control key '$bogus' (known: $skip, $interrupt)");
}

Test(exec, interrupt_from_a_process)
{
	fx_load(&f, "cadence: early\nscore:\n  a: {type: string, default: ''}\nnotes:\n"
		"  stop: {run: [sh, -c, 'echo \"{\\\"a\\\": \\\"stopped\\\", \\\"\\$interrupt\\\": true}\"']}\n"
		"  never: {run: [sh, -c, 'echo \"{\\\"a\\\": \\\"ran\\\"}\"']}\n"
		"measures:\n  - then: stop\n  - then: never\n");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"stopped\"");
}

/* ---- timeouts, process groups, SIGKILL --------------------------------------------------- */

Test(exec, timeout_kills_the_note_and_its_grandchild)
{
	/* the note starts a grandchild (which ignores nothing), writes its pid
	 * and waits; after the timeout neither may be left */
	load_sh("sleep 30 & echo $! > \"$CADENCE_DIR/grandchild\"; echo $$ > \"$CADENCE_DIR/child\"; wait",
		"    timeout: 300ms\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'step': it timed out after 300 ms and was stopped");
	long gc = read_number(&f, "grandchild"), c = read_number(&f, "child");
	cr_assert_gt(gc, 0);
	cr_assert_gt(c, 0);
	cr_assert(gone((pid_t)gc), "grandchild %ld survived", gc);
	cr_assert(gone((pid_t)c), "child %ld survived", c);
	cr_assert(no_children_left());
}

Test(exec, a_note_that_traps_sigterm_gets_sigkill_after_the_grace)
{
	f.opts.kill_grace_ms = 100;
	load_sh("trap \"\" TERM; echo $$ > \"$CADENCE_DIR/child\"; "
		"while :; do sleep 1; done", "    timeout: 200ms\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "timed out after 200 ms");
	long c = read_number(&f, "child");
	cr_assert_gt(c, 0);
	cr_assert(gone((pid_t)c), "the note survived SIGKILL");
	cr_assert(no_children_left());
}

Test(exec, leftovers_of_a_finished_note_are_killed)
{
	/* exits at once, leaving a background process in its group that
	 * holds stdout open: the run neither waits for it nor leaves it */
	load_sh("sleep 30 & echo $! > \"$CADENCE_DIR/grandchild\"; echo {}", NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	long gc = read_number(&f, "grandchild");
	cr_assert_gt(gc, 0);
	cr_assert(gone((pid_t)gc), "leftover %ld survived", gc);
}

/* ---- descriptors and zombies ------------------------------------------------------------ */

Test(exec, no_descriptor_leaks_into_notes_or_out_of_runs)
{
	/* a descriptor of the embedding program, not close-on-exec */
	int stray = open("/dev/null", O_RDONLY);
	cr_assert_geq(stray, 3);
	load_sh("n=$(ls /proc/self/fd | wc -l); echo \"{\\\"n\\\": $n}\"", NULL);
	int before = open_fds();
	for (int i = 0; i < 5; i++)
		cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	/* ls sees 0, 1, 2 and its own directory descriptor */
	assert_field(&f, "n", "4");
	cr_assert_eq(open_fds(), before, "descriptors leaked: %d before, %d after", before,
		     open_fds());
	cr_assert(no_children_left());
	close(stray);
}

Test(exec, failures_leak_nothing_either)
{
	static const char *const scripts[] = {
		"exit 1", "echo nope", "kill -KILL $$", "sleep 5",
	};
	int before = -1;
	for (size_t i = 0; i < sizeof(scripts) / sizeof(*scripts); i++) {
		load_sh(scripts[i], "    timeout: 100ms\n");
		if (before < 0)
			before = open_fds();
		cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED, "%s", scripts[i]);
		cadence_runner_free(f.r);
		cadence_project_free(f.project);
		f.r = NULL;
		f.project = NULL;
		cr_assert(no_children_left(), "%s", scripts[i]);
	}
	fx_load(&f, "cadence: gone\nnotes:\n  n: {run: [./missing]}\nmeasures:\n  - then: n\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	cr_assert_eq(open_fds(), before, "descriptors leaked");
}

/* A process forked by another thread of the program (a C note, the host)
 * while a note starts holds a copy of every descriptor open then, the
 * pipe that reports a failed exec included: the start must not wait for
 * that process to end.  The holder here ends when the test closes `gate`
 * (or ends); before the fix, the start waited for it, and the test for
 * ctest's TIMEOUT. */
static pid_t fork_holder(int gate[2])
{
	cr_assert_eq(pipe(gate), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(gate[1]);
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	cr_assert_gt(pid, 0);
	close(gate[0]);
	return pid;
}

static int start_beside_holder(char *const argv[])
{
	char *const envp[] = { NULL };
	rproc_spec spec = { .argv = argv, .envp = envp, .max_output = 1024 };
	rproc p;
	int gate[2];
	cr_assert_eq(cad_rproc_open(&p), 0);
	pid_t holder = fork_holder(gate);
	int e = cad_rproc_start(&p, &spec);
	close(gate[1]);
	cr_assert_eq(waitpid(holder, NULL, 0), holder);
	while (!e && !cad_rproc_done(&p)) {
		struct pollfd fds[4];
		size_t n = cad_rproc_fds(&p, fds);
		poll(fds, n, 10);	/* the ticks at least every 10 ms */
		cad_rproc_io(&p, fds, n);
		cad_rproc_tick(&p, cad_rproc_now());
	}
	if (!e)
		cr_assert(cad_rproc_succeeded(&p));
	cad_rproc_close(&p);
	return e;
}

Test(exec, a_process_forked_meanwhile_does_not_hold_up_the_start)
{
	char *const ok[] = { "/bin/sh", "-c", "exit 0", NULL };
	char *const missing[] = { "/no/such/program", NULL };
	cr_assert_eq(start_beside_holder(ok), 0);
	cr_assert_eq(start_beside_holder(missing), ENOENT);
	cr_assert(no_children_left());
}

/* ---- sync of processes, cancel ------------------------------------------------------------ */

static const char rendezvous[] =
	"cadence: meet\n"
	"score:\n"
	"  a: {type: string, default: ''}\n"
	"  b: {type: string, default: ''}\n"
	"notes:\n"
	"  x:\n"
	"    run: [sh, -c, 'touch \"$CADENCE_DIR/x\"; while [ ! -e \"$CADENCE_DIR/y\" ]; do sleep 0.01; done; echo \"{\\\"a\\\": \\\"x\\\"}\"']\n"
	"    timeout: 20s\n"
	"  y:\n"
	"    run: [sh, -c, 'touch \"$CADENCE_DIR/y\"; while [ ! -e \"$CADENCE_DIR/x\" ]; do sleep 0.01; done; echo \"{\\\"b\\\": \\\"y\\\"}\"']\n"
	"    timeout: 20s\n"
	"measures:\n"
	"  - sync: both\n"
	"    notes: [x, y]\n";

Test(exec, sync_runs_processes_at_the_same_time)
{
	/* each note waits for the other to start: only concurrency ends it */
	fx_load(&f, rendezvous);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"x\"");
	assert_field(&f, "b", "\"y\"");
	cr_assert(no_children_left());
}

Test(exec, a_failing_note_stops_the_rest_of_its_sync)
{
	fx_load(&f, "cadence: stopper\nnotes:\n"
		"  slow: {run: [sh, -c, 'echo $$ > \"$CADENCE_DIR/slow\"; sleep 30']}\n"
		"  bad: {run: [sh, -c, 'while [ ! -e \"$CADENCE_DIR/slow\" ]; do sleep 0.01; done; exit 4']}\n"
		"measures:\n  - sync: both\n    notes: [slow, bad]\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "stopper: sync 'both', note 'bad': it exited with status 4");
	cr_assert(gone((pid_t)read_number(&f, "slow")));
	cr_assert(no_children_left());
}

static void *cancel_later(void *arg)
{
	fx *fp = arg;
	char p[256];
	snprintf(p, sizeof(p), "%s/x", fp->dir);
	while (access(p, F_OK))
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	cadence_runner_cancel(fp->r);
	return NULL;
}

Test(exec, cancel_during_a_sync_leaves_no_process)
{
	fx_load(&f, "cadence: cancelme\nnotes:\n"
		"  x: {run: [sh, -c, 'sleep 30 & echo $! > \"$CADENCE_DIR/gx\"; touch \"$CADENCE_DIR/x\"; wait']}\n"
		"  y: {run: [sh, -c, 'echo $$ > \"$CADENCE_DIR/y\"; sleep 30']}\n"
		"measures:\n  - sync: both\n    notes: [x, y]\n");
	pthread_t t;
	pthread_create(&t, NULL, cancel_later, &f);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_ECANCELED);
	pthread_join(t, NULL);
	assert_error(&f, "cancelme: sync 'both': interrupted while note");
	cr_assert(gone((pid_t)read_number(&f, "gx")));
	cr_assert(gone((pid_t)read_number(&f, "y")));
	cr_assert(no_children_left());
	/* a cancelled runner stays cancelled */
	cr_assert_eq(fx_run(&f, NULL), CADENCE_ECANCELED);
}

/* A note writing stderr faster than its lines are logged (`yes >&2`): one
 * round of I/O logs a bounded number of lines, so that the run gets back
 * to its timeouts.  Each line is a write of the log: the 16 reads of one
 * round were 130,000 lines, two seconds, and a 200 ms timeout fired after
 * 2.4 s.  A full pipe (64 KiB, 32,768 lines) was read whole in one round. */
static void count_line(void *ctx, const char *line, size_t len)
{
	(void)line;
	(void)len;
	++*(size_t *)ctx;
}

Test(exec, one_round_of_io_logs_a_bounded_number_of_stderr_lines)
{
	char *const argv[] = { "sh", "-c", "yes >&2", NULL };
	char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	size_t lines = 0;
	rproc_spec spec = { .argv = argv, .envp = envp, .max_output = 1024,
			    .on_line = count_line, .line_ctx = &lines };
	rproc p;
	cr_assert_eq(cad_rproc_open(&p), 0);
	cr_assert_eq(cad_rproc_start(&p, &spec), 0);
	int queued = 0;
	while (queued < 60000) {	/* the pipe is (nearly) full */
		cr_assert_eq(ioctl(p.fd_err, FIONREAD, &queued), 0);
		if (queued < 60000)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	struct pollfd fds[RPROC_MAX_FDS];
	size_t n = cad_rproc_fds(&p, fds);
	for (size_t i = 0; i < n; i++)
		fds[i].revents = fds[i].fd == p.fd_err ? POLLIN : 0;
	cad_rproc_io(&p, fds, n);
	cr_assert_gt(lines, 0);
	cr_assert_leq(lines, 4096, "one round logged %zu lines", lines);
	cad_rproc_stop(&p, RPROC_CANCEL, cad_rproc_now(), 0);
	cad_rproc_close(&p);
}
