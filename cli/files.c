/* SPDX-License-Identifier: MIT */
/* realpath() */
#define _XOPEN_SOURCE 700

#include "files.h"
#include "config.h"
#include "cli.h"

#include <cadence/cadence.h>

#include "util/afile.h"
#include "util/grow.h"
#include "util/path.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void file_list_free(file_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->count = l->cap = 0;
}

int file_list_add(file_list *l, const char *path)
{
	if (CAD_GROW(l->paths, l->cap, l->count + 1, 16))
		return -1;
	if (!(l->paths[l->count] = strdup(path)))
		return -1;
	l->count++;
	return 0;
}

int files_is_cadence(const char *name)
{
	static const char suffix[] = ".cadence.yaml";
	size_t n = strlen(name), s = sizeof(suffix) - 1;
	return n > s && !strcmp(name + n - s, suffix);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int slash = dl && dir[dl - 1] == '/';
	char *p = malloc(dl + nl + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	if (!slash)
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}

/* Is the symbolic link `path` one to a file outside `tree` (a real path)?
 * Says so on stderr when it is. */
static int leads_out(const char *tree, const char *top, const char *path)
{
	int in = cad_path_inside(tree, path);
	if (in)
		return 0;	/* inside, or dangling: the loader says it cannot be read */
	cli_print_clean(stderr, "cadence: note: skipped '%s': a symbolic link to a file outside "
			"'%s' (pass --allow-outside-root to read it)\n", path, top);
	return 1;
}

/* The path that could not be listed or looked at, for the message. */
static int failed_at(char **failed, const char *path)
{
	int e = errno;
	if (!*failed)
		*failed = strdup(path);
	errno = e;
	return -1;
}

static int find_below(file_list *l, const char *dir, const char *tree, const char *top,
		      char **failed)
{
	DIR *d = opendir(dir);
	file_list names = { 0 };
	struct dirent *e;
	int rc = 0;

	if (!d)
		return failed_at(failed, dir);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (file_list_add(&names, e->d_name)) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	if (rc) {
		file_list_free(&names);
		return -1;
	}
	if (names.count)
		qsort(names.paths, names.count, sizeof(*names.paths), cmp_str);
	for (size_t i = 0; i < names.count && !rc; i++) {
		char *path = join(dir, names.paths[i]);
		struct stat st, lst;
		if (!path) {
			rc = -1;
			break;
		}
		int lfail = lstat(path, &lst);
		if (lfail && errno != ENOENT) {
			/* a path past PATH_MAX, say: not skipped in silence
			 * (issue 14, probe: "no *.cadence.yaml files") */
			rc = failed_at(failed, path);
		} else if (!lfail && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (!S_ISLNK(lst.st_mode))
					rc = find_below(l, path, tree, top, failed);
			} else if (S_ISREG(st.st_mode) && files_is_cadence(names.paths[i]) &&
				   !(tree && S_ISLNK(lst.st_mode) && leads_out(tree, top, path))) {
				rc = file_list_add(l, path);
			}
		} else if (files_is_cadence(names.paths[i])) {
			/* a dangling NAME.cadence.yaml is a problem to report, not
			 * a file to skip: the loader says it cannot be read */
			rc = file_list_add(l, path);
		}
		free(path);
	}
	file_list_free(&names);
	return rc;
}

int files_find(file_list *l, const char *dir, int allow_outside, char **failed)
{
	*failed = NULL;
	char *tree = allow_outside ? NULL : realpath(dir, NULL);
	if (!allow_outside && !tree)
		return failed_at(failed, dir);
	int rc = find_below(l, dir, tree, dir, failed);
	free(tree);
	return rc;
}

/* Whether a pattern matches rel or one of its leading directories. */
static int excluded(const char *rel, const file_list *patterns)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *end = buf + strlen(buf); end; end = strrchr(buf, '/')) {
		*end = '\0';	/* rel itself first, then each parent */
		for (size_t i = 0; i < patterns->count; i++)
			if (!fnmatch(patterns->paths[i], buf, 0))
				return 1;
	}
	return 0;
}

size_t files_exclude(file_list *l, size_t from, const char *dir, const file_list *patterns)
{
	size_t kept = from, dlen = strlen(dir);
	for (size_t i = from; i < l->count; i++) {
		const char *rel = l->paths[i];
		if (!strncmp(rel, dir, dlen) && (rel[dlen] == '/' || dir[dlen - 1] == '/'))
			rel += dlen;
		while (*rel == '/' || (rel[0] == '.' && rel[1] == '/'))
			rel += *rel == '/' ? 1 : 2;
		if (patterns->count && excluded(rel, patterns))
			free(l->paths[i]);
		else
			l->paths[kept++] = l->paths[i];
	}
	size_t dropped = l->count - kept;
	l->count = kept;
	return dropped;
}

