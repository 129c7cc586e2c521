#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 20's equivalence: an exported Argo Workflow, run by a local
# executor of Argo's DAG semantics (tests/export/argo_exec.py: order,
# depends, when, retryStrategy, artifacts as files, each container's
# command as a process), gives the final score `cadence run` gives, for
# every example and for generated cadences with every measure kind
# (tests/export/gen_cadences.py), with notes that fail and are retried,
# fall back, or fail the run, an on_error handler and a precheck.  A run
# that fails is a workflow that fails, and the handler saw the same score.
source "$(dirname "$0")/lib.sh"
notes=${CADENCE_EXAMPLE_NOTES:?the test needs CADENCE_EXAMPLE_NOTES (tests/run.cmake sets it)}

# One python3 for the script (py_serve), the executor and the generator
# imported into it (each python3 start costs a tenth of a second, and the
# script made three a cadence):
#   exec MANIFEST ARGS...   tests/export/argo_exec.py's main, in-process
#   reset DIR               DIR/counters and DIR/seen, empty
#   keep DIR COPY           a copy of DIR/seen (what the handler saw) at COPY
#   patch MANIFEST SCORE    the manifest's input artifact: SCORE's bytes
#   gen DIR COUNT SEED      tests/export/gen_cadences.py's main
#   same STATUS ...         exits 0 when the run's JSON (stdout of cadence
#                           run, in $tmp/run.out) and the workflow's (the
#                           executor's summary) agree
PYTHONPATH=$src/tests/export${PYTHONPATH:+:$PYTHONPATH} py_serve yaml argo_exec gen_cadences -- '
import json, os, shutil
import argo_exec, gen_cadences
def main(argv):
    if argv[0] == "exec":
        return argo_exec.main(argv[1:])
    if argv[0] == "gen":
        return gen_cadences.main(argv)
    if argv[0] == "reset":     # DIR/counters and DIR/seen, empty
        for sub in ("counters", "seen"):
            shutil.rmtree(os.path.join(argv[1], sub), ignore_errors=True)
            os.makedirs(os.path.join(argv[1], sub))
        return 0
    if argv[0] == "keep":      # a copy of DIR/seen, what the handler saw, at COPY
        shutil.rmtree(argv[2], ignore_errors=True)
        shutil.copytree(os.path.join(argv[1], "seen"), argv[2])
        return 0
    if argv[0] == "kinds":     # the case kinds gen_cadences.py made, in DIR/g*.cadence.yaml
        import glob, re
        got = set()
        for f in glob.glob(os.path.join(argv[1], "g*.cadence.yaml")):
            with open(f) as c:
                t = c.read()
            got |= {"measure " + m for m in re.findall(r"^  - (\w+):", t, re.M)}
            for kind, body in re.findall(r"^  (inc|tag|scalar|shell|flaky|stop|bad)_\d+: (.*)$", t, re.M):
                if kind in ("flaky", "bad"):
                    kind += " with a fallback" if "fallback" in body else " without one"
                got.add("note " + kind)
            got |= {k for k in ("precheck", "on_error") if "\n%s:" % k in t}
        print(", ".join(sorted(got)))
        return 0
    if argv[0] == "patch":
        with open(argv[1]) as f:
            m = json.load(f)
        with open(argv[2]) as f:
            m["spec"]["arguments"]["artifacts"][0]["raw"]["data"] = f.read()
        with open(argv[1], "w") as f:
            json.dump(m, f)
        return 0
    _, status, run_out, summary, seen_run, seen_argo, handled = argv
    with open(summary) as f:
        s = json.load(f)
    phase = s["phase"]
    want = "Succeeded" if status in ("0", "5") else "Failed"
    if phase != want:
        print("run exit %s, workflow %s (nodes: %s)" % (status, phase, s["nodes"]))
        return 1
    if want == "Succeeded":
        with open(run_out) as f:
            r = json.load(f)
        a = s["outputs"]["artifacts"].get("score")
        a = json.loads(a) if isinstance(a, str) else a
        if r != a:
            print("scores differ:\n  run:  %s\n  argo: %s" % (json.dumps(r, sort_keys=True),
                                                          json.dumps(a, sort_keys=True)))
            return 1
    names = sorted(n for n in os.listdir(seen_run) if n.endswith(".json"))
    if names != sorted(n for n in os.listdir(seen_argo) if n.endswith(".json")):
        print("the on_error handler ran in one and not the other")
        return 1
    for n in names:
        with open(os.path.join(seen_run, n)) as f, open(os.path.join(seen_argo, n)) as g:
            seen = json.load(f)
            if seen != json.load(g):
                print("the on_error handler saw another score")
                return 1
        # the workflow ends with the score the handler left: what it saw,
        # with its change (the generated handler sets msg)
        a = s["outputs"]["artifacts"].get("score")
        a = json.loads(a) if isinstance(a, str) else a
        if handled == "yes" and want == "Failed" and a != dict(seen, msg="handled"):
            print("after the handler the workflow has %s, not %s" % (a, dict(seen, msg="handled")))
            return 1
    return 0
