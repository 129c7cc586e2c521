/* SPDX-License-Identifier: MIT */
/*
 * The diagram module: a cadence is first turned into a small graph of
 * nodes, nested groups and edges (build.c), which each language writes out
 * (mermaid.c, dot.c).  Every label in the graph is plain text, user text
 * included; only the writers escape it, each for its own language
 * (escape.c).  Node ids are made from names and are unique (build.c).
 */
#ifndef CADENCE_SRC_DIAGRAM_DIAGRAM_INT_H
#define CADENCE_SRC_DIAGRAM_DIAGRAM_INT_H

#include "cadence/diagram.h"
#include "model/model.h"
#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <stddef.h>

#define DG_NONE ((size_t)-1)

typedef enum dg_shape {
	DG_START,	/* the cadence begins: its name */
	DG_END,		/* the cadence ends */
	DG_STEP,	/* a note runs */
	DG_FORK,	/* sync: branches start; dag: its entry */
	DG_JOIN,	/* sync: branches are merged; dag: its exit */
	DG_DECISION,	/* split: the condition */
	DG_MERGE,	/* split: the branches rejoin */
	DG_CHILD,	/* a child cadence runs (not drawn inside) */
	DG_HANDLER	/* on_error: the handler note */
} dg_shape;

typedef enum dg_group_kind {
	DG_G_ROOT,	/* the whole diagram, groups[0] */
	DG_G_SYNC,
	DG_G_SEQUENCE,
	DG_G_CHILD,	/* an expanded child cadence */
	DG_G_SCOPE,	/* the measures an on_error handler covers */
	DG_G_DAG
} dg_group_kind;

typedef enum dg_edge_kind {
	DG_E_FLOW,	/* the next thing that runs */
	DG_E_ERROR	/* a failure goes to the on_error handler */
} dg_edge_kind;

/* Lines of a label are separated by '\n'; the text is UTF-8 as written by
 * the user (invalid bytes are the writers' problem too). */
typedef struct dg_node {
	const char *id;
	dg_shape shape;
	const char *label;
} dg_node;

/* A member of a group: a node or a nested group, in drawing order. */
typedef struct dg_item {
	size_t index;
	int is_group;
} dg_item;

typedef struct dg_group {
	const char *id;
	const char *label;
	dg_group_kind kind;
	size_t parent;		/* DG_NONE for the root */
	dg_item *items;
	size_t nitems, capitems;
	size_t first_node;	/* some node inside (DOT's ltail), or DG_NONE */
} dg_group;

typedef struct dg_edge {
	size_t from, to;	/* node indices */
	size_t from_group;	/* DG_NONE, or the group the edge leaves */
	dg_edge_kind kind;
	const char *label;	/* NULL = none */
} dg_edge;

typedef struct dg_graph {
	arena arena;
	cadence_diagram_direction direction;
	dg_node *nodes;
	size_t nnodes, capnodes;
	dg_group *groups;
	size_t ngroups, capgroups;
	dg_edge *edges;
	size_t nedges, capedges;
	strmap ids;		/* the node and group ids in use */
	strbuf scratch;		/* for ids being made */
	strbuf label;		/* for labels being made */
	size_t expanded;
	int oom;
} dg_graph;

/* build.c: draws `def` (children through `project` when opts->expand).
 * Returns 0 or CADENCE_ENOMEM; free the graph with cad_dg_free() either way. */
int cad_dg_build(dg_graph *g, const struct cadence_def *def, cadence_project *project,
	     const cadence_diagram_opts *opts);
void cad_dg_free(dg_graph *g);

/* Visits the groups and nodes in drawing order: open() before a group's
 * members, close() after them; the root group is not visited itself.
 * `depth` counts the groups around (0 at the top). */
typedef struct dg_visitor {
	void (*open)(strbuf *out, const dg_graph *g, const dg_group *gr, size_t depth);
	void (*node)(strbuf *out, const dg_graph *g, const dg_node *n, size_t depth);
	void (*close)(strbuf *out, const dg_graph *g, const dg_group *gr, size_t depth);
} dg_visitor;

void cad_dg_walk(strbuf *out, const dg_graph *g, const dg_visitor *v);

/* mermaid.c, dot.c: the text of the graph, appended to `out`. */
void cad_dg_write_mermaid(strbuf *out, const dg_graph *g);
void cad_dg_write_dot(strbuf *out, const dg_graph *g);

/* escape.c: label text for each language, without the quotes around it.
 * Lines are separated by '\n' in `s`. */
void cad_dg_escape_mermaid(strbuf *out, const char *s);
void cad_dg_escape_dot(strbuf *out, const char *s);
/* A name as an id: kept when it is an identifier, else made into one. */
void cad_dg_id_part(strbuf *out, const char *name);

/* An image to render: Graphviz's name of the format ("svg", "png", "pdf",
 * "jpg"), the resolution (0: Graphviz's own), and for a raster format the
 * pixels (set by cad_dg_render() from the layout). */
typedef struct cad_dg_image {
	const char *format;
	double dpi;
	size_t width, height;
} cad_dg_image;

/* render.c: lays out DOT text with libgvc and renders it as img->format.
 * Returns 0, CADENCE_ELIMIT (a PNG or JPEG larger than the limits of
 * cadence/diagram.h: img says how large), CADENCE_ENOTSUP (built without
 * libgvc), CADENCE_EFAILED or CADENCE_ENOMEM. */
int cad_dg_render(const char *dot, cad_dg_image *img, char **out, size_t *out_len);

#endif
