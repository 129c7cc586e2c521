#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a large, valid cadence for benchmarks.

    bench/gen_cadence.py NOTES OUT_DIR [--name NAME] [--no-child] [--seed N]

Writes OUT_DIR/NAME.cadence.yaml (default name: big) with NOTES notes and,
unless --no-child, the companion child cadence OUT_DIR/payment.cadence.yaml
and the executable OUT_DIR/notes/step.sh that `run` notes point at.  The
output validates clean (no errors, no warnings) with `cadence validate`.

What the file holds, so that timings reflect real files rather than a
pathological one:
  - a score of 32 fields of every type, with defaults, one required field
    and one immutable field;
  - notes bound by `run` (a relative ./notes path, so validate stats it,
    or a bare command looked up in PATH), `set` (expressions) and `symbol`;
    descriptions, reads and writes; retry, timeout, fallback and
    circuit_breaker policies on a share of them;
  - measures of every kind: then (some with `note:`), sync (all three merge
    strategies), split, sequence and child.  Every note is used exactly
    once (on_error uses the last one), so there is no unused-note warning;
  - child measures (one per ~40 measures) all name the one companion file:
    the project loads it once, so resolving them costs a stat and a lookup
    each, not a file load each.  --no-child leaves them out.
Deterministic for a given seed.
"""
import argparse
import os
import random
import stat
import sys

VERBS = ["fetch", "load", "compute", "check", "enrich", "score", "notify",
         "reserve", "charge", "refund", "audit", "publish", "resolve",
         "normalise", "validate", "route", "price", "tag", "archive", "sync"]
OBJECTS = ["items", "profile", "history", "stock", "order", "invoice",
           "shipment", "address", "discount", "tax", "risk", "ledger",
           "coupon", "receipt", "payment", "catalog", "carrier", "wallet"]

# (name, type, default as YAML) - the score
FIELDS = [
    ("order_id", "string", None),           # required
    ("currency", "string", "EUR"),          # immutable
    ("premium", "boolean", "false"),
    ("total", "number", "0"),
    ("status", "string", "pending"),
]
for k in range(27):
    t = ["string", "integer", "number", "boolean", "array", "object"][k % 6]
    d = {"string": "''", "integer": "0", "number": "0.5", "boolean": "false",
         "array": "[]", "object": "{}"}[t]
    FIELDS.append(("%s_%d" % (OBJECTS[k % len(OBJECTS)], k), t, d))

WRITABLE = [f for f in FIELDS if f[0] not in ("order_id", "currency")]
READABLE = [f[0] for f in FIELDS]
FALLBACK = {"string": "'unknown'", "integer": "0", "number": "0.0",
            "boolean": "false", "array": "[]", "object": "{}"}
EXPR = {"string": "score.status + '-done'",
        "integer": "size(score.order_id)",
        "number": "score.total * 1.2",
        "boolean": "score.premium || score.total > 100",
        "array": "[score.order_id, score.status]",
        "object": "{'id': score.order_id, 'total': score.total}"}


def note_names(n, rng):
    names = []
    seen = set()
    i = 0
    while len(names) < n:
        base = "%s_%s" % (rng.choice(VERBS), rng.choice(OBJECTS))
        name = "%s_%d" % (base, i)
        i += 1
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def emit_note(out, i, name, field, rng):
    fname, ftype, _ = field
    out.append("  %s:\n" % name)
    if i % 5 == 0:
        out.append("    description: %s the %s for the order before it moves on.\n"
                   % (name.split("_")[0].capitalize(), name.split("_")[1]))
    kind = i % 3
    if kind == 0:
        if i % 2:
            out.append("    run: [./notes/step.sh, %s, --verbose]\n" % name)
        else:
            out.append("    run: [python3, -m, steps.%s]\n" % name)
    elif kind == 1:
        out.append("    set: {%s: '%s'}\n" % (fname, EXPR[ftype]))
    else:
        out.append("    symbol: %s_impl\n" % name)
    reads = rng.sample(READABLE, 2 + i % 3)
    out.append("    reads: [%s]\n" % ", ".join(reads))
    if kind != 1:
        out.append("    writes: [%s]\n" % fname)
    if i % 4 == 0:
        if i % 8 == 0:
            out.append("    retry:\n      attempts: %d\n      delay: 200ms\n"
                       "      backoff: 2\n      max_delay: 5s\n      jitter: 0.1\n"
                       % (2 + i % 4))
        else:
            out.append("    retry: {attempts: 3, delay: 1s}\n")
    if i % 3 == 0:
        out.append("    timeout: %ds\n" % (5 + i % 30))
    if i % 5 == 0:
        out.append("    fallback: {%s: %s}\n" % (fname, FALLBACK[ftype]))
    if i % 7 == 0:
        out.append("    circuit_breaker:\n      failure_threshold: %d\n"
                   "      recovery_timeout: 30s\n      half_open_max: 2\n" % (3 + i % 5))


def generate(n, name, child, rng):
    names = note_names(n, rng)
    handler = names[-1]
    body = names[:-1]           # the last note is the on_error handler
    writes = {}                 # note name -> field tuple
    out = []
    out.append("# Generated by bench/gen_cadence.py: %d notes.\n" % n)
    out.append("cadence: %s\n" % name)
    out.append("description: >\n  A generated cadence of %d notes for the load and\n"
               "  validate benchmarks (bench/run.sh).\n\n" % n)
    out.append("score:\n")
    for fname, ftype, default in FIELDS:
        if default is None:
            out.append("  %s: {type: %s, required: true}\n" % (fname, ftype))
        elif fname == "currency":
            out.append("  %s: {type: %s, default: %s, immutable: true}\n" % (fname, ftype, default))
        else:
            out.append("  %s:\n    type: %s\n    default: %s\n" % (fname, ftype, default))
            if len(out) % 3 == 0:
                out.append("    description: generated field %s\n" % fname)
    out.append("\nnotes:\n")
    # note i writes WRITABLE[i % len]: consecutive notes (a sync's) never
    # write the same field, so no write conflicts
    for i, nm in enumerate(names):
        f = WRITABLE[i % len(WRITABLE)]
        writes[nm] = f
        emit_note(out, i, nm, f, rng)

    out.append("\nmeasures:\n")
    kinds = ["then", "sync", "then", "split", "sequence", "then", "sync",
             "then_note", "split", "sequence"]
    i = 0
    m = 0
    while i < len(body):
        if child and m % 40 == 39:
            out.append("  - child: payment_%d\n    cadence: payment\n"
                       "    with: {amount: score.total, order_id: score.order_id}\n"
                       "    merge: {status: score.payment_status}\n" % m)
            m += 1
            continue
        k = kinds[m % len(kinds)]
        left = len(body) - i
        if k == "then" or left < 4:
            out.append("  - then: %s\n" % body[i])
            i += 1
        elif k == "then_note":
            out.append("  - then: step_%d\n    note: %s\n" % (m, body[i]))
            if m % 3 == 0:
                out.append("    description: run %s under its own measure name\n" % body[i])
            i += 1
        elif k == "sync":
            merge = ["fail_on_conflict", "last_write_wins", "smart_merge"][(m // 10) % 3]
            ns = body[i:i + 3]
            out.append("  - sync: parallel_%d\n    merge: %s\n    notes: [%s]\n"
                       % (m, merge, ", ".join(ns)))
            i += 3
        elif k == "split":
            out.append("  - split: route_%d\n    when: score.premium && score.total > %d\n"
                       "    if_true: [%s]\n    if_false: [%s]\n"
                       % (m, 10 * (m % 50), body[i], body[i + 1]))
            i += 2
        else:
            ns = body[i:i + 4]
            out.append("  - sequence: group_%d\n    notes:\n" % m)
            for x in ns:
                out.append("      - %s\n" % x)
            i += 4
        m += 1
    out.append("\non_error: {note: %s, stop: true}\n" % handler)
    return "".join(out)


CHILD = """\
# Generated by bench/gen_cadence.py: the child of every child measure.
cadence: payment
description: Charge the order total.
score:
  amount: {type: number, required: true}
  order_id: {type: string, required: true}
  payment_status: {type: string, default: pending}
