/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the checkpoint reader (lib/src/run/checkpoint.c, the file
 * `cadence resume` reads, docs/observability.md) on arbitrary bytes, and
 * what is done with a checkpoint that reads: written back (the text it
 * gives reads again to the same checkpoint), compared with the project's
 * files, and resumed on a cadence with a child and a dag, whose `set`
 * notes run in process, so that a resume point that does not fit is refused before
 * anything runs and one that fits runs to a score.
 */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include "cadence/cadence.h"
#include "cadence/checkpoint.h"
#include "util/json.h"

#include <string.h>

/* The cadences of tests/cli/resume.sh, with `set` notes only, and a dag. */
static const char root_text[] =
	"cadence: long\n"
	"score:\n"
	"  count: {type: integer, default: 0}\n"
	"  trail: {type: array, default: []}\n"
	"  total: {type: integer, default: 0}\n"
	"  tag: {type: string, default: ''}\n"
	"notes:\n"
	"  add:\n"
	"    set: {count: 'score.count + 1', trail: 'score.trail + [score.count]'}\n"
	"  double:\n"
	"    set: {total: 'score.total * 2 + 1'}\n"
	"  label:\n"
	"    set: {tag: 'score.tag + \"/\" + string(score.count)'}\n"
	"measures:\n"
	"  - then: add\n"
	"  - sync: par\n"
	"    notes: [double, label]\n"
	"  - child: inner\n"
	"    cadence: inner\n"
	"    with: {base: score.count}\n"
	"    merge: {total: 'score.acc + score.base'}\n"
	"  - split: big\n"
	"    when: score.total > 100\n"
	"    if_true: [double]\n"
	"    if_false: [add]\n"
	"  - dag: fan\n"
	"    merge: smart_merge\n"
	"    tasks:\n"
	"      - {task: a, note: add}\n"
	"      - {task: b, note: double, after: [a]}\n"
	"      - {task: c, note: label, after: [a]}\n";

static const char child_text[] =
	"cadence: inner\n"
	"score:\n"
	"  base: {type: integer, required: true}\n"
	"  acc:  {type: integer, default: 0}\n"
	"notes:\n"
	"  grow:\n"
	"    set: {acc: 'score.acc * 3 + score.base'}\n"
	"measures:\n"
	"  - then: g1\n"
	"    note: grow\n"
	"  - then: g2\n"
	"    note: grow\n";

/* Made once per process: the harness's own state, not the library's. */
static struct {
	cadence_project *project;
	cadence_diags *diags;
	cadence_runner *runner;
} fx;

static const cadence_def *load(const char *name, const char *text)
{
	const cadence_def *def = NULL;
	FUZZ_ASSERT(cadence_project_load_buffer(&def, fx.project, name, text, strlen(text),
						fx.diags) == 0);
	return def;
}

static void setup(void)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	FUZZ_ASSERT(cadence_diags_new(&fx.diags) == 0);
	FUZZ_ASSERT(cadence_project_new(&fx.project, NULL) == 0);
	const cadence_def *root = load("/nonexistent/cadence-fuzz/long.cadence.yaml", root_text);
	const cadence_def *child = load("/nonexistent/cadence-fuzz/inner.cadence.yaml", child_text);
	cadence_run_opts ro = CADENCE_RUN_OPTS_INIT;
	ro.jobs = 1;
	ro.seed = 1;
	FUZZ_ASSERT(cadence_runner_new(&fx.runner, fx.project, root, &ro) == 0);
	FUZZ_ASSERT(cadence_runner_add_cadence(fx.runner, child) == 0);
	FUZZ_ASSERT(cadence_runner_prepare(fx.runner, &err) == 0);
}

