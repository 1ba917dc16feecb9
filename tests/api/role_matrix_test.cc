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
};

TEST(RoleMatrixTest, EveryRoleAgainstEveryRoute) {
  ApiFixture api;
  api.LoadScenario();
  ASSERT_EQ(api.Call("POST", "/v1/events",
                     ApiFixture::EventJson("ev-shop", "PartnerRegistered",
                                           R"(partner_id: "shop-1", name: "超市", kind: merchant)",
                                           testing::BeijingUs(2026, 11, 5)))
                .status,
            201);
  std::string keys[kWho];
  keys[kAdmin] = std::string(testing::kTestAdminKey);
  keys[kCoordinator] = api.CreateKey("coordinator", "branch_id", "b-shiyuan");
  keys[kAuditor] = api.CreateKey("auditor");
  keys[kPartner] = api.CreateKey("partner", "partner_id", "p-avic");
  keys[kMember] = api.CreateKey("member", "member_id", "v-wang");
  keys[kMerchant] = api.CreateKey("merchant", "merchant_id", "shop-1");
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
  const std::string activity = ApiFixture::EventJson(
      "ev-matrix-a", "ActivityHeld",
      R"(activity_id: "a-matrix", branch_id: "b-shiyuan", title: "手工课", date: "2026-11-06",
         participants: 5, beneficiaries: 8)",
      testing::BeijingUs(2026, 11, 6));
  const std::vector<Row> rows = {
      {"GET", "/healthz", "/healthz", "", everyone},
      {"GET", "/readyz", "/readyz", "", everyone},
      {"GET", "/openapi.json", "/openapi.json", "", everyone},
      {"GET", "/metrics", "/metrics", "", {kAdmin, kAuditor}},
      {"POST", "/v1/events", "/v1/events", activity, {kAdmin, kCoordinator}},
      {"POST",
       "/v1/events/batch",
       "/v1/events/batch",
       R"({"events":[)" + activity + "]}",
       {kAdmin, kCoordinator}},
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
      {"POST",
       "/v1/members/{id}/attestations",
       "/v1/members/v-wang/attestations",
       R"({"merchant_id":"shop-1","expires_at":"2099-01-01T00:00:00Z"})",
       {kAdmin, kCoordinator, kMember}},
      {"POST", "/v1/attestations/verify", "/v1/attestations/verify", R"({"token":"x.y"})",
       everyone},
      {"GET", "/v1/funds/{id}", "/v1/funds/f-aid", "", staff},
      {"GET", "/v1/funds/{id}/trail", "/v1/funds/f-aid/trail", "", staff},
      {"GET",
       "/v1/donations/{id}",
       "/v1/donations/d-avic",
       "",
       {kAdmin, kCoordinator, kAuditor, kPartner}},
      {"GET",
       "/v1/partners/{id}",
       "/v1/partners/p-avic",
       "",
       {kAdmin, kCoordinator, kAuditor, kPartner}},
      {"GET", "/v1/reports/monthly", "/v1/reports/monthly?branch_id=b-shiyuan&month=2026-10", "",
       staff},
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
                                                 "application/json", sessions[who].Headers())
                                : client.Request(row.method, row.target, row.body, keys[who]);
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

}  // namespace
}  // namespace ledger::api
