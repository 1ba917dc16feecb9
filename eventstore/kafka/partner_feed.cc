#include "eventstore/kafka/partner_feed.h"

#include <utility>

#include "domain/event_payload.h"
#include "eventstore/kafka/json_text.h"
#include "eventstore/ledger_replay.h"

namespace ledger {
namespace {

std::string_view Str(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : s->string_view();
}

// The fields every item starts with: what it is, whose it is, and which event said so (a
// consumer de-duplicates by position).
JsonWriter ItemHead(std::string_view kind, std::string_view partner_id, const StoredEvent& event) {
  JsonWriter json;
  json.BeginObject()
      .String("kind", kind)
      .String("partner_id", partner_id)
      .Int("position", static_cast<int64_t>(event.position.value))
      .String("event_id", event.id)
      .String("event_type", event.type)
      .Int("occurred_at_us", event.occurred_at_us);
  return json;
}

// One item per partner whose inflows an outflow drew on (kind "outflow") or, when it is
// reversed, got back (kind "outflow_reversed"), with that partner's allocations. Anonymous
// inflows (charity sales without a buyer) have no partner and no item.
void AddOutflowItems(std::string_view kind, std::string_view outflow_id, const Outflow& outflow,
                     std::string_view reverses_event_id, const StoredEvent& event,
                     std::vector<PartnerItem>* items) {
  std::vector<std::pair<PartnerRef, std::vector<const Allocation*>>> by_partner;
  for (const Allocation& allocation : outflow.sources) {
    if (allocation.partner_id.empty()) continue;
    auto it = std::find_if(by_partner.begin(), by_partner.end(),
                           [&](const auto& entry) { return entry.first == allocation.partner_id; });
    if (it == by_partner.end()) {
      by_partner.emplace_back(allocation.partner_id, std::vector<const Allocation*>{});
      it = std::prev(by_partner.end());
    }
    it->second.push_back(&allocation);
  }
  const bool reversed = !reverses_event_id.empty();
  for (const auto& [partner_id, allocations] : by_partner) {
    Fen partner_total_fen;
    for (const Allocation* allocation : allocations) partner_total_fen += allocation->amount_fen;
    JsonWriter json = ItemHead(kind, partner_id.view(), event);
    if (reversed) json.String("reverses_event_id", reverses_event_id);
    json.String("outflow_id", outflow_id)
        .String("outflow_type", outflow.type)
        .String("fund_id", outflow.fund_id.view())
        .StringOrNull("purpose", outflow.purpose)
        .String("category", CategoryName(outflow.category))
        .Int("amount_fen", outflow.amount_fen.value)
        .Int(reversed ? "released_fen" : "allocated_fen", partner_total_fen.value)
        .BeginArray("allocations");
    for (const Allocation* allocation : allocations) {
      json.BeginObject()
          .String("source_id", allocation->source_id.view())
          .Int("amount_fen", allocation->amount_fen.value)
          .EndObject();
    }
    json.EndArray().EndObject();
    items->push_back({partner_id.str(), json.Take()});
  }
}

// The outflow a reversible event recorded, if it drew on a fund: disbursements and expenses
// always, a redemption only when it paid cash (a training redemption's id may equal an outflow's).
std::optional<std::string_view> FundOutflowOf(const Undo& undo) {
  return std::visit(Overloaded{
                        [](const DisbursementUndo& u) -> std::optional<std::string_view> {
                          return u.disbursement_id.view();
                        },
                        [](const ExpenseUndo& u) -> std::optional<std::string_view> {
                          return u.expense_id.view();
                        },
                        [](const RedemptionUndo& u) -> std::optional<std::string_view> {
                          if (!u.DrewOnFund()) return std::nullopt;
                          return u.redemption_id.view();
                        },
                        [](const auto&) -> std::optional<std::string_view> { return std::nullopt; },
                    },
                    undo);
}

}  // namespace

Status PartnerFeed::Apply(const StoredEvent& event, std::vector<PartnerItem>* items) {
  LEDGER_ASSERT(event.position == next_);
  if (Status status = ApplyCommitted(state_, event); !status.ok()) return status;
  next_ = next_.Next();
  // ApplyCommitted verified the payload; from here on it is read as trusted.
  const events::EventData& data = *events::GetEventData(event.payload.data());
  using events::Data;
  switch (data.data_type()) {
    case Data::DonationReceived: {
      const events::DonationReceived& e = *data.data_as_DonationReceived();
      JsonWriter json = ItemHead("donation", Str(e.partner_id()), event);
      json.String("donation_id", Str(e.donation_id()))
          .String("fund_id", Str(e.fund_id()))
          .Int("amount_fen", e.amount_fen())
          .String("donation_kind", events::EnumNameDonationKind(e.kind()))
          .StringOrNull("restricted_to", Str(e.restricted_to()))
          .EndObject();
      items->push_back({std::string(Str(e.partner_id())), json.Take()});
      break;
    }
    case Data::SaleRecorded: {
      const events::SaleRecorded& e = *data.data_as_SaleRecorded();
      if (Str(e.buyer_partner_id()).empty()) break;  // a charity sale: nobody's purchase
      const Source* source = state_.FindSource(SourceRef(Str(e.sale_id())));
      const Reversible* sale = state_.FindReversible(EventRef(event.id));
      LEDGER_ASSERT(source != nullptr);
      LEDGER_ASSERT(sale != nullptr);
      JsonWriter json = ItemHead("purchase", Str(e.buyer_partner_id()), event);
      json.String("sale_id", Str(e.sale_id()))
          .String("fund_id", Str(e.fund_id()))
          .String("channel", events::EnumNameSaleChannel(e.channel()))
          .Int("proceeds_fen", std::get<SaleUndo>(sale->undo).proceeds_fen.value)
          .Int("to_fund_fen", source->amount_fen.value)
          .EndObject();
      items->push_back({std::string(Str(e.buyer_partner_id())), json.Take()});
      break;
    }
    case Data::DisbursementMade:
    case Data::ExpenseRecorded:
    case Data::RedemptionMade: {
      const flatbuffers::String* id = data.data_type() == Data::DisbursementMade
                                          ? data.data_as_DisbursementMade()->disbursement_id()
                                      : data.data_type() == Data::ExpenseRecorded
                                          ? data.data_as_ExpenseRecorded()->expense_id()
                                          : data.data_as_RedemptionMade()->redemption_id();
      // A redemption for training (or worth nothing) draws on no fund: no outflow, no item.
      const bool draws_on_fund =
          data.data_type() != Data::RedemptionMade ||
          data.data_as_RedemptionMade()->reward() == events::RewardKind::cash;
      if (const Outflow* outflow = state_.FindOutflow(OutflowRef(Str(id)));
          draws_on_fund && outflow != nullptr) {
        AddOutflowItems("outflow", Str(id), *outflow, {}, event, items);
      }
      break;
    }
    case Data::RestrictionChanged: {
      const events::RestrictionChanged& e = *data.data_as_RestrictionChanged();
      const Source* source = state_.FindSource(SourceRef(Str(e.donation_id())));
      LEDGER_ASSERT(source != nullptr);
      JsonWriter json = ItemHead("restriction_changed", source->partner_id.view(), event);
      json.String("donation_id", Str(e.donation_id()))
          .StringOrNull("restricted_to", source->purpose)
          .Int("remaining_fen", source->remaining_fen.value)
          .EndObject();
      items->push_back({source->partner_id.str(), json.Take()});
      break;
    }
    case Data::GrantReceived: {
      const events::GrantReceived& e = *data.data_as_GrantReceived();
      JsonWriter json = ItemHead("grant", Str(e.partner_id()), event);
      json.String("grant_id", Str(e.grant_id()))
          .String("fund_id", Str(e.fund_id()))
          .Int("amount_fen", e.amount_fen())
          .String("program", events::EnumNameGrantProgram(e.program()))
          .StringOrNull("restricted_to", Str(e.restricted_to()))
          .EndObject();
      items->push_back({std::string(Str(e.partner_id())), json.Take()});
      break;
    }
    case Data::GoodsDistributed: {  // where the donor's goods went
      const events::GoodsDistributed& e = *data.data_as_GoodsDistributed();
      const Source* source = state_.FindSource(SourceRef(Str(e.donation_id())));
      LEDGER_ASSERT(source != nullptr);
      JsonWriter json = ItemHead("goods_distributed", source->partner_id.view(), event);
      json.String("distribution_id", Str(e.distribution_id()))
          .String("donation_id", Str(e.donation_id()))
          .StringOrNull("elder_id", Str(e.elder_id()))
          .StringOrNull("activity_id", Str(e.activity_id()))
          .BeginArray("items");
      for (const events::GoodsQuantity* item : *e.items()) {
        json.BeginObject()
            .String("name", Str(item->name()))
            .Int("quantity", item->quantity())
            .EndObject();
      }
      json.EndArray().EndObject();
      items->push_back({source->partner_id.str(), json.Take()});
      break;
    }
    case Data::EventReversed: {
      const events::EventReversed& e = *data.data_as_EventReversed();
      const Reversible* target = state_.FindReversible(EventRef(Str(e.reverses_id())));
      LEDGER_ASSERT(target != nullptr);
      const auto* donation = std::get_if<DonationUndo>(&target->undo);
      const auto* sale = std::get_if<SaleUndo>(&target->undo);
      if (donation != nullptr || (sale != nullptr && !sale->buyer_partner_id.empty())) {
        const SourceRef source_id =
            donation != nullptr ? SourceRef(donation->donation_id) : SourceRef(sale->sale_id);
        const Source* source = state_.FindSource(source_id);
        LEDGER_ASSERT(source != nullptr);
        JsonWriter json = ItemHead(donation != nullptr ? "donation_reversed" : "purchase_reversed",
                                   source->partner_id.view(), event);
        json.String("reverses_event_id", Str(e.reverses_id()))
            .String(donation != nullptr ? "donation_id" : "sale_id", source_id.view())
            .Int("amount_fen", source->amount_fen.value);
        if (donation != nullptr) json.String("donation_kind", source->in_kind ? "in_kind" : "cash");
        json.EndObject();
        items->push_back({source->partner_id.str(), json.Take()});
      } else if (const std::optional<std::string_view> outflow_id = FundOutflowOf(target->undo)) {
        if (const Outflow* outflow = state_.FindOutflow(OutflowRef(*outflow_id))) {
          AddOutflowItems("outflow_reversed", *outflow_id, *outflow, Str(e.reverses_id()), event,
                          items);
        }
      }
      break;
    }
    default:
      break;  // nothing a partner follows
  }
  return Status::Ok();
}

}  // namespace ledger
