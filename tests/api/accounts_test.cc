// People: accounts and sessions (API.md, "People: accounts and sessions"), over real sockets on
// 127.0.0.1: opening, invitations, activation, sign-in and sign-out, the cookie's attributes,
// CSRF, password changes and resets, closing, throttling, and the attacks of issue #12 — each
// refused with its status and code, and the log's head unmoved where nothing may be written.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "tests/api/api_fixture.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::ApiFixture;
using testing::HttpClient;
using testing::HttpReply;
using testing::JsonOf;

constexpr std::string_view kPassword = "Qiuju-says-hello-2026";

std::string Code(const HttpReply& reply) {
  const json::value body = JsonOf(reply.body);
  return body.is_object() && body.as_object().contains("code")
             ? std::string(body.at("code").as_string())
             : std::string();
}

std::string Body(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  json::object object;
  for (const auto& [name, value] : fields) object[name] = value;
  return json::serialize(object);
}

// A clock the test can move forward (expiries).
struct TestClock {
  std::atomic<int64_t> offset_us{0};
  int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() +
           offset_us.load();
  }
};

class AccountsTest : public ::testing::Test {
 protected:
  static HandlerOptions Options(TestClock* clock) {
    HandlerOptions options;
    options.clock_us = [clock] { return clock->Now(); };
    options.sign_in_throttle.address_failures_max = 12;
    return options;
  }
  AccountsTest() : api_(Options(&clock_)), port_(LoadAndServe(api_)), client_(port_) {}
  static uint16_t LoadAndServe(ApiFixture& api) {
    api.LoadScenario();
    return api.StartServer();
  }

  // Opens an account with the admin key over HTTP; returns the 201's body.
  json::value Open(std::string_view login, std::string_view role, std::string_view scope_field,
                   std::string_view scope_id) {
    json::object body{{"login", login}, {"display_name", "王秀兰"}, {"role", role}};
    if (!scope_field.empty()) body[scope_field] = scope_id;
    auto reply =
        client_.Request("POST", "/v1/accounts", json::serialize(body), testing::kTestAdminKey);
    EXPECT_EQ(reply->status, 201) << reply->body;
    return JsonOf(reply->body);
  }
  std::optional<HttpReply> Activate(std::string_view token, std::string_view password) {
    return client_.Request("POST", "/v1/accounts/activate",
                           Body({{"token", token}, {"password", password}}));
  }
  std::optional<HttpReply> SignIn(std::string_view login, std::string_view password) {
    return client_.Request("POST", "/v1/sessions",
                           Body({{"login", login}, {"password", password}}));
  }
  // The session of a successful sign-in reply.
  static ApiFixture::Session SessionOf(const HttpReply& reply) {
    ApiFixture::Session session;
    const std::string& cookie = reply.headers.at("set-cookie");
    const size_t start = cookie.find('=') + 1;
    session.cookie = cookie.substr(start, cookie.find(';') - start);
    const json::value body = JsonOf(reply.body);
    session.account_id = std::string(body.at("account_id").as_string());
    session.csrf_token = std::string(body.at("csrf_token").as_string());
    return session;
  }
  // A member account of v-wang, activated, and a session of it.
  ApiFixture::Session Volunteer(std::string_view login = "13800000001") {
    json::value opened = Open(login, "member", "member_id", "v-wang");
    EXPECT_EQ(Activate(opened.at("invitation").at("token").as_string(), kPassword)->status, 200);
    auto reply = SignIn(login, kPassword);
    EXPECT_EQ(reply->status, 201) << reply->body;
    return SessionOf(*reply);
  }
  int GetAs(const ApiFixture::Session& session, std::string_view target) {
    return client_.Request("GET", target, "", "", "", session.Headers(false))->status;
  }

  TestClock clock_;
  ApiFixture api_;
  uint16_t port_ = 0;
  HttpClient client_;
};

