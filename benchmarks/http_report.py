#!/usr/bin/env python3
"""http_report: the table and JSON of `scripts/bench http`.

What the run measured (scripts/bench runs it; wrk 64 connections, 2 threads, on loopback):
  GET  ledgerd: GET /v1/members/{id}, ids spread at random over the 1,000,000 members
       (benchmarks/wrk/get_member.lua), against nginx serving one real member response as a
       static file with the same wrk script -- the machine's practical HTTP ceiling.
       Target: ledgerd >= 80% of nginx's requests/s.
  POST ledgerd: POST /v1/events, one new ServiceLogged event per request, each answered 201
       only once durable (benchmarks/wrk/post_service.lua), against PostgreSQL 15 doing
       single-row autocommit INSERTs from 64 connections with synchronous_commit=on (the
       single cell of benchmarks/append_bench.cc). Target: ledgerd >= 3x PostgreSQL's events/s.
Each comparison runs `--rounds` rounds, each server once per round back to back, so that other
work on the machine falls on both alike. A row shows the median round (requests/s, p50 and p99
taken separately); a ratio is the median of the rounds' ratios. Every round is in the JSON.

Reads what the run left in its scratch directory: one `WRK_RESULT {...}` line per wrk run
(benchmarks/wrk/report.lua), wrk-<row>-<round>.txt, and append_bench's JSON per round,
postgres-<round>.json. Pair check of the POST rows: the events the log gained over the run
(head_after - head_before, from /readyz) must be at least the 201s wrk counted (warmup
included) and at most that plus the requests wrk left in flight when it stopped (one per
connection per wrk run).

Targets are printed as met / NOT MET and never change the exit status. Exit status: 0 when
every run answered cleanly, 1 when a run is missing, a server answered anything but success or
the log check fails (the figures would mean nothing), 2 on bad usage.

Usage: http_report.py --scratch DIR --json_out FILE --rounds N key=value...
  The key=value facts describe the run (members, threads, head_before, ...); they are printed
  and copied into the JSON.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

GET_RATIO_TARGET = 0.80  # ledgerd / nginx, requests/s
POST_RATIO_TARGET = 3.0  # ledgerd / PostgreSQL, events/s


def wrk_run(path):
    """One wrk run, from the WRK_RESULT line in `path`."""
    with open(path, encoding="utf-8") as text:
        lines = [line for line in text if line.startswith("WRK_RESULT ")]
    if not lines:
        raise ValueError(f"{path}: no WRK_RESULT line (did wrk run?)")
    result = json.loads(lines[-1].split(" ", 1)[1])
    seconds = result["duration_us"] / 1e6
    # Only successful answers count: wrk counts a status >= 400 in errors_status.
    ok = result["requests"] - result["errors_status"]
    return {
        "seconds": seconds,
        "ok": ok,
        "errors": sum(result[key] for key in result if key.startswith("errors_")),
        "per_second": ok / seconds if seconds > 0 else 0.0,
        "latency_us_p50": result["latency_us_p50"],
        "latency_us_p99": result["latency_us_p99"],
        "latency_us_max": result["latency_us_max"],
        "wrk": result,
    }


def postgres_run(path):
    """The 64-way single PostgreSQL cell of one append_bench JSON."""
    with open(path, encoding="utf-8") as text:
        bench = json.load(text)
    cells = [c for c in bench["cells"] if c["store"] == "postgres" and c["workload"] == "single"]
    if not cells or not cells[0]["ran"]:
        raise ValueError(f"{path}: no PostgreSQL single cell")
    cell = cells[0]
    return {
        "seconds": cell["seconds"],
        "ok": cell["events_measured"],
        "errors": 0,  # append_bench stops and fails on the first failed INSERT
        "per_second": cell["events_per_second"],
        "latency_us_p50": cell["latency_us_p50"],
        "latency_us_p99": cell["latency_us_p99"],
        "latency_us_max": cell["latency_us_max"],
        "clients": cell["clients"],
        "postgres": bench.get("postgres"),
    }


def row(name, server, runs):
    return {
        "name": name,
        "server": server,
        "per_second": statistics.median(r["per_second"] for r in runs),
        "latency_us_p50": statistics.median(r["latency_us_p50"] for r in runs),
        "latency_us_p99": statistics.median(r["latency_us_p99"] for r in runs),
        "per_second_min": min(r["per_second"] for r in runs),
        "per_second_max": max(r["per_second"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "ok": sum(r["ok"] for r in runs),
        "runs": runs,
    }


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def thousands(value):
    return f"{round(value):,}"


def main():
    parser = argparse.ArgumentParser(description="the table and JSON of scripts/bench http")
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--json_out", required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("facts", nargs="*", help="key=value facts about the run")
    args = parser.parse_args()
    facts = dict(fact.split("=", 1) for fact in args.facts)
    rounds = range(1, args.rounds + 1)

    def path(name):
        return os.path.join(args.scratch, name)

    try:
        nginx_get = row("GET static member.json", "nginx",
                        [wrk_run(path(f"wrk-nginx-get-{r}.txt")) for r in rounds])
        ours_get = row("GET /v1/members/{id}", "ledgerd",
                       [wrk_run(path(f"wrk-ledgerd-get-{r}.txt")) for r in rounds])
        ours_post = row("POST /v1/events ServiceLogged", "ledgerd",
                        [wrk_run(path(f"wrk-ledgerd-post-{r}.txt")) for r in rounds])
        postgres = row("INSERT one row, autocommit", "postgres",
                       [postgres_run(path(f"postgres-{r}.json")) for r in rounds])
        post_warmup = wrk_run(path("wrk-ledgerd-post-warmup.txt"))
        appended = int(facts["head_after"]) - int(facts["head_before"])
    except (OSError, ValueError, KeyError) as error:
        print(f"http_report: {error}", file=sys.stderr)
        return 1
    rows = [nginx_get, ours_get, ours_post, postgres]
    connections = int(facts.get("connections", 0))

    # The log gained exactly the acknowledged POSTs, give or take those wrk abandoned in flight.
    acknowledged = post_warmup["ok"] + ours_post["ok"]
    in_flight_max = (args.rounds + 1) * connections
    log_check = {"appended": appended, "acknowledged": acknowledged,
                 "ok": acknowledged <= appended <= acknowledged + in_flight_max}

    def ratio(ours, peer):
        ratios = [a["per_second"] / b["per_second"]
                  for a, b in zip(ours["runs"], peer["runs"]) if b["per_second"] > 0]
        return (statistics.median(ratios) if ratios else None), ratios

    get_ratio, get_ratios = ratio(ours_get, nginx_get)
    post_ratio, post_ratios = ratio(ours_post, postgres)
    targets = [
        {"name": "GET ledgerd / nginx", "goal": ">= 80%", "threshold": GET_RATIO_TARGET,
         "measured": get_ratio, "rounds": get_ratios},
        {"name": "POST ledgerd / PostgreSQL", "goal": ">= 3x", "threshold": POST_RATIO_TARGET,
         "measured": post_ratio, "rounds": post_ratios},
    ]
    for target in targets:
        target["met"] = None if target["measured"] is None else (
            target["measured"] >= target["threshold"])

    date_utc = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    machine = {
        "nproc": os.cpu_count(),
        "hostname": platform.node(),
        "kernel": f"{platform.system()} {platform.release()}",
        "cpu_model": cpu_model(),
        "load_average_before": facts.get("load_average_before", ""),
        "load_average_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    pg = postgres["runs"][0].get("postgres") or {}

    print(f"\nHTTP benchmark  {date_utc}  nproc={machine['nproc']}  {machine['cpu_model']}")
    print(f"  load average before: {machine['load_average_before']}, after: "
          f"{machine['load_average_after']} (other work on the machine skews every figure)")
    print(f"  ledger: {int(facts.get('members', 0)):,} members; ledgerd --threads "
          f"{facts.get('threads')}, one log line per request ({facts.get('log_requests')})")
    print(f"  wrk {facts.get('wrk_version', '')} -t{facts.get('wrk_threads')} -c{connections} "
          f"on loopback; {args.rounds} rounds of {facts.get('seconds')} s per server, "
          f"alternating, after {facts.get('warmup_seconds')} s of warmup; median round shown")
    print(f"  nginx {facts.get('nginx_version', '')}: {facts.get('nginx_workers')} workers, "
          f"the {facts.get('member_bytes')}-byte JSON of member m-1 as a static file, "
          f"access_log off")
    print(f"  PostgreSQL {pg.get('server_version', '?')}: {postgres['runs'][0]['clients']} "
          f"connections, prepared autocommit single-row INSERT (append_bench), "
          f"synchronous_commit={pg.get('synchronous_commit', '?')} fsync={pg.get('fsync', '?')}")
    print(f"\n{'row':<31} {'server':<9} {'per second':>11} {'(min - max)':>19} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'errors':>6}")
    for r in rows:
        spread = f"({thousands(r['per_second_min'])} - {thousands(r['per_second_max'])})"
        print(f"{r['name']:<31} {r['server']:<9} {thousands(r['per_second']):>11} {spread:>19} "
              f"{r['latency_us_p50'] / 1000:>7.2f} {r['latency_us_p99'] / 1000:>7.2f} "
              f"{r['errors']:>6}")
    print("per second: successful answers (GET 200; POST 201, sent once durable) or committed "
          "INSERTs.\np50/p99: wrk's per request; append_bench's per INSERT.")
    print(f"log check: the log gained {appended:,} events; wrk counted {acknowledged:,} POSTs "
          f"answered 201: {'ok' if log_check['ok'] else 'MISMATCH'}")
    print(f"\n{'target':<27} {'goal':<7} {'measured':>9}  {'':<8} rounds")
    for target in targets:
        percent = target["goal"].endswith("%")

        def shown(value):
            return f"{100 * value:.0f}%" if percent else f"{value:.2f}x"

        measured = "n/a" if target["measured"] is None else shown(target["measured"])
        verdict = "n/a" if target["met"] is None else ("met" if target["met"] else "NOT MET")
        print(f"{target['name']:<27} {target['goal']:<7} {measured:>9}  {verdict:<8} "
              f"{' '.join(shown(r) for r in target['rounds'])}")

    report = {
        "benchmark": "http",
        "date_utc": date_utc,
        "machine": machine,
        "config": facts,
        "rows": rows,
        "ratios": {"get_ours_over_nginx": get_ratio, "post_ours_over_postgres": post_ratio},
        "targets": targets,
        "post_log_check": log_check,
    }
    with open(args.json_out, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2, ensure_ascii=False)
        out.write("\n")
    print(f"\nwrote {args.json_out}")

    broken = [r["name"] for r in rows if r["ok"] == 0 or r["errors"] > 0]
    if not log_check["ok"]:
        broken.append("the POST log check")
    if broken:
        print(f"http_report: failed or refused requests in: {', '.join(broken)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
