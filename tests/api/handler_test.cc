// The pure request handler over a real ledger, without sockets: every endpoint's success path
// and its documented errors, idempotency, batches, read-your-writes, pagination, keys, personal
// fields and attestations.
#include "api/handler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <set>

#include "api/encoding.h"
#include "api/rfc3339.h"
#include "eventstore/checkpoint_signer.h"
#include "eventstore/signed_checkpoint.h"
#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::ApiFixture;
using testing::JsonOf;

int64_t Int(const json::value& v, std::string_view key) { return v.at(key).to_number<int64_t>(); }

std::string Code(const Response& response) {
  json::value body = JsonOf(response.body);
  return body.is_object() && body.as_object().contains("code")
             ? std::string(body.at("code").as_string())
             : "";
}

std::string Field(const Response& response) {
  json::value body = JsonOf(response.body);
  return body.is_object() && body.as_object().contains("field")
             ? std::string(body.at("field").as_string())
             : "";
}

const int64_t kNovember = testing::BeijingUs(2026, 11, 5);

std::string Event(std::string_view id, std::string_view type, std::string_view fields,
                  int64_t at = kNovember) {
  return ApiFixture::EventJson(id, type, fields, at);
}

// Registers the merchant "shop-1" that the attestation tests name.
void RegisterShop(ApiFixture& api) {
  ASSERT_EQ(api.Call("POST", "/v1/events",
                     Event("ev-shop", "PartnerRegistered",
                           R"(partner_id: "shop-1", name: "便民超市", kind: merchant)"))
                .status,
            201);
}

class HandlerTest : public ::testing::Test {
 protected:
  ApiFixture api_;
};

// The October story posted through the API reads back with the domain's figures.
TEST_F(HandlerTest, ScenarioThroughTheApiReadsBackTheFigures) {
  const uint64_t last = api_.LoadScenario();
  const std::string at = "?min_position=" + std::to_string(last);
  Response fund = api_.Call("GET", "/v1/funds/f-aid" + at);
  ASSERT_EQ(fund.status, 200) << fund.body;
  json::value f = JsonOf(fund.body);
  EXPECT_EQ(Int(f, "balance_fen"), 223000);
  EXPECT_EQ(Int(f.at("inflow_by_channel"), "government_purchase"), 162000);
  EXPECT_TRUE(f.at("outflow_by_category").as_object().contains("redemption"));
  Response member = api_.Call("GET", "/v1/members/v-wang" + at);
  ASSERT_EQ(member.status, 200);
  EXPECT_EQ(Int(JsonOf(member.body), "credit_minutes"), 240);
  EXPECT_EQ(JsonOf(member.body).at("name").as_string(), "王秀兰");  // admin sees names
  Response donation = api_.Call("GET", "/v1/donations/d-avic" + at);
  ASSERT_EQ(donation.status, 200);
  json::value d = JsonOf(donation.body);
  EXPECT_EQ(Int(d, "remaining_fen"), 0);
  EXPECT_EQ(Int(d, "allocated_fen"), 500000);
  EXPECT_FALSE(d.at("uses").as_array().empty());
  Response partner = api_.Call("GET", "/v1/partners/p-avic" + at);
  ASSERT_EQ(partner.status, 200);
  EXPECT_EQ(Int(JsonOf(partner.body), "donated_fen"), 500000);
  Response report = api_.Call("GET", "/v1/reports/monthly?branch_id=b-shiyuan&month=2026-10");
  ASSERT_EQ(report.status, 200) << report.body;
  json::value r = JsonOf(report.body);
  EXPECT_TRUE(r.at("sealed").as_bool());
  EXPECT_EQ(r.at("seal").at("hash").as_string().size(), 64u);
  EXPECT_EQ(r.at("star_counts").as_array().size(), 6u);
  Response trail = api_.Call("GET", "/v1/funds/f-aid/trail");
  ASSERT_EQ(trail.status, 200);
  EXPECT_GE(JsonOf(trail.body).at("items").as_array().size(), 4u);
}

// 201 with the stored result; the same event again is 200 with the original result; the same
// id with other content is 409 id_conflict.
TEST_F(HandlerTest, AppendIsIdempotentByEventId) {
  const std::string branch = Event("ev-b1", "BranchOpened", R"(branch_id: "b1", name: "石园街道")");
  Response first = api_.Call("POST", "/v1/events", branch);
  ASSERT_EQ(first.status, 201) << first.body;
  json::value created = JsonOf(first.body);
  for (const char* key : {"id", "type", "position", "stream", "version", "recorded_at", "hash"}) {
    EXPECT_TRUE(created.as_object().contains(key)) << key;
  }
  EXPECT_EQ(created.at("stream").as_string(), "branch-b1");
  EXPECT_EQ(created.at("hash").as_string().size(), 64u);
  Response again = api_.Call("POST", "/v1/events", branch);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  Response conflict = api_.Call("POST", "/v1/events",
                                Event("ev-b1", "BranchOpened", R"(branch_id: "b1", name: "别的")"));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(Code(conflict), "id_conflict");
  EXPECT_EQ(conflict.content_type, "application/problem+json");
  EXPECT_EQ(api_.head().next.value, 1u);
}

