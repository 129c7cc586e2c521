/* SPDX-License-Identifier: MIT */
/* cadence new cadence|note: one cadence file, or one note with the YAML
 * that declares it. */
#define _XOPEN_SOURCE 700	/* realpath */

#include "cli.h"
#include "config.h"
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
#include "util/suggest.h"

enum {
	OPT_DIR = 1, OPT_FORCE, OPT_DRY_RUN, OPT_TEMPLATES, OPT_TEMPLATE,
	OPT_LANG, OPT_RETRY, OPT_TIMEOUT, OPT_FALLBACK, OPT_READS, OPT_WRITES, OPT_INTO,
	OPT_THEN, OPT_AFTER,
};

#define COMMON_OPTS(what, dir) \
	{ OPT_DIR, 0, "dir", "DIR", "where the " what " goes (default: the project's " dir "/ when it " \
	  "exists, else the project root, else .)", NULL }, \
	{ OPT_FORCE, 0, "force", NULL, "replace the file if it exists", NULL }, \
	{ OPT_DRY_RUN, 'n', "dry-run", NULL, "show what would be written; write nothing", NULL }, \
	{ OPT_TEMPLATES, 0, "templates", "DIR", "use the templates in DIR instead of the built-in ones", NULL }

static const char *const langs[] = { "sh", "c", NULL };
/* `new cadence --template`: each is a template set (templates/cadence/,
 * templates/pipeline/) */
static const char *const kinds[] = { "basic", "pipeline", NULL };

static const cli_opt new_cadence_opts[] = {
	{ OPT_TEMPLATE, 0, "template", "KIND", "basic: one note to fill in (default); pipeline: "
	  "staged intake, research, plan, run, verify with a precheck and dags", kinds },
	COMMON_OPTS("cadence file", "cadences"),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static const cli_opt new_note_opts[] = {
	{ OPT_LANG, 0, "lang", "LANG", "sh: an executable (default); c: a C function for a plugin", langs },
	{ OPT_RETRY, 0, "retry", "N", "attempts in all, the first included: retry: {attempts: N}", NULL },
	{ OPT_TIMEOUT, 0, "timeout", "DURATION", "limit per attempt: 500ms, 30s, 2m, 1h30m", NULL },
	{ OPT_FALLBACK, 0, "fallback", "JSON", "fields set when the note fails for good: '{\"status\": \"failed\"}'", NULL },
	{ OPT_READS, 0, "reads", "FIELDS", "score fields it reads, comma-separated", NULL },
	{ OPT_WRITES, 0, "writes", "FIELDS", "score fields it changes, comma-separated", NULL },
	{ OPT_INTO, 0, "into", "CADENCE_FILE", "add the note to that cadence's notes: instead of printing it", NULL },
	{ OPT_THEN, 0, "then", NULL, "with --into: also run the note, adding '- then: NAME' at the end "
	  "of measures:", NULL },
	{ OPT_AFTER, 0, "after", "MEASURE", "with --into: add '- then: NAME' right after the measure "
	  "named MEASURE (the value of its then:, sync:, split:, sequence:, child: or dag:)", NULL },
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
	int then;			/* --then or --after: add the measure */
	const char *after;		/* --after MEASURE */
	char *root;			/* the project root (absolute), or NULL */
	char *cadences_dir;		/* the project's cadences/ (absolute), or NULL */
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
	case OPT_THEN: c->then = 1; break;
	case OPT_AFTER: c->after = value; c->then = 1; break;
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

static int is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static char *relative(const char *from, const char *to);

/* The project root: the directory of cadence.project.yaml found upward;
 * else, up to the repository's top (.git), the nearest directory laid out
 * as `cadence init` makes it (cadences/ and notes/).  The project's
 * cadences/ is the first of its `cadences` setting. */
static int find_project(new_ctx *c)
{
	cli_config *cfg = NULL;
	int rc = cli_config_load(NULL, &cfg);
	if (rc)
		return rc;
	if (cli_config_root(cfg)) {
		const char *dirs = cli_config_get(cfg, CLI_SET_CADENCES);
		c->root = strdup(cli_config_root(cfg));
		c->cadences_dir = dirs ? strndup(dirs, strcspn(dirs, ":")) : NULL;
		cli_config_free(cfg);
		return c->root && (!dirs || c->cadences_dir) ? 0
			: cli_error(CLI_EXIT_INTERNAL, "out of memory");
	}
	cli_config_free(cfg);
	char *here = realpath(".", NULL), *top = cad_path_root(".");
	for (size_t len = here ? strlen(here) : 0; here && top && !c->root;) {
		here[len] = '\0';
		char *cad = scaffold_join(here, "cadences"), *notes = scaffold_join(here, "notes");
		if (cad && notes && is_dir(cad) && is_dir(notes)) {
			c->root = strdup(here);
			c->cadences_dir = cad;
			cad = NULL;
		}
		free(cad);
		free(notes);
		if (len <= strlen(top))
			break;
		while (len > 1 && here[len - 1] != '/')
			len--;
		len -= len > 1;
	}
	free(here);
	free(top);
	return 0;
}

/* A path to write to, relative to the working directory when it can be:
 * "notes", "../notes"; "." for here. */
static char *from_here(const char *abs)
{
	char *r = relative(".", abs);
	if (r && !strncmp(r, "./", 2)) {
		memmove(r, r + 2, strlen(r + 2) + 1);
		if (!*r) {
			free(r);
			r = strdup(".");
		}
	}
	return r;
}

/* Where a new file goes: `given` (--dir); else the project's directory for it
 * (`conventional`, or its cadences/) when it exists, else the project
 * root; without a project, `conventional` when it exists here, else
 * here.  Malloc'd. */
static char *default_dir(const new_ctx *c, const char *given, const char *conventional)
{
	if (given)
		return strdup(given);
	if (!c->root)
		return strdup(is_dir(conventional) ? conventional : ".");
	char *dir = !strcmp(conventional, "cadences") && c->cadences_dir
		? strdup(c->cadences_dir) : scaffold_join(c->root, conventional);
	char *r = dir ? from_here(is_dir(dir) ? dir : c->root) : NULL;
	free(dir);
	return r;
}

/* ---- new cadence ----------------------------------------------------------- */

static int new_cadence(const cli_cmd *cmd, int argc, char **argv)
{
	new_ctx c = { 0 };
	cli_args args;
	tset ts = { 0 };
	plan p;
	char *dir = NULL;
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
	if ((rc = scaffold_check_name("cadence", name, 0)) || (rc = find_project(&c)))
		goto out;
	if (!(dir = default_dir(&c, c.dir, "cadences"))) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = tset_load(&ts, c.templates, c.pipeline ? "pipeline" : "cadence")) ||
	    (rc = scaffold_render(&p, &ts, dir, name, vars, 1, c.force)) ||
	    (rc = scaffold_apply(&p, c.dry_run, c.force)))
		goto out;
out:
	free(dir);
	free(c.root);
	free(c.cadences_dir);
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
		if ((!a[i] && (b[i] == '/' || !b[i])) || (!b[i] && a[i] == '/'))
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
		/* "../", an ancestor: ".." */
		if (!*rest && r.len > 2 && r.buf[r.len - 1] == '/')
			r.buf[--r.len] = '\0';
	}
	free(a);
	free(b);
	return cad_strbuf_detach(&r);
}

