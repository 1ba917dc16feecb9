// Money and filing (API.md, "Money and filing"): goods given in kind and handed out, grants,
// donors' consent to a new purpose, and head office's receipt of a month's filing.
#include <set>

#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

namespace {

constexpr uint32_t kGoodsItemsMax = 64;  // kinds of goods in one donation or distribution

std::string GoodsKey(std::string_view name, std::string_view unit) { return Join(name, unit); }

}  // namespace

Outcome LedgerState::CheckDonationItems(const events::DonationReceived& e) {
  const auto* items = e.items();
  if (items != nullptr && items->size() > kGoodsItemsMax) return Outcome::kInvalidField;
  Fen total;
  std::set<std::string_view> names;
  if (items != nullptr) {
    for (const events::GoodsItem* item : *items) {
      if (!Present(item->name()) || !Present(item->unit())) return Outcome::kInvalidField;
      if (!names.insert(Str(item->name())).second) return Outcome::kInvalidItems;  // once each
      if (item->quantity() < 1 || item->quantity() > kSaleQuantityMax) {
        return Outcome::kInvalidAmount;
      }
      if (item->value_fen() < 0 || item->value_fen() > kFenMax) return Outcome::kInvalidAmount;
      total += Fen{item->value_fen()};
      if (total > Fen{kFenMax}) return Outcome::kItemsTotalMismatch;
    }
  }
  return total == Fen{e.amount_fen()} ? Outcome::kOk : Outcome::kItemsTotalMismatch;
}

void LedgerState::ReceiveGoods(FundRef fund_id, Source& source, const events::DonationReceived& e) {
  Fund& fund = funds_.find(fund_id)->second;
  source.in_kind = true;
  for (const events::GoodsItem* item : *e.items()) {
    GoodsItem goods_item;
    goods_item.name = std::string(Str(item->name()));
    goods_item.unit = std::string(Str(item->unit()));
    goods_item.quantity = item->quantity();
    goods_item.value_fen = Fen{item->value_fen()};
    Goods& goods = fund.goods[GoodsKey(goods_item.name, goods_item.unit)];
    goods.name = goods_item.name;
    goods.unit = goods_item.unit;
    goods.received += goods_item.quantity;
    goods.value_fen += goods_item.value_fen;
    source.items.push_back(std::move(goods_item));
  }
}

// REQUIRES: nothing of the donation was handed out (the reversal's check).
void LedgerState::ReturnGoods(const Source& source) {
  Touch(funds_, Table::kFund, source.fund_id);
  Fund& fund = funds_.find(source.fund_id)->second;
  for (const GoodsItem& item : source.items) {
    auto it = fund.goods.find(GoodsKey(item.name, item.unit));
    LEDGER_ASSERT(it != fund.goods.end());
    it->second.received -= item.quantity;
    it->second.value_fen -= item.value_fen;
    if (it->second.received == 0 && it->second.distributed == 0) fund.goods.erase(it);
  }
}

