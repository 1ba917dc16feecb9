// Pins the canonical bytes and chain hash to the vector in docs/event_format.md, which was
// computed independently (Python hashlib from the documented layout), and the envelope codec.
#include "eventstore/hash_chain.h"

#include <gtest/gtest.h>

#include "eventstore/envelope_codec.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

StoredEvent VectorEvent() { return testing::DocumentedVectorEvent(); }

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

TEST(HashChainTest, CanonicalBytesMatchTheDocumentedVector) {
  std::string canonical;
  AppendCanonicalBytes(VectorEvent(), &canonical);
  EXPECT_EQ(Hex(canonical),
            "5a4c45563200000000000000070000000c6d656d6265722d762d3030310000000000000003000000"
            "0c7376632d303030312d6c6f670000000d536572766963654c6f6767656400065ce7aecaf0000006"
            "5ce7aeda3240000000056b65792d370000000e7b226d696e75746573223a39307d");
}

TEST(HashChainTest, ChainHashMatchesTheDocumentedVector) {
  std::string scratch;
  StoredEvent event = VectorEvent();
  EXPECT_EQ(HexOf(ChainHash(event.prev_hash, event, &scratch)),
            "e5a326249e1e53d0fc730da578d71649d427837377e6494e6eb60ffe6a9ca057");
  EXPECT_EQ(HexOf(ChainHash(Hash{}, event, &scratch)),
            "90e38932e5948d8f1697b31d1776cc9d5fab693a80c8bf0034ea0b3cecb28cb3");
}

// Every field takes part in the hash: changing any one of them changes it.
TEST(HashChainTest, EveryFieldIsHashed) {
  std::string scratch;
  StoredEvent base = VectorEvent();
  base.hash = ChainHash(base.prev_hash, base, &scratch);
  ASSERT_TRUE(HashMatches(base, &scratch));
  std::vector<std::function<void(StoredEvent&)>> edits = {
      [](StoredEvent& e) { e.position.value++; },
      [](StoredEvent& e) { e.stream += "x"; },
      [](StoredEvent& e) { e.version.value++; },
      [](StoredEvent& e) { e.id += "x"; },
      [](StoredEvent& e) { e.type += "x"; },
      [](StoredEvent& e) { e.occurred_at_us++; },
      [](StoredEvent& e) { e.recorded_at_us++; },
      [](StoredEvent& e) { e.actor += "x"; },
      [](StoredEvent& e) { e.payload[0] ^= 1; },
      [](StoredEvent& e) { e.prev_hash[31] ^= 1; },
      // Moving a byte between adjacent fields must not collide (length prefixes).
      [](StoredEvent& e) {
        e.stream.pop_back();
        e.id = "1" + e.id;
      },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    StoredEvent edited = base;
    edits[i](edited);
    EXPECT_FALSE(HashMatches(edited, &scratch)) << "edit " << i;
  }
}

TEST(EnvelopeCodecTest, RoundTripsEveryField) {
  std::string scratch;
  StoredEvent event = VectorEvent();
  event.hash = ChainHash(event.prev_hash, event, &scratch);
  std::string bytes;
  EncodeEnvelope(event, &bytes);
  auto decoded = DecodeEnvelope(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->position, event.position);
  EXPECT_EQ(decoded->stream, event.stream);
  EXPECT_EQ(decoded->version, event.version);
  EXPECT_EQ(decoded->id, event.id);
  EXPECT_EQ(decoded->type, event.type);
  EXPECT_EQ(decoded->occurred_at_us, event.occurred_at_us);
  EXPECT_EQ(decoded->recorded_at_us, event.recorded_at_us);
  EXPECT_EQ(decoded->actor, event.actor);
  EXPECT_EQ(decoded->payload, event.payload);
  EXPECT_EQ(decoded->prev_hash, event.prev_hash);
  EXPECT_EQ(decoded->hash, event.hash);
}

TEST(EnvelopeCodecTest, GarbageIsCorruption) {
  EXPECT_EQ(DecodeEnvelope("not an envelope").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeEnvelope("").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace ledger
