#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence export n8n (issue 20, point 3; docs/export.md, "n8n"): the
# workflow's graph (then and sequence chained, a sync's notes parallel
# branches joined by a Merge node, a Merge at every join, positions by
# depth and branch), the node settings (retry clamped with a positioned
# warning, fallback on the error output), the Schedule Trigger, the same
# bytes every time; hostile descriptions, paths and names cannot inject
# into the shell or n8n's expressions (each command is run with a fake
# cadence that records its argv); every bad input; and every workflow,
# examples included, passes n8n's own structure check
# (safeParseWorkflowStructure of n8n-workflow, tests/n8n; in the plain
# build: under valgrind and in a sanitizer build the exports are the same
# bytes, and those checks print a skip line).
source "$(dirname "$0")/lib.sh"

cd "$tmp" || exit 1

# One python3 for every check in python (py_serve): `py_call OP ARG...`.
# An ARG that may hold a newline (the hostile paths) goes through a file:
# `py_args OP ARG...` (lib.sh).  The ops, over a workflow FILE:
#   graph FILE    the structure every export must have, as "ok"/"bad: ..."
#                 lines: names and ids unique, ids UUID-shaped, every
#                 connection between existing nodes, a node with inputs
#                 from two places is a Merge node with one connection per
#                 input (numberInputs), every edge goes right (x grows with
#                 depth), every Execute Command node runs once with one
#                 expression, the execution's id
#   edges FILE    "FROM -> TO:INPUT" lines (FROM:1 for an error output), sorted
#   cmds FILE     each node's ["NAME","COMMAND"], the command as n8n runs it
#                 for execution 42 (the '=' dropped, the expression evaluated)
#   scripts FILE DIR   the same commands, one file each, DIR/NNN.sh
#   calls LOG     the argv the fake cadence recorded, a JSON list a line, sorted
#   sim FILE ID   the workflow run as n8n runs it (see below): the final score
#   norm FILE     a JSON file as sorted JSON on one line
IFS= read -r -d '' py_code <<'PY'
import json, re, subprocess, sys

def load(p):
    with open(p, encoding="utf-8") as f:
        return json.load(f)

def by_name(p):
    return {n["name"]: n for n in load(p)["nodes"]}

def graph(p):
    w = load(p)
    bad = []
    names = [n["name"] for n in w["nodes"]]
    by = {n["name"]: n for n in w["nodes"]}
    if len(set(names)) != len(names): bad.append("duplicate names")
    ids = [n["id"] for n in w["nodes"]]
    if len(set(ids)) != len(ids): bad.append("duplicate ids")
    if not all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i) for i in ids):
        bad.append("an id not UUID-shaped")
    ins = {}
    for src, c in w["connections"].items():
        if src not in by: bad.append("source %r" % src)
        for out, bucket in enumerate(c["main"]):
            for e in bucket:
                if e["node"] not in by: bad.append("target %r" % e["node"]); continue
                ins.setdefault(e["node"], []).append(e["index"])
                if by[e["node"]]["position"][0] <= by[src]["position"][0]:
                    bad.append("edge %r -> %r goes left" % (src, e["node"]))
    for name, idx in ins.items():
        n = by[name]
        if len(idx) > 1:
            if n["type"] != "n8n-nodes-base.merge": bad.append("%r joins %d without a Merge" % (name, len(idx)))
            elif sorted(idx) != list(range(n["parameters"]["numberInputs"])):
                bad.append("%r inputs %r" % (name, idx))
        elif n["type"] == "n8n-nodes-base.merge": bad.append("Merge %r with one input" % name)
        elif idx != [0]: bad.append("%r input %r" % (name, idx))
    for n in w["nodes"]:
        if n["type"].endswith("Trigger"):
            if n["name"] in ins: bad.append("trigger with an input")
            continue
        if n["name"] not in ins: bad.append("%r has no input" % n["name"])
        if n["type"] == "n8n-nodes-base.executeCommand":
            p = n["parameters"]
            if p.get("executeOnce") is not True or n.get("executeOnce") is not True:
                bad.append("%r not executeOnce" % n["name"])
            if not p["command"].startswith("=") or p["command"].count("{{") != 1 or \
               p["command"].count("{{ $execution.id }}") != 1 or p["command"].count("}}") != 1:
                bad.append("%r: expressions in %r" % (n["name"], p["command"]))
    if w.get("settings", {}).get("executionOrder") != "v1": bad.append("not executionOrder v1")
    print("\n".join("bad: " + b for b in bad) or "ok")

def edges(p):
    w = load(p)
    lines = []
    for src, c in w["connections"].items():
        for out, bucket in enumerate(c["main"]):
            for e in bucket:
                lines.append("%s%s -> %s:%d" % (src, ":1" if out else "", e["node"], e["index"]))
    print("\n".join(sorted(lines)))

