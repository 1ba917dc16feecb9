#!/usr/bin/env python3
"""An auditor's second implementation of the Zhaiyi Ledger: re-derives every balance from an
export, written from the rule book (docs/rules.md) alone, not from the ledger's C++.

  python3 rederive.py --export ledger.jsonl --pubkey ledger.pub [--out state.json] [--admission]
  python3 rederive.py --compare A.json B.json

It checks the chain (every hash re-computed from the envelope bytes, docs/event_format.md) and
every signed checkpoint, decodes each event's payload from its bytes with a FlatBuffers reader
built from domain/events.fbs (the line's decoded `event` JSON is never believed: only its
position, ids and hashes are compared with the envelope), replays every event by the rules and
writes the derived state as canonical JSON (sorted keys, integers only). An event the rules would
refuse is named with its position and the rule. Exit status: 0 when everything holds, 1 on the
first problem, 2 on bad usage. Like the ledger's own replay it does not re-judge the rules of
admission (docs/rules.md, section 1) unless `--admission` asks it to. `--compare` prints the
first difference of two states (exit 1).

Needs Python 3.8+ and the `cryptography` package (Ed25519 signatures) only.
"""
import argparse
import base64
import bisect
import gc
import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flatbuf  # noqa: E402

FEN_MAX = 2 ** 53 - 1
SERVICE_MINUTES_MAX = 720
TRAINING_MINUTES_MAX = 31 * 24 * 60
SALE_QUANTITY_MAX = 10_000_000
BASIS_POINTS_MAX = 10_000
STAR_BONUS_BP_MAX = 100_000
CREDIT_VALUE_MAX = 100_000_000
STAR_THRESHOLD_HOURS_MAX = 1_000_000
BEIJING_OFFSET_S = 8 * 3600
CHANNELS = ("donation", "charity_sale", "enterprise_purchase", "government_purchase", "grant")
GRANT = 4  # the channel of GrantReceived
CATEGORIES = ("disbursement", "redemption", "materials", "management", "training", "activity")
VOLUNTEER_KINDS = ("volunteer", "youth_volunteer")
CERTIFICATE_SEQUENCE_MAX = 999_999
GOODS_ITEMS_MAX = 64  # kinds of goods in one in-kind donation or distribution


class Refused(Exception):
    """An event the rules refuse: `code` is the ledger's outcome word (docs/rules.md)."""

    def __init__(self, code, why=""):
        super().__init__(code)
        self.code = code
        self.why = why


def present(text):
    return text is not None and text != ""


def require(condition, code, why=""):
    if not condition:
        raise Refused(code, why)


# ---- calendar: months and dates are Beijing time (UTC+8) ----

def civil_from_days(days):
    """(year, month, day) of a day number counted from 1970-01-01 (proleptic Gregorian)."""
    days += 719468
    era = (days if days >= 0 else days - 146096) // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


_MONTH_OF_DAY = {}


