#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen_cadences.py: cadences for the export equivalence test (test code).

usage: gen_cadences.py DIR COUNT SEED

Writes DIR/gNNN.cadence.yaml (COUNT of them), DIR/child.cadence.yaml that
they run as a child, and DIR/gNNN.score.json, the input of each.  Every
measure kind (then, sync, split, sequence, child, dag) is drawn, with
`set` notes and `run` notes (sh), notes that end the cadence early
(`$interrupt`; not in a sync, whose export cannot keep it), notes that fail a few times before they
succeed (a counter file in DIR/counters, which the test empties before each
run), notes that always fail, with and without a fallback, retries and
timeouts, a precheck and an on_error handler that records the score it was
given (DIR/seen/NAME.json) and the error.  The same SEED gives the same
files.  What the cadences do is chosen so that they validate: syncs and
dags merge with smart_merge and their notes write distinct scalar fields or
append to a list.
"""
import json
import os
import random
import sys

SCORE = """score:
  n:     {type: integer, default: 0}
  a:     {type: integer, default: 0}
  b:     {type: integer, default: 0}
  c:     {type: integer, default: 0}
  tags:  {type: array, default: []}
  msg:   {type: string, default: ""}
  kid:   {type: integer, default: 0}
"""

CHILD = """cadence: child
score:
  x: {type: integer, required: true}
  log: {type: array, default: []}
notes:
  double: {set: {x: 'score.x * 2', log: 'score.log + ["doubled"]'}}
  more: {set: {x: 'score.x + 1'}}
measures:
  - then: double
  - then: more
"""


def sh(script):
    return "{run: [sh, -c, %s]}" % json.dumps(script)


class Gen:
    def __init__(self, rnd, d, name):
        self.rnd, self.d, self.name = rnd, d, name
        self.notes = {}
        self.k = 0

    def note(self, kind):
        self.k += 1
        r, name = self.rnd, "%s_%d" % (kind, self.k)
        cnt = os.path.join(self.d, "counters", "%s.%s" % (self.name, name))
        if kind == "inc":
            body = "{set: {n: 'score.n + %d'}}" % r.randint(1, 9)
        elif kind == "tag":
            body = "{set: {tags: 'score.tags + [\"%s\"]'}}" % name
        elif kind == "scalar":
            f = r.choice("abc")
            body = "{set: {%s: 'score.n * %d + %d'}, writes: [%s]}" % (f, r.randint(1, 5),
                                                                    self.k, f)
        elif kind == "shell":
            # a process: reads the score, gives a change
            body = sh('cat >/dev/null; echo \'{"msg": "%s"}\'' % name)
        elif kind == "flaky":
            # fails `fails` times, then gives the attempt's number
            fails, attempts = r.randint(1, 2), r.randint(1, 3)
            script = ('cat >/dev/null; c=$(cat "$0" 2>/dev/null || echo 0); c=$((c + 1)); '
                      'echo $c >"$0"; [ $c -gt %d ] || exit 1; echo "{\\"c\\": $c}"' % fails)
            body = "{run: [sh, -c, %s, %s], retry: {attempts: %d, delay: 10ms, backoff: 2}%s}" % (
                json.dumps(script), json.dumps(cnt), attempts,
                ", fallback: {msg: fell_back}" if r.random() < 0.7 else "")
        elif kind == "stop":
            # ends the cadence early, its change applied (`$interrupt`)
            body = sh('cat >/dev/null; echo \'{"msg": "%s", "$interrupt": true}\'' % name)
        elif kind == "bad":
            body = sh("cat >/dev/null; echo broken >&2; exit 1")
            if self.rnd.random() < 0.6:
                body = body[:-1] + ", fallback: {msg: fell_back, b: -1}}"
        self.notes[name] = body
        return name

    def simple(self):
        return self.note(self.rnd.choice(["inc", "inc", "tag", "shell", "flaky", "bad", "stop"]))

    def measure(self, i):
        r = self.rnd
        kind = r.choice(["then", "then", "sync", "split", "sequence", "child", "dag"])
        m = "m%d" % i
        if kind == "then":
            return "  - then: %s\n    note: %s\n" % (m, self.simple())
        if kind == "sequence":
            ns = [self.simple() for _ in range(r.randint(2, 3))]
            return "  - sequence: %s\n    notes: [%s]\n" % (m, ", ".join(ns))
        if kind == "sync":
            ns = [self.note(r.choice(["tag", "tag", "bad"])) for _ in range(r.randint(2, 3))]
            ns.append(self.note("scalar"))
            r.shuffle(ns)
            return ("  - sync: %s\n    merge: smart_merge\n    notes: [%s]\n"
                    % (m, ", ".join(ns)))
        if kind == "split":
            t, f = self.simple(), self.note("tag")
            return ("  - split: %s\n    when: score.n > %d\n    if_true: [%s]\n"
                    "    if_false: [%s]\n" % (m, r.randint(0, 12), t, f))
        if kind == "child":
            return ("  - child: %s\n    cadence: child\n    with: {x: score.n}\n"
                    "    merge: {kid: score.x}\n" % m)
        ts = [self.note("tag") for _ in range(3)]
        return ("  - dag: %s\n    merge: smart_merge\n    tasks:\n"
                "      - task: t1\n        note: %s\n"
                "      - task: t2\n        note: %s\n        after: [t1]\n"
                "      - task: t3\n        note: %s\n" % (m, ts[0], ts[1], ts[2]))

    def cadence(self):
        r = self.rnd
        measures = "".join(self.measure(i) for i in range(r.randint(2, 5)))
        text = "cadence: %s\n%s" % (self.name, SCORE)
        if r.random() < 0.3:
            text += "precheck: {when: 'score.n < %d'}\n" % r.randint(3, 20)
        if r.random() < 0.5:
            seen = os.path.join(self.d, "seen", self.name)
            script = ('cat >"$0.json"; printf "%s" "$CADENCE_ERROR" >"$0.err"; '
                      'echo \'{"msg": "handled"}\'')
            self.notes["handler"] = "{run: [sh, -c, %s, %s]}" % (json.dumps(script),
                                                                json.dumps(seen))
            text += "on_error: {note: handler}\n"
        text += "notes:\n"
        for n, body in self.notes.items():
            text += "  %s: %s\n" % (n, body)
        return text + "measures:\n" + measures


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    d, count, seed = argv[1], int(argv[2]), int(argv[3])
    r = random.Random(seed)
    for sub in ("counters", "seen"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(d, "child.cadence.yaml"), "w") as f:
        f.write(CHILD)
    for i in range(count):
        name = "g%03d" % i
        with open(os.path.join(d, name + ".cadence.yaml"), "w") as f:
            f.write(Gen(r, d, name).cadence())
        with open(os.path.join(d, name + ".score.json"), "w") as f:
            json.dump({"n": r.randint(0, 9)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
