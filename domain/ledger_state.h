// LedgerState: everything the ledger knows, derived from its events, and the rules that decide
// whether the next event may be recorded. Pure: no I/O, no clock, no globals; the same events in
// the same order always give the same state.
//
// Execute(meta, data) checks every rule for one event, in the precedence order of Outcome, and
// applies the event only if all pass: a refused event changes nothing. The write side (the
// decider in the store's single writer) and every read side (projections, replicas, the
// auditor's independent replay) run the same Execute, so they cannot disagree.
//
// Transactions: Begin() starts journaling every change; Rollback() undoes all changes since
// Begin(); Commit() drops the journal. A batch of events is all or nothing this way.
//
// Not thread-safe: one owner applies events; readers need the owner's lock.
#pragma once

#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/civil_time.h"
#include "domain/dense_map.h"
#include "domain/fund_terms.h"
#include "domain/ids.h"
#include "domain/money.h"
#include "domain/outcome.h"
#include "domain/policy.h"
#include "domain/reversible.h"
#include "domain/text_set.h"
#include "events_generated.h"

namespace ledger {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = boost::unordered_flat_map<std::string, V, StringHash, std::equal_to<>>;
using StringSet = boost::unordered_flat_set<std::string, StringHash, std::equal_to<>>;
// The tables that grow with members and events: their entries kept densely (DenseMap), not in
// the slots of an open-addressing table.
template <class Tag, class Value>
using IdTable = DenseMap<Id<Tag>, Value, IdHash, std::equal_to<>>;

// What the log says about an event besides its data.
struct EventMeta {
  uint64_t position = 0;    // read side only; the write side does not know it yet
  EventRef id;              // the event id (reversals name it)
  std::string_view stream;  // the stream it was appended to
  int64_t occurred_at_us = 0;
  std::string_view hash;  // 32 bytes, read side only (seals record it)
  // True when the event is already in the log (every read side: replay, projections, replicas,
  // the auditor's recount). The log holds what the rules of its day accepted: a rule added later
  // — admission rules about whom an event may name (not_a_relative, invalid_confirmation), donor
  // consent, month_not_ended, items of in-kind gifts — is checked only when recording, so that a
  // log recorded under earlier rules still replays; everything an event changes is the same
  // either way.
  bool committed = false;
};

struct Branch {
  std::string name;
  bool operator==(const Branch&) const = default;
};

// An award (表彰, AwardGranted) in a member's file.
struct Award {
  std::string award_id;
  std::string title;
  std::string grantor;        // "" when not given
  std::string level;          // "" when not given
  int64_t granted_at_us = 0;  // the event's occurred_at
  bool operator==(const Award&) const = default;
};

// A registered family relation (RelationRegistered), kept on both members. `relative_id` is the
// other member; `reverse` false: the relative is this member's `relation`; true: this member is
// the relative's `relation` (the relation was registered on the relative's stream).
struct Relation {
  std::string relation_id;
  MemberId relative_id;
  events::RelationKind relation = events::RelationKind::spouse;
  bool reverse = false;
  bool operator==(const Relation&) const = default;
};

struct Member {
  events::MemberKind kind = events::MemberKind::volunteer;
  BranchId branch_id;
  bool active = true;
  int32_t star = 0;
  Minutes verified_minutes;
  Minutes pending_minutes;
  Minutes credit_minutes;  // balance: verified + received - given - redeemed
  // Of credit_minutes, those received as gifts (CreditsTransferred) and not yet spent: a cash
  // redemption pays no star bonus on them. Gifted credits are spent first (given on or
  // redeemed), and never exceed the balance.
  Minutes gifted_minutes;
  Minutes redeemed_minutes;
  Minutes training_minutes;
  Fen income_fen;  // maker's share of sales
  // No personal data: names, phones... live in the personal vault (docs/privacy.md). When her
  // personal data was erased (PersonalDataErased's occurred_at); later personal fields for her
  // are refused.
  std::optional<int64_t> erased_at_us;
  std::vector<Award> awards;        // in the order granted
  std::vector<Relation> relations;  // in the order registered
  // Whether `other` is registered as a relative of this member (either way round).
  bool IsRelative(MemberRef other) const;
  bool operator==(const Member&) const = default;
};

struct Pairing {
  MemberId volunteer_id;
  MemberId elder_id;
  bool active = true;
  bool operator==(const Pairing&) const = default;
};

enum class ServiceStatus : uint8_t { kPending, kVerified, kRejected, kReversed };

struct Service {
  MemberId volunteer_id;
  MemberId elder_id;  // empty when the service was to no particular elder
  int32_t minutes = 0;
  ServiceStatus status = ServiceStatus::kPending;
  RequestId request_id;  // the service request it answers; empty if none
  bool operator==(const Service&) const = default;
};

enum class RequestStatus : uint8_t { kOpen, kAssigned, kResolved, kCancelled };

// A service request (订单式): an elder's need, assigned to a volunteer of the elder's branch,
// resolved when a service naming it is verified, or cancelled. The branch is the elder's.
struct ServiceRequest {
  MemberId elder_id;
  BranchId branch_id;
  events::RequestNeed need = events::RequestNeed::home_visit;
  std::string description;
  std::optional<int64_t> wanted_by_us;
  std::optional<events::Requester> requested_by;
  bool urgent = false;
  RequestStatus status = RequestStatus::kOpen;
  MemberId volunteer_id;               // the assigned volunteer; empty while open
  std::vector<ServiceId> service_ids;  // services logged for it, in order
  int64_t requested_at_us = 0;         // the ServiceRequested's occurred_at
  int64_t resolved_at_us = 0;          // the resolving ServiceVerified's occurred_at; 0 if not
  bool operator==(const ServiceRequest&) const = default;
};

// The API word of a request's status: open, assigned, resolved, cancelled.
std::string_view RequestStatusName(RequestStatus status);

struct Activity {
  BranchId branch_id;
  bool reversed = false;  // undone by an EventReversed: unknown to new services, recordable anew
  bool operator==(const Activity&) const = default;
};

struct Partner {
  std::string name;
  events::PartnerKind kind = events::PartnerKind::enterprise;
  Fen donated_fen;                  // donations, less reversed ones
  Fen purchased_fen;                // every sale naming it as buyer (any channel), less reversed
  Fen used_fen;                     // allocated from its donations and purchases to outflows
  std::vector<SourceId> donations;  // donation ids, in order
  Fen in_kind_fen;                  // declared value of its in-kind donations, less reversed
  Fen granted_fen;                  // its grants
  std::vector<SourceId> grants;     // grant ids, in order
  bool operator==(const Partner&) const = default;
};

// Goods of one name and unit a fund received in kind: the stock is received - distributed.
struct Goods {
  std::string name;
  std::string unit;
  int64_t received = 0;
  int64_t distributed = 0;
  Fen value_fen;  // the declared value of what was received
  bool operator==(const Goods&) const = default;
};

struct Fund {
  std::string name;
  BranchId branch_id;  // empty when the fund belongs to no branch
  Fen balance_fen;
  Fen inflow_fen;
  Fen outflow_fen;
  std::array<Fen, kChannels> inflow_by_channel_fen{};
  std::array<Fen, kCategories> outflow_by_category_fen{};
  std::map<std::string, Fen> earmarks_fen;  // purpose -> unallocated restricted money
  Fen unrestricted_fen;                     // unallocated unrestricted money
  uint32_t source_count = 0;                // sources ever received (their FIFO order)
  uint32_t outflow_count = 0;               // outflows ever recorded (their order)
  // Goods received in kind, by name '\n' unit: never part of the balance, never spent as money.
  std::map<std::string, Goods> goods;
  bool operator==(const Fund&) const = default;
};

// One use of a source by an outflow: the donor's view of where the money went.
struct Use {
  OutflowId outflow_id;
  std::string purpose;
  Fen amount_fen;
  int64_t at_us = 0;
  bool operator==(const Use&) const = default;
};

// One kind of goods an in-kind donation gave, and how much of it was handed out since.
struct GoodsItem {
  std::string name;
  std::string unit;
  int64_t quantity = 0;
  Fen value_fen;
  int64_t distributed = 0;
  bool operator==(const GoodsItem&) const = default;
};

// Goods of a donation handed out by a GoodsDistributed: the donor's view of where they went.
struct GoodsUse {
  std::string distribution_id;
  std::string name;
  int64_t quantity = 0;
  MemberId elder_id;       // empty when not to an elder
  ActivityId activity_id;  // empty when not for an activity
  int64_t at_us = 0;
  bool operator==(const GoodsUse&) const = default;
};

// An inflow that outflows draw on: a donation, a grant, or the fund's share of a sale. An in-kind
// donation is a source without money: outflows never draw on it, GoodsDistributed hands out its
// items.
struct Source {
  FundId fund_id;
  PartnerId partner_id;  // donor, or buyer of a purchase; empty for anonymous charity sales
  std::string purpose;   // restricted_to; "" when unrestricted
  bool is_donation = true;
  uint32_t order = 0;  // FIFO rank within the fund
  Fen amount_fen;
  Fen remaining_fen;
  bool reversed = false;
  std::vector<Use> uses;    // live uses only: a reversed outflow's uses are removed
  int64_t at_us = 0;        // when it was received (occurred_at)
  Fen gross_fen;            // a sale's proceeds before the maker's share; a donation's amount
  std::string reference;    // the donation agreement, for auditors
  std::string description;  // the donation's description, or the product sold
  bool in_kind = false;     // an in-kind donation: `items`, no money
  bool is_grant = false;    // a GrantReceived (is_donation false)
  events::GrantProgram program = events::GrantProgram::management_fee;  // a grant's
  std::vector<GoodsItem> items;
  std::vector<GoodsUse> goods_uses;
  bool operator==(const Source&) const = default;
};

struct Allocation {
  SourceId source_id;
  PartnerId partner_id;
  Fen amount_fen;
  bool operator==(const Allocation&) const = default;
};

struct Outflow {
  FundId fund_id;
  uint32_t order = 0;  // rank among the fund's outflows
  std::string type;    // DisbursementMade, ExpenseRecorded, RedemptionMade
  int32_t category = 0;
  std::string purpose;
  Fen amount_fen;
  int64_t at_us = 0;
  std::vector<Allocation> sources;
  bool reversed = false;
  MemberId recipient;        // the elder aided, or the member paid a redemption
  std::string evidence_ref;  // receipt or voucher, for auditors
  std::string description;
  bool operator==(const Outflow&) const = default;
};

// A certificate of volunteer service (CertificateIssued), as recorded, and its revocation.
struct Certificate {
  MemberId member_id;
  std::string from_date;  // YYYY-MM-DD, Beijing dates of the services counted
  std::string to_date;
  int64_t verified_minutes = 0;
  int32_t services = 0;
  std::vector<events::ServiceKind> kinds;  // ascending
  uint64_t as_of = 0;                      // the figures count the log before this position
  std::string digest;                      // hex SHA-256 of the unsigned credential (JCS)
  int64_t issued_at_us = 0;
  bool revoked = false;
  std::string revocation_reason;
  bool operator==(const Certificate&) const = default;
};

// An attestation (AttestationIssued): whose statement it is, and whether AttestationRevoked
// withdrew it (POST /v1/attestations/verify then answers 422 revoked_attestation).
struct Attestation {
  MemberId member_id;
  bool revoked = false;
  bool operator==(const Attestation&) const = default;
};

// "ZYK-2026-000123": the `sequence`th certificate issued in Beijing year `year`.
std::string CertificateNumber(int64_t year, int64_t sequence);

struct Seal {
  uint64_t position = 0;
  std::string hash;  // 32 bytes
  std::array<int64_t, kStarLevels + 1> star_counts{};
  bool operator==(const Seal&) const = default;
};

// Head office's receipt of a month's filing (FilingAcknowledged), on the programme's report.
struct Filing {
  std::string receipt_ref;
  std::string acknowledged_by;
  int64_t at_us = 0;
  uint64_t position = 0;
  bool operator==(const Filing&) const = default;
};

// Monthly figures of one branch ("" = all branches), by the month of each event's occurred_at.
// Corrections recorded in a later month count in that later month.
struct Report {
  Minutes verified_minutes;
  int64_t services = 0;
  int64_t elders_served = 0;  // distinct elders with a verified service this month
  int64_t activities = 0;
  int64_t beneficiaries = 0;
  int64_t new_members = 0;
  Fen donations_fen;
  Fen sales_fen;
  Fen disbursed_fen;
  Fen redeemed_cash_fen;
  Minutes redeemed_training_minutes;
  int64_t requests_opened = 0;
  int64_t requests_resolved = 0;  // less re-openings (reversals) recorded this month
  // Whole minutes from request to resolution of each request resolved this month, ascending
  // (a re-opening this month removes its entry); their median is the month's figure.
  std::vector<int64_t> resolution_minutes;
  std::optional<Seal> seal;  // the programme's report (branch "") holds a programme-wide seal
  Fen grants_fen;
  Fen in_kind_received_fen;      // declared value of goods received in kind (not in donations_fen)
  std::optional<Filing> filing;  // the programme's report only
  bool operator==(const Report&) const = default;
};

// The median of `ascending` (whole minutes), the mean of the middle two rounded down for an even
// count; nullopt when empty.
std::optional<int64_t> MedianMinutes(const std::vector<int64_t>& ascending);

struct ReportKey {
  BranchId branch_id;  // empty = all branches
  MonthKey month = 0;
  auto operator<=>(const ReportKey&) const = default;
};

// A report's row key: branch id '\n' month (as its decimal MonthKey).
std::string ReportRowKey(const ReportKey& key);

// The result of Execute.
struct Execution {
  Outcome outcome = Outcome::kOk;
  // For RedemptionMade: the cash amount the ledger computed from the policy in force.
  std::optional<Fen> computed_amount_fen;
  // For CreditsTransferred when recording: the ledger marks the payload `gift` (its minutes are
  // gifts to the receiver), as it writes a redemption's amount.
  bool mark_gift = false;
};

// The persisted tables of a LedgerState: everything else (open sources per pool, active pairs,
// a fund's outflow list) is derived from these on load. Projections persist changed rows only.
enum class Table : uint8_t {
  kBranch,
  kMember,
  kPairing,
  kService,
  kActivity,
  kPartner,
  kFund,
  kSource,
  kOutflow,
  kReversible,
  kReport,
  kPolicy,
  kCashUsed,
  kTakenId,
  kServed,
  kCertificate,
  kRequest,
  kAttestation,
};
constexpr int kTables = static_cast<int>(Table::kAttestation) + 1;  // keep it the last table

class LedgerState {
 public:
  LedgerState() = default;
  LedgerState& operator=(const LedgerState&) = delete;
  LedgerState(LedgerState&&) = default;
  LedgerState& operator=(LedgerState&&) = default;
  // A copy, for a second owner of the same state (the write side beside the projector, both
  // loaded from the same rows: LedgerNode::Open), which may then be used on another thread. The
  // large tables (DenseMap) and the sets of keys (TextSet) share their entries with the original
  // until either changes them (copy on write), so a copy costs their indexes only. Explicit, so
  // that none happens by accident.
  LedgerState Clone() const { return LedgerState(*this); }