'

# equiv NAME DIR FILE SCORE_FILE [--plugin P]: run and export FILE (relative
# to DIR, where both run), compare; handled=yes: the on_error handler is a
# generated one, which sets msg
handled=no
equiv() {
	local name=$1 dir=$2 file=$3 score=$4
	shift 4
	# (the files in the server: a rm, mkdir or cp costs a process, and
	# each cadence made eight)
	py_call reset "$dir"
	run_in "$dir" "$cadence_again" run -c --score-file "$score" "$@" "$file"
	local rstatus=$status
	printf '%s\n' "$out" >"$tmp/run.out"
	py_call keep "$dir" "$tmp/seen.run"
	if [[ $handled == yes ]]; then
		outcomes[$rstatus]=1
		! compgen -G "$tmp/seen.run/*.json" >/dev/null || outcomes[handled]=1
	fi
	py_call reset "$dir"
	run_in "$dir" "$cadence" export argo -f json -o "$tmp/m.json" "$@" "$file"
	if [[ $status != 0 ]]; then
		fail "$name: export (exit $status): $err"
		return
	fi
	py_call patch "$tmp/m.json" "$score"
	# the steps: cli/step runs their modes under valgrind, so here the
	# binary itself ($cadence_again) runs the dozens each workflow starts
	run py_call exec "$tmp/m.json" --workdir "$dir" --cadence "$cadence_again"
	if [[ $status != 0 ]]; then
		fail "$name: the executor failed (exit $status): $err"
		return
	fi
	printf '%s\n' "$out" >"$tmp/summary.json"
	py_call keep "$dir" "$tmp/seen.argo"
	run py_call same "$rstatus" "$tmp/run.out" "$tmp/summary.json" "$tmp/seen.run" "$tmp/seen.argo" \
		"$handled"
	expect "$name: the workflow's final score is the run's (run exit $rstatus)" 0
}

# ---- the examples (a copy: the counters and what handlers saw go beside them) ----

w=$tmp/w
mkdir -p "$w/tests/export"
cp -r "$src/examples" "$w/"
cp -r "$src/tests/export/fixtures" "$w/tests/export/"

printf '%s' '{"name": "Ada"}' >"$tmp/hello.json"
equiv "examples/hello" "$w" examples/hello/hello.cadence.yaml "$tmp/hello.json"
for s in '{"order_id": "gold-17"}' '{"order_id": "gold-17-big"}' '{"order_id": "fail-3"}'; do
	printf '%s' "$s" >"$tmp/co.json"
	equiv "examples/checkout $s" "$w" examples/checkout/checkout.cadence.yaml "$tmp/co.json" \
		--plugin "$notes"
done
printf '%s' '{"order_id": "o-1", "amount": 12.5}' >"$tmp/pay.json"
equiv "examples/checkout/payment" "$w" examples/checkout/payment.cadence.yaml "$tmp/pay.json" \
	--plugin "$notes"
printf '%s' '{"region": "north"}' >"$tmp/sales.json"
equiv "examples/dag" "$w" examples/dag/sales.cadence.yaml "$tmp/sales.json"
for s in '{}' '{"n": 7}' '{"n": -1}'; do
	printf '%s' "$s" >"$tmp/every.json"
	equiv "fixture every_kind $s" "$w" tests/export/fixtures/every.cadence.yaml "$tmp/every.json"
done
printf '{}' >"$tmp/empty.json"
equiv "a note that times out is retried (the step keeps its timeout)" "$w" \
	tests/export/fixtures/timeout.cadence.yaml "$tmp/empty.json"

# ---- generated cadences: every measure kind, failures, fallbacks, on_error ----

# 40 of them.  The first 24 of seed 20 already hold every case kind
# gen_cadences.py makes and every outcome of a run, but not every case of
# a note: an off-by-one retry limit in the export (limit = attempts) is
# caught only by g027, a flaky note that runs out of its attempts and falls
# back.  The two checks below say that the set holds every kind and every
# outcome, and fail if a change of the generator loses one.
gen=$tmp/gen
handled=yes
declare -A outcomes=()
count=$(sampled 40 6)
py_call gen "$gen" "$count" 20
for ((i = 0; i < count; i++)); do
	printf -v g 'g%03d' "$i"
	equiv "generated $g" "$gen" "$g.cadence.yaml" "$gen/$g.score.json"
done
if ((count == 40)); then
	assert "the generated cadences hold every case kind" test "$(py_call kinds "$gen")" = \
		"measure child, measure dag, measure sequence, measure split, measure sync, measure then, note bad with a fallback, note bad without one, note flaky with a fallback, note flaky without one, note inc, note scalar, note shell, note stop, note tag, on_error, precheck"
	assert "... and every outcome: success, failure, failure with the handler, the precheck false" \
		test "${outcomes[0]:-}${outcomes[1]:-}${outcomes[handled]:-}${outcomes[5]:-}" = 1111
fi

finish
