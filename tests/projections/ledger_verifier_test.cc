// The auditor's verification: an untouched ledger verifies; every kind of tampering is caught
// and named — altered, dropped or swapped events, forged or truncated checkpoints, a broken rule,
// a corrupted projection row.
#include "projections/ledger_verifier.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "domain/event_payload.h"
#include "eventstore/hash_chain.h"
#include "eventstore/ledger_replay.h"
#include "projections/certificate_figures.h"
#include "projections/ledger_node.h"
#include "tests/domain/ledger_scenario.h"
#include "tests/eventstore/test_support.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger {
namespace {

struct Ledger {
  std::vector<StoredEvent> events;
  std::vector<SignedCheckpoint> checkpoints;
  std::string public_key;
};

// The October scenario in a real ledger with checkpoints every 10 events, read back.
Ledger ScenarioLedger(const std::string& dir) {
  auto key = SigningKey::LoadOrCreate(dir + "/signing.key").value();
  LedgerNodeOptions options;
  options.data_dir = dir + "/data";
  options.signing_key = key;
  options.checkpoints.interval_events = 10;
  auto node = LedgerNode::Open(options).value();
  for (const auto& e : testing::OctoberScenario()) {
    EXPECT_TRUE(
        node->store().Append({testing::Draft(e.id, e.type, e.fields, e.occurred_at_us)}).ok());
  }
  const Position head = node->store().GetHead().next;
  EXPECT_TRUE(node->checkpoint_signer()->WaitForProgress(head, std::chrono::seconds(10)));
  EXPECT_TRUE(node->projector().WaitForApplied(head, std::chrono::seconds(10)));
  Ledger ledger;
  ledger.events = node->store().ReadFrom(Position{0}, 100000).value();
  ledger.checkpoints = StoredCheckpoints(node->store()).value();
  ledger.public_key = key->public_key();
  // An export ends with a checkpoint of its last event.
  ledger.checkpoints.push_back(SignCheckpoint(*key, ledger.events.back()));
  return ledger;
}

VerifyReport Verify(const Ledger& ledger) {
  LedgerVerifier verifier(ledger.public_key);
  size_t next = 0;
  for (const StoredEvent& event : ledger.events) {
    if (!verifier.AddEvent(event)) break;
    while (next < ledger.checkpoints.size() &&
           ledger.checkpoints[next].position <= event.position) {
      verifier.AddCheckpoint(ledger.checkpoints[next++]);
    }
  }
  verifier.RequireFinalCheckpoint();
  return verifier.report();
}

class LedgerVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { ledger_ = ScenarioLedger(dir_.path()); }
  testing::TempDir dir_;
  Ledger ledger_;
};

TEST_F(LedgerVerifierTest, UntouchedHistoryVerifies) {
  const VerifyReport report = Verify(ledger_);
  EXPECT_TRUE(report.ok) << report.failure;
  EXPECT_EQ(report.events, ledger_.events.size());
  EXPECT_GE(report.checkpoints_verified, 4u);
  EXPECT_TRUE(report.signatures_checked);
}

TEST_F(LedgerVerifierTest, FlippedByteIsCaughtAtItsPosition) {
  ledger_.events[17].payload[9] ^= 1;
  const VerifyReport report = Verify(ledger_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.failed_position, 17u);
  EXPECT_NE(report.failure.find("altered"), std::string::npos) << report.failure;
}

TEST_F(LedgerVerifierTest, DroppedEventIsCaught) {
  ledger_.events.erase(ledger_.events.begin() + 20);
  const VerifyReport report = Verify(ledger_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.failed_position, 20u);
}

TEST_F(LedgerVerifierTest, SwappedEventsAreCaught) {
  std::swap(ledger_.events[30], ledger_.events[31]);
  const VerifyReport report = Verify(ledger_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.failed_position, 30u);
}