  // Checks `data` against every rule and applies it if all pass. `data` must have been verified
  // as an EventData FlatBuffer.
  Execution Execute(const EventMeta& meta, const events::EventData& data);

  // Journaling for all-or-nothing batches. REQUIRES: not already in a transaction for Begin.
  void Begin();
  void Rollback();
  void Commit();

  // Change tracking for persistence: every entity changed since the last TakeChanges().
  // Turning tracking on also marks the policy row, so that the first flush writes it just as a
  // full dump (ForEachRow) does.
  void TrackChanges(bool on) {
    tracking_ = on;
    if (on) changes_.emplace_back(Table::kPolicy, "");
  }
  std::vector<std::pair<Table, std::string>> TakeChanges();

  // Reads. Pointers stay valid until the next Execute/Rollback.
  const Branch* FindBranch(BranchRef id) const { return Find(branches_, id); }
  const Member* FindMember(MemberRef id) const { return Find(members_, id); }
  const Pairing* FindPairing(PairingRef id) const { return Find(pairings_, id); }
  const Service* FindService(ServiceRef id) const { return Find(services_, id); }
  const ServiceRequest* FindRequest(RequestRef id) const { return Find(requests_, id); }
  const Activity* FindActivity(ActivityRef id) const { return Find(activities_, id); }
  const Partner* FindPartner(PartnerRef id) const { return Find(partners_, id); }
  const Certificate* FindCertificate(std::string_view id) const { return Find(certificates_, id); }
  const Attestation* FindAttestation(std::string_view id) const { return Find(attestations_, id); }
  // The number the next certificate issued at `occurred_at_us` gets (per Beijing year).
  std::string NextCertificateId(int64_t occurred_at_us) const;
  // Whether an AccountClosed of `account_id` was recorded.
  bool IsAccountClosed(std::string_view account_id) const;
  // Whether a KeyRevoked of `key_id` was recorded.
  bool IsKeyRevoked(std::string_view key_id) const;
  const Fund* FindFund(FundRef id) const { return Find(funds_, id); }
  const Source* FindSource(SourceRef id) const { return Find(sources_, id); }
  const Outflow* FindOutflow(OutflowRef id) const { return Find(outflows_, id); }
  const Reversible* FindReversible(EventRef id) const { return Find(reversibles_, id); }
  const std::vector<OutflowId>* FundOutflows(FundRef fund_id) const {
    return Find(fund_outflows_, fund_id);
  }
  const Report* FindReport(const ReportKey& key) const;
  const Policy& policy() const { return policy_; }
  // StreamFor, resolving state-dependent streams; "" if the referenced thing is unknown.
  std::string StreamOf(const events::EventData& data) const;
  Fen CashUsed(MemberRef member_id, MonthKey month) const;
  // Star distribution of a branch's volunteers now (an empty id = all branches).
  std::array<int64_t, kStarLevels + 1> StarCounts(BranchRef branch_id) const;

