/* SPDX-License-Identifier: MIT */
/* cadence completion bash|zsh|fish: shell completion scripts.
 *
 * The scripts' logic is in completions/ (the .in files) (embedded at build time); the
 * lists of commands, options and values are generated here from the
 * command tables, so they cannot drift from what the commands accept.
 * Positional arguments are read from each command's usage line: FILE and
 * PATH complete *.cadence.yaml files, DIR directories, COMMAND commands and
 * a|b|c those words. */
#include "cli.h"
#include "embed.h"

#include <cadence/cadence.h>

#include <string.h>

#include "diag/rules.h"
#include "scaffold/render.h"
#include "util/strbuf.h"
#include "util/suggest.h"

typedef enum vkind { VK_NONE, VK_WORDS, VK_COMMANDS, VK_CADENCE, VK_DIRS, VK_FILES } vkind;

typedef struct vspec {
	vkind kind;
	char words[2048];	/* VK_WORDS: space-separated (every rule id fits) */
} vspec;

#define MAX_POS 8

typedef struct posspec {
	vspec v[MAX_POS];
	size_t n;
	int repeat;		/* the last one repeats */
} posspec;


/* Commands with subcommands of their own. */
static const cli_cmd *const *subcommands(const cli_cmd *c)
{
	return cli_subcommands(c);
}

/* Every top-level command, help last. */
static const cli_cmd *command_at(size_t i)
{
	size_t n = 0;
	while (cli_commands[n])
		n++;
	if (i < n)
		return cli_commands[i];
	return i == n ? &cli_cmd_help : NULL;
}

/* What a placeholder stands for: CADENCE_FILE is a cadence file; in a
 * usage line (positional) so are FILE and PATH, while as an option's value
 * they are any file. */
static vspec placeholder_kind(const char *arg, int positional)
{
	vspec v = { VK_NONE, "" };
	if (!strcmp(arg, "RULE")) {	/* explain RULE, validate --disable RULE */
		size_t n = 0;
		v.kind = VK_WORDS;
		for (size_t i = 0; i < cad_diag_rules_count; i++)
			n += (size_t)snprintf(v.words + n, n < sizeof(v.words) ? sizeof(v.words) - n : 0,
					      "%s%s", i ? " " : "", cad_diag_rules[i].id);
		return v;
	}
	if (strstr(arg, "CADENCE") || (positional && (!strcmp(arg, "FILE") || !strcmp(arg, "PATH"))))
		v.kind = VK_CADENCE;
	else if (strstr(arg, "DIR"))
		v.kind = VK_DIRS;
	else if (!strcmp(arg, "COMMAND"))
		v.kind = VK_COMMANDS;
	else if (!strcmp(arg, "FILE") || !strcmp(arg, "PATH") || strstr(arg, ".so") ||
		 strstr(arg, "CHECKPOINT") ||
		 strstr(arg, "LIB") || strstr(arg, "PLUGIN") || strstr(arg, "OUT"))
		v.kind = VK_FILES;
	return v;
}

static vspec opt_kind(const cli_opt *o)
{
	vspec v = { VK_NONE, "" };
	if (o->choices) {
		size_t n = 0;
		v.kind = VK_WORDS;
		for (const char *const *c = o->choices; *c; c++)
			n += (size_t)snprintf(v.words + n, n < sizeof(v.words) ? sizeof(v.words) - n : 0,
					      "%s%s", c == o->choices ? "" : " ", *c);
		return v;
	}
	return placeholder_kind(o->arg, 0);
}

/* "NAME|CADENCE_FILE": alternatives that are all placeholders (capitals,
 * digits, '_'), not words to type */
