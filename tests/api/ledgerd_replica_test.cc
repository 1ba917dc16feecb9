// A read replica built from Kafka: ledgerd --replica follows the primary's events topic on the
// real broker, answers every read identically to the primary at the same position, refuses
// writes with 409 read_only_replica, and keeps up with appends made after it started.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"
#include "tests/eventstore/kafka/kafka_test_support.h"

namespace ledger::api {
namespace {

// `value` without the personal fields a replica never has (docs/privacy.md: it holds no personal
// data): those of members, and those sealed apart from members' and services' events.
boost::json::value WithoutPersonal(boost::json::value value) {
  static constexpr const char* kPersonal[] = {"name",        "gender", "birth_year", "phone",
                                              "lives_alone", "skills", "place",      "content"};
  if (value.is_array()) {
    for (boost::json::value& item : value.as_array()) item = WithoutPersonal(std::move(item));
  } else if (value.is_object()) {
    boost::json::object& object = value.as_object();
    const boost::json::value* type = object.if_contains("type");
    const bool sealed_event =
        type != nullptr && type->is_string() &&
        (type->as_string() == "MemberRegistered" || type->as_string() == "MemberUpdated" ||
         type->as_string() == "ServiceLogged");
    if (sealed_event && object.contains("data")) {
      for (const char* name : kPersonal) object["data"].as_object().erase(name);
    }
    if (object.contains("member_id") && object.contains("star")) {  // a member read
      for (const char* name : kPersonal) object.erase(name);
    }
    for (auto& member : object) member.value() = WithoutPersonal(std::move(member.value()));
  }
  return value;
}
using testing::HttpClient;
using testing::JsonOf;
using testing::Ledgerd;

constexpr std::string_view kKey = "replica-test-admin-key-0123456789abcdef";
constexpr std::chrono::seconds kCatchUpTimeout{60};

class LedgerdReplicaTest : public testing::KafkaBrokerTest {
 protected:
  LedgerdReplicaTest() : KafkaBrokerTest("replica", kCatchUpTimeout) {}

  std::unique_ptr<Ledgerd> Start(const std::string& data, std::vector<std::string> extra) {
    return testing::StartWithKafka(data, brokers_, prefix_, kKey, std::move(extra));
  }

  static std::string Head(uint16_t port) {
    HttpClient client(port);
    auto reply = client.Request("GET", "/v1/audit/head", {}, kKey);
    if (!reply || reply->status != 200) return "";
    const boost::json::value head = JsonOf(reply->body);
    return std::to_string(head.at("next").to_number<uint64_t>()) + "/" +
           std::string(head.at("hash").as_string());
  }

  // Waits until the replica's head equals the primary's; returns it ("" on timeout).
  static std::string WaitForSameHead(uint16_t primary, uint16_t replica) {
    const std::string want = Head(primary);
    const auto deadline = std::chrono::steady_clock::now() + kCatchUpTimeout;
    while (Head(replica) != want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Head(replica) == want ? want : "";
  }

  testing::TempDir dir_;
};

TEST_F(LedgerdReplicaTest, AnswersReadsLikeThePrimaryAndRefusesWrites) {
  auto primary = Start(dir_.path() + "/primary", {"--demo"});
  const uint16_t primary_port = primary->Port();
  ASSERT_NE(primary_port, 0) << primary->RestOfOutput();
  auto replica =
      Start(dir_.path() + "/replica",
            {"--replica", "--primary", "http://127.0.0.1:" + std::to_string(primary_port)});
  const uint16_t replica_port = replica->Port();
  ASSERT_NE(replica_port, 0) << replica->RestOfOutput();
  const std::string head = WaitForSameHead(primary_port, replica_port);
  ASSERT_FALSE(head.empty()) << "the replica did not catch up";
  const uint64_t last = std::stoull(head.substr(0, head.find('/'))) - 1;
  const std::string at = "min_position=" + std::to_string(last);

  const std::vector<std::string> reads = {
      "/v1/members/v-wang?" + at,
      "/v1/members?branch_id=b-shiyuan&" + at,
      "/v1/funds/f-aid?" + at,
      "/v1/funds/f-aid/trail?" + at,
      "/v1/donations/d-avic?" + at,
      "/v1/partners/p-avic?" + at,
      "/v1/reports/monthly?branch_id=b-shiyuan&month=2026-10&" + at,
      "/v1/events?from=0&limit=1000",
      "/v1/streams/fund-f-aid?from_version=1",
  };
  HttpClient to_primary(primary_port);
  HttpClient to_replica(replica_port);
  for (const std::string& target : reads) {
    auto a = to_primary.Request("GET", target, {}, kKey);
    auto b = to_replica.Request("GET", target, {}, kKey);
    ASSERT_TRUE(a && b) << target;
    EXPECT_EQ(a->status, 200) << target << ": " << a->body;
    EXPECT_EQ(b->status, a->status) << target;
    // The same reads, without personal fields: the replica has none.
    EXPECT_EQ(boost::json::serialize(WithoutPersonal(boost::json::parse(a->body))),
              boost::json::serialize(boost::json::parse(b->body)))
        << target;
  }

  // Writes are refused, naming the primary; nothing changes.
  const std::string event = testing::ApiFixture::EventJson(
      "ev-replica-write", "TrainingCompleted",
      R"(training_id: "tr-r", member_id: "v-li", course: "急救", minutes: 60)",
      testing::BeijingUs(2026, 11, 20));
  auto refused = to_replica.Request("POST", "/v1/events", event, kKey);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409);
  EXPECT_NE(refused->body.find("read_only_replica"), std::string::npos) << refused->body;
  EXPECT_NE(refused->body.find(std::to_string(primary_port)), std::string::npos);

  // The same write at the primary reaches the replica.
  auto accepted = to_primary.Request("POST", "/v1/events", event, kKey);
  ASSERT_TRUE(accepted && accepted->status == 201) << (accepted ? accepted->body : "");
  const std::string after = WaitForSameHead(primary_port, replica_port);
  EXPECT_FALSE(after.empty());
  EXPECT_NE(after, head);
  auto member = to_replica.Request(
      "GET", "/v1/members/v-li?min_position=" + std::to_string(last + 1), {}, kKey);
  ASSERT_TRUE(member);
  EXPECT_EQ(
      boost::json::serialize(boost::json::parse(member->body)),
      boost::json::serialize(WithoutPersonal(boost::json::parse(
          to_primary
              .Request("GET", "/v1/members/v-li?min_position=" + std::to_string(last + 1), {}, kKey)
              ->body))));
  EXPECT_FALSE(boost::json::parse(member->body).as_object().contains("name"));

  // /readyz on the replica reports its replicator (healthy here); the primary has none.
  auto ready = to_replica.Request("GET", "/readyz", {}, "");
  ASSERT_TRUE(ready && ready->status == 200);
  EXPECT_EQ(JsonOf(ready->body).at("kafka_replica").at("health").as_string(), "ok") << ready->body;
  auto primary_ready = to_primary.Request("GET", "/readyz", {}, "");
  ASSERT_TRUE(primary_ready && primary_ready->status == 200);
  EXPECT_FALSE(JsonOf(primary_ready->body).as_object().contains("kafka_replica"));
}

}  // namespace
}  // namespace ledger::api
