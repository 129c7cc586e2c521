#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The SARIF output of the whole fixture set validates against the official
# SARIF 2.1.0 schema (tests/data/sarif-schema-2.1.0.json, from OASIS), and
# says the same as the JSON output.
source "$(dirname "$0")/lib.sh"
need_python jsonschema
fx=$src/tests/golden/fixtures

run "$cadence" validate --format sarif "$fx"
expect "sarif over the fixtures" 1
printf '%s' "$out" >"$tmp/out.sarif"
run "$cadence" validate --format json "$fx"
printf '%s' "$out" >"$tmp/out.json"
printf 'cadence: ok\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n' >"$tmp/ok.cadence.yaml"
run "$cadence" validate --format sarif "$tmp/ok.cadence.yaml"
expect "sarif, clean" 0
printf '%s' "$out" >"$tmp/clean.sarif"

# The schema's "uri" and "uri-reference" formats are checked too, by the
# grammar of RFC 3986 (jsonschema checks them only with a package that
# Debian 12 does not install by default, so the test brings its own).
check_schema() {
	python3 - "$src/tests/data/sarif-schema-2.1.0.json" "$@" <<'PY'
import json, re, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
pct = r"%[0-9A-Fa-f]{2}"
unres = r"A-Za-z0-9\-._~"
sub = r"!$&'()*+,;="
pchar = r"(?:[%s%s:@]|%s)" % (unres, sub, pct)
nc = r"(?:[%s%s@]|%s)" % (unres, sub, pct)          # segment-nz-nc: no ':'
auth = r"(?:[%s%s:@\[\]]|%s)*" % (unres, sub, pct)
tail = r"(?:\?(?:%s|[/?])*)?(?:#(?:%s|[/?])*)?" % (pchar, pchar)
hier = r"(?://%s(?:/%s*)*|/(?:%s+(?:/%s*)*)?|%s+(?:/%s*)*|)" % (auth, pchar, pchar, pchar, pchar, pchar)
uri = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:%s%s$" % (hier, tail))
rel = re.compile(r"^(?://%s(?:/%s*)*|/(?:%s+(?:/%s*)*)?|%s+(?:/%s*)*|)%s$"
                 % (auth, pchar, pchar, pchar, nc, pchar, tail))
formats = jsonschema.FormatChecker()
formats.checks("uri")(lambda s: not isinstance(s, str) or bool(uri.match(s)))
formats.checks("uri-reference")(lambda s: not isinstance(s, str) or bool(uri.match(s) or rel.match(s)))
validator = jsonschema.Draft4Validator(schema, format_checker=formats)
bad = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(json.load(open(path))):
        bad += 1
        print("%s: %s at %s" % (path, e.message, "/".join(map(str, e.absolute_path))))
sys.exit(1 if bad else 0)
PY
}
# issue 14 (low): file names with spaces, '#', '?', '%', ':' and UTF-8 are
# percent-encoded in the artifact URIs; an absolute path is a file: URI.
mkdir -p "$tmp/a:b"
printf 'cadence: odd\nnotes:\n  a: {symbol: a}\n  b: {symbol: b}\nmeasures:\n  - then: a\n' \
	>"$tmp/a:b/we ird#1%?é.cadence.yaml"
run_in "$tmp" "$cadence" validate --format sarif "a:b"
expect "issue 14: a relative path is a percent-encoded relative reference" 0 \
	'"uri":[[:space:]]*"a%3Ab/we%20ird%231%25%3F%C3%A9\.cadence\.yaml"'
printf '%s' "$out" >"$tmp/odd.sarif"
run "$cadence" validate --format sarif "$tmp/a:b"
expect "issue 14: an absolute path is a file: URI" 0 \
	"\"uri\":[[:space:]]*\"file://${tmp//./\\.}/a%3Ab/we%20ird%231%25%3F%C3%A9\\.cadence\\.yaml\""
printf '%s' "$out" >"$tmp/odd-abs.sarif"
# issue 21 item 15: results whose level a flag changed (note) or removed
run "$cadence" validate --format sarif --severity unused-note=note --disable sync-single-note "$fx"
expect "sarif with rule levels" 1 '"level":[[:space:]]*"note"'
printf '%s' "$out" >"$tmp/levels.sarif"
assert "sarif validates against the SARIF 2.1.0 schema, URI formats included" \
	check_schema "$tmp/out.sarif" "$tmp/clean.sarif" "$tmp/odd.sarif" "$tmp/odd-abs.sarif" \
	"$tmp/levels.sarif"

assert "sarif and json report the same problems" python3 - "$tmp/out.sarif" "$tmp/out.json" <<'PY'
import json, sys
sarif = json.load(open(sys.argv[1]))
plain = json.load(open(sys.argv[2]))
run = sarif["runs"][0]
assert sarif["version"] == "2.1.0"
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
got = []
for r in run["results"]:
    loc = r["locations"][0]["physicalLocation"]
    reg = loc.get("region", {})
    assert r["ruleId"] in ids and ids[r["ruleIndex"]] == r["ruleId"], r
    got.append((loc["artifactLocation"]["uri"].split("/")[-1], reg.get("startLine", 0),
                reg.get("startColumn", 0), r["ruleId"], r["level"]))
want = [(d["file"].split("/")[-1], d["line"], d["column"], d["rule"], d["severity"])
        for d in plain["diagnostics"]]
assert got == want, (got[:3], want[:3])
assert len(got) >= 19, len(got)
PY
# issue 21 item 14: every rule carries its metadata, fullDescription,
# helpUri (its section of docs/rules.md) and defaultConfiguration.level
# (the schema above checks their shape); without a project configuration
# each result's level is its rule's default.
assert "issue 21: the rules carry fullDescription, helpUri, defaultConfiguration" \
	python3 - "$tmp/out.sarif" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
rules = run["tool"]["driver"]["rules"]
for r in rules:
    assert len(r["fullDescription"]["text"]) > len(r["shortDescription"]["text"]), r["id"]
    assert r["helpUri"] == ("https://github.com/cadence-toolchain/cadence/blob/main/docs/rules.md#"
                            + r["id"]), r["helpUri"]
    assert r["defaultConfiguration"]["level"] in ("error", "warning"), r
levels = {r["defaultConfiguration"]["level"] for r in rules}
assert levels == {"error", "warning"}, levels
for res in run["results"]:
    assert res["level"] == rules[res["ruleIndex"]]["defaultConfiguration"]["level"], res
PY
finish
