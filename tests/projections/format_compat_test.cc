// A ledger written by an earlier version still opens, replays and rebuilds to the same rows.
// testdata/ledger-v2.tgz is a data directory of event format 2 (docs/event_format.md; format 1's
// ledger-adad954.tgz went with it: no format-1 ledger was in production) that WriteTheFixture
// below wrote: the accepted ones of 6,000 random events of the property generator, seed
// 20261205, with its projector's rows: reversals of donations, sales, disbursements, expenses,
// redemptions, transfers and verifications among them, so every typed undo record is decoded
// from the old rows' bytes. To write it again (only when the format changes on purpose):
//   LEDGER_WRITE_FIXTURE=/tmp/fx build/release/tests/projections/projections_tests
//     --gtest_also_run_disabled_tests --gtest_filter='*WriteTheFixture'   (one command line)
//   tar czf tests/projections/testdata/ledger-v2.tgz -C /tmp/fx oldledger
#include <gtest/gtest.h>

#include <cstdlib>

#include "eventstore/ledger_replay.h"
#include "tests/domain/event_builder.h"
#include "tests/domain/event_generator.h"
#include "tests/eventstore/test_support.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger {
namespace {

constexpr uint64_t kFixtureEvents = 2313;  // WriteTheFixture printed "fixture: 2313 events"

// Writes the fixture into $LEDGER_WRITE_FIXTURE/oldledger (see the file comment).
TEST(FormatCompatTest, DISABLED_WriteTheFixture) {
  const char* out = std::getenv("LEDGER_WRITE_FIXTURE");
  ASSERT_NE(out, nullptr);
  testing::LedgerFixture ledger(std::string(out) + "/oldledger");
  ledger.StartProjector();
  testing::EventGenerator generator(20261205);
  const int64_t start_us = testing::BeijingUs(2026, 11, 3);
  for (int i = 0; i < 6000; ++i) {
    auto event = generator.Next();
    auto appended = ledger.store().Append(
        {testing::Draft(event.id, event.type, event.fields, start_us + i * 60'000'000LL)});
    static_cast<void>(appended);  // refused ones are simply left out
  }
  ASSERT_TRUE(
      ledger.projector().WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(60)));
  ledger.StopProjector();
  std::printf("fixture: %lu events\n", ledger.store().GetHead().next.value);
}

TEST(FormatCompatTest, LedgerOfAnEarlierVersionOpensReplaysAndRebuildsToTheSameRows) {
  testing::TempDir dir;
  const std::string untar =
      "tar xzf '" + std::string(LEDGER_TESTDATA) + "/ledger-v2.tgz' -C '" + dir.path() + "'";
  ASSERT_EQ(std::system(untar.c_str()), 0) << untar;
  // Opening primes the writer's state from the old rows (they decode) and the log after them.
  testing::LedgerFixture ledger(dir.path() + "/oldledger");
  ASSERT_EQ(ledger.store().GetHead().next.value, kFixtureEvents);
  std::map<std::string, std::string> old_rows = testing::AllRows(ledger.rows());
  // The rows' format record is the store's, not derived: a rebuild's rows are compared without.
  EXPECT_EQ(old_rows.erase(LedgerRowsFormatRow().key), 1u) << "written with the format row";

  LedgerState loaded;
  Result<Position> at = LoadLedgerState(ledger.rows(), loaded);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(at->value, kFixtureEvents);
  LedgerState replayed;
  Result<Position> next = ReplayInto(ledger.store(), Position{0}, replayed);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(loaded == replayed) << "the old rows decode to the state this version replays";

  std::map<std::string, std::string> rebuilt;
  replayed.ForEachRow([&](Table table, std::string_view key, std::string_view bytes) {
    rebuilt.emplace(RowKey(table, key), std::string(bytes));
  });
  EXPECT_EQ(rebuilt.size(), old_rows.size());
  // A rebuild writes the old rows byte for byte; name the first few that differ.
  int named = 0;
  for (const auto& [key, bytes] : old_rows) {
    auto it = rebuilt.find(key);
    if ((it == rebuilt.end() || it->second != bytes) && named++ < 5) {
      ADD_FAILURE() << "row '" << key << "' " << (it == rebuilt.end() ? "is missing" : "differs");
    }
  }
}

}  // namespace
}  // namespace ledger
