// Outcome: the closed set of answers a domain rule gives, in the precedence order in which the
// rules are checked (TigerBeetle's CreateTransferResult): input shape first, then references,
// then uniqueness, then state, then seals, then balances. A handler returns the first failure and
// changes nothing. Each outcome has one stable machine word, the API's problem `code`.
#pragma once

#include <cstdint>
#include <string_view>

namespace ledger {

enum class Outcome : uint8_t {
  kOk = 0,
  // The event itself is malformed (the API maps these to 400 invalid_field).
  kInvalidField,
  kWrongStream,
  // Amounts and quantities out of their allowed range (422).
  kInvalidAmount,
  kInvalidMinutes,
  kInvalidPolicy,
  kAmountOverflow,
  kAmountNotClientSettable,
  kItemsTotalMismatch,  // an in-kind donation's amount is not the total of its items' values
  kInvalidItems,        // goods named twice, or goods on a cash donation
  // References.
  kUnknownBranch,
  kUnknownMember,
  kUnknownPartner,
  kUnknownFund,
  kUnknownPairing,
  kUnknownService,
  kUnknownActivity,
  kUnknownDonation,
  kUnknownEvent,
  kUnknownAccount,
  kUnknownCertificate,
  kUnknownRequest,
  kUnknownGoods,  // goods the named in-kind donation did not give
  kUnknownAttestation,
  // Uniqueness.
  kAlreadyExists,
  kDuplicatePairing,
  kAlreadySealed,
  // State.
  kMemberInactive,
  kNotAVolunteer,
  kNotAnElder,
  kNotAMerchant,
  kDifferentBranch,
  kSameMember,
  // A gift of credits goes to a registered relative of the giver or an elder of her branch.
  kNotARelative,
  kPairingEnded,
  kAlreadyVerified,
  kAlreadyRejected,
  kServiceReversed,
  kAlreadyReversed,
  kAlreadyClosed,   // an account closed or a key revoked before
  kAlreadyRevoked,  // a certificate or an attestation revoked before
  kRestrictionUnchanged,
  // Service requests: a closed request takes nothing more; a visit answers the request of its
  // assigned volunteer and its elder only.
  kRequestCancelled,
  kRequestResolved,
  kAlreadyAssigned,  // assigned to this very volunteer already
  kNotAssigned,      // a service naming a request not assigned to its volunteer
  kWrongElder,       // a service naming a request for another elder (or for none)
  // Money and filing: a change of purpose needs the donor's consent first; a month is sealed
  // only after it ended (Beijing time); head office acknowledges only a sealed month.
  kNoDonorConsent,
  kMonthNotEnded,
  kMonthNotSealed,
  // A service is vouched for by its elder, the elder's registered relative, or someone who is
  // no member (the organiser); never by the volunteer who served.
  kInvalidConfirmation,
  kMonthSealed,
  // Personal data (docs/privacy.md): erased once; none recorded for a member after it.
  kAlreadyErased,
  kPersonalDataErased,
  // Balances.
  kInsufficientCredits,
  kInsufficientFunds,
  kInsufficientGoods,
  kMonthlyCapExceeded,
};

// The machine word for `outcome` ("ok", "unknown_member", "insufficient_funds", ...).
std::string_view OutcomeCode(Outcome outcome);

// True for outcomes that say the request itself is malformed (HTTP 400) rather than refused by
// a rule about the ledger's state (HTTP 422).
constexpr bool IsInputError(Outcome outcome) {
  return outcome == Outcome::kInvalidField || outcome == Outcome::kWrongStream;
}

}  // namespace ledger
