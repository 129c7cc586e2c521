/* cadence_check(): runs the passes over one loaded cadence. */
#include "check/check_int.h"
#include "cadence/common.h"
#include "diag/diag_int.h"
#include "util/strbuf.h"
#include "util/suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Suppressions: a comment `# cadence-ignore: RULE[, RULE...]` on a line
 * silences those rules on that line.  Only the checks here can be
 * silenced: a structural error means there is no model to run. */
static const char marker[] = "cadence-ignore:";

static int index_lines(check_ctx *c)
{
	const char *t = c->def->text;
	size_t n = 1;
	for (size_t i = 0; i < c->def->text_len; i++)
		n += t[i] == '\n';
	c->lines = malloc(n * sizeof(*c->lines));
	if (!c->lines)
		return -1;
	c->lines[0] = 0;
	c->nlines = 1;
	for (size_t i = 0; i < c->def->text_len; i++)
		if (t[i] == '\n')
			c->lines[c->nlines++] = i + 1;
	return 0;
}

/* The rule list of the suppression comment on line `line` (1-based), or
 * NULL; *end is set to the end of the line. */
static const char *suppression(const check_ctx *c, unsigned line, const char **end)
{
	if (!c->lines || !line || line > c->nlines)
		return NULL;
	const char *s = c->def->text + c->lines[line - 1];
	const char *e = line < c->nlines ? c->def->text + c->lines[line] - 1
					 : c->def->text + c->def->text_len;
	for (const char *p = s; p < e; p++) {
		if (*p != '#')
			continue;
		const char *q = p + 1;
		while (q < e && *q == ' ')
			q++;
		if ((size_t)(e - q) >= sizeof(marker) - 1 &&
		    !memcmp(q, marker, sizeof(marker) - 1)) {
			*end = e;
			return q + sizeof(marker) - 1;
		}
	}
	return NULL;
}

/* Calls fn for each rule id in the list [p, end). */
static int each_rule(const char *p, const char *end,
		     int (*fn)(void *, const char *, size_t), void *arg)
{
	while (p < end) {
		while (p < end && (*p == ' ' || *p == ',' || *p == '\t' || *p == '\r'))
			p++;
		const char *id = p;
		while (p < end && *p != ' ' && *p != ',' && *p != '\t' && *p != '\r')
			p++;
		if (p > id && fn(arg, id, (size_t)(p - id)))
			return 1;
	}
	return 0;
}

static int same_rule(void *rule, const char *id, size_t len)
{
	return strlen(rule) == len && !memcmp(rule, id, len);
}

static int is_suppressed(const check_ctx *c, unsigned line, const char *rule)
{
	const char *end, *list = suppression(c, line, &end);
	return list && each_rule(list, end, same_rule, (void *)rule);
}

typedef struct unknown_ctx {
	check_ctx *c;
	unsigned line;
	const char *list;
} unknown_ctx;

static int report_unknown(void *arg, const char *id, size_t len)
{
	unknown_ctx *u = arg;
	char buf[64];
	if (len < sizeof(buf)) {
		memcpy(buf, id, len);
		buf[len] = '\0';
		if (diag_rule_index(buf) >= 0)
			return 0;
	}
	cad_loc loc = { u->line, 0, (unsigned)len };
	/* column in code points from the line start */
	const char *s = u->c->def->text + u->c->lines[u->line - 1];
	loc.col = 1;
	for (const char *p = s; p < id; p++)
		loc.col += (*p & 0xC0) != 0x80;
	const char **ids = malloc(diag_rules_count * sizeof(*ids));
	const char *near = NULL;
	char help[128];
	if (ids) {
		for (size_t i = 0; i < diag_rules_count; i++)
			ids[i] = diag_rules[i].id;
		near = suggest_pick(id, len, ids, diag_rules_count);
	}
	if (near)
		snprintf(help, sizeof(help), "did you mean '%s'?", near);
	else
		snprintf(help, sizeof(help), "write rule ids as docs/rules.md lists them, separated by commas");
	report_at(&u->c->r, CADENCE_SEVERITY_WARNING, "bad-suppression", loc.line, loc.col,
		  loc.len, help, "unknown rule '%.*s' in a cadence-ignore comment", (int)len, id);
	free(ids);
	return 0;
}

static void check_suppressions(check_ctx *c)
{
	for (unsigned line = 1; line <= c->nlines; line++) {
		const char *end, *list = suppression(c, line, &end);
		unknown_ctx u = { c, line, list };
		if (list)
			each_rule(list, end, report_unknown, &u);
	}
}

void check_at(check_ctx *c, cadence_severity sev, const char *rule,
	      cad_loc loc, const char *help, const char *fmt, ...)
{
	strbuf msg = STRBUF_INIT;
	va_list ap;

	c->last_suppressed = is_suppressed(c, loc.line, rule);
	if (c->last_suppressed)
		return;
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
	if (!c->last_suppressed && cadence_diags_relate(c->r.diags, loc.line, loc.col, message))
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
	if (def->text && index_lines(&c))
		c.oom = 1;

	check_suppressions(&c);
	check_refs(&c);
	check_score(&c);
	check_policies(&c);
	check_children(&c);
	check_flow(&c);

	int oom = c.oom || c.r.oom;
	report_release(&c.r);
	free(c.lines);
	if (oom)
		return CADENCE_ENOMEM;
	return cadence_diags_errors(diags) != errors ? CADENCE_EINVALID : 0;
}
