// EventHasher must hash exactly what hash_chain.h hashes, and EnvelopeMatches must accept an
// envelope exactly when it holds the event it is compared with.
#include "eventstore/event_hasher.h"

#include <gtest/gtest.h>

#include <random>

#include "eventstore/envelope_check.h"
#include "eventstore/envelope_codec.h"
#include "eventstore/hash_chain.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

std::string RandomBytes(std::mt19937_64& random, size_t max_size) {
  std::string bytes(random() % (max_size + 1), '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

StoredEvent RandomEvent(std::mt19937_64& random) {
  StoredEvent event;
  event.position = Position{random()};
  event.stream = RandomBytes(random, 40);
  event.version = StreamVersion{random()};
  event.id = RandomBytes(random, 40);
  event.type = RandomBytes(random, 20);
  event.occurred_at_us = static_cast<int64_t>(random());
  event.recorded_at_us = static_cast<int64_t>(random());
  event.actor = RandomBytes(random, 20);
  event.payload = RandomBytes(random, 2000);
  for (uint8_t& byte : event.prev_hash) byte = static_cast<uint8_t>(random());
  return event;
}

// The documented test vector (docs/event_format.md).
TEST(EventHasherTest, ChainHashMatchesTheDocumentedVector) {
  const StoredEvent event = testing::DocumentedVectorEvent();
  EventHasher hasher;
  EXPECT_EQ(HexOf(hasher.ChainHash(event.prev_hash, event)),
            "e5a326249e1e53d0fc730da578d71649d427837377e6494e6eb60ffe6a9ca057");
  EXPECT_EQ(HexOf(hasher.ChainHash(Hash{}, event)),
            "90e38932e5948d8f1697b31d1776cc9d5fab693a80c8bf0034ea0b3cecb28cb3");
}

// One hasher reused over many events agrees with hash_chain.h on every one of them.
TEST(EventHasherTest, AgreesWithHashChainOnRandomEvents) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  EventHasher hasher;
  std::string scratch;
  for (int i = 0; i < 500; ++i) {
    const StoredEvent event = RandomEvent(random);
    ASSERT_EQ(hasher.ChainHash(event.prev_hash, event),
              ledger::ChainHash(event.prev_hash, event, &scratch));
    EventDraft draft;
    draft.id = event.id;
    draft.stream = event.stream;
    draft.type = event.type;
    draft.occurred_at_us = event.occurred_at_us;
    draft.actor = event.actor;
    draft.payload = event.payload;
    ASSERT_EQ(hasher.ContentDigest(draft), ledger::ContentDigest(draft, &scratch));
  }
}

// EnvelopeMatches accepts the encoding of the event and refuses it against any other event.
TEST(EnvelopeCheckTest, MatchesOnlyTheEncodedEvent) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  StoredEvent event = RandomEvent(random);
  std::string scratch;
  event.hash = ledger::ChainHash(event.prev_hash, event, &scratch);
  std::string bytes;
  EncodeEnvelope(event, &bytes);
  EXPECT_TRUE(EnvelopeMatches(bytes, event));

  // Unaligned bytes are checked all the same.
  std::string shifted = " " + bytes;
  EXPECT_TRUE(EnvelopeMatches(std::string_view(shifted).substr(1), event));

  auto differs = [&](auto change) {
    StoredEvent other = event;
    change(other);
    return !EnvelopeMatches(bytes, other);
  };
  EXPECT_TRUE(differs([](StoredEvent& e) { e.position.value ^= 1; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.stream += "x"; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.version.value ^= 1; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.id += "x"; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.type += "x"; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.occurred_at_us ^= 1; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.recorded_at_us ^= 1; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.actor += "x"; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.payload += "x"; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.prev_hash[5] ^= 1; }));
  EXPECT_TRUE(differs([](StoredEvent& e) { e.hash[31] ^= 1; }));

  // Damaged bytes are refused, never read out of bounds.
  EXPECT_FALSE(EnvelopeMatches(bytes.substr(0, bytes.size() / 2), event));
  EXPECT_FALSE(EnvelopeMatches("", event));
}

}  // namespace
}  // namespace ledger