TEST_F(LedgerVerifierTest, RehashedForgeryFailsTheSignedCheckpoint) {
  // A forger who alters an event and re-hashes the rest of the chain still cannot match the
  // signed checkpoints.
  ledger_.events[5].actor = "forger";
  std::string scratch;
  for (size_t i = 5; i < ledger_.events.size(); ++i) {
    if (i > 5) ledger_.events[i].prev_hash = ledger_.events[i - 1].hash;
    ledger_.events[i].hash = ChainHash(ledger_.events[i].prev_hash, ledger_.events[i], &scratch);
  }
  const VerifyReport report = Verify(ledger_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.failed_position, 9u);  // the first checkpoint after the change
  EXPECT_NE(report.failure.find("checkpoint"), std::string::npos) << report.failure;
}

TEST_F(LedgerVerifierTest, CheckpointSignedByAnotherKeyFails) {
  auto other = SigningKey::LoadOrCreate(dir_.path() + "/other.key").value();
  ledger_.checkpoints[1] =
      SignCheckpoint(*other, ledger_.events[ledger_.checkpoints[1].position.value]);
  const VerifyReport report = Verify(ledger_);
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.failure.find("signature"), std::string::npos) << report.failure;
}

TEST_F(LedgerVerifierTest, AlteredCheckpointFails) {
  ledger_.checkpoints[0].recorded_at_us += 1;
  const VerifyReport report = Verify(ledger_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.failed_position, ledger_.checkpoints[0].position.value);
}

TEST_F(LedgerVerifierTest, TruncatedHistoryFails) {
  ledger_.events.resize(ledger_.events.size() - 3);
  ledger_.checkpoints.pop_back();  // a truncated export loses its final checkpoint too
  const VerifyReport report = Verify(ledger_);
  EXPECT_FALSE(report.ok);
  EXPECT_NE(report.failure.find("truncated"), std::string::npos) << report.failure;
}

// The stored projection is compared row by row with the re-derived state: a changed, an extra
// and a missing row (also the last one) are each named; the untouched rows all compare.
TEST_F(LedgerVerifierTest, StoredRowsAreComparedOneByOne) {
  EventStoreOptions options;
  options.path = dir_.path() + "/data";
  auto store = EventStore::Open(options).value();
  auto rows = store->OpenReadModel(kLedgerReadModel).value();
  auto compare = [&] {
    LedgerVerifier verifier(ledger_.public_key);
    for (const StoredEvent& event : ledger_.events) verifier.AddEvent(event);
    verifier.CompareRows(*rows);
    return verifier.report();
  };
  std::vector<std::pair<std::string, std::string>> stored;  // the derived rows, not the format's
  ASSERT_TRUE(rows->ForEachRow([&](std::string_view key, std::string_view value) {
                    if (key != LedgerRowsFormatRow().key) stored.emplace_back(key, value);
                    return true;
                  })
                  .ok());
  VerifyReport report = compare();
  ASSERT_TRUE(report.ok) << report.failure;
  EXPECT_EQ(report.rows_compared, stored.size());
  const Position at = rows->Checkpoint().value();
  auto expect_named = [&](const std::string& what) {
    const VerifyReport failed = compare();
    EXPECT_FALSE(failed.ok);
    EXPECT_NE(failed.failure.find(what), std::string::npos) << failed.failure;
  };

  ASSERT_TRUE(rows->Commit({{RowKey(Table::kFund, "f-ghost"), "x"}}, at).ok());
  expect_named("has fund 'f-ghost' that the history does not");
  ASSERT_TRUE(rows->Commit({{RowKey(Table::kFund, "f-ghost"), std::nullopt}}, at).ok());

  ASSERT_TRUE(rows->Commit({{RowKey(Table::kMember, "v-wang"), std::nullopt}}, at).ok());
  expect_named("lacks member 'v-wang'");
  const std::string wang = RowKey(Table::kMember, "v-wang");
  auto original = std::find_if(stored.begin(), stored.end(),
                               [&](const auto& row) { return row.first == wang; });
  ASSERT_NE(original, stored.end());
  ASSERT_TRUE(rows->Commit({{wang, original->second}}, at).ok());

  ASSERT_TRUE(rows->Commit({{stored.back().first, std::nullopt}}, at).ok());
  expect_named("lacks ");
  ASSERT_TRUE(rows->Commit({{stored.back().first, "changed"}}, at).ok());
  expect_named("differs from the re-derived one");
  ASSERT_TRUE(rows->Commit({{stored.back().first, stored.back().second}}, at).ok());
  EXPECT_TRUE(compare().ok);
}

