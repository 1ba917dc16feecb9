#include "eventstore/event_store.h"

#include <pthread.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <deque>
#include <optional>
#include <thread>

#include "domain/assert.h"
#include "domain/mutex.h"
#include "eventstore/envelope_check.h"
#include "eventstore/envelope_codec.h"
#include "eventstore/event_hasher.h"
#include "eventstore/hash_chain.h"
#include "eventstore/keys.h"
#include "eventstore/one_shot_event.h"
#include "eventstore/rocks_read_model_store.h"

namespace ledger {
namespace {

// Column families, as docs/ARCHITECTURE.md lays out.
constexpr const char* kLogFamily = "log";          // u64 position -> envelope
constexpr const char* kStreamsFamily = "streams";  // u16 len | stream | u64 version -> u64 position
constexpr const char* kIdsFamily = "ids";          // event id -> u64 position | digest
constexpr const char* kMetaFamily = "meta";        // named records below
constexpr const char* kPersonalFamily = "personal";  // the personal vault (personal_vault.h)

constexpr std::string_view kHeadKey = "head";          // u64 next | hash
constexpr std::string_view kVerifiedKey = "verified";  // u64 next | hash: chain checked up to here
// Meta tables (OpenMetaTable) keep their keys under "<name>/", which no named record contains.
constexpr char kMetaTableSuffix = '/';

// Names of read models and meta tables: lower-case letters, digits, '_' and '.'.
bool IsTableName(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") == std::string_view::npos;
}

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(std::move(message));
  if (status.IsNotFound()) return Status::NotFound(std::move(message));
  return Status::IoError(std::move(message));
}

std::string EncodeHead(const Head& head) {
  std::string out;
  AppendBigEndian64(head.next.value, &out);
  out.append(reinterpret_cast<const char*>(head.hash.data()), head.hash.size());
  return out;
}

bool DecodeHead(std::string_view bytes, Head* head) {
  if (bytes.size() != 8 + head->hash.size()) return false;
  head->next = Position{DecodeBigEndian64(bytes)};
  std::copy(bytes.begin() + 8, bytes.end(), head->hash.begin());
  return true;
}

// Verify-on-read: the chain hash recomputed into this thread's buffer (HashMatches hashes with
// the thread's SHA-256 context: OpenSSL's one-shot SHA256() sets one up per call, which costs
// about as much as the hashing).
bool ReadHashMatches(const StoredEvent& event) {
  thread_local std::string scratch;
  return HashMatches(event, &scratch);
}

int64_t SystemClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The index families' blocks: the writer reads a stream's head from `streams` for each stream it
// has not seen since start-up, all over the table files once a ledger has a million members,
// and RocksDB's default of 8 MB per family re-reads and decompresses most of those blocks.
std::shared_ptr<rocksdb::Cache> IndexBlockCache() {
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(64 << 20);
  return cache;
}

rocksdb::ColumnFamilyOptions IndexFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = IndexBlockCache();
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.write_buffer_size = 64 << 20;
  return options;
}

// The stream part of a `streams` key (u16 length | stream), without the u64 version. As the
// family's prefix extractor, it puts each stream in the memtable's and the
// table files' bloom filters, so that reading a stream's head skips every memtable and file
// that lacks the stream; iterators then only see one stream from a seek (prefix seek), which
// is all ReadStream and the head lookups read.
class StreamPrefixHint : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "ledger.StreamPrefixHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - sizeof(uint64_t));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() > 2 + sizeof(uint64_t);
  }
};

// One memtable insert hint for the whole `ids` family: consecutive inserts start at the previous
// one's skiplist position, and the writer puts a group's ids in key order, so each insert only
// walks the distance from its predecessor.
class SingleHint : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "ledger.SingleHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), 0);
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

// The `streams` family's memtable insert hints. A stream the writer wrote in one of the last
// groups (in the memtable, with a hint there) starts its insert where its last one went: O(1).
// Any other insert (a stream new to the memtable: most of them on a ledger of many members)
// takes the skiplist's sequential hint, and the committer puts a group's entries in key order,
// so it walks only the distance from the one before instead of searching from the top. The
// committer names the group's recent streams (SetRecent) around its Write, and only then; with
// none named (WAL recovery), every insert takes the sequential path. A hint only speeds an
// insert up: where it lands never depends on it.
class StreamInsertHint : public rocksdb::SliceTransform {
 public:
  // Stream prefixes (u16 length | stream) as in the keys.
  using Streams = boost::unordered_flat_set<std::string_view, std::hash<std::string_view>>;
  const char* Name() const override { return "ledger.StreamInsertHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - sizeof(uint64_t));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    const Streams* recent = recent_.load(std::memory_order_acquire);
    return recent != nullptr && key.size() > 2 + sizeof(uint64_t) &&
           recent->contains(std::string_view(key.data(), key.size() - sizeof(uint64_t)));
  }
  // `recent` must stay unchanged until the next call; nullptr: none.
  void SetRecent(const Streams* recent) { recent_.store(recent, std::memory_order_release); }

 private:
  std::atomic<const Streams*> recent_{nullptr};
};

rocksdb::ColumnFamilyOptions StreamsFamilyOptions(std::shared_ptr<StreamInsertHint> hint) {
  rocksdb::ColumnFamilyOptions options = IndexFamilyOptions();
  options.memtable_insert_with_hint_prefix_extractor = std::move(hint);
  options.prefix_extractor = std::make_shared<StreamPrefixHint>();
  options.memtable_prefix_bloom_size_ratio = 0.02;
  return options;
}

rocksdb::ColumnFamilyOptions IdsFamilyOptions() {
  rocksdb::ColumnFamilyOptions options = IndexFamilyOptions();
  options.memtable_insert_with_hint_prefix_extractor = std::make_shared<SingleHint>();
  // Nearly every id the writer looks up is new: a whole-key bloom filter on the memtable answers
  // those misses without walking the skiplist (the SST files have their own bloom filters).
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  return options;
}

constexpr std::string_view kReadModelFamilyPrefix = "proj.";

// Read-model rows are written in bulk (a projector's flush, a rebuild's dump) in hash order and
// read back only at start-up, so an unsorted vector memtable (O(1) inserts, sorted once at
// flush or first read) beats a skiplist's random inserts.
rocksdb::ColumnFamilyOptions ReadModelFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  options.write_buffer_size = 128 << 20;
  return options;
}

rocksdb::ColumnFamilyOptions LogFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  options.write_buffer_size = 128 << 20;
  options.max_write_buffer_number = 4;
  return options;
}

}  // namespace

