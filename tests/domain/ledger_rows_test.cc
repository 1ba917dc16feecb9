// Persisted rows round-trip: a state rebuilt from its rows equals the state that wrote them.
#include <gtest/gtest.h>

#include "domain/byte_codec.h"
#include "domain/ledger_state.h"
#include "tests/domain/event_builder.h"
#include "tests/domain/ledger_scenario.h"

namespace ledger {
namespace {

TEST(LedgerRowsTest, ScenarioStateRoundTripsThroughRows) {
  testing::LedgerDriver driver;
  driver.state().TrackChanges(true);
  testing::RunOctoberScenario(driver);
  const auto changes = driver.state().TakeChanges();
  ASSERT_GT(changes.size(), 50u);

  LedgerState loaded;
  int rows = 0;
  for (const auto& [table, key] : changes) {
    std::optional<std::string> bytes = driver.state().EncodeRow(table, key);
    if (!bytes) continue;
    ASSERT_TRUE(loaded.LoadRow(table, key, *bytes)) << static_cast<int>(table) << " " << key;
    ++rows;
  }
  loaded.FinishLoad();
  EXPECT_GT(rows, 50);
  EXPECT_TRUE(loaded == driver.state());

  // And the loaded state keeps deciding the same way: FIFO pools and pairs were derived.
  EXPECT_EQ(loaded.FindFund(FundRef("f-aid"))->unrestricted_fen, Fen{223000});
}

TEST(LedgerRowsTest, MalformedRowIsRejected) {
  LedgerState state;
  EXPECT_FALSE(state.LoadRow(Table::kMember, "m", "\xff"));
  EXPECT_FALSE(state.LoadRow(Table::kReport, "no-newline", ""));
  ByteWriter w;
  w.Str("name");
  std::string trailing = w.Take() + "x";
  EXPECT_FALSE(state.LoadRow(Table::kBranch, "b", trailing));
}

TEST(ByteCodecTest, SignedValuesRoundTrip) {
  ByteWriter w;
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, INT64_MIN, INT64_MAX}) w.I64(v);
  const std::string bytes = w.Take();
  ByteReader r(bytes);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, INT64_MIN, INT64_MAX}) {
    EXPECT_EQ(r.I64(), v);
  }
  EXPECT_TRUE(r.Done());
}

}  // namespace
}  // namespace ledger