// Open, activate, sign in, read with the cookie, sign out: the happy path, attribute by attribute.
TEST_F(AccountsTest, OpenActivateSignInReadAndSignOut) {
  const uint64_t head = api_.head().next.value;
  json::value opened = Open("13800000001", "member", "member_id", "v-wang");
  EXPECT_EQ(opened.at("role").as_string(), "member");
  EXPECT_EQ(opened.at("member_id").as_string(), "v-wang");
  EXPECT_EQ(opened.at("login").as_string(), "13800000001");
  EXPECT_EQ(opened.at("invitation").at("token").as_string().size(), 64u);
  EXPECT_EQ(api_.head().next.value, head + 1);  // AccountOpened
  const std::string token(opened.at("invitation").at("token").as_string());

  auto activated = Activate(token, kPassword);
  EXPECT_EQ(activated->status, 200) << activated->body;
  EXPECT_EQ(JsonOf(activated->body).at("account_id"), opened.at("account_id"));

  auto signed_in = SignIn("13800000001", kPassword);
  ASSERT_EQ(signed_in->status, 201) << signed_in->body;
  const std::string& cookie = signed_in->headers.at("set-cookie");
  EXPECT_TRUE(cookie.starts_with("zl_session=")) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP here (see SecureCookie...)
  const json::value session_json = JsonOf(signed_in->body);
  for (const char* field :
       {"account_id", "login", "role", "member_id", "csrf_token", "expires_at"}) {
    EXPECT_TRUE(session_json.as_object().contains(field)) << field;
  }
  const ApiFixture::Session session = SessionOf(*signed_in);
  EXPECT_EQ(session.cookie.size(), 64u);  // 256 random bits

  EXPECT_EQ(GetAs(session, "/v1/members/v-wang"), 200);
  EXPECT_EQ(GetAs(session, "/v1/members/v-li"), 404);  // as a member key: only its own
  auto current = client_.Request("GET", "/v1/sessions/current", "", "", "", session.Headers(false));
  EXPECT_EQ(current->status, 200);
  EXPECT_EQ(JsonOf(current->body).at("csrf_token").as_string(), session.csrf_token);

  auto signed_out =
      client_.Request("DELETE", "/v1/sessions/current", "", "", "", session.Headers());
  EXPECT_EQ(signed_out->status, 204);
  EXPECT_NE(signed_out->headers.at("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(GetAs(session, "/v1/members/v-wang"), 401);  // ended on the server, not only cleared
}

// An unknown login and a wrong password get the very same answer; timing is printed.
TEST_F(AccountsTest, UnknownLoginAndWrongPasswordAnswerAlike) {
  Volunteer();
  auto wrong = SignIn("13800000001", "not the password");
  auto unknown = SignIn("13899999999", "not the password");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(Code(*wrong), "invalid_credentials");
  EXPECT_EQ(wrong->status, unknown->status);
  EXPECT_EQ(wrong->body, unknown->body);
  // Comparable time: both run one Argon2id verification (the unknown one against a dummy hash).
  auto median_ms = [&](std::string_view login) {
    std::vector<double> ms;
    for (int i = 0; i < 4; ++i) {
      const auto start = std::chrono::steady_clock::now();
      SignIn(login, "still not it " + std::to_string(i));
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  };
  const double wrong_ms = median_ms("13800000002-none");
  Volunteer("13800000002");
  const double known_ms = median_ms("13800000002");
  std::printf("sign-in, median of 4: wrong password %.1f ms, unknown login %.1f ms\n", known_ms,
              wrong_ms);
}

// Five failures for one login within 15 minutes: the sixth try is 429 with Retry-After, even
// with the right password; after the window it works again.
TEST_F(AccountsTest, FiveFailuresForOneLoginAreRateLimited) {
  Volunteer();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(SignIn("13800000001", "wrong password!")->status, 401);
  auto limited = SignIn("13800000001", kPassword);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(Code(*limited), "rate_limited");
  ASSERT_TRUE(limited->headers.contains("retry-after"));
  EXPECT_GT(std::stoi(limited->headers.at("retry-after")), 0);
  clock_.offset_us += int64_t{16} * 60 * 1'000'000;
  EXPECT_EQ(SignIn("13800000001", kPassword)->status, 201);
}

// One client address cannot try many logins: past its limit every login is 429 from it.
TEST_F(AccountsTest, OneAddressCannotTryManyLogins) {
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(SignIn("guess-" + std::to_string(i), "password-guess")->status, 401);
  }
  auto limited = SignIn("guess-new", "password-guess");
  EXPECT_EQ(limited->status, 429);
  EXPECT_TRUE(limited->headers.contains("retry-after"));
}

// Invitations: used, forged and expired ones are 422 invalid_invitation; a weak password is 422
// weak_password and leaves the invitation usable. Nothing reaches the log.
TEST_F(AccountsTest, BadInvitationsAndWeakPasswordsAreRefused) {
  json::value opened = Open("13800000001", "member", "member_id", "v-wang");
  const std::string token(opened.at("invitation").at("token").as_string());
  const uint64_t head = api_.head().next.value;
  for (const char* weak : {"short", "123456", "88888888", "woaini1314", "A1234567", "qq123456",
                           "5201314520", "password1"}) {
    auto reply = Activate(token, weak);
    EXPECT_EQ(reply->status, 422) << weak;
    EXPECT_EQ(Code(*reply), "weak_password") << weak;
  }
  auto forged = Activate(std::string(64, 'a'), kPassword);
  EXPECT_EQ(forged->status, 422);
  EXPECT_EQ(Code(*forged), "invalid_invitation");
  EXPECT_EQ(Activate(token, kPassword)->status, 200);
  auto used = Activate(token, "another good passphrase");
  EXPECT_EQ(used->status, 422);
  EXPECT_EQ(Code(*used), "invalid_invitation");
  EXPECT_EQ(SignIn("13800000001", "another good passphrase")->status, 401);

  json::value late = Open("13800000002", "member", "member_id", "v-wang");
  clock_.offset_us += AccountStore::kInvitationLifetimeUs + 1;
  auto expired = Activate(late.at("invitation").at("token").as_string(), kPassword);
  EXPECT_EQ(expired->status, 422);
  EXPECT_EQ(Code(*expired), "invalid_invitation");
  EXPECT_EQ(api_.head().next.value, head + 1);  // only the second AccountOpened
}

// With a session, anything but GET and HEAD needs X-CSRF-Token equal to the session's token;
// a key needs none.
TEST_F(AccountsTest, SessionWritesNeedTheCsrfToken) {
  const std::string coordinator_id =
      api_.OpenAccount("coord-shiyuan", "coordinator", "branch_id", "b-shiyuan", kPassword);
  ApiFixture::Session coordinator = SessionOf(*SignIn("coord-shiyuan", kPassword));
  EXPECT_EQ(coordinator.account_id, coordinator_id);
  const std::string body =
      R"({"login":"13800000009","display_name":"李桂英","role":"member","member_id":"v-li"})";
  const uint64_t head = api_.head().next.value;
  auto missing = client_.Request("POST", "/v1/accounts", body, "", "application/json",
                                 coordinator.Headers(false));
  EXPECT_EQ(missing->status, 403);
  EXPECT_EQ(Code(*missing), "csrf_failed");
  auto wrong = client_.Request("POST", "/v1/accounts", body, "", "application/json",
                               coordinator.Headers(false) + "X-CSRF-Token: " +
                                   std::string(coordinator.csrf_token.size(), '0') + "\r\n");
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(Code(*wrong), "csrf_failed");
  EXPECT_EQ(api_.head().next.value, head);
  auto right =
      client_.Request("POST", "/v1/accounts", body, "", "application/json", coordinator.Headers());
  EXPECT_EQ(right->status, 201) << right->body;
  // The event names who did it: the coordinator's account.
  auto events =
      client_.Request("GET", "/v1/events?from=" + std::to_string(head), "", testing::kTestAdminKey);
  const json::value last = JsonOf(events->body).at("events").as_array().back();
  EXPECT_EQ(last.at("type").as_string(), "AccountOpened");
  EXPECT_EQ(last.at("actor").as_string(), coordinator_id);
}

// A coordinator opens member accounts of its own branch only.
TEST_F(AccountsTest, CoordinatorCannotOpenOtherBranchesOrRoles) {
  api_.OpenAccount("coord-shiyuan", "coordinator", "branch_id", "b-shiyuan", kPassword);
  ApiFixture::Session coordinator = SessionOf(*SignIn("coord-shiyuan", kPassword));
  const uint64_t head = api_.head().next.value;
  for (const char* body :
       {R"({"login":"x1","display_name":"张凤","role":"member","member_id":"v-zhang"})",
        R"({"login":"x2","display_name":"审计","role":"auditor"})",
        R"({"login":"x3","display_name":"协调","role":"coordinator","branch_id":"b-shiyuan"})",
        R"({"login":"x4","display_name":"管理","role":"admin"})"}) {
    auto reply = client_.Request("POST", "/v1/accounts", body, "", "application/json",
                                 coordinator.Headers());
    EXPECT_EQ(reply->status, 403) << body << ": " << reply->body;
    EXPECT_EQ(Code(*reply), "forbidden");
  }
  EXPECT_EQ(api_.head().next.value, head);
  // Nor manage another branch's accounts: answered as if they did not exist.
  json::value other = Open("13800000003", "member", "member_id", "v-zhang");
  const std::string other_id(other.at("account_id").as_string());
  EXPECT_EQ(
      client_.Request("DELETE", "/v1/accounts/" + other_id, "", "", "", coordinator.Headers())
          ->status,
      404);
  EXPECT_EQ(client_
                .Request("POST", "/v1/accounts/" + other_id + "/invitation", "{}", "",
                         "application/json", coordinator.Headers())
                ->status,
            404);
}

// Changing the password ends every other session; the old password stops working.
TEST_F(AccountsTest, PasswordChangeEndsOtherSessions) {
  ApiFixture::Session phone = Volunteer();
  ApiFixture::Session laptop = SessionOf(*SignIn("13800000001", kPassword));
  const std::string target = "/v1/accounts/" + phone.account_id + "/password";
  auto wrong_old = client_.Request(
      "POST", target,
      Body({{"old_password", "not it at all"}, {"new_password", "a new passphrase 9"}}), "",
      "application/json", phone.Headers());
  EXPECT_EQ(wrong_old->status, 401);
  auto weak = client_.Request("POST", target,
                              Body({{"old_password", kPassword}, {"new_password", "12345678"}}), "",
                              "application/json", phone.Headers());
  EXPECT_EQ(Code(*weak), "weak_password");
  // Another account's session, or a key, may not change it.
  EXPECT_EQ(client_
                .Request("POST", target,
                         Body({{"old_password", kPassword}, {"new_password", "x-y-z-w-v-u"}}),
                         testing::kTestAdminKey)
                ->status,
            403);
  auto changed = client_.Request(
      "POST", target, Body({{"old_password", kPassword}, {"new_password", "a new passphrase 9"}}),
      "", "application/json", phone.Headers());
  EXPECT_EQ(changed->status, 204) << changed->body;
  EXPECT_EQ(GetAs(phone, "/v1/members/v-wang"), 200);
  EXPECT_EQ(GetAs(laptop, "/v1/members/v-wang"), 401);
  EXPECT_EQ(SignIn("13800000001", kPassword)->status, 401);
  EXPECT_EQ(SignIn("13800000001", "a new passphrase 9")->status, 201);
}

// A reset is a fresh invitation: every session ends and the old password no longer works.
TEST_F(AccountsTest, ResetEndsEverySessionAndTheOldPassword) {
  ApiFixture::Session session = Volunteer();
  auto reset = client_.Request("POST", "/v1/accounts/" + session.account_id + "/invitation", "{}",
                               testing::kTestAdminKey);
  ASSERT_EQ(reset->status, 201) << reset->body;
  EXPECT_EQ(GetAs(session, "/v1/members/v-wang"), 401);
  EXPECT_EQ(SignIn("13800000001", kPassword)->status, 401);
  EXPECT_EQ(
      Activate(JsonOf(reset->body).at("invitation").at("token").as_string(), "after the reset 10")
          ->status,
      200);
  EXPECT_EQ(SignIn("13800000001", "after the reset 10")->status, 201);
}

// Closing an account ends its sessions at once and records AccountClosed; it cannot sign in.
TEST_F(AccountsTest, ClosedAccountCannotSignInAndItsSessionsEnd) {
  ApiFixture::Session session = Volunteer();
  const uint64_t head = api_.head().next.value;
  EXPECT_EQ(
      client_.Request("DELETE", "/v1/accounts/" + session.account_id, "", testing::kTestAdminKey)
          ->status,
      204);
  EXPECT_EQ(api_.head().next.value, head + 1);
  EXPECT_EQ(GetAs(session, "/v1/members/v-wang"), 401);
  EXPECT_EQ(SignIn("13800000001", kPassword)->status, 401);
  EXPECT_EQ(
      client_.Request("DELETE", "/v1/accounts/" + session.account_id, "", testing::kTestAdminKey)
          ->status,
      404);
  // The login is free again for a new account.
  Open("13800000001", "member", "member_id", "v-wang");
}

// A tampered cookie is no session; a login that is taken is 409 login_taken.
TEST_F(AccountsTest, TamperedCookieAndTakenLogin) {
  ApiFixture::Session session = Volunteer();
  ApiFixture::Session tampered = session;
  tampered.cookie[10] = tampered.cookie[10] == 'a' ? 'b' : 'a';
  EXPECT_EQ(GetAs(tampered, "/v1/members/v-wang"), 401);
  tampered.cookie = session.cookie + "0";
  EXPECT_EQ(GetAs(tampered, "/v1/members/v-wang"), 401);
  auto taken = client_.Request(
      "POST", "/v1/accounts",
      R"({"login":"13800000001","display_name":"x","role":"member","member_id":"v-li"})",
      testing::kTestAdminKey);
  EXPECT_EQ(taken->status, 409);
  EXPECT_EQ(Code(*taken), "login_taken");
}

// Rights are history, secrets are not: keys and accounts appear as events with id, role and
// scope; no token, session id, CSRF token, key or password hash is anywhere in the log.
TEST_F(AccountsTest, RightsAreEventsWithoutSecrets) {
  ApiFixture::Session session = Volunteer();
  auto key = client_.Request("POST", "/v1/keys", R"({"role":"partner","partner_id":"p-avic"})",
                             testing::kTestAdminKey);
  ASSERT_EQ(key->status, 201);
  const std::string key_id(JsonOf(key->body).at("key_id").as_string());
  const std::string secret(JsonOf(key->body).at("key").as_string());
  EXPECT_EQ(client_.Request("DELETE", "/v1/keys/" + key_id, "", testing::kTestAdminKey)->status,
            204);
  // A key made before key events existed (no KeyIssued) still works and is revoked the same way.
  auto legacy = api_.node().keys().Create(Role::kAuditor, "", 0);
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(client_.Request("GET", "/v1/audit/head", "", legacy->second)->status, 200);
  EXPECT_EQ(
      client_.Request("DELETE", "/v1/keys/" + legacy->first.key_id, "", testing::kTestAdminKey)
          ->status,
      204);
  auto events = client_.Request("GET", "/v1/events?from=0&limit=1000", "", testing::kTestAdminKey);
  std::vector<std::string> types;
  const json::value page = JsonOf(events->body);
  for (const json::value& event : page.at("events").as_array()) {
    const std::string type(event.at("type").as_string());
    if (type == "AccountOpened" || type.starts_with("Key")) types.push_back(type);
  }
  EXPECT_EQ(types,
            (std::vector<std::string>{"AccountOpened", "KeyIssued", "KeyRevoked", "KeyRevoked"}));
  for (const std::string& secret_text :
       {session.cookie, session.csrf_token, secret, secret.substr(secret.find('.') + 1),
        api_.node().accounts().PasswordHash(session.account_id)}) {
    EXPECT_EQ(events->body.find(secret_text), std::string::npos);
  }
}

// Rights are written by the routes only: POST /v1/events refuses each of the four types, and
// nothing is appended.
TEST_F(AccountsTest, RightsEventsCannotBePostedDirectly) {
  const uint64_t head = api_.head().next.value;
  for (const auto& [type, data] : std::vector<std::pair<std::string, std::string>>{
           {"AccountOpened", R"({"account_id":"acct-forged","role":"admin"})"},
           {"AccountClosed", R"({"account_id":"acct-forged","role":"admin"})"},
           {"KeyIssued", R"({"key_id":"k-forged","role":"admin"})"},
           {"KeyRevoked", R"({"key_id":"k-forged","role":"admin"})"}}) {
    auto reply =
        client_.Request("POST", "/v1/events",
                        R"({"id":"ev-forged","type":")" + type +
                            R"(","occurred_at":"2026-11-01T09:00:00+08:00","data":)" + data + "}",
                        testing::kTestAdminKey);
    EXPECT_EQ(reply->status, 400) << type << ": " << reply->body;
    EXPECT_EQ(Code(*reply), "unknown_type") << type;
  }
  EXPECT_EQ(api_.head().next.value, head);
}

