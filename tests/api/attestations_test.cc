// Attestations with consent by construction (API.md "Personal information", PIPL §23), over
// real sockets: the member herself asks freely (key or account); her branch's coordinator or an
// admin only for a member without a phone and only citing her signed consent, which the event
// records; the statement discloses exactly what was asked; a revoked, expired or tampered token
// is refused by verify. Every refusal is problem+json and leaves the head where it was.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <memory>
#include <set>

#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::ApiFixture;
using testing::BeijingUs;
using testing::HttpClient;
using testing::HttpReply;
using testing::JsonOf;

constexpr std::string_view kAdmin = testing::kTestAdminKey;

std::set<std::string> Keys(const json::value& object) {
  std::set<std::string> keys;
  for (const auto& entry : object.as_object()) keys.insert(std::string(entry.key()));
  return keys;
}

std::string Repeat(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// In the scenario 王秀兰 (v-wang) and 李桂英 (v-li) have phones; 赵德福 (e-zhao, an elder of
// 石园街道) and 张凤 (v-zhang, 高丽营镇) have none.
class AttestationsTest : public ::testing::Test {
 protected:
  AttestationsTest() : api_(HandlerOptions{.clock_us = [now = now_] { return now->load(); }}) {}

  void SetUp() override {
    api_.LoadScenario();
    api_.RegisterMerchant();  // shop-1
    wang_ = api_.CreateKey("member", "member_id", "v-wang");
    li_ = api_.CreateKey("member", "member_id", "v-li");
    shiyuan_ = api_.CreateKey("coordinator", "branch_id", "b-shiyuan");
    gaoliying_ = api_.CreateKey("coordinator", "branch_id", "b-gaoliying");
    port_ = api_.StartServer();
  }

  HttpReply Post(std::string_view target, const json::object& body, std::string_view key,
                 std::string_view headers = {}) {
    HttpClient client(port_);
    auto reply =
        client.Request("POST", target, json::serialize(body), key, "application/json", headers);
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(HttpReply{});
  }
  HttpReply Ask(std::string_view member_id, json::object body, std::string_view key,
                std::string_view headers = {}) {
    body.emplace("merchant_id", "shop-1");
    body.emplace("expires_at", "2026-12-01T00:00:00+08:00");
    return Post("/v1/members/" + std::string(member_id) + "/attestations", body, key, headers);
  }
  HttpReply Verify(std::string_view token) {
    return Post("/v1/attestations/verify", json::object{{"token", token}}, "");
  }
  HttpReply Revoke(std::string_view event_id, std::string_view attestation_id,
                   std::string_view key) {
    HttpClient client(port_);
    auto reply =
        client.Request("POST", "/v1/events",
                       ApiFixture::EventJson(event_id, "AttestationRevoked",
                                             "attestation_id: \"" + std::string(attestation_id) +
                                                 "\", reason: \"折扣已用\"",
                                             now_->load()),
                       key);
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(HttpReply{});
  }
  // The recorded event at `position`, as the admin reads it.
  json::value EventAt(uint64_t position) {
    HttpClient client(port_);
    auto reply = client.Request("GET", "/v1/events/" + std::to_string(position), "", kAdmin);
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : "no reply");
    return reply ? JsonOf(reply->body) : json::value();
  }
  // `reply` is a problem+json of `status` and `code`, and the head is where it was.
  void ExpectRefused(const HttpReply& reply, int status, std::string_view code,
                     const Head& before) {
    EXPECT_EQ(reply.status, status) << reply.body;
    auto type = reply.headers.find("content-type");
    ASSERT_NE(type, reply.headers.end());
    EXPECT_EQ(type->second, "application/problem+json");
    EXPECT_EQ(JsonOf(reply.body).at("code").as_string(), code) << reply.body;
    EXPECT_EQ(api_.head(), before) << "a refused request moved the head";
  }

  std::shared_ptr<std::atomic<int64_t>> now_ =
      std::make_shared<std::atomic<int64_t>>(BeijingUs(2026, 11, 10));
  ApiFixture api_;
  std::string wang_, li_, shiyuan_, gaoliying_;
  uint16_t port_ = 0;
};