class EventStore::Impl {
 public:
  // The column family of read model `family_name`, created if missing.
  Result<rocksdb::ColumnFamilyHandle*> ReadModelFamily(const std::string& family_name)
      EXCLUDES(families_mutex_) {
    MutexLock lock(families_mutex_);
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      if (handle->GetName() == family_name) return handle;
    }
    if (!options_.read_only_secondary_dir.empty()) {
      return Status::NotFound("no read model " + family_name + " (and this store is read-only)");
    }
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    rocksdb::Status s = db_->CreateColumnFamily(ReadModelFamilyOptions(), family_name, &handle);
    if (!s.ok()) return FromRocks(s, "create " + family_name);
    handles_.push_back(handle);
    return handle;
  }
  rocksdb::DB* db() const { return db_; }
  rocksdb::ColumnFamilyHandle* meta_family() const { return meta_; }
  rocksdb::ColumnFamilyHandle* personal_family() const { return personal_; }
  std::vector<rocksdb::ColumnFamilyHandle*> families() const EXCLUDES(families_mutex_) {
    MutexLock lock(families_mutex_);
    return handles_;
  }

  explicit Impl(EventStoreOptions options) : options_(std::move(options)) {
    if (!options_.clock_us) options_.clock_us = SystemClockMicros;
  }

  ~Impl() {
    {
      MutexLock lock(queue_mutex_);
      stopping_ = true;
    }
    queue_cv_.NotifyAll();
    // The sequencer drains the queue into the open group and says it is done; the committer
    // writes what is left and stops; the sequencer acknowledges it and stops.
    if (sequencer_.joinable()) sequencer_.join();
    if (committer_.joinable()) committer_.join();
    heads_iterator_.reset();  // null between rounds already; it must not outlive the database
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    if (db_ != nullptr) {
      db_->Close().PermitUncheckedError();  // an earlier write error may resurface here
      delete db_;
    }
  }

  Status Open();
  // A RocksDB checkpoint: hard links to the live table files and a copy of the MANIFEST and
  // WAL. The primary flushes its memtables first, so the copy needs no WAL replay. A secondary
  // instance first catches up with the primary and copies the WAL as it stands; since the
  // primary keeps compacting meanwhile, a file may vanish before it is linked, and then the
  // checkpoint fails cleanly (RocksDB removes its staging directory) and is retried from a fresh
  // catch-up. Either way every write batch is in the copy whole or not at all, so the copy is a
  // consistent prefix of the ledger.
  Status Backup(const std::string& dir) {
    const bool secondary = !options_.read_only_secondary_dir.empty();
    constexpr int kSecondaryAttempts = 5;
    rocksdb::Status s;
    for (int attempt = 0; attempt < (secondary ? kSecondaryAttempts : 1); ++attempt) {
      if (secondary) s = db_->TryCatchUpWithPrimary();
      rocksdb::Checkpoint* raw = nullptr;
      if (s.ok()) s = rocksdb::Checkpoint::Create(db_, &raw);
      std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
      const uint64_t log_size_for_flush = secondary ? UINT64_MAX : 0;
      if (s.ok()) s = checkpoint->CreateCheckpoint(dir, log_size_for_flush);
      if (s.ok()) return Status::Ok();
    }
    return FromRocks(s, "back up into " + dir);
  }
  void AppendAsync(std::vector<EventDraft> batch, AppendCallback done);
  Result<std::vector<AppendResult>> Append(std::vector<EventDraft> batch);

  Head GetHead() const EXCLUDES(head_mutex_) {
    MutexLock lock(head_mutex_);
    return head_;
  }
  bool WaitForPosition(Position position, std::chrono::milliseconds timeout) const
      EXCLUDES(head_mutex_) {
    MutexLock lock(head_mutex_);
    return head_cv_.WaitFor(lock, timeout,
                            [&]() REQUIRES(head_mutex_) { return head_.next > position; });
  }
  Status health() const EXCLUDES(queue_mutex_) {
    MutexLock lock(queue_mutex_);
    return failure_;
  }

  // As EventStore::Scan; `visit` may move the event it is given.
  Status Scan(Position from, Position end, const Hash* expected_prev,
              const std::function<bool(StoredEvent&)>& visit) const;
  // The scan loop: `visit` gets each decoded event (which it may move from) and its stored bytes.
  using MutableEnvelopeVisitor = std::function<bool(StoredEvent&, std::string_view envelope)>;
  Status ScanEnvelopes(Position from, Position end, const Hash* expected_prev,
                       const MutableEnvelopeVisitor& visit) const;
  Result<StoredEvent> ReadAt(Position position) const;
  Result<std::vector<StoredEvent>> ReadStream(std::string_view stream, StreamVersion from,
                                              size_t limit) const;
  Result<Position> FindId(std::string_view id) const;
  const EventStoreOptions& options() const { return options_; }

 private:
  // A thread blocked in Append: the sequencer leaves the outcome here and wakes it.
  struct AppendWaiter {
    std::optional<Result<std::vector<AppendResult>>> outcome;
    OneShotEvent done;
  };

  // One append request, from the queue to its acknowledgement.
  struct Request {
    std::vector<EventDraft> events;
    std::vector<Hash> digests;          // content digest of each event as submitted
    AppendCallback done;                // AppendAsync
    AppendWaiter* waiter = nullptr;     // Append
    Status status;                      // the sequencer's verdict
    std::vector<AppendResult> results;  // one per event when `status` is OK
  };

  // An `ids` entry of a group: the id (a view into its request) and position || digest.
  struct IdEntry {
    std::string_view id;
    std::array<char, 8 + sizeof(Hash)> value;
  };

  // A `streams` entry of a group: its key, at [offset, offset + size) of the group's
  // stream_keys, and the position it points to.
  struct StreamEntry {
    size_t offset = 0;
    size_t size = 0;
    uint64_t position = 0;
    bool recent = false;  // the stream was written in one of the kRecentGroups groups before
  };
  static constexpr uint64_t kRecentGroups = 2;

  // A commit group: consecutive requests, sequenced one by one into the open group and written
  // as one WriteBatch once the committer takes it.
  struct Group {
    uint64_t number = 0;  // groups are numbered in commit order from 1
    std::vector<Request> requests;
    size_t events = 0;                 // of all its requests, refused ones included (for the bound)
    rocksdb::WriteBatch batch;         // `log` entries, in position order
    std::vector<IdEntry> ids;          // put into `batch` in key order by the committer
    std::vector<StreamEntry> streams;  // likewise
    std::string stream_keys;           // the keys of `streams`, one after another
    Head before;                       // the head before its first request
    Head after;                        // the head after its last accepted event
    Status failure;                    // set by the committer: why the whole group is refused

    // Empties the group for reuse, keeping the capacity of its buffers.
    void Reset() {
      requests.clear();
      events = 0;
      batch.Clear();
      ids.clear();
      streams.clear();
      stream_keys.clear();
      failure = Status::Ok();
    }
  };
  static constexpr size_t kSpareGroupsMax = 2;

  // What an id sequenced in a group not yet known durable resolves to. `stream` views the
  // request's event, which lives until the sequencer forgets the entry.
  struct InflightId {
    Hash digest;
    Position position;
    std::string_view stream;
    StreamVersion version;
    int64_t recorded_at_us = 0;
    Hash hash;
    uint64_t group = 0;
  };

  // The newest sequenced version of a stream and the group that gave it (0: known durable).
  struct StreamState {
    uint64_t version = 0;
    uint64_t group = 0;
  };

  // Heterogeneous lookup, so that a stream_view finds a std::string key without a copy.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  template <class Value>
  using StringMap = boost::unordered_flat_map<std::string_view, Value, StringHash>;

  Status CheckLimits(const EventDraft& event) const;
  Status VerifyOnOpen();
  // Checks limits, computes content digests and enqueues; answers at once when it cannot.
  void Enqueue(Request request) EXCLUDES(queue_mutex_);
  // Delivers `outcome` to whoever waits for `request`. Must be the last use of the request's
  // waiter: the thread in Append may return at once.
  static void Complete(Request& request, Result<std::vector<AppendResult>> outcome);

  // The sequencer thread: takes requests from the queue in order and sequences each one into
  // the open group (checks, the decider, positions, hashes, encoded envelopes).
  void SequencerLoop() EXCLUDES(queue_mutex_, group_mutex_);
  void Sequence(Request request, const Status& failure) EXCLUDES(group_mutex_);
  // Looks up, in one MultiGet, the stored ids of `requests` that no group in flight holds.
  void LookUpIds(const std::vector<Request>& requests);
  // Adds to stream_versions_ the stored heads of the streams of the request's fresh events that
  // it lacks, with one iterator in key order (a seek near the last one reuses its data block).
  // After the decider, which may fill streams in. A failed read is left to StreamVersionOf.
  void LookUpStreamHeads(const Request& request);
  // The iterator over `streams` that LookUpStreamHeads and StreamVersionOf read durable heads
  // with: made at the first read of a sequencing round and dropped at the round's end, so that
  // single-event requests (a head read each) do not make one apiece. It sees the database as of
  // its making, which comes after the round's acknowledgements: every group up to
  // durable_group_ is written by then, and durable_group_ does not move within a round, so a
  // stream missing from stream_versions_ (never sequenced since open, or forgotten as durable)
  // has all its versions in that view.
  rocksdb::Iterator* HeadsIterator();
  // Forgets the durable streams if `adding` more would pass stream_cache_entries_max.
  void MakeRoomForStreams(size_t adding);
  // What the last LookUpIds found for `id`: nullopt when it is not stored. An id it did not look
  // up (one in flight when it ran) is looked up now.
  Result<std::optional<std::string_view>> StoredIdEntry(std::string_view id);
  // Checks one request against the store, the groups in flight and the open group; on success
  // adds its events to `group` (the open group, hence REQUIRES). On failure nothing changes.
  // The steps below, in this order; each fills the per-request scratch the next one reads.
  Status ProcessRequest(Request& request, Group& group) REQUIRES(group_mutex_);
  // Ids: sorts the request's events into replays of a stored or in-flight event (their results
  // filled in from the original), repeats of an earlier event of this request (repeats_), and
  // fresh events (fresh_, fresh_drafts_, request_ids_). IdConflict when an id is already used
  // with other content; Corruption or an I/O error from the id index.
  Status SortIds(Request& request);
  // Whether the writer of `event`, whose id is taken, may be answered about it (the decider's
  // AdmitRepeat); OK without a decider.
  Status AdmitRepeat(const EventDraft& event);
  // Expected versions, after the decider has resolved streams: gives each fresh event the next
  // version of its stream (fresh_versions_). InvalidArgument for a stream the decider left empty
  // or too long; WrongExpectedVersion when an expected version is not the stream's.
  Status CheckStreamVersions(const Request& request);
  // Accepted: assigns the fresh events positions, recorded_at and chain hashes, adds them to the
  // group's write batch and ids, fills their results, and records them as in flight.
  void AddFreshEvents(Request& request, Group& group) REQUIRES(group_mutex_);
  Result<uint64_t> StreamVersionOf(std::string_view stream);
  // Acknowledges every request of groups the committer is done with, in commit order, and
  // forgets their ids; frees the groups.
  void AcknowledgeWritten(std::vector<std::unique_ptr<Group>>& written) EXCLUDES(group_mutex_);

  // The committer thread: takes the open group whenever it is idle, writes it with one synced
  // WriteBatch, publishes the head and hands the group back to the sequencer, which acknowledges
  // its requests while the committer writes the next group.
  void CommitterLoop() EXCLUDES(queue_mutex_, group_mutex_);
  void CommitGroup(Group& group) EXCLUDES(queue_mutex_, head_mutex_);

  rocksdb::ColumnFamilyHandle* log() const { return log_; }
  rocksdb::ColumnFamilyHandle* streams() const { return streams_; }
  rocksdb::ColumnFamilyHandle* ids() const { return ids_; }
  rocksdb::ColumnFamilyHandle* meta() const { return meta_; }

  EventStoreOptions options_;
  std::shared_ptr<StreamInsertHint> stream_insert_hint_ = std::make_shared<StreamInsertHint>();
  rocksdb::DB* db_ = nullptr;
  mutable Mutex families_mutex_;
  // log, streams, ids, meta, read models
  std::vector<rocksdb::ColumnFamilyHandle*> handles_ GUARDED_BY(families_mutex_);
  // handles_[1..4], copied at open: handles_ may grow while the writer threads use these.
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* personal_ = nullptr;

  mutable Mutex queue_mutex_;
  CondVar queue_cv_;
  // Bounded by append_queue_requests_max.
  std::deque<Request> queue_ GUARDED_BY(queue_mutex_);
  bool stopping_ GUARDED_BY(queue_mutex_) = false;
  // Set once by the committer after a failed write; appends refused after.
  Status failure_ GUARDED_BY(queue_mutex_);
  // Groups the committer is done with, for the sequencer to acknowledge, in commit order.
  std::vector<std::unique_ptr<Group>> written_groups_ GUARDED_BY(queue_mutex_);
  // The committer has handed over its last group.
  bool committer_done_ GUARDED_BY(queue_mutex_) = false;

  // The open group, handed from the sequencer to the committer.
  Mutex group_mutex_;
  CondVar group_ready_cv_;  // the committer waits for requests in open_group_
  CondVar group_room_cv_;   // the sequencer waits for room in open_group_
  // Never null while the threads run.
  std::unique_ptr<Group> open_group_ GUARDED_BY(group_mutex_);
  // Reset, at most kSpareGroupsMax.
  std::vector<std::unique_ptr<Group>> spare_groups_ GUARDED_BY(group_mutex_);
  // Nothing more will be sequenced.
  bool sequencer_done_ GUARDED_BY(group_mutex_) = false;

  mutable Mutex head_mutex_;
  mutable CondVar head_cv_;
  Head head_ GUARDED_BY(head_mutex_);  // published after each durable group

  // Sequencer-thread state. It runs ahead of the log: ids and stream versions of groups not yet
  // durable live here, so that a later request sees them. A failed write stops the store for
  // good, so none of it ever needs to be rolled back; a reopen starts from the log.
  Head sequenced_head_;
  int64_t last_recorded_at_us_ = 0;
  uint64_t durable_group_ = 0;  // groups up to this one are written and forgotten
  // Open addressing (boost's flat maps) for the sequencer's maps: one probe in a flat array per
  // lookup, where a node map chases a pointer per entry, over a million stream heads and a
  // group's thousands of ids.
  StringMap<InflightId> inflight_ids_;
  // The stream heads: every stream of a group in flight (RocksDB lacks those) and the durable
  // heads read so far. Bounded by stream_cache_entries_max plus the streams of groups in flight
  // and of the request being checked.
  boost::unordered_flat_map<std::string, StreamState, StringHash, std::equal_to<>> stream_versions_;
  std::vector<std::string> head_keys_;  // LookUpStreamHeads' scratch, kept for its capacity
  std::unique_ptr<rocksdb::Iterator> heads_iterator_;  // HeadsIterator's, during a round
  EventHasher hasher_;
  StoredEvent stored_;
  SideWrites side_writes_;  // the current event's side record, reused
  // Per-request scratch, kept for their capacity.
  StringMap<size_t> request_ids_;  // new id -> event index
  StringMap<uint64_t> request_streams_;
  StringMap<size_t> lookup_index_;  // id -> index in lookup_keys_
  std::vector<rocksdb::Slice> lookup_keys_;
  std::vector<rocksdb::PinnableSlice> lookup_values_;
  std::vector<rocksdb::Status> lookup_statuses_;
  std::string lookup_fallback_;
  static constexpr size_t kSequenceBatchRequestsMax = 64;
  std::vector<size_t> fresh_;
  std::vector<uint64_t> fresh_versions_;
  std::vector<size_t> repeats_;
  std::vector<EventDraft*> fresh_drafts_;

  // Committer-thread state.
  Status committer_failure_;                  // the failed write that stopped the store
  StreamInsertHint::Streams recent_streams_;  // of the group being written, for the hint

  std::thread sequencer_;
  std::thread committer_;
};

