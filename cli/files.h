/* SPDX-License-Identifier: MIT */
/* Finding cadence files and reading inputs for the CLI. */
#ifndef CADENCE_CLI_FILES_H
#define CADENCE_CLI_FILES_H

#include <cadence/check.h>
#include <cadence/diag.h>

#include <stddef.h>
#include <stdio.h>

typedef struct file_list {
	char **paths;
	size_t count, cap;
} file_list;

void file_list_free(file_list *l);

/* Appends every regular *.cadence.yaml below dir (hidden entries
 * skipped, symlinked directories not followed, FIFOs and devices skipped
 * so a walk cannot block), sorted.  A dangling *.cadence.yaml symlink is
 * appended too, so its loader reports it.  A symbolic link to a file
 * outside dir is skipped, with a note on stderr, unless allow_outside.
 * Returns 0, or -1 with errno set and, unless out of memory, the path
 * that could not be listed in *failed (malloc'd). */
int files_find(file_list *l, const char *dir, int allow_outside, char **failed);
int file_list_add(file_list *l, const char *path);

/* Drops the paths l->paths[from..] (found below dir by files_find()) that
 * a glob of `patterns` excludes (docs/cli.md, "Excluding paths"): one
 * that matches the path relative to dir, or one of its leading
 * directories, by fnmatch(3) with '*' crossing '/'.  Returns how many. */
size_t files_exclude(file_list *l, size_t from, const char *dir, const file_list *patterns);

/* The project root (docs/cli.md, "The project root") of a path named on
 * the command line: a directory's, a file's (from its directory), or,
 * for "-", that of stdin_name.  Malloc'd; NULL with errno set. */
char *files_root(const char *path, int is_dir, const char *stdin_name);

struct cadence_project;
struct cadence_diags;
/* Before loading `path` (NULL: standard input) into the project: confines
 * its children to root, or to nothing with allow_outside; and a file that
 * is itself outside root (through a symbolic link) is reported as
 * outside-root, not read.  Returns 0 to go on and load it, 1 when it was
 * refused, or an exit code. */
int files_confine(struct cadence_project *project, const char *path, const char *root,
		  int allow_outside, struct cadence_diags *diags);

/* Does the name end in .cadence.yaml? */
int files_is_cadence(const char *name);

/* Reads all of `f` into a malloc'd buffer, but stops once more than
 * `limit` bytes are in (so *len > limit tells the caller it is too large
 * without reading an endless pipe).  Returns 0, or -1 with errno set. */
int files_read_stream(FILE *f, size_t limit, char **out, size_t *len);

/* Would writing the output `out` replace the file `other` (an input, or
 * another output): one regular file under two names (links included),
 * or one path to be made?  Devices, FIFOs and descriptors never are: they
 * are written in place (issue 14, probe: `--metrics CADENCE_FILE`). */
int files_same_output(const char *out, const char *other);

struct strbuf;
/* "cannot write the WHAT to 'PATH': WHY" + tail ("cannot write 'PATH'"
 * when `what` is NULL), where WHY is the reason of the output-path policy
 * (util/afile.h) in `why` when it has one, else strerror(e); frees `why`.
 * Returns `code`. */
int files_output_error(int code, const char *what, const char *path, int e, struct strbuf *why,
		       const char *tail);

/* An -o OUT given on the command line, checked before anything is done:
 * 0 for none or "-" (standard output); an empty path or one the output
 * policy refuses (util/afile.h) is a usage error, said as
 * files_output_error() says it ("cannot write the WHAT to 'OUT': WHY"
 * + tail).  Returns 0 or the exit status. */
int files_output_check(const char *out, const char *what, const char *tail);
/* data[0, len) to OUT ("-" or NULL: standard output) through a temporary
 * file renamed into place; a failure is said (WHAT, tail) and is
 * CLI_EXIT_INTERNAL.  Returns 0 or the exit status. */
int files_output_write(const char *out, const char *what, const char *data, size_t len,
		       const char *tail);
/* Checks every cadence of the project, the children found on the way too
 * (the count grows while the loop runs): what validate, diagram and run
 * share.  0, or the exit status after "out of memory while checking". */
int files_check_all(struct cadence_project *project, const cadence_check_opts *opts,
		    cadence_diags *diags);
/* Standard input could not be read (errno says why): the usage error
 * every command that reads a cadence from '-' gives.  Returns 2. */
int files_stdin_error(void);

/* Loads PATH (or standard input, "-", named stdin_name: --stdin-filename,
 * NULL for "<stdin>"; its root and children are found beside that name,
 * as validate finds them) into `project` and checks it with
 * every child it uses (structure, names, references, children, policies,
 * schedule: not the data flow nor `run` executables); the cadence in *def,
 * or an exit code after the diagnostics and "'PATH' has problems; fix them
 * (see above) PURPOSE".  `command` names the command in messages. */
int files_load_checked(struct cadence_project *project, const char *path,
		       const char *stdin_name, int allow_outside,
		       cadence_diags *diags, const cadence_def **def, const char *command,
		       const char *purpose);
/* Sorts diags and writes them to `out` in `fmt`, coloured as `color`
 * (--color; NULL: auto) says for `out`; files_checked > 0 adds the count
 * line to text.  Returns what cadence_diags_write() returns. */
int files_write_diags(cadence_diags *diags, FILE *out, cadence_diag_format fmt,
		      const char *color, size_t files_checked);

/* A cadence named on the command line (a file, or a name of the project's:
 * cli_config_resolve()), loaded and checked as files_load_checked() does
 * (`cmd`, `purpose` for its messages), then fn(ctx, path, def).  Returns
 * an exit code: fn's, or why the cadence was not loaded. */
int files_with_cadence(const char *arg, int allow_outside, const char *cmd, const char *purpose,
		       int (*fn)(void *ctx, const char *path, const cadence_def *def), void *ctx);

#endif