char *files_root(const char *path, int is_dir, const char *stdin_name)
{
	if (is_dir)
		return cad_path_root(path);
	if (strcmp(path, "-"))
		return cad_path_root_of_file(path);
	/* standard input: its children are looked for beside the name given */
	char *root = cad_path_root_of_file(stdin_name ? stdin_name : "<stdin>");
	return root ? root : cad_path_root(".");
}

int files_confine(cadence_project *project, const char *path, const char *root,
		  int allow_outside, cadence_diags *diags)
{
	if (allow_outside) {
		cadence_project_set_root(project, NULL);
		return 0;
	}
	int rc = cadence_project_set_root(project, root);
	if (rc)
		return rc == CADENCE_ENOMEM ? cli_error(CLI_EXIT_INTERNAL, "out of memory")
					    : cli_usage_error("cannot resolve '%s': %s", root, strerror(errno));
	if (!path || cad_path_inside(root, path))
		return 0;	/* inside; or not there: the loader says so */
	char *real = realpath(path, NULL);
	strbuf msg = STRBUF_INIT;
	cad_strbuf_addf(&msg, "the file is outside the project root %s: it resolves to %s; "
			"it is not read", root, real ? real : "?");
	free(real);
	rc = cad_strbuf_cstr(&msg) ?
	     cadence_diags_add(diags, CADENCE_SEVERITY_ERROR, "outside-root", path, 0, 0, 0, NULL, 0,
			       cad_strbuf_cstr(&msg),
			       "name the file itself, not a symbolic link that leads out of the project; "
			       "if it is meant, pass --allow-outside-root") : CADENCE_ENOMEM;
	cad_strbuf_free(&msg);
	return rc ? cli_error(CLI_EXIT_INTERNAL, "out of memory") : 1;
}