Status EventStore::Impl::Open() {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.max_total_wal_size = 512 << 20;
  // Memtable inserts of concurrent writers then happen one after another (the log has a single
  // writer anyway); the read models' vector memtables (ReadModelFamilyOptions) require it.
  db_options.allow_concurrent_memtable_write = false;
  if (options_.env != nullptr) db_options.env = options_.env;

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {kLogFamily, LogFamilyOptions()},
      {kStreamsFamily, StreamsFamilyOptions(stream_insert_hint_)},
      {kIdsFamily, IdsFamilyOptions()},
      {kMetaFamily, rocksdb::ColumnFamilyOptions()},
      {kPersonalFamily, rocksdb::ColumnFamilyOptions()},
  };
  // Read models live in families of their own, which RocksDB needs named at open.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, options_.path, &existing).ok()) {
    for (const std::string& name : existing) {
      if (name.starts_with(kReadModelFamilyPrefix))
        families.emplace_back(name, ReadModelFamilyOptions());
    }
  }
  const bool read_only = !options_.read_only_secondary_dir.empty();
  rocksdb::Status s;
  {
    // No other thread runs yet; the lock is for the analysis (handles_ is GUARDED_BY it).
    MutexLock lock(families_mutex_);
    if (read_only) {
      db_options.max_open_files = -1;  // RocksDB requires it of secondary instances
      s = rocksdb::DB::OpenAsSecondary(db_options, options_.path, options_.read_only_secondary_dir,
                                       families, &handles_, &db_);
      if (s.ok()) s = db_->TryCatchUpWithPrimary();
    } else {
      s = rocksdb::DB::Open(db_options, options_.path, families, &handles_, &db_);
    }
    if (!s.ok()) return FromRocks(s, "open " + options_.path);
    log_ = handles_[1];
    streams_ = handles_[2];
    ids_ = handles_[3];
    meta_ = handles_[4];
    personal_ = handles_[5];
  }

  if (Status status = VerifyOnOpen(); !status.ok()) return status;
  if (read_only) return Status::Ok();  // no writer threads: appends are refused
  sequenced_head_ = GetHead();
  if (sequenced_head_.next.value > 0) {
    Result<StoredEvent> last = ReadAt(Position{sequenced_head_.next.value - 1});
    if (!last.ok()) return last.status();
    last_recorded_at_us_ = last->recorded_at_us;
  }
  {
    MutexLock lock(group_mutex_);  // no other thread runs yet; the lock is for the analysis
    open_group_ = std::make_unique<Group>();
    open_group_->number = durable_group_ + 1;
  }
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ledger-commit");  // for perf and top
    CommitterLoop();
  });
  sequencer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ledger-sequence");
    SequencerLoop();
  });
  return Status::Ok();
}

