// Attestation tokens as POST /v1/attestations/verify checks them (api/attestation_token:
// VerifyAttestation with a fixed key). The first byte picks what the rest is:
//   even: a token as a merchant might send it (base64url, the dot, the signature check);
//   odd:  a statement, signed here with the ledger's key, to reach what follows a good signature
//         (the statement's JSON and its expiry).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/attestation_token.h"
#include "api/encoding.h"
#include "eventstore/signing_key.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_temp_dir.h"

namespace {

// The fixed key, made once; the domain prefix is attestation_token.cc's.
const ledger::SigningKey& Key() {
  static const std::shared_ptr<const ledger::SigningKey> key = [] {
    auto loaded = ledger::SigningKey::LoadOrCreate(FuzzTempDir() + "/signing.key");
    FUZZ_CHECK(loaded.ok());
    return std::move(loaded).value();
  }();
  return *key;
}

constexpr std::string_view kAttestationDomain = "zhaiyi-attestation-v1.";
constexpr int64_t kNowUs = 1'790'000'000'000'000;  // 2026-09

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = ledger::api;
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string token;
  if ((data[0] & 1) == 0) {
    token = std::string(rest);
  } else {
    const std::string payload = api::Base64Url(rest);
    token = payload + "." + api::Base64Url(Key().Sign(std::string(kAttestationDomain) + payload));
  }
  api::VerifiedAttestation verified = api::VerifyAttestation(token, Key().public_key(), kNowUs);
  if (verified.check == api::AttestationCheck::kExpired) FUZZ_CHECK(!verified.expires_at.empty());
  if ((data[0] & 1) == 0) {
    // Nobody but the key's holder makes a token that verifies.
    FUZZ_CHECK(verified.check == api::AttestationCheck::kInvalid);
  }
  return 0;
}
