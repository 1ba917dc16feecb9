#include "api/data_integrity.h"

#include <openssl/evp.h>

#include <boost/json/array.hpp>

#include "api/base58.h"
#include "api/encoding.h"
#include "api/jcs.h"
#include "domain/assert.h"
#include "eventstore/signing_key.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kDidKeyPrefix = "did:key:";
constexpr char kEd25519PubMulticodec[] = {'\xed', '\x01'};
constexpr std::string_view kCryptosuite = "eddsa-jcs-2022";

std::string Sha256(std::string_view bytes) {
  std::string digest(32, '\0');
  unsigned int size = 0;
  LEDGER_ASSERT(EVP_Digest(bytes.data(), bytes.size(),
                           reinterpret_cast<unsigned char*>(digest.data()), &size, EVP_sha256(),
                           nullptr) == 1);
  LEDGER_ASSERT(size == digest.size());
  return digest;
}

// The raw key of a multibase "z…" ed25519-pub value.
std::optional<std::string> KeyOfMultibase(std::string_view multibase) {
  if (multibase.empty() || multibase[0] != 'z') return std::nullopt;
  std::optional<std::string> bytes = Base58Decode(multibase.substr(1));
  if (!bytes || bytes->size() != 2 + kPublicKeyBytes ||
      bytes->compare(0, 2, kEd25519PubMulticodec, 2) != 0) {
    return std::nullopt;
  }
  return bytes->substr(2);
}

std::string_view StringOr(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string_view(value->get_string())
                                                : std::string_view();
}

}  // namespace

std::string DidKeyOf(std::string_view public_key) {
  LEDGER_ASSERT(public_key.size() == kPublicKeyBytes);
  std::string bytes(kEd25519PubMulticodec, 2);
  bytes.append(public_key);
  return std::string(kDidKeyPrefix) + "z" + Base58Encode(bytes);
}

std::optional<std::string> PublicKeyOfDidKey(std::string_view did_or_method) {
  if (did_or_method.substr(0, kDidKeyPrefix.size()) != kDidKeyPrefix) return std::nullopt;
  std::string_view rest = did_or_method.substr(kDidKeyPrefix.size());
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos && rest.substr(hash + 1) != rest.substr(0, hash)) {
    return std::nullopt;
  }
  return KeyOfMultibase(rest.substr(0, hash));
}

std::string VerificationMethodOf(std::string_view did_key) {
  return std::string(did_key) + "#" + std::string(did_key.substr(kDidKeyPrefix.size()));
}

ProofHashing HashForProof(const json::object& proof_config, const json::object& unsecured) {
  LEDGER_ASSERT(!proof_config.contains("proofValue"));
  LEDGER_ASSERT(!unsecured.contains("proof"));
  ProofHashing out;
  out.canonical_proof_config = CanonicalJson(proof_config);
  out.canonical_document = CanonicalJson(unsecured);
  out.hash_data = Sha256(out.canonical_proof_config) + Sha256(out.canonical_document);
  return out;
}

json::object AddProof(const json::object& unsecured, std::string_view created,
                      std::string_view verification_method, const Ed25519Signer& sign) {
  json::object proof{{"type", "DataIntegrityProof"},
                     {"cryptosuite", kCryptosuite},
                     {"created", created},
                     {"verificationMethod", verification_method},
                     {"proofPurpose", "assertionMethod"}};
  if (const json::value* context = unsecured.if_contains("@context")) {
    proof["@context"] = *context;
  }
  const std::string signature = sign(HashForProof(proof, unsecured).hash_data);
  LEDGER_ASSERT(signature.size() == kSignatureBytes);
  proof["proofValue"] = "z" + Base58Encode(signature);
  json::object secured = unsecured;
  secured["proof"] = std::move(proof);
  return secured;
}

ProofVerification VerifyProof(const json::object& secured, std::string_view public_key) {
  const json::value* proof_value = secured.if_contains("proof");
  if (proof_value == nullptr || !proof_value->is_object()) {
    return {false, "the credential has no proof"};
  }
  json::object proof_config = proof_value->get_object();
  json::object unsecured = secured;
  unsecured.erase("proof");
  if (StringOr(proof_config, "type") != "DataIntegrityProof" ||
      StringOr(proof_config, "cryptosuite") != kCryptosuite) {
    return {false, "the proof is not a DataIntegrityProof of eddsa-jcs-2022"};
  }
  if (StringOr(proof_config, "proofPurpose") != "assertionMethod") {
    return {false, "the proof's purpose is not assertionMethod"};
  }
  if (StringOr(proof_config, "created").empty()) return {false, "the proof has no created time"};
  // §3.3.2: the proof's @context, when present, must begin the document's, and is the one the
  // proof was made with.
  if (const json::value* context = proof_config.if_contains("@context")) {
    const json::value* document_context = secured.if_contains("@context");
    const bool prefix = [&] {
      if (document_context == nullptr) return false;
      if (!context->is_array() || !document_context->is_array()) {
        return *context == *document_context;
      }
      const json::array& ours = context->get_array();
      const json::array& theirs = document_context->get_array();
      if (ours.size() > theirs.size()) return false;
      for (size_t i = 0; i < ours.size(); ++i) {
        if (ours[i] != theirs[i]) return false;
      }
      return true;
    }();
    if (!prefix) return {false, "the proof's @context does not begin the credential's"};
    unsecured["@context"] = *context;
  }
  const std::optional<std::string> key =
      PublicKeyOfDidKey(StringOr(proof_config, "verificationMethod"));
  if (!key) return {false, "the verification method is not an Ed25519 did:key"};
  if (*key != public_key) return {false, "the proof is not by this ledger's key"};
  const std::string_view multibase = StringOr(proof_config, "proofValue");
  std::optional<std::string> signature =
      !multibase.empty() && multibase[0] == 'z' ? Base58Decode(multibase.substr(1)) : std::nullopt;
  if (!signature || signature->size() != kSignatureBytes) {
    return {false, "proofValue is not a base58btc Ed25519 signature"};
  }
  proof_config.erase("proofValue");
  if (!VerifySignature(public_key, HashForProof(proof_config, unsecured).hash_data, *signature)) {
    return {false, "the signature does not match the credential"};
  }
  return {true, ""};
}

std::string DocumentDigestHex(const json::object& unsecured) {
  return Hex(Sha256(CanonicalJson(unsecured)));
}

}  // namespace ledger::api
