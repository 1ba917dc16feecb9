// The access log (eventstore/access_log.h): what it stores, in which order, within its bound,
// across a restart, and apart from the ledger.
#include "eventstore/access_log.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

using testing::TempDir;

AccessRead Read(int64_t at_us, std::vector<std::string> member_ids,
                std::string actor = "key-admin") {
  return AccessRead{at_us, std::move(actor), "admin", "GET /v1/members/{id}",
                    std::move(member_ids)};
}

std::unique_ptr<AccessLog> OpenLog(const std::string& path, uint64_t entries_max = 100'000) {
  AccessLogOptions options;
  options.path = path;
  options.entries_max = entries_max;
  auto log = AccessLog::Open(options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

// A member's page holds her entries only, newest first, each with who, when and the route.
TEST(AccessLogTest, ReadsAMembersEntriesNewestFirst) {
  TempDir dir;
  auto log = OpenLog(dir.path() + "/access-log");
  log->Note(Read(100, {"v-1"}));
  log->Note(Read(200, {"v-2", "v-1"}, "acct-7"));
  log->Note(Read(300, {"v-2"}));
  auto page = log->ReadMember("v-1", 10, std::nullopt);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].at_us, 200);
  EXPECT_EQ(page->entries[0].actor, "acct-7");
  EXPECT_EQ(page->entries[0].member_id, "v-1");
  EXPECT_EQ(page->entries[0].route, "GET /v1/members/{id}");
  EXPECT_EQ(page->entries[1].at_us, 100);
  EXPECT_FALSE(page->next_before.has_value());
  EXPECT_EQ(log->size(), 4u);
  // "v-1" is not a prefix match of "v-10": one member's range is hers alone.
  log->Note(Read(400, {"v-10"}));
  EXPECT_EQ(log->ReadMember("v-1", 10, std::nullopt)->entries.size(), 2u);
}

// Pages follow the cursor without gaps or repeats.
TEST(AccessLogTest, PagesFollowTheCursor) {
  TempDir dir;
  auto log = OpenLog(dir.path() + "/access-log");
  for (int i = 0; i < 25; ++i) log->Note(Read(i, {"e-1"}));
  std::vector<int64_t> seen;
  std::optional<uint64_t> cursor;
  do {
    auto page = log->ReadMember("e-1", 10, cursor);
    ASSERT_TRUE(page.ok());
    for (const AccessEntry& entry : page->entries) seen.push_back(entry.at_us);
    cursor = page->next_before;
  } while (cursor);
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], 24 - i);
}

// The bound holds: the oldest entries go first, index keys with them, across batches and a
// restart.
TEST(AccessLogTest, TheOldestGoFirstBeyondTheBound) {
  TempDir dir;
  const std::string path = dir.path() + "/access-log";
  {
    auto log = OpenLog(path, 10);
    for (int i = 0; i < 7; ++i) log->Note(Read(i, {i % 2 == 0 ? "a" : "b"}));
    ASSERT_TRUE(log->Flush().ok());
    for (int i = 7; i < 30; ++i) log->Note(Read(i, {i % 2 == 0 ? "a" : "b"}));
    ASSERT_TRUE(log->Flush().ok());
    EXPECT_EQ(log->size(), 10u);
    auto a = log->ReadMember("a", 100, std::nullopt);
    auto b = log->ReadMember("b", 100, std::nullopt);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->entries.size() + b->entries.size(), 10u);
    EXPECT_EQ(a->entries.back().at_us, 20);  // 20..29 are kept
    EXPECT_EQ(b->entries.back().at_us, 21);
  }
  auto reopened = OpenLog(path, 10);
  EXPECT_EQ(reopened->size(), 10u);
  reopened->Note(Read(30, {"a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a"}));
  ASSERT_TRUE(reopened->Flush().ok());
  EXPECT_EQ(reopened->size(), 10u);  // one read larger than the bound keeps its newest 10
  auto a = reopened->ReadMember("a", 100, std::nullopt);
  EXPECT_EQ(a->entries.size(), 10u);
  EXPECT_TRUE(reopened->ReadMember("b", 100, std::nullopt)->entries.empty());
}

// Many threads noting at once lose nothing (the buffer's writer keeps up or makes them wait).
TEST(AccessLogTest, ConcurrentNotesAreAllWritten) {
  TempDir dir;
  AccessLogOptions options;
  options.path = dir.path() + "/access-log";
  options.buffer_entries_max = 64;  // small: writers wait on a full buffer
  auto log = AccessLog::Open(options);
  ASSERT_TRUE(log.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 500; ++i) (*log)->Note(Read(i, {"m-" + std::to_string(t)}));
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE((*log)->Flush().ok());
  EXPECT_EQ((*log)->size(), 2000u);
  EXPECT_EQ((*log)->ReadMember("m-3", 1000, std::nullopt)->entries.size(), 500u);
}

}  // namespace
}  // namespace ledger