/* The checkpoint as its JSON object, without the time it was written. */
static cJSON *as_json(const cadence_checkpoint *cp)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	FUZZ_ASSERT(mem != NULL);
	FUZZ_ASSERT(cadence_checkpoint_write(cp, mem) == 0);
	FUZZ_ASSERT(fclose(mem) == 0);
	FUZZ_ASSERT(len > 0 && text[len - 1] == '\n');
	cJSON *o = cJSON_ParseWithLength(text, len);
	FUZZ_ASSERT(cJSON_IsObject(o));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "written");

	/* what was written reads back, and writes the same again */
	cadence_checkpoint *again = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	FUZZ_ASSERT(cadence_checkpoint_parse(&again, text, len, &err) == 0);
	FUZZ_ASSERT(!strcmp(cadence_checkpoint_cadence(again), cadence_checkpoint_cadence(cp)));
	FUZZ_ASSERT(!strcmp(cadence_checkpoint_run_id(again), cadence_checkpoint_run_id(cp)));
	FUZZ_ASSERT(!strcmp(cadence_checkpoint_position(again), cadence_checkpoint_position(cp)));
	FUZZ_ASSERT(cadence_checkpoint_complete(again) == cadence_checkpoint_complete(cp));
	const char *f1 = cadence_checkpoint_file(cp), *f2 = cadence_checkpoint_file(again);
	FUZZ_ASSERT(f1 ? f2 && !strcmp(f1, f2) : !f2);
	cadence_checkpoint_free(again);
	free(text);
	return o;
}

static int written(void *ctx, const cadence_checkpoint *cp, cadence_run_error *err)
{
	(void)ctx;
	(void)err;
	FUZZ_ASSERT(cadence_checkpoint_write(cp, fuzz_null_stream()) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cadence_checkpoint *cp = NULL, *again = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;

	if (!fx.runner)
		setup();
	int rc = cadence_checkpoint_parse(&cp, (const char *)data, size, &err);
	if (rc) {
		FUZZ_ASSERT(rc == CADENCE_EINVALID && cp == NULL);
		FUZZ_ASSERT(err.message != NULL && err.message[0] != '\0');
		cadence_run_error_clear(&err);
		return 0;
	}
	FUZZ_ASSERT(cp != NULL && cadence_checkpoint_cadence(cp) != NULL);
	FUZZ_ASSERT(cadence_checkpoint_run_id(cp) != NULL);
	FUZZ_ASSERT(cadence_checkpoint_position(cp) != NULL);

	/* written, it reads back to the same checkpoint: the same JSON text
	 * (not cJSON_Compare(), which tells apart objects with a key twice) */
	cJSON *first = as_json(cp);
	char *text = cad_json_print(first, 0);
	FUZZ_ASSERT(text != NULL);
	FUZZ_ASSERT(cadence_checkpoint_parse(&again, text, strlen(text), &err) == 0);
	cJSON *second = as_json(again);
	char *text2 = cad_json_print(second, 0);
	FUZZ_ASSERT(text2 != NULL && !strcmp(text, text2));
	cJSON_Delete(first);
	cJSON_Delete(second);
	free(text);
	free(text2);
	cadence_checkpoint_free(again);

	rc = cadence_checkpoint_check_files(cp, fx.project, &err);
	FUZZ_ASSERT(rc == 0 || rc == CADENCE_EINVALID);
	FUZZ_ASSERT(rc == 0 || (err.message && err.message[0]));
	cadence_run_error_clear(&err);

	/* resumed: refused before anything runs, or runs to an end */
	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	cJSON *out = NULL;
	co.resume = cp;
	co.on_checkpoint = written;
	rc = cadence_runner_run_checkpointed(&out, fx.runner, NULL, &co, &err);
	FUZZ_ASSERT(rc == 0 || rc == CADENCE_EINVALID || rc == CADENCE_EFAILED);
	if (rc == 0) {
		FUZZ_ASSERT(cJSON_IsObject(out));
		FUZZ_ASSERT(err.message == NULL);
	} else {
		FUZZ_ASSERT(out == NULL);
		FUZZ_ASSERT(err.message != NULL && err.message[0] != '\0');
	}
	cJSON_Delete(out);
	cadence_run_error_clear(&err);
	cadence_checkpoint_free(cp);
	return 0;
}
