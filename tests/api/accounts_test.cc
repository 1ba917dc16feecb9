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
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP here (tls_test: Secure)
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

// 1,000 sign-ins, 200 at a time: the server keeps answering reads meanwhile (a GET every 2 ms;
// p99 printed), and every sign-in is answered: 201, or 503 at once when the hashing queue is
// full (64 waiting; 2 threads of 64 MiB each).
TEST_F(AccountsTest, BurstOfSignInsDoesNotStallReads) {
  Volunteer();
  constexpr int kClients = 200;
  constexpr int kSignInsPerClient = 5;
  std::atomic<int> created{0}, busy{0}, other{0};
  std::atomic<bool> done{false};
  std::vector<double> read_ms;
  std::thread reader([&] {
    HttpClient client(port_);
    while (!done.load()) {
      const auto start = std::chrono::steady_clock::now();
      auto reply = client.Request("GET", "/v1/members/v-wang", "", testing::kTestAdminKey);
      read_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      EXPECT_EQ(reply->status, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      HttpClient client(port_);
      for (int i = 0; i < kSignInsPerClient; ++i) {
        auto reply = client.Request("POST", "/v1/sessions",
                                    Body({{"login", "13800000001"}, {"password", kPassword}}));
        if (!reply) {
          ++other;
        } else if (reply->status == 201) {
          ++created;
        } else if (reply->status == 503) {
          ++busy;
        } else {
          ++other;
        }
      }
    });
  }
  for (std::thread& thread : clients) thread.join();
  done = true;
  reader.join();
  std::sort(read_ms.begin(), read_ms.end());
  ASSERT_FALSE(read_ms.empty());
  const double p99 = read_ms[std::min(read_ms.size() - 1, read_ms.size() * 99 / 100)];
  std::printf(
      "1000 sign-ins: %d created, %d answered 503 (queue full); %zu GETs meanwhile, "
      "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      created.load(), busy.load(), read_ms.size(), read_ms[read_ms.size() / 2], p99,
      read_ms.back());
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(created.load() + busy.load(), kClients * kSignInsPerClient);
  EXPECT_GT(created.load(), 0);
}

}  // namespace
}  // namespace ledger::api