// Loads the head, checks that the log ends exactly there, and re-hashes the tail written since
// the last verified checkpoint; then moves the checkpoint to the head.
Status EventStore::Impl::VerifyOnOpen() {
  std::string value;
  Head stored_head;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta(), kHeadKey, &value);
  if (s.ok()) {
    if (!DecodeHead(value, &stored_head))
      return Status::Corruption("meta head record is malformed");
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "read head");
  }

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log()));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "seek log end");
  const uint64_t log_next = it->Valid() ? DecodeBigEndian64(it->key().ToStringView()) + 1 : 0;
  if (log_next != stored_head.next.value) {
    return Status::Corruption("log ends at position " + std::to_string(log_next) +
                              " but the head says " + std::to_string(stored_head.next.value) +
                              "; first bad position " +
                              std::to_string(std::min(log_next, stored_head.next.value)));
  }

  Head verified;  // position 0, zero hash
  if (!options_.verify_whole_chain_on_open) {
    s = db_->Get(rocksdb::ReadOptions(), meta(), kVerifiedKey, &value);
    if (s.ok()) {
      if (!DecodeHead(value, &verified) || verified.next > stored_head.next) {
        return Status::Corruption("meta verified checkpoint is malformed");
      }
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "read verified checkpoint");
    }
  }

  Hash running = verified.hash;
  Status status = Scan(verified.next, stored_head.next, &running, [&](const StoredEvent& event) {
    running = event.hash;
    return true;
  });
  if (!status.ok()) return status;
  if (running != stored_head.hash) {
    return Status::Corruption("chain hash at position " +
                              std::to_string(stored_head.next.value - 1) +
                              " differs from the stored head hash");
  }
  {
    MutexLock lock(head_mutex_);  // no other thread runs yet; the lock is for the analysis
    head_ = stored_head;
  }
  if (!options_.read_only_secondary_dir.empty()) return Status::Ok();  // writes nothing

  rocksdb::WriteOptions sync;
  sync.sync = true;
  s = db_->Put(sync, meta(), kVerifiedKey, EncodeHead(stored_head));
  if (!s.ok()) return FromRocks(s, "write verified checkpoint");
  return Status::Ok();
}

Status EventStore::Impl::Scan(Position from, Position end, const Hash* expected_prev,
                              const std::function<bool(StoredEvent&)>& visit) const {
  return ScanEnvelopes(from, end, expected_prev,
                       [&](StoredEvent& event, std::string_view) { return visit(event); });
}

Status EventStore::Impl::ScanEnvelopes(Position from, Position end, const Hash* expected_prev,
                                       const MutableEnvelopeVisitor& visit) const {
  if (from >= end) return Status::Ok();
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  read_options.readahead_size = 2 << 20;
  const std::string upper = PositionKey(end.value);
  rocksdb::Slice upper_slice(upper);
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, log()));

  std::optional<Hash> prev;
  if (expected_prev != nullptr) prev = *expected_prev;
  uint64_t expected = from.value;
  // One event decoded into over and over: its strings keep their buffers, so the scan does not
  // allocate per event (unless the visitor moves them out, as ReadFrom does).
  StoredEvent event;
  auto where = [&] { return "position " + std::to_string(expected); };
  for (it->Seek(PositionKey(from.value)); it->Valid(); it->Next(), ++expected) {
    if (it->key().size() != 8 || DecodeBigEndian64(it->key().ToStringView()) != expected) {
      return Status::Corruption("log is missing " + where());
    }
    const std::string_view envelope = it->value().ToStringView();
    if (Status decoded = DecodeEnvelopeInto(envelope, &event); !decoded.ok()) {
      return Status::Corruption(where() + ": " + decoded.message());
    }
    if (event.position.value != expected) {
      return Status::Corruption(where() + ": envelope says position " +
                                std::to_string(event.position.value));
    }
    if (prev && event.prev_hash != *prev) {
      return Status::Corruption(where() + ": prev_hash does not match the hash before it");
    }
    if (options_.verify_reads && !ReadHashMatches(event)) {
      return Status::Corruption(where() + ": hash does not match the event's bytes");
    }
    prev = event.hash;
    if (!visit(event, envelope)) return Status::Ok();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan log");
  if (expected != end.value) {
    return Status::Corruption("log is missing position " + std::to_string(expected));
  }
  return Status::Ok();
}

Result<StoredEvent> EventStore::Impl::ReadAt(Position position) const {
  if (position >= GetHead().next) {
    return Status::NotFound("no event at position " + std::to_string(position.value));
  }
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), log(), PositionKey(position.value), &value);
  if (!s.ok()) return FromRocks(s, "read position " + std::to_string(position.value));
  Result<StoredEvent> event = DecodeEnvelope(value);
  if (!event.ok()) return event;
  if (event->position != position || (options_.verify_reads && !ReadHashMatches(*event))) {
    return Status::Corruption("position " + std::to_string(position.value) +
                              ": stored event does not verify");
  }
  return event;
}

