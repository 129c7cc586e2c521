/* SPDX-License-Identifier: MIT */
/* What `cadence init` and `cadence new` share (scaffold.h). */
/* realpath(), readlink() */
#define _XOPEN_SOURCE 700
#include "scaffold.h"

#include "cli.h"
#include "embed.h"

#include <cadence/cadence.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/scalar.h"
#include "util/afile.h"
#include "util/grow.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/utf8.h"

void tset_free(tset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->files[i].path);
		free(s->files[i].data);
	}
	free(s->files);
	free(s->origin);
	memset(s, 0, sizeof(*s));
}

static int tset_add(tset *s, const char *path, const char *data, size_t len)
{
	tfile *f = cad_realloc_array(s->files, s->n + 1, sizeof(*f));
	if (!f)
		return -1;
	s->files = f;
	f = &s->files[s->n];
	f->path = strdup(path);
	f->data = malloc(len + 1);
	if (!f->path || !f->data) {
		free(f->path);
		free(f->data);
		return -1;
	}
	memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	s->n++;
	return 0;
}

/* A template that is a symbolic link out of its set (`key.txt ->
 * ~/.ssh/id_rsa` in a shared template directory) would copy that file
 * into the project, readable by all (issue 14, probe): refused, -2. */
static int leads_out(const char *root, const char *real_root, const char *full,
		     const struct stat *lst)
{
	if (!S_ISLNK(lst->st_mode) || cad_path_inside(real_root, full) == 1)
		return 0;
	char to[4096];
	ssize_t n = readlink(full, to, sizeof(to) - 1);
	to[n > 0 ? n : 0] = '\0';
	cli_error(CLI_EXIT_PROBLEMS, "template %s is a symbolic link to '%s', outside '%s'; "
		  "nothing was written (put the file itself in the templates)", full, to, root);
	return -2;
}

/* Adds every regular file below root/rel (hidden ones too; symbolic links
 * to directories are not followed, links out of the set are refused). */
