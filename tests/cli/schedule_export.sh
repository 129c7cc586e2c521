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
	grep -qxF "ExecStart=$(readlink -f "$cadence_again") run --scheduled nightly" "$service"

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
# `cadence schedule next --count N --after T` prints.  Where they must differ:
# on a spring-forward day, cadence runs a time of the skipped hour once at
# the jump (docs/format.md, "schedule") and systemd not at all; those
# instants (cadence's, at a transition where the offset grows, missing
# from systemd's) are excluded, counted, and must occur in both DST zones.
#
# The crontab lines are checked the same way, read by a reader of Vixie
# cron's fields written here (it refuses what Debian's cron refuses), for
# zones of fixed offsets, where cron can be exact.
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
# the binary itself ($cadence_again): under valgrind, a case's first export
# that fires and its first `schedule next` run in valgrind ($cadence), the
# case's other expressions, which take those paths again, do not
again = sys.argv[4]
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
PER_CASE = int(sys.argv[3])	# 40: 240 expressions, 6 cases

def export(i, expr, zone, binary):
    f = os.path.join(tmp, "x", "c%d.cadence.yaml" % i)
    with open(f, "w") as o:
        o.write("cadence: c%d\nnotes:\n  sweep: {symbol: sweep}\nmeasures:\n  - then: sweep\n"
                "schedule:\n  cron: \"%s\"\n  timezone: %s\n" % (i, expr, zone))
    p = subprocess.run([binary, "schedule", "export", "--to", "systemd", "-o",
                        os.path.join(tmp, "x"), "--cadence-binary", "/bin/true", f],
                       capture_output=True, text=True)
    if p.returncode == 1 and "never fires" in p.stderr:
        return f, None
    if p.returncode:
        sys.exit("export of %r in %s: exit %d: %s" % (expr, zone, p.returncode, p.stderr))
    with open(os.path.join(tmp, "x", "cadence-c%d.timer" % i)) as u:
        return f, [l[len("OnCalendar="):].rstrip("\n") for l in u if l.startswith("OnCalendar=")]

