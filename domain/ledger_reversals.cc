// Reversals: EventReversed undoes a reversible event exactly. Each undo record (reversible.h)
// has its own check (which branch's seal applies, which balance the undo needs, which report
// figure it takes money out of) and its own apply step; the visits below make the compiler name
// every reversible type that lacks one.
#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

Execution LedgerState::OnEventReversed(const EventMeta& meta, const events::EventReversed& e) {
  if (!Present(e.reversal_id()) || !Present(e.reverses_id()) || !Present(e.reason())) {
    return Fail(Outcome::kInvalidField);
  }
  const EventRef target_id(Str(e.reverses_id()));
  const Reversible* target = FindReversible(target_id);
  if (target == nullptr) return Fail(Outcome::kUnknownEvent);
  if (IdTaken("reversal", Str(e.reversal_id()))) return Fail(Outcome::kAlreadyExists);
  if (meta.stream != target->stream.view()) return Fail(Outcome::kWrongStream);
  if (target->reversed) return Fail(Outcome::kAlreadyReversed);

  const UndoCheck check =
      std::visit([&](const auto& undo) { return CheckUndo(undo); }, target->undo);
  if (Outcome o = CheckSeal(check.branch, meta.occurred_at_us); o != Outcome::kOk) return Fail(o);
  if (check.balance != Outcome::kOk) return Fail(check.balance);
  // A reversal takes the fact's money out of the reports of the reversal's own month.
  if (check.reported != nullptr &&
      !ReportsFit(check.branch, meta.occurred_at_us, check.reported, Fen{} - check.reported_fen)) {
    return Fail(Outcome::kAmountOverflow);
  }

  TakeId("reversal", Str(e.reversal_id()));
  const Undo undo = target->undo;  // the map entry may move when the state changes
  Touch(reversibles_, Table::kReversible, target_id);
  reversibles_.find(target_id)->second.reversed = true;
  std::visit([&](const auto& u) { ApplyUndo(u, meta.occurred_at_us); }, undo);
  return Execution{};
}

void LedgerState::RecordReversible(const EventMeta& meta, Undo undo) {
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id),
                                Reversible{IdText(meta.stream), std::move(undo), false});
}

// ---- checks: nothing changes here ----

LedgerState::UndoCheck LedgerState::CheckUndo(const ServiceVerifiedUndo& u) const {
  const Service& service = services_.find(u.service_id)->second;
  const Member& volunteer = members_.find(service.volunteer_id)->second;
  const bool spent = volunteer.credit_minutes < u.minutes;
  return {volunteer.branch_id, spent ? Outcome::kInsufficientCredits : Outcome::kOk};
}

LedgerState::UndoCheck LedgerState::CheckUndo(const TrainingUndo& u) const {
  return {members_.find(u.member_id)->second.branch_id};
}

LedgerState::UndoCheck LedgerState::CheckUndo(const TransferUndo& u) const {
  const bool spent = members_.find(u.to_member_id)->second.credit_minutes < u.minutes;
  return {members_.find(u.from_member_id)->second.branch_id,
          spent ? Outcome::kInsufficientCredits : Outcome::kOk};
}

LedgerState::UndoCheck LedgerState::CheckUndo(const DonationUndo& u) const {
  const Source& source = sources_.find(u.donation_id)->second;
  if (source.in_kind) {  // goods already handed out cannot be taken back
    const bool handed_out = !source.goods_uses.empty();
    return {funds_.find(source.fund_id)->second.branch_id,
            handed_out ? Outcome::kInsufficientGoods : Outcome::kOk, &Report::in_kind_received_fen,
            u.amount_fen};
  }
  UndoCheck check = CheckUndoInflow(u.donation_id);
  check.reported = &Report::donations_fen;
  check.reported_fen = u.amount_fen;
  return check;
}

LedgerState::UndoCheck LedgerState::CheckUndo(const SaleUndo& u) const {
  UndoCheck check = CheckUndoInflow(u.sale_id);
  check.reported = &Report::sales_fen;
  check.reported_fen = u.proceeds_fen;
  return check;
}

