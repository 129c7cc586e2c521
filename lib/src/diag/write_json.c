/* SPDX-License-Identifier: MIT */
/* Machine output: cadence's own JSON (schema in docs/cli.md) and SARIF 2.1.0. */
#include "cadence/common.h"
#include "diag/diag_int.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The project's home (the SARIF driver's informationUri) and the rules'
 * documentation there: each rule's helpUri is its section, whose anchor is
 * the rule id.  A web address, not the installed docs' file: URI, because
 * SARIF is read on another machine (a code-scanning dashboard). */
#define HOME_URI "https://github.com/cadence-toolchain/cadence"
#define RULES_URI HOME_URI "/blob/main/docs/rules.md"

static int emit(cJSON *root, FILE *out)
{
	char *text = root ? cad_json_print(root, 1) : NULL;
	cJSON_Delete(root);
	if (!text)
		return CADENCE_ENOMEM;
	fputs(text, out);
	fputc('\n', out);
	free(text);
	return ferror(out) ? CADENCE_EIO : 0;
}

/* Also SARIF's level names. */
static const char *severity_name(cadence_severity s)
{
	return s == CADENCE_SEVERITY_ERROR ? "error"
	       : s == CADENCE_SEVERITY_WARNING ? "warning" : "note";
}

/* The fields of one diagnostic, in the order both shapes write them: the
 * JSON document's (`full`: with length and related) or a --log json
 * line's (after its "event", text made UTF-8). */
static int add_fields(cJSON *o, const cadence_diag *d, int full)
{
	cJSON *(*text)(cJSON *, const char *, const char *) =
		full ? cJSON_AddStringToObject : cad_json_add_text;
	int ok = text(o, "file", d->file) &&
		 cJSON_AddNumberToObject(o, "line", d->line) &&
		 cJSON_AddNumberToObject(o, "column", d->column) &&
		 (!full || cJSON_AddNumberToObject(o, "length", d->length)) &&
		 cJSON_AddStringToObject(o, "severity", severity_name(d->severity)) &&
		 cJSON_AddStringToObject(o, "rule", d->rule) &&
		 text(o, "message", d->message);
	if (ok && d->help)
		ok = text(o, "help", d->help) != NULL;
	if (ok && full && d->related_line) {
		cJSON *r = cJSON_AddObjectToObject(o, "related");
		ok = r && cJSON_AddNumberToObject(r, "line", d->related_line) &&
		     cJSON_AddNumberToObject(r, "column", d->related_column) &&
		     cJSON_AddStringToObject(r, "message", d->related_message);
	}
	return ok;
}

int cad_diag_write_json_lines(const cadence_diags *diags, FILE *out)
{
	for (size_t i = 0; i < cadence_diags_count(diags); i++) {
		cJSON *o = cJSON_CreateObject();
		int ok = o && cJSON_AddStringToObject(o, "event", "diagnostic") &&
			 add_fields(o, cadence_diags_get(diags, i), 0);
		char *s = ok ? cad_json_print(o, 0) : NULL;
		cJSON_Delete(o);
		if (!s)
			return CADENCE_ENOMEM;
		cad_json_puts(out, s);
		free(s);
	}
	return ferror(out) ? CADENCE_EIO : 0;
}

int cad_diag_write_json(const cadence_diags *diags, FILE *out,
		    const cadence_diag_write_opts *opts)
{
	/* "version" is the version of this document's shape (docs/cli.md),
	 * raised only when a field changes meaning or goes away. */
	cJSON *root = cJSON_CreateObject();
	cJSON *list = root && cJSON_AddNumberToObject(root, "version", 1)
		      ? cJSON_AddArrayToObject(root, "diagnostics") : NULL;
	size_t n = cadence_diags_count(diags);
	int ok = root && list;

	for (size_t i = 0; ok && i < n; i++) {
		const cadence_diag *d = cadence_diags_get(diags, i);
		cJSON *o = cJSON_CreateObject();
		ok = o && cJSON_AddItemToArray(list, o) && add_fields(o, d, 1);
	}
	if (ok) {
		cJSON *s = cJSON_AddObjectToObject(root, "summary");
		ok = s && cJSON_AddNumberToObject(s, "files", (double)opts->files_checked) &&
		     cJSON_AddNumberToObject(s, "errors", (double)cadence_diags_errors(diags)) &&
		     cJSON_AddNumberToObject(s, "warnings", (double)cadence_diags_warnings(diags)) &&
		     cJSON_AddNumberToObject(s, "notes", (double)cadence_diags_notes(diags));
	}
	if (!ok) {
		cJSON_Delete(root);
		return CADENCE_ENOMEM;
	}
	return emit(root, out);
}

/* A file path as a SARIF artifact URI (RFC 3986): every byte but the
 * unreserved ones and '/' percent-encoded, so spaces, '#', '?', '%', ':'
 * and UTF-8 keep their meaning; an absolute path becomes a file: URI,
 * a relative one stays a relative reference. */
static char *sarif_uri(const char *file)
{
	static const char hex[] = "0123456789ABCDEF";
	strbuf uri = STRBUF_INIT;
	if (file[0] == '/')
		cad_strbuf_adds(&uri, "file://");
	for (const unsigned char *p = (const unsigned char *)file; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			cad_strbuf_addc(&uri, (char)*p);
		} else {
			cad_strbuf_addc(&uri, '%');
			cad_strbuf_addc(&uri, hex[*p >> 4]);
			cad_strbuf_addc(&uri, hex[*p & 15]);
		}
	}
	return cad_strbuf_detach(&uri);
}

