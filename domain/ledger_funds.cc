// The rules of money and the fund trail: partners, funds, donations and their restrictions,
// sales, disbursements, expenses and redemptions; every inflow a FIFO source, every outflow
// allocated to sources (same purpose first, then unrestricted).
#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

namespace {

// The restriction an outflow may draw on besides unrestricted money (API.md, "Money and
// filing"): its purpose, except that a management or materials expense draws only on money
// restricted to its category, whatever its free-text purpose says — overhead can never be paid
// from money given for something else by naming that something as its purpose.
std::string_view EarmarkFor(const Outflow& outflow) {
  const bool overhead = outflow.category == static_cast<int>(Category::kManagement) ||
                        outflow.category == static_cast<int>(Category::kMaterials);
  return overhead ? CategoryName(outflow.category) : std::string_view(outflow.purpose);
}

}  // namespace

Fen LedgerState::CashUsed(MemberRef member_id, MonthKey month) const {
  auto it = cash_used_.find(Join(member_id.view(), std::to_string(month)));
  return it == cash_used_.end() ? Fen{} : it->second;
}

// The FIFO pools are journaled entry by entry: a pool can hold every unspent inflow of a fund,
// and copying it whole for each undo made every append cost time in proportion to it.
void LedgerState::CloseSource(const std::string& pool, uint32_t order) {
  auto it = open_sources_.find(pool);
  if (it == open_sources_.end()) return;
  auto entry = it->second.find(order);
  if (entry == it->second.end()) return;
  if (journaling_) {
    undo_.push_back(
        [this, pool, order, id = entry->second] { open_sources_[pool].emplace(order, id); });
  }
  it->second.erase(entry);
  if (it->second.empty()) open_sources_.erase(it);
}

void LedgerState::OpenSource(const std::string& pool, uint32_t order, SourceRef id) {
  open_sources_[pool].emplace(order, SourceId(id));
  if (journaling_) {
    undo_.push_back([this, pool, order] {
      auto it = open_sources_.find(pool);
      if (it == open_sources_.end()) return;
      it->second.erase(order);
      if (it->second.empty()) open_sources_.erase(it);
    });
  }
}

void LedgerState::AddSource(SourceRef source_id, Source source) {
  Fund& fund = funds_.find(source.fund_id)->second;
  source.order = fund.source_count++;
  if (source.in_kind) {  // goods: no money to spend, never in a FIFO pool
    Touch(sources_, Table::kSource, source_id);
    sources_.insert_or_assign(SourceId(source_id), std::move(source));
    return;
  }
  source.remaining_fen = source.amount_fen;
  if (source.purpose.empty()) {
    fund.unrestricted_fen += source.amount_fen;
  } else {
    fund.earmarks_fen[source.purpose] += source.amount_fen;
  }
  if (source.amount_fen > Fen{}) {
    OpenSource(Join(source.fund_id.view(), source.purpose), source.order, source_id);
  }
  Touch(sources_, Table::kSource, source_id);
  sources_.insert_or_assign(SourceId(source_id), std::move(source));
}

Outcome LedgerState::CheckOutflow(FundRef fund_id, std::string_view purpose, Fen amount_fen,
                                  int64_t occurred_at_us) const {
  const Fund* fund = FindFund(fund_id);
  LEDGER_ASSERT(fund != nullptr);
  if (Outcome o = CheckSeal(fund->branch_id, occurred_at_us); o != Outcome::kOk) return o;
  Fen available = fund->unrestricted_fen;
  if (!purpose.empty()) {
    auto it = fund->earmarks_fen.find(std::string(purpose));
    if (it != fund->earmarks_fen.end()) available += it->second;
  }
  return amount_fen > available ? Outcome::kInsufficientFunds : Outcome::kOk;
}

