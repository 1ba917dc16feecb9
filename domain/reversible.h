// Reversible: a recorded event that a later EventReversed may undo, with exactly what undoing it
// needs. Each reversible event type has its own small undo record; Undo is their variant, so a
// new reversible event is a new alternative, and every std::visit over Undo (the check and the
// apply step of a reversal, the report figure it takes back, the row codec, the partner feed and
// the scope rules) fails to compile until it handles it.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "domain/fund_terms.h"
#include "domain/ids.h"
#include "domain/money.h"
#include "events_generated.h"

namespace ledger {

struct ServiceVerifiedUndo {
  static constexpr events::Data kType = events::Data::ServiceVerified;
  ServiceId service_id;
  Minutes minutes;
  // The request this verification resolved (empty if none): its reversal re-opens it.
  RequestId resolved_request_id;
  bool operator==(const ServiceVerifiedUndo&) const = default;
};

struct TrainingUndo {
  static constexpr events::Data kType = events::Data::TrainingCompleted;
  MemberId member_id;
  Minutes minutes;
  bool operator==(const TrainingUndo&) const = default;
};

struct TransferUndo {
  static constexpr events::Data kType = events::Data::CreditsTransferred;
  MemberId from_member_id;
  MemberId to_member_id;
  Minutes minutes;
  // Of `minutes`, those the giver had received as gifts herself (spent first): her reversal
  // gives them back as received credits.
  Minutes giver_gifted_minutes;
  // False for a transfer recorded before gifts were tracked (CreditsTransferred.gift absent).
  bool gift = true;
  bool operator==(const TransferUndo&) const = default;
};

struct DonationUndo {
  static constexpr events::Data kType = events::Data::DonationReceived;
  SourceId donation_id;
  Fen amount_fen;
  bool operator==(const DonationUndo&) const = default;
};

struct SaleUndo {
  static constexpr events::Data kType = events::Data::SaleRecorded;
  SourceId sale_id;
  Channel channel = Channel::kCharitySale;  // the inflow channel its fund's share counted in
  PartnerId buyer_partner_id;               // empty for an anonymous charity sale
  MemberId maker_id;                        // empty when no member made it
  Fen maker_share_fen;
  Fen proceeds_fen;
  bool operator==(const SaleUndo&) const = default;
};

struct DisbursementUndo {
  static constexpr events::Data kType = events::Data::DisbursementMade;
  OutflowId disbursement_id;
  Fen amount_fen;
  bool operator==(const DisbursementUndo&) const = default;
};

struct ExpenseUndo {
  static constexpr events::Data kType = events::Data::ExpenseRecorded;
  OutflowId expense_id;
  Fen amount_fen;
  bool operator==(const ExpenseUndo&) const = default;
};

struct RedemptionUndo {
  static constexpr events::Data kType = events::Data::RedemptionMade;
  OutflowId redemption_id;  // also the outflow's id when it drew on a fund
  MemberId member_id;
  events::RewardKind reward = events::RewardKind::cash;
  Minutes minutes;
  Fen amount_fen;  // the cash paid; zero for training
  // Of `minutes`, those received as gifts (spent first, paid without star bonus).
  Minutes gifted_minutes;
  // True when the redemption paid cash from a fund (and so recorded an outflow).
  bool DrewOnFund() const { return reward == events::RewardKind::cash && amount_fen > Fen{}; }
  bool operator==(const RedemptionUndo&) const = default;
};

// An activity (ActivityHeld) undone: its report figures go, and its id may be recorded anew.
struct ActivityUndo {
  static constexpr events::Data kType = events::Data::ActivityHeld;
  ActivityId activity_id;
  int64_t beneficiaries = 0;
  bool operator==(const ActivityUndo&) const = default;
};

using Undo = std::variant<ServiceVerifiedUndo, TrainingUndo, TransferUndo, DonationUndo, SaleUndo,
                          DisbursementUndo, ExpenseUndo, RedemptionUndo, ActivityUndo>;

struct Reversible {
  IdText stream;  // the original's stream: its reversal is appended there
  Undo undo;
  bool reversed = false;

  events::Data type() const {
    return std::visit([](const auto& u) { return std::decay_t<decltype(u)>::kType; }, undo);
  }
  bool operator==(const Reversible&) const = default;
};

// For std::visit with one lambda per alternative.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace ledger
