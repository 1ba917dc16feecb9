// Helpers shared by the Kafka relay tests: the ledger's events the tests append, and what the
// topics must then hold (checked against the store, the way a consumer de-duplicates).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "eventstore/event_store.h"
#include "eventstore/kafka_topic_reader.h"
#include "eventstore/partner_feed.h"

namespace ledger::testing {

// Appends the October scenario, one event per request. Aborts on a refusal (a broken test).
void AppendOctoberScenario(EventStore& store);

// `count` events after the scenario that the rules always accept (small donations, expenses
// and logged visits in November), in requests of `events_per_request`. Returns the number of
// requests that failed (0 is the point).
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

// The records of `topic` from the beginning, polling until `enough(records)` or the timeout.
std::vector<KafkaRecord> ReadTopic(
    const std::string& brokers, const std::string& topic,
    const std::function<bool(const std::vector<KafkaRecord>&)>& enough,
    std::chrono::milliseconds timeout);

// The number of distinct "position" headers among `records`.
size_t DistinctPositions(const std::vector<KafkaRecord>& records);

}  // namespace ledger::testing