  const IdTable<MemberTag, Member>& members() const { return members_; }
  const IdMap<FundTag, Fund>& funds() const { return funds_; }
  const IdTable<SourceTag, Source>& sources() const { return sources_; }
  const IdTable<OutflowTag, Outflow>& outflows() const { return outflows_; }
  const IdMap<PartnerTag, Partner>& partners() const { return partners_; }
  const IdTable<ServiceTag, Service>& services() const { return services_; }
  const IdTable<RequestTag, ServiceRequest>& requests() const { return requests_; }
  const std::map<ReportKey, Report>& reports() const { return reports_; }

  // Serialization of one tracked entity (for projections), and loading it back. The bytes are a
  // deterministic function of the entity; nullopt when it does not exist (delete the row).
  // LoadRow returns false on malformed bytes. After loading every row, FinishLoad() derives the
  // indexes that are not persisted.
  std::optional<std::string> EncodeRow(Table table, std::string_view key) const;
  bool LoadRow(Table table, std::string_view key, std::string_view bytes);
  void FinishLoad();
  // Visits every persisted row (table, key, bytes): a full dump, equal to what tracking every
  // change since the empty state and encoding it would give. The tables come one after another
  // in Table order, each table's rows together (the rebuild's dump and verify --data hand each
  // finished table to a second thread on this promise).
  void ForEachRow(
      const std::function<void(Table, std::string_view key, std::string_view bytes)>& visit) const;

