/* SPDX-License-Identifier: MIT */
/* cadence new cadence|note: one cadence file, or one note with the YAML
 * that declares it. */

#include "cli.h"
#include "files.h"
#include "scaffold.h"

#include <cadence/cadence.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/scalar.h"
#include "scaffold/edit.h"
#include "scaffold/notegen.h"
#include "util/afile.h"
#include "util/json.h"
#include "util/path.h"
#include "util/strbuf.h"

enum {
	OPT_DIR = 1, OPT_FORCE, OPT_DRY_RUN, OPT_TEMPLATES, OPT_TEMPLATE,
	OPT_LANG, OPT_RETRY, OPT_TIMEOUT, OPT_FALLBACK, OPT_READS, OPT_WRITES, OPT_INTO,
};

#define COMMON_OPTS(what, dir) \
	{ OPT_DIR, 0, "dir", "DIR", "where the " what " goes (default: " dir "/ when it exists, else .)", NULL }, \
	{ OPT_FORCE, 0, "force", NULL, "replace the file if it exists", NULL }, \
	{ OPT_DRY_RUN, 0, "dry-run", NULL, "show what would be written; write nothing", NULL }, \
	{ OPT_TEMPLATES, 0, "templates", "DIR", "use the templates in DIR instead of the built-in ones", NULL }

static const char *const langs[] = { "sh", "c", NULL };
/* `new cadence --template`: each is a template set (templates/cadence/,
 * templates/pipeline/) */
static const char *const kinds[] = { "basic", "pipeline", NULL };