TEST_F(HandlerTest, ExpectedVersionMismatchIs409) {
  ASSERT_EQ(
      api_.Call("POST", "/v1/events", Event("b", "BranchOpened", R"(branch_id: "b1", name: "x")"))
          .status,
      201);
  json::value event = JsonOf(Event("ac", "ActivityHeld",
                                   R"(activity_id: "a1", branch_id: "b1", title: "t",
                                      date: "2026-11-05", participants: 1, beneficiaries: 1)"));
  event.as_object()["expected_version"] = 5;
  Response refused = api_.Call("POST", "/v1/events", json::serialize(event));
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(Code(refused), "wrong_expected_version");
  event.as_object()["expected_version"] = 1;
  EXPECT_EQ(api_.Call("POST", "/v1/events", json::serialize(event)).status, 201);
}

// A domain refusal is 422 with the outcome's code, and changes nothing.
TEST_F(HandlerTest, DomainRefusalIs422WithTheOutcomeCode) {
  api_.LoadScenario();
  const Head before = api_.head();
  Response refused = api_.Call(
      "POST", "/v1/events",
      Event("ev-bad", "RedemptionMade",
            R"(redemption_id: "rd-x", member_id: "v-wang", minutes: 100000, reward: training,
               course: "x")"));
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(Code(refused), "insufficient_credits");
  Response unknown =
      api_.Call("POST", "/v1/events",
                Event("ev-bad2", "ServiceLogged",
                      R"(service_id: "s-x", volunteer_id: "nobody", kind: home_visit, minutes: 60,
               started_at_us: 1790000000000000)"));
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(Code(unknown), "unknown_member");
  EXPECT_EQ(api_.head(), before);
}

// The server computes a cash redemption's amount and returns it; clients may not send it.
TEST_F(HandlerTest, RedemptionReturnsTheComputedAmount) {
  api_.LoadScenario();
  Response redeemed =
      api_.Call("POST", "/v1/events",
                Event("ev-rd2", "RedemptionMade",
                      R"(redemption_id: "rd-2", member_id: "v-wang", minutes: 60, reward: cash,
               fund_id: "f-aid")"));
  ASSERT_EQ(redeemed.status, 201) << redeemed.body;
  EXPECT_EQ(Int(JsonOf(redeemed.body), "amount_fen"), 2000);  // 60 min × 2000 fen/h, star 0
  json::value with_amount = JsonOf(redeemed.body);
  Response replay =
      api_.Call("POST", "/v1/events",
                Event("ev-rd2", "RedemptionMade",
                      R"(redemption_id: "rd-2", member_id: "v-wang", minutes: 60, reward: cash,
               fund_id: "f-aid")"));
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(Int(JsonOf(replay.body), "amount_fen"), 2000);
}

// A batch is all or nothing: one refused event leaves no trace of the others.
TEST_F(HandlerTest, BatchIsAllOrNothing) {
  const std::string good = Event("ev-b1", "BranchOpened", R"(branch_id: "b1", name: "石园街道")");
  const std::string bad = Event("ev-m1", "MemberRegistered",
                                R"(member_id: "m1", kind: volunteer, branch_id: "nowhere",
                                   name: "x")");
  Response refused =
      api_.Call("POST", "/v1/events/batch", R"({"events":[)" + good + "," + bad + "]}");
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(Code(refused), "unknown_branch");
  EXPECT_EQ(api_.head().next.value, 0u);
  Response malformed =
      api_.Call("POST", "/v1/events/batch", R"({"events":[)" + good + R"(,{"id":"x"}]})");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Field(malformed), "/events/1/type");
  EXPECT_EQ(api_.Call("POST", "/v1/events/batch", R"({"events":[]})").status, 400);
  const std::string member = Event("ev-m1", "MemberRegistered",
                                   R"(member_id: "m1", kind: volunteer, branch_id: "b1",
                                      name: "x")");
  Response accepted =
      api_.Call("POST", "/v1/events/batch", R"({"events":[)" + good + "," + member + "]}");
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  json::value results = JsonOf(accepted.body).at("results");
  ASSERT_EQ(results.as_array().size(), 2u);
  EXPECT_EQ(Int(results.at(1), "position"), 1);
  EXPECT_EQ(api_.head().next.value, 2u);
}

// min_position waits for the projection; beyond the head it runs out and answers 503.
TEST_F(HandlerTest, MinPositionGivesReadYourWritesAndTimesOut) {
  ApiFixture quick(HandlerOptions{.min_position_wait_max = std::chrono::milliseconds(200)});
  Response created = quick.Call("POST", "/v1/events",
                                Event("ev-b1", "BranchOpened", R"(branch_id: "b1", name: "x")"));
  ASSERT_EQ(created.status, 201);
  Response member = quick.Call(
      "POST", "/v1/events",
      Event("ev-m1", "MemberRegistered", R"(member_id: "m1", kind: elder, branch_id: "b1",
                                            name: "x")"));
  const int64_t position = Int(JsonOf(member.body), "position");
  Response read = quick.Call("GET", "/v1/members/m1?min_position=" + std::to_string(position));
  EXPECT_EQ(read.status, 200) << read.body;
  Response late = quick.Call("GET", "/v1/members/m1?min_position=99");
  EXPECT_EQ(late.status, 503);
  EXPECT_EQ(Code(late), "unavailable");
  EXPECT_EQ(quick.Call("GET", "/v1/members/m1?min_position=x").status, 400);
}

// Lists page through every item exactly once with limit and cursor.
TEST_F(HandlerTest, ListsPaginateWithLimitAndCursor) {
  const uint64_t last = api_.LoadScenario();
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    std::string target = "/v1/members?limit=2&min_position=" + std::to_string(last);
    if (!cursor.empty()) target += "&cursor=" + cursor;
    Response page = api_.Call("GET", target);
    ASSERT_EQ(page.status, 200) << page.body;
    json::value body = JsonOf(page.body);
    for (const json::value& item : body.at("items").as_array()) {
      EXPECT_TRUE(seen.insert(std::string(item.at("member_id").as_string())).second);
    }
    cursor =
        body.at("next_cursor").is_null() ? "" : std::string(body.at("next_cursor").as_string());
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(pages, 3);
  Response elders = api_.Call("GET", "/v1/members?kind=elder&branch_id=b-shiyuan");
  EXPECT_EQ(JsonOf(elders.body).at("items").as_array().size(), 2u);
  Response trail = api_.Call("GET", "/v1/funds/f-aid/trail?limit=1");
  json::value first = JsonOf(trail.body);
  ASSERT_EQ(first.at("items").as_array().size(), 1u);
  Response rest = api_.Call("GET", "/v1/funds/f-aid/trail?limit=1000&cursor=" +
                                       std::string(first.at("next_cursor").as_string()));
  EXPECT_TRUE(JsonOf(rest.body).at("next_cursor").is_null());
  EXPECT_EQ(api_.Call("GET", "/v1/members?limit=1001").status, 400);
  EXPECT_EQ(api_.Call("GET", "/v1/members?limit=0").status, 400);
  Response events = api_.Call("GET", "/v1/events?from=3&limit=2");
  json::value page = JsonOf(events.body);
  EXPECT_EQ(page.at("events").as_array().size(), 2u);
  EXPECT_EQ(Int(page, "next"), 5);
  EXPECT_EQ(Int(page, "head"), static_cast<int64_t>(last + 1));
  EXPECT_EQ(page.at("events").at(0).at("prev_hash").as_string().size(), 64u);
}

// Events and streams read back as written, plus where the log put them.
TEST_F(HandlerTest, EventsAndStreamsReadBack) {
  api_.LoadScenario();
  Response event = api_.Call("GET", "/v1/events/2");
  ASSERT_EQ(event.status, 200);
  json::value e = JsonOf(event.body);
  EXPECT_EQ(e.at("type").as_string(), "MemberRegistered");
  EXPECT_EQ(e.at("data").at("name").as_string(), "王秀兰");
  EXPECT_EQ(e.at("actor").as_string(), "admin");
  Response stream = api_.Call("GET", "/v1/streams/member-v-wang?from_version=2&limit=3");
  ASSERT_EQ(stream.status, 200);
  json::value s = JsonOf(stream.body);
  EXPECT_EQ(s.at("events").as_array().size(), 3u);
  EXPECT_EQ(Int(s.at("events").at(0), "version"), 2);
  EXPECT_EQ(api_.Call("GET", "/v1/events/100000").status, 404);
  EXPECT_EQ(api_.Call("GET", "/v1/streams/member-nobody").status, 404);
}

// Personal fields reach admins and the member's own branch coordinator only.
TEST_F(HandlerTest, PersonalFieldsOnlyForAdminOwnBranchCoordinatorAndHerself) {
  const uint64_t last = api_.LoadScenario();
  const std::string own = api_.CreateKey("coordinator", "branch_id", "b-shiyuan");
  const std::string other = api_.CreateKey("coordinator", "branch_id", "b-gaoliying");
  const std::string auditor = api_.CreateKey("auditor");
  const std::string member = api_.CreateKey("member", "member_id", "v-wang");
  const std::string target = "/v1/members/v-wang?min_position=" + std::to_string(last);
  auto name_of = [&](const std::string& key) {
    Response response = api_.Call("GET", target, "", key);
    return std::make_pair(response.status, JsonOf(response.body).as_object().contains("name"));
  };
  EXPECT_EQ(name_of(std::string(testing::kTestAdminKey)), std::make_pair(200, true));
  EXPECT_EQ(name_of(own), std::make_pair(200, true));
  EXPECT_EQ(name_of(auditor), std::make_pair(200, false));
  EXPECT_EQ(name_of(member), std::make_pair(200, true));  // her own (docs/privacy.md)
  EXPECT_EQ(name_of(other).first, 404);  // as if there were none: no probing of ids
  // The log shows the auditor no names, and the other branch's coordinator not this one's.
  const json::value log = JsonOf(api_.Call("GET", "/v1/events?limit=10", "", auditor).body);
  for (const json::value& event : log.at("events").as_array()) {
    EXPECT_FALSE(event.at("data").as_object().contains("name") &&
                 event.at("type").as_string() == "MemberRegistered");
  }
  Response mine = api_.Call("GET", "/v1/events/2", "", other);  // v-wang, b-shiyuan
  EXPECT_FALSE(JsonOf(mine.body).at("data").as_object().contains("name"));
  Response theirs = api_.Call("GET", "/v1/events/4", "", other);  // v-zhang, b-gaoliying
  EXPECT_TRUE(JsonOf(theirs.body).at("data").as_object().contains("name"));
}

// The member read carries her file: awards for every reader of the member, relations (personal)
// only for admins and her own branch's coordinators; a correction shows the current value, and
// its event hides the corrected personal fields from those who may not see them.
TEST_F(HandlerTest, MemberReadListsAwardsRelationsAndCorrections) {
  const uint64_t last = api_.LoadScenario();
  const std::string auditor = api_.CreateKey("auditor");
  const std::string at = "?min_position=" + std::to_string(last);
  const json::value wang = JsonOf(api_.Call("GET", "/v1/members/v-wang" + at).body);
  ASSERT_EQ(wang.at("awards").as_array().size(), 1u);
  EXPECT_EQ(wang.at("awards").at(0).at("title").as_string(), "优秀志愿者");
  EXPECT_EQ(wang.at("awards").at(0).at("level").as_string(), "区级");
  const json::value li = JsonOf(api_.Call("GET", "/v1/members/v-li" + at).body);
  EXPECT_EQ(li.at("phone").as_string(), "13800000002");  // corrected from none
  ASSERT_EQ(li.at("relations").as_array().size(), 1u);
  EXPECT_EQ(li.at("relations").at(0).at("relative_id").as_string(), "e-qian");
  EXPECT_EQ(li.at("relations").at(0).at("relation").as_string(), "guardian");
  EXPECT_TRUE(li.at("relations").at(0).at("reverse").as_bool());  // she is e-qian's guardian
  const json::value qian = JsonOf(api_.Call("GET", "/v1/members/e-qian" + at).body);
  EXPECT_FALSE(qian.at("relations").at(0).at("reverse").as_bool());
  const json::value li_audited =
      JsonOf(api_.Call("GET", "/v1/members/v-li" + at, "", auditor).body);
  EXPECT_FALSE(li_audited.as_object().contains("relations"));
  EXPECT_FALSE(li_audited.as_object().contains("phone"));
  const json::value wang_audited =
      JsonOf(api_.Call("GET", "/v1/members/v-wang" + at, "", auditor).body);
  EXPECT_EQ(wang_audited.at("awards").as_array().size(), 1u);
  const json::value stream = JsonOf(api_.Call("GET", "/v1/streams/member-v-li", "", auditor).body);
  bool seen = false;
  for (const json::value& event : stream.at("events").as_array()) {
    if (event.at("type").as_string() != "MemberUpdated") continue;
    seen = true;
    EXPECT_FALSE(event.at("data").as_object().contains("phone"));
  }
  EXPECT_TRUE(seen);
}

// Keys: created with a role, shown once, work at once, revoked at once.
TEST_F(HandlerTest, KeysAreCreatedUsedAndRevoked) {
  api_.LoadScenario();
  Response created =
      api_.Call("POST", "/v1/keys", R"({"role":"coordinator","branch_id":"b-shiyuan"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::value k = JsonOf(created.body);
  const std::string key(k.at("key").as_string());
  const std::string key_id(k.at("key_id").as_string());
  EXPECT_GE(key.size(), 32u + key_id.size());
  EXPECT_EQ(api_.Call("GET", "/v1/members/v-wang", "", key).status, 200);
  Response listed = api_.Call("GET", "/v1/keys");
  EXPECT_EQ(listed.body.find(key), std::string::npos);  // never shown again
  EXPECT_NE(listed.body.find(key_id), std::string::npos);
  EXPECT_EQ(api_.Call("DELETE", "/v1/keys/" + key_id).status, 204);
  Response revoked = api_.Call("GET", "/v1/members/v-wang", "", key);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(Code(revoked), "unauthenticated");
  EXPECT_EQ(api_.Call("DELETE", "/v1/keys/" + key_id).status, 404);
  EXPECT_EQ(
      api_.Call("POST", "/v1/keys", R"({"role":"coordinator","branch_id":"b-nowhere"})").status,
      422);
  EXPECT_EQ(api_.Call("POST", "/v1/keys", R"({"role":"coordinator"})").status, 400);
  EXPECT_EQ(api_.Call("POST", "/v1/keys", R"({"role":"auditor","branch_id":"b-shiyuan"})").status,
            400);
  EXPECT_EQ(api_.Call("POST", "/v1/keys", R"({"role":"root"})").status, 400);
  EXPECT_EQ(api_.Call("DELETE", "/v1/keys/admin").status, 409);
  EXPECT_EQ(api_.Call("GET", "/v1/members/v-wang", "", "admin.nothex").status, 401);
  EXPECT_EQ(api_.Call("GET", "/v1/members/v-wang", "", "").status, 401);
}

// A coordinator writes for its own branch's members and the funds, and nothing else.
TEST_F(HandlerTest, CoordinatorWritesStayInItsBranch) {
  api_.LoadScenario();
  const std::string key = api_.CreateKey("coordinator", "branch_id", "b-gaoliying");
  const std::string own = Event("ev-s-own", "ServiceLogged",
                                R"(service_id: "s-own", volunteer_id: "v-zhang", elder_id: "e-sun",
                                   kind: home_visit, minutes: 60)");
  const std::string other = Event("ev-s-other", "ServiceLogged",
                                  R"(service_id: "s-other", volunteer_id: "v-wang",
                                     elder_id: "e-zhao", kind: home_visit, minutes: 60)");
  Response created = api_.Call("POST", "/v1/events", own, key);
  EXPECT_EQ(created.status, 201) << created.body;
  Response stored =
      api_.Call("GET", "/v1/events/" + std::to_string(Int(JsonOf(created.body), "position")));
  EXPECT_TRUE(JsonOf(stored.body).at("actor").as_string().starts_with("k-"));  // the key id
  Response refused = api_.Call("POST", "/v1/events", other, key);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Code(refused), "forbidden");
  EXPECT_EQ(api_.Call("POST", "/v1/events",
                      Event("ev-pol", "PolicySet", R"(credit_value_fen_per_hour: 3000)"), key)
                .status,
            403);
  // A member registered earlier in the same batch is in scope for the events after it.
  const std::string batch =
      R"({"events":[)" +
      Event("ev-nv", "MemberRegistered",
            R"(member_id: "v-new", kind: volunteer, branch_id: "b-gaoliying", name: "新")") +
      "," +
      Event("ev-np", "PairingFormed",
            R"(pairing_id: "pair-new", volunteer_id: "v-new", elder_id: "e-sun")") +
      "]}";
  EXPECT_EQ(api_.Call("POST", "/v1/events/batch", batch, key).status, 201);
  // Reversing another branch's event is out of scope too.
  EXPECT_EQ(api_.Call("POST", "/v1/events",
                      Event("ev-rv", "EventReversed",
                            R"(reversal_id: "rv-1", reverses_id: "ev-svc-wang-1-ok", reason: "x")"),
                      key)
                .status,
            403);
}

// A member's signed statement verifies without a key until it expires; tampering is detected.
TEST_F(HandlerTest, AttestationsAreSignedAndVerified) {
  auto now = std::make_shared<std::atomic<int64_t>>(testing::BeijingUs(2026, 11, 10));
  ApiFixture api(HandlerOptions{.clock_us = [now] { return now->load(); }});
  api.LoadScenario();
  ASSERT_NO_FATAL_FAILURE(RegisterShop(api));
  const std::string member = api.CreateKey("member", "member_id", "v-wang");
  const std::string body =
      R"({"merchant_id":"shop-1","purpose":"敬老折扣","expires_at":"2026-12-01T00:00:00+08:00"})";
  Response issued = api.Call("POST", "/v1/members/v-wang/attestations", body, member);
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string token(JsonOf(issued.body).at("token").as_string());
  EXPECT_EQ(api.Call("POST", "/v1/members/v-li/attestations", body, member).status, 404);
  Response verified = api.Call("POST", "/v1/attestations/verify",
                               json::serialize(json::object{{"token", token}}), "");
  ASSERT_EQ(verified.status, 200) << verified.body;
  json::value statement = JsonOf(verified.body);
  EXPECT_EQ(statement.at("member_id").as_string(), "v-wang");
  EXPECT_EQ(Int(statement, "verified_hours"), 6);
  EXPECT_EQ(statement.at("purpose").as_string(), "敬老折扣");
  std::string tampered = token;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  Response bad = api.Call("POST", "/v1/attestations/verify",
                          json::serialize(json::object{{"token", tampered}}), "");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Code(bad), "invalid_attestation");
  now->store(testing::BeijingUs(2026, 12, 2));
  Response expired = api.Call("POST", "/v1/attestations/verify",
                              json::serialize(json::object{{"token", token}}), "");
  EXPECT_EQ(expired.status, 422);
  EXPECT_EQ(Code(expired), "expired_attestation");
  // The grant is an event in the member's stream.
  Response stream =
      api.Call("GET", "/v1/streams/member-v-wang?from_version=1&limit=1000", "", member);
  ASSERT_EQ(stream.status, 200);
  EXPECT_NE(stream.body.find("AttestationIssued"), std::string::npos);
  Response not_merchant = api.Call(
      "POST", "/v1/members/v-wang/attestations",
      R"({"merchant_id":"p-avic","purpose":"折扣","expires_at":"2026-12-20T00:00:00+08:00"})",
      member);
  EXPECT_EQ(not_merchant.status, 422);
  EXPECT_EQ(Code(not_merchant), "not_a_merchant");
}

// The audit head carries the newest stored checkpoint and a checkpoint of the head, both signed
// with the ledger key and verifying against the chain.
TEST_F(HandlerTest, AuditHeadIsSignedWithTheLedgerKey) {
  api_.LoadScenario();
  const CheckpointSigner* signer = api_.node().ledger().checkpoint_signer();
  ASSERT_NE(signer, nullptr);
  ASSERT_TRUE(signer->WaitForProgress(api_.head().next, std::chrono::seconds(10)));
  Response response = api_.Call("GET", "/v1/audit/head");
  ASSERT_EQ(response.status, 200) << response.body;
  json::value head = JsonOf(response.body);
  EXPECT_EQ(Int(head, "next"), static_cast<int64_t>(api_.head().next.value));
  EXPECT_EQ(head.at("hash").as_string(), HexOf(api_.head().hash));
  EXPECT_EQ(Hex(api_.node().signing_key().public_key()), head.at("public_key").as_string());
  EXPECT_EQ(api_.node().signing_key().PublicKeyPem(), head.at("public_key_pem").as_string());
  auto checkpoint_of = [&](const json::value& c) {
    SignedCheckpoint checkpoint;
    checkpoint.position = Position{static_cast<uint64_t>(Int(c, "position"))};
    checkpoint.hash = api_.node().ledger().store().ReadAt(checkpoint.position)->hash;
    EXPECT_EQ(HexOf(checkpoint.hash), c.at("hash").as_string());
    checkpoint.recorded_at_us = Int(c, "recorded_at_us");
    const std::string signature_hex(c.at("signature").as_string());
    for (size_t i = 0; i < signature_hex.size(); i += 2) {
      checkpoint.signature.push_back(
          static_cast<char>(std::stoi(signature_hex.substr(i, 2), nullptr, 16)));
    }
    return checkpoint;
  };
  const SignedCheckpoint at_head = checkpoint_of(head.at("head_checkpoint"));
  EXPECT_EQ(at_head.position.value + 1, api_.head().next.value);
  EXPECT_TRUE(VerifyCheckpoint(api_.node().signing_key().public_key(), at_head));
  // The scenario ends with the programme's seal, which the ledger checkpoints and stores, and
  // head office's receipt of the month's filing after it.
  const SignedCheckpoint stored = checkpoint_of(head.at("checkpoint"));
  EXPECT_EQ(stored.position.value + 1, at_head.position.value);
  EXPECT_EQ(api_.node().ledger().store().ReadAt(stored.position)->type, "MonthlyReportSealed");
  EXPECT_TRUE(VerifyCheckpoint(api_.node().signing_key().public_key(), stored));
}

// Routing and request-level errors.
TEST_F(HandlerTest, RoutingAndRequestErrors) {
  EXPECT_EQ(api_.Call("GET", "/v1/nothing").status, 404);
  Response wrong_method = api_.Call("PUT", "/v1/events");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(Code(wrong_method), "method_not_allowed");
  EXPECT_EQ(api_.Call("GET", "/v1/members/x?colour=red").status, 400);
  EXPECT_EQ(api_.Call("GET", "/v1/members/x?limit=1&limit=2").status, 400);
  EXPECT_EQ(api_.Call("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(api_.Call("GET", "/readyz", "", "").status, 200);
  EXPECT_EQ(api_.Call("GET", "/openapi.json", "", "").status, 200);
  Response metrics = api_.Call("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ledger_head_position 0"), std::string::npos);
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly?month=2026-13").status, 400);
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly?month=2026-10&branch_id=b-x").status, 404);
  Request request;
  request.method = "POST";
  request.target = "/v1/events";
  request.authorization = "Bearer " + std::string(testing::kTestAdminKey);
  request.content_type = "text/plain";
  request.body = "{}";
  Response unsupported = api_.handler().HandleRequest(request);
  EXPECT_EQ(unsupported.status, 415);
  EXPECT_EQ(Code(unsupported), "unsupported_media_type");
  request.content_type = "application/json; charset=utf-8";
  request.body = std::string((1 << 20) + 1, ' ');
  EXPECT_EQ(api_.handler().HandleRequest(request).status, 413);
  api_.handler().SetDraining();
  EXPECT_EQ(api_.Call("GET", "/readyz", "", "").status, 503);
}

std::string Header(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

// A literal segment wins over a placeholder: GET /v1/events/batch is a wrong method on the batch
// route (405, Allow: POST), not a read of event "batch".
TEST_F(HandlerTest, LiteralSegmentWinsOverPlaceholder) {
  for (const char* method : {"GET", "OPTIONS", "PUT"}) {
    Response response = api_.Call(method, "/v1/events/batch");
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(Header(response, "Allow"), "POST") << method;
  }
  Response event = api_.Call("GET", "/v1/events/0");
  EXPECT_EQ(event.status, 404);  // the placeholder still matches where no literal does
  EXPECT_EQ(Header(api_.Call("PUT", "/v1/events/0"), "Allow"), "GET");
  EXPECT_EQ(Header(api_.Call("DELETE", "/v1/events"), "Allow"), "POST, GET");
}

// An append's answer is written without a JSON DOM: it must be the JSON a DOM would serialize
// to, each result's fields in the contract's order, with the stored position, version and hash.
TEST_F(HandlerTest, AppendAnswersAreTheResultsJson) {
  const std::string branch = Event("ev-b1", "BranchOpened", R"(branch_id: "b1", name: "石园街道")");
  const std::string member = Event("ev-m1", "MemberRegistered",
                                   R"(member_id: "m1", kind: volunteer, branch_id: "b1",
                                      name: "x")");
  Response accepted =
      api_.Call("POST", "/v1/events/batch", R"({"events":[)" + branch + "," + member + "]}");
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  const json::value body = JsonOf(accepted.body);
  EXPECT_EQ(json::serialize(body), accepted.body);
  const json::array& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 2u);
  const std::vector<std::string> fields = {"id",      "type",        "position", "stream",
                                           "version", "recorded_at", "hash"};
  for (const json::value& result : results) {
    std::vector<std::string> keys;
    for (const auto& member_field : result.as_object()) keys.emplace_back(member_field.key());
    EXPECT_EQ(keys, fields);
  }
  EXPECT_EQ(results[1].at("id").as_string(), "ev-m1");
  EXPECT_EQ(results[1].at("type").as_string(), "MemberRegistered");
  EXPECT_EQ(Int(results[1], "position"), 1);
  EXPECT_EQ(results[1].at("hash").as_string(), HexOf(api_.head().hash));
  Response single = api_.Call("POST", "/v1/events", branch);  // a replay: 200, one object
  ASSERT_EQ(single.status, 200) << single.body;
  EXPECT_EQ(json::serialize(JsonOf(single.body)), single.body);
  EXPECT_EQ(JsonOf(single.body), results[0]);
}

// expected_version is optional but never null (the schema says integer): 400, nothing written.
TEST_F(HandlerTest, NullExpectedVersionIsRefused) {
  json::value event = JsonOf(Event("b", "BranchOpened", R"(branch_id: "b1", name: "x")"));
  event.as_object()["expected_version"] = nullptr;
  Response refused = api_.Call("POST", "/v1/events", json::serialize(event));
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(Code(refused), "invalid_field");
  EXPECT_EQ(Field(refused), "/expected_version");
  Response batch =
      api_.Call("POST", "/v1/events/batch", json::serialize(json::object{{"events", {event}}}));
  EXPECT_EQ(batch.status, 400);
  EXPECT_EQ(Field(batch), "/events/0/expected_version");
  EXPECT_EQ(api_.head().next.value, 0u);
}

// branch_id in a query is an id like everywhere else: an empty one is refused, not read as "all
// branches" or "no branch".
TEST_F(HandlerTest, BranchIdParameterMustBeAnId) {
  api_.LoadScenario();
  for (const char* target : {"/v1/members?branch_id=", "/v1/members?branch_id=a%2Fb",
                             "/v1/reports/monthly?month=2026-10&branch_id=",
                             "/v1/reports/monthly?month=2026-10&branch_id=%E7%9F%B3"}) {
    Response refused = api_.Call("GET", target);
    EXPECT_EQ(refused.status, 400) << target;
    EXPECT_EQ(Code(refused), "invalid_field") << target;
  }
  EXPECT_EQ(api_.Call("GET", "/v1/members?branch_id=b-shiyuan").status, 200);
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly?month=2026-10").status, 200);
}

// An empty cursor is the first page of every list.
TEST_F(HandlerTest, EmptyCursorIsTheFirstPage) {
  const uint64_t last = api_.LoadScenario();
  const std::string at = "&min_position=" + std::to_string(last);
  for (const std::string list : {"/v1/funds/f-aid/trail?limit=1", "/v1/members?limit=1"}) {
    Response first = api_.Call("GET", list + at);
    ASSERT_EQ(first.status, 200) << list;
    Response empty = api_.Call("GET", list + "&cursor=" + at);
    ASSERT_EQ(empty.status, 200) << list << empty.body;
    EXPECT_EQ(empty.body, first.body) << list;
  }
  EXPECT_EQ(api_.Call("GET", "/v1/funds/f-aid/trail?cursor=x").status, 400);
}

// An expires_at outside the next 366 days is refused by a rule (422 invalid_expiry), a malformed
// one by the request's shape (400); neither records an attestation.
TEST_F(HandlerTest, AttestationExpiryOutsideTheWindowIs422) {
  auto now = std::make_shared<std::atomic<int64_t>>(testing::BeijingUs(2026, 11, 10));
  ApiFixture api(HandlerOptions{.clock_us = [now] { return now->load(); }});
  api.LoadScenario();
  ASSERT_NO_FATAL_FAILURE(RegisterShop(api));
  const Head before = api.head();
  for (const char* expires_at : {"2026-11-09T00:00:00+08:00", "2028-01-01T00:00:00+08:00"}) {
    Response refused =
        api.Call("POST", "/v1/members/v-wang/attestations",
                 json::serialize(json::object{
                     {"merchant_id", "shop-1"}, {"purpose", "折扣"}, {"expires_at", expires_at}}));
    EXPECT_EQ(refused.status, 422) << expires_at;
    EXPECT_EQ(Code(refused), "invalid_expiry") << expires_at;
    EXPECT_EQ(Field(refused), "/expires_at") << expires_at;
  }
  Response malformed =
      api.Call("POST", "/v1/members/v-wang/attestations",
               R"({"merchant_id":"shop-1","purpose":"折扣","expires_at":"tomorrow"})");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Code(malformed), "invalid_field");
  EXPECT_EQ(api.head().next, before.next);
}

// An instant that could be written back with a 5-digit (or zero) year in Beijing time is
// refused (dates 0001-01-02 to 9999-12-29 only): 400, nothing written, so no response ever
// carries year 10000.
TEST_F(HandlerTest, InstantsOutsideYears1To9999AreRefused) {
  for (const char* at :
       {"9999-12-31T20:00:00-08:00", "9999-12-31T16:00:00Z", "0001-01-01T00:00:00+09:00",
        "0000-12-31T23:00:00Z", "9999-12-29T23:59:59-23:59"}) {
    json::value event = JsonOf(Event("b", "BranchOpened", R"(branch_id: "b1", name: "x")"));
    event.as_object()["occurred_at"] = at;
    Response refused = api_.Call("POST", "/v1/events", json::serialize(event));
    EXPECT_EQ(refused.status, 400) << at;
    EXPECT_EQ(Field(refused), "/occurred_at") << at;
  }
  EXPECT_EQ(api_.head().next.value, 0u);
  json::value event = JsonOf(Event("b", "BranchOpened", R"(branch_id: "b1", name: "x")"));
  event.as_object()["occurred_at"] = "9999-12-29T15:59:59Z";
  ASSERT_EQ(api_.Call("POST", "/v1/events", json::serialize(event)).status, 201);
  Response stored = api_.Call("GET", "/v1/events/0");
  EXPECT_EQ(JsonOf(stored.body).at("occurred_at").as_string(), "9999-12-29T23:59:59+08:00");
}

}  // namespace
}  // namespace ledger::api