// The tables are compared as key ranges, each on whichever thread is free: still the first
// difference in key order is the one named, rows outside every table's range are found, and a
// table's rows missing at the end of its range are named before the next table's.
TEST_F(LedgerVerifierTest, TheFirstDifferenceInKeyOrderIsNamedAcrossTables) {
  EventStoreOptions options;
  options.path = dir_.path() + "/data";
  auto store = EventStore::Open(options).value();
  auto rows = store->OpenReadModel(kLedgerReadModel).value();
  auto failure = [&] {
    LedgerVerifier verifier(ledger_.public_key);
    for (const StoredEvent& event : ledger_.events) verifier.AddEvent(event);
    verifier.CompareRows(*rows);
    return verifier.report().ok ? std::string("ok") : verifier.report().failure;
  };
  ASSERT_EQ(failure(), "ok");
  const Position at = rows->Checkpoint().value();
  std::map<std::string, std::string> stored = testing::AllRows(*rows);
  auto last_of = [&](Table table) {  // the last stored row of a table
    const std::string next(1, static_cast<char>('a' + static_cast<int>(table) + 1));
    auto it = stored.lower_bound(next);
    EXPECT_NE(it, stored.begin());
    --it;
    EXPECT_EQ(it->first[0], 'a' + static_cast<int>(table));
    return *it;
  };
  const auto member = last_of(Table::kMember);
  const auto fund = last_of(Table::kFund);

  // Before the first table and after the last one.
  ASSERT_TRUE(rows->Commit({{"0stray", "x"}}, at).ok());
  EXPECT_EQ(failure(), "the stored projection has unknown 'stray' that the history does not");
  ASSERT_TRUE(rows->Commit({{"0stray", std::nullopt}, {"zz", "x"}}, at).ok());
  EXPECT_EQ(failure(), "the stored projection has unknown 'z' that the history does not");
  ASSERT_TRUE(rows->Commit({{"zz", std::nullopt}}, at).ok());
  ASSERT_EQ(failure(), "ok");

  // A fund's last row changed and a member's last row missing: the member comes first.
  ASSERT_TRUE(rows->Commit({{fund.first, "changed"}, {member.first, std::nullopt}}, at).ok());
  EXPECT_EQ(failure(), "the stored projection lacks " + std::string("member '") +
                           member.first.substr(1) + "'");
  ASSERT_TRUE(rows->Commit({{member.first, member.second}}, at).ok());
  EXPECT_EQ(failure(), "the stored projection's fund '" + fund.first.substr(1) +
                           "' differs from the re-derived one");
  ASSERT_TRUE(rows->Commit({{fund.first, fund.second}}, at).ok());
  EXPECT_EQ(failure(), "ok");
}