static const cli_opt new_cadence_opts[] = {
	{ OPT_TEMPLATE, 't', "template", "KIND", "basic: one note to fill in (default); pipeline: "
	  "staged intake, research, plan, run, verify with a precheck and dags", kinds },
	COMMON_OPTS("cadence file", "cadences"),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static const cli_opt new_note_opts[] = {
	{ OPT_LANG, 'l', "lang", "LANG", "sh: an executable (default); c: a C function for a plugin", langs },
	{ OPT_RETRY, 0, "retry", "N", "attempts in all, the first included: retry: {attempts: N}", NULL },
	{ OPT_TIMEOUT, 0, "timeout", "DURATION", "limit per attempt: 500ms, 30s, 2m, 1h30m", NULL },
	{ OPT_FALLBACK, 0, "fallback", "JSON", "fields set when the note fails for good: '{\"status\": \"failed\"}'", NULL },
	{ OPT_READS, 0, "reads", "FIELDS", "score fields it reads, comma-separated", NULL },
	{ OPT_WRITES, 0, "writes", "FIELDS", "score fields it changes, comma-separated", NULL },
	{ OPT_INTO, 0, "into", "CADENCE_FILE", "add the note to that cadence's notes: instead of printing it", NULL },
	COMMON_OPTS("note", "notes"),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static const cli_opt new_opts[] = {
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

#define MAX_FIELDS 64

typedef struct new_ctx {
	const char *dir, *templates;
	int force, dry_run;
	int pipeline;	/* new cadence --template pipeline */
	int lang_c;
	const char *retry, *timeout, *fallback, *into;
	char *reads_buf, *writes_buf;	/* strdup'd lists, split in place */
	const char *reads[MAX_FIELDS], *writes[MAX_FIELDS];
	size_t nreads, nwrites;
	int bad;			/* an option was already reported */
} new_ctx;

/* Splits "a,b, c" in place into names, checking each. */
static int split_fields(const char *opt, char *list, const char **out, size_t *n)
{
	size_t k = 0;
	for (char *s = list, *e; s; s = e) {
		e = strchr(s, ',');
		if (e)
			*e++ = '\0';
		while (*s == ' ')
			s++;
		size_t len = strlen(s);
		while (len && s[len - 1] == ' ')
			s[--len] = '\0';
		k++;
		/* 'a,,b' is a typo, not two fields */
		if (!len)
			return cli_usage_error("--%s: name %zu of the list is empty; separate the "
					       "names with one comma (--%s a,b)", opt, k, opt);
		char what[32];
		snprintf(what, sizeof(what), "--%s field", opt);
		int rc = scaffold_check_name(what, s, 0);
		if (rc)
			return rc;
		for (size_t i = 0; i < *n; i++)
			if (!strcmp(out[i], s))
				return cli_usage_error("--%s names '%s' twice", opt, s);
		if (*n == MAX_FIELDS)
			return cli_usage_error("--%s: at most %d fields", opt, MAX_FIELDS);
		out[(*n)++] = s;
	}
	return 0;
}

static int on_opt(void *p, int id, const char *value)
{
	new_ctx *c = p;
	switch (id) {
	case OPT_DIR: c->dir = value; break;
	case OPT_FORCE: c->force = 1; break;
	case OPT_DRY_RUN: c->dry_run = 1; break;
	case OPT_TEMPLATES: c->templates = value; break;
	case OPT_TEMPLATE: c->pipeline = !strcmp(value, "pipeline"); break;
	case OPT_LANG: c->lang_c = !strcmp(value, "c"); break;
	case OPT_RETRY: c->retry = value; break;
	case OPT_TIMEOUT: c->timeout = value; break;
	case OPT_FALLBACK: c->fallback = value; break;
	case OPT_INTO: c->into = value; break;
	case OPT_READS:
	case OPT_WRITES: {
		char **buf = id == OPT_READS ? &c->reads_buf : &c->writes_buf;
		if (*buf)
			return cli_usage_error("--%s given twice; list the fields once, comma-separated",
					       id == OPT_READS ? "reads" : "writes");
		if (!(*buf = strdup(value)))
			return cli_error(CLI_EXIT_INTERNAL, "out of memory");
		return id == OPT_READS
			? split_fields("reads", c->reads_buf, c->reads, &c->nreads)
			: split_fields("writes", c->writes_buf, c->writes, &c->nwrites);
	}
	}
	return 0;
}

static const char *default_dir(const new_ctx *c, const char *conventional)
{
	struct stat st;
	if (c->dir)
		return c->dir;
	return !stat(conventional, &st) && S_ISDIR(st.st_mode) ? conventional : ".";
}

/* ---- new cadence ----------------------------------------------------------- */

static int new_cadence(const cli_cmd *cmd, int argc, char **argv)
{
	new_ctx c = { 0 };
	cli_args args;
	tset ts = { 0 };
	plan p;
	int rc;

	cad_plan_init(&p);
	if ((rc = cli_parse(cmd, argc, argv, on_opt, &c, &args)))
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
		goto out;
	}
	if (args.npos != 1) {
		rc = cli_usage_error("'cadence new cadence' takes one NAME%s",
				     args.npos ? ", not several" : "; for example: cadence new cadence checkout");
		goto out;
	}
	const char *name = args.pos[0];
	const render_var vars[] = { { "name", name } };
	if ((rc = scaffold_check_name("cadence", name, 0)) ||
	    (rc = tset_load(&ts, c.templates, c.pipeline ? "pipeline" : "cadence")) ||
	    (rc = scaffold_render(&p, &ts, default_dir(&c, "cadences"), name, vars, 1, c.force)) ||
	    (rc = scaffold_apply(&p, c.dry_run, c.force)))
		goto out;
out:
	cad_plan_free(&p);
	tset_free(&ts);
	cli_args_free(&args);
	return rc;
}

/* ---- new note ---------------------------------------------------------------- */

/* The path of `to` relative to the directory `from`, starting with "./"
 * or "../" so that a `run:` command reads as a path. */
static char *relative(const char *from, const char *to)
{
	char *a = cad_afile_absolute(from), *b = cad_afile_absolute(to);
	strbuf r = STRBUF_INIT;
	if (a && b) {
		size_t i = 0, common = 0;
		for (; a[i] && a[i] == b[i]; i++)
			if (a[i] == '/')
				common = i;
		if (!a[i] && (b[i] == '/' || !b[i]))
			common = i;
		if (!strcmp(a, "/"))
			common = 0;
		const char *rest = b + common + (b[common] == '/');
		int ups = 0;
		for (const char *s = a + common; *s; s++)
			if (*s == '/' && s[1])
				ups++;
		if (!ups)
			cad_strbuf_adds(&r, "./");
		while (ups--)
			cad_strbuf_adds(&r, "../");
		cad_strbuf_adds(&r, rest);
	}
	free(a);
	free(b);
	return cad_strbuf_detach(&r);
}

/* Loads and checks a cadence (text in memory, named path); the number of
 * errors, or -1 when out of memory. */
static long check_text(const char *path, const char *text, size_t len, int show,
		       cadence_def **keep)
{
	cadence_project *project = NULL;
	cadence_diags *diags = NULL;
	const cadence_def *def = NULL;
	cadence_check_opts co = CADENCE_CHECK_OPTS_INIT;
	long errors = -1;

	co.check_executables = 0;	/* the note's file is not written yet */
	if (cadence_diags_new(&diags) || cadence_project_new(&project, NULL))
		goto out;
	int rc = cadence_project_load_buffer(&def, project, path, text, len, diags);
	if (rc == CADENCE_ENOMEM || (!rc && cadence_check(def, project, &co, diags) == CADENCE_ENOMEM))
		goto out;
	errors = (long)cadence_diags_errors(diags);
	if (errors && show)
		files_write_diags(diags, stderr, CADENCE_DIAG_TEXT, NULL, 0);
	if (!errors && keep && cadence_load_buffer(keep, path, text, len, NULL, diags))
		errors = -1;
out:
	cadence_project_free(project);
	cadence_diags_free(diags);
	return errors;
}

static int read_all(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	int rc = files_read_stream(f, CADENCE_DEFAULT_MAX_FILE_SIZE, out, len);
	fclose(f);
	return rc;
}

/* Checks the policy options; fills g. */
/* --fallback: a JSON object of fields, which goes into the cadence file as
 * `notes: NAME: fallback:`, so it nests no deeper than a cadence file can
 * (its values sit below those three levels) and holds only what the file
 * can say: no number out of range, no NUL in a string. */
#define FALLBACK_LEVELS (CADENCE_DEFAULT_MAX_DEPTH - 3)

static int parse_fallback(const char *text, cJSON **out)
{
	size_t len = strlen(text);
	cad_json_error e;
	strbuf why = STRBUF_INIT;
	int rc = 0;
	if (cad_json_parse(out, text, len, FALLBACK_LEVELS, &e)) {
		cad_json_describe(&why, &e, text, len, 1);
		rc = cli_usage_error("--fallback %s%s", cad_strbuf_cstr(&why) ? why.buf : "is not JSON",
				     e.problem == CAD_JSON_SYNTAX
				     ? "; give an object: '{\"status\": \"failed\"}'" : "");
		cad_strbuf_free(&why);
		return rc;
	}
	if (!cJSON_IsObject(*out))
		return cli_usage_error("--fallback must be a JSON object of fields: "
				       "'{\"status\": \"failed\"}'");
	const cJSON *f;
	cJSON_ArrayForEach(f, *out) {
		if ((rc = scaffold_check_name("--fallback field", f->string, 0)))
			break;
		if (cad_json_check(f, FALLBACK_LEVELS - 1, NULL)) {
			cad_json_check_describe(&why, f, FALLBACK_LEVELS - 1, f->string, FALLBACK_LEVELS);
			rc = cli_usage_error("--fallback field '%s' %s", f->string,
					     cad_strbuf_cstr(&why) ? why.buf : "is out of range");
			break;
		}
	}
	cad_strbuf_free(&why);
	return rc;
}

/* Checks the policy options; fills g. */
static int note_options(new_ctx *c, notegen *g, cJSON **fallback)
{
	const char *help = NULL, *msg;
	if (c->retry) {
		int64_t n;
		if ((msg = cad_scalar_int(c->retry, strlen(c->retry), &n, &help)) || n < 1 || n > 1000)
			return cli_usage_error("--retry takes the number of attempts, 1 to 1000 "
					       "(the first call included), not '%s'", c->retry);
		g->retry = n;
	}
	if (c->timeout) {
		int64_t ms;
		if ((msg = cad_scalar_duration(c->timeout, strlen(c->timeout), &ms, &help)))
			return cli_usage_error("--timeout '%s': %s%s%s", c->timeout, msg,
					       help ? "; " : "", help ? help : "");
		if (ms <= 0)
			return cli_usage_error("--timeout must be longer than 0");
		g->timeout = c->timeout;
	}
	if (c->fallback) {
		int rc = parse_fallback(c->fallback, fallback);
		if (rc)
			return rc;
		g->fallback = *fallback;
	}
	g->reads = c->reads;
	g->nreads = c->nreads;
	g->writes = c->writes;
	g->nwrites = c->nwrites;
	return 0;
}

static void print_snippet(const char *name, char **lines, size_t n)
{
	printf("  %s:\n", name);
	for (size_t i = 0; i < n; i++)
		printf("    %s\n", lines[i]);
}

/* What `new note` makes and holds until it returns. */
typedef struct new_note_job {
	new_ctx c;
	const char *name, *dir;	/* dir: where the note's file goes */
	notegen g;
	tset ts;
	plan p;
	cJSON *fallback;
	cadence_def *def;	/* the --into file, loaded */
	char *note_path, *run_path, *into_dir;
	char *into_text, *edited;	/* --into: before and after */
	size_t into_len, edited_len;
	char **lines;		/* the note's lines under notes: */
	size_t nlines;
	unsigned line;		/* where the edit put it */
} new_note_job;

static void new_note_job_free(new_note_job *s)
{
	cad_plan_free(&s->p);
	tset_free(&s->ts);
	cJSON_Delete(s->fallback);
	cadence_def_free(s->def);
	cad_notegen_lines_free(s->lines);
	free(s->note_path);
	free(s->run_path);
	free(s->into_text);
	free(s->into_dir);
	free(s->edited);
	free(s->c.reads_buf);
	free(s->c.writes_buf);
}

/* --into: the file must be a regular one that loads and checks clean. */
static int read_into(new_note_job *s)
{
	const char *into = s->c.into;
	struct stat st;
	/* a FIFO would keep us waiting for a writer, and a device or a
	 * directory is no file to edit (issue 14, probe) */
	if (!stat(into, &st) && !S_ISREG(st.st_mode))
		return cli_error(CLI_EXIT_PROBLEMS, "--into %s: it is %s, not a cadence file to "
				 "edit; name a regular *.cadence.yaml file", into,
				 S_ISDIR(st.st_mode) ? "a directory" :
				 S_ISFIFO(st.st_mode) ? "a FIFO" :
				 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
				 "not a regular file");
	if (read_all(into, &s->into_text, &s->into_len))
		return cli_error(CLI_EXIT_PROBLEMS, "--into %s: cannot read it: %s", into,
				 strerror(errno));
	long errors = check_text(into, s->into_text, s->into_len, 1, &s->def);
	if (errors < 0)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (errors)
		return cli_error(CLI_EXIT_PROBLEMS, "--into %s: the file has errors (above); "
				 "fix them first, nothing was written", into);
	s->g.def = s->def;
	return 0;
}

/* run: paths are relative to the cadence file: --into's directory, or
 * cadences/ when it exists, else here */
static int resolve_run_path(new_note_job *s)
{
	struct stat st;
	const char *base = s->c.into ? s->into_dir
		: (!stat("cadences", &st) && S_ISDIR(st.st_mode) ? "cadences" : ".");
	if (!(s->run_path = relative(base, s->note_path)))
		return cli_error(CLI_EXIT_INTERNAL, "cannot resolve the path of %s", s->note_path);
	s->g.run_path = s->run_path;
	return 0;
}

/* The note's lines under notes:, and its file rendered into the plan. */
static int render_note(new_note_job *s)
{
	strbuf changes = STRBUF_INIT, c_reads = STRBUF_INIT, c_changes = STRBUF_INIT,
	       reads = STRBUF_INIT, writes = STRBUF_INIT;
	int rc = 0;

	if (cad_notegen_fields(&s->g, &s->lines, &s->nlines))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	cad_notegen_changes_json(&s->g, &changes);
	cad_notegen_c_reads(&s->g, &c_reads);
	cad_notegen_c_changes(&s->g, &c_changes);
	cad_notegen_list(&reads, s->g.reads, s->g.nreads);
	cad_notegen_list(&writes, s->g.writes, s->g.nwrites);
	const render_var vars[] = {
		{ "name", s->name },
		{ "reads", cad_strbuf_cstr(&reads) },
		{ "writes", cad_strbuf_cstr(&writes) },
		{ "changes", cad_strbuf_cstr(&changes) },
		{ "c_reads", cad_strbuf_cstr(&c_reads) },
		{ "c_changes", cad_strbuf_cstr(&c_changes) },
	};
	size_t nvars = sizeof(vars) / sizeof(vars[0]);
	for (size_t i = 0; i < nvars && !rc; i++)
		if (!vars[i].value)
			rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (!rc && !(rc = tset_load(&s->ts, s->c.templates, s->c.lang_c ? "note/c" : "note/sh")))
		rc = scaffold_render(&s->p, &s->ts, s->dir, s->name, vars, nvars, s->c.force);
	cad_strbuf_free(&changes);
	cad_strbuf_free(&c_reads);
	cad_strbuf_free(&c_changes);
	cad_strbuf_free(&reads);
	cad_strbuf_free(&writes);
	return rc;
}

/* --into: the note added to the file's notes:, checked, and the edited
 * file added to the plan. */
static int edit_into(new_note_job *s)
{
	strbuf why = STRBUF_INIT;
	int rc = cad_edit_add_note(s->into_text, s->into_len, s->name,
				   (const char *const *)s->lines, s->nlines, &s->edited,
				   &s->edited_len, &s->line, &why);
	if (rc == CADENCE_ENOMEM)
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	else if (rc)
		rc = cli_error(CLI_EXIT_PROBLEMS, "cannot add note '%s' to %s: %s; nothing "
			       "was written", s->name, s->c.into, cad_strbuf_cstr(&why));
	cad_strbuf_free(&why);
	if (rc)
		return rc;
	long errors = check_text(s->c.into, s->edited, s->edited_len, 1, NULL);
	if (errors)
		return errors < 0 ? cli_error(CLI_EXIT_INTERNAL, "out of memory")
			: cli_error(CLI_EXIT_PROBLEMS, "with note '%s', %s would have the errors "
				    "above (declare the fields it reads and writes in score: "
				    "first?); nothing was written", s->name, s->c.into);
	if ((rc = cad_plan_add(&s->p, s->c.into, s->edited, s->edited_len, PLAN_KEEP_MODE, 1)))
		return cli_error(rc == CADENCE_ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE,
				 rc == CADENCE_ENOMEM ? "out of memory"
				 : "--into names the note's own file");
	s->p.files[s->p.nfiles - 1].edit = 1;
	return 0;
}

/* A C note in the notes/ of a project from `cadence init`: its Makefile
 * builds each notes/NAME.c into build/plugins/NAME.so, which tests/run.sh
 * loads. */
static void print_make_step(const new_note_job *s)
{
	size_t n = strlen(s->dir), d = cad_path_dir_len(s->dir);
	char *top = cad_path_dir(s->dir), *makefile = top ? scaffold_join(top, "Makefile") : NULL;
	struct stat st;
	if (n - d == 5 && !strcmp(s->dir + d, "notes") && makefile &&
	    !stat(makefile, &st) && S_ISREG(st.st_mode))
		printf("\nor, in this project, with its %s (tests/run.sh builds and loads "
		       "every C note):\n\n  make && cadence run --plugin build/plugins/%s.so %s\n",
		       makefile, s->name, s->c.into ? s->c.into : "CADENCE_FILE");
	free(top);
	free(makefile);
}

/* What to do next: declare it (or where it was added), run it, build it. */
static void print_next_steps(const new_note_job *s)
{
	const char *name = s->name;
	if (s->c.into) {
		printf("%s note '%s' to %s, line %u:\n\n", s->c.dry_run ? "would add" : "added", name,
		       s->c.into, s->line);
		print_snippet(name, s->lines, s->nlines);
		printf("\nrun it from measures: with '- then: %s'\n", name);
	} else {
		printf("\ndeclare it under the cadence's notes: (run paths are relative to the "
		       "cadence file; --into CADENCE_FILE does this for you):\n\n");
		print_snippet(name, s->lines, s->nlines);
		printf("\nand run it from measures: with '- then: %s'\n", name);
	}
	if (s->c.lang_c) {
		char *so = scaffold_join(s->dir, name);
		printf("\nbuild the plugin:\n\n"
		       "  cc -shared -fPIC -Wall -Werror $(pkg-config --cflags cadence) \\\n"
		       "     -o %s.so %s $(pkg-config --libs libcjson)\n", so ? so : name,
		       s->note_path);
		free(so);
		print_make_step(s);
	}
}

/* The note's file (and --into's edit) as one plan, written or shown. */
static int make_note(new_note_job *s)
{
	strbuf file = STRBUF_INIT;
	int rc;

	s->g.name = s->name;
	s->g.lang_c = s->c.lang_c;
	if ((rc = scaffold_check_name("note", s->name, s->c.lang_c)) ||
	    (rc = note_options(&s->c, &s->g, &s->fallback)))
		return rc;
	cad_strbuf_addf(&file, "%s%s", s->name, s->c.lang_c ? ".c" : ".sh");
	s->dir = default_dir(&s->c, "notes");
	s->note_path = scaffold_join(s->dir, cad_strbuf_cstr(&file));
	s->into_dir = cad_path_dir(s->c.into ? s->c.into : "cadences/x");
	cad_strbuf_free(&file);
	if (!s->note_path || !s->into_dir)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if ((s->c.into && (rc = read_into(s))) || (rc = resolve_run_path(s)) ||
	    (rc = render_note(s)) || (s->c.into && (rc = edit_into(s))) ||
	    (rc = scaffold_apply(&s->p, s->c.dry_run, s->c.force)))
		return rc;
	print_next_steps(s);
	return 0;
}

static int new_note(const cli_cmd *cmd, int argc, char **argv)
{
	new_note_job s = { 0 };
	cli_args args;
	int rc;

	cad_plan_init(&s.p);
	if ((rc = cli_parse(cmd, argc, argv, on_opt, &s.c, &args))) {
		new_note_job_free(&s);
		return rc;
	}
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (args.npos != 1)
		rc = cli_usage_error("'cadence new note' takes one NAME%s", args.npos ? ", not several"
				     : "; for example: cadence new note charge --retry 3");
	else {
		s.name = args.pos[0];
		rc = make_note(&s);
	}
	cli_args_free(&args);
	new_note_job_free(&s);
	return rc;
}

/* ---- new ------------------------------------------------------------------ */

const cli_cmd cli_cmd_new_cadence = {
	"new cadence",
	"NAME [OPTIONS]",
	"Create NAME.cadence.yaml: a cadence that validates, to fill in.",
	"The file goes into --dir DIR, else cadences/ when it exists, else the\n"
	"current directory. NAME is the cadence's name: letters, digits and '_',\n"
	"not starting with a digit, at most 64 characters, not a reserved word.\n"
	"An existing file is replaced only with --force.",
	new_cadence_opts,
	new_cadence,
};

const cli_cmd cli_cmd_new_note = {
	"new note",
	"NAME [OPTIONS]",
	"Create a note (an executable, or a C function) and the YAML that declares it.",
	"A sh note (notes/NAME.sh) reads the score as JSON on standard input and\n"
	"prints the fields it changes as JSON; a c note (notes/NAME.c) is a\n"
	"function with the signature of <cadence/note.h>, built into a plugin.\n"
	"The file goes into --dir DIR, else notes/ when it exists, else the current\n"
	"directory; it is replaced only with --force.\n"
	"\n"
	"The YAML that declares the note, with the policies asked for, is printed.\n"
	"With --into CADENCE_FILE it is added to the end of that file's notes:\n"
	"instead, and the rest of the file is left as it was; the file must\n"
	"validate before and after, and a flow-style notes: ({...}) or a note of\n"
	"the same name is refused. The note's placeholder output then gives each\n"
	"field it writes a value of the field's declared type.\n"
	"\n"
	"Run paths in the YAML are relative to the cadence file: to CADENCE_FILE's\n"
	"directory, else to cadences/ when it exists, else to the current one.",
	new_note_opts,
	new_note,
};

const cli_cmd *const cli_new_commands[] = {
	&cli_cmd_new_cadence,
	&cli_cmd_new_note,
	NULL,
};

static int run_new(const cli_cmd *cmd, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_print_help(cmd, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (size_t i = 0; cli_new_commands[i]; i++)
		if (!strcmp(argv[1], cli_new_commands[i]->name + strlen("new ")))
			return cli_new_commands[i]->run(cli_new_commands[i], argc - 1, argv + 1);
	return cli_usage_error("'cadence new' makes a 'cadence' or a 'note', not '%s'; "
			       "see 'cadence new --help'", argv[1]);
}

const cli_cmd cli_cmd_new = {
	"new",
	"cadence|note NAME [OPTIONS]",
	"Create a cadence file, or a note with the YAML that declares it.",
	"  cadence new cadence NAME [--template basic|pipeline] [--dir DIR]\n"
	"  cadence new note NAME [--lang sh|c] [--retry N] [--timeout DURATION]\n"
	"      [--fallback JSON] [--reads F,...] [--writes F,...] [--into CADENCE_FILE]\n"
	"Both take --force, --dry-run and --templates DIR; see\n"
	"'cadence new cadence --help' and 'cadence new note --help'.\n"
	"\n"
	"Exit status: 0 written (or shown, with --dry-run), 1 refused (a file\n"
	"exists, --into cannot take the note), 2 usage error (a bad name or\n"
	"value), 3 writing failed (everything undone).",
	new_opts,
	run_new,
};
