// Every role against every route, over HTTP: allowed (any answer but 401/403), denied (403;
// 401 without a key), or hidden (404: the role may use the route, but the target is another's,
// answered exactly as if it did not exist). Scoped roles are bound to the scenario's own records,
// so "allowed" means the role may use the route for what it is bound to. Every case runs twice:
// with the role's key, and with a session of an account of the same role and scope (cookie and
// CSRF token): a session has exactly a key's rights, through the same checks.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "api/handler.h"
#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::api {
namespace {
using testing::ApiFixture;
using testing::HttpClient;

enum Who { kAdmin, kCoordinator, kAuditor, kPartner, kMember, kMerchant, kNobody, kWho };
constexpr const char* kWhoNames[kWho] = {"admin",  "coordinator", "auditor", "partner",
                                         "member", "merchant",    "no key"};

struct Row {
  const char* method;
  const char* pattern;  // the route (Handler::Routes)
  std::string target;
  std::string body;
  std::set<Who> allowed;
  std::set<Who> hidden = {};  // may use the route, but the target is outside their scope
  // When a session's rights on this route differ from a key's (the session routes themselves).
  std::optional<std::set<Who>> allowed_by_session = std::nullopt;
  const char* content_type = "application/json";
};

// A key per role, bound to the scenario's own records (keys[kNobody] stays empty).
void CreateRoleKeys(ApiFixture& api, std::string (&keys)[kWho]) {
  keys[kAdmin] = std::string(testing::kTestAdminKey);
  keys[kCoordinator] = api.CreateKey("coordinator", "branch_id", "b-shiyuan");
  keys[kAuditor] = api.CreateKey("auditor");
  keys[kPartner] = api.CreateKey("partner", "partner_id", "p-avic");
  keys[kMember] = api.CreateKey("member", "member_id", "v-wang");
  keys[kMerchant] = api.CreateKey("merchant", "merchant_id", "shop-1");
}

TEST(RoleMatrixTest, EveryRoleAgainstEveryRoute) {
  ApiFixture api;
  api.LoadScenario();
  api.RegisterMerchant();
  std::string keys[kWho];
  CreateRoleKeys(api, keys);
  // The same roles and scopes as accounts, each signed in.
  constexpr std::string_view kPassword = "matrix-passphrase-7";
  ApiFixture::Session sessions[kWho];
  const char* const scope_fields[kWho] = {"",           "branch_id", "",
                                          "partner_id", "member_id", "merchant_id"};
  const char* const scope_ids[kWho] = {"", "b-shiyuan", "", "p-avic", "v-wang", "shop-1"};
  for (int who = 0; who < kNobody; ++who) {
    const std::string login = std::string("matrix-") + kWhoNames[who];
    api.OpenAccount(login, kWhoNames[who], scope_fields[who], scope_ids[who], kPassword);
    sessions[who] = api.SignIn(login, kPassword);
  }
  // Accounts the account routes act on: one to reset, one to close, one to sign in with.
  const std::string reset_id =
      api.OpenAccount("matrix-reset", "member", "member_id", "v-li", kPassword);
  const std::string close_id =
      api.OpenAccount("matrix-close", "member", "member_id", "v-li", kPassword);
  api.OpenAccount("matrix-signin", "member", "member_id", "v-li", kPassword);
  const uint16_t port = api.StartServer();

  const std::set<Who> everyone = {kAdmin,  kCoordinator, kAuditor, kPartner,
                                  kMember, kMerchant,    kNobody};
  const std::set<Who> staff = {kAdmin, kCoordinator, kAuditor};
  const std::string own_visit = ApiFixture::EventJson(
      "ev-matrix-s", "ServiceLogged",
      R"(service_id: "s-matrix", volunteer_id: "v-wang", elder_id: "e-zhao", kind: home_visit,
         minutes: 45)",
      testing::BeijingUs(2026, 11, 6));
  const std::vector<Row> rows = {
      {"GET", "/healthz", "/healthz", "", everyone},
      {"GET", "/readyz", "/readyz", "", everyone},
      {"GET", "/openapi.json", "/openapi.json", "", everyone},
      {"GET", "/metrics", "/metrics", "", {kAdmin, kAuditor}},
      // The member's own visit: every role allowed on the routes may record it (the first
      // records it, the others replay it); what a member may not record is in
      // MemberRecordsOnlyItsOwnVisits below.
      {"POST", "/v1/events", "/v1/events", own_visit, {kAdmin, kCoordinator, kMember}},
      {"POST",
       "/v1/events/batch",
       "/v1/events/batch",
       R"({"events":[)" + own_visit + "]}",
       {kAdmin, kCoordinator, kMember}},
      {"GET", "/v1/events", "/v1/events?limit=5", "", staff},
      {"GET", "/v1/events/{position}", "/v1/events/0", "", staff},
      {"GET",
       "/v1/streams/{stream}",
       "/v1/streams/member-v-wang",
       "",
       {kAdmin, kCoordinator, kAuditor, kMember},
       {kPartner}},
      {"GET",
       "/v1/streams/{stream}",
       "/v1/streams/partner-p-avic",
       "",
       {kAdmin, kCoordinator, kAuditor, kPartner},
       {kMember}},
      {"GET", "/v1/members", "/v1/members?branch_id=b-shiyuan", "", staff},
      {"GET",
       "/v1/members/{id}",
       "/v1/members/v-wang",
       "",
       {kAdmin, kCoordinator, kAuditor, kMember}},
      {"GET",
       "/v1/members/{id}/access-log",
       "/v1/members/v-wang/access-log",
       "",
       {kAdmin, kMember}},
      {"GET",
       "/v1/members/{id}/access-log",
       "/v1/members/v-li/access-log",
       "",
       {kAdmin},
       {kMember}},
      {"POST",
       "/v1/members/{id}/attestations",
       "/v1/members/v-wang/attestations",
       R"({"merchant_id":"shop-1","expires_at":"2099-01-01T00:00:00Z"})",
       {kAdmin, kCoordinator, kMember}},
      {"POST", "/v1/attestations/verify", "/v1/attestations/verify", R"({"token":"x.y"})",
       everyone},
      {"POST",
       "/v1/members/{id}/certificates",
       "/v1/members/v-wang/certificates",
       R"({"from":"2026-01-01","to":"2026-12-31"})",
       {kAdmin, kCoordinator}},
      {"POST",
       "/v1/members/{id}/erasure",
       "/v1/members/e-sun/erasure",
       R"({"reason":"本人申请"})",
       {kAdmin}},
      {"GET", "/v1/certificates/{id}", "/v1/certificates/ZYK-2026-000001", "", everyone},
      {"POST", "/v1/certificates/verify", "/v1/certificates/verify", R"({"credential":{}})",
       everyone},
      {"GET", "/v1/funds", "/v1/funds?branch_id=b-shiyuan", "", staff},
      {"GET", "/v1/funds/{id}", "/v1/funds/f-aid", "", staff},
      {"GET", "/v1/funds/{id}/trail", "/v1/funds/f-aid/trail", "", staff},
      {"GET",
       "/v1/donations/{id}",
       "/v1/donations/d-avic",
       "",
       {kAdmin, kCoordinator, kAuditor, kPartner}},
      {"GET",
       "/v1/partners",
       "/v1/partners?kind=enterprise",
       "",
       {kAdmin, kCoordinator, kAuditor, kPartner}},
      {"GET",
       "/v1/partners/{id}",
       "/v1/partners/p-avic",
       "",
       {kAdmin, kCoordinator, kAuditor, kPartner}},
      {"GET", "/v1/reports/monthly", "/v1/reports/monthly?branch_id=b-shiyuan&month=2026-10", "",
       staff},
      // The scenario's October is sealed by one branch only: 409 month_not_sealed to those allowed.
      {"GET",
       "/v1/reports/monthly/filing",
       "/v1/reports/monthly/filing?month=2026-10&format=json",
       "",
       {kAdmin, kAuditor}},
      {"GET",
       "/v1/partners/{id}/statement",
       "/v1/partners/p-avic/statement?format=csv",
       "",
       {kAdmin, kAuditor, kPartner}},
      {"GET",
       "/v1/partners/{id}/statement",
       "/v1/partners/p-gov/statement",
       "",
       {kAdmin, kAuditor},
       {kPartner}},
      {"GET",
       "/v1/requests",
       "/v1/requests?branch_id=b-shiyuan",
       "",
       {kAdmin, kCoordinator, kAuditor, kMember}},
      // q-zhao is assigned to v-wang (the member's scope); q-qian to nobody.
      {"GET",
       "/v1/requests/{id}",
       "/v1/requests/q-zhao",
       "",
       {kAdmin, kCoordinator, kAuditor, kMember}},
      {"GET",
       "/v1/requests/{id}",
       "/v1/requests/q-qian",
       "",
       {kAdmin, kCoordinator, kAuditor},
       {kMember}},
      {"GET", "/v1/audit/head", "/v1/audit/head", "", {kAdmin, kCoordinator, kAuditor, kPartner}},
      // A dry run: the coordinator's own branch, so both may (and nothing is written).
      {"POST",
       "/v1/imports/sheet",
       "/v1/imports/sheet?dry_run=true",
       "成员编号,类型,所属站点,姓名,登记日期\nm-matrix,志愿者,b-shiyuan,新人,2026-11-02\n",
       {kAdmin, kCoordinator},
       {},
       std::nullopt,
       "text/csv"},
      {"GET", "/v1/keys", "/v1/keys", "", {kAdmin}},
      {"POST", "/v1/keys", "/v1/keys", R"({"role":"auditor"})", {kAdmin}},
      {"DELETE", "/v1/keys/{key_id}", "/v1/keys/k-none", "", {kAdmin}},
      {"GET", "/v1/accounts", "/v1/accounts", "", {kAdmin, kCoordinator}},
      {"POST",
       "/v1/accounts",
       "/v1/accounts",
       R"({"login":"matrix-new","display_name":"新","role":"member","member_id":"v-li"})",
       {kAdmin, kCoordinator}},
      {"POST", "/v1/accounts/activate", "/v1/accounts/activate",
       R"({"token":"not-a-token","password":"long enough password"})", everyone},
      // Only the account itself, signed in: neither a key nor another account's session.
      {"POST",
       "/v1/accounts/{id}/password",
       "/v1/accounts/" + reset_id + "/password",
       R"({"old_password":"matrix-passphrase-7","new_password":"another passphrase 8"})",
       {}},
      {"POST",
       "/v1/accounts/{id}/invitation",
       "/v1/accounts/" + reset_id + "/invitation",
       "{}",
       {kAdmin, kCoordinator}},
      {"DELETE", "/v1/accounts/{id}", "/v1/accounts/" + close_id, "", {kAdmin, kCoordinator}},
      {"POST", "/v1/sessions", "/v1/sessions",
       R"({"login":"matrix-signin","password":"matrix-passphrase-7"})", everyone},
      {"GET",
       "/v1/sessions/current",
       "/v1/sessions/current",
       "",
       {},
       {},
       std::set<Who>{kAdmin, kCoordinator, kAuditor, kPartner, kMember, kMerchant}},
      // Last: with a session it signs out.
      {"DELETE",
       "/v1/sessions/current",
       "/v1/sessions/current",
       "",
       {},
       {},
       std::set<Who>{kAdmin, kCoordinator, kAuditor, kPartner, kMember, kMerchant}},
  };
  std::set<std::string> covered;
  HttpClient client(port);
  for (const Row& row : rows) {
    covered.insert(std::string(row.method) + " " + row.pattern);
    for (const bool by_session : {false, true}) {
      for (int who = 0; who < kWho; ++who) {
        if (by_session && who == kNobody) continue;  // the same request as without a key
        auto reply = by_session ? client.Request(row.method, row.target, row.body, "",
                                                 row.content_type, sessions[who].Headers())
                                : client.Request(row.method, row.target, row.body, keys[who],
                                                 row.content_type);
        ASSERT_TRUE(reply.has_value()) << row.method << " " << row.target;
        const std::set<Who>& allowed_set =
            by_session && row.allowed_by_session ? *row.allowed_by_session : row.allowed;
        const bool allowed = allowed_set.count(static_cast<Who>(who)) > 0;
        const bool hidden = row.hidden.count(static_cast<Who>(who)) > 0;
        const int denied_status = who == kNobody ? 401 : hidden ? 404 : 403;
        const std::string case_name = std::string(kWhoNames[who]) +
                                      (by_session ? " (session) " : " (key) ") + row.method + " " +
                                      row.target;
        if (allowed) {
          EXPECT_NE(reply->status, 401) << case_name << ": " << reply->body;
          EXPECT_NE(reply->status, 403) << case_name << ": " << reply->body;
          EXPECT_LT(reply->status, 500) << case_name << ": " << reply->body;
        } else {
          EXPECT_EQ(reply->status, denied_status) << case_name << ": " << reply->body;
        }
      }
    }
  }
  for (const RouteInfo& route : Handler::Routes()) {
    EXPECT_TRUE(covered.count(std::string(route.method) + " " + std::string(route.pattern)))
        << "route missing from the matrix: " << route.method << " " << route.pattern;
  }
}

