#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence export argo (docs/export.md): every example and fixture, in each
# kind, validates against Argo's own JSON Schema and cadence's checks of
# what the schema misses (tests/export/argo_check.py); the mapping of
# policies; warnings at their place, --strict; hostile strings come back
# from the parsed manifest unchanged; bad input is refused, nothing
# written.  tests/cli/export_argo_equiv.sh runs the manifests.
source "$(dirname "$0")/lib.sh"

# tests/data/argo-workflows-schema.json: Argo Workflows v4.1.2's
# api/jsonschema/schema.json (argoproj/argo-workflows at f016ad89eb,
# Apache-2.0), unchanged
schema=${CADENCE_ARGO_SCHEMA:-$src/tests/data/argo-workflows-schema.json}
fx=$src/tests/export/fixtures
# One python3 for the script (py_serve; each start costs a tenth of a
# second, and the script made forty), tests/export/argo_check.py imported
# into it: `py_call check ARGS...` runs it as `argo_check.py ARGS...` would
PYTHONPATH=$src/tests/export${PYTHONPATH:+:$PYTHONPATH} py_serve yaml jsonschema argo_check -- '
import json, os, sys, yaml
import argo_check
def load(p):
    with open(p) as f:
        return yaml.safe_load(f)
def main(argv):
    what = argv[0]
    if what == "check":
        return argo_check.main(argv[1:])
    if what == "jsonq":     # the text of a file as a JSON string
        with open(argv[1], encoding="utf-8") as f:
            print(json.dumps(f.read()))
        return 0
    if what == "hostile":   # the hostile manifest holds each string as it was
        h, want, path, image = argv[1:]
        d = load(h)
        got = d["metadata"]["annotations"]["workflows.argoproj.io/description"]
        score = json.loads(d["spec"]["workflowSpec"]["arguments"]["artifacts"][0]["raw"]["data"])
        t = d["spec"]["workflowSpec"]["templates"]
        inp = [x for x in t if x["name"] == "input"][0]["container"]
        return 0 if got == want and score["s"] == want and inp["command"][-1] == path \
            and inp["image"] == image and inp["workingDir"] == "/w: x" else 1
    if what == "descs":     # DIR/N.cadence.yaml, of description N
        for i, text in enumerate(argv[2:]):
            with open(os.path.join(argv[1], "%d.cadence.yaml" % i), "w", encoding="utf-8",
                      errors="surrogateescape") as f:
                f.write("cadence: t\ndescription: %s\nnotes:\n  a: {set: {n: \"1\"}}\nscore:\n"
                        "  n: {type: integer, default: 0}\nmeasures:\n  - then: a\n"
                        % json.dumps(text))
        return 0
    if what == "descs_back":    # N.yaml reads back with description N, or a line why not
        for i, text in enumerate(argv[2:]):
            try:
                with open(os.path.join(argv[1], "%d.yaml" % i), encoding="utf-8") as f:
                    got = load(f.name)["metadata"]["annotations"]["workflows.argoproj.io/description"]
                    got = got == text
            except Exception as e:
                got = "%s: %s" % (type(e).__name__, e)
            if got is not True:
                print("description %r does not read back as itself: %s" % (text, got))
        return 0
    path = argv[1]
    d = load(path)
    if what == "json":      # the YAML and the JSON manifest hold the same
        with open(argv[2]) as f:
            return 0 if json.load(f) == d else 1
    if what == "get":       # a value by a path of keys and indexes
        for k in argv[2].split("/"):
            d = d[int(k)] if isinstance(d, list) else d[k]
        print(d if isinstance(d, str) else json.dumps(d, sort_keys=True))
        return 0
    if what == "template":  # a template by name, as JSON
        for t in d["spec"].get("workflowSpec", d["spec"])["templates"]:
            if t["name"] == argv[2]:
                print(json.dumps(t, sort_keys=True))
                return 0
        return 1
    if what == "tasks":     # the tasks of a DAG template: name depends template
        for t in d["spec"]["templates"]:
            if t["name"] == argv[2]:
                for k in t["dag"]["tasks"]:
                    print(k["name"], k.get("depends", "-"), k["template"])
        return 0
    return 2
