// Accounts against ledgerd as a real process, and the tools on what it leaves on disk: a full
// account flow leaves no secret in its stdout, stderr, request log or RocksDB's info logs;
// `ledgerctl export` of a ledger holding rights events round-trips byte for byte through
// `import`, verifies and carries no secret, while `backup` carries the credentials; a rebuild of
// the projections after rights events gives the rows the projector kept, and the credentials
// still agree with the rights events (closed accounts stay closed, revoked keys revoked), even
// when ledgerd stopped between an event and its credential row.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/api/account_flow.h"
#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"
#include "tests/domain/ledger_scenario.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::AccountFlowResult;
using testing::HttpClient;
using testing::JsonOf;
using testing::Ledgerd;

constexpr std::string_view kKey = testing::kTestAdminKey;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

int RunLedgerctl(const std::string& args) {
  const std::string command = std::string(LEDGERCTL_PATH) + " " + args + " > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Fails for each secret (and each piece of personal data, with `personal`) found in `bytes`.
void ExpectNoSecret(const AccountFlowResult& flow, const std::string& bytes, std::string_view where,
                    bool personal) {
  ASSERT_FALSE(flow.secrets.empty());
  for (const auto& [what, secret] : flow.secrets) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << what << " in " << where;
  }
  if (!personal) return;
  for (const std::string& text : flow.personal) {
    EXPECT_EQ(bytes.find(text), std::string::npos) << text << " in " << where;
  }
}

class AccountsLedgerdTest : public ::testing::Test {
 protected:
  AccountsLedgerdTest() : data_(dir_.path() + "/data") {}

  // ledgerd over `data` with the request log on, its stderr captured with its stdout.
  std::unique_ptr<Ledgerd> Start(const std::string& data) {
    auto ledgerd = std::make_unique<Ledgerd>(
        std::vector<std::string>{"--data", data, "--listen", "127.0.0.1:0", "--log-requests", "on"},
        std::vector<std::string>{"LEDGER_ADMIN_KEY=" + std::string(kKey)}, true);
    port_ = ledgerd->Port();
    EXPECT_NE(port_, 0) << ledgerd->RestOfOutput();
    return ledgerd;
  }

  // The October scenario in one POST /v1/events/batch.
  void LoadScenario() {
    json::array events;
    for (const testing::ScenarioEvent& e : testing::OctoberScenarioForClients()) {
      events.push_back(
          json::parse(testing::ApiFixture::EventJson(e.id, e.type, e.fields, e.occurred_at_us)));
    }
    HttpClient client(port_);
    auto reply = client.Request("POST", "/v1/events/batch",
                                json::serialize(json::object{{"events", std::move(events)}}), kKey);
    ASSERT_TRUE(reply && reply->status == 201) << (reply ? reply->body : "no reply");
  }

  // Serves data_, loads the scenario, runs the account flow and stops (SIGTERM, exit 0).
  // Returns what ledgerd printed.
  std::string RunFlow() {
    auto ledgerd = Start(data_);
    if (port_ == 0) return {};
    LoadScenario();
    flow_ = testing::RunAccountFlow(port_, kKey);
    EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);
    return ledgerd->RestOfOutput();
  }

  int SignIn(std::string_view login, std::string_view password) {
    HttpClient client(port_);
    return client
        .Request("POST", "/v1/sessions",
                 json::serialize(json::object{{"login", login}, {"password", password}}))
        ->status;
  }

  std::string Secret(std::string_view what) const {
    for (const auto& [name, text] : flow_.secrets) {
      if (name == what) return text;
    }
    ADD_FAILURE() << "no secret " << what;
    return {};
  }
  // What the flow left usable: the live session, the password, a closed account's password and
  // the revoked key, checked against ledgerd on port_. `credentials` says whether the ledger
  // has its credentials (a backup) or not (an import).
  void ExpectRights(bool credentials) {
    HttpClient client(port_);
    const std::string cookie = "Cookie: zl_session=" + Secret("live session id") + "\r\n";
    EXPECT_EQ(client.Request("GET", "/v1/sessions/current", "", "", "", cookie)->status,
              credentials ? 200 : 401);
    EXPECT_EQ(SignIn("13877776666", "Flow-third-passphrase-3"), credentials ? 201 : 401);
    EXPECT_EQ(SignIn("coord-flow", "Flow-coordinator-passphrase-4"), 401);  // closed
    EXPECT_EQ(client.Request("GET", "/v1/partners/p-avic", "", Secret("key"))->status, 401);
  }

  testing::TempDir dir_;
  std::string data_;
  uint16_t port_ = 0;
  AccountFlowResult flow_;
};

