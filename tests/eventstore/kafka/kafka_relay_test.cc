// The Kafka relay against a real Apache Kafka broker (scripts/kafka). scripts/test starts the
// broker and sets LEDGER_KAFKA_BROKERS (and LEDGER_KAFKA_DIR, the broker these tests stop and
// start again); without it the tests fail under CI=true and are skipped elsewhere.
//
// Each test uses topics of its own (a fresh prefix), so runs never see each other's records.
#include "eventstore/kafka/kafka_relay.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/eventstore/kafka/kafka_test_support.h"
#include "tests/eventstore/test_support.h"
#include "tests/projections/ledger_fixture.h"

extern char** environ;

namespace ledger {
namespace {

using std::chrono::seconds;
using testing::LedgerFixture;

// Each wait for the relay or a topic has this bound; on this machine it takes a few seconds.
constexpr seconds kDeliveryTimeout{120};

class KafkaRelayTest : public testing::KafkaBrokerTest {
 protected:
  KafkaRelayTest() : KafkaBrokerTest("test", kDeliveryTimeout) {}

  KafkaRelayOptions Options() const {
    KafkaRelayOptions options;
    options.client.brokers = brokers_;
    options.topic_prefix = prefix_;
    options.backoff_ms_max = 1000;  // the tests wait for the broker's return
    return options;
  }

  std::unique_ptr<KafkaRelay> StartRelay(EventStore& store, KafkaRelayOptions options) {
    auto relay = KafkaRelay::Start(store, std::move(options));
    EXPECT_TRUE(relay.ok()) << relay.status().ToString();
    return relay.ok() ? std::move(relay).value() : nullptr;
  }

  testing::TempDir dir_;
};

// The scenario and more, appended while the relay runs: every event arrives exactly once, in
// position order, byte for byte with an intact chain; every partner item arrives keyed by its
// partner, with the allocations the ledger made.
TEST_F(KafkaRelayTest, EveryEventAndPartnerItemArrivesOnce) {
  LedgerFixture ledger(dir_.path());
  testing::AppendOctoberScenario(ledger.store());  // before the relay: it catches up
  auto relay = StartRelay(ledger.store(), Options());
  ASSERT_NE(relay, nullptr);
  EXPECT_EQ(testing::AppendAcceptedEvents(ledger.store(), "e2e-", 1500), 0);  // while it runs
  EXPECT_EQ(testing::AppendAcceptedEvents(ledger.store(), "e2e-batch-", 2000, 100), 0);
  const Head head = ledger.store().GetHead();
  ASSERT_TRUE(relay->WaitForConfirmed(head.next, kDeliveryTimeout)) << relay->progress().last_error;
  const KafkaRelayProgress progress = relay->progress();
  EXPECT_EQ(progress.lag_events, 0u);
  EXPECT_EQ(progress.lag_seconds, 0);
  EXPECT_EQ(progress.rewinds_total, 0u);

  const auto events = ReadEvents(head.next.value);
  const testing::EventsTopicView view = testing::CheckEventsTopic(events, ledger.store());
  EXPECT_EQ(events.size(), head.next.value) << "no failure, so not even a duplicate";

  const size_t items = testing::ExpectedPartnerItems(ledger.store()).size();
  const auto donations = ReadDonations(items);
  EXPECT_EQ(testing::CheckDonationsTopic(donations, ledger.store()), 0);
  EXPECT_EQ(testing::ScenarioAidAllocations(donations), 2)
      << "p-avic's 300,000 + 200,000 fen to the aid payments";
  std::printf("%lu events, %zu partner items, %lu messages delivered\n", head.next.value,
              donations.size(), relay->progress().delivered_messages_total);
}

// A broker outage: appends go on without a single failure while the relay holds back; when the
// broker is back every event arrives, none lost, in position order after de-duplication.
TEST_F(KafkaRelayTest, BrokerOutageNeverFailsAppendsAndLosesNothing) {
  LedgerFixture ledger(dir_.path());
  auto relay = StartRelay(ledger.store(), Options());
  ASSERT_NE(relay, nullptr);
  testing::AppendOctoberScenario(ledger.store());
  const Head before = ledger.store().GetHead();
  ASSERT_TRUE(relay->WaitForConfirmed(before.next, kDeliveryTimeout));

  const auto outage_start = std::chrono::steady_clock::now();
  {
    testing::BrokerOutage outage(LEDGER_KAFKA_SCRIPT, brokers_);
    const auto appends_start = std::chrono::steady_clock::now();
    EXPECT_EQ(testing::AppendAcceptedEvents(ledger.store(), "outage-", 1200), 0);
    const double append_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - appends_start).count();
    const KafkaRelayProgress during = relay->progress();
    EXPECT_EQ(during.confirmed, before.next) << "nothing can be confirmed without a broker";
    EXPECT_EQ(during.lag_events, 1200u);
    EXPECT_GT(during.lag_seconds, 0);
    std::printf("1200 appends during the outage took %.2f s; lag %lu events, %.2f s\n",
                append_seconds, during.lag_events, during.lag_seconds);
    ASSERT_TRUE(outage.End());
  }
  const Head head = ledger.store().GetHead();
  ASSERT_TRUE(relay->WaitForConfirmed(head.next, kDeliveryTimeout)) << relay->progress().last_error;
  std::printf(
      "caught up %.1f s after the outage began\n",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - outage_start).count());

