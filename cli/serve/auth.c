/* SPDX-License-Identifier: MIT */
/* `cadence serve`: bearer tokens and their scopes (serve.h, docs/serve.md,
 * "Authentication"). */
#include "serve.h"

#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/sha256.h"

static const char *const scope_names[] = { "none", "read", "run", "admin" };

const char *serve_scope_name(serve_scope s)
{
	return scope_names[s];
}

static int add_token(serve_auth *a, const char *tok, size_t len, serve_scope scope)
{
	serve_token *t = realloc(a->tokens, (a->n + 1) * sizeof(*t));
	if (!t)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	a->tokens = t;
	cad_sha256_hex(tok, len, t[a->n].digest);
	t[a->n++].scope = scope;
	return 0;
}

/* "read,run": the widest scope named (each includes those below it). */
static int parse_scopes(const char *s, serve_scope *out)
{
	*out = SERVE_SCOPE_NONE;
	while (*s) {
		size_t len = strcspn(s, ",");
		serve_scope found = SERVE_SCOPE_NONE;
		for (int i = SERVE_SCOPE_READ; i <= SERVE_SCOPE_ADMIN; i++)
			if (strlen(scope_names[i]) == len && !strncmp(s, scope_names[i], len))
				found = (serve_scope)i;
		if (!found)
			return -1;
		if (found > *out)
			*out = found;
		s += len + (s[len] == ',');
	}
	return *out ? 0 : -1;
}

/* One line of the token file; 0, or 2 after saying what is wrong. */
static int token_line(serve_auth *a, char *line, const char *path, unsigned lineno)
{
	char *tok = line + strspn(line, " \t");
	if (!*tok || *tok == '#')
		return 0;
	size_t len = strcspn(tok, " \t");
	char *rest = tok + len;
	rest += strspn(rest, " \t");
	size_t slen = strcspn(rest, " \t");
	serve_scope scope;
	if (!*rest || rest[slen + strspn(rest + slen, " \t")])
		return cli_error(CLI_EXIT_USAGE, "%s:%u: a line of the token file is 'TOKEN "
				 "SCOPE[,SCOPE]' (scopes: read, run, admin); see "
				 CADENCE_DOCDIR "/serve.md",
				 path, lineno);
	rest[slen] = '\0';
	if (parse_scopes(rest, &scope))
		return cli_error(CLI_EXIT_USAGE, "%s:%u: unknown scope in '%s'; the scopes are read, "
				 "run and admin, separated by ','", path, lineno, rest);
	if (len < 16)
		return cli_error(CLI_EXIT_USAGE, "%s:%u: a token of %zu characters is too short to "
				 "be secret; use 16 or more (e.g. 'openssl rand -hex 32')", path,
				 lineno, len);
	return add_token(a, tok, len, scope);
}

static int read_file(serve_auth *a, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	unsigned lineno = 0;
	int rc = 0;
	if (!f)
		return cli_error(CLI_EXIT_USAGE, "cannot read the token file '%s': %s (serve.token_file,"
				 " $CADENCE_TOKEN_FILE)", path, strerror(errno));
	struct stat st;
	/* not fatal: a file shared on purpose (a group of operators) works */
	if (!fstat(fileno(f), &st) && (st.st_mode & 077))
		fprintf(stderr, "cadence: warning: the token file '%s' can be read by other users "
			"(mode %03o); 'chmod 600 %s' keeps the tokens secret\n", path,
			(unsigned)(st.st_mode & 0777), path);
	while (!rc && fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		rc = token_line(a, line, path, lineno);
	}
	if (!rc && ferror(f))
		rc = cli_error(CLI_EXIT_USAGE, "cannot read the token file '%s': %s", path,
			       strerror(errno));
	fclose(f);
	return rc;
}

int serve_auth_load(serve_auth *a, const char *path, const char *env_token)
{
	int rc = 0;
	a->tokens = NULL;
	a->n = 0;
	if (path)
		rc = read_file(a, path);
	if (!rc && env_token && *env_token && strlen(env_token) < 16)
		rc = cli_error(CLI_EXIT_USAGE, "$CADENCE_TOKEN has %zu characters: a token must "
			       "be secret; use 16 or more (e.g. 'openssl rand -hex 32')",
			       strlen(env_token));
	else if (!rc && env_token && *env_token)
		rc = add_token(a, env_token, strlen(env_token), SERVE_SCOPE_ADMIN);
	if (!rc && path && !a->n)
		rc = cli_error(CLI_EXIT_USAGE, "the token file '%s' holds no token; add a line "
			       "'TOKEN SCOPE[,SCOPE]' (" CADENCE_DOCDIR "/serve.md)", path);
	return rc;
}

void serve_auth_free(serve_auth *a)
{
	free(a->tokens);
	a->tokens = NULL;
	a->n = 0;
}

serve_scope serve_auth_check(const serve_auth *a, const char *authorization)
{
	static const char bearer[] = "Bearer ";
	char digest[65];
	serve_scope scope = SERVE_SCOPE_NONE;
	if (!authorization || strncasecmp(authorization, bearer, sizeof(bearer) - 1))
		return SERVE_SCOPE_NONE;
	const char *tok = authorization + sizeof(bearer) - 1;
	/* the digests, compared whole and with every token, take the same
	 * time whatever the text sent shares with a known token */
	cad_sha256_hex(tok, strlen(tok), digest);
	for (size_t i = 0; i < a->n; i++) {
		unsigned diff = 0;
		for (size_t k = 0; k < 64; k++)
			diff |= (unsigned)(digest[k] ^ a->tokens[i].digest[k]);
		if (!diff)
			scope = a->tokens[i].scope;
	}
	return scope;
}