TEST(LedgerVerifierRulesTest, ABrokenRuleIsNamedEvenWithAPerfectChain) {
  // Written without the rules (no decider): an aid payment from an empty fund.
  testing::TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  auto store = EventStore::Open(options).value();
  std::vector<EventDraft> drafts = {
      testing::Draft("ev-b", "BranchOpened", R"(branch_id: "b", name: "石园街道")", 0),
      testing::Draft("ev-f", "FundOpened", R"(fund_id: "f", name: "基金", branch_id: "b")", 0),
      testing::Draft("ev-x", "DisbursementMade",
                     R"(disbursement_id: "x", fund_id: "f", purpose: "aid", amount_fen: 100)", 0)};
  drafts[0].stream = "branch-b";
  drafts[1].stream = drafts[2].stream = "fund-f";
  ASSERT_TRUE(store->Append(drafts).ok());
  LedgerVerifier verifier(std::nullopt);
  const std::vector<StoredEvent> events = store->ReadFrom(Position{0}, 10).value();
  for (const StoredEvent& event : events) verifier.AddEvent(event);
  EXPECT_FALSE(verifier.report().ok);
  EXPECT_EQ(verifier.report().failed_position, 2u);
  EXPECT_NE(verifier.report().failure.find("insufficient_funds"), std::string::npos);
  EXPECT_FALSE(verifier.report().signatures_checked);
}

TEST(LedgerVerifierRulesTest, ACertificateFigureTheLogDoesNotBearOutIsNamed) {
  // Written without the route: one certificate true to the log, then one claiming more.
  testing::TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  auto store = EventStore::Open(options).value();
  const int64_t october_3 = testing::BeijingUs(2026, 10, 3, 9);
  auto certificate = [](int n, int minutes, int as_of) {
    return "certificate_id: \"ZYK-1970-00000" + std::to_string(n) +
           R"(", member_id: "v", from_date: "2026-10-01", to_date: "2026-10-31",
              services: 1, kinds: [home_visit], digest: ")" +
           std::string(64, 'a') + "\", verified_minutes: " + std::to_string(minutes) +
           ", as_of: " + std::to_string(as_of);
  };
  std::vector<EventDraft> drafts = {
      testing::Draft("ev-b", "BranchOpened", R"(branch_id: "b", name: "石园街道")", 0),
      testing::Draft("ev-v", "MemberRegistered",
                     R"(member_id: "v", kind: volunteer, branch_id: "b", name: "王秀兰")", 0),
      testing::Draft("ev-s", "ServiceLogged",
                     R"(service_id: "s", volunteer_id: "v", kind: home_visit, minutes: 90,
                        started_at_us: )" +
                         std::to_string(october_3),
                     0),
      testing::Draft("ev-ok", "ServiceVerified", R"(service_id: "s", confirmed_by: "x")", 0),
      testing::Draft("ev-c1", "CertificateIssued", certificate(1, 90, 4), 0),
      testing::Draft("ev-c2", "CertificateIssued", certificate(2, 150, 5), 0)};
  drafts[0].stream = "branch-b";
  for (size_t i = 1; i < drafts.size(); ++i) drafts[i].stream = "member-v";
  ASSERT_TRUE(store->Append(drafts).ok());
  LedgerVerifier verifier(std::nullopt);
  const std::vector<StoredEvent> events = store->ReadFrom(Position{0}, 10).value();
  for (const StoredEvent& event : events) verifier.AddEvent(event);
  EXPECT_FALSE(verifier.report().ok);
  EXPECT_EQ(verifier.report().failed_position, 5u);
  EXPECT_EQ(verifier.report().failure,
            "certificate ZYK-1970-000002: verified_minutes recorded 150, the log says 90");
}

