/* SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "util/suggest.h"

#include <stddef.h>
#include <string.h>

const char *const cad_vtype_names[] = {
	"string", "integer", "number", "boolean", "array", "object", "any",
};

const char *const cad_measure_kind_names[] = {
	"then", "sync", "split", "sequence", "child", "dag",
};

const char *const cad_merge_names[] = {
	"fail_on_conflict", "last_write_wins", "smart_merge",
};

const char *const cad_on_failure_names[] = {
	"finish", "stop", "continue",
};

const char *const cad_overlap_names[] = {
	"skip", "queue_one", "replace", "allow",
};

const char *const cad_catch_up_names[] = {
	"none", "latest", "all",
};

int cad_model_index(struct cadence_def *def)
{
	cad_model_index_free(def);
	if (cad_strmap_reserve(&def->field_index, def->nfields) ||
	    cad_strmap_reserve(&def->note_index, def->nnotes) ||
	    cad_strmap_reserve(&def->measure_index, def->nmeasures)) {
		cad_model_index_free(def);
		return -1;
	}
	/* reserved: adding cannot fail */
	for (size_t i = 0; i < def->nfields; i++)
		if (def->fields[i].name.name)
			cad_strmap_add(&def->field_index, def->fields[i].name.name, i);
	for (size_t i = 0; i < def->nnotes; i++)
		if (def->notes[i].name.name)
			cad_strmap_add(&def->note_index, def->notes[i].name.name, i);
	for (size_t i = 0; i < def->nmeasures; i++)
		if (def->measures[i].name.name)
			cad_strmap_add(&def->measure_index, def->measures[i].name.name, i);
	return 0;
}

void cad_model_index_free(struct cadence_def *def)
{
	cad_strmap_free(&def->field_index);
	cad_strmap_free(&def->note_index);
	cad_strmap_free(&def->measure_index);
}

static long lookup(const strmap *m, const char *name, size_t len)
{
	const strmap_entry *e = cad_strmap_find(m, name, len);
	return e ? (long)e->v.i : -1;
}

long cad_model_field_index_n(const struct cadence_def *def, const char *name, size_t len)
{
	return lookup(&def->field_index, name, len);
}

long cad_model_field_index(const struct cadence_def *def, const char *name)
{
	return lookup(&def->field_index, name, strlen(name));
}

long cad_model_note_index(const struct cadence_def *def, const char *name)
{
	return lookup(&def->note_index, name, strlen(name));
}

long cad_model_measure_index(const struct cadence_def *def, const char *name)
{
	return lookup(&def->measure_index, name, strlen(name));
}

const cad_field *cad_find_field(const struct cadence_def *def, const char *name)
{
	long i = cad_model_field_index(def, name);
	return i < 0 ? NULL : &def->fields[i];
}

const char *cad_model_near_field(const struct cadence_def *def, const char *name, size_t len)
{
	return cad_suggest_pick_in(name, len, def->fields, def->nfields, sizeof(*def->fields),
				   offsetof(cad_field, name.name));
}

const cad_note *cad_find_note(const struct cadence_def *def, const char *name)
{
	long i = cad_model_note_index(def, name);
	return i < 0 ? NULL : &def->notes[i];
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