static cJSON *sarif_location(const char *file, unsigned line, unsigned col,
			     unsigned length)
{
	cJSON *loc = cJSON_CreateObject();
	cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
	char *uri = sarif_uri(file);
	int ok = loc && phys && art && uri && cJSON_AddStringToObject(art, "uri", uri);
	free(uri);
	if (ok && line) {
		cJSON *region = cJSON_AddObjectToObject(phys, "region");
		ok = region && cJSON_AddNumberToObject(region, "startLine", line) &&
		     cJSON_AddNumberToObject(region, "startColumn", col) &&
		     cJSON_AddNumberToObject(region, "endColumn", col + (length ? length : 1));
	}
	if (!ok) {
		cJSON_Delete(loc);
		return NULL;
	}
	return loc;
}

/* One rule's reportingDescriptor: its id, docs/rules.md's summary and
 * first paragraph, the link to its section, its default level. */
static cJSON *sarif_rule(const diag_rule *rule)
{
	char uri[256];
	cJSON *r = cJSON_CreateObject(), *sd, *fd, *conf;

	snprintf(uri, sizeof(uri), "%s#%s", RULES_URI, rule->id);
	if (!r || !cJSON_AddStringToObject(r, "id", rule->id) ||
	    !(sd = cJSON_AddObjectToObject(r, "shortDescription")) ||
	    !cJSON_AddStringToObject(sd, "text", rule->summary) ||
	    !(fd = cJSON_AddObjectToObject(r, "fullDescription")) ||
	    !cJSON_AddStringToObject(fd, "text", rule->description) ||
	    !cJSON_AddStringToObject(r, "helpUri", uri) ||
	    !(conf = cJSON_AddObjectToObject(r, "defaultConfiguration")) ||
	    !cJSON_AddStringToObject(conf, "level", severity_name(rule->severity))) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static cJSON *sarif_rules(void)
{
	cJSON *rules = cJSON_CreateArray();
	for (size_t i = 0; rules && i < cad_diag_rules_count; i++) {
		cJSON *r = sarif_rule(&cad_diag_rules[i]);
		if (!r || !cJSON_AddItemToArray(rules, r)) {
			cJSON_Delete(r);
			cJSON_Delete(rules);
			return NULL;
		}
	}
	return rules;
}

int cad_diag_write_sarif(const cadence_diags *diags, FILE *out,
		     const cadence_diag_write_opts *opts)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *runs = cJSON_AddArrayToObject(root, "runs");
	cJSON *run = cJSON_CreateObject();
	int ok = root && runs && run && cJSON_AddItemToArray(runs, run) &&
		 cJSON_AddStringToObject(root, "version", "2.1.0") &&
		 cJSON_AddStringToObject(root, "$schema",
			"https://json.schemastore.org/sarif-2.1.0.json");
	cJSON *tool = ok ? cJSON_AddObjectToObject(run, "tool") : NULL;
	cJSON *driver = tool ? cJSON_AddObjectToObject(tool, "driver") : NULL;
	cJSON *rules = driver ? sarif_rules() : NULL;

	ok = driver && rules && cJSON_AddItemToObject(driver, "rules", rules) &&
	     cJSON_AddStringToObject(driver, "name", "cadence") &&
	     cJSON_AddStringToObject(driver, "version",
		opts->tool_version ? opts->tool_version : cadence_version()) &&
	     cJSON_AddStringToObject(driver, "informationUri", HOME_URI) &&
	     cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
	if (!ok && rules && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(driver, "rules")))
		cJSON_Delete(rules);
	cJSON *results = ok ? cJSON_AddArrayToObject(run, "results") : NULL;
	ok = ok && results;

	size_t n = cadence_diags_count(diags);
	for (size_t i = 0; ok && i < n; i++) {
		const cadence_diag *d = cadence_diags_get(diags, i);
		cJSON *r = cJSON_CreateObject();
		cJSON *msg, *locs, *loc;
		long idx = cad_diag_rule_index(d->rule);
		ok = r && cJSON_AddItemToArray(results, r) &&
		     cJSON_AddStringToObject(r, "ruleId", d->rule) &&
		     (idx < 0 || cJSON_AddNumberToObject(r, "ruleIndex", (double)idx)) &&
		     cJSON_AddStringToObject(r, "level", severity_name(d->severity)) &&
		     (msg = cJSON_AddObjectToObject(r, "message")) &&
		     (locs = cJSON_AddArrayToObject(r, "locations")) &&
		     (loc = sarif_location(d->file, d->line, d->column, d->length)) &&
		     cJSON_AddItemToArray(locs, loc);
		if (!ok)
			break;
		char *text = NULL;
		if (d->help) {
			size_t len = strlen(d->message) + strlen(d->help) + 8;
			text = malloc(len);
			if (text)
				snprintf(text, len, "%s. %s", d->message, d->help);
		}
		ok = cJSON_AddStringToObject(msg, "text", text ? text : d->message) != NULL;
		free(text);
		if (ok && d->related_line) {
			cJSON *rel = cJSON_AddArrayToObject(r, "relatedLocations");
			cJSON *rl = rel ? sarif_location(d->file, d->related_line,
							d->related_column, 0) : NULL;
			cJSON *rm;
			ok = rl && cJSON_AddItemToArray(rel, rl) &&
			     cJSON_AddNumberToObject(rl, "id", 0) &&
			     (rm = cJSON_AddObjectToObject(rl, "message")) &&
			     cJSON_AddStringToObject(rm, "text", d->related_message);
		}
	}
	if (!ok) {
		cJSON_Delete(root);
		return CADENCE_ENOMEM;
	}
	return emit(root, out);
}
