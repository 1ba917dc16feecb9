// The Kafka relay as ledgerd shows it, without a broker: its lag and health in /readyz and
// /metrics while no broker answers (appends go on), a bad librdkafka property refused at open,
// and ledgerd's --kafka-* flags and LEDGER_KAFKA_CONFIG* variables checked before serving.
// tests/api/ledgerd_kafka_test.cc runs the relay in ledgerd against the real broker.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"

namespace ledger::api {
namespace {
using testing::ApiFixture;
using testing::JsonOf;
using testing::Ledgerd;

// Nothing listens there: connections are refused at once, as during a broker outage.
constexpr const char* kNoBroker = "127.0.0.1:1";

KafkaRelayOptions RelayToNowhere() {
  KafkaRelayOptions options;
  options.client.brokers = kNoBroker;
  options.topic_prefix = "relay-status-test";
  return options;
}

// With no broker, appends succeed; /readyz stays 200 and shows the relay's lag in detail;
// /metrics carries the relay's gauges and counters.
TEST(RelayStatusTest, LagShowsInReadyzAndMetricsWhileAppendsGoOn) {
  ApiFixture api({}, RelayToNowhere());
  ASSERT_NE(api.node().kafka_relay(), nullptr);
  const uint64_t last = api.LoadScenario();  // every event accepted: no broker needed

  Response ready = api.Call("GET", "/readyz", "", "");
  ASSERT_EQ(ready.status, 200) << ready.body;
  const boost::json::value body = JsonOf(ready.body);
  EXPECT_EQ(body.at("status").as_string(), "ready");
  const boost::json::object& relay = body.at("kafka_relay").as_object();
  EXPECT_EQ(relay.at("health").as_string(), "ok") << "broker trouble is lag, not ill health";
  EXPECT_EQ(relay.at("topics_ready").as_bool(), false);
  EXPECT_EQ(relay.at("confirmed").to_number<uint64_t>(), 0u);
  EXPECT_EQ(relay.at("lag_events").to_number<uint64_t>(), last + 1);
  EXPECT_GT(relay.at("lag_seconds").to_number<double>(), 0);
  EXPECT_TRUE(relay.contains("last_error"));

  Response metrics = api.Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const std::string& line : std::vector<std::string>{
           "ledger_kafka_relay_up 1\n", "ledger_kafka_relay_topics_ready 0\n",
           "ledger_kafka_relay_confirmed_position 0\n",
           "ledger_kafka_relay_lag_events " + std::to_string(last + 1) + "\n",
           "# TYPE ledger_kafka_relay_lag_seconds gauge\n", "ledger_kafka_relay_lag_seconds ",
           "ledger_kafka_relay_delivered_messages_total 0\n",
           "# TYPE ledger_kafka_relay_failed_deliveries_total counter\n",
           "ledger_kafka_relay_rewinds_total 0\n"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line;
  }
}

// Without a relay, /readyz and /metrics say nothing about Kafka.
TEST(RelayStatusTest, NoRelayNoKafkaDetail) {
  ApiFixture api;
  EXPECT_EQ(api.node().kafka_relay(), nullptr);
  EXPECT_FALSE(JsonOf(api.Call("GET", "/readyz", "", "").body).as_object().contains("kafka_relay"));
  EXPECT_EQ(api.Call("GET", "/metrics").body.find("kafka"), std::string::npos);
}

// A librdkafka property it does not know fails the node's open, naming the relay.
TEST(RelayStatusTest, BadRelayPropertyFailsTheOpen) {
  testing::TempDir dir;
  ApiNodeOptions options;
  options.data_dir = dir.path() + "/data";
  options.admin_key = std::string(testing::kTestAdminKey);
  options.kafka_relay = RelayToNowhere();
  options.kafka_relay->client.config.emplace_back("no.such.property", "1");
  auto node = ApiNode::Open(std::move(options));
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(node.status().message().find("kafka relay: "), std::string::npos);
  EXPECT_NE(node.status().message().find("no.such.property"), std::string::npos);
}

// ledgerd documents its Kafka flags, refuses bad ones with exit 2 before opening anything, and
// fails to start (exit 1) on a property librdkafka refuses, from a flag or the environment.
TEST(RelayStatusTest, LedgerdChecksItsKafkaFlags) {
  Ledgerd help({"--help"});
  const std::string text = help.RestOfOutput();
  EXPECT_EQ(help.Wait(), 0);
  for (const char* option :
       {"--kafka-brokers", "--kafka-prefix", "--kafka-config", "--kafka-partitions",
        "--kafka-replication-factor", "--kafka-create-topics", "LEDGER_KAFKA_BROKERS",
        "LEDGER_KAFKA_CONFIG_"}) {
    EXPECT_NE(text.find(option), std::string::npos) << option;
  }
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  auto run = [&](std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.end(), {"--data", data, "--listen", "127.0.0.1:0", "--log-requests", "off"});
    Ledgerd ledgerd(std::move(args), std::move(env));
    return ledgerd.Wait();
  };
  EXPECT_EQ(run({"--kafka-brokers", kNoBroker, "--kafka-config", "novalue"}), 2);
  EXPECT_EQ(run({"--kafka-brokers", kNoBroker, "--kafka-partitions", "0"}), 2);
  EXPECT_EQ(run({"--kafka-brokers", kNoBroker, "--kafka-replication-factor", "x"}), 2);
  EXPECT_EQ(run({"--kafka-brokers", kNoBroker, "--kafka-create-topics", "maybe"}), 2);
  EXPECT_EQ(run({"--kafka-brokers", kNoBroker, "--kafka-config", "no.such.property=1"}), 1);
  EXPECT_EQ(run({"--kafka-brokers", kNoBroker}, {"LEDGER_KAFKA_CONFIG_TEST=no.such.property=1"}),
            1);
  EXPECT_EQ(
      run({}, {"LEDGER_KAFKA_BROKERS=" + std::string(kNoBroker), "LEDGER_KAFKA_CONFIG=client.id"}),
      2);
}

}  // namespace
}  // namespace ledger::api
