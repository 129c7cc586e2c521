#!/usr/bin/env bash
# Every rule id the tool knows has a section in docs/rules.md and is shown
# by a golden fixture (or, for file-level rules, by a CLI test).
source "$(dirname "$0")/lib.sh"

printf 'cadence: ok\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n' >"$tmp/ok.cadence.yaml"
run "$cadence" validate --format sarif "$tmp/ok.cadence.yaml"
expect "sarif lists the rules" 0
ids=$(python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)["runs"][0]["tool"]["driver"]["rules"]))' <<<"$out")
assert "at least 30 rules" test "$(wc -l <<<"$ids")" -ge 30

for id in $ids; do
	if grep -q "^## $id\$" "$src/docs/rules.md" 2>/dev/null; then
		ok "rules.md documents $id"
	else
		status=0 out= err=
		fail "rules.md has no '## $id' section"
	fi
	if grep -qF "[$id]" "$src"/tests/golden/fixtures/*.expected ||
	   grep -qF "[$id]" "$src"/tests/cli/*.sh; then
		ok "a test shows $id"
	else
		status=0 out= err=
		fail "no golden fixture or CLI test shows $id"
	fi
done
finish
