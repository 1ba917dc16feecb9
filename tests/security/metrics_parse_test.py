#!/usr/bin/env python3
"""Threat: /metrics lines cut at a fixed buffer length and glued to the next line, so that a
scraper rejects the whole page (and loses every metric) once a long route name appears.

Starts `ledgerd --demo` (path in argv[1]) on a free port of 127.0.0.1, sends a request to every
route of /openapi.json (so the longest route name is in the latency histogram), then parses
/metrics with prometheus_client's parser and checks each line on its own. Exit 0 on success.
"""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

# A sample line: name, optional {labels}, one value (Prometheus text format 0.0.4).
SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?'
                    r' [-+]?([0-9.eE+-]+|Inf|NaN)$')


def request(url, method="GET", key=None, body=None):
    headers = {"Authorization": "Bearer " + key} if key else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, method=method, headers=headers, data=body)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def main():
    ledgerd = sys.argv[1]
    key = secrets.token_hex(32)
    data = tempfile.mkdtemp(prefix="metrics_parse_test.")
    env = dict(os.environ, LEDGER_ADMIN_KEY=key)
    process = subprocess.Popen(
        [ledgerd, "--demo", "--data", data + "/data", "--listen", "127.0.0.1:0",
         "--log-requests", "off"], stdout=subprocess.PIPE, env=env, text=True)
    try:
        port = None
        for line in process.stdout:
            found = re.search(r"listening on https?://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        if port is None:
            print("ledgerd did not start", file=sys.stderr)
            return 1
        base = "http://127.0.0.1:%d" % port
        status, text = request(base + "/openapi.json")
        assert status == 200, status
        routes = []
        for path, operations in json.loads(text)["paths"].items():
            for method in operations:
                if method.upper() in ("GET", "POST", "DELETE"):
                    routes.append((method.upper(), path))
        longest = max((path for _, path in routes), key=len)
        # Without a key every route answers at once (401, or the public ones): enough to put each
        # route, the longest among them, into the latency histogram.
        for method, path in routes:
            concrete = re.sub(r"\{[^}]*\}", "x", path)
            request(base + concrete, method, body=b"{}" if method == "POST" else None)

        status, text = request(base + "/metrics", key=key)
        assert status == 200, status
        first_bucket = 'ledger_http_request_duration_seconds_bucket{route="%s",le=' % longest
        assert first_bucket in text, "the longest route %s is not in the histogram" % longest

        # The real parser first. It is lenient (a line cut inside a label value and glued to the
        # next one still parses, with a made-up label), so every parsed label is checked too.
        known_routes = {path for _, path in routes} | {"other", "unparsed"}
        samples = 0
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                samples += 1
                route = sample.labels.get("route")
                assert route is None or route in known_routes, "bad route label: %r" % (sample,)
                if sample.name.endswith(("_sum", "_count")):
                    assert "le" not in sample.labels, "le on %r" % (sample,)
        lines = [line for line in text.split("\n") if line and not line.startswith("#")]
        assert samples == len(lines), "parsed %d samples from %d lines" % (samples, len(lines))
        bad = [line for line in lines if not SAMPLE.match(line)]
        assert not bad, "lines that are not samples:\n" + "\n".join(bad)
        assert text.endswith("\n"), "the text does not end with a newline"
        print("ok: %d samples parsed; longest route %s" % (samples, longest))
        return 0
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
