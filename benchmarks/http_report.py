#!/usr/bin/env python3
"""http_report: the table and JSON of `scripts/bench http`.

What the run measured (scripts/bench runs it; wrk 64 connections, 2 threads, on loopback):
  GET  ledgerd: GET /v1/members/{id}, ids spread at random over the 1,000,000 members
       (benchmarks/wrk/get_member.lua), against nginx serving one real member response as a
       static file with the same wrk script -- the machine's practical HTTP ceiling.
       Target (issue 17): ledgerd >= 90% of nginx's requests/s.
  POST ledgerd: POST /v1/events, one new ServiceLogged event per request, each answered 201
       only once durable (benchmarks/wrk/post_service.lua), against PostgreSQL 15 doing
       single-row autocommit INSERTs from 64 connections with synchronous_commit=on (the
       single cell of benchmarks/append_bench.cc). Target: ledgerd >= 3x PostgreSQL's events/s.
  BATCH ledgerd: POST /v1/events/batch, `batch_events` (1000) new ServiceLogged events per
       request, answered 201 once the whole batch is durable (benchmarks/wrk/post_batch.lua),
       against PostgreSQL 15 doing one multi-row INSERT of as many rows per transaction from
       64 pgbench clients (-M simple, synchronous_commit=on; benchmarks/pgbench_batch.py writes
       the script). Both in events/s. Target: ledgerd >= 3x PostgreSQL's events/s.
  GET during batches: GET /v1/members/{id} at 64 connections while `stream_connections` (1)
       more wrk connection(s) post 1,000-event batches back to back (the "batch stream" row
       shows what they appended meanwhile).
Latency targets (wrk's per-request p99 at 64 connections): GET <= 5 ms, POST <= 10 ms, and GET
<= 5 ms during the batch stream.
Each comparison runs `--rounds` rounds, each server once per round back to back, so that other
work on the machine falls on both alike. A row shows the median round (requests/s, p50 and p99
taken separately); a ratio is the median of the rounds' ratios. Every round is in the JSON.

Reads what the run left in its scratch directory: one `WRK_RESULT {...}` line per wrk run
(benchmarks/wrk/report.lua), wrk-<row>-<round>.txt, append_bench's JSON per round,
postgres-<round>.json, and pgbench's output and per-transaction logs per round,
pgbench-batch-<round>.out and pgbench-batch-<round>-log.*.
Pair check of the POST rows: the events the log gained over the run (head_after - head_before,
from /readyz) must be at least the events of the 201s wrk counted (warmups and the batch stream
included) and at most that plus the events of the requests wrk left in flight when it stopped
(one request per connection per wrk run). Pair check of the PostgreSQL batch rows: the table
holds exactly the rows of the transactions pgbench counted (postgres_batch_rows).

Targets are printed as met / NOT MET and never change the exit status. Exit status: 0 when
every run answered cleanly, 1 when a run is missing, a server answered anything but success or
a pair check fails (the figures would mean nothing), 2 on bad usage.

Usage: http_report.py --scratch DIR --json_out FILE --rounds N key=value...
  The key=value facts describe the run (members, threads, head_before, ...); they are printed
  and copied into the JSON.
"""
import argparse
import glob
import json
import os
import platform
import statistics
import sys
import time

GET_RATIO_TARGET = 0.90  # ledgerd / nginx, requests/s
POST_RATIO_TARGET = 3.0  # ledgerd / PostgreSQL, events/s
BATCH_RATIO_TARGET = 3.0  # ledgerd / PostgreSQL, events/s in batches of batch_events
GET_P99_TARGET_MS = 5  # wrk's p99 at 64 connections, alone and during the batch stream
POST_P99_TARGET_MS = 10


def wrk_run(path, events_per_request=1):
    """One wrk run, from the WRK_RESULT line in `path`; per_second counts events."""
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
        "per_second": ok * events_per_request / seconds if seconds > 0 else 0.0,
        "requests_per_second": ok / seconds if seconds > 0 else 0.0,
        "events_per_request": events_per_request,
        "latency_us_p50": result["latency_us_p50"],
        "latency_us_p99": result["latency_us_p99"],
        "latency_us_max": result["latency_us_max"],
        "wrk": result,
    }


