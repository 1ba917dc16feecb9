// ledgerd relaying to a real Apache Kafka broker, driven over HTTP like a client would: every
// event appended through the API reaches `<prefix>.events` and every partner item
// `<prefix>.donations`; a broker outage never fails an append and loses nothing; a ledgerd killed
// (SIGKILL) in the middle of publication resumes with duplicates only of the unconfirmed tail;
// and `ledgerctl partner-stream` prints a partner's items, de-duplicated.
//
// scripts/test starts the broker and sets LEDGER_KAFKA_BROKERS and LEDGER_KAFKA_DIR (the broker
// the outage test stops and starts); without it these tests fail under CI=true and are skipped
// elsewhere. Each test uses topics of its own (a fresh prefix).
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/envelope_codec.h"
#include "eventstore/kafka/kafka_relay.h"
#include "tests/api/account_flow.h"
#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"
#include "tests/eventstore/kafka/kafka_test_support.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::HttpClient;
using testing::JsonOf;
using testing::Ledgerd;
using testing::ScenarioEvent;

// Bounds of every wait on the relay or a topic; on this machine each takes a few seconds.
constexpr seconds kDeliveryTimeout{60};
// How often the relay's progress is read from /readyz while waiting for it.
constexpr milliseconds kStatusPollInterval{20};
// Events per POST /v1/events/batch when loading many.
constexpr size_t kBatchEvents = 1000;

class LedgerdKafkaTest : public testing::KafkaBrokerTest {
 protected:
  LedgerdKafkaTest() : KafkaBrokerTest("ledgerd", kDeliveryTimeout) {}

  void SetUp() override {
    KafkaBrokerTest::SetUp();
    data_ = dir_.path() + "/data";
  }

  // ledgerd on a free port over data_, relaying to the test broker when `relay`.
  std::unique_ptr<Ledgerd> Start(bool relay) {
    std::vector<std::string> args = {"--data",         data_, "--listen", "127.0.0.1:0",
                                     "--log-requests", "off"};
    if (relay) {
      args.insert(args.end(), {"--kafka-brokers", brokers_, "--kafka-prefix", prefix_});
    }
    auto ledgerd = std::make_unique<Ledgerd>(
        std::move(args), std::vector<std::string>{"LEDGER_ADMIN_KEY=" + std::string(kKey)});
    port_ = ledgerd->Port();
    EXPECT_NE(port_, 0) << ledgerd->RestOfOutput();
    return ledgerd;
  }

  // POSTs `events` one per request (POST /v1/events), or in batches of kBatchEvents. Returns the
  // number of requests not answered 201.
  int Post(const std::vector<ScenarioEvent>& events, bool batched) {
    HttpClient client(port_);
    int failed = 0;
    json::array batch;
    for (size_t i = 0; i < events.size(); ++i) {
      const ScenarioEvent& event = events[i];
      std::string body =
          testing::ApiFixture::EventJson(event.id, event.type, event.fields, event.occurred_at_us);
      if (batched) {
        batch.push_back(json::parse(body));
        if (batch.size() < kBatchEvents && i + 1 < events.size()) continue;
        body = json::serialize(json::object{{"events", std::move(batch)}});
        batch = json::array();
      }
      auto reply = client.Request("POST", batched ? "/v1/events/batch" : "/v1/events", body, kKey);
      if (!reply || reply->status != 201) {
        ++failed;
        ADD_FAILURE() << event.id << ": " << (reply ? reply->body : "no response");
      }
    }
    return failed;
  }