// ServiceHistory recounts as of any position: a verification counts from the event after it
// until a reversal, a service verified again counts again, a service logged again under its id
// keeps its verifications but takes the new figures, and the same service id under another
// volunteer is another service.
TEST(ServiceHistoryTest, CountsWhatStoodAtEachPosition) {
  const int64_t october_3 = testing::BeijingUs(2026, 10, 3, 9);
  const int64_t november_3 = testing::BeijingUs(2026, 11, 3, 9);
  ServiceHistory history;
  uint64_t position = 0;
  auto add = [&](const std::string& id, std::string_view type, const std::string& fields,
                 const std::string& stream) {
    EventDraft draft = testing::Draft(id, type, fields, 0);
    StoredEvent event;
    event.position = Position{position++};
    event.id = id;
    event.type = std::string(type);
    event.stream = stream;
    event.payload = draft.payload;
    const events::EventData* data = VerifyEventData(event.payload);
    ASSERT_NE(data, nullptr) << id;
    history.Add(event, *data);
  };
  auto logged = [&](const std::string& id, const std::string& volunteer, int minutes,
                    int64_t started, std::string_view kind) {
    add("ev-log-" + id + "-" + std::to_string(position), "ServiceLogged",
        "service_id: \"" + id + "\", volunteer_id: \"" + volunteer +
            "\", kind: " + std::string(kind) + ", minutes: " + std::to_string(minutes) +
            ", started_at_us: " + std::to_string(started),
        "member-" + volunteer);
  };
  auto verified = [&](const std::string& event_id, const std::string& id,
                      const std::string& volunteer) {
    add(event_id, "ServiceVerified", "service_id: \"" + id + "\", confirmed_by: \"x\"",
        "member-" + volunteer);
  };
  auto reversed = [&](const std::string& event_id) {
    add("ev-undo-" + event_id, "EventReversed",
        "reversal_id: \"r-" + event_id + "\", reverses_id: \"" + event_id +
            "\", reason: \"entered twice\"",
        "member-v");
  };
  auto october = [&](const std::string& member, uint64_t as_of) {
    return history.FiguresAsOf(member, "2026-10-01", "2026-10-31", Position{as_of});
  };
  logged("s1", "v", 90, october_3, "home_visit");      // 0
  logged("s2", "v", 30, november_3, "errand");         // 1: outside October
  logged("s1", "w", 45, october_3, "errand");          // 2: w's own s1
  verified("ev-ok1", "s1", "v");                       // 3
  verified("ev-ok2", "s2", "v");                       // 4
  EXPECT_EQ(october("v", 3).services, 0);              // not before its verification
  EXPECT_EQ(october("v", 4).verified_minutes, 90);     // counts after it
  EXPECT_EQ(october("w", 5).services, 0);              // w's s1 is not verified
  reversed("ev-ok1");                                  // 5
  EXPECT_EQ(october("v", 5).verified_minutes, 90);     // before the reversal
  EXPECT_EQ(october("v", 6).services, 0);              // undone
  verified("ev-ok3", "s1", "v");                       // 6
  logged("s1", "v", 120, october_3, "companionship");  // 7: logged again, new figures
  const CertificateFigures again = october("v", 8);
  EXPECT_EQ(again.verified_minutes, 120);
  EXPECT_EQ(again.services, 1);
  EXPECT_EQ(again.kinds, std::vector<events::ServiceKind>{events::ServiceKind::companionship});
  EXPECT_EQ(october("v", 6).services, 0);  // the first verification's range is still closed
  verified("ev-ok4", "s1", "w");           // 8
  const CertificateFigures w = october("w", 9);
  EXPECT_EQ(w.verified_minutes, 45);
  EXPECT_EQ(w.kinds, std::vector<events::ServiceKind>{events::ServiceKind::errand});
  EXPECT_EQ(october("nobody", 9), CertificateFigures{});
  // A verification whose stream is not a member's, or of an unknown service, is ignored.
  verified("ev-odd", "s-unknown", "v");  // 9
  EXPECT_EQ(october("v", 10).verified_minutes, 120);
}

