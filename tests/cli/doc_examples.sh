#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every complete cadence shown in the documentation validates clean: each
# ```yaml block that starts with `cadence:` in README.md and docs/*.md.
# (Fragments use ```yaml without a leading `cadence:`; invalid examples
# use ```text.)
source "$(dirname "$0")/lib.sh"

shopt -s nullglob
python3 - "$tmp" "$src/README.md" "$src"/docs/*.md <<'PY'
import os, re, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    n = 0
    for m in re.finditer(r"^```yaml\n(.*?)^```", text, re.S | re.M):
        body = m.group(1)
        if not body.startswith("cadence:"):
            continue
        n += 1
        line = text.count("\n", 0, m.start()) + 2
        name = "%s-%d.cadence.yaml" % (os.path.basename(path)[:-3], line)
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(body)
    print("%s: %d complete cadences" % (os.path.relpath(path), n))
PY
blocks=("$tmp"/format-*.cadence.yaml)
assert "docs/format.md shows complete cadences" test "${#blocks[@]}" -ge 3
# child references in the docs name cadences shown beside them
run "$cadence" validate "$tmp"
expect "every complete cadence in the docs validates clean" 0 'no problems'
[[ $status == 0 ]] || printf '%s\n' "$out"
finish
