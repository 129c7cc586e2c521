/* SPDX-License-Identifier: MIT */
/* Field name -> index in the score declaration, in constant time: note
 * outputs are checked field by field, and a 100-field score must not cost
 * 100 string comparisons per field. */
#ifndef CADENCE_SRC_RUN_FIELDMAP_H
#define CADENCE_SRC_RUN_FIELDMAP_H

#include "model/model.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fieldmap {
	uint32_t *slots;	/* index + 1; 0 = empty */
	size_t mask;
	const cad_field *fields;
	size_t n;
} fieldmap;

/* Returns 0 or -1 when out of memory. */
int cad_fieldmap_init(fieldmap *m, const cad_field *fields, size_t n);
void cad_fieldmap_free(fieldmap *m);
/* The field's index, or -1. */
long cad_fieldmap_get(const fieldmap *m, const char *name);

#endif