static int placeholders(const char *t)
{
	for (; *t; t++)
		if (!(*t == '|' || *t == '_' || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9')))
			return 0;
	return 1;
}

/* The first of the alternatives that completes anything. */
static vspec alternatives_kind(const char *t)
{
	vspec v = { VK_NONE, "" };
	char alt[128];
	while (*t && v.kind == VK_NONE) {
		size_t n = strcspn(t, "|");
		snprintf(alt, sizeof(alt), "%.*s", (int)n, t);
		v = placeholder_kind(alt, 1);
		t += n + (t[n] == '|');
	}
	return v;
}

static void parse_usage(const char *usage, posspec *ps)
{
	memset(ps, 0, sizeof(*ps));
	for (const char *s = usage; *s && ps->n < MAX_POS;) {
		while (*s == ' ')
			s++;
		const char *e = s;
		while (*e && *e != ' ')
			e++;
		char tok[128];
		size_t len = (size_t)(e - s);
		snprintf(tok, sizeof(tok), "%.*s", (int)len, s);
		s = e;
		char *t = tok;
		while (*t == '[')
			t++;
		len = strlen(t);
		while (len && t[len - 1] == ']')
			t[--len] = '\0';
		int dots = len > 3 && !strcmp(t + len - 3, "...");
		if (dots)
			t[len -= 3] = '\0';
		if (!len || t[0] == '-' || !strcmp(t, "OPTIONS"))
			continue;
		vspec *v = &ps->v[ps->n++];
		if (strchr(t, '|') && placeholders(t)) {
			*v = alternatives_kind(t);
		} else if (strchr(t, '|')) {
			v->kind = VK_WORDS;
			snprintf(v->words, sizeof(v->words), "%s", t);
			for (char *p = v->words; *p; p++)
				if (*p == '|')
					*p = ' ';
		} else {
			*v = placeholder_kind(t, 1);
		}
		ps->repeat = dots;
	}
}

/* ---- quoting ------------------------------------------------------------- */

/* 'text' for sh-like shells (bash, zsh) */
static void sq(strbuf *b, const char *s)
{
	cad_render_escape(b, "sh", s);
}

/* 'text' for fish */
static void fq(strbuf *b, const char *s)
{
	cad_strbuf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			cad_strbuf_addc(b, '\\');
		cad_strbuf_addc(b, *s);
	}
	cad_strbuf_addc(b, '\'');
}

/* An _arguments description in [...]: escape the brackets and colons. */
static void zdesc(strbuf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("[]:\\", *s))
			cad_strbuf_addc(b, '\\');
		cad_strbuf_addc(b, *s);
	}
}

static void fn_name(strbuf *b, const char *path)
{
	for (; *path; path++)
		cad_strbuf_addc(b, (*path >= 'a' && *path <= 'z') || (*path >= '0' && *path <= '9')
			    ? *path : '_');
}

static void command_words(strbuf *b)
{
	for (size_t i = 0; command_at(i); i++)
		cad_strbuf_addf(b, "%s%s", i ? " " : "", command_at(i)->name);
}

/* The word after a subcommand's parent: "note" of "new note". */
static const char *leaf(const cli_cmd *c)
{
	const char *sp = strrchr(c->name, ' ');
	return sp ? sp + 1 : c->name;
}

/* Calls fn for each command that takes options and arguments: the
 * top-level ones and each subcommand. */
static void each_command(strbuf *b, void (*fn)(strbuf *, const cli_cmd *, int depth))
{
	for (size_t i = 0; command_at(i); i++) {
		const cli_cmd *c = command_at(i);
		const cli_cmd *const *subs = subcommands(c);
		fn(b, c, 1);
		for (size_t j = 0; subs && subs[j]; j++)
			fn(b, subs[j], 2);
	}
}

/* ---- bash ---------------------------------------------------------------- */

static void bash_kind(strbuf *b, vspec v)
{
	static const char *const names[] = { "none", "words ", "commands", "cadence", "dirs", "files" };
	cad_strbuf_adds(b, "echo ");
	cad_strbuf_adds(b, "'");
	cad_strbuf_adds(b, names[v.kind]);
	if (v.kind == VK_WORDS)
		cad_strbuf_adds(b, v.words);
	cad_strbuf_adds(b, "'");
}