def commands(p):
    return [(n["name"], n["parameters"]["command"][1:].replace("{{ $execution.id }}", "42"))
            for n in load(p)["nodes"] if n["parameters"].get("command") is not None]

def cmds(p):
    for c in commands(p):
        print(json.dumps(list(c), separators=(",", ":"), ensure_ascii=False))

def scripts(p, d):
    for i, (_, c) in enumerate(commands(p)):
        with open("%s/%03d.sh" % (d, i), "w", encoding="utf-8") as f:
            f.write(c + "\n")

def recorded(log):
    # the fake cadence's log: the count of arguments, then each, NUL-ended
    parts = open(log, encoding="utf-8").read().split("\0")
    got, i = [], 0
    while i < len(parts) - 1:
        n = int(parts[i])
        got.append(parts[i + 1:i + 1 + n])
        i += 1 + n
    return got

def calls(log):
    print("\n".join(sorted(json.dumps(c) for c in recorded(log))))

def want_all(f, d):
    calls = [
     ["step", "--precheck", f],
     ["step", "--one-attempt", "--apply", "-o", d + "/m0.json", f, "first"],
     ["step", "--one-attempt", "--score", d + "/m0.json", "-o", d + "/m1-0-pa.json", f, "pa"],
     ["step", "--one-attempt", "--score", d + "/m0.json", "-o", d + "/m1-1-pb.json", f, "pb"],
     ["step", "--fallback", "--score", d + "/m0.json", "-o", d + "/m1-1-pb.json", f, "pb"],
     ["step", "--one-attempt", "--score", d + "/m0.json", "-o", d + "/m1-2-pc.json", f, "pc"],
     ["step", "--merge", "1", "--score", d + "/m0.json", "-o", d + "/m1.json", f,
      d + "/m1-0-pa.json", d + "/m1-1-pb.json", d + "/m1-2-pc.json"],
     ["step", "--one-attempt", "--apply", "--score", d + "/m1.json", "-o", d + "/m2-0-s1.json", f, "s1"],
     ["step", "--one-attempt", "--apply", "--score", d + "/m2-0-s1.json", "-o", d + "/m2-1-s2.json", f, "s2"],
     ["step", "--measure", "3", "--score", d + "/m2-1-s2.json", "-o", d + "/m3.json", f],
     ["step", "--measure", "4", "--score", d + "/m3.json", "-o", d + "/m4.json", f],
     ["step", "--measure", "5", "--score", d + "/m4.json", "-o", d + "/m5.json", f],
    ]
    print("\n".join(sorted(json.dumps(c) for c in calls)))

def positions(p):
    # x by depth (the sync's branches at one depth), y by the order of its notes
    by = {n: x["position"] for n, x in by_name(p).items()}
    a, b, c = by["1 sync: pa"], by["1 sync: pb"], by["1 sync: pc"]
    print(a[0] == b[0] == c[0] and a[1] < b[1] < by["1 sync: pb (fallback)"][1] < c[1])

def settings(p):
    by = by_name(p)
    pa, pb = by["1 sync: pa"], by["1 sync: pb"]
    print(pa.get("retryOnFail"), pa.get("maxTries"), pa.get("waitBetweenTries"), pa.get("onError"),
          pb.get("onError"), pb.get("retryOnFail"),
          by["1 sync (join)"]["parameters"], by["0 then: first"].get("notes"))

def disjoint(a, b):
    print(not ({n["id"] for n in load(a)["nodes"]} & {n["id"] for n in load(b)["nodes"]}))

def merges(p):
    print(sorted(n["parameters"]["numberInputs"] for n in load(p)["nodes"]
                 if n["type"].endswith("merge")))

def trigger(p):
    w = load(p)
    t = w["nodes"][0]
    print(t["type"], t["parameters"]["rule"]["interval"], w["settings"])

