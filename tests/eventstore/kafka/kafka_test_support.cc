#include "tests/eventstore/kafka/kafka_test_support.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>

#include "eventstore/envelope_codec.h"
#include "eventstore/hash_chain.h"
#include "eventstore/kafka/kafka_relay.h"
#include "tests/domain/ledger_scenario.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger::testing {

void KafkaBrokerTest::SetUp() {
  const char* brokers = std::getenv("LEDGER_KAFKA_BROKERS");
  if (brokers == nullptr || *brokers == '\0') {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
      FAIL() << "LEDGER_KAFKA_BROKERS is not set: under CI the Kafka tests must run against "
                "the broker scripts/test starts";
    }
    GTEST_SKIP() << "LEDGER_KAFKA_BROKERS is not set: run `scripts/kafka start` and export "
                    "LEDGER_KAFKA_BROKERS=<the address it prints> (scripts/test does this)";
  }
  brokers_ = brokers;
  prefix_ = kind_ + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
            std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid());
}

std::vector<KafkaRecord> KafkaBrokerTest::ReadEvents(uint64_t positions) const {
  return ReadTopic(
      brokers_, KafkaRelay::EventsTopic(prefix_),
      [&](const auto& records) { return DistinctPositions(records) >= positions; },
      delivery_timeout_);
}

std::vector<KafkaRecord> KafkaBrokerTest::ReadDonations(size_t items) const {
  return ReadTopic(
      brokers_, KafkaRelay::DonationsTopic(prefix_),
      [&](const auto& records) { return records.size() >= items; }, delivery_timeout_);
}

std::vector<std::string> RunKafkaScriptLines(const std::string& script,
                                             const std::string& command) {
  const std::string line = script + " " + command + " 2>/dev/null";
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return {};
  std::vector<std::string> lines;
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    std::string text = buffer;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    lines.push_back(std::move(text));
  }
  if (pclose(pipe) != 0) return {};
  return lines;
}

std::string RunKafkaScript(const std::string& script, const std::string& command) {
  std::vector<std::string> lines = RunKafkaScriptLines(script, command);
  return lines.empty() ? "" : lines.back();
}

BrokerOutage::BrokerOutage(std::string script, std::string brokers)
    : script_(std::move(script)), brokers_(std::move(brokers)) {
  EXPECT_EQ(std::system((script_ + " stop").c_str()), 0);
}

bool BrokerOutage::End() {
  if (ended_) return true;
  ended_ = true;
  const std::string address = RunKafkaScript(script_, "start");
  EXPECT_EQ(address, brokers_) << "the broker came back elsewhere";
  return address == brokers_;
}

void AppendOctoberScenario(EventStore& store) {
  for (const ScenarioEvent& event : OctoberScenario()) {
    auto result = store.Append({Draft(event.id, event.type, event.fields, event.occurred_at_us)});
    if (!result.ok()) {
      std::fprintf(stderr, "scenario event %s: %s\n", event.id.c_str(),
                   result.status().ToString().c_str());
      std::abort();
    }
  }
}

std::vector<ScenarioEvent> AcceptedEvents(const std::string& id_prefix, int count) {
  std::vector<ScenarioEvent> events;
  const int64_t november_us = BeijingUs(2026, 11, 5, 9);
  for (int i = 0; i < count; ++i) {
    const std::string n = id_prefix + std::to_string(i);
    const int64_t at_us = november_us + int64_t{i} * 60'000'000;
    switch (i % 4) {
      case 0:
      case 1:  // money in: p-wuye and p-avic take turns
        events.push_back({"ev-" + n, "DonationReceived",
                          "donation_id: \"d-" + n + "\", partner_id: \"" +
                              (i % 4 == 0 ? "p-wuye" : "p-avic") +
                              "\", fund_id: \"f-aid\", amount_fen: 1000, kind: cash",
                          at_us});
        break;
      case 2:  // money out, allocated FIFO over the oldest inflows with money left
        events.push_back({"ev-" + n, "ExpenseRecorded",
                          "expense_id: \"x-" + n +
                              "\", fund_id: \"f-aid\", category: materials, amount_fen: 1500",
                          at_us});
        break;
      default:
        events.push_back({"ev-" + n, "ServiceLogged",
                          "service_id: \"s-" + n +
                              "\", volunteer_id: \"v-wang\", elder_id: \"e-zhao\", "
                              "kind: home_visit, minutes: 30",
                          at_us});
    }
  }
  return events;
}