// Every role's session ends after its idle time without a request (and lives while it is used),
// and at its absolute end even when used all along (SessionLifetimeFor; docs/accounts.md's table).
TEST_F(AccountsTest, EveryRoleHasItsIdleAndAbsoluteLimits) {
  api_.RegisterMerchant();
  struct Case {
    const char* role;
    const char* scope_field;
    const char* scope_id;
  };
  for (const Case& c :
       {Case{"admin", "", ""}, Case{"coordinator", "branch_id", "b-shiyuan"},
        Case{"auditor", "", ""}, Case{"partner", "partner_id", "p-avic"},
        Case{"member", "member_id", "v-wang"}, Case{"merchant", "merchant_id", "shop-1"}}) {
    SCOPED_TRACE(c.role);
    const std::string login = std::string("limits-") + c.role;
    api_.OpenAccount(login, c.role, c.scope_field, c.scope_id, kPassword);
    const SessionLifetime lifetime = SessionLifetimeFor(*RoleFromName(c.role));
    ASSERT_GT(lifetime.idle_us, 0);
    ASSERT_LE(lifetime.idle_us, lifetime.absolute_us);
    constexpr int64_t kMinuteUs = int64_t{60} * 1'000'000;
    // Idle: a request just before the idle time keeps it; nothing for the idle time ends it.
    ApiFixture::Session idle = SessionOf(*SignIn(login, kPassword));
    clock_.offset_us += lifetime.idle_us - kMinuteUs;
    EXPECT_EQ(GetAs(idle, "/v1/sessions/current"), 200);
    clock_.offset_us += lifetime.idle_us + kMinuteUs;
    EXPECT_EQ(GetAs(idle, "/v1/sessions/current"), 401);
    // Absolute: used every half idle time, it still ends at its absolute end.
    ApiFixture::Session used = SessionOf(*SignIn(login, kPassword));
    int64_t elapsed = 0;
    while (elapsed + lifetime.idle_us / 2 < lifetime.absolute_us) {
      clock_.offset_us += lifetime.idle_us / 2;
      elapsed += lifetime.idle_us / 2;
      ASSERT_EQ(GetAs(used, "/v1/sessions/current"), 200) << elapsed / kMinuteUs << " min";
    }
    clock_.offset_us += lifetime.absolute_us - elapsed + kMinuteUs;
    EXPECT_EQ(GetAs(used, "/v1/sessions/current"), 401);
  }
  // What docs/accounts.md says: an admin's session never lives past 12 hours nor 30 idle minutes,
  // a volunteer's lives through two weeks of quiet.
  EXPECT_EQ(SessionLifetimeFor(Role::kAdmin).absolute_us, int64_t{12} * 3600 * 1'000'000);
  EXPECT_EQ(SessionLifetimeFor(Role::kAdmin).idle_us, int64_t{30} * 60 * 1'000'000);
  EXPECT_EQ(SessionLifetimeFor(Role::kMember).idle_us, int64_t{14} * 24 * 3600 * 1'000'000);
}

