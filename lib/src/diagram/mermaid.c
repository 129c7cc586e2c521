/* SPDX-License-Identifier: MIT */
/*
 * Mermaid flowchart text.  Only the classic flowchart syntax that Mermaid
 * 10, 11 and 12 all read (tests/mermaid renders with each): every label is
 * a quoted string with entity codes, every id is ours ([A-Za-z0-9_],
 * starting with a kind letter, so never `end`, nor `o`/`x` after an edge),
 * nodes are declared inside their subgraphs and every edge comes after.
 */
#include "diagram/diagram_int.h"

static void indent(strbuf *out, size_t depth)
{
	for (size_t i = 0; i < depth; i++)
		cad_strbuf_adds(out, "    ");
}

static void label(strbuf *out, const char *open, const char *text, const char *close)
{
	cad_strbuf_adds(out, open);
	cad_strbuf_addc(out, '"');
	cad_dg_escape_mermaid(out, text);
	cad_strbuf_addc(out, '"');
	cad_strbuf_adds(out, close);
}

static void node(strbuf *out, const dg_graph *g, const dg_node *n, size_t depth)
{
	(void)g;
	indent(out, depth + 1);
	cad_strbuf_adds(out, n->id);
	switch (n->shape) {
	case DG_START: label(out, "([", n->label, "])"); break;
	case DG_END: label(out, "(((", n->label, ")))"); break;
	case DG_STEP: label(out, "[", n->label, "]"); break;
	case DG_FORK:
	case DG_JOIN: cad_strbuf_adds(out, "[\" \"]:::bar"); break;
	case DG_DECISION: label(out, "{", n->label, "}"); break;
	case DG_MERGE: cad_strbuf_adds(out, "((\" \"))"); break;
	case DG_CHILD: label(out, "[[", n->label, "]]"); break;
	case DG_HANDLER: label(out, "{{", n->label, "}}"); cad_strbuf_adds(out, ":::handler"); break;
	}
	cad_strbuf_addc(out, '\n');
}

static void open_group(strbuf *out, const dg_graph *g, const dg_group *gr, size_t depth)
{
	(void)g;
	indent(out, depth + 1);
	cad_strbuf_addf(out, "subgraph %s ", gr->id);
	label(out, "[", gr->label, "]\n");
}

static void close_group(strbuf *out, const dg_graph *g, const dg_group *gr, size_t depth)
{
	(void)g, (void)gr;
	indent(out, depth + 1);
	cad_strbuf_adds(out, "end\n");
}

void cad_dg_write_mermaid(strbuf *out, const dg_graph *g)
{
	cad_strbuf_addf(out, "flowchart %s\n", g->direction == CADENCE_DIAGRAM_LR ? "LR" : "TB");
	static const dg_visitor v = { open_group, node, close_group };
	cad_dg_walk(out, g, &v);
	for (size_t i = 0; i < g->nedges; i++) {
		const dg_edge *e = &g->edges[i];
		const char *from = e->from_group != DG_NONE ? g->groups[e->from_group].id
							   : g->nodes[e->from].id;
		cad_strbuf_adds(out, "    ");
		cad_strbuf_adds(out, from);
		cad_strbuf_adds(out, e->kind == DG_E_ERROR ? " -.->" : " -->");
		if (e->label)
			label(out, "|", e->label, "|");
		cad_strbuf_addc(out, ' ');
		cad_strbuf_adds(out, g->nodes[e->to].id);
		cad_strbuf_addc(out, '\n');
	}
	cad_strbuf_adds(out, "    classDef bar fill:#333,stroke:#333,color:#333\n"
			 "    classDef handler fill:#fdecea,stroke:#b3261e\n");
}