// She asks herself, by key or by account: the statement holds the star and verified hours (the
// default), the purpose and the list, and nothing else (no name, no phone); with "name" asked,
// her name too. The event records purpose and list, and no consent.
TEST_F(AttestationsTest, TheMemberAsksHerselfAndTheStatementDisclosesExactlyWhatSheNamed) {
  HttpReply issued = Ask("v-wang", {{"purpose", "敬老折扣"}}, wang_);
  ASSERT_EQ(issued.status, 201) << issued.body;
  const json::value answer = JsonOf(issued.body);
  const json::value& statement = answer.at("statement");
  EXPECT_EQ(Keys(statement),
            (std::set<std::string>{"attestation_id", "member_id", "purpose", "discloses", "star",
                                   "verified_hours", "issued_at", "expires_at"}));
  EXPECT_EQ(statement.at("discloses"), json::value(json::array{"star", "verified_hours"}));
  EXPECT_EQ(statement.at("verified_hours").to_number<int64_t>(), 6);
  EXPECT_EQ(issued.body.find("王秀兰"), std::string::npos);
  EXPECT_EQ(issued.body.find("13800000001"), std::string::npos);
  HttpReply verified = Verify(answer.at("token").as_string());
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(JsonOf(verified.body), statement);

  const json::value event = EventAt(answer.at("position").to_number<uint64_t>());
  const json::value& data = event.at("data");
  EXPECT_EQ(event.at("type").as_string(), "AttestationIssued");
  EXPECT_EQ(data.at("purpose").as_string(), "敬老折扣");
  EXPECT_EQ(data.at("discloses"), json::value(json::array{"star", "verified_hours"}));
  EXPECT_FALSE(data.as_object().contains("consent_ref"));

  // By her account, naming her name and her star (in any order): exactly those.
  constexpr std::string_view kPassword = "wang-passphrase-7";
  api_.OpenAccount("wang", "member", "member_id", "v-wang", kPassword);
  const ApiFixture::Session session = api_.SignIn("wang", kPassword);
  HttpReply named =
      Ask("v-wang", {{"purpose", "会员登记"}, {"disclose", json::array{"name", "star"}}}, "",
          session.Headers());
  ASSERT_EQ(named.status, 201) << named.body;
  const json::value named_answer = JsonOf(named.body);
  const json::value& with_name = named_answer.at("statement");
  EXPECT_EQ(Keys(with_name),
            (std::set<std::string>{"attestation_id", "member_id", "purpose", "discloses", "star",
                                   "name", "issued_at", "expires_at"}));
  EXPECT_EQ(with_name.at("name").as_string(), "王秀兰");
  EXPECT_EQ(with_name.at("discloses"), json::value(json::array{"star", "name"}));
}

// Another member's statement is not hers to ask for: 404, as for a member that does not exist.
TEST_F(AttestationsTest, AnotherMemberIsAnswered404) {
  const Head before = api_.head();
  ExpectRefused(Ask("v-wang", {{"purpose", "敬老折扣"}}, li_), 404, "not_found", before);
  ExpectRefused(Ask("nobody", {{"purpose", "敬老折扣"}}, li_), 404, "not_found", before);
  // A coordinator of another branch gets the same answer.
  ExpectRefused(Ask("e-zhao", {{"purpose", "敬老折扣"}, {"consent_ref", "同意书-1"}}, gaoliying_),
                404, "not_found", before);
}

// A coordinator (or an admin) asks only citing the member's signed consent, and only for a
// member without a phone: she who has one asks herself.
TEST_F(AttestationsTest, CoordinatorNeedsConsentAndAMemberWithoutPhone) {
  const Head before = api_.head();
  HttpReply no_consent = Ask("e-zhao", {{"purpose", "敬老折扣"}}, shiyuan_);
  ExpectRefused(no_consent, 403, "consent_required", before);
  EXPECT_EQ(JsonOf(no_consent.body).at("field").as_string(), "/consent_ref");
  ExpectRefused(Ask("e-zhao", {{"purpose", "敬老折扣"}}, kAdmin), 403, "consent_required", before);
  ExpectRefused(Ask("v-wang", {{"purpose", "敬老折扣"}, {"consent_ref", "同意书-1"}}, shiyuan_),
                403, "member_must_ask", before);
  ExpectRefused(Ask("v-wang", {{"purpose", "敬老折扣"}, {"consent_ref", "同意书-1"}}, kAdmin), 403,
                "member_must_ask", before);
  // A member asking herself cites no consent: it is someone else's.
  ExpectRefused(Ask("v-wang", {{"purpose", "敬老折扣"}, {"consent_ref", "同意书-1"}}, wang_), 400,
                "invalid_field", before);

  HttpReply issued =
      Ask("e-zhao", {{"purpose", "敬老折扣"}, {"consent_ref", "知情同意书-2026-031"}}, shiyuan_);
  ASSERT_EQ(issued.status, 201) << issued.body;
  const json::value answer = JsonOf(issued.body);
  EXPECT_FALSE(answer.at("statement").as_object().contains("consent_ref"));
  const json::value event = EventAt(answer.at("position").to_number<uint64_t>());
  EXPECT_EQ(event.at("data").at("consent_ref").as_string(), "知情同意书-2026-031");
  EXPECT_EQ(event.at("data").at("member_id").as_string(), "e-zhao");
  EXPECT_EQ(event.at("stream").as_string(), "member-e-zhao");
  HttpReply by_admin =
      Ask("v-zhang", {{"purpose", "敬老折扣"}, {"consent_ref", "同意书-2"}}, kAdmin);
  EXPECT_EQ(by_admin.status, 201) << by_admin.body;
}

