#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""argo_check.py: checks exported Argo Workflows manifests (test code).

usage: argo_check.py --schema PATH MANIFEST...

Each MANIFEST (YAML or JSON) is validated against the definition of its
`kind` (Workflow, WorkflowTemplate, CronWorkflow) in Argo's official JSON
Schema (PATH: ../shared/schemas/argo-workflows-schema.json, Argo Workflows'
api/jsonschema/schema.json), then by the checks below, which the schema
cannot make (most of its objects allow any key, and it knows nothing of
names).  The own checks follow Argo's validator, workflow/validate/validate.go
(validateDAG, validateArguments, validateWorkflowFieldNames,
validateDAGTaskArgumentDependency, isValidWorkflowFieldName):

- task, template and step names match ^[a-zA-Z0-9][-a-zA-Z0-9]*$ (at most
  128 characters) and are unique in their list; parameter and artifact
  names match ^[-a-zA-Z0-9_]+$ and are unique in theirs;
- a DAG task's `depends` and `dependencies` name tasks of the same DAG; a
  DAG uses one of the two, not both; a task name does not start with a digit
  when the DAG uses either; the dependencies have no cycle;
- every `template:` of a task or step, `entrypoint` and `onExit` names a
  template of the manifest (`templateRef` is reported as unsupported here);
- every {{tasks.X...}} and tasks['X'] / tasks.X in a task names a task of
  the same DAG that the task depends on, directly or transitively;