static void bash_options(strbuf *b, const cli_cmd *c, int depth)
{
	(void)depth;
	cad_strbuf_adds(b, "\t");
	sq(b, c->name);
	cad_strbuf_adds(b, ") echo '");
	for (const cli_opt *o = c->opts; o->id; o++) {
		if (o->short_name)
			cad_strbuf_addf(b, "-%c ", o->short_name);
		cad_strbuf_addf(b, "--%s%s", o->long_name, o[1].id ? " " : "");
	}
	cad_strbuf_adds(b, "' ;;\n");
}

static void bash_values(strbuf *b, const cli_cmd *c, int depth)
{
	(void)depth;
	for (const cli_opt *o = c->opts; o->id; o++) {
		if (!o->arg)
			continue;
		cad_strbuf_adds(b, "\t");
		if (o->short_name) {
			cad_strbuf_addf(b, "'%s -%c'|", c->name, o->short_name);
		}
		cad_strbuf_addf(b, "'%s --%s') ", c->name, o->long_name);
		bash_kind(b, opt_kind(o));
		cad_strbuf_adds(b, " ;;\n");
	}
}

static void bash_positional(strbuf *b, const cli_cmd *c, int depth)
{
	posspec ps;
	(void)depth;
	if (subcommands(c))
		return;
	parse_usage(c->usage, &ps);
	if (!ps.n)
		return;
	cad_strbuf_adds(b, "\t");
	sq(b, c->name);
	cad_strbuf_adds(b, ") case $2 in");
	for (size_t i = 0; i < ps.n; i++) {
		if (ps.repeat && i == ps.n - 1)
			cad_strbuf_adds(b, " *) ");
		else
			cad_strbuf_addf(b, " %zu) ", i);
		bash_kind(b, ps.v[i]);
		cad_strbuf_adds(b, " ;;");
	}
	cad_strbuf_adds(b, " esac ;;\n");
}

static void gen_bash(strbuf *b)
{
	cad_strbuf_adds(b, "_cadence_commands='");
	command_words(b);
	cad_strbuf_adds(b, "'\n_cadence_global_options='-h --help --version'\n\n");

	cad_strbuf_adds(b, "# _cadence_subcommands COMMAND: the words that may follow COMMAND\n"
		       "_cadence_subcommands() {\n\tcase $1 in\n");
	for (size_t i = 0; command_at(i); i++) {
		const cli_cmd *const *subs = subcommands(command_at(i));
		if (!subs)
			continue;
		cad_strbuf_addf(b, "\t%s) echo '", command_at(i)->name);
		for (size_t j = 0; subs[j]; j++)
			cad_strbuf_addf(b, "%s%s", j ? " " : "", leaf(subs[j]));
		cad_strbuf_adds(b, "' ;;\n");
	}
	cad_strbuf_adds(b, "\tesac\n}\n\n");

	cad_strbuf_adds(b, "# _cadence_options COMMAND: its options\n"
		       "_cadence_options() {\n\tcase $1 in\n");
	each_command(b, bash_options);
	cad_strbuf_adds(b, "\tesac\n}\n\n");

	cad_strbuf_adds(b, "# _cadence_value COMMAND OPTION: what the option's value is; nothing\n"
		       "# for an option without a value\n"
		       "_cadence_value() {\n\tcase \"$1 $2\" in\n");
	each_command(b, bash_values);
	cad_strbuf_adds(b, "\tesac\n}\n\n");

	cad_strbuf_adds(b, "# _cadence_positional COMMAND N: what its N-th argument (from 0) is\n"
		       "_cadence_positional() {\n\tcase $1 in\n");
	each_command(b, bash_positional);
	cad_strbuf_adds(b, "\tesac\n}");
}

/* ---- zsh ------------------------------------------------------------------ */