/* Loads and checks a cadence (text in memory, named path) into *diags;
 * the number of errors, or -1 when out of memory.  *keep: the cadence
 * when it has no error. */
static long check_text(const char *path, const char *text, size_t len, cadence_diags **diags,
		       cadence_def **keep)
{
	cadence_project *project = NULL;
	const cadence_def *def = NULL;
	cadence_check_opts co = CADENCE_CHECK_OPTS_INIT;
	long errors = -1;

	co.check_executables = 0;	/* the note's file is not written yet */
	if (cadence_diags_new(diags) || cadence_project_new(&project, NULL))
		goto out;
	int rc = cadence_project_load_buffer(&def, project, path, text, len, *diags);
	if (rc == CADENCE_ENOMEM || (!rc && cadence_check(def, project, &co, *diags) == CADENCE_ENOMEM))
		goto out;
	errors = (long)cadence_diags_errors(*diags);
	if (!errors && keep && cadence_load_buffer(keep, path, text, len, NULL, *diags))
		errors = -1;
out:
	cadence_project_free(project);
	return errors;
}

/* Does `list` hold an error with the rule and message of `d`? */
static int has_error(const cadence_diags *list, const cadence_diag *d)
{
	for (size_t i = 0; i < cadence_diags_count(list); i++) {
		const cadence_diag *e = cadence_diags_get(list, i);
		if (e->severity == CADENCE_SEVERITY_ERROR && !strcmp(e->rule, d->rule) &&
		    !strcmp(e->message, d->message))
			return 1;
	}
	return 0;
}

/* Adds to `out` the errors of `from` that `in` holds (or, with `absent`,
 * does not hold); returns how many, or -1 when out of memory. */