  bool operator==(const LedgerState& other) const;

 private:
  LedgerState(const LedgerState&) = default;  // Clone()

  template <typename Map, typename Key>
  static const typename Map::mapped_type* Find(const Map& map, Key key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }

  // Records the current value (or absence) of map[key] so Rollback can restore it, and marks the
  // entity changed. Call before every change of that entry.
  template <typename Map, typename Key>
  void Touch(Map& map, Table table, const Key& key);
  void TouchPolicy();
  void TouchPartner(PartnerRef partner_id);  // an existing partner
  void TouchSet(TextSet& set, std::optional<Table> table, std::string_view key);
  bool IdTaken(std::string_view kind, std::string_view id) const;
  void TakeId(std::string_view kind, std::string_view id);

  Outcome CheckSeal(BranchRef branch_id, int64_t occurred_at_us) const;
  // Applies change(report, key) to the all-branches report and the branch's, for the month of
  // `occurred_at_us`.
  template <typename Change>
  void AddToReports(BranchRef branch_id, int64_t occurred_at_us, const Change& change);
  // True when adding `delta` to `field` of the month's reports (the branch's and all branches')
  // keeps them within Fen's range.
  bool ReportsFit(BranchRef branch_id, int64_t occurred_at_us, Fen Report::*field, Fen delta) const;
  void CountElderServed(Report& report, const ReportKey& key, MemberRef elder_id);
  void SetStar(Member& member);  // the star its verified minutes earn now