int RunCommand(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `ledgerctl verify` on a data directory: passes untouched, names a corrupted projection row.
TEST(LedgerctlVerifyTest, DataDirectoryVerifiesAndACorruptedRowIsNamed) {
  testing::TempDir dir;
  ScenarioLedger(dir.path());
  const std::string ctl = LEDGERCTL_PATH;
  const std::string data = dir.path() + "/data";
  const std::string pubkey = dir.path() + "/ledger.pub";
  const std::string report = dir.path() + "/report.json";
  // ledgerctl pubkey reads <data>/signing.key: put the key where ledgerd keeps it.
  ASSERT_EQ(RunCommand("cp " + dir.path() + "/signing.key " + data + "/signing.key"), 0);
  ASSERT_EQ(RunCommand(ctl + " pubkey --data " + data + " > " + pubkey), 0);
  ASSERT_EQ(RunCommand(ctl + " verify --data " + data + " --pubkey " + pubkey + " --report " +
                       report + " > /dev/null"),
            0)
      << Slurp(report);
  EXPECT_NE(Slurp(report).find("\"ok\":true"), std::string::npos);

  {  // Corrupt one balance in the stored projection, as a faulty disk or a tamperer might.
    EventStoreOptions options;
    options.path = data;
    auto store = EventStore::Open(options).value();
    auto rows = store->OpenReadModel(kLedgerReadModel).value();
    LedgerState state;
    const Position at = LoadLedgerState(*rows, state).value();
    std::string fund_row = state.EncodeRow(Table::kFund, "f-aid").value();
    fund_row[fund_row.size() / 2] ^= 0x01;
    ASSERT_TRUE(rows->Commit({{RowKey(Table::kFund, "f-aid"), fund_row}}, at).ok());
  }
  EXPECT_EQ(RunCommand(ctl + " verify --data " + data + " --pubkey " + pubkey + " --report " +
                       report + " > /dev/null"),
            1);
  const std::string failed = Slurp(report);
  EXPECT_NE(failed.find("\"ok\":false"), std::string::npos);
  EXPECT_NE(failed.find("fund 'f-aid'"), std::string::npos) << failed;
}

// An event altered on disk, below where the store's own open checks the tail: verify --data
// re-hashes the whole chain (in a reader thread ahead of the re-derivation) and names it.
TEST(LedgerctlVerifyTest, AnEventAlteredInADataDirectoryIsNamed) {
  testing::TempDir dir;
  ScenarioLedger(dir.path());
  const std::string ctl = LEDGERCTL_PATH;
  const std::string data = dir.path() + "/data";
  const std::string report = dir.path() + "/report.json";
  ASSERT_EQ(RunCommand(ctl + " verify --data " + data + " --report " + report + " > /dev/null"), 0)
      << Slurp(report);
  constexpr uint64_t kAltered = 10;
  testing::TamperLogEntry(data, kAltered, /*remove=*/false);
  EXPECT_EQ(RunCommand(ctl + " verify --data " + data + " --report " + report + " > /dev/null"), 1);
  const std::string failed = Slurp(report);
  EXPECT_NE(failed.find("\"failed_position\":" + std::to_string(kAltered) + ","), std::string::npos)
      << failed;
  EXPECT_NE(failed.find("hash does not match"), std::string::npos) << failed;
  EXPECT_NE(failed.find("\"events\":" + std::to_string(kAltered) + ","), std::string::npos)
      << "every event before it was verified: " << failed;
}

}  // namespace
}  // namespace ledger