def hostile_file(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write("cadence: h\ndescription: %s\nnotes:\n  a: {set: {}, description: %s}\n"
                "measures:\n  - then: a\n" % (json.dumps(text), json.dumps(text)))

def hostile_notes(p, text):
    w = load(p)
    print(w["nodes"][1]["notes"] == text and text not in json.dumps(w["nodes"][1]["parameters"]))

def hostile_calls(log, f, st, pl):
    print(recorded(log) == [["step", "--one-attempt", "--apply", "--plugin", pl, "-o",
                             st + "/42/m0.json", f, "a"]])

def mutate(what, src, dst):
    w = load(src)
    if what == "dup":       # two nodes of one name
        w["nodes"][2]["name"] = w["nodes"][1]["name"]
    else:                   # an expression in a command
        w["nodes"][1]["parameters"]["command"] += " /p/{{ 6 * 7 }}"
    with open(dst, "w") as f:
        json.dump(w, f)

def sim(p, ident):
    # the nodes in n8n's order (by depth, then branch), each run once its
    # input fired (a Merge once any input did), a command by sh for
    # execution ID; a failed command fires its error output when the node
    # continues on error, else the run stops (status 1).  Prints the last
    # command's output: the final score.  (n8n's retries are not run.)
    wf = load(p)
    ins = {}
    for src, c in wf["connections"].items():
        for out, bucket in enumerate(c["main"]):
            for e in bucket:
                ins.setdefault(e["node"], []).append((src, out))
    fired, last = {}, None
    for n in sorted(wf["nodes"], key=lambda n: (n["position"][0], n["position"][1])):
        name = n["name"]
        if n["type"].endswith("Trigger") or n["type"].endswith("merge"):
            if n["type"].endswith("Trigger") or any(o in fired.get(s, ()) for s, o in ins.get(name, [])):
                fired[name] = {0}
            continue
        if not any(o in fired.get(s, ()) for s, o in ins.get(name, [])):
            continue
        cmd = n["parameters"]["command"][1:].replace("{{ $execution.id }}", ident)
        r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)
        if r.returncode == 0:
            fired[name], last = {0}, r.stdout
        elif n.get("onError") == "continueErrorOutput":
            fired[name] = {1}
        else:
            sys.exit("node %r failed (%d): %s" % (name, r.returncode, r.stderr))
    print(json.dumps(json.loads(last), sort_keys=True))

def norm(p):
    print(json.dumps(load(p), sort_keys=True))

OPS = dict(graph=graph, edges=edges, cmds=cmds, scripts=scripts, calls=calls,
           want_all=want_all, positions=positions, settings=settings, disjoint=disjoint,
           merges=merges, trigger=trigger, hostile_file=hostile_file,
           hostile_notes=hostile_notes, hostile_calls=hostile_calls, mutate=mutate, sim=sim,
           norm=norm)

def main(argv):
    return OPS[argv[0]](*argv[1:])
PY
py_serve json -- "$py_code"
graph() { py_call graph "$1"; }

# ---- a cadence of every measure kind ----------------------------------------------
mkdir -p proj
w proj/kid.cadence.yaml 'cadence: kid
score:
  x: {type: integer, default: 0}
notes:
  inc: {set: {x: "score.x + 1"}}
measures:
  - then: inc
'
w proj/all.cadence.yaml 'cadence: all
description: every kind of measure
score:
  n: {type: integer, default: 0}
  a: {type: integer, default: 0}
  b: {type: integer, default: 0}
  c: {type: integer, default: 0}
  r: {type: string, default: ""}
  k: {type: integer, default: 0}
precheck: {when: "score.n >= 0"}
notes:
  first: {set: {n: "score.n + 1"}, description: "the first"}
  pa:
    set: {a: "1"}
    writes: [a]
    retry: {attempts: 9, delay: 10s}
  pb:
    set: {b: "2"}
    writes: [b]
    fallback: {b: 0}
  pc: {set: {c: "3"}, writes: [c]}
  s1: {set: {r: "\"s1\""}}
  s2: {set: {r: "score.r + \"s2\""}}
  yes: {set: {r: "\"yes\""}}
  no: {set: {r: "\"no\""}}
  t1: {set: {k: "1"}, writes: [k]}
  t2: {set: {n: "score.n + 1"}, writes: [n]}
measures:
  - then: first
  - sync: fan
    notes: [pa, pb, pc]
  - sequence: seq
    notes: [s1, s2]
  - split: pick
    when: score.n > 0
    if_true: [yes]
    if_false: [no]
  - child: sub
    cadence: kid
    with: {x: score.k}
    merge: {k: score.x}
  - dag: d
    tasks:
      - task: t1
      - task: t2
        after: [t1]
'
run "$cadence" export n8n proj/all.cadence.yaml
expect "every measure kind exports" 0
printf '%s\n' "$out" >all.json
all_warn=$err

assert "the graph: unique names and ids, a Merge at every join, edges left to right" \
	test "$(graph all.json)" = ok

want_edges='Start -> precheck:0
precheck -> 0 then: first:0
0 then: first -> 1 sync: pa:0
0 then: first -> 1 sync: pb:0
0 then: first -> 1 sync: pc:0
1 sync: pb:1 -> 1 sync: pb (fallback):0
1 sync: pb -> 1 sync: pb (join):0
1 sync: pb (fallback) -> 1 sync: pb (join):1
1 sync: pa -> 1 sync (join):0
1 sync: pb (join) -> 1 sync (join):1
1 sync: pc -> 1 sync (join):2
1 sync (join) -> 1 sync (merge):0
1 sync (merge) -> 2 sequence: s1:0
2 sequence: s1 -> 2 sequence: s2:0
2 sequence: s2 -> 3 split: pick:0
3 split: pick -> 4 child: sub:0
4 child: sub -> 5 dag: d:0
5 dag: d -> score:0'
assert "the edges: a chain, the sync's three branches joined, the fallback on the error output" \
	test "$(py_call edges all.json)" = "$(sort <<<"$want_edges")"

