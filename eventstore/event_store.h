// EventStore: the durable, hash-chained, append-only event log on RocksDB.
//
// Appenders enqueue requests into a bounded queue. Two internal threads form a pipeline: the
// sequencer takes requests in order, checks each (idempotency, the AppendDecider, expected
// versions), assigns gapless positions, chains the hashes and adds the accepted events to the open
// commit group (at most `commit_group_events_max` events); whenever the committer is idle it takes
// the open group and writes it as one RocksDB WriteBatch with a synced WAL, and only then publishes
// the new head. The sequencer acknowledges every request of a written group, in commit order, while
// the committer writes the next one (group commit). The sequencer runs ahead of the log: it checks
// ids and versions against the groups in flight as well as the store. A request is all or nothing:
// a refused request leaves no trace and does not affect the others in its group.
//
// After any failed write or sync the store refuses every later append until it is reopened
// (the log may then hold the failed group or not; it never holds part of it), including every
// request sequenced after the failed group, since it may depend on it.
//
// Thread-safety: all public methods are safe to call from any number of threads. Readers never
// see an event before it is durable and acknowledged: every read is bounded by the head.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/position.h"
#include "domain/status.h"
#include "eventstore/append_decider.h"
#include "eventstore/event.h"
#include "eventstore/read_model_store.h"

namespace rocksdb {
class Env;
}

namespace ledger {

struct EventStoreOptions {
  std::string path;  // the RocksDB directory
  bool create_if_missing = true;
  rocksdb::Env* env = nullptr;             // nullptr: the default Env; tests inject faults here
  std::shared_ptr<AppendDecider> decider;  // nullptr: accept every well-formed event
  // Microseconds since the Unix epoch; nullptr: the system clock. recorded_at never goes back.
  std::function<int64_t()> clock_us;

  size_t append_queue_requests_max = 4096;   // enqueued requests beyond this get kOverloaded
  size_t append_request_events_max = 10000;  // events in one request
  size_t commit_group_events_max = 16384;    // events written in one WriteBatch (soft: one
                                             // request is never split)
  size_t event_payload_bytes_max = 64 * 1024;
  size_t event_id_bytes_max = 128;
  size_t stream_bytes_max = 160;
  size_t type_bytes_max = 64;
  size_t actor_bytes_max = 128;
  size_t stream_cache_entries_max = 1 << 20;  // cached stream versions before the cache resets
  size_t read_events_max = 10000;             // events one ReadFrom/ReadStream call returns

  // On open, re-hash from position 0 instead of from the last verified checkpoint.
  bool verify_whole_chain_on_open = false;
  // Re-hash each event as it is read back (pair check against the hash written).
  bool verify_reads = true;

  // When not empty: open read-only as a RocksDB secondary instance (keeping its own files in this
  // directory) beside a primary that may be running, e.g. for `ledgerctl verify` next to
  // ledgerd. The store shows the primary's log as of Open; appends answer Unavailable.
  std::string read_only_secondary_dir;
};

class EventStore {
 public:
  using AppendCallback = std::function<void(Result<std::vector<AppendResult>>)>;

  // Opens (or creates) the store, verifying the chain over the tail written since the last
  // verified checkpoint. Returns Corruption naming the first bad position if it does not verify,
  // IoError if RocksDB cannot open the directory.
  static Result<std::unique_ptr<EventStore>> Open(EventStoreOptions options);

  // Stops accepting appends, commits what is already queued, acknowledges it, and closes.
  ~EventStore();

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends `batch` all or nothing and blocks until it is durable. Returns one result per event
  // in batch order, or: InvalidArgument (empty batch, a field over its limit), IdConflict (an id
  // stored, or earlier in the batch, with other content), WrongExpectedVersion, the decider's
  // refusal, Overloaded (queue full), Unavailable (failed earlier or shutting down), IoError.
  Result<std::vector<AppendResult>> Append(std::vector<EventDraft> batch);

