#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test tools of `cadence export argo` (issue 20), tested themselves:
# tests/export/argo_exec.py, the local executor of an exported workflow,
# on hand-written manifests (tests/export/fixtures) whose containers are
# plain commands (sh -c, cp, sleep), against Argo's documented semantics;
# and tests/export/argo_check.py, the schema and own checks, on the
# fixtures (valid) and on faults planted in them.  The checks of
# argo_check.py need Argo's JSON Schema, outside the repository
# (../shared/schemas, or $CADENCE_ARGO_SCHEMA): skipped without it.
source "$(dirname "$0")/lib.sh"
need python3
cd "$tmp" || exit 1

# pick MODULES: the first interpreter that imports MODULES: the one the
# tests use ($CADENCE_TEST_PYTHON, python3), or Debian's, which has
# python3-yaml and python3-jsonschema where a version manager's may not
pick() {
	local p
	for p in "${CADENCE_TEST_PYTHON:-}" "$(python3_path)" /usr/bin/python3; do
		[[ -x $p ]] && "$p" -c "import $1" 2>/dev/null && { echo "$p"; return; }
	done
	return 1
}
# one interpreter for all: one with jsonschema too (argo_check.py's
# checks), else one with yaml alone (those checks skipped, below)
if py=$(pick "yaml, jsonschema"); then
	pyjs=$py
elif ! py=$(pick yaml); then
	echo "skip - all: no python3 with the module yaml (scripts/install-deps.sh installs it)"
	exit 77
fi
# py_serve starts python3: the interpreter picked
python3() { "$py" "$@"; }

fix=$src/tests/export/fixtures
schema=${CADENCE_ARGO_SCHEMA:-$src/../shared/schemas/argo-workflows-schema.json}

# One python3 for the script (py_serve; a start costs a tenth of a second,
# and the script made a hundred), argo_exec.py and argo_check.py imported
# into it, their main() called as a run of the file would:
#   exec ARGS...          argo_exec.py ARGS (its summary kept for `is`)
#   is PYEXPR             PYEXPR over the last summary (d), printed
#   mutate IN OUT CODE    OUT, the manifest IN (YAML) changed by the python
#                         in the file CODE on d, as JSON
#   check ARGS...         argo_check.py ARGS
#   py CODE ARG...        CODE run with sys.argv ["-c", ARG...], as python3 -c
IFS= read -r -d '' py_code <<'PY'
import contextlib, io, json, sys, yaml
import argo_exec
last = [""]
def main(argv):
    op, args = argv[0], argv[1:]
    if op == "exec":
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = argo_exec.main(args)
        last[0] = buf.getvalue()
        sys.stdout.write(last[0])
        return rc
    if op == "is":
        try:
            d = json.loads(last[0])
            print(eval(args[0]))
        except Exception as e:
            print("%s: %s" % (type(e).__name__, e))
        return 0
    if op == "mutate":
        with open(args[0]) as f:
            d = yaml.safe_load(f)
        with open(args[2]) as f:
            exec(f.read(), {"d": d})
        with open(args[1], "w") as f:
            json.dump(d, f)
        return 0
    if op == "check":
        import argo_check
        return argo_check.main(args)
    if op == "py":
        sys.argv = ["-c"] + args[1:]
        exec(args[0], {"__name__": "__main__"})
        return 0
    return 2
PY
PYTHONPATH=$src/tests/export${PYTHONPATH:+:$PYTHONPATH} py_serve yaml argo_exec -- "$py_code"

# argo MANIFEST [ARGS...]: argo_exec.py in a new working directory $wd
n=0
argo() {
	n=$((n + 1))
	wd=$tmp/wd$n
	mkdir -p "$wd"
	run py_call exec "$1" --workdir "$wd" "${@:2}"
}
# is PYEXPR WANT: PYEXPR over the last summary (d) prints WANT
is() {
	local got
	got=$(py_call is "$1" 2>&1)
	[[ $got == "$2" ]] || { echo "  $1: '$got', expected '$2'"; return 1; }
}
# mutate IN OUT PYCODE: OUT, the manifest IN (YAML) changed by PYCODE on d, as JSON
mutate() {
	printf '%s' "$3" >"$tmp/mutate.py"
	py_call mutate "$1" "$2" "$tmp/mutate.py"
}