# the positions: x by depth (the sync's branches at one depth), y by the
# order of the sync's notes
assert "the branches of a sync at one depth, in the order of its notes, top to bottom" \
	test "$(py_call positions all.json)" = True

# the node settings: retry clamped, fallback's error output, one Merge
assert "retry clamped to n8n's 5 tries and 5,000 ms; fallback on the error output; a 3-input Merge" \
	test "$(py_call settings all.json)" = "True 5 5000 None continueErrorOutput None {'mode': 'append', 'numberInputs': 3} the first"
assert "the clamps are positioned warnings" has_line \
	"^proj/all\.cadence\.yaml:16:[0-9]+: warning: note 'pa': n8n retries at most 5 times in all: attempts 9 becomes 5 \[export-retry-clamped\]$" "$all_warn"
assert "... the delay too" has_line \
	"^proj/all\.cadence\.yaml:16:[0-9]+: warning: note 'pa': n8n waits at most 5000 ms between tries: delay 10000 ms becomes 5000 \[export-retry-clamped\]$" "$all_warn"

# the commands, run with a fake cadence that records its argv: each calls
# `cadence step` as meant, the score only through files of execution 42.
# A plain sh script (a process per call, no interpreter): the count of its
# arguments, then each, NUL-ended (a hostile path may hold a newline).
mkdir -p fake
cat >fake/cadence <<'SH'
#!/bin/sh
# records its argv, and writes {} to its -o file (the last node cats it)
printf '%s\0' "$#" "$@" >>"$ARGV_LOG"
while [ $# -gt 1 ]; do
	[ "$1" != -o ] || printf '{}' >"$2"
	shift
done
SH
chmod +x fake/cadence
# run_cmds WORKFLOW LOG: every command, in node order, by sh (a command
# that fails is recorded as a call of its own: "failed: N.sh")
run_cmds() {
	local f
	: >"$2"
	rm -rf cmds && mkdir cmds
	py_call scripts "$1" cmds
	for f in cmds/*.sh; do
		PATH=$tmp/fake:$PATH ARGV_LOG=$2 sh "$f" >/dev/null 2>&1 ||
			printf '%s\0' 1 "failed: $f" >>"$2"
	done
}
run_cmds all.json argv.log
f=$tmp/proj/all.cadence.yaml
d=/tmp/cadence-n8n/42
assert "each node calls cadence step as meant, the score through the execution's files" \
	test "$(py_call calls argv.log)" = "$(py_call want_all "$f" "$d")"
assert "the last node prints the final score" has_line \
	'"score","cat -- /tmp/cadence-n8n/\\"42\\"/m5.json"' "$(py_call cmds all.json)"

# ---- the same bytes every time; -o writes them -------------------------------------
run "$cadence" export n8n -o out.json proj/all.cadence.yaml
expect "-o writes the workflow" 0
assert "-o holds what standard output had, byte for byte, twice" cmp -s out.json all.json
# ids follow names: another cadence's nodes have other ids (the export of
# all.cadence.yaml above, under another name: the binary itself)
sed 's/^cadence: all/cadence: other/' proj/all.cadence.yaml >proj/other.cadence.yaml
run "$cadence_again" export n8n -o other.json proj/other.cadence.yaml
assert "another cadence, other ids" test "$(py_call disjoint all.json other.json)" = True

# ---- a sync of 12 notes: Merge nodes of at most 10 inputs, chained ---------------
{
	printf 'cadence: wide\nscore:\n'
	for i in {1..12}; do printf '  f%d: {type: integer, default: 0}\n' "$i"; done
	printf 'notes:\n'
	for i in {1..12}; do printf '  n%d: {set: {f%d: "%d"}, writes: [f%d]}\n' "$i" "$i" "$i" "$i"; done
	printf 'measures:\n  - sync: all12\n    notes: [n1,n2,n3,n4,n5,n6,n7,n8,n9,n10,n11,n12]\n'
} >wide.cadence.yaml
run "$cadence" export n8n -o wide.json wide.cadence.yaml
expect "a sync of 12 notes exports" 0
assert "... its joins are Merge nodes of 10 inputs and 3 (the first's output and the last two)" \
	test "$(graph wide.json) $(py_call merges wide.json)" = "ok [3, 10]"

# ---- the schedule: a Schedule Trigger with its cron, the zone in the settings ------
w sched.cadence.yaml 'cadence: sched
notes:
  a: {set: {}}
measures:
  - then: a
schedule:
  cron: "30 6 * * mon-fri"
  timezone: Europe/Berlin
  overlap: allow
'
run "$cadence" export n8n sched.cadence.yaml
expect "a schedule exports" 0
printf '%s\n' "$out" >sched.json
assert "a Schedule Trigger with the cron expression, the zone in the settings" \
	test "$(py_call trigger sched.json)" = \
	"n8n-nodes-base.scheduleTrigger [{'field': 'cronExpression', 'expression': '30 6 * * mon-fri'}] {'executionOrder': 'v1', 'timezone': 'Europe/Berlin'}"
assert "... with nothing lost: no warning" test -z "$err"
run "$cadence" export n8n --strict sched.cadence.yaml
expect "--strict without a warning writes the workflow" 0 '"name":'

# ---- hostile text: descriptions kept as text, paths quoted ---------------------------
hostile=$'it\'s "q" {{ $env.HOME }} $(touch pwned) `touch pwned2` \\ ; & | \n second line'
hdir=$tmp/$'dir \' " $(touch pwned3) `touch pwned4` ; &\nnl'
mkdir -p "$hdir"
py_args hostile_file "$hdir/h.cadence.yaml" "$hostile"
state=$tmp/$'st \' $(touch pwned5) `touch pwned6`\n'
plugin=$'/opt/p\'l $(touch pwned7)\n.so'
run "$cadence" export n8n --state-dir "$state" --cadence-binary "$tmp/fake/cadence" \
	--plugin "$plugin" "$hdir/h.cadence.yaml"
expect "hostile paths and descriptions export" 0
printf '%s\n' "$out" >h.json
assert "the description is the node's notes, the same string" \
	test "$(py_args hostile_notes h.json "$hostile")" = True
run_cmds h.json h.log
assert "the commands run with exactly the paths as argv, nothing injected" \
	test "$(py_args hostile_calls h.log "$hdir/h.cadence.yaml" "$state" "$plugin")" = True
assert "no command ran what a path or a description held" \
	test -z "$(ls "$tmp"/pwned* "$hdir"/pwned* "$state"/pwned* 2>/dev/null)"
assert "the graph of hostile text is sound" test "$(graph h.json)" = ok

# n8n's expressions: a path that holds "{{" is refused, nothing written
mkdir -p 'ex{{ $env.HOME }}'
cp proj/kid.cadence.yaml 'ex{{ $env.HOME }}/kid.cadence.yaml'
run "$cadence" export n8n -o ex.json 'ex{{ $env.HOME }}/kid.cadence.yaml'
expect "a cadence path with {{ is refused" 2 '' \
	"^cadence: error: the cadence file '.*/ex\{\{ \\\$env\.HOME }}/kid\.cadence\.yaml' holds '\{\{', which n8n reads as an expression in a command; use a path without it; nothing written$"
assert "... nothing written" test ! -e ex.json
# the first under valgrind; the other two take its path again (one loop
# over the marks, one message): the binary itself
bin=$cadence
for bad in 'a}}b' 'a\{b' 'x{{y'; do
	run "$bin" export n8n --state-dir "/tmp/$bad" proj/kid.cadence.yaml
	expect "a state directory with '$bad' is refused" 2 '' "^cadence: error: the state directory '/tmp/.*' holds"
	bin=$cadence_again
done
run "$cadence" export n8n --cadence-binary '/opt/{{x}}/cadence' proj/kid.cadence.yaml
expect "a cadence binary with {{ is refused" 2 '' "the cadence binary '/opt/\{\{x}}/cadence' holds '\{\{'"
run "$cadence" export n8n --score '/in/{{1}}.json' proj/kid.cadence.yaml
expect "a score file with {{ is refused" 2 '' "the score file '/in/\{\{1}}\.json' holds '\{\{'"
# a single brace is plain text (no mark found: the path of the hostile
# export's --state-dir above, under valgrind there: the binary itself)
run "$cadence_again" export n8n --state-dir '/tmp/a{b}c' proj/kid.cadence.yaml
expect "single braces are plain text" 0 "/tmp/a\{b}c"

# ---- --score: the first node reads the input file; a required field warns --------
w req.cadence.yaml 'cadence: req
score:
  region: {type: string, required: true}
notes:
  a: {set: {}}
measures:
  - then: a
'
run "$cadence" export n8n req.cadence.yaml
expect "a required field without a default and no --score: a warning" 0 '' \
	"^req\.cadence\.yaml:3:3: warning: field 'region' is required and has no default: without an input score, the workflow's first node fails \[export-input\]$"
run "$cadence" export n8n --strict -o strict.json req.cadence.yaml
expect "--strict makes it status 1" 1 '' \
	"^cadence: error: 1 warning: n8n cannot do all the cadence says \(see above\); nothing written \(--strict\)$"
assert "... nothing written" test ! -e strict.json
run "$cadence" export n8n --strict --score '/data/in put.json' req.cadence.yaml
expect "--score: no warning" 0 "--score '/data/in put\.json' -o"

# ---- what n8n cannot do: positioned warnings -----------------------------------------
w lost.cadence.yaml 'cadence: lost
notes:
  a:
    set: {}
    timeout: 5s
    retry: {attempts: 3, delay: 1s, backoff: 2, max_delay: 3s, jitter: 0.5}
    circuit_breaker: {failure_threshold: 3, recovery_timeout: 1m}
  h: {set: {}}
measures:
  - then: a
on_error: {note: h}
'
run "$cadence" export n8n lost.cadence.yaml
lost=$err
if has_line 'export-timeout' "$lost"; then fail "a note's timeout is kept by its step: no warning"
else ok "a note's timeout is kept by its step (--one-attempt): no warning"; fi
for rule in 'lost.cadence.yaml:6:46: .*no backoff.*\[export-retry-backoff\]' \
	'lost.cadence.yaml:6:60: .*no max_delay.*\[export-retry-backoff\]' \
	'lost.cadence.yaml:6:72: .*no jitter.*\[export-retry-backoff\]' \
	'lost.cadence.yaml:7:22: .*circuit_breaker.*\[export-circuit-breaker\]' \
	'lost.cadence.yaml:11:18: .*on_error handler .h.*\[export-on-error\]'; do
	assert "a warning at ${rule%%: *}" has_line "^${rule/: /: warning: }$" "$lost"
done

# a C note: a warning without --plugin, none with one
w c.cadence.yaml 'cadence: c
notes:
  a: {symbol: a_fn}
measures:
  - then: a
'
run "$cadence" export n8n c.cadence.yaml
expect "a C note without --plugin: a warning" 0 '' \
	"^c\.cadence\.yaml:3:15: warning: note 'a' is a C note \(symbol:\): cadence step runs it only with its plugin, and the commands load none \[export-c-note\]$"
run "$cadence" export n8n --strict -p /opt/notes.so c.cadence.yaml
expect "... with --plugin, every step loads it, no warning" 0 "step --one-attempt --apply --plugin /opt/notes\.so -o"


# ---- the workflow run as n8n runs it gives the score `cadence run` gives ---------------
# (py_call sim: the nodes in n8n's order, see above)
if ! "$cadence" step --help | grep -q -- '--measure'; then
	skip "the exported workflows run as cadence run does" \
		"this cadence step has no --measure, --apply, --fallback, --precheck (issue 20, point 1)"
else
	printf '#!/bin/sh\nexit 1\n' >proj/fail.sh
	chmod +x proj/fail.sh
	w proj/fb.cadence.yaml 'cadence: fb
score:
  a: {type: integer, default: 0}
  b: {type: integer, default: 0}
notes:
  bad: {run: [./fail.sh], writes: [a], fallback: {a: 7}}
  ok: {set: {b: "score.a + 1"}, writes: [b]}
  bad2: {run: [./fail.sh], writes: [b], fallback: {b: 9}}
  ok2: {set: {a: "score.a * 10"}, writes: [a]}
measures:
  - then: bad
  - then: ok
  - sync: s
    notes: [bad2, ok2]
'
	printf '{"name": "n8n"}' >hello-in.json
	printf '{"region": "north"}' >sales-in.json
	for c in "proj/all.cadence.yaml|" "proj/fb.cadence.yaml|" \
		"$src/examples/hello/hello.cadence.yaml|$tmp/hello-in.json" \
		"$src/examples/dag/sales.cadence.yaml|$tmp/sales-in.json"; do
		f=${c%|*} in=${c#*|}
		# the nodes' steps and the run: the binary itself (cli/step runs
		# the step modes under valgrind); the export too, but fb's (its
		# then with a fallback is no other export's): all.cadence.yaml's
		# exports above and the examples' below run under valgrind, with
		# these options (the hostile export's, and --score in req's)
		bin=$cadence_again
		[[ $f != */fb.cadence.yaml ]] || bin=$cadence
		run "$bin" export n8n --state-dir "$tmp/state" --cadence-binary "$cadence_again" \
			${in:+--score "$in"} -o sim.json "$f"
		run py_call sim sim.json 7
		got=$out
		run "$cadence_again" run ${in:+--score-file "$in"} "$f"
		printf '%s\n' "$out" >run.json
		assert "${f#"$src"/}: the workflow, run as n8n runs it, ends with the score of cadence run" \
			test -n "$got" -a "$got" = "$(py_call norm run.json)"
	done
fi

# ---- bad input ------------------------------------------------------------------------
run "$cadence" export
expect "export without a kind" 2 '' '^usage: cadence export argo\|n8n'
run "$cadence" export yaml proj/kid.cadence.yaml
expect "an unknown kind" 2 '' "^cadence: error: 'cadence export' has the subcommands 'argo' and 'n8n', not 'yaml'; see 'cadence export --help'$"
run "$cadence" export n8n
expect "no cadence" 2 '' "^cadence: error: 'cadence export n8n' takes one cadence \(a name or a file\), not 0 arguments$"
run "$cadence" export n8n proj/kid.cadence.yaml proj/all.cadence.yaml
expect "two cadences" 2 '' "not 2 arguments$"
run "$cadence" export n8n - <proj/kid.cadence.yaml
expect "standard input" 2 '' "needs the cadence in a file, which its nodes run, not standard input$"
run "$cadence" export n8n nosuch.cadence.yaml
expect "a missing file" 2 '' "^cadence: error: cannot read 'nosuch\.cadence\.yaml': No such file or directory$"
run "$cadence" export n8n --nope proj/kid.cadence.yaml
expect "an unknown option" 2 '' "--nope"
run "$cadence" export n8n -o nodir/out.json proj/kid.cadence.yaml
expect "-o in a missing directory" 2 '' "^cadence: error: cannot write the workflow to 'nodir/out\.json': .*; nothing written$"
run "$cadence" export n8n -o proj/kid.cadence.yaml proj/kid.cadence.yaml
expect "-o the cadence file" 2 '' "it is the cadence file; give another path; nothing written$"
assert "... the cadence file is unchanged" grep -q '^cadence: kid$' proj/kid.cadence.yaml
run "$cadence" export n8n -o '' proj/kid.cadence.yaml
expect "-o empty" 2 '' "^cadence: error: -o takes a file, not an empty path$"
run "$cadence" export n8n --state-dir '' proj/kid.cadence.yaml
expect "--state-dir empty" 2 '' "option '--state-dir' needs a DIR, not an empty string"
run "$cadence" export n8n -p '/x/a. constructor/n.so' proj/kid.cadence.yaml
expect "a plugin with .constructor is refused (n8n refuses it in an expression)" 2 '' \
	"the plugin '/x/a\. constructor/n\.so' holds '\.constructor'"
run "$cadence" export n8n -p /x/{{y}}.so proj/kid.cadence.yaml
expect "a plugin with {{ is refused" 2 '' "the plugin '/x/\{\{y}}\.so' holds '\{\{'"
run "$cadence" export n8n --score - proj/kid.cadence.yaml
expect "--score -" 2 '' "--score takes a file on n8n's machine, not '-'"
w broken.cadence.yaml 'cadence: broken
notes:
  a: {set: {}}
measures:
  - then: b
'
run "$cadence" export n8n -o broken.json broken.cadence.yaml
expect "a cadence with errors" 1 '' "undefined-note"
assert "... nothing written" test ! -e broken.json
w badexpr.cadence.yaml 'cadence: badexpr
score:
  r: {type: string, default: ""}
notes:
  a: {set: {r: "r + 1"}}
measures:
  - then: a
'
run "$cadence" export n8n -o badexpr.json badexpr.cadence.yaml
expect "a cadence that cannot run (an expression error), as run checks it" 1 '' \
	"^cadence: error: 'badexpr\.cadence\.yaml' has problems; fix them \(see above\) for it to run in n8n; nothing written$"
assert "... the error said, nothing written" test ! -e badexpr.json -a -n "$(grep -F '[bad-expression]' <<<"$err")"
run "$cadence" export n8n --help
expect "export n8n --help" 0 "^usage: cadence export n8n \[OPTIONS\] NAME\|CADENCE_FILE$"
run "$cadence" help export n8n
expect "help export n8n" 0 "NODES_EXCLUDE"

# ---- every example and golden fixture exports, with a sound graph ---------------------
files=(all.json out.json wide.json h.json)
for ex in "$src"/examples/*/*.cadence.yaml; do
	name=${ex##*/} name=ex-${name%.cadence.yaml}.json
	run "$cadence" export n8n -o "$name" "$ex"
	expect "examples/${ex#"$src"/examples/} exports" 0
	files+=("$name")
done
# the golden fixtures: each that exports (the others have errors: status
# 1 or 2, never a crash) is checked too; a sample of them under the
# memory checkers
every=$(sampled 1 15) i=0 nfx=0 crashed=
for fx in "$src"/tests/golden/fixtures/*.cadence.yaml; do
	((i++ % every == 0)) || continue
	name=${fx##*/} name=fx-${name%.cadence.yaml}.json
	run "$cadence" export n8n -o "$name" "$fx"
	case $status in
	0) files+=("$name") nfx=$((nfx + 1)) ;;
	1 | 2) ;;
	*) crashed+=" ${fx##*/}:$status" ;;
	esac
