#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 21 item 15: a project turns rules off or gives them another level
# (cadence.project.yaml `rules:`, validate --disable/--severity, flags
# winning), skips paths in directory scans (`exclude:`, --exclude), and
# `cadence explain RULE` prints a rule's documentation.
source "$(dirname "$0")/lib.sh"

p=$tmp/proj
mkdir -p "$p/cad/old" "$p/cad/drafts"
# a.cadence.yaml: an unused note (warning) and a sync of one note (warning)
printf 'cadence: a\nnotes:\n  a: {symbol: a}\n  b: {symbol: b}\nmeasures:\n  - sync: s\n    notes: [a]\n' \
	>"$p/cad/a.cadence.yaml"
# old/o.cadence.yaml: an undefined note (error)
printf 'cadence: o\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n  - then: x\n' \
	>"$p/cad/old/o.cadence.yaml"
cp "$p/cad/old/o.cadence.yaml" "$p/cad/drafts/d.wip.cadence.yaml"

run_in "$p" "$cadence" validate --color=never cad
expect "without configuration: every problem" 1 'checked 3 files: 2 errors, 2 warnings'

# --- flags ----------------------------------------------------------------------
run_in "$p" "$cadence" validate --color=never --disable unused-note cad/a.cadence.yaml
expect "--disable drops the rule" 0 'checked 1 file: 0 errors, 1 warning'
[[ $out != *unused-note* ]] && ok "... and says nothing of it" || fail "... unused-note still reported"
run_in "$p" "$cadence" validate --color=never --severity sync-single-note=error cad/a.cadence.yaml
expect "--severity RULE=error makes a warning an error" 1 \
	'a\.cadence\.yaml:6:11: error: sync .s. has one note.*\[sync-single-note\]'
run_in "$p" "$cadence" validate --color=never --strict --severity sync-single-note=note \
	--severity unused-note=note cad/a.cadence.yaml
expect "a note never fails, not even --strict" 0 \
	'a\.cadence\.yaml:6:11: note: sync .s. has one note'
expect "... and the summary counts notes" 0 'checked 1 file: 0 errors, 0 warnings, 2 notes'
run_in "$p" "$cadence" validate --format json --severity unused-note=note cad/a.cadence.yaml
expect "json: severity note, summary notes" 0 '"severity":[[:space:]]*"note"' 
expect "... summary notes" 0 '"notes":[[:space:]]*1'
run_in "$p" "$cadence" validate --format github --severity unused-note=note cad/a.cadence.yaml
expect "github: a note is a ::notice" 0 '^::notice file=cad/a\.cadence\.yaml,line=4'
run_in "$p" "$cadence" validate --format sarif --severity unused-note=note cad/a.cadence.yaml
printf '%s' "$out" >"$tmp/note.sarif"
assert "sarif: the result's level is note, the rule's default stays warning" python3 - "$tmp/note.sarif" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
rules = run["tool"]["driver"]["rules"]
res = [r for r in run["results"] if r["ruleId"] == "unused-note"]
assert res and all(r["level"] == "note" for r in res), res
assert rules[res[0]["ruleIndex"]]["defaultConfiguration"]["level"] == "warning"
PY

run_in "$p" "$cadence" validate --disable unused-nte cad
expect "an unknown rule is a usage error with a did-you-mean" 2 '' \
	"unknown rule 'unused-nte'; did you mean 'unused-note'\?"
run_in "$p" "$cadence" validate --severity unused-note=loud cad
expect "an unknown level is a usage error" 2 '' \
	"unknown level 'loud' for rule 'unused-note'; write off, error, warning or note"
run_in "$p" "$cadence" validate --severity yaml-tab=off cad
expect "a structural rule cannot be turned off" 2 '' \
	"rule 'yaml-tab' is structural and cannot be turned off"
run_in "$p" "$cadence" validate --severity unused-note cad
expect "--severity without =LEVEL" 2 '' '--severity takes RULE=LEVEL'
run_in "$p" "$cadence" validate --disable unused-note=off cad
expect "--disable RULE=LEVEL points at --severity" 2 '' 'use --severity RULE=LEVEL'
[[ -z $out ]] && ok "... nothing on stdout" || fail "usage error printed on stdout"

# --- exclude --------------------------------------------------------------------
run_in "$p" "$cadence" validate --color=never --exclude old --exclude '*.wip.cadence.yaml' cad
expect "--exclude: a directory and a name pattern" 0 'checked 1 file: 0 errors, 2 warnings'
run_in "$p" "$cadence" validate --color=never --exclude '*drafts' cad
expect "--exclude: '*' crosses '/'" 1 'checked 2 files: 1 error, 2 warnings'
run_in "$p" "$cadence" validate --color=never --exclude old cad/old/o.cadence.yaml
expect "a file named on the command line is checked whatever --exclude says" 1 \
	'checked 1 file: 1 error'
