#!/usr/bin/env python3
"""The filing package and a partner statement of a real ledgerd, opened with an independent reader
(PyPI's openpyxl; tests/CMakeLists.txt runs it as filing.independent_reader): a month of facts
recorded through the API (goods in kind handed out, a grant), sealed programme-wide and
acknowledged by head office; the package read as JSON and as Excel, from the API and from
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
from certificate_check import call, expect, main as serve, post_event  # noqa: E402

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
        post_event(url, key, event_id, type_, occurred_at, fields)

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
           "kind": "in_kind", "description": "冬季物资",
           "items": [{"name": "棉被", "quantity": 20, "unit": "床", "value_fen": 40001},
                     {"name": "手套", "quantity": 50, "unit": "副", "value_fen": 10000}]})
    event("ev-gd", "GoodsDistributed", day(7),
          {"distribution_id": "gd-1", "donation_id": "d-2", "elder_id": "e-1",
           "items": [{"name": "棉被", "quantity": 2}, {"name": "手套", "quantity": 3}]})
    event("ev-g", "GrantReceived", day(8),
          {"grant_id": "g-1", "partner_id": "p-avic", "fund_id": "f-1", "amount_fen": 70007,
           "program": "csr_program", "agreement_ref": "企业社会责任项目-2026"})
    event("ev-x", "DisbursementMade", day(7),
          {"disbursement_id": "x-1", "fund_id": "f-1", "purpose": "elder_aid",
           "amount_fen": 300050, "elder_id": "e-1", "evidence_ref": "receipt-1"})
    status, _ = call(url, "GET", "/v1/reports/monthly/filing?month=2026-10&format=json", key=key)
    expect(status == 409, "an unsealed month is refused (409)")
    event("ev-seal", "MonthlyReportSealed", "2026-11-01T10:00:00+08:00", {"month": "2026-10"})
    event("ev-filing", "FilingAcknowledged", "2026-11-03T10:00:00+08:00",
          {"month": "2026-10", "receipt_ref": "总行备案-2026-10", "acknowledged_by": "义工社总行"})

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
                                  ("goods", "value_fen", "in_kind_received_fen")]:
        total = by_key[sheet]["totals"][column]
        expect(total == report[figure], "%s total %s = %s" % (sheet, column, report[figure]))
    expect(report["in_kind_received_fen"] == 50001 and report["grants_fen"] == 70007,
           "the report's goods received in kind and grants")
    funds = by_key["funds"]["totals"]
    expect(funds["inflow_fen"] == report["donations_fen"] + report["grants_fen"]
           + report["sales_fen"] and funds["inflow_yuan"] == "13,045.74",
           "基金收支 inflow total = donations + grants + sales (goods are no money)")
    grants = [r for r in by_key["funds"]["rows"] if r["type"] == "资助拨款"]
    expect(len(grants) == 1 and grants[0]["id"] == "g-1" and grants[0]["inflow_fen"] == 70007,
           "基金收支 lists the grant")
    expect(funds["outflow_fen"] == report["disbursed_fen"] == 300050, "基金收支 outflow total")
    goods = by_key["goods"]
    received = {r["item"]: r["received_quantity"] for r in goods["rows"] if r["type"] == "受赠"}
    handed = {r["item"]: (r["distributed_quantity"], r["recipient"]) for r in goods["rows"]
              if r["type"] == "发放"}
    expect(received == {"棉被": 20, "手套": 50} and handed == {"棉被": (2, "e-1"), "手套": (3, "e-1")},
           "物资 lists each item received and handed out, to whom")
    expect(goods["totals"]["value_yuan"] == "500.01", "物资 value total 500.01 元")
    cover = {r["item"]: r["value"] for r in by_key["cover"]["rows"]}
    expect(cover.get("总行回执 编号") == "总行备案-2026-10", "the cover shows head office's receipt")
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
    expect(statement["granted_fen"] == partner["granted_fen"] == 70007
           and statement["in_kind_fen"] == partner["in_kind_fen"] == 50001,
           "the statement's grants and goods in kind equal the partner read")
    sheets = {s["key"]: s for s in statement["sheets"]}
    expect([s["name"] for s in statement["sheets"]]
           == ["捐赠与购买", "资金使用", "物资捐赠", "物资去向", "对账"], "statement sheet names")
    expect(sheets["goods"]["totals"]["value_fen"] == 50001
           and [r["quantity"] for r in sheets["goods_uses"]["rows"]] == [2, 3],
           "物资捐赠 value total, 物资去向 rows")
    expect(all(r["result"] == "一致" for r in sheets["reconciliation"]["rows"])
           and len(sheets["reconciliation"]["rows"]) == 5, "对账: five figures, each 一致")
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
    goods_total = [r for r in rows if r[0] == "物资捐赠" and r[1] == "合计"]
    expect(len(goods_total) == 1 and "50001" in goods_total[0], "CSV goods total 50001 fen")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    serve(*sys.argv[1:], story=story)
