/* SPDX-License-Identifier: MIT */
#include "run/fieldmap.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int cad_fieldmap_init(fieldmap *m, const cad_field *fields, size_t n)
{
	size_t cap = 8;
	while (cap < n * 2)
		cap *= 2;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots)
		return -1;
	m->mask = cap - 1;
	m->fields = fields;
	m->n = n;
	for (size_t i = 0; i < n; i++) {
		size_t at = hash(fields[i].name.name) & m->mask;
		while (m->slots[at])
			at = (at + 1) & m->mask;
		m->slots[at] = (uint32_t)i + 1;
	}
	return 0;
}

void cad_fieldmap_free(fieldmap *m)
{
	free(m->slots);
	m->slots = NULL;
}

long cad_fieldmap_get(const fieldmap *m, const char *name)
{
	size_t at = hash(name) & m->mask;
	uint32_t v;
	while ((v = m->slots[at])) {
		if (!strcmp(m->fields[v - 1].name.name, name))
			return (long)v - 1;
		at = (at + 1) & m->mask;
	}
	return -1;
}