  // As Append, but returns at once; `done` runs on the store's sequencer thread once the outcome
  // is known (for errors found before queueing, on the calling thread). `done` must not block.
  void AppendAsync(std::vector<EventDraft> batch, AppendCallback done);

  // The newest committed position and hash.
  Head GetHead() const;

  // Blocks until the head has passed `position` (the event at `position` is committed) or the
  // timeout runs out. Returns true if it has.
  bool WaitForPosition(Position position, std::chrono::milliseconds timeout) const;

  // Events at positions [from, head), at most min(limit, read_events_max) of them.
  Result<std::vector<StoredEvent>> ReadFrom(Position from, size_t limit) const;

  // The event at `position`; NotFound at or beyond the head.
  Result<StoredEvent> ReadAt(Position position) const;

  // Events of `stream` with version >= from_version (versions start at 1), at most
  // min(limit, read_events_max) of them.
  Result<std::vector<StoredEvent>> ReadStream(std::string_view stream, StreamVersion from_version,
                                              size_t limit) const;

  // The position of the event with id `id`, or NotFound.
  Result<Position> FindId(std::string_view id) const;

  // Calls `visit` for each committed event in [from, end) in order, stopping early if it returns
  // false. Checks that positions are gapless, that each event's hash matches its bytes and that
  // each prev_hash equals the previous event's hash (`expected_prev`, when given, is the hash
  // before `from`). Returns Corruption naming the first bad position.
  Status Scan(Position from, Position end, const Hash* expected_prev,
              const std::function<bool(const StoredEvent&)>& visit) const;

  // As Scan, also giving each event's stored envelope bytes (eventstore/envelope_codec.h), which
  // are valid only during the call, as is the event.
  using EnvelopeVisitor = std::function<bool(const StoredEvent&, std::string_view envelope)>;
  Status ScanEnvelopes(Position from, Position end, const Hash* expected_prev,
                       const EnvelopeVisitor& visit) const;

  // Re-hashes the whole chain from position 0 to the head. Corruption names the first bad
  // position.
  Status VerifyChain() const;

  // The error that stopped the store, or OK while it accepts appends.
  Status health() const;

  // Writes a consistent, openable copy of the whole database (log, indexes, meta, read models)
  // into `dir`, which must not exist, while the store keeps running: a RocksDB checkpoint (hard
  // links where possible), also from a read-only store beside a running primary, where it holds
  // the primary's state at some moment during the call. Restoring is opening `dir` as a store.
  Status Backup(const std::string& dir);

  // The rows of read model `name` (letters, digits, '_' and '.'), in column family
  // "proj.<name>" of this database, created if missing. Valid while the store is open.
  Result<std::unique_ptr<ReadModelStore>> OpenReadModel(std::string_view name);

  // The rows of table `name` (as for read models) kept in the `meta` column family under the key
  // prefix "<name>/": the ledger's own records that travel with the log and are not rebuilt from
  // it (signed checkpoints, the Kafka relay's progress). Valid while the store is open; works on
  // a read-only store too.
  Result<std::unique_ptr<ReadModelStore>> OpenMetaTable(std::string_view name);

  // The `personal` column family, which holds the personal vault (eventstore/personal_vault.h)
  // and is written only by events' side records: the value at `key` (nullopt when absent); the
  // records whose keys start with `prefix`, in key order, until `visit` returns false. IoError
  // when RocksDB fails.
  Result<std::optional<std::string>> PersonalGet(std::string_view key) const;
  Status PersonalScan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  // Writes every column family's memtable to table files and waits for it. An offline writer
  // (ledgerctl rebuild, import) calls it before closing, so that the next open — often a
  // read-only one, which cannot flush — does not replay a WAL of millions of rows into memory.
  // Unavailable on a read-only store.
  Status Flush();
  // Makes deleted personal records leave every file: flushes every column family (so that the
  // WAL files that held them become obsolete and are removed) and compacts the `personal` family
  // down to its bottommost level, which is rewritten. Appends continue meanwhile. Unavailable on
  // a read-only store.
  Status PurgePersonal();

  class Impl;

 private:
  explicit EventStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ledger