# ---- depends and the DAG's phase ------------------------------------------------------
argo "$fix/fallback.yaml"
expect "fallback: exit 0 with a summary" 0 '"phase"'
assert "a failed task whose dependant depends on its .Failed: the fallback runs, the workflow succeeds" \
	is '[d["phase"], d["nodes"]["main.a"], d["nodes"]["main.a-fallback"], d["nodes"]["main.b"]]' \
	"['Succeeded', 'Failed', 'Succeeded', 'Succeeded']"
argo "$fix/fallback.yaml" --param fb=1
assert "the fallback fails too: b is Omitted and the workflow Failed" \
	is '[d["phase"], d["nodes"]["main.b"], d["nodes"]["main"]]' "['Failed', 'Omitted', 'Failed']"
argo "$fix/fallback.yaml" --param go=no
assert "a leaf Skipped by its when after a failed parent fails the DAG (assessDAGPhase)" \
	is '[d["phase"], d["nodes"]["main.a-fallback"], d["nodes"]["main.b"]]' \
	"['Failed', 'Succeeded', 'Skipped']"
# bare TASK is (TASK.Succeeded || TASK.Skipped || TASK.Daemoned); a leaf
# Omitted under a Skipped task, whose branch succeeded, leaves the DAG Succeeded
mutate "$fix/fallback.yaml" bare.json '
d["spec"]["templates"][0]["dag"]["tasks"] = [
  {"name": "s", "template": "run", "when": "no == yes", "arguments": {"parameters": [{"name": "code", "value": "0"}]}},
  {"name": "t", "template": "run", "depends": "s", "arguments": {"parameters": [{"name": "code", "value": "0"}]}},
  {"name": "u", "template": "run", "depends": "s.Succeeded", "arguments": {"parameters": [{"name": "code", "value": "0"}]}},
  {"name": "v", "template": "run", "depends": "(s.Skipped && !t.Failed) || u.Omitted", "arguments": {"parameters": [{"name": "code", "value": "0"}]}}]'
argo bare.json
assert "bare 'depends: s' runs after a Skipped s; s.Succeeded is Omitted; ! and ()" \
	is '[d["phase"], d["nodes"]["main.s"], d["nodes"]["main.t"], d["nodes"]["main.u"], d["nodes"]["main.v"]]' \
	"['Succeeded', 'Skipped', 'Succeeded', 'Omitted', 'Succeeded']"
mutate "$fix/fallback.yaml" deps.json '
for t in d["spec"]["templates"][0]["dag"]["tasks"]:
    t.pop("depends", None)
    t.pop("when", None)
d["spec"]["templates"][0]["dag"]["tasks"][1]["dependencies"] = ["a"]'
argo deps.json
assert "dependencies: [a] after a failed a: Omitted, and the DAG Failed" \
	is '[d["phase"], d["nodes"]["main.a-fallback"], d["nodes"]["main.b"]]' \
	"['Failed', 'Omitted', 'Succeeded']"

# ---- retries and deadlines -------------------------------------------------------------
argo "$fix/retry.yaml"
assert "fails twice, limit 2: the third attempt succeeds" \
	is '[d["phase"], d["attempts"]["main.flaky"]]' "['Succeeded', 3]"
