/* SPDX-License-Identifier: MIT */
/* `cadence run --dry-run`: what a run would do, without running it. */
#include "run/run_int.h"
#include "util/json.h"

#include <string.h>

static void duration(strbuf *sb, int64_t ms)
{
	if (ms % 1000 == 0 && ms)
		cad_strbuf_addf(sb, "%llds", (long long)(ms / 1000));
	else
		cad_strbuf_addf(sb, "%lldms", (long long)ms);
}

static void note_line(strbuf *sb, const rnote *n)
{
	const cad_note *cn = n->n;
	cad_strbuf_addf(sb, "%s: ", n->name);
	switch (cn->binding) {
	case CAD_BIND_RUN:
		cad_strbuf_adds(sb, "run");
		for (size_t i = 0; i < cn->argc; i++)
			cad_strbuf_addf(sb, " %s", i == 0 ? n->argv[0] : cn->argv[i]);
		break;
	case CAD_BIND_SET:
		cad_strbuf_adds(sb, "set");
		for (size_t i = 0; i < cn->nset; i++)
			cad_strbuf_addf(sb, "%s %s = %s", i ? "," : "", cn->set[i].field.name,
				    cn->set[i].expr.src);
		break;
	case CAD_BIND_SYMBOL:
		cad_strbuf_addf(sb, "symbol %s%s", cn->symbol, n->fn ? "" : " (not found)");
		break;
	}
	if (cn->has_env) {
		cad_strbuf_adds(sb, "; env PATH, HOME, LANG, LC_*, TZ, TMPDIR");
		for (size_t i = 0; i < cn->nenv; i++)
			cad_strbuf_addf(sb, ", %s", cn->env[i].name);
	}
	if (cn->retry.present) {
		cad_strbuf_addf(sb, "; retry %lld attempts, delay ", (long long)cn->retry.attempts);
		duration(sb, cn->retry.delay_ms);
		if (cn->retry.backoff != 1) {
			cad_strbuf_adds(sb, " x");
			cad_json_number(sb, cn->retry.backoff);
		}
		if (cn->retry.max_delay_ms >= 0) {
			cad_strbuf_adds(sb, " up to ");
			duration(sb, cn->retry.max_delay_ms);
		}
		if (cn->retry.jitter > 0) {
			cad_strbuf_adds(sb, " jitter ");
			cad_json_number(sb, cn->retry.jitter);
		}
	}
	if (cn->timeout_ms > 0) {
		cad_strbuf_adds(sb, "; timeout ");
		duration(sb, cn->timeout_ms);
	}
	if (cn->breaker.present) {
		cad_strbuf_addf(sb, "; circuit breaker after %lld failures, recovery ",
			    (long long)cn->breaker.failure_threshold);
		duration(sb, cn->breaker.recovery_ms);
	}
	if (cn->nfallback) {
		cad_strbuf_adds(sb, "; fallback");
		for (size_t i = 0; i < cn->nfallback; i++) {
			cad_strbuf_addf(sb, "%s %s = ", i ? "," : "", cn->fallback[i].field.name);
			if (cad_json_add(sb, cn->fallback_values[i], 0))
				cad_strbuf_addc(sb, '?');
		}
	}
	cad_strbuf_addc(sb, '\n');
}

static void indent(strbuf *sb, unsigned depth)
{
	for (unsigned i = 0; i < depth; i++)
		cad_strbuf_adds(sb, "  ");
}

static void notes(strbuf *sb, rnote **ns, size_t n, unsigned depth)
{
	for (size_t i = 0; i < n; i++) {
		indent(sb, depth);
		note_line(sb, ns[i]);
	}
}

static void assigns(strbuf *sb, const char *what, const cad_assign *as, size_t n)
{
	if (!n)
		return;
	cad_strbuf_addf(sb, " %s {", what);
	for (size_t i = 0; i < n; i++)
		cad_strbuf_addf(sb, "%s%s: %s", i ? ", " : "", as[i].field.name, as[i].expr.src);
	cad_strbuf_adds(sb, "}");
}

static void plan(strbuf *sb, const rplan *p, unsigned depth);

/* A child task as a child measure prints: its cadence, with and merge,
 * then the child's plan when it was compiled (a plan made by hand in a
 * test may hold only the model). */
static void child_task(strbuf *sb, const rdtask *t, unsigned depth)
{
	const cad_measure *c = t->t->child;
	cad_strbuf_addf(sb, "child cadence %s", c->cadence.name);
	assigns(sb, "with", c->with, c->nwith);
	assigns(sb, "merge", c->merge_back, c->nmerge_back);
	cad_strbuf_addc(sb, '\n');
	if (t->child && t->child->child)
		plan(sb, t->child->child, depth + 1);
}

/* A dag: its policy, then its tasks in dag order (the order of jobs: 1),
 * each with what it is after and its condition. */
