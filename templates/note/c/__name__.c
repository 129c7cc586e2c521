/*
 * {{name}}: a cadence note in C, declared with `symbol: {{name}}`.
 *
 * reads:  {{reads}}
 * writes: {{writes}}
 *
 * Build it as a plugin with the installed headers (it links nothing of
 * libcadence: `cadence run` provides the note functions):
 *
 *   cc -shared -fPIC -Wall -Werror $(pkg-config --cflags cadence) \
 *      -o {{name}}.so {{name}}.c $(pkg-config --libs libcjson)
 *
 * and run a cadence with it: cadence run --plugin ./{{name}}.so FILE.
 * <cadence/note.h> says who owns what and what the results mean.
 */
#include <cadence/note.h>
#include <cjson/cJSON.h>

/* the note API this plugin is built for; once per plugin (<cadence/note.h>) */
CADENCE_NOTE_PLUGIN;

cadence_note_func {{name}};

int {{name}}(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	cJSON *out = cJSON_CreateObject();

{{c_reads}}	if (!out{{c_changes}}) {
		cJSON_Delete(out);
		return cadence_note_fail(ctx, "out of memory");
	}
	*changes = out;
	return CADENCE_NOTE_OK;
}