'

# ---- every example and fixture, each kind: the schema and our checks ----

manifests=()
for f in "$src"/examples/*/*.cadence.yaml "$fx"/*.cadence.yaml; do
	base=$(basename "$f" .cadence.yaml)
	for kind in workflow template; do
		o=$tmp/$base.$kind.yaml
		run_in "$src" "$cadence_again" export argo --kind "$kind" -o "$o" \
			"${f#"$src"/}"
		[[ $status == 0 ]] || fail "export $base --kind $kind (exit $status): $err"
		manifests+=("$o")
	done
done
w sched.cadence.yaml 'cadence: nightly_job
notes:
  sweep: {set: {n: "score.n + 1"}, retry: {attempts: 2}}
score:
  n: {type: integer, default: 0}
measures:
  - then: sweep
schedule:
  cron: "30 2 * * 1-5"
  timezone: Europe/Berlin
  overlap: replace
  score: {n: 41}
'
run_in "$tmp" "$cadence" export argo --kind cron -o cron.yaml sched.cadence.yaml
expect "cron: a CronWorkflow from schedule:" 0
manifests+=("$tmp/cron.yaml")
if [[ -f $schema ]]; then
	run py_call check --schema "$schema" "${manifests[@]}"
	expect "every manifest (${#manifests[@]}): Argo's schema for its kind and our checks" 0
else
	skip "Argo's schema" "no $schema (set CADENCE_ARGO_SCHEMA)"
fi
assert "cron: the schedule, zone and overlap" [ \
	"$(py_call get "$tmp/cron.yaml" spec/schedules/0)|$(py_call get "$tmp/cron.yaml" spec/timezone)|$(py_call get "$tmp/cron.yaml" spec/concurrencyPolicy)" \
	== "30 2 * * 1-5|Europe/Berlin|Replace" ]
assert "cron: schedule: score: is the input artifact" [ \
	"$(py_call get "$tmp/cron.yaml" spec/workflowSpec/arguments/artifacts/0/raw/data)" == '{"n":41}' ]
assert "cron: a kubernetes name" [ "$(py_call get "$tmp/cron.yaml" metadata/name)" == nightly-job ]
run_in "$tmp" "$cadence" export argo sched.cadence.yaml
expect "workflow: generateName, lower case" 0 '^  generateName: nightly-job-$'
sed 's|30 2 \* \* 1-5|0 0 */2 * fri|' "$tmp/sched.cadence.yaml" >"$tmp/days.cadence.yaml"
run_in "$tmp" "$cadence" export argo --kind cron days.cadence.yaml
expect "cron: '*/2' days and a weekday: warned (Argo ORs them)" 0 '' \
	"days.cadence.yaml:9:9: warning: schedule: with '\*/2' for the day of month and 'fri' .*\[export-cron\]"

# ---- the mapping ----

e=$tmp/every.workflow.yaml
run py_call tasks "$e" measures
expect "measures: a then is a task after nothing" 0 '^bump - note-bump$'
expect "... a sync's notes give changes after it" 0 '^both-left bump.Succeeded note-left-changes$'
expect "... a note with a fallback runs a DAG of both" 0 \
	'^both-right bump.Succeeded note-right-changes-or-fallback$'
expect "... the merge after both notes" 0 \
	'^both-merge both-left.Succeeded && both-right.Succeeded merge-both$'
run py_call tasks "$e" note-right-changes-or-fallback
expect "... in it the fallback depends on the note's failure" 0 '^fallback note.Failed fallback-right-changes$'
run py_call template "$e" note-right-changes-or-fallback
expect "... and its output is the artifact of the one that ran" 0 \
	'"fromExpression": "tasks.note.status == .Succeeded. \? tasks.note.outputs.artifacts.changes : tasks.fallback.outputs.artifacts.changes"'
