// Helpers shared by the Kafka relay tests (the relay itself, and ledgerd relaying over HTTP):
// the broker scripts/test starts, the ledger's events the tests append, and what the topics must
// then hold (checked against the store, the way a consumer de-duplicates).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "eventstore/event_store.h"
#include "eventstore/kafka/kafka_topic_reader.h"
#include "eventstore/kafka/partner_feed.h"
#include "tests/domain/ledger_scenario.h"

namespace ledger::testing {

// A fixture for tests against the broker of this test run ($LEDGER_KAFKA_BROKERS, which
// scripts/test sets): without one, a test fails under CI=true and is skipped elsewhere. Each test
// gets topics of its own: a fresh prefix.
class KafkaBrokerTest : public ::testing::Test {
 protected:
  // `kind` starts the prefix; every wait for a topic is bounded by `delivery_timeout`.
  KafkaBrokerTest(std::string kind, std::chrono::milliseconds delivery_timeout)
      : kind_(std::move(kind)), delivery_timeout_(delivery_timeout) {}
  void SetUp() override;

  // The records of <prefix>.events from the beginning, once they carry `positions` distinct
  // positions (or the timeout ran out).
  std::vector<KafkaRecord> ReadEvents(uint64_t positions) const;
  // The records of <prefix>.donations from the beginning, once there are `items` (or the
  // timeout ran out).
  std::vector<KafkaRecord> ReadDonations(size_t items) const;

  const std::string kind_;
  const std::chrono::milliseconds delivery_timeout_;
  std::string brokers_;
  std::string prefix_;
};

// Runs `script` (scripts/kafka) with `command` and returns its lines of output (none on failure).
std::vector<std::string> RunKafkaScriptLines(const std::string& script, const std::string& command);

// The last line of RunKafkaScriptLines ("" on failure): for `start`, the broker's address.
std::string RunKafkaScript(const std::string& script, const std::string& command);

// Stops the broker for the lifetime of this object; starts it again (same address) when it goes
// out of scope, also when an assertion ended the test early.
class BrokerOutage {
 public:
  BrokerOutage(std::string script, std::string brokers);
  ~BrokerOutage() { End(); }
  BrokerOutage(const BrokerOutage&) = delete;
  BrokerOutage& operator=(const BrokerOutage&) = delete;
  // Starts the broker again; true when it came back on the same address.
  bool End();

 private:
  std::string script_;
  std::string brokers_;
  bool ended_ = false;
};

// Appends the October scenario, one event per request. Aborts on a refusal (a broken test).
void AppendOctoberScenario(EventStore& store);

// `count` events after the scenario that the rules always accept: small donations of p-wuye and
// p-avic, expenses drawing on them, and logged visits, a minute apart in November. Ids are
// "ev-<id_prefix><i>".
std::vector<ScenarioEvent> AcceptedEvents(const std::string& id_prefix, int count);

// AcceptedEvents(id_prefix, count) appended in requests of `events_per_request`. Returns the
// number of requests that failed (0 is the point).
int AppendAcceptedEvents(EventStore& store, const std::string& id_prefix, int count,
                         int events_per_request = 1);

// Every partner item the log up to its head yields, recomputed with a fresh PartnerFeed:
// (partner id, position) -> JSON.
std::map<std::pair<std::string, uint64_t>, std::string> ExpectedPartnerItems(
    const EventStore& store);

// What a consumer of `<prefix>.events` sees after de-duplicating by position.
struct EventsTopicView {
  std::map<uint64_t, int> copies;     // position -> records carrying it
  std::vector<uint64_t> first_order;  // positions in the order of their first record
};

// Checks every record of an events topic (headers, key and envelope agree; the envelope decodes;
// a duplicate is byte-identical to the first copy) and that, de-duplicated by position, they are
// exactly the store's events 0..head-1 in position order with an intact hash chain, byte for byte
// what the store holds. Reports failures with gtest; returns the view for further checks.
EventsTopicView CheckEventsTopic(const std::vector<KafkaRecord>& records, const EventStore& store);

// Checks a donations topic against ExpectedPartnerItems: de-duplicated by (key, position), the
// same items; a duplicate is byte-identical to the first copy. Returns the number of duplicates.
int CheckDonationsTopic(const std::vector<KafkaRecord>& records, const EventStore& store);

// The items among `donations` for p-avic's part in the scenario's two aid payments that carry
// the allocations the ledger made (300,000 and 200,000 fen from d-avic): 2 when both are right.
int ScenarioAidAllocations(const std::vector<KafkaRecord>& donations);

// The records of `topic` from the beginning, polling until `enough(records)` or the timeout.
std::vector<KafkaRecord> ReadTopic(
    const std::string& brokers, const std::string& topic,
    const std::function<bool(const std::vector<KafkaRecord>&)>& enough,
    std::chrono::milliseconds timeout);

// Produces `events` to `topic` (which must exist) as the relay would (key: stream; value: the
// envelope; headers: type, position, hash), but with whatever they hold: for feeding consumers
// what the relay never sends. True when the broker acknowledged every one.
bool ProduceEvents(const std::string& brokers, const std::string& topic,
                   const std::vector<StoredEvent>& events);

// The number of distinct "position" headers among `records`.
size_t DistinctPositions(const std::vector<KafkaRecord>& records);

}  // namespace ledger::testing
