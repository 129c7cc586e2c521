/* SPDX-License-Identifier: MIT */
#include "run/env.h"

#include <string.h>

int cad_env_is(const char *entry, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(entry, name, n) && entry[n] == '=';
}

int cad_env_always(const char *entry)
{
	static const char *const always[] = { "PATH", "HOME", "LANG", "TZ", "TMPDIR" };
	for (size_t i = 0; i < sizeof(always) / sizeof(*always); i++)
		if (cad_env_is(entry, always[i]))
			return 1;
	/* LC_ALL, LC_CTYPE, LC_MESSAGES...: the locale, as LANG */
	if (strncmp(entry, "LC_", 3))
		return 0;
	const char *p = entry + 3;
	while ((*p >= 'A' && *p <= 'Z') || *p == '_')
		p++;
	return p > entry + 3 && *p == '=';
}
