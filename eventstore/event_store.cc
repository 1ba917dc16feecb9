#include "eventstore/event_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "domain/assert.h"
#include "eventstore/envelope_codec.h"
#include "eventstore/hash_chain.h"
#include "eventstore/keys.h"
#include "eventstore/rocks_read_model_store.h"

namespace ledger {
namespace {

// Column families, as docs/ARCHITECTURE.md lays out.
constexpr const char* kLogFamily = "log";          // u64 position -> envelope
constexpr const char* kStreamsFamily = "streams";  // u16 len | stream | u64 version -> u64 position
constexpr const char* kIdsFamily = "ids";          // event id -> u64 position | digest
constexpr const char* kMetaFamily = "meta";        // named records below

constexpr std::string_view kHeadKey = "head";          // u64 next | hash
constexpr std::string_view kVerifiedKey = "verified";  // u64 next | hash: chain checked up to here

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

int64_t SystemClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

rocksdb::ColumnFamilyOptions IndexFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.write_buffer_size = 64 << 20;
  return options;
}

// The stream part of a `streams` key (u16 length | stream), without the u64 version. Used only
// as a memtable insert hint: RocksDB keeps one skiplist position per stream and starts the next
// insert of that stream there, which turns the random insert of an appended version into an
// O(1) one. Reads, iteration and the files on disk do not depend on it.
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

rocksdb::ColumnFamilyOptions StreamsFamilyOptions() {
  rocksdb::ColumnFamilyOptions options = IndexFamilyOptions();
  options.memtable_insert_with_hint_prefix_extractor = std::make_shared<StreamPrefixHint>();
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
  Result<rocksdb::ColumnFamilyHandle*> ReadModelFamily(const std::string& family_name) {
    std::lock_guard lock(families_mutex_);
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      if (handle->GetName() == family_name) return handle;
    }
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    rocksdb::Status s = db_->CreateColumnFamily(ReadModelFamilyOptions(), family_name, &handle);
    if (!s.ok()) return FromRocks(s, "create " + family_name);
    handles_.push_back(handle);
    return handle;
  }
  rocksdb::DB* db() const { return db_; }

  explicit Impl(EventStoreOptions options) : options_(std::move(options)) {
    if (!options_.clock_us) options_.clock_us = SystemClockMicros;
  }

  ~Impl() {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    if (db_ != nullptr) {
      db_->Close().PermitUncheckedError();  // an earlier write error may resurface here
      delete db_;
    }
  }

  Status Open();
  void Enqueue(std::vector<EventDraft> batch, AppendCallback done);

  Head GetHead() const {
    std::lock_guard lock(head_mutex_);
    return head_;
  }
  bool WaitForPosition(Position position, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(head_mutex_);
    return head_cv_.wait_for(lock, timeout, [&] { return head_.next > position; });
  }
  Status health() const {
    std::lock_guard lock(queue_mutex_);
    return failure_;
  }

  Status Scan(Position from, Position end, const Hash* expected_prev,
              const std::function<bool(const StoredEvent&)>& visit) const;
  Result<StoredEvent> ReadAt(Position position) const;
  Result<std::vector<StoredEvent>> ReadStream(std::string_view stream, StreamVersion from,
                                              size_t limit) const;
  Result<Position> FindId(std::string_view id) const;
  const EventStoreOptions& options() const { return options_; }

 private:
  struct Request {
    std::vector<EventDraft> events;
    AppendCallback done;
  };

  // Where an id already accepted in the current group lives.
  struct PendingId {
    Hash digest;
    const AppendResult* result;
  };

  // Per-group state of the writer: what the group has accepted so far.
  struct Group {
    rocksdb::WriteBatch batch;
    std::unordered_map<std::string_view, PendingId> ids;
    std::unordered_map<std::string_view, uint64_t> stream_versions;
    Position next;
    Hash hash{};
    int64_t recorded_at_us = 0;
  };