run_in "$p" "$cadence" validate --exclude '*' cad
expect "excluding every file is a usage error" 2 '' "every \*\.cadence\.yaml file under 'cad' is excluded"

# --- the project file -----------------------------------------------------------
printf 'rules:\n  unused-note: off\n  sync-single-note: note\n  undefined-note: warning\nexclude: [drafts]\n' \
	>"$p/cadence.project.yaml"
run_in "$p" "$cadence" validate --color=never cad
expect "rules: and exclude: from the project file" 0 \
	'checked 2 files: 0 errors, 1 warning, 1 note'
run_in "$p/cad" "$cadence" validate --color=never .
expect "... found upward from a subdirectory" 0 'checked 2 files: 0 errors, 1 warning, 1 note'
run_in "$p" "$cadence" validate --color=never --severity unused-note=error --exclude old cad
expect "flags win over the file, and --exclude adds to exclude:" 1 \
	'checked 1 file: 1 error, 0 warnings, 1 note'
printf 'rules:\n  unused-nte: off\n  yaml-tab: warning\n  sync-single-note: loud\n' >"$p/cadence.project.yaml"
run_in "$p" "$cadence" validate --color=never cad
expect "a bad rules: entry is an error at its line, with a did-you-mean" 1 \
	"cadence\.project\.yaml:2:3: error: unknown rule 'unused-nte' \[config-value\]"
expect "... the help" 1 "= help: did you mean 'unused-note'\?"
expect "... a structural rule at its value" 1 \
	"cadence\.project\.yaml:3:13: error: rule 'yaml-tab' is structural and cannot be turned off or given another level \[config-value\]"
expect "... an unknown level" 1 "cadence\.project\.yaml:4:21: error: 'loud' is not a rule level \[bad-enum\]"
run_in "$p" "$cadence" config show
expect "other commands refuse the bad project file" 2 '' "unknown rule 'unused-nte'"
rm "$p/cadence.project.yaml"

# --- explain --------------------------------------------------------------------
run "$cadence" explain unused-note
expect "explain RULE prints its section of rules.md" 0 '^## unused-note$'
expect "... with its severity and summary" 0 '^\*warning\* — A note that no measure or task runs\.$'
want=$(awk '/^## unused-note$/ {on = 1; print; next} on && /^## / {exit} on' "$src/docs/rules.md")
while [[ $want == *$'\n' ]]; do want=${want%$'\n'}; done
[[ $out == "$want" ]] && ok "... the whole section, as rules.md has it" || fail "explain differs from rules.md"
run "$cadence" explain schedule-score
expect "explain the last section" 0 '^## schedule-score$'
[[ $out == *'```' ]] && ok "... to its end" || fail "explain schedule-score is cut"
run "$cadence" explain
expect "explain with no rule lists them" 0 '^unused-note +warning +A note that no measure or task runs\.$'
n=$(grep -c . <<<"$out")
[[ $n -ge 50 ]] && ok "... every rule ($n)" || fail "explain lists $n rules only"
run "$cadence" explain unused-nte
expect "explain of an unknown rule: status 2, did-you-mean" 2 '' \
	"unknown rule 'unused-nte'; did you mean 'unused-note'\?"
run "$cadence" explain a b
expect "explain takes one rule" 2 '' "takes one rule"
run "$cadence" explain --help
expect "explain --help" 0 '^usage: cadence explain \[RULE\]'
# --- which rules are structural: rules.md's stage table -----------------------
# (reading the file, YAML and structure rows), the rule table's flag
structural=$(awk -F'|' '/^\| (reading the file|YAML|structure) \|/ {print $3}' "$src/docs/rules.md" |
	grep -o '\[[a-z-]*\]' | tr -d '[]')
[[ $(wc -w <<<"$structural") -ge 20 ]] && ok "rules.md names the structural rules" ||
	fail "rules.md's stage table not found"
bad=
# one code path per rule, each taken above under valgrind: the binary itself
while read -r id _; do
	st=0
	"$cadence_again" validate --severity "$id=off" "$p/cad/a.cadence.yaml" >/dev/null 2>"$tmp/.lv" || st=$?
	is=no
	grep -q 'is structural' "$tmp/.lv" && is=yes
	want=no
	[[ " "$(tr '\n' ' ' <<<"$structural")" " == *" $id "* ]] && want=yes
	[[ $is == "$want" ]] || bad+=" $id($is)"
done < <("$cadence" explain)
[[ -z $bad ]] && ok "exactly the rules of the structural stages cannot be turned off" ||
	fail "structural flag differs from rules.md:$bad"
finish