static void zsh_action(strbuf *b, vspec v)
{
	switch (v.kind) {
	case VK_NONE: cad_strbuf_adds(b, " "); break;
	case VK_WORDS: cad_strbuf_addf(b, "(%s)", v.words); break;
	case VK_COMMANDS: cad_strbuf_adds(b, "_cadence_commands"); break;
	case VK_CADENCE: cad_strbuf_adds(b, "_cadence_cadence_files"); break;
	case VK_DIRS: cad_strbuf_adds(b, "_files -/"); break;
	case VK_FILES: cad_strbuf_adds(b, "_files"); break;
	}
}

static void zsh_describe(strbuf *b, const char *var, const char *tag, const cli_cmd *const *cmds,
			 size_t n, const cli_cmd *(*at)(size_t))
{
	cad_strbuf_addf(b, "\tlocal -a %s=(\n", var);
	for (size_t i = 0; at ? at(i) != NULL : cmds[i] != NULL; i++) {
		const cli_cmd *c = at ? at(i) : cmds[i];
		cad_strbuf_adds(b, "\t\t");
		cad_strbuf_adds(b, "'");
		cad_strbuf_adds(b, leaf(c));
		cad_strbuf_adds(b, ":'");
		sq(b, c->summary);
		cad_strbuf_adds(b, "\n");
	}
	(void)n;
	cad_strbuf_addf(b, "\t)\n\t_describe -t commands %s %s\n", tag, var);
}

static void zsh_command(strbuf *b, const cli_cmd *c, int depth)
{
	const cli_cmd *const *subs = subcommands(c);
	(void)depth;
	cad_strbuf_adds(b, "_cadence_cmd_");
	fn_name(b, c->name);
	cad_strbuf_adds(b, "() {\n");
	if (subs) {
		cad_strbuf_adds(b, "\tlocal curcontext=$curcontext state state_descr line\n"
			       "\ttypeset -A opt_args\n\t_arguments -C \\\n");
	} else {
		cad_strbuf_adds(b, "\t_arguments -s -S \\\n");
	}
	for (const cli_opt *o = c->opts; o->id; o++) {
		cad_strbuf_adds(b, "\t\t");
		cad_strbuf_adds(b, o->id == CLI_OPT_HELP ? "'(- *)'" : "");
		if (o->short_name && o->id != CLI_OPT_HELP)
			cad_strbuf_addf(b, "'(-%c --%s)'", o->short_name, o->long_name);
		if (o->short_name)
			cad_strbuf_addf(b, "{-%c%s,", o->short_name, o->arg ? "+" : "");
		cad_strbuf_adds(b, "'");
		cad_strbuf_addf(b, "--%s%s", o->long_name, o->arg ? "=" : "");
		if (o->short_name)
			cad_strbuf_adds(b, "'}'");
		cad_strbuf_adds(b, "[");
		{
			strbuf d = STRBUF_INIT, q = STRBUF_INIT;
			zdesc(&d, o->help);
			sq(&q, cad_strbuf_cstr(&d) ? cad_strbuf_cstr(&d) : "");
			/* q is 'text': drop its quotes, we are inside a quoted word */
			if (q.len >= 2)
				cad_strbuf_add(b, q.buf + 1, q.len - 2);
			cad_strbuf_free(&d);
			cad_strbuf_free(&q);
		}
		cad_strbuf_adds(b, "]");
		if (o->arg) {
			cad_strbuf_adds(b, ":");
			zdesc(b, o->arg);
			cad_strbuf_adds(b, ":");
			zsh_action(b, opt_kind(o));
		}
		cad_strbuf_adds(b, "' \\\n");
	}
	if (subs) {
		cad_strbuf_adds(b, "\t\t'1: :->sub' \\\n\t\t'*:: :->args'\n\tcase $state in\n\tsub)\n");
		zsh_describe(b, "subs", "'cadence new'", subs, 0, NULL);
		cad_strbuf_adds(b, "\t\t;;\n\targs)\n\t\tlocal fn=_cadence_cmd_");
		fn_name(b, c->name);
		cad_strbuf_adds(b, "_${words[1]}\n\t\tif (( $+functions[$fn] )); then\n\t\t\t$fn\n"
			       "\t\tfi ;;\n\tesac\n}\n\n");
		return;
	}
	posspec ps;
	parse_usage(c->usage, &ps);
	for (size_t i = 0; i < ps.n; i++) {
		if (ps.repeat && i == ps.n - 1)
			cad_strbuf_adds(b, "\t\t'*: :");
		else
			cad_strbuf_addf(b, "\t\t'%zu: :", i + 1);
		zsh_action(b, ps.v[i]);
		cad_strbuf_adds(b, "' \\\n");
	}
	/* end the continued line */
	cad_strbuf_adds(b, "\t\t&& return 0\n\treturn 1\n}\n\n");
}

