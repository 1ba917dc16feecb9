#include "tests/eventstore/test_support.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <stdlib.h>

#include <cstdlib>
#include <system_error>

#include "domain/assert.h"
#include "eventstore/envelope_codec.h"
#include "eventstore/keys.h"

namespace ledger::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ledger-test-XXXXXX").string();
  LEDGER_ASSERT(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string PayloadFor(const std::string& id) {
  // A cheap, deterministic expansion of the id to ~100 bytes.
  std::string payload = "{\"for\":\"" + id + "\",\"fill\":\"";
  uint64_t state = 1469598103934665603ULL;
  for (char c : id) state = (state ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  while (payload.size() < 100) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    payload.push_back(static_cast<char>('a' + (state >> 59) % 26));
  }
  payload += "\"}";
  return payload;
}

StoredEvent DocumentedVectorEvent() {
  StoredEvent event;
  event.position = Position{7};
  event.stream = "member-v-001";
  event.version = StreamVersion{3};
  event.id = "svc-0001-log";
  event.type = "ServiceLogged";
  event.occurred_at_us = 1791000000000000;
  event.recorded_at_us = 1791000001000000;
  event.actor = "key-7";
  event.payload = R"({"minutes":90})";
  for (size_t i = 0; i < event.prev_hash.size(); ++i) event.prev_hash[i] = static_cast<uint8_t>(i);
  return event;
}

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : fallback;
}

EventDraft MakeDraft(const std::string& id, const std::string& stream, std::string type) {
  EventDraft draft;
  draft.id = id;
  draft.stream = stream;
  draft.type = std::move(type);
  draft.occurred_at_us = 1'790'000'000'000'000;
  draft.actor = "key-test";
  draft.payload = PayloadFor(id);
  return draft;
}

void TamperLogEntry(const std::string& path, uint64_t position, bool remove) {
  // Every family must be opened; the log is the one named "log".
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  size_t log = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    families.emplace_back(names[i], rocksdb::ColumnFamilyOptions());
    if (names[i] == "log") log = i;
  }
  ASSERT_LT(log, names.size());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path, families, &handles, &db).ok());
  const std::string key = PositionKey(position);
  if (remove) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), handles[log], key).ok());
  } else {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), handles[log], key, &value).ok());
    auto event = DecodeEnvelope(value);
    ASSERT_TRUE(event.ok());
    event->payload[3] ^= 1;  // one bit of the payload, leaving the stored hash alone
    EncodeEnvelope(*event, &value);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[log], key, value).ok());
  }
  for (auto* handle : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

}  // namespace ledger::testing