// Money already spent cannot be taken back: the whole inflow must be unallocated.
LedgerState::UndoCheck LedgerState::CheckUndoInflow(SourceRef source_id) const {
  const Source& source = sources_.find(source_id)->second;
  const bool spent = source.remaining_fen != source.amount_fen;
  return {funds_.find(source.fund_id)->second.branch_id,
          spent ? Outcome::kInsufficientFunds : Outcome::kOk};
}

LedgerState::UndoCheck LedgerState::CheckUndo(const DisbursementUndo& u) const {
  return {OutflowBranch(u.disbursement_id), Outcome::kOk, &Report::disbursed_fen, u.amount_fen};
}

LedgerState::UndoCheck LedgerState::CheckUndo(const ExpenseUndo& u) const {
  return {OutflowBranch(u.expense_id)};
}

LedgerState::UndoCheck LedgerState::CheckUndo(const RedemptionUndo& u) const {
  UndoCheck check{members_.find(u.member_id)->second.branch_id};
  if (u.reward == events::RewardKind::cash) {
    check.reported = &Report::redeemed_cash_fen;
    check.reported_fen = u.amount_fen;
  }
  return check;
}

LedgerState::UndoCheck LedgerState::CheckUndo(const ActivityUndo& u) const {
  return {activities_.find(u.activity_id)->second.branch_id};
}

BranchId LedgerState::OutflowBranch(OutflowRef outflow_id) const {
  return funds_.find(outflows_.find(outflow_id)->second.fund_id)->second.branch_id;
}

// ---- apply steps: run only after every check passed ----

void LedgerState::ApplyUndo(const ServiceVerifiedUndo& u, int64_t at_us) {
  Touch(services_, Table::kService, u.service_id);
  Service& service = services_.find(u.service_id)->second;
  service.status = ServiceStatus::kReversed;
  Touch(members_, Table::kMember, service.volunteer_id);
  Member& volunteer = members_.find(service.volunteer_id)->second;
  volunteer.verified_minutes -= u.minutes;
  volunteer.credit_minutes -= u.minutes;
  // The minutes taken back were earned; if she had spent those, gifts make up the rest.
  volunteer.gifted_minutes = std::min(volunteer.gifted_minutes, volunteer.credit_minutes);
  SetStar(volunteer);
  AddToReports(volunteer.branch_id, at_us, [&](Report& r, const ReportKey&) {
    r.verified_minutes -= u.minutes;
    --r.services;
  });
  if (!u.resolved_request_id.empty()) ReopenRequest(u.resolved_request_id, at_us);
}

void LedgerState::ApplyUndo(const TrainingUndo& u, int64_t) {
  Touch(members_, Table::kMember, u.member_id);
  members_.find(u.member_id)->second.training_minutes -= u.minutes;
}

void LedgerState::ApplyUndo(const TransferUndo& u, int64_t) {
  Touch(members_, Table::kMember, u.from_member_id);
  Touch(members_, Table::kMember, u.to_member_id);
  Member& giver = members_.find(u.from_member_id)->second;
  giver.credit_minutes += u.minutes;
  giver.gifted_minutes += u.giver_gifted_minutes;
  giver.gifted_minutes = std::min(giver.gifted_minutes, giver.credit_minutes);
  // The receiver gives back the gift: from her gifts as far as she still holds them.
  Member& receiver = members_.find(u.to_member_id)->second;
  receiver.credit_minutes -= u.minutes;
  if (u.gift) receiver.gifted_minutes -= std::min(receiver.gifted_minutes, u.minutes);
  receiver.gifted_minutes = std::min(receiver.gifted_minutes, receiver.credit_minutes);
}

