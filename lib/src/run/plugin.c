/* SPDX-License-Identifier: MIT */
/* Plugins: shared objects whose exported functions are `symbol` notes,
 * looked up by name (docs/run.md, "Plugins").  A plugin is loaded only
 * when it declares a note API this library provides and uses this
 * library's note functions, not a copy of its own; a note binds only a
 * function the plugin itself defines. */
/* dlinfo(), dladdr1(): the link map of a plugin and of a symbol's object */
#define _GNU_SOURCE

#include "run/run_int.h"
#include "util/grow.h"

#include <dlfcn.h>
#include <link.h>
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

/* The object a plugin handle stands for, to tell its own symbols from
 * those of the libraries it links: dlsym() searches those too. */
static const void *own_object(void *h)
{
	struct link_map *lm = NULL;
	return dlinfo(h, RTLD_DI_LINKMAP, &lm) ? NULL : lm;
}

/* The object that defines the symbol at `addr` (NULL: none known), and
 * its file name. */
static const void *object_of(const void *addr, const char **file)
{
	Dl_info di;
	struct link_map *lm = NULL;
	if (!dladdr1(addr, &di, (void **)&lm, RTLD_DL_LINKMAP))
		return NULL;
	if (file)
		*file = di.dli_fname;
	return lm;
}

int cad_plugin_open(cadence_runner *r, const char *path, strbuf *msg)
{
	rplugin *ps = cad_realloc_array(r->plugins, r->nplugins + 1, sizeof(*ps));
	if (!ps)
		return CADENCE_ENOMEM;
	r->plugins = ps;
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
	const void *self = own_object(h);
	int rc = check_api(h, path, msg);
	if (!rc)
		rc = check_no_copy(h, path, msg);
	if (!rc && !self) {
		cad_strbuf_addf(msg, "cannot load plugin '%s': the dynamic linker does not say "
			    "where it is mapped", path);
		rc = CADENCE_EIO;
	}
	if (rc) {
		dlclose(h);
		free(copy);
		return rc;
	}
	r->plugins[r->nplugins++] = (rplugin){ h, copy, self };
	return 0;
}

cadence_note_fn cad_plugin_find(cadence_runner *r, const char *name)
{
	for (size_t i = 0; i < r->nplugins; i++) {
		void *sym = dlsym(r->plugins[i].handle, name);
		/* abort, getpid, cJSON_Delete: found through a library the plugin
		 * links, not a note; calling one would crash cadence */
		if (sym && object_of(sym, NULL) == r->plugins[i].base) {
			/* POSIX guarantees this conversion; ISO C has no cast for it */
			cadence_note_fn fn;
			memcpy(&fn, &sym, sizeof(fn));
			return fn;
		}
	}
	return NULL;
}

void cad_plugin_explain(const cadence_runner *r, const char *name, strbuf *msg)
{
	const char *lib = NULL, *user = NULL;
	cad_strbuf_adds(msg, " (searched: ");
	for (size_t i = 0; i < r->nplugins; i++) {
		cad_strbuf_addf(msg, "%s%s", i ? ", " : "", r->plugins[i].path);
		const char *file = NULL;
		void *sym = user ? NULL : dlsym(r->plugins[i].handle, name);
		if (sym && object_of(sym, &file) != r->plugins[i].base && file) {
			lib = file;
			user = r->plugins[i].path;
		}
	}
	cad_strbuf_adds(msg, ")");
	if (user)
		cad_strbuf_addf(msg, "; '%s' is defined by %s, a library %s uses, not by the "
			    "plugin: name a function the plugin defines", name, lib, user);
}

void cad_plugin_close_all(cadence_runner *r)
{
	for (size_t i = 0; i < r->nplugins; i++) {
		dlclose(r->plugins[i].handle);
		free(r->plugins[i].path);
	}
	free(r->plugins);
	r->plugins = NULL;
	r->nplugins = 0;
}
