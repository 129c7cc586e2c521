#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a large, valid cadence for benchmarks.

    bench/gen_cadence.py NOTES OUT_DIR [--name NAME] [--no-child] [--seed N]
                         [--fields F] [--shape mixed|chain|sync|scatter]
                         [--reads R] [--measures M]

Writes OUT_DIR/NAME.cadence.yaml (default name: big) with NOTES notes and,
for the mixed shape unless --no-child, the companion child cadence
OUT_DIR/payment.cadence.yaml and the executable OUT_DIR/notes/step.sh that
`run` notes point at.  Within the documented limits (docs/format.md,
"Limits": 10,000 notes, 10,000 fields, 16 MiB) the output validates clean
(no errors, no warnings) with `cadence validate`.

The mixed shape (the default; what the load, validate and diagram figures
use) holds, so that timings reflect real files rather than a pathological
one:
  - a score of F fields (--fields, default 32) of every type, with
    defaults, one required field and one immutable field;
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
Deterministic for a given seed.  Without --fields, or with --fields 32,
the output is the same as before the option existed.

The wide shapes (issue 15: cost that grows with notes x score fields) have
F fields of every type in turn, all with defaults (a run needs no input),
and NOTES `set` notes, each reading one field and writing it back:
  - chain: one `then` measure per note, in order (what `cadence run` of
    "N trivial set notes over F fields" runs);
  - sync: one `sync` of all the notes (NOTES <= F), each writing its own
    field; --reads R makes each note also list R other fields, spread over
    the score, under `reads:`;
  - dag: one `dag` of all the notes (NOTES <= F), each writing its own
    field, in layers of 100 tasks, each task after two of the layer before
    and reading the fields they write.
Note i touches field (i * step) % F, step coprime to F, so that the notes
are spread over the whole score.