  // The "kafka_relay" detail of /readyz, with its "head".
  json::object RelayStatus(HttpClient& client) {
    auto reply = client.Request("GET", "/readyz");
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : "no response");
    if (!reply) return {};
    const json::value body = JsonOf(reply->body);
    json::object relay = body.at("kafka_relay").as_object();
    relay["head"] = body.at("head");
    return relay;
  }

  // Waits until the relay has confirmed every event of the log; returns the head.
  uint64_t WaitForRelayCaughtUp() {
    HttpClient client(port_);
    const auto deadline = std::chrono::steady_clock::now() + kDeliveryTimeout;
    json::object relay = RelayStatus(client);
    while (relay.at("confirmed").to_number<uint64_t>() < relay.at("head").to_number<uint64_t>() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(kStatusPollInterval);
      relay = RelayStatus(client);
    }
    EXPECT_EQ(relay.at("lag_events").to_number<uint64_t>(), 0u)
        << "not caught up in time: " << json::serialize(relay);
    return relay.at("head").to_number<uint64_t>();
  }

  // The log ledgerd left in data_ (it must have stopped).
  std::unique_ptr<EventStore> OpenStore() {
    EventStoreOptions options;
    options.path = data_;
    options.create_if_missing = false;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // `ledgerctl partner-stream` from the beginning for `partner`, stopping after `count` items:
  // its stdout lines, which must be the partner's items in position order.
  std::vector<std::string> PartnerStream(const std::string& partner, size_t count) {
    // timeout(1) bounds a run that never sees `count` items (a failure, not a hang).
    const std::string command = "timeout " + std::to_string(kDeliveryTimeout.count()) + " " +
                                LEDGERCTL_PATH + " partner-stream --brokers " + brokers_ +
                                " --prefix " + prefix_ + " --partner " + partner +
                                " --from-beginning --count " + std::to_string(count);
    FILE* pipe = popen(command.c_str(), "r");
    EXPECT_NE(pipe, nullptr);
    std::vector<std::string> lines;
    if (pipe == nullptr) return lines;
    char* line = nullptr;
    size_t capacity = 0;
    ssize_t length;
    while ((length = getline(&line, &capacity, pipe)) > 0) {
      lines.emplace_back(line, line[length - 1] == '\n' ? length - 1 : length);
    }
    std::free(line);
    EXPECT_EQ(pclose(pipe), 0) << "ledgerctl partner-stream did not stop by itself with 0";
    return lines;
  }

  // Checks that partner-stream prints exactly the items the log yields for `partner`.
  void ExpectPartnerStream(const EventStore& store, const std::string& partner) {
    std::vector<std::string> expected;
    for (const auto& [key, item] : testing::ExpectedPartnerItems(store)) {
      if (key.first == partner) expected.push_back(item);  // the map orders by position
    }
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(PartnerStream(partner, expected.size()), expected);
  }

  static constexpr std::string_view kKey = testing::kTestAdminKey;
  testing::TempDir dir_;
  std::string data_;
  uint16_t port_ = 0;
};

// Appended through the API while ledgerd relays: every event arrives on .events exactly once,
// in position order, byte for byte what the log holds; every partner item arrives on
// .donations keyed by its partner with the allocations the ledger made; partner-stream prints
// one partner's items.
TEST_F(LedgerdKafkaTest, EveryEventAndPartnerItemArrivesOnce) {
  auto ledgerd = Start(true);
  ASSERT_NE(port_, 0);
  EXPECT_EQ(Post(testing::OctoberScenarioForClients(), false), 0);
  EXPECT_EQ(Post(testing::AcceptedEvents("e2e-", 300), false), 0);
  EXPECT_EQ(Post(testing::AcceptedEvents("e2e-batch-", 3000), true), 0);
  const uint64_t head = WaitForRelayCaughtUp();
  {
    HttpClient client(port_);
    auto metrics = client.Request("GET", "/metrics", "", kKey);
    ASSERT_TRUE(metrics && metrics->status == 200);
    EXPECT_NE(metrics->body.find("ledger_kafka_relay_lag_events 0\n"), std::string::npos);
    EXPECT_NE(metrics->body.find("ledger_kafka_relay_confirmed_position " + std::to_string(head)),
              std::string::npos);
    EXPECT_NE(metrics->body.find("ledger_kafka_relay_rewinds_total 0\n"), std::string::npos);
  }
  EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(store->GetHead().next.value, head);
  const auto events = ReadEvents(head);
  testing::CheckEventsTopic(events, *store);
  EXPECT_EQ(events.size(), head) << "no failure, so not even a duplicate";
  const auto donations = ReadDonations(testing::ExpectedPartnerItems(*store).size());
  EXPECT_EQ(testing::CheckDonationsTopic(donations, *store), 0);
  EXPECT_EQ(testing::ScenarioAidAllocations(donations), 2)
      << "p-avic's 300,000 + 200,000 fen to the aid payments";
  ExpectPartnerStream(*store, "p-avic");
  std::printf("%lu events, %zu partner items\n", head, donations.size());
}

