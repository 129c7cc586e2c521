/* cadence_check(): runs the passes over one loaded cadence. */
#include "check/check_int.h"
#include "cadence/common.h"
#include "util/strbuf.h"

#include <stdarg.h>
#include <string.h>

void check_at(check_ctx *c, cadence_severity sev, const char *rule,
	      cad_loc loc, const char *help, const char *fmt, ...)
{
	strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (!strbuf_cstr(&msg))
		c->oom = 1;
	else
		report_at(&c->r, sev, rule, loc.line, loc.col, loc.len, help, "%s",
			  strbuf_cstr(&msg));
	strbuf_free(&msg);
}

void check_relate(check_ctx *c, cad_loc loc, const char *message)
{
	if (cadence_diags_relate(c->r.diags, loc.line, loc.col, message))
		c->oom = 1;
}

const cad_note *check_note(const check_ctx *c, const cad_ref *ref)
{
	return cad_find_note(c->def, ref->name);
}

long check_field(const struct cadence_def *def, const char *name)
{
	for (size_t i = 0; i < def->nfields; i++)
		if (!strcmp(def->fields[i].name.name, name))
			return (long)i;
	return -1;
}

int cadence_check(cadence_project *project, const cadence_def *def,
		  const cadence_check_opts *opts, cadence_diags *diags)
{
	check_ctx c;
	size_t errors = cadence_diags_errors(diags);

	memset(&c, 0, sizeof(c));
	c.project = project;
	c.def = def;
	if (opts && opts->version == CADENCE_CHECK_OPTS_VERSION)
		c.opts = *opts;
	else
		c.opts = (cadence_check_opts)CADENCE_CHECK_OPTS_INIT;
	report_init(&c.r, diags, def->path, def->text, def->text_len);

	check_refs(&c);
	check_score(&c);
	check_policies(&c);
	check_children(&c);
	check_flow(&c);

	int oom = c.oom || c.r.oom;
	report_release(&c.r);
	if (oom)
		return CADENCE_ENOMEM;
	return cadence_diags_errors(diags) != errors ? CADENCE_EINVALID : 0;
}
