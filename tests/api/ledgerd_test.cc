// ledgerd as a real process: --help, bad usage, the admin key file, serving, SIGTERM shutdown
// with exit status 0, restart with the data and key intact, and --demo.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>

#include "api/demo_ledger.h"
#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"
#include "tests/eventstore/test_support.h"

namespace ledger::api {
namespace {
using testing::HttpClient;
using testing::JsonOf;
using testing::Ledgerd;

TEST(LedgerdTest, HelpListsEveryOptionAndBadUsageExits2) {
  Ledgerd help({"--help"});
  const std::string text = help.RestOfOutput();
  EXPECT_EQ(help.Wait(), 0);
  for (const char* option :
       {"--data", "--listen", "--threads", "--body-limit", "--header-limit", "--read-timeout-ms",
        "--demo", "--web-root", "LEDGER_WEB_ROOT", "LEDGER_ADMIN_KEY", "LEDGER_LISTEN"}) {
    EXPECT_NE(text.find(option), std::string::npos) << option;
  }
  EXPECT_EQ(Ledgerd({"--no-such-flag"}).Wait(), 2);
  EXPECT_EQ(Ledgerd({"--listen", "nowhere"}).Wait(), 2);
}

// First start creates admin.key (0600); SIGTERM exits 0; a restart keeps the events and key.
TEST(LedgerdTest, ServesStopsCleanlyAndRestartsWithItsData) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  std::string key;
  {
    Ledgerd ledgerd({"--data", data, "--listen", "127.0.0.1:0", "--log-requests", "off"});
    const uint16_t port = ledgerd.Port();
    ASSERT_NE(port, 0);
    struct stat info;
    ASSERT_EQ(::stat((data + "/admin.key").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600);
    std::ifstream(data + "/admin.key") >> key;
    HttpClient client(port);
    EXPECT_EQ(client.Request("GET", "/healthz")->status, 200);
    auto created = client.Request(
        "POST", "/v1/events",
        R"({"id":"ev-b1","type":"BranchOpened","occurred_at":"2026-10-01T09:00:00+08:00",
            "data":{"branch_id":"b1","name":"石园街道"}})",
        key);
    EXPECT_EQ(created->status, 201) << created->body;
    EXPECT_EQ(ledgerd.Stop(SIGTERM), 0);
  }
  {
    Ledgerd again({"--data", data, "--listen", "127.0.0.1:0", "--log-requests", "off"});
    const uint16_t port = again.Port();
    ASSERT_NE(port, 0);
    HttpClient client(port);
    auto events = client.Request("GET", "/v1/events", "", key);
    ASSERT_EQ(events->status, 200);
    EXPECT_EQ(JsonOf(events->body).at("head").to_number<int64_t>(), 1);
    EXPECT_EQ(again.Stop(SIGINT), 0);
  }
}

// LEDGER_ADMIN_KEY is the admin key; --demo loads the demo ledger into an empty ledger.
TEST(LedgerdTest, AdminKeyFromEnvironmentAndDemoLedger) {
  testing::TempDir dir;
  Ledgerd ledgerd({"--data", dir.path() + "/data", "--listen", "127.0.0.1:0", "--demo",
                   "--log-requests", "off"},
                  {"LEDGER_ADMIN_KEY=env-admin-key-8c3f1a9e05d27b64f1e9a0c3b5d7e2f4"});
  const uint16_t port = ledgerd.Port();
  ASSERT_NE(port, 0);
  HttpClient client(port);
  auto fund = client.Request("GET", "/v1/funds/f-aid", "",
                             "env-admin-key-8c3f1a9e05d27b64f1e9a0c3b5d7e2f4");
  ASSERT_EQ(fund->status, 200) << fund->body;
  EXPECT_GT(JsonOf(fund->body).at("balance_fen").to_number<int64_t>(), 0);
  auto members = client.Request("GET", "/v1/members?kind=volunteer", "",
                                "env-admin-key-8c3f1a9e05d27b64f1e9a0c3b5d7e2f4");
  EXPECT_EQ(JsonOf(members->body).at("items").as_array().size(), 22u);
  EXPECT_EQ(::access((dir.path() + "/data/admin.key").c_str(), F_OK), -1);
  // One account per role, signing in with the demo password scripts/serve prints beside it, as
  // that role and scope.
  std::ifstream serve(LEDGER_SOURCE_DIR "/scripts/serve");
  const std::string serve_text((std::istreambuf_iterator<char>(serve)),
                               std::istreambuf_iterator<char>());
  std::set<std::string> roles;
  for (const DemoAccount& account : kDemoAccounts) {
    EXPECT_NE(serve_text.find(std::string(account.password)), std::string::npos)
        << "scripts/serve does not print " << account.login << "'s password";
    auto session = client.Request("POST", "/v1/sessions",
                                  std::string(R"({"login":")") + account.login +
                                      R"(","password":")" + account.password + R"("})");
    ASSERT_EQ(session->status, 201) << account.login << ": " << session->body;
    const boost::json::value body = JsonOf(session->body);
    EXPECT_EQ(body.at("role").as_string(), account.role);
    if (*account.scope_field != '\0') {
      EXPECT_EQ(body.at(account.scope_field).as_string(), account.scope_id);
    }
    roles.insert(account.role);
  }
  EXPECT_EQ(roles.size(), 6u) << "one account per role";
  EXPECT_EQ(ledgerd.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace ledger::api