  // Allocates `amount` from the fund's sources FIFO: money restricted to `earmark` first (the
  // outflow's purpose, or its category for overhead: EarmarkFor), then unrestricted. Each use
  // records the outflow's `purpose`.
  void Allocate(FundRef fund_id, OutflowRef outflow_id, std::string_view earmark,
                std::string_view purpose, Fen amount_fen, int64_t at_us,
                std::vector<Allocation>* allocations);
  void AddSource(SourceRef source_id, Source source);
  // Removes a source from a FIFO pool, dropping the pool when it empties; OpenSource adds one.
  // Both journal just the entry.
  void CloseSource(const std::string& pool, uint32_t order);
  void OpenSource(const std::string& pool, uint32_t order, SourceRef id);
  // Allocates and records an outflow; `outflow` carries type, category, purpose, amount, time and
  // references, and gets its fund, order and allocations here.
  void RecordOutflow(OutflowRef outflow_id, FundRef fund_id, Outflow outflow);
  Outcome CheckOutflow(FundRef fund_id, std::string_view purpose, Fen amount_fen,
                       int64_t occurred_at_us) const;
  void UnwindOutflow(OutflowRef outflow_id);

  Execution OnBranchOpened(const EventMeta&, const events::BranchOpened&);
  Execution OnMemberRegistered(const EventMeta&, const events::MemberRegistered&);
  Execution OnMemberDeactivated(const EventMeta&, const events::MemberDeactivated&);
  Execution OnPairingFormed(const EventMeta&, const events::PairingFormed&);
  Execution OnPairingEnded(const EventMeta&, const events::PairingEnded&);
  Execution OnServiceLogged(const EventMeta&, const events::ServiceLogged&);
  Execution OnServiceVerified(const EventMeta&, const events::ServiceVerified&);
  Execution OnServiceRejected(const EventMeta&, const events::ServiceRejected&);
  Execution OnTrainingCompleted(const EventMeta&, const events::TrainingCompleted&);
  Execution OnActivityHeld(const EventMeta&, const events::ActivityHeld&);
  Execution OnCreditsTransferred(const EventMeta&, const events::CreditsTransferred&);
  Execution OnPartnerRegistered(const EventMeta&, const events::PartnerRegistered&);
  Execution OnFundOpened(const EventMeta&, const events::FundOpened&);
  Execution OnDonationReceived(const EventMeta&, const events::DonationReceived&);
  Execution OnRestrictionChanged(const EventMeta&, const events::RestrictionChanged&);
  Execution OnSaleRecorded(const EventMeta&, const events::SaleRecorded&);
  Execution OnDisbursementMade(const EventMeta&, const events::DisbursementMade&);
  Execution OnExpenseRecorded(const EventMeta&, const events::ExpenseRecorded&);
  Execution OnRedemptionMade(const EventMeta&, const events::RedemptionMade&);
  Execution OnPolicySet(const EventMeta&, const events::PolicySet&);
  Execution OnEventReversed(const EventMeta&, const events::EventReversed&);
  // ledger_file.cc: a volunteer's file.
  Execution OnAwardGranted(const EventMeta&, const events::AwardGranted&);
  Execution OnMemberUpdated(const EventMeta&, const events::MemberUpdated&);
  Execution OnRelationRegistered(const EventMeta&, const events::RelationRegistered&);
  Execution OnPersonalDataErased(const EventMeta&, const events::PersonalDataErased&);
  // The outcome for `confirmed_by` vouching for `service`.
  Outcome CheckConfirmation(const Service& service, std::string_view confirmed_by) const;