static void gen_zsh(strbuf *b)
{
	cad_strbuf_adds(b, "_cadence_commands() {\n");
	zsh_describe(b, "commands", "'cadence command'", NULL, 0, command_at);
	cad_strbuf_adds(b, "}\n\n");
	each_command(b, zsh_command);
}

/* ---- fish -------------------------------------------------------------------- */

static void fish_kind(strbuf *b, vspec v)
{
	switch (v.kind) {
	case VK_NONE: cad_strbuf_adds(b, " -x"); break;
	case VK_WORDS: cad_strbuf_adds(b, " -x -a "); fq(b, v.words); break;
	case VK_COMMANDS: {
		strbuf w = STRBUF_INIT;
		command_words(&w);
		cad_strbuf_adds(b, " -x -a ");
		fq(b, cad_strbuf_cstr(&w) ? cad_strbuf_cstr(&w) : "");
		cad_strbuf_free(&w);
		break;
	}
	case VK_CADENCE: cad_strbuf_adds(b, " -x -a '(__cadence_files)'"); break;
	case VK_DIRS: cad_strbuf_adds(b, " -x -a '(__fish_complete_directories (commandline -ct))'"); break;
	case VK_FILES: cad_strbuf_adds(b, " -r -F"); break;
	}
}

/* -n 'CONDITION' for the words of command c */
static void fish_is(strbuf *b, const cli_cmd *c)
{
	cad_strbuf_addf(b, "complete -c cadence -n '__cadence_is %s", c->name);
}

static void fish_command(strbuf *b, const cli_cmd *c, int depth)
{
	const cli_cmd *const *subs = subcommands(c);
	cad_strbuf_addf(b, "\n# cadence %s\n", c->name);
	for (const cli_opt *o = c->opts; o->id; o++) {
		fish_is(b, c);
		cad_strbuf_adds(b, subs ? "; and __cadence_at 1'" : "'");
		if (o->short_name)
			cad_strbuf_addf(b, " -s %c", o->short_name);
		cad_strbuf_addf(b, " -l %s", o->long_name);
		if (o->arg)
			fish_kind(b, opt_kind(o));
		cad_strbuf_adds(b, " -d ");
		fq(b, o->help);
		cad_strbuf_addc(b, '\n');
	}
	for (size_t j = 0; subs && subs[j]; j++) {
		fish_is(b, c);
		cad_strbuf_adds(b, "; and __cadence_at 1' -a ");
		fq(b, leaf(subs[j]));
		cad_strbuf_adds(b, " -d ");
		fq(b, subs[j]->summary);
		cad_strbuf_addc(b, '\n');
	}
	if (subs)
		return;
	posspec ps;
	parse_usage(c->usage, &ps);
	for (size_t i = 0; i < ps.n; i++) {
		if (ps.v[i].kind == VK_NONE)
			continue;
		fish_is(b, c);
		if (!(ps.repeat && i == ps.n - 1)) {
			cad_strbuf_addf(b, "; and __cadence_npos %d %zu", depth, i);
			for (const cli_opt *o = c->opts; o->id; o++)
				if (o->arg) {
					if (o->short_name)
						cad_strbuf_addf(b, " -%c", o->short_name);
					cad_strbuf_addf(b, " --%s", o->long_name);
				}
		}
		cad_strbuf_adds(b, "'");
		fish_kind(b, ps.v[i]);
		cad_strbuf_addc(b, '\n');
	}
}