Execution LedgerState::OnGoodsDistributed(const EventMeta& meta,
                                          const events::GoodsDistributed& e) {
  const auto* items = e.items();
  if (!Present(e.distribution_id()) || !Present(e.donation_id()) || items == nullptr ||
      items->size() == 0 || items->size() > kGoodsItemsMax) {
    return Fail(Outcome::kInvalidField);
  }
  std::set<std::string_view> names;
  for (const events::GoodsQuantity* item : *items) {
    if (!Present(item->name())) return Fail(Outcome::kInvalidField);
    if (!names.insert(Str(item->name())).second) return Fail(Outcome::kInvalidItems);
    if (item->quantity() < 1) return Fail(Outcome::kInvalidAmount);
  }
  const Source* source = FindSource(SourceRef(Str(e.donation_id())));
  if (source == nullptr || !source->is_donation) return Fail(Outcome::kUnknownDonation);
  if (!IsStream(meta.stream, "fund-", source->fund_id.view())) return Fail(Outcome::kWrongStream);
  const Member* elder = nullptr;
  if (Outcome o = FindElderAndActivity(*this, e.elder_id(), e.activity_id(), &elder);
      o != Outcome::kOk) {
    return Fail(o);
  }
  for (const events::GoodsQuantity* item : *items) {
    const bool given = std::any_of(source->items.begin(), source->items.end(),
                                   [&](const GoodsItem& g) { return g.name == Str(item->name()); });
    if (!given) return Fail(Outcome::kUnknownGoods);
  }
  if (IdTaken("distribution", Str(e.distribution_id()))) return Fail(Outcome::kAlreadyExists);
  if (elder != nullptr && elder->kind != events::MemberKind::elder) {
    return Fail(Outcome::kNotAnElder);
  }
  if (source->reversed) return Fail(Outcome::kAlreadyReversed);
  const Fund& fund = funds_.find(source->fund_id)->second;
  if (Outcome o = CheckSeal(fund.branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  for (const events::GoodsQuantity* item : *items) {
    for (const GoodsItem& g : source->items) {
      if (g.name == Str(item->name()) && g.quantity - g.distributed < item->quantity()) {
        return Fail(Outcome::kInsufficientGoods);  // stock never goes below zero
      }
    }
  }

  TakeId("distribution", Str(e.distribution_id()));
  const SourceId donation_id(Str(e.donation_id()));
  Touch(sources_, Table::kSource, donation_id);
  Source& s = sources_.find(donation_id)->second;
  Touch(funds_, Table::kFund, s.fund_id);
  Fund& f = funds_.find(s.fund_id)->second;
  for (const events::GoodsQuantity* item : *items) {
    for (GoodsItem& g : s.items) {
      if (g.name != Str(item->name())) continue;
      g.distributed += item->quantity();
      f.goods[GoodsKey(g.name, g.unit)].distributed += item->quantity();
    }
    GoodsUse use;
    use.distribution_id = std::string(Str(e.distribution_id()));
    use.name = std::string(Str(item->name()));
    use.quantity = item->quantity();
    use.elder_id = MemberId(Str(e.elder_id()));
    use.activity_id = ActivityId(Str(e.activity_id()));
    use.at_us = meta.occurred_at_us;
    s.goods_uses.push_back(std::move(use));
  }
  return kOk;
}

Execution LedgerState::OnGrantReceived(const EventMeta& meta, const events::GrantReceived& e) {
  if (!Present(e.grant_id()) || !Present(e.partner_id()) || !Present(e.fund_id()) ||
      !InRange(e.program())) {
    return Fail(Outcome::kInvalidField);
  }
  if (!Fen{e.amount_fen()}.IsValidAmount()) return Fail(Outcome::kInvalidAmount);
  const Partner* partner = FindPartner(PartnerRef(Str(e.partner_id())));
  if (partner == nullptr) return Fail(Outcome::kUnknownPartner);
  const Fund* fund = FindFund(FundRef(Str(e.fund_id())));
  if (fund == nullptr) return Fail(Outcome::kUnknownFund);
  if (FindSource(SourceRef(Str(e.grant_id())))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(fund->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const Fen amount{e.amount_fen()};
  if (!AddFits(fund->inflow_fen, amount) || !AddFits(partner->granted_fen, amount) ||
      !ReportsFit(fund->branch_id, meta.occurred_at_us, &Report::grants_fen, amount)) {
    return Fail(Outcome::kAmountOverflow);
  }
  const FundId fund_id(Str(e.fund_id()));
  Touch(funds_, Table::kFund, fund_id);
  Fund& f = funds_.find(fund_id)->second;
  f.balance_fen += amount;
  f.inflow_fen += amount;
  f.inflow_by_channel_fen[static_cast<int>(Channel::kGrant)] += amount;
  Source source;
  source.fund_id = fund_id;
  source.partner_id = PartnerId(Str(e.partner_id()));
  source.purpose = std::string(Str(e.restricted_to()));
  source.is_donation = false;
  source.is_grant = true;
  source.program = e.program();
  source.amount_fen = amount;
  source.at_us = meta.occurred_at_us;
  source.gross_fen = amount;
  source.reference = std::string(Str(e.agreement_ref()));
  AddSource(SourceRef(Str(e.grant_id())), std::move(source));
  TouchPartner(PartnerRef(Str(e.partner_id())));
  Partner& p = partners_.find(PartnerRef(Str(e.partner_id())))->second;
  p.granted_fen += amount;
  p.grants.emplace_back(Str(e.grant_id()));
  AddToReports(funds_.find(fund_id)->second.branch_id, meta.occurred_at_us,
               [&](Report& r, const ReportKey&) { r.grants_fen += amount; });
  return kOk;
}

// Who may record a consent (the donor itself, or an admin citing the signed document) is a
// scope rule (scope_rules.cc); here: the donation, and one consent per id.
Execution LedgerState::OnDonorConsentRecorded(const EventMeta& meta,
                                              const events::DonorConsentRecorded& e) {
  if (!Present(e.consent_id()) || !Present(e.donation_id()) ||
      (e.restricted_to() != nullptr && !Present(e.restricted_to())) ||
      (e.document_ref() != nullptr && !Present(e.document_ref()))) {
    return Fail(Outcome::kInvalidField);
  }
  const Source* source = FindSource(SourceRef(Str(e.donation_id())));
  if (source == nullptr || !source->is_donation) return Fail(Outcome::kUnknownDonation);
  if (!IsStream(meta.stream, "fund-", source->fund_id.view())) return Fail(Outcome::kWrongStream);
  if (IdTaken("consent-id", Str(e.consent_id()))) return Fail(Outcome::kAlreadyExists);
  if (source->reversed) return Fail(Outcome::kAlreadyReversed);
  TakeId("consent-id", Str(e.consent_id()));
  const std::string consent = Join(Str(e.donation_id()), Str(e.restricted_to()));
  if (!IdTaken("consent", consent)) TakeId("consent", consent);
  return kOk;
}

Execution LedgerState::OnFilingAcknowledged(const EventMeta& meta,
                                            const events::FilingAcknowledged& e) {
  const std::optional<MonthKey> month = ParseMonth(Str(e.month()));
  if (!month || !Present(e.receipt_ref()) ||
      (e.acknowledged_by() != nullptr && !Present(e.acknowledged_by()))) {
    return Fail(Outcome::kInvalidField);
  }
  const ReportKey key{BranchId(), *month};
  const Report* report = FindReport(key);
  if (report != nullptr && report->filing) return Fail(Outcome::kAlreadyExists);
  // Head office receives the filing of a month the whole programme sealed.
  if (report == nullptr || !report->seal) return Fail(Outcome::kMonthNotSealed);
  Touch(reports_, Table::kReport, key);
  Filing filing;
  filing.receipt_ref = std::string(Str(e.receipt_ref()));
  filing.acknowledged_by = std::string(Str(e.acknowledged_by()));
  filing.at_us = meta.occurred_at_us;
  filing.position = meta.position;
  reports_[key].filing = std::move(filing);
  return kOk;
}

}  // namespace ledger
