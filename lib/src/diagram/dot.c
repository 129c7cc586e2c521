/* SPDX-License-Identifier: MIT */
/*
 * Graphviz DOT text for the dot layout.  Ids are ours ([A-Za-z0-9_],
 * starting with a kind letter, never a DOT keyword); every label is a
 * quoted string escaped by cad_dg_escape_dot(), so user text cannot end the
 * string and add an attribute.  Groups are clusters; the on_error edge
 * leaves its cluster (compound=true, ltail).
 */
#include "diagram/diagram_int.h"

static void indent(strbuf *out, size_t depth)
{
	for (size_t i = 0; i < depth; i++)
		cad_strbuf_addc(out, '\t');
}

static void label(strbuf *out, const char *text)
{
	cad_strbuf_adds(out, "label=\"");
	cad_dg_escape_dot(out, text);
	cad_strbuf_addc(out, '"');
}

static void node(strbuf *out, const dg_graph *g, const dg_node *n, size_t depth)
{
	int lr = g->direction == CADENCE_DIAGRAM_LR;
	indent(out, depth + 1);
	cad_strbuf_adds(out, n->id);
	cad_strbuf_adds(out, " [");
	switch (n->shape) {
	case DG_START: cad_strbuf_adds(out, "shape=box, style=\"rounded,bold\", "); break;
	case DG_END: cad_strbuf_adds(out, "shape=doublecircle, width=0.3, fontsize=9, "); break;
	case DG_STEP: break;
	case DG_FORK:
	case DG_JOIN:
		cad_strbuf_adds(out, "shape=box, style=filled, fillcolor=\"#333333\", color=\"#333333\", "
				 "fixedsize=true, ");
		cad_strbuf_adds(out, lr ? "width=0.08, height=1.2, " : "width=1.2, height=0.08, ");
		break;
	case DG_DECISION: cad_strbuf_adds(out, "shape=diamond, style=\"\", "); break;
	case DG_MERGE: cad_strbuf_adds(out, "shape=circle, style=\"\", fixedsize=true, width=0.15, "); break;
	case DG_CHILD: cad_strbuf_adds(out, "shape=box, style=\"\", peripheries=2, "); break;
	case DG_HANDLER:
		cad_strbuf_adds(out, "shape=hexagon, style=filled, fillcolor=\"#fdecea\", color=\"#b3261e\", ");
		break;
	}
	label(out, n->label);
	cad_strbuf_adds(out, "];\n");
}

static void open_group(strbuf *out, const dg_graph *g, const dg_group *gr, size_t depth)
{
	(void)g;
	indent(out, depth + 1);
	cad_strbuf_addf(out, "subgraph cluster_%s {\n", gr->id);
	indent(out, depth + 2);
	label(out, gr->label);
	cad_strbuf_adds(out, ";\n");
	indent(out, depth + 2);
	cad_strbuf_adds(out, gr->kind == DG_G_SCOPE ? "style=dashed; color=\"#b3261e\";\n"
		     : gr->kind == DG_G_CHILD ? "style=\"rounded,bold\"; color=\"#555555\";\n"
		     : "style=rounded; color=\"#555555\";\n");
}

static void close_group(strbuf *out, const dg_graph *g, const dg_group *gr, size_t depth)
{
	(void)g, (void)gr;
	indent(out, depth + 1);
	cad_strbuf_adds(out, "}\n");
}

void cad_dg_write_dot(strbuf *out, const dg_graph *g)
{
	cad_strbuf_addf(out,
		    "digraph cadence {\n"
		    "\tgraph [rankdir=%s, compound=true, fontname=\"Helvetica\", fontsize=11, "
		    "labeljust=l, nodesep=0.3, ranksep=0.35];\n"
		    "\tnode [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11, "
		    "margin=\"0.12,0.04\"];\n"
		    "\tedge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n",
		    g->direction == CADENCE_DIAGRAM_LR ? "LR" : "TB");
	static const dg_visitor v = { open_group, node, close_group };
	cad_dg_walk(out, g, &v);
	for (size_t i = 0; i < g->nedges; i++) {
		const dg_edge *e = &g->edges[i];
		int attrs = e->label || e->kind == DG_E_ERROR;
		cad_strbuf_addc(out, '\t');
		cad_strbuf_adds(out, g->nodes[e->from].id);
		cad_strbuf_adds(out, " -> ");
		cad_strbuf_adds(out, g->nodes[e->to].id);
		if (!attrs) {
			cad_strbuf_adds(out, ";\n");
			continue;
		}
		cad_strbuf_adds(out, " [");
		if (e->kind == DG_E_ERROR)
			cad_strbuf_adds(out, "style=dashed, color=\"#b3261e\", fontcolor=\"#b3261e\", ");
		if (e->from_group != DG_NONE)
			cad_strbuf_addf(out, "ltail=cluster_%s, ", g->groups[e->from_group].id);
		if (e->label)
			label(out, e->label);
		else
			cad_strbuf_adds(out, "label=\"\"");
		cad_strbuf_adds(out, "];\n");
	}
	cad_strbuf_adds(out, "}\n");
}