assert "... three processes ran" test "$(<"$wd/count")" = 3
mutate "$fix/retry.yaml" retry1.json 'd["spec"]["templates"][1]["retryStrategy"]["limit"] = "1"'
argo retry1.json
assert "limit 1: two attempts, Failed" is '[d["phase"], d["attempts"]["main.flaky"]]' "['Failed', 2]"
mutate "$fix/retry.yaml" onerror.json 'd["spec"]["templates"][1]["retryStrategy"]["retryPolicy"] = "OnError"'
argo onerror.json
assert "retryPolicy OnError does not retry a Failed attempt" \
	is '[d["phase"], d["attempts"]["main.flaky"]]' "['Failed', 1]"
mutate "$fix/retry.yaml" expr.json '
d["spec"]["arguments"] = {"parameters": [{"name": "code", "value": "1"}]}
t = d["spec"]["templates"][1]
t["retryStrategy"]["expression"] = "asInt(lastRetry.exitCode) == 1 && lastRetry.status == \"Failed\""
t["container"]["args"] = ["n=$(cat count 2>/dev/null || echo 0); n=$((n + 1)); echo \"$n\" >count; [ \"$n\" -gt 2 ] || exit {{workflow.parameters.code}}"]'
argo expr.json
assert "retryStrategy.expression true (exit code 1): retried" \
	is '[d["phase"], d["attempts"]["main.flaky"]]' "['Succeeded', 3]"
argo expr.json --param code=3
assert "... false (exit code 3): not retried" is '[d["phase"], d["attempts"]["main.flaky"]]' "['Failed', 1]"
mutate expr.json expr2.json 'del d["spec"]["templates"][1]["retryStrategy"]["retryPolicy"]
d["spec"]["templates"][1]["retryStrategy"]["expression"] = "asInt(lastRetry.exitCode) >= 3"'
argo expr2.json --param code=3
assert "... alone, without a retryPolicy, it decides" \
	is '[d["phase"], d["attempts"]["main.flaky"]]' "['Succeeded', 3]"
start=$SECONDS
argo "$fix/deadline.yaml"
assert "activeDeadlineSeconds: the pod is killed, Failed" \
	is '[d["phase"], d["nodes"]["main.slow"], "deadline" in d["messages"]["main.slow"]]' \
	"['Failed', 'Failed', True]"
assert "... well before the process would have ended (30 s)" test $((SECONDS - start)) -lt 20

# ---- when, conditional artifacts, global outputs ---------------------------------------
argo "$fix/coinflip.yaml"
assert "when: tails is Skipped; fromExpression picks heads' artifact, a global output" \
	is '[d["phase"], d["nodes"]["main.tails"], d["outputs"]["artifacts"]["result"]]' \
	"['Succeeded', 'Skipped', 'it was heads']"
argo "$fix/coinflip.yaml" --param side=tails
assert "... and tails' when the coin says tails" \
	is '[d["nodes"]["main.heads"], d["outputs"]["artifacts"]["result"]]' \
	"['Skipped', 'it was tails']"
mutate "$fix/fallback.yaml" hyphen.json '
d["spec"]["templates"][0]["dag"]["tasks"][2]["when"] = "{{workflow.parameters.go}} == fallback-used"'
argo hyphen.json
assert "a when govaluate cannot read (a bare word with '-') is an Error of the task" \
	is '[d["phase"], d["nodes"]["main.b"]]' "['Error', 'Error']"

# ---- artifacts through the DAG, onExit, workflow.status -------------------------------
argo "$fix/onexit.yaml"
assert "artifacts passed between pods; the last globalName wins; onExit's task Skipped" \
	is '[d["phase"], d["outputs"]["artifacts"]["score"], d["nodes"]["onExit.report"]]' \
	"['Succeeded', {'n': 1, 'm': 2}, 'Skipped']"
assert "... the exit handler did not run its container" test ! -e "$wd/status"
argo "$fix/onexit.yaml" --param fail=3
assert "a failed step: the workflow Failed, the exit handler runs" \
	is '[d["phase"], d["nodes"]["main.boom"], d["nodes"]["onExit.report"]]' \
	"['Failed', 'Failed', 'Succeeded']"
