#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Time whole processes against each other, in rounds (bench/scale.sh).

    bench/proctime.py [--rounds R] [--budget S] [--timeout S] [--limit-mb M]
                      [--gate LABEL] [--ratio A/B]... LABEL CMD [LABEL CMD]...

Each CMD is one shell-quoted command line; its output goes to /dev/null and
it must exit 0.  A first round, in the order given, warms up the page cache
and checks the exit statuses; then R rounds (fewer when the first round
says they would take more than --budget seconds), each running every
command once, the order rotating from round to round, so a busy spell of a
shared machine hits all of them alike.

A command is stopped after --timeout seconds, and cannot map more than
--limit-mb of address space (RLIMIT_AS, inherited from this process).  A
command that stops or fails in the first round is left out of the rounds;
with --gate LABEL, when LABEL (or LABEL.base) stops or fails, the commands
after it whose labels end alike (nothing, or .base) are not run at all:
they would do the same work first.

Prints one line per command, then one per --ratio:
    cmd LABEL STATUS WALL_MS CPU_MS ROUNDS
    ratio A/B WALL CPU
STATUS: ok, stopped (WALL_MS is then the timeout), failed:RC, skipped.
WALL_MS and CPU_MS (user + system of the process and the children it
waited for, from wait4) are medians over the rounds; a ratio is the median
over the rounds of the ratio within a round; when A stopped, it is the
lower bound timeout / B, printed with a '>'.
"""
import argparse
import os
import resource
import shlex
import signal
import statistics
import sys
import time

DEVNULL = os.open(os.devnull, os.O_RDWR)


class Stopped(Exception):
    pass


def run_once(argv, timeout):
    """(wall seconds, cpu seconds, exit status) of one run; status None
    when it was stopped after `timeout`."""
    acts = [(os.POSIX_SPAWN_DUP2, DEVNULL, 0), (os.POSIX_SPAWN_DUP2, DEVNULL, 1),
            (os.POSIX_SPAWN_DUP2, DEVNULL, 2)]
    stopped = []

    def alarm(_sig, _frame):
        stopped.append(1)
        os.kill(pid, signal.SIGKILL)

    old = signal.signal(signal.SIGALRM, alarm)
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=acts)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        _, status, ru = os.wait4(pid, 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    wall = time.perf_counter() - t0
    cpu = ru.ru_utime + ru.ru_stime
    if stopped:
        return wall, cpu, None
    return wall, cpu, os.waitstatus_to_exitcode(status)


def side(label):
    return ".base" if label.endswith(".base") else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--limit-mb", type=int, default=4096)
    ap.add_argument("--gate")
    ap.add_argument("--ratio", action="append", default=[])
    ap.add_argument("pairs", nargs="+")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        sys.exit("proctime.py: LABEL CMD pairs")
    cmds = [(a.pairs[i], shlex.split(a.pairs[i + 1])) for i in range(0, len(a.pairs), 2)]
    limit = a.limit_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    status = {}
    gated = set()
    first = 0.0
    for label, argv in cmds:
        if side(label) in gated:
            status[label] = "skipped"
            continue
        wall, _, rc = run_once(argv, a.timeout)
        first += wall
        status[label] = "ok" if rc == 0 else "stopped" if rc is None else "failed:%d" % rc
        if status[label] != "ok" and a.gate and label in (a.gate, a.gate + ".base"):
            gated.add(side(label))
    timed = [c for c in cmds if status[c[0]] == "ok"]
    rounds = max(1, min(a.rounds, int(a.budget / first) if first > 0 else a.rounds))
    walls = {label: [] for label, _ in timed}
    cpus = {label: [] for label, _ in timed}
    for r in range(rounds):
        k = r % len(timed) if timed else 0
        for label, argv in timed[k:] + timed[:k]:
            wall, cpu, rc = run_once(argv, a.timeout)
            if rc != 0:
                sys.exit("proctime.py: %s: %s in round %d" %
                         (label, "stopped" if rc is None else "exit %d" % rc, r + 1))
            walls[label].append(wall)
            cpus[label].append(cpu)

    for label, _ in cmds:
        st = status[label]
        if st == "ok":
            print("cmd %s ok %.3f %.3f %d" % (label, statistics.median(walls[label]) * 1e3,
                                              statistics.median(cpus[label]) * 1e3, rounds))
        elif st == "stopped":
            print("cmd %s stopped %.0f - 0" % (label, a.timeout * 1e3))
        else:
            print("cmd %s %s - - 0" % (label, st))
    for ratio in a.ratio:
        x, y = ratio.split("/")
        if status.get(x) == "ok" and status.get(y) == "ok":
            w = statistics.median(p / q for p, q in zip(walls[x], walls[y]))
            c = statistics.median(p / q if q else float("nan") for p, q in zip(cpus[x], cpus[y]))
            print("ratio %s %.2f %.2f" % (ratio, w, c))
        elif status.get(x) == "stopped" and status.get(y) == "ok":
            w = a.timeout / statistics.median(walls[y])
            print("ratio %s >%.0f -" % (ratio, w))
        else:
            print("ratio %s - -" % ratio)


if __name__ == "__main__":
    main()
