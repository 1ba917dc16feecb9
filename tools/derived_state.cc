#include "tools/derived_state.h"

#include <boost/json.hpp>

#include "api/encoding.h"
#include "api/jcs.h"
#include "api/views.h"

namespace ledger::tools {
namespace {

namespace json = boost::json;

std::string_view ServiceStatusName(ServiceStatus status) {
  switch (status) {
    case ServiceStatus::kPending:
      return "pending";
    case ServiceStatus::kVerified:
      return "verified";
    case ServiceStatus::kRejected:
      return "rejected";
    case ServiceStatus::kReversed:
      return "reversed";
  }
  return "pending";
}

json::value NullIfZero(int64_t value) { return value == 0 ? json::value() : json::value(value); }

json::object PolicyJson(const Policy& policy) {
  json::array thresholds;
  for (int32_t hours : policy.star_thresholds_hours) thresholds.push_back(hours);
  json::array bonus;
  for (int32_t bp : policy.star_bonus_bp) bonus.push_back(bp);
  return {{"star_thresholds_hours", std::move(thresholds)},
          {"credit_value_fen_per_hour", policy.credit_value_fen_per_hour},
          {"star_bonus_bp", std::move(bonus)},
          {"cash_redemption_monthly_cap_fen", policy.cash_redemption_monthly_cap_fen}};
}

json::array AwardsJson(const Member& m) {
  json::array out;
  for (const Award& a : m.awards) {
    out.push_back(json::object{{"award_id", a.award_id},
                               {"title", a.title},
                               {"grantor", a.grantor},
                               {"level", a.level},
                               {"granted_at_us", a.granted_at_us}});
  }
  return out;
}

json::array RelationsJson(const Member& m) {
  json::array out;
  for (const Relation& r : m.relations) {
    out.push_back(json::object{{"relation_id", r.relation_id},
                               {"relative_id", r.relative_id.str()},
                               {"relation", events::EnumNameRelationKind(r.relation)},
                               {"reverse", r.reverse}});
  }
  return out;
}

json::object MembersJson(const LedgerState& state) {
  json::object out;
  const Policy& policy = state.policy();
  for (const auto& [id, m] : state.members()) {
    // The star's place on the scale in force, as the member read says it.
    const std::optional<Minutes> next_star = policy.NextStarAt(m.star);
    out[id.str()] = {
        {"kind", events::EnumNameMemberKind(m.kind)},
        {"branch_id", m.branch_id.str()},
        {"active", m.active},
        {"star", m.star},
        {"verified_minutes", m.verified_minutes.value},
        {"pending_minutes", m.pending_minutes.value},
        {"credit_minutes", m.credit_minutes.value},
        {"redeemed_minutes", m.redeemed_minutes.value},
        {"training_minutes", m.training_minutes.value},
        {"income_fen", m.income_fen.value},
        {"gifted_minutes", m.gifted_minutes.value},
        {"awards", AwardsJson(m)},
        {"relations", RelationsJson(m)},
        {"star_from_minutes", policy.StarFloor(m.star).value},
        {"next_star_minutes", next_star ? json::value(next_star->value) : json::value()}};
  }
  return out;
}

json::object ServicesJson(const LedgerState& state) {
  json::object out;
  for (const auto& [id, s] : state.services()) {
    out[id.str()] = {{"volunteer_id", s.volunteer_id.str()},
                     {"elder_id", s.elder_id.str()},
                     {"minutes", s.minutes},
                     {"status", ServiceStatusName(s.status)},
                     {"request_id", s.request_id.str()}};
  }
  return out;
}

json::object RequestsJson(const LedgerState& state) {
  json::object out;
  for (const auto& [id, r] : state.requests()) {
    json::array services;
    for (const ServiceId& service : r.service_ids) services.push_back(json::string(service.str()));
    out[id.str()] = {{"elder_id", r.elder_id.str()},
                     {"branch_id", r.branch_id.str()},
                     {"need", events::EnumNameRequestNeed(r.need)},
                     {"status", RequestStatusName(r.status)},
                     {"volunteer_id", r.volunteer_id.str()},
                     {"service_ids", std::move(services)},
                     {"requested_at_us", r.requested_at_us},
                     {"resolved_at_us", NullIfZero(r.resolved_at_us)}};
  }
  return out;
}

json::object PartnersJson(const LedgerState& state) {
  json::object out;
  for (const auto& [id, p] : state.partners()) {
    json::array donations;
    for (const SourceId& donation : p.donations) donations.push_back(json::string(donation.str()));
    json::array grants;
    for (const SourceId& grant : p.grants) grants.push_back(json::string(grant.str()));
    out[id.str()] = {
        {"kind", events::EnumNamePartnerKind(p.kind)}, {"donated_fen", p.donated_fen.value},
        {"purchased_fen", p.purchased_fen.value},      {"used_fen", p.used_fen.value},
        {"donations", std::move(donations)},           {"in_kind_fen", p.in_kind_fen.value},
        {"granted_fen", p.granted_fen.value},          {"grants", std::move(grants)}};
  }
  return out;
}

json::object FundsJson(const LedgerState& state) {
  json::object out;
  for (const auto& [id, f] : state.funds()) {
    json::object channels;
    for (int c = 0; c < kChannels; ++c) channels[ChannelName(c)] = f.inflow_by_channel_fen[c].value;
    json::object categories;
    for (int c = 0; c < kCategories; ++c) {
      categories[CategoryName(c)] = f.outflow_by_category_fen[c].value;
    }
    json::object earmarks;  // purposes with money left
    for (const auto& [purpose, fen] : f.earmarks_fen) {
      if (fen != Fen{}) earmarks[purpose] = fen.value;
    }
    out[id.str()] = {{"branch_id", f.branch_id.str()},
                     {"balance_fen", f.balance_fen.value},
                     {"inflow_fen", f.inflow_fen.value},
                     {"outflow_fen", f.outflow_fen.value},
                     {"unrestricted_fen", f.unrestricted_fen.value},
                     {"inflow_by_channel", std::move(channels)},
                     {"outflow_by_category", std::move(categories)},
                     {"earmarks", std::move(earmarks)},
                     {"goods", api::GoodsJson(f)}};
  }
  return out;
}

std::string_view SourceKind(const Source& s) {
  if (s.is_grant) return "grant";
  if (s.in_kind) return "in_kind";
  return s.is_donation ? "donation" : "sale";
}

// An in-kind donation's items and where they went (empty for money).
json::array ItemsJson(const Source& s) {
  json::array out;
  for (const GoodsItem& g : s.items) {
    out.push_back(json::object{{"name", g.name},
                               {"unit", g.unit},
                               {"quantity", g.quantity},
                               {"value_fen", g.value_fen.value},
                               {"distributed", g.distributed},
                               {"in_stock", g.quantity - g.distributed}});
  }
  return out;
}

json::array GoodsUsesJson(const Source& s) {
  json::array out;
  for (const GoodsUse& use : s.goods_uses) {
    out.push_back(json::object{{"distribution_id", use.distribution_id},
                               {"name", use.name},
                               {"quantity", use.quantity},
                               {"elder_id", use.elder_id.str()},
                               {"activity_id", use.activity_id.str()},
                               {"at_us", use.at_us}});
  }
  return out;
}

json::object SourcesJson(const LedgerState& state) {
  json::object out;
  for (const auto& [id, s] : state.sources()) {
    json::array uses;
    int64_t allocated = 0;
    for (const Use& use : s.uses) {
      allocated += use.amount_fen.value;
      uses.push_back(json::object{{"outflow_id", use.outflow_id.str()},
                                  {"purpose", use.purpose},
                                  {"amount_fen", use.amount_fen.value},
                                  {"at_us", use.at_us}});
    }
    out[id.str()] = {{"fund_id", s.fund_id.str()},
                     {"kind", SourceKind(s)},
                     {"partner_id", s.partner_id.str()},
                     {"purpose", s.purpose},
                     {"amount_fen", s.amount_fen.value},
                     {"gross_fen", s.gross_fen.value},
                     {"remaining_fen", s.remaining_fen.value},
                     {"allocated_fen", allocated},
                     {"reversed", s.reversed},
                     {"at_us", s.at_us},
                     {"uses", std::move(uses)},
                     {"program", s.is_grant ? json::value(events::EnumNameGrantProgram(s.program))
                                            : json::value()},
                     {"items", ItemsJson(s)},
                     {"goods_uses", GoodsUsesJson(s)}};
  }
  return out;
}

json::object OutflowsJson(const LedgerState& state) {
  json::object out;
  for (const auto& [id, o] : state.outflows()) {
    json::array sources;
    for (const Allocation& a : o.sources) {
      sources.push_back(json::object{{"source_id", a.source_id.str()},
                                     {"partner_id", a.partner_id.str()},
                                     {"amount_fen", a.amount_fen.value}});
    }
    out[id.str()] = {{"fund_id", o.fund_id.str()},           {"type", o.type},
                     {"category", CategoryName(o.category)}, {"purpose", o.purpose},
                     {"amount_fen", o.amount_fen.value},     {"at_us", o.at_us},
                     {"recipient", o.recipient.str()},       {"reversed", o.reversed},
                     {"sources", std::move(sources)}};
  }
  return out;
}

json::object ReportsJson(const LedgerState& state) {
  json::object out;
  for (const auto& [key, r] : state.reports()) {
    json::value sealed;
    if (r.seal) {
      json::array stars;
      for (int64_t count : r.seal->star_counts) stars.push_back(count);
      sealed = json::object{{"position", r.seal->position},
                            {"hash", api::Hex(r.seal->hash)},
                            {"star_counts", std::move(stars)}};
    }
    json::value filing;
    if (r.filing) {
      filing = json::object{{"receipt_ref", r.filing->receipt_ref},
                            {"acknowledged_by", r.filing->acknowledged_by},
                            {"at_us", r.filing->at_us},
                            {"position", r.filing->position}};
    }
    json::value median;
    if (std::optional<int64_t> m = MedianMinutes(r.resolution_minutes)) median = *m;
    json::value& branch = out[key.branch_id.str()];
    if (!branch.is_object()) branch = json::object();
    branch.as_object()[FormatMonth(key.month)] = {
        {"verified_minutes", r.verified_minutes.value},
        {"services", r.services},
        {"elders_served", r.elders_served},
        {"activities", r.activities},
        {"beneficiaries", r.beneficiaries},
        {"new_members", r.new_members},
        {"donations_fen", r.donations_fen.value},
        {"sales_fen", r.sales_fen.value},
        {"disbursed_fen", r.disbursed_fen.value},
        {"redeemed_cash_fen", r.redeemed_cash_fen.value},
        {"redeemed_training_minutes", r.redeemed_training_minutes.value},
        {"requests_opened", r.requests_opened},
        {"requests_resolved", r.requests_resolved},
        {"resolution_median_minutes", std::move(median)},
        {"sealed", std::move(sealed)},
        {"grants_fen", r.grants_fen.value},
        {"in_kind_received_fen", r.in_kind_received_fen.value},
        {"filing", std::move(filing)}};
  }
  return out;
}

}  // namespace

std::string DerivedStateJson(const LedgerState& state, uint64_t events, const Hash& head) {
  const json::object document{
      {"format", "zhaiyi-derived-state/1"}, {"events", events},
      {"head_hash", HexOf(head)},           {"policy", PolicyJson(state.policy())},
      {"members", MembersJson(state)},      {"services", ServicesJson(state)},
      {"requests", RequestsJson(state)},    {"partners", PartnersJson(state)},
      {"funds", FundsJson(state)},          {"sources", SourcesJson(state)},
      {"outflows", OutflowsJson(state)},    {"reports", ReportsJson(state)}};
  return api::CanonicalJson(document) + "\n";
}

}  // namespace ledger::tools