Result<std::vector<StoredEvent>> EventStore::Impl::ReadStream(std::string_view stream,
                                                              StreamVersion from,
                                                              size_t limit) const {
  limit = std::min(limit, options_.read_events_max);
  const Position head = GetHead().next;
  std::string prefix;
  AppendStreamPrefix(stream, &prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams()));
  std::vector<StoredEvent> events;
  for (it->Seek(StreamKey(stream, from.value)); it->Valid() && events.size() < limit; it->Next()) {
    if (!it->key().starts_with(prefix) || it->key().size() != prefix.size() + 8) break;
    if (it->value().size() != 8) return Status::Corruption("stream index entry is malformed");
    const Position position{DecodeBigEndian64(it->value().ToStringView())};
    if (position >= head) break;  // written by a group not yet acknowledged
    Result<StoredEvent> event = ReadAt(position);
    if (!event.ok()) return event.status();
    events.push_back(std::move(event).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read stream");
  return events;
}

Result<Position> EventStore::Impl::FindId(std::string_view id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ids(), id, &value);
  if (!s.ok()) return FromRocks(s, "find id");
  if (value.size() != 8 + sizeof(Hash)) return Status::Corruption("id index entry is malformed");
  const Position position{DecodeBigEndian64(value)};
  if (position >= GetHead().next) return Status::NotFound("id not committed yet");
  return position;
}

void EventStore::Impl::AppendAsync(std::vector<EventDraft> batch, AppendCallback done) {
  Request request;
  request.events = std::move(batch);
  request.done = std::move(done);
  Enqueue(std::move(request));
}

Result<std::vector<AppendResult>> EventStore::Impl::Append(std::vector<EventDraft> batch) {
  AppendWaiter waiter;
  Request request;
  request.events = std::move(batch);
  request.waiter = &waiter;
  Enqueue(std::move(request));
  waiter.done.Wait();
  return std::move(*waiter.outcome);
}

void EventStore::Impl::Complete(Request& request, Result<std::vector<AppendResult>> outcome) {
  if (request.waiter != nullptr) {
    AppendWaiter* waiter = request.waiter;
    request.waiter = nullptr;
    waiter->outcome.emplace(std::move(outcome));
    waiter->done.Set();
  } else {
    request.done(std::move(outcome));
  }
}

void EventStore::Impl::Enqueue(Request request) {
  const std::vector<EventDraft>& batch = request.events;
  if (batch.empty()) {
    Complete(request, Status::InvalidArgument("a batch needs at least one event"));
    return;
  }
  if (batch.size() > options_.append_request_events_max) {
    Complete(request, Status::InvalidArgument("a batch holds at most " +
                                              std::to_string(options_.append_request_events_max) +
                                              " events"));
    return;
  }
  for (const EventDraft& event : batch) {
    if (Status status = CheckLimits(event); !status.ok()) {
      Complete(request, std::move(status));
      return;
    }
  }
  // Digests depend only on the draft as submitted, so the caller's thread computes them, in
  // parallel with other callers, instead of the sequencer.
  thread_local EventHasher hasher;
  request.digests.reserve(batch.size());
  for (const EventDraft& event : batch) request.digests.push_back(hasher.ContentDigest(event));
  {
    MutexLock lock(queue_mutex_);
    if (!failure_.ok()) {
      Complete(request, Status::Unavailable("the store stopped after an earlier failure (" +
                                            failure_.message() + "); reopen it to recover"));
      return;
    }
    if (stopping_) {
      Complete(request, Status::Unavailable("the store is shutting down"));
      return;
    }
    if (queue_.size() >= options_.append_queue_requests_max) {
      Complete(request, Status(StatusCode::kOverloaded, "the append queue is full (" +
                                                            std::to_string(queue_.size()) +
                                                            " requests); retry later"));
      return;
    }
    queue_.push_back(std::move(request));
  }
  queue_cv_.NotifyOne();
}

Status EventStore::Impl::CheckLimits(const EventDraft& event) const {
  auto check = [&](std::string_view field, const std::string& value, size_t max,
                   bool may_be_empty) -> Status {
    if ((!may_be_empty && value.empty()) || value.size() > max) {
      return Status::InvalidArgument("event '" + event.id.substr(0, 128) +
                                     "': " + std::string(field) + " must be " +
                                     (may_be_empty ? "0" : "1") + " to " + std::to_string(max) +
                                     " bytes, got " + std::to_string(value.size()));
    }
    return Status::Ok();
  };
  if (Status s = check("id", event.id, options_.event_id_bytes_max, false); !s.ok()) return s;
  // With a decider, an empty stream is one the decider resolves from ledger state.
  if (Status s = check("stream", event.stream, options_.stream_bytes_max,
                       /*may_be_empty=*/options_.decider != nullptr);
      !s.ok()) {
    return s;
  }
  if (Status s = check("type", event.type, options_.type_bytes_max, false); !s.ok()) return s;
  if (Status s = check("actor", event.actor, options_.actor_bytes_max, true); !s.ok()) return s;
  return check("payload", event.payload, options_.event_payload_bytes_max, true);
}

