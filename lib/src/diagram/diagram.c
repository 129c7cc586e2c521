/* SPDX-License-Identifier: MIT */
/* cadence/diagram.h: build the graph, write it in the language asked for,
 * check Mermaid's limits, render through libgvc. */
#include "diagram/diagram_int.h"
#include "util/api.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Graphviz's names of the formats, by cadence_diagram_format */
static const char *const format_names[] = { "mermaid", "dot", "svg", "png", "pdf", "jpg" };

int cadence_diagram_format_parse(cadence_diagram_format *out, const char *name)
{
	if (out)
		*out = CADENCE_DIAGRAM_MERMAID;
	if (out && name && !strcmp(name, "jpeg"))
		name = "jpg";
	for (size_t i = 0; out && name && i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(name, format_names[i])) {
			*out = (cadence_diagram_format)i;
			return 0;
		}
	return CADENCE_EINVAL;
}

/* Sizes of each version of the caller's structs (util/api.h). */
static const size_t opts_sizes[] = { 0, offsetof(cadence_diagram_opts, dpi),
				     sizeof(cadence_diagram_opts) };
static const size_t stats_sizes[] = { 0, offsetof(cadence_diagram_stats, width),
				      sizeof(cadence_diagram_stats) };

static int rendered(cadence_diagram_format f)
{
	return f >= CADENCE_DIAGRAM_SVG;
}

static int raster(cadence_diagram_format f)
{
	return f == CADENCE_DIAGRAM_PNG || f == CADENCE_DIAGRAM_JPEG;
}

/* The resolution of a render: 0 (Graphviz's own) for a vector format, or
 * -1 when opts ask for one that is not valid there. */
static double resolution(const cadence_diagram_opts *o, cadence_diagram_format f)
{
	if (!isfinite(o->dpi) || !isfinite(o->scale) || o->dpi < 0 || o->scale < 0)
		return -1;
	if (!raster(f))
		return o->dpi || o->scale ? -1 : 0;
	return (o->dpi ? o->dpi : CADENCE_DIAGRAM_DEFAULT_DPI) * (o->scale ? o->scale : 1);
}

int cadence_diagram_buffer(char **out, size_t *out_len, const cadence_def *def,
			   cadence_project *project, cadence_diagram_format format,
			   const cadence_diagram_opts *opts, cadence_diagram_stats *stats)
{
	cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
	cadence_diagram_stats st;
	dg_graph g;
	strbuf sb = STRBUF_INIT;
	int rc;

	if (out)
		*out = NULL;
	if (out_len)
		*out_len = 0;
	memset(&st, 0, sizeof(st));
	st.version = CADENCE_DIAGRAM_STATS_VERSION;
	if (!CAD_VERSION_OK(opts, CADENCE_DIAGRAM_OPTS_VERSION) ||
	    !CAD_VERSION_OK(stats, CADENCE_DIAGRAM_STATS_VERSION))
		return CADENCE_EVERSION;
	if (stats)
		CAD_COPY_OUT(stats, &st, stats_sizes);
	if (!out || !out_len || !def || (unsigned)format > CADENCE_DIAGRAM_JPEG)
		return CADENCE_EINVAL;
	if (opts)
		CAD_COPY_IN(&o, opts, opts_sizes);
	double dpi = resolution(&o, format);
	if ((unsigned)o.direction > CADENCE_DIAGRAM_LR || dpi < 0)
		return CADENCE_EINVAL;
	if (rendered(format) && !cadence_diagram_can_render())
		return CADENCE_ENOTSUP;

	rc = cad_dg_build(&g, def, project, &o);
	if (!rc) {
		if (format == CADENCE_DIAGRAM_MERMAID)
			cad_dg_write_mermaid(&sb, &g);
		else
			cad_dg_write_dot(&sb, &g);
		if (!cad_strbuf_cstr(&sb))
			rc = CADENCE_ENOMEM;
	}
	st.nodes = g.nnodes;
	st.edges = g.nedges;
	st.groups = g.ngroups ? g.ngroups - 1 : 0;
	st.expanded = g.expanded;
	st.text_len = sb.len;
	cad_dg_free(&g);
	if (format == CADENCE_DIAGRAM_MERMAID) {
		st.max_text = o.mermaid_max_text ? o.mermaid_max_text : CADENCE_DIAGRAM_MERMAID_MAX_TEXT;
		st.max_edges = o.mermaid_max_edges ? o.mermaid_max_edges
						   : CADENCE_DIAGRAM_MERMAID_MAX_EDGES;
		if (!rc && (st.text_len > st.max_text || st.edges > st.max_edges))
			rc = CADENCE_ELIMIT;
	}
	if (!rc && rendered(format)) {
		cad_dg_image img = { format_names[format], dpi, 0, 0 };
		rc = cad_dg_render(cad_strbuf_cstr(&sb), &img, out, out_len);
		st.width = img.width;
		st.height = img.height;
		cad_strbuf_free(&sb);
	}
	if (stats)
		CAD_COPY_OUT(stats, &st, stats_sizes);
	if (rc || rendered(format)) {
		cad_strbuf_free(&sb);
		return rc;
	}
	*out_len = sb.len;
	*out = cad_strbuf_detach(&sb);
	return *out ? 0 : CADENCE_ENOMEM;
}

int cadence_diagram_write(const cadence_def *def, cadence_project *project, FILE *stream,
			  cadence_diagram_format format, const cadence_diagram_opts *opts,
			  cadence_diagram_stats *stats)
{
	char *buf = NULL;
	size_t len = 0;

	/* the versions first: cadence_diagram_buffer() checks them */
	int rc = cadence_diagram_buffer(&buf, &len, def, project, format, opts, stats);
	if (rc)
		return rc;
	if (!stream)
		rc = CADENCE_EINVAL;
	else if (fwrite(buf, 1, len, stream) != len || fflush(stream) || ferror(stream))
		rc = CADENCE_EIO;
	free(buf);
	return rc;
}