int files_read_stream(FILE *f, size_t limit, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -1;
	for (;;) {
		if (n == cap) {
			if (n > limit)
				break;
			if (CAD_GROW(buf, cap, cap + 1, 0)) {
				free(buf);
				return -1;
			}
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (!got)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		free(buf);
		errno = e;
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

int files_output_error(int code, const char *what, const char *path, int e, strbuf *why,
		       const char *tail)
{
	const char *reason = why && why->len && !why->failed ? why->buf : strerror(e);
	cli_error(code, "cannot write %s%s%s'%s': %s%s", what ? "the " : "", what ? what : "",
		  what ? " to " : "", path, reason, tail);
	cad_strbuf_free(why);
	return code;
}

int files_output_check(const char *out, const char *what, const char *tail)
{
	strbuf why = STRBUF_INIT;
	int e;
	if (!out || !strcmp(out, "-"))
		return 0;
	if (!*out)
		return cli_usage_error("-o takes a file, not an empty path");
	if ((e = cad_afile_check(out, 0, &why)))
		return files_output_error(CLI_EXIT_USAGE, what, out, e, &why, tail);
	cad_strbuf_free(&why);
	return 0;
}

int files_output_write(const char *out, const char *what, const char *data, size_t len,
		       const char *tail)
{
	if (!out || !strcmp(out, "-")) {
		fwrite(data, 1, len, stdout);	/* main() checks stdout's errors */
		return 0;
	}
	int e = cad_afile_write(out, data, len, 0666, CAD_AFILE_DURABLE);
	if (!e)
		return 0;
	strbuf why = STRBUF_INIT;
	cad_afile_check(out, 0, &why);	/* the policy's reason, if any */
	return files_output_error(CLI_EXIT_INTERNAL, what, out, e, &why, tail);
}

/* A file cadence would replace (a regular file, or one to be made), by
 * its device and inode, or, not there yet, by its absolute path; streams
 * (devices, FIFOs, descriptors) are written in place and can be named
 * twice.  Returns 0, or 1 when `path` is no such file. */
static int replaced_file(const char *path, struct stat *st, char **abs)
{
	cad_afile_target t;
	int skip = cad_afile_resolve(path, &t, NULL) || t.how == CAD_AFILE_STREAM;
	*abs = NULL;
	if (!skip) {
		*st = t.st;
		if (t.how == CAD_AFILE_NEW && !(*abs = cad_afile_absolute(t.path)))
			skip = 1;
	}
	cad_afile_target_free(&t);
	return skip;
}

int files_same_output(const char *out, const char *other)
{
	struct stat a, b;
	char *pa, *pb;
	if (replaced_file(out, &a, &pa))
		return 0;
	int same = 0;
	if (!replaced_file(other, &b, &pb)) {
		if (pa || pb)
			same = pa && pb && !strcmp(pa, pb);
		else
			same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
		free(pb);
	}
	free(pa);
	return same;
}

int files_check_all(cadence_project *project, const cadence_check_opts *opts,
		    cadence_diags *diags)
{
	for (size_t i = 0; i < cadence_project_count(project); i++) {
		const cadence_def *def = cadence_project_get(project, i);
		if (cadence_check(def, project, opts, diags) == CADENCE_ENOMEM)
			return cli_error(CLI_EXIT_INTERNAL, "out of memory while checking '%s'",
					 cadence_def_path(def));
	}
	return 0;
}

int files_write_diags(cadence_diags *diags, FILE *out, cadence_diag_format fmt,
		      const char *color, size_t files_checked)
{
	cadence_diag_write_opts wo = CADENCE_DIAG_WRITE_OPTS_INIT;
	cadence_diags_sort(diags);
	wo.color = cli_color_wanted(color, out);
	wo.files_checked = files_checked;
	return cadence_diags_write(diags, out, fmt, &wo);
}

int files_stdin_error(void)
{
	/* as an unreadable file named on the command line is */
	return cli_usage_error("cannot read the cadence from standard input: %s", strerror(errno));
}

int files_load_checked(cadence_project *project, const char *path, const char *stdin_name,
		       int allow_outside,
		       cadence_diags *diags, const cadence_def **def, const char *command,
		       const char *purpose)
{
	int rc, is_stdin = !strcmp(path, "-");
	struct stat st;
	*def = NULL;
	if (!is_stdin && stat(path, &st))
		return cli_usage_error("cannot read '%s': %s", path, strerror(errno));
	if (!is_stdin && S_ISDIR(st.st_mode))
		return cli_usage_error("'%s' is a directory; 'cadence %s' takes one file", path,
				       command);
	char *root = files_root(path, 0, stdin_name);
	if (!root)
		return errno == ENOMEM ? cli_error(CLI_EXIT_INTERNAL, "out of memory")
				       : cli_usage_error("cannot read '%s': %s", path, strerror(errno));
	rc = files_confine(project, is_stdin ? NULL : path, root, allow_outside, diags);
	free(root);
	if (rc > 1)
		return rc;
	if (rc == 1) {
		/* refused: the diagnostic says why, below */
	} else if (is_stdin) {
		char *buf;
		size_t len;
		if (files_read_stream(stdin, CADENCE_DEFAULT_MAX_FILE_SIZE, &buf, &len))
			return files_stdin_error();
		rc = cadence_project_load_buffer(def, project, stdin_name ? stdin_name : "<stdin>",
						 buf, len, diags);
		free(buf);
	} else {
		rc = cadence_project_load_file(def, project, path, diags);
	}
	if (rc == CADENCE_ENOMEM)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory while loading '%s'", path);
	/* check every cadence loaded, the children found on the way too, for
	 * what a drawing or a schedule shows: structure, names, references,
	 * children, policies and the schedule.  What only running needs (the
	 * score, expressions, data flow, `run` executables) is validate's: it
	 * does not stop a drawing, which is most useful while those are being
	 * fixed */
	cadence_check_opts copts = CADENCE_CHECK_OPTS_INIT;
	copts.check_executables = 0;
	copts.check_flow = 0;
	if ((rc = files_check_all(project, &copts, diags)))
		return rc;
	if (cadence_diags_errors(diags) || !*def) {
		files_write_diags(diags, stderr, CADENCE_DIAG_TEXT, NULL,
				  cadence_project_file_count(project));
		if (is_stdin)
			fprintf(stderr, "cadence: error: the cadence from standard input%s%s%s has "
				"problems; fix them (see above) %s\n", stdin_name ? " ('" : "",
				stdin_name ? stdin_name : "", stdin_name ? "')" : "", purpose);
		else
			fprintf(stderr, "cadence: error: '%s' has problems; fix them (see above) %s\n",
				path, purpose);
		return CLI_EXIT_PROBLEMS;
	}
	return 0;
}

int files_with_cadence(const char *arg, int allow_outside, const char *cmd, const char *purpose,
		       int (*fn)(void *ctx, const char *path, const cadence_def *def), void *ctx)
{
	cli_config *cfg = NULL;
	cadence_project *project = NULL;
	cadence_diags *diags = NULL;
	const cadence_def *def = NULL;
	char *path = NULL;
	int rc = cli_config_load(NULL, &cfg);
	if (!rc)
		rc = cli_config_resolve(cfg, arg, &path);
	if (!rc && (cadence_project_new(&project, NULL) || cadence_diags_new(&diags)))
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (!rc && !(rc = files_load_checked(project, path, NULL, allow_outside, diags, &def, cmd,
					     purpose)))
		rc = fn(ctx, path, def);
	cadence_diags_free(diags);
	cadence_project_free(project);
	free(path);
	cli_config_free(cfg);
	return rc;
}
