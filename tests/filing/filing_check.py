#!/usr/bin/env python3
"""The filing package and a partner statement of a real ledgerd, opened with an independent reader
(PyPI's openpyxl; tests/CMakeLists.txt runs it as filing.independent_reader): a month of facts
recorded through the API and sealed; the package read as JSON and as Excel, from the API and from
`ledgerctl report filing`; every workbook's sheet names, headings, rows and totals checked
against the JSON, and the totals against the monthly report; the partner's statement as Excel
and CSV checked against its JSON and the partner read.

Usage: filing_check.py LEDGERD LEDGERCTL WORKDIR
"""
import csv
import io
import json
import os
import subprocess
import sys
import urllib.request

import openpyxl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "certificates"))
from certificate_check import call, expect, main as serve  # noqa: E402

SHEETS = ["封面", "志愿者注册", "培训记录", "活动登记", "服务时长", "兑换支取", "基金收支", "物资"]


def download(url, path, key):
    request = urllib.request.Request(url + path)
    request.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers.get("Content-Type"), response.read()


def cells(values):
    """A row as the JSON has it: None for an empty cell, ints as ints."""
    return [None if v is None or v == "" else v for v in values]


def check_workbook(path, sheets, what):
    """The workbook at `path` holds exactly `sheets` (the JSON's), cell for cell."""
    book = openpyxl.load_workbook(path, read_only=True)
    expect(book.sheetnames == [s["name"] for s in sheets],
           what + ": sheets " + ", ".join(book.sheetnames))
    for sheet in sheets:
        rows = list(book[sheet["name"]].iter_rows(values_only=True))
        keys = [c["key"] for c in sheet["columns"]]
        expect(list(rows[0]) == [c["heading"] for c in sheet["columns"]],
               what + ": " + sheet["name"] + " headings " + " | ".join(map(str, rows[0])))
        wanted = [[row[k] for k in keys] for row in sheet["rows"]]
        if sheet["totals"] is not None:
            wanted.append([sheet["totals"][k] for k in keys])
        got = [cells(r) for r in rows[1:]]
        expect(not any(isinstance(v, float) for row in got for v in row),
               what + ": " + sheet["name"] + " holds integers and text, no float")
        expect(got == [cells(r) for r in wanted],
               what + ": " + sheet["name"] + " has the JSON's " + str(len(wanted)) + " rows")


