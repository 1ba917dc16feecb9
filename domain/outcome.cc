#include "domain/outcome.h"

namespace ledger {

std::string_view OutcomeCode(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kInvalidField:
      return "invalid_field";
    case Outcome::kWrongStream:
      return "wrong_stream";
    case Outcome::kInvalidAmount:
      return "invalid_amount";
    case Outcome::kInvalidMinutes:
      return "invalid_minutes";
    case Outcome::kInvalidPolicy:
      return "invalid_policy";
    case Outcome::kAmountOverflow:
      return "amount_overflow";
    case Outcome::kAmountNotClientSettable:
      return "amount_not_client_settable";
    case Outcome::kUnknownBranch:
      return "unknown_branch";
    case Outcome::kUnknownMember:
      return "unknown_member";
    case Outcome::kUnknownPartner:
      return "unknown_partner";
    case Outcome::kUnknownFund:
      return "unknown_fund";
    case Outcome::kUnknownPairing:
      return "unknown_pairing";
    case Outcome::kUnknownService:
      return "unknown_service";
    case Outcome::kUnknownActivity:
      return "unknown_activity";
    case Outcome::kUnknownDonation:
      return "unknown_donation";
    case Outcome::kUnknownEvent:
      return "unknown_event";
    case Outcome::kUnknownAccount:
      return "unknown_account";
    case Outcome::kUnknownCertificate:
      return "unknown_certificate";
    case Outcome::kAlreadyExists:
      return "already_exists";
    case Outcome::kDuplicatePairing:
      return "duplicate_pairing";
    case Outcome::kAlreadySealed:
      return "already_sealed";
    case Outcome::kMemberInactive:
      return "member_inactive";
    case Outcome::kNotAVolunteer:
      return "not_a_volunteer";
    case Outcome::kNotAnElder:
      return "not_an_elder";
    case Outcome::kNotAMerchant:
      return "not_a_merchant";
    case Outcome::kDifferentBranch:
      return "different_branch";
    case Outcome::kSameMember:
      return "same_member";
    case Outcome::kPairingEnded:
      return "pairing_ended";
    case Outcome::kAlreadyVerified:
      return "already_verified";
    case Outcome::kAlreadyRejected:
      return "already_rejected";
    case Outcome::kServiceReversed:
      return "service_reversed";
    case Outcome::kAlreadyReversed:
      return "already_reversed";
    case Outcome::kAlreadyClosed:
      return "already_closed";
    case Outcome::kAlreadyRevoked:
      return "already_revoked";
    case Outcome::kRestrictionUnchanged:
      return "restriction_unchanged";
    case Outcome::kMonthSealed:
      return "month_sealed";
    case Outcome::kInsufficientCredits:
      return "insufficient_credits";
    case Outcome::kInsufficientFunds:
      return "insufficient_funds";
    case Outcome::kMonthlyCapExceeded:
      return "monthly_cap_exceeded";
  }
  return "unknown_outcome";
}

}  // namespace ledger
