#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The SARIF output of the whole fixture set validates against the official
# SARIF 2.1.0 schema (tests/data/sarif-schema-2.1.0.json, from OASIS), and
# says the same as the JSON output.
source "$(dirname "$0")/lib.sh"
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

check_schema() {
	python3 - "$src/tests/data/sarif-schema-2.1.0.json" "$@" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft4Validator(schema)
bad = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(json.load(open(path))):
        bad += 1
        print("%s: %s at %s" % (path, e.message, "/".join(map(str, e.absolute_path))))
sys.exit(1 if bad else 0)
PY
}
assert "sarif validates against the SARIF 2.1.0 schema" check_schema "$tmp/out.sarif" "$tmp/clean.sarif"

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
finish