static int load_dir(tset *s, const char *root, const char *real_root, const char *rel)
{
	char *dir = rel[0] ? scaffold_join(root, rel) : strdup(root);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int rc = 0;

	if (!d) {
		free(dir);
		return -1;
	}
	while (!rc && (e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *sub = rel[0] ? scaffold_join(rel, e->d_name) : strdup(e->d_name);
		char *full = sub ? scaffold_join(root, sub) : NULL;
		if (!full || lstat(full, &st)) {
			rc = -1;
		} else if ((rc = leads_out(root, real_root, full, &st))) {
			/* said */
		} else if (S_ISDIR(st.st_mode)) {
			rc = load_dir(s, root, real_root, sub);
		} else if (!stat(full, &st) && S_ISREG(st.st_mode)) {
			char *data;
			size_t len;
			rc = cad_afile_read(full, &data, &len);
			if (!rc) {
				rc = tset_add(s, sub, data, len);
				free(data);
			}
		}
		free(sub);
		free(full);
	}
	closedir(d);
	free(dir);
	return rc;
}

int tset_load(tset *s, const char *dir, const char *set)
{
	memset(s, 0, sizeof(*s));
	if (!dir || !*dir) {
		const char *env = getenv(SCAFFOLD_TEMPLATES_ENV);
		dir = env && *env ? env : NULL;
	}
	if (!dir) {
		size_t n = strlen(set);
		for (const embed_file *e = embed_templates; e->path; e++)
			if (!strncmp(e->path, set, n) && e->path[n] == '/' &&
			    tset_add(s, e->path + n + 1, (const char *)e->data, e->len))
				goto oom;
		if (!(s->origin = strdup("the built-in templates")))
			goto oom;
		return 0;
	}
	struct stat st;
	char *root = scaffold_join(dir, set);
	if (!root)
		goto oom;
	if (stat(root, &st) || !S_ISDIR(st.st_mode)) {
		int rc = cli_usage_error("the template directory '%s' has no '%s/' (it is laid out "
					 "like templates/ in cadence's sources: project/ for init, "
					 "cadence/ for new cadence, note/sh/ and note/c/ for new note; "
					 "only the one in use must exist)", dir, set);
		free(root);
		return rc;
	}
	char *real_root = realpath(root, NULL);
	int lr = real_root ? load_dir(s, root, real_root, "") : -1;
	free(real_root);
	if (lr) {
		int rc = lr == -2 ? CLI_EXIT_PROBLEMS :
			 cli_error(errno == ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_PROBLEMS,
				   "cannot read the templates in '%s': %s", root, strerror(errno));
		free(root);
		tset_free(s);
		return rc;
	}
	s->origin = root;
	if (!s->n)
		return cli_usage_error("the template directory '%s' is empty", root);
	return 0;
oom:
	tset_free(s);
	return cli_error(CLI_EXIT_INTERNAL, "out of memory");
}

char *scaffold_join(const char *dir, const char *rel)
{
	/* "" is "." too, never "/" */
	if (!strcmp(dir, ".") || !*dir)
		return strdup(rel);
	size_t dl = strlen(dir), rl = strlen(rel);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	char *p = malloc(dl + rl + 2);
	if (p) {
		memcpy(p, dir, dl);
		p[dl] = '/';
		memcpy(p + dl + 1, rel, rl + 1);
		if (dl == 1 && dir[0] == '/')
			memmove(p + 1, p + 2, rl + 1);
	}
	return p;
}

int scaffold_mode(const char *path)
{
	static int mask = -1;
	size_t n = strlen(path);
	if (mask < 0) {
		mode_t m = umask(0);
		umask(m);
		mask = (int)m;
	}
	return ((n > 3 && !strcmp(path + n - 3, ".sh")) ? 0777 : 0666) & ~mask;
}

int scaffold_render(plan *p, const tset *s, const char *dest, const char *name,
		    const render_var *vars, size_t nvars, int force)
{
	if (!p->root && cad_plan_set_root(p, dest))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		strbuf out = STRBUF_INIT, path = STRBUF_INIT, why = STRBUF_INIT;
		char *full = NULL;
		int rc = cad_render_path(&path, s->files[i].path, name);
		if (!rc)
			rc = cad_render_template(&out, s->files[i].data, s->files[i].len, vars, nvars, &why);
		if (rc == CADENCE_EINVALID) {
			cli_error(CLI_EXIT_PROBLEMS, "template %s/%s: %s", s->origin, s->files[i].path,
				  cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory");
			rc = CLI_EXIT_PROBLEMS;
		} else if (!rc && !(full = scaffold_join(dest, cad_strbuf_cstr(&path)))) {
			rc = CADENCE_ENOMEM;
		} else if (!rc) {
			rc = cad_plan_add(p, full, out.buf ? out.buf : "", out.len,
				      scaffold_mode(full), force);
		}
		free(full);
		cad_strbuf_free(&out);
		cad_strbuf_free(&path);
		cad_strbuf_free(&why);
		if (rc == CADENCE_ENOMEM)
			return cli_error(CLI_EXIT_INTERNAL, "out of memory");
		if (rc == CADENCE_EINVAL)
			return cli_error(CLI_EXIT_PROBLEMS, "templates %s: two files make %s",
					 s->origin, s->files[i].path);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- names ------------------------------------------------------------- */

static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do",
	"double", "else", "enum", "extern", "float", "for", "goto", "if",
	"inline", "int", "long", "register", "restrict", "return", "short",
	"signed", "sizeof", "static", "struct", "switch", "typedef", "union",
	"unsigned", "void", "volatile", "while", "main", NULL,
};

/* A name printed in a message: control characters and bad UTF-8 shown
 * as U+FFFD. */
static char *shown(const char *s, size_t len)
{
	char *p = cad_utf8_dup_printable(s, len, 0);
	return p ? p : strdup("?");
}

/* Is the problem cad_scalar_name() found at `bad` a character (rather than
 * the length or a reserved word)? */
static int bad_char(const char *name, size_t len, size_t bad)
{
	if (bad >= len || cad_scalar_is_reserved(name, len))
		return 0;
	char c = name[bad];
	int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
	return !(letter || (bad > 0 && c >= '0' && c <= '9'));
}

static const char *const extensions[] = { ".cadence.yaml", ".yaml", ".yml", ".sh", ".c", NULL };

int scaffold_check_name(const char *what, const char *name, int c_ident)
{
	size_t len = strlen(name), bad = 0, stem = len;
	const char *msg = cad_scalar_name(name, len, &bad);
	const char *slash = strrchr(name, '/');
	char suggestion[NAME_MAX_LEN + 2];
	strbuf why = STRBUF_INIT;

	if (!msg && c_ident) {
		for (size_t i = 0; c_keywords[i]; i++)
			if (!strcmp(name, c_keywords[i]))
				msg = "a C note is a C function of that name, and this is a C keyword";
		if (!strncmp(name, "cadence_", 8) || !strncmp(name, "cJSON_", 6))
			msg = "names starting with 'cadence_' or 'cJSON_' belong to the libraries";
		if (msg) {
			snprintf(suggestion, sizeof(suggestion), "%.*s_note", NAME_MAX_LEN - 5, name);
			char *n = shown(name, len);
			cli_usage_error("invalid %s name '%s': %s; try '%s'", what, n, msg, suggestion);
			free(n);
			return CLI_EXIT_USAGE;
		}
	}
	if (!msg)
		return 0;

	/* suggest from the last path component, without a file extension */
	const char *base = slash ? slash + 1 : name;
	stem = strlen(base);
	for (size_t i = 0; extensions[i]; i++) {
		size_t e = strlen(extensions[i]);
		if (stem > e && !strcmp(base + stem - e, extensions[i])) {
			stem -= e;
			break;
		}
	}
	cad_scalar_name_suggest(base, stem, suggestion, sizeof(suggestion));

	char *n = shown(name, len);
	if (!len) {
		cad_strbuf_addf(&why, "the %s name is empty", what);
	} else if (slash) {
		cad_strbuf_addf(&why, "invalid %s name '%s': '/' is a path separator; give a name, "
			    "not a path", what, n);
	} else if (!bad_char(name, len, bad)) {
		cad_strbuf_addf(&why, "invalid %s name '%s': %s", what, n, msg);
		if (len > NAME_MAX_LEN)
			cad_strbuf_addf(&why, " (it has %zu)", len);
	} else {
		/* the offending character, as a character, and where it is */
		uint32_t cp = 0;
		size_t clen = cad_utf8_decode((const unsigned char *)name + bad, len - bad, &cp);
		size_t pos = 1 + cad_utf8_count(name, bad);
		cad_strbuf_addf(&why, "invalid %s name '%s': ", what, n);
		if (clen && !cad_utf8_is_control(cp))
			cad_strbuf_addf(&why, "'%.*s'", (int)clen, name + bad);
		else
			cad_strbuf_addf(&why, "U+%04X", (unsigned)(clen ? cp : (unsigned char)name[bad]));
		cad_strbuf_addf(&why, " (character %zu) is not allowed: %s", pos, msg);
	}
	free(n);
	if (strcmp(suggestion, name))
		cad_strbuf_addf(&why, "; try '%s'", suggestion);
	cli_usage_error("%s", cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "invalid name");
	cad_strbuf_free(&why);
	return CLI_EXIT_USAGE;
}

/* ---- writing ------------------------------------------------------------ */

int scaffold_apply(plan *p, int dry_run, int force)
{
	strbuf why = STRBUF_INIT;
	int rc = cad_plan_check(p, &why);

	if (rc == CADENCE_ENOMEM) {
		cad_strbuf_free(&why);
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	}
	if (rc) {
		const char *w = cad_strbuf_cstr(&why);
		fprintf(stderr, "cadence: error: nothing was written:\n");
		for (const char *l = w; l && *l;) {
			const char *e = strchr(l, '\n');
			size_t n = e ? (size_t)(e - l) : strlen(l);
			fprintf(stderr, "  %.*s\n", (int)n, l);
			l += n + (e != NULL);
		}
		if (!force && w && strstr(w, "already exists"))
			fprintf(stderr, "use --force to replace the files the templates write "
				"(no other file is touched), or --dry-run to list them\n");
		cad_strbuf_free(&why);
		return CLI_EXIT_PROBLEMS;
	}
	if (!dry_run) {
		rc = cad_plan_commit(p, NULL, &why);
		if (rc) {
			rc = cli_error(CLI_EXIT_INTERNAL, "%s; nothing was written",
				       cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory");
			cad_strbuf_free(&why);
			return rc;
		}
	}
	cad_strbuf_free(&why);
	for (size_t i = 0; i < p->nfiles; i++) {
		const plan_file *f = &p->files[i];
		const char *verb = f->edit ? (dry_run ? "would update" : "updated")
				 : f->exists ? (dry_run ? "would replace" : "replaced")
				 : (dry_run ? "would create" : "created");
		/* one line per file, whatever the directory's name holds */
		char *shown = cad_utf8_dup_printable(f->path, strlen(f->path), 0);
		printf("%s %s\n", verb, shown ? shown : "?");
		free(shown);
	}
	return 0;
}