run py_call tasks "$e" measures
expect "... a note after a note that may end the cadence runs only when it did not" 0 \
	'^both-left bump.Succeeded note-left-changes$'
run py_call template "$e" measures
expect "... (\$interrupt: the step's outcome)" 0 \
	'"depends": "bump.Succeeded", "name": "both-left", "template": "note-left-changes", "when": "\{\{tasks.bump.outputs.parameters.outcome\}\} != interrupt"'
run py_call tasks "$e" measures
expect "... a split runs whole" 0 '^size both-merge.Succeeded measure-size$'
expect "... a sequence's notes in order, named after the measure" 0 \
	'^tail-end-finish tail-end-bump.Succeeded note-finish$'
expect "... a child and a dag run whole" 0 '^graph sub.Succeeded measure-graph$'
run py_call template "$e" note-bump
expect "retry: limit is attempts - 1, only status 1 retried, backoff and cap" 0 \
	'"retryStrategy": \{"backoff": \{"cap": "4s", "duration": "1500ms", "factor": "2"\}, "expression": "asInt\(lastRetry.exitCode\) == 1", "limit": "2", "retryPolicy": "OnFailure"\}'
expect "timeout: kept by the step; activeDeadlineSeconds a backstop 30 s later" 0 \
	'"activeDeadlineSeconds": "33"'
expect "the step: one attempt with its timeout, the score after the note, its outcome" 0 \
	'"command": \["cadence", "step", "--one-attempt", "--apply", "--outcome", "/tmp/cadence/outcome", "--score", "/tmp/cadence/in.json", "-o", "/tmp/cadence/out.json", "tests/export/fixtures/every.cadence.yaml", "bump"\]'
run py_call template "$e" merge-both
expect "merge: the changes files after FILE, in notes: order" 0 \
	'"--merge", "1", "--score", "/tmp/cadence/in.json", "-o", "/tmp/cadence/out.json", "tests/export/fixtures/every.cadence.yaml", "/tmp/cadence/c1.json", "/tmp/cadence/c2.json"\]'
run py_call get "$e" spec/onExit
expect "on_error: the exit handler" 0 '^on-exit$'
run py_call template "$e" on-error
expect "... the handler's step: the score after it, the failures as the error" 0 \
	'"command": \["cadence", "step", "--apply", "--error", "\{\{workflow.failures\}\}", "--score"'
run py_call template "$e" on-exit
expect "... runs when the workflow did not succeed, on its last score" 0 \
	'"from": "\{\{workflow.outputs.artifacts.score\}\}".*"when": "\{\{workflow.status\}\} != Succeeded"'
run_in "$src" "$cadence" export argo -f json -o "$tmp/every.json" tests/export/fixtures/every.cadence.yaml
assert "-f json: the same manifest as the YAML" py_call json "$e" "$tmp/every.json"
run_in "$src" "$cadence" export argo tests/export/fixtures/every.cadence.yaml
assert "the same input gives the same bytes" cmp -s "$tmp/.out" "$e"

# ---- warnings, --strict ----

expect "warnings at their place, with their rule" 0 '' \
	'every.cadence.yaml:16:50: warning: .*backoff factor is an integer; 1.5 is written as 2 \[export-backoff\]'
if has_line 'export-timeout' "$err"; then fail "a timeout of 2500ms is kept: no warning"
else ok "a timeout of 2500ms is kept by the step: no warning"; fi
echo keep >"$tmp/kept.yaml"
run_in "$src" "$cadence" export argo --strict -o "$tmp/kept.yaml" tests/export/fixtures/every.cadence.yaml
expect "--strict: a warning is an error, exit 1" 1 '' \
	"--strict: 1 thing\(s\) of .* cannot be expressed in Argo \(see above\); nothing was written"