// Idle timeout and absolute lifetime, per role: an admin's session ends after 30 idle minutes; a
// volunteer's lives through two weeks of quiet but not past 30 days.
TEST_F(AccountsTest, SessionsEndWhenIdleOrOld) {
  api_.OpenAccount("boss", "admin", "", "", kPassword);
  ApiFixture::Session admin = SessionOf(*SignIn("boss", kPassword));
  ApiFixture::Session volunteer = Volunteer();
  constexpr int64_t kDayUs = int64_t{24} * 3600 * 1'000'000;
  clock_.offset_us += 31 * 60 * 1'000'000;
  EXPECT_EQ(GetAs(admin, "/v1/members/v-wang"), 401);
  EXPECT_EQ(GetAs(volunteer, "/v1/members/v-wang"), 200);
  clock_.offset_us += 13 * kDayUs;
  EXPECT_EQ(GetAs(volunteer, "/v1/members/v-wang"), 200);
  clock_.offset_us += 13 * kDayUs;
  EXPECT_EQ(GetAs(volunteer, "/v1/members/v-wang"), 200);
  clock_.offset_us += 5 * kDayUs;  // past 30 days since sign-in
  EXPECT_EQ(GetAs(volunteer, "/v1/members/v-wang"), 401);
}

// Served over HTTPS (ledgerd --tls-cert sets secure_cookies), the cookie is Secure.
TEST(AccountsSecureCookieTest, SecureCookieWhenServedOverTls) {
  HandlerOptions options;
  options.secure_cookies = true;
  ApiFixture api(options);
  api.LoadScenario();
  api.OpenAccount("13800000001", "member", "member_id", "v-wang", kPassword);
  Response response = api.Call("POST", "/v1/sessions",
                               Body({{"login", "13800000001"}, {"password", kPassword}}), "");
  ASSERT_EQ(response.status, 201);
  bool secure = false;
  for (const auto& [name, value] : response.headers) {
    if (name == "Set-Cookie") secure = value.ends_with("; Secure");
  }
  EXPECT_TRUE(secure);
}