  // Reversals (ledger_reversals.cc): one check and one apply step per undo record, so that a
  // reversible type without them does not compile.
  struct UndoCheck {
    BranchId branch;                  // whose seal applies
    Outcome balance = Outcome::kOk;   // or the balance undoing it would break
    Fen Report::*reported = nullptr;  // the report figure the fact added money to, if any
    Fen reported_fen;
  };
  void RecordReversible(const EventMeta& meta, Undo undo);
  UndoCheck CheckUndo(const ServiceVerifiedUndo& undo) const;
  UndoCheck CheckUndo(const TrainingUndo& undo) const;
  UndoCheck CheckUndo(const TransferUndo& undo) const;
  UndoCheck CheckUndo(const DonationUndo& undo) const;
  UndoCheck CheckUndo(const SaleUndo& undo) const;
  UndoCheck CheckUndo(const DisbursementUndo& undo) const;
  UndoCheck CheckUndo(const ExpenseUndo& undo) const;
  UndoCheck CheckUndo(const RedemptionUndo& undo) const;
  UndoCheck CheckUndo(const ActivityUndo& undo) const;
  UndoCheck CheckUndoInflow(SourceRef source_id) const;
  BranchId OutflowBranch(OutflowRef outflow_id) const;
  void ApplyUndo(const ServiceVerifiedUndo& undo, int64_t at_us);
  void ApplyUndo(const TrainingUndo& undo, int64_t at_us);
  void ApplyUndo(const TransferUndo& undo, int64_t at_us);
  void ApplyUndo(const DonationUndo& undo, int64_t at_us);
  void ApplyUndo(const SaleUndo& undo, int64_t at_us);
  void ApplyUndo(const DisbursementUndo& undo, int64_t at_us);
  void ApplyUndo(const ExpenseUndo& undo, int64_t at_us);
  void ApplyUndo(const RedemptionUndo& undo, int64_t at_us);
  void ApplyUndo(const ActivityUndo& undo, int64_t at_us);
  BranchId UndoInflow(SourceRef source_id, Channel channel);
  // ledger_requests.cc
  Execution OnServiceRequested(const EventMeta&, const events::ServiceRequested&);
  Execution OnRequestAssigned(const EventMeta&, const events::RequestAssigned&);
  Execution OnRequestCancelled(const EventMeta&, const events::RequestCancelled&);
  // The outcome for a service naming `request_id`, logged by `volunteer_id` for `elder_id`.
  Outcome CheckServiceRequest(RequestRef request_id, MemberRef volunteer_id,
                              MemberRef elder_id) const;
  void AddServiceToRequest(RequestRef request_id, ServiceRef service_id);
  // Resolves the service's request, if it names an assigned one; returns the id resolved.
  RequestId ResolveRequest(const Service& service, int64_t at_us);
  void ReopenRequest(RequestRef request_id, int64_t at_us);
  Execution OnMonthlyReportSealed(const EventMeta&, const events::MonthlyReportSealed&);
  Execution OnAttestationIssued(const EventMeta&, const events::AttestationIssued&);
  // ledger_attestations.cc
  static bool ValidAttestationTerms(const events::AttestationIssued& e);
  void RecordAttestation(const events::AttestationIssued& e);
  Execution OnAttestationRevoked(const EventMeta&, const events::AttestationRevoked&);
  // ledger_certificates.cc
  Execution OnCertificateIssued(const EventMeta&, const events::CertificateIssued&);
  Execution OnCertificateRevoked(const EventMeta&, const events::CertificateRevoked&);
  void CountCertificates();  // certificates_per_year_ from certificates_ (on load)
  // ledger_rights.cc
  Execution OnAccountOpened(const EventMeta&, const events::AccountOpened&);
  Execution OnAccountClosed(const EventMeta&, const events::AccountClosed&);
  Execution OnKeyIssued(const EventMeta&, const events::KeyIssued&);
  Execution OnKeyRevoked(const EventMeta&, const events::KeyRevoked&);
  template <typename Right>
  Outcome CheckRight(const Right& e) const;
  // ledger_money.cc: goods in kind, grants, donor consent, filing receipts.
  Execution OnGoodsDistributed(const EventMeta&, const events::GoodsDistributed&);
  Execution OnGrantReceived(const EventMeta&, const events::GrantReceived&);
  Execution OnDonorConsentRecorded(const EventMeta&, const events::DonorConsentRecorded&);
  Execution OnFilingAcknowledged(const EventMeta&, const events::FilingAcknowledged&);
  // The outcome of an in-kind donation's items against its amount (nothing changes).
  static Outcome CheckDonationItems(const events::DonationReceived& e);
  void ReceiveGoods(FundRef fund_id, Source& source, const events::DonationReceived& e);
  void ReturnGoods(const Source& source);  // a reversed in-kind donation's goods leave stock