assert "... the output left as it was" [ "$(<"$tmp/kept.yaml")" == keep ]
run_in "$src" "$cadence" export argo --strict -o "$tmp/hello.yaml" examples/hello/hello.cadence.yaml
expect "--strict: a cadence Argo expresses whole is written" 0
run_in "$src" "$cadence" export argo examples/checkout/checkout.cadence.yaml
expect "a breaker, jitter and a C note without --plugin are warned about" 0 '' '\[export-breaker\]'
expect "... jitter" 0 '' '\[export-jitter\]'
expect "... the plugin" 0 '' "note 'check_fraud' is a C function \('fraud_score'\): give --plugin .*\[export-plugin\]"
run_in "$src" "$cadence" export argo -p /opt/shop/notes.so -p /opt/x.so examples/checkout/checkout.cadence.yaml
assert "--plugin: no warning, every step gets them" \
	has_line '^      - --plugin$' "$out"
assert "... in order" [ "$(grep -c -- '- /opt/x.so' <<<"$out")" -gt 3 ]
if has_line 'export-plugin' "$err"; then fail "--plugin: still warned"; else ok "--plugin: not warned"; fi
w cont.cadence.yaml 'cadence: cont
notes:
  a: {set: {n: "1"}}
  h: {set: {n: "2"}}
score:
  n: {type: integer, default: 0}
measures:
  - then: a
on_error: {note: h, stop: false}
'
run_in "$tmp" "$cadence" export argo cont.cadence.yaml
expect "on_error stop: false cannot go on in Argo: warned" 0 '' \
	'cont.cadence.yaml:9:18: warning: on_error with stop: false: .*\[export-on-error\]'

# ---- names ----

w names.cadence.yaml 'cadence: _Odd_Name
notes:
  _x: {set: {n: "1"}}
  x_: {set: {n: "2"}}
  note_x: {set: {n: "3"}}
  u_x: {set: {n: "4"}}
score:
  n: {type: integer, default: 0}
measures:
  - sequence: s
    notes: [_x, x_, u_x]
  - then: note_x
  - sync: m
    merge: last_write_wins
    notes: [x_, _x]
'
run_in "$tmp" "$cadence" export argo names.cadence.yaml
expect "names: exported" 0 '^  generateName: odd-name-[0-9a-f]{6}-$'
o=$tmp/names.yaml
printf '%s\n' "$out" >"$o"
if [[ -f $schema ]]; then
	run py_call check --schema "$schema" "$o"
	expect "names: every name matches Argo's pattern, none twice" 0
fi
run py_call tasks "$o" measures
expect "... _x becomes u-x, and u_x another name" 0 '^s-u-x - note-u-x$'
expect "... u_x" 0 '^s-u-x-2 s-x-.Succeeded note-u-x-2$'

l64=$(printf 'm%.0s' {1..64}) n64=$(printf 'n%.0s' {1..64})
w long.cadence.yaml "cadence: Long_Name
notes:
  $n64: {set: {n: '1'}}
  contains: {set: {n: '2'}}
score:
  n: {type: integer, default: 0}
measures:
  - sequence: $l64
    notes: [$n64, $n64]
  - then: contains
  - then: matches
    note: contains
"
run_in "$tmp" "$cadence" export argo -o long.yaml long.cadence.yaml
expect "long names: exported" 0
run py_call check --schema "$schema" "$tmp/long.yaml"
expect "... task names cut under Argo's 128 characters, still unique" 0
run py_call tasks "$tmp/long.yaml" measures
expect "... a task named after a word of expr-lang (depends) is renamed" 0 '^contains-2 '
expect "... matches too" 0 '^matches-2 contains-2.Succeeded note-contains$'
run py_call get "$tmp/long.yaml" metadata/generateName
expect "... a name that changed more than _ to - keeps a hash" 0 '^long-name-[0-9a-f]{6}-$'
w lower.cadence.yaml 'cadence: long_name
notes:
  a: {set: {n: "1"}}
