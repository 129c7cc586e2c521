#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/rules.md shows "the actual output of cadence validate --color=never"
# for each rule: every `$ cadence validate ...` block there is run on the
# files the section shows (`checkout.cadence.yaml`, `payment.cadence.yaml`,
# `notes/...`, or the section's last ```text block that is a cadence) and
# must print exactly what the block shows.  Under valgrind the outputs are
# compared with the binary's own (each block is one run of one rule's
# check), and one run under valgrind then validates every block's files
# together: every rule's path once, not a valgrind start per block.
source "$(dirname "$0")/lib.sh"

python3 - "$cadence_again" "$src/docs/rules.md" "$tmp" <<'PY'
import os, re, subprocess, sys
cadence, doc, tmp = sys.argv[1:]
seen = []
text = open(doc, encoding="utf-8").read()
fails = checked = 0
for sec in re.split(r"^## ", text, flags=re.M)[1:]:
    name = sec.split("\n", 1)[0].strip()
    for m in re.finditer(r"^```text\n(\$ .*?)^```", sec, re.S | re.M):
        # the files shown before the command: `path`: then a block
        files = dict(re.findall(r"^`([\w-]+(?:[./][\w.-]+)+)`:\n\n```(?:text|yaml)\n(.*?)^```",
                                sec[:m.start()], re.S | re.M))
        lines = m.group(1).rstrip("\n").split("\n")
        for i, line in enumerate(lines):
            if not line.startswith("$ cadence validate"):
                continue
            want = []
            for l in lines[i + 1:]:
                if l.startswith("$ "):
                    break
                want.append(l)
            shown = files
            if not shown:
                blocks = [b for b in re.findall(r"^```text\n(.*?)^```", sec[:m.start()], re.S | re.M)
                          if b.startswith("cadence:")]
                if not blocks:
                    continue    # a file that cannot be shown (too large, unreadable)
                shown = {"checkout.cadence.yaml": blocks[-1]}
            d = os.path.join(tmp, name)
            for path, body in shown.items():
                os.makedirs(os.path.dirname(os.path.join(d, path)), exist_ok=True)
                data = body.encode("utf-8")
                if name == "yaml-encoding":   # the é saved as Latin-1
                    data = data.replace("é".encode(), b"\xe9")
                crlf = name == "run-crlf-shebang" and path.endswith(".sh")
                if crlf:    # the script as the section says: executable, CR LF
                    data = data.replace(b"\n", b"\r\n")
                with open(os.path.join(d, path), "wb") as f:
                    f.write(data)
                if crlf:
                    os.chmod(os.path.join(d, path), 0o755)
            cmd = [cadence] + line.split()[2:]
            seen.append(os.path.join(d, cmd[-1]))
            r = subprocess.run(cmd, cwd=d, capture_output=True)
            got = (r.stdout + r.stderr).decode("utf-8", "replace").rstrip("\n").split("\n")
            checked += 1
            if got == want:
                print("ok - rules.md %s shows the real output" % name)
            else:
                fails += 1
                print("FAIL - rules.md %s: the output differs" % name)
                for w, g in zip(want + [""] * len(got), got + [""] * len(want)):
                    if w != g:
                        print("  doc:  %s\n  real: %s" % (w, g))
                        break
print("# %d outputs checked" % checked)
with open(os.path.join(tmp, "validated"), "w") as f:
    f.write("\n".join(seen) + "\n")
sys.exit(1 if fails or checked < 30 else 0)
PY
status=$? out= err=
if [[ $status == 0 ]]; then ok "rules.md's outputs are cadence validate's"
else fail "rules.md's outputs are cadence validate's"; fi
if under_valgrind; then
	mapfile -t files <"$tmp/validated"
	run "$cadence" validate --color=never "${files[@]}"
	expect "every block's files in one run: errors found" 1
	n=$(grep -c 'checkout\.cadence\.yaml:[0-9]*:[0-9]*: ' <<<"$out$err" || true)
	if [[ $n -ge 30 ]]; then ok "... with diagnostics in $n places"
	else fail "... with diagnostics in $n places only"; fi
fi
# The rule table (lib/src/diag/rules.c), as the SARIF rules show it, says
# what each section of rules.md says: the severity and summary of its first
# line, the description its first paragraph without Markdown, and a helpUri
# to the section, in the order of the sections.
printf 'cadence: ok\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n' >"$tmp/ok.cadence.yaml"
run "$cadence_again" validate --format sarif "$tmp/ok.cadence.yaml"
expect "sarif of a clean file" 0
printf '%s' "$out" >"$tmp/ok.sarif"
assert "the rule table says what rules.md says" python3 - "$src/docs/rules.md" "$tmp/ok.sarif" <<'PY'
import json, re, sys
def plain(s):
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s).replace("`", "")
    s = re.sub(r"\*\*([^*]+)\*\*", r"\1", s)
    s = re.sub(r"\*([^*]+)\*", r"\1", s)
    return " ".join(s.split())
want = []
for sec in re.split(r"^## ", open(sys.argv[1], encoding="utf-8").read(), flags=re.M)[2:]:
    name, body = sec.split("\n", 1)
    paras = body.strip().split("\n\n")
    m = re.fullmatch(r"\*(error|warning)\* — (.*)", paras[0])
    assert m, "%s: no '*severity* — summary' line" % name
    want.append((name, m.group(1), m.group(2), plain(paras[1])))
rules = json.load(open(sys.argv[2]))["runs"][0]["tool"]["driver"]["rules"]
got = [(r["id"], r["defaultConfiguration"]["level"], r["shortDescription"]["text"],
        r["fullDescription"]["text"]) for r in rules]
for w, g in zip(want, got):
    assert w == g, "rules.md: %r\ntable:    %r" % (w, g)
assert len(want) == len(got), (len(want), len(got))
for r in rules:
    assert r["helpUri"].endswith("/docs/rules.md#" + r["id"]), r["helpUri"]
print("# %d rules compared" % len(got))
PY
finish
