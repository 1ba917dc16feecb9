#include "domain/dense_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include "domain/ids.h"

namespace ledger {
namespace {

using Table = DenseMap<MemberId, std::string, IdHash, std::equal_to<>>;

// A long random mix of inserts, assignments and erases agrees with std::map at every step, and
// finds by an IdRef as by an Id; spans several chunks.
TEST(DenseMapTest, AgreesWithStdMapUnderRandomChanges) {
  Table table;
  std::map<std::string, std::string> model;
  std::mt19937_64 random(17);
  for (int i = 0; i < 30000; ++i) {
    const std::string key = "m" + std::to_string(random() % 12000);
    const std::string value = "v" + std::to_string(i);
    switch (random() % 4) {
      case 0: {
        const bool inserted = table.emplace(MemberId(key), value).second;
        EXPECT_EQ(inserted, model.emplace(key, value).second);
        break;
      }
      case 1:
        table.insert_or_assign(MemberId(key), value);
        model.insert_or_assign(key, value);
        break;
      case 2:
        EXPECT_EQ(table.erase(MemberRef(key)), model.erase(key));
        break;
      case 3:
        table[MemberId(key)] += "+";
        model[key] += "+";
        break;
    }
    ASSERT_EQ(table.size(), model.size());
  }
  EXPECT_GT(table.size(), Table::kChunk);
  size_t visited = 0;
  for (const auto& [id, value] : table) {
    ASSERT_EQ(model.at(id.str()), value);
    ++visited;
  }
  EXPECT_EQ(visited, model.size());
  for (const auto& [key, value] : model) {
    auto it = table.find(MemberRef(key));
    ASSERT_NE(it, table.end());
    EXPECT_EQ(it->second, value);
    EXPECT_TRUE(table.contains(MemberRef(key)));
  }
  EXPECT_FALSE(table.contains(MemberRef("absent")));
  EXPECT_EQ(table.find(MemberRef("absent")), table.end());
}

// Inserts never move an entry (references stay valid); a copy is equal and independent, and
// equality ignores the order of the entries.
TEST(DenseMapTest, InsertsKeepEntriesInPlaceAndCopiesAreIndependent) {
  Table table;
  table.emplace(MemberId("first"), "1");
  const std::string* first = &table.find(MemberRef("first"))->second;
  for (int i = 0; i < 3 * static_cast<int>(Table::kChunk); ++i) {
    table.emplace(MemberId("k" + std::to_string(i)), std::to_string(i));
  }
  EXPECT_EQ(first, &table.find(MemberRef("first"))->second);
  Table copy = table;
  EXPECT_TRUE(copy == table);
  const std::string* last = &copy.find(MemberRef("k0"))->second;
  copy.emplace(MemberId("new"), "n");  // into the copy's last chunk, which kept room
  EXPECT_EQ(last, &copy.find(MemberRef("k0"))->second);
  EXPECT_FALSE(copy == table);
  EXPECT_FALSE(table.contains(MemberRef("new")));
  copy.erase(MemberRef("new"));
  EXPECT_TRUE(copy == table);
  Table reordered;
  for (auto it = table.begin(); it != table.end(); ++it) {
    if (it->first.view() != "first") reordered.emplace(it->first, it->second);
  }
  reordered.emplace(MemberId("first"), "1");
  EXPECT_TRUE(reordered == table);
  reordered[MemberId("first")] = "changed";
  EXPECT_FALSE(reordered == table);
  table.clear();
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.begin(), table.end());
}

// A copy shares the original's chunks until one of them changes: each then sees only its own
// changes, also when two threads change their own copies at once. Under DenseMapExclusive a
// const reference follows its map's later changes, as it does into a map not shared.
TEST(DenseMapTest, CopiesShareChunksUntilEitherChanges) {
  Table original;
  const int entries = 3 * static_cast<int>(Table::kChunk) + 5;
  for (int i = 0; i < entries; ++i) original.emplace(MemberId("k" + std::to_string(i)), "v");
  Table copy = original;
  {
    const DenseMapExclusive exclusive;
    const std::string& seen = std::as_const(copy).find(MemberRef("k5"))->second;
    copy[MemberId("k5")] = "changed";
    EXPECT_EQ(seen, "changed");
  }
  EXPECT_EQ(original.find(MemberRef("k5"))->second, "v");
  // Without it, a const reference reads the chunk as shared when it was taken (k5's chunk is
  // the copy's own by now: take another).
  const MemberId far("k" + std::to_string(2 * Table::kChunk + 1));
  const std::string& shared = std::as_const(copy).find(far)->second;
  copy[far] = "changed";
  EXPECT_EQ(shared, "v");
  EXPECT_EQ(std::as_const(copy).find(far)->second, "changed");
  EXPECT_EQ(original.find(far)->second, "v");

  auto churn = [entries](Table& table, const std::string& mark) {
    const DenseMapExclusive exclusive;
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < entries; i += 3) table[MemberId("k" + std::to_string(i))] += mark;
      for (int i = 1; i < entries; i += 50) table.erase(MemberRef("k" + std::to_string(i)));
      for (int i = 0; i < 500; ++i) table.emplace(MemberId(mark + std::to_string(i)), mark);
    }
  };
  Table left = original;
  Table right = original;
  std::thread other([&] { churn(right, "r"); });
  churn(left, "l");
  other.join();
  for (int i = 0; i < entries; ++i) {
    const MemberRef key("k" + std::to_string(i));
    const auto in_original = original.find(key);
    ASSERT_NE(in_original, original.end());
    EXPECT_EQ(in_original->second, "v");
    if (i % 50 == 1) {
      EXPECT_FALSE(left.contains(key));
      EXPECT_FALSE(right.contains(key));
    } else {
      EXPECT_EQ(left.find(key)->second, i % 3 == 0 ? "vlll" : "v");
      EXPECT_EQ(right.find(key)->second, i % 3 == 0 ? "vrrr" : "v");
    }
  }
  EXPECT_TRUE(left.contains(MemberRef("l7")));
  EXPECT_FALSE(left.contains(MemberRef("r7")));
  EXPECT_FALSE(original.contains(MemberRef("l7")));
  EXPECT_EQ(left.size(), right.size());
}

}  // namespace
}  // namespace ledger
