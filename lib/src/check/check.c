/* SPDX-License-Identifier: MIT */
/* cadence_check(): runs the passes over one loaded cadence. */
#include "check/check_int.h"
#include "cadence/common.h"
#include "diag/rules.h"
#include "util/api.h"
#include "util/grow.h"
#include "util/suggest.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Suppressions: a comment `# cadence-ignore: RULE[, RULE...]` on a line
 * silences those rules on that line.  Only the checks here can be
 * silenced: a structural error means there is no model to run. */
static const char marker[] = "cadence-ignore:";

/* The rule list of a suppression comment in the line [s, e), or NULL. */
static const char *marker_in(const char *s, const char *e)
{
	for (const char *p = s; p < e && (p = memchr(p, '#', (size_t)(e - p))); p++) {
		const char *q = p + 1;
		while (q < e && *q == ' ')
			q++;
		if ((size_t)(e - q) >= sizeof(marker) - 1 &&
		    !memcmp(q, marker, sizeof(marker) - 1))
			return q + sizeof(marker) - 1;
	}
	return NULL;
}

/* Finds the lines with a suppression comment, in one pass over the text.
 * Few files have any, so only those lines are kept (in line order), not
 * an index of every line. */
static int find_suppressions(check_ctx *c)
{
	const char *s = c->def->text, *end = s + c->def->text_len;
	size_t cap = 0;

	for (unsigned line = 1;; line++) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		if (!e)
			e = end;
		const char *list = marker_in(s, e);
		if (list) {
			if (CAD_GROW(c->supp, cap, c->nsupp + 1, 8))
				return -1;
			c->supp[c->nsupp++] = (suppression){ line, s, list, e };
		}
		if (e == end)
			return 0;
		s = e + 1;
	}
}

/* The suppression comment on line `line` (1-based), or NULL. */
static const suppression *suppression_at(const check_ctx *c, unsigned line)
{
	size_t lo = 0, hi = c->nsupp;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->supp[mid].line == line)
			return &c->supp[mid];
		if (c->supp[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
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
	const suppression *sp = suppression_at(c, line);
	return sp && each_rule(sp->list, sp->end, same_rule, (void *)rule);
}

typedef struct unknown_ctx {
	check_ctx *c;
	const suppression *sp;
} unknown_ctx;

static int report_unknown(void *arg, const char *id, size_t len)
{
	unknown_ctx *u = arg;
	char buf[64];
	if (len < sizeof(buf)) {
		memcpy(buf, id, len);
		buf[len] = '\0';
		if (cad_diag_rule_index(buf) >= 0)
			return 0;
	}
	cad_loc loc = { u->sp->line, 0, (unsigned)len };
	/* column in code points from the line start */
	loc.col = 1 + (unsigned)cad_utf8_count(u->sp->start, (size_t)(id - u->sp->start));
	const char *near = cad_suggest_pick_in(id, len, cad_diag_rules, cad_diag_rules_count,
					       sizeof(*cad_diag_rules), offsetof(diag_rule, id));
	char help[128];
	if (near)
		snprintf(help, sizeof(help), "did you mean '%s'?", near);
	else
		snprintf(help, sizeof(help), "write rule ids as docs/rules.md lists them, separated by commas");
	cad_report_at(&u->c->r, CADENCE_SEVERITY_WARNING, "bad-suppression", loc.line, loc.col,
		  loc.len, help, "unknown rule '%.*s' in a cadence-ignore comment", (int)len, id);
	return 0;
}

static void check_suppressions(check_ctx *c)
{
	for (size_t i = 0; i < c->nsupp; i++) {
		unknown_ctx u = { c, &c->supp[i] };
		each_rule(c->supp[i].list, c->supp[i].end, report_unknown, &u);
	}
}

/* The rules whose findings in a partial cadence (model.h) may come from
 * its broken parts, which it lacks: a reference to a note that is there
 * but broken, a note that only a broken measure runs, the data flow. */
static int needs_whole(const char *rule)
{
	static const char *const rules[] = {
		"undefined-note", "unused-note", "read-before-write", "write-conflict",
		"dag-race", "dag-missing-after",
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rule, rules[i]))
			return 1;
	return 0;
}