void EventStore::Impl::SequencerLoop() {
  std::vector<std::unique_ptr<Group>> written;
  std::vector<Request> taken;
  while (true) {
    taken.clear();
    Status failure;
    {
      MutexLock lock(queue_mutex_);
      queue_cv_.Wait(lock, [&]() REQUIRES(queue_mutex_) {
        return stopping_ || !queue_.empty() || !written_groups_.empty();
      });
      written.swap(written_groups_);
      // A few requests at a time share one id lookup; the bound keeps the backlog outside the
      // queue small, so that a full queue still means Overloaded.
      size_t events = 0;
      while (!queue_.empty() && taken.size() < kSequenceBatchRequestsMax &&
             (taken.empty() ||
              events + queue_.front().events.size() <= options_.commit_group_events_max)) {
        events += queue_.front().events.size();
        taken.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      failure = failure_;
      if (taken.empty() && written.empty()) break;  // stopping, and everything is sequenced
    }
    AcknowledgeWritten(written);
    if (taken.empty()) continue;
    // After the acknowledgements: the ids they forget are durable, so the lookup sees them.
    LookUpIds(taken);
    for (Request& request : taken) Sequence(std::move(request), failure);
    // Unpin what MultiGet returned: pinned blocks and memtables must not outlive the batch (nor
    // the database, at shutdown).
    for (size_t k = 0; k < lookup_keys_.size(); ++k) lookup_values_[k].Reset();
    heads_iterator_.reset();  // likewise; and the next round's groups may be durable by then
  }
  {
    MutexLock lock(group_mutex_);
    sequencer_done_ = true;
  }
  group_ready_cv_.NotifyOne();
  // Acknowledge what the committer still writes.
  while (true) {
    bool committer_done = false;
    {
      MutexLock lock(queue_mutex_);
      queue_cv_.Wait(lock, [&]() REQUIRES(queue_mutex_) {
        return committer_done_ || !written_groups_.empty();
      });
      written.swap(written_groups_);
      committer_done = committer_done_;
    }
    AcknowledgeWritten(written);
    if (committer_done) return;
  }
}

void EventStore::Impl::Sequence(Request request, const Status& failure) {
  {
    MutexLock lock(group_mutex_);
    // The open group holds at most commit_group_events_max events, but always one request.
    group_room_cv_.Wait(lock, [&]() REQUIRES(group_mutex_) {
      return open_group_->requests.empty() ||
             open_group_->events + request.events.size() <= options_.commit_group_events_max;
    });
    Group& group = *open_group_;
    if (group.requests.empty()) {
      group.before = sequenced_head_;
      group.after = sequenced_head_;
    }
    if (!failure.ok()) {
      // The committer refuses every group after a failed one; this spares the decider.
      request.status = Status::Unavailable("the store stopped after an earlier failure (" +
                                           failure.message() + "); reopen it to recover");
    } else {
      request.status = ProcessRequest(request, group);
    }
    group.events += request.events.size();
    group.requests.push_back(std::move(request));
  }
  group_ready_cv_.NotifyOne();
}

void EventStore::Impl::AcknowledgeWritten(std::vector<std::unique_ptr<Group>>& written) {
  for (const std::unique_ptr<Group>& group : written) {
    for (Request& request : group->requests) {
      if (!group->failure.ok()) {
        Complete(request, group->failure);
      } else if (request.status.ok()) {
        Complete(request, std::move(request.results));
      } else {
        Complete(request, std::move(request.status));
      }
    }
    // Durable (or refused for good): RocksDB answers for these ids from now on.
    for (const IdEntry& entry : group->ids) {
      auto it = inflight_ids_.find(entry.id);
      if (it != inflight_ids_.end() && it->second.group == group->number) inflight_ids_.erase(it);
    }
    durable_group_ = std::max(durable_group_, group->number);
  }
  // Keep a couple for the committer to reuse: a group's write batch grows to the size of the
  // largest group, and a fresh one would page-fault its way there again.
  {
    MutexLock lock(group_mutex_);
    while (!written.empty() && spare_groups_.size() < kSpareGroupsMax) {
      std::unique_ptr<Group> group = std::move(written.back());
      written.pop_back();
      group->Reset();
      spare_groups_.push_back(std::move(group));
    }
  }
  written.clear();  // frees the rest on the sequencer's time rather than the committer's
}

Result<uint64_t> EventStore::Impl::StreamVersionOf(std::string_view stream) {
  if (auto it = stream_versions_.find(stream); it != stream_versions_.end()) {
    return it->second.version;
  }
  // Not sequenced since it was last forgotten, so every version of it is durable.
  std::string prefix;
  AppendStreamPrefix(stream, &prefix);
  rocksdb::Iterator* it = HeadsIterator();
  it->SeekForPrev(StreamKey(stream, UINT64_MAX));
  if (!it->status().ok()) return FromRocks(it->status(), "read stream version");
  uint64_t version = 0;
  if (it->Valid() && it->key().starts_with(prefix) && it->key().size() == prefix.size() + 8) {
    version = DecodeBigEndian64(it->key().ToStringView().substr(prefix.size()));
  }
  MakeRoomForStreams(1);
  stream_versions_.emplace(std::string(stream), StreamState{version, 0});
  return version;
}

void EventStore::Impl::MakeRoomForStreams(size_t adding) {
  if (stream_versions_.size() + adding <= options_.stream_cache_entries_max) return;
  // Forget every durable stream at once (a later miss only costs a read): an O(1) hit with no
  // recency bookkeeping, and the sweep runs once per stream_cache_entries_max misses. Those of
  // groups in flight must stay, RocksDB lacks them.
  boost::unordered::erase_if(
      stream_versions_, [&](const auto& entry) { return entry.second.group <= durable_group_; });
}

rocksdb::Iterator* EventStore::Impl::HeadsIterator() {
  if (heads_iterator_ == nullptr) {
    heads_iterator_.reset(db_->NewIterator(rocksdb::ReadOptions(), streams()));
  }
  return heads_iterator_.get();
}

// A stream missing from the map has no version in a group in flight, and every group that
// wrote it was durable before the iterator was made (HeadsIterator).
void EventStore::Impl::LookUpStreamHeads(const Request& request) {
  head_keys_.clear();
  for (size_t i : fresh_) {
    const EventDraft& event = request.events[i];
    if (event.stream.empty() || event.stream.size() > options_.stream_bytes_max) continue;
    if (stream_versions_.contains(event.stream)) continue;
    head_keys_.push_back(StreamKey(event.stream, UINT64_MAX));
  }
  if (head_keys_.size() < 2) return;  // StreamVersionOf reads one as fast
  std::sort(head_keys_.begin(), head_keys_.end());
  head_keys_.erase(std::unique(head_keys_.begin(), head_keys_.end()), head_keys_.end());
  MakeRoomForStreams(head_keys_.size());
  rocksdb::Iterator* it = HeadsIterator();
  for (const std::string& key : head_keys_) {
    it->SeekForPrev(key);
    if (!it->status().ok()) return;  // StreamVersionOf reads the rest, and reports the error
    const std::string_view prefix(key.data(), key.size() - sizeof(uint64_t));
    uint64_t version = 0;
    if (it->Valid() && it->key().starts_with(prefix) && it->key().size() == key.size()) {
      version = DecodeBigEndian64(it->key().ToStringView().substr(prefix.size()));
    }
    stream_versions_.emplace(std::string(prefix.substr(2)), StreamState{version, 0});
  }
}

void EventStore::Impl::LookUpIds(const std::vector<Request>& requests) {
  lookup_index_.clear();
  lookup_keys_.clear();
  for (const Request& request : requests) {
    for (const EventDraft& event : request.events) {
      if (inflight_ids_.contains(event.id)) continue;
      if (lookup_index_.emplace(event.id, lookup_keys_.size()).second) {
        lookup_keys_.emplace_back(event.id);
      }
    }
  }
  if (lookup_values_.size() < lookup_keys_.size()) lookup_values_.resize(lookup_keys_.size());
  lookup_statuses_.assign(lookup_keys_.size(), rocksdb::Status());
  if (lookup_keys_.empty()) return;
  // Nearly every id is new; the memtable's bloom filter answers those without a search.
  db_->MultiGet(rocksdb::ReadOptions(), ids(), lookup_keys_.size(), lookup_keys_.data(),
                lookup_values_.data(), lookup_statuses_.data());
}

Result<std::optional<std::string_view>> EventStore::Impl::StoredIdEntry(std::string_view id) {
  rocksdb::Status s;
  std::string_view value;
  if (auto it = lookup_index_.find(id); it != lookup_index_.end()) {
    s = lookup_statuses_[it->second];
    value = lookup_values_[it->second].ToStringView();
  } else {
    s = db_->Get(rocksdb::ReadOptions(), ids(), id, &lookup_fallback_);
    value = lookup_fallback_;
  }
  if (s.IsNotFound()) return std::optional<std::string_view>();
  if (!s.ok()) return FromRocks(s, "look up id");
  return std::optional<std::string_view>(value);
}

Status EventStore::Impl::ProcessRequest(Request& request, Group& group) {
  request.results.assign(request.events.size(), AppendResult{});
  request_ids_.clear();
  request_streams_.clear();
  fresh_.clear();
  fresh_versions_.clear();
  repeats_.clear();
  fresh_drafts_.clear();

  if (Status status = SortIds(request); !status.ok()) return status;
  // The decider may fill in streams that depend on ledger state; versions are checked after it,
  // and a refusal from here on must undo its acceptance.
  const bool decided = options_.decider != nullptr && !fresh_drafts_.empty();
  if (decided) {
    if (Status status = options_.decider->Decide(fresh_drafts_); !status.ok()) return status;
  }
  if (Status status = CheckStreamVersions(request); !status.ok()) {
    if (decided) options_.decider->Undo();
    return status;
  }
  if (fresh_.empty()) return Status::Ok();  // only replays
  AddFreshEvents(request, group);
  // A repeat answers as the event it repeats; its result exists only now.
  for (size_t i : repeats_) {
    request.results[i] = request.results[request_ids_.at(request.events[i].id)];
    request.results[i].duplicate = true;
  }
  return Status::Ok();
}

namespace {
Status IdConflict(const EventDraft& event, std::string_view where) {
  return Status(StatusCode::kIdConflict, "event id '" + event.id + "' is already used " +
                                             std::string(where) + " with different content");
}
}  // namespace

Status EventStore::Impl::AdmitRepeat(const EventDraft& event) {
  return options_.decider == nullptr ? Status::Ok() : options_.decider->AdmitRepeat(event);
}

Status EventStore::Impl::SortIds(Request& request) {
  std::vector<EventDraft>& events = request.events;
  std::vector<AppendResult>& results = request.results;
  for (size_t i = 0; i < events.size(); ++i) {
    EventDraft& event = events[i];
    const Hash& digest = request.digests[i];
    if (auto it = request_ids_.find(event.id); it != request_ids_.end()) {
      if (digest != request.digests[it->second]) return IdConflict(event, "earlier in this batch");
      repeats_.push_back(i);
      continue;
    }
    if (auto it = inflight_ids_.find(event.id); it != inflight_ids_.end()) {
      if (Status status = AdmitRepeat(event); !status.ok()) return status;
      const InflightId& original = it->second;
      if (digest != original.digest) return IdConflict(event, "by an event being committed");
      results[i] = AppendResult{event.id,
                                original.position,
                                std::string(original.stream),
                                original.version,
                                original.recorded_at_us,
                                original.hash,
                                true};
      continue;
    }
    Result<std::optional<std::string_view>> found = StoredIdEntry(event.id);
    if (!found.ok()) return found.status();
    if (found->has_value()) {
      if (Status status = AdmitRepeat(event); !status.ok()) return status;
      const std::string_view value = **found;
      if (value.size() != 8 + sizeof(Hash)) {
        return Status::Corruption("id index entry is malformed");
      }
      const Position position{DecodeBigEndian64(value)};
      if (!std::equal(digest.begin(), digest.end(),
                      reinterpret_cast<const uint8_t*>(value.data()) + 8)) {
        return IdConflict(event, "at position " + std::to_string(position.value));
      }
      Result<StoredEvent> original = ReadAt(position);
      if (!original.ok()) return original.status();
      results[i] = AppendResult{original->id,
                                original->position,
                                original->stream,
                                original->version,
                                original->recorded_at_us,
                                original->hash,
                                true};
      continue;
    }

    request_ids_.emplace(event.id, i);
    fresh_.push_back(i);
    fresh_drafts_.push_back(&event);
  }
  return Status::Ok();
}

Status EventStore::Impl::CheckStreamVersions(const Request& request) {
  LookUpStreamHeads(request);
  for (size_t i : fresh_) {
    const EventDraft& event = request.events[i];
    if (event.stream.empty() || event.stream.size() > options_.stream_bytes_max) {
      return Status::InvalidArgument("event '" + event.id + "': stream must be 1 to " +
                                     std::to_string(options_.stream_bytes_max) + " bytes");
    }
    uint64_t current;
    if (auto it = request_streams_.find(event.stream); it != request_streams_.end()) {
      current = it->second;
    } else {
      Result<uint64_t> version = StreamVersionOf(event.stream);
      if (!version.ok()) return version.status();
      current = *version;
    }
    if (event.expected_version && event.expected_version->value != current) {
      return Status(StatusCode::kWrongExpectedVersion,
                    "event '" + event.id + "': stream '" + event.stream + "' is at version " +
                        std::to_string(current) + ", not the expected " +
                        std::to_string(event.expected_version->value));
    }
    request_streams_[event.stream] = current + 1;
    fresh_versions_.push_back(current + 1);
  }
  return Status::Ok();
}

void EventStore::Impl::AddFreshEvents(Request& request, Group& group) {
  const int64_t recorded_at_us = std::max(last_recorded_at_us_, options_.clock_us());
  StoredEvent& stored = stored_;
  for (size_t k = 0; k < fresh_.size(); ++k) {
    const size_t i = fresh_[k];
    EventDraft& event = request.events[i];
    stored.position = sequenced_head_.next;
    stored.stream = event.stream;
    stored.version = StreamVersion{fresh_versions_[k]};
    stored.id = event.id;
    stored.type = event.type;
    stored.occurred_at_us = event.occurred_at_us;
    stored.recorded_at_us = recorded_at_us;
    stored.actor = event.actor;
    // The payload, the largest field, is lent to `stored` for hashing and encoding and given
    // back right after: no copy.
    stored.payload.swap(event.payload);
    stored.prev_hash = sequenced_head_.hash;
    stored.hash = hasher_.ChainHash(stored.prev_hash, stored);

    const std::string_view envelope = EncodeEnvelopeView(stored);
    // Pair check: what is written decodes to exactly the event that was hashed.
    LEDGER_ASSERT(EnvelopeMatches(envelope, stored));
    const std::string position_key = PositionKey(stored.position.value);
    // A WriteBatch refuses a Put only past max_bytes, which the store never sets.
    LEDGER_ASSERT(
        group.batch.Put(log(), position_key, rocksdb::Slice(envelope.data(), envelope.size()))
            .ok());
    stored.payload.swap(event.payload);
    StreamEntry& stream_entry = group.streams.emplace_back();
    stream_entry.offset = group.stream_keys.size();
    AppendStreamPrefix(stored.stream, &group.stream_keys);
    AppendBigEndian64(stored.version.value, &group.stream_keys);
    stream_entry.size = group.stream_keys.size() - stream_entry.offset;
    stream_entry.position = stored.position.value;
    if (auto it = stream_versions_.find(event.stream); it != stream_versions_.end()) {
      const uint64_t last = it->second.group;
      stream_entry.recent =
          last != 0 && last < group.number && group.number - last <= kRecentGroups;
    }
    if (event.side != nullptr) {
      side_writes_.puts.clear();
      side_writes_.deleted_ranges.clear();
      event.side->Write(stored.position, side_writes_);
      for (const auto& range : side_writes_.deleted_ranges) {
        LEDGER_ASSERT(group.batch.DeleteRange(personal_, range.first, range.second).ok());
      }
      for (const auto& put : side_writes_.puts) {
        LEDGER_ASSERT(group.batch.Put(personal_, put.first, put.second).ok());
      }
    }
    IdEntry& id_entry = group.ids.emplace_back();
    id_entry.id = event.id;
    std::copy(position_key.begin(), position_key.end(), id_entry.value.begin());
    std::copy(request.digests[i].begin(), request.digests[i].end(), id_entry.value.begin() + 8);

    request.results[i] = AppendResult{stored.id,      stored.position,       stored.stream,
                                      stored.version, stored.recorded_at_us, stored.hash,
                                      false};
    inflight_ids_.insert_or_assign(
        event.id, InflightId{request.digests[i], stored.position, event.stream, stored.version,
                             recorded_at_us, stored.hash, group.number});
    if (auto it = stream_versions_.find(event.stream); it != stream_versions_.end()) {
      it->second = StreamState{stored.version.value, group.number};
    } else {
      stream_versions_.emplace(event.stream, StreamState{stored.version.value, group.number});
    }
    sequenced_head_ = Head{stored.position.Next(), stored.hash};
  }
  last_recorded_at_us_ = recorded_at_us;
  group.after = sequenced_head_;
}

void EventStore::Impl::CommitterLoop() {
  while (true) {
    std::unique_ptr<Group> group;
    {
      MutexLock lock(group_mutex_);
      group_ready_cv_.Wait(lock, [&]() REQUIRES(group_mutex_) {
        return !open_group_->requests.empty() || sequencer_done_;
      });
      if (open_group_->requests.empty()) break;  // the sequencer is done and all is written
      group = std::move(open_group_);
      if (!spare_groups_.empty()) {
        open_group_ = std::move(spare_groups_.back());
        spare_groups_.pop_back();
      } else {
        open_group_ = std::make_unique<Group>();
      }
      open_group_->number = group->number + 1;
    }
    group_room_cv_.NotifyOne();
    CommitGroup(*group);
    {
      MutexLock lock(queue_mutex_);
      written_groups_.push_back(std::move(group));
    }
    queue_cv_.NotifyOne();
  }
  {
    MutexLock lock(queue_mutex_);
    committer_done_ = true;
  }
  queue_cv_.NotifyOne();
}

void EventStore::Impl::CommitGroup(Group& group) {
  Status failure;
  if (!committer_failure_.ok()) {
    // Everything sequenced after a failed group may depend on it: refuse it all.
    failure = Status::Unavailable("the store stopped after an earlier failure (" +
                                  committer_failure_.message() + "); reopen it to recover");
  } else if (group.after.next != group.before.next) {
    // Index entries in key order: each memtable insert starts from the previous one's place.
    std::sort(group.ids.begin(), group.ids.end(),
              [](const IdEntry& a, const IdEntry& b) { return a.id < b.id; });
    for (const IdEntry& entry : group.ids) {
      LEDGER_ASSERT(
          group.batch.Put(ids(), entry.id, rocksdb::Slice(entry.value.data(), entry.value.size()))
              .ok());
    }
    const std::string_view keys = group.stream_keys;
    auto key_of = [keys](const StreamEntry& entry) {
      return keys.substr(entry.offset, entry.size);
    };
    std::sort(group.streams.begin(), group.streams.end(),
              [&](const StreamEntry& a, const StreamEntry& b) { return key_of(a) < key_of(b); });
    std::string position_key;
    recent_streams_.clear();
    for (const StreamEntry& entry : group.streams) {
      position_key.clear();
      AppendBigEndian64(entry.position, &position_key);
      const std::string_view key = key_of(entry);
      LEDGER_ASSERT(
          group.batch.Put(streams(), rocksdb::Slice(key.data(), key.size()), position_key).ok());
      if (entry.recent) recent_streams_.insert(key.substr(0, key.size() - sizeof(uint64_t)));
    }
    LEDGER_ASSERT(group.batch.Put(meta(), kHeadKey, EncodeHead(group.after)).ok());
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    stream_insert_hint_->SetRecent(&recent_streams_);
    rocksdb::Status s = db_->Write(write_options, &group.batch);
    stream_insert_hint_->SetRecent(nullptr);
    if (!s.ok()) {
      failure = FromRocks(s, "write group at position " + std::to_string(group.before.next.value));
      committer_failure_ = failure;
      MutexLock lock(queue_mutex_);
      failure_ = failure;
    } else {
      {
        MutexLock lock(head_mutex_);
        head_ = group.after;
      }
      head_cv_.NotifyAll();
    }
  }

  group.failure = std::move(failure);
}

EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventStore::~EventStore() = default;

Result<std::unique_ptr<EventStore>> EventStore::Open(EventStoreOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status status = impl->Open(); !status.ok()) return status;
  return std::unique_ptr<EventStore>(new EventStore(std::move(impl)));
}

