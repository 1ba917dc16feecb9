#include "tests/api/account_flow.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/api/api_fixture.h"
#include "tests/api/http_client.h"

namespace ledger::testing {
namespace json = boost::json;

namespace {

struct Flow {
  HttpClient& client;
  std::string_view admin_key;
  AccountFlowResult& result;

  void Secret(std::string what, std::string text) {
    EXPECT_FALSE(text.empty()) << what;
    result.secrets.emplace_back(std::move(what), std::move(text));
  }

  // POST /v1/accounts with the admin key; the account id and its invitation token.
  std::pair<std::string, std::string> Open(std::string_view login, std::string_view display_name,
                                           std::string_view role, std::string_view scope_field,
                                           std::string_view scope_id) {
    json::object body{{"login", login}, {"display_name", display_name}, {"role", role}};
    if (!scope_field.empty()) body[scope_field] = scope_id;
    auto reply = client.Request("POST", "/v1/accounts", json::serialize(body), admin_key);
    EXPECT_TRUE(reply && reply->status == 201) << (reply ? reply->body : "no reply");
    result.personal.emplace_back(login);
    result.personal.emplace_back(display_name);
    if (!reply || reply->status != 201) return {};
    const json::value opened = JsonOf(reply->body);
    std::string token(opened.at("invitation").at("token").as_string());
    Secret("invitation token of " + std::string(login), token);
    return {std::string(opened.at("account_id").as_string()), token};
  }

  void Activate(const std::string& token, const std::string& password) {
    Secret("password", password);
    auto reply =
        client.Request("POST", "/v1/accounts/activate",
                       json::serialize(json::object{{"token", token}, {"password", password}}));
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : "no reply");
  }

  // Signs in; `what` names the session's secrets ("live session id", "live CSRF token").
  ApiFixture::Session SignIn(std::string_view login, std::string_view password,
                             const std::string& what) {
    auto reply =
        client.Request("POST", "/v1/sessions",
                       json::serialize(json::object{{"login", login}, {"password", password}}));
    ApiFixture::Session session;
    EXPECT_TRUE(reply && reply->status == 201) << (reply ? reply->body : "no reply");
    if (!reply || reply->status != 201) return session;
    const std::string& cookie = reply->headers.at("set-cookie");
    const size_t start = cookie.find('=') + 1;
    session.cookie = cookie.substr(start, cookie.find(';') - start);
    const json::value body = JsonOf(reply->body);
    session.account_id = std::string(body.at("account_id").as_string());
    session.csrf_token = std::string(body.at("csrf_token").as_string());
    Secret(what + " session id", session.cookie);
    Secret(what + " CSRF token", session.csrf_token);
    return session;
  }

  int Status(std::string_view method, std::string_view target, std::string_view body,
             std::string_view key, std::string_view headers = {}) {
    auto reply = client.Request(method, target, body, key, "application/json", headers);
    return reply ? reply->status : 0;
  }
};

}  // namespace

