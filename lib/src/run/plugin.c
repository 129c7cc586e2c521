/* SPDX-License-Identifier: MIT */
/* Plugins: shared objects whose exported functions are `symbol` notes,
 * looked up by name (docs/run.md, "Plugins"). */
#include "run/run_int.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

int cad_plugin_open(cadence_runner *r, const char *path, strbuf *msg)
{
	void **hs = realloc(r->plugins, (r->nplugins + 1) * sizeof(*hs));
	if (!hs)
		return CADENCE_ENOMEM;
	r->plugins = hs;
	char **ps = realloc(r->plugin_paths, (r->nplugins + 1) * sizeof(*ps));
	if (!ps)
		return CADENCE_ENOMEM;
	r->plugin_paths = ps;
	char *copy = strdup(path);
	if (!copy)
		return CADENCE_ENOMEM;
	/* dlopen looks a bare name up in the library path; a plugin given on
	 * the command line is a file */
	strbuf p = STRBUF_INIT;
	if (!strchr(path, '/'))
		cad_strbuf_adds(&p, "./");
	cad_strbuf_adds(&p, path);
	void *h = cad_strbuf_cstr(&p) ? dlopen(cad_strbuf_cstr(&p), RTLD_NOW | RTLD_LOCAL) : NULL;
	cad_strbuf_free(&p);
	if (!h) {
		const char *e = dlerror();
		cad_strbuf_addf(msg, "cannot load plugin '%s': %s", path, e ? e : "unknown error");
		free(copy);
		return CADENCE_EIO;
	}
	r->plugins[r->nplugins] = h;
	r->plugin_paths[r->nplugins] = copy;
	r->nplugins++;
	return 0;
}

cadence_note_fn cad_plugin_find(cadence_runner *r, const char *name)
{
	for (size_t i = 0; i < r->nplugins; i++) {
		void *sym = dlsym(r->plugins[i], name);
		if (sym) {
			/* POSIX guarantees this conversion; ISO C has no cast for it */
			cadence_note_fn fn;
			memcpy(&fn, &sym, sizeof(fn));
			return fn;
		}
	}
	return NULL;
}

void cad_plugin_close_all(cadence_runner *r)
{
	for (size_t i = 0; i < r->nplugins; i++) {
		dlclose(r->plugins[i]);
		free(r->plugin_paths[i]);
	}
	free(r->plugins);
	free(r->plugin_paths);
	r->plugins = NULL;
	r->plugin_paths = NULL;
	r->nplugins = 0;
}
