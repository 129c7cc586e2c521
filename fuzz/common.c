/* SPDX-License-Identifier: MIT */
/* What the fuzz targets share (fuzz/fuzz.h). */
#include "fuzz.h"

#include "cadence/cadence.h"

FILE *fuzz_null_stream(void)
{
	static FILE *null;
	if (!null) {
		null = fopen("/dev/null", "w");
		FUZZ_ASSERT(null != NULL);
	}
	return null;
}

int fuzz_load(const uint8_t *data, size_t size, cadence_project **project,
	      cadence_diags **diags, const cadence_def **def)
{
	*def = NULL;
	FUZZ_ASSERT(cadence_diags_new(diags) == 0);
	FUZZ_ASSERT(cadence_project_new(project, NULL) == 0);
	return cadence_project_load_buffer(def, *project, FUZZ_FILE_NAME,
					   (const char *)data, size, *diags);
}
