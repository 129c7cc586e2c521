#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""argo_exec.py: runs an Argo Workflow's DAG locally (test code).

usage: argo_exec.py MANIFEST --workdir DIR [--cadence PATH] [--param K=V]...
                    [--mount CONTAINER_DIR=DIR]...

A local executor for the subset of Argo Workflows that `cadence export
argo` writes, for the equivalence tests: the final score of an exported
workflow, run here, must be the one `cadence run` gives.  It follows Argo's
documented semantics; where the documentation is silent, the controller's
code.  Sources (argoproj/argo-workflows):

- docs/enhanced-depends-logic.md: `depends` operands TASK.Succeeded,
  .Failed, .Errored, .Skipped, .Omitted, .Daemoned, .AnySucceeded,
  .AllFailed with && || ! and parentheses; a bare TASK means
  (TASK.Succeeded || TASK.Skipped || TASK.Daemoned); `dependencies: [A, B]`
  is `depends: "A && B"`.  A task whose depends is false is Omitted.
- workflow/controller/dag.go: evaluateDependsLogic (a task waits until
  every task it names is fulfilled: Succeeded, Failed, Error, Skipped or
  Omitted); executeDAGTask (depends, then `when`: false gives Skipped, an
  expression that cannot be evaluated gives Error; then the arguments);
  assessDAGPhase (the DAG's phase: its target tasks are its leaves, the
  tasks no other task depends on; a breadth-first walk from the roots
  carries a branch phase, which a Succeeded/Failed/Error node sets and a
  Skipped or Omitted node inherits from its parents, a Failed or Error
  winning; the DAG fails with the first leaf, in name order, whose branch
  phase is Failed or Error.  So a task that failed but has a dependant
  which `depends` on its .Failed does not fail the DAG by itself, and a
  leaf that is Skipped or Omitted fails it when one of its parents failed).
- workflow/controller/operator.go: the workflow's phase is its entrypoint
  node's (Skipped and Omitted give Succeeded); then spec.onExit runs with
  {{workflow.status}} (Succeeded, Failed, Error) and {{workflow.failures}}
  (a JSON list of {displayName, message, templateName, phase, podName,
  finishedAt} of the Failed and Error nodes); an exit handler that fails
  turns a Succeeded workflow Failed (Error: Error), and leaves a failed one
  as it was.
- docs/walk-through/conditionals.md and workflow/controller/steps.go
  shouldExecute: `when` is substituted ({{tasks.X.outputs.parameters.P}},
  {{inputs.parameters.P}}, {{workflow.status}}, ...) and then evaluated by
  govaluate, whose variables (bare words) are taken as strings: "heads ==
  tails".  Here: ==, !=, <, <=, >, >=, &&, ||, !, parentheses, quoted
  strings, numbers, true/false, bare words; anything else (a '-' between
  words, which govaluate reads as a minus) is an Error of the task.
- docs/conditional-artifacts-parameters.md, docs/variables.md,
  workflow/controller/scope.go resolveArtifact: `fromExpression` is an expr
  expression over tasks.NAME.status and tasks.NAME.outputs.artifacts.A
  (tasks['NAME'] for a name with '-'); here: ternary ?:, ==, !=, &&, ||,
  !, parentheses, string literals, member and ['key'] access (a missing key
  is nil; a member of nil is an error).  It is honoured in a DAG
  template's outputs.artifacts.  In a task's arguments.artifacts it is
  REFUSED (exit 2): Argo's validator (workflow/validate/validate.go,
  validateArguments) rejects an argument artifact without `from` or a
  location ("from, artifact location, or key is required"), so such a
  manifest would not be accepted by `argo submit`.
- docs/retries.md, docs/walk-through/retrying-failed-or-errored-steps.md:
  retryStrategy.limit is the number of retries after the first attempt
  (limit + 1 attempts at most); retryPolicy OnFailure (the default)
  retries a Failed attempt, OnError an Error, Always both; `expression`
  (lastRetry.exitCode, .status, .duration, .message; asInt, asFloat, <,
  <=, >, >=) must be true too, and alone decides without a retryPolicy
  (v3.5 and later).  lastRetry.exitCode is "-1" when there is none: a pod
  that did not start, or killed at its deadline (an assumption: Kubernetes
  kills the pod, not the process).  The backoff
  (duration, factor, cap, maxDuration) is checked for form and not waited
  for: what the tests compare is the number of attempts and the result.
