#include "api/views.h"

#include <boost/json/array.hpp>
#include <optional>

#include "api/encoding.h"
#include "api/rfc3339.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

constexpr size_t kMemberJsonFieldsMax = 24;  // MemberJson's 17 fields and 7 personal ones

}  // namespace

json::object MemberJson(MemberRef member_id, const Member& m, const Policy& policy, bool personal,
                        const json::object* sealed, json::storage_ptr storage) {
  json::object out(kMemberJsonFieldsMax, std::move(storage));  // room for every field: no rehash
  out["member_id"] = member_id.view();
  out["kind"] = events::EnumNameMemberKind(m.kind);
  out["branch_id"] = m.branch_id.view();
  out["active"] = m.active;
  out["star"] = m.star;
  out["verified_minutes"] = m.verified_minutes.value;
  out["pending_minutes"] = m.pending_minutes.value;
  out["credit_minutes"] = m.credit_minutes.value;
  out["redeemed_minutes"] = m.redeemed_minutes.value;
  out["training_minutes"] = m.training_minutes.value;
  out["income_fen"] = m.income_fen.value;
  out["gifted_minutes"] = m.gifted_minutes.value;
  // Awards (表彰) are honours, shown wherever the member is.
  json::array& awards = out["awards"].emplace_array();
  for (const Award& a : m.awards) {
    json::object& award = awards.emplace_back(json::object(out.storage())).as_object();
    award["award_id"] = a.award_id;
    award["title"] = a.title;
    if (!a.grantor.empty()) award["grantor"] = a.grantor;
    if (!a.level.empty()) award["level"] = a.level;
    award["granted_at"] = FormatInstant(a.granted_at_us);
  }
  // The star the member holds, placed on the scale in force (a later PolicySet may move it).
  out["star_from_minutes"] = policy.StarFloor(m.star).value;
  if (std::optional<Minutes> next = policy.NextStarAt(m.star)) {
    out["next_star_minutes"] = next->value;
  } else {
    out["next_star_minutes"] = nullptr;
  }
  if (m.erased_at_us) {
    out["personal_data_erased"] = true;
    out["erased_at"] = FormatInstant(*m.erased_at_us);
  }
  if (personal) {
    // Family relations are personal: who is whose family.
    json::array& relations = out["relations"].emplace_array();
    for (const Relation& r : m.relations) {
      json::object& relation = relations.emplace_back(json::object(out.storage())).as_object();
      relation["relation_id"] = r.relation_id;
      relation["relative_id"] = r.relative_id.view();
      relation["relation"] = events::EnumNameRelationKind(r.relation);
      relation["reverse"] = r.reverse;
    }
  }
  if (sealed != nullptr) AddSealedFields(out, personal, *sealed);
  return out;
}

void AddSealedFields(json::object& out, bool personal, const json::object& sealed) {
  // "relations" is MemberJson's last field when present: taken off the end and put back after.
  std::optional<json::value> relations;
  if (auto it = out.find("relations"); it != out.end()) {
    relations.emplace(std::move(it->value()), out.storage());
    out.erase(it);
  }
  for (const auto& field : sealed) out[field.key()] = field.value();
  if (personal && !out.contains("skills")) out["skills"].emplace_array();
  if (relations) out["relations"] = std::move(*relations);
}

json::array GoodsJson(const Fund& f) {
  json::array goods;
  for (const auto& [key, g] : f.goods) {
    goods.push_back(json::object{{"name", g.name},
                                 {"unit", g.unit},
                                 {"received", g.received},
                                 {"distributed", g.distributed},
                                 {"in_stock", g.received - g.distributed},
                                 {"value_fen", g.value_fen.value}});
  }
  return goods;
}

