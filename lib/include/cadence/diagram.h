/* SPDX-License-Identifier: MIT */
/*
 * cadence/diagram.h - drawing a cadence: Mermaid and Graphviz DOT text, and
 * SVG, PNG, PDF or JPEG rendered in process by Graphviz (when built with
 * libgvc).
 *
 * Every measure is drawn so that its meaning shows (docs/diagram.md):
 * start and end; `then` as a step; `sync` as fork, parallel branches and
 * join in a group naming the merge strategy; `split` as a decision showing
 * its condition, with `true`/`false` edges that rejoin; `sequence` as a
 * group; `child` as a sub-process, or with `expand` the child cadence drawn
 * inside a group.  Note policies are shown on the step; `on_error` is a
 * dashed edge to the handler.
 *
 * Node ids are derived from names, so a one-line change in a file gives a
 * small change in the text.  Every label is user text and is escaped for
 * its language: no name, description or condition can add syntax.
 *
 * Ownership and thread-safety follow cadence/common.h.  The writers only
 * read `def`; with `expand` they load child cadences through `project`, so
 * a project must not be used by another thread during the call.  Rendering
 * SVG, PNG, PDF or JPEG goes through libgvc, which has process-wide state: the library
 * serialises those calls with a lock of its own, so they are safe from
 * several threads but do not run in parallel.
 */
#ifndef CADENCE_DIAGRAM_H
#define CADENCE_DIAGRAM_H

#include "cadence/common.h"
#include "cadence/load.h"
#include "cadence/project.h"

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cadence_diagram_format {
	CADENCE_DIAGRAM_MERMAID = 0,	/* Mermaid flowchart text */
	CADENCE_DIAGRAM_DOT,		/* Graphviz DOT text */
	CADENCE_DIAGRAM_SVG,		/* rendered by libgvc (dot layout) */
	CADENCE_DIAGRAM_PNG,		/* rendered by libgvc (dot layout) */
	CADENCE_DIAGRAM_PDF,		/* rendered by libgvc (cairo) */
	CADENCE_DIAGRAM_JPEG		/* rendered by libgvc */
} cadence_diagram_format;

typedef enum cadence_diagram_direction {
	CADENCE_DIAGRAM_TB = 0,	/* top to bottom */
	CADENCE_DIAGRAM_LR	/* left to right */
} cadence_diagram_direction;

/* Mermaid's own defaults (maxTextSize, maxEdges): a larger diagram does
 * not render in Mermaid as users run it (GitHub, editors). */
#define CADENCE_DIAGRAM_MERMAID_MAX_TEXT 50000
#define CADENCE_DIAGRAM_MERMAID_MAX_EDGES 500
/* Children expanded into one diagram at most (each expansion counts), so
 * that a tree of children cannot grow the output without bound. */
#define CADENCE_DIAGRAM_MAX_EXPANSIONS 256
/* The raster formats (PNG, JPEG): Graphviz's default resolution, and the
 * largest image drawn.  Cairo draws at most 32767 pixels a side; beyond
 * that Graphviz shrinks the image and says so on stderr, so a larger
 * image is refused; the pixel count bounds the memory of one render
 * (4 bytes a pixel). */
#define CADENCE_DIAGRAM_DEFAULT_DPI 96.0
#define CADENCE_DIAGRAM_MAX_SIDE 32767
#define CADENCE_DIAGRAM_MAX_PIXELS 100000000

typedef struct cadence_diagram_opts {
	unsigned version;	/* CADENCE_DIAGRAM_OPTS_VERSION */
	cadence_diagram_direction direction;
	/* Draw child cadences inside the diagram (needs a project; a child
	 * that cannot be loaded, or that would repeat a cadence already being
	 * drawn, stays a sub-process shape). */
	int expand;
	/* Mermaid limits; 0 = the defaults above. */
	size_t mermaid_max_text;
	size_t mermaid_max_edges;
	/* Version 2.  PNG and JPEG only (CADENCE_EINVAL for another format):
	 * the resolution in dots per inch (Graphviz's `dpi` attribute; 0 =
	 * CADENCE_DIAGRAM_DEFAULT_DPI), multiplied by `scale` (0 = 1).  Both
	 * must be finite and not negative. */
	double dpi;
	double scale;
} cadence_diagram_opts;

