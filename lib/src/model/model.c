/* SPDX-License-Identifier: MIT */
#include "model/model.h"

#include <string.h>

const char *const cad_vtype_names[] = {
	"string", "integer", "number", "boolean", "array", "object", "any",
};

const char *const cad_measure_kind_names[] = {
	"then", "sync", "split", "sequence", "child",
};

const char *const cad_merge_names[] = {
	"fail_on_conflict", "last_write_wins", "smart_merge",
};

const cad_field *cad_find_field(const struct cadence_def *def, const char *name)
{
	for (size_t i = 0; i < def->nfields; i++)
		if (!strcmp(def->fields[i].name.name, name))
			return &def->fields[i];
	return NULL;
}

const cad_note *cad_find_note(const struct cadence_def *def, const char *name)
{
	for (size_t i = 0; i < def->nnotes; i++)
		if (!strcmp(def->notes[i].name.name, name))
			return &def->notes[i];
	return NULL;
}

size_t cad_path_dir_len(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash ? (size_t)(slash - path) + 1 : 0;
}

void cad_def_dir(const struct cadence_def *def, strbuf *out)
{
	size_t n = cad_path_dir_len(def->path);
	if (n)
		cad_strbuf_add(out, def->path, n);
}

const char *cad_def_file(const struct cadence_def *def)
{
	return def->path ? def->path : "<built in code>";
}