// A member records her own visit (ServiceLogged with volunteer_id = her member id) and nothing
// else: another volunteer's visit, an elder of another branch, verifying, any other event, or a
// batch holding one of those get the answer of every write-scope failure (403 forbidden) and
// write nothing. Her visit stays pending until a coordinator verifies it. Every case with her
// key and with her session.
TEST(RoleMatrixTest, MemberRecordsOnlyItsOwnVisits) {
  ApiFixture api;
  api.LoadScenario();
  const std::string key = api.CreateKey("member", "member_id", "v-wang");
  constexpr std::string_view kPassword = "member-passphrase-7";
  api.OpenAccount("member-wang", "member", "member_id", "v-wang", kPassword);
  const ApiFixture::Session session = api.SignIn("member-wang", kPassword);
  const std::string coordinator = api.CreateKey("coordinator", "branch_id", "b-shiyuan");

  auto member_json = [&api] {
    const std::string at = "?min_position=" + std::to_string(api.head().next.value - 1);
    return testing::JsonOf(api.Call("GET", "/v1/members/v-wang" + at).body);
  };
  auto minutes = [](const boost::json::value& member, const char* field) {
    return member.at(field).to_number<int64_t>();
  };
  for (const bool by_session : {false, true}) {
    const std::string n = by_session ? "-session" : "-key";
    auto post = [&](std::string_view target, const std::string& body) {
      return by_session ? api.CallAs(session, "POST", target, body)
                        : api.Call("POST", target, body, key);
    };
    auto event = [&](const std::string& id, std::string_view type, const std::string& fields) {
      return ApiFixture::EventJson(id + n, type, fields, testing::BeijingUs(2026, 11, 7));
    };
    auto visit = [&](const std::string& id, std::string_view volunteer, std::string_view elder) {
      return event(id, "ServiceLogged",
                   "service_id: \"" + id + n + "\", volunteer_id: \"" + std::string(volunteer) +
                       "\", elder_id: \"" + std::string(elder) +
                       "\", kind: home_visit, minutes: 75");
    };

    const boost::json::value before = member_json();
    const Response own = post("/v1/events", visit("s-own", "v-wang", "e-zhao"));
    ASSERT_EQ(own.status, 201) << n << own.body;
    const boost::json::value after = member_json();
    EXPECT_EQ(minutes(after, "pending_minutes"), minutes(before, "pending_minutes") + 75) << n;
    EXPECT_EQ(minutes(after, "verified_minutes"), minutes(before, "verified_minutes")) << n;

    const std::vector<std::pair<std::string, std::string>> refused = {
        {"another volunteer's visit", visit("s-other", "v-li", "e-qian")},
        {"her visit to another branch's elder", visit("s-far", "v-wang", "e-sun")},
        {"verifying her own visit",
         event("s-own-ok", "ServiceVerified",
               "service_id: \"s-own" + n + "\", confirmed_by: \"e-zhao\"")},
        {"another event type",
         event("ev-train", "TrainingCompleted",
               R"(training_id: "t-m", member_id: "v-wang", course: "急救", minutes: 120)")},
    };
    for (const auto& [what, body] : refused) {
      const Head head = api.head();
      const Response answer = post("/v1/events", body);
      EXPECT_EQ(answer.status, 403) << what << n << ": " << answer.body;
      EXPECT_EQ(testing::JsonOf(answer.body).at("code").as_string(), "forbidden") << what << n;
      EXPECT_EQ(api.head(), head) << what << n << " moved the head";
    }
    const Head head = api.head();
    const Response batch =
        post("/v1/events/batch", R"({"events":[)" + visit("s-b1", "v-wang", "e-zhao") + "," +
                                     visit("s-b2", "v-li", "e-qian") + "]}");
    EXPECT_EQ(batch.status, 403) << n << batch.body;
    EXPECT_EQ(api.head(), head) << n;

    // The same refusal a coordinator gets for another branch's member.
    const Response coordinators =
        api.Call("POST", "/v1/events", visit("s-c", "v-zhang", "e-sun"), coordinator);
    EXPECT_EQ(coordinators.status, 403);
    EXPECT_EQ(testing::JsonOf(coordinators.body).at("code").as_string(), "forbidden");

    // Her branch's coordinator verifies the visit: then it counts.
    const Response verified =
        api.Call("POST", "/v1/events",
                 event("s-own-ok", "ServiceVerified",
                       "service_id: \"s-own" + n + "\", confirmed_by: \"e-zhao\""),
                 coordinator);
    EXPECT_EQ(verified.status, 201) << verified.body;
    const boost::json::value counted = member_json();
    EXPECT_EQ(minutes(counted, "verified_minutes"), minutes(before, "verified_minutes") + 75) << n;
    EXPECT_EQ(minutes(counted, "pending_minutes"), minutes(before, "pending_minutes")) << n;
  }
}

