// eddsa-jcs-2022 and its parts against published vectors: the test vector of the W3C "Data
// Integrity EdDSA Cryptosuites v1.0" (its appendix; w3c/vc-di-eddsa TestVectors/eddsa-jcs-2022),
// RFC 8785's examples for JCS, and base58btc vectors of the Bitcoin and multiformats test suites.
#include "api/data_integrity.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "api/base58.h"
#include "api/encoding.h"
#include "api/jcs.h"

namespace ledger::api {
namespace {
namespace json = boost::json;

TEST(Base58Test, EncodesAndDecodesKnownVectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {std::string("\0", 1), "1"},
      {std::string("\0\0\x01", 3), "112"},
      {"Hello World!", "2NEpo7TZRRrLZSi2U"},
      {"The quick brown fox jumps over the lazy dog.",
       "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"},
      {std::string("\x00\x00\x00\x28\x7f\xb4\xcd", 7), "111233QC4"},
  };
  for (const auto& [bytes, text] : vectors) {
    EXPECT_EQ(Base58Encode(bytes), text);
    EXPECT_EQ(Base58Decode(text), bytes) << text;
  }
  EXPECT_FALSE(Base58Decode("0OIl"));  // outside the alphabet
}

TEST(JcsTest, SortsNamesByUtf16CodeUnitsAndEscapesAsRfc8785) {
  // RFC 8785 §3.2.3's sorting example: names by UTF-16 code units, not by code points.
  const json::value sorting = json::parse(
      R"({"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"})");
  EXPECT_EQ(
      CanonicalJson(sorting),
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":"
      "\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":"
      "\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
  // §3.2.2.2: short escapes, \u00xx for other controls, everything else as it is.
  const json::value strings = json::parse(R"(["\u0000\u001f\b\t\n\f\r\"\\/", "\u2028€"])");
  EXPECT_EQ(CanonicalJson(strings),
            "[\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\",\"\xe2\x80\xa8€\"]");
}

TEST(JcsTest, WritesNumbersAsEcmaScript) {
  // RFC 8785 §3.2.2.3 and its Appendix B. The doubles come from C++ literals (correctly rounded):
  // Boost 1.81's JSON parser may be one unit off in the last place.
  const json::value numbers = json::array{333333333.33333329,
                                          1E30,
                                          4.50,
                                          2e-3,
                                          0.000000000000000000000000001,
                                          -0.0,
                                          0,
                                          1e21,
                                          1e-7,
                                          123456789012345680000.0,
                                          4.5e-6,
                                          int64_t{9007199254740991},
                                          -1};
  EXPECT_EQ(CanonicalJson(numbers),
            "[333333333.3333333,1e+30,4.5,0.002,1e-27,0,0,1e+21,1e-7,123456789012345680000,"
            "0.0000045,9007199254740991,-1]");
  EXPECT_EQ(CanonicalJson(json::parse(R"({"b":[true,null,{}],"a":"x"})")),
            R"({"a":"x","b":[true,null,{}]})");
}

TEST(DidKeyTest, SpecificationKeyPairRoundTrips) {
  std::optional<std::string> key =
      PublicKeyOfDidKey("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
  ASSERT_TRUE(key);
  EXPECT_EQ(DidKeyOf(*key), "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
  EXPECT_EQ(VerificationMethodOf("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"),
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#"
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
  EXPECT_FALSE(
      PublicKeyOfDidKey("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#zOther"));
  EXPECT_FALSE(PublicKeyOfDidKey("did:web:example.org"));
}

// The specification's vector, step by step: key pair (TestVectors/keyPair.json), unsecured
// credential (unsigned.json), proof options, canonical forms, hashes, signature (proofValue).
TEST(DataIntegrityTest, MatchesTheEddsaJcs2022TestVector) {
  ASSERT_GE(sodium_init(), 0);
  std::optional<std::string> secret =
      Base58Decode("3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq");
  ASSERT_TRUE(secret);
  ASSERT_EQ(secret->size(), 34u);
  ASSERT_EQ(Hex(secret->substr(0, 2)), "8026");  // multicodec ed25519-priv
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(public_key, secret_key,
                           reinterpret_cast<const unsigned char*>(secret->data() + 2));
  const std::string raw_public(reinterpret_cast<const char*>(public_key), sizeof public_key);
  const std::string did = DidKeyOf(raw_public);
  ASSERT_EQ(did, "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");

  const json::object unsecured = json::parse(R"({
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
  })")
                                     .as_object();
  const json::object proof_config = json::parse(R"({
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "proofPurpose": "assertionMethod",
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]
  })")
                                        .as_object();
  const ProofHashing hashing = HashForProof(proof_config, unsecured);
  EXPECT_EQ(
      hashing.canonical_document,
      R"({"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:abcdefgh"},"description":"A minimum viable example of an Alumni Credential.","id":"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678","name":"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],"validFrom":"2023-01-01T00:00:00Z"})");
  EXPECT_EQ(
      hashing.canonical_proof_config,
      R"({"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"created":"2023-02-24T23:36:38Z","cryptosuite":"eddsa-jcs-2022","proofPurpose":"assertionMethod","type":"DataIntegrityProof","verificationMethod":"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"})");
  EXPECT_EQ(Hex(hashing.hash_data),
            "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db"
            "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19");
  EXPECT_EQ(DocumentDigestHex(unsecured),
            "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19");

  auto sign = [&](std::string_view message) {
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), secret_key);
    return std::string(reinterpret_cast<const char*>(signature), sizeof signature);
  };
  const json::object secured =
      AddProof(unsecured, "2023-02-24T23:36:38Z", VerificationMethodOf(did), sign);
  const json::object& proof = secured.at("proof").as_object();
  EXPECT_EQ(
      proof.at("proofValue").as_string(),
      "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX");
  EXPECT_EQ(Hex(*Base58Decode(proof.at("proofValue").as_string().subview(1))),
            "407cd12654b33d718ecbb99179a1506daaa849450bf3fc523cce3e1c96f8b803"
            "51da3f253d725c6f00b07c9e5448d50b3ef78012b9ab54255116d069c6dd2808");
  // The specification's signed credential verifies; changing any of it does not.
  EXPECT_TRUE(VerifyProof(secured, raw_public).valid);
  json::object altered = secured;
  altered["credentialSubject"].as_object()["alumniOf"] = "Another School";
  EXPECT_FALSE(VerifyProof(altered, raw_public).valid);
  altered = secured;
  altered["proof"].as_object()["created"] = "2023-02-24T23:36:39Z";
  EXPECT_FALSE(VerifyProof(altered, raw_public).valid);
  std::string other_key = raw_public;
  other_key[0] ^= 1;
  EXPECT_EQ(VerifyProof(secured, other_key).reason, "the proof is not by this ledger's key");
}

}  // namespace
}  // namespace ledger::api