// `ledgerctl backup` copies the credentials (a served backup signs the same people in);
// `ledgerctl export` carries no credential at all.
TEST_F(AccountsTest, BackupCopiesCredentialsAndExportHasNone) {
  ApiFixture::Session session = Volunteer("13912345678");
  const std::string ctl = LEDGERCTL_PATH;
  const std::string backup = api_.data_dir() + "-backup";
  const std::string exported = api_.data_dir() + "-export.jsonl";
  ASSERT_EQ(std::system((ctl + " backup --data " + api_.data_dir() + " --out " + backup +
                         " > /dev/null 2>&1")
                            .c_str()),
            0);
  ASSERT_EQ(std::system((ctl + " export --data " + api_.data_dir() + " --out " + exported +
                         " > /dev/null 2>&1")
                            .c_str()),
            0);
  std::FILE* file = std::fopen(exported.c_str(), "rb");
  ASSERT_NE(file, nullptr);
  std::string text;
  char buffer[65536];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  std::fclose(file);
  EXPECT_FALSE(text.empty());
  const std::string hash = api_.node().accounts().PasswordHash(session.account_id);
  for (const std::string& secret : {session.cookie, session.csrf_token, hash,
                                    std::string("13912345678"), std::string("argon2id")}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
  ApiNodeOptions options;
  options.data_dir = backup;
  options.admin_key = std::string(testing::kTestAdminKey);
  auto restored = ApiNode::Open(std::move(options));
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ((*restored)->accounts().PasswordHash(session.account_id), hash);
  EXPECT_TRUE((*restored)->accounts().Authenticate(session.cookie, clock_.Now()).has_value());
  // And the rights replay and verify like every other event.
  const std::string pubkey = api_.data_dir() + "-ledger.pub";
  // Not verify's default report file in the working directory.
  const std::string report = " --report " + api_.data_dir() + "-verify-report.json";
  ASSERT_EQ(std::system((ctl + " pubkey --data " + backup + " > " + pubkey).c_str()), 0);
  restored->reset();
  EXPECT_EQ(std::system((ctl + " verify --data " + backup + " --pubkey " + pubkey + report +
                         " > /dev/null 2>&1")
                            .c_str()),
            0);
  EXPECT_EQ(std::system((ctl + " verify --export " + exported + " --pubkey " + pubkey + report +
                         " > /dev/null 2>&1")
                            .c_str()),
            0);
}

// A burst of sign-ins larger than the hashing queue: every one is answered, 201 or, past the
// queue's bound, 503 unavailable with Retry-After at once; reads meanwhile are all answered.
// (The 1,000-sign-in burst and the p99 of a GET during it: `scripts/bench signin`.)
TEST(AccountsBurstTest, SignInsPastTheHashingQueueAre503AndReadsGoOn) {
  HandlerOptions options;
  options.password_threads = 1;
  options.password_queue_jobs_max = 2;
  ApiFixture api(options);
  api.LoadScenario();
  api.OpenAccount("13800000001", "member", "member_id", "v-wang", kPassword);
  const uint16_t port = api.StartServer();
  constexpr int kClients = 40;
  std::atomic<int> created{0}, busy{0}, other{0}, bad_reads{0}, reads{0}, connected{0};
  std::atomic<bool> go{false}, done{false};
  std::thread reader([&] {
    HttpClient client(port);
    while (!done.load()) {
      auto reply = client.Request("GET", "/v1/members/v-wang", "", testing::kTestAdminKey);
      ++reads;
      if (!reply || reply->status != 200) ++bad_reads;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      HttpClient client(port);
      ++connected;
      while (!go.load()) std::this_thread::yield();
      auto reply = client.Request("POST", "/v1/sessions",
                                  Body({{"login", "13800000001"}, {"password", kPassword}}));
      if (reply && reply->status == 201) {
        ++created;
      } else if (reply && reply->status == 503 && Code(*reply) == "unavailable" &&
                 reply->headers.contains("retry-after")) {
        ++busy;
      } else {
        ++other;
      }
    });
  }
  while (connected.load() < kClients) std::this_thread::yield();
  go = true;
  for (std::thread& thread : clients) thread.join();
  done = true;
  reader.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(created.load() + busy.load(), kClients);
  EXPECT_GE(created.load(), 1);
  EXPECT_GE(busy.load(), 1) << "40 at once past a queue of 2 and one hashing thread";
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(bad_reads.load(), 0);
}

}  // namespace
}  // namespace ledger::api