void LedgerState::Allocate(FundRef fund_id, OutflowRef outflow_id, std::string_view earmark,
                           std::string_view purpose, Fen amount_fen, int64_t at_us,
                           std::vector<Allocation>* allocations) {
  Fund& fund = funds_.find(fund_id)->second;
  Fen left = amount_fen;
  // The earmarked restricted money first, then unrestricted; FIFO within each.
  std::vector<std::string> pools;
  if (!earmark.empty()) pools.push_back(std::string(earmark));
  pools.push_back("");
  for (const std::string& pool_purpose : pools) {
    if (left == Fen{}) break;
    const std::string pool_key = Join(fund_id.view(), pool_purpose);
    while (left > Fen{}) {
      auto pool_it = open_sources_.find(pool_key);
      if (pool_it == open_sources_.end()) break;  // empty pools are dropped
      const auto first = pool_it->second.begin();
      const uint32_t order = first->first;
      const SourceId source_id = first->second;
      Touch(sources_, Table::kSource, source_id);
      Source& source = sources_.find(source_id)->second;
      const Fen take = std::min(left, source.remaining_fen);
      source.remaining_fen -= take;
      left -= take;
      source.uses.push_back(Use{OutflowId(outflow_id), std::string(purpose), take, at_us});
      if (pool_purpose.empty()) {
        fund.unrestricted_fen -= take;
      } else {
        fund.earmarks_fen[pool_purpose] -= take;
      }
      if (!source.partner_id.empty()) {
        TouchPartner(source.partner_id);
        partners_.find(source.partner_id)->second.used_fen += take;
      }
      allocations->push_back(Allocation{source_id, source.partner_id, take});
      if (source.remaining_fen == Fen{}) CloseSource(pool_key, order);
    }
  }
  LEDGER_ASSERT(left == Fen{});  // CheckOutflow guaranteed the money
}

void LedgerState::RecordOutflow(OutflowRef outflow_id, FundRef fund_id, Outflow outflow) {
  Touch(funds_, Table::kFund, fund_id);
  outflow.fund_id = FundId(fund_id);
  outflow.order = funds_.find(fund_id)->second.outflow_count++;
  const Fen amount_fen = outflow.amount_fen;
  const int category = outflow.category;
  Allocate(fund_id, outflow_id, EarmarkFor(outflow), outflow.purpose, amount_fen, outflow.at_us,
           &outflow.sources);
  Fund& fund = funds_.find(fund_id)->second;
  fund.balance_fen -= amount_fen;
  fund.outflow_fen += amount_fen;
  fund.outflow_by_category_fen[category] += amount_fen;
  Touch(outflows_, Table::kOutflow, outflow_id);
  outflows_.insert_or_assign(OutflowId(outflow_id), std::move(outflow));
  std::vector<OutflowId>& fund_outflows = fund_outflows_[FundId(fund_id)];
  fund_outflows.push_back(OutflowId(outflow_id));
  if (journaling_) {  // one entry, not a copy of the fund's every outflow
    undo_.push_back([this, fund = FundId(fund_id)] {
      auto it = fund_outflows_.find(fund);
      it->second.pop_back();
      if (it->second.empty()) fund_outflows_.erase(it);
    });
  }
}

// Gives every allocation of an outflow back to its source, exactly.
void LedgerState::UnwindOutflow(OutflowRef outflow_id) {
  Touch(outflows_, Table::kOutflow, outflow_id);
  Outflow& outflow = outflows_.find(outflow_id)->second;
  Touch(funds_, Table::kFund, outflow.fund_id);
  Fund& fund = funds_.find(outflow.fund_id)->second;
  for (const Allocation& allocation : outflow.sources) {
    Touch(sources_, Table::kSource, allocation.source_id);
    Source& source = sources_.find(allocation.source_id)->second;
    if (source.remaining_fen == Fen{}) {
      OpenSource(Join(source.fund_id.view(), source.purpose), source.order, allocation.source_id);
    }
    source.remaining_fen += allocation.amount_fen;
    // The source's purpose now (a restriction may have changed since) decides its pool.
    if (source.purpose.empty()) {
      fund.unrestricted_fen += allocation.amount_fen;
    } else {
      fund.earmarks_fen[source.purpose] += allocation.amount_fen;
    }
    std::erase_if(source.uses, [&](const Use& use) { return use.outflow_id == outflow_id; });
    if (!source.partner_id.empty()) {
      TouchPartner(source.partner_id);
      partners_.find(source.partner_id)->second.used_fen -= allocation.amount_fen;
    }
  }
  fund.balance_fen += outflow.amount_fen;
  fund.outflow_fen -= outflow.amount_fen;
  fund.outflow_by_category_fen[outflow.category] -= outflow.amount_fen;
  outflow.reversed = true;
}

