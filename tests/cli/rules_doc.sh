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
finish