// The request names a purpose (1..200 characters) and discloses only known items, each once.
TEST_F(AttestationsTest, PurposeAndDisclosuresAreChecked) {
  const Head before = api_.head();
  struct Case {
    json::object body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{}, "/purpose"},
      {{{"purpose", ""}}, "/purpose"},
      {{{"purpose", Repeat("折", 201)}}, "/purpose"},
      {{{"purpose", "折扣"}, {"disclose", json::array{"star", "phone"}}}, "/disclose/1"},
      {{{"purpose", "折扣"}, {"disclose", json::array{"star", "star"}}}, "/disclose/1"},
      {{{"purpose", "折扣"}, {"disclose", json::array{}}}, "/disclose"},
      {{{"purpose", "折扣"}, {"disclose", "star"}}, "/disclose"},
  };
  for (const Case& c : cases) {
    HttpReply refused = Ask("v-wang", c.body, wang_);
    ExpectRefused(refused, 400, "invalid_field", before);
    EXPECT_EQ(JsonOf(refused.body).at("field").as_string(), c.field) << refused.body;
  }
  EXPECT_EQ(Ask("v-wang", {{"purpose", Repeat("折", 200)}}, wang_).status, 201);
}

// Revoked by the member herself (POST /v1/events): verify answers revoked_attestation however
// valid the signature; a second revocation, an unknown attestation, another member's or another
// branch's revocation are refused and move nothing. Her branch's coordinator may revoke too.
TEST_F(AttestationsTest, RevokedExpiredAndTamperedTokensAreRefused) {
  HttpReply first = Ask("v-wang", {{"purpose", "敬老折扣"}, {"attestation_id", "att-w1"}}, wang_);
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string token(JsonOf(first.body).at("token").as_string());
  HttpReply second = Ask("v-wang", {{"purpose", "敬老折扣"}, {"attestation_id", "att-w2"}}, wang_);
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string token2(JsonOf(second.body).at("token").as_string());
  ASSERT_EQ(Verify(token).status, 200);

  Head before = api_.head();
  ExpectRefused(Revoke("rv-li", "att-w1", li_), 403, "forbidden", before);
  ExpectRefused(Revoke("rv-gly", "att-w1", gaoliying_), 403, "forbidden", before);
  ExpectRefused(Revoke("rv-none", "att-none", wang_), 422, "unknown_attestation", before);
  HttpReply revoked = Revoke("rv-w1", "att-w1", wang_);
  ASSERT_EQ(revoked.status, 201) << revoked.body;
  EXPECT_EQ(JsonOf(revoked.body).at("stream").as_string(), "member-v-wang");
  before = api_.head();
  ExpectRefused(Verify(token), 422, "revoked_attestation", before);
  ExpectRefused(Revoke("rv-w1-again", "att-w1", shiyuan_), 422, "already_revoked", before);
  ASSERT_EQ(Revoke("rv-w2", "att-w2", shiyuan_).status, 201);
  before = api_.head();
  ExpectRefused(Verify(token2), 422, "revoked_attestation", before);

  HttpReply third = Ask("v-wang", {{"purpose", "敬老折扣"}}, wang_);
  ASSERT_EQ(third.status, 201) << third.body;
  const std::string token3(JsonOf(third.body).at("token").as_string());
  before = api_.head();
  std::string tampered = token3;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  ExpectRefused(Verify(tampered), 422, "invalid_attestation", before);
  now_->store(BeijingUs(2026, 12, 2));
  ExpectRefused(Verify(token3), 422, "expired_attestation", before);
}

}  // namespace
}  // namespace ledger::api
