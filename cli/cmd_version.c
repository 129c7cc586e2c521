/* SPDX-License-Identifier: MIT */
/* cadence version: the version, and with --verbose what this build is made
 * of, for bug reports and for scripts that need a feature (SVG output, a
 * note API) before they use it. */
#include "cli.h"

#include <cadence/cadence.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "util/json.h"

/* Set by cli/CMakeLists.txt; a build without them says so. */
#ifndef CADENCE_BUILD_COMPILER
#define CADENCE_BUILD_COMPILER "unknown"
#endif
#ifndef CADENCE_BUILD_TYPE
#define CADENCE_BUILD_TYPE ""
#endif

/* The note API a plugin must be built for, as <cadence/note.h> states it. */
#define CAD_STR_(x) #x
#define CAD_STR(x) CAD_STR_(x)
#define CAD_NOTE_API CAD_STR(CADENCE_NOTE_API_MAJOR) "." CAD_STR(CADENCE_NOTE_API_MINOR)

enum { OPT_VERBOSE = 1, OPT_FORMAT };

static const char *const formats[] = { "text", "json", NULL };

static const cli_opt version_opts[] = {
	{ OPT_VERBOSE, 'v', "verbose", NULL,
	  "also show the libraries, features and compiler of this build", NULL },
	{ OPT_FORMAT, 'f', "format", "FORMAT", "output format (default text)", formats },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct version_ctx {
	int verbose;
	const char *format;
} version_ctx;

static int on_opt(void *p, int id, const char *value)
{
	version_ctx *c = p;
	switch (id) {
	case OPT_VERBOSE: c->verbose = 1; break;
	case OPT_FORMAT: c->format = value; break;
	}
	return 0;
}

/* What the build is made of.  libyaml and cJSON report the versions
 * linked at run time, which a shared library upgrade can change. */
typedef struct build_info {
	const char *library;	/* cadence_version(): the code that runs */
	const char *headers;	/* what this binary was compiled against */
	const char *note_api;	/* MAJOR.MINOR */
	const char *libyaml, *cjson;
	int render;		/* SVG and PNG through Graphviz libgvc */
	const char *compiler, *build_type;
} build_info;

static build_info build_info_get(void)
{
	build_info b = {
		cadence_version(), CADENCE_VERSION_STRING, CAD_NOTE_API,
		yaml_get_version_string(), cJSON_Version(),
		cadence_diagram_can_render(),
		CADENCE_BUILD_COMPILER, *CADENCE_BUILD_TYPE ? CADENCE_BUILD_TYPE : "none",
	};
	return b;
}

static void print_text(const build_info *b, int verbose)
{
	/* the first line is --version's, whatever follows */
	printf("cadence %s\n", b->library);
	if (!verbose)
		return;
	printf("library:    libcadence %s, headers %s\n", b->library, b->headers);
	printf("note API:   %s\n", b->note_api);
	printf("libyaml:    %s\n", b->libyaml);
	printf("cJSON:      %s\n", b->cjson);
	printf("SVG/PNG:    %s\n", b->render ? "yes (Graphviz libgvc)"
					  : "no (built without Graphviz: mermaid and dot only)");
	printf("compiler:   %s\n", b->compiler);
	printf("build type: %s\n", b->build_type);
}

/* Everything, --verbose or not: a program reads the keys it needs. */
static int print_json(const build_info *b)
{
	cJSON *o = cJSON_CreateObject();
	int ok = o && cJSON_AddStringToObject(o, "version", b->library) &&
		 cJSON_AddStringToObject(o, "headers", b->headers) &&
		 cJSON_AddStringToObject(o, "note_api", b->note_api) &&
		 cJSON_AddStringToObject(o, "libyaml", b->libyaml) &&
		 cJSON_AddStringToObject(o, "cjson", b->cjson) &&
		 cJSON_AddBoolToObject(o, "svg_png", b->render) &&
		 cJSON_AddStringToObject(o, "compiler", b->compiler) &&
		 cJSON_AddStringToObject(o, "build_type", b->build_type);
	char *s = ok ? cad_json_print(o, 1) : NULL;
	if (s)
		puts(s);
	free(s);
	cJSON_Delete(o);
	return s ? CLI_EXIT_OK : cli_error(CLI_EXIT_INTERNAL, "out of memory");
}

static int version(const cli_cmd *cmd, int argc, char **argv)
{
	version_ctx c = { 0, "text" };
	cli_args args;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, on_opt, &c, &args)))
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
	} else if (args.npos) {
		rc = cli_usage_error("'cadence version' takes no arguments; see 'cadence version --help'");
	} else {
		build_info b = build_info_get();
		if (!strcmp(c.format, "json"))
			rc = print_json(&b);
		else
			print_text(&b, c.verbose);
	}
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_version = {
	"version",
	"[OPTIONS]",
	"Show the version, and with --verbose what this build is made of.",
	"The first line is what 'cadence --version' prints. --verbose adds the\n"
	"library's version and the headers' it was built with, the note plugin\n"
	"API, the libyaml and cJSON versions linked at run time, whether SVG and\n"
	"PNG diagrams are built in (Graphviz), the compiler and the build type.\n"
	"--format json prints all of them, --verbose or not, as one JSON object.",
	version_opts,
	version,
};
