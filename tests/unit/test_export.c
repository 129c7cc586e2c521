/* SPDX-License-Identifier: MIT */
/* cadence/export.h (n8n) and what the exporters share (export_int.h):
 * the API's errors and determinism, unique engine names, the argument list
 * of a node's `cadence step` call.  The workflows themselves are checked
 * by tests/cli/export_n8n.sh. */
#include "export/export_int.h"

#include <cadence/cadence.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static cadence_def *built(void)
{
	cadence_builder *b = NULL;
	cadence_def *def = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_builder_new(&b, "tiny"), 0);
	cadence_builder_field(b, "n", "integer", NULL, 0);
	cadence_builder_set(b, "inc", "n", "score.n + 1");
	cadence_builder_then(b, "inc", NULL);
	cr_assert_eq(cadence_builder_finish(&def, b, &err), 0, "%s", err.message);
	cadence_builder_free(b);
	return def;
}

Test(export_n8n, a_cadence_without_a_file_needs_one)
{
	cadence_def *def = built();
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	char *out = (char *)1;
	size_t len = 1;
	cr_assert_eq(cadence_export_n8n(&out, &len, def, NULL, NULL, &err), CADENCE_EINVAL);
	cr_assert_null(out);
	cr_assert(strstr(err.message, "has no file"), "%s", err.message);
	cadence_run_error_clear(&err);
	cadence_def_free(def);
}

Test(export_n8n, same_bytes_twice_and_json)
{
	cadence_def *def = built();
	cadence_export_n8n_opts o = CADENCE_EXPORT_N8N_OPTS_INIT;
	char *a = NULL, *b = NULL;
	size_t alen, blen;
	o.cadence_file = "/srv/tiny.cadence.yaml";
	cr_assert_eq(cadence_export_n8n(&a, &alen, def, &o, NULL, NULL), 0);
	cr_assert_eq(cadence_export_n8n(&b, &blen, def, &o, NULL, NULL), 0);
	cr_assert_eq(alen, blen);
	cr_assert_eq(memcmp(a, b, alen), 0);
	cr_assert_eq(strlen(a), alen);
	cr_assert_eq(a[alen - 1], '\n');
	cJSON *w = cJSON_Parse(a);
	cr_assert_not_null(w);
	/* Start, the note, the final score */
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(w, "nodes")), 3);
	cJSON *cmd = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(w, "nodes"), 1), "parameters"), "command");
	cr_assert(strstr(cmd->valuestring, "step --one-attempt --apply -o \"$d\"/m0.json "
			 "/srv/tiny.cadence.yaml inc"), "%s", cmd->valuestring);
	cJSON_Delete(w);
	free(a);
	free(b);
	cadence_def_free(def);
}

Test(export_n8n, an_expression_in_a_path_is_refused)
{
	static const char *const bad[] = { "/a/{{x}}", "/a/}}", "/a\\{", "/a\\}" };
	cadence_def *def = built();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cadence_export_n8n_opts o = CADENCE_EXPORT_N8N_OPTS_INIT;
		cadence_run_error err = CADENCE_RUN_ERROR_INIT;
		char *out = NULL;
		size_t len;
		o.cadence_file = "/srv/tiny.cadence.yaml";
		o.state_dir = bad[i];
		cr_assert_eq(cadence_export_n8n(&out, &len, def, &o, NULL, &err), CADENCE_EINVAL,
			     "%s", bad[i]);
		cr_assert(strstr(err.message, "state directory"), "%s", err.message);
		cadence_run_error_clear(&err);
	}
	cadence_def_free(def);
}

Test(export_n8n, bad_arguments)
{
	cadence_def *def = built();
	cadence_export_n8n_opts o = CADENCE_EXPORT_N8N_OPTS_INIT;
	char *out = NULL;
	size_t len;
	cr_assert_eq(cadence_export_n8n(NULL, &len, def, NULL, NULL, NULL), CADENCE_EINVAL);
	cr_assert_eq(cadence_export_n8n(&out, &len, NULL, NULL, NULL, NULL), CADENCE_EINVAL);
	o.version = 99;
	cr_assert_eq(cadence_export_n8n(&out, &len, def, &o, NULL, NULL), CADENCE_EVERSION);
	cadence_def_free(def);
}

/* Argo's task names: letters, digits and '-', at most 12 bytes here */
static int argo_ok(unsigned char c, size_t pos)
{
	return isalnum(c) || (c == '-' && pos > 0);
}

Test(export_names, mapped_cut_and_unique)
{
	cad_export_names n;
	cad_export_names_init(&n);
	cr_assert_str_eq(cad_export_name(&n, "fetch_items", argo_ok, '-', 12, "-"), "fetch-items");
	cr_assert_str_eq(cad_export_name(&n, "fetch-items", argo_ok, '-', 12, "-"), "fetch-item-2");
	cr_assert_str_eq(cad_export_name(&n, "fetch_items", argo_ok, '-', 12, "-"), "fetch-item-3");
	/* cut to fit with its suffix */
	cr_assert_str_eq(cad_export_name(&n, "abcdefghijklmnop", argo_ok, '-', 12, "-"),
			 "abcdefghijkl");
	cr_assert_str_eq(cad_export_name(&n, "abcdefghijklmnop", argo_ok, '-', 12, "-"),
			 "abcdefghij-2");
	/* no rule, no limit: only the suffix */
	cr_assert_str_eq(cad_export_name(&n, "a b", NULL, 0, 0, " #"), "a b");
	cr_assert_str_eq(cad_export_name(&n, "a b", NULL, 0, 0, " #"), "a b #2");
	cad_export_names_free(&n);
}