json::object FundJson(FundRef fund_id, const Fund& f) {
  json::object out;
  out["fund_id"] = fund_id.view();
  out["name"] = f.name;
  if (!f.branch_id.empty()) out["branch_id"] = f.branch_id.view();
  out["balance_fen"] = f.balance_fen.value;
  out["inflow_fen"] = f.inflow_fen.value;
  out["outflow_fen"] = f.outflow_fen.value;
  json::object& inflows = out["inflow_by_channel"].emplace_object();
  for (int i = 0; i < kChannels; ++i) inflows[ChannelName(i)] = f.inflow_by_channel_fen[i].value;
  json::object& outflows = out["outflow_by_category"].emplace_object();
  for (int i = 0; i < kCategories; ++i)
    outflows[CategoryName(i)] = f.outflow_by_category_fen[i].value;
  json::array& earmarks = out["earmarks"].emplace_array();
  for (const auto& [purpose, balance] : f.earmarks_fen) {
    earmarks.push_back(json::object{{"purpose", purpose}, {"balance_fen", balance.value}});
  }
  out["unrestricted_fen"] = f.unrestricted_fen.value;
  out["goods"] = GoodsJson(f);
  return out;
}

json::object OutflowJson(OutflowRef outflow_id, const Outflow& o) {
  json::object out;
  out["outflow_id"] = outflow_id.view();
  out["type"] = o.type;
  out["category"] = CategoryName(o.category);
  out["purpose"] = o.purpose;
  out["amount_fen"] = o.amount_fen.value;
  out["at"] = FormatInstant(o.at_us);
  out["reversed"] = o.reversed;
  json::array& sources = out["sources"].emplace_array();
  for (const Allocation& a : o.sources) {
    sources.push_back(json::object{{"source_id", a.source_id.view()},
                                   {"partner_id", a.partner_id.view()},
                                   {"amount_fen", a.amount_fen.value}});
  }
  return out;
}

json::object DonationJson(SourceRef donation_id, const Source& s) {
  json::object out;
  out["donation_id"] = donation_id.view();
  out["partner_id"] = s.partner_id.view();
  out["fund_id"] = s.fund_id.view();
  out["amount_fen"] = s.amount_fen.value;
  out["allocated_fen"] = (s.amount_fen - s.remaining_fen).value;
  out["remaining_fen"] = s.remaining_fen.value;
  if (s.purpose.empty()) {
    out["restricted_to"] = nullptr;
  } else {
    out["restricted_to"] = s.purpose;
  }
  out["reversed"] = s.reversed;
  json::array& uses = out["uses"].emplace_array();
  for (const Use& use : s.uses) {
    uses.push_back(json::object{{"outflow_id", use.outflow_id.view()},
                                {"purpose", use.purpose},
                                {"amount_fen", use.amount_fen.value},
                                {"at", FormatInstant(use.at_us)}});
  }
  if (s.is_grant) out["program"] = events::EnumNameGrantProgram(s.program);
  if (!s.is_grant) out["kind"] = s.in_kind ? "in_kind" : "cash";
  if (s.in_kind) {
    json::array& items = out["items"].emplace_array();
    for (const GoodsItem& g : s.items) {
      items.push_back(json::object{{"name", g.name},
                                   {"unit", g.unit},
                                   {"quantity", g.quantity},
                                   {"value_fen", g.value_fen.value},
                                   {"distributed", g.distributed},
                                   {"in_stock", g.quantity - g.distributed}});
    }
    // Where the goods went: each GoodsDistributed, item by item.
    json::array& goods_uses = out["goods_uses"].emplace_array();
    for (const GoodsUse& use : s.goods_uses) {
      json::object entry{{"distribution_id", use.distribution_id},
                         {"name", use.name},
                         {"quantity", use.quantity},
                         {"at", FormatInstant(use.at_us)}};
      entry["elder_id"] =
          use.elder_id.empty() ? json::value(nullptr) : json::value(use.elder_id.view());
      entry["activity_id"] =
          use.activity_id.empty() ? json::value(nullptr) : json::value(use.activity_id.view());
      goods_uses.push_back(std::move(entry));
    }
  }
  return out;
}

json::object PartnerJson(PartnerRef partner_id, const Partner& p) {
  json::object out;
  out["partner_id"] = partner_id.view();
  out["name"] = p.name;
  out["kind"] = events::EnumNamePartnerKind(p.kind);
  out["donated_fen"] = p.donated_fen.value;
  out["purchased_fen"] = p.purchased_fen.value;
  out["used_fen"] = p.used_fen.value;
  json::array& donations = out["donations"].emplace_array();
  for (const SourceId& id : p.donations) donations.emplace_back(id.view());
  out["in_kind_fen"] = p.in_kind_fen.value;
  out["granted_fen"] = p.granted_fen.value;
  json::array& grants = out["grants"].emplace_array();
  for (const SourceId& id : p.grants) grants.emplace_back(id.view());
  return out;
}