assert "... with {{workflow.status}} = Failed" test "$(<"$wd/status")" = Failed
assert "... {{workflow.failures}}: a JSON list naming the failed node" \
	py_call py 'import json, sys; f = json.load(open(sys.argv[1])); assert [x["displayName"] for x in f if x["phase"] == "Failed"][0] == "boom"' "$wd/failures.json"
assert "... and {{workflow.outputs.artifacts.score}}" \
	py_call py 'import json, sys; assert json.load(open(sys.argv[1])) == {"n": 1, "m": 2}' "$wd/exit-score.json"
mutate "$fix/onexit.yaml" exitfail.json '
t = d["spec"]["templates"]
t[-2]["dag"]["tasks"][0]["when"] = "{{workflow.status}} == Succeeded"
t[-1]["container"]["command"] = ["false"]'
argo exitfail.json
assert "an exit handler that fails turns a Succeeded workflow Failed" \
	is '[d["phase"], d["nodes"]["main"], d["nodes"]["onExit"]]' "['Failed', 'Succeeded', 'Failed']"

argo "$fix/nested.yaml"
assert "a nested DAG gated by a when: its tasks run, its output artifact (from) feeds the next" \
	is '[d["phase"], d["nodes"]["main.measures.m1"], d["outputs"]["artifacts"]["score"]]' \
	"['Succeeded', 'Succeeded', {'n': 1, 'm0': True, 'm1': True, 'last': True}]"
argo "$fix/nested.yaml" --param ok=no
assert "... Skipped by its when: what depends on its .Succeeded is Omitted, the DAG Succeeded" \
	is '[d["phase"], d["nodes"]["main.measures"], d["nodes"]["main.last"], "main.measures.m0" in d["nodes"]]' \
	"['Succeeded', 'Skipped', 'Omitted', False]"

# ---- WorkflowTemplate and CronWorkflow: their workflow spec runs ------------------------
mutate "$fix/fallback.yaml" wftmpl.json 'd["kind"] = "WorkflowTemplate"; d["metadata"] = {"name": "fallback"}'
argo wftmpl.json
assert "a WorkflowTemplate runs its spec" is '[d["phase"], d["nodes"]["main.b"]]' "['Succeeded', 'Succeeded']"
mutate "$fix/fallback.yaml" cron.json '
d["kind"] = "CronWorkflow"; d["metadata"] = {"name": "fallback"}
d["spec"] = {"schedules": ["0 3 * * *"], "concurrencyPolicy": "Forbid", "workflowSpec": d["spec"]}'
argo cron.json --param fb=1
assert "a CronWorkflow runs its spec.workflowSpec" is '[d["phase"], d["nodes"]["main.b"]]' "['Failed', 'Omitted']"

# ---- --mount, env, workingDir ----------------------------------------------------------
mkdir -p app
printf 'hello from the image\n' >app/greeting
mutate "$fix/retry.yaml" mount.json '
d["spec"]["arguments"] = {"parameters": [{"name": "who", "value": "Ada"}]}
d["spec"]["templates"][1] = {"name": "flaky", "container": {"image": "x",
  "command": ["sh", "-c", "cat \"$1\" >here; printf %s \"$WHO\" >>here", "sh", "/app/greeting"],
  "env": [{"name": "WHO", "value": "{{workflow.parameters.who}}"}], "workingDir": "sub"}}'
argo mount.json --mount "/app=$tmp/app" --param who=Bo
assert "--mount maps an image path; env is substituted; a relative workingDir is under --workdir" \
	test "$(cat "$wd/sub/here")" = "hello from the image
Bo"
# a host file under /tmp is read where it is; a scratch path beside a
# declared one, and any other /tmp path, stay in the pod
scratch=/tmp/cadence-argo-harness-$$
mutate "$fix/retry.yaml" paths.json "
d['spec']['templates'][1] = {'name': 'flaky', 'container': {'image': 'x',
  'command': ['sh', '-c', 'cp \"\$1\" \"\$2\"; cp \"\$1\" \"\$3\"; cp \"\$1\" \"\$4\"', 'sh',
    '$tmp/app/greeting', '/tmp/cadence/out.json', '/tmp/cadence/extra', '$scratch']},
  'outputs': {'artifacts': [{'name': 'score', 'path': '/tmp/cadence/out.json', 'globalName': 'g'}]}}"
