#include "domain/dense_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

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

}  // namespace
}  // namespace ledger
