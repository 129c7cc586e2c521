/* SPDX-License-Identifier: MIT */
/* cadence init: a project that validates, runs and tests green. */
/* realpath() */
#define _XOPEN_SOURCE 700

#include "cli.h"
#include "scaffold.h"

#include <cadence/cadence.h>
#include <cadence/schema.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/scalar.h"
#include "util/strbuf.h"
#include "util/utf8.h"

enum { OPT_NAME = 1, OPT_FORCE, OPT_DRY_RUN, OPT_TEMPLATES };

static const cli_opt init_opts[] = {
	{ OPT_NAME, 0, "name", "NAME",
	  "the project's name, given to its sample cadence (default: DIR's name)", NULL },
	{ OPT_FORCE, 0, "force", NULL,
	  "write into a directory that is not empty, replacing the files the templates write", NULL },
	{ OPT_DRY_RUN, 'n', "dry-run", NULL, "list the files that would be written; write nothing", NULL },
	{ OPT_TEMPLATES, 0, "templates", "DIR",
	  "use the templates in DIR instead of the built-in ones", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct init_ctx {
	const char *name;
	const char *templates;
	int force, dry_run;
} init_ctx;

static int on_opt(void *p, int id, const char *value)
{
	init_ctx *c = p;
	switch (id) {
	case OPT_NAME: c->name = value; break;
	case OPT_FORCE: c->force = 1; break;
	case OPT_DRY_RUN: c->dry_run = 1; break;
	case OPT_TEMPLATES: c->templates = value; break;
	}
	return 0;
}

/* The last component of dir as it resolves ("." is the current
 * directory's name), in buf. */
static void dir_base(const char *dir, char *buf, size_t size)
{
	char *real = realpath(dir, NULL);
	const char *p = real ? real : dir;
	size_t len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		len--;
	const char *s = p + len;
	while (s > p && s[-1] != '/')
		s--;
	snprintf(buf, size, "%.*s", (int)(p + len - s), s);
	if (!buf[0] || !strcmp(buf, "/") || !strcmp(buf, ".") || !strcmp(buf, ".."))
		snprintf(buf, size, "project");
	free(real);
}

/* A directory init may write into without --force: missing, or empty but
 * for a .git.  Otherwise says why not, naming a few entries. */
static int check_dir(const char *dir, strbuf *why)
{
	struct stat st;
	if (stat(dir, &st))
		return errno == ENOENT ? 0 : (cad_strbuf_addf(why, "cannot read '%s': %s", dir,
							   strerror(errno)), -1);
	if (!S_ISDIR(st.st_mode)) {
		cad_strbuf_addf(why, "'%s' exists and is not a directory", dir);
		return -1;
	}
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	if (!d) {
		cad_strbuf_addf(why, "cannot read '%s': %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
			continue;
		if (n < 3)
			cad_strbuf_addf(why, "%s%s", n ? ", " : "", e->d_name);
		n++;
	}
	closedir(d);
	if (n > 3)
		cad_strbuf_addf(why, " and %zu more", n - 3);
	return n ? 1 : 0;
}

/* s in $'...' with octal escapes for control characters and every byte
 * past ASCII, so that none reaches the terminal raw (bash, zsh and ksh
 * read it). */
static void ansi_c_quote(strbuf *b, const char *s)
{
	cad_strbuf_adds(b, "$'");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\'' || *p == '\\')
			cad_strbuf_addf(b, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			cad_strbuf_addf(b, "\\%03o", *p);
		else
			cad_strbuf_addc(b, (char)*p);
	}
	cad_strbuf_addc(b, '\'');
}

/* dir as a shell word, for the "next steps" lines: as it is when plain,
 * quoted otherwise, and escaped when it holds control characters (a
 * newline, a terminal escape) or bytes that are not UTF-8. */
static void shell_word(strbuf *b, const char *s)
{
	char *shown = cad_utf8_dup_printable(s, strlen(s), 0);
	int clean = shown && !strcmp(shown, s);
	free(shown);
	if (!clean) {
		ansi_c_quote(b, s);
		return;
	}
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-", *p)) {
			cad_render_escape(b, "sh", s);
			return;
		}
	cad_strbuf_adds(b, s);
}

static int add_schema(plan *p, const char *dir, int force)
{
	char *schema = NULL, *path = scaffold_join(dir, ".vscode/cadence.schema.json");
	strbuf b = STRBUF_INIT;
	int rc = -1;
	if (path && !cadence_schema_json(&schema)) {
		cad_strbuf_adds(&b, schema);
		cad_strbuf_addc(&b, '\n');
		if (!b.failed)
			rc = cad_plan_add(p, path, b.buf, b.len, scaffold_mode(path), force);
	}
	free(schema);
	free(path);
	cad_strbuf_free(&b);
	return rc ? cli_error(CLI_EXIT_INTERNAL, "out of memory") : 0;
}

static int init(const cli_cmd *cmd, int argc, char **argv)
{
	init_ctx c = { 0 };
	cli_args args;
	tset ts = { 0 };
	plan p;
	strbuf why = STRBUF_INIT, sample = STRBUF_INIT, next = STRBUF_INIT;
	char name[NAME_MAX_LEN + 2], title[PATH_MAX];
	int rc;

	cad_plan_init(&p);
	if ((rc = cli_parse(cmd, argc, argv, on_opt, &c, &args)))
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
		goto out;
	}
	if (args.npos > 1) {
		rc = cli_usage_error("'cadence init' takes one directory, not %zu", args.npos);
		goto out;
	}
	const char *dir = args.npos ? args.pos[0] : ".";
	if (!*dir) {
		/* "" is not "." (and scaffold_join("", f) would be "/f") */
		rc = cli_usage_error("'cadence init' needs a directory, not an empty string (an unset "
				     "variable?); give '.' for the current directory");
		goto out;
	}
	dir_base(dir, title, sizeof(title));
	/* the README's heading and the messages: no control character of a
	 * directory's name (a newline, a terminal escape) goes into them */
	char *shown = cad_utf8_dup_printable(title, strlen(title), 0);
	snprintf(title, sizeof(title), "%s", shown ? shown : "project");
	free(shown);
	if (c.name) {
		if ((rc = scaffold_check_name("project", c.name, 0)))
			goto out;
		snprintf(name, sizeof(name), "%s", c.name);
	} else {
		cad_scalar_name_suggest(title, strlen(title), name, sizeof(name));
		if (strcmp(name, title))
			fprintf(stderr, "cadence: note: the project is named '%s' (from '%s'); "
				"choose another name with --name\n", name, title);
	}

	int state = check_dir(dir, &why);
	if (state < 0) {
		rc = cli_error(CLI_EXIT_PROBLEMS, "%s", cad_strbuf_cstr(&why));
		goto out;
	}
	if (state > 0 && !c.force) {
		rc = cli_error(CLI_EXIT_PROBLEMS,
			       "'%s' is not empty (it has %s); nothing was written\n"
			       "cadence init starts a project in a new or empty directory: give "
			       "another DIR, or use --force to add the project's files here "
			       "(files the templates write are replaced, no other file is touched)",
			       dir, cad_strbuf_cstr(&why));
		goto out;
	}

	cad_strbuf_addf(&sample, "cadences/%s.cadence.yaml", name);
	const render_var vars[] = {
		{ "name", name },
		{ "title", title },
		{ "version", cadence_version() },
		{ "sample", cad_strbuf_cstr(&sample) },
	};
	if ((rc = tset_load(&ts, c.templates, "project")) ||
	    (rc = scaffold_render(&p, &ts, dir, name, vars, sizeof(vars) / sizeof(vars[0]),
				  c.force)) ||
	    (rc = add_schema(&p, dir, c.force)) ||
	    (rc = scaffold_apply(&p, c.dry_run, c.force)))
		goto out;
	if (!c.dry_run) {
		cad_strbuf_adds(&next, "\nnext:\n");
		if (strcmp(dir, ".")) {
			cad_strbuf_adds(&next, "  cd ");
			shell_word(&next, dir);
			cad_strbuf_addc(&next, '\n');
		}
		cad_strbuf_adds(&next, "  cadence validate      # check the cadences\n"
				   "  tests/run.sh          # run the tests\n"
				   "  cadence new note NAME --into ");
		cad_strbuf_addf(&next, "%s\n", cad_strbuf_cstr(&sample));
		fputs(cad_strbuf_cstr(&next) ? cad_strbuf_cstr(&next) : "", stdout);
	}
out:
	cad_plan_free(&p);
	tset_free(&ts);
	cad_strbuf_free(&why);
	cad_strbuf_free(&sample);
	cad_strbuf_free(&next);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_init = {
	"init",
	"[OPTIONS] [DIR]",
	"Create a project: a sample cadence, its notes, tests, CI and editor settings.",
	"DIR (default: the current directory) is created when missing and must\n"
	"be empty otherwise (a .git is fine) unless --force is given. The project:\n"
	"  cadences/NAME.cadence.yaml  a sample cadence that runs two notes\n"
	"  notes/                      the notes, as shell scripts\n"
	"  Makefile                    make builds C notes (notes/*.c) into plugins\n"
	"  tests/run.sh                builds the C notes, validates, tests the notes,\n"
	"                              runs the sample (with --plugin for each C note)\n"
	"  .github/workflows/cadence.yml  CI: validate --format github, make, the tests,\n"
	"                              with this version of cadence, built once, cached\n"
	"  .vscode/                    YAML extension settings and the JSON Schema\n"
	"  cadence.project.yaml        the project configuration, commented\n"
	"  README.md, .gitignore       (.cadence/, the run state, and build/ are ignored)\n"
	"\n"
	"Files are written all or nothing: on any failure, nothing is left\n"
	"behind. With --force, files the templates write are replaced and no other\n"
	"file is touched. Templates: --templates DIR, else $CADENCE_TEMPLATES, else\n"
	"the built-in ones (DIR/project/ holds the project's files).\n"
	"\n"
	"Exit status: 0 written (or listed, with --dry-run), 1 refused (the\n"
	"directory is not empty, a file exists), 2 usage error (a bad name),\n"
	"3 writing failed (everything undone).",
	init_opts,
	init,
};
