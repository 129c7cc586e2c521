/* SPDX-License-Identifier: MIT */
/* Expressions, the documentation: every example expression in
 * docs/expressions.md (each line of its plain ``` blocks, except the
 * grammar) compiles, and the error messages it quotes are the ones given. */
#include "cadence/expr.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_doc(void)
{
	FILE *f = fopen(CADENCE_SOURCE_DIR "/docs/expressions.md", "rb");
	cr_assert_not_null(f, "docs/expressions.md");
	static char buf[256 * 1024];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

Test(expr_docs, example_expressions_compile)
{
	char *doc = read_doc();
	int blocks = 0, lines = 0, in_block = 0, plain = 0, grammar = 0;
	for (char *line = doc; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len >= 3 && !strncmp(line, "```", 3)) {
			in_block = !in_block;
			plain = in_block && len == 3;	/* no language */
			grammar = 0;
			blocks += plain;
		} else if (in_block && plain && len) {
			if (!strncmp(line, "expr ", 5))
				grammar = 1;
			if (!grammar) {
				cadence_expr *e = NULL;
				cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
				int rc = cadence_expr_compile(&e, line, len, NULL, &err);
				cr_assert_eq(rc, 0, "docs/expressions.md: %.*s: column %u: %s",
					     (int)len, line, err.column, err.message);
				cadence_expr_free(e);
				lines++;
			}
		}
		line += len + (nl != NULL);
	}
	cr_assert_not(in_block, "an unclosed block");
	cr_assert_geq(blocks, 3);
	cr_assert_geq(lines, 9);
}

Test(expr_docs, quoted_messages_are_the_real_ones)
{
	static const struct {
		const char *src, *decl, *message, *help;
	} cases[] = {
		{ "score.totl", "total", "score has no field 'totl'", "did you mean 'total'?" },
		{ "score.status > 3", "status", "'>' cannot be applied to string and int",
		  "score.status is declared as a string" },
		{ "1 +", NULL, "expected an operand, found the end of the expression", "" },
	};
	const char *doc = read_doc();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cadence_expr_env *env;
		cr_assert_eq(cadence_expr_env_new(&env), 0);
		if (cases[i].decl)
			cadence_expr_env_add_field(env, cases[i].decl,
						   !strcmp(cases[i].decl, "total") ? "number" : "string");
		cadence_expr *e = NULL;
		cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
		cr_assert_eq(cadence_expr_compile(&e, cases[i].src, strlen(cases[i].src), env, &err),
			     CADENCE_EINVALID);
		cr_assert_str_eq(err.message, cases[i].message);
		cr_assert_str_eq(err.help ? err.help : "", cases[i].help);
		cr_assert_not_null(strstr(doc, cases[i].message), "the docs quote '%s'",
				   cases[i].message);
		if (cases[i].help[0])
			cr_assert_not_null(strstr(doc, cases[i].help), "the docs quote '%s'",
					   cases[i].help);
		cadence_expr_error_clear(&err);
		cadence_expr_env_free(env);
	}
}