static void dag(strbuf *sb, const rmeasure *ms, unsigned depth)
{
	const cad_measure *m = ms->m;
	if (m->jobs > 0)
		cad_strbuf_addf(sb, ", %lld at once", (long long)m->jobs);
	else
		cad_strbuf_adds(sb, ", one per CPU at once");
	cad_strbuf_addf(sb, ", on_failure %s, merge %s; tasks in dag order:\n",
			cad_on_failure_names[m->on_failure], cad_merge_names[m->merge]);
	for (size_t k = 0; k < ms->ntasks; k++) {
		const rdtask *t = &ms->tasks[ms->order[k]];
		indent(sb, depth);
		cad_strbuf_addf(sb, "%s", t->t->name.name);
		for (size_t a = 0; a < t->nafter; a++)
			cad_strbuf_addf(sb, "%s%s", a ? ", " : " after ",
					ms->tasks[t->after[a]].t->name.name);
		if (t->t->when.src)
			cad_strbuf_addf(sb, " when %s", t->t->when.src);
		cad_strbuf_adds(sb, ": ");
		if (t->t->child)
			child_task(sb, t, depth);
		else
			note_line(sb, t->note);
	}
}

static void plan(strbuf *sb, const rplan *p, unsigned depth)
{
	const cadence_def *d = p->def;
	indent(sb, depth);
	cad_strbuf_addf(sb, "cadence %s (%s)\n", p->name, d->path ? d->path : "built in code");
	if (d->description && *d->description) {
		/* its first line, as diagrams show it (cad_plan_print() replaces
		 * control characters) */
		indent(sb, depth + 1);
		cad_strbuf_add(sb, d->description, strcspn(d->description, "\r\n"));
		cad_strbuf_addc(sb, '\n');
	}
	if (d->nfields) {
		indent(sb, depth + 1);
		cad_strbuf_adds(sb, "score:");
		for (size_t i = 0; i < d->nfields; i++) {
			const cad_field *f = &d->fields[i];
			cad_strbuf_addf(sb, "%s %s %s", i ? "," : "", f->name.name,
				    cad_vtype_names[f->type]);
			if (f->required)
				cad_strbuf_adds(sb, " required");
			if (f->immutable)
				cad_strbuf_adds(sb, " immutable");
			if (f->def) {
				cad_strbuf_adds(sb, " = ");
				if (cad_json_add(sb, f->def, 0))
					cad_strbuf_addc(sb, '?');
			}
		}
		cad_strbuf_addc(sb, '\n');
	}
	if (p->precheck_when || p->precheck_note) {
		indent(sb, depth + 1);
		cad_strbuf_adds(sb, "precheck (false or failed: stop, nothing runs): ");
		if (p->precheck_when)
			cad_strbuf_addf(sb, "when %s\n", cad_rexpr_src(p->precheck_when));
		else
			note_line(sb, p->precheck_note);
	}
	for (size_t i = 0; i < p->nmeasures; i++) {
		const rmeasure *ms = &p->measures[i];
		const cad_measure *m = ms->m;
		indent(sb, depth + 1);
		cad_strbuf_addf(sb, "%zu. %s %s", i + 1, cad_measure_kind_names[m->kind], m->name.name);
		switch (m->kind) {
		case CAD_M_THEN:
			cad_strbuf_adds(sb, ": ");
			note_line(sb, ms->notes[0]);
			break;
		case CAD_M_SEQUENCE:
			cad_strbuf_adds(sb, ", in order:\n");
			notes(sb, ms->notes, ms->nnotes, depth + 3);
			break;
		case CAD_M_SYNC:
			cad_strbuf_addf(sb, ", in parallel, merge %s:\n", cad_merge_names[m->merge]);
			notes(sb, ms->notes, ms->nnotes, depth + 3);
			break;
		case CAD_M_SPLIT:
			cad_strbuf_addf(sb, " when %s\n", m->when.src);
			indent(sb, depth + 2);
			cad_strbuf_adds(sb, "if true:\n");
			notes(sb, ms->notes, ms->nnotes, depth + 3);
			indent(sb, depth + 2);
			cad_strbuf_adds(sb, "if false:\n");
			notes(sb, ms->else_notes, ms->nelse, depth + 3);
			break;
		case CAD_M_CHILD:
			cad_strbuf_adds(sb, ":");
			assigns(sb, "with", m->with, m->nwith);
			assigns(sb, "merge", m->merge_back, m->nmerge_back);
			cad_strbuf_addc(sb, '\n');
			if (ms->child)
				plan(sb, ms->child, depth + 2);
			break;
		case CAD_M_DAG:
			dag(sb, ms, depth + 3);
			break;
		}
	}
	if (p->on_error) {
		indent(sb, depth + 1);
		cad_strbuf_addf(sb, "on error (then %s): ", d->on_error_stop ? "stop" : "continue");
		note_line(sb, p->on_error);
	}
}

int cad_plan_print(const rplan *p, FILE *out)
{
	strbuf sb = STRBUF_INIT;
	plan(&sb, p, 0);
	/* expressions and arguments are the file's text, and a YAML escape
	 * can put a control character in them: none reaches the terminal */
	for (size_t i = 0; sb.buf && i < sb.len; i++)
		if (((unsigned char)sb.buf[i] < 0x20 && sb.buf[i] != '\n') || sb.buf[i] == 0x7f)
			sb.buf[i] = '?';
	const char *s = cad_strbuf_cstr(&sb);
	int rc = !s ? CADENCE_ENOMEM : fputs(s, out) == EOF ? CADENCE_EIO : 0;
	cad_strbuf_free(&sb);
	return rc;
}