def month_of(unix_us):
    """The Beijing month of an instant, as an int YYYYMM."""
    day = (unix_us // 1_000_000 + BEIJING_OFFSET_S) // 86400
    month = _MONTH_OF_DAY.get(day)
    if month is None:
        y, m, _ = civil_from_days(day)
        month = _MONTH_OF_DAY[day] = y * 100 + m
    return month


def month_text(month):
    return "%04d-%02d" % (month // 100, month % 100)


def parse_month(text):
    if text is None or len(text) != 7 or text[4] != "-":
        return None
    digits = text[:4] + text[5:]
    if not all("0" <= c <= "9" for c in digits):
        return None
    value = int(digits)
    return value if 1 <= value % 100 <= 12 else None


def valid_date(text):
    if text is None or len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    if not all("0" <= text[i] <= "9" for i in (0, 1, 2, 3, 5, 6, 8, 9)):
        return False
    return 1 <= int(text[5:7]) <= 12 and 1 <= int(text[8:10]) <= 31


def fits(a, b):
    """Whether a + b stays within ±FEN_MAX (amounts round-trip through JSON)."""
    return -FEN_MAX <= a + b <= FEN_MAX


# ---- the ledger's state, as the rule book describes it ----

class Ledger:
    def __init__(self, admission=False):
        # Whether to judge the rules of admission too (docs/rules.md): as the ledger does when it
        # records an event, not as it replays its log. Only for a log recorded entirely since
        # those rules exist.
        self.admission = admission
        self.consents = set()  # (donation, purpose) a donor consented to
        self.policy = {
            "star_thresholds_hours": [100, 300, 600, 1000, 1500],
            "credit_value_fen_per_hour": 2000,
            "star_bonus_bp": [0, 0, 500, 1000, 1500, 2000],
            "cash_redemption_monthly_cap_fen": 0,
        }
        self.branches = {}
        self.members = {}
        self.erased = set()  # members whose personal data was erased (PersonalDataErased)
        self.pairings = {}
        self.active_pairs = set()  # (volunteer, elder) of active pairings
        self.services = {}
        self.activities = {}
        self.requests = {}
        self.partners = {}
        self.funds = {}
        self.sources = {}   # donations and sales: one id space
        self.outflows = {}  # disbursements, expenses, cash redemptions: one id space
        self.reversible = {}  # event id -> {"stream", "type", "undo": dict, "reversed"}
        self.taken = set()  # (kind, id) of trainings, transfers, redemptions, reversals, ...
        self.cash_used = {}  # (member, month) -> cash redeemed
        self.reports = {}    # (branch or "", month) -> figures
        self.served = set()  # (branch or "", month, elder)
        self.certificates = {}
        self.certificates_per_year = {}
        self.attestations = {}  # id -> {"member_id", "revoked"}

    # -- stars --
    def star_for(self, verified_minutes):
        return sum(1 for hours in self.policy["star_thresholds_hours"]
                   if verified_minutes >= hours * 60)

    # -- monthly reports and seals --
    def report(self, branch, month):
        key = (branch, month)
        r = self.reports.get(key)
        if r is None:
            r = self.reports[key] = {
                "verified_minutes": 0, "services": 0, "elders_served": 0, "activities": 0,
                "beneficiaries": 0, "new_members": 0, "donations_fen": 0, "sales_fen": 0,
                "disbursed_fen": 0, "redeemed_cash_fen": 0, "redeemed_training_minutes": 0,
                "requests_opened": 0, "requests_resolved": 0, "resolution_minutes": [],
                "sealed": None, "grants_fen": 0, "in_kind_received_fen": 0, "filing": None,
            }
        return r

    def reports_of(self, branch, at_us):
        """The reports an event at `at_us` of `branch` counts in: all branches', and its own."""
        month = month_of(at_us)
        keys = [("", month)] + ([(branch, month)] if branch else [])
        return [(key, self.report(*key)) for key in keys]

    def add_to_reports(self, branch, at_us, field, delta):
        for _, r in self.reports_of(branch, at_us):
            r[field] += delta

    def reports_fit(self, branch, at_us, field, delta):
        month = month_of(at_us)
        for key in (("", month), (branch, month)):
            r = self.reports.get(key)
            if r is not None and not fits(r[field], delta):
                return False
        return True

    def check_seal(self, branch, at_us):
        """A month is closed by the programme's seal, and for a branch by the branch's too."""
        month = month_of(at_us)
        for key in (("", month), (branch, month)) if branch else (("", month),):
            r = self.reports.get(key)
            require(r is None or r["sealed"] is None, "month_sealed",
                    "%s's %s is sealed" % ("branch " + key[0] if key[0] else "the programme",
                                           month_text(month)))

    # -- ids used once --
    def take(self, kind, ident):
        self.taken.add((kind, ident))

    def taken_id(self, kind, ident):
        return (kind, ident) in self.taken

    # -- funds: pools of open inflows, oldest first --
    def pool(self, fund, purpose):
        return fund["pools"].setdefault(purpose, [])

    def open_source(self, fund, source):
        bisect.insort(self.pool(fund, source["purpose"]), (source["order"], source["id"]))

    def close_source(self, fund, source):
        pool = fund["pools"].get(source["purpose"], [])
        entry = (source["order"], source["id"])
        i = bisect.bisect_left(pool, entry)
        if i < len(pool) and pool[i] == entry:
            del pool[i]

    def restricted_add(self, fund, purpose, delta):
        """Adds to the fund's unrestricted money (purpose "") or the earmark of `purpose`."""
        if purpose:
            fund["earmarks"][purpose] = fund["earmarks"].get(purpose, 0) + delta
        else:
            fund["unrestricted_fen"] += delta

    def add_source(self, source):
        fund = self.funds[source["fund_id"]]
        source["order"] = fund["source_count"]
        fund["source_count"] += 1
        source["reversed"] = False
        source["uses"] = []
        if source["kind"] == "in_kind":  # goods: no money to spend, never in a FIFO pool
            source["remaining_fen"] = 0
            self.sources[source["id"]] = source
            return
        source["remaining_fen"] = source["amount_fen"]
        self.restricted_add(fund, source["purpose"], source["amount_fen"])
        if source["amount_fen"] > 0:
            self.open_source(fund, source)
        self.sources[source["id"]] = source

    def available(self, fund, earmark):
        return fund["unrestricted_fen"] + (fund["earmarks"].get(earmark, 0) if earmark else 0)

    def check_outflow(self, fund_id, earmark, amount, at_us):
        fund = self.funds[fund_id]
        self.check_seal(fund["branch_id"], at_us)
        require(amount <= self.available(fund, earmark), "insufficient_funds",
                "fund %s has %d fen for %r, the outflow needs %d"
                % (fund_id, self.available(fund, earmark), earmark, amount))

    def record_outflow(self, outflow, earmark):
        """Allocates the outflow FIFO: money restricted to `earmark` first, then unrestricted."""
        fund = self.funds[outflow["fund_id"]]
        outflow["order"] = fund["outflow_count"]
        fund["outflow_count"] += 1
        outflow["reversed"] = False
        outflow["sources"] = []
        left = outflow["amount_fen"]
        for purpose in ([earmark] if earmark else []) + [""]:
            pool = fund["pools"].get(purpose, [])
            while left > 0 and pool:
                source = self.sources[pool[0][1]]
                take = min(left, source["remaining_fen"])
                source["remaining_fen"] -= take
                left -= take
                source["uses"].append({"outflow_id": outflow["id"], "purpose": outflow["purpose"],
                                       "amount_fen": take, "at_us": outflow["at_us"]})
                self.restricted_add(fund, purpose, -take)
                if source["partner_id"]:
                    self.partners[source["partner_id"]]["used_fen"] += take
                outflow["sources"].append({"source_id": source["id"],
                                           "partner_id": source["partner_id"],
                                           "amount_fen": take})
                if source["remaining_fen"] == 0:
                    del pool[0]
        assert left == 0, "the balance check guaranteed the money"
        fund["balance_fen"] -= outflow["amount_fen"]
        fund["outflow_fen"] += outflow["amount_fen"]
        fund["outflow_by_category"][outflow["category"]] += outflow["amount_fen"]
        self.outflows[outflow["id"]] = outflow

    def unwind_outflow(self, outflow_id):
        """Gives every allocation back to its source (in the pool of the source's purpose now)."""
        outflow = self.outflows[outflow_id]
        fund = self.funds[outflow["fund_id"]]
        for a in outflow["sources"]:
            source = self.sources[a["source_id"]]
            if source["remaining_fen"] == 0:
                self.open_source(fund, source)
            source["remaining_fen"] += a["amount_fen"]
            self.restricted_add(fund, source["purpose"], a["amount_fen"])
            source["uses"] = [u for u in source["uses"] if u["outflow_id"] != outflow_id]
            if source["partner_id"]:
                self.partners[source["partner_id"]]["used_fen"] -= a["amount_fen"]
        fund["balance_fen"] += outflow["amount_fen"]
        fund["outflow_fen"] -= outflow["amount_fen"]
        fund["outflow_by_category"][outflow["category"]] -= outflow["amount_fen"]
        outflow["reversed"] = True

    def record_reversible(self, meta, undo):
        self.reversible[meta["id"]] = {"stream": meta["stream"], "undo": undo, "reversed": False}

    # -- service requests --
    def resolve_request(self, service, at_us):
        request = self.requests.get(service["request_id"]) if service["request_id"] else None
        if request is None or request["status"] != "assigned":
            return ""
        request["status"] = "resolved"
        request["resolved_at_us"] = at_us
        minutes = max(0, request["resolved_at_us"] - request["requested_at_us"]) // 60_000_000
        for _, r in self.reports_of(request["branch_id"], at_us):
            r["requests_resolved"] += 1
            bisect.insort(r["resolution_minutes"], minutes)
        return service["request_id"]

    def reopen_request(self, request_id, at_us):
        request = self.requests[request_id]
        minutes = max(0, request["resolved_at_us"] - request["requested_at_us"]) // 60_000_000
        request["status"] = "assigned"
        request["resolved_at_us"] = 0
        for _, r in self.reports_of(request["branch_id"], at_us):
            r["requests_resolved"] -= 1
            if minutes in r["resolution_minutes"]:
                r["resolution_minutes"].remove(minutes)


# ---- the rules, one handler per event type (docs/rules.md) ----
# Each handler checks everything first (raising Refused), then changes the state.

HANDLERS = {}


def rule(event_type):
    def register(f):
        HANDLERS[event_type] = f
        return f
    return register


def member_of(L, member_id):
    m = L.members.get(member_id)
    require(m is not None, "unknown_member", "no member " + str(member_id))
    return m


def expect_stream(meta, stream):
    require(meta["stream"] == stream, "wrong_stream",
            "recorded in %s, belongs in %s" % (meta["stream"], stream))


@rule("BranchOpened")
def branch_opened(L, e, meta):
    require(present(e["branch_id"]) and present(e["name"]), "invalid_field")
    expect_stream(meta, "branch-" + e["branch_id"])
    require(e["branch_id"] not in L.branches, "already_exists")
    L.branches[e["branch_id"]] = {"name": e["name"]}


def valid_commitment(personal):
    """A commitment to personal fields: absent, or 32 bytes (docs/event_format.md)."""
    return personal is None or len(personal) == 32


@rule("MemberRegistered")
def member_registered(L, e, meta):
    # Format 2: personal fields are sealed apart, the payload holds only their commitment.
    require(present(e["member_id"]) and present(e["branch_id"])
            and isinstance(e["kind"], str) and valid_commitment(e["personal"]), "invalid_field")
    expect_stream(meta, "member-" + e["member_id"])
    require(e["branch_id"] in L.branches, "unknown_branch")
    require(e["member_id"] not in L.members, "already_exists")
    L.check_seal(e["branch_id"], meta["at"])
    L.members[e["member_id"]] = {
        "kind": e["kind"], "branch_id": e["branch_id"], "active": True, "star": 0,
        "verified_minutes": 0, "pending_minutes": 0, "credit_minutes": 0, "redeemed_minutes": 0,
        "training_minutes": 0, "income_fen": 0, "gifted_minutes": 0, "awards": [],
        "relations": [],
    }
    L.add_to_reports(e["branch_id"], meta["at"], "new_members", 1)


@rule("MemberDeactivated")
def member_deactivated(L, e, meta):
    require(present(e["member_id"]) and present(e["reason"]), "invalid_field")
    expect_stream(meta, "member-" + e["member_id"])
    m = member_of(L, e["member_id"])
    require(m["active"], "member_inactive")
    L.check_seal(m["branch_id"], meta["at"])
    m["active"] = False


@rule("PairingFormed")
def pairing_formed(L, e, meta):
    require(present(e["pairing_id"]) and present(e["volunteer_id"]) and present(e["elder_id"]),
            "invalid_field")
    expect_stream(meta, "pairing-" + e["pairing_id"])
    v = member_of(L, e["volunteer_id"])
    el = member_of(L, e["elder_id"])
    require(e["pairing_id"] not in L.pairings, "already_exists")
    pair = (e["volunteer_id"], e["elder_id"])
    require(pair not in L.active_pairs, "duplicate_pairing")
    require(v["active"] and el["active"], "member_inactive")
    require(v["kind"] in VOLUNTEER_KINDS, "not_a_volunteer")
    require(el["kind"] == "elder", "not_an_elder")
    require(v["branch_id"] == el["branch_id"], "different_branch")
    L.check_seal(v["branch_id"], meta["at"])
    L.pairings[e["pairing_id"]] = {"volunteer_id": pair[0], "elder_id": pair[1], "active": True}
    L.active_pairs.add(pair)


@rule("PairingEnded")
def pairing_ended(L, e, meta):
    require(present(e["pairing_id"]) and present(e["reason"]), "invalid_field")
    expect_stream(meta, "pairing-" + e["pairing_id"])
    p = L.pairings.get(e["pairing_id"])
    require(p is not None, "unknown_pairing")
    require(p["active"], "pairing_ended")
    L.check_seal(L.members[p["volunteer_id"]]["branch_id"], meta["at"])
    p["active"] = False
    L.active_pairs.discard((p["volunteer_id"], p["elder_id"]))


@rule("ServiceLogged")
def service_logged(L, e, meta):
    require(present(e["service_id"]) and present(e["volunteer_id"])
            and isinstance(e["kind"], str) and valid_commitment(e["personal"]), "invalid_field")
    require(1 <= e["minutes"] <= SERVICE_MINUTES_MAX, "invalid_minutes")
    expect_stream(meta, "member-" + e["volunteer_id"])
    v = member_of(L, e["volunteer_id"])
    el = member_of(L, e["elder_id"]) if present(e["elder_id"]) else None
    require(not present(e["activity_id"]) or activity_known(L, e["activity_id"]),
            "unknown_activity")
    subject = e["elder_id"] if present(e["elder_id"]) else e["volunteer_id"]
    require(e["personal"] is None or subject not in L.erased, "personal_data_erased")
    request_id = e["request_id"] or ""
    require(not request_id or request_id in L.requests, "unknown_request")
    require(e["service_id"] not in L.services, "already_exists")
    require(v["active"], "member_inactive")
    require(v["kind"] in VOLUNTEER_KINDS, "not_a_volunteer")
    if el is not None:
        require(el["active"], "member_inactive")
        require(el["kind"] == "elder", "not_an_elder")
        require(el["branch_id"] == v["branch_id"], "different_branch")
    if request_id:
        request = L.requests[request_id]
        require(request["status"] != "cancelled", "request_cancelled")
        require(request["status"] != "resolved", "request_resolved")
        require(request["status"] == "assigned" and request["volunteer_id"] == e["volunteer_id"],
                "not_assigned")
        require(request["elder_id"] == (e["elder_id"] or ""), "wrong_elder")
    L.check_seal(v["branch_id"], meta["at"])
    L.services[e["service_id"]] = {
        "volunteer_id": e["volunteer_id"], "elder_id": e["elder_id"] or "",
        "minutes": e["minutes"], "status": "pending", "request_id": request_id}
    if request_id:
        L.requests[request_id]["service_ids"].append(e["service_id"])
    v["pending_minutes"] += e["minutes"]


def activity_known(L, activity_id):
    """Whether an activity of that id is held (a reversed one is not, until held anew)."""
    a = L.activities.get(activity_id)
    return a is not None and not a["reversed"]


def is_relative(member, other_id):
    return any(r["relative_id"] == other_id for r in member["relations"])


def confirmation_valid(L, s, by):
    """Not the volunteer herself; someone who is no member (the organiser, by name), or the elder
    served, or a registered relative of that elder."""
    if by == s["volunteer_id"]:
        return False
    if by not in L.members:
        return True
    if not s["elder_id"]:
        return False
    return by == s["elder_id"] or is_relative(L.members[s["elder_id"]], by)


def deciding_service(L, e, meta):
    """The pending service a verification or rejection decides (checks only)."""
    s = L.services.get(e["service_id"])
    require(s is not None, "unknown_service")
    expect_stream(meta, "member-" + s["volunteer_id"])
    require(s["status"] != "verified", "already_verified")
    require(s["status"] != "rejected", "already_rejected")
    require(s["status"] != "reversed", "service_reversed")
    L.check_seal(L.members[s["volunteer_id"]]["branch_id"], meta["at"])
    return s


@rule("ServiceVerified")
def service_verified(L, e, meta):
    require(present(e["service_id"]) and present(e["confirmed_by"]), "invalid_field")
    require(e["rating"] is None or 1 <= e["rating"] <= 5, "invalid_field")
    s = deciding_service(L, e, meta)
    # Who may vouch (invalid_confirmation) is a rule of admission (docs/rules.md).
    if L.admission:
        require(confirmation_valid(L, s, e["confirmed_by"]), "invalid_confirmation",
                "%s may not vouch for %s" % (e["confirmed_by"], e["service_id"]))
    m = L.members[s["volunteer_id"]]
    s["status"] = "verified"
    m["pending_minutes"] -= s["minutes"]
    m["verified_minutes"] += s["minutes"]
    m["credit_minutes"] += s["minutes"]
    m["star"] = L.star_for(m["verified_minutes"])
    for key, r in L.reports_of(m["branch_id"], meta["at"]):
        r["verified_minutes"] += s["minutes"]
        r["services"] += 1
        if s["elder_id"] and (key[0], key[1], s["elder_id"]) not in L.served:
            L.served.add((key[0], key[1], s["elder_id"]))
            r["elders_served"] += 1
    resolved = L.resolve_request(s, meta["at"])
    L.record_reversible(meta, {"type": "ServiceVerified", "service_id": e["service_id"],
                               "minutes": s["minutes"], "resolved_request_id": resolved})


@rule("ServiceRejected")
def service_rejected(L, e, meta):
    require(present(e["service_id"]) and present(e["reason"]), "invalid_field")
    s = deciding_service(L, e, meta)
    s["status"] = "rejected"
    L.members[s["volunteer_id"]]["pending_minutes"] -= s["minutes"]


@rule("TrainingCompleted")
def training_completed(L, e, meta):
    require(present(e["training_id"]) and present(e["member_id"]) and present(e["course"]),
            "invalid_field")
    require(1 <= e["minutes"] <= TRAINING_MINUTES_MAX, "invalid_minutes")
    expect_stream(meta, "member-" + e["member_id"])
    m = member_of(L, e["member_id"])
    require(not L.taken_id("training", e["training_id"]), "already_exists")
    L.check_seal(m["branch_id"], meta["at"])
    L.take("training", e["training_id"])
    m["training_minutes"] += e["minutes"]
    L.record_reversible(meta, {"type": "TrainingCompleted", "member_id": e["member_id"],
                               "minutes": e["minutes"]})


@rule("ActivityHeld")
def activity_held(L, e, meta):
    require(present(e["activity_id"]) and present(e["branch_id"]) and present(e["title"])
            and valid_date(e["date"]) and e["participants"] >= 0 and e["beneficiaries"] >= 0,
            "invalid_field")
    expect_stream(meta, "branch-" + e["branch_id"])
    require(e["branch_id"] in L.branches, "unknown_branch")
    require(not activity_known(L, e["activity_id"]), "already_exists")
    L.check_seal(e["branch_id"], meta["at"])
    L.activities[e["activity_id"]] = {"branch_id": e["branch_id"], "reversed": False}
    for _, r in L.reports_of(e["branch_id"], meta["at"]):
        r["activities"] += 1
        r["beneficiaries"] += e["beneficiaries"]
    L.record_reversible(meta, {"type": "ActivityHeld", "activity_id": e["activity_id"],
                               "beneficiaries": e["beneficiaries"]})


@rule("CreditsTransferred")
def credits_transferred(L, e, meta):
    require(present(e["transfer_id"]) and present(e["from_member_id"])
            and present(e["to_member_id"]), "invalid_field")
    require(e["minutes"] >= 1, "invalid_minutes")
    expect_stream(meta, "member-" + e["from_member_id"])
    giver = L.members.get(e["from_member_id"])
    taker = L.members.get(e["to_member_id"])
    require(giver is not None and taker is not None, "unknown_member")
    require(not L.taken_id("transfer", e["transfer_id"]), "already_exists")
    require(e["from_member_id"] != e["to_member_id"], "same_member")
    require(giver["active"] and taker["active"], "member_inactive")
    L.check_seal(giver["branch_id"], meta["at"])
    require(giver["credit_minutes"] >= e["minutes"], "insufficient_credits",
            "%s has %d minutes" % (e["from_member_id"], giver["credit_minutes"]))
    # To whom (not_a_relative) is a rule of admission: family, or an elder of the giver's branch.
    if L.admission:
        require((taker["kind"] == "elder" and taker["branch_id"] == giver["branch_id"])
                or is_relative(giver, e["to_member_id"]), "not_a_relative")
    # The ledger marks a gift in the payload when it records one (every transfer since gifts are
    # tracked); a transfer without the mark moves plain credits.
    gift = bool(e["gift"]) or L.admission
    minutes = e["minutes"]
    giver_gifted = min(giver["gifted_minutes"], minutes) if gift else 0  # her gifts go first
    L.take("transfer", e["transfer_id"])
    giver["credit_minutes"] -= minutes
    giver["gifted_minutes"] = min(giver["gifted_minutes"] - giver_gifted, giver["credit_minutes"])
    taker["credit_minutes"] += minutes
    if gift:
        taker["gifted_minutes"] += minutes
    L.record_reversible(meta, {"type": "CreditsTransferred", "from": e["from_member_id"],
                               "to": e["to_member_id"], "minutes": minutes,
                               "giver_gifted": giver_gifted, "gift": gift})


# ---- a volunteer's file: awards, corrections, family relations (docs/rules.md) ----

@rule("AwardGranted")
def award_granted(L, e, meta):
    require(present(e["award_id"]) and present(e["member_id"]) and present(e["title"]),
            "invalid_field")
    expect_stream(meta, "member-" + e["member_id"])
    m = member_of(L, e["member_id"])
    require(not L.taken_id("award", e["award_id"]), "already_exists")
    L.check_seal(m["branch_id"], meta["at"])
    L.take("award", e["award_id"])
    m["awards"].append({"award_id": e["award_id"], "title": e["title"],
                        "grantor": e["grantor"] or "", "level": e["level"] or "",
                        "granted_at_us": meta["at"]})


@rule("MemberUpdated")
def member_updated(L, e, meta):
    require(present(e["member_id"]) and e["personal"] is not None
            and valid_commitment(e["personal"]), "invalid_field")
    expect_stream(meta, "member-" + e["member_id"])
    m = member_of(L, e["member_id"])
    require(e["member_id"] not in L.erased, "personal_data_erased")
    L.check_seal(m["branch_id"], meta["at"])
    # Personal data is not part of the derived state: nothing else changes.


@rule("PersonalDataErased")
def personal_data_erased(L, e, meta):
    require(present(e["member_id"]) and present(e["reason"]), "invalid_field")
    expect_stream(meta, "member-" + e["member_id"])
    member_of(L, e["member_id"])
    require(e["member_id"] not in L.erased, "already_erased")
    L.erased.add(e["member_id"])


@rule("RelationRegistered")
def relation_registered(L, e, meta):
    require(present(e["relation_id"]) and present(e["member_id"]) and present(e["relative_id"])
            and isinstance(e["relation"], str), "invalid_field")
    expect_stream(meta, "member-" + e["member_id"])
    m = L.members.get(e["member_id"])
    relative = L.members.get(e["relative_id"])
    require(m is not None and relative is not None, "unknown_member")
    require(not L.taken_id("relation", e["relation_id"]), "already_exists")
    require(e["member_id"] != e["relative_id"], "same_member")
    L.check_seal(m["branch_id"], meta["at"])
    L.take("relation", e["relation_id"])
    # Kept on both: the relative is the member's `relation`; the member is the relative's (reverse).
    m["relations"].append({"relation_id": e["relation_id"], "relative_id": e["relative_id"],
                           "relation": e["relation"], "reverse": False})
    relative["relations"].append({"relation_id": e["relation_id"], "relative_id": e["member_id"],
                                  "relation": e["relation"], "reverse": True})


@rule("PartnerRegistered")
def partner_registered(L, e, meta):
    require(present(e["partner_id"]) and present(e["name"]) and isinstance(e["kind"], str),
            "invalid_field")
    expect_stream(meta, "partner-" + e["partner_id"])
    require(e["partner_id"] not in L.partners, "already_exists")
    L.partners[e["partner_id"]] = {"kind": e["kind"], "donated_fen": 0, "purchased_fen": 0,
                                   "used_fen": 0, "donations": [],
                                   "in_kind_fen": 0, "granted_fen": 0, "grants": []}


@rule("FundOpened")
def fund_opened(L, e, meta):
    require(present(e["fund_id"]) and present(e["name"]), "invalid_field")
    expect_stream(meta, "fund-" + e["fund_id"])
    require(not present(e["branch_id"]) or e["branch_id"] in L.branches, "unknown_branch")
    require(e["fund_id"] not in L.funds, "already_exists")
    L.funds[e["fund_id"]] = {
        "branch_id": e["branch_id"] or "", "balance_fen": 0, "inflow_fen": 0, "outflow_fen": 0,
        "unrestricted_fen": 0, "inflow_by_channel": [0] * len(CHANNELS),
        "outflow_by_category": [0] * len(CATEGORIES),
        "earmarks": {}, "pools": {}, "source_count": 0, "outflow_count": 0, "goods": {}}


def check_donation_items(e):
    """An in-kind gift's items: each named once, with a unit, quantities and values in range,
    their values adding up to the amount."""
    items = e["items"] or []
    require(len(items) <= GOODS_ITEMS_MAX, "invalid_field")
    total = 0
    names = set()
    for item in items:
        require(present(item["name"]) and present(item["unit"]), "invalid_field")
        require(item["name"] not in names, "invalid_items")
        names.add(item["name"])
        require(1 <= item["quantity"] <= SALE_QUANTITY_MAX and 0 <= item["value_fen"] <= FEN_MAX,
                "invalid_amount")
        total += item["value_fen"]
        require(total <= FEN_MAX, "items_total_mismatch")
    require(total == e["amount_fen"], "items_total_mismatch",
            "items worth %d fen, the donation says %d" % (total, e["amount_fen"]))


def goods_key(name, unit):
    return name + "\n" + unit


@rule("DonationReceived")
def donation_received(L, e, meta):
    require(present(e["donation_id"]) and present(e["partner_id"]) and present(e["fund_id"])
            and isinstance(e["kind"], str), "invalid_field")
    # Goods given in kind, with their items. An in-kind gift the log recorded before items
    # existed (no items) stays what it was then: money.
    in_kind = e["kind"] == "in_kind" and (e["items"] is not None or L.admission)
    require(in_kind or e["items"] is None, "invalid_items")
    amount = e["amount_fen"]
    require(1 <= amount <= FEN_MAX, "invalid_amount")
    if in_kind:
        check_donation_items(e)
    expect_stream(meta, "fund-" + e["fund_id"])
    partner = L.partners.get(e["partner_id"])
    require(partner is not None, "unknown_partner")
    fund = L.funds.get(e["fund_id"])
    require(fund is not None, "unknown_fund")
    require(e["donation_id"] not in L.sources, "already_exists")
    L.check_seal(fund["branch_id"], meta["at"])
    given, reported = ("in_kind_fen", "in_kind_received_fen") if in_kind else ("donated_fen",
                                                                               "donations_fen")
    require((in_kind or fits(fund["inflow_fen"], amount)) and fits(partner[given], amount)
            and L.reports_fit(fund["branch_id"], meta["at"], reported, amount),
            "amount_overflow")
    source = {"id": e["donation_id"], "fund_id": e["fund_id"], "partner_id": e["partner_id"],
              "purpose": e["restricted_to"] or "", "kind": "in_kind" if in_kind else "donation",
              "amount_fen": amount, "gross_fen": amount, "at_us": meta["at"]}
    if in_kind:  # goods, never money: into the fund's stock, not its balance
        source["items"] = []
        source["goods_uses"] = []
        for item in e["items"]:
            source["items"].append({"name": item["name"], "unit": item["unit"],
                                    "quantity": item["quantity"],
                                    "value_fen": item["value_fen"], "distributed": 0})
            g = fund["goods"].setdefault(goods_key(item["name"], item["unit"]), {
                "name": item["name"], "unit": item["unit"], "received": 0, "distributed": 0,
                "value_fen": 0})
            g["received"] += item["quantity"]
            g["value_fen"] += item["value_fen"]
    else:
        fund["balance_fen"] += amount
        fund["inflow_fen"] += amount
        fund["inflow_by_channel"][0] += amount
    L.add_source(source)
    partner[given] += amount
    partner["donations"].append(e["donation_id"])
    L.add_to_reports(fund["branch_id"], meta["at"], reported, amount)
    L.record_reversible(meta, {"type": "DonationReceived", "source_id": e["donation_id"]})


@rule("GoodsDistributed")
def goods_distributed(L, e, meta):
    items = e["items"]
    require(present(e["distribution_id"]) and present(e["donation_id"]) and items
            and len(items) <= GOODS_ITEMS_MAX, "invalid_field")
    names = set()
    for item in items:
        require(present(item["name"]), "invalid_field")
        require(item["name"] not in names, "invalid_items")
        names.add(item["name"])
        require(item["quantity"] >= 1, "invalid_amount")
    s = L.sources.get(e["donation_id"])
    require(s is not None and s["kind"] in ("donation", "in_kind"), "unknown_donation")
    expect_stream(meta, "fund-" + s["fund_id"])
    elder = member_of(L, e["elder_id"]) if present(e["elder_id"]) else None
    require(not present(e["activity_id"]) or activity_known(L, e["activity_id"]),
            "unknown_activity")
    given = {g["name"]: g for g in s.get("items", [])}
    require(all(item["name"] in given for item in items), "unknown_goods")
    require(not L.taken_id("distribution", e["distribution_id"]), "already_exists")
    require(elder is None or elder["kind"] == "elder", "not_an_elder")
    require(not s["reversed"], "already_reversed")
    fund = L.funds[s["fund_id"]]
    L.check_seal(fund["branch_id"], meta["at"])
    for item in items:
        g = given[item["name"]]
        require(g["quantity"] - g["distributed"] >= item["quantity"], "insufficient_goods",
                "%d %s of %s left" % (g["quantity"] - g["distributed"], g["unit"], g["name"]))
    L.take("distribution", e["distribution_id"])
    for item in items:
        g = given[item["name"]]
        g["distributed"] += item["quantity"]
        fund["goods"][goods_key(g["name"], g["unit"])]["distributed"] += item["quantity"]
        s["goods_uses"].append({"distribution_id": e["distribution_id"], "name": item["name"],
                                "quantity": item["quantity"], "elder_id": e["elder_id"] or "",
                                "activity_id": e["activity_id"] or "", "at_us": meta["at"]})


@rule("GrantReceived")
def grant_received(L, e, meta):
    require(present(e["grant_id"]) and present(e["partner_id"]) and present(e["fund_id"])
            and isinstance(e["program"], str), "invalid_field")
    amount = e["amount_fen"]
    require(1 <= amount <= FEN_MAX, "invalid_amount")
    expect_stream(meta, "fund-" + e["fund_id"])
    partner = L.partners.get(e["partner_id"])
    require(partner is not None, "unknown_partner")
    fund = L.funds.get(e["fund_id"])
    require(fund is not None, "unknown_fund")
    require(e["grant_id"] not in L.sources, "already_exists")
    L.check_seal(fund["branch_id"], meta["at"])
    require(fits(fund["inflow_fen"], amount) and fits(partner["granted_fen"], amount)
            and L.reports_fit(fund["branch_id"], meta["at"], "grants_fen", amount),
            "amount_overflow")
    fund["balance_fen"] += amount
    fund["inflow_fen"] += amount
    fund["inflow_by_channel"][GRANT] += amount
    L.add_source({"id": e["grant_id"], "fund_id": e["fund_id"], "partner_id": e["partner_id"],
                  "purpose": e["restricted_to"] or "", "kind": "grant", "program": e["program"],
                  "amount_fen": amount, "gross_fen": amount, "at_us": meta["at"]})
    partner["granted_fen"] += amount
    partner["grants"].append(e["grant_id"])
    L.add_to_reports(fund["branch_id"], meta["at"], "grants_fen", amount)


@rule("DonorConsentRecorded")
def donor_consent_recorded(L, e, meta):
    require(present(e["consent_id"]) and present(e["donation_id"])
            and (e["restricted_to"] is None or present(e["restricted_to"]))
            and (e["document_ref"] is None or present(e["document_ref"])), "invalid_field")
    s = L.sources.get(e["donation_id"])
    require(s is not None and s["kind"] in ("donation", "in_kind"), "unknown_donation")
    expect_stream(meta, "fund-" + s["fund_id"])
    require(not L.taken_id("consent", e["consent_id"]), "already_exists")
    require(not s["reversed"], "already_reversed")
    L.take("consent", e["consent_id"])
    L.consents.add((e["donation_id"], e["restricted_to"] or ""))


@rule("FilingAcknowledged")
def filing_acknowledged(L, e, meta):
    month = parse_month(e["month"])
    require(month is not None and present(e["receipt_ref"])
            and (e["acknowledged_by"] is None or present(e["acknowledged_by"])), "invalid_field")
    expect_stream(meta, "policy")
    r = L.reports.get(("", month))
    require(r is None or r["filing"] is None, "already_exists")
    require(r is not None and r["sealed"] is not None, "month_not_sealed",
            "the programme's %s is not sealed" % month_text(month))
    r["filing"] = {"receipt_ref": e["receipt_ref"], "acknowledged_by": e["acknowledged_by"] or "",
                   "at_us": meta["at"], "position": meta["position"]}


@rule("RestrictionChanged")
def restriction_changed(L, e, meta):
    require(present(e["donation_id"]) and present(e["consent_ref"]), "invalid_field")
    s = L.sources.get(e["donation_id"])
    require(s is not None and s["kind"] in ("donation", "in_kind"), "unknown_donation")
    expect_stream(meta, "fund-" + s["fund_id"])
    require(not s["reversed"], "already_reversed")
    new_purpose = e["restricted_to"] or ""
    require(s["purpose"] != new_purpose, "restriction_unchanged")
    # The donor's consent recorded first (no_donor_consent) is a rule of admission.
    require(not L.admission or (e["donation_id"], new_purpose) in L.consents, "no_donor_consent")
    fund = L.funds[s["fund_id"]]
    L.check_seal(fund["branch_id"], meta["at"])
    if s["remaining_fen"] > 0:  # the unspent rest moves to the new purpose, keeping its age
        L.close_source(fund, s)
        L.restricted_add(fund, s["purpose"], -s["remaining_fen"])
        L.restricted_add(fund, new_purpose, s["remaining_fen"])
        s["purpose"] = new_purpose
        L.open_source(fund, s)
    s["purpose"] = new_purpose


@rule("SaleRecorded")
def sale_recorded(L, e, meta):
    require(present(e["sale_id"]) and present(e["fund_id"]) and present(e["product"])
            and isinstance(e["category"], str) and isinstance(e["channel"], str),
            "invalid_field")
    bp = e["maker_share_bp"]
    require(bp is None or (0 <= bp <= BASIS_POINTS_MAX and present(e["maker_id"])),
            "invalid_field")
    require(1 <= e["quantity"] <= SALE_QUANTITY_MAX and 1 <= e["unit_price_fen"] <= FEN_MAX,
            "invalid_amount")
    proceeds = e["quantity"] * e["unit_price_fen"]
    require(proceeds <= FEN_MAX, "amount_overflow")
    expect_stream(meta, "fund-" + e["fund_id"])
    fund = L.funds.get(e["fund_id"])
    require(fund is not None, "unknown_fund")
    buyer = None
    if present(e["buyer_partner_id"]):
        buyer = L.partners.get(e["buyer_partner_id"])
        require(buyer is not None, "unknown_partner")
    maker = member_of(L, e["maker_id"]) if present(e["maker_id"]) else None
    require(e["sale_id"] not in L.sources, "already_exists")
    L.check_seal(fund["branch_id"], meta["at"])
    share = proceeds * (bp or 0) // 10000
    to_fund = proceeds - share
    require(fits(fund["inflow_fen"], to_fund)
            and (buyer is None or fits(buyer["purchased_fen"], proceeds))
            and (maker is None or fits(maker["income_fen"], share))
            and L.reports_fit(fund["branch_id"], meta["at"], "sales_fen", proceeds),
            "amount_overflow")
    channel = CHANNELS.index(e["channel"])
    fund["balance_fen"] += to_fund
    fund["inflow_fen"] += to_fund
    fund["inflow_by_channel"][channel] += to_fund
    L.add_source({"id": e["sale_id"], "fund_id": e["fund_id"],
                  "partner_id": e["buyer_partner_id"] or "", "purpose": "", "kind": "sale",
                  "amount_fen": to_fund, "gross_fen": proceeds, "at_us": meta["at"]})
    if buyer is not None:
        buyer["purchased_fen"] += proceeds
    if maker is not None:
        maker["income_fen"] += share
    L.add_to_reports(fund["branch_id"], meta["at"], "sales_fen", proceeds)
    L.record_reversible(meta, {"type": "SaleRecorded", "source_id": e["sale_id"],
                               "channel": channel, "buyer": e["buyer_partner_id"] or "",
                               "maker": e["maker_id"] or "", "share": share,
                               "proceeds": proceeds})


def new_outflow(ident, fund_id, kind, category, purpose, amount, at_us, recipient=""):
    return {"id": ident, "fund_id": fund_id, "type": kind, "category": category,
            "purpose": purpose, "amount_fen": amount, "at_us": at_us, "recipient": recipient}


@rule("DisbursementMade")
def disbursement_made(L, e, meta):
    require(present(e["disbursement_id"]) and present(e["fund_id"]) and present(e["purpose"]),
            "invalid_field")
    amount = e["amount_fen"]
    require(1 <= amount <= FEN_MAX, "invalid_amount")
    expect_stream(meta, "fund-" + e["fund_id"])
    require(e["fund_id"] in L.funds, "unknown_fund")
    elder = member_of(L, e["elder_id"]) if present(e["elder_id"]) else None
    require(e["disbursement_id"] not in L.outflows, "already_exists")
    require(elder is None or elder["kind"] == "elder", "not_an_elder")
    L.check_outflow(e["fund_id"], e["purpose"], amount, meta["at"])
    branch = L.funds[e["fund_id"]]["branch_id"]
    require(L.reports_fit(branch, meta["at"], "disbursed_fen", amount), "amount_overflow")
    L.record_outflow(new_outflow(e["disbursement_id"], e["fund_id"], "DisbursementMade", 0,
                                 e["purpose"], amount, meta["at"], e["elder_id"] or ""),
                     e["purpose"])
    L.add_to_reports(branch, meta["at"], "disbursed_fen", amount)
    L.record_reversible(meta, {"type": "DisbursementMade", "outflow_id": e["disbursement_id"],
                               "amount_fen": amount})


def earmark_of_expense(category, purpose):
    """Overhead (management, materials) draws only on money restricted to its own category."""
    return category if category in ("management", "materials") else (purpose or "")


@rule("ExpenseRecorded")
def expense_recorded(L, e, meta):
    require(present(e["expense_id"]) and present(e["fund_id"])
            and isinstance(e["category"], str), "invalid_field")
    amount = e["amount_fen"]
    require(1 <= amount <= FEN_MAX, "invalid_amount")
    expect_stream(meta, "fund-" + e["fund_id"])
    require(e["fund_id"] in L.funds, "unknown_fund")
    require(e["expense_id"] not in L.outflows, "already_exists")
    earmark = earmark_of_expense(e["category"], e["purpose"])
    L.check_outflow(e["fund_id"], earmark, amount, meta["at"])
    L.record_outflow(new_outflow(e["expense_id"], e["fund_id"], "ExpenseRecorded",
                                 CATEGORIES.index(e["category"]), e["purpose"] or "", amount,
                                 meta["at"]), earmark)
    L.record_reversible(meta, {"type": "ExpenseRecorded", "outflow_id": e["expense_id"]})


def cash_value(policy, minutes, gifted, star):
    """Earned minutes with the star's bonus, gifted ones without; one rounding down."""
    weighted = (minutes - gifted) * (10000 + policy["star_bonus_bp"][star]) + gifted * 10000
    return weighted * policy["credit_value_fen_per_hour"] // 600000


@rule("RedemptionMade")
def redemption_made(L, e, meta):
    require(present(e["redemption_id"]) and present(e["member_id"])
            and isinstance(e["reward"], str), "invalid_field")
    cash = e["reward"] == "cash"
    require(present(e["fund_id"]) if cash else present(e["course"]), "invalid_field")
    require(e["minutes"] >= 1, "invalid_minutes")
    expect_stream(meta, "member-" + e["member_id"])
    m = member_of(L, e["member_id"])
    require(not cash or e["fund_id"] in L.funds, "unknown_fund")
    require(not L.taken_id("redemption", e["redemption_id"])
            and e["redemption_id"] not in L.outflows, "already_exists")
    require(m["active"], "member_inactive")
    L.check_seal(m["branch_id"], meta["at"])
    require(m["credit_minutes"] >= e["minutes"], "insufficient_credits",
            "%s has %d minutes" % (e["member_id"], m["credit_minutes"]))
    month = month_of(meta["at"])
    amount = 0
    gifted = min(m["gifted_minutes"], e["minutes"])  # gifted credits are spent first
    if cash:
        amount = cash_value(L.policy, e["minutes"], gifted, m["star"])
        require(amount <= FEN_MAX, "amount_overflow")
        require(e["amount_fen"] is None or e["amount_fen"] == amount,
                "amount_not_client_settable",
                "recorded %s fen, the policy gives %d" % (e["amount_fen"], amount))
        used = L.cash_used.get((e["member_id"], month), 0)
        cap = L.policy["cash_redemption_monthly_cap_fen"]
        require(cap == 0 or used + amount <= cap, "monthly_cap_exceeded")
        L.check_outflow(e["fund_id"], "redemption", amount, meta["at"])
        require(fits(used, amount)
                and L.reports_fit(m["branch_id"], meta["at"], "redeemed_cash_fen", amount),
                "amount_overflow")
    else:
        require(e["amount_fen"] is None, "amount_not_client_settable")
    L.take("redemption", e["redemption_id"])
    m["credit_minutes"] -= e["minutes"]
    m["gifted_minutes"] -= gifted
    m["redeemed_minutes"] += e["minutes"]
    if cash and amount > 0:
        L.record_outflow(new_outflow(e["redemption_id"], e["fund_id"], "RedemptionMade", 1,
                                     "redemption", amount, meta["at"], e["member_id"]),
                         "redemption")
        L.cash_used[(e["member_id"], month)] = L.cash_used.get((e["member_id"], month), 0) + amount
    if cash:
        L.add_to_reports(m["branch_id"], meta["at"], "redeemed_cash_fen", amount)
    else:
        L.add_to_reports(m["branch_id"], meta["at"], "redeemed_training_minutes", e["minutes"])
    L.record_reversible(meta, {"type": "RedemptionMade", "outflow_id": e["redemption_id"],
                               "member_id": e["member_id"], "cash": cash,
                               "minutes": e["minutes"], "amount_fen": amount, "gifted": gifted})


@rule("PolicySet")
def policy_set(L, e, meta):
    expect_stream(meta, "policy")
    p = dict(L.policy)
    t = e["star_thresholds_hours"]
    if t is not None:
        require(len(t) == 5 and all(1 <= h <= STAR_THRESHOLD_HOURS_MAX for h in t)
                and all(t[i] > t[i - 1] for i in range(1, 5)), "invalid_policy")
        p["star_thresholds_hours"] = list(t)
    if e["credit_value_fen_per_hour"] is not None:
        require(1 <= e["credit_value_fen_per_hour"] <= CREDIT_VALUE_MAX, "invalid_policy")
        p["credit_value_fen_per_hour"] = e["credit_value_fen_per_hour"]
    b = e["star_bonus_bp"]
    if b is not None:
        require(len(b) == 6 and all(0 <= x <= STAR_BONUS_BP_MAX for x in b), "invalid_policy")
        p["star_bonus_bp"] = list(b)
    if e["cash_redemption_monthly_cap_fen"] is not None:
        require(0 <= e["cash_redemption_monthly_cap_fen"] <= FEN_MAX, "invalid_policy")
        p["cash_redemption_monthly_cap_fen"] = e["cash_redemption_monthly_cap_fen"]
    require(any(e[k] is not None for k in p), "invalid_policy", "a policy change names no figure")
    L.policy = p
    for m in L.members.values():  # new thresholds apply from this event on
        m["star"] = L.star_for(m["verified_minutes"])


@rule("MonthlyReportSealed")
def monthly_report_sealed(L, e, meta):
    branch = e["branch_id"]  # absent: the whole programme's month
    require(branch is None or present(branch), "invalid_field")
    month = parse_month(e["month"])
    require(month is not None, "invalid_field")
    expect_stream(meta, "branch-" + branch if branch else "policy")
    require(not branch or branch in L.branches, "unknown_branch")
    for key in ((branch or "", month), ("", month)):
        existing = L.reports.get(key)
        require(existing is None or existing["sealed"] is None, "already_sealed")
    # The month over (Beijing time) when the seal occurs is a rule of admission.
    require(not L.admission or month_of(meta["at"]) > month, "month_not_ended")
    stars = [0] * 6
    for m in L.members.values():  # active volunteers of the branch (of all, for the programme)
        if m["kind"] in VOLUNTEER_KINDS and m["active"] and branch in (None, m["branch_id"]):
            stars[m["star"]] += 1
    L.report(branch or "", month)["sealed"] = {
        "position": meta["position"], "hash": meta["hash"].hex(), "star_counts": stars}


ATTESTATION_PURPOSE_CHARS_MAX = 200


def attestation_terms_valid(e):
    """A purpose of 1..200 characters; at least one known item disclosed, ascending, each once;
    a consent reference, when given, not empty."""
    names = SCHEMA.enums["Disclosure"]
    items = e["discloses"] or []
    if not present(e["purpose"]) or len(e["purpose"]) > ATTESTATION_PURPOSE_CHARS_MAX:
        return False
    if not items or any(not isinstance(item, str) for item in items):
        return False
    order = [names.index(item) for item in items]
    return (all(a < b for a, b in zip(order, order[1:]))
            and (e["consent_ref"] is None or present(e["consent_ref"])))


@rule("AttestationIssued")
def attestation_issued(L, e, meta):
    require(present(e["attestation_id"]) and present(e["member_id"]) and present(e["merchant_id"])
            and e["expires_at_us"] > meta["at"] and attestation_terms_valid(e), "invalid_field")
    expect_stream(meta, "member-" + e["member_id"])
    m = member_of(L, e["member_id"])
    merchant = L.partners.get(e["merchant_id"])
    require(merchant is not None, "unknown_partner")
    require(e["attestation_id"] not in L.attestations, "already_exists")
    require(merchant["kind"] == "merchant", "not_a_merchant")
    require(m["active"], "member_inactive")
    L.attestations[e["attestation_id"]] = {"member_id": e["member_id"], "revoked": False}


@rule("AttestationRevoked")
def attestation_revoked(L, e, meta):
    require(present(e["attestation_id"]), "invalid_field")
    a = L.attestations.get(e["attestation_id"])
    require(a is not None, "unknown_attestation")
    require(not a["revoked"], "already_revoked")
    a["revoked"] = True


SCOPE_OF_ROLE = {"admin": None, "auditor": None, "coordinator": "branch_id",
                 "partner": "partner_id", "member": "member_id", "merchant": "merchant_id"}


def scope_fields_match(e):
    """Exactly the one scope field of the role is there (none for admin and auditor)."""
    if e["role"] not in SCOPE_OF_ROLE:
        return False
    scope = SCOPE_OF_ROLE[e["role"]]
    given = [f for f in ("branch_id", "partner_id", "member_id", "merchant_id")
             if e[f] is not None]
    return given == ([scope] if scope else []) and (scope is None or e[scope] != "")


def check_right(L, e):
    require(scope_fields_match(e), "invalid_field")
    role = e["role"]
    if role == "coordinator":
        require(e["branch_id"] in L.branches, "unknown_branch")
    elif role == "partner":
        require(e["partner_id"] in L.partners, "unknown_partner")
    elif role == "member":
        require(e["member_id"] in L.members, "unknown_member")
    elif role == "merchant":
        merchant = L.partners.get(e["merchant_id"])
        require(merchant is not None, "unknown_partner")
        require(merchant["kind"] == "merchant", "not_a_merchant")


@rule("AccountOpened")
def account_opened(L, e, meta):
    require(present(e["account_id"]), "invalid_field")
    expect_stream(meta, "account-" + e["account_id"])
    check_right(L, e)
    require(not L.taken_id("account", e["account_id"]), "already_exists")
    L.take("account", e["account_id"])


@rule("AccountClosed")
def account_closed(L, e, meta):
    require(present(e["account_id"]) and scope_fields_match(e), "invalid_field")
    expect_stream(meta, "account-" + e["account_id"])
    require(L.taken_id("account", e["account_id"]), "unknown_account")
    require(not L.taken_id("account-closed", e["account_id"]), "already_closed")
    L.take("account-closed", e["account_id"])


@rule("KeyIssued")
def key_issued(L, e, meta):
    require(present(e["key_id"]), "invalid_field")
    expect_stream(meta, "key-" + e["key_id"])
    check_right(L, e)
    require(not L.taken_id("key", e["key_id"]), "already_exists")
    L.take("key", e["key_id"])


@rule("KeyRevoked")
def key_revoked(L, e, meta):
    require(present(e["key_id"]) and scope_fields_match(e), "invalid_field")
    expect_stream(meta, "key-" + e["key_id"])
    require(not L.taken_id("key-revoked", e["key_id"]), "already_closed")
    L.take("key-revoked", e["key_id"])


def certificate_number(ident):
    """(year, sequence) of "ZYK-YYYY-NNNNNN", or None."""
    if ident is None or len(ident) != 15 or not ident.startswith("ZYK-") or ident[8] != "-":
        return None
    digits = ident[4:8] + ident[9:]
    if not all("0" <= c <= "9" for c in digits):
        return None
    return int(ident[4:8]), int(ident[9:])


@rule("CertificateIssued")
def certificate_issued(L, e, meta):
    number = certificate_number(e["certificate_id"])
    digest = e["digest"] or ""
    require(number is not None and present(e["member_id"]) and valid_date(e["from_date"])
            and valid_date(e["to_date"]) and e["to_date"] >= e["from_date"]
            and e["verified_minutes"] >= 0 and e["services"] >= 0 and e["as_of"] >= 0
            and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
            and number[1] <= CERTIFICATE_SEQUENCE_MAX, "invalid_field")
    kinds = e["kinds"] or []
    require(all(isinstance(k, str) for k in kinds), "invalid_field")
    ranks = [SCHEMA.enums["ServiceKind"].index(k) for k in kinds]
    require(all(ranks[i] > ranks[i - 1] for i in range(1, len(ranks))), "invalid_field")
    expect_stream(meta, "member-" + e["member_id"])
    m = member_of(L, e["member_id"])
    require(e["certificate_id"] not in L.certificates, "already_exists")
    year = month_of(meta["at"]) // 100
    expected = "ZYK-%04d-%06d" % (year, L.certificates_per_year.get(year, 0) + 1)
    require(e["certificate_id"] == expected, "invalid_field",
            "certificate %s is not the next number (%s)" % (e["certificate_id"], expected))
    require(m["kind"] in VOLUNTEER_KINDS, "not_a_volunteer")
    L.certificates[e["certificate_id"]] = {
        "member_id": e["member_id"], "from": e["from_date"], "to": e["to_date"],
        "verified_minutes": e["verified_minutes"], "services": e["services"], "kinds": kinds,
        "as_of": e["as_of"], "digest": digest, "revoked": False}
    L.certificates_per_year[number[0]] = L.certificates_per_year.get(number[0], 0) + 1


@rule("CertificateRevoked")
def certificate_revoked(L, e, meta):
    require(present(e["certificate_id"]) and present(e["reason"]), "invalid_field")
    c = L.certificates.get(e["certificate_id"])
    require(c is not None, "unknown_certificate")
    require(not c["revoked"], "already_revoked")
    c["revoked"] = True


@rule("ServiceRequested")
def service_requested(L, e, meta):
    require(present(e["request_id"]) and present(e["elder_id"]) and present(e["description"])
            and isinstance(e["need"], str)
            and (e["requested_by"] is None or isinstance(e["requested_by"], str)),
            "invalid_field")
    expect_stream(meta, "request-" + e["request_id"])
    el = member_of(L, e["elder_id"])
    require(e["request_id"] not in L.requests, "already_exists")
    require(el["active"], "member_inactive")
    require(el["kind"] == "elder", "not_an_elder")
    L.check_seal(el["branch_id"], meta["at"])
    L.requests[e["request_id"]] = {
        "elder_id": e["elder_id"], "branch_id": el["branch_id"], "need": e["need"],
        "status": "open", "volunteer_id": "", "service_ids": [], "requested_at_us": meta["at"],
        "resolved_at_us": 0}
    L.add_to_reports(el["branch_id"], meta["at"], "requests_opened", 1)


def open_request(L, e):
    r = L.requests.get(e["request_id"])
    require(r is not None, "unknown_request")
    return r


@rule("RequestAssigned")
def request_assigned(L, e, meta):
    require(present(e["request_id"]) and present(e["volunteer_id"]), "invalid_field")
    expect_stream(meta, "request-" + e["request_id"])
    r = open_request(L, e)
    v = member_of(L, e["volunteer_id"])
    require(r["status"] != "cancelled", "request_cancelled")
    require(r["status"] != "resolved", "request_resolved")
    require(r["volunteer_id"] != e["volunteer_id"], "already_assigned")
    require(v["active"], "member_inactive")
    require(v["kind"] in VOLUNTEER_KINDS, "not_a_volunteer")
    require(v["branch_id"] == r["branch_id"], "different_branch")
    L.check_seal(r["branch_id"], meta["at"])
    r["volunteer_id"] = e["volunteer_id"]
    r["status"] = "assigned"


@rule("RequestCancelled")
def request_cancelled(L, e, meta):
    require(present(e["request_id"]) and present(e["reason"]), "invalid_field")
    expect_stream(meta, "request-" + e["request_id"])
    r = open_request(L, e)
    require(r["status"] != "cancelled", "request_cancelled")
    require(r["status"] != "resolved", "request_resolved")
    L.check_seal(r["branch_id"], meta["at"])
    r["status"] = "cancelled"


# ---- reversals: each reversible type says whose seal applies, what must still be there, and
# how it is undone (docs/rules.md, "Reversals") ----

def undo_branch_and_check(L, u):
    """(branch whose seal applies, refusal code or None, report field, money taken back)."""
    t = u["type"]
    if t == "ServiceVerified":
        s = L.services[u["service_id"]]
        v = L.members[s["volunteer_id"]]
        return v["branch_id"], (None if v["credit_minutes"] >= u["minutes"]
                                else "insufficient_credits"), None, 0
    if t == "TrainingCompleted":
        return L.members[u["member_id"]]["branch_id"], None, None, 0
    if t == "CreditsTransferred":
        spent = L.members[u["to"]]["credit_minutes"] < u["minutes"]
        return (L.members[u["from"]]["branch_id"], "insufficient_credits" if spent else None,
                None, 0)
    if t == "DonationReceived" and L.sources[u["source_id"]]["kind"] == "in_kind":
        s = L.sources[u["source_id"]]  # goods already handed out cannot be taken back
        return (L.funds[s["fund_id"]]["branch_id"],
                "insufficient_goods" if s["goods_uses"] else None, "in_kind_received_fen",
                s["amount_fen"])
    if t == "ActivityHeld":
        return L.activities[u["activity_id"]]["branch_id"], None, None, 0
    if t in ("DonationReceived", "SaleRecorded"):
        s = L.sources[u["source_id"]]
        spent = s["remaining_fen"] != s["amount_fen"]
        field, amount = (("donations_fen", s["amount_fen"]) if t == "DonationReceived"
                         else ("sales_fen", u["proceeds"]))
        return (L.funds[s["fund_id"]]["branch_id"], "insufficient_funds" if spent else None,
                field, amount)
    if t in ("DisbursementMade", "ExpenseRecorded"):
        branch = L.funds[L.outflows[u["outflow_id"]]["fund_id"]]["branch_id"]
        if t == "DisbursementMade":
            return branch, None, "disbursed_fen", u["amount_fen"]
        return branch, None, None, 0
    if t == "RedemptionMade":
        branch = L.members[u["member_id"]]["branch_id"]
        return branch, None, ("redeemed_cash_fen" if u["cash"] else None), u["amount_fen"]
    raise AssertionError("a reversible type without a reversal rule: " + t)


def undo_inflow(L, s, channel):
    fund = L.funds[s["fund_id"]]
    if s["amount_fen"] > 0:
        L.close_source(fund, s)
    L.restricted_add(fund, s["purpose"], -s["amount_fen"])
    fund["balance_fen"] -= s["amount_fen"]
    fund["inflow_fen"] -= s["amount_fen"]
    fund["inflow_by_channel"][channel] -= s["amount_fen"]
    s["remaining_fen"] = 0
    s["reversed"] = True
    return fund["branch_id"]


def apply_undo(L, u, at):
    t = u["type"]
    if t == "ServiceVerified":
        s = L.services[u["service_id"]]
        s["status"] = "reversed"
        v = L.members[s["volunteer_id"]]
        v["verified_minutes"] -= u["minutes"]
        v["credit_minutes"] -= u["minutes"]
        # The minutes taken back were earned; if she had spent those, gifts make up the rest.
        v["gifted_minutes"] = min(v["gifted_minutes"], v["credit_minutes"])
        v["star"] = L.star_for(v["verified_minutes"])
        for _, r in L.reports_of(v["branch_id"], at):
            r["verified_minutes"] -= u["minutes"]
            r["services"] -= 1
        if u["resolved_request_id"]:
            L.reopen_request(u["resolved_request_id"], at)
    elif t == "TrainingCompleted":
        L.members[u["member_id"]]["training_minutes"] -= u["minutes"]
    elif t == "CreditsTransferred":
        giver, taker = L.members[u["from"]], L.members[u["to"]]
        giver["credit_minutes"] += u["minutes"]
        giver["gifted_minutes"] = min(giver["gifted_minutes"] + u["giver_gifted"],
                                      giver["credit_minutes"])
        taker["credit_minutes"] -= u["minutes"]  # the gift back: from her gifts as far as held
        if u["gift"]:
            taker["gifted_minutes"] -= min(taker["gifted_minutes"], u["minutes"])
        taker["gifted_minutes"] = min(taker["gifted_minutes"], taker["credit_minutes"])
    elif t == "DonationReceived" and L.sources[u["source_id"]]["kind"] == "in_kind":
        s = L.sources[u["source_id"]]
        fund = L.funds[s["fund_id"]]
        for item in s["items"]:  # its goods leave the stock
            key = goods_key(item["name"], item["unit"])
            g = fund["goods"][key]
            g["received"] -= item["quantity"]
            g["value_fen"] -= item["value_fen"]
            if g["received"] == 0 and g["distributed"] == 0:
                del fund["goods"][key]
        s["reversed"] = True
        L.partners[s["partner_id"]]["in_kind_fen"] -= s["amount_fen"]
        L.add_to_reports(fund["branch_id"], at, "in_kind_received_fen", -s["amount_fen"])
    elif t == "ActivityHeld":
        a = L.activities[u["activity_id"]]
        a["reversed"] = True  # unknown to new services; its id may be held anew
        for _, r in L.reports_of(a["branch_id"], at):
            r["activities"] -= 1
            r["beneficiaries"] -= u["beneficiaries"]
    elif t == "DonationReceived":
        s = L.sources[u["source_id"]]
        L.partners[s["partner_id"]]["donated_fen"] -= s["amount_fen"]
        branch = undo_inflow(L, s, 0)
        L.add_to_reports(branch, at, "donations_fen", -s["amount_fen"])
    elif t == "SaleRecorded":
        branch = undo_inflow(L, L.sources[u["source_id"]], u["channel"])
        if u["buyer"]:
            L.partners[u["buyer"]]["purchased_fen"] -= u["proceeds"]
        if u["maker"]:
            L.members[u["maker"]]["income_fen"] -= u["share"]
        L.add_to_reports(branch, at, "sales_fen", -u["proceeds"])
    elif t == "DisbursementMade":
        branch = L.funds[L.outflows[u["outflow_id"]]["fund_id"]]["branch_id"]
        L.unwind_outflow(u["outflow_id"])
        L.add_to_reports(branch, at, "disbursed_fen", -u["amount_fen"])
    elif t == "ExpenseRecorded":
        L.unwind_outflow(u["outflow_id"])
    elif t == "RedemptionMade":
        m = L.members[u["member_id"]]
        m["credit_minutes"] += u["minutes"]
        m["gifted_minutes"] += u["gifted"]
        m["redeemed_minutes"] -= u["minutes"]
        if u["cash"] and u["amount_fen"] > 0:
            L.unwind_outflow(u["outflow_id"])
        if u["cash"]:
            L.add_to_reports(m["branch_id"], at, "redeemed_cash_fen", -u["amount_fen"])
        else:
            L.add_to_reports(m["branch_id"], at, "redeemed_training_minutes", -u["minutes"])


@rule("EventReversed")
def event_reversed(L, e, meta):
    require(present(e["reversal_id"]) and present(e["reverses_id"]) and present(e["reason"]),
            "invalid_field")
    target = L.reversible.get(e["reverses_id"])
    require(target is not None, "unknown_event", "no reversible event " + e["reverses_id"])
    require(not L.taken_id("reversal", e["reversal_id"]), "already_exists")
    expect_stream(meta, target["stream"])
    require(not target["reversed"], "already_reversed")
    branch, refusal, field, amount = undo_branch_and_check(L, target["undo"])
    L.check_seal(branch, meta["at"])
    require(refusal is None, refusal or "", "undoing %s would overdraw" % e["reverses_id"])
    require(field is None or L.reports_fit(branch, meta["at"], field, -amount), "amount_overflow")
    L.take("reversal", e["reversal_id"])
    target["reversed"] = True
    apply_undo(L, target["undo"], meta["at"])


# ---- reading the export ----

SCHEMA = None


def load_schema(path):
    global SCHEMA
    with open(path, encoding="utf-8") as f:
        SCHEMA = flatbuf.Schema(f.read())
    return SCHEMA


def lp(data):
    return struct.pack(">I", len(data)) + data


def canonical_bytes(env):
    return b"".join((b"ZLEV2", struct.pack(">Q", env["position"]), lp(env["stream"]),
                     struct.pack(">Q", env["stream_version"]), lp(env["id"]), lp(env["type"]),
                     struct.pack(">qq", env["occurred_at_us"], env["recorded_at_us"]),
                     lp(env["actor"]), lp(env["payload"])))


class Failure(Exception):
    def __init__(self, position, what):
        super().__init__(what)
        self.position = position
        self.what = what


def load_public_key(path):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    with open(path, "rb") as f:
        return load_pem_public_key(f.read())


def replay(export_path, public_key, progress=None, admission=False):
    """Verifies and replays the export; returns (ledger, events, head hash, checkpoints)."""
    from cryptography.exceptions import InvalidSignature
    L = Ledger(admission)
    read_payload = SCHEMA.read_root
    members = SCHEMA.union_members("Data")
    prev = bytes(32)
    hashes = {}  # position -> hash, for checkpoints still to come (only the last few)
    expected = 0
    last_signed = None
    checkpoints = 0
    streams = {}  # stream -> last version
    with open(export_path, "rb") as f:
        for number, text in enumerate(f, start=1):
            try:
                line = json.loads(text)
            except ValueError:
                raise Failure(expected, "export line %d is not JSON" % number)
            if "checkpoint" in line:
                c = line["checkpoint"]
                p = c.get("position")
                if len(line) != 1 or p not in hashes or hashes[p].hex() != c.get("hash"):
                    raise Failure(p, "the checkpoint on line %d does not match the chain" % number)
                message = (b"ZLCP1" + struct.pack(">Q", p) + hashes[p]
                           + struct.pack(">q", c["recorded_at_us"]))
                try:
                    public_key.verify(bytes.fromhex(c["signature"]), message)
                except (InvalidSignature, ValueError):
                    raise Failure(p, "the checkpoint at %d has a bad signature" % p)
                last_signed = p
                checkpoints += 1
                hashes = {p: hashes[p]}
                continue
            try:
                raw = base64.b64decode(line["envelope"], validate=True)
                env = flatbuf.read_envelope(raw)
            except (KeyError, ValueError, TypeError, flatbuf.Malformed) as e:
                raise Failure(expected, "line %d: malformed envelope (%s)" % (number, e))
            position = env["position"]
            if position != expected:
                raise Failure(expected, "line %d holds position %d: the chain has a gap or is "
                              "out of order" % (number, position))
            if env["prev_hash"] != prev:
                raise Failure(position, "prev_hash does not link to the hash before it")
            digest = hashlib.sha256(prev + canonical_bytes(env)).digest()
            if digest != env["hash"]:
                raise Failure(position, "the hash does not match the event's bytes (altered)")
            event_id = env["id"].decode("utf-8", "surrogateescape")
            stream = env["stream"].decode("utf-8", "surrogateescape")
            check_line_says_envelope(line, env, digest, event_id, stream)
            version = streams.get(stream, 0) + 1
            if env["stream_version"] != version:
                raise Failure(position, "stream version %d, expected %d"
                              % (env["stream_version"], version))
            streams[stream] = version
            try:
                payload = read_payload(env["payload"])
                event_type = members[payload["data_type"] - 1] if payload["data_type"] else None
            except flatbuf.Malformed as e:
                raise Failure(position, "the payload is not a valid EventData (%s)" % e)
            if event_type is None or event_type.encode() != env["type"]:
                raise Failure(position, "the payload holds %s, the envelope says %s"
                              % (event_type, env["type"].decode(errors="replace")))
            meta = {"position": position, "id": event_id, "stream": stream,
                    "at": env["occurred_at_us"], "hash": digest}
            handler = HANDLERS.get(event_type)
            if handler is None:
                raise Failure(position, "%s: this implementation has no rule for the type (add "
                              "one handler, docs/rules.md)" % event_type)
            try:
                handler(L, payload["data"], meta)
            except Refused as r:
                raise Failure(position, "the rules refuse %s '%s': %s%s" % (
                    event_type, meta["id"], r.code, " (%s)" % r.why if r.why else ""))
            hashes[position] = digest
            prev = digest
            expected += 1
            if progress and expected % 100000 == 0:
                progress(expected)
    if expected and last_signed != expected - 1:
        raise Failure(expected - 1, "no signed checkpoint covers the last event: the export is "
                      "truncated or unsigned")
    return L, expected, prev, checkpoints


def check_line_says_envelope(line, env, digest, event_id, stream):
    """The line's own fields must say what its envelope says (only these are read from JSON)."""
    event = line.get("event")
    hex_digest = digest.hex()
    if not (line.get("position") == env["position"] and line.get("hash") == hex_digest
            and line.get("prev_hash") == env["prev_hash"].hex() and type(event) is dict
            and event.get("position") == env["position"] and event.get("hash") == hex_digest
            and event.get("id") == event_id and event.get("stream") == stream
            and event.get("type") == env["type"].decode("utf-8", "surrogateescape")):
        raise Failure(env["position"], "its JSON does not say what its envelope bytes say")


# ---- the derived state, as canonical JSON ----

def median(ascending):
    if not ascending:
        return None
    mid = len(ascending) // 2
    return ascending[mid] if len(ascending) % 2 else (ascending[mid - 1] + ascending[mid]) // 2


def star_scale(policy, star):
    """Where the member's star starts and the next begins, in minutes, on the scale in force."""
    thresholds = policy["star_thresholds_hours"]
    return {"star_from_minutes": thresholds[star - 1] * 60 if star else 0,
            "next_star_minutes": thresholds[star] * 60 if star < len(thresholds) else None}


def derived_state(L, events, head):
    """Everything derived, keyed as the REST reads (docs/rules.md, "The derived state")."""
    reports = {}
    for (branch, month), r in L.reports.items():
        figures = {k: v for k, v in r.items() if k != "resolution_minutes"}
        figures["resolution_median_minutes"] = median(r["resolution_minutes"])
        reports.setdefault(branch, {})[month_text(month)] = figures
    return {
        "format": "zhaiyi-derived-state/1",
        "events": events,
        "head_hash": head.hex(),
        "policy": L.policy,
        "members": {i: dict(m, **star_scale(L.policy, m["star"])) for i, m in L.members.items()},
        "services": L.services,
        "requests": {i: dict(r, resolved_at_us=r["resolved_at_us"] or None)
                     for i, r in L.requests.items()},
        "partners": L.partners,
        "funds": {i: {
            "branch_id": f["branch_id"], "balance_fen": f["balance_fen"],
            "inflow_fen": f["inflow_fen"], "outflow_fen": f["outflow_fen"],
            "unrestricted_fen": f["unrestricted_fen"],
            "inflow_by_channel": dict(zip(CHANNELS, f["inflow_by_channel"])),
            "outflow_by_category": dict(zip(CATEGORIES, f["outflow_by_category"])),
            "earmarks": {p: v for p, v in f["earmarks"].items() if v != 0},
            "goods": [dict(g, in_stock=g["received"] - g["distributed"])
                      for _, g in sorted(f["goods"].items())],
        } for i, f in L.funds.items()},
        "sources": {i: {
            "fund_id": s["fund_id"], "kind": s["kind"], "partner_id": s["partner_id"],
            "purpose": s["purpose"], "amount_fen": s["amount_fen"], "gross_fen": s["gross_fen"],
            "remaining_fen": s["remaining_fen"], "reversed": s["reversed"], "at_us": s["at_us"],
            "allocated_fen": sum(u["amount_fen"] for u in s["uses"]), "uses": s["uses"],
            "program": s.get("program"),
            "items": [dict(g, in_stock=g["quantity"] - g["distributed"])
                      for g in s.get("items", [])],
            "goods_uses": s.get("goods_uses", []),
        } for i, s in L.sources.items()},
        "outflows": {i: {
            "fund_id": o["fund_id"], "type": o["type"], "category": CATEGORIES[o["category"]],
            "purpose": o["purpose"], "amount_fen": o["amount_fen"], "at_us": o["at_us"],
            "recipient": o["recipient"], "reversed": o["reversed"], "sources": o["sources"],
        } for i, o in L.outflows.items()},
        "reports": reports,
    }


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


# ---- comparing two derived states ----

def first_difference(a, b, path=""):
    """The path and the two values of the first difference (keys in sorted order), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            name = key if key else '""'
            where = path + "." + name if path else name
            if key not in a:
                return where, "(absent)", b[key]
            if key not in b:
                return where, a[key], "(absent)"
            d = first_difference(a[key], b[key], where)
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        if len(a) != len(b):
            return path + ".length", len(a), len(b)
        return None
    if a != b or type(a) is not type(b):
        return path, a, b
    return None


def compare(path_a, path_b):
    with open(path_a, encoding="utf-8", errors="surrogateescape") as f:
        a = json.load(f)
    with open(path_b, encoding="utf-8", errors="surrogateescape") as f:
        b = json.load(f)
    d = first_difference(a, b)
    if d is None:
        print("identical: %s and %s" % (path_a, path_b))
        return 0
    where, x, y = d
    short = lambda v: json.dumps(v, ensure_ascii=False)[:200]  # noqa: E731
    print("first difference at %s\n  %s: %s\n  %s: %s" % (where, path_a, short(x), path_b,
                                                          short(y)))
    return 1


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", help="the export (JSON Lines, `ledgerctl export`)")
    parser.add_argument("--pubkey", help="the ledger's public key (PEM, `ledgerctl pubkey`)")
    parser.add_argument("--out", help="write the derived state here (default: stdout)")
    parser.add_argument("--schema", default=os.path.join(here, "..", "..", "domain",
                                                         "events.fbs"),
                        help="the events schema (default: the repository's domain/events.fbs)")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="print the first difference of two derived states")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--admission", action="store_true",
                        help="judge the rules of admission too, as when recording (for a log "
                        "recorded entirely since they exist; docs/rules.md)")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not args.export or not args.pubkey:
        parser.print_usage(sys.stderr)
        return 2
    load_schema(args.schema)
    key = load_public_key(args.pubkey)
    # The replay builds millions of small objects and no cycles: the cyclic collector would only
    # re-scan the growing state again and again (a tenth of the CPU time on a large export).
    gc.disable()
    progress = None if args.quiet else (lambda n: print("rederive: %d events" % n,
                                                        file=sys.stderr, flush=True))
    try:
        L, events, head, checkpoints = replay(args.export, key, progress, args.admission)
    except Failure as f:
        print("rederive: FAILED at position %s: %s" % (f.position, f.what), file=sys.stderr)
        return 1
    text = canonical_json(derived_state(L, events, head)).encode("utf-8", "surrogateescape")
    if args.out:
        with open(args.out, "wb") as f:
            f.write(text)
    else:
        sys.stdout.buffer.write(text)
    print("rederive: OK: %d events, %d checkpoints verified, head %s"
          % (events, checkpoints, head.hex()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
