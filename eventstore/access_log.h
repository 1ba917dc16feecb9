// AccessLog: who read whose personal data (docs/privacy.md, "Who read what"). One entry per
// member per response that showed that member's personal fields: when, who (the key or account
// id and its role), which route, whose (the member id). Ids only, never the personal data.
//
// Kept apart from the ledger: its own small RocksDB instance (`<data>/access-log/`), not in the
// hash chain, the event log, Kafka, exports or backups, so it can be bounded and pruned (the
// oldest entries go first once it holds `entries_max`) without touching what the chain covers,
// and its writes never share the ledger's WAL or its syncs. One RocksDB key per entry, under its
// member: a member's page is one range scan, and the bound writes nothing per entry (the range
// of stored sequences moves; a compaction filter drops what fell out of it).
//
// The hot read path only queues: Note() appends to an in-memory buffer under a mutex; a
// background thread writes the buffer in batches (every `flush_interval`, or sooner once
// `buffer_entries_max / 2` wait). A full buffer makes Note() wait for the writer rather than drop
// entries. Writes are not synced: a crash may lose the last interval's entries (the ledger
// itself does not depend on them).
//
// Thread-safety: every method is safe from any number of threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"

namespace ledger {

struct AccessLogOptions {
  std::string path;                // the RocksDB directory, created if missing
  uint64_t entries_max = 100'000;  // then the oldest entries are deleted
  size_t buffer_entries_max = 65'536;
  std::chrono::milliseconds flush_interval{200};
};

// One response that showed personal fields of `member_ids` (each is one entry).
struct AccessRead {
  int64_t at_us = 0;  // when the response was made, microseconds since the epoch
  std::string actor;  // key or account id; "" for a public route
  std::string role;   // the actor's role ("admin", ...), "public" for a public route
  std::string route;  // the route pattern, e.g. "GET /v1/members/{id}"
  std::vector<std::string> member_ids;
};

struct AccessEntry {
  uint64_t sequence = 0;  // increasing in the order entries were written; the page cursor
  int64_t at_us = 0;
  std::string actor;
  std::string role;
  std::string route;
  std::string member_id;
};

struct AccessPage {
  std::vector<AccessEntry> entries;     // newest first
  std::optional<uint64_t> next_before;  // the cursor of the next page, if there is one
};

class AccessLog {
 public:
  // Opens (or creates) the log at options.path. IoError or Corruption from RocksDB.
  [[nodiscard]] static Result<std::unique_ptr<AccessLog>> Open(AccessLogOptions options);
  // Writes what is buffered, then stops the writer.
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Queues `read`; returns at once unless the buffer is full.
  void Note(AccessRead read);

  // Waits until everything noted before the call is written (or the writer failed): its status.
  Status Flush();

  // The entries about `member_id`, newest first, at most `limit`, those older than
  // `before_sequence` when given. Flushes first, so a read sees every response made before it.
  [[nodiscard]] Result<AccessPage> ReadMember(std::string_view member_id, size_t limit,
                                              std::optional<uint64_t> before_sequence);

  // Entries stored now (after Flush: everything noted, less what the bound removed).
  uint64_t size() const;

  // Entries beyond the bound are gone for reads at once and leave the files as RocksDB compacts
  // them; this compacts the whole log now, so that they have left when it returns.
  Status Compact();

  class Impl;

 private:
  explicit AccessLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ledger