static void gen_fish(strbuf *b)
{
	cad_strbuf_adds(b, "complete -c cadence -n '__cadence_at 0' -s h -l help -d 'show the commands and exit'\n"
		       "complete -c cadence -n '__cadence_at 0' -l version -d 'show the version and exit'\n");
	for (size_t i = 0; command_at(i); i++) {
		cad_strbuf_adds(b, "complete -c cadence -n '__cadence_at 0' -a ");
		fq(b, command_at(i)->name);
		cad_strbuf_adds(b, " -d ");
		fq(b, command_at(i)->summary);
		cad_strbuf_addc(b, '\n');
	}
	each_command(b, fish_command);
}

/* ---- the command ---------------------------------------------------------------- */

static const char *const shells[] = { "bash", "zsh", "fish", NULL };

static int completion_script(const char *shell, strbuf *out)
{
	static const struct {
		const char *shell, *file;
		void (*gen)(strbuf *);
	} scripts[] = {
		{ "bash", "cadence.bash.in", gen_bash },
		{ "zsh", "_cadence.in", gen_zsh },
		{ "fish", "cadence.fish.in", gen_fish },
	};
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		if (strcmp(shell, scripts[i].shell))
			continue;
		for (const embed_file *e = embed_completions; e->path; e++) {
			if (strcmp(e->path, scripts[i].file))
				continue;
			strbuf gen = STRBUF_INIT, why = STRBUF_INIT;
			scripts[i].gen(&gen);
			const render_var vars[] = {
				{ "generated", cad_strbuf_cstr(&gen) },
				{ "version", cadence_version() },
			};
			int rc = vars[0].value ? cad_render_template(out, (const char *)e->data, e->len,
								 vars, 2, &why)
					       : CADENCE_ENOMEM;
			cad_strbuf_free(&gen);
			cad_strbuf_free(&why);
			return rc;
		}
	}
	return CADENCE_EINVAL;
}

static const cli_opt completion_opts[] = {
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *p, int id, const char *value)
{
	(void)p, (void)id, (void)value;
	return 0;
}

static int completion(const cli_cmd *cmd, int argc, char **argv)
{
	cli_args args;
	strbuf out = STRBUF_INIT;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, on_opt, NULL, &args)))
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
	} else if (args.npos != 1) {
		rc = cli_usage_error("'cadence completion' takes one shell: bash, zsh or fish");
	} else {
		int found = 0;
		for (size_t i = 0; shells[i]; i++)
			found |= !strcmp(shells[i], args.pos[0]);
		const char *near = found ? NULL
				   : cad_suggest_pick(args.pos[0], strlen(args.pos[0]), shells,
						    sizeof(shells) / sizeof(*shells) - 1);
		if (!found)
			rc = cli_usage_error("no completion for '%s'; %s%s%schoose bash, zsh or fish",
					     args.pos[0], near ? "did you mean '" : "",
					     near ? near : "", near ? "'? " : "");
		else if (completion_script(args.pos[0], &out) || !cad_strbuf_cstr(&out))
			rc = cli_error(CLI_EXIT_INTERNAL, "cannot make the %s script", args.pos[0]);
		else
			fputs(cad_strbuf_cstr(&out), stdout);
	}
	cad_strbuf_free(&out);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_completion = {
	"completion",
	"bash|zsh|fish",
	"Print the shell completion script for bash, zsh or fish.",
	"Commands, options, their values and *.cadence.yaml files complete.\n"
	"  bash: eval \"$(cadence completion bash)\" in ~/.bashrc\n"
	"  zsh:  cadence completion zsh > ~/.zfunc/_cadence, with ~/.zfunc in fpath\n"
	"        before compinit (or: source <(cadence completion zsh) after it)\n"
	"  fish: cadence completion fish > ~/.config/fish/completions/cadence.fish\n"
	"'cmake --install' installs the three scripts where the shells find them.",
	completion_opts,
	completion,
};
