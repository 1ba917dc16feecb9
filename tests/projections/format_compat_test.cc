// A ledger written by an earlier version still opens, replays and rebuilds to the same rows.
// testdata/ledger-adad954.tgz is a data directory that adad954's code wrote (1,615 accepted
// random events of the property generator, seed 20261205, with its projector's rows): reversals
// of donations, sales, disbursements, expenses, redemptions, transfers and verifications among
// them, so every typed undo record is decoded from the old rows' bytes.
#include <gtest/gtest.h>

#include <cstdlib>

#include "eventstore/ledger_replay.h"
#include "tests/eventstore/test_support.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger {
namespace {

TEST(FormatCompatTest, LedgerOfAnEarlierVersionOpensReplaysAndRebuildsToTheSameRows) {
  testing::TempDir dir;
  const std::string untar =
      "tar xzf '" + std::string(LEDGER_TESTDATA) + "/ledger-adad954.tgz' -C '" + dir.path() + "'";
  ASSERT_EQ(std::system(untar.c_str()), 0) << untar;
  // Opening primes the writer's state from the old rows (they decode) and the log after them.
  testing::LedgerFixture ledger(dir.path() + "/oldledger");
  ASSERT_EQ(ledger.store().GetHead().next.value, 1615u);
  const std::map<std::string, std::string> old_rows = testing::AllRows(ledger.rows());
  ASSERT_EQ(old_rows.count(LedgerRowsFormatRow().key), 0u) << "written before the format row";

  LedgerState loaded;
  Result<Position> at = LoadLedgerState(ledger.rows(), loaded);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(at->value, 1615u);
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