static long copy_errors(cadence_diags *out, const cadence_diags *from, const cadence_diags *in,
			int absent)
{
	long n = 0;
	for (size_t i = 0; i < cadence_diags_count(from); i++) {
		const cadence_diag *d = cadence_diags_get(from, i);
		if (d->severity != CADENCE_SEVERITY_ERROR || has_error(in, d) == absent)
			continue;
		if (cadence_diags_add(out, d->severity, d->rule, d->file, d->line, d->column, d->length,
				      d->source_line, d->source_line ? strlen(d->source_line) : 0,
				      d->message, d->help) ||
		    (d->related_line && cadence_diags_relate(out, d->related_line, d->related_column,
							      d->related_message)))
			return -1;
		n++;
	}
	return n;
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
	const char *name;
	char *dir;		/* where the note's file goes */
	notegen g;
	tset ts;
	plan p;
	cJSON *fallback;
	cadence_def *def;	/* the --into file as edited, loaded */
	cadence_diags *before;	/* --into: the file's problems as it is */
	long before_errors;
	char *note_path, *run_path, *into_dir;
	char *into_text, *edited;	/* --into: before and after */
	size_t into_len, edited_len;
	char **lines;		/* the note's lines under notes: */
	size_t nlines;
	unsigned line;		/* where the edit put the note */
	unsigned then_line;	/* and the measure (--then, --after) */
	int unused;		/* no measure runs the note */
} new_note_job;

static void new_note_job_free(new_note_job *s)
{
	cad_plan_free(&s->p);
	tset_free(&s->ts);
	cJSON_Delete(s->fallback);
	cadence_def_free(s->def);
	cadence_diags_free(s->before);
	cad_notegen_lines_free(s->lines);
	free(s->dir);
	free(s->note_path);
	free(s->run_path);
	free(s->into_text);
	free(s->into_dir);
	free(s->edited);
	free(s->c.reads_buf);
	free(s->c.writes_buf);
	free(s->c.root);
	free(s->c.cadences_dir);
}

/* --into: the file must be a regular one; its problems as it is are kept,
 * to tell those the edit fixes from those it does not. */
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
	s->before_errors = check_text(into, s->into_text, s->into_len, &s->before, NULL);
	return s->before_errors < 0 ? cli_error(CLI_EXIT_INTERNAL, "out of memory") : 0;
}

/* run: paths are relative to the cadence file: --into's directory, or
 * the project's cadences/ (as `new cadence` places it) */
static int resolve_run_path(new_note_job *s)
{
	char *base = s->c.into ? NULL : default_dir(&s->c, NULL, "cadences");
	if ((!s->c.into && !base) || !(s->run_path = relative(s->c.into ? s->into_dir : base,
								 s->note_path))) {
		free(base);
		return cli_error(CLI_EXIT_INTERNAL, "cannot resolve the path of %s", s->note_path);
	}
	free(base);
	s->g.run_path = s->run_path;
	return 0;
}

/* The note's file rendered into the plan (after the --into edit, which
 * gives the types of the fields it writes). */