- a task argument artifact has `from` or a location (`raw`, ...): Argo's
  validateArguments rejects one with only `fromExpression` ("from, artifact
  location, or key is required"), and one with both `from` and
  `fromExpression`; `fromExpression` belongs in a DAG's outputs;
- the manifest serialised as JSON is under 1 MiB (1,048,576 bytes, etcd's
  request limit for a Kubernetes object).

Exit status: 0 every manifest passes, 1 a check failed (a message per
failure, naming the manifest and the JSON path), 2 a usage error (no
schema, a file that cannot be read or parsed).
"""
import argparse
import json
import os
import re
import sys

NAME_RE = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
PARAM_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_NAME = 128
MAX_BYTES = 1048576
KINDS = {
    "Workflow": "io.argoproj.workflow.v1alpha1.Workflow",
    "WorkflowTemplate": "io.argoproj.workflow.v1alpha1.WorkflowTemplate",
    "CronWorkflow": "io.argoproj.workflow.v1alpha1.CronWorkflow",
}
TASK_REF = re.compile(r"\{\{\s*tasks\.([^.}\s]+)")
EXPR_TASK_REF = re.compile(r"tasks\s*(?:\[\s*['\"]([^'\"]+)['\"]\s*\]|\.([A-Za-z0-9_-]+))")


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from argo_exec import HarnessError, depends_tasks, load  # noqa: E402 (one reader, one depends parser)


class Checker:
    def __init__(self, manifest_name):
        self.name = manifest_name
        self.errors = []

    def err(self, path, msg):
        self.errors.append(f"{self.name}: {path}: {msg}")

    def names(self, items, path, regex=NAME_RE, what="name"):
        seen = {}
        for i, item in enumerate(items or []):
            if not isinstance(item, dict):
                continue
            n = item.get("name")
            p = f"{path}[{i}].name"
            if not isinstance(n, str) or not n:
                self.err(p, f"a {what} is required")
                continue
            if not regex.match(n) or (regex is NAME_RE and len(n) > MAX_NAME):
                rule = ("alphanumerics and '-', starting with an alphanumeric, "
                        f"at most {MAX_NAME} characters" if regex is NAME_RE
                        else "alphanumerics, '_' and '-'")
                self.err(p, f"{what} '{n}' is invalid: {rule}")
            if n in seen:
                self.err(p, f"{what} '{n}' is not unique (also {path}[{seen[n]}])")
            else:
                seen[n] = i

    def ref(self, templates, name, path, what):
        if not isinstance(name, str) or name not in templates:
            self.err(path, f"{what} '{name}' names no template of the manifest "
                           f"(templates: {', '.join(sorted(templates)) or 'none'})")

    def io(self, io, path):
        if not isinstance(io, dict):
            return
        for kind in ("parameters", "artifacts"):
            self.names(io.get(kind), f"{path}.{kind}", PARAM_RE, kind[:-1] + " name")

    def spec(self, spec, path):
        if not isinstance(spec, dict):
            return
        templates = {}
        for t in spec.get("templates") or []:
            if isinstance(t, dict) and isinstance(t.get("name"), str):
                templates[t["name"]] = t
        self.names(spec.get("templates"), f"{path}.templates", what="template name")
        if "entrypoint" in spec:
            self.ref(templates, spec["entrypoint"], f"{path}.entrypoint", "entrypoint")
        if "onExit" in spec:
            self.ref(templates, spec["onExit"], f"{path}.onExit", "onExit")
        if isinstance(spec.get("arguments"), dict):
            self.io(spec["arguments"], f"{path}.arguments")
        for i, t in enumerate(spec.get("templates") or []):
            if isinstance(t, dict):
                self.template(t, templates, f"{path}.templates[{i}]")

    def template(self, t, templates, path):
        self.io(t.get("inputs"), f"{path}.inputs")
        self.io(t.get("outputs"), f"{path}.outputs")
        if "templateRef" in t:
            self.err(f"{path}.templateRef", "templateRef is not supported by these checks")
        if isinstance(t.get("dag"), dict):
            self.dag(t["dag"], templates, f"{path}.dag")
            # a DAG's outputs are read when every task is done: they may
            # name any task of the DAG, and no other
            names = {x.get("name") for x in t["dag"].get("tasks") or [] if isinstance(x, dict)}
            for where, text in strings_of(t.get("outputs"), f"{path}.outputs"):
                refs = TASK_REF.findall(text)
                if where.endswith((".fromExpression", ".expression")):
                    refs += [a or b for a, b in EXPR_TASK_REF.findall(text)]
                for r in refs:
                    if r not in names:
                        self.err(where, f"refers to task '{r}', which is no task of this DAG")
        steps = t.get("steps")
        if isinstance(steps, list):
            flat = []
            for gi, group in enumerate(steps):
                for si, step in enumerate(group if isinstance(group, list) else []):
                    if isinstance(step, dict):
                        flat.append(step)
                        self.call(step, templates, f"{path}.steps[{gi}][{si}]")
            self.names(flat, f"{path}.steps[*]", what="step name")

    def call(self, holder, templates, path):
        """A task or step: its template (or templateRef) and arguments."""
        if "templateRef" in holder:
            self.err(f"{path}.templateRef", "templateRef is not supported by these checks")
        elif "inline" in holder:
            self.err(f"{path}.inline", "inline templates are not supported by these checks")
        else:
            self.ref(templates, holder.get("template"), f"{path}.template", "template")
        args = holder.get("arguments")
        if isinstance(args, dict):
            self.io(args, f"{path}.arguments")
            for i, a in enumerate(args.get("artifacts") or []):
                if not isinstance(a, dict):
                    continue
                p = f"{path}.arguments.artifacts[{i}]"
                if a.get("from") and a.get("fromExpression"):
                    self.err(p, "has both 'from' and 'fromExpression': Argo's validator "
                                "rejects it (validateArguments)")
                elif not a.get("from") and not (set(a) & LOCATIONS):
                    why = ("'fromExpression' alone is rejected by Argo's validator "
                           "(validateArguments: 'from, artifact location, or key is "
                           "required'); use it in a DAG template's outputs.artifacts"
                           if a.get("fromExpression") else
                           "has no 'from' nor a location (raw, s3, http, ...)")
                    self.err(p, why)

    def dag(self, dag, templates, path):
        tasks = [t for t in dag.get("tasks") or [] if isinstance(t, dict)]
        if not tasks:
            self.err(f"{path}.tasks", "a DAG needs at least one task")
        self.names(dag.get("tasks"), f"{path}.tasks", what="task name")
        names = {t.get("name") for t in tasks}
        deps = {}
        uses_depends = any("depends" in t for t in tasks)
        uses_list = any("dependencies" in t for t in tasks)
        if uses_depends and uses_list:
            self.err(path, "uses both 'depends' and 'dependencies': Argo allows one per DAG")
        for i, t in enumerate(tasks):
            p = f"{path}.tasks[{i}]"
            n = t.get("name")
            self.call(t, templates, p)
            mine = []
            if "depends" in t:
                try:
                    mine += depends_tasks(str(t["depends"]), f"{p}.depends")
                except HarnessError as e:
                    self.errors.append(f"{self.name}: {e}")
            if "dependencies" in t:
                lst = t["dependencies"] if isinstance(t["dependencies"], list) else []
                mine += [d for d in lst if isinstance(d, str)]
            for d in mine:
                if d not in names:
                    where = "depends" if "depends" in t else "dependencies"
                    self.err(f"{p}.{where}", f"task '{n}' depends on '{d}', which is no "
                                             f"task of this DAG (tasks: "
                                             f"{', '.join(sorted(x for x in names if x))})")
            if (uses_depends or uses_list) and isinstance(n, str) and n[:1].isdigit():
                self.err(f"{p}.name", f"task name '{n}' starts with a digit: Argo refuses it "
                                      "in a DAG that uses depends or dependencies")
            if "continueOn" in t and uses_depends:
                self.err(f"{p}.continueOn", "continueOn is not allowed with depends "
                                            "(use TASK.Failed)")
            deps[n] = [d for d in mine if d in names]
        ancestors = self.ancestry(deps, path)
        for i, t in enumerate(tasks):
            p = f"{path}.tasks[{i}]"
            anc = ancestors.get(t.get("name"), set())
            for where, text in strings_of(t, p):
                if where.endswith(".depends"):
                    continue
                refs = TASK_REF.findall(text)
                if where.endswith(".fromExpression") or where.endswith(".expression"):
                    refs += [a or b for a, b in EXPR_TASK_REF.findall(text)]
                for r in refs:
                    if r not in names:
                        self.err(where, f"refers to task '{r}', which is no task of this DAG")
                    elif r not in anc:
                        self.err(where, f"refers to task '{r}', which task '{t.get('name')}' "
                                        "does not depend on (directly or transitively)")

    def ancestry(self, deps, path):
        """Each task's ancestors; a cycle is an error."""
        memo, state = {}, {}

        def visit(n, stack):
            if state.get(n) == 1:
                self.err(f"{path}.tasks", "dependency cycle: " + " -> ".join(stack + [n]))
                return set()
            if n in memo:
                return memo[n]
            state[n] = 1
            acc = set()
            for d in deps.get(n, []):
                acc.add(d)
                acc |= visit(d, stack + [n])
            state[n] = 2
            memo[n] = acc
            return acc

        for n in deps:
            visit(n, [])
        return memo


LOCATIONS = {"raw", "s3", "gcs", "git", "http", "artifactory", "hdfs", "oss",
             "azure", "plugin", "key"}


def strings_of(obj, path):
    """(json path, string) for every string inside obj."""
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings_of(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from strings_of(v, f"{path}[{i}]")


def json_path(err):
    p = "$"
    for part in err.absolute_path:
        p += f"[{part}]" if isinstance(part, int) else f".{part}"
    return p


def check(path, doc, defs, validator_cls):
    c = Checker(path)
    if not isinstance(doc, dict):
        c.err("$", "the manifest is not a mapping")
        return c.errors
    kind = doc.get("kind")
    if kind not in KINDS:
        c.err("$.kind", f"kind '{kind}' is not one of {', '.join(KINDS)}")
        return c.errors
    schema = {"$ref": f"#/definitions/{KINDS[kind]}", "definitions": defs}
    for e in sorted(validator_cls(schema).iter_errors(doc), key=lambda e: list(e.absolute_path)):
        c.err(json_path(e), f"schema ({KINDS[kind]}): {e.message}")
    size = len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size >= MAX_BYTES:
        c.err("$", f"the manifest is {size} bytes as JSON, over Kubernetes' limit of "
                   f"{MAX_BYTES} bytes (1 MiB)")
    spec = doc.get("spec")
    if kind == "CronWorkflow":
        c.spec((spec or {}).get("workflowSpec") if isinstance(spec, dict) else None,
               "$.spec.workflowSpec")
    else:
        c.spec(spec, "$.spec")
    return c.errors


def main(argv):
    ap = argparse.ArgumentParser(prog="argo_check.py",
                                 description="Check Argo Workflows manifests.")
    ap.add_argument("--schema", required=True, help="argo-workflows-schema.json")
    ap.add_argument("manifests", nargs="+", metavar="MANIFEST")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        import jsonschema
    except ImportError:
        print("argo_check.py: python3-jsonschema is missing", file=sys.stderr)
        return 2
    try:
        with open(args.schema, encoding="utf-8") as f:
            defs = json.load(f)["definitions"]
    except (OSError, ValueError, KeyError) as e:
        print(f"argo_check.py: {args.schema}: cannot read the schema's definitions: {e}",
              file=sys.stderr)
        return 2
    validator_cls = jsonschema.Draft4Validator
    failed = False
    for path in args.manifests:
        try:
            doc = load(path)
        except HarnessError as e:
            print(f"argo_check.py: {e}", file=sys.stderr)
            return 2
        errors = check(path, doc, defs, validator_cls)
        for e in errors:
            print(e, file=sys.stderr)
        if errors:
            failed = True
        else:
            print(f"{path}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