score:
  n: {type: integer, default: 0}
measures:
  - then: a
'
# ('_' to '-' and no hash: sched's workflow export above, nightly_job,
# under valgrind there)
run_in "$tmp" "$cadence_again" export argo -o lower.yaml lower.cadence.yaml
run py_call get "$tmp/lower.yaml" metadata/generateName
expect "... so Long_Name and long_name do not meet" 0 '^long-name-$'

# ---- hostile strings: the parsed manifest holds them as they were ----

hostile=$'say "hi" \'there\'\nline two: {x: 1} # not a comment\n- - [a] & *b !c |d >e %f @g `h` ${i} $(j) \\k yes no ~ null 0x1F 1e3 ---'
printf '%s' "$hostile" >"$tmp/hostile.txt"
q=$(py_call jsonq "$tmp/hostile.txt")
printf 'cadence: hostile\ndescription: %s\nscore:\n  s: {type: string, default: ""}\nnotes:\n  a: {set: {s: "\\"x\\""}}\nmeasures:\n  - then: a\nschedule:\n  cron: "0 * * * *"\n  score: {s: %s}\n' \
	"$q" "$q" >"$tmp/hostile.cadence.yaml"
mkdir -p "$tmp/d i r"
cp "$tmp/hostile.cadence.yaml" "$tmp/d i r/"
path=$'p a t h/"q"\'s\n: # -x'
run_in "$tmp" "$cadence" export argo --kind cron --image $'img:"1"\n# x' --workdir '/w: x' \
	--path "$path" -o hostile.yaml 'd i r/hostile.cadence.yaml'
expect "hostile: exported" 0
h=$tmp/hostile.yaml
assert "... the description, score, path, image, workdir come back unchanged" \
	py_args hostile "$h" "$hostile" "$path" $'img:"1"\n# x'
descs=(-.inf +.inf .inf -.5 .5 1_000 0o17 0x1F 2001-12-14 Yes on '~' null '<<' = '@x' '%x' '!x' '&x' '*x' '- x' '? x' ': x' 'x: y' 'x #y' $'a\tb' $'\xc2\x85' ' lead' 'trail ')
mkdir -p "$tmp/desc"
py_args descs "$tmp/desc" "${descs[@]}"
for i in "${!descs[@]}"; do
	run_in "$tmp/desc" "$cadence_again" export argo -o "$i.yaml" "$i.cadence.yaml"
done
back=$(py_args descs_back "$tmp/desc" "${descs[@]}")
if [[ -z $back ]]; then
	ok "descriptions that look like numbers, booleans, dates, null or YAML syntax read back as themselves"
else
	status=0 out= err=
	fail "descriptions that look like numbers, booleans, dates, null or YAML syntax read back as themselves: $back"
fi
# --path, --image and --workdir: one loop over the three, one message:
# under valgrind the first (--path); the other two take its path again:
# the binary itself.  --plugin's is a loop of its own.
for v in '--path {{workflow.name}}.yaml' '--image x{{y}}' '--workdir {{a}}' '--plugin {{p}}.so'; do
	bin=$cadence
	[[ $v != --image* && $v != --workdir* ]] || bin=$cadence_again
	run_in "$src" "$bin" export argo ${v% *} "${v#* }" examples/hello/hello.cadence.yaml
	expect "'{{' in ${v% *} is refused (Argo would replace it)" 2 '' \
		"${v% *} '.*' holds '\{\{', which Argo replaces as one of its variables"
done
w braces.cadence.yaml 'cadence: braces
score:
  s: {type: string, default: ""}
notes:
  a: {set: {s: "score.s"}}
measures:
  - then: a
schedule:
  cron: "0 * * * *"
  score: {s: "{{workflow.name}}"}