  Status CheckLimits(const EventDraft& event) const;
  Status VerifyOnOpen();
  void WriterLoop();
  void CommitGroup(std::vector<Request>& requests);
  // Checks one request against the store and the group; on success adds its events to the
  // group and fills `results`. On failure the group is unchanged.
  Status ProcessRequest(Request& request, Group& group, std::vector<AppendResult>& results);
  Result<uint64_t> StreamVersionOf(std::string_view stream, const Group& group);
  // The stored event with `id` and the content digest it was submitted with, if any.
  Result<std::optional<std::pair<StoredEvent, Hash>>> StoredEventWithId(std::string_view id) const;

  rocksdb::ColumnFamilyHandle* log() const { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* streams() const { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* ids() const { return handles_[3]; }
  rocksdb::ColumnFamilyHandle* meta() const { return handles_[4]; }

  EventStoreOptions options_;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // log, streams, ids, meta, read models
  std::mutex families_mutex_;                          // guards appending to handles_

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Request> queue_;  // bounded by append_queue_requests_max
  bool stopping_ = false;
  Status failure_;  // set once by the writer after a failed write; appends refused after

  mutable std::mutex head_mutex_;
  mutable std::condition_variable head_cv_;
  Head head_;  // published after each durable group

  // Writer-thread state.
  Head writer_head_;
  int64_t last_recorded_at_us_ = 0;
  std::unordered_map<std::string, uint64_t> stream_cache_;  // committed stream versions
  std::string scratch_;
  std::string envelope_;

  std::thread writer_;
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
      {kStreamsFamily, StreamsFamilyOptions()},
      {kIdsFamily, IdsFamilyOptions()},
      {kMetaFamily, rocksdb::ColumnFamilyOptions()},
  };
  // Read models live in families of their own, which RocksDB needs named at open.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, options_.path, &existing).ok()) {
    for (const std::string& name : existing) {
      if (name.starts_with(kReadModelFamilyPrefix))
        families.emplace_back(name, ReadModelFamilyOptions());
    }
  }
  rocksdb::Status s = rocksdb::DB::Open(db_options, options_.path, families, &handles_, &db_);
  if (!s.ok()) return FromRocks(s, "open " + options_.path);

  if (Status status = VerifyOnOpen(); !status.ok()) return status;
  writer_head_ = head_;
  if (writer_head_.next.value > 0) {
    Result<StoredEvent> last = ReadAt(Position{writer_head_.next.value - 1});
    if (!last.ok()) return last.status();
    last_recorded_at_us_ = last->recorded_at_us;
  }
  writer_ = std::thread([this] { WriterLoop(); });
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
  head_ = stored_head;

  rocksdb::WriteOptions sync;
  sync.sync = true;
  s = db_->Put(sync, meta(), kVerifiedKey, EncodeHead(head_));
  if (!s.ok()) return FromRocks(s, "write verified checkpoint");
  return Status::Ok();
}