- activeDeadlineSeconds of a template: the pod is killed after that many
  seconds and the attempt is Failed ("Pod was active on the node longer
  than the specified deadline"), which OnFailure retries.
- docs/walk-through/output-parameters.md, docs/walk-through/artifacts.md:
  outputs.parameters valueFrom.path (the file's content as it is, a final
  newline kept, as workflow/executor/executor.go SaveParameters reads it;
  `default` when the file is missing), outputs.artifacts path and globalName (published as
  {{workflow.outputs.artifacts.NAME}}, the last node to publish a name
  wins, as the controller's addOutputsToGlobalScope overwrites), DAG
  outputs.artifacts `from`/`fromExpression`.  A Succeeded pod whose
  declared output file is missing (not `optional`) is an Error; a Failed
  pod's missing outputs are simply absent.

How a pod runs here: its `command` + `args`, substituted, as a process (no
shell), `cadence` as the first word replaced by --cadence; the working
directory is --workdir, or the container's workingDir (a relative one
under --workdir, made if missing; an absolute one as written: it must
exist).  The
environment is this process's plus the container's `env` (name, value);
standard input is empty, standard output goes to standard error (the
summary alone is on standard output).
Container paths are private per pod, mapped into a new temporary
directory POD: an argument becomes POD + the argument when it is a path
the template declares (an input or output artifact's `path`, an output
parameter's valueFrom.path) or lies under one, or lies under the
directory of one (other than / and /tmp: /tmp/cadence/x for a declared
/tmp/cadence/in.json), or starts with /tmp/ and does not exist on this
host (a path under /tmp the host has, a plugin in a build directory, is
taken as the image's and left alone).  --mount C=D maps what the image
would hold (the cadence file, its executables): an argument equal to C
or starting with C/ becomes D + the rest (before the rules above; the
first --mount that matches wins).  Input artifacts are
copied to POD + path before the process starts; outputs are read from
there after it ends.  Artifacts are files (a directory artifact is not
supported).

Order: the tasks of a DAG run one at a time.  At each round every task
whose dependencies are all fulfilled ("ready") runs, in the order of the
manifest, before the next round: an order Argo is free to use, since it
starts ready tasks in parallel and with no order among them.  A nested DAG
runs to its end inside its task.

Unsupported: any field this file does not name (steps, script, resource,
withItems, templateRef, hooks, synchronization, a workflow-level
activeDeadlineSeconds, ...) is a harness error, exit 2, naming the field,
so that a test cannot pass by a field silently ignored.  A few fields with
no effect on a local run are accepted and ignored: metadata, image,
imagePullPolicy, resources, serviceAccountName, podGC, ttlStrategy,
archive, and a CronWorkflow's schedule fields (its spec.workflowSpec runs).

Output: a JSON summary on standard output,
  {"phase": "Succeeded"|"Failed"|"Error",
   "nodes": {"main.task": phase, ...},          (onExit nodes: "onExit...")
   "attempts": {"main.task": n, ...},           (pods started per task)
   "messages": {"main.task": "why", ...},
   "outputs": {"artifacts": {globalName: content, parsed as JSON when it is},
               "parameters": {globalName: value}}}
and exit 0: the workflow's phase is data.  Exit 2: a usage error, a
manifest that cannot be read or uses what is not supported.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time


class HarnessError(Exception):
    """Not a workflow's failure: this harness cannot run the manifest."""


class NodeError(Exception):
    """An Error of one node (Argo's NodeError), with its message."""


# --- fields -------------------------------------------------------------------
INERT = object()  # accepted, no effect on a local run
FIELDS = {
    "manifest": {"apiVersion": None, "kind": None, "metadata": INERT, "spec": None},
    "cron": {"workflowSpec": "spec", "schedule": INERT, "schedules": INERT,
             "timezone": INERT, "concurrencyPolicy": INERT,
             "startingDeadlineSeconds": INERT, "successfulJobsHistoryLimit": INERT,
             "failedJobsHistoryLimit": INERT, "suspend": INERT,
             "workflowMetadata": INERT},
    "spec": {"entrypoint": None, "arguments": "arguments", "templates": ["template"],
             "onExit": None, "serviceAccountName": INERT, "podGC": INERT,
             "ttlStrategy": INERT, "workflowMetadata": INERT, "podMetadata": INERT},
    "arguments": {"parameters": ["argparam"], "artifacts": ["argart"]},
    "argparam": {"name": None, "value": None, "description": INERT},
    "argart": {"name": None, "from": None, "fromExpression": None, "raw": "raw"},
    "raw": {"data": None},
    "template": {"name": None, "dag": "dag", "container": "container",
                 "inputs": "inputs", "outputs": "outputs",
                 "retryStrategy": "retry", "activeDeadlineSeconds": None,
                 "metadata": INERT},
    "container": {"name": INERT, "image": INERT, "imagePullPolicy": INERT,
                  "resources": INERT, "command": None, "args": None,
                  "env": ["env"], "workingDir": None},
    "env": {"name": None, "value": None},
    "dag": {"tasks": ["task"], "failFast": None},
    "task": {"name": None, "template": None, "depends": None, "dependencies": None,
             "when": None, "arguments": "arguments"},
    "inputs": {"parameters": ["inparam"], "artifacts": ["inart"]},
    "inparam": {"name": None, "value": None, "description": INERT},
    "inart": {"name": None, "path": None, "raw": "raw", "optional": None},
    "outputs": {"parameters": ["outparam"], "artifacts": ["outart"]},
    "outparam": {"name": None, "valueFrom": "valuefrom", "globalName": None},
    "valuefrom": {"path": None, "default": None, "expression": None},
    "outart": {"name": None, "path": None, "globalName": None, "from": None,
               "fromExpression": None, "optional": None, "archive": INERT},
    "retry": {"limit": None, "retryPolicy": None, "expression": None, "backoff": "backoff"},
    "backoff": {"duration": None, "factor": None, "cap": None, "maxDuration": None},
}


def strict(obj, kind, path):
    """Every key of obj is one FIELDS[kind] names, recursively."""
    if not isinstance(obj, dict):
        raise HarnessError(f"{path}: expected a mapping ({kind})")
    allowed = FIELDS[kind]
    for key, val in obj.items():
        if key not in allowed:
            raise HarnessError(f"{path}.{key}: field not supported by argo_exec.py "
                               f"(supported here: {', '.join(sorted(allowed))})")
        sub = allowed[key]
        if sub is None or sub is INERT:
            continue
        if isinstance(sub, list):
            if not isinstance(val, list):
                raise HarnessError(f"{path}.{key}: expected a list")
            for i, item in enumerate(val):
                strict(item, sub[0], f"{path}.{key}[{i}]")
        else:
            strict(val, sub, f"{path}.{key}")


# --- phases -------------------------------------------------------------------
SUCCEEDED, FAILED, ERROR, SKIPPED, OMITTED = "Succeeded", "Failed", "Error", "Skipped", "Omitted"
FULFILLED = {SUCCEEDED, FAILED, ERROR, SKIPPED, OMITTED}
COMPLETED = {SUCCEEDED, FAILED, ERROR}  # NodePhase.Completed(): not Skipped, Omitted


# --- depends ------------------------------------------------------------------
DEP_TOKEN = re.compile(r"\s*(\(|\)|&&|\|\||!|[A-Za-z0-9][-A-Za-z0-9]*(?:\.[A-Za-z]+)?)")
RESULTS = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned",
           "AnySucceeded", "AllFailed")


def tokenize_depends(expr, where):
    toks, pos = [], 0
    expr = expr.strip()
    while pos < len(expr):
        m = DEP_TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise HarnessError(f"{where}: cannot read the depends expression at "
                               f"'{expr[pos:]}'")
        toks.append(m.group(1))
        pos = m.end()
        while pos < len(expr) and expr[pos].isspace():
            pos += 1
    return toks


def depends_tasks(expr, where):
    names = []
    for t in tokenize_depends(expr, where):
        if t in ("(", ")", "&&", "||", "!"):
            continue
        name, _, result = t.partition(".")
        if result and result not in RESULTS:
            raise HarnessError(f"{where}: '{t}': unknown task result '{result}'")
        if name not in names:
            names.append(name)
    return names


def eval_depends(expr, phases, where):
    """The enhanced depends expression over the fulfilled phases."""
    toks = tokenize_depends(expr, where)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take():
        pos[0] += 1
        return toks[pos[0] - 1]

    def operand(tok):
        name, _, result = tok.partition(".")
        ph = phases[name]
        if not result:  # docs: TASK is (TASK.Succeeded || TASK.Skipped || TASK.Daemoned)
            return ph in (SUCCEEDED, SKIPPED)
        return {"Succeeded": ph == SUCCEEDED, "Failed": ph == FAILED,
                "Errored": ph == ERROR, "Skipped": ph == SKIPPED,
                "Omitted": ph == OMITTED, "Daemoned": False,
                # no withItems here: a task is no task group, so both false
                # (dag.go: allFailed needs children; anySucceeded a child)
                "AnySucceeded": False, "AllFailed": False}[result]

    def primary():
        tok = take() if peek() is not None else None
        if tok == "(":
            v = disj()
            if take() != ")":
                raise HarnessError(f"{where}: ')' expected in depends '{expr}'")
            return v
        if tok == "!":
            return not primary()
        if tok is None or tok in (")", "&&", "||"):
            raise HarnessError(f"{where}: malformed depends '{expr}'")
        return operand(tok)

    def conj():
        v = primary()
        while peek() == "&&":
            take()
            r = primary()
            v = v and r
        return v

    def disj():
        v = conj()
        while peek() == "||":
            take()
            r = conj()
            v = v or r
        return v

    v = disj()
    if peek() is not None:
        raise HarnessError(f"{where}: malformed depends '{expr}'")
    return v


# --- when (govaluate, variables as strings) -----------------------------------
WHEN_TOKEN = re.compile(r"""\s*(?:(?P<num>\d+(?:\.\d+)?)(?![\w.])|(?P<str>'[^']*'|"[^"]*")|"""
                        r"""(?P<op>==|!=|<=|>=|&&|\|\||[<>!()])|(?P<word>[A-Za-z_][\w.]*))""")


def eval_when(text):
    """govaluate's result for a substituted `when`, or NodeError."""
    toks, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = WHEN_TOKEN.match(text, pos)
        if not m:
            raise NodeError(f"Invalid 'when' expression '{text}': cannot read "
                            f"'{text[pos:].strip()}' (this harness knows ==, !=, <, >, "
                            "<=, >=, &&, ||, !, parentheses, strings and numbers)")
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if m.group("num"):
            toks.append(("v", float(m.group("num"))))
        elif m.group("str"):
            toks.append(("v", m.group("str")[1:-1]))
        elif m.group("word"):
            w = m.group("word")
            toks.append(("v", {"true": True, "false": False}.get(w, w)))
        else:
            toks.append(("op", m.group("op")))
    i = [0]

    def peek():
        return toks[i[0]] if i[0] < len(toks) else (None, None)

    def take():
        i[0] += 1
        return toks[i[0] - 1]

    def primary():
        if i[0] >= len(toks):
            raise NodeError(f"Invalid 'when' expression '{text}': unexpected end")
        kind, v = take()
        if kind == "v":
            return v
        if v == "(":
            r = disj()
            if take() != ("op", ")"):
                raise NodeError(f"Invalid 'when' expression '{text}': ')' expected")
            return r
        if v == "!":
            r = primary()
            if not isinstance(r, bool):
                raise NodeError(f"Invalid 'when' expression '{text}': '!' of a non-boolean")
            return not r
        raise NodeError(f"Invalid 'when' expression '{text}': unexpected '{v}'")

    def cmp():
        a = primary()
        kind, op = peek()
        if kind == "op" and op in ("==", "!=", "<", "<=", ">", ">="):
            take()
            b = primary()
            if op == "==":
                return type(a) is type(b) and a == b
            if op == "!=":
                return not (type(a) is type(b) and a == b)
            if not (isinstance(a, float) and isinstance(b, float)):
                raise NodeError(f"Invalid 'when' expression '{text}': '{op}' of non-numbers")
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        return a

    def chain(op, operand):
        """operand (op operand)*: && or || over booleans (govaluate
        evaluates both sides)"""
        def parse():
            a = operand()
            while peek() == ("op", op):
                take()
                b = boolean(operand())
                a = boolean(a) and b if op == "&&" else boolean(a) or b
            return a
        return parse

    conj = chain("&&", cmp)
    disj = chain("||", conj)

    def boolean(v):
        if not isinstance(v, bool):
            raise NodeError(f"Invalid 'when' expression '{text}': '{v}' is not a boolean")
        return v

    r = disj()
    if i[0] != len(toks):
        raise NodeError(f"Invalid 'when' expression '{text}': unexpected '{toks[i[0]][1]}'")
    return boolean(r)


# --- fromExpression (expr) ----------------------------------------------------
class Artifact:
    def __init__(self, path, name):
        self.path = path
        self.name = name


EXPR_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|"""
                        r"""(?P<num>\d+(?:\.\d+)?)|"""
                        r"""(?P<op>==|!=|<=|>=|&&|\|\||[<>?:!().,\[\]])|(?P<word>[A-Za-z_]\w*))""")


def as_number(kind):
    """expr's asInt / asFloat (Argo's expression functions): a string or a
    number as an int or a float; anything else fails."""
    def conv(v, text):
        try:
            return kind(v) if kind is float else int(str(v), 10) if isinstance(v, str) else int(v)
        except (TypeError, ValueError) as e:
            raise NodeError(f"expression '{text}': cannot convert {v!r}") from e
    return conv


EXPR_FUNCS = {"asInt": as_number(int), "asFloat": as_number(float)}


def eval_expr(text, env):
    """An expr-lang expression of the subset above; NodeError when it fails."""
    toks, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = EXPR_TOKEN.match(text, pos)
        if not m:
            raise NodeError(f"expression '{text}': cannot read '{text[pos:].strip()}'")
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if m.group("str"):
            toks.append(("v", m.group("str")[1:-1]))
        elif m.group("num"):
            n = m.group("num")
            toks.append(("v", float(n) if "." in n else int(n)))
        elif m.group("word"):
            toks.append(("w", m.group("word")))
        else:
            toks.append(("op", m.group("op")))
    i = [0]

    def peek():
        return toks[i[0]] if i[0] < len(toks) else (None, None)

    def take(want=None):
        if i[0] >= len(toks):
            raise NodeError(f"expression '{text}': unexpected end")
        t = toks[i[0]]
        if want and t != ("op", want):
            raise NodeError(f"expression '{text}': '{want}' expected, not '{t[1]}'")
        i[0] += 1
        return t

    # lazy values: a branch not taken is never evaluated (expr's ?: too)
    def member(v, key):
        if v is None:
            raise NodeError(f"expression '{text}': cannot fetch '{key}' from nil")
        if isinstance(v, dict):
            return v.get(key)
        raise NodeError(f"expression '{text}': cannot fetch '{key}' from {type(v).__name__}")

    def primary():
        kind, v = take()
        if kind == "v":
            val = v
        elif kind == "w":
            if v in ("true", "false", "nil"):
                val = {"true": True, "false": False, "nil": None}[v]
            elif v in EXPR_FUNCS and peek() == ("op", "("):
                take("(")
                args = [ternary()]
                while peek() == ("op", ","):
                    take(",")
                    args.append(ternary())
                take(")")
                if len(args) != 1:
                    raise NodeError(f"expression '{text}': {v} takes one argument")
                val = EXPR_FUNCS[v](args[0], text)
            elif v in env:
                val = env[v]
            else:
                raise NodeError(f"expression '{text}': unknown name '{v}'")
        elif v == "(":
            val = ternary()
            take(")")
        elif v == "!":
            r = primary()
            if not isinstance(r, bool):
                raise NodeError(f"expression '{text}': '!' of a non-boolean")
            return not r
        else:
            raise NodeError(f"expression '{text}': unexpected '{v}'")
        while peek() in (("op", "."), ("op", "[")):
            _, op = take()
            if op == ".":
                k, key = take()
                if k != "w":
                    raise NodeError(f"expression '{text}': a name expected after '.'")
            else:
                k, key = take()
                if k != "v":
                    raise NodeError(f"expression '{text}': a string expected in []")
                take("]")
            val = member(val, key)
        return val

    def cmp():
        a = primary()
        if peek() in (("op", "=="), ("op", "!=")):
            _, op = take()
            b = primary()
            eq = a is b if isinstance(a, Artifact) or isinstance(b, Artifact) else a == b
            return eq if op == "==" else not eq
        if peek() in (("op", "<"), ("op", "<="), ("op", ">"), ("op", ">=")):
            _, op = take()
            b = primary()
            nums = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
            if not nums and not (isinstance(a, str) and isinstance(b, str)):
                raise NodeError(f"expression '{text}': '{op}' of {a!r} and {b!r}")
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        return a

    def conj():
        a = cmp()
        while peek() == ("op", "&&"):
            take()
            if not a:
                skip_operand()
                continue
            a = bool(cmp())
        return a

    def disj():
        a = conj()
        while peek() == ("op", "||"):
            take()
            if a is True:
                skip_operand()
                while peek() == ("op", "&&"):
                    take()
                    skip_operand()
                continue
            a = bool(conj())
        return a

    def skip_operand():
        # parse without evaluating: remember, evaluate on a copy env-free
        depth = 0
        while i[0] < len(toks):
            t = toks[i[0]]
            if depth == 0 and t in (("op", "&&"), ("op", "||"), ("op", "?"),
                                    ("op", ":"), ("op", ")")):
                return
            if t in (("op", "("), ("op", "[")):
                depth += 1
            if t in (("op", ")"), ("op", "]")):
                depth -= 1
            i[0] += 1

    def skip_branch():
        depth = 0
        nested = 0
        while i[0] < len(toks):
            t = toks[i[0]]
            if t in (("op", "("), ("op", "[")):
                depth += 1
            elif t in (("op", ")"), ("op", "]")):
                if depth == 0:
                    return
                depth -= 1
            elif depth == 0 and t == ("op", "?"):
                nested += 1
            elif depth == 0 and t == ("op", ":"):
                if nested == 0:
                    return
                nested -= 1
            i[0] += 1

    def ternary():
        c = disj()
        if peek() != ("op", "?"):
            return c
        take("?")
        if not isinstance(c, bool):
            raise NodeError(f"expression '{text}': the condition of ?: is not a boolean")
        if c:
            a = ternary()
            take(":")
            skip_branch()
            return a
        skip_branch()
        take(":")
        return ternary()

    r = ternary()
    if i[0] != len(toks):
        raise NodeError(f"expression '{text}': unexpected '{toks[i[0]][1]}'")
    return r


# --- substitution -------------------------------------------------------------
VAR = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def substitute(text, scope, where):
    def rep(m):
        key = m.group(1)
        if key not in scope:
            raise NodeError(f"{where}: unable to resolve {{{{{key}}}}}")
        return scope[key]
    return VAR.sub(rep, text)


def single_ref(text):
    m = VAR.fullmatch(text.strip())
    return m.group(1) if m else None


# --- the run ------------------------------------------------------------------
class Run:
    def __init__(self, doc, workdir, cadence, params, mounts=()):
        self.workdir = os.path.abspath(workdir)
        self.mounts = list(mounts)
        self.cadence = cadence
        kind = doc.get("kind")
        strict(doc, "manifest", "$")
        spec = doc.get("spec")
        if kind == "CronWorkflow":
            strict(spec, "cron", "$.spec")
            spec, base = spec.get("workflowSpec"), "$.spec.workflowSpec"
        elif kind in ("Workflow", "WorkflowTemplate"):
            base = "$.spec"
        else:
            raise HarnessError(f"$.kind: '{kind}' is not Workflow, WorkflowTemplate "
                               "or CronWorkflow")
        strict(spec, "spec", base)
        self.spec = spec
        self.base = base
        self.templates = {}
        for i, t in enumerate(spec.get("templates") or []):
            if t.get("name") in self.templates:
                raise HarnessError(f"{base}.templates[{i}].name: '{t.get('name')}' twice")
            self.templates[t.get("name")] = (t, f"{base}.templates[{i}]")
        meta = doc.get("metadata") or {}
        name = meta.get("name") or (meta.get("generateName") or "workflow-") + "local"
        self.globals = {"workflow.name": name, "workflow.namespace": "default",
                        "workflow.mainEntrypoint": spec.get("entrypoint", "")}
        self.global_arts = {}
        self.global_params = {}
        self.nodes = {}       # path -> phase, in the order they were decided
        self.attempts = {}
        self.messages = {}
        self.templates_of = {}
        args = spec.get("arguments") or {}
        for p in args.get("parameters") or []:
            self.globals["workflow.parameters." + p["name"]] = str(p.get("value", ""))
        for k, v in params.items():
            if "workflow.parameters." + k not in self.globals:
                raise HarnessError(f"--param {k}: the workflow declares no parameter '{k}'")
            self.globals["workflow.parameters." + k] = v
        for i, a in enumerate(args.get("artifacts") or []):
            if "raw" not in a:
                raise HarnessError(f"{base}.arguments.artifacts[{i}]: only raw.data "
                                   "is supported for a workflow's artifacts")
        # last: nothing above may fail once the directory exists (cleanup()
        # removes it, and main() calls it only for a Run made)
        self.tmp = tempfile.mkdtemp(prefix="argo-exec-")
        self.wf_arts = {a["name"]: self.raw_file(a["raw"].get("data", ""))
                        for a in args.get("artifacts") or []}

    def template(self, name, where):
        if name not in self.templates:
            raise HarnessError(f"{where}: no template '{name}'")
        return self.templates[name]

    def raw_file(self, data):
        fd, path = tempfile.mkstemp(dir=self.tmp, prefix="raw-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(str(data))
        return Artifact(path, "raw")

    def decide(self, path, phase, message=None, template=None):
        self.nodes[path] = phase
        if message:
            self.messages[path] = message
            print(f"argo_exec: {path}: {phase}: {message}", file=sys.stderr)
        if template:
            self.templates_of[path] = template

    # -- templates --
    def run_template(self, name, path, params, arts, where):
        """Runs template NAME as node PATH; returns (phase, outputs)."""
        t, tpath = self.template(name, where)
        if "dag" in t and "container" in t:
            raise HarnessError(f"{tpath}: both dag and container")
        inputs = self.bind_inputs(t, tpath, params, arts)
        if "dag" in t:
            for key in ("retryStrategy", "activeDeadlineSeconds"):
                if key in t:
                    raise HarnessError(f"{tpath}.{key}: not supported on a dag template here")
            return self.run_dag(t, tpath, path, inputs)
        if "container" in t:
            return self.run_container(t, tpath, path, inputs)
        raise HarnessError(f"{tpath}: a template of another type than dag or container "
                           f"({', '.join(k for k in t if k != 'name')})")

    def bind_inputs(self, t, tpath, params, arts):
        ins = t.get("inputs") or {}
        scope_p, scope_a = {}, {}
        for i, p in enumerate(ins.get("parameters") or []):
            n = p["name"]
            if n in params:
                scope_p[n] = params[n]
            elif "value" in p:
                scope_p[n] = str(p["value"])
            else:
                raise NodeError(f"inputs.parameters.{n} was not supplied")
        for n in params:
            if n not in scope_p:
                raise HarnessError(f"{tpath}.inputs: an argument parameter '{n}' the "
                                   "template does not declare")
        for i, a in enumerate(ins.get("artifacts") or []):
            n = a["name"]
            if n in arts:
                scope_a[n] = arts[n]
            elif "raw" in a:
                scope_a[n] = self.raw_file(a["raw"].get("data", ""))
            elif not a.get("optional"):
                raise NodeError(f"inputs.artifacts.{n} was not supplied")
        for n in arts:
            if n not in scope_a:
                raise HarnessError(f"{tpath}.inputs: an argument artifact '{n}' the "
                                   "template does not declare")
        return {"parameters": scope_p, "artifacts": scope_a}

    def string_scope(self, inputs):
        s = dict(self.globals)
        for k, v in inputs["parameters"].items():
            s["inputs.parameters." + k] = v
        for k, v in self.global_params.items():
            s["workflow.outputs.parameters." + k] = v
        return s

    # -- containers --
    def run_container(self, t, tpath, path, inputs):
        retry = t.get("retryStrategy")
        limit, policy, expression = 0, "OnFailure", None
        if retry is not None:
            expression = retry.get("expression")
            limit = retry.get("limit", 0)
            try:
                limit = int(str(limit))
            except ValueError as e:
                raise HarnessError(f"{tpath}.retryStrategy.limit: '{limit}' is no "
                                   "integer") from e
            # docs/retries.md: without a policy an expression alone decides
            # (v3.5 and later), else OnFailure; with both, both must agree
            policy = retry.get("retryPolicy", "Always" if expression else "OnFailure")
            if policy not in ("Always", "OnFailure", "OnError"):
                raise HarnessError(f"{tpath}.retryStrategy.retryPolicy: '{policy}' is "
                                   "not supported (Always, OnFailure, OnError)")
            for k, v in (retry.get("backoff") or {}).items():
                # seconds, or a Go duration ("1m30s"; Argo's docs add "1d")
                if not re.fullmatch(r"\d+|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+", str(v)):
                    raise HarnessError(f"{tpath}.retryStrategy.backoff.{k}: '{v}' is no "
                                       "duration or number")
        retried = {"Always": (FAILED, ERROR), "OnFailure": (FAILED,), "OnError": (ERROR,)}
        attempt = 0
        while True:
            attempt += 1
            self.attempts[path] = attempt
            started = time.monotonic()
            phase, outputs, msg, code = self.run_pod(t, tpath, path, inputs)
            if phase == SUCCEEDED or attempt > limit or phase not in retried[policy]:
                break
            if expression is not None:
                last = {"exitCode": code, "status": phase, "message": msg or "",
                        "duration": str(int(time.monotonic() - started))}
                try:
                    again = eval_expr(str(expression), {"lastRetry": last})
                except NodeError as e:
                    phase, msg = ERROR, f"retryStrategy.expression: {e}"
                    break
                if again is not True:
                    break
            print(f"argo_exec: {path}: attempt {attempt} {phase} ({msg}); retrying",
                  file=sys.stderr)
        self.decide(path, phase, msg if phase != SUCCEEDED else None, t["name"])
        if phase in COMPLETED:
            self.publish(t, outputs)
        return phase, outputs

    def publish(self, t, outputs):
        outs = t.get("outputs") or {}
        for a in outs.get("artifacts") or []:
            if a.get("globalName") and a["name"] in outputs["artifacts"]:
                self.global_arts[a["globalName"]] = outputs["artifacts"][a["name"]]
        for p in outs.get("parameters") or []:
            if p.get("globalName") and p["name"] in outputs["parameters"]:
                self.global_params[p["globalName"]] = outputs["parameters"][p["name"]]

    def run_pod(self, t, tpath, path, inputs):
        c = t["container"]
        pod = tempfile.mkdtemp(dir=self.tmp, prefix="pod-")
        outs = t.get("outputs") or {}
        declared = [a["path"] for a in (t.get("inputs") or {}).get("artifacts") or []
                    if "path" in a]
        declared += [a["path"] for a in outs.get("artifacts") or [] if "path" in a]
        declared += [p["valueFrom"]["path"] for p in outs.get("parameters") or []
                     if "path" in (p.get("valueFrom") or {})]
        for d in declared:
            if not isinstance(d, str) or not d.startswith("/"):
                raise HarnessError(f"{tpath}: artifact/parameter path '{d}' is not absolute")

        # the directories of the declared paths, but /tmp and /: the pod's
        # scratch directories (/tmp/cadence for /tmp/cadence/in.json)
        scratch = {os.path.dirname(d.rstrip("/")) for d in declared} - {"/", "/tmp"}

        def mapped(arg):
            for c_dir, h_dir in self.mounts:
                if arg == c_dir or arg.startswith(c_dir + "/"):
                    return h_dir + arg[len(c_dir):]
            for d in declared:
                if arg == d or arg.startswith(d.rstrip("/") + "/"):
                    return pod + arg
            for d in scratch:
                if arg.startswith(d + "/"):
                    return pod + arg
            # a path under /tmp that the host has is the image's (a plugin
            # in a build directory under /tmp): left as it is
            return pod + arg if arg.startswith("/tmp/") and not os.path.exists(arg) else arg

        scope = self.string_scope(inputs)
        for a in (t.get("inputs") or {}).get("artifacts") or []:
            if "path" in a:
                scope[f"inputs.artifacts.{a['name']}.path"] = a["path"]
        for a in outs.get("artifacts") or []:
            if "path" in a:
                scope[f"outputs.artifacts.{a['name']}.path"] = a["path"]
        for p in outs.get("parameters") or []:
            if "path" in (p.get("valueFrom") or {}):
                scope[f"outputs.parameters.{p['name']}.path"] = p["valueFrom"]["path"]
        try:
            argv = [substitute(str(x), scope, f"{tpath}.container")
                    for x in (c.get("command") or []) + (c.get("args") or [])]
            env = dict(os.environ)
            for e in c.get("env") or []:
                env[e["name"]] = substitute(str(e.get("value", "")), scope,
                                            f"{tpath}.container.env")
        except NodeError as e:
            return ERROR, empty_outputs(), str(e), "-1"
        if not argv:
            raise HarnessError(f"{tpath}.container: no command (an image's entrypoint "
                               "cannot run here)")
        argv = [mapped(a) for a in argv]
        if argv[0] == "cadence":
            if not self.cadence:
                raise HarnessError(f"{tpath}: the command is 'cadence': pass --cadence")
            argv[0] = self.cadence
        cwd = self.workdir
        if "workingDir" in c:
            wd = c["workingDir"]
            cwd = wd if os.path.isabs(wd) else os.path.join(self.workdir, wd)
            if not os.path.isabs(wd):
                os.makedirs(cwd, exist_ok=True)  # as a container runtime makes it
            if not os.path.isdir(cwd):
                raise HarnessError(f"{tpath}.container.workingDir: '{cwd}' is no directory")
        for a in (t.get("inputs") or {}).get("artifacts") or []:
            art = inputs["artifacts"].get(a["name"])
            if art is None:
                continue
            if "path" not in a:
                raise HarnessError(f"{tpath}.inputs.artifacts: '{a['name']}' has no path")
            dest = pod + a["path"]
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(art.path, dest)
        for d in declared:
            os.makedirs(os.path.dirname(pod + d), exist_ok=True)
        deadline = t.get("activeDeadlineSeconds")
        if deadline is not None:
            try:
                deadline = float(str(deadline))
            except ValueError as e:
                raise HarnessError(f"{tpath}.activeDeadlineSeconds: '{deadline}' is no "
                                   "number") from e
        try:
            # the container's standard output goes to standard error: the
            # summary alone is on standard output; both to sys.stderr's
            # file, which a test that calls main() in-process redirects
            sys.stderr.flush()
            err = sys.stderr.fileno()
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                    stdout=err, stderr=err, start_new_session=True)
        except OSError as e:
            # the container cannot start: Argo reports the pod as Error
            return ERROR, empty_outputs(), f"cannot start {argv[0]}: {e.strerror}", "-1"
        try:
            rc = proc.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return FAILED, self.collect(t, pod, False)[0], \
                "Pod was active on the node longer than the specified deadline", "-1"
        ok = rc == 0
        outputs, missing = self.collect(t, pod, ok)
        if ok and missing:
            return ERROR, outputs, missing, str(rc)
        if ok:
            return SUCCEEDED, outputs, None, "0"
        return FAILED, outputs, f"Error (exit code {rc})", str(rc)

    def collect(self, t, pod, ok):
        """The pod's outputs; for a Succeeded pod, what is missing."""
        outs = t.get("outputs") or {}
        res = empty_outputs()
        missing = []
        for a in outs.get("artifacts") or []:
            if "path" not in a:
                raise HarnessError(f"template {t['name']}: output artifact '{a['name']}' "
                                   "of a container needs a path")
            src = pod + a["path"]
            if os.path.isfile(src):
                keep = tempfile.mkstemp(dir=self.tmp, prefix="art-")
                os.close(keep[0])
                shutil.copyfile(src, keep[1])
                res["artifacts"][a["name"]] = Artifact(keep[1], a["name"])
            elif os.path.isdir(src):
                raise HarnessError(f"template {t['name']}: output artifact '{a['name']}' "
                                   "is a directory: not supported")
            elif not a.get("optional"):
                missing.append(f"failed to save outputs: {a['path']}: no such file "
                               f"(artifact '{a['name']}')")
        for p in outs.get("parameters") or []:
            vf = p.get("valueFrom") or {}
            if "path" not in vf:
                raise HarnessError(f"template {t['name']}: output parameter '{p['name']}' "
                                   "of a container needs valueFrom.path")
            src = pod + vf["path"]
            if os.path.isfile(src):
                with open(src, encoding="utf-8", errors="replace") as f:
                    res["parameters"][p["name"]] = f.read()
            elif "default" in vf:
                res["parameters"][p["name"]] = str(vf["default"])
            else:
                missing.append(f"failed to read output parameter '{p['name']}': "
                               f"{vf['path']}: no such file")
        return res, "; ".join(missing)

    # -- DAGs --
    def run_dag(self, t, tpath, path, inputs):
        tasks = [dict(x) for x in t["dag"].get("tasks") or []]  # the manifest stays as it is
        if not tasks:
            raise HarnessError(f"{tpath}.dag.tasks: no task")
        names = [x["name"] for x in tasks]
        if len(set(names)) != len(names):
            raise HarnessError(f"{tpath}.dag.tasks: a task name twice")
        deps = {}
        for i, task in enumerate(tasks):
            where = f"{tpath}.dag.tasks[{i}]"
            if "depends" in task and "dependencies" in task:
                raise HarnessError(f"{where}: both depends and dependencies")
            if "dependencies" in task:  # the docs: [A, B] is "A && B"
                task["depends"] = " && ".join(task.pop("dependencies"))
            d = depends_tasks(task.get("depends", ""), f"{where}.depends")
            for n in d:
                if n not in names:
                    raise HarnessError(f"{where}.depends: no task '{n}' in this DAG")
            deps[task["name"]] = d
        ancestors = {}

        def anc(n, seen=()):
            if n in seen:
                raise HarnessError(f"{tpath}.dag: a dependency cycle through '{n}'")
            if n not in ancestors:
                acc = set()
                for d in deps[n]:
                    acc |= {d} | anc(d, seen + (n,))
                ancestors[n] = acc
            return ancestors[n]

        for n in names:
            anc(n)
        phases, outputs = {}, {}
        while True:
            ready = [x for x in tasks if x["name"] not in phases
                     and all(d in phases for d in deps[x["name"]])]
            if not ready:
                break
            for i, task in ((tasks.index(x), x) for x in ready):
                n = task["name"]
                where = f"{tpath}.dag.tasks[{i}]"
                phases[n], outputs[n] = self.run_task(task, where, f"{path}.{n}", inputs,
                                                      {a: (phases[a], outputs[a])
                                                       for a in ancestors[n]}, phases)
        phase = assess_dag(names, deps, phases)
        result = empty_outputs()
        if phase == SUCCEEDED:
            try:
                result = self.dag_outputs(t, tpath, inputs,
                                          {n: (phases[n], outputs[n]) for n in names})
            except NodeError as e:
                self.decide(path, ERROR, str(e), t["name"])
                return ERROR, empty_outputs()
        self.decide(path, phase, None if phase == SUCCEEDED else
                    "child of the DAG failed" if phase == FAILED else "child errored",
                    t["name"])
        if phase == SUCCEEDED:
            self.publish(t, result)
        return phase, result

    def dag_outputs(self, t, tpath, inputs, done):
        outs = t.get("outputs") or {}
        res = empty_outputs()
        for i, p in enumerate(outs.get("parameters") or []):
            # docs/conditional-artifacts-parameters.md: a DAG's output
            # parameter from an expr expression over its tasks
            vf = p.get("valueFrom") or {}
            if set(vf) != {"expression"}:
                raise HarnessError(f"{tpath}.outputs.parameters[{i}]: a dag template's "
                                   "output parameter is supported here with "
                                   "valueFrom.expression only")
            v = eval_expr(vf["expression"], self.task_scopes(inputs, done)[2])
            if not isinstance(v, str):
                raise NodeError(f"{tpath}.outputs.parameters[{i}]: '{vf['expression']}' "
                                f"gives {v!r}, not a string")
            res["parameters"][p["name"]] = v
        for i, a in enumerate(outs.get("artifacts") or []):
            where = f"{tpath}.outputs.artifacts[{i}]"
            if "path" in a:
                raise HarnessError(f"{where}.path: only valid in a container template")
            res["artifacts"][a["name"]] = self.resolve_artifact(a, where, inputs, done)
        return res

    def task_scopes(self, inputs, done):
        """The string scope and the expr env a task (or a DAG's outputs) sees."""
        s = self.string_scope(inputs)
        arts = {"inputs.artifacts." + k: v for k, v in inputs["artifacts"].items()}
        arts.update({"workflow.outputs.artifacts." + k: v
                     for k, v in self.global_arts.items()})
        tasks_env = {}
        for n, (ph, out) in done.items():
            s[f"tasks.{n}.status"] = ph
            for k, v in out["parameters"].items():
                s[f"tasks.{n}.outputs.parameters.{k}"] = v
            for k, v in out["artifacts"].items():
                arts[f"tasks.{n}.outputs.artifacts.{k}"] = v
            tasks_env[n] = {"status": ph, "outputs": {"parameters": dict(out["parameters"]),
                                                      "artifacts": dict(out["artifacts"])}}
        env = {"tasks": tasks_env,
               "inputs": {"parameters": dict(inputs["parameters"]),
                          "artifacts": dict(inputs["artifacts"])},
               "workflow": {"status": self.globals.get("workflow.status"),
                            "outputs": {"artifacts": dict(self.global_arts),
                                        "parameters": dict(self.global_params)}}}
        return s, arts, env

    def resolve_artifact(self, a, where, inputs, done):
        s, arts, env = self.task_scopes(inputs, done)
        if "raw" in a:
            return self.raw_file(a["raw"].get("data", ""))
        if "from" in a and "fromExpression" in a:
            raise HarnessError(f"{where}: both from and fromExpression")
        if "from" in a:
            key = single_ref(a["from"])
            if key is None:
                raise HarnessError(f"{where}.from: '{a['from']}' is not one {{{{...}}}} "
                                   "reference")
            if key not in arts:
                raise NodeError(f"{where}.from: unable to resolve {{{{{key}}}}}")
            return arts[key]
        if "fromExpression" in a:
            v = eval_expr(a["fromExpression"], env)
            if not isinstance(v, Artifact):
                raise NodeError(f"{where}.fromExpression: '{a['fromExpression']}' gives "
                                f"{v!r}, not an artifact")
            return v
        raise HarnessError(f"{where}: neither from, fromExpression nor raw")

    def run_task(self, task, where, path, inputs, done, phases):
        """One DAG task: depends, when, arguments, its template."""
        if task.get("depends") and not eval_depends(task["depends"], phases,
                                                    f"{where}.depends"):
            self.decide(path, OMITTED, "omitted: depends condition not met")
            return OMITTED, empty_outputs()
        if "template" not in task:
            raise HarnessError(f"{where}: no template (templateRef and inline are not "
                               "supported)")
        s, arts, env = self.task_scopes(inputs, done)
        try:
            if "when" in task:
                when = substitute(str(task["when"]), s, f"{where}.when")
                if not eval_when(when):
                    self.decide(path, SKIPPED, f"when '{when}' evaluated false")
                    return SKIPPED, empty_outputs()
            args = task.get("arguments") or {}
            params = {p["name"]: substitute(str(p.get("value", "")), s,
                                            f"{where}.arguments.parameters")
                      for p in args.get("parameters") or []}
            argarts = {}
            for j, a in enumerate(args.get("artifacts") or []):
                aw = f"{where}.arguments.artifacts[{j}]"
                if "fromExpression" in a and "from" not in a:
                    raise HarnessError(
                        f"{aw}: 'fromExpression' without 'from' in a task's arguments: "
                        "Argo's validator rejects it (validate.go validateArguments: "
                        "'from, artifact location, or key is required'); put the "
                        "fromExpression in a DAG template's outputs.artifacts")
                argarts[a["name"]] = self.resolve_artifact(a, aw, inputs, done)
            return self.run_template(task["template"], path, params, argarts,
                                     f"{where}.template")
        except NodeError as e:
            self.decide(path, ERROR, str(e), task.get("template"))
            return ERROR, empty_outputs()

    # -- the workflow --
    def run(self):
        spec = self.spec
        entry = spec.get("entrypoint")
        if not entry:
            raise HarnessError(f"{self.base}.entrypoint: missing")
        t, tpath = self.template(entry, f"{self.base}.entrypoint")
        # the entrypoint's inputs come from spec.arguments (by name)
        params = {p["name"]: self.globals["workflow.parameters." + p["name"]]
                  for p in (spec.get("arguments") or {}).get("parameters") or []
                  if any(q["name"] == p["name"]
                         for q in (t.get("inputs") or {}).get("parameters") or [])}
        arts = {n: a for n, a in self.wf_arts.items()
                if any(q["name"] == n for q in (t.get("inputs") or {}).get("artifacts") or [])}
        try:
            phase, _ = self.run_template(entry, entry, params, arts,
                                         f"{self.base}.entrypoint")
        except NodeError as e:
            self.decide(entry, ERROR, str(e), entry)
            phase = ERROR
        status = {SUCCEEDED: SUCCEEDED, SKIPPED: SUCCEEDED, OMITTED: SUCCEEDED,
                  FAILED: FAILED, ERROR: ERROR}[phase]
        if spec.get("onExit"):
            self.globals["workflow.status"] = status
            failures = [{"displayName": p.rsplit(".", 1)[-1], "message": self.messages.get(p, ""),
                         "templateName": self.templates_of.get(p, ""), "phase": ph,
                         "podName": p, "finishedAt": None}
                        for p, ph in self.nodes.items() if ph in (FAILED, ERROR)]
            self.globals["workflow.failures"] = json.dumps(failures, separators=(",", ":"))
            try:
                exit_phase, _ = self.run_template(spec["onExit"], "onExit", {}, {},
                                                  f"{self.base}.onExit")
            except NodeError as e:
                self.decide("onExit", ERROR, str(e), spec["onExit"])
                exit_phase = ERROR
            if status == SUCCEEDED and exit_phase in (FAILED, ERROR):
                status = exit_phase
        return status

    def summary(self, status):
        arts = {}
        for name, a in self.global_arts.items():
            with open(a.path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            try:
                arts[name] = json.loads(text)
            except ValueError:
                arts[name] = text
        return {"phase": status, "nodes": self.nodes, "attempts": self.attempts,
                "messages": self.messages,
                "outputs": {"artifacts": arts, "parameters": dict(self.global_params)}}

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def empty_outputs():
    return {"parameters": {}, "artifacts": {}}


def assess_dag(names, deps, phases):
    """dag.go assessDAGPhase, on the task graph (see the top of the file)."""
    children = {n: [] for n in names}
    for n in names:
        for d in deps[n]:
            children[d].append(n)
    leaves = sorted(n for n in names if not children[n])
    target = {}
    roots = [n for n in names if not deps[n]]
    queue = [(n, SUCCEEDED) for n in roots]
    seen = set(queue)
    while queue:
        n, branch = queue.pop(0)
        ph = phases.get(n)
        if ph is None:
            continue  # never created: its ancestors' phases decide below
        if ph in COMPLETED:
            branch = ph
        if not children[n]:
            if target.get(n) not in (FAILED, ERROR):
                target[n] = branch
        for c in children[n]:
            if (c, branch) not in seen:
                seen.add((c, branch))
                queue.append((c, branch))
    for n in leaves:
        ph = target.get(n)
        if ph is None:
            # every task is decided when the DAG ends here, so a leaf without
            # a branch phase cannot happen: a harness bug, not a result
            raise HarnessError(f"internal: no phase for leaf task '{n}'")
        if ph in (FAILED, ERROR):
            return ph  # failFast (the default) stops at the first
    return SUCCEEDED


def parse_param(text):
    k, eq, v = text.partition("=")
    if not eq or not k:
        raise HarnessError(f"--param '{text}': expected KEY=VALUE")
    return k, v


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise HarnessError(f"{path}: cannot read: {e.strerror}") from e
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        import yaml
    except ImportError as e:
        raise HarnessError(f"{path}: not JSON, and python3-yaml is missing") from e
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise HarnessError(f"{path}: neither JSON nor YAML: {e}") from e


def main(argv):
    ap = argparse.ArgumentParser(prog="argo_exec.py",
                                 description="Run an Argo Workflow's DAG locally.")
    ap.add_argument("manifest")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--cadence")
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--mount", action="append", default=[])
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    run = None
    try:
        if not os.path.isdir(args.workdir):
            raise HarnessError(f"--workdir {args.workdir}: no such directory")
        params = dict(parse_param(p) for p in args.param)
        doc = load(args.manifest)
        if not isinstance(doc, dict):
            raise HarnessError(f"{args.manifest}: not a mapping")
        mounts = []
        for m in args.mount:
            c_dir, eq, h_dir = m.partition("=")
            if not eq or not c_dir.startswith("/") or not os.path.isdir(h_dir):
                raise HarnessError(f"--mount '{m}': expected /CONTAINER/DIR=EXISTING-DIR")
            mounts.append((c_dir.rstrip("/"), os.path.abspath(h_dir)))
        run = Run(doc, args.workdir, args.cadence and os.path.abspath(args.cadence), params,
                  mounts)
        status = run.run()
        json.dump(run.summary(status), sys.stdout, indent=2)
        print()
        return 0
    except HarnessError as e:
        print(f"argo_exec.py: {args.manifest}: {e}", file=sys.stderr)
        return 2
    finally:
        if run is not None:
            run.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