static int render_note(new_note_job *s)
{
	strbuf changes = STRBUF_INIT, c_reads = STRBUF_INIT, c_changes = STRBUF_INIT,
	       reads = STRBUF_INIT, writes = STRBUF_INIT;
	int rc = 0;

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

/* --after MEASURE names no measure: the measures there are. */
static int no_such_measure(const new_note_job *s)
{
	strbuf names = STRBUF_INIT;
	size_t n = cad_edit_measure_names(s->into_text, s->into_len, &names);
	char *list = cad_strbuf_cstr(&names) ? strdup(names.buf) : NULL;
	cad_suggest sg;
	cad_suggest_init(&sg, s->c.after, strlen(s->c.after));
	for (char *m = list, *end; m; m = end ? end + 2 : NULL) {
		if ((end = strstr(m, ", ")))
			*end = '\0';
		cad_suggest_try(&sg, m);
	}
	int rc = cli_usage_error("--after %s: %s has no measure named '%s'; %s%s%s%s%s",
				 s->c.after, s->c.into, s->c.after,
				 sg.best ? "did you mean '" : "", sg.best ? sg.best : "",
				 sg.best ? "'? " : "",
				 n ? "its measures are: " : "it has no measure to follow; use --then",
				 n && cad_strbuf_cstr(&names) ? names.buf : "");
	free(list);
	cad_strbuf_free(&names);
	return rc;
}

/* --then, --after: the measure that runs the note, added to the text
 * with the note in it.  The note's line moves down when the measure goes
 * above it. */
static int edit_measure(new_note_job *s, strbuf *why)
{
	char *out = NULL;
	size_t len = 0;
	int rc = cad_edit_add_measure(s->edited, s->edited_len, s->name, s->c.after, &out, &len,
				      &s->then_line, why);
	if (rc)
		return rc;
	if (s->then_line <= s->line)
		s->line++;
	free(s->edited);
	s->edited = out;
	s->edited_len = len;
	return 0;
}

/* The --into file as edited has errors: those of the file that the edit
 * does not fix (at their places in the file), then those the edit brings. */
static int refuse_edit(const new_note_job *s, const cadence_diags *after)
{
	cadence_diags *shown = NULL;
	long kept = 0, added = 0;
	if (cadence_diags_new(&shown) || (kept = copy_errors(shown, s->before, after, 0)) < 0 ||
	    (added = copy_errors(shown, after, s->before, 1)) < 0) {
		cadence_diags_free(shown);
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	}
	files_write_diags(shown, stderr, CADENCE_DIAG_TEXT, NULL, 0);
	cadence_diags_free(shown);
	if (kept)
		return cli_error(CLI_EXIT_PROBLEMS, "--into %s: the file has errors (above) that "
				 "adding note '%s' does not fix; fix them first, nothing was "
				 "written", s->c.into, s->name);
	int undeclared = 0;
	for (size_t i = 0; i < cadence_diags_count(after); i++)
		undeclared |= !strcmp(cadence_diags_get(after, i)->rule, "undeclared-field");
	return cli_error(CLI_EXIT_PROBLEMS, "with note '%s'%s, %s would have the errors "
			 "above%s; nothing was written", s->name, s->c.then ? " and its measure" : "",
			 s->c.into, undeclared ? " (declare the fields it reads and writes in score: "
			 "first?)" : "");
}

/* The edited file must have no error, whatever the file had before;
 * its cadence gives the types of the fields the note writes. */
static int check_edited(new_note_job *s)
{
	cadence_diags *after = NULL;
	int rc = 0;
	long errors = check_text(s->c.into, s->edited, s->edited_len, &after, &s->def);
	if (errors)
		rc = errors < 0 ? cli_error(CLI_EXIT_INTERNAL, "out of memory") : refuse_edit(s, after);
	for (size_t i = 0; !rc && i < cadence_diags_count(after); i++) {
		const cadence_diag *d = cadence_diags_get(after, i);
		s->unused |= !strcmp(d->rule, "unused-note") && d->line == s->line;
	}
	cadence_diags_free(after);
	s->g.def = s->def;
	return rc;
}

/* --into: the note (and its measure) added to the file, the result
 * checked. */
static int edit_into(new_note_job *s)
{
	strbuf why = STRBUF_INIT;
	const char *what = "the measure of note";
	char *tried = NULL;
	size_t len;
	unsigned line;
	/* the measure is tried on the file as it is first, so that a refusal
	 * names the file's lines; the note goes in first, then the measure */
	int rc = s->c.then ? cad_edit_add_measure(s->into_text, s->into_len, s->name, s->c.after,
						  &tried, &len, &line, &why) : 0;
	free(tried);
	if (rc == CADENCE_ENOTFOUND) {
		cad_strbuf_free(&why);
		return no_such_measure(s);
	}
	if (!rc) {
		what = "note";
		rc = cad_edit_add_note(s->into_text, s->into_len, s->name,
				       (const char *const *)s->lines, s->nlines, &s->edited,
				       &s->edited_len, &s->line, &why);
	}
	if (!rc && s->c.then) {
		what = "the measure of note";
		rc = edit_measure(s, &why);
	}
	if (rc == CADENCE_EINVALID && s->before_errors) {
		/* an edit the file's own errors may explain */
		files_write_diags(s->before, stderr, CADENCE_DIAG_TEXT, NULL, 0);
		rc = cli_error(CLI_EXIT_PROBLEMS, "--into %s: the file has errors (above); fix "
			       "them first, nothing was written", s->c.into);
	} else if (rc == CADENCE_EINVALID) {
		rc = cli_error(CLI_EXIT_PROBLEMS, "cannot add %s '%s' to %s: %s; nothing "
			       "was written", what, s->name, s->c.into, cad_strbuf_cstr(&why));
	} else if (rc) {
		rc = cli_error(CLI_EXIT_INTERNAL, "cannot add %s '%s' to %s: %s", what, s->name,
			       s->c.into, cadence_strerror(rc));
	}
	cad_strbuf_free(&why);
	return rc ? rc : check_edited(s);
}

/* The edited --into file, added to the plan after the note's file. */
static int plan_into(new_note_job *s)
{
	int rc = cad_plan_add(&s->p, s->c.into, s->edited, s->edited_len, PLAN_KEEP_MODE, 1);
	if (rc)
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
		if (s->c.then)
			printf("\nand the measure '- then: %s' to its measures:, line %u\n", name,
			       s->then_line);
		else if (s->unused)
			printf("\nrun it from measures: with '- then: %s' (or add it with --then)\n",
			       name);
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

/* Where the note goes, and the --into file read. */
static int place_note(new_note_job *s)
{
	strbuf file = STRBUF_INIT;
	int rc;
	if (s->c.then && !s->c.into)
		return cli_usage_error("%s adds the measure to a cadence file: give --into "
				       "CADENCE_FILE too", s->c.after ? "--after" : "--then");
	if (s->c.into && !strcmp(s->c.into, "-"))
		return cli_usage_error("--into edits a cadence file in place, which standard input "
				       "('-') cannot be: give the file's path");
	if ((rc = find_project(&s->c)))
		return rc;
	cad_strbuf_addf(&file, "%s%s", s->name, s->c.lang_c ? ".c" : ".sh");
	s->dir = default_dir(&s->c, s->c.dir, "notes");
	s->note_path = s->dir ? scaffold_join(s->dir, cad_strbuf_cstr(&file)) : NULL;
	s->into_dir = s->c.into ? cad_path_dir(s->c.into) : NULL;
	cad_strbuf_free(&file);
	if (!s->note_path || (s->c.into && !s->into_dir))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	return s->c.into ? read_into(s) : 0;
}

/* The note's file (and --into's edit) as one plan, written or shown. */
static int make_note(new_note_job *s)
{
	int rc;

	s->g.name = s->name;
	s->g.lang_c = s->c.lang_c;
	if ((rc = scaffold_check_name("note", s->name, s->c.lang_c)) ||
	    (rc = note_options(&s->c, &s->g, &s->fallback)) || (rc = place_note(s)) ||
	    (rc = resolve_run_path(s)))
		return rc;
	if (cad_notegen_fields(&s->g, &s->lines, &s->nlines))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if ((s->c.into && (rc = edit_into(s))) || (rc = render_note(s)) ||
	    (s->c.into && (rc = plan_into(s))) ||
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
	"The file goes into --dir DIR, else the project's cadences directory when\n"
	"it exists, else the project root, wherever in the project the command\n"
	"runs; outside a project, into cadences/ when it exists, else here. (The\n"
	"project: the directory of cadence.project.yaml found upward, else the\n"
	"nearest one below the repository's top holding cadences/ and notes/.)\n"
	"NAME is the cadence's name: letters, digits and '_',\n"
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
	"The file goes into --dir DIR, else the project's notes/ when it exists,\n"
	"else the project root, wherever in the project the command runs (see\n"
	"'cadence new cadence --help'); outside a project, into notes/ when it\n"
	"exists, else here. It is replaced only with --force.\n"
	"\n"
	"The YAML that declares the note, with the policies asked for, is printed.\n"
	"With --into CADENCE_FILE it is added to the end of that file's notes:\n"
	"instead, and the rest of the file is left as it was; --then also adds\n"
	"'- then: NAME' to the end of measures:, --after MEASURE right after the\n"
	"measure of that name (the value of its then:, sync:, ... key). The file\n"
	"is checked as it will be after the edit: errors the edit fixes (a measure\n"
	"that runs the note, written first) do not refuse it; errors that remain\n"
	"or that the edit brings do, and nothing is written. A flow-style notes:\n"
	"or measures:, or a note of the same name, is refused. The note's\n"
	"placeholder output then gives each field it writes a value of the\n"
	"field's declared type.\n"
	"\n"
	"Run paths in the YAML are relative to the cadence file: to CADENCE_FILE's\n"
	"directory, else to where 'cadence new cadence' would write.",
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
	"      [--fallback JSON] [--reads F,...] [--writes F,...]\n"
	"      [--into CADENCE_FILE [--then | --after MEASURE]]\n"
	"Both take --force, --dry-run and --templates DIR; see\n"
	"'cadence new cadence --help' and 'cadence new note --help'.\n"
	"\n"
	"Exit status: 0 written (or shown, with --dry-run), 1 refused (a file\n"
	"exists, --into cannot take the note), 2 usage error (a bad name or\n"
	"value, an --after MEASURE the file does not have), 3 writing failed\n"
	"(everything undone).",
	new_opts,
	run_new,
};