def story(url, key, ledgerctl, data, work):
    def event(event_id, type_, occurred_at, fields):
        status, body = call(url, "POST", "/v1/events", {"id": event_id, "type": type_,
                                                       "occurred_at": occurred_at,
                                                       "data": fields}, key)
        expect(status == 201, type_ + " " + event_id + " recorded: " + json.dumps(body))

    day = "2026-10-0{}T09:00:00+08:00".format
    event("ev-b", "BranchOpened", day(1), {"branch_id": "b-1", "name": "石园街道"})
    event("ev-v", "MemberRegistered", day(1),
          {"member_id": "v-1", "kind": "volunteer", "branch_id": "b-1", "name": "王秀英"})
    event("ev-e", "MemberRegistered", day(1),
          {"member_id": "e-1", "kind": "elder", "branch_id": "b-1", "name": "李奶奶"})
    event("ev-pair", "PairingFormed", day(1),
          {"pairing_id": "pair-1", "volunteer_id": "v-1", "elder_id": "e-1"})
    for n, minutes in [(1, 90), (2, 45)]:
        event("ev-s%d" % n, "ServiceLogged", day(n + 1),
              {"service_id": "s%d" % n, "volunteer_id": "v-1", "elder_id": "e-1",
               "kind": "home_visit", "minutes": minutes, "started_at": day(n + 1)})
        event("ev-s%d-ok" % n, "ServiceVerified", day(n + 1),
              {"service_id": "s%d" % n, "confirmed_by": "e-1"})
    event("ev-t", "TrainingCompleted", day(4),
          {"training_id": "t-1", "member_id": "v-1", "course": "老年护理", "minutes": 120})
    event("ev-a", "ActivityHeld", day(5),
          {"activity_id": "a-1", "branch_id": "b-1", "title": "重阳节活动", "date": "2026-10-05",
           "participants": 12, "beneficiaries": 30})
    event("ev-p", "PartnerRegistered", day(5),
          {"partner_id": "p-avic", "name": "中航复合材料", "kind": "enterprise"})
    event("ev-f", "FundOpened", day(5), {"fund_id": "f-1", "name": "长者帮扶基金", "branch_id": "b-1"})
    event("ev-d1", "DonationReceived", day(6),
          {"donation_id": "d-1", "partner_id": "p-avic", "fund_id": "f-1", "amount_fen": 1234567,
           "kind": "cash", "restricted_to": "elder_aid"})
    event("ev-d2", "DonationReceived", day(6),
          {"donation_id": "d-2", "partner_id": "p-avic", "fund_id": "f-1", "amount_fen": 50001,
           "kind": "in_kind", "description": "棉被 20 床"})
    event("ev-x", "DisbursementMade", day(7),
          {"disbursement_id": "x-1", "fund_id": "f-1", "purpose": "elder_aid",
           "amount_fen": 300050, "elder_id": "e-1", "evidence_ref": "receipt-1"})
    status, _ = call(url, "GET", "/v1/reports/monthly/filing?month=2026-10&format=json", key=key)
    expect(status == 409, "an unsealed month is refused (409)")
    event("ev-seal", "MonthlyReportSealed", "2026-11-01T10:00:00+08:00",
          {"branch_id": "b-1", "month": "2026-10"})

    status, package = call(url, "GET", "/v1/reports/monthly/filing?month=2026-10&format=json",
                           key=key)
    expect(status == 200 and package["sealed"], "the sealed month's package (JSON)")
    sheets = package["sheets"]
    expect([s["name"] for s in sheets] == SHEETS, "sheet names " + ", ".join(SHEETS))
    report = call(url, "GET", "/v1/reports/monthly?month=2026-10", key=key)[1]
    by_key = {s["key"]: s for s in sheets}
    for sheet, column, figure in [("registrations", "new_members", "new_members"),
                                  ("services", "verified_minutes", "verified_minutes"),
                                  ("services", "services", "services"),
                                  ("activities", "beneficiaries", "beneficiaries"),
                                  ("goods", "value_fen", None)]:
        total = by_key[sheet]["totals"][column]
        wanted = report[figure] if figure else 50001
        expect(total == wanted, "%s total %s = %s" % (sheet, column, wanted))
    funds = by_key["funds"]["totals"]
    expect(funds["inflow_fen"] == report["donations_fen"] + report["sales_fen"]
           and funds["inflow_yuan"] == "12,845.68", "基金收支 inflow total = donations + sales")
    expect(funds["outflow_fen"] == report["disbursed_fen"] == 300050, "基金收支 outflow total")
    expect(by_key["trainings"]["totals"]["minutes"] == 120, "培训记录 total 120 minutes")

    _, xlsx = download(url, "/v1/reports/monthly/filing?month=2026-10&format=xlsx", key)
    path = os.path.join(work, "filing-api.xlsx")
    with open(path, "wb") as f:
        f.write(xlsx)
    check_workbook(path, sheets, "API workbook")
    path = os.path.join(work, "filing-ledgerctl.xlsx")
    subprocess.run([ledgerctl, "report", "filing", "--month", "2026-10", "--data", data,
                    "--out", path], check=True, capture_output=True)
    check_workbook(path, sheets, "ledgerctl workbook")

    status, body = call(url, "POST", "/v1/keys", {"role": "partner", "partner_id": "p-avic"}, key)
    partner_key = body["key"]
    statement = call(url, "GET", "/v1/partners/p-avic/statement", key=partner_key)[1]
    partner = call(url, "GET", "/v1/partners/p-avic", key=partner_key)[1]
    expect(statement["reconciled"] and statement["used_fen"] == partner["used_fen"] == 300050,
           "the statement reconciles with the partner read")
    _, xlsx = download(url, "/v1/partners/p-avic/statement?format=xlsx", partner_key)
    path = os.path.join(work, "statement.xlsx")
    with open(path, "wb") as f:
        f.write(xlsx)
    check_workbook(path, statement["sheets"], "statement workbook")
    content_type, text = download(url, "/v1/partners/p-avic/statement?format=csv", partner_key)
    expect(content_type.startswith("text/csv") and text.startswith(b"\xef\xbb\xbf"),
           "the CSV statement is UTF-8 with a byte order mark")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    expect(rows[0][:4] == ["部分", "日期(北京时间)", "类型", "编号"], "CSV headings in Chinese")
    uses_total = [r for r in rows if r[0] == "资金使用" and r[1] == "合计"]
    expect(len(uses_total) == 1 and "300050" in uses_total[0], "CSV uses total 300050 fen")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    serve(*sys.argv[1:], story=story)
