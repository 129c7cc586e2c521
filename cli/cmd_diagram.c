/* SPDX-License-Identifier: MIT */
/* cadence diagram: draw a cadence as Mermaid, DOT, SVG, PNG, PDF or JPEG. */
#include "cli.h"
#include "files.h"

#include <cadence/cadence.h>
#include <cadence/diagram.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/afile.h"
#include "util/suggest.h"

enum {
	OPT_CADENCE = 1,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_DIRECTION,
	OPT_EXPAND,
	OPT_ALLOW_OUTSIDE_ROOT,
	OPT_DPI,
	OPT_SCALE,
	OPT_STDIN_FILENAME,
};

/* by cadence_diagram_format */
static const char *const formats[] = { "mermaid", "dot", "svg", "png", "pdf", "jpg", NULL };
static const char *const directions[] = { "TB", "LR", NULL };

static const cli_opt diagram_opts[] = {
	{ OPT_CADENCE, 0, "cadence", "NAME",
	  "draw the cadence NAME: FILE or one of its children", NULL },
	{ OPT_FORMAT, 'f', "format", "FORMAT",
	  "output format (default: from the -o extension; mermaid on standard output)", formats },
	{ OPT_OUTPUT, 'o', "output", "FILE",
	  "write to FILE, atomically, instead of standard output", NULL },
	{ OPT_DIRECTION, 'd', "direction", "DIR", "flow top-bottom or left-right (default TB)",
	  directions },
	{ OPT_EXPAND, 'x', "expand", NULL, "draw child cadences inside the diagram", NULL },
	{ OPT_DPI, 0, "dpi", "N", "png, jpg: resolution in dots per inch, 1 to 2400 (default 96)",
	  NULL },
	{ OPT_SCALE, 0, "scale", "F", "png, jpg: multiply the resolution (pixels) by F, 0.1 to 10",
	  NULL },
	{ OPT_STDIN_FILENAME, 0, "stdin-filename", "NAME",
	  "with FILE '-': the cadence's file name, for its problems, its project root and to "
	  "find its child cadences beside it", NULL },
	CLI_OPT_ALLOW_OUTSIDE_ROOT_ENTRY(OPT_ALLOW_OUTSIDE_ROOT),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct diagram_ctx {
	const char *cadence;
	const char *format;
	const char *output;
	const char *direction;
	const char *stdin_name;	/* --stdin-filename */
	int expand;
	int allow_outside;
	double dpi, scale;	/* 0: not given */
	const char *dpi_flag;	/* the first of --dpi, --scale given */
} diagram_ctx;

/* A number from `min` to `max` for --NAME; `integer`: no fraction. */
static int number(const char *name, const char *value, double min, double max, int integer,
		  double *out)
{
	char *end;
	errno = 0;
	double d = strtod(value, &end);
	/* decimal only: strtod() also reads hex, "inf", and leading spaces */
	if (errno || !*value || !strchr("0123456789.", value[0]) || *end || !isfinite(d) ||
	    d < min || d > max || (integer && d != floor(d)) || strpbrk(value, "xX"))
		return cli_usage_error("--%s takes %s from %g to %g, not '%s'", name,
				       integer ? "a whole number" : "a number", min, max, value);
	*out = d;
	return 0;
}

static int on_opt(void *p, int id, const char *value)
{
	diagram_ctx *c = p;
	switch (id) {
	case OPT_CADENCE: c->cadence = value; break;
	case OPT_FORMAT: c->format = value; break;
	case OPT_OUTPUT: c->output = value; break;
	case OPT_DIRECTION: c->direction = value; break;
	case OPT_EXPAND: c->expand = 1; break;
	case OPT_STDIN_FILENAME: c->stdin_name = value; break;
	case OPT_ALLOW_OUTSIDE_ROOT: c->allow_outside = 1; break;
	case OPT_DPI:
		c->dpi_flag = c->dpi_flag ? c->dpi_flag : "--dpi";
		return number("dpi", value, 1, 2400, 1, &c->dpi);
	case OPT_SCALE:
		c->dpi_flag = c->dpi_flag ? c->dpi_flag : "--scale";
		return number("scale", value, 0.1, 10, 0, &c->scale);
	}
	return 0;
}

/* The extensions -o knows, in any case. */
static const struct {
	const char *ext;
	cadence_diagram_format format;
} exts[] = {
	{ "mmd", CADENCE_DIAGRAM_MERMAID }, { "mermaid", CADENCE_DIAGRAM_MERMAID },
	{ "dot", CADENCE_DIAGRAM_DOT }, { "gv", CADENCE_DIAGRAM_DOT },
	{ "svg", CADENCE_DIAGRAM_SVG }, { "png", CADENCE_DIAGRAM_PNG },
	{ "pdf", CADENCE_DIAGRAM_PDF }, { "jpg", CADENCE_DIAGRAM_JPEG },
	{ "jpeg", CADENCE_DIAGRAM_JPEG },
};
#define KNOWN_EXTS ".mmd, .mermaid, .dot, .gv, .svg, .png, .pdf, .jpg, .jpeg"

/* The extension of the file name of `path` (after its last '.', not a
 * leading one), or NULL. */
static const char *extension(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	return dot && dot > base && dot[1] ? dot + 1 : NULL;
}

/* -o to what the output policy writes in place (a device, a FIFO,
 * /dev/stdout) is drawn as standard output is, without an extension. */
static int is_stream(const char *path)
{
	cad_afile_target t;
	int stream = !cad_afile_resolve(path, &t, NULL) && t.how == CAD_AFILE_STREAM;
	cad_afile_target_free(&t);
	return stream;
}

/* The format: --format, else -o's extension, which --format must not
 * contradict; else Mermaid on standard output or a stream. */
static int choose_format(const diagram_ctx *c, int to_stdout, cadence_diagram_format *fmt)
{
	const char *ext = to_stdout ? NULL : extension(c->output);
	size_t i = 0;

	*fmt = CADENCE_DIAGRAM_MERMAID;
	if (c->format)
		cadence_diagram_format_parse(fmt, c->format);	/* one of `formats` */
	while (ext && i < sizeof(exts) / sizeof(exts[0]) && strcasecmp(ext, exts[i].ext))
		i++;
	if (ext && i < sizeof(exts) / sizeof(exts[0])) {
		if (c->format && *fmt != exts[i].format)
			return cli_usage_error("--format %s contradicts the extension of '%s' (.%s is %s); "
					       "drop --format or rename the file", c->format,
					       c->output, ext, formats[exts[i].format]);
		*fmt = exts[i].format;
		return 0;
	}
	if (c->format || to_stdout || is_stream(c->output))
		return 0;
	return cli_usage_error("cannot tell the format of '%s' from its extension: -o knows "
			       KNOWN_EXTS " (in any case); name the file so, or give "
			       "--format FORMAT", c->output);
}

/* The refusals of a format: not rendered in this build, --dpi or --scale
 * where there are no pixels, binary data to a terminal. */
static int check_format(const diagram_ctx *c, cadence_diagram_format fmt, int to_stdout)
{
	int rendered = fmt >= CADENCE_DIAGRAM_SVG;
	int raster = fmt == CADENCE_DIAGRAM_PNG || fmt == CADENCE_DIAGRAM_JPEG;

	if (rendered && !cadence_diagram_can_render())
		return cli_usage_error("this cadence was built without Graphviz (libgvc), so it cannot "
				       "write %s; write DOT with --format dot and render it with "
				       "'dot -T%s', or rebuild with libgraphviz-dev installed",
				       formats[fmt], formats[fmt]);
	if (c->dpi_flag && !raster)
		return cli_usage_error("%s is for the raster formats (png, jpg), not %s: %s has no "
				       "pixels", c->dpi_flag, formats[fmt], formats[fmt]);
	if (rendered && fmt != CADENCE_DIAGRAM_SVG && to_stdout && isatty(STDOUT_FILENO))
		return cli_usage_error("not writing %s to a terminal; use -o FILE.%s or redirect",
				       formats[fmt], formats[fmt]);
	return 0;
}

/* The cadence named `name` among those loaded. */
static int select_cadence(cadence_project *project, const char *name, const cadence_def **def)
{
	cad_suggest s;
	size_t count = cadence_project_count(project);
	cad_suggest_init(&s, name, strlen(name));
	for (size_t i = 0; i < count; i++) {
		const cadence_def *d = cadence_project_get(project, i);
		if (!strcmp(cadence_def_name(d), name)) {
			*def = d;
			return 0;
		}
		cad_suggest_try(&s, cadence_def_name(d));
	}
	const char *near = s.best;
	if (near)
		return cli_usage_error("no cadence '%s' in the file or its children; did you mean '%s'?",
				       name, near);
	fprintf(stderr, "cadence: error: no cadence '%s' in the file or its children; they are:", name);
	for (size_t i = 0; i < count; i++)
		fprintf(stderr, "%s %s", i ? "," : "", cadence_def_name(cadence_project_get(project, i)));
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

static int too_large(const cadence_diagram_stats *st)
{
	fputs("cadence: error: this diagram is too large for Mermaid:", stderr);
	if (st->edges > st->max_edges)
		fprintf(stderr, " %zu edges (Mermaid draws at most %zu)", st->edges, st->max_edges);
	if (st->edges > st->max_edges && st->text_len > st->max_text)
		fputs(" and", stderr);
	if (st->text_len > st->max_text)
		fprintf(stderr, " %zu characters (Mermaid reads at most %zu)", st->text_len,
			st->max_text);
	fputs("; use --format dot (or svg, png), or draw one child cadence with --cadence NAME\n",
	      stderr);
	return CLI_EXIT_PROBLEMS;
}

static int too_many_pixels(const cadence_diagram_stats *st)
{
	return cli_error(CLI_EXIT_PROBLEMS, "the image would be %zu x %zu pixels, more than "
			 "cadence draws (%d a side, %d in all); lower --dpi or --scale, or "
			 "draw one child cadence with --cadence NAME",
			 st->width, st->height, CADENCE_DIAGRAM_MAX_SIDE, CADENCE_DIAGRAM_MAX_PIXELS);
}

/* -o naming the cadence file drawn or one of its children would replace
 * it with its diagram (issue 14, probe). */
static int output_is_input(const cadence_project *project, const char *output)
{
	for (size_t i = 0; i < cadence_project_count(project); i++) {
		const char *in = cadence_def_path(cadence_project_get(project, i));
		if (in && files_same_output(output, in))
			return cli_usage_error("cannot write the diagram to '%s': it is the cadence "
					       "file '%s', which is drawn; give another path", output, in);
	}
	return 0;
}

static int draw(const diagram_ctx *c, const char *path)
{
	cadence_diagram_format fmt;
	cadence_diagram_opts opts = CADENCE_DIAGRAM_OPTS_INIT;
	cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
	cadence_diags *diags = NULL;
	cadence_project *project = NULL;
	const cadence_def *def = NULL;
	char *data = NULL;
	size_t len = 0;
	int rc;
	int to_stdout = !c->output || !strcmp(c->output, "-");

	if ((rc = choose_format(c, to_stdout, &fmt)) || (rc = check_format(c, fmt, to_stdout)))
		return rc;
	opts.dpi = c->dpi;
	opts.scale = c->scale;
	opts.direction = c->direction && !strcmp(c->direction, "LR") ? CADENCE_DIAGRAM_LR
								      : CADENCE_DIAGRAM_TB;
	opts.expand = c->expand;

	if (cadence_diags_new(&diags) || cadence_project_new(&project, NULL)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = files_load_checked(project, path, c->stdin_name, c->allow_outside, diags, &def,
				     "diagram", "to draw it")))
		goto out;
	if (c->cadence && (rc = select_cadence(project, c->cadence, &def)))
		goto out;
	if (!to_stdout && (rc = output_is_input(project, c->output)))
		goto out;

	rc = cadence_diagram_buffer(&data, &len, def, project, fmt, &opts, &st);
	switch (rc) {
	case 0:
		break;
	case CADENCE_ELIMIT:
		rc = st.width ? too_many_pixels(&st) : too_large(&st);
		goto out;
	case CADENCE_EFAILED:
		rc = cli_error(CLI_EXIT_INTERNAL, "Graphviz could not lay out or render the diagram");
		goto out;
	default:
		rc = cli_error(CLI_EXIT_INTERNAL, "cannot draw '%s': %s", path, cadence_strerror(rc));
		goto out;
	}
	if (to_stdout) {
		/* main() checks fflush and ferror of stdout */
		fwrite(data, 1, len, stdout);
	} else {
		int err = cad_afile_write(c->output, data, len, 0666, CAD_AFILE_DURABLE);
		if (err) {
			strbuf why = STRBUF_INIT;
			/* the policy's reason, when it refused the path */
			cad_afile_check(c->output, 0, &why);
			rc = files_output_error(CLI_EXIT_INTERNAL, NULL, c->output, err, &why, "");
		}
	}
out:
	free(data);
	cadence_project_free(project);
	cadence_diags_free(diags);
	return rc;
}

static int diagram(const cli_cmd *cmd, int argc, char **argv)
{
	diagram_ctx c;
	cli_args args;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(cmd, argc, argv, on_opt, &c, &args)))
		return rc;
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (!args.npos)
		rc = cli_usage_error("'cadence diagram' needs a FILE; see 'cadence diagram --help'");
	else if (args.npos > 1)
		rc = cli_usage_error("'cadence diagram' draws one file; %zu were given", args.npos);
	else if (c.stdin_name && strcmp(args.pos[0], "-"))
		rc = cli_usage_error("--stdin-filename names the cadence read from standard input, "
				     "but it comes from '%s': give FILE '-' (cadence diagram "
				     "--stdin-filename %s -)", args.pos[0], c.stdin_name);
	else
		rc = draw(&c, args.pos[0]);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_diagram = {
	"diagram",
	"[OPTIONS] FILE",
	"Draw a cadence as a Mermaid or Graphviz diagram (or SVG, PNG, PDF, JPEG).",
	"FILE is a cadence file or '-' for standard input. It is checked first,\n"
	"with its child cadences: a file with errors is not drawn (the problems are\n"
	"printed, exit 1). With -o the output goes to a temporary file in the same\n"
	"directory, renamed into place when complete: never a partial file; the\n"
	"file replaced keeps its owner and mode, a symbolic link its target, and a\n"
	"device, FIFO or /dev/stdout is written in place.\n"
	"Like validate, it reads no file outside the project root unless\n"
	"--allow-outside-root is given (cli.md, \"The project root\").\n"
	"\n"
	"-o FILE's extension, in any case, is the format: .mmd or .mermaid\n"
	"(Mermaid), .dot or .gv (DOT), .svg, .png, .pdf, .jpg or .jpeg (rendered\n"
	"by Graphviz). Another extension, or none, needs --format (a device or\n"
	"FIFO without one is written as standard output: Mermaid); a --format\n"
	"that contradicts a known extension is a usage error. --dpi and --scale\n"
	"size png and jpg (dots per inch: --dpi times --scale); other formats\n"
	"refuse them. An image over 32767 pixels a side or 100 million pixels is\n"
	"refused (exit 1).\n"
	"\n"
	"Mermaid renders at most 500 edges and 50,000 characters; a larger diagram\n"
	"is refused (exit 1): use --format dot, svg or png, or --cadence NAME.\n"
	"diagram.md shows what each shape means.\n"
	"\n"
	"Exit status: 0 drawn, 1 problems in the input or too large (Mermaid's\n"
	"limits, the pixel limits), 2 usage error (also: svg, png, pdf or jpg in\n"
	"a build without Graphviz), 3 internal failure (out of memory, cannot\n"
	"write the output).",
	diagram_opts,
	diagram,
};
