// A read replica's KafkaReplicator against the real broker (scripts/test starts it and sets
// LEDGER_KAFKA_BROKERS), fed an events topic with a broken chain: it must stop for good with an
// error naming the first bad position, having applied the events before it and nothing of the bad
// one. The topic is written by a producer of the test's own, since the relay never sends such
// records.
#include "eventstore/kafka/kafka_replicator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/hash_chain.h"
#include "eventstore/kafka/kafka_relay.h"
#include "tests/eventstore/kafka/kafka_test_support.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

constexpr std::chrono::seconds kTimeout{60};
constexpr int kEvents = 20;
constexpr uint64_t kBad = 12;  // the position the tampering breaks

class KafkaReplicatorTest : public testing::KafkaBrokerTest {
 protected:
  KafkaReplicatorTest() : KafkaBrokerTest("replicator", kTimeout) {}

  // The primary's events 0..kEvents-1, as its store recorded them.
  std::vector<StoredEvent> PrimaryEvents() {
    EventStoreOptions options;
    options.path = dir_.path() + "/primary";
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store.ok());
    for (int i = 0; i < kEvents; ++i) {
      EXPECT_TRUE((*store)->Append({testing::MakeDraft("e" + std::to_string(i), "member-a")}).ok());
    }
    auto events = (*store)->ReadFrom(Position{0}, kEvents);
    EXPECT_TRUE(events.ok());
    EXPECT_EQ(events->size(), static_cast<size_t>(kEvents));
    return *events;
  }

  // Creates the topics as the primary's relay does: a relay over an empty ledger.
  void CreateTopics() {
    EventStoreOptions options;
    options.path = dir_.path() + "/empty";
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store.ok());
    KafkaRelayOptions relay_options;
    relay_options.client.brokers = brokers_;
    relay_options.topic_prefix = prefix_;
    auto relay = KafkaRelay::Start(**store, relay_options);
    ASSERT_TRUE(relay.ok()) << relay.status().ToString();
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (!(*relay)->progress().topics_ready && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE((*relay)->progress().topics_ready) << (*relay)->progress().last_error;
  }

  // Publishes the primary's events after `tamper` changed them, runs a replica on them until
  // it stops, and checks it stopped at kBad with `reason`, holding exactly the events before.
  void ExpectReplicaStopsAtTheBadPosition(
      const std::function<void(std::vector<StoredEvent>&)>& tamper, const std::string& reason) {
    std::vector<StoredEvent> events = PrimaryEvents();
    const std::vector<StoredEvent> original = events;
    tamper(events);
    ASSERT_NO_FATAL_FAILURE(CreateTopics());
    ASSERT_TRUE(testing::ProduceEvents(brokers_, KafkaRelay::EventsTopic(prefix_), events));

    std::atomic<int64_t> recorded_at_us{0};
    EventStoreOptions options;
    options.path = dir_.path() + "/replica";
    options.clock_us = [&recorded_at_us] { return recorded_at_us.load(); };
    auto replica = EventStore::Open(options);
    ASSERT_TRUE(replica.ok());
    KafkaReplicatorOptions replicator_options;
    replicator_options.client.brokers = brokers_;
    replicator_options.topic_prefix = prefix_;
    auto replicator = KafkaReplicator::Start(**replica, &recorded_at_us, replicator_options);
    ASSERT_TRUE(replicator.ok()) << replicator.status().ToString();
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while ((*replicator)->health().ok() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const Status health = (*replicator)->health();
    replicator->reset();

    EXPECT_EQ(health.code(), StatusCode::kCorruption) << health.ToString();
    EXPECT_NE(health.message().find("position " + std::to_string(kBad) + ":"), std::string::npos)
        << health.ToString();
    EXPECT_NE(health.message().find(reason), std::string::npos) << health.ToString();
    // The events before the bad one are the primary's, byte for byte; the bad one is not there.
    const Head head = (*replica)->GetHead();
    EXPECT_EQ(head.next, Position{kBad});
    EXPECT_EQ(head.hash, original[kBad - 1].hash);
    EXPECT_TRUE((*replica)->VerifyChain().ok());
  }

  testing::TempDir dir_;
};

// One byte of an event's payload changed on the way, its hash left as it was.
TEST_F(KafkaReplicatorTest, StopsAtAnAlteredEventWithoutApplyingIt) {
  ExpectReplicaStopsAtTheBadPosition(
      [](std::vector<StoredEvent>& events) { events[kBad].payload.back() ^= 0x01; },
      "hash does not match the event's bytes");
}

// An event that does not follow the one before it (here: one hashed onto another chain, with a
// hash of its own that is correct for what it says): the link is broken.
TEST_F(KafkaReplicatorTest, StopsWhereTheChainDoesNotLink) {
  ExpectReplicaStopsAtTheBadPosition(
      [](std::vector<StoredEvent>& events) {
        StoredEvent& bad = events[kBad];
        bad.prev_hash = Hash{};
        std::string scratch;
        bad.hash = ChainHash(bad.prev_hash, bad, &scratch);
      },
      "prev_hash does not match the hash of the event before it");
}

}  // namespace
}  // namespace ledger