void LedgerState::ApplyUndo(const DonationUndo& u, int64_t at_us) {
  const Source& source = sources_.find(u.donation_id)->second;
  const PartnerId donor = source.partner_id;
  const Fen donated = source.amount_fen;
  if (source.in_kind) {
    ReturnGoods(source);
    Touch(sources_, Table::kSource, u.donation_id);
    sources_.find(u.donation_id)->second.reversed = true;
    TouchPartner(donor);
    partners_.find(donor)->second.in_kind_fen -= donated;
    const BranchId branch = funds_.find(source.fund_id)->second.branch_id;
    AddToReports(branch, at_us,
                 [&](Report& r, const ReportKey&) { r.in_kind_received_fen -= donated; });
    return;
  }
  const BranchId branch = UndoInflow(u.donation_id, Channel::kDonation);
  TouchPartner(donor);
  partners_.find(donor)->second.donated_fen -= donated;
  AddToReports(branch, at_us, [&](Report& r, const ReportKey&) { r.donations_fen -= donated; });
}

void LedgerState::ApplyUndo(const SaleUndo& u, int64_t at_us) {
  const BranchId branch = UndoInflow(u.sale_id, u.channel);
  if (!u.buyer_partner_id.empty()) {
    TouchPartner(u.buyer_partner_id);
    partners_.find(u.buyer_partner_id)->second.purchased_fen -= u.proceeds_fen;
  }
  if (!u.maker_id.empty()) {
    Touch(members_, Table::kMember, u.maker_id);
    members_.find(u.maker_id)->second.income_fen -= u.maker_share_fen;
  }
  AddToReports(branch, at_us, [&](Report& r, const ReportKey&) { r.sales_fen -= u.proceeds_fen; });
}

// Takes a whole, unspent inflow back out of its fund; returns the fund's branch.
BranchId LedgerState::UndoInflow(SourceRef source_id, Channel channel) {
  Touch(sources_, Table::kSource, source_id);
  Source& source = sources_.find(source_id)->second;
  Touch(funds_, Table::kFund, source.fund_id);
  Fund& fund = funds_.find(source.fund_id)->second;
  if (source.amount_fen > Fen{}) {
    CloseSource(Join(source.fund_id.view(), source.purpose), source.order);
  }
  if (source.purpose.empty()) {
    fund.unrestricted_fen -= source.amount_fen;
  } else {
    fund.earmarks_fen[source.purpose] -= source.amount_fen;
  }
  fund.balance_fen -= source.amount_fen;
  fund.inflow_fen -= source.amount_fen;
  fund.inflow_by_channel_fen[static_cast<int>(channel)] -= source.amount_fen;
  source.remaining_fen = Fen{};
  source.reversed = true;
  return fund.branch_id;
}

void LedgerState::ApplyUndo(const DisbursementUndo& u, int64_t at_us) {
  const BranchId branch = OutflowBranch(u.disbursement_id);
  UnwindOutflow(u.disbursement_id);
  AddToReports(branch, at_us,
               [&](Report& r, const ReportKey&) { r.disbursed_fen -= u.amount_fen; });
}

void LedgerState::ApplyUndo(const ExpenseUndo& u, int64_t) { UnwindOutflow(u.expense_id); }

void LedgerState::ApplyUndo(const RedemptionUndo& u, int64_t at_us) {
  Touch(members_, Table::kMember, u.member_id);
  Member& member = members_.find(u.member_id)->second;
  member.credit_minutes += u.minutes;
  member.gifted_minutes += u.gifted_minutes;
  member.redeemed_minutes -= u.minutes;
  const bool cash = u.reward == events::RewardKind::cash;
  if (u.DrewOnFund()) UnwindOutflow(u.redemption_id);
  AddToReports(member.branch_id, at_us, [&](Report& r, const ReportKey&) {
    if (cash) {
      r.redeemed_cash_fen -= u.amount_fen;
    } else {
      r.redeemed_training_minutes -= u.minutes;
    }
  });
}

void LedgerState::ApplyUndo(const ActivityUndo& u, int64_t at_us) {
  Touch(activities_, Table::kActivity, u.activity_id);
  Activity& activity = activities_.find(u.activity_id)->second;
  activity.reversed = true;
  AddToReports(activity.branch_id, at_us, [&](Report& r, const ReportKey&) {
    --r.activities;
    r.beneficiaries -= u.beneficiaries;
  });
}

}  // namespace ledger
