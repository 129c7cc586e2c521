/* SPDX-License-Identifier: MIT */
/*
 * SVG and PNG through Graphviz's libgvc, in process (built only when
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
#include <pthread.h>

static pthread_mutex_t gvc_lock = PTHREAD_MUTEX_INITIALIZER;
static GVC_t *gvc;	/* guarded by gvc_lock; see above */

static int swallow(char *message)
{
	(void)message;
	return 0;
}

int cad_dg_render(const char *dot, const char *format, char **out, size_t *out_len)
{
	int rc = CADENCE_EFAILED;
	char *data = NULL;
	unsigned int len = 0;

	*out = NULL;
	*out_len = 0;
	pthread_mutex_lock(&gvc_lock);
	agusererrf prev = agseterrf(swallow);
	if (!gvc)
		gvc = gvContext();
	Agraph_t *g = gvc ? agmemread(dot) : NULL;
	if (g && gvLayout(gvc, g, "dot") == 0) {
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

int cad_dg_render(const char *dot, const char *format, char **out, size_t *out_len)
{
	(void)dot, (void)format;
	*out = NULL;
	*out_len = 0;
	return CADENCE_ENOTSUP;
}

int cadence_diagram_can_render(void)
{
	return 0;
}

#endif