// The records of a volunteer's file (AwardGranted, MemberUpdated, RelationRegistered) by every
// writing role: an admin anywhere, a coordinator in her own branch only (a relation across
// branches is an admin's), never an auditor, a partner, a merchant or the member herself. A
// refusal is 403 forbidden and writes nothing.
TEST(RoleMatrixTest, FileRecordsByRole) {
  ApiFixture api;
  api.LoadScenario();
  api.RegisterMerchant();
  std::string keys[kWho];
  CreateRoleKeys(api, keys);
  struct Case {
    const char* what;
    const char* type;
    std::string fields;  // {n}: a fresh suffix per attempt
    std::set<Who> allowed;
  };
  const std::vector<Case> cases = {
      {"award in her branch",
       "AwardGranted",
       R"(award_id: "aw-{n}", member_id: "v-wang", title: "优秀志愿者")",
       {kAdmin, kCoordinator}},
      {"award in another branch",
       "AwardGranted",
       R"(award_id: "aw-{n}", member_id: "v-zhang", title: "优秀志愿者")",
       {kAdmin}},
      {"correction in her branch",
       "MemberUpdated",
       R"(member_id: "v-wang", phone: "1{n}")",
       {kAdmin, kCoordinator}},
      {"correction in another branch",
       "MemberUpdated",
       R"(member_id: "v-zhang", phone: "1{n}")",
       {kAdmin}},
      {"relation in her branch",
       "RelationRegistered",
       R"(relation_id: "rel-{n}", member_id: "e-zhao", relative_id: "v-li", relation: guardian)",
       {kAdmin, kCoordinator}},
      {"relation across branches",
       "RelationRegistered",
       R"(relation_id: "rel-{n}", member_id: "e-zhao", relative_id: "v-zhang", relation: child)",
       {kAdmin}},
  };
  int attempt = 0;
  for (const Case& c : cases) {
    for (int who = 0; who < kNobody; ++who) {
      std::string fields = c.fields;
      const std::string n = std::to_string(++attempt);
      fields.replace(fields.find("{n}"), 3, n);
      const std::string body =
          ApiFixture::EventJson("ev-file-" + n, c.type, fields, testing::BeijingUs(2026, 11, 8));
      const Head head = api.head();
      const Response answer = api.Call("POST", "/v1/events", body, keys[who]);
      const std::string case_name = std::string(kWhoNames[who]) + ": " + c.what;
      if (c.allowed.count(static_cast<Who>(who)) > 0) {
        EXPECT_EQ(answer.status, 201) << case_name << ": " << answer.body;
      } else {
        EXPECT_EQ(answer.status, 403) << case_name << ": " << answer.body;
        EXPECT_EQ(api.head(), head) << case_name << " moved the head";
      }
    }
  }
}

