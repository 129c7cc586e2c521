/* SPDX-License-Identifier: MIT */
/* `cadence run --dry-run`'s plan print (run/print.c) for what the compiled
 * plan alone does not say: a dag's child task prints as a child measure
 * does, its cadence with `with` and `merge`, after its `after` and `when`.
 * The plan is made by hand: print.c reads only the fields set here. */
#include <cadence/cadence.h>

#include "model/model.h"
#include "run/run_int.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char dag_yaml[] =
	"cadence: order\n"
	"score:\n  total: {type: number, default: 0}\n  status: {type: string, default: new}\n"
	"notes:\n  price: {set: {total: '42'}}\n"
	"measures:\n"
	"  - dag: d\n"
	"    jobs: 2\n"
	"    tasks:\n"
	"      - task: price\n"
	"      - task: charge\n"
	"        cadence: payment\n"
	"        with: {amount: score.total}\n"
	"        merge: {status: score.status}\n"
	"        after: [price]\n"
	"        when: score.total > 0\n";

static char *print_plan(const rplan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert(f);
	cr_assert_eq(cad_plan_print(p, f), 0);
	fclose(f);
	return buf;
}

Test(run_print, a_child_task_prints_its_cadence_with_and_merge)
{
	cadence_diags *diags = NULL;
	cadence_def *def = NULL;
	cr_assert_eq(cadence_diags_new(&diags), 0);
	cr_assert_eq(cadence_load_buffer(&def, "order.cadence.yaml", dag_yaml, strlen(dag_yaml),
					 NULL, diags), 0);
	const struct cadence_def *d = def;
	const cad_measure *m = &d->measures[0];
	cr_assert_eq(m->ntasks, 2);
	cr_assert(m->tasks[1].child, "the loader makes 'charge' a child task");

	rnote price = { 0 };
	price.n = &d->notes[0];
	price.name = "price";
	size_t edges[1] = { 0 }, order[2] = { 0, 1 };
	rdtask tasks[2];
	memset(tasks, 0, sizeof(tasks));
	tasks[0].t = &m->tasks[0];
	tasks[0].note = &price;
	tasks[1].t = &m->tasks[1];
	tasks[1].after = edges;
	tasks[1].nafter = 1;
	rmeasure ms;
	memset(&ms, 0, sizeof(ms));
	ms.m = m;
	ms.tasks = tasks;
	ms.ntasks = 2;
	ms.order = order;
	rplan p;
	memset(&p, 0, sizeof(p));
	p.def = d;
	p.name = "order";
	p.measures = &ms;
	p.nmeasures = 1;

	char *out = print_plan(&p);
	cr_assert(strstr(out, "1. dag d, 2 at once, on_failure finish, merge fail_on_conflict; "
			      "tasks in dag order:\n"), "%s", out);
	cr_assert(strstr(out, "      price: price: set total = 42\n"), "%s", out);
	cr_assert(strstr(out, "      charge after price when score.total > 0: child cadence payment "
			      "with {amount: score.total} merge {status: score.status}\n"), "%s", out);
	free(out);
	cadence_def_free(def);
	cadence_diags_free(diags);
}
