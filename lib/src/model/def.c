/* SPDX-License-Identifier: MIT */
/* A cadence's public accessors and its release (cadence/load.h), the same
 * whichever made it: the loader (format/) or the builder (builder/). */
#include "cadence/load.h"
#include "model/model.h"

#include <stdlib.h>

static void def_release_values(struct cadence_def *def)
{
	for (size_t i = 0; i < def->nfields; i++)
		cJSON_Delete(def->fields[i].def);
	cJSON_Delete(def->schedule.score);
	for (size_t i = 0; i < def->nnotes; i++)
		for (size_t j = 0; def->notes[i].fallback_values && j < def->notes[i].nfallback; j++)
			cJSON_Delete(def->notes[i].fallback_values[j]);
}

void cadence_def_free(cadence_def *def)
{
	if (!def)
		return;
	def_release_values(def);
	cad_model_index_free(def);
	cad_arena_free(&def->arena);
	free(def->path);
	free(def->source);
	free(def);
}

const char *cadence_def_name(const cadence_def *def)
{
	return def->name.name;
}

const char *cadence_def_path(const cadence_def *def)
{
	return def->path;
}

size_t cadence_def_field_count(const cadence_def *def)
{
	return def->nfields;
}

size_t cadence_def_note_count(const cadence_def *def)
{
	return def->nnotes;
}

size_t cadence_def_measure_count(const cadence_def *def)
{
	return def->nmeasures;
}
