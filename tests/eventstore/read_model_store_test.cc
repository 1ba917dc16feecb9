// Read model rows and their checkpoint persist together in the ledger's database.
#include "eventstore/read_model_store.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "eventstore/event_store.h"
#include "eventstore/ledger_replay.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

std::map<std::string, std::string> Rows(const ReadModelStore& store) {
  std::map<std::string, std::string> rows;
  EXPECT_TRUE(store
                  .ForEachRow([&](std::string_view key, std::string_view value) {
                    rows.emplace(key, value);
                    return true;
                  })
                  .ok());
  return rows;
}

// A store in a directory of its own, opened (and reopened) on demand.
class ReadModelStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<EventStore> Open() {
    EventStoreOptions options;
    options.path = dir_.path();
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(ReadModelStoreTest, RowsAndCheckpointSurviveReopenAndClear) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto model = store->OpenReadModel("ledger");
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_EQ((*model)->Checkpoint().value(), Position{0});
    ASSERT_TRUE((*model)->Commit({{"a", "1"}, {"b", "2"}}, Position{7}).ok());
    ASSERT_TRUE((*model)->Commit({{"a", std::nullopt}, {"c", "3"}}, Position{9}).ok());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto model = store->OpenReadModel("ledger");
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->Checkpoint().value(), Position{9});
  EXPECT_EQ(Rows(**model), (std::map<std::string, std::string>{{"b", "2"}, {"c", "3"}}));
  // Another read model is separate.
  auto other = store->OpenReadModel("other");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(Rows(**other).empty());

  ASSERT_TRUE((*model)->Clear().ok());
  EXPECT_EQ((*model)->Checkpoint().value(), Position{0});
  EXPECT_TRUE(Rows(**model).empty());
}

// Rows loaded in bulk after a Clear replace the old ones: they join at the next Commit (a Clear
// or a close before it drops them), survive a reopen, and count only once a Commit sets the
// checkpoint; keys out of order are refused and write nothing.
TEST_F(ReadModelStoreTest, LoadedRowsCountOnceACheckpointFollows) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto model = store->OpenReadModel("ledger");
    ASSERT_TRUE(model.ok());
    ASSERT_TRUE((*model)->Commit({{"a", "old"}, {"z", "gone"}}, Position{5}).ok());
    ASSERT_TRUE((*model)->Clear().ok());
    EXPECT_EQ((*model)->Load({{"b", "1"}, {"a", "2"}}).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ((*model)->Load({{"a", "1"}, {"a", "2"}}).code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Rows(**model).empty());
    // Loaded, then the store closes (a crash) before any Commit: the rows never count.
    ASSERT_TRUE((*model)->Load({{"x", "lost"}}).ok());
  }
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto model = store->OpenReadModel("ledger");
    ASSERT_TRUE(model.ok());
    EXPECT_EQ((*model)->Checkpoint().value(), Position{0});
    EXPECT_TRUE(Rows(**model).empty());
    ASSERT_TRUE((*model)->Load({{"q", "dropped"}}).ok());
    ASSERT_TRUE((*model)->Clear().ok());  // drops what was loaded since the last Commit
    ASSERT_TRUE((*model)->Load({{"a", "1"}, {"b", std::string_view("\0x", 2)}}).ok());
    ASSERT_TRUE((*model)->Load({{"c", "3"}}).ok());
    // A Commit without a checkpoint: the rows are there, an interrupted rebuild's.
    ASSERT_TRUE((*model)->Commit({}, std::nullopt).ok());
    EXPECT_EQ((*model)->Checkpoint().value(), Position{0});
    EXPECT_EQ(Rows(**model).size(), 3u);
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto model = store->OpenReadModel("ledger");
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->Checkpoint().value(), Position{0});
  ASSERT_TRUE((*model)->Commit({{"c", std::nullopt}}, Position{9}).ok());
  EXPECT_EQ((*model)->Checkpoint().value(), Position{9});
  EXPECT_EQ(Rows(**model),
            (std::map<std::string, std::string>{{"a", "1"}, {"b", std::string("\0x", 2)}}));
  // Another read model's rows are not touched by this one's loads.
  auto other = store->OpenReadModel("other");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(Rows(**other).empty());
}

// Meta tables live in the log's own `meta` family: separate from each other and from read
// models of the same name, and clearing one leaves the log's records (head, verified) alone.
TEST_F(ReadModelStoreTest, MetaTablesShareTheLogsFamilyWithoutTouchingIt) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Append({testing::MakeDraft("e1", "member-a")}).ok());
    auto table = store->OpenMetaTable("checkpoints");
    auto sibling = store->OpenMetaTable("checkpoints.old");
    auto projection = store->OpenReadModel("checkpoints");
    ASSERT_TRUE(table.ok() && sibling.ok() && projection.ok());
    ASSERT_TRUE((*table)->Commit({{"a", "1"}}, Position{1}).ok());
    ASSERT_TRUE((*sibling)->Commit({{"b", "2"}}, Position{5}).ok());
    EXPECT_TRUE(Rows(**projection).empty());
    EXPECT_EQ((*projection)->Checkpoint().value(), Position{0});
    ASSERT_TRUE((*sibling)->Clear().ok());
    EXPECT_TRUE(Rows(**sibling).empty());
    EXPECT_EQ(Rows(**table), (std::map<std::string, std::string>{{"a", "1"}}));
  }
  // The head survived the Clear: the store reopens (its tail check passes) and appends on.
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetHead().next, Position{1});
  ASSERT_TRUE(store->Append({testing::MakeDraft("e2", "member-a")}).ok());
  EXPECT_TRUE(store->VerifyChain().ok());
  auto table = store->OpenMetaTable("checkpoints");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ((*table)->Checkpoint().value(), Position{1});
  EXPECT_EQ(Rows(**table), (std::map<std::string, std::string>{{"a", "1"}}));
}