// The broker stops: 1,200 appends through the API all succeed while /readyz shows the lag
// growing; when the broker is back every event arrives, none lost, and de-duplicated by event id
// the topic is the log.
TEST_F(LedgerdKafkaTest, BrokerOutageNeverFailsAppendsAndLosesNothing) {
  auto ledgerd = Start(true);
  ASSERT_NE(port_, 0);
  EXPECT_EQ(Post(testing::OctoberScenarioForClients(), false), 0);
  const uint64_t before = WaitForRelayCaughtUp();
  constexpr uint64_t kSingleAppends = 1000, kBatchedAppends = 200;
  {
    testing::BrokerOutage outage(LEDGER_KAFKA_SCRIPT, brokers_);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Post(testing::AcceptedEvents("outage-", kSingleAppends), false), 0);
    EXPECT_EQ(Post(testing::AcceptedEvents("outage-batch-", kBatchedAppends), true), 0);
    const double append_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    HttpClient client(port_);
    const json::object relay = RelayStatus(client);  // also: /readyz still answers 200
    EXPECT_EQ(relay.at("health").as_string(), "ok");
    EXPECT_EQ(relay.at("confirmed").to_number<uint64_t>(), before);
    EXPECT_EQ(relay.at("lag_events").to_number<uint64_t>(), kSingleAppends + kBatchedAppends);
    EXPECT_GT(relay.at("lag_seconds").to_number<double>(), 0);
    std::printf("%lu appends during the outage took %.2f s; relay: %s\n",
                kSingleAppends + kBatchedAppends, append_seconds, json::serialize(relay).c_str());
    ASSERT_TRUE(outage.End());
  }
  const uint64_t head = WaitForRelayCaughtUp();
  EXPECT_EQ(head, before + kSingleAppends + kBatchedAppends);
  EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const auto events = ReadEvents(head);
  const testing::EventsTopicView view = testing::CheckEventsTopic(events, *store);
  std::set<std::string> event_ids;
  for (const KafkaRecord& record : events) {
    auto event = DecodeEnvelope(record.value);
    if (event.ok()) event_ids.insert(event->id);
  }
  EXPECT_EQ(event_ids.size(), head) << "de-duplicated by event id, every event once";
  std::printf("%zu records for %lu events (%zu duplicates)\n", events.size(), head,
              events.size() - view.first_order.size());
  testing::CheckDonationsTopic(ReadDonations(testing::ExpectedPartnerItems(*store).size()), *store);
}

// ledgerd is killed (SIGKILL) while its relay publishes a backlog, and started again on the same
// data: the topic holds every event, with duplicates only of events past the checkpoint stored
// when it died, and partner-stream's de-duplication hides the re-sent items.
TEST_F(LedgerdKafkaTest, KilledLedgerdResumesFromItsCheckpoint) {
  constexpr uint64_t kKillAfterConfirmed = 3000;
  {
    auto ledgerd = Start(false);  // the backlog, without a relay
    ASSERT_NE(port_, 0);
    EXPECT_EQ(Post(testing::OctoberScenarioForClients(), true), 0);
    EXPECT_EQ(Post(testing::AcceptedEvents("kill-", 30000), true), 0);
    EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);
  }
  uint64_t confirmed_at_kill = 0, head = 0;
  {
    auto ledgerd = Start(true);
    ASSERT_NE(port_, 0);
    HttpClient client(port_);
    const auto deadline = std::chrono::steady_clock::now() + kDeliveryTimeout;
    json::object relay = RelayStatus(client);
    // No pause between reads: the kill must land while the relay is mid-way.
    while (relay.at("confirmed").to_number<uint64_t>() < kKillAfterConfirmed &&
           std::chrono::steady_clock::now() < deadline) {
      relay = RelayStatus(client);
    }
    ASSERT_TRUE(ledgerd->Kill());
    confirmed_at_kill = relay.at("confirmed").to_number<uint64_t>();
    head = relay.at("head").to_number<uint64_t>();
    ASSERT_GE(confirmed_at_kill, kKillAfterConfirmed) << json::serialize(relay);
    ASSERT_LT(confirmed_at_kill, head) << "killed after the relay had finished";
  }
  uint64_t checkpoint = 0;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    auto rows = store->OpenMetaTable(kRelayTable);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    checkpoint = (*rows)->Checkpoint().value().value;
    EXPECT_LT(checkpoint, head) << "killed before the end of the log";
  }
  {
    auto ledgerd = Start(true);
    ASSERT_NE(port_, 0);
    EXPECT_EQ(WaitForRelayCaughtUp(), head);
    EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const testing::EventsTopicView view = testing::CheckEventsTopic(ReadEvents(head), *store);
  size_t duplicates = 0;
  for (const auto& [position, copies] : view.copies) {
    if (position < checkpoint) {
      EXPECT_EQ(copies, 1) << position;
    }
    EXPECT_LE(copies, 2) << position;
    duplicates += copies - 1;
  }
  std::printf("killed at confirmed %lu (stored checkpoint %lu) of %lu: %zu duplicates\n",
              confirmed_at_kill, checkpoint, head, duplicates);
  const int item_duplicates = testing::CheckDonationsTopic(
      ReadDonations(testing::ExpectedPartnerItems(*store).size()), *store);
  std::printf("%d duplicate partner items\n", item_duplicates);
  ExpectPartnerStream(*store, "p-avic");
}