notes:
  charge:
    symbol: charge_card
    reads: [order_id, amount]
    writes: [payment_status]
    retry: {attempts: 3, delay: 500ms, backoff: 2, max_delay: 5s}
    timeout: 10s
    circuit_breaker: {failure_threshold: 5, recovery_timeout: 30s}
    fallback: {payment_status: payment_pending}
measures:
  - then: charge
"""

STEP = """#!/bin/sh
# Generated by bench/gen_cadence.py: a note that changes nothing.
cat >/dev/null
echo '{}'
"""


def main():
    ap = argparse.ArgumentParser(description="Generate a large valid cadence.")
    ap.add_argument("notes", type=int)
    ap.add_argument("out_dir")
    ap.add_argument("--name", default="big")
    ap.add_argument("--no-child", action="store_true",
                    help="no child measures (single-file timing)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.notes < 8:
        sys.exit("gen_cadence.py: at least 8 notes")
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out_dir, "notes"), exist_ok=True)
    path = os.path.join(a.out_dir, a.name + ".cadence.yaml")
    with open(path, "w") as f:
        f.write(generate(a.notes, a.name, not a.no_child, rng))
    if not a.no_child:
        with open(os.path.join(a.out_dir, "payment.cadence.yaml"), "w") as f:
            f.write(CHILD)
    step = os.path.join(a.out_dir, "notes", "step.sh")
    with open(step, "w") as f:
        f.write(STEP)
    os.chmod(step, os.stat(step).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(path)


if __name__ == "__main__":
    main()