json::object RequestJson(RequestRef request_id, const ServiceRequest& q, bool personal) {
  json::object out;
  out["request_id"] = request_id.view();
  out["elder_id"] = q.elder_id.view();
  out["branch_id"] = q.branch_id.view();
  out["need"] = events::EnumNameRequestNeed(q.need);
  out["status"] = RequestStatusName(q.status);
  if (q.volunteer_id.empty()) {
    out["volunteer_id"] = nullptr;
  } else {
    out["volunteer_id"] = q.volunteer_id.view();
  }
  json::array& services = out["service_ids"].emplace_array();
  for (const ServiceId& id : q.service_ids) services.emplace_back(id.view());
  out["requested_at"] = FormatInstant(q.requested_at_us);
  if (q.status == RequestStatus::kResolved) {
    out["resolved_at"] = FormatInstant(q.resolved_at_us);
  } else {
    out["resolved_at"] = nullptr;
  }
  out["urgent"] = q.urgent;
  if (q.wanted_by_us) {
    out["wanted_by"] = FormatInstant(*q.wanted_by_us);
  } else {
    out["wanted_by"] = nullptr;
  }
  if (q.requested_by) {
    out["requested_by"] = events::EnumNameRequester(*q.requested_by);
  } else {
    out["requested_by"] = nullptr;
  }
  if (personal) out["description"] = q.description;
  return out;
}

json::object ReportJson(BranchRef branch_id, MonthKey month, const Report* report,
                        const Report* programme,
                        const std::array<int64_t, kStarLevels + 1>& star_counts_now) {
  const Report empty;
  const Report& r = report != nullptr ? *report : empty;
  const Report& whole = programme != nullptr ? *programme : empty;
  json::object out;
  if (branch_id.empty()) {
    out["branch_id"] = nullptr;
  } else {
    out["branch_id"] = branch_id.view();
  }
  out["month"] = FormatMonth(month);
  out["verified_minutes"] = r.verified_minutes.value;
  out["services"] = r.services;
  out["elders_served"] = r.elders_served;
  out["activities"] = r.activities;
  out["beneficiaries"] = r.beneficiaries;
  out["new_members"] = r.new_members;
  out["donations_fen"] = r.donations_fen.value;
  out["sales_fen"] = r.sales_fen.value;
  out["disbursed_fen"] = r.disbursed_fen.value;
  out["redeemed_cash_fen"] = r.redeemed_cash_fen.value;
  out["redeemed_training"] = r.redeemed_training_minutes.value;
  out["grants_fen"] = r.grants_fen.value;
  out["in_kind_received_fen"] = r.in_kind_received_fen.value;
  out["requests_opened"] = r.requests_opened;
  out["requests_resolved"] = r.requests_resolved;
  if (std::optional<int64_t> median = MedianMinutes(r.resolution_minutes)) {
    out["request_resolution_median_minutes"] = *median;
  } else {
    out["request_resolution_median_minutes"] = nullptr;
  }
  // A branch's month is sealed by its own seal or by the whole programme's.
  const std::optional<Seal>& seal = r.seal ? r.seal : whole.seal;
  const auto& stars = r.seal ? r.seal->star_counts : star_counts_now;
  json::array& counts = out["star_counts"].emplace_array();
  for (int64_t count : stars) counts.emplace_back(count);
  out["sealed"] = seal.has_value();
  if (seal) {
    out["seal"] = json::object{{"position", seal->position}, {"hash", Hex(seal->hash)}};
  } else {
    out["seal"] = nullptr;
  }
  // Head office's receipt of the month's filing (总行备案), the programme's.
  if (whole.filing) {
    json::object filing{{"receipt_ref", whole.filing->receipt_ref},
                        {"at", FormatInstant(whole.filing->at_us)},
                        {"position", whole.filing->position}};
    filing["acknowledged_by"] = whole.filing->acknowledged_by.empty()
                                    ? json::value(nullptr)
                                    : json::value(whole.filing->acknowledged_by);
    out["filing"] = std::move(filing);
  } else {
    out["filing"] = nullptr;
  }
  return out;
}

}  // namespace ledger::api