'
run_in "$tmp" "$cadence" export argo --kind cron -o br.yaml braces.cadence.yaml
expect "'{{' in the schedule's score is an error at its place" 1 '' \
	'braces.cadence.yaml:10:10: error: schedule: a value of score: holds .*\[export-braces\]'
assert "... nothing written" [ ! -e "$tmp/br.yaml" ]

# ---- bad input ----

run "$cadence" export argo
expect "no FILE" 2 '' "'cadence export argo' exports one cadence FILE; 0 were given"
# (the count of FILEs: the check of "no FILE" above, under valgrind there)
run "$cadence_again" export argo a b
expect "two FILEs" 2 '' "exports one cadence FILE; 2 were given"
run "$cadence" export argo --kind crontab examples/hello/hello.cadence.yaml
expect "an unknown kind" 2 '' "crontab"
run_in "$src" "$cadence" export argo --kind cron examples/hello/hello.cadence.yaml
expect "--kind cron without schedule:" 2 '' \
	"'examples/hello/hello.cadence.yaml' has no schedule:, so it has no CronWorkflow"
run "$cadence" export argo "$src/examples/hello/hello.cadence.yaml"
expect "an absolute FILE without --path" 2 '' \
	"the steps name the cadence file by its path in the image, and '.*' is an absolute path on this machine; give it with --path"
# (an export with --path: the hostile one above, under valgrind there)
run "$cadence_again" export argo --path hello.cadence.yaml "$src/examples/hello/hello.cadence.yaml"
expect "... with --path: written" 0 '      - hello.cadence.yaml$'
# (the check of the absolute FILE above, under valgrind there, in its
# other wording)
run "$cadence_again" export argo - <"$src/examples/hello/hello.cadence.yaml"
expect "standard input without --path" 2 '' "is standard input; give it with --path"
run_in "$src" "$cadence" export argo --image '' examples/hello/hello.cadence.yaml
expect "an empty --image" 2 '' "--image is empty; give the image that holds cadence"
run_in "$src" "$cadence" export argo --path '' examples/hello/hello.cadence.yaml
expect "an empty --path" 2 '' "option '--path' needs a PATH, not an empty string"
run_in "$src" "$cadence" export argo -o nodir/x.yaml examples/hello/hello.cadence.yaml
expect "-o in a missing directory: refused before anything is done" 2 '' \
	"cannot write the manifest to 'nodir/x.yaml': .*; nothing was exported"
cp "$src/examples/hello/hello.cadence.yaml" "$tmp/h.cadence.yaml"
run_in "$tmp" "$cadence" export argo -o h.cadence.yaml h.cadence.yaml
expect "-o naming the cadence file is refused" 2 '' "it is the cadence file 'h.cadence.yaml', which the export reads"
assert "... which is left as it was" cmp -s "$tmp/h.cadence.yaml" "$src/examples/hello/hello.cadence.yaml"
mkdir -p "$tmp/co" && cp "$src"/examples/checkout/*.cadence.yaml "$tmp/co/"
run_in "$tmp" "$cadence" export argo -o co/payment.cadence.yaml co/checkout.cadence.yaml
expect "-o naming a child cadence file is refused" 2 '' \
	"it is the cadence file 'co/payment.cadence.yaml', which the export reads"
assert "... which is left as it was" cmp -s "$tmp/co/payment.cadence.yaml" "$src/examples/checkout/payment.cadence.yaml"
w bad.cadence.yaml 'cadence: bad
measures:
  - then: nope
'
run_in "$tmp" "$cadence" export argo -o bad.yaml bad.cadence.yaml
expect "a cadence with errors is not exported" 1 '' "undefined-note"
assert "... nothing written" [ ! -e "$tmp/bad.yaml" ]
run "$cadence" export argo --help
expect "--help" 0 "^usage: cadence export argo \[OPTIONS\] FILE"
run "$cadence" export nope
expect "an unknown export" 2 '' "'cadence export' has the subcommand"

finish
