/* SPDX-License-Identifier: MIT */
/* cadence_check()'s options: what cad_check_flow turns off, and a caller built
 * against version 1 of the options (before cad_check_flow) gets every check. */
#include "cadence/cadence.h"

#include <criterion/criterion.h>
#include <string.h>

/* a write conflict in a sync, and an expression over a field never set */
static const char src[] = "cadence: opts\n"
			  "score:\n"
			  "  n: {type: integer}\n"
			  "notes:\n"
			  "  a: {symbol: a, writes: [n]}\n"
			  "  b: {symbol: b, writes: [n]}\n"
			  "  bump: {set: {n: score.n + 1}}\n"
			  "measures:\n"
			  "  - then: bump\n"
			  "  - sync: both\n"
			  "    notes: [a, b]\n";

static size_t rule_count(const cadence_check_opts *opts, const char *rule)
{
	cadence_project *p;
	cadence_diags *d;
	const cadence_def *def = NULL;
	size_t n = 0;
	cr_assert_eq(cadence_project_new(&p, NULL), 0);
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_project_load_buffer(&def, p, "opts.cadence.yaml", src, strlen(src), d), 0);
	cadence_check(def, p, opts, d);
	for (size_t i = 0; i < cadence_diags_count(d); i++)
		n += !strcmp(cadence_diags_get(d, i)->rule, rule);
	cadence_diags_free(d);
	cadence_project_free(p);
	return n;
}

Test(check_opts, every_check_by_default)
{
	cadence_check_opts o = CADENCE_CHECK_OPTS_INIT;
	cr_assert_eq(rule_count(&o, "write-conflict"), 1);
	cr_assert_eq(rule_count(&o, "read-before-write"), 1);
	cr_assert_eq(rule_count(NULL, "write-conflict"), 1);
}

Test(check_opts, check_flow_off_leaves_what_only_running_needs)
{
	cadence_check_opts o = CADENCE_CHECK_OPTS_INIT;
	o.check_flow = 0;
	cr_assert_eq(rule_count(&o, "write-conflict"), 0);
	cr_assert_eq(rule_count(&o, "read-before-write"), 0);
}

Test(check_opts, version_1_options_get_every_check)
{
	/* what a program built with version 1 passes: cad_check_flow is not
	 * there, and whatever follows in memory must not be read as it */
	cadence_check_opts o;
	memset(&o, 0, sizeof(o));
	o.version = 1;
	o.check_executables = 1;
	cr_assert_eq(rule_count(&o, "write-conflict"), 1);
}
