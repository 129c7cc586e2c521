/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the loader and every check, on arbitrary bytes, as
 * `cadence validate` runs them (load into a project, cadence_check() on
 * every cadence the project loaded), then a diagnostic writer.
 */
#include "fuzz.h"

#include "cadence/cadence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cadence_diags *diags;
	cadence_project *project;
	const cadence_def *def;

	int rc = fuzz_load(data, size, &project, &diags, &def);
	FUZZ_ASSERT(rc == 0 || rc == CADENCE_EINVALID);
	/* a file is refused only with a reason, and loads only without errors */
	FUZZ_ASSERT((rc == 0) == (def != NULL));
	if (rc)
		FUZZ_ASSERT(cadence_diags_errors(diags) > 0);
	else
		FUZZ_ASSERT(cadence_diags_errors(diags) == 0);

	cadence_check_opts copts = CADENCE_CHECK_OPTS_INIT;
	for (size_t i = 0; i < cadence_project_count(project); i++) {
		size_t before = cadence_diags_errors(diags);
		int crc = cadence_check(cadence_project_get(project, i), project, &copts, diags);
		FUZZ_ASSERT(crc == 0 || crc == CADENCE_EINVALID);
		if (crc)
			FUZZ_ASSERT(cadence_diags_errors(diags) > before);
	}
	FUZZ_ASSERT(!cadence_diags_oom(diags));

	cadence_diags_sort(diags);
	static const cadence_diag_format formats[] = {
		CADENCE_DIAG_TEXT, CADENCE_DIAG_ONELINE, CADENCE_DIAG_JSON,
		CADENCE_DIAG_SARIF, CADENCE_DIAG_GITHUB,
	};
	/* one writer per input (which one follows the size), so that the
	 * writers do not cost five times the loading */
	cadence_diag_write_opts wo = CADENCE_DIAG_WRITE_OPTS_INIT;
	wo.files_checked = cadence_project_file_count(project);
	wo.color = (int)(size / 5 & 1);
	FUZZ_ASSERT(cadence_diags_write(diags, fuzz_null_stream(),
					formats[size % (sizeof(formats) / sizeof(formats[0]))],
					&wo) == 0);

	cadence_project_free(project);
	cadence_diags_free(diags);
	return 0;
}