// Passwords, invitation tokens, session ids, CSRF tokens and keys never reach ledgerd's output
// (request log lines, warnings) nor RocksDB's own logs.
TEST_F(AccountsLedgerdTest, NoSecretInAnyLogOfLedgerd) {
  const std::string output = RunFlow();
  ASSERT_FALSE(flow_.secrets.empty());
  // The request log was on: each route of the flow has its line (so the search means something).
  // The request log was on: each route of the flow has its line, naming the account that called
  // (so the search below means something).
  for (const char* route :
       {"POST /v1/accounts/activate 200", "POST /v1/sessions 201", "POST /v1/sessions 401",
        "POST /v1/accounts/{id}/password 204", "DELETE /v1/sessions/current 204",
        "POST /v1/accounts/{id}/invitation 201", "DELETE /v1/keys/{key_id} 204"}) {
    EXPECT_NE(output.find(route), std::string::npos) << route << " not logged:\n" << output;
  }
  EXPECT_NE(output.find("key=" + flow_.open_account_id), std::string::npos);
  ExpectNoSecret(flow_, output, "ledgerd's stdout and stderr", false);
  size_t log_files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data_)) {
    const std::string name = entry.path().filename().string();
    // RocksDB's info logs (LOG, LOG.old.*); its NNNNNN.log files are the write-ahead log,
    // which holds the credentials column family's rows: the database, not a log.
    if (!entry.is_regular_file() || !name.starts_with("LOG")) continue;
    ++log_files;
    ExpectNoSecret(flow_, ReadFile(entry.path().string()), entry.path().string(), false);
  }
  EXPECT_GT(log_files, 0u) << "RocksDB's LOG";
}

// export -> import -> export is byte-identical with rights events in the log; both verify; the
// export holds no secret, no credential and no personal data of the accounts. The imported
// ledger has the rights events but no credentials: nobody signs in, no stored key works, and the
// old account can be neither re-invited nor closed (it has no credential row: 404); a new
// account for the same login can be opened and signs in. A backup signs everybody in as before.
TEST_F(AccountsLedgerdTest, ExportCarriesRightsButNoCredentialsAndBackupCarriesThem) {
  RunFlow();
  ASSERT_FALSE(HasFailure());
  const std::string exported = dir_.path() + "/export.jsonl";
  const std::string imported = dir_.path() + "/imported";
  const std::string reexported = dir_.path() + "/reexport.jsonl";
  const std::string backup = dir_.path() + "/backup";
  const std::string pubkey = dir_.path() + "/ledger.pub";
  ASSERT_EQ(std::system(
                (std::string(LEDGERCTL_PATH) + " pubkey --data " + data_ + " > " + pubkey).c_str()),
            0);
  ASSERT_EQ(RunLedgerctl("export --data " + data_ + " --out " + exported), 0);
  ASSERT_EQ(RunLedgerctl("backup --data " + data_ + " --out " + backup), 0);
  ASSERT_EQ(RunLedgerctl("import --in " + exported + " --data " + imported + " --pubkey " + pubkey),
            0);
  // ledgerctl export signs its last checkpoint with DIR/signing.key: the ledger's key.
  std::filesystem::copy_file(data_ + "/signing.key", imported + "/signing.key");
  ASSERT_EQ(RunLedgerctl("export --data " + imported + " --out " + reexported), 0);
  const std::string text = ReadFile(exported);
  EXPECT_TRUE(text == ReadFile(reexported)) << "export -> import -> export differs";
  const std::string report = " --report " + dir_.path() + "/verify-report.json";
  EXPECT_EQ(RunLedgerctl("verify --export " + exported + " --pubkey " + pubkey + report), 0);
  EXPECT_EQ(RunLedgerctl("verify --data " + imported + " --pubkey " + pubkey + report), 0);
  for (const std::string& type : flow_.rights_events) {
    EXPECT_NE(text.find("\"type\":\"" + type + "\""), std::string::npos) << type;
  }
  ExpectNoSecret(flow_, text, "the export", true);
  for (const char* credential : {"argon2id", "password_hash", "csrf"}) {
    EXPECT_EQ(text.find(credential), std::string::npos) << credential;
  }

  {  // The import: the rights are there, the credentials are not.
    auto ledgerd = Start(imported);
    ASSERT_NE(port_, 0);
    ExpectRights(false);
    HttpClient client(port_);
    auto events = client.Request("GET", "/v1/events?from=0&limit=1000", "", kKey);
    const json::value page = JsonOf(events->body);
    ASSERT_TRUE(page.is_object()) << events->body;
    std::vector<std::string> rights;
    for (const json::value& event : page.at("events").as_array()) {
      const std::string type(event.at("type").as_string());
      if (type.starts_with("Account") || type.starts_with("Key")) rights.push_back(type);
    }
    EXPECT_EQ(rights, flow_.rights_events);
    auto accounts = client.Request("GET", "/v1/accounts", "", kKey);
    const json::value listed = JsonOf(accounts->body);
    ASSERT_TRUE(listed.is_object()) << accounts->body;
    EXPECT_TRUE(listed.at("items").as_array().empty()) << accounts->body;
    EXPECT_EQ(
        client.Request("POST", "/v1/accounts/" + flow_.open_account_id + "/invitation", "{}", kKey)
            ->status,
        404);
    EXPECT_EQ(client.Request("DELETE", "/v1/accounts/" + flow_.open_account_id, "", kKey)->status,
              404);
    auto keys = client.Request("GET", "/v1/keys", "", kKey);
    const json::value key_list = JsonOf(keys->body);
    ASSERT_TRUE(key_list.is_object()) << keys->body;
    EXPECT_TRUE(key_list.at("items").as_array().empty()) << "no stored key: " << keys->body;
    // The login is free: a new account (a new AccountOpened) lets her in again.
    auto opened = client.Request(
        "POST", "/v1/accounts",
        R"({"login":"13877776666","display_name":"x","role":"member","member_id":"v-wang"})", kKey);
    ASSERT_EQ(opened->status, 201) << opened->body;
    auto activated = client.Request(
        "POST", "/v1/accounts/activate",
        json::serialize(json::object{{"token", JsonOf(opened->body).at("invitation").at("token")},
                                     {"password", "Flow-after-import-5"}}));
    EXPECT_EQ(activated->status, 200) << activated->body;
    EXPECT_EQ(SignIn("13877776666", "Flow-after-import-5"), 201);
    EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);
  }
  {  // The backup: everybody signs in as before, the closed and revoked stay so.
    auto ledgerd = Start(backup);
    ASSERT_NE(port_, 0);
    ExpectRights(true);
    EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);
  }
}

