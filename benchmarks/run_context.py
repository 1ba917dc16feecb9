#!/usr/bin/env python3
"""run_context: adds to a benchmark's JSON what every `scripts/bench` run records about itself.

Adds (or replaces) one top-level object, "run":
  git_commit          HEAD of the checkout the benchmark was built from
  git_dirty           whether tracked files differed from that commit
  nproc               the CPUs this process may run on (as `nproc` counts them)
  load_average_start  /proc/loadavg's 1, 5 and 15 minute load averages when the measuring began
  load_average_end    the same when it ended (now)
and prints them on one line, so that the figures above it are read with the machine's load.

Usage: run_context.py JSON_FILE "LOAD1 LOAD5 LOAD15"   (the start, from /proc/loadavg)
Exit status: 0 when written, 1 when the JSON cannot be read or written, 2 on bad usage.
"""
import json
import os
import subprocess
import sys


def load_average():
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        return [float(x) for x in loadavg.read().split()[:3]]


def git(*args):
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def main():
    if len(sys.argv) != 3:
        print("usage: run_context.py JSON_FILE 'LOAD1 LOAD5 LOAD15'", file=sys.stderr)
        return 2
    path = sys.argv[1]
    try:
        start = [float(x) for x in sys.argv[2].split()[:3]]
    except ValueError:
        print(f"run_context: not a load average: {sys.argv[2]!r}", file=sys.stderr)
        return 2
    status = git("status", "--porcelain", "--untracked-files=no")
    run = {
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": None if status is None else status != "",
        "nproc": len(os.sched_getaffinity(0)),
        "load_average_start": start,
        "load_average_end": load_average(),
    }
    try:
        with open(path, encoding="utf-8") as text:
            report = json.load(text)
        report["run"] = run
        with open(path, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=2, ensure_ascii=False)
            out.write("\n")
    except (OSError, ValueError) as error:
        print(f"run_context: {path}: {error}", file=sys.stderr)
        return 1
    commit = (run["git_commit"] or "?")[:12] + ("+dirty" if run["git_dirty"] else "")
    print(f"run: load average (1/5/15 min) at start {' '.join(f'{x:.2f}' for x in start)}, "
          f"at end {' '.join(f'{x:.2f}' for x in run['load_average_end'])}; "
          f"nproc {run['nproc']}; commit {commit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