  const auto events = ReadEvents(head.next.value);
  const testing::EventsTopicView view = testing::CheckEventsTopic(events, ledger.store());
  std::printf("%zu records for %lu events (%zu duplicates)\n", events.size(), head.next.value,
              events.size() - view.first_order.size());
  const auto donations = ReadDonations(testing::ExpectedPartnerItems(ledger.store()).size());
  testing::CheckDonationsTopic(donations, ledger.store());
}

// Started while the broker is down (ledgerd starting before Kafka): the relay starts at once,
// creates its topics when the broker comes, and publishes everything.
TEST_F(KafkaRelayTest, StartsWithoutABrokerAndCatchesUp) {
  LedgerFixture ledger(dir_.path());
  testing::AppendOctoberScenario(ledger.store());
  std::unique_ptr<KafkaRelay> relay;
  {
    testing::BrokerOutage outage(LEDGER_KAFKA_SCRIPT, brokers_);
    const auto start = std::chrono::steady_clock::now();
    relay = StartRelay(ledger.store(), Options());
    ASSERT_NE(relay, nullptr);
    EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(1)) << "Start must not wait";
    EXPECT_EQ(testing::AppendAcceptedEvents(ledger.store(), "down-", 200), 0);
    EXPECT_FALSE(relay->progress().topics_ready);
    EXPECT_GT(relay->progress().lag_seconds, 0);
  }
  const Head head = ledger.store().GetHead();
  ASSERT_TRUE(relay->WaitForConfirmed(head.next, kDeliveryTimeout)) << relay->progress().last_error;
  testing::CheckEventsTopic(ReadEvents(head.next.value), ledger.store());
}