#define CADENCE_DIAGRAM_OPTS_VERSION 2
#define CADENCE_DIAGRAM_OPTS_INIT \
	{ CADENCE_DIAGRAM_OPTS_VERSION, CADENCE_DIAGRAM_TB, 0, 0, 0, 0, 0 }

/* What a diagram holds; filled by the writers when not NULL, also when a
 * limit was exceeded, so a caller can say by how much. */
typedef struct cadence_diagram_stats {
	unsigned version;	/* CADENCE_DIAGRAM_STATS_VERSION, set by the caller */
	size_t nodes;
	size_t edges;
	size_t groups;
	size_t text_len;	/* bytes of Mermaid or DOT text */
	size_t max_text;	/* the limits that applied (Mermaid), else 0 */
	size_t max_edges;
	size_t expanded;	/* child cadences drawn inside */
	/* Version 2: the pixels of a PNG or JPEG (from the layout, before it
	 * is drawn), else 0. */
	size_t width;
	size_t height;
} cadence_diagram_stats;

#define CADENCE_DIAGRAM_STATS_VERSION 2
#define CADENCE_DIAGRAM_STATS_INIT \
	{ CADENCE_DIAGRAM_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/*
 * Draws `def` in `format` into a new buffer: *out (malloc'd, owned by the
 * caller, free() it) holds *out_len bytes; for the text formats it is also
 * NUL-terminated.  `project` (may be NULL: nothing is expanded) resolves
 * child cadences when opts->expand is set, as a runner with that project
 * does: from the directory of the file of `def` or, for a cadence built in
 * C (path NULL), the working directory; a child not found there stays a
 * sub-process shape marked "not found".  `opts` and `stats` may be NULL.
 *
 * Returns 0; CADENCE_ELIMIT when Mermaid text would exceed the limits,
 * or a PNG or JPEG the size limits above (nothing is returned, *stats says
 * by how much); CADENCE_ENOTSUP for SVG, PNG, PDF or JPEG in a build
 * without libgvc; CADENCE_EFAILED when libgvc fails to
 * lay out or render; CADENCE_EINVAL for a bad argument; CADENCE_EVERSION
 * for opts or stats of an unknown version; CADENCE_ENOMEM.
 */
CADENCE_API int cadence_diagram_buffer(char **out, size_t *out_len, const cadence_def *def,
			   cadence_project *project, cadence_diagram_format format,
			   const cadence_diagram_opts *opts,
			   cadence_diagram_stats *stats);

/*
 * As cadence_diagram_buffer(), written to `stream`.  The diagram is
 * complete before the first byte is written, so a limit or a rendering
 * failure writes nothing.  Returns the same codes, CADENCE_EINVAL for a
 * NULL stream, and CADENCE_EIO when writing failed (checked with fflush
 * and ferror).
 */
CADENCE_API int cadence_diagram_write(const cadence_def *def, cadence_project *project,
				      FILE *stream, cadence_diagram_format format,
				      const cadence_diagram_opts *opts,
				      cadence_diagram_stats *stats);

/* Non-zero when this build renders SVG, PNG, PDF and JPEG (built with
 * libgvc). */
CADENCE_API int cadence_diagram_can_render(void);

/* Parses "mermaid", "dot", "svg", "png", "pdf" or "jpg" (also "jpeg").
 * Returns 0 or CADENCE_EINVAL. */
CADENCE_API int cadence_diagram_format_parse(cadence_diagram_format *out, const char *name);

#ifdef __cplusplus
}
#endif
#endif