namespace ledger {
namespace {

// `ledgerctl export` then `ledgerctl verify --export`: an untouched export verifies; an edited
// JSON field, a flipped envelope byte and a truncated file each fail, naming where.
// The scenario ledger in dir/data with its key where ledgerd keeps it, its public key in
// dir/ledger.pub and an export in dir/<export_name>, all made with the real ledgerctl.
struct ExportedScenario {
  std::string ctl = LEDGERCTL_PATH;
  std::string data, pubkey, file;
};

ExportedScenario ExportScenario(const std::string& dir, const std::string& export_name) {
  ScenarioLedger(dir);
  ExportedScenario exported{LEDGERCTL_PATH, dir + "/data", dir + "/ledger.pub",
                            dir + "/" + export_name};
  EXPECT_EQ(RunCommand("cp " + dir + "/signing.key " + exported.data + "/signing.key"), 0);
  EXPECT_EQ(RunCommand(exported.ctl + " pubkey --data " + exported.data + " > " + exported.pubkey),
            0);
  EXPECT_EQ(RunCommand(exported.ctl + " export --data " + exported.data + " --out " +
                       exported.file + " > /dev/null"),
            0);
  return exported;
}

TEST(LedgerctlExportTest, ExportVerifiesAndTamperingIsCaught) {
  testing::TempDir dir;
  const ExportedScenario exported = ExportScenario(dir.path(), "ledger.jsonl");
  const std::string& ctl = exported.ctl;
  const std::string& data = exported.data;
  const std::string& pubkey = exported.pubkey;
  const std::string& file = exported.file;
  const std::string report = dir.path() + "/report.json";
  auto verify = [&](const std::string& path) {
    return RunCommand(ctl + " verify --export " + path + " --pubkey " + pubkey + " --report " +
                      report + " > /dev/null");
  };
  ASSERT_EQ(verify(file), 0) << Slurp(report);
  EXPECT_NE(Slurp(report).find("\"ok\":true"), std::string::npos);

  // Exporting again gives the same bytes.
  const std::string again = dir.path() + "/again.jsonl";
  ASSERT_EQ(RunCommand(ctl + " export --data " + data + " --out " + again + " > /dev/null"), 0);
  EXPECT_EQ(Slurp(file), Slurp(again));

  const std::string original = Slurp(file);
  auto tampered = [&](const std::string& name, std::string text) {
    const std::string path = dir.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  };
  // An edited amount in the decoded JSON, with the envelope left alone.
  std::string edited = original;
  const size_t amount = edited.find("\"amount_fen\":500000");
  ASSERT_NE(amount, std::string::npos);
  edited.replace(amount, 19, "\"amount_fen\":900000");
  EXPECT_EQ(verify(tampered("edited.jsonl", edited)), 1);
  EXPECT_NE(Slurp(report).find("does not say what its envelope bytes say"), std::string::npos)
      << Slurp(report);

  // One byte of one envelope changed (and its JSON left to disagree or the hash to break).
  std::string flipped = original;
  const size_t envelope = flipped.find("\"envelope\":\"", flipped.find("\"position\":5,"));
  ASSERT_NE(envelope, std::string::npos);
  char& c = flipped[envelope + 40];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify(tampered("flipped.jsonl", flipped)), 1);
  EXPECT_NE(Slurp(report).find("\"ok\":false"), std::string::npos);

  // Cut after an event that no checkpoint covers (the final checkpoint and the last event gone,
  // and a seal's checkpoint too if one then ends the file): the final signed checkpoint is missing.
  std::string truncated = original;
  auto drop_last_line = [&] { truncated.erase(truncated.rfind('\n', truncated.size() - 2) + 1); };
  drop_last_line();
  drop_last_line();
  if (truncated.compare(truncated.rfind('\n', truncated.size() - 2) + 1, 14, "{\"checkpoint\":") ==
      0) {
    drop_last_line();
  }
  EXPECT_EQ(verify(tampered("truncated.jsonl", truncated)), 1);
  EXPECT_NE(Slurp(report).find("\"ok\":false"), std::string::npos);
}

}  // namespace
}  // namespace ledger