argo paths.json
assert "a host file under /tmp is read in place; scratch paths stay in the pod" \
	is '[d["phase"], d["outputs"]["artifacts"]["g"]]' "['Succeeded', 'hello from the image\\n']"
assert "... nothing written on the host's /tmp" test ! -e "$scratch" -a ! -e /tmp/cadence/extra
argo mount.json --mount "app=$tmp/app"
expect "--mount of a relative container path: exit 2" 2 '' "--mount 'app="

# ---- cadence as the command -----------------------------------------------------------
mutate "$fix/retry.yaml" cadence.json '
d["spec"]["templates"][1] = {"name": "flaky", "container": {"image": "x", "command": ["cadence", "--version"]}}'
argo cadence.json --cadence "$cadence"
assert "'cadence' as the first word runs --cadence" is 'd["phase"]' Succeeded
argo cadence.json
expect "... and without --cadence: exit 2" 2 '' 'pass --cadence'

# ---- what the harness refuses ---------------------------------------------------------
argo "$fix/unknown-field.yaml"
expect "an unsupported field: exit 2, naming it" 2 '' 'tasks\[0\]\.withItems: field not supported'
mutate "$fix/retry.yaml" typo.json 'd["spec"]["templates"][1]["retryStrategy"]["limt"] = "3"'
argo typo.json
expect "a misspelt field: exit 2, naming it" 2 '' 'retryStrategy\.limt: field not supported'
argo "$fix/fromexpr-argument.yaml"
expect "fromExpression alone in a task's arguments (Argo rejects it): exit 2" 2 '' \
	"from, artifact location, or key is required"
argo "$fix/fallback.yaml" --param nope=1
expect "--param of an undeclared parameter: exit 2" 2 '' "declares no parameter 'nope'"
run py_call exec "$fix/fallback.yaml"
expect "no --workdir: exit 2" 2

# ---- argo_check.py ----------------------------------------------------------------------
if [[ ! -f $schema ]]; then
	skip "argo_check.py" "Argo's JSON Schema is not at $schema (set CADENCE_ARGO_SCHEMA)"
	finish
	exit
fi
if [[ -z ${pyjs:-} ]]; then
	skip "argo_check.py" "no python3 with the modules yaml and jsonschema"
	finish
	exit
fi
# check NAME FILE PATTERN: argo_check.py fails FILE (status 1) with PATTERN on stderr
check() {
	run py_call check --schema "$schema" "$2"
	expect "$1" 1 '' "$3"
}
good=("$fix/fallback.yaml" "$fix/retry.yaml" "$fix/deadline.yaml" "$fix/coinflip.yaml"
	"$fix/onexit.yaml" "$fix/nested.yaml" "$fix/unknown-field.yaml")
run py_call check --schema "$schema" "${good[@]}"
expect "the fixtures pass the schema and the own checks" 0 'onexit.yaml: ok'
run py_call check --schema "$schema" wftmpl.json cron.json
expect "... as a WorkflowTemplate and a CronWorkflow" 0 'cron.json: ok'
mutate "$fix/fallback.yaml" f0.json '
d["kind"] = "CronWorkflow"; d["metadata"] = {"name": "fallback"}
d["spec"] = {"schedules": ["0 3 * * *"], "workflowSpec": d["spec"]}
d["spec"]["workflowSpec"]["templates"][0]["dag"]["tasks"][2]["depends"] = "a.Succeeded || gone.Succeeded"'
check "... a CronWorkflow's workflowSpec gets the own checks" f0.json \
	"f0.json: \\\$\.spec\.workflowSpec\.templates\[0\]\.dag\.tasks\[2\]\.depends: task 'b' depends on 'gone'"