TEST_F(ReadModelStoreTest, NamesAreChecked) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->OpenReadModel("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->OpenReadModel("Bad Name").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->OpenMetaTable("bad/name").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->OpenMetaTable("").status().code(), StatusCode::kInvalidArgument);
}

// The ledger's rows carry their format: rows of another format are refused as "rebuild
// needed", never misread or called corrupt; rows from before the format was recorded (no format
// row) are format 1; a dump records the format.
TEST_F(ReadModelStoreTest, LedgerRowsOfAnotherFormatSayRebuildNeeded) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto model = store->OpenReadModel(kLedgerReadModel);
  ASSERT_TRUE(model.ok());
  LedgerState empty;
  ASSERT_TRUE(DumpLedgerState(empty, Position{3}, **model).ok());
  EXPECT_EQ(Rows(**model).count(LedgerRowsFormatRow().key), 1u);
  LedgerState loaded;
  EXPECT_TRUE(LoadLedgerState(**model, loaded).ok());

  ASSERT_TRUE((*model)->Commit({{LedgerRowsFormatRow().key, std::nullopt}}, Position{3}).ok());
  LedgerState legacy;
  EXPECT_TRUE(LoadLedgerState(**model, legacy).ok()) << "rows without a format row are format 1";

  // A later format, with a row this build cannot parse: the format decides the answer.
  ASSERT_TRUE(
      (*model)->Commit({{"b\x01", "\xff"}, {LedgerRowsFormatRow().key, "99"}}, Position{3}).ok());
  LedgerState later;
  Result<Position> refused = LoadLedgerState(**model, later);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("rebuild needed"), std::string::npos)
      << refused.status().ToString();
}

// A range scan sees exactly the rows in [from, to), or from `from` on when `to` is empty.
TEST_F(ReadModelStoreTest, RangeScansSeeTheirRowsOnly) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto model = store->OpenReadModel("ranges");
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE(
      (*model)->Commit({{"a1", "1"}, {"b1", "2"}, {"b2", "3"}, {"c", "4"}}, Position{5}).ok());
  auto keys = [&](std::string_view from, std::string_view to) {
    std::vector<std::string> seen;
    EXPECT_TRUE((*model)
                    ->ForEachRowIn(from, to,
                                   [&](std::string_view key, std::string_view) {
                                     seen.emplace_back(key);
                                     return true;
                                   })
                    .ok());
    return seen;
  };
  EXPECT_EQ(keys("b", "c"), (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(keys("b2", ""), (std::vector<std::string>{"b2", "c"}));
  EXPECT_EQ(keys("", "b"), (std::vector<std::string>{"a1"}));
  EXPECT_TRUE(keys("d", "").empty()) << "the checkpoint is not a row";
}

// The tables load in parallel, yet a malformed row in any table, or a row outside every table,
// still refuses the whole load as corrupt, naming the row; with two, the first in key order.
TEST_F(ReadModelStoreTest, AMalformedLedgerRowAnywhereRefusesTheLoad) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto model = store->OpenReadModel(kLedgerReadModel);
  ASSERT_TRUE(model.ok());
  auto refusal = [&](const std::vector<std::string>& bad_keys) {
    LedgerState empty;
    EXPECT_TRUE(DumpLedgerState(empty, Position{3}, **model).ok());
    std::vector<ReadModelStore::RowWrite> writes;
    for (const std::string& key : bad_keys) writes.push_back({key, "\xff\xff\xff\xff"});
    EXPECT_TRUE((*model)->Commit(writes, Position{3}).ok());
    LedgerState loaded;
    return LoadLedgerState(**model, loaded).status();
  };
  ASSERT_TRUE(refusal({}).ok());
  std::vector<std::string> bad_keys = {"0stray", "sstray", "~zz"};
  for (int table = 0; table < kTables; ++table) {
    bad_keys.push_back(RowKey(static_cast<Table>(table), "x"));
  }
  for (const std::string& key : bad_keys) {
    Status status = refusal({key});
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << key << ": " << status.ToString();
    EXPECT_NE(status.message().find("'" + key + "'"), std::string::npos) << status.ToString();
  }
  const std::string first = RowKey(Table::kMember, "x");
  const std::string last = RowKey(Table::kTakenId, "x");  // loaded first, sorted after
  EXPECT_NE(refusal({first, last}).message().find("'" + first + "'"), std::string::npos);
}

}  // namespace
}  // namespace ledger