AccountFlowResult RunAccountFlow(uint16_t port, std::string_view admin_key) {
  HttpClient client(port);
  AccountFlowResult result;
  Flow flow{client, admin_key, result};
  const std::string login = "13877776666";
  auto [account_id, token] = flow.Open(login, "测试秀英", "member", "member_id", "v-wang");
  result.open_account_id = account_id;
  flow.Activate(token, "Flow-first-passphrase-1");
  const ApiFixture::Session first = flow.SignIn(login, "Flow-first-passphrase-1", "first");
  EXPECT_EQ(flow.Status("GET", "/v1/members/v-wang", "", "", first.Headers(false)), 200);
  // A wrong password and an unknown login are logged as failures, without what was typed.
  flow.Secret("mistyped password", "Flow-mistyped-passphrase-7");
  EXPECT_EQ(flow.Status("POST", "/v1/sessions",
                        R"({"login":"13877776666","password":"Flow-mistyped-passphrase-7"})", ""),
            401);
  EXPECT_EQ(flow.Status("POST", "/v1/sessions",
                        R"({"login":"no-such-login","password":"Flow-mistyped-passphrase-7"})", ""),
            401);
  // Changing the password (with the session and its CSRF token).
  flow.Secret("changed password", "Flow-second-passphrase-2");
  EXPECT_EQ(flow.Status("POST", "/v1/accounts/" + account_id + "/password",
                        json::serialize(json::object{{"old_password", "Flow-first-passphrase-1"},
                                                     {"new_password", "Flow-second-passphrase-2"}}),
                        "", first.Headers()),
            204);
  // A reset: a fresh invitation, the session ends; a new password with it.
  auto reset =
      client.Request("POST", "/v1/accounts/" + account_id + "/invitation", "{}", admin_key);
  EXPECT_TRUE(reset && reset->status == 201) << (reset ? reset->body : "no reply");
  if (reset && reset->status == 201) {
    const std::string again(JsonOf(reset->body).at("invitation").at("token").as_string());
    flow.Secret("reset invitation token", again);
    flow.Activate(again, "Flow-third-passphrase-3");
  }
  EXPECT_EQ(flow.Status("GET", "/v1/members/v-wang", "", "", first.Headers(false)), 401);
  // Sign in and out; then a session that stays live.
  const ApiFixture::Session second = flow.SignIn(login, "Flow-third-passphrase-3", "signed-out");
  EXPECT_EQ(flow.Status("DELETE", "/v1/sessions/current", "", "", second.Headers()), 204);
  EXPECT_EQ(flow.Status("GET", "/v1/members/v-wang", "", "", second.Headers(false)), 401);
  const ApiFixture::Session live = flow.SignIn(login, "Flow-third-passphrase-3", "live");
  EXPECT_EQ(flow.Status("GET", "/v1/sessions/current", "", "", live.Headers(false)), 200);

  // A coordinator's account, opened, activated, used and closed.
  auto [closed_id, closed_token] =
      flow.Open("coord-flow", "测试协调员", "coordinator", "branch_id", "b-shiyuan");
  result.closed_account_id = closed_id;
  flow.Activate(closed_token, "Flow-coordinator-passphrase-4");
  const ApiFixture::Session coordinator =
      flow.SignIn("coord-flow", "Flow-coordinator-passphrase-4", "closed account's");
  EXPECT_EQ(flow.Status("GET", "/v1/members/v-wang", "", "", coordinator.Headers(false)), 200);
  EXPECT_EQ(flow.Status("DELETE", "/v1/accounts/" + closed_id, "", admin_key), 204);
  EXPECT_EQ(flow.Status("GET", "/v1/members/v-wang", "", "", coordinator.Headers(false)), 401);

  // A key: issued, used, revoked.
  auto key =
      client.Request("POST", "/v1/keys", R"({"role":"partner","partner_id":"p-avic"})", admin_key);
  EXPECT_TRUE(key && key->status == 201) << (key ? key->body : "no reply");
  if (key && key->status == 201) {
    const json::value issued = JsonOf(key->body);
    result.revoked_key_id = std::string(issued.at("key_id").as_string());
    const std::string secret(issued.at("key").as_string());
    flow.Secret("key", secret);
    flow.Secret("key's secret half", secret.substr(secret.find('.') + 1));
    EXPECT_EQ(flow.Status("GET", "/v1/partners/p-avic", "", secret), 200);
    EXPECT_EQ(flow.Status("DELETE", "/v1/keys/" + result.revoked_key_id, "", admin_key), 204);
    EXPECT_EQ(flow.Status("GET", "/v1/partners/p-avic", "", secret), 401);
  }
  // Opened, opened, closed, issued, revoked: the order the routes wrote them.
  result.rights_events = {"AccountOpened", "AccountOpened", "AccountClosed", "KeyIssued",
                          "KeyRevoked"};
  return result;
}

}  // namespace ledger::testing
