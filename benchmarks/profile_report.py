#!/usr/bin/env python3
"""profile_report: the JSON and summary line of `scripts/bench profile`.

`scripts/bench profile` samples build/profile's ledgerd with perf while wrk posts
POST /v1/events/batch (benchmarks/wrk/post_batch.lua); the profile itself is perf report's text,
var/bench/profile-<timestamp>.txt. This writes what the load was while it was sampled: the wrk
run's events/s and batch latency, the log's head before and after, and how perf sampled.

Usage: profile_report.py --wrk WRK_OUTPUT --json_out FILE key=value...
  The key=value facts (batch_events, call_graph, frequency_hz, seconds, head_before,
  head_after, ledgerd_cpu_cores, profile) are copied into the JSON; numbers as numbers.
Exit status: 0 when written, 1 when the wrk run is missing or had refused requests, 2 on bad
usage.
"""
import argparse
import json
import sys


def number(value):
    """`value` as an int or a float if it is one, else as it is."""
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def main():
    parser = argparse.ArgumentParser(description="the JSON of scripts/bench profile")
    parser.add_argument("--wrk", required=True)
    parser.add_argument("--json_out", required=True)
    parser.add_argument("facts", nargs="*", help="key=value facts about the run")
    args = parser.parse_args()
    facts = {key: number(value) for key, value in (fact.split("=", 1) for fact in args.facts)}
    try:
        with open(args.wrk, encoding="utf-8") as text:
            line = [l for l in text if l.startswith("WRK_RESULT ")][-1]
    except (OSError, IndexError):
        print(f"profile_report: {args.wrk}: no WRK_RESULT line (did wrk run?)", file=sys.stderr)
        return 1
    wrk = json.loads(line.split(" ", 1)[1])
    ok = wrk["requests"] - wrk["errors_status"]
    batch_events = int(facts.get("batch_events", 1000))
    report = {
        "benchmark": "profile",
        **facts,
        "events_per_second": ok * batch_events / (wrk["duration_us"] / 1e6),
        "batch_latency_us_p50": wrk["latency_us_p50"],
        "batch_latency_us_p99": wrk["latency_us_p99"],
        "wrk": wrk,
    }
    with open(args.json_out, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2)
        out.write("\n")
    print(f"profile: ledgerd under POST /v1/events/batch of {batch_events}: "
          f"{report['events_per_second']:,.0f} events/s while sampled, batch p50 "
          f"{wrk['latency_us_p50'] / 1000:.1f} ms, p99 {wrk['latency_us_p99'] / 1000:.1f} ms, "
          f"{wrk['errors_status']} refused; ledgerd used {facts.get('ledgerd_cpu_cores', '?')} "
          f"cores")
    return 1 if ok == 0 or wrk["errors_status"] > 0 else 0


if __name__ == "__main__":
    sys.exit(main())
