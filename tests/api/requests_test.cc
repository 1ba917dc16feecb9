// Service requests (订单式) over real sockets, as the seed tells it: an elder's need becomes a
// request, the coordinator assigns a volunteer of the branch, her visit names the request, the
// coordinator verifies it and the request is resolved, in GET /v1/requests/{id} and in the
// month's report; a reversal of the verification re-opens it. Bad input answers problem+json
// and the head does not move.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::ApiFixture;
using testing::BeijingUs;
using testing::HttpClient;
using testing::JsonOf;

class RequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.LoadScenario();
    coordinator_ = api_.CreateKey("coordinator", "branch_id", "b-shiyuan");
    port_ = api_.StartServer();
  }

  // Posts one event with `key`; returns the reply.
  testing::HttpReply Post(const std::string& id, std::string_view type, std::string_view fields,
                          int64_t at_us, const std::string& key) {
    HttpClient client(port_);
    auto reply =
        client.Request("POST", "/v1/events", ApiFixture::EventJson(id, type, fields, at_us), key);
    EXPECT_TRUE(reply.has_value());
    if (reply && reply->status == 201) {
      last_position_ = JsonOf(reply->body).at("position").to_number<uint64_t>();
    }
    return reply.value_or(testing::HttpReply{});
  }
  // Reads `target` as a client that wants its own writes: at least at the last position posted
  // (the projection follows the log asynchronously).
  json::value Get(const std::string& target, const std::string& key, int* status = nullptr) {
    HttpClient client(port_);
    const std::string at = std::string(target.find('?') == std::string::npos ? "?" : "&") +
                           "min_position=" + std::to_string(last_position_);
    auto reply = client.Request("GET", target + at, "", key);
    EXPECT_TRUE(reply.has_value());
    if (status != nullptr) *status = reply ? reply->status : 0;
    return reply ? JsonOf(reply->body) : json::value();
  }
  // Expects `reply` to be a problem+json of `status` and `code`, and the head where it was.
  void ExpectRefused(const testing::HttpReply& reply, int status, std::string_view code,
                     const Head& before) {
    EXPECT_EQ(reply.status, status) << reply.body;
    auto type = reply.headers.find("content-type");
    ASSERT_NE(type, reply.headers.end());
    EXPECT_EQ(type->second, "application/problem+json");
    EXPECT_EQ(JsonOf(reply.body).at("code").as_string(), code) << reply.body;
    EXPECT_EQ(api_.head(), before) << "a refused event moved the head";
  }

  ApiFixture api_;
  std::string coordinator_;
  uint16_t port_ = 0;
  uint64_t last_position_ = 0;
};

TEST_F(RequestsTest, RequestAssignedVisitedVerifiedIsResolvedAndReopenedByAReversal) {
  const std::string admin(testing::kTestAdminKey);
  // 钱淑珍's guardian calls: she needs company on 5 November; the coordinator sends 李桂英.
  ASSERT_EQ(Post("ev-q-nov", "ServiceRequested",
                 R"(request_id: "q-nov", elder_id: "e-qian", need: companionship,
                    description: "想有人陪着去公园", requested_by: guardian, urgent: true)",
                 BeijingUs(2026, 11, 4, 9), coordinator_)
                .status,
            201);
  json::value request = Get("/v1/requests/q-nov", coordinator_);
  EXPECT_EQ(request.at("status").as_string(), "open");
  EXPECT_EQ(request.at("branch_id").as_string(), "b-shiyuan");
  EXPECT_TRUE(request.at("volunteer_id").is_null());
  EXPECT_EQ(request.at("description").as_string(), "想有人陪着去公园");
  ASSERT_EQ(
      Post("ev-q-nov-assign", "RequestAssigned", R"(request_id: "q-nov", volunteer_id: "v-li")",
           BeijingUs(2026, 11, 4, 10), coordinator_)
          .status,
      201);
  // 李桂英 sees it among hers; 王秀兰 does not see it at all.
  const std::string li = api_.CreateKey("member", "member_id", "v-li");
  const std::string wang = api_.CreateKey("member", "member_id", "v-wang");
  json::value mine = Get("/v1/requests?status=assigned", li);
  ASSERT_EQ(mine.at("items").as_array().size(), 1u);
  EXPECT_EQ(mine.at("items").at(0).at("request_id").as_string(), "q-nov");
  int status = 0;
  Get("/v1/requests/q-nov", wang, &status);
  EXPECT_EQ(status, 404);
  EXPECT_TRUE(Get("/v1/requests?volunteer_id=v-li", wang).at("items").as_array().empty());

  // The visit names the request; verifying it resolves the request.
  ASSERT_EQ(Post("ev-s-nov", "ServiceLogged",
                 R"(service_id: "s-nov", volunteer_id: "v-li", elder_id: "e-qian",
                    kind: companionship, started_at_us: 1793840400000000, minutes: 120,
                    request_id: "q-nov")",
                 BeijingUs(2026, 11, 5, 14), coordinator_)
                .status,
            201);
  ASSERT_EQ(Post("ev-s-nov-ok", "ServiceVerified",
                 R"(service_id: "s-nov", confirmed_by: "e-qian", rating: 5)",
                 BeijingUs(2026, 11, 5, 18), coordinator_)
                .status,
            201);
  request = Get("/v1/requests/q-nov", li);
  EXPECT_EQ(request.at("status").as_string(), "resolved");
  EXPECT_EQ(request.at("volunteer_id").as_string(), "v-li");
  ASSERT_EQ(request.at("service_ids").as_array().size(), 1u);
  EXPECT_EQ(request.at("service_ids").at(0).as_string(), "s-nov");
  EXPECT_EQ(request.at("requested_at").as_string(), "2026-11-04T09:00:00+08:00");
  EXPECT_EQ(request.at("resolved_at").as_string(), "2026-11-05T18:00:00+08:00");
  // Requested 4 Nov 09:00, resolved 5 Nov 18:00: 33 hours.
  json::value report = Get("/v1/reports/monthly?branch_id=b-shiyuan&month=2026-11", coordinator_);
  EXPECT_EQ(report.at("requests_opened").as_int64(), 1);
  EXPECT_EQ(report.at("requests_resolved").as_int64(), 1);
  EXPECT_EQ(report.at("request_resolution_median_minutes").as_int64(), 33 * 60);
  json::value resolved = Get("/v1/requests?branch_id=b-shiyuan&status=resolved", admin);
  ASSERT_EQ(resolved.at("items").as_array().size(), 2u);  // q-nov and October's q-zhao
  // An auditor sees ids and figures, not the elder's words.
  const std::string auditor = api_.CreateKey("auditor");
  EXPECT_FALSE(Get("/v1/requests/q-nov", auditor).as_object().contains("description"));

  // The verification was a mistake: its reversal re-opens the request.
  ASSERT_EQ(Post("ev-s-nov-rv", "EventReversed",
                 R"(reversal_id: "rv-s-nov", reverses_id: "ev-s-nov-ok", reason: "老人外出未见面")",
                 BeijingUs(2026, 11, 6, 9), coordinator_)
                .status,
            201);
  request = Get("/v1/requests/q-nov", admin);
  EXPECT_EQ(request.at("status").as_string(), "assigned");
  EXPECT_TRUE(request.at("resolved_at").is_null());
  report = Get("/v1/reports/monthly?branch_id=b-shiyuan&month=2026-11", admin);
  EXPECT_EQ(report.at("requests_resolved").as_int64(), 0);
  EXPECT_TRUE(report.at("request_resolution_median_minutes").is_null());
}

