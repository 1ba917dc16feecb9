// Data Integrity proofs of the W3C "Data Integrity EdDSA Cryptosuites v1.0", cryptosuite
// eddsa-jcs-2022 (§3.3), and did:key identifiers of Ed25519 keys: what makes a certificate
// verifiable by anyone holding only the ledger's public key (docs/certificates.md).
//
//   hashData   = SHA-256(JCS(proof configuration)) || SHA-256(JCS(document without proof))
//   proofValue = 'z' + base58btc(Ed25519 signature of hashData)
//
// The proof configuration is the proof without proofValue, with the document's @context.
// Thread-safe: no state.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::api {

// "did:key:z6Mk...": multibase base58btc of the multicodec ed25519-pub prefix 0xed 0x01 and the
// raw 32-byte `public_key`.
std::string DidKeyOf(std::string_view public_key);

// The raw public key of an Ed25519 did:key, or of a verification method "did:key:z…#z…" whose
// fragment is the same key; nullopt for anything else.
std::optional<std::string> PublicKeyOfDidKey(std::string_view did_or_method);

// "did:key:z…#z…": the did:key's verification method (its fragment is its own multibase key).
std::string VerificationMethodOf(std::string_view did_key);

// The steps of the algorithm, for tests against the specification's vectors.
struct ProofHashing {
  std::string canonical_proof_config;
  std::string canonical_document;
  std::string hash_data;  // 64 bytes: proof configuration hash, then document hash
};
// REQUIRES: `proof_config` has no proofValue and `unsecured` no proof.
ProofHashing HashForProof(const boost::json::object& proof_config,
                          const boost::json::object& unsecured);

// Signs messages with the issuer's Ed25519 key: 64 bytes.
using Ed25519Signer = std::function<std::string(std::string_view message)>;

// `unsecured` with a "proof": DataIntegrityProof, eddsa-jcs-2022, `created` (an XML Schema
// dateTimeStamp), `verification_method`, proofPurpose assertionMethod, the document's
// @context, and proofValue.
boost::json::object AddProof(const boost::json::object& unsecured, std::string_view created,
                             std::string_view verification_method, const Ed25519Signer& sign);

struct ProofVerification {
  bool valid = false;
  std::string reason;  // why not, in a sentence, when not valid
};

// Verifies `secured`'s eddsa-jcs-2022 proof (§3.3.2) with the raw Ed25519 `public_key`: the
// proof names that key as its did:key verification method, its @context is the document's, and
// the signature holds.
ProofVerification VerifyProof(const boost::json::object& secured, std::string_view public_key);

// The hex SHA-256 of JCS(`unsecured`): the digest the ledger records of a credential it issued.
std::string DocumentDigestHex(const boost::json::object& unsecured);

}  // namespace ledger::api