Status EventStore::Impl::Scan(Position from, Position end, const Hash* expected_prev,
                              const std::function<bool(const StoredEvent&)>& visit) const {
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
  std::string scratch;
  for (it->Seek(PositionKey(from.value)); it->Valid(); it->Next(), ++expected) {
    const std::string where = "position " + std::to_string(expected);
    if (it->key().size() != 8 || DecodeBigEndian64(it->key().ToStringView()) != expected) {
      return Status::Corruption("log is missing " + where);
    }
    Result<StoredEvent> event = DecodeEnvelope(it->value().ToStringView());
    if (!event.ok()) return Status::Corruption(where + ": " + event.status().message());
    if (event->position.value != expected) {
      return Status::Corruption(where + ": envelope says position " +
                                std::to_string(event->position.value));
    }
    if (prev && event->prev_hash != *prev) {
      return Status::Corruption(where + ": prev_hash does not match the hash before it");
    }
    if (options_.verify_reads && !HashMatches(*event, &scratch)) {
      return Status::Corruption(where + ": hash does not match the event's bytes");
    }
    prev = event->hash;
    if (!visit(*event)) return Status::Ok();
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
  std::string scratch;
  if (event->position != position || (options_.verify_reads && !HashMatches(*event, &scratch))) {
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

void EventStore::Impl::Enqueue(std::vector<EventDraft> batch, AppendCallback done) {
  if (batch.empty()) {
    done(Status::InvalidArgument("a batch needs at least one event"));
    return;
  }
  if (batch.size() > options_.append_request_events_max) {
    done(Status::InvalidArgument("a batch holds at most " +
                                 std::to_string(options_.append_request_events_max) + " events"));
    return;
  }
  for (const EventDraft& event : batch) {
    if (Status status = CheckLimits(event); !status.ok()) {
      done(std::move(status));
      return;
    }
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (!failure_.ok()) {
      done(Status::Unavailable("the store stopped after an earlier failure (" + failure_.message() +
                               "); reopen it to recover"));
      return;
    }
    if (stopping_) {
      done(Status::Unavailable("the store is shutting down"));
      return;
    }
    if (queue_.size() >= options_.append_queue_requests_max) {
      done(Status(StatusCode::kOverloaded, "the append queue is full (" +
                                               std::to_string(queue_.size()) +
                                               " requests); retry later"));
      return;
    }
    queue_.push_back(Request{std::move(batch), std::move(done)});
  }
  queue_cv_.notify_one();
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

void EventStore::Impl::WriterLoop() {
  std::vector<Request> requests;
  while (true) {
    requests.clear();
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      size_t events = 0;
      while (!queue_.empty() && (requests.empty() || events + queue_.front().events.size() <=
                                                         options_.commit_group_events_max)) {
        events += queue_.front().events.size();
        requests.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(requests);
  }
}

void EventStore::Impl::CommitGroup(std::vector<Request>& requests) {
  std::vector<Result<std::vector<AppendResult>>> outcomes;
  outcomes.reserve(requests.size());
  {
    std::lock_guard lock(queue_mutex_);
    if (!failure_.ok()) {
      for (Request& request : requests) {
        request.done(Status::Unavailable("the store stopped after an earlier failure (" +
                                         failure_.message() + "); reopen it to recover"));
      }
      return;
    }
  }

  Group group;
  group.next = writer_head_.next;
  group.hash = writer_head_.hash;
  group.recorded_at_us = std::max(last_recorded_at_us_, options_.clock_us());
  // Results are referenced by pointer from group.ids, so reserve them all up front.
  std::vector<std::vector<AppendResult>> results(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) results[i].reserve(requests[i].events.size());

  std::vector<Status> statuses(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    statuses[i] = ProcessRequest(requests[i], group, results[i]);
  }

  if (group.next != writer_head_.next) {
    const Head new_head{group.next, group.hash};
    group.batch.Put(meta(), kHeadKey, EncodeHead(new_head));
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    rocksdb::Status s = db_->Write(write_options, &group.batch);
    if (!s.ok()) {
      Status failure =
          FromRocks(s, "write group at position " + std::to_string(writer_head_.next.value));
      {
        std::lock_guard lock(queue_mutex_);
        failure_ = failure;
      }
      for (Request& request : requests) request.done(failure);
      return;
    }
    writer_head_ = new_head;
    last_recorded_at_us_ = group.recorded_at_us;
    if (stream_cache_.size() + group.stream_versions.size() > options_.stream_cache_entries_max) {
      stream_cache_.clear();
    }
    for (const auto& [stream, version] : group.stream_versions) {
      stream_cache_.insert_or_assign(std::string(stream), version);
    }
    {
      std::lock_guard lock(head_mutex_);
      head_ = new_head;
    }
    head_cv_.notify_all();
  }

  for (size_t i = 0; i < requests.size(); ++i) {
    if (statuses[i].ok()) {
      requests[i].done(std::move(results[i]));
    } else {
      requests[i].done(std::move(statuses[i]));
    }
  }
}

Result<std::optional<std::pair<StoredEvent, Hash>>> EventStore::Impl::StoredEventWithId(
    std::string_view id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ids(), id, &value);
  if (s.IsNotFound()) return std::optional<std::pair<StoredEvent, Hash>>();
  if (!s.ok()) return FromRocks(s, "look up id");
  Hash digest;
  if (value.size() != 8 + digest.size()) return Status::Corruption("id index entry is malformed");
  std::copy(value.begin() + 8, value.end(), digest.begin());
  Result<StoredEvent> event = ReadAt(Position{DecodeBigEndian64(value)});
  if (!event.ok()) return event.status();
  return std::optional<std::pair<StoredEvent, Hash>>(std::in_place, std::move(event).value(),
                                                     digest);
}

Result<uint64_t> EventStore::Impl::StreamVersionOf(std::string_view stream, const Group& group) {
  if (auto it = group.stream_versions.find(stream); it != group.stream_versions.end()) {
    return it->second;
  }
  if (auto it = stream_cache_.find(std::string(stream)); it != stream_cache_.end()) {
    return it->second;
  }
  std::string prefix;
  AppendStreamPrefix(stream, &prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams()));
  it->SeekForPrev(StreamKey(stream, UINT64_MAX));
  if (!it->status().ok()) return FromRocks(it->status(), "read stream version");
  uint64_t version = 0;
  if (it->Valid() && it->key().starts_with(prefix) && it->key().size() == prefix.size() + 8) {
    version = DecodeBigEndian64(it->key().ToStringView().substr(prefix.size()));
  }
  if (stream_cache_.size() >= options_.stream_cache_entries_max) stream_cache_.clear();
  stream_cache_.emplace(std::string(stream), version);
  return version;
}

Status EventStore::Impl::ProcessRequest(Request& request, Group& group,
                                        std::vector<AppendResult>& results) {
  std::vector<EventDraft>& events = request.events;
  results.assign(events.size(), AppendResult{});
  // Within this request: ids seen (-> index) and stream versions as its new events advance them.
  std::unordered_map<std::string_view, size_t> request_ids;
  std::unordered_map<std::string_view, uint64_t> request_streams;
  std::vector<size_t> fresh;             // indexes of new events
  std::vector<uint64_t> fresh_versions;  // the stream version each new event gets
  std::vector<size_t> repeats;           // indexes that repeat an earlier new event of this request
  std::vector<EventDraft*> fresh_drafts;

  auto conflict = [](const EventDraft& event, std::string_view where) {
    return Status(StatusCode::kIdConflict, "event id '" + event.id + "' is already used " +
                                               std::string(where) + " with different content");
  };

  std::vector<Hash> digests(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EventDraft& event = events[i];
    digests[i] = ContentDigest(event, &scratch_);
    if (auto it = request_ids.find(event.id); it != request_ids.end()) {
      if (digests[i] != digests[it->second]) return conflict(event, "earlier in this batch");
      repeats.push_back(i);
      continue;
    }
    if (auto it = group.ids.find(event.id); it != group.ids.end()) {
      if (digests[i] != it->second.digest) return conflict(event, "by an event being committed");
      results[i] = *it->second.result;
      results[i].duplicate = true;
      continue;
    }
    auto stored = StoredEventWithId(event.id);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      const auto& [original, digest] = **stored;
      if (digests[i] != digest) {
        return conflict(event, "at position " + std::to_string(original.position.value));
      }
      results[i] = AppendResult{original.id,
                                original.position,
                                original.stream,
                                original.version,
                                original.recorded_at_us,
                                original.hash,
                                true};
      continue;
    }

    request_ids.emplace(event.id, i);
    fresh.push_back(i);
    fresh_drafts.push_back(&event);
  }

  // The decider may fill in streams that depend on ledger state; versions are checked after it,
  // and a refusal from here on must undo its acceptance.
  const bool decided = options_.decider != nullptr && !fresh_drafts.empty();
  if (decided) {
    if (Status status = options_.decider->Decide(fresh_drafts); !status.ok()) return status;
  }
  auto refuse = [&](Status status) {
    if (decided) options_.decider->Undo();
    return status;
  };
  for (size_t i : fresh) {
    const EventDraft& event = events[i];
    if (event.stream.empty() || event.stream.size() > options_.stream_bytes_max) {
      return refuse(Status::InvalidArgument("event '" + event.id + "': stream must be 1 to " +
                                            std::to_string(options_.stream_bytes_max) + " bytes"));
    }
    uint64_t current;
    if (auto it = request_streams.find(event.stream); it != request_streams.end()) {
      current = it->second;
    } else {
      Result<uint64_t> version = StreamVersionOf(event.stream, group);
      if (!version.ok()) return refuse(version.status());
      current = *version;
    }
    if (event.expected_version && event.expected_version->value != current) {
      return refuse(Status(StatusCode::kWrongExpectedVersion,
                           "event '" + event.id + "': stream '" + event.stream +
                               "' is at version " + std::to_string(current) +
                               ", not the expected " +
                               std::to_string(event.expected_version->value)));
    }
    request_streams[event.stream] = current + 1;
    fresh_versions.push_back(current + 1);
  }

  // Accepted: assign positions and hashes and add the events to the group's write batch.
  StoredEvent stored;
  for (size_t k = 0; k < fresh.size(); ++k) {
    const size_t i = fresh[k];
    EventDraft& event = events[i];
    stored.position = group.next;
    stored.stream = event.stream;
    stored.version = StreamVersion{fresh_versions[k]};
    stored.id = event.id;
    stored.type = event.type;
    stored.occurred_at_us = event.occurred_at_us;
    stored.recorded_at_us = group.recorded_at_us;
    stored.actor = event.actor;
    stored.payload = event.payload;
    stored.prev_hash = group.hash;
    stored.hash = ChainHash(group.hash, stored, &scratch_);

    EncodeEnvelope(stored, &envelope_);
    // Pair check: what is written must decode and verify.
    LEDGER_ASSERT(DecodeEnvelope(envelope_).ok());
    const std::string position_key = PositionKey(stored.position.value);
    group.batch.Put(log(), position_key, envelope_);
    group.batch.Put(streams(), StreamKey(stored.stream, stored.version.value), position_key);
    std::string id_value = position_key;
    id_value.append(reinterpret_cast<const char*>(digests[i].data()), digests[i].size());
    group.batch.Put(ids(), stored.id, id_value);

    results[i] = AppendResult{stored.id,      stored.position,       stored.stream,
                              stored.version, stored.recorded_at_us, stored.hash,
                              false};
    group.stream_versions.insert_or_assign(event.stream, stored.version.value);
    group.ids.emplace(event.id, PendingId{digests[i], &results[i]});
    group.hash = stored.hash;
    group.next = group.next.Next();
  }
  for (size_t i : repeats) {
    results[i] = results[request_ids.at(events[i].id)];
    results[i].duplicate = true;
  }
  return Status::Ok();
}

EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventStore::~EventStore() = default;

Result<std::unique_ptr<EventStore>> EventStore::Open(EventStoreOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status status = impl->Open(); !status.ok()) return status;
  return std::unique_ptr<EventStore>(new EventStore(std::move(impl)));
}

Result<std::vector<AppendResult>> EventStore::Append(std::vector<EventDraft> batch) {
  std::promise<Result<std::vector<AppendResult>>> promise;
  auto future = promise.get_future();
  impl_->Enqueue(std::move(batch), [&promise](Result<std::vector<AppendResult>> outcome) {
    promise.set_value(std::move(outcome));
  });
  return future.get();
}

void EventStore::AppendAsync(std::vector<EventDraft> batch, AppendCallback done) {
  impl_->Enqueue(std::move(batch), std::move(done));
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
  Status status = impl_->Scan(from, end, nullptr, [&](const StoredEvent& event) {
    events.push_back(event);
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
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") != std::string_view::npos) {
    return Status::InvalidArgument("read model name '" + std::string(name) + "' is not allowed");
  }
  Result<rocksdb::ColumnFamilyHandle*> family =
      impl_->ReadModelFamily(std::string(kReadModelFamilyPrefix) + std::string(name));
  if (!family.ok()) return family.status();
  return NewRocksReadModelStore(impl_->db(), *family);
}

}  // namespace ledger