namespace {
Status ReadOnlyRefusal() { return Status::Unavailable("this store is open read-only"); }
}  // namespace

Result<std::vector<AppendResult>> EventStore::Append(std::vector<EventDraft> batch) {
  if (!impl_->options().read_only_secondary_dir.empty()) return ReadOnlyRefusal();
  return impl_->Append(std::move(batch));
}

void EventStore::AppendAsync(std::vector<EventDraft> batch, AppendCallback done) {
  if (!impl_->options().read_only_secondary_dir.empty()) {
    done(ReadOnlyRefusal());
    return;
  }
  impl_->AppendAsync(std::move(batch), std::move(done));
}

Status EventStore::Backup(const std::string& dir) { return impl_->Backup(dir); }

Result<std::optional<std::string>> EventStore::PersonalGet(std::string_view key) const {
  std::string value;
  rocksdb::Status s = impl_->db()->Get(rocksdb::ReadOptions(), impl_->personal_family(),
                                       rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read personal");
  return std::optional<std::string>(std::move(value));
}

Status EventStore::PersonalScan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  // The iterator stops at the first key past the prefix (its last byte raised), so a member's
  // read does not load the next member's block.
  std::string upper(prefix);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
  if (!upper.empty())
    upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  if (!upper.empty()) read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db()->NewIterator(read_options, impl_->personal_family()));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(prefix)) break;
    if (!visit(key, std::string_view(it->value().data(), it->value().size()))) break;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan personal");
  return Status::Ok();
}