done
assert "the golden fixtures export ($nfx) or are refused with status 1 or 2" \
	test -z "$crashed" -a "$nfx" -gt 0
sound=1
for f in "${files[@]}"; do
	[[ $f == ex-* || $f == fx-* ]] || continue
	g=$(graph "$f")
	[[ $g == ok ]] || { fail "$f: $g"; sound=; }
done
[[ -z $sound ]] || ok "every example's and fixture's graph is sound"

# ---- n8n's own checks: safeParseWorkflowStructure and Expression of n8n-workflow -----
# In the plain build only: under valgrind or in a sanitizer build the
# exports above are the bytes the plain build's cli/export_n8n checks (the
# exporter's output does not depend on the build), so neither node nor an
# `npm ci` into that build's tree is spent there.
pkg=$src/tests/n8n
nd=${CADENCE_TEST_NODE_DIR:-$pkg}
have_modules() { [[ -f $1/node_modules/n8n-workflow/package.json ]]; }
if under_valgrind || [[ ${CADENCE_TEST_SANITIZED:-0} == 1 ]]; then
	skip "n8n-workflow's safeParseWorkflowStructure and Expression" \
		"a memory-checked run: the plain build's cli/export_n8n checks the same bytes"
	finish
	exit
fi
# the ones install-deps.sh installed, at the lock file: no npm ci at all
! have_modules "$pkg" || [[ $pkg/package-lock.json -nt $pkg/node_modules/.package-lock.json ]] ||
	nd=$pkg
