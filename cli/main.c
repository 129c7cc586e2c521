/* SPDX-License-Identifier: MIT */
/* cadence: the command table and dispatch.  Each command lives in
 * cmd_<name>.c and owns its option table, which drives parsing and help. */
#include "cli.h"

#include <cadence/cadence.h>

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "util/suggest.h"

const cli_cmd *const cli_commands[] = {
	&cli_cmd_validate,
	&cli_cmd_schema,
	&cli_cmd_explain,
	&cli_cmd_run,
	&cli_cmd_resume,
	&cli_cmd_step,
	&cli_cmd_init,
	&cli_cmd_new,
	&cli_cmd_completion,
	&cli_cmd_diagram,
	&cli_cmd_schedule,
	&cli_cmd_export,
	&cli_cmd_config,
	&cli_cmd_list,
	&cli_cmd_pause,
	&cli_cmd_disable,
	&cli_cmd_enable,
	&cli_cmd_history,
	&cli_cmd_prune,
	&cli_cmd_serve,
	&cli_cmd_version,
	NULL,
};

const cli_cmd *const *cli_subcommands(const cli_cmd *c)
{
	return c == &cli_cmd_new ? cli_new_commands
	       : c == &cli_cmd_schedule ? cli_schedule_commands
	       : c == &cli_cmd_export ? cli_export_commands
	       : c == &cli_cmd_config ? cli_config_commands : NULL;
}

const cli_cmd *cli_find_command(const char *name)
{
	for (size_t i = 0; cli_commands[i]; i++)
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	fputs("usage: cadence [--version] [--help] COMMAND [ARGS]\n\n"
	      "Describe orchestration logic declaratively, check it, draw it and run it.\n\n"
	      "commands:\n", out);
	for (size_t i = 0; cli_commands[i]; i++)
		fprintf(out, "  %-12s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fprintf(out, "  %-12s %s\n", "help", "Show help for a command.");
	fputs("\nRun 'cadence help COMMAND' for a command's options.\n"
	      "Exit status: 0 success, 1 problems found, 2 usage error, 3 internal failure.\n",
	      out);
}

static int unknown_command(const char *name)
{
	cad_suggest s;
	cad_suggest_init(&s, name, strlen(name));
	for (size_t i = 0; cli_commands[i]; i++)
		cad_suggest_try(&s, cli_commands[i]->name);
	cad_suggest_try(&s, "help");
	const char *near = s.best;
	if (near)
		return cli_usage_error("unknown command '%s'; did you mean '%s'?", name, near);
	return cli_usage_error("unknown command '%s'; see 'cadence --help'", name);
}

static const cli_opt help_opts[] = { CLI_OPT_HELP_ENTRY, { 0, 0, NULL, NULL, NULL, NULL } };
const cli_cmd cli_cmd_help = {
	"help", "[COMMAND [SUBCOMMAND]]", "Show help for a command.",
	"Without a command, the list of commands; with one, its usage and\n"
	"options, as 'cadence COMMAND --help' prints them ('cadence help new\n"
	"note': a subcommand's).",
	help_opts, NULL,
};

/* the options of `cadence` itself, before any command */
static int unknown_option(const char *name)
{
	static const char *const globals[] = { "--help", "--version", "-h" };
	const char *near = cad_suggest_pick(name, strlen(name), globals,
					    sizeof(globals) / sizeof(*globals));
	if (near)
		return cli_usage_error("unknown option '%s'; did you mean '%s'?", name, near);
	return cli_usage_error("unknown option '%s'; see 'cadence --help'", name);
}

static int is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* `cadence help COMMAND [SUBCOMMAND]` */
static int help(int argc, char **argv)
{
	if (argc < 3) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (is_help(argv[2]) || !strcmp(argv[2], "help")) {
		if (argc > 3 && !is_help(argv[2]))
			return cli_usage_error("'cadence help help' takes nothing more, not '%s'",
					       argv[3]);
		cli_print_help(&cli_cmd_help, stdout);
		return CLI_EXIT_OK;
	}
	if (argv[2][0] == '-')
		return cli_usage_error("unknown option '%s' for 'cadence help'; see 'cadence help "
				       "--help'", argv[2]);
	const cli_cmd *cmd = cli_find_command(argv[2]);
	if (!cmd)
		return unknown_command(argv[2]);
	if (argc > 3) {
		/* `cadence help new note`: the subcommand's own help */
		const cli_cmd *const *subs = cli_subcommands(cmd);
		const cli_cmd *sub = NULL;
		size_t skip = strlen(cmd->name) + 1;
		for (size_t i = 0; subs && subs[i]; i++)
			if (!strcmp(argv[3], subs[i]->name + skip))
				sub = subs[i];
		if (sub && argc > 4)
			return cli_usage_error("'cadence help %s' takes nothing more, not '%s'",
					       sub->name, argv[4]);
		if (!sub)
			return cli_usage_error("'cadence help %s' takes %s, not '%s'", cmd->name,
					       subs ? "one of its subcommands" : "nothing more",
					       argv[3]);
		cmd = sub;
	}
	cli_print_help(cmd, stdout);
	return CLI_EXIT_OK;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (is_help(name)) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	/* the version line alone, whatever follows (`cadence version` has
	 * the options) */
	if (!strcmp(name, "--version")) {
		printf("cadence %s\n", cadence_version());
		return CLI_EXIT_OK;
	}
	if (!strcmp(name, "help"))
		return help(argc, argv);
	if (name[0] == '-')
		return unknown_option(name);
	const cli_cmd *cmd = cli_find_command(name);
	if (!cmd)
		return unknown_command(name);
	return cmd->run(cmd, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	/* a closed pipe is an error of the write that meets it (EPIPE: exit
	 * 3, said on stderr), not a silent death by SIGPIPE; notes get the
	 * default back (lib/src/run/exec.c) */
	signal(SIGPIPE, SIG_IGN);
	int rc = dispatch(argc, argv);
	/* like git's run_builtin: a full disk or closed pipe must not pass
	 * for success */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "cadence: error: cannot write to standard output: %s\n",
			strerror(errno));
		if (rc == CLI_EXIT_OK || rc == CLI_EXIT_PROBLEMS)
			rc = CLI_EXIT_INTERNAL;
	}
	return rc;
}
