#!/usr/bin/env python3
"""A certificate's life against a real ledgerd, checked from outside (tests/CMakeLists.txt runs it
as certificates.independent_verifier): services logged, verified, one verification reversed; one
visit that comes through a request (订单式: the elder's request, assigned, the visit naming it,
verified, and the request read back as resolved); a certificate issued for October 2026 that
counts that visit; its credential verified by verify_vc.py with nothing but the
ledger's public key (PEM from `ledgerctl pubkey`); the same credential with a changed figure or
name refused; bad input refused with the head unmoved; then revoked, read back as revoked and
verified as revoked.

Usage: certificate_check.py LEDGERD LEDGERCTL WORKDIR
"""
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def call(url, method, path, body=None, key=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def expect(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok:", what)


def verify_offline(credential, pubkey, work, name):
    path = os.path.join(work, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(credential, f, ensure_ascii=False, indent=2)
    result = subprocess.run([sys.executable, os.path.join(HERE, "verify_vc.py"), path,
                             "--pubkey", os.path.join(work, "ledger.pub")],
                            capture_output=True, text=True, check=False)
    print(name + ": verify_vc.py says " + result.stdout.strip() + result.stderr.strip())
    return result.returncode


def main(ledgerd, ledgerctl, work, story=None):
    """Serves a fresh ledger in WORK/data and runs `story` (run_story when None) against it:
    story(url, admin_key, ledgerctl, data_dir, work). tests/filing reuses it."""
    data = os.path.join(work, "data")
    key = secrets.token_hex(32)
    out = open(os.path.join(work, "ledgerd.out"), "w")
    process = subprocess.Popen([ledgerd, "--data", data, "--listen", "127.0.0.1:0",
                                "--log-requests", "off"],
                               env=dict(os.environ, LEDGER_ADMIN_KEY=key), stdout=out,
                               stderr=open(os.path.join(work, "ledgerd.err"), "w"))
    try:
        url = None
        for _ in range(300):
            with open(os.path.join(work, "ledgerd.out")) as f:
                for line in f:
                    if line.startswith("ledgerd: listening on "):
                        url = line.split()[3]
            if url:
                try:
                    if call(url, "GET", "/readyz")[0] == 200:
                        break
                except OSError:
                    pass
            if process.poll() is not None:
                raise AssertionError("ledgerd exited")
            time.sleep(0.1)
        expect(url is not None, "ledgerd listens on " + str(url))
        (story or run_story)(url, key, ledgerctl, data, work)
    finally:
        process.terminate()
        process.wait(timeout=30)


def post_event(url, key, event_id, type_, occurred_at, fields):
    """POST /v1/events; fails the check unless it was recorded (201). Returns its position."""
    status, body = call(url, "POST", "/v1/events", {"id": event_id, "type": type_,
                                                   "occurred_at": occurred_at,
                                                   "data": fields}, key)
    expect(status == 201, type_ + " " + event_id + " recorded: " + json.dumps(body))
    return body["position"]


def run_story(url, key, ledgerctl, data, work):
    def event(event_id, type_, occurred_at, fields):
        return post_event(url, key, event_id, type_, occurred_at, fields)

    event("ev-b", "BranchOpened", "2026-09-01T09:00:00+08:00",
          {"branch_id": "b-cert", "name": "石园街道"})
    event("ev-v", "MemberRegistered", "2026-09-01T09:10:00+08:00",
          {"member_id": "v-cert", "kind": "volunteer", "branch_id": "b-cert", "name": "王秀英"})
    event("ev-e", "MemberRegistered", "2026-09-01T09:20:00+08:00",
          {"member_id": "e-cert", "kind": "elder", "branch_id": "b-cert", "name": "李奶奶"})
    event("ev-p", "PairingFormed", "2026-09-01T09:30:00+08:00",
          {"pairing_id": "p-cert", "volunteer_id": "v-cert", "elder_id": "e-cert"})
    # s0: Beijing 1 October (30 September in UTC): counted. s1: counted. s2: its verification
    # reversed. s3: never verified. s4: November, outside the period.
    services = [("s0", "respite_care", "2026-10-01T00:10:00+08:00", 30, True),
                ("s1", "home_visit", "2026-10-03T09:00:00+08:00", 90, True),
                ("s2", "companionship", "2026-10-20T09:00:00+08:00", 60, True),
                ("s3", "errand", "2026-10-25T09:00:00+08:00", 45, False),
                ("s4", "errand", "2026-11-02T09:00:00+08:00", 30, True)]
    for service_id, kind, started_at, minutes, verified in services:
        day = started_at[:10]
        event("ev-log-" + service_id, "ServiceLogged", day + "T20:00:00+08:00",
              {"service_id": service_id, "volunteer_id": "v-cert", "kind": kind,
               "started_at": started_at, "minutes": minutes, "elder_id": "e-cert"})
        if verified:
            event("ev-ver-" + service_id, "ServiceVerified", day + "T21:00:00+08:00",
                  {"service_id": service_id, "confirmed_by": "e-cert"})
    event("ev-rev-s2", "EventReversed", "2026-10-21T09:00:00+08:00",
          {"reversal_id": "r-s2", "reverses_id": "ev-ver-s2", "reason": "记录有误"})

    # s5 comes through a request: the elder asks, a coordinator assigns the paired volunteer, her
    # visit names the request, the elder confirms it, and the request is resolved.
    # Each read waits for the projections to apply the write before it (min_position).
    def request_read(what, position):
        status, body = call(url, "GET", "/v1/requests/req-cert?min_position=%d" % position,
                            key=key)
        expect(status == 200, what + ": " + json.dumps(body, ensure_ascii=False))
        return body

    position = event("ev-req", "ServiceRequested", "2026-10-08T09:00:00+08:00",
          {"request_id": "req-cert", "elder_id": "e-cert", "need": "home_visit",
           "description": "厨房需要打扫，想请人上门", "requested_by": "elder"})
    read = request_read("the request is read back", position)
    expect(read["status"] == "open" and read["volunteer_id"] is None
           and read["elder_id"] == "e-cert" and read["branch_id"] == "b-cert"
           and read["requested_at"].startswith("2026-10-08T09:00:00"), "the request is open")
    position = event("ev-req-assign", "RequestAssigned", "2026-10-08T10:00:00+08:00",
          {"request_id": "req-cert", "volunteer_id": "v-cert"})
    read = request_read("the assigned request is read back", position)
    expect(read["status"] == "assigned" and read["volunteer_id"] == "v-cert",
           "the request is assigned to v-cert")
    position = event("ev-log-s5", "ServiceLogged", "2026-10-10T20:00:00+08:00",
          {"service_id": "s5", "volunteer_id": "v-cert", "kind": "home_visit",
           "started_at": "2026-10-10T14:00:00+08:00", "minutes": 60, "elder_id": "e-cert",
           "request_id": "req-cert"})
    read = request_read("the request with its pending visit is read back", position)
    expect(read["status"] == "assigned" and read["service_ids"] == ["s5"],
           "a pending visit names the request; it is not resolved yet")
    position = event("ev-ver-s5", "ServiceVerified", "2026-10-10T21:00:00+08:00",
          {"service_id": "s5", "confirmed_by": "e-cert", "rating": 5})
    read = request_read("the resolved request is read back", position)
    expect(read["status"] == "resolved" and read["service_ids"] == ["s5"]
           and read["resolved_at"].startswith("2026-10-10T21:00:00"),
           "verifying the visit resolves the request")
    status, resolved = call(url, "GET", "/v1/requests?branch_id=b-cert&status=resolved"
                            "&min_position=%d" % position, key=key)
    expect(status == 200 and [r["request_id"] for r in resolved["items"]] == ["req-cert"],
           "the board lists it among the resolved")
    status, report = call(url, "GET", "/v1/reports/monthly?branch_id=b-cert&month=2026-10"
                          "&min_position=%d" % position, key=key)
    expect(status == 200 and report["requests_opened"] == 1 and report["requests_resolved"] == 1,
           "October's report counts one request opened and resolved")

    head = call(url, "GET", "/v1/audit/head", key=key)[1]
    for bad, code in [({"from": "2026-10-31", "to": "2026-10-01"}, 422),
                      ({"from": "2026-10-01"}, 400),
                      ({"from": "2026-13-01", "to": "2026-12-31"}, 400),
                      ({"from": "2026-10-01", "to": "2026-10-31", "x": 1}, 400)]:
        status, body = call(url, "POST", "/v1/members/v-cert/certificates", bad, key)
        expect(status == code and body.get("type"),
               "bad request " + json.dumps(bad) + " -> " + str(code))
    status, _ = call(url, "POST", "/v1/members/nobody/certificates",
                     {"from": "2026-10-01", "to": "2026-10-31"}, key)
    expect(status == 404, "no certificate for an unknown member")
    expect(call(url, "GET", "/v1/audit/head", key=key)[1] == head, "the head did not move")

    status, issued = call(url, "POST", "/v1/members/v-cert/certificates",
                          {"from": "2026-10-01", "to": "2026-10-31"}, key)
    expect(status == 201, "certificate issued: " + json.dumps(issued, ensure_ascii=False))
    number = issued["certificate_id"]
    credential = issued["credential"]
    subject = credential["credentialSubject"]
    expect(number.startswith("ZYK-") and len(number) == 15, "numbered " + number)
    expect(issued["verify_url"] == "/v1/certificates/" + number, "verify_url")
    expect(subject["verified_minutes"] == 180 and subject["services"] == 3,
           "figures: 180 verified minutes in 3 services, the requested visit among them")
    expect(subject["kinds"] == ["home_visit", "respite_care"], "kinds of service")
    expect(subject["name"] == "王秀英" and subject["from"] == "2026-10-01", "name and period")
    expect(credential["issuer"].startswith("did:key:z6Mk"), "issuer is an Ed25519 did:key")

    pubkey = subprocess.run([ledgerctl, "pubkey", "--data", data], capture_output=True,
                            check=True).stdout
    with open(os.path.join(work, "ledger.pub"), "wb") as f:
        f.write(pubkey)
    expect(verify_offline(credential, pubkey, work, "issued") == 0,
           "the independent verifier accepts the credential with the public key alone")
    more = json.loads(json.dumps(credential))
    more["credentialSubject"]["verified_minutes"] += 60
    expect(verify_offline(more, pubkey, work, "more-minutes") == 1,
           "the independent verifier refuses a changed figure")
    renamed = json.loads(json.dumps(credential))
    renamed["credentialSubject"]["name"] = "王秀兰"
    expect(verify_offline(renamed, pubkey, work, "renamed") == 1,
           "the independent verifier refuses a changed name")

    # Reads right after a write wait for the projections to apply it (min_position): under load
    # they may lag the log.
    issued_at = call(url, "GET", "/v1/audit/head", key=key)[1]["position"]
    status, read = call(url, "GET", "/v1/certificates/%s?min_position=%d" % (number, issued_at))
    expect(status == 200 and read["status"] == "valid" and read["credential"] == credential,
           "GET without a key gives the very credential issued, valid")
    status, verdict = call(url, "POST", "/v1/certificates/verify", {"credential": credential})
    expect(status == 200 and verdict["valid"] is True and verdict["status"] == "valid",
           "the ledger verifies it: " + json.dumps(verdict, ensure_ascii=False))
    status, verdict = call(url, "POST", "/v1/certificates/verify", {"credential": more})
    expect(status == 200 and verdict["valid"] is False, "the ledger refuses the changed figure")
    expect(call(url, "GET", "/v1/certificates/ZYK-1999-000001")[0] == 404, "404 for none")

    revoked_at = event("ev-revoke", "CertificateRevoked", "2026-12-01T10:00:00+08:00",
                       {"certificate_id": number, "reason": "服务记录更正"})
    status, read = call(url, "GET", "/v1/certificates/%s?min_position=%d" % (number, revoked_at))
    expect(status == 200 and read["status"] == "revoked", "GET says revoked")
    status, verdict = call(url, "POST", "/v1/certificates/verify", {"credential": credential})
    expect(status == 200 and verdict["valid"] is False and verdict["status"] == "revoked",
           "verify reports revoked: " + json.dumps(verdict, ensure_ascii=False))
    expect(verify_offline(credential, pubkey, work, "revoked") == 0,
           "offline, without the ledger, a revoked credential's proof still holds (revocation "
           "is the ledger's to say)")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(*sys.argv[1:])