Execution LedgerState::OnPartnerRegistered(const EventMeta&, const events::PartnerRegistered& e) {
  if (!Present(e.partner_id()) || !Present(e.name()) || !InRange(e.kind())) {
    return Fail(Outcome::kInvalidField);
  }
  if (FindPartner(PartnerRef(Str(e.partner_id())))) return Fail(Outcome::kAlreadyExists);
  Touch(partners_, Table::kPartner, PartnerRef(Str(e.partner_id())));
  Partner partner;
  partner.name = std::string(Str(e.name()));
  partner.kind = e.kind();
  partners_.emplace(PartnerId(Str(e.partner_id())), std::move(partner));
  return kOk;
}

Execution LedgerState::OnFundOpened(const EventMeta&, const events::FundOpened& e) {
  if (!Present(e.fund_id()) || !Present(e.name())) return Fail(Outcome::kInvalidField);
  if (Present(e.branch_id()) && !FindBranch(BranchRef(Str(e.branch_id())))) {
    return Fail(Outcome::kUnknownBranch);
  }
  if (FindFund(FundRef(Str(e.fund_id())))) return Fail(Outcome::kAlreadyExists);
  Touch(funds_, Table::kFund, FundRef(Str(e.fund_id())));
  Fund fund;
  fund.name = std::string(Str(e.name()));
  fund.branch_id = BranchId(Str(e.branch_id()));
  funds_.emplace(FundId(Str(e.fund_id())), std::move(fund));
  return kOk;
}