  IdMap<BranchTag, Branch> branches_;
  IdTable<MemberTag, Member> members_;
  IdTable<PairingTag, Pairing> pairings_;
  TextSet active_pairs_;  // volunteer_id '\n' elder_id of active pairings
  IdTable<ServiceTag, Service> services_;
  IdTable<ActivityTag, Activity> activities_;
  IdTable<RequestTag, ServiceRequest> requests_;
  IdMap<PartnerTag, Partner> partners_;
  IdMap<FundTag, Fund> funds_;
  IdTable<SourceTag, Source> sources_;
  IdTable<OutflowTag, Outflow> outflows_;
  IdMap<FundTag, std::vector<OutflowId>> fund_outflows_;  // fund -> outflow ids, in order
  // fund '\n' purpose -> FIFO rank -> source id, for sources with money left.
  StringMap<std::map<uint32_t, SourceId>> open_sources_;
  IdTable<EventTag, Reversible> reversibles_;
  StringMap<Fen> cash_used_;  // member '\n' month -> cash redeemed that month
  // kind ':' id of trainings, transfers, redemptions, attestations, awards, relations
  TextSet taken_ids_;
  TextSet served_;  // branch '\n' month '\n' elder: counted in that month's report
  std::map<ReportKey, Report> reports_;
  Policy policy_;
  StringMap<Certificate> certificates_;
  std::map<int64_t, int64_t> certificates_per_year_;  // derived: Beijing year -> issued
  StringMap<Attestation> attestations_;

  bool journaling_ = false;
  std::vector<std::function<void()>> undo_;
  bool tracking_ = false;
  std::vector<std::pair<Table, std::string>> changes_;
};

// The stream an event belongs to (API.md), or "" when it depends on state: ServiceVerified and
// ServiceRejected (the volunteer's), RestrictionChanged, GoodsDistributed and
// DonorConsentRecorded (the donation's fund's), EventReversed (the
// original's), CertificateRevoked and AttestationRevoked (the certificate's or attestation's
// member's). LedgerState::StreamOf resolves those.
std::string StreamFor(const events::EventData& data);

}  // namespace ledger