def cadence_next(f, base, binary):
    p = subprocess.run([binary, "schedule", "next", "--count", str(N), "--after", base, "--format",
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

# ---- cron: the exported lines, read as Debian's cron reads them ----

MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
          "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
          "@hourly": "0 * * * *"}

def cron_field(tok, lo, hi):
    """Vixie cron's field: *, a, a-b, each with /s after * or a range only
    (a/s is cadence's, not cron's), and lists of those; numbers only (the
    export writes no names)."""
    vals = set()
    for part in tok.split(","):
        m = re.fullmatch(r"(\*|\d+-\d+|\d+)(?:/(\d+))?", part)
        if not m or (m.group(2) and m.group(1).isdigit()):
            raise ValueError("cron does not read %r" % tok)
        if m.group(1) == "*":
            a, b = lo, hi
        elif "-" in m.group(1):
            a, b = map(int, m.group(1).split("-"))
        else:
            a = b = int(m.group(1))
        if not lo <= a <= b <= hi:
            raise ValueError("cron does not read %r" % tok)
        vals |= set(range(a, b + 1, int(m.group(2) or 1)))
    return vals

def cron_times(line, off, base, n):
    """The next n times of a crontab line (5 fields or a macro) in a zone
    of fixed offset `off`, after instant base."""
    f = MACROS.get(line, line).split()
    mins, hours = sorted(cron_field(f[0], 0, 59)), sorted(cron_field(f[1], 0, 23))
    doms, mons = cron_field(f[2], 1, 31), cron_field(f[3], 1, 12)
    dows = set(d % 7 for d in cron_field(f[4], 0, 7))
    star = f[2].startswith("*") or f[4].startswith("*")
    day = datetime.fromtimestamp(base + off, timezone.utc).date()
    out = []
    for _ in range(50 * 366):	# Feb 29 on a weekday: 12 of them take decades
        dm, dw = day.day in doms, (day.weekday() + 1) % 7 in dows
        if day.month in mons and ((dm and dw) if star else (dm or dw)):
            midnight = int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
            for h in hours:
                for m in mins:
                    x = midnight + h * 3600 + m * 60 - off
                    if x > base:
                        out.append(x)
        if len(out) >= n:
            break
        day += timedelta(days=1)
    return sorted(out)[:n]

def export_cron(i, expr, zone, machine, binary):
    f = os.path.join(tmp, "x", "k%d.cadence.yaml" % i)
    with open(f, "w") as o:
        o.write("cadence: k%d\nnotes:\n  sweep: {symbol: sweep}\nmeasures:\n  - then: sweep\n"
                "schedule:\n  cron: \"%s\"\n  timezone: %s\n" % (i, expr, zone))
    p = subprocess.run([binary, "schedule", "export", "--to", "cron", "--machine-timezone",
                        machine, "--cadence-binary", "/bin/true", f], capture_output=True,
                       text=True)
    if p.returncode == 1 and "never fires" in p.stderr:
        return f, None, None
    if p.returncode:
        sys.exit("cron export of %r in %s: exit %d: %s" % (expr, zone, p.returncode, p.stderr))
    lines = [l.split(" cd ")[0] for l in p.stdout.splitlines() if not l.startswith("#")]
    return f, lines, "# NOTE:" in p.stdout

def first_in_cadence(pool, fn, items):
    """fn(item, binary) for each item, in order: in `cadence` up to the
    first that fires (fn's result holds a None for one that never does),
    the rest in `again`, two at a time."""
    done = []
    for item in items:
        done.append(fn(item, cadence))
        if None not in done[-1]:
            break
    return done + list(pool.map(lambda a: fn(a, again), items[len(done):]))

def nexts_of(pool, files, base):
    """cadence_next of each file after base: the first in `cadence`."""
    return list(pool.map(lambda a: cadence_next(a[1], base, again if a[0] else cadence),
                         enumerate(files)))

# zones with one offset all year: schedule's, machine's
# (and one zone on itself: the fields rewritten for cron, not moved)
CRON_CASES = [("Asia/Tokyo", "UTC"), ("Asia/Kolkata", "UTC"), ("America/Phoenix", "UTC"),
              ("UTC", "Asia/Tokyo"), ("Asia/Kathmandu", "Etc/GMT+3"), ("Asia/Tokyo", "Asia/Tokyo")]

def cron_check(pool, base):
    errors, compared, noted = [], 0, 0
    for n_case, (zone, machine) in enumerate(CRON_CASES):
        exprs = [expression() for _ in range(max(2, PER_CASE // 2))]
        done = first_in_cadence(pool, lambda a, b: export_cron(1000 * (n_case + 1) + a[0], a[1],
                                                               zone, machine, b),
                                list(enumerate(exprs)))
        off = int(datetime.fromtimestamp(t(base), timezone.utc)
                  .astimezone(ZoneInfo(machine)).utcoffset().total_seconds())
        todo = [(e, d) for e, d in zip(exprs, done) if d[1] is not None and not d[2]]
        for e, d in zip(exprs, done):
            if d[2]:	# as written, under a NOTE: cron must still read it
                noted += 1
                try:
                    [cron_times(l, off, t(base), 1) for l in d[1]]
                except ValueError as x:
                    errors.append("%r in %s: %s" % (e, zone, x))
        nexts = nexts_of(pool, [d[0] for _, d in todo], base)
        for (expr, (f, lines, _)), got in zip(todo, nexts):
            try:
                want = sorted(set(x for l in lines for x in cron_times(l, off, t(base), N)))[:N]
            except ValueError as e:
                errors.append("%r in %s: %s" % (expr, zone, e))
                continue
            compared += 1
            if want != got[:len(want)] or len(want) < min(N, len(got)):
                fmt = lambda l: [datetime.fromtimestamp(x, timezone.utc).strftime("%Y-%m-%dT%H:%MZ") for x in l]
                errors.append("%r in %s on a %s machine: %s\n  cadence %s\n  cron    %s" % (
                    expr, zone, machine, lines, fmt(got), fmt(want)))
    return errors, compared, noted

def main():
    os.makedirs(os.path.join(tmp, "x"), exist_ok=True)
    i, combos, never, errors, excluded, broken = 0, [], 0, [], {}, []
    pool = ThreadPoolExecutor(2)	# two processes at a time: the runs are short
    for zone, base in CASES:
        exprs = [expression() for _ in range(PER_CASE + max(2, PER_CASE // 4))]
        done = first_in_cadence(pool, lambda a, b: (a[1],) + export(a[0], a[1], zone, b),
                                list(enumerate(exprs, start=i)))
        i += len(exprs)
        never += sum(1 for d in done if d[2] is None)
        batch = [d for d in done if d[2] is not None][:PER_CASE]
        for expr, _, lines in batch:
            for l in lines:
                if not l.endswith(" " + zone):
                    sys.exit("%r: the line %r does not end with the zone" % (expr, l))
        nexts = nexts_of(pool, [d[1] for d in batch], base)
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
        # (in `again`: each file's schedule next ran above, the first of its case in cadence)
        r = compare(expr, zone, lines, cadence_next(f, "2026-03-07T12:00:00Z", again)[:6], want, 6)
        if isinstance(r, str):
            errors.append("as written: " + r)
    cerrors, ccompared, cnoted = cron_check(pool, "2026-02-27T00:00:00Z")
    errors += cerrors
    print("cron: %d expressions moved between zones of fixed offsets and read as cron reads "
          "them; %d left as written with a NOTE" % (ccompared, cnoted))
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
    if PER_CASE >= 20 and not (excluded.get("Europe/Berlin") and excluded.get("America/New_York")):
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
	# under valgrind, each run costs a second: a few expressions a case
	run python3 "$tmp/xcheck.py" "$cadence" "$tmp" "$(sampled 40 2)" "$cadence_again"
	expect "cross-check: OnCalendar= lines (3 zones) and crontab lines (zones of fixed offsets) = cadence schedule next" 0
	echo "# $out"
fi

# ---- (b) the units pass systemd-analyze verify ----

mkdir -p "$tmp/my proj%" "$tmp/verify"
cad "my proj%/v.cadence.yaml" verified "*/15 9-17 13 * mon-fri" America/New_York '  jitter: 30s
  catch_up: all
'
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze verify" "systemd-analyze is not installed (Debian: systemd)"
else
	# a unit known to be good first: verify needs no running systemd, but a
	# container may lack what it loads (then the check cannot say anything)
	printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$tmp/verify/probe.service"
	if ! probe=$(systemd-analyze verify --man=no "$tmp/verify/probe.service" 2>&1) || [[ -n $probe ]]; then
		skip "systemd-analyze verify" "verify cannot run here: ${probe:-it failed on a unit known to be good}"
	else
		# the ExecStart= binary must exist for verify: the built cadence
		run "$cadence" schedule export --to systemd -o "$tmp/verify" \
			--cadence-binary "$(readlink -f "$cadence_again")" "$tmp/my proj%/v.cadence.yaml"
		expect "verify: exported (a project path with a blank and a %)" 0
		run systemd-analyze verify --man=no "$tmp/verify/cadence-verified.timer" \
			"$tmp/verify/cadence-verified.service"
		expect "systemd-analyze verify: exit 0" 0
		assert "... not a word on stderr (no 'ignoring', no warning)" test -z "$out$err"
		assert "... the % doubled for systemd" grep -qxF "WorkingDirectory=$tmp/my proj%%" \
			"$tmp/verify/cadence-verified.service"
		# the check can fail: a unit with a key systemd ignores
		printf 'Bogus=1\n' >>"$tmp/verify/cadence-verified.timer"
		run systemd-analyze verify --man=no "$tmp/verify/cadence-verified.timer" \
			"$tmp/verify/cadence-verified.service"
		assert "... and it would see an ignored key" grep -q 'ignoring' <<<"$err"
	fi
fi

# ---- cron ----

cad tokyo.cadence.yaml tokyo "*/15 0-9 * * mon-fri" Asia/Tokyo '  jitter: 2m
'
run_in "$tmp" "$cadence" schedule export --to cron --machine-timezone UTC "$tmp/tokyo.cadence.yaml"
expect "cron: Tokyo on a UTC machine (both without DST): shifted 9 hours" 0 \
	"^# cron \"\\*/15 0-9 \\* \\* mon-fri\" in Asia/Tokyo, moved by -540 minutes into the machine's zone UTC\\.$"
expect "... 00:00-08:45 Tokyo are 15:00-23:45 UTC the day before (Sunday-Thursday)" 0 \
	"^\\*/15 15-23 \\* \\* 0-4 cd $tmp && $(readlink -f "$cadence_again") run --scheduled tokyo --jitter$"
expect "... 09:00-09:45 Tokyo are 00:00-00:45 UTC the same day (days as numbers)" 0 '^\*/15 0 \* \* 1-5 cd '
expect "... cron has no jitter: said" 0 '^# cron has no jitter'
expect "... and cadence waits it: --jitter" 0 ' run --scheduled tokyo --jitter$'
assert "... no NOTE: exact" test "$(grep -c NOTE <<<"$out")" = 0

cad first.cadence.yaml first "0 8 1 * *" Asia/Tokyo
run "$cadence" schedule export --to cron --machine-timezone UTC "$tmp/first.cadence.yaml"
expect "08:00 on the 1st in Tokyo: the day before in UTC cannot be written: a NOTE" 0 \
	"^# NOTE: .*the 1st of a month has no day before it in cron"
expect "... and the line as written" 0 '^0 8 1 \* \* cd '

cad kolkata.cadence.yaml kolkata "0 9 * * *" Asia/Kolkata
run "$cadence" schedule export --to cron --machine-timezone UTC "$tmp/kolkata.cadence.yaml"
expect "a half-hour zone: 09:00 in Kolkata is 03:30 UTC" 0 '^30 3 \* \* \* cd '

cad berlin.cadence.yaml berlin "30 2 * * *" Europe/Berlin
run "$cadence" schedule export --to cron --machine-timezone Europe/Berlin "$tmp/berlin.cadence.yaml"
expect "the machine's own zone: the expression unchanged" 0 '^30 2 \* \* \* cd '
assert "... no NOTE" test "$(grep -c NOTE <<<"$out")" = 0
run "$cadence" schedule export --to cron --machine-timezone Europe/Paris "$tmp/berlin.cadence.yaml"
expect "a zone with the same offsets (Paris for Berlin): unchanged too" 0 \
	"^# cron \"30 2 \\* \\* \\*\" in Europe/Berlin, the machine's zone \\(Europe/Paris\\)\\.$"
run "$cadence" schedule export --to cron --machine-timezone UTC "$tmp/berlin.cadence.yaml"
expect "Berlin on a UTC machine (DST): the line as written" 0 '^30 2 \* \* \* cd '
expect "... under a NOTE that cron cannot keep the zone" 0 \
	"^# NOTE: cron has no time zone of its own: it reads these fields in the machine's zone \\(UTC\\), not in Europe/Berlin"
expect "... and that run --scheduled decides what runs, not when" 0 '^# cron starts `cadence run --scheduled` at these times'
run "$cadence" schedule export --to cron --machine-timezone No/Such_Zone "$tmp/berlin.cadence.yaml"
expect "a machine zone that does not exist: a NOTE, exit 0" 0 "^# NOTE: the machine's time zone 'No/Such_Zone' cannot be read"

mkdir -p "$tmp/it's 100%"
cad "it's 100%/q.cadence.yaml" quoted "@daily"
run "$cadence" schedule export --to cron --machine-timezone UTC --cadence-binary /opt/cadence/bin/cadence \
	"$tmp/it's 100%/q.cadence.yaml"
expect "cron: a macro stays; the directory quoted for the shell, % escaped for cron" 0 \
	"^@daily cd '$tmp/it'\\\\''s 100\\\\%' && /opt/cadence/bin/cadence run --scheduled quoted$"

run "$cadence" schedule export --to cron --machine-timezone UTC -o "$tmp/crontab" "$tmp/kolkata.cadence.yaml"
expect "cron -o FILE: written" 0
assert "... the line in the file" grep -q '^30 3 \* \* \* cd ' "$tmp/crontab"
run "$cadence" schedule export --to cron --machine-timezone UTC -o "$tmp/crontab" "$tmp/tokyo.cadence.yaml"
expect "... another cadence's line over it: refused, exit 1" 1 '' "'$tmp/crontab' exists and differs; nothing written \\(--force replaces it\\)"
assert "... the file as it was" grep -q '^30 3 \* \* \* cd ' "$tmp/crontab"
run "$cadence" schedule export --to cron --machine-timezone UTC -o "$tmp/crontab" --force "$tmp/tokyo.cadence.yaml"
expect "... with --force: replaced" 0
assert "... the new line" grep -q '^\*/15 0 \* \* 1-5 cd ' "$tmp/crontab"

# ---- (c) bad input: a clear message, nothing written ----

mkdir -p "$tmp/bad"
w none.cadence.yaml 'cadence: none
notes:
  sweep: {symbol: sweep}
measures:
  - then: sweep
'
for to in systemd cron; do
	# --to cron off valgrind: these are refused before --to counts (the
	# file's load and checks, the schedule's open), the paths --to
	# systemd's runs took under valgrind
	again=$cadence
	[[ $to == systemd ]] || again=$cadence_again
	run "$again" schedule export --to $to -o "$tmp/bad/$to" "$tmp/none.cadence.yaml"
	expect "$to: no schedule: exit 1, as schedule next" 1 '' "cadence 'none' has no schedule: add 'schedule: \\{cron:.*nothing written"
	assert "... nothing written" test ! -e "$tmp/bad/$to"
	cad bad.cadence.yaml bad "0 25 * * *"
	run "$again" schedule export --to $to -o "$tmp/bad/$to" "$tmp/bad.cadence.yaml"
	expect "$to: a bad cron: the diagnostic, exit 1" 1 '' 'hour 25 is out of range 0-23 \[schedule-cron\]'
	assert "... nothing written" test ! -e "$tmp/bad/$to"
	cad never.cadence.yaml never "0 0 30 2 *"
	run "$again" schedule export --to $to -o "$tmp/bad/$to" "$tmp/never.cadence.yaml"
	expect "$to: a schedule that never fires: exit 1" 1 '' 'schedule-never'
	assert "... nothing written" test ! -e "$tmp/bad/$to"
done

# unwritable: a read-only directory (not for root, who writes anyway), and
# a directory that is a file, and /proc
touch "$tmp/bad/file"
run "$cadence" schedule export --to systemd -o "$tmp/bad/file/units" "$n"
expect "-o under a file: exit 3" 3 '' "^$tmp/bad/file: not a directory, but $tmp/bad/file/units/cadence-nightly.service would go inside it$"
expect "... says nothing was written" 3 '' '^cadence: error: nothing written:$'
run "$cadence" schedule export --to systemd -o /proc/self/fdinfo "$n"
expect "-o where no file can be made: exit 3" 3 '' 'cannot create a file beside /proc/self/fdinfo/cadence-nightly.service: .*; nothing written'
if [[ $(id -u) != 0 ]]; then
	mkdir "$tmp/bad/ro" && chmod 555 "$tmp/bad/ro"
	run "$cadence" schedule export --to systemd -o "$tmp/bad/ro" "$n"
	expect "a read-only -o directory: exit 3" 3 '' 'Permission denied; nothing written'
	assert "... nothing in it (no temporary file either)" test -z "$(ls -A "$tmp/bad/ro")"
	run "$cadence" schedule export --to cron -o "$tmp/bad/ro/crontab" "$n"
	expect "cron -o in a read-only directory: exit 3" 3 '' "cannot write the crontab line to '$tmp/bad/ro/crontab': Permission denied; nothing written"
	chmod 755 "$tmp/bad/ro"
else
	skip "a read-only -o directory" "running as root, who may write there"
fi

# an existing unit that differs: refused without --force, the other unit
# not written either
mkdir -p "$tmp/exist"
echo '# mine' >"$tmp/exist/cadence-nightly.timer"
run "$cadence" schedule export --to systemd -o "$tmp/exist" "$n"
expect "a different unit there: exit 1" 1 '' "^$tmp/exist/cadence-nightly.timer: already exists$"
expect "... --force named" 1 '' '--force replaces them'
assert "... the unit as it was" test "$(cat "$tmp/exist/cadence-nightly.timer")" = '# mine'
assert "... and the service not written alone" test ! -e "$tmp/exist/cadence-nightly.service"
assert "... no temporary file left" test "$(ls -A "$tmp/exist")" = cadence-nightly.timer
run "$cadence" schedule export --to systemd -o "$tmp/exist" --force "$n"
expect "... with --force: both written" 0 "^wrote $tmp/exist/cadence-nightly.timer$"
assert "... the timer replaced" grep -q '^OnCalendar=' "$tmp/exist/cadence-nightly.timer"

run "$cadence" schedule export "$n"
expect "no --to: usage error" 2 '' 'needs --to systemd or --to cron'
run "$cadence" schedule export --to launchd "$n"
expect "--to launchd: usage error" 2
run "$cadence" schedule export --to cron
expect "no file: usage error" 2 '' 'takes one cadence \(a name or a file\), not 0 arguments'
# (off valgrind: memcheck/cli/new's `help new note` takes `help GROUP SUB`,
# memcheck/cli/cli_doc's `schedule export --help` prints this help)
run "$cadence_again" help schedule export
expect "cadence help schedule export" 0 'Write a cadence.s schedule as a systemd timer or a crontab line'
finish
