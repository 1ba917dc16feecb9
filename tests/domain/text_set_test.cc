#include "domain/text_set.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace ledger {
namespace {

// A random text: mostly short composite keys, now and then empty, 254, 255 or thousands of bytes
// (past the length byte), with any byte values.
std::string RandomText(std::mt19937_64& random) {
  static constexpr size_t kLengths[] = {0, 1, 15, 16, 40, 254, 255, 256, 5000};
  const size_t length =
      random() % 4 == 0 ? kLengths[random() % std::size(kLengths)] : 1 + random() % 30;
  std::string text(length, '\0');
  for (char& c : text) c = static_cast<char>(random() % 7);  // few values: many equal texts
  return text;
}

void ExpectSameElements(const TextSet& set, const std::set<std::string>& model) {
  ASSERT_EQ(set.size(), model.size());
  std::set<std::string> visited;
  set.ForEach([&](std::string_view text) { EXPECT_TRUE(visited.emplace(text).second); });
  EXPECT_EQ(visited, model);
  for (const std::string& text : model) EXPECT_TRUE(set.contains(text));
}

// A long random mix of inserts and erases agrees with std::set at every step, across several
// 1 MiB blocks and the texts too long for a length byte.
TEST(TextSetTest, AgreesWithStdSetUnderRandomChanges) {
  TextSet set;
  std::set<std::string> model;
  std::mt19937_64 random(17);
  for (int i = 0; i < 400000; ++i) {
    const std::string text = RandomText(random);
    if (random() % 3 == 0) {
      ASSERT_EQ(set.erase(text), model.erase(text));
    } else {
      ASSERT_EQ(set.insert(text), model.insert(text).second);
    }
    ASSERT_EQ(set.contains(text), model.contains(text));
    ASSERT_EQ(set.size(), model.size());
  }
  EXPECT_GT(model.size(), 100000U);
  ExpectSameElements(set, model);
  EXPECT_FALSE(set.contains(std::string(3, '\x09')));
}

// A copy is equal and independent of its original; equality ignores insertion order; an insert
// undone by an erase (a rollback) leaves the set as it was.
TEST(TextSetTest, CopiesAreIndependentAndEqualityIgnoresOrder) {
  TextSet set;
  std::set<std::string> model;
  for (int i = 0; i < 200000; ++i) {
    std::string text = "b1\n202612\nelder-" + std::to_string(i);
    if (i % 1000 == 0) text.append(300, 'x');  // long texts kept apart
    set.insert(text);
    model.insert(text);
  }
  TextSet copy = set;
  EXPECT_TRUE(copy == set);
  ExpectSameElements(copy, model);
  EXPECT_TRUE(copy.insert("new"));
  EXPECT_FALSE(copy == set);
  EXPECT_FALSE(set.contains("new"));
  EXPECT_EQ(copy.erase("new"), 1U);
  EXPECT_TRUE(copy == set);
  EXPECT_EQ(copy.erase(*model.begin()), 1U);
  EXPECT_TRUE(set.contains(*model.begin()));
  EXPECT_FALSE(copy == set);

  TextSet reversed;
  for (auto it = model.rbegin(); it != model.rend(); ++it) reversed.insert(*it);
  EXPECT_TRUE(reversed == set);
  reversed.erase(*model.rbegin());
  reversed.insert("other");
  EXPECT_FALSE(reversed == set);
  set.clear();
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.contains(*model.begin()));
  EXPECT_TRUE(set.insert(*model.begin()));
}

}  // namespace
}  // namespace ledger