// A delivery reported failed (here by the test seam, as if an acknowledgement were lost) makes
// the relay produce the unconfirmed tail again: duplicates, but only of events not confirmed when
// the failure was reported, and de-duplicated by position the topic is the log.
TEST_F(KafkaRelayTest, FailedDeliveryRepublishesTheTail) {
  LedgerFixture ledger(dir_.path());
  testing::AppendOctoberScenario(ledger.store());
  EXPECT_EQ(testing::AppendAcceptedEvents(ledger.store(), "fail-", 8000, 200), 0);
  constexpr uint64_t kFailedPosition = 6000;
  std::atomic<bool> failed_once{false};
  std::atomic<KafkaRelay*> started{nullptr};
  std::atomic<uint64_t> confirmed_at_failure{UINT64_MAX};
  KafkaRelayOptions options = Options();
  options.fail_delivery_for_test = [&](Position position) {
    if (position.value != kFailedPosition || failed_once.exchange(true)) return false;
    // What the relay had confirmed then (the last snapshot: a lower bound) is never re-sent.
    KafkaRelay* relay = started.load();
    confirmed_at_failure = relay != nullptr ? relay->progress().confirmed.value : 0;
    return true;
  };
  auto relay = StartRelay(ledger.store(), options);
  ASSERT_NE(relay, nullptr);
  started = relay.get();
  const Head head = ledger.store().GetHead();
  ASSERT_TRUE(relay->WaitForConfirmed(head.next, kDeliveryTimeout));
  EXPECT_EQ(relay->progress().rewinds_total, 1u);
  EXPECT_EQ(relay->progress().failed_deliveries_total, 1u);

  const auto events = ReadEvents(head.next.value);
  const testing::EventsTopicView view = testing::CheckEventsTopic(events, ledger.store());
  size_t duplicates = 0;
  for (const auto& [position, copies] : view.copies) {
    if (position < confirmed_at_failure) {
      EXPECT_EQ(copies, 1) << position;
    }
    EXPECT_LE(copies, 2) << position;
    duplicates += copies - 1;
  }
  EXPECT_LE(confirmed_at_failure, kFailedPosition);
  EXPECT_GE(view.copies.at(kFailedPosition), 1);
  std::printf("failure at %lu, confirmed then %lu: %zu duplicates\n", kFailedPosition,
              confirmed_at_failure.load(), duplicates);
  testing::CheckDonationsTopic(ReadDonations(testing::ExpectedPartnerItems(ledger.store()).size()),
                               ledger.store());
}

// The relay is killed (SIGKILL, in a child process) in the middle of publication and started
// again: it resumes from its checkpoint, so the topic holds every event, with duplicates only of
// the unconfirmed tail, and its rebuilt partner state yields the same items again.
TEST_F(KafkaRelayTest, KilledRelayResumesFromItsCheckpoint) {
  {
    LedgerFixture ledger(dir_.path());
    testing::AppendOctoberScenario(ledger.store());
    EXPECT_EQ(testing::AppendAcceptedEvents(ledger.store(), "kill-", 20000, 200), 0);
  }
  constexpr uint64_t kKillAfterConfirmed = 3000;
  std::string child = KAFKA_RELAY_CHILD_PATH;
  std::string dir = dir_.path();
  std::string kill_after = std::to_string(kKillAfterConfirmed);
  char* argv[] = {child.data(),   dir.data(),        brokers_.data(),
                  prefix_.data(), kill_after.data(), nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, child.c_str(), nullptr, nullptr, argv, environ), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child should have been killed mid-publication (status " << status << ")";

  LedgerFixture ledger(dir_.path());
  const Head head = ledger.store().GetHead();
  auto rows = ledger.store().OpenMetaTable(kRelayTable);
  ASSERT_TRUE(rows.ok());
  const Position checkpoint = (*rows)->Checkpoint().value();
  EXPECT_GE(checkpoint.value, kKillAfterConfirmed);
  EXPECT_LT(checkpoint, head.next) << "killed before the end of the log";

  auto relay = StartRelay(ledger.store(), Options());
  ASSERT_NE(relay, nullptr);
  ASSERT_TRUE(relay->WaitForConfirmed(head.next, kDeliveryTimeout)) << relay->progress().last_error;
  const auto events = ReadEvents(head.next.value);
  const testing::EventsTopicView view = testing::CheckEventsTopic(events, ledger.store());
  size_t duplicates = 0;
  for (const auto& [position, copies] : view.copies) {
    if (position < checkpoint.value) {
      EXPECT_EQ(copies, 1) << position;
    }
    EXPECT_LE(copies, 2) << position;
    duplicates += copies - 1;
  }
  std::printf("killed at checkpoint %lu of %lu: %zu duplicates of the unconfirmed tail\n",
              checkpoint.value, head.next.value, duplicates);
  const int item_duplicates = testing::CheckDonationsTopic(
      ReadDonations(testing::ExpectedPartnerItems(ledger.store()).size()), ledger.store());
  std::printf("%d duplicate partner items\n", item_duplicates);
}