Execution LedgerState::OnDonationReceived(const EventMeta& meta,
                                          const events::DonationReceived& e) {
  if (!Present(e.donation_id()) || !Present(e.partner_id()) || !Present(e.fund_id()) ||
      !InRange(e.kind())) {
    return Fail(Outcome::kInvalidField);
  }
  // An in-kind gift the log recorded before items existed stays what it was then: money.
  const bool in_kind =
      e.kind() == events::DonationKind::in_kind && !(meta.committed && e.items() == nullptr);
  if (!in_kind && e.items() != nullptr) return Fail(Outcome::kInvalidItems);
  if (!Fen{e.amount_fen()}.IsValidAmount()) return Fail(Outcome::kInvalidAmount);
  if (in_kind) {
    if (Outcome o = CheckDonationItems(e); o != Outcome::kOk) return Fail(o);
  }
  if (!FindPartner(PartnerRef(Str(e.partner_id())))) return Fail(Outcome::kUnknownPartner);
  const Fund* fund = FindFund(FundRef(Str(e.fund_id())));
  if (fund == nullptr) return Fail(Outcome::kUnknownFund);
  if (FindSource(SourceRef(Str(e.donation_id())))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(fund->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const Fen amount{e.amount_fen()};
  const Partner& donor = partners_.find(PartnerRef(Str(e.partner_id())))->second;
  // Goods given in kind are goods, not money: their value never enters the balance, the
  // donations figure or the money a donor gave (API.md, "Money and filing").
  Fen Report::*reported = in_kind ? &Report::in_kind_received_fen : &Report::donations_fen;
  if ((!in_kind && !AddFits(fund->inflow_fen, amount)) ||
      !AddFits(in_kind ? donor.in_kind_fen : donor.donated_fen, amount) ||
      !ReportsFit(fund->branch_id, meta.occurred_at_us, reported, amount)) {
    return Fail(Outcome::kAmountOverflow);
  }
  Touch(funds_, Table::kFund, FundRef(Str(e.fund_id())));
  Fund& mutable_fund = funds_.find(FundRef(Str(e.fund_id())))->second;
  Source source;
  source.fund_id = FundId(Str(e.fund_id()));
  source.partner_id = PartnerId(Str(e.partner_id()));
  source.purpose = std::string(Str(e.restricted_to()));
  source.is_donation = true;
  source.amount_fen = amount;
  source.at_us = meta.occurred_at_us;
  source.gross_fen = amount;
  source.reference = std::string(Str(e.agreement_ref()));
  source.description = std::string(Str(e.description()));
  if (in_kind) {
    ReceiveGoods(FundRef(Str(e.fund_id())), source, e);
  } else {
    mutable_fund.balance_fen += amount;
    mutable_fund.inflow_fen += amount;
    mutable_fund.inflow_by_channel_fen[static_cast<int>(Channel::kDonation)] += amount;
  }
  AddSource(SourceRef(Str(e.donation_id())), std::move(source));
  TouchPartner(PartnerRef(Str(e.partner_id())));
  Partner& partner = partners_.find(PartnerRef(Str(e.partner_id())))->second;
  (in_kind ? partner.in_kind_fen : partner.donated_fen) += amount;
  partner.donations.emplace_back(Str(e.donation_id()));
  AddToReports(funds_.find(FundRef(Str(e.fund_id())))->second.branch_id, meta.occurred_at_us,
               [&](Report& r, const ReportKey&) { r.*reported += amount; });
  RecordReversible(meta, DonationUndo{SourceId(Str(e.donation_id())), amount});
  return kOk;
}

Execution LedgerState::OnRestrictionChanged(const EventMeta& meta,
                                            const events::RestrictionChanged& e) {
  if (!Present(e.donation_id()) || !Present(e.consent_ref())) return Fail(Outcome::kInvalidField);
  const Source* source = FindSource(SourceRef(Str(e.donation_id())));
  if (source == nullptr || !source->is_donation) return Fail(Outcome::kUnknownDonation);
  if (!IsStream(meta.stream, "fund-", source->fund_id.view())) return Fail(Outcome::kWrongStream);
  if (source->reversed) return Fail(Outcome::kAlreadyReversed);
  const std::string new_purpose(Str(e.restricted_to()));
  if (source->purpose == new_purpose) return Fail(Outcome::kRestrictionUnchanged);
  // 《慈善法》§55: a donation's purpose changes only with its donor's consent, recorded first.
  if (!meta.committed && !IdTaken("consent", Join(Str(e.donation_id()), new_purpose))) {
    return Fail(Outcome::kNoDonorConsent);
  }
  const Fund& fund = funds_.find(source->fund_id)->second;
  if (Outcome o = CheckSeal(fund.branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const SourceId donation_id(Str(e.donation_id()));
  Touch(sources_, Table::kSource, donation_id);
  Source& s = sources_.find(donation_id)->second;
  Touch(funds_, Table::kFund, s.fund_id);
  Fund& f = funds_.find(s.fund_id)->second;
  if (s.remaining_fen > Fen{}) {
    const std::string old_pool = Join(s.fund_id.view(), s.purpose);
    const std::string new_pool = Join(s.fund_id.view(), new_purpose);
    CloseSource(old_pool, s.order);
    OpenSource(new_pool, s.order, donation_id);
    if (s.purpose.empty()) {
      f.unrestricted_fen -= s.remaining_fen;
    } else {
      f.earmarks_fen[s.purpose] -= s.remaining_fen;
    }
    if (new_purpose.empty()) {
      f.unrestricted_fen += s.remaining_fen;
    } else {
      f.earmarks_fen[new_purpose] += s.remaining_fen;
    }
  }
  s.purpose = new_purpose;
  return kOk;
}

Execution LedgerState::OnSaleRecorded(const EventMeta& meta, const events::SaleRecorded& e) {
  if (!Present(e.sale_id()) || !Present(e.fund_id()) || !Present(e.product()) ||
      !InRange(e.category()) || !InRange(e.channel())) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.maker_share_bp() && (*e.maker_share_bp() < 0 || *e.maker_share_bp() > kBasisPointsMax ||
                             !Present(e.maker_id()))) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.quantity() < 1 || e.quantity() > kSaleQuantityMax ||
      !Fen{e.unit_price_fen()}.IsValidAmount()) {
    return Fail(Outcome::kInvalidAmount);
  }
  const std::optional<Fen> gross = Fen::CheckedMultiply(Fen{e.unit_price_fen()}, e.quantity());
  if (!gross) return Fail(Outcome::kAmountOverflow);
  const Fen proceeds = *gross;
  const Fund* fund = FindFund(FundRef(Str(e.fund_id())));
  if (fund == nullptr) return Fail(Outcome::kUnknownFund);
  const Partner* buyer =
      Present(e.buyer_partner_id()) ? FindPartner(PartnerRef(Str(e.buyer_partner_id()))) : nullptr;
  if (Present(e.buyer_partner_id()) && buyer == nullptr) return Fail(Outcome::kUnknownPartner);
  const Member* maker = Present(e.maker_id()) ? FindMember(MemberRef(Str(e.maker_id()))) : nullptr;
  if (Present(e.maker_id()) && maker == nullptr) return Fail(Outcome::kUnknownMember);
  if (FindSource(SourceRef(Str(e.sale_id())))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(fund->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const Fen maker_share = Fen::ShareOf(proceeds, e.maker_share_bp().value_or(0));
  const Fen to_fund = proceeds - maker_share;
  if (!AddFits(fund->inflow_fen, to_fund) ||
      (buyer != nullptr && !AddFits(buyer->purchased_fen, proceeds)) ||
      (maker != nullptr && !AddFits(maker->income_fen, maker_share)) ||
      !ReportsFit(fund->branch_id, meta.occurred_at_us, &Report::sales_fen, proceeds)) {
    return Fail(Outcome::kAmountOverflow);
  }
  const int channel = ChannelOf(e.channel());
  Touch(funds_, Table::kFund, FundRef(Str(e.fund_id())));
  Fund& f = funds_.find(FundRef(Str(e.fund_id())))->second;
  f.balance_fen += to_fund;
  f.inflow_fen += to_fund;
  f.inflow_by_channel_fen[channel] += to_fund;
  Source source;
  source.fund_id = FundId(Str(e.fund_id()));
  source.partner_id = PartnerId(Str(e.buyer_partner_id()));
  source.is_donation = false;
  source.amount_fen = to_fund;
  source.at_us = meta.occurred_at_us;
  source.gross_fen = proceeds;
  source.description = std::string(Str(e.product()));
  AddSource(SourceRef(Str(e.sale_id())), std::move(source));
  if (Present(e.buyer_partner_id())) {
    TouchPartner(PartnerRef(Str(e.buyer_partner_id())));
    partners_.find(PartnerRef(Str(e.buyer_partner_id())))->second.purchased_fen += proceeds;
  }
  if (Present(e.maker_id())) {
    Touch(members_, Table::kMember, MemberRef(Str(e.maker_id())));
    members_.find(MemberRef(Str(e.maker_id())))->second.income_fen += maker_share;
  }
  AddToReports(f.branch_id, meta.occurred_at_us,
               [&](Report& r, const ReportKey&) { r.sales_fen += proceeds; });
  RecordReversible(meta, SaleUndo{SourceId(Str(e.sale_id())), static_cast<Channel>(channel),
                                  PartnerId(Str(e.buyer_partner_id())), MemberId(Str(e.maker_id())),
                                  maker_share, proceeds});
  return kOk;
}

Execution LedgerState::OnDisbursementMade(const EventMeta& meta,
                                          const events::DisbursementMade& e) {
  if (!Present(e.disbursement_id()) || !Present(e.fund_id()) || !Present(e.purpose())) {
    return Fail(Outcome::kInvalidField);
  }
  if (!Fen{e.amount_fen()}.IsValidAmount()) return Fail(Outcome::kInvalidAmount);
  if (!FindFund(FundRef(Str(e.fund_id())))) return Fail(Outcome::kUnknownFund);
  const Member* elder = nullptr;
  if (Present(e.elder_id())) {
    elder = FindMember(MemberRef(Str(e.elder_id())));
    if (elder == nullptr) return Fail(Outcome::kUnknownMember);
  }
  if (FindOutflow(OutflowRef(Str(e.disbursement_id())))) return Fail(Outcome::kAlreadyExists);
  if (elder != nullptr && elder->kind != events::MemberKind::elder) {
    return Fail(Outcome::kNotAnElder);
  }
  if (Outcome o = CheckOutflow(FundRef(Str(e.fund_id())), Str(e.purpose()), Fen{e.amount_fen()},
                               meta.occurred_at_us);
      o != Outcome::kOk) {
    return Fail(o);
  }
  if (!ReportsFit(funds_.find(FundRef(Str(e.fund_id())))->second.branch_id, meta.occurred_at_us,
                  &Report::disbursed_fen, Fen{e.amount_fen()})) {
    return Fail(Outcome::kAmountOverflow);
  }
  Outflow outflow;
  outflow.type = "DisbursementMade";
  outflow.category = static_cast<int>(Category::kDisbursement);
  outflow.purpose = std::string(Str(e.purpose()));
  outflow.amount_fen = Fen{e.amount_fen()};
  outflow.at_us = meta.occurred_at_us;
  outflow.recipient = MemberId(Str(e.elder_id()));
  outflow.evidence_ref = std::string(Str(e.evidence_ref()));
  outflow.description = std::string(Str(e.description()));
  RecordOutflow(OutflowRef(Str(e.disbursement_id())), FundRef(Str(e.fund_id())),
                std::move(outflow));
  const Fen amount{e.amount_fen()};
  AddToReports(funds_.find(FundRef(Str(e.fund_id())))->second.branch_id, meta.occurred_at_us,
               [&](Report& r, const ReportKey&) { r.disbursed_fen += amount; });
  RecordReversible(meta, DisbursementUndo{OutflowId(Str(e.disbursement_id())), amount});
  return kOk;
}

Execution LedgerState::OnExpenseRecorded(const EventMeta& meta, const events::ExpenseRecorded& e) {
  if (!Present(e.expense_id()) || !Present(e.fund_id()) || !InRange(e.category())) {
    return Fail(Outcome::kInvalidField);
  }
  if (!Fen{e.amount_fen()}.IsValidAmount()) return Fail(Outcome::kInvalidAmount);
  if (!FindFund(FundRef(Str(e.fund_id())))) return Fail(Outcome::kUnknownFund);
  if (FindOutflow(OutflowRef(Str(e.expense_id())))) return Fail(Outcome::kAlreadyExists);
  Outflow outflow;
  outflow.type = "ExpenseRecorded";
  outflow.category = CategoryOf(e.category());
  outflow.purpose = std::string(Str(e.purpose()));
  if (Outcome o = CheckOutflow(FundRef(Str(e.fund_id())), EarmarkFor(outflow), Fen{e.amount_fen()},
                               meta.occurred_at_us);
      o != Outcome::kOk) {
    return Fail(o);
  }
  outflow.amount_fen = Fen{e.amount_fen()};
  outflow.at_us = meta.occurred_at_us;
  outflow.evidence_ref = std::string(Str(e.evidence_ref()));
  outflow.description = std::string(Str(e.description()));
  RecordOutflow(OutflowRef(Str(e.expense_id())), FundRef(Str(e.fund_id())), std::move(outflow));
  RecordReversible(meta, ExpenseUndo{OutflowId(Str(e.expense_id())), Fen{e.amount_fen()}});
  return kOk;
}

Execution LedgerState::OnRedemptionMade(const EventMeta& meta, const events::RedemptionMade& e) {
  if (!Present(e.redemption_id()) || !Present(e.member_id()) || !InRange(e.reward())) {
    return Fail(Outcome::kInvalidField);
  }
  const bool cash = e.reward() == events::RewardKind::cash;
  if (cash ? !Present(e.fund_id()) : !Present(e.course())) return Fail(Outcome::kInvalidField);
  if (e.minutes() < 1) return Fail(Outcome::kInvalidMinutes);
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  if (cash && !FindFund(FundRef(Str(e.fund_id())))) return Fail(Outcome::kUnknownFund);
  if (IdTaken("redemption", Str(e.redemption_id())) ||
      FindOutflow(OutflowRef(Str(e.redemption_id())))) {
    return Fail(Outcome::kAlreadyExists);
  }
  if (!member->active) return Fail(Outcome::kMemberInactive);
  if (Outcome o = CheckSeal(member->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  if (member->credit_minutes < Minutes{e.minutes()}) return Fail(Outcome::kInsufficientCredits);
  const Minutes minutes{e.minutes()};
  Fen amount;
  const MonthKey month = MonthOfInstant(meta.occurred_at_us);
  // Gifted credits are spent first, and earn no star bonus: a gift cannot raise their value.
  const Minutes gifted = std::min(member->gifted_minutes, minutes);
  if (cash) {
    std::optional<Fen> value = policy_.CashValue(minutes - gifted, gifted, member->star);
    if (!value) return Fail(Outcome::kAmountOverflow);
    amount = *value;
    if (e.amount_fen() && Fen{*e.amount_fen()} != amount) {
      return Fail(Outcome::kAmountNotClientSettable);
    }
    // Both are at most Fen::kMax, so their sum fits in int64_t.
    const Fen used = CashUsed(MemberRef(Str(e.member_id())), month);
    if (policy_.cash_redemption_monthly_cap_fen > 0 &&
        used + amount > Fen{policy_.cash_redemption_monthly_cap_fen}) {
      return Fail(Outcome::kMonthlyCapExceeded);
    }
    if (Outcome o = CheckOutflow(FundRef(Str(e.fund_id())), kRedemptionPurpose, amount,
                                 meta.occurred_at_us);
        o != Outcome::kOk) {
      return Fail(o);
    }
    if (!AddFits(used, amount) ||
        !ReportsFit(member->branch_id, meta.occurred_at_us, &Report::redeemed_cash_fen, amount)) {
      return Fail(Outcome::kAmountOverflow);
    }
  } else if (e.amount_fen()) {
    return Fail(Outcome::kAmountNotClientSettable);
  }

  const MemberId member_id(Str(e.member_id()));
  TakeId("redemption", Str(e.redemption_id()));
  Touch(members_, Table::kMember, member_id);
  Member& m = members_.find(member_id)->second;
  m.credit_minutes -= minutes;
  m.gifted_minutes -= gifted;
  m.redeemed_minutes += minutes;
  if (cash && amount > Fen{}) {
    Outflow outflow;
    outflow.type = "RedemptionMade";
    outflow.category = static_cast<int>(Category::kRedemption);
    outflow.purpose = std::string(kRedemptionPurpose);
    outflow.amount_fen = amount;
    outflow.at_us = meta.occurred_at_us;
    outflow.recipient = member_id;
    RecordOutflow(OutflowRef(Str(e.redemption_id())), FundRef(Str(e.fund_id())),
                  std::move(outflow));
    const std::string used_key = Join(member_id.view(), std::to_string(month));
    Touch(cash_used_, Table::kCashUsed, used_key);
    cash_used_[used_key] += amount;
  }
  AddToReports(m.branch_id, meta.occurred_at_us, [&](Report& r, const ReportKey&) {
    if (cash) {
      r.redeemed_cash_fen += amount;
    } else {
      r.redeemed_training_minutes += minutes;
    }
  });
  RecordReversible(meta, RedemptionUndo{OutflowId(Str(e.redemption_id())), member_id, e.reward(),
                                        minutes, amount, gifted});
  return Execution{Outcome::kOk, cash ? std::optional<Fen>(amount) : std::nullopt};
}

}  // namespace ledger