if command -v node >/dev/null && [[ $nd != "$pkg" ]]; then
	mkdir -p "$nd"
	(
		flock 9	# one npm ci at a time (cli/ and memcheck/cli/ may run together)
		if ! have_modules "$nd" || ! cmp -s "$pkg/package-lock.json" "$nd/package-lock.json"; then
			# --ignore-scripts: n8n-workflow's isolated-vm builds a native
			# module its structure check does not use
			cp "$pkg/package.json" "$pkg/package-lock.json" "$nd/" &&
				(cd "$nd" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund \
					--loglevel=error) >"$tmp/npm.log" 2>&1 || rm -f "$nd/package-lock.json"
		fi
	) 9>"$nd.lock"
	have_modules "$nd" || nd=$pkg	# offline: the ones install-deps.sh installed
fi
if ! command -v node >/dev/null || ! have_modules "$nd"; then
	skip "n8n-workflow's safeParseWorkflowStructure" "node or the npm packages of tests/n8n are" \
		"not installed ($(tail -1 "$tmp/npm.log" 2>/dev/null); scripts/install-deps.sh installs them)"
	finish
	exit
fi
[[ $nd == "$pkg" ]] || cp "$pkg/check.mjs" "$pkg/expand.mjs" "$nd/"
# one node for each tool: check.mjs over every workflow and one it must
# refuse (a duplicate node name: the checker can fail), expand.mjs over
# the commands of two workflows and one with an expression in a command
py_call mutate dup all.json dup.json
py_call mutate expr all.json expr.json
run node "$nd/check.mjs" dup.json "${files[@]}"
checked=$out
assert "n8n-workflow refuses a workflow with two nodes of one name" \
	test "$status" = 1 -a "$(grep -c '^FAIL - dup\.json: .*Duplicate node name' <<<"$checked")" = 1
# n8n's own evaluation of the commands (Expression of n8n-workflow) is
# the plain text with the execution's id put in: nothing of a path or a
# description was read as an expression
run node "$nd/expand.mjs" all.json h.json expr.json
expanded=$out estatus=$status
for f in all.json h.json; do
	status=$estatus out=$(grep -F "$f	" <<<"$expanded" | cut -f2-)
	expect "$f: n8n evaluates each command to the text with the execution's id" 0 '^\["'
	assert "... the same commands as meant" test "$out" = "$(py_call cmds "$f")"
done
# and would evaluate an expression in a path: why "{{" is refused
assert "n8n evaluates {{ }} in a command (a path holding one would change)" \
	has_line '^expr\.json	.*/p/42"\]$' "$expanded"
status=0 out=$(grep -v '^FAIL - dup\.json: ' <<<"$checked")
if [[ $(grep -c '^ok - ' <<<"$out") == "${#files[@]}" && $out != *FAIL* ]]; then
	ok "every workflow passes safeParseWorkflowStructure (${#files[@]}: the tests' and every example's)"
else
	fail "every workflow passes safeParseWorkflowStructure (${#files[@]}: the tests' and every example's)"
	printf '%s\n' "$out"
fi

finish