int AppendAcceptedEvents(EventStore& store, const std::string& id_prefix, int count,
                         int events_per_request) {
  int failed = 0;
  std::vector<EventDraft> batch;
  const std::vector<ScenarioEvent> events = AcceptedEvents(id_prefix, count);
  for (size_t i = 0; i < events.size(); ++i) {
    const ScenarioEvent& event = events[i];
    batch.push_back(Draft(event.id, event.type, event.fields, event.occurred_at_us));
    if (static_cast<int>(batch.size()) == events_per_request || i + 1 == events.size()) {
      auto result = store.Append(std::move(batch));
      if (!result.ok()) {
        ++failed;
        std::fprintf(stderr, "append %s failed: %s\n", event.id.c_str(),
                     result.status().ToString().c_str());
      }
      batch.clear();
    }
  }
  return failed;
}

std::map<std::pair<std::string, uint64_t>, std::string> ExpectedPartnerItems(
    const EventStore& store) {
  std::map<std::pair<std::string, uint64_t>, std::string> expected;
  PartnerFeed feed;
  Status status = store.Scan(Position{0}, store.GetHead().next, nullptr, [&](const StoredEvent& e) {
    std::vector<PartnerItem> items;
    Status applied = feed.Apply(e, &items);
    EXPECT_TRUE(applied.ok()) << applied.ToString();
    for (PartnerItem& item : items) {
      const bool inserted =
          expected.emplace(std::pair(item.partner_id, e.position.value), std::move(item.json))
              .second;
      EXPECT_TRUE(inserted) << "two items for one partner at position " << e.position.value;
    }
    return applied.ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return expected;
}

namespace {
uint64_t PositionOf(const KafkaRecord& record) {
  const std::string* position = record.Header("position");
  EXPECT_NE(position, nullptr) << "record at offset " << record.offset << " has no position";
  return position == nullptr ? UINT64_MAX : std::stoull(*position);
}
}  // namespace

size_t DistinctPositions(const std::vector<KafkaRecord>& records) {
  std::set<uint64_t> positions;
  for (const KafkaRecord& record : records) {
    if (const std::string* position = record.Header("position")) {
      positions.insert(std::stoull(*position));
    }
  }
  return positions.size();
}

EventsTopicView CheckEventsTopic(const std::vector<KafkaRecord>& records, const EventStore& store) {
  EventsTopicView view;
  std::map<uint64_t, const KafkaRecord*> first;
  for (const KafkaRecord& record : records) {
    const uint64_t position = PositionOf(record);
    auto decoded = DecodeEnvelope(record.value);
    if (!decoded.ok()) {
      ADD_FAILURE() << "offset " << record.offset << ": " << decoded.status().ToString();
      continue;
    }
    EXPECT_EQ(decoded->position.value, position);
    EXPECT_EQ(record.key, decoded->stream) << "the key is the stream id";
    const std::string* type = record.Header("type");
    const std::string* hash = record.Header("hash");
    EXPECT_TRUE(type != nullptr && *type == decoded->type) << "type header at " << position;
    EXPECT_TRUE(hash != nullptr && *hash == HexOf(decoded->hash)) << "hash header at " << position;
    if (++view.copies[position] == 1) {
      view.first_order.push_back(position);
      first[position] = &record;
    } else {
      EXPECT_EQ(record.value, first[position]->value)
          << "a duplicate of " << position << " differs";
    }
  }
  const Head head = store.GetHead();
  EXPECT_EQ(view.first_order.size(), head.next.value) << "events missing from the topic";
  Hash previous{};
  std::string scratch;
  std::string stored_bytes;
  for (size_t i = 0; i < view.first_order.size(); ++i) {
    const uint64_t position = view.first_order[i];
    if (position != i) {
      ADD_FAILURE() << "after de-duplication, record " << i << " holds position " << position;
      break;
    }
    StoredEvent event = DecodeEnvelope(first[position]->value).value();
    EXPECT_EQ(event.prev_hash, previous) << "chain broken at " << position;
    EXPECT_TRUE(HashMatches(event, &scratch)) << "hash does not match at " << position;
    previous = event.hash;
    auto stored = store.ReadAt(Position{position});
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (!stored.ok()) break;
    EncodeEnvelope(*stored, &stored_bytes);
    EXPECT_EQ(first[position]->value, stored_bytes) << "position " << position;
  }
  if (view.first_order.size() == head.next.value) {
    EXPECT_EQ(previous, head.hash) << "the topic's chain does not end at the head";
  }
  return view;
}

int CheckDonationsTopic(const std::vector<KafkaRecord>& records, const EventStore& store) {
  const auto expected = ExpectedPartnerItems(store);
  std::map<std::pair<std::string, uint64_t>, std::string> seen;
  int duplicates = 0;
  for (const KafkaRecord& record : records) {
    auto key = std::pair(record.key, PositionOf(record));
    auto [it, inserted] = seen.emplace(key, record.value);
    if (!inserted) {
      ++duplicates;
      EXPECT_EQ(record.value, it->second) << "a duplicate item differs: " << record.value;
    }
  }
  EXPECT_EQ(seen.size(), expected.size());
  for (const auto& [key, json] : expected) {
    auto it = seen.find(key);
    if (it == seen.end()) {
      ADD_FAILURE() << "missing item for " << key.first << " at " << key.second << ": " << json;
    } else {
      EXPECT_EQ(it->second, json);
    }
  }
  return duplicates;
}

int ScenarioAidAllocations(const std::vector<KafkaRecord>& donations) {
  int found = 0;
  for (const KafkaRecord& record : donations) {
    if (record.key != "p-avic") continue;
    found += record.value.find(R"("outflow_id":"x-aid1")") != std::string::npos &&
             record.value.find(R"("allocations":[{"source_id":"d-avic","amount_fen":300000}])") !=
                 std::string::npos;
    found += record.value.find(R"("outflow_id":"x-aid2")") != std::string::npos &&
             record.value.find(R"("allocations":[{"source_id":"d-avic","amount_fen":200000}])") !=
                 std::string::npos;
  }
  return found;
}

bool ProduceEvents(const std::string& brokers, const std::string& topic,
                   const std::vector<StoredEvent>& events) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  int failed = 0;  // messages the broker refused; each message's opaque points here
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* message, void*) {
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) ++*static_cast<int*>(message->_private);
  });
  if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof error) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "enable.idempotence", "true", error, sizeof error) !=
          RD_KAFKA_CONF_OK) {
    ADD_FAILURE() << error;
    rd_kafka_conf_destroy(conf);
    return false;
  }
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (producer == nullptr) {
    ADD_FAILURE() << error;
    return false;
  }
  bool ok = true;
  std::string envelope;
  for (const StoredEvent& event : events) {
    envelope.clear();
    EncodeEnvelope(event, &envelope);
    const std::string position = std::to_string(event.position.value);
    const std::string hash = HexOf(event.hash);
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_KEY(event.stream.data(), event.stream.size()),
        RD_KAFKA_V_VALUE(envelope.data(), envelope.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&failed),
        RD_KAFKA_V_HEADER("type", event.type.data(), static_cast<ssize_t>(event.type.size())),
        RD_KAFKA_V_HEADER("position", position.data(), static_cast<ssize_t>(position.size())),
        RD_KAFKA_V_HEADER("hash", hash.data(), static_cast<ssize_t>(hash.size())), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ADD_FAILURE() << "produce: " << rd_kafka_err2str(err);
      ok = false;
      break;
    }
  }
  constexpr int kFlushTimeoutMs = 60000;
  if (rd_kafka_flush(producer, kFlushTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR) ok = false;
  rd_kafka_destroy(producer);
  return ok && failed == 0;
}

std::vector<KafkaRecord> ReadTopic(
    const std::string& brokers, const std::string& topic,
    const std::function<bool(const std::vector<KafkaRecord>&)>& enough,
    std::chrono::milliseconds timeout) {
  KafkaTopicReaderOptions options;
  options.client.brokers = brokers;
  options.topic = topic;
  auto reader = KafkaTopicReader::Open(options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<KafkaRecord> records;
  if (!reader.ok()) return records;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!enough(records) && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*reader)->Poll(std::chrono::milliseconds(500));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (KafkaRecord& record : *batch) records.push_back(std::move(record));
  }
  // Anything past `enough` (duplicates) is ready now or was never published: take what is.
  for (int i = 0; i < 3; ++i) {
    auto batch = (*reader)->Poll(std::chrono::milliseconds(200));
    if (!batch.ok() || batch->empty()) break;
    for (KafkaRecord& record : *batch) records.push_back(std::move(record));
  }
  return records;
}

}  // namespace ledger::testing
