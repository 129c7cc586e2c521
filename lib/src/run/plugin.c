/* SPDX-License-Identifier: MIT */
/* Plugins: shared objects whose exported functions are `symbol` notes,
 * looked up by name (docs/run.md, "Plugins").  A plugin is loaded only
 * when it declares a note API this library provides and uses this
 * library's note functions, not a copy of its own. */
#include "run/run_int.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

/* The plugin's version against ours: 0, or a message into msg. */
static int check_api(void *h, const char *path, strbuf *msg)
{
	const cadence_note_plugin_info *info = dlsym(h, "cadence_note_plugin");
	if (!info) {
		cad_strbuf_addf(msg, "plugin '%s' declares no note API version; add "
			    "`CADENCE_NOTE_PLUGIN;` to one of its C files and rebuild it "
			    "(this cadence provides note API %u.%u)",
			    path, CADENCE_NOTE_API_MAJOR, CADENCE_NOTE_API_MINOR);
		return CADENCE_ENOTSUP;
	}
	if (info->api_major == CADENCE_NOTE_API_MAJOR && info->api_minor <= CADENCE_NOTE_API_MINOR)
		return 0;
	cad_strbuf_addf(msg, "plugin '%s' was built for note API %u.%u, which this cadence "
		    "(%s, note API %u.%u) does not provide: it loads plugins of note API "
		    "%u.0 to %u.%u; rebuild the plugin against this cadence's headers",
		    path, info->api_major, info->api_minor, cadence_version(),
		    CADENCE_NOTE_API_MAJOR, CADENCE_NOTE_API_MINOR, CADENCE_NOTE_API_MAJOR,
		    CADENCE_NOTE_API_MAJOR, CADENCE_NOTE_API_MINOR);
	return CADENCE_ENOTSUP;
}

/* A plugin that defines the note functions itself (it links libcadence.a,
 * or a libcadence.so other than the one this code is in) would read our
 * context with its own layout. */
static int check_no_copy(void *h, const char *path, strbuf *msg)
{
	void *theirs = dlsym(h, "cadence_note_fail");
	int (*ours)(cadence_note_ctx *, const char *, ...) = cadence_note_fail;
	void *mine;
	memcpy(&mine, &ours, sizeof(mine));	/* POSIX: function and object pointers convert */
	if (!theirs || theirs == mine)
		return 0;
	cad_strbuf_addf(msg, "plugin '%s' carries its own copy of the cadence library (it "
		    "defines cadence_note_fail); build it with the headers only "
		    "(pkg-config --cflags cadence, or CMake's cadence::headers) and link "
		    "nothing of libcadence", path);
	return CADENCE_ENOTSUP;
}

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
	int rc = check_api(h, path, msg);
	if (!rc)
		rc = check_no_copy(h, path, msg);
	if (rc) {
		dlclose(h);
		free(copy);
		return rc;
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
