// The access log (eventstore/access_log.h): what it stores, in which order, within its bound,
// across a restart, and apart from the ledger.
#include "eventstore/access_log.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <string>
#include <thread>
#include <vector>

#include "domain/byte_codec.h"
#include "eventstore/keys.h"
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

// RocksDB opened directly on the log's directory (the log closed): for what the API cannot see.
std::unique_ptr<rocksdb::DB> OpenRaw(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  EXPECT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
  return std::unique_ptr<rocksdb::DB>(raw);
}

// How many keys the files and memtables hold (deleted ones not counted).
size_t KeyCount(rocksdb::DB& db) {
  size_t count = 0;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  return count;
}

// One key per entry (and the stored range's): the bound costs no key of its own, and entries
// beyond it leave the files when RocksDB compacts them.
TEST(AccessLogTest, OneKeyPerEntryAndTrimmedOnesLeaveTheFiles) {
  TempDir dir;
  const std::string path = dir.path() + "/access-log";
  {
    auto log = OpenLog(path, 10);
    for (int i = 0; i < 40; ++i) log->Note(Read(i, {"m-" + std::to_string(i % 3)}));
    ASSERT_TRUE(log->Flush().ok());
    for (int i = 40; i < 50; ++i) log->Note(Read(i, {"m-" + std::to_string(i % 3)}));
    ASSERT_TRUE(log->Flush().ok());
    EXPECT_EQ(log->size(), 10u);
  }
  auto db = OpenRaw(path);
  ASSERT_NE(db, nullptr);
  // The second batch's 10 entries moved the range past the first's 10, still in the files.
  EXPECT_EQ(KeyCount(*db), 21u);
  db.reset();
  {
    auto log = OpenLog(path, 10);
    ASSERT_TRUE(log->Compact().ok());
  }
  db = OpenRaw(path);
  EXPECT_EQ(KeyCount(*db), 11u);  // the newest 10 and the range
}

// A log written in the two-key layout of before (entry by sequence, plus a member index) opens
// with every entry, in order, and goes on from its last sequence.
TEST(AccessLogTest, ConvertsTheTwoKeyLayout) {
  TempDir dir;
  const std::string path = dir.path() + "/access-log";
  {
    auto db = OpenRaw(path);
    ASSERT_NE(db, nullptr);
    for (uint64_t sequence = 5; sequence < 9; ++sequence) {
      const std::string member = sequence % 2 == 0 ? "v-1" : "v-2";
      ByteWriter value;
      value.I64(static_cast<int64_t>(sequence * 100));
      value.Str("key-admin");
      value.Str("admin");
      value.Str("GET /v1/members/{id}");
      value.Str(member);
      std::string entry_key = "e";
      AppendBigEndian64(sequence, &entry_key);
      std::string index_key = "m";
      AppendStreamPrefix(member, &index_key);
      AppendBigEndian64(sequence, &index_key);
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), entry_key, value.Take()).ok());
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), index_key, "").ok());
    }
  }
  auto log = OpenLog(path);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->size(), 4u);
  auto page = log->ReadMember("v-1", 10, std::nullopt);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].sequence, 8u);
  EXPECT_EQ(page->entries[0].at_us, 800);
  EXPECT_EQ(page->entries[1].sequence, 6u);
  log->Note(Read(900, {"v-2"}));
  page = log->ReadMember("v-2", 10, std::nullopt);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 3u);
  EXPECT_EQ(page->entries[0].sequence, 9u);
  EXPECT_EQ(page->entries[0].at_us, 900);
  log.reset();
  auto db = OpenRaw(path);
  EXPECT_EQ(KeyCount(*db), 6u);  // five entries and the range: the old keys are gone
}

}  // namespace
}  // namespace ledger
