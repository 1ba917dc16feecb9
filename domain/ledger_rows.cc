// Row encoding of LedgerState's persisted tables (see Table), and loading them back.
#include <charconv>
#include <utility>

#include "domain/byte_codec.h"
#include "domain/ledger_state.h"

namespace ledger {
namespace {

// The inflow channels a fund's row held before grants (whose figure is written after the rest).
constexpr int kChannelsBeforeGrants = static_cast<int>(Channel::kGrant);

// A row's key is the text of its entity's id: it becomes an id here, where rows enter the domain.
template <class Map>
const typename Map::mapped_type* Lookup(const Map& map, std::string_view key) {
  using Ref = IdRef<typename Map::key_type::tag_type>;
  auto it = map.find(Ref(key));
  return it == map.end() ? nullptr : &it->second;
}
template <class Value>
const Value* Lookup(const StringMap<Value>& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}
// Sets map[key] = value (a row's entity), constructing the key once.
template <class Map, class Value>
void PutEntity(Map& map, std::string_view key, Value&& value) {
  map.insert_or_assign(typename Map::key_type(key), std::forward<Value>(value));
}

std::string_view KeyText(const std::string& key) { return key; }
template <class Tag>
std::string_view KeyText(const Id<Tag>& key) {
  return key.view();
}

std::optional<ReportKey> ParseReportKey(std::string_view key) {
  const size_t split = key.find('\n');
  if (split == std::string_view::npos) return std::nullopt;
  ReportKey out;
  out.branch_id = BranchId(key.substr(0, split));
  const std::string_view month = key.substr(split + 1);
  auto [end, error] = std::from_chars(month.data(), month.data() + month.size(), out.month);
  if (error != std::errc() || end != month.data() + month.size()) return std::nullopt;
  return out;
}

// Ids are written as their text, exactly like strings.
template <class Tag>
void PutIds(ByteWriter& w, const std::vector<Id<Tag>>& ids) {
  w.U64(ids.size());
  for (const Id<Tag>& id : ids) w.Str(id.view());
}

template <class Tag>
std::vector<Id<Tag>> GetIds(ByteReader& r) {
  std::vector<Id<Tag>> ids(r.U64());
  for (Id<Tag>& id : ids) {
    if (!r.ok()) return {};
    id = Id<Tag>(r.Str());
  }
  return ids;
}

// Quantities are written as their bare int64, as before they had types.
void Put(ByteWriter& w, Fen fen) { w.I64(fen.value); }
void Put(ByteWriter& w, Minutes minutes) { w.I64(minutes.value); }
Fen GetFen(ByteReader& r) { return Fen{r.I64()}; }
Minutes GetMinutes(ByteReader& r) { return Minutes{r.I64()}; }

template <typename T>
T GetEnum(ByteReader& r) {
  return static_cast<T>(r.U64());
}

void Encode(ByteWriter& w, const Member& m) {
  w.U64(static_cast<uint64_t>(m.kind));
  w.Str(m.branch_id.view());
  w.Bool(m.active);
  w.I64(m.star);
  Put(w, m.verified_minutes);
  Put(w, m.pending_minutes);
  Put(w, m.credit_minutes);
  Put(w, m.redeemed_minutes);
  Put(w, m.training_minutes);
  Put(w, m.income_fen);
  // No personal field: those are sealed in the personal vault, never in a read-model row.
  w.Bool(m.erased_at_us.has_value());
  w.I64(m.erased_at_us.value_or(0));
  // The file (awards, relations) and gifted credits came later: a member without any keeps the
  // row it had before them.
  if (m.gifted_minutes == Minutes{} && m.awards.empty() && m.relations.empty()) return;
  Put(w, m.gifted_minutes);
  w.U64(m.awards.size());
  for (const Award& a : m.awards) {
    w.Str(a.award_id);
    w.Str(a.title);
    w.Str(a.grantor);
    w.Str(a.level);
    w.I64(a.granted_at_us);
  }
  w.U64(m.relations.size());
  for (const Relation& relation : m.relations) {
    w.Str(relation.relation_id);
    w.Str(relation.relative_id.view());
    w.U64(static_cast<uint64_t>(relation.relation));
    w.Bool(relation.reverse);
  }
}

Member DecodeMember(ByteReader& r) {
  Member m;
  m.kind = GetEnum<events::MemberKind>(r);
  m.branch_id = BranchId(r.Str());
  m.active = r.Bool();
  m.star = static_cast<int32_t>(r.I64());
  m.verified_minutes = GetMinutes(r);
  m.pending_minutes = GetMinutes(r);
  m.credit_minutes = GetMinutes(r);
  m.redeemed_minutes = GetMinutes(r);
  m.training_minutes = GetMinutes(r);
  m.income_fen = GetFen(r);
  const bool erased = r.Bool();
  const int64_t erased_at_us = r.I64();
  if (erased) m.erased_at_us = erased_at_us;
  if (!r.ok() || r.Done()) return m;
  m.gifted_minutes = GetMinutes(r);
  m.awards.resize(r.U64());
  for (Award& a : m.awards) {
    if (!r.ok()) return m;
    a.award_id = r.Str();
    a.title = r.Str();
    a.grantor = r.Str();
    a.level = r.Str();
    a.granted_at_us = r.I64();
  }
  m.relations.resize(r.U64());
  for (Relation& relation : m.relations) {
    if (!r.ok()) return m;
    relation.relation_id = r.Str();
    relation.relative_id = MemberId(r.Str());
    const uint64_t kind = r.U64();
    if (kind > static_cast<uint64_t>(events::RelationKind::MAX)) r.Reject();
    relation.relation = static_cast<events::RelationKind>(kind);
    relation.reverse = r.Bool();
  }
  return m;
}

void Encode(ByteWriter& w, const Fund& f) {
  w.Str(f.name);
  w.Str(f.branch_id.view());
  Put(w, f.balance_fen);
  Put(w, f.inflow_fen);
  Put(w, f.outflow_fen);
  for (int c = 0; c < kChannelsBeforeGrants; ++c) Put(w, f.inflow_by_channel_fen[c]);
  for (Fen v : f.outflow_by_category_fen) Put(w, v);
  w.U64(f.earmarks_fen.size());
  for (const auto& [purpose, fen] : f.earmarks_fen) {
    w.Str(purpose);
    Put(w, fen);
  }
  Put(w, f.unrestricted_fen);
  w.U64(f.source_count);
  w.U64(f.outflow_count);
  // Grants and goods came later: a fund without either keeps the row it had before them.
  const Fen grants = f.inflow_by_channel_fen[static_cast<int>(Channel::kGrant)];
  if (grants == Fen{} && f.goods.empty()) return;
  Put(w, grants);
  w.U64(f.goods.size());
  for (const auto& [key, g] : f.goods) {
    w.Str(g.name);
    w.Str(g.unit);
    w.I64(g.received);
    w.I64(g.distributed);
    Put(w, g.value_fen);
  }
}

Fund DecodeFund(ByteReader& r) {
  Fund f;
  f.name = r.Str();
  f.branch_id = BranchId(r.Str());
  f.balance_fen = GetFen(r);
  f.inflow_fen = GetFen(r);
  f.outflow_fen = GetFen(r);
  for (int c = 0; c < kChannelsBeforeGrants; ++c) f.inflow_by_channel_fen[c] = GetFen(r);
  for (Fen& v : f.outflow_by_category_fen) v = GetFen(r);
  for (uint64_t n = r.U64(); n > 0 && r.ok(); --n) {
    std::string purpose = r.Str();
    f.earmarks_fen[purpose] = GetFen(r);
  }
  f.unrestricted_fen = GetFen(r);
  f.source_count = static_cast<uint32_t>(r.U64());
  f.outflow_count = static_cast<uint32_t>(r.U64());
  if (r.ok() && !r.Done()) {
    f.inflow_by_channel_fen[static_cast<int>(Channel::kGrant)] = GetFen(r);
    for (uint64_t n = r.U64(); n > 0 && r.ok(); --n) {
      Goods g;
      g.name = r.Str();
      g.unit = r.Str();
      g.received = r.I64();
      g.distributed = r.I64();
      g.value_fen = GetFen(r);
      f.goods[g.name + "\n" + g.unit] = std::move(g);
    }
  }
  return f;
}

void Encode(ByteWriter& w, const Source& s) {
  w.Str(s.fund_id.view());
  w.Str(s.partner_id.view());
  w.Str(s.purpose);
  w.Bool(s.is_donation);
  w.U64(s.order);
  Put(w, s.amount_fen);
  Put(w, s.remaining_fen);
  w.Bool(s.reversed);
  w.U64(s.uses.size());
  for (const Use& u : s.uses) {
    w.Str(u.outflow_id.view());
    w.Str(u.purpose);
    Put(w, u.amount_fen);
    w.I64(u.at_us);
  }
  w.I64(s.at_us);
  Put(w, s.gross_fen);
  w.Str(s.reference);
  w.Str(s.description);
  // Goods and grants came later: a source of neither keeps the row it had before them.
  if (!s.in_kind && !s.is_grant) return;
  w.Bool(s.in_kind);
  w.Bool(s.is_grant);
  w.U64(static_cast<uint64_t>(s.program));
  w.U64(s.items.size());
  for (const GoodsItem& g : s.items) {
    w.Str(g.name);
    w.Str(g.unit);
    w.I64(g.quantity);
    Put(w, g.value_fen);
    w.I64(g.distributed);
  }
  w.U64(s.goods_uses.size());
  for (const GoodsUse& u : s.goods_uses) {
    w.Str(u.distribution_id);
    w.Str(u.name);
    w.I64(u.quantity);
    w.Str(u.elder_id.view());
    w.Str(u.activity_id.view());
    w.I64(u.at_us);
  }
}

Source DecodeSource(ByteReader& r) {
  Source s;
  s.fund_id = FundId(r.Str());
  s.partner_id = PartnerId(r.Str());
  s.purpose = r.Str();
  s.is_donation = r.Bool();
  s.order = static_cast<uint32_t>(r.U64());
  s.amount_fen = GetFen(r);
  s.remaining_fen = GetFen(r);
  s.reversed = r.Bool();
  for (uint64_t n = r.U64(); n > 0 && r.ok(); --n) {
    Use u;
    u.outflow_id = OutflowId(r.Str());
    u.purpose = r.Str();
    u.amount_fen = GetFen(r);
    u.at_us = r.I64();
    s.uses.push_back(std::move(u));
  }
  s.at_us = r.I64();
  s.gross_fen = GetFen(r);
  s.reference = r.Str();
  s.description = r.Str();
  if (r.ok() && !r.Done()) {
    s.in_kind = r.Bool();
    s.is_grant = r.Bool();
    s.program = GetEnum<events::GrantProgram>(r);
    for (uint64_t n = r.U64(); n > 0 && r.ok(); --n) {
      GoodsItem g;
      g.name = r.Str();
      g.unit = r.Str();
      g.quantity = r.I64();
      g.value_fen = GetFen(r);
      g.distributed = r.I64();
      s.items.push_back(std::move(g));
    }
    for (uint64_t n = r.U64(); n > 0 && r.ok(); --n) {
      GoodsUse u;
      u.distribution_id = r.Str();
      u.name = r.Str();
      u.quantity = r.I64();
      u.elder_id = MemberId(r.Str());
      u.activity_id = ActivityId(r.Str());
      u.at_us = r.I64();
      s.goods_uses.push_back(std::move(u));
    }
  }
  return s;
}

void Encode(ByteWriter& w, const Outflow& o) {
  w.Str(o.fund_id.view());
  w.U64(o.order);
  w.Str(o.type);
  w.I64(o.category);
  w.Str(o.purpose);
  Put(w, o.amount_fen);
  w.I64(o.at_us);
  w.U64(o.sources.size());
  for (const Allocation& a : o.sources) {
    w.Str(a.source_id.view());
    w.Str(a.partner_id.view());
    Put(w, a.amount_fen);
  }
  w.Bool(o.reversed);
  w.Str(o.recipient.view());
  w.Str(o.evidence_ref);
  w.Str(o.description);
}

Outflow DecodeOutflow(ByteReader& r) {
  Outflow o;
  o.fund_id = FundId(r.Str());
  o.order = static_cast<uint32_t>(r.U64());
  o.type = r.Str();
  o.category = static_cast<int32_t>(r.I64());
  o.purpose = r.Str();
  o.amount_fen = GetFen(r);
  o.at_us = r.I64();
  for (uint64_t n = r.U64(); n > 0 && r.ok(); --n) {
    Allocation a;
    a.source_id = SourceId(r.Str());
    a.partner_id = PartnerId(r.Str());
    a.amount_fen = GetFen(r);
    o.sources.push_back(std::move(a));
  }
  o.reversed = r.Bool();
  o.recipient = MemberId(r.Str());
  o.evidence_ref = r.Str();
  o.description = r.Str();
  return o;
}

// A reversible's row keeps the layout it had before Undo was a variant, so that rows written
// before read back the same: type, stream, subject, other, buyer, minutes, amount, proceeds,
// reversed. Which fields each undo record fills is fixed per type below, in both directions.
struct ReversibleRow {
  events::Data type = events::Data::NONE;
  std::string subject;  // the service, member (training), giver, source or outflow id
  // The receiver of a transfer, a sale's maker, a redeeming member, the request a verification
  // resolved.
  std::string other;
  // A sale's buyer; "cash" or "training" for a redemption; "gift" for a transfer of gifts
  // ("" before gifts were tracked).
  std::string buyer;
  int64_t minutes = 0;       // minutes; a sale's inflow channel; an activity's beneficiaries
  int64_t amount_fen = 0;    // money; a transfer's minutes the giver had received as gifts
  int64_t proceeds_fen = 0;  // a sale's proceeds; a redemption's gifted minutes
};

ReversibleRow RowOf(const Undo& undo) {
  return std::visit(
      Overloaded{
          [](const ServiceVerifiedUndo& u) {
            return ReversibleRow{u.kType, u.service_id.str(), u.resolved_request_id.str(),
                                 "",      u.minutes.value,    0,
                                 0};
          },
          [](const TrainingUndo& u) {
            return ReversibleRow{u.kType, u.member_id.str(), "", "", u.minutes.value, 0, 0};
          },
          [](const TransferUndo& u) {
            return ReversibleRow{u.kType,
                                 u.from_member_id.str(),
                                 u.to_member_id.str(),
                                 u.gift ? "gift" : "",
                                 u.minutes.value,
                                 u.giver_gifted_minutes.value,
                                 0};
          },
          [](const DonationUndo& u) {
            return ReversibleRow{u.kType, u.donation_id.str(), "", "", 0, u.amount_fen.value, 0};
          },
          [](const SaleUndo& u) {
            return ReversibleRow{u.kType,
                                 u.sale_id.str(),
                                 u.maker_id.str(),
                                 u.buyer_partner_id.str(),
                                 static_cast<int64_t>(u.channel),
                                 u.maker_share_fen.value,
                                 u.proceeds_fen.value};
          },
          [](const DisbursementUndo& u) {
            return ReversibleRow{u.kType, u.disbursement_id.str(), "", "",
                                 0,       u.amount_fen.value,      0};
          },
          [](const ExpenseUndo& u) {
            return ReversibleRow{u.kType, u.expense_id.str(), "", "", 0, u.amount_fen.value, 0};
          },
          [](const RedemptionUndo& u) {
            const bool cash = u.reward == events::RewardKind::cash;
            return ReversibleRow{u.kType,
                                 u.redemption_id.str(),
                                 u.member_id.str(),
                                 cash ? "cash" : "training",
                                 u.minutes.value,
                                 u.amount_fen.value,
                                 u.gifted_minutes.value};
          },
          [](const ActivityUndo& u) {
            return ReversibleRow{u.kType, u.activity_id.str(), "", "", u.beneficiaries, 0, 0};
          },
      },
      undo);
}

// nullopt for a type that is not reversible or a field out of its range.
std::optional<Undo> UndoOf(const ReversibleRow& row) {
  using events::Data;
  switch (row.type) {
    case Data::ServiceVerified:
      return ServiceVerifiedUndo{ServiceId(row.subject), Minutes{row.minutes},
                                 RequestId(row.other)};
    case Data::TrainingCompleted:
      return TrainingUndo{MemberId(row.subject), Minutes{row.minutes}};
    case Data::CreditsTransferred:
      if (!row.buyer.empty() && row.buyer != "gift") return std::nullopt;
      return TransferUndo{MemberId(row.subject), MemberId(row.other), Minutes{row.minutes},
                          Minutes{row.amount_fen}, row.buyer == "gift"};
    case Data::DonationReceived:
      return DonationUndo{SourceId(row.subject), Fen{row.amount_fen}};
    case Data::SaleRecorded:
      if (row.minutes < 0 || row.minutes >= kChannels) return std::nullopt;
      return SaleUndo{SourceId(row.subject), static_cast<Channel>(row.minutes),
                      PartnerId(row.buyer),  MemberId(row.other),
                      Fen{row.amount_fen},   Fen{row.proceeds_fen}};
    case Data::DisbursementMade:
      return DisbursementUndo{OutflowId(row.subject), Fen{row.amount_fen}};
    case Data::ExpenseRecorded:
      return ExpenseUndo{OutflowId(row.subject), Fen{row.amount_fen}};
    case Data::RedemptionMade:
      if (row.buyer != "cash" && row.buyer != "training") return std::nullopt;
      return RedemptionUndo{
          OutflowId(row.subject),
          MemberId(row.other),
          row.buyer == "cash" ? events::RewardKind::cash : events::RewardKind::training,
          Minutes{row.minutes},
          Fen{row.amount_fen},
          Minutes{row.proceeds_fen}};
    case Data::ActivityHeld:
      return ActivityUndo{ActivityId(row.subject), row.minutes};
    default:
      return std::nullopt;
  }
}

void Encode(ByteWriter& w, const Reversible& v) {
  const ReversibleRow row = RowOf(v.undo);
  w.U64(static_cast<uint64_t>(row.type));
  w.Str(v.stream.view());
  w.Str(row.subject);
  w.Str(row.other);
  w.Str(row.buyer);
  w.I64(row.minutes);
  w.I64(row.amount_fen);
  w.I64(row.proceeds_fen);
  w.Bool(v.reversed);
}

Reversible DecodeReversible(ByteReader& r) {
  ReversibleRow row;
  row.type = GetEnum<events::Data>(r);
  Reversible v;
  v.stream = IdText(r.Str());
  row.subject = r.Str();
  row.other = r.Str();
  row.buyer = r.Str();
  row.minutes = r.I64();
  row.amount_fen = r.I64();
  row.proceeds_fen = r.I64();
  v.reversed = r.Bool();
  std::optional<Undo> undo = UndoOf(row);
  if (!undo) {
    r.Reject();
  } else {
    v.undo = std::move(*undo);
  }
  return v;
}

void Encode(ByteWriter& w, const Report& p) {
  Put(w, p.verified_minutes);
  w.I64(p.services);
  w.I64(p.elders_served);
  w.I64(p.activities);
  w.I64(p.beneficiaries);
  w.I64(p.new_members);
  Put(w, p.donations_fen);
  Put(w, p.sales_fen);
  Put(w, p.disbursed_fen);
  Put(w, p.redeemed_cash_fen);
  Put(w, p.redeemed_training_minutes);
  w.Bool(p.seal.has_value());
  if (p.seal) {
    w.U64(p.seal->position);
    w.Str(p.seal->hash);
    for (int64_t c : p.seal->star_counts) w.I64(c);
  }
  // Service requests came later: a month without any keeps the row it had before them.
  // Grants, goods and filings came later still, after them.
  const bool money = p.grants_fen != Fen{} || p.in_kind_received_fen != Fen{} || p.filing;
  if (money || p.requests_opened != 0 || p.requests_resolved != 0 ||
      !p.resolution_minutes.empty()) {
    w.I64(p.requests_opened);
    w.I64(p.requests_resolved);
    w.U64(p.resolution_minutes.size());
    for (int64_t m : p.resolution_minutes) w.I64(m);
  }
  if (!money) return;
  Put(w, p.grants_fen);
  Put(w, p.in_kind_received_fen);
  w.Bool(p.filing.has_value());
  if (p.filing) {
    w.Str(p.filing->receipt_ref);
    w.Str(p.filing->acknowledged_by);
    w.I64(p.filing->at_us);
    w.U64(p.filing->position);
  }
}

Report DecodeReport(ByteReader& r) {
  Report p;
  p.verified_minutes = GetMinutes(r);
  p.services = r.I64();
  p.elders_served = r.I64();
  p.activities = r.I64();
  p.beneficiaries = r.I64();
  p.new_members = r.I64();
  p.donations_fen = GetFen(r);
  p.sales_fen = GetFen(r);
  p.disbursed_fen = GetFen(r);
  p.redeemed_cash_fen = GetFen(r);
  p.redeemed_training_minutes = GetMinutes(r);
  if (r.Bool()) {
    Seal seal;
    seal.position = r.U64();
    seal.hash = r.Str();
    for (int64_t& c : seal.star_counts) c = r.I64();
    p.seal = std::move(seal);
  }
  if (r.ok() && !r.Done()) {
    p.requests_opened = r.I64();
    p.requests_resolved = r.I64();
    for (uint64_t n = r.U64(); n > 0 && r.ok(); --n) p.resolution_minutes.push_back(r.I64());
  }
  if (r.ok() && !r.Done()) {
    p.grants_fen = GetFen(r);
    p.in_kind_received_fen = GetFen(r);
    if (r.Bool()) {
      Filing filing;
      filing.receipt_ref = r.Str();
      filing.acknowledged_by = r.Str();
      filing.at_us = r.I64();
      filing.position = r.U64();
      p.filing = std::move(filing);
    }
  }
  return p;
}

void Encode(ByteWriter& w, const Certificate& c) {
  w.Str(c.member_id.view());
  w.Str(c.from_date);
  w.Str(c.to_date);
  w.I64(c.verified_minutes);
  w.I64(c.services);
  w.U64(c.kinds.size());
  for (events::ServiceKind kind : c.kinds) w.U64(static_cast<uint64_t>(kind));
  w.U64(c.as_of);
  w.Str(c.digest);
  w.I64(c.issued_at_us);
  w.Bool(c.revoked);
  w.Str(c.revocation_reason);
}

Certificate DecodeCertificate(ByteReader& r) {
  Certificate c;
  c.member_id = MemberId(r.Str());
  c.from_date = r.Str();
  c.to_date = r.Str();
  c.verified_minutes = r.I64();
  c.services = static_cast<int32_t>(r.I64());
  const uint64_t kinds = r.U64();
  for (uint64_t i = 0; i < kinds && r.ok(); ++i) {
    c.kinds.push_back(GetEnum<events::ServiceKind>(r));
  }
  c.as_of = r.U64();
  c.digest = r.Str();
  c.issued_at_us = r.I64();
  c.revoked = r.Bool();
  c.revocation_reason = r.Str();
  return c;
}

void Encode(ByteWriter& w, const ServiceRequest& q) {
  w.Str(q.elder_id.view());
  w.Str(q.branch_id.view());
  w.U64(static_cast<uint64_t>(q.need));
  w.Str(q.description);
  w.Bool(q.wanted_by_us.has_value());
  w.I64(q.wanted_by_us.value_or(0));
  w.U64(q.requested_by ? static_cast<uint64_t>(*q.requested_by) + 1 : 0);
  w.Bool(q.urgent);
  w.U64(static_cast<uint64_t>(q.status));
  w.Str(q.volunteer_id.view());
  PutIds(w, q.service_ids);
  w.I64(q.requested_at_us);
  w.I64(q.resolved_at_us);
}

ServiceRequest DecodeRequest(ByteReader& r) {
  ServiceRequest q;
  q.elder_id = MemberId(r.Str());
  q.branch_id = BranchId(r.Str());
  q.need = GetEnum<events::RequestNeed>(r);
  q.description = r.Str();
  const bool has_wanted_by = r.Bool();
  const int64_t wanted_by = r.I64();
  if (has_wanted_by) q.wanted_by_us = wanted_by;
  const uint64_t requested_by = r.U64();
  if (requested_by != 0) q.requested_by = static_cast<events::Requester>(requested_by - 1);
  q.urgent = r.Bool();
  q.status = GetEnum<RequestStatus>(r);
  q.volunteer_id = MemberId(r.Str());
  q.service_ids = GetIds<ServiceTag>(r);
  q.requested_at_us = r.I64();
  q.resolved_at_us = r.I64();
  return q;
}

void Encode(ByteWriter& w, const Policy& p) {
  for (int32_t v : p.star_thresholds_hours) w.I64(v);
  w.I64(p.credit_value_fen_per_hour);
  for (int32_t v : p.star_bonus_bp) w.I64(v);
  w.I64(p.cash_redemption_monthly_cap_fen);
}

Policy DecodePolicy(ByteReader& r) {
  Policy p;
  for (int32_t& v : p.star_thresholds_hours) v = static_cast<int32_t>(r.I64());
  p.credit_value_fen_per_hour = r.I64();
  for (int32_t& v : p.star_bonus_bp) v = static_cast<int32_t>(r.I64());
  p.cash_redemption_monthly_cap_fen = r.I64();
  return p;
}

}  // namespace

std::optional<std::string> LedgerState::EncodeRow(Table table, std::string_view key) const {
  ByteWriter w;
  switch (table) {
    case Table::kBranch: {
      const Branch* b = Lookup(branches_, key);
      if (b == nullptr) return std::nullopt;
      w.Str(b->name);
      break;
    }
    case Table::kMember: {
      const Member* m = Lookup(members_, key);
      if (m == nullptr) return std::nullopt;
      Encode(w, *m);
      break;
    }
    case Table::kPairing: {
      const Pairing* p = Lookup(pairings_, key);
      if (p == nullptr) return std::nullopt;
      w.Str(p->volunteer_id.view());
      w.Str(p->elder_id.view());
      w.Bool(p->active);
      break;
    }
    case Table::kService: {
      const Service* s = Lookup(services_, key);
      if (s == nullptr) return std::nullopt;
      w.Str(s->volunteer_id.view());
      w.Str(s->elder_id.view());
      w.I64(s->minutes);
      w.U64(static_cast<uint64_t>(s->status));
      // Service requests came later: a service naming none keeps the row it had before them.
      if (!s->request_id.empty()) w.Str(s->request_id.view());
      break;
    }
    case Table::kActivity: {
      const Activity* a = Lookup(activities_, key);
      if (a == nullptr) return std::nullopt;
      w.Str(a->branch_id.view());
      // Reversals of activities came later: a standing activity keeps the row it had before.
      if (a->reversed) w.Bool(true);
      break;
    }
    case Table::kPartner: {
      const Partner* p = Lookup(partners_, key);
      if (p == nullptr) return std::nullopt;
      w.Str(p->name);
      w.U64(static_cast<uint64_t>(p->kind));
      Put(w, p->donated_fen);
      Put(w, p->purchased_fen);
      Put(w, p->used_fen);
      PutIds(w, p->donations);
      // Goods and grants came later: a partner of neither keeps the row it had before them.
      if (p->in_kind_fen != Fen{} || p->granted_fen != Fen{} || !p->grants.empty()) {
        Put(w, p->in_kind_fen);
        Put(w, p->granted_fen);
        PutIds(w, p->grants);
      }
      break;
    }
    case Table::kFund: {
      const Fund* f = Lookup(funds_, key);
      if (f == nullptr) return std::nullopt;
      Encode(w, *f);
      break;
    }
    case Table::kSource: {
      const Source* s = Lookup(sources_, key);
      if (s == nullptr) return std::nullopt;
      Encode(w, *s);
      break;
    }
    case Table::kOutflow: {
      const Outflow* o = Lookup(outflows_, key);
      if (o == nullptr) return std::nullopt;
      Encode(w, *o);
      break;
    }
    case Table::kReversible: {
      const Reversible* v = Lookup(reversibles_, key);
      if (v == nullptr) return std::nullopt;
      Encode(w, *v);
      break;
    }
    case Table::kReport: {
      std::optional<ReportKey> report_key = ParseReportKey(key);
      if (!report_key) return std::nullopt;
      const Report* p = FindReport(*report_key);
      if (p == nullptr) return std::nullopt;
      Encode(w, *p);
      break;
    }
    case Table::kPolicy:
      Encode(w, policy_);
      break;
    case Table::kCashUsed: {
      const Fen* used = Lookup(cash_used_, key);
      if (used == nullptr) return std::nullopt;
      Put(w, *used);
      break;
    }
    case Table::kTakenId:
      if (!taken_ids_.contains(key)) return std::nullopt;
      break;
    case Table::kServed:
      if (!served_.contains(key)) return std::nullopt;
      break;
    case Table::kCertificate: {
      const Certificate* c = Lookup(certificates_, key);
      if (c == nullptr) return std::nullopt;
      Encode(w, *c);
      break;
    }
    case Table::kRequest: {
      const ServiceRequest* q = Lookup(requests_, key);
      if (q == nullptr) return std::nullopt;
      Encode(w, *q);
      break;
    }
    case Table::kAttestation: {
      const Attestation* a = Lookup(attestations_, key);
      if (a == nullptr) return std::nullopt;
      w.Str(a->member_id.view());
      w.Bool(a->revoked);
      break;
    }
  }
  return w.Take();
}

bool LedgerState::LoadRow(Table table, std::string_view key, std::string_view bytes) {
  ByteReader r(bytes);
  switch (table) {
    case Table::kBranch:
      PutEntity(branches_, key, Branch{r.Str()});
      break;
    case Table::kMember:
      PutEntity(members_, key, DecodeMember(r));
      break;
    case Table::kPairing: {
      Pairing p;
      p.volunteer_id = MemberId(r.Str());
      p.elder_id = MemberId(r.Str());
      p.active = r.Bool();
      PutEntity(pairings_, key, std::move(p));
      break;
    }
    case Table::kService: {
      Service s;
      s.volunteer_id = MemberId(r.Str());
      s.elder_id = MemberId(r.Str());
      s.minutes = static_cast<int32_t>(r.I64());
      s.status = GetEnum<ServiceStatus>(r);
      if (r.ok() && !r.Done()) s.request_id = RequestId(r.Str());
      PutEntity(services_, key, std::move(s));
      break;
    }
    case Table::kActivity: {
      Activity a{BranchId(r.Str())};
      if (r.ok() && !r.Done()) a.reversed = r.Bool();
      PutEntity(activities_, key, std::move(a));
      break;
    }
    case Table::kPartner: {
      Partner p;
      p.name = r.Str();
      p.kind = GetEnum<events::PartnerKind>(r);
      p.donated_fen = GetFen(r);
      p.purchased_fen = GetFen(r);
      p.used_fen = GetFen(r);
      p.donations = GetIds<SourceTag>(r);
      if (r.ok() && !r.Done()) {
        p.in_kind_fen = GetFen(r);
        p.granted_fen = GetFen(r);
        p.grants = GetIds<SourceTag>(r);
      }
      PutEntity(partners_, key, std::move(p));
      break;
    }
    case Table::kFund:
      PutEntity(funds_, key, DecodeFund(r));
      break;
    case Table::kSource:
      PutEntity(sources_, key, DecodeSource(r));
      break;
    case Table::kOutflow:
      PutEntity(outflows_, key, DecodeOutflow(r));
      break;
    case Table::kReversible:
      PutEntity(reversibles_, key, DecodeReversible(r));
      break;
    case Table::kReport: {
      std::optional<ReportKey> report_key = ParseReportKey(key);
      if (!report_key) return false;
      reports_[*report_key] = DecodeReport(r);
      break;
    }
    case Table::kPolicy:
      policy_ = DecodePolicy(r);
      break;
    case Table::kCashUsed:
      cash_used_[std::string(key)] = GetFen(r);
      break;
    case Table::kTakenId:
      taken_ids_.insert(key);
      break;
    case Table::kServed:
      served_.insert(key);
      break;
    case Table::kCertificate:
      certificates_[std::string(key)] = DecodeCertificate(r);
      break;
    case Table::kRequest:
      PutEntity(requests_, key, DecodeRequest(r));
      break;
    case Table::kAttestation: {
      Attestation a;
      a.member_id = MemberId(r.Str());
      a.revoked = r.Bool();
      attestations_[std::string(key)] = std::move(a);
      break;
    }
  }
  return r.Done();
}

void LedgerState::ForEachRow(
    const std::function<void(Table, std::string_view, std::string_view)>& visit) const {
  auto dump = [&](Table table, const auto& map) {
    for (const auto& entry : map) {
      if (std::optional<std::string> row = EncodeRow(table, KeyText(entry.first)))
        visit(table, KeyText(entry.first), *row);
    }
  };
  auto dump_set = [&](Table table, const TextSet& set) {
    set.ForEach([&](std::string_view key) { visit(table, key, ""); });
  };
  dump(Table::kBranch, branches_);
  dump(Table::kMember, members_);
  dump(Table::kPairing, pairings_);
  dump(Table::kService, services_);
  dump(Table::kActivity, activities_);
  dump(Table::kPartner, partners_);
  dump(Table::kFund, funds_);
  dump(Table::kSource, sources_);
  dump(Table::kOutflow, outflows_);
  dump(Table::kReversible, reversibles_);
  for (const auto& [key, report] : reports_) {
    const std::string row_key = ReportRowKey(key);
    visit(Table::kReport, row_key, *EncodeRow(Table::kReport, row_key));
  }
  visit(Table::kPolicy, "", *EncodeRow(Table::kPolicy, ""));
  dump(Table::kCashUsed, cash_used_);
  dump_set(Table::kTakenId, taken_ids_);
  dump_set(Table::kServed, served_);
  dump(Table::kCertificate, certificates_);
  dump(Table::kRequest, requests_);
  dump(Table::kAttestation, attestations_);
}

void LedgerState::FinishLoad() {
  active_pairs_.clear();
  // Read through const: a state just copied keeps sharing its tables' chunks with the copy.
  for (const auto& [id, pairing] : std::as_const(pairings_)) {
    if (pairing.active) {
      active_pairs_.insert(pairing.volunteer_id.str() + "\n" + pairing.elder_id.str());
    }
  }
  open_sources_.clear();
  for (const auto& [id, source] : std::as_const(sources_)) {
    if (source.remaining_fen > Fen{}) {
      open_sources_[source.fund_id.str() + "\n" + source.purpose].emplace(source.order, id);
    }
  }
  CountCertificates();
  fund_outflows_.clear();
  std::map<std::pair<FundId, uint32_t>, OutflowId> ordered;
  for (const auto& [id, outflow] : std::as_const(outflows_))
    ordered.emplace(std::pair(outflow.fund_id, outflow.order), id);
  for (auto& [fund_and_order, id] : ordered) fund_outflows_[fund_and_order.first].push_back(id);
}

}  // namespace ledger
