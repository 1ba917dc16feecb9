// "Who read what" (API.md, "Personal information"; eventstore/access_log.h): every response that
// shows a member's personal fields is recorded, ids only, apart from the ledger; a refused read
// or a read without personal fields records nothing; the member and admins read the log through
// GET /v1/members/{id}/access-log, newest first; ledgerd bounds it (--access-log-entries).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <functional>

#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::ApiFixture;
using testing::JsonOf;

class AccessLogApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    at_ = "?min_position=" + std::to_string(api_.LoadScenario());
    coordinator_ = Key("coordinator", "branch_id", "b-shiyuan", &coordinator_id_);
    auditor_ = Key("auditor", "", "", nullptr);
    member_ = Key("member", "member_id", "v-wang", nullptr);
  }
  std::string Key(std::string_view role, std::string_view field, std::string_view scope,
                  std::string* key_id) {
    json::object body{{"role", role}};
    if (!field.empty()) body[field] = scope;
    Response created = api_.Call("POST", "/v1/keys", json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    const json::value key = JsonOf(created.body);
    if (key_id != nullptr) *key_id = std::string(key.at("key_id").as_string());
    return std::string(key.at("key").as_string());
  }
  // GET `target` with `key`, expecting `status`.
  json::value Get(const std::string& target, std::string_view key, int status = 200) {
    Response response = api_.Call("GET", target, {}, key);
    EXPECT_EQ(response.status, status) << target << ": " << response.body;
    return JsonOf(response.body);
  }
  // The member's access log as the admin reads it.
  json::array Log(std::string_view member_id) {
    json::value page = Get("/v1/members/" + std::string(member_id) + "/access-log?limit=1000",
                           testing::kTestAdminKey);
    return page.at("items").as_array();
  }
  uint64_t Stored() {
    EXPECT_TRUE(api_.node().access_log().Flush().ok());
    return api_.node().access_log().size();
  }

  ApiFixture api_;
  std::string at_;
  std::string coordinator_, coordinator_id_, auditor_, member_;
};

// An admin's and a branch coordinator's reads of a member are recorded, ids only, newest first;
// the ledger's head does not move.
TEST_F(AccessLogApiTest, AMemberReadWithPersonalFieldsIsRecorded) {
  const Head head = api_.head();
  json::value wang = Get("/v1/members/v-wang" + at_, testing::kTestAdminKey);
  ASSERT_TRUE(wang.as_object().contains("name"));
  Get("/v1/members/v-wang" + at_, coordinator_);
  json::array log = Log("v-wang");
  ASSERT_EQ(log.size(), 2u);
  const json::object& newest = log[0].as_object();
  EXPECT_EQ(newest.at("actor").as_string(), coordinator_id_);
  EXPECT_EQ(newest.at("role").as_string(), "coordinator");
  EXPECT_EQ(newest.at("route").as_string(), "GET /v1/members/{id}");
  EXPECT_EQ(newest.at("member_id").as_string(), "v-wang");
  EXPECT_TRUE(newest.at("at").as_string().starts_with("20"));
  EXPECT_EQ(log[1].at("role").as_string(), "admin");
  // Ids only: no name, no phone, no other field.
  EXPECT_EQ(newest.size(), 5u);
  EXPECT_EQ(json::serialize(log).find("王秀兰"), std::string::npos);
  EXPECT_TRUE(Log("v-li").empty());
  EXPECT_EQ(api_.head(), head) << "the access log is not in the ledger";
}

// Refused reads, and reads that show no personal fields (the auditor's, another branch's
// coordinator's 404), leave the access log unchanged; the member's own read shows her fields and
// is recorded.
TEST_F(AccessLogApiTest, RefusedReadsAndReadsWithoutPersonalFieldsRecordNothing) {
  const uint64_t before = Stored();
  json::value audited = Get("/v1/members/v-wang" + at_, auditor_);
  EXPECT_FALSE(audited.as_object().contains("name"));
  Get("/v1/members/v-zhang" + at_, coordinator_, 404);
  Get("/v1/members/v-li" + at_, member_, 404);
  Get("/v1/members/nobody" + at_, testing::kTestAdminKey, 404);
  Get("/v1/members?branch_id=b-shiyuan&min_position=0", auditor_);
  Get("/v1/members?limit=0", testing::kTestAdminKey, 400);
  Get("/v1/events?limit=1000&min_position=0", auditor_);
  EXPECT_EQ(Stored(), before);
  json::value own = Get("/v1/members/v-wang" + at_, member_);
  EXPECT_TRUE(own.as_object().contains("name"));
  EXPECT_EQ(Stored(), before + 1);
}

