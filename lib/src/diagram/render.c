/* SPDX-License-Identifier: MIT */
/*
 * SVG, PNG, PDF and JPEG through Graphviz's libgvc, in process (built only when
 * CMake found libgvc: CADENCE_HAVE_GVC).
 *
 * libgvc keeps process-wide state: the error function and error count of
 * libcgraph, plugin tables, and the font caches of the cairo/pango
 * renderer.  It is contained here:
 *  - one lock serialises every call into libgvc, so the library stays
 *    safe to use from several threads (those calls just do not overlap);
 *  - Graphviz's messages go to a function of ours while the lock is held,
 *    never to the caller's stderr, and the previous function and the error
 *    count are restored afterwards;
 *  - one GVC_t serves every render and lives as long as the process (the
 *    graph of each call is freed before the lock is released).  It cannot
 *    be freed after each render: the pango plugin of Graphviz 2.42 keeps a
 *    pointer to the last font name, a string owned by the context, and
 *    compares the next render's font with it, so freeing the context makes
 *    the next render read freed memory (AddressSanitizer showed it, in the
 *    second render of one process).  A static pointer keeps the context
 *    reachable, so LeakSanitizer does not count it.
 */
#include "diagram/diagram_int.h"

#include <stdlib.h>
#include <string.h>

#ifdef CADENCE_HAVE_GVC

#include <graphviz/gvc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t gvc_lock = PTHREAD_MUTEX_INITIALIZER;
static GVC_t *gvc;	/* guarded by gvc_lock; see above */

static int swallow(char *message)
{
	(void)message;
	return 0;
}

/* Graphviz's margin around a drawing (the `pad` attribute), in points. */
#define PAD_POINTS 4.0

/* The pixels of a raster image of laid out `g` at img->dpi, as Graphviz
 * computes them (the bounding box and the pad, in points, at 72 a inch);
 * 0 when it fits the limits, else CADENCE_ELIMIT. */
static int image_size(Agraph_t *g, cad_dg_image *img)
{
	double llx, lly, urx, ury;
	/* set by gvLayout(): "0 0 54 108" in 2.42, with commas in others */
	const char *bb = agget(g, "bb");

	if (!bb || sscanf(bb, "%lf%*[ ,]%lf%*[ ,]%lf%*[ ,]%lf", &llx, &lly, &urx, &ury) != 4)
		return CADENCE_EFAILED;
	double w = ceil((urx - llx + 2 * PAD_POINTS) * img->dpi / 72.0);
	double h = ceil((ury - lly + 2 * PAD_POINTS) * img->dpi / 72.0);
	img->width = w < 1e15 ? (size_t)w : (size_t)1e15;
	img->height = h < 1e15 ? (size_t)h : (size_t)1e15;
	if (w > CADENCE_DIAGRAM_MAX_SIDE || h > CADENCE_DIAGRAM_MAX_SIDE ||
	    w * h > CADENCE_DIAGRAM_MAX_PIXELS)
		return CADENCE_ELIMIT;
	return 0;
}

/* Lays out `g` with the resolution asked for: Graphviz reads `dpi` when
 * it lays out.  0 or -1, as gvLayout(). */
static int lay_out(Agraph_t *g, double dpi)
{
	char buf[32];

	if (dpi > 0) {
		snprintf(buf, sizeof(buf), "%.17g", dpi);
		agsafeset(g, "dpi", buf, "");
	}
	return gvLayout(gvc, g, "dot");
}

/* Renders laid out `g` into a malloc'd copy (Graphviz's buffer is freed
 * by Graphviz's own function). */
static int render(Agraph_t *g, const char *format, char **out, size_t *out_len)
{
	char *data = NULL;
	unsigned int len = 0;
	int rc = CADENCE_EFAILED;

	if (gvRenderData(gvc, g, format, &data, &len) == 0 && data && len) {
		*out = malloc((size_t)len + 1);
		if (*out) {
			memcpy(*out, data, len);
			(*out)[len] = '\0';
			*out_len = len;
			rc = 0;
		} else {
			rc = CADENCE_ENOMEM;
		}
	}
	if (data)
		gvFreeRenderData(data);
	return rc;
}

int cad_dg_render(const char *dot, cad_dg_image *img, char **out, size_t *out_len)
{
	int rc = CADENCE_EFAILED;

	*out = NULL;
	*out_len = 0;
	pthread_mutex_lock(&gvc_lock);
	agusererrf prev = agseterrf(swallow);
	if (!gvc)
		gvc = gvContext();
	Agraph_t *g = gvc ? agmemread(dot) : NULL;
	if (g && lay_out(g, img->dpi) == 0) {
		/* a vector format has no pixels to count */
		rc = img->dpi > 0 ? image_size(g, img) : 0;
		if (!rc)
			rc = render(g, img->format, out, out_len);
		gvFreeLayout(gvc, g);
	}
	if (g)
		agclose(g);
	agseterrf(prev);
	agreseterrors();
	pthread_mutex_unlock(&gvc_lock);
	return rc;
}

int cadence_diagram_can_render(void)
{
	return 1;
}

#else

int cad_dg_render(const char *dot, cad_dg_image *img, char **out, size_t *out_len)
{
	(void)dot, (void)img;
	*out = NULL;
	*out_len = 0;
	return CADENCE_ENOTSUP;
}

int cadence_diagram_can_render(void)
{
	return 0;
}

#endif