// librdkafka settings pass through to the broker: over its SASL_PLAINTEXT listener (scripts/kafka
// sasl), the relay publishes everything with the right password, and with a wrong one the broker
// refuses it: nothing is confirmed, the relay reports an error, and appends go on.
TEST_F(KafkaRelayTest, SaslSettingsReachTheBroker) {
  KafkaRelayOptions options = Options();
  for (const std::string& line : testing::RunKafkaScriptLines(LEDGER_KAFKA_SCRIPT, "sasl")) {
    auto setting = ParseKafkaSetting(line);
    ASSERT_TRUE(setting.ok()) << line;
    if (setting->first == "bootstrap.servers") {
      options.client.brokers = setting->second;
    } else {
      options.client.config.push_back(*setting);
    }
  }
  ASSERT_NE(options.client.brokers, brokers_) << "scripts/kafka sasl gave no SASL listener";
  ASSERT_EQ(options.client.config.size(), 4u);

  LedgerFixture ledger(dir_.path());
  testing::AppendOctoberScenario(ledger.store());
  {
    KafkaRelayOptions wrong = options;
    wrong.client.config.back() = {"sasl.password", "not-the-password"};
    auto relay = StartRelay(ledger.store(), wrong);
    ASSERT_NE(relay, nullptr);
    // The broker refuses the login; the relay says so and retries, getting nothing through.
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (relay->progress().last_error.find("SASL authentication") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(relay->progress().last_error.find("SASL authentication"), std::string::npos)
        << relay->progress().last_error;
    EXPECT_EQ(relay->progress().confirmed, Position{0});
    EXPECT_FALSE(relay->progress().topics_ready);
  }
  EXPECT_EQ(testing::AppendAcceptedEvents(ledger.store(), "sasl-", 50), 0);
  auto relay = StartRelay(ledger.store(), options);
  ASSERT_NE(relay, nullptr);
  const Head head = ledger.store().GetHead();
  ASSERT_TRUE(relay->WaitForConfirmed(head.next, kDeliveryTimeout)) << relay->progress().last_error;
  testing::CheckEventsTopic(ReadEvents(head.next.value), ledger.store());
}

// A bad librdkafka property or option fails the start, not the relay thread later.
TEST_F(KafkaRelayTest, BadConfigurationFailsTheStart) {
  LedgerFixture ledger(dir_.path());
  KafkaRelayOptions options = Options();
  options.client.config.emplace_back("no.such.property", "1");
  auto relay = KafkaRelay::Start(ledger.store(), options);
  EXPECT_EQ(relay.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(relay.status().message().find("no.such.property"), std::string::npos);
  options = Options();
  options.topic_prefix = "bad prefix";
  EXPECT_EQ(KafkaRelay::Start(ledger.store(), options).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseKafkaSetting("novalue").ok());
  EXPECT_EQ(ParseKafkaSetting("sasl.password=a=b").value().second, "a=b");
}

}  // namespace
}  // namespace ledger

namespace ledger {
namespace {

// An auditor can verify the ledger from the events topic alone: `ledgerctl verify --kafka`
// restores position order, drops duplicates, re-hashes the chain and re-derives every balance.
class KafkaVerifyTest : public testing::KafkaBrokerTest {
 protected:
  KafkaVerifyTest() : KafkaBrokerTest("verify", std::chrono::seconds(30)) {}
};

TEST_F(KafkaVerifyTest, LedgerctlVerifiesTheEventsTopic) {
  testing::TempDir dir;
  testing::LedgerFixture ledger(dir.path());
  testing::AppendOctoberScenario(ledger.store());
  KafkaRelayOptions options;
  options.client.brokers = brokers_;
  options.topic_prefix = prefix_;
  auto relay = KafkaRelay::Start(ledger.store(), options);
  ASSERT_TRUE(relay.ok()) << relay.status().ToString();
  const Head head = ledger.store().GetHead();
  ASSERT_TRUE((*relay)->WaitForConfirmed(head.next, std::chrono::seconds(30)));
  const std::string report = dir.path() + "/report.json";
  const std::string command = std::string(LEDGERCTL_PATH) + " verify --kafka " + brokers_ +
                              " --topic " + prefix_ + ".events --idle-ms 1500 --report " + report +
                              " > /dev/null";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(report);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\"events\":" + std::to_string(head.next.value)), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("\"head_hash\":\"" + HexOf(head.hash)), std::string::npos);
}

}  // namespace
}  // namespace ledger