mutate "$fix/fallback.yaml" f00.json 'd["kind"] = "CronWorkflow"'
check "... and the schema of its kind (a CronWorkflow needs spec.workflowSpec)" f00.json \
	"CronWorkflow\): 'workflowSpec' is a required property"
check "fromExpression alone in a task's arguments" "$fix/fromexpr-argument.yaml" \
	'tasks\[1\]\.arguments\.artifacts\[0\]: .fromExpression. alone is rejected'
mutate "$fix/fallback.yaml" f1.json 'd["spec"]["templates"][0]["dag"]["tasks"][1]["depends"] = "nosuch.Failed"'
check "a depends on no task of the DAG" f1.json \
	"f1.json: \\\$\.spec\.templates\[0\]\.dag\.tasks\[1\]\.depends: task 'a-fallback' depends on 'nosuch', which is no task"
mutate "$fix/fallback.yaml" f1b.json 'd["spec"]["templates"][0]["dag"]["tasks"][1]["depends"] = "a.Finished"'
check "a depends on an unknown task result" f1b.json \
	"tasks\[1\]\.depends: 'a.Finished': unknown task result 'Finished'"
mutate "$fix/fallback.yaml" f2.json 'd["spec"]["templates"][0]["dag"]["tasks"][0]["name"] = "a_1"'
check "a task name with '_'" f2.json "tasks\[0\]\.name: task name 'a_1' is invalid"
mutate "$fix/fallback.yaml" f3.json 'd["spec"]["templates"][0]["dag"]["tasks"][2]["template"] = "nosuch"'
check "a task's template that does not exist" f3.json \
	"tasks\[2\]\.template: template 'nosuch' names no template"
mutate "$fix/fallback.yaml" f4.json 'd["spec"]["onExit"] = "gone"'
check "an onExit that names no template" f4.json "\.spec\.onExit: onExit 'gone' names no template"
mutate "$fix/fallback.yaml" f5.json 'd["spec"]["templates"][0]["dag"]["tasks"][1]["name"] = "a"'
check "a task name twice" f5.json "tasks\[1\]\.name: task name 'a' is not unique"
mutate "$fix/coinflip.yaml" f6.json 'del d["spec"]["templates"][0]["dag"]["tasks"][1]["depends"]'
check "{{tasks.X...}} in a task that does not depend on X" f6.json \
	"tasks\[1\]\.when: refers to task 'flip-coin', which task 'heads' does not depend on"
mutate "$fix/onexit.yaml" f7.json 'd["spec"]["arguments"]["artifacts"][0]["raw"]["data"] = "x" * 1048576'
check "a manifest over 1 MiB" f7.json 'f7.json: \$: the manifest is [0-9]+ bytes as JSON, over'
mutate "$fix/deadline.yaml" f8.json 'd["spec"]["templates"][1]["activeDeadlineSeconds"] = 1'
check "the schema: activeDeadlineSeconds as a number (IntOrString is a string there)" f8.json \
	"templates\[1\]\.activeDeadlineSeconds: schema .*1 is not of type 'string'"
mutate "$fix/fallback.yaml" f9.json '
d["spec"]["templates"][0]["dag"]["tasks"][2]["dependencies"] = ["a"]'
check "depends and dependencies in one DAG" f9.json "uses both 'depends' and 'dependencies'"
mutate "$fix/fallback.yaml" f10.json 'd["spec"]["templates"][0]["dag"]["tasks"][0]["templateRef"] = {"name": "x", "template": "y"}'
check "templateRef: unsupported" f10.json "tasks\[0\]\.templateRef: templateRef is not supported"
run py_call check --schema "$schema"
expect "argo_check.py without a manifest: exit 2" 2
run py_call check --schema "$schema" "$tmp/none.yaml"
expect "argo_check.py on a missing file: exit 2" 2 '' 'none.yaml: cannot read'

finish
