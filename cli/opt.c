/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/grow.h"
#include "util/json.h"
#include "util/suggest.h"
#include "util/utf8.h"

#include <cadence/report.h>
#include <cjson/cJSON.h>

/* The CLI process's error format, set once by `--log json` (cmd_run.c):
 * the binary's own output mode, not library state. */
static int errors_json;

void cli_errors_as_json(int on)
{
	errors_json = on;
}

int cli_errors_are_json(void)
{
	return errors_json;
}

int cli_json_line(cJSON *o)
{
	char *s = o ? cad_json_print(o, 0) : NULL;
	if (s)
		cad_json_puts(stderr, s);
	free(s);
	cJSON_Delete(o);
	return s ? 0 : -1;
}

cJSON *cli_json_event(const char *event)
{
	char when[32];
	cJSON *o = cJSON_CreateObject();
	cadence_events_time(when);
	if (o && !(cJSON_AddStringToObject(o, "time", when) &&
		   cJSON_AddStringToObject(o, "event", event))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

int cli_json_lines_timed(FILE *f, const char *lines, size_t len)
{
	char when[32];
	cadence_events_time(when);
	for (size_t i = 0; i < len;) {
		const char *end = memchr(lines + i, '\n', len - i);
		size_t n = end ? (size_t)(end - lines) - i + 1 : len - i;
		/* an object with keys: its '{' becomes {"time":"...", */
		size_t skip = n > 2 && lines[i] == '{' && lines[i + 1] != '}';
		if (skip)
			fprintf(f, "{\"time\":\"%s\",", when);
		fwrite(lines + i + skip, 1, n - skip, f);
		i += n;
	}
	return ferror(f) ? -1 : 0;
}

/* The message as a JSON line, {"time":"...","event":"error","message":"..."};
 * 0 when it could not be made. */
static int print_json_error(const char *event, const char *msg)
{
	cJSON *o = cli_json_event(event);
	if (o && !cad_json_add_text(o, "message", msg)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return cli_json_line(o) == 0;
}


/* The formatted text, in `small` when it fits, else allocated (free it
 * when it is not `small`); its first part when there is no memory. */
static char *vformat(char *small, size_t size, const char *fmt, va_list ap)
{
	char *buf = small;
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(small, size, fmt, ap);
	if (n >= (int)size && (buf = malloc((size_t)n + 1)))
		vsnprintf(buf, (size_t)n + 1, fmt, again);
	va_end(again);
	if (n < 0)
		small[0] = '\0';
	return buf ? buf : small;
}

/* Writes the formatted text with every control character but the line
 * end and the tab as '?', C1 controls (U+009B is CSI: an escape in one
 * character) and bidirectional overrides too, and each byte that is not
 * UTF-8: messages quote names, paths, expressions and what notes wrote,
 * and none of that may drive or reorder the terminal. */
static void vprint_clean(FILE *f, const char *fmt, va_list ap)
{
	char small[512];
	char *buf = vformat(small, sizeof(small), fmt, ap);
	size_t len = strlen(buf), out = 0;
	/* cleaned in place ('?' is never longer than what it replaces), then
	 * written at once: stderr is unbuffered, and a write per character
	 * made a note's flood of log lines cost seconds to print */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = cad_utf8_decode((const unsigned char *)buf + i, len - i, &cp);
		if (n && (!cad_utf8_is_unsafe(cp) || cp == '\n' || cp == '\t')) {
			if (out != i)	/* only after a replacement */
				memmove(buf + out, buf + i, n);
			out += n;
		} else {
			buf[out++] = '?';
		}
		i += n ? n : 1;
	}
	fwrite(buf, 1, out, f);
	if (buf != small)
		free(buf);
}

/* "cadence: EVENT: MESSAGE" (EVENT "error", say), or its JSON line */
static void vsay(const char *event, const char *fmt, va_list ap)
{
	if (errors_json) {
		char small[512];
		char *buf = vformat(small, sizeof(small), fmt, ap);
		int done = print_json_error(event, buf);
		if (buf != small)
			free(buf);
		if (!done)
			fputs("cadence: error: out of memory\n", stderr);
		return;
	}
	fprintf(stderr, "cadence: %s: ", event);
	vprint_clean(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_print_clean(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint_clean(f, fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("error", fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

int cli_say(int code, const char *event, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(event, fmt, ap);
	va_end(ap);
	return code;
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("error", fmt, ap);
	va_end(ap);
	return code;
}

void cli_args_free(cli_args *args)
{
	free(args->pos);
	args->pos = NULL;
	args->npos = 0;
}

static const cli_opt *find_long(const cli_cmd *cmd, const char *name, size_t len)
{
	for (const cli_opt *o = cmd->opts; o->id; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const cli_opt *find_short(const cli_cmd *cmd, char c)
{
	for (const cli_opt *o = cmd->opts; o->id; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

/* The one long option of cmd that name[0, len) begins, or NULL (none, or
 * several). */
static const char *only_prefix(const cli_cmd *cmd, const char *name, size_t len)
{
	const char *found = NULL;
	for (const cli_opt *o = cmd->opts; o->id; o++)
		if (o->long_name && !strncmp(o->long_name, name, len)) {
			if (found)
				return NULL;
			found = o->long_name;
		}
	return found;
}

/* Letters that meant another option in one command until 0.2, when each
 * letter came to mean one thing in every command (docs/cli.md, "Option
 * letters"): the error names the long option they stood for. */
static const struct retired {
	const char *cmd;
	char letter;
	const char *long_name;
} retired[] = {
	{ "init", 'n', "name" },		/* -n: --dry-run */
	{ "history", 'n', "limit" },
	{ "schedule next", 'n', "count" },
	{ "resume", 'f', "force" },		/* -f: --format */
	{ "diagram", 'c', "cadence" },		/* -c: --compact */
	{ "new cadence", 't', "template" },	/* -t: --timings */
	{ "schedule export", 't', "to" },
	{ "new note", 'l', "lang" },		/* -l: --listen */
};

static int unknown_short(const cli_cmd *cmd, char c)
{
	for (size_t k = 0; k < sizeof(retired) / sizeof(retired[0]); k++)
		if (retired[k].letter == c && !strcmp(retired[k].cmd, cmd->name))
			return cli_usage_error("'-%c' is no longer short for '--%s' in 'cadence %s' "
					       "(a letter means one option in every command); use '--%s'",
					       c, retired[k].long_name, cmd->name, retired[k].long_name);
	return cli_usage_error("unknown option '-%c' for 'cadence %s'; see 'cadence %s --help'",
			       c, cmd->name, cmd->name);
}

static int unknown_long(const cli_cmd *cmd, const char *name, size_t len)
{
	cad_suggest s;
	cad_suggest_init(&s, name, len);
	for (const cli_opt *o = cmd->opts; o->id; o++)
		if (o->long_name)
			cad_suggest_try(&s, o->long_name);
	const char *near = s.best;
	/* too short for the distance ('--form'): the one option it begins */
	if (!near && len >= 2)
		near = only_prefix(cmd, name, len);
	if (near)
		return cli_usage_error("unknown option '--%.*s' for 'cadence %s'; did you mean '--%s'?",
				       (int)len, name, cmd->name, near);
	return cli_usage_error("unknown option '--%.*s' for 'cadence %s'; see 'cadence %s --help'",
			       (int)len, name, cmd->name, cmd->name);
}

static int check_choice(const cli_opt *o, const char *value)
{
	if (!o->choices)
		return 0;
	size_t n = 0;
	for (const char *const *c = o->choices; *c; c++, n++)
		if (!strcmp(*c, value))
			return 0;
	fprintf(stderr, "cadence: error: invalid value '%s' for --%s; choose one of:",
		value, o->long_name);
	for (const char *const *c = o->choices; *c; c++)
		fprintf(stderr, "%s %s", c == o->choices ? "" : ",", *c);
	const char *near = cad_suggest_pick(value, strlen(value), o->choices, n);
	if (near)
		fprintf(stderr, " (did you mean '%s'?)", near);
	else if (strchr(value, '/') || !access(value, F_OK))	/* --color examples/ */
		fprintf(stderr, " ('%s' looks like a path: the option took it as its value; "
			"give the value with '=' (--%s=%s) or the option after the paths)",
			value, o->long_name, o->choices[0]);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

/* Does the option take a path ("FILE", "DIR", "PATH.so", "CADENCE_FILE")? */
static int takes_path(const cli_opt *o)
{
	return o->arg && !o->choices &&
	       (strstr(o->arg, "FILE") || strstr(o->arg, "DIR") || strstr(o->arg, "PATH"));
}

static int deliver(const cli_opt *o, const char *value,
		   int (*on_opt)(void *, int, const char *), void *ctx,
		   cli_args *args)
{
	int rc;
	if (o->id == CLI_OPT_HELP) {
		args->help = 1;
		return 0;
	}
	if (value && (rc = check_choice(o, value)))
		return rc;
	/* "" is never a file, and each command would read it differently
	 * (init "" wrote into /): an unset variable, said before anything
	 * runs */
	if (value && !*value && takes_path(o))
		return cli_usage_error("option '--%s' needs a %s, not an empty string (an unset "
				       "variable?)", o->long_name, o->arg);
	return on_opt(ctx, o->id, value);
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv,
	      int (*on_opt)(void *ctx, int id, const char *value), void *ctx,
	      cli_args *args)
{
	int only_pos = 0, rc = 0;

	memset(args, 0, sizeof(*args));
	args->pos = calloc((size_t)argc + 1, sizeof(*args->pos));
	if (!args->pos)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	for (int i = 1; i < argc && !rc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || !a[1]) {
			args->pos[args->npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const cli_opt *o = find_long(cmd, name, len);
			const char *value = NULL;
			if (!o) {
				rc = unknown_long(cmd, name, len);
				break;
			}
			if (o->arg) {
				if (eq)
					value = eq + 1;
				else if (i + 1 < argc)
					value = argv[++i];
				else {
					rc = cli_usage_error("option '--%s' needs a value (%s)",
							     o->long_name, o->arg);
					break;
				}
			} else if (eq) {
				rc = cli_usage_error("option '--%s' takes no value", o->long_name);
				break;
			}
			rc = deliver(o, value, on_opt, ctx, args);
			continue;
		}
		/* a cluster of short options: -qv, or -o FILE / -oFILE */
		for (const char *p = a + 1; *p && !rc; p++) {
			const cli_opt *o = find_short(cmd, *p);
			if (!o) {
				rc = unknown_short(cmd, *p);
				break;
			}
			if (o->arg) {
				const char *value = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
				if (!value) {
					rc = cli_usage_error("option '-%c' needs a value (%s)", *p, o->arg);
					break;
				}
				rc = deliver(o, value, on_opt, ctx, args);
				break;
			}
			rc = deliver(o, NULL, on_opt, ctx, args);
		}
	}
	if (rc)
		cli_args_free(args);
	return rc;
}

/* The length of the page name (registry.md, events.schema.json) that ends
 * just before text + end, or 0. */
static size_t page_name_before(const char *text, size_t end)
{
	size_t start = end;
	while (start && text[start - 1] && strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", text[start - 1]))
		start--;
	return end - start;
}

/* Whether text[0..len) names the page name[0..n) (as a whole word). */
static int names_page(const char *text, size_t len, const char *name, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!strncmp(text + i, name, n) && page_name_before(text, i + n) == n)
			return 1;
	return 0;
}

/* Prints the installed path of each page of the documentation that text
 * names (a word ending in .md or .schema.json: not an example file such
 * as score.json), once, unless skip (an earlier text) named it too: the
 * help names pages, and an installed cadence has them in CADENCE_DOCDIR,
 * not in docs/. */
static void print_pages(const char *text, const char *skip, FILE *out)
{
	static const char *const exts[] = { ".md", ".schema.json" };
	for (const char *p = text; *p; p++) {
		for (size_t e = 0; e < sizeof(exts) / sizeof(exts[0]); e++) {
			size_t elen = strlen(exts[e]);
			if (strncmp(p, exts[e], elen) || (p[elen] >= 'a' && p[elen] <= 'z'))
				continue;
			size_t end = (size_t)(p - text) + elen;
			size_t n = page_name_before(text, end);
			const char *name = text + end - n;
			/* once: not a name an earlier part of text named */
			if (n > elen && !names_page(text, (size_t)(name - text), name, n) &&
			    !(skip && names_page(skip, strlen(skip), name, n)))
				fprintf(out, "  %s/%.*s\n", CADENCE_DOCDIR, (int)n, name);
		}
	}
}

void cli_print_help(const cli_cmd *cmd, FILE *out)
{
	fprintf(out, "usage: cadence %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
	if (cmd->description)
		fprintf(out, "\n%s\n", cmd->description);
	fputs("\noptions:\n", out);
	for (const cli_opt *o = cmd->opts; o->id; o++) {
		char left[64];
		int n = 0;
		if (o->short_name)
			n = snprintf(left, sizeof(left), "-%c, ", o->short_name);
		else
			n = snprintf(left, sizeof(left), "    ");
		if (o->arg)
			snprintf(left + n, sizeof(left) - (size_t)n, "--%s %s", o->long_name, o->arg);
		else
			snprintf(left + n, sizeof(left) - (size_t)n, "--%s", o->long_name);
		fprintf(out, "  %-28s %s", left, o->help);
		if (o->choices) {
			fputs(" (", out);
			for (const char *const *c = o->choices; *c; c++)
				fprintf(out, "%s%s", c == o->choices ? "" : ", ", *c);
			fputc(')', out);
		}
		fputc('\n', out);
	}
	fputs("\nsee also:\n  man 1 cadence\n", out);
	if (cmd->description)
		print_pages(cmd->description, NULL, out);
	for (const cli_opt *o = cmd->opts; o->id; o++)
		print_pages(o->help, cmd->description, out);
}

int cli_color_wanted(const char *mode, FILE *stream)
{
	const char *no_color = getenv("NO_COLOR");
	if (mode && !strcmp(mode, "always"))
		return 1;
	if (mode && !strcmp(mode, "never"))
		return 0;
	if (no_color && *no_color)
		return 0;
	const char *term = getenv("TERM");
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fileno(stream));
}

int cli_add_value(const char ***list, size_t *n, const char *v)
{
	const char **l = cad_realloc_array((void *)*list, *n + 1, sizeof(*l));
	if (!l)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	l[(*n)++] = v;
	*list = l;
	return 0;
}