// Rights through Kafka: a full account flow (accounts opened, activated, signed in, a password
// changed and reset, an account closed, a key issued and revoked) publishes AccountOpened,
// AccountClosed, KeyIssued and KeyRevoked on .events like any other event, and no record of
// either topic carries, in its key, value or headers, a password, an invitation token, a session
// id, a CSRF token, a key, a password hash, or the accounts' logins and names.
TEST_F(LedgerdKafkaTest, RightsEventsArePublishedWithoutSecrets) {
  auto ledgerd = Start(true);
  ASSERT_NE(port_, 0);
  EXPECT_EQ(Post(testing::OctoberScenarioForClients(), true), 0);
  const testing::AccountFlowResult flow = testing::RunAccountFlow(port_, kKey);
  const uint64_t head = WaitForRelayCaughtUp();
  EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::vector<std::pair<std::string, std::string>> secrets = flow.secrets;
  {  // The credentials as stored: the password hash of the open account, and the row keys.
    auto credentials = store->OpenReadModel("credentials");
    ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
    ASSERT_TRUE((*credentials)
                    ->ForEachRow([&](std::string_view key, std::string_view value) {
                      if (key.starts_with("session/") || key.starts_with("invitation/")) {
                        secrets.emplace_back("stored digest",
                                             std::string(key.substr(key.find('/') + 1)));
                      }
                      const json::value row = JsonOf(value);
                      if (row.is_object() && row.as_object().contains("password_hash") &&
                          !row.at("password_hash").as_string().empty()) {
                        secrets.emplace_back("password hash",
                                             std::string(row.at("password_hash").as_string()));
                      }
                      return true;
                    })
                    .ok());
  }
  EXPECT_GT(secrets.size(), flow.secrets.size()) << "no hash or digest found to look for";
  const auto events = ReadEvents(head);
  testing::CheckEventsTopic(events, *store);
  const auto donations = ReadDonations(testing::ExpectedPartnerItems(*store).size());
  std::vector<std::string> rights;
  for (const KafkaRecord& record : events) {
    const std::string* type = record.Header("type");
    ASSERT_NE(type, nullptr);
    if (type->starts_with("Account") || type->starts_with("Key")) rights.push_back(*type);
  }
  EXPECT_EQ(rights, flow.rights_events) << "each right once, in log order";
  // The search below reads the right bytes: the rights' ids are in them (not secret).
  std::string all_events;
  for (const KafkaRecord& record : events) all_events += record.value;
  EXPECT_NE(all_events.find(flow.open_account_id), std::string::npos);
  EXPECT_NE(all_events.find(flow.revoked_key_id), std::string::npos);
  size_t records = 0;
  for (const std::vector<KafkaRecord>* topic : {&events, &donations}) {
    for (const KafkaRecord& record : *topic) {
      ++records;
      std::string bytes = record.key + record.value;
      for (const auto& [name, value] : record.headers) bytes += name + value;
      for (const auto& [what, secret] : secrets) {
        EXPECT_EQ(bytes.find(secret), std::string::npos)
            << what << " in " << record.topic << " offset " << record.offset;
      }
      for (const std::string& personal : flow.personal) {
        EXPECT_EQ(bytes.find(personal), std::string::npos)
            << personal << " in " << record.topic << " offset " << record.offset;
      }
    }
  }
  std::printf("%zu records searched for %zu secrets and %zu logins and names\n", records,
              secrets.size(), flow.personal.size());
}

}  // namespace
}  // namespace ledger::api
