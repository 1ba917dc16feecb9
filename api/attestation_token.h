// Attestation tokens: a member's signed statement for a merchant (star, verified hours, expiry),
// checkable offline with the ledger's public key.
//
//   token = base64url(statement JSON) "." base64url(Ed25519 signature of
//           "zhaiyi-attestation-v1." + the first part)
//
// The domain prefix keeps a token's signature from ever being valid for anything else the key
// signs (checkpoints sign "ZLCP1..."). Thread-safe: no state.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "eventstore/signing_key.h"

namespace ledger::api {

// The token for `statement`, signed with `key`.
std::string SignAttestation(const SigningKey& key, const boost::json::object& statement);

enum class AttestationCheck { kValid, kInvalid, kExpired };

struct VerifiedAttestation {
  AttestationCheck check = AttestationCheck::kInvalid;
  boost::json::object statement;  // when valid or expired
  std::string expires_at;         // the statement's expiry, when expired
};

// Checks the signature with `public_key` (raw 32 bytes) and the expiry against `now_us`.
VerifiedAttestation VerifyAttestation(std::string_view token, std::string_view public_key,
                                      int64_t now_us);

}  // namespace ledger::api