// `ledgerctl rebuild` after rights events gives the very rows the projector kept; the credentials
// are left alone and still agree with the rights events.
TEST_F(AccountsLedgerdTest, RebuildAfterRightsEventsReproducesTheRows) {
  RunFlow();
  ASSERT_FALSE(HasFailure());
  std::map<std::string, std::string> before;
  {
    testing::LedgerFixture ledger(data_);
    ASSERT_EQ(ledger.rows().Checkpoint().value(), ledger.store().GetHead().next);
    before = testing::AllRows(ledger.rows());
  }
  ASSERT_EQ(RunLedgerctl("rebuild --data " + data_), 0);
  {
    testing::LedgerFixture ledger(data_);
    EXPECT_TRUE(testing::AllRows(ledger.rows()) == before);
    EXPECT_EQ(ledger.rows().Checkpoint().value(), ledger.store().GetHead().next);
  }
  auto ledgerd = Start(data_);
  ASSERT_NE(port_, 0);
  ExpectRights(true);
  EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);
}

// ledgerd stopped between a right's event and its credential row (simulated: the events appended
// to the log behind its back): on the next start the account is closed and the key revoked, as
// the log says.
TEST_F(AccountsLedgerdTest, CredentialsFollowTheLogAfterAStopBetweenEventAndRow) {
  std::string key, key_id;
  {
    auto ledgerd = Start(data_);
    ASSERT_NE(port_, 0);
    LoadScenario();
    flow_ = testing::RunAccountFlow(port_, kKey);
    HttpClient client(port_);
    auto issued =
        client.Request("POST", "/v1/keys", R"({"role":"partner","partner_id":"p-avic"})", kKey);
    ASSERT_EQ(issued->status, 201);
    key = std::string(JsonOf(issued->body).at("key").as_string());
    key_id = std::string(JsonOf(issued->body).at("key_id").as_string());
    EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);
  }
  {
    testing::LedgerFixture ledger(data_);
    auto appended = ledger.store().Append(
        {testing::Draft(
             flow_.open_account_id + ".closed", "AccountClosed",
             "account_id: \"" + flow_.open_account_id + R"(", role: member, member_id: "v-wang")",
             testing::BeijingUs(2026, 11, 1)),
         testing::Draft(key_id + ".revoked", "KeyRevoked",
                        "key_id: \"" + key_id + R"(", role: partner, partner_id: "p-avic")",
                        testing::BeijingUs(2026, 11, 1))});
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }
  auto ledgerd = Start(data_);
  ASSERT_NE(port_, 0);
  HttpClient client(port_);
  // The events were accepted by the rules (the ledger replayed them).
  auto events = client.Request("GET", "/v1/events?from=0&limit=1000", "", kKey);
  const json::value page = JsonOf(events->body);
  ASSERT_TRUE(page.is_object()) << events->body;
  const json::array& list = page.at("events").as_array();
  ASSERT_GE(list.size(), 2u);
  EXPECT_EQ(list[list.size() - 2].at("type").as_string(), "AccountClosed");
  EXPECT_EQ(list.back().at("type").as_string(), "KeyRevoked");
  const std::string cookie = "Cookie: zl_session=" + Secret("live session id") + "\r\n";
  EXPECT_EQ(client.Request("GET", "/v1/sessions/current", "", "", "", cookie)->status, 401);
  EXPECT_EQ(SignIn("13877776666", "Flow-third-passphrase-3"), 401);
  EXPECT_EQ(client.Request("GET", "/v1/partners/p-avic", "", key)->status, 401);
  EXPECT_EQ(ledgerd->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace ledger::api
