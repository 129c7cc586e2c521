/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the diagram writers (Mermaid and DOT, each direction, with
 * and without expanding children) on any input that loads, checked or not:
 * the writers are public API and must not rely on cadence_check().
 */
#include "fuzz.h"

#include "cadence/cadence.h"

#include <string.h>

static void draw(const cadence_def *def, cadence_project *project,
		 cadence_diagram_format format, int expand, int lr)
{
	cadence_diagram_opts opts = CADENCE_DIAGRAM_OPTS_INIT;
	cadence_diagram_stats stats = CADENCE_DIAGRAM_STATS_INIT;
	char *out = NULL;
	size_t len = 0;

	opts.expand = expand;
	opts.direction = lr ? CADENCE_DIAGRAM_LR : CADENCE_DIAGRAM_TB;
	int rc = cadence_diagram_buffer(&out, &len, def, project, format, &opts, &stats);
	if (rc == 0) {
		FUZZ_ASSERT(out != NULL);
		/* text: NUL-terminated, no NUL inside, the length it says */
		FUZZ_ASSERT(out[len] == '\0' && strlen(out) == len);
		FUZZ_ASSERT(stats.text_len == len);
		free(out);
	} else {
		FUZZ_ASSERT(rc == CADENCE_ELIMIT && format == CADENCE_DIAGRAM_MERMAID);
		FUZZ_ASSERT(out == NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cadence_diags *diags;
	cadence_project *project;
	const cadence_def *def;

	if (fuzz_load(data, size, &project, &diags, &def) == 0) {
		cadence_check_opts copts = CADENCE_CHECK_OPTS_INIT;
		copts.check_executables = 0;
		int checked = cadence_check(def, project, &copts, diags);
		FUZZ_ASSERT(checked == 0 || checked == CADENCE_EINVALID);
		int lr = (int)(size & 1);
		draw(def, project, CADENCE_DIAGRAM_MERMAID, 0, lr);
		draw(def, project, CADENCE_DIAGRAM_DOT, 0, !lr);
		draw(def, project, CADENCE_DIAGRAM_MERMAID, 1, !lr);
		draw(def, project, CADENCE_DIAGRAM_DOT, 1, lr);
	}
	cadence_project_free(project);
	cadence_diags_free(diags);
	return 0;
}
