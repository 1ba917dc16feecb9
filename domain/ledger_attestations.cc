// LedgerState's rules for attestations beyond their issue (ledger_members.cc checks the member
// and the merchant): the terms an AttestationIssued must carry, the record the verify route and
// the scope rules read, and AttestationRevoked.
#include "domain/attestation_terms.h"
#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

// A purpose of 1..200 characters; at least one item disclosed, each a known one, ascending and
// each once (the route writes them so); a consent reference, when given, not empty.
bool LedgerState::ValidAttestationTerms(const events::AttestationIssued& e) {
  if (!ValidAttestationPurpose(Str(e.purpose()))) return false;
  if (e.discloses() == nullptr || e.discloses()->size() == 0) return false;
  for (size_t i = 0; i < e.discloses()->size(); ++i) {
    const auto item = static_cast<events::Disclosure>(e.discloses()->Get(i));
    if (!InRange(item)) return false;
    if (i > 0 && item <= static_cast<events::Disclosure>(e.discloses()->Get(i - 1))) return false;
  }
  return e.consent_ref() == nullptr || Present(e.consent_ref());
}

// The id stays a taken id, as before attestations had rows of their own: rows written then keep
// their meaning (no new rows format). A ledger that recorded attestations before has no row for
// them until `ledgerctl rebuild`: they cannot be revoked until then (unknown_attestation).
void LedgerState::RecordAttestation(const events::AttestationIssued& e) {
  const std::string id(Str(e.attestation_id()));
  TakeId("attestation", id);
  Touch(attestations_, Table::kAttestation, id);
  attestations_.emplace(id, Attestation{MemberId(Str(e.member_id())), false});
}

Execution LedgerState::OnAttestationRevoked(const EventMeta&, const events::AttestationRevoked& e) {
  if (!Present(e.attestation_id())) return Fail(Outcome::kInvalidField);
  const std::string id(Str(e.attestation_id()));
  const Attestation* attestation = FindAttestation(id);
  if (attestation == nullptr) return Fail(Outcome::kUnknownAttestation);
  if (attestation->revoked) return Fail(Outcome::kAlreadyRevoked);
  Touch(attestations_, Table::kAttestation, id);
  attestations_.find(id)->second.revoked = true;
  return kOk;
}

}  // namespace ledger