Status EventStore::Flush() {
  if (!impl_->options().read_only_secondary_dir.empty()) {
    return Status::Unavailable("a read-only store does not flush");
  }
  rocksdb::FlushOptions flush;
  flush.wait = true;
  if (rocksdb::Status s = impl_->db()->Flush(flush, impl_->families()); !s.ok()) {
    return FromRocks(s, "flush");
  }
  return Status::Ok();
}

Status EventStore::PurgePersonal() {
  if (!impl_->options().read_only_secondary_dir.empty()) {
    return Status::Unavailable("a read-only store does not purge");
  }
  rocksdb::DB* db = impl_->db();
  // Every family: a WAL file is obsolete (and deleted) only once no family needs it.
  if (Status flushed = Flush(); !flushed.ok()) return flushed;
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  if (rocksdb::Status s = db->CompactRange(compact, impl_->personal_family(), nullptr, nullptr);
      !s.ok()) {
    return FromRocks(s, "compact personal");
  }
  return Status::Ok();
}

Head EventStore::GetHead() const { return impl_->GetHead(); }

bool EventStore::WaitForPosition(Position position, std::chrono::milliseconds timeout) const {
  return impl_->WaitForPosition(position, timeout);
}

Result<std::vector<StoredEvent>> EventStore::ReadFrom(Position from, size_t limit) const {
  limit = std::min(limit, impl_->options().read_events_max);
  const Position head = GetHead().next;
  const Position end{std::min(head.value, from.value + limit)};
  std::vector<StoredEvent> events;
  events.reserve(end.value > from.value ? end.value - from.value : 0);
  Status status = impl_->Scan(from, end, nullptr, [&](StoredEvent& event) {
    events.push_back(std::move(event));
    return true;
  });
  if (!status.ok()) return status;
  return events;
}

Result<StoredEvent> EventStore::ReadAt(Position position) const { return impl_->ReadAt(position); }

Result<std::vector<StoredEvent>> EventStore::ReadStream(std::string_view stream,
                                                        StreamVersion from_version,
                                                        size_t limit) const {
  return impl_->ReadStream(stream, from_version, limit);
}

Result<Position> EventStore::FindId(std::string_view id) const { return impl_->FindId(id); }

Status EventStore::Scan(Position from, Position end, const Hash* expected_prev,
                        const std::function<bool(const StoredEvent&)>& visit) const {
  return impl_->Scan(from, std::min(end, GetHead().next), expected_prev, visit);
}

Status EventStore::ScanEnvelopes(Position from, Position end, const Hash* expected_prev,
                                 const EnvelopeVisitor& visit) const {
  return impl_->ScanEnvelopes(from, std::min(end, GetHead().next), expected_prev, visit);
}

Status EventStore::VerifyChain() const {
  const Head head = GetHead();
  const Hash zero{};
  Hash last{};
  Status status = impl_->Scan(Position{0}, head.next, &zero, [&](const StoredEvent& event) {
    last = event.hash;
    return true;
  });
  if (!status.ok()) return status;
  if (last != head.hash) return Status::Corruption("chain does not end at the head hash");
  return Status::Ok();
}

Status EventStore::health() const { return impl_->health(); }

Result<std::unique_ptr<ReadModelStore>> EventStore::OpenReadModel(std::string_view name) {
  if (!IsTableName(name)) {
    return Status::InvalidArgument("read model name '" + std::string(name) + "' is not allowed");
  }
  Result<rocksdb::ColumnFamilyHandle*> family =
      impl_->ReadModelFamily(std::string(kReadModelFamilyPrefix) + std::string(name));
  if (!family.ok()) return family.status();
  return NewRocksReadModelStore(impl_->db(), *family, "");
}

Result<std::unique_ptr<ReadModelStore>> EventStore::OpenMetaTable(std::string_view name) {
  if (!IsTableName(name)) {
    return Status::InvalidArgument("meta table name '" + std::string(name) + "' is not allowed");
  }
  return NewRocksReadModelStore(impl_->db(), impl_->meta_family(),
                                std::string(name) + kMetaTableSuffix);
}

}  // namespace ledger