// Lists, events, streams, requests and certificates record each member whose personal fields
// they show, once per response.
TEST_F(AccessLogApiTest, EveryRouteWithPersonalFieldsRecordsItsMembers) {
  Get("/v1/members?branch_id=b-shiyuan&min_position=0", coordinator_);
  for (const char* id : {"v-wang", "v-li", "e-zhao", "e-qian"}) {
    json::array log = Log(id);
    ASSERT_EQ(log.size(), 1u) << id;
    EXPECT_EQ(log[0].at("route").as_string(), "GET /v1/members");
  }
  EXPECT_TRUE(Log("v-zhang").empty()) << "another branch's member: no personal fields";
  Get("/v1/streams/member-v-li", testing::kTestAdminKey);  // registered, then updated: once
  json::array li = Log("v-li");
  ASSERT_EQ(li.size(), 2u);
  EXPECT_EQ(li[0].at("route").as_string(), "GET /v1/streams/{stream}");
  Response certificate = api_.Call("POST", "/v1/members/v-zhang/certificates",
                                   R"({"from":"2026-01-01","to":"2026-12-31"})");
  ASSERT_EQ(certificate.status, 201) << certificate.body;
  const std::string number(JsonOf(certificate.body).at("certificate_id").as_string());
  // Public: anyone holding the number reads the name (once the projection has the certificate).
  Get("/v1/certificates/" + number + "?min_position=" + std::to_string(api_.head().next.value - 1),
      "");
  json::array sun = Log("v-zhang");
  ASSERT_EQ(sun.size(), 2u);
  EXPECT_EQ(sun[0].at("route").as_string(), "GET /v1/certificates/{id}");
  EXPECT_EQ(sun[0].at("role").as_string(), "public");
  EXPECT_EQ(sun[1].at("route").as_string(), "POST /v1/members/{id}/certificates");
  const uint64_t before = Stored();
  Get("/v1/events?limit=1000", testing::kTestAdminKey);
  EXPECT_GE(Stored(), before + 6) << "each registered member's personal fields";
}

// The member reads her own log, admins any; others are refused as for the member read; pages
// follow the cursor.
TEST_F(AccessLogApiTest, TheMemberAndAdminsReadTheLogInPages) {
  for (int i = 0; i < 3; ++i) Get("/v1/members/v-wang" + at_, testing::kTestAdminKey);
  json::value first = Get("/v1/members/v-wang/access-log?limit=2", member_);
  ASSERT_EQ(first.at("items").as_array().size(), 2u);
  ASSERT_TRUE(first.at("next_cursor").is_string());
  json::value second = Get("/v1/members/v-wang/access-log?limit=2&cursor=" +
                               std::string(first.at("next_cursor").as_string()),
                           member_);
  EXPECT_EQ(second.at("items").as_array().size(), 1u);
  EXPECT_TRUE(second.at("next_cursor").is_null());
  Get("/v1/members/v-li/access-log", member_, 404);
  Get("/v1/members/nobody/access-log", testing::kTestAdminKey, 404);
  Get("/v1/members/v-wang/access-log", coordinator_, 403);
  Get("/v1/members/v-wang/access-log", auditor_, 403);
  Get("/v1/members/v-wang/access-log?cursor=x", member_, 400);
  // Reading the log shows no personal fields: it records nothing itself.
  EXPECT_EQ(Log("v-wang").size(), 3u);
}

// ledgerd keeps at most --access-log-entries entries, in <data>/access-log, across a restart.
TEST(AccessLogLedgerdTest, TheBoundIsTheFlags) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string admin = "access-log-admin-3c8e1f6a9b2d4075e6c1a8f3b9d2e7c4";
  auto run = [&](const std::function<void(testing::HttpClient&)>& body) {
    testing::Ledgerd ledgerd({"--data", data, "--listen", "127.0.0.1:0", "--log-requests", "off",
                              "--access-log-entries", "3"},
                             {"LEDGER_ADMIN_KEY=" + admin});
    const uint16_t port = ledgerd.Port();
    ASSERT_NE(port, 0);
    testing::HttpClient client(port);
    body(client);
    EXPECT_EQ(ledgerd.Stop(SIGTERM), 0);
  };
  auto post = [&](testing::HttpClient& client, const std::string& event) {
    auto reply = client.Request("POST", "/v1/events", event, admin);
    ASSERT_TRUE(reply && reply->status == 201) << (reply ? reply->body : "no reply");
  };
  auto count = [&](testing::HttpClient& client, const std::string& id) -> size_t {
    auto reply = client.Request("GET", "/v1/members/" + id + "/access-log", "", admin);
    EXPECT_TRUE(reply && reply->status == 200);
    return reply ? JsonOf(reply->body).at("items").as_array().size() : 0;
  };
  run([&](testing::HttpClient& client) {
    post(client, R"({"id":"b","type":"BranchOpened","occurred_at":"2026-10-01T09:00:00+08:00",)"
                 R"("data":{"branch_id":"b","name":"石园街道"}})");
    for (const char* id : {"m-1", "m-2"}) {
      post(client, std::string(R"({"id":")") + id +
                       R"(","type":"MemberRegistered","occurred_at":"2026-10-01T10:00:00+08:00",)"
                       R"("data":{"member_id":")" +
                       id + R"(","kind":"elder","branch_id":"b","name":"赵奶奶"}})");
    }
    for (const char* id : {"m-1", "m-1", "m-2"}) {
      auto reply =
          client.Request("GET", std::string("/v1/members/") + id + "?min_position=2", "", admin);
      ASSERT_TRUE(reply && reply->status == 200);
    }
    EXPECT_EQ(count(client, "m-1"), 2u);
  });
  EXPECT_TRUE(std::filesystem::is_directory(data + "/access-log"));
  run([&](testing::HttpClient& client) {
    for (int i = 0; i < 2; ++i) {
      auto reply = client.Request("GET", "/v1/members/m-2?min_position=2", "", admin);
      ASSERT_TRUE(reply && reply->status == 200);
    }
    EXPECT_EQ(count(client, "m-2"), 3u);
    EXPECT_EQ(count(client, "m-1"), 0u) << "the oldest went first";
  });
}

}  // namespace
}  // namespace ledger::api
