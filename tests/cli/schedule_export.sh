#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence schedule export (docs/cli.md): the systemd timer's OnCalendar=
# lines mean the cron expression (a cross-check against systemd's own
# calendar, systemd-analyze, over generated expressions in three zones),
# the units pass `systemd-analyze verify`, the crontab line is shifted
# between fixed-offset zones or says why it cannot be, and bad input is
# refused with nothing written.
source "$(dirname "$0")/lib.sh"

# cadence FILE NAME CRON [ZONE [MORE YAML]]: a cadence with a schedule
cad() {
	local zone=${4:+"  timezone: $4
"}
	w "$1" "cadence: $2
notes:
  sweep: {symbol: sweep}
measures:
  - then: sweep
schedule:
  cron: \"$3\"
$zone${5:-}"
}

# ---- systemd: what the units say ----

mkdir -p "$tmp/proj/jobs" "$tmp/units"
touch "$tmp/proj/cadence.project.yaml"
cad proj/jobs/nightly.cadence.yaml nightly "30 2 13 * fri" Europe/Berlin '  jitter: 5m
  catch_up: latest
'
n=$tmp/proj/jobs/nightly.cadence.yaml
timer=$tmp/units/cadence-nightly.timer service=$tmp/units/cadence-nightly.service
run "$cadence" schedule export --to systemd -o "$tmp/units" "$n"
expect "systemd: writes the timer and the service" 0 "^wrote $tmp/units/cadence-nightly.timer$"
expect "... both" 0 "^wrote $tmp/units/cadence-nightly.service$"
assert "... day of month OR day of week: one OnCalendar= a side" \
	grep -qxF 'OnCalendar=*-*-13 02:30:00 Europe/Berlin' "$timer"
assert "... the weekday line" grep -qxF 'OnCalendar=Fri *-*-* 02:30:00 Europe/Berlin' "$timer"
assert "... catch_up: Persistent=true" grep -qx 'Persistent=true' "$timer"
assert "... jitter 5m: RandomizedDelaySec=300s" grep -qx 'RandomizedDelaySec=300s' "$timer"
assert "... AccuracySec=1s" grep -qx 'AccuracySec=1s' "$timer"
assert "... a comment on daylight saving" grep -q "^# Daylight saving: a time in the hour Europe/Berlin's clock skips" "$timer"
assert "... the service: oneshot" grep -qx 'Type=oneshot' "$service"
assert "... in the project directory (cadence.project.yaml above the file)" \
	grep -qxF "WorkingDirectory=$tmp/proj" "$service"
assert "... starting this cadence with run --scheduled" \
	grep -qxF "ExecStart=$(readlink -f "$cadence") run --scheduled nightly" "$service"

run "$cadence" schedule export --to systemd -o "$tmp/units" "$n"
expect "again: unchanged, exit 0" 0 "^unchanged $tmp/units/cadence-nightly.service, $tmp/units/cadence-nightly.timer$"

cad plain.cadence.yaml plain "*/15 9-17 * * mon-fri"
run_in "$tmp" "$cadence" schedule export --to systemd "$tmp/plain.cadence.yaml"
expect "default: the working directory" 0 '^wrote ./cadence-plain.timer$'
assert "... UTC, weekdays, a step, a range" \
	grep -qxF 'OnCalendar=Mon..Fri *-*-* 09..17:00/15:00 UTC' "$tmp/cadence-plain.timer"
assert "... no Persistent= without catch_up, no RandomizedDelaySec= without jitter" \
	test "$(grep -c 'Persistent\|RandomizedDelaySec' "$tmp/cadence-plain.timer")" = 0
assert "... no daylight-saving comment in UTC" test "$(grep -c 'Daylight' "$tmp/cadence-plain.timer")" = 0
assert "... no project file: the directory of the file (no .git above)" \
	grep -qxF "WorkingDirectory=$tmp" "$tmp/cadence-plain.service"

cad odd.cadence.yaml odd "0 0 */2 * fri" "" '  jitter: 1500ms
'
run "$cadence" schedule export --to systemd -o "$tmp/units" --cadence-binary /usr/bin/cadence "$tmp/odd.cadence.yaml"
assert "*/2 and fri are ANDed in cron (odd Fridays): one line, ANDed" \
	grep -qxF 'OnCalendar=Fri *-*-01/2 00:00:00 UTC' "$tmp/units/cadence-odd.timer"
assert "... jitter in ms" grep -qx 'RandomizedDelaySec=1500ms' "$tmp/units/cadence-odd.timer"
assert "... --cadence-binary" grep -qx 'ExecStart=/usr/bin/cadence run --scheduled odd' "$tmp/units/cadence-odd.service"
run "$cadence" schedule export --to systemd --cadence-binary usr/bin/cadence "$tmp/odd.cadence.yaml"
expect "--cadence-binary relative: usage error" 2 '' 'takes an absolute path'

# ---- (a) the cross-check against systemd's calendar ----
#
# systemd-analyze calendar --iterations=N --base-time=T gives the next N
# times of each exported OnCalendar= line; their union must be what
# `cadence schedule next -n N --after T` prints.  Where they must differ:
# on a spring-forward day, cadence runs a time of the skipped hour once at
# the jump (docs/format.md, "schedule") and systemd not at all; those
# instants (cadence's, at a transition where the offset grows, missing
# from systemd's) are excluded, counted, and must occur in both DST zones.
#
# The zone's lines are run with TZ=ZONE and the " ZONE" suffix taken off
# (systemd computes a suffixed line by switching TZ to it; done per
# iteration, that costs ~6 ms each, a minute for the whole set); a sample
# is also run as written, suffix and all, and must give the same times.
cat >"$tmp/xcheck.py" <<'PY'
import json, os, random, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone, timedelta
from zoneinfo import ZoneInfo

cadence, tmp = sys.argv[1], sys.argv[2]
N = 12
rng = random.Random(18)
WD = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
MO = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

def pick(*opts):
    return rng.choice(opts)()

def minute():
    a = rng.randrange(60)
    return pick(lambda: "*", lambda: str(a), lambda: "*/15", lambda: "*/%d" % rng.randrange(2, 31),
                lambda: "%d-%d" % (a // 2, a // 2 + rng.randrange(1, 30)), lambda: "%d/20" % (a % 20),
                lambda: "0,30", lambda: "%d,%d,%d" % (a % 10, a % 10 + 20, 59), lambda: "0",
                lambda: "10-50/%d" % rng.randrange(5, 25))

def hour():
    # hours 1-3 often: the daylight-saving changes happen there
    h = rng.choice([0, 1, 2, 2, 2, 3, 12, 23, rng.randrange(24)])
    return pick(lambda: str(h), lambda: str(h), lambda: "*", lambda: "1-3", lambda: "2,14",
                lambda: "*/6", lambda: "0-23/7", lambda: "%d-%d" % (h, min(23, h + 2)),
                lambda: "22-23,0-3")

def mday():
    d = rng.randrange(1, 32)
    return pick(lambda: "*", lambda: "*", lambda: "*", lambda: str(d), lambda: "29", lambda: "31",
                lambda: "1-7", lambda: "1,15", lambda: "*/2", lambda: "13", lambda: "28-31",
                lambda: "10-20/5")

def month():
    m = rng.randrange(12)
    return pick(lambda: "*", lambda: "*", lambda: "*", lambda: MO[m], lambda: MO[m].upper(),
                lambda: "jan-mar", lambda: "feb", lambda: "nov", lambda: "*/3", lambda: "2,11",
                lambda: "3-4,10-11", lambda: str(m + 1), lambda: "mar,oct")

def wday():
    w = rng.randrange(7)
    return pick(lambda: "*", lambda: "*", lambda: "*", lambda: WD[w], lambda: WD[w].capitalize(),
                lambda: "mon-fri", lambda: "5-7", lambda: "7", lambda: "0", lambda: "sat,sun",
                lambda: "*/2", lambda: "1-5/2", lambda: "fri-sun", lambda: "%d" % w)

def expression():
    r = rng.random()
    if r < 0.05:
        return rng.choice(["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly",
                           "@annually"])
    if r < 0.08:
        return rng.choice(["0 0 29 2 *", "30 2 29 feb *", "0 12 29 2 mon", "0 0 13 * fri",
                           "*/15 2 * * *", "30 2 * * *", "0 0 1 1 *", "59 23 31 12 *"])
    return " ".join([minute(), hour(), mday(), month(), wday()])

def t(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())

# zone, base time (one before a spring-forward day, one before a fall-back)
CASES = [("UTC", "2026-02-27T00:00:00Z")] * 2 + [
    ("Europe/Berlin", "2026-03-28T00:00:00Z"), ("Europe/Berlin", "2026-10-24T00:00:00Z"),
    ("America/New_York", "2026-03-07T12:00:00Z"), ("America/New_York", "2026-10-31T12:00:00Z")]
PER_CASE = 50

def export(i, expr, zone):
    f = os.path.join(tmp, "x", "c%d.cadence.yaml" % i)
    with open(f, "w") as o:
        o.write("cadence: c%d\nnotes:\n  sweep: {symbol: sweep}\nmeasures:\n  - then: sweep\n"
                "schedule:\n  cron: \"%s\"\n  timezone: %s\n" % (i, expr, zone))
    p = subprocess.run([cadence, "schedule", "export", "--to", "systemd", "-o",
                        os.path.join(tmp, "x"), "--cadence-binary", "/bin/true", f],
                       capture_output=True, text=True)
    if p.returncode == 1 and "never fires" in p.stderr:
        return f, None
    if p.returncode:
        sys.exit("export of %r in %s: exit %d: %s" % (expr, zone, p.returncode, p.stderr))
    with open(os.path.join(tmp, "x", "cadence-c%d.timer" % i)) as u:
        return f, [l[len("OnCalendar="):].rstrip("\n") for l in u if l.startswith("OnCalendar=")]

def cadence_next(f, base):
    p = subprocess.run([cadence, "schedule", "next", "-n", str(N), "--after", base, "--format",
                        "json", f], capture_output=True, text=True, check=True)
    return [t(json.loads(l)["utc"]) for l in p.stdout.splitlines()]

LINE = re.compile(r"^\s*(?:Next elapse|Iter\. #\d+|\(in UTC\)): \w+ (\S+ \S+) (\S+)$")

def systemd_run(specs, tz, base, n):
    env = dict(os.environ, TZ=tz, SYSTEMD_PAGER="", LC_ALL="C")
    return subprocess.run(["systemd-analyze", "calendar", "--iterations=%d" % n,
                           "--base-time=" + base.replace("T", " ").replace("Z", " UTC")] + specs,
                          capture_output=True, text=True, env=env)

def systemd(specs, tz, base, n):
    """The times of each spec, as a list per spec, in UTC (None for a spec
    systemd could not compute: systemd 252 says "Infinite loop in calendar
    calculation" for some near a spring-forward day, and prints nothing of
    them, so they are left out of a second run)."""
    p = systemd_run(specs, tz, base, n)
    failed = set(re.findall(r"Failed to determine next elapse for '(.*)'", p.stderr))
    if p.returncode and not failed:
        sys.exit("systemd-analyze: exit %d: %s" % (p.returncode, p.stderr[:500]))
    good = [s for s in specs if s not in failed]
    if failed and good:
        p = systemd_run(good, tz, base, n)
        if p.returncode:
            sys.exit("systemd-analyze, again: exit %d: %s" % (p.returncode, p.stderr[:500]))
    # a block per spec: "Original form:" (when it differs) then
    # "Normalized form:", then its times
    out, cur, after_original = [], None, False
    for l in p.stdout.splitlines() if good else []:
        s = l.strip()
        if s.startswith("Original form:") or (s.startswith("Normalized form:")
                                              and not after_original):
            cur = []
            out.append(cur)
        after_original = s.startswith("Original form:")
        m = LINE.match(l)
        if m and (m.group(2) == "UTC"):
            cur.append(int(datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
                           .replace(tzinfo=timezone.utc).timestamp()))
    if len(out) != len(good):
        sys.exit("systemd-analyze printed %d blocks for %d specs" % (len(out), len(good)))
    it = iter(out)
    return [None if s in failed else next(it) for s in specs]

def jump(zone, x):
    """x is an instant where the clock jumps forward."""
    z = ZoneInfo(zone)
    a = datetime.fromtimestamp(x - 1, timezone.utc).astimezone(z).utcoffset()
    b = datetime.fromtimestamp(x, timezone.utc).astimezone(z).utcoffset()
    return b > a

def compare(expr, zone, lines, got, want, n):
    """got: cadence; want: a list of lists (systemd, per line)."""
    union = sorted(set(x for l in want for x in l[:n]))[:n]
    gapped = [x for x in got if x not in union and jump(zone, x)]
    window = min(got[-1] if got else 0, union[-1] if len(union) == n else float("inf"))
    g = [x for x in got if x <= window and x not in gapped]
    s = [x for x in union if x <= window]
    if g != s:
        fmt = lambda l: [datetime.fromtimestamp(x, timezone.utc).strftime("%Y-%m-%dT%H:%MZ") for x in l]
        return "%r in %s: OnCalendar=%s\n  cadence %s\n  systemd %s" % (
            expr, zone, lines, fmt(g), fmt(s))
    if len(s) < min(n, 4):
        return "%r in %s: only %d times to compare" % (expr, zone, len(s))
    return len([x for x in gapped if x <= window])

def main():
    os.makedirs(os.path.join(tmp, "x"), exist_ok=True)
    i, combos, never, errors, excluded, broken = 0, [], 0, [], {}, []
    pool = ThreadPoolExecutor(2)	# two processes at a time: the runs are short
    for zone, base in CASES:
        exprs = [expression() for _ in range(PER_CASE + 10)]
        done = list(pool.map(lambda a: (a[1],) + export(a[0], a[1], zone),
                             enumerate(exprs, start=i)))
        i += len(exprs)
        never += sum(1 for d in done if d[2] is None)
        batch = [d for d in done if d[2] is not None][:PER_CASE]
        for expr, _, lines in batch:
            for l in lines:
                if not l.endswith(" " + zone):
                    sys.exit("%r: the line %r does not end with the zone" % (expr, l))
        nexts = list(pool.map(lambda d: cadence_next(d[1], base), batch))
        specs = [l[:-len(zone) - 1] for _, _, lines in batch for l in lines]
        res = systemd(specs, zone, base, N)
        k = 0
        for (expr, f, lines), got in zip(batch, nexts):
            want, k = res[k:k + len(lines)], k + len(lines)
            if None in want:
                broken.append("%r in %s after %s" % (expr, zone, base))
                continue
            r = compare(expr, zone, lines, got, want, N)
            if isinstance(r, str):
                errors.append(r)
            else:
                excluded[zone] = excluded.get(zone, 0) + r
            combos.append((expr, zone, base, f, lines))
    # a sample as written: the zone suffix, in a UTC process
    sample = [c for c in combos if c[1] != "UTC"][::10]
    specs = [l for c in sample for l in c[4]]
    res = systemd(specs, "UTC", "2026-03-07T12:00:00Z", 6)
    k = 0
    for expr, zone, _, f, lines in sample:
        want, k = res[k:k + len(lines)], k + len(lines)
        if None in want:
            broken.append("%r in %s as written" % (expr, zone))
            continue
        r = compare(expr, zone, lines, cadence_next(f, "2026-03-07T12:00:00Z")[:6], want, 6)
        if isinstance(r, str):
            errors.append("as written: " + r)
    print("%d expressions (%d that never fire left out), %d of them also as written; "
          "excluded (cadence at the jump, systemd skips): %s" % (
              len(combos), never, len(sample), excluded))
    if broken:
        print("systemd-analyze could not compute %d (not compared): %s" % (
            len(broken), "; ".join(broken)))
    for e in errors[:10]:
        print(e)
    if errors:
        print("%d differ" % len(errors))
        return 1
    if not excluded.get("Europe/Berlin") or not excluded.get("America/New_York"):
        print("no spring-forward day was covered in Berlin and New York")
        return 1
    return 0

sys.exit(main())
PY
if ! command -v systemd-analyze >/dev/null; then
	skip "cross-check with systemd-analyze calendar" "systemd-analyze is not installed (Debian: systemd)"
elif ! systemd-analyze calendar --help 2>/dev/null | grep -q -- --base-time; then
	skip "cross-check with systemd-analyze calendar" "this systemd-analyze has no --base-time (systemd < 247)"
elif ! python3 -c 'import zoneinfo; zoneinfo.ZoneInfo("Europe/Berlin")' 2>/dev/null; then
	skip "cross-check with systemd-analyze calendar" "python3 with zoneinfo and tzdata is missing"
else
	run python3 "$tmp/xcheck.py" "$cadence" "$tmp"
	expect "cross-check: OnCalendar= lines = cadence schedule next (generated expressions, 3 zones)" 0
	echo "# $out"
fi
