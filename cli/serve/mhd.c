/* SPDX-License-Identifier: MIT */
/* libmicrohttpd through dlopen(): see mhd.h for why. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* the names are the library's here, not the table's */
#define SERVE_MHD_NO_MACROS
#include "serve/mhd.h"

struct serve_mhd serve_mhd_api;

int serve_mhd_load(char *why, size_t n)
{
	struct serve_mhd api;
	const char *missing = NULL;
	if (serve_mhd_api.MHD_start_daemon)
		return 0;
	/* RTLD_LOCAL: its symbols are for the table, not for plugins */
	void *lib = dlopen(CADENCE_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, n,
			 "cannot load libmicrohttpd, which 'cadence serve' needs: %s (on Debian: "
			 "apt-get install libmicrohttpd12)",
			 dlerror());
		return -1;
	}
	/* a function pointer from dlsym's void * goes through memcpy: ISO C
	 * has no conversion between the two */
#define SERVE_MHD_SYM(name)                                                    \
	{                                                                      \
		void *p = dlsym(lib, #name);                                   \
		if (!p && !missing)                                            \
			missing = #name;                                       \
		memcpy(&api.name, &p, sizeof(p));                              \
	}
	SERVE_MHD_FUNCTIONS(SERVE_MHD_SYM)
#undef SERVE_MHD_SYM
	if (missing) {
		snprintf(why, n,
			 "%s is not the libmicrohttpd 'cadence serve' was built with: it has no %s",
			 CADENCE_MHD_SONAME, missing);
		dlclose(lib);
		return -1;
	}
	serve_mhd_api = api;
	return 0;
}