TEST_F(RequestsTest, BadRequestsAreRefusedAndChangeNothing) {
  const Head before = api_.head();
  // An elder the ledger does not know.
  ExpectRefused(Post("ev-bad-1", "ServiceRequested",
                     R"(request_id: "q-x", elder_id: "e-nobody", need: errand, description: "x")",
                     BeijingUs(2026, 11, 4), std::string(testing::kTestAdminKey)),
                422, "unknown_member", before);
  // A resolved request takes no more assignments.
  ExpectRefused(
      Post("ev-bad-2", "RequestAssigned", R"(request_id: "q-zhao", volunteer_id: "v-zhang")",
           BeijingUs(2026, 11, 4), std::string(testing::kTestAdminKey)),
      422, "request_resolved", before);
  ASSERT_EQ(Post("ev-q-open", "ServiceRequested",
                 R"(request_id: "q-open", elder_id: "e-zhao", need: errand, description: "买菜")",
                 BeijingUs(2026, 11, 4), coordinator_)
                .status,
            201);
  const Head opened = api_.head();
  // A volunteer of another branch (张凤 is 高丽营镇's).
  ExpectRefused(
      Post("ev-bad-3", "RequestAssigned", R"(request_id: "q-open", volunteer_id: "v-zhang")",
           BeijingUs(2026, 11, 4), std::string(testing::kTestAdminKey)),
      422, "different_branch", opened);
  // A visit for the cancelled request of 钱淑珍.
  ExpectRefused(Post("ev-bad-4", "ServiceLogged",
                     R"(service_id: "s-x", volunteer_id: "v-li", elder_id: "e-qian", kind: other,
                        started_at_us: 1793840400000000, minutes: 60, request_id: "q-qian")",
                     BeijingUs(2026, 11, 5), coordinator_),
                422, "request_cancelled", opened);
  // A visit by someone the request is not assigned to (it is open).
  ExpectRefused(Post("ev-bad-5", "ServiceLogged",
                     R"(service_id: "s-x", volunteer_id: "v-wang", elder_id: "e-zhao",
                        kind: errand, started_at_us: 1793840400000000, minutes: 60,
                        request_id: "q-open")",
                     BeijingUs(2026, 11, 5), coordinator_),
                422, "not_assigned", opened);
  // A coordinator may not request for another branch's elder.
  ExpectRefused(Post("ev-bad-6", "ServiceRequested",
                     R"(request_id: "q-y", elder_id: "e-sun", need: errand, description: "x")",
                     BeijingUs(2026, 11, 4), coordinator_),
                403, "forbidden", opened);
  // A need the contract does not name.
  HttpClient client(port_);
  auto reply = client.Request(
      "POST", "/v1/events",
      R"({"id":"ev-bad-7","type":"ServiceRequested","occurred_at":"2026-11-04T09:00:00+08:00",
          "data":{"request_id":"q-z","elder_id":"e-zhao","need":"gardening","description":"x"}})",
      coordinator_);
  ASSERT_TRUE(reply.has_value());
  ExpectRefused(*reply, 400, "invalid_field", opened);
  EXPECT_EQ(JsonOf(reply->body).at("field").as_string(), "/data/need");
  // Unknown requests read as 404, and a bad status filter is a 400.
  int status = 0;
  Get("/v1/requests/q-none", coordinator_, &status);
  EXPECT_EQ(status, 404);
  Get("/v1/requests?status=done", coordinator_, &status);
  EXPECT_EQ(status, 400);
}

}  // namespace
}  // namespace ledger::api
