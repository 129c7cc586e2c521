#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of a fuzz target into a directory (one file per
input, named by its SHA-1, as libFuzzer names its own):

    fuzz/seeds.py TARGET OUTDIR        TARGET: load, diagram, output, expr,
                                       regex, checkpoint, report, cron,
                                       hook_sig, hook_score or traceparent

load, diagram: every *.cadence.yaml below tests/golden/fixtures,
tests/diagram/fixtures and examples/.  output: fuzz/seeds/output/.  expr:
the example lines of docs/expressions.md, the string literals of the
expression unit tests (tests/unit/test_expr_*.c, test_run_expr.c), the
expressions of the fixtures and examples (values that read `score`), and
fuzz/seeds/expr/.  regex: the code spans of the "Regular expressions"
section of docs/expressions.md, the string literals of
tests/unit/test_regex.c, each also followed by a NUL and a string to match,
and fuzz/seeds/regex/.  checkpoint: fuzz/seeds/checkpoint/, checkpoints of the
cadence in fuzz/fuzz_checkpoint.c at each of its positions.  report:
fuzz/seeds/report/, event sequences of runs (passing, failing with retries
and a breaker, a child, a sync conflict, two runs at once, odd bytes).
cron: fuzz/seeds/cron/, cron expressions (good ones, and bad ones of each
kind).  hook_sig, hook_score: fuzz/seeds/hook_sig/ (signed and badly signed
deliveries of both schemes), fuzz/seeds/hook_score/ (route expressions with
a GitHub and a Cal.com payload).  traceparent: fuzz/seeds/traceparent/ (the
W3C example, a later version, and bad ones of each kind)."""
import hashlib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
YAML_DIRS = ["tests/golden/fixtures", "tests/diagram/fixtures", "examples"]


def yaml_files():
    for d in YAML_DIRS:
        yield from sorted((ROOT / d).rglob("*.cadence.yaml"))


def doc_expressions():
    text = (ROOT / "docs/expressions.md").read_text(encoding="utf-8")
    plain = grammar = False
    in_block = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_block = not in_block
            plain = in_block and line == "```"
            grammar = False
        elif in_block and plain and line:
            grammar = grammar or line.startswith("expr ")
            if not grammar:
                yield line.encode()
        elif not in_block:
            for span in re.findall(r"`([^`]+)`", line):
                yield span.encode()


C_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_unescape(s):
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape").encode(
        "latin-1", "replace")


def c_strings(f):
    for m in C_STRING.finditer(f.read_text(encoding="utf-8")):
        try:
            yield c_unescape(m.group(1))
        except (UnicodeDecodeError, ValueError):
            yield m.group(1).encode()


def test_expressions():
    files = sorted((ROOT / "tests/unit").glob("test_expr_*.c"))
    files.append(ROOT / "tests/unit/test_run_expr.c")
    for f in files:
        if f.exists():
            yield from c_strings(f)


def yaml_expressions():
    for f in yaml_files():
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            m = re.match(r"^\s*(?:- )?[A-Za-z_$][\w$]*:\s*(.+)$", line)
            if m and "score" in m.group(1):
                v = m.group(1).strip()
                if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
                    v = v[1:-1]
                yield v.encode()


def regex_patterns():
    text = (ROOT / "docs/expressions.md").read_text(encoding="utf-8")
    section = text.split("## Regular expressions", 1)[1].split("\n## ", 1)[0]
    for span in re.findall(r"`([^`]+)`", section):
        yield span.replace("\\|", "|").encode()
    yield from c_strings(ROOT / "tests/unit/test_regex.c")


def regex_inputs():
    subjects = [b"", b"abc", b"ada@example.com", b"foo bar_baz 42\n", "caf\u00e9".encode()]
    for i, p in enumerate(regex_patterns()):
        yield p
        yield p + b"\0" + subjects[i % len(subjects)]


def committed(target):
    d = ROOT / "fuzz/seeds" / target
    if d.is_dir():
        for f in sorted(d.iterdir()):
            if f.is_file():
                yield f.read_bytes()


def seeds(target):
    if target in ("load", "diagram"):
        for f in yaml_files():
            yield f.read_bytes()
    elif target in ("output", "checkpoint", "report", "cron", "hook_sig", "hook_score",
                    "traceparent"):
        yield from committed(target)
    elif target == "expr":
        yield from doc_expressions()
        yield from test_expressions()
        yield from yaml_expressions()
        yield from committed("expr")
    elif target == "regex":
        yield from regex_inputs()
        yield from committed("regex")
    else:
        sys.exit(f"seeds.py: unknown target '{target}'")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: fuzz/seeds.py TARGET OUTDIR")
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for data in seeds(sys.argv[1]):
        if not data:
            continue
        (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
        n += 1
    print(f"seeds.py: {sys.argv[1]}: {n} inputs into {out}")


if __name__ == "__main__":
    main()
