import json, re, sys
w = json.load(open(sys.argv[1]))
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
        if p.get("executeOnce") is not True: bad.append("%r not executeOnce" % n["name"])
        if not p["command"].startswith("=") or p["command"].count("{{") != 1 or \
           p["command"].count("{{ $execution.id }}") != 1 or p["command"].count("}}") != 1:
            bad.append("%r: expressions in %r" % (n["name"], p["command"]))
if w.get("settings", {}).get("executionOrder") != "v1": bad.append("not executionOrder v1")
print("\n".join("bad: " + b for b in bad) or "ok")