namespace ledger {
namespace {

// Export -> import -> export gives the same bytes; an import of a tampered export fails and
// leaves nothing behind.
TEST(LedgerctlImportTest, RoundTripIsByteIdenticalAndTamperingFails) {
  testing::TempDir dir;
  const ExportedScenario exported = ExportScenario(dir.path(), "first.jsonl");
  const std::string& ctl = exported.ctl;
  const std::string& pubkey = exported.pubkey;
  const std::string& first = exported.file;

  const std::string imported = dir.path() + "/imported";
  ASSERT_EQ(RunCommand(ctl + " import --in " + first + " --data " + imported + " --pubkey " +
                       pubkey + " > /dev/null"),
            0);
  ASSERT_EQ(RunCommand("cp " + dir.path() + "/signing.key " + imported + "/signing.key"), 0);
  const std::string second = dir.path() + "/second.jsonl";
  ASSERT_EQ(RunCommand(ctl + " export --data " + imported + " --out " + second + " > /dev/null"),
            0);
  EXPECT_EQ(Slurp(first), Slurp(second));
  // The imported ledger's projections were rebuilt and agree with its log.
  EXPECT_EQ(RunCommand(ctl + " verify --data " + imported + " --pubkey " + pubkey + " --report " +
                       dir.path() + "/r.json > /dev/null"),
            0);

  std::string tampered = Slurp(first);
  const size_t amount = tampered.find("\"amount_fen\":500000");
  ASSERT_NE(amount, std::string::npos);
  tampered.replace(amount, 19, "\"amount_fen\":900000");
  const std::string bad = dir.path() + "/bad.jsonl";
  std::ofstream(bad) << tampered;
  const std::string target = dir.path() + "/not-imported";
  EXPECT_EQ(RunCommand(ctl + " import --in " + bad + " --data " + target + " 2> /dev/null"), 1);
  EXPECT_FALSE(std::filesystem::exists(target));
}

// A backup taken while the ledger takes appends is consistent: it verifies like the original
// and serves.
TEST(LedgerctlBackupTest, BackupUnderWriteLoadVerifiesAndServes) {
  testing::TempDir dir;
  auto key = SigningKey::LoadOrCreate(dir.path() + "/signing.key").value();
  const std::string data = dir.path() + "/data";
  LedgerNodeOptions options;
  options.data_dir = data;
  options.signing_key = key;
  auto node = LedgerNode::Open(options).value();
  ASSERT_EQ(RunCommand("cp " + dir.path() + "/signing.key " + data + "/signing.key"), 0);
  for (const auto& e : testing::OctoberScenario()) {
    ASSERT_TRUE(
        node->store().Append({testing::Draft(e.id, e.type, e.fields, e.occurred_at_us)}).ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto result = node->store().Append(
          {testing::Draft("load-" + std::to_string(i), "TrainingCompleted",
                          "training_id: \"tr-" + std::to_string(i) +
                              "\", member_id: \"v-li\", course: \"急救\", minutes: 30",
                          testing::BeijingUs(2026, 11, 20))});
      if (result.ok()) ++appended;
    }
  });
  while (appended < 20) std::this_thread::yield();
  const std::string ctl = LEDGERCTL_PATH;
  const std::string backup = dir.path() + "/backup";
  const int backed_up =
      RunCommand(ctl + " backup --data " + data + " --out " + backup + " > /dev/null");
  stop = true;
  writer.join();
  ASSERT_EQ(backed_up, 0);
  EXPECT_GT(appended, 20);
  const std::string pubkey = dir.path() + "/ledger.pub";
  std::ofstream(pubkey) << key->PublicKeyPem();
  EXPECT_EQ(RunCommand(ctl + " verify --data " + backup + " --pubkey " + pubkey + " --report " +
                       dir.path() + "/r.json > /dev/null"),
            0)
      << Slurp(dir.path() + "/r.json");
  // Restoring is serving the copy: it opens, primes and projects.
  LedgerNodeOptions restored_options;
  restored_options.data_dir = backup;
  auto restored = LedgerNode::Open(restored_options);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  const Position head = (*restored)->store().GetHead().next;
  EXPECT_GE(head.value, testing::OctoberScenario().size());
  ASSERT_TRUE((*restored)->projector().WaitForApplied(head, std::chrono::seconds(10)));
  (*restored)->projector().Read([](const LedgerState& state) {
    EXPECT_EQ(state.FindFund(FundRef("f-aid"))->balance_fen, Fen{223000});
  });
}

}  // namespace
}  // namespace ledger
