/* SPDX-License-Identifier: MIT */
/* The cadence command line: exit codes, the command table, options. */
#ifndef CADENCE_CLI_CLI_H
#define CADENCE_CLI_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in docs/cadence.1.scd and `cadence --help`. */
enum {
	CLI_EXIT_OK = 0,	/* success, no problems */
	CLI_EXIT_PROBLEMS = 1,	/* the input has problems */
	CLI_EXIT_USAGE = 2,	/* bad command line */
	CLI_EXIT_INTERNAL = 3	/* out of memory, cannot write output */
};

/* Where `cmake --install` puts the documentation (CMAKE_INSTALL_FULL_DOCDIR,
 * from cli/CMakeLists.txt): the help texts and messages name its pages. */
#ifndef CADENCE_DOCDIR
#define CADENCE_DOCDIR "/usr/local/share/doc/cadence"
#endif

/* One option of a command; the same table drives parsing and --help. */
typedef struct cli_opt {
	int id;			/* passed to the command's handler */
	char short_name;	/* 0 = none */
	const char *long_name;
	const char *arg;	/* value placeholder, NULL for a flag */
	const char *help;
	const char *const *choices;	/* NULL-terminated, or NULL */
} cli_opt;

typedef struct cli_cmd {
	const char *name;
	const char *usage;	/* after "cadence NAME " */
	const char *summary;	/* one line for the command list */
	const char *description;/* paragraphs for `help NAME` */
	const cli_opt *opts;	/* terminated by an entry with id 0 */
	int (*run)(const struct cli_cmd *cmd, int argc, char **argv);
} cli_cmd;

/* `cadence help`: main.c runs it, outside the command table; its entry
 * gives its help text and its completion. */
extern const cli_cmd cli_cmd_help;

/* Common option ids shared by every command's table. */
enum { CLI_OPT_HELP = 1000 };
#define CLI_OPT_HELP_ENTRY { CLI_OPT_HELP, 'h', "help", NULL, "show this help and exit", NULL }

/* `validate` and `diagram`: read what leads outside the project root. */
#define CLI_OPT_ALLOW_OUTSIDE_ROOT_ENTRY(id)                                          \
	{ id, 0, "allow-outside-root", NULL,                                          \
	  "read child cadences and symbolic links that lead outside the project root", \
	  NULL }

/* Parsed command line of one command. */
typedef struct cli_args {
	char **pos;		/* positional arguments, in order */
	size_t npos;
	int help;		/* --help was given */
} cli_args;

/*
 * Parses argv[1..argc) (argv[0] is the command name) by cmd->opts, calling
 * on_opt(ctx, id, value) for each option (value NULL for flags).  on_opt
 * returns 0 or an exit code.  Prints usage errors to stderr and returns
 * CLI_EXIT_USAGE; on success fills *args (free with cli_args_free).
 */
int cli_parse(const cli_cmd *cmd, int argc, char **argv,
	      int (*on_opt)(void *ctx, int id, const char *value), void *ctx,
	      cli_args *args);
void cli_args_free(cli_args *args);

/* Appends v to a malloc'd list of a repeatable option's values (--plugin,
 * --env): 0, or CLI_EXIT_INTERNAL after "out of memory". */
int cli_add_value(const char ***list, size_t *n, const char *v);

/* Prints `cadence NAME` help from the command's table. */
void cli_print_help(const cli_cmd *cmd, FILE *out);

/* Prints "cadence: error: ..." to stderr and returns CLI_EXIT_USAGE. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
int cli_usage_error(const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int cli_error(int code, const char *fmt, ...);
/* The same for an outcome that is not an error: "cadence: EVENT: ..."
 * (a precheck that stopped a run: "stopped"). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int cli_say(int code, const char *event, const char *fmt, ...);

/* With on, cli_error() and cli_usage_error() write each error as a JSON
 * line, {"event":"error","message":"..."} (`--log json`). */
void cli_errors_as_json(int on);
int cli_errors_are_json(void);

/* (Text that may not be UTF-8 goes in with cad_json_add_text(), util/json.h.) */
struct cJSON;
/* Writes o as one line of JSON to stderr and deletes it (NULL: nothing).
 * Returns 0, or -1 when it could not be made. */
int cli_json_line(struct cJSON *o);
/* A new object {"time": now (cadence_events_time()), "event": event}, the start of every line of
 * `run --log json`; NULL when out of memory. */
struct cJSON *cli_json_event(const char *event);
/* Writes the JSON lines lines[0, len) to f, each object with "time" (now)
 * as its first key: the diagnostics of `run --log json`.  0, or -1 when f
 * has an error. */
int cli_json_lines_timed(FILE *f, const char *lines, size_t len);

/* fprintf, with every control character of the result but newlines and
 * tabs written as '?', and C1 controls, bidirectional overrides and bytes
 * that are not UTF-8 too (for text quoted from files, notes and users). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cli_print_clean(FILE *f, const char *fmt, ...);

/* The command table (main.c) and its commands. */
extern const cli_cmd cli_cmd_validate;
extern const cli_cmd cli_cmd_schema;
extern const cli_cmd cli_cmd_explain;
extern const cli_cmd cli_cmd_run;
extern const cli_cmd cli_cmd_resume;
extern const cli_cmd cli_cmd_step;
extern const cli_cmd cli_cmd_init;
extern const cli_cmd cli_cmd_new;
extern const cli_cmd cli_cmd_completion;
extern const cli_cmd cli_cmd_diagram;
extern const cli_cmd cli_cmd_schedule;
extern const cli_cmd cli_cmd_schedule_export;
extern const cli_cmd *const cli_schedule_commands[];
extern const cli_cmd cli_cmd_export;
extern const cli_cmd cli_cmd_export_argo;
extern const cli_cmd *const cli_export_commands[];
extern const cli_cmd cli_cmd_export_n8n;
extern const cli_cmd cli_cmd_config;
extern const cli_cmd *const cli_config_commands[];
/* The subcommands of c ("new", "schedule"), NULL-terminated; NULL: none. */
const cli_cmd *const *cli_subcommands(const cli_cmd *c);
extern const cli_cmd cli_cmd_version;
/* the run registry's (docs/registry.md) */
extern const cli_cmd cli_cmd_list;
extern const cli_cmd cli_cmd_pause;
extern const cli_cmd cli_cmd_disable;
extern const cli_cmd cli_cmd_enable;
extern const cli_cmd cli_cmd_history;
extern const cli_cmd cli_cmd_prune;
/* `cadence serve` (docs/serve.md) */
extern const cli_cmd cli_cmd_serve;
/* `cadence new cadence|note`: the subcommands of cli_cmd_new */
extern const cli_cmd *const cli_new_commands[];
const cli_cmd *cli_find_command(const char *name);
extern const cli_cmd *const cli_commands[];

/* Terminal and environment: colour decisions follow no-color.org. */
int cli_color_wanted(const char *mode, FILE *stream);

#endif