static void collect(void *ctx, const char *text, int state)
{
	char *buf = ctx;
	strcat(buf, state ? " @" : " ");
	strcat(buf, text);
}

Test(export_step, the_arguments_of_each_mode)
{
	static const char *const parts[] = { "a.json", "b.json" }, *const plugs[] = { "/p.so" };
	char buf[512];
	cad_step_call c = { CAD_STEP_MERGE, 0, 2, NULL, "in.json", 0, "out.json", parts, 2, NULL, 0 };
	buf[0] = '\0';
	cad_export_step_args(&c, "/f.cadence.yaml", collect, buf);
	cr_assert_str_eq(buf, " step --merge 2 --score @in.json -o @out.json /f.cadence.yaml "
			 "@a.json @b.json");
	cad_step_call n = { CAD_STEP_NOTE, 1, 0, "inc", "/data/in.json", 1, "o.json", NULL, 0, plugs, 1 };
	buf[0] = '\0';
	cad_export_step_args(&n, "/f.cadence.yaml", collect, buf);
	cr_assert_str_eq(buf, " step --one-attempt --apply --plugin /p.so --score /data/in.json -o @o.json "
			 "/f.cadence.yaml inc");
	cad_step_call p = { CAD_STEP_PRECHECK, 0, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, 0 };
	buf[0] = '\0';
	cad_export_step_args(&p, "/f.cadence.yaml", collect, buf);
	cr_assert_str_eq(buf, " step --precheck /f.cadence.yaml");
}

Test(export_uuid, stable_and_shaped)
{
	char a[37], b[37], c[37];
	cad_export_uuid("x", "node", a);
	cad_export_uuid("x", "node", b);
	cad_export_uuid("xn", "ode", c);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
	cr_assert_eq(strlen(a), 36);
	cr_assert_eq(a[8], '-');
	cr_assert_eq(a[14], '5');
}

/* ---- Argo (cadence_export_argo): the API's answers; the manifests are
 * checked by tests/cli/export_argo.sh and run by export_argo_equiv.sh ---- */

static cadence_def *loaded(const char *text)
{
	cadence_def *def = NULL;
	cadence_diags *d = NULL;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_load_buffer(&def, "jobs/x.cadence.yaml", text, strlen(text), NULL, d), 0);
	cr_assert_eq(cadence_diags_errors(d), 0);
	cadence_diags_free(d);
	return def;
}

static const char braces[] =
	"cadence: braces\nscore:\n  s: {type: string, default: \"\"}\nnotes:\n"
	"  a: {set: {s: 'score.s'}}\nmeasures:\n  - then: a\n"
	"schedule:\n  cron: \"0 * * * *\"\n  score: {s: \"{{workflow.name}}\"}\n";

Test(export_argo, braces_in_the_score_are_invalid_with_or_without_diags)
{
	cadence_def *def = loaded(braces);
	cadence_argo_opts o = CADENCE_ARGO_OPTS_INIT;
	cadence_diags *d = NULL;
	char *out = (char *)1;
	size_t len = 0;
	o.kind = CADENCE_ARGO_CRON;
	cr_assert_eq(cadence_export_argo(&out, &len, def, &o, NULL), CADENCE_EINVALID);
	cr_assert_null(out);
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_export_argo(&out, &len, def, &o, d), CADENCE_EINVALID);
	cr_assert_eq(cadence_diags_errors(d), 1);
	cr_assert_str_eq(cadence_diags_get(d, 0)->rule, "export-braces");
	o.kind = CADENCE_ARGO_WORKFLOW;	/* the schedule's score is a cron's only */
	cr_assert_eq(cadence_export_argo(&out, &len, def, &o, NULL), 0);
	cr_assert_eq(strlen(out), len);
	free(out);
	cadence_diags_free(d);
	cadence_def_free(def);
}

Test(export_argo, what_it_refuses)
{
	cadence_def *def = built(), *file = loaded(braces);
	cadence_argo_opts o = CADENCE_ARGO_OPTS_INIT;
	char *out = NULL;
	size_t len = 0;
	/* built in C: no file for the steps to name, unless opts say */
	cr_assert_eq(cadence_export_argo(&out, &len, def, NULL, NULL), CADENCE_EINVAL);
	o.path = "tiny.cadence.yaml";
	cr_assert_eq(cadence_export_argo(&out, &len, def, &o, NULL), 0);
	free(out);
	o.kind = CADENCE_ARGO_CRON;	/* no schedule: */
	cr_assert_eq(cadence_export_argo(&out, &len, def, &o, NULL), CADENCE_ENOTFOUND);
	o.kind = CADENCE_ARGO_WORKFLOW;
	o.image = "x{{y}}";
	cr_assert_eq(cadence_export_argo(&out, &len, file, &o, NULL), CADENCE_EINVAL);
	o.image = NULL;
	o.version = 99;
	cr_assert_eq(cadence_export_argo(&out, &len, file, &o, NULL), CADENCE_EVERSION);
	cr_assert_eq(cadence_export_argo(NULL, &len, file, NULL, NULL), CADENCE_EINVAL);
	cadence_argo_kind k;
	cr_assert_eq(cadence_argo_kind_parse(&k, "cron"), 0);
	cr_assert_eq(k, CADENCE_ARGO_CRON);
	cr_assert_eq(cadence_argo_kind_parse(&k, "Cron"), CADENCE_EINVAL);
	cadence_def_free(def);
	cadence_def_free(file);
}