The scatter shape is `bench_run scale`'s (bench/bench_run.c), for
bench/misses.sh: F integer fields, NOTES `set` notes nK_fJ (`fJ =
score.fJ + 1`, J = K mod F) and M `then` measures (--measures) visiting
the notes in a scattered order, note (i * step) % NOTES.
"""
import argparse
import math
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

TYPES = ["string", "integer", "number", "boolean", "array", "object"]
DEFAULTS = {"string": "''", "integer": "0", "number": "0.5", "boolean": "false",
            "array": "[]", "object": "{}"}


def gen_field(k):
    """Generated field k: (name, type, default as YAML); types in turn."""
    t = TYPES[k % len(TYPES)]
    return ("%s_%d" % (OBJECTS[k % len(OBJECTS)], k), t, DEFAULTS[t])


def mixed_fields(n):
    """The score of the mixed shape: (name, type, default as YAML)."""
    fields = [
        ("order_id", "string", None),           # required
        ("currency", "string", "EUR"),          # immutable
        ("premium", "boolean", "false"),
        ("total", "number", "0"),
        ("status", "string", "pending"),
    ]
    return fields + [gen_field(k) for k in range(n - len(fields))]


FALLBACK = {"string": "'unknown'", "integer": "0", "number": "0.0",
            "boolean": "false", "array": "[]", "object": "{}"}
EXPR = {"string": "score.status + '-done'",
        "integer": "size(score.order_id)",
        "number": "score.total * 1.2",
        "boolean": "score.premium || score.total > 100",
        "array": "[score.order_id, score.status]",
        "object": "{'id': score.order_id, 'total': score.total}"}


def yaml_quote(text):
    """A YAML single-quoted scalar (a quote inside is doubled)."""
    return "'%s'" % text.replace("'", "''")


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


def emit_note(out, i, name, field, readable, rng):
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
        out.append("    set: {%s: %s}\n" % (fname, yaml_quote(EXPR[ftype])))
    else:
        out.append("    symbol: %s_impl\n" % name)
    reads = rng.sample(readable, 2 + i % 3)
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


def generate(n, name, child, rng, nfields=32):
    fields = mixed_fields(nfields)
    writable = [f for f in fields if f[0] not in ("order_id", "currency")]
    readable = [f[0] for f in fields]
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
    for fname, ftype, default in fields:
        if default is None:
            out.append("  %s: {type: %s, required: true}\n" % (fname, ftype))
        elif fname == "currency":
            out.append("  %s: {type: %s, default: %s, immutable: true}\n" % (fname, ftype, default))
        else:
            out.append("  %s:\n    type: %s\n    default: %s\n" % (fname, ftype, default))
            if len(out) % 3 == 0:
                out.append("    description: generated field %s\n" % fname)
    out.append("\nnotes:\n")
    # note i writes writable[i % len]: consecutive notes (a sync's) never
    # write the same field, so no write conflicts
    for i, nm in enumerate(names):
        f = writable[i % len(writable)]
        writes[nm] = f
        emit_note(out, i, nm, f, readable, rng)

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


# The wide shapes (--shape chain, --shape sync): fields of every type in
# turn, each with a default (a run needs no input).  A note reads its field
# and writes it back with a value of the same type and a constant size, so
# that a run's cost per note does not grow with the number of runs.
TOUCH = {"string": 'score.%s == "a" ? "b" : "a"',
         "integer": "score.%s + 1",
         "number": "score.%s + 0.5",
         "boolean": "!score.%s",
         "array": "size(score.%s) > 0 ? [] : [1]",
         "object": "size(score.%s) > 0 ? {} : {'k': 1}"}


def stride_for(nfields):
    """A step coprime to nfields: note i touches field (i * step) % nfields,
    so the first notes are spread over the whole score rather than its
    first fields (a lookup that scans the score pays its real average)."""
    step = 7919
    while math.gcd(step, nfields) != 1:
        step += 2
    return step % nfields if nfields > 1 else 0


def wide_score(out, fields):
    out.append("score:\n")
    for fname, ftype, default in fields:
        out.append("  %s: {type: %s, default: %s}\n" % (fname, ftype, default))


def wide_note(out, i, field, reads):
    fname, ftype, _ = field
    out.append("  n_%d:\n    set: {%s: %s}\n" % (i, fname, yaml_quote(TOUCH[ftype] % fname)))
    if reads:
        out.append("    reads: [%s]\n" % ", ".join(reads))


DAG_WIDTH = 100


def dag_after(i):
    """--shape dag: layers of DAG_WIDTH tasks, each task after two tasks
    of the layer before (one for the first layer's successors of a layer of
    one): a fan-out and fan-in at every layer, no edge implied by another."""
    layer, pos = divmod(i, DAG_WIDTH)
    if not layer:
        return []
    base = (layer - 1) * DAG_WIDTH
    a, b = base + pos, base + (pos * 7 + 3) % DAG_WIDTH
    return [a] if a == b else [a, b]


def generate_wide(shape, n, name, nfields, nreads):
    """chain: n `set` notes, one `then` measure each, note i reading and
    writing field (i * step) % nfields.  sync: one `sync` of n `set` notes
    (n <= nfields), each writing its own field and, with nreads, listing
    nreads other fields under `reads:`, spread over the score."""
    fields = [gen_field(k) for k in range(nfields)]
    step = stride_for(nfields)
    out = ["# Generated by bench/gen_cadence.py --shape %s: %d notes, %d fields%s.\n"
           % (shape, n, nfields, ", %d reads each" % nreads if nreads else ""),
           "cadence: %s\n" % name,
           "description: A generated %s of %d set notes over %d fields.\n\n"
           % (shape, n, nfields)]
    wide_score(out, fields)
    out.append("\nnotes:\n")
    gap = max(1, nfields // (nreads + 1)) if nreads else 0
    for i in range(n):
        k = (i * step) % nfields
        reads = [fields[(k + 1 + j * gap) % nfields][0] for j in range(nreads)]
        if shape == "dag":	# the fields its upstream tasks write, so the
            # data-flow checks have edges to follow
            reads = [fields[(a * step) % nfields][0] for a in dag_after(i)]
        wide_note(out, i, fields[k], reads)
    out.append("\nmeasures:\n")
    if shape == "chain":
        for i in range(n):
            out.append("  - then: n_%d\n" % i)
    elif shape == "dag":
        out.append("  - dag: all\n    tasks:\n")
        for i in range(n):
            out.append("      - task: n_%d\n" % i)
            after = dag_after(i)
            if after:
                out.append("        after: [%s]\n" % ", ".join("n_%d" % a for a in after))
    else:
        out.append("  - sync: all\n    notes:\n")
        for i in range(n):
            out.append("      - n_%d\n" % i)
    return "".join(out)


def generate_scatter(notes, fields, measures):
    step = 7919
    while math.gcd(step, notes) != 1:
        step += 2
    step %= notes
    out = ["cadence: wide", "score:"]
    out += ["  f%d: {type: integer, default: 0}" % i for i in range(fields)]
    out.append("notes:")
    out += ["  n%d_f%d: {set: {f%d: 'score.f%d + 1'}}" % (i, i % fields, i % fields, i % fields)
            for i in range(notes)]
    out.append("measures:")
    for i in range(measures):
        j = i * step % notes
        out.append("  - then: m%d\n    note: n%d_f%d" % (i, j, j % fields))
    return "\n".join(out) + "\n"


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
    ap.add_argument("--fields", type=int, default=32,
                    help="score fields (default 32)")
    ap.add_argument("--shape", choices=["mixed", "chain", "sync", "scatter", "dag"], default="mixed",
                    help="mixed (default): every binding and measure kind; "
                    "chain: set notes in sequence; sync: one sync of set notes; "
                    "scatter: bench_run scale's notes and measures; "
                    "dag: one dag of set notes in layers")
    ap.add_argument("--measures", type=int, default=0,
                    help="--shape scatter: its `then` measures (default: NOTES)")
    ap.add_argument("--reads", type=int, default=0,
                    help="--shape sync: fields each note lists under reads:")
    a = ap.parse_args()
    if a.notes < 1 or a.fields < 1:
        sys.exit("gen_cadence.py: at least one note and one field")
    if a.shape == "mixed" and (a.notes < 8 or a.fields < 8):
        sys.exit("gen_cadence.py: at least 8 notes and 8 fields")
    if a.shape in ("sync", "dag") and a.notes > a.fields:
        sys.exit("gen_cadence.py: --shape %s needs a field per note" % a.shape)
    if a.reads and (a.shape != "sync" or a.reads > a.fields):
        sys.exit("gen_cadence.py: --reads is for --shape sync, at most --fields")
    if a.measures and a.shape != "scatter":
        sys.exit("gen_cadence.py: --measures is for --shape scatter")
    os.makedirs(a.out_dir, exist_ok=True)
    path = os.path.join(a.out_dir, a.name + ".cadence.yaml")
    if a.shape == "scatter":
        with open(path, "w") as f:
            f.write(generate_scatter(a.notes, a.fields, a.measures or a.notes))
        print(path)
        return
    if a.shape != "mixed":
        with open(path, "w") as f:
            f.write(generate_wide(a.shape, a.notes, a.name, a.fields, a.reads))
        print(path)
        return
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out_dir, "notes"), exist_ok=True)
    with open(path, "w") as f:
        f.write(generate(a.notes, a.name, not a.no_child, rng, a.fields))
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