def percentile(sorted_values, percent):
    """The nearest-rank percentile of a sorted, non-empty list."""
    rank = max(1, -(-len(sorted_values) * percent // 100))
    return sorted_values[int(rank) - 1]


def pgbench_run(out_path, log_paths, rows_per_transaction):
    """One pgbench run: its summary in `out_path`, per-transaction latencies in `log_paths`."""
    summary = {}
    with open(out_path, encoding="utf-8") as text:
        for line in text:
            key, sep, value = line.partition(" = ") if " = " in line else line.partition(": ")
            if sep:
                summary[key.strip()] = value.strip()
    transactions = int(summary["number of transactions actually processed"].split("/")[0])
    failed = int(summary.get("number of failed transactions", "0").split()[0])
    tps = float(summary["tps"].split()[0])
    seconds = float(summary["duration"].split()[0])
    # Log lines: client_id transaction_no time_us script_no epoch epoch_us (pgbench -l); a failed
    # transaction has "failed" (or the error kind) where its time would be.
    latencies = []
    for log_path in log_paths:
        with open(log_path, encoding="utf-8") as log:
            latencies += [int(f[2]) for f in (line.split() for line in log) if f[2].isdigit()]
    if not latencies:
        raise ValueError(f"{out_path}: pgbench logged no transaction")
    latencies.sort()
    return {
        "seconds": seconds,
        "ok": transactions * rows_per_transaction,
        "errors": failed,
        "per_second": tps * rows_per_transaction,
        "requests_per_second": tps,
        "events_per_request": rows_per_transaction,
        "latency_us_p50": percentile(latencies, 50),
        "latency_us_p99": percentile(latencies, 99),
        "latency_us_max": latencies[-1],
        "transactions": transactions,
        "clients": int(summary["number of clients"]),
        "pgbench": summary,
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

    batch_events = int(facts.get("batch_events", 1000))
    stream_connections = int(facts.get("stream_connections", 1))
    try:
        nginx_get = row("GET static member.json", "nginx",
                        [wrk_run(path(f"wrk-nginx-get-{r}.txt")) for r in rounds])
        ours_get = row("GET /v1/members/{id}", "ledgerd",
                       [wrk_run(path(f"wrk-ledgerd-get-{r}.txt")) for r in rounds])
        ours_post = row("POST /v1/events ServiceLogged", "ledgerd",
                        [wrk_run(path(f"wrk-ledgerd-post-{r}.txt")) for r in rounds])
        postgres = row("INSERT one row, autocommit", "postgres",
                       [postgres_run(path(f"postgres-{r}.json")) for r in rounds])
        ours_batch = row(f"POST /v1/events/batch of {batch_events}", "ledgerd",
                         [wrk_run(path(f"wrk-ledgerd-batch-{r}.txt"), batch_events)
                          for r in rounds])
        postgres_batch = row(f"INSERT {batch_events} rows per txn", "postgres",
                             [pgbench_run(path(f"pgbench-batch-{r}.out"),
                                          glob.glob(path(f"pgbench-batch-{r}-log.*")),
                                          batch_events) for r in rounds])
        get_under_batch = row("GET during the batch stream", "ledgerd",
                              [wrk_run(path(f"wrk-ledgerd-get-under-batch-{r}.txt"))
                               for r in rounds])
        batch_stream = row(f"batch stream ({stream_connections} conn.)", "ledgerd",
                           [wrk_run(path(f"wrk-ledgerd-batch-stream-{r}.txt"), batch_events)
                            for r in rounds])
        post_warmup = wrk_run(path("wrk-ledgerd-post-warmup.txt"))
        batch_warmup = wrk_run(path("wrk-ledgerd-batch-warmup.txt"), batch_events)
        pgbench_warmup = pgbench_run(path("pgbench-batch-warmup.out"),
                                     glob.glob(path("pgbench-batch-warmup-log.*")), batch_events)
        appended = int(facts["head_after"]) - int(facts["head_before"])
        postgres_batch_rows = int(facts["postgres_batch_rows"])
    except (OSError, ValueError, KeyError) as error:
        print(f"http_report: {error}", file=sys.stderr)
        return 1
    rows = [nginx_get, ours_get, ours_post, postgres, ours_batch, postgres_batch,
            get_under_batch, batch_stream]
    connections = int(facts.get("connections", 0))

    # The log gained exactly the events of the acknowledged POSTs, give or take those of the
    # requests wrk abandoned in flight (one per connection per wrk run).
    acknowledged = (post_warmup["ok"] + ours_post["ok"]
                    + (batch_warmup["ok"] + ours_batch["ok"] + batch_stream["ok"]) * batch_events)
    in_flight_max = ((args.rounds + 1) * connections * (1 + batch_events)
                     + args.rounds * stream_connections * batch_events)
    log_check = {"appended": appended, "acknowledged": acknowledged,
                 "ok": acknowledged <= appended <= acknowledged + in_flight_max}
    # pgbench waits for its transactions before it stops: the table holds exactly their rows.
    committed = pgbench_warmup["ok"] + postgres_batch["ok"]
    postgres_check = {"rows": postgres_batch_rows, "committed": committed,
                      "ok": postgres_batch_rows == committed}

    def ratio(ours, peer):
        ratios = [a["per_second"] / b["per_second"]
                  for a, b in zip(ours["runs"], peer["runs"]) if b["per_second"] > 0]
        return (statistics.median(ratios) if ratios else None), ratios

    get_ratio, get_ratios = ratio(ours_get, nginx_get)
    post_ratio, post_ratios = ratio(ours_post, postgres)
    batch_ratio, batch_ratios = ratio(ours_batch, postgres_batch)
    targets = [
        {"name": "GET ledgerd / nginx", "goal": ">= 90%", "threshold": GET_RATIO_TARGET,
         "measured": get_ratio, "rounds": get_ratios},
        {"name": "POST ledgerd / PostgreSQL", "goal": ">= 3x", "threshold": POST_RATIO_TARGET,
         "measured": post_ratio, "rounds": post_ratios},
        {"name": "batch ledgerd / PostgreSQL", "goal": ">= 3x", "threshold": BATCH_RATIO_TARGET,
         "measured": batch_ratio, "rounds": batch_ratios},
    ]
    for target in targets:
        target["met"] = None if target["measured"] is None else (
            target["measured"] >= target["threshold"])

    def latency_target(name, measured_row, threshold_ms):
        p99_ms = [r["latency_us_p99"] / 1000 for r in measured_row["runs"]]
        measured = measured_row["latency_us_p99"] / 1000
        return {"name": name, "goal": f"<= {threshold_ms} ms", "threshold_ms": threshold_ms,
                "measured_ms": measured, "rounds_ms": p99_ms, "met": measured <= threshold_ms}

    latency_targets = [
        latency_target("GET p99", ours_get, GET_P99_TARGET_MS),
        latency_target("POST p99", ours_post, POST_P99_TARGET_MS),
        latency_target("GET p99 during batches", get_under_batch, GET_P99_TARGET_MS),
    ]

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
    pgbench = postgres_batch["runs"][0]

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
    print(f"  batches: {args.rounds} rounds of {facts.get('batch_seconds')} s per server after "
          f"{facts.get('batch_warmup_seconds')} s of warmup; PostgreSQL: pgbench "
          f"-c{pgbench['clients']} -M simple, one multi-row INSERT of {batch_events} rows per "
          f"transaction (benchmarks/pgbench_batch.py)")
    print(f"  GET during batches: wrk -c{connections} GETs while {stream_connections} more "
          f"connection(s) post batches of {batch_events} back to back")
    print(f"\n{'row':<31} {'server':<9} {'per second':>11} {'(min - max)':>19} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6}")
    for r in rows:
        spread = f"({thousands(r['per_second_min'])} - {thousands(r['per_second_max'])})"
        print(f"{r['name']:<31} {r['server']:<9} {thousands(r['per_second']):>11} {spread:>19} "
              f"{r['latency_us_p50'] / 1000:>8.2f} {r['latency_us_p99'] / 1000:>8.2f} "
              f"{r['errors']:>6}")
    print("per second: successful answers (GET 200) or events (POST 201, sent once durable; "
          "batches count their events) or committed rows.\np50/p99: wrk's per request (a batch "
          "is one request); append_bench's per INSERT; pgbench's per transaction.")
    print(f"log check: the log gained {appended:,} events; wrk counted {acknowledged:,} events "
          f"answered 201: {'ok' if log_check['ok'] else 'MISMATCH'}")
    print(f"PostgreSQL check: the batch table holds {postgres_batch_rows:,} rows; pgbench "
          f"committed {committed:,}: {'ok' if postgres_check['ok'] else 'MISMATCH'}")
    print(f"\n{'target':<27} {'goal':<9} {'measured':>9}  {'':<8} rounds")
    for target in targets:
        percent = target["goal"].endswith("%")

        def shown(value):
            return f"{100 * value:.0f}%" if percent else f"{value:.2f}x"

        measured = "n/a" if target["measured"] is None else shown(target["measured"])
        verdict = "n/a" if target["met"] is None else ("met" if target["met"] else "NOT MET")
        print(f"{target['name']:<27} {target['goal']:<9} {measured:>9}  {verdict:<8} "
              f"{' '.join(shown(r) for r in target['rounds'])}")
    for target in latency_targets:
        print(f"{target['name']:<27} {target['goal']:<9} {target['measured_ms']:>6.2f} ms  "
              f"{'met' if target['met'] else 'NOT MET':<8} "
              f"{' '.join(f'{r:.2f}' for r in target['rounds_ms'])}")

    report = {
        "benchmark": "http",
        "date_utc": date_utc,
        "machine": machine,
        "config": facts,
        "postgres_batch_method": (f"pgbench -c {pgbench['clients']} -M simple, one multi-row "
                                  f"INSERT ... VALUES of {batch_events} rows per transaction "
                                  f"(not COPY), synchronous_commit=on"),
        "rows": rows,
        "ratios": {"get_ours_over_nginx": get_ratio, "post_ours_over_postgres": post_ratio,
                   "batch_ours_over_postgres": batch_ratio},
        "targets": targets,
        "latency_targets": latency_targets,
        "post_log_check": log_check,
        "postgres_batch_check": postgres_check,
    }
    with open(args.json_out, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2, ensure_ascii=False)
        out.write("\n")
    print(f"\nwrote {args.json_out}")

    broken = [r["name"] for r in rows if r["ok"] == 0 or r["errors"] > 0]
    if not log_check["ok"]:
        broken.append("the POST log check")
    if not postgres_check["ok"]:
        broken.append("the PostgreSQL batch check")
    if broken:
        print(f"http_report: failed or refused requests in: {', '.join(broken)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