// An event id already taken is answered — as a replay (its position and hash) or as a conflict —
// only to a caller who may write that event at all: 石园街道's coordinator gets the 403 of any
// write outside her branch for 高丽营镇's event, whether she repeats it exactly or with other
// content, and learns nothing of it; its own writer still gets the replay.
TEST(RoleMatrixTest, ATakenIdIsAnsweredOnlyToWhoMayWriteTheEvent) {
  ApiFixture api;
  api.LoadScenario();
  const std::string admin = api.CreateKey("admin");
  const std::string coordinator = api.CreateKey("coordinator", "branch_id", "b-shiyuan");
  const int64_t at = testing::BeijingUs(2026, 11, 7);
  const std::string visit = ApiFixture::EventJson(
      "ev-gly-visit", "ServiceLogged",
      R"(service_id: "s-gly", volunteer_id: "v-zhang", elder_id: "e-sun", kind: home_visit,
         minutes: 45)",
      at);
  const Response written = api.Call("POST", "/v1/events", visit, admin);
  ASSERT_EQ(written.status, 201) << written.body;
  const Head head = api.head();

  const Response repeated = api.Call("POST", "/v1/events", visit, coordinator);
  EXPECT_EQ(repeated.status, 403) << repeated.body;
  EXPECT_EQ(testing::JsonOf(repeated.body).at("code").as_string(), "forbidden");
  EXPECT_EQ(repeated.body.find("position"), std::string::npos) << repeated.body;

  const std::string other = ApiFixture::EventJson(
      "ev-gly-visit", "ServiceLogged",
      R"(service_id: "s-gly", volunteer_id: "v-zhang", elder_id: "e-sun", kind: home_visit,
         minutes: 60)",
      at);
  const Response conflicting = api.Call("POST", "/v1/events", other, coordinator);
  EXPECT_EQ(conflicting.status, 403) << conflicting.body;

  const Response replayed = api.Call("POST", "/v1/events", visit, admin);
  EXPECT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(testing::JsonOf(replayed.body).at("position"),
            testing::JsonOf(written.body).at("position"));
  EXPECT_EQ(api.head().next, head.next);  // nothing written by any of the three
}

}  // namespace
}  // namespace ledger::api