void cad_check_at(check_ctx *c, cadence_severity sev, const char *rule,
	      cad_loc loc, const char *help, const char *fmt, ...)
{
	va_list ap;

	c->last_suppressed = is_suppressed(c, loc.line, rule) ||
			     (c->def->partial && needs_whole(rule));
	if (c->last_suppressed)
		return;
	/* one past the cap per rule is dropped: so is its related place */
	va_start(ap, fmt);
	c->last_suppressed = cad_report_vat(&c->r, sev, rule, loc.line, loc.col, loc.len,
					    help, fmt, ap);
	va_end(ap);
}

void cad_check_relate(check_ctx *c, cad_loc loc, const char *message)
{
	if (!c->last_suppressed && cadence_diags_relate(c->r.diags, loc.line, loc.col, message))
		c->oom = 1;
}

const cad_note *cad_check_note(const check_ctx *c, const cad_ref *ref)
{
	return cad_find_note(c->def, ref->name);
}

/* Where the problem is in the file: at its column inside the expression
 * when the expression is written on one line as it reads (plain, or quoted
 * without escapes), and then *exact is set; else the whole expression. */
cad_loc cad_check_inside(check_ctx *c, const cad_expr *e, unsigned column, unsigned width,
		       int *exact)
{
	cad_loc loc = e->loc;
	const char *s = NULL, *end = c->r.src ? c->r.src + c->r.len : NULL;
	size_t n = strlen(e->src);
	*exact = 0;
	if (!column || memchr(e->src, '\n', n))
		return loc;
	/* through the report's index of lines: a scan from the top of the
	 * file for each error would cost errors x lines */
	if (!(s = cad_report_line_start(&c->r, loc.line)))
		return loc;
	/* columns count code points; a quoted expression starts after its quote */
	unsigned target = loc.col + (e->quoted ? 1u : 0u);
	for (unsigned col = 1; s && col < target && s < end && *s != '\n'; col++) {
		s += cad_utf8_char_len(s, (size_t)(end - s));
	}
	if (!s || (size_t)(end - s) < n || memcmp(s, e->src, n))
		return loc;
	*exact = 1;
	loc.col = target + column - 1;
	loc.len = width ? width : 1;
	return loc;
}

long cad_check_field(const check_ctx *c, const char *name)
{
	return cad_model_field_index(c->def, name);
}

int cadence_check(const cadence_def *def, cadence_project *project,
		  const cadence_check_opts *opts, cadence_diags *diags)
{
	check_ctx c;

	if (!CAD_VERSION_OK(opts, CADENCE_CHECK_OPTS_VERSION))
		return CADENCE_EVERSION;
	if (!def || !diags)
		return CADENCE_EINVAL;
	size_t errors = cadence_diags_errors(diags);
	memset(&c, 0, sizeof(c));
	c.project = project;
	c.def = def;
	c.opts = (cadence_check_opts)CADENCE_CHECK_OPTS_INIT;
	if (opts && opts->version == CADENCE_CHECK_OPTS_VERSION)
		c.opts = *opts;
	else if (opts && opts->version == 1)	/* a caller built before check_flow */
		c.opts.check_executables = opts->check_executables;
	cad_report_init(&c.r, diags, cad_def_file(def), def->text, def->text_len);
	if (def->text && find_suppressions(&c))
		c.oom = 1;

	check_suppressions(&c);
	cad_check_refs(&c);
	cad_check_dags(&c);
	cad_check_policies(&c);
	cad_check_schedule(&c);
	/* children are read through the project, which confines them; a
	 * partial cadence has none, and its data flow misses its broken notes */
	if (!def->partial)
		cad_check_children(&c);
	if (c.opts.check_flow) {
		cad_check_score(&c);
		cad_check_exprs(&c);
		if (!def->partial)
			cad_check_flow(&c);
	}

	int oom = c.oom || c.r.oom;
	cad_report_release(&c.r);
	free(c.supp);
	free(c.xr);
	free(c.note_xr);
	free(c.measure_xr);
	free(c.task_xr);
	free(c.task_base);
	cad_check_dags_free(&c);
	if (oom)
		return CADENCE_ENOMEM;
	return cadence_diags_errors(diags) != errors ? CADENCE_EINVALID : 0;
}
