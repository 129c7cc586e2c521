/* SPDX-License-Identifier: MIT */
/* Files embedded into the binary at build time (cmake/embed.cmake). */
#ifndef CADENCE_CLI_EMBED_H
#define CADENCE_CLI_EMBED_H

#include <stddef.h>

typedef struct embed_file {
	const char *path;		/* relative to the embedded directory */
	const unsigned char *data;	/* followed by a NUL */
	size_t len;
} embed_file;

/* templates/ and completions/, each ended by an entry with path NULL. */
extern const embed_file embed_templates[];
extern const embed_file embed_completions[];
/* docs/openapi.json alone (`cadence serve`'s /openapi.json) */
extern const embed_file embed_openapi[];
/* docs/rules.md alone (`cadence explain RULE`) */
extern const embed_file embed_rules[];

#endif
